#!/usr/bin/env python3
"""The 方案比较 tab in the real desktop (Xvfb, Chinese): demo → run → the heating radius moved to 20 km.

Run with Debian's python: `python3 scripts/scenario_screenshot.py [out.png]` (default out/screenshots/scenario.png).
Inside QGIS (--code) the same file loads the demo through the dock, runs the analysis, opens the 方案比较 tab, sets
the radius to 20 km as an analyst would (the spin box's value), waits for the counts, zooms the map to the changed
enterprises and saves the main window (out.png) and the dock alone (scenario_dock.png), then the city with the
most changes (scenario_city.png). It prints the time from the
value change to the redrawn counts, as the tab measured it.
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

DEFAULT_OUT = checkout_root() / "out" / "screenshots" / "scenario.png"
RADIUS_KM = 20


def launch(out: Path) -> int:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    work = Path(tempfile.mkdtemp(prefix="bluesky_scenario_"))
    try:
        run_in_desktop(Path(__file__), work, {"BLUESKY_SCENARIO_SHOT": str(out)}, timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_error(out.with_name("error.txt"))
    timing = out.with_name("scenario_timing.txt")
    if timing.exists():
        print(timing.read_text(encoding="utf-8").strip())
    return 0 if out.exists() else 1


def in_qgis() -> None:
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    out = os.environ["BLUESKY_SCENARIO_SHOT"]
    folder = os.path.dirname(out)
    run = DesktopRun(os.path.join(folder, "error.txt"), max_ticks=4000)
    state, plugin, main, canvas, rendered, later = run.state, run.plugin, run.main, run.canvas, run.rendered, run.later

    def step() -> None:
        stage = state["stage"]
        if stage == "start":
            state["task"] = run.open_dock().load_demo_data()
            state["stage"] = "demo"
            return
        dock = plugin.dock
        panel = dock.scenarios
        if stage == "demo" and state["task"].done:
            QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4546"))
            state["task"] = dock.run_analysis()
            state["stage"] = "run"
        elif stage == "run" and state["task"].done and panel.session is not None:
            panel.show()
            panel.spins["chp_radius_km"].setValue(RADIUS_KM)
            state["stage"] = "compare"
        elif stage == "compare" and panel.comparison is not None and not panel.timer.isActive() and \
                (panel.task is None or panel.task.done):
            layer = panel.layers["changes"]
            extent = run.to_wgs84_map().transformBoundingBox(layer.extent())
            extent.scale(1.3)
            canvas.setExtent(extent)
            canvas.refresh()
            later(40)
            state["stage"] = "shot"
        elif stage == "shot" and rendered():
            main.grab().save(out)
            dock.grab().save(os.path.join(folder, "scenario_dock.png"))
            # then the city with the most changes, close enough to read the marks against the rings
            changes = panel.comparison.changes
            city = changes["city"].value_counts().index[0]
            xmin, ymin, xmax, ymax = changes[changes["city"] == city].total_bounds
            from qgis.core import QgsRectangle

            box = run.to_wgs84_map().transformBoundingBox(QgsRectangle(xmin, ymin, xmax, ymax))
            box.scale(1.4)
            canvas.setExtent(box)
            canvas.refresh()
            state["city"] = city
            later(40)
            state["stage"] = "city"
        elif stage == "city" and rendered():
            main.grab().save(os.path.join(folder, "scenario_city.png"))
            totals = panel.comparison.totals()
            with open(os.path.join(folder, "scenario_timing.txt"), "w", encoding="utf-8") as f:
                f.write(f"chp_radius_km 15 → {RADIUS_KM}: 新增 {totals['新增']}, 解除 {totals['解除']}, "
                        f"措施变化 {totals['措施变化']}; value change → counts redrawn {panel.last_seconds:.2f} s; "
                        f"city map {state['city']} at 1:{canvas.scale():,.0f}\n")
            run.finish()

    run.start(step, globals())


if os.environ.get("BLUESKY_SCENARIO_SHOT") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    sys.exit(launch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
