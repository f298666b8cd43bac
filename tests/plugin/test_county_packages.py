"""County packages: one zip per county, read back with pyogrio and with QGIS (/vsizip/), UTF-8 and GBK."""
from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from bluesky_zoning.layers.county_packages import export_county_packages
from outputs_fixture import FIXTURE_ADCODES, build_outputs_fixture


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def _full_names(path, layer):
    """Short shapefile field name → full name, from the package's field dictionary."""
    d = pd.read_csv(zipfile.ZipFile(path).open("字段说明.csv"), encoding="utf-8-sig", dtype=str)
    d = d[d["图层"] == layer]
    return dict(zip(d["短字段名"], d["完整字段名"]))


def _expected(fx, adcode):
    flags = pyogrio.read_dataframe(fx.flags_gpkg, layer="enterprise_flags")
    return flags[flags["adcode"] == adcode]


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_packages_read_back_with_pyogrio(fixture, tmp_path, encoding):
    paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path, encoding=encoding,
                                   admin_gpkg=fixture.admin_gpkg)
    names = sorted(p.name for p in paths)
    assert names == ["140105_小店区.zip", "140302_城区.zip", "140502_城区.zip", "140728_平遥县.zip"]
    # only the zips: no temporary zip (analysis/common/atomic.py names them ".<stem>-<id>.part.zip") and no work folder
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    for adcode, path in zip(sorted(FIXTURE_ADCODES), sorted(paths)):
        expected = _expected(fixture, adcode)
        with zipfile.ZipFile(path) as zf:
            members = zf.namelist()
            assert "county_boundary.shp" in members and "coal_ban_zone.shp" in members
            assert zf.read("county_boundary.cpg").decode() == encoding
            dictionary = zf.read("字段说明.csv")
            assert dictionary.startswith(b"\xef\xbb\xbf")
        gpkg_layers = [r[0] for r in pyogrio.list_layers(f"/vsizip/{path}/{path.stem}.gpkg")]
        if len(expected) == 0:  # nothing flagged: still the boundary and the zones
            assert "enterprise_flags" not in members
            assert "coal_ban_zone" in gpkg_layers
            continue
        # the encoding the .cpg declares, passed explicitly: GDAL's own .cpg recoding is switched off
        # process-wide once QGIS (loaded in this test process) has opened a shapefile
        cpg = zipfile.ZipFile(path).read("enterprise_flags.cpg").decode("ascii")
        assert cpg == encoding
        shp = pyogrio.read_dataframe(f"/vsizip/{path}/enterprise_flags.shp", encoding=cpg)
        # headers county staff can read: short Chinese names (5 characters in GBK, 3 in UTF-8)
        short = "企业编号" if encoding == "GBK" else "编号"
        assert short in shp.columns and "ent_id" not in shp.columns
        assert ("类别" in shp.columns) and set(shp["类别"]) <= {"锅炉", "工业企业", "矿山", "热电厂"}
        shp = shp.rename(columns=_full_names(path, "enterprise_flags"))
        gpkg = pyogrio.read_dataframe(f"/vsizip/{path}/{path.stem}.gpkg", layer="enterprise_flags")
        assert sorted(shp["ent_id"]) == sorted(expected["ent_id"]) == sorted(gpkg["ent_id"])
        assert sorted(shp["name"]) == sorted(expected["name"])
        assert set(shp["reason"]) == set(expected["reason"])
        assert "distance_km" in shp.columns and "distance_km" in gpkg.columns  # via the dictionary; full names
        raw_names = pyogrio.read_info(f"/vsizip/{path}/enterprise_flags.shp", encoding=cpg)["fields"]
        assert all(len(c.encode("gbk" if encoding == "GBK" else "utf-8")) <= 10 for c in raw_names)
        verdicts = pyogrio.read_dataframe(f"/vsizip/{path}/enterprise_verdicts.shp", encoding=cpg)
        verdicts = verdicts.rename(columns=_full_names(path, "enterprise_verdicts"))
        assert sorted(verdicts["ent_id"]) == sorted(set(expected["ent_id"]))
        d = pd.read_csv(f"zip://{path}!字段说明.csv" if False else zipfile.ZipFile(path).open("字段说明.csv"),
                        encoding="utf-8-sig")
        assert {"短字段名", "完整字段名", "中文名", "含义"} <= set(d.columns)
        assert d.loc[d["完整字段名"] == "distance_km", "短字段名"].iloc[0] == ("距离公里" if encoding == "GBK" else "距离")
        assert d.loc[d["完整字段名"] == "distance_km", "中文名"].iloc[0] == "距离（公里）"


