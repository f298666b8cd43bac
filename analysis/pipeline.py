"""The whole job without QGIS: zones → flags → summaries, and writing the contract GeoPackages."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .builtup import builtup_from_polygons, builtup_from_raster
from .engine import (
    FLAG_COLUMNS,
    FLAG_EXTRA_COLUMNS,
    TO_VERIFY_COLUMNS,
    VERDICT_COLUMNS,
    FlagResult,
    flag_enterprises,
    summary_by_city,
    summary_by_county,
)
from .enterprises import EnterpriseTable, enterprises_from_gdf
from .errors import CanceledError
from .metric import DEFAULT_METRIC_EPSG, metric_crs
from .rules import RuleSet
from .validation import admin_name_messages, check_field_mapping, missing_field_notes
from .zones import ZONE_LAYERS, ZONE_STEPS, build_all_zones, zone_notes

__all__ = ["AnalysisResult", "CanceledError", "run_analysis", "write_results", "ZONE_LAYER_NAMES",
           "FLAG_LAYER_NAMES"]

ZONE_LAYER_NAMES = list(ZONE_LAYERS)
FLAG_LAYER_NAMES = ["enterprise_flags", "enterprise_verdicts", "to_verify"]
RASTER_SUFFIXES = (".tif", ".tiff", ".img", ".vrt")

ProgressFn = Callable[[int, int, str], None]


@dataclass
class AnalysisResult:
    """Everything one run produced; ``write_results`` turns it into zones.gpkg and flags.gpkg."""

    zones: Dict[str, gpd.GeoDataFrame]
    flags: gpd.GeoDataFrame
    verdicts: gpd.GeoDataFrame
    to_verify: gpd.GeoDataFrame
    summary: pd.DataFrame
    summary_city: pd.DataFrame
    counts: pd.DataFrame
    notes: List[str]
    params: Dict[str, float]
    metric_crs: str
    clear: int = 0
    rule_counts: Dict[str, int] = field(default_factory=dict)
    # What the run could not use because an input lacks a field (Chinese, naming layer and field); also in notes.
    field_notes: List[str] = field(default_factory=list)


def _builtup(builtup: Any, params: Mapping[str, float], metric_epsg: int) -> gpd.GeoDataFrame:
    """Built-up polygons from a GeoDataFrame, or from a raster / vector file path."""
    if builtup is None:
        return builtup_from_polygons(None)
    if isinstance(builtup, (str, Path)):
        path = Path(builtup)
        if path.suffix.lower() in RASTER_SUFFIXES:
            return builtup_from_raster(path, params.get("builtup_threshold", 0.5),
                                       params.get("builtup_min_area_m2", 20000.0),
                                       params.get("builtup_max_hole_m2", 50000.0), metric_epsg)
        return builtup_from_polygons(gpd.read_file(path))
    return builtup_from_polygons(builtup)


def rule_fields(ruleset: RuleSet, kind: str) -> Tuple[Dict[str, List[str]], Dict[str, List[str]]]:
    """Fields of ``kind`` the enabled rules test: (field → rule ids with unknown values to verify,
    field → rule ids counting unknown values as not met), rules in the file's order."""
    verify: Dict[str, List[str]] = {}
    false: Dict[str, List[str]] = {}
    for rule in ruleset.enabled_rules:
        if kind not in rule.layers:
            continue
        for cond in rule.conditions:
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
    from .admin import normalize_admin

    mapping = check_field_mapping([c for c in gdf.columns if c != gdf.geometry.name], "admin", layer,
                                  dict(fields or {}))
    out = normalize_admin(gdf, mapping["county"], mapping.get("city"), mapping.get("adcode"))
    # names that contradict their adcode would silently drop a county from the zones listed by name
    out.attrs["field_notes"] = missing_field_notes("admin", mapping, layer) + admin_name_messages(out, layer, mapping)
    return out


def prepare_enterprise_layer(gdf: gpd.GeoDataFrame, kind: str, layer: str,
                             fields: Optional[Mapping[str, Optional[str]]] = None) -> EnterpriseTable:
    """A point layer as canonical enterprises, columns guessed from the kind's declaration and ``fields``
    overrides (checked: a column the layer lacks is refused with a message naming layer and field)."""
    mapping = check_field_mapping([c for c in gdf.columns if c != gdf.geometry.name], kind, layer,
                                  dict(fields or {}))
    return enterprises_from_gdf(gdf, kind, mapping, layer)


