"""Shapefile (dBASE) field names: at most 10 bytes in the file's encoding, whole characters, no collisions.

A dBASE header keeps 11 bytes per field name including the terminating NUL, so a name has at most 10
bytes *in the encoding of the file*: 10 ASCII letters, 3 Chinese characters in UTF-8 (3 bytes each) or
5 in GBK (2 bytes each). Names are compared case-insensitively (GDAL and most GIS software do), and a
name that would repeat another one gets a numbered suffix (``_1``, ``_2``…) that also fits.

The module also holds the field dictionary shipped in every county package: short name → full name →
meaning in Chinese.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional

__all__ = [
    "MAX_FIELD_BYTES",
    "SUPPORTED_ENCODINGS",
    "FIELD_MEANINGS",
    "OUTPUT_FIELDS",
    "OutputField",
    "field_alias",
    "field_aliases",
    "PREFERRED_SHORT_NAMES",
    "normalize_encoding",
    "byte_length",
    "truncate_to_bytes",
    "shapefile_field_names",
    "field_meaning",
    "field_dictionary_rows",
]

MAX_FIELD_BYTES = 10
SUPPORTED_ENCODINGS = ("UTF-8", "GBK")

# Abbreviations that read better than a plain cut (all ASCII, at most 10 bytes).
PREFERRED_SHORT_NAMES: Dict[str, str] = {
    "distance_km": "dist_km",
    "city_adcode": "city_code",
    "is_city_district": "city_dist",
    "action_class": "act_class",
    "capacity_tph": "cap_tph",
    "capacity_mw": "cap_mw",
    "low_nox_done": "low_nox",
    "coke_oven_height_m": "oven_h_m",
    "small_backward_chp": "small_chp",
    "bulk_freight_mt": "freight_mt",
    "heavy_trucks_per_day": "trucks_day",
    "clause_text": "clause_txt",
    "source_row": "src_row",
    "radius_km": "radius_km",
    "plant_name": "plant_name",
    "zone_name": "zone_name",
}

@dataclass(frozen=True)
class OutputField:
    """One field the plugin writes: its Chinese alias (QGIS, GeoPackage, workbook), its meaning (the field
    dictionary) and readable short shapefile names (at most 10 bytes: 5 Chinese characters in GBK, 3 in UTF-8)."""

    alias: str
    meaning: str
    gbk: str = ""
    utf8: str = ""


_F = OutputField
# The one declaration of the output fields (zones, flags, verdicts, to_verify, packages).
OUTPUT_FIELDS: Dict[str, OutputField] = {
    "ent_id": _F("企业编号", "企业（设施）编号，即清单中的编号", "企业编号", "编号"),
    "layer": _F("类别代码", "来源清单类别代码（boiler 锅炉 / mine 矿山 / plant 工业企业 / chp 热电厂）", "类别代码", "类别码"),
    "layer_label": _F("类别", "来源清单类别（锅炉、矿山、工业企业、热电厂）", "类别", "类别"),
    "source_layer": _F("来源图层", "分析时所用的图层名称", "来源图层", "来源层"),
    "row": _F("清单行号", "在来源清单中的行号（数据行，从 1 起）", "清单行号", "行号"),
    "name": _F("单位名称", "单位名称", "单位名称", "名称"),
    "rule_id": _F("规则编号", "规则编号（见规则文件 plan_rules.yaml）", "规则编号", "规则码"),
    "rule_name": _F("规则", "规则简称", "规则简称", "规则"),
    "rule_ids": _F("命中规则编号", "命中的全部规则编号（逗号分隔）", "规则编号", "规则码"),
    "rule_names": _F("命中规则", "命中的全部规则简称（顿号分隔）", "命中规则", "规则"),
    "n_rules": _F("命中规则数", "命中规则条数", "规则数", "规则数"),
    "action": _F("处置措施", "处置措施（淘汰、关停整合、依法清理、关闭、退出、改造、整治等）", "处置措施", "措施"),
    "action_class": _F("措施类别代码", "措施类别代码（按严重程度排序用）", "措施代码", "措施码"),
    "action_label": _F("措施类别", "措施类别（关闭、退出、淘汰、清理、关停整合、改造、整治、建设）", "措施类别", "措施类"),
    "verdict": _F("综合结论", "综合结论（取最严重的措施）", "综合结论", "结论"),
    "verdict_class": _F("结论类别代码", "综合结论的措施类别代码", "结论代码", "结论码"),
    "verdict_label": _F("结论类别", "综合结论的措施类别（关闭、退出、淘汰、清理、关停整合、改造、整治、建设）", "结论类别",
                        "结论类"),
    "clause": _F("条款", "《山西省打赢蓝天保卫战2020年决战计划》条款号，如 三(二)10", "条款", "条款"),
    "clause_text": _F("条款原文", "计划原文（摘引）", "条款原文", "原文"),
    "deadline": _F("完成时限", "完成时限", "完成时限", "时限"),
    "lead_dept": _F("牵头部门", "牵头及配合部门", "牵头部门", "牵头方"),
    "level": _F("落实层级", "落实层级（如 市县政府负责落实）", "落实层级", "落实方"),
    "severity": _F("严重程度", "严重程度（5 关闭/退出/淘汰/清理 … 1 建设，数值越大越严重）", "严重程度", "严重度"),
    "reason": _F("判定理由", "判定理由（含实际数值）", "判定理由", "理由"),
    "problem": _F("需核实原因", "无法判定的原因（需核实）", "核实原因", "原因"),
    "field": _F("字段代码", "有问题的字段代码", "字段代码", "字段码"),
    "field_label": _F("字段", "有问题的字段", "字段", "字段"),
    "column": _F("清单列名", "该字段在来源清单中的列名", "清单列名", "列名"),
    "raw": _F("原始值", "清单中的原始值", "原始值", "原始值"),
    "flagged": _F("另有命中", "该企业是否另有规则命中（1 是，0 否）", "另有命中", "已命中"),
    "county": _F("县（市、区）", "所在县（市、区）", "县区", "县区"),
    "city": _F("设区市", "所在设区市", "设区市", "设区市"),
    "adcode": _F("区划代码", "县级行政区划代码", "区划代码", "区划码"),
    "city_adcode": _F("设区市代码", "设区市行政区划代码", "设区市代码", "市代码"),
    "is_city_district": _F("是否市辖区", "是否为设区市市辖区（1 是，0 否）", "市辖区", "市辖区"),
    "distance_km": _F("距离（公里）", "到热电厂的距离（公里，按投影坐标计算）", "距离公里", "距离"),
    "lon": _F("经度", "经度（WGS84）", "经度", "经度"),
    "lat": _F("纬度", "纬度（WGS84）", "纬度", "纬度"),
    "zone_id": _F("分区编号", "分区编号（Z-BAN 禁煤区、Z-1P30 “1+30”区域等）", "分区编号", "分区码"),
    "zone": _F("分区图层", "分区在 zones.gpkg 中的图层名（如 chp_heating_radius）", "分区图层", "分区层"),
    "zone_name": _F("分区名称", "分区名称", "分区名称", "分区"),
    "part": _F("组成部分", "单个电厂的供热半径（plant）或其合并范围（union）", "组成部分", "组成"),
    "group": _F("重点区域分组", "重点区域分组（京津冀及周边地区、汾渭平原、其他地区）", "区域分组", "分组"),
    "group_name": _F("重点区域分组", "重点区域分组名称", "区域分组", "分组"),
    "is_key": _F("是否重点区域", "是否属重点区域（1 是，0 否）", "重点区域", "重点区"),
    "region": _F("区域名称", "区域名称", "区域名称", "区域"),
    "verified": _F("名单已核实", "名单是否经官方文件核实（0 否 = 预置参考名单）", "已核实", "已核实"),
    "note": _F("说明", "说明", "说明", "说明"),
    "source": _F("数据来源", "数据来源", "数据来源", "来源"),
    "area_km2": _F("面积（平方公里）", "面积（平方公里）", "面积", "面积"),
    "radius_km": _F("半径（公里）", "半径（公里）", "半径公里", "半径"),
    "ring_km": _F("外扩距离（公里）", "外扩距离（公里）", "外扩公里", "外扩"),
    "fringe_km": _F("城乡结合部外扩（公里）", "城乡结合部外扩宽度（公里，0 = 不外扩）", "结合部外扩", "结合部"),
    "plant_id": _F("热电厂编号", "热电厂编号", "热电厂编号", "电厂码"),
    "plant_name": _F("热电厂名称", "热电厂名称", "热电厂名称", "电厂名"),
    "capacity_mw": _F("装机容量（MW）", "装机容量（兆瓦）", "装机容量", "装机"),
    "capacity_tph": _F("额定蒸发量（蒸吨/小时）", "额定蒸发量（蒸吨/小时）", "额定蒸发量", "蒸发量"),
    "fuel": _F("燃料类型", "燃料类型", "燃料类型", "燃料"),
    "use": _F("用途", "用途（供暖 / 工业）", "用途", "用途"),
    "method": _F("开采方式", "开采方式", "开采方式", "开采"),
    "mineral": _F("矿种", "矿种", "矿种", "矿种"),
    "industry": _F("行业", "行业", "行业", "行业"),
    # The rural clean-heating table (三(二)7, analysis/inputs/villages.py RURAL_COLUMNS).
    "scope": _F("汇总范围", "汇总范围（county 县 / city 市 / province 全省）", "汇总范围", "范围"),
    "villages": _F("村数", "参与计算的村（社区）数", "村数", "村数"),
    "households": _F("总户数", "总户数", "总户数", "总户数"),
    "clean_households": _F("清洁取暖户数", "清洁取暖户数", "清洁取暖户", "清洁户"),
    "coverage_pct": _F("覆盖率（%）", "清洁取暖覆盖率（按户数加权，%）", "覆盖率", "覆盖率"),
    "target_pct": _F("目标（%）", "覆盖率目标（农村地区力争 60%）", "目标", "目标"),
    "meets": _F("是否达标", "是否达到目标（1 是，0 否）", "是否达标", "达标"),
    "unknown_villages": _F("缺数据村数", "缺总户数或清洁取暖数据、未计入的村数", "缺数据村", "缺数据"),
    # The scenario comparison, compare.gpkg (analysis/scenarios/compare.py).
    "change": _F("变化", "方案相对基准的变化：新增（仅方案命中）、解除（仅基准命中）、措施变化（都命中，措施、时限或综合结论不同）；"
                 "分区：扩大、缩小", "变化", "变化"),
    "verdict_base": _F("基准综合结论", "该企业在基准方案中的综合结论（取最严重的措施；空 = 基准中无命中）", "基准结论",
                       "基准论"),
    "verdict_variant": _F("方案综合结论", "该企业在比较方案中的综合结论（空 = 方案中无命中）", "方案结论", "方案论"),
    "reason_base": _F("基准判定理由", "基准方案中该规则的判定理由", "基准理由", "基准由"),
    "reason_variant": _F("方案判定理由", "比较方案中该规则的判定理由", "方案理由", "方案由"),
    "zone_title": _F("分区名称", "分区名称（含构建时的参数，如 热电联产20公里供热半径）", "分区名称", "分区名"),
    "added": _F("新增", "新增命中条数（企业×规则，仅方案命中）", "新增", "新增"),
    "removed": _F("解除", "解除命中条数（企业×规则，仅基准命中）", "解除", "解除"),
    "changed": _F("措施变化", "措施变化条数（企业×规则，两方案都命中但措施、时限或综合结论不同）", "措施变化", "措施变"),
    "setting": _F("设置项代码", "设置项代码（参数名、rule.规则编号、1p30 等）", "设置代码", "设置码"),
    "setting_label": _F("设置项", "设置项", "设置项", "设置项"),
    "base_value": _F("基准", "基准方案的值", "基准", "基准"),
    "variant_value": _F("方案", "比较方案的值", "方案", "方案"),
    # The monthly ledger's own fields (analysis/ledger/tables.py takes its aliases from here).
    "task_id": _F("任务代码", "台账任务代码（类别代码:企业编号:规则编号，供程序和“人工销号（台账任务）”使用；人读时看"
                  "企业编号与规则）", "任务代码", "任务码"),
    "id_source": _F("企业对应方式", "逐月认定同一企业的方式（清单编号，或名称+50米内位置）", "对应方式", "对应法"),
    "status": _F("数据状态代码", "按数据判定的任务状态代码（open 未完成 / done 已销号 / reopened 重新出现；供程序使用，"
                 "中文见“数据状态”）", "状态代码", "状态码"),
    "status_label": _F("数据状态", "按数据判定的任务状态（未完成、已销号、重新出现）", "数据状态", "状态"),
    "first_month": _F("首次出现月份", "任务首次出现的月份", "首现月份", "首现月"),
    "last_month": _F("最近出现月份", "任务最近一次出现的月份", "最近月份", "最近月"),
    "done_month": _F("销号月份", "数据中不再出现（销号）的月份", "销号月份", "销号月"),
    "overdue": _F("逾期", "月末已过完成时限仍未完成（任务：1 是，0 否；分县进度：逾期任务数）", "逾期", "逾期"),
    "check_off": _F("人工销号代码", "人工销号代码（done = 已由人工核实销号；供程序使用，中文见“人工销号”）", "销号代码",
                    "销号码"),
    "check_off_label": _F("人工销号", "人工销号（已人工销号，或空）", "人工销号", "销号"),
    "checked_by": _F("销号人", "人工销号的核实人", "销号人", "销号人"),
    "checked_at": _F("销号时间", "人工销号的时间", "销号时间", "销号时"),
    "evidence": _F("证明材料", "人工销号的证明材料（文件名）", "证明材料", "证明"),
    "disagree": _F("数据与人工不一致", "已人工销号但本月数据中仍然存在（1 是，0 否）", "不一致", "不一致"),
    "month": _F("月份", "月份（YYYY-MM）", "月份", "月份"),
    "from_status": _F("原状态代码", "变更前的状态代码（供程序使用，中文见“原状态”）", "原状态码", "原状码"),
    "from_label": _F("原状态", "变更前的状态（未完成、已销号、重新出现）", "原状态", "原状态"),
    "to_status": _F("新状态代码", "变更后的状态代码（供程序使用，中文见“新状态”）", "新状态码", "新状码"),
    "to_label": _F("新状态", "变更后的状态（未完成、已销号、重新出现）", "新状态", "新状态"),
    "source_label": _F("变更方式", "状态变更的方式（月度数据更新、人工销号）", "变更方式", "方式"),
    "at": _F("时间", "变更时间", "时间", "时间"),
    "by": _F("操作人", "变更的操作人", "操作人", "操作人"),
    "open": _F("未完成", "月末未完成的任务数（含重新出现）", "未完成", "未完成"),
    "new": _F("本月新增", "本月新出现的任务数", "本月新增", "新增"),
    "done": _F("本月销号", "本月销号的任务数", "本月销号", "销号数"),
    "reopened": _F("重新出现", "已销号后本月重新出现的任务数", "重新出现", "重现"),
    "flags": _F("标注结果文件", "该月更新所用的标注结果文件（flags.gpkg）", "标注文件", "标注"),
    "updated_at": _F("更新时间", "该月台账的更新时间", "更新时间", "更新时"),
    "updated_by": _F("更新人", "该月台账的更新人", "更新人", "更新人"),
    "tasks": _F("本月任务数", "该月标注结果中的任务数", "任务数", "任务数"),
    "digest": _F("数据摘要", "该月任务数据的摘要（同样的标注结果得到同样的摘要）", "数据摘要", "摘要"),
}
del _F
# Meanings in Chinese of the fields the plugin writes (the field dictionary's 含义).
FIELD_MEANINGS: Dict[str, str] = {name: f.meaning for name, f in OUTPUT_FIELDS.items()}


def field_alias(name: str) -> str:
    """The Chinese alias of an output field ('' when the field is not declared)."""
    f = OUTPUT_FIELDS.get(name)
    return f.alias if f else ""


def field_aliases(names: Iterable[str]) -> Dict[str, str]:
    """name → alias for the declared ones of ``names``, an alias used at most once (GeoPackage needs them
    unique in a table)."""
    out: Dict[str, str] = {}
    for name in names:
        alias = field_alias(name)
        if alias and alias not in out.values():
            out[name] = alias
    return out


_CODEC_NAMES = {"UTF-8": "utf-8", "GBK": "gbk"}
SHAPEFILE_ENCODINGS = tuple(_CODEC_NAMES)  # what a county package's shapefiles may be written in


def normalize_encoding(encoding: str) -> str:
    """'utf8', 'UTF-8', 'cp936', 'gb2312'… → 'UTF-8' or 'GBK' (ValueError for anything else)."""
    try:
        name = codecs.lookup(encoding.strip()).name
    except (LookupError, AttributeError) as exc:
        raise ValueError(f"unknown encoding: {encoding!r}") from exc
    if name == "utf-8":
        return "UTF-8"
    if name in ("gbk", "gb2312", "gb18030"):
        return "GBK"
    raise ValueError(f"shapefile encoding must be UTF-8 or GBK, not {encoding!r}")


def byte_length(text: str, encoding: str = "UTF-8") -> int:
    """Bytes of ``text`` in ``encoding`` (characters GBK cannot hold count as '?', one byte)."""
    return len(text.encode(_CODEC_NAMES[normalize_encoding(encoding)], errors="replace"))


def truncate_to_bytes(text: str, max_bytes: int, encoding: str = "UTF-8") -> str:
    """The longest prefix of ``text`` with at most ``max_bytes`` bytes; never cuts inside a character."""
    codec = _CODEC_NAMES[normalize_encoding(encoding)]
    out: List[str] = []
    used = 0
    for char in text:
        size = len(char.encode(codec, errors="replace"))
        if used + size > max_bytes:
            break
        out.append(char)
        used += size
    return "".join(out)


def _clean(name: str, encoding: str) -> str:
    """Drop characters a dBASE name cannot hold well (controls, spaces → '_'; unencodable → removed)."""
    codec = _CODEC_NAMES[normalize_encoding(encoding)]
    chars = []
    for char in str(name).strip():
        if ord(char) < 32 or char == "\x7f":
            continue
        if char.isspace():
            char = "_"
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            continue
        chars.append(char)
    return "".join(chars) or "field"


def shapefile_field_names(
    names: Iterable[str],
    encoding: str = "UTF-8",
    max_bytes: int = MAX_FIELD_BYTES,
    reserved: Iterable[str] = (),
    readable: bool = False,
) -> Dict[str, str]:
    """Full name → short shapefile name, in input order.

    Each short name has at most ``max_bytes`` bytes in ``encoding``, ends on a whole character and differs
    (case-insensitively) from every other short name and from ``reserved`` names. Names already short
    enough stay as they are when free; well-known long names use :data:`PREFERRED_SHORT_NAMES`. With
    ``readable``, a field of :data:`OUTPUT_FIELDS` takes its short Chinese name for the encoding (county
    staff read the attribute table; the field dictionary gives the full name).
    """
    enc = normalize_encoding(encoding)
    taken = {r.lower() for r in reserved}
    mapping: Dict[str, str] = {}
    for full in names:
        if full in mapping:
            continue
        declared = OUTPUT_FIELDS.get(full)
        chinese = (declared.gbk if enc == "GBK" else declared.utf8) if (readable and declared) else ""
        base = _clean(chinese or full, enc)
        if byte_length(base, enc) > max_bytes and not chinese:
            base = PREFERRED_SHORT_NAMES.get(full, base)
        short = truncate_to_bytes(base, max_bytes, enc) or "f"
        number = 0
        while short.lower() in taken:
            number += 1
            suffix = f"_{number}"
            short = truncate_to_bytes(base, max_bytes - len(suffix), enc) + suffix
        taken.add(short.lower())
        mapping[full] = short
    return mapping


def field_meaning(full_name: str, meanings: Optional[Mapping[str, str]] = None) -> str:
    """The Chinese meaning of a field ('' when unknown)."""
    table = meanings if meanings is not None else FIELD_MEANINGS
    return table.get(full_name, table.get(full_name.lower(), ""))


def field_dictionary_rows(
    mapping: Mapping[str, str],
    layer: str = "",
    layer_title: str = "",
    meanings: Optional[Mapping[str, str]] = None,
) -> List[Dict[str, str]]:
    """Rows of the field dictionary for one layer: 图层, 图层说明, 短字段名, 完整字段名, 中文名, 含义."""
    return [
        {
            "图层": layer,
            "图层说明": layer_title,
            "短字段名": short,
            "完整字段名": full,
            "中文名": field_alias(full),
            "含义": field_meaning(full, meanings),
        }
        for full, short in mapping.items()
    ]


# --------------------------------------------------------------------------- GeoPackage aliases

_QML = """<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Fields">
 <aliases>
{rows}
 </aliases>
