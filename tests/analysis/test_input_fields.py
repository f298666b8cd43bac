"""Every input kind declares its fields: layers with their own column names go through the whole analysis.

A planning-area layer with only a name (or no field at all) gets its city by location and gives the flags the
same data gives with a ``city`` column; dropping an optional field of any kind never stops the run, and the
result says, in Chinese, which layer lacked which field and what could not be done; a missing required field
or a wrong override is refused with a Chinese message naming layer and field.
"""
from __future__ import annotations

import geopandas as gpd
import pytest
from bluesky_zoning.analysis.inputs.validation import InputError, check_field_mapping, parse_field_map
from bluesky_zoning.analysis.pipeline import prepare_admin, prepare_enterprise_layer, run_analysis
from bluesky_zoning.analysis.schema.fields import (
    AREA_KINDS,
    INPUT_KINDS,
    LAYER_KINDS,
    field_def,
    fields_for,
    guess_field_mapping,
    required_fields,
)
from shapely.geometry import box

# The columns of the inventories as they come (units in brackets), one per canonical field.
COLUMNS = {
    "boiler": {"ent_id": "锅炉编号", "name": "单位名称", "county_hint": "所在县区", "fuel": "燃料类型",
               "capacity_tph": "额定蒸发量(t/h)", "use": "用途", "low_nox_done": "低氮改造"},
    "mine": {"ent_id": "矿山编号", "name": "矿山名称", "county_hint": "县区", "method": "开采方式", "mineral": "矿种",
             "key_mine": "重点煤矿", "has_rail_siding": "铁路专用线"},
    "plant": {"ent_id": "编号", "name": "企业名称", "county_hint": "县区", "industry": "行业",
              "coke_oven_height_m": "炭化室高度(m)", "ule_done": "超低排放", "perf_class": "绩效分级",
              "capacity_mw": "装机容量(MW)", "small_backward_chp": "落后燃煤小热电",
              "bulk_freight_mt": "大宗货物年运量(万吨)", "heavy_trucks_per_day": "日均重型柴油车(辆)",
              "clean_transport_pct": "清洁运输比例(%)", "has_rail_siding": "有无铁路专用线",
              "rail_share_pct": "铁路运输比例(%)", "restricted_equipment": "装备属于限制类"},
    "chp": {"ent_id": "电厂编号", "name": "电厂名称", "county_hint": "县区", "capacity_mw": "装机容量（MW）",
            "small_backward_chp": "落后燃煤小热电"},
    "village": {"ent_id": "村编码", "name": "村名", "county_hint": "所属县区", "households": "总户数",
                "coal_households": "散煤户数", "clean_households": "清洁取暖户数", "clean_heating_pct": "清洁取暖覆盖率(%)",
                "heating": "取暖方式", "terrain": "地形"},
}
LAYER_NAMES = {"boiler": "锅炉清单", "mine": "矿山清单", "plant": "工业企业清单", "chp": "热电厂清单",
               "village": "村清单"}


