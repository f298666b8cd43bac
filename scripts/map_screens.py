#!/usr/bin/env python3
"""The demo's map at the scales an analyst reads it, rendered headless into PNGs (out/screens/, not in git).

Run after `make demo`: `QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/map_screens.py [--demo out/demo]`.
The project is laid out as the dock leaves it after 加载山西示例数据 and a run: the demo's inputs (built-up raster,
county outlines, the lists as small grey points) under the result group (layers/result_group.py, with the
county boundaries and the county choropleth from admin.gpkg), and for the ledger views the 进度 tab's task layer
on top. Each view is rendered by QgsMapRendererParallelJob (labels included) in EPSG:4547, the CRS of the
projects the plugin writes, at an exact scale:

    province_3000000.png    the province, 1:3,000,000
    city_500000.png         the city of the busiest county that fits the county views, 1:500,000
    verify_250000.png       that county, 1:250,000 (需核实 marks start here)
    county_100000.png       that county, 1:100,000, highlighted as the dock does after a click on its row
    ledger_84000.png        the same with the ledger's task layer, 1:84,000
    ledger_20000.png        the ledger's tasks close in, 1:20,000 (their 编号 labels)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pkglink import ROOT, link_package  # noqa: E402

link_package()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

CRS = "EPSG:4547"
DPI = 96
COUNTY_PX = (1400, 1000)
INPUT_KINDS = (("chp", "chp"), ("boilers", "boiler"), ("mines", "mine"), ("plants", "plant"), ("村庄清单", "village"))


def _inputs(demo: Path, project: QgsProject) -> None:
    """The demo's inputs as the dock's data tab adds them: lists over county outlines over the raster."""
    import json

    from bluesky_zoning.layers.styling import apply_style, style_builtup_raster, style_input_points

    run = json.loads((demo / "run.json").read_text(encoding="utf-8"))
    paths = run.get("inputs", {})
    layers = []
    lists_dir = Path(paths.get("BOILERS", demo / "inputs" / "x")).parent
    for stem, kind in INPUT_KINDS:
        path = lists_dir / f"{stem}.gpkg"
        if path.exists():
            layer = QgsVectorLayer(str(path), stem, "ogr")
            style_input_points(layer, kind)
            layers.append(layer)
    admin_src = paths.get("ADMIN")
    if admin_src and os.path.exists(admin_src):
        admin = QgsVectorLayer(f"{admin_src}|layername=counties", "县区（输入）", "ogr")
        apply_style(admin, "admin")
        layers.append(admin)
    raster_src = paths.get("BUILTUP")
    if raster_src and os.path.exists(raster_src):
        raster = QgsRasterLayer(raster_src, "建成区栅格", "gdal")
        style_builtup_raster(raster, float(run.get("params", {}).get("builtup_threshold", 0.5) or 0.5))
        layers.append(raster)
    project.addMapLayers(layers)


def _busiest_county(flags_gpkg: Path, admin_gpkg: Path, window_m):
    """(adcode, county, city, n) of the county with the most flagged enterprises among those that fit in
    ``window_m`` (width, height in metres), so its highlighted outline is in the picture."""
    import geopandas as gpd
    import pyogrio
    from bluesky_zoning.analysis.reports.county_counts import flagged_enterprises_by_county

    flags = pyogrio.read_dataframe(flags_gpkg, layer="enterprise_flags", read_geometry=False)
    counts = flagged_enterprises_by_county(flags)
    counties = gpd.read_file(admin_gpkg, layer="counties").to_crs(CRS)
    bounds = counties.geometry.bounds
    fits = counties[((bounds.maxx - bounds.minx) < window_m[0]) & ((bounds.maxy - bounds.miny) < window_m[1])]
    row = max(fits.itertuples(), key=lambda r: counts.get(str(r.adcode), 0))
    return str(row.adcode), str(row.county), str(row.city), counts.get(str(row.adcode), 0)


def _centre(admin_gpkg: Path, column: str, value: str) -> QgsPointXY:
    """The inside point of the union of the counties whose ``column`` is ``value``, in CRS."""
    import geopandas as gpd

    counties = gpd.read_file(admin_gpkg, layer="counties")
    part = counties[counties[column].astype(str) == value].to_crs(CRS)
    point = part.union_all().representative_point() if hasattr(part, "union_all") else \
        part.unary_union.representative_point()
    return QgsPointXY(point.x, point.y)


def render(project: QgsProject, centre: QgsPointXY, scale: float, size, path: Path) -> float:
    """Render the visible layers of the tree, in tree order, at 1:scale around ``centre``; returns the scale
    the renderer reports."""
    width, height = size
    metres_per_px = scale * 0.0254 / DPI
    half_w, half_h = width * metres_per_px / 2, height * metres_per_px / 2
    settings = QgsMapSettings()
    settings.setDestinationCrs(QgsCoordinateReferenceSystem(CRS))
    settings.setOutputSize(QSize(width, height))
    settings.setOutputDpi(DPI)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setExtent(QgsRectangle(centre.x() - half_w, centre.y() - half_h, centre.x() + half_w, centre.y() + half_h))
    settings.setTransformContext(project.transformContext())
    root = project.layerTreeRoot()
    settings.setLayers([node.layer() for node in root.findLayers() if node.isVisible() and node.layer() is not None])
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(path), "PNG")
    return settings.scale()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default=str(ROOT / "out" / "demo"), help="a demo run's folder (make demo)")
    parser.add_argument("--out", default=str(ROOT / "out" / "screens"))
    args = parser.parse_args()
    demo, out = Path(args.demo), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    app = QgsApplication([], False)
    app.initQgis()
    from bluesky_zoning.layers.county_outline import OUTLINE_NAME, set_current_county
    from bluesky_zoning.layers.ledger_store.factory import open_ledger
    from bluesky_zoning.layers.result_group import add_results_from_gpkg, newest_result_layer

    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem(CRS))
    _inputs(demo, project)
    add_results_from_gpkg(str(demo / "zones.gpkg"), str(demo / "flags.gpkg"), project)
    admin_gpkg = demo / "admin.gpkg"
    window = tuple(px * 84_000 * 0.0254 / DPI for px in COUNTY_PX)  # the county seen whole at 1:84,000
    adcode, county, city, n = _busiest_county(demo / "flags.gpkg", admin_gpkg, window)
    counties = QgsVectorLayer(f"{admin_gpkg}|layername=counties", "counties", "ogr")
    province = QgsCoordinateTransform(counties.crs(), QgsCoordinateReferenceSystem(CRS), project) \
        .transformBoundingBox(counties.extent()).center()
    county_centre = _centre(admin_gpkg, "adcode", adcode)
    city_centre = _centre(admin_gpkg, "city", city)
    print(f"busiest county: {city} {county} ({adcode}), {n} flagged enterprises")

    shots = [("province_3000000", province, 3_000_000, (900, 1150)),
             ("city_500000", city_centre, 500_000, (1400, 1000)),
             ("verify_250000", county_centre, 250_000, (1400, 1000))]
    for name, centre, scale, size in shots:
        print(f"{name}: 1:{render(project, centre, scale, size, out / f'{name}.png'):,.0f}")

    set_current_county(newest_result_layer(OUTLINE_NAME, project), adcode)  # what a click on the county's row does
    print(f"county_100000: 1:{render(project, county_centre, 100_000, COUNTY_PX, out / 'county_100000.png'):,.0f}")

    ledger = demo / "ledger.gpkg"
    if ledger.exists():
        tasks = dict(open_ledger(ledger).layers())["tasks"]
        project.addMapLayer(tasks)  # as the 进度 tab adds it: at the top of the tree
        for name, scale in (("ledger_84000", 84_000), ("ledger_20000", 20_000)):
            print(f"{name}: 1:{render(project, county_centre, scale, COUNTY_PX, out / f'{name}.png'):,.0f}")
    project.clear()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
