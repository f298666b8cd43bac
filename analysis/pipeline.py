"""The whole job without QGIS, as stages: built-up areas → zones → flags → summaries → the GeoPackages.

Every caller runs the same stages: the dock's task and ``bluesky:run_all`` through :func:`run_analysis`,
``bluesky:build_zones`` through :func:`builtup_polygons` and :func:`build_zones`, ``bluesky:flag_enterprises``
through :func:`flag` on a zones.gpkg read back with :func:`.result_files.read_zones` (the zones keep the
parameters they were built with, so the flags quote them). Zones → flags → summaries is :func:`analyse_zones`,
which :func:`run_analysis` and a scenario's variant (analysis/scenarios/session.py) both end with.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import geopandas as gpd
import pandas as pd

from .common.errors import CanceledError
from .common.metric import DEFAULT_METRIC_EPSG, metric_crs
from .flagging.engine import FlagResult, flag_enterprises, summary_by_city, summary_by_county
from .flagging.membership import MembershipCache
from .inputs.builtup import builtup_from_polygons, builtup_from_raster
from .inputs.enterprises import EnterpriseTable, enterprises_from_gdf
from .inputs.validation import admin_name_messages, check_field_mapping, missing_field_notes
from .inputs.villages import RURAL_COLUMNS
from .plan.rules import RuleSet
from .plan.zone_registry import ZONE_LAYERS, ZONES
from .reports.labels import label_tables
from .reports.result_files import FLAG_LAYER_NAMES, write_admin, write_flags, write_zones
from .zones import builders as zone_builders
from .zones.builders import ZoneSet, zone_notes

__all__ = ["AnalysisResult", "CanceledError", "run_analysis", "write_results", "builtup_polygons", "build_zones",
           "flag", "analyse_zones", "RunSteps", "ZONE_LAYER_NAMES", "FLAG_LAYER_NAMES", "BUILTUP_PARAMS"]

ZONE_LAYER_NAMES = list(ZONE_LAYERS)
RASTER_SUFFIXES = (".tif", ".tiff", ".img", ".vrt")
#: the parameters a built-up raster is cleaned with (recorded in zones.gpkg when a raster was used)
BUILTUP_PARAMS = ("builtup_threshold", "builtup_min_area_m2", "builtup_max_hole_m2")

ProgressFn = Callable[[int, int, str], None]


@dataclass
class AnalysisResult:
    """Everything one run produced; ``write_results`` turns it into zones.gpkg, flags.gpkg and admin.gpkg."""

    zones: ZoneSet
    flags: gpd.GeoDataFrame
    verdicts: gpd.GeoDataFrame
    to_verify: gpd.GeoDataFrame
    summary: pd.DataFrame
    summary_city: pd.DataFrame
    counts: pd.DataFrame
    notes: List[str]
    params: Dict[str, float]  # every parameter of the run (the zone parameters as the zones were built)
    metric_crs: str
    admin: gpd.GeoDataFrame  # the normalised counties (admin.gpkg; the dock zooms to them)
    clear: int = 0
    rule_counts: Dict[str, int] = field(default_factory=dict)
    # What the run could not use because an input lacks a field (Chinese, naming layer and field); also in notes.
    field_notes: List[str] = field(default_factory=list)
    # The input checks' warnings (CRS assumed, polygons repaired, rows to verify …), filled by layers.run_job.
    messages: List[str] = field(default_factory=list)
    # 三(二)7 rural clean-heating coverage per county, city and province (analysis/inputs/villages.py)
    rural_heating: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RURAL_COLUMNS))

    @property
    def zone_params(self) -> Dict[str, float]:
        """The parameters the zones were built with."""
        return dict(self.zones.params)

    def counts_by_kind(self) -> Dict[str, int]:
        """FLAGGED, FLAGS, TO_VERIFY and ENTERPRISES: the figures run_all reports; the first three are the one
        count of every output (analysis/run_report.run_counts), ENTERPRISES the rows read."""
        from .reports.run_report import run_counts

        counts = run_counts(self.flags, self.to_verify)
        return {"FLAGS": counts.hits, "FLAGGED": counts.enterprises, "TO_VERIFY": counts.to_verify,
                "ENTERPRISES": int(self.counts["count_in"].sum())}


def builtup_polygons(builtup: Any, ruleset: RuleSet,
                     metric_epsg: Optional[int] = None) -> Tuple[gpd.GeoDataFrame, Dict[str, float]]:
    """Built-up polygons from a GeoDataFrame, or a raster / vector file path, and the parameters used (the
    raster's threshold and cleaning areas from ``ruleset``; {} for polygons)."""
    if builtup is None:
        return builtup_from_polygons(None), {}
    if isinstance(builtup, (str, Path)):
        path = Path(builtup)
        if path.suffix.lower() in RASTER_SUFFIXES:
            used = {name: ruleset.params[name] for name in BUILTUP_PARAMS}
            return builtup_from_raster(path, used["builtup_threshold"], used["builtup_min_area_m2"],
                                       used["builtup_max_hole_m2"], metric_epsg or DEFAULT_METRIC_EPSG), used
        return builtup_from_polygons(gpd.read_file(path)), {}
    return builtup_from_polygons(builtup), {}


def rule_fields(ruleset: RuleSet, kind: str) -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    """Fields of ``kind`` the enabled rules test: (field → rule ids with unknown values to verify,
    field → rule ids counting unknown values as not met), rules in the file's order."""
    verify: Dict[str, List[str]] = {}
    false: Dict[str, List[str]] = {}
    for rule in ruleset.enabled_rules:
        if kind not in rule.layers:
            continue
        for cond in (leaf for c in rule.conditions for leaf in c.leaves() if leaf.field):
            target = verify if cond.if_missing == "verify" else false
            ids = target.setdefault(cond.field, [])
            if rule.id not in ids:
                ids.append(rule.id)
    return verify, false


def input_field_notes(admin: gpd.GeoDataFrame, enterprises: Mapping[str, Any], chp: Any,
                      ruleset: RuleSet) -> List[str]:
    """What the run cannot use because an input lacks a field: the admin layer's notes (``attrs["field_notes"]``,
    from :func:`prepare_admin`) and one sentence per unmapped field of each enterprise table."""
    notes = list(getattr(admin, "attrs", {}).get("field_notes", []))
    tables = [(k, v) for k, v in enterprises.items() if isinstance(v, EnterpriseTable)]
    if isinstance(chp, EnterpriseTable) and all(chp is not v for _k, v in tables):
        tables.append(("chp", chp))
    for kind, table in tables:
        verify, false = rule_fields(ruleset, table.kind or kind)
        notes += missing_field_notes(table.kind or kind, table.mapping, table.layer_name, verify, false,
                                     position_from_geometry=table.from_geometry)
    return notes


def prepare_admin(gdf: gpd.GeoDataFrame, layer: str = "行政区划",
                  fields: Optional[Mapping[str, Optional[str]]] = None) -> gpd.GeoDataFrame:
    """A user's county layer normalised (admin.normalize_admin) with its columns guessed from the ``admin``
    declaration and ``fields`` overrides; raises validation.InputError without a county name column.
    ``attrs["field_notes"]`` says what was derived because a field is missing."""
    from .inputs.admin import normalize_admin

    mapping = check_field_mapping([c for c in gdf.columns if c != gdf.geometry.name], "admin", layer,
                                  dict(fields or {}))
    out = normalize_admin(gdf, mapping["county"], mapping.get("city"), mapping.get("adcode"))
    # names that contradict their adcode would silently drop a county from the zones listed by name
    out.attrs["field_notes"] = missing_field_notes("admin", mapping, layer) + admin_name_messages(out, layer, mapping)
    return out


def prepare_enterprise_layer(gdf: gpd.GeoDataFrame, kind: str, layer: str,
                             fields: Optional[Mapping[str, Optional[str]]] = None,
                             mw_per_tph: Optional[float] = None) -> EnterpriseTable:
    """A point layer as canonical enterprises, columns guessed from the kind's declaration and ``fields``
    overrides (checked: a column the layer lacks is refused with a message naming layer and field);
    ``mw_per_tph``: the run's rule set's boiler conversion (the shipped rules file's when None)."""
    mapping = check_field_mapping([c for c in gdf.columns if c != gdf.geometry.name], kind, layer,
                                  dict(fields or {}))
    return enterprises_from_gdf(gdf, kind, mapping, layer, mw_per_tph=mw_per_tph)


def build_zones(admin: gpd.GeoDataFrame, builtup: gpd.GeoDataFrame, chp: Any, ruleset: RuleSet,
                planning_area: Optional[gpd.GeoDataFrame] = None, progress: Optional[ProgressFn] = None,
                is_canceled: Optional[Callable[[], bool]] = None, metric_epsg: Optional[int] = None,
                planning_fields: Optional[Mapping[str, Optional[str]]] = None, planning_name: Optional[str] = None,
                builtup_params: Optional[Mapping[str, float]] = None,
                reuse: Optional[Mapping[str, gpd.GeoDataFrame]] = None) -> ZoneSet:
    """The zones stage: every zone of the registry, recording the zone parameters (and ``builtup_params``);
    ``reuse``: layers taken as they are instead of built (a scenario's unchanged zones)."""
    return zone_builders.build_all_zones(admin, builtup, chp, ruleset, planning_area, progress=progress,
                                         is_canceled=is_canceled, metric_epsg=metric_epsg,
                                         planning_fields=planning_fields, planning_name=planning_name,
                                         extra_params=builtup_params, reuse=reuse)


def flag(zones: ZoneSet, admin: gpd.GeoDataFrame, enterprises: Mapping[str, Any], ruleset: RuleSet,
         progress: Optional[ProgressFn] = None, is_canceled: Optional[Callable[[], bool]] = None,
         cache: Optional[MembershipCache] = None) -> FlagResult:
    """The flag stage: every enabled rule on every enterprise layer, with the zones' own parameters; the
    tables get their Chinese label columns beside the codes (analysis/reports/labels.py)."""
    result = flag_enterprises(zones, admin, enterprises, ruleset, progress=progress, is_canceled=is_canceled,
                              cache=cache)
    tables = {k: v for k, v in enterprises.items() if isinstance(v, EnterpriseTable)}
    result.flags, result.verdicts, result.to_verify = label_tables(result.flags, result.verdicts, result.to_verify,
                                                                   ruleset, tables, admin)
    return result


class RunSteps:
    """One run's fine-grained steps: the built-up areas, each zone builder (the registry's step labels), each
    enterprise layer judged, then the summary, as 0 … total−1 and ``(total, total, "完成")``; ``is_canceled()``
    is asked before every step and raises :class:`CanceledError` there. ``total`` is known up front, so the dock
    can show "构建禁煤区… 2/14"."""

    def __init__(self, enterprises: Mapping[str, Any], progress: Optional[ProgressFn] = None,
                 is_canceled: Optional[Callable[[], bool]] = None):
        self.progress, self.is_canceled = progress, is_canceled
        self.n_zones = len(ZONES)
        self.total = 1 + self.n_zones + max(sum(1 for v in enterprises.values() if v is not None), 1) + 1

    def __call__(self, i: int, label: str) -> None:
        if self.is_canceled is not None and self.is_canceled():
            raise CanceledError("已取消 / canceled")
        if self.progress is not None:
            self.progress(i, self.total, label)

    def zone_step(self, i: int, n: int, label: str) -> None:
        if i < n:  # the builders' own "done" step is the next one of ours
            self(1 + i, label)

    def flag_step(self, i: int, n: int, label: str) -> None:
        if i < n:  # the engine's last step ("汇总判定结果…") is reported by analyse_zones as ours
            self(1 + self.n_zones + i, label)

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total, "完成")


