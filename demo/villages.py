"""The demo's synthetic village list (行政村/社区) for clean heating, 三(二)7 (RULES.md §4: V-COAL0, V-HEAT100 and
the rural 60 % coverage target).

Three kinds of places per county, so every rule and the target has something to show:
- inside the built-up patch (communities and 城中村), placed on cells the raster really marks as built up, most
  short of 100 % clean heating (V-HEAT100);
- just outside it (cells at 0 with a built-up cell 1.5 km nearer the seat): the urban-rural fringe when the
  fringe ring is on, ordinary rural villages when it is off;
- rural villages, whose households-weighted coverage lands above 60 % in half the counties and below in the other
  half; the eight northern plain districts (the rules file's ``north_coal_zero``) get many, mostly 平原, most still
  burning loose coal (V-COAL0).
Like the other lists it is messy: blank 地形, household numbers written as text, 清洁取暖户数 above 总户数, rows
with 散煤户数 only, rows without coordinates (listed in the demo's note by "县区/村名": the list has no id
column, as many do not). Its own random stream keeps every other list as it was.
"""
from __future__ import annotations

from typing import Dict, List, Set, Tuple

import numpy as np
import pandas as pd
import shapely

from ..analysis.plan.rules import load_rules
from .files import SEED, draw
from .geo import M_PER_DEG, BuiltupGrid, Geo, offset

VILLAGE_SEED = SEED + 5
VILLAGE_COLUMNS = ["村名", "所属县区", "经度", "纬度", "总户数", "散煤户数", "清洁取暖户数", "取暖方式", "地形"]
HEATING_MODES = ("燃煤", "煤改气", "煤改电", "集中供热", "生物质", "混合")
_MESS_COUNTS = {"households_as_text": 8, "coal_as_text": 5, "clean_above_total": 5, "coal_only": 8,
                "no_coordinates": 4}
_TERRAIN_BLANK_SHARE = 0.04

_SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾田董")
_PLACES = ["庄", "堡", "沟", "峪", "坡", "湾", "寨", "营", "屯", "窑", "河", "坪"]
_PREFIXES = ["东", "西", "南", "北", "前", "后", "上", "下", "大", "小", "新", "石", "柳", "杨", "槐", "红", "高"]
_TOWN_PARTS = ["关", "街", "堡", "庄", "头", "寨", "营", "坊", "门", "河", "滩", "沟", "峪", "窑"]
_STREETS = ["南街", "北街", "东街", "西街", "东关", "西关", "南关", "北关", "新华", "建设", "解放", "迎宾", "桃园", "府西",
            "青年路", "朝阳", "文化", "光明", "和平", "育才", "五一路", "胜利", "园林", "新民", "康乐", "锦绣", "阳光",
            "世纪", "滨河", "永安", "站前", "兴华", "广场", "鼓楼", "钟楼", "城北", "城南", "新城", "花园", "振兴"]
_CLEAN_RURAL = (["煤改电", "煤改气", "生物质", "集中供热"], [0.4, 0.35, 0.1, 0.15])
_CLEAN_TOWN = (["集中供热", "煤改气", "煤改电"], [0.6, 0.25, 0.15])
_TERRAIN_NORTH = (["平原", "丘陵", "山区"], [0.85, 0.1, 0.05])
_TERRAIN_URBAN = (["平原", "丘陵", "山区"], [0.8, 0.15, 0.05])
_TERRAIN_COUNTY = (["平原", "丘陵", "山区"], [0.35, 0.3, 0.35])


def north_plain_counties() -> Set[Tuple[str, str]]:
    """(city, county) of the northern plain coal-zero districts, as the shipped rules file lists them."""
    regions = load_rules().regions.get("north_coal_zero", {})
    return {(city, county) for city, counties in regions.items() for county in counties}


def _pick(rng: np.random.Generator, choices) -> str:
    return draw(rng, *choices)


def _village_name(rng: np.random.Generator, used: Set[str], community: bool) -> str:
    """A name not yet used in the county; a crowded county numbers them as the bureaus do (东关二村)."""
    for attempt in range(60):
        if community:
            stem, suffix = draw(rng, _STREETS), "社区"
        else:
            style, suffix = rng.random(), "村"
            if style < 0.4:
                stem = f"{draw(rng, _SURNAMES)}家{draw(rng, _PLACES)}"
            elif style < 0.7:
                stem = f"{draw(rng, _PREFIXES)}{draw(rng, _TOWN_PARTS)}"
            elif style < 0.85:
                stem = f"{draw(rng, _SURNAMES)}{draw(rng, _PLACES)}"
            else:
                stem = f"{draw(rng, _PREFIXES)}{draw(rng, _SURNAMES)}{draw(rng, _PLACES)}"
        name = stem + ("" if attempt < 30 else "一二三四五六七八九"[attempt % 9]) + suffix
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("no free village name")  # thousands of names for at most ~60 a county: not reached


