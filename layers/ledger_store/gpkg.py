"""The ledger in a GeoPackage of its own (the default; ``open_ledger(path)`` in ``ledger_store.py``).

SQLite's own transactions: ``BEGIN IMMEDIATE`` before the read, so two updates or an update and a check-off
queue instead of interleaving. The file is updated in place rather than replaced: QGIS keeps the ledger's
layers open (on Windows a replaced open file cannot be renamed over) and a transaction is already
whole-or-nothing. Only a missing ledger is created whole under a temporary name (``analysis/common/atomic.py``).
"""
from __future__ import annotations

import sqlite3
import struct
import time
from pathlib import Path
from typing import Any, Dict, Optional, Union

import geopandas as gpd
import pandas as pd
import shapely
from qgis.core import QgsVectorLayer

from ...analysis.common.atomic import atomic_path
from ...analysis.ledger.tables import now, records
from ...analysis.ledger.updates import (
    DATA_COLUMNS,
    TASK_COLUMNS,
    Ledger,
    LedgerDiff,
    LedgerUpdate,
    check_off_change,
    empty_ledger,
    ledger_diff,
    with_labels,
)
from ...analysis.schema.output_fields import write_gpkg_aliases
from ..postgis_output import quote_ident
from .base import (
    DATA_LABELS,
    LAYER_TITLES,
    LEDGER_KIND,
    STORED_COLUMNS,
    TABLE_COLUMNS,
    UPSERT_COLUMNS,
    LedgerStore,
    LedgerStoreError,
    column_list,
    current_user,
    ledger_of,
    no_task,
)
from .readable import STYLE_NOTE, label_sets, missing_labels, sqlite_literal, style_qml

__all__ = ["GpkgLedger", "BUSY_TIMEOUT_S"]

BUSY_TIMEOUT_S = 120.0  # a check-off waits this long for a monthly update holding the GeoPackage


