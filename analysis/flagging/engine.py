"""Zones × enterprises × rules → flags, verdicts and the 需核实 (to verify) table.

The work is split by concern: :mod:`.spatial_index` (where points lie), :mod:`.evaluation` (rule
conditions and zone membership per layer), :mod:`.reasons` (reason sentences) and :mod:`.output_tables`
(hits, verdicts, to verify, counts, summaries). This module runs them over every layer and rule.

Every input row ends in exactly one of: flagged (≥ 1 rule hit), to verify (not flagged, but some
problem kept it from being judged fully), clear. ``counts`` checks count_in = flagged + clear +
to_verify per layer and raises :class:`CountMismatchError` if not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

import geopandas as gpd
import numpy as np
import pandas as pd

from ..common.errors import CanceledError
from ..common.gc_pause import gc_paused
from ..inputs.enterprises import EnterpriseTable
from ..inputs.validation import missing_field_note
from ..inputs.villages import RURAL_COLUMNS, rural_heating_table
from ..plan.rules import RuleSet
from ..schema.fields import LAYER_KIND_LABELS, LAYER_KINDS
from ..zones.builders import ZoneSet
from .evaluation import (
    META_COLUMNS,
    Hits,
    LayerBase,
    LayerEval,
    PointTable,
    as_layer,
    evaluate_rule,
    frame_meta,
)
from .membership import MembershipCache
from .output_tables import (
    COUNT_COLUMNS,
    FLAG_COLUMNS,
    FLAG_EXTRA_COLUMNS,
    TO_VERIFY_COLUMNS,
    TO_VERIFY_EXTRA_COLUMNS,
    VERDICT_COLUMNS,
    VERDICT_EXTRA_COLUMNS,
    HitTable,
    check_counts,
    count_row,
    flags_table,
    layer_to_verify,
    summary_by_city,
    summary_by_county,
    to_verify_table,
    verdicts_table,
)
from .reasons import render_template

__all__ = ["FlagResult", "PointTable", "flag_enterprises", "render_template", "summary_by_city",
           "summary_by_county", "FLAG_COLUMNS", "FLAG_EXTRA_COLUMNS", "VERDICT_COLUMNS", "VERDICT_EXTRA_COLUMNS",
           "TO_VERIFY_COLUMNS", "TO_VERIFY_EXTRA_COLUMNS", "COUNT_COLUMNS"]

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
    # 三(二)7 rural clean-heating coverage per county/city/province (analysis/inputs/villages.py); empty without villages
    rural_heating: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RURAL_COLUMNS))


def _checkpoint(progress: Optional[ProgressFn], is_canceled: Optional[Callable[[], bool]], step: int,
                total: int, label: str) -> None:
    if is_canceled is not None and is_canceled():
        raise CanceledError("已取消 / canceled")
    if progress is not None:
        progress(step, total, label)


def flag_enterprises(zones: Mapping[str, gpd.GeoDataFrame], admin: gpd.GeoDataFrame,
                     enterprises: Mapping[str, Any], ruleset: RuleSet,
                     progress: Optional[ProgressFn] = None,
                     is_canceled: Optional[Callable[[], bool]] = None,
                     cache: Optional[MembershipCache] = None) -> FlagResult:
    """Apply every enabled rule to every enterprise layer (keyed by kind: boiler/mine/plant/chp).

    Each layer is an :class:`EnterpriseTable`, a GeoDataFrame of points, or — for big layers — a
    :class:`PointTable` (attributes plus x/y arrays; point geometries are then made for output rows only).

    When ``zones`` is a :class:`ZoneSet`, its zone parameters (those the zones were built with) replace the
    rules file's: reasons and notes then quote the radius and rings the zones really have.

    ``cache``: a :class:`MembershipCache` kept between runs on the same tables (a scenario session): each
    table's points and counties are worked out once, and a zone layer object already judged is not judged again.
    """
    with gc_paused():  # the output tables make a point per flagged row: no collections walking them meanwhile
        return _flag(zones, admin, enterprises, ruleset, progress, is_canceled, cache)


def _flag(zones: Mapping[str, gpd.GeoDataFrame], admin: gpd.GeoDataFrame, enterprises: Mapping[str, Any],
          ruleset: RuleSet, progress: Optional[ProgressFn], is_canceled: Optional[Callable[[], bool]],
          cache: Optional[MembershipCache]) -> FlagResult:
    if isinstance(zones, ZoneSet):
        ruleset = zones.ruleset_for(ruleset)
    given_admin = admin
    if admin.crs is not None and not admin.crs.equals("EPSG:4326"):
        admin = admin.to_crs("EPSG:4326")
    admin = admin.reset_index(drop=True)
    rule_order = {r.id: i for i, r in enumerate(ruleset.rules)}
    notes: List[str] = []
    hits: List[Hits] = []
    verify_frames, count_rows = [], []
    values = {k: v for k, v in enterprises.items() if v is not None}
    unknown = set(values) - set(LAYER_KINDS)
    if unknown:
        raise ValueError(f"unknown enterprise layer kinds {sorted(unknown)}; expected {LAYER_KINDS}")
    rural_heating = pd.DataFrame(columns=RURAL_COLUMNS)
    total = max(len(values), 1)
    geoms_of: Dict[str, Any] = {}
    evals: Dict[str, LayerEval] = {}
    metas: List[Dict[str, Any]] = []
    for step, (kind, value) in enumerate(values.items()):
        _checkpoint(progress, is_canceled, step, total, f"判定{_step_name(kind, _source_layer(value))}…")
        if cache is not None:
            base = cache.base(kind, value, given_admin, lambda k=kind, v=value: LayerBase(as_layer(k, v), admin))
        else:
            base = LayerBase(as_layer(kind, value), admin)
        ev = LayerEval(base, admin, zones, ruleset)
        layer = ev.layer
        evals[kind] = ev
        geoms_of[kind] = layer.geoms()
        flagged = np.zeros(ev.n, bool)
        missing_frames: List[pd.DataFrame] = []
        for rule in ruleset.enabled_rules:
            if kind not in rule.layers:
                continue
            res = evaluate_rule(ev, rule, notes)
            if res is None:
                continue
            idx, problems, rule_hits = res
            flagged[idx] = True
            missing_frames.extend(problems)
            if rule_hits is not None:
                hits.append(rule_hits)
                metas.append(frame_meta(kind, rule, layer.source_layer))
            if rule.uses_1p30 and ruleset.region_1p30_note and ruleset.region_1p30_note not in notes:
                notes.append(ruleset.region_1p30_note)
        for fname, rule_ids in ev._cache.get("absent_fields", {}).items():
            notes.append(missing_field_note(layer.source_layer, kind, fname, rule_ids))
        verify = layer_to_verify(ev, layer, missing_frames)
        verify["flagged"] = flagged[verify["pos"].to_numpy(dtype=np.int64)] if len(verify) else []
        verify_frames.append(verify)
        count_rows.append(count_row(kind, ev.n, flagged, verify))
        if kind == "village":
            rural_heating = _rural_heating(ev, ruleset)
    _checkpoint(progress, is_canceled, total, total, "汇总判定结果…")
    meta = {c: np.array([m[c] for m in metas], dtype=np.int64 if c == "severity" else object)
            for c in META_COLUMNS}
    table = HitTable(hits, meta, evals, rule_order)
    verdicts = verdicts_table(table, geoms_of)
    flags = flags_table(table, geoms_of)
    to_verify = to_verify_table(verify_frames, geoms_of)
    counts = pd.DataFrame(count_rows, columns=COUNT_COLUMNS)
    check_counts(counts, verdicts, verify_frames)
    return FlagResult(flags, verdicts, to_verify, int(counts["clear"].sum()), counts,
                      list(dict.fromkeys(notes)), rural_heating)


def _step_name(kind: str, source: Optional[str]) -> str:
    """The list a step judges, as a person reads it: the user's layer name when it is Chinese (锅炉清单), else
    the kind's Chinese with the name beside it (锅炉「boilers」), never a code alone."""
    label = LAYER_KIND_LABELS.get(kind, kind)
    if not source or source == kind:
        return label
    return source if any("\u4e00" <= ch <= "\u9fff" for ch in source) else f"{label}「{source}」"


def _source_layer(value: Any) -> Optional[str]:
    """The name a layer is shown by (an EnterpriseTable's or PointTable's layer name), else None."""
    return value.layer_name if isinstance(value, (EnterpriseTable, PointTable)) else None


def _rural_heating(ev: LayerEval, ruleset: RuleSet) -> pd.DataFrame:
    """The rural 60 % report over the villages located in a county and outside Z-BAN (built-up areas and the
    fringe ring, when one is set)."""
    urban = ev.zone_mask("Z-BAN") if ev.zone_available("Z-BAN") else np.zeros(ev.n, bool)
    return rural_heating_table(ev.layer.gdf, ev.city, ev.county, ev.adcode, ev.judged & ~urban,
                               ruleset.params["rural_clean_heating_pct"])
