"""A run's results (zones, flags, verdicts, to-verify) written to a PostGIS schema, so a team shares one database.

The database is reached only through a connection saved in QGIS (Data Source Manager → PostgreSQL), whose
credentials normally live in QGIS's authentication database (``authcfg``): the plugin stores the
connection's *name* and the schema, never a host, port, user or password, and its messages name only those
two. SQL goes through QGIS's own connection API (``QgsAbstractDatabaseProviderConnection.executeSql``). A layer
the plugin makes of a database table (``layer_connection_uri``) never carries a password, so a saved project holds
none either, even when the user saved the password in the connection.

Replacing a run's tables is atomic: every table is first written to a staging table beside its target
(``_bluesky_stage_<time>_<random>_<n>``); one statement string then drops the old tables and renames the
staged ones in a single implicit transaction (PostgreSQL runs a multi-statement query without BEGIN/COMMIT
as one transaction, DDL included). If the database goes away or anything fails before or during that swap,
the previous tables stay exactly as they were; leftover staging tables are dropped when possible and otherwise
by the first write an hour or more later (dated by the server's clock).

The rows come from the run's GeoPackages (zones.gpkg, flags.gpkg), so the database holds exactly what the
files hold, plus ``bluesky_run``: one row per table with the run's label, time and feature count.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import geopandas as gpd
import pandas as pd
import shapely
from qgis.core import QgsCredentials, QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

from ..analysis.common.errors import CanceledError
from ..analysis.inputs.validation import OutputError

PROVIDER = "postgres"
MARKER = "bluesky_zoning"  # start of the comment on every table the plugin writes
RUN_TABLE = "bluesky_run"
STAGE_PREFIX = "_bluesky_stage_"
STALE_STAGE_SECONDS = 3600  # no write takes an hour: an older staging table is a lost write's leftover
KEY_COLUMN = "fid"
GEOMETRY_COLUMN = "geom"
BATCH_ROWS = 1000
BATCH_CHARS = 4_000_000  # one INSERT statement stays a few MB even with big zone polygons
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast", "topology")

Progress = Callable[[int, int, str], None]
CONNECTING = ("连接数据库", "connecting")


class DatabaseOutputError(OutputError):
    """The results could not be written to the database; the previous results there are unchanged."""


@dataclass(frozen=True)
class DatabaseDestination:
    """A saved QGIS PostgreSQL connection (by name) and a schema in it."""

    connection: str
    schema: str

    def label(self) -> str:
        """What messages show: the connection's name and the schema, no connection details."""
        return f"「{self.connection}」的模式「{self.schema}」"


@dataclass
class _Table:
    name: str
    frame: gpd.GeoDataFrame
    columns: List[Tuple[str, str]]  # (name, PostgreSQL type), geometry excluded
    geometry_type: Optional[str]  # PostGIS type name (MultiPolygon, Point, …); None: no geometry


# -- connections --------------------------------------------------------------------------------------
def postgres_connection_names() -> List[str]:
    """Names of the PostgreSQL connections saved in QGIS."""
    metadata = QgsProviderRegistry.instance().providerMetadata(PROVIDER)
    return sorted(metadata.connections().keys()) if metadata is not None else []


def find_connection(name: str):
    """The saved connection `name` (QgsAbstractDatabaseProviderConnection); DatabaseOutputError when missing."""
    metadata = QgsProviderRegistry.instance().providerMetadata(PROVIDER)
    connection = None
    if metadata is not None and name:
        try:
            connection = metadata.findConnection(name)
        except Exception:  # noqa: BLE001 - QGIS raises when the name is unknown
            connection = None
    if connection is None:
        raise DatabaseOutputError(f"找不到已保存的 PostgreSQL 连接「{name}」，请在 QGIS 数据源管理器中添加 / "
                                  f"no saved PostgreSQL connection named '{name}'")
    return connection


