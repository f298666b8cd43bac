"""Per-county packages for the county bureaus: one zip per county with shapefiles, a dictionary and a GeoPackage.

Each zip, named ``<adcode>_<county>.zip`` (Windows-safe), holds

* ``county_boundary`` — the county polygon,
* every zone layer of ``zones.gpkg`` clipped to the county (layers with nothing in the county are left out),
* ``enterprise_flags`` (one row per rule hit) and ``enterprise_verdicts`` (one row per enterprise) of the
  county's flagged enterprises, points,
* each of them as a shapefile (``.shp .shx .dbf .prj .cpg``; short Chinese field names of at most 10 bytes in
  the chosen encoding: 5 characters in GBK, 3 in UTF-8), codes with their Chinese labels beside them,
* ``字段说明.csv`` — the field dictionary (short name → full name → Chinese name → meaning), UTF-8 with BOM,
* ``<adcode>_<county>.gpkg`` — the same layers with their full field names (lossless) and Chinese aliases
  (``gpkg_data_columns``, and a default QGIS style holding only the aliases),
* ``说明.txt`` — what the package is.

Pure geopandas/pyogrio: no QGIS needed, so it also runs in ``make demo`` and from Processing.
A zip is written under a temporary name and renamed when complete (``analysis/common/atomic.py``); a cancel leaves
no partial zip.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from ..analysis.common.atomic import atomic_path
from ..analysis.common.file_names import county_file_stem, unique_county_file_names
from ..analysis.common.gdal_errors import gdal_return_codes
from ..analysis.plan.zone_registry import zone_titles
from ..analysis.reports.labels import add_label_columns, rule_names
from ..analysis.reports.result_files import zone_titles_of
from ..analysis.reports.run_report import enterprise_keys
from ..analysis.schema.output_fields import (
    field_dictionary_rows,
    normalize_encoding,
    shapefile_field_names,
    truncate_to_bytes,
    write_gpkg_aliases,
)
from .scratch_files import MemoryFolder, memory_shared

__all__ = [
    "ZONE_LAYER_TITLES",
    "FLAG_LAYER_TITLES",
    "CountyPackageError",
    "load_counties",
    "load_flag_layers",
    "county_layers",
    "export_county_packages",
]

PathLike = Union[str, os.PathLike]
ProgressFn = Callable[[float], None]

# One name per zone everywhere: the zone registry's titles (with the shipped parameters).
ZONE_LAYER_TITLES: Dict[str, str] = zone_titles()
FLAG_LAYER_TITLES: Dict[str, str] = {
    "county_boundary": "县级行政区边界",
    "enterprise_flags": "企业命中明细（每条规则一行）",
    "enterprise_verdicts": "企业综合结论（每家企业一行）",
    "to_verify": "需核实",
}
COUNTY_LAYER_NAMES = ("counties", "admin", "county_boundaries")
DICTIONARY_NAME = "字段说明.csv"
README_NAME = "说明.txt"
# A file of a package: its name in the zip, and the file or its bytes.
ZipEntry = Tuple[str, Union[Path, bytes]]
# A layer's shapefile is made in GDAL's memory up to this many rows (some tens of MB), and a package keeps up to
# this many bytes of its files in memory until its zip; past either, the files wait on disk as before.
MEMORY_ROWS = 50_000
MEMORY_BYTES = 64 << 20


class CountyPackageError(RuntimeError):
    """The inputs cannot make county packages (no counties, unreadable GeoPackage…)."""


@dataclass
class FlagLayers:
    flags: gpd.GeoDataFrame
    verdicts: gpd.GeoDataFrame
    to_verify: Optional[pd.DataFrame]
    flag_keys: Dict[str, np.ndarray] = None  # type: ignore[assignment]
    verdict_pairs: List[Tuple[str, ...]] = None  # type: ignore[assignment]
    verify_keys: Optional[Dict[str, np.ndarray]] = None

    def __post_init__(self) -> None:
        self.flag_keys = _keys(self.flags)
        # worked out once, not once per county
        self.verify_keys = _keys(self.to_verify) if self.to_verify is not None else None
        # one enterprise per input row (two records sharing an id are two enterprises), as run_report counts
        self.verdict_pairs = list(enterprise_keys(self.verdicts[_key_columns(self.flags, self.verdicts)])) \
            if len(self.verdicts) else []


# --------------------------------------------------------------------------- reading


def _layer_names(path: PathLike) -> List[str]:
    return [str(row[0]) for row in pyogrio.list_layers(str(path))]


def _read(path: PathLike, layer: str) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(str(path), layer=layer)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    return frame


def _as_str(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


def load_counties(zones_gpkg: PathLike, admin_gpkg: Optional[PathLike] = None) -> gpd.GeoDataFrame:
    """County polygons (county, city, adcode, geometry; EPSG:4326).

    Looked up in ``admin_gpkg`` (a ``counties`` layer or its first layer), then a ``counties`` layer of
    ``zones.gpkg``, then the embedded Shanxi boundaries.
    """
    for source in (admin_gpkg, zones_gpkg):
        if not source or not Path(source).is_file():
            continue
        names = _layer_names(source)
        wanted = [n for n in COUNTY_LAYER_NAMES if n in names]
        if source == admin_gpkg and not wanted:
            wanted = names[:1]
        if wanted:
            gdf = _read(source, wanted[0])
            break
    else:
        from ..analysis.inputs.admin import load_shanxi_boundaries

        gdf = load_shanxi_boundaries()
    missing = {"county", "adcode"} - set(gdf.columns)
    if missing:
        raise CountyPackageError(f"county layer lacks the fields {sorted(missing)}")
    if "city" not in gdf.columns:
        gdf["city"] = ""
    gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty].copy()
    for col in ("county", "city", "adcode"):
        gdf[col] = _as_str(gdf[col])
    gdf = gdf.sort_values("adcode", kind="stable").reset_index(drop=True)
    if gdf.empty:
        raise CountyPackageError("no county polygons found")
    return gdf


def _points_for(flags: pd.DataFrame, verdicts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``flags`` as points: their own geometry, else lon/lat, else the verdict's point of the same enterprise."""
    if isinstance(flags, gpd.GeoDataFrame) and flags.geometry.notna().any():
        return flags
    frame = pd.DataFrame(flags).drop(columns=["geometry"], errors="ignore")
    if {"lon", "lat"} <= set(frame.columns):
        geom = gpd.points_from_xy(pd.to_numeric(frame["lon"], errors="coerce"),
                                  pd.to_numeric(frame["lat"], errors="coerce"))
    elif len(verdicts) and {"ent_id", "layer"} <= set(verdicts.columns):
        lookup = dict(zip(zip(_as_str(verdicts["ent_id"]), _as_str(verdicts["layer"])), verdicts.geometry))
        keys = zip(_as_str(frame["ent_id"]), _as_str(frame["layer"]))
        geom = gpd.GeoSeries([lookup.get(k) for k in keys], crs=4326)
    else:
        geom = gpd.GeoSeries([None] * len(frame), crs=4326)
    return gpd.GeoDataFrame(frame, geometry=list(geom), crs=4326)


