"""Base against variant: who changes, per county and rule, and where the zones moved; written to compare.gpkg.

One row of ``changes`` per (layer, ent_id, rule_id) whose hit differs: 新增 (a hit of the variant only), 解除 (of
the base only), 措施变化 (a hit of both whose action, deadline or the enterprise's verdict — its most severe
action — differs). A reason that only quotes another value (the radius) is no change of measure.

``counts`` is a long table: per county a 合计 row (``rule_id`` empty) and one row per rule that changed there, then
the same for the province (``scope`` province, city 全省); columns 新增 / 解除 / 措施变化 count (enterprise, rule)
rows. ``zone_changes`` holds, per zone layer that differs, the ground the variant adds (扩大) and drops (缩小).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..common.cells import cell_text
from ..common.metric import metric_crs
from ..pipeline import AnalysisResult
from ..plan.zone_registry import ZONE_LAYERS, zone_by_layer
from ..reports.meeting import CITY_ORDER
from ..reports.result_files import write_gpkg
from ..schema.params import format_value, shipped_specs
from .overrides import ScenarioSpec

PathLike = Union[str, Path]
ADDED, REMOVED, CHANGED = "新增", "解除", "措施变化"
CHANGES = (ADDED, REMOVED, CHANGED)
GROWN, SHRUNK = "扩大", "缩小"
PROVINCE = "全省"
TOTAL = "合计"
KEY = ["layer", "ent_id", "rule_id"]
CHANGE_COLUMNS = ["ent_id", "layer", "layer_label", "name", "county", "city", "adcode", "rule_id", "rule_name",
                  "change", "verdict_base", "verdict_variant", "reason_base", "reason_variant"]
COUNT_COLUMNS = ["scope", "city", "county", "adcode", "rule_id", "rule_name", "added", "removed", "changed"]
#: the count columns of each kind of change
COUNT_OF = {ADDED: "added", REMOVED: "removed", CHANGED: "changed"}
ZONE_CHANGE_COLUMNS = ["zone", "zone_title", "change", "area_km2"]
SETTING_COLUMNS = ["setting", "setting_label", "base_value", "variant_value"]
CHANGES_LAYER, COUNTS_LAYER, ZONES_LAYER, SETTINGS_LAYER = ("scenario_changes", "scenario_counts", "zone_changes",
                                                            "scenario_settings")
COMPARE_LAYERS = (CHANGES_LAYER, COUNTS_LAYER, ZONES_LAYER, SETTINGS_LAYER)
META_KEY = "bluesky_zoning_scenario"  # compare.gpkg metadata: JSON {base, variant, description, base_description}
#: ground a rebuilt zone gains or loses below this is the arcs' rounding, not a change (km²)
MIN_ZONE_KM2 = 0.001
# what a hit in both runs is compared on (the measure, not the reason's wording)
_MEASURE = ("action", "deadline")


@dataclass
class Comparison:
    """What :func:`compare_results` finds; :func:`write_comparison` writes it."""

    changes: gpd.GeoDataFrame
    counts: pd.DataFrame
    zone_changes: gpd.GeoDataFrame
    settings: pd.DataFrame
    base_text: str
    variant_text: str
    description: str  # the variant's settings in words, with the base's values
    base_description: str = "规则文件原值"  # the base's settings in words

    def totals(self) -> Dict[str, int]:
        """{新增: n, 解除: n, 措施变化: n}: (enterprise, rule) rows of each kind."""
        found = self.changes["change"].value_counts() if len(self.changes) else pd.Series(dtype=int)
        return {c: int(found.get(c, 0)) for c in CHANGES}


def _text(values) -> np.ndarray:
    return np.array([cell_text(v) for v in values], dtype=object)


def _key(values) -> np.ndarray:
    """Text for sorting and grouping: a blank cell is ''."""
    return np.array([cell_text(v) or "" for v in values], dtype=object)


def _hits(result: AnalysisResult) -> pd.DataFrame:
    """One row per (layer, ent_id, rule_id) hit with what the comparison shows (plain frame, geometry a column)."""
    flags = result.flags
    cols = [c for c in ("ent_id", "layer", "layer_label", "name", "county", "city", "adcode", "rule_id",
                        "rule_name", "action", "deadline", "reason") if c in flags.columns]
    out = pd.DataFrame({c: _text(flags[c]) for c in cols})
    out["geometry"] = np.asarray(flags.geometry.values, dtype=object)
    return out.drop_duplicates(KEY, keep="first")


def _verdicts(result: AnalysisResult) -> Dict[tuple, str]:
    v = result.verdicts
    return dict(zip(zip(_text(v["layer"]), _text(v["ent_id"])), _text(v["verdict"])))


def _city_rank(city: str) -> int:
    return CITY_ORDER.index(city) if city in CITY_ORDER else len(CITY_ORDER)


def enterprise_changes(base: AnalysisResult, variant: AnalysisResult) -> gpd.GeoDataFrame:
    """The ``changes`` table (module docstring), points in EPSG:4326 like flags.gpkg, in meeting order: city,
    county, change, layer, enterprise, rule."""
    b, v = _hits(base), _hits(variant)
    both = b.merge(v, on=KEY, how="outer", suffixes=("_b", "_v"), indicator=True)
    verdict_b, verdict_v = _verdicts(base), _verdicts(variant)
    ents = list(zip(both["layer"], both["ent_id"]))
    both["verdict_base"] = [verdict_b.get(e) for e in ents]
    both["verdict_variant"] = [verdict_v.get(e) for e in ents]
    # to_numpy, not astype(str): an empty categorical cannot be cast on pandas 2.2 with numpy 2
    side = both["_merge"].to_numpy(dtype=object)
    differs = np.zeros(len(both), bool)
    for col in _MEASURE:
        if f"{col}_b" in both.columns:
            differs |= _text(both[f"{col}_b"]) != _text(both[f"{col}_v"])
    differs |= _text(both["verdict_base"]) != _text(both["verdict_variant"])
    change = np.where(side == "right_only", ADDED, np.where(side == "left_only", REMOVED,
                                                           np.where(differs, CHANGED, "")))
    both["change"] = change
    both = both[change != ""].copy()
    new = both["change"].to_numpy() == ADDED
    out = pd.DataFrame({c: both[c] for c in KEY})
    for col in ("layer_label", "name", "county", "city", "adcode", "rule_name"):
        if f"{col}_b" in both.columns:
            out[col] = np.where(new, both[f"{col}_v"], both[f"{col}_b"])
    out["change"] = both["change"]
    out["verdict_base"], out["verdict_variant"] = both["verdict_base"], both["verdict_variant"]
    out["reason_base"], out["reason_variant"] = both.get("reason_b"), both.get("reason_v")
    geometry = np.where(new, both["geometry_v"], both["geometry_b"]) if len(both) else []
    out = out.reindex(columns=CHANGE_COLUMNS)
    order = pd.DataFrame({"city": out["city"].map(lambda c: _city_rank(cell_text(c))),
                          "adcode": _key(out["adcode"]), "change": out["change"].map(CHANGES.index),
                          "layer": _key(out["layer"]), "ent_id": _key(out["ent_id"]),
                          "rule": out["rule_id"].map(_rule_rank(base, variant))}, index=out.index)
    sort = order.sort_values(list(order.columns), kind="stable").index
    gdf = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(list(geometry), index=out.index, crs="EPSG:4326"),
                           crs="EPSG:4326")
    return gdf.loc[sort].reset_index(drop=True)


def _rule_rank(base: AnalysisResult, variant: AnalysisResult) -> Dict[str, int]:
    """Rule id → its place in the rules file, as the hits came out (the engine writes them in file order)."""
    seen: Dict[str, int] = {}
    for frame in (base.flags, variant.flags):
        for rid in pd.unique(_text(frame["rule_id"])) if len(frame) else []:
            seen.setdefault(rid, len(seen))
    return seen


def change_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """The ``counts`` table (module docstring) of a ``changes`` table."""
    rows: List[Dict[str, object]] = []
    if not len(changes):
        return pd.DataFrame(columns=COUNT_COLUMNS)
    frame = pd.DataFrame({c: _key(changes[c]) for c in ("city", "county", "adcode", "rule_id", "rule_name",
                                                         "change")})
    rule_order = list(dict.fromkeys(frame["rule_id"]))  # the changes are in rule order within a county

    def block(part: pd.DataFrame, scope: str, city: str, county: str, adcode: str) -> None:
        def row(rule_id: str, rule_name: str, sel: pd.DataFrame) -> Dict[str, object]:
            found = sel["change"].value_counts()
            return {"scope": scope, "city": city, "county": county, "adcode": adcode, "rule_id": rule_id,
                    "rule_name": rule_name, **{COUNT_OF[c]: int(found.get(c, 0)) for c in CHANGES}}

        rows.append(row("", TOTAL, part))
        for rule_id in sorted(set(part["rule_id"]), key=rule_order.index):
            sel = part[part["rule_id"] == rule_id]
            rows.append(row(rule_id, sel["rule_name"].iloc[0], sel))

    places = frame[["city", "county", "adcode"]].drop_duplicates()
    places = places.assign(_rank=places["city"].map(_city_rank)).sort_values(["_rank", "adcode", "county"])
    for place in places.itertuples(index=False):
        sel = frame[(frame["city"] == place.city) & (frame["county"] == place.county)
                    & (frame["adcode"] == place.adcode)]
        block(sel, "county", place.city, place.county, place.adcode)
    block(frame, "province", PROVINCE, "", "")
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


def _union(gdf: Optional[gpd.GeoDataFrame]):
    if gdf is None or not len(gdf):
        return shapely.Polygon()
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    geoms = geoms[[g is not None and not g.is_empty for g in geoms]]
    return shapely.union_all(shapely.make_valid(geoms)) if len(geoms) else shapely.Polygon()


def _polygons(geom):
    """The polygon parts of ``geom`` as one MultiPolygon (a difference may carry slivers of lines)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(parts) if parts else None


