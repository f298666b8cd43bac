"""Processing algorithm: the meeting's summary workbook (XLSX), with the monthly ledger's 进度 and 销号清单
when a ledger is given."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ._ledger_params import DB_CONNECTION, LEDGER, LedgerAlgorithm


class SummaryWorkbookAlgorithm(LedgerAlgorithm):
    # the ledger is optional here, and only read: its parameters are those of bluesky:check_off_task
    EXISTING = True
    FLAGS_GPKG = "FLAGS_GPKG"
    ZONES_GPKG = "ZONES_GPKG"
    MONTH = "MONTH"
    COUNTY_FROM_NAME = "COUNTY_FROM_NAME"
    COMPARE_GPKG = "COMPARE_GPKG"
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
            "the rows to verify (by city and county) and notes on the data; the rural clean-heating coverage when "
            "the run wrote it. With a monthly ledger also 进度 (the month per county, city and province, and the "
            "province month by month) and 销号清单 (the tasks checked off in the month, by the data or by hand). "
            "Month empty: the ledger's latest. A row to verify whose point lies in no county is listed under the "
            "county its name states only when 'Infer the county from the name' is ticked (marked as inferred)."
        )

    def initAlgorithm(self, config: Dict[str, Any] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.FLAGS_GPKG, self.tr("Flags GeoPackage (flags.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.ZONES_GPKG, self.tr("Zones GeoPackage (optional)"),
                                                     extension="gpkg", optional=True))
        self.add_ledger_params()
        self.addParameter(QgsProcessingParameterString(
            self.MONTH, self.tr("Month of the ledger (YYYY-MM; empty: the latest)"), "", False, True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.COUNTY_FROM_NAME, self.tr("Infer the county from the name (rows to verify outside every county)"),
            False))
        self.addParameter(QgsProcessingParameterFile(
            self.COMPARE_GPKG, self.tr("Scenario comparison (compare.gpkg of bluesky:compare_scenarios, optional)"),
            extension="gpkg", optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_XLSX, self.tr("Workbook"),
                                                                fileFilter="Excel (*.xlsx)"))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...analysis.inputs.validation import InputError, OutputError
        from ...analysis.ledger.updates import LedgerError
        from ...layers.workbook.writer import write_summary_workbook

        flags = self.parameterAsFile(parameters, self.FLAGS_GPKG, context)
        zones = self.parameterAsFile(parameters, self.ZONES_GPKG, context) or None
        out = self.parameterAsFileOutput(parameters, self.OUTPUT_XLSX, context)
        month = (self.parameterAsString(parameters, self.MONTH, context) or "").strip() or None
        if not flags or not os.path.isfile(flags):
            raise QgsProcessingException(self.tr("The flags GeoPackage does not exist: {}").format(flags))
        self.warn_if_mixed(feedback, flags, zones)
        has_ledger = bool(self.parameterAsFile(parameters, LEDGER, context)
                          or self.parameterAsConnectionName(parameters, DB_CONNECTION, context))
        if month and not has_ledger:
            raise self.fail("填写了月份，但没有选择台账：进度和销号清单来自月度台账",
                            "a month was given without a ledger: the progress sheets come from the monthly ledger")
        store = self.ledger_store(parameters, context) if has_ledger else None
        if not out.lower().endswith(".xlsx"):
            out += ".xlsx"
        try:
            path = write_summary_workbook(flags, out, zones_gpkg=zones, ledger=store, month=month,
                                          county_from_name=self.parameterAsBool(parameters, self.COUNTY_FROM_NAME,
                                                                                context),
                                          compare=self.parameterAsFile(parameters, self.COMPARE_GPKG, context) or None)
        except (LedgerError, InputError, OutputError) as exc:  # written for the user: shown as they are
            raise QgsProcessingException(str(exc)) from None
        except Exception as exc:  # noqa: BLE001
            from ...layers.user_errors import report

            raise QgsProcessingException(self.tr("Writing the workbook failed: {}").format(report(exc))) from exc
        feedback.setProgress(100)
        return {self.OUTPUT_XLSX: str(path)}