def analyse_zones(zones: ZoneSet, admin: gpd.GeoDataFrame, enterprises: Mapping[str, Any], chp: Any,
                  ruleset: RuleSet, metric_epsg: int, steps: RunSteps,
                  cache: Optional[MembershipCache] = None) -> AnalysisResult:
    """Zones → flags → notes and summaries: the one definition :func:`run_analysis` and a scenario run
    (analysis/scenarios/session.py) share."""
    result = flag(zones, admin, enterprises, ruleset, progress=steps.flag_step, is_canceled=steps.is_canceled,
                  cache=cache)
    steps(steps.total - 1, "汇总…")
    field_notes = list(dict.fromkeys(input_field_notes(admin, enterprises, chp, ruleset)
                                     + zones["planning_area"].attrs.get("field_notes", [])))
    notes = list(dict.fromkeys(zone_notes(zones) + result.notes + field_notes))
    rule_counts = result.flags["rule_id"].value_counts().to_dict() if len(result.flags) else {}
    steps.done()
    return AnalysisResult(
        zones=zones, flags=result.flags, verdicts=result.verdicts, to_verify=result.to_verify,
        summary=summary_by_county(result.flags), summary_city=summary_by_city(result.flags), counts=result.counts,
        notes=notes, params={**ruleset.params, **zones.params}, metric_crs=f"EPSG:{metric_epsg}", admin=admin,
        clear=result.clear, rule_counts={str(k): int(v) for k, v in rule_counts.items()}, field_notes=field_notes,
        rural_heating=result.rural_heating)


