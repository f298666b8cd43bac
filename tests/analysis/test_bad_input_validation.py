"""Issue 7, QGIS-free part: CRS checks, layer checks, message format, rules files, user text never code."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
from bluesky_zoning.analysis.inputs.validation import (
    InputError,
    check_crs,
    check_point_layer,
    check_polygon_layer,
    problem_message,
    problem_messages,
)
from bluesky_zoning.analysis.plan.rules import RuleFileError, load_rules_text
from shapely.geometry import Point, Polygon, box


def test_message_names_layer_row_id_field_and_quotes_raw():
    msg = problem_message("锅炉清单", 12, "GL-00137", "capacity_tph", "约20吨", "额定蒸发量 '约20吨' 无法解析")
    assert msg == ("图层「锅炉清单」第 12 行（编号 GL-00137）字段「额定蒸发量」：额定蒸发量 '约20吨' 无法解析 / "
                   "layer '锅炉清单' row 12 (id GL-00137) field capacity_tph: cannot parse '约20吨'")


def test_problem_messages_are_capped_with_a_count():
    frame = pd.DataFrame({"ent_id": [f"E{i}" for i in range(5)], "layer": "boiler", "row": range(2, 7),
                          "field": "fuel", "raw": "x", "problem": "燃料类型 'x' 无法识别"})
    lines = problem_messages(frame, "锅炉", limit=3)
    assert len(lines) == 4 and "另有 2 条需核实" in lines[-1]


@pytest.mark.parametrize("crs,xy,needle", [
    ("EPSG:4546", (112.0, 37.0), "look like degrees"),
    ("EPSG:4326", (500000.0, 4200000.0), "look like projected metres"),
    (None, (500000.0, 4200000.0), "has no CRS"),
])
def test_crs_contradictions_are_refused(crs, xy, needle):
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(*xy)], crs=crs)
    with pytest.raises(InputError, match=needle) as info:
        check_crs(gdf, "图层X")
    assert "图层「图层X」" in str(info.value)


def test_no_crs_in_degrees_is_assumed_with_warning():
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(112.5, 37.8)])
    out, warnings = check_crs(gdf, "L")
    assert out.crs.to_epsg() == 4326 and "没有坐标系" in warnings[0] and "WGS84" in warnings[0]


def test_true_metric_layer_passes():
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(112.5, 37.8)], crs="EPSG:4326").to_crs("EPSG:4546")
    out, warnings = check_crs(gdf, "L")
    assert warnings == [] and out.crs.to_epsg() == 4546


def test_polygon_layer_checks():
    with pytest.raises(InputError, match="是空的"):
        check_polygon_layer(gpd.GeoDataFrame(geometry=[], crs=4326), "A", "admin")
    with pytest.raises(InputError, match="应为面"):
        check_polygon_layer(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=4326), "A", "builtup")
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    msgs = check_polygon_layer(gpd.GeoDataFrame({"n": ["甲", "乙"]}, geometry=[box(0, 0, 1, 1), bowtie], crs=4326),
                               "县界", "admin", "n")
    assert len(msgs) == 1 and "第 2 个要素（乙）字段「几何」：几何无效" in msgs[0] and "make_valid" in msgs[0]


def test_point_layer_checks():
    assert "空清单" in check_point_layer(gpd.GeoDataFrame(geometry=[], crs=4326), "矿山")[0]
    with pytest.raises(InputError, match="应为点"):
        check_point_layer(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4326), "矿山")


def test_rules_python_tag_refused_and_errors_name_rule_and_line(tmp_path):
    with pytest.raises(RuleFileError, match="不允许的 YAML 标签"):
        load_rules_text("rules: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(RuleFileError, match=r"第 \d+ 行 YAML 语法错误"):
        load_rules_text("rules:\n  - id: [x\n")


def test_csv_cells_are_text(tmp_path):
    path = tmp_path / "l.csv"
    pd.DataFrame({"编号": ["A"], "单位名称": ["=cmd|' /C calc'!A0"], "燃料类型": ["燃煤"],
                  "额定蒸发量": ["__import__('os')"], "经度": [112.5], "纬度": [37.8]}).to_csv(path, index=False)
    df = read_table(path)
    assert df.loc[0, "单位名称"] == "=cmd|' /C calc'!A0"
    table = enterprises_from_table(df, "boiler")
    assert table.gdf.loc[0, "name"] == "=cmd|' /C calc'!A0"
    assert "__import__('os')" in set(table.problems["raw"])
