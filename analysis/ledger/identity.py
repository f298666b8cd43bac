"""Which enterprise a flag belongs to, month after month: the ledger's enterprise identity.

An enterprise keeps its identity across months by the inventory's own id (编号 / 统一社会信用代码). A row
without one (the engine then names it "<layer>-<row>") is matched by layer + normalised name + position
within 50 m to an enterprise already in the ledger, and ``id_source`` says which way it was recognised. An id
the inventory gives to two enterprises of one layer is told apart by the name.
"""
from __future__ import annotations

import unicodedata
from typing import Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from ..common.cells import cell_text
from ..schema.fields import LAYER_KIND_LABELS
from .tables import DATA_COLUMNS, TASK_COLUMNS, LedgerError, frame, typed

__all__ = ["normalise_name", "flag_frame", "month_tasks", "MATCH_RADIUS_M", "ID_INVENTORY", "ID_DUPLICATE",
           "ID_NAME_POSITION", "ID_NAME_ONLY"]

# How the enterprise of a task is recognised from month to month (the id_source column).
ID_INVENTORY = "清单编号"
ID_DUPLICATE = "清单编号（编号重复，加名称区分）"
ID_NAME_POSITION = "名称+50米内位置（清单无编号）"
ID_NAME_ONLY = "名称（清单无编号且无坐标）"
MATCH_RADIUS_M = 50.0

_DROP = {"P", "S", "Z", "C"}  # punctuation, symbols, separators, controls


def normalise_name(name: object) -> str:
    """A name compared across months: full-width folded (NFKC), case-folded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", cell_text(name) or "").casefold()  # NaN is truthy: not `name or ""`
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in _DROP)


def _distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def flag_frame(flags: pd.DataFrame) -> pd.DataFrame:
    """The columns the ledger takes from ``enterprise_flags`` (lon/lat from the geometry when absent)."""
    df = pd.DataFrame(flags).copy()
    if "geometry" in df.columns and ("lon" not in df.columns or "lat" not in df.columns):
        geoms = df["geometry"]
        df["lon"] = [g.x if g is not None and not g.is_empty else np.nan for g in geoms]
        df["lat"] = [g.y if g is not None and not g.is_empty else np.nan for g in geoms]
    for col in ("ent_id", "layer", "name", "rule_id", "county", "city", "adcode", "action", "clause", "deadline",
                "lead_dept", "reason", "source_layer"):
        if col not in df.columns:
            df[col] = None
    for col in ("lon", "lat"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df.columns else np.nan
    missing = [c for c in ("ent_id", "layer", "rule_id") if df[c].isna().all() and len(df)]
    if missing:
        raise LedgerError(f"标注结果缺少字段 {', '.join(missing)}：请选择一次分析写出的 flags.gpkg（enterprise_flags 图层） / "
                          f"the flags lack {', '.join(missing)}: choose a run's flags.gpkg")
    if "row" not in df.columns:  # flags from elsewhere: one "row" per distinct enterprise, never per hit
        # cell_text, not astype(str): pandas 3 keeps a blank as NaN there, not the text "nan"
        cols = [df[c].map(lambda v: cell_text(v) or "").tolist() for c in ("layer", "ent_id", "name", "lon", "lat")]
        keys = pd.Series(["|".join(parts) for parts in zip(*cols)], index=df.index, dtype=object)
        df["row"] = pd.factorize(keys)[0] + 1
    df["source_layer"] = df["source_layer"].where(df["source_layer"].notna(), df["layer"])
    return df.reset_index(drop=True)


def _generated_id(df: pd.DataFrame) -> np.ndarray:
    """Rows whose id the engine made up ("<layer>-<row>", see enterprises._canonical_frame and engine._as_layer):
    the inventory had none, so the id names a row number, not an enterprise."""
    ent = df["ent_id"].map(cell_text)
    row = pd.to_numeric(df["row"], errors="coerce")
    row_text = pd.Series([str(int(v)) if pd.notna(v) else "\x00" for v in row], index=df.index)
    made = (ent == df["source_layer"].astype(str) + "-" + row_text) | (ent == df["layer"].astype(str) + "-" + row_text)
    return made.to_numpy() | ent.isna().to_numpy()


def _known_entities(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per enterprise already in the ledger: layer, ent_id, normalised name, last position."""
    if not len(tasks):
        return pd.DataFrame(columns=["layer", "ent_id", "norm", "lon", "lat"])
    # the row seen most recently holds the enterprise's latest name and position
    latest = tasks.sort_values("last_month", ascending=False, kind="stable", na_position="last")
    ents = latest.drop_duplicates(["layer", "ent_id"])[["layer", "ent_id", "name", "lon", "lat"]].copy()
    ents["norm"] = ents["name"].map(normalise_name)
    return ents[["layer", "ent_id", "norm", "lon", "lat"]].reset_index(drop=True)


