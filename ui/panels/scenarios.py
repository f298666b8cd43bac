"""方案比较 tab: "what if the radius were 20 km — who changes?" answered while the analyst moves a value.

The base is the dock's last run: its inputs (the same snapshots) are read once into an
analysis.scenarios ScenarioSession whose base result is that run. Each change of a spin box, a rule check or a
1+30 check (debounced) reruns only the zones the change touches (the session's job) in a task, and the counts per
county and the map's change layers are redrawn. One comparison runs at a time; a change made meanwhile is run
next, the latest only. 保存为方案 writes compare.gpkg (the same file ``bluesky:compare_scenarios`` writes).
"""
from __future__ import annotations

import datetime as _dt
import os
import time
from typing import Any, Dict, List, Optional

from qgis.core import QgsLayerTreeGroup, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...layers.user_errors import report
from .base import Panel

#: the values a meeting argues over (issue 19), in the rules file's own names; the spec gives label, unit, range
SCENARIO_PARAMS = ("chp_radius_km", "fringe_km", "mine_ring_km", "b35_tph", "b10_tph")
GROUP_NAME = "方案比较"
CHANGES_NAME = "方案比较：判定变化的企业"
ZONES_NAME = "方案比较：区域变化"
DEBOUNCE_MS = 350
COUNT_HEADERS = ("地市", "县区", "新增", "解除", "措施变化")
NO_BASE_TEXT = "先在“分析”页完成一次分析：以它为基准比较。"