def test_packages_clip_zones_to_county(fixture, tmp_path):
    paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path,
                                   admin_gpkg=fixture.admin_gpkg)
    for path in paths:
        boundary = pyogrio.read_dataframe(f"/vsizip/{path}/county_boundary.shp").geometry.iloc[0]
        zones = pyogrio.read_dataframe(f"/vsizip/{path}/key_city_groups.shp")
        assert zones.geometry.union_all().difference(boundary.buffer(1e-6)).area < 1e-9


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_packages_read_back_with_qgis(qgis_app, fixture, tmp_path, encoding):
    from qgis.core import QgsVectorLayer

    paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path, encoding=encoding,
                                   admin_gpkg=fixture.admin_gpkg)
    path = next(p for p in paths if p.name.startswith("140105"))
    expected = _expected(fixture, "140105")
    layer = QgsVectorLayer(f"/vsizip/{path}/enterprise_flags.shp", "flags", "ogr")
    assert layer.isValid()
    assert layer.featureCount() == len(expected)
    short = {full: s for s, full in _full_names(path, "enterprise_flags").items()}
    assert short["ent_id"] in layer.fields().names()
    got = sorted((f[short["ent_id"]], f[short["name"]], f[short["action"]]) for f in layer.getFeatures())
    assert got == sorted(zip(expected["ent_id"], expected["name"], expected["action"]))
    assert any("小店区" in name for _, name, _ in got)
    gpkg = QgsVectorLayer(f"/vsizip/{path}/{path.stem}.gpkg|layername=enterprise_flags", "g", "ogr")
    assert gpkg.isValid() and "distance_km" in gpkg.fields().names()
    # Chinese aliases in the GeoPackage: QGIS shows them as soon as the layer opens
    aliases = {f.name(): f.alias() for f in gpkg.fields()}
    assert aliases["ent_id"] == "企业编号" and aliases["layer"] == "类别代码"
    assert aliases["distance_km"] == "距离（公里）" and aliases["layer_label"] == "类别"
    assert sorted(f["name"] for f in gpkg.getFeatures()) == sorted(expected["name"])


def test_cancel_leaves_no_partial_zip(fixture, tmp_path):
    def cancel_once_one_zip_is_done():
        return any(not p.name.startswith(".") for p in tmp_path.glob("*.zip"))  # a finished zip, not one in the making

    paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path, workers=1,
                                   admin_gpkg=fixture.admin_gpkg, is_canceled=cancel_once_one_zip_is_done)
    assert len(paths) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [paths[0].name]
    with zipfile.ZipFile(paths[0]) as zf:
        assert zf.testzip() is None


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_a_text_longer_than_a_dbf_field_ends_in_an_ellipsis(tmp_path, encoding):
    """A verdict naming many rules is longer than dBASE's 254 bytes: the shapefile gets it cut at a character
    with "…" (no GDAL truncation warning, no broken character); the package's GeoPackage keeps it whole."""
    import geopandas as gpd
    import pyogrio
    from bluesky_zoning.layers.county_packages import _shapefile_ready, _write_shapefile
    from shapely.geometry import Point

    long = "、".join(["钢铁企业大宗物料清洁运输改造"] * 20)
    gdf = gpd.GeoDataFrame({"rules": [long, "短"]}, geometry=[Point(112.5, 37.8)] * 2, crs="EPSG:4326")
    path = tmp_path / "t.shp"
    _write_shapefile(_shapefile_ready(gdf, {"rules": "规则"}, encoding), path, encoding)
    back = pyogrio.read_dataframe(path, encoding=encoding)
    cut = back["规则"].iloc[0]
    assert cut.endswith("…") and long.startswith(cut[:-1]) and len(cut.encode(encoding)) <= 254
    assert back["规则"].iloc[1] == "短"


