"""Scenario comparison (方案比较): settings parsed and refused in Chinese, a variant run equal to a fresh run with
the variant's values while rebuilding only the zones it touches, and compare.gpkg equal to the difference of two
full runs on the Shanxi demo."""
from __future__ import annotations

import sqlite3
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
from bluesky_zoning.analysis.pipeline import builtup_polygons, prepare_admin, run_analysis
from bluesky_zoning.analysis.plan.rules import load_rules
from bluesky_zoning.analysis.plan.zone_registry import ZONE_LAYERS
from bluesky_zoning.analysis.scenarios import compare as cmp
from bluesky_zoning.analysis.scenarios.overrides import ScenarioError, parse_overrides, resolve_county
from bluesky_zoning.analysis.scenarios.session import ScenarioSession, stale_layers
from bluesky_zoning.analysis.zones import builders
from bluesky_zoning.analysis.zones.builders import match_members
from bluesky_zoning.demo.data import ensure_demo_data
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
# DemoData attribute → (layer kind, layer name), as scripts/demo_counts.py reads the demo without QGIS
LISTS = {"boilers": ("boiler", "boilers"), "mines": ("mine", "mines"), "plants": ("plant", "plants"),
         "chp": ("chp", "chp"), "villages": ("village", "村庄清单")}


# --------------------------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = ensure_demo_data(tmp_path_factory.mktemp("scenario_demo"))
    rules = load_rules()
    admin = prepare_admin(pyogrio.read_dataframe(data.admin_gpkg, layer=data.admin_layers[0]), "counties")
    tables = {kind: enterprises_from_table(read_table(getattr(data, key)), kind, coord_system=data.coord_systems[key],
                                           layer_name=name)
              for key, (kind, name) in LISTS.items()}
    built, _params = builtup_polygons(data.builtup_tif, rules)  # once: every run below starts from these polygons
    return {"rules": rules, "admin": admin, "tables": tables, "builtup": built}


def fresh(demo, rules):
    """A full run_analysis with ``rules``, nothing shared with a session."""
    return run_analysis(demo["admin"], demo["builtup"], demo["tables"], demo["tables"]["chp"], rules)


@pytest.fixture(scope="module")
def fresh_base(demo):
    return fresh(demo, demo["rules"])


@pytest.fixture(scope="module")
def session(demo):
    return ScenarioSession(demo["admin"], demo["builtup"], demo["tables"], demo["tables"]["chp"], demo["rules"])


def _county_outside_1p30(demo):
    """A county of the demo outside the 1+30 list whose name is unique in Shanxi and which holds the most
    industrial plants (so adding it changes something)."""
    admin, rules = demo["admin"], demo["rules"]
    inside, _ = match_members(admin, rules.regions["region_1p30"]["members"])
    names = admin["county"].value_counts()
    plants = demo["tables"]["plant"].gdf["county"].value_counts() if "county" in demo["tables"]["plant"].gdf else None
    candidates = [(c, city) for c, city, i in zip(admin["county"], admin["city"], inside) if not i and names[c] == 1]
    if plants is not None:
        candidates.sort(key=lambda cc: -int(plants.get(cc[0], 0)))
    return candidates[0]


def _fresh_rules(demo, text):
    """The variant's rules made by hand with the RuleSet API (not through the scenario code)."""
    rules = demo["rules"]
    if text.startswith("chp_radius_km="):
        return rules.with_params(chp_radius_km=float(text.split("=")[1]))
    if text.startswith("fringe_km="):
        return rules.with_params(fringe_km=float(text.split("=")[1]))
    county, city = _county_outside_1p30(demo)
    members = {k: (v if isinstance(v, str) else list(v)) for k, v in rules.regions["region_1p30"]["members"].items()}
    members[city] = list(members.get(city, [])) + [county]
    return rules.with_region_1p30(members)


VARIANTS = {"chp": ("chp_radius_km=20", ["chp_heating_radius"]),
            "fringe": ("fringe_km=2", ["coal_ban_zone"]),
            "1p30": ("1p30.add={county}", ["region_1p30"])}


@pytest.fixture(scope="module")
def variants(demo, session, fresh_base):
    """Each variant run by the session and, for reference, by a fresh run_analysis (computed once)."""
    out = {}
    for key, (text, rebuilt) in VARIANTS.items():
        if "{county}" in text:
            text = text.format(county=_county_outside_1p30(demo)[0])
        spec = session.parse(text)
        base = session.base
        result = session.run(spec)
        out[key] = {"key": key, "text": text, "spec": spec, "base": base, "result": result,
                    "rebuilt": list(session.last_rebuilt), "expected_rebuilt": rebuilt,
                    "fresh": fresh(demo, _fresh_rules(demo, text)),
                    "comparison": cmp.compare_results(base, result, spec)}
    return out


