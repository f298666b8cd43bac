"""The house's arrows: ``ui → provider / layers → analysis``, held by reading every import of the plugin.

``analysis`` imports no QGIS, no Qt and nothing of the plugin's other rooms; ``layers`` imports neither ``ui``
nor ``provider``; ``provider`` imports no ``ui``; ``ui`` imports no algorithm module (a helper it needs lives in
``analysis`` or ``layers``). Imports inside functions count too.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("analysis", "layers", "provider", "ui")
QT = ("qgis", "PyQt5", "PyQt6", "sip")
# (room, what it must not import, why)
FORBIDDEN = [
    ("analysis", QT, "analysis/ runs without QGIS"),
    ("analysis", ("<plugin>.layers", "<plugin>.provider", "<plugin>.ui"), "analysis/ imports nothing of the plugin"),
    ("layers", ("<plugin>.ui", "<plugin>.provider"), "layers/ sits below ui/ and provider/"),
    ("provider", ("<plugin>.ui",), "provider/ never imports ui/"),
    ("ui", ("<plugin>.provider.algorithms",), "ui/ takes helpers from analysis/ or layers/, not from algorithms"),
]


def imports_of(path: Path, root: Path) -> Iterator[Tuple[int, str]]:
    """(line, absolute module) of every import in ``path``; the plugin's own modules as '<plugin>.x.y'."""
    package = ["<plugin>"] + list(path.relative_to(root).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
                for name in names:
                    yield node.lineno, name
            else:
                yield node.lineno, node.module or ""


def room_files(room: str, root: Path = ROOT) -> List[Path]:
    return sorted(p for p in (root / room).rglob("*.py") if "__pycache__" not in p.parts)


def violations(room: str, banned: Tuple[str, ...], root: Path = ROOT) -> List[str]:
    out = []
    for path in room_files(room, root):
        for line, module in imports_of(path, root):
            if any(module == b or module.startswith(b + ".") for b in banned):
                out.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return out


@pytest.mark.parametrize("room,banned,why", FORBIDDEN, ids=[f"{r}-{w.split()[0]}" for r, _b, w in FORBIDDEN])
def test_no_arrow_points_the_wrong_way(room, banned, why):
    assert room_files(room), room
    assert violations(room, banned) == [], why


def test_the_checker_sees_a_wrong_arrow(tmp_path):
    """A module that imports against the arrows is found, relative and absolute, inside a function too."""
    (tmp_path / "analysis").mkdir()
    (tmp_path / "ui").mkdir()
    (tmp_path / "analysis" / "bad.py").write_text(
        "def f():\n    from ..ui.dock import BlueSkyDock\n    import qgis.core\n", encoding="utf-8")
    (tmp_path / "ui" / "bad.py").write_text("from ..provider.algorithms import run_all\n", encoding="utf-8")
    assert violations("analysis", QT, tmp_path) == ["analysis/bad.py:3 imports qgis.core"]
    assert violations("analysis", ("<plugin>.ui",), tmp_path) == ["analysis/bad.py:2 imports <plugin>.ui.dock"]
    assert violations("ui", ("<plugin>.provider.algorithms",), tmp_path) == [
        "ui/bad.py:1 imports <plugin>.provider.algorithms"]
