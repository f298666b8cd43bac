"""Styles of the result layers: shipped .qml files (layers/styles/) applied by layer name.

`apply_style(layer, name)` loads ``layers/styles/<name>.qml``; when the file is missing it builds the
same style in code. The verdict and flag layers are categorised on their verdict *class* (the
``verdict_class`` / ``action_class`` field, folded by an expression into seven legend classes in
severity order: 关闭/淘汰/退出/清理, 关停整合, 改造, 整治, 建设, 需核实, 无需处置), never on the raw action
texts, so the legend stays seven tidy rows. A layer without the class field is classed from its
verdict/action words instead. `write_style_files()` regenerates the .qml files from the code (see `make styles`).
"""
from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional, Tuple

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSymbol,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QColor, QFont

from ..analysis.common.cells import cell_text
from ..analysis.plan.zone_registry import ZONE_LAYERS as ZONE_LAYER_NAMES
from ..analysis.plan.zone_registry import ZONES
from ..analysis.scenarios.compare import GROWN, SHRUNK

STYLE_DIR = os.path.join(os.path.dirname(__file__), "styles")

ZONE_LAYERS: Tuple[str, ...] = ZONE_LAYER_NAMES  # the zone registry's layers
POINT_LAYERS: Tuple[str, ...] = ("enterprise_verdicts", "enterprise_flags", "to_verify")
# The monthly ledger's task points (layers/ledger_store/factory.py): one class per state, done greyed, overdue red.
LEDGER_LAYERS: Tuple[str, ...] = ("ledger_tasks",)
STYLE_NAMES: Tuple[str, ...] = ZONE_LAYERS + POINT_LAYERS + ("admin",) + LEDGER_LAYERS

#: Labels of enterprises show only when zoomed in beyond 1:LABEL_MAX_SCALE.
LABEL_MAX_SCALE = 100000
#: The dock's map reads two ways: zoomed out beyond 1:DETAIL_SCALE (a city or the province) the county choropleth
#: (layers/county_choropleth.py) says how many per county, since thousands of points there read as noise; from
#: 1:DETAIL_SCALE in, the points themselves. 需核实 marks join from county scale (1:TO_VERIFY_SCALE) on.
DETAIL_SCALE = 500000
TO_VERIFY_SCALE = 250000
#: QGIS draws a layer below its minimum scale, not at it, and at its maximum scale too: layers bounded at
#: nominal + SCALE_EPSILON draw the nominal scale itself (QGIS's 1:500,000 preset) with the points, not the choropleth
SCALE_EPSILON = 1.0
#: the most zoomed-out scale (denominator) at which a point layer draws
POINT_SCALES: Dict[str, int] = {"enterprise_verdicts": DETAIL_SCALE, "enterprise_flags": DETAIL_SCALE,
                                "to_verify": TO_VERIFY_SCALE}
#: The ledger's tasks are labelled with their short 编号 (ent_id) only this close in: at county scale a full name
#: per task covers the map.
LEDGER_LABEL_SCALE = 25000
VERDICT_SIZE_MM = 2.8
FLAG_SIZE_MM = 2.0
TO_VERIFY_SIZE_MM = 1.6
TO_VERIFY_OFFSET_MM = "1.2,-1.2"  # right and up (a negative y is up on screen): beside the verdict point, not on it

# fill RGBA, outline RGB, outline style, brush style (and outline width) of each zone type: the zone registry's
ZONE_STYLES: Dict[str, Dict[str, str]] = {z.layer: dict(z.style) for z in ZONES}
ZONE_OUTLINE_DEFAULT_MM = "0.6"  # outline-only zones: wide enough to read as a zone

