"""The plugin object QGIS holds: menu, toolbar button, dock and Processing provider."""
from __future__ import annotations

import os
from typing import Optional

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMessageBox

from .dependencies import install_hint, missing_dependencies

PLUGIN_DIR = os.path.dirname(__file__)
MENU_NAME = "蓝天管控 Blue Sky"
LOG_TAG = "Blue Sky Zoning"


def tr(text: str) -> str:
    """Translate a user-facing string of the plugin (zh_CN from i18n/, English fallback)."""
    return QCoreApplication.translate("BlueSkyZoning", text)


def icon_path(name: str = "icon.svg") -> str:
    return os.path.join(PLUGIN_DIR, "icons", name)


class BlueSkyZoningPlugin:
    """Wires the plugin into QGIS; all real work lives in ui/, provider/, layers/ and analysis/."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider = None
        self.dock = None
        self.actions: list = []
        self.toolbar = None
        self.translator: Optional[QTranslator] = None
        self.missing = missing_dependencies()
        self._install_translator()

    # -- set-up -----------------------------------------------------------------------------------
    def _install_translator(self) -> None:
        locale = str(QgsSettings().value("locale/userLocale", QLocale.system().name()) or "")[:5]
        if not locale:
            return
        path = os.path.join(PLUGIN_DIR, "i18n", f"bluesky_zoning_{locale}.qm")
        if not os.path.exists(path) and locale.startswith("zh"):
            path = os.path.join(PLUGIN_DIR, "i18n", "bluesky_zoning_zh_CN.qm")
        if os.path.exists(path):
            translator = QTranslator()
            if translator.load(path):
                QCoreApplication.installTranslator(translator)
                self.translator = translator

    def initProcessing(self) -> None:  # noqa: N802 - QGIS API name
        """Register the `bluesky` Processing provider (QGIS calls this for the Toolbox and qgis_process)."""
        if self.missing:
            QgsMessageLog.logMessage(self._missing_text(), LOG_TAG, Qgis.MessageLevel.Critical)
            return
        from .provider.provider import BlueSkyProvider

        self.provider = BlueSkyProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - QGIS API name
        self.initProcessing()
        action = QAction(QIcon(icon_path()), tr("Open panel"), self.iface.mainWindow())
        action.setObjectName("bluesky_zoning_open_panel")
        action.setToolTip(tr("Blue Sky Zoning: zones and enterprise flags of the Shanxi 2020 plan"))
        action.triggered.connect(self.show_dock)
        self.iface.addPluginToMenu(MENU_NAME, action)
        self.toolbar = self.iface.addToolBar(MENU_NAME)
        self.toolbar.setObjectName("bluesky_zoning_toolbar")
        self.toolbar.addAction(action)
        self.actions.append(action)

    def unload(self) -> None:
        for action in self.actions:
            self.iface.removePluginMenu(MENU_NAME, action)
            if self.toolbar is not None:
                self.toolbar.removeAction(action)
            action.deleteLater()
        self.actions.clear()
        if self.toolbar is not None:
            self.toolbar.deleteLater()
            self.toolbar = None
        if self.dock is not None:
            self.iface.removeDockWidget(self.dock)
            self.dock.close_and_cleanup()
            self.dock.deleteLater()
            self.dock = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    # -- actions ----------------------------------------------------------------------------------
    def _missing_text(self) -> str:
        return tr("Blue Sky Zoning needs Python packages that QGIS's Python lacks: {missing}. Install them with: {cmd}").format(
            missing="; ".join(self.missing), cmd=install_hint()
        )

    def show_dock(self) -> None:
        if self.missing:
            QMessageBox.warning(self.iface.mainWindow(), MENU_NAME, self._missing_text())
            return
        if self.dock is None:
            from .ui.dock import BlueSkyDock

            self.dock = BlueSkyDock(self.iface)
            self.iface.addDockWidget(self._right_area(), self.dock)
        self.dock.show()
        self.dock.raise_()

    @staticmethod
    def _right_area():
        from qgis.PyQt.QtCore import Qt

        return Qt.DockWidgetArea.RightDockWidgetArea  # scoped: PyQt5 5.15 (QGIS 3.22) and PyQt6 alike
