"""The plugin installed as a user installs it, driven by `qgis_process` from a shell."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyogrio
import pytest

ROOT = Path(__file__).resolve().parents[2]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # the Debian wrapper adds an option qgis_process rejects

@pytest.fixture(scope="module")
def config_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("qgis_config")
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir",
                    str(root / "profiles" / "default")], check=True, capture_output=True)
    return root


def _env(config_dir: Path) -> dict:
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(config_dir), QT_QPA_PLATFORM="offscreen")
    for key in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(key, None)
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if ".venv" not in p)
    return env


def _run(args, config_dir: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([QGIS_PROCESS] + args, env=_env(config_dir), capture_output=True, text=True, timeout=timeout)


def _check_exit(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_qgis_process_lists_the_algorithms(config_dir):
    proc = _run(["list"], config_dir, timeout=120)
    for alg in ("bluesky:run_all", "bluesky:import_list", "bluesky:build_zones", "bluesky:flag_enterprises"):
        assert alg in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    _check_exit(proc)


def test_qgis_process_imports_and_runs_all(config_dir, tmp_path):
    from bluesky_zoning.demo.data import ensure_demo_data

    demo = ensure_demo_data(tmp_path / "demo")
    boilers = tmp_path / "boilers.gpkg"
    proc = _run(["run", "bluesky:import_list", "--", f"INPUT={demo.boilers}", "KIND=0", "COORD_SYSTEM=2",
                 f"OUTPUT={boilers}"], config_dir)
    assert boilers.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    mines = tmp_path / "mines.gpkg"
    proc = _run(["run", "bluesky:import_list", "--", f"INPUT={demo.mines}", "KIND=1", "COORD_SYSTEM=0",
                 f"OUTPUT={mines}"], config_dir)
    assert mines.exists(), proc.stderr[-2000:]
    out = tmp_path / "out"
    proc = _run(["run", "bluesky:run_all", "--", f"ADMIN={demo.admin_gpkg}|layername=counties",
                 f"BUILTUP={demo.builtup_tif}", f"BOILERS={boilers}", f"MINES={mines}", "MINE_RING_KM=5",
                 f"OUTPUT_DIR={out}"], config_dir)
    assert (out / "zones.gpkg").exists() and (out / "flags.gpkg").exists()
    hits = pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_flags")
    assert len(hits) > 0 and {"B-35", "B-BAN", "M-OPEN"} <= set(hits["rule_id"])
    assert "FLAGS" in proc.stdout
    _check_exit(proc)
