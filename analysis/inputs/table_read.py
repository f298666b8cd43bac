"""Reading an XLSX or CSV list within bounds, with progress and cancel.

An .xlsx is a ZIP of XML: 7.6 MB on disk may inflate to a 2 GB sheet of 10 million rows, which a whole read
keeps growing in memory for many minutes. So before anything is parsed the workbook's ZIP directory is read
(``zipfile.infolist``: the uncompressed size of the sheet's XML and of the parts openpyxl loads whole), then the
sheet's row count (its ``<dimension ref=…>``, or a streaming count of ``<row`` that stops past the limit); past
a limit a :class:`TableTooLargeError` names the file, the sheet, the figure found and the limit, and how to raise
it. Then the rows are streamed (openpyxl read-only) in chunks: ``progress(fraction)`` and ``is_canceled()`` are
called between chunks (``CanceledError`` stops the read) and the row limit holds even where a sheet's dimension
understates it. A CSV is bounded by its byte size and its rows, read in chunks the same way.

The frame is what ``pandas.read_excel(path, dtype=object)`` / ``pandas.read_csv(path, dtype=str)`` return: the
cells converted as pandas' openpyxl reader does, then pandas' own ``TextParser`` (header, blanks, names).
``enterprises.read_table`` is the entry every reader uses (``bluesky:import_list``, the import dialog, the demo).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple, Union
from xml.etree import ElementTree  # nosec B405 # only a workbook's small index parts, size-checked; see _small_xml

import pandas as pd

from ..common.errors import CanceledError, InputError
from .messages import table_too_many_bytes, table_too_many_rows

DEFAULT_MAX_ROWS = 2_000_000  # a province's list; bluesky:import_list's MAX_ROWS parameter
BYTES_PER_ROW = 1000  # the byte limit follows the row limit (2 GB at 2,000,000): ~25 cells a row of sheet XML
MIN_BYTE_LIMIT = 32_000_000  # a low row limit still lets a short list with wide rows through
LOAD_PART_LIMIT = 64_000_000  # styles, theme, workbook, relationships: tiny in a normal workbook
CHUNK_ROWS = 5_000  # rows between two progress / cancel calls
COUNT_CHUNK = 1024 ** 2  # bytes of sheet XML decompressed at a time by the row count
COUNT_SHARE = 0.1  # of the progress, for the row count of a sheet without a dimension (the rest for reading)
DIMENSION_PEEK = 64 * 1024  # bytes of sheet XML in which <dimension> is looked for

Progress = Optional[Callable[[float], None]]
Canceled = Optional[Callable[[], bool]]

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']\$?[A-Za-z]*\$?(\d+)(?::\$?[A-Za-z]*\$?(\d+))?")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_REL_WORKSHEET = "/worksheet"
_SHARED_STRINGS = "/sharedStrings"


class TableTooLargeError(InputError):
    """A table past the row or byte limit, refused before it is read (the message says how to raise the limit)."""


def byte_limit(max_rows: int) -> int:
    """The byte limit of a sheet's XML (or a CSV file) that goes with a row limit."""
    return max(int(max_rows) * BYTES_PER_ROW, MIN_BYTE_LIMIT)


@dataclass(frozen=True)
class SheetSize:
    """A workbook sheet as its ZIP directory and first bytes tell it: ``rows`` are data rows (the header row not
    counted), from the ``<dimension>`` or counted (``counted``); None when the dimension is a single cell."""

    name: str
    part: str
    unzipped: int
    rows: Optional[int]
    counted: bool = False


def _tick(progress: Progress, is_canceled: Canceled, fraction: float) -> None:
    if is_canceled is not None and is_canceled():
        raise CanceledError("读取已取消 / reading canceled")
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0))


# --------------------------------------------------------------------------------------------------
# XLSX: the ZIP directory and the sheet's size before reading


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _small_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> ElementTree.Element:
    """A workbook index part (relationships, workbook.xml), checked against ``LOAD_PART_LIMIT`` before: expat
    resolves no external entity and (2.4.1 and later) stops entity expansion bombs; openpyxl parses the same
    parts with the same parser right after."""
    if info.file_size > LOAD_PART_LIMIT:
        raise ValueError(f"{info.filename}: {info.file_size} bytes")
    return ElementTree.fromstring(zf.read(info))  # nosec B314 # a size-checked index part, see above


