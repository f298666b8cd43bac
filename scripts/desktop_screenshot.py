#!/usr/bin/env python3
"""Screenshots of the real QGIS desktop (Xvfb) with the dock and the Shanxi demo, in Chinese.

Run with Debian's python: `python3 scripts/desktop_screenshot.py [out.png]`. It installs the plugin into a
temporary profile (locale zh_CN), starts `xvfb-run qgis --code <this file>`; inside QGIS the same file opens the
dock (560 px wide), loads the demo through the dock's link and saves the map (map_after_demo_load.png), runs the
analysis in its task, saves each tab of the dock (dock_tab1.png …), the main window with the results (out.png),
two counties at 1:100 000 (map_county_100k_*.png) and the `bluesky:run_all` dialog (run_all_dialog*.png), all
in out.png's folder.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

try:
    sys.path.append(str(Path(__file__).resolve().parent))
except NameError:  # exec'd by QGIS's --code: no __file__; the launcher said where the checkout is
    sys.path.append(os.path.join(os.environ["BLUESKY_ROOT"], "scripts"))
from desktop_session import DesktopRun, checkout_root, print_error, run_in_desktop  # noqa: E402

DEFAULT_OUT = checkout_root() / "out" / "screenshots" / "desktop_dock.png"
COUNTIES = (("140105", "xiaodian"), ("141181", "xiaoyi"))  # 小店区 (太原), 孝义市 (吕梁): maps at 1:100 000


def launch(out: Path) -> int:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    work = Path(tempfile.mkdtemp(prefix="bluesky_desktop_"))
    try:
        run_in_desktop(Path(__file__), work, {"BLUESKY_SCREENSHOT": str(out)}, timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_error(out.with_name("error.txt"))
    return 0 if out.exists() else 1


def in_qgis() -> None:
    """Runs inside QGIS (--code): demo → map → run → each tab → county maps → the run_all dialog, chained with
    timers (the event loop is never pumped by hand). Writes the PNGs beside BLUESKY_SCREENSHOT."""
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsPointXY, QgsProject

    out = os.environ["BLUESKY_SCREENSHOT"]
    folder = os.path.dirname(out)
    run = DesktopRun(os.path.join(folder, "error.txt"), max_ticks=4000)  # 400 s
    state, plugin, main, canvas, rendered, later = run.state, run.plugin, run.main, run.canvas, run.rendered, run.later

    def path(name: str) -> str:
        return os.path.join(folder, name)

    def county(adcode: str) -> None:
        admin = plugin.dock.admin_norm
        part = admin[admin["adcode"].astype(str) == adcode]
        xmin, ymin, xmax, ymax = part.total_bounds
        canvas.setCenter(run.to_wgs84_map().transform(QgsPointXY((xmin + xmax) / 2, (ymin + ymax) / 2)))
        canvas.zoomScale(100000)
        canvas.refresh()

    def step() -> None:
        stage = state["stage"]
        if stage == "start":
            state["task"] = run.open_dock().load_demo_data()
            state["stage"] = "demo"
            return
        dock = plugin.dock
        if stage == "demo" and state["task"].done:
            # a metric CRS (CGCS2000 / 3-degree Gauss-Kruger CM 111E): counties keep their shape
            QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4546"))
            run.shanxi()
            dock.output.show()  # before any run: the buttons wait for one
            later(30)
            state["stage"] = "demo_map"
        elif stage == "demo_map" and rendered():
            main.grab().save(path("map_after_demo_load.png"))
            dock.grab().save(path("dock_output_before_run.png"))
            state["task"] = dock.run_analysis()
            state["stage"] = "run"
        elif stage == "run" and state["task"].done:
            root = QgsProject.instance().layerTreeRoot()
            for node in root.children():
                node.setExpanded(node.name().startswith("蓝天管控分析"))
            verdicts = dock.result_layers.get("enterprise_verdicts")
            if verdicts is not None:
                run.iface.layerTreeView().setCurrentLayer(verdicts)
            run.shanxi()
            later(40)
            state["queue"] = list(range(dock.ui.tabs.count()))
            state["stage"] = "tabs"
        elif stage == "tabs" and rendered():
            if state.get("shot_tab") is not None:
                index = state.pop("shot_tab")
                dock.grab().save(path(f"dock_tab{index + 1}.png"))
            if state["queue"]:
                index = state["queue"].pop(0)
                dock.ui.tabs.setCurrentIndex(index)
                state["shot_tab"] = index
                later(5)
            else:
                dock.output.show()
                state["task"] = dock.write_workbook()
                state["stage"] = "workbook"
        elif stage == "workbook" and state["task"].done:
            later(5)
            state["stage"] = "workbook_shot"
        elif stage == "workbook_shot" and rendered():
            dock.grab().save(path("dock_output_after_write.png"))
            dock.results.show()
            later(5)
            state["stage"] = "window"
        elif stage == "window" and rendered():
            main.grab().save(out)
            state["queue"] = list(COUNTIES)
            state["stage"] = "counties"
        elif stage == "counties" and rendered():
            if state.get("shot_county"):
                main.grab().save(path(f"map_county_100k_{state.pop('shot_county')}.png"))
            if state["queue"]:
                adcode, name = state["queue"].pop(0)
                county(adcode)
                state["shot_county"] = name
                later(30)
            else:
                from processing.gui.AlgorithmDialog import AlgorithmDialog

                # as the Toolbox opens it (processing.createAlgorithmDialog would clear every input)
                alg = QgsApplication.processingRegistry().algorithmById("bluesky:run_all").create()
                dialog = AlgorithmDialog(alg, False, main)
                dialog.resize(1300, 980)
                dialog.show()
                state["dialog"] = dialog
                later(20)
                state["stage"] = "dialog"
        elif stage == "dialog" and rendered():
            from qgis.PyQt.QtWidgets import QScrollArea

            dialog = state["dialog"]
            dialog.grab().save(path("run_all_dialog.png"))
            areas = [a for a in dialog.findChildren(QScrollArea) if a.verticalScrollBar().maximum() > 0]
            if areas:
                bar = areas[0].verticalScrollBar()
                bar.setValue(bar.maximum())
            later(10)
            state["stage"] = "dialog_end"
        elif stage == "dialog_end" and rendered():
            state["dialog"].grab().save(path("run_all_dialog_end.png"))
            run.finish()

    run.start(step, globals())


if os.environ.get("BLUESKY_SCREENSHOT") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    sys.exit(launch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
