#!/usr/bin/env python3
"""The user guide's pictures (docs/images/guide_*.png), made from the real QGIS desktop so they stay current.

Run with Debian's python: `python3 scripts/guide_screenshots.py [--atlas out/demo/atlas.pdf]`. It installs the
plugin into a temporary profile (locale zh_CN) and starts `xvfb-run qgis --code <this file>`; inside QGIS the
same file loads the Shanxi demo through the dock, runs the analysis, and grabs each tab of the dock, the map
with the results and the attribute tables of 企业处置结论 and 需核实. The atlas pages (overview, a county's map
page, its table-only continuation page) are rendered from the atlas PDF with pdftoppm. Every picture is scaled
down and reduced to 256 colours, so each stays small (≤ 150 KB) in the repository.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    ROOT = Path(__file__).resolve().parents[1]
except NameError:  # exec'd by QGIS's --code
    ROOT = Path.cwd()
IMAGES = ROOT / "docs" / "images"
MAX_BYTES = 150_000
DOCK_WIDTH = 560
# tab text (Chinese UI) → picture name
TAB_NAMES = {"数据": "data", "规则": "rules", "分析": "run", "结果": "results", "需核实": "verify", "输出": "output",
             "进度": "ledger"}


# --------------------------------------------------------------------------- outside QGIS


def shrink(src: Path, dest: Path, width: int) -> Path:
    """``src`` scaled to ``width`` px (never up) and reduced to a 256-colour PNG at ``dest``, ≤ MAX_BYTES."""
    from PIL import Image

    image = Image.open(src).convert("RGB")
    while True:
        w = min(width, image.width)
        small = image.resize((w, round(image.height * w / image.width)), Image.LANCZOS) if w < image.width else image
        small.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(dest, optimize=True)
        if dest.stat().st_size <= MAX_BYTES or width < 400:
            return dest
        width = int(width * 0.85)


def atlas_pages(pdf: Path, work: Path) -> None:
    """Overview page, the map page of the first county whose table runs on, and that table-only page."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    table_page = next(i for i, page in enumerate(pages, start=1) if re.search(r"（续1）", page))
    for number, name in ((1, "overview"), (table_page - 1, "map_page"), (table_page, "table_page")):
        stem = work / f"atlas_{name}"
        subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "90", "-png", "-singlefile",
                        str(pdf), str(stem)], check=True)
        shrink(stem.with_suffix(".png"), IMAGES / f"guide_atlas_{name}.png", 1400)


