#!/usr/bin/env python3
"""The user guide's pictures (docs/images/guide_*.png), made from the real QGIS desktop so they stay current.

Run with Debian's python: `python3 scripts/guide_screenshots.py [--atlas out/demo/atlas.pdf]`. It installs the
plugin into a temporary profile (QGIS and the plugin in Simplified Chinese, zh-Hans) and starts
`xvfb-run qgis --code <this file>`; inside QGIS the same file loads the Shanxi demo through the dock, runs the
analysis into the temporary folder, folds it into a ledger (2020-07) on the 进度 tab, and grabs each tab of the dock
at the width analysts keep it, the map with the results, the attribute tables of 企业处置结论 and 需核实, and the
一键完成全部分析 dialog. The atlas pages (overview, a county's map
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
    sys.path.append(str(Path(__file__).resolve().parent))
except NameError:  # exec'd by QGIS's --code: no __file__; the launcher said where the checkout is
    sys.path.append(os.path.join(os.environ["BLUESKY_ROOT"], "scripts"))
from desktop_session import DesktopRun, checkout_root, print_error, run_in_desktop  # noqa: E402

ROOT = checkout_root()
IMAGES = ROOT / "docs" / "images"
MAX_BYTES = 150_000
# tab text (Chinese UI) → picture name
TAB_NAMES = {"数据": "data", "规则": "rules", "分析": "run", "结果": "results", "需核实": "verify", "输出": "output",
             "进度": "ledger", "方案比较": "scenarios"}


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
    shots = work / "shots"
    shots.mkdir()
    run_in_desktop(Path(__file__), work, {"BLUESKY_GUIDE_SHOTS": str(shots)}, timeout=1200)
    print_error(shots / "error.txt")
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
    from qgis.core import QgsCoordinateReferenceSystem, QgsProject

    folder = os.environ["BLUESKY_GUIDE_SHOTS"]
    run = DesktopRun(os.path.join(folder, "error.txt"), max_ticks=9000)  # 900 s
    state, plugin, main, rendered, later = run.state, run.plugin, run.main, run.rendered, run.later

    def path(name: str) -> str:
        return os.path.join(folder, name + ".png")

    def tab_name(index: int) -> str:
        text = plugin.dock.ui.tabs.tabText(index)
        return next((v for k, v in TAB_NAMES.items() if text.startswith(k)), f"tab{index + 1}")

    def table_dialog(name: str):
        layer = plugin.dock.result_layers.get(name)
        dialog = run.iface.showAttributeTable(layer)
        dialog.resize(1500, 560)
        return dialog

    def step() -> None:
        stage = state["stage"]
        if stage == "start":
            dock = run.open_dock()
            dock.ui.outDir.setFilePath(os.path.join(folder, "runs"))  # the runs stay in the temporary folder
            state["task"] = dock.load_demo_data()
            state["stage"] = "demo"
            return
        dock = plugin.dock
        if stage == "demo" and state["task"].done:
            QgsProject.instance().setCrs(QgsCoordinateReferenceSystem("EPSG:4546"))
            run.shanxi()
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
            # the 进度 tab with a month in its ledger (the one it offers beside the runs)
            dock.progress.new_month.setText("2020-07")
            state["task"] = dock.progress.update_ledger()
            state["stage"] = "ledger"
        elif stage == "ledger" and state["task"].done:
            root = QgsProject.instance().layerTreeRoot()
            for node in root.children():
                node.setExpanded(node.name().startswith("蓝天管控分析"))
            run.shanxi()
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
            import processing

            dialog = processing.createAlgorithmDialog("bluesky:run_all")
            dialog.resize(1200, 820)
            dialog.show()
            state["dialog"] = dialog
            later(20)
            state["stage"] = "run_all_dialog"
        elif stage == "run_all_dialog" and rendered():
            state["dialog"].grab().save(path("run_all_dialog"))
            state["dialog"].close()
            run.finish()

    run.start(step, globals())


if os.environ.get("BLUESKY_GUIDE_SHOTS") and "qgis.utils" in sys.modules:
    in_qgis()
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, default=ROOT / "out" / "demo" / "atlas.pdf",
                        help="the atlas PDF whose pages the guide shows (scripts/demo.py writes it)")
    sys.exit(launch(parser.parse_args().atlas))
