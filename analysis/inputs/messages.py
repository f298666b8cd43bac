"""Every user-facing message about one bad value of an input or a failed output, Chinese first with English.

Each message about one bad value names the layer, the row (and id) and the field, and quotes the raw value:
"图层「锅炉清单」第 12 行（编号 GL-00137）字段「额定蒸发量」：'约20吨' 无法解析 / layer '锅炉清单' row 12 (id GL-00137)
field capacity_tph: cannot parse '约20吨'". ``analysis/inputs/validation.py`` is where callers import them from.
"""
from __future__ import annotations

from typing import Any, List, Optional

import pandas as pd

from ..common.cells import cell_text, is_missing
from ..schema.fields import field_label

__all__ = ["MAX_ROW_MESSAGES", "is_blank", "row_message", "problem_message", "problem_messages",
           "empty_list_warning", "write_error", "size_text", "table_too_many_rows", "table_too_many_bytes"]

MAX_ROW_MESSAGES = 200

_EN_OF_PROBLEM = (
    ("重复", "duplicate id"),
    ("不在任何县区", "point outside every county"),
    ("无坐标或几何无效", "no coordinates or empty geometry"),
    ("缺少经纬度", "missing longitude/latitude"),
    ("经纬度可能填反", "longitude and latitude look swapped"),
    ("不在中国范围", "coordinates outside China (projected metres?)"),
    ("几何类型不是点", "geometry is not a point"),
    ("空几何", "empty geometry"),
    ("几何为空", "null geometry, no coordinates"),
    ("多点几何", "multipoint, only its first point used"),
    ("为负数", "negative value, implausible"),
    ("超过", "value too large, implausible"),
    ("不合理", "implausible value"),
    ("为空或无法识别，无法判断规则", "blank or unreadable, rules cannot be judged"),
    ("编号为空", "blank id, numbered by row"),
    ("无法识别", "not recognised"),
    ("无法解析", "cannot parse"),
)


_FIELD_LABELS = {"geometry": "几何"}


def _english(problem: str) -> str:
    for zh, en in _EN_OF_PROBLEM:
        if zh in problem:
            return en
    return "to verify"


def is_blank(value: Any) -> bool:
    """A cell that says nothing: missing (analysis/common/cells.py), or text a spreadsheet writes for missing."""
    if isinstance(value, str):
        return value.strip() in ("", "nan", "None", "NaN", "<NA>")
    return is_missing(value)


def row_message(layer: str, row: Any, ent_id: Any, field: Optional[str], problem_zh: str,
                problem_en: str) -> str:
    """'图层「L」第 R 行（编号 I）字段「F」：… / layer 'L' row R (id I) field f: …'."""
    where_zh = f"图层「{layer}」"
    where_en = f"layer '{layer}'"
    if not is_blank(row):
        where_zh += f"第 {row} 行"
        where_en += f" row {row}"
    if not is_blank(ent_id) and str(ent_id) != "":
        where_zh += f"（编号 {ent_id}）"
        where_en += f" (id {ent_id})"
    if not is_blank(field):  # not `if field`: a blank field of a pandas 3 text column is NaN
        label = "、".join(_FIELD_LABELS.get(f, field_label(f)) for f in str(field).split(","))
        where_zh += f"字段「{label}」"
        where_en += f" field {field}"
    return f"{where_zh}：{problem_zh} / {where_en}: {problem_en}"


def problem_message(layer: str, row: Any, ent_id: Any, field: Optional[str], raw: Any, problem: str) -> str:
    """The message of one problem row (enterprise table problems or a to_verify row)."""
    en = _english(str(problem))
    raw_text = "" if is_blank(raw) else str(raw)
    if raw_text:
        en += f" '{raw_text}'"
    return row_message(layer, row, ent_id, field, str(problem), en)


def problem_messages(frame: Optional[pd.DataFrame], layer: Optional[str] = None,
                     limit: int = MAX_ROW_MESSAGES) -> List[str]:
    """One message per row of a problems / to_verify frame (at most ``limit``, then a count line)."""
    if frame is None or len(frame) == 0:
        return []
    out: List[str] = []
    cols = frame.columns
    if {"row", "field", "problem"} <= set(cols):
        # "blank or unreadable, rule X cannot be judged" repeats a parse problem already reported
        generic = frame["problem"].astype(str).str.contains("为空或无法识别，无法判断规则")
        keys = [c for c in ("layer", "row", "field") if c in cols]
        explained = frame.loc[~generic, keys].apply(tuple, axis=1)
        dup = generic & frame[keys].apply(tuple, axis=1).isin(set(explained))
        frame = frame[~dup]
    for rec in frame.head(limit).itertuples(index=False):
        d = rec._asdict()
        name = layer or cell_text(d.get("source_layer")) or cell_text(d.get("layer")) or ""  # NaN is truthy
        out.append(problem_message(str(name), d.get("row"), d.get("ent_id"), d.get("field"),
                                   d.get("raw") if "raw" in cols else None, str(d.get("problem", ""))))
    if len(frame) > limit:
        out.append(f"……另有 {len(frame) - limit} 条需核实，见 flags.gpkg 的 to_verify 图层 / "
                   f"… {len(frame) - limit} more rows to verify, see the to_verify layer of flags.gpkg")
    return out


