"""The monthly check-off ledger (RULES.md §5, plan 四(二) "逐月检点，逐项销号"), without QGIS.

A task is one flag: (enterprise, rule). Each month the analyst runs the analysis on that month's
inventories and folds its ``enterprise_flags`` into the ledger:

- a task present last month and absent now is **done** (销号) in this month;
- a task never seen before is **open** (new this month); a done task that comes back is **reopened**;
- an open or reopened task whose deadline has passed by the end of the month is **overdue**;
- a manual check-off (who, when, evidence file, note) is never touched by the data: the task keeps the
  data's ``status`` beside the person's ``check_off`` and ``disagree`` says where they differ.

An enterprise keeps its identity across months by the inventory's own id (编号 / 统一社会信用代码). A row
without one (the engine then names it "<layer>-<row>") is matched by layer + normalised name + position
within 50 m, and ``id_source`` says so. Nothing here is rebuilt from scratch: each update starts from the
stored ledger, and ``history`` keeps every status change (data and manual). Updating the month already
last in the ledger first takes that month's data changes back out, so the same month twice gives the same
ledger and a corrected run of it replaces the first; an older month is refused.

The ledger is four tables held by ``layers/ledger_store/factory.py`` (GeoPackage or PostGIS schema): ``tasks``,
``history``, ``monthly_progress`` and ``months`` (one row per monthly update).
The pieces: ``ledger_tables.py`` (columns, dtypes, Chinese names, the Ledger record), ``ledger_dates.py``
(months, deadlines, overdue), ``ledger_identity.py`` (which enterprise a flag belongs to) and this module (the
monthly update, the check-off and what a store writes), whose names are the ones to import.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Dict, List, Mapping, Optional, Tuple

import numpy as np
import pandas as pd

from ..common.cells import cell_text
from .dates import deadline_date, month_end, overdue, parse_month
from .identity import (
    ID_DUPLICATE,
    ID_INVENTORY,
    ID_NAME_ONLY,
    ID_NAME_POSITION,
    MATCH_RADIUS_M,
    month_tasks,
    normalise_name,
)
from .tables import (
    CHECK_COLUMNS,
    CHECK_OFF_LABELS,
    CHECKED,
    DATA_COLUMNS,
    DONE,
    FIELD_ALIASES,
    FLOAT_COLUMNS,
    HISTORY_COLUMNS,
    INT_COLUMNS,
    LABEL_COLUMNS,
    MONTH_COLUMNS,
    OPEN,
    OUTSTANDING,
    PROGRESS_COLUMNS,
    REOPENED,
    SOURCE_DATA,
    SOURCE_LABELS,
    SOURCE_MANUAL,
    STATUS_LABELS,
    STORED_COLUMNS,
    TASK_COLUMNS,
    Ledger,
    LedgerError,
    LedgerUpdate,
    code_labels,
    empty_ledger,
    frame,
    normalised,
    now,
    typed,
    with_labels,
)

# The ledger's public names, wherever they are defined: callers import them from here.
__all__ = [
    "Ledger", "LedgerError", "LedgerUpdate", "empty_ledger", "update_ledger", "undo_last_month", "same_data_as_month",
    "check_off",
    "check_off_change",
    "parse_month", "month_end", "deadline_date", "normalise_name", "month_tasks", "ledger_diff", "LedgerDiff",
    "normalised", "TASK_COLUMNS", "HISTORY_COLUMNS", "PROGRESS_COLUMNS", "MONTH_COLUMNS", "DATA_COLUMNS",
    "CHECK_COLUMNS", "INT_COLUMNS", "FLOAT_COLUMNS", "FIELD_ALIASES", "STATUS_LABELS", "OPEN", "DONE", "REOPENED",
    "OUTSTANDING", "CHECKED", "SOURCE_DATA", "SOURCE_MANUAL", "MATCH_RADIUS_M", "ID_INVENTORY", "ID_DUPLICATE",
    "ID_NAME_POSITION", "ID_NAME_ONLY", "LABEL_COLUMNS", "STORED_COLUMNS", "CHECK_OFF_LABELS", "SOURCE_LABELS",
    "code_labels", "with_labels",
]

# Attributes a month's flags refresh on every task they show.
_ATTRIBUTES = ["name", "county", "city", "adcode", "action", "clause", "deadline", "lead_dept", "reason", "lon", "lat"]


# ------------------------------------------------------------------------------------------ undoing a month
def _undo_month(ledger: Ledger, month: str) -> Tuple[Ledger, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ledger as it was before ``month`` (its last month) was applied; also the month's data history
    rows, its months row and the check-offs of tasks it created (kept for the re-apply)."""
    tasks, history = ledger.tasks.copy(), ledger.history
    months_before = sorted(m for m in ledger.months["month"] if m < month)
    prev = months_before[-1] if months_before else None
    is_month_data = (history["month"] == month) & (history["source"] == SOURCE_DATA)
    month_rows = history[is_month_data]
    rest = history[~is_month_data]
    created = tasks["first_month"] == month
    kept_checks = tasks.loc[created, ["task_id"] + CHECK_COLUMNS]
    tasks = tasks[~created.to_numpy()].reset_index(drop=True)
    before = month_rows.drop_duplicates("task_id", keep="first").set_index("task_id")["from_status"]
    changed = tasks["task_id"].isin(before.index).to_numpy()
    tasks.loc[changed, "status"] = tasks.loc[changed, "task_id"].map(before).to_numpy()
    # done_month: when the task last went done before this month
    done_rows = rest[(rest["source"] == SOURCE_DATA) & (rest["to_status"] == DONE)]
    last_done = done_rows.sort_values("month").drop_duplicates("task_id", keep="last").set_index("task_id")["month"]
    is_done = (tasks["status"] == DONE).to_numpy()
    tasks.loc[changed & is_done, "done_month"] = tasks.loc[changed & is_done, "task_id"].map(last_done).to_numpy()
    tasks.loc[~is_done, "done_month"] = None
    # last_month: an outstanding task was seen in every month up to the previous one; a done task last
    # in the month before it went done.
    tasks.loc[~is_done, "last_month"] = prev

    def month_before(m):
        earlier = [x for x in months_before if m is not None and x < m]
        return earlier[-1] if earlier else None

    fix = changed & is_done
    tasks.loc[fix, "last_month"] = [month_before(m) for m in tasks.loc[fix, "done_month"]]
    tasks["overdue"] = overdue(tasks["deadline"], tasks["status"], prev) if prev else 0
    tasks["disagree"] = ((tasks["check_off"] == CHECKED) & (tasks["status"] != DONE)).astype("int64")
    undone = Ledger(tasks, rest.reset_index(drop=True),
                    ledger.progress[ledger.progress["month"] != month].reset_index(drop=True),
                    ledger.months[ledger.months["month"] != month].reset_index(drop=True))
    return undone, month_rows, ledger.months[ledger.months["month"] == month], kept_checks


