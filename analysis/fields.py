"""Canonical fields of the enterprise point layers and guessing which user column holds which.

Every enterprise layer kind (``boiler``, ``mine``, ``plant``, ``chp``) has a fixed set of canonical
fields (RULES.md §2). The rules file only ever speaks of canonical fields; a user maps the columns of
their own spreadsheet onto them, helped by :func:`guess_field_mapping`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

LAYER_KINDS: Tuple[str, ...] = ("boiler", "mine", "plant", "chp")
LAYER_KIND_LABELS: Dict[str, str] = {"boiler": "锅炉", "mine": "矿山", "plant": "工业企业", "chp": "热电厂"}

# Field value types; the engine's condition language checks operators against these.
NUMBER, BOOL, CATEGORY, TEXT = "number", "bool", "category", "text"


@dataclass(frozen=True)
class FieldDef:
    """One canonical field: name, Chinese label, type, allowed categories and name guesses."""

    name: str
    label: str
    type: str
    categories: Tuple[str, ...] = ()
    # Exact names (after normalisation) score highest; keywords score when contained in the name.
    aliases: Tuple[str, ...] = ()
    keywords: Tuple[str, ...] = ()
    unit: str = ""
    category_labels: Dict[str, str] = field(default_factory=dict)


FUEL_LABELS = {"coal": "燃煤", "gas": "燃气", "oil": "燃油", "biomass": "生物质", "electric": "电",
               "other": "其他"}
USE_LABELS = {"heating": "供暖", "industrial": "工业生产"}
METHOD_LABELS = {"open_pit": "露天开采", "underground": "井工开采", "mixed": "露天井工联合开采"}
INDUSTRY_LABELS = {
    "steel": "钢铁", "coking": "焦化", "foundry": "铸造", "chp": "热电", "coal_washing": "洗煤",
    "cement": "水泥", "building_materials": "建材", "chemical": "化工", "nonferrous": "有色金属",
    "power": "火电", "coal_mining": "煤炭开采", "other": "其他",
}
PERF_CLASSES = ("A", "B", "B-", "C", "D")

COMMON_FIELDS: Tuple[FieldDef, ...] = (
    FieldDef("ent_id", "编号", TEXT,
             aliases=("编号", "id", "企业编号", "锅炉编号", "矿山编号", "电厂编号", "单位编号", "代码",
                      "统一社会信用代码", "信用代码", "code", "fid"),
             keywords=("编号", "编码", "代码", "id")),
    FieldDef("name", "名称", TEXT,
             aliases=("单位名称", "企业名称", "矿山名称", "电厂名称", "名称", "name", "公司名称", "热电厂名称",
                      "锅炉使用单位", "使用单位", "company", "enterprise"),
             keywords=("名称", "单位", "企业", "公司", "name")),
    FieldDef("lon", "经度", NUMBER, aliases=("经度", "lon", "lng", "long", "longitude", "x", "东经"),
             keywords=("经度", "lon", "lng")),
    FieldDef("lat", "纬度", NUMBER, aliases=("纬度", "lat", "latitude", "y", "北纬"), keywords=("纬度", "lat")),
    FieldDef("county_hint", "所在县区", TEXT,
             aliases=("县区", "区县", "所在县", "所在县区", "县(市、区)", "县（市、区）", "县市区", "county",
                      "所在地", "行政区"),
             keywords=("县", "区县", "county")),
)

KIND_FIELDS: Dict[str, Tuple[FieldDef, ...]] = {
    "boiler": (
        FieldDef("fuel", "燃料类型", CATEGORY, tuple(FUEL_LABELS),
                 aliases=("燃料类型", "燃料", "燃料种类", "fuel", "fuel_type", "锅炉类型"),
                 keywords=("燃料", "fuel"), category_labels=FUEL_LABELS),
        FieldDef("capacity_tph", "额定蒸发量", NUMBER,
                 aliases=("额定蒸发量", "蒸发量", "蒸吨", "额定容量", "容量", "吨位", "capacity", "capacity_tph",
                          "规模", "额定出力", "额定功率"),
                 keywords=("蒸发量", "蒸吨", "容量", "吨位", "出力", "capacity", "t/h", "功率"), unit="蒸吨/小时"),
        FieldDef("use", "用途", CATEGORY, tuple(USE_LABELS),
                 aliases=("用途", "锅炉用途", "use", "usage", "使用用途"), keywords=("用途", "use"),
                 category_labels=USE_LABELS),
        FieldDef("low_nox_done", "低氮改造", BOOL,
                 aliases=("低氮改造", "是否低氮改造", "低氮改造完成", "low_nox", "low_nox_done"),
                 keywords=("低氮", "nox")),
    ),
    "mine": (
        FieldDef("method", "开采方式", CATEGORY, tuple(METHOD_LABELS),
                 aliases=("开采方式", "开采类型", "method", "mining_method"), keywords=("开采方式", "开采", "method"),
                 category_labels=METHOD_LABELS),
        FieldDef("mineral", "矿种", TEXT, aliases=("矿种", "开采矿种", "主矿种", "mineral"),
                 keywords=("矿种", "mineral")),
    ),
    "plant": (
        FieldDef("industry", "行业", CATEGORY, tuple(INDUSTRY_LABELS),
                 aliases=("行业", "行业类别", "所属行业", "行业类型", "industry"), keywords=("行业", "industry"),
                 category_labels=INDUSTRY_LABELS),
        FieldDef("coke_oven_height_m", "炭化室高度", NUMBER,
                 aliases=("炭化室高度", "焦炉炭化室高度", "焦炉高度", "coke_oven_height", "coke_oven_height_m"),
                 keywords=("炭化室", "焦炉高度", "oven"), unit="米"),
        FieldDef("ule_done", "超低排放改造", BOOL,
                 aliases=("超低排放", "超低排放改造", "是否完成超低排放改造", "超低排放改造完成", "ule", "ule_done"),
                 keywords=("超低", "ule")),
        FieldDef("perf_class", "绩效分级", CATEGORY, PERF_CLASSES,
                 aliases=("绩效分级", "绩效等级", "环保绩效分级", "分级", "perf_class", "class"),
                 keywords=("绩效", "分级")),
        FieldDef("capacity_mw", "装机容量", NUMBER,
                 aliases=("装机容量", "装机", "capacity_mw", "装机规模"), keywords=("装机", "mw"), unit="MW"),
        FieldDef("small_backward_chp", "落后燃煤小热电", BOOL,
                 aliases=("落后燃煤小热电", "落后小热电", "小热电", "small_backward_chp"),
                 keywords=("小热电", "落后")),
        FieldDef("bulk_freight_mt", "大宗货物年运量", NUMBER,
                 aliases=("大宗货物年运量", "大宗货物运输量", "年货运量", "大宗物料年运量", "bulk_freight",
                          "bulk_freight_mt"),
                 keywords=("货运量", "运量", "运输量", "freight"), unit="万吨"),
        FieldDef("heavy_trucks_per_day", "日均重型柴油车", NUMBER,
                 aliases=("日均重型柴油车", "日均重型柴油货车", "重型柴油车日运输量", "heavy_trucks",
                          "heavy_trucks_per_day"),
                 keywords=("柴油", "货车", "重型", "truck"), unit="辆/日"),
    ),
    "chp": (
        FieldDef("capacity_mw", "装机容量", NUMBER,
                 aliases=("装机容量", "装机", "容量", "capacity", "capacity_mw", "装机规模"),
                 keywords=("装机", "容量", "mw", "capacity"), unit="MW"),
        FieldDef("small_backward_chp", "落后燃煤小热电", BOOL,
                 aliases=("落后燃煤小热电", "落后小热电", "小热电", "small_backward_chp"),
                 keywords=("小热电", "落后")),
    ),
}


def fields_for(kind: str) -> Tuple[FieldDef, ...]:
    """Common fields followed by the kind's own fields."""
    if kind not in KIND_FIELDS:
        raise ValueError(f"unknown layer kind {kind!r}; expected one of {LAYER_KINDS}")
    return COMMON_FIELDS + KIND_FIELDS[kind]