@pytest.fixture(params=list(VARIANTS))
def variant(request, variants):
    return variants[request.param]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"])).reset_index(drop=True)
    return out


def _geoms_equal(a, b) -> bool:
    ga, gb = np.asarray(a.geometry.values, dtype=object), np.asarray(b.geometry.values, dtype=object)
    return len(ga) == len(gb) and bool(np.all(shapely.equals_exact(ga, gb, 0.0)
                                             | (shapely.is_missing(ga) & shapely.is_missing(gb))))


def assert_same_result(got, want):
    for name in ("flags", "verdicts", "to_verify"):
        pd.testing.assert_frame_equal(_plain(getattr(got, name)), _plain(getattr(want, name)), obj=name)
        assert _geoms_equal(getattr(got, name), getattr(want, name)), name
    for name in ("summary", "summary_city", "counts", "rural_heating"):
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                      getattr(want, name).reset_index(drop=True), obj=name)
    assert (got.notes, got.params, got.rule_counts, got.clear, got.field_notes) == (
        want.notes, want.params, want.rule_counts, want.clear, want.field_notes)
    assert got.zones.params == want.zones.params and list(got.zones) == list(want.zones)
    for layer in ZONE_LAYERS:
        pd.testing.assert_frame_equal(_plain(got.zones[layer]), _plain(want.zones[layer]), obj=layer)
        assert _geoms_equal(got.zones[layer], want.zones[layer]), layer
        assert got.zones[layer].attrs.get("notes") == want.zones[layer].attrs.get("notes"), layer


def test_the_session_base_is_a_fresh_run(session, fresh_base):
    assert_same_result(session.base, fresh_base)


def test_a_variant_is_a_fresh_run_with_its_values(variant):
    assert_same_result(variant["result"], variant["fresh"])


def test_a_variant_rebuilds_only_the_zones_it_touches(variant):
    base, result = variant["base"], variant["result"]
    assert variant["rebuilt"] == variant["expected_rebuilt"]
    for layer in ZONE_LAYERS:
        assert (result.zones[layer] is base.zones[layer]) == (layer not in variant["expected_rebuilt"]), layer


def expected_changes(base, variant) -> set:
    """(layer, ent_id, rule_id, change) of two full runs, by the definition: a hit of one side only, or a hit
    of both whose action, deadline or the enterprise's verdict differs."""
    def hits(res):
        f = res.flags
        return {(k, e, r): (a, d) for k, e, r, a, d in zip(f["layer"], f["ent_id"], f["rule_id"], f["action"],
                                                           f["deadline"])}

    def verdicts(res):
        v = res.verdicts
        return {(k, e): s for k, e, s in zip(v["layer"], v["ent_id"], v["verdict"])}

    hb, hv, vb, vv = hits(base), hits(variant), verdicts(base), verdicts(variant)
    out = {k + ("新增",) for k in hv.keys() - hb.keys()} | {k + ("解除",) for k in hb.keys() - hv.keys()}
    out |= {k + ("措施变化",) for k in hb.keys() & hv.keys()
            if hb[k] != hv[k] or vb.get(k[:2]) != vv.get(k[:2])}
    return out


def test_changes_are_the_difference_of_two_full_runs(variant, fresh_base, tmp_path):
    path = cmp.write_comparison(variant["comparison"], tmp_path / "compare.gpkg")
    written = pyogrio.read_dataframe(path, layer="scenario_changes")
    got = set(zip(written["layer"], written["ent_id"], written["rule_id"], written["change"]))
    want = expected_changes(fresh_base, variant["fresh"])
    assert got == want and len(got) == len(written)
    assert want, "the variant changes nothing on the demo: the test would prove nothing"
    assert written.crs.to_epsg() == 4326 and set(written.geom_type) == {"Point"}