# ------------------------------------------------------------------------------------------ the update
def _digest(cur: pd.DataFrame) -> str:
    """A fingerprint of a month's tasks and their attributes: the same flags give the same digest."""
    cols = ["task_id", "name", "county", "adcode", "action", "deadline", "reason"]
    # cell_text, not astype(str): a blank is "" on pandas 2 and 3 alike (astype(str) gives "None" on 2, NaN on 3)
    texts = pd.DataFrame({c: [cell_text(v) or "" for v in cur[c]] for c in cols}, dtype=object)
    text = texts.to_csv(index=False) + cur[["lon", "lat"]].round(6).to_csv(index=False)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]  # a fingerprint, no security


def update_ledger(ledger: Optional[Ledger], flags: pd.DataFrame, month: object, *, at: Optional[str] = None,
                  by: str = "", flags_label: str = "", radius_m: float = MATCH_RADIUS_M,
                  unchanged: bool = False) -> LedgerUpdate:
    """Fold one month's ``enterprise_flags`` into the ledger (see the module doc). ``at``/``by`` stamp the
    history rows this update adds; ``flags_label`` (e.g. the file name) goes into the months table. Flags equal to
    an earlier month's are refused (``unchanged``: the latest month's lists really did not change)."""
    month = parse_month(month)
    base = normalised(ledger) if ledger is not None else empty_ledger()
    latest = base.latest_month
    if latest is not None and month < latest:
        raise LedgerError(
            f"台账已更新到 {latest}，不能再用更早的月份 {month} 更新：台账只能逐月向前推进（如需更正 {latest}，"
            f"请用 {latest} 的结果重新更新） / the ledger is at {latest}: an older month ({month}) cannot be "
            f"applied after it")
    at = at or now()
    replaced = latest == month
    old_rows = frame(HISTORY_COLUMNS)
    old_month = frame(MONTH_COLUMNS)
    kept_checks = pd.DataFrame(columns=["task_id"] + CHECK_COLUMNS)
    if replaced:
        base, old_rows, old_month, kept_checks = _undo_month(base, month)
    cur, notes = month_tasks(flags, base.tasks, radius_m)
    _refuse_a_repeated_month(base, cur, month, unchanged, old_month)
    tasks = base.tasks.set_index("task_id", drop=False)
    present = pd.Index(cur["task_id"], dtype=object)  # ids as given: no dtype guessing (pandas 3)
    known = tasks.index.isin(present)
    transitions: List[Tuple[str, Optional[str], str]] = []

    # tasks the month no longer shows: done (销号) this month
    gone = ~known & tasks["status"].isin(OUTSTANDING).to_numpy()
    for task_id, status in zip(tasks.index[gone], tasks["status"][gone]):
        transitions.append((task_id, status, DONE))
    tasks.loc[gone, "status"] = DONE
    tasks.loc[gone, "done_month"] = month
    # tasks seen again: a done one is reopened; all take this month's attributes
    cur_idx = cur.set_index("task_id", drop=False)
    seen = tasks.index[known]
    back = seen[(tasks.loc[seen, "status"] == DONE).to_numpy()]
    for task_id in back:
        transitions.append((task_id, DONE, REOPENED))
    tasks.loc[back, "status"] = REOPENED
    tasks.loc[back, "done_month"] = None
    if len(seen):
        for col in _ATTRIBUTES:
            tasks.loc[seen, col] = cur_idx.loc[seen, col].to_numpy()
        tasks.loc[seen, "last_month"] = month
    # tasks never seen before: open, new this month
    new = cur[~present.isin(tasks.index)].copy()
    for task_id in new["task_id"]:
        transitions.append((task_id, None, OPEN))
    new["status"] = OPEN
    new["first_month"] = month
    new["last_month"] = month
    tasks = pd.concat([tasks.reset_index(drop=True), typed(new, TASK_COLUMNS)], ignore_index=True) \
        if len(new) else tasks.reset_index(drop=True)
    if len(kept_checks):  # check-offs on tasks the replaced update had created stay with them
        checks = kept_checks.set_index("task_id")
        again = tasks["task_id"].isin(checks.index).to_numpy()
        for col in CHECK_COLUMNS:
            tasks.loc[again, col] = tasks.loc[again, "task_id"].map(checks[col]).to_numpy()
        lost = len(checks) - int(again.sum())
        if lost:
            notes.append(f"{lost} 项有人工销号的任务在本次重新更新后不再出现（其销号记录仍在 history 中）")
    tasks["overdue"] = overdue(tasks["deadline"], tasks["status"], month)
    tasks["disagree"] = ((tasks["check_off"] == CHECKED) & (tasks["status"] != DONE)).astype("int64")

    # history rows of this month's changes; a re-applied month keeps the stamps of rows it repeats
    old = {(r.task_id, r.from_status, r.to_status): r for r in old_rows.itertuples(index=False)}
    rows = []
    for task_id, before, after in sorted(transitions, key=lambda t: t[0]):
        prior = old.get((task_id, before, after))
        rows.append({"task_id": task_id, "month": month, "from_status": before, "to_status": after,
                     "source": SOURCE_DATA, "at": prior.at if prior is not None else at,
                     "by": prior.by if prior is not None else by, "note": None})
    history = pd.concat([base.history, frame(HISTORY_COLUMNS, rows)], ignore_index=True)

    changes = pd.DataFrame(transitions, columns=["task_id", "from_status", "to_status"])
    progress = _progress(tasks, changes, month)
    counts = {
        "tasks": int(len(cur)),
        "open": int(tasks["status"].isin(OUTSTANDING).sum()),
        "new": int((changes["to_status"] == OPEN).sum()),
        "done": int((changes["to_status"] == DONE).sum()),
        "reopened": int((changes["to_status"] == REOPENED).sum()),
        "overdue": int(tasks["overdue"].sum()),
        "disagree": int(tasks["disagree"].sum()),
    }
    if counts["disagree"]:
        notes.append(f"{counts['disagree']} 项任务已人工销号，但本月数据中仍然存在（数据与人工不一致，保留人工销号，请核实）")
    digest = _digest(cur)
    month_row = {"month": month, "flags": flags_label or None, "updated_at": at, "updated_by": by or None,
                 "digest": digest, **counts}
    if len(old_month) and old_month["digest"].iloc[0] == digest:
        month_row.update(updated_at=old_month["updated_at"].iloc[0], updated_by=old_month["updated_by"].iloc[0],
                         flags=old_month["flags"].iloc[0])
    months = pd.concat([base.months, frame(MONTH_COLUMNS, [month_row])], ignore_index=True)
    new_ledger = normalised(Ledger(tasks, history, pd.concat([base.progress, progress], ignore_index=True), months))
    return LedgerUpdate(new_ledger, month, counts, notes, replaced)


