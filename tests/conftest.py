"""Test session set-up shared by analysis and plugin tests.

The repository root *is* the plugin package, and a clone's folder name is not the package name, so the
tests import it as ``bluesky_zoning`` through a link under ``.build/pkg`` that points at the checkout.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG_PARENT = ROOT / ".build" / "pkg"


def _link_package() -> None:
    PKG_PARENT.mkdir(parents=True, exist_ok=True)
    link = PKG_PARENT / "bluesky_zoning"
    if link.is_symlink() and link.resolve() != ROOT:
        link.unlink()
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    if str(PKG_PARENT) not in sys.path:
        sys.path.insert(0, str(PKG_PARENT))


os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_link_package()
