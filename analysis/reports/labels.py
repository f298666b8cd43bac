"""Chinese for people, codes for machines: the labels of layer kinds, action and verdict classes and rules.

The one table the atlas, the workbook, the county packages and the dock read. Codes (``boiler``,
``eliminate``, ``B-35``) stay in the data for joins and filters; every output a person reads shows the
label beside or instead of them. Rule names come from the rules file (``short_name``).
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import pandas as pd

from ..schema.fields import INPUT_KIND_LABELS, LAYER_KIND_LABELS, field_label

__all__ = [
    "LAYER_KIND_LABELS",
    "ACTION_CLASS_LABELS",
    "VERDICT_CLASS_LABELS",
    "LABEL_COLUMNS",
    "kind_label",
    "class_label",
    "rule_names",
    "rule_label",
    "rule_labels",
    "add_label_columns",
    "printable",
    "code_words",
    "english_code_words",
]

# Action classes of the rules file (rules.ACTION_SEVERITY), most severe first.
ACTION_CLASS_LABELS: Dict[str, str] = {
    "close": "关闭", "exit": "退出", "eliminate": "淘汰", "remove": "清理", "merge": "关停整合",
    "retrofit": "改造", "rectify": "整治", "build": "建设",
}
# A verdict is its most severe action's class; the map legend adds the two states without an action.
VERDICT_CLASS_LABELS: Dict[str, str] = {**ACTION_CLASS_LABELS, "verify": "需核实", "none": "无需处置"}

# Label columns written beside their codes: (code column, label column) per output table.
LABEL_COLUMNS: Dict[str, List[tuple]] = {
    "enterprise_flags": [("layer", "layer_label"), ("rule_id", "rule_name"), ("action_class", "action_label")],
    "enterprise_verdicts": [("layer", "layer_label"), ("rule_ids", "rule_names"), ("verdict_class", "verdict_label")],
    "to_verify": [("layer", "layer_label"), ("field", "field_label")],
}
RULE_SEPARATOR = "、"  # between rule names in one cell (rule_ids keep their own separator)


def kind_label(kind: object) -> str:
    """锅炉 for boiler … ; an unknown kind as it is."""
    text = "" if kind is None or (isinstance(kind, float) and pd.isna(kind)) else str(kind)
    return INPUT_KIND_LABELS.get(text, text)


def class_label(code: object) -> str:
    """淘汰 for eliminate … ; an unknown class as it is."""
    text = "" if code is None or (isinstance(code, float) and pd.isna(code)) else str(code)
    return VERDICT_CLASS_LABELS.get(text, text)


def rule_names(ruleset=None) -> Dict[str, str]:
    """Rule id → short Chinese name, from ``ruleset`` or the shipped rules file ({} when unreadable)."""
    if ruleset is None:
        try:
            from ..plan.rules import load_rules

            ruleset = load_rules()
        except Exception:  # noqa: BLE001 - labels must never stop an output
            return {}
    return {r.id: r.label for r in ruleset.rules}


def rule_label(rule_id: object, names: Optional[Mapping[str, str]] = None) -> str:
    """The short name of one rule id (the id itself when the rules file does not know it)."""
    text = "" if rule_id is None or (isinstance(rule_id, float) and pd.isna(rule_id)) else str(rule_id)
    names = rule_names() if names is None else names
    return names.get(text, text)


def rule_labels(rule_ids: object, names: Optional[Mapping[str, str]] = None) -> str:
    """'B-35,B-BAN' → '重点城市35蒸吨以下燃煤锅炉淘汰、禁煤区燃煤设施清理'."""
    text = "" if rule_ids is None or (isinstance(rule_ids, float) and pd.isna(rule_ids)) else str(rule_ids)
    names = rule_names() if names is None else names
    return RULE_SEPARATOR.join(rule_label(r.strip(), names) for r in re.split(r"[,;，；、]", text) if r.strip())


def add_label_columns(frame: pd.DataFrame, table: str, names: Optional[Mapping[str, str]] = None) -> pd.DataFrame:
    """``frame`` (one of enterprise_flags / enterprise_verdicts / to_verify) with each label column right
    after its code column; columns already there are refreshed. Returns a new frame."""
    out = frame.copy()
    names = rule_names() if names is None else names
    for code, label in LABEL_COLUMNS.get(table, []):
        if code not in out.columns:
            continue
        values = out[code]
        if label == "layer_label":
            texts = values.map(kind_label)
        elif label == "rule_name":
            texts = values.map(lambda v: rule_label(v, names))
        elif label == "rule_names":
            texts = values.map(lambda v: rule_labels(v, names))
        elif label == "field_label":
            texts = values.map(_field_text)
        else:
            texts = values.map(class_label)
        if label in out.columns:
            out = out.drop(columns=[label])
        out.insert(list(out.columns).index(code) + 1, label, texts.astype(object))
    return out


def _field_text(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if text == "geometry":
        return "坐标"
    return "、".join(field_label(part) for part in text.split(",") if part) if text else ""


# --------------------------------------------------------------------------- printing for people

_RULE_ID = re.compile(r"\b[BMPTV]-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
_ZONE_ID = re.compile(r"Z-[A-Z0-9]+")
_ASCII_PAREN = re.compile(r"[（(]\s*[A-Za-z_][A-Za-z0-9_, ]*[)）]")


def named_rules(text: str, names: Optional[Mapping[str, str]] = None) -> str:
    """``text`` with each known rule id as its name in 「」 (nothing else touched: a user's value stays as given)."""
    names = rule_names() if names is None else names
    out = _RULE_ID.sub(lambda m: f"「{names[m.group(0)]}」" if m.group(0) in names else m.group(0), str(text))
    out = re.sub(r"(?<=[\u4e00-\u9fff]) 「", "「", out)  # "规则 「…」" → "规则「…」"
    return re.sub(r"」 (?=[\u4e00-\u9fff])", "」", out)


def printable(text: str, names: Optional[Mapping[str, str]] = None) -> str:
    """A sentence of the log made for print: rule ids become their names in 「」, a canonical field name in
    brackets after its Chinese label is dropped, a layer kind code becomes its label."""
    out = named_rules(text, names)
    # a quoted name (a layer 「Plants (demo)」) is the user's own: only brackets outside quotes are dropped
    out = "".join(part if part.startswith("「") else _ASCII_PAREN.sub("", part)
                  for part in re.split(r"(「[^「」]*」)", out))
    out = re.sub(r"「(boiler|mine|plant|chp|boilers|mines|plants)」",
                 lambda m: "「" + kind_label(m.group(1).rstrip("s")) + "清单」", out)
    out = re.sub(r"(?<=[\u4e00-\u9fff]) 「", "「", out)
    return re.sub(r"」 (?=[\u4e00-\u9fff])", "」", out)


def code_words() -> List[str]:
    """The English code words no printed output should show: layer kinds, action and verdict classes,
    canonical input fields and the output tables' column names."""
    from ..schema.fields import AREA_FIELDS, COMMON_FIELDS, KIND_FIELDS
    from ..schema.output_fields import OUTPUT_FIELDS

    words = set(LAYER_KIND_LABELS) | set(VERDICT_CLASS_LABELS) | set(OUTPUT_FIELDS)
    words |= {f.name for f in COMMON_FIELDS} | {f.name for fs in KIND_FIELDS.values() for f in fs}
    words |= {f.name for fs in AREA_FIELDS.values() for f in fs}
    words |= {"boilers", "mines", "plants", "enterprise_flags", "enterprise_verdicts", "to_verify"}
    return sorted(words)


def english_code_words(texts: Iterable[object], allowed: Sequence[str] = ()) -> List[str]:
    """The code words (and rule ids) found as whole words in ``texts`` — for tests of printed outputs."""
    vocab = set(code_words()) - set(allowed)
    found: List[str] = []
    for value in texts:
        if value is None:
            continue
        text = str(value)
        for token in re.findall(r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Z0-9]+)*", text):
            coded = _RULE_ID.fullmatch(token) or _ZONE_ID.fullmatch(token)
            if (token in vocab or coded) and token not in allowed and token not in found:
                found.append(token)
    return found


