"""The inputs of one run held in memory, a base result, and variants run against them.

A variant rebuilds only the zones its settings touch: a zone of the registry depends on its own parameters
(``ZoneDef.params``) and on the region list of the rules file named as its layer (``regions.region_1p30`` for
Z-1P30 …); a rule switch touches no zone. The other layers are the base's own objects, reused. Zones, flags and
summaries then run through the stages of :mod:`..pipeline` (``build_zones``, ``analyse_zones``): a variant is
what a fresh :func:`..pipeline.run_analysis` with the variant's values gives.

One session may serve a worker thread after another (the dock's 方案比较 panel): runs are serialised by a lock,
and nothing of the inputs is modified.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import geopandas as gpd

from ..common.metric import DEFAULT_METRIC_EPSG, metric_crs
from ..flagging.membership import MembershipCache
from ..pipeline import AnalysisResult, RunSteps, analyse_zones, build_zones, builtup_polygons
from ..plan.rules import RuleSet
from ..plan.zone_registry import ZONES
from .overrides import ScenarioSpec, parse_overrides

ProgressFn = Callable[[int, int, str], None]
#: besides its own parameters: Z-MINE's rings are grown in steps that include Z-PLAN's fallback ring
#: (zones/geometry.PrefectureRings), so a new planning ring changes Z-MINE's polygons by the arcs' chord error
EXTRA_DEPENDS: Mapping[str, Tuple[str, ...]] = {"mine_closure_zone": ("planning_ring_km",)}


def stale_layers(base: RuleSet, variant: RuleSet) -> List[str]:
    """The zone layers ``variant`` must rebuild: a parameter they use or their region list differs from ``base``."""
    out = []
    for zone in ZONES:
        names = zone.params + EXTRA_DEPENDS.get(zone.layer, ())
        if any(base.params.get(n) != variant.params.get(n) for n in names) or \
                base.regions.get(zone.layer) != variant.regions.get(zone.layer):
            out.append(zone.layer)
    return out


class ScenarioSession:
    """The canonical inputs of a run (read once: the normalised counties, built-up polygons or the raster,
    enterprise tables, CHP plants, planning areas) and ``ruleset``, the base's rules.

    ``base``: a finished :class:`AnalysisResult` made from these inputs with ``ruleset`` (the dock's last run);
    computed on first need otherwise. ``builtup`` is what :func:`..pipeline.run_analysis` takes (polygons or a
    raster path), turned into polygons once here.
    """

    def __init__(self, admin: gpd.GeoDataFrame, builtup: Any, enterprises: Mapping[str, Any], chp: Any,
                 ruleset: RuleSet, planning_area: Optional[gpd.GeoDataFrame] = None,
                 base: Optional[AnalysisResult] = None, metric_epsg: Optional[int] = None,
                 planning_fields: Optional[Mapping[str, Optional[str]]] = None,
                 planning_name: Optional[str] = None):
        self.metric_epsg = int(metric_epsg or DEFAULT_METRIC_EPSG)
        metric_crs(self.metric_epsg)  # fail early on an unsupported choice
        self.admin = admin
        self.enterprises = dict(enterprises)
        self.chp = chp if chp is not None else self.enterprises.get("chp")
        self.ruleset = ruleset
        self.planning_area = planning_area
        self.planning_fields = planning_fields
        self.planning_name = planning_name
        self.builtup, self.builtup_params = builtup_polygons(builtup, ruleset, self.metric_epsg)
        if base is not None:
            self._check_base(base)
        self._base = base
        self._lock = threading.RLock()
        # each table's points and counties, and their membership in the zones a run reuses, kept between runs
        self._memberships = MembershipCache()
        #: the layers the last run rebuilt (the others were the base's)
        self.last_rebuilt: List[str] = []

    def _check_base(self, base: AnalysisResult) -> None:
        """A given base must have been built with this rule set's zone values: the reused layers would
        otherwise be another run's."""
        differ = [n for zone in ZONES for n in zone.params
                  if n in base.zones.params and base.zones.params[n] != self.ruleset.params.get(n)]
        if differ:
            raise ValueError(f"the base result's zones were built with other values of {sorted(set(differ))}")

    @property
    def base(self) -> AnalysisResult:
        """The base result (computed now when not given nor computed yet)."""
        return self.base_result()

    def base_result(self, progress: Optional[ProgressFn] = None,
                    is_canceled: Optional[Callable[[], bool]] = None) -> AnalysisResult:
        with self._lock:
            if self._base is None:
                self._base = self._run(self.ruleset, None, progress, is_canceled)
            return self._base

    def ruleset_of(self, spec: ScenarioSpec) -> RuleSet:
        """The variant's rules: ``spec`` applied to the base's."""
        return spec.apply(self.ruleset, self.admin)

    def parse(self, text: str) -> ScenarioSpec:
        """``text`` parsed against the base's rules file (its own parameters and rule ids)."""
        return parse_overrides(text, self.ruleset)

    def run(self, spec: ScenarioSpec, progress: Optional[ProgressFn] = None,
            is_canceled: Optional[Callable[[], bool]] = None) -> AnalysisResult:
        """The variant's result: the zones ``spec`` touches rebuilt, the others the base's, then flagged and
        summed up as a run. ``progress`` / ``is_canceled`` as :func:`..pipeline.run_analysis` takes them (the
        base, when it is still to be computed, reports its own steps first)."""
        variant = self.ruleset_of(spec)
        with self._lock:
            base = self.base_result(progress, is_canceled)
            stale = set(stale_layers(self.ruleset, variant))
            reuse = {layer: gdf for layer, gdf in base.zones.items() if layer not in stale}
            return self._run(variant, reuse, progress, is_canceled)

    def _run(self, ruleset: RuleSet, reuse: Optional[Dict[str, gpd.GeoDataFrame]], progress: Optional[ProgressFn],
             is_canceled: Optional[Callable[[], bool]]) -> AnalysisResult:
        steps = RunSteps(self.enterprises, progress, is_canceled)
        steps(0, "准备建成区…")  # read once, at the session's start
        zones = build_zones(self.admin, self.builtup, self.chp, ruleset, self.planning_area,
                            progress=steps.zone_step, is_canceled=is_canceled, metric_epsg=self.metric_epsg,
                            planning_fields=self.planning_fields, planning_name=self.planning_name,
                            builtup_params=self.builtup_params, reuse=reuse)
        self.last_rebuilt = [z.layer for z in ZONES if reuse is None or z.layer not in reuse]
        return analyse_zones(zones, self.admin, self.enterprises, self.chp, ruleset, self.metric_epsg, steps,
                             cache=self._memberships)
