"""What every tab's panel has: the dock (shared state, tasks, log), the form, and settings in and out.

A panel keeps to its own tab's widgets; what another tab needs it asks of that panel through the dock
(``dock.data``, ``dock.rules`` …). Panels know the dock only as :class:`DockContext`, the interface the dock
passes in: they never import ``ui/dock.py`` (which imports every panel). A new tab (the 进度 ledger, say) is one more Panel with its own page:
``page()`` returns the widget the dock adds as a tab; the panels of dock.ui return None.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Protocol

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtWidgets import QWidget

SETTINGS = "bluesky_zoning/"


def tr(text: str) -> str:
    return QCoreApplication.translate("BlueSkyDock", text)


def ui_is_chinese() -> bool:
    """True when the plugin's Chinese translation is installed (the dock then shows Chinese only)."""
    return QCoreApplication.translate("BlueSkyDock", "Blue Sky Zoning") != "Blue Sky Zoning"


class DockContext(Protocol):
    """What the dock offers its panels: shared state of the last run, the other tabs' panels, tasks and
    messages. ``ui/dock.py``'s BlueSkyDock is the one implementation."""

    iface: Any  # QgisInterface
    ui: Any  # the dock's form (dock.ui)
    ruleset: Any  # the rules file shown on the 规则 tab (analysis RuleSet)
    result: Any  # the last run's AnalysisResult, or None
    result_paths: Dict[str, str]
    result_layers: Dict[str, Any]
    admin_norm: Any  # the last run's normalised county layer (GeoDataFrame)
    data: Any  # the 数据 tab's panel
    rules: Any  # the 规则 tab's panel
    progress: Any  # the 进度 tab's panel
    run: Any  # the 分析 tab's panel (its ``last_inputs``: the last run's JobInputs)
    scenarios: Any  # the 方案比较 tab's panel (``saved_comparison()``: its compare.gpkg of this run)

    def start_task(self, description: str, work: Callable, on_done: Optional[Callable] = None,
                   on_error: Optional[Callable] = None, on_canceled: Optional[Callable] = None) -> Any: ...

    def log(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def message(self, text: str, success: bool = False) -> None: ...

    def open_link(self, link: str) -> bool: ...

    def show_results(self, result: Any, paths: Dict[str, Any], columns_read: Dict[str, Any]) -> None: ...

    def load_demo_data(self) -> Any: ...

    def save_settings(self) -> None: ...


class Panel:
    """Base of the dock's tab panels."""

    #: objectName of the tab page in dock.ui (None for a panel that brings its own page)
    TAB: Optional[str] = None

    def __init__(self, dock: DockContext) -> None:
        self.dock = dock
        self.ui = dock.ui

    def page(self) -> Optional[QWidget]:
        """A page of the panel's own to add as a tab, or None when the page is part of dock.ui."""
        return None

    def tab_page(self) -> Optional[QWidget]:
        return getattr(self.ui, self.TAB) if self.TAB else self.page()

    def title(self) -> str:
        raise NotImplementedError

    def connect(self) -> None:
        """Connect the panel's widgets (after every panel exists)."""

    def restore(self, settings: QgsSettings) -> None:
        """Take the remembered choices."""

    def save(self, settings: QgsSettings) -> None:
        """Remember the choices."""

    def close(self) -> None:
        """The dock is going away: let go of what outlives it (project signals)."""

    def on_results(self) -> None:
        """A run completed: dock.result, dock.result_paths and dock.result_layers are the new ones."""

    def show(self) -> None:
        """Bring this panel's tab to the front."""
        page = self.tab_page()
        if page is not None:
            self.ui.tabs.setCurrentWidget(page)

    def set_title(self, text: str) -> None:
        page = self.tab_page()
        index = self.ui.tabs.indexOf(page) if page is not None else -1
        if index >= 0:
            self.ui.tabs.setTabText(index, text)
            strip = getattr(self.ui, "tabStrip", None)  # the tab names the dock shows (ui/tab_strip.py)
            if strip is not None:
                strip.refresh_button(index)
