"""The plugin zip of `make package`: what the QGIS plugin repository and "Install from ZIP" take, a plugins.xml
that QGIS's plugin manager reads, and the zip installed into a fresh profile, loaded by the real desktop."""
from __future__ import annotations

import configparser
import importlib.util
import re
import shutil
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from desktop_run import assert_plugin_worked, profile_dir, run_check, use_chinese_locale
from install_plugin import copy_plugin, enable_in_ini  # scripts/, on the path through tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]

TOP = "bluesky_zoning/"
REQUIRED_METADATA = ("name", "description", "about", "version", "qgisMinimumVersion", "qgisMaximumVersion", "author",
                     "email", "homepage", "tracker", "repository", "tags", "category", "icon", "changelog")
CJK = re.compile(r"[\u4e00-\u9fff]")
QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")  # Qt's compiled translation header


def _version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _metadata(text):
    """Read as QGIS and the plugin repository read it: configparser with interpolation, keys as written."""
    parser = configparser.ConfigParser()
    parser.optionxform = str
    parser.read_string(text)
    return dict(parser.items("general"))


def _changelog_md():
    """CHANGELOG.md as [(version, [change lines])], read independently of scripts/package.py."""
    sections = []
    for line in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections and line.startswith("- "):
            sections[-1][1].append(line)
    return sections


def _qgis_installer_module(qgis_app, name):
    """A module of QGIS's own plugin installer (pyplugin_installer), loaded by path without the GUI package."""
    from qgis.core import QgsApplication

    path = Path(QgsApplication.pkgDataPath()) / "python" / "pyplugin_installer" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_qgis_installer_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`make package` into a temporary dist: Debian's python, standard library only."""
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(["/usr/bin/python3", "-s", str(ROOT / "scripts" / "package.py"), "--dist", str(dist)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    version = _metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))["version"]
    return dist, version, dist / f"bluesky_zoning-{version}.zip"