def _same_layer(a: Optional[gpd.GeoDataFrame], b: Optional[gpd.GeoDataFrame]) -> bool:
    if a is b:
        return True  # a session's reused layer
    if a is None or b is None or len(a) != len(b):
        return False
    ga, gb = np.asarray(a.geometry.values, dtype=object), np.asarray(b.geometry.values, dtype=object)
    return bool(np.all(shapely.equals_exact(ga, gb, 0.0) | (shapely.is_missing(ga) & shapely.is_missing(gb))))


def zone_changes(base: AnalysisResult, variant: AnalysisResult) -> gpd.GeoDataFrame:
    """The ``zone_changes`` table: per zone layer that differs, 扩大 (ground of the variant only) and 缩小 (of the
    base only) as MultiPolygons in EPSG:4326 with their area (km², in the run's metric CRS) and the zone's
    title with the values of the side the ground belongs to."""
    rows: List[Dict[str, object]] = []
    geoms = []
    crs = metric_crs(int(str(base.metric_crs).split(":")[-1]))
    for layer in ZONE_LAYERS:
        b, v = base.zones.get(layer), variant.zones.get(layer)
        if _same_layer(b, v):
            continue
        ub, uv = _union(b), _union(v)
        zone = zone_by_layer(layer)
        for change, ground, params in ((GROWN, uv.difference(ub), variant.zones.params),
                                       (SHRUNK, ub.difference(uv), base.zones.params)):
            poly = _polygons(ground)
            if poly is None:
                continue
            area = float(gpd.GeoSeries([poly], crs="EPSG:4326").to_crs(crs).area.iloc[0]) / 1e6
            if area < MIN_ZONE_KM2:
                continue
            rows.append({"zone": layer, "zone_title": zone.title_for(params), "change": change,
                         "area_km2": round(area, 3)})
            geoms.append(poly)
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=ZONE_CHANGE_COLUMNS), geometry=geoms, crs="EPSG:4326")


