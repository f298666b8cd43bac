"""What one run found, as the dock, the workbook and the atlas report it: one set of counts, the county × rule
table, the rows to verify grouped by problem, and a message in one language.

The counts are defined once here (:func:`run_counts`): rule hits are the rows of ``enterprise_flags``,
enterprises the distinct enterprises of those rows (:func:`enterprise_keys`: layer and input row, so two
records sharing an id are two enterprises, never merged silently), and rows to verify the rows of ``to_verify``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import pandas as pd

from ..schema.fields import field_label

TOTAL_KEY = "*"  # the 合计 row / column of the county × rule table

__all__ = ["TOTAL_KEY", "RunCounts", "run_counts", "enterprise_keys", "count_enterprises", "county_rule_table", "ProblemGroup", "problem_kind",
           "problem_groups", "one_language", "without_row_messages", "PROBLEM_KINDS"]


@dataclass(frozen=True)
class RunCounts:
    """The three numbers every report of a run shows."""

    hits: int  # rule hits: rows of enterprise_flags
    enterprises: int  # enterprises with at least one hit
    to_verify: int  # rows of to_verify (one per problem found)

    def text_zh(self) -> str:
        """'命中 7305 条，涉及企业 4339 家；需核实 332 条' — the wording of the workbook and the atlas."""
        return f"命中 {self.hits} 条，涉及企业 {self.enterprises} 家；需核实 {self.to_verify} 条"


def _frame_len(frame) -> int:
    try:
        return int(len(frame)) if frame is not None else 0
    except TypeError:
        return 0


def enterprise_keys(frame: Optional[pd.DataFrame]) -> pd.Series:
    """One key per row naming its enterprise: (layer, input row) when the table has the row, else (layer, ent_id).
    A run reads one list per kind, so a row number is unique within its layer while an id may repeat."""
    if frame is None or len(frame) == 0:
        return pd.Series([], dtype=object)
    cols = ["layer", "row"] if {"layer", "row"} <= set(frame.columns) else ["layer", "ent_id"]
    parts = [frame[c].astype(object).where(frame[c].notna(), "").astype(str).str.replace(r"\.0$", "", regex=True)
             for c in cols if c in frame.columns]
    return pd.Series(list(zip(*parts)), index=frame.index, dtype=object)


def count_enterprises(frame: Optional[pd.DataFrame]) -> int:
    """Distinct enterprises among the rows of ``frame`` (flags, verdicts or to_verify)."""
    return int(enterprise_keys(frame).nunique()) if _frame_len(frame) else 0


def run_counts(flags: Optional[pd.DataFrame], to_verify: Optional[pd.DataFrame]) -> RunCounts:
    """Hits, flagged enterprises and rows to verify of a run's flags and to_verify tables."""
    hits = _frame_len(flags)
    enterprises = count_enterprises(flags) if hits and "layer" in flags.columns else 0
    return RunCounts(hits, enterprises, _frame_len(to_verify))


def county_rule_table(flags: pd.DataFrame, rule_order: Optional[List[str]] = None):
    """(rows, rules, cells) of the county × rule table.

    rows: [(key, "太原市 · 小店区")] in adcode order (key = adcode, or "name:<county>" without one);
    rules: the rule ids present, in the rules file's order; cells: {(key, rule): [enterprise key]} with
    TOTAL_KEY for the 合计 row and column — distinct enterprises, each named by :func:`enterprise_keys`
    ((layer, row) when the flags carry the input row: two records sharing an id count twice, as in run_counts).
    """
    frame = flags.copy()
    for col in ("county", "city", "adcode"):
        if col not in frame.columns:
            frame[col] = ""
    frame = frame.fillna({"county": "?", "city": "", "adcode": ""})
    frame["adcode"] = frame["adcode"].astype(str).str.replace(r"\.0$", "", regex=True)
    frame["rowkey"] = frame["adcode"].where(frame["adcode"] != "", "name:" + frame["county"].astype(str))
    frame["_ent"] = enterprise_keys(frame)
    present = list(dict.fromkeys(frame["rule_id"].astype(str)))
    order = [r for r in (rule_order or []) if r in present]
    rules = order + sorted(r for r in present if r not in order)
    firsts = frame.drop_duplicates("rowkey")
    firsts = firsts.assign(sortkey=firsts["adcode"].where(firsts["adcode"] != "", "999999"))
    firsts = firsts.sort_values(["sortkey", "city", "county"])
    rows = [(r.rowkey, f"{r.city} · {r.county}" if r.city else str(r.county)) for r in firsts.itertuples()]
    cells: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}

    def distinct(part) -> List[Tuple[str, str]]:
        return list(dict.fromkeys(part["_ent"]))

    for (key, rule), part in frame.groupby(["rowkey", "rule_id"], sort=False):
        cells[(key, str(rule))] = distinct(part)
    for key, part in frame.groupby("rowkey", sort=False):
        cells[(key, TOTAL_KEY)] = distinct(part)
    for rule, part in frame.groupby("rule_id", sort=False):
        cells[(TOTAL_KEY, str(rule))] = distinct(part)
    cells[(TOTAL_KEY, TOTAL_KEY)] = distinct(frame)
    return rows, rules, cells


