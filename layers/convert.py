"""QgsVectorLayer <-> GeoDataFrame.

`layer_to_gdf` reads any vector layer into a GeoDataFrame in EPSG:4326 with its attributes: a
file-backed OGR layer without a subset filter is read straight from its source with pyogrio (fast for
big layers, and it keeps the layer's declared encoding, e.g. GBK shapefiles); anything else (memory,
PostGIS, filtered layers, …) is read feature by feature. `gdf_to_layer` and `gpkg_layer` go the other way.
"""
from __future__ import annotations

import datetime as _dt
import os
from typing import Any, Dict, List, Optional, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant

WGS84 = "EPSG:4326"


def layer_crs_for_geopandas(layer: QgsVectorLayer) -> Optional[str]:
    """The layer's CRS as something pyproj understands (auth id or WKT), None when unknown."""
    crs = layer.crs()
    if not crs.isValid():
        return None
    authid = crs.authid()
    if authid and not authid.upper().startswith("USER:"):
        return authid
    return crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)


def _ogr_source(layer: QgsVectorLayer) -> Optional[Dict[str, Any]]:
    """Path and layer name of a file-backed OGR layer that can be read directly, else None."""
    if layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path or not os.path.isfile(path):
        return None
    if parts.get("subset"):
        return None
    return {"path": path, "layer": parts.get("layerName") or None, "layer_id": parts.get("layerId")}


def _py_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, QVariant):
        return None if value.isNull() else _py_value(value.value())
    if isinstance(value, QDateTime):
        return value.toPyDateTime() if value.isValid() else None
    if isinstance(value, QDate):
        return value.toPyDate() if value.isValid() else None
    if isinstance(value, QTime):
        return value.toPyTime() if value.isValid() else None
    return value


def read_ogr_file(src: Dict[str, Any], encoding: str = "", crs: Optional[str] = None) -> gpd.GeoDataFrame:
    """Read an OGR source (from `_ogr_source`) with pyogrio; thread-safe (no QGIS object involved)."""
    kwargs: Dict[str, Any] = {"engine": "pyogrio"}
    if src["layer"]:
        kwargs["layer"] = src["layer"]
    elif src.get("layer_id") not in (None, ""):
        kwargs["layer"] = int(src["layer_id"])
    if src["path"].lower().endswith(".shp") and encoding and encoding.lower() not in ("system", "utf-8", "utf8"):
        cpg = os.path.splitext(src["path"])[0] + ".cpg"
        if not os.path.exists(cpg):
            kwargs["encoding"] = encoding
    gdf = gpd.read_file(src["path"], **kwargs)
    if gdf.crs is None and crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    return gdf


def _read_with_pyogrio(layer: QgsVectorLayer, src: Dict[str, Any]) -> gpd.GeoDataFrame:
    encoding = layer.dataProvider().encoding() if layer.dataProvider() else ""
    return read_ogr_file(src, encoding, layer_crs_for_geopandas(layer))


def _read_features(layer: QgsVectorLayer, selected_only: bool = False) -> gpd.GeoDataFrame:
    names = [f.name() for f in layer.fields()]
    rows: List[List[Any]] = []
    wkbs: List[Optional[bytes]] = []
    features = layer.getSelectedFeatures() if selected_only else layer.getFeatures(QgsFeatureRequest())
    for feature in features:
        rows.append([_py_value(v) for v in feature.attributes()])
        geom = feature.geometry()
        wkbs.append(bytes(geom.asWkb()) if geom is not None and not geom.isNull() else None)
    frame = pd.DataFrame(rows, columns=names)
    geoms = shapely.from_wkb(wkbs) if wkbs else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=layer_crs_for_geopandas(layer)))


def layer_to_gdf(layer: QgsVectorLayer, selected_only: bool = False) -> gpd.GeoDataFrame:
    """The layer's features and attributes as a GeoDataFrame in EPSG:4326 (never modifies the layer)."""
    if layer is None or not layer.isValid():
        raise ValueError("invalid layer")
    src = None if selected_only else _ogr_source(layer)
    gdf = None
    if src is not None:
        try:
            gdf = _read_with_pyogrio(layer, src)
        except Exception:  # noqa: BLE001 - fall back to QGIS's own reader
            gdf = None
    if gdf is None:
        gdf = _read_features(layer, selected_only)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    return to_wgs84_frame(gdf)


def to_wgs84_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """EPSG:4326 (assumed when the CRS is unknown), with empty geometries as None (QGIS's 'no geometry')."""
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    elif not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    empty = shapely.is_empty(np.asarray(gdf.geometry.values, dtype=object))
    if empty.any():
        gdf = gdf.copy()
        gdf.loc[empty, "geometry"] = None
    return gdf


