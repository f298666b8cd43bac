"""The Chinese PDF atlas for a meeting table: a province overview page, then per county one map page and, when
its task list is long, table-only continuation pages.

The page layout is the template ``layers/templates/atlas.qpt`` (items found by id: ``map``, ``title``,
``subtitle``, ``legend``, ``scalebar``, ``north``, ``targets``, ``notes``, ``table`` (the map page's task
table, right third) and ``table_full_left`` / ``table_full_right`` (the two frames of the continuation
pages' full-page table, header repeated in each)); it is built in code by :func:`build_layout` and written
with :func:`write_template`, and an analyst may edit it in QGIS.

How the pages come about: a memory *page layer* is the atlas coverage layer. Its first feature is the
province (overview page, kind ``overview``); then every county has a map page (kind ``county``) and, when
its rows do not fit there, continuation pages (kind ``table``: "续1", "续2" …). The map page's items are
left out of the export on table pages and the full-page table on the others (data-defined "exclude from
exports"). Rows are packed onto pages by their height in lines (:func:`paginate`), so every row is printed
and none is cut off. Each feature has a ``page_key``; the task rows carry the key of their page, and both
tables show the rows whose key equals the atlas feature's. Everything lives in an own ``QgsProject`` — the
user's current project is never touched. The PDF is written to a temporary name and renamed when complete.

People read Chinese: rules by their short names, kinds and classes by their labels, notes without codes
(analysis/labels.py); the counts are those of analysis/run_report.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import geopandas as gpd
import pandas as pd
import pyogrio
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeedback,
    QgsField,
    QgsFillSymbol,
    QgsGeometry,
    QgsLayout,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
    QgsRectangle,
    QgsRenderContext,
    QgsScaleBarSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ..analysis.file_names import county_file_stem
from ..analysis.labels import class_label, kind_label, printable, rule_names
from ..analysis.meeting import (
    CITY_ORDER,
    SHORT_TARGETS,
    TARGETS_SOURCE,
    city_targets,
    data_notes,
    meeting_order,
)
from ..analysis.result_files import zone_titles_of
from ..analysis.run_report import count_enterprises, run_counts
from .county_packages import load_counties
from .qt_compat import FieldType

__all__ = ["AtlasResult", "TEMPLATE_PATH", "default_notes", "build_layout", "write_template", "export_atlas",
           "paginate", "county_page_counts"]

PathLike = Union[str, os.PathLike]
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "atlas.qpt"
# WenQuanYi Micro Hei first: with Noto CJK, Qt's PDF writer maps glyphs such as 长 and 马 back to their
# CJK radical code points (⻓ ⻢), so county names could not be searched or copied from the PDF.
FONT_FAMILY = "WenQuanYi Micro Hei"
PAGE_W, PAGE_H = 420.0, 297.0  # A3 landscape, mm
METRIC_CRS = "EPSG:4547"  # CGCS2000 3-degree GK CM 114E (Shanxi-wide)
# The map page's table (right third) and each half of a continuation page's table: (field, heading, mm).
TABLE_COLUMNS = [("seq", "序号", 7), ("name", "企业名称", 48), ("rule", "规则", 54), ("clause", "条款", 13),
                 ("deadline", "完成时限", 24)]
FULL_COLUMNS = [("seq", "序号", 9), ("name_w", "企业名称", 64), ("layer_label", "类别", 14), ("rule_w", "规则", 60),
                ("clause", "条款", 15), ("deadline_w", "完成时限", 24), ("action_label", "措施", 14)]
TABLE_RECT = (266.0, 27.0, 146.0, 263.0)  # x, y, w, h of the map page's table frame
FULL_RECTS = ((10.0, 25.0, 200.0, 266.0), (214.0, 25.0, 200.0, 266.0))  # the continuation table's two frames
# Row heights as QGIS lays the table out (7.5 pt content, 8.5 pt header), in mm: the first line (the font's
# ascent), each further line, then the cell margins and the grid. Measured on QGIS 3.22 (a row of one line is
# the ascent, 2.51 mm, plus margins and grid; each further line 3.13 mm); QGIS from 3.28 on computes the same
# through its text renderer (text height less the descent). The page budget keeps a reserve on top.
CONTENT_PT, HEADER_PT, CELL_MARGIN = 7.5, 8.5, 0.7
LINE_FIRST_MM, LINE_NEXT_MM = 2.6, 3.2
HEADER_MM, ROW_EXTRA_MM = 3.0, 2 * CELL_MARGIN + 0.2
BUDGET_SHARE = 0.96
_EM_MM = 2.65  # one CJK character at 7.5 pt


@dataclass
class AtlasResult:
    path: Path
    pages: int
    county_pdfs: List[Path]


def default_notes(zones_gpkg: Optional[PathLike] = None) -> List[str]:
    """The data notes of the atlas (synthetic demo data, provisional 1+30, mine ring distance, date)."""
    return data_notes(zones_gpkg)


# --------------------------------------------------------------------------- layout (template)


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _text_format(size: float, bold: bool = False, color: str = "#202020") -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(_font(size, bold))
    fmt.setSize(size)
    fmt.setSizeUnit(QgsUnitTypes.RenderPoints)
    fmt.setColor(QColor(color))
    return fmt


def _place(item, x: float, y: float, w: float, h: float) -> None:
    item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))


def _label(layout: QgsLayout, item_id: str, text: str, size: float, rect, bold: bool = False,
           frame: bool = False) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setId(item_id)
    label.setText(text)
    if hasattr(label, "setTextFormat"):  # QGIS >= 3.24; setFont is deprecated there
        label.setTextFormat(_text_format(size, bold))
    else:
        label.setFont(_font(size, bold))
    # Left, not QGIS's default justify: from 3.36 on, justified CJK lines are spread glyph by glyph.
    label.setHAlign(Qt.AlignmentFlag.AlignLeft)
    label.setMarginX(1.5)
    label.setMarginY(1.5)
    label.setFrameEnabled(frame)
    label.setBackgroundEnabled(frame)
    label.setBackgroundColor(QColor("#ffffff"))
    if frame:
        label.setFrameStrokeColor(QColor("#9a9a9a"))
    layout.addLayoutItem(label)
    _place(label, *rect)
    return label


def _svg_path(name: str) -> str:
    for folder in QgsApplication.svgPaths():
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return ""


def build_layout(project: QgsProject) -> QgsPrintLayout:
    """The atlas page (A3 landscape) with every item, no data bound yet."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("蓝天管控分区图集")
    page = layout.pageCollection().page(0)
    page.setPageSize(QgsLayoutSize(PAGE_W, PAGE_H, QgsUnitTypes.LayoutMillimeters))

    _label(layout, "title", '[% "title" %]', 20, (10, 6, 300, 13), bold=True)
    _label(layout, "subtitle", '[% "subtitle" %]', 8.5, (10, 17, 250, 10))
    _label(layout, "date", "蓝天管控分区 · 制图日期 [% format_date(now(), 'yyyy-MM-dd') %] · 第 [% @atlas_featurenumber %] / [% @atlas_totalfeatures %] 页",
           8, (250, 8, 160, 6))

    map_item = QgsLayoutItemMap(layout)
    map_item.setId("map")
    map_item.setFrameEnabled(True)
    map_item.setBackgroundColor(QColor("#f7f7f4"))
    layout.addLayoutItem(map_item)
    _place(map_item, 10, 27, 250, 180)

    north = QgsLayoutItemPicture(layout)
    north.setId("north")
    north.setPicturePath(_svg_path("arrows/NorthArrow_02.svg"))
    layout.addLayoutItem(north)
    _place(north, 244, 30, 13, 18)
    north.setLinkedMap(map_item)

    scalebar = QgsLayoutItemScaleBar(layout)
    scalebar.setId("scalebar")
    scalebar.setStyle("Single Box")
    scalebar.setLinkedMap(map_item)
    scalebar.setUnits(QgsUnitTypes.DistanceKilometers)
    scalebar.setUnitLabel("公里")
    scalebar.setNumberOfSegments(3)
    scalebar.setNumberOfSegmentsLeft(0)
    scalebar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    scalebar.setMinimumBarWidth(30)
    scalebar.setMaximumBarWidth(60)
    scalebar.setTextFormat(_text_format(8))
    scalebar.setBackgroundEnabled(True)
    scalebar.setBackgroundColor(QColor(255, 255, 255, 210))
    layout.addLayoutItem(scalebar)
    _place(scalebar, 13, 193, 70, 12)

    legend = QgsLayoutItemLegend(layout)
    legend.setId("legend")
    legend.setTitle("图例")
    legend.setLinkedMap(map_item)
    legend.setFrameEnabled(True)
    legend.setResizeToContents(False)
    for style in (QgsLegendStyle.Style.Title, QgsLegendStyle.Style.Group, QgsLegendStyle.Style.Subgroup,
                  QgsLegendStyle.Style.SymbolLabel):
        title = style == QgsLegendStyle.Style.Title
        legend.rstyle(style).setFont(_font(8.5 if title else 6.5, title))
    legend.setSymbolHeight(3)
    legend.setSymbolWidth(5)
    legend.setColumnCount(2)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(False)
    layout.addLayoutItem(legend)
    _place(legend, 10, 210, 112, 80)

    _label(layout, "targets", '[% "targets" %]', 7, (125, 210, 68, 80), frame=True)
    _label(layout, "notes", "数据说明", 6.5, (196, 210, 64, 80), frame=True)

    _attribute_table(layout, [("table", TABLE_RECT)])
    _label(layout, "table_title", "[% \"table_title\" %]", 9, (266, 20, 146, 7), bold=True)
    _attribute_table(layout, list(zip(FULL_FRAME_IDS, FULL_RECTS)))
    # a continuation page is the full-page table alone; a map page shows everything else
    for item_id in MAP_PAGE_ITEMS:
        _exclude_from_export(layout.itemById(item_id), ON_TABLE_PAGE)
    # the overview has no task rows of its own: no empty table there
    _exclude_from_export(layout.itemById("table"),
                         f"{ON_TABLE_PAGE} OR attribute(@atlas_feature, 'kind') = 'overview'")
    _exclude_from_export(layout.itemById(FULL_FRAME_IDS[0]), f"NOT ({ON_TABLE_PAGE})")
    # the right half only when the page's rows run on into it
    _exclude_from_export(layout.itemById(FULL_FRAME_IDS[1]),
                         f"NOT ({ON_TABLE_PAGE}) OR to_int(attribute(@atlas_feature, 'frames')) < 2")
    return layout


