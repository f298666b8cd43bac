"""Printing the atlas's pages into one PDF: QGIS's own PDF export driven page by page by :class:`PageRun` (a layout
iterator over the atlas), which before each page sets what the page's kind shows — the map's layers and legend
(:class:`View`), the county highlighted — and changes nothing that stays the same from one page to the next: the
layers, legend and layout are built once, a view is switched only where the kind of page changes.

The PDF is written whole or not at all (analysis/common/atomic.py) and only when it has its pages, each with text,
and drawn maps (analysis/common/file_checks.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsAbstractLayoutIterator,
    QgsFeedback,
    QgsLayoutExporter,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsMapLayer,
    QgsMapLayerLegendUtils,
    QgsPrintLayout,
    QgsRenderContext,
    QgsVectorLayer,
)

from ...analysis.common.atomic import atomic_path
from ...analysis.common.file_checks import check_pdf
from ...analysis.inputs.validation import OutputError
from ..county_outline import set_current_county

__all__ = ["View", "PageViews", "PageRun", "print_pdf", "PDF_DPI"]

PDF_DPI = 150
LegendEntry = Tuple[QgsMapLayer, Optional[List[int]]]  # a layer and the indices of its entries listed (None: all)


@dataclass
class View:
    """What the map of a kind of page shows: ``layers`` top first, and its legend's entries."""

    layers: List[QgsMapLayer]
    legend: List[LegendEntry] = field(default_factory=list)


class PageViews:
    """Sets a page's view before it is drawn: the map's layers and legend of its kind (only when the kind
    changes), and on a county page that county highlighted on ``outline`` (layers/county_outline.py)."""

    def __init__(self, layout: QgsPrintLayout, views: Dict[str, View], outline: Optional[QgsVectorLayer]) -> None:
        self.map: QgsLayoutItemMap = layout.itemById("map")
        self.legend: QgsLayoutItemLegend = layout.itemById("legend")
        self.views, self.outline = views, outline
        self.current: Optional[View] = None
        self.county: Optional[str] = None

    def prepare(self, page: Dict) -> None:
        view = self.views.get(page["kind"])
        if view is not None and view is not self.current:
            self.map.setLayers(view.layers)
            set_legend(self.legend, view.legend)
            self.current = view
        county = str(page.get("adcode") or "") if page["kind"] == "county" else ""
        if self.outline is not None and county != self.county:
            set_current_county(self.outline, county)
            self.county = county


def set_legend(legend: QgsLayoutItemLegend, entries: Sequence[LegendEntry]) -> None:
    """The legend lists ``entries`` (a layer, the indices of its legend entries to list or None for all)."""
    model = legend.model()
    root = model.rootGroup()
    root.removeAllChildren()
    for layer, keep in entries:
        node = root.addLayer(layer)
        if keep is not None:
            QgsMapLayerLegendUtils.setLegendNodeOrder(node, list(keep))
            model.refreshLayerLegend(node)
    legend.updateLegend()


class PageRun(QgsAbstractLayoutIterator):
    """The atlas pages ``indices`` (of ``pages``, the page layer's records in feature order), each prepared by
    ``prepare(page)`` once the atlas stands on it."""

    def __init__(self, layout: QgsPrintLayout, pages: Sequence[Dict], indices: Sequence[int],
                 prepare: Callable[[Dict], None]) -> None:
        super().__init__()
        self._layout, self._pages, self._indices, self._prepare = layout, pages, list(indices), prepare
        self._at = -1

    def layout(self):  # noqa: D401 - QgsAbstractLayoutIterator's virtuals below
        return self._layout

    def beginRender(self) -> bool:  # noqa: N802
        self._at = -1
        return self._layout.atlas().beginRender()

    def endRender(self) -> bool:  # noqa: N802
        return self._layout.atlas().endRender()

    def count(self) -> int:
        return len(self._indices)

    def filePath(self, baseFilePath: str, extension: str) -> str:  # noqa: N802, N803
        return baseFilePath

    def next(self) -> bool:
        self._at += 1
        if self._at >= len(self._indices):
            return False
        index = self._indices[self._at]
        if not self._layout.atlas().seekTo(index):
            return False
        self._prepare(self._pages[index])
        return True


class _Canceled(Exception):
    """The export was canceled: nothing replaces the target."""


def print_pdf(run: PageRun, out_pdf: Path, feedback: Optional[QgsFeedback]) -> Optional[Path]:
    """The pages of ``run`` as one PDF, written whole or not at all, and only when it has its pages, each with
    text, and drawn maps (file_checks.check_pdf); None when canceled."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = PDF_DPI
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True  # vector maps: no per-page raster images (was ~230 kB a page)
    settings.exportMetadata = True
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText  # searchable text, not outlines
    pages = run.count()
    try:
        with atomic_path(out_pdf, check=lambda written: check_pdf(written, pages)) as tmp:
            result, error = QgsLayoutExporter.exportToPdf(run, str(tmp), settings, feedback)
            if feedback is not None and feedback.isCanceled():
                raise _Canceled()
            if result != QgsLayoutExporter.ExportResult.Success:
                raise OutputError(f"图集 PDF「{out_pdf.name}」写出失败（{error or result}）：请检查输出文件夹是否可写、"
                                  f"文件是否被其他程序打开 / writing the atlas PDF failed ({result}): {error}")
    except _Canceled:
        return None
    return out_pdf
