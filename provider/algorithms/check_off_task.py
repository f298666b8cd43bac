"""bluesky:check_off_task — a person ticks one ledger task off (人工销号) with evidence, or takes it back."""
from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterString,
)

from ._ledger_params import LedgerAlgorithm


class CheckOffTaskAlgorithm(LedgerAlgorithm):
    EXISTING = True  # a task is checked off in a ledger that exists
    TASK_ID = "TASK_ID"
    BY = "BY"
    EVIDENCE = "EVIDENCE"
    NOTE = "NOTE"
    REVERT = "REVERT"

    def name(self) -> str:
        return "check_off_task"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Check off a ledger task by hand")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Ticks one task of the monthly ledger off by hand (人工销号), e.g. after an on-site inspection: who, "
            "when (now), the evidence file's name and a note are kept on the task and in its history. The data "
            "never overrule the check-off: while the month's flags still show the task, the ledger keeps both and "
            "marks the disagreement. Revert takes the check-off back. Only this task's check-off columns are "
            "written, so colleagues checking off other tasks of a shared PostGIS ledger at the same time lose nothing."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.add_ledger_params()
        self.addParameter(QgsProcessingParameterString(self.TASK_ID, self.tr("Task id (task_id)")))
        self.addParameter(QgsProcessingParameterString(self.BY, self.tr("Checked off by (name; QGIS user when empty)"),
                                                       "", False, True))
        self.addParameter(QgsProcessingParameterString(self.EVIDENCE, self.tr("Evidence (file name of the record)"),
                                                       "", False, True))
        self.addParameter(QgsProcessingParameterString(self.NOTE, self.tr("Note"), "", True, True))
        self.addParameter(QgsProcessingParameterBoolean(self.REVERT, self.tr("Revert the manual check-off"), False))
        self.addOutput(QgsProcessingOutputString("STATUS", self.tr("Status in the data")))
        self.addOutput(QgsProcessingOutputString("CHECK_OFF", self.tr("Manual check-off")))
        self.addOutput(QgsProcessingOutputNumber("DISAGREE", self.tr("Data and check-off disagree")))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...analysis.ledger.updates import STATUS_LABELS
        from ...layers.ledger_store.factory import current_user

        store = self.ledger_store(parameters, context)
        task_id = (self.parameterAsString(parameters, self.TASK_ID, context) or "").strip()
        by = (self.parameterAsString(parameters, self.BY, context) or "").strip() or current_user()
        revert = self.parameterAsBool(parameters, self.REVERT, context)
        task = self.ledger_call(store.check_off, task_id, by,
                                self.parameterAsString(parameters, self.EVIDENCE, context) or "",
                                self.parameterAsString(parameters, self.NOTE, context) or "", revert)
        status = task.get("status") or ""
        disagree = int(task.get("disagree") or 0)
        feedback.pushInfo(f"任务「{task_id}」：{'已撤销人工销号' if revert else f'已由 {by} 人工销号'}；"
                          f"数据状态 {STATUS_LABELS.get(status, status)}"
                          + ("（数据中仍存在，与人工销号不一致）" if disagree else ""))
        feedback.setProgress(100)
        return {"STATUS": status, "CHECK_OFF": task.get("check_off") or "", "DISAGREE": disagree}
