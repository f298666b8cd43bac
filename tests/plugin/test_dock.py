"""The dock headless: load the demo through its link, run in a task, read the results; cancel mid-run."""
from __future__ import annotations

import sys
from pathlib import Path as _Path

sys.path.insert(0, str(_Path(__file__).parent))

import os
import re
from pathlib import Path

import pyogrio
import pytest
from qgis.core import QgsCategorizedSymbolRenderer, QgsProject
from qgis.PyQt.QtCore import QCoreApplication, Qt
from task_wait import wait_for


@pytest.fixture(scope="module")
def dock(qgis_iface, qgis_processing, tmp_path_factory):
    import bluesky_zoning.ui.dock as dock_module
    from demo_fixture import ensure_provider

    ensure_provider()
    cache = tmp_path_factory.mktemp("dock_demo")
    original = dock_module.demo_cache_dir
    dock_module.demo_cache_dir = lambda: str(cache)
    QgsProject.instance().clear()
    widget = dock_module.BlueSkyDock(qgis_iface)
    widget.ui.outDir.setFilePath(str(tmp_path_factory.mktemp("dock_runs")))
    task = widget.load_demo_data()
    wait_for(task)
    yield widget
    widget.close_and_cleanup()
    dock_module.demo_cache_dir = original


def test_demo_link_loads_layers_into_the_combos(dock):
    u = dock.ui
    assert u.adminCombo.currentLayer() is not None
    assert u.adminCombo.currentLayer().featureCount() == 117
    assert u.builtupCombo.currentLayer().type() == 1  # raster
    for combo in (u.boilersCombo, u.minesCombo, u.plantsCombo, u.chpCombo):
        assert combo.currentLayer() is not None and combo.currentLayer().featureCount() > 0
    assert u.countyField.currentField()  # guessed county field shown
    assert u.rulesTable.rowCount() >= 10
    assert u.region1p30List.count() >= 31
    assert "✔" in u.mappingInfo.toPlainText()


def test_run_adds_one_styled_group_and_county_table(dock):
    from bluesky_zoning.layers.result_group import group_layers, result_groups

    before = len(result_groups())
    task = dock.run_analysis()
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    groups = result_groups()
    assert len(groups) == before + 1
    group = groups[0]
    assert group.name().startswith("蓝天管控分析 ")
    layers = group_layers(group)
    assert {"enterprise_verdicts", "enterprise_flags", "to_verify", "coal_ban_zone", "chp_heating_radius"} <= set(layers)
    verdicts = layers["enterprise_verdicts"]
    assert isinstance(verdicts.renderer(), QgsCategorizedSymbolRenderer)
    assert verdicts.featureCount() > 0
    table = dock.ui.resultTable
    assert table.rowCount() > 0 and table.columnCount() > 2
    # click the first non-empty cell: zooms and selects that county's flagged enterprises
    for row in range(table.rowCount()):
        for col in range(1, table.columnCount() - 1):
            item = table.item(row, col)
            if item is not None and item.text():
                dock.on_result_cell(row, col)
                assert verdicts.selectedFeatureCount() == int(item.text()) or verdicts.selectedFeatureCount() > 0
                assert dock.iface.mapCanvas().extent().width() < 5  # zoomed to a county (degrees)
                break
        else:
            continue
        break
    assert Path(dock.result_paths["flags"]).exists()
    assert dock.ui.verifyTable.rowCount() >= 0


def test_cancel_mid_run_leaves_nothing(dock):
    from bluesky_zoning.layers.result_group import result_groups

    out_base = Path(dock.ui.outDir.filePath())
    runs_before = set(os.listdir(out_base))
    groups_before = len(result_groups())
    task = dock.run_analysis()
    assert task is not None
    task.step.connect(lambda step, total, name: step >= 1 and task.cancel())
    wait_for(task)
    assert not task.exception or type(task.exception).__name__ == "CanceledError"
    assert len(result_groups()) == groups_before
    assert set(os.listdir(out_base)) == runs_before  # no run folder, no .part left behind
    assert dock.ui.runButton.isEnabled()


# -- the walkthrough, step by step -----------------------------------------------------------------------

def _latest_run(dock):
    from bluesky_zoning.layers.result_group import group_layers, result_groups

    task = dock.run_analysis()
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    return group_layers(result_groups()[0])


def test_progress_shows_the_step_name_and_count(dock):
    from bluesky_zoning.ui.dock import step_text

    assert step_text(3, 9, "构建禁煤区…") == "构建禁煤区… 3/9"
    assert step_text(3, 9, "构建禁煤区") == "构建禁煤区… 3/9"
    dock._on_step(3, 9, "构建禁煤区…")
    assert dock.ui.stepLabel.text() == "构建禁煤区… 3/9"
    assert "构建禁煤区… 3/9" in dock.ui.progressBar.text()
    assert dock.ui.progressBar.value() == 33


