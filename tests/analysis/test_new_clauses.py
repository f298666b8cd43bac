"""RULES.md §4, the clauses the first version left out: clean heating of villages (三(二)7), coal washing
(三(一)1), clean transport of steel plants (三(一)1/4), staggered production (三(五)20), rail sidings (三(三)11).

Each case is a hand-made row in the toy Shanxi (tests/analysis/conftest.py): 平城区 is one of the eight northern
plain districts, 小店区 and 清徐县 have built-up squares 0.15° south-west of their centres, 清徐县 is in the 1+30
region, 和顺县 is in none of the zones.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from bluesky_zoning.analysis.flagging.engine import flag_enterprises
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_gdf
from bluesky_zoning.analysis.plan.rules import RuleFileError, load_rules_text
from shapely.geometry import box


def _row(eid, lon, lat, **kw):
    return {"ent_id": eid, "name": f"单位{eid}", "lon": lon, "lat": lat, **kw}


def _verify(res, eid):
    tv = res.to_verify
    return set(tv.loc[tv["ent_id"] == eid, "field"])


# -- 三(二)7 villages ---------------------------------------------------------------------------------------------


def test_vcoal0_plain_villages_of_the_north_districts(judge, toy):
    x, y = toy.county_centre("平城区")
    res, hits = judge("village", [
        _row("v1", x, y, households=800, coal_households=120, terrain="平原"),
        _row("v2", x + 0.01, y, households=800, coal_households=120, terrain="山区"),       # mountains: not asked
        _row("v3", x + 0.02, y, households=500, clean_households=500, terrain="平川"),      # all clean
        _row("v4", x + 0.03, y, households=500, coal_households=20, terrain=None),          # terrain unknown
        _row("v5", x, y + 0.01, households=600, clean_heating_pct="95%", terrain="平原"),   # share only
    ])
    assert hits == {"v1": {"V-COAL0"}, "v5": {"V-COAL0"}}
    assert toy.reason_of(res, "v1", "V-COAL0") == ("平原村（社区）仍有散煤户 120 户，清洁取暖覆盖率 85%（总户数 800），"
                                                  "位于北部平原散煤清零区大同市平城区")
    assert "terrain" in _verify(res, "v4")
    hx, hy = toy.county_centre("阳高县")  # 大同市 but not one of the eight districts
    _res, hits = judge("village", [_row("v6", hx, hy, households=800, coal_households=120, terrain="平原")])
    assert hits == {}


def test_vheat100_inside_the_built_up_areas(judge, toy, ruleset, admin, builtup, chp_plants):
    x, y = toy.county_centre("小店区")
    bx, by = x - 0.15, y - 0.15  # the built-up square
    res, hits = judge("village", [
        _row("u1", bx, by, households=3000, clean_households=2700, coal_households=300),
        _row("u2", bx + 0.01, by, households=3000, clean_households=3000),
        _row("u3", x + 0.2, y + 0.2, households=300, clean_households=30),  # rural: the 60 % report only
    ])
    assert hits == {"u1": {"V-HEAT100"}}
    assert toy.reason_of(res, "u1", "V-HEAT100") == ("村（社区）清洁取暖覆盖率 90% < 100%（总户数 3000，散煤户 300），"
                                                    "位于太原市小店区建成区")
    # with a fringe ring the zones are built with, the reason says so and the ring's villages are asked too
    from bluesky_zoning.analysis.inputs.builtup import builtup_from_polygons
    from bluesky_zoning.analysis.zones.builders import build_all_zones

    fringe = ruleset.with_params(fringe_km=2)
    ringed = build_all_zones(admin, builtup_from_polygons(builtup), chp_plants, fringe)
    ring_x = bx + 0.03 + 0.01  # 0.01° (≈ 900 m) beyond the square's east edge
    res = flag_enterprises(ringed, admin, {"village": toy.points("village", [
        _row("u1", bx, by, households=3000, clean_households=2700),
        _row("u4", ring_x, by, households=500, clean_households=100)])}, fringe)
    reasons = dict(zip(res.flags["ent_id"], res.flags["reason"]))
    assert set(reasons) == {"u1", "u4"}
    assert reasons["u4"].endswith("位于太原市小店区建成区及城乡结合部（建成区外扩 2 公里）")


def test_village_polygons_are_judged_at_a_point_inside(zones, admin, ruleset, toy):
    x, y = toy.county_centre("小店区")
    bx, by = x - 0.15, y - 0.15
    # an L-shaped village whose centroid would fall outside it; the built-up square holds its long arm
    poly = box(bx - 0.02, by - 0.02, bx + 0.02, by - 0.015).union(box(bx - 0.02, by - 0.02, bx - 0.015, by + 0.02))
    gdf = gpd.GeoDataFrame({"村名": ["小店南村"], "总户数": [1000], "清洁取暖户数": [400]}, geometry=[poly], crs="EPSG:4326")
    table = enterprises_from_gdf(gdf, "village", layer_name="村界")
    assert table.problems.empty and poly.contains(table.gdf.geometry.iloc[0])
    res = flag_enterprises(zones, admin, {"village": table}, ruleset)
    assert list(res.flags["rule_id"]) == ["V-HEAT100"] and list(res.flags["county"]) == ["小店区"]


def test_village_counts_that_contradict_each_other_go_to_verify(judge, toy):
    x, y = toy.county_centre("平城区")
    res, hits = judge("village", [_row("w1", x, y, households=100, clean_households=150, terrain="平原")])
    assert hits == {}
    row = res.to_verify[res.to_verify["ent_id"] == "w1"]
    assert "清洁取暖户数大于总户数" in " ".join(row["problem"].astype(str))


def test_rural_coverage_against_60_percent_per_county_and_city(judge, toy):
    hx, hy = toy.county_centre("和顺县")
    jx, jy = toy.county_centre("介休市")
    x, y = toy.county_centre("小店区")
    res, _hits = judge("village", [
        _row("r1", hx, hy, households=1000, clean_households=700),
        _row("r2", hx + 0.01, hy, households=500, coal_households=400),          # 100 clean
        _row("r3", jx, jy, households=800, clean_heating_pct=75),                # 600 clean
        _row("r4", jx + 0.01, jy, households=None, clean_households=10),         # no total: unknown
        _row("r5", x - 0.15, y - 0.15, households=2000, clean_households=0),     # built-up: not rural
    ])
    table = res.rural_heating.set_index(["scope", "county"])
    hs = table.loc[("county", "和顺县")]
    assert (hs["villages"], hs["households"], hs["clean_households"]) == (2, 1500, 800)
    assert hs["coverage_pct"] == pytest.approx(53.3) and hs["meets"] == 0 and hs["target_pct"] == 60
    jx_row = table.loc[("county", "介休市")]
    assert jx_row["coverage_pct"] == pytest.approx(75.0) and jx_row["meets"] == 1 and jx_row["unknown_villages"] == 1
    city = table.loc[("city", "")]
    assert city["city"] == "晋中市" and city["households"] == 2300 and city["coverage_pct"] == pytest.approx(60.9)
    assert ("county", "小店区") not in table.index  # its only village lies in the built-up area


# -- 三(一)1 coal washing, 三(一)1/4 clean transport, 三(五)20 staggered production ----------------------------------


def test_pwash_every_coal_washing_plant(judge, toy):
    x, y = toy.county_centre("和顺县")
    res, hits = judge("plant", [_row("x1", x, y, industry="煤炭洗选"), _row("x2", x, y, industry="洗煤厂"),
                                _row("x3", x, y, industry="煤矿机械")])
    assert hits == {"x1": {"P-WASH"}, "x2": {"P-WASH"}}
    assert toy.reason_of(res, "x1", "P-WASH") == "煤炭洗选企业，须于2020年9月底前完成核查认定，属于淘汰范围的由和顺县政府依法取缔"


def test_ptrans_steel_clean_transport(judge, toy):
    hx, hy = toy.county_centre("和顺县")
    qx, qy = toy.county_centre("清徐县")
    res, hits = judge("plant", [
        _row("s1", hx, hy, industry="钢铁", ule_done="是", clean_transport_pct="60%"),
        _row("s2", hx, hy, industry="钢铁", ule_done="是", clean_transport_pct=60, restricted_equipment="是"),
        _row("s3", qx + 0.1, qy + 0.1, industry="钢铁", ule_done="是", clean_transport_pct=60,
             restricted_equipment="是"),  # 1+30: 限制类 is no excuse there
        _row("s4", hx, hy, industry="钢铁", ule_done="是", clean_transport_pct=85),
    ])
    assert hits["s1"] == {"P-TRANS"} and "s2" not in hits and "s4" not in hits
    assert "P-TRANS" in hits["s3"]
    assert toy.reason_of(res, "s1", "P-TRANS") == "钢铁企业大宗物料和产品清洁方式运输比例 60% < 80%目标，位于晋中市和顺县"


def test_pule1p30_includes_transport(judge, toy):
    qx, qy = toy.county_centre("清徐县")
    px, py = qx + 0.1, qy + 0.1
    res, hits = judge("plant", [
        _row("e1", px, py, industry="钢铁", ule_done="是", clean_transport_pct=70),  # stacks done, trucks not
        _row("e2", px, py, industry="钢铁", ule_done="是", clean_transport_pct=90),
        _row("e3", px, py, industry="钢铁", ule_done="否", clean_transport_pct=90),
        _row("e4", px, py, industry="钢铁", ule_done="是"),                          # transport unknown
    ])
    assert "P-ULE1P30" in hits["e1"] and "P-ULE1P30" in hits["e3"]
    assert "P-ULE1P30" not in hits.get("e2", set()) and "P-ULE1P30" not in hits.get("e4", set())
    assert "clean_transport_pct" in _verify(res, "e4")
    assert "清洁运输比例 70%，目标 80%" in toy.reason_of(res, "e1", "P-ULE1P30")


def test_pule1p30_without_a_transport_column_judges_the_stacks(judge, toy):
    qx, qy = toy.county_centre("清徐县")
    _res, hits = judge("plant", [_row("f1", qx + 0.1, qy + 0.1, industry="钢铁", ule_done="否"),
                                 _row("f2", qx + 0.1, qy + 0.1, industry="钢铁", ule_done="是")])
    assert "P-ULE1P30" in hits["f1"] and "f2" not in hits


def test_pstagger_high_emission_industries(judge, toy):
    x, y = toy.county_centre("和顺县")
    rows = [_row(f"g{i}", x, y, industry=label) for i, label in
            enumerate(["钢铁", "水泥熟料", "平板玻璃", "耐火材料", "焦化", "铸造", "电解铝", "化工", "食品加工", "洗煤"])]
    res, hits = judge("plant", rows, stagger=True)
    staggered = {e for e, rules in hits.items() if "P-STAGGER" in rules}
    assert staggered == {f"g{i}" for i in range(8)}
    assert toy.reason_of(res, "g2", "P-STAGGER") == "建材企业属于高排放行业，采暖期实施差别化错峰生产，位于晋中市和顺县"


# -- 三(三)11 rail sidings ---------------------------------------------------------------------------------------


def test_trail_amended_siding_and_shares(judge, toy):
    hx, hy = toy.county_centre("和顺县")
    x, y = toy.county_centre("小店区")
    res, hits = judge("plant", [
        _row("t1", hx, hy, industry="化工", bulk_freight_mt=200, has_rail_siding="无"),
        _row("t2", hx, hy, industry="化工", bulk_freight_mt=200, has_rail_siding="有", rail_share_pct=70),
        _row("t3", hx, hy, industry="化工", bulk_freight_mt=200, has_rail_siding="有", rail_share_pct=85),
        _row("t4", x - 0.15, y - 0.15, industry="化工", bulk_freight_mt=200, has_rail_siding="是", rail_share_pct=85),
        _row("t5", hx, hy, industry="化工", bulk_freight_mt=200, has_rail_siding="有"),  # share unknown
    ])
    assert hits == {"t1": {"T-RAIL"}, "t2": {"T-RAIL-SHARE"}, "t4": {"T-RAIL-SHARE-BAN"}}
    assert "rail_share_pct" in _verify(res, "t5")
    assert toy.reason_of(res, "t2", "T-RAIL-SHARE") == ("已有铁路专用线，大宗货物年运量 200 万吨，铁路运输比例 70% < 80%目标，"
                                                       "位于重点区域（汾渭平原）晋中市和顺县")
    assert "< 90%（建成区及城乡结合部目标）" in toy.reason_of(res, "t4", "T-RAIL-SHARE-BAN")


def test_rail_shares_only_in_the_key_regions_while_sidings_are_province_wide(judge, toy):
    """三(三)11: "重点区域具有铁路专用线的大型工矿企业……铁路运输比例达到80%以上": a plant with a siding at 60 % in
    大同's 阳高县 (neither a key city nor "1+30") has no rail-share task; without a siding it still needs one
    (T-RAIL, 全省); the same plant in 晋中's 和顺县 (a key city) is flagged, and the reason names the region."""
    ax, ay = toy.county_centre("阳高县")
    hx, hy = toy.county_centre("和顺县")
    res, hits = judge("plant", [
        _row("north", ax, ay, industry="化工", bulk_freight_mt=300, has_rail_siding="有", rail_share_pct=60),
        _row("north_nosiding", ax, ay, industry="化工", bulk_freight_mt=300, has_rail_siding="无"),
        _row("key", hx, hy, industry="化工", bulk_freight_mt=300, has_rail_siding="有", rail_share_pct=60),
    ])
    assert hits == {"north_nosiding": {"T-RAIL"}, "key": {"T-RAIL-SHARE"}}
    assert "位于重点区域（汾渭平原）晋中市和顺县" in toy.reason_of(res, "key", "T-RAIL-SHARE")