MAP_PAGE_ITEMS = ("map", "north", "scalebar", "legend", "targets", "notes", "table", "table_title")
FULL_FRAME_IDS = ("table_full_left", "table_full_right")
ON_TABLE_PAGE = "attribute(@atlas_feature, 'kind') = 'table'"


def _exclude_from_export(item, expression: str) -> None:
    """Leave ``item`` out of the export on the atlas pages where ``expression`` is true."""
    from qgis.core import QgsLayoutObject, QgsProperty

    item.dataDefinedProperties().setProperty(QgsLayoutObject.DataDefinedProperty.ExcludeFromExports,
                                             QgsProperty.fromExpression(expression))


def _attribute_table(layout: QgsLayout, frames) -> QgsLayoutItemAttributeTable:
    """An attribute table flowing through ``frames`` [(id, (x, y, w, h))], its header repeated in each."""
    table = QgsLayoutItemAttributeTable.create(layout)
    table.setHeaderTextFormat(_text_format(HEADER_PT, bold=True, color="#1f4e79"))
    table.setContentTextFormat(_text_format(CONTENT_PT))
    table.setHeaderHAlignment(QgsLayoutTable.HeaderHAlignment.FollowColumn)
    table.setHeaderMode(QgsLayoutTable.HeaderMode.AllFrames)
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setEmptyTableBehavior(QgsLayoutTable.EmptyTableMode.ShowMessage)
    table.setEmptyTableMessage("本页无命中企业")
    table.setGridStrokeWidth(0.15)
    table.setGridColor(QColor("#9a9a9a"))
    table.setBackgroundColor(QColor("#ffffff"))
    table.setCellMargin(CELL_MARGIN)
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.UseExistingFrames)
    for frame_id, rect in frames:
        frame = QgsLayoutFrame(layout, table)
        frame.setId(frame_id)
        frame.attemptSetSceneRect(QRectF(*rect))
        frame.setHideBackgroundIfEmpty(True)  # a second frame with no rows left stays blank
        table.addFrame(frame)
    layout.addMultiFrame(table)
    return table


