"""Every rule of RULES.md §2: one hand-made case that must flag and one just across the boundary."""
from __future__ import annotations

import math

import numpy as np
import pytest

NOTE = "1+30 名单为预置参考名单，请以省大气办正式文件为准"


def _row(eid, lon, lat, **kw):
    return {"ent_id": eid, "name": f"企业{eid}", "lon": lon, "lat": lat, **kw}


def test_b35_threshold(judge, toy):
    x, y = toy.county_centre("小店区")
    res, hits = judge("boiler", [_row("b1", x, y, fuel="燃煤", capacity_tph="34.9蒸吨", use="生产"),
                                 _row("b2", x + 0.01, y, fuel="煤", capacity_tph="35 t/h", use="生产")])
    assert hits == {"b1": {"B-35"}}
    assert toy.reason_of(res, "b1", "B-35") == "燃煤锅炉 34.9 蒸吨/小时 < 35，位于太原市（京津冀及周边地区）"
    row = res.flags.iloc[0]
    assert (row["clause"], row["deadline"], row["county"], row["adcode"]) == ("三(二)10", "2020-10-01前", "小店区",
                                                                            "140105")
    assert "省生态环境厅" in row["lead_dept"] and math.isnan(row["distance_km"])


def test_b10_threshold_outside_key_cities(judge, toy):
    x, y = toy.county_centre("阳高县")
    res, hits = judge("boiler", [_row("b1", x, y, fuel="原煤", capacity_tph=10, use="供暖"),
                                 _row("b2", x, y + 0.01, fuel="原煤", capacity_tph=10.1, use="供暖"),
                                 _row("b3", *toy.county_centre("小店区"), fuel="原煤", capacity_tph=10, use="生产")])
    assert hits["b1"] == {"B-10"} and "b2" not in hits
    assert hits["b3"] == {"B-35"}  # a key city: B-35 applies, not B-10
    assert toy.reason_of(res, "b1", "B-10") == "燃煤锅炉 10 蒸吨/小时 ≤ 10，位于大同市（其他地区）"


def test_bchp_ring_is_true_ground_distance(judge, toy):
    px, py = toy.county_centre("清徐县")
    near = toy.offset(px, py, 0.0, 14_900.0)
    far = toy.offset(px, py, 0.0, 15_100.0)
    small = toy.offset(*toy.county_centre("榆次区"), 45.0, 5_000.0)  # 5 km from a 299 MW plant
    res, hits = judge("boiler", [_row("near", *near, fuel="燃煤", capacity_tph=50, use="采暖"),
                                 _row("far", *far, fuel="燃煤", capacity_tph=50, use="采暖"),
                                 _row("small", *small, fuel="燃煤", capacity_tph=50, use="采暖")])
    assert hits == {"near": {"B-CHP"}}
    f = res.flags.iloc[0]
    assert f["distance_km"] == pytest.approx(14.9, abs=0.001)
    assert toy.reason_of(res, "near", "B-CHP") == (
        "燃煤供热锅炉距 清徐热电厂（300 MW）14.9 公里，在 15 公里供热半径内，位于太原市清徐县")
    assert f["action"] == "关停整合燃煤供热锅炉" and f["action_class"] == "merge"


def test_bchp_needs_heating_use(judge, toy):
    px, py = toy.county_centre("清徐县")
    res, hits = judge("boiler", [_row("ind", *toy.offset(px, py, 0.0, 5000), fuel="燃煤", capacity_tph=50,
                                      use="工业生产")])
    assert hits == {}
    assert res.counts.iloc[0]["clear"] == 1


def test_small_backward_chp(judge, toy):
    px, py = toy.county_centre("清徐县")
    rows = [_row("s1", *toy.offset(px, py, 90.0, 10_000), capacity_mw="100MW", small_backward_chp="是"),
            _row("s2", *toy.offset(px, py, 90.0, 15_100), capacity_mw="100MW", small_backward_chp="是"),
            _row("big", px, py, capacity_mw="30万千瓦", small_backward_chp="否")]
    res, hits = judge("chp", rows)
    assert hits == {"s1": {"B-SMALLCHP"}}
    assert toy.reason_of(res, "s1", "B-SMALLCHP").startswith("落后燃煤小热电距 清徐热电厂（300 MW）10 公里")


