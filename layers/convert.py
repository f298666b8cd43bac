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
import pandas as pd
import shapely
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QTime, QVariant

from ..analysis.common.cells import plain
from .qt_compat import FieldType

WGS84 = "EPSG:4326"


class LayerCheckError(QgsProcessingException, ValueError):
    """A bad input layer (bilingual message naming the layer). It is a QgsProcessingException, so an
    algorithm that meets it on the main thread shows its text, and a ValueError for plain Python callers."""


# .cpg contents (and QGIS encoding names) -> the codec pyogrio/GDAL is given.
_CPG_CODECS = {
    "936": "GB18030", "cp936": "GB18030", "gbk": "GB18030", "gb2312": "GB18030", "gb18030": "GB18030",
    "ansi 936": "GB18030", "windows-936": "GB18030", "65001": "UTF-8", "utf-8": "UTF-8", "utf8": "UTF-8",
    "utf_8": "UTF-8", "1252": "CP1252", "ansi 1252": "CP1252", "cp1252": "CP1252", "windows-1252": "CP1252",
    "950": "BIG5", "big5": "BIG5", "cp950": "BIG5", "latin1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
    "88591": "ISO-8859-1", "ascii": "UTF-8", "us-ascii": "UTF-8",
}
_SCAN_BYTES = 32 * 1024 * 1024


def codec_of_name(name: Optional[str]) -> Optional[str]:
    """The codec for an encoding name from a .cpg or QGIS ('936', 'GBK', 'CP936', 'UTF-8' …), None if unknown."""
    if not name:
        return None
    key = str(name).strip().strip("\x00").strip().lower()
    if key in _CPG_CODECS:
        return _CPG_CODECS[key]
    import codecs

    try:
        return codecs.lookup(key).name.upper()
    except LookupError:
        return None


def detect_dbf_encoding(dbf_path: str) -> str:
    """UTF-8 when the .dbf's records are valid UTF-8 (pure ASCII included), else GB18030 (superset of GBK)."""
    import codecs

    try:
        with open(dbf_path, "rb") as handle:
            header = handle.read(32)
            header_len = int.from_bytes(header[8:10], "little") if len(header) >= 10 else 32
            handle.seek(header_len)
            data = handle.read(_SCAN_BYTES)
    except OSError:
        return "UTF-8"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=False)
        return "UTF-8"
    except UnicodeDecodeError:
        return "GB18030"


def shapefile_encoding(shp_path: str, provider_encoding: str = "") -> str:
    """The encoding of a shapefile's text: its .cpg, else the encoding the user chose for the layer in
    QGIS (anything but 'System'/UTF-8, the defaults), else detected from the .dbf bytes."""
    base = os.path.splitext(shp_path)[0]
    for ext in (".cpg", ".CPG"):
        if os.path.exists(base + ext):
            try:
                with open(base + ext, "rb") as handle:
                    codec = codec_of_name(handle.read(64).decode("ascii", "ignore"))
            except OSError:
                codec = None
            if codec:
                return codec
    chosen = codec_of_name(provider_encoding) if provider_encoding and provider_encoding.lower() not in (
        "system", "utf-8", "utf8") else None
    if chosen:
        return chosen
    for ext in (".dbf", ".DBF"):
        if os.path.exists(base + ext):
            return detect_dbf_encoding(base + ext)
    return "UTF-8"


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


def columns_read(layer: QgsVectorLayer) -> List[str]:
    """The attribute columns a run reads from ``layer`` (:func:`layer_to_gdf`): a file layer read with pyogrio has
    no column for the provider's feature id (a GeoPackage's fid, which QGIS lists as a field), a layer read
    through QGIS has every field. What the dock's 数据 tab offers and guesses from."""
    names = [f.name() for f in layer.fields()]
    if _ogr_source(layer) is None:
        return names
    keys = set(layer.primaryKeyAttributes())
    return [name for index, name in enumerate(names) if index not in keys]


