"""One builder per zone of RULES.md §1; every builder returns a GeoDataFrame in EPSG:4326 with ``zone_id``.

Which zones exist, their ids, layers, parameters and step labels are in :mod:`.zone_registry`; each entry
names its builder here (``<layer>_layer(ZoneInputs)``), and :func:`build_all_zones` runs them in the
registry's order into a :class:`ZoneSet`, which keeps the parameters the zones were built with.

The zones listed by county or city (Z-1P30, Z-KEY, Z-NORTH, Z-CLUSTER) are made here; those drawn on the ground
(built-up areas and rings, planning areas, CHP radii) in :mod:`.zone_geometry`. Notes for the user (unmatched
region members, fallbacks) are kept in ``gdf.attrs["notes"]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import geopandas as gpd
import numpy as np

from ..common.errors import CanceledError
from ..plan.rules import RuleSet
from ..plan.zone_registry import ZONES, zone_params
from ..schema.params import format_value
from .frames import ZONE_ID, city_key, county_key, empty_zone, with_notes
from .geometry import (  # noqa: F401 - the builders' public functions, importable from here too
    PrefectureRings,
    chp_heating_radius,
    city_by_overlap,
    coal_ban_zone,
    geodesic_circle,
    mine_closure_zone,
    planning_area,
    prefecture_builtup,
    user_planning_areas,
)

ProgressFn = Callable[[int, int, str], None]


class ZoneSet(Dict[str, gpd.GeoDataFrame]):
    """The zone layers by layer name (as in zones.gpkg), with the parameters they were built with.

    Whatever reads zones (the engine's membership and reasons, layer titles, atlas notes) takes the zone
    parameters from here, never from a rules file that may have changed since the zones were built.
    """

    def __init__(self, layers: Optional[Mapping[str, gpd.GeoDataFrame]] = None,
                 params: Optional[Mapping[str, float]] = None):
        super().__init__(layers or {})
        self.params: Dict[str, float] = {k: float(v) for k, v in (params or {}).items()}

    def ruleset_for(self, ruleset: RuleSet) -> RuleSet:
        """``ruleset`` with the zone parameters these zones were built with (reasons then quote them)."""
        changed = {k: v for k, v in self.params.items() if k in ruleset.params and ruleset.params[k] != v}
        return ruleset.with_params(**changed) if changed else ruleset

    def differences(self, ruleset: RuleSet) -> List[str]:
        """Chinese notes for every zone parameter that differs from the rules file's value."""
        notes = []
        for key, value in self.params.items():
            if key in ruleset.params and ruleset.params[key] != value:
                spec = ruleset.param_specs.get(key)
                label, unit = (spec.label, spec.unit) if spec else (key, "")
                notes.append(f"{label}按管控分区构建时的 {format_value(value)}{unit} 计（规则文件为 "
                             f"{format_value(ruleset.params[key])}{unit}）")
        return notes


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
    out = _admin_rows(admin, mask, ZONE_ID["region_1p30"])
    out["verified"] = bool(region.get("verified", False))
    out["note"] = ruleset.region_1p30_note
    notes = [ruleset.region_1p30_note] if ruleset.region_1p30_note else []
    if missing:
        notes.append("1+30 名单中以下县区在行政区划图层中未找到：" + "、".join(missing))
    return with_notes(out, notes)


def _county_list_zone(admin: gpd.GeoDataFrame, members: Mapping[str, Any], zone_id: str,
                      label: str) -> gpd.GeoDataFrame:
    mask, missing = match_members(admin, members)
    out = _admin_rows(admin, mask, zone_id)
    notes = [f"{label}名单中以下县区在行政区划图层中未找到：" + "、".join(missing)] if missing else []
    return with_notes(out, notes)


def north_coal_zero(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-NORTH: the eight northern plain districts where loose coal goes to zero (三(二)7)."""
    return _county_list_zone(admin, ruleset.regions.get("north_coal_zero", {}), ZONE_ID["north_coal_zero"],
                             "北部平原散煤清零区")


def cluster_counties(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-CLUSTER: the fifteen industrial-cluster counties to rectify (三(一)3)."""
    return _county_list_zone(admin, ruleset.regions.get("cluster_counties", {}), ZONE_ID["cluster_counties"],
                             "产业集群综合整治县")


def city_groups(ruleset: RuleSet) -> Dict[str, Tuple[str, bool]]:
    """{city key: (group name, is key city)} from the rules file."""
    out: Dict[str, Tuple[str, bool]] = {}
    for g in ruleset.regions.get("key_city_groups", []):
        for city in g.get("cities", []):
            out[city_key(city)] = (str(g.get("group", "")), bool(g.get("key", False)))
    return out


def key_city_groups(admin: gpd.GeoDataFrame, ruleset: RuleSet) -> gpd.GeoDataFrame:
    """Z-KEY: one row per city with its ``group`` and ``is_key`` (the 4 + 4 key cities are key)."""
    if admin.empty:
        return empty_zone(ZONE_ID["key_city_groups"], ["city", "city_adcode", "group", "is_key"])
    groups = city_groups(ruleset)
    dissolved = admin[["city", "city_adcode", "geometry"]].dissolve(by="city", as_index=False, aggfunc="first")
    keys = dissolved["city"].map(city_key)
    dissolved["group"] = [groups.get(k, ("其他地区", False))[0] for k in keys]
    dissolved["is_key"] = [groups.get(k, ("", False))[1] for k in keys]
    dissolved.insert(0, "zone_id", ZONE_ID["key_city_groups"])
    missing = sorted(set(groups) - set(keys))
    notes = ["重点城市名单中以下城市在行政区划图层中未找到：" + "、".join(missing)] if missing else []
    return with_notes(gpd.GeoDataFrame(dissolved, geometry="geometry", crs="EPSG:4326"), notes)


def _checkpoint(progress: Optional[ProgressFn], is_canceled: Optional[Callable[[], bool]], step: int,
                total: int, label: str) -> None:
    if is_canceled is not None and is_canceled():
        raise CanceledError("已取消 / canceled")
    if progress is not None:
        progress(step, total, label)


@dataclass
class ZoneInputs:
    """What the zone builders read: the canonical inputs and the zone parameters of this run."""

    admin: gpd.GeoDataFrame
    builtup: gpd.GeoDataFrame
    chp: Any
    ruleset: RuleSet
    params: Dict[str, float]
    planning_area: Optional[gpd.GeoDataFrame] = None
    planning_fields: Optional[Mapping[str, Optional[str]]] = None
    planning_name: str = "城市规划区"
    metric_epsg: Optional[int] = None
    rings: PrefectureRings = field(init=False)

    def __post_init__(self) -> None:
        # Z-MINE and the Z-PLAN fallback ring the same prefecture built-up areas: cut them once, grow the
        # rings in steps (the smaller ring is wanted anyway when Z-PLAN falls back).
        fallback = self.planning_area is None or self.planning_area.empty
        steps = [self.params["planning_ring_km"] * 1000.0] if fallback else []
        self.rings = PrefectureRings(self.builtup, self.admin, self.metric_epsg, steps)


# The builders named in the registry (zone_registry.ZoneDef.builder), one per zone, in the registry's order.

def coal_ban_zone_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return coal_ban_zone(z.builtup, z.admin, z.params["fringe_km"], z.metric_epsg)


def region_1p30_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return region_1p30(z.admin, z.ruleset)


def key_city_groups_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return key_city_groups(z.admin, z.ruleset)


def north_coal_zero_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return north_coal_zero(z.admin, z.ruleset)


def cluster_counties_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return cluster_counties(z.admin, z.ruleset)


def chp_heating_radius_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return chp_heating_radius(z.chp, z.params["chp_radius_km"], z.params["chp_min_mw"])


def mine_closure_zone_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return mine_closure_zone(z.builtup, z.admin, z.params["mine_ring_km"], z.metric_epsg, z.rings)


def planning_area_layer(z: ZoneInputs) -> gpd.GeoDataFrame:
    return planning_area(z.planning_area, z.builtup, z.admin, z.params["planning_ring_km"], z.metric_epsg,
                         z.rings, z.planning_fields, z.planning_name)


def build_all_zones(admin: gpd.GeoDataFrame, builtup: gpd.GeoDataFrame, chp: Any, ruleset: RuleSet,
                    planning_area: Optional[gpd.GeoDataFrame] = None,
                    progress: Optional[ProgressFn] = None, is_canceled: Optional[Callable[[], bool]] = None,
                    metric_epsg: Optional[int] = None,
                    planning_fields: Optional[Mapping[str, Optional[str]]] = None,
                    planning_name: Optional[str] = None,
                    extra_params: Optional[Mapping[str, float]] = None,
                    reuse: Optional[Mapping[str, gpd.GeoDataFrame]] = None) -> ZoneSet:
    """Every zone of the registry, keyed by its layer name, with the zone parameters of ``ruleset`` (plus
    ``extra_params``, e.g. the built-up raster's, recorded alongside). ``planning_fields`` / ``planning_name``:
    the user's column overrides and the layer's name for the planning-area layer. ``reuse``: layers already built
    from the same inputs and values, taken as they are (a scenario run rebuilds only what its change touches)."""
    params = {name: ruleset.params[name] for name in zone_params()}
    inputs = ZoneInputs(admin, builtup, chp, ruleset, params, planning_area, planning_fields,
                        planning_name or "城市规划区", metric_epsg)
    zones = ZoneSet(params={**params, **dict(extra_params or {})})
    # The prefecture rings (Z-MINE, the Z-PLAN fallback) are most of this step: start them now, beside the
    # zones built before them.
    rings = [params["mine_ring_km"] * 1000.0] if reuse is None or "mine_closure_zone" not in reuse else []
    if (reuse is None or "planning_area" not in reuse) and (planning_area is None or planning_area.empty):
        rings.append(params["planning_ring_km"] * 1000.0)
    if rings:
        inputs.rings.prefetch(rings)
    for i, zone in enumerate(ZONES):
        _checkpoint(progress, is_canceled, i, len(ZONES), zone.step)
        if reuse is not None and zone.layer in reuse:
            zones[zone.layer] = reuse[zone.layer]
        else:
            zones[zone.layer] = globals()[zone.builder](inputs)
    _checkpoint(progress, is_canceled, len(ZONES), len(ZONES), "区域构建完成")
    return zones


def zone_notes(zones: Mapping[str, gpd.GeoDataFrame]) -> List[str]:
    """All notes attached to the zones, without repeats."""
    seen: List[str] = []
    for gdf in zones.values():
        for note in gdf.attrs.get("notes", []):
            if note not in seen:
                seen.append(note)
    return seen
