"""Qt6 readiness: the plugin's code is meant for QGIS 4.x (Qt6) and keeps running on QGIS 3.22 (PyQt5).

PyQt6 (requirements.txt, venv only) is the reference for every Qt name, resolved in a subprocess: this
process has PyQt5 loaded through QGIS. QGIS's own enums are resolved in the running QGIS.
"""
from __future__ import annotations

import ast
import enum
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Sequence

import pytest
from qt6_scan import QT5_ONLY_ALLOWED, Use, allowed_qt5_only, plugin_files, scan_file

ROOT = Path(__file__).resolve().parents[2]
SCANNER = Path(__file__).with_name("qt6_scan.py")
UI_FILES = sorted((ROOT / "ui").glob("*.ui"))


def run_pyqt6(uses: Iterable[Use], ui_files: Sequence[Path] = ()) -> dict:
    """Resolve `uses` against PyQt6 and compile `ui_files` with its uic, in the venv's python."""
    payload = {"uses": [[u.path, u.line, u.module, list(u.parts)] for u in uses],
               "ui_files": [str(p) for p in ui_files]}
    proc = subprocess.run([sys.executable, str(SCANNER)], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=300, cwd=str(ROOT))
    assert proc.returncode == 0, f"PyQt6 side failed (PyQt6 from requirements.txt in the venv?):\n{proc.stderr}"
    return json.loads(proc.stdout)


def _is_enum_member(value) -> bool:
    # Python enums (QGIS's scoped enums, all of Qt6) or a sip enum member (PyQt5's unscoped enums)
    return isinstance(value, enum.Enum) or type(type(value)).__name__ == "enumtype"


def qgis_enum_problems(uses: Iterable[Use]) -> List[str]:
    """Chains on Qgs*/Qgis names that would fail here, or on a Qt6 build of QGIS.

    Everywhere: the chain resolves in the running QGIS. From QGIS 3.30 on (where the enums moved to Qgis
    keep their old names as monkeypatched aliases): an unscoped `QgsX.Member` must be such an alias — any
    other unscoped member is PyQt5-only; and `QgsX.Enum.OldName` must be a real member of the enum, not a
    renamed one reached through an alias that not every 3.3x release has.
    """
    from qgis.core import Qgis

    patched_era = Qgis.QGIS_VERSION_INT >= 33000
    problems = []
    for use in uses:
        obj = importlib.import_module(use.module)
        steps = []
        for part in use.parts:
            if not hasattr(obj, part):
                problems.append(f"{use.path}:{use.line}: {use.name} does not resolve in QGIS {Qgis.QGIS_VERSION}")
                break
            steps.append((obj, getattr(obj, part)))
            obj = steps[-1][1]
        else:
            if not patched_era:
                continue
            if len(steps) >= 2 and _is_enum_member(steps[1][1]) and not getattr(steps[1][1], "is_monkey_patched", False):
                problems.append(f"{use.path}:{use.line}: {'.'.join(use.parts[:2])} is an unscoped enum member "
                                "(Qt6 QGIS needs QgsX.Enum.Member)")
            if len(steps) >= 3:
                owner = steps[2][0]
                if isinstance(owner, enum.EnumMeta) and use.parts[2] not in owner.__members__:
                    problems.append(f"{use.path}:{use.line}: {'.'.join(use.parts[:3])} is a renamed member "
                                    f"({owner.__name__}.{steps[2][1].name}); use the unscoped old name")
    return problems


@pytest.fixture(scope="module")
def plugin_scan():
    files = plugin_files(ROOT)
    scans = [scan_file(path, ROOT) for path in files]
    qt = [u for s in scans for u in s.qt]
    return {
        "files": files,
        "qt": qt,
        "qgis": [u for s in scans for u in s.qgis],
        "problems": [p for s in scans for p in s.problems],
        "pyqt6": run_pyqt6([u for u in qt if not allowed_qt5_only(u)], UI_FILES),
        "allowed": [u for u in qt if allowed_qt5_only(u)],
    }


def test_plugin_code_has_no_qt5_only_name(plugin_scan):
    scanned = {p.relative_to(ROOT).as_posix() for p in plugin_scan["files"]}
    assert {"plugin.py", "ui/dock.py", "layers/atlas/export.py", "provider/algorithms/import_list.py"} <= scanned
    assert not any(name.startswith(("tests/", "scripts/", ".venv/", ".build/")) for name in scanned)
    assert len(plugin_scan["qt"]) > 50, "the scan found too few Qt names to be looking at the plugin"
    assert plugin_scan["problems"] == []
    assert plugin_scan["pyqt6"]["missing"] == [], f"names PyQt6 {plugin_scan['pyqt6']['pyqt6']} lacks"
    # the one Qt5-only allowance (the field-type helper's QVariant branch) is where it says, and in use
    assert {u.path for u in plugin_scan["allowed"]} == set(QT5_ONLY_ALLOWED)


