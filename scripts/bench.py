#!/usr/bin/env python3
"""`make bench`: the plugin's flagging against a chain of QGIS native algorithms and the raw shapely floor.

On the demo zones (built once from the demo data with the real pipeline code, timed as zones_s), for
synthetic boiler-like points over Shanxi (N = 100k, 1M, 10M; cached GeoPackages in .cache/bench):

* plugin  – ``analysis.flagging.engine.flag_enterprises`` on the in-memory layer: county assignment, every zone
            test, every enabled boiler rule, reasons, verdicts, to-verify table;
* qgis    – the same answers from ``processing.run`` of QGIS native algorithms on memory layers
            (joinattributesbylocation for the county, extractbylocation per geometric zone,
            extractbyexpression for fuel / capacity / use / key cities), 100k and 1M only;
* floor   – the raw kernels: prepared ``shapely.contains_xy`` per polygon after a sorted-x bounding-box
            prefilter, numpy masks for the rules; no I/O, no reasons, no tables.

It asserts that plugin and QGIS flag the same ids for B-35, B-10, B-BAN, B-CHP and B-NOX (exit 1 if not;
the only tolerated difference is a point within 1 m of a CHP ring edge, where the 360-vertex ring layer
and the engine's exact geodesic distance legitimately disagree — such points are counted and shown).
Then, in a fresh process, 10M points are read from their GeoPackage, flagged and their verdicts written with
the plugin's writer (``reports.result_files.write_flags``: spatial index, aliases; wall time and peak RSS); after it, the
machine's floors for two of its parts: GDAL's Arrow read of the points alone, and SQLite storing the verdict rows
again without Python.
Before the 10M step, what this machine charges (a fresh process): seconds per GB to touch new memory for the first
time and once freed, and a pure-Python reference loop, so the figures can be read against the machine.
Finally the province run on the demo data (``pipeline.run_analysis``, no atlas), a what-if rerun of it after
one change (``scenarios.session.ScenarioSession.run``, CHP radius + 5 km, in a session that has run its base)
and the atlas (``layers.atlas.export.export_atlas``) are timed.

Options: --sizes 100k,1M,10M  --skip-10m  --no-qgis  --no-atlas  --repeat N (plugin/floor best of N)  --profile
(cProfile summaries of the province run and of a what-if rerun).
The last line is machine-readable (see README of issue 6).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bench"
SEED = 20200312
POINTS_LAYER = "boilers"
COMPARED_RULES = ("B-35", "B-10", "B-BAN", "B-CHP", "B-NOX")
RING_EDGE_TOLERANCE_M = 1.0
# The bench points' columns as the reader and the read floor take them. GDAL < 3.8.3 reads GeoPackage booleans
# wrongly through Arrow; SQL hands the flag over as an integer.
POINTS_SQL = (f'SELECT ent_id, fuel, capacity_tph, "use", CAST(low_nox_done AS INTEGER) AS low_nox_done, geom '
              f'FROM "{POINTS_LAYER}"')


sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402

link_package()

import numpy as np  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    t = text.strip().lower().replace("_", "")
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    return int(float(t) * mult)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def peak_rss_gb() -> float:
    """This process's peak resident memory. Linux keeps ru_maxrss across exec, so a child started by a big
    parent would report the parent's peak; VmHWM belongs to the process's own memory and starts anew."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0 ** 2  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 ** 2  # Linux: KiB


# --------------------------------------------------------------------------------------------------
# Demo inputs and zones


def load_demo_inputs():
    """The demo's admin layer, rule set, four enterprise tables (as the dock imports them) and raster path."""
    import pyogrio
    from bluesky_zoning.analysis.inputs.admin import guess_admin_fields, normalize_admin
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
    from bluesky_zoning.analysis.plan.rules import load_rules
    from bluesky_zoning.demo.data import ensure_demo_data

    demo = ensure_demo_data(ROOT / ".cache" / "demo")
    raw = pyogrio.read_dataframe(demo.admin_gpkg, layer="counties")
    f = guess_admin_fields([c for c in raw.columns if c != "geometry"])
    admin = normalize_admin(raw, f["county"], f["city"], f["adcode"])
    ruleset = load_rules()
    ents = {}
    for kind, key in (("boiler", "boilers"), ("mine", "mines"), ("plant", "plants"), ("chp", "chp")):
        ents[kind] = enterprises_from_table(read_table(getattr(demo, key)), kind,
                                            coord_system=demo.coord_systems[key])
    return demo, admin, ruleset, ents


def build_zones(demo, admin, ruleset, ents, repeat: int):
    """Built-up polygons from the raster, then every zone; best of ``repeat`` for each."""
    from bluesky_zoning.analysis.inputs.builtup import builtup_from_raster
    from bluesky_zoning.analysis.zones.builders import build_all_zones

    p = ruleset.params
    builtup_s, zones_s = [], []
    builtup = zones = None
    for _ in range(repeat):
        t = time.perf_counter()
        builtup = builtup_from_raster(demo.builtup_tif, p["builtup_threshold"], p["builtup_min_area_m2"],
                                      p["builtup_max_hole_m2"])
        builtup_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        zones = build_all_zones(admin, builtup, ents["chp"], ruleset)
        zones_s.append(time.perf_counter() - t)
    return builtup, zones, min(builtup_s), min(zones_s), zones_s