def _refuse_a_repeated_month(base: Ledger, cur: pd.DataFrame, month: str, unchanged: bool,
                             replaced_row: pd.DataFrame) -> None:
    """The same flags as an earlier month, recorded as a new one, would invent check-offs and reopenings that
    never happened (an older month's lists still in the dock): refused, naming both months. The same flags as
    the latest month are refused too unless ``unchanged`` says the lists really did not change, or the month's
    own update (``replaced_row``) is applied again unchanged."""
    if not len(base.months) or not len(cur):
        return
    digest = _digest(cur)
    if len(replaced_row) and replaced_row["digest"].iloc[0] == digest:
        return
    same = base.months[(base.months["digest"] == digest) & (base.months["month"] != month)]
    if not len(same):
        return
    earlier = str(same["month"].iloc[-1])
    if earlier == base.latest_month:
        if unchanged:
            return
        raise LedgerError(
            f"这份分析结果与台账最近一月 {earlier} 的数据完全相同。若 {month} 的清单确实没有任何变化，请勾选"
            f"“本月清单无变化”后再更新；否则请先用 {month} 的新清单重新运行分析 / these flags are the same as the "
            f"ledger's last month {earlier}; if {month}'s lists really did not change, say so (UNCHANGED), "
            f"else run the analysis on {month}'s lists first")
    raise LedgerError(
        f"这份分析结果与台账中 {earlier} 的数据完全相同（同一批清单），不能记为 {month}：否则 {month} 会凭空出现"
        f"销号与重新出现。请先用 {month} 的新清单重新运行分析，再更新台账 / these flags are the same as the "
        f"ledger's {earlier}: they cannot be recorded as {month}; run the analysis on {month}'s lists first")


