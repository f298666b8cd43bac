"""Tests for the embedded Shanxi boundaries and admin-layer normalisation."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from bluesky_zoning.analysis.inputs import admin
from pyproj import Geod
from shapely.geometry import Polygon

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return admin.load_shanxi_boundaries("county")


@pytest.fixture(scope="module")
def cities() -> gpd.GeoDataFrame:
    return admin.load_shanxi_boundaries("city")


def _row(gdf, county):
    rows = gdf[gdf["county"] == county]
    assert len(rows) == 1, county
    return rows.iloc[0]


def test_counts_and_columns(counties, cities):
    assert len(counties) == 117
    assert len(cities) == 11
    assert list(counties.columns) == admin.ADMIN_COLUMNS
    assert list(cities.columns) == ["city", "city_adcode", "geometry"]
    assert counties.crs.to_epsg() == 4326 and cities.crs.to_epsg() == 4326
    assert counties["adcode"].is_unique
    assert counties["adcode"].str.fullmatch(r"14\d{4}").all()
    assert set(counties["city"]) == set(cities["city"])
    assert set(counties["city_adcode"]) == set(cities["city_adcode"])


def test_known_counties(counties):
    xd = _row(counties, "小店区")
    assert xd["city"] == "太原市" and xd["adcode"] == "140105" and xd["city_adcode"] == "140100"
    assert bool(xd["is_city_district"]) is True
    qx = _row(counties, "清徐县")
    assert qx["city"] == "太原市" and bool(qx["is_city_district"]) is False
    # 古交市 is a county-level city (…81), not an urban district.
    assert bool(_row(counties, "古交市")["is_city_district"]) is False
    # Every prefecture city has at least one urban district.
    assert counties[counties["is_city_district"]]["city"].nunique() == 11


def test_geometries_valid_multipolygons(counties, cities):
    for gdf in (counties, cities):
        assert gdf.geometry.is_valid.all()
        assert (gdf.geom_type == "MultiPolygon").all()


def test_union_matches_province(counties):
    province = admin.load_shanxi_province()
    union = shapely.union_all(counties.geometry.values)
    area_union = abs(GEOD.geometry_area_perimeter(union)[0])
    area_prov = abs(GEOD.geometry_area_perimeter(province)[0])
    assert area_prov == pytest.approx(156_000e6, rel=0.03)  # Shanxi is about 156,700 km²
    assert area_union == pytest.approx(area_prov, rel=0.005)
    assert union.symmetric_difference(province).area / province.area < 0.01


def test_taiyuan_shift_from_gcj(cities):
    raw = admin.read_cnmaps_geometry("140100", to_wgs84=False)
    converted = cities[cities["city"] == "太原市"].geometry.iloc[0]
    c_raw, c_new = raw.centroid, converted.centroid
    _, _, dist = GEOD.inv(c_raw.x, c_raw.y, c_new.x, c_new.y)
    assert 400 < dist < 700
    # WGS84 lies south-west of GCJ-02 in Shanxi.
    assert c_new.x < c_raw.x and c_new.y < c_raw.y
    # The vertex count is unchanged: only coordinates move.
    assert shapely.get_num_coordinates(raw) == shapely.get_num_coordinates(converted)


def test_returns_copies(counties):
    a = admin.load_shanxi_boundaries()
    a.loc[a.index[0], "county"] = "X"
    assert admin.load_shanxi_boundaries().iloc[0]["county"] != "X"


def test_bad_level():
    with pytest.raises(ValueError, match="level"):
        admin.load_shanxi_boundaries("town")


@pytest.mark.parametrize(
    "columns, expected",
    [
        (["NAME", "市", "PAC"], {"county": "NAME", "city": "市", "adcode": "PAC"}),
        (["县(市、区)", "所属地市", "行政区划代码", "面积"], {"county": "县(市、区)", "city": "所属地市", "adcode": "行政区划代码"}),
        (["name", "city", "adcode", "geometry"], {"county": "name", "city": "city", "adcode": "adcode"}),
        (["区县", "地市", "代码"], {"county": "区县", "city": "地市", "adcode": "代码"}),
        (["县区名称", "Shape_Area"], {"county": "县区名称", "city": None, "adcode": None}),
        (["COUNTY", "CITY", "CODE"], {"county": "COUNTY", "city": "CITY", "adcode": "CODE"}),
    ],
)
def test_guess_admin_fields(columns, expected):
    assert admin.guess_admin_fields(columns) == expected


def _user_layer(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A user-style layer: Chinese headers, 12-digit codes, no city, CGCS2000 Gauss-Kruger."""
    sub = counties[counties["city"].isin(["太原市", "阳泉市"])].reset_index(drop=True)
    user = gpd.GeoDataFrame(
        {"NAME": sub["county"], "PAC": (sub["adcode"] + "000000").astype(np.int64)},
        geometry=sub.geometry.values,
        crs="EPSG:4326",
    ).to_crs("EPSG:4546")
    return user


def test_normalize_admin_reprojects_and_derives_city(counties):
    user = _user_layer(counties)
    out = admin.normalize_admin(user, "NAME", adcode_field="PAC")
    assert out.crs.to_epsg() == 4326
    assert list(out.columns) == admin.ADMIN_COLUMNS
    xd = _row(out, "小店区")
    assert xd["city"] == "太原市" and xd["adcode"] == "140105" and bool(xd["is_city_district"])
    assert set(out["city"]) == {"太原市", "阳泉市"}
    assert out.attrs["repaired"] == []
    # Reprojection round trip stays within centimetres of the source.
    ref = counties.set_index("adcode").loc["140105", "geometry"]
    assert xd.geometry.symmetric_difference(ref).area / ref.area < 1e-6
    assert "NAME" in user.columns and user.crs.to_epsg() == 4546  # input untouched


def test_normalize_admin_fills_adcode_from_names(counties):
    sub = counties[counties["city"] == "太原市"][["county", "city", "geometry"]]
    user = gpd.GeoDataFrame({"县": sub["county"].values, "市": sub["city"].values}, geometry=sub.geometry.values, crs=4326)
    out = admin.normalize_admin(user, "县", city_field="市")
    assert _row(out, "清徐县")["adcode"] == "140121"


def test_normalize_admin_repairs_invalid_geometry():
    bowtie = Polygon([(112.0, 37.0), (112.1, 37.1), (112.1, 37.0), (112.0, 37.1), (112.0, 37.0)])
    good = Polygon([(112.2, 37.0), (112.3, 37.0), (112.3, 37.1), (112.2, 37.1)])
    user = gpd.GeoDataFrame({"name": ["甲县", "清徐县"], "code": ["140999", 140121.0]}, geometry=[good, bowtie], crs=4326)
    out = admin.normalize_admin(user, "name", adcode_field="code")
    assert out.attrs["repaired"] == [1]
    assert out.attrs["repaired_counties"] == ["清徐县"]
    assert out.geometry.is_valid.all() and (out.geom_type == "MultiPolygon").all()
    assert out.iloc[1]["adcode"] == "140121" and out.iloc[1]["city"] == "太原市"


def test_normalize_admin_missing_field_named():
    user = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs=4326)
    with pytest.raises(ValueError, match="县名"):
        admin.normalize_admin(user, "县名")
    with pytest.raises(ValueError, match="adcode_x"):
        admin.normalize_admin(user, "name", adcode_field="adcode_x")
