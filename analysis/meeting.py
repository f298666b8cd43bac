"""What every meeting output shares: the order of tasks, the data notes and the city targets of 二(二).

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
]

PathLike = Union[str, os.PathLike]
_DATA = yaml.safe_load((Path(__file__).resolve().parent / "data" / "meeting.yaml").read_text(encoding="utf-8"))

CITY_ORDER: List[str] = list(_DATA["city_order"])
CITY_TARGETS: Dict[str, List[str]] = {city: list(t["full"]) for city, t in _DATA["city_targets"].items()}
SHORT_TARGETS: Dict[str, str] = {city: str(t["short"]) for city, t in _DATA["city_targets"].items()}
PROVINCE_TARGETS: List[str] = list(_DATA["province_targets"])
TARGETS_SOURCE: str = _DATA["targets_source"]
_NOTES: Dict[str, str] = _DATA["data_notes"]


def city_targets(city: str) -> List[str]:
    """The 二(二) targets printed on the pages of ``city``: its own, then the province-wide ones."""
    return list(CITY_TARGETS.get(city, [])) + PROVINCE_TARGETS


_SEVERITY_WORDS = [  # action wording → severity (5 = most severe), first match wins
    ("整合", 4), ("淘汰", 5), ("关闭", 5), ("关停", 5), ("退出", 5), ("清理", 5), ("拆除", 5),
    ("改造", 3), ("整治", 2), ("修建", 1), ("建设", 1), ("门禁", 1),
]


def _rule_severity() -> Dict[str, int]:
    try:
        from .rules import load_rules

        return {r.id: int(r.severity) for r in load_rules().rules}
    except Exception:  # noqa: BLE001 - the rules file is optional for ordering
        return {}


def _severity_from_action(action: object) -> int:
    text = "" if action is None else str(action)
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
    out["_code"] = out.get("adcode", out.get("county", pd.Series("", index=out.index))).astype(str)
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
    from .params import param_default

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
    from .params import format_value

    notes = [_NOTES["synthetic"]] if synthetic else []
    notes += [
        _NOTES["region_1p30_verified" if _one30_verified(zones_gpkg) else "region_1p30_provisional"],
        _NOTES["mine_ring"].format(mine_ring=f"{format_value(mine_ring_km(zones_gpkg))} 公里"),
        _NOTES["boundaries"],
        _NOTES["basis"].format(today=(today or date.today()).isoformat()),
    ]
    return notes
