"""The dock's 进度 tab on a real two-month ledger GeoPackage, in the dock's Chinese.

The ledger is built through the tab itself: two months of real flags.gpkg files (three counties, a task gone in
August, a new one, an open-pit mine past its 31 August deadline) folded in with 更新台账, each in its task. Then:
the county table says what the ledger file's monthly_progress says; a click on a county selects exactly its
outstanding tasks on the ledger's task layer; a check-off through the tab is written to the ledger file; an
older month is refused and leaves the file as it was; the ledger's place is remembered for the next dock.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from qgis.core import Qgis, QgsExpression, QgsExpressionContext, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTranslator
from shapely.geometry import Point
from task_wait import wait_for

ROOT = Path(__file__).resolve().parents[2]
JULY, AUGUST = "2020-07", "2020-08"
# county -> (city, adcode, lon, lat of its enterprises)
COUNTIES = {"小店区": ("太原市", "140105", 112.56, 37.74), "清徐县": ("太原市", "140121", 112.36, 37.61),
            "尧都区": ("临汾市", "141002", 111.52, 36.08)}
XIAODIAN, YAODU = ("140105", "小店区"), ("141002", "尧都区")
TOTAL = ("*", "*")


def flag(ent_id: str, county: str, rule: str = "B-35", layer: str = "boiler", deadline: str = "2020-10-01前") -> dict:
    city, adcode, lon, lat = COUNTIES[county]
    n = int(ent_id.split("-")[-1])
    return {"ent_id": ent_id, "layer": layer, "name": f"{county}{ent_id}厂", "rule_id": rule, "action": "淘汰",
            "clause": "三(二)10", "deadline": deadline, "lead_dept": "省生态环境厅", "reason": "燃煤锅炉 4 蒸吨/小时 < 35",
            "county": county, "city": city, "adcode": adcode, "geometry": Point(lon + n * 0.004, lat + n * 0.002)}


MINE = dict(rule="M-OPEN", layer="mine", deadline="2020-08-31前")
JULY_FLAGS = [flag("GL-001", "小店区"), flag("GL-002", "小店区"), flag("GL-003", "小店区"),
              flag("GL-010", "清徐县"), flag("GL-010", "清徐县", "B-NOX"),
              flag("KS-001", "尧都区", **MINE), flag("GL-020", "尧都区")]
# August: GL-002 converted to gas (done), GL-004 new; GL-020 done; the open-pit mine is past its deadline (overdue)
AUGUST_FLAGS = [flag("GL-001", "小店区"), flag("GL-003", "小店区"), flag("GL-004", "小店区"),
                flag("GL-010", "清徐县"), flag("GL-010", "清徐县", "B-NOX"), flag("KS-001", "尧都区", **MINE)]
HEADERS = ["地市", "县区", "未完成", "本月新增", "本月销号", "重新出现", "逾期"]


def write_flags(rows, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326").to_file(
        path, layer="enterprise_flags", driver="GPKG", engine="pyogrio")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def chinese(qgis_app, tmp_path_factory):
    """The plugin's translation compiled from the .ts as shipped: the tab as the analysts read it."""
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = tmp_path_factory.mktemp("i18n") / "bluesky_zoning_zh_CN.qm"
    subprocess.run([lrelease, "-silent", str(ROOT / "i18n" / "bluesky_zoning_zh_CN.ts"), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


@pytest.fixture(scope="module")
def dock(chinese, qgis_iface):
    import bluesky_zoning.ui.dock as dock_module

    QgsProject.instance().clear()
    widget = dock_module.BlueSkyDock(qgis_iface)
    yield widget
    widget.close_and_cleanup()


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress_months")
    return (write_flags(JULY_FLAGS, folder / JULY / "flags.gpkg"),
            write_flags(AUGUST_FLAGS, folder / AUGUST / "flags.gpkg"))


@pytest.fixture(scope="module")
def ledger(dock, months, tmp_path_factory) -> Path:
    """Both months folded in through the tab's 更新台账, each the last run's flags.gpkg."""
    path = tmp_path_factory.mktemp("progress_ledger") / "台账" / "ledger.gpkg"
    panel = dock.progress
    panel.ledger_file.setFilePath(str(path))
    if panel.reading is not None:
        wait_for(panel.reading)
    assert not path.exists()  # choosing a place creates nothing; the first update does
    for flags, month in zip(months, (JULY, AUGUST)):
        dock.result_paths = {"flags": str(flags)}
        panel.on_results()
        assert panel.update_button.isEnabled()
        panel.new_month.setText(month)
        task = panel.update_ledger()
        assert task is not None
        wait_for(task)
        assert task.exception is None, task.trace
        assert panel.update_button.isEnabled() and not panel.progress_bar.isVisible()
    return path


def table_rows(panel):
    table = panel.table
    return {panel.row_key(r): [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())}


def choose_month(panel, month: str) -> None:
    panel.month_combo.setCurrentIndex(panel.month_combo.findData(month))


def row_of(panel, key) -> int:
    return next(r for r in range(panel.table.rowCount()) if panel.row_key(r) == key)


def test_the_tab_is_titled_and_built_the_ledger_month_by_month(dock, ledger, qgis_iface):
    u, panel = dock.ui, dock.progress
    assert u.tabs.tabText(u.tabs.indexOf(panel.page())) == "进度"
    assert [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())] == HEADERS
    assert [panel.month_combo.itemText(i) for i in range(panel.month_combo.count())] == [AUGUST, JULY]
    assert panel.month() == AUGUST and panel.new_month.text() == "2020-09"  # the next month, suggested
    months = pyogrio.read_dataframe(ledger, layer="months", read_geometry=False)
    assert list(months["month"]) == [JULY, AUGUST]
    said = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Success)[-1]
    assert "已更新到 2020-08" in said and "本月新增 1" in said and "本月销号 2" in said and "逾期 1" in said
    assert "2020-08" in panel.summary.text() and "逾期 1" in panel.summary.text()


