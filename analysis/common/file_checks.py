"""Is a written file whole? The checks an output passes before it replaces the old one (``atomic_path``'s
``check``): a PDF opens with its pages and shows something on each, a zip passes its CRC test, a workbook loads,
a GeoPackage passes SQLite's integrity check. Standard library only (openpyxl for workbooks): they run on every
QGIS, Windows included, where no PDF tool is at hand.

A full disk can leave a file that its writer reported as complete (QGIS's PDF export says success over a
truncated file): these checks are what stands between such a file and the analyst's good one.
"""
from __future__ import annotations

import re
import sqlite3
import zipfile
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union

from .errors import OutputError

PathLike = Union[str, Path]
# the text-showing operators of a PDF content stream: a page of the atlas always has its title
_TEXT_OPS = re.compile(rb"(?:\)|>|\])\s*T[jJ]\b")
# path construction: a drawn map has many; a blank page only its frame
_PATH_OPS = re.compile(rb"\s[ml]\s")
_OBJ = re.compile(rb"(\d+)\s+0\s+obj(.*?)endobj", re.S)
MIN_MAP_PATH_OPS = 200


def _broken(path: PathLike, what_zh: str, what_en: str, cut_short: bool = True) -> OutputError:
    hint = "请检查磁盘空间后重试" if cut_short else "请把 QGIS 消息日志（Blue Sky Zoning）发给技术支持"
    return OutputError(f"写出的文件「{Path(path).name}」不完整或内容为空（{what_zh}），未替换原有文件；{hint} / "
                       f"the written file {Path(path).name} is incomplete or empty ({what_en}); the previous file "
                       f"was kept")


def _stream(body: bytes) -> bytes:
    start = body.find(b"stream")
    if start < 0:
        return b""
    data = body[start + 6:].lstrip(b"\r\n")
    end = data.rfind(b"endstream")
    data = data[:end] if end >= 0 else data
    if b"/FlateDecode" in body[:start]:
        try:
            return zlib.decompressobj().decompress(data)
        except zlib.error:
            return b""
    return data


def pdf_pages(path: PathLike) -> List[bytes]:
    """The content of each page of a PDF written by Qt (objects uncompressed, content streams deflated), in
    file order; raises OutputError when the file has no trailer (cut short)."""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:] or b"startxref" not in data[-2048:]:
        raise _broken(path, "PDF 文件尾缺失", "no PDF trailer")
    objects: Dict[int, bytes] = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(data)}
    pages = []
    for body in objects.values():
        if re.search(rb"/Type\s*/Page\b", body):
            refs = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)", body)
            ids = [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", refs.group(1))] if refs else []
            pages.append(b"".join(_stream(objects.get(i, b"")) for i in ids))
    return pages


def check_pdf(path: PathLike, pages: Optional[int] = None, map_pages: int = 1) -> None:
    """The PDF opens, has ``pages`` pages (when given), text on every page, and at least ``map_pages`` pages with
    a drawn map: a blank atlas (white pages) or a truncated one never replaces a good one."""
    contents = pdf_pages(path)
    if not contents:
        raise _broken(path, "没有页面", "no pages")
    if pages is not None and len(contents) != pages:
        raise _broken(path, f"应有 {pages} 页，实有 {len(contents)} 页", f"{len(contents)} of {pages} pages")
    blank = [i + 1 for i, c in enumerate(contents) if not _TEXT_OPS.search(c)]
    if blank:
        raise _broken(path, f"第 {blank[0]} 页等 {len(blank)} 页没有文字", f"{len(blank)} pages without text",
                      cut_short=False)
    drawn = sum(1 for c in contents if len(_PATH_OPS.findall(c)) >= MIN_MAP_PATH_OPS)
    if drawn < map_pages:
        raise _broken(path, "地图页为空白", "the map pages are blank", cut_short=False)


def check_zip(path: PathLike) -> None:
    """Every member's CRC matches."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _broken(path, "压缩包无法打开", f"not a zip: {exc}") from exc
    if bad is not None:
        raise _broken(path, f"压缩包中「{bad}」校验失败", f"CRC error in {bad}")


def check_xlsx(path: PathLike) -> None:
    """The zip is whole and the workbook loads with at least one sheet."""
    check_zip(path)
    import openpyxl

    try:
        book = openpyxl.load_workbook(str(path), read_only=True)
        sheets = book.sheetnames
        book.close()
    except Exception as exc:  # noqa: BLE001 - any failure to load is a broken workbook
        raise _broken(path, "工作簿无法打开", f"workbook does not load: {exc}") from exc
    if not sheets:
        raise _broken(path, "工作簿没有工作表", "no sheets")


def check_gpkg(path: PathLike) -> None:
    """SQLite's integrity check passes and the GeoPackage lists its tables."""
    try:
        con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
        try:
            status = con.execute("PRAGMA integrity_check").fetchone()[0]
            con.execute("SELECT count(*) FROM gpkg_contents").fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise _broken(path, "GeoPackage 无法打开", f"not a GeoPackage: {exc}") from exc
    if status != "ok":
        raise _broken(path, "GeoPackage 校验失败", f"integrity check: {status}")


#: the check each kind of output gets by default (atomic_path picks it by suffix)
CHECKS: Dict[str, Callable[[PathLike], None]] = {".pdf": check_pdf, ".zip": check_zip, ".xlsx": check_xlsx,
                                                  ".gpkg": check_gpkg}


def check_by_suffix(path: PathLike) -> None:
    """The default check of ``path``'s kind; files of other kinds (and folders) pass."""
    p = Path(path)
    check = CHECKS.get(p.suffix.lower())
    if check is not None and p.is_file():
        check(p)
