"""Counts per county for the choropleth, and its classes at round numbers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bluesky_zoning.analysis.flagging.output_tables import summary_by_county
from bluesky_zoning.analysis.reports.county_counts import (
    class_breaks,
    count_of,
    county_key,
    flagged_enterprises_by_county,
    open_tasks_by_county,
)


def _flags() -> pd.DataFrame:
    rows = [
        ("E1", "boiler", "B-35", "小店区", "太原市", "140105"),
        ("E1", "boiler", "B-BAN", "小店区", "太原市", "140105"),  # one enterprise, two hits
        ("E2", "boiler", "B-35", "小店区", "太原市", "140105"),
        ("E2", "mine", "M-OPEN", "小店区", "太原市", "140105"),  # another layer: another enterprise
        ("E3", "plant", "P-ULE", "城区", "阳泉市", "140302"),
        ("E4", "plant", "P-ULE", "某县", "某市", np.nan),  # no adcode: keyed by name
        ("E5", "plant", "P-ULE", np.nan, np.nan, np.nan),  # outside every county
    ]
    return pd.DataFrame(rows, columns=["ent_id", "layer", "rule_id", "county", "city", "adcode"])


def test_flagged_enterprises_are_the_county_summarys_enterprises():
    flags = _flags()
    counts = flagged_enterprises_by_county(flags)
    assert counts == {"140105": 3, "140302": 1, "name:某县": 1}
    summary = summary_by_county(flags)
    by_code = {county_key(a, c): int(n) for a, c, n in zip(summary["adcode"], summary["county"],
                                                           summary["enterprises"])}
    assert {k: v for k, v in by_code.items() if k} == counts
    assert flagged_enterprises_by_county(flags.iloc[0:0]) == {} and flagged_enterprises_by_county(None) == {}


def test_a_countys_count_by_adcode_then_by_name():
    counts = {"140105": 3, "name:某县": 1}
    assert count_of(counts, "140105", "小店区") == 3
    assert count_of(counts, 140105.0, None) == 3  # a code read as a number
    assert count_of(counts, None, "某县") == 1 and count_of(counts, "", "某县") == 1
    assert count_of(counts, "140302", "城区") == 0


def test_open_tasks_of_one_month():
    progress = pd.DataFrame({"month": ["2020-07", "2020-07", "2020-08", "2020-08"],
                             "adcode": ["140105", "140302", "140105", None],
                             "county": ["小店区", "城区", "小店区", "某县"],
                             "open": [5, 2, 3, 4]})
    assert open_tasks_by_county(progress, "2020-08") == {"140105": 3, "name:某县": 4}
    assert open_tasks_by_county(progress, "2020-07") == {"140105": 5, "140302": 2}
    assert open_tasks_by_county(progress, "2020-09") == {}


@pytest.mark.parametrize("values, expected", [
    ([7, 8, 10, 20, 25, 60, 150], [(1, 10), (11, 20), (21, 50), (51, 100), (101, 150)]),
    ([3, 3, 3], [(1, 3)]),
    ([50, 60, 70], [(1, 50), (51, 70)]),
    ([0, 0], []),
])
def test_classes_close_at_round_numbers(values, expected):
    assert class_breaks(values) == expected


def test_classes_cover_every_count_once_however_wide_the_range():
    rng = np.random.default_rng(3)
    for top in (1, 9, 40, 999, 12_345):
        values = list(rng.integers(1, top + 1, size=60)) + [top]
        breaks = class_breaks(values, classes=5)
        assert 1 <= len(breaks) <= 5
        assert breaks[0][0] == 1 and breaks[-1][1] == top
        assert all(b[0] == a[1] + 1 for a, b in zip(breaks, breaks[1:]))  # contiguous, no gap, no overlap
        assert all(any(low <= v <= high for v in values) for low, high in breaks)  # no empty class
        inner = [high for _, high in breaks[:-1]]
        assert all(str(h).rstrip("0") in ("1", "2", "3", "5") for h in inner), inner  # round numbers
