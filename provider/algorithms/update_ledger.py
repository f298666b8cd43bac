"""bluesky:update_ledger — fold a month's flags.gpkg into the monthly check-off ledger (RULES.md §5)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ._ledger_params import LedgerAlgorithm

COUNT_OUTPUTS = (("TASKS", "tasks"), ("OPEN", "open"), ("NEW", "new"), ("DONE", "done"), ("REOPENED", "reopened"),
                 ("OVERDUE", "overdue"), ("DISAGREE", "disagree"))


class UpdateLedgerAlgorithm(LedgerAlgorithm):
    EXISTING = False  # created when missing
    FLAGS = "FLAGS"
    MONTH = "MONTH"
    UNCHANGED = "UNCHANGED"

    def name(self) -> str:
        return "update_ledger"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Update the monthly ledger")

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
            "ledger); a month older than the ledger's last is refused, and so are results identical to an earlier month's "
            "(an old month's lists run again): UNCHANGED says the lists really did not change since the last month."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterFile(
            self.FLAGS, self.tr("Flags of the month's run (flags.gpkg)"), QgsProcessingParameterFile.Behavior.File,
            "gpkg", None, False, self.tr("GeoPackage (*.gpkg)")))
        self.addParameter(QgsProcessingParameterString(self.MONTH, self.tr("Month (YYYY-MM, e.g. 2020-08)")))
        self.add_ledger_params()
        self.addParameter(QgsProcessingParameterBoolean(
            self.UNCHANGED, self.tr("The lists did not change since the ledger's last month"), False, True))
        for key, label in (("TASKS", self.tr("Tasks in the month's flags")), ("OPEN", self.tr("Open tasks")),
                           ("NEW", self.tr("New this month")), ("DONE", self.tr("Done this month")),
                           ("REOPENED", self.tr("Reopened this month")), ("OVERDUE", self.tr("Overdue tasks")),
                           ("DISAGREE", self.tr("Checked off by hand but still in the data"))):
            self.addOutput(QgsProcessingOutputNumber(key, label))
        self.addOutput(QgsProcessingOutputString("LEDGER_LABEL", self.tr("Ledger")))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        flags = self.parameterAsFile(parameters, self.FLAGS, context)
        month = self.parameterAsString(parameters, self.MONTH, context)
        store = self.ledger_store(parameters, context)
        self.warn_if_mixed(feedback, flags)
        if flags and os.path.abspath(flags) == os.path.abspath(str(getattr(store, "path", ""))):
            raise self.fail("台账不能是标注结果文件本身，请为台账另选一个文件名",
                            "the ledger cannot be the flags file itself; choose another file name")
        feedback.pushInfo(f"更新{store.label()}：{month}")
        result = self.ledger_call(store.update_month, flags, month,
                                  unchanged=self.parameterAsBool(parameters, self.UNCHANGED, context))
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