def write_template(path: PathLike = TEMPLATE_PATH) -> Path:
    """Write the layout of :func:`build_layout` as a .qpt template."""
    project = QgsProject()
    layout = build_layout(project)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not layout.saveAsTemplate(str(out), QgsReadWriteContext()):
        raise RuntimeError(f"cannot write the layout template {out}")
    return out


def _load_layout(project: QgsProject) -> QgsPrintLayout:
    """The layout from the shipped template; built in code when the template is missing or incomplete."""
    if TEMPLATE_PATH.exists():
        layout = QgsPrintLayout(project)
        doc = QDomDocument()
        if doc.setContent(TEMPLATE_PATH.read_text(encoding="utf-8")):
            _items, ok = layout.loadFromTemplate(doc, QgsReadWriteContext())
            if ok and all(layout.itemById(i) for i in ("map", "legend", "targets", "notes", "title")) and \
                    _table_of(layout) is not None and _table_of(layout, FULL_FRAME_IDS[0]) is not None:
                return layout
    return build_layout(project)


def _table_of(layout: QgsLayout, frame_id: str = "table") -> Optional[QgsLayoutItemAttributeTable]:
    """The attribute table one of whose frames has this id."""
    frame = layout.itemById(frame_id)
    multi = frame.multiFrame() if isinstance(frame, QgsLayoutFrame) else None
    return multi if isinstance(multi, QgsLayoutItemAttributeTable) else None


