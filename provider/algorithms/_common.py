"""Shared pieces of the `bluesky` algorithms: base class, rule-file defaults, layer snapshots."""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ...layers.threads import in_python_thread

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

#: Processing parameter -> rule-file parameter name, with the fallback used when the file lacks it.
PARAM_KEYS: Dict[str, tuple] = {
    "CHP_RADIUS_KM": ("chp_radius_km", 15.0),
    "MINE_RING_KM": ("mine_ring_km", 3.0),
    "FRINGE_KM": ("fringe_km", 0.0),
    "B35_TPH": ("b35_tph", 35.0),
    "B10_TPH": ("b10_tph", 10.0),
}


def rule_defaults() -> Dict[str, float]:
    """Defaults of the distance/threshold parameters, read from the shipped rules file."""
    values = {key: fallback for key, (_, fallback) in PARAM_KEYS.items()}
    try:
        from ...analysis.rules import load_rules

        params = load_rules().params
        for key, (name, _) in PARAM_KEYS.items():
            value = params.get(name) if isinstance(params, dict) else getattr(params, name, None)
            if isinstance(value, dict):
                value = value.get("value", value.get("default"))
            if value is not None:
                values[key] = float(value)
    except Exception:  # noqa: BLE001 - the algorithm still loads; the run reports a broken rules file
        pass
    return values


class BlueSkyAlgorithm(QgsProcessingAlgorithm):
    """Base of the provider's algorithms: translation, group and icon."""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("BlueSkyAlgorithm", text)

    def createInstance(self):  # noqa: N802 - QGIS API name
        return type(self)()

    def group(self) -> str:
        return self.tr("Blue Sky Zoning")

    def groupId(self) -> str:  # noqa: N802 - QGIS API name
        return "bluesky"

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API name
        # Processing runs this in a Qt pool thread; pyproj needs a thread Python made (layers/threads.py).
        return in_python_thread(self.process, parameters, context, feedback)

    def process(self, parameters, context, feedback):
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------------------------
    def add_distance_params(self, names=("CHP_RADIUS_KM", "MINE_RING_KM", "FRINGE_KM")) -> None:
        defaults = rule_defaults()
        labels = {
            "CHP_RADIUS_KM": self.tr("CHP heating radius (km)"),
            "MINE_RING_KM": self.tr("Ring around prefecture built-up areas for open-pit mine closure (km)"),
            "FRINGE_KM": self.tr("Urban-rural fringe ring around built-up areas (km, 0 = off)"),
            "B35_TPH": self.tr("Coal boiler threshold in the key cities (t/h, below it: eliminate)"),
            "B10_TPH": self.tr("Coal boiler threshold elsewhere (t/h, at or below it: eliminate)"),
        }
        for name in names:
            self.addParameter(
                QgsProcessingParameterNumber(
                    name, labels[name], QgsProcessingParameterNumber.Type.Double, defaults[name], False, 0.0, 1000.0
                )
            )

    def rule_params(self, parameters, context, names) -> Dict[str, float]:
        """Rule-file parameter name -> value of the distance/threshold parameters."""
        return {PARAM_KEYS[n][0]: self.parameterAsDouble(parameters, n, context) for n in names}

    def fail(self, zh: str, en: str, detail: Optional[Any] = None) -> QgsProcessingException:
        text = f"{zh} / {en}"
        if detail:
            text += f": {detail}"
        return QgsProcessingException(text)