def _candidates(geo: Geo, rng: np.random.Generator, i: int, rmin: float, rmax: float, n: int):
    """``n`` points rmin..rmax metres from county i's seat (area-uniform), those inside the county."""
    r = np.sqrt(rng.uniform(rmin**2, rmax**2, n))
    t = rng.uniform(0, 2 * np.pi, n)
    lon, lat = offset(geo.seat_x[i], geo.seat_y[i], r * np.cos(t), r * np.sin(t))
    ok = shapely.contains_xy(geo.geoms[i], lon, lat)
    return lon[ok], lat[ok], t[ok]


def _inside(geo: Geo, grid: BuiltupGrid, rng: np.random.Generator, i: int, n: int) -> List[Tuple[float, float]]:
    """Points on cells of ≥ 60 % built-up (built up at any threshold up to 60) of county i's patch."""
    lon, lat, _ = _candidates(geo, rng, i, 0.0, 0.9 * geo.radius_m[i], 40 * n)
    value = grid.values_at(lon, lat)
    keep = np.flatnonzero((value >= 60) & (value <= 100))[:n]
    return [(float(lon[k]), float(lat[k])) for k in keep]


def _fringe(geo: Geo, grid: BuiltupGrid, rng: np.random.Generator, i: int, n: int) -> List[Tuple[float, float]]:
    """Points on cells at 0 whose neighbour 1.5 km nearer the seat is ≥ 50 % built up: just outside the patch."""
    r = geo.radius_m[i]
    lon, lat, t = _candidates(geo, rng, i, 0.9 * r, 1.8 * r + 1500.0, 60 * n)
    inner_lon, inner_lat = offset(lon, lat, -1500.0 * np.cos(t), -1500.0 * np.sin(t))
    inner = grid.values_at(inner_lon, inner_lat)
    keep = np.flatnonzero((grid.values_at(lon, lat) == 0) & (inner >= 50) & (inner <= 100))[:n]
    return [(float(lon[k]), float(lat[k])) for k in keep]


def _rural(geo: Geo, grid: BuiltupGrid, rng: np.random.Generator, i: int, n: int) -> List[Tuple[float, float]]:
    """Points anywhere in county i on cells at 0, farther than 1.8 patch radii from the seat."""
    minx, miny, maxx, maxy = geo.geoms[i].bounds
    m = 30 * n + 50
    lon, lat = rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)
    ok = shapely.contains_xy(geo.geoms[i], lon, lat)
    dx = (lon - geo.seat_x[i]) * M_PER_DEG * np.cos(np.radians(lat))
    dy = (lat - geo.seat_y[i]) * M_PER_DEG
    ok &= (np.hypot(dx, dy) > 1.8 * geo.radius_m[i]) & (grid.values_at(lon, lat) == 0)
    keep = np.flatnonzero(ok)[:n]
    return [(float(lon[k]), float(lat[k])) for k in keep]


def _heating(rng: np.random.Generator, cover: float, town: bool) -> str:
    clean = _pick(rng, _CLEAN_TOWN if town else _CLEAN_RURAL)
    if cover >= 1.0:
        return clean
    if cover < 0.5:
        return "燃煤" if rng.random() < 0.6 else "混合"
    return "混合" if rng.random() < 0.5 else clean


def _households(rng: np.random.Generator, community: bool, town: bool) -> int:
    if community:
        return int(round(rng.uniform(1500, 8000), -1))
    median = 1000.0 if town else 550.0
    return int(min(max(rng.lognormal(np.log(median), 0.55), 90.0), 3200.0))


def _row(rng, name, county, lon, lat, total, cover, town, terrain) -> list:
    clean = total if cover >= 1.0 else int(round(total * cover))
    return [name, county, round(lon, 6), round(lat, 6), total, total - clean, clean,
            _heating(rng, clean / total, town), terrain]