def test_the_county_table_is_the_ledgers_own_count(dock, ledger):
    panel = dock.progress
    choose_month(panel, AUGUST)
    rows = table_rows(panel)
    assert panel.row_key(0) == TOTAL  # 全省合计 first
    assert rows[TOTAL] == ["全省合计", "", "6", "1", "2", "0", "1"]
    assert rows[XIAODIAN] == ["太原市", "小店区", "3", "1", "1", "0", "0"]
    assert rows[("140121", "清徐县")] == ["太原市", "清徐县", "2", "0", "0", "0", "0"]
    assert rows[YAODU] == ["临汾市", "尧都区", "1", "0", "1", "0", "1"]
    assert panel.table.item(row_of(panel, YAODU), 6).foreground().color().red() > 200  # overdue in red
    stored = pyogrio.read_dataframe(ledger, layer="monthly_progress", read_geometry=False)
    for month in (JULY, AUGUST):
        choose_month(panel, month)
        rows = table_rows(panel)
        part = stored[stored["month"] == month]
        assert len(rows) == len(part) + 1
        for r in part.itertuples():
            assert rows[(str(r.adcode), r.county)] == [r.city, r.county] + [str(int(getattr(r, c))) for c in
                                                                            ("open", "new", "done", "reopened", "overdue")]
    choose_month(panel, JULY)
    assert table_rows(panel)[XIAODIAN] == ["太原市", "小店区", "3", "3", "0", "0", "0"]  # July: all new
    assert "2020-07" in panel.summary.text()
    choose_month(panel, AUGUST)


