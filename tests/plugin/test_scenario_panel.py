"""The dock's 方案比较 tab on the demo: the base is the last run, a moved value answers with the counts per county
and a styled change layer, equal to what two full runs say; the latest change wins; 保存为方案 writes compare.gpkg."""
from __future__ import annotations

import dataclasses
import os

import pyogrio
import pytest
from qgis.core import QgsCategorizedSymbolRenderer, QgsProject
from qgis.PyQt.QtCore import QEventLoop, Qt, QTimer
from task_wait import wait_for


@pytest.fixture(scope="module")
def dock(qgis_iface, qgis_processing, tmp_path_factory):
    import bluesky_zoning.ui.dock as dock_module
    from demo_fixture import ensure_provider

    ensure_provider()
    cache = tmp_path_factory.mktemp("scenario_demo")
    original = dock_module.demo_cache_dir
    dock_module.demo_cache_dir = lambda: str(cache)
    QgsProject.instance().clear()
    widget = dock_module.BlueSkyDock(qgis_iface)
    widget.ui.outDir.setFilePath(str(tmp_path_factory.mktemp("scenario_runs")))
    wait_for(widget.load_demo_data())
    task = widget.run_analysis()
    wait_for(task)
    assert task.exception is None, task.trace
    wait_for(widget.scenarios.opening)
    assert widget.scenarios.session is not None
    yield widget
    widget.close_and_cleanup()
    dock_module.demo_cache_dir = original


def settle(panel, timeout: float = 120.0) -> None:
    """Spin the event loop until the debounce fired and no comparison runs or waits."""
    import time

    start = time.time()
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)

    def check():
        busy = panel.timer.isActive() or panel.pending or (panel.task is not None and not panel.task.done)
        if not busy or time.time() - start > timeout:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()


def hits(flags) -> set:
    return {(str(a), str(b), str(c)) for a, b, c in zip(flags["layer"], flags["ent_id"], flags["rule_id"])}


def full_run(dock, **params):
    """A whole second run of the same inputs with other values (the manual way the tab replaces)."""
    from bluesky_zoning.layers.run_job import run_job

    inputs = dataclasses.replace(dock.run.last_inputs, params={**dock.run.last_inputs.params, **params})
    result, _paths = run_job(inputs, None, write=False)
    return result


def province_row(rows):
    return next(r for r in rows if r[0] == "全省")


def test_the_base_is_the_last_run_and_the_controls_hold_its_values(dock):
    panel = dock.scenarios
    assert panel.session.base is dock.result  # not run again
    assert panel.spins["chp_radius_km"].value() == dock.result.params["chp_radius_km"] == 15
    assert panel.rule_list.count() == len(dock.ruleset.rules)
    ticked = [panel.region_list.item(i) for i in range(panel.region_list.count())
              if panel.region_list.item(i).checkState() == Qt.CheckState.Checked]
    assert len(ticked) == len(dock.result.zones["region_1p30"])  # the base's own 1+30 counties


def test_radius_20_km_answers_like_two_full_runs(dock):
    from bluesky_zoning.ui.panels.scenarios import CHANGES_NAME, counts_rows

    panel = dock.scenarios
    panel.spins["chp_radius_km"].setValue(20)
    settle(panel)
    assert panel.comparison is not None and "20" in panel.status.text()
    variant = full_run(dock, chp_radius_km=20)
    base_hits, variant_hits = hits(dock.result.flags), hits(variant.flags)
    added, removed = variant_hits - base_hits, base_hits - variant_hits
    assert added and all(k[2] == "B-CHP" or k[2].startswith("B-") for k in added)
    changes = panel.comparison.changes
    shown = {(str(a), str(b), str(c)) for a, b, c, ch in
             zip(changes["layer"], changes["ent_id"], changes["rule_id"], changes["change"]) if ch == "新增"}
    assert shown == added
    row = province_row(counts_rows(panel))
    assert int(row[2]) == len(added) and int(row[3]) == len(removed)
    # counties in the table add up to the province
    county_rows = [r for r in counts_rows(panel) if r[0] != "全省"]
    assert sum(int(r[2]) for r in county_rows) == len(added)
    layer = panel.layers["changes"]
    assert layer.name() == CHANGES_NAME and layer.featureCount() == len(changes)
    assert isinstance(layer.renderer(), QgsCategorizedSymbolRenderer)
    colours = {c.value(): c.symbol().color().name() for c in layer.renderer().categories()}
    assert set(colours) == {"新增", "解除", "措施变化"} and len(set(colours.values())) == 3
    assert QgsProject.instance().layerTreeRoot().findGroup("方案比较") is not None
    assert panel.last_seconds is not None and panel.last_seconds > 0
    assert "用时" in panel.status.text()


