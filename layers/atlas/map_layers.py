"""The atlas map's layers: memory copies of the zones and counties in the map's own CRS (simplified, styled for
print), the enterprises, the county outlines with the page's county highlighted (layers/county_outline.py's
renderer, the dock's own), and an optional basemap under everything. Every copy draws at every scale (a large
county's page is smaller than 1:500,000, where the dock hands points over to the choropleth) and labels in the
atlas's font.

A basemap is any raster the analyst has (a GeoTIFF, an XYZ or WMTS layer) or 天地图 built from a key
(:func:`tianditu_layers`). The atlas works on its own copies (``clone()``), so the user's layers stay in the
user's project; the credit line names the layer, never its source (a 天地图 source holds the key).
"""
from __future__ import annotations

import os
from typing import Dict, List, Sequence, Union

import geopandas as gpd
import pandas as pd
import pyogrio
from qgis.core import (
    QgsDataSourceUri,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsPalLayerSettings,
    QgsRasterLayer,
    QgsRenderContext,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor

from ..county_outline import OUTLINE_TITLE, outline_renderer
from ..qt_compat import FieldType
from .layout import FONT_FAMILY

__all__ = ["METRIC_CRS", "gpkg_layers", "ogr_layer", "context_layer", "memory_layer", "county_outlines", "city_outlines",
           "for_print", "legend_items_drawn", "basemap_layers", "basemap_credit", "tianditu_layers",
           "TIANDITU_NAME"]

PathLike = Union[str, os.PathLike]
METRIC_CRS = "EPSG:4547"  # CGCS2000 3-degree GK CM 114E (Shanxi-wide)
SIMPLIFY_M = 40.0  # metres: 0.1 mm on a county page (≈1:400 000), far less on the overview
TIANDITU_NAME = "天地图"
# 天地图 web-Mercator tiles: 'vec_w' the vector map, 'cva_w' its Chinese labels. QGIS's XYZ source takes one
# host (no {s} subdomain list), so the first of t0–t7 serves every tile.
TIANDITU_URL = "https://t0.tianditu.gov.cn/DataServer?T={layer}&x={{x}}&y={{y}}&l={{z}}&tk={key}"
TIANDITU_LAYERS = ("vec_w", "cva_w")


def gpkg_layers(path: PathLike) -> List[str]:
    return [str(r[0]) for r in pyogrio.list_layers(str(path))]


def ogr_layer(path: PathLike, layer: str, name: str) -> QgsVectorLayer:
    vl = QgsVectorLayer(f"{path}|layername={layer}", name, "ogr")
    if not vl.isValid():
        raise RuntimeError(f"cannot open layer {layer} of {path}")
    return vl


def style(layer: QgsVectorLayer, name: str) -> None:
    try:
        from ..styling import apply_style

        apply_style(layer, name)
    except Exception:  # noqa: BLE001 - a plain style still prints
        if name == "admin":
            layer.setRenderer(layer.renderer().__class__(QgsFillSymbol.createSimple(
                {"color": "0,0,0,0", "outline_color": "80,80,80", "outline_width": "0.3"})))


def context_layer(frame: gpd.GeoDataFrame, style_name: str, title: str) -> QgsVectorLayer:
    """A styled memory copy of a polygon layer in METRIC_CRS, simplified by SIMPLIFY_M."""
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.crs is None:
        frame = frame.set_crs(4326)
    metric = frame.to_crs(METRIC_CRS)
    geoms = metric.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    fields = [c for c in metric.columns if c != metric.geometry.name][:12]
    records = []
    for rec, geom in zip(metric[fields].to_dict("records"), geoms):
        rec = {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for k, v in rec.items()}
        rec["geometry"] = geom
        records.append(rec)
    layer = memory_layer(f"MultiPolygon?crs={METRIC_CRS}", title, records, fields)
    style(layer, style_name)
    _no_pattern_brush(layer)
    return for_print(layer)


def _no_pattern_brush(layer: QgsVectorLayer) -> None:
    """Hatched fills become solid translucent ones: Qt's PDF writer turns a hatch brush into a page-sized
    raster image on every page, which is most of the atlas's size."""
    renderer = layer.renderer()
    symbols = renderer.symbols(QgsRenderContext()) if renderer is not None else []
    for symbol in symbols:
        for i in range(symbol.symbolLayerCount()):
            sl = symbol.symbolLayer(i)
            if hasattr(sl, "brushStyle") and sl.brushStyle() not in (Qt.BrushStyle.SolidPattern,
                                                                     Qt.BrushStyle.NoBrush):
                sl.setBrushStyle(Qt.BrushStyle.SolidPattern)
                color = QColor(sl.color())
                color.setAlpha(min(color.alpha(), 70))
                sl.setColor(color)


def for_print(layer: QgsVectorLayer) -> QgsVectorLayer:
    """``layer`` drawn at every scale, its labels (if any) too and in the atlas's font: Qt's PDF writer maps some
    Noto CJK glyphs back to radicals (小 → ⼩), so a county's name could not be searched in the PDF."""
    layer.setScaleBasedVisibility(False)
    labeling = layer.labeling()
    if isinstance(labeling, QgsVectorLayerSimpleLabeling):
        settings = QgsPalLayerSettings(labeling.settings())
        fmt = settings.format()
        font = fmt.font()
        font.setFamily(FONT_FAMILY)
        fmt.setFont(font)
        settings.setFormat(fmt)
        settings.scaleVisibility = False
        layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    return layer


def county_outlines(counties: gpd.GeoDataFrame) -> QgsVectorLayer:
    """The counties as the dock draws them (layers/county_outline.py): plain outlines, or — its variable set to
    a county (``set_current_county``) — that county strongly outlined and the others veiled; named as the
    admin style names them."""
    layer = context_layer(counties[["county", "city", "adcode", "geometry"]], "admin", OUTLINE_TITLE)
    layer.setRenderer(outline_renderer())
    return for_print(layer)


CITY_OUTLINE = {"color": "0,0,0,0", "style": "no", "outline_color": "55,55,55", "outline_width": "0.5"}


def city_outlines(counties: gpd.GeoDataFrame) -> QgsVectorLayer:
    """The cities (their counties merged) as dark outlines: the overview's per-city summary found on its map."""
    cities = counties[["city", "geometry"]].copy()
    cities["city"] = cities["city"].fillna("")
    merged = cities.dissolve(by="city", as_index=False)
    layer = context_layer(merged, "", "设区市界")
    layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(CITY_OUTLINE)))
    layer.setLabelsEnabled(False)
    return layer


