"""The job on QGIS layers, as stages every caller shares: read and check the inputs → build zones → flag → write.

Layers are snapshotted on the main thread (`snapshot_vector`, `snapshot_raster`): a file-backed OGR
layer becomes a reader that opens its file with pyogrio in the worker thread; any other layer is read
feature by feature right away. The stages then run in any thread:

* :func:`read_inputs` reads the snapshots and checks them (warnings go to ``say``; a bad layer raises
  analysis.inputs.validation.InputError naming it), :func:`prepare_inputs` makes the canonical inputs;
* :func:`run_job` (the dock's task, ``bluesky:run_all``) runs the whole analysis and writes zones.gpkg,
  flags.gpkg and admin.gpkg; :func:`run_build_zones` (``bluesky:build_zones``) and :func:`run_flag`
  (``bluesky:flag_enterprises``, on a zones.gpkg and the parameters it was built with) run one half each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import geopandas as gpd
from qgis.core import QgsMapLayer, QgsRasterLayer, QgsVectorLayer

from ..analysis.inputs.validation import InputError  # a ValueError written for the user
from .convert import (
    _ogr_source,
    columns_read,
    layer_crs_for_geopandas,
    layer_to_gdf,
    read_ogr_file,
    to_wgs84_frame,
)


def _write_error_types() -> tuple:
    try:
        from pyogrio.errors import DataLayerError, DataSourceError

        return (OSError, DataSourceError, DataLayerError)
    except ImportError:  # pragma: no cover
        return (OSError,)


_WRITE_ERRORS = _write_error_types()
Progress = Callable[[int, int, str], None]


class Snapshot:
    """A vector layer's content, readable from a worker thread as a GeoDataFrame in EPSG:4326.

    ``warnings`` collects what reading found (e.g. a CRS assumed); a bad layer raises on ``read()``
    with a message naming the layer.
    """

    def __init__(self, layer: QgsVectorLayer) -> None:
        self.name = layer.name()
        self.fields = columns_read(layer)  # as the run reads them (no GeoPackage fid)
        self.warnings: List[str] = []
        self._gdf: Optional[gpd.GeoDataFrame] = None
        self._error: Optional[Exception] = None
        self._src = _ogr_source(layer)
        self._encoding = layer.dataProvider().encoding() if layer.dataProvider() else ""
        self._crs = layer_crs_for_geopandas(layer)
        if self._src is None:
            try:
                self._set(layer_to_gdf(layer))
            except ValueError as exc:  # raised again, with the layer's name, when the run reads it
                self._error = exc

    def _set(self, gdf: gpd.GeoDataFrame) -> None:
        self.warnings = list(dict.fromkeys(self.warnings + list(gdf.attrs.get("bluesky_warnings", []))))
        self._gdf = gdf

    @classmethod
    def from_gdf(cls, name: str, gdf: gpd.GeoDataFrame) -> Snapshot:
        """A snapshot of a GeoDataFrame already read (EPSG:4326)."""
        snap = cls.__new__(cls)
        snap.name, snap.fields, snap._src, snap._encoding, snap._crs = name, [c for c in gdf.columns if c != "geometry"], None, "", None
        snap.warnings, snap._error, snap._gdf = [], None, None
        snap._set(gdf)
        return snap

    def read(self) -> gpd.GeoDataFrame:
        if self._error is not None:
            raise self._error
        if self._gdf is None:
            try:
                gdf = read_ogr_file(self._src, self._encoding, self._crs)
            except Exception as exc:  # noqa: BLE001 - re-raised with the layer name
                raise InputError(f"无法读取图层「{self.name}」（{self._src['path']}）/ cannot read layer "
                                 f"'{self.name}' from {self._src['path']}: {exc}") from exc
            self._set(to_wgs84_frame(gdf, self.name))
        return self._gdf.copy()


def snapshot_vector(layer: Optional[QgsMapLayer]) -> Optional[Snapshot]:
    if layer is None:
        return None
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise InputError(f"图层「{layer.name()}」不是有效的矢量图层 / not a valid vector layer: {layer.name()}")
    return Snapshot(layer)


def snapshot_raster(layer: Optional[QgsMapLayer]) -> Optional[str]:
    """The file path of a GDAL raster layer (read in the worker, with rasterio or else GDAL)."""
    if layer is None:
        return None
    if not isinstance(layer, QgsRasterLayer) or layer.providerType() != "gdal":
        raise InputError(f"图层「{layer.name()}」不是文件栅格图层（GDAL）/ not a file-backed raster layer: {layer.name()}")
    return layer.source().split("|")[0]


@dataclass
class JobInputs:
    """Everything a run needs, captured on the main thread. ``params`` holds only the parameters the user
    chose for this run (the dock's overrides, Processing values given); the rules file gives the rest."""

    admin: Snapshot
    builtup_vector: Optional[Snapshot] = None
    builtup_raster: Optional[str] = None
    enterprises: Dict[str, Snapshot] = field(default_factory=dict)  # kind -> snapshot
    chp: Optional[Snapshot] = None
    planning_area: Optional[Snapshot] = None
    admin_fields: Dict[str, Optional[str]] = field(default_factory=dict)
    # kind (admin, planning, boiler, mine, plant, chp) -> {canonical field: column, or "" for none}
    field_mappings: Dict[str, Dict[str, Optional[str]]] = field(default_factory=dict)
    rules_path: Optional[str] = None
    params: Dict[str, float] = field(default_factory=dict)
    region_1p30: Optional[list] = None
    disabled_rules: Optional[list] = None


@dataclass
class CheckedInputs:
    """The snapshots read and checked (raw GeoDataFrames in EPSG:4326)."""

    admin: gpd.GeoDataFrame
    builtup: Optional[gpd.GeoDataFrame] = None  # polygons; None with a raster or when zones are not built
    enterprises: Dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    chp: Optional[gpd.GeoDataFrame] = None
    planning: Optional[gpd.GeoDataFrame] = None


@dataclass
class PreparedInputs:
    """The canonical inputs of the analysis stages."""

    admin: gpd.GeoDataFrame
    enterprises: Dict[str, Any]  # kind -> EnterpriseTable (the CHP plants included as "chp")
    chp: Any = None
    planning: Optional[gpd.GeoDataFrame] = None


def _noop(*_a: Any) -> None:
    return None


def load_ruleset(rules_path: Optional[str], params: Optional[Dict[str, Any]] = None,
                 region_1p30: Optional[list] = None, disabled_rules: Optional[list] = None):
    """The rule set of a run: the file (or the shipped one) with the user's parameters applied."""
    from ..analysis.plan.rules import load_rules

    ruleset = load_rules(rules_path or None)
    clean = {k: v for k, v in (params or {}).items() if v is not None}
    if clean:
        ruleset = ruleset.with_params(**clean)
    if region_1p30:
        ruleset = ruleset.with_region_1p30(list(region_1p30))
    if disabled_rules:
        ruleset = disable_rules(ruleset, disabled_rules)
    return ruleset


def disable_rules(ruleset, rule_ids):
    """The rule set with the given rules switched off."""
    for rule_id in rule_ids:
        try:
            ruleset = ruleset.with_rule_enabled(rule_id, False)
        except KeyError:
            continue
    return ruleset


def prepare_admin(gdf: gpd.GeoDataFrame, admin_fields: Optional[Dict[str, Optional[str]]] = None,
                  layer_name: str = "行政区划", field_map: Optional[Dict[str, Optional[str]]] = None) -> gpd.GeoDataFrame:
    """The admin layer normalised to county, city, adcode, … (analysis.pipeline.prepare_admin): fields guessed,
    then ``field_map`` (FIELD_MAP's ``admin.*``) and the dock's chosen ``admin_fields`` applied; a layer without
    a county name column raises analysis.inputs.validation.InputError naming it."""
    from ..analysis.pipeline import prepare_admin as prepare

    overrides = dict(field_map or {})
    overrides.update({k: v for k, v in (admin_fields or {}).items() if v})
    return prepare(gdf, layer_name, overrides)


def prepare_enterprises(gdf: gpd.GeoDataFrame, kind: str, layer_name: str, mapping: Optional[Dict[str, Optional[str]]] = None,
                        mw_per_tph: Optional[float] = None):
    """EnterpriseTable of a point layer, mapping guessed and overridden by `mapping` (a column, or "" for none;
    a column the layer lacks raises analysis.inputs.validation.InputError naming layer and field)."""
    from ..analysis.pipeline import prepare_enterprise_layer

    return prepare_enterprise_layer(gdf, kind, layer_name, mapping, mw_per_tph)


def _warner(warn: Optional[Callable[[str], None]], is_canceled: Callable[[], bool]) -> Callable[[str], None]:
    """Where the run's warnings go: ``warn``, else the Processing feedback whose ``isCanceled`` the caller
    passed (its ``pushWarning``), else nowhere (they stay in ``result.messages``)."""
    if warn is not None:
        return warn
    owner = getattr(is_canceled, "__self__", None)
    push = getattr(owner, "pushWarning", None)
    return push if callable(push) else _noop


def _admin_name_column(gdf: gpd.GeoDataFrame, admin_fields: Optional[Dict[str, Optional[str]]],
                       field_map: Optional[Dict[str, Optional[str]]] = None) -> Optional[str]:
    from ..analysis.inputs.admin import guess_admin_fields

    chosen = (admin_fields or {}).get("county") or (field_map or {}).get("county")
    return chosen or guess_admin_fields([c for c in gdf.columns if c != "geometry"]).get("county")


class Messages:
    """The warnings of one run, each said once: kept (``lines``) and passed on (``push``)."""

    def __init__(self, push: Callable[[str], None]):
        self.push, self.lines = push, []  # type: ignore[var-annotated]

    def __call__(self, lines) -> None:
        for line in lines or ():
            if line not in self.lines:
                self.lines.append(line)
                self.push(line)


def _cancel_check(is_canceled: Callable[[], bool]) -> None:
    from ..analysis.common.errors import CanceledError

    if is_canceled():
        raise CanceledError("canceled")


def read_inputs(inputs: JobInputs, say: Messages, zones: bool = True) -> CheckedInputs:
    """Stage 1: read every snapshot and check it, before any work. ``zones``: the built-up, CHP and planning
    layers are read too (they make the zones). Warnings go to ``say``; a bad layer raises InputError."""
    from ..analysis.inputs.validation import check_field_mapping, check_point_layer, check_polygon_layer

    def read(snap: Snapshot) -> gpd.GeoDataFrame:
        gdf = snap.read()
        say(snap.warnings)
        return gdf

    maps = inputs.field_mappings or {}
    admin = read(inputs.admin)
    say(check_polygon_layer(admin, inputs.admin.name, "admin",
                            _admin_name_column(admin, inputs.admin_fields, maps.get("admin"))))
    out = CheckedInputs(admin)
    for kind, snap in inputs.enterprises.items():
        if snap is not None:
            out.enterprises[kind] = read(snap)
            say(check_point_layer(_as_points(out.enterprises[kind], kind), snap.name))
    if not zones:
        return out
    if inputs.builtup_vector is not None and not inputs.builtup_raster:
        out.builtup = read(inputs.builtup_vector)
        say(check_polygon_layer(out.builtup, inputs.builtup_vector.name, "builtup"))
    elif not inputs.builtup_raster:
        raise InputError("需要建成区图层 / a built-up layer is required")
    if inputs.chp is not None:
        out.chp = read(inputs.chp)
        say(check_point_layer(out.chp, inputs.chp.name))
    if inputs.planning_area is not None:
        planning = read(inputs.planning_area)
        if len(planning):
            # the overrides are checked now, before any work; the areas are read by the Z-PLAN builder
            plan_fields = check_field_mapping([c for c in planning.columns if c != "geometry"], "planning",
                                              inputs.planning_area.name, maps.get("planning"))
            say(check_polygon_layer(planning, inputs.planning_area.name, "planning", plan_fields.get("name")))
            out.planning = planning
    return out


def _as_points(gdf: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """A village layer of polygons is judged at a point inside each polygon; other kinds must be points."""
    from ..analysis.inputs.villages import points_of_polygons
    from ..analysis.schema.fields import AREA_POINT_KINDS

    if kind not in AREA_POINT_KINDS or not len(gdf):
        return gdf
    return gdf.set_geometry(gpd.GeoSeries(points_of_polygons(gdf.geometry.values), index=gdf.index, crs=gdf.crs))


def prepare_inputs(checked: CheckedInputs, inputs: JobInputs, say: Messages, ruleset=None) -> PreparedInputs:
    """Stage 2: the canonical counties and enterprise tables (fields guessed, overrides applied; boiler
    capacities in MW converted with the run's rule set)."""
    from ..analysis.inputs.validation import MAX_ROW_MESSAGES, problem_messages

    maps = inputs.field_mappings or {}
    mw = ruleset.params.get("mw_per_tph") if ruleset is not None else None
    admin = prepare_admin(checked.admin, inputs.admin_fields, inputs.admin.name, maps.get("admin"))
    enterprises = {kind: prepare_enterprises(gdf, kind, inputs.enterprises[kind].name, maps.get(kind), mw)
                   for kind, gdf in checked.enterprises.items()}
    chp = None
    if checked.chp is not None:
        chp = prepare_enterprises(checked.chp, "chp", inputs.chp.name, maps.get("chp"), mw)
        say(problem_messages(chp.problems, inputs.chp.name, MAX_ROW_MESSAGES))
        # the plants are judged too (B-SMALLCHP: backward small coal CHP units inside the rings)
        enterprises["chp"] = chp
    return PreparedInputs(admin, enterprises, chp, checked.planning)


def _builtup_source(inputs: JobInputs, checked: CheckedInputs):
    return inputs.builtup_raster or checked.builtup


def _write(write, *args):
    """Run one writer; a full disk or an unwritable folder becomes analysis.inputs.validation.OutputError."""
    from ..analysis.inputs.validation import OutputError, write_error

    try:
        return write(*args)
    except _WRITE_ERRORS as exc:
        raise OutputError(write_error(str(args[-1]), exc)) from exc


def run_job(inputs: JobInputs, out_dir: Optional[str], progress: Progress = _noop,
            is_canceled: Callable[[], bool] = lambda: False, write: bool = True,
            warn: Optional[Callable[[str], None]] = None):
    """The whole job: read and check → zones → flags → write zones.gpkg, flags.gpkg, admin.gpkg to `out_dir`.

    Returns (AnalysisResult, {name: path}); ``result.messages`` lists every warning (CRS assumed,
    polygons repaired, empty lists, one line per row to verify naming layer, row, id and field), each
    also passed to ``warn``. Bad layers raise analysis.inputs.validation.InputError before any work; a failed
    write raises analysis.inputs.validation.OutputError (no half-written file is left). Raises
    analysis.common.errors.CanceledError when cancelled; nothing is written then.
    """
    from ..analysis.inputs.validation import problem_messages
    from ..analysis.pipeline import run_analysis, write_results

    say = Messages(_warner(warn, is_canceled))
    progress(0, 1, "读取输入图层")
    checked = read_inputs(inputs, say)
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    prepared = prepare_inputs(checked, inputs, say, ruleset)
    _cancel_check(is_canceled)
    result = run_analysis(prepared.admin, _builtup_source(inputs, checked), prepared.enterprises, prepared.chp,
                          ruleset, planning_area=prepared.planning, progress=progress, is_canceled=is_canceled,
                          planning_fields=(inputs.field_mappings or {}).get("planning"),
                          planning_name=inputs.planning_area.name if inputs.planning_area is not None else None)
    _cancel_check(is_canceled)
    say(result.field_notes)  # what a missing field kept the run from using
    say(problem_messages(result.to_verify))
    result.messages = say.lines
    paths: Dict[str, Any] = {}
    if write and out_dir:
        paths = _write(write_results, result, out_dir)
    return result, paths


def run_build_zones(inputs: JobInputs, out_dir: str, progress: Progress = _noop,
                    is_canceled: Callable[[], bool] = lambda: False, warn: Optional[Callable[[str], None]] = None):
    """Read and check → built-up areas → zones → zones.gpkg (with the parameters the zones were built with).
    Returns (ZoneSet, path, warnings)."""
    import os

    from ..analysis.pipeline import build_zones, builtup_polygons
    from ..analysis.reports.result_files import write_zones

    say = Messages(_warner(warn, is_canceled))
    progress(0, 1, "读取输入图层")
    checked = read_inputs(inputs, say)
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    prepared = prepare_inputs(checked, inputs, say, ruleset)
    _cancel_check(is_canceled)
    progress(0, 1, "准备建成区…")
    builtup, builtup_params = builtup_polygons(_builtup_source(inputs, checked), ruleset)
    zones = build_zones(prepared.admin, builtup, prepared.chp, ruleset, prepared.planning, progress=progress,
                        is_canceled=is_canceled, planning_fields=(inputs.field_mappings or {}).get("planning"),
                        planning_name=inputs.planning_area.name if inputs.planning_area is not None else None,
                        builtup_params=builtup_params)
    _cancel_check(is_canceled)
    path = _write(write_zones, zones, os.path.join(out_dir, "zones.gpkg"))
    return zones, str(path), say.lines


def run_flag(inputs: JobInputs, zones_path: str, out_dir: str, progress: Progress = _noop,
             is_canceled: Callable[[], bool] = lambda: False, warn: Optional[Callable[[str], None]] = None):
    """Read and check → flag against a zones.gpkg (its own zone parameters, not the rules file's) → flags.gpkg.
    Returns (FlagResult, path, warnings)."""
    import os

    from ..analysis.inputs.validation import problem_messages
    from ..analysis.pipeline import flag, input_field_notes
    from ..analysis.reports.result_files import read_zones, write_flags

    say = Messages(_warner(warn, is_canceled))
    progress(0, 1, "读取输入图层")
    checked = read_inputs(inputs, say, zones=False)
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    prepared = prepare_inputs(checked, inputs, say, ruleset)
    zones = read_zones(zones_path)
    _cancel_check(is_canceled)
    result = flag(zones, prepared.admin, prepared.enterprises, ruleset, progress=progress, is_canceled=is_canceled)
    _cancel_check(is_canceled)
    say(input_field_notes(prepared.admin, prepared.enterprises, None, ruleset))
    say(zones.differences(ruleset))  # the zones' radius or rings, when the rules file now says otherwise
    say(problem_messages(result.to_verify))
    path = _write(lambda target: write_flags(result.flags, result.verdicts, result.to_verify, target,
                                             result.rural_heating), os.path.join(out_dir, "flags.gpkg"))
    return result, str(path), say.lines


def open_session(inputs: JobInputs, base_text: str = "", warn: Optional[Callable[[str], None]] = None,
                 is_canceled: Callable[[], bool] = lambda: False, base=None):
    """Read and check the inputs once, as :func:`run_job` does, into an analysis.scenarios ScenarioSession whose
    base is the run's rule set with ``base_text``'s settings (the dock's 方案比较 and ``bluesky:compare_scenarios``).
    ``base``: the finished result of these very inputs and settings (the dock's last run), used as the base
    instead of running it again. Returns (session, base ScenarioSpec, warnings); settings that cannot be used raise
    analysis.scenarios.overrides.ScenarioError, before the inputs are read when the text itself is wrong."""
    from ..analysis.scenarios.overrides import parse_overrides

    say = Messages(_warner(warn, is_canceled))
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    base_spec = parse_overrides(base_text, ruleset)
    return _session(inputs, ruleset, base_spec, say, is_canceled, base), base_spec, say.lines


def _session(inputs: JobInputs, ruleset, base_spec, say: Messages, is_canceled: Callable[[], bool], base=None):
    from ..analysis.scenarios.session import ScenarioSession

    checked = read_inputs(inputs, say)
    prepared = prepare_inputs(checked, inputs, say, ruleset)
    _cancel_check(is_canceled)
    return ScenarioSession(prepared.admin, _builtup_source(inputs, checked), prepared.enterprises, prepared.chp,
                           base_spec.apply(ruleset, prepared.admin), planning_area=prepared.planning,
                           planning_fields=(inputs.field_mappings or {}).get("planning"),
                           planning_name=inputs.planning_area.name if inputs.planning_area is not None else None,
                           base=base)


def run_compare(inputs: JobInputs, base_text: str, variant_text: str, out_dir: str, progress: Progress = _noop,
                is_canceled: Callable[[], bool] = lambda: False, warn: Optional[Callable[[str], None]] = None):
    """Read and check → the base (the rules file, the run's parameters, ``base_text``) and the variant (the base
    with ``variant_text``) → out_dir/compare.gpkg. Returns (Comparison, path, warnings). Raises
    analysis.common.errors.CanceledError when cancelled (nothing written)."""
    import os

    from ..analysis.scenarios.compare import compare_results, write_comparison
    from ..analysis.scenarios.overrides import parse_overrides

    say = Messages(_warner(warn, is_canceled))
    progress(0, 1, "读取输入图层")
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    # both texts checked before anything is read: a typo costs no reading
    base_spec = parse_overrides(base_text, ruleset)
    parse_overrides(variant_text, ruleset)
    session = _session(inputs, ruleset, base_spec, say, is_canceled)
    spec = session.parse(variant_text)  # against the base's rules (a rule the base switched off is still known)

    def half(offset: int) -> Progress:
        # the base's steps fill the first half of the bar, the variant's the second
        return lambda step, total, label: progress(offset * total + step, 2 * total, label)

    base = session.base_result(half(0), is_canceled)
    variant = session.run(spec, half(1), is_canceled)
    _cancel_check(is_canceled)
    say(base.field_notes)  # what a missing field kept both runs from using
    comparison = compare_results(base, variant, spec, base_spec)
    path = _write(write_comparison, comparison, os.path.join(out_dir, "compare.gpkg"))
    return comparison, str(path), say.lines
