"""Checks of a user's input layers and the messages they produce, Chinese first with English.

Every message about one bad value names the layer, the row (and id) and the field, and quotes the raw
value: "图层「锅炉清单」第 12 行（编号 GL-00137）字段「额定蒸发量」：'约20吨' 无法解析 / layer '锅炉清单' row 12
(id GL-00137) field capacity_tph: cannot parse '约20吨'". All user-facing text of the input checks lives here.

Coordinate reference systems (case 3 of issue 7), the policy:

* no CRS and coordinates that look like lon/lat in China → read as WGS84 (EPSG:4326) with a loud warning;
* no CRS and any other coordinates (metres) → refused: the projection cannot be guessed safely;
* a declared CRS that contradicts the coordinates (a geographic CRS with coordinates beyond ±180/±90,
  e.g. 500000, 4200000; or a projected CRS whose coordinates are all lon/lat-sized, e.g. 112, 37 under
  EPSG:4546) → refused with a message that says what was declared and what the numbers look like.

Refusing is the only way distances stay true: a wrong guess would move every point by hundreds of km.
"""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import UserError
from .fields import field_label

__all__ = [
    "InputError", "OutputError", "CHINA_BOX", "row_message", "problem_message", "problem_messages", "check_crs",
    "check_polygon_layer", "check_point_layer", "empty_list_warning", "repaired_messages", "write_error",
    "MAX_ROW_MESSAGES", "to_wgs84_checked", "check_unique_columns",
]

# lon/lat box around China (a little wider than enterprises.LON_RANGE/LAT_RANGE)
CHINA_BOX = (70.0, 0.0, 140.0, 56.0)
MAX_ROW_MESSAGES = 200

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
POINT_TYPES = {"Point", "MultiPoint"}


class InputError(UserError, ValueError):
    """A bad input that stops the run before any work; the message is bilingual and names the layer."""


class OutputError(UserError, OSError):
    """An output that could not be written (disk full, no permission …); nothing half-written is left."""


# -------------------------------------------------------------------------------------------- messages
_EN_OF_PROBLEM = (
    ("重复", "duplicate id"),
    ("不在任何县区", "point outside every county"),
    ("无坐标或几何无效", "no coordinates or empty geometry"),
    ("缺少经纬度", "missing longitude/latitude"),
    ("经纬度可能填反", "longitude and latitude look swapped"),
    ("不在中国范围", "coordinates outside China (projected metres?)"),
    ("几何类型不是点", "geometry is not a point"),
    ("空几何", "empty geometry"),
    ("几何为空", "null geometry, no coordinates"),
    ("多点几何", "multipoint, only its first point used"),
    ("为负数", "negative value, implausible"),
    ("超过", "value too large, implausible"),
    ("不合理", "implausible value"),
    ("为空或无法识别，无法判断规则", "blank or unreadable, rules cannot be judged"),
    ("编号为空", "blank id, numbered by row"),
    ("无法识别", "not recognised"),
    ("无法解析", "cannot parse"),
)


_FIELD_LABELS = {"geometry": "几何"}


def _english(problem: str) -> str:
    for zh, en in _EN_OF_PROBLEM:
        if zh in problem:
            return en
    return "to verify"


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in ("", "nan", "None", "NaN", "<NA>")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def row_message(layer: str, row: Any, ent_id: Any, field: Optional[str], problem_zh: str,
                problem_en: str) -> str:
    """'图层「L」第 R 行（编号 I）字段「F」：… / layer 'L' row R (id I) field f: …'."""
    where_zh = f"图层「{layer}」"
    where_en = f"layer '{layer}'"
    if not _blank(row):
        where_zh += f"第 {row} 行"
        where_en += f" row {row}"
    if not _blank(ent_id) and str(ent_id) != "":
        where_zh += f"（编号 {ent_id}）"
        where_en += f" (id {ent_id})"
    if field:
        label = "、".join(_FIELD_LABELS.get(f, field_label(f)) for f in str(field).split(","))
        where_zh += f"字段「{label}」"
        where_en += f" field {field}"
    return f"{where_zh}：{problem_zh} / {where_en}: {problem_en}"


