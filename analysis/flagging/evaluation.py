"""One enterprise layer against the rules: zone membership masks, three-valued conditions, rule hits.

Conditions are numpy masks with three-valued logic (true / false / unknown because a value is missing);
zone membership is decided as the zone registry says (by county, by key city, within a plant's radius, or
inside the zone's polygons) and computed once per layer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..inputs.enterprises import PROBLEM_COLUMNS, EnterpriseTable
from ..plan.rules import Condition, Rule, RuleSet
from ..plan.zone_registry import ALL, AREA, COUNTY, KEY_CITY, PLANT_RADIUS, ZONES, zone_by_id
from ..zones.frames import city_key, county_key
from .reasons import reason_context, render_template
from .spatial_index import GRID_MIN_POINTS, CoverGrid, GridFrame, NearestPlants, PointIndex, locate


@dataclass
class PointTable:
    """Enterprises given as coordinate arrays and an attribute table, with no geometry objects.

    The fast path for big layers: ``x``/``y`` (in ``crs``, EPSG:4326 when None) are used directly, and a
    point geometry is made only for the rows that end up in an output table (None where x or y is not
    finite). Results are the same as for a GeoDataFrame of those points with the same attributes.
    """

    frame: pd.DataFrame
    x: np.ndarray
    y: np.ndarray
    crs: Any = None
    layer_name: Optional[str] = None
    problems: Optional[pd.DataFrame] = None

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class Layer:
    kind: str
    gdf: gpd.GeoDataFrame
    problems: pd.DataFrame
    source_layer: str
    # The ids as given when they were integers: duplicates are found on them (str is one-to-one on
    # integers, so the answer is the same) instead of on millions of strings.
    id_keys: Optional[np.ndarray] = None
    # Coordinates of a PointTable layer (EPSG:4326); None when the layer has geometries.
    xy: Optional[Tuple[np.ndarray, np.ndarray]] = None
    _id_text: Optional[np.ndarray] = None
    _id_done: Optional[np.ndarray] = None
    _geom: Optional[np.ndarray] = None
    _geom_done: Optional[np.ndarray] = None

    def id_text(self, pos: np.ndarray) -> np.ndarray:
        """The ids of rows ``pos`` as text. Integer ids are turned into text only for the rows asked for
        (those in an output table), each once; ``str`` of an integer is what the full conversion gave."""
        if self.id_keys is None:
            return self.gdf["ent_id"].to_numpy(dtype=object)[pos]
        if self._id_text is None:
            self._id_text = np.empty(len(self.id_keys), dtype=object)
            self._id_done = np.zeros(len(self.id_keys), dtype=bool)
        need = _not_done(pos, self._id_done)
        if len(need):
            # fromiter, not a list: numpy would inspect each item of a list as a possible sequence (seconds for
            # millions of ids)
            self._id_text[need] = np.fromiter(map(str, self.id_keys[need].tolist()), dtype=object, count=len(need))
            self._id_done[need] = True
        return self._id_text[pos]


    def geoms(self) -> Any:
        """What ``_take_geoms`` takes output geometries from: the geometry array, or this layer."""
        return self if self.xy is not None else self.gdf.geometry.values

    def take(self, pos: np.ndarray) -> np.ndarray:
        """Point geometries of rows ``pos`` of a PointTable layer, each row's point made once and shared
        by every output table (as a geometry array's take shares its objects)."""
        if self._geom is None:
            self._geom = np.empty(len(self.gdf), dtype=object)
            self._geom_done = np.zeros(len(self.gdf), dtype=bool)
        need = _not_done(pos, self._geom_done)
        if len(need):
            x, y = self.xy[0][need], self.xy[1][need]
            ok = np.isfinite(x) & np.isfinite(y)  # rows without coordinates get no geometry (None)
            self._geom[need[ok]] = shapely.points(x[ok], y[ok])
            self._geom_done[need] = True
        return self._geom[pos]


def _not_done(pos: np.ndarray, done: np.ndarray) -> np.ndarray:
    """The distinct rows of ``pos`` not yet ``done``, ascending (a mask over the rows, not a sort of ``pos``)."""
    want = np.zeros(len(done), dtype=bool)
    want[pos] = True
    want &= ~done
    return np.flatnonzero(want)


def as_layer(kind: str, value: Any) -> Layer:
    xy = None
    if isinstance(value, PointTable):
        gdf = value.frame
        problems = value.problems if value.problems is not None else pd.DataFrame(columns=PROBLEM_COLUMNS)
        name = value.layer_name or kind
        x, y = np.asarray(value.x, dtype=float), np.asarray(value.y, dtype=float)
        if len(x) != len(gdf) or len(y) != len(gdf):
            raise ValueError(f"{kind}: x/y arrays and the attribute table differ in length")
        if value.crs is not None:
            from pyproj import CRS, Transformer

            crs = CRS.from_user_input(value.crs)
            if not crs.equals("EPSG:4326"):
                tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
                x, y = tr.transform(x, y)
                x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        xy = (x, y)
    elif isinstance(value, EnterpriseTable):
        gdf, problems, name = value.gdf, value.problems, value.layer_name
    else:
        gdf, problems, name = value, pd.DataFrame(columns=PROBLEM_COLUMNS), kind
    if not isinstance(gdf.index, pd.RangeIndex) or gdf.index.start != 0 or gdf.index.step != 1:
        gdf = gdf.reset_index(drop=True)
    if xy is None and gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    # Columns added or normalised on a shallow copy: the input's columns are shared, read only, and never modified
    # (a column set on the copy replaces it there alone); a deep copy of a 10M-row table costs a second.
    new: Dict[str, Any] = {}
    if "ent_id" not in gdf.columns:
        new["ent_id"] = [f"{kind}-{i + 1}" for i in range(len(gdf))]
    if "row" not in gdf.columns:
        new["row"] = np.arange(1, len(gdf) + 1)
    if "name" not in gdf.columns:
        new["name"] = None
    ids = pd.Series(new["ent_id"], index=gdf.index) if "ent_id" in new else gdf["ent_id"]
    id_keys = ids.to_numpy() if pd.api.types.is_integer_dtype(ids.dtype) else None
    if id_keys is None:
        new["ent_id"] = ids.astype(str)
    elif "ent_id" in new:
        new["ent_id"] = ids
    # (integer ids stay integers in this internal copy; Layer.id_text gives the text of output rows)
    gdf = gdf.copy(deep=False)
    for col, values in new.items():
        gdf[col] = values
    return Layer(kind, gdf, problems, name, id_keys, xy)


def _coords(layer: Layer) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y (NaN when no usable point) and a mask of rows whose geometry is a usable point."""
    if layer.xy is not None:
        x, y = layer.xy
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.all():  # the usual case: the arrays as given (read only here), not a copy of millions
            return x, y, ok
        return np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok
    geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    x = np.where(is_point, shapely.get_x(geoms), np.nan)
    y = np.where(is_point, shapely.get_y(geoms), np.nan)
    ok = is_point & np.isfinite(x) & np.isfinite(y)
    return np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok


class LayerBase:
    """What one enterprise table gives every run against the same county layer: the table as the engine reads
    it, each point's coordinates and county slot, the point index, the columns' codes and numbers, and the
    points' membership per zone layer. Memberships are kept per zone layer object (the latest one for each
    zone), so a zone rebuilt with other values is judged afresh and an unchanged one is not
    (:class:`.membership.MembershipCache` keeps bases between runs)."""

    def __init__(self, layer: Layer, admin: gpd.GeoDataFrame):
        self.layer = layer
        self.n = len(layer.gdf)
        self.x, self.y, self.has_point = _coords(layer)
        self._index: Optional[PointIndex] = None
        # Many points: each point's grid cell once, over the counties (zones lie within them)
        self.frame = GridFrame(self.x, self.y, tuple(admin.total_bounds)) if (
            self.n >= GRID_MIN_POINTS and len(admin)) else None
        self.admin_idx = self.locate(list(admin.geometry.values))
        self.judged = self.admin_idx >= 0
        # Attributes are worked out once per county and then taken per point; slot -1 (the extra last
        # element) stands for "no county".
        self.ai = np.where(self.judged, self.admin_idx, len(admin))
        self.a_county = np.append(admin["county"].astype(str).to_numpy(dtype=object), None)
        self.a_city = np.append(admin["city"].astype(str).to_numpy(dtype=object), None)
        self.a_adcode = np.append(admin["adcode"].astype(str).to_numpy(dtype=object), None)
        self.a_city_key = np.array([city_key(c) if c else "" for c in self.a_city], dtype=object)
        self.columns: Dict[str, Any] = {}  # "codes:<field>", "num:<field>": what conditions test
        self._zones: Dict[str, Tuple[Any, Any]] = {}

    @property
    def index(self) -> PointIndex:
        if self._index is None:
            self._index = PointIndex(self.x, self.y)
        return self._index

    def locate(self, geoms: List[Any]) -> np.ndarray:
        """For each point, the first of ``geoms`` covering it, else -1."""
        return CoverGrid(self.frame, geoms).locate() if self.frame is not None else locate(self.index, geoms)

    def box_index(self, boxes: List[Tuple[float, float, float, float]]) -> PointIndex:
        """An index of (at least) the points inside ``boxes``."""
        if self.frame is None:
            return self.index
        return PointIndex(self.x, self.y, self.frame.box_points(boxes))

    def by_zone(self, key: str, zone: Any, compute: Any) -> Any:
        """``compute()`` for the zone layer object ``zone``, kept until another object comes for ``key``."""
        hit = self._zones.get(key)
        if hit is None or hit[0] is not zone:
            hit = (zone, compute())
            self._zones[key] = hit
        return hit[1]


class LayerEval:
    """One run's view of a layer: zone memberships (from its :class:`LayerBase`) and context."""

    def __init__(self, layer: Any, admin: gpd.GeoDataFrame, zones: Mapping[str, gpd.GeoDataFrame],
                 ruleset: RuleSet):
        """``layer``: a :class:`LayerBase` made for ``admin`` (or a :class:`Layer`, given a base of its own)."""
        base = layer if isinstance(layer, LayerBase) else LayerBase(layer, admin)
        self.base, self.layer, self.admin, self.zones, self.ruleset = base, base.layer, admin, zones, ruleset
        self.n, self.x, self.y, self.has_point = base.n, base.x, base.y, base.has_point
        self.admin_idx, self.judged, self.ai = base.admin_idx, base.judged, base.ai
        self.a_county, self.a_city, self.a_adcode = base.a_county, base.a_city, base.a_adcode
        self.a_city_key = base.a_city_key
        self._cache: Dict[str, Any] = {}

    @property
    def index(self) -> PointIndex:
        return self.base.index

    @property
    def county(self) -> np.ndarray:
        return self.a_county[self.ai]

    @property
    def city(self) -> np.ndarray:
        return self.a_city[self.ai]

    @property
    def adcode(self) -> np.ndarray:
        return self.a_adcode[self.ai]

    def point_values(self, col: str, pos: np.ndarray) -> np.ndarray:
        """Column ``col`` of the output tables for rows ``pos``, from the layer and the points' counties."""
        if col == "ent_id":
            return self.layer.id_text(pos)
        if col in ("county", "city", "adcode"):
            return {"county": self.a_county, "city": self.a_city, "adcode": self.a_adcode}[col][self.ai[pos]]
        if col in ("lon", "lat"):
            return (self.x if col == "lon" else self.y)[pos]
        key = "values:" + col
        if key not in self.base.columns:
            self.base.columns[key] = self.layer.gdf[col].to_numpy(dtype=object if col == "name" else None)
        return self.base.columns[key][pos]

    def text_of(self, col: str) -> np.ndarray:
        """The per-county texts of ``county``/``city``/``adcode`` (slot -1, no county: 'None')."""
        key = "text:" + col
        if key not in self._cache:
            arr = {"county": self.a_county, "city": self.a_city, "adcode": self.a_adcode}[col]
            self._cache[key] = arr.astype(str).astype(object)
        return self._cache[key]

    def per_point(self, per_admin: np.ndarray) -> np.ndarray:
        """A per-county array (with the trailing 'no county' slot) spread to the points."""
        return per_admin[self.ai]

    # zone memberships ---------------------------------------------------------------------------

    def zone_available(self, zone_id: str) -> bool:
        return zone_id == ALL or zone_by_id(zone_id).layer in self.zones

    def _zone(self, zone_id: str) -> gpd.GeoDataFrame:
        return self.zones[zone_by_id(zone_id).layer]

    def _groups(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group name per county slot, is_key per county slot, is_key per point) from the key-city zone's rows."""
        layer = next((z.layer for z in ZONES if z.membership == KEY_CITY), None)
        zone = self.zones.get(layer) if layer is not None else None

        def compute() -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
            table: Dict[str, Tuple[str, bool]] = {}
            if zone is not None:
                table = {city_key(c): (str(g), bool(k)) for c, g, k in
                         zip(zone["city"], zone["group"], zone["is_key"])}
            pairs = [table.get(c, ("其他地区", False)) for c in self.a_city_key]
            a_group = np.array([p[0] for p in pairs], dtype=object)
            a_key = np.array([p[1] for p in pairs], dtype=bool)
            a_key[-1] = False
            return a_group, a_key, self.per_point(a_key)
        return self.base.by_zone("groups", zone, compute)

    def groups(self) -> Tuple[np.ndarray, np.ndarray]:
        """Key-city group name and is_key flag of each point's city (from the key-city zone's rows)."""
        a_group, _a_key, key = self._groups()
        return self.per_point(a_group), key

    def group_texts(self) -> np.ndarray:
        """The key-city group name per county slot (the trailing slot: no county)."""
        return self._groups()[0]

    def _by_adcode(self, zone_id: str) -> np.ndarray:
        codes = set(self._zone(zone_id)["adcode"].astype(str))
        a_in = np.array([c in codes for c in self.a_adcode], dtype=bool)
        a_in[-1] = False
        return self.per_point(a_in)

    def _by_geometry(self, zone_id: str) -> np.ndarray:
        z = self._zone(zone_id)
        return self.base.by_zone("geom:" + zone_id, z, lambda: self.base.locate(list(z.geometry.values)) >= 0)

    def plants(self, zone_id: str) -> Tuple[NearestPlants, gpd.GeoDataFrame]:
        """Membership of a plant-radius zone (each plant's own ``radius_km``, as built); ``.at(idx)`` gives
        the distance (m) to the nearest covering plant (inf if none) and that plant's row in the second
        element."""
        z = self._zone(zone_id)

        def compute() -> Tuple[NearestPlants, gpd.GeoDataFrame]:
            plants = z[z["part"] == "plant"].reset_index(drop=True) if "part" in z.columns else z
            own = self.layer.id_text(np.arange(self.n)) if self.layer.kind == "chp" else None
            return NearestPlants(self.base.box_index(NearestPlants.boxes(plants)), plants, own), plants
        return self.base.by_zone("plants:" + zone_id, z, compute)

    def zone_mask(self, zone_id: str) -> np.ndarray:
        """Inside-zone mask over all points (False for points not judged), decided as the registry says."""
        if zone_id == ALL:
            return self.judged.copy()
        membership = zone_by_id(zone_id).membership
        if membership == KEY_CITY:
            return self._groups()[2] & self.judged
        if membership == COUNTY:
            return self._by_adcode(zone_id)
        if membership == PLANT_RADIUS:
            return self.plants(zone_id)[0].member & self.judged
        if membership != AREA:  # a registry entry this evaluator does not know
            raise ValueError(f"zone {zone_id}: unknown membership {membership!r}")
        return self._by_geometry(zone_id) & self.judged

    def rule_zone_mask(self, rule: Rule) -> np.ndarray:
        """Where the rule applies: zone inside/outside, narrowed to its cities/counties/groups."""
        zs = rule.zone
        mask = self.zone_mask(zs.id)
        if zs.where == "outside":
            mask = ~mask & self.judged
        if zs.cities:
            wanted = {city_key(c) for c in zs.cities}
            mask &= self.per_point(np.array([c in wanted for c in self.a_city_key], dtype=bool))
        if zs.counties:
            names = {str(c) for c in zs.counties} | {county_key(c) for c in zs.counties}
            mask &= self.per_point(np.array([c is not None and (c in names or county_key(c) in names)
                                             for c in self.a_county], dtype=bool))
        if zs.groups:
            mask &= self.per_point(np.isin(self.group_texts(), list(zs.groups)))
        return mask


