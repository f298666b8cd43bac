"""The result group's county boundaries, with the county in question highlighted.

One layer on the run's admin.gpkg (layer ``counties``), drawn above the zones (so the 禁煤区 fill never hides it)
and below the points. Its rules read the layer variable ``@bluesky_county`` (an adcode, or "name:<county>"):
unset, every county is a thin grey outline; set (the dock zooms to a county: ui/map_view.py), that county gets a
strong outline with a yellow halo and the others a light white veil. A layer variable is saved with the project,
and the layer's source stays the file, so a saved project shows the same.
"""
from __future__ import annotations

import os
from typing import Optional, Union

from qgis.core import (
    QgsExpressionContextUtils,
    QgsFillSymbol,
    QgsRuleBasedRenderer,
    QgsSimpleFillSymbolLayer,
    QgsVectorLayer,
)

__all__ = ["county_outline_layer", "set_current_county", "current_county", "OUTLINE_NAME", "OUTLINE_TITLE",
           "COUNTY_VARIABLE"]

OUTLINE_NAME = "county_outline"  # its bluesky_zoning/name in a result group
OUTLINE_TITLE = "县级行政区界"
COUNTY_VARIABLE = "bluesky_county"
HIGHLIGHT_LABEL, OTHERS_LABEL, PLAIN_LABEL = "当前县区", "其他县区（淡化）", "县级行政区界"

PathLike = Union[str, "os.PathLike[str]"]


def _this_county() -> str:
    var = f"@{COUNTY_VARIABLE}"
    return f"(to_string(\"adcode\") = {var} OR 'name:' || \"county\" = {var})"


def _chosen() -> str:
    return f"coalesce(@{COUNTY_VARIABLE}, '') <> ''"


def _highlight_symbol() -> QgsFillSymbol:
    """A wide yellow halo under a dark red line: stands out over any zone colour and over the 禁煤区 fill."""
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "style": "no", "outline_color": "255,221,0,200",
                                         "outline_width": "2.4"})
    line = QgsSimpleFillSymbolLayer.create({"color": "0,0,0,0", "style": "no", "outline_color": "170,0,0",
                                            "outline_width": "0.9"})
    symbol.appendSymbolLayer(line)
    return symbol


def outline_renderer() -> QgsRuleBasedRenderer:
    """The three rules: the chosen county, the others veiled while one is chosen, plain outlines otherwise."""
    root = QgsRuleBasedRenderer.Rule(None)
    plain = {"color": "0,0,0,0", "style": "no", "outline_color": "110,110,110", "outline_width": "0.25"}
    veiled = {"color": "255,255,255,120", "style": "solid", "outline_color": "150,150,150", "outline_width": "0.2"}
    rules = (
        (HIGHLIGHT_LABEL, f"{_chosen()} AND {_this_county()}", _highlight_symbol()),
        (OTHERS_LABEL, f"{_chosen()} AND NOT coalesce({_this_county()}, false)", QgsFillSymbol.createSimple(veiled)),
        (PLAIN_LABEL, f"NOT ({_chosen()})", QgsFillSymbol.createSimple(plain)),
    )
    for label, expression, symbol in rules:
        root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expression, label))
    return QgsRuleBasedRenderer(root)


def county_outline_layer(admin_gpkg: PathLike) -> QgsVectorLayer:
    """The counties of a run's admin.gpkg, styled by :func:`outline_renderer` (no county chosen yet)."""
    path = os.fspath(admin_gpkg)
    layer = QgsVectorLayer(path if "|" in path else f"{path}|layername=counties", OUTLINE_TITLE, "ogr")
    layer.setRenderer(outline_renderer())
    layer.setLabelsEnabled(False)  # the choropleth names the counties zoomed out; the base map names them close in
    layer.setCustomProperty("bluesky_zoning/name", OUTLINE_NAME)
    return layer


def set_current_county(layer: QgsVectorLayer, key: Optional[str]) -> None:
    """Highlight the county of ``key`` (adcode or "name:<county>"); None or "" takes the highlight off."""
    QgsExpressionContextUtils.setLayerVariable(layer, COUNTY_VARIABLE, key or "")
    layer.triggerRepaint()


def current_county(layer: QgsVectorLayer) -> str:
    """The key of the highlighted county, "" when none is."""
    return str(QgsExpressionContextUtils.layerScope(layer).variable(COUNTY_VARIABLE) or "")
