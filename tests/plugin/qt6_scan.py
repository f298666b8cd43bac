"""Static Qt6-readiness scan of the plugin's code, for tests/plugin/test_qt6_ready.py.

Imported by the test (pytest process, PyQt5 through QGIS): `scan_file` walks a file's AST and collects
  - every attribute chain on a name imported from `qgis.PyQt.*` (`Qt.ItemDataRole.UserRole`), and the
    imported names themselves, to be resolved against PyQt6;
  - every attribute chain on a `Qgs*`/`Qgis` name imported from `qgis.*`, to be resolved in QGIS;
  - constructs Qt6 lacks whatever they resolve to: `exec_`, `QRegExp`, PyQt5/PyQt6/sip imports that
    bypass `qgis.PyQt`, star imports from it, compiled resources (`resources_rc`).
Run as a script (`python qt6_scan.py` with JSON on stdin) it is the PyQt6 side: it resolves those chains
against PyQt6 and compiles .ui files with PyQt6's uic. PyQt6 is only ever imported in that subprocess.
"""
from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

# The plugin's code: top-level modules and these packages (not tests/, scripts/, .venv, .build).
PLUGIN_PACKAGES = ("analysis", "demo", "layers", "ui", "provider")

# Names QGIS's own Qt6 `qgis.PyQt.QtWidgets` adds back from QtGui (python/PyQt/PyQt6/QtWidgets.py,
# QGIS >= 3.40), so `from qgis.PyQt.QtWidgets import QAction` serves QGIS 3.22 ... 4.x.
QGIS_QT6_SHIM = {"QtWidgets": {"QAction": "QtGui", "QActionGroup": "QtGui", "QShortcut": "QtGui"}}

# Qt5-only spellings allowed in one place: the Qt5 branch of the field-type helper, taken only when the
# running QGIS's QgsField speaks QVariant.Type (QGIS <= 3.36, always Qt5). Spelled unscoped, as QGIS's
# pyqt5_to_pyqt6 script wants it (it rewrites QVariant.Type.Int to QVariant.Int).
QT5_ONLY_ALLOWED = {"layers/qt_compat.py": tuple(f"QtCore.QVariant.{member}" for member in (
    "Int", "LongLong", "Double", "Bool", "DateTime", "String"))}

BANNED_MODULES = ("PyQt5", "PyQt6", "PySide2", "PySide6", "sip")
COMPILED_RESOURCES = ("resources_rc", "resources")


@dataclass(frozen=True)
class Use:
    """One attribute chain (or imported name): `module` is e.g. "QtCore" or "qgis.core"."""

    path: str
    line: int
    module: str
    parts: Tuple[str, ...]

    @property
    def dotted(self) -> str:
        return ".".join((self.module,) + self.parts)

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass
class FileScan:
    qt: List[Use] = field(default_factory=list)
    qgis: List[Use] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


