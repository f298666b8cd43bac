"""bluesky:compare_scenarios — base against variant ("what if the CHP radius were 20 km?"): compare.gpkg.

The inputs are run_all's own parameters (``RunAllAlgorithm.add_input_params``) and are read the way run_all
reads them (layers/run_job.run_compare). The base is always computed from these inputs, never taken from an
earlier run's flags.gpkg: inputs edited since that run would otherwise show as the scenario's effect.
"""
from __future__ import annotations

from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
)

from .run_all import RunAllAlgorithm

COMPARE_FILE = "compare.gpkg"
#: the outputs counting (enterprise, rule) rows of each kind of change (analysis/scenarios/compare.py)
COUNT_OUTPUTS = (("ADDED", "新增"), ("REMOVED", "解除"), ("CHANGED", "措施变化"))


class CompareScenariosAlgorithm(RunAllAlgorithm):
    BASE = "BASE"
    VARIANT = "VARIANT"
    FOLDER_OUTPUTS = {RunAllAlgorithm.OUTPUT_DIR: (COMPARE_FILE,)}

    def name(self) -> str:
        return "compare_scenarios"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Compare two scenarios (方案比较)")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return (
            "比较两个方案：同一组输入（与“一键完成全部分析”相同的图层、规则文件和参数），按“基准”和“方案”两种设置各判定一次，"
            "写出 compare.gpkg：哪些企业的哪条规则新增命中、解除命中或处置措施变化（scenario_changes，点），"
            "分县区、分规则的条数（scenario_counts），管控分区扩大或缩小的范围（zone_changes，面），以及两个方案的设置"
            "（scenario_settings）。\n\n"
            "设置的写法：每项“名称=值”，用分号或换行分隔。参数用规则文件中的名称，如 chp_radius_km=20（热电联产供热半径"
            "20 公里）、fringe_km=2（城乡结合部外扩 2 公里）；规则开关如 rule.B-NOX=off；“1+30”名单如 "
            "1p30.add=和顺县、1p30.remove=晋中市/祁县（县区名称重名时写 市/县 或区划代码）。"
            "“基准”留空即规则文件（及本对话框中填写的参数）；“方案”在基准之上再改。只改变影响到的管控分区，其余沿用基准。"
            "基准总是用本次输入重新计算，不取以前运行的结果，以免把输入的修改误算作方案的影响。\n\n"
            "Compares two scenarios on the same inputs: BASE (empty: the rules file) and VARIANT (changes on top of "
            "the base, e.g. chp_radius_km=20; rule.B-NOX=off; 1p30.add=和顺县) and writes compare.gpkg."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.add_input_params()
        self.addParameter(QgsProcessingParameterString(
            self.BASE, self.tr("Base settings (empty: the rules file), e.g. chp_radius_km=15"), "", True, True))
        self.addParameter(QgsProcessingParameterString(
            self.VARIANT, self.tr("Variant settings, e.g. chp_radius_km=20; fringe_km=2; rule.B-NOX=off; "
                                  "1p30.add=和顺县"), "", True, False))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("COMPARE_GPKG", self.tr("Comparison (compare.gpkg)")))
        for name, label in COUNT_OUTPUTS:
            self.addOutput(QgsProcessingOutputNumber(name, label))

    def checkParameterValues(self, parameters, context):  # noqa: N802 - QGIS API name
        """Before the run starts: the inputs as run_all wants them, and settings that read (the dialog shows
        the message and waits)."""
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        from ...analysis.scenarios.overrides import ScenarioError, parse_overrides

        for name in (self.BASE, self.VARIANT):
            try:
                parse_overrides(self.parameterAsString(parameters, name, context) or "")
            except ScenarioError as exc:  # against the shipped rules; a rules file's own names are checked later
                if not self.parameterAsFile(parameters, self.RULES, context):
                    return False, str(exc)
        return True, ""

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...analysis.common.output_folder import check_writable, clean_debris
        from ...analysis.scenarios.overrides import ScenarioError
        from ...layers.run_job import run_compare

        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        base_text = self.parameterAsString(parameters, self.BASE, context) or ""
        variant_text = self.parameterAsString(parameters, self.VARIANT, context) or ""
        try:
            check_writable(out_dir)
        except Exception as exc:  # noqa: BLE001 - an OutputError: its text is the message
            raise QgsProcessingException(str(exc)) from None
        for item in clean_debris(out_dir):
            feedback.pushInfo(f"已清除上次中断运行留下的临时文件：{item.name}")
        inputs = self._job_inputs(parameters, context, feedback)
        if feedback.isCanceled():
            return {}

        def stage(*args, **kwargs):
            try:
                return run_compare(*args, **kwargs)
            except ScenarioError as exc:  # written for the user, naming the item
                raise self.fail("方案设置有误", "bad scenario settings", str(exc).split("\n", 1)[-1]) from None

        done = self.run_stage(stage, inputs, base_text, variant_text, out_dir, self.progress_to(feedback),
                              feedback.isCanceled, warn=feedback.pushWarning)
        if done is None:
            feedback.reportError(self.tr("Canceled: nothing was written."), False)
            return {}
        comparison, path, _warnings = done
        totals = comparison.totals()
        feedback.pushInfo(f"基准：{comparison.base_description}；方案：{comparison.description}")
        feedback.pushInfo("；".join(f"{label} {totals[label]} 条" for _name, label in COUNT_OUTPUTS)
                          + f"（企业×规则）；管控分区变化 {len(comparison.zone_changes)} 处")
        feedback.setProgress(100)
        outputs: Dict[str, Any] = {self.OUTPUT_DIR: out_dir, "COMPARE_GPKG": path}
        outputs.update({name: totals[label] for name, label in COUNT_OUTPUTS})
        return outputs
