"""The Chinese PDF atlas for a meeting table: a province overview page (a county choropleth, the per-city summary),
then per county one map page (its zones, its enterprises numbered as in its task table, the county highlighted)
and, when its task list is long, table-only continuation pages; a scenario comparison (compare.gpkg) adds one
page per city. Optionally the monthly ledger (a line and a chart of open tasks per page) and a basemap under
every map.

Where things are:
- ``layers/atlas/layout.py``: the page and its template ``layers/atlas/templates/atlas.qpt`` (items by id, built in
  code by :func:`build_layout`, written with :func:`write_template`; an analyst may edit it in QGIS — the tables
  there are placeholders: where the atlas draws its tables and how they look);
- ``layers/atlas/pages.py``: the page layer's records, the task rows packed onto pages, the dots' numbers;
- ``layers/atlas/tables.py``: the tables' columns, measuring and drawing; ``layers/atlas/painted.py``: the layout
  items that draw them and the numbers beside the dots;
- ``layers/atlas/map_layers.py``: the map's layers (zones, counties, enterprises, basemap, 天地图);
- ``layers/atlas/compare.py``: the comparison pages; ``layers/atlas/progress.py``: the ledger's line and chart;
- ``layers/atlas/render.py``: the pages printed into one PDF, each page's view set before it is drawn;
- this module: reading the run, binding it to the layout and exporting (:func:`export_atlas`).

Everything lives in an own ``QgsProject`` — the user's current project and layers are never touched (a basemap is
copied). People read Chinese: rules by their short names, kinds and classes by their labels, notes without
codes (analysis/reports/labels.py); the counts are those of analysis/reports/run_report.py, the per-city summary
that of analysis/reports/meeting.py, the overview's choropleth that of layers/county_choropleth.py (the dock's).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Union

import geopandas as gpd
import pandas as pd
import pyogrio
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeedback,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemMap,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QEvent, QRectF

from ...analysis.common.file_names import county_file_stem
from ...analysis.reports.labels import printable, rule_names
from ...analysis.reports.meeting import LEDGER_SUMMARY_COLUMNS, city_summary, data_notes
from ...analysis.reports.meeting_progress import ledger_month
from ...analysis.reports.result_files import read_rural_heating, zone_titles_of
from ..county_choropleth import flagged_enterprises_layer, open_tasks_layer
from ..county_outline import HIGHLIGHT_LABEL, OTHERS_LABEL
from ..county_packages import load_counties
from .compare import CompareSection, compare_section, read_compare
from .layout import (
    CITY_COLUMNS,
    FULL_FRAME_IDS,
    TEMPLATE_PATH,
    build_layout,
    frames_of,
    load_layout,
    table_of,
    write_template,
)
from .map_layers import (
    METRIC_CRS,
    SIMPLIFY_M,
    basemap_credit,
    basemap_layers,
    city_outlines,
    context_layer,
    county_outlines,
    for_print,
    gpkg_layers,
    legend_items_drawn,
    memory_layer,
    ogr_layer,
    style,
    tianditu_layers,
)
from .pages import AtlasContent, county_page_counts, pages_and_rows
from .painted import PageDrawing
from .progress import OpenChart, add_progress, read_ledger
from .render import PageRun, PageViews, View, print_pdf
from .tables import Table, TableLook, label_wrapper

__all__ = ["AtlasResult", "TEMPLATE_PATH", "default_notes", "build_layout", "write_template", "export_atlas",
           "county_page_counts", "tianditu_layers"]

PathLike = Union[str, os.PathLike]
PAGE_FIELDS = ["page_key", "kind", "county", "city", "adcode", "title", "subtitle", "table_title", "targets",
               "frames", "progress", "credit"]
CHOROPLETH_OPACITY_OVER_BASEMAP = 0.75  # the basemap reads through the counties' colours


@dataclass
class AtlasResult:
    path: Path
    pages: int
    county_pdfs: List[Path]
    month: Optional[str] = None  # the ledger month shown, when a ledger was given


def default_notes(zones_gpkg: Optional[PathLike] = None) -> List[str]:
    """The data notes of the atlas (synthetic demo data, provisional 1+30, mine ring distance, date)."""
    return data_notes(zones_gpkg)


def _city_records(summary: pd.DataFrame) -> List[dict]:
    """The summary's rows as text cells ('—' where the data cannot say, e.g. 需核实 without a city column)."""
    records = []
    for rec in summary.to_dict("records"):
        records.append({k: ("—" if v is None or (isinstance(v, float) and pd.isna(v)) else
                            (str(int(v)) if k != "city" else str(v))) for k, v in rec.items()})
    return records


def _shipped_rules():
    """The shipped rules file, read once for every name the atlas prints (None when unreadable)."""
    try:
        from ...analysis.plan.rules import load_rules

        return load_rules()
    except Exception:  # noqa: BLE001 - labels must never stop an output: the flags' own names then
        return None


