"""bluesky:import_list and bluesky:run_all through processing.run on the Shanxi demo data."""
from __future__ import annotations

import pyogrio
import pytest
from demo_fixture import build_demo_layers, ensure_provider

ZONE_LAYERS = {"coal_ban_zone", "region_1p30", "key_city_groups", "north_coal_zero", "cluster_counties",
               "chp_heating_radius", "mine_closure_zone", "planning_area"}
FLAG_COLUMNS = {"ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "lead_dept", "reason",
                "county", "city", "adcode", "distance_km"}


@pytest.fixture(scope="module")
def demo_layers(qgis_processing, tmp_path_factory):
    return build_demo_layers(tmp_path_factory.mktemp("bluesky_demo"))


def test_provider_lists_the_algorithms(qgis_processing):
    provider = ensure_provider()
    ids = {a.id() for a in provider.algorithms()}
    assert {"bluesky:import_list", "bluesky:build_zones", "bluesky:flag_enterprises", "bluesky:run_all"} <= ids


def test_import_list_converts_gcj02_to_wgs84(qgis_processing, demo_layers, tmp_path):
    import processing
    from qgis.core import QgsVectorLayer

    boilers = demo_layers.demo.boilers
    raw = processing.run("bluesky:import_list", {"INPUT": str(boilers), "KIND": 0, "COORD_SYSTEM": 0,
                                                 "OUTPUT": str(tmp_path / "raw.gpkg")})
    conv = QgsVectorLayer(demo_layers.lists["boilers"], "b", "ogr")
    raw_layer = QgsVectorLayer(raw["OUTPUT"], "r", "ogr")
    assert conv.featureCount() == raw_layer.featureCount() == demo_layers.demo.counts["boilers"]
    assert conv.crs().authid() == "EPSG:4326"
    a = next(conv.getFeatures()).geometry().asPoint()
    b = next(raw_layer.getFeatures()).geometry().asPoint()
    # GCJ-02 is offset a few hundred metres from WGS84 in Shanxi
    assert 0.001 < abs(a.x() - b.x()) + abs(a.y() - b.y()) < 0.02
    # the table's columns come through
    assert len(conv.fields()) >= 5


def test_run_all_writes_the_contract(qgis_processing, demo_layers, tmp_path):
    import processing

    out = tmp_path / "run"
    res = processing.run("bluesky:run_all", {
        "ADMIN": demo_layers.admin, "BUILTUP": demo_layers.builtup,
        "BOILERS": demo_layers.lists["boilers"], "MINES": demo_layers.lists["mines"],
        "PLANTS": demo_layers.lists["plants"], "CHP": demo_layers.lists["chp"],
        "EXPORT_PACKAGES": True, "WRITE_WORKBOOK": True,
        "OUTPUT_DIR": str(out),
    })
    zones = out / "zones.gpkg"
    flags = out / "flags.gpkg"
    assert zones.exists() and flags.exists()
    assert {name for name, _ in pyogrio.list_layers(zones)} >= ZONE_LAYERS
    assert {name for name, _ in pyogrio.list_layers(flags)} >= {"enterprise_flags", "enterprise_verdicts", "to_verify"}
    hits = pyogrio.read_dataframe(flags, layer="enterprise_flags")
    assert FLAG_COLUMNS <= set(hits.columns)
    assert len(hits) > 0
    assert {"B-35", "B-10"} & set(hits["rule_id"])
    verdicts = pyogrio.read_dataframe(flags, layer="enterprise_verdicts")
    assert len(verdicts) > 0 and verdicts["verdict"].notna().all()
    assert res["FLAGS"] == len(hits)
    assert res["FLAGGED"] > 0
    ban = pyogrio.read_dataframe(zones, layer="coal_ban_zone")
    assert len(ban) > 0
    assert res["PACKAGES"] > 0 and len(list((out / "counties").glob("*.zip"))) == res["PACKAGES"]
    assert (out / "summary.xlsx").exists()
    # no temporary file left behind
    assert not [p for p in out.rglob("*") if ".part" in p.name or p.name.startswith(".")]


def test_run_all_refuses_without_enterprises(qgis_processing, demo_layers, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as err:
        processing.run("bluesky:run_all", {"ADMIN": demo_layers.admin, "BUILTUP": demo_layers.builtup,
                                           "OUTPUT_DIR": str(tmp_path / "x")})
    assert "企业" in str(err.value)


def test_build_zones_then_flag_enterprises(qgis_processing, demo_layers, tmp_path):
    import processing

    z = processing.run("bluesky:build_zones", {"ADMIN": demo_layers.admin, "BUILTUP": demo_layers.builtup,
                                               "CHP": demo_layers.lists["chp"], "CHP_RADIUS_KM": 20,
                                               "OUTPUT_DIR": str(tmp_path / "z")})
    assert {n for n, _ in pyogrio.list_layers(z["ZONES"])} >= ZONE_LAYERS
    f = processing.run("bluesky:flag_enterprises", {"ZONES": z["ZONES"], "ADMIN": demo_layers.admin,
                                                    "BOILERS": demo_layers.lists["boilers"],
                                                    "OUTPUT_DIR": str(tmp_path / "f")})
    hits = pyogrio.read_dataframe(f["FLAGS_GPKG"], layer="enterprise_flags")
    assert len(hits) == f["FLAGS"] > 0
    assert set(hits["layer"]) <= {"boiler", "boilers", demo_layers.lists["boilers"]} or len(set(hits["layer"])) == 1
    # The zones were built at 20 km and flag_enterprises used the shipped rules file (15 km): membership and every
    # reason follow the zones.gpkg, so hits reach beyond 15 km and each reason says 20.
    chp = hits[hits["rule_id"] == "B-CHP"]
    assert len(chp) > 0
    assert all("在 20 公里供热半径内" in r for r in chp["reason"]), list(chp["reason"])[:3]
    assert 15.0 < chp["distance_km"].max() <= 20.0
    rings = pyogrio.read_dataframe(z["ZONES"], layer="chp_heating_radius", read_geometry=False)
    assert set(rings["radius_km"]) == {20.0}
