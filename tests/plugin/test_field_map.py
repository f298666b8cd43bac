"""Layers prepared outside the project through bluesky:run_all: a planning-area layer with only a name, a boiler
list whose fuel column has an unusual name (FIELD_MAP), wrong FIELD_MAP entries; in process and by qgis_process."""
from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box
from test_bad_input import admin_gdf, builtup_gdf, layer, run_all, run_all_error, write_gpkg
from test_qgis_process import _check_exit, _run, config_dir  # noqa: F401 - config_dir is a fixture

PLAN_BOX = (112.05, 37.05, 112.45, 37.45)  # inside 小店区 (太原市) of test_bad_input's toy counties


def boilers_gdf():
    """A coal boiler of 20 t/h in 小店区 whose fuel column is named 类别 (no guess takes it)."""
    return gpd.GeoDataFrame({"编号": ["GL-001"], "单位名称": ["太原第一热力"], "类别": ["燃煤"], "额定蒸发量": ["20"]},
                            geometry=[Point(112.25, 37.25)], crs="EPSG:4326")


def plants_gdf():
    return gpd.GeoDataFrame({"编号": ["QY-001", "QY-002"], "企业名称": ["某钢铁公司", "某铸造公司"],
                             "行业": ["钢铁", "铸造(铸钢)"], "超低排放": ["否", "否"], "绩效分级": ["C", "C"]},
                            geometry=[Point(112.1, 37.1), Point(112.12, 37.1)], crs="EPSG:4326")


def planning_gdf(with_city: bool):
    data = {"规划区名称": ["太原市城市规划区"]}
    if with_city:
        data["city"] = ["太原市"]
    return gpd.GeoDataFrame(data, geometry=[box(*PLAN_BOX)], crs="EPSG:4326")


@pytest.fixture()
def files(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    return {"ADMIN": write_gpkg(admin_gdf(), d / "admin.gpkg"), "BUILTUP": write_gpkg(builtup_gdf(), d / "builtup.gpkg"),
            "BOILERS": write_gpkg(boilers_gdf(), d / "boilers.gpkg"), "PLANTS": write_gpkg(plants_gdf(), d / "plants.gpkg"),
            "PLANNING_AREA": write_gpkg(planning_gdf(False), d / "planning.gpkg"),
            "PLANNING_WITH_CITY": write_gpkg(planning_gdf(True), d / "planning_city.gpkg")}


def _params(qgis_processing, files, out, planning="PLANNING_AREA", **extra):
    from demo_fixture import ensure_provider

    ensure_provider()
    names = {"ADMIN": "admin", "BUILTUP": "builtup", "BOILERS": "boilers", "PLANTS": "plants"}
    p = {key: layer(files[key], name) for key, name in names.items()}
    p["PLANNING_AREA"] = layer(files[planning], "planning")
    p["OUTPUT_DIR"] = str(out)
    p.update(extra)
    return p


def _hits(out):
    flags = pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    return sorted(zip(flags["ent_id"], flags["rule_id"]))


def test_planning_area_without_city_runs_and_flags_as_with_city(qgis_processing, files, tmp_path):
    res, log = run_all(_params(qgis_processing, files, tmp_path / "a", FIELD_MAP="boiler.fuel=类别"))
    _res, _log = run_all(_params(qgis_processing, files, tmp_path / "b", "PLANNING_WITH_CITY",
                                 FIELD_MAP="boiler.fuel=类别"))
    hits = _hits(tmp_path / "a")
    assert hits == _hits(tmp_path / "b")
    assert {("QY-001", "P-PLANAREA"), ("QY-002", "P-PLANAREA"), ("QY-001", "P-ULE"), ("GL-001", "B-35")} <= set(hits)
    assert ("QY-002", "P-ULE") not in hits  # 铸造(铸钢) is a foundry, not a steel works
    zone = pyogrio.read_dataframe(tmp_path / "a" / "zones.gpkg", layer="planning_area", read_geometry=False)
    assert list(zone["city"]) == ["太原市"] and list(zone["name"]) == ["太原市城市规划区"]
    assert "城市规划区图层「planning」没有「所属城市」字段（city）：各规划区所属城市按位置确定（与之重叠面积最大的城市）" in log
    assert "If using all scalar values" not in log


def test_without_field_map_the_unusual_fuel_column_is_said_not_guessed(qgis_processing, files, tmp_path):
    _res, log = run_all(_params(qgis_processing, files, tmp_path / "out"))
    assert "锅炉图层「boilers」没有可用的「燃料类型」字段（fuel）：规则 B-35、B-10、B-CHP、B-BAN、B-NOX 未对该图层评估" in log
    assert not [h for h in _hits(tmp_path / "out") if h[0] == "GL-001"]


@pytest.mark.parametrize("field_map, expected", [
    ("planning.city=所属市", "输入图层有误 / bad input layer: 城市规划区图层「planning」中没有字段「所属市」"),
    ("boiler.fuel=燃料", "锅炉图层「boilers」中没有字段「燃料」（指定给「燃料类型」，boiler.fuel）；该图层的字段有：编号、单位名称、类别、额定蒸发量"),
    ("school.name=校名", "字段对应（FIELD_MAP）有误 / bad FIELD_MAP: 字段对应（FIELD_MAP）第 1 项「school.name=校名」无法识别"),
    ("admin.县=NAME", "行政区划图层没有字段「县」"),
])
def test_a_wrong_field_map_is_a_clear_message(qgis_processing, files, tmp_path, field_map, expected):
    msg = run_all_error(_params(qgis_processing, files, tmp_path / "out", FIELD_MAP=field_map))
    assert expected in msg
    for python in ("ValueError", "KeyError", "Traceback", "InputError"):
        assert python not in msg
    assert not (tmp_path / "out" / "flags.gpkg").exists()


def test_field_map_from_qgis_process(config_dir, files, tmp_path):  # noqa: F811 - the imported fixture
    common = [f"ADMIN={files['ADMIN']}", f"BUILTUP={files['BUILTUP']}", f"BOILERS={files['BOILERS']}",
              f"PLANTS={files['PLANTS']}", f"PLANNING_AREA={files['PLANNING_AREA']}"]
    out = tmp_path / "out"
    proc = _run(["run", "bluesky:run_all", "--", *common, "FIELD_MAP=boiler.fuel=类别;planning.name=规划区名称",
                 f"OUTPUT_DIR={out}"], config_dir)
    _check_exit(proc)
    assert ("GL-001", "B-35") in _hits(out)
    assert "各规划区所属城市按位置确定" in proc.stdout + proc.stderr
    bad = _run(["run", "bluesky:run_all", "--", *common, "FIELD_MAP=planning.city=所属市",
                f"OUTPUT_DIR={tmp_path / 'bad'}"], config_dir)
    assert bad.returncode != 0
    assert "城市规划区图层「planning」中没有字段「所属市」" in bad.stdout + bad.stderr