def _rows(toy):
    """Canonical values of a few enterprises that draw flags near 清徐县 (太原市, in the 1+30 region)."""
    x, y = toy.county_centre("清徐县")
    xd, yd = toy.county_centre("小店区")
    return {
        "boiler": ([{"ent_id": "GL-1", "name": "清徐某供热站", "county_hint": "清徐县", "fuel": "燃煤",
                     "capacity_tph": "20蒸吨", "use": "采暖", "low_nox_done": "否"},
                    {"ent_id": "GL-2", "name": "清徐某宾馆", "county_hint": "清徐县", "fuel": "天然气",
                     "capacity_tph": "4", "use": "采暖", "low_nox_done": "否"}],
                   [(x - 0.02, y - 0.02), (x + 0.02, y - 0.05)]),
        # 1 km north of 小店区's built-up area (an urban district of 太原市: Z-MINE)
        "mine": ([{"ent_id": "KS-1", "name": "小店某石料厂", "county_hint": "小店区", "method": "露天开采",
                   "mineral": "石灰岩", "key_mine": "否", "has_rail_siding": "无"}], [(xd - 0.15, yd - 0.15 + 0.03 + 0.01)]),
        "plant": ([{"ent_id": "QY-1", "name": "清徐某钢铁有限公司", "county_hint": "清徐县", "industry": "钢铁",
                    "coke_oven_height_m": "", "ule_done": "否", "perf_class": "C", "capacity_mw": "",
                    "small_backward_chp": "否", "bulk_freight_mt": "300万吨", "heavy_trucks_per_day": "50",
                    "clean_transport_pct": "60%", "has_rail_siding": "无", "rail_share_pct": "",
                    "restricted_equipment": "否"},
                   {"ent_id": "QY-2", "name": "清徐某焦化有限公司", "county_hint": "清徐县", "industry": "独立焦化",
                    "coke_oven_height_m": "4.3米", "ule_done": "", "perf_class": "B", "capacity_mw": "",
                    "small_backward_chp": "否", "bulk_freight_mt": "80", "heavy_trucks_per_day": "5",
                    "clean_transport_pct": "", "has_rail_siding": "有", "rail_share_pct": "70",
                    "restricted_equipment": ""},
                   {"ent_id": "QY-3", "name": "清徐某铸造有限公司", "county_hint": "清徐县", "industry": "铸铁件",
                    "coke_oven_height_m": "", "ule_done": "", "perf_class": "D", "capacity_mw": "",
                    "small_backward_chp": "否", "bulk_freight_mt": "", "heavy_trucks_per_day": "",
                    "clean_transport_pct": "", "has_rail_siding": "", "rail_share_pct": "", "restricted_equipment": ""}],
                  [(x + 0.03, y + 0.03), (x + 0.05, y + 0.02), (x + 0.04, y + 0.06)]),
        "chp": ([{"ent_id": "RD-1", "name": "清徐热电厂", "county_hint": "清徐县", "capacity_mw": "2×150MW",
                  "small_backward_chp": "否"},
                 {"ent_id": "RD-2", "name": "清徐小热电", "county_hint": "清徐县", "capacity_mw": "50",
                  "small_backward_chp": "是"}],
                [(x, y), (x + 0.1, y + 0.1)]),
        "village": ([{"ent_id": "CUN-1", "name": "清徐东关村", "county_hint": "清徐县", "households": "1,200户",
                      "coal_households": "300", "clean_households": "900", "clean_heating_pct": "",
                      "heating": "燃煤", "terrain": "平原"},
                     {"ent_id": "CUN-2", "name": "清徐西山村", "county_hint": "清徐县", "households": "400",
                      "coal_households": "", "clean_households": "", "clean_heating_pct": "80%",
                      "heating": "煤改电", "terrain": "山区"}],
                    [(x - 0.01, y + 0.01), (x + 0.12, y - 0.08)]),
    }


def _layer(toy, kind: str, drop: str = "") -> gpd.GeoDataFrame:
    """The kind's sample layer with its usual Chinese columns, without the column of ``drop``."""
    rows, xy = _rows(toy)[kind]
    data = {COLUMNS[kind][f]: [r[f] for r in rows] for f in COLUMNS[kind] if f != drop}
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(*zip(*xy)), crs="EPSG:4326")


def _planning(toy, with_city: bool = False, with_name: bool = False) -> gpd.GeoDataFrame:
    """Two planning areas: one mostly in 清徐县 (太原市) reaching into 榆次区 (晋中市), one inside 榆次区."""
    x0, y0, x1, y1 = toy.county_box("清徐县")
    yx0, _, _, _ = toy.county_box("榆次区")
    geoms = [box(x0 + 0.05, y0 + 0.05, yx0 + 0.1, y1 - 0.05), box(yx0 + 0.2, y0 + 0.2, yx0 + 0.4, y0 + 0.4)]
    data = {}
    if with_name:
        data["规划区名称"] = ["太原市城市规划区", "晋中市城市规划区"]
    if with_city:
        data["city"] = ["太原市", "晋中市"]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


def _run(toy, admin, builtup, ruleset, layers=None, planning=None, **kw):
    layers = layers if layers is not None else {k: _layer(toy, k) for k in LAYER_KINDS}
    tables = {k: prepare_enterprise_layer(g, k, LAYER_NAMES[k]) for k, g in layers.items()}
    return run_analysis(admin, builtup, tables, None, ruleset, planning_area=planning, **kw)


def _hits(result):
    return sorted(zip(result.flags["ent_id"], result.flags["rule_id"]))


# -- the declarations --------------------------------------------------------------------------------------------