def test_county_rule_table_selects_exactly_the_cell(dock):
    layers = _latest_run(dock)
    table = dock.ui.resultTable
    keys = [table.item(r, 0).data(0x0100) for r in range(table.rowCount())]  # Qt.UserRole
    assert keys[-1] == "*" and table.item(table.rowCount() - 1, 0).text() in ("合计", "Total")
    assert keys[:-1] == sorted(keys[:-1])  # adcode order: 太原市 first
    assert table.item(0, 0).text() == "太原市 · 小店区"
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[-1] in ("合计", "Total")
    col = headers.index("B-35")
    row = keys.index("140105")
    count = int(table.item(row, col).text())
    assert count > 0
    assert dock.on_result_cell(row, col) == count
    flags, verdicts = layers["enterprise_flags"], layers["enterprise_verdicts"]
    assert verdicts.selectedFeatureCount() == count
    assert flags.selectedFeatureCount() == count
    for feature in flags.selectedFeatures():
        assert feature["rule_id"] == "B-35" and str(feature["adcode"]) == "140105"
        for field in ("clause", "deadline", "lead_dept", "reason"):
            assert str(feature[field] or "").strip(), field
        assert any("\u4e00" <= ch <= "\u9fff" for ch in feature["reason"])
    assert dock.iface.activeLayer() is flags
    assert dock.ui.attributesButton.isEnabled()
    assert dock.iface.mapCanvas().extent().width() < 1.5  # zoomed to 小店区 (degrees)
    # totals: the row's 合计 is the county's enterprises, the 合计 row the rule's province total
    total_row = table.rowCount() - 1
    rule_total = sum(int(table.item(r, col).text() or 0) for r in range(total_row))
    assert int(table.item(total_row, col).text()) == rule_total


def test_to_verify_tab_lists_row_field_raw_and_problem(dock):
    table = dock.ui.verifyTable
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert len(headers) == 6
    assert table.rowCount() > 0
    ids = {table.item(r, 1).text() for r in range(table.rowCount())}
    assert "GL-01024" in ids  # '约20吨'
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "GL-01024"
               and table.item(r, 4).text())
    assert table.item(row, 2).text().isdigit()
    assert "20" in table.item(row, 4).text()
    assert table.item(row, 5).text()
    assert dock.on_verify_cell(row, 0)


def test_output_tab_buttons_write_packages_and_workbook(dock):
    out_dir = Path(dock.result_paths["flags"]).parent
    task = dock.export_packages()
    wait_for(task)
    assert task.exception is None, task.trace
    assert len(list((out_dir / "counties").glob("*.zip"))) == 117
    task = dock.write_workbook()
    wait_for(task)
    assert task.exception is None, task.trace
    assert (out_dir / "summary.xlsx").is_file()
    dock.save_project()
    assert (out_dir / f"{out_dir.name}.qgz").is_file()


def test_import_dialog_guesses_columns_and_adds_wgs84_points(dock, qgis_iface):
    from bluesky_zoning.ui.import_dialog import ImportDialog
    from qgis.core import QgsWkbTypes

    demo_dir = Path(dock_demo_cache(dock))
    xlsx = next(demo_dir.glob("boilers_*.xlsx"))
    dialog = ImportDialog(None)
    dialog.fileWidget.setFilePath(str(xlsx))
    assert dialog.lonCombo.currentText() == "经度" and dialog.latCombo.currentText() == "纬度"
    dialog.crsCombo.setCurrentIndex(dialog.crsCombo.findData("GCJ02"))
    checks = [dialog.mappingTable.item(r, 2).text() for r in range(dialog.mappingTable.rowCount())]
    warning = [c for c in checks if "额定蒸发量" in c]
    assert warning and re.search(r"额定蒸发量: \d+ (行无法解析|rows cannot be parsed)", warning[0]), checks
    dialog.accept()
    assert dialog.layer is not None and dialog.layer.isValid()
    dock.add_imported_layer(dialog)
    layer = dock.ui.boilersCombo.currentLayer()
    assert layer is dialog.layer and QgsProject.instance().mapLayer(layer.id()) is not None
    assert layer.crs().authid() == "EPSG:4326"
    assert layer.geometryType() == QgsWkbTypes.PointGeometry and layer.featureCount() > 4900