def problem_message(layer: str, row: Any, ent_id: Any, field: Optional[str], raw: Any, problem: str) -> str:
    """The message of one problem row (enterprise table problems or a to_verify row)."""
    en = _english(str(problem))
    raw_text = "" if _blank(raw) else str(raw)
    if raw_text:
        en += f" '{raw_text}'"
    return row_message(layer, row, ent_id, field, str(problem), en)


def problem_messages(frame: Optional[pd.DataFrame], layer: Optional[str] = None,
                     limit: int = MAX_ROW_MESSAGES) -> List[str]:
    """One message per row of a problems / to_verify frame (at most ``limit``, then a count line)."""
    if frame is None or len(frame) == 0:
        return []
    out: List[str] = []
    cols = frame.columns
    if {"row", "field", "problem"} <= set(cols):
        # "blank or unreadable, rule X cannot be judged" repeats a parse problem already reported
        generic = frame["problem"].astype(str).str.contains("为空或无法识别，无法判断规则")
        keys = [c for c in ("layer", "row", "field") if c in cols]
        explained = frame.loc[~generic, keys].apply(tuple, axis=1)
        dup = generic & frame[keys].apply(tuple, axis=1).isin(set(explained))
        frame = frame[~dup]
    for rec in frame.head(limit).itertuples(index=False):
        d = rec._asdict()
        name = layer or d.get("source_layer") or d.get("layer") or ""
        out.append(problem_message(str(name), d.get("row"), d.get("ent_id"), d.get("field"),
                                   d.get("raw") if "raw" in cols else None, str(d.get("problem", ""))))
    if len(frame) > limit:
        out.append(f"……另有 {len(frame) - limit} 条需核实，见 flags.gpkg 的 to_verify 图层 / "
                   f"… {len(frame) - limit} more rows to verify, see the to_verify layer of flags.gpkg")
    return out


def empty_list_warning(layer: str) -> str:
    return (f"图层「{layer}」没有任何要素（空清单），本次运行继续，但该图层没有企业被判定 / "
            f"layer '{layer}' has no features (empty list); the run goes on without it")


def write_error(path: Any, exc: BaseException) -> str:
    """A clear message for an output that could not be written (no half-written file is left)."""
    import errno

    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        zh, en = "磁盘空间不足", "no space left on the disk"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        zh, en = "没有写入权限", "permission denied"
    elif code in (errno.ENOTDIR, errno.EEXIST):
        zh, en = "输出路径不是文件夹", "the output path is not a folder"
    else:
        zh, en = "写入失败", "write failed"
    return (f"无法写入输出「{path}」：{zh}；未留下不完整的文件，输入数据未改动 / cannot write output '{path}': "
            f"{en} ({exc}); no half-written file was left and the inputs are untouched")


# -------------------------------------------------------------------------------------------- CRS
def _finite_bounds(gdf: gpd.GeoDataFrame) -> Optional[Tuple[float, float, float, float]]:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not keep.any():
        return None
    b = shapely.total_bounds(geoms[keep])
    return tuple(float(v) for v in b) if np.all(np.isfinite(b)) else None  # type: ignore[return-value]


def _in_degrees(b: Sequence[float]) -> bool:
    return -180.0 <= b[0] <= b[2] <= 180.0 and -90.0 <= b[1] <= b[3] <= 90.0


def _in_china(b: Sequence[float]) -> bool:
    return CHINA_BOX[0] <= b[0] <= b[2] <= CHINA_BOX[2] and CHINA_BOX[1] <= b[1] <= b[3] <= CHINA_BOX[3]


def _fmt_bounds(b: Sequence[float]) -> str:
    return f"{b[0]:.6g}, {b[1]:.6g} … {b[2]:.6g}, {b[3]:.6g}"


