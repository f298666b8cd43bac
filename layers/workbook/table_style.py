"""How every sheet of the summary workbook draws a table: styled header (comments on it for codes), thin
borders, bold shaded total rows, frozen header, a filter on the body. One look for all sheets, so the run's
sheets, the ledger's and the rural-heating sheet print alike."""
from __future__ import annotations

import os
from copy import copy
from typing import Collection, Iterable, List, Optional, Sequence, Union

import pandas as pd
import pyogrio
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ...analysis.common.cells import plain
from ...analysis.reports.meeting import CITY_ORDER

__all__ = ["write_table", "write_title", "read_layer", "has_layer", "no_formulas", "city_rank", "cell_value",
           "BODY_FONT", "HEADER_FONT", "HEADER_FILL", "AUTHOR"]

PathLike = Union[str, os.PathLike]

FONT_NAME = "Noto Sans CJK SC"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=12)
TOTAL_FONT = Font(name=FONT_NAME, bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="DDEBF7")
BODY_FONT = Font(name=FONT_NAME)
_THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
AUTHOR = "蓝天管控"


# A missing value that became text on its way (QGIS's NULL, Python's None, pandas' nan, <NA>, NaT): an empty
# cell in the workbook, never the word.
MISSING_TEXTS = frozenset({"null", "none", "nan", "<na>", "nat"})


def cell_value(value: object) -> object:
    """One cell as the workbook writes it: plain Python, None for anything missing."""
    value = plain(value)
    if isinstance(value, str) and value.strip().lower() in MISSING_TEXTS:
        return None
    return value


def has_layer(path: Optional[PathLike], layer: str) -> bool:
    if not path or not os.path.isfile(str(path)):
        return False
    return layer in [str(r[0]) for r in pyogrio.list_layers(str(path))]


def read_layer(path: PathLike, layer: str) -> pd.DataFrame:
    """A layer's attributes (no geometry); an empty frame when the file does not hold it."""
    if not has_layer(path, layer):
        return pd.DataFrame()
    return pd.DataFrame(pyogrio.read_dataframe(str(path), layer=layer, read_geometry=False))


def city_rank(city: object) -> int:
    """The plan's city order (太原 first); a city outside it after all of them."""
    return CITY_ORDER.index(city) if city in CITY_ORDER else len(CITY_ORDER)


def write_title(ws, row: int, text: str) -> int:
    """A bold title line at ``row``; the next row."""
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = TITLE_FONT
    return row + 1


def write_table(ws, header: Sequence[str], rows: Iterable[Sequence], widths: Optional[Sequence[float]] = None, *,
                start_row: int = 1, total_rows: int = 0, bold_rows: Collection[int] = (),
                header_notes: Optional[Sequence[Optional[str]]] = None, freeze: bool = True,
                auto_filter: bool = True, number_formats: Optional[dict] = None) -> int:
    """Header at ``start_row`` (styled; ``header_notes`` as cell comments), the body below it; the last
    ``total_rows`` rows and the body rows numbered in ``bold_rows`` (0 = first body row) bold and shaded.
    ``number_formats``: {column index (0-based): Excel format}. Returns the first row after the table."""
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=start_row, column=col, value=text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if header_notes and col - 1 < len(header_notes) and header_notes[col - 1]:
            cell.comment = Comment(header_notes[col - 1], AUTHOR)
    body: List[List[object]] = [[cell_value(v) for v in row] for row in rows]  # None for NaN/"NULL", Python numbers
    bold = set(bold_rows) | set(range(len(body) - total_rows, len(body)))
    number_formats = number_formats or {}
    # Each cell's look is one of a few: styled once, then copied (openpyxl hashes every style object set on a
    # cell, which made the styling of a province's task list take most of the workbook's time).
    looks: dict = {}
    for i, values in enumerate(body):
        r = start_row + 1 + i
        is_total = i in bold
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            fmt = number_formats.get(col - 1) if isinstance(value, (int, float)) else None
            look = (is_total, isinstance(value, str) and len(value) > 20, fmt)
            if look in looks:
                cell._style = copy(looks[look])
                continue
            cell.border = BORDER
            cell.font = TOTAL_FONT if is_total else BODY_FONT
            if is_total:
                cell.fill = TOTAL_FILL
            if fmt:
                cell.number_format = fmt
            cell.alignment = Alignment(vertical="top", wrap_text=look[1])
            looks[look] = copy(cell._style)
    for col, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[start_row].height = 30
    if freeze:
        ws.freeze_panes = f"A{start_row + 1}"
    # the filter covers the detail rows only: a total row would otherwise sort in among them
    detail = len(body) - total_rows
    if auto_filter and detail > 0:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(header))}{start_row + detail}"
    return start_row + 1 + len(body)


def no_formulas(wb) -> None:
    """Every text cell stays text: a user's '=cmd|…' or '=HYPERLINK(…)' is never written as a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"
