"""Villages (三(二)7) through Processing: a polygon village layer with its own Chinese columns, judged by
bluesky:flag_enterprises on the demo's zones; flags.gpkg gets the village hits and the rural 60 % table."""
from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from demo_fixture import build_demo_layers
from shapely.geometry import Point, box


@pytest.fixture(scope="module")
def demo_zones(qgis_processing, tmp_path_factory):
    import processing

    folder = tmp_path_factory.mktemp("villages")
    layers = build_demo_layers(folder)
    res = processing.run("bluesky:build_zones", {"ADMIN": layers.admin, "BUILTUP": layers.builtup,
                                                 "CHP": layers.lists["chp"], "OUTPUT_DIR": str(folder / "zones")})
    return layers, res["ZONES"], folder


def _square(point, half=0.004):
    return box(point.x - half, point.y - half, point.x + half, point.y + half)


def test_polygon_villages_are_judged_and_the_rural_table_written(demo_zones, tmp_path):
    import processing

    layers, zones_path, _folder = demo_zones
    ban = gpd.read_file(zones_path, layer="coal_ban_zone")
    counties = gpd.read_file(layers.admin.split("|")[0], layer="counties")
    taiyuan = ban[ban["city"] == "太原市"].iloc[0]
    inside = taiyuan.geometry.representative_point()
    yuanping = counties[counties["county"] == "原平市"].geometry.iloc[0]
    rural_yp = yuanping.difference(ban.union_all() if hasattr(ban, "union_all") else ban.unary_union)
    north = rural_yp.representative_point()
    villages = gpd.GeoDataFrame({
        "村（社区）名称": ["城中社区", "原平东村", "原平西村"],
        "户数": [2000, 600, 400],
        "清洁取暖户数": [1500, 450, 400],
        "地形地貌": ["平原", "平原", "平原"],
    }, geometry=[_square(inside), _square(north, 0.0004), _square(Point(north.x + 0.001, north.y), 0.0004)],
        crs="EPSG:4326")
    path = tmp_path / "村界.gpkg"
    villages.to_file(path, layer="村界", driver="GPKG")
    out = tmp_path / "flags"
    processing.run("bluesky:flag_enterprises", {
        "ZONES": zones_path, "ADMIN": layers.admin, "VILLAGES": f"{path}|layername=村界",
        "FIELD_MAP": "village.name=村（社区）名称", "OUTPUT_DIR": str(out)})
    flags = pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    hits = dict(zip(flags["name"], flags["rule_id"]))
    assert hits == {"城中社区": "V-HEAT100", "原平东村": "V-COAL0"}
    reason = flags.loc[flags["name"] == "城中社区", "reason"].iloc[0]
    assert "清洁取暖覆盖率 75% < 100%" in reason and "太原市" in reason
    assert set(flags["layer"]) == {"village"}
    rural = pyogrio.read_dataframe(out / "flags.gpkg", layer="rural_heating", read_geometry=False)
    pc = rural[(rural["scope"] == "county") & (rural["county"] == "原平市")].iloc[0]
    assert (pc["villages"], pc["households"], pc["clean_households"]) == (2, 1000, 850)
    assert pc["coverage_pct"] == pytest.approx(85.0) and pc["meets"] == 1
    assert "太原市" not in set(rural["city"])  # its only village, the built-up community, is not rural
    assert rural[rural["scope"] == "province"]["households"].iloc[0] == 1000
