"""The `bluesky:run_all` dialog guides: built-up inputs of the right kind only, numbers as people write them, and
a clear stop when no enterprise list is given."""
from __future__ import annotations

import pytest
from qgis.core import QgsProcessing, QgsProcessingContext, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsDoubleSpinBox
from qgis.PyQt.QtWidgets import QComboBox


@pytest.fixture(scope="module")
def layers(qgis_processing, tmp_path_factory):
    from demo_fixture import ensure_provider

    ensure_provider()
    project = QgsProject.instance()
    project.clear()
    folder = tmp_path_factory.mktemp("run_all_dialog")
    raster_path = folder / "builtup.asc"
    raster_path.write_text("ncols 2\nnrows 2\nxllcorner 112\nyllcorner 37\ncellsize 0.1\n0 1\n1 0\n", encoding="utf-8")
    made = {
        "counties": QgsVectorLayer("Polygon?crs=EPSG:4326&field=县:string", "县区", "memory"),
        "to_verify": QgsVectorLayer("Point?crs=EPSG:4326&field=ent_id:string", "需核实", "memory"),
        "boilers": QgsVectorLayer("Point?crs=EPSG:4326&field=编号:string", "锅炉", "memory"),
        "raster": QgsRasterLayer(str(raster_path), "建成区栅格", "gdal"),
    }
    assert all(layer.isValid() for layer in made.values())
    project.addMapLayers(list(made.values()))
    yield made
    project.clear()


def _algorithm():
    from qgis.core import QgsApplication

    return QgsApplication.processingRegistry().algorithmById("bluesky:run_all").create()


def _widget(param):
    """The widget the Processing dialog builds for ``param`` (QGIS's own wrapper), and its wrapper."""
    from qgis.gui import QgsGui, QgsProcessingGui, QgsProcessingParameterWidgetContext

    wrapper = QgsGui.processingGuiRegistry().createParameterWidgetWrapper(param, QgsProcessingGui.WidgetType.Standard)
    widget_context = QgsProcessingParameterWidgetContext()
    widget_context.setProject(QgsProject.instance())
    wrapper.setWidgetContext(widget_context)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return wrapper.createWrappedWidget(context), wrapper


def test_builtup_takes_polygon_or_raster_layers_only(layers):
    alg = _algorithm()
    param = alg.parameterDefinition("BUILTUP")
    assert param.dataTypes() == [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster]
    widget, wrapper = _widget(param)
    combo = widget.findChild(QComboBox)  # QGIS's layer combo (sip sees its Qt base)
    offered = {combo.itemText(i).split(" [")[0] for i in range(combo.count())} - {""}
    assert offered == {"县区", "建成区栅格"}  # the 需核实 points are no built-up area
    assert wrapper.parameterValue() != layers["to_verify"].id()


def test_numbers_show_as_people_write_them(layers):
    alg = _algorithm()
    for name, value, text in (("CHP_RADIUS_KM", 12.5, "12.5"), ("BUILTUP_THRESHOLD", 0.5, "0.5"),
                              ("FRINGE_KM", 0.5, "0.5")):
        widget, _wrapper = _widget(alg.parameterDefinition(name))
        spin = widget if isinstance(widget, QgsDoubleSpinBox) else widget.findChild(QgsDoubleSpinBox)
        spin.setValue(value)
        assert spin.text() == text, name  # not 12.500000
    description = alg.parameterDefinition("CHP_RADIUS_KM").description()
    assert "15" in description and "15.0" not in description  # the rules file's value, as written


def test_one_enterprise_list_at_least_is_checked_before_the_run(layers):
    alg = _algorithm()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    base = {"ADMIN": layers["counties"].id(), "BUILTUP": layers["raster"].id(), "OUTPUT_DIR": "TEMPORARY_OUTPUT"}
    ok, message = alg.checkParameterValues(base, context)
    assert not ok and message.startswith("请至少选择一个清单（锅炉、矿山、工业企业或村）")
    ok, message = alg.checkParameterValues(dict(base, BOILERS=layers["boilers"].id()), context)
    assert ok, message
    for name in ("BOILERS", "MINES", "PLANTS"):  # each list's label says one of the three is needed
        assert "at least one of boilers, mines, plants" in alg.parameterDefinition(name).description()
