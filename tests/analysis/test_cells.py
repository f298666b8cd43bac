"""One cleaning of a table cell (analysis/common/cells.py) for the ledger, its stores and layers/convert.qgis_value."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bluesky_zoning.analysis.common.cells import cell_text, cell_texts, is_missing, plain
from bluesky_zoning.analysis.ledger.tables import HISTORY_COLUMNS, PROGRESS_COLUMNS, records, typed


def test_every_way_pandas_marks_a_missing_cell_is_missing():
    for value in (None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")):
        assert is_missing(value) and plain(value) is None and cell_text(value) is None, repr(value)
    for value in (0, 0.0, "", "nan", False, [1, None], np.array([np.nan, 1.0])):
        assert not is_missing(value), repr(value)


def test_numpy_scalars_become_python_values_and_empty_text_none():
    assert type(plain(np.int64(7))) is int and plain(np.int64(7)) == 7
    assert type(plain(np.float32(2.5))) is float and type(plain(np.bool_(True))) is bool
    assert plain("县") == "县" and cell_text("") is None and cell_text(np.int64(140105)) == "140105"


def test_ledger_rows_reach_sqlite_as_plain_values():
    progress = pd.DataFrame({"month": ["2020-08", None], "adcode": [np.int64(140105), pd.NA],
                             "open": [np.int64(3), pd.NA], "done": [np.float64(2.0), np.nan]})
    rows = records(typed(progress, PROGRESS_COLUMNS), PROGRESS_COLUMNS)
    assert rows[0] == ("2020-08", "140105", None, None, 3, 0, 2, 0, 0)
    assert rows[1] == (None, None, None, None, 0, 0, 0, 0, 0)
    assert all(type(v) in (str, int, type(None)) for row in rows for v in row)
    history = typed(pd.DataFrame({"task_id": ["b:1:B-35"], "note": [pd.NA]}), HISTORY_COLUMNS)
    assert records(history, HISTORY_COLUMNS) == [("b:1:B-35", None, None, None, None, None, None, None)]



@pytest.mark.parametrize("values", [
    ["甲", "", None, "乙"],  # plain text: the quick path
    ["a", np.nan, None, pd.NA],  # blanks of every kind
    [1, 2.5, "x", np.int64(3), np.float64("nan"), pd.NaT],  # mixed: cell by cell
    [],
    [np.str_("x"), "y"],
])
def test_cell_texts_is_cell_text_of_every_value(values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    arr.setflags(write=False)  # pandas 3 hands out read-only arrays: read, never written
    before = list(arr)
    out = cell_texts(arr)
    assert out.dtype == object and list(out) == [cell_text(v) for v in values]
    assert all(a is b for a, b in zip(arr, before))
