"""Guessing which spreadsheet column holds which canonical field."""
from __future__ import annotations

from bluesky_zoning.analysis.schema.fields import field_names, guess_field_mapping


def test_boiler_columns_in_chinese_with_units():
    cols = ["序号", "单位名称", "锅炉编号", "经度", "纬度", "燃料类型", "额定蒸发量(t/h)", "用途", "低氮改造", "所在县区"]
    m = guess_field_mapping(cols, "boiler")
    assert m == {"ent_id": "锅炉编号", "name": "单位名称", "lon": "经度", "lat": "纬度", "county_hint": "所在县区",
                 "fuel": "燃料类型", "capacity_tph": "额定蒸发量(t/h)", "use": "用途", "low_nox_done": "低氮改造"}


def test_plant_and_mine_and_chp_columns():
    plant = guess_field_mapping(["企业名称", "编号", "lng", "lat", "行业", "炭化室高度(m)", "超低排放", "绩效分级",
                                 "装机容量(MW)", "大宗货物年运量(万吨)", "日均重型柴油车(辆)"], "plant")
    assert plant["coke_oven_height_m"] == "炭化室高度(m)" and plant["perf_class"] == "绩效分级"
    assert plant["bulk_freight_mt"] == "大宗货物年运量(万吨)" and plant["heavy_trucks_per_day"] == "日均重型柴油车(辆)"
    assert plant["lon"] == "lng" and plant["lat"] == "lat" and plant["ule_done"] == "超低排放"
    mine = guess_field_mapping(["矿山名称", "ID", "X", "Y", "开采方式", "矿种"], "mine")
    assert (mine["name"], mine["ent_id"], mine["lon"], mine["lat"], mine["method"], mine["mineral"]) == (
        "矿山名称", "ID", "X", "Y", "开采方式", "矿种")
    chp = guess_field_mapping(["电厂名称", "经度", "纬度", "装机容量（MW）"], "chp")
    assert chp["capacity_mw"] == "装机容量（MW）" and chp["small_backward_chp"] is None


def test_every_kind_lists_common_fields():
    for kind in ("boiler", "mine", "plant", "chp"):
        assert field_names(kind)[:5] == ["ent_id", "name", "lon", "lat", "county_hint"]