def legend_items_drawn(layer: QgsVectorLayer) -> List[int]:
    """The indices of the layer's legend entries (its renderer's legend symbol items) that a feature of the layer
    is drawn with: the legend lists only what the map can show."""
    renderer = layer.renderer().clone()
    context = QgsRenderContext()
    expressions = QgsExpressionContext()
    expressions.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setExpressionContext(expressions)
    renderer.startRender(context, layer.fields())
    keys = set()
    try:
        for feature in layer.getFeatures():
            context.expressionContext().setFeature(feature)
            keys.update(renderer.legendKeysForFeature(feature, context))
    finally:
        renderer.stopRender(context)
    return [i for i, item in enumerate(renderer.legendSymbolItems()) if item.ruleKey() in keys]


def _shapely_to_qgs(geom) -> QgsGeometry:
    g = QgsGeometry()
    g.fromWkb(geom.wkb)
    return g


def memory_layer(uri: str, name: str, records: Sequence[Dict], fields: Sequence[str],
                 int_fields: Sequence[str] = ()) -> QgsVectorLayer:
    """A memory layer of ``records`` (text fields, ``int_fields`` integers; a 'geometry' key in shapely)."""
    vl = QgsVectorLayer(uri, name, "memory")
    vl.dataProvider().addAttributes([QgsField(f, FieldType.INT if f in int_fields else FieldType.STRING)
                                     for f in fields])
    vl.updateFields()
    feats = []
    for rec in records:
        feat = QgsFeature(vl.fields())
        feat.setAttributes([None if rec.get(f) is None or (isinstance(rec.get(f), float) and pd.isna(rec.get(f)))
                            else (int(rec[f]) if f in int_fields else str(rec[f])) for f in fields])
        if "geometry" in rec:
            feat.setGeometry(_shapely_to_qgs(rec["geometry"]))
        feats.append(feat)
    vl.dataProvider().addFeatures(feats)
    vl.updateExtents()
    return vl


# --------------------------------------------------------------------------- basemap


def tianditu_layers(key: str) -> List[QgsRasterLayer]:
    """天地图 as two XYZ layers (the map, then its labels drawn over it), both named 天地图. The key is in their
    source only: nothing the atlas prints or logs shows a layer's source."""
    key = str(key or "").strip()
    layers = []
    for tile_set in TIANDITU_LAYERS:
        uri = QgsDataSourceUri()
        uri.setParam("type", "xyz")
        uri.setParam("url", TIANDITU_URL.format(layer=tile_set, key=key))
        uri.setParam("zmin", "1")
        uri.setParam("zmax", "18")
        layers.append(QgsRasterLayer(bytes(uri.encodedUri()).decode("utf-8"), TIANDITU_NAME, "wms"))
    return layers


def basemap_layers(basemap: Union[None, QgsRasterLayer, Sequence[QgsRasterLayer]]) -> List[QgsRasterLayer]:
    """The atlas's own copies of the basemap layer(s), top first (as map layers are listed); [] for None."""
    if basemap is None:
        return []
    given = [basemap] if isinstance(basemap, QgsRasterLayer) else list(basemap)
    out = []
    for layer in given:
        if layer is None:
            continue
        if not layer.isValid():
            from ...analysis.inputs.validation import InputError

            raise InputError(f"底图图层「{layer.name()}」无法读取（文件不存在或格式不支持），请另选一个栅格图层 / "
                             f"the basemap layer '{layer.name()}' is not valid")
        out.append(layer.clone())
    return list(reversed(out))  # a label layer given after its map is drawn over it


def basemap_credit(layers: Sequence[QgsRasterLayer]) -> str:
    """'底图：天地图' — the layers' names, each once; '' without a basemap."""
    names = list(dict.fromkeys(str(layer.name()).strip() for layer in layers if str(layer.name()).strip()))
    return f"底图：{'、'.join(names)}" if layers else ""