# -- rows to verify, grouped ------------------------------------------------------------------------------

#: problem kind -> (words of the problem text that mark it, Chinese phrase); the first match wins
PROBLEM_KINDS: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "unparsed": (("无法解析",), "无法解析"),
    "blank": (("为空或无法识别", "为空："), "为空或无法识别"),
    "negative": (("为负数",), "为负数"),
    "generated_id": (("编号为空",), "编号为空，按行号编号"),
    "duplicate_id": (("重复",), "编号重复"),
    "outside": (("不在任何县区",), "不在任何县区范围内"),
    "swapped": (("填反",), "经纬度可能填反"),
    "no_position": (("无法定位", "无坐标", "几何"), "无坐标，无法定位"),
}


@dataclass(frozen=True)
class ProblemGroup:
    """Rows to verify of one layer with the same kind of problem in the same field."""

    layer: str  # the layer's name as the user knows it
    kind: str  # the enterprise kind (boiler, mine, plant, chp)
    field: str  # the canonical field ("" for the position)
    label: str  # the field's Chinese label
    problem: str  # a key of PROBLEM_KINDS, or "other"
    rows: int

    def text_zh(self) -> str:
        phrase = PROBLEM_KINDS.get(self.problem, ((), "其他问题"))[1]
        label = "" if self.problem in ("duplicate_id", "generated_id") else self.label
        return f"{self.layer}：{label}{phrase}，{self.rows} 行"


def problem_kind(text: str) -> str:
    """The kind of a to_verify problem text (a key of PROBLEM_KINDS, or "other")."""
    for key, (words, _zh) in PROBLEM_KINDS.items():
        if any(w in str(text) for w in words):
            return key
    return "other"


def _field_text(field: str, kind: str) -> str:
    if field in ("lon,lat", "lon", "lat", "geometry", ""):
        return "位置" if field in ("lon,lat", "geometry", "") else field_label(field, kind)
    return field_label(field, kind)


def problem_groups(to_verify: Optional[pd.DataFrame]) -> List[ProblemGroup]:
    """The rows to verify counted by (layer, field, kind of problem), largest first; the counts add up to
    the number of rows (run_counts(...).to_verify)."""
    if to_verify is None or len(to_verify) == 0:
        return []
    frame = pd.DataFrame({
        "layer": _column(to_verify, "source_layer", _column(to_verify, "layer", "")),
        "kind": _column(to_verify, "layer", ""),
        "field": _column(to_verify, "field", ""),
        "problem": [problem_kind(t) for t in _column(to_verify, "problem", "")],
    })
    frame["field"] = frame["field"].where(~frame["field"].isin(["lon", "lat", "geometry"]), "lon,lat")
    counts = frame.groupby(["layer", "kind", "field", "problem"], sort=False).size().reset_index(name="rows")
    counts = counts.sort_values("rows", ascending=False, kind="stable")
    return [ProblemGroup(str(r.layer), str(r.kind), str(r.field), _field_text(str(r.field), str(r.kind)),
                         str(r.problem), int(r.rows)) for r in counts.itertuples()]


def _column(frame: pd.DataFrame, name: str, default) -> pd.Series:
    if name in frame.columns:
        col = frame[name]
        if isinstance(default, pd.Series):
            col = col.where(col.notna() & (col.astype(str) != ""), default)
        return col.fillna("").astype(str).reset_index(drop=True)
    if isinstance(default, pd.Series):
        return default.reset_index(drop=True)
    return pd.Series([default] * len(frame), dtype=object)


# -- messages -----------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def one_language(text: str, chinese: bool) -> str:
    """The Chinese or the English half of a "中文 / English" message; other text as it is."""
    text = str(text)
    start = 0
    while True:
        cut = text.find(" / ", start)
        if cut < 0:
            return text
        zh, en = text[:cut], text[cut + 3:]
        if _CJK.search(zh) and re.search(r"[A-Za-z]{2,}", en):
            return zh.strip() if chinese else en.strip()
        start = cut + 3


def without_row_messages(lines: Iterable[str], to_verify: Optional[pd.DataFrame], extra: Sequence[str] = ()) -> List[str]:
    """The lines of ``lines`` that are not per-row reports of the rows to verify (those live in 需核实)."""
    from ..inputs.validation import problem_messages

    per_row = set(problem_messages(to_verify, None, max(_frame_len(to_verify), 1))) | set(extra)
    return [line for line in lines if line not in per_row and not str(line).startswith("……另有")]
