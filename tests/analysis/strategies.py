"""Spoiled variants of a small, clean input set, as hypothesis strategies (issue 11, item 2).

The clean set: the nine toy counties of ``conftest.py`` as a user's county layer (Chinese column names),
three built-up squares, and four enterprise lists shaped like the demo's (same Chinese headers): boilers
and CHP plants as tables with 经度/纬度 columns, mines and plants as point layers. Every enterprise is at
least 500 m from any county, built-up, ring or radius edge, so reprojecting a layer cannot move it
across one.

A *spoiling* changes one thing (a column renamed, dropped, reordered or duplicated; a cell made null,
empty, full-width or of another type; a geometry made multi-part, Z/M, empty or invalid; a layer
reprojected or stripped of its CRS; a layer emptied) and says what may change because of it: nothing,
one row, the enterprises of one county, the rules that need one field, or the whole run (a refusal).
"""
from __future__ import annotations

import functools
import struct
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import strategies as st
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box

# -------------------------------------------------------------------------------------------- the clean set
SIZE, STEP, LON0, LAT0 = 0.5, 0.55, 111.0, 36.0  # as in conftest.py
COUNTIES: List[Tuple[str, str, str]] = [
    ("小店区", "太原市", "140105"), ("清徐县", "太原市", "140121"), ("榆次区", "晋中市", "140702"),
    ("和顺县", "晋中市", "140723"), ("介休市", "晋中市", "140781"), ("平城区", "大同市", "140213"),
    ("阳高县", "大同市", "140221"), ("尧都区", "临汾市", "141002"), ("潞州区", "长治市", "140403"),
]
NAMES = {"admin": "县界", "builtup": "建成区", "boiler": "锅炉清单", "chp": "热电厂清单", "mine": "矿山清单",
         "plant": "工业企业清单"}
TABLES = ("boiler", "chp")  # tables with lon/lat columns; the other lists are point layers
POINT_LAYERS = ("mine", "plant")
POLYGON_LAYERS = ("admin", "builtup")
ENTERPRISE_KINDS = ("boiler", "mine", "plant", "chp")


def county_box(name: str) -> Tuple[float, float, float, float]:
    i = [c[0] for c in COUNTIES].index(name)
    x0, y0 = LON0 + STEP * (i % 5), LAT0 + STEP * (i // 5)
    return x0, y0, x0 + SIZE, y0 + SIZE


def centre(name: str) -> Tuple[float, float]:
    x0, y0, x1, y1 = county_box(name)
    return (x0 + x1) / 2, (y0 + y1) / 2


def builtup_box(county: str) -> Tuple[float, float, float, float]:
    x, y = centre(county)
    return x - 0.18, y - 0.18, x - 0.12, y - 0.12  # 0.06° square, 7 km inside the county


BUILTUP_COUNTIES = ("小店区", "清徐县", "平城区")


def admin_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"县区名称": [c[0] for c in COUNTIES], "所属地市": [c[1] for c in COUNTIES],
                             "行政区划代码": [c[2] for c in COUNTIES]},
                            geometry=[box(*county_box(c[0])) for c in COUNTIES], crs="EPSG:4326")


def builtup_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"名称": [f"{c}建成区" for c in BUILTUP_COUNTIES]},
                            geometry=[box(*builtup_box(c)) for c in BUILTUP_COUNTIES], crs="EPSG:4326")


def _middle(b: Tuple[float, float, float, float]) -> Tuple[float, float]:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def _near_builtup(county: str, dx_km: float, lat_off: float = 0.03) -> Tuple[float, float]:
    """A point east of the county's built-up square, ``dx_km`` beyond its edge."""
    x0, y0, x1, y1 = builtup_box(county)
    return x1 + dx_km / 90.0, (y0 + y1) / 2 + lat_off - 0.03


