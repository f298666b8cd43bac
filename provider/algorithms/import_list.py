"""bluesky:import_list — an enterprise list (XLSX/CSV with lon/lat columns) as a WGS84 point layer."""
from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np
import pandas as pd
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...layers.convert import qgis_value
from ...layers.qt_compat import FieldType
from ._common import BlueSkyAlgorithm

KINDS = ("boiler", "mine", "plant", "chp")
COORD_SYSTEMS = ("WGS84", "CGCS2000", "GCJ02", "BD09")


def table_fields(df: pd.DataFrame) -> QgsFields:
    """QGIS fields of a table's columns (numbers stay numbers, everything else text)."""
    fields = QgsFields()
    for column in df.columns:
        kind = df[column].dtype.kind
        if kind in "iu":
            fields.append(QgsField(str(column), FieldType.INT64))
        elif kind == "f":
            fields.append(QgsField(str(column), FieldType.DOUBLE))
        else:
            fields.append(QgsField(str(column), FieldType.STRING))
    return fields


def parse_coordinate(values: pd.Series) -> np.ndarray:
    """Numbers of a lon/lat column ("112.55", "112.55°", 112.55); NaN where not a number."""
    text = values.astype(str).str.replace(r"[°度\s,，]", "", regex=True).str.strip()
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def guess_lonlat(columns: List[str], kind: str = "boiler") -> Dict[str, Optional[str]]:
    """The columns holding longitude and latitude, by the analysis field guesser."""
    from ...analysis.fields import guess_field_mapping

    mapping = guess_field_mapping(columns, kind)
    return {"lon": mapping.get("lon"), "lat": mapping.get("lat")}


def points_wgs84(df: pd.DataFrame, lon_field: str, lat_field: str, system: str):
    """(lon, lat) arrays in WGS84 from the table's columns in `system`."""
    from ...analysis.coords import to_wgs84

    lon = parse_coordinate(df[lon_field])
    lat = parse_coordinate(df[lat_field])
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    out_lon = np.full(len(df), np.nan)
    out_lat = np.full(len(df), np.nan)
    if ok.any():
        wlon, wlat = to_wgs84(lon[ok], lat[ok], system)
        out_lon[ok] = np.asarray(wlon, dtype=float)
        out_lat[ok] = np.asarray(wlat, dtype=float)
    return out_lon, out_lat


def table_to_points_gdf(df: pd.DataFrame, lon_field: str, lat_field: str, system: str):
    """The table as a WGS84 point GeoDataFrame with all its columns (text columns kept as text;
    rows without readable coordinates kept without geometry). Thread-safe: no QGIS object used."""
    import geopandas as gpd

    lon, lat = points_wgs84(df, lon_field, lat_field, system)
    frame = df.copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype.kind == "O":
            frame[column] = frame[column].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = gpd.points_from_xy(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0))
    geoms = np.where(ok, np.asarray(geoms, dtype=object), None)
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:4326"), int((~ok).sum())


def import_table_to_gpkg(path: str, kind: str, system: str, out_path: str, lon_field: Optional[str] = None,
                         lat_field: Optional[str] = None, layer_name: str = "points"):
    """Read an XLSX/CSV list and write it as a WGS84 point layer to a GeoPackage (temporary file renamed
    when complete). Returns (out_path, rows, rows_without_coordinates, problems DataFrame or None)."""
    import os

    from ...analysis.enterprises import enterprises_from_table, read_table

    df = read_table(path)
    df.columns = [str(c) for c in df.columns]
    if not lon_field or not lat_field:
        guess = guess_lonlat(list(df.columns), kind)
        lon_field, lat_field = lon_field or guess["lon"], lat_field or guess["lat"]
    if not lon_field or not lat_field:
        raise ValueError(f"找不到经度/纬度列 / no longitude/latitude column: {list(df.columns)}")
    gdf, bad = table_to_points_gdf(df, lon_field, lat_field, system)
    tmp = out_path + ".part.gpkg"
    if os.path.exists(tmp):
        os.remove(tmp)
    gdf.to_file(tmp, layer=layer_name, driver="GPKG", engine="pyogrio")
    os.replace(tmp, out_path)
    problems = None
    try:
        from ...analysis.fields import guess_field_mapping

        mapping = dict(guess_field_mapping(list(df.columns), kind))
        mapping["lon"], mapping["lat"] = lon_field, lat_field
        problems = enterprises_from_table(df, kind, mapping, system, layer_name).problems
    except Exception:  # noqa: BLE001 - the import itself succeeded
        problems = None
    return out_path, len(df), bad, problems