def test_every_input_kind_declares_its_fields():
    assert set(INPUT_KINDS) == {"admin", "builtup", "planning", "boiler", "mine", "plant", "chp", "village"}
    assert [f.name for f in fields_for("admin")] == ["county", "city", "adcode"]
    assert fields_for("builtup") == ()  # geometry only: county and city come from the admin layer by overlay
    assert [f.name for f in fields_for("planning")] == ["name", "city"]
    assert required_fields("admin") == ["county"] and required_fields("planning") == []
    for kind in LAYER_KINDS:
        assert required_fields(kind) == []  # a point layer: the position is its geometry
        assert required_fields(kind, position_from_geometry=False) == ["lon", "lat"]  # a table
    for kind in INPUT_KINDS:
        for f in fields_for(kind):
            assert f.label and f.aliases, (kind, f.name)


def test_guess_prefers_the_inventory_id_over_the_provider_fid():
    cols = ["fid", "编号", "单位名称", "燃料类型", "额定蒸发量(t/h)"]
    assert guess_field_mapping(cols, "boiler")["ent_id"] == "编号"
    assert guess_field_mapping(["fid", "统一社会信用代码", "锅炉编号"], "boiler")["ent_id"] == "锅炉编号"
    assert guess_field_mapping(["fid", "单位名称"], "boiler")["ent_id"] == "fid"  # the last resort
    assert guess_field_mapping(["OBJECTID", "矿山名称"], "mine")["ent_id"] == "OBJECTID"
    assert guess_field_mapping(["fid", "名称"], "planning") == {"name": "名称", "city": None}


@pytest.mark.parametrize("columns, expected", [
    (["规划区名称", "所属城市"], {"name": "规划区名称", "city": "所属城市"}),
    (["城市规划区名称"], {"name": "城市规划区名称", "city": None}),  # 城市… is part of the name, not a city
    (["NAME", "CITY"], {"name": "NAME", "city": "CITY"}),
    (["名称", "市"], {"name": "名称", "city": "市"}),
    (["Shape_Area"], {"name": None, "city": None}),
])
def test_planning_columns_are_guessed(columns, expected):
    assert guess_field_mapping(columns, "planning") == expected


# -- planning areas without a city --------------------------------------------------------------------------------


def test_planning_area_without_city_gets_the_city_it_lies_in_and_the_same_flags(toy, admin, builtup, ruleset):
    with_city = _run(toy, admin, builtup, ruleset, planning=_planning(toy, with_city=True, with_name=True))
    name_only = _run(toy, admin, builtup, ruleset, planning=_planning(toy, with_name=True), planning_name="规划区")
    no_fields = _run(toy, admin, builtup, ruleset, planning=_planning(toy), planning_name="规划区")
    assert ("QY-1", "P-PLANAREA") in _hits(with_city) and ("QY-3", "P-PLANAREA") in _hits(with_city)
    assert _hits(name_only) == _hits(with_city) and _hits(no_fields) == _hits(with_city)
    for res in (with_city, name_only, no_fields):
        assert list(res.zones["planning_area"]["city"]) == ["太原市", "晋中市"]  # largest overlap wins
    assert list(name_only.zones["planning_area"]["name"]) == ["太原市城市规划区", "晋中市城市规划区"]
    assert list(no_fields.zones["planning_area"]["name"]) == ["太原市规划区", "晋中市规划区"]
    city_note = "城市规划区图层「规划区」没有「所属城市」字段（city）：各规划区所属城市按位置确定（与之重叠面积最大的城市）"
    name_note = "城市规划区图层「规划区」没有「规划区名称」字段（name）：规划区按所属城市命名（如「太原市规划区」）"
    assert city_note in name_only.field_notes and name_note not in name_only.field_notes
    assert {city_note, name_note} <= set(no_fields.field_notes) and city_note in no_fields.notes
    assert not any("城市规划区图层" in n for n in with_city.field_notes)


def test_planning_city_override_short_names_and_blank_cells(toy, admin, builtup, ruleset):
    plan = _planning(toy, with_name=True)
    plan["所在市"] = ["太原", None]  # a short city name, and one left blank
    res = _run(toy, admin, builtup, ruleset, planning=plan, planning_name="规划区",
               planning_fields={"city": "所在市"})
    assert list(res.zones["planning_area"]["city"]) == ["太原市", "晋中市"]
    assert any("有 1 个规划区的「所属城市」（所在市）为空：已按位置确定" in n for n in res.notes)
    with pytest.raises(InputError, match="城市规划区图层「规划区」中没有字段「所属市」"):
        _run(toy, admin, builtup, ruleset, planning=plan, planning_name="规划区",
             planning_fields={"city": "所属市"})


# -- every optional field of every kind ---------------------------------------------------------------------------