def test_new_chp_hits_lie_between_the_two_radii(variants, demo):
    changes = variants["chp"]["comparison"].changes
    new = changes[(changes["rule_id"] == "B-CHP") & (changes["change"] == "新增")]
    assert len(new) > 10
    plants = demo["tables"]["chp"].gdf
    big = plants[(pd.to_numeric(plants["capacity_mw"], errors="coerce") >= demo["rules"].params["chp_min_mw"])
                 & plants.geometry.notna()]
    px, py = shapely.get_x(np.asarray(big.geometry.values)), shapely.get_y(np.asarray(big.geometry.values))
    for point in new.geometry:
        _a, _b, dist = GEOD.inv(np.full(len(px), point.x), np.full(len(py), point.y), px, py)
        nearest_km = dist.min() / 1000.0
        assert 15.0 < nearest_km <= 20.0 + 1e-6, nearest_km
    assert not (changes["change"] == "解除").any()


def test_counts_add_up(variant):
    comparison = variant["comparison"]
    counts, totals = comparison.counts, comparison.totals()
    province = counts[(counts["scope"] == "province") & (counts["rule_id"] == "")].iloc[0]
    county_totals = counts[(counts["scope"] == "county") & (counts["rule_id"] == "")]
    per_rule = counts[counts["rule_id"] != ""]
    for change, col in cmp.COUNT_OF.items():
        assert int(province[col]) == totals[change] == int(county_totals[col].sum())
        assert int(per_rule[per_rule["scope"] == "county"][col].sum()) == totals[change]
    # one 合计 row per county that changed, named as the changes name it
    changed = set(zip(comparison.changes["city"], comparison.changes["county"]))
    assert set(zip(county_totals["city"], county_totals["county"])) == changed
    assert province["city"] == "全省" and (counts["rule_id"] == "").sum() == len(changed) + 1


def test_zone_changes(variant, demo):
    zones = variant["comparison"].zone_changes
    rebuilt = variant["expected_rebuilt"][0]
    assert list(zones["zone"]) == [rebuilt] and list(zones["change"]) == ["扩大"]
    area = float(zones["area_km2"].iloc[0])
    if variant["key"] == "chp":
        assert zones["zone_title"].iloc[0] == "热电联产20公里供热半径" and area > 100
    if variant["key"] == "1p30":
        county, _city = _county_outside_1p30(demo)
        metric = demo["admin"][demo["admin"]["county"] == county].to_crs(4546)
        assert area == pytest.approx(float(metric.area.iloc[0]) / 1e6, rel=1e-3)
    if variant["key"] == "fringe":
        assert area > 100


def test_compare_gpkg_layers_aliases_and_settings(variant, demo, tmp_path):
    comparison = variant["comparison"]
    path = cmp.write_comparison(comparison, tmp_path / "compare.gpkg")
    assert [p.name for p in tmp_path.iterdir()] == ["compare.gpkg"]  # nothing beside it (written atomically)
    layers = {str(name): geom for name, geom in pyogrio.list_layers(path)}
    assert layers == {"scenario_changes": "Point", "scenario_counts": None, "zone_changes": "MultiPolygon",
                      "scenario_settings": None}
    with sqlite3.connect(path) as con:
        aliases = dict(con.execute("SELECT column_name, name FROM gpkg_data_columns WHERE table_name = ?",
                                   ("scenario_changes",)).fetchall())
    assert aliases["change"] == "变化" and aliases["verdict_variant"] == "方案综合结论"
    assert set(cmp.CHANGE_COLUMNS) <= set(aliases)
    back = cmp.read_comparison(path)
    assert back.variant_text == variant["spec"].text and back.description == comparison.description
    assert back.base_description == comparison.base_description == "规则文件原值"
    assert len(back.changes) == len(comparison.changes) and len(back.zone_changes) == len(comparison.zone_changes)
    settings = back.settings.set_index("setting")
    assert settings.loc["overrides", "variant_value"] == variant["spec"].text
    if variant["key"] == "1p30":
        county, city = _county_outside_1p30(demo)
        assert comparison.description == f"“1+30”区域增加 {city}{county}"
    if variant["key"] == "chp":
        assert comparison.description == "热电联产供热半径 20 公里（基准 15）"
        assert (settings.loc["chp_radius_km", "base_value"], settings.loc["chp_radius_km", "variant_value"]) == (
            "15", "20")


# --------------------------------------------------------------------------------------------- settings


