"""The dock "蓝天管控分区": a frame over one panel per tab (ui/panels/) — data → rules → run → results → to verify
→ outputs → progress (the monthly ledger). The dock holds what the panels share: the last run, the tasks, the log
and the message bar. The tab names are a wrapping strip of buttons (ui/tab_strip.py): every tab stays in view
at the dock's width, however many there are."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from qgis.core import Qgis, QgsApplication, QgsSettings
from qgis.gui import QgsDockWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices
from qgis.PyQt.QtWidgets import QToolButton, QWidget

from ..layers.user_errors import log_exception, user_message
from .panels.base import SETTINGS, tr
from .panels.data import DataPanel
from .panels.output import OutputPanel
from .panels.progress import ProgressPanel
from .panels.results import ResultsPanel
from .panels.rules import RulesPanel
from .panels.run import RunPanel
from .panels.scenarios import ScenarioPanel
from .panels.verify import VerifyPanel
from .tab_strip import TabStrip
from .tasks import BlueSkyTask

FORM_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "dock.ui"))
PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_GUIDE = os.path.join("docs", "用户手册.md")  # shipped with the plugin (scripts/plugin_files.py)


def demo_cache_dir() -> str:
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "bluesky_zoning", "demo")


class BlueSkyDock(QgsDockWidget):
    """The plugin's dock; every long step runs in a BlueSkyTask."""

    def __init__(self, iface) -> None:
        super().__init__(tr("Blue Sky Zoning"))
        self.setObjectName("BlueSkyZoningDock")
        self.iface = iface
        self.ui = _Form()
        self.setWidget(self.ui)
        self.tasks: List[BlueSkyTask] = []
        # the last complete run
        self.result = None
        self.result_paths: Dict[str, str] = {}
        self.result_group = None
        self.result_layers: Dict[str, Any] = {}
        self.admin_norm = None  # normalised admin GeoDataFrame of the last run
        self.ruleset = None  # the rules file shown on the Rules tab
        self.tab_strip = TabStrip(self.ui.tabs, self.ui)
        self.ui.mainLayout.insertWidget(0, self.tab_strip)
        self.ui.tabStrip = self.tab_strip  # the panels reach it through the form (base.Panel.set_title)
        self.help_button = QToolButton(self.ui)
        self.help_button.setObjectName("helpButton")
        self.help_button.setText(tr("Help"))
        self.help_button.setToolTip(tr("Open the user guide"))
        self.help_button.setAutoRaise(True)
        self.tab_strip.add_trailing(self.help_button)
        self.guide_viewer = None  # the user guide's window, made on the first 帮助
        self.rules = RulesPanel(self)
        self.data = DataPanel(self)
        self.run = RunPanel(self)
        self.results = ResultsPanel(self)
        self.verify = VerifyPanel(self)
        self.output = OutputPanel(self)
        self.progress = ProgressPanel(self)
        self.scenarios = ScenarioPanel(self)
        self.panels = [self.data, self.rules, self.run, self.results, self.verify, self.output, self.progress,
                       self.scenarios]
        for panel in self.panels:
            self.add_panel(panel)
        self.help_button.clicked.connect(self.open_user_guide)
        settings = QgsSettings()
        for panel in (self.rules, self.data, self.run, self.output, self.progress):
            panel.restore(settings)
        self.ui.tabs.setCurrentIndex(int(settings.value(SETTINGS + "last_tab", 0, type=int) or 0))

    def add_panel(self, panel) -> None:
        """Give a panel its tab (its own page, or the one of dock.ui) and connect it."""
        page = panel.tab_page()
        if self.ui.tabs.indexOf(page) < 0:
            self.ui.tabs.addTab(page, panel.title())
            if panel not in self.panels:
                self.panels.append(panel)
        self.tab_strip.sync()
        panel.set_title(panel.title())
        panel.connect()

    # -- what the panels share ------------------------------------------------------------------------
    def show_results(self, result, paths: Dict[str, Any], columns_read: Dict[str, Dict[str, Optional[str]]]) -> None:
        """A run completed: its layers join the project as one group, and every panel shows it."""
        from ..layers.result_group import add_results_from_gpkg, group_layers

        self.result = result
        self.result_paths = {k: str(v) for k, v in paths.items()}
        self.result_group = add_results_from_gpkg(self.result_paths.get("zones"), self.result_paths.get("flags"))
        self.result_layers = group_layers(self.result_group)
        self.admin_norm = result.admin
        self.verify.columns_read = columns_read
        for panel in self.panels:
            panel.on_results()
        self.results.show()

    def start_task(self, description: str, work, on_done=None, on_error=None, on_canceled=None) -> BlueSkyTask:
        def error(exc, trace):
            (on_error or (lambda e, t: self.warn(f"{description}: {user_message(e)}")))(exc, trace)

        task = BlueSkyTask(description, work, on_done, error, on_canceled)
        self.tasks.append(task)
        task.taskCompleted.connect(lambda: self._forget(task))
        task.taskTerminated.connect(lambda: self._forget(task))
        QgsApplication.taskManager().addTask(task)
        return task

    def _forget(self, task: BlueSkyTask) -> None:
        if task in self.tasks and task is not self.run.task:
            self.tasks.remove(task)

    def log(self, text: str) -> None:
        self.ui.runLog.appendPlainText(text)

    def warn(self, text: str) -> None:
        self.log(text)
        self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), text, Qgis.MessageLevel.Warning, 8)

    def message(self, text: str, success: bool = False) -> None:
        level = Qgis.MessageLevel.Success if success else Qgis.MessageLevel.Info
        self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), text, level, 10)

    @staticmethod
    def open_link(link: str) -> bool:
        """Open a link of the dock's labels (a results folder) with the system's file manager."""
        return QDesktopServices.openUrl(QUrl(link))

    def user_guide_path(self) -> str:
        return os.path.join(PLUGIN_DIR, USER_GUIDE)

    def open_user_guide(self) -> bool:
        """The user guide rendered (headings, tables, pictures) in a window of QGIS's own; the .md as text where
        Qt cannot read Markdown (before 5.14)."""
        from .guide_viewer import GuideViewer

        path = self.user_guide_path()
        if not os.path.exists(path):
            self.warn(tr("The user guide is missing: {path}").format(path=path))
            return False
        if self.guide_viewer is None or self.guide_viewer.path != path:
            self.guide_viewer = GuideViewer(path, self.iface.mainWindow())
        self.guide_viewer.show()
        self.guide_viewer.raise_()
        return True

    # -- the steps (also what the plugin, the tests and the screenshot script call) -------------------------
    def load_demo_data(self) -> Optional[BlueSkyTask]:
        """Generate (or reuse) the Shanxi demo in the profile's cache, import its lists, then load it."""
        return self.data.load_demo_data(demo_cache_dir())

    def run_analysis(self) -> Optional[BlueSkyTask]:
        return self.run.run_analysis()

    def cancel_run(self) -> None:
        self.run.cancel_run()

    def export_packages(self) -> Optional[BlueSkyTask]:
        return self.output.export_packages()

    def print_atlas(self) -> Optional[BlueSkyTask]:
        return self.output.print_atlas()

    def write_workbook(self) -> Optional[BlueSkyTask]:
        return self.output.write_workbook()

    def write_database(self) -> Optional[BlueSkyTask]:
        return self.output.write_database()

    def save_project(self) -> None:
        self.output.save_project()

    def save_settings(self) -> None:
        settings = QgsSettings()
        for panel in self.panels:
            panel.save(settings)
        settings.setValue(SETTINGS + "last_tab", self.ui.tabs.currentIndex())

    def close_and_cleanup(self) -> None:
        """Called by plugin.unload: cancel running work and remember the choices."""
        try:
            self.save_settings()
        except Exception as exc:  # noqa: BLE001 - never block unloading; the log says why
            log_exception(exc, "saving the dock's settings")
        for panel in self.panels:
            panel.close()
        if self.guide_viewer is not None:
            self.guide_viewer.close()
        for task in list(self.tasks):
            try:
                if not task.done:
                    task.cancel()
            except RuntimeError:
                pass
        self.tasks.clear()


class _Form(QWidget, FORM_CLASS):
    def __init__(self) -> None:
        super().__init__()
        self.setupUi(self)
