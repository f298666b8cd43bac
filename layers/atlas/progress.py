"""The monthly ledger on the atlas: on every county page one line of that month's numbers and a small chart of
the county's outstanding tasks month by month; on the overview the same for the province.

The numbers are the ledger's own monthly_progress rows (analysis/reports/meeting_progress.py). Each chart is drawn here
with QPainter into a PNG of its own (a temporary folder the caller removes after the export) and shown by the
layout's ``chart`` picture, whose path is the atlas feature's ``chart`` attribute.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from ...analysis.inputs.validation import InputError
from ...analysis.ledger.updates import Ledger
from ...analysis.reports.meeting_progress import (
    county_rows,
    ledger_month,
    month_progress,
    months_upto,
    open_by_month,
)
from .layout import CHART_RECT, FONT_FAMILY

__all__ = ["read_ledger", "add_progress", "draw_open_chart", "CHART_DPI"]

PathLike = Union[str, os.PathLike]
CHART_DPI = 200  # sharp in print, a few kB per county
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


def add_progress(pages: List[Dict], ledger: Ledger, month: Optional[str], folder: PathLike) -> str:
    """Give the overview and every county map page its ``progress`` line and ``chart`` PNG (drawn into
    ``folder``); continuation pages get neither. Returns the month shown."""
    month = ledger_month(ledger, month)
    months = months_upto(ledger, month)
    progress = ledger.progress
    folder = Path(folder)
    for page in pages:
        if page["kind"] == "overview":
            rows, scope, name = progress, "全省", "province"
        elif page["kind"] == "county":
            rows, scope, name = county_rows(progress, page["adcode"], page["county"], page["city"]), "本县", \
                str(page["adcode"] or page["county"])
        else:
            continue
        numbers = month_progress(rows, month)
        page["progress"] = numbers.text_zh(scope)
        if numbers.has_tasks:
            page["chart"] = str(draw_open_chart(open_by_month(rows, months), folder / f"chart_{name}.png",
                                                current=month))
    return month


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


def draw_open_chart(series: Sequence[Tuple[str, int]], path: PathLike, current: Optional[str] = None,
                    size_mm: Tuple[float, float] = (CHART_RECT[2], CHART_RECT[3]), dpi: int = CHART_DPI) -> Path:
    """A bar chart of outstanding tasks per month (``series`` [(month, open)]), the ``current`` month's bar
    dark, each bar's value over it, month labels under it, Chinese axis titles; written as a PNG."""
    w, h = (int(round(v / 25.4 * dpi)) for v in size_mm)
    pt = dpi / 72.0  # pixels per point
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(int(dpi / 0.0254))
    image.setDotsPerMeterY(int(dpi / 0.0254))
    image.fill(QColor("#ffffff"))
    small, label = _font(6.5 * pt), _font(7 * pt, bold=True)
    # headroom over the highest bar for its value
    peak, step = _nice_top(int(math.ceil(1.15 * max((v for _m, v in series), default=0))))
    left = QFontMetricsF(small).horizontalAdvance(str(peak)) + 5 * pt  # the widest tick value and a gap
    right, top, bottom = 22 * pt, 17 * pt, 12 * pt
    plot = QRectF(left, top, w - left - right, h - top - bottom)
    painter = QPainter(image)
    try:
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
    finally:
        painter.end()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise RuntimeError(f"cannot write the chart {out}")
    return out
