"""The `bluesky` Processing provider: every step of the dock as an algorithm."""
from __future__ import annotations

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))


class BlueSkyProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "bluesky"

    def name(self) -> str:
        return QCoreApplication.translate("BlueSkyProvider", "Blue Sky Zoning 蓝天管控")

    def longName(self) -> str:  # noqa: N802 - QGIS API name
        return self.name()

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def loadAlgorithms(self) -> None:  # noqa: N802 - QGIS API name
        from .algorithms import all_algorithms

        for alg in all_algorithms():
            self.addAlgorithm(alg)
