"""The atlas page (A3 landscape) and its template ``layers/atlas/templates/atlas.qpt``: every item, where it sits,
when it is left out of the export. Items are found by id: ``map``, ``title``, ``subtitle``, ``date``, ``legend``,
``scalebar``, ``north``, ``targets``, ``notes``, ``credit`` (the basemap's credit line in the footer),
``progress`` and ``chart`` (the ledger's line and month-by-month chart under the table), ``table`` (the map
page's table, right third), ``city_table`` (the overview's per-city summary) and ``table_full_left`` /
``table_full_right`` (the two frames of a continuation page's full-page table).

The tables and the chart are placeholders: where the atlas draws its tables (layers/atlas/tables.py) and how they
look (fonts, colours, grid, margin), where it draws the ledger's chart (layers/atlas/progress.py); the tables'
columns are the column sets here (``TASK_COLUMNS``, ``CHANGE_COLUMNS``, ``CITY_COLUMNS``), the same on a map page
and its continuation pages. What a page shows is decided by the atlas feature (the page layer of
``layers/atlas/pages.py``): its ``kind`` (overview, county, compare, table) and whether it has a ``progress`` line
or a ``credit`` — so one layout serves every page and the template stays editable in QGIS.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple, Union

from qgis.core import (
    QgsApplication,
    QgsLayout,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMultiFrame,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsReadWriteContext,
    QgsScaleBarSettings,
    QgsTextFormat,
    QgsUnitTypes,
)
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont
from qgis.PyQt.QtXml import QDomDocument

from ...analysis.reports.meeting import CITY_SUMMARY_COLUMNS, LEDGER_SUMMARY_COLUMNS

__all__ = ["TEMPLATE_PATH", "FONT_FAMILY", "build_layout", "write_template", "load_layout", "table_of", "Frames",
           "frames_of", "Column", "TASK_COLUMNS", "CHANGE_COLUMNS", "CITY_COLUMNS", "column_widths"]

PathLike = Union[str, os.PathLike]
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "atlas.qpt"
# WenQuanYi Micro Hei first: with Noto CJK, Qt's PDF writer maps glyphs such as 长 and 马 back to their
# CJK radical code points (⻓ ⻢), so county names could not be searched or copied from the PDF.
FONT_FAMILY = "WenQuanYi Micro Hei"
PAGE_W, PAGE_H = 420.0, 297.0  # A3 landscape, mm


@dataclass(frozen=True)
class Column:
    """A table column: its field in a row record, its heading, its width in mm on the map page's table (frames
    of another width scale the widths to theirs) and whether its cells are right-aligned (numbers)."""

    field: str
    heading: str
    mm: float
    right: bool = False


# A county's tasks, the same columns on its map page and on its continuation pages (widths of the 146 mm
# map-page table): 编号 tells two boilers of one company apart, the rule by its Chinese name (which says the
# measure: …淘汰, …清理, …改造).
TASK_COLUMNS: Tuple[Column, ...] = (
    Column("seq", "序号", 7.5, right=True), Column("ent_id", "编号", 17.5), Column("name", "企业名称", 41),
    Column("rule", "规则", 47.5), Column("clause", "条款", 11.5), Column("deadline", "完成时限", 21))
# A city's changed enterprises on its comparison page (analysis/scenarios/compare.py's scenario_changes).
CHANGE_COLUMNS: Tuple[Column, ...] = (
    Column("seq", "序号", 7.5, right=True), Column("ent_id", "编号", 17.5), Column("name", "企业名称", 29),
    Column("county", "县区", 12.5), Column("rule", "规则", 33), Column("change", "变化", 12.5),
    Column("base", "基准结论", 17), Column("variant", "比较结论", 17))
# The overview's per-city summary (headings from analysis/reports/meeting.py; the ledger's three with a ledger).
_CITY_MM = {"city": 15, "enterprises": 18, "close": 19, "retrofit": 12, "rectify": 19, "verify": 12,
            "done": 15, "new": 15, "overdue": 11}
CITY_COLUMNS: Tuple[Column, ...] = tuple(Column(f, h, _CITY_MM[f], right=f != "city")
                                         for f, h in CITY_SUMMARY_COLUMNS + LEDGER_SUMMARY_COLUMNS)


def column_widths(columns, width_mm: float):
    """The columns' widths (mm) in a frame ``width_mm`` wide: their map-page widths scaled to fill it."""
    total = sum(c.mm for c in columns)
    return [c.mm * width_mm / total for c in columns]