def check_crs(gdf: gpd.GeoDataFrame, layer: str) -> Tuple[gpd.GeoDataFrame, List[str]]:
    """The frame with a CRS that matches its coordinates, and warnings; raises :class:`InputError`.

    Call it on the frame in its own (declared) CRS, before any reprojection.
    """
    b = _finite_bounds(gdf)
    if gdf.crs is None:
        if b is None:
            return gdf.set_crs("EPSG:4326"), []
        if _in_china(b):
            return gdf.set_crs("EPSG:4326"), [
                f"警告：图层「{layer}」没有坐标系；坐标（{_fmt_bounds(b)}）像经纬度，已按 WGS84（EPSG:4326）读取，"
                f"请核对并为图层设置坐标系 / WARNING: layer '{layer}' has no CRS; its coordinates "
                f"({_fmt_bounds(b)}) look like longitude/latitude and were read as WGS84 (EPSG:4326); "
                f"check them and set the layer's CRS"]
        raise InputError(
            f"图层「{layer}」没有坐标系，坐标（{_fmt_bounds(b)}）不是中国范围内的经纬度（可能是投影坐标，单位米），"
            f"无法确定位置；请在 QGIS 中为该图层设置正确的坐标系（图层属性 → 源 → 坐标系）后重试 / layer "
            f"'{layer}' has no CRS and its coordinates ({_fmt_bounds(b)}) are not longitude/latitude in China "
            f"(projected metres?); set the layer's CRS and run again")
    if b is None:
        return gdf, []
    crs = gdf.crs
    declared = crs.to_string()
    if crs.is_geographic and not _in_degrees(b):
        raise InputError(
            f"图层「{layer}」声明的坐标系 {declared} 是经纬度，但坐标（{_fmt_bounds(b)}）超出 ±180/±90，"
            f"像是以米为单位的投影坐标；请为该图层设置正确的投影坐标系（例如 EPSG:4546）后重试，距离不会按错误的单位计算 / "
            f"layer '{layer}' declares the geographic CRS {declared} but its coordinates ({_fmt_bounds(b)}) "
            f"are beyond ±180/±90 and look like projected metres; set the right projected CRS (e.g. EPSG:4546) "
            f"and run again")
    if crs.is_projected and _in_degrees(b) and _in_china(b):
        raise InputError(
            f"图层「{layer}」声明的坐标系 {declared} 是投影坐标（米），但坐标（{_fmt_bounds(b)}）像经纬度（度）；"
            f"请把该图层的坐标系设为 EPSG:4326 或 EPSG:4490 后重试 / layer '{layer}' declares the projected "
            f"CRS {declared} (metres) but its coordinates ({_fmt_bounds(b)}) look like degrees; set its CRS to "
            f"EPSG:4326 or EPSG:4490 and run again")
    return gdf, []


def check_unique_columns(frame: pd.DataFrame, layer: str) -> None:
    """Refuse a table or layer with two columns of the same name: which one holds the value is unknowable."""
    names = [str(c) for c in frame.columns]
    repeated = sorted({c for c in names if names.count(c) > 1}, key=names.index)
    if repeated:
        zh = "、".join(f"「{c}」（{names.count(c)} 次）" for c in repeated)
        en = ", ".join(f"'{c}' ({names.count(c)} times)" for c in repeated)
        raise InputError(f"图层「{layer}」有重名字段 {zh}，无法确定用哪一列；请给重名的列改名后重试 / layer '{layer}' "
                         f"has repeated field names {en}; rename them and run again")


def to_wgs84_checked(gdf: gpd.GeoDataFrame, layer: str) -> Tuple[gpd.GeoDataFrame, List[str]]:
    """A layer as every step reads it: CRS checked against the coordinates (:func:`check_crs`), then
    EPSG:4326, geometry column named ``geometry``, empty geometries as None (QGIS's "no geometry").

    Returns (frame, warnings); raises :class:`InputError` naming the layer.
    """
    check_unique_columns(gdf, layer)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    gdf, warnings = check_crs(gdf, layer)
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    empty = shapely.is_empty(np.asarray(gdf.geometry.values, dtype=object))
    if empty.any():
        gdf = gdf.copy()
        gdf.loc[empty, "geometry"] = None
    return gdf, warnings


