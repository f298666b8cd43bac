"""The monthly ledger as the meeting outputs print it (RULES.md §5): one month's numbers of a county, a city or
the province, the sentence the atlas prints, and the open tasks month by month for its chart.

It reads a :class:`~.ledger.Ledger`'s ``progress`` table (monthly_progress: month, adcode, county, city, open,
new, done, reopened, overdue — one row per county with a task in the ledger, for every monthly update) and its
``months`` table, and nothing else, so every output that shows ledger numbers shows the ledger's own. No QGIS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import pandas as pd

from ..common.cells import cell_text
from ..inputs.validation import InputError
from ..ledger.updates import Ledger, parse_month

__all__ = ["PROGRESS_NUMBERS", "MonthProgress", "ledger_month", "months_upto", "county_rows", "city_rows",
           "month_progress", "open_by_month"]

PROGRESS_NUMBERS = ("open", "new", "done", "reopened", "overdue")


@dataclass(frozen=True)
class MonthProgress:
    """One month's ledger numbers of a county, a city or the province (``has_tasks``: any task at all)."""

    month: str
    open: int = 0  # outstanding at the month's end (open + reopened)
    new: int = 0
    done: int = 0
    reopened: int = 0
    overdue: int = 0
    has_tasks: bool = False

    def text_zh(self, scope: str = "本县") -> str:
        """'台账 2020-08：本月销号 3 项，新增 2 项，逾期 1 项（未完成 4 项）', or '台账 2020-08：本县无任务';
        ``scope`` other than 本县 (e.g. 全省) goes before the numbers."""
        if not self.has_tasks:
            return f"台账 {self.month}：{scope}无任务"
        who = "" if scope == "本县" else scope
        return (f"台账 {self.month}：{who}本月销号 {self.done} 项，新增 {self.new} 项，逾期 {self.overdue} 项"
                f"（未完成 {self.open} 项）")


def ledger_month(ledger: Ledger, month: Optional[str] = None) -> str:
    """``month`` checked against the ledger's monthly updates ('YYYY-MM'); the latest one when None."""
    updates = sorted(str(m) for m in ledger.months["month"]) if len(ledger.months) else []
    if not updates:
        raise InputError("台账中还没有任何月份的更新：请先用“更新月度台账”写入一个月的标注结果 / "
                         "the ledger has no monthly update yet")
    if month is None or not str(month).strip():
        return updates[-1]
    try:
        month = parse_month(month)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if month not in updates:
        raise InputError(f"台账中没有 {month} 的更新（已有：{'、'.join(updates)}）：请选择其中一个月份 / "
                         f"the ledger has no update for {month} (it has {', '.join(updates)})")
    return month


def months_upto(ledger: Ledger, month: str) -> List[str]:
    """The ledger's months up to and including ``month``, oldest first."""
    return sorted(str(m) for m in ledger.months["month"] if str(m) <= month)


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str).str.replace(r"\.0$", "", regex=True)


def county_rows(progress: pd.DataFrame, adcode: object, county: object, city: object) -> pd.DataFrame:
    """The progress rows of one county: by adcode; when the ledger has none with that code, by county and city
    name (a ledger built from flags without adcodes)."""
    if not len(progress):
        return progress
    code = (cell_text(adcode) or "").strip()  # a blank (None or NaN) is "", never "nan"
    if code:
        mine = progress[_text(progress["adcode"]) == code]
        if len(mine):
            return mine
    county_text, city_text = cell_text(county) or "", cell_text(city) or ""
    return progress[(_text(progress["county"]) == county_text) & (_text(progress["city"]) == city_text)]


def city_rows(progress: pd.DataFrame, city: str) -> pd.DataFrame:
    """The progress rows of the counties of ``city``."""
    return progress[_text(progress["city"]) == str(city)] if len(progress) else progress


def month_progress(rows: pd.DataFrame, month: str) -> MonthProgress:
    """The sums of ``rows`` (progress rows of a county, a city or all) in ``month``."""
    part = rows[rows["month"].astype(str) == month] if len(rows) else rows
    if not len(part):
        return MonthProgress(month)
    sums = {k: int(pd.to_numeric(part[k], errors="coerce").fillna(0).sum()) for k in PROGRESS_NUMBERS}
    return MonthProgress(month, has_tasks=True, **sums)


def open_by_month(rows: pd.DataFrame, months: Sequence[str]) -> List[Tuple[str, int]]:
    """(month, outstanding tasks) for each of ``months``: 0 in a month before the first task."""
    return [(m, month_progress(rows, m).open) for m in months]