# (county of each row: the oracle lets the enterprises of a spoiled county change)
BOILERS = [  # 编号, 单位名称, 县区, lon, lat, 燃料类型, 额定蒸发量(t/h), 用途, 低氮改造
    ("GL-001", "小店供热站", "小店区", *_middle(builtup_box("小店区")), "燃煤", "20", "采暖", ""),
    ("GL-002", "阳高化工厂锅炉", "阳高县", *centre("阳高县"), "燃煤", "8蒸吨", "生产", ""),
    ("GL-003", "榆次燃气锅炉", "榆次区", centre("榆次区")[0] - 0.05, centre("榆次区")[1] + 0.05, "天然气", 4, "供暖", "否"),
    ("GL-004", "清徐热力", "清徐县", centre("清徐县")[0] + 0.05, centre("清徐县")[1] + 0.03, "燃煤", 12.0, "采暖", ""),
    ("GL-005", "和顺大锅炉", "和顺县", *centre("和顺县"), "燃煤", "40 t/h", "生产", ""),
    ("GL-006", "介休燃气", "介休市", *centre("介休市"), "燃气", "2.8MW", "采暖", "是"),
    ("GL-007", "尧都小锅炉", "尧都区", *centre("尧都区"), "燃煤", "6", "采暖", "否"),
]
CHP = [  # 编号, 电厂名称, 县区, lon, lat, 装机容量(MW), 落后燃煤小热电
    ("RD-300", "清徐热电厂", "清徐县", *centre("清徐县"), 300.0, "否"),
    ("RD-299", "榆次热电厂", "榆次区", *centre("榆次区"), "299MW", "否"),
    ("RD-050", "清徐小热电", "清徐县", centre("清徐县")[0] + 0.02, centre("清徐县")[1] - 0.03, 50, "是"),
]
MINES = [  # 编号, 矿山名称, 开采方式, 矿种, point
    ("KS-01", "小店石灰岩矿", "小店区", "露天开采", "石灰岩", _near_builtup("小店区", 1.5)),
    ("KS-02", "小店煤矿", "小店区", "井工", "煤", _near_builtup("小店区", 1.5, 0.04)),
    ("KS-03", "和顺采石场", "和顺县", "露天", "建筑用砂石", (centre("和顺县")[0] + 0.05, centre("和顺县")[1] + 0.05)),
    ("KS-04", "平城砂石矿", "平城区", "露天开采", "建筑用砂石", _near_builtup("平城区", 1.6)),
]
PLANTS = [  # 编号, 企业名称, 县区, 行业, 炭化室高度(m), 超低排放, 绩效分级, 大宗货物年运量(万吨), 日均重型柴油车(辆), point
    ("QY-01", "小店焦化", "小店区", "焦化", 4.3, "", "C", 200.0, 50, _near_builtup("小店区", 0.5, 0.01)),
    ("QY-02", "介休钢铁", "介休市", "钢铁", None, "否", "B", 80.0, 5, (centre("介休市")[0] - 0.05, centre("介休市")[1] - 0.05)),
    ("QY-03", "尧都铸造", "尧都区", "铸造", None, "", "D", 10.0, 12, (centre("尧都区")[0] - 0.05, centre("尧都区")[1] - 0.05)),
    ("QY-04", "阳高建材", "阳高县", "其他", None, "", "", 1.0, 0, (centre("阳高县")[0] - 0.05, centre("阳高县")[1] - 0.05)),
    ("QY-05", "榆次焦化", "榆次区", "焦化", "6.0米", "", "C", 160.0, 30, (centre("榆次区")[0] + 0.05, centre("榆次区")[1] - 0.05)),
]


def boiler_table() -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in BOILERS], dtype=object,
                        columns=["编号", "单位名称", "县区", "经度", "纬度", "燃料类型", "额定蒸发量(t/h)", "用途", "低氮改造"])


def chp_table() -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in CHP], dtype=object,
                        columns=["编号", "电厂名称", "县区", "经度", "纬度", "装机容量(MW)", "落后燃煤小热电"])


def mine_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"编号": [r[0] for r in MINES], "矿山名称": [r[1] for r in MINES],
                             "县区": [r[2] for r in MINES], "开采方式": [r[3] for r in MINES],
                             "矿种": [r[4] for r in MINES]},
                            geometry=[Point(*r[5]) for r in MINES], crs="EPSG:4326")


def plant_layer() -> gpd.GeoDataFrame:
    cols = ["编号", "企业名称", "县区", "行业", "炭化室高度(m)", "超低排放", "绩效分级", "大宗货物年运量(万吨)",
            "日均重型柴油车(辆)"]
    data = {c: [r[i] for r in PLANTS] for i, c in enumerate(cols)}
    data["炭化室高度(m)"] = pd.Series(data["炭化室高度(m)"], dtype=object)
    return gpd.GeoDataFrame(data, geometry=[Point(*r[-1]) for r in PLANTS], crs="EPSG:4326")


