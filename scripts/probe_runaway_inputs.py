#!/usr/bin/env python3
"""Probe the runaway inputs of issue 20, item 4, at full size, through the plugin's real entries.

Builds in a temporary folder:
  1. a 33 KB rules file of nested YAML anchors and aliases ("billion laughs");
  2. the shipped rules file with rule B-35's reason set to ``{capacity_tph:>20000000}``;
  3. an .xlsx of 10,000,000 rows whose sheet XML inflates to about 2.1 GB (written streaming into a
     ZIP_DEFLATED zip: a few MB on disk), with the ``<dimension>`` Excel writes;
  4. the same workbook without a ``<dimension>`` (only the sheet's unzipped size tells);
  5. a workbook of 9,000,000 such rows without a ``<dimension>`` (1.9 GB: under the byte limit, so the rows
     are counted, streaming, until the count passes the limit).
and runs each in its own Python process through what the plugin runs: ``load_rules`` (1, 2: loading and the
rules validation) and ``enterprises.read_table`` with bluesky:import_list's default MAX_ROWS, progress and cancel
(3, 4, 5). For each it prints the seconds, the peak memory of the process (``ru_maxrss``; the imports alone take
the first figure) and the message the user reads.

    .venv/bin/python scripts/probe_runaway_inputs.py [--keep DIR] [--rows 10000000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402

link_package()

TIMEOUT_S = 600
ROW_XML = ('<row><c t="inlineStr"><is><t>GL-00000001</t></is></c><c t="inlineStr"><is><t>某某县锅炉房</t></is></c>'
           '<c t="inlineStr"><is><t>燃煤</t></is></c><c><v>20</v></c><c><v>112.5</v></c><c><v>37.8</v></c></row>')
HEADER_XML = ('<row><c t="inlineStr"><is><t>编号</t></is></c><c t="inlineStr"><is><t>单位名称</t></is></c>'
              '<c t="inlineStr"><is><t>燃料类型</t></is></c><c t="inlineStr"><is><t>额定蒸发量</t></is></c>'
              '<c t="inlineStr"><is><t>经度</t></is></c><c t="inlineStr"><is><t>纬度</t></is></c></row>')


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


# -- the inputs ----------------------------------------------------------------------------------------


def billion_laughs(path: Path, levels: int = 55, per_level: int = 100) -> Path:
    out = ["version: 1", 'lol0: &l00 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        out.append(f"lol{i}: &l{i:02d} [" + ", ".join([f"*l{i - 1:02d}"] * per_level) + "]")
    out += ["rules:", "  - id: LOL", f"    zone: *l{levels - 1:02d}", ""]
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def huge_template(path: Path) -> Path:
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH

    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8-sig")
    at = text.index("    reason:", text.index("  - id: B-35"))
    end = text.index("\n", at)
    path.write_text(text[:at] + "    reason: '{county}{capacity_tph:>20000000}蒸吨'" + text[end:], encoding="utf-8")
    return path


def inflating_xlsx(path: Path, rows: int, dimension: bool) -> Path:
    """A workbook whose one sheet holds ``rows`` identical rows, its XML streamed into a deflated ZIP."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            f'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            f'</Types>'))
        zf.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="锅炉清单" '
            f'sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships"><Relationship '
            f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'.encode())
            if dimension:
                fh.write(f'<dimension ref="A1:F{rows + 1}"/>'.encode())
            fh.write(b"<sheetData>" + HEADER_XML.encode())
            block, per_block = ROW_XML.encode() * 10_000, 10_000
            for _ in range(rows // per_block):
                fh.write(block)
            fh.write(ROW_XML.encode() * (rows % per_block))
            fh.write(b"</sheetData></worksheet>")
    return path


# -- one probe, in its own process -------------------------------------------------------------------------


def run_one(kind: str, path: str) -> dict:
    from bluesky_zoning.analysis.common.errors import UserError
    from bluesky_zoning.analysis.inputs.enterprises import read_table
    from bluesky_zoning.analysis.inputs.table_read import DEFAULT_MAX_ROWS
    from bluesky_zoning.analysis.plan.rules import load_rules

    before = peak_mb()
    progress = []
    start = time.perf_counter()
    try:
        if kind == "rules":
            result = load_rules(path)
            outcome, message = "loaded", f"{len(result.rules)} rules"
        else:  # what bluesky:import_list calls, with its default MAX_ROWS, progress and cancel
            table = read_table(path, max_rows=DEFAULT_MAX_ROWS, progress=progress.append, is_canceled=lambda: False)
            outcome, message = "read", f"{len(table):,} rows"
    except UserError as exc:
        outcome, message = f"refused ({type(exc).__name__})", str(exc)
    except Exception as exc:  # noqa: BLE001 - a probe reports whatever happened
        outcome, message = f"failed ({type(exc).__name__})", str(exc)
    return {"seconds": time.perf_counter() - start, "peak_mb_before": before, "peak_mb": peak_mb(),
            "outcome": outcome, "message": message, "progress_calls": len(progress)}


def probe(kind: str, path: Path) -> dict:
    try:
        proc = subprocess.run([sys.executable, __file__, "--one", kind, str(path)], capture_output=True, text=True,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still running after {TIMEOUT_S} s (killed)", "message": "", "seconds": TIMEOUT_S,
                "peak_mb_before": float("nan"), "peak_mb": float("nan"), "progress_calls": 0}
    if proc.returncode != 0:
        return {"outcome": f"process exit {proc.returncode}", "message": proc.stderr[-2000:], "seconds": float("nan"),
                "peak_mb_before": float("nan"), "peak_mb": float("nan"), "progress_calls": 0}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--keep", help="build the inputs in this folder and keep them")
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the inflating workbook")
    parser.add_argument("--counted-rows", type=int, default=9_000_000,
                        help="rows of the workbook without <dimension> under the byte limit")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one), ensure_ascii=False))
        return 0
    tmp = None if args.keep else tempfile.TemporaryDirectory(prefix="bluesky_runaway_")
    folder = Path(args.keep or tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        inputs = [
            ("1 billion-laughs rules file (load_rules)", "rules", billion_laughs(folder / "billion_laughs.yaml")),
            ("2 reason {capacity_tph:>20000000} (load_rules: rules validation)", "rules",
             huge_template(folder / "huge_template.yaml")),
            (f"3 xlsx, {args.rows:,} rows, with <dimension> (read_table, as bluesky:import_list)", "table",
             inflating_xlsx(folder / "inflating_10M_rows.xlsx", args.rows, dimension=True)),
            (f"4 xlsx, {args.rows:,} rows, no <dimension> (read_table, as bluesky:import_list)", "table",
             inflating_xlsx(folder / "inflating_10M_rows_nodim.xlsx", args.rows, dimension=False)),
            (f"5 xlsx, {args.counted_rows:,} rows, no <dimension>, under the byte limit (read_table)", "table",
             inflating_xlsx(folder / "inflating_9M_rows_nodim.xlsx", args.counted_rows, dimension=False)),
        ]
        print(f"inputs built in {time.perf_counter() - t0:.1f} s in {folder}:")
        for _label, _kind, path in inputs:
            size = path.stat().st_size
            extra = ""
            if path.suffix == ".xlsx":
                unzipped = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
                extra = f", sheet XML unzipped {unzipped:,} bytes ({unzipped / 1e9:.2f} GB)"
            print(f"  {path.name}: {size:,} bytes on disk{extra}")
        print()
        for label, kind, path in inputs:
            r = probe(kind, path)
            print(f"== {label}")
            print(f"   outcome: {r['outcome']}; {r['seconds']:.2f} s; peak memory {r['peak_mb']:.0f} MB "
                  f"(after the imports: {r['peak_mb_before']:.0f} MB); progress calls: {r['progress_calls']}")
            print("   message: " + r["message"].replace("\n", "\n            "))
            print()
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
