"""The monthly ledger in the summary workbook: 进度 (the month per county, city and province, then the
province month by month) and 销号清单 (the tasks checked off in the month, by the data or by a person).

The numbers are the ledger's own (``monthly_progress``, written by analysis/ledger/updates.py at each monthly update):
nothing is recounted here, so the workbook says what the dock's 进度 tab and the ledger layers say."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Mapping, Optional, Tuple, Union

import pandas as pd

from ...analysis.ledger.updates import CHECKED, DONE, FIELD_ALIASES, SOURCE_MANUAL, STATUS_LABELS, Ledger
from ...analysis.reports.labels import kind_label, rule_label
from ...analysis.reports.meeting_progress import PROGRESS_NUMBERS, ledger_month, month_progress
from .table_style import city_rank, write_table, write_title

__all__ = ["LEDGER_SHEETS", "read_ledger", "ledger_month", "progress_rows", "month_rows", "checked_off_tasks",
           "write_progress_sheet", "write_done_sheet", "PROGRESS_HEADER", "DONE_HEADER", "DATA_WAY", "MANUAL_WAY"]

LEDGER_SHEETS = ["进度", "销号清单"]
COUNTS = list(PROGRESS_NUMBERS)  # open, new, done, reopened, overdue
COUNT_HEADERS = [FIELD_ALIASES[c] for c in COUNTS]  # 未完成, 本月新增, 本月销号, 重新出现, 逾期: the ledger layers' aliases
PROGRESS_HEADER = ["地市", "县区", "区划代码"] + COUNT_HEADERS
MONTHS_HEADER = ["月份"] + COUNT_HEADERS
COUNT_NOTES = ["月末仍未完成的任务（含重新出现的）", "本月首次出现的任务", "上月还在、本月数据中已没有的任务（数据销号）",
               "曾销号、本月又出现的任务", "月末仍未完成且已过完成时限的任务"]
DATA_WAY, MANUAL_WAY = "数据销号", "人工销号"
NO_COUNTY = "未注明县区"
# (task column or computed key, header, width)
# A person finds a task by the enterprise's own 编号, its kind and the rule's name; the ledger's task code
# (layer:id:rule) is for machines (the dock's check-off picks the task on the map) and stays out of the sheet.
DONE_COLUMNS = [("ent_id", "编号", 14), ("name", "名称", 30), ("layer_label", "类别", 8), ("county", "县区", 12),
                ("city", "地市", 10), ("rule_name", "规则", 26), ("action", "措施", 20), ("deadline", "完成时限", 14),
                ("way", "销号方式", 12), ("status_label", "当前状态", 10), ("checked_by", "销号人", 18),
                ("evidence", "证明材料", 26), ("remark", "备注", 40)]
DONE_HEADER = [h for _, h, _ in DONE_COLUMNS]

LedgerLike = Union[str, os.PathLike, Ledger, object]


def read_ledger(ledger: LedgerLike) -> Tuple[Ledger, str]:
    """(the ledger, how to name it) from a LedgerStore, a ledger GeoPackage path or a Ledger."""
    if isinstance(ledger, Ledger):
        return ledger, "台账"
    if isinstance(ledger, (str, os.PathLike)):
        from ..ledger_store.factory import LedgerStoreError, open_ledger

        path = Path(ledger)
        if not path.is_file():
            raise LedgerStoreError(f"找不到台账文件「{path}」：请选择“更新月度台账”写出的台账 GeoPackage / "
                                   f"ledger file '{path}' not found")
        store = open_ledger(path=path)
    else:
        store = ledger
        if hasattr(store, "exists") and not store.exists():  # read() would give an empty ledger
            from ..ledger_store.factory import LedgerStoreError

            raise LedgerStoreError(f"找不到{store.label()}：请选择“更新月度台账”写出的台账 / the ledger does not exist")
    return store.read(), store.label()


def _numbers(progress: pd.DataFrame, month: str) -> List[int]:
    sums = month_progress(progress, month)
    return [int(getattr(sums, c)) for c in COUNTS]


def progress_rows(ledger: Ledger, month: str) -> Tuple[List[list], List[int]]:
    """The month's rows of ``monthly_progress``: each city's counties (plan's city order, then adcode), the
    city's total after them, the province's total last; and the indexes of the total rows."""
    part = ledger.progress[ledger.progress["month"] == month].copy()
    for k in ("city", "county", "adcode"):
        part[k] = part[k].astype(object).where(part[k].notna(), "")
    part["_rank"] = part["city"].map(city_rank)
    part = part.sort_values(["_rank", "city", "adcode", "county"], kind="stable")
    rows: List[list] = []
    totals: List[int] = []
    for (_rank, city), counties in part.groupby(["_rank", "city"], sort=True):
        for r in counties.itertuples(index=False):
            rows.append([city or None, r.county or NO_COUNTY, r.adcode or None] + [int(getattr(r, c)) for c in COUNTS])
        totals.append(len(rows))
        rows.append([city or "未注明地市", "全市合计", None] + _numbers(counties, month))
    totals.append(len(rows))
    rows.append(["全省合计", None, None] + _numbers(part, month))
    return rows, totals


def month_rows(ledger: Ledger) -> List[list]:
    """Province totals of every month in the ledger (sums of ``monthly_progress``), oldest first."""
    months = sorted(str(m) for m in ledger.months["month"].dropna())
    return [[m] + _numbers(ledger.progress, m) for m in months]


def _ticks(ledger: Ledger, month: str) -> pd.DataFrame:
    """Manual check-offs made in ``month`` (the ledger's month when the person ticked: the history row's
    month) and not taken back within it: task_id, by, and whether the tick still stands today."""
    hist = ledger.history[ledger.history["source"] == SOURCE_MANUAL].sort_values("at", kind="stable",
                                                                               na_position="first")
    last_in_month = hist[hist["month"] == month].drop_duplicates("task_id", keep="last")
    ticks = last_in_month[last_in_month["to_status"] == CHECKED][["task_id", "by"]]
    last_ever = hist.drop_duplicates("task_id", keep="last").set_index("task_id")["to_status"]
    checked = set(ledger.tasks.loc[ledger.tasks["check_off"] == CHECKED, "task_id"])
    standing = ticks["task_id"].map(lambda t: t in checked and last_ever.get(t) == CHECKED)
    return ticks.assign(standing=standing.astype(bool).to_numpy()).set_index("task_id")


def checked_off_tasks(ledger: Ledger, month: str, names: Optional[Mapping[str, str]] = None) -> pd.DataFrame:
    """The tasks checked off in ``month``: gone from the month's data (its history rows to done; done_month
    for the latest month) or ticked off by a person in it; with the columns of 销号清单, sorted by city (plan
    order), county, name. 当前状态 and the disagreement note speak of the ledger as it is now."""
    tasks = ledger.tasks.copy()
    hist = ledger.history
    data_done = set(hist.loc[(hist["source"] != SOURCE_MANUAL) & (hist["month"] == month)
                             & (hist["to_status"] == DONE), "task_id"])
    by_data = (tasks["task_id"].isin(data_done) | ((tasks["status"] == DONE) & (tasks["done_month"] == month))).to_numpy()
    ticks = _ticks(ledger, month)
    by_hand = tasks["task_id"].isin(ticks.index).to_numpy()
    out = tasks[by_data | by_hand].copy()
    data_way, hand_way = by_data[by_data | by_hand], by_hand[by_data | by_hand]
    out["way"] = ["、".join(w for w, on in ((DATA_WAY, d), (MANUAL_WAY, h)) if on) for d, h in zip(data_way, hand_way)]
    out["layer_label"] = out["layer"].map(kind_label)
    out["rule_name"] = out["rule_id"].map(lambda r: rule_label(r, names))
    out["status_label"] = out["status"].map(lambda s: STATUS_LABELS.get(s, s))
    latest = ledger.latest_month

    def remark(row) -> Optional[str]:
        tick = ticks.loc[row["task_id"]] if row["task_id"] in ticks.index else None
        if tick is not None and not tick["standing"]:  # the person's tick was taken back since
            return f"{tick['by'] or ''}的人工销号后来已撤销"
        parts = [row["note"]] if isinstance(row["note"], str) and row["note"] else []
        if row["check_off"] == CHECKED and row["status"] != DONE:
            parts.append(f"人工已销号，但最近一次月度更新（{latest}）的数据中仍有此项（数据与人工不一致，请核实）")
        return "；".join(parts) or None

    if len(out):
        out["remark"] = [remark(r) for r in out.to_dict("records")]
        standing = out["check_off"] == CHECKED
        # a tick taken back keeps its person's name from the history; its evidence is no longer on the task
        out["checked_by"] = [by if keep else (ticks.at[t, "by"] if t in ticks.index else by)
                             for t, by, keep in zip(out["task_id"], out["checked_by"], standing)]
    else:
        out["remark"] = pd.Series(dtype=object)
    out["_rank"] = out["city"].map(city_rank)
    out = out.sort_values(["_rank", "city", "adcode", "county", "name", "task_id"], kind="stable", na_position="last")
    return out[[c for c, _, _ in DONE_COLUMNS]].reset_index(drop=True)


def write_progress_sheet(ws, ledger: Ledger, month: str, label: str) -> None:
    rows, totals = progress_rows(ledger, month)
    row = write_title(ws, 1, f"{month} 分县进度（{label}）")
    after = write_table(ws, PROGRESS_HEADER, rows, [10, 12, 10] + [10] * len(COUNTS), start_row=row,
                        bold_rows=totals, header_notes=[None, None, None] + COUNT_NOTES)
    row = write_title(ws, after + 1, "逐月全省合计")
    write_table(ws, MONTHS_HEADER, month_rows(ledger), None, start_row=row, freeze=False, auto_filter=False,
                header_notes=[None] + COUNT_NOTES)
    ws.freeze_panes = "A3"  # the first table's header stays in view


def write_done_sheet(ws, ledger: Ledger, month: str, names: Optional[Mapping[str, str]] = None) -> int:
    """销号清单 of ``month``; the number of tasks listed."""
    frame = checked_off_tasks(ledger, month, names)
    notes = [None] * len(DONE_COLUMNS)
    notes[DONE_HEADER.index("编号")] = "企业在清单中的编号；编号、类别与规则一起确定一项任务"
    notes[DONE_HEADER.index("销号方式")] = "数据销号：上月还在、本月数据中已没有；人工销号：本月由核查人员核实销号"
    notes[DONE_HEADER.index("当前状态")] = f"该任务在台账中按最近一次月度更新（{ledger.latest_month}）数据的状态"
    write_table(ws, DONE_HEADER, frame.itertuples(index=False), [w for _, _, w in DONE_COLUMNS], header_notes=notes)
    return len(frame)