def write_zones_gpkg(zones, admin, path: Path) -> None:
    """Counties plus the zone layers the QGIS chain needs, in one GeoPackage (EPSG:4326 like the points)."""
    import pyogrio

    if path.exists():
        path.unlink()
    layers = {
        "counties": admin[["county", "city", "adcode", "geometry"]],
        "coal_ban_zone": zones["coal_ban_zone"][["zone_id", "adcode", "geometry"]],
        "chp_union": zones["chp_heating_radius"].loc[zones["chp_heating_radius"]["part"] == "union",
                                                      ["zone_id", "geometry"]],
    }
    for i, (name, gdf) in enumerate(layers.items()):
        pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", append=i > 0,
                                geometry_type="Unknown", promote_to_multi=False,
                                dataset_options={"VERSION": "1.2"} if i == 0 else None)


def key_cities(zones) -> List[str]:
    z = zones["key_city_groups"]
    return [str(c) for c in z.loc[z["is_key"].astype(bool), "city"]]


# --------------------------------------------------------------------------------------------------
# Synthetic points


def points_path(n: int) -> Path:
    """The cached GeoPackage of ``n`` points; its name carries a digest of the generator's source."""
    import hashlib

    import bench_points

    digest = hashlib.sha1(Path(bench_points.__file__).read_bytes()).hexdigest()[:8]
    return CACHE / f"boilers_{size_label(n)}_seed{SEED}_{digest}.gpkg"


def generate_points_file(n: int, path: Path) -> None:
    """Generate ``n`` boilers inside Shanxi (province outline from the admin layer) into ``path``."""
    import geopandas as gpd
    import pyogrio
    import shapely
    from bench_points import generate_boilers
    from bluesky_zoning.analysis.inputs.admin import load_shanxi_boundaries

    admin = load_shanxi_boundaries()
    province = shapely.union_all(np.asarray(admin.geometry.values))
    shapely.prepare(province)
    reps = shapely.point_on_surface(np.asarray(admin.geometry.values))
    centers = np.column_stack([shapely.get_x(reps), shapely.get_y(reps)])
    weights = np.where(admin["is_city_district"].astype(bool).to_numpy(), 3.0, 1.0)

    def inside(x, y):
        return shapely.contains_xy(province, x, y)

    t = time.perf_counter()
    d = generate_boilers(n, SEED, tuple(province.bounds), inside=inside, centers=centers,
                         center_weights=weights)
    log(f"generated {size_label(n)} points in {time.perf_counter() - t:.1f} s; writing {path.name}")
    gdf = gpd.GeoDataFrame({"ent_id": d["ent_id"], "fuel": d["fuel"], "capacity_tph": d["capacity_tph"],
                            "use": d["use"], "low_nox_done": d["low_nox_done"]},
                           geometry=shapely.points(d["x"], d["y"]), crs="EPSG:4326")
    del d
    from bluesky_zoning.analysis.common.atomic import atomic_path

    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(gdf, tmp, layer=POINTS_LAYER, driver="GPKG", geometry_type="Point",
                                layer_options={"SPATIAL_INDEX": "NO"}, dataset_options={"VERSION": "1.2"})


def ensure_points(n: int) -> Path:
    path = points_path(n)
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        log(f"generating {size_label(n)} synthetic points (once; cached in {CACHE})")
        # a child process, so the generator's memory never counts against this one
        subprocess.run([sys.executable, __file__, "--child", "generate", str(n), str(path)], check=True)
    return path


def read_points(path: Path, coords: bool = False):
    """The points as a GeoDataFrame with the canonical columns; text columns as categoricals.

    With pyarrow, through GDAL's Arrow stream (``pyogrio.read_arrow``): numbers arrive as numpy arrays,
    text as dictionary codes and the point coordinates straight out of the WKB buffer, so no Python object
    is made per row except the shapely point itself. Without pyarrow, ``pyogrio.read_dataframe``.

    ``coords=True``: an ``engine.PointTable`` instead (the attribute frame plus x/y arrays), so no point
    geometry is made at all at read time; the engine makes points only for the rows it outputs.
    """
    import pyogrio

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        gdf = pyogrio.read_dataframe(path, layer=POINTS_LAYER, columns=["ent_id", "fuel", "capacity_tph", "use",
                                                                       "low_nox_done"])
        for col in ("fuel", "use"):
            gdf[col] = gdf[col].astype("category")
        if coords:
            import pandas as pd
            import shapely
            from bluesky_zoning.analysis.flagging.engine import PointTable

            xy = shapely.get_coordinates(np.asarray(gdf.geometry.values))
            return PointTable(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), xy[:, 0].copy(), xy[:, 1].copy(),
                              crs=gdf.crs)
        return gdf
    return _read_points_arrow(path, coords)


def _arrow_xy(chunk) -> Tuple[np.ndarray, np.ndarray]:
    """x, y of an Arrow WKB array of 2D points, read from its buffers (shapely for anything else)."""
    import shapely

    n = len(chunk)
    if n == 0:
        return np.empty(0), np.empty(0)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
    data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
    rec = data[offsets[0]:offsets[-1]]
    plain = chunk.null_count == 0 and bool((np.diff(offsets) == 21).all())
    if plain:
        rec = rec.reshape(n, 21)
        plain = bool((rec[:, 0] == 1).all() and (rec[:, 1:5].view("<u4")[:, 0] == 1).all())
    if plain:  # little-endian WKB Point: 1 byte order, 4 type, 8 x, 8 y
        return rec[:, 5:13].copy().view("<f8")[:, 0], rec[:, 13:21].copy().view("<f8")[:, 0]
    g = shapely.from_wkb(np.asarray(chunk.to_pylist(), dtype=object))
    ok = shapely.get_type_id(g) == 0
    return np.where(ok, shapely.get_x(g), np.nan), np.where(ok, shapely.get_y(g), np.nan)