def load_flag_layers(flags_gpkg: PathLike) -> FlagLayers:
    """enterprise_flags (as points), enterprise_verdicts and to_verify of ``flags.gpkg``."""
    names = _layer_names(flags_gpkg)
    for needed in ("enterprise_flags", "enterprise_verdicts"):
        if needed not in names:
            raise CountyPackageError(f"{flags_gpkg} has no layer '{needed}' (layers: {', '.join(names)})")
    verdicts = _read(flags_gpkg, "enterprise_verdicts")
    if not isinstance(verdicts, gpd.GeoDataFrame):
        verdicts = _points_for(verdicts, gpd.GeoDataFrame(geometry=[], crs=4326))
    flags = _points_for(_read(flags_gpkg, "enterprise_flags"), verdicts)
    to_verify = _read(flags_gpkg, "to_verify") if "to_verify" in names else None
    # label columns beside the codes (a flags.gpkg of an older run has none)
    labels = rule_names()
    flags = add_label_columns(flags, "enterprise_flags", labels)
    verdicts = add_label_columns(verdicts, "enterprise_verdicts", labels)
    if to_verify is not None:
        to_verify = add_label_columns(to_verify, "to_verify", labels)
    return FlagLayers(flags, verdicts, to_verify)


def _read_zone_layers(zones_gpkg: PathLike) -> Dict[str, gpd.GeoDataFrame]:
    layers: Dict[str, gpd.GeoDataFrame] = {}
    for name in _layer_names(zones_gpkg):
        if name in COUNTY_LAYER_NAMES:
            continue
        gdf = _read(zones_gpkg, name)
        if isinstance(gdf, gpd.GeoDataFrame) and len(gdf):
            gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
            gdf = gdf.set_geometry(shapely.make_valid(gdf.geometry.values))
            layers[name] = gdf.reset_index(drop=True)
    return layers


