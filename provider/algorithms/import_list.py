"""bluesky:import_list — an enterprise or village list (XLSX/CSV with lon/lat columns) as a WGS84 point layer."""
from __future__ import annotations

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
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...analysis.inputs.coords import COORD_SYSTEMS
from ...analysis.inputs.import_table import guess_lonlat, points_wgs84, problem_summary
from ...analysis.inputs.table_read import DEFAULT_MAX_ROWS
from ...analysis.schema.fields import LAYER_KINDS as KINDS
from ...layers.convert import qgis_value
from ...layers.qt_compat import FieldType
from ._common import BlueSkyAlgorithm

__all__ = ["ImportEnterpriseListAlgorithm", "KINDS", "COORD_SYSTEMS"]  # the enum options' order


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


class ImportEnterpriseListAlgorithm(BlueSkyAlgorithm):
    INPUT = "INPUT"
    KIND = "KIND"
    LON_FIELD = "LON_FIELD"
    LAT_FIELD = "LAT_FIELD"
    COORD_SYSTEM = "COORD_SYSTEM"
    MAX_ROWS = "MAX_ROWS"
    OUTPUT = "OUTPUT"
    READ_SHARE = 40.0  # per cent of the progress bar for reading the table, the rest for writing the points

    def name(self) -> str:
        return "import_list"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Import enterprise list (XLSX/CSV)")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Reads an Excel or CSV list of boilers, mines, plants, CHP plants or villages and communities with "
            "longitude/latitude columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists "
            "geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system "
            "and the points are converted. Empty longitude/latitude fields are guessed from the column "
            "names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry "
            "and reported. A table of more than the maximum rows (or whose sheet is larger than 1 KB a row) "
            "is refused before it is read; raise the maximum to read it."
        )

    def kind_labels(self):
        """The KIND options by kind; offered in KINDS order (the enum's index is the kind's index in
        analysis.schema.fields.LAYER_KINDS, what scripts and models pass)."""
        return {"boiler": self.tr("Boilers"), "mine": self.tr("Mines"), "plant": self.tr("Plants"),
                "chp": self.tr("CHP plants"), "village": self.tr("Villages and communities")}

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterFile(self.INPUT, self.tr("Enterprise list (XLSX or CSV)"),
                                                     QgsProcessingParameterFile.Behavior.File, "", None, False,
                                                     self.tr("Tables (*.xlsx *.xls *.csv *.txt)")))
        self.addParameter(QgsProcessingParameterEnum(
            self.KIND, self.tr("Kind of list"),
            [self.kind_labels()[kind] for kind in KINDS], False, 0))
        self.addParameter(QgsProcessingParameterString(self.LON_FIELD, self.tr("Longitude column (guessed when empty)"), "", False, True))
        self.addParameter(QgsProcessingParameterString(self.LAT_FIELD, self.tr("Latitude column (guessed when empty)"), "", False, True))
        self.addParameter(QgsProcessingParameterEnum(
            self.COORD_SYSTEM, self.tr("Coordinate system of the list"),
            ["WGS84", self.tr("CGCS2000"), self.tr("GCJ-02 (Amap/Tencent)"), self.tr("BD-09 (Baidu)")], False, 0))
        max_rows = QgsProcessingParameterNumber(
            self.MAX_ROWS, self.tr("Maximum rows to read (a larger table is refused before reading)"),
            QgsProcessingParameterNumber.Type.Integer, DEFAULT_MAX_ROWS, False, 1, 100_000_000)
        self.addParameter(max_rows)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Enterprise points"), QgsProcessing.TypeVectorPoint))

    def process(self, parameters, context, feedback):
        from ...analysis.common.errors import CanceledError
        from ...analysis.inputs.enterprises import read_table

        path = self.parameterAsFile(parameters, self.INPUT, context)
        kind = KINDS[self.parameterAsEnum(parameters, self.KIND, context)]
        system = COORD_SYSTEMS[self.parameterAsEnum(parameters, self.COORD_SYSTEM, context)]
        max_rows = self.parameterAsInt(parameters, self.MAX_ROWS, context) or DEFAULT_MAX_ROWS
        feedback.setProgressText(self.tr("Reading the table (at most {n} rows)…").format(n=f"{max_rows:,}"))
        try:
            df = read_table(path, max_rows=max_rows, is_canceled=feedback.isCanceled,
                            progress=lambda fraction: feedback.setProgress(self.READ_SHARE * fraction))
        except CanceledError:
            feedback.reportError(self.tr("Canceled: nothing was written."), False)
            return {}
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
                feedback.setProgress(self.READ_SHARE + (100.0 - self.READ_SHARE) * i / total)
        if bad:
            feedback.pushWarning(self.tr("{n} rows have no readable coordinates; they are kept without geometry").format(n=bad))
        self._report_problems(df, kind, lon_field, lat_field, system, feedback)
        return {self.OUTPUT: dest_id, "ROWS": len(df), "NO_COORDINATES": bad}

    def _report_problems(self, df, kind, lon_field, lat_field, system, feedback) -> None:
        """Per canonical field, how many rows could not be parsed (warnings only)."""
        try:
            from ...analysis.inputs.enterprises import enterprises_from_table
            from ...analysis.schema.fields import guess_field_mapping

            mapping = dict(guess_field_mapping(list(df.columns), kind))
            mapping["lon"], mapping["lat"] = lon_field, lat_field
            table = enterprises_from_table(df, kind, mapping, system, "")
            for line in problem_summary(table.problems):
                feedback.pushWarning(line)
        except Exception as exc:  # noqa: BLE001 - the import itself succeeded
            from ...layers.user_errors import report

            feedback.pushInfo(f"问题汇总不可用 / problem summary unavailable: {report(exc)}")
