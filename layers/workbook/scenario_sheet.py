"""The scenario comparison (方案比较) in the summary workbook, from a compare.gpkg (bluesky:compare_scenarios).

Two sheets: 方案比较 (what was compared, the counts per county with the province last, per rule for the
province, the zones that grew or shrank) and 方案变化清单 (each enterprise and rule that changes, in meeting
order, with a filter). The counts and rows are those of the compare.gpkg, as the atlas's comparison pages
read them; nothing is counted again here.
"""
from __future__ import annotations

import os
from typing import List, Union

import pandas as pd

from ...analysis.common.cells import cell_text
from ...analysis.scenarios.compare import (
    ADDED,
    CHANGED,
    COUNT_OF,
    PROVINCE,
    REMOVED,
    Comparison,
    read_comparison,
)
from .table_style import write_table, write_title

__all__ = ["SCENARIO_SHEETS", "write_scenario_sheets", "scenario_note"]

PathLike = Union[str, os.PathLike]
SCENARIO_SHEETS = ("方案比较", "方案变化清单")
COUNT_HEADER = ["地市", "县区", "区划代码", ADDED, REMOVED, CHANGED]
COUNT_NOTES = [None, None, None, "仅比较方案命中的（企业×规则）条数", "仅基准命中的条数",
               "两方案都命中、但处置措施、时限或企业综合结论不同的条数"]
# (changes column, header, width)
LIST_COLUMNS = [("city", "地市", 10), ("county", "县区", 12), ("name", "企业名称", 30), ("layer_label", "类别", 8),
                ("rule_name", "规则", 26), ("change", "变化", 10), ("verdict_base", "基准综合结论", 22),
                ("verdict_variant", "方案综合结论", 22), ("reason_base", "基准判定理由", 44),
                ("reason_variant", "方案判定理由", 44), ("ent_id", "编号", 14)]


def _counts(counts: pd.DataFrame, scope: str, per_rule: bool) -> pd.DataFrame:
    rule = counts["rule_id"].map(lambda v: cell_text(v) or "")
    return counts[(counts["scope"] == scope) & ((rule != "") if per_rule else (rule == ""))]


def _numbers(row) -> List[int]:
    return [int(getattr(row, COUNT_OF[c])) for c in (ADDED, REMOVED, CHANGED)]


def scenario_note(comparison: Comparison) -> str:
    """One sentence for the 说明 sheet: what was compared and the totals."""
    totals = comparison.totals()
    return (f"方案比较：基准为{comparison.base_description}，方案为{comparison.description}；"
            f"新增 {totals[ADDED]} 条、解除 {totals[REMOVED]} 条、措施变化 {totals[CHANGED]} 条（企业×规则），"
            f"见“{SCENARIO_SHEETS[0]}”“{SCENARIO_SHEETS[1]}”两表。")


def _summary_sheet(ws, comparison: Comparison) -> None:
    totals = comparison.totals()
    row = write_title(ws, 1, f"方案比较：{comparison.description}")
    ws.cell(row=row, column=1, value=f"基准：{comparison.base_description}")
    ws.cell(row=row + 1, column=1, value=f"新增 {totals[ADDED]} 条，解除 {totals[REMOVED]} 条，措施变化 {totals[CHANGED]} "
                                         f"条（每条为一家企业的一条规则）")
    row += 1
    row = write_title(ws, row + 2, "两个方案的设置")
    # the settings as typed (parameter names, rule ids) stay in compare.gpkg; people read them in words
    settings = [[cell_text(r.setting_label), cell_text(r.base_value), cell_text(r.variant_value)]
                for r in comparison.settings.itertuples(index=False) if r.setting != "overrides"]
    row = write_table(ws, ["设置项", "基准", "方案"], settings, start_row=row, freeze=False, auto_filter=False)

    row = write_title(ws, row + 1, "分县区统计")
    counties = [[r.city, r.county, cell_text(r.adcode)] + _numbers(r)
                for r in _counts(comparison.counts, "county", False).itertuples(index=False)]
    province = [[PROVINCE, "", ""] + _numbers(r)
                for r in _counts(comparison.counts, "province", False).itertuples(index=False)]
    row = write_table(ws, COUNT_HEADER, counties + province, start_row=row, total_rows=len(province),
                      header_notes=COUNT_NOTES, freeze=False, auto_filter=False)

    row = write_title(ws, row + 1, "分规则统计（全省）")
    rules = [[cell_text(r.rule_name)] + _numbers(r)
             for r in _counts(comparison.counts, "province", True).itertuples(index=False)]
    row = write_table(ws, ["规则", ADDED, REMOVED, CHANGED], rules, start_row=row, header_notes=[None] + COUNT_NOTES[3:],
                      freeze=False, auto_filter=False)

    row = write_title(ws, row + 1, "管控分区变化")
    zones = [[cell_text(r.zone_title), cell_text(r.change), float(r.area_km2)]
             for r in comparison.zone_changes.itertuples(index=False)]
    write_table(ws, ["分区", "变化", "面积（平方公里）"], zones or [["（管控分区没有变化）", None, None]], start_row=row,
                freeze=False, auto_filter=False, number_formats={2: "#,##0.0"})
    for col, width in zip("ABCDEF", (30, 26, 26, 10, 10, 10)):
        ws.column_dimensions[col].width = width


def _list_sheet(ws, comparison: Comparison) -> int:
    changes = comparison.changes
    rows = [[cell_text(v) for v in values]
            for values in zip(*(changes[c] if c in changes.columns else [None] * len(changes)
                                for c, _h, _w in LIST_COLUMNS))]
    notes = [None] * len(LIST_COLUMNS)
    notes[[c for c, _h, _w in LIST_COLUMNS].index("change")] = "新增：仅方案命中；解除：仅基准命中；措施变化：都命中但措施不同"
    write_table(ws, [h for _c, h, _w in LIST_COLUMNS], rows, [w for _c, _h, w in LIST_COLUMNS], header_notes=notes)
    return len(rows)


def write_scenario_sheets(wb, compare: Union[PathLike, Comparison]) -> str:
    """The two sheets of a compare.gpkg (or a Comparison) appended to ``wb``; the 说明 sentence returned."""
    comparison = compare if isinstance(compare, Comparison) else read_comparison(compare)
    _summary_sheet(wb.create_sheet(SCENARIO_SHEETS[0]), comparison)
    _list_sheet(wb.create_sheet(SCENARIO_SHEETS[1]), comparison)
    return scenario_note(comparison)
