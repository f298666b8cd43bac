"""Counts per county for the county choropleth (the dock's small-scale map, the atlas overview) and its classes.

A county is keyed as the county × rule table keys it (:func:`.run_report.county_rule_table`): its adcode, or
``name:<county>`` when the row has none. Flagged enterprises come from the flags' county summary
(:func:`..flagging.output_tables.summary_by_county`, column ``enterprises``), open tasks from a ledger month's
``monthly_progress`` rows (column ``open``: open + reopened at the month's end).
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import pandas as pd

from ..common.cells import cell_text
from ..flagging.output_tables import summary_by_county

__all__ = ["county_key", "flagged_enterprises_by_county", "open_tasks_by_county", "class_breaks", "count_of"]

NAME_PREFIX = "name:"


def county_key(adcode: object, county: object) -> str:
    """'140105', or 'name:小店区' for a county without an adcode; '' when neither is known."""
    code = (cell_text(adcode) or "").strip()
    if code.endswith(".0"):
        code = code[:-2]
    if code:
        return code
    name = (cell_text(county) or "").strip()
    return NAME_PREFIX + name if name else ""


def flagged_enterprises_by_county(flags: Optional[pd.DataFrame]) -> Dict[str, int]:
    """{county key: enterprises with at least one rule hit} — summary_by_county's ``enterprises``."""
    if flags is None or len(flags) == 0:
        return {}
    summary = summary_by_county(flags)
    out: Dict[str, int] = {}
    for adcode, county, n in zip(summary["adcode"], summary["county"], summary["enterprises"]):
        key = county_key(adcode, county)
        if key:  # points outside every county have no county to colour
            out[key] = out.get(key, 0) + int(n)
    return out


def open_tasks_by_county(progress: Optional[pd.DataFrame], month: str) -> Dict[str, int]:
    """{county key: outstanding tasks at the end of ``month``} from a ledger's monthly_progress rows."""
    if progress is None or len(progress) == 0:
        return {}
    rows = progress[progress["month"].astype(str) == str(month)]
    out: Dict[str, int] = {}
    for adcode, county, n in zip(rows["adcode"], rows["county"], pd.to_numeric(rows["open"], errors="coerce")):
        key = county_key(adcode, county)
        if key and not pd.isna(n):
            out[key] = out.get(key, 0) + int(n)
    return out


def count_of(counts: Mapping[str, int], adcode: object, county: object) -> int:
    """A county's count: by adcode, else by name (counts made from rows without adcodes); 0 when absent."""
    code = county_key(adcode, None)
    if code and code in counts:
        return int(counts[code])
    return int(counts.get(county_key(None, county), 0))


#: round bounds per decade, finest first: 1–2–5 (…, 10, 20, 50, 100, …), then 1–3, then decades alone
_SERIES: Tuple[Tuple[int, ...], ...] = ((1, 2, 5), (1, 3), (1,))


def _round_bounds(low: float, high: float, series: Tuple[int, ...]) -> List[int]:
    """The round numbers of ``series`` per decade with low <= b < high."""
    out, decade = [], 1
    while decade < high:
        out.extend(m * decade for m in series if low <= m * decade < high)
        decade *= 10
    return out


def class_breaks(values: Iterable[float], classes: int = 5) -> List[Tuple[int, int]]:
    """At most ``classes`` integer ranges (low, high) covering 1 … max of the positive ``values``, closed at round
    numbers (1–10, 11–20, 21–50, 51–100, 101–150): a legend that reads at a glance and stays the same between two
    runs a meeting compares. The last range ends at the maximum; a range no value falls in is merged into the
    next. Zero is in none (the map shows it as a class of its own)."""
    positive = sorted(float(v) for v in values if v is not None and not pd.isna(v) and v > 0)
    if not positive:
        return []
    top = int(math.ceil(positive[-1]))
    wanted = max(1, classes) - 1
    bounds: List[int] = []
    for series in _SERIES:
        bounds = _round_bounds(positive[0], top, series)
        if len(bounds) <= wanted:
            break
    if len(bounds) > wanted:  # many decades: every k-th decade
        step = math.ceil(len(bounds) / wanted) if wanted else len(bounds) + 1
        bounds = bounds[step - 1::step][:wanted]
    out, low, i = [], 1, 0
    for upper in bounds + [top]:
        members = sum(1 for v in positive[i:] if v <= upper)
        if members == 0 and upper != top:
            continue
        out.append((low, upper))
        low, i = upper + 1, i + members
    return out
