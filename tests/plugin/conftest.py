"""The plugin tests' shared helpers, in one place.

The helper modules of this folder (``demo_fixture``, ``outputs_fixture``, ``task_wait`` …, and the two test
modules others borrow from) are loaded here once by file path and registered under their names, so a test
module imports them by name without putting this folder on ``sys.path`` itself (importlib import mode adds no
test folder to it). The fixtures below hand the
most used helpers to tests directly.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
HELPERS = ("task_wait", "demo_fixture", "outputs_fixture", "postgis_fixture", "qt6_scan", "desktop/desktop_run", "pdf_pages",
           # test modules whose toy inputs and runners other tests reuse
           "test_bad_input", "test_qgis_process")


def _load(relative: str) -> ModuleType:
    path = HERE / f"{relative}.py"
    name = path.stem
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before running it: a helper may import another one by name
    spec.loader.exec_module(module)
    return module


for _helper in HELPERS:
    _load(_helper)


@pytest.fixture(scope="session")
def wait_for():
    """task_wait.wait_for: wait for a QgsTask, processing events, with a timeout."""
    return sys.modules["task_wait"].wait_for


@pytest.fixture(scope="session")
def outputs_fixture():
    """outputs_fixture.build_outputs_fixture: a small zones.gpkg / flags.gpkg / admin.gpkg set."""
    return sys.modules["outputs_fixture"].build_outputs_fixture


@pytest.fixture(scope="session")
def demo_provider():
    """demo_fixture.ensure_provider: the bluesky provider registered (returns it)."""
    return sys.modules["demo_fixture"].ensure_provider


@pytest.fixture(autouse=True)
def _forget_plugin_settings():
    """Each test starts without what an earlier test's dock remembered (rules file, layers, output folder):
    a dock saves its choices in QgsSettings, which live as long as the test session's QGIS profile."""
    yield
    if "qgis.core" in sys.modules:
        from qgis.core import QgsSettings

        QgsSettings().remove("bluesky_zoning")