def layer_connection_uri(connection) -> QgsDataSourceUri:
    """The saved connection's URI as every database layer the plugin makes carries it: without a password.

    Kept: host, port, dbname, sslmode, service, authcfg and the user name. The user name is not a secret (the
    server shows it to every session) and it keeps the layer on the same login: the postgres provider asks
    QGIS's credentials for the realm of host, port, database *and* user, and QGIS's own credentials dialog
    (a project reopened in a later session) offers that user, asking for the password only. Dropped: the
    password, which a layer's source would otherwise write into every project saved with it. When the user
    saved a password in the connection (no ``authcfg``), it is handed to QGIS's credential cache for that
    realm (``QgsCredentials.put``, what the provider's own password dialog does after a login): the
    provider's first attempt without a password fails, it takes the cached one and connects, so the layer
    opens in this session as before. An ``authcfg`` connection needs nothing: the layer names the
    configuration, the authentication database holds the credentials.
    """
    uri = QgsDataSourceUri(connection.uri())
    password = uri.password()
    uri.setPassword("")
    if password:
        QgsCredentials.instance().put(uri.connectionInfo(False), uri.username(), password)
    return uri


def result_table_uri(destination: DatabaseDestination, table: str) -> str:
    """The QGIS `postgres` URI of a result table: the connection's URI without a password
    (``layer_connection_uri``) with the schema, the table and its geometry column if any."""
    connection = find_connection(destination.connection)
    rows = _execute(connection, "SELECT srid FROM geometry_columns WHERE f_table_schema = "  # nosec B608 # names through quote_ident, values through quote_literal
                                f"{quote_literal(destination.schema)} AND f_table_name = {quote_literal(table)} "
                                f"AND f_geometry_column = {quote_literal(GEOMETRY_COLUMN)}")
    uri = layer_connection_uri(connection)
    uri.setDataSource(destination.schema, table, GEOMETRY_COLUMN if rows else None, "", KEY_COLUMN)
    if rows:
        uri.setSrid(str(rows[0][0]))
    return uri.uri(False)


def result_table_layer(destination: DatabaseDestination, table: str, display_name: Optional[str] = None) -> QgsVectorLayer:
    """A QGIS `postgres` layer of one result table."""
    return QgsVectorLayer(result_table_uri(destination, table), display_name or table, PROVIDER)


# -- SQL text -----------------------------------------------------------------------------------------
def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    """A SQL string literal safe whatever standard_conforming_strings says (E'' with escaped backslashes)."""
    text = str(value).replace("\x00", "")
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def _pg_type(dtype: str) -> str:
    dtype = str(dtype).lower()
    if dtype.startswith(("int", "uint")):
        return "bigint"
    if dtype.startswith("float"):
        return "double precision"
    if dtype.startswith("bool"):
        return "boolean"
    if dtype.startswith("datetime"):
        return "timestamp"
    return "text"


def _sql_value(value: Any, pg_type: str) -> str:
    if value is None:
        return "NULL"
    try:
        if pd.isna(value):
            return "NULL"
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if pg_type == "bigint":
        return str(int(value))
    if pg_type == "double precision":
        number = float(value)
        return repr(number) if math.isfinite(number) else "NULL"
    if pg_type == "boolean":
        return "TRUE" if bool(value) else "FALSE"
    if pg_type == "timestamp":
        return quote_literal(pd.Timestamp(value).isoformat()) + "::timestamp"
    return quote_literal(value)


def _postgis_type(gpkg_type: Optional[str]) -> Optional[str]:
    if gpkg_type is None:
        return None
    name = str(gpkg_type).replace(" ", "")
    if name.endswith("Z") or name.endswith("M"):
        name = name.rstrip("ZM")
    known = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
    return name if name in known else "Geometry"


# -- reading the run's GeoPackages ---------------------------------------------------------------------
def tables_from_gpkgs(paths: Sequence[str]) -> List[_Table]:
    """Every layer of the given GeoPackages, in EPSG:4326, with its declared field and geometry types."""
    import pyogrio

    tables: List[_Table] = []
    for path in paths:
        if not path:
            continue
        for name, _ in pyogrio.list_layers(str(path)):
            info = pyogrio.read_info(str(path), layer=str(name))
            frame = pyogrio.read_dataframe(str(path), layer=str(name))
            if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and not frame.crs.equals("EPSG:4326"):
                frame = frame.to_crs("EPSG:4326")
            columns = [(str(f), _pg_type(d)) for f, d in zip(info["fields"], info["dtypes"])]
            geometry = _postgis_type(info.get("geometry_type")) if isinstance(frame, gpd.GeoDataFrame) else None
            tables.append(_Table(str(name), frame, columns, geometry))
    return tables


