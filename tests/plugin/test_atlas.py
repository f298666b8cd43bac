"""Atlas: page count = overview + counties + continuation pages; pdftotext finds every county; per-county PDFs."""
from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from outputs_fixture import N_LONG, build_outputs_fixture  # noqa: E402


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_atlas_pages_and_text(qgis_app, fixture, tmp_path):
    from bluesky_zoning.layers.atlas import ROWS_PER_PAGE, default_notes, export_atlas

    out = tmp_path / "图集.pdf"
    result = export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out,
                          default_notes(fixture.zones_gpkg), per_county_dir=tmp_path / "counties")
    n_small = N_LONG + 1  # 小店区 has N_LONG flags plus a second rule on one enterprise
    continuation = math.ceil(n_small / ROWS_PER_PAGE) - 1
    assert continuation >= 1
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
    assert "1+30" in text and "3 公里" in text and "合成" in text
    # every flagged enterprise appears in the tables
    flat = re.sub(r"\s+", "", text)
    for name in fixture.flags["name"]:
        assert re.sub(r"\s+", "", name) in flat
    pdfs = sorted(p.name for p in result.county_pdfs)
    assert pdfs == ["140105_小店区.pdf", "140302_城区.pdf", "140502_城区.pdf", "140728_平遥县.pdf"]
    assert _pdf_pages(tmp_path / "counties" / "140105_小店区.pdf") == 1 + continuation


def test_atlas_cancel_leaves_nothing(qgis_app, fixture, tmp_path):
    from bluesky_zoning.layers.atlas import export_atlas
    from qgis.core import QgsFeedback

    feedback = QgsFeedback()
    feedback.cancel()
    out = tmp_path / "atlas.pdf"
    assert export_atlas(fixture.zones_gpkg, fixture.flags_gpkg, fixture.admin_gpkg, out, ["x"],
                        feedback=feedback) is None
    assert list(tmp_path.iterdir()) == []


def test_template_ships_and_loads(qgis_app):
    from bluesky_zoning.layers.atlas import TEMPLATE_PATH, _load_layout, _table_of
    from qgis.core import QgsProject

    assert TEMPLATE_PATH.exists()
    layout = _load_layout(QgsProject())
    for item_id in ("map", "legend", "scalebar", "north", "title", "targets", "notes"):
        assert layout.itemById(item_id) is not None, item_id
    assert _table_of(layout) is not None