def _factorized(ev: LayerEval, name: str) -> Tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column, cached: conditions test the few distinct values, not every row."""
    key = "codes:" + name
    if key not in ev.base.columns:
        codes, uniques = pd.factorize(ev.layer.gdf[name], use_na_sentinel=True)
        ev.base.columns[key] = (codes, np.asarray(uniques, dtype=object))
    return ev.base.columns[key]


def _numbers(ev: LayerEval, name: str) -> np.ndarray:
    key = "num:" + name
    if key not in ev.base.columns:
        ev.base.columns[key] = pd.to_numeric(ev.layer.gdf[name], errors="coerce").to_numpy(dtype=float)
    return ev.base.columns[key]


def _category_test(uniques: np.ndarray, cond: Condition) -> np.ndarray:
    """The condition evaluated on the distinct values of a column."""
    op = cond.op
    if op in ("is_true", "is_false"):
        truth = np.array([u is True or u is np.True_ or u == 1 for u in uniques], dtype=bool)
        return truth if op == "is_true" else ~truth
    if op in ("in", "not_in"):
        isin = np.array([u in cond.value for u in uniques], dtype=bool)
        return isin if op == "in" else ~isin
    eq = np.array([u == cond.value for u in uniques], dtype=bool)
    return eq if op == "==" else ~eq


def _group_masks(ev: LayerEval, cond: Condition) -> Tuple[np.ndarray, np.ndarray, Dict[str, np.ndarray]]:
    """(known, value, unknown by field) of a condition. A group holds where one member holds, fails where
    every member fails, and is unknown otherwise; a member whose field the layer lacks is left out (the
    run's notes say the field is missing) unless every member's is."""
    if not cond.any_of:
        known, value = _condition_masks(ev, cond)
        return known, value, {cond.field: ~known}
    members = [c for c in cond.any_of if c.op == "in_zone" or c.if_missing != "verify"
               or _field_usable(ev.layer.gdf, c.field)] or list(cond.any_of)
    holds, fails = np.zeros(ev.n, bool), np.ones(ev.n, bool)
    unknown: Dict[str, np.ndarray] = {}
    for member in members:
        known, value = _condition_masks(ev, member)
        holds |= known & value
        fails &= known & ~value
        unknown[member.field] = unknown.get(member.field, np.zeros(ev.n, bool)) | ~known
    return holds | fails, holds, unknown


def _condition_masks(ev: LayerEval, cond: Condition) -> Tuple[np.ndarray, np.ndarray]:
    """(known, value) arrays for one condition; value is meaningful only where known."""
    n = ev.n
    if cond.op == "in_zone":  # an any-group member: inside a zone (unavailable zone: nobody is inside)
        inside = ev.zone_mask(cond.value) if ev.zone_available(cond.value) else np.zeros(n, bool)
        return np.ones(n, bool), inside
    if cond.field not in ev.layer.gdf.columns:
        known, value = np.zeros(n, bool), np.zeros(n, bool)
    elif cond.op in ("<", "<=", ">", ">="):
        v = _numbers(ev, cond.field)
        known = np.isfinite(v)
        with np.errstate(invalid="ignore"):
            value = {"<": v < cond.value, "<=": v <= cond.value, ">": v > cond.value,
                     ">=": v >= cond.value}[cond.op] & known
    else:
        codes, uniques = _factorized(ev, cond.field)
        known = codes >= 0
        # The trailing False is what code -1 (blank) picks.
        value = np.append(_category_test(uniques, cond), False)[codes]
    if cond.if_missing == "false":
        return np.ones(n, bool), value & known
    if cond.if_missing == "true":  # a blank counts as met (e.g. no siding recorded: build one)
        return np.ones(n, bool), value | ~known
    return known, value


def _field_usable(gdf: gpd.GeoDataFrame, name: str) -> bool:
    """A field is usable when its column exists and is not entirely blank (i.e. it was mapped)."""
    return name in gdf.columns and bool(gdf[name].notna().any())


@dataclass
class Hits:
    """One rule's hits on one layer: the rows, their reasons and (plant-radius rules) distances in km."""

    pos: np.ndarray
    reason: np.ndarray
    distance_km: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.pos)


