#!/usr/bin/env python3
"""Screenshots of `bluesky:compare_scenarios` in the real desktop (Xvfb, Chinese): its dialog, and the compare.gpkg
it writes on the Shanxi demo (the CHP heating radius at 20 km instead of 15) drawn over the counties.

Run with Debian's python: `python3 scripts/compare_screenshot.py [out.png]` (default out/screenshots/compare.png).
Outside QGIS it makes the demo and its compare.gpkg with the QGIS-free stages (as scripts/demo_counts.py reads the
demo); inside QGIS (--code) the same file opens the algorithm's dialog as the Toolbox does (compare_dialog.png),
then loads zone_changes and scenario_changes styled as the dock styles them, zooms to 太原 and saves the main
window (out.png) and the attribute table of the changes (compare_table.png).
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

DEFAULT_OUT = checkout_root() / "out" / "screenshots" / "compare.png"
VARIANT = "chp_radius_km=20"
TAIYUAN = (112.2, 37.55, 113.0, 38.1)  # lon/lat of the map


def make_compare(work: Path) -> Path:
    """The demo's compare.gpkg for VARIANT, made with the venv's stack (a subprocess: Debian's python has no
    geopandas)."""
    code = f"""
import sys
sys.path.insert(0, {str(checkout_root() / '.build' / 'pkg')!r})
import pyogrio
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
from bluesky_zoning.analysis.pipeline import prepare_admin
from bluesky_zoning.analysis.plan.rules import load_rules
from bluesky_zoning.analysis.scenarios.compare import compare_results, write_comparison
from bluesky_zoning.analysis.scenarios.session import ScenarioSession
from bluesky_zoning.demo.data import ensure_demo_data
d = ensure_demo_data({str(work / 'demo')!r})
admin = prepare_admin(pyogrio.read_dataframe(d.admin_gpkg, layer='counties'), 'counties')
lists = {{'boilers': 'boiler', 'mines': 'mine', 'plants': 'plant', 'chp': 'chp'}}
tables = {{k: enterprises_from_table(read_table(getattr(d, n)), k, coord_system=d.coord_systems[n], layer_name=n)
          for n, k in lists.items()}}
s = ScenarioSession(admin, d.builtup_tif, tables, tables['chp'], load_rules())
spec = s.parse({VARIANT!r})
c = compare_results(s.base, s.run(spec), spec)
write_comparison(c, {str(work / 'compare.gpkg')!r})
open({str(work / 'admin_path.txt')!r}, 'w').write(str(d.admin_gpkg))
print(c.totals())
"""
    import subprocess

    subprocess.run([str(checkout_root() / ".venv" / "bin" / "python"), "-c", code], check=True)
    return work / "compare.gpkg"


def launch(out: Path) -> int:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    work = Path(tempfile.mkdtemp(prefix="bluesky_compare_"))
    try:
        compare = make_compare(work)
        run_in_desktop(Path(__file__), work, {"BLUESKY_COMPARE_SHOT": str(out), "BLUESKY_COMPARE_GPKG": str(compare),
                                              "BLUESKY_COMPARE_ADMIN": (work / "admin_path.txt").read_text()},
                       timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_error(out.with_name("error.txt"))
    return 0 if out.exists() else 1


def in_qgis() -> None:
    from qgis.core import QgsApplication, QgsProject, QgsRectangle, QgsVectorLayer

    out = os.environ["BLUESKY_COMPARE_SHOT"]
    folder = os.path.dirname(out)
    run = DesktopRun(os.path.join(folder, "error.txt"), max_ticks=1500)
    state, main, canvas, rendered, later = run.state, run.main, run.canvas, run.rendered, run.later

    def step() -> None:
        stage = state["stage"]
        if stage == "start":
            from processing.gui.AlgorithmDialog import AlgorithmDialog

            alg = QgsApplication.processingRegistry().algorithmById("bluesky:compare_scenarios").create()
            dialog = AlgorithmDialog(alg, False, main)
            dialog.resize(1300, 980)
            dialog.show()
            state["dialog"] = dialog
            later(20)
            state["stage"] = "dialog"
        elif stage == "dialog" and rendered():
            from qgis.PyQt.QtWidgets import QScrollArea

            dialog = state["dialog"]
            dialog.grab().save(os.path.join(folder, "compare_dialog.png"))
            for area in [a for a in dialog.findChildren(QScrollArea) if a.verticalScrollBar().maximum() > 0]:
                area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
            later(10)
            state["stage"] = "dialog_end"
        elif stage == "dialog_end" and rendered():
            state["dialog"].grab().save(os.path.join(folder, "compare_dialog_end.png"))
            state["dialog"].close()
            from bluesky_zoning.layers.styling import set_output_aliases, style_scenario_changes

            gpkg, admin = os.environ["BLUESKY_COMPARE_GPKG"], os.environ["BLUESKY_COMPARE_ADMIN"]
            counties = QgsVectorLayer(f"{admin}|layername=counties", "县区", "ogr")
            zones = QgsVectorLayer(f"{gpkg}|layername=zone_changes", "管控分区变化", "ogr")
            changes = QgsVectorLayer(f"{gpkg}|layername=scenario_changes", "方案变化", "ogr")
            from qgis.core import QgsFillSymbol, QgsSingleSymbolRenderer

            counties.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
                {"color": "245,245,245,255", "outline_color": "120,120,120", "outline_width": "0.3"})))
            zones.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
                {"color": "255,127,0,60", "outline_color": "255,127,0", "outline_width": "0.4"})))
            set_output_aliases(zones)
            style_scenario_changes(changes)
            for layer in (counties, zones, changes):
                QgsProject.instance().addMapLayer(layer)
            state["changes"] = changes
            later(10)
            state["stage"] = "zoom"
        elif stage == "zoom" and rendered():
            canvas.setExtent(run.to_wgs84_map().transformBoundingBox(QgsRectangle(*TAIYUAN)))
            canvas.refresh()
            later(40)
            state["stage"] = "map"
        elif stage == "map" and rendered():
            main.grab().save(out)
            table = run.iface.showAttributeTable(state["changes"])
            state["table"] = table
            later(20)
            state["stage"] = "table"
        elif stage == "table" and rendered():
            table = state["table"]
            (table.window() if table is not None else main).grab().save(os.path.join(folder, "compare_table.png"))
            run.finish()

    run.start(step, globals())


if os.environ.get("BLUESKY_COMPARE_SHOT") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    sys.exit(launch(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
