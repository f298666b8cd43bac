"""The zones drawn on the ground: built-up areas and their rings (Z-BAN, Z-MINE, the Z-PLAN fallback), the
user's planning areas (Z-PLAN) and the CHP plants' geodesic heating radii (Z-CHP).

Distances are true ground distances: CHP rings are geodesic circles (vertices placed with ``pyproj.Geod.fwd``),
built-up rings are buffered in the run's metric CRS and densified before going back to lon/lat.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from ..common.metric import metric_crs
from ..schema.params import format_value
from .county_pieces import cut_by_counties, dissolve_pieces
from .frames import ZONE_ID, blank_text, city_key, empty_zone, param_or_default, with_notes

GEOD = Geod(ellps="WGS84")
RING_VERTICES = 360  # sagitta of a 15 km geodesic circle with 360 vertices ≈ 0.6 m
DENSIFY_M = 500.0
# The first step of a built-up ring (PrefectureRings, the Z-BAN fringe): a short buffer rounds the raster's pixel
# staircase off cheaply (each arc spans a few pixels), and the rest of the distance is then buffered from a
# smooth edge. Measured on the demo's 100 m raster: the 1 km ring in 0.57 s instead of 1.06 s of GEOS time.
RING_FIRST_STEP_M = 200.0


def buffer_each(geoms: np.ndarray, distance: float) -> np.ndarray:
    """``shapely.buffer(geoms, distance, quad_segs=16)``, the geometries shared out over threads (GEOS runs
    without the GIL), the ones with most vertices first. Each result is the one the single vectorised call
    gives; a buffer of a built-up staircase costs most of the zones step."""
    geoms = np.asarray(geoms, dtype=object)
    workers = min(os.cpu_count() or 1, 4, len(geoms))
    if workers < 2:
        return shapely.buffer(geoms, distance, quad_segs=16)
    out = np.empty(len(geoms), dtype=object)
    order = np.argsort(-shapely.get_num_coordinates(geoms), kind="stable")
    with ThreadPoolExecutor(workers, thread_name_prefix="bluesky-buffer") as pool:
        for i, g in zip(order, pool.map(lambda i: shapely.buffer(geoms[i], distance, quad_segs=16), order)):
            out[i] = g
    return out


def to_metric(geoms: gpd.GeoSeries, metric_epsg: Optional[int]) -> Tuple[np.ndarray, Any]:
    """The geometries in the metric CRS, coordinates rounded to the millimetre (where that keeps a geometry
    valid), and that CRS. A raster's staircase brought back from lon/lat carries noise of 1e-9 m, on which
    GEOS's buffer takes two to three times as long (the demo's prefecture rings: 0.37 s instead of 0.7–0.95 s)."""
    metric = geoms.to_crs(metric_crs(metric_epsg))
    raw = np.asarray(metric.values, dtype=object)
    rounded = shapely.transform(raw, lambda c: np.round(c, 3))
    lost = shapely.is_valid(raw) & ~shapely.is_valid(rounded)
    rounded[lost] = raw[lost]
    return rounded, metric.crs


def grow(metric_geoms: np.ndarray, distance_m: float) -> np.ndarray:
    """Metric geometries buffered by ``distance_m``, the first ``RING_FIRST_STEP_M`` as a step of its own."""
    if distance_m <= RING_FIRST_STEP_M:
        return buffer_each(metric_geoms, distance_m)
    return buffer_each(buffer_each(metric_geoms, RING_FIRST_STEP_M), distance_m - RING_FIRST_STEP_M)


def _buffer_metric(geoms: gpd.GeoSeries, distance_m: float, metric_epsg: Optional[int]) -> gpd.GeoSeries:
    """Buffer by a ground distance in the metric CRS; densified on the way back to EPSG:4326."""
    metric, crs = to_metric(geoms, metric_epsg)
    return _densified_lonlat(grow(metric, distance_m) if distance_m > 0 else metric, crs)


def _densified_lonlat(metric_geoms: np.ndarray, crs) -> gpd.GeoSeries:
    dense = gpd.GeoSeries(shapely.segmentize(metric_geoms, DENSIFY_M), crs=crs)
    return dense.to_crs("EPSG:4326")


class PrefectureRings:
    """The prefecture cities' urban built-up areas and their rings, shared by Z-MINE and the Z-PLAN fallback.

    The built-up areas are cut by the districts once. Rings grow in steps: a ring of d is the ring of a smaller
    distance d0 already wanted (Z-PLAN's 1 km) buffered by d − d0 more (the Minkowski sum of disks of radius d0
    and d − d0 is the disk of radius d, so the set is the same). Buffering the raster's pixel staircase by 1 or 3 km
    in one go makes GEOS node thousands of overlapping arcs; a first step of ``RING_FIRST_STEP_M`` rounds the
    staircase off, and each later step starts from a smooth edge, so it costs a fraction. The polygons differ
    from a one-step buffer only by the arcs' chord errors (each step's arcs lie within 1.2 m per km of radius
    inside the true circle: < 10 m for the 3 km ring, measured on the demo).
    """

    def __init__(self, builtup: Optional[gpd.GeoDataFrame], admin: gpd.GeoDataFrame, metric_epsg: Optional[int],
                 steps_m: Sequence[float] = ()):
        self.builtup, self.admin, self.metric_epsg = builtup, admin, metric_epsg
        self.steps_m = sorted({float(d) for d in steps_m if d and d > 0} | {RING_FIRST_STEP_M})
        self._base: Optional[gpd.GeoDataFrame] = None
        self._metric: Optional[np.ndarray] = None
        self._crs = None
        self._rings: Dict[float, np.ndarray] = {}
        self.prefetch_error: Optional[BaseException] = None
        self._lock = threading.RLock()  # the rings may be started early in a thread of their own (prefetch)

    def base(self) -> Optional[gpd.GeoDataFrame]:
        with self._lock:
            if self._base is None:
                b = self.builtup
                self._base = prefecture_builtup(b, self.admin) if b is not None and not b.empty else None
            return self._base

    def prefetch(self, distances_m: Sequence[float]) -> None:
        """Start buffering the rings of ``distances_m`` in a thread, while other zones are built: GEOS works
        without the GIL. :meth:`ring` then waits for what is under way; a failure here is left for
        :meth:`ring` to meet and report in the caller's thread."""
        # The thread cuts and buffers geometries of its own: the same objects used from two threads at once
        # made GEOS fail or crash (seen while Z-BAN cut the same counties).
        with self._lock:
            if self._base is None:
                self.builtup, self.admin = _own_geometries(self.builtup), _own_geometries(self.admin)

        def work() -> None:
            try:
                base = self.base()
                for d in (distances_m if base is not None and not base.empty else ()):
                    self.ring(d)
            except Exception as exc:  # noqa: BLE001 - kept; ring() in the builder's thread computes again and raises
                self.prefetch_error = exc
        threading.Thread(target=work, name="bluesky-rings", daemon=True).start()

    def ring(self, distance_m: float) -> gpd.GeoSeries:
        """The base areas buffered by ``distance_m`` (ground metres), densified, in EPSG:4326."""
        with self._lock:
            base = self.base()
            if self._metric is None:
                self._metric, self._crs = to_metric(base.geometry, self.metric_epsg)
            d = float(distance_m)
            if d <= 0:
                return _densified_lonlat(self._metric, self._crs)
            for step in [s for s in self.steps_m if s < d] + [d]:
                if step in self._rings:
                    continue
                done = [k for k in self._rings if k < step]
                d0 = max(done) if done else 0.0
                src = self._rings[d0] if done else self._metric
                self._rings[step] = buffer_each(src, step - d0)
            return _densified_lonlat(self._rings[d], self._crs)