# --------------------------------------------------------------------------- data layers


def _gpkg_layers(path: PathLike) -> List[str]:
    return [str(r[0]) for r in pyogrio.list_layers(str(path))]


def _ogr_layer(path: PathLike, layer: str, name: str) -> QgsVectorLayer:
    vl = QgsVectorLayer(f"{path}|layername={layer}", name, "ogr")
    if not vl.isValid():
        raise RuntimeError(f"cannot open layer {layer} of {path}")
    return vl


def _style(layer: QgsVectorLayer, name: str) -> None:
    try:
        from .styling import apply_style

        apply_style(layer, name)
    except Exception:  # noqa: BLE001 - a plain style still prints
        if name == "admin":
            layer.setRenderer(layer.renderer().__class__(QgsFillSymbol.createSimple(
                {"color": "0,0,0,0", "outline_color": "80,80,80", "outline_width": "0.3"})))


SIMPLIFY_M = 40.0  # metres: 0.1 mm on a county page (≈1:400 000), far less on the overview


def _context_layer(frame: gpd.GeoDataFrame, style: str, title: str) -> QgsVectorLayer:
    """A styled memory copy of a polygon layer in METRIC_CRS, simplified by SIMPLIFY_M."""
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.crs is None:
        frame = frame.set_crs(4326)
    metric = frame.to_crs(METRIC_CRS)
    geoms = metric.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    fields = [c for c in metric.columns if c != metric.geometry.name][:12]
    records = []
    for rec, geom in zip(metric[fields].to_dict("records"), geoms):
        rec = {k: (None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for k, v in rec.items()}
        rec["geometry"] = geom
        records.append(rec)
    layer = _memory_layer(f"MultiPolygon?crs={METRIC_CRS}", title, records, fields)
    _style(layer, style)
    _no_pattern_brush(layer)
    return layer


def _no_pattern_brush(layer: QgsVectorLayer) -> None:
    """Hatched fills become solid translucent ones: Qt's PDF writer turns a hatch brush into a page-sized
    raster image on every page, which is most of the atlas's size."""
    renderer = layer.renderer()
    symbols = renderer.symbols(QgsRenderContext()) if renderer is not None else []
    for symbol in symbols:
        for i in range(symbol.symbolLayerCount()):
            sl = symbol.symbolLayer(i)
            if hasattr(sl, "brushStyle") and sl.brushStyle() not in (Qt.BrushStyle.SolidPattern,
                                                                     Qt.BrushStyle.NoBrush):
                sl.setBrushStyle(Qt.BrushStyle.SolidPattern)
                color = QColor(sl.color())
                color.setAlpha(min(color.alpha(), 70))
                sl.setColor(color)


def _highlight_atlas_county(layer: QgsVectorLayer) -> None:
    """On a county page: the atlas county outlined strongly, every other county dimmed by a white veil;
    on the overview page: plain county outlines."""
    from qgis.core import QgsRuleBasedRenderer

    page_is_county = "attribute(@atlas_feature, 'kind') = 'county'"
    this_county = "\"adcode\" = attribute(@atlas_feature, 'adcode')"
    root = QgsRuleBasedRenderer.Rule(None)
    specs = (
        ("本县（区）", f"{page_is_county} AND {this_county}",
         {"color": "0,0,0,0", "style": "no", "outline_color": "200,0,0", "outline_width": "0.9"}),
        ("其他县（区，淡化）", f"{page_is_county} AND NOT ({this_county})",
         {"color": "255,255,255,165", "style": "solid", "outline_color": "150,150,150", "outline_width": "0.2"}),
        ("县级行政区界", f"NOT ({page_is_county}) OR @atlas_feature IS NULL",
         {"color": "0,0,0,0", "style": "no", "outline_color": "90,90,90", "outline_width": "0.3"}),
    )
    for label, expression, props in specs:
        root.appendChild(QgsRuleBasedRenderer.Rule(QgsFillSymbol.createSimple(props), 0, 0, expression, label))
    layer.setRenderer(QgsRuleBasedRenderer(root))


def _shapely_to_qgs(geom) -> QgsGeometry:
    g = QgsGeometry()
    g.fromWkb(geom.wkb)
    return g


def _chars(width_mm: float) -> float:
    """CJK characters per line of a column ``width_mm`` wide."""
    return (width_mm - 2 * CELL_MARGIN) / _EM_MM


_NARROW = {f: _chars(w) for f, _h, w in TABLE_COLUMNS}
_FULL = {f: _chars(w) for f, _h, w in FULL_COLUMNS}


def _row_mm(lines: int) -> float:
    return LINE_FIRST_MM + (max(lines, 1) - 1) * LINE_NEXT_MM + ROW_EXTRA_MM


def _budget_mm(height: float) -> float:
    return (height - HEADER_MM - ROW_EXTRA_MM) * BUDGET_SHARE


def paginate(map_page_lines: Sequence[int], table_page_lines: Sequence[int]) -> List[Tuple[int, int]]:
    """(page, frame) of each of a county's rows: page 0 is its map page (the table in the right third), 1, 2 …
    its table-only pages (two frames each). A row goes to the next frame or page when it would not fit whole."""
    first, full = _budget_mm(TABLE_RECT[3]), _budget_mm(FULL_RECTS[0][3])
    out: List[Tuple[int, int]] = []
    page, frame, used = 0, 0, 0.0
    for a, b in zip(map_page_lines, table_page_lines):
        if page == 0:
            h = _row_mm(a)
            if used + h <= first:
                used += h
                out.append((0, 0))
                continue
            page, frame, used = 1, 0, 0.0
        h = _row_mm(b)
        if used + h > full and used > 0:
            if frame + 1 < len(FULL_RECTS):
                frame, used = frame + 1, 0.0
            else:
                page, frame, used = page + 1, 0, 0.0
        used += h
        out.append((page, frame))
    return out


def _lines(text: Optional[str]) -> int:
    return 1 if not isinstance(text, str) else text.count("\n") + 1


def _rule_classes() -> Dict[str, str]:
    try:
        from ..analysis.rules import load_rules

        return {r.id: r.action_class for r in load_rules().rules}
    except Exception:  # noqa: BLE001 - the class column then stays blank
        return {}


def _task_rows(mine: pd.DataFrame, names: Dict[str, str]) -> List[Dict]:
    """One record per flag row, its texts wrapped for both tables, with its height in lines in each."""
    rows = []
    classes = _rule_classes()
    for i, rec in enumerate(mine.to_dict("records"), start=1):
        rule = names.get(str(rec.get("rule_id")), rec.get("rule_id"))
        row = {"seq": i, "clause": rec.get("clause"),
               "name": wrap_cjk(rec.get("name"), _NARROW["name"]), "rule": wrap_cjk(rule, _NARROW["rule"]),
               "deadline": wrap_cjk(rec.get("deadline"), _NARROW["deadline"]),
               "name_w": wrap_cjk(rec.get("name"), _FULL["name_w"]), "rule_w": wrap_cjk(rule, _FULL["rule_w"]),
               "deadline_w": wrap_cjk(rec.get("deadline"), _FULL["deadline_w"]),
               "layer_label": kind_label(rec.get("layer")),
               "action_label": class_label(rec.get("action_class") or classes.get(str(rec.get("rule_id")), ""))}
        row["_narrow"] = max(_lines(row[f]) for f in ("name", "rule", "deadline", "clause"))
        row["_full"] = max(_lines(row[f]) for f in ("name_w", "layer_label", "rule_w", "clause", "deadline_w",
                                                    "action_label"))
        rows.append(row)
    return rows


def _county_flags(ordered: pd.DataFrame, adcode: str, county: str, city: str) -> pd.DataFrame:
    if not len(ordered):
        return ordered
    if "adcode" in ordered.columns:
        return ordered[ordered["adcode"].astype(str) == adcode]
    return ordered[(ordered["county"] == county) & (ordered["city"] == city)]


def county_page_counts(flags: pd.DataFrame, counties: pd.DataFrame) -> Dict[str, int]:
    """adcode → pages of that county in the atlas (its map page and its table-only pages)."""
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names()
    out = {}
    for c in counties.itertuples():
        rows = _task_rows(_county_flags(ordered, str(c.adcode), c.county, c.city), names)
        pages = paginate([r["_narrow"] for r in rows], [r["_full"] for r in rows])
        out[str(c.adcode)] = 1 + (pages[-1][0] if pages else 0)
    return out


def _pages_and_rows(counties, flags: pd.DataFrame, to_verify: Optional[pd.DataFrame] = None):
    """(page records, task rows) — page 0 is the overview; every county a map page and its table pages;
    rows keyed by page."""
    pages = []
    province = counties.union_all()
    overview_targets = ["城市目标（计划 二(二) 争取性指标）："]
    for city in CITY_ORDER:
        if city in SHORT_TARGETS:
            overview_targets.append(f"· {city}：{SHORT_TARGETS[city]}")
    overview_targets += ["· 11个设区市：SO2年均浓度达一级标准（20 µg/m³）", "· 各县（市）：SO2年均浓度达二级标准",
                         "· 168城综合指数排名前移"]
    counts = run_counts(flags, to_verify)
    pages.append({"page_key": "overview", "kind": "overview", "county": "", "city": "", "adcode": "",
                  "title": "山西省 · 全省总览",
                  "subtitle": f"{len(counties)} 个县（市、区），{counts.text_zh()}（分市、分县统计见汇总表）",
                  "table_title": "各县（市、区）企业任务见分县页",
                  "targets": "\n".join(overview_targets), "geometry": province})
    rows = []
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names()
    for c in counties.itertuples():
        mine = _county_flags(ordered, c.adcode, c.county, c.city)
        n_ent = count_enterprises(mine)
        targets = f"{c.city}目标（{TARGETS_SOURCE}）：\n" + "\n".join(f"· {t}" for t in city_targets(c.city))
        county_rows = _task_rows(mine, names)
        page_of = paginate([r["_narrow"] for r in county_rows], [r["_full"] for r in county_rows])
        parts = 1 + (page_of[-1][0] if page_of else 0)
        for part in range(parts):
            key = f"{c.adcode}#{part}"
            on_page = [r for r, (p, _f) in zip(county_rows, page_of) if p == part]
            frames = 1 + max([f for p, f in page_of if p == part], default=0)
            shown = f"第 {on_page[0]['seq']}–{on_page[-1]['seq']} 条" if on_page else ""
            suffix = "" if part == 0 else f"（续{part}）"
            pages.append({"page_key": key, "kind": "county" if part == 0 else "table", "county": c.county,
                          "city": c.city, "adcode": c.adcode, "title": f"{c.city} · {c.county}{suffix}",
                          "subtitle": f"区划代码 {c.adcode}；命中 {len(mine)} 条，涉及企业 {n_ent} 家"
                                      + (f"；任务清单共 {parts} 页，本页{shown}" if parts > 1 else ""),
                          "table_title": f"{c.county}企业任务清单" + (f"（{shown}，续表见后页）" if parts > 1 else ""),
                          "targets": targets, "frames": frames, "geometry": c.geometry})
            for r in on_page:
                rows.append({**{k: v for k, v in r.items() if not k.startswith("_")}, "page_key": key})
    return pages, rows


def _char_width(char: str) -> float:
    return 0.55 if ord(char) < 0x2E80 else 1.0


def wrap_cjk(text: Optional[str], width: float) -> Optional[str]:
    """Break ``text`` into lines of at most ``width`` CJK character widths (the table wraps only at spaces)."""
    if text is None or not isinstance(text, str):
        return text
    lines, line, used = [], "", 0.0
    for char in text:
        w = _char_width(char)
        if used + w > width and line:
            carry = ""
            if char in _NO_LINE_START and len(line) > 1:  # a closing mark takes the character before it along
                line, carry = line[:-1], line[-1]
            lines.append(line)
            line, used = carry, sum(_char_width(c) for c in carry)
        line += char
        used += w
    lines.append(line)
    return "\n".join(lines)


_NO_LINE_START = set("）)」』】〕，。、；：！？…%")


def _memory_layer(uri: str, name: str, records: Sequence[Dict], fields: Sequence[str],
                  int_fields: Sequence[str] = ()) -> QgsVectorLayer:
    vl = QgsVectorLayer(uri, name, "memory")
    vl.dataProvider().addAttributes([QgsField(f, FieldType.INT if f in int_fields else FieldType.STRING)
                                     for f in fields])
    vl.updateFields()
    feats = []
    for rec in records:
        feat = QgsFeature(vl.fields())
        feat.setAttributes([None if rec.get(f) is None or (isinstance(rec.get(f), float) and pd.isna(rec.get(f)))
                            else (int(rec[f]) if f in int_fields else str(rec[f])) for f in fields])
        if "geometry" in rec:
            feat.setGeometry(_shapely_to_qgs(rec["geometry"]))
        feats.append(feat)
    vl.dataProvider().addFeatures(feats)
    vl.updateExtents()
    return vl


# --------------------------------------------------------------------------- export


def _configure(layout: QgsPrintLayout, project: QgsProject, page_layer: QgsVectorLayer, task_layer: QgsVectorLayer,
               map_layers: List[QgsVectorLayer], notes: Sequence[str]) -> None:
    map_item: QgsLayoutItemMap = layout.itemById("map")
    map_item.setCrs(QgsCoordinateReferenceSystem(METRIC_CRS))
    map_item.setLayers(map_layers)
    map_item.setKeepLayerSet(True)
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.AtlasScalingMode.Auto)
    map_item.setAtlasMargin(0.06)
    # the atlas keeps the aspect ratio of the current extent: start from one of the item's own ratio
    box = page_layer.extent()
    ratio = map_item.rect().height() / map_item.rect().width()
    half_w = max(box.width(), box.height() / ratio, 1.0) / 2
    cx, cy = box.center().x(), box.center().y()
    map_item.setExtent(QgsRectangle(cx - half_w, cy - half_w * ratio, cx + half_w, cy + half_w * ratio))

    legend: QgsLayoutItemLegend = layout.itemById("legend")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in map_layers:
        root.addLayer(layer)
    legend.setLegendFilterByMapEnabled(True)
    legend.updateLegend()

    notes_item: QgsLayoutItemLabel = layout.itemById("notes")
    notes_item.setText("数据说明\n" + "\n".join(f"{i}. {n}" for i, n in enumerate(notes, start=1)))

    for frame_id, spec in (("table", TABLE_COLUMNS), (FULL_FRAME_IDS[0], FULL_COLUMNS)):
        table = _table_of(layout, frame_id)
        table.setVectorLayer(task_layer)
        columns = []
        for field, heading, width in spec:
            col = QgsLayoutTableColumn(heading)
            col.setAttribute(field)
            col.setWidth(width - 2 * CELL_MARGIN)  # a column's width excludes its cell margins
            columns.append(col)
        table.setColumns(columns)
        table.setFilterFeatures(True)
        table.setFeatureFilter("\"page_key\" = attribute(@atlas_feature, 'page_key')")
        table.setMaximumNumberOfFeatures(1000)
        table.setDisplayOnlyVisibleFeatures(False)
        table.setUseConditionalStyling(False)

    atlas = layout.atlas()
    atlas.setCoverageLayer(page_layer)
    atlas.setEnabled(True)
    atlas.setHideCoverage(True)
    atlas.setPageNameExpression("\"title\"")
    atlas.setSortFeatures(False)
    atlas.setFilterFeatures(False)
    project.layoutManager().addLayout(layout)