# -------------------------------------------------------------------------------------------- geometry
_ROLE = {"admin": ("行政区划", "county boundary"), "builtup": ("建成区", "built-up"),
         "planning": ("城市规划区", "planning area")}


def _types(gdf: gpd.GeoDataFrame) -> List[str]:
    geoms = gdf.geometry
    present = geoms[geoms.notna() & ~geoms.is_empty]
    return sorted(set(present.geom_type.astype(str)))


def check_polygon_layer(gdf: Optional[gpd.GeoDataFrame], layer: str, role: str,
                        name_column: Optional[str] = None) -> List[str]:
    """Refuse an empty or non-polygon layer; warn (naming each feature) about invalid polygons.

    ``role`` is ``admin``, ``builtup`` or ``planning``. Invalid polygons are repaired by the builders
    with ``make_valid``; the warnings say which ones.
    """
    zh, en = _ROLE.get(role, (role, role))
    if gdf is None or len(gdf) == 0:
        raise InputError(f"{zh}图层「{layer}」是空的（没有要素），无法开始分析 / the {en} layer '{layer}' is "
                         f"empty (no features); nothing was done")
    types = _types(gdf)
    if not types:
        raise InputError(f"{zh}图层「{layer}」的要素都没有几何，无法开始分析 / the {en} layer '{layer}' has no "
                         f"geometries; nothing was done")
    wrong = [t for t in types if t not in POLYGON_TYPES and t != "GeometryCollection"]
    if wrong:
        raise InputError(f"{zh}图层「{layer}」的几何类型是 {'/'.join(wrong)}，应为面（Polygon），无法开始分析 / "
                         f"the {en} layer '{layer}' has {'/'.join(wrong)} geometries; polygons are required; "
                         f"nothing was done")
    return (blank_name_messages(gdf, layer, role, name_column) + empty_polygon_messages(gdf, layer, role, name_column)
            + invalid_polygon_messages(gdf, layer, role, name_column))


def _feature(gdf: gpd.GeoDataFrame, pos: int, name_column: Optional[str]) -> Tuple[str, str]:
    """'第 3 个要素（清徐县）' / 'feature 3 (清徐县)'."""
    name = ""
    if name_column and name_column in gdf.columns and not _blank(gdf[name_column].iloc[pos]):
        name = str(gdf[name_column].iloc[pos])
    return (f"第 {pos + 1} 个要素" + (f"（{name}）" if name else ""), f"feature {pos + 1}" + (f" ({name})" if name else ""))


def empty_polygon_messages(gdf: gpd.GeoDataFrame, layer: str, role: str,
                           name_column: Optional[str] = None) -> List[str]:
    """One warning per feature without a geometry (NULL or empty): it takes no part in any zone."""
    zh, en = _ROLE.get(role, (role, role))
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    out = []
    for pos in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
        who_zh, who_en = _feature(gdf, int(pos), name_column)
        out.append(f"{zh}图层「{layer}」{who_zh}字段「几何」：几何为空，已跳过，不参与任何区域 / {en} layer '{layer}' "
                   f"{who_en} field geometry: empty or NULL geometry, skipped (it is in no zone)")
    return out


def blank_name_messages(gdf: gpd.GeoDataFrame, layer: str, role: str, name_column: Optional[str]) -> List[str]:
    """One warning per county polygon without a name: the 1+30, cluster and north lists match by name."""
    if role != "admin" or not name_column or name_column not in gdf.columns:
        return []
    out = []
    for pos, value in enumerate(gdf[name_column].to_numpy(dtype=object)):
        if _blank(value):
            out.append(f"行政区划图层「{layer}」第 {pos + 1} 个要素字段「{name_column}」：县区名称为空，按名称匹配的区域"
                       f"（“1+30”、北部平原散煤清零区、产业集群综合整治县）不含该县区 / county boundary layer '{layer}' feature "
                       f"{pos + 1} field {name_column}: blank county name; zones listed by name (1+30, north "
                       f"coal-zero, cluster counties) cannot include it")
    return out