def python_value(value: Any) -> Any:
    """A value QGIS hands out (a feature attribute, a row of ``executeSql``) as plain Python: a NULL QVariant
    as None, Qt dates and times as ``datetime`` ones. The other way is :func:`qgis_value`."""
    if value is None:
        return None
    if isinstance(value, QVariant):
        return None if value.isNull() else python_value(value.value())
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
    if src["path"].lower().endswith((".shp", ".dbf")):
        # Always explicit: QGIS's OGR provider sets GDAL's process-wide SHAPE_ENCODING to "" once it has
        # opened a shapefile, and pyogrio shares that GDAL, so relying on GDAL's own .cpg recoding would
        # return raw (e.g. GBK) bytes.
        kwargs["encoding"] = shapefile_encoding(src["path"], encoding)
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
        rows.append([python_value(v) for v in feature.attributes()])
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
    return to_wgs84_frame(gdf, layer.name())


def to_wgs84_frame(gdf: gpd.GeoDataFrame, layer_name: Optional[str] = None) -> gpd.GeoDataFrame:
    """EPSG:4326, with empty geometries as None (QGIS's 'no geometry').

    The CRS is checked against the coordinates first (analysis.inputs.validation.check_crs): a layer without
    CRS whose coordinates are lon/lat in China is read as WGS84 with a warning (kept in
    ``gdf.attrs["bluesky_warnings"]``); a missing or contradicting CRS otherwise raises LayerCheckError.
    """
    from ..analysis.inputs.validation import InputError, to_wgs84_checked

    warnings = list(gdf.attrs.get("bluesky_warnings", []))
    try:  # the same reading as the QGIS-free job (tests/analysis/test_property_inputs.py drives it)
        gdf, found = to_wgs84_checked(gdf, layer_name or "?")
    except InputError as exc:
        raise LayerCheckError(str(exc)) from exc
    gdf.attrs["bluesky_warnings"] = warnings + found
    return gdf


# -- GeoDataFrame -> QGIS ---------------------------------------------------------------------------
def _qfield(name: str, dtype: Any) -> QgsField:
    kind = getattr(dtype, "kind", "O")
    if kind in "iu":
        return QgsField(name, FieldType.INT64)
    if kind == "f":
        return QgsField(name, FieldType.DOUBLE)
    if kind == "b":
        return QgsField(name, FieldType.BOOL)
    if kind == "M":
        return QgsField(name, FieldType.DATETIME)
    return QgsField(name, FieldType.STRING)


def qgis_value(value: Any, field: QgsField) -> Any:
    """A pandas/numpy cell as the plain Python value a QgsFeature attribute of `field` takes (None for NA)."""
    value = plain(value)  # the one cleaning of a cell (analysis/common/cells.py), the ledger's stores use it too
    if value is None:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return QDateTime(value)
    if field.type() == FieldType.STRING and not isinstance(value, str):
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
        feature.setAttributes([qgis_value(v, fields.at(j)) for j, v in enumerate(values)])
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
    if os.path.exists(path):  # a layer added to an existing GeoPackage: GDAL writes it in one transaction
        gdf.to_file(path, layer=layer_name, driver="GPKG", engine="pyogrio")
    else:
        from ..analysis.common.atomic import atomic_path

        with atomic_path(path) as tmp:
            gdf.to_file(tmp, layer=layer_name, driver="GPKG", engine="pyogrio")
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
        rows.append([python_value(v) for v in feature.attributes()])
        geom = feature.geometry()
        wkbs.append(bytes(geom.asWkb()) if geom is not None and not geom.isNull() else None)
    crs = source.sourceCrs()
    crs_text = None
    if crs.isValid():
        crs_text = crs.authid() if crs.authid() and not crs.authid().upper().startswith("USER:") else crs.toWkt(
            QgsCoordinateReferenceSystem.WKT_PREFERRED)
    frame = pd.DataFrame(rows, columns=names)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.from_wkb(wkbs) if wkbs else [], crs=crs_text))
    name = source.sourceName() if hasattr(source, "sourceName") else ""
    return to_wgs84_frame(gdf, name or "?")
