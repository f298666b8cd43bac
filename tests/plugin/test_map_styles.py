"""The result map at the scales it is read at: the county choropleth zoomed out (its counts are the flags' county
summary), points from 1:500,000 in, 需核实 as small marks from county scale, ring zones told apart, the county in
question highlighted, the ledger's tasks labelled with their 编号 only close in, scenario changes coloured."""
from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize

DPI = 96


@pytest.fixture(scope="module")
def fx(qgis_app, outputs_fixture, tmp_path_factory):
    return outputs_fixture(tmp_path_factory.mktemp("fx"))


@pytest.fixture()
def group(fx):
    from bluesky_zoning.layers.result_group import add_results_from_gpkg, group_layers

    project = QgsProject()
    node = add_results_from_gpkg(str(fx.zones_gpkg), str(fx.flags_gpkg), project)
    yield project, node, group_layers(node)
    project.clear()


def _flags(fx) -> pd.DataFrame:
    return pd.DataFrame(pyogrio.read_dataframe(fx.flags_gpkg, layer="enterprise_flags", read_geometry=False))


def test_the_choropleth_counts_are_the_county_summary_and_it_draws_only_zoomed_out(fx, group):
    from bluesky_zoning.analysis.flagging.engine import summary_by_county
    from bluesky_zoning.layers.county_choropleth import FLAGGED_TITLE, layer_counts

    project, node, layers = group
    choropleth = layers["county_choropleth"]
    names = [n.layer().customProperty("bluesky_zoning/name") for n in node.findLayers()]
    assert names[-1] == "county_choropleth"  # at the bottom: the zones draw over it
    assert choropleth.name() == FLAGGED_TITLE
    summary = summary_by_county(_flags(fx))
    expected = {str(a): int(n) for a, n in zip(summary["adcode"], summary["enterprises"])}
    counts = layer_counts(choropleth)
    assert set(counts) == set(fx.counties["adcode"])  # every county coloured, those without a flag too
    assert {k: v for k, v in counts.items() if v} == expected
    assert counts["140728"] == 0 and counts["140105"] == 110
    # zoomed out (a city, the province) only
    assert choropleth.isInScaleRange(3_000_000) and choropleth.isInScaleRange(600_000)
    assert not choropleth.isInScaleRange(500_000) and not choropleth.isInScaleRange(100_000)
    # classes light → dark, each a count range; the zero class its own
    ranges = choropleth.renderer().ranges()
    assert ranges[0].label() == "0"
    assert all(sum(r.lowerValue() <= c <= r.upperValue() for r in ranges) == 1 for c in counts.values())
    lightness = [r.symbol().color().lightness() for r in ranges]
    assert lightness == sorted(lightness, reverse=True)
    assert choropleth.labelsEnabled() and "county" in choropleth.labeling().settings().fieldName
    assert not choropleth.labeling().settings().displayAll  # colliding labels dropped, never drawn over each other


def test_the_choropleth_keeps_its_counts_in_a_saved_project(fx, group, tmp_path):
    from bluesky_zoning.layers.county_choropleth import layer_counts

    project, _node, layers = group
    before = layer_counts(layers["county_choropleth"])
    path = tmp_path / "p.qgz"
    assert project.write(str(path))
    again = QgsProject()
    assert again.read(str(path))
    reopened = [lyr for lyr in again.mapLayers().values()
                if lyr.customProperty("bluesky_zoning/name") == "county_choropleth"]
    assert len(reopened) == 1 and reopened[0].isValid()
    assert layer_counts(reopened[0]) == before
    again.clear()


def test_points_draw_from_1_500000_in_and_to_verify_marks_from_county_scale(group):
    from bluesky_zoning.layers.styling import DETAIL_SCALE, TO_VERIFY_SCALE

    _project, _node, layers = group
    for name in ("enterprise_verdicts", "enterprise_flags"):
        assert layers[name].isInScaleRange(DETAIL_SCALE) and layers[name].isInScaleRange(50_000)
        assert not layers[name].isInScaleRange(DETAIL_SCALE * 1.2)
    assert layers["to_verify"].isInScaleRange(TO_VERIFY_SCALE) and layers["to_verify"].isInScaleRange(20_000)
    assert not layers["to_verify"].isInScaleRange(TO_VERIFY_SCALE * 1.2)
    assert TO_VERIFY_SCALE < DETAIL_SCALE
    # at any scale either the points or the choropleth draw, never neither, never both
    for scale in (DETAIL_SCALE - 1, DETAIL_SCALE, DETAIL_SCALE + 0.5, DETAIL_SCALE + 2):
        assert layers["enterprise_verdicts"].isInScaleRange(scale) != layers["county_choropleth"].isInScaleRange(scale)


