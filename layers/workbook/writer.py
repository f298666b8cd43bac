"""The meeting's summary workbook (XLSX, openpyxl): counts per county and city, the task list, to-verify, the
rules, notes; with a ledger also the month's progress (进度) and the tasks checked off in it (销号清单); with the
run's rural-heating layer the coverage against the plan's 60 % (农村清洁取暖). Chinese for people: rules by
their short names (the id in a header comment), kinds, classes and statuses by their labels; the counts are
those of analysis.reports.run_report and of the ledger, the same as the dock, the log and the atlas.

The sheets live in workbook_ledger.py and workbook_heating.py, the table drawing in workbook_table.py."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment

from ...analysis.common.atomic import atomic_path
from ...analysis.inputs.admin import county_named_in, shanxi_counties
from ...analysis.ledger.updates import same_data_as_month
from ...analysis.reports.labels import add_label_columns, printable, rule_names
from ...analysis.reports.meeting import add_severity, data_notes, meeting_order
from ...analysis.reports.run_report import count_enterprises, enterprise_keys, run_counts
from .heating import HEATING_SHEET, read_heating, write_heating_sheet
from .ledger_sheets import LEDGER_SHEETS, ledger_month, read_ledger, write_done_sheet, write_progress_sheet
from .scenario_sheet import write_scenario_sheets
from .table_style import AUTHOR, BODY_FONT, HEADER_FILL, HEADER_FONT, city_rank, no_formulas, read_layer
from .table_style import write_table as _write_table

__all__ = ["write_summary_workbook", "verify_rows", "SHEETS", "LEDGER_SHEETS", "HEATING_SHEET", "NOT_IN_COUNTY",
           "BY_NAME"]

PathLike = Union[str, os.PathLike]
SHEETS = ["分县统计", "分市统计", "任务清单", "需核实", "规则一览", "说明"]  # always written, in this order
NOT_IN_COUNTY = "不在任何县区内"  # the 县区 of a row to verify whose point lies in no county
BY_NAME = "按名称推断"  # said beside a county taken from the name (only when the user asks for it)

TASK_COLUMNS = [  # (field, header, width)
    ("city", "设区市", 10), ("county", "县（市、区）", 12), ("adcode", "区划代码", 10), ("name", "企业名称", 30),
    ("layer_label", "类别", 8), ("rule_name", "规则", 24), ("action", "处置措施", 16), ("clause", "条款", 10),
    ("deadline", "完成时限", 14), ("lead_dept", "牵头部门", 30), ("level", "落实层级", 16),
    ("reason", "判定理由", 48), ("distance_km", "距离（公里）", 10), ("ent_id", "企业编号", 12),
]


def _rule_order(rule_ids: Iterable[str]) -> List[str]:
    present = sorted({str(r) for r in rule_ids})
    try:
        from ...analysis.plan.rules import load_rules

        known = [r.id for r in load_rules().rules]
    except Exception:  # noqa: BLE001
        known = []
    return [r for r in known if r in present] + [r for r in present if r not in known]


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
        order = sorted(table.index, key=lambda k: (city_rank(k[0]), k[2], k[1]))
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
    cities = sorted(set(frame.get("city", pd.Series(dtype=str)).fillna("")), key=city_rank)
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


VERIFY_COLUMNS = {  # to_verify column → (header, width); the county's own list first, then what to check
    "city": ("地市", 10), "county": ("县区", 12), "name": ("名称", 30), "layer_label": ("类别", 8),
    "ent_id": ("编号", 12), "row": ("清单行号", 8), "field_label": ("字段", 12), "column": ("清单列名", 16),
    "raw": ("原始值", 16), "problem": ("需核实原因", 60),
}


def verify_rows(to_verify: pd.DataFrame, names: Dict[str, str], county_from_name: bool = False,
                counties: Optional[Iterable] = None) -> pd.DataFrame:
    """The rows to verify as the sheet shows them: labels beside codes, problems in print, sorted by city
    (plan order) and county so each county finds its own block; a row whose point lies in no county (the run
    left its county empty) says so, and names the county its name states ("不在任何县区内（名称含永和县）").
    ``county_from_name`` (the user's choice, off by default): such a row goes to that county's block instead,
    its county marked as inferred ("永和县（按名称推断）"). ``counties``: (city, county, adcode) to look for
    besides Shanxi's. A to_verify table without county columns (an older run) keeps them empty."""
    frame = add_label_columns(to_verify, "to_verify", names) if len(to_verify) else to_verify
    located = "county" in frame.columns
    cols = [c for c in VERIFY_COLUMNS if c in frame.columns or c in ("city", "county", "name", "problem")]
    if not len(frame):
        return pd.DataFrame(columns=cols)
    frame = frame.reindex(columns=cols + (["adcode"] if "adcode" in frame.columns else [])).astype(object)
    frame = frame.where(frame.notna() & (frame.astype(str).apply(lambda c: c.str.strip()) != ""), None)
    if "problem" in frame.columns:
        frame["problem"] = frame["problem"].map(lambda t: printable(t, names) if isinstance(t, str) else t)
    if "row" in frame.columns:
        frame["row"] = pd.to_numeric(frame["row"], errors="coerce").map(lambda v: None if pd.isna(v) else int(v))
    frame = frame.reset_index(drop=True)
    outside = frame["county"].isna().to_numpy() & located
    named: List[Optional[tuple]] = [None] * len(frame)
    if outside.any():
        candidates = shanxi_counties() + list(counties or [])
        named = [county_named_in(n, candidates) if out else None for n, out in zip(frame["name"], outside)]
    guessed = np.array([bool(county_from_name and t) for t in named], dtype=bool)
    code = frame.get("adcode", frame["county"]).map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object)
    for i in np.flatnonzero(guessed):  # the guessed county's block: its city and adcode
        frame.at[i, "city"], code[i] = named[i][0], named[i][2]
    frame["_outside"] = outside & ~guessed
    frame["_rank"] = frame["city"].map(city_rank)
    frame["_code"] = code
    # the county cell says how the county is known: inferred from the name, or the point lies in none
    said = [f"{t[1]}（{BY_NAME}）" if g else f"{NOT_IN_COUNTY}（名称含{t[1]}）" if t else NOT_IN_COUNTY
            for t, g in zip(named, guessed)]
    frame.loc[outside, "county"] = [t for t, out in zip(said, outside) if out]
    frame = frame.sort_values(["_outside", "_rank", "_code"], kind="stable")
    return frame[cols].reset_index(drop=True)