# --------------------------------------------------------------------------- selecting one county


def _key_columns(flags: pd.DataFrame, verdicts: pd.DataFrame) -> List[str]:
    """The columns both tables name an enterprise by: layer and input row, else layer and id."""
    both = set(flags.columns) & set(verdicts.columns)
    return ["layer", "row"] if {"layer", "row"} <= both else ["layer", "ent_id"]


def _keys(frame: pd.DataFrame) -> Dict[str, np.ndarray]:
    """Stripped text of adcode / county / city / ent_id / layer (compute once, pass around)."""
    return {col: _as_str(frame[col]).to_numpy() for col in ("adcode", "county", "city", "ent_id", "layer")
            if col in frame.columns}


def _county_mask(frame: pd.DataFrame, adcode: str, city: str, county: str,
                 keys: Optional[Dict[str, np.ndarray]] = None) -> np.ndarray:
    """Rows of ``frame`` in the county: by adcode when present, else by (city, county) names."""
    keys = keys if keys is not None else _keys(frame)
    mask = np.zeros(len(frame), dtype=bool)
    if "adcode" in keys:
        codes = keys["adcode"]
        mask |= codes == adcode
        has_code = codes != ""
    else:
        has_code = np.zeros(len(frame), dtype=bool)
    if "county" in keys:
        same = keys["county"] == county
        if "city" in keys and city:
            same &= (keys["city"] == city) | (keys["city"] == "")
        mask |= same & ~has_code
    return mask


def _clip(gdf: gpd.GeoDataFrame, polygon) -> gpd.GeoDataFrame:
    idx = gdf.sindex.query(polygon, predicate="intersects")
    if len(idx) == 0:
        return gdf.iloc[0:0]
    part = gdf.iloc[np.sort(idx)].copy()
    geoms = shapely.intersection(part.geometry.values, polygon)
    geoms = shapely.get_parts(geoms, return_index=True)  # drop stray lines/points of the cut
    keep = shapely.get_type_id(geoms[0]) == 3
    polys, owner = geoms[0][keep], geoms[1][keep]
    if len(polys) == 0:
        return gdf.iloc[0:0]
    merged = [shapely.multipolygons(polys[owner == i]) for i in range(len(part))]
    part = part.set_geometry(merged)
    part = part[~part.geometry.is_empty & (shapely.area(part.geometry.values) > 1e-12)]
    return part


def county_layers(
    county_row: pd.Series,
    zones: Dict[str, gpd.GeoDataFrame],
    flag_layers: FlagLayers,
) -> Dict[str, gpd.GeoDataFrame]:
    """The layers of one county's package, in package order (boundary, zones, verdicts, flags)."""
    adcode, city, county = county_row["adcode"], county_row["city"], county_row["county"]
    polygon = county_row.geometry
    out: Dict[str, gpd.GeoDataFrame] = {
        "county_boundary": gpd.GeoDataFrame(
            {"county": [county], "city": [city], "adcode": [adcode]}, geometry=[polygon], crs=4326
        )
    }
    for name, gdf in zones.items():
        clipped = _clip(gdf, polygon)
        if len(clipped):
            out[name] = clipped.reset_index(drop=True)
    flags = flag_layers.flags[_county_mask(flag_layers.flags, adcode, city, county, flag_layers.flag_keys)]
    cols = _key_columns(flag_layers.flags, flag_layers.verdicts)
    keys = set(enterprise_keys(flags[cols])) if len(flags) else set()
    verdicts = flag_layers.verdicts
    if len(verdicts):
        vkeys = flag_layers.verdict_pairs
        in_flags = np.fromiter((k in keys for k in vkeys), dtype=bool, count=len(vkeys))
        verdicts = verdicts[in_flags]
    if len(verdicts):
        out["enterprise_verdicts"] = verdicts.reset_index(drop=True)
    if len(flags):
        out["enterprise_flags"] = flags.reset_index(drop=True)
    tv = flag_layers.to_verify
    if tv is not None and len(tv) and ({"adcode", "county"} & set(tv.columns)):
        tv = tv[_county_mask(tv, adcode, city, county, flag_layers.verify_keys)]
        if len(tv):
            out["to_verify"] = tv.reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- writing