# -- executing ----------------------------------------------------------------------------------------
def _execute(connection, sql: str) -> List[List[Any]]:
    """One round trip (one implicit transaction). Tests replace it to make the database go away."""
    return connection.executeSql(sql)


_CONNECTION_WORDS = ("connection", "connect", "server closed", "terminating connection", "no connection",
                     "could not receive", "could not send", "timeout expired")
_DETAIL_SCRUB = re.compile(r"(host|hostaddr|port|dbname|user|password|authcfg|service)\s*=\s*('[^']*'|\S+)", re.I)


def _is_connection_loss(text: str) -> bool:
    """QGIS's "Connection error/failed …", or a server message about the connection (never the SQL's own text)."""
    low = text.lower()
    if low.startswith(("connection error", "connection failed")):
        return True
    found = re.search(r"\[([^\[]*)\]\s*$", text, re.S)
    return bool(found) and any(w in found.group(1).lower() for w in _CONNECTION_WORDS)


def _pg_detail(text: str) -> str:
    """The server's own error line (e.g. "must be owner of table …"), without the SQL and without any
    connection detail; at most 200 characters."""
    found = re.search(r"\[(?:ERROR|FATAL):\s*(.*?)\s*\]\s*$", text, re.S)
    detail = found.group(1) if found else ""
    detail = _DETAIL_SCRUB.sub(r"\1=…", detail.splitlines()[0] if detail else "")
    detail = re.sub(r'"\d{1,3}(\.\d{1,3}){3}"|\b\d{1,3}(\.\d{1,3}){3}\b', "…", detail)
    return detail[:200]


def _failure(destination: DatabaseDestination, exc: BaseException, step: Tuple[str, str]) -> DatabaseOutputError:
    """A clear, bilingual message; the previous results are unchanged in every case it is used for."""
    text = str(exc)
    stage, stage_en = step
    if _is_connection_loss(text):
        if step == CONNECTING:
            zh, en = f"无法连接数据库「{destination.connection}」", f"cannot reach the database '{destination.connection}'"
        else:
            zh = f"写入数据库时连接中断（{stage}）：与数据库「{destination.connection}」的连接已断开"
            en = f"the connection to the database '{destination.connection}' was lost while {stage_en}"
        return DatabaseOutputError(
            f"{zh}，本次结果未写入模式「{destination.schema}」，该模式中原有的结果保持不变；请检查网络与数据库服务后"
            f"重试（GeoPackage 结果不受影响） / {en}: nothing of this run was written to schema '{destination.schema}' "
            f"and the previous results there are unchanged")
    detail = _pg_detail(text)
    hint = "（有视图等其他对象依赖原有的表）" if "depend" in detail else ""
    return DatabaseOutputError(
        f"写入数据库失败（{stage}）：{destination.label()}{hint}{('：' + detail) if detail else ''}；"
        f"本次结果未写入，数据库中原有的结果保持不变 / writing to schema '{destination.schema}' of connection "
        f"'{destination.connection}' failed while {stage_en}{(': ' + detail) if detail else ''}; the previous "
        f"results there are unchanged")


