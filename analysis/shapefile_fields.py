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
from typing import Dict, Iterable, List, Mapping, Optional

__all__ = [
    "MAX_FIELD_BYTES",
    "SUPPORTED_ENCODINGS",
    "FIELD_MEANINGS",
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

# Meanings in Chinese of the fields the plugin writes (zones, flags, verdicts, to_verify).
FIELD_MEANINGS: Dict[str, str] = {
    "ent_id": "企业（设施）编号",
    "layer": "来源图层（锅炉 boiler / 矿山 mine / 工业企业 plant / 热电厂 chp）",
    "name": "单位名称",
    "rule_id": "规则编号（见规则表 plan_rules.yaml）",
    "rule_ids": "命中的全部规则编号（分号分隔）",
    "action": "处置措施（淘汰、关停整合、依法清理、关闭、退出、改造、整治等）",
    "action_class": "措施类别（按严重程度排序用）",
    "clause": "《山西省打赢蓝天保卫战2020年决战计划》条款号，如 三(二)10",
    "deadline": "完成时限",
    "lead_dept": "牵头及配合部门、落实层级",
    "level": "落实层级（如 市县政府负责落实）",
    "severity": "严重程度（数值越小越严重）",
    "reason": "判定理由（含实际数值）",
    "verdict": "综合结论（取最严重的措施）",
    "problem": "无法判定的原因（需核实）",
    "county": "所在县（市、区）",
    "city": "所在设区市",
    "adcode": "县级行政区划代码",
    "city_adcode": "设区市行政区划代码",
    "is_city_district": "是否为设区市市辖区",
    "distance_km": "距离（公里，按投影坐标计算）",
    "lon": "经度（WGS84）",
    "lat": "纬度（WGS84）",
    "zone_id": "分区编号（Z-BAN、Z-1P30 等）",
    "zone": "分区名称",
    "zone_name": "分区名称",
    "group": "重点区域分组",
    "group_name": "重点区域分组名称",
    "region": "区域名称",
    "verified": "名单是否经官方文件核实（否 = 预置参考名单）",
    "note": "说明",
    "source": "数据来源",
    "area_km2": "面积（平方公里）",
    "radius_km": "半径（公里）",
    "ring_km": "外扩距离（公里）",
    "plant_id": "热电厂编号",
    "plant_name": "热电厂名称",
    "capacity_mw": "装机容量（兆瓦）",
    "capacity_tph": "额定蒸发量（蒸吨/小时）",
    "fuel": "燃料类型",
    "use": "用途（供暖 / 工业）",
    "method": "开采方式",
    "mineral": "矿种",
    "industry": "行业",
}

_CODEC_NAMES = {"UTF-8": "utf-8", "GBK": "gbk"}


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
) -> Dict[str, str]:
    """Full name → short shapefile name, in input order.

    Each short name has at most ``max_bytes`` bytes in ``encoding``, ends on a whole character and differs
    (case-insensitively) from every other short name and from ``reserved`` names. Names already short
    enough stay as they are when free; well-known long names use :data:`PREFERRED_SHORT_NAMES`.
    """
    enc = normalize_encoding(encoding)
    taken = {r.lower() for r in reserved}
    mapping: Dict[str, str] = {}
    for full in names:
        if full in mapping:
            continue
        base = _clean(full, enc)
        if byte_length(base, enc) > max_bytes:
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
    """Rows of the field dictionary for one layer: 图层, 图层说明, 短字段名, 完整字段名, 含义."""
    return [
        {
            "图层": layer,
            "图层说明": layer_title,
            "短字段名": short,
            "完整字段名": full,
            "含义": field_meaning(full, meanings),
        }
        for full, short in mapping.items()
    ]