def test_bban_inside_builtup_only(judge, toy):
    bx, by = toy.county_centre("清徐县")
    bx, by = bx - 0.15, by - 0.15  # the 清徐 built-up square's centre, half-width 0.03°
    outside = toy.offset(bx + 0.03, by, 90.0, 200.0)
    res, hits = judge("boiler", [_row("in", bx, by, fuel="燃煤", capacity_tph=50, use="生产"),
                                 _row("out", *outside, fuel="燃煤", capacity_tph=50, use="生产")])
    assert hits == {"in": {"B-BAN"}}
    assert toy.reason_of(res, "in", "B-BAN") == "燃煤锅炉位于太原市清徐县建成区（禁煤区）内"


def test_bnox_gas_without_low_nox(judge, toy):
    x, y = toy.county_centre("阳高县")
    res, hits = judge("boiler", [_row("g1", x, y, fuel="天然气", capacity_tph=4, low_nox_done="未完成"),
                                 _row("g2", x, y, fuel="燃气", capacity_tph=4, low_nox_done="已完成")])
    assert hits == {"g1": {"B-NOX"}}
    assert toy.reason_of(res, "g1", "B-NOX") == "燃气锅炉未完成低氮改造，位于大同市阳高县"


def test_mopen_ring_from_builtup_edge(judge, toy):
    cx, cy = toy.county_centre("小店区")
    edge = (cx - 0.15 + 0.03, cy - 0.15)  # east edge of the 小店 built-up square
    qx, qy = toy.county_centre("清徐县")
    rows = [_row("m1", *toy.offset(*edge, 90.0, 2_900), method="露天开采", mineral="石灰岩"),
            _row("m2", *toy.offset(*edge, 90.0, 3_100), method="露天", mineral="石灰岩"),
            _row("m3", *toy.offset(*edge, 90.0, 1_000), method="井工", mineral="煤"),
            _row("m4", qx - 0.15, qy - 0.15, method="露天", mineral="砂石")]  # 清徐: a county, not 设区市
    res, hits = judge("mine", rows)
    assert hits == {"m1": {"M-OPEN"}}
    assert toy.reason_of(res, "m1", "M-OPEN") == "露天矿山位于太原市设区市建成区及周边 3 公里范围内（小店区）"


def test_pcoke43_must_exit(judge, toy):
    x, y = toy.county_centre("小店区")
    res, hits = judge("plant", [_row("k1", x, y, industry="焦化", coke_oven_height_m="4.3米"),
                                _row("k2", x, y, industry="焦化", coke_oven_height_m="4.4m")])
    assert hits == {"k1": {"P-COKE43"}}
    assert toy.reason_of(res, "k1", "P-COKE43") == "焦炉炭化室高度 4.3 米 ≤ 4.3 米，位于太原市，按已批准的压减方案退出"


def test_pcoke43_strive_in_1p30_members_only(judge, toy):
    res, hits = judge("plant", [_row("k1", *toy.county_centre("榆次区"), industry="焦化", coke_oven_height_m=4.3),
                                _row("k2", *toy.county_centre("和顺县"), industry="焦化", coke_oven_height_m=4.3)])
    assert hits == {"k1": {"P-COKE43-1P30"}}
    reason = toy.reason_of(res, "k1", "P-COKE43-1P30")
    assert reason.startswith("焦炉炭化室高度 4.3 米 ≤ 4.3 米，位于“1+30”区域晋中市榆次区，力争全部退出")
    assert NOTE in reason and NOTE in res.notes


def test_pplanarea_class(judge, toy):
    x, y = toy.county_centre("小店区")
    bx, by = x - 0.15, y - 0.15
    res, hits = judge("plant", [_row("s1", bx, by, industry="钢铁", perf_class="C级", ule_done="是"),
                                _row("s2", bx, by, industry="钢铁", perf_class="B级", ule_done="是"),
                                _row("s3", bx, by, industry="铸造", perf_class="A", ule_done="是")])
    assert hits == {"s1": {"P-PLANAREA"}}
    assert toy.reason_of(res, "s1", "P-PLANAREA") == "钢铁企业绩效分级为 C 级（未达 A、B 级），位于太原市规划区内"


def test_pule_1p30_and_everywhere(judge, toy):
    rows = [_row("s1", *toy.county_centre("榆次区"), industry="钢铁", ule_done="否", perf_class="A"),
            _row("s2", *toy.county_centre("和顺县"), industry="钢铁", ule_done="否", perf_class="A"),
            _row("s3", *toy.county_centre("和顺县"), industry="钢铁", ule_done="是", perf_class="A")]
    res, hits = judge("plant", rows)
    assert hits == {"s1": {"P-ULE1P30", "P-ULE"}, "s2": {"P-ULE"}}
    assert toy.reason_of(res, "s2", "P-ULE") == "钢铁企业未完成有组织排放超低排放改造，位于晋中市和顺县"
    v = res.verdicts.set_index("ent_id")
    assert v.loc["s1", "verdict"] == "退出未完成超低排放改造的钢铁企业"  # exit beats retrofit
    assert v.loc["s1", "rule_ids"] == "P-ULE1P30,P-ULE"