def test_the_full_layers_draw_the_expected_flags_and_no_field_note(toy, admin, builtup, ruleset):
    res = _run(toy, admin, builtup, ruleset, planning=_planning(toy, with_city=True, with_name=True))
    hits = _hits(res)
    for hit in [("GL-1", "B-35"), ("GL-2", "B-NOX"), ("KS-1", "M-OPEN"), ("QY-1", "P-ULE"), ("QY-2", "P-COKE43"),
                ("QY-3", "P-PLANAREA"), ("RD-2", "B-SMALLCHP")]:
        assert hit in hits
    assert res.field_notes == []


OPTIONAL = [(kind, f.name) for kind in LAYER_KINDS for f in fields_for(kind)
            if not f.required and f.name in COLUMNS[kind]]


@pytest.mark.parametrize("kind, name", OPTIONAL)
def test_dropping_an_optional_enterprise_field_runs_and_says_what_was_not_used(toy, admin, builtup, ruleset,
                                                                                 kind, name):
    layers = {k: _layer(toy, k, drop=name if k == kind else "") for k in LAYER_KINDS}
    res = _run(toy, admin, builtup, ruleset, layers=layers, planning=_planning(toy, with_city=True, with_name=True))
    counts = res.counts.set_index("layer")
    assert counts.loc[kind, "count_in"] == len(layers[kind])  # nothing vanished
    label = field_def(kind, name).label
    if (kind, name) == ("village", "clean_heating_pct"):  # worked out from the household counts: said so, not missing
        notes = [n for n in res.field_notes if f"「{LAYER_NAMES[kind]}」" in n and "清洁取暖覆盖率由总户数和" in n]
        assert not [n for n in res.notes if "未对该图层评估" in n], res.notes
    else:
        notes = [n for n in res.field_notes if f"「{LAYER_NAMES[kind]}」" in n and f"「{label}」字段（{name}）" in n]
    assert len(notes) == 1, res.field_notes
    assert notes[0] in res.notes
    # the other layers lack nothing
    assert len(res.field_notes) == 1


def test_a_field_the_rules_need_names_the_rules_once(toy, admin, builtup, ruleset):
    layers = {"boiler": _layer(toy, "boiler", drop="fuel")}
    res = _run(toy, admin, builtup, ruleset, layers=layers)
    line = "锅炉图层「锅炉清单」没有可用的「燃料类型」字段（fuel）：规则 B-35、B-10、B-CHP、B-BAN、B-NOX 未对该图层评估"
    assert res.field_notes == [line] and res.notes.count(line) == 1
    layers = {"plant": _layer(toy, "plant", drop="heavy_trucks_per_day")}
    res = _run(toy, admin, builtup, ruleset, layers=layers)
    assert res.field_notes == ["工业企业图层「工业企业清单」没有「日均重型柴油车」字段（heavy_trucks_per_day）："
                               "规则 T-GATE 按不满足处理（该图层不会因这些规则被标注）"]
    layers = {"chp": _layer(toy, "chp", drop="capacity_mw")}
    res = _run(toy, admin, builtup, ruleset, layers=layers)
    assert res.field_notes == ["热电厂图层「热电厂清单」没有「装机容量」字段（capacity_mw）：无法判断是否为30万千瓦及以上"
                               "热电联产电厂：不构建供热半径，各电厂列入需核实"]
    assert res.zones["chp_heating_radius"].empty and res.counts.set_index("layer").loc["chp", "to_verify"] == 2


@pytest.mark.parametrize("name", [f.name for f in fields_for("admin") if not f.required])
def test_dropping_an_optional_admin_field_gives_the_same_flags_and_a_note(toy, admin, builtup, ruleset, name):
    raw = admin[["county", "city", "adcode", "geometry"]].rename(columns={"county": "县区名称", "city": "所属地市",
                                                                         "adcode": "行政区划代码"})
    full = prepare_admin(raw, "县界")
    assert full.attrs["field_notes"] == []
    column = {"city": "所属地市", "adcode": "行政区划代码"}[name]
    dropped = prepare_admin(raw.drop(columns=[column]), "县界")
    assert list(dropped["city"]) == list(full["city"]) and list(dropped["adcode"]) == list(full["adcode"])
    base = _run(toy, full, builtup, ruleset)
    res = _run(toy, dropped, builtup, ruleset)
    assert _hits(res) == _hits(base)
    label = field_def("admin", name).label
    assert [n for n in res.field_notes if n.startswith(f"行政区划图层「县界」没有「{label}」字段（{name}）：")]


