"""The run's GeoPackages: ``zones.gpkg`` (with the parameters the zones were built with), ``flags.gpkg`` and
``admin.gpkg`` (the normalised counties the atlas and the packages draw). Each is written whole or not at all
(:func:`.atomic.atomic_path`).
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Mapping, Optional, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..common.atomic import atomic_path
from ..flagging.output_tables import FLAG_COLUMNS, FLAG_EXTRA_COLUMNS, TO_VERIFY_COLUMNS, VERDICT_COLUMNS
from ..inputs.villages import RURAL_COLUMNS, RURAL_LAYER
from ..plan.zone_registry import ZONE_LAYERS, zone_by_layer
from ..schema.output_fields import write_gpkg_aliases
from ..zones.builders import ZoneSet
from . import gpkg_bulk
from .labels import LABEL_COLUMNS, TO_VERIFY_PEOPLE_COLUMNS

PathLike = Union[str, Path]
FLAG_LAYER_NAMES = ("enterprise_flags", "enterprise_verdicts", "to_verify")
PARAMS_KEY = "bluesky_zoning_params"  # zones.gpkg dataset metadata: JSON {name: value} (no ":": GDAL splits keys on it)
# Where a zones.gpkg written before the parameters were recorded keeps them: (layer, column) per parameter.
_PARAM_COLUMNS = {"chp_radius_km": ("chp_heating_radius", "radius_km"), "mine_ring_km": ("mine_closure_zone", "ring_km"),
                  "fringe_km": ("coal_ban_zone", "fringe_km"), "planning_ring_km": ("planning_area", "ring_km")}


def _multi(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons promoted to MultiPolygon so each zone layer has one geometry type."""
    out = []
    for g in np.asarray(gdf.geometry.values, dtype=object):
        if g is None or g.is_empty:
            out.append(None)
            continue
        polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        out.append(shapely.MultiPolygon(polys) if polys else None)
    return gdf.set_geometry(gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs))