def invalid_polygon_messages(gdf: gpd.GeoDataFrame, layer: str, role: str,
                             name_column: Optional[str] = None) -> List[str]:
    """One warning per invalid (e.g. self-intersecting) polygon: which layer, which feature, repaired."""
    zh, en = _ROLE.get(role, (role, role))
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & ~shapely.is_valid(np.where(present, geoms, None))
    out = []
    for pos in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[pos])
        name = ""
        if name_column and name_column in gdf.columns and not _blank(gdf[name_column].iloc[pos]):
            name = str(gdf[name_column].iloc[pos])
        who_zh = f"第 {pos + 1} 个要素" + (f"（{name}）" if name else "")
        who_en = f"feature {pos + 1}" + (f" ({name})" if name else "")
        out.append(f"{zh}图层「{layer}」{who_zh}字段「几何」：几何无效（{reason}），已用 make_valid 修复 / "
                   f"{en} layer '{layer}' {who_en} field geometry: invalid ({reason}), repaired with make_valid")
    return out


def repaired_messages(layer: str, counties: Iterable[str], positions: Iterable[Any]) -> List[str]:
    """Warnings for the admin polygons normalize_admin repaired (county names and feature numbers)."""
    out = []
    for county, pos in zip(counties, positions):
        who = f"（{county}）" if county else ""
        out.append(f"行政区划图层「{layer}」第 {pos} 个要素{who}字段「几何」：几何无效，已用 make_valid 修复 / "
                   f"county boundary layer '{layer}' feature {pos} ({county}) field geometry: invalid, "
                   f"repaired with make_valid")
    return out


def check_point_layer(gdf: Optional[gpd.GeoDataFrame], layer: str) -> List[str]:
    """Warn about an empty enterprise list (the run goes on); refuse a polygon/line layer."""
    if gdf is None or len(gdf) == 0:
        return [empty_list_warning(layer)]
    types = _types(gdf)
    wrong = [t for t in types if t not in POINT_TYPES]
    if wrong and not any(t in POINT_TYPES for t in types):
        raise InputError(f"企业图层「{layer}」的几何类型是 {'/'.join(wrong)}，应为点（Point），无法开始分析 / "
                         f"the enterprise layer '{layer}' has {'/'.join(wrong)} geometries; points are "
                         f"required; nothing was done")
    return []


def _name_key(name: Any, suffixes: str) -> str:
    text = str(name or "").strip()
    return text[:-1] if len(text) > 1 and text[-1] in suffixes else text


def admin_name_messages(admin: gpd.GeoDataFrame, layer: str, mapping: dict) -> List[str]:
    """Warnings for county or city names that contradict the same feature's adcode (a typo, a number in a
    name column): the zones listed by name would silently miss that county. ``admin`` is normalised."""
    from .admin import _shanxi_county_codes, shanxi_city_names

    cities = shanxi_city_names()
    counties = {code: county for (_city, county), code in _shanxi_county_codes().items()}
    by_name = {(_name_key(city, "市"), county): code for (city, county), code in _shanxi_county_codes().items()}
    out = []
    checks = (("city", "city_adcode", cities, "市"), ("county", "adcode", counties, "区县市旗"))
    for pos, rec in enumerate(admin[["county", "city", "adcode", "city_adcode"]].itertuples(index=False)):
        for role, code_col, known, suffixes in checks:
            column, value, code = mapping.get(role), getattr(rec, role), getattr(rec, code_col)
            expected = known.get(code)
            if not column or not value or not expected or _name_key(value, suffixes) == _name_key(expected, suffixes):
                continue
            out.append(f"行政区划图层「{layer}」第 {pos + 1} 个要素字段「{column}」：'{value}' 与行政区划代码 {rec.adcode} "
                       f"不符（应为{expected}），仍按 '{value}' 判定，请核对 / county boundary layer '{layer}' feature "
                       f"{pos + 1} field {column}: '{value}' does not match adcode {rec.adcode} ({expected}); "
                       f"used as given, check it")
        # an unknown code where the names say which county it is (the code decides 市辖区 and the city)
        named = by_name.get((_name_key(rec.city, "市"), rec.county))
        column = mapping.get("adcode")
        if column and rec.adcode and named and rec.adcode not in counties and rec.adcode != named:
            out.append(f"行政区划图层「{layer}」第 {pos + 1} 个要素（{rec.county}）字段「{column}」：代码 '{rec.adcode}' "
                       f"不是山西省的县级行政区划代码（{rec.city}{rec.county}应为 {named}），仍按 '{rec.adcode}' 判定，请核对 / "
                       f"county boundary layer '{layer}' feature {pos + 1} ({rec.county}) field {column}: "
                       f"'{rec.adcode}' is not a Shanxi county adcode ({named} expected); used as given, check it")
    return out


