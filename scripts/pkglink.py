"""Import the checkout as `bluesky_zoning`, whatever the clone's folder is called.

The repository root is the plugin package; a link `.build/pkg/bluesky_zoning` → root on `sys.path`
gives it its package name. Used by the tests' conftest and by the scripts.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG_PARENT = ROOT / ".build" / "pkg"


def link_package() -> None:
    PKG_PARENT.mkdir(parents=True, exist_ok=True)
    link = PKG_PARENT / "bluesky_zoning"
    if link.is_symlink() and link.resolve() != ROOT:
        link.unlink()
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    if str(PKG_PARENT) not in sys.path:
        sys.path.insert(0, str(PKG_PARENT))
