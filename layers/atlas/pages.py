"""The atlas's pages and what each shows: which page is which, every task row on exactly one page, and the
numbers of the dots on a county's map.

A memory *page layer* is the atlas coverage layer. Its first feature is the province (overview page, kind
``overview``); then every county has a map page (kind ``county``) and, when its rows do not fit there,
continuation pages (kind ``table``: "续1", "续2" …); a comparison (compare.gpkg) adds its pages after them
(``layers/atlas/compare.py``). Rows are packed by the heights they are drawn with (``layers/atlas/tables.py``),
so every row is printed and none is cut off. :class:`AtlasContent` holds, by page key, the rows each table frame
of the page draws and the dot numbers of its map.

A county's rows are its flags in meeting order (analysis/reports/meeting.py), an enterprise's rows together: its
dot on the map carries their numbers (序号), so a row of the table is found on the map and a dot in the table.
People read Chinese: rules by their short names, kinds and classes by their labels (analysis/reports/labels.py);
the counts are those of analysis/reports/run_report.py; targets and their wording come from
analysis/reports/meeting.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import pandas as pd

from ...analysis.common.cells import cell_text
from ...analysis.reports.labels import rule_names
from ...analysis.reports.meeting import (
    CITY_ORDER,
    SHORT_TARGETS,
    TARGETS_SOURCE,
    city_targets,
    freight_province,
    freight_target,
    meeting_order,
)
from ...analysis.reports.run_report import enterprise_keys, run_counts
from .layout import FULL_FRAME_IDS, Frames
from .tables import TASK_COLUMNS, Table, TableLook, paginate

__all__ = ["AtlasContent", "county_page_counts", "pages_and_rows", "rural_sentences", "task_rows", "section_parts",
           "number_text", "EMPTY_TASKS"]

EMPTY_TASKS = "本县无命中企业"
# a number label: an enterprise's row numbers, consecutive ones as a range ("3–5"), others listed ("3–5、9")
RANGE_DASH, LIST_SEP = "–", "、"
Number = Tuple[float, float, str]  # x, y (the map's CRS), the text


@dataclass
class AtlasContent:
    """The page records (the page layer's attributes and geometry) and, by page key, the rows each table frame
    draws ({frame id: (table, rows)}) and the numbers of the map's dots."""

    pages: List[Dict] = field(default_factory=list)
    slots: Dict[str, Dict[str, Tuple[Table, List[Dict]]]] = field(default_factory=dict)
    numbers: Dict[str, List[Number]] = field(default_factory=dict)

    def extend(self, other: AtlasContent) -> None:
        self.pages += other.pages
        self.slots.update(other.slots)
        self.numbers.update(other.numbers)


def _enterprise(rec: Dict) -> str:
    """An enterprise's identity among a county's rows: its kind and 编号, else its name."""
    ent = cell_text(rec.get("ent_id"))
    return f"{cell_text(rec.get('layer')) or ''}:{ent}" if ent else f"name:{cell_text(rec.get('name')) or ''}"


def by_enterprise(records: List[Dict]) -> List[Dict]:
    """``records`` with each enterprise's rows together, enterprises in the order of their first row."""
    order: Dict[str, int] = {}
    for rec in records:
        order.setdefault(_enterprise(rec), len(order))
    return sorted(records, key=lambda rec: order[_enterprise(rec)])  # stable: rows keep their order within


def task_rows(mine: Sequence[Dict], names: Dict[str, str]) -> List[Dict]:
    """One record per flag row of a county (``mine``: its flags' records in meeting order), numbered (seq) in
    the order printed: an enterprise's rows together. ``_x``/``_y`` (the map's CRS), when the flags carry them,
    place its dot."""
    rows = []
    for i, rec in enumerate(by_enterprise(list(mine)), start=1):
        rule_id = cell_text(rec.get("rule_id")) or ""
        rows.append({"seq": i, "ent_id": cell_text(rec.get("ent_id")), "name": cell_text(rec.get("name")),
                     "rule": names.get(rule_id) or cell_text(rec.get("rule_name")) or rule_id,
                     "clause": cell_text(rec.get("clause")), "deadline": cell_text(rec.get("deadline")),
                     "_key": _enterprise(rec), "_x": rec.get("_x"), "_y": rec.get("_y")})
    return rows


def number_text(seqs: Sequence[int]) -> str:
    """3 → "3"; 3, 4, 5 → "3–5"; 3, 4, 9 → "3–4、9"."""
    parts, run = [], []
    for n in sorted(seqs):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}{RANGE_DASH}{run[-1]}")
        run = [n]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}{RANGE_DASH}{run[-1]}")
    return LIST_SEP.join(parts)


def dot_numbers(rows: Sequence[Dict]) -> List[Number]:
    """One label per enterprise with a place: its rows' numbers at its point."""
    seqs: Dict[str, List[int]] = {}
    where: Dict[str, Tuple[float, float]] = {}
    for r in rows:
        x, y = r.get("_x"), r.get("_y")
        if x is None or y is None or x != x or y != y:
            continue
        seqs.setdefault(r["_key"], []).append(int(r["seq"]))
        where.setdefault(r["_key"], (float(x), float(y)))
    return [(where[k][0], where[k][1], number_text(v)) for k, v in seqs.items()]