def _read_flags(flags_gpkg: PathLike):
    """The flags (with ``_x``/``_y``, their point in the map's CRS) and the rows to verify."""
    frame = pyogrio.read_dataframe(str(flags_gpkg), layer="enterprise_flags")
    flags = pd.DataFrame(frame.drop(columns=frame.geometry.name)) if isinstance(frame, gpd.GeoDataFrame) \
        else pd.DataFrame(frame)
    for col in ("ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "county", "city"):
        if col not in flags.columns:
            flags[col] = ""
    if "adcode" in flags.columns:
        flags["adcode"] = flags["adcode"].fillna("").astype(str)
    points = None
    if isinstance(frame, gpd.GeoDataFrame) and len(frame):
        points = frame.geometry if frame.crs is not None else frame.geometry.set_crs(4326)
    elif {"lon", "lat"} <= set(flags.columns) and len(flags):  # a table of flags: its WGS84 columns
        lon, lat = (pd.to_numeric(flags[c], errors="coerce") for c in ("lon", "lat"))
        points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=flags.index, crs=4326)
    if points is not None:
        points = points.to_crs(METRIC_CRS)
        empty = points.isna() | points.is_empty
        flags["_x"] = [None if e else p.x for p, e in zip(points, empty)]
        flags["_y"] = [None if e else p.y for p, e in zip(points, empty)]
    to_verify = (pd.DataFrame(pyogrio.read_dataframe(str(flags_gpkg), layer="to_verify", read_geometry=False))
                 if "to_verify" in gpkg_layers(flags_gpkg) else None)
    return flags, to_verify


def _zone_layers(zones_gpkg: PathLike) -> Dict[str, QgsVectorLayer]:
    """The zones (layer name → a simplified styled copy), titled with the zones' own radius and rings, in the
    registry's order (large first)."""
    out = {}
    present = set(gpkg_layers(zones_gpkg))
    for name, title in zone_titles_of(zones_gpkg).items():
        if name in present:
            frame = pyogrio.read_dataframe(str(zones_gpkg), layer=name)
            if frame.empty or frame.geometry.isna().all():
                continue
            out[name] = context_layer(frame, name, title)
    return out


def _verdict_layer(flags_gpkg: PathLike) -> QgsVectorLayer:
    """The enterprises by their verdict (the dock's style), without their names: the table's numbers label them."""
    layer = ogr_layer(flags_gpkg, "enterprise_verdicts", "企业（按综合结论）")
    style(layer, "enterprise_verdicts")
    layer.setLabelsEnabled(False)
    return for_print(layer)


def _choropleth(counties: gpd.GeoDataFrame, flags: pd.DataFrame, book, month: Optional[str], over_basemap: bool):
    """The overview's counties coloured by flagged enterprises, or with a ledger by its open tasks (the dock's
    choropleth, layers/county_choropleth.py), simplified for print, at every scale."""
    metric = counties[["county", "city", "adcode", "geometry"]].to_crs(METRIC_CRS)
    records = [{**rec, "geometry": geom} for rec, geom in
               zip(metric[["county", "city", "adcode"]].to_dict("records"),
                   metric.geometry.simplify(SIMPLIFY_M, preserve_topology=True))]
    admin = memory_layer(f"MultiPolygon?crs={METRIC_CRS}", "counties", records, ["county", "city", "adcode"])
    if book is not None and month:
        layer = open_tasks_layer(admin, book.progress, month, max_scale=None)
    else:
        layer = flagged_enterprises_layer(admin, flags, max_scale=None)
    if over_basemap:
        layer.setOpacity(CHOROPLETH_OPACITY_OVER_BASEMAP)
    return for_print(layer)


def _city_table(look: TableLook, progress: bool) -> Table:
    """The per-city summary's columns: the ledger's three only with a ledger."""
    ledger = {f for f, _h in LEDGER_SUMMARY_COLUMNS}
    return Table([c for c in CITY_COLUMNS if progress or c.field not in ledger], look)


def _outline_entries(outline: QgsVectorLayer) -> List[int]:
    """The county outline's legend on a county page: the county in question and the veiled others."""
    items = outline.renderer().legendSymbolItems()
    return [i for i, item in enumerate(items) if item.label() in (HIGHLIGHT_LABEL, OTHERS_LABEL)]


