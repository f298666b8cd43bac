"""Processing algorithm: the meeting's summary workbook (XLSX)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
)

from ._common import BlueSkyAlgorithm


class SummaryWorkbookAlgorithm(BlueSkyAlgorithm):
    FLAGS_GPKG = "FLAGS_GPKG"
    ZONES_GPKG = "ZONES_GPKG"
    OUTPUT_XLSX = "OUTPUT_XLSX"

    def name(self) -> str:
        return "summary_workbook"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Summary workbook (汇总表)")

    def group(self) -> str:
        return self.tr("Outputs")

    def groupId(self) -> str:  # noqa: N802
        return "outputs"

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Writes an XLSX workbook: county × rule counts, city totals, the task list in meeting order, "
            "the rows to verify and notes on the data."
        )

    def initAlgorithm(self, config: Dict[str, Any] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.FLAGS_GPKG, self.tr("Flags GeoPackage (flags.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.ZONES_GPKG, self.tr("Zones GeoPackage (optional)"),
                                                     extension="gpkg", optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_XLSX, self.tr("Workbook"),
                                                                fileFilter="Excel (*.xlsx)"))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...layers.workbook import write_summary_workbook

        flags = self.parameterAsFile(parameters, self.FLAGS_GPKG, context)
        zones = self.parameterAsFile(parameters, self.ZONES_GPKG, context) or None
        out = self.parameterAsFileOutput(parameters, self.OUTPUT_XLSX, context)
        if not flags or not os.path.isfile(flags):
            raise QgsProcessingException(self.tr("The flags GeoPackage does not exist: {}").format(flags))
        if not out.lower().endswith(".xlsx"):
            out += ".xlsx"
        try:
            path = write_summary_workbook(flags, out, zones_gpkg=zones)
        except Exception as exc:  # noqa: BLE001
            from ...layers.user_errors import report

            raise QgsProcessingException(self.tr("Writing the workbook failed: {}").format(report(exc))) from exc
        feedback.setProgress(100)
        return {self.OUTPUT_XLSX: str(path)}
