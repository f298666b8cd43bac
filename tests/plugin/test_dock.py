"""The dock headless: load the demo through its link, run in a task, read the results; cancel mid-run."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pyogrio
import pytest
from qgis.core import QgsCategorizedSymbolRenderer, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, Qt, QUrl
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
    for combo in (u.boilersCombo, u.minesCombo, u.plantsCombo, u.chpCombo, u.villagesCombo):
        assert combo.currentLayer() is not None and combo.currentLayer().featureCount() > 0
    # the demo's villages (三(二)7) as points, their households and clean heating read from the list's columns
    assert u.villagesCombo.currentLayer().name() == "Villages (demo)"
    assert "总户数" in u.mappingInfo.toPlainText() and "清洁取暖户数" in u.mappingInfo.toPlainText()
    assert u.countyField.currentField()  # guessed county field shown
    assert u.rulesTable.rowCount() >= 10
    assert u.region1p30List.count() >= 31
    assert "✔" in u.mappingInfo.toPlainText()


def test_after_loading_the_demo_its_inputs_are_on_the_map_and_outputs_wait_for_a_run(dock):
    from qgis.core import QgsSingleBandPseudoColorRenderer

    u = dock.ui
    root = QgsProject.instance().layerTreeRoot()
    layers = [c.currentLayer() for c in (u.chpCombo, u.boilersCombo, u.minesCombo, u.plantsCombo, u.adminCombo,
                                         u.builtupCombo)]
    nodes = [root.findLayer(layer.id()) for layer in layers]
    assert all(node.itemVisibilityChecked() for node in nodes)  # points and raster shown, not only outlines
    positions = [root.children().index(node) for node in nodes]
    assert positions == sorted(positions)  # points over the county outlines over the raster
    raster = u.builtupCombo.currentLayer()
    assert isinstance(raster.renderer(), QgsSingleBandPseudoColorRenderer)  # cells below the threshold clear
    items = raster.renderer().shader().rasterShaderFunction().colorRampItemList()
    assert items[0].color.alpha() == 0 and 0 < items[-1].color.alpha() < 128
    # nothing to write yet: the output buttons wait for a run, and say so
    assert not any(button.isEnabled() for button in dock.output.buttons())
    assert u.outputHint.text() and not u.outputHint.isHidden()


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
    # click the first non-empty cell of a county and a rule: zooms and selects that county's flagged enterprises
    for row in range(1, table.rowCount()):
        for col in range(2, table.columnCount()):
            item = table.item(row, col)
            if item is not None and item.text():
                dock.results.on_result_cell(row, col)
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
    from bluesky_zoning.ui.panels.run import step_text

    assert step_text(3, 9, "构建禁煤区…") == "构建禁煤区… 3/9"
    assert step_text(3, 9, "构建禁煤区") == "构建禁煤区… 3/9"
    dock.run.on_step(3, 9, "构建禁煤区…")
    assert dock.ui.stepLabel.text() == "构建禁煤区… 3/9"
    assert "构建禁煤区… 3/9" in dock.ui.progressBar.text()
    assert dock.ui.progressBar.value() == 33


def test_county_rule_table_selects_exactly_the_cell(dock):
    layers = _latest_run(dock)
    table = dock.ui.resultTable
    keys = [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(table.rowCount())]
    assert keys[0] == "*" and table.item(0, 0).text() in ("合计", "Total")  # the 合计 row first
    assert keys[1:] == sorted(keys[1:])  # adcode order: 太原市 first
    assert table.item(1, 0).text() == "太原市 · 小店区"
    rules = [table.horizontalHeaderItem(c).data(Qt.ItemDataRole.UserRole) for c in range(table.columnCount())]
    assert rules[1] == "*" and table.horizontalHeaderItem(1).text() in ("合计", "Total")  # the 合计 column first
    col = rules.index("B-35")
    # rule columns are titled by the rule's short Chinese name from the rules file, never by its id
    assert table.horizontalHeaderItem(col).text().replace("\n", "") == dock.ruleset.get("B-35").short_name
    assert all(not str(table.horizontalHeaderItem(c).text()).isascii() for c in range(2, table.columnCount()))
    row = keys.index("140105")
    count = int(table.item(row, col).text())
    assert count > 0
    assert dock.results.on_result_cell(row, col) == count
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
    from bluesky_zoning.layers.county_outline import current_county

    outline = dock.result_layers["county_outline"]
    assert current_county(outline) == "140105"  # and highlighted on the county boundaries
    # totals: the row's 合计 is the county's enterprises, the 合计 row the rule's province total
    rule_total = sum(int(table.item(r, col).text() or 0) for r in range(1, table.rowCount()))
    assert int(table.item(0, col).text()) == rule_total


def test_to_verify_tab_puts_who_and_the_problem_first(dock):
    """名称, 县区, 问题 lead (the problem whole: wrapped, rules by name), then the user's column, the raw value,
    layer, id and row."""
    table = dock.ui.verifyTable
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Name", "County", "Problem", "Your column", "Raw value", "Layer", "Id", "Row"]
    assert table.rowCount() > 0
    ids = {table.item(r, 6).text() for r in range(table.rowCount())}
    assert "GL-01024" in ids  # '约20吨'
    row = next(r for r in range(table.rowCount()) if table.item(r, 6).text() == "GL-01024"
               and table.item(r, 4).text())
    frame = dock.result.to_verify
    record = frame[(frame["ent_id"] == "GL-01024") & frame["raw"].astype(str).str.contains("20")].iloc[0]
    assert table.item(row, 0).text() == record["name"] and table.item(row, 0).text()  # the enterprise's name
    assert table.item(row, 1).text() == record["county"] and table.item(row, 1).text()
    assert table.item(row, 2).text()  # the problem
    assert table.item(row, 3).text() == "额定蒸发量(t/h)"  # the list's own column, not capacity_tph
    assert "20" in table.item(row, 4).text()
    assert table.item(row, 5).text() == dock.ui.boilersCombo.currentLayer().name()
    assert table.item(row, 7).text().isdigit()
    # a blank value names the rules it leaves undecided by their Chinese names, as the workbook prints them
    names = {r.id: r.label for r in dock.ruleset.rules}
    blank = [table.item(r, 2).text() for r in range(table.rowCount()) if "无法判断规则" in table.item(r, 2).text()]
    assert blank and not any(re.search(r"\b[BMPTV]-[A-Z0-9]+", text) for text in blank)
    assert any(f"「{names['B-35']}」" in text for text in blank)
    assert dock.verify.on_verify_cell(row, 0)
    selected = dock.result_layers["to_verify"].selectedFeatures()
    assert selected and {f["ent_id"] for f in selected} == {"GL-01024"}  # its rows, one point


def test_one_count_in_the_message_bar_the_tabs_and_the_log(dock, qgis_iface):
    from bluesky_zoning.analysis.reports.run_report import run_counts
    from bluesky_zoning.ui.panels.run import counts_text
    from qgis.core import Qgis

    result, u = dock.result, dock.ui
    counts = run_counts(result.flags, result.to_verify)
    assert (counts.hits, counts.to_verify) == (len(result.flags), len(result.to_verify))
    # records that share an id but not name or place are two enterprises: one verdict point each
    assert counts.enterprises == len(result.verdicts)
    sentence = counts_text(counts)
    assert sentence in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Success)[-1]
    assert u.summaryLabel.text().startswith(sentence)
    assert u.tabs.tabText(u.tabs.indexOf(u.tabVerify)).endswith(f"({counts.to_verify})")
    assert u.verifyTable.rowCount() == counts.to_verify
    log = u.runLog.toPlainText().splitlines()
    assert log.count(sentence) == 1
    # the run's assumptions open the log, a few lines
    assert log[1] == "Assumptions and choices of this run:"
    assumptions = log[2:log.index(sentence)]
    assert 3 <= len(assumptions) <= 8
    for words in ("1+30", "露天矿山关闭区", "外扩 1 公里"):  # provisional list, mine ring, planning areas replaced
        assert any(words in line for line in assumptions), words
    # then the rows to verify grouped by problem, adding up to the same count; the rows themselves are not logged
    grouped = [int(re.search(r", (\d+) rows$", line).group(1)) for line in log if line.endswith(" rows")]
    assert sum(grouped) == counts.to_verify and len(grouped) < 30
    # fields by their Chinese labels with the user's own column
    assert any("额定蒸发量 (your column 额定蒸发量(t/h)) cannot be parsed" in line for line in log)
    assert not any(re.search(r"\b[BMPTV]-[A-Z0-9]+\b", line) for line in log)  # rules by name, never by id
    assert not any(re.search(r"（[a-z_]+）", line) for line in log)  # no canonical field name
    assert not any(re.search(r"第 \d+ 行", line) for line in log)
    assert not any(" / layer " in line or " / " in line and "field" in line for line in log)  # one language
    assert len(log) < 50


def test_the_map_after_a_run_stays_legible(dock):
    from bluesky_zoning.layers.result_group import result_groups
    from bluesky_zoning.layers.styling import ZONE_STYLES

    group = result_groups()[0]
    nodes = {n.layer().customProperty("bluesky_zoning/name"): n for n in group.children()}
    names = list(nodes)
    assert names[:2] == ["to_verify", "enterprise_verdicts"]  # 需核实 marks drawn beside the verdict points
    zones = [n for n in names if n in ZONE_STYLES]
    assert zones.index("coal_ban_zone") > zones.index("chp_heating_radius")  # outlines over the one fill
    assert zones[-2:] == ["region_1p30", "key_city_groups"]
    shown = {name for name, node in nodes.items() if node.itemVisibilityChecked()}
    assert {"to_verify", "enterprise_verdicts", "coal_ban_zone", "chp_heating_radius", "mine_closure_zone"} <= shown
    assert not {"enterprise_flags", "region_1p30", "key_city_groups"} & shown
    filled = []
    for name in zones:
        fill = nodes[name].layer().renderer().symbol().symbolLayer(0)
        if fill.brushStyle() != Qt.BrushStyle.NoBrush and fill.fillColor().alpha() > 0:
            filled.append((name, fill.fillColor().alpha()))
    assert [n for n, _ in filled] == ["coal_ban_zone"] and filled[0][1] <= 50  # a light fill, the rest outlines
    mark = nodes["to_verify"].layer().renderer().symbol()
    verdict_sizes = [c.symbol().size() for c in nodes["enterprise_verdicts"].layer().renderer().categories()]
    assert mark.size() < min(verdict_sizes)  # a small mark beside the point: never outweighs the verdicts
    assert mark.symbolLayer(0).offset().x() > 0  # beside, not over: the verdict colour stays in view
    # zoomed out, the county choropleth instead of thousands of points; the county boundaries over the zones
    assert names[-1] == "county_choropleth" and names.index("county_outline") < names.index("coal_ban_zone")
    assert nodes["county_choropleth"].itemVisibilityChecked()
    assert nodes["county_choropleth"].layer().isInScaleRange(3_000_000)
    assert not nodes["enterprise_verdicts"].layer().isInScaleRange(3_000_000)


def test_the_total_row_zooms_to_exactly_its_enterprises(dock):
    from bluesky_zoning.analysis.reports.run_report import TOTAL_KEY

    results, canvas = dock.results, dock.iface.mapCanvas()
    everyone = results.flag_index[(TOTAL_KEY, TOTAL_KEY)]
    assert results.zoom_to_enterprises(everyone)
    province = canvas.extent()
    one = everyone[:1]
    assert results.zoom_to_enterprises(one)
    assert canvas.extent().width() < province.width() / 20
    from bluesky_zoning.ui.panels.results import feature_key

    verdicts = dock.result_layers["enterprise_verdicts"]
    point = next(f.geometry().asPoint() for f in verdicts.getFeatures() if feature_key(f, results.by_row) == one[0])
    assert canvas.extent().contains(point)
    # a click on the 合计 row shows the province: no county stays highlighted
    from bluesky_zoning.layers.county_outline import current_county, set_current_county

    outline = dock.result_layers["county_outline"]
    set_current_county(outline, "140105")
    assert results.on_result_cell(0, 1) == len(everyone)
    assert current_county(outline) == ""


def test_tables_fit_a_dock_560_px_wide(dock):
    u = dock.ui
    row = dock.rules.rule_row("B-35")
    assert u.rulesTable.item(row, 0).text() == dock.ruleset.get("B-35").short_name
    sentence = u.rulesTable.item(row, 1).text()
    assert "低于35蒸吨/小时" in sentence and "淘汰燃煤锅炉" in sentence and "2020-10-01前" in sentence
    dock.resize(560, 900)
    dock.show()
    try:
        u.tabs.setCurrentWidget(u.tabRules)
        QCoreApplication.processEvents()
        assert u.rulesTable.horizontalScrollBar().maximum() == 0  # the sentence wraps, nothing off-screen
        u.tabs.setCurrentWidget(u.tabResults)
        QCoreApplication.processEvents()
        table = u.resultTable
        assert table.columnViewportPosition(1) + table.columnWidth(1) <= table.viewport().width()  # 合计 in view
        u.tabs.setCurrentWidget(u.tabVerify)
        QCoreApplication.processEvents()
        table = u.verifyTable
        # who and what: name, county and the whole problem (wrapped onto its lines) in view
        assert table.columnViewportPosition(2) + table.columnWidth(2) <= table.viewport().width()
        assert table.wordWrap() and table.rowHeight(0) > table.fontMetrics().height() * 1.5
    finally:
        dock.hide()


class _Opened:
    """Stands in for QDesktopServices: records what would have been opened."""

    def __init__(self):
        self.paths = []

    def openUrl(self, url):  # noqa: N802 - Qt's name
        self.paths.append(url.toLocalFile())
        return True


def test_results_folder_link_and_output_folder_beside_the_project(dock, qgis_iface, monkeypatch, tmp_path):
    import bluesky_zoning.ui.dock as dock_module
    from bluesky_zoning.layers.output_place import OUTPUT_FOLDER, default_output_dir
    from qgis.core import Qgis
    from qgis.PyQt.QtCore import QStandardPaths, QUrl

    folder = Path(dock.result_paths["flags"]).parent
    url = QUrl.fromLocalFile(str(folder)).toString()
    assert url in dock.ui.runFolderLink.text()
    assert url in qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Success)[-1]
    opened = _Opened()
    monkeypatch.setattr(dock_module, "QDesktopServices", opened)
    dock.ui.runFolderLink.linkActivated.emit(url)
    assert opened.paths == [str(folder)]
    assert all(button.isEnabled() for button in dock.output.buttons())
    # the default folder: beside the project once it has a home, else in the user's documents
    project = QgsProject.instance()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert default_output_dir() == os.path.join(documents, OUTPUT_FOLDER)
    project.setPresetHomePath(str(tmp_path))
    try:
        assert default_output_dir() == os.path.join(str(tmp_path), OUTPUT_FOLDER)
        # a folder the user chose is remembered by the next dock; the default is not stored
        dock.save_settings()  # each test starts with no remembered settings (tests/plugin/conftest.py)
        other = dock_module.BlueSkyDock(qgis_iface)
        try:
            assert other.ui.outDir.filePath() == dock.ui.outDir.filePath()
            other.ui.outDir.setFilePath("")
            assert not other.run.out_dir_chosen
            third = dock_module.BlueSkyDock(qgis_iface)
            assert third.ui.outDir.filePath() == os.path.join(str(tmp_path), OUTPUT_FOLDER)
            third.close_and_cleanup()
        finally:
            other.close_and_cleanup()
            dock.run.save(QgsSettings())  # the fixture's folder, chosen, again
    finally:
        project.setPresetHomePath("")


def test_help_shows_the_user_guide_rendered(dock, tmp_path):
    """帮助 (at the end of the tab strip) opens the guide shipped with the plugin in a window of QGIS's own, read
    as Markdown: headings, tables and the pictures, not the raw text."""
    import bluesky_zoning.ui.dock as dock_module
    from qgis.PyQt.QtGui import QImage, QTextTable

    assert dock.help_button in dock.tab_strip.trailing
    plugin_dir = Path(dock_module.__file__).resolve().parents[1]
    assert Path(dock.user_guide_path()).resolve() == plugin_dir / "docs" / "用户手册.md"
    dock.help_button.click()
    viewer = dock.guide_viewer
    try:
        assert viewer is not None and viewer.isVisible()
        text = viewer.browser.toPlainText()
        assert text.startswith("蓝天管控分区 用户手册") and "# " not in text and "![" not in text and "|---|" not in text
        assert viewer.browser.document().findBlockByNumber(0).blockFormat().headingLevel() == 1
        tables = [f for f in viewer.browser.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
        assert len(tables) >= 3  # the data table, the coordinate systems, the outputs
        images = viewer.images()
        assert len(images) >= 10 and all(name.startswith("images/guide_") for name, _w in images)
        for name, width in images:  # each picture found beside the guide, none wider than the window allows
            data = viewer.browser.loadResource(2, QUrl(name))  # QTextDocument.ImageResource: the file's bytes
            image = QImage.fromData(data)
            assert not image.isNull(), name
            assert 0 < (width or image.width()) <= 860
    finally:
        viewer.close()
    # a guide that is missing is said, not silently ignored
    dock.user_guide_path = lambda: str(tmp_path / "missing.md")
    try:
        assert dock.open_user_guide() is False
    finally:
        del dock.user_guide_path


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
    assert "summary.xlsx" in dock.ui.outputStatus.text()
    assert QUrl.fromLocalFile(str(out_dir)).toString() in dock.ui.outputStatus.text()  # a link that opens it
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
    dock.data.add_imported_layer(dialog)
    layer = dock.ui.boilersCombo.currentLayer()
    assert layer is dialog.layer and QgsProject.instance().mapLayer(layer.id()) is not None
    assert layer.crs().authid() == "EPSG:4326"
    assert layer.geometryType() == QgsWkbTypes.PointGeometry and layer.featureCount() > 4900


def test_rules_tab_switches_a_rule_the_mine_ring_and_1p30(dock):
    u = dock.ui
    rows = {u.rulesTable.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(u.rulesTable.rowCount())}
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
        assert dock.run.job_inputs().field_mappings == {"plant": {"industry": ""}}
        assert "✘ 行业：规则「" in u.mappingInfo.toPlainText()
        _latest_run(dock)
        log = u.runLog.toPlainText()
        plants = u.plantsCombo.currentLayer().name()
        coke = dock.ruleset.get("P-COKE43").label  # rules by their names, fields by their labels (no codes)
        assert f"工业企业图层「{plants}」没有可用的「行业」字段：规则「{coke}」" in log
        assert f"城市规划区图层「{plan.name()}」没有「所属城市」字段：各规划区所属城市按位置确定" in log
        # the 数据 tab said beforehand what the run did, in the log's words
        said = next(line for line in dock.data.preview[plants] if line.startswith("✘ 行业"))
        assert said.split("：", 1)[1] in log
        assert log.count(f"城市规划区图层「{plan.name()}」没有「所属城市」字段") == 1  # a note and a warning, logged once
        zone = pyogrio.read_dataframe(dock.result_paths["zones"], layer="planning_area", read_geometry=False)
        assert list(zone["city"]) == ["太原市"] and list(zone["name"]) == ["太原城市规划区"]
        flags = pyogrio.read_dataframe(dock.result_paths["flags"], layer="enterprise_flags", read_geometry=False)
        assert not ({"P-COKE43", "P-PLANAREA", "P-ULE"} & set(flags.loc[flags["layer"] == "plant", "rule_id"]))
        _choose(dock, "plant.industry", "行业")
        assert "plant" not in dock.run.job_inputs().field_mappings or \
            dock.run.job_inputs().field_mappings["plant"]["industry"] == "行业"
        assert "✔ 行业 ← 行业" in u.mappingInfo.toPlainText()
    finally:
        u.planningCombo.setLayer(None)
        dock.data.field_overrides.clear()
        dock.data.update_mapping_info()
