"""What the atlas draws on its pages itself, as one layout item added for the export (never saved in the
template): the page's tables in their frames (``layers/atlas/tables.py`` draws them), the ledger's chart in its
frame (``layers/atlas/progress.py``) and the numbers beside the dots of the map, the rows' 序号 of the page's table,
so a row is found on the map and a dot in the table.

The item reads the page it is on from the atlas feature (``page_key``) and draws that page's content. The numbers are placed beside their dot where they cover no other number, dot, north arrow or scale
bar; where no place is free, at the right of the dot anyway (every number printed).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsLayoutItem, QgsLayoutItemMap, QgsLayoutItemRegistry
from qgis.PyQt.QtCore import QPointF, QRectF
from qgis.PyQt.QtGui import QColor, QPen

from ..styling import VERDICT_SIZE_MM
from .layout import FONT_FAMILY
from .tables import UNITS, Measure, Table, units_font

__all__ = ["PageDrawing", "place_numbers", "NUMBER_PT"]

_PLUGIN_ITEM = QgsLayoutItemRegistry.ItemType.PluginItem  # a plain int on PyQt5, an enum member on Qt6 builds
_TYPE = int(getattr(_PLUGIN_ITEM, "value", _PLUGIN_ITEM)) + 0x4253  # the plugin's own item types ('BS'), not registered
NUMBER_PT = 6.0
NUMBER_COLOR, NUMBER_BOX = "#111111", QColor(255, 255, 255, 225)
Slots = Dict[str, Dict[str, Tuple[Table, List[Dict]]]]
Number = Tuple[float, float, str]


def _overlap(a: QRectF, b: QRectF) -> bool:
    return a.left() < b.right() and b.left() < a.right() and a.top() < b.bottom() and b.top() < a.bottom()


def place_numbers(points: Sequence[Tuple[float, float, float, float]], area: QRectF,
                  obstacles: Sequence[QRectF], dot: float, gap: float) -> List[QRectF]:
    """A box for each label (x, y of its dot; w, h of its text), all in one unit: beside the dot (right, left,
    above, below, then the diagonals; then as much farther out), inside ``area``, over no placed label, other dot
    or obstacle where any such place is free, else at the right of the dot."""
    dots = [QRectF(x - dot, y - dot, 2 * dot, 2 * dot) for x, y, _w, _h in points]
    placed: List[QRectF] = []
    # a coarse grid of what is placed, so a crowded county stays fast
    cell = max(dot * 8, 1.0)
    grid: Dict[Tuple[int, int], List[QRectF]] = {}

    def cells(r: QRectF):
        for i in range(int(r.left() // cell), int(r.right() // cell) + 1):
            for j in range(int(r.top() // cell), int(r.bottom() // cell) + 1):
                yield i, j

    for d in dots:
        for c in cells(d):
            grid.setdefault(c, []).append(d)
    for (x, y, w, h), own in zip(points, dots):
        candidates = []
        for r in (dot + gap, dot + gap + h):  # beside the dot, then a little farther out
            d = r * 0.7
            candidates += [QRectF(x + r, y - h / 2, w, h), QRectF(x - r - w, y - h / 2, w, h),
                           QRectF(x - w / 2, y - r - h, w, h), QRectF(x - w / 2, y + r, w, h),
                           QRectF(x + d, y - d - h, w, h), QRectF(x - d - w, y - d - h, w, h),
                           QRectF(x + d, y + d, w, h), QRectF(x - d - w, y + d, w, h)]
        chosen = None
        for box in candidates:
            if not area.contains(box) or any(_overlap(box, o) for o in obstacles):
                continue
            near = {id(o): o for c in cells(box) for o in grid.get(c, ()) if o is not own}
            if not any(_overlap(box, o) for o in near.values()):
                chosen = box
                break
        if chosen is None:
            inside = [b for b in candidates if area.contains(b)]
            chosen = inside[0] if inside else candidates[0]
        placed.append(chosen)
        for c in cells(chosen):
            grid.setdefault(c, []).append(chosen)
    return placed


class PageDrawing(QgsLayoutItem):
    """Everything the atlas draws itself on a page, as one item over the whole page (one item is refreshed per
    page, not one per frame): the tables of the page in their frames (``frames``: frame id → its rectangle on
    the page, mm), its chart (``charts``: page key → a chart with ``draw(painter, size_mm, units_per_mm)``) in
    the ``chart`` frame and the numbers beside the dots of ``map_item``."""

    def __init__(self, layout, frames: Dict[str, QRectF], slots: Slots, map_item: QgsLayoutItemMap,
                 numbers: Dict[str, List[Number]], obstacles: Sequence[QgsLayoutItem] = (),
                 charts: Optional[Dict[str, object]] = None) -> None:
        super().__init__(layout)
        self.setId("atlas_drawn")
        self.setFrameEnabled(False)
        self.setBackgroundEnabled(False)
        layout.addLayoutItem(self)
        page = layout.pageCollection().page(0)
        self.attemptSetSceneRect(QRectF(page.pos(), page.rect().size()))
        self.setZValue(max((i.zValue() for i in layout.items() if isinstance(i, QgsLayoutItem) and i is not self),
                           default=0) + 1)
        self.frames, self.slots, self.charts = frames, slots, charts or {}
        self.map_item, self.numbers, self.obstacle_items = map_item, numbers, list(obstacles)
        self.measure = Measure(units_font(FONT_FAMILY, NUMBER_PT, bold=True))

    def type(self) -> int:  # noqa: A003 - QgsLayoutItem's virtual
        return _TYPE + 1

    def page_key(self) -> Optional[str]:
        feature = self.layout().reportContext().feature()
        if not feature.isValid() or feature.fieldNameIndex("page_key") < 0:
            return None
        return str(feature["page_key"])

    def draw(self, context) -> None:  # QgsLayoutItem's virtual: the painter in dots at the export's dpi
        key = self.page_key()
        if key is None:
            return
        painter = context.renderContext().painter()
        scale = context.renderContext().scaleFactor() / UNITS
        origin = self.pos()
        painter.save()
        try:
            painter.scale(scale, scale)
            for frame_id, (table, rows) in self.slots.get(key, {}).items():
                rect = self.frames.get(frame_id)
                if rect is None:
                    continue
                painter.save()
                painter.translate((rect.x() - origin.x()) * UNITS, (rect.y() - origin.y()) * UNITS)
                table.draw(painter, rect.width(), rows)
                painter.restore()
            chart, rect = self.charts.get(key), self.frames.get("chart")
            if chart is not None and rect is not None:
                painter.save()
                painter.translate((rect.x() - origin.x()) * UNITS, (rect.y() - origin.y()) * UNITS)
                chart.draw(painter, (rect.width(), rect.height()), UNITS)
                painter.restore()
            numbers = self.numbers.get(key)
            if numbers:
                self._draw_numbers(painter, numbers)
        finally:
            painter.restore()

    def _draw_numbers(self, painter, numbers: List[Number]) -> None:
        """The numbers beside the dots of the map (its extent now), in UNITS from the page's corner."""
        mx, my = (self.map_item.pos().x() - self.pos().x()) * UNITS, (self.map_item.pos().y() - self.pos().y()) * UNITS
        painter.save()
        painter.translate(mx, my)
        try:
            self._numbers_on_map(painter, numbers)
        finally:
            painter.restore()

    def _numbers_on_map(self, painter, numbers: List[Number]) -> None:
        ext = self.map_item.extent()
        w, h = self.map_item.rect().width() * UNITS, self.map_item.rect().height() * UNITS
        if ext.width() <= 0 or ext.height() <= 0:
            return
        sx, sy = w / ext.width(), h / ext.height()
        pad = 0.35 * UNITS
        points, texts = [], []
        for x, y, text in numbers:
            px, py = (x - ext.xMinimum()) * sx, (ext.yMaximum() - y) * sy
            if 0 <= px <= w and 0 <= py <= h:
                points.append((px, py, self.measure.width(text) + 2 * pad, self.measure.line))
                texts.append(text)
        origin = self.map_item.pos()
        obstacles = [QRectF((i.pos().x() - origin.x()) * UNITS, (i.pos().y() - origin.y()) * UNITS,
                            i.rect().width() * UNITS, i.rect().height() * UNITS) for i in self.obstacle_items]
        boxes = place_numbers(points, QRectF(0, 0, w, h), obstacles, VERDICT_SIZE_MM / 2 * UNITS, 0.2 * UNITS)
        painter.setFont(self.measure.font)
        outline = QPen(QColor(120, 120, 120))
        outline.setWidthF(0.08 * UNITS)
        for box, text in zip(boxes, texts):
            painter.setPen(outline)
            painter.setBrush(NUMBER_BOX)
            painter.drawRect(box)
            painter.setPen(QColor(NUMBER_COLOR))
            painter.drawText(QPointF(box.left() + pad, box.top() + self.measure.ascent), text)