@dataclass
class Inputs:
    """The raw inputs of one run, as a user's layers and tables hold them."""

    admin: gpd.GeoDataFrame
    builtup: gpd.GeoDataFrame
    boiler: pd.DataFrame
    chp: pd.DataFrame
    mine: gpd.GeoDataFrame
    plant: gpd.GeoDataFrame

    def get(self, layer: str) -> Any:
        return getattr(self, layer)

    def with_layer(self, layer: str, frame: Any) -> Inputs:
        return replace(self, **{layer: frame})


def clean_inputs() -> Inputs:
    return Inputs(admin_layer(), builtup_layer(), boiler_table(), chp_table(), mine_layer(), plant_layer())


def row_number(kind: str, pos: int) -> int:
    """The row number the outputs give a list's row at ``pos`` (tables count the header as row 1)."""
    return pos + 2 if kind in TABLES else pos + 1


def county_of_rows() -> Dict[Tuple[str, int], str]:
    """(kind, row) → the county each clean enterprise lies in."""
    out = {}
    for kind, rows in (("boiler", BOILERS), ("chp", CHP), ("mine", MINES), ("plant", PLANTS)):
        for pos, r in enumerate(rows):
            out[(kind, row_number(kind, pos))] = r[2]
    return out


# -------------------------------------------------------------------------------------------- the job
@dataclass
class JobOutcome:
    result: Any
    messages: List[str]


def run_job(inputs: Inputs, ruleset) -> JobOutcome:
    """The job of ``layers.run_job.run_job`` on GeoDataFrames/DataFrames, without QGIS: the same checks,
    in the same order, then ``analysis.pipeline.run_analysis``. Messages are what the user would read."""
    from bluesky_zoning.analysis.inputs.admin import guess_admin_fields
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table
    from bluesky_zoning.analysis.inputs.validation import (
        check_point_layer,
        check_polygon_layer,
        empty_list_warning,
        problem_messages,
        to_wgs84_checked,
    )
    from bluesky_zoning.analysis.pipeline import prepare_admin, prepare_enterprise_layer, run_analysis

    messages: List[str] = []

    def say(lines: Sequence[str]) -> None:
        messages.extend(line for line in lines if line not in messages)

    def read(layer: str) -> gpd.GeoDataFrame:  # what Snapshot.read() gives: checked, EPSG:4326
        gdf, warnings = to_wgs84_checked(inputs.get(layer), NAMES[layer])
        say(warnings)
        return gdf

    admin_raw = read("admin")
    say(check_polygon_layer(admin_raw, NAMES["admin"], "admin",
                            guess_admin_fields([c for c in admin_raw.columns if c != "geometry"]).get("county")))
    builtup_raw = read("builtup")
    say(check_polygon_layer(builtup_raw, NAMES["builtup"], "builtup"))
    points = {}
    for kind in POINT_LAYERS:
        points[kind] = read(kind)
        say(check_point_layer(points[kind], NAMES[kind]))
    admin = prepare_admin(admin_raw, NAMES["admin"])
    enterprises = {}
    for kind in TABLES:  # what bluesky:import_list reads (the table path of the analysis)
        table = inputs.get(kind)
        if len(table) == 0:
            say([empty_list_warning(NAMES[kind])])
        enterprises[kind] = enterprises_from_table(table, kind, layer_name=NAMES[kind])
    for kind in POINT_LAYERS:
        enterprises[kind] = prepare_enterprise_layer(points[kind], kind, NAMES[kind])
    say(problem_messages(enterprises["chp"].problems, NAMES["chp"]))
    result = run_analysis(admin, builtup_raw, enterprises, enterprises["chp"], ruleset)
    say(result.field_notes)
    say(problem_messages(result.to_verify))
    say(result.notes)
    return JobOutcome(result, messages)