# verdict classes in severity order, with their colour and the values (English key, Chinese word) of each
VERDICT_CLASSES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("close", "215,25,28", ("close", "eliminate", "exit", "remove", "关闭", "关停", "淘汰", "退出", "依法清理", "清理")),
    ("merge", "253,141,60", ("merge", "关停整合", "整合")),
    ("retrofit", "255,217,47", ("retrofit", "改造", "低氮改造", "超低排放改造", "干法熄焦改造")),
    ("rectify", "44,123,182", ("rectify", "综合整治", "整治")),
    ("build", "26,150,65", ("build", "修建铁路专用线", "门禁和视频监控", "建设")),
    ("to_verify", "150,150,150", ("to_verify", "verify", "需核实", "待核实")),
    ("clear", "220,220,220", ("clear", "none", "无", "达标")),
)
_CLASS_COLOR = {key: color for key, color, _ in VERDICT_CLASSES}
_VALUE_CLASS = {value.lower(): key for key, _, values in VERDICT_CLASSES for value in values}
_CLASS_LABEL_ZH = {
    "close": "关闭/淘汰/退出/清理",
    "merge": "关停整合",
    "retrofit": "改造",
    "rectify": "整治",
    "build": "建设",
    "to_verify": "需核实",
    "clear": "无需处置",
}
#: the text field (verdict / action) and the class field (verdict_class / action_class) of each point layer
_CATEGORY_FIELD = {"enterprise_verdicts": "verdict", "enterprise_flags": "action"}
_CLASS_FIELD = {"enterprise_verdicts": "verdict_class", "enterprise_flags": "action_class"}
#: the rules file's action classes (analysis/data/plan_rules.yaml) folded into the legend's seven classes
CLASS_KEYS: Dict[str, Tuple[str, ...]] = {
    "close": ("close", "eliminate", "exit", "remove"),
    "merge": ("merge",),
    "retrofit": ("retrofit",),
    "rectify": ("rectify",),
    "build": ("build",),
    "to_verify": ("to_verify", "verify"),
    "clear": ("clear", "none"),
}


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def class_expression(class_field: str) -> str:
    """Expression giving the legend class (close … clear) of a feature from its class field."""
    whens = [f"WHEN lower(\"{class_field}\") IN ({_sql_list(keys)}) THEN '{key}'"
             for key, keys in CLASS_KEYS.items() if key != "to_verify"]
    return "CASE " + " ".join(whens) + " ELSE 'to_verify' END"


def text_class_expression(text_field: str) -> str:
    """Fallback for layers without a class field: the legend class from the verdict/action text, as
    :func:`verdict_class` does it (exact words first, then words contained, in severity order)."""
    exact, contained = [], []
    for key, _, values in VERDICT_CLASSES:
        exact.append(f"WHEN lower(\"{text_field}\") IN ({_sql_list(v.lower() for v in values)}) THEN '{key}'")
        words = [v for v in values if len(v) > 1 and not v.isascii()]
        if words:
            cond = " OR ".join(f"\"{text_field}\" LIKE '%{w}%'" for w in words)
            contained.append(f"WHEN {cond} THEN '{key}'")
    return "CASE " + " ".join(exact + contained) + " ELSE 'to_verify' END"


def style_path(name: str) -> str:
    """Path of the shipped .qml of a style name."""
    return os.path.join(STYLE_DIR, f"{name}.qml")


def verdict_class(value: object) -> str:
    """The verdict class (close, merge, retrofit, rectify, build, to_verify, clear) of a verdict/action value."""
    text = (cell_text(value) or "").strip().lower()  # a blank (None or NaN) is to_verify, never "nan"
    if not text:
        return "to_verify"
    if text in _VALUE_CLASS:
        return _VALUE_CLASS[text]
    for key, _, values in VERDICT_CLASSES:  # severity order: the first class whose word occurs wins
        if any(v.lower() in text for v in values if len(v) > 1):
            return key
    return "to_verify"


def _qcolor(rgb: str) -> QColor:
    parts = [int(p) for p in rgb.split(",")]
    return QColor(*parts)


def _marker(rgb: str, size: float = 2.4, shape: str = "circle") -> QgsMarkerSymbol:
    return QgsMarkerSymbol.createSimple(
        {"name": shape, "color": rgb, "outline_color": "40,40,40", "outline_width": "0.2", "size": str(size)}
    )


def _zone_symbol(name: str, geometry_type: int) -> QgsSymbol:
    spec = ZONE_STYLES[name]
    if geometry_type == QgsWkbTypes.LineGeometry:
        return QgsLineSymbol.createSimple({"line_color": spec["outline_color"],
                                           "line_width": spec.get("outline_width", ZONE_OUTLINE_DEFAULT_MM),
                                           "line_style": spec["outline_style"]})
    if geometry_type == QgsWkbTypes.PointGeometry:
        return _marker(spec["outline_color"])
    return QgsFillSymbol.createSimple(
        {
            "color": spec["color"],
            "style": spec["style"],
            "outline_color": spec["outline_color"],
            "outline_width": spec.get("outline_width", ZONE_OUTLINE_DEFAULT_MM),
            "outline_style": spec["outline_style"],
            # a zone's 'union' row (CHP: the plants' circles dissolved) repeats their outline with its dashes out
            # of step, which drew a dashed ring as a solid one: it is not drawn (data-defined "enabled", given in
            # QGIS's property-map form, which needs no enum). Without a "part" field, or where it is empty, the
            # expression is NULL and the outline drawn.
            "enabled_dd_active": "1", "enabled_dd_useexpr": "1", "enabled_dd_expression": "\"part\" <> 'union'",
        }
    )