def _clean_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Booleans become ints for portable GPKG fields; attrs (notes) are not written. The other columns are the
    frame's own (a shallow copy): a 10M-point run's 4.6M verdicts are not copied to be written."""
    out = gdf.copy(deep=False)
    geom = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None  # a plain table has none
    for col in out.columns:
        if col != geom and out[col].dtype == bool:
            out[col] = out[col].astype("int32")
    out.attrs = {}
    return out


def _arrow_writes() -> bool:
    """pyogrio writes through GDAL's Arrow interface with GDAL 3.8+ and pyarrow; older stacks write row by row."""
    import pyogrio

    if tuple(pyogrio.__gdal_version__[:2]) < (3, 8):
        return False
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _typed_for_arrow(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text columns with no value at all (an empty layer, a note never filled) as strings: Arrow types them
    'null', a field type GDAL cannot create, where the row-by-row path makes them String fields."""
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    empty = [c for c in frame.columns if c != geom and frame[c].dtype == object and not frame[c].notna().any()]
    if not empty:
        return frame
    out = frame.copy(deep=False)
    for col in empty:
        out[col] = out[col].astype(pd.StringDtype())
    return out


def _write_layer(tmp: Path, name: str, frame: gpd.GeoDataFrame, geometry_type: Optional[str], first: bool,
                 metadata: Optional[Mapping[str, str]]) -> None:
    import pyogrio

    options = dict(layer=name, driver="GPKG", geometry_type=geometry_type, encoding="UTF-8")
    meta = dict(metadata) if metadata and first else None
    bulk = (geometry_type == "Point" and isinstance(frame, gpd.GeoDataFrame) and
            len(frame) >= gpkg_bulk.BULK_MIN_ROWS)
    if not bulk:
        if _arrow_writes():
            import pyarrow

            try:
                pyogrio.write_dataframe(_typed_for_arrow(frame), tmp, append=not first, dataset_metadata=meta,
                                        use_arrow=True, **options)
                return
            except pyarrow.ArrowException:
                pass  # a column Arrow cannot type (numbers among texts): refused before GDAL wrote anything
        pyogrio.write_dataframe(frame, tmp, append=not first, dataset_metadata=meta, **options)
        return
    # A big point layer (gpkg_bulk, on every GDAL): the layer is made empty, with its index, the rows go in a
    # chunk at a time, and the index in bulk, worked out by a thread of its own while the rows go in and stored
    # between their chunks.
    pyogrio.write_dataframe(frame.iloc[:0], tmp, append=not first, dataset_metadata=meta, **options)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    coords = gpkg_bulk.point_coords(geoms)
    # a point's box is the point itself
    bounds = np.column_stack([coords[0], coords[1], coords[0], coords[1]]) if coords is not None else \
        shapely.bounds(geoms)
    with ThreadPoolExecutor(1, thread_name_prefix="rtree_plan") as pool:
        plan = pool.submit(gpkg_bulk.plan_rtree, bounds, gpkg_bulk.rtree_node_size(tmp, name))
        del bounds
        with gpkg_bulk.triggers_aside(tmp, name):
            if coords is None or not gpkg_bulk.insert_points(tmp, name, frame, coords, rtree=plan):
                pyogrio.write_dataframe(frame, tmp, append=True, **options)
                gpkg_bulk.set_feature_count(tmp, name, len(frame))
                gpkg_bulk.write_rtree(tmp, name, plan.result())


def write_gpkg(path: PathLike, layers: Mapping[str, gpd.GeoDataFrame], geometry_types: Mapping[str, str],
               metadata: Optional[Mapping[str, str]] = None) -> Path:
    """Write ``layers`` (in order) into one GeoPackage at ``path``, whole or nothing; a layer missing from
    ``geometry_types`` gets the type its geometries have."""
    path = Path(path)
    with atomic_path(path) as tmp:
        for i, (name, gdf) in enumerate(layers.items()):
            _write_layer(Path(tmp), name, _clean_columns(gdf), geometry_types.get(name), i == 0, metadata)
        # Chinese field aliases (gpkg_data_columns), read by GDAL 3.7+ and so by QGIS
        write_gpkg_aliases(tmp, {n: [c for c in g.columns if c != getattr(g, "_geometry_column_name", None)]
                                 for n, g in layers.items()})
    return path


def write_zones(zones: ZoneSet, path: PathLike) -> Path:
    """zones.gpkg: every registry zone (an empty layer for one not built) and the zones' parameters."""
    layers = {}
    for name in ZONE_LAYERS:
        gdf = zones.get(name)
        if gdf is None:
            gdf = gpd.GeoDataFrame({"zone_id": pd.Series([], dtype=object)}, geometry=[], crs="EPSG:4326")
        layers[name] = _multi(gdf)
    return write_gpkg(path, layers, {n: "MultiPolygon" for n in layers},
                      {PARAMS_KEY: json.dumps(zones.params, ensure_ascii=False, sort_keys=True)})


def read_zone_params(path: PathLike) -> Dict[str, float]:
    """The parameters a zones.gpkg was built with ({} when it records none and no layer shows them)."""
    import pyogrio

    layers = {str(row[0]) for row in pyogrio.list_layers(str(path))}
    if not layers:
        return {}
    first = next(iter(n for n in ZONE_LAYERS if n in layers), sorted(layers)[0])
    meta = pyogrio.read_info(str(path), layer=first).get("dataset_metadata") or {}
    if PARAMS_KEY in meta:
        return {str(k): float(v) for k, v in json.loads(meta[PARAMS_KEY]).items()}
    found: Dict[str, float] = {}  # an older zones.gpkg: what its columns show
    for name, (layer, column) in _PARAM_COLUMNS.items():
        if layer in layers:
            frame = pyogrio.read_dataframe(str(path), layer=layer, read_geometry=False)
            values = pd.to_numeric(frame.get(column, pd.Series([], dtype=float)), errors="coerce").dropna()
            if len(values):
                found[name] = float(values.iloc[0])
    return found


def read_zones(path: PathLike) -> ZoneSet:
    """A zones.gpkg as a ZoneSet: the registry's layers it holds (EPSG:4326) and its recorded parameters."""
    import pyogrio

    present = {str(row[0]) for row in pyogrio.list_layers(str(path))}
    layers = {}
    for name in ZONE_LAYERS:
        if name in present:
            gdf = gpd.read_file(str(path), layer=name, engine="pyogrio")
            layers[name] = gdf.to_crs("EPSG:4326") if gdf.crs is not None and not gdf.crs.equals("EPSG:4326") else gdf
    return ZoneSet(layers, read_zone_params(path))


def zone_titles_of(path: Optional[PathLike]) -> Dict[str, str]:
    """{layer: Chinese title} of a zones.gpkg, with the parameters it was built with."""
    params = read_zone_params(path) if path and Path(path).is_file() else {}
    return {name: zone_by_layer(name).title_for(params) for name in ZONE_LAYERS}


def write_flags(flags: gpd.GeoDataFrame, verdicts: gpd.GeoDataFrame, to_verify: gpd.GeoDataFrame,
                path: PathLike, rural_heating: Optional[pd.DataFrame] = None) -> Path:
    """flags.gpkg: the contract columns of the hits, verdicts and rows to verify (extras kept when present), then
    the codes' Chinese label columns (analysis/reports/labels.py); with villages, the table ``rural_heating`` (the rural
    clean-heating coverage per county, city and province, no geometry)."""
    flags = _select(flags, "enterprise_flags", FLAG_COLUMNS + FLAG_EXTRA_COLUMNS)
    verdicts = _select(verdicts, "enterprise_verdicts",
                       VERDICT_COLUMNS + ["verdict_class", "severity", "adcode", "n_rules", "row"])
    to_verify = _select(to_verify, "to_verify",
                        TO_VERIFY_COLUMNS + ["row", "field", "raw", "flagged"] + TO_VERIFY_PEOPLE_COLUMNS)
    frames = dict(zip(FLAG_LAYER_NAMES, (flags, verdicts, to_verify)))
    if rural_heating is not None and len(rural_heating):
        frames[RURAL_LAYER] = rural_heating[RURAL_COLUMNS]
    return write_gpkg(path, frames, {n: "Point" for n in FLAG_LAYER_NAMES})


def read_rural_heating(path: PathLike) -> pd.DataFrame:
    """The ``rural_heating`` table of a flags.gpkg (empty, with its columns, when the run had no villages)."""
    import pyogrio

    if RURAL_LAYER not in {str(row[0]) for row in pyogrio.list_layers(str(path))}:
        return pd.DataFrame(columns=RURAL_COLUMNS)
    return pd.DataFrame(pyogrio.read_dataframe(str(path), layer=RURAL_LAYER, read_geometry=False))


def _select(frame: gpd.GeoDataFrame, table: str, wanted) -> gpd.GeoDataFrame:
    """The columns of ``wanted`` present, in that order (the contract first), then the Chinese label columns
    (QGIS shows each beside its code: layers/styling.py)."""
    cols = list(dict.fromkeys(c for c in wanted if c in frame.columns))
    cols += [label for _code, label in LABEL_COLUMNS.get(table, []) if label in frame.columns]
    return frame[cols + [frame.geometry.name]]


def write_admin(admin: gpd.GeoDataFrame, path: PathLike) -> Path:
    """admin.gpkg: the run's normalised counties (layer ``counties``), which the atlas and the packages draw."""
    return write_gpkg(path, {"counties": admin}, {})
