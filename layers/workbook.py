"""The meeting's summary workbook (XLSX, openpyxl): counts per county and city, the task list, to-verify, the
rules, notes. Chinese for people: rules by their short names (the id in a header comment), kinds and classes
by their labels; the counts are those of analysis.run_report, the same as the dock, the log and the atlas."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

import pandas as pd
import pyogrio
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..analysis.labels import add_label_columns, printable, rule_names
from ..analysis.meeting import CITY_ORDER, add_severity, data_notes, meeting_order
from ..analysis.run_report import count_enterprises, enterprise_keys, run_counts

__all__ = ["write_summary_workbook", "SHEETS"]

PathLike = Union[str, os.PathLike]
SHEETS = ["分县统计", "分市统计", "任务清单", "需核实", "规则一览", "说明"]

_FONT = "Noto Sans CJK SC"
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(name=_FONT, bold=True, color="FFFFFF")
_TOTAL_FONT = Font(name=_FONT, bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_BODY_FONT = Font(name=_FONT)
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

TASK_COLUMNS = [  # (field, header, width)
    ("city", "设区市", 10), ("county", "县（市、区）", 12), ("adcode", "区划代码", 10), ("name", "企业名称", 30),
    ("layer_label", "类别", 8), ("rule_name", "规则", 24), ("action", "处置措施", 16), ("clause", "条款", 10),
    ("deadline", "完成时限", 14), ("lead_dept", "牵头部门", 30), ("level", "落实层级", 16),
    ("reason", "判定理由", 48), ("distance_km", "距离（公里）", 10), ("ent_id", "企业编号", 12),
]


def _read_layer(path: PathLike, layer: str) -> pd.DataFrame:
    if layer not in [r[0] for r in pyogrio.list_layers(str(path))]:
        return pd.DataFrame()
    return pd.DataFrame(pyogrio.read_dataframe(str(path), layer=layer, read_geometry=False))


def _rule_order(rule_ids: Iterable[str]) -> List[str]:
    present = sorted({str(r) for r in rule_ids})
    try:
        from ..analysis.rules import load_rules

        known = [r.id for r in load_rules().rules]
    except Exception:  # noqa: BLE001
        known = []
    return [r for r in known if r in present] + [r for r in present if r not in known]


def _write_table(ws, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float],
                 total_rows: int = 0, header_notes: Optional[Sequence[Optional[str]]] = None) -> None:
    """Header (styled, frozen, filtered; ``header_notes`` as cell comments), body, the last ``total_rows``
    rows in bold."""
    ws.append(list(header))
    for i, cell in enumerate(ws[1]):
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if header_notes and i < len(header_notes) and header_notes[i]:
            cell.comment = Comment(header_notes[i], "蓝天管控")
    count = 0
    for row in rows:
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
        count += 1
    for r_idx, row in enumerate(ws.iter_rows(min_row=2, max_row=count + 1), start=2):
        is_total = r_idx > count + 1 - total_rows
        for cell in row:
            cell.border = _BORDER
            cell.font = _TOTAL_FONT if is_total else _BODY_FONT
            if is_total:
                cell.fill = _TOTAL_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 20)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    if count:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1 - total_rows}"


def _county_sheet(ws, flags: pd.DataFrame, rules: List[str], names: Dict[str, str]) -> None:
    keys = ["city", "county", "adcode"]
    frame = flags.copy()
    for k in keys:
        if k not in frame.columns:
            frame[k] = ""
        frame[k] = frame[k].fillna("").astype(str)
    table = pd.crosstab([frame[k] for k in keys], frame["rule_id"].astype(str)) if len(frame) else pd.DataFrame()
    table = table.reindex(columns=rules, fill_value=0)
    rows = []
    if len(table):
        frame["_ent"] = enterprise_keys(frame)
        ents = frame.groupby(keys)["_ent"].nunique()
        order = sorted(table.index, key=lambda k: (CITY_ORDER.index(k[0]) if k[0] in CITY_ORDER else 99, k[2], k[1]))
        for key in order:
            counts = [int(v) for v in table.loc[key]]
            rows.append(list(key) + counts + [sum(counts), int(ents.loc[key])])
    col_totals = [int(table[r].sum()) if len(table) else 0 for r in rules]
    rows.append(["合计", "", ""] + col_totals + [int(len(frame)), count_enterprises(frame)])
    header = ["设区市", "县（市、区）", "区划代码"] + [names.get(r, r) for r in rules] + ["命中合计", "涉及企业数"]
    notes = [None, None, None] + [f"规则编号 {r}" for r in rules]
    _write_table(ws, header, rows, [10, 12, 10] + [12] * len(rules) + [10, 11], total_rows=1, header_notes=notes)
    ws.row_dimensions[1].height = 75


def _city_sheet(ws, flags: pd.DataFrame, verdicts: pd.DataFrame) -> None:
    frame = add_severity(flags) if len(flags) else flags
    rows = []
    cities = sorted(set(frame.get("city", pd.Series(dtype=str)).fillna("")),
                    key=lambda c: CITY_ORDER.index(c) if c in CITY_ORDER else 99)
    for city in cities:
        part = frame[frame["city"].fillna("") == city]
        rows.append([
            city, int(part["adcode"].nunique()) if "adcode" in part.columns else int(part["county"].nunique()),
            count_enterprises(part), int(len(part)),
            int((part["severity"] >= 5).sum()), int((part["severity"] == 4).sum()), int((part["severity"] == 3).sum()),
            int((part["severity"] <= 2).sum()),
        ])
    totals = [sum(r[i] for r in rows) for i in range(1, 8)]
    rows.append(["全省合计"] + totals)
    header = ["设区市", "涉及县区数", "涉及企业数", "命中合计", "关停/淘汰/退出/清理", "关停整合", "改造", "整治/建设"]
    _write_table(ws, header, rows, [10, 11, 11, 10, 18, 10, 8, 10], total_rows=1)


def _task_sheet(ws, flags: pd.DataFrame) -> None:
    ordered = meeting_order(flags) if len(flags) else flags
    fields = [c for c in TASK_COLUMNS if c[0] in ordered.columns or c[0] in ("level",)]
    rows = [[rec.get(f) for f, _, _ in fields] for rec in ordered.to_dict("records")]
    _write_table(ws, ["序号"] + [h for _, h, _ in fields], ([i] + r for i, r in enumerate(rows, start=1)),
                 [6] + [w for _, _, w in fields])


def _verify_sheet(ws, to_verify: pd.DataFrame, names: Dict[str, str]) -> None:
    headers = {"city": ("设区市", 10), "county": ("县（市、区）", 12), "ent_id": ("企业编号", 12),
               "layer_label": ("类别", 8), "name": ("企业名称", 30), "row": ("清单行号", 8),
               "field_label": ("字段", 12), "column": ("清单列名", 16), "raw": ("原始值", 16),
               "problem": ("需核实原因", 60)}
    frame = add_label_columns(to_verify, "to_verify", names) if len(to_verify) else to_verify
    cols = [c for c in headers if c in frame.columns] or ["ent_id", "layer_label", "problem"]
    if len(frame):
        frame = frame.reindex(columns=cols).astype(object)
        frame = frame.where(frame.notna(), None)
        if "problem" in frame.columns:
            frame["problem"] = frame["problem"].map(lambda t: printable(t, names) if isinstance(t, str) else t)
        if "row" in frame.columns:
            frame["row"] = pd.to_numeric(frame["row"], errors="coerce").map(lambda v: None if pd.isna(v) else int(v))
    rows = frame.itertuples(index=False) if len(frame) else []
    _write_table(ws, [headers[c][0] for c in cols], rows, [headers[c][1] for c in cols])


def _rules_sheet(ws) -> None:
    """Every rule of the rules file by its short name (the id in a comment), clause, action, deadline, lead."""
    try:
        from ..analysis.rules import load_rules

        rules = load_rules().rules
    except Exception:  # noqa: BLE001 - the sheet is a reference; the counts do not depend on it
        rules = []
    header = ["规则", "条款", "计划原文（摘引）", "处置措施", "完成时限", "牵头部门", "落实层级", "是否启用"]
    rows = [[r.label, r.clause, r.clause_text, r.action, r.deadline, r.lead_dept, r.level, "是" if r.enabled else "否"]
            for r in rules]
    _write_table(ws, header, rows, [26, 10, 60, 20, 14, 30, 18, 8])
    for rule, row in zip(rules, ws.iter_rows(min_row=2, max_col=1)):
        row[0].comment = Comment(f"规则编号 {rule.id}", "蓝天管控")


def _notes_sheet(ws, notes: List[str], counts_sentence: str) -> None:
    ws.append(["说明"])
    ws["A1"].font, ws["A1"].fill = _HEADER_FONT, _HEADER_FILL
    for i, note in enumerate(notes, start=1):
        ws.append([f"{i}. {note}"])
    ws.append([f"{counts_sentence}。"])
    ws.append(["严重程度排序：关闭/退出/淘汰/清理 > 关停整合 > 改造 > 整治 > 建设；任务清单按设区市、县区、严重程度排列。"])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.font = _BODY_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    ws.freeze_panes = "A2"


def _no_formulas(wb) -> None:
    """Every text cell stays text: a user's '=cmd|…' or '=HYPERLINK(…)' is never written as a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"