def test_pdryq(judge, toy):
    x, y = toy.county_centre("榆次区")
    res, hits = judge("plant", [_row("k1", x, y, industry="焦化", coke_oven_height_m=5.5),
                                _row("k2", x, y, industry="焦化", coke_oven_height_m=5.4)])
    assert hits == {"k1": {"P-DRYQ"}}
    assert toy.reason_of(res, "k1", "P-DRYQ").startswith("焦炉炭化室高度 5.5 米 ≥ 5.5 米，位于“1+30”区域晋中市榆次区")


def test_pcluster(judge, toy):
    res, hits = judge("plant", [_row("c1", *toy.county_centre("介休市"), industry="化工"),
                                _row("c2", *toy.county_centre("和顺县"), industry="化工")])
    assert hits == {"c1": {"P-CLUSTER"}}
    assert toy.reason_of(res, "c1", "P-CLUSTER") == "工业企业位于产业集群综合整治县 晋中市介休市"


def test_trail_threshold_and_builtup_target(judge, toy):
    x, y = toy.county_centre("和顺县")
    qx, qy = toy.county_centre("清徐县")
    res, hits = judge("plant", [_row("r1", x, y, industry="化工", bulk_freight_mt="150万吨"),
                                _row("r2", x, y, industry="化工", bulk_freight_mt=149),
                                _row("r3", qx - 0.15, qy - 0.15, industry="化工", bulk_freight_mt=200),
                                _row("r4", x, y, industry="化工")])
    assert hits == {"r1": {"T-RAIL"}, "r3": {"T-RAIL"}}
    assert toy.reason_of(res, "r1", "T-RAIL") == ("大宗货物年运量 150 万吨 ≥ 150 万吨，铁路专用线：未填，建成后铁路运输比例目标 80%，"
                                                "位于晋中市和顺县")
    assert "铁路运输比例目标 90%" in toy.reason_of(res, "r3", "T-RAIL")
    assert res.counts.iloc[0]["clear"] == 2  # a blank freight is "not a large shipper", not a problem


def test_tgate(judge, toy):
    x, y = toy.county_centre("和顺县")
    res, hits = judge("plant", [_row("t1", x, y, industry="焦化", heavy_trucks_per_day="10辆", coke_oven_height_m=6),
                                _row("t2", x, y, industry="焦化", heavy_trucks_per_day=9, coke_oven_height_m=6)])
    assert hits == {"t1": {"T-GATE"}}
    assert toy.reason_of(res, "t1", "T-GATE") == "重型柴油货车日运输量 10 辆 ≥ 10 辆，位于晋中市和顺县"


def test_to_verify_and_counts(judge, toy):
    x, y = toy.county_centre("小店区")
    gap_x = toy.county_box("小店区")[2] + 0.02  # between two counties
    rows = [_row("ok", x, y, fuel="燃煤", capacity_tph=20, use="生产"),
            _row("vague", x, y, fuel="燃煤", capacity_tph="约20吨", use="生产"),
            _row("gap", gap_x, y, fuel="燃煤", capacity_tph=20, use="生产"),
            _row("nogeo", None, None, fuel="燃煤", capacity_tph=20, use="生产"),
            _row("wood", x, y, fuel="木柴?", capacity_tph=20, use="生产"),
            _row("dup", x, y, fuel="燃气", capacity_tph=2, use="生产", low_nox_done="是"),
            _row("dup", x, y, fuel="燃气", capacity_tph=2, use="生产", low_nox_done="是"),
            _row("clear", x, y, fuel="燃煤", capacity_tph=40, use="生产")]
    res, hits = judge("boiler", rows)
    assert hits == {"ok": {"B-35"}}
    c = res.counts.iloc[0]
    assert (c["count_in"], c["flagged"], c["to_verify"], c["clear"]) == (8, 1, 6, 1)
    assert c["count_in"] == c["flagged"] + c["clear"] + c["to_verify"]
    problems = dict(zip(res.to_verify["ent_id"] + "|" + res.to_verify["field"], res.to_verify["problem"]))
    assert problems["vague|capacity_tph"] == "额定蒸发量 '约20吨' 无法解析"
    assert "不在任何县区范围内" in problems["gap|lon,lat"]
    assert problems["nogeo|lon,lat"] == "缺少经纬度，无法定位"
    assert problems["wood|fuel"] == "燃料类型 '木柴?' 无法识别"
    assert "重复" in problems["dup|ent_id"]
    assert res.clear == 1