class _Codes:
    """A text column read batch by batch as codes into one list of categories (-1: blank)."""

    def __init__(self, n: int):
        self.codes = np.full(n, -1, dtype=np.int8)
        self.categories: List[str] = []
        self._index: Dict[str, int] = {}

    def add(self, start: int, array) -> None:
        import pyarrow as pa

        enc = array.dictionary_encode()
        if isinstance(enc, pa.ChunkedArray):
            enc = enc.combine_chunks()
        local = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        for text in enc.dictionary.to_pylist():
            if text not in self._index:
                if len(self.categories) >= 127:
                    raise ValueError("more than 127 distinct values in a bench text column")
                self._index[text] = len(self.categories)
                self.categories.append(text)
        to_global = np.array([self._index[t] for t in enc.dictionary.to_pylist()] + [-1], dtype=np.int8)
        self.codes[start:start + len(local)] = to_global[local]

    def categorical(self):
        import pandas as pd

        return pd.Categorical.from_codes(self.codes, categories=self.categories)


def _read_points_arrow(path: Path, coords: bool = False):
    """Batch by batch (GDAL's Arrow stream), into arrays made once for all the rows: only one batch of Arrow
    memory exists at a time, not a second copy of the layer."""
    import geopandas as gpd
    import pyogrio
    import shapely

    n = int(pyogrio.read_info(path, layer=POINTS_LAYER)["features"])
    x, y = np.empty(n), np.empty(n)
    ent_id, cap = np.empty(n, dtype=np.int64), np.empty(n)
    low_nox = np.empty(n, dtype=bool)
    fuel, use = _Codes(n), _Codes(n)
    low_blank = False
    at = 0
    with pyogrio.open_arrow(path, sql=POINTS_SQL, use_pyarrow=True) as (meta, reader):
        gname = meta["geometry_name"] or "geom"
        for batch in reader:
            k = batch.num_rows
            if at + k > n:
                raise RuntimeError(f"{path}: more rows than the {n} its layer reports")
            part = slice(at, at + k)
            x[part], y[part] = _arrow_xy(batch.column(gname))
            ids = batch.column("ent_id")
            if ids.null_count:
                raise ValueError(f"{path}: blank ent_id in the bench points")
            ent_id[part] = ids.to_numpy()
            cap[part] = batch.column("capacity_tph").to_numpy(zero_copy_only=False)
            low = batch.column("low_nox_done")
            low_blank = low_blank or low.null_count > 0
            low_nox[part] = low.fill_null(0).to_numpy(zero_copy_only=False) != 0
            fuel.add(at, batch.column("fuel"))
            use.add(at, batch.column("use"))
            at += k
        crs = meta.get("crs") or "EPSG:4326"
    if at != n:
        raise RuntimeError(f"{path}: {at} rows read, its layer reports {n}")
    if low_blank:
        raise ValueError(f"{path}: blank low_nox_done in the bench points")
    data = {"ent_id": ent_id, "fuel": fuel.categorical(), "capacity_tph": cap, "use": use.categorical(),
            "low_nox_done": low_nox}
    if coords:
        import pandas as pd
        from bluesky_zoning.analysis.flagging.engine import PointTable

        return PointTable(pd.DataFrame(data, copy=False), x, y, crs=crs)
    return gpd.GeoDataFrame(data, geometry=shapely.points(x, y), crs=crs)


# --------------------------------------------------------------------------------------------------
# The three ways


def run_plugin(gdf, zones, admin, ruleset):
    from bluesky_zoning.analysis.flagging.engine import flag_enterprises

    t = time.perf_counter()
    res = flag_enterprises(zones, admin, {"boiler": gdf}, ruleset)
    return time.perf_counter() - t, res


def plugin_ids(res) -> Dict[str, set]:
    f = res.flags
    return {r: set(f.loc[f["rule_id"] == r, "ent_id"].astype(str)) for r in COMPARED_RULES}


