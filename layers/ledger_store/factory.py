"""Where the monthly ledger lives: a GeoPackage of its own (default) or a PostGIS schema a team shares.

The ledger's logic is ``analysis/ledger/updates.py``; a store reads the stored ledger, hands it to ``update_ledger`` /
``check_off_change`` and writes back only what changed (``ledger_diff``), in one transaction, so nothing is
ever rebuilt from scratch and a colleague's check-off saved meanwhile stays:

- the monthly update writes the data's columns of new or changed tasks (an upsert that never touches the
  check-off columns; ``disagree`` is worked out from the stored check-off), replaces that month's data
  rows of ``history``, its ``monthly_progress`` rows and its ``months`` row, and bumps ``ledger_meta.version``;
- a check-off is a row-level UPDATE of one task's check-off columns plus one ``history`` row.

This module is where callers (the dock's 进度 tab, the atlas, the workbook, the Processing algorithms) import
the stores from: ``open_ledger(path).read()`` → ``Ledger(tasks, history, progress, months)``. The interface
and what both stores share are in ``ledger_store_base.py``; the GeoPackage (SQLite transactions in place) in
``ledger_store_gpkg.py``; the PostGIS schema (a version-checked statement string) in ``ledger_store_postgis.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from ..postgis_output import DatabaseDestination
from .base import (
    LAYER_TITLES,
    LEDGER_KIND,
    LEDGER_TABLES,
    TABLE_COLUMNS,
    LedgerStore,
    LedgerStoreError,
    current_user,
    read_flags,
)
from .gpkg import BUSY_TIMEOUT_S, GpkgLedger
from .postgis import MAX_ATTEMPTS, PostgisLedger

__all__ = ["LedgerStore", "GpkgLedger", "PostgisLedger", "LedgerStoreError", "open_ledger", "read_flags",
           "current_user", "LEDGER_TABLES", "LAYER_TITLES", "LEDGER_KIND", "TABLE_COLUMNS", "BUSY_TIMEOUT_S",
           "MAX_ATTEMPTS"]


def open_ledger(path: Optional[Union[str, Path]] = None,
                destination: Optional[DatabaseDestination] = None) -> LedgerStore:
    """The ledger in a GeoPackage ``path`` or in a PostGIS ``destination`` (exactly one of them)."""
    if bool(path) == bool(destination):
        raise LedgerStoreError("请选择台账位置：一个 GeoPackage 文件或一个数据库连接与模式（二者选一） / "
                               "choose where the ledger is: a GeoPackage file or a database connection and schema")
    return GpkgLedger(path) if path else PostgisLedger(destination)