def label_text_format(size: float = 8.0, rgb: str = "30,30,30") -> QgsTextFormat:
    fmt = QgsTextFormat()
    font = QFont("Noto Sans CJK SC")
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setSizeUnit(QgsUnitTypes.RenderPoints)
    fmt.setColor(_qcolor(rgb))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor(255, 255, 255, 220))
    fmt.setBuffer(buffer)
    return fmt


def _labeling(field: str, size: float, max_scale: Optional[int], priority: int = 5,
              right_of_mm: Optional[float] = None, centre: bool = False) -> QgsVectorLayerSimpleLabeling:
    """Labels of ``field`` from 1:max_scale in; never two over each other (QGIS drops the label that would
    collide), lower ``priority`` (0–10) giving way first. ``right_of_mm``: one place only, that far right of the
    point, so points at one spot (an enterprise's tasks, one per rule) get one label: the others collide with it.
    ``centre``: one place only, a polygon's inside centre."""
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.enabled = True
    settings.displayAll = False
    settings.priority = priority
    if centre:
        settings.placement = QgsPalLayerSettings.Placement.OverPoint
        settings.centroidInside = True
    if right_of_mm is not None:
        settings.placement = QgsPalLayerSettings.Placement.OverPoint
        settings.quadOffset = QgsPalLayerSettings.QuadrantRight  # old name, an alias from 3.30 on
        settings.xOffset = right_of_mm
        settings.offsetUnits = QgsUnitTypes.RenderMillimeters
    settings.setFormat(label_text_format(size))
    if max_scale:
        settings.scaleVisibility = True
        settings.minimumScale = float(max_scale)  # most zoomed-out scale at which labels show
        settings.maximumScale = 0.0
    return QgsVectorLayerSimpleLabeling(settings)


def class_label(key: str) -> str:
    """The Chinese legend label of a verdict class."""
    return _CLASS_LABEL_ZH.get(key, key)


def _categorised_renderer(name: str, layer: Optional[QgsVectorLayer] = None) -> QgsCategorizedSymbolRenderer:
    """Seven categories, one per verdict class in severity order, on the layer's class field."""
    categories = []
    size = VERDICT_SIZE_MM if name == "enterprise_verdicts" else FLAG_SIZE_MM
    for key, color, _ in VERDICT_CLASSES:
        symbol = _marker(color, size, "square" if key == "to_verify" else "circle")
        categories.append(QgsRendererCategory(key, symbol, class_label(key), True))
    return QgsCategorizedSymbolRenderer(_classification(name, layer), categories)


# Ledger classes in legend order: (key, Chinese label, fill RGBA, marker size). A person's check-off the data do
# not confirm yet keeps its own class, so neither side hides the other.
LEDGER_CLASSES: Tuple[Tuple[str, str, str, float], ...] = (
    ("overdue", "逾期未完成", "215,25,28,255", 2.6),
    ("reopened", "重新出现（曾销号）", "152,78,163,255", 2.4),
    ("open", "未完成", "253,174,97,255", 2.2),
    ("checked", "人工已销号（数据未消除）", "200,200,200,255", 2.2),
    ("done", "已销号", "190,190,190,130", 1.6),
)
LEDGER_CLASS_EXPRESSION = (
    "CASE WHEN \"status\" = 'done' THEN 'done' WHEN \"check_off\" = 'done' THEN 'checked' "
    "WHEN \"overdue\" = 1 THEN 'overdue' WHEN \"status\" = 'reopened' THEN 'reopened' ELSE 'open' END"
)
LEDGER_CLASS_LABELS: Dict[str, str] = {key: label for key, label, _color, _size in LEDGER_CLASSES}


def ledger_class(status: object, check_off: object, overdue: object) -> str:
    """The class LEDGER_CLASS_EXPRESSION gives a task, in Python: the dock's task list names a task as the map's
    legend does (tests/plugin/test_progress_tab.py checks both agree)."""
    if status == "done":
        return "done"
    if check_off == "done":
        return "checked"
    try:
        late = int(overdue) == 1
    except (TypeError, ValueError):
        late = False
    if late:
        return "overdue"
    return "reopened" if status == "reopened" else "open"