def test_two_counties_with_one_name_and_code_are_warned_about(fixture, tmp_path):
    """An admin layer that gives 阳泉's 城区 the adcode of 晋城's 城区: two zips, and a warning naming both."""
    admin = pyogrio.read_dataframe(fixture.admin_gpkg, layer="counties")
    admin.loc[admin["adcode"] == "140302", "adcode"] = "140502"
    doubled = tmp_path / "admin.gpkg"
    pyogrio.write_dataframe(admin, doubled, layer="counties", driver="GPKG")
    warnings = []
    paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path / "out", admin_gpkg=doubled,
                                   warn=warnings.append)
    assert sorted(p.name for p in paths) == ["140105_小店区.zip", "140502_城区.zip", "140502_城区_2.zip",
                                            "140728_平遥县.zip"]
    assert len(warnings) == 1 and "140502_城区.zip" in warnings[0] and "140502_城区_2.zip" in warnings[0]
    assert "请核对行政区划图层" in warnings[0]


def test_package_commits_skip_the_disk_wait_in_the_writers_thread_only():
    """The package GeoPackage's quick commits are a thread-local GDAL option: QGIS's other threads, and this
    thread once the write is done, keep their own setting."""
    import threading

    from bluesky_zoning.layers.county_packages import _commits_without_sync
    from osgeo import gdal

    def seen_elsewhere(option):
        out = []
        t = threading.Thread(target=lambda: out.append(gdal.GetConfigOption(option)))
        t.start()
        t.join()
        return out[0]

    for option in ("OGR_SQLITE_SYNCHRONOUS", "OGR_SQLITE_JOURNAL"):
        assert gdal.GetConfigOption(option) is None
        with _commits_without_sync():
            assert gdal.GetConfigOption(option) == "OFF"
            assert seen_elsewhere(option) is None
        assert gdal.GetConfigOption(option) is None