def _columns_text(columns: Sequence[str]) -> str:
    return "、".join(str(c) for c in columns) or "（无）"


def check_field_mapping(columns: Iterable[Any], kind: str, layer: str, overrides: Optional[dict] = None,
                        position_from_geometry: bool = True) -> dict:
    """The layer's field mapping: guessed from its column names, then the user's overrides applied.

    An override is a column name, or "" for "this layer has no such field" (None keeps the guess). Raises
    :class:`InputError`, naming layer and field, for an override that names a column the layer lacks or a field
    the kind does not have, and for a required field no column holds.
    """
    from .fields import field_def, fields_for, guess_field_mapping, kind_label, required_fields

    cols = [str(c) for c in columns if str(c) != "geometry"]
    mapping = guess_field_mapping(cols, kind)
    what = f"{kind_label(kind)}图层「{layer}」"
    for name, column in (overrides or {}).items():
        if column is None:
            continue
        fdef = field_def(kind, name)
        if fdef is None:
            known = "、".join(f"{f.name}（{f.label}）" for f in fields_for(kind)) or "（无）"
            raise InputError(f"{what}没有名为「{name}」的规范字段；{kind_label(kind)}图层的字段有：{known} / "
                             f"layer '{layer}' ({kind}) has no canonical field '{name}'; its fields: "
                             f"{', '.join(f.name for f in fields_for(kind))}")
        column = str(column).strip()
        if column and column not in cols:
            raise InputError(f"{what}中没有字段「{column}」（指定给「{fdef.label}」，{kind}.{name}）；该图层的字段有："
                             f"{_columns_text(cols)} / layer '{layer}' has no field '{column}' (given for "
                             f"{kind}.{name}); its fields: {', '.join(cols)}")
        if column:  # one column, one field: a guess that took this column gives it up
            for other, col in list(mapping.items()):
                if col == column and other != name:
                    mapping[other] = None
        mapping[name] = column or None
    for name in required_fields(kind, position_from_geometry):
        if not mapping.get(name):
            fdef = field_def(kind, name)
            examples = "、".join(fdef.aliases[:5])
            raise InputError(
                f"{what}缺少必需字段「{fdef.label}」（{name}）：没有找到对应的列（可识别的列名如 {examples}）；请在“数据”页的"
                f"字段对应中选择该列，或在 Processing 的 FIELD_MAP 参数中写 {kind}.{name}=列名。该图层的字段有："
                f"{_columns_text(cols)} / layer '{layer}' lacks the required field {kind}.{name} "
                f"({fdef.label}); choose its column on the Data tab or give FIELD_MAP {kind}.{name}=<column>; "
                f"its fields: {', '.join(cols)}")
    return mapping


# Kind names FIELD_MAP accepts besides the kinds themselves and their Chinese names (the algorithms' inputs).
_KIND_SYNONYMS = {"boilers": "boiler", "mines": "mine", "plants": "plant", "planning_area": "planning",
                  "counties": "admin", "county": "admin"}


