"""What every meeting output shares: the order of tasks, the data notes, the city targets of 二(二) and
三(三)11 (rail freight), and the per-city summary (hits by class of measure, rows to verify, ledger numbers).

The plan's data (city order, targets, the wording of the data notes) is in ``analysis/data/meeting.yaml``;
no QGIS here (pandas only), so the workbook, the atlas and ``make demo`` use the same order and wording.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Union

import pandas as pd
import yaml

from ..common.cells import cell_text
from ..common.data_files import MEETING_PATH

__all__ = [
    "CITY_ORDER",
    "CITY_TARGETS",
    "PROVINCE_TARGETS",
    "SHORT_TARGETS",
    "TARGETS_SOURCE",
    "city_targets",
    "add_severity",
    "meeting_order",
    "mine_ring_km",
    "data_notes",
    "FREIGHT_CLAUSE",
    "FREIGHT_QUOTE",
    "FREIGHT_PROVINCE",
    "FREIGHT_TARGETS",
    "freight_target",
    "freight_province",
    "tonnes_text",
    "SEVERITY_CLASSES",
    "CITY_SUMMARY_COLUMNS",
    "LEDGER_SUMMARY_COLUMNS",
    "OTHER_CITY",
    "PROVINCE_ROW",
    "city_summary",
]

PathLike = Union[str, os.PathLike]
_DATA = yaml.safe_load(MEETING_PATH.read_text(encoding="utf-8"))

CITY_ORDER: List[str] = list(_DATA["city_order"])
CITY_TARGETS: Dict[str, List[str]] = {city: list(t["full"]) for city, t in _DATA["city_targets"].items()}
SHORT_TARGETS: Dict[str, str] = {city: str(t["short"]) for city, t in _DATA["city_targets"].items()}
PROVINCE_TARGETS: List[str] = list(_DATA["province_targets"])
TARGETS_SOURCE: str = _DATA["targets_source"]
_NOTES: Dict[str, str] = _DATA["data_notes"]
_FREIGHT = _DATA["freight_targets"]
FREIGHT_CLAUSE: str = str(_FREIGHT["clause"])
FREIGHT_QUOTE: str = str(_FREIGHT["quote"])
FREIGHT_PROVINCE: int = int(_FREIGHT["province"])  # 万吨
FREIGHT_TARGETS: Dict[str, int] = {str(c): int(v) for c, v in _FREIGHT["cities"].items()}  # 万吨


def city_targets(city: str) -> List[str]:
    """The 二(二) targets printed on the pages of ``city``: its own, then the province-wide ones."""
    return list(CITY_TARGETS.get(city, [])) + PROVINCE_TARGETS


def tonnes_text(wan_tonnes: int) -> str:
    """20000 (万吨) → '2亿吨', 1500 → '1500万吨': as the plan writes them."""
    if wan_tonnes and wan_tonnes % 10000 == 0:
        return f"{wan_tonnes // 10000}亿吨"
    return f"{wan_tonnes}万吨"


def freight_target(city: str) -> Optional[str]:
    """'三(三)11：2020年铁路货运量较2017年增加1500万吨（全省增加2亿吨）' for a city of the plan, else None."""
    if city not in FREIGHT_TARGETS:
        return None
    return (f"{FREIGHT_CLAUSE}：2020年铁路货运量较2017年增加{tonnes_text(FREIGHT_TARGETS[city])}"
            f"（全省增加{tonnes_text(FREIGHT_PROVINCE)}）")


def freight_province() -> str:
    """The province's rail-freight target, for the overview page."""
    return f"{FREIGHT_CLAUSE}：2020年全省铁路货运量较2017年增加{tonnes_text(FREIGHT_PROVINCE)}（分市目标见各县页）"


_SEVERITY_WORDS = [  # action wording → severity (5 = most severe), first match wins
    ("整合", 4), ("淘汰", 5), ("关闭", 5), ("关停", 5), ("退出", 5), ("清理", 5), ("拆除", 5),
    ("改造", 3), ("整治", 2), ("修建", 1), ("建设", 1), ("门禁", 1),
]