def _settings(base: AnalysisResult, variant: AnalysisResult, spec: ScenarioSpec,
              base_spec: Optional[ScenarioSpec], description: str) -> pd.DataFrame:
    """What the two runs were: the settings as written, in words, each parameter that differs, each rule
    switched, the 1+30 list's size."""
    specs = shipped_specs()
    rows = [("overrides", "方案设置", base_spec.text if base_spec else "", spec.text),
            ("description", "方案说明", _base_words(base_spec, base.admin), description)]
    order = list(specs)
    for name in sorted(set(base.params) | set(variant.params),
                       key=lambda n: (order.index(n) if n in order else len(order), n)):
        was, now = base.params.get(name), variant.params.get(name)
        if was != now:
            p = specs.get(name)
            rows.append((name, p.title if p else name, format_value(was), format_value(now)))
    for rule_id, enabled in spec.rules.items():
        rows.append((f"rule.{rule_id}", f"规则「{_rule_name(variant, base, rule_id)}」", "",
                     "启用" if enabled else "关闭"))
    if spec.add_1p30 or spec.remove_1p30:
        rows.append(("1p30", "“1+30”区域县区数", str(len(base.zones.get("region_1p30", []))),
                     str(len(variant.zones.get("region_1p30", [])))))
    return pd.DataFrame(rows, columns=SETTING_COLUMNS)


