"""The plugin installed as users install it, loaded by the real QGIS desktop under Xvfb."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop_run import assert_plugin_worked, profile_dir, run_check, use_chinese_locale

ROOT = Path(__file__).resolve().parents[2]


def _install(profiles_root: Path) -> Path:
    profile = profile_dir(profiles_root)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)], check=True)
    use_chinese_locale(profile)
    return profile


def test_plugin_loads_opens_dock_and_unloads_in_qgis_desktop(tmp_path):
    profile = _install(tmp_path)
    assert (profile / "python" / "plugins" / "bluesky_zoning" / "metadata.txt").exists()
    result = run_check(tmp_path)
    assert_plugin_worked(result, tmp_path)
    assert Path(result["plugin_dir"]) == profile / "python" / "plugins" / "bluesky_zoning"
