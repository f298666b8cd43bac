"""The atlas's comparison pages (a compare.gpkg of ``bluesky:compare_scenarios``, analysis/scenarios/compare.py):
after the county pages, one page per city with changed enterprises — a map of where the zones moved (扩大 red,
缩小 green, over the base zone) with the changed enterprises (新增 red, 解除 green, 措施变化 orange: styling.py's
``style_scenario_changes``, the dock's own) and their table, continued on table pages when long.

The map's dots carry the table's 序号 as the county pages' do (layers/atlas/painted.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Union

import geopandas as gpd
import pandas as pd
from qgis.core import QgsVectorLayer

from ...analysis.common.cells import cell_text
from ...analysis.reports.meeting import CITY_ORDER
from ...analysis.scenarios.compare import CHANGES, Comparison, read_comparison
from ..styling import style_scenario_changes, style_zone_changes
from .layout import Frames
from .map_layers import METRIC_CRS, context_layer, for_print, memory_layer
from .pages import AtlasContent, by_enterprise, dot_numbers, section_parts
from .tables import CHANGE_COLUMNS, Table, TableLook

__all__ = ["CompareSection", "compare_section", "read_compare"]

PathLike = Union[str, "os.PathLike[str]"]
NO_CHANGE = "两方案结果相同"
NO_VERDICT = "无需处置"
OTHER_CITY = "未归入设区市"
@dataclass
class CompareSection:
    """The comparison's pages with their rows and numbers, and the layers its maps show."""

    content: AtlasContent
    zone_changes: Optional[QgsVectorLayer]
    changes: Optional[QgsVectorLayer]
    zones_changed: List[str]  # the zone layers whose ground moved (their base zone is drawn under the change)


def read_compare(path: PathLike) -> Comparison:
    return read_comparison(path)


def _text(value) -> str:
    return cell_text(value) or ""


def _rows(changes: pd.DataFrame, metric: gpd.GeoSeries) -> List[Dict]:
    """One record per changed (enterprise, rule), numbered in the order printed (an enterprise's rows together)."""
    records = []
    for rec, geom in zip(changes.to_dict("records"), metric):
        records.append({**rec, "_x": None if geom is None or geom.is_empty else geom.x,
                        "_y": None if geom is None or geom.is_empty else geom.y})
    rows = []
    for i, rec in enumerate(by_enterprise(records), start=1):
        change = _text(rec.get("change"))
        base = _text(rec.get("verdict_base")) or NO_VERDICT
        variant = _text(rec.get("verdict_variant")) or NO_VERDICT
        rows.append({"seq": i, "ent_id": _text(rec.get("ent_id")), "name": _text(rec.get("name")),
                     "county": _text(rec.get("county")), "rule": _text(rec.get("rule_name")) or _text(rec.get("rule_id")),
                     "change": change, "base": base, "variant": variant,
                     "_key": f"{_text(rec.get('layer'))}:{_text(rec.get('ent_id'))}" if _text(rec.get("ent_id"))
                     else f"name:{_text(rec.get('name'))}", "_x": rec["_x"], "_y": rec["_y"]})
    return rows


def _counts_text(changes: pd.DataFrame) -> str:
    found = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    return "、".join(f"{c} {int(found.get(c, 0))} 条" for c in CHANGES)


def _settings_text(comparison: Comparison) -> str:
    """The targets box of a comparison page: what the two runs were, and how far each zone moved (province)."""
    lines = ["方案设置（基准 → 比较）："]
    for rec in comparison.settings.to_dict("records"):
        if _text(rec.get("setting")) in ("overrides", "description"):
            continue  # the overrides as typed are for machines; the description is the subtitle
        lines.append(f"· {_text(rec.get('setting_label'))}：{_text(rec.get('base_value')) or '—'} → "
                     f"{_text(rec.get('variant_value')) or '—'}")
    zones = comparison.zone_changes
    if zones is not None and len(zones):
        lines.append("管控区范围变化（全省）：")
        for rec in zones.to_dict("records"):
            lines.append(f"· {_text(rec.get('zone_title'))}：{_text(rec.get('change'))} "
                         f"{float(rec.get('area_km2') or 0):.1f} 平方公里")
    return "\n".join(lines)