TABLE_RECT = (266.0, 27.0, 146.0, 263.0)  # x, y, w, h of the map page's table frame
FULL_RECTS = ((10.0, 25.0, 200.0, 266.0), (214.0, 25.0, 200.0, 266.0))  # the continuation table's two frames
# The ledger's block at the foot of the right third: one line, then the chart. With a ledger the task table
# ends above it (TABLE_RECT_WITH_PROGRESS), and the rows are paginated for that height.
PROGRESS_RECT = (266.0, 246.0, 146.0, 7.0)
CHART_RECT = (266.0, 253.0, 146.0, 37.0)
TABLE_RECT_WITH_PROGRESS = (TABLE_RECT[0], TABLE_RECT[1], TABLE_RECT[2], PROGRESS_RECT[1] - 2.0 - TABLE_RECT[1])
CITY_TABLE_RECT = (266.0, 27.0, 146.0, 150.0)  # the overview's per-city summary (12 or 13 short rows)
CREDIT_RECT = (10.0, 290.5, 250.0, 5.5)  # the footer under the bottom row: "底图：…"
CONTENT_PT, HEADER_PT, CELL_MARGIN, GRID_MM = 7.5, 8.5, 0.7, 0.15

MAP_PAGE_ITEMS = ("map", "north", "scalebar", "legend", "targets", "notes", "table", "table_title", "progress",
                  "chart", "credit", "city_table")
FULL_FRAME_IDS = ("table_full_left", "table_full_right")
REQUIRED_ITEMS = ("map", "legend", "targets", "notes", "title", "progress", "chart", "credit")
ON_TABLE_PAGE = "attribute(@atlas_feature, 'kind') = 'table'"
ON_OVERVIEW = "attribute(@atlas_feature, 'kind') = 'overview'"


def _empty(field: str) -> str:
    return f"coalesce(attribute(@atlas_feature, '{field}'), '') = ''"


def font(size: float, bold: bool = False) -> QFont:
    out = QFont(FONT_FAMILY)
    out.setPointSizeF(size)
    out.setBold(bold)
    return out


def text_format(size: float, bold: bool = False, color: str = "#202020") -> QgsTextFormat:
    fmt = QgsTextFormat()
    fmt.setFont(font(size, bold))
    fmt.setSize(size)
    fmt.setSizeUnit(QgsUnitTypes.RenderPoints)
    fmt.setColor(QColor(color))
    return fmt


def _place(item, x: float, y: float, w: float, h: float) -> None:
    item.attemptMove(QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters))
    item.attemptResize(QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters))


def _label(layout: QgsLayout, item_id: str, text: str, size: float, rect, bold: bool = False,
           frame: bool = False, color: str = "#202020") -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setId(item_id)
    label.setText(text)
    if hasattr(label, "setTextFormat"):  # QGIS >= 3.24; setFont is deprecated there
        label.setTextFormat(text_format(size, bold, color))
    else:
        label.setFont(font(size, bold))
        label.setFontColor(QColor(color))
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


def _map_furniture(layout: QgsPrintLayout) -> QgsLayoutItemMap:
    """The map with its north arrow, scale bar and legend."""
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
    scalebar.setTextFormat(text_format(8))
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
        legend.rstyle(style).setFont(font(8.5 if title else 6.5, title))
    legend.setSymbolHeight(3)
    legend.setSymbolWidth(5)
    legend.setColumnCount(2)
    legend.setSplitLayer(True)
    legend.setEqualColumnWidth(False)
    layout.addLayoutItem(legend)
    _place(legend, 10, 210, 112, 80)
    return map_item


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
    _map_furniture(layout)
    _label(layout, "targets", '[% "targets" %]', 7, (125, 210, 68, 80), frame=True)
    _label(layout, "notes", "数据说明", 6.5, (196, 210, 64, 80), frame=True)
    _label(layout, "credit", '[% "credit" %]', 6.5, CREDIT_RECT, color="#505050")

    _attribute_table(layout, [("table", TABLE_RECT)], TASK_COLUMNS)
    _label(layout, "table_title", "[% \"table_title\" %]", 9, (266, 20, 146, 7), bold=True)
    _attribute_table(layout, list(zip(FULL_FRAME_IDS, FULL_RECTS)), TASK_COLUMNS)
    _attribute_table(layout, [("city_table", CITY_TABLE_RECT)], CITY_COLUMNS)
    _label(layout, "progress", '[% "progress" %]', 8, PROGRESS_RECT, bold=True, color="#1f4e79")
    chart = QgsLayoutItemPicture(layout)  # a placeholder: the page's chart is drawn in its place (progress.py)
    chart.setId("chart")
    layout.addLayoutItem(chart)
    _place(chart, *CHART_RECT)

    # a continuation page is the full-page table alone; a map page shows everything else
    for item_id in MAP_PAGE_ITEMS:
        _exclude_from_export(layout.itemById(item_id), ON_TABLE_PAGE)
    # the overview has no task rows of its own: no empty table there, the per-city summary instead
    _exclude_from_export(layout.itemById("table"), f"{ON_TABLE_PAGE} OR {ON_OVERVIEW}")
    _exclude_from_export(layout.itemById("city_table"), f"NOT ({ON_OVERVIEW})")
    for item_id in ("progress", "credit"):  # only when there is a ledger, a basemap
        _exclude_from_export(layout.itemById(item_id), f"{ON_TABLE_PAGE} OR {_empty(item_id)}")
    _exclude_from_export(layout.itemById(FULL_FRAME_IDS[0]), f"NOT ({ON_TABLE_PAGE})")
    # the right half only when the page's rows run on into it
    _exclude_from_export(layout.itemById(FULL_FRAME_IDS[1]),
                         f"NOT ({ON_TABLE_PAGE}) OR to_int(attribute(@atlas_feature, 'frames')) < 2")
    return layout