# --------------------------------------------------------------------------- a run's tables for people

TO_VERIFY_PEOPLE_COLUMNS = ["name", "column", "county", "city", "adcode"]


def label_tables(flags, verdicts, to_verify, ruleset=None, tables: Optional[Mapping[str, object]] = None,
                 admin=None):
    """(flags, verdicts, to_verify) of a run with the label columns beside their codes; the to-verify rows
    also get the enterprise's name, the user's own column for the field, the raw value where another row
    of the same enterprise and field quotes it, and the county the point lies in (``admin``).

    ``tables``: kind → the EnterpriseTable read (its ``mapping`` and canonical ``gdf``).
    """
    names = rule_names(ruleset)
    flags = add_label_columns(flags, "enterprise_flags", names)
    verdicts = add_label_columns(verdicts, "enterprise_verdicts", names)
    if to_verify is None or len(to_verify) == 0:
        return flags, verdicts, add_label_columns(to_verify, "to_verify", names) if to_verify is not None else None
    tv = to_verify.copy()
    tables = tables or {}
    layer = tv["layer"].astype(str).to_numpy()
    rows = tv["row"].to_numpy() if "row" in tv.columns else None
    if "name" not in tv.columns:
        tv["name"] = ""
        for kind, table in tables.items():
            gdf = getattr(table, "gdf", None)
            if gdf is None or rows is None or "row" not in gdf.columns or "name" not in gdf.columns:
                continue
            by_row = pd.Series(gdf["name"].to_numpy(dtype=object), index=gdf["row"].to_numpy())
            by_row = by_row[~by_row.index.duplicated()]
            sel = layer == kind
            tv.loc[sel, "name"] = by_row.reindex(rows[sel]).to_numpy()
    if "field" in tv.columns:
        def column_of(kind: str, field: object) -> str:
            mapping = getattr(tables.get(kind), "mapping", None) or {}
            parts = [mapping.get(f) for f in str(field or "").split(",") if f and f != "geometry"]
            return "、".join(str(p) for p in parts if p)

        tv["column"] = [column_of(k, f) for k, f in zip(layer, tv["field"].to_numpy())]
    if {"raw", "field", "row"} <= set(tv.columns):
        raw = tv["raw"].astype(object).where(tv["raw"].notna(), "").astype(str)
        key = pd.Series(list(zip(layer, tv["row"].to_numpy(), tv["field"].to_numpy())), index=tv.index)
        quoted = pd.Series(raw.to_numpy(), index=key.to_numpy())
        quoted = quoted[quoted != ""]
        quoted = quoted[~quoted.index.duplicated()]
        fill = key.map(quoted).fillna("")
        tv["raw"] = raw.where(raw != "", fill)
    if admin is not None and "adcode" not in tv.columns and hasattr(tv, "geometry"):
        tv = _with_county(tv, admin)
    for col in TO_VERIFY_PEOPLE_COLUMNS:
        if col not in tv.columns:
            tv[col] = ""
    tv[TO_VERIFY_PEOPLE_COLUMNS] = tv[TO_VERIFY_PEOPLE_COLUMNS].astype(object).where(
        tv[TO_VERIFY_PEOPLE_COLUMNS].notna(), "")
    if "problem" in tv.columns:  # a person reads it in the to_verify layer: rules by name, not id
        tv["problem"] = [named_rules(p, names) if isinstance(p, str) else p for p in tv["problem"].to_numpy()]
    return flags, verdicts, add_label_columns(tv, "to_verify", names)


def _with_county(tv, admin):
    """``tv`` with county, city and adcode of the county polygon each point lies in ('' when none)."""
    import geopandas as gpd

    cols = [c for c in ("county", "city", "adcode") if c in admin.columns]
    area = admin[cols + [admin.geometry.name]]
    if area.crs is not None and tv.crs is not None and not area.crs.equals(tv.crs):
        area = area.to_crs(tv.crs)
    points = gpd.GeoDataFrame({"_i": range(len(tv))}, geometry=tv.geometry.values, crs=tv.crs)
    has = points.geometry.notna() & ~points.geometry.is_empty
    joined = gpd.sjoin(points[has], area, how="left", predicate="within")
    joined = joined[~joined["_i"].duplicated()].set_index("_i")
    out = tv.copy()
    for col in cols:
        out[col] = joined[col].reindex(range(len(tv))).to_numpy()
    return out
