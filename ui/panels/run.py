"""分析 tab: the output folder, Run and Cancel, the step's name on the progress bar, and the run's log — its
assumptions and choices first, then the counts and the rows to verify grouped by problem."""
from __future__ import annotations

import datetime as _dt
import os
from typing import List, Optional

from qgis.core import QgsProject, QgsRasterLayer, QgsSettings, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtCore import QUrl

from ...analysis.inputs.validation import InputError
from ...analysis.schema.fields import LAYER_KINDS
from ...layers.output_place import OUTPUT_DIR_SETTING, chosen_output_dir, default_output_dir
from ...layers.user_errors import report, user_message
from .base import Panel, tr, ui_is_chinese

# The lists the rules judge, as JobInputs.enterprises keys (the CHP plants go in JobInputs.chp).
JUDGED_KINDS = tuple(kind for kind in LAYER_KINDS if kind != "chp")


def step_text(step: int, total: int, name: str) -> str:
    """"构建禁煤区… 3/9" from a progress report; the name's own trailing ellipsis is not doubled."""
    name = str(name or "").strip().rstrip("…").rstrip(".").strip()
    count = f"{step}/{total}" if total else str(step)
    return f"{name}… {count}" if name else count


def folder_link(path: str, text: Optional[str] = None) -> str:
    """An <a> that opens ``path`` (a folder) with the system's file manager."""
    return f'<a href="{QUrl.fromLocalFile(path).toString()}">{text or path}</a>'


def problem_phrases():
    return {"unparsed": tr("cannot be parsed"), "blank": tr("is blank or unreadable"), "negative": tr("is negative"),
            "generated_id": tr("id blank, numbered by row"), "duplicate_id": tr("id used twice"),
            "outside": tr("outside every county"), "swapped": tr("longitude and latitude swapped?"),
            "no_position": tr("no position"), "other": tr("other problems")}


