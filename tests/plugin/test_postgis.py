"""The bureau's database, both ways, on a real PostgreSQL + PostGIS started for these tests.

Inputs read as QGIS `postgres` layers (through a saved connection whose credentials live in QGIS's
authentication database) give the same flags as the files, by bluesky:run_all and by the dock; the results
go to a PostGIS schema (Processing and dock), read back in QGIS; no connection detail leaks into any output,
log or project; a database that goes away mid-write leaves the previous results in place.
"""
from __future__ import annotations

import re
import subprocess
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pyogrio
import pytest
from demo_fixture import build_demo_layers
from postgis_fixture import add_qgis_connection, start_postgis_server, stop_postgis_server
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsDataSourceUri,
    QgsProcessingFeedback,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
    QgsVectorLayerExporter,
)
from task_wait import wait_for

CONNECTION = "省厅共享库"
INPUT_SCHEMA = "清单"
RESULT_SCHEMA = "蓝天结果"
INPUT_TABLES = {"admin": "县级行政区", "boilers": "锅炉", "mines": "矿山", "plants": "工业企业", "chp": "热电厂"}
CONTRACT_TABLES = ["coal_ban_zone", "region_1p30", "key_city_groups", "north_coal_zero", "cluster_counties",
                   "chp_heating_radius", "mine_closure_zone", "planning_area", "enterprise_flags",
                   "enterprise_verdicts", "to_verify"]


class RecordingFeedback(QgsProcessingFeedback):
    """Keeps every text Processing would show the user."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: List[str] = []

    def pushInfo(self, info):  # noqa: N802 - QGIS API
        self.texts.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.texts.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802
        self.texts.append(error)
        super().reportError(error, fatalError)

    def setProgressText(self, text):  # noqa: N802
        self.texts.append(text)
        super().setProgressText(text)


@dataclass
class Database:
    server: object
    authcfg: str
    log: List[tuple]  # (tag, message) of every QgsMessageLog message since the server started


@pytest.fixture(scope="module")
def database(qgis_app, qgis_processing):
    server = start_postgis_server()
    log: List[tuple] = []

    def keep(message, tag, _level):
        log.append((tag, message))

    QgsApplication.messageLog().messageReceived.connect(keep)
    try:
        authcfg = add_qgis_connection(server, CONNECTION)
        server.psql(f'CREATE SCHEMA "{INPUT_SCHEMA}" AUTHORIZATION {server.user}')
        yield Database(server, authcfg, log)
    finally:
        QgsApplication.messageLog().messageReceived.disconnect(keep)
        stop_postgis_server(server)


@pytest.fixture(scope="module")
def demo(qgis_processing, tmp_path_factory):
    return build_demo_layers(tmp_path_factory.mktemp("pg_demo"))


def _db_uri(db: Database, schema: str, table: str, geometry: str = "geom") -> str:
    uri = QgsDataSourceUri(db.server.conninfo(db.authcfg))
    uri.setDataSource(schema, table, geometry, "", "id")
    return uri.uri(False)


@pytest.fixture(scope="module")
def pg_inputs(database, demo) -> Dict[str, QgsVectorLayer]:
    """The demo's counties and lists imported into PostGIS the way a QGIS user does it (QgsVectorLayerExporter,
    as DB Manager), then opened as `postgres` layers through the saved connection's authcfg."""
    files = {"admin": demo.admin, **demo.lists}
    layers = {}
    for key, table in INPUT_TABLES.items():
        source = QgsVectorLayer(files[key], key, "ogr")
        assert source.isValid(), files[key]
        error, message = QgsVectorLayerExporter.exportLayer(source, _db_uri(database, INPUT_SCHEMA, table), "postgres",
                                                            source.crs(), False, {})
        assert error == Qgis.VectorExportResult.Success, message
        layer = QgsVectorLayer(_db_uri(database, INPUT_SCHEMA, table), f"{table}（数据库）", "postgres")
        assert layer.isValid() and layer.providerType() == "postgres"
        assert layer.featureCount() == source.featureCount()
        layers[key] = layer
    return layers


def _params(admin, lists, out: Path, **extra) -> dict:
    return {"ADMIN": admin, "BUILTUP": extra.pop("BUILTUP"), "BOILERS": lists["boilers"], "MINES": lists["mines"],
            "PLANTS": lists["plants"], "CHP": lists["chp"], "OUTPUT_DIR": str(out), **extra}


def _rule_counts(flags_gpkg) -> Counter:
    hits = pyogrio.read_dataframe(flags_gpkg, layer="enterprise_flags", read_geometry=False)
    return Counter(hits["rule_id"])


def _layer_counts(*gpkgs) -> Dict[str, int]:
    return {name: pyogrio.read_info(path, layer=name)["features"]
            for path in gpkgs for name, _ in pyogrio.list_layers(path)}


