"""One cell of a table as a plain Python value: what is missing, what a numpy scalar is, what text a cell holds.

pandas marks a missing cell four ways (None, NaN, ``pd.NA``, ``NaT``) and hands out numpy scalars; GDAL,
SQLite, PostgreSQL and QGIS take plain ``int`` / ``float`` / ``str`` / ``None``. The ledger's tables, its stores
and the GeoDataFrame → QGIS layer conversion (``layers/convert.py``) all clean cells through these three
functions, so "missing" means the same everywhere.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

__all__ = ["is_missing", "plain", "cell_text", "cell_texts"]


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT``; False for any other scalar (and for lists and arrays, which
    ``pd.isna`` would answer element by element)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like cell: not one missing value
        return False


def plain(value: Any) -> Any:
    """The cell as a plain Python value: None when missing, a numpy scalar as its Python value."""
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError):  # an array of more than one element stays as it is
            return value
    return value


def cell_text(value: Any) -> Optional[str]:
    """The cell as text, None when missing or empty (a GeoPackage and PostgreSQL then both hold NULL)."""
    value = plain(value)
    if value is None:
        return None
    text = str(value)
    return text if text != "" else None


def cell_texts(values: Any) -> np.ndarray:
    """:func:`cell_text` of every value, as a new object array. A column of plain ``str`` and ``None`` (what the
    ledger's text columns hold) is answered at C speed; any other column goes cell by cell."""
    arr = np.asarray(values, dtype=object)  # may be pandas' read-only view: only read here
    if set(map(type, arr)) <= {str, type(None)}:
        out = arr.copy()
        out[arr == ""] = None
        return out
    return np.fromiter((cell_text(v) for v in arr), dtype=object, count=len(arr))