class RunPanel(Panel):
    TAB = "tabRun"

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.running_inputs = None  # layers.run_job.JobInputs of the run under way
        self.last_inputs = None  # … and of the last complete run (the 方案比较 tab's base)
        self.task = None  # the running analysis task
        self.out_dir_chosen = False  # False: the default folder, which follows the project
        self.provisional_1p30 = False  # the run uses the rules file's unverified 1+30 list
        u = self.ui
        u.outDir.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        u.runFolderLink.setVisible(False)

    def title(self) -> str:
        return tr("Analysis")

    def connect(self) -> None:
        u = self.ui
        u.runButton.clicked.connect(self.run_analysis)
        u.cancelButton.clicked.connect(self.cancel_run)
        u.outDir.fileChanged.connect(self._out_dir_changed)
        u.runFolderLink.linkActivated.connect(self.dock.open_link)
        QgsProject.instance().homePathChanged.connect(self._project_moved)

    def close(self) -> None:
        try:
            QgsProject.instance().homePathChanged.disconnect(self._project_moved)
        except (TypeError, RuntimeError):
            pass

    def restore(self, settings) -> None:
        chosen = chosen_output_dir()
        self.out_dir_chosen = bool(chosen)
        self._set_out_dir(chosen or default_output_dir())

    def save(self, settings) -> None:
        # bluesky:run_all's dialog offers the same folder (layers/output_place.py)
        settings.setValue(OUTPUT_DIR_SETTING, self.ui.outDir.filePath() if self.out_dir_chosen else "")

    def _set_out_dir(self, path: str) -> None:
        self.ui.outDir.blockSignals(True)
        self.ui.outDir.setFilePath(path)
        self.ui.outDir.blockSignals(False)

    def _out_dir_changed(self, path: str) -> None:
        self.out_dir_chosen = bool(path)
        self.save(QgsSettings())

    def _project_moved(self, *_args) -> None:
        if not self.out_dir_chosen:
            self._set_out_dir(default_output_dir())

    # -- the run -------------------------------------------------------------------------------------------
    def job_inputs(self):
        """Snapshot the chosen layers and settings (main thread) into layers.run_job.JobInputs."""
        from ...layers.run_job import JobInputs, snapshot_raster, snapshot_vector

        data, rules = self.dock.data, self.dock.rules
        admin, builtup = data.chosen_layer("admin"), data.chosen_layer("builtup")
        if admin is None:
            raise InputError(tr("Choose the county boundary layer."))
        if builtup is None:
            raise InputError(tr("Choose the built-up layer."))
        enterprises = {}
        for kind in JUDGED_KINDS:
            layer = data.chosen_layer(kind)
            if layer is not None:
                enterprises[kind] = snapshot_vector(layer)
        if not enterprises:
            raise InputError(tr("Choose at least one list (boilers, mines, plants or villages)."))
        raster = isinstance(builtup, QgsRasterLayer)
        return JobInputs(
            admin=snapshot_vector(admin),
            builtup_vector=snapshot_vector(builtup) if isinstance(builtup, QgsVectorLayer) else None,
            builtup_raster=snapshot_raster(builtup) if raster else None,
            enterprises=enterprises,
            chp=snapshot_vector(data.chosen_layer("chp")),
            planning_area=snapshot_vector(data.chosen_layer("planning")),
            admin_fields=data.admin_fields(),
            rules_path=self.ui.rulesFile.filePath() or None,
            params=rules.params(),
            region_1p30=rules.region_override(),
            disabled_rules=rules.disabled_rules(),
            field_mappings=data.field_mappings(),
        )

    def run_analysis(self):
        """Start the analysis task; on success the result group appears, on cancel nothing changes."""
        if self.task is not None and not self.task.done:
            return None
        try:
            inputs = self.job_inputs()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.dock.warn(report(exc))
            return None
        self.dock.save_settings()
        base = self.ui.outDir.filePath() or default_output_dir()
        out_dir = os.path.join(base, "run_" + _dt.datetime.now().strftime("%Y%m%d_%H%M%S"))
        os.makedirs(base, exist_ok=True)
        choices = self.dock.rules.choices_text()
        columns = self.dock.data.columns_read()

        sources = {key: combo.currentLayer().source().split("|")[0]
                   for key, combo in self.dock.data.layer_combos().items()
                   if combo.currentLayer() is not None and combo.currentLayer().providerType() in ("ogr", "gdal")}

        def work(task):
            from ...analysis.common.atomic import atomic_path
            from ...analysis.reports.run_manifest import write_manifest
            from ...layers.run_job import run_job

            with atomic_path(out_dir) as staging:  # the run's folder appears whole, or not at all
                result, paths = run_job(inputs, str(staging), task.report, task.isCanceled)
                if task.isCanceled():
                    raise _canceled()
                # its manifest: later steps (and the outputs written into it) tell a whole set from a mixed one
                write_manifest(staging, [os.path.basename(str(v)) for v in paths.values()], sources, result.params)
            paths = {k: os.path.join(out_dir, os.path.basename(str(v))) for k, v in paths.items()}
            return result, paths

        u = self.ui
        u.runButton.setEnabled(False)
        u.cancelButton.setEnabled(True)
        u.progressBar.setValue(0)
        u.progressBar.setFormat("%p%")
        u.stepLabel.setText(tr("Starting…"))
        u.runFolderLink.setVisible(False)
        u.runLog.clear()
        self.running_inputs = inputs
        self.provisional_1p30 = inputs.region_1p30 is None and self.dock.rules.region_1p30_provisional()
        self.dock.log(tr("Run started: {dir}").format(dir=out_dir))
        task = self.dock.start_task(tr("Blue Sky Zoning analysis"), work,
                                    lambda payload: self._done(payload, choices, columns), self._error, self._canceled)
        task.step.connect(self.on_step)
        task.progressChanged.connect(lambda p: u.progressBar.setValue(int(p)))
        self.task = task
        return task

    def cancel_run(self) -> None:
        if self.task is not None and not self.task.done:
            self.task.cancel()
            self.ui.stepLabel.setText(tr("Canceling…"))

    def on_step(self, step: int, total: int, name: str) -> None:
        """Show the step as it comes ("构建禁煤区… 3/9") on the progress bar and the label below it."""
        text = step_text(step, total, name)
        self.ui.stepLabel.setText(text)
        bar = self.ui.progressBar
        bar.setFormat(text.replace("%", "%%") + "  (%p%)")
        if total > 0:
            bar.setValue(int(round(100.0 * min(max(step, 0), total) / total)))

    def _finished_ui(self) -> None:
        self.ui.runButton.setEnabled(True)
        self.ui.cancelButton.setEnabled(False)

    def _canceled(self) -> None:
        self._finished_ui()
        self.ui.progressBar.setValue(0)
        self.ui.progressBar.setFormat("%p%")
        self.ui.stepLabel.setText(tr("Canceled: nothing was added."))
        self.dock.log(tr("Canceled: nothing was added."))

    def _error(self, exc: BaseException, trace: str) -> None:
        self._finished_ui()
        self.ui.stepLabel.setText(tr("Failed"))
        # the traceback went to the QGIS message log (BlueSkyTask.finished); the user reads a sentence
        self.dock.warn(tr("The analysis failed: {error}").format(error=user_message(exc)))

    def _done(self, payload, choices: List[str], columns) -> None:
        from ...analysis.reports.run_report import run_counts

        self._finished_ui()
        result, paths = payload
        self.last_inputs = self.running_inputs  # the 方案比较 tab reads the same inputs for its base
        u = self.ui
        u.progressBar.setValue(100)
        u.progressBar.setFormat(tr("Done") + "  (%p%)")
        u.stepLabel.setText(tr("Done"))
        self.dock.show_results(result, paths, columns)
        self.show_1p30_note(self.provisional_1p30)
        counts = run_counts(result.flags, result.to_verify)
        folder = os.path.dirname(self.dock.result_paths["flags"])
        self.write_log(result, choices, counts, folder, columns)
        u.runFolderLink.setText(tr("Results folder: {link}").format(link=folder_link(folder, os.path.basename(folder))))
        u.runFolderLink.setVisible(True)
        self.dock.message(counts_text(counts) + " " + folder_link(folder, tr("Open the results folder")), success=True)

    def write_log(self, result, choices: List[str], counts, folder: str, columns=None) -> None:
        """The run in a few lines: assumptions and choices, the counts, the rows to verify by problem,
        other input checks, where the files are — each once, in the dock's language, with rules by their
        Chinese names and fields by their Chinese labels and the user's own columns (no code words).
        ``columns``: kind → {field: the user's column} the run read."""
        from ...analysis.reports.labels import printable, rule_names
        from ...analysis.reports.run_report import one_language, problem_groups, without_row_messages

        chinese = ui_is_chinese()
        names = rule_names(self.dock.ruleset)

        def said(line: str) -> str:  # the workbook's words for print (analysis/reports/labels.printable)
            return printable(one_language(line, chinese), names)

        notes = [str(n) for n in result.notes]
        log = self.dock.log
        log(tr("Assumptions and choices of this run:"))
        for line in notes + choices:
            log("  • " + said(line))
        log(counts_text(counts))
        groups = problem_groups(result.to_verify)
        if groups:
            log(tr("Rows to verify by problem (the rows are on the To verify tab):"))
            phrases = problem_phrases()
            for g in groups:
                field = "" if g.problem in ("duplicate_id", "generated_id") else g.label
                column = user_column((columns or {}).get(g.kind, {}), g.field)
                if field and column and column != field:
                    field = tr("{label} (your column {column})").format(label=field, column=column)
                log("  • " + tr("{layer}: {field} {problem}, {n} rows").format(
                    layer=g.layer, field=field, problem=phrases.get(g.problem, phrases["other"]), n=g.rows))
        checks = [m for m in without_row_messages(result.messages, result.to_verify)
                  if m not in notes]
        if checks:
            log(tr("Input checks:"))
            for line in checks:
                log("  • " + said(line))
        log(tr("Results written to {dir}").format(dir=folder))

    def show_1p30_note(self, show: bool) -> None:
        """The yellow provisional-list note on the results and run tabs."""
        from .rules import provisional_1p30_text

        for label in (self.ui.summaryNote1p30, self.ui.runNote1p30):
            label.setText("⚠ " + provisional_1p30_text())
            label.setVisible(show)


def user_column(mapping, field: str) -> str:
    """The user's column(s) a canonical field was read from ("经度、纬度" for a position), "" when none."""
    if field in ("lon,lat", "lon", "lat", "geometry"):
        parts = [mapping.get("lon"), mapping.get("lat")]
    else:
        parts = [mapping.get(f) for f in str(field).split(",")]
    return "、".join(str(p) for p in parts if p)


def counts_text(counts) -> str:
    """The one sentence of a run's counts, as the message bar, the log and the results tab say it."""
    return tr("{hits} rule hits on {ents} enterprises; {verify} rows to verify.").format(
        hits=counts.hits, ents=counts.enterprises, verify=counts.to_verify)


def _canceled() -> Exception:
    from ...analysis.common.errors import CanceledError

    return CanceledError("canceled")