def test_rule_switched_off_and_threshold_changed(judge, toy, ruleset):
    x, y = toy.county_centre("小店区")
    rows = [_row("b1", x, y, fuel="燃煤", capacity_tph=34.9, use="生产")]
    _res, hits = judge("boiler", rows, rs=ruleset.with_rule_enabled("B-35", False))
    assert hits == {}
    _res, hits = judge("boiler", rows, rs=ruleset.with_params(b35_tph=30))
    assert hits == {}
    res, hits = judge("boiler", rows, rs=ruleset.with_params(b35_tph=40))
    assert "< 40" in toy.reason_of(res, "b1", "B-35")


def test_verified_1p30_has_no_note(judge, toy, ruleset, admin):
    from bluesky_zoning.analysis.flagging.engine import flag_enterprises
    from bluesky_zoning.analysis.inputs.builtup import builtup_from_polygons
    from bluesky_zoning.analysis.zones.builders import build_all_zones

    rs = ruleset.with_region_1p30({"太原市": "all", "晋中市": ["榆次区"]}, verified=True)
    zones = build_all_zones(admin, builtup_from_polygons(toy.make_builtup()), toy.make_chp(), rs)
    layer = toy.points("plant", [_row("k1", *toy.county_centre("榆次区"), industry="焦化", coke_oven_height_m=4)])
    res = flag_enterprises(zones, admin, {"plant": layer}, rs)
    assert NOTE not in res.flags["reason"].iloc[0] and NOTE not in res.notes


def test_summary_by_county(judge, toy):
    from bluesky_zoning.analysis.flagging.engine import summary_by_city, summary_by_county

    x, y = toy.county_centre("小店区")
    res, _ = judge("boiler", [_row("b1", x, y, fuel="燃煤", capacity_tph=1, use="生产"),
                              _row("b2", x, y, fuel="燃煤", capacity_tph=2, use="生产")])
    s = summary_by_county(res.flags)
    assert s.loc[0, "county"] == "小店区" and s.loc[0, "B-35"] == 2 and s.loc[0, "total"] == 2
    assert summary_by_city(res.flags).loc[0, "enterprises"] == 2


def test_many_points_vectorised(zones, admin, ruleset, toy):
    """200k random boilers: every one ends flagged, clear or to verify, quickly."""
    import time

    import geopandas as gpd
    from bluesky_zoning.analysis.flagging.engine import flag_enterprises

    rng = np.random.default_rng(1)
    n = 200_000
    gdf = gpd.GeoDataFrame({"ent_id": np.arange(n).astype(str), "name": "x",
                            "fuel": rng.choice(["coal", "gas", None], n),
                            "capacity_tph": rng.uniform(1, 80, n), "use": rng.choice(["heating", "industrial"], n),
                            "low_nox_done": rng.choice([True, False], n)},
                           geometry=gpd.points_from_xy(rng.uniform(110.9, 113.9, n), rng.uniform(35.9, 37.2, n)),
                           crs="EPSG:4326")
    t = time.perf_counter()
    res = flag_enterprises(zones, admin, {"boiler": gdf}, ruleset)
    elapsed = time.perf_counter() - t
    c = res.counts.iloc[0]
    assert c["count_in"] == n == c["flagged"] + c["clear"] + c["to_verify"]
    assert c["flagged"] > 0 and elapsed < 30


def test_chp_plant_without_capacity_is_to_verify():
    import pandas as pd
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table

    table = pd.DataFrame({"编号": ["RD-1", "RD-2"], "电厂名称": ["甲热电", "乙热电"], "经度": [112.5, 112.6],
                          "纬度": [37.8, 37.9], "装机容量(MW)": [600, None], "落后燃煤小热电": ["否", "否"]})
    chp = enterprises_from_table(table, "chp", coord_system="WGS84", layer_name="热电厂")
    problems = chp.problems.set_index("ent_id")
    assert list(problems.index) == ["RD-2"]
    assert problems.loc["RD-2", "field"] == "capacity_mw" and problems.loc["RD-2", "raw"] == ""
    assert "装机容量为空" in problems.loc["RD-2", "problem"]
