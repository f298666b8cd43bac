"""The demo atlas printed wherever an analyst prints it: from the dock and from the Toolbox in the real QGIS
desktop (under Xvfb, the plugin installed as users install it), and from `qgis_process`. Each PDF has its county
pages with names and table rows, and drawn maps, not white pages."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
from desktop_run import profile_dir, use_chinese_locale
from pdf_pages import assert_atlas_drawn
from test_qgis_process import QGIS_PROCESS, _env

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("desktop") / "print_atlas_in_desktop.py"
MIN_PAGES = 1 + 117  # the overview and a map page per county of Shanxi


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A QGIS profile with the plugin installed (`make install`'s copy), in Chinese, and the demo's inputs."""
    from bluesky_zoning.demo.data import ensure_demo_data

    root = tmp_path_factory.mktemp("atlas_everywhere")
    profile = profile_dir(root)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)],
                   check=True, capture_output=True)
    use_chinese_locale(profile)
    ensure_demo_data(root / "demo")
    return root


def _county_and_enterprise_names(flags_gpkg: Path):
    flags = pyogrio.read_dataframe(flags_gpkg, layer="enterprise_flags", read_geometry=False)
    return sorted(set(flags["county"])), list(flags["name"])


def test_desktop_prints_the_demo_atlas_from_the_dock_and_the_toolbox(installed):
    import json

    report_path = installed / "atlas_report.json"
    runs, toolbox_pdf = installed / "runs", installed / "toolbox" / "图集.pdf"
    env = dict(os.environ, BLUESKY_DESKTOP_REPORT=str(report_path), BLUESKY_DEMO_CACHE=str(installed / "demo"),
               BLUESKY_RUNS=str(runs), BLUESKY_TOOLBOX_PDF=str(toolbox_pdf))
    env.pop("QT_QPA_PLATFORM", None)  # the real desktop draws on the Xvfb screen
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(installed),
           "--profile", "default", "--nologo", "--noversioncheck", "--code", str(SCRIPT)]
    proc = subprocess.run(cmd, env=env, timeout=1800, capture_output=True)
    assert report_path.exists(), proc.stderr.decode(errors="replace")[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert "error" not in report, report.get("traceback") or report
    assert report.get("done"), report
    assert report["dock_atlas"]["ok"], report
    assert report["toolbox_atlas"]["ok"], report
    assert not [line for line in report["log"] if "startTimer" in line], report["log"][:3]
    flags = Path(report["dock_run"]["flags"])
    counties, names = _county_and_enterprise_names(flags)
    dock_pdf = Path(report["dock_atlas"]["result"])
    assert dock_pdf == flags.parent / "atlas.pdf" and "图集" in report["dock_atlas"]["status"]
    pages = assert_atlas_drawn(dock_pdf, counties, names, MIN_PAGES)
    assert assert_atlas_drawn(toolbox_pdf, counties, names, MIN_PAGES) == pages
    assert report["toolbox_atlas"]["results"]["PAGES"] == str(pages)


def test_qgis_process_prints_the_demo_atlas(installed, tmp_path):
    """A run with `qgis_process` (run_all on the demo's boilers and mines), then print_atlas the same way."""
    from bluesky_zoning.demo.data import ensure_demo_data

    demo = ensure_demo_data(installed / "demo")
    env = _env(installed)

    def run(args):
        proc = subprocess.run([QGIS_PROCESS, "run"] + args, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc

    boilers = tmp_path / "boilers.gpkg"
    run(["bluesky:import_list", "--", f"INPUT={demo.boilers}", "KIND=0", "COORD_SYSTEM=2", f"OUTPUT={boilers}"])
    out = tmp_path / "out"
    run(["bluesky:run_all", "--", f"ADMIN={demo.admin_gpkg}|layername=counties", f"BUILTUP={demo.builtup_tif}",
         f"BOILERS={boilers}", f"OUTPUT_DIR={out}"])
    pdf = tmp_path / "图集.pdf"
    proc = run(["bluesky:print_atlas", "--", f"ZONES_GPKG={out / 'zones.gpkg'}", f"FLAGS_GPKG={out / 'flags.gpkg'}",
                f"ADMIN={out / 'admin.gpkg'}", f"OUTPUT_PDF={pdf}"])
    counties, names = _county_and_enterprise_names(out / "flags.gpkg")
    pages = assert_atlas_drawn(pdf, counties, names, MIN_PAGES)
    assert f"PAGES:\t{pages}" in proc.stdout or f"PAGES: {pages}" in proc.stdout, proc.stdout[-1500:]
