"""Rows of one table as an SQLite database image built in numpy, for SQLite to read (``Connection.deserialize``).

Binding millions of rows from Python costs SQLite's API a few µs a row. An image of the rows, handed over
whole and copied by SQLite's own ``INSERT … SELECT``, costs about half as much. SQLite decodes every record
as it copies it, so an image it cannot read fails there and never reaches the analyst's file.

The image (SQLite's file format, sqlite.org/fileformat2.html) is page 1 (the header and the schema: one table
``t``), the table's root (an interior page, when there is more than one leaf) and its leaf pages, 64 KiB each.
Each cell starts with a prefix of one width for every row: its varints (payload size, rowid, serial types) are
written at a fixed width, padded with leading 0x80 bytes, which SQLite reads as the same numbers. So the
prefixes are the rows of one matrix, and the texts of a row (joined and encoded once for the whole chunk)
follow its prefix. Fixed-width columns come first in ``t`` and the texts last, as the bytes lie in a record.
"""
from __future__ import annotations

import struct
from typing import Mapping, Sequence, Tuple

import numpy as np
import pandas as pd

PAGE = 65536
TABLE = "t"
# The table's rowid, declared (INTEGER PRIMARY KEY) so that the copy can name it: a NULL in every record.
ROW_COLUMN = "bulk_image_row"
# A text's serial type is written in 2 bytes (up to 8,185 bytes of UTF-8), a record's size in 3 (2 MiB).
_SERIAL_WIDTH, _SIZE_WIDTH = 2, 3
MAX_TEXT_BYTES = ((1 << 7 * _SERIAL_WIDTH) - 1 - 13) // 2
MAX_IMAGE_BYTES = 256 << 20
_BLOCK_ROWS = 8192  # rows whose prefixes are placed at once (an index of a few MB, reused by the allocator)

Fixed = Tuple[int, np.ndarray]  # (serial type, the values' bytes: rows × width)


class NotImaged(ValueError):
    """Rows an image does not hold (a NUL in a text, a text over MAX_TEXT_BYTES, a value that is not text in a
    text column, a row larger than a page): the caller binds them instead."""


def int_column(values: np.ndarray) -> Fixed:
    """Integers as SQLite's 8-byte integers (serial type 6)."""
    v = np.asarray(values)
    if v.dtype.kind == "u" and len(v) and int(v.max()) >= 1 << 63:
        raise NotImaged("an integer above SQLite's range")
    return 6, v.astype(">i8").view(np.uint8).reshape(len(v), 8)


def float_column(values: np.ndarray) -> Fixed:
    """Floats as SQLite's 8-byte reals (serial type 7). SQLite reads a NaN as NULL, as it binds one."""
    v = np.asarray(values, dtype=float)
    return 7, v.astype(">f8").view(np.uint8).reshape(len(v), 8)


def blob_column(raw: np.ndarray) -> Fixed:
    """Blobs of one width (rows × width bytes)."""
    return 2 * raw.shape[1] + 12, np.ascontiguousarray(raw, dtype=np.uint8)


def _varints(values: np.ndarray, width: int) -> np.ndarray:
    """SQLite varints of non-negative integers below 2 ** (7 × width), each ``width`` bytes (rows × width)."""
    v = np.asarray(values, dtype=np.int64)
    out = np.empty((len(v), width), dtype=np.uint8)
    for k in range(width):
        out[:, k] = ((v >> (7 * (width - 1 - k))) & 0x7F) | (0x80 if k < width - 1 else 0)
    return out


def _varint_width(top: int) -> int:
    width = 1
    while top >= 1 << (7 * width):
        width += 1
    return width


def _varint(value: int) -> bytes:
    return _varints(np.array([value]), _varint_width(value))[0].tobytes()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema(fixed: Sequence[str], texts: Sequence[str]) -> str:
    """The image table's definition: the rowid, the fixed-width columns, the texts (no types: the values keep
    theirs, and the destination's column types apply when SQLite copies them)."""
    return (f"CREATE TABLE {TABLE} ({_quoted(ROW_COLUMN)} INTEGER PRIMARY KEY, "
            + ", ".join(_quoted(c) for c in [*fixed, *texts]) + ")")


