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
from ..inputs.validation import missing_field_note
from ..inputs.villages import RURAL_COLUMNS, rural_heating_table
from ..plan.rules import RuleSet
from ..schema.fields import LAYER_KIND_LABELS, LAYER_KINDS
from ..zones.builders import ZoneSet
from .evaluation import META_COLUMNS, LayerEval, PointTable, as_layer, evaluate_rule, frame_meta
from .output_tables import (
    COUNT_COLUMNS,
    FLAG_COLUMNS,
    FLAG_EXTRA_COLUMNS,
    TO_VERIFY_COLUMNS,
    TO_VERIFY_EXTRA_COLUMNS,
    VERDICT_COLUMNS,
    VERDICT_EXTRA_COLUMNS,
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
                     is_canceled: Optional[Callable[[], bool]] = None) -> FlagResult:
    """Apply every enabled rule to every enterprise layer (keyed by kind: boiler/mine/plant/chp).

    Each layer is an :class:`EnterpriseTable`, a GeoDataFrame of points, or — for big layers — a
    :class:`PointTable` (attributes plus x/y arrays; point geometries are then made for output rows only).

    When ``zones`` is a :class:`ZoneSet`, its zone parameters (those the zones were built with) replace the
    rules file's: reasons and notes then quote the radius and rings the zones really have.
    """
    if isinstance(zones, ZoneSet):
        ruleset = zones.ruleset_for(ruleset)
    if admin.crs is not None and not admin.crs.equals("EPSG:4326"):
        admin = admin.to_crs("EPSG:4326")
    admin = admin.reset_index(drop=True)
    rule_order = {r.id: i for i, r in enumerate(ruleset.rules)}
    notes: List[str] = []
    flag_frames, verify_frames, count_rows = [], [], []
    layers = {k: as_layer(k, v) for k, v in enterprises.items() if v is not None}
    rural_heating = pd.DataFrame(columns=RURAL_COLUMNS)
    unknown = set(layers) - set(LAYER_KINDS)
    if unknown:
        raise ValueError(f"unknown enterprise layer kinds {sorted(unknown)}; expected {LAYER_KINDS}")
    total = max(len(layers), 1)
    geoms_of: Dict[str, Any] = {}
    names_of: Dict[str, np.ndarray] = {}
    metas: List[Dict[str, Any]] = []
    for step, (kind, layer) in enumerate(layers.items()):
        shown = LAYER_KIND_LABELS.get(kind, kind) if layer.source_layer == kind else layer.source_layer
        _checkpoint(progress, is_canceled, step, total, f"判定{shown}…")
        ev = LayerEval(layer, admin, zones, ruleset)
        geoms_of[kind] = layer.geoms()
        names_of[kind] = layer.gdf["name"].to_numpy(dtype=object)
        flagged_pos: List[np.ndarray] = []
        missing_frames: List[pd.DataFrame] = []
        for rule in ruleset.enabled_rules:
            if kind not in rule.layers:
                continue
            res = evaluate_rule(ev, rule, notes)
            if res is None:
                continue
            idx, problems, flags = res
            flagged_pos.append(idx)
            missing_frames.extend(problems)
            if flags is not None:
                flags["_f"] = len(metas)
                metas.append(frame_meta(kind, rule, layer.source_layer))
                flag_frames.append(flags)
            if rule.uses_1p30 and ruleset.region_1p30_note and ruleset.region_1p30_note not in notes:
                notes.append(ruleset.region_1p30_note)
        for fname, rule_ids in ev._cache.get("absent_fields", {}).items():
            notes.append(missing_field_note(layer.source_layer, kind, fname, rule_ids))
        verify = layer_to_verify(ev, layer, missing_frames)
        flagged = np.zeros(ev.n, bool)
        for idx in flagged_pos:
            flagged[idx] = True
        verify["flagged"] = flagged[verify["pos"].to_numpy(dtype=np.int64)] if len(verify) else []
        verify_frames.append(verify)
        count_rows.append(count_row(kind, ev.n, flagged, verify))
        if kind == "village":
            rural_heating = _rural_heating(ev, ruleset)
    flags_df = pd.concat(flag_frames, ignore_index=True) if flag_frames else pd.DataFrame(
        columns=["pos"] + FLAG_COLUMNS + FLAG_EXTRA_COLUMNS)
    _checkpoint(progress, is_canceled, total, total, "汇总判定结果…")
    meta = {c: np.array([m[c] for m in metas], dtype=np.int64 if c == "severity" else object)
            for c in META_COLUMNS} if metas else {}
    if metas:
        meta["name"] = names_of
        meta["ent_id"] = layers
    verdicts = verdicts_table(flags_df, geoms_of, rule_order, meta)
    flags = flags_table(flags_df, geoms_of, rule_order, meta)
    to_verify = to_verify_table(verify_frames, geoms_of)
    counts = pd.DataFrame(count_rows, columns=COUNT_COLUMNS)
    check_counts(counts, verdicts, verify_frames)
    return FlagResult(flags, verdicts, to_verify, int(counts["clear"].sum()), counts,
                      list(dict.fromkeys(notes)), rural_heating)


def _rural_heating(ev: LayerEval, ruleset: RuleSet) -> pd.DataFrame:
    """The rural 60 % report over the villages located in a county and outside Z-BAN (built-up areas and the
    fringe ring, when one is set)."""
    urban = ev.zone_mask("Z-BAN") if ev.zone_available("Z-BAN") else np.zeros(ev.n, bool)
    return rural_heating_table(ev.layer.gdf, ev.city, ev.county, ev.adcode, ev.judged & ~urban,
                               ruleset.params["rural_clean_heating_pct"])
