"""The ledger in a PostGIS schema a team shares (``open_ledger(destination=…)`` in ``ledger_store.py``).

Through the saved QGIS connection (``layers/postgis_output.py``: its name and the schema are all the plugin
stores). The monthly update reads, computes, then sends one statement string, run by PostgreSQL as one
transaction, that first locks ``ledger_meta`` (``SELECT … FOR UPDATE``) and checks the version it read: if
another session updated the ledger in between, nothing is written and the update is worked out again. A
check-off is a row-level UPDATE of one task's check-off columns plus its ``history`` row, in one statement.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import pandas as pd
from qgis.core import QgsVectorLayer

from ...analysis.ledger.tables import now, records
from ...analysis.ledger.updates import (
    CHECK_COLUMNS,
    DATA_COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    TASK_COLUMNS,
    Ledger,
    LedgerDiff,
    LedgerUpdate,
    check_off_change,
    empty_ledger,
    ledger_diff,
    with_labels,
)
from ...analysis.schema.output_fields import OUTPUT_FIELDS
from ..convert import python_value
from ..postgis_output import (
    SYSTEM_SCHEMAS,
    DatabaseDestination,
    _is_connection_loss,
    _pg_detail,
    find_connection,
    quote_ident,
    quote_literal,
    result_table_layer,
)
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
from .readable import label_exprs, label_sets, missing_labels

__all__ = ["PostgisLedger", "MAX_ATTEMPTS"]

MAX_ATTEMPTS = 5  # a PostGIS monthly update worked out again when another session got in first
CHANGED = "bluesky_ledger_changed"


def _pg_type(col: str) -> str:
    return "integer" if col in INT_COLUMNS else "double precision" if col in FLOAT_COLUMNS else "text"


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
            return [[python_value(v) for v in row] for row in self.connection.executeSql(sql)]
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
        rows = self._sql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "  # nosec B608 # names through quote_ident, values through quote_literal
                         f"WHERE n.nspname = {schema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                         ("读取台账", "reading the ledger"))
        names = {str(r[0]) for r in rows}
        if "ledger_meta" in names:
            kind = self._sql(f"SELECT value FROM {self._t('ledger_meta')} WHERE key = 'kind'",  # nosec B608 # names through quote_ident, values through quote_literal
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
        for table, columns in STORED_COLUMNS.items():
            cols = ["fid bigserial PRIMARY KEY"]
            for c in columns:
                extra = " NOT NULL UNIQUE" if (table, c) in (("tasks", "task_id"), ("months", "month")) else ""
                default = " NOT NULL DEFAULT 0" if c in INT_COLUMNS else ""
                cols.append(f"{quote_ident(c)} {_pg_type(c)}{extra}{default}")
            if table == "tasks":
                cols.append("geom geometry(Point, 4326)")
            parts.append(f"CREATE TABLE IF NOT EXISTS {self._t(table)} ({', '.join(cols)})")
            parts.append(f"COMMENT ON TABLE {self._t(table)} IS {quote_literal(LEDGER_KIND + ': ' + table)}")
            parts.extend(self._comments(table, columns))
        parts.append(f"CREATE INDEX IF NOT EXISTS {quote_ident('tasks_geom_idx')} ON {self._t('tasks')} USING GIST (geom)")
        parts.append(f"CREATE INDEX IF NOT EXISTS {quote_ident('history_month_idx')} ON {self._t('history')} "
                     "(month, source)")
        parts.append(f"CREATE TABLE IF NOT EXISTS {self._t('ledger_meta')} (key text PRIMARY KEY, value text)")
        parts.append(f"COMMENT ON TABLE {self._t('ledger_meta')} IS {quote_literal(LEDGER_KIND + ': ledger_meta')}")
        parts.append(f"INSERT INTO {self._t('ledger_meta')} VALUES ('kind', {quote_literal(LEDGER_KIND)}), "  # nosec B608 # names through quote_ident, values through quote_literal
                     f"('version', '0'), ('created_at', now()::text), ('created_by', {quote_literal(current_user())}) "
                     "ON CONFLICT (key) DO NOTHING")
        self._sql("; ".join(parts), ("创建台账", "creating the ledger"))

    def _comments(self, table: str, columns) -> List[str]:
        """Each column's Chinese name and meaning as its comment (what database tools show beside a column)."""
        return [f"COMMENT ON COLUMN {self._t(table)}.{quote_ident(c)} IS "
                f"{quote_literal(OUTPUT_FIELDS[c].alias + '：' + OUTPUT_FIELDS[c].meaning)}"
                for c in columns if c in OUTPUT_FIELDS]

    def upgrade(self, quiet: bool = False) -> None:
        """The label columns a ledger of an older version lacks: added, filled from the codes and commented, in
        one statement string (one transaction); nothing when they are there (no table lock then). Once per store."""
        if getattr(self, "_labelled", False):
            return
        try:
            if not self.exists():
                return
            schema = quote_literal(self.destination.schema)
            rows = self._sql("SELECT table_name, column_name FROM information_schema.columns "  # nosec B608 # names through quote_ident, values through quote_literal
                             f"WHERE table_schema = {schema} AND table_name IN ('tasks', 'history')",
                             ("读取台账", "reading the ledger"))
            parts = ["SET LOCAL client_min_messages = warning",
                     f"SELECT pg_advisory_xact_lock(hashtext({quote_literal('bluesky_ledger:' + self.destination.schema)}))"]
            for table in ("tasks", "history"):
                missing = missing_labels(table, [str(c) for t, c in rows if t == table])
                if not missing:
                    continue
                parts += [f"ALTER TABLE {self._t(table)} ADD COLUMN IF NOT EXISTS {quote_ident(c)} text" for c in missing]
                sets = label_sets(table, quote_literal, quote_ident, self.rule_names(), only=missing)
                parts.append(f"UPDATE {self._t(table)} SET {', '.join(sets)}")  # nosec B608 # names through quote_ident, values through quote_literal
                parts.extend(self._comments(table, STORED_COLUMNS[table]))
            if len(parts) > 2:
                self._sql("; ".join(parts), ("更新台账表结构", "upgrading the ledger's tables"))
            self._labelled = True
        except LedgerStoreError:
            if not quiet:
                raise

    # -- reading ---------------------------------------------------------------------------------------
    def _version(self) -> str:
        rows = self._sql(f"SELECT value FROM {self._t('ledger_meta')} WHERE key = 'version'",  # nosec B608 # names through quote_ident, values through quote_literal
                         ("读取台账", "reading the ledger"))
        return str(rows[0][0]) if rows else "0"

    def _read_tables(self) -> Ledger:
        frames = {}
        for table, columns in TABLE_COLUMNS.items():
            rows = self._sql(f"SELECT {column_list(columns)} FROM {self._t(table)} ORDER BY fid", ("读取台账", "reading the ledger"))  # nosec B608 # names through quote_ident, values through quote_literal
            frames[table] = pd.DataFrame(rows, columns=columns)
        return ledger_of(frames)

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
    def _rewrite(self, change, create: bool) -> LedgerUpdate:
        if create:
            self._ensure()
        self.upgrade()
        for _ in range(MAX_ATTEMPTS):
            version, old = self._read_consistent()
            result = change(old)
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
                for row in records(frame, columns)]

    def _diff_sql(self, diff: LedgerDiff, version: str) -> str:
        s = self.destination.schema
        month = quote_literal(diff.month)
        parts = [
            "SET LOCAL client_min_messages = warning",
            f"SELECT pg_advisory_xact_lock(hashtext({quote_literal('bluesky_ledger:' + s)}))",
            # the version read must still be the stored one, else nothing of this statement string is kept
            f"DO $bluesky$ DECLARE v text; BEGIN SELECT value INTO v FROM {self._t('ledger_meta')} "  # nosec B608 # names through quote_ident, values through quote_literal
            f"WHERE key = 'version' FOR UPDATE; IF v IS DISTINCT FROM {quote_literal(version)} THEN "
            f"RAISE EXCEPTION '{CHANGED}'; END IF; END $bluesky$",
        ]
        if diff.delete_tasks:
            ids = ", ".join(quote_literal(t) for t in diff.delete_tasks)
            parts.append(f"DELETE FROM {self._t('tasks')} WHERE task_id IN ({ids})")  # nosec B608 # names through quote_ident, values through quote_literal
        if len(diff.upsert_tasks):
            rows = []
            columns = DATA_COLUMNS + DATA_LABELS
            upserts = with_labels(diff.upsert_tasks, "tasks", self.rule_names())
            for row in records(upserts, columns):
                cells = [_pg_literal(v, c) for v, c in zip(row, columns)]
                lon, lat = row[columns.index("lon")], row[columns.index("lat")]
                geom = "NULL" if lon is None or lat is None else \
                    f"ST_SetSRID(ST_MakePoint({float(lon)!r}, {float(lat)!r}), 4326)"
                rows.append("(" + ", ".join(cells + [geom]) + ")")
            sets = ", ".join(f"{quote_ident(c)} = EXCLUDED.{quote_ident(c)}" for c in UPSERT_COLUMNS + ["geom"])
            parts.append(
                f"INSERT INTO {self._t('tasks')} AS t ({column_list(columns)}, geom) VALUES {', '.join(rows)} "  # nosec B608 # names through quote_ident, values through quote_literal
                f"ON CONFLICT (task_id) DO UPDATE SET {sets}, disagree = CASE WHEN "
                f"t.check_off = 'done' AND EXCLUDED.status <> 'done' THEN 1 ELSE 0 END")
        parts.append(f"DELETE FROM {self._t('history')} WHERE month = {month} AND source = 'data'")  # nosec B608 # names through quote_ident, values through quote_literal
        for table, frame in (("history", diff.history_rows), ("monthly_progress", diff.progress_rows),
                             ("months", diff.month_row)):
            if table != "history":
                parts.append(f"DELETE FROM {self._t(table)} WHERE month = {month}")  # nosec B608 # names through quote_ident, values through quote_literal
            if len(frame):
                columns = STORED_COLUMNS[table]
                parts.append(f"INSERT INTO {self._t(table)} ({column_list(columns)}) VALUES "  # nosec B608 # names through quote_ident, values through quote_literal
                             + ", ".join(self._values(with_labels(frame, table), columns)))
        parts.append(f"UPDATE {self._t('ledger_meta')} SET value = (value::bigint + 1)::text WHERE key = 'version'")  # nosec B608 # names through quote_ident, values through quote_literal
        return "; ".join(parts)

    # -- check-off -------------------------------------------------------------------------------------
    def _task(self, task_id: str) -> Dict[str, Any]:
        rows = self._sql(f"SELECT {column_list(TASK_COLUMNS)} FROM {self._t('tasks')} WHERE task_id = {quote_literal(task_id)}",  # nosec B608 # names through quote_ident, values through quote_literal
                         ("读取任务", "reading the task"))
        if not rows:
            raise no_task(task_id)
        return dict(zip(TASK_COLUMNS, rows[0]))

    def check_off(self, task_id, by, evidence="", note="", revert=False) -> Dict[str, Any]:
        if not self.exists():
            raise LedgerStoreError(f"{self.label()}不存在：请先更新一个月份 / there is no ledger in this schema yet")
        self.upgrade()
        task = self._task(task_id)
        at = now()
        updates, row = check_off_change(task, by, at, evidence, note, revert)  # validates; the SQL below writes
        updates["check_off_label"] = with_labels(pd.DataFrame([updates]), "tasks").at[0, "check_off_label"]
        tasks, tid = self._t("tasks"), quote_literal(task_id)
        sets = ", ".join(f"{quote_ident(c)} = {_pg_literal(updates[c], c)}" for c in CHECK_COLUMNS + ["check_off_label"])
        if revert:
            guard, disagree, before, after = "AND check_off = 'done'", "0", "'done'", "status"
        else:
            guard, disagree, before, after = "", "CASE WHEN status <> 'done' THEN 1 ELSE 0 END", "status", "'done'"
        # One row: this task's check-off columns and its history line, in one statement (one transaction); the
        # history's labels from the statuses as the statement finds them.
        labels = label_exprs("history", quote_literal, quote_ident)  # on the columns of `line` below
        sql = (f"WITH changed AS (UPDATE {tasks} SET {sets}, disagree = {disagree} WHERE task_id = {tid} {guard} "  # nosec B608 # names through quote_ident, values through quote_literal
               f"RETURNING task_id, status), "
               f"line AS (SELECT task_id, (SELECT max(month) FROM {self._t('months')}) AS month, {before} AS from_status, "
               f"{after} AS to_status, 'manual'::text AS source FROM changed) "
               f"INSERT INTO {self._t('history')} (task_id, month, from_status, from_label, to_status, to_label, source, "
               f"source_label, {quote_ident('at')}, {quote_ident('by')}, note) SELECT task_id, month, from_status, "
               f"{labels['from_label']}, to_status, {labels['to_label']}, source, {labels['source_label']}, {quote_literal(at)}, "
               f"{quote_literal(row['by'])}, {_pg_literal(row['note'], 'note')} FROM line")
        self._sql(sql, ("保存销号", "saving the check-off"))
        return self._task(task_id)

    def table_layer(self, table: str) -> QgsVectorLayer:
        return result_table_layer(self.destination, table, LAYER_TITLES.get(table, table))
