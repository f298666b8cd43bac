"""The demo's synthetic enterprise lists as generated for 2020-07: boilers, mines, plants and CHP plants.

Every row is drawn from the demo's one random stream (``Geo`` first, then the raster, then these lists in this
order), so a list's rows stay the same from one generator version to the next unless a draw is added in
between: fields added later come from their own streams (``demo_transport``).
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np
import pandas as pd
import shapely

from ..analysis.inputs.coords import wgs84_to_gcj02
from .files import ROW_COUNTS
from .geo import Geo

# Rows deliberately broken so that the import and to-verify paths have something to report.
# Keys are the problem, values the 编号 of the affected row (the duplicate id appears twice).
KNOWN_BAD_ROWS: Dict[str, Dict[str, str]] = {
    "boilers": {
        "missing_capacity": "GL-00137",
        "unparseable_capacity": "GL-01024",  # '约20吨'
        "outside_shanxi": "GL-03333",  # a point in Shijiazhuang, Hebei
        "duplicate_id": "GL-04095",  # also used by the next row
        "blank_coordinate": "GL-04500",  # 经度 blank
        "unknown_fuel": "GL-02048",  # 燃料类型 blank
    },
    "mines": {
        "missing_method": "KS-0077",
        "outside_shanxi": "KS-0333",
        "duplicate_id": "KS-0500",
        "blank_coordinate": "KS-0700",  # 纬度 blank
    },
    "plants": {
        "missing_industry": "QY-00099",
        "outside_shanxi": "QY-00777",
        "duplicate_id": "QY-01200",
        "blank_coordinate": "QY-01400",
        "unparseable_height": "QY-00050",  # a coking plant with 炭化室高度 '待核实'
    },
    "chp": {
        "missing_capacity": "RD-031",
    },
}
_OUTSIDE_POINT_WGS84 = (114.5149, 38.0423)  # Shijiazhuang city centre, Hebei

BRANDS = ["鑫源", "恒泰", "晋能", "宏达", "永盛", "金泰", "华鑫", "龙城", "汾河", "三晋", "瑞丰", "兴业", "昌盛", "华润",
           "太行", "吕梁山", "东方", "富民", "新兴", "德隆", "广源", "嘉禾", "天成", "隆盛", "安泰", "凯达", "通达", "宝丰"]
_BOILER_KINDS = {
    "heating": ["供热站", "热力有限公司", "集中供热锅炉房", "小区锅炉房", "医院锅炉房", "学校锅炉房", "宾馆"],
    "industrial": ["食品有限公司", "化工有限公司", "造纸厂", "制药有限公司", "纺织有限公司", "酿造有限公司", "建材有限公司"],
}
_FUEL_VARIANTS = [
    (["燃煤", "煤", "原煤", "燃煤(烟煤)", "coal"], 0.50),
    (["燃气", "天然气", "燃气(天然气)", "NG", "煤层气"], 0.30),
    (["生物质", "生物质成型燃料"], 0.07),
    (["电", "电锅炉", "电加热"], 0.08),
    (["燃油", "柴油"], 0.03),
    (["其他", ""], 0.02),
]
_TPH_CHOICES = np.array([0.5, 1, 2, 4, 6, 10, 15, 20, 25, 30, 35, 40, 65, 75, 130])
_TPH_WEIGHTS = np.array([4, 10, 12, 14, 10, 14, 6, 8, 5, 3, 5, 3, 3, 2, 1], dtype=float)


def _format_tph(rng: np.random.Generator, tph: float) -> object:
    """A capacity as analysts type it: numbers, '35蒸吨', '20 t/h', '24.5MW', blanks."""
    style = rng.random()
    num = f"{tph:g}"
    if style < 0.35:
        return float(tph)
    if style < 0.55:
        return f"{num}蒸吨"
    if style < 0.70:
        return f"{num} t/h"
    if style < 0.78:
        return f"{num}t/h"
    if style < 0.86:
        return f"{num}吨"
    if style < 0.97:  # hot-water boilers are rated in MW: 1 t/h ≈ 0.7 MW
        return f"{round(tph * 0.7, 1):g}MW"
    return ""


def _pick_variant(rng: np.random.Generator, groups) -> Tuple[int, str]:
    p = np.array([g[1] for g in groups])
    gi = int(rng.choice(len(groups), p=p / p.sum()))
    variants = groups[gi][0]
    # The first spelling is the common one.
    vi = 0 if rng.random() < 0.6 else int(rng.integers(0, len(variants)))
    return gi, variants[vi]


def _county_weights(geo: Geo) -> np.ndarray:
    # Enterprises cluster where towns are large: urban districts get more.
    w = np.where(geo.urban, 3.0, 1.0) * geo.radius_m / 4000.0
    return w / w.sum()


def make_boilers(geo: Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["boilers"]
    weights = _county_weights(geo)
    rows = []
    for k in range(n):
        i = int(rng.choice(len(weights), p=weights))
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        r = geo.radius_m[i]
        where = rng.random()
        if where < 0.55:  # inside the built-up patch
            lon, lat = geo.sample_near_seat(rng, i, 0, 0.85 * r)
        elif where < 0.80:  # town outskirts
            lon, lat = geo.sample_near_seat(rng, i, 1.1 * r, 3.0 * r)
        else:
            lon, lat = geo.sample_in_county(rng, i)
        fuel_group, fuel = _pick_variant(rng, _FUEL_VARIANTS)
        heating = rng.random() < 0.6
        use = rng.choice(["供暖", "采暖"]) if heating else rng.choice(["工业", "生产"])
        if rng.random() < 0.03:
            use = ""
        kind = rng.choice(_BOILER_KINDS["heating" if heating else "industrial"])
        name = f"{city}{county}{rng.choice(BRANDS)}{kind}"
        tph = float(rng.choice(_TPH_CHOICES, p=_TPH_WEIGHTS / _TPH_WEIGHTS.sum()))
        cap = _format_tph(rng, tph)
        if fuel_group == 1:  # gas: the low-NOx question matters
            low_nox = rng.choice(["是", "否", "Y", "N", "已完成", ""], p=[0.3, 0.3, 0.08, 0.08, 0.14, 0.1])
        else:
            low_nox = "" if rng.random() < 0.85 else rng.choice(["否", "N"])
        rows.append([f"GL-{k + 1:05d}", name, county, lon, lat, fuel, cap, use, low_nox])
    df = pd.DataFrame(rows, columns=["编号", "单位名称", "县区", "经度", "纬度", "燃料类型", "额定蒸发量(t/h)", "用途", "低氮改造"])
    # Listed in GCJ-02, as if geocoded with Amap.
    glon, glat = wgs84_to_gcj02(df["经度"].to_numpy(float), df["纬度"].to_numpy(float))
    df["经度"], df["纬度"] = np.round(glon, 6), np.round(glat, 6)
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["boilers"]
    set_value(df, bad["missing_capacity"], "额定蒸发量(t/h)", "")
    set_value(df, bad["unparseable_capacity"], "额定蒸发量(t/h)", "约20吨")
    set_value(df, bad["unknown_fuel"], "燃料类型", "")
    olon, olat = wgs84_to_gcj02(*_OUTSIDE_POINT_WGS84)
    set_value(df, bad["outside_shanxi"], "经度", round(float(olon), 6))
    set_value(df, bad["outside_shanxi"], "纬度", round(float(olat), 6))
    set_value(df, bad["blank_coordinate"], "经度", "")
    _duplicate_next_id(df, bad["duplicate_id"])
    # Keep the duplicated-id and coordinate rows realistic: coal boilers that a rule would catch.
    set_value(df, bad["unparseable_capacity"], "燃料类型", "燃煤")
    return df


def set_value(df: pd.DataFrame, ent_id: str, column: str, value) -> None:
    """``column`` of the row(s) with 编号 ``ent_id`` set to ``value``."""
    df.loc[df["编号"] == ent_id, column] = value


def _duplicate_next_id(df: pd.DataFrame, ent_id: str) -> None:
    pos = int(np.flatnonzero(df["编号"].to_numpy() == ent_id)[0])
    df.iloc[pos + 1, df.columns.get_loc("编号")] = ent_id


def make_mines(geo: Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["mines"]
    rows = []
    urban_idx = np.flatnonzero(geo.urban)
    # Open-pit quarries just outside the prefecture built-up areas (the Z-MINE rule's targets).
    near_city = []
    for city in geo.cities["city"]:
        districts = [i for i in urban_idx if geo.counties.at[i, "city"] == city]
        for j in range(4):
            near_city.append(districts[j % len(districts)])
    for k in range(n):
        if k < len(near_city):
            i = int(near_city[k])
            r = geo.radius_m[i]
            lon, lat = geo.sample_near_seat(rng, i, r * 1.05, r * 1.05 + 4000)
            method = rng.choice(["露天开采", "露天"])
            mineral = rng.choice(["石灰岩", "建筑用砂石", "白云岩", "砖瓦用黏土"])
        else:
            i = int(rng.integers(0, len(geo.counties)))
            lon, lat = geo.sample_in_county(rng, i)
            mineral = rng.choice(["煤", "铁矿", "石灰岩", "铝土矿", "白云岩", "建筑用砂石", "石膏"],
                                 p=[0.55, 0.1, 0.12, 0.08, 0.05, 0.07, 0.03])
            open_pit = rng.random() < (0.15 if mineral == "煤" else 0.6)
            method = rng.choice(["露天开采", "露天"]) if open_pit else rng.choice(["井工", "地下开采"])
        county = geo.counties.at[i, "county"]
        suffix = {"煤": "煤业有限公司", "铁矿": "铁矿", "铝土矿": "铝土矿"}.get(mineral, f"{mineral}矿")
        name = f"{geo.counties.at[i, 'city']}{county}{rng.choice(BRANDS)}{suffix}"
        rows.append([f"KS-{k + 1:04d}", name, county, round(lon, 6), round(lat, 6), method, mineral])
    df = pd.DataFrame(rows, columns=["编号", "矿山名称", "县区", "经度", "纬度", "开采方式", "矿种"])
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["mines"]
    set_value(df, bad["missing_method"], "开采方式", "")
    set_value(df, bad["outside_shanxi"], "经度", _OUTSIDE_POINT_WGS84[0])
    set_value(df, bad["outside_shanxi"], "纬度", _OUTSIDE_POINT_WGS84[1])
    set_value(df, bad["blank_coordinate"], "纬度", "")
    _duplicate_next_id(df, bad["duplicate_id"])
    return df


# Industry → (share of rows, preferred counties, preferred cities). Coking and steel sit where they
# really concentrate, so the P-COKE43 / P-ULE rules have targets in the right cities.
_INDUSTRIES: List[Tuple[str, float, Sequence[str], Sequence[str]]] = [
    ("焦化", 0.08, ["清徐县", "古交市", "介休市", "灵石县", "孝义市", "汾阳市", "文水县", "交城县", "洪洞县", "襄汾县",
                   "尧都区", "侯马市", "潞城区", "襄垣县", "屯留区", "河津市", "平遥县", "阳曲县"],
     ["太原市", "临汾市", "长治市", "晋中市", "吕梁市"]),
    ("钢铁", 0.05, ["尖草坪区", "万柏林区", "潞州区", "上党区", "翼城县", "曲沃县", "闻喜县", "河津市", "文水县", "交城县",
                   "中阳县", "平遥县", "介休市", "泽州县", "定襄县"],
     ["太原市", "长治市", "临汾市", "运城市", "吕梁市", "晋中市"]),
    ("铸造", 0.15, [], []),
    ("洗煤", 0.15, [], ["大同市", "朔州市", "吕梁市", "临汾市", "长治市", "晋城市"]),
    ("水泥", 0.06, [], []),
    ("化工", 0.10, [], []),
    ("砖瓦", 0.12, [], []),
    ("陶瓷", 0.05, [], []),
    ("玻璃", 0.03, [], []),
    ("铝冶炼", 0.03, [], ["运城市", "吕梁市", "忻州市"]),
    ("热电", 0.02, [], []),
    ("建材", 0.08, [], []),
    ("其他", 0.08, [], []),
]
_COKE_HEIGHTS = [4.3, 3.8, 4.3, 5.5, 6.0, 6.25, 7.0, 4.3, 5.5, 6.0]
_PLANT_SUFFIX = {"焦化": "焦化有限公司", "钢铁": "钢铁有限公司", "铸造": "铸造有限公司", "洗煤": "洗煤厂", "水泥": "水泥有限公司",
                 "化工": "化工有限公司", "砖瓦": "砖厂", "陶瓷": "陶瓷有限公司", "玻璃": "玻璃制品有限公司",
                 "铝冶炼": "铝业有限公司", "热电": "热电有限公司", "建材": "新型建材有限公司", "其他": "实业有限公司"}


def _choose_county(geo: Geo, rng: np.random.Generator, counties: Sequence[str], cities: Sequence[str]) -> int:
    if counties and rng.random() < 0.7:
        return geo.county_index(str(rng.choice(list(counties))))
    if cities:
        idx = np.flatnonzero(geo.counties["city"].isin(list(cities)).to_numpy())
        return int(rng.choice(idx))
    return int(rng.choice(len(geo.counties), p=_county_weights(geo)))


def make_plants(geo: Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["plants"]
    shares = np.array([x[1] for x in _INDUSTRIES])
    rows = []
    for k in range(n):
        name_i, _share, pref_counties, pref_cities = _INDUSTRIES[int(rng.choice(len(shares), p=shares / shares.sum()))]
        i = _choose_county(geo, rng, pref_counties, pref_cities)
        r = geo.radius_m[i]
        lon, lat = geo.sample_near_seat(rng, i, 0.3 * r, 2.5 * r) if rng.random() < 0.8 else geo.sample_in_county(rng, i)
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        height: object = ""
        if name_i == "焦化":
            height = float(rng.choice(_COKE_HEIGHTS)) if rng.random() < 0.92 else f"{rng.choice(_COKE_HEIGHTS)}米"
        ule: object = ""
        if name_i == "钢铁":
            ule = str(rng.choice(["是", "否", "已完成", ""], p=[0.3, 0.35, 0.2, 0.15]))
        perf = str(rng.choice(["A", "B", "C", "D", ""], p=[0.08, 0.22, 0.35, 0.3, 0.05]))
        heavy = name_i in ("焦化", "钢铁", "水泥", "洗煤", "铝冶炼", "热电")
        freight = round(float(rng.uniform(60, 900) if heavy else rng.uniform(0.5, 120)), 1)
        trucks = int(rng.integers(10, 400) if heavy else rng.integers(0, 40))
        name = f"{city}{county}{rng.choice(BRANDS)}{_PLANT_SUFFIX[name_i]}"
        # CHP plants of the list say their capacity and whether they are backward small units (B-SMALLCHP);
        # derived from k, so the random stream (and every other value) stays that of generator version 1
        cap: object = float(_PLANT_CHP_MW[k % len(_PLANT_CHP_MW)]) if name_i == "热电" else ""
        small = ("是" if cap < 150 else "否") if name_i == "热电" else "否"
        rows.append([f"QY-{k + 1:05d}", name, county, round(lon, 6), round(lat, 6), name_i, height, ule, perf,
                     freight, trucks, cap, small])
    df = pd.DataFrame(rows, columns=["编号", "企业名称", "县区", "经度", "纬度", "行业", "炭化室高度(m)", "超低排放",
                                     "绩效分级", "大宗货物年运量(万吨)", "日均重型柴油车(辆)", "装机容量(MW)",
                                     "落后燃煤小热电"])
    df["经度"] = df["经度"].astype(object)
    df["纬度"] = df["纬度"].astype(object)
    bad = KNOWN_BAD_ROWS["plants"]
    set_value(df, bad["missing_industry"], "行业", "")
    set_value(df, bad["outside_shanxi"], "经度", _OUTSIDE_POINT_WGS84[0])
    set_value(df, bad["outside_shanxi"], "纬度", _OUTSIDE_POINT_WGS84[1])
    set_value(df, bad["blank_coordinate"], "经度", "")
    set_value(df, bad["blank_coordinate"], "纬度", "")
    set_value(df, bad["unparseable_height"], "行业", "焦化")
    set_value(df, bad["unparseable_height"], "炭化室高度(m)", "待核实")
    _duplicate_next_id(df, bad["duplicate_id"])
    return df


_PLANT_CHP_MW = [25, 50, 135, 200, 330, 60]
N_SMALL_CHP_IN_RADIUS = 3  # backward small CHP units placed ~6 km from a large plant, so B-SMALLCHP has hits


def make_chp(geo: Geo, rng: np.random.Generator) -> pd.DataFrame:
    n = ROW_COUNTS["chp"]
    urban_idx = np.flatnonzero(geo.urban)
    # Two plants per prefecture city near its urban districts, the rest in ordinary counties.
    sites: List[int] = []
    for city in geo.cities["city"]:
        districts = [i for i in urban_idx if geo.counties.at[i, "city"] == city]
        sites += [int(districts[0]), int(districts[-1])]
    others = np.flatnonzero(~geo.urban)
    sites += [int(x) for x in rng.choice(others, n - len(sites), replace=False)]
    big = [300, 600, 700, 1200, 350, 660, 300, 600, 1000, 700, 600, 300]
    capacities = [float(big[k % len(big)]) for k in range(22)]
    capacities[3] = 299.0  # just below the 30万千瓦 threshold
    capacities[8] = 270.0
    capacities += [float(rng.choice([50, 60, 100, 135, 150, 200, 300, 330, 600])) for _ in range(n - 22)]
    rows = []
    for k, i in enumerate(sites):
        r = geo.radius_m[i]
        lon, lat = geo.sample_near_seat(rng, i, 0.6 * r, r + 6000)
        county, city = geo.counties.at[i, "county"], geo.counties.at[i, "city"]
        cap = capacities[k]
        small = "是" if cap < 100 or (cap < 200 and rng.random() < 0.5) else "否"
        name = f"{city}{county}{rng.choice(BRANDS)}热电有限公司"
        rows.append([f"RD-{k + 1:03d}", name, county, round(lon, 6), round(lat, 6), cap, small])
    # After every random draw: a few small units moved next to a large plant (inside its 15 km radius).
    big = [k for k, r in enumerate(rows) if r[5] >= 300 and r[0] not in KNOWN_BAD_ROWS["chp"].values()]
    small_rows = [k for k, r in enumerate(rows) if r[6] == "是" and r[0] not in KNOWN_BAD_ROWS["chp"].values()]
    for j, k in enumerate(small_rows[:N_SMALL_CHP_IN_RADIUS]):
        b = rows[big[(3 * j) % len(big)]]
        lon, lat = round(b[3] + 0.05, 6), round(b[4] + 0.03, 6)  # ~5.5 km north-east of the large plant
        inside = [i for i, g in enumerate(geo.geoms) if shapely.contains_xy(g, lon, lat)]
        i_old, i_new = sites[k], (inside[0] if inside else sites[big[(3 * j) % len(big)]])
        old_place = geo.counties.at[i_old, "city"] + rows[k][2]
        new_county = geo.counties.at[i_new, "county"]
        new_place = geo.counties.at[i_new, "city"] + new_county
        rows[k][1] = rows[k][1].replace(old_place, new_place, 1).replace("热电有限公司", "小热电厂")
        rows[k][2:5] = [new_county, lon, lat]
    df = pd.DataFrame(rows, columns=["编号", "电厂名称", "县区", "经度", "纬度", "装机容量(MW)", "落后燃煤小热电"])
    df["装机容量(MW)"] = df["装机容量(MW)"].astype(object)
    set_value(df, KNOWN_BAD_ROWS["chp"]["missing_capacity"], "装机容量(MW)", "")
    return df