def same_data_as_month(ledger: Ledger, flags: pd.DataFrame, month: str) -> bool:
    """Are ``flags`` the data the ledger recorded for ``month``? (A workbook says whether its 进度 sheet is the
    run's own month or another run's.)"""
    book = normalised(ledger)
    row = book.months[book.months["month"] == month]
    if not len(row):
        return False
    cur, _notes = month_tasks(flags, book.tasks, MATCH_RADIUS_M)
    return _digest(cur) == row["digest"].iloc[0]


def undo_last_month(ledger: Ledger) -> LedgerUpdate:
    """The ledger as it was before its last monthly update (撤销本月): that month's tasks, changes, progress and
    months row go; earlier months, their history and every manual check-off of older tasks stay."""
    base = normalised(ledger)
    latest = base.latest_month
    if latest is None:
        raise LedgerError("台账中还没有任何月份，无可撤销 / the ledger has no monthly update to undo")
    undone, month_rows, _row, _checks = _undo_month(base, latest)
    undone = normalised(undone)
    back_to = undone.latest_month
    note = (f"已撤销 {latest} 的月度更新（{len(month_rows)} 条状态变更），台账回到 {back_to} 的状态" if back_to
            else f"已撤销 {latest} 的月度更新，台账回到首次更新前的状态")
    return LedgerUpdate(undone, latest, {"tasks": int(len(undone.tasks))}, [note], False)


def _progress(tasks: pd.DataFrame, changes: pd.DataFrame, month: str) -> pd.DataFrame:
    """monthly_progress rows of ``month``: per county, outstanding (open + reopened) at the month's end,
    new, done and reopened in the month, overdue at its end. Every county with a task in the ledger."""
    keys = ["adcode", "county", "city"]
    t = tasks[["task_id"] + keys + ["status", "overdue"]].copy()
    for k in keys:
        t[k] = t[k].fillna("")
    c = changes.merge(t[["task_id"] + keys], on="task_id", how="left")
    grouped = t.groupby(keys, sort=True)
    out = pd.DataFrame({
        "open": grouped["status"].apply(lambda s: int(s.isin(OUTSTANDING).sum())),
        "overdue": grouped["overdue"].sum(),
    })
    for name, status in (("new", OPEN), ("done", DONE), ("reopened", REOPENED)):
        out[name] = c[c["to_status"] == status].groupby(keys).size().reindex(out.index, fill_value=0)
    out = out.fillna(0).reset_index()
    out["month"] = month
    for k in keys:
        out[k] = out[k].replace("", None)
    return typed(out, PROGRESS_COLUMNS)


