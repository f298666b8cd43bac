"""The dock headless: load the demo through its link, run in a task, read the results; cancel mid-run."""
from __future__ import annotations

import sys
from pathlib import Path as _Path

sys.path.insert(0, str(_Path(__file__).parent))

import os
import time
from pathlib import Path

import pytest
from qgis.core import QgsCategorizedSymbolRenderer, QgsProject
from qgis.PyQt.QtCore import QEventLoop, QTimer


def wait_for(task, timeout: float = 240.0) -> None:
    """Spin an event loop (test only) until the task has reported on the main thread."""
    start = time.time()
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: (task.done or time.time() - start > timeout) and loop.quit())
    timer.start()
    loop.exec_()
    timer.stop()
    assert task.done, f"task {task.description()} did not finish in {timeout} s"


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