def test_the_latest_change_wins_and_reset_clears(dock):
    from bluesky_zoning.ui.panels.scenarios import counts_rows

    panel = dock.scenarios
    panel.spins["chp_radius_km"].setValue(25)
    panel.spins["chp_radius_km"].setValue(30)  # before the first answer
    settle(panel)
    assert panel.comparison.variant_text == "chp_radius_km=30"
    variant = full_run(dock, chp_radius_km=30)
    added = hits(variant.flags) - hits(dock.result.flags)
    assert int(province_row(counts_rows(panel))[2]) == len(added)
    panel.reset()
    settle(panel)
    assert panel.comparison is None and panel.table.rowCount() == 0
    assert panel.layers["changes"].featureCount() == 0
    assert "与基准相同" in panel.status.text()


def test_a_rule_switched_off_and_a_county_added_to_1p30(dock):
    from bluesky_zoning.ui.panels.scenarios import counts_rows

    panel = dock.scenarios
    item = next(panel.rule_list.item(i) for i in range(panel.rule_list.count())
                if panel.rule_list.item(i).data(Qt.ItemDataRole.UserRole) == "B-NOX")
    item.setCheckState(Qt.CheckState.Unchecked)
    settle(panel)
    base_nox = {k for k in hits(dock.result.flags) if k[2] == "B-NOX"}
    removed = {(str(a), str(b), str(c)) for a, b, c, ch in zip(
        panel.comparison.changes["layer"], panel.comparison.changes["ent_id"], panel.comparison.changes["rule_id"],
        panel.comparison.changes["change"]) if ch == "解除"}
    assert base_nox and base_nox <= removed
    assert int(province_row(counts_rows(panel))[3]) == len(removed)
    panel.reset()
    settle(panel)
    outside = next(panel.region_list.item(i) for i in range(panel.region_list.count())
                   if panel.region_list.item(i).checkState() == Qt.CheckState.Unchecked)
    outside.setCheckState(Qt.CheckState.Checked)
    settle(panel)
    assert panel.comparison is not None
    assert "“1+30”区域增加" in panel.comparison.description
    zones = panel.comparison.zone_changes
    assert "region_1p30" in set(zones["zone"]) and set(zones[zones["zone"] == "region_1p30"]["change"]) == {"扩大"}
    panel.reset()
    settle(panel)


def test_save_writes_compare_gpkg(dock):
    panel = dock.scenarios
    panel.spins["fringe_km"].setValue(2)
    settle(panel)
    task = panel.save_scenario()
    wait_for(task)
    assert task.exception is None, task.trace
    path = panel.saved_path
    assert os.path.basename(path) == "compare.gpkg"
    assert os.path.dirname(os.path.dirname(path)) == os.path.dirname(dock.result_paths["flags"])
    names = {row[0] for row in pyogrio.list_layers(path)}
    assert {"scenario_changes", "scenario_counts", "zone_changes"} <= names
    saved = pyogrio.read_dataframe(path, layer="scenario_changes")
    assert len(saved) == len(panel.comparison.changes)
    # the 输出 tab's workbook of this run carries the comparison
    assert dock.scenarios.saved_comparison() == path
    task = dock.write_workbook()
    wait_for(task)
    assert task.exception is None, task.trace
    from openpyxl import load_workbook

    book = load_workbook(task.result, read_only=True)
    assert "方案比较" in book.sheetnames
    cells = [str(c) for row in book["方案比较"].iter_rows(values_only=True) for c in row if c is not None]
    assert any("城乡结合部外扩" in c for c in cells)  # the variant said in words
    panel.reset()
    settle(panel)