def _export(layout: QgsPrintLayout, out_pdf: Path, feedback: Optional[QgsFeedback]) -> Optional[Path]:
    """The atlas as one PDF (temporary name, then rename); None when canceled."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 150
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True  # vector maps: no per-page raster images (was ~230 kB a page)
    settings.exportMetadata = True
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText  # searchable text, not outlines
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_pdf.with_name(f".{out_pdf.stem}.part.pdf")
    try:
        result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), str(tmp), settings, feedback)
        if feedback is not None and feedback.isCanceled():
            return None
        if result != QgsLayoutExporter.ExportResult.Success:
            raise RuntimeError(f"PDF export failed ({result}): {error}")
        os.replace(tmp, out_pdf)
        return out_pdf
    finally:
        if tmp.exists():
            tmp.unlink()


def export_atlas(zones_gpkg: PathLike, flags_gpkg: PathLike, admin_gpkg: PathLike, out_pdf: PathLike,
                 notes: Optional[Sequence[str]] = None, per_county_dir: Optional[PathLike] = None,
                 feedback: Optional[QgsFeedback] = None) -> Optional[AtlasResult]:
    """Write the atlas PDF (overview, then per county a map page and its table-only continuation pages);
    per-county PDFs optionally. ``notes`` are printed for people (rule ids become their names).

    Returns ``AtlasResult(path, pages, county_pdfs)``, or None when ``feedback`` was canceled (then no PDF
    is left behind). Needs a running QgsApplication.
    """
    if feedback is not None and feedback.isCanceled():
        return None
    notes = list(notes) if notes is not None else default_notes(zones_gpkg)
    names = rule_names()
    notes = list(dict.fromkeys(printable(n, names) for n in notes))
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(METRIC_CRS))
    counties = load_counties(zones_gpkg, admin_gpkg)
    flags = pd.DataFrame(pyogrio.read_dataframe(str(flags_gpkg), layer="enterprise_flags", read_geometry=False))
    for col in ("ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "county", "city"):
        if col not in flags.columns:
            flags[col] = ""
    if "adcode" in flags.columns:
        flags["adcode"] = flags["adcode"].fillna("").astype(str)
    to_verify = (pd.DataFrame(pyogrio.read_dataframe(str(flags_gpkg), layer="to_verify", read_geometry=False))
                 if "to_verify" in _gpkg_layers(flags_gpkg) else None)
    pages, rows = _pages_and_rows(counties, flags, to_verify)

    page_fields = ["page_key", "kind", "county", "city", "adcode", "title", "subtitle", "table_title", "targets",
                   "frames"]
    # pages in the map's own CRS, so the atlas extent needs no reprojection
    metric = gpd.GeoSeries([p["geometry"] for p in pages], crs=4326).to_crs(METRIC_CRS)
    for page, geom in zip(pages, metric):
        page["geometry"] = geom
    page_layer = _memory_layer(f"MultiPolygon?crs={METRIC_CRS}", "atlas_pages", pages, page_fields,
                               int_fields=["frames"])
    task_fields = ["page_key", "seq", "name", "rule", "clause", "deadline", "name_w", "layer_label", "rule_w",
                   "deadline_w", "action_label"]
    task_layer = _memory_layer("None", "atlas_tasks", rows, task_fields, int_fields=["seq"])

    # context layers in the map's CRS, simplified below what a page can show (SIMPLIFY_M), which keeps
    # the PDF small: every page would otherwise carry the full vertex detail of the zones and outlines
    county_layer = _context_layer(counties[["county", "city", "adcode", "geometry"]], "admin", "县级行政区")
    _highlight_atlas_county(county_layer)
    zone_layers = []
    present = set(_gpkg_layers(zones_gpkg))
    for name, title in zone_titles_of(zones_gpkg).items():  # titles with the zones' own radius and rings
        if name in present:
            frame = pyogrio.read_dataframe(str(zones_gpkg), layer=name)
            if frame.empty or frame.geometry.isna().all():
                continue
            zone_layers.append(_context_layer(frame, name, title))
    verdicts = _ogr_layer(flags_gpkg, "enterprise_verdicts", "企业（按综合结论）")
    _style(verdicts, "enterprise_verdicts")
    for vl in [county_layer, *zone_layers, verdicts, page_layer, task_layer]:
        project.addMapLayer(vl, False)
    # top to bottom: the county layer (atlas county outlined, the others dimmed under a white veil,
    # enterprises included), enterprises, zones (small over large)
    map_layers = [county_layer, verdicts] + list(reversed(zone_layers))

    layout = _load_layout(project)
    _configure(layout, project, page_layer, task_layer, map_layers, notes)
    if feedback is not None and hasattr(feedback, "pushInfo"):
        feedback.pushInfo(f"图集：{page_layer.featureCount()} 页（1 总览 + {len(counties)} 县地图页 + "
                          f"{page_layer.featureCount() - 1 - len(counties)} 任务清单续页）")
    path = _export(layout, Path(out_pdf), feedback)
    if path is None:
        return None

    county_pdfs: List[Path] = []
    if per_county_dir:
        folder = Path(per_county_dir)
        folder.mkdir(parents=True, exist_ok=True)
        atlas = layout.atlas()
        atlas.setFilterFeatures(True)
        for i, c in enumerate(counties.itertuples()):
            if feedback is not None:
                if feedback.isCanceled():
                    break
                feedback.setProgress(100.0 * i / len(counties))
            atlas.setFilterExpression(f"\"adcode\" = '{c.adcode}' AND \"kind\" IN ('county', 'table')")
            target = folder / f"{county_file_stem(c.adcode, c.county)}.pdf"
            if _export(layout, target, None) is not None:
                county_pdfs.append(target)
    return AtlasResult(path, page_layer.featureCount(), county_pdfs)