class ImportEnterpriseListAlgorithm(BlueSkyAlgorithm):
    INPUT = "INPUT"
    KIND = "KIND"
    LON_FIELD = "LON_FIELD"
    LAT_FIELD = "LAT_FIELD"
    COORD_SYSTEM = "COORD_SYSTEM"
    OUTPUT = "OUTPUT"

    def name(self) -> str:
        return "import_list"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Import enterprise list (XLSX/CSV)")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Reads an Excel or CSV list of boilers, mines, plants or CHP plants with longitude/latitude "
            "columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists "
            "geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system "
            "and the points are converted. Empty longitude/latitude fields are guessed from the column "
            "names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry "
            "and reported."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterFile(self.INPUT, self.tr("Enterprise list (XLSX or CSV)"),
                                                     QgsProcessingParameterFile.Behavior.File, "", None, False,
                                                     self.tr("Tables (*.xlsx *.xls *.csv *.txt)")))
        self.addParameter(QgsProcessingParameterEnum(
            self.KIND, self.tr("Kind of list"),
            [self.tr("Boilers"), self.tr("Mines"), self.tr("Plants"), self.tr("CHP plants")], False, 0))
        self.addParameter(QgsProcessingParameterString(self.LON_FIELD, self.tr("Longitude column (guessed when empty)"), "", False, True))
        self.addParameter(QgsProcessingParameterString(self.LAT_FIELD, self.tr("Latitude column (guessed when empty)"), "", False, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.COORD_SYSTEM, self.tr("Coordinate system of the list"),
            ["WGS84", self.tr("CGCS2000"), self.tr("GCJ-02 (Amap/Tencent)"), self.tr("BD-09 (Baidu)")], False, 0))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Enterprise points"), QgsProcessing.TypeVectorPoint))

    def process(self, parameters, context, feedback):
        from ...analysis.enterprises import read_table

        path = self.parameterAsFile(parameters, self.INPUT, context)
        kind = KINDS[self.parameterAsEnum(parameters, self.KIND, context)]
        system = COORD_SYSTEMS[self.parameterAsEnum(parameters, self.COORD_SYSTEM, context)]
        try:
            df = read_table(path)
        except Exception as exc:  # noqa: BLE001 - reported to the user
            raise self.fail("无法读取企业清单", "cannot read the enterprise list", exc) from exc
        df.columns = [str(c) for c in df.columns]
        columns = list(df.columns)
        lon_field = self.parameterAsString(parameters, self.LON_FIELD, context) or None
        lat_field = self.parameterAsString(parameters, self.LAT_FIELD, context) or None
        if not lon_field or not lat_field:
            guess = guess_lonlat(columns, kind)
            lon_field = lon_field or guess["lon"]
            lat_field = lat_field or guess["lat"]
        for label_zh, label_en, column in (("经度", "longitude", lon_field), ("纬度", "latitude", lat_field)):
            if not column or column not in columns:
                raise self.fail(f"找不到{label_zh}列", f"no {label_en} column found", f"{column!r} / {columns}")
        feedback.pushInfo(self.tr("Longitude column: {lon}; latitude column: {lat}; coordinate system: {cs}").format(
            lon=lon_field, lat=lat_field, cs=system))
        lon, lat = points_wgs84(df, lon_field, lat_field, system)

        fields = table_fields(df)
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT, context, fields, QgsWkbTypes.Type.Point,
                                             QgsCoordinateReferenceSystem("EPSG:4326"))
        if sink is None:
            raise self.fail("无法创建输出图层", "cannot create the output layer")
        total = max(len(df), 1)
        bad = 0
        for i, row in enumerate(df.itertuples(index=False, name=None)):
            if feedback.isCanceled():
                break
            feature = QgsFeature(fields)
            feature.setAttributes([qgis_value(v, fields.at(j)) for j, v in enumerate(row)])
            if np.isfinite(lon[i]) and np.isfinite(lat[i]):
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(lon[i]), float(lat[i]))))
            else:
                bad += 1
            sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
            if i % 500 == 0:
                feedback.setProgress(100.0 * i / total)
        if bad:
            feedback.pushWarning(self.tr("{n} rows have no readable coordinates; they are kept without geometry").format(n=bad))
        self._report_problems(df, kind, lon_field, lat_field, system, feedback)
        return {self.OUTPUT: dest_id, "ROWS": len(df), "NO_COORDINATES": bad}

    def _report_problems(self, df, kind, lon_field, lat_field, system, feedback) -> None:
        """Per canonical field, how many rows could not be parsed (warnings only)."""
        try:
            from ...analysis.enterprises import enterprises_from_table
            from ...analysis.fields import guess_field_mapping

            mapping = dict(guess_field_mapping(list(df.columns), kind))
            mapping["lon"], mapping["lat"] = lon_field, lat_field
            table = enterprises_from_table(df, kind, mapping, system, "")
            for line in problem_summary(table.problems):
                feedback.pushWarning(line)
        except Exception as exc:  # noqa: BLE001 - the import itself succeeded
            feedback.pushInfo(f"problem summary unavailable: {exc}")


def problem_summary(problems) -> List[str]:
    """"额定蒸发量: 12 行无法解析" lines from an EnterpriseTable's problems (DataFrame or list)."""
    if problems is None:
        return []
    try:
        frame = problems if isinstance(problems, pd.DataFrame) else pd.DataFrame(list(problems))
    except Exception:  # noqa: BLE001
        return []
    if frame.empty:
        return []
    key = next((c for c in ("label", "field_label", "field") if c in frame.columns), None)
    if key is None:
        return [f"{len(frame)} 行有问题"]
    try:
        from ...analysis.fields import field_label
    except Exception:  # noqa: BLE001
        field_label = str  # noqa: N806
    out = []
    for name, count in frame[key].value_counts().items():
        label = "经纬度" if name == "lon,lat" else (field_label(name) if key == "field" else name)
        out.append(f"{label}: {count} 行无法解析")
    return out
