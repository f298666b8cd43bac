"""Checks of the input layers' geometries and of the county layer's names: refusals (an empty or wrongly typed
layer) and warnings naming each feature (no geometry, invalid polygon, blank county name, a name that
contradicts its adcode)."""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Tuple

import geopandas as gpd
import numpy as np
import shapely

from ..common.cells import cell_text
from ..common.errors import InputError
from .messages import empty_list_warning, is_blank

__all__ = ["POLYGON_TYPES", "POINT_TYPES", "check_polygon_layer", "check_point_layer", "empty_polygon_messages",
           "blank_name_messages", "invalid_polygon_messages", "repaired_messages", "admin_name_messages"]

POLYGON_TYPES = {"Polygon", "MultiPolygon"}
POINT_TYPES = {"Point", "MultiPoint"}

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
    if name_column and name_column in gdf.columns and not is_blank(gdf[name_column].iloc[pos]):
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
        if is_blank(value):
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
        if name_column and name_column in gdf.columns and not is_blank(gdf[name_column].iloc[pos]):
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
    text = (cell_text(name) or "").strip()  # a blank (None or NaN) is "", never "nan"
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
