"""What a person sees in an atlas PDF, read with poppler: page count, a page's text, and how much of a page is
not white (a page rendered where Qt cannot draw comes out pure white)."""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def page_text(pdf: Path, page: int) -> str:
    """The page's text without white space (wrapping depends on the fonts of the QGIS build)."""
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


def inked_share(pdf: Path, page: int, dpi: int = 20) -> float:
    """The share of the page's pixels darker than near-white (a grey PGM from pdftoppm, read here)."""
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "p"
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf), str(stem)],
                       check=True, capture_output=True)
        data = next(Path(tmp).glob("p*.pgm")).read_bytes()
    # P5 header: magic, width, height, maxval, each followed by white space
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(fields.group(1)), int(fields.group(2))
    pixels = data[fields.end():fields.end() + width * height]
    return sum(1 for v in pixels if v < 240) / float(width * height)


def assert_atlas_drawn(pdf: Path, counties, names, min_pages: int) -> int:
    """The atlas has its pages, county names and enterprise names in its text, and drawn (not white) map pages."""
    pages = page_count(pdf)
    assert pages >= min_pages, (pdf, pages)
    overview = page_text(pdf, 1)
    assert "全省总览" in overview, overview[:300]
    county_page = page_text(pdf, 2)
    assert any(c in county_page for c in counties), county_page[:300]
    assert any(re.sub(r"\s+", "", n) in county_page for n in names), county_page[:300]
    for page in (1, 2):
        assert inked_share(pdf, page) > 0.05, f"page {page} of {pdf} is (nearly) white"
    return pages