def evaluate_rule(ev: LayerEval, rule: Rule, notes: List[str]):
    """(hit rows, unknown-by-field problem frames, :class:`Hits` or None) for one rule on one layer, or None."""
    gdf = ev.layer.gdf
    if not ev.zone_available(rule.zone.id):
        notes.append(f"规则 {rule.id} 未评估：缺少区域 {rule.zone.id}")
        return None
    absent = [c.field for c in rule.conditions if not c.any_of and c.if_missing == "verify"
              and not _field_usable(gdf, c.field)]
    absent += [m.field for c in rule.conditions if c.any_of
               and not any(x.op == "in_zone" or x.if_missing != "verify" or _field_usable(gdf, x.field)
                           for x in c.any_of) for m in c.any_of]
    if absent:
        # Said once per field of the layer, with every rule it kept from being evaluated (flag_enterprises).
        skipped = ev._cache.setdefault("absent_fields", {})
        for f in dict.fromkeys(absent):
            skipped.setdefault(f, []).append(rule.id)
        return None
    zone = ev.rule_zone_mask(rule)
    hit = zone.copy()
    any_false = np.zeros(ev.n, bool)
    unknown_by_field: Dict[str, np.ndarray] = {}
    for cond in rule.conditions:
        known, value, unknown = _group_masks(ev, cond)
        hit &= known & value
        any_false |= known & ~value
        for fname, mask in unknown.items():
            unknown_by_field[fname] = unknown_by_field.get(fname, np.zeros(ev.n, bool)) | mask
    undecided = zone & ~any_false & ~hit
    problems = []
    for fname, unknown in unknown_by_field.items():
        rows = np.flatnonzero(undecided & unknown)
        if len(rows):
            problems.append(pd.DataFrame({"pos": rows, "field": fname, "rule_id": rule.id}))
    idx = np.flatnonzero(hit)
    if len(idx) == 0:
        return idx, problems, None
    by_plant = rule.zone.id != ALL and zone_by_id(rule.zone.id).membership == PLANT_RADIUS
    chp_at = ev.plants(rule.zone.id)[0].at(idx) if by_plant else None
    ctx = reason_context(ev, rule, idx, chp_at)
    reason = render_template(rule.reason, ctx, len(idx))
    # every hit of a rule whose zone is the 1+30 region depends on the unverified list (a rule that only
    # lists it among alternatives gets the note in the run's notes, not in each reason)
    if rule.zone.id == "Z-1P30" and ev.ruleset.region_1p30_note and "{note_1p30}" not in rule.reason:
        reason = reason + f"（{ev.ruleset.region_1p30_note}）"
    # Only what differs per hit: the other columns are constant for a (layer, rule) pair (META_COLUMNS) or
    # follow from the row (ids, names, counties, coordinates), and the output tables take them from there.
    distance = np.round(chp_at[0] / 1000.0, 3) if chp_at is not None else None
    flags = Hits(idx, np.asarray(reason, dtype=object), distance)
    return idx, problems, flags


META_COLUMNS = ("layer", "rule_id", "action", "clause", "deadline", "lead_dept", "level", "severity",
                "action_class", "source_layer")


def frame_meta(kind: str, rule: Rule, source_layer: str) -> Dict[str, Any]:
    return {"layer": kind, "rule_id": rule.id, "action": rule.action, "clause": rule.clause,
            "deadline": rule.deadline, "lead_dept": rule.lead_dept, "level": rule.level,
            "severity": rule.severity, "action_class": rule.action_class, "source_layer": source_layer}