# -------------------------------------------------------------------------------------------- spoilings
@dataclass(frozen=True)
class Spoil:
    """One spoiling and what it may change.

    ``same``: the outputs must equal the clean run's. Otherwise the enterprises that may change are the
    ``rows`` (kind, row), those in ``counties``, every row of the ``kinds``, and — for all rows — the
    hits of ``rules``. ``refuse``: the run may stop with an InputError naming ``NAMES[layer]``.
    """

    what: str
    layer: str
    apply_fn: Any = field(repr=False, compare=False, default=None)
    same: bool = False
    rows: FrozenSet[Tuple[str, int]] = frozenset()
    counties: FrozenSet[str] = frozenset()
    kinds: FrozenSet[str] = frozenset()
    rules: FrozenSet[str] = frozenset()
    refuse: bool = False
    quiet: bool = False  # a valid value of another type: the row may change without a message
    verify_field: Optional[str] = None  # rows of the layer may be reported to verify for this field

    def apply(self, inputs: Inputs) -> Inputs:
        return inputs.with_layer(self.layer, self.apply_fn(inputs.get(self.layer).copy()))


@functools.lru_cache(maxsize=1)
def shipped_rules():
    """The shipped rule set, read once (the oracle asks it which rules need which field)."""
    from bluesky_zoning.analysis.plan.rules import load_rules

    return load_rules()


def _rules_needing(kind: str, fields: Sequence[str]) -> FrozenSet[str]:
    """Ids of the rules over ``kind`` whose conditions use one of ``fields`` (all of them for position)."""
    out = set()
    for rule in shipped_rules().rules:
        if kind not in rule.layers:
            continue
        if any(f in ("lon", "lat", "geometry") for f in fields) or any(c.field in fields for c in rule.conditions):
            out.add(rule.id)
    return frozenset(out)


@functools.lru_cache(maxsize=1)
def _chp_rules() -> FrozenSet[str]:
    from bluesky_zoning.analysis.plan.zone_registry import canonical_zone_id

    # the rules whose zone is the CHP heating radius (id Z-CHP; Z-CHP15 in older rule files)
    return frozenset(r.id for r in shipped_rules().rules
                     if canonical_zone_id(r.zone.id) == canonical_zone_id("Z-CHP15"))


@functools.cache
def _canonical(kind: str, column: str) -> Optional[str]:
    """The canonical field the clean list's ``column`` is guessed as (None for unmapped columns)."""
    from bluesky_zoning.analysis.schema.fields import guess_field_mapping

    cols = list(_columns(kind))
    for fname, col in guess_field_mapping(cols, kind).items():
        if col == column:
            return fname
    return None


@functools.cache
def _clean_frame(layer: str) -> pd.DataFrame:
    """The clean layer, built once; read only (spoilings copy the layer they change)."""
    return {"admin": admin_layer, "builtup": builtup_layer, "boiler": boiler_table, "chp": chp_table,
            "mine": mine_layer, "plant": plant_layer}[layer]()


@functools.cache
def _columns(layer: str) -> Tuple[str, ...]:
    frame = _clean_frame(layer)
    return tuple(c for c in frame.columns if c != "geometry")


def _layer_rows(layer: str) -> int:
    return {"admin": len(COUNTIES), "builtup": len(BUILTUP_COUNTIES), "boiler": len(BOILERS), "chp": len(CHP),
            "mine": len(MINES), "plant": len(PLANTS)}[layer]


def _scope_of_row(layer: str, pos: int, field_name: Optional[str] = None) -> Dict[str, Any]:
    """What may change when row ``pos`` of ``layer`` is spoiled."""
    if layer == "admin":
        return {"counties": frozenset({COUNTIES[pos][0]})}
    if layer == "builtup":
        return {"counties": frozenset({BUILTUP_COUNTIES[pos]})}
    scope: Dict[str, Any] = {"rows": frozenset({(layer, row_number(layer, pos))})}
    if layer == "chp" and field_name not in ("ent_id", "name", "county_hint", "small_backward_chp"):
        scope["rules"] = _chp_rules()  # the plant's 15 km radius may go: every list's CHP-radius hits
    return scope


