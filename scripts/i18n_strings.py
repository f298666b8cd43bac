#!/usr/bin/env python3
"""Collect the tr() strings of the dock, the import dialog, the algorithms and the .ui files by context.

Used by scripts/update_ts.py; prints them when run alone. Contexts follow what the code passes to
QCoreApplication.translate: BlueSkyDock (ui/dock.py and its tabs' panels, ui/panels/), ImportDialog (ui/import_dialog.py),
BlueSkyAlgorithm (provider/algorithms, BlueSkyAlgorithm.tr), and the form class names of the .ui files.
"""
from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
PY_CONTEXTS = {
    "BlueSkyDock": ["ui/dock.py", "ui/panels/base.py", "ui/panels/data.py", "ui/panels/rules.py", "ui/panels/run.py",
                    "ui/panels/results.py", "ui/panels/verify.py", "ui/panels/output.py",
                    "ui/panels/progress.py", "ui/panels/progress_tasks.py", "ui/panels/check_off_dialog.py",
                    "ui/panels/scenarios.py", "ui/guide_viewer.py"],
    "ImportDialog": ["ui/import_dialog.py"],
    "BlueSkyAlgorithm": ["provider/algorithms/_common.py", "provider/algorithms/import_list.py",
                         "provider/algorithms/build_zones.py", "provider/algorithms/flag_enterprises.py",
                         "provider/algorithms/run_all.py", "provider/algorithms/export_packages.py",
                         "provider/algorithms/print_atlas.py", "provider/algorithms/summary_workbook.py",
                         "provider/algorithms/update_ledger.py", "provider/algorithms/check_off_task.py",
                         "provider/algorithms/_ledger_params.py", "provider/algorithms/compare_scenarios.py"],
}
UI_FILES = ["ui/dock.ui", "ui/import_dialog.ui"]


def py_strings(path: Path) -> List[str]:
    out: List[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        arg = node.args[0]
        # translatable("…") marks a label passed to tr() later (provider/algorithms/_common.py)
        if name in ("tr", "translatable") and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if arg.value not in out:
                out.append(arg.value)
    return out


def ui_strings(path: Path) -> Dict[str, List[str]]:
    tree = ET.parse(path)
    context = tree.getroot().findtext("class")
    out: List[str] = []
    for el in tree.iter("string"):
        if el.text and el.get("notr") != "true" and el.text not in out:
            out.append(el.text)
    return {context: out}


def collect() -> Dict[str, List[str]]:
    result: Dict[str, List[str]] = {}
    for context, files in PY_CONTEXTS.items():
        strings: List[str] = []
        for rel in files:
            for s in py_strings(ROOT / rel):
                if s not in strings:
                    strings.append(s)
        result[context] = strings
    for rel in UI_FILES:
        result.update(ui_strings(ROOT / rel))
    return result


if __name__ == "__main__":
    for ctx, strings in collect().items():
        print(f"== {ctx}")
        for s in strings:
            print(repr(s))
