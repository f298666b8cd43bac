"""The dock in Chinese after a run on the demo, as a new user meets it: every tab in view at the width the dock is
kept, 需核实 saying who and what, the 数据 tab saying beforehand what the run does (in the log's words), a log
without code words, a 进度 tab that offers a ledger and says what to do, and a user guide that names the tabs and
the figures the dock shows."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from desktop_session import DOCK_WIDTH
from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtWidgets import QWidget
from task_wait import wait_for

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "用户手册.md"


@pytest.fixture(scope="module")
def chinese(qgis_app, tmp_path_factory):
    """The plugin's translation compiled from the .ts as shipped: the dock as the analysts read it."""
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = tmp_path_factory.mktemp("i18n") / "bluesky_zoning_zh_CN.qm"
    subprocess.run([lrelease, "-silent", str(ROOT / "i18n" / "bluesky_zoning_zh_CN.ts"), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


@pytest.fixture(scope="module")
def run(chinese, qgis_iface, qgis_processing, tmp_path_factory):
    """A Chinese dock with the demo loaded through its link and run once; the step totals the run reported."""
    import bluesky_zoning.ui.dock as dock_module
    from demo_fixture import ensure_provider

    ensure_provider()
    cache = tmp_path_factory.mktemp("truth_demo")
    original = dock_module.demo_cache_dir
    dock_module.demo_cache_dir = lambda: str(cache)
    QgsProject.instance().clear()
    QgsSettings().remove("bluesky_zoning")
    dock = dock_module.BlueSkyDock(qgis_iface)
    dock.ui.outDir.setFilePath(str(tmp_path_factory.mktemp("truth_runs")))
    before = {"ledger": dock.progress.ledger_file.filePath(), "summary": dock.progress.summary.text(),
              "out_dir": dock.ui.outDir.filePath()}
    wait_for(dock.load_demo_data())
    preview = {name: list(lines) for name, lines in dock.data.preview.items()}
    task = dock.run_analysis()
    steps = []
    task.step.connect(lambda step, total, _name: steps.append(total))
    wait_for(task)
    assert task.exception is None, task.trace
    yield {"dock": dock, "preview": preview, "steps": steps, "before": before}
    dock.close_and_cleanup()
    dock_module.demo_cache_dir = original


def shown(dock):
    dock.resize(DOCK_WIDTH, 900)
    dock.show()
    for _ in range(3):
        QCoreApplication.processEvents()


def in_view(dock, widget) -> bool:
    """The widget is shown and lies wholly inside the dock's width."""
    if not widget.isVisible():
        return False
    left = widget.mapTo(dock, widget.rect().topLeft()).x()
    return left >= 0 and left + widget.width() <= dock.width()


def tab_titles(dock):
    return [re.sub(r"\s*\(\d+\)$", "", dock.ui.tabs.tabText(i)) for i in range(dock.ui.tabs.count())]


def test_every_tab_is_in_view_at_the_docks_width_and_one_more_tab_too(run):
    from bluesky_zoning.ui.panels.base import Panel

    dock = run["dock"]
    shown(dock)
    try:
        assert dock.width() <= DOCK_WIDTH + 2  # nothing in a tab forces the dock wider than analysts keep it
        strip = dock.tab_strip
        assert not dock.ui.tabs.tabBar().isVisible()  # no bar with arrows hiding the last tabs
        assert [b.text() for b in strip.buttons] == [dock.ui.tabs.tabText(i) for i in range(dock.ui.tabs.count())]
        assert "需核实 (" in strip.buttons[4].text()
        for button in strip.buttons + [dock.help_button]:
            assert in_view(dock, button), button.text()
        # a click on a name shows its page
        strip.buttons[-1].click()
        assert dock.ui.tabs.currentIndex() == dock.ui.tabs.count() - 1 and strip.buttons[-1].isChecked()

        class Extra(Panel):  # the way a new tab joins (the lead's 方案比较): one more Panel with its own page
            def __init__(self, dock, name):
                super().__init__(dock)
                self.name, self.widget = name, QWidget()

            def page(self):
                return self.widget

            def title(self):
                return self.name

        extras = [Extra(dock, "方案比较"), Extra(dock, "Scenario comparison (English)")]
        for extra in extras:
            dock.add_panel(extra)
        QCoreApplication.processEvents()
        try:
            assert [b.text() for b in strip.buttons[-2:]] == ["方案比较", "Scenario comparison (English)"]
            for button in strip.buttons + [dock.help_button]:
                assert in_view(dock, button), button.text()
            assert strip.buttons[-1].y() > strip.buttons[0].y()  # wrapped onto another row, none hidden
            assert dock.width() <= DOCK_WIDTH + 2
        finally:
            for extra in extras:
                dock.ui.tabs.removeTab(dock.ui.tabs.indexOf(extra.widget))
                dock.panels.remove(extra)
            QCoreApplication.processEvents()
        assert len(strip.buttons) == dock.ui.tabs.count()  # a page removed takes its name along
    finally:
        dock.hide()


def test_to_verify_says_who_and_what_with_rule_names(run):
    dock = run["dock"]
    table = dock.ui.verifyTable
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["名称", "县区", "问题", "您的列", "原始值", "图层", "编号", "行号"]
    frame = dock.result.to_verify
    assert table.rowCount() == len(frame) > 0
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert sum(bool(n) for n in names) > 0.9 * len(names)  # nearly every row names its enterprise
    assert sum(bool(table.item(r, 1).text()) for r in range(table.rowCount())) > 0.9 * len(names)
    problems = [table.item(r, 2).text() for r in range(table.rowCount())]
    rules = {r.id: r.label for r in dock.ruleset.rules}
    assert not any(re.search(r"\b[BMPTV]-[A-Z0-9]+", p) for p in problems)
    assert any(f"无法判断规则「{rules['B-35']}」" in p for p in problems)
    shown(dock)
    try:
        dock.ui.tabs.setCurrentWidget(dock.ui.tabVerify)
        QCoreApplication.processEvents()
        for col in range(3):  # 名称, 县区 and the whole problem in view, the problem wrapped onto its lines
            assert table.columnViewportPosition(col) + table.columnWidth(col) <= table.viewport().width()
        longest = max(range(table.rowCount()), key=lambda r: len(problems[r]))
        metrics = table.fontMetrics()
        lines = table.rowHeight(longest) // metrics.lineSpacing()
        assert lines * table.columnWidth(2) >= metrics.horizontalAdvance(problems[longest])
    finally:
        dock.hide()


def test_the_data_tab_says_what_the_run_does_in_the_logs_words(run):
    from bluesky_zoning.analysis.reports.labels import english_code_words

    dock, preview = run["dock"], run["preview"]
    villages = dock.ui.villagesCombo.currentLayer().name()
    log = dock.ui.runLog.toPlainText()
    id_line = next(line for line in preview[villages] if line.startswith("✘ 编号"))
    assert "编号按行号生成" in id_line and "fid" not in " ".join(preview[villages])  # a GeoPackage's fid is no id
    words = id_line.split("：", 1)[1]
    assert f"村图层「{villages}」没有「编号」字段：{words}" in log  # the same sentence, said before and after
    derived = next(line for line in preview[villages] if line.startswith("✔ 清洁取暖覆盖率："))
    assert derived.split("：", 1)[1] in log
    # no code words in the log: rules by name, fields by label, the user's own columns
    folder = str(Path(dock.result_paths["flags"]).parent)
    lines = [line for line in log.splitlines() if folder not in line and str(Path(folder).parent) not in line]
    assert english_code_words(lines) == [], english_code_words(lines)
    assert any("额定蒸发量（您的列「额定蒸发量(t/h)」）" in line for line in lines)


def test_the_progress_tab_offers_the_ledger_beside_the_runs_and_says_what_to_do(run, qgis_iface, tmp_path):
    import bluesky_zoning.ui.dock as dock_module

    dock, before = run["dock"], run["before"]
    panel = dock.progress
    # a new user's dock: a ledger offered in the output folder, and the tab says how it comes about
    assert before["ledger"] == str(Path(before["out_dir"]) / "ledger.gpkg")
    assert "更新台账" in before["summary"]
    # after the run: the ledger beside it, created by the first update there
    offered = Path(panel.ledger_file.filePath())
    assert offered.parent == Path(dock.result_paths["flags"]).parent.parent and not offered.exists()
    if panel.reading is not None:
        wait_for(panel.reading)
    assert "还不存在" in panel.summary.text() and "更新台账" in panel.summary.text()
    panel.new_month.setText("2020-07")
    task = panel.update_ledger()
    wait_for(task)
    assert task.exception is None, task.trace
    assert offered.is_file() and panel.months() == ["2020-07"]
    # the ledger used is remembered: the next dock reads it at once
    dock.save_settings()
    other = dock_module.BlueSkyDock(qgis_iface)
    try:
        assert other.progress.ledger_file.filePath() == str(offered)
        wait_for(other.progress.reading)
        assert other.progress.months() == ["2020-07"] and "2020-07" in other.progress.summary.text()
    finally:
        other.close_and_cleanup()
    # nothing remembered, a project saved beside a ledger (the demo's out/demo/ledger.gpkg beside demo.qgz)
    QgsSettings().remove("bluesky_zoning/ledger")
    shutil.copyfile(offered, tmp_path / "ledger.gpkg")
    QgsProject.instance().setPresetHomePath(str(tmp_path))
    try:
        third = dock_module.BlueSkyDock(qgis_iface)
        try:
            assert third.progress.ledger_file.filePath() == str(tmp_path / "ledger.gpkg")
            wait_for(third.progress.reading)
            assert third.progress.months() == ["2020-07"]
        finally:
            third.close_and_cleanup()
    finally:
        QgsProject.instance().setPresetHomePath("")


def test_the_user_guide_names_the_docks_tabs_and_figures(run):
    """The guide's list of tabs is the dock's; the figures it quotes from the demo (需核实 (N), the run's step
    count x/N) are those of a run on the demo."""
    dock = run["dock"]
    guide = GUIDE.read_text(encoding="utf-8")
    listed = re.search(r"面板共 (\d+) 页：(.+?)。", guide)
    assert listed, "the guide lists the dock's tabs"
    names = re.findall(r"\*\*(.+?)\*\*", listed.group(2))
    assert names == tab_titles(dock) and int(listed.group(1)) == len(names)
    verify = [int(n) for n in re.findall(r"需核实 \((\d+)\)", guide)]
    assert verify and set(verify) == {len(dock.result.to_verify)}
    totals = {int(n) for n in re.findall(r"… \d+/(\d+)", guide)}
    assert totals and totals == {max(run["steps"])}
    for promise in ("已核实", "3/14"):  # what the dock does not have
        assert promise not in guide
    # the encoding the guide promises is on the 输出 tab
    combo = dock.output.encoding_combo
    assert "编码可选 UTF-8 或 GBK" in guide and [combo.itemText(i) for i in range(combo.count())] == ["UTF-8", "GBK"]