def test_to_verify_marks_are_smaller_than_any_verdict_point(group):
    from bluesky_zoning.layers.styling import apply_style

    _project, _node, layers = group
    to_verify = QgsVectorLayer("Point?crs=EPSG:4326&field=ent_id:string&field=problem:string", "tv", "memory")
    apply_style(to_verify, "to_verify")  # the fixture's to_verify rows have no point; a run's have
    mark = to_verify.renderer().symbol()
    verdict_sizes = [c.symbol().size() for c in layers["enterprise_verdicts"].renderer().categories()]
    assert mark.size() < min(verdict_sizes)
    offset = mark.symbolLayer(0).offset()
    assert offset.x() > 0 and offset.y() < 0  # beside the verdict point (upper right), its colour left visible


def _ring_lines():
    from bluesky_zoning.layers.styling import apply_style

    out = {}
    for name in ("chp_heating_radius", "mine_closure_zone", "planning_area"):
        layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4326", name, "memory")
        apply_style(layer, name)
        fill = layer.renderer().symbol().symbolLayer(0)
        out[name] = (fill.strokeColor().name(), fill.strokeStyle(), round(fill.strokeWidth(), 2))
    return out


def test_the_three_rings_differ_in_colour_pattern_and_width():
    lines = _ring_lines()
    names = list(lines)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for part, what in enumerate(("colour", "pattern", "width")):
                assert lines[a][part] != lines[b][part], (a, b, what)


def test_ring_zones_draw_from_city_scale_in_and_the_rest_at_every_scale(group):
    _project, _node, layers = group
    assert not layers["mine_closure_zone"].isInScaleRange(3_000_000)
    assert layers["mine_closure_zone"].isInScaleRange(500_000)
    for name in ("coal_ban_zone", "chp_heating_radius", "region_1p30"):
        assert layers[name].isInScaleRange(3_000_000) and layers[name].isInScaleRange(20_000)


def _rule_of(layer: QgsVectorLayer, feature) -> str:
    """The label of the rule that draws ``feature`` on the county boundaries."""
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    context.setFeature(feature)
    hits = []
    for rule in layer.renderer().rootRule().children():
        expression = rule.filter()
        expression.prepare(context)
        if expression.evaluate(context):
            hits.append(rule.label())
    assert len(hits) == 1, hits
    return hits[0]


def test_zooming_to_a_county_highlights_it_above_the_zones(fx, group, qgis_canvas, monkeypatch):
    import bluesky_zoning.layers.result_group as result_group
    from bluesky_zoning.layers.county_outline import (
        HIGHLIGHT_LABEL,
        OTHERS_LABEL,
        PLAIN_LABEL,
        current_county,
    )
    from bluesky_zoning.ui.map_view import highlight_county, zoom_to_county

    project, node, layers = group
    outline = layers["county_outline"]
    names = [n.layer().customProperty("bluesky_zoning/name") for n in node.findLayers()]
    assert names.index("county_outline") < names.index("coal_ban_zone")  # never under the 禁煤区 fill
    assert names.index("county_outline") > names.index("enterprise_verdicts")  # under the points
    monkeypatch.setattr(result_group, "newest_result_layer", lambda name, project=None: layers[name])
    assert {_rule_of(outline, f) for f in outline.getFeatures()} == {PLAIN_LABEL}
    assert zoom_to_county(qgis_canvas, fx.counties, "140302")
    assert current_county(outline) == "140302"
    rules = {str(f["adcode"]): _rule_of(outline, f) for f in outline.getFeatures()}
    assert rules.pop("140302") == HIGHLIGHT_LABEL
    assert set(rules.values()) == {OTHERS_LABEL}
    assert highlight_county(fx.counties, "name:平遥县") == "140728"  # by name: its adcode
    assert highlight_county(fx.counties, None) == "" and current_county(outline) == ""
    assert {_rule_of(outline, f) for f in outline.getFeatures()} == {PLAIN_LABEL}


def _labels(layer: QgsVectorLayer, centre, scale: float, size=(800, 600)):
    """The labels drawn of ``layer`` alone at 1:scale around ``centre`` (EPSG:4547)."""
    width, height = size
    half_w, half_h = width * scale * 0.0254 / DPI / 2, height * scale * 0.0254 / DPI / 2
    settings = QgsMapSettings()
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    settings.setOutputSize(QSize(width, height))
    settings.setOutputDpi(DPI)
    settings.setExtent(QgsRectangle(centre.x() - half_w, centre.y() - half_h, centre.x() + half_w,
                                    centre.y() + half_h))
    settings.setLayers([layer])
    assert abs(settings.scale() - scale) / scale < 0.01
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    results = job.takeLabelingResults()
    return [label.labelText for label in results.labelsWithinRect(settings.visibleExtent())
            if label.layerID == layer.id()]


