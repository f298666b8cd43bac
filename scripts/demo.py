#!/usr/bin/env python3
"""`make demo`: the main job on the embedded Shanxi demo data, headless, through the plugin's own algorithms.

Generates (or reuses) the demo inputs in .cache/demo, imports the four enterprise lists with
`bluesky:import_list` (the boiler list is GCJ-02), then runs `bluesky:run_all` into out/demo with every
output: zones.gpkg, flags.gpkg, counties/*.zip, atlas.pdf, summary.xlsx, demo.qgz. Prints the counts and the
wall time.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402


def _start_qgis():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", str(ROOT / ".build" / "qgis-profile"))
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append(os.path.join(app.pkgDataPath(), "python", "plugins"))
    from processing.core.Processing import Processing

    Processing.initialize()
    from bluesky_zoning.provider.provider import BlueSkyProvider

    provider = BlueSkyProvider()
    app.processingRegistry().addProvider(provider)
    return app, provider


def main() -> int:
    started = time.perf_counter()
    link_package()
    from bluesky_zoning.analysis.demo_data import describe_demo, ensure_demo_data
    from bluesky_zoning.analysis.errors import DemoPackageError

    try:
        data = ensure_demo_data(ROOT / ".cache" / "demo")
    except DemoPackageError as exc:  # the demo's own package is missing: the message says how to install it
        print(exc, file=sys.stderr)
        return 2
    print("== demo inputs (" + str(data.root) + ")")
    print(describe_demo(data))
    out_dir = ROOT / "out" / "demo"
    inputs_dir = out_dir / "inputs"
    inputs_dir.mkdir(parents=True, exist_ok=True)

    app, _provider = _start_qgis()
    import processing
    from qgis.core import QgsProcessingFeedback

    class PrintFeedback(QgsProcessingFeedback):
        """Shows the algorithm's step names on the terminal."""

        def setProgressText(self, text):  # noqa: N802 - QGIS API name
            print("   ", text, flush=True)

        def reportError(self, error, fatalError=False):  # noqa: N802, N803 - QGIS API names
            print("   ERROR:", error, flush=True)

    feedback = PrintFeedback()
    from bluesky_zoning.provider.algorithms.import_list import COORD_SYSTEMS, KINDS

    layers = {}
    for kind, key in (("boiler", "boilers"), ("mine", "mines"), ("plant", "plants"), ("chp", "chp")):
        res = processing.run("bluesky:import_list", {
            "INPUT": str(getattr(data, key)),
            "KIND": KINDS.index(kind),  # enum parameters take the option's index
            "COORD_SYSTEM": COORD_SYSTEMS.index(data.coord_systems[key]),
            "OUTPUT": str(inputs_dir / f"{key}.gpkg"),
        }, feedback=feedback)
        layers[key] = res["OUTPUT"]
    print(f"== imported lists into {inputs_dir}")
    res = processing.run("bluesky:run_all", {
        "ADMIN": f"{data.admin_gpkg}|layername=counties",
        "BUILTUP": str(data.builtup_tif),
        "BOILERS": layers["boilers"],
        "MINES": layers["mines"],
        "PLANTS": layers["plants"],
        "CHP": layers["chp"],
        "EXPORT_PACKAGES": True,
        "PRINT_ATLAS": True,
        "WRITE_WORKBOOK": True,
        "SAVE_PROJECT": True,
        "OUTPUT_DIR": str(out_dir),
    }, feedback=feedback)

    import pyogrio

    flags = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    to_verify = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="to_verify", read_geometry=False)
    verdicts = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="enterprise_verdicts", read_geometry=False)
    print("== rule hits per rule")
    for rule_id, count in flags["rule_id"].value_counts().sort_index().items():
        print(f"   {rule_id:<12} {count:>6}")
    print(f"== enterprises flagged: {len(verdicts)}; rule hits: {len(flags)}; to verify (需核实): {len(to_verify)}")
    if "verdict_class" in verdicts.columns:
        print("== enterprises per verdict class")
        for cls, count in verdicts["verdict_class"].value_counts().items():
            print(f"   {cls:<12} {count:>6}")
    for key in ("ZONES", "FLAGS_GPKG", "PACKAGES_DIR", "ATLAS", "WORKBOOK", "PROJECT"):
        if key in res:
            print(f"   {key:<12} {res[key]}")
    zips = sorted((out_dir / "counties").glob("*.zip"))
    atlas = out_dir / "atlas.pdf"
    print(f"== {len(zips)} county packages in {out_dir / 'counties'}"
          + (f"; atlas {atlas.stat().st_size / 1e6:.1f} MB" if atlas.exists() else ""))
    print(f"== wall time {time.perf_counter() - started:.1f} s")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