# -- GeoDataFrame -> QGIS ---------------------------------------------------------------------------
def _qfield(name: str, dtype: Any) -> QgsField:
    kind = getattr(dtype, "kind", "O")
    if kind in "iu":
        return QgsField(name, QVariant.LongLong)
    if kind == "f":
        return QgsField(name, QVariant.Double)
    if kind == "b":
        return QgsField(name, QVariant.Bool)
    if kind == "M":
        return QgsField(name, QVariant.DateTime)
    return QgsField(name, QVariant.String)


def _plain(value: Any, field: QgsField) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return QDateTime(value)
    if field.type() == QVariant.String and not isinstance(value, str):
        return str(value)
    return value


def _wkb_type(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geometry.dropna().geom_type.unique())
    if not types:
        return "None"
    if types <= {"Point"}:
        return "Point"
    if types <= {"Point", "MultiPoint"}:
        return "MultiPoint"
    if types <= {"LineString", "MultiLineString"}:
        return "MultiLineString"
    return "MultiPolygon"


def gdf_to_memory_layer(gdf: gpd.GeoDataFrame, name: str) -> QgsVectorLayer:
    """A memory layer holding the GeoDataFrame (its CRS kept, EPSG:4326 when it has none)."""
    crs = gdf.crs.to_string() if gdf.crs is not None else WGS84
    geom_type = _wkb_type(gdf)
    layer = QgsVectorLayer(f"{geom_type}?crs={crs}", name, "memory")
    if not layer.crs().isValid() and gdf.crs is not None:
        layer.setCrs(QgsCoordinateReferenceSystem.fromWkt(gdf.crs.to_wkt()))
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    fields = QgsFields()
    for column in columns:
        fields.append(_qfield(str(column), gdf[column].dtype))
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    multi = geom_type.startswith("Multi")
    features = []
    geoms = gdf.geometry.values
    for i, values in enumerate(gdf[columns].itertuples(index=False, name=None)):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([_plain(v, fields.at(j)) for j, v in enumerate(values)])
        geom = geoms[i]
        if geom is not None and not geom.is_empty:
            qgeom = QgsGeometry()
            qgeom.fromWkb(shapely.to_wkb(geom))
            if multi and not QgsWkbTypes.isMultiType(qgeom.wkbType()):
                qgeom.convertToMultiType()
            feature.setGeometry(qgeom)
        features.append(feature)
    provider.addFeatures(features)
    layer.updateExtents()
    return layer


def gpkg_layer(path: str, layer_name: str, display_name: Optional[str] = None) -> QgsVectorLayer:
    """A layer of a GeoPackage (or any OGR multi-layer file) by its layer name."""
    return QgsVectorLayer(f"{path}|layername={layer_name}", display_name or layer_name, "ogr")


def gdf_to_layer(
    gdf: gpd.GeoDataFrame, name: str, path: Optional[str] = None, layer_name: Optional[str] = None
) -> QgsVectorLayer:
    """The GeoDataFrame as a layer: written to the GeoPackage `path` (layer `layer_name`, written to a
    temporary file first when the GeoPackage is new) when a path is given, else a memory layer."""
    if path is None:
        return gdf_to_memory_layer(gdf, name)
    layer_name = layer_name or name
    if os.path.exists(path):
        gdf.to_file(path, layer=layer_name, driver="GPKG", engine="pyogrio")
    else:
        tmp = f"{path}.part.gpkg"
        if os.path.exists(tmp):
            os.remove(tmp)
        gdf.to_file(tmp, layer=layer_name, driver="GPKG", engine="pyogrio")
        os.replace(tmp, path)
    return gpkg_layer(path, layer_name, name)


def gpkg_layer_names(path: str) -> Sequence[str]:
    """Names of the layers of a GeoPackage."""
    import pyogrio

    return [str(row[0]) for row in pyogrio.list_layers(path)]


def source_to_gdf(source, feedback=None) -> gpd.GeoDataFrame:
    """A QgsProcessingFeatureSource (thread-safe reader of a Processing input) as a GeoDataFrame in EPSG:4326."""
    names = [f.name() for f in source.fields()]
    rows: List[List[Any]] = []
    wkbs: List[Optional[bytes]] = []
    for feature in source.getFeatures():
        if feedback is not None and feedback.isCanceled():
            break
        rows.append([_py_value(v) for v in feature.attributes()])
        geom = feature.geometry()
        wkbs.append(bytes(geom.asWkb()) if geom is not None and not geom.isNull() else None)
    crs = source.sourceCrs()
    crs_text = None
    if crs.isValid():
        crs_text = crs.authid() if crs.authid() and not crs.authid().upper().startswith("USER:") else crs.toWkt(
            QgsCoordinateReferenceSystem.WKT_PREFERRED)
    frame = pd.DataFrame(rows, columns=names)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.from_wkb(wkbs) if wkbs else [], crs=crs_text or WGS84))
    return to_wgs84_frame(gdf)
