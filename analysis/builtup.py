"""Built-up areas (建成区) as clean polygons, from a raster or from a polygon layer."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Union

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from .metric import metric_crs

BUILTUP_COLUMNS = ["builtup_id", "area_km2", "geometry"]


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"builtup_id": [], "area_km2": []}, geometry=[], crs="EPSG:4326")


def _fill_small_holes(poly: Polygon, max_hole_m2: float) -> Polygon:
    """The polygon with interior rings smaller than ``max_hole_m2`` removed."""
    keep = [r for r in poly.interiors if Polygon(r).area >= max_hole_m2]
    return Polygon(poly.exterior, keep)


def clean_polygons(geoms: Iterable, crs, min_area_m2: float, max_hole_m2: float,
                   metric_epsg: Optional[int] = None) -> gpd.GeoDataFrame:
    """Dissolve touching parts, drop specks under ``min_area_m2``, fill holes under ``max_hole_m2``.

    Areas are measured in the metric CRS; the result is in EPSG:4326 with ``builtup_id`` and ``area_km2``.
    """
    gs = gpd.GeoSeries(list(geoms), crs=crs)
    if gs.empty:
        return _empty()
    metric = gs.to_crs(metric_crs(metric_epsg))
    merged = shapely.union_all(shapely.make_valid(np.asarray(metric.values)))
    parts = [g for g in shapely.get_parts(merged) if g.geom_type == "Polygon"]
    parts = [_fill_small_holes(p, max_hole_m2) for p in parts if p.area >= min_area_m2]
    if not parts:
        return _empty()
    out = gpd.GeoDataFrame({"builtup_id": np.arange(1, len(parts) + 1),
                            "area_km2": np.round([p.area / 1e6 for p in parts], 4)},
                           geometry=parts, crs=metric.crs)
    # Densify before leaving the metric CRS so long straight edges stay where they were on the ground.
    out["geometry"] = shapely.segmentize(np.asarray(out.geometry.values), 500.0)
    return out.to_crs("EPSG:4326")


def builtup_from_raster(path: Union[str, Path], threshold: float = 0.5, min_area_m2: float = 20000.0,
                        max_hole_m2: float = 50000.0, metric_epsg: Optional[int] = None, band: int = 1,
                        values: Optional[Iterable[float]] = None) -> gpd.GeoDataFrame:
    """Polygonise a built-up raster: pixels ≥ ``threshold`` (or equal to one of ``values``, for
    land-cover classes) become built-up; specks and small holes are cleaned in the metric CRS."""
    import rasterio
    from rasterio.features import shapes

    with rasterio.open(path) as src:
        data = src.read(band)
        valid = src.read_masks(band) > 0  # what a masked read would leave unmasked (nodata, internal masks)
        transform, crs = src.transform, src.crs
    if crs is None:
        raise ValueError(f"栅格 {Path(path).name} 没有坐标系 / raster has no CRS")
    # Thresholds on the raster's own dtype (no float64 copy of the whole raster); NaN compares false.
    if values is not None:
        mask = np.isin(data, list(values))
    else:
        mask = data >= threshold
    mask &= valid
    del data, valid
    mask_u8 = mask.view(np.uint8)
    geoms = [shape(g) for g, v in shapes(mask_u8, mask=mask, transform=transform, connectivity=4) if v == 1]
    return clean_polygons(geoms, crs, min_area_m2, max_hole_m2, metric_epsg)


def builtup_from_polygons(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built-up polygons from a user layer: valid, single-part, EPSG:4326, with ``builtup_id``/``area_km2``."""
    if gdf is None or gdf.empty:
        return _empty()
    if gdf.crs is None:
        raise ValueError("建成区图层没有坐标系 / built-up layer has no CRS")
    g = gdf.to_crs("EPSG:4326") if not gdf.crs.equals("EPSG:4326") else gdf
    geoms = shapely.make_valid(np.asarray(g.geometry.values))
    parts = [p for p in shapely.get_parts(geoms) if p is not None and p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return _empty()
    out = gpd.GeoDataFrame({"builtup_id": np.arange(1, len(parts) + 1)}, geometry=parts, crs="EPSG:4326")
    out["area_km2"] = np.round(out.geometry.to_crs(metric_crs()).area.to_numpy() / 1e6, 4)
    return out[BUILTUP_COLUMNS]