def launch(atlas: Path | None) -> int:
    work = Path(tempfile.mkdtemp(prefix="bluesky_guide_"))
    profile = work / "profiles" / "profiles" / "default"
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)],
                   check=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + "\n[locale]\nuserLocale=zh_CN\noverrideFlag=true\n"
                   "\n[qgis]\nshowTips=false\ncheckVersion=false\n", encoding="utf-8")
    shots = work / "shots"
    shots.mkdir()
    env = dict(os.environ, BLUESKY_GUIDE_SHOTS=str(shots))
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(work / "profiles"),
           "--profile", "default", "--nologo", "--noversioncheck", "--code", str(Path(__file__).resolve())]
    subprocess.run(cmd, env=env, timeout=1200)
    if (shots / "error.txt").exists():
        print((shots / "error.txt").read_text(encoding="utf-8"), file=sys.stderr)
    IMAGES.mkdir(parents=True, exist_ok=True)
    made = sorted(shots.glob("*.png"))
    for png in made:
        shrink(png, IMAGES / f"guide_{png.stem}.png", 1000 if png.stem.startswith("dock") else 1400)
    if atlas is not None and atlas.exists():
        atlas_pages(atlas, work)
    shutil.rmtree(work, ignore_errors=True)
    for png in sorted(IMAGES.glob("guide_*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KB")
    return 0 if made else 1


# --------------------------------------------------------------------------- inside QGIS


def in_qgis() -> None:
    """Demo → run → each tab → map → attribute tables, chained with timers; PNGs into BLUESKY_GUIDE_SHOTS."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsProject,
        QgsRectangle,
    )
    from qgis.PyQt.QtCore import Qt, QTimer
    from qgis.utils import iface, plugins

    folder = os.environ["BLUESKY_GUIDE_SHOTS"]
    state = {"stage": "start", "task": None, "ticks": 0, "wait": 0, "queue": []}
    plugin = plugins.get("bluesky_zoning")
    main = iface.mainWindow()
    main.resize(1600, 1000)
    main.showMaximized()
    canvas = iface.mapCanvas()

    def path(name: str) -> str:
        return os.path.join(folder, name + ".png")

    def rendered() -> bool:
        return state["ticks"] > state["wait"] and not canvas.isDrawing()

    def later(ticks: int) -> None:
        state["wait"] = state["ticks"] + ticks

    def shanxi() -> None:
        wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
        rect = QgsCoordinateTransform(wgs84, canvas.mapSettings().destinationCrs(), QgsProject.instance()
                                      ).transformBoundingBox(QgsRectangle(110.1, 34.5, 114.6, 40.8))
        canvas.setExtent(rect)
        canvas.refresh()

    def tab_name(index: int) -> str:
        text = plugin.dock.ui.tabs.tabText(index)
        return next((v for k, v in TAB_NAMES.items() if text.startswith(k)), f"tab{index + 1}")

    def table_dialog(name: str):
        layer = plugin.dock.result_layers.get(name)
        dialog = iface.showAttributeTable(layer)
        dialog.resize(1500, 560)
        return dialog

    def tick() -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 - never leave a hidden desktop waiting on an error dialog
            import traceback

            with open(os.path.join(folder, "error.txt"), "w", encoding="utf-8") as f:
                f.write(traceback.format_exc())
            os._exit(3)

    def step() -> None:
        state["ticks"] += 1
        if state["ticks"] > 9000:  # 900 s
            os._exit(2)
        stage = state["stage"]
        if stage == "start":
            plugin.show_dock()
        dock = plugin.dock
        if stage == "start":
            main.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
            state["task"] = dock.load_demo_data()
            state["stage"] = "demo"
        elif stage == "demo" and state["task"].done:
            QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4546"))
            shanxi()
            dock.ui.tabs.setCurrentIndex(0)
            later(30)
            state["stage"] = "before_run"
        elif stage == "before_run" and rendered():
            dock.grab().save(path("dock_data"))
            dock.ui.tabs.setCurrentIndex(1)
            later(5)
            state["stage"] = "rules"
        elif stage == "rules" and rendered():
            dock.grab().save(path("dock_rules"))
            state["task"] = dock.run_analysis()
            state["stage"] = "run"
        elif stage == "run" and state["task"].done:
            root = QgsProject.instance().layerTreeRoot()
            for node in root.children():
                node.setExpanded(node.name().startswith("蓝天管控分析"))
            shanxi()
            later(40)
            state["queue"] = list(range(dock.ui.tabs.count()))
            state["stage"] = "tabs"
        elif stage == "tabs" and rendered():
            if state.get("shot_tab") is not None:
                index = state.pop("shot_tab")
                dock.grab().save(path(f"dock_{tab_name(index)}"))
                if tab_name(index) == "results":
                    main.grab().save(path("map_results"))
            if state["queue"]:
                index = state["queue"].pop(0)
                dock.ui.tabs.setCurrentIndex(index)
                state["shot_tab"] = index
                later(8)
            else:
                state["dialog"] = table_dialog("enterprise_verdicts")
                later(20)
                state["stage"] = "verdict_table"
        elif stage == "verdict_table" and rendered():
            state["dialog"].grab().save(path("attribute_table_verdicts"))
            state["dialog"].close()
            state["dialog"] = table_dialog("to_verify")
            later(20)
            state["stage"] = "verify_table"
        elif stage == "verify_table" and rendered():
            state["dialog"].grab().save(path("attribute_table_verify"))
            state["dialog"].close()
            state["stage"] = "done"
            QTimer.singleShot(500, lambda: os._exit(0))

    timer = QTimer(main)
    timer.timeout.connect(tick)
    timer.start(100)
    state["timer"] = timer
    globals()["_bluesky_guide_state"] = state


if os.environ.get("BLUESKY_GUIDE_SHOTS") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, default=ROOT / "out" / "demo" / "atlas.pdf",
                        help="the atlas PDF whose pages the guide shows (scripts/demo.py writes it)")
    sys.exit(launch(parser.parse_args().atlas))
