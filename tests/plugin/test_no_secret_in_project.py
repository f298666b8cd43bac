"""No secret in a project: a PostGIS connection whose password is saved in QGIS's connection settings (no authcfg).

Through the dock as an analyst uses it: the 进度 tab keeps the monthly ledger in a PostGIS schema and a click on
the county table adds its task layer; the 输出 tab writes the run's tables to a schema, which are then opened with
the plugin's own `result_table_layer`. The project, saved as .qgs and as .qgz, holds no password (the layers
carry host, port, database and user, never the password), and every layer is valid: in this session, and again
when the saved project is read back (QGIS's credential cache holds the password for the connection's realm).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from qgis.core import QgsDataSourceUri, QgsProject, QgsProviderRegistry
from task_wait import wait_for

CONNECTION = "县局共享库（密码保存在连接中）"
AUTHCFG_CONNECTION = "县局共享库（认证配置）"
LEDGER_SCHEMA = "月度台账"
RESULT_SCHEMA = "蓝天结果"
RESULT_TABLES = ("coal_ban_zone", "enterprise_flags", "enterprise_verdicts", "to_verify", "bluesky_run")


@pytest.fixture(scope="module")
def server(qgis_app):
    from postgis_fixture import start_postgis_server, stop_postgis_server

    started = start_postgis_server()
    try:
        yield started
    finally:
        stop_postgis_server(started)


@pytest.fixture(scope="module")
def password_connection(server):
    """A saved connection with user and password in QGIS's connection settings, as the Data Source Manager
    saves it when the user ticks "Store" for both."""
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    uri = (f"dbname='{server.dbname}' host={server.host} port={server.port} user='{server.user}' "
           f"password='{server.password}' sslmode=disable")
    metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": "true", "savePassword": "true"}),
                            CONNECTION)
    saved = QgsDataSourceUri(metadata.findConnection(CONNECTION).uri())
    assert saved.password() == server.password and not saved.authConfigId()  # the premise: the secret is there
    yield CONNECTION
    metadata.deleteConnection(CONNECTION)


@pytest.fixture(scope="module")
def dock(qgis_iface):
    import bluesky_zoning.ui.dock as dock_module

    QgsProject.instance().clear()
    widget = dock_module.BlueSkyDock(qgis_iface)
    yield widget
    widget.close_and_cleanup()
    QgsProject.instance().clear()


def _postgres_layers(project):
    return [layer for layer in project.mapLayers().values() if layer.providerType() == "postgres"]


def _texts_of_project(path: Path):
    """{where: text} of a saved project: the .qgs itself, or every member of the .qgz."""
    if path.suffix == ".qgz":
        with zipfile.ZipFile(path) as archive:
            return {f"{path.name}!{m}": archive.read(m).decode("utf-8", "replace") for m in archive.namelist()}
    return {path.name: path.read_text(encoding="utf-8")}


def test_the_plugins_database_layers_carry_no_password(server, password_connection, dock, outputs_fixture,
                                                       tmp_path):
    from bluesky_zoning.layers.postgis_output import DatabaseDestination, result_table_layer

    run = outputs_fixture(tmp_path / "run" / "省级共享")
    project = QgsProject.instance()
    dock.result_paths = {"zones": str(run.zones_gpkg), "flags": str(run.flags_gpkg), "admin": str(run.admin_gpkg)}
    dock.output.on_results()
    dock.progress.on_results()

    # the 进度 tab: the ledger in a PostGIS schema of the connection, one month, a click adds the task layer
    panel = dock.progress
    panel.location.setCurrentIndex(panel.location.findData("postgis"))
    panel.db_connection.setConnection(password_connection)
    panel.db_schema.setEditText(LEDGER_SCHEMA)
    panel.db_schema.lineEdit().editingFinished.emit()
    if panel.reading is not None:
        wait_for(panel.reading)
    panel.new_month.setText("2020-07")
    task = panel.update_ledger()
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    total = next(r for r in range(panel.table.rowCount()) if panel.row_key(r) == ("*", "*"))
    assert panel.tasks.on_county_row(total) > 0
    ledger_layer = panel.tasks.layer()
    assert ledger_layer is not None and ledger_layer.providerType() == "postgres"

    # the 输出 tab: the run's tables written to a schema of the same connection, then opened as layers
    u = dock.ui
    u.dbConnection.setConnection(password_connection)
    u.dbSchema.setEditText(RESULT_SCHEMA)
    task = dock.write_database()
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    destination = DatabaseDestination(password_connection, RESULT_SCHEMA)
    results = [result_table_layer(destination, table) for table in RESULT_TABLES]
    project.addMapLayers(results)

    layers = _postgres_layers(project)
    assert len(layers) == 1 + len(RESULT_TABLES)
    for layer in layers:
        uri = QgsDataSourceUri(layer.source())
        assert server.password not in layer.source() and not uri.password(), layer.name()
        assert uri.username() == server.user and uri.host() == server.host and uri.port() == str(server.port)
        # valid, and reads its rows (a feature iterator connects on its own, from QGIS's connection pool)
        assert layer.isValid(), layer.name()
        assert layer.featureCount() > 0 and len(list(layer.getFeatures())) == layer.featureCount(), layer.name()
    flags = next(layer for layer in results if layer.name() == "enterprise_flags")
    assert flags.featureCount() == len(run.flags)

    saved = {}
    for suffix in (".qgs", ".qgz"):
        path = tmp_path / f"台账与结果{suffix}"
        assert project.write(str(path)), project.error()
        saved[suffix] = path
        texts = _texts_of_project(path)
        assert any(LEDGER_SCHEMA in t and RESULT_SCHEMA in t for t in texts.values())  # the layers are in it
        found = {where: text.count(server.password) for where, text in texts.items()}
        print(f"{path.name}: occurrences of the connection's password per file: {found}")
        assert not any(found.values())
        assert not any("password=" in text for text in texts.values())

    # the saved projects open again in this session, every database layer valid
    for path in saved.values():
        again = QgsProject()
        assert again.read(str(path)), again.error()
        reopened = _postgres_layers(again)
        assert len(reopened) == len(layers)
        assert all(layer.isValid() and layer.featureCount() > 0 for layer in reopened), \
            [layer.name() for layer in reopened if not layer.isValid()]
        again.clear()
    project.clear()


def test_an_authcfg_connection_gives_layers_with_the_authcfg_only(server, tmp_path):
    """The usual case: the layer names the authentication configuration; no user, no password in its source."""
    from bluesky_zoning.layers.postgis_output import (
        DatabaseDestination,
        find_connection,
        layer_connection_uri,
        result_table_layer,
    )
    from postgis_fixture import add_qgis_connection

    authcfg = add_qgis_connection(server, AUTHCFG_CONNECTION)
    uri = layer_connection_uri(find_connection(AUTHCFG_CONNECTION))
    assert uri.authConfigId() == authcfg and not uri.password() and not uri.username()
    find_connection(AUTHCFG_CONNECTION).executeSql('CREATE SCHEMA IF NOT EXISTS "认证" ; '
                                                   'CREATE TABLE IF NOT EXISTS "认证".t (fid integer PRIMARY KEY)')
    layer = result_table_layer(DatabaseDestination(AUTHCFG_CONNECTION, "认证"), "t")
    assert layer.isValid() and f"authcfg={authcfg}" in layer.source()
    assert server.password not in layer.source() and server.user not in layer.source()
