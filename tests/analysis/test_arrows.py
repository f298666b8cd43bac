"""The house's arrows: ``ui → provider / layers → demo / analysis``, held by reading every import of the plugin.

``analysis`` imports no QGIS, no Qt and nothing of the plugin's other rooms; ``demo`` only ``analysis``;
``layers`` imports neither ``ui`` nor ``provider``; ``provider`` imports no ``ui``; ``ui`` imports no algorithm
module (a helper it needs lives in ``analysis`` or ``layers``). Inside the rooms, the wings (sub-packages) may
import only the wings ``WING_ARROWS`` lists, which is also what each wing's ``__init__`` says ("May import:"),
and no module imports itself round a circle. Imports inside functions and under TYPE_CHECKING count too.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("analysis", "demo", "layers", "provider", "ui")
QT = ("qgis", "PyQt5", "PyQt6", "sip")
# (room, what it must not import, why)
FORBIDDEN = [
    ("analysis", QT, "analysis/ runs without QGIS"),
    ("analysis", ("<plugin>.layers", "<plugin>.provider", "<plugin>.ui", "<plugin>.demo"),
     "analysis/ imports nothing of the plugin"),
    ("demo", QT + ("<plugin>.layers", "<plugin>.provider", "<plugin>.ui"), "demo/ only makes inputs for analysis/"),
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


# The wings and what each may import besides itself (a wing is a sub-package; "analysis" and "layers" alone are
# the room's top-level modules). Bottom to top. Each wing's __init__ says the same in its "May import:" line.
ANALYSIS_WINGS = ("common", "schema", "inputs", "plan", "ledger", "zones", "flagging", "reports")
WING_ARROWS: Dict[str, Tuple[str, ...]] = {
    "analysis.common": (),
    "analysis.schema": ("analysis.common",),
    "analysis.inputs": ("analysis.common", "analysis.schema"),
    "analysis.plan": ("analysis.common", "analysis.schema"),
    "analysis.ledger": ("analysis.common", "analysis.schema"),
    "analysis.zones": ("analysis.common", "analysis.schema", "analysis.inputs", "analysis.plan"),
    "analysis.flagging": ("analysis.common", "analysis.schema", "analysis.inputs", "analysis.plan",
                          "analysis.zones"),
    "analysis.reports": ("analysis.common", "analysis.schema", "analysis.inputs", "analysis.plan",
                         "analysis.zones", "analysis.flagging", "analysis.ledger"),
    "analysis": tuple(f"analysis.{w}" for w in ANALYSIS_WINGS),  # pipeline.py, on top
    # scenario comparison: above pipeline.py (it runs the job's stages from there); nothing below imports it
    "analysis.scenarios": tuple(f"analysis.{w}" for w in ANALYSIS_WINGS if w != "ledger") + ("analysis",),
    "demo": ("analysis",),
    "layers": ("analysis",),
    "layers.ledger_store": ("analysis", "layers"),
    "layers.atlas": ("analysis", "layers", "layers.ledger_store"),
    "layers.workbook": ("analysis", "layers.ledger_store"),
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["<plugin>"] + parts)


def wing_of(module: str, root: Path = ROOT) -> str:
    """'analysis.zones' for <plugin>.analysis.zones.builders, 'analysis' for <plugin>.analysis.pipeline."""
    parts = module.split(".")[1:]
    if len(parts) >= 2 and (root / parts[0] / parts[1]).is_dir():
        return ".".join(parts[:2])
    return parts[0]


def allows(wing: str, target: str) -> bool:
    """May ``wing`` import from ``target``? A listed room ("analysis") stands for all of its wings."""
    if wing == target:
        return True
    allowed = WING_ARROWS.get(wing)
    if allowed is None:  # provider and ui: the room rules above
        return True
    return any(target == a or (a in ("analysis", "layers") and target.startswith(a + ".") and a != wing
                               and not wing.startswith(a + "."))
               for a in allowed)


def modules_imported(path: Path, root: Path) -> Iterator[str]:
    """What ``imports_of`` yields, and for ``from package import name`` also ``package.name`` (a module when
    ``name`` is one)."""
    yield from (module for _line, module in imports_of(path, root))
    package = ["<plugin>"] + list(path.relative_to(root).parent.parts)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = ".".join(package[: len(package) - node.level + 1] + [node.module]) if node.level else node.module
            for alias in node.names:
                yield f"{base}.{alias.name}"


def import_graph(root: Path = ROOT) -> Dict[str, Set[str]]:
    """module → the plugin modules it imports (a module of the plugin, not a name inside one)."""
    files = [p for room in ROOMS for p in room_files(room, root)]
    known = {module_name(p, root) for p in files}
    graph: Dict[str, Set[str]] = {}
    for path in files:
        me = module_name(path, root)
        deps = set()
        for module in modules_imported(path, root):
            while module.startswith("<plugin>.") and module not in known:
                module = module.rsplit(".", 1)[0]  # from .x import name → module x
            if module in known and module != me:
                deps.add(module)
        graph[me] = deps
    return graph


def wing_violations(root: Path = ROOT) -> List[str]:
    out = []
    for module, deps in import_graph(root).items():
        wing = wing_of(module, root)
        for dep in sorted(deps):
            if not dep.endswith(".__init__") and not allows(wing, wing_of(dep, root)):
                out.append(f"{module} ({wing}) imports {dep} ({wing_of(dep, root)})")
    return out


def circles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on: Set[str] = set()
    found: List[List[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_wings_import_only_what_they_may():
    assert wing_violations() == []


def test_no_import_circle():
    assert circles(import_graph()) == []


def test_each_wing_says_its_neighbours():
    """Every wing's __init__ docstring names what it may import, the same as WING_ARROWS."""
    for wing, allowed in WING_ARROWS.items():
        init = ROOT.joinpath(*wing.split("."), "__init__.py")
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert doc, f"{init} has no docstring"
        if wing == "analysis":
            continue  # the core's own docstring maps the wings instead
        line = next((ln for ln in doc.splitlines() if ln.startswith("May import:")), None)
        assert line is not None, f"{init}: no 'May import:' line"
        said = {w.strip().rstrip(".") for w in line.split(":", 1)[1].split(",")}
        said = {"layers" if w == "layers" else w for w in said} - {"nothing of the plugin"}
        short = {a.split(".", 1)[1] if a.startswith("analysis.") and wing.startswith("analysis.") else a
                 for a in allowed}
        assert said == short, (wing, said, short)


def test_no_folder_is_crowded():
    """No folder of the plugin holds more than 15 modules directly."""
    for room in ROOMS:
        for folder in [ROOT / room] + [d for d in (ROOT / room).rglob("*") if d.is_dir()]:
            if "__pycache__" in folder.parts:
                continue
            modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
            assert len(modules) <= 15, (folder, len(modules))


def test_the_checker_sees_a_circle_and_a_wrong_wing(tmp_path):
    """A circle of three modules and an import against the wings' order are both found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    for wing in ("common", "schema"):
        (tmp_path / "analysis" / wing).mkdir(parents=True)
        (tmp_path / "analysis" / wing / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "analysis" / "common" / "x.py").write_text("from ..schema.y import Y\n", encoding="utf-8")
    (tmp_path / "analysis" / "schema" / "y.py").write_text("from ..common import x\n", encoding="utf-8")
    for room in ROOMS[1:]:
        (tmp_path / room).mkdir(exist_ok=True)
    assert wing_violations(tmp_path) == [
        "<plugin>.analysis.common.x (analysis.common) imports <plugin>.analysis.schema.y (analysis.schema)"]
    assert circles(import_graph(tmp_path)) == [["<plugin>.analysis.common.x", "<plugin>.analysis.schema.y"]]
