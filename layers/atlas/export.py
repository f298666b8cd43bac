"""The Chinese PDF atlas for a meeting table: a province overview page (map, per-city summary), then per county
one map page and, when its task list is long, table-only continuation pages. Optionally the monthly ledger
(a line and a chart of open tasks per page) and a basemap under every map.

Where things are:
- ``layers/atlas/layout.py``: the page and its template ``layers/templates/atlas.qpt`` (items by id, built in code
  by :func:`build_layout`, written with :func:`write_template`; an analyst may edit it in QGIS);
- ``layers/atlas/pages.py``: the page layer's records and the task rows, packed onto pages (:func:`paginate`);
- ``layers/atlas/map_layers.py``: the map's layers (zones, counties, enterprises, basemap, 天地图);
- ``layers/atlas/progress.py``: the ledger's line and chart per page;
- this module: binding the data to the layout and exporting (:func:`export_atlas`).

Everything lives in an own ``QgsProject`` — the user's current project and layers are never touched (a basemap is
copied). The PDF is written whole or not at all (analysis/common/atomic.py). People read Chinese: rules by their short
names, kinds and classes by their labels, notes without codes (analysis/reports/labels.py); the counts are those of
analysis/reports/run_report.py, the per-city summary that of analysis/reports/meeting.py.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Union

import geopandas as gpd
import pandas as pd
import pyogrio
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeedback,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutTableColumn,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QRectF, Qt

from ...analysis.common.atomic import atomic_path
from ...analysis.common.file_checks import check_pdf
from ...analysis.common.file_names import county_file_stem
from ...analysis.inputs.validation import OutputError
from ...analysis.reports.labels import printable, rule_names
from ...analysis.reports.meeting import CITY_SUMMARY_COLUMNS, LEDGER_SUMMARY_COLUMNS, city_summary, data_notes
from ...analysis.reports.meeting_progress import ledger_month
from ...analysis.reports.result_files import read_rural_heating, zone_titles_of
from ..county_packages import load_counties
from ..qt_compat import lossless_image_flag
from .layout import (
    CELL_MARGIN,
    FULL_COLUMNS,
    FULL_FRAME_IDS,
    TABLE_COLUMNS,
    TABLE_RECT,
    TABLE_RECT_WITH_PROGRESS,
    TEMPLATE_PATH,
    build_layout,
    load_layout,
    table_of,
    write_template,
)
from .map_layers import (
    METRIC_CRS,
    basemap_credit,
    basemap_layers,
    context_layer,
    gpkg_layers,
    highlight_atlas_county,
    memory_layer,
    ogr_layer,
    style,
    tianditu_layers,
)
from .pages import county_page_counts, pages_and_rows, paginate, wrap_cjk
from .progress import add_progress, read_ledger

__all__ = ["AtlasResult", "TEMPLATE_PATH", "default_notes", "build_layout", "write_template", "export_atlas",
           "paginate", "wrap_cjk", "county_page_counts", "tianditu_layers"]

PathLike = Union[str, os.PathLike]
# the old private names, for scripts and tests that reach into the template
_load_layout, _table_of = load_layout, table_of
PAGE_FIELDS = ["page_key", "kind", "county", "city", "adcode", "title", "subtitle", "table_title", "targets",
               "frames", "progress", "chart", "credit"]
TASK_FIELDS = ["page_key", "seq", "name", "rule", "clause", "deadline", "name_w", "layer_label", "rule_w",
               "deadline_w", "action_label"]
# the overview's per-city summary: column → width in mm (headings from analysis/reports/meeting.py)
CITY_WIDTHS = {"city": 15, "enterprises": 18, "close": 19, "retrofit": 12, "rectify": 19, "verify": 12,
               "done": 15, "new": 15, "overdue": 11}


@dataclass
class AtlasResult:
    path: Path
    pages: int
    county_pdfs: List[Path]
    month: Optional[str] = None  # the ledger month shown, when a ledger was given


def default_notes(zones_gpkg: Optional[PathLike] = None) -> List[str]:
    """The data notes of the atlas (synthetic demo data, provisional 1+30, mine ring distance, date)."""
    return data_notes(zones_gpkg)


# --------------------------------------------------------------------------- binding data to the layout


def _columns(spec) -> List[QgsLayoutTableColumn]:
    columns = []
    for field, heading, width, align in spec:
        col = QgsLayoutTableColumn(heading)
        col.setAttribute(field)
        col.setWidth(width - 2 * CELL_MARGIN)  # a column's width excludes its cell margins
        col.setHAlignment(align)
        columns.append(col)
    return columns


def _configure_map(layout: QgsPrintLayout, page_layer: QgsVectorLayer, map_layers, legend_layers) -> None:
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
    for layer in legend_layers:  # the basemap is credited in the footer, not in the legend
        root.addLayer(layer)
    legend.setLegendFilterByMapEnabled(True)
    legend.updateLegend()


def _configure(layout: QgsPrintLayout, project: QgsProject, page_layer: QgsVectorLayer, task_layer: QgsVectorLayer,
               city_layer: QgsVectorLayer, map_layers, legend_layers, notes: Sequence[str], progress: bool) -> None:
    _configure_map(layout, page_layer, map_layers, legend_layers)
    notes_item: QgsLayoutItemLabel = layout.itemById("notes")
    notes_item.setText("数据说明\n" + "\n".join(f"{i}. {n}" for i, n in enumerate(notes, start=1)))

    left = Qt.AlignmentFlag.AlignLeft
    for frame_id, spec in (("table", TABLE_COLUMNS), (FULL_FRAME_IDS[0], FULL_COLUMNS)):
        table = table_of(layout, frame_id)
        table.setVectorLayer(task_layer)
        table.setColumns(_columns([(f, h, w, left) for f, h, w in spec]))
        table.setFilterFeatures(True)
        table.setFeatureFilter("\"page_key\" = attribute(@atlas_feature, 'page_key')")
        table.setMaximumNumberOfFeatures(1000)
        table.setDisplayOnlyVisibleFeatures(False)
        table.setUseConditionalStyling(False)
    # the rows were paginated for this height (atlas_pages.map_table_height): the ledger's block sits under it
    layout.itemById("table").attemptSetSceneRect(QRectF(*(TABLE_RECT_WITH_PROGRESS if progress else TABLE_RECT)))

    cities = table_of(layout, "city_table")
    cities.setVectorLayer(city_layer)
    spec = CITY_SUMMARY_COLUMNS + (LEDGER_SUMMARY_COLUMNS if progress else [])
    cities.setColumns(_columns([(f, h, CITY_WIDTHS[f], left if f == "city" else Qt.AlignmentFlag.AlignRight)
                                for f, h in spec]))
    cities.setFilterFeatures(False)
    cities.setMaximumNumberOfFeatures(100)
    cities.setDisplayOnlyVisibleFeatures(False)

    atlas = layout.atlas()
    atlas.setCoverageLayer(page_layer)
    atlas.setEnabled(True)
    atlas.setHideCoverage(True)
    atlas.setPageNameExpression("\"title\"")
    atlas.setSortFeatures(False)
    atlas.setFilterFeatures(False)
    project.layoutManager().addLayout(layout)


class _Canceled(Exception):
    """The export was canceled: nothing replaces the target."""


def _export(layout: QgsPrintLayout, out_pdf: Path, feedback: Optional[QgsFeedback],
            lossless: bool = True, pages: Optional[int] = None) -> Optional[Path]:
    """The atlas as one PDF, written whole or not at all, and only when it has its ``pages`` pages, each with
    text, and drawn maps (file_checks.check_pdf); None when canceled. ``lossless``: pictures (the
    ledger's charts) stored losslessly — Qt's PDF writer makes a JPEG of every picture otherwise (blurred text,
    ~30 kB a chart); off under a basemap, whose images would then be stored raw."""
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 150
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True  # vector maps: no per-page raster images (was ~230 kB a page)
    settings.exportMetadata = True
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText  # searchable text, not outlines
    if lossless:
        layout.renderContext().setFlag(lossless_image_flag(), True)
        settings.flags = layout.renderContext().flags()
    try:
        with atomic_path(out_pdf, check=lambda written: check_pdf(written, pages)) as tmp:
            result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), str(tmp), settings, feedback)
            if feedback is not None and feedback.isCanceled():
                raise _Canceled()
            if result != QgsLayoutExporter.ExportResult.Success:
                raise OutputError(f"图集 PDF「{out_pdf.name}」写出失败（{error or result}）：请检查输出文件夹是否可写、"
                                  f"文件是否被其他程序打开 / writing the atlas PDF failed ({result}): {error}")
    except _Canceled:
        return None
    return out_pdf


def _city_records(summary: pd.DataFrame) -> List[dict]:
    """The summary's rows as text cells ('—' where the data cannot say, e.g. 需核实 without a city column)."""
    records = []
    for rec in summary.to_dict("records"):
        records.append({k: ("—" if v is None or (isinstance(v, float) and pd.isna(v)) else
                            (str(int(v)) if k != "city" else str(v))) for k, v in rec.items()})
    return records


def _read_flags(flags_gpkg: PathLike):
    flags = pd.DataFrame(pyogrio.read_dataframe(str(flags_gpkg), layer="enterprise_flags", read_geometry=False))
    for col in ("ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "county", "city"):
        if col not in flags.columns:
            flags[col] = ""
    if "adcode" in flags.columns:
        flags["adcode"] = flags["adcode"].fillna("").astype(str)
    to_verify = (pd.DataFrame(pyogrio.read_dataframe(str(flags_gpkg), layer="to_verify", read_geometry=False))
                 if "to_verify" in gpkg_layers(flags_gpkg) else None)
    return flags, to_verify


def _zone_layers(zones_gpkg: PathLike) -> List[QgsVectorLayer]:
    """The zones as simplified styled copies, titled with the zones' own radius and rings."""
    out = []
    present = set(gpkg_layers(zones_gpkg))
    for name, title in zone_titles_of(zones_gpkg).items():
        if name in present:
            frame = pyogrio.read_dataframe(str(zones_gpkg), layer=name)
            if frame.empty or frame.geometry.isna().all():
                continue
            out.append(context_layer(frame, name, title))
    return out


def export_atlas(zones_gpkg: PathLike, flags_gpkg: PathLike, admin_gpkg: PathLike, out_pdf: PathLike,
                 notes: Optional[Sequence[str]] = None, per_county_dir: Optional[PathLike] = None,
                 feedback: Optional[QgsFeedback] = None, ledger=None, month: Optional[str] = None,
                 basemap=None) -> Optional[AtlasResult]:
    """Write the atlas PDF (overview, then per county a map page and its table-only continuation pages);
    per-county PDFs optionally. ``notes`` are printed for people (rule ids become their names).

    ``ledger``: a LedgerStore, a Ledger or a ledger GeoPackage (None: no progress shown); ``month``: 'YYYY-MM'
    (default the ledger's latest). ``basemap``: a QgsRasterLayer (or several, top first) drawn under every map.
    Returns ``AtlasResult(path, pages, county_pdfs, month)``, or None when ``feedback`` was canceled (then no PDF
    is left behind). Needs a running QgsApplication.
    """
    if feedback is not None and feedback.isCanceled():
        return None
    notes = list(notes) if notes is not None else default_notes(zones_gpkg)
    names = rule_names()
    notes = list(dict.fromkeys(printable(n, names) for n in notes))
    book = read_ledger(ledger)
    month = ledger_month(book, month) if book is not None else None  # a wrong month fails before any work
    bases = basemap_layers(basemap)
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(METRIC_CRS))
    counties = load_counties(zones_gpkg, admin_gpkg)
    flags, to_verify = _read_flags(flags_gpkg)
    pages, rows = pages_and_rows(counties, flags, to_verify, progress=book is not None,
                                 rural=read_rural_heating(flags_gpkg))
    summary = city_summary(flags, to_verify, book.progress if book is not None else None, month)

    with tempfile.TemporaryDirectory(prefix="bluesky-atlas-") as charts:  # the charts live until the export ends
        if book is not None:
            add_progress(pages, book, month, charts)
        credit = basemap_credit(bases)
        for page in pages:
            page["credit"] = credit
        # pages in the map's own CRS, so the atlas extent needs no reprojection
        metric = gpd.GeoSeries([p["geometry"] for p in pages], crs=4326).to_crs(METRIC_CRS)
        for page, geom in zip(pages, metric):
            page["geometry"] = geom
        page_layer = memory_layer(f"MultiPolygon?crs={METRIC_CRS}", "atlas_pages", pages, PAGE_FIELDS,
                                  int_fields=["frames"])
        task_layer = memory_layer("None", "atlas_tasks", rows, TASK_FIELDS, int_fields=["seq"])
        city_layer = memory_layer("None", "atlas_cities", _city_records(summary), list(summary.columns))

        # context layers in the map's CRS, simplified below what a page can show, which keeps the PDF small:
        # every page would otherwise carry the full vertex detail of the zones and outlines
        county_layer = context_layer(counties[["county", "city", "adcode", "geometry"]], "admin", "县级行政区")
        highlight_atlas_county(county_layer)
        zone_layers = _zone_layers(zones_gpkg)
        verdicts = ogr_layer(flags_gpkg, "enterprise_verdicts", "企业（按综合结论）")
        style(verdicts, "enterprise_verdicts")
        for vl in [county_layer, *zone_layers, verdicts, *bases, page_layer, task_layer, city_layer]:
            project.addMapLayer(vl, False)
        # top to bottom: the county layer (atlas county outlined, the others dimmed under a white veil,
        # enterprises included), enterprises, zones (small over large), the basemap
        legend_layers = [county_layer, verdicts] + list(reversed(zone_layers))
        layout = load_layout(project)
        _configure(layout, project, page_layer, task_layer, city_layer, legend_layers + bases, legend_layers,
                   notes, progress=book is not None)
        if feedback is not None and hasattr(feedback, "pushInfo"):
            feedback.pushInfo(f"图集：{page_layer.featureCount()} 页（1 总览 + {len(counties)} 县地图页 + "
                              f"{page_layer.featureCount() - 1 - len(counties)} 任务清单续页）"
                              + (f"；台账月份 {month}" if month else "") + (f"；{credit}" if credit else ""))
        path = _export(layout, Path(out_pdf), feedback, lossless=not bases, pages=page_layer.featureCount())
        if path is None:
            return None
        county_pdfs = _county_pdfs(layout, counties, per_county_dir, feedback, not bases) if per_county_dir else []
    return AtlasResult(path, page_layer.featureCount(), county_pdfs, month)


def _county_pdfs(layout: QgsPrintLayout, counties, folder: PathLike, feedback: Optional[QgsFeedback],
                 lossless: bool) -> List[Path]:
    """One PDF per county (its map page and table pages), from the same layout."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atlas = layout.atlas()
    atlas.setFilterFeatures(True)
    out: List[Path] = []
    for i, c in enumerate(counties.itertuples()):
        if feedback is not None:
            if feedback.isCanceled():
                break
            feedback.setProgress(100.0 * i / len(counties))
        atlas.setFilterExpression(f"\"adcode\" = '{c.adcode}' AND \"kind\" IN ('county', 'table')")
        target = folder / f"{county_file_stem(c.adcode, c.county)}.pdf"
        if _export(layout, target, None, lossless) is not None:
            out.append(target)
    return out