def table_image(fixed: Mapping[str, Fixed], texts: Mapping[str, np.ndarray]) -> np.ndarray:
    """The image of a database whose table ``t`` (:func:`schema`) holds these rows, rowids 1 … n in order.

    ``fixed``: column → (serial type, bytes) from :func:`int_column`, :func:`float_column`, :func:`blob_column`;
    ``texts``: column → object array of str, blanks (None, NaN) stored as NULL. Raises :class:`NotImaged`."""
    m = len(next(iter(fixed.values()))[1]) if fixed else len(next(iter(texts.values())))
    if m == 0:
        raise NotImaged("no rows")
    kt = len(texts)
    header = 1 + 1 + sum(_varint_width(s) for s, _b in fixed.values()) + kt * _SERIAL_WIDTH
    if header >= 128:
        raise NotImaged("too many columns for a one-byte record header size")
    fixed_width = sum(b.shape[1] for _s, b in fixed.values())
    rowid_width = _varint_width(m)
    prefix_width = _SIZE_WIDTH + rowid_width + header + fixed_width

    if kt:
        cells, lengths, blank = _texts(texts, m, prefix_width)
    else:  # rows of fixed-width values only: the prefixes are the cells
        cells, lengths, blank = None, np.zeros((m, 0), dtype=np.int64), np.zeros((m, 0), dtype=bool)
    size = prefix_width + lengths.sum(axis=1)  # cell sizes
    record = size - _SIZE_WIDTH - rowid_width
    if int(record.max()) >= 1 << (7 * _SIZE_WIDTH) or int(size.sum()) > MAX_IMAGE_BYTES:
        raise NotImaged("rows too large for one image")

    prefix = np.empty((m, prefix_width), dtype=np.uint8)
    prefix[:, :_SIZE_WIDTH] = _varints(record, _SIZE_WIDTH)
    at = _SIZE_WIDTH + rowid_width
    prefix[:, _SIZE_WIDTH:at] = _varints(np.arange(1, m + 1), rowid_width)
    prefix[:, at] = header
    prefix[:, at + 1] = 0  # the rowid column: NULL (the rowid is the cell's)
    at += 2
    for serial, _b in fixed.values():
        code = np.frombuffer(_varint(serial), dtype=np.uint8)
        prefix[:, at:at + len(code)] = code
        at += len(code)
    serials = np.where(blank, 0, 2 * lengths + 13).ravel()  # all the texts' at once, row by row
    prefix[:, at:at + kt * _SERIAL_WIDTH] = _varints(serials, _SERIAL_WIDTH).reshape(m, kt * _SERIAL_WIDTH)
    at += kt * _SERIAL_WIDTH
    for _s, body in fixed.values():
        prefix[:, at:at + body.shape[1]] = body
        at += body.shape[1]
    start = np.zeros(m, dtype=np.int64)
    np.cumsum(size[:-1], out=start[1:])
    if cells is None:
        cells = prefix.ravel()
    else:
        span = np.arange(prefix_width)
        for s in range(0, m, _BLOCK_ROWS):
            cells[start[s:s + _BLOCK_ROWS, None] + span] = prefix[s:s + _BLOCK_ROWS]
    del prefix
    return _pages(cells, start, size, schema(list(fixed), list(texts)))