def _own_geometries(gdf: Optional[gpd.GeoDataFrame]) -> Optional[gpd.GeoDataFrame]:
    """The frame with equal geometries that are new objects (none shared with the caller's frame)."""
    if gdf is None or gdf.empty:
        return gdf
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(shapely.from_wkb(shapely.to_wkb(np.asarray(gdf.geometry.values))),
                                           index=gdf.index, crs=gdf.crs)
    return out


def _area_km2(gdf: gpd.GeoDataFrame, metric_epsg: Optional[int]) -> np.ndarray:
    return np.round(gdf.geometry.to_crs(metric_crs(metric_epsg)).area.to_numpy() / 1e6, 4)


def coal_ban_zone(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, fringe_km: Optional[float] = None,
                  metric_epsg: Optional[int] = None) -> gpd.GeoDataFrame:
    """Z-BAN: built-up areas (plus an optional 城乡结合部 ring) dissolved per county and tagged."""
    zid, fringe_km = ZONE_ID["coal_ban_zone"], param_or_default(fringe_km, "fringe_km")
    cols = ["county", "city", "adcode", "city_adcode", "fringe_km", "area_km2"]
    if builtup is None or builtup.empty:
        return with_notes(empty_zone(zid, cols), ["未提供建成区，禁煤区为空"])
    base = builtup[["geometry"]]
    if fringe_km > 0:
        ring = _buffer_metric(base.geometry, fringe_km * 1000.0, metric_epsg)
        base = gpd.GeoDataFrame(geometry=[shapely.union_all(np.asarray(ring.values))], crs="EPSG:4326")
    pieces = cut_by_counties(base, admin)
    if pieces.empty:
        return with_notes(empty_zone(zid, cols), ["建成区与行政区划没有交集，禁煤区为空"])
    out = dissolve_pieces(pieces, "adcode", ["county", "city", "adcode", "city_adcode"])
    out["fringe_km"] = fringe_km
    out["area_km2"] = _area_km2(out, metric_epsg)
    out.insert(0, "zone_id", zid)
    return with_notes(gpd.GeoDataFrame(out[["zone_id"] + cols + ["geometry"]], crs="EPSG:4326"), [])