def test_built_up_polygons_need_no_field(toy, admin, builtup, ruleset):
    bare = gpd.GeoDataFrame(geometry=builtup.geometry.values, crs=builtup.crs)
    res = _run(toy, admin, bare, ruleset)
    assert _hits(res) == _hits(_run(toy, admin, builtup, ruleset)) and res.field_notes == []


# -- required fields and wrong overrides: clear Chinese messages, no Python exception text -----------------------


def _assert_clear(message: str, *parts: str) -> None:
    assert message[0] >= "\u4e00", message  # Chinese first
    for part in parts:
        assert part in message, (part, message)
    for python in ("KeyError", "ValueError", "Traceback", "NoneType", "scalar values"):
        assert python not in message


def test_admin_without_a_county_name_is_refused_with_a_clear_message(admin):
    raw = admin[["adcode", "geometry"]].rename(columns={"adcode": "PAC"}).assign(面积=1.0)
    with pytest.raises(InputError) as err:
        prepare_admin(raw, "县界")
    _assert_clear(str(err.value), "行政区划图层「县界」缺少必需字段「县区名称」（county）", "PAC、面积", "admin.county=")
    ok = prepare_admin(raw.assign(XZQMC=admin["county"]), "县界")  # found once a name column is there
    assert list(ok["county"]) == list(admin["county"])


@pytest.mark.parametrize("kind", LAYER_KINDS)
@pytest.mark.parametrize("name", ["lon", "lat"])
def test_a_table_without_coordinates_is_refused(kind, name):
    columns = ["编号", "名称", "经度", "纬度"]
    columns.remove({"lon": "经度", "lat": "纬度"}[name])
    with pytest.raises(InputError) as err:
        check_field_mapping(columns, kind, "清单.xlsx", position_from_geometry=False)
    label = field_def(kind, name).label
    _assert_clear(str(err.value), f"图层「清单.xlsx」缺少必需字段「{label}」（{name}）")


def test_overrides_are_checked_against_the_layer(toy):
    layer = _layer(toy, "boiler")
    with pytest.raises(InputError) as err:
        prepare_enterprise_layer(layer, "boiler", "锅炉清单", {"fuel": "燃料"})
    _assert_clear(str(err.value), "锅炉图层「锅炉清单」中没有字段「燃料」", "boiler.fuel", "燃料类型")
    with pytest.raises(InputError) as err:
        prepare_enterprise_layer(layer, "boiler", "锅炉清单", {"fuelx": "燃料类型"})
    _assert_clear(str(err.value), "没有名为「fuelx」的规范字段")
    # "" says the layer has no such field; a column given takes the place of the guess
    table = prepare_enterprise_layer(layer, "boiler", "锅炉清单", {"use": "", "name": "所在县区"})
    assert table.mapping["use"] is None and table.mapping["name"] == "所在县区"
    assert table.mapping["county_hint"] is None and table.gdf["use"].isna().all()


def test_field_map_text_as_processing_takes_it():
    text = "planning.city=所属市; boiler.fuel = 燃料\n城市规划区.规划区名称=名称；plant.perf_class=\nadmin.county=NAME"
    assert parse_field_map(text) == {"planning": {"city": "所属市", "name": "名称"}, "boiler": {"fuel": "燃料"},
                                     "plant": {"perf_class": ""}, "admin": {"county": "NAME"}}
    assert parse_field_map("boilers.额定蒸发量=容量(MW)") == {"boiler": {"capacity_tph": "容量(MW)"}}
    assert parse_field_map("") == {} and parse_field_map(None) == {}
    with pytest.raises(InputError) as err:
        parse_field_map("boiler.fuel=燃料; school.name=校名")
    _assert_clear(str(err.value), "第 2 项「school.name=校名」无法识别", "图层类型.字段=列名")
    assert parse_field_map("village.name=村名") == {"village": {"name": "村名"}}
    with pytest.raises(InputError) as err:
        parse_field_map("planning.county=县")
    _assert_clear(str(err.value), "城市规划区图层没有字段「county」", "name（规划区名称）")
    with pytest.raises(InputError):
        parse_field_map("boiler fuel 燃料")


def test_area_kinds_are_not_enterprise_kinds():
    # The rules only ever name enterprise layers; the area kinds are inputs of the zones.
    assert not set(AREA_KINDS) & set(LAYER_KINDS)