def _views(outline, cities, zones: Dict[str, QgsVectorLayer], verdicts, choropleth,
           compare: Optional[CompareSection], bases) -> Dict[str, View]:
    """What each kind of page's map shows (top first; the basemap under everything) and its legend."""
    zone_list = list(zones.values())
    drawn = legend_items_drawn(verdicts)
    # the county outline on top: the atlas county outlined, the others (their enterprises too) veiled
    county = View([outline, verdicts, *reversed(zone_list), *bases],
                  [(outline, _outline_entries(outline)), (verdicts, drawn)] + [(z, None) for z in reversed(zone_list)])
    views = {"overview": View([cities, choropleth, *bases], [(choropleth, None), (cities, None)]), "county": county}
    if compare is not None:
        moved = [zones[z] for z in compare.zones_changed if z in zones]
        top = [lyr for lyr in (compare.changes, compare.zone_changes) if lyr is not None]
        legend = [(lyr, legend_items_drawn(lyr)) for lyr in top] + [(z, None) for z in moved]
        views["compare"] = View([*top, cities, outline, *moved, *bases], legend + [(cities, None)])
    return views


def _remove_placeholders(layout: QgsPrintLayout) -> None:
    """The placeholder tables and chart out of the layout and deleted: the atlas draws them (a hidden item is
    still refreshed on every page)."""
    gone = []
    for multi in list(layout.multiFrames()):
        if isinstance(multi, QgsLayoutItemAttributeTable):
            for frame in list(multi.frames()):
                layout.removeLayoutItem(frame)
                gone.append(frame)
            layout.removeMultiFrame(multi)  # only forgets it
            multi.deleteLater()
            gone.append(multi)
    chart = layout.itemById("chart")
    if chart is not None:
        layout.removeLayoutItem(chart)
        gone.append(chart)
    # removeLayoutItem deletes later, from an event loop; a script, Processing or a background task runs none, and
    # the removed items stayed alive, each table frame measuring itself on every page (a quarter of the atlas's
    # page changes). Their deletion is carried out now, for these objects alone.
    for obj in gone:
        QCoreApplication.sendPostedEvents(obj, QEvent.Type.DeferredDelete)


def _bind(layout: QgsPrintLayout, page_layer: QgsVectorLayer, notes: Sequence[str], content: AtlasContent,
          charts: Dict[str, OpenChart]) -> None:
    """The page layer as the atlas's coverage, the map driven by it, the notes; the placeholder tables and chart
    replaced by the item that draws the tables, the ledger's charts and the dots' numbers where they were."""
    map_item: QgsLayoutItemMap = layout.itemById("map")
    map_item.setCrs(QgsCoordinateReferenceSystem(METRIC_CRS))
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
    legend = layout.itemById("legend")
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    legend.setLegendFilterByMapEnabled(False)  # a hit-test render per page; each kind of page has its own legend
    notes_item: QgsLayoutItemLabel = layout.itemById("notes")
    notes_item.setText(label_wrapper(notes_item)("数据说明\n" + "\n".join(f"{i}. {n}" for i, n in
                                                                           enumerate(notes, start=1))))

    frames = {}
    for frame_id in ("table", *FULL_FRAME_IDS, "city_table", "chart"):
        placeholder = layout.itemById(frame_id)
        if placeholder is not None:
            frames[frame_id] = QRectF(placeholder.pos(), placeholder.rect().size())
    _remove_placeholders(layout)
    PageDrawing(layout, frames, content.slots, map_item, content.numbers,
                [i for i in (layout.itemById("north"), layout.itemById("scalebar")) if i is not None], charts)

    atlas = layout.atlas()
    atlas.setCoverageLayer(page_layer)
    atlas.setEnabled(True)
    atlas.setHideCoverage(True)
    atlas.setPageNameExpression("\"title\"")
    atlas.setSortFeatures(False)
    atlas.setFilterFeatures(False)
    layout.project().layoutManager().addLayout(layout)


