"""What every place the ledger lives shares: the interface (``LedgerStore``), its tables, who is working, and
reading a month's flags. ``ledger_store_gpkg.py`` and ``ledger_store_postgis.py`` implement it;
``ledger_store.py`` is where callers import it from (``open_ledger``)."""
from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import pandas as pd
from qgis.core import QgsApplication, QgsVectorLayer

from ...analysis.inputs.validation import OutputError
from ...analysis.ledger.updates import (
    DATA_COLUMNS,
    HISTORY_COLUMNS,
    LABEL_COLUMNS,
    MONTH_COLUMNS,
    PROGRESS_COLUMNS,
    STORED_COLUMNS,
    TASK_COLUMNS,
    Ledger,
    LedgerError,
    LedgerUpdate,
    normalised,
    parse_month,
    undo_last_month,
    update_ledger,
)
from ..postgis_output import quote_ident
from .readable import dress, rule_names_of

__all__ = ["LedgerStore", "LedgerStoreError", "read_flags", "current_user", "LEDGER_KIND", "TABLE_COLUMNS",
           "LEDGER_TABLES", "LAYER_TITLES", "UPSERT_COLUMNS", "DATA_LABELS", "STORED_COLUMNS", "column_list",
           "ledger_of", "no_task"]

LEDGER_KIND = "bluesky_zoning ledger"
TABLE_COLUMNS: Dict[str, List[str]] = {"tasks": TASK_COLUMNS, "history": HISTORY_COLUMNS,
                                       "monthly_progress": PROGRESS_COLUMNS, "months": MONTH_COLUMNS}
LEDGER_TABLES: Tuple[str, ...] = ("tasks", "monthly_progress", "history", "months")
LAYER_TITLES: Dict[str, str] = {"tasks": "月度台账·任务", "monthly_progress": "月度台账·分县进度",
                                "history": "月度台账·状态变更记录", "months": "月度台账·各月更新"}
# The labels of the data's codes (kind, rule, status): written with them by a monthly update.
DATA_LABELS = [label for label, code in LABEL_COLUMNS["tasks"].items() if code in DATA_COLUMNS]
# The data's columns a monthly update writes over an existing task (never the check-off's).
UPSERT_COLUMNS = [c for c in DATA_COLUMNS if c != "task_id"] + DATA_LABELS


class LedgerStoreError(OutputError):
    """The ledger could not be read or written; nothing of this update or check-off was saved."""


def current_user() -> str:
    """Who is working: QGIS's user name, else the system login."""
    for name in (QgsApplication.userFullName(), QgsApplication.userLoginName()):
        if name and str(name).strip():
            return str(name).strip()
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name available
        return ""


def read_flags(path: Union[str, Path]) -> pd.DataFrame:
    """``enterprise_flags`` of a run's flags.gpkg (also given as ``flags.gpkg|layername=enterprise_flags``)."""
    import pyogrio

    text = str(path)
    file_path, _, _ = text.partition("|")
    if not file_path or not os.path.isfile(file_path):
        raise LedgerError(f"找不到标注结果文件「{file_path}」：请选择一次分析写出的 flags.gpkg / "
                          f"flags file '{file_path}' not found")
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(file_path)]
    except Exception:  # noqa: BLE001 - not a GeoPackage GDAL can read
        raise LedgerError(f"无法读取标注结果文件「{os.path.basename(file_path)}」：不是 GeoPackage 或文件已损坏 / "
                          "cannot read the flags file: not a GeoPackage, or damaged") from None
    if "enterprise_flags" not in names:
        raise LedgerError(f"「{os.path.basename(file_path)}」中没有 enterprise_flags 图层：请选择一次分析写出的 flags.gpkg / "
                          f"'{os.path.basename(file_path)}' has no enterprise_flags layer")
    return pyogrio.read_dataframe(file_path, layer="enterprise_flags")


def column_list(columns: Sequence[str]) -> str:
    """'"a", "b"': columns quoted for SQL (SQLite and PostgreSQL quote identifiers alike)."""
    return ", ".join(quote_ident(c) for c in columns)


