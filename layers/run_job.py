"""One analysis run on QGIS layers, shared by the dock's task and the `bluesky:run_all` algorithm.

Layers are snapshotted on the main thread (`snapshot_vector`, `snapshot_raster`): a file-backed OGR
layer becomes a reader that opens its file with pyogrio in the worker thread; any other layer is read
feature by feature right away. `run_job` then runs in any thread: it reads the snapshots, builds the
canonical inputs, calls `analysis.pipeline.run_analysis` and, unless cancelled, `write_results`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import geopandas as gpd
from qgis.core import QgsMapLayer, QgsRasterLayer, QgsVectorLayer

from .convert import _ogr_source, layer_crs_for_geopandas, layer_to_gdf, read_ogr_file, to_wgs84_frame

ENTERPRISE_KINDS = ("boiler", "mine", "plant")


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
        self.fields = [f.name() for f in layer.fields()]
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
                raise ValueError(f"无法读取图层「{self.name}」（{self._src['path']}）/ cannot read layer "
                                 f"'{self.name}' from {self._src['path']}: {exc}") from exc
            self._set(to_wgs84_frame(gdf, self.name))
        return self._gdf.copy()


def snapshot_vector(layer: Optional[QgsMapLayer]) -> Optional[Snapshot]:
    if layer is None:
        return None
    if not isinstance(layer, QgsVectorLayer) or not layer.isValid():
        raise ValueError(f"not a valid vector layer: {layer.name()}")
    return Snapshot(layer)


def snapshot_raster(layer: Optional[QgsMapLayer]) -> Optional[str]:
    """The file path of a GDAL raster layer (read in the worker, with rasterio or else GDAL)."""
    if layer is None:
        return None
    if not isinstance(layer, QgsRasterLayer) or layer.providerType() != "gdal":
        raise ValueError(f"not a file-backed raster layer: {layer.name()}")
    return layer.source().split("|")[0]


@dataclass
class JobInputs:
    """Everything a run needs, captured on the main thread."""

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
    params: Dict[str, Any] = field(default_factory=dict)
    region_1p30: Optional[list] = None
    disabled_rules: Optional[list] = None
    builtup_threshold: Optional[float] = None  # None: the rules file's builtup_threshold
    builtup_min_area_m2: Optional[float] = None
    builtup_max_hole_m2: Optional[float] = None


def _pick(*values: Optional[float]) -> float:
    return next(float(v) for v in values if v is not None)


def _noop(*_a: Any) -> None:
    return None


def load_ruleset(rules_path: Optional[str], params: Dict[str, Any], region_1p30: Optional[list] = None,
                 disabled_rules: Optional[list] = None):
    """The rule set of a run: the file (or the shipped one) with the user's parameters applied."""
    from ..analysis.rules import load_rules

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
    a county name column raises analysis.validation.InputError naming it."""
    from ..analysis.pipeline import prepare_admin as prepare

    overrides = dict(field_map or {})
    overrides.update({k: v for k, v in (admin_fields or {}).items() if v})
    return prepare(gdf, layer_name, overrides)


def prepare_enterprises(gdf: gpd.GeoDataFrame, kind: str, layer_name: str, mapping: Optional[Dict[str, Optional[str]]] = None):
    """EnterpriseTable of a point layer, mapping guessed and overridden by `mapping` (a column, or "" for none;
    a column the layer lacks raises analysis.validation.InputError naming layer and field)."""
    from ..analysis.pipeline import prepare_enterprise_layer

    return prepare_enterprise_layer(gdf, kind, layer_name, mapping)


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
    from ..analysis.admin import guess_admin_fields

    chosen = (admin_fields or {}).get("county") or (field_map or {}).get("county")
    return chosen or guess_admin_fields([c for c in gdf.columns if c != "geometry"]).get("county")


def run_job(inputs: JobInputs, out_dir: Optional[str], progress: Progress = _noop,
            is_canceled: Callable[[], bool] = lambda: False, write: bool = True,
            warn: Optional[Callable[[str], None]] = None):
    """Read the snapshots, check them, run the analysis and write zones.gpkg / flags.gpkg to `out_dir`.

    Returns (AnalysisResult, {name: path}); ``result.messages`` lists every warning (CRS assumed,
    polygons repaired, empty lists, one line per row to verify naming layer, row, id and field), each
    also passed to ``warn``. Bad layers raise analysis.validation.InputError before any work; a failed
    write raises analysis.validation.OutputError (no half-written file is left). Raises
    analysis.pipeline.CanceledError when cancelled; nothing is written then.
    """
    from ..analysis.builtup import builtup_from_polygons, builtup_from_raster
    from ..analysis.pipeline import CanceledError, run_analysis, write_results
    from ..analysis.validation import (
        MAX_ROW_MESSAGES,
        OutputError,
        check_field_mapping,
        check_point_layer,
        check_polygon_layer,
        problem_messages,
        write_error,
    )

    push = _warner(warn, is_canceled)
    messages: List[str] = []

    def say(lines) -> None:
        for line in lines:
            if line not in messages:
                messages.append(line)
                push(line)

    def read(snap: Snapshot) -> gpd.GeoDataFrame:
        gdf = snap.read()
        say(snap.warnings)
        return gdf

    progress(0, 1, "读取输入图层")
    admin_raw = read(inputs.admin)
    maps = inputs.field_mappings or {}
    say(check_polygon_layer(admin_raw, inputs.admin.name, "admin",
                            _admin_name_column(admin_raw, inputs.admin_fields, maps.get("admin"))))
    builtup_raw = None
    if inputs.builtup_vector is not None and not inputs.builtup_raster:
        builtup_raw = read(inputs.builtup_vector)
        say(check_polygon_layer(builtup_raw, inputs.builtup_vector.name, "builtup"))
    elif not inputs.builtup_raster:
        raise ValueError("a built-up layer is required / 需要建成区图层")
    raw_lists: Dict[str, gpd.GeoDataFrame] = {}
    for kind, snap in inputs.enterprises.items():
        if snap is None:
            continue
        raw_lists[kind] = read(snap)
        say(check_point_layer(raw_lists[kind], snap.name))
    chp_raw = None
    if inputs.chp is not None:
        chp_raw = read(inputs.chp)
        say(check_point_layer(chp_raw, inputs.chp.name))
    planning = None
    if inputs.planning_area is not None:
        planning = read(inputs.planning_area)
        if len(planning):
            # the overrides are checked now, before any work; the areas are read by the Z-PLAN builder
            plan_fields = check_field_mapping([c for c in planning.columns if c != "geometry"], "planning",
                                              inputs.planning_area.name, maps.get("planning"))
            say(check_polygon_layer(planning, inputs.planning_area.name, "planning", plan_fields.get("name")))
        else:
            planning = None
    admin = prepare_admin(admin_raw, inputs.admin_fields, inputs.admin.name, maps.get("admin"))
    if is_canceled():
        raise CanceledError("canceled")
    ruleset = load_ruleset(inputs.rules_path, inputs.params, inputs.region_1p30, inputs.disabled_rules)
    if inputs.builtup_raster:
        p = ruleset.params
        builtup = builtup_from_raster(
            inputs.builtup_raster,
            _pick(inputs.builtup_threshold, p.get("builtup_threshold"), 0.5),
            _pick(inputs.builtup_min_area_m2, p.get("builtup_min_area_m2"), 20000.0),
            _pick(inputs.builtup_max_hole_m2, p.get("builtup_max_hole_m2"), 50000.0),
        )
    else:
        builtup = builtup_from_polygons(builtup_raw)
    if is_canceled():
        raise CanceledError("canceled")
    enterprises = {}
    for kind, gdf in raw_lists.items():
        snap = inputs.enterprises[kind]
        enterprises[kind] = prepare_enterprises(gdf, kind, snap.name, maps.get(kind))
    chp = None
    if chp_raw is not None:
        chp = prepare_enterprises(chp_raw, "chp", inputs.chp.name, maps.get("chp"))
        say(problem_messages(chp.problems, inputs.chp.name, MAX_ROW_MESSAGES))
        # the plants are judged too (B-SMALLCHP: backward small coal CHP units inside the rings)
        enterprises["chp"] = chp
    result = run_analysis(admin, builtup, enterprises, chp, ruleset, planning_area=planning,
                          progress=progress, is_canceled=is_canceled, planning_fields=maps.get("planning"),
                          planning_name=inputs.planning_area.name if inputs.planning_area is not None else None)
    if is_canceled():
        raise CanceledError("canceled")
    say(getattr(result, "field_notes", []))  # what a missing field kept the run from using
    say(problem_messages(getattr(result, "to_verify", None)))
    try:
        result.admin = admin  # the normalised counties, for zooming and the atlas
        result.messages = messages
    except AttributeError:
        pass
    paths: Dict[str, Any] = {}
    if write and out_dir:
        try:
            paths = write_results(result, out_dir)
        except _WRITE_ERRORS as exc:
            raise OutputError(write_error(out_dir, exc)) from exc
    return result, paths


def write_gpkg_atomically(frames: Dict[str, gpd.GeoDataFrame], path: str) -> str:
    """Write several layers to one GeoPackage: a temporary file first, renamed over `path` when complete."""
    import os

    from ..analysis.validation import OutputError, write_error

    tmp = f"{path}.part.gpkg"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if os.path.exists(tmp):
            os.remove(tmp)
        for name, frame in frames.items():
            if frame is None:
                continue
            if not isinstance(frame, gpd.GeoDataFrame):
                frame = gpd.GeoDataFrame(frame)
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        os.replace(tmp, path)
    except _WRITE_ERRORS as exc:
        raise OutputError(write_error(path, exc)) from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def read_gpkg_layers(path: str) -> Dict[str, gpd.GeoDataFrame]:
    """Every layer of a GeoPackage by name."""
    import pyogrio

    return {str(row[0]): gpd.read_file(path, layer=str(row[0]), engine="pyogrio") for row in pyogrio.list_layers(path)}