def _verify_sheet(ws, frame: pd.DataFrame) -> None:
    cols = list(frame.columns)
    _write_table(ws, [VERIFY_COLUMNS[c][0] for c in cols], frame.itertuples(index=False),
                 [VERIFY_COLUMNS[c][1] for c in cols])


def _rules_sheet(ws) -> None:
    """Every rule of the rules file by its short name (the id in a comment), clause, action, deadline, lead."""
    try:
        from ...analysis.plan.rules import load_rules

        rules = load_rules().rules
    except Exception:  # noqa: BLE001 - the sheet is a reference; the counts do not depend on it
        rules = []
    header = ["规则", "条款", "计划原文（摘引）", "处置措施", "完成时限", "牵头部门", "落实层级", "是否启用"]
    rows = [[r.label, r.clause, r.clause_text, r.action, r.deadline, r.lead_dept, r.level, "是" if r.enabled else "否"]
            for r in rules]
    _write_table(ws, header, rows, [26, 10, 60, 20, 14, 30, 18, 8])
    for rule, row in zip(rules, ws.iter_rows(min_row=2, max_col=1)):
        row[0].comment = Comment(f"规则编号 {rule.id}", AUTHOR)


def _notes_sheet(ws, notes: List[str], counts_sentence: str) -> None:
    ws.append(["说明"])
    ws["A1"].font, ws["A1"].fill = HEADER_FONT, HEADER_FILL
    for i, note in enumerate(notes, start=1):
        ws.append([f"{i}. {note}"])
    ws.append([f"{counts_sentence}。"])
    ws.append(["严重程度排序：关闭/退出/淘汰/清理 > 关停整合 > 改造 > 整治 > 建设；任务清单按设区市、县区、严重程度排列。"])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.font = BODY_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    ws.freeze_panes = "A2"