def _match_by_name(ents: pd.DataFrame, known: pd.DataFrame, radius_m: float) -> Dict[int, str]:
    """Enterprise index → known ent_id, for rows without an id: same layer and normalised name, within
    ``radius_m``, nearest pairs first, each known enterprise taken once."""
    if not len(ents) or not len(known):
        return {}
    cand = ents.reset_index().rename(columns={"index": "i"}).merge(
        known.rename(columns={"ent_id": "known", "lon": "klon", "lat": "klat"}), on=["layer", "norm"])
    if not len(cand):
        return {}
    cand["d"] = _distance_m(cand["lon"], cand["lat"], cand["klon"], cand["klat"])
    cand = cand[cand["d"] <= radius_m].sort_values(["d", "i", "known"], kind="stable")
    taken_i, taken_k, out = set(), set(), {}
    for i, known_id in zip(cand["i"].to_numpy(), cand["known"].to_numpy()):
        if i in taken_i or known_id in taken_k:
            continue
        taken_i.add(i)
        taken_k.add(known_id)
        out[int(i)] = str(known_id)
    return out


def month_tasks(flags: pd.DataFrame, tasks: Optional[pd.DataFrame] = None,
                radius_m: float = MATCH_RADIUS_M) -> Tuple[pd.DataFrame, List[str]]:
    """The month's tasks (one row per task id, TASK attributes and lon/lat) from its flags, enterprises
    recognised against the ledger's ``tasks``; and Chinese notes on ids that had to be worked out."""
    notes: List[str] = []
    df = flag_frame(flags)
    if not len(df):
        return frame(DATA_COLUMNS[:14] + ["lon", "lat"]), notes
    df["norm"] = df["name"].map(normalise_name)
    # One row per enterprise of this month's lists (its flags share layer, list and row).
    ent_keys = ["layer", "source_layer", "row"]
    ents = df.drop_duplicates(ent_keys)[ent_keys + ["ent_id", "norm", "lon", "lat"]].reset_index(drop=True)
    ents["generated"] = _generated_id(ents)
    ents["key"] = None
    ents["id_source"] = None
    with_id = ~ents["generated"].to_numpy()
    ents.loc[with_id, "key"] = ents.loc[with_id, "ent_id"].astype(str).str.strip()
    ents.loc[with_id, "id_source"] = ID_INVENTORY
    # The same id on two different enterprises of one layer: the name tells them apart.
    dup = with_id & ents.duplicated(["layer", "key"], keep=False).to_numpy()
    if dup.any():
        ents.loc[dup, "key"] = ents.loc[dup, "key"] + "|" + ents.loc[dup, "norm"]
        ents.loc[dup, "id_source"] = ID_DUPLICATE
        ids = sorted(set(ents.loc[dup, "ent_id"].astype(str)))
        notes.append(f"编号重复：{'、'.join(ids[:10])}{'等' if len(ids) > 10 else ''}（{len(ids)} 个编号）用于多家企业，"
                     "已按编号+名称区分，请在清单中更正")
    no_id = np.flatnonzero(~with_id)
    if len(no_id):
        sub = ents.loc[no_id]
        located = sub["lon"].notna() & sub["lat"].notna()
        matched = _match_by_name(sub[located.to_numpy()], _known_entities(tasks if tasks is not None else
                                                                          frame(TASK_COLUMNS)), radius_m)
        for i in sub.index:
            row = ents.loc[i]
            if i in matched:
                ents.at[i, "key"] = matched[i]
            elif pd.notna(row["lon"]) and pd.notna(row["lat"]):
                ents.at[i, "key"] = f"名称:{row['norm']}@{row['lon']:.5f},{row['lat']:.5f}"
            else:
                ents.at[i, "key"] = f"名称:{row['norm']}"
            ents.at[i, "id_source"] = ID_NAME_POSITION if pd.notna(row["lon"]) and pd.notna(row["lat"]) \
                else ID_NAME_ONLY
        layers = [LAYER_KIND_LABELS.get(k, k) for k in sorted(set(sub["layer"].astype(str)))]  # 锅炉, not boiler
        notes.append(f"{'、'.join(layers)}：{len(no_id)} 家企业清单中无编号，按名称和 {radius_m:g} 米内的位置与往月对应"
                     f"（其中 {len(matched)} 家对应到已有企业）")
    df = df.merge(ents[ent_keys + ["key", "id_source"]], on=ent_keys, how="left")
    df["task_id"] = df["layer"].astype(str) + ":" + df["key"].astype(str) + ":" + df["rule_id"].astype(str)
    twice = df.duplicated("task_id")
    if twice.any():
        notes.append(f"{int(twice.sum())} 条标注与同一企业、同一规则的另一条重复（同名同位置或同编号），按一项任务计")
        df = df[~twice.to_numpy()]
    df["ent_id"] = df["key"]
    out = typed(df, DATA_COLUMNS[:14] + ["lon", "lat"])
    return out.sort_values("task_id", kind="stable").reset_index(drop=True), notes
