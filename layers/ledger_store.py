"""Where the monthly ledger lives: a GeoPackage of its own (default) or a PostGIS schema a team shares.

The ledger's logic is ``analysis/ledger.py``; this module reads the stored ledger, hands it to
``update_ledger`` / ``check_off_change`` and writes back only what changed (``ledger_diff``), in one
transaction, so nothing is ever rebuilt from scratch and a colleague's check-off saved meanwhile stays:

- the monthly update writes the data's columns of new or changed tasks (an upsert that never touches the
  check-off columns; ``disagree`` is worked out from the stored check-off), replaces that month's data
  rows of ``history``, its ``monthly_progress`` rows and its ``months`` row, and bumps ``ledger_meta.version``;
- a check-off is a row-level UPDATE of one task's check-off columns plus one ``history`` row.

GeoPackage: SQLite's own transactions (``BEGIN IMMEDIATE`` before the read, so two updates or an update and
a check-off queue instead of interleaving). The file is updated in place rather than replaced: QGIS keeps the
ledger's layers open (on Windows a replaced open file cannot be renamed over) and a transaction is already
whole-or-nothing. Only a missing ledger is created through a temporary file and a rename.

PostGIS: through the saved QGIS connection (``layers/postgis_output.py``: its name and the schema are all the
plugin stores). The monthly update reads, computes, then sends one statement string, run by PostgreSQL as one
transaction, that first locks ``ledger_meta`` (``SELECT … FOR UPDATE``) and checks the version it read: if
another session updated the ledger in between, nothing is written and the update is worked out again.
"""
from __future__ import annotations

import getpass
import os
import sqlite3
import struct
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from qgis.core import QgsApplication, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

from ..analysis.ledger import (
    CHECK_COLUMNS,
    DATA_COLUMNS,
    FIELD_ALIASES,
    FLOAT_COLUMNS,
    HISTORY_COLUMNS,
    INT_COLUMNS,
    MONTH_COLUMNS,
    PROGRESS_COLUMNS,
    TASK_COLUMNS,
    Ledger,
    LedgerDiff,
    LedgerError,
    LedgerUpdate,
    check_off_change,
    empty_ledger,
    ledger_diff,
    normalised,
    parse_month,
    update_ledger,
)
from ..analysis.validation import OutputError
from .postgis_output import (
    SYSTEM_SCHEMAS,
    DatabaseDestination,
    _is_connection_loss,
    _pg_detail,
    find_connection,
    quote_ident,
    quote_literal,
    result_table_layer,
)
from .styling import apply_style

__all__ = ["LedgerStore", "GpkgLedger", "PostgisLedger", "LedgerStoreError", "open_ledger", "read_flags",
           "current_user", "LEDGER_TABLES", "LAYER_TITLES"]

LEDGER_KIND = "bluesky_zoning ledger"
TABLE_COLUMNS: Dict[str, List[str]] = {"tasks": TASK_COLUMNS, "history": HISTORY_COLUMNS,
                                       "monthly_progress": PROGRESS_COLUMNS, "months": MONTH_COLUMNS}
LEDGER_TABLES: Tuple[str, ...] = ("tasks", "monthly_progress", "history", "months")
LAYER_TITLES: Dict[str, str] = {"tasks": "月度台账·任务", "monthly_progress": "月度台账·分县进度",
                                "history": "月度台账·状态变更记录", "months": "月度台账·各月更新"}
BUSY_TIMEOUT_S = 120.0  # a check-off waits this long for a monthly update holding the GeoPackage
MAX_ATTEMPTS = 5  # a PostGIS monthly update worked out again when another session got in first
CHANGED = "bluesky_ledger_changed"


class LedgerStoreError(OutputError):
    """The ledger could not be read or written; nothing of this update or check-off was saved."""


# ------------------------------------------------------------------------------------------ helpers
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


def _plain(value: Any) -> Any:
    """A value from QGIS's executeSql as plain Python (QVariant NULL → None)."""
    if isinstance(value, QVariant):
        return None if value.isNull() else value.value()
    return value


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> List[tuple]:
    """Rows as tuples of plain Python values (None for missing, int / float / str)."""
    out = []
    for values in frame[list(columns)].itertuples(index=False, name=None):
        row = []
        for col, v in zip(columns, values):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                row.append(None)
            elif col in INT_COLUMNS:
                row.append(int(v))
            elif col in FLOAT_COLUMNS:
                row.append(float(v))
            else:
                row.append(str(v))
        out.append(tuple(row))
    return out


