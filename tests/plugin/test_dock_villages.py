"""Villages (行政村/社区, 三(二)7) as an input of the dock: the 数据 tab's 村（社区）清单 combo takes points or
polygons and maps their fields, the 运行 tab hands them to the run (a real run on four Shanxi counties flags the
built-up village whose clean heating is short of 100 %), and a village XLSX imports to WGS84 points through the
import dialog and bluesky:import_list."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from qgis.core import QgsProject, QgsVectorLayer, QgsWkbTypes
from shapely.geometry import Point, box
from task_wait import wait_for

VILLAGE_COLUMNS = ["村名", "总户数", "散煤户数", "清洁取暖户数", "取暖方式", "地形"]


def _ring(point: Point, km: float):
    metric = gpd.GeoSeries([point], crs=4326).to_crs(4547)
    return metric.buffer(km * 1000).to_crs(4326).iloc[0]


@pytest.fixture(scope="module")
def inputs(outputs_fixture, tmp_path_factory):
    """Four real counties, one built-up area in 小店区, three village polygons: one inside the built-up area with
    half its households heated cleanly, one inside with all of them, one far outside."""
    folder = tmp_path_factory.mktemp("villages")
    fx = outputs_fixture(folder / "fixture")
    xiaodian = fx.counties[fx.counties["adcode"] == "140105"].geometry.iloc[0]
    centre = xiaodian.representative_point()
    builtup = folder / "builtup.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["小店区建成区"]}, geometry=[_ring(centre, 2.0)], crs=4326),
                            builtup, layer="builtup", driver="GPKG")
    far = fx.counties[fx.counties["adcode"] == "140728"].geometry.iloc[0].representative_point()  # 平遥县

    def square(p: Point, dx: float = 0.0):
        return box(p.x + dx - 0.002, p.y - 0.002, p.x + dx + 0.002, p.y + 0.002)

    villages = gpd.GeoDataFrame(
        [["许坦村", 400, 200, 200, "燃煤", "平原"], ["北营社区", 300, 0, 300, "集中供热", "平原"],
         ["梁家堡村", 250, 50, 200, "电代煤", "平原"]],
        columns=VILLAGE_COLUMNS, geometry=[square(centre), square(centre, 0.006), square(far)], crs=4326)
    path = folder / "villages.gpkg"
    pyogrio.write_dataframe(villages, path, layer="villages", driver="GPKG")
    return {"admin": f"{fx.admin_gpkg}|layername=counties", "builtup": f"{builtup}|layername=builtup",
            "villages": f"{path}|layername=villages", "folder": folder}


@pytest.fixture(scope="module")
def dock(qgis_iface, qgis_processing, inputs):
    import bluesky_zoning.ui.dock as dock_module

    QgsProject.instance().clear()
    widget = dock_module.BlueSkyDock(qgis_iface)
    widget.ui.outDir.setFilePath(str(inputs["folder"] / "runs"))
    layers = {key: QgsVectorLayer(inputs[key], key, "ogr") for key in ("admin", "builtup", "villages")}
    assert all(layer.isValid() for layer in layers.values())
    QgsProject.instance().addMapLayers(list(layers.values()))
    u = widget.ui
    for combo in (u.boilersCombo, u.minesCombo, u.plantsCombo, u.chpCombo, u.planningCombo):
        combo.setLayer(None)
    u.adminCombo.setLayer(layers["admin"])
    u.builtupCombo.setLayer(layers["builtup"])
    u.villagesCombo.setLayer(layers["villages"])
    yield widget
    widget.close_and_cleanup()


def test_the_village_combo_takes_polygons_and_maps_their_fields(dock):
    u = dock.ui
    layer = u.villagesCombo.currentLayer()
    assert layer is not None and layer.geometryType() == QgsWkbTypes.PolygonGeometry
    assert u.villagesLabel.text() in ("Villages and communities", "村（社区）清单")
    info = u.mappingInfo.toPlainText()
    for shown in ("✔ 名称 ← 村名", "✔ 总户数 ← 总户数", "✔ 散煤户数 ← 散煤户数", "✔ 清洁取暖户数 ← 清洁取暖户数",
                  "✔ 地形 ← 地形"):
        assert shown in info, info
    rows = {u.fieldTable.item(r, 1).data(256): u.fieldTable.cellWidget(r, 2).currentText()
            for r in range(u.fieldTable.rowCount())}
    assert rows["village.households"] == "总户数" and rows["village.terrain"] == "地形"
    # the point-only combos do not offer the polygons; the village combo lists them
    assert u.boilersCombo.model().rowCount() == 1 + sum(  # the empty entry, then point layers only
        1 for lyr in QgsProject.instance().mapLayers().values()
        if isinstance(lyr, QgsVectorLayer) and lyr.geometryType() == QgsWkbTypes.PointGeometry)


def test_the_village_combo_feeds_the_runs_inputs(dock):
    from bluesky_zoning.analysis.inputs.validation import InputError

    inputs = dock.run.job_inputs()
    assert set(inputs.enterprises) == {"village"}
    villages = inputs.enterprises["village"].read()
    assert sorted(villages["村名"]) == ["北营社区", "梁家堡村", "许坦村"]
    assert set(villages.geometry.geom_type) == {"Polygon"}
    dock.ui.villagesCombo.setLayer(None)
    try:
        with pytest.raises(InputError) as error:
            dock.run.job_inputs()
        assert "villages" in str(error.value) or "村" in str(error.value)  # the message names 村 too
    finally:
        dock.ui.villagesCombo.setLayer(QgsProject.instance().mapLayersByName("villages")[0])


def test_a_run_with_villages_only_flags_the_built_up_village(dock):
    task = dock.run_analysis()
    assert task is not None
    wait_for(task)
    assert task.exception is None, task.trace
    flags = pyogrio.read_dataframe(dock.result_paths["flags"], layer="enterprise_flags", read_geometry=False)
    village = flags[flags["layer"] == "village"]
    assert list(village["name"]) == ["许坦村"] and list(village["rule_id"]) == ["V-HEAT100"]
    assert set(village["county"]) == {"小店区"}


def test_a_village_xlsx_imports_to_points(dock, inputs, demo_provider, tmp_path):
    import processing
    from bluesky_zoning.analysis.schema.fields import LAYER_KINDS
    from bluesky_zoning.ui.import_dialog import ImportDialog

    demo_provider()  # the bluesky provider registered
    xlsx = tmp_path / "村庄清洁取暖台账.xlsx"
    pd.DataFrame([["许坦村", "小店区", 112.60, 37.75, 400, 200, 200, "平原"],
                  ["北营社区", "小店区", 112.58, 37.80, "约300户", 0, 300, "平原"],
                  ["东山村", "小店区", 112.65, 37.71, 120, 120, 0, "丘陵"]],
                 columns=["村名", "所在县区", "经度", "纬度", "总户数", "散煤户数", "清洁取暖户数", "地形"]
                 ).to_excel(xlsx, index=False)
    dialog = ImportDialog(None, kind="village")
    assert dialog.current_kind() == "village"
    assert [dialog.kindCombo.itemData(i) for i in range(dialog.kindCombo.count())] == list(LAYER_KINDS)
    dialog.fileWidget.setFilePath(str(xlsx))
    assert (dialog.lonCombo.currentText(), dialog.latCombo.currentText()) == ("经度", "纬度")
    checks = {dialog.mappingTable.item(r, 0).text(): dialog.mappingTable.item(r, 2).text()
              for r in range(dialog.mappingTable.rowCount())}
    assert checks["清洁取暖户数"] == "✔" and "1" in checks["总户数"] and "⚠" in checks["总户数"]  # '约300户'
    dialog.accept()
    layer = dialog.layer
    assert layer is not None and layer.isValid() and layer.featureCount() == 3
    assert layer.geometryType() == QgsWkbTypes.PointGeometry and layer.crs().authid() == "EPSG:4326"
    dock.data.add_imported_layer(dialog)
    assert dock.ui.villagesCombo.currentLayer() is layer
    out = tmp_path / "villages_points.gpkg"
    result = processing.run("bluesky:import_list", {"INPUT": str(xlsx), "KIND": LAYER_KINDS.index("village"),
                                                    "LON_FIELD": "", "LAT_FIELD": "", "COORD_SYSTEM": 0,
                                                    "OUTPUT": str(out)})
    assert result["ROWS"] == 3 and result["NO_COORDINATES"] == 0
    points = pyogrio.read_dataframe(out)
    assert set(points.geometry.geom_type) == {"Point"} and sorted(points["村名"]) == ["东山村", "北营社区", "许坦村"]
    assert abs(points.geometry.x.max() - 112.65) < 1e-9  # WGS84 as given
