"""The plugin installed as users install it, loaded by the real QGIS desktop under Xvfb."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("desktop") / "check_plugin_in_desktop.py"


def _install(profiles_root: Path) -> Path:
    profile = profiles_root / "profiles" / "default"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)], check=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    text = ini.read_text(encoding="utf-8")
    ini.write_text(text + "\n[locale]\nuserLocale=zh_CN\noverrideFlag=true\n", encoding="utf-8")
    return profile


def test_plugin_loads_opens_dock_and_unloads_in_qgis_desktop(tmp_path):
    profile = _install(tmp_path)
    assert (profile / "python" / "plugins" / "bluesky_zoning" / "metadata.txt").exists()
    report = tmp_path / "desktop_report.json"
    env = dict(os.environ, BLUESKY_DESKTOP_REPORT=str(report))
    env.pop("QT_QPA_PLATFORM", None)  # the real desktop draws on the Xvfb screen
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(tmp_path),
           "--profile", "default", "--nologo", "--noversioncheck", "--code", str(CHECK)]
    # QGIS 3.22 may abort while tearing down at exit; the report written before quitting is what counts.
    subprocess.run(cmd, env=env, timeout=240, capture_output=True)
    assert report.exists(), "QGIS desktop did not run the check script"
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["loaded"] and result["active"]
    assert result["provider_registered"]
    assert result["menu"], "no menu entry for the plugin"
    assert result["menu"][0][1] == "蓝天管控 Blue Sky"
    assert result["menu"][0][3] == "打开面板"  # zh_CN translation loaded
    assert result["dock_visible"] and result["dock_title"] == "蓝天管控分区"
    assert result["unloaded"]
    assert not result["provider_after_unload"]
    assert result["menu_after_unload"] == []
    assert result["unload_errors"] == []
    assert result["plugin_errors"] == []
    assert (tmp_path / "desktop_report.png").stat().st_size > 10_000