def _q(columns: Sequence[str]) -> str:
    return ", ".join(quote_ident(c) for c in columns)


def _pg_type(col: str) -> str:
    return "integer" if col in INT_COLUMNS else "double precision" if col in FLOAT_COLUMNS else "text"


_UPSERT_COLUMNS = [c for c in DATA_COLUMNS if c != "task_id"]


# ------------------------------------------------------------------------------------------ the interface
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
                     flags_label: Optional[str] = None) -> LedgerUpdate:
        """Fold one month's flags (a DataFrame or a flags.gpkg path) into the ledger, creating it when missing."""
        raise NotImplementedError

    def check_off(self, task_id: str, by: str, evidence: str = "", note: str = "", revert: bool = False) -> Dict[str, Any]:
        """Tick one task off by hand (or take the tick back); the task's row afterwards."""
        raise NotImplementedError

    def table_layer(self, table: str) -> QgsVectorLayer:
        raise NotImplementedError

    def layers(self) -> List[Tuple[str, QgsVectorLayer]]:
        """(table, layer) of the ledger's four tables, tasks styled (done greyed, overdue red), Chinese aliases."""
        out = []
        for table in LEDGER_TABLES:
            layer = self.table_layer(table)
            if not layer.isValid():
                continue
            if table == "tasks":
                apply_style(layer, "ledger_tasks")
            else:
                for i, fld in enumerate(layer.fields()):
                    if fld.name() in FIELD_ALIASES:
                        layer.setFieldAlias(i, FIELD_ALIASES[fld.name()])
            layer.setCustomProperty("bluesky_zoning/ledger", table)
            out.append((table, layer))
        return out

    @staticmethod
    def _flags(flags: Union[pd.DataFrame, str, Path], flags_label: Optional[str]) -> Tuple[pd.DataFrame, str]:
        if isinstance(flags, (str, Path)):
            return read_flags(flags), flags_label or os.path.basename(str(flags).partition("|")[0])
        return flags, flags_label or ""


def open_ledger(path: Optional[Union[str, Path]] = None,
                destination: Optional[DatabaseDestination] = None) -> LedgerStore:
    """The ledger in a GeoPackage ``path`` or in a PostGIS ``destination`` (exactly one of them)."""
    if bool(path) == bool(destination):
        raise LedgerStoreError("请选择台账位置：一个 GeoPackage 文件或一个数据库连接与模式（二者选一） / "
                               "choose where the ledger is: a GeoPackage file or a database connection and schema")
    return GpkgLedger(path) if path else PostgisLedger(destination)