class Floor:
    """The raw kernels: sorted-x bbox prefilter + prepared contains_xy per polygon, numpy masks."""

    def __init__(self, zones, admin, ruleset):
        import shapely

        self.counties = list(admin.geometry.values)
        self.city = admin["city"].to_numpy(dtype=object)
        self.ban = list(zones["coal_ban_zone"].geometry.values)
        chp = zones["chp_heating_radius"]
        self.rings = list(chp.loc[chp["part"] == "plant"].geometry.values)
        self.key = set(key_cities(zones))
        self.p = ruleset.params
        for g in self.counties + self.ban + self.rings:
            shapely.prepare(g)

    @staticmethod
    def _locate(x, y, order, xs, geoms, first_only=True):
        import shapely

        res = np.full(len(x), -1, dtype=np.int64)
        for i, g in enumerate(geoms):
            minx, miny, maxx, maxy = g.bounds
            lo, hi = np.searchsorted(xs, minx, "left"), np.searchsorted(xs, maxx, "right")
            cand = order[lo:hi]
            yc = y[cand]
            cand = cand[(yc >= miny) & (yc <= maxy)]
            if first_only:
                cand = cand[res[cand] < 0]
            if len(cand):
                res[cand[shapely.contains_xy(g, x[cand], y[cand])]] = i
        return res

    def run(self, x, y, fuel, cap, use, low_nox) -> Tuple[float, Dict[str, np.ndarray]]:
        t = time.perf_counter()
        order = np.argsort(x, kind="stable")
        xs = x[order]
        county = self._locate(x, y, order, xs, self.counties)
        judged = county >= 0
        is_key_city = np.array([c in self.key for c in self.city], dtype=bool)
        in_key = judged & is_key_city[np.where(judged, county, 0)]
        in_ban = self._locate(x, y, order, xs, self.ban) >= 0
        in_chp = self._locate(x, y, order, xs, self.rings) >= 0
        coal = judged & (fuel == "coal")
        with np.errstate(invalid="ignore"):
            out = {
                "B-35": coal & in_key & (cap < self.p["b35_tph"]),
                "B-10": coal & judged & ~in_key & (cap <= self.p["b10_tph"]),
                "B-BAN": coal & in_ban,
                "B-CHP": coal & in_chp & (use == "heating"),
                "B-NOX": judged & (fuel == "gas") & ~low_nox,
            }
        return time.perf_counter() - t, out


def floor_inputs(gdf):
    import shapely

    xy = shapely.get_coordinates(np.asarray(gdf.geometry.values))
    return (xy[:, 0].copy(), xy[:, 1].copy(), gdf["fuel"].to_numpy(dtype=object),
            gdf["capacity_tph"].to_numpy(dtype=float), gdf["use"].to_numpy(dtype=object),
            gdf["low_nox_done"].to_numpy(dtype=bool))


class QgisChain:
    """QGIS itself, headless, and the chain of native algorithms."""

    def __init__(self):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", str(ROOT / ".build" / "qgis-profile"))
        from qgis.core import QgsApplication

        self.app = QgsApplication([], False)
        self.app.initQgis()
        sys.path.append("/usr/share/qgis/python/plugins")
        sys.path.append(os.path.join(self.app.pkgDataPath(), "python", "plugins"))
        from processing.core.Processing import Processing

        Processing.initialize()
        import processing

        self.processing = processing

    def memory_copy(self, path: Path, layer: str):
        from qgis.core import QgsFeatureRequest, QgsVectorLayer

        vl = QgsVectorLayer(f"{path}|layername={layer}", layer, "ogr")
        if not vl.isValid():
            raise RuntimeError(f"cannot open {path}|{layer} in QGIS")
        mem = vl.materialize(QgsFeatureRequest())
        return mem

    def run(self, points, counties, ban, chp_union, key: List[str], params) -> Tuple[float, Dict[str, set], Dict]:
        from qgis.core import QgsProcessingContext, QgsProcessingFeedback

        run = self.processing.run
        ctx = QgsProcessingContext()
        fb = QgsProcessingFeedback()
        tmp = "TEMPORARY_OUTPUT"
        cities = ",".join("'" + c.replace("'", "''") + "'" for c in key)
        steps: Dict[str, float] = {}

        def go(name, alg, params_):
            t0 = time.perf_counter()
            out = run(alg, params_, context=ctx, feedback=fb)["OUTPUT"]
            steps[name] = steps.get(name, 0.0) + time.perf_counter() - t0
            return out

        def expr(layer, e, name):
            return go(name, "native:extractbyexpression", {"INPUT": layer, "EXPRESSION": e, "OUTPUT": tmp})

        def loc(layer, zone, name):
            return go(name, "native:extractbylocation",
                      {"INPUT": layer, "PREDICATE": [0], "INTERSECT": zone, "OUTPUT": tmp})

        t = time.perf_counter()
        joined = go("join county", "native:joinattributesbylocation", {
            "INPUT": points, "JOIN": counties, "PREDICATE": [0], "JOIN_FIELDS": ["county", "city", "adcode"],
            "METHOD": 1, "DISCARD_NONMATCHING": False, "PREFIX": "", "OUTPUT": tmp})
        coal = expr(joined, "\"fuel\" = 'coal' AND \"county\" IS NOT NULL", "attribute filters")
        b35 = expr(coal, f"\"capacity_tph\" < {params['b35_tph']} AND \"city\" IN ({cities})", "attribute filters")
        b10 = expr(coal, f"\"capacity_tph\" <= {params['b10_tph']} AND \"city\" NOT IN ({cities})",
                   "attribute filters")
        bban = loc(coal, ban, "extract by location")
        heating = expr(coal, "\"use\" = 'heating'", "attribute filters")
        bchp = loc(heating, chp_union, "extract by location")
        bnox = expr(joined, "\"fuel\" = 'gas' AND NOT \"low_nox_done\" AND \"county\" IS NOT NULL",
                    "attribute filters")
        elapsed = time.perf_counter() - t
        outs = {"B-35": b35, "B-10": b10, "B-BAN": bban, "B-CHP": bchp, "B-NOX": bnox}
        ids = {}
        for rule, lyr in outs.items():
            if isinstance(lyr, str):
                lyr = ctx.getMapLayer(lyr) or ctx.temporaryLayerStore().mapLayer(lyr)
            idx = lyr.fields().indexOf("ent_id")
            ids[rule] = {str(v) for v in lyr.uniqueValues(idx)}
        return elapsed, ids, steps