def pyqt5_to_pyqt6_rewrites(path: Path, root: Path) -> List[str]:
    """What QGIS's scripts/pyqt5_to_pyqt6/pyqt5_to_pyqt6.py (run by the plugin website on every upload, in its
    default QGIS-3-compatible mode) rewrites in a file beyond unscoped Qt enums (which PyQt6 lacks, so
    test_plugin_code_has_no_qt5_only_name finds them) and PyQt5 imports (qt6_scan's problems): `QVariant.Type.X`
    (→ `QVariant.X`) and `qApp` (→ `QApplication.instance()`)."""
    rel = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) == ("QVariant", "Type") or node.value.id == "qApp":
                found.append(f"{rel}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_nothing_for_pyqt5_to_pyqt6_to_rewrite(plugin_scan, tmp_path):
    assert [hit for path in plugin_scan["files"] for hit in pyqt5_to_pyqt6_rewrites(path, ROOT)] == []
    # the Qt5 branch of the field types is spelled as the script wants it, and nothing else is allowed there
    assert sorted(u.dotted for u in plugin_scan["allowed"]) == sorted(QT5_ONLY_ALLOWED["layers/qt_compat.py"])
    # the check sees what the script rewrites
    bad = tmp_path / "bad.py"
    bad.write_text("from qgis.PyQt.QtCore import QVariant\nkind = QVariant.Type.Int\napp = qApp.instance()\n",
                   encoding="utf-8")
    assert pyqt5_to_pyqt6_rewrites(bad, tmp_path) == ["bad.py:2: QVariant.Type", "bad.py:3: qApp.instance"]


def test_ui_files_compile_with_pyqt6_uic(plugin_scan):
    assert [Path(r["file"]).name for r in plugin_scan["pyqt6"]["ui"]] == [p.name for p in UI_FILES]
    assert {"dock.ui", "import_dialog.ui"} <= {p.name for p in UI_FILES}
    for result in plugin_scan["pyqt6"]["ui"]:
        assert result["error"] is None, result
        assert result["uses"] > 5, result  # the generated code's Qt names were resolved, not skipped
        assert result["missing"] == [], result


def test_qgis_enums_have_spellings_for_3_22_to_4_x(qgis_app, plugin_scan):
    uses = plugin_scan["qgis"]
    assert len(uses) > 40
    assert {"QgsLayoutTable.WrapBehavior.WrapText", "QgsUnitTypes.LayoutMillimeters"} <= {u.name for u in uses}
    assert qgis_enum_problems(uses) == []


BAD_SNIPPET = """\
from qgis.PyQt.QtCore import Qt, QVariant
from qgis.PyQt.QtWidgets import QAction, QDialogButtonBox
from qgis.core import Qgis, QgsLayoutTable, QgsUnitTypes
import resources_rc
from PyQt5.QtCore import QRegExp

role = Qt.UserRole
scoped = Qt.ItemDataRole.UserRole
ok = QDialogButtonBox.Ok
kind = QVariant.Int
dialog.exec_()
wrap = QgsLayoutTable.WrapText
scoped_wrap = QgsLayoutTable.WrapBehavior.WrapText
mm = QgsUnitTypes.LayoutMillimeters
new_mm = Qgis.LayoutUnit.Millimeters
old_scoped_mm = QgsUnitTypes.LayoutUnit.LayoutMillimeters
action = QAction
"""


def test_the_checks_fail_on_qt5_only_code(qgis_app, tmp_path):
    (tmp_path / "ui").mkdir()
    path = tmp_path / "ui" / "bad.py"
    path.write_text(BAD_SNIPPET, encoding="utf-8")
    scan = scan_file(path, tmp_path)
    assert scan.problems == [
        "ui/bad.py:4: compiled Qt resources import: load files by path (Qt6 has no pyrcc)",
        "ui/bad.py:5: import from PyQt5.QtCore: use qgis.PyQt",
        "ui/bad.py:5: QRegExp: gone in Qt6, use QRegularExpression",
        "ui/bad.py:11: exec_(): use exec()",
    ]
    # QVariant.Type is allowed in the field-type helper only, never here
    assert not any(allowed_qt5_only(u) for u in scan.qt)
    result = run_pyqt6(scan.qt)
    assert result["missing"] == ["ui/bad.py:7: QtCore.Qt.UserRole", "ui/bad.py:9: QtWidgets.QDialogButtonBox.Ok",
                                 "ui/bad.py:10: QtCore.QVariant.Int"]

    from qgis.core import Qgis

    problems = qgis_enum_problems(scan.qgis)
    if Qgis.QGIS_VERSION_INT >= 33000:
        assert problems == [
            "ui/bad.py:12: QgsLayoutTable.WrapText is an unscoped enum member (Qt6 QGIS needs QgsX.Enum.Member)",
            "ui/bad.py:16: QgsUnitTypes.LayoutUnit.LayoutMillimeters is a renamed member (LayoutUnit.Millimeters); "
            "use the unscoped old name",
        ]
    else:  # 3.22: Qgis.LayoutUnit does not exist yet, the spelling QGIS >= 3.30 prefers fails here
        assert problems == [f"ui/bad.py:15: Qgis.LayoutUnit.Millimeters does not resolve in QGIS {Qgis.QGIS_VERSION}"]


def test_field_types_match_the_running_qgis(qgis_app):
    from bluesky_zoning.layers.convert import qgis_value
    from bluesky_zoning.layers.qt_compat import FieldType
    from qgis.core import QgsFeature, QgsField, QgsVectorLayer
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    when = QDateTime(QDate(2026, 11, 30), QTime(8, 30))
    values = {"INT": 7, "INT64": 2**40, "DOUBLE": 1.5, "BOOL": True, "DATETIME": when, "STRING": "蓝天"}
    layer = QgsVectorLayer("None", "types", "memory")
    assert layer.dataProvider().addAttributes([QgsField(k.lower(), getattr(FieldType, k)) for k in values])
    layer.updateFields()
    feature = QgsFeature(layer.fields())
    feature.setAttributes(list(values.values()))
    assert layer.dataProvider().addFeatures([feature])[0]
    stored = next(layer.getFeatures())
    for k, value in values.items():
        assert layer.fields().field(k.lower()).type() == getattr(FieldType, k), k
        assert stored[k.lower()] == value and type(stored[k.lower()]) is type(value), (k, stored[k.lower()])
    assert qgis_value(5, layer.fields().field("string")) == "5"
    assert qgis_value(5, layer.fields().field("int64")) == 5