def _rule_name(variant: AnalysisResult, base: AnalysisResult, rule_id: str) -> str:
    for flags in (variant.flags, base.flags):
        if "rule_name" in flags.columns and len(flags):
            hit = flags.loc[flags["rule_id"] == rule_id, "rule_name"]
            if len(hit):
                return cell_text(hit.iloc[0])
    from ..reports.labels import rule_label

    return rule_label(rule_id)


def _base_words(base_spec: Optional[ScenarioSpec], admin: Optional[gpd.GeoDataFrame] = None) -> str:
    return base_spec.describe(None, admin) if base_spec is not None and not base_spec.is_empty else "规则文件原值"


def compare_results(base: AnalysisResult, variant: AnalysisResult, spec: ScenarioSpec,
                    base_spec: Optional[ScenarioSpec] = None) -> Comparison:
    """Base against variant (``spec``: the variant's settings relative to the base; ``base_spec``: the base's
    own settings relative to the rules file, when it has any)."""
    changes = enterprise_changes(base, variant)
    description = spec.describe(base.params, base.admin)
    return Comparison(changes=changes, counts=change_counts(changes), zone_changes=zone_changes(base, variant),
                      settings=_settings(base, variant, spec, base_spec, description),
                      base_text=base_spec.text if base_spec else "", variant_text=spec.text,
                      description=description, base_description=_base_words(base_spec, base.admin))


def write_comparison(comparison: Comparison, path: PathLike) -> Path:
    """compare.gpkg: ``scenario_changes`` (points), ``scenario_counts`` (a table), ``zone_changes`` (polygons),
    ``scenario_settings`` (a table) with Chinese aliases, and the settings' texts as dataset metadata; whole or
    not at all."""
    meta = {META_KEY: json.dumps({"base": comparison.base_text, "variant": comparison.variant_text,
                                  "description": comparison.description,
                                  "base_description": comparison.base_description}, ensure_ascii=False)}
    layers: Mapping[str, pd.DataFrame] = {
        CHANGES_LAYER: comparison.changes, COUNTS_LAYER: comparison.counts,
        ZONES_LAYER: comparison.zone_changes, SETTINGS_LAYER: comparison.settings}
    return write_gpkg(path, layers, {CHANGES_LAYER: "Point", ZONES_LAYER: "MultiPolygon"}, meta)


def read_comparison(path: PathLike) -> Comparison:
    """A compare.gpkg read back (the workbook's 方案比较 sheet reads it)."""
    import pyogrio

    path = str(path)
    present = {str(row[0]) for row in pyogrio.list_layers(path)}
    missing = [n for n in (CHANGES_LAYER, COUNTS_LAYER, ZONES_LAYER) if n not in present]
    if missing:
        from ..common.errors import InputError

        raise InputError(f"「{path}」不是方案比较结果（缺少图层 {'、'.join(missing)}）/ not a compare.gpkg")
    meta = json.loads((pyogrio.read_info(path, layer=CHANGES_LAYER).get("dataset_metadata") or {})
                      .get(META_KEY, "{}"))

    def table(layer: str, columns: List[str]) -> pd.DataFrame:
        if layer not in present:
            return pd.DataFrame(columns=columns)
        return pd.DataFrame(pyogrio.read_dataframe(path, layer=layer, read_geometry=False))

    return Comparison(changes=gpd.read_file(path, layer=CHANGES_LAYER, engine="pyogrio"),
                      counts=table(COUNTS_LAYER, COUNT_COLUMNS),
                      zone_changes=gpd.read_file(path, layer=ZONES_LAYER, engine="pyogrio"),
                      settings=table(SETTINGS_LAYER, SETTING_COLUMNS), base_text=meta.get("base", ""),
                      variant_text=meta.get("variant", ""), description=meta.get("description", ""),
                      base_description=meta.get("base_description", "规则文件原值"))
