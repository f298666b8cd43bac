"""The rules file: every rule of RULES.md §2 present, validation errors name rule, field and line."""
from __future__ import annotations

import pytest
from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH, RuleFileError, load_rules, load_rules_text

EXPECTED = {"B-35", "B-10", "B-CHP", "B-SMALLCHP", "B-BAN", "B-NOX", "M-OPEN", "P-COKE43", "P-COKE43-1P30",
            "P-PLANAREA", "P-ULE1P30", "P-ULE", "P-DRYQ", "P-CLUSTER", "T-RAIL", "T-GATE",
            # RULES.md §4
            "V-COAL0", "V-HEAT100", "P-WASH", "P-TRANS", "P-STAGGER", "T-RAIL-SHARE", "T-RAIL-SHARE-BAN", "M-RAIL"}


def test_shipped_file_has_every_rule_and_region():
    rs = load_rules()
    assert {r.id for r in rs.rules} == EXPECTED
    for r in rs.rules:
        assert r.clause and r.clause_text and r.lead_dept and r.level and r.deadline and r.reason
    assert rs.params["b35_tph"] == 35 and rs.params["chp_radius_km"] == 15 and rs.params["mine_ring_km"] == 3
    members = rs.regions["region_1p30"]["members"]
    assert members["太原市"] == "all"
    assert sum(len(v) for v in members.values() if v != "all") == 30
    assert rs.regions["region_1p30"]["verified"] is False
    assert rs.region_1p30_note == "1+30 名单为预置参考名单，请以省大气办正式文件为准"
    assert sum(len(v) for v in rs.regions["cluster_counties"].values()) == 15
    assert sum(len(v) for v in rs.regions["north_coal_zero"].values()) == 8
    groups = {g["group"]: g["cities"] for g in rs.regions["key_city_groups"]}
    assert groups["京津冀及周边地区"] == ["太原市", "阳泉市", "长治市", "晋城市"]
    assert groups["汾渭平原"] == ["晋中市", "临汾市", "运城市", "吕梁市"]
    assert rs.get("P-COKE43").zone.cities == ("太原市", "临汾市", "长治市")
    assert rs.get("B-35").conditions[1].value == 35.0 and rs.get("B-35").severity == 5


def _text_with(old: str, new: str) -> str:
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_error_names_rule_field_and_line():
    text = _text_with('{field: capacity_tph, op: "<", param: b35_tph}', '{field: capacity_tph, op: "<<", param: b35_tph}')
    with pytest.raises(RuleFileError) as err:
        load_rules_text(text)
    msg = err.value.errors[0]
    line = _line_of(text, 'op: "<<"')
    assert f":{line}:" in msg and "B-35" in msg and "conditions[1].op" in msg


def test_unknown_field_and_param_and_zone_are_errors():
    text = _text_with("{field: low_nox_done, op: is_false}", "{field: nox_flag, op: is_false}")
    text = text.replace("param: gate_trucks", "param: gate_truckz")
    text = text.replace("zone: {id: Z-MINE, where: inside}", "zone: {id: Z-MINES, where: inside}")
    with pytest.raises(RuleFileError) as err:
        load_rules_text(text)
    joined = "\n".join(err.value.errors)
    assert "B-NOX" in joined and "nox_flag" in joined
    assert "T-GATE" in joined and "gate_truckz" in joined
    assert "M-OPEN" in joined and "Z-MINES" in joined
    assert f":{_line_of(text, 'nox_flag')}:" in joined


def test_bad_template_and_duplicate_id():
    text = _text_with("燃气锅炉未完成低氮改造，位于{city}{county}", "燃气锅炉{boiler_age}年")
    text = text.replace("- id: T-GATE", "- id: T-RAIL")
    with pytest.raises(RuleFileError) as err:
        load_rules_text(text)
    joined = "\n".join(err.value.errors)
    assert "boiler_age" in joined and "duplicate" in joined


def test_user_can_add_and_switch_off_rules_without_python(tmp_path):
    rs = load_rules()
    raw = rs.raw
    raw["rules"].append({**raw["rules"][0], "id": "B-20-TEST", "enabled": False,
                         "reason": "自定义 {capacity_tph}"})
    raw["params"]["b35_tph"] = 30
    from bluesky_zoning.analysis.plan.rules import ruleset_from_dict

    path = ruleset_from_dict(raw).dump(tmp_path / "my_rules.yaml")
    again = load_rules(path)
    assert again.get("B-20-TEST").enabled is False
    assert again.get("B-35").conditions[1].value == 30
    assert "燃煤锅炉" in path.read_text(encoding="utf-8")  # Chinese written as such, not escaped


def test_a_rules_file_read_again_is_parsed_once_and_is_its_own_copy(tmp_path):
    """The parsed text is cached: what one caller does with its rules never reaches the next read, and an edited
    file is read anew."""
    first = load_rules()
    first.raw["rules"].clear()
    first.raw["params"]["b35_tph"] = 1
    first.params["b35_tph"] = 1
    members = dict(first.regions["region_1p30"]["members"])
    first.regions["region_1p30"]["members"].clear()
    again = load_rules()
    assert again.regions["region_1p30"]["members"] == members and members
    assert {r.id for r in again.rules} == EXPECTED
    assert again.params["b35_tph"] == 35 and again.get("B-35").conditions[1].value == 35
    assert again.raw["params"]["b35_tph"]["value"] == 35 and len(again.raw["rules"]) == len(EXPECTED)
    path = tmp_path / "my_rules.yaml"
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    line = "  b35_tph:                  # 京津冀及周边、汾渭平原 8 市淘汰 35 蒸吨/小时以下燃煤锅炉\n    value: 35\n"
    assert line in shipped
    for value in (30, 25):
        path.write_text(shipped.replace(line, line.replace("value: 35", f"value: {value}")), encoding="utf-8")
        assert load_rules(path).params["b35_tph"] == value


def test_with_region_1p30_and_params():
    rs = load_rules().with_region_1p30(["太原市/all", "晋中市/榆次区"], verified=True)
    assert rs.regions["region_1p30"]["members"] == {"太原市": "all", "晋中市": ["榆次区"]}
    assert rs.region_1p30_verified and rs.region_1p30_note == ""
    assert load_rules().with_params(chp_radius_km=20).params["chp_radius_km"] == 20


def test_yaml_is_never_executed():
    text = "!!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(RuleFileError):
        load_rules_text(text)