def explain_diffs(diff_ids: set, gdf, zones) -> Tuple[int, List[str]]:
    """How many differing ids lie within RING_EDGE_TOLERANCE_M of a CHP ring edge (and the others)."""
    from pyproj import Geod

    if not diff_ids:
        return 0, []
    geod = Geod(ellps="WGS84")
    chp = zones["chp_heating_radius"]
    plants = chp[chp["part"] == "plant"]
    ids = np.array(sorted(diff_ids, key=int), dtype=np.int64)
    sub = gdf[gdf["ent_id"].isin(ids)]
    xs, ys = sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy()
    near = np.zeros(len(sub), bool)
    for lon, lat, r_km in zip(plants["lon"], plants["lat"], plants["radius_km"]):
        d = np.array([geod.inv(float(lon), float(lat), float(a), float(b))[2] for a, b in zip(xs, ys)])
        near |= np.abs(d - r_km * 1000.0) < RING_EDGE_TOLERANCE_M
    other = [str(i) for i in sub["ent_id"].to_numpy()[~near]]
    missing = set(map(str, ids)) - set(map(str, sub["ent_id"]))
    return int(near.sum()), other + sorted(missing)


# --------------------------------------------------------------------------------------------------
# 10M: read, flag, write verdicts (child process)


def child_flag_big(path: Path, out_path: Path) -> Dict:
    from bluesky_zoning.analysis.reports.result_files import write_flags

    demo, admin, ruleset, ents = load_demo_inputs()
    _b, zones, _bs, _zs, _ = build_zones(demo, admin, ruleset, ents, 1)
    del ents, _b
    gc.collect()
    base_rss = peak_rss_gb()
    use0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    gdf = read_points(path, coords=True)  # coordinates only: points are made for the output rows alone
    t1 = time.perf_counter()
    flag_s, res = run_plugin(gdf, zones, admin, ruleset)
    t2 = time.perf_counter()
    verdicts = res.verdicts
    # The plugin's own writer (what bluesky:run_all writes flags.gpkg with: its columns, spatial index, Chinese
    # aliases, atomic), given the verdicts; the hits and rows to verify are left empty here.
    write_flags(res.flags.iloc[:0], verdicts, res.to_verify.iloc[:0], out_path)
    t3 = time.perf_counter()
    use1 = resource.getrusage(resource.RUSAGE_SELF)
    read_floor, store_floor = read_floor_s(path), store_floor_s(out_path, "enterprise_verdicts")
    # The kernel's share (system time, page faults) is printed apart: on a virtual machine, memory touched for
    # the first time can cost seconds per GB, which is the machine's, not the code's.
    return {"n": int(len(gdf)), "read_s": t1 - t0, "flag_s": t2 - t1, "write_s": t3 - t2, "total_s": t3 - t0,
            "user_s": use1.ru_utime - use0.ru_utime, "sys_s": use1.ru_stime - use0.ru_stime,
            "minor_faults": use1.ru_minflt - use0.ru_minflt,
            "flags": int(len(res.flags)), "verdicts": int(len(verdicts)), "to_verify": int(len(res.to_verify)),
            "peak_gb": peak_rss_gb(), "base_gb": base_rss, "read_floor_s": read_floor, "store_floor_s": store_floor}


