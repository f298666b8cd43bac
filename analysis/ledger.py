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

The ledger is four tables held by ``layers/ledger_store.py`` (GeoPackage or PostGIS schema): ``tasks``,
``history``, ``monthly_progress`` and ``months`` (one row per monthly update).
"""
from __future__ import annotations

import calendar
import datetime as _dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

__all__ = [
    "Ledger", "LedgerError", "LedgerUpdate", "empty_ledger", "update_ledger", "check_off", "check_off_change",
    "parse_month", "month_end", "deadline_date", "normalise_name", "month_tasks", "ledger_diff", "LedgerDiff",
    "TASK_COLUMNS", "HISTORY_COLUMNS", "PROGRESS_COLUMNS", "MONTH_COLUMNS", "DATA_COLUMNS", "CHECK_COLUMNS",
    "FIELD_ALIASES", "STATUS_LABELS", "OPEN", "DONE", "REOPENED", "MATCH_RADIUS_M",
]

OPEN, DONE, REOPENED = "open", "done", "reopened"
OUTSTANDING = (OPEN, REOPENED)
STATUS_LABELS = {OPEN: "未完成", DONE: "已销号", REOPENED: "重新出现"}
CHECKED = "done"  # check_off value of a manual check-off (人工销号); empty otherwise
SOURCE_DATA, SOURCE_MANUAL = "data", "manual"

# How the enterprise of a task is recognised from month to month (the id_source column).
ID_INVENTORY = "清单编号"
ID_DUPLICATE = "清单编号（编号重复，加名称区分）"
ID_NAME_POSITION = "名称+50米内位置（清单无编号）"
ID_NAME_ONLY = "名称（清单无编号且无坐标）"
MATCH_RADIUS_M = 50.0

# Shanxi's heating season starts on 1 November: "2020年采暖季前" is due by 31 October.
HEATING_SEASON_START = (11, 1)

# Columns written by the monthly update (the data's side) and by a person (the check-off).
DATA_COLUMNS = ["task_id", "ent_id", "id_source", "layer", "name", "rule_id", "county", "city", "adcode",
                "action", "clause", "deadline", "lead_dept", "reason", "status", "first_month", "last_month",
                "done_month", "overdue", "lon", "lat"]
CHECK_COLUMNS = ["check_off", "checked_by", "checked_at", "evidence", "note"]
TASK_COLUMNS = DATA_COLUMNS[:19] + CHECK_COLUMNS + ["disagree"] + DATA_COLUMNS[19:]
HISTORY_COLUMNS = ["task_id", "month", "from_status", "to_status", "source", "at", "by", "note"]
PROGRESS_COLUMNS = ["month", "adcode", "county", "city", "open", "new", "done", "reopened", "overdue"]
MONTH_COLUMNS = ["month", "flags", "updated_at", "updated_by", "tasks", "open", "new", "done", "reopened",
                 "overdue", "disagree", "digest"]
INT_COLUMNS = {"overdue", "disagree", "open", "new", "done", "reopened", "tasks"}
FLOAT_COLUMNS = {"lon", "lat"}
# Attributes a month's flags refresh on every task they show.
_ATTRIBUTES = ["name", "county", "city", "adcode", "action", "clause", "deadline", "lead_dept", "reason", "lon", "lat"]

FIELD_ALIASES: Dict[str, str] = {
    "task_id": "任务编号", "ent_id": "企业编号", "id_source": "企业对应方式", "layer": "清单类型", "name": "名称",
    "rule_id": "规则编号", "county": "县区", "city": "地市", "adcode": "行政区划代码", "action": "措施",
    "clause": "条款", "deadline": "完成时限", "lead_dept": "牵头部门", "reason": "理由", "status": "数据状态",
    "first_month": "首次出现月份", "last_month": "最近出现月份", "done_month": "销号月份", "overdue": "逾期",
    "check_off": "人工销号", "checked_by": "销号人", "checked_at": "销号时间", "evidence": "证明材料",
    "note": "备注", "disagree": "数据与人工不一致", "lon": "经度", "lat": "纬度",
    "month": "月份", "from_status": "原状态", "to_status": "新状态", "source": "来源", "at": "时间", "by": "操作人",
    "open": "未完成", "new": "本月新增", "done": "本月销号", "reopened": "重新出现",
    "flags": "标注结果文件", "updated_at": "更新时间", "updated_by": "更新人", "tasks": "本月任务数",
    "digest": "数据摘要",
}

_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class LedgerError(ValueError):
    """A monthly update or check-off that cannot be done; the message is Chinese first, then English."""


@dataclass
class Ledger:
    """The ledger's four tables as plain DataFrames (``tasks`` carries lon/lat, no geometry)."""

    tasks: pd.DataFrame
    history: pd.DataFrame
    progress: pd.DataFrame
    months: pd.DataFrame

    @property
    def latest_month(self) -> Optional[str]:
        return max(self.months["month"]) if len(self.months) else None


