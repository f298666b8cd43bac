"""The user guide (docs/用户手册.md) as people read it: rendered from the Markdown by Qt's own reader (Qt ≥ 5.14),
so the dock's 帮助 (a window in QGIS, ui/guide_viewer.py) and the Processing dialogs' 帮助 (a web page) show
headings, tables and pictures instead of the raw text.

The HTML for the dialogs is written into the QGIS profile (the plugin's folder may be read-only) and made again
whenever the guide is newer; its pictures are addressed where they lie, beside the guide.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QTextDocument

from ..analysis.common.atomic import atomic_path
from ..analysis.common.errors import OutputError

PLUGIN_DIR = Path(__file__).resolve().parents[1]
GUIDE = PLUGIN_DIR / "docs" / "用户手册.md"  # shipped (scripts/plugin_files.py)
HTML_NAME = "用户手册.html"
# a picture never wider than the page a browser gives it; the text in the system's Chinese fonts
PAGE_STYLE = ("<style>img { max-width: 100%; height: auto; } body { max-width: 72em; margin: 1em auto; "
              "font-family: sans-serif; line-height: 1.5; } table { border-collapse: collapse; } "
              "td, th { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; }</style>")


def can_render() -> bool:
    """Qt reads Markdown (QTextDocument.setMarkdown, Qt 5.14 and later)."""
    return hasattr(QTextDocument, "setMarkdown")


def guide_document(path: Path = GUIDE) -> QTextDocument:
    """The guide as a QTextDocument (Markdown read by Qt; the text as it is where Qt cannot read Markdown)."""
    text = Path(path).read_text(encoding="utf-8")
    document = QTextDocument()
    if can_render():
        document.setMarkdown(text)
    else:
        document.setPlainText(text)
    return document


def guide_html(path: Path = GUIDE) -> str:
    """The guide as one HTML page; its pictures addressed by their full file URL."""
    html = guide_document(path).toHtml()
    base = QUrl.fromLocalFile(str(Path(path).resolve().parent) + os.sep).toString()
    html = re.sub(r'src="(?![A-Za-z][A-Za-z0-9+.-]*:)([^"]+)"', lambda m: f'src="{base}{m.group(1)}"', html)
    head = '<meta charset="utf-8" />' + PAGE_STYLE
    return html.replace("<head>", "<head>" + head, 1) if "<head>" in html else head + html


def guide_html_path(path: Path = GUIDE, folder: Optional[str] = None) -> str:
    """The guide as an HTML file a browser shows, made again when the guide is newer; "" without a guide.
    ``folder``: where it is written (the profile's bluesky_zoning folder by default)."""
    path = Path(path)
    if not path.is_file():
        return ""
    out_dir = Path(folder or os.path.join(QgsApplication.qgisSettingsDirPath(), "bluesky_zoning"))
    out = out_dir / HTML_NAME
    if out.is_file() and out.stat().st_mtime >= path.stat().st_mtime:
        return str(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(out) as part:
            Path(part).write_text(guide_html(path), encoding="utf-8")
    except (OSError, OutputError):  # a profile that cannot be written: the guide itself is still something to show
        return str(path)
    return str(out)