def parse_field_map(text: Any) -> dict:
    """``{kind: {field: column}}`` from FIELD_MAP text: entries ``kind.field=column`` separated by new lines or
    semicolons, e.g. ``planning.city=所属市; boiler.fuel=燃料``. Kinds and fields may be written in Chinese
    (``城市规划区.所属城市=所属市``); an empty column (``plant.perf_class=``) says the layer has no such field."""
    import re
    import unicodedata

    from .fields import INPUT_KIND_LABELS, INPUT_KINDS, fields_for

    if text is None:
        return {}
    if isinstance(text, dict):
        return {str(k): dict(v) for k, v in text.items()}
    out: dict = {}
    kinds = {k: k for k in INPUT_KINDS}
    kinds.update({label: k for k, label in INPUT_KIND_LABELS.items()})
    kinds.update(_KIND_SYNONYMS)
    entries = [e.strip() for e in re.split(r"[\n;；]+", str(text)) if e.strip()]
    for i, entry in enumerate(entries, start=1):
        norm = unicodedata.normalize("NFKC", entry)
        m = re.fullmatch(r"\s*([^.=\s]+)\s*\.\s*([^=]+?)\s*=\s*(.*?)\s*", norm)
        kind = kinds.get(m.group(1).lower(), kinds.get(m.group(1))) if m else None
        if m is None or kind is None:
            raise InputError(
                f"字段对应（FIELD_MAP）第 {i} 项「{entry}」无法识别：应写成 图层类型.字段=列名（如 planning.city=所属市），"
                f"图层类型为 {'、'.join(INPUT_KINDS)} / FIELD_MAP entry {i} '{entry}' is not 'kind.field=column' "
                f"with kind one of {', '.join(INPUT_KINDS)}")
        key = m.group(2)
        names = {f.name: f.name for f in fields_for(kind)}
        names.update({f.label: f.name for f in fields_for(kind)})
        name = names.get(key, names.get(key.lower()))
        if name is None:
            known = "、".join(f"{f.name}（{f.label}）" for f in fields_for(kind)) or "（无）"
            raise InputError(
                f"字段对应（FIELD_MAP）第 {i} 项「{entry}」：{INPUT_KIND_LABELS[kind]}图层没有字段「{key}」；可写的字段有："
                f"{known} / FIELD_MAP entry {i} '{entry}': {kind} has no field '{key}'")
        # The column as written (not NFKC-folded): a header may hold full-width brackets.
        column = entry.split("=", 1)[1].strip() if "=" in entry else m.group(3)
        out.setdefault(kind, {})[name] = column
    return out


def missing_field_note(layer: str, kind: str, name: str, rule_ids: Sequence[str]) -> str:
    """A field rules need is absent or blank in a whole layer: those rules were not evaluated on it (the engine
    and the field notes of a run say it with this one sentence)."""
    from .fields import field_label, kind_label

    return (f"{kind_label(kind)}图层「{layer}」没有可用的「{field_label(name, kind)}」字段（{name}）："
            f"规则 {'、'.join(rule_ids)} 未对该图层评估")


def missing_field_notes(kind: str, mapping: dict, layer: str, rules_verify: Optional[dict] = None,
                        rules_false: Optional[dict] = None, position_from_geometry: bool = True) -> List[str]:
    """One Chinese sentence per optional field of ``kind`` that no column holds, naming the layer and the field
    and saying what the run could not do without it. ``rules_verify`` / ``rules_false``: field → ids of the
    enabled rules that test it, unknown values going to 需核实 / counting as not met."""
    from .fields import fields_for, kind_label

    rules_verify, rules_false = rules_verify or {}, rules_false or {}
    notes = []
    for fdef in fields_for(kind):
        if mapping.get(fdef.name) or (position_from_geometry and fdef.name in ("lon", "lat")):
            continue
        if rules_verify.get(fdef.name):
            notes.append(missing_field_note(layer, kind, fdef.name, rules_verify[fdef.name]))
            continue
        parts = [fdef.missing_note.format(layer=layer)] if fdef.missing_note else []
        if rules_false.get(fdef.name):
            parts.append(f"规则 {'、'.join(rules_false[fdef.name])} 按不满足处理（该图层不会因这些规则被标注）")
        notes.append(f"{kind_label(kind)}图层「{layer}」没有「{fdef.label}」字段（{fdef.name}）："
                     + ("；".join(parts) or "不影响判定（启用的规则未用到该字段）"))
    return notes
