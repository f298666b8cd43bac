#!/usr/bin/env python3
"""The demo's numbers without QGIS, to compare two Python stacks (`make test-winstack`: the Windows installers'
stack against the host venv): per month, the rows read, the hits per rule, the verdicts, the rows to verify.

Makes (or reuses) the demo data in DIR (default .build/demo-counts/py<X.Y>-pandas<N>, so each stack makes its own
with the fixed seeds) and judges it as `bluesky:import_list` + `bluesky:run_all` do, with the QGIS-free stages:
each list read as a table and converted from its coordinate system, the county layer normalised, the built-up
raster thresholded. Prints only the numbers on stdout (the versions go to stderr), so two runs can be diffed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402

# DemoData attribute → layer kind; layer names as scripts/demo.py imports them (the village ids use it).
LISTS = {"boilers": ("boiler", "boilers"), "mines": ("mine", "mines"), "plants": ("plant", "plants"),
         "chp": ("chp", "chp"), "villages": ("village", "村庄清单")}


def month_counts(data, month: str, ruleset) -> list:
    import pyogrio
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
    from bluesky_zoning.analysis.pipeline import prepare_admin, run_analysis

    admin = prepare_admin(pyogrio.read_dataframe(data.admin_gpkg, layer=data.admin_layers[0]), "counties")
    tables = {kind: enterprises_from_table(read_table(getattr(data, key)), kind,
                                           coord_system=data.coord_systems[key], layer_name=name)
              for key, (kind, name) in LISTS.items()}
    res = run_analysis(admin, data.builtup_tif, tables, tables["chp"], ruleset)
    lines = [f"{month} rows {kind} {len(t.gdf)}" for kind, t in tables.items()]
    lines += [f"{month} rule {rule} {n}" for rule, n in sorted(res.flags.groupby("rule_id").size().items())]
    lines += [f"{month} verdict {v} {n}" for v, n in sorted(res.verdicts.groupby("verdict").size().items())]
    lines += [f"{month} {key} {n}" for key, n in res.counts_by_kind().items()]  # TO_VERIFY: rows to verify
    return lines


def main(argv: list) -> int:
    link_package()
    import numpy
    import pandas
    from bluesky_zoning.analysis.plan.rules import load_rules
    from bluesky_zoning.demo.data import FIRST_MONTH, SECOND_MONTH, ensure_demo_data, ensure_second_month

    tag = f"py{sys.version_info[0]}.{sys.version_info[1]}-pandas{pandas.__version__.split('.')[0]}"
    cache = Path(argv[0]) if argv else ROOT / ".build" / "demo-counts" / tag
    print(f"== demo counts: Python {sys.version.split()[0]}, numpy {numpy.__version__}, pandas {pandas.__version__}"
          f" ({cache})", file=sys.stderr)
    start = time.monotonic()
    first = ensure_demo_data(cache)
    second = ensure_second_month(first)
    ruleset = load_rules()
    for month, data in ((FIRST_MONTH, first), (SECOND_MONTH, second)):
        print("\n".join(month_counts(data, month, ruleset)), flush=True)
    print(f"== demo counts done in {time.monotonic() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