</qgis>
"""


ALIAS_STYLE_NOTE = "中文字段别名 / Chinese field aliases"


def write_gpkg_aliases(path, layers: Mapping[str, Iterable[str]], qgis_style: bool = False,
                       styles: Optional[Mapping[str, str]] = None, style_note: str = ALIAS_STYLE_NOTE,
                       durable: bool = True) -> None:
    """Write the Chinese aliases of the declared fields of ``layers`` (layer → its columns) into a GeoPackage.

    Always in the standard ``gpkg_data_columns`` table (``name`` = alias, ``description`` = meaning; GDAL 3.7
    and later, and so QGIS, read them as field alternative names). With ``qgis_style`` also as each layer's
    default QGIS style holding only the aliases (``layer_styles``): QGIS loads it on opening the layer
    whatever its GDAL (QGIS 3.22 on GDAL 3.6 reads no gpkg_data_columns), without touching the symbology. That
    table is a layer of its own, so the run's own GeoPackages (read back layer by layer) do without it.
    ``styles``: a whole QML for some layers instead (the ledger's tasks: their symbology too); ``style_note``
    is the styles' description: an earlier style of these layers with the same one is replaced, no other.
    ``durable=False``: a scratch file (zipped, then deleted): SQLite neither journals nor waits for the disk.
    """
    import sqlite3
    from xml.sax.saxutils import quoteattr  # nosec B406 # it escapes an attribute we write; nothing is parsed

    written = []
    layers = {table: list(columns) for table, columns in layers.items()}
    con = sqlite3.connect(str(path))
    try:
        if not durable:
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
        con.execute(
            "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
            "name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, "
            "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))")
        for table, columns in layers.items():
            aliases = field_aliases(columns)
            con.execute("DELETE FROM gpkg_data_columns WHERE table_name = ?", (table,))
            con.executemany(
                "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) "
                "VALUES (?, ?, ?, ?, ?)",
                [(table, name, alias, alias, field_meaning(name)) for name, alias in aliases.items()])
            rows = "\n".join(f"  <alias field={quoteattr(n)} index=\"{i}\" name={quoteattr(aliases[n])}/>"
                             for i, n in enumerate(columns) if n in aliases)
            written.append((table, (styles or {}).get(table) or _QML.format(rows=rows)))
        con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT "
                    "NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
        known = con.execute("SELECT count(*) FROM gpkg_extensions WHERE table_name = 'gpkg_data_columns'").fetchone()
        if not known[0]:
            con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                        "VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
                        "'http://www.geopackage.org/spec/#extension_schema', 'read-write')")
        geometry_columns = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        has_styles = con.execute("SELECT count(*) FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()[0]
        if qgis_style and has_styles:
            con.executemany("DELETE FROM layer_styles WHERE f_table_name = ? AND description = ?",
                            [(t, style_note) for t, _ in written])
        con.commit()
    finally:
        con.close()
    if qgis_style and written:
        import pandas as pd
        import pyogrio

        frame = pd.DataFrame({
            "f_table_catalog": "", "f_table_schema": "", "f_table_name": [t for t, _ in written],
            "f_geometry_column": [geometry_columns.get(t, "") for t, _ in written],
            "styleName": [t for t, _ in written], "styleQML": [q for _, q in written], "styleSLD": "",
            "useAsDefault": True, "description": style_note, "owner": "", "ui": "",
            "update_time": pd.Timestamp.now().strftime("%Y-%m-%dT%H:%M:%S")})
        pyogrio.write_dataframe(frame, str(path), layer="layer_styles", driver="GPKG", append=True)