def _county_rows(geo: Geo, grid: BuiltupGrid, rng: np.random.Generator, i: int, north: bool,
                 target: float) -> List[list]:
    county, urban = str(geo.counties.at[i, "county"]), bool(geo.urban[i])
    used: Set[str] = set()
    rows = []
    n_inside = int(rng.integers(5, 11) if urban else rng.integers(2, 5))
    for lon, lat in _inside(geo, grid, rng, i, n_inside):
        community = rng.random() < (0.7 if urban else 0.4)
        cover = 1.0 if rng.random() < 0.15 else rng.uniform(0.55, 0.98)
        terrain = "平原" if north else _pick(rng, _TERRAIN_URBAN)
        rows.append(_row(rng, _village_name(rng, used, community), county, lon, lat,
                         _households(rng, community, True), cover, True, terrain))
    n_fringe = int(rng.integers(3, 7) if urban else rng.integers(2, 5))
    for lon, lat in _fringe(geo, grid, rng, i, n_fringe):
        cover = 1.0 if rng.random() < 0.1 else rng.uniform(0.3, 0.95)
        terrain = "平原" if north else _pick(rng, _TERRAIN_URBAN)
        rows.append(_row(rng, _village_name(rng, used, False), county, lon, lat, _households(rng, False, False),
                         cover, False, terrain))
    n_rural = int(rng.integers(35, 50) if north else rng.integers(4, 10) if urban else rng.integers(12, 26))
    for lon, lat in _rural(geo, grid, rng, i, n_rural):
        cover = 1.0 if rng.random() < (0.08 if north else 0.12) else min(max(rng.normal(target, 0.22), 0.0), 1.0)
        terrain = _pick(rng, _TERRAIN_NORTH if north else _TERRAIN_URBAN if urban else _TERRAIN_COUNTY)
        rows.append(_row(rng, _village_name(rng, used, False), county, lon, lat, _households(rng, False, False),
                         cover, False, terrain))
    return rows


def _spoil(df: pd.DataFrame, rng: np.random.Generator) -> Dict[str, List[str]]:
    """Make a few rows messy (disjoint rows per problem); return which, by "县区/村名"."""
    keys = (df["所属县区"] + "/" + df["村名"]).to_numpy()
    order = rng.permutation(len(df))
    total = df["总户数"].to_numpy(int)
    coal = df["散煤户数"].to_numpy(int)
    taken: Set[int] = set()

    def take(n: int, fits) -> List[int]:
        rows = [int(k) for k in order if int(k) not in taken and fits(int(k))][:n]
        taken.update(rows)
        return rows

    c = df.columns.get_loc
    messy: Dict[str, List[str]] = {}
    rows = take(_MESS_COUNTS["households_as_text"], lambda k: total[k] >= 1000)
    for k in rows:
        df.iat[k, c("总户数")] = f"{total[k]:,}户"
    messy["households_as_text"] = rows
    rows = take(_MESS_COUNTS["coal_as_text"], lambda k: coal[k] >= 100)
    for k in rows:
        df.iat[k, c("散煤户数")] = f"约{int(round(coal[k], -1))}"
    messy["coal_as_text"] = rows
    rows = take(_MESS_COUNTS["clean_above_total"], lambda k: coal[k] > 0)
    for k in rows:
        df.iat[k, c("清洁取暖户数")] = int(total[k] + rng.integers(5, 80))
    messy["clean_above_total"] = rows
    rows = take(_MESS_COUNTS["coal_only"], lambda k: coal[k] > 0)
    for k in rows:
        df.iat[k, c("清洁取暖户数")] = ""
    messy["coal_only"] = rows
    rows = take(_MESS_COUNTS["no_coordinates"], lambda k: True)
    for k in rows:
        df.iat[k, c("经度")] = ""
        df.iat[k, c("纬度")] = ""
    messy["no_coordinates"] = rows
    blank = rng.random(len(df)) < _TERRAIN_BLANK_SHARE
    df.loc[blank, "地形"] = ""
    messy["terrain_blank"] = list(np.flatnonzero(blank))
    return {problem: [str(keys[k]) for k in rows] for problem, rows in messy.items()}


def make_villages(geo: Geo, grid: BuiltupGrid) -> Tuple[pd.DataFrame, Dict[str, List[str]]]:
    """The village list, county by county, and its messy rows by problem ("县区/村名")."""
    rng = np.random.default_rng(VILLAGE_SEED)
    north = north_plain_counties()
    n = len(geo.counties)
    # Half the counties above the 60 % rural target and half below, in a shuffled order; the north lags.
    above = np.zeros(n, bool)
    above[rng.permutation(n)[: n // 2]] = True
    targets = np.where(above, rng.uniform(0.64, 0.9, n), rng.uniform(0.3, 0.55, n))
    rows: List[list] = []
    for i in range(n):
        is_north = (geo.counties.at[i, "city"], geo.counties.at[i, "county"]) in north
        target = rng.uniform(0.25, 0.6) if is_north else float(targets[i])
        rows += _county_rows(geo, grid, rng, i, is_north, target)
    df = pd.DataFrame(rows, columns=VILLAGE_COLUMNS).astype(object)
    return df, _spoil(df, rng)