def _scope_of_column(layer: str, column: str) -> Dict[str, Any]:
    """What may change when a whole column of ``layer`` is lost."""
    if layer == "admin":
        return {"counties": frozenset(c[0] for c in COUNTIES), "refuse": True}
    if layer == "builtup":
        return {}
    fname = _canonical(layer, column)
    if fname is None:
        return {}
    scope: Dict[str, Any] = {"rules": _rules_needing(layer, [fname]), "verify_field": fname}
    if fname in ("lon", "lat"):
        scope = {"kinds": frozenset({layer})}
    if layer == "chp" and fname in ("capacity_mw", "lon", "lat"):
        scope["rules"] = scope.get("rules", frozenset()) | _chp_rules()
        scope["kinds"] = frozenset({"chp"})
    return scope


# -- column spoilings ------------------------------------------------------------------------------------
MEANINGLESS = ("列1", "备注", "Unnamed: 7", "字段X", "col")


def _renamed(frame: pd.DataFrame, old: str, new: str) -> pd.DataFrame:
    cols = [new if c == old else c for c in frame.columns]
    frame.columns = cols
    return frame


def _keep_meaning_names(layer: str, column: str) -> List[str]:
    """Other spellings of the same header: full-width brackets, padding, the canonical English name."""
    out = [f" {column} ", column.replace("(", "（").replace(")", "）")]
    if layer in ENTERPRISE_KINDS:
        fname = _canonical(layer, column)
        if fname is not None and fname not in ("county_hint",):
            out.append(fname)
    elif layer == "admin":
        out.append({"县区名称": "county", "所属地市": "city", "行政区划代码": "adcode"}[column])
    return [n for n in dict.fromkeys(out) if n != column]


@st.composite
def column_spoil(draw, layer: str) -> Spoil:
    cols = _columns(layer)
    how = draw(st.sampled_from(["rename_same", "rename_lost", "drop", "blank", "reorder", "duplicate",
                                "duplicate_suffix", "dtype"]))
    column = draw(st.sampled_from(cols))
    if how == "dtype":
        # the same values held as another pandas dtype (how other readers hand them over)
        dtype = draw(st.sampled_from(["category", "string", "numeric"]))

        def convert(f: pd.DataFrame) -> pd.DataFrame:
            if dtype == "numeric":
                as_num = pd.to_numeric(f[column], errors="coerce")
                f[column] = as_num if as_num.notna().sum() == f[column].notna().sum() else f[column]
            else:
                f[column] = f[column].astype(dtype)
            return f

        return Spoil(f"列「{column}」的类型改为 {dtype}", layer, convert, same=True)
    if how == "rename_same":
        new = draw(st.sampled_from(_keep_meaning_names(layer, column)))
        return Spoil(f"列「{column}」改名为「{new}」", layer, lambda f: _renamed(f, column, new), same=True)
    if how in ("rename_lost", "drop", "blank"):
        new = draw(st.sampled_from(MEANINGLESS))
        scope = _scope_of_column(layer, column)
        if how == "drop":
            return Spoil(f"删去列「{column}」", layer, lambda f: f.drop(columns=[column]), **scope)
        if how == "blank":
            return Spoil(f"列「{column}」全部为空", layer, lambda f: f.assign(**{column: None}), **scope)
        return Spoil(f"列「{column}」改名为「{new}」", layer, lambda f: _renamed(f, column, new), **scope)
    if how == "reorder":
        perm = draw(st.permutations(cols))
        return Spoil(f"列顺序 {perm}", layer, lambda f: f[list(perm) + [c for c in f.columns if c not in perm]],
                     same=True)
    if how == "duplicate":
        # Two columns with the same header (a DataFrame built by hand, or an Excel sheet read as-is).
        def dup(f: pd.DataFrame) -> pd.DataFrame:
            pos = list(f.columns).index(column)
            f.insert(pos + 1, column, f[column].copy(), allow_duplicates=True)
            return f

        return Spoil(f"列「{column}」重复（同名）", layer, dup, same=True, refuse=True)

    def dup_suffix(f: pd.DataFrame) -> pd.DataFrame:  # what pandas.read_excel makes of a repeated header
        f.insert(len([c for c in f.columns if c != "geometry"]), f"{column}.1", f[column].copy())
        return f

    return Spoil(f"列「{column}」重复为「{column}.1」", layer, dup_suffix, same=True)


# -- cell spoilings --------------------------------------------------------------------------------------
_FULL = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


def full_width(value: Any) -> Any:
    return str(value).translate(_FULL)