def _city_order(cities: Sequence[str]) -> List[str]:
    rank = {c: i for i, c in enumerate(CITY_ORDER)}
    return sorted(dict.fromkeys(cities), key=lambda c: (rank.get(c, len(rank)), c == "", c))


def compare_section(comparison: Comparison, counties: gpd.GeoDataFrame, frames: Frames,
                    look: Optional[TableLook] = None) -> CompareSection:
    """The comparison's pages: per city with changes its map page and table pages (kind ``compare``, then
    ``table``); one province page saying so when nothing changed."""
    table = Table(CHANGE_COLUMNS, look or TableLook(), NO_CHANGE)
    changes = comparison.changes if comparison.changes is not None else gpd.GeoDataFrame()
    if len(changes) and changes.crs is None:
        changes = changes.set_crs(4326)
    metric = changes.geometry.to_crs(METRIC_CRS) if len(changes) else gpd.GeoSeries([], crs=METRIC_CRS)
    total = _counts_text(changes)
    targets = _settings_text(comparison)
    content = AtlasContent()
    city_col = changes["city"].map(_text) if len(changes) else pd.Series([], dtype=object)
    cities = _city_order(list(city_col)) if len(changes) else [""]
    for city in cities:
        mine = changes[city_col == city] if len(changes) else changes
        rows = _rows(mine, metric[mine.index] if len(mine) else metric)
        place = counties[counties["city"] == city] if city else counties.iloc[0:0]
        geometry = place.union_all() if len(place) else counties.union_all()
        name = city or (OTHER_CITY if len(changes) else "全省")
        parts = section_parts(rows, table, frames, progress=False)
        for part, slots in enumerate(parts):
            key = f"compare:{city}#{part}"
            on_page = [r for frame_rows in slots.values() for r in frame_rows]
            shown = f"第 {on_page[0]['seq']}–{on_page[-1]['seq']} 条" if on_page else ""
            many = len(parts) > 1
            content.pages.append({
                "page_key": key, "kind": "compare" if part == 0 else "table", "county": "", "city": city,
                "adcode": "", "title": f"{name} · 方案比较" + ("" if part == 0 else f"（续{part}）"),
                "subtitle": f"比较方案：{comparison.description or '—'}；本市 {_counts_text(mine)}；全省 {total}"
                            + (f"；变化清单共 {len(parts)} 页，本页{shown}" if many else ""),
                "table_title": f"{name}变化企业清单（图中点旁数字为序号）" + (f"（{shown}，续表见后页）" if many and part == 0
                                                                   else ""),
                "targets": targets, "frames": len(slots), "geometry": geometry})
            content.slots[key] = {frame: (table, frame_rows) for frame, frame_rows in slots.items()}
            if part == 0:
                content.numbers[key] = dot_numbers(rows)
    return CompareSection(content, _zone_change_layer(comparison.zone_changes), _change_layer(changes, metric),
                          sorted(set(map(_text, comparison.zone_changes["zone"])))
                          if comparison.zone_changes is not None and len(comparison.zone_changes) else [])


def _zone_change_layer(zones: Optional[gpd.GeoDataFrame]) -> Optional[QgsVectorLayer]:
    if zones is None or not len(zones):
        return None
    layer = context_layer(zones[["zone", "zone_title", "change", "geometry"]], "", "管控区范围变化")
    style_zone_changes(layer)
    return layer


def _change_layer(changes: gpd.GeoDataFrame, metric: gpd.GeoSeries) -> Optional[QgsVectorLayer]:
    if not len(changes):
        return None
    fields = ["ent_id", "name", "change"]
    records = [{**{f: _text(rec.get(f)) for f in fields}, "geometry": geom}
               for rec, geom in zip(changes.to_dict("records"), metric) if geom is not None and not geom.is_empty]
    layer = memory_layer(f"Point?crs={METRIC_CRS}", "变化企业", records, fields)
    style_scenario_changes(layer)
    layer.setLabelsEnabled(False)  # the table's numbers label the dots
    return for_print(layer)

