"""Built-up areas (建成区) as clean polygons, from a raster or from a polygon layer."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Union

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from ..common.gdal_errors import gdal_return_codes
from ..common.metric import metric_crs

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
    # The pieces of one polygonised raster are 4-connected regions, each whole: no two share an edge (at most a
    # corner), so they are dissolved already and a union would only reorder them (a fifth of a province run).
    parts = [g for g in shapely.get_parts(shapely.make_valid(np.asarray(metric.values))) if g.geom_type == "Polygon"]
    parts = [_fill_small_holes(p, max_hole_m2) for p in parts if p.area >= min_area_m2]
    if not parts:
        return _empty()
    # A patch inside a hole just filled now lies in the filled polygon: it is part of it, not a second area.
    inner, outer = shapely.STRtree(parts).query(parts, predicate="within")
    inside = set(inner[inner != outer].tolist())
    if inside:
        parts = [p for i, p in enumerate(parts) if i not in inside]
    out = gpd.GeoDataFrame({"builtup_id": np.arange(1, len(parts) + 1),
                            "area_km2": np.round([p.area / 1e6 for p in parts], 4)},
                           geometry=parts, crs=metric.crs)
    # Densify before leaving the metric CRS so long straight edges stay where they were on the ground.
    out["geometry"] = shapely.segmentize(np.asarray(out.geometry.values), 500.0)
    return out.to_crs("EPSG:4326")


# Which library reads and writes rasters: "rasterio" or "gdal" (GDAL's own Python bindings, which every QGIS
# has; QGIS's Windows installers ship no rasterio). None chooses rasterio when it imports, else GDAL. Tests
# set it (or pass ``backend=``) to force one path.
RASTER_BACKEND: Optional[str] = None
RASTER_BACKENDS = ("rasterio", "gdal")


def raster_backend(choice: Optional[str] = None) -> str:
    """The raster library to use: ``choice``, else ``RASTER_BACKEND``, else rasterio if importable, else GDAL."""
    choice = choice or RASTER_BACKEND
    if choice is not None:
        if choice not in RASTER_BACKENDS:
            raise ValueError(f"raster backend must be one of {RASTER_BACKENDS}, not {choice!r}")
        return choice
    try:
        import rasterio  # noqa: F401
    except ImportError:
        return "gdal"
    return "rasterio"


def _builtup_mask(data: np.ndarray, valid: np.ndarray, threshold: float,
                  values: Optional[Iterable[float]]) -> np.ndarray:
    """Built-up pixels as a boolean array: ≥ ``threshold`` (or one of ``values``) and not masked out."""
    # Thresholds on the raster's own dtype (no float64 copy of the whole raster); NaN compares false.
    if values is not None:
        mask = np.isin(data, list(values))
    else:
        mask = data >= threshold
    mask &= valid
    return mask


def _polygons_rasterio(path: Union[str, Path], band: int, threshold: float, values):
    import rasterio
    from rasterio.features import shapes

    with rasterio.open(path) as src:
        data = src.read(band)
        valid = src.read_masks(band) > 0  # what a masked read would leave unmasked (nodata, internal masks)
        transform, crs = src.transform, src.crs
    if crs is None:
        raise ValueError(f"栅格 {Path(path).name} 没有坐标系 / raster has no CRS")
    mask = _builtup_mask(data, valid, threshold, values)
    del data, valid
    mask_u8 = mask.view(np.uint8)
    geoms = [shape(g) for g, v in shapes(mask_u8, mask=mask, transform=transform, connectivity=4) if v == 1]
    return geoms, crs


@gdal_return_codes()
def _polygons_gdal(path: Union[str, Path], band: int, threshold: float, values):
    from osgeo import gdal, ogr
    from pyproj import CRS

    name = Path(path).name
    # Return values are checked rather than turning on gdal.UseExceptions(): that switch is process-wide
    # and would change GDAL's behaviour for QGIS's other Python code.
    src = gdal.Open(str(path), gdal.GA_ReadOnly)
    if src is None:
        raise OSError(f"栅格 {name} 无法打开 / cannot open raster: {gdal.GetLastErrorMsg()}")
    try:
        rb = src.GetRasterBand(band)
        if rb is None:
            raise ValueError(f"栅格 {name} 没有第 {band} 波段 / raster has no band {band}")
        wkt = src.GetProjection()
        if not wkt:
            raise ValueError(f"栅格 {name} 没有坐标系 / raster has no CRS")
        crs = CRS.from_wkt(wkt)
        geotransform = src.GetGeoTransform()
        data = rb.ReadAsArray()
        # The band's mask band is what rasterio's read_masks reads: nodata, NaN nodata, internal masks, alpha.
        valid = rb.GetMaskBand().ReadAsArray() > 0
        if data is None or valid is None:
            raise OSError(f"栅格 {name} 读取失败 / cannot read raster: {gdal.GetLastErrorMsg()}")
    finally:
        src = None  # closes the dataset
    mask = _builtup_mask(data, valid, threshold, values)
    del data, valid
    height, width = mask.shape
    mem = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(geotransform)
    mband = mem.GetRasterBand(1)
    mband.WriteArray(mask.view(np.uint8))
    del mask
    # In-memory vectors: "MEM" from GDAL 3.11 on (where "Memory" is deprecated), "Memory" before.
    driver = ogr.GetDriverByName("MEM") or ogr.GetDriverByName("Memory")
    out = driver.CreateDataSource("builtup")
    layer = out.CreateLayer("builtup", geom_type=ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("value", ogr.OFTInteger))
    # The 0/1 band is its own mask: only the built-up pixels become polygons. No options = 4-connectivity,
    # as rasterio's shapes(connectivity=4).
    if gdal.Polygonize(mband, mband, layer, 0, [], callback=None) != 0:
        raise OSError(f"栅格 {name} 转面失败 / polygonize failed: {gdal.GetLastErrorMsg()}")
    wkbs = [bytes(f.GetGeometryRef().ExportToWkb()) for f in layer if f.GetField(0) == 1]
    layer = out = mband = mem = None
    return list(shapely.from_wkb(wkbs)) if wkbs else [], crs


def builtup_from_raster(path: Union[str, Path], threshold: Optional[float] = None,
                        min_area_m2: Optional[float] = None, max_hole_m2: Optional[float] = None,
                        metric_epsg: Optional[int] = None, band: int = 1,
                        values: Optional[Iterable[float]] = None, backend: Optional[str] = None) -> gpd.GeoDataFrame:
    """Polygonise a built-up raster: pixels ≥ ``threshold`` (or equal to one of ``values``, for
    land-cover classes) become built-up; specks and small holes are cleaned in the metric CRS. A threshold
    or area not given is the parameter spec's default (builtup_threshold, builtup_min_area_m2, …).

    Read with rasterio where it is installed, else with GDAL's own bindings (``backend`` forces one:
    "rasterio" or "gdal"); both give the same polygons.
    """
    from ..schema.params import param_default

    threshold = param_default("builtup_threshold") if threshold is None else threshold
    min_area_m2 = param_default("builtup_min_area_m2") if min_area_m2 is None else min_area_m2
    max_hole_m2 = param_default("builtup_max_hole_m2") if max_hole_m2 is None else max_hole_m2
    read = _polygons_rasterio if raster_backend(backend) == "rasterio" else _polygons_gdal
    geoms, crs = read(path, band, threshold, values)
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