def _is_numberish(value: Any) -> bool:
    try:
        float(str(value))
        return not isinstance(value, bool)
    except ValueError:
        return False


@st.composite
def cell_spoil(draw, layer: str) -> Spoil:
    frame = _clean_frame(layer)
    cols = _columns(layer)
    column = draw(st.sampled_from(cols))
    pos = draw(st.integers(0, len(frame) - 1))
    value = frame[column].iloc[pos]
    fname = _canonical(layer, column) if layer in ENTERPRISE_KINDS else None
    styles = ["null", "nan", "empty", "blank", "number", "bool", "date", "text"]
    if _is_numberish(value):
        styles += ["fullwidth", "as_text", "as_float", "padded", "negative", "huge"]
    style = draw(st.sampled_from(styles))
    keep = {"fullwidth": lambda v: full_width(v), "as_text": lambda v: str(v), "padded": lambda v: f"  {v}\t",
            "as_float": lambda v: float(v)}
    change = {"null": lambda v: None, "nan": lambda v: np.nan, "empty": lambda v: "", "blank": lambda v: "   ",
              "number": lambda v: 7, "bool": lambda v: True, "date": lambda v: pd.Timestamp("2020-10-01"),
              "text": lambda v: "待核实", "negative": lambda v: -float(v), "huge": lambda v: 1e12}
    fn = keep.get(style) or change[style]
    new = fn(value)

    def put(f: pd.DataFrame) -> pd.DataFrame:
        f[column] = f[column].astype(object)
        f.iloc[pos, list(f.columns).index(column)] = new
        return f

    what = f"第 {pos + 1} 条「{column}」：{value!r} → {new!r}"
    if style in keep:
        return Spoil(what, layer, put, same=True)
    quiet = style in ("number", "bool") and layer in ENTERPRISE_KINDS
    return Spoil(what, layer, put, quiet=quiet, **_scope_of_row(layer, pos, fname))


# -- geometry spoilings ----------------------------------------------------------------------------------
def _with_m(geom):
    """The geometry as it comes from a layer with M values (ISO WKB 'M' read back by shapely)."""
    if geom is None or geom.is_empty or geom.geom_type != "Point":
        return geom
    return shapely.from_wkb(struct.pack("<BIddd", 1, 2001, geom.x, geom.y, 7.0))


def _bowtie(geom):
    x0, y0, x1, y1 = geom.bounds
    return Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])


