"""The demo's geography: county polygons and seats (``Geo``) and the synthetic built-up raster.

The raster is written with rasterio where it is installed, else with GDAL's own bindings (the same chooser as
``builtup.raster_backend``); the grid stays in memory (:class:`BuiltupGrid`) so the village list can put
villages inside and just outside the built-up cells it really holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import shapely
from pyproj import Transformer

from ..analysis.common.atomic import atomic_path
from ..analysis.common.gdal_errors import gdal_return_codes
from ..analysis.inputs.admin import load_shanxi_boundaries, load_shanxi_province
from ..analysis.inputs.builtup import raster_backend

BUILTUP_CRS = "EPSG:4546"  # CGCS2000 3-degree Gauss-Kruger CM 111E: metric, so cells are square metres
BUILTUP_CELL_M = 100.0
BUILTUP_NODATA = 255
M_PER_DEG = 111_320.0


def offset(lon, lat, dx_m, dy_m):
    """(lon, lat) moved ``dx_m`` east and ``dy_m`` north (short distances; scalars or arrays)."""
    return lon + dx_m / (M_PER_DEG * np.cos(np.radians(lat))), lat + dy_m / M_PER_DEG


class Geo:
    """County polygons, seats and built-up patch radii shared by the generators."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.counties = load_shanxi_boundaries("county").reset_index(drop=True)
        self.cities = load_shanxi_boundaries("city").reset_index(drop=True)
        self.province = load_shanxi_province()
        self.geoms = list(self.counties.geometry.values)
        shapely.prepare(self.geoms)
        shapely.prepare(self.province)
        self.by_name: Dict[str, int] = {n: i for i, n in enumerate(self.counties["county"]) if n != "城区"}
        n = len(self.counties)
        seats = shapely.point_on_surface(self.counties.geometry.values)
        sx, sy = shapely.get_x(seats), shapely.get_y(seats)
        # Jitter the seat a little (county seats are rarely at point_on_surface), staying in the county.
        for i in range(n):
            for _ in range(10):
                dx, dy = rng.normal(0.0, 1500.0, 2)
                x, y = sx[i] + self._dlon(dx, sy[i]), sy[i] + dy / M_PER_DEG
                if shapely.contains_xy(self.geoms[i], x, y):
                    sx[i], sy[i] = x, y
                    break
        self.seat_x, self.seat_y = sx, sy
        urban = self.counties["is_city_district"].to_numpy(bool)
        self.urban = urban
        self.radius_m = np.where(urban, rng.uniform(6000, 12000, n), rng.uniform(2000, 6000, n))

    @staticmethod
    def _dlon(dx_m, lat):
        return dx_m / (M_PER_DEG * np.cos(np.radians(lat)))

    def county_index(self, name: str) -> int:
        return self.by_name[name]

    def sample_in_county(self, rng: np.random.Generator, i: int) -> Tuple[float, float]:
        """A uniform random point inside county i."""
        minx, miny, maxx, maxy = self.geoms[i].bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(self.geoms[i], x, y):
                return float(x), float(y)

    def sample_near_seat(self, rng: np.random.Generator, i: int, rmin_m: float, rmax_m: float) -> Tuple[float, float]:
        """A point at rmin..rmax metres from county i's seat (area-uniform), inside county i."""
        for _ in range(25):
            r = np.sqrt(rng.uniform(rmin_m**2, rmax_m**2))
            t = rng.uniform(0, 2 * np.pi)
            x = self.seat_x[i] + self._dlon(r * np.cos(t), self.seat_y[i])
            y = self.seat_y[i] + r * np.sin(t) / M_PER_DEG
            if shapely.contains_xy(self.geoms[i], x, y):
                return float(x), float(y)
        return self.sample_in_county(rng, i)


# --------------------------------------------------------------------------- built-up raster


