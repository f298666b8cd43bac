"""What a person reads without QGIS: the county an enterprise's name states (a guess, used only when asked), the
run's steps naming a list by its kind in Chinese, a GeoPackage's alias styles replaced rather than piled up."""
from __future__ import annotations

import sqlite3

import geopandas as gpd
import pyogrio
import pytest
from bluesky_zoning.analysis.inputs.admin import county_named_in, shanxi_counties
from shapely.geometry import Point


@pytest.mark.parametrize("name, expected", [
    ("临汾市永和县新兴宾馆", ("临汾市", "永和县", "141032")),
    ("阳泉市郊区富民医院锅炉房", ("阳泉市", "郊区", "140311")),  # 郊区: two characters, the city before it
    ("阳泉郊区富民医院", ("阳泉市", "郊区", "140311")),  # the city without 市
    ("晋城城区热力", ("晋城市", "城区", "140502")),  # 城区 in five cities: this one's city says which
    ("太原市万柏林区安泰水泥有限公司", ("太原市", "万柏林区", "140109")),
    ("娄烦县德隆煤业有限公司", ("太原市", "娄烦县", "140123")),  # begins with the county
    ("山西德隆万柏林区分公司", ("太原市", "万柏林区", "140109")),  # three characters or more: anywhere
    ("太原市小店区清徐县路锅炉房", ("太原市", "小店区", "140105")),  # the county after its city wins
])
def test_the_county_a_name_states(name, expected):
    assert county_named_in(name) == expected


@pytest.mark.parametrize("name", [
    "黄家屯村",  # no county at all
    "城区热力公司",  # 城区 of which city?
    "平遥古县城宾馆",  # 古县 (two characters) inside another word
    "长治市郊区供热",  # 长治 has no 郊区 (any more)
    "晋中市榆次区太原市小店区联合供热",  # two counties, each after its city
    "", None, float("nan"),
])
def test_no_county_when_the_name_does_not_say_one(name):
    assert county_named_in(name) is None


def test_the_counties_looked_for_can_be_given():
    """A run's own county layer (names the Shanxi table lacks); blanks in it (pandas 3: NaN) are skipped."""
    own = [("新城市", "东湖区", "999001"), ("新城市", float("nan"), None)]
    assert county_named_in("新城市东湖区甲厂", own) == ("新城市", "东湖区", "999001")
    assert county_named_in("临汾市永和县新兴宾馆", own) is None
    assert len(shanxi_counties()) == 117


def test_a_step_names_the_list_by_its_kind_in_chinese(toy, admin, builtup, chp_plants, ruleset):
    """The demo imports its lists as 'boilers', 'mines': the step reads 判定锅炉「boilers」…, never 判定boilers…;
    a list named in Chinese reads as it is named."""
    import pandas as pd
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table
    from bluesky_zoning.analysis.pipeline import run_analysis
    from bluesky_zoning.analysis.reports.labels import english_code_words

    x, y = toy.county_centre("小店区")
    table = pd.DataFrame({"单位名称": ["太原市某供热站"], "锅炉编号": ["TY-001"], "经度": [x], "纬度": [y],
                          "燃料类型": ["燃煤"], "额定蒸发量(t/h)": ["20"]})
    steps = []
    for layer_name in ("boilers", "boiler", "锅炉清单"):
        boilers = enterprises_from_table(table, "boiler", layer_name=layer_name)
        run_analysis(admin, builtup, {"boiler": boilers}, chp_plants, ruleset,
                     progress=lambda i, n, s: steps.append(s))
    judged = [s for s in steps if s.startswith("判定")]
    assert judged == ["判定锅炉「boilers」…", "判定锅炉…", "判定锅炉清单…"]
    assert english_code_words([s.replace("「boilers」", "") for s in steps]) == []


def test_alias_styles_are_replaced_not_piled_up(tmp_path):
    """Written twice (a ledger's later update), a GeoPackage holds one default style per layer of the writer's
    own; a style someone saved themselves stays."""
    from bluesky_zoning.analysis.schema.output_fields import write_gpkg_aliases

    path = tmp_path / "表.gpkg"
    gdf = gpd.GeoDataFrame({"county": ["小店区"], "status": ["open"]}, geometry=[Point(112.5, 37.8)], crs=4326)
    pyogrio.write_dataframe(gdf, path, layer="tasks", driver="GPKG")
    write_gpkg_aliases(path, {"tasks": ["county", "status"]}, qgis_style=True, style_note="甲")
    con = sqlite3.connect(path)
    con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
                "styleQML, useAsDefault, description) VALUES ('', '', 'tasks', 'geom', '我的', '<qgis/>', 0, '我的样式')")
    con.commit()
    con.close()
    write_gpkg_aliases(path, {"tasks": ["county", "status"]}, qgis_style=True, style_note="甲",
                       styles={"tasks": "<qgis>整套</qgis>"})
    con = sqlite3.connect(path)
    rows = con.execute("SELECT description, styleQML FROM layer_styles ORDER BY description").fetchall()
    aliases = dict(con.execute("SELECT column_name, name FROM gpkg_data_columns WHERE table_name = 'tasks'"))
    con.close()
    assert rows == [("我的样式", "<qgis/>"), ("甲", "<qgis>整套</qgis>")]
    assert aliases == {"county": "县（市、区）", "status": "数据状态代码"}
