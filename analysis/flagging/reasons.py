"""Reason sentences: values formatted for people and templates filled column-wise, for flagged rows only."""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Protocol, Tuple

import numpy as np
import pandas as pd

from ..common.cells import cell_text, is_missing
from ..plan.rules import Rule, RuleFileError, format_spec_problem
from ..plan.zone_registry import PLANT_RADIUS, zone_by_id
from ..schema.fields import FUEL_LABELS, INDUSTRY_LABELS, METHOD_LABELS, USE_LABELS
from ..schema.params import format_value

BLANK = "未填"  # how a blank value reads in a reason

@dataclass
class Coded:
    """A text column as codes into its distinct texts (``texts[codes]``), so a reason sentence can be built
    once per combination of codes without turning every row into text first."""

    codes: np.ndarray
    texts: np.ndarray

    def values(self) -> np.ndarray:
        return self.texts[self.codes]


def fmt_numbers_coded(values: np.ndarray, decimals: int = 2) -> Coded:
    codes, uniques = pd.factorize(pd.Series(values, dtype=float), use_na_sentinel=True)
    texts = [f"{u:.{decimals}f}".rstrip("0").rstrip(".") for u in uniques] + [BLANK]
    return Coded(np.where(codes < 0, len(texts) - 1, codes), np.array(texts, dtype=object))


def fmt_numbers(values: np.ndarray, decimals: int = 2) -> np.ndarray:
    """Numbers as short text (20.0 → '20', 34.90 → '34.9'), formatted once per distinct value."""
    return fmt_numbers_coded(values, decimals).values()


def fmt_any_coded(values: np.ndarray) -> Coded:
    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return fmt_numbers_coded(s.to_numpy(dtype=float))
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = ["是" if v is True else "否" if v is False else
             (f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)) for v in uniques]
    texts.append(BLANK)
    return Coded(np.where(codes < 0, len(texts) - 1, codes), np.array(texts, dtype=object))


def fmt_any(values: np.ndarray) -> np.ndarray:
    """Any column as text for a reason; numbers short, blanks '未填', booleans 是/否."""
    return fmt_any_coded(values).values()


def render_template(template: str, columns: Mapping[str, Any], n: int) -> np.ndarray:
    """Fill ``template`` for ``n`` rows; each placeholder's column is an array of text, a :class:`Coded`
    text column or a scalar.

    Reasons repeat (a few cities × a few capacities), so when every array column is text the sentence is
    built once per distinct combination of values and then taken per row; the text is the same either way.
    Coded columns bring their codes, so only plain text arrays need factorizing.
    """
    names = list(dict.fromkeys(name for _lit, name, _spec, _conv in string.Formatter().parse(template)
                               if name is not None and isinstance(columns.get(name), (np.ndarray, Coded))))
    if n >= 1000 and names and all(isinstance(columns[nm], Coded) or
                                   pd.api.types.infer_dtype(columns[nm], skipna=False) == "string"
                                   for nm in names):
        codes, sizes = [], []
        for nm in names:
            v = columns[nm]
            if isinstance(v, Coded):
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
                sub = {k: (v.texts[v.codes[first]] if isinstance(v, Coded) else
                           v[first] if isinstance(v, np.ndarray) else v) for k, v in columns.items()}
                return _render_rows(template, sub, len(uniq))[combo]
    plain = {k: (v.values() if isinstance(v, Coded) else v) for k, v in columns.items()}
    return _render_rows(template, plain, n)


# a unit right after a value: dropped where the value is blank ("散煤户 未填", not "散煤户 未填 户")
_UNIT = re.compile(r"^\s*(?:%|蒸吨/小时|万吨|公里|米|MW|兆瓦|辆|户|级)")


def _render_rows(template: str, columns: Mapping[str, Any], n: int) -> np.ndarray:
    acc = np.full(n, "", dtype=object)
    formatter = string.Formatter()
    blank = None  # rows where the value just written was blank
    for literal, name, spec, conv in formatter.parse(template):
        if literal:
            unit = _UNIT.match(literal)
            if unit and blank is not None and blank.any():
                acc = acc + np.where(blank, literal[unit.end():], literal).astype(object)
            else:
                acc = acc + literal
        blank = None
        if name is None:
            continue
        problem = format_spec_problem(spec or "")
        if problem:  # the rules file's validation refuses it first; a Rule made in code is held here too
            raise RuleFileError([f"理由模板 “{template[:200]}” 中 {{{name}:…}} 的{problem[0]} / {problem[1]}"])
        value = columns.get(name, "{" + name + "}")
        if isinstance(value, np.ndarray):
            if spec or conv:
                value = np.array([format(formatter.convert_field(v, conv), spec) for v in value], dtype=object)
            acc = acc + value.astype(object)
            blank = np.array([v == BLANK for v in value], dtype=bool)
        else:
            text = format(formatter.convert_field(value, conv), spec)
            acc = acc + text
            blank = np.full(n, text == BLANK, dtype=bool)
    return acc


def label_column(values: np.ndarray, labels: Mapping[str, str]) -> np.ndarray:
    # is_missing: a blank of a pandas 3 string column is NaN, not None
    return np.array([BLANK if is_missing(v) else labels.get(v, str(v)) for v in values], dtype=object)


