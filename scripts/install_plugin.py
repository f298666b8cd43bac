#!/usr/bin/env python3
"""Install the plugin into a QGIS profile and enable it, as `make install` does.

Copies the plugin files (scripts/plugin_files.py: the same files as the zip of `make package`) into
``<profile>/python/plugins/bluesky_zoning`` through a temporary folder swapped in at the end, then sets
``[PythonPlugins] bluesky_zoning=true`` in ``<profile>/QGIS/QGIS3.ini``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plugin_files import PLUGIN_NAME, ROOT, plugin_files  # noqa: E402  (the same file list as the zip)


def copy_plugin(dest_parent: Path) -> Path:
    """Copy the plugin into dest_parent/bluesky_zoning, replacing an older copy whole."""
    dest_parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}-", dir=dest_parent))
    target = staging / PLUGIN_NAME
    target.mkdir()
    for rel in plugin_files(ROOT):
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target / rel)
    final = dest_parent / PLUGIN_NAME
    old = dest_parent / f".{PLUGIN_NAME}-old"
    if old.exists():
        shutil.rmtree(old)
    if final.is_symlink():
        final.unlink()
    elif final.exists():
        final.rename(old)
    target.rename(final)
    shutil.rmtree(staging)
    if old.exists():
        shutil.rmtree(old)
    return final


def enable_in_ini(ini_path: Path, key: str = PLUGIN_NAME) -> None:
    """Set ``key=true`` under [PythonPlugins], leaving every other line of the file as it was."""
    ini_path.parent.mkdir(parents=True, exist_ok=True)
    lines = ini_path.read_text(encoding="utf-8").splitlines() if ini_path.exists() else []
    out, in_section, done = [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if in_section and not done:
                out.append(f"{key}=true")
                done = True
            in_section = stripped == "[PythonPlugins]"
        elif in_section and stripped.split("=", 1)[0].strip() == key:
            line, done = f"{key}=true", True
        out.append(line)
    if not done:
        if not in_section:
            out += ["", "[PythonPlugins]"] if out else ["[PythonPlugins]"]
        out.append(f"{key}=true")
    tmp = ini_path.with_suffix(".ini.tmp")
    tmp.write_text("\n".join(out) + "\n", encoding="utf-8")
    tmp.replace(ini_path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile-dir", required=True, type=Path, help="QGIS profile folder, e.g. ~/.local/share/QGIS/QGIS3/profiles/default")
    args = parser.parse_args(argv)
    profile = args.profile_dir.expanduser()
    installed = copy_plugin(profile / "python" / "plugins")
    enable_in_ini(profile / "QGIS" / "QGIS3.ini")
    print(f"installed {installed} and enabled it in {profile / 'QGIS' / 'QGIS3.ini'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
