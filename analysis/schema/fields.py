"""Canonical fields of every input kind and guessing which user column holds which.

Every input kind declares its fields here, once: the enterprise point layers (``boiler``, ``mine``, ``plant``,
``chp``; RULES.md §2) and the area layers (``admin`` county boundaries, ``builtup`` areas, ``planning`` areas).
Each field has a Chinese label, a type, whether the layer cannot be used without it (``required``), the names
it is guessed from and what a run loses without it (``missing_note``). The rules file only ever speaks of
canonical fields; a user maps the columns of their own layer onto them, helped by :func:`guess_field_mapping`
and overridden in the dock or with Processing's FIELD_MAP (``kind.field=column``). The guesser, the checks
(validation.check_field_mapping), the dock's preview and Processing all read these declarations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

# The point layers the rules judge; ``village`` may also be polygons (judged at a point inside each polygon).
LAYER_KINDS: Tuple[str, ...] = ("boiler", "mine", "plant", "chp", "village")
LAYER_KIND_LABELS: Dict[str, str] = {"boiler": "锅炉", "mine": "矿山", "plant": "工业企业", "chp": "热电厂",
                                     "village": "村"}
# Kinds that may come as polygons (a village's area); each polygon is judged at a point inside it.
AREA_POINT_KINDS: Tuple[str, ...] = ("village",)
# Polygon (or raster) inputs; they are no enterprise layers, so the rules never name them.
AREA_KINDS: Tuple[str, ...] = ("admin", "builtup", "planning")
INPUT_KINDS: Tuple[str, ...] = AREA_KINDS + LAYER_KINDS
INPUT_KIND_LABELS: Dict[str, str] = {"admin": "行政区划", "builtup": "建成区", "planning": "城市规划区",
                                     **LAYER_KIND_LABELS}
# Ids a data provider adds (GeoPackage fid, OGR's ogc_fid, ArcGIS OBJECTID): not the inventory's own id, so
# they are taken as an id only when no other column fits, and never for any other field.
PROVIDER_ID_COLUMNS: Tuple[str, ...] = ("fid", "ogc_fid", "ogr_fid", "objectid", "object_id")
_GEOMETRY_COLUMNS = ("geometry", "geom", "the_geom", "wkb_geometry", "shape")

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
    # Without a required field the layer cannot be used at all and the run stops with a message; an
    # optional one is noted (missing_note says what the run could not do, "{layer}" is the layer's name).
    required: bool = False
    missing_note: str = ""
    # A keyword match is dropped when the column name also holds one of these ('city_code' is no city name).
    exclude: Tuple[str, ...] = ()
    # Names taken only when nothing else fits (a provider's fid as the last resort for an id).
    fallback: Tuple[str, ...] = ()


FUEL_LABELS = {"coal": "燃煤", "gas": "燃气", "oil": "燃油", "biomass": "生物质", "electric": "电",
               "other": "其他"}
USE_LABELS = {"heating": "供暖", "industrial": "工业生产"}
METHOD_LABELS = {"open_pit": "露天开采", "underground": "井工开采", "mixed": "露天井工联合开采"}
TERRAIN_LABELS = {"plain": "平原", "hill": "丘陵", "mountain": "山区"}
INDUSTRY_LABELS = {
    "steel": "钢铁", "coking": "焦化", "foundry": "铸造", "chp": "热电", "coal_washing": "洗煤",
    "cement": "水泥", "building_materials": "建材", "chemical": "化工", "nonferrous": "有色金属",
    "power": "火电", "coal_mining": "煤炭开采", "other": "其他",
}
PERF_CLASSES = ("A", "B", "B-", "C", "D")

COMMON_FIELDS: Tuple[FieldDef, ...] = (
    # The inventory's own id first (编号, 锅炉编号); a credit code names the company, not each of its boilers.
    FieldDef("ent_id", "编号", TEXT,
             aliases=("编号", "id", "企业编号", "锅炉编号", "矿山编号", "电厂编号", "单位编号", "代码",
                      "统一社会信用代码", "信用代码", "code"),
             keywords=("编号", "编码", "代码", "id"), fallback=PROVIDER_ID_COLUMNS,
             missing_note="编号按行号生成（「{layer}-行号」），逐月销号时只能按名称和位置对应"),
    FieldDef("name", "名称", TEXT,
             aliases=("单位名称", "企业名称", "矿山名称", "电厂名称", "名称", "name", "公司名称", "热电厂名称",
                      "锅炉使用单位", "使用单位", "company", "enterprise", "村名", "村庄名称", "行政村", "村名称",
                      "村", "社区名称", "village"),
             keywords=("名称", "单位", "企业", "公司", "name"), missing_note="结果中的企业名称为空"),
    # Required for a table (the import); a point layer's position comes from its geometry.
    FieldDef("lon", "经度", NUMBER, aliases=("经度", "lon", "lng", "long", "longitude", "x", "东经"),
             keywords=("经度", "lon", "lng"), required=True),
    FieldDef("lat", "纬度", NUMBER, aliases=("纬度", "lat", "latitude", "y", "北纬"), keywords=("纬度", "lat"),
             required=True),
    FieldDef("county_hint", "所在县区", TEXT,
             aliases=("县区", "区县", "所在县", "所在县区", "县(市、区)", "县（市、区）", "县市区", "county",
                      "所在地", "行政区"),
             keywords=("县", "区县", "county"), missing_note="不影响判定（所在县区按坐标落点确定）"),
)

def _rail_siding() -> FieldDef:
    return FieldDef("has_rail_siding", "铁路专用线", BOOL,
                    aliases=("铁路专用线", "是否有铁路专用线", "有无铁路专用线", "铁路专线", "专用线", "rail_siding",
                             "has_rail_siding"),
                    keywords=("专用线", "铁路专线", "siding"), exclude=("比例", "%", "share"),
                    missing_note="无法区分有无铁路专用线：大宗货物运量达线的企业一律按“修建铁路专用线”列出")


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
        FieldDef("key_mine", "重点煤矿", BOOL,
                 aliases=("重点煤矿", "是否重点煤矿", "重点煤矿企业", "key_mine"), keywords=("重点煤矿", "重点矿")),
        _rail_siding(),
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
        FieldDef("clean_transport_pct", "清洁运输比例", NUMBER,
                 aliases=("清洁运输比例", "清洁运输比例(%)", "清洁方式运输比例", "清洁运输占比", "clean_transport",
                          "clean_transport_pct"),
                 keywords=("清洁运输", "clean_transport"), unit="%"),
        _rail_siding(),
        FieldDef("rail_share_pct", "铁路运输比例", NUMBER,
                 aliases=("铁路运输比例", "铁路运输比例(%)", "铁路运输占比", "大宗货物铁路运输比例", "rail_share",
                          "rail_share_pct"),
                 keywords=("铁路运输比例", "铁路运输占比", "铁路占比", "rail_share"), unit="%"),
        # 三(一)4: outside the planning areas and the 1+30 region, plants whose equipment is 限制类 are exempt
        FieldDef("restricted_equipment", "装备限制类", BOOL,
                 aliases=("装备属于限制类", "限制类", "是否限制类", "装备水平限制类", "属于限制类", "restricted_equipment"),
                 keywords=("限制类",)),
    ),
    "chp": (
        # No rule tests it, but the 15 km rings are drawn only around plants of ≥ 300 MW.
        FieldDef("capacity_mw", "装机容量", NUMBER,
                 aliases=("装机容量", "装机", "容量", "capacity", "capacity_mw", "装机规模"),
                 keywords=("装机", "容量", "mw", "capacity"), unit="MW",
                 missing_note="无法判断是否为30万千瓦及以上热电联产电厂：不构建供热半径，各电厂列入需核实"),
        FieldDef("small_backward_chp", "落后燃煤小热电", BOOL,
                 aliases=("落后燃煤小热电", "落后小热电", "小热电", "small_backward_chp"),
                 keywords=("小热电", "落后")),
    ),
    # 三(二)7 clean heating: villages and communities (行政村/社区), points or polygons.
    "village": (
        FieldDef("households", "总户数", NUMBER,
                 aliases=("总户数", "户数", "农户数", "居民户数", "总户", "households"),
                 keywords=("总户数", "户数", "household"), exclude=("散煤", "清洁", "改造", "燃煤"), unit="户",
                 missing_note="无法计算清洁取暖覆盖率（按户数加权）"),
        FieldDef("coal_households", "散煤户数", NUMBER,
                 aliases=("散煤户数", "散煤取暖户数", "燃煤取暖户数", "未改造户数", "coal_households"),
                 keywords=("散煤", "燃煤取暖", "未改造"), unit="户"),
        FieldDef("clean_households", "清洁取暖户数", NUMBER,
                 aliases=("清洁取暖户数", "清洁取暖改造户数", "已改造户数", "完成改造户数", "clean_households"),
                 keywords=("清洁取暖户", "已改造", "改造户"), unit="户"),
        FieldDef("clean_heating_pct", "清洁取暖覆盖率", NUMBER,
                 aliases=("清洁取暖覆盖率", "清洁取暖率", "覆盖率", "clean_heating_pct"),
                 keywords=("覆盖率", "取暖率"), unit="%",
                 missing_note="清洁取暖覆盖率按户数计算（清洁取暖户数 ÷ 总户数，或 1 − 散煤户数 ÷ 总户数）"),
        FieldDef("heating", "取暖方式", TEXT, aliases=("取暖方式", "供暖方式", "采暖方式", "主要取暖方式", "heating"),
                 keywords=("取暖方式", "供暖方式", "采暖方式")),
        FieldDef("terrain", "地形", CATEGORY, tuple(TERRAIN_LABELS),
                 aliases=("地形", "地貌", "地形类型", "地形地貌", "地形分类", "terrain"), keywords=("地形", "地貌", "terrain"),
                 category_labels=TERRAIN_LABELS,
                 missing_note="无法区分平原与山区：北部平原散煤清零（三(二)7）的村列入需核实"),
    ),
}


# The area layers. Built-up areas need no attribute: county, city and adcode come from the admin layer by overlay.
AREA_FIELDS: Dict[str, Tuple[FieldDef, ...]] = {
    "admin": (
        FieldDef("county", "县区名称", TEXT, required=True,
                 aliases=("县", "区县", "县区", "县(市、区)", "县（市、区）", "县名", "区县名称", "县区名称", "县名称",
                          "名称", "name", "county", "county_name", "district", "xzqmc"),
                 keywords=("区县", "县区", "县", "county", "district", "xzqmc", "名称", "name"),
                 exclude=("code", "代码")),
        FieldDef("city", "所属城市", TEXT,
                 aliases=("市", "地市", "所属市", "所属地市", "城市", "市名", "市名称", "地级市", "city", "city_name",
                          "prefecture"),
                 keywords=("地市", "城市", "市", "city", "prefecture"),
                 exclude=("县", "区", "county", "code", "代码"), missing_note="城市按行政区划代码推得"),
        FieldDef("adcode", "行政区划代码", TEXT,
                 aliases=("adcode", "行政区划代码", "区划代码", "代码", "pac", "xzqdm", "code", "gb", "county_code"),
                 keywords=("adcode", "区划代码", "代码", "编码", "pac", "xzqdm", "code"), exclude=("city", "市"),
                 missing_note="行政区划代码按城市和县区名称在山西省区划表中查得，查不到的县区代码为空"),
    ),
    "builtup": (),
    "planning": (
        FieldDef("name", "规划区名称", TEXT,
                 aliases=("规划区名称", "名称", "name", "规划区", "规划名称", "区域名称", "plan_name"),
                 keywords=("名称", "name", "规划区"), exclude=("code", "代码", "编号"),
                 missing_note="规划区按所属城市命名（如「太原市规划区」）"),
        FieldDef("city", "所属城市", TEXT,
                 aliases=("city", "城市", "所属城市", "市", "地市", "所属市", "所属地市", "市名", "市名称", "city_name"),
                 keywords=("所属城市", "地市", "市", "city"), exclude=("县", "区", "code", "代码"),
                 missing_note="各规划区所属城市按位置确定（与之重叠面积最大的城市）"),
    ),
}


def fields_for(kind: str) -> Tuple[FieldDef, ...]:
    """The declared fields of an input kind: for an enterprise kind the common fields, then its own."""
    if kind in AREA_FIELDS:
        return AREA_FIELDS[kind]
    if kind not in KIND_FIELDS:
        raise ValueError(f"unknown layer kind {kind!r}; expected one of {INPUT_KINDS}")
    return COMMON_FIELDS + KIND_FIELDS[kind]


def kind_label(kind: str) -> str:
    """Chinese name of an input kind ('锅炉', '城市规划区' …)."""
    return INPUT_KIND_LABELS.get(kind, kind)


def required_fields(kind: str, position_from_geometry: bool = True) -> List[str]:
    """Canonical names a layer of ``kind`` cannot do without (lon/lat only when read from a table)."""
    return [f.name for f in fields_for(kind)
            if f.required and not (position_from_geometry and f.name in ("lon", "lat"))]


def field_names(kind: str) -> List[str]:
    """Canonical field names of a kind, in display order."""
    return [f.name for f in fields_for(kind)]


def field_def(kind: str, name: str) -> Optional[FieldDef]:
    """The definition of one canonical field, or None when the kind has no such field."""
    for f in fields_for(kind):
        if f.name == name:
            return f
    return None


def field_label(name: str, kind: Optional[str] = None) -> str:
    """Chinese label of a canonical field: of ``kind`` when given, else looked up across the enterprise kinds."""
    if kind is not None:
        f = field_def(kind, name) if kind in INPUT_KINDS else None
        if f is not None:
            return f.label
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


def _score(fdef: FieldDef, column: str) -> Tuple[int, int]:
    """(score, rank): 3 for an exact (normalised) name, 2 for a keyword, 1 for a fallback, 0 for none; rank is
    the alias's or keyword's position, so an earlier name of the declaration wins among equal scores."""
    norm = normalize_column_name(column)
    raw = str(column).lower()
    if raw.strip() in _GEOMETRY_COLUMNS:
        return 0, 0
    if raw.strip() in PROVIDER_ID_COLUMNS:
        return (1, 0) if raw.strip() in fdef.fallback else (0, 0)
    aliases = [a.lower() for a in fdef.aliases]
    if norm in aliases:
        return 3, aliases.index(norm)
    if any(x.lower() in raw for x in fdef.exclude):
        return 0, 0
    for rank, kw in enumerate(fdef.keywords):
        kw = kw.lower()
        # Short latin keywords ('id', 'x') must be whole tokens, or 'width' would look like an id.
        if kw.isascii() and len(kw) <= 3:
            if re.search(rf"(^|[^a-z]){re.escape(kw)}([^a-z]|$)", raw):
                return 2, rank
        elif kw in raw:
            return 2, rank
    return 0, 0


def guess_field_mapping(columns: Iterable[str], kind: str) -> Dict[str, Optional[str]]:
    """Guess which column holds each canonical field of ``kind``; unmatched fields map to None.

    Exact (normalised) names win over keyword matches, and both over a provider's ``fid``; among equals the
    earlier field of the declaration chooses first, and takes its earliest listed name; each column is used at
    most once.
    """
    cols: Sequence[str] = [str(c) for c in columns]
    fdefs = fields_for(kind)
    candidates = []
    for order, fdef in enumerate(fdefs):
        for cpos, col in enumerate(cols):
            s, rank = _score(fdef, col)
            if s:
                candidates.append((-s, order, rank, cpos, fdef.name, col))
    candidates.sort()
    mapping: Dict[str, Optional[str]] = {f.name: None for f in fdefs}
    used: set = set()
    for _s, _o, _r, _c, name, col in candidates:
        if mapping[name] is None and col not in used:
            mapping[name] = col
            used.add(col)
    return mapping
