"""The coordinate reference system of an input layer checked against its coordinates (case 3 of issue 7).

The policy:

* no CRS and coordinates that look like lon/lat in China → read as WGS84 (EPSG:4326) with a loud warning;
* no CRS and any other coordinates (metres) → refused: the projection cannot be guessed safely;
* a declared CRS that contradicts the coordinates (a geographic CRS with coordinates beyond ±180/±90,
  e.g. 500000, 4200000; or a projected CRS whose coordinates are all lon/lat-sized, e.g. 112, 37 under
  EPSG:4546) → refused with a message that says what was declared and what the numbers look like.

Refusing is the only way distances stay true: a wrong guess would move every point by hundreds of km.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..common.errors import InputError

__all__ = ["CHINA_BOX", "check_crs", "check_unique_columns", "to_wgs84_checked"]

# lon/lat box around China (a little wider than enterprises.LON_RANGE/LAT_RANGE)
CHINA_BOX = (70.0, 0.0, 140.0, 56.0)


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
