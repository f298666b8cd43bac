"""Run inside the real QGIS desktop (``qgis --code``): print the demo atlas as an analyst does, from the dock
(加载山西示例数据 → 运行分析 → 打印图集) and from the Toolbox (bluesky:print_atlas as a background Processing task,
as the algorithm dialog runs it), then report JSON. The PDFs are checked by the test, outside QGIS.

Environment: BLUESKY_DESKTOP_REPORT (the JSON report), BLUESKY_DEMO_CACHE (a ready demo cache), BLUESKY_RUNS
(the dock's output folder), BLUESKY_TOOLBOX_PDF (where the Toolbox prints). Kept free of pytest: QGIS's Python
runs it.
"""
import json
import os
import time
import traceback

import qgis.utils
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction

REPORT = os.environ["BLUESKY_DESKTOP_REPORT"]
report = {"steps": [], "log": []}
state = {}


def _collect(message, tag, level):
    if "startTimer" in message or (tag == "Blue Sky Zoning" and level >= int(Qgis.MessageLevel.Warning)):
        report["log"].append(message[:500])


QgsApplication.messageLog().messageReceived.connect(_collect)


def _write(extra=None):
    if extra:
        report.update(extra)
    with open(REPORT, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)


def _guarded(step, *args):
    try:
        step(*args)
    except Exception as exc:  # noqa: BLE001 - any failure ends the session with its traceback
        _write({"error": repr(exc), "traceback": traceback.format_exc()})
        QgsApplication.instance().quit()


def _when_done(task, then, started=None):
    """Call ``then`` once ``task`` (a BlueSkyTask) has finished, polling the event loop (no blocking wait)."""
    started = started or time.time()
    if not task.done and time.time() - started < 600:
        QTimer.singleShot(250, lambda: _guarded(_when_done, task, then, started))
        return
    then(task)


def start():
    import bluesky_zoning.ui.dock as dock_module

    dock_module.demo_cache_dir = lambda: os.environ["BLUESKY_DEMO_CACHE"]
    qgis.utils.iface.mainWindow().findChild(QAction, "bluesky_zoning_open_panel").trigger()
    dock = qgis.utils.plugins["bluesky_zoning"].dock
    dock.ui.outDir.setFilePath(os.environ["BLUESKY_RUNS"])
    state["dock"] = dock
    report["steps"].append("demo")
    _when_done(dock.load_demo_data(), run)


def run(task):
    report["steps"].append("run")
    _when_done(state["dock"].run_analysis(), print_from_dock)


def print_from_dock(task):
    dock = state["dock"]
    if task.exception is not None:
        raise RuntimeError(task.trace)
    report["dock_run"] = dict(dock.result_paths)
    report["steps"].append("dock atlas")
    start_time = time.time()

    def printed(t):
        report["dock_atlas"] = {"ok": t.exception is None, "result": t.result, "seconds": time.time() - start_time,
                                "status": dock.ui.outputStatus.text()}
        print_from_toolbox()

    _when_done(dock.output.print_atlas(), printed)


def print_from_toolbox():
    paths = state["dock"].result_paths
    report["steps"].append("toolbox atlas")
    alg = QgsApplication.processingRegistry().createAlgorithmById("bluesky:print_atlas")
    params = {"ZONES_GPKG": paths["zones"], "FLAGS_GPKG": paths["flags"], "ADMIN": paths["admin"],
              "OUTPUT_PDF": os.environ["BLUESKY_TOOLBOX_PDF"]}
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = QgsProcessingFeedback()
    task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
    state["toolbox"] = (task, context, feedback, time.time())

    def executed(ok, results):
        report["toolbox_atlas"] = {"ok": bool(ok), "results": {k: str(v) for k, v in results.items()},
                                   "seconds": time.time() - state["toolbox"][3]}
        QTimer.singleShot(500, lambda: _guarded(finish))

    task.executed.connect(executed)
    QgsApplication.taskManager().addTask(task)


def finish():
    _write({"done": True})
    QgsApplication.instance().quit()


QTimer.singleShot(2000, lambda: _guarded(start))
QTimer.singleShot(1_500_000, lambda: (_write({"error": "timeout"}), QgsApplication.instance().quit()))
