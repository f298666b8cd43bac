"""The engine's output tables: hits (one row per rule hit), verdicts (one per enterprise), to verify, counts,
and the summaries per county and city.

Every input row ends in exactly one of: flagged (≥ 1 rule hit), to verify (not flagged, but some problem kept
it from being judged fully), clear; :func:`check_counts` holds count_in = flagged + clear + to_verify.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..common.errors import CountMismatchError
from ..schema.fields import field_def, field_label

if TYPE_CHECKING:
    from .evaluation import Layer, LayerEval

FLAG_COLUMNS = ["ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "lead_dept", "reason",
                "county", "city", "adcode", "distance_km"]
FLAG_EXTRA_COLUMNS = ["level", "severity", "action_class", "lon", "lat", "row", "source_layer"]
VERDICT_COLUMNS = ["ent_id", "layer", "name", "verdict", "rule_ids", "county", "city"]
VERDICT_EXTRA_COLUMNS = ["verdict_class", "severity", "adcode", "n_rules", "row"]
TO_VERIFY_COLUMNS = ["ent_id", "layer", "problem"]
TO_VERIFY_EXTRA_COLUMNS = ["row", "field", "raw", "flagged", "source_layer"]
COUNT_COLUMNS = ["layer", "count_in", "flagged", "clear", "to_verify"]


class HitTable:
    """Every rule hit of a run as parallel arrays, frame by frame (a frame: one rule on one layer, in the
    order evaluated): the layer row ``pos``, the frame ``f``, the reason and the distance. Columns constant
    for a frame come from ``meta`` (one entry per frame), the others from each layer's evaluation by row
    (:meth:`.evaluation.LayerEval.point_values`), so no hit carries its own copy of them."""

    def __init__(self, hits: Sequence[Any], meta: Mapping[str, np.ndarray], evals: Mapping[str, Any],
                 rule_order: Mapping[str, int]):
        self.meta, self.evals, self.rule_order = meta, evals, rule_order
        sizes = np.array([len(h) for h in hits], dtype=np.int64)
        self.n = int(sizes.sum())
        self.f = np.repeat(np.arange(len(hits), dtype=np.int64), sizes)
        self.pos = np.concatenate([h.pos for h in hits]).astype(np.int64, copy=False) if hits else \
            np.zeros(0, dtype=np.int64)
        self._hits = hits
        self._reason: Optional[np.ndarray] = None
        self._distance: Optional[np.ndarray] = None
        self._group: Optional[np.ndarray] = None
        # The layer's code (rank among the layers present, as a sorted factorize gives it) and the rule's
        # position in the rules file: worked out once per frame and taken per hit.
        frame_layer, self.kinds = pd.factorize(meta["layer"], sort=True) if len(hits) else (np.zeros(0, int), [])
        self.layer_code = frame_layer.astype(np.int64)[self.f]
        self.order = pd.Series(meta["rule_id"]).map(rule_order).to_numpy(dtype=np.int64)[self.f]
        self.severity = np.asarray(meta["severity"], dtype=np.int64)[self.f]

    def reason(self) -> np.ndarray:
        if self._reason is None:
            self._reason = np.concatenate([h.reason for h in self._hits]) if self._hits else \
                np.zeros(0, dtype=object)
        return self._reason

    def distance_km(self) -> np.ndarray:
        if self._distance is None:
            self._distance = np.concatenate([
                h.distance_km if h.distance_km is not None else np.full(len(h), np.nan)
                for h in self._hits]) if self._hits else np.zeros(0)
        return self._distance

    def rows(self, rows: np.ndarray) -> HitRows:
        return HitRows(self, rows)

    def group_order(self) -> np.ndarray:
        """The hits grouped by enterprise (layer, row), rules in the file's order: :func:`_group_order`, once for
        the verdicts and the flags."""
        if self._group is None:
            self._group = _group_order(self.layer_code, self.pos, self.order)
        return self._group


class HitRows:
    """Columns of a :class:`HitTable` at some hits (``rows``, grouped by layer as the output tables sort them)."""

    def __init__(self, table: HitTable, rows: np.ndarray):
        self.t, self.rows = table, rows
        self.f, self.pos, self.code = table.f[rows], table.pos[rows], table.layer_code[rows]
        # Contiguous runs of one layer (the output tables sort by layer first); checked, else masks.
        kinds = np.flatnonzero(np.r_[True, self.code[1:] != self.code[:-1]]) if len(rows) else np.zeros(0, int)
        self._runs = [(int(self.code[s]), slice(int(s), int(e))) for s, e in
                      zip(kinds, list(kinds[1:]) + [len(rows)])]
        if len({c for c, _ in self._runs}) != len(self._runs):
            self._runs = [(int(c), self.code == c) for c in pd.unique(self.code)]

    def column(self, col: str) -> np.ndarray:
        t = self.t
        if col in t.meta:
            return t.meta[col][self.f]
        if col == "reason":
            return t.reason()[self.rows]
        if col == "distance_km":
            return t.distance_km()[self.rows]
        if col == "pos":
            return self.pos
        if len(self._runs) == 1:
            return t.evals[t.kinds[self._runs[0][0]]].point_values(col, self.pos)
        parts = [(sel, t.evals[t.kinds[c]].point_values(col, self.pos[sel])) for c, sel in self._runs]
        out = np.empty(len(self.rows), dtype=np.result_type(*[p.dtype for _s, p in parts]) if parts else object)
        for sel, values in parts:
            out[sel] = values
        return out

    def geoms(self, geoms_of: Mapping[str, Any]) -> np.ndarray:
        """The point geometries of these hits' rows, each layer's taken as one array."""
        out = np.empty(len(self.rows), dtype=object)
        for c, sel in self._runs:
            out[sel] = np.asarray(geoms_of[self.t.kinds[c]].take(self.pos[sel]), dtype=object)
        return out


def _location_problems(ev: LayerEval, table_problems: pd.DataFrame) -> pd.DataFrame:
    """Rows that cannot be judged: no usable point (unless already explained), or outside every county."""
    gdf = ev.layer.gdf
    rows = gdf["row"].to_numpy()
    explained = set(table_problems.loc[table_problems["field"].isin(["lon", "lat", "lon,lat", "geometry"]),
                                       "row"]) if len(table_problems) else set()
    no_point = ~ev.has_point
    if explained and no_point.any():
        no_point &= ~np.isin(rows, list(explained))
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
    if keys is not None and (len(keys) < 2 or bool((keys[1:] > keys[:-1]).all())):
        dup = None  # ascending integer ids (a numbered list): none repeats, no hash table needed
    else:
        dup = (pd.Series(keys).duplicated(keep=False).to_numpy() if keys is not None
               else gdf["ent_id"].duplicated(keep=False).to_numpy())
    if dup is not None and dup.any():
        pos = np.flatnonzero(dup)
        dup_ids = pd.Series(ev.layer.id_text(pos), dtype=object)
        counts = dup_ids.map(dup_ids.value_counts()).astype(str)
        frames.append(pd.DataFrame({"pos": pos, "field": "ent_id", "raw": dup_ids.to_numpy(),
                                    "problem": ("编号 '" + dup_ids + "' 重复（共 " + counts + " 条）").to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["pos", "field", "raw", "problem"])


def _missing_problems(ev: LayerEval, frames: List[pd.DataFrame]) -> pd.DataFrame:
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


def _empty_points(cols: Sequence[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in cols}, geometry=[], crs="EPSG:4326")


def _frame(data: Mapping[str, np.ndarray], geoms: np.ndarray) -> gpd.GeoDataFrame:
    """A GeoDataFrame of fresh arrays, without copying them (the dtypes pandas infers, as for any table)."""
    return gpd.GeoDataFrame(pd.DataFrame(data, copy=False), geometry=gpd.array.from_shapely(geoms, crs="EPSG:4326"),
                            crs="EPSG:4326", copy=False)


def verdicts_table(hits: HitTable, geoms_of: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """One row per flagged enterprise (layer, row): its most severe action and all its rule ids."""
    cols = VERDICT_COLUMNS + VERDICT_EXTRA_COLUMNS
    if hits.n == 0:
        return _empty_points(cols)
    layer_codes, order, pos, sev = hits.layer_code, hits.order, hits.pos, hits.severity
    # Rows grouped by enterprise (layer, pos), rules in the file's order inside a group.
    srt2 = hits.group_order()
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
    first = hits.rows(take)
    # rule_ids in the file's order. Few distinct combinations occur, so each combination's text is built
    # once (from a bit set of rule positions) and taken per enterprise.
    if k <= 62 and srt is None:
        bits = np.bitwise_or.reduceat(np.left_shift(np.int64(1), order[srt2]), starts)
        codes, combos = pd.factorize(bits)
        rid_of = {o: r for r, o in hits.rule_order.items()}
        texts = [",".join(rid_of[o] for o in range(k) if (int(c) >> o) & 1) for c in combos]
        joined = np.asarray(texts, dtype=object)[codes]
    else:
        ids = (hits.rows(srt2).column("rule_id").astype(object) + ",").astype(object)
        joined = np.add.reduceat(ids, starts)
        joined = np.array([j[:-1] for j in joined], dtype=object)
    data = {"ent_id": first.column("ent_id"), "layer": first.column("layer"), "name": first.column("name"),
            "verdict": first.column("action"), "rule_ids": joined, "county": first.column("county"),
            "city": first.column("city"), "verdict_class": first.column("action_class"),
            "severity": first.column("severity"), "adcode": first.column("adcode"), "n_rules": sizes,
            "row": first.column("row")}
    return _frame(data, first.geoms(geoms_of))


def layer_to_verify(ev: LayerEval, layer: Layer, missing_frames: List[pd.DataFrame]) -> pd.DataFrame:
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


def count_row(kind: str, n: int, flagged: np.ndarray, verify: pd.DataFrame) -> Dict[str, Any]:
    in_verify = np.zeros(n, bool)
    if len(verify):
        in_verify[verify["pos"].to_numpy(dtype=np.int64)] = True
    to_verify = in_verify & ~flagged
    return {"layer": kind, "count_in": n, "flagged": int(flagged.sum()), "to_verify": int(to_verify.sum()),
            "clear": int((~flagged & ~in_verify).sum())}


def check_counts(counts: pd.DataFrame, verdicts: gpd.GeoDataFrame, verify_frames: List[pd.DataFrame]) -> None:
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


def flags_table(hits: HitTable, geoms_of: Mapping[str, Any]) -> gpd.GeoDataFrame:
    cols = FLAG_COLUMNS + FLAG_EXTRA_COLUMNS
    if hits.n == 0:
        return _empty_points(cols)
    rows = hits.rows(hits.group_order())
    data = {c: rows.column(c) for c in cols}
    data["distance_km"] = data["distance_km"].astype(float)
    return _frame(data, rows.geoms(geoms_of))


def to_verify_table(frames: List[pd.DataFrame], geoms_of: Mapping[str, np.ndarray]) -> gpd.GeoDataFrame:
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