def test_mrail_key_coal_mines(judge, toy):
    x, y = toy.county_centre("和顺县")
    res, hits = judge("mine", [_row("m1", x, y, method="井工", key_mine="是", has_rail_siding="无"),
                               _row("m2", x, y, method="井工", key_mine="是", has_rail_siding="有"),
                               _row("m3", x, y, method="井工", key_mine="否", has_rail_siding="无"),
                               _row("m4", x, y, method="井工", key_mine="是")])
    assert hits == {"m1": {"M-RAIL"}}
    assert "has_rail_siding" in _verify(res, "m4")
    assert toy.reason_of(res, "m1", "M-RAIL") == "重点煤矿未接入铁路专用线（铁路专用线：否），位于晋中市和顺县"


# -- the rules file's new forms ------------------------------------------------------------------------------------

_RULE = """
version: 1
params: {{x: 1}}
rules:
  - id: X-1
    short_name: 测试
    clause: 一
    clause_text: 测试
    layer: plant
    conditions:
      - {cond}
    zone: {{id: ALL}}
    action: 测试
    action_class: rectify
    deadline: 2020
    lead_dept: 测试
    level: 测试
    enabled: true
    reason: 测试
"""


@pytest.mark.parametrize("cond, message", [
    ("{any: []}", "any 必须是非空的条件列表"),
    ("{any: [{zone: Z-NOPE}]}", "未知区域 'Z-NOPE'"),
    ("{any: [{any: [{field: ule_done, op: is_false}]}]}", "不可嵌套"),
    ("{field: ule_done, op: is_false, if_missing: maybe}", "应为 verify、false 或 true"),
])
def test_bad_groups_are_refused_naming_the_rule(cond, message):
    with pytest.raises(RuleFileError) as err:
        load_rules_text(_RULE.format(cond=cond), Path("测试规则.yaml"))
    assert message in str(err.value) and "X-1" in str(err.value)


def test_group_with_zones_and_true_if_missing_loads():
    rs = load_rules_text(_RULE.format(cond="{any: [{zone: Z-PLAN}, {field: restricted_equipment, op: is_false, "
                                           "if_missing: 'true'}]}"), Path("测试规则.yaml"))
    group = rs.rules[0].conditions[0]
    assert [c.op for c in group.any_of] == ["in_zone", "is_false"] and group.any_of[0].value == "Z-PLAN"
    assert np.array_equal([c.if_missing for c in group.any_of], ["false", "true"])