@st.composite
def geometry_spoil(draw, layer: str) -> Spoil:
    n = _layer_rows(layer)
    pos = draw(st.integers(0, n - 1))
    polygons = layer in POLYGON_LAYERS
    styles = ["multi", "z", "m", "empty", "null", "invalid"] + (["collection", "point"] if polygons else
                                                                ["multi2", "nan", "polygon"])
    style = draw(st.sampled_from(styles))

    def one(fn):
        def apply(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            geoms = list(f.geometry.values)
            geoms[pos] = fn(geoms[pos])
            return f.set_geometry(gpd.GeoSeries(geoms, index=f.index, crs=f.crs))
        return apply

    def every(fn):
        def apply(f: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return f.set_geometry(gpd.GeoSeries([fn(g) for g in f.geometry.values], index=f.index, crs=f.crs))
        return apply

    if style == "multi":
        fn = (lambda g: MultiPolygon([g])) if polygons else (lambda g: MultiPoint([g]))
        return Spoil(f"第 {pos + 1} 个几何改为单部分的多部件几何", layer, one(fn), same=True)
    if style == "collection":
        return Spoil(f"第 {pos + 1} 个面改为几何集合", layer,
                     one(lambda g: shapely.GeometryCollection([g])), same=True)
    if style == "z":
        return Spoil("全部几何加 Z 值", layer, every(lambda g: shapely.force_3d(g, 250.0)), same=True)
    if style == "m":
        return Spoil("全部几何带 M 值", layer, every(_with_m), same=True)
    scope = _scope_of_row(layer, pos, "geometry")
    if layer in ENTERPRISE_KINDS:
        scope["rows"] = frozenset({(layer, row_number(layer, pos))})
    if style == "empty":
        empty = Polygon() if polygons else Point()
        return Spoil(f"第 {pos + 1} 个几何为空几何", layer, one(lambda g: empty), refuse=n == 1, **scope)
    if style == "null":
        return Spoil(f"第 {pos + 1} 个几何为 NULL", layer, one(lambda g: None), refuse=n == 1, **scope)
    if style == "invalid":
        if polygons:
            return Spoil(f"第 {pos + 1} 个面自相交（领结形）", layer, one(_bowtie), **scope)
        return Spoil(f"第 {pos + 1} 个点为无穷远坐标", layer, one(lambda g: Point(float("inf"), g.y)), **scope)
    if style == "point":  # a point among polygons: the layer is not a polygon layer
        return Spoil(f"第 {pos + 1} 个要素是点", layer, one(lambda g: g.centroid), refuse=True, **scope)
    if style == "polygon":
        return Spoil(f"第 {pos + 1} 个要素是面", layer, one(lambda g: g.buffer(0.01)), **scope)
    if style == "nan":
        return Spoil(f"第 {pos + 1} 个点为 NaN 坐标", layer, one(lambda g: Point(float("nan"), float("nan"))), **scope)
    return Spoil(f"第 {pos + 1} 个点改为两点的多点几何", layer,
                 one(lambda g: MultiPoint([g, Point(g.x + 0.3, g.y + 0.3)])), **scope)


# -- CRS and whole-layer spoilings -------------------------------------------------------------------------
CRS_CHOICES = ("EPSG:4326", "EPSG:4490", "EPSG:4546", "EPSG:4547", "EPSG:3857", None)


@st.composite
def crs_spoil(draw, layer: str) -> Spoil:
    target = draw(st.sampled_from(CRS_CHOICES))
    if draw(st.integers(0, 3)) == 0 and target not in (None, "EPSG:4326"):
        # lon/lat declared as another CRS: CGCS2000 is the same to a metre here; a projected one is refused
        geographic = target == "EPSG:4490"
        return Spoil(f"经纬度被声明为 {target}", layer, lambda f: f.set_crs(target, allow_override=True),
                     same=geographic, refuse=not geographic,
                     kinds=frozenset({layer}) if layer in ENTERPRISE_KINDS else frozenset())
    if target is None:
        projected_first = draw(st.booleans())
        if projected_first:  # metres without a CRS: cannot be placed, must be refused
            return Spoil("坐标系丢失（投影坐标 EPSG:4546）", layer,
                         lambda f: f.to_crs("EPSG:4546").set_crs(None, allow_override=True), refuse=True,
                         same=False, kinds=frozenset({layer}) if layer in ENTERPRISE_KINDS else frozenset())
        return Spoil("坐标系丢失（经纬度）", layer, lambda f: f.set_crs(None, allow_override=True), same=True)
    return Spoil(f"重投影到 {target}", layer, lambda f: f.to_crs(target), same=True)


def empty_layer_spoil(layer: str) -> Spoil:
    scope: Dict[str, Any] = {}
    if layer in POLYGON_LAYERS:
        scope = {"refuse": True, "counties": frozenset(c[0] for c in COUNTIES)}
    else:
        scope = {"kinds": frozenset({layer})}
        if layer == "chp":
            scope["rules"] = _chp_rules()
    return Spoil("空图层（没有要素）", layer, lambda f: f.iloc[0:0], **scope)


@st.composite
def one_spoil(draw) -> Spoil:
    layer = draw(st.sampled_from(["admin", "builtup", "boiler", "chp", "mine", "plant"]))
    choices = ["column", "cell", "empty"]
    if layer not in TABLES:
        choices += ["geometry", "geometry", "crs"]
    if layer == "builtup":
        choices.remove("column")  # its only column is a name nobody reads
    how = draw(st.sampled_from(choices))
    if how == "column":
        return draw(column_spoil(layer))
    if how == "cell":
        return draw(cell_spoil(layer))
    if how == "geometry":
        return draw(geometry_spoil(layer))
    if how == "crs":
        return draw(crs_spoil(layer))
    return empty_layer_spoil(layer)


def spoilings(max_size: int = 3):
    """One to ``max_size`` spoilings, each of a different layer (so they do not undo each other)."""
    return st.lists(one_spoil(), min_size=1, max_size=max_size, unique_by=lambda s: s.layer)