def _texts(texts: Mapping[str, np.ndarray], m: int, prefix_width: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows' texts as their cells' bytes, each row's after a placeholder of ``prefix_width`` bytes for its
    prefix; with each text's length in bytes and whether it is blank (rows × texts)."""
    kt = len(texts)
    # Row by row, NUL between values: one join, one encode.
    joined = np.empty((m, kt + 1), dtype=object)
    joined[:, 0] = "\x01" * prefix_width
    blank = np.zeros((m, kt), dtype=bool)
    for j, values in enumerate(texts.values(), start=1):
        values = np.asarray(values, dtype=object)
        joined[:, j] = values
        # A column of texts only (the usual case) is told by one pass of type checks, a quarter of isna's time.
        if pd.api.types.infer_dtype(values, skipna=False) != "string":
            blank[:, j - 1] = pd.isna(values)
            joined[blank[:, j - 1], j] = ""
    try:
        raw = np.frombuffer("\x00".join(joined.ravel().tolist()).encode("utf-8"), dtype=np.uint8)
    except (TypeError, UnicodeEncodeError) as exc:  # a number among texts; a lone surrogate
        raise NotImaged(str(exc)) from None
    del joined
    nul = np.flatnonzero(raw == 0)
    if len(nul) != m * (kt + 1) - 1:
        raise NotImaged("a NUL character in a text")
    lengths = (np.r_[nul, len(raw)] - np.r_[0, nul + 1]).reshape(m, kt + 1)[:, 1:]
    if int(lengths.max()) > MAX_TEXT_BYTES:
        raise NotImaged(f"a text over {MAX_TEXT_BYTES} bytes")
    return raw[raw != 0], lengths, blank


def _leaf_runs(size: np.ndarray) -> list:
    """Consecutive cells per leaf, each leaf as full as it goes: (first, end) row ranges."""
    cost = np.cumsum(size + 2)  # a cell and its 2-byte pointer
    runs, first, used = [], 0, 0
    while first < len(size):
        end = int(np.searchsorted(cost, used + PAGE - 8, side="right"))
        if end == first:
            raise NotImaged("a row larger than a page")
        runs.append((first, end))
        first, used = end, int(cost[end - 1])
    return runs


def _put(image: np.ndarray, at: int, fmt: str, *values) -> None:
    data = struct.pack(fmt, *values)
    image[at:at + len(data)] = np.frombuffer(data, dtype=np.uint8)


def _pages(cells: np.ndarray, start: np.ndarray, size: np.ndarray, sql: str) -> np.ndarray:
    runs = _leaf_runs(size)
    leaves = len(runs)
    key_width = _varint_width(len(size))
    if leaves > 1 and 12 + (leaves - 1) * (2 + 4 + key_width) > PAGE:
        raise NotImaged("more leaves than one root page holds")
    first_leaf = 2 if leaves == 1 else 3  # the root is the only leaf, or page 2 is the root above them
    pages = first_leaf - 1 + leaves
    image = np.zeros(pages * PAGE, dtype=np.uint8)
    for k, (first, end) in enumerate(runs):
        at = (first_leaf - 1 + k) * PAGE
        lo, hi = int(start[first]), int(start[end - 1] + size[end - 1])
        content = PAGE - (hi - lo)
        image[at + content:at + PAGE] = cells[lo:hi]  # the cells in row order, ending at the page's end
        _put(image, at, ">BHHHB", 0x0D, 0, end - first, content, 0)
        image[at + 8:at + 8 + 2 * (end - first)] = (content + start[first:end] - lo).astype(">u2").view(np.uint8)
    if leaves > 1:  # the root: (leaf, its last rowid) for every leaf but the last, which is the right pointer
        at = PAGE
        cell = np.empty((leaves - 1, 4 + key_width), dtype=np.uint8)
        cell[:, :4] = np.arange(first_leaf, first_leaf + leaves - 1, dtype=">u4").view(np.uint8).reshape(-1, 4)
        cell[:, 4:] = _varints(np.array([end for _f, end in runs[:-1]]), key_width)
        content = PAGE - cell.size
        image[at + content:at + PAGE] = cell.ravel()
        _put(image, at, ">BHHHBI", 0x05, 0, leaves - 1, content, 0, first_leaf + leaves - 1)
        image[at + 12:at + 12 + 2 * (leaves - 1)] = (content + cell.shape[1] * np.arange(leaves - 1)).astype(
            ">u2").view(np.uint8)
    # Page 1: the database header, then the schema table's leaf with the one row describing t (root page 2).
    text = sql.encode("utf-8")
    serials = [2 * 5 + 13, 2 * 1 + 13, 2 * 1 + 13, 1, 2 * len(text) + 13]
    head = b"".join(_varint(s) for s in serials)
    payload = _varint(len(head) + 1) + head + b"table" + TABLE.encode() + TABLE.encode() + bytes([2]) + text
    cell = _varint(len(payload)) + _varint(1) + payload
    content = PAGE - len(cell)
    image[content:PAGE] = np.frombuffer(cell, dtype=np.uint8)
    # magic; page size (1: 65536); format versions 1/1 (rollback journal), no reserved bytes, payload fractions
    # 64/32/32; change counter; pages; no free pages; schema cookie; schema format 4; UTF-8; valid-for; version
    _put(image, 0, ">16sHBBBBBBIIIIIIIIIIII20sII", b"SQLite format 3\x00", 1, 1, 1, 0, 64, 32, 32, 1, pages, 0, 0,
         1, 4, 0, 0, 1, 0, 0, 0, b"", 1, 3_040_000)
    _put(image, 100, ">BHHHB", 0x0D, 0, 1, content, 0)
    _put(image, 108, ">H", content)
    return image