def test_a_county_row_selects_exactly_its_open_tasks(dock, ledger):
    from bluesky_zoning.layers.styling import LEDGER_CLASS_EXPRESSION

    panel = dock.progress
    choose_month(panel, AUGUST)
    assert panel.tasks.on_county_row(row_of(panel, XIAODIAN)) == 3
    layer = panel.tasks.layer()
    assert layer is not None and QgsProject.instance().mapLayer(layer.id()) is layer
    assert layer.name() == "月度台账·任务" and layer.source().startswith(str(ledger))
    assert layer.renderer().classAttribute() == LEDGER_CLASS_EXPRESSION  # done greyed, overdue red
    selected = {f["task_id"] for f in layer.selectedFeatures()}
    assert selected == {"boiler:GL-001:B-35", "boiler:GL-003:B-35", "boiler:GL-004:B-35"}  # GL-002 is done
    assert dock.iface.activeLayer() is layer
    assert dock.iface.mapCanvas().extent().width() < 0.5  # zoomed to the county's tasks (degrees)
    listed = {panel.tasks.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(panel.tasks.table.rowCount())}
    assert listed == selected
    assert panel.tasks.label.text().startswith("太原市 · 小店区：未完成任务 3 项")
    # 尧都区: its overdue mine, first in the list and said to be overdue
    assert panel.tasks.on_county_row(row_of(panel, YAODU)) == 1
    assert {f["task_id"] for f in layer.selectedFeatures()} == {"mine:KS-001:M-OPEN"}
    assert panel.tasks.table.item(0, 2).text() == "逾期未完成"
    # the province row: every outstanding task; the layer is added once
    assert panel.tasks.on_county_row(row_of(panel, TOTAL)) == 6
    ours = [lyr for lyr in QgsProject.instance().mapLayers().values()
            if lyr.customProperty("bluesky_zoning/ledger") == "tasks"]
    assert ours == [layer]


def test_check_off_through_the_tab_is_written_to_the_ledger(dock, ledger, qgis_iface):
    from bluesky_zoning.layers.styling import LEDGER_CLASS_EXPRESSION, ledger_class
    from bluesky_zoning.ui.panels.check_off_dialog import evidence_name

    panel = dock.progress
    panel.tasks.on_county_row(row_of(panel, XIAODIAN))
    layer = panel.tasks.layer()
    assert panel.tasks.check_off_selected(by="王工", ask=False) is None  # three selected: which one?
    assert "请先选中一项任务" in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)[-1]
    target = "boiler:GL-003:B-35"
    row = next(r for r in range(panel.tasks.table.rowCount())
               if panel.tasks.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == target)
    assert panel.tasks.on_task_row(row) == target
    assert [f["task_id"] for f in layer.selectedFeatures()] == [target]
    before = pyogrio.read_dataframe(ledger, layer="tasks", read_geometry=False)
    task = panel.tasks.check_off_selected(by="小店区生态环境分局 王工", evidence=evidence_name("/档案/现场核查_GL-003.pdf"),
                                          note="锅炉已拆除", ask=False)
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    tasks = pyogrio.read_dataframe(ledger, layer="tasks", read_geometry=False).set_index("task_id")
    t = tasks.loc[target]
    assert (t["check_off"], t["checked_by"], t["evidence"], t["note"]) == ("done", "小店区生态环境分局 王工",
                                                                             "现场核查_GL-003.pdf", "锅炉已拆除")
    assert t["status"] == "open" and t["disagree"] == 1  # August's data still show it: both kept
    others = tasks.drop(index=target)
    assert others["check_off"].isna().all()
    assert (others["status"] == before.set_index("task_id").drop(index=target)["status"]).all()
    history = pyogrio.read_dataframe(ledger, layer="history", read_geometry=False)
    manual = history[history["source"] == "manual"]
    assert list(manual["task_id"]) == [target] and "证明材料：现场核查_GL-003.pdf" in manual["note"].iloc[0]
    said = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Success)[-1]
    assert "小店区生态环境分局 王工" in said and "人工销号" in said and "不一致" in said
    # the list and the map say the same: the task layer was read again, its class is the list's
    listed = {panel.tasks.table.item(r, 0).data(Qt.ItemDataRole.UserRole): panel.tasks.table.item(r, 2).text()
              for r in range(panel.tasks.table.rowCount())}
    assert listed[target] == "人工已销号（数据未消除）"
    expression = QgsExpression(LEDGER_CLASS_EXPRESSION)
    classes = {}
    for feature in layer.getFeatures():
        context = QgsExpressionContext()
        context.setFeature(feature)
        classes[feature["task_id"]] = expression.evaluate(context)
        assert classes[feature["task_id"]] == ledger_class(feature["status"], feature["check_off"], feature["overdue"])
    assert classes[target] == "checked" and classes["boiler:GL-002:B-35"] == "done"
    assert classes["mine:KS-001:M-OPEN"] == "overdue"
    # the tick taken back through the tab: the task is the data's again, the history keeps both
    assert [f["task_id"] for f in layer.selectedFeatures()] == [target]
    task = panel.tasks.check_off_selected(by="小店区生态环境分局 王工", revert=True, ask=False)
    wait_for(task)
    assert task.exception is None, task.trace
    t = pyogrio.read_dataframe(ledger, layer="tasks", read_geometry=False).set_index("task_id").loc[target]
    assert pd.isna(t["check_off"]) and t["disagree"] == 0
    history = pyogrio.read_dataframe(ledger, layer="history", read_geometry=False)
    assert list(history.loc[history["source"] == "manual", "to_status"]) == ["done", "open"]
    assert "已撤销" in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Success)[-1]