def export_atlas(zones_gpkg: PathLike, flags_gpkg: PathLike, admin_gpkg: PathLike, out_pdf: PathLike,
                 notes: Optional[Sequence[str]] = None, per_county_dir: Optional[PathLike] = None,
                 feedback: Optional[QgsFeedback] = None, ledger=None, month: Optional[str] = None,
                 basemap=None, compare: Optional[PathLike] = None) -> Optional[AtlasResult]:
    """Write the atlas PDF (overview, then per county a map page and its table-only continuation pages, then
    the comparison's pages); per-county PDFs optionally. ``notes`` are printed for people (rule ids become their
    names).

    ``ledger``: a LedgerStore, a Ledger or a ledger GeoPackage (None: no progress shown); ``month``: 'YYYY-MM'
    (default the ledger's latest). ``basemap``: a QgsRasterLayer (or several, top first) drawn under every map.
    ``compare``: a compare.gpkg (``bluesky:compare_scenarios``): one page per city with changed enterprises.
    Returns ``AtlasResult(path, pages, county_pdfs, month)``, or None when ``feedback`` was canceled (then no PDF
    is left behind). Needs a running QgsApplication.
    """
    if feedback is not None and feedback.isCanceled():
        return None
    notes = list(notes) if notes is not None else default_notes(zones_gpkg)
    ruleset = _shipped_rules()
    names = rule_names(ruleset) if ruleset is not None else {}
    notes = list(dict.fromkeys(printable(n, names) for n in notes))
    book = read_ledger(ledger)
    month = ledger_month(book, month) if book is not None else None  # a wrong month fails before any work
    comparison = read_compare(compare) if compare else None  # a wrong file too
    bases = basemap_layers(basemap)
    project = QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem(METRIC_CRS))
    counties = load_counties(zones_gpkg, admin_gpkg)
    flags, to_verify = _read_flags(flags_gpkg)
    layout = load_layout(project)
    frames, look = frames_of(layout), TableLook.of_table(table_of(layout, "table"))
    content = pages_and_rows(counties, flags, to_verify, progress=book is not None,
                             rural=read_rural_heating(flags_gpkg), frames=frames, look=look, ruleset=ruleset)
    section = compare_section(comparison, counties, frames, look) if comparison is not None else None
    if section is not None:
        content.extend(section.content)
    summary = city_summary(flags, to_verify, book.progress if book is not None else None, month)
    content.slots["overview"] = {"city_table": (_city_table(look, book is not None), _city_records(summary))}
    pages = content.pages

    charts: Dict[str, OpenChart] = {}
    if book is not None:
        month, charts = add_progress(pages, book, month)
    credit = basemap_credit(bases)
    targets_item = layout.itemById("targets")
    wrap_targets = label_wrapper(targets_item) if targets_item is not None else None
    for page in pages:
        page["credit"] = credit
        if wrap_targets is not None and page.get("targets"):
            page["targets"] = wrap_targets(page["targets"])
    # pages in the map's own CRS, so the atlas extent needs no reprojection
    metric = gpd.GeoSeries([p["geometry"] for p in pages], crs=4326).to_crs(METRIC_CRS)
    for page, geom in zip(pages, metric):
        page["geometry"] = geom
    page_layer = memory_layer(f"MultiPolygon?crs={METRIC_CRS}", "atlas_pages", pages, PAGE_FIELDS,
                              int_fields=["frames"])

    # context layers in the map's CRS, simplified below what a page can show, which keeps the PDF small:
    # every page would otherwise carry the full vertex detail of the zones and outlines
    outline, cities = county_outlines(counties), city_outlines(counties)
    zones = _zone_layers(zones_gpkg)
    verdicts = _verdict_layer(flags_gpkg)
    choropleth = _choropleth(counties, flags, book, month, bool(bases))
    extra = [lyr for lyr in (section.changes, section.zone_changes) if lyr is not None] if section else []
    for vl in [outline, cities, *zones.values(), verdicts, choropleth, *extra, *bases, page_layer]:
        project.addMapLayer(vl, False)
    _bind(layout, page_layer, notes, content, charts)
    views = PageViews(layout, _views(outline, cities, zones, verdicts, choropleth, section, bases), outline)
    n_county = sum(1 for p in pages if p["kind"] == "county")
    n_compare = sum(1 for p in pages if p["kind"] == "compare")
    if feedback is not None and hasattr(feedback, "pushInfo"):
        feedback.pushInfo(f"图集：{len(pages)} 页（1 总览 + {n_county} 县地图页 + "
                          + (f"{n_compare} 方案比较页 + " if section is not None else "")
                          + f"{len(pages) - 1 - n_county - n_compare} 清单续页）"
                          + (f"；台账月份 {month}" if month else "") + (f"；{credit}" if credit else ""))
    run = PageRun(layout, pages, range(len(pages)), views.prepare)
    path = print_pdf(run, Path(out_pdf), feedback)
    if path is None:
        return None
    county_pdfs = (_county_pdfs(layout, pages, counties, views, per_county_dir, feedback)
                   if per_county_dir else [])
    return AtlasResult(path, len(pages), county_pdfs, month)


def _county_pdfs(layout: QgsPrintLayout, pages: List[Dict], counties, views: PageViews, folder: PathLike,
                 feedback: Optional[QgsFeedback]) -> List[Path]:
    """One PDF per county (its map page and table pages), from the same layout."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: List[Path] = []
    for i, c in enumerate(counties.itertuples()):
        if feedback is not None:
            if feedback.isCanceled():
                break
            feedback.setProgress(100.0 * i / len(counties))
        mine = [n for n, p in enumerate(pages) if str(p["adcode"]) == str(c.adcode) and
                p["page_key"].startswith(f"{c.adcode}#")]
        target = folder / f"{county_file_stem(c.adcode, c.county)}.pdf"
        if mine and print_pdf(PageRun(layout, pages, mine, views.prepare), target, None) is not None:
            out.append(target)
    return out