def _ledger_renderer() -> QgsCategorizedSymbolRenderer:
    categories = []
    for key, label, color, size in LEDGER_CLASSES:
        symbol = QgsMarkerSymbol.createSimple({
            "name": "circle", "color": color, "size": str(size), "outline_width": "0.3" if key == "checked" else "0.2",
            "outline_color": "215,25,28" if key == "checked" else ("150,150,150" if key == "done" else "40,40,40")})
        categories.append(QgsRendererCategory(key, symbol, label, True))
    return QgsCategorizedSymbolRenderer(LEDGER_CLASS_EXPRESSION, categories)


def _set_aliases(layer: QgsVectorLayer) -> None:
    from ..analysis.ledger.updates import FIELD_ALIASES

    for i, fld in enumerate(layer.fields()):
        if fld.name() in FIELD_ALIASES:
            layer.setFieldAlias(i, FIELD_ALIASES[fld.name()])


def set_output_aliases(layer: QgsVectorLayer) -> None:
    """The Chinese aliases of the output fields (analysis/shapefile_fields.OUTPUT_FIELDS), by field name."""
    from ..analysis.schema.output_fields import field_aliases

    aliases = field_aliases(layer.fields().names())
    for i, fld in enumerate(layer.fields()):
        if fld.name() in aliases:
            layer.setFieldAlias(i, aliases[fld.name()])
    _labels_beside_codes(layer)


def _labels_beside_codes(layer: QgsVectorLayer) -> None:
    """In the attribute table, each Chinese label column right after its code (类别代码 boiler, 类别 锅炉)."""
    from ..analysis.reports.labels import LABEL_COLUMNS

    label_of = {code: label for pairs in LABEL_COLUMNS.values() for code, label in pairs}
    config = layer.attributeTableConfig()
    if not config.columns():
        config.update(layer.fields())
    columns = list(config.columns())
    labels = {c.name: c for c in columns if c.name in label_of.values()}
    if not labels:
        return
    label_names = set(labels)  # fixed: ``labels`` shrinks as each is placed, a placed one must not come again
    ordered = []
    for column in columns:
        if column.name in label_names:
            continue
        ordered.append(column)
        if label_of.get(column.name) in labels:
            ordered.append(labels.pop(label_of[column.name]))
    config.setColumns(ordered + list(labels.values()))
    layer.setAttributeTableConfig(config)


def _classification(name: str, layer: Optional[QgsVectorLayer]) -> str:
    """The class expression on the class field, or on the verdict/action text when the layer has none."""
    class_field = _CLASS_FIELD[name]
    if layer is not None and layer.fields().indexOf(class_field) < 0 and \
            layer.fields().indexOf(_CATEGORY_FIELD[name]) >= 0:
        return text_class_expression(_CATEGORY_FIELD[name])
    return class_expression(class_field)


def build_style(layer: QgsVectorLayer, name: str) -> None:
    """Apply the style of `name` to `layer` built in code (the source of the shipped .qml)."""
    gtype = layer.geometryType()
    if name in ZONE_STYLES:
        layer.setRenderer(QgsSingleSymbolRenderer(_zone_symbol(name, gtype)))
        layer.setLabelsEnabled(False)
    elif name in _CATEGORY_FIELD:
        layer.setRenderer(_categorised_renderer(name, layer))
        layer.setLabeling(_labeling("name", 8.0, LABEL_MAX_SCALE))
        layer.setLabelsEnabled(True)
    elif name == "to_verify":
        layer.setRenderer(QgsSingleSymbolRenderer(to_verify_symbol()))
        layer.setLabelsEnabled(False)
    elif name == "ledger_tasks":
        layer.setRenderer(_ledger_renderer())
        # the short 编号, close in only, once per enterprise; before the verdicts' names (a task layer shown is
        # what the analyst works on), right of the larger verdict point under the task's
        layer.setLabeling(_labeling("ent_id", 7.0, LEDGER_LABEL_SCALE, priority=8,
                                    right_of_mm=VERDICT_SIZE_MM / 2 + 0.3))
        layer.setLabelsEnabled(True)
        _set_aliases(layer)
    elif name == "admin":
        symbol = QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "style": "no", "outline_color": "90,90,90", "outline_width": "0.3"}
        )
        layer.setRenderer(QgsSingleSymbolRenderer(symbol))
        # at the county's centre, giving way: where the county choropleth of a run (layers/county_choropleth.py)
        # labels the same county with its count, this plain name collides with it and is left out
        layer.setLabeling(_labeling("county", 8.0, 2500000, priority=2, centre=True))
        layer.setLabelsEnabled(True)
    else:
        raise KeyError(f"unknown style name: {name}")


