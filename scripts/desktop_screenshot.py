#!/usr/bin/env python3
"""Screenshot of the real QGIS desktop (Xvfb) with the dock open and the Shanxi demo results, in Chinese.

Run with Debian's python: `python3 scripts/desktop_screenshot.py [out.png]`. It installs the plugin into a
temporary profile (locale zh_CN), starts `xvfb-run qgis --code <this file>`; inside QGIS the same file
opens the dock, loads the demo through the dock's link, runs the analysis in its task, waits for the
result group, zooms to Shanxi and saves the main window to the PNG.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    ROOT = Path(__file__).resolve().parents[1]
except NameError:  # exec'd by QGIS's --code: no __file__, and ROOT is not needed there
    ROOT = Path.cwd()
DEFAULT_OUT = ROOT / "out" / "screenshots" / "desktop_dock.png"


def launch(out: Path) -> int:
    profiles = Path(tempfile.mkdtemp(prefix="bluesky_desktop_"))
    profile = profiles / "profiles" / "default"
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)], check=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + "\n[locale]\nuserLocale=zh_CN\noverrideFlag=true\n"
                   "\n[qgis]\nshowTips=false\ncheckVersion=false\n", encoding="utf-8")
    env = dict(os.environ, BLUESKY_SCREENSHOT=str(out))
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(profiles),
           "--profile", "default", "--nologo", "--noversioncheck", "--code", str(Path(__file__).resolve())]
    subprocess.run(cmd, env=env, timeout=400)
    return 0 if out.exists() else 1


def in_qgis() -> None:
    """Runs inside QGIS (--code): chain demo → run → screenshot with timers; the event loop is never pumped by hand."""
    from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsProject, QgsRectangle
    from qgis.PyQt.QtCore import QTimer
    from qgis.utils import iface, plugins

    out = os.environ["BLUESKY_SCREENSHOT"]
    state = {"stage": "start", "task": None, "ticks": 0}
    plugin = plugins.get("bluesky_zoning")
    main = iface.mainWindow()
    main.resize(1600, 1000)
    main.showMaximized()

    def tick() -> None:
        state["ticks"] += 1
        if state["ticks"] > 3000:  # 300 s
            QgsApplication.exit(2)
        stage = state["stage"]
        if stage == "start":
            plugin.show_dock()
            QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
            state["task"] = plugin.dock.load_demo_data()
            state["stage"] = "demo"
        elif stage == "demo" and state["task"].done:
            state["task"] = plugin.dock.run_analysis()
            state["stage"] = "run"
        elif stage == "run" and state["task"].done:
            dock = plugin.dock
            # hide the raw input points so the verdict colours show; keep the built-up raster under the zones
            root = QgsProject.instance().layerTreeRoot()
            for layer in QgsProject.instance().mapLayers().values():
                node = root.findLayer(layer.id())
                if node is not None and node.parent() is root and layer.type() == 0 and layer.geometryType() == 0:
                    node.setItemVisibilityChecked(False)
            from qgis.core import QgsCoordinateTransform

            canvas = iface.mapCanvas()
            wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
            rect = QgsCoordinateTransform(wgs84, canvas.mapSettings().destinationCrs(), QgsProject.instance()
                                          ).transformBoundingBox(QgsRectangle(110.1, 34.5, 114.6, 40.8))
            canvas.setExtent(rect)
            canvas.refresh()
            for node in root.children():
                node.setExpanded(node.name().startswith("蓝天管控分析"))
            verdicts = getattr(dock, "result_layers", {}).get("enterprise_verdicts")
            if verdicts is not None:
                iface.layerTreeView().setCurrentLayer(verdicts)
            dock.ui.tabs.setCurrentIndex(3)
            state["stage"] = "render"
            state["wait"] = state["ticks"] + 60
        elif stage == "render" and state["ticks"] > state["wait"] and not iface.mapCanvas().isDrawing():
            main.grab().save(out)
            state["stage"] = "done"
            QTimer.singleShot(500, lambda: os._exit(0))

    timer = QTimer(main)
    timer.timeout.connect(tick)
    timer.start(100)
    state["timer"] = timer
    globals()["_bluesky_screenshot_state"] = state


if os.environ.get("BLUESKY_SCREENSHOT") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    sys.exit(launch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
