"""The `bluesky:run_all` dialog guides: built-up inputs of the right kind only, numbers as people write them, a
clear stop when no enterprise list is given, the whole set ticked into the dock's folder, and labels in the QGIS's
language (the other language in the help)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsProcessing, QgsProcessingContext, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.gui import QgsDoubleSpinBox
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtWidgets import QComboBox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def chinese_translation(qgis_app, tmp_path_factory):
    """The plugin's translation compiled from the .ts as shipped (not installed: each test installs it)."""
    lrelease = shutil.which("lrelease") or "/usr/lib/qt5/bin/lrelease"
    qm = tmp_path_factory.mktemp("i18n") / "bluesky_zoning_zh_CN.qm"
    subprocess.run([lrelease, "-silent", str(ROOT / "i18n" / "bluesky_zoning_zh_CN.ts"), "-qm", str(qm)], check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    return translator


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


def test_the_dialog_ticks_every_output_and_offers_the_docks_folder(layers, tmp_path):
    """The dialog opens with the whole set ticked and the dock's output folder (not a temporary one); a script or
    model that names nothing still writes only the analysis."""
    from bluesky_zoning.layers.output_place import OUTPUT_DIR_SETTING, default_output_dir
    from qgis.core import QgsSettings

    chosen = tmp_path / "分析结果"
    QgsSettings().setValue(OUTPUT_DIR_SETTING, str(chosen))
    alg = _algorithm()
    for name in ("EXPORT_PACKAGES", "PRINT_ATLAS", "WRITE_WORKBOOK", "SAVE_PROJECT"):
        param = alg.parameterDefinition(name)
        _widget_, wrapper = _widget(param)
        assert wrapper.parameterValue() is True, name  # ticked in the dialog
        assert param.defaultValue() is False, name  # off for qgis_process and models unless asked
    _widget_, wrapper = _widget(alg.parameterDefinition("OUTPUT_DIR"))
    assert wrapper.parameterValue() == str(chosen)
    QgsSettings().remove(OUTPUT_DIR_SETTING)  # no folder chosen in the dock: the dock's default one
    alg = _algorithm()  # the dialog's own instance, alive while its widgets are
    _widget_, wrapper = _widget(alg.parameterDefinition("OUTPUT_DIR"))
    assert wrapper.parameterValue() == default_output_dir() and "TEMPORARY" not in str(wrapper.parameterValue())


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def test_labels_in_the_qgis_language_and_the_other_in_the_help(layers, chinese_translation):
    """English QGIS: English labels, the help names them in Chinese too; Chinese QGIS: Chinese labels, the help
    names them in English, and its text has no code words."""
    from bluesky_zoning.analysis.reports.labels import english_code_words

    def labels_and_help():
        alg = _algorithm()
        labels = {p.name(): p.description() for p in alg.parameterDefinitions()}
        return labels, alg.shortHelpString()

    english, help_en = labels_and_help()
    for name in ("ADMIN", "BOILERS", "CHP_RADIUS_KM", "PRINT_ATLAS", "OUTPUT_DIR"):
        assert not _cjk(english[name]), english[name]
    assert english["CHP_RADIUS_KM"].startswith("CHP heating radius (km) — ")
    assert "热电联产供热半径（公里）" in help_en and "县级行政区划" in help_en and "打印 PDF 图集" in help_en
    QCoreApplication.installTranslator(chinese_translation)
    try:
        chinese, help_zh = labels_and_help()
    finally:
        QCoreApplication.removeTranslator(chinese_translation)
    for name in ("ADMIN", "BOILERS", "CHP_RADIUS_KM", "PRINT_ATLAS", "OUTPUT_DIR"):
        # one language: no English word beside the Chinese (a file suffix such as YAML aside)
        assert _cjk(chinese[name]) and not re.search(r"\b(?!YAML\b|PDF\b|QGIS\b)[A-Za-z]{3,}", chinese[name]), \
            chinese[name]
    assert chinese["CHP_RADIUS_KM"].startswith("热电联产供热半径（公里） — ")
    text, _sep, glossary = help_zh.partition("各参数的英文名称")
    assert "CHP heating radius (km)" in glossary and "County boundaries" in glossary and "Print the PDF atlas" in glossary
    # the help's own words: no code word (the two files it writes are named as the folder shows them)
    assert english_code_words([re.sub(r"<[^>]+>", " ", text)], allowed=("flags",)) == []
    assert "admin" not in text and "planning" not in text and "FIELD_MAP" not in text


def test_the_dialogs_help_is_the_user_guide_as_a_web_page(layers):
    """帮助 of an algorithm's dialog: the guide rendered (headings, tables, pictures found), not the raw Markdown."""
    from qgis.PyQt.QtCore import QUrl

    url = QUrl(_algorithm().helpUrl())
    assert url.isLocalFile() and url.toLocalFile().endswith("用户手册.html")
    html = Path(url.toLocalFile()).read_text(encoding="utf-8")
    assert "<table" in html and "蓝天管控分区 用户手册" in html
    assert "](images/" not in html and "|---|" not in html and "\n## " not in html  # no Markdown left
    pictures = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(pictures) >= 10
    for src in pictures:
        assert QUrl(src).isLocalFile() and Path(QUrl(src).toLocalFile()).is_file(), src