@pytest.fixture(scope="module")
def file_run(qgis_processing, demo, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("pg_file_run") / "files"
    processing.run("bluesky:run_all", _params(demo.admin, demo.lists, out, BUILTUP=demo.builtup))
    return out


@pytest.fixture(scope="module")
def pg_run(qgis_processing, demo, pg_inputs, tmp_path_factory):
    """run_all on the `postgres` layers, every output on, the results also written to the PostGIS schema."""
    import processing

    out = tmp_path_factory.mktemp("pg_db_run") / "省级共享"
    feedback = RecordingFeedback()
    started = time.perf_counter()
    res = processing.run("bluesky:run_all", _params(
        pg_inputs["admin"], pg_inputs, out, BUILTUP=demo.builtup, WRITE_WORKBOOK=True, PRINT_ATLAS=True,
        SAVE_PROJECT=True, DB_CONNECTION=CONNECTION, DB_SCHEMA=RESULT_SCHEMA), feedback=feedback)
    return out, res, feedback, time.perf_counter() - started


def _result_layer(table: str) -> QgsVectorLayer:
    from bluesky_zoning.layers.postgis_output import DatabaseDestination, result_table_layer

    return result_table_layer(DatabaseDestination(CONNECTION, RESULT_SCHEMA), table)


# -- reading --------------------------------------------------------------------------------------------
def test_postgres_layers_give_the_same_flags_as_the_files(file_run, pg_run):
    out, res, _, _ = pg_run
    files, database = _rule_counts(file_run / "flags.gpkg"), _rule_counts(out / "flags.gpkg")
    print("per-rule flags, files:", dict(sorted(files.items())))
    print("per-rule flags, postgres:", dict(sorted(database.items())))
    assert sum(files.values()) > 100 and len(files) >= 5
    assert database == files
    assert _layer_counts(out / "flags.gpkg") == _layer_counts(file_run / "flags.gpkg")
    assert _layer_counts(out / "zones.gpkg") == _layer_counts(file_run / "zones.gpkg")
    assert res["FLAGS"] == sum(files.values())


# -- writing --------------------------------------------------------------------------------------------
def test_results_in_postgis_read_back_as_qgis_layers(pg_run):
    out, res, _, _ = pg_run
    expected = _layer_counts(out / "zones.gpkg", out / "flags.gpkg")
    assert set(expected) == set(CONTRACT_TABLES)
    assert res["DB_TABLES"] == len(CONTRACT_TABLES) + 1  # + bluesky_run
    for table in CONTRACT_TABLES:
        layer = _result_layer(table)
        assert layer.isValid() and layer.providerType() == "postgres", table
        assert layer.featureCount() == expected[table], table
    verdicts = _result_layer("enterprise_verdicts")
    assert verdicts.crs().authid() == "EPSG:4326" and verdicts.geometryType() == 0  # points
    names = {f["name"] for f in verdicts.getFeatures()}
    gpkg_names = set(pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_verdicts", read_geometry=False)["name"])
    assert names == gpkg_names and any("\u4e00" <= ch <= "\u9fff" for ch in "".join(names))
    flags = _result_layer("enterprise_flags")
    gpkg_flags = pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    assert Counter(f["rule_id"] for f in flags.getFeatures()) == Counter(gpkg_flags["rule_id"])
    assert {f["clause"] for f in flags.getFeatures()} == set(gpkg_flags["clause"])
    zone = _result_layer("coal_ban_zone")
    assert zone.featureCount() > 0 and zone.wkbType() in (6, 1006, 3006)  # MultiPolygon
    run = {f["layer_name"]: (f["run"], f["features"]) for f in _result_layer("bluesky_run").getFeatures()}
    assert run["enterprise_flags"] == ("省级共享", expected["enterprise_flags"])


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _texts_of(out: Path) -> Dict[str, str]:
    """Every output file as text: raw bytes decoded, zip members (project, workbook, county packages) unpacked,
    the atlas through pdftotext."""
    texts = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
        if path.suffix.lower() in (".qgz", ".xlsx", ".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    texts[f"{path}!{member}"] = archive.read(member).decode("utf-8", "replace")
        if path.suffix.lower() == ".pdf":
            texts[f"{path}!text"] = _pdf_text(path)
    return texts


def _leaks(text: str, db: Database) -> List[str]:
    server = db.server
    found = [s for s in (server.password, server.user, server.dbname, db.authcfg, "host=", "127.0.0.1", "port=",
                         "password=")
             if s in text]
    if re.search(rf"(?<![\d.]){server.port}(?![\d.])", text):
        found.append(str(server.port))
    return found


def test_no_connection_detail_in_outputs_logs_or_project(database, pg_run):
    out, res, feedback, _ = pg_run
    names = {p.name for p in out.iterdir()}
    assert {"zones.gpkg", "flags.gpkg", "atlas.pdf", "summary.xlsx", "省级共享.qgz"} <= names
    texts = _texts_of(out)
    assert any(k.endswith("!text") for k in texts) and any(".qgz!" in k for k in texts)
    assert "县" in texts[str(out / "atlas.pdf") + "!text"]
    for where, text in texts.items():
        assert not _leaks(text, database), (where, _leaks(text, database))
    assert not _leaks("\n".join(feedback.texts), database)
    assert not _leaks(repr(res), database)
    # every message QGIS logged, the plugin's and Processing's included (the PostGIS provider's own
    # diagnostics are QGIS's, not ours, and appear only when a connection fails)
    ours = [m for tag, m in database.log if tag != "PostGIS"]
    assert ours and not _leaks("\n".join(ours), database)
    # what the plugin stores: the connection's name and the schema only
    assert f"已写入数据库「{CONNECTION}」的模式「{RESULT_SCHEMA}」" in "\n".join(feedback.texts)


def _table_count(server, stage: bool) -> int:
    """Tables of the result schema: the staging ones, or the others."""
    like = "LIKE" if stage else "NOT LIKE"
    return int(server.psql(f"SELECT count(*) FROM pg_tables WHERE schemaname = '{RESULT_SCHEMA}' "
                           f"AND tablename {like} '\\_bluesky\\_stage\\_%'"))


def test_database_lost_mid_write_keeps_the_previous_results(database, pg_run, monkeypatch, tmp_path):
    from bluesky_zoning.layers import postgis_output
    from bluesky_zoning.layers.postgis_output import (
        DatabaseDestination,
        DatabaseOutputError,
        write_gpkgs_to_postgis,
    )

    out = pg_run[0]
    gpkgs = [str(out / "zones.gpkg"), str(out / "flags.gpkg")]
    before = {t: _result_layer(t).featureCount() for t in CONTRACT_TABLES}
    server = database.server
    real_execute = postgis_output._execute
    seen = {"indexes": 0}

    def execute(connection, sql):
        # the server stops after the third staged table is complete, before the next table is written
        if sql.startswith("CREATE INDEX"):
            seen["indexes"] += 1
        if seen["indexes"] == 3 and sql.startswith("CREATE TABLE"):
            server.stop("fast")
        return real_execute(connection, sql)

    monkeypatch.setattr(postgis_output, "_execute", execute)
    destination = DatabaseDestination(CONNECTION, RESULT_SCHEMA)
    try:
        with pytest.raises(DatabaseOutputError) as failure:
            write_gpkgs_to_postgis(gpkgs, destination, "第二次运行")
    finally:
        if not server.running():
            server.start()
    message = str(failure.value)
    print(message)
    assert message.startswith("写入数据库时连接中断")
    assert "原有的结果保持不变" in message and CONNECTION in message and RESULT_SCHEMA in message
    assert not _leaks(message, database)
    assert failure.value.__cause__ is None  # QGIS's own text (it may hold the URI) is not chained
    monkeypatch.setattr(postgis_output, "_execute", real_execute)
    # the previous run's tables are all there, complete, and still that run's
    assert {t: _result_layer(t).featureCount() for t in CONTRACT_TABLES} == before
    runs = {f["run"] for f in _result_layer("bluesky_run").getFeatures()}
    assert runs == {"省级共享"}
    assert _table_count(server, stage=False) == len(CONTRACT_TABLES) + 1
    # the three staged tables could not be dropped without a server; the first write after the leftovers are
    # an hour old drops them (made immediate here)
    assert _table_count(server, stage=True) == 3
    monkeypatch.setattr(postgis_output, "STALE_STAGE_SECONDS", -1)
    # a write once the database is back replaces that run's tables in one go
    tables = write_gpkgs_to_postgis(gpkgs, destination, "第三次运行")
    assert _table_count(server, stage=True) == 0
    assert {f["run"] for f in _result_layer("bluesky_run").getFeatures()} == {"第三次运行"}
    assert {t: _result_layer(t).featureCount() for t in CONTRACT_TABLES} == before == {t: tables[t] for t in before}


def test_an_unreachable_database_is_named_without_details(database, pg_run):
    from bluesky_zoning.layers.postgis_output import (
        DatabaseDestination,
        DatabaseOutputError,
        write_gpkgs_to_postgis,
    )

    out = pg_run[0]
    server = database.server
    before = {t: _result_layer(t).featureCount() for t in ("enterprise_flags", "coal_ban_zone")}
    server.stop("fast")
    try:
        with pytest.raises(DatabaseOutputError) as failure:
            write_gpkgs_to_postgis([str(out / "flags.gpkg")], DatabaseDestination(CONNECTION, RESULT_SCHEMA), "离线")
    finally:
        server.start()
    message = str(failure.value)
    assert message.startswith(f"无法连接数据库「{CONNECTION}」") and "原有的结果保持不变" in message
    assert not _leaks(message, database)
    assert {t: _result_layer(t).featureCount() for t in before} == before


def test_a_failing_table_rolls_back_the_whole_swap(database, pg_run):
    """A colleague's view on a result table stops the replacement inside the transaction: nothing changes."""
    from bluesky_zoning.layers.postgis_output import (
        DatabaseDestination,
        DatabaseOutputError,
        write_gpkgs_to_postgis,
    )

    out = pg_run[0]
    server = database.server
    run_before = {f["run"] for f in _result_layer("bluesky_run").getFeatures()}
    server.psql(f'CREATE VIEW "{RESULT_SCHEMA}".closures AS SELECT * FROM "{RESULT_SCHEMA}".to_verify')
    try:
        with pytest.raises(DatabaseOutputError) as failure:
            write_gpkgs_to_postgis([str(out / "zones.gpkg"), str(out / "flags.gpkg")],
                                   DatabaseDestination(CONNECTION, RESULT_SCHEMA), "被拒绝的运行")
    finally:
        server.psql(f'DROP VIEW "{RESULT_SCHEMA}".closures')
    assert "依赖" in str(failure.value) and "原有的结果保持不变" in str(failure.value)
    assert {f["run"] for f in _result_layer("bluesky_run").getFeatures()} == run_before
    assert _table_count(server, stage=True) == 0  # its staged tables were dropped


def test_the_dock_reads_postgres_layers_and_writes_the_schema(database, demo, pg_inputs, file_run, qgis_iface,
                                                                tmp_path):
    import bluesky_zoning.ui.dock as dock_module

    project = QgsProject.instance()
    project.clear()
    # Layers of its own: those of the fixture were handed to Processing by earlier tests, which may own them now.
    layers = {key: QgsVectorLayer(_db_uri(database, INPUT_SCHEMA, table), f"{table}（数据库）", "postgres")
              for key, table in INPUT_TABLES.items()}
    assert all(layer.isValid() for layer in layers.values())
    builtup = QgsRasterLayer(demo.builtup, "建成区", "gdal")
    project.addMapLayers([builtup, *layers.values()])
    dock = dock_module.BlueSkyDock(qgis_iface)
    try:
        u = dock.ui
        u.outDir.setFilePath(str(tmp_path / "runs"))
        u.adminCombo.setLayer(layers["admin"])
        u.builtupCombo.setLayer(builtup)
        for kind, combo in (("boilers", u.boilersCombo), ("mines", u.minesCombo), ("plants", u.plantsCombo),
                            ("chp", u.chpCombo)):
            combo.setLayer(layers[kind])
        task = dock.run_analysis()
        assert task is not None
        wait_for(task)
        assert task.exception is None, task.trace
        assert _rule_counts(dock.result_paths["flags"]) == _rule_counts(file_run / "flags.gpkg")
        # the 输出 tab's database destination: a saved connection and a schema typed in
        u.dbConnection.setConnection(CONNECTION)
        assert u.dbSchema.findText(INPUT_SCHEMA) >= 0  # the connection's schemas are listed
        u.dbSchema.setEditText("县区共享")
        task = dock.write_database()
        assert task is not None
        wait_for(task)
        assert task.exception is None, task.trace
        assert "县区共享" in u.outputStatus.text()
        run_name = Path(dock.result_paths["flags"]).parent.name
        from bluesky_zoning.layers.postgis_output import DatabaseDestination, result_table_layer

        destination = DatabaseDestination(CONNECTION, "县区共享")
        run = {f["layer_name"]: (f["run"], f["features"]) for f in result_table_layer(destination, "bluesky_run").getFeatures()}
        counts = _layer_counts(dock.result_paths["zones"], dock.result_paths["flags"])
        assert {k: v[1] for k, v in run.items()} == counts and {v[0] for v in run.values()} == {run_name}
        assert result_table_layer(destination, "enterprise_flags").featureCount() == counts["enterprise_flags"]
        # the dock remembers the connection's name and the schema, nothing else of the database
        dock.save_settings()
        from qgis.core import QgsSettings

        settings = QgsSettings()
        assert settings.value("bluesky_zoning/db_connection") == CONNECTION
        stored = "\n".join(str(settings.value(k)) for k in settings.allKeys() if k.startswith("bluesky_zoning/"))
        assert not _leaks(stored, database)
        assert not _leaks(u.runLog.toPlainText(), database)
    finally:
        dock.close_and_cleanup()
        project.clear()