def test_rules_tab_switches_a_rule_the_mine_ring_and_1p30(dock):
    u = dock.ui
    rows = {u.rulesTable.item(r, 1).text(): r for r in range(u.rulesTable.rowCount())}
    u.rulesTable.item(rows["B-NOX"], 0).setCheckState(0)  # Qt.Unchecked
    u.mineRingSpin.setValue(5.0)
    ticked = [i for i in range(u.region1p30List.count()) if u.region1p30List.item(i).checkState() == 2]
    dropped = u.region1p30List.item(ticked[-1]).text()
    u.region1p30List.item(ticked[-1]).setCheckState(0)
    try:
        layers = _latest_run(dock)
        flags = pyogrio.read_dataframe(dock.result_paths["flags"], layer="enterprise_flags", read_geometry=False)
        assert len(flags) > 0 and "B-NOX" not in set(flags["rule_id"])
        ring = pyogrio.read_dataframe(dock.result_paths["zones"], layer="mine_closure_zone", read_geometry=False)
        assert len(ring) > 0 and set(ring["ring_km"].round(3)) == {5.0}
        assert "enterprise_verdicts" in layers
        assert not u.summaryNote1p30.isVisibleTo(dock.ui)  # the user's own list: no provisional note
        assert dropped.split("/")[-1] not in {str(c) for c in _region_counties(dock)}
    finally:
        u.rulesTable.item(rows["B-NOX"], 0).setCheckState(2)
        u.mineRingSpin.setValue(3.0)
        u.region1p30List.item(ticked[-1]).setCheckState(2)


def _region_counties(dock):
    """Counties whose adcode lies inside the run's 1+30 region (by representative point)."""
    import geopandas as gpd

    region = gpd.read_file(dock.result_paths["zones"], layer="region_1p30")
    admin = dock.admin_norm
    points = admin.geometry.representative_point()
    return admin.loc[points.within(region.union_all()), "county"]


def dock_demo_cache(dock):
    import bluesky_zoning.ui.dock as dock_module

    return dock_module.demo_cache_dir()


def _field_rows(dock):
    table = dock.ui.fieldTable
    return {table.item(r, 1).data(Qt.ItemDataRole.UserRole): r for r in range(table.rowCount())}


def _field_combo(dock, key):
    return dock.ui.fieldTable.cellWidget(_field_rows(dock)[key], 2)


def _choose(dock, key, column):
    combo = _field_combo(dock, key)
    combo.setCurrentIndex(combo.findData(column))
    QCoreApplication.processEvents()  # the table is rebuilt once the combo's signal has returned


def test_data_tab_maps_every_field_and_takes_the_users_choice(dock):
    """The Data tab shows which column each field is read from, lets the user change it, and the run uses
    the choice; a planning-area layer with only a name gets its city by location and the log says so."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    u = dock.ui
    rows = _field_rows(dock)
    for kind in ("boiler", "mine", "plant", "chp"):
        assert f"{kind}.ent_id" in rows and f"{kind}.name" in rows
        assert _field_combo(dock, f"{kind}.ent_id").currentData() == "编号"  # not the GeoPackage's fid
    assert _field_combo(dock, "plant.industry").currentData() == "行业"
    plan = QgsVectorLayer("Polygon?crs=EPSG:4326&field=规划区名称:string", "太原规划区（无城市字段）", "memory")
    feature = QgsFeature(plan.fields())
    feature.setAttributes(["太原城市规划区"])
    feature.setGeometry(QgsGeometry.fromWkt("POLYGON((112.45 37.75,112.65 37.75,112.65 37.95,112.45 37.95,112.45 37.75))"))
    plan.dataProvider().addFeatures([feature])
    QgsProject.instance().addMapLayer(plan)
    u.planningCombo.setLayer(plan)
    try:
        assert _field_combo(dock, "planning.name").currentData() == "规划区名称"
        assert _field_combo(dock, "planning.city").currentData() == ""  # (none)
        _choose(dock, "plant.industry", "")
        assert dock.job_inputs().field_mappings == {"plant": {"industry": ""}}
        assert "✘ 行业" in u.mappingInfo.toPlainText()
        _latest_run(dock)
        log = u.runLog.toPlainText()
        plants = u.plantsCombo.currentLayer().name()
        assert f"工业企业图层「{plants}」没有可用的「行业」字段（industry）：规则 P-COKE43" in log
        assert f"城市规划区图层「{plan.name()}」没有「所属城市」字段（city）：各规划区所属城市按位置确定" in log
        assert log.count(f"城市规划区图层「{plan.name()}」没有「所属城市」字段") == 1  # a note and a warning, logged once
        zone = pyogrio.read_dataframe(dock.result_paths["zones"], layer="planning_area", read_geometry=False)
        assert list(zone["city"]) == ["太原市"] and list(zone["name"]) == ["太原城市规划区"]
        flags = pyogrio.read_dataframe(dock.result_paths["flags"], layer="enterprise_flags", read_geometry=False)
        assert not ({"P-COKE43", "P-PLANAREA", "P-ULE"} & set(flags.loc[flags["layer"] == "plant", "rule_id"]))
        _choose(dock, "plant.industry", "行业")
        assert "plant" not in dock.job_inputs().field_mappings or \
            dock.job_inputs().field_mappings["plant"]["industry"] == "行业"
        assert "✔ 行业 ← 行业" in u.mappingInfo.toPlainText()
    finally:
        u.planningCombo.setLayer(None)
        dock.field_overrides.clear()
        dock.update_mapping_info()