@gdal_return_codes()
def _outside_mask(geom, height: int, width: int, geotransform: Tuple[float, ...], crs: str,
                  backend: Optional[str] = None) -> np.ndarray:
    """True for the cells whose centre lies outside ``geom`` (in ``crs``; no all-touched), with rasterio or GDAL."""
    if raster_backend(backend) == "rasterio":
        from affine import Affine
        from rasterio.features import geometry_mask

        c, a, b, f, d, e = geotransform
        # Built directly: affine 3 with Debian's older attrs fails on Affine arithmetic (from_origin).
        return geometry_mask([geom], out_shape=(height, width), transform=Affine(a, b, c, d, e, f), invert=False)
    from osgeo import gdal, ogr, osr

    # Raster and outline share one CRS, so GDAL neither reprojects nor warns that the layer has none.
    srs = osr.SpatialReference()
    if srs.SetFromUserInput(crs) != 0:
        raise ValueError(f"unknown CRS {crs!r}")
    mem = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(tuple(geotransform))
    mem.SetProjection(srs.ExportToWkt())
    vec = (ogr.GetDriverByName("MEM") or ogr.GetDriverByName("Memory")).CreateDataSource("outline")
    layer = vec.CreateLayer("outline", srs, geom_type=ogr.wkbUnknown)
    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(geom)))
    layer.CreateFeature(feature)
    if gdal.RasterizeLayer(mem, [1], layer, burn_values=[1]) != 0:
        raise OSError(f"rasterize failed: {gdal.GetLastErrorMsg()}")
    inside = mem.GetRasterBand(1).ReadAsArray()
    feature = layer = vec = mem = None
    return inside == 0


@gdal_return_codes()
def _write_geotiff(tmp: Path, grid: np.ndarray, geotransform: Tuple[float, ...], crs: str, nodata: int,
                   tags: Dict[str, str], description: str, backend: Optional[str] = None) -> None:
    """A deflate-compressed, tiled single-band GeoTIFF of ``grid`` (uint8), with rasterio or GDAL."""
    height, width = grid.shape
    if raster_backend(backend) == "rasterio":
        import rasterio
        from affine import Affine

        c, a, b, f, d, e = geotransform
        profile = dict(
            driver="GTiff", width=width, height=height, count=1, dtype="uint8", crs=crs,
            transform=Affine(a, b, c, d, e, f), nodata=nodata, compress="deflate", zlevel=6, tiled=True,
            blockxsize=512, blockysize=512,
        )
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(grid, 1)
            dst.update_tags(**tags)
            dst.set_band_description(1, description)
        return
    from osgeo import gdal, osr

    srs = osr.SpatialReference()
    if srs.SetFromUserInput(crs) != 0:
        raise ValueError(f"unknown CRS {crs!r}")
    options = ["COMPRESS=DEFLATE", "ZLEVEL=6", "TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"]
    dst = gdal.GetDriverByName("GTiff").Create(str(tmp), width, height, 1, gdal.GDT_Byte, options=options)
    if dst is None:
        raise OSError(f"cannot create {tmp}: {gdal.GetLastErrorMsg()}")
    dst.SetGeoTransform(tuple(geotransform))
    dst.SetProjection(srs.ExportToWkt())
    dst.SetMetadata(dict(tags))
    band = dst.GetRasterBand(1)
    band.SetNoDataValue(nodata)
    band.SetDescription(description)
    band.WriteArray(grid)
    band = None
    dst.FlushCache()
    dst = None  # closing writes the file


@dataclass(frozen=True)
class BuiltupGrid:
    """The built-up raster as written (0–100, ``BUILTUP_NODATA`` outside Shanxi), to look cells up by lon/lat."""

    grid: np.ndarray
    geotransform: Tuple[float, ...]
    # Built once: making a Transformer costs far more than projecting a few hundred points.
    to_grid: Transformer = field(default_factory=lambda: Transformer.from_crs("EPSG:4326", BUILTUP_CRS,
                                                                              always_xy=True))

    def values_at(self, lon, lat) -> np.ndarray:
        """Cell values at WGS84 points (arrays); ``BUILTUP_NODATA`` off the grid."""
        x, y = self.to_grid.transform(np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float)))
        x0, dx, _, y0, _, dy = self.geotransform
        cols, rows = np.floor((x - x0) / dx).astype(int), np.floor((y - y0) / dy).astype(int)
        height, width = self.grid.shape
        ok = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
        out = np.full(cols.shape, BUILTUP_NODATA, dtype=np.uint8)
        out[ok] = self.grid[rows[ok], cols[ok]]
        return out


