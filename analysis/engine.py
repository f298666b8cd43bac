"""Zones × enterprises × rules → flags, verdicts and the 需核实 (to verify) table.

Everything is vectorised over the points of a layer: coordinates are numpy arrays, county and zone
membership come from a sorted-x bounding-box prefilter followed by ``shapely.intersects_xy`` on
prepared polygons, rule conditions are numpy masks with three-valued logic (true / false / unknown
because a value is missing), and reason sentences are assembled column-wise for flagged rows only.

Every input row ends in exactly one of: flagged (≥ 1 rule hit), to verify (not flagged, but some
problem kept it from being judged fully), clear. ``counts`` checks count_in = flagged + clear +
to_verify per layer and raises :class:`CountMismatchError` if not.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from .enterprises import PROBLEM_COLUMNS, EnterpriseTable
from .errors import CanceledError, CountMismatchError
from .fields import (
    FUEL_LABELS,
    INDUSTRY_LABELS,
    LAYER_KIND_LABELS,
    LAYER_KINDS,
    METHOD_LABELS,
    USE_LABELS,
    field_def,
    field_label,
)
from .rules import Condition, Rule, RuleSet
from .validation import missing_field_note
from .zones import ZONE_LAYER_OF, city_key, county_key

GEOD = Geod(ellps="WGS84")
FLAG_COLUMNS = ["ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "lead_dept", "reason",
                "county", "city", "adcode", "distance_km"]
FLAG_EXTRA_COLUMNS = ["level", "severity", "action_class", "lon", "lat", "row", "source_layer"]
VERDICT_COLUMNS = ["ent_id", "layer", "name", "verdict", "rule_ids", "county", "city"]
VERDICT_EXTRA_COLUMNS = ["verdict_class", "severity", "adcode", "n_rules", "row"]
TO_VERIFY_COLUMNS = ["ent_id", "layer", "problem"]
TO_VERIFY_EXTRA_COLUMNS = ["row", "field", "raw", "flagged", "source_layer"]
COUNT_COLUMNS = ["layer", "count_in", "flagged", "clear", "to_verify"]

ProgressFn = Callable[[int, int, str], None]


@dataclass
class FlagResult:
    """The engine's output; see the module docstring for what each table holds."""

    flags: gpd.GeoDataFrame
    verdicts: gpd.GeoDataFrame
    to_verify: gpd.GeoDataFrame
    clear: int
    counts: pd.DataFrame
    notes: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Spatial helpers


class PointIndex:
    """Points sorted by x, so the points inside a bounding box are found with two binary searches."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y
        valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        self.order = valid[np.argsort(x[valid], kind="stable")]
        self.xs = x[self.order]
        self.ys = y[self.order]  # y in the same sorted order: a box's strip is a contiguous slice

    def in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Indices of points within the box (edges included)."""
        lo, hi = np.searchsorted(self.xs, minx, "left"), np.searchsorted(self.xs, maxx, "right")
        yc = self.ys[lo:hi]
        return self.order[lo:hi][(yc >= miny) & (yc <= maxy)]


def locate(index: PointIndex, geoms: Sequence[Any]) -> np.ndarray:
    """For each point, the position of the first geometry covering it (boundary included), else -1."""
    result = np.full(len(index.x), -1, dtype=np.int64)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        cand = index.in_box(*geom.bounds)
        cand = cand[result[cand] < 0]
        if len(cand) == 0:
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, index.x[cand], index.y[cand])
        result[cand[hit]] = i
    return result


