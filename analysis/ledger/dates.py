"""Months and deadlines of the monthly ledger: what a month is, when a rule's deadline falls, what is overdue."""
from __future__ import annotations

import calendar
import datetime as _dt
import re
import unicodedata
from typing import Dict, Optional

import numpy as np
import pandas as pd

from .tables import OUTSTANDING, LedgerError

__all__ = ["parse_month", "month_end", "deadline_date", "overdue", "HEATING_SEASON_START"]

# Shanxi's heating season starts on 1 November: "2020年采暖季前" is due by 31 October.
HEATING_SEASON_START = (11, 1)

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: object) -> str:
    """'2020-08' (also '2020-8') → '2020-08'; anything else is a LedgerError naming the value."""
    found = _MONTH_RE.match(str(text or ""))
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise LedgerError(f"月份「{text}」格式不对：应为 YYYY-MM（年-月），例如 2020-08 / "
                          f"month '{text}' is not YYYY-MM, e.g. 2020-08")
    return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"


def month_end(month: str) -> _dt.date:
    year, mon = (int(p) for p in month.split("-"))
    return _dt.date(year, mon, calendar.monthrange(year, mon)[1])


def deadline_date(text: object) -> Optional[_dt.date]:
    """The last day of a rule's deadline text: '2020-10-01前' → 2020-10-01, '2020年采暖季前' → 2020-10-31,
    '2020年底前' / '2020' → 2020-12-31, '2020-09' → 2020-09-30; None when it names no date ('计划未明确')."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not s:
        return None
    found = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", s)
    if found:
        try:
            return _dt.date(*(int(g) for g in found.groups()))
        except ValueError:
            return None
    found = re.search(r"(\d{4})\s*年?\s*采暖季", s)
    if found:
        return _dt.date(int(found.group(1)), *HEATING_SEASON_START) - _dt.timedelta(days=1)
    found = re.search(r"(\d{4})[-/.年](\d{1,2})月?(?!\d)", s)
    if found and 1 <= int(found.group(2)) <= 12:
        return month_end(f"{int(found.group(1)):04d}-{int(found.group(2)):02d}")
    found = re.search(r"(\d{4})", s)
    if found:
        return _dt.date(int(found.group(1)), 12, 31)
    return None


def overdue(deadlines: pd.Series, status: pd.Series, month: str) -> np.ndarray:
    """Outstanding tasks whose deadline falls on or before the end of ``month``: the month's lists show the
    state at its end, by which such a deadline has passed."""
    end = month_end(month)
    cache: Dict[object, bool] = {}
    due = []
    for text in deadlines:
        if text not in cache:
            day = deadline_date(text)
            cache[text] = day is not None and day <= end
        due.append(cache[text])
    return (np.asarray(due, dtype=bool) & status.isin(OUTSTANDING).to_numpy()).astype("int64")
