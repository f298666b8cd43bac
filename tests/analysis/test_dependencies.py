"""dependencies.py: ranges admit what each QGIS ships; pip is never asked for what the system has."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bluesky_dependencies", ROOT / "dependencies.py")
deps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(deps)

# What the QGIS builds of the support matrix bring (DESIGN.md, "Where users run it").
SHIPPED = {
    "QGIS 3.22 / Debian 12": {"numpy": "1.24.2", "pyproj": "3.4.1", "pandas": "2.0.3", "geopandas": "1.0.1"},
    "QGIS 3.40 / Debian 13": {"numpy": "2.2.4", "pandas": "2.2.3", "geopandas": "1.0.1", "shapely": "2.1.0",
                              "pyogrio": "0.10.0", "pyproj": "3.7.1", "openpyxl": "3.1.5", "PyYAML": "6.0.2"},
    "QGIS 3.44 / Debian sid": {"numpy": "2.4.6", "pandas": "2.3.3", "geopandas": "1.2.0", "pyogrio": "0.13.0",
                               "pyproj": "3.8.0"},
    "QGIS 3.40-4.x / Windows installers": {"numpy": "2.4.1", "pandas": "3.0.0", "geopandas": "1.1.1",
                                           "shapely": "2.1.1", "pyogrio": "0.12.1", "pyproj": "3.7.2",
                                           "openpyxl": "3.1.5", "PyYAML": "6.0.2"},
}


def _admits(low, high, version: str) -> bool:
    v = deps._version_tuple(version)
    return v >= low and (high is None or v < high)


def test_ranges_admit_every_qgis_of_the_matrix():
    ranges = deps.read_ranges()
    refused = [f"{where}: {name} {version}" for where, shipped in SHIPPED.items()
               for name, version in shipped.items() if not _admits(*ranges[name], version)]
    assert refused == []
    assert not _admits(*ranges["numpy"], "1.23.5") and not _admits(*ranges["shapely"], "1.8.5")
    assert "rasterio" not in ranges  # optional: QGIS's Windows installers ship none


def test_a_version_nothing_can_read_is_not_compared():
    assert not deps.version_known("0+unknown") and not deps.version_known("0")
    assert deps.version_known("2.2.0") and deps.version_known("0.13.0")


def test_pip_is_asked_only_for_what_the_running_python_lacks(tmp_path):
    have = sys.modules["pytest"].__version__
    req = tmp_path / "requirements.txt"
    req.write_text(f"pytest>={have}\nnot-a-real-package-bluesky>=1\n# a comment\n", encoding="utf-8")
    assert deps.pip_requirements(req) == ["not-a-real-package-bluesky>=1"]
    req.write_text("pytest>=999\n", encoding="utf-8")
    assert deps.pip_requirements(req) == ["pytest>=999"]  # present but too old: asked for, constraints decide


def test_requirements_file_includes_are_followed():
    lines = deps.requirement_lines(ROOT / "requirements.txt")
    assert any(line.startswith("numpy") for line in lines) and any(line.startswith("pytest") for line in lines)