def test_parse_good_settings():
    spec = parse_overrides("chp_radius_km=20; fringe_km = 2\nrule.B-NOX=off；1p30.add=和顺县，晋中市/祁县\n"
                           "1p30.remove=140105")
    assert spec.params == {"chp_radius_km": 20.0, "fringe_km": 2.0}
    assert spec.rules == {"B-NOX": False}
    assert spec.add_1p30 == ("和顺县", "晋中市/祁县") and spec.remove_1p30 == ("140105",)
    assert parse_overrides(spec.text).text == spec.text  # the canonical form reads back as itself
    assert parse_overrides("").is_empty and parse_overrides(" ; \n").is_empty
    assert spec.describe().startswith("热电联产供热半径 20 公里（基准 15）；城乡结合部外扩")


@pytest.mark.parametrize("text,words", [
    ("chp_radius=20", ["第 1 项「chp_radius=20」", "未知的设置项「chp_radius」"]),
    ("chp_radius_km=abc", ["「chp_radius_km=abc」", "应为数值"]),
    ("chp_radius_km=500", ["「chp_radius_km=500」", "超出允许范围 0–200"]),
    ("fringe_km=1; fringe_km=2", ["第 2 项「fringe_km=2」", "已在「fringe_km=1」中设置过"]),
    ("rule.B-NOPE=off", ["「rule.B-NOPE=off」", "规则「B-NOPE」不存在"]),
    ("rule.B-NOX=maybe", ["「rule.B-NOX=maybe」", "on 或 off"]),
    ("chp_radius_km", ["「chp_radius_km」", "应写作 名称=值"]),
    ("builtup_threshold=60", ["「builtup_threshold=60」", "读取输入时已经用过"]),
    ("1p30.add=", ["「1p30.add=」", "缺少县区名称"]),
])
def test_bad_settings_are_refused_naming_the_item(text, words):
    with pytest.raises(ScenarioError) as info:
        parse_overrides(text)
    message = str(info.value)
    assert message.startswith("方案设置有误")
    for word in words:
        assert word in message, message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScenarioError) as info:
        parse_overrides("foo=1; chp_radius_km=-1; rule.X=off")
    assert len(info.value.problems) == 3 and "第 3 项" in info.value.problems[2]


def test_counties_resolve_by_adcode_name_or_city(admin):
    assert resolve_county(admin, "140723") == (3, None)
    assert resolve_county(admin, "和顺县") == (3, None)
    assert resolve_county(admin, "晋中市/和顺县") == (3, None)
    assert resolve_county(admin, "晋中市和顺县") == (3, None)
    assert resolve_county(admin, "和顺区")[0] == 3  # the suffix fallback the region lists use
    row, problem = resolve_county(admin, "不存在县")
    assert row is None and "「不存在县」在行政区划图层中找不到" in problem
    twice = pd.concat([admin, admin.iloc[[3]].assign(city="阳泉市", adcode="140399")], ignore_index=True)
    row, problem = resolve_county(twice, "和顺县")
    assert row is None and "对应 2 个县区（晋中市和顺县、阳泉市和顺县），请写作 市/县 或区划代码" in problem
    assert resolve_county(twice, "阳泉市/和顺县") == (9, None)
    assert parse_overrides("1p30.add=140723").describe(admin=admin) == "“1+30”区域增加 晋中市和顺县"
    assert parse_overrides("1p30.add=140723").describe() == "“1+30”区域增加 140723"


def test_1p30_edits_are_checked_against_the_list(admin, ruleset):
    spec = parse_overrides("1p30.add=和顺县; 1p30.remove=清徐县")
    rules = spec.apply(ruleset, admin)
    before, _ = match_members(admin, ruleset.regions["region_1p30"]["members"])
    inside, _ = match_members(admin, rules.regions["region_1p30"]["members"])
    assert "清徐县" in set(admin.loc[before, "county"]) and "和顺县" not in set(admin.loc[before, "county"])
    assert set(admin.loc[inside, "county"]) == set(admin.loc[before, "county"]) - {"清徐县"} | {"和顺县"}
    assert rules.regions["region_1p30"]["members"]["太原市"] == ["小店区"]  # "all" written out, 清徐县 left out
    with pytest.raises(ScenarioError) as info:
        parse_overrides("1p30.add=小店区; 1p30.remove=阳高县,火星县").apply(ruleset, admin)
    problems = info.value.problems
    assert any("太原市小店区已在“1+30”名单中" in p for p in problems)
    assert any("大同市阳高县不在“1+30”名单中" in p for p in problems)
    assert any("「火星县」在行政区划图层中找不到" in p for p in problems)
    with pytest.raises(ScenarioError, match="需要行政区划图层"):
        spec.apply(ruleset)


