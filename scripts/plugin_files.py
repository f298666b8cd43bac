"""Which files make up the plugin: one list for `make install` (install_plugin.py) and `make package` (package.py).

The installed copy and the zip must hold the same files, so both take them from ``plugin_files()``. Standard
library only: both scripts run with Debian's python, without the virtual environment.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_NAME = "bluesky_zoning"
# dependencies.py reads its version ranges from requirements-runtime.txt at run time; README.md is what its
# messages point to. CHANGELOG.md stays out: metadata.txt carries the changelog.
TOP_FILES = ("metadata.txt", "__init__.py", "plugin.py", "dependencies.py", "requirements-runtime.txt",
             "resources.qrc", "README.md", "LICENSE", "docs/用户手册.md")
# docs/ ships only the user guide (the dock's 帮助 button and the algorithms' help open it) and its pictures.
TOP_DIRS = ("analysis", "demo", "layers", "ui", "provider", "icons", "i18n", "docs/images")
# Never shipped: caches, editor and merge leftovers, profiler dumps, translation sources (the compiled .qm
# is what QGIS loads), hidden files.
IGNORED_NAMES = ("__pycache__", ".pytest_cache", "*.pyc", "*.pyo", "*.ts", "*.prof", "*~", "*.swp", "*.orig",
                 "*.rej", "*.bak", ".*")
# Nothing inside the shipped folders is left out by path (the bench's point generator lives in scripts/).
IGNORED_PATHS: tuple = ()
# The plugin repository rejects compiled code, and a binary in the plugin would tie it to one platform.
BINARY_SUFFIXES = (".so", ".dll", ".pyd", ".exe", ".dylib", ".o", ".a", ".lib", ".bin", ".com", ".msi")
BINARY_MAGIC = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
# Without these the plugin does not start, or starts in English only.
REQUIRED = ("__init__.py", "metadata.txt", "LICENSE", "dependencies.py", "requirements-runtime.txt",
            "icons/icon.svg", "i18n/bluesky_zoning_zh_CN.qm", "docs/用户手册.md")


class PluginFilesError(RuntimeError):
    """The checkout cannot make a complete, binary-free plugin."""


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED_NAMES)


def _is_binary(path: Path) -> bool:
    if path.suffix.lower() in BINARY_SUFFIXES:
        return True
    with path.open("rb") as fh:
        return fh.read(4).startswith(BINARY_MAGIC)


def plugin_files(root: Path = ROOT, require_all: bool = True) -> List[str]:
    """The plugin's files as sorted POSIX paths relative to root.

    Raises PluginFilesError when a binary lies anywhere in the plugin folders (even where it would be ignored),
    or, with require_all, when a file of REQUIRED is missing (the .qm comes from `make translations`).
    """
    found, binaries = [], []
    for name in TOP_FILES:
        if (root / name).is_file():
            found.append(name)
    for top in TOP_DIRS:
        base = root / top
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            if _is_binary(path):
                binaries.append(rel)
                continue
            if rel in IGNORED_PATHS or any(_ignored(part) for part in path.relative_to(root).parts):
                continue
            found.append(rel)
    if binaries:
        raise PluginFilesError("binary files in the plugin folders (QGIS's plugin repository refuses them): "
                               + ", ".join(binaries))
    if require_all:
        missing = [name for name in REQUIRED if name not in found]
        if missing:
            hint = " (run `make translations` for the .qm)" if any(m.endswith(".qm") for m in missing) else ""
            raise PluginFilesError("missing from the plugin: " + ", ".join(missing) + hint)
    return sorted(found)
