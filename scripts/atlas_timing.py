"""Time the meeting atlas on a finished run (default: out/demo from `make demo`): export_atlas on its zones.gpkg,
flags.gpkg and admin.gpkg into a temporary folder, the seconds and pages printed; ``--profile`` prints a cProfile
summary (cumulative and own time) of the same call; ``--compare`` adds a compare.gpkg's pages.

    .venv/bin/python scripts/atlas_timing.py [--run out/demo] [--profile] [--keep out/atlas.pdf]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", default=str(ROOT / "out" / "demo"), help="a run folder (zones, flags, admin .gpkg)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary")
    ap.add_argument("--keep", help="copy the PDF here")
    ap.add_argument("--compare", help="a compare.gpkg (scenario comparison pages)")
    ap.add_argument("--ledger", help="a ledger GeoPackage (progress per page)")
    ap.add_argument("--top", type=int, default=35)
    a = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT / ".build" / "pkg"))
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from bluesky_zoning.layers.atlas.export import export_atlas

    run = Path(a.run)
    kwargs = {"ledger": a.ledger} if a.ledger else {}
    if a.compare:
        kwargs["compare"] = a.compare
    with tempfile.TemporaryDirectory(prefix="atlas-timing-") as tmp:
        pdf = Path(tmp) / "atlas.pdf"
        profiler = cProfile.Profile() if a.profile else None
        t, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = export_atlas(run / "zones.gpkg", run / "flags.gpkg", run / "admin.gpkg", pdf, **kwargs)
        if profiler:
            profiler.disable()
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        # the CPU seconds say what the atlas costs when the machine is shared (the wall clock then waits)
        print(f"atlas: {took:.1f} s ({cpu:.1f} s CPU), {result.pages} pages, {pdf.stat().st_size / 1e6:.1f} MB",
              flush=True)
        if profiler:
            for key in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(a.top)
                print(out.getvalue())
        if a.keep:
            shutil.copy(pdf, a.keep)
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
