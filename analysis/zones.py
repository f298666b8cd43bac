"""One builder per zone of RULES.md §1; every builder returns a GeoDataFrame in EPSG:4326 with ``zone_id``.

Distances are true ground distances: CHP rings are geodesic circles (vertices placed with
``pyproj.Geod.fwd``), built-up rings are buffered in the run's metric CRS and densified before
going back to lon/lat. Notes for the user (unmatched region members, fallbacks) are kept in
``gdf.attrs["notes"]``.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from .errors import CanceledError
from .metric import metric_crs
from .rules import RuleSet

GEOD = Geod(ellps="WGS84")
ZONE_LAYERS: Dict[str, str] = {
    "coal_ban_zone": "Z-BAN", "region_1p30": "Z-1P30", "key_city_groups": "Z-KEY8",
    "north_coal_zero": "Z-NORTH", "cluster_counties": "Z-CLUSTER", "chp_heating_radius": "Z-CHP15",
    "mine_closure_zone": "Z-MINE", "planning_area": "Z-PLAN",
}
ZONE_LAYER_OF: Dict[str, str] = {v: k for k, v in ZONE_LAYERS.items()}
# The builders in the order build_all_zones runs them, with the step names shown while they run.
ZONE_STEPS: Tuple[Tuple[str, str], ...] = (
    ("coal_ban_zone", "构建禁煤区…"), ("region_1p30", "构建“1+30”区域…"), ("key_city_groups", "构建重点城市分组…"),
    ("north_coal_zero", "构建晋北散煤清零区…"), ("cluster_counties", "构建产业集群整治县…"),
    ("chp_heating_radius", "构建热电联产供热半径…"), ("mine_closure_zone", "构建露天矿山关闭区…"),
    ("planning_area", "构建城市规划区…"),
)
RING_VERTICES = 360  # sagitta of a 15 km geodesic circle with 360 vertices ≈ 0.6 m
DENSIFY_M = 500.0

ProgressFn = Callable[[int, int, str], None]


def _empty(zone_id: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    data: Dict[str, Any] = {"zone_id": pd.Series([], dtype=object)}
    data.update({c: pd.Series([], dtype=object) for c in columns})
    return gpd.GeoDataFrame(data, geometry=[], crs="EPSG:4326")


def _with_notes(gdf: gpd.GeoDataFrame, notes: List[str]) -> gpd.GeoDataFrame:
    gdf.attrs["notes"] = list(notes)
    return gdf


def _strip(name: Any, suffixes: str) -> str:
    text = str(name or "").strip()
    return text[:-1] if len(text) > 1 and text[-1] in suffixes else text


def city_key(name: Any) -> str:
    """City name without its 市 suffix, so '太原' and '太原市' match."""
    return _strip(name, "市")


def county_key(name: Any) -> str:
    """County name without 区/县/市 suffix, used only as a fallback match ('太谷县' ~ '太谷区')."""
    return _strip(name, "区县市旗")


def match_members(admin: gpd.GeoDataFrame, members: Mapping[str, Any]) -> Tuple[np.ndarray, List[str]]:
    """Rows of ``admin`` listed in ``{city: "all" | [county, …]}`` and the members not found.

    Counties match by exact name within their city, then by name without suffix (太谷县 → 太谷区).
    """
    mask = np.zeros(len(admin), dtype=bool)
    missing: List[str] = []
    cities = admin["city"].map(city_key).to_numpy()
    counties = admin["county"].astype(str).to_numpy()
    stems = np.array([county_key(c) for c in counties], dtype=object)
    for city, sel in (members or {}).items():
        in_city = cities == city_key(city)
        if not in_city.any():
            missing.append(f"{city}")
            continue
        if isinstance(sel, str) and sel.lower() in ("all", "*", "全部", "全市"):
            mask |= in_city
            continue
        for county in (sel or []):
            hit = in_city & (counties == str(county))
            if not hit.any():
                hit = in_city & (stems == county_key(county))
            if hit.any():
                mask |= hit
            else:
                missing.append(f"{city}{county}")
    return mask, missing


def _admin_rows(admin: gpd.GeoDataFrame, mask: np.ndarray, zone_id: str) -> gpd.GeoDataFrame:
    cols = ["county", "city", "adcode", "city_adcode"]
    out = admin.loc[mask, cols + ["geometry"]].copy().reset_index(drop=True)
    out.insert(0, "zone_id", zone_id)
    return out


def region_1p30(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-1P30: all of 太原市 plus the 30 member counties (editable list, ``verified`` flag and note)."""
    region = ruleset.regions.get("region_1p30", {})
    mask, missing = match_members(admin, region.get("members", {}))
    out = _admin_rows(admin, mask, "Z-1P30")
    out["verified"] = bool(region.get("verified", False))
    out["note"] = ruleset.region_1p30_note
    notes = [ruleset.region_1p30_note] if ruleset.region_1p30_note else []
    if missing:
        notes.append("1+30 名单中以下县区在行政区划图层中未找到：" + "、".join(missing))
    return _with_notes(out, notes)