def test_the_check_off_dialog_asks_who_the_evidence_and_a_note(dock):
    from bluesky_zoning.ui.panels.check_off_dialog import CheckOffDialog

    dialog = CheckOffDialog(dock, {"task_id": "boiler:GL-001:B-35", "check_off": None}, "小店区GL-001厂", "分析员")
    assert dialog.windowTitle() == "人工销号" and dialog.by.text() == "分析员"
    dialog.evidence.setFilePath("/档案/2020-08/现场核查_GL-001.jpg")
    dialog.note.setText("已改用燃气")
    assert dialog.values() == ("分析员", "现场核查_GL-001.jpg", "已改用燃气", False)
    assert not dialog.can_revert  # nothing to take back on an unticked task
    ticked = CheckOffDialog(dock, {"task_id": "x", "check_off": "done"}, "x", "分析员")
    ticked.revert.setChecked(True)
    assert ticked.values()[3] is True


def test_an_older_month_is_refused_and_the_ledger_is_unchanged(dock, ledger, months, qgis_iface):
    panel = dock.progress
    dock.result_paths = {"flags": str(months[0])}
    before = digest(ledger)
    task = panel.update_ledger("2020-06")
    wait_for(task)
    assert task.exception is not None
    said = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)[-1]
    assert "月度台账未更新：台账已更新到 2020-08，不能再用更早的月份 2020-06" in said
    assert " / " not in said  # one language
    assert digest(ledger) == before
    assert panel.update_ledger("2020-13") is None  # not a month: said at once, nothing started
    assert "格式不对" in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)[-1]
    dock.result_paths = {"flags": str(months[1])}


def test_the_ledger_place_is_remembered_for_the_next_dock(dock, ledger, qgis_iface):
    import bluesky_zoning.ui.dock as dock_module

    panel = dock.progress
    panel.ledger_file.setFilePath("")
    panel.ledger_file.setFilePath(str(ledger))
    assert QgsSettings().value("bluesky_zoning/ledger/path", "", type=str) == str(ledger)
    other = dock_module.BlueSkyDock(qgis_iface)
    try:
        assert other.progress.reading is not None  # a remembered GeoPackage is read at once
        wait_for(other.progress.reading)
        assert other.progress.ledger_file.filePath() == str(ledger)
        assert table_rows(other.progress) == table_rows(panel)
    finally:
        other.close_and_cleanup()


