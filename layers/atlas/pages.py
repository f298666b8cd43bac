"""The atlas's pages and table rows: which page shows what, and every task row on exactly one page.

A memory *page layer* is the atlas coverage layer. Its first feature is the province (overview page, kind
``overview``); then every county has a map page (kind ``county``) and, when its rows do not fit there,
continuation pages (kind ``table``: "续1", "续2" …). Rows are packed onto pages by their height in lines
(:func:`paginate`), so every row is printed and none is cut off. Each page has a ``page_key``; the task rows carry
the key of their page, and the layout's tables show the rows whose key equals the atlas feature's.

People read Chinese: rules by their short names, kinds and classes by their labels (analysis/reports/labels.py); the
counts are those of analysis/reports/run_report.py; targets and their wording come from analysis/reports/meeting.py.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import pandas as pd

from ...analysis.reports.labels import class_label, kind_label, rule_names
from ...analysis.reports.meeting import (
    CITY_ORDER,
    SHORT_TARGETS,
    TARGETS_SOURCE,
    city_targets,
    freight_province,
    freight_target,
    meeting_order,
)
from ...analysis.reports.run_report import count_enterprises, run_counts
from .layout import (
    CELL_MARGIN,
    FULL_COLUMNS,
    FULL_RECTS,
    TABLE_COLUMNS,
    TABLE_RECT,
    TABLE_RECT_WITH_PROGRESS,
)

__all__ = ["paginate", "wrap_cjk", "county_page_counts", "pages_and_rows", "map_table_height", "rural_sentences"]

# Row heights as QGIS lays the table out (7.5 pt content, 8.5 pt header), in mm: the first line (the font's
# ascent), each further line, then the cell margins and the grid. Measured on QGIS 3.22 (a row of one line is
# the ascent, 2.51 mm, plus margins and grid; each further line 3.13 mm); QGIS from 3.28 on computes the same
# through its text renderer (text height less the descent). The page budget keeps a reserve on top.
LINE_FIRST_MM, LINE_NEXT_MM = 2.6, 3.2
HEADER_MM, ROW_EXTRA_MM = 3.0, 2 * CELL_MARGIN + 0.2
BUDGET_SHARE = 0.96
_EM_MM = 2.65  # one CJK character at 7.5 pt


def map_table_height(progress: bool = False) -> float:
    """The map page's table frame height: shorter when the ledger's block sits under it."""
    return (TABLE_RECT_WITH_PROGRESS if progress else TABLE_RECT)[3]


def _chars(width_mm: float) -> float:
    """CJK characters per line of a column ``width_mm`` wide."""
    return (width_mm - 2 * CELL_MARGIN) / _EM_MM


_NARROW = {f: _chars(w) for f, _h, w in TABLE_COLUMNS}
_FULL = {f: _chars(w) for f, _h, w in FULL_COLUMNS}


def _row_mm(lines: int) -> float:
    return LINE_FIRST_MM + (max(lines, 1) - 1) * LINE_NEXT_MM + ROW_EXTRA_MM


def _budget_mm(height: float) -> float:
    return (height - HEADER_MM - ROW_EXTRA_MM) * BUDGET_SHARE


def paginate(map_page_lines: Sequence[int], table_page_lines: Sequence[int],
             map_table_mm: float = TABLE_RECT[3]) -> List[Tuple[int, int]]:
    """(page, frame) of each of a county's rows: page 0 is its map page (the table in the right third,
    ``map_table_mm`` high), 1, 2 … its table-only pages (two frames each). A row goes to the next frame or page
    when it would not fit whole."""
    first, full = _budget_mm(map_table_mm), _budget_mm(FULL_RECTS[0][3])
    out: List[Tuple[int, int]] = []
    page, frame, used = 0, 0, 0.0
    for a, b in zip(map_page_lines, table_page_lines):
        if page == 0:
            h = _row_mm(a)
            if used + h <= first:
                used += h
                out.append((0, 0))
                continue
            page, frame, used = 1, 0, 0.0
        h = _row_mm(b)
        if used + h > full and used > 0:
            if frame + 1 < len(FULL_RECTS):
                frame, used = frame + 1, 0.0
            else:
                page, frame, used = page + 1, 0, 0.0
        used += h
        out.append((page, frame))
    return out


def _lines(text: Optional[str]) -> int:
    return 1 if not isinstance(text, str) else text.count("\n") + 1


def _rule_classes() -> Dict[str, str]:
    try:
        from ...analysis.plan.rules import load_rules

        return {r.id: r.action_class for r in load_rules().rules}
    except Exception:  # noqa: BLE001 - the class column then stays blank
        return {}


def _task_rows(mine: pd.DataFrame, names: Dict[str, str]) -> List[Dict]:
    """One record per flag row, its texts wrapped for both tables, with its height in lines in each."""
    rows = []
    classes = _rule_classes()
    for i, rec in enumerate(mine.to_dict("records"), start=1):
        rule = names.get(str(rec.get("rule_id")), rec.get("rule_id"))
        row = {"seq": i, "clause": rec.get("clause"),
               "name": wrap_cjk(rec.get("name"), _NARROW["name"]), "rule": wrap_cjk(rule, _NARROW["rule"]),
               "deadline": wrap_cjk(rec.get("deadline"), _NARROW["deadline"]),
               "name_w": wrap_cjk(rec.get("name"), _FULL["name_w"]), "rule_w": wrap_cjk(rule, _FULL["rule_w"]),
               "deadline_w": wrap_cjk(rec.get("deadline"), _FULL["deadline_w"]),
               "layer_label": kind_label(rec.get("layer")),
               "action_label": class_label(rec.get("action_class") or classes.get(str(rec.get("rule_id")), ""))}
        row["_narrow"] = max(_lines(row[f]) for f in ("name", "rule", "deadline", "clause"))
        row["_full"] = max(_lines(row[f]) for f in ("name_w", "layer_label", "rule_w", "clause", "deadline_w",
                                                    "action_label"))
        rows.append(row)
    return rows


def county_flags(ordered: pd.DataFrame, adcode: str, county: str, city: str) -> pd.DataFrame:
    """The flags of one county: by adcode when the flags carry it, else by county and city name."""
    if not len(ordered):
        return ordered
    if "adcode" in ordered.columns:
        return ordered[ordered["adcode"].astype(str) == adcode]
    return ordered[(ordered["county"] == county) & (ordered["city"] == city)]


def county_page_counts(flags: pd.DataFrame, counties: pd.DataFrame, progress: bool = False) -> Dict[str, int]:
    """adcode → pages of that county in the atlas (its map page and its table-only pages); ``progress``: the
    atlas is printed with a ledger (a shorter table on the map page)."""
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names()
    out = {}
    for c in counties.itertuples():
        rows = _task_rows(county_flags(ordered, str(c.adcode), c.county, c.city), names)
        pages = paginate([r["_narrow"] for r in rows], [r["_full"] for r in rows], map_table_height(progress))
        out[str(c.adcode)] = 1 + (pages[-1][0] if pages else 0)
    return out


def _overview_targets() -> str:
    lines = ["城市目标（计划 二(二) 争取性指标）："]
    lines += [f"· {city}：{SHORT_TARGETS[city]}" for city in CITY_ORDER if city in SHORT_TARGETS]
    lines += ["· 11个设区市：SO2年均浓度达一级标准（20 µg/m³）", "· 各县（市）：SO2年均浓度达二级标准",
              "· 168城综合指数排名前移", f"· {freight_province()}"]
    return "\n".join(lines)


def _county_targets(city: str) -> str:
    lines = [f"{city}目标（{TARGETS_SOURCE}）："] + [f"· {t}" for t in city_targets(city)]
    freight = freight_target(city)
    if freight:
        lines.append(f"· {freight}")
    return "\n".join(lines)


def rural_sentences(rural: Optional[pd.DataFrame]) -> Dict[str, str]:
    """adcode (and "" for the province) → "；农村清洁取暖覆盖率 53.3%（目标 60%，未达标）" from a run's rural_heating
    table (三(二)7), for the page subtitles; {} without villages."""
    out: Dict[str, str] = {}
    if rural is None or not len(rural):
        return out
    for r in rural.itertuples():
        if r.scope not in ("county", "province") or pd.isna(r.coverage_pct):
            continue
        verdict = "达标" if int(r.meets) else "未达标"
        out["" if r.scope == "province" else str(r.adcode)] = (
            f"；农村清洁取暖覆盖率 {float(r.coverage_pct):g}%（目标 {float(r.target_pct):g}%，{verdict}）")
    return out


def pages_and_rows(counties, flags: pd.DataFrame, to_verify: Optional[pd.DataFrame] = None,
                   progress: bool = False, rural: Optional[pd.DataFrame] = None):
    """(page records, task rows) — page 0 is the overview; every county a map page and its table pages;
    rows keyed by page. ``progress``: a ledger is printed (the map page's table is shorter); ``rural``: the run's
    rural clean-heating table, said in the overview's and each county's subtitle."""
    pages = []
    counts = run_counts(flags, to_verify)
    coverage = rural_sentences(rural)
    pages.append({"page_key": "overview", "kind": "overview", "county": "", "city": "", "adcode": "",
                  "title": "山西省 · 全省总览",
                  "subtitle": f"{len(counties)} 个县（市、区），{counts.text_zh()}（分县统计见汇总表）"
                              + coverage.get("", ""),
                  "table_title": "分市汇总（企业：家；措施分类、需核实：条；各县企业任务见分县页）",
                  "targets": _overview_targets(), "geometry": counties.union_all()})
    rows = []
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names()
    height = map_table_height(progress)
    for c in counties.itertuples():
        mine = county_flags(ordered, c.adcode, c.county, c.city)
        n_ent = count_enterprises(mine)
        targets = _county_targets(c.city)
        county_rows = _task_rows(mine, names)
        page_of = paginate([r["_narrow"] for r in county_rows], [r["_full"] for r in county_rows], height)
        parts = 1 + (page_of[-1][0] if page_of else 0)
        for part in range(parts):
            key = f"{c.adcode}#{part}"
            on_page = [r for r, (p, _f) in zip(county_rows, page_of) if p == part]
            frames = 1 + max([f for p, f in page_of if p == part], default=0)
            shown = f"第 {on_page[0]['seq']}–{on_page[-1]['seq']} 条" if on_page else ""
            suffix = "" if part == 0 else f"（续{part}）"
            pages.append({"page_key": key, "kind": "county" if part == 0 else "table", "county": c.county,
                          "city": c.city, "adcode": c.adcode, "title": f"{c.city} · {c.county}{suffix}",
                          "subtitle": f"区划代码 {c.adcode}；命中 {len(mine)} 条，涉及企业 {n_ent} 家"
                                      + (coverage.get(str(c.adcode), "") if part == 0 else "")
                                      + (f"；任务清单共 {parts} 页，本页{shown}" if parts > 1 else ""),
                          "table_title": f"{c.county}企业任务清单" + (f"（{shown}，续表见后页）" if parts > 1 else ""),
                          "targets": targets, "frames": frames, "geometry": c.geometry})
            for r in on_page:
                rows.append({**{k: v for k, v in r.items() if not k.startswith("_")}, "page_key": key})
    return pages, rows


def _char_width(char: str) -> float:
    return 0.55 if ord(char) < 0x2E80 else 1.0


def wrap_cjk(text: Optional[str], width: float) -> Optional[str]:
    """Break ``text`` into lines of at most ``width`` CJK character widths (the table wraps only at spaces)."""
    if text is None or not isinstance(text, str):
        return text
    lines, line, used = [], "", 0.0
    for char in text:
        w = _char_width(char)
        if used + w > width and line:
            carry = ""
            if char in _NO_LINE_START and len(line) > 1:  # a closing mark takes the character before it along
                line, carry = line[:-1], line[-1]
            lines.append(line)
            line, used = carry, sum(_char_width(c) for c in carry)
        line += char
        used += w
    lines.append(line)
    return "\n".join(lines)


_NO_LINE_START = set("）)」』】〕，。、；：！？…%")