def _county_list_zone(admin: gpd.GeoDataFrame, members: Mapping[str, Any], zone_id: str,
                      label: str) -> gpd.GeoDataFrame:
    mask, missing = match_members(admin, members)
    out = _admin_rows(admin, mask, zone_id)
    notes = [f"{label}名单中以下县区在行政区划图层中未找到：" + "、".join(missing)] if missing else []
    return _with_notes(out, notes)


def north_coal_zero(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-NORTH: the eight northern plain districts where loose coal goes to zero (三(二)7)."""
    return _county_list_zone(admin, ruleset.regions.get("north_coal_zero", {}), "Z-NORTH", "晋北散煤清零区")


def cluster_counties(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-CLUSTER: the fifteen industrial-cluster counties to rectify (三(一)3)."""
    return _county_list_zone(admin, ruleset.regions.get("cluster_counties", {}), "Z-CLUSTER", "产业集群整治县")


def city_groups(ruleset: RuleSet) -> Dict[str, Tuple[str, bool]]:
    """{city key: (group name, is key city)} from the rules file."""
    out: Dict[str, Tuple[str, bool]] = {}
    for g in ruleset.regions.get("key_city_groups", []):
        for city in g.get("cities", []):
            out[city_key(city)] = (str(g.get("group", "")), bool(g.get("key", False)))
    return out


def key_city_groups(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-KEY8: one row per city with its ``group`` and ``is_key`` (the 4 + 4 key cities are key)."""
    if admin.empty:
        return _empty("Z-KEY8", ["city", "city_adcode", "group", "is_key"])
    groups = city_groups(ruleset)
    dissolved = admin[["city", "city_adcode", "geometry"]].dissolve(by="city", as_index=False, aggfunc="first")
    keys = dissolved["city"].map(city_key)
    dissolved["group"] = [groups.get(k, ("其他地区", False))[0] for k in keys]
    dissolved["is_key"] = [groups.get(k, ("", False))[1] for k in keys]
    dissolved.insert(0, "zone_id", "Z-KEY8")
    missing = sorted(set(groups) - set(keys))
    notes = ["重点城市名单中以下城市在行政区划图层中未找到：" + "、".join(missing)] if missing else []
    return _with_notes(gpd.GeoDataFrame(dissolved, geometry="geometry", crs="EPSG:4326"), notes)


def _buffer_metric(geoms: gpd.GeoSeries, distance_m: float, metric_epsg: Optional[int]) -> gpd.GeoSeries:
    """Buffer by a ground distance in the metric CRS; densified on the way back to EPSG:4326."""
    metric = geoms.to_crs(metric_crs(metric_epsg))
    buffered = metric.buffer(distance_m, resolution=16) if distance_m > 0 else metric
    return _densified_lonlat(np.asarray(buffered.values), metric.crs)


def _densified_lonlat(metric_geoms: np.ndarray, crs) -> gpd.GeoSeries:
    dense = gpd.GeoSeries(shapely.segmentize(metric_geoms, DENSIFY_M), crs=crs)
    return dense.to_crs("EPSG:4326")


class _PrefectureRings:
    """The prefecture cities' urban built-up areas and their rings, shared by Z-MINE and the Z-PLAN fallback.

    The built-up areas are cut by the districts once. Rings grow in steps: a ring of d is the ring of a smaller
    distance d0 already wanted (Z-PLAN's 1 km) buffered by d − d0 more (the Minkowski sum of disks of radius d0
    and d − d0 is the disk of radius d, so the set is the same). Buffering the raster's pixel staircase by 3 km
    in one go makes GEOS node thousands of overlapping arcs; the 1 km ring is already smooth, so the remaining
    2 km cost a fraction. The polygons differ from a one-step buffer only by the arcs' chord error (< 5 m).
    """

    def __init__(self, builtup: Optional[gpd.GeoDataFrame], admin: gpd.GeoDataFrame, metric_epsg: Optional[int],
                 steps_m: Sequence[float] = ()):
        self.builtup, self.admin, self.metric_epsg = builtup, admin, metric_epsg
        self.steps_m = sorted({float(d) for d in steps_m if d and d > 0})
        self._base: Optional[gpd.GeoDataFrame] = None
        self._metric: Optional[np.ndarray] = None
        self._crs = None
        self._rings: Dict[float, np.ndarray] = {}

    def base(self) -> Optional[gpd.GeoDataFrame]:
        if self._base is None:
            b = self.builtup
            self._base = prefecture_builtup(b, self.admin) if b is not None and not b.empty else None
        return self._base

    def ring(self, distance_m: float) -> gpd.GeoSeries:
        """The base areas buffered by ``distance_m`` (ground metres), densified, in EPSG:4326."""
        base = self.base()
        if self._metric is None:
            metric = base.geometry.to_crs(metric_crs(self.metric_epsg))
            self._metric, self._crs = np.asarray(metric.values), metric.crs
        d = float(distance_m)
        if d <= 0:
            return _densified_lonlat(self._metric, self._crs)
        for step in [s for s in self.steps_m if s < d] + [d]:
            if step in self._rings:
                continue
            done = [k for k in self._rings if k < step]
            d0 = max(done) if done else 0.0
            src = self._rings[d0] if done else self._metric
            self._rings[step] = shapely.buffer(src, step - d0, quad_segs=16)
        return _densified_lonlat(self._rings[d], self._crs)


def _intersect_admin(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built-up pieces cut by county boundaries, each tagged with the county's attributes."""
    cols = [c for c in ("county", "city", "adcode", "city_adcode", "is_city_district") if c in admin.columns]
    if builtup.empty or admin.empty:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs="EPSG:4326")
    return gpd.overlay(builtup[["geometry"]], admin[cols + ["geometry"]], how="intersection",
                       keep_geom_type=True)


def _area_km2(gdf: gpd.GeoDataFrame, metric_epsg: Optional[int]) -> np.ndarray:
    return np.round(gdf.geometry.to_crs(metric_crs(metric_epsg)).area.to_numpy() / 1e6, 4)


def coal_ban_zone(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, fringe_km: float = 0.0,
                  metric_epsg: Optional[int] = None) -> gpd.GeoDataFrame:
    """Z-BAN: built-up areas (plus an optional 城乡结合部 ring) dissolved per county and tagged."""
    cols = ["county", "city", "adcode", "city_adcode", "fringe_km", "area_km2"]
    if builtup is None or builtup.empty:
        return _with_notes(_empty("Z-BAN", cols), ["未提供建成区，禁煤区为空"])
    base = builtup[["geometry"]]
    if fringe_km and fringe_km > 0:
        ring = _buffer_metric(base.geometry, fringe_km * 1000.0, metric_epsg)
        base = gpd.GeoDataFrame(geometry=[shapely.union_all(np.asarray(ring.values))], crs="EPSG:4326")
    pieces = _intersect_admin(base, admin)
    if pieces.empty:
        return _with_notes(_empty("Z-BAN", cols), ["建成区与行政区划没有交集，禁煤区为空"])
    out = pieces.dissolve(by="adcode", as_index=False, aggfunc="first")
    out["fringe_km"] = float(fringe_km or 0.0)
    out["area_km2"] = _area_km2(out, metric_epsg)
    out.insert(0, "zone_id", "Z-BAN")
    return _with_notes(gpd.GeoDataFrame(out[["zone_id"] + cols + ["geometry"]], crs="EPSG:4326"), [])


def prefecture_builtup(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built-up areas lying in the prefecture cities' urban districts (adcode ends 01–20), per city."""
    districts = admin[admin["is_city_district"].astype(bool)]
    pieces = _intersect_admin(builtup, districts)
    if pieces.empty:
        return pieces
    return pieces.dissolve(by="city", as_index=False, aggfunc="first")[["city", "city_adcode", "geometry"]]


def mine_closure_zone(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, ring_km: float = 3.0,
                      metric_epsg: Optional[int] = None,
                      rings: Optional[_PrefectureRings] = None) -> gpd.GeoDataFrame:
    """Z-MINE: each prefecture city's urban built-up area and a ring of ``ring_km`` from its edge."""
    cols = ["city", "city_adcode", "ring_km", "area_km2"]
    rings = rings if rings is not None else _PrefectureRings(builtup, admin, metric_epsg)
    base = rings.base()
    if base is None or base.empty:
        return _with_notes(_empty("Z-MINE", cols), ["设区市市辖区内没有建成区，露天矿山关闭区为空"])
    out = base.copy()
    out["geometry"] = rings.ring(ring_km * 1000.0).values
    out["ring_km"] = float(ring_km)
    out["area_km2"] = _area_km2(out, metric_epsg)
    out.insert(0, "zone_id", "Z-MINE")
    note = f"露天矿山关闭区 = 设区市建成区及周边 {ring_km:g} 公里（计划未规定“周边”距离，此为参数值）"
    return _with_notes(gpd.GeoDataFrame(out[["zone_id"] + cols + ["geometry"]], crs="EPSG:4326"), [note])


def _blank_text(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in (
        "", "nan", "None", "<NA>")


def city_by_overlap(geoms: Sequence[Any], admin: gpd.GeoDataFrame, metric_epsg: Optional[int] = None) -> np.ndarray:
    """For each polygon (EPSG:4326), the admin city it mostly lies in: the largest area of overlap, summed over
    the city's counties and measured in the metric CRS; "" where it overlaps no county."""
    out = np.full(len(geoms), "", dtype=object)
    have = admin[admin["city"].map(lambda c: not _blank_text(c))]
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
    from .validation import check_field_mapping, missing_field_notes

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
        return np.array(["" if _blank_text(v) else str(v).strip() for v in g[col]], dtype=object)

    city, name = texts("city"), texts("name")
    # The user's city written as the admin layer writes it ('太原' → '太原市'), so the outputs agree.
    admin_cities = {city_key(c): str(c) for c in admin["city"] if not _blank_text(c)}
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
                  admin: gpd.GeoDataFrame, ring_km: float = 1.0,
                  metric_epsg: Optional[int] = None,
                  rings: Optional[_PrefectureRings] = None,
                  fields: Optional[Mapping[str, Optional[str]]] = None,
                  layer: str = "城市规划区") -> gpd.GeoDataFrame:
    """Z-PLAN: the user's 城市规划区 layer ``layer`` (any columns, see :func:`user_planning_areas`), or
    (fallback) prefecture built-up areas plus ``ring_km``."""
    cols = ["name", "city", "source", "ring_km"]
    if user_layer is not None and not user_layer.empty:
        plans = user_planning_areas(user_layer, admin, fields, layer, metric_epsg)
        out = gpd.GeoDataFrame({"zone_id": "Z-PLAN", "name": plans["name"].to_numpy(dtype=object),
                                "city": plans["city"].to_numpy(dtype=object), "source": "用户提供的城市规划区图层",
                                "ring_km": np.nan}, geometry=plans.geometry.values, crs="EPSG:4326")
        out = _with_notes(out, plans.attrs["notes"])
        out.attrs["field_notes"] = list(plans.attrs["notes"])
        return out
    zone = mine_closure_zone(builtup, admin, ring_km, metric_epsg, rings)
    source = f"替代：设区市建成区外扩 {ring_km:g} 公里（未提供城市规划区图层）"
    if zone.empty:
        return _with_notes(_empty("Z-PLAN", cols), [source + "；设区市建成区为空"])
    out = gpd.GeoDataFrame({"zone_id": "Z-PLAN", "name": [f"{c}规划区（替代）" for c in zone["city"]],
                            "city": zone["city"].to_numpy(), "source": source,
                            "ring_km": float(ring_km)}, geometry=zone.geometry.values, crs="EPSG:4326")
    return _with_notes(out, [source])


_planning_area_zone = planning_area  # build_all_zones takes a parameter of the same name


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


def chp_heating_radius(chp: Any, radius_km: float = 15.0, min_mw: float = 300.0) -> gpd.GeoDataFrame:
    """Z-CHP15: a geodesic ring of ``radius_km`` around every CHP plant ≥ ``min_mw``, plus a union row.

    Rows have ``part`` = 'plant' (with the plant's ent_id, name, capacity_mw) or 'union'.
    """
    cols = ["part", "ent_id", "name", "capacity_mw", "radius_km", "lon", "lat"]
    plants = _plant_frame(chp)
    if plants.empty or "capacity_mw" not in plants.columns:
        return _with_notes(_empty("Z-CHP15", cols), ["没有 30 万千瓦及以上热电联产电厂，供热半径区为空"])
    cap = pd.to_numeric(plants["capacity_mw"], errors="coerce").to_numpy()
    geom = plants.geometry
    ok = (cap >= min_mw) & geom.notna().to_numpy() & ~geom.is_empty.to_numpy()
    big = plants[ok]
    if big.empty:
        return _with_notes(_empty("Z-CHP15", cols), [f"没有 {min_mw:g} MW 及以上热电联产电厂，供热半径区为空"])
    xs, ys = shapely.get_x(np.asarray(big.geometry.values)), shapely.get_y(np.asarray(big.geometry.values))
    rings = [geodesic_circle(x, y, radius_km * 1000.0) for x, y in zip(xs, ys)]
    out = gpd.GeoDataFrame({
        "zone_id": "Z-CHP15", "part": "plant", "ent_id": big["ent_id"].astype(str).to_numpy(),
        "name": big["name"].to_numpy() if "name" in big.columns else None,
        "capacity_mw": cap[ok], "radius_km": float(radius_km), "lon": xs, "lat": ys,
    }, geometry=rings, crs="EPSG:4326")
    union = gpd.GeoDataFrame({"zone_id": ["Z-CHP15"], "part": ["union"], "ent_id": [None], "name": ["供热半径合并"],
                              "capacity_mw": [np.nan], "radius_km": [float(radius_km)], "lon": [np.nan],
                              "lat": [np.nan]}, geometry=[shapely.union_all(rings)], crs="EPSG:4326")
    return _with_notes(gpd.GeoDataFrame(pd.concat([out, union], ignore_index=True), crs="EPSG:4326"), [])


def _checkpoint(progress: Optional[ProgressFn], is_canceled: Optional[Callable[[], bool]], step: int,
                total: int, label: str) -> None:
    if is_canceled is not None and is_canceled():
        raise CanceledError("已取消 / canceled")
    if progress is not None:
        progress(step, total, label)


def build_all_zones(admin: gpd.GeoDataFrame, builtup: gpd.GeoDataFrame, chp: Any, ruleset: RuleSet,
                    planning_area: Optional[gpd.GeoDataFrame] = None,
                    progress: Optional[ProgressFn] = None, is_canceled: Optional[Callable[[], bool]] = None,
                    metric_epsg: Optional[int] = None,
                    planning_fields: Optional[Mapping[str, Optional[str]]] = None,
                    planning_name: Optional[str] = None) -> Dict[str, gpd.GeoDataFrame]:
    """Every zone, keyed by its contract layer name (see ``ZONE_LAYERS``). ``planning_fields`` /
    ``planning_name``: the user's column overrides and the layer's name for the planning-area layer."""
    p = ruleset.params
    plan_layer = planning_area
    plan_ring_m = p.get("planning_ring_km", 1.0) * 1000.0
    # Z-MINE and the Z-PLAN fallback ring the same prefecture built-up areas: cut them once, grow the rings
    # in steps (the smaller ring is wanted anyway when Z-PLAN falls back).
    plan_fallback = plan_layer is None or plan_layer.empty
    rings = _PrefectureRings(builtup, admin, metric_epsg, [plan_ring_m] if plan_fallback else [])
    builders: Dict[str, Callable[[], gpd.GeoDataFrame]] = {
        "coal_ban_zone": lambda: coal_ban_zone(builtup, admin, p.get("fringe_km", 0.0), metric_epsg),
        "region_1p30": lambda: region_1p30(admin, ruleset),
        "key_city_groups": lambda: key_city_groups(admin, ruleset),
        "north_coal_zero": lambda: north_coal_zero(admin, ruleset),
        "cluster_counties": lambda: cluster_counties(admin, ruleset),
        "chp_heating_radius": lambda: chp_heating_radius(chp, p.get("chp_radius_km", 15.0),
                                                         p.get("chp_min_mw", 300.0)),
        "mine_closure_zone": lambda: mine_closure_zone(builtup, admin, p.get("mine_ring_km", 3.0), metric_epsg,
                                                       rings),
        "planning_area": lambda: _planning_area_zone(plan_layer, builtup, admin, p.get("planning_ring_km", 1.0),
                                                     metric_epsg, rings, planning_fields,
                                                     planning_name or "城市规划区"),
    }
    steps = [(key, label, builders[key]) for key, label in ZONE_STEPS]
    zones: Dict[str, gpd.GeoDataFrame] = {}
    for i, (key, label, build) in enumerate(steps):
        _checkpoint(progress, is_canceled, i, len(steps), label)
        zones[key] = build()
    _checkpoint(progress, is_canceled, len(steps), len(steps), "区域构建完成")
    return zones


def zone_notes(zones: Mapping[str, gpd.GeoDataFrame]) -> List[str]:
    """All notes attached to the zones, without repeats."""
    seen: List[str] = []
    for gdf in zones.values():
        for note in gdf.attrs.get("notes", []):
            if note not in seen:
                seen.append(note)
    return seen
