"""Start the real QGIS desktop under Xvfb on a prepared profile, run check_plugin_in_desktop.py in it and
check its report: shared by test_desktop.py (the `make install` copy) and test_package.py (the zip).

Works with whatever QGIS the machine has (`qgis` on PATH): 3.22 on Debian 12, 3.40 on Debian 13.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Dict, Optional

CHECK = Path(__file__).with_name("check_plugin_in_desktop.py")


def profile_dir(profiles_root: Path) -> Path:
    """The profile QGIS opens with ``--profiles-path profiles_root --profile default``."""
    return profiles_root / "profiles" / "default"


def use_chinese_locale(profile: Path) -> None:
    """Make QGIS start in Simplified Chinese (zh-Hans), as the analysts run it: QGIS's own translation and the
    plugin's .qm must then both be loaded (scripts/desktop_session.py says how, one place for both)."""
    from desktop_session import chinese_locale_ini

    ini = profile / "QGIS" / "QGIS3.ini"
    text = ini.read_text(encoding="utf-8") if ini.exists() else ""
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text(text + chinese_locale_ini(), encoding="utf-8")


def run_check(profiles_root: Path, extra_env: Optional[Dict[str, str]] = None, timeout: int = 240) -> dict:
    """Run the desktop with the check script; returns its JSON report (written beside a screenshot)."""
    report = profiles_root / "desktop_report.json"
    env = dict(os.environ, BLUESKY_DESKTOP_REPORT=str(report), **(extra_env or {}))
    env.pop("QT_QPA_PLATFORM", None)  # the real desktop draws on the Xvfb screen
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--profiles-path", str(profiles_root),
           "--profile", "default", "--nologo", "--noversioncheck", "--code", str(CHECK)]
    # QGIS 3.22 may abort while tearing down at exit; the report written before quitting is what counts.
    proc = subprocess.run(cmd, env=env, timeout=timeout, capture_output=True)
    assert report.exists(), "QGIS desktop did not run the check script:\n" + proc.stderr.decode(errors="replace")[-3000:]
    return json.loads(report.read_text(encoding="utf-8"))


def assert_plugin_worked(result: dict, profiles_root: Path) -> None:
    """The plugin loaded, showed its Chinese menu and dock, registered its provider and unloaded cleanly."""
    assert "error" not in result, result.get("traceback")
    assert result["loaded"] and result["active"]
    assert result["provider_registered"]
    assert result["menu"], "no menu entry for the plugin"
    assert result["menu"][0][1] == "蓝天管控 Blue Sky"
    assert result["menu"][0][3] == "打开面板"  # the plugin's Chinese loaded (its zh_CN .qm for QGIS's zh-Hans)
    # QGIS itself in Chinese too: its main menus (工程, 编辑, 视图 …), not "Project", "Edit", "View"
    menus = result.get("main_menus", [])
    assert any("工程" in m for m in menus) and not any(m.startswith(("Project", "Edit", "View")) for m in menus), menus
    assert result["dock_visible"] and result["dock_title"] == "蓝天管控分区"
    assert result["unloaded"]
    assert not result["provider_after_unload"]
    assert result["menu_after_unload"] == []
    assert result["unload_errors"] == [], result["unload_errors"]
    assert result["plugin_errors"] == [], result["plugin_errors"]
    # QGIS's plugin manager lists it without error. Its description: description[zh_CN] where QGIS follows its
    # own locale setting (zh_CN here); QGIS 3.22 follows the system locale, so shows the bilingual description=.
    manager = result["plugin_manager"]
    assert manager is not None and manager["error"] == "", manager
    assert manager["description"].startswith(("按《山西省打赢蓝天保卫战2020年决战计划》", "Maps what Shanxi's 2020 Blue Sky plan")), manager
    assert "山西省打赢蓝天保卫战" in manager["description"]
    assert (profiles_root / "desktop_report.png").stat().st_size > 10_000
