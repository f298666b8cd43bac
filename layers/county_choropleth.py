"""The county choropleth: each county coloured by a count — flagged enterprises of a run, open tasks of a ledger
month — light → dark in a few classes, labelled with the county's name and count, its name and legend saying what
the colour means. Zoomed out beyond 1:DETAIL_SCALE (a city, the province) thousands of points read as noise; the
counties' colours read at a glance. One definition for the dock's result group and the atlas overview.

API (helper C's atlas overview uses it too):

``county_counts_layer(admin, counts, title, *, alias=None, crs=None, max_scale=DETAIL_SCALE, classes=5)``
    → a styled QgsVectorLayer named ``title``. ``admin``: the run's normalised counties (fields county, adcode) as
    a QgsVectorLayer, a path to admin.gpkg (layer ``counties``) or a GeoDataFrame (→ a memory layer, in ``crs``
    when given, e.g. the atlas's METRIC_CRS). ``counts``: {county key: n}, keys as
    analysis/reports/county_counts.county_key makes them (adcode, or "name:<county>"). The count is the
    expression field ``count`` (alias ``alias``), so a saved project keeps it and the geometry stays the file's.
    ``max_scale``: the layer draws only zoomed out beyond 1:max_scale; None: at every scale (a printed overview).
``flagged_enterprises_layer(admin, flags, **kw)``: counts = flagged_enterprises_by_county(flags)
    (summary_by_county's ``enterprises``), title FLAGGED_TITLE.
``open_tasks_layer(admin, progress, month, **kw)``: counts = open_tasks_by_county(monthly_progress, month),
    title OPEN_TASKS_TITLE.
``layer_counts(layer)`` → {county key: n} as drawn (tests, the atlas's checks).
"""
from __future__ import annotations

import os
from typing import Dict, List, Mapping, Optional, Tuple, Union

from qgis.core import (
    QgsExpression,
    QgsFeatureRequest,
    QgsField,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererRange,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)

from ..analysis.reports.county_counts import (
    class_breaks,
    county_key,
    flagged_enterprises_by_county,
    open_tasks_by_county,
)
from .convert import gdf_to_memory_layer
from .qt_compat import FieldType
from .styling import DETAIL_SCALE, SCALE_EPSILON, label_text_format

__all__ = ["county_counts_layer", "flagged_enterprises_layer", "open_tasks_layer", "layer_counts", "COUNT_FIELD",
           "FLAGGED_TITLE", "OPEN_TASKS_TITLE", "CHOROPLETH_NAME", "RAMP", "ZERO_COLOR"]

COUNT_FIELD = "count"
CHOROPLETH_NAME = "county_choropleth"  # the layer's bluesky_zoning/name in a result group
FLAGGED_TITLE, FLAGGED_ALIAS = "各县区需整改企业数（家）", "需整改企业数（家）"
OPEN_TASKS_TITLE, OPEN_TASKS_ALIAS = "各县区未销号任务数（项）", "未销号任务数（项）"
# light → dark (ColorBrewer Purples): apart from the zones' red, orange, pink and blue lines drawn over it
RAMP: Tuple[str, ...] = ("218,218,235", "188,189,220", "158,154,200", "117,107,177", "84,39,143")
ZERO_COLOR = "255,255,255"  # a county with none: white, apart from the lightest class
OUTLINE = {"outline_color": "255,255,255", "outline_width": "0.2"}

PathLike = Union[str, "os.PathLike[str]"]


def _map_literal(counts: Mapping[str, int]) -> str:
    pairs = ", ".join(f"{QgsExpression.quotedString(str(k))}, {int(v)}" for k, v in sorted(counts.items()))
    return f"map({pairs})"


def count_expression(counts: Mapping[str, int], fields: List[str]) -> str:
    """The count of a county feature: by adcode, else by 'name:<county>' (counts from rows without adcodes), else 0;
    the same rule as analysis/reports/county_counts.count_of."""
    table = _map_literal(counts)
    lookups = []
    if "adcode" in fields:
        lookups.append(f"map_get({table}, to_string(\"adcode\"))")
    if "county" in fields:
        lookups.append(f"map_get({table}, 'name:' || \"county\")")
    return f"coalesce({', '.join(lookups + ['0'])})"


