"""The monthly ledger on the atlas: on every county page one line of that month's numbers and a small chart of
the county's outstanding tasks month by month; on the overview the same for the province.

The numbers are the ledger's own monthly_progress rows (analysis/reports/meeting_progress.py). Each chart is an
:class:`OpenChart` the page's drawing item (layers/atlas/painted.py) paints with QPainter straight onto the page, in the
rectangle of the layout's ``chart`` placeholder: vector lines and searchable text in the PDF. (As a PNG per county
it took a quarter of the atlas's time: each picture compressed, read back on its page and compressed again.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from ...analysis.inputs.validation import InputError
from ...analysis.ledger.updates import Ledger
from ...analysis.reports.meeting_progress import (
    county_rows,
    ledger_month,
    month_progress,
    months_upto,
    open_by_month,
)
from .layout import FONT_FAMILY

__all__ = ["read_ledger", "add_progress", "OpenChart", "CHART_DPI"]

CHART_DPI = 200  # the chart's drawing unit: a dot at this resolution (the lines' widths and the sizes are in dots)
_BAR, _BAR_NOW, _AXIS, _GRID, _TEXT = "#9dbbdc", "#1f4e79", "#606060", "#e3e3e3", "#202020"


def read_ledger(ledger) -> Optional[Ledger]:
    """The ledger of ``ledger``: a Ledger, a LedgerStore (anything with ``read()``) or a ledger GeoPackage."""
    if ledger is None:
        return None
    if isinstance(ledger, Ledger):
        return ledger
    if hasattr(ledger, "read"):
        return ledger.read()
    path = Path(ledger)
    if not path.is_file():
        raise InputError(f"找不到台账文件「{path}」：请选择“更新月度台账”写出的台账 GeoPackage / "
                         f"ledger file '{path}' not found")
    from ..ledger_store.factory import open_ledger

    return open_ledger(path).read()


def add_progress(pages: List[Dict], ledger: Ledger, month: Optional[str]) -> Tuple[str, Dict[str, OpenChart]]:
    """Give the overview and every county map page its ``progress`` line; continuation pages get none. Returns
    the month shown and the charts of the pages with tasks, by ``page_key``."""
    month = ledger_month(ledger, month)
    months = months_upto(ledger, month)
    progress = ledger.progress
    charts: Dict[str, OpenChart] = {}
    for page in pages:
        if page["kind"] == "overview":
            rows, scope = progress, "全省"
        elif page["kind"] == "county":
            rows, scope = county_rows(progress, page["adcode"], page["county"], page["city"]), "本县"
        else:
            continue
        numbers = month_progress(rows, month)
        page["progress"] = numbers.text_zh(scope)
        if numbers.has_tasks:
            charts[str(page["page_key"])] = OpenChart(tuple(open_by_month(rows, months)), month)
    return month, charts


def _font(px: float, bold: bool = False) -> QFont:
    out = QFont(FONT_FAMILY)
    out.setPixelSize(max(1, int(round(px))))
    out.setBold(bold)
    return out


def _nice_top(value: int) -> Tuple[int, int]:
    """(axis maximum, tick step) for a largest bar ``value``: 1, 2 or 5 × 10ⁿ steps, 2–5 ticks."""
    if value <= 0:
        return 1, 1
    step = 1
    while True:
        for mult in (1, 2, 5):
            s = step * mult
            if value / s <= 4:
                return s * -(-value // s), s
        step *= 10


@dataclass(frozen=True)
class OpenChart:
    """A bar chart of outstanding tasks per month (``series`` [(month, open)]), the ``current`` month's bar
    dark, each bar's value over it, month labels under it, Chinese axis titles."""

    series: Tuple[Tuple[str, int], ...]
    current: Optional[str] = None

    def draw(self, painter: QPainter, size_mm: Tuple[float, float], units_per_mm: float) -> None:
        """Paint the chart into the rectangle (0, 0, ``size_mm``) of ``painter``, whose unit is 1/``units_per_mm``
        mm; the painter's state is restored after."""
        painter.save()
        try:
            dot = units_per_mm * 25.4 / CHART_DPI
            painter.scale(dot, dot)
            _paint(painter, self.series, self.current, *(int(round(v / 25.4 * CHART_DPI)) for v in size_mm))
        finally:
            painter.restore()


def _paint(painter: QPainter, series: Sequence[Tuple[str, int]], current: Optional[str], w: int, h: int) -> None:
    """The chart in a ``w`` × ``h`` rectangle of dots (CHART_DPI)."""
    pt = CHART_DPI / 72.0  # dots per point
    small, label = _font(6.5 * pt), _font(7 * pt, bold=True)
    # headroom over the highest bar for its value
    peak, step = _nice_top(int(math.ceil(1.15 * max((v for _m, v in series), default=0))))
    left = QFontMetricsF(small).horizontalAdvance(str(peak)) + 5 * pt  # the widest tick value and a gap
    right, top, bottom = 22 * pt, 17 * pt, 12 * pt
    plot = QRectF(left, top, w - left - right, h - top - bottom)
    painter.fillRect(QRectF(0, 0, w, h), QColor("#ffffff"))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setPen(QPen(QColor("#9a9a9a"), 1))
    painter.drawRect(QRectF(0.5, 0.5, w - 1, h - 1))
    painter.setFont(label)
    painter.setPen(QColor(_TEXT))
    painter.drawText(QRectF(2 * pt, 1.5 * pt, w - 4 * pt, 9 * pt),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), "未完成任务数（项）")
    painter.setFont(small)
    painter.drawText(QRectF(plot.right() + 2 * pt, plot.bottom() - 2 * pt, right - 3 * pt, 10 * pt),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), "月份")
    # grid lines and their values
    for tick in range(0, peak + 1, step):
        y = plot.bottom() - plot.height() * tick / peak
        painter.setPen(QPen(QColor(_GRID if tick else _AXIS), 1))
        painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
        painter.setPen(QColor(_AXIS))
        painter.drawText(QRectF(0, y - 5 * pt, left - 2 * pt, 10 * pt),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(tick))
    n = max(len(series), 1)
    slot = plot.width() / n
    bar_w = min(slot * 0.55, 26 * pt)
    every = max(1, -(-n // 12))  # at most 12 month labels
    for i, (month, value) in enumerate(series):
        cx = plot.left() + slot * (i + 0.5)
        bar_h = plot.height() * value / peak
        painter.fillRect(QRectF(cx - bar_w / 2, plot.bottom() - bar_h, bar_w, bar_h),
                         QColor(_BAR_NOW if month == current else _BAR))
        painter.setPen(QColor(_TEXT))
        painter.setFont(label if month == current else small)
        painter.drawText(QRectF(cx - slot / 2, plot.bottom() - bar_h - 9 * pt, slot, 8.5 * pt),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), str(value))
        if i % every == 0 or month == current:
            painter.setFont(small)
            painter.setPen(QColor(_AXIS))
            painter.drawText(QRectF(cx - slot / 2 - 6 * pt, plot.bottom() + 1.5 * pt, slot + 12 * pt, 9 * pt),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), month)