# ------------------------------------------------------------------------------------------ GeoPackage
class GpkgLedger(LedgerStore):
    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)

    def label(self) -> str:
        return f"台账文件「{self.path.name}」"

    def exists(self) -> bool:
        return self.path.is_file()

    # -- creating --------------------------------------------------------------------------------------
    def _create(self) -> None:
        """An empty ledger, written whole to a temporary file beside the target and renamed over it."""
        import pyogrio

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self.path.stem}-", suffix=".gpkg", dir=str(self.path.parent))
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # GDAL creates the GeoPackage itself
        try:
            empty = empty_ledger()
            tasks = gpd.GeoDataFrame(empty.tasks, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
            # no R-tree: its triggers call GDAL's SQL functions, which a plain SQLite connection lacks
            pyogrio.write_dataframe(tasks, tmp, layer="tasks", driver="GPKG", geometry_type="Point",
                                    layer_options={"SPATIAL_INDEX": "NO"}, encoding="UTF-8")
            for table in ("history", "monthly_progress", "months"):
                pyogrio.write_dataframe(getattr(empty, "progress" if table == "monthly_progress" else table),
                                        tmp, layer=table, driver="GPKG", append=False, encoding="UTF-8")
            meta = pd.DataFrame({"key": ["kind", "version", "created_at", "created_by"],
                                 "value": [LEDGER_KIND, "0", time.strftime("%Y-%m-%dT%H:%M:%S"), current_user()]})
            pyogrio.write_dataframe(meta, tmp, layer="ledger_meta", driver="GPKG", append=False, encoding="UTF-8")
            with sqlite3.connect(str(tmp)) as conn:
                conn.execute('CREATE UNIQUE INDEX "tasks_task_id" ON "tasks" ("task_id")')
                conn.execute('CREATE INDEX "history_month" ON "history" ("month", "source")')
                conn.execute('CREATE UNIQUE INDEX "months_month" ON "months" ("month")')
                conn.execute('CREATE UNIQUE INDEX "ledger_meta_key" ON "ledger_meta" ("key")')
            conn.close()
            os.replace(tmp, self.path)
        except BaseException:
            if tmp.exists():
                tmp.unlink()
            raise

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
            frames[table] = pd.read_sql_query(f"SELECT {_q(columns)} FROM {quote_ident(table)} ORDER BY fid", conn)
        return normalised(Ledger(frames["tasks"], frames["history"], frames["monthly_progress"], frames["months"]))

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
    def update_month(self, flags, month, by=None, flags_label=None) -> LedgerUpdate:
        month = parse_month(month)  # a bad month or flags file leaves no new ledger file behind
        frame, label = self._flags(flags, flags_label)
        if not self.exists():
            self._create()
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: nobody changes the ledger between read and write
            try:
                self._check_kind(conn)
                old = self._read(conn)
                result = update_ledger(old, frame, month, by=by if by is not None else current_user(),
                                       flags_label=label)
                self._apply(conn, ledger_diff(old, result.ledger, result.month))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise LedgerStoreError(_sqlite_message(self.label(), exc, "台账未改变")) from None
        finally:
            conn.close()
        return result

    def _apply(self, conn: sqlite3.Connection, diff: LedgerDiff) -> None:
        srs = conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'tasks'").fetchone()[0]
        conn.executemany('DELETE FROM "tasks" WHERE "task_id" = ?', [(t,) for t in diff.delete_tasks])
        columns = DATA_COLUMNS + ["geom"]
        updates = ", ".join(f"{quote_ident(c)} = excluded.{quote_ident(c)}" for c in _UPSERT_COLUMNS + ["geom"])
        conn.executemany(
            f'INSERT INTO "tasks" ({_q(columns)}, "disagree") VALUES ({", ".join("?" * len(columns))}, 0) '
            f'ON CONFLICT ("task_id") DO UPDATE SET {updates}, "disagree" = CASE WHEN "tasks"."check_off" = \'done\' '
            f'AND excluded."status" <> \'done\' THEN 1 ELSE 0 END',
            [row + (_gpkg_point(row[-2], row[-1], srs),) for row in _records(diff.upsert_tasks, DATA_COLUMNS)])
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
        columns = TABLE_COLUMNS[table]
        conn.executemany(f"INSERT INTO {quote_ident(table)} ({_q(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         _records(frame, columns))

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
                conn.execute(f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM {quote_ident(table)}) "
                             f"WHERE lower(table_name) = lower(?)", (table,))

    def check_off(self, task_id, by, evidence="", note="", revert=False) -> Dict[str, Any]:
        if not self.exists():
            raise LedgerStoreError(f"找不到台账文件「{self.path}」 / ledger file not found")
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_kind(conn)
                task = self._task(conn, task_id)
                month = conn.execute('SELECT max("month") FROM "months"').fetchone()[0]
                updates, row = check_off_change(task, by, _now(), evidence, note, revert, month)
                sets = ", ".join(f"{quote_ident(c)} = ?" for c in updates)
                conn.execute(f'UPDATE "tasks" SET {sets} WHERE "task_id" = ?', (*updates.values(), task_id))
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
        return after

    @staticmethod
    def _task(conn: sqlite3.Connection, task_id: str) -> Dict[str, Any]:
        cur = conn.execute(f'SELECT {_q(TASK_COLUMNS)} FROM "tasks" WHERE "task_id" = ?', (task_id,))
        row = cur.fetchone()
        if row is None:
            raise LedgerError(f"台账中没有任务「{task_id}」 / no task '{task_id}' in the ledger")
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


def _now() -> str:
    import datetime as _dt

    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------------ PostGIS
def _pg_literal(value: Any, col: str) -> str:
    if value is None:
        return "NULL"
    if col in INT_COLUMNS:
        return str(int(value))
    if col in FLOAT_COLUMNS:
        return repr(float(value))
    return quote_literal(value)


class PostgisLedger(LedgerStore):
    def __init__(self, destination: DatabaseDestination) -> None:
        schema = destination.schema or ""
        if not schema or schema.lower() in SYSTEM_SCHEMAS or schema.startswith("pg_"):
            raise LedgerStoreError(f"请选择一个用于存放台账的模式（不能是系统模式「{schema}」） / "
                                   f"choose a schema for the ledger (not '{schema}')")
        self.destination = destination
        self._connection = None

    def label(self) -> str:
        return f"数据库{self.destination.label()}中的台账"

    @property
    def connection(self):
        if self._connection is None:
            self._connection = find_connection(self.destination.connection)
        return self._connection

    def _t(self, table: str) -> str:
        return f"{quote_ident(self.destination.schema)}.{quote_ident(table)}"

    def _sql(self, sql: str, what: Tuple[str, str]) -> List[List[Any]]:
        try:
            return [[_plain(v) for v in row] for row in self.connection.executeSql(sql)]
        except Exception as exc:  # noqa: BLE001 - QgsProviderConnectionException and friends
            raise self._failure(exc, what) from None

    def _failure(self, exc: BaseException, what: Tuple[str, str]) -> LedgerStoreError:
        text = str(exc)
        zh, en = what
        if _is_connection_loss(text):
            return LedgerStoreError(f"{zh}时与数据库「{self.destination.connection}」的连接中断，台账未改变；请检查网络与数据库服务后重试 / "
                                    f"the connection to '{self.destination.connection}' was lost while {en}; "
                                    "the ledger is unchanged")
        detail = _pg_detail(text)
        return LedgerStoreError(f"{zh}失败：{self.label()}{('：' + detail) if detail else ''}；台账未改变 / {en} failed"
                                f"{(': ' + detail) if detail else ''}; the ledger is unchanged")

    # -- the schema ------------------------------------------------------------------------------------
    def _kind(self) -> Tuple[bool, bool]:
        """(the schema holds a ledger, it holds a table of a ledger's name that is not the plugin's)."""
        schema = quote_literal(self.destination.schema)
        rows = self._sql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         f"WHERE n.nspname = {schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                         ("读取台账", "reading the ledger"))
        names = {str(r[0]) for r in rows}
        if "ledger_meta" in names:
            kind = self._sql(f"SELECT value FROM {self._t('ledger_meta')} WHERE key = 'kind'",
                             ("读取台账", "reading the ledger"))
            if kind and kind[0][0] == LEDGER_KIND:
                return True, False
        return False, bool(names & (set(TABLE_COLUMNS) | {"ledger_meta"}))

    def exists(self) -> bool:
        return self._kind()[0]

    def _ensure(self) -> None:
        found, foreign = self._kind()
        if found:
            return
        if foreign:
            raise LedgerStoreError(
                f"{self.destination.label()}中已有 tasks / history 等同名的表，但不是本插件的台账；为免覆盖他人数据未写入，"
                f"请换一个模式 / schema '{self.destination.schema}' already holds tables of the ledger's names "
                "not written by this plugin")
        s = self.destination.schema
        parts = ["SET LOCAL client_min_messages = warning",
                 f"SELECT pg_advisory_xact_lock(hashtext({quote_literal('bluesky_ledger:' + s)}))",
                 f"CREATE SCHEMA IF NOT EXISTS {quote_ident(s)}"]
        for table, columns in TABLE_COLUMNS.items():
            cols = ["fid bigserial PRIMARY KEY"]
            for c in columns:
                extra = " NOT NULL UNIQUE" if (table, c) in (("tasks", "task_id"), ("months", "month")) else ""
                default = " NOT NULL DEFAULT 0" if c in INT_COLUMNS else ""
                cols.append(f"{quote_ident(c)} {_pg_type(c)}{extra}{default}")
            if table == "tasks":
                cols.append("geom geometry(Point, 4326)")
            parts.append(f"CREATE TABLE IF NOT EXISTS {self._t(table)} ({', '.join(cols)})")
            parts.append(f"COMMENT ON TABLE {self._t(table)} IS {quote_literal(LEDGER_KIND + ': ' + table)}")
        parts.append(f"CREATE INDEX IF NOT EXISTS {quote_ident('tasks_geom_idx')} ON {self._t('tasks')} USING GIST (geom)")
        parts.append(f"CREATE INDEX IF NOT EXISTS {quote_ident('history_month_idx')} ON {self._t('history')} "
                     "(month, source)")
        parts.append(f"CREATE TABLE IF NOT EXISTS {self._t('ledger_meta')} (key text PRIMARY KEY, value text)")
        parts.append(f"COMMENT ON TABLE {self._t('ledger_meta')} IS {quote_literal(LEDGER_KIND + ': ledger_meta')}")
        parts.append(f"INSERT INTO {self._t('ledger_meta')} VALUES ('kind', {quote_literal(LEDGER_KIND)}), "
                     f"('version', '0'), ('created_at', now()::text), ('created_by', {quote_literal(current_user())}) "
                     "ON CONFLICT (key) DO NOTHING")
        self._sql("; ".join(parts), ("创建台账", "creating the ledger"))

    # -- reading ---------------------------------------------------------------------------------------
    def _version(self) -> str:
        rows = self._sql(f"SELECT value FROM {self._t('ledger_meta')} WHERE key = 'version'",
                         ("读取台账", "reading the ledger"))
        return str(rows[0][0]) if rows else "0"

    def _read_tables(self) -> Ledger:
        frames = {}
        for table, columns in TABLE_COLUMNS.items():
            rows = self._sql(f"SELECT {_q(columns)} FROM {self._t(table)} ORDER BY fid", ("读取台账", "reading the ledger"))
            frames[table] = pd.DataFrame(rows, columns=columns)
        return normalised(Ledger(frames["tasks"], frames["history"], frames["monthly_progress"], frames["months"]))

    def _read_consistent(self) -> Tuple[str, Ledger]:
        """The ledger and its version, read again when a monthly update committed while it was being read."""
        for _ in range(MAX_ATTEMPTS):
            version = self._version()
            ledger = self._read_tables()
            if self._version() == version:
                return version, ledger
        raise LedgerStoreError(f"{self.label()}正被他人频繁更新，请稍后重试 / the ledger keeps changing; try again later")

    def read(self) -> Ledger:
        if not self.exists():
            return empty_ledger()
        return self._read_consistent()[1]

    # -- the monthly update ----------------------------------------------------------------------------
    def update_month(self, flags, month, by=None, flags_label=None) -> LedgerUpdate:
        month = parse_month(month)
        frame, label = self._flags(flags, flags_label)
        self._ensure()
        for _ in range(MAX_ATTEMPTS):
            version, old = self._read_consistent()
            result = update_ledger(old, frame, month, by=by if by is not None else current_user(), flags_label=label)
            sql = self._diff_sql(ledger_diff(old, result.ledger, result.month), version)
            try:
                self.connection.executeSql(sql)
                return result
            except Exception as exc:  # noqa: BLE001
                if CHANGED in str(exc):
                    continue  # another session updated the ledger after our read: work it out again
                raise self._failure(exc, ("更新台账", "updating the ledger")) from None
        raise LedgerStoreError(f"{self.label()}正被他人同时更新，请稍后重试 / the ledger is being updated by "
                               "someone else; try again later")

    def _values(self, frame: pd.DataFrame, columns: Sequence[str]) -> List[str]:
        return ["(" + ", ".join(_pg_literal(v, c) for v, c in zip(row, columns)) + ")"
                for row in _records(frame, columns)]

    def _diff_sql(self, diff: LedgerDiff, version: str) -> str:
        s = self.destination.schema
        month = quote_literal(diff.month)
        parts = [
            "SET LOCAL client_min_messages = warning",
            f"SELECT pg_advisory_xact_lock(hashtext({quote_literal('bluesky_ledger:' + s)}))",
            # the version read must still be the stored one, else nothing of this statement string is kept
            f"DO $bluesky$ DECLARE v text; BEGIN SELECT value INTO v FROM {self._t('ledger_meta')} "
            f"WHERE key = 'version' FOR UPDATE; IF v IS DISTINCT FROM {quote_literal(version)} THEN "
            f"RAISE EXCEPTION '{CHANGED}'; END IF; END $bluesky$",
        ]
        if diff.delete_tasks:
            ids = ", ".join(quote_literal(t) for t in diff.delete_tasks)
            parts.append(f"DELETE FROM {self._t('tasks')} WHERE task_id IN ({ids})")
        if len(diff.upsert_tasks):
            rows = []
            for row in _records(diff.upsert_tasks, DATA_COLUMNS):
                cells = [_pg_literal(v, c) for v, c in zip(row, DATA_COLUMNS)]
                lon, lat = row[-2], row[-1]
                geom = "NULL" if lon is None or lat is None else \
                    f"ST_SetSRID(ST_MakePoint({float(lon)!r}, {float(lat)!r}), 4326)"
                rows.append("(" + ", ".join(cells + [geom]) + ")")
            sets = ", ".join(f"{quote_ident(c)} = EXCLUDED.{quote_ident(c)}" for c in _UPSERT_COLUMNS + ["geom"])
            parts.append(
                f"INSERT INTO {self._t('tasks')} AS t ({_q(DATA_COLUMNS)}, geom) VALUES {', '.join(rows)} "
                f"ON CONFLICT (task_id) DO UPDATE SET {sets}, disagree = CASE WHEN "
                f"t.check_off = 'done' AND EXCLUDED.status <> 'done' THEN 1 ELSE 0 END")
        parts.append(f"DELETE FROM {self._t('history')} WHERE month = {month} AND source = 'data'")
        for table, frame in (("history", diff.history_rows), ("monthly_progress", diff.progress_rows),
                             ("months", diff.month_row)):
            if table != "history":
                parts.append(f"DELETE FROM {self._t(table)} WHERE month = {month}")
            if len(frame):
                columns = TABLE_COLUMNS[table]
                parts.append(f"INSERT INTO {self._t(table)} ({_q(columns)}) VALUES "
                             + ", ".join(self._values(frame, columns)))
        parts.append(f"UPDATE {self._t('ledger_meta')} SET value = (value::bigint + 1)::text WHERE key = 'version'")
        return "; ".join(parts)

    # -- check-off -------------------------------------------------------------------------------------
    def _task(self, task_id: str) -> Dict[str, Any]:
        rows = self._sql(f"SELECT {_q(TASK_COLUMNS)} FROM {self._t('tasks')} WHERE task_id = {quote_literal(task_id)}",
                         ("读取任务", "reading the task"))
        if not rows:
            raise LedgerError(f"台账中没有任务「{task_id}」 / no task '{task_id}' in the ledger")
        return dict(zip(TASK_COLUMNS, rows[0]))

    def check_off(self, task_id, by, evidence="", note="", revert=False) -> Dict[str, Any]:
        if not self.exists():
            raise LedgerStoreError(f"{self.label()}不存在：请先更新一个月份 / there is no ledger in this schema yet")
        task = self._task(task_id)
        at = _now()
        updates, row = check_off_change(task, by, at, evidence, note, revert)  # validates; the SQL below writes
        tasks, tid = self._t("tasks"), quote_literal(task_id)
        sets = ", ".join(f"{quote_ident(c)} = {_pg_literal(updates[c], c)}" for c in CHECK_COLUMNS)
        if revert:
            guard, disagree, before, after = "AND check_off = 'done'", "0", "'done'", "status"
        else:
            guard, disagree, before, after = "", "CASE WHEN status <> 'done' THEN 1 ELSE 0 END", "status", "'done'"
        # One row: this task's check-off columns and its history line, in one statement (one transaction).
        sql = (f"WITH changed AS (UPDATE {tasks} SET {sets}, disagree = {disagree} WHERE task_id = {tid} {guard} "
               f"RETURNING task_id, status) "
               f"INSERT INTO {self._t('history')} (task_id, month, from_status, to_status, source, {quote_ident('at')}, "
               f"{quote_ident('by')}, note) SELECT task_id, (SELECT max(month) FROM {self._t('months')}), {before}, "
               f"{after}, 'manual', {quote_literal(at)}, {quote_literal(row['by'])}, "
               f"{_pg_literal(row['note'], 'note')} FROM changed")
        self._sql(sql, ("保存销号", "saving the check-off"))
        return self._task(task_id)

    def table_layer(self, table: str) -> QgsVectorLayer:
        return result_table_layer(self.destination, table, LAYER_TITLES.get(table, table))