def _geod_dist(lon0: float, lat0: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geodesic distances (m) from one point to many on the WGS84 ellipsoid."""
    if len(x) == 1:  # pyproj takes a scalar path for size-1 arrays
        return np.array([GEOD.inv(lon0, lat0, float(x[0]), float(y[0]))[2]])
    return np.asarray(GEOD.inv(np.full(len(x), lon0), np.full(len(x), lat0), x, y)[2])


class _NearestPlants:
    """Which points lie within a ring plant's radius (geodesic, WGS84), and — for the rows asked for — the
    distance (m) to the nearest such plant and that plant's row. A plant never counts for itself (same
    ent_id). Points within no radius get inf / -1.

    Per plant, a generous box (1.3 × r in degrees at this latitude) and then a cheap local-plane distance
    (metres per degree of the WGS84 ellipsoid at the plant's latitude; its error here is well under 1 %)
    narrow the candidates: with a 1 % + 50 m margin, points farther than r*1.01 + 50 m are surely outside
    and points nearer than r*0.99 - 50 m surely inside. Only the band between needs the exact geodesic for
    membership; exact distances for every covering plant are computed only for the rows asked for (the
    rule's hits), in plant order, so the nearest plant and its distance are what a full pass would give.
    """

    def __init__(self, index: PointIndex, plants: gpd.GeoDataFrame, own_ids: Optional[np.ndarray]):
        self.index, self.own_ids = index, own_ids
        n = len(index.x)
        self.member = np.zeros(n, bool)
        self.cands: List[Tuple[float, float, float, str, np.ndarray]] = []
        for lon0, lat0, radius_km, pid in zip(plants["lon"], plants["lat"], plants["radius_km"], plants["ent_id"]):
            r = float(radius_km) * 1000.0
            dlat = 1.3 * r / 111_000.0
            dlon = dlat / max(np.cos(np.radians(lat0)), 0.1)
            cand = index.in_box(lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat)
            if len(cand):
                phi = np.radians(float(lat0))
                m_lat = 111_132.92 - 559.82 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
                m_lon = 111_412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi)
                dx = (index.x[cand] - lon0) * m_lon
                dy = (index.y[cand] - lat0) * m_lat
                d2 = dx * dx + dy * dy
                keep = d2 <= (r * 1.01 + 50.0) ** 2
                cand, d2 = cand[keep], d2[keep]
                if own_ids is not None:
                    not_own = own_ids[cand] != str(pid)
                    cand, d2 = cand[not_own], d2[not_own]
                inner = max(r * 0.99 - 50.0, 0.0)
                sure = d2 <= inner * inner
                self.member[cand[sure]] = True
                band = cand[~sure & ~self.member[cand]]
                if len(band):
                    dist = _geod_dist(float(lon0), float(lat0), index.x[band], index.y[band])
                    self.member[band[dist <= r]] = True
            self.cands.append((float(lon0), float(lat0), r, str(pid), cand))

    def at(self, idx: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """(distance m, plant row) of the nearest covering plant for rows ``idx`` (inf / -1 if none)."""
        n = len(self.index.x)
        wanted = np.zeros(n, bool)
        wanted[idx] = True
        best = np.full(n, np.inf)
        which = np.full(n, -1, dtype=np.int64)
        for j, (lon0, lat0, r, _pid, cand) in enumerate(self.cands):
            c = cand[wanted[cand]]
            if len(c) == 0:
                continue
            dist = _geod_dist(lon0, lat0, self.index.x[c], self.index.y[c])
            ok = (dist <= r) & (dist < best[c])
            best[c[ok]] = dist[ok]
            which[c[ok]] = j
        return best[idx], which[idx]


# --------------------------------------------------------------------------------------------------
# Formatting


@dataclass
class _Coded:
    """A text column as codes into its distinct texts (``texts[codes]``), so a reason sentence can be built
    once per combination of codes without turning every row into text first."""

    codes: np.ndarray
    texts: np.ndarray

    def values(self) -> np.ndarray:
        return self.texts[self.codes]


def _fmt_numbers_coded(values: np.ndarray, decimals: int = 2) -> _Coded:
    codes, uniques = pd.factorize(pd.Series(values, dtype=float), use_na_sentinel=True)
    texts = [f"{u:.{decimals}f}".rstrip("0").rstrip(".") for u in uniques] + ["未填"]
    return _Coded(np.where(codes < 0, len(texts) - 1, codes), np.array(texts, dtype=object))


def _fmt_numbers(values: np.ndarray, decimals: int = 2) -> np.ndarray:
    """Numbers as short text (20.0 → '20', 34.90 → '34.9'), formatted once per distinct value."""
    return _fmt_numbers_coded(values, decimals).values()


def _fmt_any_coded(values: np.ndarray) -> _Coded:
    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return _fmt_numbers_coded(s.to_numpy(dtype=float))
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = ["是" if v is True else "否" if v is False else
             (f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)) for v in uniques]
    texts.append("未填")
    return _Coded(np.where(codes < 0, len(texts) - 1, codes), np.array(texts, dtype=object))


def _fmt_any(values: np.ndarray) -> np.ndarray:
    """Any column as text for a reason; numbers short, blanks '未填', booleans 是/否."""
    return _fmt_any_coded(values).values()


def render_template(template: str, columns: Mapping[str, Any], n: int) -> np.ndarray:
    """Fill ``template`` for ``n`` rows; each placeholder's column is an array of text, a :class:`_Coded`
    text column or a scalar.

    Reasons repeat (a few cities × a few capacities), so when every array column is text the sentence is
    built once per distinct combination of values and then taken per row; the text is the same either way.
    Coded columns bring their codes, so only plain text arrays need factorizing.
    """
    names = list(dict.fromkeys(name for _lit, name, _spec, _conv in string.Formatter().parse(template)
                               if name is not None and isinstance(columns.get(name), (np.ndarray, _Coded))))
    if n >= 1000 and names and all(isinstance(columns[nm], _Coded) or
                                   pd.api.types.infer_dtype(columns[nm], skipna=False) == "string"
                                   for nm in names):
        codes, sizes = [], []
        for nm in names:
            v = columns[nm]
            if isinstance(v, _Coded):
                c, size = v.codes, len(v.texts)
            else:
                c, u = pd.factorize(v)
                size = len(u)
            codes.append(c)
            sizes.append(max(size, 1))
        if float(np.prod(np.asarray(sizes, dtype=float))) < 2.0 ** 62:
            combo, uniq = pd.factorize(np.ravel_multi_index(codes, sizes))
            if len(uniq) <= n // 4:
                first = np.empty(len(uniq), dtype=np.int64)
                first[combo[::-1]] = np.arange(n - 1, -1, -1)  # first row of each combination
                sub = {k: (v.texts[v.codes[first]] if isinstance(v, _Coded) else
                           v[first] if isinstance(v, np.ndarray) else v) for k, v in columns.items()}
                return _render_rows(template, sub, len(uniq))[combo]
    plain = {k: (v.values() if isinstance(v, _Coded) else v) for k, v in columns.items()}
    return _render_rows(template, plain, n)


def _render_rows(template: str, columns: Mapping[str, Any], n: int) -> np.ndarray:
    acc = np.full(n, "", dtype=object)
    for literal, name, spec, _conv in string.Formatter().parse(template):
        if literal:
            acc = acc + literal
        if name is None:
            continue
        value = columns.get(name, "{" + name + "}")
        if isinstance(value, np.ndarray):
            part = value if not spec else np.array([format(v, spec) for v in value], dtype=object)
            acc = acc + part.astype(object)
        else:
            acc = acc + (format(value, spec) if spec else str(value))
    return acc


# --------------------------------------------------------------------------------------------------
# One layer


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
class _Layer:
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
        need = pos[~self._id_done[pos]]
        if len(need):
            need = np.unique(need)
            self._id_text[need] = [str(v) for v in self.id_keys[need].tolist()]
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
        need = pos[~self._geom_done[pos]]
        if len(need):
            need = np.unique(need)
            x, y = self.xy[0][need], self.xy[1][need]
            ok = np.isfinite(x) & np.isfinite(y)  # rows without coordinates get no geometry (None)
            self._geom[need[ok]] = shapely.points(x[ok], y[ok])
            self._geom_done[need] = True
        return self._geom[pos]


def _as_layer(kind: str, value: Any) -> _Layer:
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
    # One assign (one copy of the frame) for every column added or normalised; the input is never modified.
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
    # (integer ids stay integers in this internal copy; _Layer.id_text gives the text of output rows)
    gdf = gdf.assign(**new)
    return _Layer(kind, gdf, problems, name, id_keys, xy)


def _coords(layer: _Layer) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y (NaN when no usable point) and a mask of rows whose geometry is a usable point."""
    if layer.xy is not None:
        x, y = layer.xy
        ok = np.isfinite(x) & np.isfinite(y)
        return np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok
    geoms = np.asarray(layer.gdf.geometry.values, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    x = np.where(is_point, shapely.get_x(geoms), np.nan)
    y = np.where(is_point, shapely.get_y(geoms), np.nan)
    ok = is_point & np.isfinite(x) & np.isfinite(y)
    return np.where(ok, x, np.nan), np.where(ok, y, np.nan), ok


class _LayerEval:
    """Lazily computed zone memberships and context for one layer."""

    def __init__(self, layer: _Layer, admin: gpd.GeoDataFrame, zones: Mapping[str, gpd.GeoDataFrame],
                 ruleset: RuleSet):
        self.layer, self.admin, self.zones, self.ruleset = layer, admin, zones, ruleset
        self.n = len(layer.gdf)
        self.x, self.y, self.has_point = _coords(layer)
        self.index = PointIndex(self.x, self.y)
        self.admin_idx = locate(self.index, list(admin.geometry.values))
        self.judged = self.admin_idx >= 0
        # Attributes are worked out once per county and then taken per point; slot -1 (the extra last
        # element) stands for "no county".
        self.ai = np.where(self.judged, self.admin_idx, len(admin))
        self.a_county = np.append(admin["county"].astype(str).to_numpy(dtype=object), None)
        self.a_city = np.append(admin["city"].astype(str).to_numpy(dtype=object), None)
        self.a_adcode = np.append(admin["adcode"].astype(str).to_numpy(dtype=object), None)
        self.a_city_key = np.array([city_key(c) if c else "" for c in self.a_city], dtype=object)
        self.county, self.city, self.adcode = self.a_county[self.ai], self.a_city[self.ai], self.a_adcode[self.ai]
        self._cache: Dict[str, Any] = {}

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
        return zone_id == "ALL" or ZONE_LAYER_OF.get(zone_id) in self.zones

    def _zone(self, zone_id: str) -> gpd.GeoDataFrame:
        return self.zones[ZONE_LAYER_OF[zone_id]]

    def groups(self) -> Tuple[np.ndarray, np.ndarray]:
        """Key-city group name and is_key flag of each point's city."""
        if "groups" not in self._cache:
            table: Dict[str, Tuple[str, bool]] = {}
            if "key_city_groups" in self.zones:
                z = self.zones["key_city_groups"]
                table = {city_key(c): (str(g), bool(k)) for c, g, k in zip(z["city"], z["group"], z["is_key"])}
            pairs = [table.get(c, ("其他地区", False)) for c in self.a_city_key]
            a_group = np.array([p[0] for p in pairs], dtype=object)
            a_key = np.array([p[1] for p in pairs], dtype=bool)
            a_key[-1] = False
            self._cache["a_groups"] = (a_group, a_key)
            self._cache["groups"] = (self.per_point(a_group), self.per_point(a_key))
        return self._cache["groups"]

    def _by_adcode(self, zone_id: str) -> np.ndarray:
        codes = set(self._zone(zone_id)["adcode"].astype(str))
        a_in = np.array([c in codes for c in self.a_adcode], dtype=bool)
        a_in[-1] = False
        return self.per_point(a_in)

    def _by_geometry(self, zone_id: str) -> np.ndarray:
        key = "geom:" + zone_id
        if key not in self._cache:
            z = self._zone(zone_id)
            self._cache[key] = locate(self.index, list(z.geometry.values))
        return self._cache[key] >= 0

    def chp(self) -> Tuple[_NearestPlants, gpd.GeoDataFrame]:
        """Membership of the CHP heating radii; ``.at(idx)`` gives distance (m) to the nearest covering
        plant (inf if none) and that plant's row in ``plants`` (the second element)."""
        if "chp" not in self._cache:
            z = self._zone("Z-CHP15")
            plants = z[z["part"] == "plant"].reset_index(drop=True) if "part" in z.columns else z
            own = self.layer.id_text(np.arange(self.n)) if self.layer.kind == "chp" else None
            self._cache["chp"] = (_NearestPlants(self.index, plants, own), plants)
        return self._cache["chp"]

    def zone_mask(self, zone_id: str) -> np.ndarray:
        """Inside-zone mask over all points (False for points not judged)."""
        if zone_id == "ALL":
            return self.judged.copy()
        if zone_id == "Z-KEY8":
            return self.groups()[1] & self.judged
        if zone_id in ("Z-1P30", "Z-NORTH", "Z-CLUSTER"):
            return self._by_adcode(zone_id)
        if zone_id == "Z-CHP15":
            return self.chp()[0].member & self.judged
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
            self.groups()
            a_group = self._cache["a_groups"][0]
            mask &= self.per_point(np.isin(a_group, list(zs.groups)))
        return mask


def _factorized(ev: _LayerEval, name: str) -> Tuple[np.ndarray, np.ndarray]:
    """(codes, uniques) of a column, cached: conditions test the few distinct values, not every row."""
    key = "codes:" + name
    if key not in ev._cache:
        codes, uniques = pd.factorize(ev.layer.gdf[name], use_na_sentinel=True)
        ev._cache[key] = (codes, np.asarray(uniques, dtype=object))
    return ev._cache[key]


def _numbers(ev: _LayerEval, name: str) -> np.ndarray:
    key = "num:" + name
    if key not in ev._cache:
        ev._cache[key] = pd.to_numeric(ev.layer.gdf[name], errors="coerce").to_numpy(dtype=float)
    return ev._cache[key]


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


def _condition_masks(ev: _LayerEval, cond: Condition) -> Tuple[np.ndarray, np.ndarray]:
    """(known, value) arrays for one condition; value is meaningful only where known."""
    n = ev.n
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
    return known, value


def _field_usable(gdf: gpd.GeoDataFrame, name: str) -> bool:
    """A field is usable when its column exists and is not entirely blank (i.e. it was mapped)."""
    return name in gdf.columns and bool(gdf[name].notna().any())


# --------------------------------------------------------------------------------------------------
# Context for reasons


def _label_column(values: np.ndarray, labels: Mapping[str, str]) -> np.ndarray:
    return np.array([labels.get(v, "未填" if v is None else str(v)) for v in values], dtype=object)


def _reason_context(ev: _LayerEval, rule: Rule, idx: np.ndarray,
                    chp_at: Optional[Tuple[np.ndarray, np.ndarray]]) -> Dict[str, Any]:
    gdf = ev.layer.gdf
    ctx: Dict[str, Any] = {k: (f"{v:.2f}").rstrip("0").rstrip(".") for k, v in ev.ruleset.params.items()}
    names = [f for _, f, _, _ in string.Formatter().parse(rule.reason) if f]
    for name in names:
        if name == "ent_id":
            ctx[name] = ev.layer.id_text(idx)
        elif name in gdf.columns and name not in ("city", "county", "adcode"):
            ctx[name] = _fmt_any_coded(gdf[name].to_numpy()[idx])
    # County attributes as codes (the point's county slot) into the per-county texts.
    ai = ev.ai[idx]
    ctx.update(city=_Coded(ai, ev.text_of("city")), county=_Coded(ai, ev.text_of("county")),
               adcode=_Coded(ai, ev.text_of("adcode")), rule_id=rule.id)
    if "group" in names:
        ev.groups()
        ctx["group"] = _Coded(ai, ev._cache["a_groups"][0])
    for name, col, labels in (("fuel_label", "fuel", FUEL_LABELS), ("use_label", "use", USE_LABELS),
                              ("method_label", "method", METHOD_LABELS),
                              ("industry_label", "industry", INDUSTRY_LABELS)):
        if name in names and col in gdf.columns:
            ctx[name] = _label_column(gdf[col].to_numpy(dtype=object)[idx], labels)
    if chp_at is not None and ev.zone_available("Z-CHP15") and rule.zone.id == "Z-CHP15":
        plants = ev.chp()[1]
        dist_m, w = chp_at
        ctx["distance_km"] = _fmt_numbers_coded(dist_m / 1000.0)
        # Plant attributes as codes (the plant's row; the extra last slot, text '', for no plant).
        wc = np.where(w >= 0, w, len(plants))
        names_arr = np.append(plants["name"].astype(str).to_numpy(dtype=object), "").astype(object)
        ids_arr = np.append(plants["ent_id"].astype(str).to_numpy(dtype=object), "").astype(object)
        mw_arr = np.append(pd.to_numeric(plants["capacity_mw"], errors="coerce").to_numpy(dtype=float), np.nan)
        ctx["chp_name"] = _Coded(wc, names_arr)
        ctx["chp_id"] = _Coded(wc, ids_arr)
        mw = _fmt_numbers_coded(mw_arr)
        ctx["chp_mw"] = _Coded(mw.codes[wc], mw.texts)
    if "ring_km" in names:
        z = ev.zones.get("mine_closure_zone")
        ring = z["ring_km"].iloc[0] if z is not None and len(z) else ev.ruleset.params.get("mine_ring_km", 3)
        ctx["ring_km"] = (f"{float(ring):.2f}").rstrip("0").rstrip(".")
    if "rail_target_pct" in names:
        p = ev.ruleset.params
        in_ban = ev.zone_mask("Z-BAN")[idx] if ev.zone_available("Z-BAN") else np.zeros(len(idx), bool)
        hi, lo = p.get("rail_share_builtup_pct", 90), p.get("rail_share_pct", 80)
        ctx["rail_target_pct"] = np.where(in_ban, f"{hi:g}", f"{lo:g}").astype(object)
    ctx["note_1p30"] = ev.ruleset.region_1p30_note
    return ctx


# --------------------------------------------------------------------------------------------------
# The engine


def _evaluate_rule(ev: _LayerEval, rule: Rule, notes: List[str]):
    """(hit rows, unknown-by-field problem frame, flags frame) for one rule on one layer, or None."""
    gdf = ev.layer.gdf
    if not ev.zone_available(rule.zone.id):
        notes.append(f"规则 {rule.id} 未评估：缺少区域 {rule.zone.id}")
        return None
    absent = [c.field for c in rule.conditions if c.if_missing == "verify" and not _field_usable(gdf, c.field)]
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
        known, value = _condition_masks(ev, cond)
        hit &= known & value
        any_false |= known & ~value
        unknown_by_field[cond.field] = unknown_by_field.get(cond.field, np.zeros(ev.n, bool)) | ~known
    undecided = zone & ~any_false & ~hit
    problems = []
    for fname, unknown in unknown_by_field.items():
        rows = np.flatnonzero(undecided & unknown)
        if len(rows):
            problems.append(pd.DataFrame({"pos": rows, "field": fname, "rule_id": rule.id}))
    idx = np.flatnonzero(hit)
    if len(idx) == 0:
        return idx, problems, None
    chp_at = ev.chp()[0].at(idx) if rule.zone.id == "Z-CHP15" else None
    ctx = _reason_context(ev, rule, idx, chp_at)
    reason = render_template(rule.reason, ctx, len(idx))
    if rule.uses_1p30 and ev.ruleset.region_1p30_note and "{note_1p30}" not in rule.reason:
        reason = reason + f"（{ev.ruleset.region_1p30_note}）"
    # Only the per-hit columns; the ones constant for a (layer, rule) pair (META_COLUMNS) are kept once
    # per frame and spread to the rows by take when the output tables are built. Every array here is
    # fresh, so copy=False (no copy, no block consolidation) is safe.
    flags = pd.DataFrame(copy=False, data={
        "pos": idx, "reason": reason,
        "county": ev.county[idx], "city": ev.city[idx], "adcode": ev.adcode[idx],
        "distance_km": np.round(chp_at[0] / 1000.0, 3) if chp_at is not None else np.nan,
        "lon": ev.x[idx], "lat": ev.y[idx], "row": gdf["row"].to_numpy()[idx],
    })
    return idx, problems, flags


META_COLUMNS = ("layer", "rule_id", "action", "clause", "deadline", "lead_dept", "level", "severity",
                "action_class", "source_layer")


def _frame_meta(kind: str, rule: Rule, source_layer: str) -> Dict[str, Any]:
    return {"layer": kind, "rule_id": rule.id, "action": rule.action, "clause": rule.clause,
            "deadline": rule.deadline, "lead_dept": rule.lead_dept, "level": rule.level,
            "severity": rule.severity, "action_class": rule.action_class, "source_layer": source_layer}


def _flag_col(flags: pd.DataFrame, meta: Mapping[str, np.ndarray], col: str,
              rows: Optional[np.ndarray] = None) -> np.ndarray:
    """A column of the concatenated hits (at ``rows`` only, when given): per-hit columns as they are,
    per-frame ones taken by frame, ids and names taken from the layers by position."""
    f = flags["_f"].to_numpy() if "_f" in flags.columns else None
    if f is not None and rows is not None:
        f = f[rows]
    if col in ("ent_id", "name") and col in meta and f is not None:
        # Names are taken from the layers by position (an all-blank name column would otherwise make
        # pandas test every value of it for NA when the rules' frames are concatenated); integer ids are
        # turned into text for these rows only.
        pos = flags["pos"].to_numpy(dtype=np.int64)
        if rows is not None:
            pos = pos[rows]
        kinds = pd.unique(meta["layer"])
        out = np.empty(len(pos), dtype=object)
        for kind in kinds:
            sel = slice(None) if len(kinds) == 1 else meta["layer"][f] == kind
            src = meta[col][kind]
            out[sel] = src.id_text(pos[sel]) if col == "ent_id" else src[pos[sel]]
        return out
    if col in meta and f is not None:
        return meta[col][f]
    v = flags[col].to_numpy()
    return v if rows is None else v[rows]


def _frame_codes(flags: pd.DataFrame, meta: Mapping[str, np.ndarray],
                 rule_order: Mapping[str, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Per hit: the layer's code (rank among the layers present, as a sorted factorize gives it) and the
    rule's position in the rules file — worked out once per (layer, rule) frame and taken per hit."""
    f = flags["_f"].to_numpy()
    lc, _ = pd.factorize(meta["layer"], sort=True)
    order = pd.Series(meta["rule_id"]).map(rule_order).to_numpy(dtype=np.int64)
    return lc[f], order[f]


def _location_problems(ev: _LayerEval, table_problems: pd.DataFrame) -> pd.DataFrame:
    """Rows that cannot be judged: no usable point (unless already explained), or outside every county."""
    gdf = ev.layer.gdf
    rows = gdf["row"].to_numpy()
    explained = set(table_problems.loc[table_problems["field"].isin(["lon", "lat", "lon,lat", "geometry"]),
                                       "row"]) if len(table_problems) else set()
    no_point = ~ev.has_point & ~np.isin(rows, list(explained))
    outside = ev.has_point & ~ev.judged
    frames = []
    if no_point.any():
        frames.append(pd.DataFrame({"pos": np.flatnonzero(no_point), "field": "geometry", "raw": "",
                                    "problem": "无坐标或几何无效（空几何），无法定位"}))
    if outside.any():
        pos = np.flatnonzero(outside)
        raw = (pd.Series(ev.x[pos]).round(6).astype(str) + ", " + pd.Series(ev.y[pos]).round(6).astype(str))
        frames.append(pd.DataFrame({"pos": pos, "field": "lon,lat", "raw": raw.to_numpy(),
                                    "problem": ("点 (" + raw + ") 不在任何县区范围内").to_numpy()}))
    keys = ev.layer.id_keys
    dup = (pd.Series(keys).duplicated(keep=False).to_numpy() if keys is not None
           else gdf["ent_id"].duplicated(keep=False).to_numpy())
    if dup.any():
        pos = np.flatnonzero(dup)
        dup_ids = pd.Series(ev.layer.id_text(pos), dtype=object)
        counts = dup_ids.map(dup_ids.value_counts()).astype(str)
        frames.append(pd.DataFrame({"pos": pos, "field": "ent_id", "raw": dup_ids.to_numpy(),
                                    "problem": ("编号 '" + dup_ids + "' 重复（共 " + counts + " 条）").to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pos", "field", "raw", "problem"])


def _missing_problems(ev: _LayerEval, frames: List[pd.DataFrame]) -> pd.DataFrame:
    """One problem per (row, field) left blank that some rule needed, naming those rules."""
    if not frames:
        return pd.DataFrame(columns=["pos", "field", "raw", "problem"])
    df = pd.concat(frames, ignore_index=True)
    pos = df["pos"].to_numpy(dtype=np.int64)
    fcodes, fields = pd.factorize(df["field"], sort=True)
    # Group by (pos, field) sorted; within a group the rules keep the order they were evaluated in.
    srt = np.lexsort((np.arange(len(df)), fcodes, pos))
    ps, fc = pos[srt], fcodes[srt]
    starts = np.flatnonzero(np.r_[True, (ps[1:] != ps[:-1]) | (fc[1:] != fc[:-1])])
    joined = np.add.reduceat((df["rule_id"].to_numpy(dtype=object)[srt] + "、").astype(object), starts)
    rules = np.array([j[:-1] for j in joined], dtype=object)
    g_pos, g_fc = ps[starts], fc[starts]
    gdf = ev.layer.gdf
    heads = np.array([f"{field_label(f)} 为空或无法识别，无法判断规则 " for f in fields], dtype=object)
    raw = np.full(len(starts), "", dtype=object)
    for k, fname in enumerate(fields):
        sel = g_fc == k
        if fname in gdf.columns:
            raw[sel] = ["" if pd.isna(v) else str(v) for v in gdf[fname].iloc[g_pos[sel]]]
    return pd.DataFrame({"pos": g_pos, "field": np.asarray(fields, dtype=object)[g_fc], "raw": raw,
                         "problem": heads[g_fc] + rules})


def _checkpoint(progress: Optional[ProgressFn], is_canceled: Optional[Callable[[], bool]], step: int,
                total: int, label: str) -> None:
    if is_canceled is not None and is_canceled():
        raise CanceledError("已取消 / canceled")
    if progress is not None:
        progress(step, total, label)


def _take_geoms(layers: np.ndarray, pos: np.ndarray, geoms_of: Mapping[str, Any]) -> gpd.GeoSeries:
    """Geometries for (layer, pos) pairs, taken as whole arrays per layer (rows must be grouped by layer)."""
    parts = []
    for kind in pd.unique(layers):
        sel = layers == kind
        parts.append(gpd.GeoSeries(geoms_of[kind].take(pos[sel]), crs="EPSG:4326"))
    if not parts:
        return gpd.GeoSeries([], crs="EPSG:4326")
    return gpd.GeoSeries(pd.concat(parts, ignore_index=True), crs="EPSG:4326")


def _group_order(layer_codes: np.ndarray, pos: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The permutation sorting rows by (layer, pos, rule order), as ``np.lexsort`` would.

    The hits are concatenated layer by layer and rule by rule in the file's order, so a stable sort on one
    integer key (layer, pos) keeps the rule order within each enterprise; checked, else lexsort.
    """
    n = len(pos)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = layer_codes.astype(np.int64) * (int(pos.max()) + 1) + pos
    srt = np.argsort(key, kind="stable")
    ks, os_ = key[srt], order[srt]
    if bool(((ks[1:] != ks[:-1]) | (os_[1:] > os_[:-1])).all()):
        return srt
    return np.lexsort((order, pos, layer_codes))


def _verdicts(flags: pd.DataFrame, geoms_of: Mapping[str, Any], rule_order: Mapping[str, int],
              meta: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
    """One row per flagged enterprise (layer, row): its most severe action and all its rule ids."""
    cols = VERDICT_COLUMNS + VERDICT_EXTRA_COLUMNS
    if flags.empty:
        return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")
    layer_codes, order = _frame_codes(flags, meta, rule_order)
    pos = flags["pos"].to_numpy(dtype=np.int64)
    sev = _flag_col(flags, meta, "severity").astype(np.int64)
    # Rows grouped by enterprise (layer, pos), rules in the file's order inside a group.
    srt2 = _group_order(layer_codes, pos, order)
    lc2, ps2 = layer_codes[srt2], pos[srt2]
    starts = np.flatnonzero(np.r_[True, (lc2[1:] != lc2[:-1]) | (ps2[1:] != ps2[:-1])])
    sizes = np.diff(np.r_[starts, len(srt2)])
    # The verdict row of a group: most severe, ties broken by the rules file's order (earliest).
    k = int(order.max()) + 2 if len(order) else 1
    score = (sev * k + (k - 1 - order))[srt2]
    best = np.flatnonzero(score == np.repeat(np.maximum.reduceat(score, starts), sizes))
    if len(best) == len(starts):
        take = srt2[best]
        srt = None
    else:  # a rule hit one enterprise twice: the general sort
        srt = np.lexsort((order, -sev, pos, layer_codes))
        take = srt[starts]
    # Only the columns used below, taken as arrays (no wide-frame take, copy and block consolidation).
    first = {c: _flag_col(flags, meta, c, take) for c in ("ent_id", "layer", "name", "action", "county", "city",
                                                           "action_class", "severity", "adcode", "row", "pos")}
    # rule_ids in the file's order. Few distinct combinations occur, so each combination's text is built
    # once (from a bit set of rule positions) and taken per enterprise.
    if k <= 62 and srt is None:
        bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), order[srt2]), starts)
        codes, combos = pd.factorize(bits)
        rid_of = {o: r for r, o in rule_order.items()}
        texts = [",".join(rid_of[o] for o in range(k) if (int(c) >> o) & 1) for c in combos]
        joined = np.asarray(texts, dtype=object)[codes]
    else:
        ids = (_flag_col(flags, meta, "rule_id", srt2).astype(object) + ",").astype(object)
        joined = np.add.reduceat(ids, starts)
        joined = np.array([j[:-1] for j in joined], dtype=object)
    n_rules = sizes
    out = pd.DataFrame(copy=False, data={
        "ent_id": first["ent_id"], "layer": first["layer"], "name": first["name"], "verdict": first["action"],
        "rule_ids": joined, "county": first["county"], "city": first["city"],
        "verdict_class": first["action_class"], "severity": first["severity"], "adcode": first["adcode"],
        "n_rules": n_rules, "row": first["row"],
    })
    geoms = _take_geoms(first["layer"].astype(object), first["pos"].astype(np.int64), geoms_of)
    return gpd.GeoDataFrame(out, geometry=geoms.values, crs="EPSG:4326", copy=False)


def flag_enterprises(zones: Mapping[str, gpd.GeoDataFrame], admin: gpd.GeoDataFrame,
                     enterprises: Mapping[str, Any], ruleset: RuleSet,
                     progress: Optional[ProgressFn] = None,
                     is_canceled: Optional[Callable[[], bool]] = None) -> FlagResult:
    """Apply every enabled rule to every enterprise layer (keyed by kind: boiler/mine/plant/chp).

    Each layer is an :class:`EnterpriseTable`, a GeoDataFrame of points, or — for big layers — a
    :class:`PointTable` (attributes plus x/y arrays; point geometries are then made for output rows only).
    """
    if admin.crs is not None and not admin.crs.equals("EPSG:4326"):
        admin = admin.to_crs("EPSG:4326")
    admin = admin.reset_index(drop=True)
    rule_order = {r.id: i for i, r in enumerate(ruleset.rules)}
    notes: List[str] = []
    flag_frames, verify_frames, count_rows = [], [], []
    layers = {k: _as_layer(k, v) for k, v in enterprises.items() if v is not None}
    unknown = set(layers) - set(LAYER_KINDS)
    if unknown:
        raise ValueError(f"unknown enterprise layer kinds {sorted(unknown)}; expected {LAYER_KINDS}")
    total = max(len(layers), 1)
    geoms_of: Dict[str, Any] = {}
    names_of: Dict[str, np.ndarray] = {}
    frame_meta: List[Dict[str, Any]] = []
    for step, (kind, layer) in enumerate(layers.items()):
        shown = LAYER_KIND_LABELS.get(kind, kind) if layer.source_layer == kind else layer.source_layer
        _checkpoint(progress, is_canceled, step, total, f"判定{shown}…")
        ev = _LayerEval(layer, admin, zones, ruleset)
        geoms_of[kind] = layer.geoms()
        names_of[kind] = layer.gdf["name"].to_numpy(dtype=object)
        flagged_pos: List[np.ndarray] = []
        missing_frames: List[pd.DataFrame] = []
        for rule in ruleset.enabled_rules:
            if kind not in rule.layers:
                continue
            res = _evaluate_rule(ev, rule, notes)
            if res is None:
                continue
            idx, problems, flags = res
            flagged_pos.append(idx)
            missing_frames.extend(problems)
            if flags is not None:
                flags["_f"] = len(frame_meta)
                frame_meta.append(_frame_meta(kind, rule, layer.source_layer))
                flag_frames.append(flags)
            if rule.uses_1p30 and ruleset.region_1p30_note and ruleset.region_1p30_note not in notes:
                notes.append(ruleset.region_1p30_note)
        for fname, rule_ids in ev._cache.get("absent_fields", {}).items():
            notes.append(missing_field_note(layer.source_layer, kind, fname, rule_ids))
        verify = _layer_to_verify(ev, layer, missing_frames)
        flagged = np.zeros(ev.n, bool)
        for idx in flagged_pos:
            flagged[idx] = True
        verify["flagged"] = flagged[verify["pos"].to_numpy(dtype=np.int64)] if len(verify) else []
        verify_frames.append(verify)
        count_rows.append(_count_row(kind, ev.n, flagged, verify))
    flags_df = pd.concat(flag_frames, ignore_index=True) if flag_frames else pd.DataFrame(
        columns=["pos"] + FLAG_COLUMNS + FLAG_EXTRA_COLUMNS)
    _checkpoint(progress, is_canceled, total, total, "汇总判定结果…")
    meta = {c: np.array([m[c] for m in frame_meta], dtype=np.int64 if c == "severity" else object)
            for c in META_COLUMNS} if frame_meta else {}
    if frame_meta:
        meta["name"] = names_of
        meta["ent_id"] = layers
    verdicts = _verdicts(flags_df, geoms_of, rule_order, meta)
    flags = _flags_gdf(flags_df, geoms_of, rule_order, meta)
    to_verify = _to_verify_gdf(verify_frames, geoms_of)
    counts = pd.DataFrame(count_rows, columns=COUNT_COLUMNS)
    _check_counts(counts, verdicts, verify_frames)
    return FlagResult(flags, verdicts, to_verify, int(counts["clear"].sum()), counts,
                      list(dict.fromkeys(notes)))


def _layer_to_verify(ev: _LayerEval, layer: _Layer, missing_frames: List[pd.DataFrame]) -> pd.DataFrame:
    gdf = layer.gdf
    parts = [_location_problems(ev, layer.problems), _missing_problems(ev, missing_frames)]
    if len(layer.problems):
        pos_of_row = pd.Series(np.arange(len(gdf)), index=gdf["row"].to_numpy())
        tp = layer.problems
        tp = tp[tp["row"].isin(pos_of_row.index)]
        parts.append(pd.DataFrame({"pos": pos_of_row.loc[tp["row"].to_numpy()].to_numpy(),
                                   "field": tp["field"].to_numpy(), "raw": tp["raw"].to_numpy(),
                                   "problem": tp["problem"].to_numpy()}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["pos", "ent_id", "layer", "problem", "row", "field", "raw", "source_layer"])
    df = pd.concat(parts, ignore_index=True)
    pos = df["pos"].to_numpy(dtype=np.int64)
    df["ent_id"] = layer.id_text(pos)
    df["layer"] = layer.kind
    df["row"] = gdf["row"].to_numpy()[pos]
    df["source_layer"] = layer.source_layer
    return df.sort_values(["pos"], kind="stable").reset_index(drop=True)


def _count_row(kind: str, n: int, flagged: np.ndarray, verify: pd.DataFrame) -> Dict[str, Any]:
    in_verify = np.zeros(n, bool)
    if len(verify):
        in_verify[verify["pos"].to_numpy(dtype=np.int64)] = True
    to_verify = in_verify & ~flagged
    return {"layer": kind, "count_in": n, "flagged": int(flagged.sum()), "to_verify": int(to_verify.sum()),
            "clear": int((~flagged & ~in_verify).sum())}


def _check_counts(counts: pd.DataFrame, verdicts: gpd.GeoDataFrame, verify_frames: List[pd.DataFrame]) -> None:
    """count_in = flagged + clear + to_verify per layer, cross-checked against the output tables."""
    verify = pd.concat([f for f in verify_frames if len(f)], ignore_index=True) if any(
        len(f) for f in verify_frames) else pd.DataFrame(columns=["layer", "pos", "flagged"])
    for r in counts.itertuples():
        n_verdicts = int((verdicts["layer"] == r.layer).sum()) if len(verdicts) else 0
        tv = verify[(verify["layer"] == r.layer) & ~verify["flagged"].astype(bool)]
        n_tv = int(tv["pos"].nunique())
        if r.flagged + r.clear + r.to_verify != r.count_in or n_verdicts != r.flagged or n_tv != r.to_verify:
            raise CountMismatchError(
                f"{r.layer}: count_in {r.count_in} ≠ flagged {r.flagged} + clear {r.clear} + to_verify "
                f"{r.to_verify} (verdicts {n_verdicts}, to-verify rows {n_tv})")


def _flags_gdf(flags_df: pd.DataFrame, geoms_of: Mapping[str, np.ndarray],
               rule_order: Mapping[str, int], meta: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
    cols = FLAG_COLUMNS + FLAG_EXTRA_COLUMNS
    if flags_df.empty:
        return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")
    layer_codes, order = _frame_codes(flags_df, meta, rule_order)
    srt = _group_order(layer_codes, flags_df["pos"].to_numpy(dtype=np.int64), order)
    # Column-wise takes of just the output columns (no wide-frame take, reset_index copy, consolidation).
    data = {c: _flag_col(flags_df, meta, c, srt) for c in cols}
    data["distance_km"] = data["distance_km"].astype(float)
    geoms = _take_geoms(data["layer"].astype(object), flags_df["pos"].to_numpy(dtype=np.int64)[srt], geoms_of)
    return gpd.GeoDataFrame(data, geometry=geoms.values, crs="EPSG:4326", copy=False)


def _to_verify_gdf(frames: List[pd.DataFrame], geoms_of: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
    cols = TO_VERIFY_COLUMNS + TO_VERIFY_EXTRA_COLUMNS
    frames = [f for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")
    df = pd.concat(frames, ignore_index=True)
    geoms = _take_geoms(df["layer"].to_numpy(dtype=object), df["pos"].to_numpy(dtype=np.int64), geoms_of)
    df["flagged"] = df["flagged"].astype(bool)
    missing = df["raw"].isna()  # a blank cell is quoted as empty, not as "None"/"nan"
    df["raw"] = df["raw"].astype(str)
    df.loc[missing, "raw"] = ""
    return gpd.GeoDataFrame(df[cols].reset_index(drop=True), geometry=geoms.values, crs="EPSG:4326")


# --------------------------------------------------------------------------------------------------
# Summaries


def summary_by_county(flags: pd.DataFrame) -> pd.DataFrame:
    """Counts of flags per county (rows: city, county, adcode) × rule id, plus per action class and total."""
    return _summary(flags, ["city", "county", "adcode"])


def summary_by_city(flags: pd.DataFrame) -> pd.DataFrame:
    """Counts of flags per city × rule id, plus per action class and total."""
    return _summary(flags, ["city"])


def _summary(flags: pd.DataFrame, keys: List[str]) -> pd.DataFrame:
    if flags is None or len(flags) == 0:
        return pd.DataFrame(columns=keys + ["total"])
    f = pd.DataFrame(flags).copy()
    for k in keys:
        f[k] = f[k].fillna("")
    by_rule = pd.crosstab([f[k] for k in keys], f["rule_id"])
    if "action_class" in f.columns:
        by_class = pd.crosstab([f[k] for k in keys], f["action_class"]).add_prefix("class_")
        by_rule = by_rule.join(by_class)
    by_rule["total"] = f.groupby(keys).size()
    by_rule["enterprises"] = f[keys + ["layer", "ent_id"]].drop_duplicates().groupby(keys).size()
    by_rule.columns.name = None
    return by_rule.reset_index()


def label_of(kind: str, name: str) -> str:
    """Chinese label of a canonical field of a kind (for UIs)."""
    f = field_def(kind, name)
    return f.label if f else name