def _ramp(n: int) -> List[str]:
    """``n`` colours of RAMP, spread from light to dark."""
    if n <= 1:
        return [RAMP[len(RAMP) // 2]]
    return [RAMP[round(i * (len(RAMP) - 1) / (n - 1))] for i in range(n)]


def _fill(color: str) -> QgsFillSymbol:
    return QgsFillSymbol.createSimple({"color": color, "style": "solid", **OUTLINE})


def _renderer(values: List[int], classes: int) -> QgsGraduatedSymbolRenderer:
    """A zero class (when a county has none) then up to ``classes`` ranges light → dark, labelled "1–20"."""
    breaks = class_breaks(values, classes)
    ranges = []
    if not breaks or any(v == 0 for v in values):
        ranges.append(QgsRendererRange(-0.5, 0.5, _fill(ZERO_COLOR), "0"))
    for (low, high), color in zip(breaks, _ramp(len(breaks))):
        label = str(low) if low == high else f"{low}–{high}"
        ranges.append(QgsRendererRange(low - 0.5, high + 0.5, _fill(color), label))
    renderer = QgsGraduatedSymbolRenderer(COUNT_FIELD, ranges)
    renderer.setClassAttribute(COUNT_FIELD)
    return renderer


def _labeling() -> QgsVectorLayerSimpleLabeling:
    """County name over its count, at the county's inside centre; a label that would collide is dropped (the
    counties with more go first, and every one before the plain county names of an admin layer under it)."""
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = f"\"county\" || '\\n' || \"{COUNT_FIELD}\""
    settings.enabled = True
    settings.displayAll = False
    settings.placement = QgsPalLayerSettings.Placement.OverPoint
    settings.centroidInside = True
    settings.setFormat(label_text_format(7.0))
    settings.dataDefinedProperties().setProperty(
        QgsPalLayerSettings.Property.Priority, QgsProperty.fromExpression(f"min(10, 6 + \"{COUNT_FIELD}\" / 25)"))
    return QgsVectorLayerSimpleLabeling(settings)


def _admin_layer(admin, crs: Optional[str], title: str) -> QgsVectorLayer:
    """A layer of its own for the choropleth: the file's counties (a path, or a layer's source), or a memory copy
    (of a memory layer, or of a GeoDataFrame)."""
    if isinstance(admin, QgsVectorLayer):
        if admin.providerType() == "memory":  # a memory source holds no features: copy them
            layer = admin.materialize(QgsFeatureRequest())
            layer.setName(title)
            return layer
        return QgsVectorLayer(admin.source(), title, admin.providerType())
    if isinstance(admin, (str, os.PathLike)):
        path = os.fspath(admin)
        return QgsVectorLayer(path if "|" in path else f"{path}|layername=counties", title, "ogr")
    return _memory_layer(admin, crs, title)


def _memory_layer(frame, crs: Optional[str], title: str) -> QgsVectorLayer:
    """The counties of a GeoDataFrame (county, city, adcode kept) as a memory layer, in ``crs`` when given."""
    if frame.crs is None:
        frame = frame.set_crs(4326)
    if crs:
        frame = frame.to_crs(crs)
    keep = [c for c in ("county", "city", "adcode") if c in frame.columns]
    frame = frame[keep + [frame.geometry.name]]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return gdf_to_memory_layer(frame, title)


def county_counts_layer(admin, counts: Mapping[str, int], title: str, *, alias: Optional[str] = None,
                        crs: Optional[str] = None, max_scale: Optional[float] = DETAIL_SCALE,
                        classes: int = 5) -> QgsVectorLayer:
    """The counties coloured by ``counts`` (see the module's docstring)."""
    layer = _admin_layer(admin, crs, title)
    if not layer.isValid():
        raise RuntimeError(f"cannot open the counties for {title}")
    fields = layer.fields().names()
    layer.addExpressionField(count_expression(counts, fields), QgsField(COUNT_FIELD, FieldType.INT))
    layer.setFieldAlias(layer.fields().indexOf(COUNT_FIELD), alias or title)
    values = list(layer_counts(layer).values())
    layer.setRenderer(_renderer(values, classes))
    if "county" in fields:
        layer.setLabeling(_labeling())
        layer.setLabelsEnabled(True)
    layer.setScaleBasedVisibility(max_scale is not None)
    layer.setMaximumScale(max_scale + SCALE_EPSILON if max_scale else 0.0)  # QGIS: the most zoomed-in scale it draws at
    layer.setMinimumScale(0.0)
    layer.setCustomProperty("bluesky_zoning/name", CHOROPLETH_NAME)
    return layer


def flagged_enterprises_layer(admin, flags, **kwargs) -> QgsVectorLayer:
    """Per county the enterprises with at least one rule hit (flags: a run's enterprise_flags)."""
    kwargs.setdefault("alias", FLAGGED_ALIAS)
    return county_counts_layer(admin, flagged_enterprises_by_county(flags), FLAGGED_TITLE, **kwargs)


def open_tasks_layer(admin, progress, month: str, **kwargs) -> QgsVectorLayer:
    """Per county the ledger's outstanding tasks at the end of ``month`` (progress: its monthly_progress rows)."""
    kwargs.setdefault("alias", OPEN_TASKS_ALIAS)
    return county_counts_layer(admin, open_tasks_by_county(progress, month), OPEN_TASKS_TITLE, **kwargs)


def layer_counts(layer: QgsVectorLayer) -> Dict[str, int]:
    """{county key: count} of a choropleth layer, as its expression field gives them."""
    names = layer.fields().names()
    out: Dict[str, int] = {}
    for feature in layer.getFeatures():
        key = county_key(feature["adcode"] if "adcode" in names else None,
                         feature["county"] if "county" in names else None)
        value = feature[COUNT_FIELD]
        out[key] = int(value) if value is not None and value == value else 0
    return out
