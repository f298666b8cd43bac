"""The whole job: tables → run_analysis → write_results, with progress, cancel and Chinese round-trips."""
from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from bluesky_zoning.analysis.common.errors import CanceledError
from bluesky_zoning.analysis.inputs.enterprises import (
    enterprises_from_gdf,
    enterprises_from_table,
    read_table,
)
from bluesky_zoning.analysis.pipeline import run_analysis, write_results


def _boiler_table(toy) -> pd.DataFrame:
    x, y = toy.county_centre("小店区")
    return pd.DataFrame({"单位名称": ["太原市某供热站", "清徐某厂", "无坐标厂"], "锅炉编号": ["TY-001", "QX-002", "NA-003"],
                         "经度": [x, *toy.county_centre("阳高县")[:1], None],
                         "纬度": [y, toy.county_centre("阳高县")[1], None],
                         "燃料类型": ["燃煤", "燃煤", "燃煤"], "额定蒸发量(t/h)": ["20", "10蒸吨", "4"],
                         "用途": ["生产", "采暖", "采暖"]})


def test_read_table_csv_gbk_and_xlsx(tmp_path, toy):
    df = _boiler_table(toy)
    df.to_csv(tmp_path / "gbk.csv", index=False, encoding="gbk")
    df.to_csv(tmp_path / "utf8.csv", index=False, encoding="utf-8-sig")
    df.to_excel(tmp_path / "list.xlsx", index=False)
    for name in ("gbk.csv", "utf8.csv", "list.xlsx"):
        t = read_table(tmp_path / name)
        assert list(t.columns) == list(df.columns) and t["单位名称"].iloc[0] == "太原市某供热站"


def test_table_rows_problems_and_mw_column(toy):
    df = pd.DataFrame({"名称": ["甲", "乙"], "经度": ["112.1", "abc"], "纬度": [37.1, 37.2], "燃料": ["燃煤", "燃煤"],
                       "额定功率(MW)": [7, 14]})
    t = enterprises_from_table(df, "boiler")
    assert list(t.gdf["capacity_tph"]) == [pytest.approx(10.0), pytest.approx(20.0)]
    assert list(t.gdf["row"]) == [2, 3]
    prob = t.problems.iloc[0]
    assert (prob["row"], prob["field"], prob["problem"]) == (3, "lon", "经度 'abc' 无法解析")
    assert t.gdf.geometry.iloc[1] is None


def test_gcj02_list_is_converted(toy):
    from bluesky_zoning.analysis.inputs.coords import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(112.55, 37.85)
    df = pd.DataFrame({"名称": ["甲"], "经度": [float(gx)], "纬度": [float(gy)]})
    t = enterprises_from_table(df, "mine", coord_system="GCJ02")
    pt = t.gdf.geometry.iloc[0]
    assert pt.x == pytest.approx(112.55, abs=1e-6) and pt.y == pytest.approx(37.85, abs=1e-6)


def test_run_and_write(tmp_path, toy, admin, builtup, chp_plants, ruleset):
    boilers = enterprises_from_table(_boiler_table(toy), "boiler", layer_name="锅炉清单")
    plants = enterprises_from_gdf(chp_plants.rename(columns={"capacity_mw": "装机容量(MW)", "name": "电厂名称"}), "chp")
    steps = []
    res = run_analysis(admin, builtup, {"boiler": boilers, "chp": plants}, None, ruleset,
                       progress=lambda i, n, s: steps.append((i, n, s)))
    # built-up, 8 zone builders, 2 enterprise layers, summary: 12 steps, then (12, 12, "完成")
    assert [s[0] for s in steps] == list(range(13)) and {s[1] for s in steps} == {12}
    assert [s[2] for s in steps] == ["准备建成区…", "构建禁煤区…", "构建“1+30”区域…", "构建重点城市分组…",
                                     "构建北部平原散煤清零区…", "构建产业集群综合整治县…", "构建热电联产供热半径…",
                                     "构建露天矿山关闭区…", "构建城市规划区…", "判定锅炉清单…", "判定热电厂…",
                                     "汇总…", "完成"]
    assert res.rule_counts == {"B-35": 1, "B-10": 1}
    counts = res.counts.set_index("layer")
    assert counts.loc["boiler"].tolist() == [3, 2, 0, 1]
    assert res.metric_crs == "EPSG:4546" and res.params["b35_tph"] == 35
    assert any("1+30" in n for n in res.notes)
    paths = write_results(res, tmp_path / "out")
    assert sorted(pyogrio.list_layers(paths["zones"])[:, 0]) == sorted(
        ["coal_ban_zone", "region_1p30", "key_city_groups", "north_coal_zero", "cluster_counties",
         "chp_heating_radius", "mine_closure_zone", "planning_area"])
    assert sorted(pyogrio.list_layers(paths["flags"])[:, 0]) == ["enterprise_flags", "enterprise_verdicts",
                                                                  "to_verify"]
    flags = pyogrio.read_dataframe(paths["flags"], layer="enterprise_flags")
    assert list(flags.columns[:13]) == ["ent_id", "layer", "name", "rule_id", "action", "clause", "deadline",
                                        "lead_dept", "reason", "county", "city", "adcode", "distance_km"]
    assert flags.loc[flags["ent_id"] == "TY-001", "name"].iloc[0] == "太原市某供热站"
    assert flags.loc[flags["ent_id"] == "TY-001", "reason"].iloc[0] == "燃煤锅炉 20 蒸吨/小时 < 35，位于太原市（京津冀及周边地区）"
    verdicts = pyogrio.read_dataframe(paths["flags"], layer="enterprise_verdicts")
    assert set(verdicts.columns) >= {"ent_id", "layer", "name", "verdict", "rule_ids", "county", "city"}
    tv = pyogrio.read_dataframe(paths["flags"], layer="to_verify")
    assert list(tv["problem"]) == ["缺少经纬度，无法定位"]
    chp = pyogrio.read_dataframe(paths["zones"], layer="chp_heating_radius")
    assert "清徐热电厂" in set(chp["name"])
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_run_from_raster_and_cancel(tmp_path, toy, admin, chp_plants, ruleset):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    x0, y0, x1, y1 = toy.county_box("小店区")
    arr = np.zeros((100, 100), dtype="float32")
    arr[40:60, 40:60] = 1.0
    path = tmp_path / "b.tif"
    with rasterio.open(path, "w", driver="GTiff", height=100, width=100, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(x0, y1, (x1 - x0) / 100, (y1 - y0) / 100)) as dst:
        dst.write(arr, 1)
    res = run_analysis(admin, path, {}, chp_plants, ruleset)
    assert list(res.zones["coal_ban_zone"]["county"]) == ["小店区"]
    with pytest.raises(CanceledError):
        run_analysis(admin, path, {}, chp_plants, ruleset, is_canceled=lambda: True)


def test_run_cancel_between_fine_steps(toy, admin, builtup, chp_plants, ruleset):
    """is_canceled is asked before every step: cancelling while a zone is built stops before the next one."""
    boilers = enterprises_from_table(_boiler_table(toy), "boiler", layer_name="锅炉清单")
    seen = []
    with pytest.raises(CanceledError):
        run_analysis(admin, builtup, {"boiler": boilers}, chp_plants, ruleset,
                     progress=lambda i, n, s: seen.append(s),
                     is_canceled=lambda: "构建热电联产供热半径…" in seen)
    assert seen[-1] == "构建热电联产供热半径…" and "构建露天矿山关闭区…" not in seen