def test_packages_made_in_memory_equal_those_made_on_disk(fixture, tmp_path, monkeypatch):
    """The shapefiles are made in GDAL's memory when pyogrio shares QGIS's GDAL (here it does), else in the work
    folder on disk, as are a layer past MEMORY_ROWS and the files past a package's MEMORY_BYTES: the zips hold
    the same files every way, byte for byte (the GeoPackage: the same layers and rows), and nothing is left in
    GDAL's memory."""
    import sqlite3

    from bluesky_zoning.layers import county_packages, scratch_files
    from osgeo import gdal

    def export(folder):
        paths = export_county_packages(fixture.zones_gpkg, fixture.flags_gpkg, tmp_path / folder,
                                       admin_gpkg=fixture.admin_gpkg)
        assert not [n for n in gdal.ReadDir("/vsimem/") or [] if n.startswith("bluesky_scratch")]
        return paths

    assert scratch_files.memory_shared()
    in_memory = export("memory")
    other = {}
    with monkeypatch.context() as m:
        m.setattr(county_packages, "MEMORY_ROWS", 0)  # every layer's shapefile on disk
        other["rows"] = export("rows")
    with monkeypatch.context() as m:
        m.setattr(county_packages, "MEMORY_BYTES", 1)  # every file spilled to disk after GDAL made it in memory
        other["bytes"] = export("bytes")
    with monkeypatch.context() as m:
        m.setattr(scratch_files, "memory_shared", lambda: False)
        other["disk"] = export("disk")
    for route, on_disk in other.items():
        assert [p.name for p in in_memory] == [p.name for p in on_disk] and len(in_memory) == 4, route
        for a, b in zip(in_memory, on_disk):
            with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
                assert za.namelist() == zb.namelist(), route
                assert sum(n.endswith(".shp") for n in za.namelist()) >= 3
                for name in za.namelist():
                    if not name.endswith(".gpkg"):
                        assert za.read(name) == zb.read(name), (route, name)
            layers = [r[0] for r in pyogrio.list_layers(f"/vsizip/{a}/{a.stem}.gpkg")]
            assert layers == [r[0] for r in pyogrio.list_layers(f"/vsizip/{b}/{b.stem}.gpkg")]
            for layer in layers:
                if layer != "layer_styles":  # its update time differs
                    pd.testing.assert_frame_equal(
                        pyogrio.read_dataframe(f"/vsizip/{a}/{a.stem}.gpkg", layer=layer),
                        pyogrio.read_dataframe(f"/vsizip/{b}/{b.stem}.gpkg", layer=layer))
    def schema(zip_path, folder):  # the GeoPackage's tables, triggers, indexes and metadata, as SQLite holds them
        with zipfile.ZipFile(zip_path) as zf:
            gpkg = tmp_path / folder / f"{zip_path.stem}.gpkg"
            gpkg.write_bytes(zf.read(f"{zip_path.stem}.gpkg"))
        con = sqlite3.connect(gpkg)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return [con.execute(q).fetchall() for q in (
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
                "SELECT table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents "
                "ORDER BY table_name",
                "SELECT * FROM gpkg_geometry_columns ORDER BY table_name",
                "SELECT * FROM gpkg_extensions ORDER BY table_name, extension_name",
                "SELECT * FROM gpkg_data_columns ORDER BY table_name, column_name",
                "PRAGMA application_id", "PRAGMA user_version")]
        finally:
            con.close()

    # the GeoPackage is copied in from FlatGeobufs in GDAL's memory, or appended layer by layer on the disk route
    for a, b in zip(in_memory, other["disk"]):
        made = schema(a, "memory")
        assert len(made[0]) > 50 and made[0] == schema(b, "disk")[0]
        assert made == schema(b, "disk")


def test_a_geopackage_gdal_cannot_write_is_an_error_not_a_half_package(tmp_path):
    """A failure inside GDAL while copying the layers in (its errors are return codes inside QGIS) is raised,
    naming the file and the layer: the package is not zipped from a half-written GeoPackage."""
    from bluesky_zoning.layers.county_packages import _write_gpkg
    from bluesky_zoning.layers.scratch_files import MemoryFolder
    from shapely.geometry import Point

    layer = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(112.5, 37.9)], crs=4326)
    memory = MemoryFolder()
    try:
        with pytest.raises(OSError, match="a.gpkg: create"):
            _write_gpkg({"x": layer}, tmp_path / "no_such_folder" / "a.gpkg", tmp_path, memory)
        with pytest.raises(OSError, match="b.gpkg: layer gpkg_x"):  # a name GeoPackage reserves
            _write_gpkg({"x": layer, "gpkg_x": layer}, tmp_path / "b.gpkg", tmp_path, memory)
        assert memory.names() == []  # the FlatGeobufs are gone either way
        _write_gpkg({"x": layer}, tmp_path / "c.gpkg", tmp_path, memory)
        assert pyogrio.read_dataframe(tmp_path / "c.gpkg", layer="x")["a"].tolist() == [1]
        # a column named FID is the GeoPackage's key: written by pyogrio's appends (GDAL 3.6's CopyLayer hangs)
        keyed = layer.assign(FID=[7])
        _write_gpkg({"x": layer, "keyed": keyed}, tmp_path / "d.gpkg", tmp_path, memory)
        read = pyogrio.read_dataframe(tmp_path / "d.gpkg", layer="keyed", fid_as_index=True)
        assert read.index.tolist() == [7] and read["a"].tolist() == [1]
    finally:
        memory.close()