class ReasonSource(Protocol):
    """What a reason needs of one evaluated layer (the evaluator, evaluation.LayerEval, is one): the layer and
    rule set, each point's county slot ``ai``, and the per-county texts and zone lookups. Reasons know the
    evaluator only through this, so the evaluator may call them without a circle."""

    layer: Any  # evaluation.Layer: .gdf, .kind, .id_text(idx)
    ruleset: Any  # plan.rules.RuleSet with the zones' own parameters
    ai: np.ndarray

    def text_of(self, col: str) -> np.ndarray: ...

    def group_texts(self) -> np.ndarray: ...

    def plants(self, zone_id: str) -> Tuple[Any, Any]: ...

    def zone_mask(self, zone_id: str) -> np.ndarray: ...

    def zone_available(self, zone_id: str) -> bool: ...


def reason_context(ev: ReasonSource, rule: Rule, idx: np.ndarray,
                   chp_at: Optional[Tuple[np.ndarray, np.ndarray]]) -> Dict[str, Any]:
    """The placeholders of ``rule.reason`` for hit rows ``idx``. Parameters are those of ``ev.ruleset``, which
    the engine gives the zone parameters the zones were built with (zones.ZoneSet.ruleset_for)."""
    gdf = ev.layer.gdf
    params = ev.ruleset.params
    ctx: Dict[str, Any] = {k: format_value(v) for k, v in params.items()}
    names = [f for _, f, _, _ in string.Formatter().parse(rule.reason) if f]
    for name in names:
        if name == "ent_id":
            ctx[name] = ev.layer.id_text(idx)
        elif name in gdf.columns and name not in ("city", "county", "adcode"):
            ctx[name] = fmt_any_coded(gdf[name].to_numpy()[idx])
    # County attributes as codes (the point's county slot) into the per-county texts.
    ai = ev.ai[idx]
    ctx.update(city=Coded(ai, ev.text_of("city")), county=Coded(ai, ev.text_of("county")),
               adcode=Coded(ai, ev.text_of("adcode")), rule_id=rule.id)
    if "group" in names:
        ctx["group"] = Coded(ai, ev.group_texts())
    for name, col, labels in (("fuel_label", "fuel", FUEL_LABELS), ("use_label", "use", USE_LABELS),
                              ("method_label", "method", METHOD_LABELS),
                              ("industry_label", "industry", INDUSTRY_LABELS)):
        if name in names and col in gdf.columns:
            ctx[name] = label_column(gdf[col].to_numpy(dtype=object)[idx], labels)
    if chp_at is not None and zone_by_id(rule.zone.id).membership == PLANT_RADIUS:
        plants = ev.plants(rule.zone.id)[1]
        dist_m, w = chp_at
        ctx["distance_km"] = fmt_numbers_coded(dist_m / 1000.0)
        # Plant attributes as codes (the plant's row; the extra last slot, text '', for no plant).
        wc = np.where(w >= 0, w, len(plants))
        # cell_text, not astype(str): a blank is '未填' on pandas 2 and 3 alike (never "None", "nan" or NaN)
        names_arr = np.array([cell_text(v) or BLANK for v in plants["name"]] + [""], dtype=object)
        ids_arr = np.array([cell_text(v) or BLANK for v in plants["ent_id"]] + [""], dtype=object)
        mw_arr = np.append(pd.to_numeric(plants["capacity_mw"], errors="coerce").to_numpy(dtype=float), np.nan)
        ctx["chp_name"] = Coded(wc, names_arr)
        ctx["chp_id"] = Coded(wc, ids_arr)
        mw = fmt_numbers_coded(mw_arr)
        ctx["chp_mw"] = Coded(mw.codes[wc], mw.texts)
    if "ring_km" in names:
        ctx["ring_km"] = format_value(params["mine_ring_km"])
    if "fringe_text" in names:  # the urban-rural fringe ring, said only when one is drawn
        km = float(params.get("fringe_km", 0) or 0)
        ctx["fringe_text"] = f"及城乡结合部（建成区外扩 {format_value(km)} 公里）" if km > 0 else ""
    if "rail_target_pct" in names:  # 90 % inside the built-up areas (Z-BAN), 80 % elsewhere
        in_ban = ev.zone_mask("Z-BAN")[idx] if ev.zone_available("Z-BAN") else np.zeros(len(idx), bool)
        hi, lo = format_value(params["rail_share_builtup_pct"]), format_value(params["rail_share_target_pct"])
        ctx["rail_target_pct"] = np.where(in_ban, hi, lo).astype(object)
    if "key_region" in names:  # 三(三)11's 重点区域: a key city names its group, else the "1+30" region
        groups = ev.group_texts()[ev.ai[idx]]
        in_key = ev.zone_mask("Z-KEY")[idx] if ev.zone_available("Z-KEY") else np.zeros(len(idx), bool)
        in_1p30 = ev.zone_mask("Z-1P30")[idx] if ev.zone_available("Z-1P30") else np.zeros(len(idx), bool)
        ctx["key_region"] = np.where(in_key, np.array([f"重点区域（{g}）" for g in groups], dtype=object),
                                     np.where(in_1p30, "“1+30”区域", "")).astype(object)
    ctx["note_1p30"] = ev.ruleset.region_1p30_note
    return ctx