def child_machine() -> Dict:
    """What this machine charges, measured in a fresh process like the 10M step: seconds per GB to touch new
    memory for the first time (the kernel's share apart) and to touch it again once freed, and a pure-Python
    reference loop. On a virtual machine whose host backs guest memory lazily the first figure can be a
    hundred times the second (about 90 times here); the 10M step's system time is mostly that."""
    size = 1 << 29  # half a GB: enough to measure, a few seconds on a slow host
    use0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    first = np.ones(size // 8)
    t1, use1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    del first
    again = np.ones(size // 8)
    t2 = time.perf_counter()
    del again
    t3 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    t4 = time.perf_counter()
    gb = size / 1e9
    return {"first_touch_s_per_gb": (t1 - t0) / gb, "first_touch_sys_s_per_gb": (use1.ru_stime - use0.ru_stime) / gb,
            "touch_again_s_per_gb": (t2 - t1) / gb, "python_loop_s": t4 - t3, "loop_sum": total}


def read_floor_s(path: Path) -> Optional[float]:
    """What GDAL alone takes to read the points: its Arrow stream of the same columns, the batches taken and
    dropped (no conversion to numpy). None without pyarrow."""
    import pyogrio

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    t = time.perf_counter()
    with pyogrio.open_arrow(path, sql=POINTS_SQL, use_pyarrow=True) as (_meta, reader):
        for _batch in reader:
            pass
    return time.perf_counter() - t


def store_floor_s(gpkg: Path, table: str) -> float:
    """What SQLite alone takes to store the written rows: a table of the same definition in a scratch database
    filled from the GeoPackage by one INSERT … SELECT (each row decoded and encoded again, no Python per row)."""
    import sqlite3

    scratch = gpkg.with_name(gpkg.stem + ".floor.sqlite")
    scratch.unlink(missing_ok=True)
    con = sqlite3.connect(str(scratch))
    try:
        con.execute("PRAGMA synchronous = OFF")
        con.execute("ATTACH DATABASE ? AS src", (str(gpkg),))
        ddl = con.execute("SELECT sql FROM src.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
        con.execute(ddl)
        cols = ", ".join(f'"{r[1]}"' for r in con.execute(f'PRAGMA src.table_info("{table}")') if r[1] != "fid")
        t = time.perf_counter()
        # WHERE keeps SQLite from copying the records unread (its transfer shortcut for SELECT *)
        con.execute(f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM src."{table}" WHERE fid > 0')  # nosec B608 # the bench's own table
        con.commit()
        return time.perf_counter() - t
    finally:
        con.close()
        scratch.unlink(missing_ok=True)


def run_child(args: List[str]) -> Dict:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------
# Province run and atlas


def province_run(admin, demo, ents, ruleset, repeat: int):
    from bluesky_zoning.analysis.pipeline import run_analysis

    times, result = [], None
    enterprises = {k: v for k, v in ents.items() if k != "chp"}
    for _ in range(repeat):
        t = time.perf_counter()
        result = run_analysis(admin, demo.builtup_tif, enterprises, ents["chp"], ruleset)
        times.append(time.perf_counter() - t)
    return min(times), times, result


def whatif(admin, demo, ents, ruleset, repeat: int) -> Tuple[float, List[float], str]:
    """The province demo rerun after one change (the CHP heating radius + 5 km) in a scenario session that has
    run its base: only the zones the change touches are rebuilt, and the flag step reuses the rest."""
    from bluesky_zoning.analysis.scenarios.session import ScenarioSession

    enterprises = {k: v for k, v in ents.items() if k != "chp"}
    session = ScenarioSession(admin, demo.builtup_tif, enterprises, ents["chp"], ruleset)
    session.base_result()
    radius = ruleset.params["chp_radius_km"]
    spec = session.parse(f"chp_radius_km={radius + 5:g}")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        session.run(spec)
        times.append(time.perf_counter() - t)
    return min(times), times, f"chp_radius_km {radius:g}→{radius + 5:g}, rebuilt {', '.join(session.last_rebuilt)}"


def profile_runs(admin, demo, ents, ruleset, top: int = 25) -> None:
    """--profile: where the province run and a what-if rerun spend their time (cProfile, one run each)."""
    import cProfile
    import io
    import pstats

    from bluesky_zoning.analysis.pipeline import run_analysis
    from bluesky_zoning.analysis.scenarios.session import ScenarioSession

    enterprises = {k: v for k, v in ents.items() if k != "chp"}
    session = ScenarioSession(admin, demo.builtup_tif, enterprises, ents["chp"], ruleset)
    session.base_result()
    spec = session.parse(f"chp_radius_km={ruleset.params['chp_radius_km'] + 5:g}")
    for title, call in (("province run (run_analysis)",
                         lambda: run_analysis(admin, demo.builtup_tif, enterprises, ents["chp"], ruleset)),
                        ("what-if rerun (ScenarioSession.run)", lambda: session.run(spec))):
        prof = cProfile.Profile()
        prof.enable()
        call()
        prof.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).strip_dirs().sort_stats(order).print_stats(top)
            print(f"\n=== profile: {title}, by {order} ===")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def atlas(result, demo, out_dir: Path) -> Tuple[Optional[float], str]:
    try:
        from bluesky_zoning.layers.atlas import export as atlas_mod
    except ImportError as exc:
        return None, f"layers/atlas/export.py not importable ({exc})"
    if not hasattr(atlas_mod, "export_atlas"):
        return None, "layers/atlas/export.py has no export_atlas"
    from bluesky_zoning.analysis.pipeline import write_results

    paths = write_results(result, out_dir)
    pdf = out_dir / "atlas.pdf"
    t = time.perf_counter()
    res = atlas_mod.export_atlas(paths["zones"], paths["flags"], demo.admin_gpkg, pdf)
    took = time.perf_counter() - t
    pages = getattr(res, "pages", "?")
    return took, f"{pages} pages → {pdf}"


# --------------------------------------------------------------------------------------------------


def fmt(v, spec=".2f") -> str:
    return "NA" if v is None else format(v, spec)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100k,1M,10M")
    ap.add_argument("--skip-10m", action="store_true", help="skip the 10M step")
    ap.add_argument("--no-qgis", action="store_true", help="skip the QGIS chain")
    ap.add_argument("--no-atlas", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="plugin/floor/zones/province/whatif: best of N")
    ap.add_argument("--profile", action="store_true",
                    help="print a cProfile summary of the province run and of a what-if rerun")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        if a.child[0] == "generate":
            generate_points_file(int(a.child[1]), Path(a.child[2]))
            return 0
        if a.child[0] == "flagbig":
            print(json.dumps(child_flag_big(Path(a.child[1]), Path(a.child[2]))))
            return 0
        if a.child[0] == "machine":
            print(json.dumps(child_machine()))
            return 0
        raise SystemExit(f"unknown child {a.child}")

    started = time.perf_counter()
    sizes = [parse_size(s) for s in a.sizes.split(",") if s.strip()]
    if a.skip_10m:
        sizes = [n for n in sizes if n < 10_000_000]
    small = [n for n in sizes if n <= 1_000_000]
    big = [n for n in sizes if n > 1_000_000]
    CACHE.mkdir(parents=True, exist_ok=True)
    failures: List[str] = []
    table: List[Dict] = []

    log("demo inputs")
    demo, admin, ruleset, ents = load_demo_inputs()
    log("zones")
    builtup, zones, builtup_s, zones_s, zones_all = build_zones(demo, admin, ruleset, ents, max(a.repeat, 1))
    zones_gpkg = CACHE / "bench_zones.gpkg"
    write_zones_gpkg(zones, admin, zones_gpkg)
    for n in sizes:
        ensure_points(n)

    qgis = None
    if small and not a.no_qgis:
        log("starting QGIS")
        qgis = QgisChain()
        q_counties = qgis.memory_copy(zones_gpkg, "counties")
        q_ban = qgis.memory_copy(zones_gpkg, "coal_ban_zone")
        q_chp = qgis.memory_copy(zones_gpkg, "chp_union")
    floor = Floor(zones, admin, ruleset)

    for n in small:
        lab = size_label(n)
        path = points_path(n)
        t = time.perf_counter()
        gdf = read_points(path)
        read_s = time.perf_counter() - t
        log(f"{lab}: read {read_s:.2f} s; floor")
        fin = floor_inputs(gdf)
        floor_s, floor_masks = min((floor.run(*fin) for _ in range(max(a.repeat, 1))), key=lambda r: r[0])
        ent = gdf["ent_id"].to_numpy()
        floor_ids = {r: set(map(str, ent[m])) for r, m in floor_masks.items()}
        log(f"{lab}: floor {floor_s:.2f} s; plugin")
        plugin_runs = []
        res = None
        for _ in range(max(a.repeat, 1)):
            res = None
            gc.collect()
            s, res = run_plugin(gdf, zones, admin, ruleset)
            plugin_runs.append(s)
        plugin_s = min(plugin_runs)
        pids = plugin_ids(res)
        row = {"n": n, "label": lab, "read_s": read_s, "plugin_s": plugin_s, "floor_s": floor_s,
               "flags": len(res.flags), "verdicts": len(res.verdicts), "to_verify": len(res.to_verify),
               "qgis_s": None, "match": "not compared", "hits": {r: len(pids[r]) for r in COMPARED_RULES}}
        del res
        gc.collect()
        floor_diff = {r: len(pids[r] ^ floor_ids[r]) for r in COMPARED_RULES}
        row["floor_diff"] = floor_diff
        if qgis is not None:
            log(f"{lab}: plugin {plugin_s:.2f} s; QGIS chain")
            q_points = qgis.memory_copy(path, POINTS_LAYER)
            qgis_s, qids, steps = qgis.run(q_points, q_counties, q_ban, q_chp, key_cities(zones), ruleset.params)
            del q_points
            row["qgis_s"], row["qgis_steps"] = qgis_s, steps
            notes, bad = [], []
            for r in COMPARED_RULES:
                diff = pids[r] ^ qids[r]
                if not diff:
                    continue
                if r == "B-CHP":
                    edge, other = explain_diffs(diff, gdf, zones)
                    if edge:
                        notes.append(f"{r}: {edge} id(s) within {RING_EDGE_TOLERANCE_M:g} m of a ring edge")
                    if other:
                        bad.append(f"{r}: {len(other)} ids differ (e.g. {other[:5]})")
                else:
                    bad.append(f"{r}: {len(diff)} ids differ (plugin {len(pids[r])}, qgis {len(qids[r])}, "
                               f"e.g. {sorted(diff, key=int)[:5]})")
            row["match"] = "same ids" + (" (" + "; ".join(notes) + ")" if notes else "") if not bad else \
                "DIFFERENT: " + "; ".join(bad)
            if bad:
                failures.append(f"{lab}: " + "; ".join(bad))
        log(f"{lab}: done {row}")
        table.append(row)
        del gdf, fin
        gc.collect()

    log("this machine: first touch of new memory, a Python loop (fresh process)")
    machine = run_child(["machine"])
    big_rows = []
    for n in big:
        lab = size_label(n)
        log(f"{lab}: read + flag + write verdicts in a fresh process")
        r = run_child(["flagbig", str(points_path(n)), str(CACHE / f"verdicts_{lab}.gpkg")])
        r["label"] = lab
        big_rows.append(r)
        log(f"{lab}: {r}")

    log("province run")
    province_s, province_all, result = province_run(admin, demo, ents, ruleset, max(a.repeat, 1))
    log("what-if rerun")
    whatif_s, whatif_all, whatif_note = whatif(admin, demo, ents, ruleset, max(a.repeat, 1))
    if a.profile:
        profile_runs(admin, demo, ents, ruleset)
    atlas_s, atlas_note = None, "skipped (--no-atlas)"
    if not a.no_atlas:
        if qgis is None:
            log("starting QGIS")
            qgis = QgisChain()
        log("atlas")
        try:
            atlas_s, atlas_note = atlas(result, demo, CACHE / "province")
        except Exception as exc:  # noqa: BLE001 - reported, the bench goes on
            atlas_s, atlas_note = None, f"failed: {exc!r}"

    # ---------------------------------------------------------------------------------------- report
    print()
    print("Blue Sky Zoning benchmark — flagging synthetic boilers on the demo zones (2 cores here: "
          f"{os.cpu_count()} CPUs visible)")
    print(f"zones: builtup raster → polygons {builtup_s:.2f} s; build_all_zones {zones_s:.2f} s "
          f"(runs: {', '.join(f'{z:.2f}' for z in zones_all)})")
    print()
    hdr = f"{'N':>5} | {'read':>6} | {'plugin':>7} | {'floor':>6} | {'QGIS':>7} | {'QGIS/plugin':>11} | " \
          f"{'plugin/floor':>12} | {'flags':>9} | {'verdicts':>9} | ids plugin vs QGIS"
    print(hdr)
    print("-" * len(hdr))
    for r in table:
        ratio_q = r["qgis_s"] / r["plugin_s"] if r["qgis_s"] else None
        print(f"{r['label']:>5} | {r['read_s']:6.2f} | {r['plugin_s']:7.2f} | {r['floor_s']:6.2f} | "
              f"{fmt(r['qgis_s']):>7} | {fmt(ratio_q, '.1f'):>11} | {r['plugin_s'] / r['floor_s']:12.1f} | "
              f"{r['flags']:9d} | {r['verdicts']:9d} | {r['match']}")
    for r in table:
        print(f"  {r['label']}: rule hits " + ", ".join(f"{k} {v}" for k, v in r["hits"].items())
              + "; plugin vs floor id differences " + ", ".join(f"{k} {v}" for k, v in r["floor_diff"].items()))
        if r.get("qgis_steps"):
            print(f"  {r['label']}: QGIS steps " + ", ".join(f"{k} {v:.2f} s" for k, v in r["qgis_steps"].items()))
    for r in big_rows:
        print(f"{r['label']:>5}: read {r['read_s']:.1f} s + flag {r['flag_s']:.1f} s + write verdicts (result_files) "
              f"{r['write_s']:.1f} s = {r['total_s']:.1f} s; {r['flags']} flags, {r['verdicts']} verdicts, "
              f"{r['to_verify']} to verify; peak RSS {r['peak_gb']:.2f} GB (zones + inputs before the read: "
              f"{r['base_gb']:.2f} GB); CPU: user {r['user_s']:.1f} s, system {r['sys_s']:.1f} s "
              f"({r['minor_faults'] / 1e6:.2f}M page faults)")
        print(f"{r['label']:>5}: this machine's floors, measured after: GDAL's Arrow read of the points "
              f"{fmt(r['read_floor_s'], '.1f')} s; SQLite storing the {r['verdicts']} verdict rows again, without "
              f"Python, {r['store_floor_s']:.1f} s")
    print(f"this machine, in a fresh process: new memory touched for the first time "
          f"{machine['first_touch_s_per_gb']:.2f} s/GB (kernel {machine['first_touch_sys_s_per_gb']:.2f} s/GB), "
          f"touched again once freed {machine['touch_again_s_per_gb']:.2f} s/GB; a Python loop of 10M additions "
          f"{machine['python_loop_s']:.2f} s")
    print(f"province run on the demo data (run_analysis, no atlas): {province_s:.2f} s "
          f"(runs: {', '.join(f'{p:.2f}' for p in province_all)}); "
          f"{len(result.flags)} flags, {len(result.verdicts)} verdicts")
    print(f"what-if rerun of the province run after one change ({whatif_note}): {whatif_s:.2f} s "
          f"(runs: {', '.join(f'{p:.2f}' for p in whatif_all)})")
    print(f"atlas: {fmt(atlas_s, '.1f')} s — {atlas_note}")
    print(f"bench wall time {time.perf_counter() - started:.0f} s; this process peak RSS {peak_rss_gb():.2f} GB")
    for f in failures:
        print("MISMATCH " + f)

    one_m = next((r for r in table if r["n"] == 1_000_000), table[-1] if table else None)
    ten_m = next((r for r in big_rows if r["n"] == 10_000_000), big_rows[-1] if big_rows else None)
    ratio_q = one_m["qgis_s"] / one_m["plugin_s"] if one_m and one_m["qgis_s"] else None
    ratio_f = one_m["plugin_s"] / one_m["floor_s"] if one_m else None
    print(f"bench: ratio_vs_qgis_1M={fmt(ratio_q, '.1f')} ratio_vs_floor_1M={fmt(ratio_f, '.2f')} "
          f"flag_10M_s={fmt(ten_m['total_s'] if ten_m else None, '.1f')} "
          f"peak_GB={fmt(ten_m['peak_gb'] if ten_m else None, '.2f')} "
          f"flag_10M_user_s={fmt(ten_m['user_s'] if ten_m else None, '.1f')} "
          f"flag_10M_sys_s={fmt(ten_m['sys_s'] if ten_m else None, '.1f')} "
          f"read_floor_10M_s={fmt(ten_m['read_floor_s'] if ten_m else None, '.1f')} "
          f"store_floor_10M_s={fmt(ten_m['store_floor_s'] if ten_m else None, '.1f')} zones_s={zones_s:.2f} "
          f"province_run_s={province_s:.2f} whatif_s={whatif_s:.2f} atlas_s={fmt(atlas_s, '.1f')} "
          f"first_touch_s_per_GB={machine['first_touch_s_per_gb']:.2f} python_loop_s={machine['python_loop_s']:.2f}",
          flush=True)
    if qgis is not None:
        qgis.app.exitQgis()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
