"""Rural clean heating in the summary workbook (plan 三(二)7: 农村地区清洁取暖覆盖率力争达到 60% 以上).

The run writes the coverage per county, city and province into flags.gpkg (non-spatial layer
``rural_heating``); this sheet only lists it, in the plan's city order, each city's counties followed by the
city's row, the province last, city and province rows in bold. No layer, no sheet."""
from __future__ import annotations

from typing import List, Optional, Tuple

import pandas as pd

from ...analysis.common.cells import plain
from ...analysis.reports.result_files import read_rural_heating
from .table_style import city_rank, write_table

__all__ = ["HEATING_SHEET", "HEATING_HEADER", "SCOPE_LABELS", "read_heating", "heating_rows", "write_heating_sheet"]

HEATING_SHEET = "农村清洁取暖"
SCOPE_LABELS = {"county": "县区", "city": "地市", "province": "全省"}
MEETS_LABELS = {1: "达标", 0: "未达标"}
NO_DATA = "缺数据"
# (layer column, header, width)
HEATING_COLUMNS = [("scope", "层级", 8), ("city", "地市", 10), ("county", "县区", 12), ("villages", "村数", 8),
                   ("households", "总户数", 10), ("clean_households", "清洁取暖户数", 12),
                   ("coverage_pct", "覆盖率(%)", 10), ("target_pct", "目标(%)", 8), ("meets", "是否达标", 10),
                   ("unknown_villages", "缺数据村数", 10)]
HEATING_HEADER = [h for _, h, _ in HEATING_COLUMNS]
_NOTES = {"coverage_pct": "清洁取暖户数 ÷ 总户数（按户数加权）",
          "target_pct": "计划三(二)7：农村地区清洁取暖覆盖率力争达到 60% 以上（2020年10月底前）",
          "unknown_villages": "缺少户数或清洁取暖数据的村（社区）数"}


def read_heating(flags_gpkg) -> pd.DataFrame:
    """The ``rural_heating`` layer of a flags.gpkg; an empty frame when the run wrote none."""
    return read_rural_heating(flags_gpkg)


def _number(value: object) -> Optional[float]:
    number = pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def _meets(value: object, coverage: object) -> Optional[str]:
    """达标 / 未达标; 缺数据 without a coverage (no household figures): neither met nor missed."""
    if _number(coverage) is None:
        return NO_DATA
    number = _number(value)
    return None if number is None else MEETS_LABELS[1 if number else 0]


def heating_rows(frame: pd.DataFrame) -> Tuple[List[list], List[int]]:
    """(rows of the sheet, indexes of the city and province rows)."""
    df = frame.copy()
    for col, _, _ in HEATING_COLUMNS + [("adcode", "", 0)]:
        if col not in df.columns:
            df[col] = None
    df["scope"] = df["scope"].astype(str).str.strip().str.lower()
    df["_rank"] = df["city"].map(city_rank)
    df["_level"] = df["scope"].map({"county": 0, "city": 1}).fillna(2)
    df["_code"] = df["adcode"].astype(object).where(df["adcode"].notna(), "").astype(str)
    province = df["scope"] == "province"
    local = df[~province].sort_values(["_rank", "city", "_level", "_code", "county"], kind="stable")
    ordered = pd.concat([local, df[province]])
    rows, bold = [], []
    for i, rec in enumerate(ordered.to_dict("records")):
        row = []
        for col, _, _ in HEATING_COLUMNS:
            value = rec[col]
            if col == "scope":
                value = SCOPE_LABELS.get(value, value)
            elif col == "meets":
                value = _meets(value, rec["coverage_pct"])
            elif col in ("villages", "households", "clean_households", "unknown_villages"):
                value = None if _number(value) is None else int(_number(value))
            elif col in ("coverage_pct", "target_pct"):
                value = None if _number(value) is None else round(_number(value), 1)
            value = plain(value)
            row.append(None if isinstance(value, str) and not value.strip() else value)
        if rec["scope"] == "province":
            row[HEATING_HEADER.index("地市")] = row[HEATING_HEADER.index("地市")] or "全省"
        if rec["scope"] in ("city", "province"):
            bold.append(i)
        rows.append(row)
    return rows, bold


def write_heating_sheet(ws, frame: pd.DataFrame) -> None:
    rows, bold = heating_rows(frame)
    notes = [_NOTES.get(col) for col, _, _ in HEATING_COLUMNS]
    formats = {HEATING_HEADER.index("覆盖率(%)"): "0.0", HEATING_HEADER.index("目标(%)"): "0"}
    write_table(ws, HEATING_HEADER, rows, [w for _, _, w in HEATING_COLUMNS], bold_rows=bold, header_notes=notes,
                number_formats=formats)