def prefecture_builtup(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built-up areas lying in the prefecture cities' urban districts (adcode ends 01–20), per city."""
    districts = admin[admin["is_city_district"].astype(bool)]
    pieces = cut_by_counties(builtup, districts)
    if pieces.empty:
        return pieces
    return dissolve_pieces(pieces, "city", ["city", "city_adcode"])


def mine_closure_zone(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, ring_km: Optional[float] = None,
                      metric_epsg: Optional[int] = None,
                      rings: Optional[PrefectureRings] = None) -> gpd.GeoDataFrame:
    """Z-MINE: each prefecture city's urban built-up area and a ring of ``ring_km`` from its edge."""
    zid, ring_km = ZONE_ID["mine_closure_zone"], param_or_default(ring_km, "mine_ring_km")
    cols = ["city", "city_adcode", "ring_km", "area_km2"]
    rings = rings if rings is not None else PrefectureRings(builtup, admin, metric_epsg)
    base = rings.base()
    if base is None or base.empty:
        return with_notes(empty_zone(zid, cols), ["设区市市辖区内没有建成区，露天矿山关闭区为空"])
    out = base.copy()
    out["geometry"] = rings.ring(ring_km * 1000.0).values
    out["ring_km"] = ring_km
    out["area_km2"] = _area_km2(out, metric_epsg)
    out.insert(0, "zone_id", zid)
    note = f"露天矿山关闭区 = 设区市建成区及周边 {format_value(ring_km)} 公里（计划未规定“周边”距离，此为参数值）"
    return with_notes(gpd.GeoDataFrame(out[["zone_id"] + cols + ["geometry"]], crs="EPSG:4326"), [note])


def city_by_overlap(geoms: Sequence[Any], admin: gpd.GeoDataFrame, metric_epsg: Optional[int] = None) -> np.ndarray:
    """For each polygon (EPSG:4326), the admin city it mostly lies in: the largest area of overlap, summed over
    the city's counties and measured in the metric CRS; "" where it overlaps no county."""
    out = np.full(len(geoms), "", dtype=object)
    have = admin[admin["city"].map(lambda c: not blank_text(c))]
    if have.empty:
        return out
    crs = metric_crs(metric_epsg)
    counties = np.asarray(have.geometry.to_crs(crs).values, dtype=object)
    cities = have["city"].astype(str).to_numpy(dtype=object)
    plans = np.asarray(gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(crs).values, dtype=object)
    tree = shapely.STRtree(counties)
    for i, geom in enumerate(plans):
        if geom is None or geom.is_empty:
            continue
        idx = tree.query(geom, predicate="intersects")
        if len(idx) == 0:
            continue
        areas = pd.Series(shapely.area(shapely.intersection(geom, counties[idx])), index=cities[idx])
        by_city = areas.groupby(level=0, sort=False).sum()
        if by_city.max() > 0:
            out[i] = str(by_city.idxmax())
    return out


def user_planning_areas(user_layer: gpd.GeoDataFrame, admin: gpd.GeoDataFrame,
                        fields: Optional[Mapping[str, Optional[str]]] = None, layer: str = "城市规划区",
                        metric_epsg: Optional[int] = None) -> gpd.GeoDataFrame:
    """A user's 城市规划区 layer as ``name, city, geometry`` (EPSG:4326), whatever its own columns are.

    Columns are guessed from the ``planning`` declaration of :mod:`.fields` (``fields`` overrides the guess).
    A planning area without a city gets the city it mostly lies in (:func:`city_by_overlap`); one without a name
    gets "<city>规划区". ``attrs["notes"]`` says what was filled in, naming the layer and the field.
    """
    from ..inputs.validation import check_field_mapping, missing_field_notes

    g = user_layer if user_layer.crs is None or user_layer.crs.equals("EPSG:4326") else user_layer.to_crs("EPSG:4326")
    columns = [c for c in g.columns if c != g.geometry.name]
    mapping = check_field_mapping(columns, "planning", layer, dict(fields or {}))
    notes = missing_field_notes("planning", mapping, layer)
    geoms = shapely.make_valid(np.asarray(g.geometry.values))
    n = len(g)

    def texts(name: str) -> np.ndarray:
        col = mapping.get(name)
        if not col:
            return np.full(n, "", dtype=object)
        return np.array(["" if blank_text(v) else str(v).strip() for v in g[col]], dtype=object)

    city, name = texts("city"), texts("name")
    # The user's city written as the admin layer writes it ('太原' → '太原市'), so the outputs agree.
    admin_cities = {city_key(c): str(c) for c in admin["city"] if not blank_text(c)}
    city = np.array([admin_cities.get(city_key(c), c) if c else "" for c in city], dtype=object)
    blank = city == ""
    if blank.any():
        city[blank] = city_by_overlap(list(geoms[blank]), admin, metric_epsg)
        if mapping.get("city"):
            notes.append(f"城市规划区图层「{layer}」有 {int(blank.sum())} 个规划区的「所属城市」（{mapping['city']}）为空："
                         f"已按位置确定（与之重叠面积最大的城市）")
        lost = [str(i + 1) for i in np.flatnonzero(blank) if city[i] == ""]
        if lost:
            notes.append(f"城市规划区图层「{layer}」第 {'、'.join(lost)} 个要素与行政区划图层没有重叠，所属城市未知")
    if (name == "").any():
        base = np.array([f"{c}规划区" if c else "规划区" for c in city], dtype=object)
        seen: Dict[str, int] = {}
        for i in range(n):
            if name[i]:
                continue
            seen[base[i]] = seen.get(base[i], 0) + 1
            name[i] = base[i] if seen[base[i]] == 1 else f"{base[i]}（{seen[base[i]]}）"
        if mapping.get("name"):
            notes.append(f"城市规划区图层「{layer}」有规划区的「规划区名称」（{mapping['name']}）为空：已按所属城市命名")
    out = gpd.GeoDataFrame({"name": name, "city": city}, geometry=list(geoms), crs="EPSG:4326")
    out.attrs["notes"] = notes
    return out


def planning_area(user_layer: Optional[gpd.GeoDataFrame], builtup: gpd.GeoDataFrame,
                  admin: gpd.GeoDataFrame, ring_km: Optional[float] = None,
                  metric_epsg: Optional[int] = None,
                  rings: Optional[PrefectureRings] = None,
                  fields: Optional[Mapping[str, Optional[str]]] = None,
                  layer: str = "城市规划区") -> gpd.GeoDataFrame:
    """Z-PLAN: the user's 城市规划区 layer ``layer`` (any columns, see :func:`user_planning_areas`), or
    (fallback) prefecture built-up areas plus ``ring_km``."""
    zid, ring_km = ZONE_ID["planning_area"], param_or_default(ring_km, "planning_ring_km")
    cols = ["name", "city", "source", "ring_km"]
    if user_layer is not None and not user_layer.empty:
        plans = user_planning_areas(user_layer, admin, fields, layer, metric_epsg)
        out = gpd.GeoDataFrame({"zone_id": zid, "name": plans["name"].to_numpy(dtype=object),
                                "city": plans["city"].to_numpy(dtype=object), "source": "用户提供的城市规划区图层",
                                "ring_km": np.nan}, geometry=plans.geometry.values, crs="EPSG:4326")
        out = with_notes(out, plans.attrs["notes"])
        out.attrs["field_notes"] = list(plans.attrs["notes"])
        return out
    zone = mine_closure_zone(builtup, admin, ring_km, metric_epsg, rings)
    source = f"替代：设区市建成区外扩 {format_value(ring_km)} 公里（未提供城市规划区图层）"
    if zone.empty:
        return with_notes(empty_zone(zid, cols), [source + "；设区市建成区为空"])
    out = gpd.GeoDataFrame({"zone_id": zid, "name": [f"{c}规划区（替代）" for c in zone["city"]],
                            "city": zone["city"].to_numpy(), "source": source,
                            "ring_km": ring_km}, geometry=zone.geometry.values, crs="EPSG:4326")
    return with_notes(out, [source])


def geodesic_circle(lon: float, lat: float, radius_m: float, n: int = RING_VERTICES) -> Polygon:
    """A polygon whose vertices lie exactly ``radius_m`` (on the WGS84 ellipsoid) from (lon, lat)."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_m))
    return Polygon(np.column_stack([lons, lats]))


def _plant_frame(chp: Any) -> gpd.GeoDataFrame:
    """The CHP plants as a GeoDataFrame (accepts an EnterpriseTable or a GeoDataFrame)."""
    gdf = getattr(chp, "gdf", chp)
    if gdf is None:
        return gpd.GeoDataFrame({"ent_id": [], "name": [], "capacity_mw": []}, geometry=[], crs="EPSG:4326")
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def chp_heating_radius(chp: Any, radius_km: Optional[float] = None,
                       min_mw: Optional[float] = None) -> gpd.GeoDataFrame:
    """Z-CHP: a geodesic ring of ``radius_km`` around every CHP plant ≥ ``min_mw``, plus a union row.

    Rows have ``part`` = 'plant' (with the plant's ent_id, name, capacity_mw) or 'union'.
    """
    zid = ZONE_ID["chp_heating_radius"]
    radius_km, min_mw = param_or_default(radius_km, "chp_radius_km"), param_or_default(min_mw, "chp_min_mw")
    cols = ["part", "ent_id", "name", "capacity_mw", "radius_km", "lon", "lat"]
    plants = _plant_frame(chp)
    if plants.empty or "capacity_mw" not in plants.columns:
        return with_notes(empty_zone(zid, cols), [f"没有 {format_value(min_mw)} MW 及以上热电联产电厂，供热半径区为空"])
    cap = pd.to_numeric(plants["capacity_mw"], errors="coerce").to_numpy()
    geom = plants.geometry
    ok = (cap >= min_mw) & geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    big = plants[ok]
    if big.empty:
        return with_notes(empty_zone(zid, cols), [f"没有 {format_value(min_mw)} MW 及以上热电联产电厂，供热半径区为空"])
    xs, ys = shapely.get_x(np.asarray(big.geometry.values)), shapely.get_y(np.asarray(big.geometry.values))
    rings = [geodesic_circle(x, y, radius_km * 1000.0) for x, y in zip(xs, ys)]
    # One frame with the union as its last row, not a concat: concat's dtypes with an all-blank column (no plant
    # name) differ between pandas 2 and 3.
    names = big["name"].to_numpy(dtype=object) if "name" in big.columns else np.full(len(big), None, dtype=object)
    return with_notes(gpd.GeoDataFrame({
        "zone_id": zid, "part": ["plant"] * len(big) + ["union"],
        "ent_id": np.append(big["ent_id"].astype(str).to_numpy(dtype=object), None),
        "name": np.append(names, "供热半径合并"),
        "capacity_mw": np.append(cap[ok], np.nan), "radius_km": radius_km,
        "lon": np.append(xs, np.nan), "lat": np.append(ys, np.nan),
    }, geometry=rings + [shapely.union_all(rings)], crs="EPSG:4326"), [])