# ------------------------------------------------------------------------------------------ check-off
def check_off_change(task: Mapping, by: str, at: str, evidence: str = "", note: str = "", revert: bool = False,
                     month: Optional[str] = None) -> Tuple[Dict[str, object], Dict[str, object]]:
    """The check-off columns to set on ``task`` and its history row. A person ticks a task off (人工销号)
    with who, when, the evidence file's name and a note; ``revert`` takes their tick back. The data's status
    is never changed here: ``disagree`` marks a tick the data do not (yet) confirm."""
    task_id = task.get("task_id")
    status = task.get("status")
    if not (by or "").strip():
        raise LedgerError("请填写销号人（谁核实销号） / who checks the task off is required")
    if revert:
        if task.get("check_off") != CHECKED:
            raise LedgerError(f"任务「{task_id}」没有人工销号，无需撤销 / task '{task_id}' has no manual check-off")
        updates = {c: None for c in CHECK_COLUMNS}
        updates["disagree"] = 0
        row = {"task_id": task_id, "month": month, "from_status": CHECKED, "to_status": status,
               "source": SOURCE_MANUAL, "at": at, "by": by.strip(), "note": _history_note(note, evidence, revert)}
        return updates, row
    updates = {"check_off": CHECKED, "checked_by": by.strip(), "checked_at": at, "evidence": cell_text(evidence),
               "note": cell_text(note), "disagree": int(status != DONE)}
    row = {"task_id": task_id, "month": month, "from_status": status, "to_status": CHECKED, "source": SOURCE_MANUAL,
           "at": at, "by": by.strip(), "note": _history_note(note, evidence, revert)}
    return updates, row


def _history_note(note: str, evidence: str, revert: bool) -> Optional[str]:
    parts = ["撤销人工销号" if revert else "人工销号"]
    if cell_text(note):
        parts.append(str(note).strip())
    if cell_text(evidence):
        parts.append(f"证明材料：{str(evidence).strip()}")
    return "；".join(parts)


def check_off(ledger: Ledger, task_id: str, by: str, evidence: str = "", note: str = "", revert: bool = False,
              at: Optional[str] = None) -> Ledger:
    """The ledger with one task checked off (or its check-off reverted) and the change in history."""
    ledger = normalised(ledger)
    hit = np.flatnonzero((ledger.tasks["task_id"] == task_id).to_numpy())
    if not len(hit):
        raise LedgerError(f"台账中没有任务「{task_id}」 / no task '{task_id}' in the ledger")
    i = int(hit[0])
    updates, row = check_off_change(ledger.tasks.iloc[i].to_dict(), by, at or now(), evidence, note, revert,
                                    ledger.latest_month)
    tasks = ledger.tasks.copy()
    for col, value in updates.items():
        tasks.at[i, col] = value
    history = pd.concat([ledger.history, frame(HISTORY_COLUMNS, [row])], ignore_index=True)
    return normalised(replace(ledger, tasks=tasks, history=history))


# ------------------------------------------------------------------------------------------ what a store writes
@dataclass
class LedgerDiff:
    """What turns the stored ledger into the updated one, row by row: the stores apply it in one transaction
    and touch nothing else (a check-off saved meanwhile by a colleague stays)."""

    month: str
    delete_tasks: List[str]
    upsert_tasks: pd.DataFrame  # DATA_COLUMNS of new or changed tasks
    history_rows: pd.DataFrame  # the month's data rows (those of the month already stored are replaced)
    progress_rows: pd.DataFrame
    month_row: pd.DataFrame


def ledger_diff(old: Ledger, new: Ledger, month: str) -> LedgerDiff:
    old, new = normalised(old), normalised(new)
    old_t = old.tasks.set_index("task_id")
    new_t = new.tasks.set_index("task_id")
    delete = sorted(set(old_t.index) - set(new_t.index))
    cols = [c for c in DATA_COLUMNS if c != "task_id"]
    common = new_t.index.intersection(old_t.index)
    a = new_t.loc[common, cols]
    b = old_t.loc[common, cols]
    same = ((a == b) | (a.isna() & b.isna())).all(axis=1)
    changed = list(common[~same.to_numpy()]) + [t for t in new_t.index if t not in old_t.index]
    upsert = new.tasks[new.tasks["task_id"].isin(changed)][DATA_COLUMNS].reset_index(drop=True)
    hist = new.history[(new.history["month"] == month) & (new.history["source"] == SOURCE_DATA)]
    return LedgerDiff(month, delete, upsert, hist.reset_index(drop=True),
                      new.progress[new.progress["month"] == month].reset_index(drop=True),
                      new.months[new.months["month"] == month].reset_index(drop=True))