def test_the_workbook_gets_the_tabs_ledger_and_month(dock, ledger, months, tmp_path):
    from bluesky_zoning.layers.workbook.writer import write_summary_workbook
    from openpyxl import load_workbook

    store, month = dock.progress.output_ledger()
    assert str(store.path) == str(ledger) and month == AUGUST
    out = write_summary_workbook(months[1], tmp_path / "summary.xlsx", None, ledger=store, month=month)
    sheet = load_workbook(out)["进度"]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    xiaodian = next(row for row in values if "小店区" in row)
    assert [v for v in xiaodian if isinstance(v, int)][-5:] == [3, 1, 1, 0, 0]  # what the tab shows


@pytest.fixture(scope="module")
def database(qgis_app):
    from postgis_fixture import add_qgis_connection, start_postgis_server, stop_postgis_server

    server = start_postgis_server()
    try:
        add_qgis_connection(server, "省厅台账库")
        yield server
    finally:
        stop_postgis_server(server)


def test_the_same_tab_on_a_ledger_in_postgis(dock, ledger, months, database):
    """A team's ledger in a PostGIS schema: the same two updates through the tab give the same table, and a click
    selects the county's tasks on the database's task layer."""
    panel = dock.progress
    choose_month(panel, AUGUST)
    in_file = table_rows(panel)
    panel.location.setCurrentIndex(panel.location.findData("postgis"))
    assert not panel.db_connection.isHidden() and panel.ledger_file.isHidden()
    panel.db_connection.setConnection("省厅台账库")
    panel.db_schema.setEditText("月度台账")
    panel.db_schema.lineEdit().editingFinished.emit()
    if panel.reading is not None:
        wait_for(panel.reading)
    assert panel.ledger is None and "月度台账" in panel.summary.text()  # not there yet: nothing created
    for flags, month in zip(months, (JULY, AUGUST)):
        dock.result_paths = {"flags": str(flags)}
        panel.on_results()
        panel.new_month.setText(month)
        task = panel.update_ledger()
        wait_for(task)
        assert task.exception is None, task.trace
    assert QgsSettings().value("bluesky_zoning/ledger/db_schema", "", type=str) == "月度台账"
    assert table_rows(panel) == in_file
    assert panel.tasks.on_county_row(row_of(panel, XIAODIAN)) == 3
    layer = panel.tasks.layer()
    assert layer.providerType() == "postgres" and "password" not in layer.source()
    assert {f["task_id"] for f in layer.selectedFeatures()} == {"boiler:GL-001:B-35", "boiler:GL-003:B-35",
                                                                 "boiler:GL-004:B-35"}
    store, month = panel.output_ledger()
    assert type(store).__name__ == "PostgisLedger" and month == AUGUST


def test_the_output_tabs_basemap_is_a_raster_layer_or_tianditu_or_none(dock, tmp_path):
    """The atlas's basemap from the 输出 tab: the chosen raster (a copy, made on the main thread), else 天地图 from
    the analyst's key (shown as dots, its source never in the layer's name), else none: the atlas offline."""
    from osgeo import gdal
    from qgis.core import QgsRasterLayer

    output = dock.output
    output.basemap_combo.setLayer(None)
    output.tianditu_key.setText("")
    assert output.basemap() is None
    output.tianditu_key.setText("abc123")
    assert output.tianditu_key.echoMode() == output.tianditu_key.EchoMode.Password
    tiles = output.basemap()
    assert [t.name() for t in tiles] == ["天地图", "天地图"] and all("abc123" in t.source() for t in tiles)
    path = str(tmp_path / "底图.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, 4, 4, 1)
    ds.SetGeoTransform((112.0, 0.1, 0, 38.0, 0, -0.1))
    ds = None
    raster = QgsRasterLayer(path, "本地影像")
    QgsProject.instance().addMapLayer(raster)
    try:
        output.basemap_combo.setLayer(raster)
        chosen = output.basemap()
        assert chosen is not raster and chosen.source() == raster.source()  # the raster wins over the key
    finally:
        output.tianditu_key.setText("")
        QgsProject.instance().removeMapLayer(raster.id())