def _existing_tables(connection, schema: str) -> Dict[str, Tuple[str, str]]:
    """name -> (relkind, comment) of the schema's tables and views."""
    rows = _execute(connection, (
        "SELECT c.relname, c.relkind::text, coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c "  # nosec B608 # names through quote_ident, values through quote_literal
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = {quote_literal(schema)} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"))
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}


def _refuse_foreign_tables(destination: DatabaseDestination, names: Sequence[str],
                           existing: Dict[str, Tuple[str, str]]) -> None:
    """Never drop a table the plugin did not write (a colleague's `planning_area` in `public`, say)."""
    foreign = [n for n in names if n in existing and not (existing[n][0] in ("r", "p")
                                                          and existing[n][1].startswith(MARKER))]
    if foreign:
        raise DatabaseOutputError(
            f"{destination.label()}中已有同名的表或视图「{'、'.join(foreign)}」，且不是本插件写入的；为免覆盖"
            f"他人数据未写入，请换一个模式 / schema '{destination.schema}' already holds "
            f"{', '.join(foreign)} not written by this plugin; nothing was written, choose another schema")


def _stale_stage_tables(existing: Dict[str, Tuple[str, str]], now: float) -> List[str]:
    stale = []
    for name in existing:
        found = re.match(re.escape(STAGE_PREFIX) + r"(\d+)_", name)
        if found and now - int(found.group(1)) > STALE_STAGE_SECONDS:
            stale.append(name)
    return stale


def _create_sql(schema: str, stage: str, table: _Table, comment: str) -> str:
    parts = [f"{quote_ident(KEY_COLUMN)} integer PRIMARY KEY"]
    parts += [f"{quote_ident(name)} {pg_type}" for name, pg_type in table.columns if name != KEY_COLUMN]
    if table.geometry_type:
        parts.append(f"{quote_ident(GEOMETRY_COLUMN)} geometry({table.geometry_type}, 4326)")
    sql = [f"CREATE TABLE {_qualified(schema, stage)} ({', '.join(parts)})",
           f"COMMENT ON TABLE {_qualified(schema, stage)} IS {quote_literal(comment)}"]
    return "; ".join(sql)


def _index_sql(schema: str, stage: str, table: _Table) -> str:
    if not table.geometry_type:
        return ""
    return (f"CREATE INDEX {quote_ident(stage + '_geom_idx')} ON {_qualified(schema, stage)} "
            f"USING GIST ({quote_ident(GEOMETRY_COLUMN)}); ANALYZE {_qualified(schema, stage)}")


def _insert_batches(schema: str, stage: str, table: _Table):
    """INSERT statements of at most BATCH_ROWS rows / about BATCH_CHARS characters each."""
    columns = [(n, t) for n, t in table.columns if n != KEY_COLUMN and n in table.frame.columns]
    names = [KEY_COLUMN] + [n for n, _ in columns] + ([GEOMETRY_COLUMN] if table.geometry_type else [])
    head = f"INSERT INTO {_qualified(schema, stage)} ({', '.join(quote_ident(n) for n in names)}) VALUES "  # nosec B608 # names through quote_ident, values through quote_literal
    hexes: List[Optional[str]] = []
    if table.geometry_type:
        geoms = table.frame.geometry.values
        hexes = list(shapely.to_wkb(geoms, hex=True, include_srid=False))
    multi = bool(table.geometry_type and table.geometry_type.startswith("Multi"))
    rows: List[str] = []
    size = 0
    values = table.frame[[n for n, _ in columns]].itertuples(index=False, name=None)
    for i, record in enumerate(values):
        cells = [str(i + 1)] + [_sql_value(v, t) for v, (_, t) in zip(record, columns)]
        if table.geometry_type:
            geom_hex = hexes[i]
            if geom_hex is None or shapely.is_empty(table.frame.geometry.values[i]):
                cells.append("NULL")
            else:
                geom = f"ST_GeomFromWKB(decode('{geom_hex}', 'hex'), 4326)"
                cells.append(f"ST_Multi({geom})" if multi else geom)
        row = "(" + ", ".join(cells) + ")"
        rows.append(row)
        size += len(row)
        if len(rows) >= BATCH_ROWS or size >= BATCH_CHARS:
            yield head + ", ".join(rows)
            rows, size = [], 0
    if rows:
        yield head + ", ".join(rows)


def _quiet(sql: str) -> str:
    """The statements with PostgreSQL's notices ("… does not exist, skipping") kept out of QGIS's log."""
    return f"SET LOCAL client_min_messages = warning; {sql}"


def _swap_sql(schema: str, staged: Sequence[Tuple[str, str, bool]]) -> str:
    """Drop the old tables and rename the staged ones, as one statement string (one transaction)."""
    sql: List[str] = []
    for name, stage, has_geometry in staged:
        sql.append(f"DROP TABLE IF EXISTS {_qualified(schema, name)}")
        sql.append(f"ALTER TABLE {_qualified(schema, stage)} RENAME TO {quote_ident(name)}")
        sql.append(f"ALTER INDEX {_qualified(schema, stage + '_pkey')} RENAME TO {quote_ident(name + '_pkey')}")
        if has_geometry:
            sql.append(f"ALTER INDEX {_qualified(schema, stage + '_geom_idx')} RENAME TO "
                       f"{quote_ident(name + '_geom_idx')}")
    return "; ".join(sql)


def _run_table(run_label: str, written_at: str, counts: Dict[str, int]) -> _Table:
    """bluesky_run: which run the tables hold (label, time) and how many features each has."""
    frame = pd.DataFrame({"run": run_label, "written_at": written_at, "layer_name": list(counts),
                          "features": [int(n) for n in counts.values()]})
    return _Table(RUN_TABLE, frame, [("run", "text"), ("written_at", "text"), ("layer_name", "text"),
                                     ("features", "bigint")], None)


def write_gpkgs_to_postgis(gpkg_paths: Sequence[str], destination: DatabaseDestination, run_label: str = "",
                           progress: Optional[Progress] = None,
                           is_canceled: Callable[[], bool] = lambda: False) -> Dict[str, int]:
    """Write every layer of the run's GeoPackages to the destination schema, replacing that run's tables
    atomically; {table: features}. Raises DatabaseOutputError (previous tables unchanged) or CanceledError."""
    if not destination.schema or destination.schema.lower() in SYSTEM_SCHEMAS or destination.schema.startswith("pg_"):
        raise DatabaseOutputError(f"请选择一个用于存放结果的模式（不能是系统模式「{destination.schema}」） / "
                                  f"choose a schema for the results (not '{destination.schema}')")
    report = progress or (lambda *_a: None)
    connection = find_connection(destination.connection)
    tables = tables_from_gpkgs(gpkg_paths)
    written_at = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    tables.append(_run_table(run_label, written_at, {t.name: len(t.frame) for t in tables}))
    schema = destination.schema
    comment = f"{MARKER}: {run_label} {written_at}".strip()
    staged: List[Tuple[str, str, bool]] = []
    step = CONNECTING
    total = len(tables) + 1
    try:
        # the server's clock, not this computer's, dates the staging tables: teammates' clocks differ
        now = float(_execute(connection, "SELECT extract(epoch FROM now())")[0][0])
        # this write's staging-table prefix: dated (for the stale sweep) and random (two writes at once)
        write_prefix = f"{STAGE_PREFIX}{int(now)}_{uuid.uuid4().hex[:6]}_"
        _execute(connection, _quiet(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}"))
        existing = _existing_tables(connection, schema)
        _refuse_foreign_tables(destination, [t.name for t in tables], existing)
        stale = _stale_stage_tables(existing, now)
        if stale:  # left by a write that lost its database an hour or more ago
            _execute(connection, _quiet("; ".join(f"DROP TABLE IF EXISTS {_qualified(schema, n)}" for n in stale)))
        for i, table in enumerate(tables):
            if is_canceled():
                raise CanceledError("canceled")
            step = (f"写入表 {table.name}", f"writing table {table.name}")
            report(i, total, f"写入数据库：{table.name}")
            stage = f"{write_prefix}{i}"
            staged.append((table.name, stage, bool(table.geometry_type)))
            _execute(connection, _create_sql(schema, stage, table, comment))
            for statement in _insert_batches(schema, stage, table):
                if is_canceled():
                    raise CanceledError("canceled")
                _execute(connection, statement)
            index = _index_sql(schema, stage, table)
            if index:
                _execute(connection, index)
        if is_canceled():
            raise CanceledError("canceled")
        step = ("替换原有结果", "replacing the previous tables")
        report(len(tables), total, "替换数据库中的结果")
        _execute(connection, _quiet(_swap_sql(schema, staged)))
    except CanceledError:
        _drop_staged(connection, schema, staged)
        raise
    except DatabaseOutputError:
        _drop_staged(connection, schema, staged)
        raise
    except Exception as exc:  # noqa: BLE001 - QgsProviderConnectionException and friends
        _drop_staged(connection, schema, staged)
        # not chained: QGIS's own text may hold the connection's URI (host, port, database)
        raise _failure(destination, exc, step) from None
    report(total, total, "写入数据库完成")
    return {t.name: len(t.frame) for t in tables}


def _drop_staged(connection, schema: str, staged: Sequence[Tuple[str, str, bool]]) -> None:
    """Best effort: without a database the staging tables stay, and a later write drops them."""
    if not staged:
        return
    # the database is gone: nothing more to do (and nothing to log: QGIS's text may hold the connection's URI)
    with contextlib.suppress(Exception):
        _execute(connection, _quiet("; ".join(f"DROP TABLE IF EXISTS {_qualified(schema, stage)}"
                                            for _, stage, _ in staged)))