def run_analysis(admin: gpd.GeoDataFrame, builtup: Any, enterprises: Mapping[str, Any], chp: Any,
                 ruleset: RuleSet, planning_area: Optional[gpd.GeoDataFrame] = None,
                 progress: Optional[ProgressFn] = None, is_canceled: Optional[Callable[[], bool]] = None,
                 metric_epsg: Optional[int] = None,
                 planning_fields: Optional[Mapping[str, Optional[str]]] = None,
                 planning_name: Optional[str] = None) -> AnalysisResult:
    """Built-up areas → zones → flags → summaries. ``chp`` defaults to ``enterprises['chp']``.

    ``planning_area`` is the user's planning-area layer with whatever columns it has (``planning_fields``
    overrides the guessed ones; ``planning_name`` is its name in messages). ``result.field_notes`` lists what
    could not be used because an input lacks a field.

    ``progress(step, total, label)`` reports each fine-grained step with its Chinese name — the built-up
    areas, each zone builder (the registry's step labels), each enterprise layer judged, the summary — as
    0 … total−1, then ``(total, total, "完成")``; ``is_canceled()`` is asked before every step, and turning
    true raises :class:`CanceledError` there.
    """
    epsg = int(metric_epsg or DEFAULT_METRIC_EPSG)
    metric_crs(epsg)  # fail early on an unsupported choice
    if chp is None:
        chp = enterprises.get("chp")
    steps = RunSteps(enterprises, progress, is_canceled)
    steps(0, "准备建成区…")
    built, builtup_params = builtup_polygons(builtup, ruleset, epsg)
    zones = build_zones(admin, built, chp, ruleset, planning_area, progress=steps.zone_step, is_canceled=is_canceled,
                        metric_epsg=epsg, planning_fields=planning_fields, planning_name=planning_name,
                        builtup_params=builtup_params)
    return analyse_zones(zones, admin, enterprises, chp, ruleset, epsg, steps)


def write_results(result: AnalysisResult, out_dir: Union[str, Path]) -> Dict[str, Path]:
    """Write ``zones.gpkg`` (the zone layers and their parameters), ``flags.gpkg`` (flags, verdicts, to_verify)
    and ``admin.gpkg`` (the normalised counties) into ``out_dir``."""
    out_dir = Path(out_dir)
    return {"zones": write_zones(result.zones, out_dir / "zones.gpkg"),
            "flags": write_flags(result.flags, result.verdicts, result.to_verify, out_dir / "flags.gpkg",
                                 result.rural_heating),
            "admin": write_admin(result.admin, out_dir / "admin.gpkg")}
