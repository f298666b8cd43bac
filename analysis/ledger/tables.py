"""The monthly ledger's tables: their columns, one dtype per column, Chinese names, and the Ledger record.

``analysis/ledger/updates.py`` works on these frames; ``layers/ledger_store/factory.py`` writes and reads them (GeoPackage or
PostGIS). Both go through :func:`typed` and :func:`records`, so a ledger read back from either store compares
equal to the one written.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..common.cells import cell_texts, plain
from ..schema.fields import LAYER_KIND_LABELS
from ..schema.output_fields import field_alias

__all__ = [
    "OPEN", "DONE", "REOPENED", "OUTSTANDING", "STATUS_LABELS", "CHECKED", "SOURCE_DATA", "SOURCE_MANUAL",
    "DATA_COLUMNS", "CHECK_COLUMNS", "TASK_COLUMNS", "HISTORY_COLUMNS", "PROGRESS_COLUMNS", "MONTH_COLUMNS",
    "INT_COLUMNS", "FLOAT_COLUMNS", "FIELD_ALIASES", "CHECK_OFF_LABELS", "SOURCE_LABELS", "LABEL_COLUMNS",
    "STORED_COLUMNS", "code_labels", "with_labels", "Ledger", "LedgerUpdate", "LedgerError", "frame", "typed",
    "records", "empty_ledger", "normalised", "now",
]

OPEN, DONE, REOPENED = "open", "done", "reopened"
OUTSTANDING = (OPEN, REOPENED)
STATUS_LABELS = {OPEN: "未完成", DONE: "已销号", REOPENED: "重新出现"}
CHECKED = "done"  # check_off value of a manual check-off (人工销号); empty otherwise
SOURCE_DATA, SOURCE_MANUAL = "data", "manual"
CHECK_OFF_LABELS = {CHECKED: "已人工销号"}
SOURCE_LABELS = {SOURCE_DATA: "月度数据更新", SOURCE_MANUAL: "人工销号"}

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
# A stored ledger also holds each code's Chinese beside it (label column → code column), as flags.gpkg does: a
# person opening ledger.gpkg or the PostGIS tables reads 未完成, 锅炉 and the rule's name. The stores write them
# from the codes (``with_labels``); the analysis reads and compares only the codes.
LABEL_COLUMNS: Dict[str, Dict[str, str]] = {
    "tasks": {"layer_label": "layer", "rule_name": "rule_id", "status_label": "status",
              "check_off_label": "check_off"},
    "history": {"from_label": "from_status", "to_label": "to_status", "source_label": "source"},
}
INT_COLUMNS = {"overdue", "disagree", "open", "new", "done", "reopened", "tasks"}
FLOAT_COLUMNS = {"lon", "lat"}

# One field, one Chinese name: the ledger's aliases are those of the output fields (shapefile_fields.OUTPUT_FIELDS,
# where a new ledger column is declared first; tests/analysis/test_ledger.py checks none is left without).


def _beside_codes(columns: Sequence[str], labels: Mapping[str, str]) -> List[str]:
    out: List[str] = []
    for col in columns:
        out.append(col)
        out.extend(label for label, code in labels.items() if code == col)
    return out


# The stored tables' columns: each label right after its code.
STORED_COLUMNS: Dict[str, List[str]] = {
    "tasks": _beside_codes(TASK_COLUMNS, LABEL_COLUMNS["tasks"]),
    "history": _beside_codes(HISTORY_COLUMNS, LABEL_COLUMNS["history"]),
    "monthly_progress": list(PROGRESS_COLUMNS),
    "months": list(MONTH_COLUMNS),
}
FIELD_ALIASES: Dict[str, str] = {
    name: field_alias(name) for name in dict.fromkeys(c for cols in STORED_COLUMNS.values() for c in cols)
}


def code_labels(code_column: str, rule_names: Optional[Mapping[str, str]] = None) -> Mapping[str, str]:
    """The Chinese of each value of a code column (the one table of each: statuses, kinds, rules …)."""
    if code_column in ("status", "from_status", "to_status"):
        return STATUS_LABELS
    if code_column == "check_off":
        return CHECK_OFF_LABELS
    if code_column == "source":
        return SOURCE_LABELS
    if code_column == "layer":
        return LAYER_KIND_LABELS
    if code_column == "rule_id":
        return rule_names or {}
    raise KeyError(code_column)


def with_labels(df: pd.DataFrame, table: str, rule_names: Optional[Mapping[str, str]] = None) -> pd.DataFrame:
    """``df`` with the label columns of ``table`` worked out from their codes (an unknown code as it is, an
    empty one empty); a table without labels as it is."""
    out = df.copy()
    for label, code in LABEL_COLUMNS.get(table, {}).items():
        if code not in out.columns:
            continue
        names = code_labels(code, rule_names)
        texts = cell_texts(out[code].to_numpy())
        out[label] = pd.Series([names.get(t, t) if t is not None else None for t in texts], index=out.index,
                               dtype=object)
    return out


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


def frame(columns: Sequence[str], rows: Optional[Iterable[Mapping]] = None) -> pd.DataFrame:
    """A typed frame of ``columns`` holding ``rows`` (none by default)."""
    df = pd.DataFrame(list(rows) if rows is not None else [], columns=list(columns))
    return typed(df, columns)


def typed(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
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
            out[col] = pd.Series(cell_texts(values), index=out.index, dtype=object)
    return out


def records(df: pd.DataFrame, columns: Sequence[str]) -> List[tuple]:
    """Rows as tuples of what SQLite and PostgreSQL take: None for missing, int counts, float coordinates,
    text otherwise."""
    out = []
    for values in df[list(columns)].itertuples(index=False, name=None):
        row = []
        for col, v in zip(columns, values):
            v = plain(v)
            if v is None:
                row.append(None)
            elif col in INT_COLUMNS:
                row.append(int(v))
            elif col in FLOAT_COLUMNS:
                row.append(float(v))
            else:
                row.append(str(v))
        out.append(tuple(row))
    return out


def empty_ledger() -> Ledger:
    return Ledger(frame(TASK_COLUMNS), frame(HISTORY_COLUMNS), frame(PROGRESS_COLUMNS), frame(MONTH_COLUMNS))


def normalised(ledger: Ledger) -> Ledger:
    """The ledger with typed columns in the canonical order and sort (what the stores write and read)."""
    tasks = typed(ledger.tasks, TASK_COLUMNS).sort_values("task_id", kind="stable").reset_index(drop=True)
    history = typed(ledger.history, HISTORY_COLUMNS)
    history = history.sort_values(["month", "at", "source", "task_id"], kind="stable",
                                  na_position="first").reset_index(drop=True)
    progress = typed(ledger.progress, PROGRESS_COLUMNS).sort_values(["month", "adcode", "county"], kind="stable",
                                                                    na_position="first").reset_index(drop=True)
    months = typed(ledger.months, MONTH_COLUMNS).sort_values("month", kind="stable").reset_index(drop=True)
    return Ledger(tasks, history, progress, months)


def now() -> str:
    """The time stamp of a history row or a check-off: local time with its UTC offset, to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")
