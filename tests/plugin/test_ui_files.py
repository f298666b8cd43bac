"""House rules of the .ui files and of the styles."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_ui_file_holds_signal_connections():
    files = sorted(ROOT.glob("ui/*.ui"))
    assert files
    for path in files:
        assert "<connections>" not in path.read_text(encoding="utf-8"), path.name


def test_every_result_style_ships_as_qml():
    from bluesky_zoning.layers.styling import STYLE_NAMES, style_path

    for name in STYLE_NAMES:
        assert Path(style_path(name)).exists(), name


def test_no_process_events_in_plugin_code():
    for path in [p for room in ("ui", "layers", "provider", "demo") for p in ROOT.glob(f"{room}/**/*.py")]:
        assert "processEvents" not in path.read_text(encoding="utf-8"), path.name


def test_styles_apply(qgis_app):
    from bluesky_zoning.layers.styling import apply_style, verdict_class
    from qgis.core import QgsCategorizedSymbolRenderer, QgsVectorLayer

    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=name:string&field=verdict:string&field=ent_id:string", "v", "memory")
    feature_values = ["淘汰", "关停整合", "超低排放改造"]
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    for v in feature_values:
        f = QgsFeature(layer.fields())
        f.setAttributes(["x", v, "1"])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(112, 37)))
        layer.dataProvider().addFeatures([f])
    assert apply_style(layer, "enterprise_verdicts")
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    # seven tidy classes in severity order, never the raw action texts
    assert [c.value() for c in renderer.categories()] == ["close", "merge", "retrofit", "rectify", "build",
                                                          "to_verify", "clear"]
    assert renderer.categories()[0].label() == "关闭/淘汰/退出/清理"
    from qgis.core import QgsExpression, QgsExpressionContext

    expression = QgsExpression(renderer.classAttribute())
    classes = []
    for feature in layer.getFeatures():
        context = QgsExpressionContext()
        context.setFeature(feature)
        classes.append(expression.evaluate(context))
    assert classes == ["close", "merge", "retrofit"]
    assert layer.labelsEnabled() and layer.labeling().settings().scaleVisibility
    assert verdict_class("淘汰") == "close" and verdict_class("关停整合") == "merge"
    assert verdict_class("低氮改造") == "retrofit" and verdict_class("综合整治") == "rectify"
