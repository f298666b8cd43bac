"""The atlas page (A3 landscape) and its template ``layers/templates/atlas.qpt``: every item, where it sits, when
it is left out of the export. Items are found by id: ``map``, ``title``, ``subtitle``, ``date``, ``legend``,
``scalebar``, ``north``, ``targets``, ``notes``, ``credit`` (the basemap's credit line in the footer),
``progress`` and ``chart`` (the ledger's line and month-by-month chart under the table), ``table`` (the map
page's task table, right third), ``city_table`` (the overview's per-city summary) and ``table_full_left`` /
``table_full_right`` (the two frames of the continuation pages' full-page table, header repeated in each).

What a page shows is decided by the atlas feature (the page layer of ``layers/atlas/pages.py``): its ``kind``
(overview, county, table) and whether it has a ``progress`` line, a ``chart`` picture or a ``credit`` — so one
layout serves every page and the template stays editable in QGIS.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

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

__all__ = ["TEMPLATE_PATH", "FONT_FAMILY", "build_layout", "write_template", "load_layout", "table_of"]

PathLike = Union[str, os.PathLike]
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "atlas.qpt"
# WenQuanYi Micro Hei first: with Noto CJK, Qt's PDF writer maps glyphs such as 长 and 马 back to their
# CJK radical code points (⻓ ⻢), so county names could not be searched or copied from the PDF.
FONT_FAMILY = "WenQuanYi Micro Hei"
PAGE_W, PAGE_H = 420.0, 297.0  # A3 landscape, mm
# The map page's table (right third) and each half of a continuation page's table: (field, heading, mm).
TABLE_COLUMNS = [("seq", "序号", 7), ("name", "企业名称", 48), ("rule", "规则", 54), ("clause", "条款", 13),
                 ("deadline", "完成时限", 24)]
FULL_COLUMNS = [("seq", "序号", 9), ("name_w", "企业名称", 64), ("layer_label", "类别", 14), ("rule_w", "规则", 60),
                ("clause", "条款", 15), ("deadline_w", "完成时限", 24), ("action_label", "措施", 14)]
TABLE_RECT = (266.0, 27.0, 146.0, 263.0)  # x, y, w, h of the map page's table frame
FULL_RECTS = ((10.0, 25.0, 200.0, 266.0), (214.0, 25.0, 200.0, 266.0))  # the continuation table's two frames
# The ledger's block at the foot of the right third: one line, then the chart. With a ledger the task table
# ends above it (TABLE_RECT_WITH_PROGRESS), and the rows are paginated for that height.
PROGRESS_RECT = (266.0, 246.0, 146.0, 7.0)
CHART_RECT = (266.0, 253.0, 146.0, 37.0)
TABLE_RECT_WITH_PROGRESS = (TABLE_RECT[0], TABLE_RECT[1], TABLE_RECT[2], PROGRESS_RECT[1] - 2.0 - TABLE_RECT[1])
CITY_TABLE_RECT = (266.0, 27.0, 146.0, 150.0)  # the overview's per-city summary (12 or 13 short rows)
CREDIT_RECT = (10.0, 290.5, 250.0, 5.5)  # the footer under the bottom row: "底图：…"
CONTENT_PT, HEADER_PT, CELL_MARGIN = 7.5, 8.5, 0.7

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

    _attribute_table(layout, [("table", TABLE_RECT)])
    _label(layout, "table_title", "[% \"table_title\" %]", 9, (266, 20, 146, 7), bold=True)
    _attribute_table(layout, list(zip(FULL_FRAME_IDS, FULL_RECTS)))
    _attribute_table(layout, [("city_table", CITY_TABLE_RECT)])
    _label(layout, "progress", '[% "progress" %]', 8, PROGRESS_RECT, bold=True, color="#1f4e79")
    chart = QgsLayoutItemPicture(layout)
    chart.setId("chart")
    chart.setResizeMode(QgsLayoutItemPicture.ResizeMode.Zoom)
    # the page's own chart (a PNG drawn for it, layers/atlas/progress.py)
    chart.dataDefinedProperties().setProperty(QgsLayoutObject.DataDefinedProperty.PictureSource,
                                              QgsProperty.fromExpression("attribute(@atlas_feature, 'chart')"))
    layout.addLayoutItem(chart)
    _place(chart, *CHART_RECT)

    # a continuation page is the full-page table alone; a map page shows everything else
    for item_id in MAP_PAGE_ITEMS:
        _exclude_from_export(layout.itemById(item_id), ON_TABLE_PAGE)
    # the overview has no task rows of its own: no empty table there, the per-city summary instead
    _exclude_from_export(layout.itemById("table"), f"{ON_TABLE_PAGE} OR {ON_OVERVIEW}")
    _exclude_from_export(layout.itemById("city_table"), f"NOT ({ON_OVERVIEW})")
    for item_id in ("progress", "chart", "credit"):  # only when there is a ledger, a chart, a basemap
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


def _attribute_table(layout: QgsLayout, frames) -> QgsLayoutItemAttributeTable:
    """An attribute table flowing through ``frames`` [(id, (x, y, w, h))], its header repeated in each."""
    table = QgsLayoutItemAttributeTable.create(layout)
    table.setHeaderTextFormat(text_format(HEADER_PT, bold=True, color="#1f4e79"))
    table.setContentTextFormat(text_format(CONTENT_PT))
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


def table_of(layout: QgsLayout, frame_id: str = "table") -> Optional[QgsLayoutItemAttributeTable]:
    """The attribute table one of whose frames has this id."""
    frame = layout.itemById(frame_id)
    multi = frame.multiFrame() if isinstance(frame, QgsLayoutFrame) else None
    return multi if isinstance(multi, QgsLayoutItemAttributeTable) else None