def _fit_label_field(layer: QgsVectorLayer, wanted: str, fallbacks: Iterable[str]) -> None:
    """Point the labels at an existing field when the styled field is absent (e.g. admin 'county')."""
    if not layer.labelsEnabled() or layer.labeling() is None:
        return
    if layer.fields().indexOf(wanted) >= 0:
        return
    for name in fallbacks:
        if layer.fields().indexOf(name) >= 0:
            settings = layer.labeling().settings()
            settings.fieldName = name
            layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
            return
    layer.setLabelsEnabled(False)


def apply_style(layer: QgsVectorLayer, name: str) -> bool:
    """Style `layer` as result layer `name` (a zone layer id, enterprise_verdicts, enterprise_flags,
    to_verify, admin or ledger_tasks). Returns True when the shipped .qml was used, False when built in code."""
    if name not in STYLE_NAMES:
        raise KeyError(f"unknown style name: {name}")
    used_qml = False
    path = style_path(name)
    if os.path.exists(path):
        _, used_qml = layer.loadNamedStyle(path)
    if not used_qml:
        build_style(layer, name)
    if name in _CATEGORY_FIELD and isinstance(layer.renderer(), QgsCategorizedSymbolRenderer):
        layer.renderer().setClassAttribute(_classification(name, layer))
    if name == "admin":
        _fit_label_field(layer, "county", ("name", "NAME", "县", "区县", "county_name"))
    if name in LEDGER_LAYERS:
        _set_aliases(layer)  # by field name, whatever order the GeoPackage or PostGIS table has
    else:
        set_output_aliases(layer)
    layer.triggerRepaint()
    return used_qml


def write_style_files(out_dir: str = STYLE_DIR) -> List[str]:
    """Regenerate the shipped .qml files from `build_style` (needs a running QGIS)."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name in STYLE_NAMES:
        if name in LEDGER_LAYERS:
            from ..analysis.ledger.updates import TASK_COLUMNS

            uri = "Point?crs=EPSG:4326&" + "&".join(
                f"field={c}:{'integer' if c in ('overdue', 'disagree') else 'double' if c in ('lon', 'lat') else 'string'}"
                for c in TASK_COLUMNS)
        elif name in POINT_LAYERS:
            uri = ("Point?crs=EPSG:4326&field=ent_id:string&field=name:string&field=verdict:string&field=action:string"
                   "&field=verdict_class:string&field=action_class:string")
        else:
            uri = "MultiPolygon?crs=EPSG:4326&field=county:string&field=name:string"
        layer = QgsVectorLayer(uri, name, "memory")
        build_style(layer, name)
        path = os.path.join(out_dir, f"{name}.qml")
        layer.saveNamedStyle(path)
        written.append(path)
    return written


def to_verify_symbol() -> QgsMarkerSymbol:
    """A small purple diamond at the upper right of the enterprise's point, a badge on it: smaller than a verdict
    point, it never outweighs the verdicts nor hides their colour."""
    return QgsMarkerSymbol.createSimple({"name": "diamond", "color": "120,0,160", "outline_color": "255,255,255",
                                         "outline_width": "0.2", "size": str(TO_VERIFY_SIZE_MM),
                                         "offset": TO_VERIFY_OFFSET_MM})


def set_scale_range(layer: QgsVectorLayer, name: str) -> None:
    """The scales a result layer draws at on the dock's map (the result group; a printed page has its own scale):
    points from 1:POINT_SCALES[name] in (the county choropleth takes over beyond), the rings drawn tight around
    towns from their registry style's ``min_scale`` in (at the province's scale they are a smudge around each
    town), every other layer at every scale."""
    limit = POINT_SCALES.get(name) or float(ZONE_STYLES.get(name, {}).get("min_scale", 0))
    layer.setScaleBasedVisibility(bool(limit))
    layer.setMinimumScale(limit + SCALE_EPSILON if limit else 0.0)  # QGIS: the most zoomed-out scale it draws at
    layer.setMaximumScale(0.0)


# Input enterprise points (the lists as loaded, before and beside a run): small, muted, one shape per kind, so the
# verdict colours of a run stand out above them.
INPUT_POINT_STYLES: Dict[str, Tuple[str, str, float]] = {
    "boiler": ("circle", "110,110,110,200", 1.4),
    "mine": ("triangle", "140,81,10,220", 2.0),
    "plant": ("square", "80,80,130,200", 1.6),
    "chp": ("star", "230,120,0,255", 3.2),
    "village": ("pentagon", "60,140,80,190", 1.6),
}


def style_input_points(layer: QgsVectorLayer, kind: str) -> None:
    """A small marker of the kind's shape and colour for an input list of enterprises."""
    shape, color, size = INPUT_POINT_STYLES.get(kind, ("circle", "110,110,110,200", 1.4))
    symbol = QgsMarkerSymbol.createSimple({"name": shape, "color": color, "outline_color": "255,255,255",
                                           "outline_width": "0.1", "size": str(size)})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.triggerRepaint()