DBF_TEXT_BYTES = 254  # the widest dBASE text field


def _fit_dbf(value, encoding: str):
    """A text too long for a dBASE field ends in "…" at a character boundary (the package's GeoPackage keeps
    it whole), instead of GDAL cutting it mid-character with a warning."""
    if not isinstance(value, str) or len(value.encode(encoding, errors="replace")) <= DBF_TEXT_BYTES:
        return value
    return truncate_to_bytes(value, DBF_TEXT_BYTES - len("…".encode(encoding)), encoding) + "…"


def _short_texts(series: pd.Series) -> bool:
    """Blanks and texts of at most DBF_TEXT_BYTES // 4 characters (4 bytes a character at most, in UTF-8)."""
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return False
    # a loop, not .str.len(): a package's layers are small, and the accessor costs more than the texts
    return max((len(v) for v in series.to_numpy(dtype=object) if isinstance(v, str)), default=0) <= DBF_TEXT_BYTES // 4


def _shapefile_ready(gdf: gpd.GeoDataFrame, mapping: Dict[str, str], encoding: str = "UTF-8") -> gpd.GeoDataFrame:
    """Columns renamed to their short names; booleans → 0/1, datetimes → ISO text (dBASE has neither); texts
    cut to what a dBASE field holds."""
    frame = gdf.copy()
    for col in mapping:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            frame[col] = series.astype("int32")
        elif pd.api.types.is_datetime64_any_dtype(series):
            frame[col] = series.dt.strftime("%Y-%m-%d").fillna("")
        elif series.dtype == object or isinstance(series.dtype, pd.StringDtype):  # pandas 3 text: the str dtype
            if _short_texts(series):
                continue  # texts only, none longer than a field holds in any encoding: kept as they are
            frame[col] = series.map(lambda v: _fit_dbf(v if v is None or isinstance(v, (str, int, float)) else str(v),
                                                       encoding))
    return frame.rename(columns=mapping)


def _attribute_columns(gdf: pd.DataFrame) -> List[str]:
    geom = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    return [c for c in gdf.columns if c != geom]