def field_names(kind: str) -> List[str]:
    """Canonical field names of a kind, in display order."""
    return [f.name for f in fields_for(kind)]


def field_def(kind: str, name: str) -> Optional[FieldDef]:
    """The definition of one canonical field, or None when the kind has no such field."""
    for f in fields_for(kind):
        if f.name == name:
            return f
    return None


def field_label(name: str) -> str:
    """Chinese label of a canonical field, looked up across kinds."""
    for f in COMMON_FIELDS + tuple(x for fs in KIND_FIELDS.values() for x in fs):
        if f.name == name:
            return f.label
    return name


_BRACKETS = re.compile(r"[（(\[【].*?[)）\]】]")


def normalize_column_name(column: str) -> str:
    """Lower-case, drop bracketed units and spaces/underscores-at-ends: '额定蒸发量(t/h)' → '额定蒸发量'."""
    text = str(column).strip().lower()
    stripped = _BRACKETS.sub("", text).strip()
    return (stripped or text).replace(" ", "")


def unit_in_column(column: str) -> str:
    """The unit written in brackets in a column name, lower-case ('' if none): '容量(MW)' → 'mw'."""
    m = re.search(r"[（(\[【](.*?)[)）\]】]", str(column))
    return m.group(1).strip().lower() if m else ""


def _score(fdef: FieldDef, column: str) -> int:
    norm = normalize_column_name(column)
    if norm in (a.lower() for a in fdef.aliases):
        return 3
    raw = str(column).lower()
    for kw in fdef.keywords:
        kw = kw.lower()
        # Short latin keywords ('id', 'x') must be whole tokens, or 'width' would look like an id.
        if kw.isascii() and len(kw) <= 3:
            if re.search(rf"(^|[^a-z]){re.escape(kw)}([^a-z]|$)", raw):
                return 2
        elif kw in raw:
            return 2
    return 0


def guess_field_mapping(columns: Iterable[str], kind: str) -> Dict[str, Optional[str]]:
    """Guess which column holds each canonical field of ``kind``; unmatched fields map to None.

    Exact (normalised) names win over keyword matches; each column is used at most once.
    """
    cols: Sequence[str] = [str(c) for c in columns]
    fdefs = fields_for(kind)
    candidates = []
    for order, fdef in enumerate(fdefs):
        for cpos, col in enumerate(cols):
            s = _score(fdef, col)
            if s:
                candidates.append((-s, order, cpos, fdef.name, col))
    candidates.sort()
    mapping: Dict[str, Optional[str]] = {f.name: None for f in fdefs}
    used: set = set()
    for _s, _o, _c, name, col in candidates:
        if mapping[name] is None and col not in used:
            mapping[name] = col
            used.add(col)
    return mapping