def section_parts(rows: Sequence[Dict], table: Table, frames: Frames, progress: bool) -> List[Dict[str, List[Dict]]]:
    """A section's rows packed on its map page's table and its continuation pages: one {frame id: rows} per page
    (at least one, the map page, even without rows)."""
    if not rows:
        return [{"table": []}]
    map_w, full_w = frames.table[2], frames.full[0][2]
    first = [frames.map_table_h(progress) - table.header_mm(map_w)]
    later = [f[3] - table.header_mm(f[2]) for f in frames.full]
    placed = paginate(table.heights(rows, map_w), table.heights(rows, full_w), first, later)
    parts: List[Dict[str, List[Dict]]] = [{"table": []}]  # a map page shows its table even when empty
    for row, (page, frame) in zip(rows, placed):
        while len(parts) <= page:
            parts.append({})
        parts[page].setdefault("table" if page == 0 else FULL_FRAME_IDS[frame], []).append(row)
    return parts


def _county_groups(ordered: pd.DataFrame) -> Tuple[List[Dict], Dict[tuple, List[int]]]:
    """The flags' records (meeting order) and, by county (adcode, or county and city name when the flags have
    no adcode), the positions of its rows."""
    if not len(ordered):
        return [], {}
    cols = ["adcode"] if "adcode" in ordered.columns else ["county", "city"]
    keys = ordered[cols].astype(object).where(ordered[cols].notna(), "").astype(str)
    groups: Dict[tuple, List[int]] = {}
    for i, key in enumerate(zip(*(keys[c] for c in cols))):
        groups.setdefault(key, []).append(i)
    return ordered.to_dict("records"), groups


def _county_key(ordered: pd.DataFrame, adcode, county, city) -> tuple:
    return (str(adcode),) if "adcode" in ordered.columns else (str(county), str(city))


def task_table(look: Optional[TableLook] = None) -> Table:
    return Table(TASK_COLUMNS, look or TableLook(), EMPTY_TASKS)


def county_page_counts(flags: pd.DataFrame, counties: pd.DataFrame, progress: bool = False,
                       frames: Optional[Frames] = None, table: Optional[Table] = None) -> Dict[str, int]:
    """adcode → pages of that county in the atlas (its map page and its table-only pages); ``progress``: the
    atlas is printed with a ledger (a shorter table on the map page). Needs a running QgsApplication (fonts)."""
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names()
    frames, table = frames or Frames(), table or task_table()
    records, groups = _county_groups(ordered)
    out = {}
    for c in counties.itertuples():
        mine = [records[i] for i in groups.get(_county_key(ordered, c.adcode, c.county, c.city), [])]
        out[str(c.adcode)] = len(section_parts(task_rows(mine, names), table, frames, progress))
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


def _shown(rows: Sequence[Dict]) -> str:
    return f"第 {rows[0]['seq']}–{rows[-1]['seq']} 条" if rows else ""


def pages_and_rows(counties, flags: pd.DataFrame, to_verify: Optional[pd.DataFrame] = None,
                   progress: bool = False, rural: Optional[pd.DataFrame] = None, frames: Optional[Frames] = None,
                   look: Optional[TableLook] = None, ruleset=None) -> AtlasContent:
    """The overview and every county's map page and table pages, with their rows and dot numbers.
    ``progress``: a ledger is printed (the map page's table is shorter); ``rural``: the run's rural clean-heating
    table, said in the overview's and each county's subtitle; ``frames``/``look``: the layout's tables;
    ``ruleset``: the rules whose names are printed (default the shipped rules file)."""
    frames = frames or Frames()
    table = task_table(look)
    out = AtlasContent()
    counts = run_counts(flags, to_verify)
    coverage = rural_sentences(rural)
    out.pages.append({"page_key": "overview", "kind": "overview", "county": "", "city": "", "adcode": "",
                      "title": "山西省 · 全省总览",
                      "subtitle": f"{len(counties)} 个县（市、区），{counts.text_zh()}（分县统计见汇总表）"
                                  + coverage.get("", ""),
                      "table_title": "分市汇总（企业：家；措施分类、需核实：条；各县企业任务见分县页）",
                      "targets": _overview_targets(), "geometry": counties.union_all()})
    ordered = meeting_order(flags) if len(flags) else flags
    names = rule_names(ruleset)  # the shipped rules file's when None, read once
    records, groups = _county_groups(ordered)
    keys = enterprise_keys(ordered) if len(ordered) else pd.Series([], dtype=object)
    for c in counties.itertuples():
        at = groups.get(_county_key(ordered, c.adcode, c.county, c.city), [])
        mine = [records[i] for i in at]
        n_ent = int(keys.iloc[at].nunique()) if at else 0  # run_report's count of enterprises
        targets = _county_targets(c.city)
        rows = task_rows(mine, names)
        parts = section_parts(rows, table, frames, progress)
        for part, slots in enumerate(parts):
            key = f"{c.adcode}#{part}"
            on_page = [r for frame_rows in slots.values() for r in frame_rows]
            shown = _shown(on_page)
            suffix = "" if part == 0 else f"（续{part}）"
            many = len(parts) > 1
            out.pages.append({"page_key": key, "kind": "county" if part == 0 else "table", "county": c.county,
                              "city": c.city, "adcode": c.adcode, "title": f"{c.city} · {c.county}{suffix}",
                              "subtitle": f"区划代码 {c.adcode}；命中 {len(mine)} 条，涉及企业 {n_ent} 家"
                                          + (coverage.get(str(c.adcode), "") if part == 0 else "")
                                          + (f"；任务清单共 {len(parts)} 页，本页{shown}" if many else ""),
                              "table_title": f"{c.county}企业任务清单（图中点旁数字为序号）"
                                             + (f"（{shown}，续表见后页）" if many and part == 0 else ""),
                              "targets": targets, "frames": len(slots),
                              "geometry": c.geometry})
            out.slots[key] = {frame: (table, frame_rows) for frame, frame_rows in slots.items()}
            if part == 0:
                out.numbers[key] = dot_numbers(rows)
    return out