def run_analysis(admin: gpd.GeoDataFrame, builtup: Any, enterprises: Mapping[str, Any], chp: Any,
                 ruleset: RuleSet, planning_area: Optional[gpd.GeoDataFrame] = None,
                 progress: Optional[ProgressFn] = None, is_canceled: Optional[Callable[[], bool]] = None,
                 metric_epsg: Optional[int] = None,
                 planning_fields: Optional[Mapping[str, Optional[str]]] = None,
                 planning_name: Optional[str] = None) -> AnalysisResult:
    """Build every zone, judge every enterprise, summarise. ``chp`` defaults to ``enterprises['chp']``.

    ``planning_area`` is the user's planning-area layer with whatever columns it has (``planning_fields``
    overrides the guessed ones; ``planning_name`` is its name in messages). ``result.field_notes`` lists what
    could not be used because an input lacks a field.

    ``progress(step, total, label)`` reports each fine-grained step with its Chinese name — the built-up
    areas, each zone builder (``zones.ZONE_STEPS``), each enterprise layer judged, the summary — as
    0 … total−1, then ``(total, total, "完成")``; ``is_canceled()`` is asked before every step, and turning
    true raises :class:`CanceledError` there.
    """
    epsg = int(metric_epsg or DEFAULT_METRIC_EPSG)
    metric_crs(epsg)  # fail early on an unsupported choice
    if chp is None:
        chp = enterprises.get("chp")
    # One sequence of fine-grained steps: built-up areas, each zone builder, each enterprise layer judged,
    # then the summary; ``total`` is known up front so the dock can show "构建禁煤区… 2/14".
    n_zones = len(ZONE_STEPS)
    n_layers = max(sum(1 for v in enterprises.values() if v is not None), 1)
    total = 1 + n_zones + n_layers + 1

    def step(i: int, label: str) -> None:
        if is_canceled is not None and is_canceled():
            raise CanceledError("已取消 / canceled")
        if progress is not None:
            progress(i, total, label)

    step(0, "准备建成区…")
    built = _builtup(builtup, ruleset.params, epsg)

    def zone_step(i: int, n: int, label: str) -> None:
        if i < n:  # the builders' own "done" step is the next one of ours
            step(1 + i, label)

    zones = build_all_zones(admin, built, chp, ruleset, planning_area, progress=zone_step,
                            is_canceled=is_canceled, metric_epsg=epsg, planning_fields=planning_fields,
                            planning_name=planning_name)

    def flag_step(i: int, n: int, label: str) -> None:
        if i < n:  # the engine's last step ("汇总判定结果…") is reported below as ours
            step(1 + n_zones + i, label)

    result: FlagResult = flag_enterprises(zones, admin, enterprises, ruleset, progress=flag_step,
                                          is_canceled=is_canceled)
    step(total - 1, "汇总…")
    summary = summary_by_county(result.flags)
    summary_city = summary_by_city(result.flags)
    field_notes = list(dict.fromkeys(input_field_notes(admin, enterprises, chp, ruleset)
                                     + zones["planning_area"].attrs.get("field_notes", [])))
    notes = list(dict.fromkeys(zone_notes(zones) + result.notes + field_notes))
    rule_counts = result.flags["rule_id"].value_counts().to_dict() if len(result.flags) else {}
    if progress is not None:
        progress(total, total, "完成")
    return AnalysisResult(zones, result.flags, result.verdicts, result.to_verify, summary, summary_city,
                          result.counts, notes, dict(ruleset.params), f"EPSG:{epsg}", result.clear,
                          {str(k): int(v) for k, v in rule_counts.items()}, field_notes)


# --------------------------------------------------------------------------------------------------
# Writing


def _multi(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons promoted to MultiPolygon so each zone layer has one geometry type."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            out.append(None)
            continue
        polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        out.append(shapely.MultiPolygon(polys) if polys else None)
    return gdf.set_geometry(gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs))


def _clean_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns holding only text/None stay text; booleans become ints for portable GPKG fields."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].dtype == bool:
            out[col] = out[col].astype("int32")
    out.attrs = {}
    return out


def _write_layers(path: Path, layers: Mapping[str, gpd.GeoDataFrame], geometry_types: Mapping[str, str]) -> None:
    """Write all layers into a temporary GPKG beside ``path``, then rename: whole or nothing."""
    import pyogrio

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".gpkg", dir=str(path.parent))
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL must create the GeoPackage itself
    try:
        for i, (name, gdf) in enumerate(layers.items()):
            pyogrio.write_dataframe(_clean_columns(gdf), tmp, layer=name, driver="GPKG",
                                    geometry_type=geometry_types.get(name, "Unknown"),
                                    append=i > 0, encoding="UTF-8")
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def write_results(result: AnalysisResult, out_dir: Union[str, Path]) -> Dict[str, Path]:
    """Write ``zones.gpkg`` (the eight zone layers) and ``flags.gpkg`` (flags, verdicts, to_verify)."""
    out_dir = Path(out_dir)
    zones = {}
    for name in ZONE_LAYER_NAMES:
        gdf = result.zones.get(name)
        if gdf is None:
            gdf = gpd.GeoDataFrame({"zone_id": pd.Series([], dtype=object)}, geometry=[], crs="EPSG:4326")
        zones[name] = _multi(gdf)
    flags = result.flags[FLAG_COLUMNS + [c for c in FLAG_EXTRA_COLUMNS if c in result.flags.columns]
                         + [result.flags.geometry.name]]
    verdicts = result.verdicts[VERDICT_COLUMNS + [c for c in ("verdict_class", "severity", "adcode", "n_rules", "row")
                                                  if c in result.verdicts.columns] + [result.verdicts.geometry.name]]
    tv_extra = [c for c in ("row", "field", "raw", "flagged") if c in result.to_verify.columns]
    to_verify = result.to_verify[TO_VERIFY_COLUMNS + tv_extra + [result.to_verify.geometry.name]]
    zones_path, flags_path = out_dir / "zones.gpkg", out_dir / "flags.gpkg"
    _write_layers(zones_path, zones, {n: "MultiPolygon" for n in zones})
    _write_layers(flags_path, {"enterprise_flags": flags, "enterprise_verdicts": verdicts, "to_verify": to_verify},
                  {"enterprise_flags": "Point", "enterprise_verdicts": "Point", "to_verify": "Point"})
    return {"zones": zones_path, "flags": flags_path}