class ScenarioPanel(Panel):
    """The 方案比较 tab; its page is built here."""

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.session = None  # analysis.scenarios.session.ScenarioSession of the last run
        self.session_for = None  # the AnalysisResult the session's base is
        self.opening = None  # the task reading the inputs into a session
        self.task = None  # the running comparison
        self.pending = False  # a change came while a comparison ran
        self.comparison = None  # the last analysis.scenarios.compare.Comparison shown
        self.changed_at = 0.0  # perf_counter of the change the next redraw answers
        self.last_seconds: Optional[float] = None  # value change → counts redrawn, of the last redraw
        self.base_members: List[str] = []  # adcodes of the base's 1+30 counties
        self.layers: Dict[str, QgsVectorLayer] = {}
        self.saved_path = ""  # the last compare.gpkg 保存为方案 wrote …
        self.saved_for = None  # … and the run it compares against
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.compare_now)
        self.widget = self._build()
        self._set_ready(False, NO_BASE_TEXT)

    # -- the page ------------------------------------------------------------------------------------------
    def page(self) -> QWidget:
        return self.widget

    def title(self) -> str:
        return "方案比较"

    def _build(self) -> QWidget:
        from ...analysis.schema.params import shipped_specs

        page = QWidget()
        page.setObjectName("tabScenarios")
        layout = QVBoxLayout(page)
        intro = QLabel("以最近一次分析为基准，改变下列设置，即时看到哪些企业的判定随之变化（新增、解除、措施变化）。", page)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        box = QGroupBox("参数", page)
        form = QFormLayout(box)
        self.spins: Dict[str, QDoubleSpinBox] = {}
        specs = shipped_specs()
        for name in SCENARIO_PARAMS:
            spec = specs[name]
            spin = QDoubleSpinBox(box)
            spin.setObjectName(f"scenario_{name}")
            spin.setDecimals(spec.decimals)
            spin.setRange(max(spec.minimum, 0.0), min(spec.maximum, 1e6))
            spin.setSingleStep(1.0 if spec.default >= 5 else 0.5)
            spin.setValue(spec.default)
            spin.setSuffix(f" {spec.unit}" if spec.unit else "")
            spin.setKeyboardTracking(False)  # typing "20" is one change, not "2" then "20"
            spin.setToolTip(spec.label)
            form.addRow(spec.label, spin)
            self.spins[name] = spin
        layout.addWidget(box)
        lists = QSplitter(Qt.Orientation.Horizontal, page)
        rules_box = QGroupBox("规则（勾选=启用）", lists)
        QVBoxLayout(rules_box).addWidget(self._check_list(rules_box, "scenarioRules"))
        self.rule_list = rules_box.findChild(QListWidget)
        region_box = QGroupBox("“1+30”区域（勾选=在区域内）", lists)
        QVBoxLayout(region_box).addWidget(self._check_list(region_box, "scenario1p30"))
        self.region_list = region_box.findChild(QListWidget)
        lists.addWidget(rules_box)
        lists.addWidget(region_box)
        layout.addWidget(lists)
        buttons = QHBoxLayout()
        self.reset_button = QPushButton("恢复基准", page)
        self.save_button = QPushButton("保存为方案", page)
        self.save_button.setToolTip("把当前比较写成 compare.gpkg（与工具箱“方案比较”相同），并加入地图")
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.status = QLabel(page)
        self.status.setObjectName("scenarioStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, len(COUNT_HEADERS), page)
        self.table.setObjectName("scenarioCounts")
        self.table.setHorizontalHeaderLabels(list(COUNT_HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        return page

    @staticmethod
    def _check_list(parent: QWidget, name: str) -> QListWidget:
        widget = QListWidget(parent)
        widget.setObjectName(name)
        widget.setMinimumHeight(90)
        return widget

    def connect(self) -> None:
        for spin in self.spins.values():
            spin.valueChanged.connect(self.value_changed)
        self.rule_list.itemChanged.connect(self.value_changed)
        self.region_list.itemChanged.connect(self.value_changed)
        self.reset_button.clicked.connect(self.reset)
        self.save_button.clicked.connect(self.save_scenario)

    def close(self) -> None:
        self.timer.stop()
        for task in (self.task, self.opening):
            if task is not None and not task.done:
                task.cancel()

    # -- the base --------------------------------------------------------------------------------------------
    def on_results(self) -> None:
        """A new run is the new base: its inputs are read into a session in a task (the controls wait)."""
        result, inputs = self.dock.result, getattr(self.dock.run, "last_inputs", None)
        self.session, self.session_for, self.comparison = None, None, None
        self._clear_layers()
        self.table.setRowCount(0)
        if result is None or inputs is None:
            self._set_ready(False, NO_BASE_TEXT)
            return
        self._set_ready(False, "正在读取基准的输入…")

        def work(task):
            from ...layers.run_job import open_session

            session, _spec, _warnings = open_session(inputs, base=result, is_canceled=task.isCanceled)
            return session

        self.opening = self.dock.start_task("方案比较：读取输入", work, lambda s: self._opened(s, result),
                                            self._failed)

    def _opened(self, session, result) -> None:
        if result is not self.dock.result:  # a newer run came meanwhile; its own session is on the way
            return
        self.session, self.session_for = session, result
        self._fill_controls()
        self._set_ready(True, "基准：最近一次分析。改变任一设置即开始比较。")

    def _fill_controls(self) -> None:
        """Controls at the base's values: parameters, rules enabled, 1+30 members (from the base's own zone)."""
        ruleset, base = self.session.ruleset, self.session.base
        widgets = [*self.spins.values(), self.rule_list, self.region_list]
        for w in widgets:
            w.blockSignals(True)
        try:
            for name, spin in self.spins.items():
                spin.setValue(float(ruleset.params.get(name, spin.value())))
            self.rule_list.clear()
            for rule in ruleset.rules:
                item = QListWidgetItem(rule.label)
                item.setData(Qt.ItemDataRole.UserRole, rule.id)
                item.setToolTip(f"{rule.clause} {rule.label}")
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
                self.rule_list.addItem(item)
            region = base.zones.get("region_1p30")
            self.base_members = sorted(str(a) for a in region["adcode"]) if region is not None and \
                "adcode" in region.columns else []
            admin = self.session.admin
            self.region_list.clear()
            for row in admin.sort_values("adcode").itertuples(index=False):  # 太原 1401 first, as the plan lists
                item = QListWidgetItem(f"{row.city} {row.county}")
                item.setData(Qt.ItemDataRole.UserRole, str(row.adcode))
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                member = str(row.adcode) in self.base_members
                item.setCheckState(Qt.CheckState.Checked if member else Qt.CheckState.Unchecked)
                self.region_list.addItem(item)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _set_ready(self, ready: bool, text: str) -> None:
        for w in (*self.spins.values(), self.rule_list, self.region_list, self.reset_button):
            w.setEnabled(ready)
        self.save_button.setEnabled(ready and self.comparison is not None)
        self.status.setText(text)

    # -- a change ---------------------------------------------------------------------------------------------
    def spec(self):
        """The settings the controls hold, relative to the base (analysis.scenarios ScenarioSpec)."""
        from ...analysis.scenarios.overrides import ScenarioSpec

        ruleset = self.session.ruleset
        params = {name: float(spin.value()) for name, spin in self.spins.items()
                  if abs(float(spin.value()) - float(ruleset.params.get(name, spin.value()))) > 1e-9}
        rules = {}
        for i in range(self.rule_list.count()):
            item = self.rule_list.item(i)
            enabled = item.checkState() == Qt.CheckState.Checked
            rule_id = item.data(Qt.ItemDataRole.UserRole)
            if enabled != ruleset.get(rule_id).enabled:
                rules[rule_id] = enabled
        ticked = {self.region_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.region_list.count())
                  if self.region_list.item(i).checkState() == Qt.CheckState.Checked}
        base = set(self.base_members)
        return ScenarioSpec(params=params, rules=rules, add_1p30=tuple(sorted(ticked - base)),
                            remove_1p30=tuple(sorted(base - ticked)))

    def value_changed(self, *_args) -> None:
        if self.session is None:
            return
        if not self.timer.isActive() and (self.task is None or self.task.done):
            self.changed_at = time.perf_counter()
        self.timer.start()

    def compare_now(self):
        """Run the comparison of the controls' settings now (the latest only, one at a time)."""
        if self.session is None:
            return None
        if self.task is not None and not self.task.done:
            self.pending = True
            return None
        spec = self.spec()
        if spec.is_empty:
            self.comparison = None
            self._clear_layers()
            self.table.setRowCount(0)
            self._set_ready(True, "与基准相同：没有企业变化。")
            return None
        session = self.session
        self.status.setText("比较中：" + spec.describe(session.ruleset) + "…")

        def work(task):
            from ...analysis.scenarios.compare import compare_results

            variant = session.run(spec, is_canceled=task.isCanceled)
            return compare_results(session.base, variant, spec)

        self.pending = False
        self.task = self.dock.start_task("方案比较", work, lambda c: self._show(c, session), self._failed)
        return self.task

    def _failed(self, exc: BaseException, _trace: str) -> None:
        self.dock.warn("方案比较未完成：" + report(exc))
        self._set_ready(self.session is not None, "方案比较未完成：" + report(exc))
        self._next()

    def _next(self) -> None:
        if self.pending:
            self.pending = False
            self.changed_at = time.perf_counter()
            self.compare_now()

    # -- the answer ----------------------------------------------------------------------------------------------
    def _show(self, comparison, session) -> None:
        if session is not self.session:
            return
        self.comparison = comparison
        self.fill_counts(comparison)
        self.show_layers(comparison)
        self.last_seconds = time.perf_counter() - self.changed_at
        totals = comparison.totals()
        self._set_ready(True, f"{comparison.description}：新增 {totals['新增']}、解除 {totals['解除']}、"
                              f"措施变化 {totals['措施变化']}（企业×规则）。用时 {self.last_seconds:.1f} 秒。")
        self.dock.log(f"方案比较：{comparison.description}；新增 {totals['新增']}、解除 {totals['解除']}、"
                      f"措施变化 {totals['措施变化']}；从改变设置到更新计数 {self.last_seconds:.2f} 秒")
        self._next()

    def fill_counts(self, comparison) -> None:
        """One row per county that changes (its 合计 row), then 全省."""
        counts = comparison.counts
        rows = counts[counts["rule_id"].fillna("").astype(str) == ""] if len(counts) else counts
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows.itertuples(index=False)):
            values = [row.city, row.county, row.added, row.removed, row.changed]
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value) if value == value else "")
                if c >= 2:
                    item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                if row.scope == "province":
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)

    def _group(self) -> QgsLayerTreeGroup:
        root = QgsProject.instance().layerTreeRoot()
        group = root.findGroup(GROUP_NAME)
        return group if group is not None else root.insertGroup(0, GROUP_NAME)

    def show_layers(self, comparison) -> None:
        """The changed enterprises (新增 red, 解除 green, 措施变化 orange) and the zones' changed ground, replaced in
        place so the analyst's visibility choices hold."""
        from ...layers.convert import gdf_to_memory_layer
        from ...layers.styling import style_scenario_changes, style_zone_changes

        for key, name, gdf in (("changes", CHANGES_NAME, comparison.changes),
                               ("zones", ZONES_NAME, comparison.zone_changes)):
            fresh = gdf_to_memory_layer(gdf, name)
            layer = self.layers.get(key)
            if layer is not None and QgsProject.instance().mapLayer(layer.id()) is not None and \
                    layer.fields().names() == fresh.fields().names():
                layer.dataProvider().truncate()
                layer.dataProvider().addFeatures(list(fresh.getFeatures()))
                layer.updateExtents()
                layer.triggerRepaint()
                continue
            (style_scenario_changes if key == "changes" else style_zone_changes)(fresh)
            QgsProject.instance().addMapLayer(fresh, False)
            self._group().insertLayer(0 if key == "changes" else 1, fresh)
            self.layers[key] = fresh

    def _clear_layers(self) -> None:
        for layer in self.layers.values():
            try:
                if QgsProject.instance().mapLayer(layer.id()) is not None:
                    layer.dataProvider().truncate()
                    layer.triggerRepaint()
            except RuntimeError:  # deleted with the project
                pass

    def reset(self) -> None:
        if self.session is not None:
            self._fill_controls()
            self.value_changed()

    # -- saving -----------------------------------------------------------------------------------------------
    def save_scenario(self):
        """compare.gpkg of the comparison shown, in a new folder inside the run's results folder; the 输出 tab's atlas
        and workbook then add its pages and sheets."""
        if self.comparison is None:
            return None
        from .run import default_output_dir

        comparison, base = self.comparison, self.session_for
        run_dir = os.path.dirname(self.dock.result_paths.get("flags", "")) or default_output_dir()
        out_dir = os.path.join(run_dir, "方案比较_" + _dt.datetime.now().strftime("%Y%m%d_%H%M%S"))

        def work(_task):
            from ...analysis.scenarios.compare import write_comparison

            os.makedirs(out_dir, exist_ok=True)
            return str(write_comparison(comparison, os.path.join(out_dir, "compare.gpkg")))

        return self.dock.start_task("保存方案比较", work, lambda path: self._saved(path, base), self._failed)

    def saved_comparison(self) -> Optional[str]:
        """The compare.gpkg saved against the current run (the atlas and the workbook add its pages), or None."""
        if self.saved_path and self.saved_for is not None and self.saved_for is self.dock.result and \
                os.path.exists(self.saved_path):
            return self.saved_path
        return None

    def _saved(self, path: str, base) -> None:
        from .run import folder_link

        self.saved_path, self.saved_for = path, base
        folder = os.path.dirname(path)
        self.dock.log(f"方案已保存：{path}")
        self.dock.message("方案已保存为 compare.gpkg（“输出”页的图集和汇总表将加入方案比较页） "
                          + folder_link(folder, "打开所在文件夹"), success=True)


def counts_rows(panel: ScenarioPanel) -> List[List[Any]]:
    """The counts table as shown (tests and the screenshot script read it)."""
    t = panel.table
    return [[t.item(r, c).text() if t.item(r, c) else "" for c in range(t.columnCount())] for r in range(t.rowCount())]
