"""Test session set-up shared by analysis and plugin tests.

The repository root *is* the plugin package, and a clone's folder name is not the package name, so the
tests import it as ``bluesky_zoning`` through a link under ``.build/pkg`` that points at the checkout.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A fresh QGIS profile for the session, set before anything starts QGIS (this module is an initial
# conftest: pytest imports it before the plugins' pytest_configure, where pytest-qgis starts QGIS). pytest-qgis
# 2.1 then points QGIS_CUSTOM_CONFIG_PATH at its own temporary folder; either way the dock's QgsSettings and
# the demo cache never touch a real profile — `_isolated_qgis_profile` below checks it.
os.environ["QGIS_CUSTOM_CONFIG_PATH"] = tempfile.mkdtemp(prefix="bluesky-qgis-profile-")
link_package()


def _pandas3_semantics() -> None:
    """pandas 3 behaviour on the pandas 2 that every QGIS but the newest ships: copy-on-write (arrays handed out
    are read-only) and text columns of the ``str`` dtype (a blank is NaN, never None), so code that only meets
    pandas 2 in QGIS is tested as QGIS's Windows installers (pandas 3) run it. Options this pandas lacks are
    skipped (copy-on-write from 2.0, infer_string from 2.1); pandas 3 has both always on."""
    import importlib.util

    import pandas as pd

    version = tuple(int(p) for p in pd.__version__.split(".")[:2] if p.isdigit())
    if version >= (3, 0):
        return
    for option in ("mode.copy_on_write", "future.infer_string"):
        if option == "future.infer_string" and version < (2, 3) and importlib.util.find_spec("pyarrow") is None:
            continue  # before 2.3 the str dtype needs pyarrow
        try:
            pd.set_option(option, True)
        except (KeyError, AttributeError):  # pd.errors.OptionError: an option this pandas does not know
            pass


_pandas3_semantics()

_REAL_PROFILES = (Path.home() / ".local" / "share" / "QGIS", Path.home() / ".config" / "QGIS")


@pytest.fixture(scope="session", autouse=True)
def _isolated_qgis_profile():
    """Fail the session early if QGIS runs and its settings live in a real user profile."""
    if "qgis.core" in sys.modules:
        from qgis.core import QgsApplication, QgsSettings

        if QgsApplication.instance() is not None:
            settings_file = Path(QgsSettings().fileName()).resolve()
            temp_root = Path(tempfile.gettempdir()).resolve()
            assert temp_root in settings_file.parents, f"QGIS settings outside a temporary profile: {settings_file}"
            assert not any(real in settings_file.parents for real in _REAL_PROFILES), settings_file
    yield