def _county_note(rows: pd.DataFrame, county_from_name: bool) -> Optional[str]:
    """What 说明 says of rows to verify whose point lies in no county but whose name states one."""
    county = rows.get("county", pd.Series(dtype=object)).astype(str)
    guessed = int(county.str.endswith(f"（{BY_NAME}）").sum())
    named = int(county.str.startswith(f"{NOT_IN_COUNTY}（名称含").sum())
    if guessed:
        return (f"需核实：{guessed} 条记录的坐标不在任何县区内，其县区按名称推断（县区后注“{BY_NAME}”），"
                "仅供分发，请核实坐标。")
    if named:
        return (f"需核实：{named} 条记录的坐标不在任何县区内，名称中含有县区名（见“县区”列），未据此归县；"
                "生成汇总表时选择“按名称推断县区”可将其列入该县。")
    return None


def write_summary_workbook(flags_gpkg: PathLike, out_path: PathLike, zones_gpkg: Optional[PathLike] = None,
                           synthetic: bool = True, notes: Optional[Sequence[str]] = None, ledger=None,
                           month: Optional[str] = None, county_from_name: bool = False,
                           compare: Optional[PathLike] = None) -> Path:
    """Write the summary workbook to ``out_path``, whole or not at all (analysis/common/atomic.py); return its path.

    ``notes``: the run's own notes (missing fields, zones), printed after the data notes.
    ``compare``: a compare.gpkg (bluesky:compare_scenarios): the sheets 方案比较 and 方案变化清单 (scenario_sheet.py).
    ``county_from_name``: a row to verify whose point lies in no county is listed under the county its name
    states, marked as inferred (the user's choice; by default it stays "不在任何县区内（名称含…）").
    ``ledger``: the monthly ledger (a layers.ledger_store.factory.LedgerStore, its GeoPackage path or an
    analysis.ledger.updates.Ledger) for the sheets 进度 and 销号清单 of ``month`` ('YYYY-MM'; the ledger's latest
    when None). A missing ledger file or a month the ledger lacks is an error before anything is written."""
    flags = read_layer(flags_gpkg, "enterprise_flags")
    verdicts = read_layer(flags_gpkg, "enterprise_verdicts")
    to_verify = read_layer(flags_gpkg, "to_verify")
    heating = read_heating(flags_gpkg)
    book, label = read_ledger(ledger) if ledger is not None else (None, "")
    month = ledger_month(book, month) if book is not None else None
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
    counties = flags[["city", "county", "adcode"]].drop_duplicates().itertuples(index=False, name=None) \
        if {"city", "county", "adcode"} <= set(flags.columns) else []
    verify = verify_rows(to_verify, names, county_from_name, counties)
    _verify_sheet(wb.create_sheet(SHEETS[3]), verify)
    extra_notes: List[str] = [n for n in [_county_note(verify, county_from_name)] if n]
    if len(heating):
        write_heating_sheet(wb.create_sheet(HEATING_SHEET), heating)
        extra_notes.append("农村清洁取暖：覆盖率为清洁取暖户数占总户数的比例（按户数加权），目标为计划三(二)7 "
                           "“农村地区力争达到60%以上”；缺数据的村单列村数。")
    if compare:
        extra_notes.append(write_scenario_sheets(wb, compare))
    if book is not None:
        own = same_data_as_month(book, flags, month)
        provenance = (f"台账 {month} 记入的正是本次运行的结果" if own else
                      f"注意：台账 {month} 记入的是另一次运行的结果，与本汇总表其余各表（本次运行）不是同一份数据")
        write_progress_sheet(wb.create_sheet(LEDGER_SHEETS[0]), book, month, f"{label}；{provenance}")
        extra_notes.append(f"进度：{provenance}。")
        done = write_done_sheet(wb.create_sheet(LEDGER_SHEETS[1]), book, month, names)
        months = sorted(str(m) for m in book.months["month"].dropna())
        extra_notes.append(f"进度、销号清单：{label}，{month}（台账共 {len(months)} 个月：{'、'.join(months)}）；"
                           f"本月销号 {done} 项，含数据销号（上月还在、本月数据中已没有）和人工销号。")
    _rules_sheet(wb.create_sheet(SHEETS[4]))
    all_notes = data_notes(zones_gpkg, synthetic=synthetic) + extra_notes + [printable(n, names) for n in (notes or [])]
    _notes_sheet(wb.create_sheet(SHEETS[5]), list(dict.fromkeys(all_notes)),
                 run_counts(flags, to_verify).text_zh())
    no_formulas(wb)
    out = Path(out_path)
    try:
        with atomic_path(out) as tmp:
            wb.save(tmp)
    except OSError as exc:
        from ...analysis.inputs.validation import OutputError, write_error

        raise OutputError(write_error(out, exc)) from exc
    return out
