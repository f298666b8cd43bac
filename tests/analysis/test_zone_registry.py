"""One definition per zone (analysis/plan/zone_registry.py) and per parameter (the spec in plan_rules.yaml), and the
zones' own parameters carried from build_zones through zones.gpkg to every text that quotes them."""
from __future__ import annotations

import json
import math

import pytest


def test_every_zone_is_defined_once_with_a_builder():
    from bluesky_zoning.analysis.plan.zone_registry import MEMBERSHIPS, ZONE_IDS, ZONE_LAYERS, ZONES
    from bluesky_zoning.analysis.schema.params import format_value, shipped_specs
    from bluesky_zoning.analysis.zones import builders as zones

    assert len(set(ZONE_IDS)) == len(ZONE_IDS) == len(set(ZONE_LAYERS)) == len(ZONES) == 8
    for zone in ZONES:
        assert callable(getattr(zones, zone.builder)), zone.builder
        assert zone.membership in MEMBERSHIPS
        assert set(zone.params) <= set(shipped_specs()), zone.params
        # no parameter value in an id (the old Z-CHP15 carried the 15 km radius)
        assert not any(format_value(shipped_specs()[p].default) in zone.id for p in zone.params), zone.id
        assert {"color", "outline_color", "outline_style", "style"} <= set(zone.style)
        assert zone.title and zone.title_en and zone.step.endswith("…") and zone.phrase


def test_titles_carry_the_parameters_the_zone_was_built_with():
    from bluesky_zoning.analysis.plan.zone_registry import zone_by_id, zone_titles

    chp = zone_by_id("Z-CHP")
    assert chp.title_for({"chp_radius_km": 20.0, "chp_min_mw": 300.0}) == "热电联产20公里供热半径"
    assert chp.title_for() == "热电联产15公里供热半径"  # the shipped value without zones
    assert zone_titles({"mine_ring_km": 2.5})["mine_closure_zone"] == "露天矿山关闭区（设区市建成区及周边2.5公里）"


def test_old_zone_ids_are_accepted_and_read_as_the_new_ones():
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH, RuleFileError, load_rules_text
    from bluesky_zoning.analysis.plan.zone_registry import zone_by_id

    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    old = load_rules_text(text.replace("id: Z-CHP,", "id: Z-CHP15,").replace("id: Z-KEY,", "id: Z-KEY8,"))
    assert old.get("B-CHP").zone.id == "Z-CHP" and old.get("B-35").zone.id == "Z-KEY"
    assert zone_by_id("Z-CHP15") is zone_by_id("Z-CHP")
    with pytest.raises(RuleFileError, match="Z-CHP20"):
        load_rules_text(text.replace("id: Z-CHP,", "id: Z-CHP20,", 1))


def test_the_parameter_spec_is_the_rules_files():
    from bluesky_zoning.analysis.plan.rules import load_rules, ruleset_from_dict
    from bluesky_zoning.analysis.schema.params import param_spec, shipped_specs

    rs = load_rules()
    for name, spec in shipped_specs().items():
        assert spec.unit and spec.label and spec.en, name
        assert spec.minimum <= spec.default <= spec.maximum and math.isfinite(spec.maximum), name
        assert rs.params[name] == spec.default
    assert param_spec("chp_radius_km").title == "热电联产供热半径（公里）"
    raw = dict(rs.raw)
    raw["params"] = {"chp_radius_km": 20}  # the old form, and every other parameter left out
    older = ruleset_from_dict(raw)
    assert older.params["chp_radius_km"] == 20 and older.params["b35_tph"] == 35
    assert older.param_specs["chp_radius_km"].unit == "公里"
    assert rs.with_params(chp_radius_km=12.5).raw["params"]["chp_radius_km"]["unit"] == "公里"  # spec kept


def test_a_parameter_out_of_range_is_refused_with_its_name():
    from bluesky_zoning.analysis.plan.rules import RuleFileError, load_rules, ruleset_from_dict

    raw = dict(load_rules().raw)
    raw["params"] = {"chp_radius_km": {"value": 500}}
    with pytest.raises(RuleFileError, match=r"params\.chp_radius_km.*500.*0–200公里"):
        ruleset_from_dict(raw)


def _boiler(eid, lon, lat):
    return {"ent_id": eid, "name": f"锅炉{eid}", "lon": lon, "lat": lat, "fuel": "燃煤", "capacity_tph": 50,
            "use": "采暖"}


def test_zones_built_at_20_km_are_flagged_and_described_at_20_km(tmp_path, admin, builtup, chp_plants, ruleset,
                                                                   toy):
    """build_zones with chp_radius_km 20, then flagging with the shipped rules file (15 km): the zones.gpkg's
    20 km decides membership and is what every reason, title and note says."""
    import pyogrio
    from bluesky_zoning.analysis.inputs.builtup import builtup_from_polygons
    from bluesky_zoning.analysis.pipeline import build_zones, flag
    from bluesky_zoning.analysis.reports.meeting import data_notes
    from bluesky_zoning.analysis.reports.result_files import read_zones, write_zones, zone_titles_of

    built = build_zones(admin, builtup_from_polygons(builtup), chp_plants,
                        ruleset.with_params(chp_radius_km=20, mine_ring_km=5))
    path = write_zones(built, tmp_path / "zones.gpkg")
    recorded = json.loads(pyogrio.read_info(path, layer="coal_ban_zone")["dataset_metadata"]["bluesky_zoning_params"])
    assert recorded["chp_radius_km"] == 20 and recorded["mine_ring_km"] == 5 and recorded["chp_min_mw"] == 300
    zones = read_zones(path)
    assert zones.params == recorded
    px, py = toy.county_centre("清徐县")
    rows = [_boiler(f"b{km}", *toy.offset(px, py, 0.0, km * 1000.0)) for km in (12, 18, 19.9, 20.1)]
    res = flag(zones, admin, {"boiler": toy.points("boiler", rows)}, ruleset)
    chp = res.flags[res.flags["rule_id"] == "B-CHP"]
    assert sorted(chp["ent_id"]) == ["b12", "b18", "b19.9"]
    assert chp["distance_km"].max() == pytest.approx(19.9, abs=0.001)
    assert all("在 20 公里供热半径内" in r for r in chp["reason"]), list(chp["reason"])
    assert not any("15 公里" in r for r in chp["reason"])
    assert zone_titles_of(path)["chp_heating_radius"] == "热电联产20公里供热半径"
    assert any("设区市建成区及周边 5 公里" in n for n in data_notes(path))
    assert zones.differences(ruleset) == [
        "热电联产供热半径按管控分区构建时的 20公里 计（规则文件为 15公里）",
        "露天矿山关闭区外扩（设区市建成区周边）按管控分区构建时的 5公里 计（规则文件为 3公里）"]


def test_an_older_zones_gpkg_gives_its_parameters_from_its_columns(tmp_path, zones):
    """A zones.gpkg written before the parameters were recorded: the radius and rings its layers carry."""
    import pyogrio
    from bluesky_zoning.analysis.reports.result_files import read_zone_params

    path = tmp_path / "old.gpkg"
    for i, name in enumerate(("chp_heating_radius", "mine_closure_zone")):
        frame = zones[name].copy()
        frame.attrs = {}
        pyogrio.write_dataframe(frame, path, layer=name, append=i > 0)
    assert read_zone_params(path) == {"chp_radius_km": 15.0, "mine_ring_km": 3.0}