def ledger_of(frames: Dict[str, pd.DataFrame]) -> Ledger:
    """The Ledger of the four tables as read (``TABLE_COLUMNS`` names), typed and sorted as it was written."""
    return normalised(Ledger(frames["tasks"], frames["history"], frames["monthly_progress"], frames["months"]))


def no_task(task_id: str) -> LedgerError:
    return LedgerError(f"台账中没有任务「{task_id}」 / no task '{task_id}' in the ledger")


class LedgerStore:
    """A stored ledger. The dock's 进度 tab and the Processing algorithms call these methods."""

    def label(self) -> str:
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    def read(self) -> Ledger:
        """The whole ledger (an empty one when it does not exist yet)."""
        raise NotImplementedError

    def update_month(self, flags: Union[pd.DataFrame, str, Path], month: str, by: Optional[str] = None,
                     flags_label: Optional[str] = None, unchanged: bool = False) -> LedgerUpdate:
        """Fold one month's flags (a DataFrame or a flags.gpkg path) into the ledger, creating it when missing.
        Flags equal to an earlier month's are refused (``unchanged``: the lists did not change since the last)."""
        month, frame, label = self._month_and_flags(flags, month, flags_label)
        self._rule_names = rule_names_of(frame)  # the run's own names beside its rule ids
        who = by if by is not None else current_user()
        return self._rewrite(lambda old: update_ledger(old, frame, month, by=who, flags_label=label,
                                                       unchanged=unchanged), create=True)

    def rule_names(self) -> Dict[str, str]:
        """Rule id → short name for the ``rule_name`` column: those of the flags being recorded, else the rules
        file's."""
        if getattr(self, "_rule_names", None) is None:
            self._rule_names = rule_names_of()
        return self._rule_names

    def undo_month(self) -> LedgerUpdate:
        """撤销本月: the ledger as it was before its last monthly update (analysis undo_last_month)."""
        if not self.exists():
            raise LedgerError("台账还不存在，无可撤销 / the ledger does not exist yet")
        return self._rewrite(undo_last_month, create=False)

    def _rewrite(self, change, create: bool) -> LedgerUpdate:
        """Read the ledger, work out ``change(old)`` (a LedgerUpdate) and store the difference, all in one
        transaction of the store; ``create``: make an empty ledger first when there is none."""
        raise NotImplementedError

    def check_off(self, task_id: str, by: str, evidence: str = "", note: str = "", revert: bool = False) -> Dict[str, Any]:
        """Tick one task off by hand (or take the tick back); the task's row afterwards."""
        raise NotImplementedError

    def table_layer(self, table: str) -> QgsVectorLayer:
        raise NotImplementedError

    def layers(self) -> List[Tuple[str, QgsVectorLayer]]:
        """(table, layer) of the ledger's four tables, tasks styled (done greyed, overdue red), Chinese aliases,
        each code's Chinese beside it (a ledger written before the label columns gets them first, where it can
        be written)."""
        self.upgrade(quiet=True)
        out = []
        for table in LEDGER_TABLES:
            layer = self.table_layer(table)
            if layer.isValid():
                out.append((table, dress(table, layer)))
        return out

    def upgrade(self, quiet: bool = False) -> None:
        """Give a ledger written by an older version what this one writes: the label columns (filled from the
        codes), the Chinese field names. ``quiet``: a ledger that cannot be written (read-only) stays as it is."""
        raise NotImplementedError

    # -- what both stores do around their own reading and writing -------------------------------------
    @staticmethod
    def _month_and_flags(flags: Union[pd.DataFrame, str, Path], month: object,
                         flags_label: Optional[str]) -> Tuple[str, pd.DataFrame, str]:
        """The month and the flags checked before anything is created: a bad month or flags file leaves no new
        ledger behind. The label (the flags file's name) goes into the months table."""
        month = parse_month(month)
        if isinstance(flags, (str, Path)):
            return month, read_flags(flags), flags_label or os.path.basename(str(flags).partition("|")[0])
        return month, flags, flags_label or ""
