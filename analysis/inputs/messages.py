"""Every user-facing message about one bad value of an input or a failed output, Chinese first with English.

Each message about one bad value names the layer, the row (and id) and the field, and quotes the raw value:
"图层「锅炉清单」第 12 行（编号 GL-00137）字段「额定蒸发量」：'约20吨' 无法解析 / layer '锅炉清单' row 12 (id GL-00137)
field capacity_tph: cannot parse '约20吨'". ``analysis/inputs/validation.py`` is where callers import them from.
"""
from __future__ import annotations

from typing import Any, List, Optional

import pandas as pd

from ..common.cells import is_missing
from ..schema.fields import field_label

__all__ = ["MAX_ROW_MESSAGES", "is_blank", "row_message", "problem_message", "problem_messages",
           "empty_list_warning", "write_error"]

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
    if field:
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
        name = layer or d.get("source_layer") or d.get("layer") or ""
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