def style_builtup_raster(layer, threshold: float) -> None:
    """Cells at or above the threshold light grey, the rest transparent: the built-up areas under the county
    outlines, not a grey sheet over the whole province."""
    from qgis.core import QgsColorRampShader, QgsRasterShader, QgsSingleBandPseudoColorRenderer

    ramp = QgsColorRampShader()
    ramp.setColorRampType(QgsColorRampShader.Type.Discrete)
    below = max(float(threshold) - 1e-9, 0.0)
    ramp.setColorRampItemList([
        QgsColorRampShader.ColorRampItem(below, QColor(0, 0, 0, 0), f"< {threshold:g}"),
        QgsColorRampShader.ColorRampItem(float("inf"), QColor(150, 150, 150, 70), f"≥ {threshold:g}"),
    ])
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(ramp)
    layer.setRenderer(QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader))
    layer.triggerRepaint()


# A scenario comparison's changed enterprises (analysis/scenarios, compare.gpkg layer scenario_changes): one class
# per value of `change`, each its own colour and shape (red up-triangle gained, green circle released, orange
# diamond changed measure), so the map reads in grey print too.
SCENARIO_CHANGES: Tuple[Tuple[str, str, str], ...] = (
    ("新增", "215,25,28", "triangle"),
    ("解除", "26,150,65", "circle"),
    ("措施变化", "253,141,60", "diamond"),
)
SCENARIO_SIZE_MM = 3.6  # above the verdict dots (2.4 mm) they sit on; a white rim sets them apart


def style_scenario_changes(layer: QgsVectorLayer) -> None:
    """Categorised on field ``change`` (新增 red, 解除 green, 措施变化 orange); names labelled only from
    1:LABEL_MAX_SCALE in, so a city or province map shows the marks without a carpet of names."""
    categories = []
    for value, color, shape in SCENARIO_CHANGES:
        symbol = QgsMarkerSymbol.createSimple({"name": shape, "color": color, "outline_color": "255,255,255",
                                               "outline_width": "0.5", "size": str(SCENARIO_SIZE_MM)})
        categories.append(QgsRendererCategory(value, symbol, value, True))
    layer.setRenderer(QgsCategorizedSymbolRenderer("change", categories))
    if layer.fields().indexOf("name") >= 0:
        layer.setLabeling(_labeling("name", 8.0, LABEL_MAX_SCALE))
        layer.setLabelsEnabled(True)
    else:
        layer.setLabelsEnabled(False)
    set_output_aliases(layer)
    layer.triggerRepaint()


# the ground a zone gains (红) and loses (绿) under a variant: translucent fills, so the base zone reads under
ZONE_CHANGE_STYLE = {
    GROWN: ("范围扩大（比较方案新覆盖）", {"color": "215,25,28,70", "outline_color": "215,25,28", "outline_width": "0.4"}),
    SHRUNK: ("范围缩小（比较方案不再覆盖）", {"color": "26,150,65,70", "outline_color": "26,150,65",
                                     "outline_width": "0.4", "outline_style": "dash"}),
}


def style_zone_changes(layer: QgsVectorLayer) -> None:
    """A comparison's ``zone_changes`` (the dock's 方案比较 layer, the atlas's comparison maps): categorised on
    ``change``, 扩大 translucent red, 缩小 translucent green with a dashed outline; Chinese aliases."""
    categories = [QgsRendererCategory(value, QgsFillSymbol.createSimple(props), label, True)
                  for value, (label, props) in ZONE_CHANGE_STYLE.items()]
    layer.setRenderer(QgsCategorizedSymbolRenderer("change", categories))
    layer.setLabelsEnabled(False)
    set_output_aliases(layer)
