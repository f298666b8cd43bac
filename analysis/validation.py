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

from .fields import field_label

__all__ = [
    "InputError", "OutputError", "CHINA_BOX", "row_message", "problem_message", "problem_messages", "check_crs",
    "check_polygon_layer", "check_point_layer", "empty_list_warning", "repaired_messages", "write_error",
    "MAX_ROW_MESSAGES",
]

# lon/lat box around China (a little wider than enterprises.LON_RANGE/LAT_RANGE)
CHINA_BOX = (70.0, 0.0, 140.0, 56.0)
MAX_ROW_MESSAGES = 200

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
POINT_TYPES = {"Point", "MultiPoint"}


class InputError(ValueError):
    """A bad input that stops the run before any work; the message is bilingual and names the layer."""


class OutputError(OSError):
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
    return invalid_polygon_messages(gdf, layer, role, name_column)


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