@dataclass
class LedgerUpdate:
    """One monthly update: the new ledger, the month's province totals and notes (Chinese)."""

    ledger: Ledger
    month: str
    counts: Dict[str, int]
    notes: List[str] = field(default_factory=list)
    replaced: bool = False  # the month was already the ledger's last: its earlier update was replaced


# ------------------------------------------------------------------------------------------ frames
def _frame(columns: Sequence[str], rows: Optional[Iterable[Mapping]] = None) -> pd.DataFrame:
    df = pd.DataFrame(list(rows) if rows is not None else [], columns=list(columns))
    return _typed(df, columns)


def _typed(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns in order with one dtype each: int64 counts, float64 coordinates, object text (None for
    empty), so a ledger read back from either store compares equal to the one written."""
    out = pd.DataFrame(index=range(len(df)))
    for col in columns:
        values = df[col].to_numpy() if col in df.columns else np.full(len(df), None, dtype=object)
        if col in INT_COLUMNS:
            out[col] = pd.to_numeric(pd.Series(values), errors="coerce").fillna(0).astype("int64").to_numpy()
        elif col in FLOAT_COLUMNS:
            out[col] = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()
        else:  # object even when empty: an empty float column would make a REAL field of a text one
            out[col] = pd.Series([_text(v) for v in values], index=out.index, dtype=object)
    return out


def _text(value) -> Optional[str]:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if text != "" else None


def empty_ledger() -> Ledger:
    return Ledger(_frame(TASK_COLUMNS), _frame(HISTORY_COLUMNS), _frame(PROGRESS_COLUMNS), _frame(MONTH_COLUMNS))


def normalised(ledger: Ledger) -> Ledger:
    """The ledger with typed columns in the canonical order and sort (what the stores write and read)."""
    tasks = _typed(ledger.tasks, TASK_COLUMNS).sort_values("task_id", kind="stable").reset_index(drop=True)
    history = _typed(ledger.history, HISTORY_COLUMNS)
    history = history.sort_values(["month", "at", "source", "task_id"], kind="stable",
                                  na_position="first").reset_index(drop=True)
    progress = _typed(ledger.progress, PROGRESS_COLUMNS).sort_values(["month", "adcode", "county"], kind="stable",
                                                                     na_position="first").reset_index(drop=True)
    months = _typed(ledger.months, MONTH_COLUMNS).sort_values("month", kind="stable").reset_index(drop=True)
    return Ledger(tasks, history, progress, months)


# ------------------------------------------------------------------------------------------ months and deadlines
def parse_month(text: object) -> str:
    """'2020-08' (also '2020-8') → '2020-08'; anything else is a LedgerError naming the value."""
    found = _MONTH_RE.match(str(text or ""))
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise LedgerError(f"月份「{text}」格式不对：应为 YYYY-MM（年-月），例如 2020-08 / "
                          f"month '{text}' is not YYYY-MM, e.g. 2020-08")
    return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"


def month_end(month: str) -> _dt.date:
    year, mon = (int(p) for p in month.split("-"))
    return _dt.date(year, mon, calendar.monthrange(year, mon)[1])


def deadline_date(text: object) -> Optional[_dt.date]:
    """The last day of a rule's deadline text: '2020-10-01前' → 2020-10-01, '2020年采暖季前' → 2020-10-31,
    '2020年底前' / '2020' → 2020-12-31, '2020-09' → 2020-09-30; None when it names no date ('计划未明确')."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not s:
        return None
    found = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", s)
    if found:
        try:
            return _dt.date(*(int(g) for g in found.groups()))
        except ValueError:
            return None
    found = re.search(r"(\d{4})\s*年?\s*采暖季", s)
    if found:
        return _dt.date(int(found.group(1)), *HEATING_SEASON_START) - _dt.timedelta(days=1)
    found = re.search(r"(\d{4})[-/.年](\d{1,2})月?(?!\d)", s)
    if found and 1 <= int(found.group(2)) <= 12:
        return month_end(f"{int(found.group(1)):04d}-{int(found.group(2)):02d}")
    found = re.search(r"(\d{4})", s)
    if found:
        return _dt.date(int(found.group(1)), 12, 31)
    return None


def _overdue(deadlines: pd.Series, status: pd.Series, month: str) -> np.ndarray:
    """Outstanding tasks whose deadline falls on or before the end of ``month``: the month's lists show the
    state at its end, by which such a deadline has passed."""
    end = month_end(month)
    cache: Dict[object, bool] = {}
    due = []
    for text in deadlines:
        if text not in cache:
            day = deadline_date(text)
            cache[text] = day is not None and day <= end
        due.append(cache[text])
    return (np.asarray(due, dtype=bool) & status.isin(OUTSTANDING).to_numpy()).astype("int64")


# ------------------------------------------------------------------------------------------ identity
_DROP = {"P", "S", "Z", "C"}  # punctuation, symbols, separators, controls


def normalise_name(name: object) -> str:
    """A name compared across months: full-width folded (NFKC), case-folded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(name or "")).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in _DROP)


def _distance_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _flag_frame(flags: pd.DataFrame) -> pd.DataFrame:
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
        keys = df[["layer", "ent_id", "name", "lon", "lat"]].astype(str).agg("|".join, axis=1)
        df["row"] = pd.factorize(keys)[0] + 1
    df["source_layer"] = df["source_layer"].where(df["source_layer"].notna(), df["layer"])
    return df.reset_index(drop=True)


def _generated_id(df: pd.DataFrame) -> np.ndarray:
    """Rows whose id the engine made up ("<layer>-<row>", see enterprises._canonical_frame and engine._as_layer):
    the inventory had none, so the id names a row number, not an enterprise."""
    ent = df["ent_id"].map(_text)
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
    df = _flag_frame(flags)
    if not len(df):
        return _frame(DATA_COLUMNS[:14] + ["lon", "lat"]), notes
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
                                                                          _frame(TASK_COLUMNS)), radius_m)
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
        layers = sorted(set(sub["layer"].astype(str)))
        notes.append(f"{'、'.join(layers)}：{len(no_id)} 家企业清单中无编号，按名称和 {radius_m:g} 米内的位置与往月对应"
                     f"（其中 {len(matched)} 家对应到已有企业）")
    df = df.merge(ents[ent_keys + ["key", "id_source"]], on=ent_keys, how="left")
    df["task_id"] = df["layer"].astype(str) + ":" + df["key"].astype(str) + ":" + df["rule_id"].astype(str)
    twice = df.duplicated("task_id")
    if twice.any():
        notes.append(f"{int(twice.sum())} 条标注与同一企业、同一规则的另一条重复（同名同位置或同编号），按一项任务计")
        df = df[~twice.to_numpy()]
    df["ent_id"] = df["key"]
    out = _typed(df, DATA_COLUMNS[:14] + ["lon", "lat"])
    return out.sort_values("task_id", kind="stable").reset_index(drop=True), notes


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
    tasks["overdue"] = _overdue(tasks["deadline"], tasks["status"], prev) if prev else 0
    undone = Ledger(tasks, rest.reset_index(drop=True),
                    ledger.progress[ledger.progress["month"] != month].reset_index(drop=True),
                    ledger.months[ledger.months["month"] != month].reset_index(drop=True))
    return undone, month_rows, ledger.months[ledger.months["month"] == month], kept_checks


# ------------------------------------------------------------------------------------------ the update
def _digest(cur: pd.DataFrame) -> str:
    """A fingerprint of a month's tasks and their attributes: the same flags give the same digest."""
    cols = ["task_id", "name", "county", "adcode", "action", "deadline", "reason"]
    text = cur[cols].astype(str).to_csv(index=False) + cur[["lon", "lat"]].round(6).to_csv(index=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def update_ledger(ledger: Optional[Ledger], flags: pd.DataFrame, month: object, *, at: Optional[str] = None,
                  by: str = "", flags_label: str = "", radius_m: float = MATCH_RADIUS_M) -> LedgerUpdate:
    """Fold one month's ``enterprise_flags`` into the ledger (see the module doc). ``at``/``by`` stamp the
    history rows this update adds; ``flags_label`` (e.g. the file name) goes into the months table."""
    month = parse_month(month)
    base = normalised(ledger) if ledger is not None else empty_ledger()
    latest = base.latest_month
    if latest is not None and month < latest:
        raise LedgerError(
            f"台账已更新到 {latest}，不能再用更早的月份 {month} 更新：台账只能逐月向前推进（如需更正 {latest}，"
            f"请用 {latest} 的结果重新更新） / the ledger is at {latest}: an older month ({month}) cannot be "
            f"applied after it")
    at = at or _now()
    replaced = latest == month
    old_rows = _frame(HISTORY_COLUMNS)
    old_month = _frame(MONTH_COLUMNS)
    kept_checks = pd.DataFrame(columns=["task_id"] + CHECK_COLUMNS)
    if replaced:
        base, old_rows, old_month, kept_checks = _undo_month(base, month)
    cur, notes = month_tasks(flags, base.tasks, radius_m)
    tasks = base.tasks.set_index("task_id", drop=False)
    present = pd.Index(cur["task_id"])
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
    tasks = pd.concat([tasks.reset_index(drop=True), _typed(new, TASK_COLUMNS)], ignore_index=True) \
        if len(new) else tasks.reset_index(drop=True)
    if len(kept_checks):  # check-offs on tasks the replaced update had created stay with them
        checks = kept_checks.set_index("task_id")
        again = tasks["task_id"].isin(checks.index).to_numpy()
        for col in CHECK_COLUMNS:
            tasks.loc[again, col] = tasks.loc[again, "task_id"].map(checks[col]).to_numpy()
        lost = len(checks) - int(again.sum())
        if lost:
            notes.append(f"{lost} 项有人工销号的任务在本次重新更新后不再出现（其销号记录仍在 history 中）")
    tasks["overdue"] = _overdue(tasks["deadline"], tasks["status"], month)
    tasks["disagree"] = ((tasks["check_off"] == CHECKED) & (tasks["status"] != DONE)).astype("int64")

    # history rows of this month's changes; a re-applied month keeps the stamps of rows it repeats
    old = {(r.task_id, r.from_status, r.to_status): r for r in old_rows.itertuples(index=False)}
    rows = []
    for task_id, before, after in sorted(transitions, key=lambda t: t[0]):
        prior = old.get((task_id, before, after))
        rows.append({"task_id": task_id, "month": month, "from_status": before, "to_status": after,
                     "source": SOURCE_DATA, "at": prior.at if prior is not None else at,
                     "by": prior.by if prior is not None else by, "note": None})
    history = pd.concat([base.history, _frame(HISTORY_COLUMNS, rows)], ignore_index=True)

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
    months = pd.concat([base.months, _frame(MONTH_COLUMNS, [month_row])], ignore_index=True)
    new_ledger = normalised(Ledger(tasks, history, pd.concat([base.progress, progress], ignore_index=True), months))
    return LedgerUpdate(new_ledger, month, counts, notes, replaced)


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
    return _typed(out, PROGRESS_COLUMNS)


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
    updates = {"check_off": CHECKED, "checked_by": by.strip(), "checked_at": at, "evidence": _text(evidence),
               "note": _text(note), "disagree": int(status != DONE)}
    row = {"task_id": task_id, "month": month, "from_status": status, "to_status": CHECKED, "source": SOURCE_MANUAL,
           "at": at, "by": by.strip(), "note": _history_note(note, evidence, revert)}
    return updates, row


def _history_note(note: str, evidence: str, revert: bool) -> Optional[str]:
    parts = ["撤销人工销号" if revert else "人工销号"]
    if _text(note):
        parts.append(str(note).strip())
    if _text(evidence):
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
    updates, row = check_off_change(ledger.tasks.iloc[i].to_dict(), by, at or _now(), evidence, note, revert,
                                    ledger.latest_month)
    tasks = ledger.tasks.copy()
    for col, value in updates.items():
        tasks.at[i, col] = value
    history = pd.concat([ledger.history, _frame(HISTORY_COLUMNS, [row])], ignore_index=True)
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