def _exclude_from_export(item, expression: str) -> None:
    """Leave ``item`` out of the export on the atlas pages where ``expression`` is true."""
    item.dataDefinedProperties().setProperty(QgsLayoutObject.DataDefinedProperty.ExcludeFromExports,
                                             QgsProperty.fromExpression(expression))


def _attribute_table(layout: QgsLayout, frames, columns) -> QgsLayoutItemAttributeTable:
    """A placeholder table flowing through ``frames`` [(id, (x, y, w, h))], its header repeated in each: where
    the atlas draws a table (layers/atlas/tables.py) and how it looks (fonts, colours, grid, margin). Its
    ``columns`` (headings, widths filling the first frame) hold the frames' width, as QGIS sizes a table's frames
    by its columns."""
    table = QgsLayoutItemAttributeTable.create(layout)
    spec = []
    grid = GRID_MM * (len(columns) + 1) / len(columns)  # QGIS adds the grid lines to the columns' widths
    for col, width in zip(columns, column_widths(columns, frames[0][1][2])):
        out = QgsLayoutTableColumn(col.heading)
        out.setAttribute(col.field)
        out.setWidth(width - 2 * CELL_MARGIN - grid)  # a column's width excludes its cell margins
        out.setHAlignment(Qt.AlignmentFlag.AlignRight if col.right else Qt.AlignmentFlag.AlignLeft)
        spec.append(out)
    table.setColumns(spec)
    table.setHeaderTextFormat(text_format(HEADER_PT, bold=True, color="#1f4e79"))
    table.setContentTextFormat(text_format(CONTENT_PT))
    table.setHeaderHAlignment(QgsLayoutTable.HeaderHAlignment.FollowColumn)
    table.setHeaderMode(QgsLayoutTable.HeaderMode.AllFrames)
    table.setWrapBehavior(QgsLayoutTable.WrapBehavior.WrapText)
    table.setEmptyTableBehavior(QgsLayoutTable.EmptyTableMode.ShowMessage)
    table.setEmptyTableMessage("本页无命中企业")
    table.setGridStrokeWidth(GRID_MM)
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


def load_layout(project: QgsProject) -> QgsPrintLayout:
    """The layout from the shipped template; built in code when the template is missing or incomplete."""
    if TEMPLATE_PATH.exists():
        layout = QgsPrintLayout(project)
        doc = QDomDocument()
        if doc.setContent(TEMPLATE_PATH.read_text(encoding="utf-8")):
            _items, ok = layout.loadFromTemplate(doc, QgsReadWriteContext())
            if ok and all(layout.itemById(i) for i in REQUIRED_ITEMS) and \
                    all(table_of(layout, f) is not None for f in ("table", FULL_FRAME_IDS[0], "city_table")):
                return layout
    return build_layout(project)


Rect = Tuple[float, float, float, float]


@dataclass(frozen=True)
class Frames:
    """Where the atlas draws its tables (x, y, w, h in mm): the map page's ``table`` (``table_h_progress`` high
    when the ledger's block sits under it), the continuation pages' ``full`` frames, the overview's ``city``."""

    table: Rect = TABLE_RECT
    table_h_progress: float = TABLE_RECT_WITH_PROGRESS[3]
    full: Tuple[Rect, ...] = FULL_RECTS
    city: Rect = CITY_TABLE_RECT

    def map_table_h(self, progress: bool) -> float:
        return self.table_h_progress if progress else self.table[3]


def _rect(item) -> Rect:
    pos, size = item.pos(), item.rect()
    return (pos.x(), pos.y(), size.width(), size.height())


def frames_of(layout: QgsLayout) -> Frames:
    """The tables' places in ``layout`` (its placeholder tables' frames; the ledger's line bounds the map page's
    table from below); the built-in places for an item the layout lacks."""
    def rect(item_id: str, default: Rect) -> Rect:
        item = layout.itemById(item_id)
        return _rect(item) if item is not None else default

    table = rect("table", TABLE_RECT)
    progress = layout.itemById("progress")
    top = _rect(progress)[1] if progress is not None else PROGRESS_RECT[1]
    return Frames(table=table, table_h_progress=max(0.0, min(table[3], top - 2.0 - table[1])),
                  full=tuple(rect(f, d) for f, d in zip(FULL_FRAME_IDS, FULL_RECTS)),
                  city=rect("city_table", CITY_TABLE_RECT))


def table_of(layout: QgsLayout, frame_id: str = "table") -> Optional[QgsLayoutItemAttributeTable]:
    """The attribute table one of whose frames has this id."""
    frame = layout.itemById(frame_id)
    multi = frame.multiFrame() if isinstance(frame, QgsLayoutFrame) else None
    return multi if isinstance(multi, QgsLayoutItemAttributeTable) else None
