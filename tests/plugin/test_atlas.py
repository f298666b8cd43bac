"""Atlas: overview, a map page per county, table-only continuation pages; pdftotext finds every county and every
row; Chinese for people (no code words); per-county PDFs."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyogrio
import pytest
from outputs_fixture import N_LONG, build_outputs_fixture


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def _printed(name: str, text: str) -> bool:
    """``name`` is in ``text`` whole, or as a first line of at least half of it followed somewhere by the rest."""
    if name in text:
        return True
    return any(name[:i] in text and name[i:] in text for i in range(len(name) - 1, len(name) // 2 - 1, -1))


def _words_past_the_frame(pdf: Path, page: int, item_ids) -> list:
    """Words printed inside a label item of the shipped layout that run past its right edge (pdftotext -bbox)."""
    from bluesky_zoning.layers.atlas.layout import load_layout
    from qgis.core import QgsProject

    layout = load_layout(QgsProject())
    pt = 72 / 25.4
    boxes = []
    for item_id in item_ids:
        item = layout.itemById(item_id)
        x, y = item.pos().x() * pt, item.pos().y() * pt
        boxes.append((item_id, x, y, x + item.rect().width() * pt, y + item.rect().height() * pt))
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = []
    for x0, y0, x1, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
                                       html):
        x0, y0, x1 = float(x0), float(y0), float(x1)
        for item_id, left, top, right, bottom in boxes:
            if left <= x0 < right and top <= y0 < bottom and x1 > right:
                found.append((item_id, word))
    assert boxes and "数据说明" in html  # the boxes were found and printed
    return found


def test_atlas_pages_and_text(qgis_app, fixture, tmp_path):
    from bluesky_zoning.analysis.reports.labels import english_code_words, rule_names
    from bluesky_zoning.layers.atlas.export import county_page_counts, default_notes, export_atlas

    out = tmp_path / "图集.pdf"
    notes = default_notes(fixture.zones_gpkg) + ["工业企业图层「plants」没有可用的「装机容量」字段（capacity_mw）："
                                                 "规则 B-SMALLCHP 未对该图层评估"]
    result = export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out, notes,
                          per_county_dir=tmp_path / "counties")
    pages = county_page_counts(pyogrio.read_dataframe(fixture.flags_gpkg, layer="enterprise_flags"),
                               fixture.counties)
    assert pages["140105"] == 2  # 小店区: N_LONG + 1 rows, a map page and one table-only page
    continuation = sum(n - 1 for n in pages.values())
    expected = 1 + len(fixture.counties) + continuation
    assert result.pages == expected
    assert _pdf_pages(out) == expected
    assert not list(tmp_path.glob(".*part*"))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for county in fixture.counties["county"]:
        assert county in text
    assert "全省总览" in text and "（续1）" in text
    assert "太原市 · 小店区" in text and "晋城市 · 城区" in text and "阳泉市 · 城区" in text
    assert "退出全国168个重点城市后10名" in text  # 太原's target
    assert "一级标准" in text
    flat = re.sub(r"\s+", "", text)
    # Where a note wraps depends on the font metrics of the QGIS build: compare without line breaks.
    assert "1+30" in flat and "3公里" in flat and "合成" in flat
    # the targets and notes boxes: every word of their text ends inside its frame (not cut off at the edge)
    assert _words_past_the_frame(out, 2, ("targets", "notes")) == []
    # every flagged row appears in the tables: whole, or wrapped in two lines, which pdftotext may give in
    # another order than they are drawn (QGIS 3.40's fonts wrap names that fit on 3.22)
    raw = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                            check=True).stdout)
    for name in fixture.flags["name"]:
        assert _printed(re.sub(r"\s+", "", name), raw), name
    # the continuation page (page 3: overview, 小店区's map page, then its table) is the table alone
    map_page, table_page = _page_text(out, 2), _page_text(out, 3)
    assert "小店区（续1）" in table_page and "图例" in map_page and "数据说明" in map_page
    assert "图例" not in table_page and "数据说明" not in table_page and "目标" not in table_page
    # the same columns on the map page and on the continuation page (twice there: its two frames)
    header = r"序号\s+编号\s+企业名称\s+规则\s+条款\s+完成时限"
    assert len(re.findall(header, map_page)) == 1 and len(re.findall(header, table_page)) == 2
    # every row once, none cut off: its number, the enterprise's 编号, its name
    seqs = [int(n) for n in re.findall(r"(?:^|\s)(\d+)\s+E\d{3}\s+小店区第", map_page + table_page)]
    assert sorted(seqs) == list(range(1, N_LONG + 2))
    # Chinese for people: rules by their short names, notes without codes
    assert rule_names()["B-35"] in flat and "热电供热半径内落后燃煤小热电关停整合" in flat
    assert english_code_words([text]) == []
    pdfs = sorted(p.name for p in result.county_pdfs)
    assert pdfs == ["140105_小店区.pdf", "140302_城区.pdf", "140502_城区.pdf", "140728_平遥县.pdf"]
    assert _pdf_pages(tmp_path / "counties" / "140105_小店区.pdf") == pages["140105"]


def test_atlas_cancel_leaves_nothing(qgis_app, fixture, tmp_path):
    from bluesky_zoning.layers.atlas.export import export_atlas
    from qgis.core import QgsFeedback

    feedback = QgsFeedback()
    feedback.cancel()
    out = tmp_path / "atlas.pdf"
    assert export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out, ["x"],
                        feedback=feedback) is None
    assert list(tmp_path.iterdir()) == []


def test_template_ships_and_loads(qgis_app):
    from bluesky_zoning.layers.atlas.layout import (
        CHART_RECT,
        TEMPLATE_PATH,
        build_layout,
        load_layout,
        table_of,
    )
    from qgis.core import QgsLayoutItemPicture, QgsLayoutObject, QgsProject

    assert TEMPLATE_PATH.exists()
    project = QgsProject()
    layout = load_layout(project)
    for item_id in ("map", "legend", "scalebar", "north", "title", "targets", "notes", "table_full_left",
                    "table_full_right", "progress", "chart", "credit", "city_table"):
        assert layout.itemById(item_id) is not None, item_id
    assert table_of(layout) is not None and table_of(layout, "table_full_left") is not None
    assert table_of(layout, "city_table") is not None
    # the chart's place: the atlas draws each page's chart there (no picture file to load)
    chart = layout.itemById("chart")
    assert isinstance(chart, QgsLayoutItemPicture) and not chart.picturePath()
    source = chart.dataDefinedProperties().property(QgsLayoutObject.DataDefinedProperty.PictureSource)
    assert not source.isActive()
    assert (chart.pos().x(), chart.pos().y(), chart.rect().width(), chart.rect().height()) == CHART_RECT
    # the shipped template is the one the code builds (run write_template() after changing build_layout)
    built = build_layout(project)
    assert sorted(i.id() for i in layout.items() if hasattr(i, "id") and i.id()) == \
        sorted(i.id() for i in built.items() if hasattr(i, "id") and i.id())


def _placeholders_removed() -> tuple:
    """The shipped layout's placeholder tables and chart taken out: whether each object was deleted, and the ids and
    tables left in the layout."""
    from bluesky_zoning.layers.atlas.export import _remove_placeholders
    from bluesky_zoning.layers.atlas.layout import load_layout
    from qgis.core import QgsLayoutItemAttributeTable, QgsProject
    from qgis.PyQt import sip

    project = QgsProject()
    layout = load_layout(project)
    tables = [m for m in layout.multiFrames() if isinstance(m, QgsLayoutItemAttributeTable)]
    placeholders = [f for m in tables for f in m.frames()] + tables + [layout.itemById("chart")]
    assert len(tables) == 3 and len(placeholders) >= 7 and all(p is not None for p in placeholders)
    _remove_placeholders(layout)
    left = sorted(i.id() for i in layout.items() if hasattr(i, "id") and i.id())
    return [sip.isdeleted(p) for p in placeholders], left, len(layout.multiFrames())


def test_placeholders_are_deleted_where_no_event_loop_runs(qgis_app):
    """removeLayoutItem only schedules a deletion for the event loop, and neither a script, Processing nor the
    dock's background task runs one: the placeholder tables stayed alive and measured themselves again on every
    page (a quarter of the time the atlas spent turning pages). They are deleted at once, in the main thread and
    in the worker thread alike."""
    from bluesky_zoning.ui.tasks import BlueSkyTask
    from qgis.core import QgsApplication
    from task_wait import wait_for

    deleted, left, tables = _placeholders_removed()
    assert all(deleted) and tables == 0
    assert {"map", "legend", "scalebar", "north", "title", "notes", "progress"} <= set(left)
    assert not {"table", "table_full_left", "table_full_right", "city_table", "chart"} & set(left)

    task = BlueSkyTask("placeholders", lambda _t: _placeholders_removed())
    QgsApplication.taskManager().addTask(task)
    wait_for(task)
    assert task.exception is None, task.trace
    deleted, left, tables = task.result
    assert all(deleted) and tables == 0 and "chart" not in left


def test_atlas_printed_from_a_background_task_is_drawn(qgis_app, fixture, tmp_path):
    """The dock prints from a QgsTask and the Toolbox from a Processing task: the export then runs in the
    plugin's worker thread, where the layout must still render (a Python-made thread gave white pages)."""
    from bluesky_zoning.layers.atlas.export import export_atlas
    from bluesky_zoning.ui.tasks import BlueSkyTask
    from qgis.core import QgsApplication
    from task_wait import wait_for

    out = tmp_path / "atlas.pdf"
    task = BlueSkyTask("atlas", lambda _t: export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg,
                                                         out, []))
    QgsApplication.taskManager().addTask(task)
    wait_for(task)
    assert task.exception is None, task.trace
    text = re.sub(r"\s+", "", _page_text(out, 2))
    assert "小店区" in text or "城区" in text or "平遥县" in text
    assert any(re.sub(r"\s+", "", name) in text for name in fixture.flags["name"])


def test_a_blank_or_cut_short_atlas_never_replaces_a_good_one(qgis_app, fixture, tmp_path):
    """Rendered where Qt cannot draw (a thread Python made), the pages come out white: the check before the
    rename refuses the file, says so in Chinese, and the previous atlas stays as it was."""
    import threading

    from bluesky_zoning.analysis.common.errors import OutputError
    from bluesky_zoning.analysis.common.file_checks import check_pdf
    from bluesky_zoning.layers.atlas.export import export_atlas

    out = tmp_path / "atlas.pdf"
    export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out, [])
    good = out.read_bytes()
    box = {}

    def blank_print():
        try:
            export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out, [])
        except Exception as exc:  # noqa: BLE001 - inspected below
            box["error"] = exc

    thread = threading.Thread(target=blank_print)
    thread.start()
    thread.join()
    assert isinstance(box.get("error"), OutputError) and "没有文字" in str(box["error"])
    assert out.read_bytes() == good and not list(tmp_path.glob(".*part*"))
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good[: len(good) // 2])
    try:
        check_pdf(cut)
    except OutputError as exc:
        assert "不完整" in str(exc) and "磁盘空间" in str(exc)
    else:
        raise AssertionError("a PDF cut in half passed the check")