def write_builtup(geo: Geo, rng: np.random.Generator, target: Path,
                  tags: Dict[str, str]) -> Tuple[Dict[str, int], BuiltupGrid]:
    """The synthetic built-up fraction raster: one irregular patch per county seat, satellites, specks, holes."""
    to_m = Transformer.from_crs("EPSG:4326", BUILTUP_CRS, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = to_m.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    province_m = shapely.transform(geo.province, project)
    cell = BUILTUP_CELL_M
    minx, miny, maxx, maxy = province_m.bounds
    minx, miny = np.floor(minx / cell) * cell - 1000, np.floor(miny / cell) * cell - 1000
    maxx, maxy = np.ceil(maxx / cell) * cell + 1000, np.ceil(maxy / cell) * cell + 1000
    width, height = int(round((maxx - minx) / cell)), int(round((maxy - miny) / cell))
    geotransform = (float(minx), cell, 0.0, float(maxy), 0.0, -cell)  # GDAL order: x0, dx, 0, y0, 0, -dy
    grid = np.zeros((height, width), dtype=np.uint8)

    seat_mx, seat_my = to_m.transform(geo.seat_x, geo.seat_y)

    def window(cx: float, cy: float, reach: float):
        c0 = max(int((cx - reach - minx) // cell), 0)
        c1 = min(int((cx + reach - minx) // cell) + 1, width)
        r0 = max(int((maxy - (cy + reach)) // cell), 0)
        r1 = min(int((maxy - (cy - reach)) // cell) + 1, height)
        xs = minx + (np.arange(c0, c1) + 0.5) * cell
        ys = maxy - (np.arange(r0, r1) + 0.5) * cell
        gx, gy = np.meshgrid(xs - cx, ys - cy)
        return (slice(r0, r1), slice(c0, c1)), gx, gy

    def blob(cx: float, cy: float, radius: float, holes: int) -> None:
        # Irregular outline: radius modulated by a few low angular harmonics.
        ks = np.arange(2, 6)
        amp = rng.uniform(0.04, 0.14, ks.size)
        phase = rng.uniform(0, 2 * np.pi, ks.size)
        sl, gx, gy = window(cx, cy, radius * 1.6)
        theta = np.arctan2(gy, gx)
        r_theta = radius * (1.0 + (amp[:, None, None] * np.cos(ks[:, None, None] * theta + phase[:, None, None])).sum(0))
        s = np.hypot(gx, gy) / r_theta
        frac = np.clip((1.3 - s) / 0.6, 0.0, 1.0) * rng.uniform(0.78, 1.0, s.shape) * 100.0
        for _ in range(holes):  # parks and water inside the town
            hr = rng.uniform(200, 450)
            ht, hd = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.55) * radius
            inside = np.hypot(gx - hd * np.cos(ht), gy - hd * np.sin(ht)) < hr
            frac[inside] = rng.uniform(0, 20, int(inside.sum()))
        grid[sl] = np.maximum(grid[sl], frac.astype(np.uint8))

    for i in range(len(geo.counties)):
        radius = float(geo.radius_m[i])
        blob(seat_mx[i], seat_my[i], radius, holes=int(rng.integers(1, 4)))
        # Villages and single-cell specks around the town: what a speck filter must remove.
        for _ in range(int(rng.integers(1, 4))):
            d, t = rng.uniform(1.5, 3.0) * radius, rng.uniform(0, 2 * np.pi)
            blob(seat_mx[i] + d * np.cos(t), seat_my[i] + d * np.sin(t), rng.uniform(150, 350), holes=0)
        n_specks = int(rng.integers(4, 12))
        d = rng.uniform(1.2, 4.0, n_specks) * radius
        t = rng.uniform(0, 2 * np.pi, n_specks)
        cols = ((seat_mx[i] + d * np.cos(t) - minx) // cell).astype(int)
        rows = ((maxy - (seat_my[i] + d * np.sin(t))) // cell).astype(int)
        ok = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
        grid[rows[ok], cols[ok]] = rng.integers(60, 101, int(ok.sum())).astype(np.uint8)

    grid[_outside_mask(province_m, height, width, geotransform, BUILTUP_CRS)] = BUILTUP_NODATA

    with atomic_path(target) as tmp:
        _write_geotiff(tmp, grid, geotransform, BUILTUP_CRS, BUILTUP_NODATA, tags, "builtup_pct")
    stats = {"width": width, "height": height,
             "builtup_cells_ge50": int(((grid >= 50) & (grid != BUILTUP_NODATA)).sum())}
    return stats, BuiltupGrid(grid, geotransform, to_m)