def _rels(zf: zipfile.ZipFile, infos: dict, part: str) -> dict:
    """{id: (type, target part)} of a part's relationships."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in infos:
        return {}
    out = {}
    for rel in _small_xml(zf, infos[rels_name]):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), target)
    return out


def _workbook_part(zf: zipfile.ZipFile, infos: dict) -> str:
    for rtype, target in _rels(zf, infos, "").values():
        if rtype.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def _sheet_parts(zf: zipfile.ZipFile, infos: dict, workbook: str) -> List[Tuple[str, str]]:
    """(name, part) of every worksheet in the workbook's order (chart sheets left out, as openpyxl's
    ``worksheets`` leaves them)."""
    rels = _rels(zf, infos, workbook)
    out = []
    for el in _small_xml(zf, infos[workbook]).iter():
        if _local_name(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if _local_name(k) == "id"), None)
        rtype, target = rels.get(rid, ("", ""))
        if rtype.endswith(_REL_WORKSHEET) and target in infos:
            out.append((el.get("name", ""), target))
    return out


def _count_rows(zf: zipfile.ZipFile, info: zipfile.ZipInfo, stop_after: int, progress: Progress,
                is_canceled: Canceled) -> Tuple[int, bool]:
    """(``<row`` elements of a sheet's XML, whether all were counted), decompressed a chunk at a time and
    stopping once past ``stop_after``; progress up to ``COUNT_SHARE`` by the bytes counted."""
    count, tail, done = 0, b"", 0
    with zf.open(info) as fh:
        while True:
            _tick(progress, is_canceled, COUNT_SHARE * done / max(info.file_size, 1))
            chunk = fh.read(COUNT_CHUNK)
            done += len(chunk)
            if not chunk:
                return count + len(_ROW.findall(tail)), True
            data = tail + chunk
            cut = max(len(data) - 16, 0)  # a tag starting in the last bytes is counted with the next chunk
            count += len(_ROW.findall(data)) - len(_ROW.findall(data, cut))  # '<' starts a tag: none overlap
            tail = data[cut:]
            if count > stop_after:
                complete = not fh.read(1)  # the chunk was the sheet's end: the count is exact
                return count + (len(_ROW.findall(tail)) if complete else 0), complete


def xlsx_sheet_size(path: Union[str, Path], sheet: Union[int, str] = 0, max_rows: int = DEFAULT_MAX_ROWS,
                    is_canceled: Canceled = None, progress: Progress = None) -> SheetSize:
    """Check a workbook against the limits before reading it: raises :class:`TableTooLargeError` when the
    sheet's XML unzips past ``byte_limit(max_rows)``, a part openpyxl loads whole past its limit, or the sheet
    holds more than ``max_rows`` data rows (its dimension, else a count stopping past the limit)."""
    path = Path(path)
    limit = byte_limit(max_rows)
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        for name, info in infos.items():  # the parts read whole when the workbook opens
            if name == "[Content_Types].xml" or name.endswith(".rels") or name.startswith(("docProps/", "xl/theme/")) \
                    or name in ("xl/workbook.xml", "xl/styles.xml"):
                if info.file_size > LOAD_PART_LIMIT:
                    raise TableTooLargeError(table_too_many_bytes(path.name, None, info.file_size, LOAD_PART_LIMIT,
                                                                  max_rows, None, part=name))
        workbook = _workbook_part(zf, infos)
        if workbook not in infos:
            raise KeyError(workbook)
        if infos[workbook].file_size > LOAD_PART_LIMIT:
            raise TableTooLargeError(table_too_many_bytes(path.name, None, infos[workbook].file_size,
                                                          LOAD_PART_LIMIT, max_rows, None, part=workbook))
        for rtype, target in _rels(zf, infos, workbook).values():  # shared strings: a list's text, loaded whole
            if rtype.endswith(_SHARED_STRINGS) and target in infos and infos[target].file_size > limit:
                raise TableTooLargeError(table_too_many_bytes(path.name, None, infos[target].file_size, limit,
                                                              max_rows, BYTES_PER_ROW, part=target))
        sheets = _sheet_parts(zf, infos, workbook)
        if isinstance(sheet, int):
            if not 0 <= sheet < len(sheets):
                raise InputError(f"表格「{path.name}」没有第 {sheet + 1} 个工作表 / '{path.name}' has no sheet "
                                 f"number {sheet + 1}")
            name, part = sheets[sheet]
        else:
            found = [s for s in sheets if s[0] == sheet]
            if not found:
                raise InputError(f"表格「{path.name}」没有工作表「{sheet}」/ '{path.name}' has no sheet '{sheet}'")
            name, part = found[0]
        info = infos[part]
        with zf.open(info) as fh:  # the rows the sheet declares: the figure a user knows, so said first
            head = fh.read(DIMENSION_PEEK)
        m = _DIMENSION.search(head)
        rows = max(int(m.group(2)) - int(m.group(1)), 0) if m and m.group(2) else None
        if rows is not None and rows > max_rows:
            raise TableTooLargeError(table_too_many_rows(path.name, name, rows, max_rows, BYTES_PER_ROW))
        if info.file_size > limit:
            raise TableTooLargeError(table_too_many_bytes(path.name, name, info.file_size, limit, max_rows,
                                                          BYTES_PER_ROW))
        if rows is not None:
            return SheetSize(name=name, part=part, unzipped=info.file_size, rows=rows)
        # no dimension, or a single cell ("A1"): count, stopping past the limit
        found, complete = _count_rows(zf, info, max_rows + 1, progress, is_canceled)
        rows = max(found - 1, 0)
        if rows > max_rows:
            raise TableTooLargeError(table_too_many_rows(path.name, name, rows, max_rows, BYTES_PER_ROW,
                                                         at_least=not complete))
        return SheetSize(name=name, part=part, unzipped=info.file_size, rows=rows, counted=True)


# --------------------------------------------------------------------------------------------------
# Reading


_TYPE_ERROR, _TYPE_NUMERIC = "e", "n"  # openpyxl's cell.data_type codes (openpyxl.cell.cell.TYPE_ERROR, TYPE_NUMERIC)


def _convert_cell(cell):
    """A cell as pandas' openpyxl reader gives it (pandas.io.excel._openpyxl.OpenpyxlReader._convert_cell).
    (No import in here: inside QGIS every import statement goes through its hook, a cost per cell.)"""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == _TYPE_ERROR:
        return float("nan")
    if cell.data_type == _TYPE_NUMERIC:
        as_int = int(value)
        return as_int if as_int == value else float(value)
    return value


def _xlsx_rows(path: Path, size: SheetSize, max_rows: int, progress: Progress,
               is_canceled: Canceled) -> Iterator[list]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        ws = book[size.name] if size.name in book.sheetnames else book.worksheets[0]
        ws.reset_dimensions()
        total = max((size.rows or 0) + 1, 1)
        base = COUNT_SHARE if size.counted else 0.0
        for n, row in enumerate(ws.rows, start=1):
            if n > max_rows + 1:  # the dimension understated the rows: the limit holds while reading
                raise TableTooLargeError(table_too_many_rows(path.name, size.name, n - 1, max_rows, BYTES_PER_ROW,
                                                             at_least=True))
            if n % CHUNK_ROWS == 0:
                _tick(progress, is_canceled, base + (1.0 - base) * n / max(total, n + 1))
            yield [_convert_cell(cell) for cell in row]
    finally:
        book.close()


def read_xlsx(path: Union[str, Path], sheet: Union[int, str] = 0, max_rows: int = DEFAULT_MAX_ROWS,
              progress: Progress = None, is_canceled: Canceled = None) -> pd.DataFrame:
    """One sheet as ``pandas.read_excel(path, sheet_name=sheet, dtype=object)`` gives it, within the limits."""
    from pandas.io.parsers import TextParser

    path = Path(path)
    _tick(progress, is_canceled, 0.0)
    size = xlsx_sheet_size(path, sheet, max_rows, is_canceled, progress)
    data: List[list] = []
    last_with_data = -1
    for i, row in enumerate(_xlsx_rows(path, size, max_rows, progress, is_canceled)):
        while row and row[-1] == "":  # trailing empty cells, then trailing empty rows, as pandas trims them
            row.pop()
        if row:
            last_with_data = i
        data.append(row)
    del data[last_with_data + 1:]
    _tick(progress, is_canceled, 1.0)
    if not data:
        return pd.DataFrame()
    width = max(len(r) for r in data)
    for r in data:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
    return TextParser(data, header=0, dtype=object, skip_blank_lines=False).read()


def read_csv(path: Union[str, Path], max_rows: int = DEFAULT_MAX_ROWS, progress: Progress = None,
             is_canceled: Canceled = None) -> pd.DataFrame:
    """A CSV as ``pandas.read_csv(path, dtype=str, skipinitialspace=True)`` gives it (UTF-8 with or without
    BOM, else GB18030, which covers GBK), refused past the byte limit and read in chunks up to ``max_rows``."""
    path = Path(path)
    size, limit = path.stat().st_size, byte_limit(max_rows)
    if size > limit:
        raise TableTooLargeError(table_too_many_bytes(path.name, None, size, limit, max_rows, BYTES_PER_ROW,
                                                      unzipped=False))
    last: Optional[Exception] = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return _read_csv_chunks(path, enc, size, max_rows, progress, is_canceled)
        except UnicodeDecodeError as exc:
            last = exc
    raise InputError(f"无法识别 {path.name} 的编码（试过 UTF-8、GBK）/ cannot tell the encoding of {path.name} "
                     f"(tried UTF-8, GBK)") from last


def _read_csv_chunks(path: Path, encoding: str, size: int, max_rows: int, progress: Progress,
                     is_canceled: Canceled) -> pd.DataFrame:
    _tick(progress, is_canceled, 0.0)
    frames, rows = [], 0
    with path.open("rb") as fh:
        with pd.read_csv(fh, dtype=str, encoding=encoding, skipinitialspace=True, chunksize=CHUNK_ROWS) as reader:
            for chunk in reader:
                rows += len(chunk)
                if rows > max_rows:
                    raise TableTooLargeError(table_too_many_rows(path.name, None, rows, max_rows, BYTES_PER_ROW,
                                                                 at_least=True))
                frames.append(chunk)
                _tick(progress, is_canceled, fh.tell() / max(size, 1))
    _tick(progress, is_canceled, 1.0)
    return pd.concat(frames) if len(frames) > 1 else frames[0]