def test_zip_is_what_the_plugin_repository_accepts(built, tmp_path):
    dist, version, zip_path = built
    assert sorted(p.name for p in dist.glob("*.zip")) == [f"bluesky_zoning-{version}.zip"]
    assert zip_path.stat().st_size < 25_000_000
    with zipfile.ZipFile(zip_path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        contents = {name: zf.read(name) for name in names}
    # one top folder, no path tricks, nothing the repository's validator refuses
    assert names and all(name.startswith(TOP) for name in names)
    assert all(".." not in name and not name.startswith("/") for name in names)
    assert not [n for n in names if ".pyc" in n or {"__pycache__", ".git", "__MACOSX"} & set(n.split("/"))]
    # no tests, scripts, benchmarks, developer docs, build or venv folders, no translation sources, no binaries;
    # of docs/ only the user guide the 帮助 button opens, with its pictures
    parts = {part for name in names for part in name.split("/")[1:-1]}
    assert not parts & {"tests", "scripts", ".venv", ".build", "out", "dist", ".cache"}
    assert [n for n in names if "/docs/" in n and not n.startswith(TOP + "docs/images/")] == [TOP + "docs/用户手册.md"]
    assert not [n for n in names if n.endswith((".ts", ".so", ".dll", ".pyd", ".exe", ".dylib")) or "bench" in n]
    assert not [n for n, data in contents.items() if data[:4] == b"\x7fELF" or data[:2] == b"MZ"]
    # what the plugin needs at run time
    for rel in ("__init__.py", "metadata.txt", "plugin.py", "dependencies.py", "requirements-runtime.txt",
                "icons/icon.svg", "analysis/data/plan_rules.yaml", "layers/atlas/templates/atlas.qpt",
                "layers/styles/enterprise_verdicts.qml", "ui/dock.ui", "docs/用户手册.md"):
        assert TOP + rel in contents, rel
    assert contents[TOP + "i18n/bluesky_zoning_zh_CN.qm"].startswith(QM_MAGIC)
    license_text = contents[TOP + "LICENSE"].decode("utf-8")
    assert "GPL-2.0-or-later" in license_text.splitlines()[0]
    assert "GNU GENERAL PUBLIC LICENSE" in license_text and "Version 2, June 1991" in license_text
    # every Python file compiles
    for name in (n for n in names if n.endswith(".py")):
        compile(contents[name], name, "exec")
    # the same files, byte for byte, as `make install` puts into a profile
    installed = copy_plugin(tmp_path / "plugins")
    installed_files = {p.relative_to(installed).as_posix(): p.read_bytes() for p in installed.rglob("*") if p.is_file()}
    assert {TOP + rel: data for rel, data in installed_files.items()} == contents


def test_zip_metadata_is_complete_and_carries_the_changelog(built, qgis_app):
    _, version, zip_path = built
    with zipfile.ZipFile(zip_path) as zf:
        text = zf.read(TOP + "metadata.txt").decode("utf-8")
        names = zf.namelist()
    meta = _metadata(text)
    missing = [key for key in REQUIRED_METADATA if not meta.get(key, "").strip()]
    assert not missing
    assert meta["version"] == version
    assert _version_tuple(meta["qgisMinimumVersion"]) <= (3, 22)
    assert _version_tuple(meta["qgisMaximumVersion"]) >= (4, 0)
    assert TOP + meta["icon"] in names
    for key in ("name", "description", "about"):  # English and Chinese
        assert CJK.search(meta[key]) and re.search(r"[A-Za-z]{4}", meta[key]), key
    for key in ("description[zh_CN]", "about[zh_CN]"):  # what a Chinese QGIS shows in its plugin manager
        assert CJK.search(meta[key]), key
    # QGIS's own compatibility check (pyplugin_installer) admits 3.22 … 4.x
    compare = _qgis_installer_module(qgis_app, "version_compare")
    for qgis_version in ("3.22.16", "3.40.6", "3.44.0", "4.0.0", "4.2.3"):
        assert compare.isCompatible(qgis_version, meta["qgisMinimumVersion"], meta["qgisMaximumVersion"])
    assert compare.isCompatible(compare.pyQgisVersion(), meta["qgisMinimumVersion"], meta["qgisMaximumVersion"])
    # changelog: CHANGELOG.md, newest first, the newest being this version
    sections = _changelog_md()
    assert sections[0][0] == version
    expected = [line for ver, changes in sections for line in [ver] + changes]
    assert meta["changelog"].splitlines() == expected
    # the repository's metadata.txt is the zip's (`make install` shows the same changelog)
    assert (ROOT / "metadata.txt").read_text(encoding="utf-8") == text, \
        "metadata.txt's changelog differs from CHANGELOG.md: run python3 scripts/package.py --sync-metadata"


def test_plugins_xml_lists_the_zip_for_qgis_plugin_manager(built):
    dist, version, zip_path = built
    root = ET.parse(dist / "plugins.xml").getroot()
    assert root.tag == "plugins"
    (plugin,) = root.findall("pyqgis_plugin")
    assert plugin.get("version") == version and plugin.findtext("version") == version
    assert plugin.get("name") == _metadata((ROOT / "metadata.txt").read_text(encoding="utf-8"))["name"]
    # QGIS takes the plugin's id from file_name up to the first dot
    assert plugin.findtext("file_name").partition(".")[0] == "bluesky_zoning"
    assert _version_tuple(plugin.findtext("qgis_maximum_version")) >= (4, 0)
    for tag in ("description", "about", "author_name", "homepage", "tracker", "repository", "tags", "changelog",
                "uploaded_by", "create_date", "update_date", "experimental", "deprecated", "icon"):
        assert (plugin.findtext(tag) or "").strip(), tag
    download = plugin.findtext("download_url")
    assert download.endswith(f"/bluesky_zoning-{version}.zip")
    with urllib.request.urlopen(download) as response:  # the default URL is the zip itself (file://)
        assert response.read() == zip_path.read_bytes()
    with urllib.request.urlopen(plugin.findtext("icon")) as response:
        assert b"<svg" in response.read()
    # --base-url: where a bureau's intranet server will serve the folder
    other = dist / "intranet"
    proc = subprocess.run(["/usr/bin/python3", "-s", str(ROOT / "scripts" / "package.py"), "--dist", str(other),
                           "--base-url", "http://gis.example.gov.cn/qgis-plugins"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    plugin = ET.parse(other / "plugins.xml").getroot().find("pyqgis_plugin")
    assert plugin.findtext("download_url") == f"http://gis.example.gov.cn/qgis-plugins/bluesky_zoning-{version}.zip"


def _checkout_copy(dest: Path) -> Path:
    """The checkout without its venv, caches and outputs: a tree package.py can be pointed at and broken."""
    skip = shutil.ignore_patterns(".venv", ".build", ".git", "out", "dist", ".cache", "__pycache__", ".pytest_cache")
    shutil.copytree(ROOT, dest, ignore=skip)
    return dest


def test_package_refuses_binaries_missing_qm_and_version_mismatch(tmp_path):
    tree = _checkout_copy(tmp_path / "tree")
    dist = tmp_path / "dist"

    def build():
        return subprocess.run(["/usr/bin/python3", "-s", str(tree / "scripts" / "package.py"), "--dist", str(dist)],
                              capture_output=True, text=True, timeout=120)

    assert build().returncode == 0
    (zip_before,) = dist.glob("*.zip")
    before = zip_before.read_bytes()
    # a compiled extension slipped into a plugin folder: no zip, the old one untouched, no temporary left
    (tree / "analysis" / "_speedups.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF\x02\x01\x01")
    proc = build()
    assert proc.returncode == 1 and "analysis/_speedups" in proc.stderr and "binary" in proc.stderr
    assert zip_before.read_bytes() == before
    assert sorted(p.name for p in dist.iterdir()) == sorted([zip_before.name, "plugins.xml", "bluesky_zoning.svg"])
    (tree / "analysis" / "_speedups.cpython-311-x86_64-linux-gnu.so").unlink()
    # the .qm not compiled
    (tree / "i18n" / "bluesky_zoning_zh_CN.qm").unlink()
    proc = build()
    assert proc.returncode == 1 and "bluesky_zoning_zh_CN.qm" in proc.stderr and "make translations" in proc.stderr
    shutil.copyfile(ROOT / "i18n" / "bluesky_zoning_zh_CN.qm", tree / "i18n" / "bluesky_zoning_zh_CN.qm")
    # a version without its CHANGELOG.md section
    meta = tree / "metadata.txt"
    meta.write_text(meta.read_text(encoding="utf-8").replace("\nversion=", "\nversion=9.9.9\n#was="), encoding="utf-8")
    proc = build()
    assert proc.returncode == 1 and "CHANGELOG.md" in proc.stderr and "9.9.9" in proc.stderr


def test_zip_installed_like_the_plugin_manager_loads_in_qgis_desktop(built, tmp_path, qgis_app):
    dist, version, zip_path = built
    profile = profile_dir(tmp_path)
    plugins_dir = profile / "python" / "plugins"
    # "Install from ZIP": the folder of the first metadata.txt names the plugin; QGIS's own unzip extracts it
    with zipfile.ZipFile(zip_path) as zf:
        plugin_name = sorted(n for n in zf.namelist() if n.endswith("metadata.txt"))[0].split("/")[0]
    assert plugin_name == "bluesky_zoning"
    _qgis_installer_module(qgis_app, "unzip").unzip(str(zip_path), str(plugins_dir))
    enable_in_ini(profile / "QGIS" / "QGIS3.ini", plugin_name)
    use_chinese_locale(profile)
    result = run_check(tmp_path, {"BLUESKY_REPO_URL": (dist / "plugins.xml").as_uri()})
    assert_plugin_worked(result, tmp_path)
    assert Path(result["plugin_dir"]).resolve() == (plugins_dir / "bluesky_zoning").resolve()
    assert result["metadata"]["version"] == version
    assert result["metadata"]["changelog"].splitlines()[0] == version
    assert result["plugin_manager"]["version_installed"] == version
    # the plugins.xml, added as a plugin repository, is read by QGIS's plugin manager
    repo = result["repository"]
    assert repo["fetched"] and not repo["error"], repo
    (listed,) = repo["plugins"]
    assert listed["id"] == "bluesky_zoning" and listed["version_available"] == version
    assert listed["download_url"] == zip_path.as_uri()
    qgis_xy = ".".join(result["qgis_version"].split("-")[0].split(".")[:2])
    shots = ROOT / "out" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "desktop_report.png", shots / f"zip_desktop_{qgis_xy}.png")
