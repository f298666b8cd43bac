"""bluesky:update_ledger — fold a month's flags.gpkg into the monthly check-off ledger (RULES.md §5)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterDatabaseSchema,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
    QgsProcessingUtils,
)

from ._common import BlueSkyAlgorithm

COUNT_OUTPUTS = (("TASKS", "tasks"), ("OPEN", "open"), ("NEW", "new"), ("DONE", "done"), ("REOPENED", "reopened"),
                 ("OVERDUE", "overdue"), ("DISAGREE", "disagree"))


def add_ledger_params(alg: BlueSkyAlgorithm, existing: bool) -> None:
    """LEDGER (the ledger's own GeoPackage) or DB_CONNECTION + DB_SCHEMA (a PostGIS schema): one of the two."""
    if existing:
        alg.addParameter(QgsProcessingParameterFile(
            "LEDGER", alg.tr("Ledger GeoPackage"), QgsProcessingParameterFile.Behavior.File, "gpkg", None, True,
            alg.tr("GeoPackage (*.gpkg)")))
    else:
        alg.addParameter(QgsProcessingParameterFileDestination(
            "LEDGER", alg.tr("Ledger GeoPackage (created when missing, updated when present)"),
            alg.tr("GeoPackage (*.gpkg)"), None, True, False))
    alg.addParameter(QgsProcessingParameterProviderConnection(
        "DB_CONNECTION", alg.tr("Or: the ledger in this PostgreSQL connection"), "postgres", None, True))
    alg.addParameter(QgsProcessingParameterDatabaseSchema(
        "DB_SCHEMA", alg.tr("Database schema of the ledger"), "DB_CONNECTION", None, True))


def ledger_store_param(alg: BlueSkyAlgorithm, parameters, context, existing: bool):
    """The layers.ledger_store.LedgerStore the parameters name; a clear Processing error otherwise."""
    from ...layers.ledger_store import LedgerStoreError, open_ledger
    from ...layers.postgis_output import DatabaseDestination, DatabaseOutputError

    if existing:
        path = alg.parameterAsFile(parameters, "LEDGER", context)
    else:
        raw = parameters.get("LEDGER")
        path = alg.parameterAsFileOutput(parameters, "LEDGER", context) if raw not in (None, "") else ""
        if path and os.path.abspath(path).startswith(os.path.abspath(QgsProcessingUtils.tempFolder())):
            raise alg.fail("请为台账选择一个保存位置：台账逐月累积，不能存为临时文件",
                           "choose where the ledger is kept: it grows month by month and cannot be a temporary file")
        if path and not path.lower().endswith(".gpkg"):
            path += ".gpkg"
    connection = alg.parameterAsConnectionName(parameters, "DB_CONNECTION", context)
    destination = None
    if connection:
        schema = alg.parameterAsSchema(parameters, "DB_SCHEMA", context)
        if not schema:
            raise alg.fail("台账放在数据库中时需要选择模式", "a database schema is required with the database connection")
        destination = DatabaseDestination(connection, schema)
    try:
        return open_ledger(path or None, destination)
    except (LedgerStoreError, DatabaseOutputError) as exc:
        raise QgsProcessingException(str(exc)) from None


class UpdateLedgerAlgorithm(BlueSkyAlgorithm):
    FLAGS = "FLAGS"
    LEDGER = "LEDGER"
    MONTH = "MONTH"

    def name(self) -> str:
        return "update_ledger"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Update the monthly ledger")

    def group(self) -> str:
        return self.tr("Monthly ledger")

    def groupId(self) -> str:  # noqa: N802 - QGIS API name
        return "ledger"

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Folds one month's analysis (its flags.gpkg) into the monthly check-off ledger of the plan's item "
            "四(二) (逐月检点，逐项销号). A task is one rule hit of one enterprise. A task of last month that the "
            "month's flags no longer show is done (销号) this month; a task never seen before is open and new; a "
            "done task that comes back is reopened; an open task past its deadline at the end of the month is "
            "overdue. Enterprises are recognised by the inventory's own id (编号 / 统一社会信用代码); rows without "
            "one by name and position within 50 m, and the ledger says so. A manual check-off is kept: the ledger "
            "shows the data's status, the check-off and where they disagree. The ledger is its own GeoPackage "
            "(created when missing, updated when present, never an analysis output) or a PostGIS schema a team "
            "shares. Updating the same month again replaces that month's update (the same flags give the same "
            "ledger); a month older than the ledger's last is refused."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterFile(
            self.FLAGS, self.tr("Flags of the month's run (flags.gpkg)"), QgsProcessingParameterFile.Behavior.File,
            "gpkg", None, False, self.tr("GeoPackage (*.gpkg)")))
        self.addParameter(QgsProcessingParameterString(self.MONTH, self.tr("Month (YYYY-MM, e.g. 2020-08)")))
        add_ledger_params(self, existing=False)
        for key, label in (("TASKS", self.tr("Tasks in the month's flags")), ("OPEN", self.tr("Open tasks")),
                           ("NEW", self.tr("New this month")), ("DONE", self.tr("Done this month")),
                           ("REOPENED", self.tr("Reopened this month")), ("OVERDUE", self.tr("Overdue tasks")),
                           ("DISAGREE", self.tr("Checked off by hand but still in the data"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("LEDGER_LABEL", self.tr("Ledger")))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...analysis.ledger import LedgerError
        from ...analysis.validation import OutputError

        flags = self.parameterAsFile(parameters, self.FLAGS, context)
        month = self.parameterAsString(parameters, self.MONTH, context)
        store = ledger_store_param(self, parameters, context, existing=False)
        if flags and os.path.abspath(flags) == os.path.abspath(str(getattr(store, "path", ""))):
            raise self.fail("台账不能是标注结果文件本身，请为台账另选一个文件名",
                            "the ledger cannot be the flags file itself; choose another file name")
        feedback.pushInfo(f"更新{store.label()}：{month}")
        try:
            result = store.update_month(flags, month)
        except (LedgerError, OutputError) as exc:  # their messages are written for the user
            raise QgsProcessingException(str(exc)) from None
        c = result.counts
        feedback.pushInfo(f"{result.month}{'（重新更新，替换该月原有结果）' if result.replaced else ''}：本月任务 {c['tasks']}，"
                          f"未完成 {c['open']}，本月新增 {c['new']}，本月销号 {c['done']}，重新出现 {c['reopened']}，"
                          f"逾期 {c['overdue']}，人工销号但数据仍在 {c['disagree']}")
        for note in result.notes:
            feedback.pushWarning(note)
        feedback.setProgress(100)
        outputs: Dict[str, Any] = {key: int(c[name]) for key, name in COUNT_OUTPUTS}
        outputs["LEDGER_LABEL"] = store.label()
        if getattr(store, "path", None) is not None:
            outputs[self.LEDGER] = str(store.path)
        return outputs