@contextmanager
def _commits_without_sync() -> Iterator[None]:
    """SQLite commits without waiting for the disk and without a rollback journal, for this thread's GDAL writes
    only (thread-local GDAL options; no other write of QGIS is touched). The package's GeoPackage is a temporary
    file, zipped and then deleted, and the zip is written whole or not at all: waiting for the disk at each of its
    dozen commits took half of the packages' time, and a journal file made and removed for each, a tenth more.
    Without GDAL's Python bindings the writes simply wait."""
    try:
        from osgeo import gdal
    except ImportError:  # pragma: no cover - QGIS always ships them
        yield
        return
    options = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "OFF"}
    previous = {k: gdal.GetThreadLocalConfigOption(k, None) for k in options}
    for key, value in options.items():
        gdal.SetThreadLocalConfigOption(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            gdal.SetThreadLocalConfigOption(key, value)


def _write_gpkg_layer(gdf: pd.DataFrame, gpkg: str, name: str, first: bool) -> None:
    """A layer into the package's GeoPackage; ``first`` makes the file."""
    with _commits_without_sync():
        if first:
            pyogrio.write_dataframe(gdf, gpkg, layer=name, driver="GPKG", dataset_options={"VERSION": "1.2"})
        else:
            pyogrio.write_dataframe(gdf, gpkg, layer=name, driver="GPKG", append=True)


def _write_gpkg(layers: Dict[str, pd.DataFrame], gpkg: Path, work: Path, memory: Optional[MemoryFolder]) -> None:
    """The package's GeoPackage, its layers in order. pyogrio adds a layer by opening the file again, and each
    opening has SQLite read the whole schema anew (every earlier layer's tables and triggers): two thirds of the
    GeoPackage's time. So, where pyogrio shares GDAL with its Python bindings, each layer is written by pyogrio
    as a FlatGeobuf (its types, rows in order) and GDAL copies it into a GeoPackage opened once. Elsewhere
    pyogrio appends layer by layer; both give the same file (tested)."""
    # A column named fid (any case) is GeoPackage's own key: GDAL 3.6's CopyLayer never returns on one
    if memory is None or any(str(c).lower() == "fid" for gdf in layers.values() for c in gdf.columns):
        for k, (name, gdf) in enumerate(layers.items()):
            _write_gpkg_layer(gdf, str(gpkg), name, first=k == 0)
        return
    with _commits_without_sync():
        _copy_into_gpkg(layers, gpkg, work, memory)


@gdal_return_codes()  # errors checked here, GDAL's process-wide switch left as QGIS set it
def _copy_into_gpkg(layers: Dict[str, pd.DataFrame], gpkg: Path, work: Path, memory: MemoryFolder) -> None:
    from osgeo import gdal, ogr

    def failed(what: str) -> OSError:
        return OSError(f"{gpkg.name}: {what}: {gdal.GetLastErrorMsg() or 'GDAL error'}")

    gdal.ErrorReset()
    target = ogr.GetDriverByName("GPKG").CreateDataSource(str(gpkg), options=["VERSION=1.2"])
    if target is None:
        raise failed("create")
    try:
        for name, gdf in layers.items():
            on_disk = len(gdf) > MEMORY_ROWS
            source = str(work / f"{name}.fgb") if on_disk else memory.path(f"{name}.fgb")
            # no spatial index in the FlatGeobuf: with one, it would hand the rows over in another order
            pyogrio.write_dataframe(gdf, source, layer=name, driver="FlatGeobuf", layer_options={"SPATIAL_INDEX": "NO"})
            try:
                src = ogr.Open(source)
                copied = None if src is None else target.CopyLayer(src.GetLayer(0), name,
                                                                    options=["SPATIAL_INDEX=YES"])
                # a row CopyLayer could not write is only an error it records (it returns the layer short of it),
                # and the next CopyLayer clears it: checked here, layer by layer
                if copied is None or gdal.GetLastErrorType() >= gdal.CE_Failure:
                    raise failed(f"layer {name}")
                src = None
            finally:
                if on_disk:
                    Path(source).unlink(missing_ok=True)
                else:
                    memory.remove(f"{name}.fgb")
        gdal.ErrorReset()
    finally:
        target = None  # closes the file: SQLite writes what is left (a full disk shows here)
    if gdal.GetLastErrorType() >= gdal.CE_Failure:
        raise failed("write")


# GDAL's process-wide SHAPE_ENCODING option decides how shapefile text is recoded. QGIS's OGR provider
# sets it to "" (no recoding) once it has opened a shapefile, and pyogrio shares that GDAL inside QGIS:
# a GBK package written afterwards would hold UTF-8 bytes under a GBK .cpg. So each write clears the
# option and restores it, one write at a time.
_SHAPEFILE_WRITE_LOCK = threading.Lock()


def _write_shapefile(gdf: gpd.GeoDataFrame, path: Path, encoding: str) -> None:
    with _SHAPEFILE_WRITE_LOCK:
        previous = pyogrio.get_gdal_config_option("SHAPE_ENCODING")
        pyogrio.set_gdal_config_options({"SHAPE_ENCODING": None})
        try:
            pyogrio.write_dataframe(gdf, str(path), driver="ESRI Shapefile", encoding=encoding)
        finally:
            pyogrio.set_gdal_config_options({"SHAPE_ENCODING": previous})


def _write_package(
    layers: Dict[str, gpd.GeoDataFrame], stem: str, work: Path, encoding: str,
    titles: Optional[Dict[str, str]] = None,
) -> List[ZipEntry]:
    """The files of one county's package, in zip order: shapefiles, GeoPackage, dictionary and readme. The
    GeoPackage is written into ``work``; the shapefiles are made in GDAL's memory (:mod:`.scratch_files`) and
    handed over as bytes, else (memory not shared, a layer past MEMORY_ROWS) written into ``work`` too.
    ``titles``: the layers' Chinese titles (the zones' with the parameters they were built with)."""
    titles = titles or {**ZONE_LAYER_TITLES, **FLAG_LAYER_TITLES}
    entries: List[ZipEntry] = []
    dictionary: List[Dict[str, str]] = []
    memory = MemoryFolder() if memory_shared() else None
    held = 0  # bytes of the package kept in Python's memory until the zip
    gpkg_name = f"{stem}.gpkg"
    gpkg = work / gpkg_name
    try:
        for name, gdf in layers.items():
            title = titles.get(name, name)
            mapping = shapefile_field_names(_attribute_columns(gdf), encoding, readable=True)
            dictionary.extend(field_dictionary_rows(mapping, name, title))
            in_memory = memory is not None and len(gdf) <= MEMORY_ROWS
            where = memory.path if in_memory else (lambda part: str(work / part))
            if isinstance(gdf, gpd.GeoDataFrame):
                _write_shapefile(_shapefile_ready(gdf, mapping, encoding), where(f"{name}.shp"), encoding)
                parts = [f"{name}{s}" for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")]
            else:
                _write_shapefile(_shapefile_ready(gdf, mapping), where(f"{name}.dbf"), encoding)
                parts = [f"{name}.dbf", f"{name}.cpg"]
            for part in parts:
                if not (memory.exists(part) if in_memory else (work / part).is_file()):
                    continue  # (a layer without a CRS has no .prj)
                if part.endswith(".cpg"):  # the .cpg names the encoding so QGIS / ArcGIS read the Chinese right
                    entries.append((part, encoding.encode("ascii")))
                elif not in_memory:
                    entries.append((part, work / part))
                else:
                    data = memory.read(part)
                    if held + len(data) > MEMORY_BYTES:  # past the bound: this file waits for the zip on disk
                        (work / part).write_bytes(data)
                        entries.append((part, work / part))
                    else:
                        held += len(data)
                        entries.append((part, data))
                if in_memory:
                    memory.remove(part)
        _write_gpkg(layers, gpkg, work, memory)  # on disk: SQLite's own file
    finally:
        if memory is not None:
            memory.close()
    with _commits_without_sync():
        write_gpkg_aliases(gpkg, {name: _attribute_columns(gdf) for name, gdf in layers.items()}, qgis_style=True,
                           durable=False)
    csv = pd.DataFrame(dictionary, columns=["图层", "图层说明", "短字段名", "完整字段名", "中文名", "含义"]).to_csv(
        index=False)
    return entries + [(gpkg_name, gpkg), (DICTIONARY_NAME, csv.encode("utf-8-sig")),
                      (README_NAME, _readme_text(stem, layers, encoding, titles).encode("utf-8-sig"))]


def _readme_text(stem: str, layers: Dict[str, gpd.GeoDataFrame], encoding: str, titles: Dict[str, str]) -> str:
    lines = [
        f"{stem} 蓝天管控分区数据包",
        "",
        f"Shapefile 编码：{encoding}（见 .cpg 文件）；字段名为不超过 10 字节的中文简称，完整字段名与含义见 {DICTIONARY_NAME}。",
        "类别、措施类别等代码列旁另有中文列（如 类别代码 boiler → 类别 锅炉）。",
        f"{stem}.gpkg 为同样内容的 GeoPackage，保留完整字段名，并带中文别名（QGIS 打开即显示中文列名）。"
        "坐标系：WGS84（EPSG:4326）。",
        "",
        "图层：",
    ]
    for name, gdf in layers.items():
        title = titles.get(name, name)
        lines.append(f"  {name}  {title}  {len(gdf)} 条")
    lines += ["", "示例数据为合成数据；“1+30”名单为预置参考名单，请以省大气办正式文件为准。"]
    return "\n".join(lines) + "\n"


def _zip_atomically(entries: Sequence[ZipEntry], target: Path) -> None:
    """One county's zip, whole or absent: a bureau never opens half a zip (analysis/common/atomic.py).
    ``entries``: (name in the zip, a file or its bytes)."""
    with atomic_path(target) as part, \
            zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, source in entries:
            if isinstance(source, Path):
                zf.write(source, arcname=name)
            else:
                zf.writestr(name, source)


def export_county_packages(
    zones_gpkg: PathLike,
    flags_gpkg: PathLike,
    out_dir: PathLike,
    encoding: str = "UTF-8",
    progress: Optional[ProgressFn] = None,
    is_canceled: Optional[Callable[[], bool]] = None,
    admin_gpkg: Optional[PathLike] = None,
    workers: int = 4,
    warn: Optional[Callable[[str], None]] = None,
) -> List[Path]:
    """Write one zip per county into ``out_dir``; return the zips written, in adcode order.

    ``progress`` receives a percentage (0–100; ``QgsFeedback.setProgress`` fits). When ``is_canceled()``
    turns true the export stops after removing the zip in the making; the complete ones are returned.
    Counties come from ``admin_gpkg``, a ``counties`` layer of ``zones.gpkg`` or the embedded Shanxi set.
    """
    enc = normalize_encoding(encoding)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..analysis.inputs.validation import OutputError, write_error

        raise OutputError(write_error(out, exc)) from exc
    counties = load_counties(zones_gpkg, admin_gpkg)
    zones = _read_zone_layers(zones_gpkg)
    titles = {**zone_titles_of(zones_gpkg), **FLAG_LAYER_TITLES}  # the radius and rings the zones have
    flag_layers = load_flag_layers(flags_gpkg)
    names = unique_county_file_names(zip(counties["adcode"], counties["county"]))
    for (adcode, county), name in zip(zip(counties["adcode"], counties["county"]), names):
        stem = Path(name).stem
        if warn is not None and stem != county_file_stem(adcode, county):  # a clash got a number
            warn(f"行政区划图层中有两个县区「{county}」的区划代码都是 {adcode}：它们的数据包分别为 "
                 f"{county_file_stem(adcode, county)}.zip 和 {name}，请核对行政区划图层 / two counties named {county} "
                 f"share the adcode {adcode}: packages {county_file_stem(adcode, county)}.zip and {name}")
    total = len(counties)
    canceled = (lambda: False) if is_canceled is None else is_canceled
    done: Dict[int, Path] = {}

    def write_one(i: int, layers: Dict[str, gpd.GeoDataFrame], file_name: str, tmp: str) -> Optional[Path]:
        work = Path(tmp) / f"c{i:04d}"
        work.mkdir()
        try:
            entries = _write_package(layers, file_name[: -len(".zip")], work, enc, titles)
            if canceled():
                return None
            target = out / file_name
            _zip_atomically(entries, target)
            return target
        finally:
            shutil.rmtree(work, ignore_errors=True)

    # GDAL writes release the GIL: a few threads overlap the many small shapefile/GeoPackage writes
    workers = max(1, min(workers, os.cpu_count() or 1))
    try:
        _write_all(out, names, counties, zones, flag_layers, write_one, workers, canceled, progress, total, done)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        from ..analysis.inputs.validation import OutputError, write_error

        raise OutputError(write_error(out, exc)) from exc
    return [done[i] for i in sorted(done)]


def _write_all(out, names, counties, zones, flag_layers, write_one, workers, canceled, progress, total, done) -> None:
    """Write the zips with a few threads (a zip is whole or absent: _zip_atomically)."""
    with tempfile.TemporaryDirectory(prefix="bluesky_pkg_", dir=str(out)) as tmp, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        pending = []
        for i, file_name in enumerate(names):
            if canceled():
                break
            layers = county_layers(counties.iloc[i], zones, flag_layers)
            pending.append((i, pool.submit(write_one, i, layers, file_name, tmp)))
            # keep memory bounded and progress honest: collect finished work as we go
            while len(pending) > 2 * workers:
                j, fut = pending.pop(0)
                path = fut.result()
                if path is not None:
                    done[j] = path
                if progress is not None:
                    progress(100.0 * len(done) / total)
        for j, fut in pending:
            path = fut.result()
            if path is not None:
                done[j] = path
            if progress is not None:
                progress(100.0 * len(done) / total)