class GpkgLedger(LedgerStore):
    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)

    def label(self) -> str:
        return f"台账文件「{self.path.name}」"

    def exists(self) -> bool:
        return self.path.is_file()

    # -- creating --------------------------------------------------------------------------------------
    def _create(self) -> None:
        """An empty ledger, written whole under a temporary name beside the target (analysis/common/atomic.py)."""
        import pyogrio

        with atomic_path(self.path) as tmp:  # nothing there yet: GDAL creates the GeoPackage itself
            empty = empty_ledger()
            frames = {"tasks": empty.tasks, "history": empty.history, "monthly_progress": empty.progress,
                      "months": empty.months}
            frames = {t: with_labels(f, t).reindex(columns=STORED_COLUMNS[t]) for t, f in frames.items()}
            tasks = gpd.GeoDataFrame(frames.pop("tasks"), geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                                     crs="EPSG:4326")
            # no R-tree: its triggers call GDAL's SQL functions, which a plain SQLite connection lacks
            pyogrio.write_dataframe(tasks, tmp, layer="tasks", driver="GPKG", geometry_type="Point",
                                    layer_options={"SPATIAL_INDEX": "NO"}, encoding="UTF-8")
            for table, empty_table in frames.items():
                pyogrio.write_dataframe(empty_table, tmp, layer=table, driver="GPKG", append=False, encoding="UTF-8")
            meta = pd.DataFrame({"key": ["kind", "version", "created_at", "created_by"],
                                 "value": [LEDGER_KIND, "0", time.strftime("%Y-%m-%dT%H:%M:%S"), current_user()]})
            pyogrio.write_dataframe(meta, tmp, layer="ledger_meta", driver="GPKG", append=False, encoding="UTF-8")
            conn = sqlite3.connect(str(tmp))
            try:
                with conn:  # one transaction, committed before the file is renamed
                    conn.execute('CREATE UNIQUE INDEX "tasks_task_id" ON "tasks" ("task_id")')
                    conn.execute('CREATE INDEX "history_month" ON "history" ("month", "source")')
                    conn.execute('CREATE UNIQUE INDEX "months_month" ON "months" ("month")')
                    conn.execute('CREATE UNIQUE INDEX "ledger_meta_key" ON "ledger_meta" ("key")')
            finally:
                conn.close()  # closed before the rename: Windows cannot rename an open file
            self._write_presentation(tmp)

    @staticmethod
    def _write_presentation(path) -> None:
        """Chinese field names where GDAL reads them (gpkg_data_columns) and, for QGIS whatever its GDAL, a
        default style per table: the tasks as the dock styles them (replacing only the ledger's own earlier one)."""
        write_gpkg_aliases(path, STORED_COLUMNS, qgis_style=True, styles={"tasks": style_qml("tasks")},
                           style_note=STYLE_NOTE)

    def upgrade(self, quiet: bool = False) -> None:
        if not self.exists():
            return
        try:
            conn = self._connect()
            try:  # read first: the write lock only when something is missing
                self._check_kind(conn)
                stale = any(missing_labels(t, [r[1] for r in conn.execute(f"PRAGMA table_info({quote_ident(t)})")])
                            for t in ("tasks", "history"))
                has_styles = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'layer_styles'").fetchone()[0]
                style = conn.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'tasks' AND description = ?",
                                     (STYLE_NOTE,)).fetchone() if has_styles else None
            finally:
                conn.close()
            if stale:
                conn = self._connect()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        self._add_labels(conn)
                        conn.execute("COMMIT")
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                finally:
                    conn.close()
            if stale or style is None or style[0] != style_qml("tasks"):
                self._write_presentation(self.path)
        except (sqlite3.Error, OSError, LedgerStoreError) as exc:
            if quiet:  # e.g. a ledger on a read-only share: read as it is
                return
            if isinstance(exc, LedgerStoreError):
                raise
            raise LedgerStoreError(_sqlite_message(self.label(), exc, "台账未改变")) from None

    def _after_upgrade(self) -> None:
        """The Chinese field names of label columns just added, once the update that added them is saved: its
        data are kept whatever happens here (the reason goes to the QGIS log; the dock's opening tries again)."""
        try:
            self._write_presentation(self.path)
        except Exception as exc:  # noqa: BLE001 - the update itself is saved; only the aliases wait
            from ..user_errors import log_exception

            log_exception(exc, f"{self.label()}：中文字段名未写入 / the ledger's field names were not written")

    def _add_labels(self, conn: sqlite3.Connection) -> bool:
        """The label columns a ledger of an older version lacks, added and filled from the codes (inside the
        caller's transaction); whether any was added."""
        added = False
        for table in ("tasks", "history"):
            present = [r[1] for r in conn.execute(f"PRAGMA table_info({quote_ident(table)})")]
            missing = missing_labels(table, present)
            for col in missing:
                conn.execute(f"ALTER TABLE {quote_ident(table)} ADD COLUMN {quote_ident(col)} TEXT")
            if missing:
                sets = label_sets(table, sqlite_literal, quote_ident, self.rule_names(), only=missing)
                conn.execute(f"UPDATE {quote_ident(table)} SET {', '.join(sets)}")  # nosec B608 # the ledger's own names; labels quoted
                added = True
        return added

    def _connect(self) -> sqlite3.Connection:
        # autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE
        return sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)

    def _check_kind(self, conn: sqlite3.Connection) -> None:
        try:
            row = conn.execute("SELECT value FROM ledger_meta WHERE key = 'kind'").fetchone()
        except sqlite3.DatabaseError:
            row = None
        if not row or row[0] != LEDGER_KIND:
            raise LedgerStoreError(
                f"「{self.path.name}」不是台账文件（台账是单独的 GeoPackage，由“更新月度台账”创建，不能用分析结果或其他图层文件）；"
                f"请另选一个文件名 / '{self.path.name}' is not a ledger GeoPackage; choose another file name")

    # -- reading ---------------------------------------------------------------------------------------
    def _read(self, conn: sqlite3.Connection) -> Ledger:
        frames = {}
        for table, columns in TABLE_COLUMNS.items():
            frames[table] = pd.read_sql_query(f"SELECT {column_list(columns)} FROM {quote_ident(table)} ORDER BY fid", conn)  # nosec B608 # the ledger's own table and column names; values bound as ?
        return ledger_of(frames)

    def read(self) -> Ledger:
        if not self.exists():
            return empty_ledger()
        conn = self._connect()
        try:
            self._check_kind(conn)
            return self._read(conn)
        finally:
            conn.close()

    # -- writing ---------------------------------------------------------------------------------------
    def _rewrite(self, change, create: bool) -> LedgerUpdate:
        if create and not self.exists():
            self._create()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: nobody changes the ledger between read and write
            try:
                self._check_kind(conn)
                added = self._add_labels(conn)
                old = self._read(conn)
                result = change(old)
                self._apply(conn, ledger_diff(old, result.ledger, result.month))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise LedgerStoreError(_sqlite_message(self.label(), exc, "台账未改变")) from None
        finally:
            conn.close()
        if added:
            self._after_upgrade()
        return result

    def _apply(self, conn: sqlite3.Connection, diff: LedgerDiff) -> None:
        srs = conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'tasks'").fetchone()[0]
        conn.executemany('DELETE FROM "tasks" WHERE "task_id" = ?', [(t,) for t in diff.delete_tasks])
        columns = DATA_COLUMNS + DATA_LABELS + ["geom"]
        updates = ", ".join(f"{quote_ident(c)} = excluded.{quote_ident(c)}" for c in UPSERT_COLUMNS + ["geom"])
        upserts = with_labels(diff.upsert_tasks, "tasks", self.rule_names())
        lon, lat = DATA_COLUMNS.index("lon"), DATA_COLUMNS.index("lat")
        conn.executemany(
            f'INSERT INTO "tasks" ({column_list(columns)}, "disagree") VALUES ({", ".join("?" * len(columns))}, 0) '  # nosec B608 # the ledger's own table and column names; values bound as ?
            f'ON CONFLICT ("task_id") DO UPDATE SET {updates}, "disagree" = CASE WHEN "tasks"."check_off" = \'done\' '
            f'AND excluded."status" <> \'done\' THEN 1 ELSE 0 END',
            [row + (_gpkg_point(row[lon], row[lat], srs),) for row in records(upserts, DATA_COLUMNS + DATA_LABELS)])
        conn.execute('DELETE FROM "history" WHERE "month" = ? AND "source" = \'data\'', (diff.month,))
        self._insert(conn, "history", diff.history_rows)
        conn.execute('DELETE FROM "monthly_progress" WHERE "month" = ?', (diff.month,))
        self._insert(conn, "monthly_progress", diff.progress_rows)
        conn.execute('DELETE FROM "months" WHERE "month" = ?', (diff.month,))
        self._insert(conn, "months", diff.month_row)
        conn.execute("UPDATE ledger_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'version'")
        self._bookkeeping(conn)

    @staticmethod
    def _insert(conn: sqlite3.Connection, table: str, frame: pd.DataFrame) -> None:
        columns = STORED_COLUMNS[table]
        conn.executemany(f"INSERT INTO {quote_ident(table)} ({column_list(columns)}) VALUES ({', '.join('?' * len(columns))})",  # nosec B608 # the ledger's own table and column names; values bound as ?
                         records(with_labels(frame, table), columns))

    @staticmethod
    def _bookkeeping(conn: sqlite3.Connection) -> None:
        """What GDAL keeps beside the rows: the layer extent, feature counts and the change time."""
        conn.execute("UPDATE gpkg_contents SET min_x = (SELECT min(lon) FROM tasks), min_y = (SELECT min(lat) FROM tasks), "
                     "max_x = (SELECT max(lon) FROM tasks), max_y = (SELECT max(lat) FROM tasks) WHERE table_name = 'tasks'")
        conn.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                     "WHERE table_name IN ('tasks', 'history', 'monthly_progress', 'months', 'ledger_meta')")
        has_counts = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone()[0]
        if has_counts:
            for table in TABLE_COLUMNS:
                conn.execute(f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM {quote_ident(table)}) "  # nosec B608 # the ledger's own table and column names; values bound as ?
                             f"WHERE lower(table_name) = lower(?)", (table,))

    def check_off(self, task_id, by, evidence="", note="", revert=False) -> Dict[str, Any]:
        if not self.exists():
            raise LedgerStoreError(f"找不到台账文件「{self.path}」 / ledger file not found")
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_kind(conn)
                added = self._add_labels(conn)
                task = self._task(conn, task_id)
                month = conn.execute('SELECT max("month") FROM "months"').fetchone()[0]
                updates, row = check_off_change(task, by, now(), evidence, note, revert, month)
                updates["check_off_label"] = with_labels(pd.DataFrame([updates]), "tasks").at[0, "check_off_label"]
                sets = ", ".join(f"{quote_ident(c)} = ?" for c in updates)
                conn.execute(f'UPDATE "tasks" SET {sets} WHERE "task_id" = ?', (*updates.values(), task_id))  # nosec B608 # the ledger's own table and column names; values bound as ?
                self._insert(conn, "history", pd.DataFrame([row]))
                conn.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM history) "
                             "WHERE lower(table_name) = 'history'")
                after = self._task(conn, task_id)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise LedgerStoreError(_sqlite_message(self.label(), exc, "销号未保存")) from None
        finally:
            conn.close()
        if added:
            self._after_upgrade()
        return after

    @staticmethod
    def _task(conn: sqlite3.Connection, task_id: str) -> Dict[str, Any]:
        cur = conn.execute(f'SELECT {column_list(TASK_COLUMNS)} FROM "tasks" WHERE "task_id" = ?', (task_id,))  # nosec B608 # the ledger's own table and column names; values bound as ?
        row = cur.fetchone()
        if row is None:
            raise no_task(task_id)
        return dict(zip(TASK_COLUMNS, row))

    def table_layer(self, table: str) -> QgsVectorLayer:
        return QgsVectorLayer(f"{self.path}|layername={table}", LAYER_TITLES.get(table, table), "ogr")


def _sqlite_message(label: str, exc: BaseException, unchanged: str) -> str:
    """SQLite's reason in words a user reads (a lock held too long is the usual one)."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        reason_zh, reason_en = "文件正被他人或其他程序写入（已锁定），请稍后重试", "the file is locked by another writer; try again"
    elif "readonly" in text or "read-only" in text or "unable to open" in text:
        reason_zh, reason_en = "文件不可写（只读或无权限）", "the file cannot be written (read-only or no permission)"
    elif "disk" in text or "full" in text:
        reason_zh, reason_en = "磁盘已满或写入出错", "the disk is full or failed"
    else:
        reason_zh, reason_en = "写入出错", "the write failed"
    return f"无法写入{label}：{reason_zh}；{unchanged} / cannot write the ledger: {reason_en}"


def _gpkg_point(lon: Optional[float], lat: Optional[float], srs_id: int) -> Optional[bytes]:
    """A GeoPackage geometry blob: 'GP', version 0, flags (little-endian header, no envelope), srs id, WKB."""
    if lon is None or lat is None:
        return None
    wkb = shapely.to_wkb(shapely.Point(lon, lat), byte_order=1)
    return b"GP" + struct.pack("<BBi", 0, 1, int(srs_id)) + wkb