def plugin_files(root: Path) -> List[Path]:
    files = sorted(root.glob("*.py"))
    for package in PLUGIN_PACKAGES:
        files += sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def _dotted(node: ast.AST) -> Optional[List[str]]:
    """`a.b.c` as ["a", "b", "c"] when it is rooted at a plain name, else None."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def scan_source(source: str, path: str, qt_package: str = "qgis.PyQt") -> FileScan:
    """Collect the Qt and QGIS uses and the Qt5-only constructs of one file's source."""
    tree = ast.parse(source, filename=path)
    scan = FileScan()
    qt_names: Dict[str, Tuple[str, Tuple[str, ...]]] = {}  # local name -> (Qt module, parts)
    qgis_names: Dict[str, str] = {}  # local name -> qgis module
    prefix = qt_package + "."

    def problem(node: ast.AST, text: str) -> None:
        scan.problems.append(f"{path}:{node.lineno}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.split(".")[0] in BANNED_MODULES and qt_package == "qgis.PyQt":
                problem(node, f"import from {module}: use qgis.PyQt")
            if module.split(".")[-1] in COMPILED_RESOURCES or any(a.name in COMPILED_RESOURCES for a in node.names):
                problem(node, "compiled Qt resources import: load files by path (Qt6 has no pyrcc)")
            if node.level == 0 and (module == qt_package or module.startswith(prefix)):
                for alias in node.names:
                    if alias.name == "*":
                        problem(node, f"star import from {module}: names must be checkable")
                        continue
                    local = alias.asname or alias.name
                    if module == qt_package:  # from qgis.PyQt import QtCore / uic / sip
                        qt_names[local] = (alias.name, ())
                        scan.qt.append(Use(path, node.lineno, alias.name, ()))
                    else:
                        sub = module[len(prefix):]
                        qt_names[local] = (sub, (alias.name,))
                        scan.qt.append(Use(path, node.lineno, sub, (alias.name,)))
            elif node.level == 0 and module.startswith("qgis.") and qt_package == "qgis.PyQt":
                for alias in node.names:
                    if alias.name.startswith("Qgs") or alias.name == "Qgis":
                        qgis_names[alias.asname or alias.name] = module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in BANNED_MODULES and qt_package == "qgis.PyQt":
                    problem(node, f"import {alias.name}: use qgis.PyQt")
                if alias.name.split(".")[-1] in COMPILED_RESOURCES:
                    problem(node, "compiled Qt resources import: load files by path (Qt6 has no pyrcc)")
                if alias.name.startswith(prefix) and alias.asname:
                    qt_names[alias.asname] = (alias.name[len(prefix):], ())
                    scan.qt.append(Use(path, node.lineno, alias.name[len(prefix):], ()))

    class Chains(ast.NodeVisitor):
        def visit_Attribute(self, node: ast.Attribute) -> None:
            parts = _dotted(node)
            names = parts if parts is not None else [node.attr]
            if "exec_" in names:
                problem(node, "exec_(): use exec()")
            if "QRegExp" in names:
                problem(node, "QRegExp: gone in Qt6, use QRegularExpression")
            if parts is None:
                self.generic_visit(node)
                return
            root, rest = parts[0], tuple(parts[1:])
            if root in qt_names:
                module, head = qt_names[root]
                scan.qt.append(Use(path, node.lineno, module, head + rest))
            elif root in qgis_names:
                scan.qgis.append(Use(path, node.lineno, qgis_names[root], (root,) + rest))
            # a maximal chain: its inner parts are not separate uses

        def visit_Name(self, node: ast.Name) -> None:
            if node.id == "QRegExp":
                problem(node, "QRegExp: gone in Qt6, use QRegularExpression")

        def visit_alias(self, node: ast.alias) -> None:
            if node.name.split(".")[-1] == "QRegExp":
                problem(node, "QRegExp: gone in Qt6, use QRegularExpression")

    Chains().visit(tree)
    return scan


def scan_file(path: Path, root: Path) -> FileScan:
    return scan_source(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix())


def allowed_qt5_only(use: Use) -> bool:
    return any(use.dotted == a or use.dotted.startswith(a + ".") for a in QT5_ONLY_ALLOWED.get(use.path, ()))


# ---- the PyQt6 side (subprocess only) -------------------------------------------------------------------
def _resolve_pyqt6(module: str, parts: Sequence[str]) -> bool:
    import importlib

    try:
        obj = importlib.import_module("PyQt6." + module)
    except ImportError:
        return False
    for i, part in enumerate(parts):
        shim = QGIS_QT6_SHIM.get(module, {})
        if i == 0 and part in shim and not hasattr(obj, part):
            obj = importlib.import_module("PyQt6." + shim[part])
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


def _pyqt6_main() -> None:
    import io

    import PyQt6.QtCore
    from PyQt6 import uic

    payload = json.load(sys.stdin)
    out = {"pyqt6": PyQt6.QtCore.PYQT_VERSION_STR, "missing": [], "ui": []}
    for path, line, module, parts in payload["uses"]:
        if not _resolve_pyqt6(module, parts):
            out["missing"].append(f"{path}:{line}: {'.'.join([module] + parts)}")
    for ui in payload["ui_files"]:
        buffer = io.StringIO()
        try:
            uic.compileUi(ui, buffer)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            out["ui"].append({"file": ui, "error": f"{type(exc).__name__}: {exc}", "uses": 0, "missing": []})
            continue
        # The generated code imports PyQt6 itself; QGIS custom widgets are only imported, never resolved here.
        scan = scan_source(buffer.getvalue(), ui, qt_package="PyQt6")
        missing = [f"{u.path}:{u.line}: {u.dotted}" for u in scan.qt if not _resolve_pyqt6(u.module, u.parts)]
        out["ui"].append({"file": ui, "error": None, "uses": len(scan.qt), "missing": missing + scan.problems})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    _pyqt6_main()