def _rule_severity() -> Dict[str, int]:
    try:
        from ..plan.rules import load_rules

        return {r.id: int(r.severity) for r in load_rules().rules}
    except Exception:  # noqa: BLE001 - the rules file is optional for ordering
        return {}


def _severity_from_action(action: object) -> int:
    text = cell_text(action) or ""
    for word, value in _SEVERITY_WORDS:
        if word in text:
            return value
    return 0


def add_severity(flags: pd.DataFrame) -> pd.DataFrame:
    """``flags`` with an integer ``severity`` (5 = close/exit … 1 = build): the column, the rule's, the action's."""
    out = flags.copy()
    by_rule = _rule_severity()
    derived = [by_rule.get(str(r), _severity_from_action(a)) for r, a in
               zip(out.get("rule_id", [None] * len(out)), out.get("action", [None] * len(out)))]
    if "severity" in out.columns:
        given = pd.to_numeric(out["severity"], errors="coerce")
        out["severity"] = given.fillna(pd.Series(derived, index=out.index)).astype(int)
    else:
        out["severity"] = pd.Series(derived, index=out.index, dtype=int)
    return out


def meeting_order(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags in meeting order: city (plan order), county (adcode), severity (most severe first), name."""
    out = add_severity(flags)
    city_rank = {c: i for i, c in enumerate(CITY_ORDER)}
    out["_city"] = out.get("city", pd.Series("", index=out.index)).map(lambda c: city_rank.get(c, 99))
    # cell_text: a blank code sorts as "" on pandas 2 and 3 (astype(str) gives "nan" on 2, keeps NaN on 3)
    out["_code"] = out.get("adcode", out.get("county", pd.Series("", index=out.index))).map(
        lambda v: cell_text(v) or "").astype(object)
    keys = ["_city", "_code", "severity", "name", "rule_id"]
    keys = [k for k in keys if k in out.columns]
    asc = [k != "severity" for k in keys]
    return out.sort_values(keys, ascending=asc, kind="stable").drop(columns=["_city", "_code"])


def _zone_params(zones_gpkg: Optional[PathLike]) -> Dict[str, float]:
    if zones_gpkg and Path(zones_gpkg).is_file():
        from .result_files import read_zone_params

        return read_zone_params(zones_gpkg)
    return {}


def mine_ring_km(zones_gpkg: Optional[PathLike] = None) -> float:
    """The mine-ring distance the zones were built with (the spec's default without a zones file)."""
    from ..schema.params import param_default

    return float(_zone_params(zones_gpkg).get("mine_ring_km", param_default("mine_ring_km")))


def _one30_verified(zones_gpkg: Optional[PathLike]) -> bool:
    if zones_gpkg and Path(zones_gpkg).is_file():
        import pyogrio

        if "region_1p30" in [r[0] for r in pyogrio.list_layers(str(zones_gpkg))]:
            frame = pyogrio.read_dataframe(str(zones_gpkg), layer="region_1p30", read_geometry=False)
            return "verified" in frame.columns and len(frame) > 0 and bool(frame["verified"].fillna(False).all())
    return False


def data_notes(zones_gpkg: Optional[PathLike] = None, synthetic: bool = True,
               today: Optional[date] = None) -> List[str]:
    """The data notes printed on the atlas and in the workbook (Chinese), with the zones' own parameters."""
    from ..schema.params import format_value

    notes = [_NOTES["synthetic"]] if synthetic else []
    notes += [
        _NOTES["region_1p30_verified" if _one30_verified(zones_gpkg) else "region_1p30_provisional"],
        _NOTES["mine_ring"].format(mine_ring=f"{format_value(mine_ring_km(zones_gpkg))} 公里"),
        _NOTES["boundaries"],
        _NOTES["basis"].format(today=(today or date.today()).isoformat()),
    ]
    return notes


# -- the per-city summary -----------------------------------------------------------------------------------

#: (column, heading, lowest severity, highest severity): the classes of measure the summaries count hits in —
#: 关停/淘汰类 are close, exit, eliminate, remove and merge (severity 4–5, the workbook's 关停/淘汰/退出/清理
#: and 关停整合 together), 改造类 retrofit (3), 整治/建设类 rectify and build (≤ 2, and a measure of no known class)
SEVERITY_CLASSES = (("close", "关停/淘汰类", 4, 99), ("retrofit", "改造类", 3, 3), ("rectify", "整治/建设类", -99, 2))
CITY_SUMMARY_COLUMNS = [("city", "地市"), ("enterprises", "命中企业数")] + \
    [(key, heading) for key, heading, _lo, _hi in SEVERITY_CLASSES] + [("verify", "需核实")]
LEDGER_SUMMARY_COLUMNS = [("done", "本月销号"), ("new", "本月新增"), ("overdue", "逾期")]
OTHER_CITY = "未归属地市"  # flags whose city is none of the plan's 11
PROVINCE_ROW = "全省合计"


def _city_of(frame: Optional[pd.DataFrame]) -> pd.Series:
    if frame is None or "city" not in frame.columns:
        return pd.Series([], dtype=object)
    return frame["city"].astype(object).where(frame["city"].notna(), "").astype(str)


def city_summary(flags: pd.DataFrame, to_verify: Optional[pd.DataFrame] = None,
                 progress: Optional[pd.DataFrame] = None, month: Optional[str] = None) -> pd.DataFrame:
    """One row per city in the plan's order (and 未归属地市 when some flags have no known city), then 全省合计:
    命中企业数 (run_report.count_enterprises), hits per class of measure (SEVERITY_CLASSES), rows to verify
    (missing, NA, when the to_verify table has no city column) and, with a ledger's ``progress`` and ``month``, that
    month's done / new / overdue tasks. The total row's 命中企业数 is run_counts' enterprises."""
    from .meeting_progress import city_rows, month_progress
    from .run_report import count_enterprises

    frame = add_severity(flags) if len(flags) else flags.assign(severity=pd.Series([], dtype=int))
    city = _city_of(frame) if len(frame) else pd.Series([], dtype=object)
    verify_city = _city_of(to_verify) if to_verify is not None and "city" in to_verify.columns else None
    known = set(CITY_ORDER)
    groups = [(c, city == c, None if verify_city is None else verify_city == c) for c in CITY_ORDER]
    other = ~city.isin(known)
    if other.any():
        groups.append((OTHER_CITY, other, None if verify_city is None else ~verify_city.isin(known)))
    groups.append((PROVINCE_ROW, pd.Series(True, index=frame.index),
                   None if verify_city is None else pd.Series(True, index=verify_city.index)))
    rows = []
    for name, mask, vmask in groups:
        part = frame[mask.to_numpy()] if len(frame) else frame
        severity = part["severity"] if len(part) else pd.Series([], dtype=int)
        row = {"city": name, "enterprises": count_enterprises(part)}
        for key, _heading, low, high in SEVERITY_CLASSES:
            row[key] = int(((severity >= low) & (severity <= high)).sum())
        if name == PROVINCE_ROW:
            row["verify"] = 0 if to_verify is None else int(len(to_verify))
        else:
            row["verify"] = None if vmask is None else int(vmask.sum())
        if progress is not None and month:
            if name == PROVINCE_ROW:
                rows_of = progress
            elif name == OTHER_CITY:
                rows_of = progress[~_city_of(progress).isin(known)] if len(progress) else progress
            else:
                rows_of = city_rows(progress, name)
            numbers = month_progress(rows_of, month)
            row.update(done=numbers.done, new=numbers.new, overdue=numbers.overdue)
        rows.append(row)
    columns = [c for c, _h in CITY_SUMMARY_COLUMNS] + \
        ([c for c, _h in LEDGER_SUMMARY_COLUMNS] if progress is not None and month else [])
    return pd.DataFrame(rows, columns=columns)
