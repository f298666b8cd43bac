"""The few places where QGIS 3.22 (Qt5) and QGIS 3.40 … 4.x (Qt6) need different spellings.

QgsField takes QVariant.Type up to QGIS 3.36 and QMetaType.Type from 3.38 on; a Qt6 build knows only
the latter (PyQt6 has no QVariant.Type). The Qt5 branch spells the members unscoped (``QVariant.Int``): QGIS's
pyqt5_to_pyqt6 script, which the plugin website runs, rewrites ``QVariant.Type.Int`` to exactly that.
Layer-combo filters moved to Qgis.LayerFilters in 3.34, where
the QgsMapLayerProxyModel overload is deprecated. Every other enum the plugin uses has a single spelling
that works on 3.22 … 4.x (tests/plugin/test_qt6_ready.py holds that).
"""
import operator
from functools import reduce

from qgis.core import Qgis, QgsField, QgsMapLayerProxyModel
from qgis.PyQt.QtCore import QMetaType, QVariant

# Ask QGIS which kind its fields carry rather than infer it from version numbers.
USES_QMETATYPE = isinstance(QgsField().type(), QMetaType.Type)


class FieldType:
    """QgsField types in the spelling the running QGIS takes; also what `QgsField.type()` compares equal to."""

    if USES_QMETATYPE:
        INT = QMetaType.Type.Int
        INT64 = QMetaType.Type.LongLong
        DOUBLE = QMetaType.Type.Double
        BOOL = QMetaType.Type.Bool
        DATETIME = QMetaType.Type.QDateTime
        STRING = QMetaType.Type.QString
    else:  # QGIS <= 3.36, always Qt5; PyQt5's unscoped spelling, which QGIS's pyqt5_to_pyqt6 script leaves as is
        INT = QVariant.Int
        INT64 = QVariant.LongLong
        DOUBLE = QVariant.Double
        BOOL = QVariant.Bool
        DATETIME = QVariant.DateTime
        STRING = QVariant.String


def layer_filters(*names: str):
    """Flags for ``QgsMapLayerComboBox.setFilters`` from member names ("PolygonLayer", "RasterLayer", …)."""
    enum = getattr(Qgis, "LayerFilter", None)  # QGIS >= 3.34 (looked up by name: absent on 3.22)
    if enum is not None:
        flags = getattr(Qgis, "LayerFilters", None)
    else:  # plain flags take the only overload there is
        enum, flags = QgsMapLayerProxyModel.Filter, None
    value = reduce(operator.or_, (getattr(enum, name) for name in names))
    # Wrapped in the flags type, sip picks the current overload rather than the deprecated one.
    return flags(value) if flags is not None else value