def test_a_rule_switch_touches_no_zone(ruleset):
    off = parse_overrides("rule.B-NOX=off").apply(ruleset)
    assert not off.get("B-NOX").enabled and stale_layers(ruleset, off) == []
    assert stale_layers(ruleset, parse_overrides("planning_ring_km=2").apply(ruleset)) == [
        "mine_closure_zone", "planning_area"]
    assert stale_layers(ruleset, parse_overrides("chp_min_mw=200").apply(ruleset)) == ["chp_heating_radius"]
    assert stale_layers(ruleset, parse_overrides("b35_tph=20").apply(ruleset)) == []


# --------------------------------------------------------------------------------------------- the session


def test_the_session_calls_only_the_builders_it_needs(monkeypatch, toy, admin, builtup, chp_plants, ruleset):
    """Counted on the small toy Shanxi: the base calls every builder once; each variant only its own."""
    calls = []
    for name in [z for z in dir(builders) if z.endswith("_layer") and callable(getattr(builders, z))]:
        original = getattr(builders, name)
        monkeypatch.setattr(builders, name, lambda z, _f=original, _n=name: calls.append(_n) or _f(z))
    x, y = toy.county_centre("清徐县")
    bx, by = toy.offset(x, y, 0.0, 11_000.0)  # 11 km north of the 300 MW plant
    boilers = toy.points("boiler", [{"ent_id": "B1", "name": "甲", "lon": bx, "lat": by, "fuel": "燃煤",
                                     "capacity_tph": 50, "use": "采暖"}])
    session = ScenarioSession(admin, builtup, {"boiler": boilers}, chp_plants, ruleset)
    assert len(session.base.zones) == len(ZONE_LAYERS) and sorted(calls) == sorted(
        f"{layer}_layer" for layer in ZONE_LAYERS)
    for text, wanted in (("chp_radius_km=5", ["chp_heating_radius_layer"]), ("rule.B-NOX=off", []),
                         ("1p30.add=和顺县", ["region_1p30_layer"]), ("mine_ring_km=1", ["mine_closure_zone_layer"])):
        calls.clear()
        session.run(session.parse(text))
        assert calls == wanted, text
    # the radius is what changes B1 (11 km from the 300 MW plant): in at 15 km, out at 5 km
    assert "B-CHP" in set(session.base.flags["rule_id"])
    comparison = cmp.compare_results(session.base, session.run(session.parse("chp_radius_km=5")),
                                     session.parse("chp_radius_km=5"))
    assert list(zip(comparison.changes["ent_id"], comparison.changes["rule_id"], comparison.changes["change"])) == [
        ("B1", "B-CHP", "解除")]
    assert list(comparison.zone_changes["change"]) == ["缩小"]
    assert comparison.zone_changes["zone_title"].iloc[0] == "热电联产15公里供热半径"


def test_the_session_runs_from_a_worker_thread(admin, builtup, chp_plants, ruleset):
    session = ScenarioSession(admin, builtup, {}, chp_plants, ruleset)
    out = {}

    def work():
        out["result"] = session.run(session.parse("chp_radius_km=20"))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert out["result"].zones.params["chp_radius_km"] == 20.0
    assert session.base.zones.params["chp_radius_km"] == 15.0


def test_a_given_base_is_used_and_must_match(admin, builtup, chp_plants, ruleset):
    base = run_analysis(admin, builtup, {}, chp_plants, ruleset)
    session = ScenarioSession(admin, builtup, {}, chp_plants, ruleset, base=base)
    assert session.base is base
    result = session.run(session.parse("fringe_km=1"))
    assert result.zones["chp_heating_radius"] is base.zones["chp_heating_radius"]
    with pytest.raises(ValueError):
        ScenarioSession(admin, builtup, {}, chp_plants, ruleset.with_params(chp_radius_km=10), base=base)


def test_an_empty_comparison_writes_empty_layers(admin, builtup, chp_plants, ruleset, tmp_path):
    session = ScenarioSession(admin, builtup, {}, chp_plants, ruleset)
    spec = session.parse("b35_tph=20")
    comparison = cmp.compare_results(session.base, session.run(spec), spec)
    assert comparison.totals() == {"新增": 0, "解除": 0, "措施变化": 0} and comparison.zone_changes.empty
    path = cmp.write_comparison(comparison, tmp_path / "compare.gpkg")
    back = cmp.read_comparison(path)
    assert back.changes.empty and back.counts.empty and back.variant_text == "b35_tph=20"
    assert isinstance(back.changes, gpd.GeoDataFrame)