def write_summary_workbook(flags_gpkg: PathLike, out_path: PathLike, zones_gpkg: Optional[PathLike] = None,
                           synthetic: bool = True, notes: Optional[Sequence[str]] = None) -> Path:
    """Write the summary workbook to ``out_path`` (temporary name, then rename); return its path.

    ``notes``: the run's own notes (missing fields, zones), printed after the data notes."""
    flags = _read_layer(flags_gpkg, "enterprise_flags")
    verdicts = _read_layer(flags_gpkg, "enterprise_verdicts")
    to_verify = _read_layer(flags_gpkg, "to_verify")
    names = rule_names()
    if len(flags):
        if "level" not in flags.columns:
            flags["level"] = ""
        flags = add_label_columns(flags, "enterprise_flags", names)
    rules = _rule_order(flags["rule_id"]) if len(flags) else []
    wb = Workbook()
    ws = wb.active
    ws.title = SHEETS[0]
    _county_sheet(ws, flags, rules, names)
    _city_sheet(wb.create_sheet(SHEETS[1]), flags, verdicts)
    _task_sheet(wb.create_sheet(SHEETS[2]), flags)
    _verify_sheet(wb.create_sheet(SHEETS[3]), to_verify, names)
    _rules_sheet(wb.create_sheet(SHEETS[4]))
    all_notes = data_notes(zones_gpkg, synthetic=synthetic) + [printable(n, names) for n in (notes or [])]
    _notes_sheet(wb.create_sheet(SHEETS[5]), list(dict.fromkeys(all_notes)),
                 run_counts(flags, to_verify).text_zh())
    _no_formulas(wb)
    out = Path(out_path)
    tmp = out.with_name(f".{out.stem}.part.xlsx")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        from ..analysis.validation import OutputError, write_error

        raise OutputError(write_error(out, exc)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return out