def empty_list_warning(layer: str) -> str:
    return (f"图层「{layer}」没有任何要素（空清单），本次运行继续，但该图层没有企业被判定 / "
            f"layer '{layer}' has no features (empty list); the run goes on without it")


def write_error(path: Any, exc: BaseException) -> str:
    """A clear message for an output that could not be written (no half-written file is left)."""
    import errno

    from ..common.errors import UserError

    if isinstance(exc, UserError):  # already written for the user (the atomic writer's full disk, a failed check)
        return str(exc)

    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        zh, en = "磁盘空间不足", "no space left on the disk"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        zh, en = "没有写入权限", "permission denied"
    elif code in (errno.ENOTDIR, errno.EEXIST):
        zh, en = "输出路径不是文件夹", "the output path is not a folder"
    else:
        zh, en = "写入失败", "write failed"
    return (f"无法写入输出「{path}」：{zh}；未留下不完整的文件，输入数据未改动 / cannot write output '{path}': "
            f"{en} ({exc}); no half-written file was left and the inputs are untouched")


def size_text(n: int) -> str:
    """Bytes for people, in decimal units as the limits are set: '812 KB', '2.1 GB'."""
    for unit, size in (("GB", 1000 ** 3), ("MB", 1000 ** 2), ("KB", 1000)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _where(file: str, sheet: Optional[str]) -> tuple:
    return (f"表格「{file}」" + (f"工作表「{sheet}」" if sheet else ""),
            f"table '{file}'" + (f" sheet '{sheet}'" if sheet else ""))


_RAISE_LIMIT = ("如确需读取，请调高「导入企业清单」（bluesky:import_list）的「最多读取行数」参数 MAX_ROWS（字节上限随之按每行 "
                "{per_row} 字节提高），或把清单按市、县拆成几个文件分别导入",
                "to read it anyway, raise the MAX_ROWS parameter (maximum rows) of bluesky:import_list (the byte "
                "limit follows at {per_row} bytes a row), or split the list into several files")


def table_too_many_rows(file: str, sheet: Optional[str], rows: int, max_rows: int, per_row: int,
                        at_least: bool = False) -> str:
    """A table with more data rows than the limit: the file, the sheet, the rows found and the limit."""
    zh, en = _where(file, sheet)
    more_zh, more_en = ("至少有", "at least ") if at_least else ("有", "")
    return (f"{zh}{more_zh} {rows:,} 行数据，超过上限 {max_rows:,} 行，未读取；{_RAISE_LIMIT[0].format(per_row=per_row)} / "
            f"{en} has {more_en}{rows:,} data rows, over the limit of {max_rows:,}; not read: "
            f"{_RAISE_LIMIT[1].format(per_row=per_row)}")


def table_too_many_bytes(file: str, sheet: Optional[str], size: int, limit: int, max_rows: int,
                         per_row: Optional[int], part: Optional[str] = None, unzipped: bool = True) -> str:
    """A table (or one part of a workbook) larger than the byte limit: the figure found and the limit. Without
    ``per_row`` the limit is a fixed one (a workbook's styles or theme), which no parameter raises."""
    zh, en = _where(file, sheet)
    if part:
        zh, en = f"{zh}的组成部分 {part}", f"{en} part {part}"
    what_zh, what_en = ("解压后", "unzipped ") if unzipped else ("", "")
    if per_row is None:
        return (f"{zh}{what_zh}有 {size_text(size)}（{size:,} 字节），超过上限 {size_text(limit)}，正常的工作簿远小于此，"
                f"文件异常，未读取；请用 Excel 或 WPS 打开后另存为新文件再导入 / {en} is {what_en}{size:,} bytes, over "
                f"the limit of {limit:,} bytes (a normal workbook is far smaller); not read: open it in Excel or "
                f"WPS, save it as a new file and import that")
    return (f"{zh}{what_zh}有 {size_text(size)}（{size:,} 字节），超过上限 {size_text(limit)}（{limit:,} 字节，即最多 "
            f"{max_rows:,} 行、每行 {per_row} 字节），未读取；{_RAISE_LIMIT[0].format(per_row=per_row)} / "
            f"{en} is {what_en}{size:,} bytes, over the limit of {limit:,} bytes ({max_rows:,} rows of {per_row} "
            f"bytes); not read: {_RAISE_LIMIT[1].format(per_row=per_row)}")
