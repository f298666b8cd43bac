"""The atlas's tables, measured and drawn by the atlas itself: columns, text wrapped by the font's own widths,
row heights, rows packed into frames, and the drawing (header, rows, grid) with plain QPainter text.

Why not QGIS's attribute table: it draws every line of every cell through its text renderer (a QPicture per
line), about 0.2 ms a cell — with 8,700 task rows that was more than half the demo atlas's time. Drawn here, a
cell costs ~10 µs, the text stays text (searchable, copyable) and a row's height is the one it is drawn with, so
rows are packed exactly and none is cut off.

The tables' places and look come from the layout's placeholder tables (``layers/atlas/layout.py``: frames
``table``, ``table_full_left``/``table_full_right``, ``city_table``; their fonts, colours, grid and margin),
so an analyst who moves or restyles them in the template moves and restyles the printed tables; the column
sets are layout.py's. Lengths are in UNITS (1/100 mm): fonts get an integer pixel size there, and measuring and
drawing use the same font.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QLineF, QPointF, QRectF
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from .layout import (
    CELL_MARGIN,
    CHANGE_COLUMNS,
    CONTENT_PT,
    FONT_FAMILY,
    HEADER_PT,
    TASK_COLUMNS,
    Column,
    column_widths,
)

__all__ = ["Column", "TASK_COLUMNS", "CHANGE_COLUMNS", "TableLook", "Table", "Measure", "paginate", "column_widths",
           "units_font", "UNITS", "label_wrapper"]  # the columns are layout.py's (the placeholders hold them too)

UNITS = 100.0  # drawing units per mm
PT_MM = 25.4 / 72.0
SAFETY = 0.99  # a line is filled to 99 % of its width (no kerning: a line is as wide as measured), rounding aside
_NO_LINE_START = set("）)」』】〕，。、；：！？…%")
_ASCII_RUN = re.compile(r"[A-Za-z0-9.\-_/:+%()（）]+|.", re.S)


@dataclass
class TableLook:
    """Fonts, colours, grid and cell margin of a table (from a placeholder table of the layout)."""

    family: str = FONT_FAMILY
    content_pt: float = CONTENT_PT
    header_pt: float = HEADER_PT
    header_bold: bool = True
    content_color: str = "#202020"
    header_color: str = "#1f4e79"
    grid_color: str = "#9a9a9a"
    grid_mm: float = 0.15
    margin_mm: float = CELL_MARGIN
    background: str = "#ffffff"

    @classmethod
    def of_table(cls, table) -> TableLook:
        """The look of a QgsLayoutItemAttributeTable (its content and header text formats, grid, margin)."""
        look = cls()
        if table is None:
            return look
        content, header = table.contentTextFormat(), table.headerTextFormat()
        look.family = content.font().family() or look.family
        look.content_pt = float(content.size()) or look.content_pt
        look.header_pt = float(header.size()) or look.header_pt
        look.header_bold = header.font().bold()
        look.content_color = content.color().name()
        look.header_color = header.color().name()
        look.grid_color = table.gridColor().name()
        look.grid_mm = float(table.gridStrokeWidth())
        look.margin_mm = float(table.cellMargin())
        look.background = table.backgroundColor().name()
        return look


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def units_font(family: str, pt: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, int(round(pt * PT_MM * UNITS))))
    font.setBold(bold)
    font.setKerning(False)  # a line is as wide as its characters: what wrap() measured
    return font


class Measure:
    """One font's widths (cached per character) and wrapping (cached per text and width)."""

    def __init__(self, font: QFont) -> None:
        self.font = font
        self.metrics = QFontMetricsF(font)
        self.line = self.metrics.lineSpacing()
        self.ascent = self.metrics.ascent()
        self._chars: Dict[str, float] = {}
        self._wrapped: Dict[Tuple[str, int], Tuple[str, ...]] = {}

    def width(self, text: str) -> float:
        chars = self._chars
        total = 0.0
        for ch in text:
            w = chars.get(ch)
            if w is None:
                w = chars[ch] = self.metrics.horizontalAdvance(ch)
            total += w
        return total

    def wrap(self, text: str, width: float) -> Tuple[str, ...]:
        """``text`` in lines no wider than ``width`` units: broken between CJK characters or at a run of Latin
        letters and digits ("GL-02949", "2020-10-01") kept whole where it fits; a closing mark never starts a
        line; explicit line breaks kept."""
        key = (text, int(width))
        found = self._wrapped.get(key)
        if found is not None:
            return found
        limit = width * SAFETY
        lines: List[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for token in _ASCII_RUN.findall(paragraph):
                w = self.width(token)
                if used + w <= limit or not line:
                    if w > limit:  # a run wider than the column: by characters
                        for ch in token:
                            cw = self.width(ch)
                            if used + cw > limit and line:
                                lines.append(line)
                                line, used = "", 0.0
                            line += ch
                            used += cw
                        continue
                    line += token
                    used += w
                    continue
                carry = ""
                if token[0] in _NO_LINE_START and len(line) > 1:  # the character before goes down with it
                    line, carry = line[:-1], line[-1]
                lines.append(line)
                line, used = carry + token, self.width(carry + token)
            lines.append(line)
        out = tuple(lines) if lines else ("",)
        self._wrapped[key] = out
        return out


def label_wrapper(label) -> Callable[[str], str]:
    """A function giving a text with line breaks where the layout label ``label`` (a QgsLayoutItemLabel) must
    wrap it; one Measure for every text the label gets (the atlas's pages).

    Why: from QGIS 3.28 on, labels draw through QGIS's text renderer, which wraps at spaces only, so a Chinese
    line with none ran past the frame and was cut off (the atlas's targets and notes boxes on 3.40). Broken
    here by the font's own widths, the text reads the same on every QGIS; 3.22 finds nothing left to wrap."""
    fmt = label.textFormat() if hasattr(label, "textFormat") else None
    qfont = fmt.font() if fmt is not None else label.font()
    pt = fmt.size() if fmt is not None else qfont.pointSizeF()
    inner_mm = label.rect().width() - 2 * label.marginX()
    if inner_mm <= 0 or pt <= 0:
        return lambda text: text
    measure = Measure(units_font(qfont.family(), pt, qfont.bold()))
    width = inner_mm * UNITS * 0.97  # 3 %: the renderer's own rounding
    return lambda text: "\n".join(measure.wrap(text, width))


@dataclass
class Table:
    """A table of rows in one look: measured for a frame width, packed into frames, drawn into a frame."""

    columns: Sequence[Column]
    look: TableLook = field(default_factory=TableLook)
    empty_text: str = ""

    def __post_init__(self) -> None:
        look = self.look
        self.content = Measure(units_font(look.family, look.content_pt))
        self.header = Measure(units_font(look.family, look.header_pt, look.header_bold))
        self.margin = look.margin_mm * UNITS
        self._width_cache: Dict[float, List[float]] = {}

    # ------------------------------------------------------------------ measuring
    def _widths(self, width_mm: float) -> List[float]:
        """The columns' text widths (UNITS, inside the cell margins) in a frame ``width_mm`` wide."""
        key = round(width_mm, 3)
        found = self._width_cache.get(key)
        if found is None:
            found = self._width_cache[key] = [w * UNITS - 2 * self.margin
                                              for w in column_widths(self.columns, width_mm)]
        return found

    def cells(self, row: Dict, width_mm: float) -> List[Tuple[str, ...]]:
        """The row's cells as lines for a frame ``width_mm`` wide (kept in the row: measured once a width)."""
        key = (id(self), round(width_mm, 3))
        laid = row.setdefault("_laid", {})
        found = laid.get(key)
        if found is None:
            found = laid[key] = [self.content.wrap(_text(row.get(col.field)), w)
                                 for col, w in zip(self.columns, self._widths(width_mm))]
        return found

    def row_mm(self, cells: Sequence[Tuple[str, ...]]) -> float:
        lines = max((len(c) for c in cells), default=1)
        return (lines * self.content.line + 2 * self.margin) / UNITS

    def header_cells(self, width_mm: float) -> List[Tuple[str, ...]]:
        return [self.header.wrap(c.heading, w) for c, w in zip(self.columns, self._widths(width_mm))]

    def header_mm(self, width_mm: float) -> float:
        lines = max(len(c) for c in self.header_cells(width_mm))
        return (lines * self.header.line + 2 * self.margin) / UNITS

    def heights(self, rows: Sequence[Dict], width_mm: float) -> List[float]:
        return [self.row_mm(self.cells(r, width_mm)) for r in rows]

    # ------------------------------------------------------------------ drawing
    def draw(self, painter: QPainter, width_mm: float, rows: Sequence[Dict]) -> float:
        """Draw the header and ``rows`` from the painter's origin (in UNITS); returns the height drawn (mm).
        No rows: the header and one row saying ``empty_text`` (when there is one)."""
        look = self.look
        widths = [w * UNITS for w in column_widths(self.columns, width_mm)]
        xs = [0.0]
        for w in widths:
            xs.append(xs[-1] + w)
        # (top, lines per cell or None for the empty-table row, measure, colour)
        blocks: List[Tuple[float, Optional[List[Tuple[str, ...]]], Measure, str]] = []
        y = 0.0
        header = self.header_cells(width_mm)
        blocks.append((y, header, self.header, look.header_color))
        y += max(len(c) for c in header) * self.header.line + 2 * self.margin
        for row in rows:
            cells = self.cells(row, width_mm)
            blocks.append((y, cells, self.content, look.content_color))
            y += max(len(c) for c in cells) * self.content.line + 2 * self.margin
        if not rows and self.empty_text:
            blocks.append((y, None, self.content, look.content_color))
            y += self.content.line + 2 * self.margin
        painter.fillRect(QRectF(0, 0, xs[-1], y), QColor(look.background))
        for top, cells, measure, color in blocks:
            painter.setFont(measure.font)
            painter.setPen(QColor(color))
            base = top + self.margin + measure.ascent
            if cells is None:
                painter.drawText(QPointF(self.margin, base), self.empty_text)
                continue
            for col, x, w, lines in zip(self.columns, xs, widths, cells):
                for i, line in enumerate(lines):
                    if line:
                        left = x + w - self.margin - measure.width(line) if col.right else x + self.margin
                        painter.drawText(QPointF(left, base + i * measure.line), line)
        grid = QPen(QColor(look.grid_color))
        grid.setWidthF(max(look.grid_mm, 0.05) * UNITS)
        painter.setPen(grid)
        for top, _cells, _m, _c in blocks:
            painter.drawLine(QLineF(0, top, xs[-1], top))
        painter.drawLine(QLineF(0, y, xs[-1], y))
        cells_end = blocks[-1][0] if blocks[-1][1] is None else y  # the empty-table row spans the columns
        for x in xs:
            painter.drawLine(QLineF(x, 0, x, cells_end))
        if cells_end < y:
            painter.drawLine(QLineF(0, cells_end, 0, y))
            painter.drawLine(QLineF(xs[-1], cells_end, xs[-1], y))
        return y / UNITS


def paginate(first: Sequence[float], later: Sequence[float], first_frames: Sequence[float],
             later_frames: Sequence[float]) -> List[Tuple[int, int]]:
    """(page, frame) of each row: page 0 has ``first_frames`` (their usable heights, mm; each row ``first[i]``
    high there), pages 1, 2 … ``later_frames`` (rows ``later[i]`` high). A row goes to the next frame or page
    when it does not fit whole; a row taller than an empty frame still goes in (alone)."""
    out: List[Tuple[int, int]] = []
    page, frame, used = 0, 0, 0.0
    frames = list(first_frames) or [0.0]
    for a, b in zip(first, later):
        h = a if page == 0 else b
        while used > 0 and used + h > frames[frame] + 1e-9 or (page == 0 and frames[frame] <= 0):
            if frame + 1 < len(frames):
                frame, used = frame + 1, 0.0
            else:
                page, frame, used = page + 1, 0, 0.0
                frames = list(later_frames)
            h = a if page == 0 else b
        used += h
        out.append((page, frame))
    return out