def test_ledger_tasks_carry_no_labels_at_county_scale_and_one_short_id_each_close_in(fx, tmp_path):
    import geopandas as gpd
    from bluesky_zoning.layers.ledger_store.factory import open_ledger
    from qgis.core import QgsPointXY

    store = open_ledger(tmp_path / "ledger.gpkg")
    store.update_month(_flags(fx), "2020-07")
    tasks = dict(store.layers())["tasks"]
    project = QgsProject()
    project.addMapLayer(tasks)
    try:
        inner = gpd.GeoSeries([fx.flags.loc[fx.flags["ent_id"] == "E001", "geometry"].iloc[0]], crs=4326)
        point = inner.to_crs(4547).iloc[0]
        centre = QgsPointXY(point.x, point.y)
        assert _labels(tasks, centre, 84_000) == []  # county scale: no label at all
        assert _labels(tasks, centre, 100_000) == []
        close = _labels(tasks, centre, 10_000)
        ids = set(_flags(fx)["ent_id"])
        assert close and set(close) <= ids  # the short 编号, never a name
        assert len(close) == len(set(close))  # E001's two tasks (B-35, B-BAN) at one spot: one label
    finally:
        project.removeMapLayer(tasks.id())


def test_scenario_changes_are_coloured_by_change_and_unlabelled_zoomed_out():
    from bluesky_zoning.layers.styling import LABEL_MAX_SCALE, style_scenario_changes

    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=change:string&field=name:string", "changes", "memory")
    style_scenario_changes(layer)
    renderer = layer.renderer()
    assert renderer.classAttribute() == "change"
    colours = {c.value(): c.symbol().color() for c in renderer.categories()}
    assert set(colours) == {"新增", "解除", "措施变化"}
    gained, released, changed = colours["新增"], colours["解除"], colours["措施变化"]
    assert gained.red() > 200 and gained.green() < 80  # red
    assert released.green() > released.red() and released.green() > released.blue()  # green
    assert changed.red() > 200 and 100 < changed.green() < 200 and changed.blue() < 100  # orange
    settings = layer.labeling().settings()
    assert layer.labelsEnabled() and settings.scaleVisibility and settings.minimumScale == LABEL_MAX_SCALE


def _ink(layer: QgsVectorLayer) -> int:
    """Pixels a layer draws (not white) over its own extent."""
    settings = QgsMapSettings()
    settings.setDestinationCrs(layer.crs())
    settings.setOutputSize(QSize(200, 200))
    settings.setExtent(layer.extent().buffered(0.05))
    settings.setLayers([layer])
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    return sum(1 for x in range(0, 200, 2) for y in range(0, 200, 2) if image.pixelColor(x, y).lightness() < 250)


def test_the_chp_union_row_is_not_drawn_over_the_plants_dashed_circles():
    """The union repeats the circles' outline with its dashes out of step: a dashed ring would read solid."""
    from bluesky_zoning.layers.styling import apply_style
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    def ring(part):
        layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4326&field=part:string", "chp", "memory")
        feature = QgsFeature(layer.fields())
        feature.setAttributes([part])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(112.5, 37.8)).buffer(0.1, 36))
        layer.dataProvider().addFeatures([feature])
        layer.updateExtents()
        apply_style(layer, "chp_heating_radius")
        return layer

    assert _ink(ring("plant")) > 20 and _ink(ring(None)) > 20
    assert _ink(ring("union")) == 0


def test_the_atlas_overview_gets_the_same_choropleth_from_a_frame_in_its_crs(fx):
    from bluesky_zoning.analysis.reports.county_counts import flagged_enterprises_by_county
    from bluesky_zoning.layers.county_choropleth import county_counts_layer, layer_counts

    counts = flagged_enterprises_by_county(_flags(fx))
    layer = county_counts_layer(fx.counties, counts, "各县区需整改企业数（家）", crs="EPSG:4547", max_scale=None)
    assert layer.crs().authid() == "EPSG:4547" and layer.featureCount() == len(fx.counties)
    assert not layer.hasScaleBasedVisibility()  # a printed overview: at its own scale
    assert {k: v for k, v in layer_counts(layer).items() if v} == counts


def test_open_tasks_choropleth_counts_a_ledger_months_outstanding_tasks(fx, tmp_path):
    from bluesky_zoning.layers.county_choropleth import OPEN_TASKS_TITLE, layer_counts, open_tasks_layer
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    store = open_ledger(tmp_path / "ledger.gpkg")
    flags = _flags(fx)
    store.update_month(flags, "2020-07")
    store.update_month(flags[flags["adcode"] != "140302"], "2020-08")  # 城区's tasks done in August
    book = store.read()
    july = open_tasks_layer(fx.admin_gpkg, book.progress, "2020-07")
    august = open_tasks_layer(fx.admin_gpkg, book.progress, "2020-08")
    assert july.name() == OPEN_TASKS_TITLE
    tasks = flags.groupby("adcode").size().to_dict()  # one task per (enterprise, rule) row of the flags
    assert {k: v for k, v in layer_counts(july).items() if v} == tasks
    assert layer_counts(august)["140302"] == 0 and layer_counts(august)["140105"] == tasks["140105"]
