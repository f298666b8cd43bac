"""The demo's 2020-08 lists, derived from the 2020-07 ones with a fixed seed, for the monthly ledger (RULES.md §5).

The boiler, mine and plant changes (done / new / overdue movement) are drawn from ``SECOND_MONTH_SEED`` in the
order they always were; what version 4 added (villages converting coal households, plants gaining a siding or
more clean transport, key mines connected) draws from streams of its own, so that movement stays as it was.
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import numpy as np
import pandas as pd

from .files import (
    FILE_NAMES,
    GENERATOR_VERSION,
    SEED,
    SHEETS,
    STAMP_NAME,
    DemoData,
    read_json,
    write_csv,
    write_json,
    write_text,
    write_xlsx,
)
from .geo import offset
from .inventories import KNOWN_BAD_ROWS, set_value

FIRST_MONTH, SECOND_MONTH = "2020-07", "2020-08"
SECOND_MONTH_VERSION = "2"  # 2: villages, rail sidings and clean transport
SECOND_MONTH_SEED = SEED + 202008
# What the counties report changed between the two months (shares of the rows concerned, and counts).
SECOND_MONTH_CHANGES = {"coal_to_gas": 0.10, "boilers_closed": 0.04, "boilers_corrected": 30, "boilers_new": 30,
                        "mines_closed": 15, "mines_new": 3, "steel_ule_done": 0.4, "coking_exited": 0.3,
                        "plants_new": 4,
                        # version 2, each from its own stream (SECOND_MONTH_SEED + 1, + 2, + 3)
                        "villages_converted": 0.35, "villages_full": 0.06, "plants_siding_new": 4,
                        "steel_clean_transport_up": 5, "key_mines_connected": 4}
_COAL_WORDS = ("燃煤", "煤", "原煤", "燃煤(烟煤)", "coal")

_SECOND_NOTE = """山西演示数据 {month} 月清单说明 / Shanxi demo lists of {month}
=============================================

本文件夹由“蓝天管控分区”插件自动生成（随机种子 {seed}），仅供演示和测试：由 {first} 的合成清单推演出 {month}
各县报送的更新清单，用来演示逐月检点、逐项销号（月度台账）。全部为合成数据 / SYNTHETIC，不代表任何真实企业。
Derived from the {first} synthetic lists for the monthly ledger demo; every name, position and value is invented.

与 {first} 相比 / changes since {first}
- 燃煤锅炉改燃气 coal boilers converted to gas: {coal_to_gas} 台（其中部分未完成低氮改造）
- 锅炉关停拆除（从清单删除） boilers closed: {boilers_closed} 台
- 锅炉数值更正 corrected values (capacity, fuel): {boilers_corrected} 台，含问题行 GL-01024、GL-00137、GL-02048
- 新增锅炉 new boilers: {boilers_new} 台（编号 GL-05001 起）
- 露天矿山关闭 open-pit mines closed: {mines_closed} 座；新增矿山 new mines: {mines_new} 座（编号 KS-0801 起）；KS-0077 补填开采方式
- 钢铁企业完成超低排放改造 steel plants with ULE done: {steel_ule_done} 家；焦化企业退出 coking plants exited: {coking_exited} 家
- 新增工业企业 new plants: {plants_new} 家（编号 QY-01501 起）
- 新建铁路专用线 plants with a new rail siding: {plants_siding_new} 家；钢铁企业清洁运输比例提高到 80% 以上
  steel plants raising clean transport to 80 % or more: {steel_clean_transport_up} 家；重点煤矿接入铁路专用线
  key coal mines connected to a siding: {key_mines_connected} 座
- 村庄清洁取暖改造 villages converting loose-coal households: {villages_converted} 个村（社区），共 {coal_households_converted}
  户由散煤改为清洁取暖，其中 {villages_full} 个村（社区）达到 100%；村庄清单无编号，按村名和位置对应
- 各清单行序打乱（企业按编号对应，与行序无关） rows in another order
"""


def _second_month_paths(data: DemoData, month: str) -> DemoData:
    root = data.root / month
    names = {k: FILE_NAMES[k].replace("_synthetic", f"_synthetic_{month}")
             for k in ("boilers", "mines", "plants", "villages")}
    return DemoData(root=root, admin_gpkg=data.admin_gpkg, builtup_tif=data.builtup_tif,
                    boilers=root / names["boilers"], mines=root / names["mines"], plants=root / names["plants"],
                    chp=data.chp, villages=root / names["villages"],
                    note=root / f"README_synthetic_{month}_合成数据说明.txt",
                    coord_systems=dict(data.coord_systems), admin_layers=data.admin_layers)


def _jittered(rng: np.random.Generator, lon: object, lat: object) -> Tuple[object, object]:
    """A point 300–1500 m from (lon, lat), rounded like the lists; blanks stay blank."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return lon, lat
    r, t = rng.uniform(300.0, 1500.0), rng.uniform(0.0, 2 * np.pi)
    x, y = offset(x, y, r * np.cos(t), r * np.sin(t))
    return round(x, 6), round(y, 6)


def _new_rows(rng: np.random.Generator, df: pd.DataFrame, pool: np.ndarray, n: int, first_id: int, fmt: str,
              name_col: str, edit: Callable[[dict], None]) -> pd.DataFrame:
    """``n`` new entries next to existing ones of ``pool`` (their county), new ids from ``first_id``."""
    rows = []
    for k, i in enumerate(rng.choice(pool, n, replace=False)):
        row = df.iloc[int(i)].to_dict()
        row["编号"] = fmt.format(first_id + k)
        row[name_col] = f"{row[name_col]}（新建{k + 1}号）"
        row["经度"], row["纬度"] = _jittered(rng, row["经度"], row["纬度"])
        edit(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=df.columns)


def _month_boilers(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    bad = set(KNOWN_BAD_ROWS["boilers"].values())
    ids = df["编号"].astype(str).to_numpy()
    coal = np.flatnonzero(df["燃料类型"].astype(str).isin(_COAL_WORDS).to_numpy() & ~np.isin(ids, list(bad)))
    to_gas = rng.choice(coal, int(len(coal) * SECOND_MONTH_CHANGES["coal_to_gas"]), replace=False)
    df.loc[df.index[to_gas], "燃料类型"] = "天然气"
    df.loc[df.index[to_gas], "低氮改造"] = rng.choice(["是", "已完成", "否"], len(to_gas), p=[0.5, 0.2, 0.3])
    rest = np.setdiff1d(coal, to_gas)
    corrected = rng.choice(rest, SECOND_MONTH_CHANGES["boilers_corrected"] - 3, replace=False)
    df.loc[df.index[corrected], "额定蒸发量(t/h)"] = rng.choice(["40蒸吨", "6蒸吨", "12 t/h"], len(corrected))
    known = KNOWN_BAD_ROWS["boilers"]
    set_value(df, known["unparseable_capacity"], "额定蒸发量(t/h)", "20蒸吨")
    set_value(df, known["missing_capacity"], "额定蒸发量(t/h)", "4蒸吨")
    set_value(df, known["unknown_fuel"], "燃料类型", "燃煤")
    others = np.setdiff1d(np.flatnonzero(~np.isin(ids, list(bad))), np.concatenate([to_gas, corrected]))
    closed = rng.choice(others, int(len(df) * SECOND_MONTH_CHANGES["boilers_closed"]), replace=False)
    new = _new_rows(rng, df, rest, SECOND_MONTH_CHANGES["boilers_new"], 5001, "GL-{:05d}", "单位名称",
                    lambda r: r.update({"燃料类型": "燃煤", "额定蒸发量(t/h)": "4蒸吨", "低氮改造": ""}))
    counts.update(coal_to_gas=len(to_gas), boilers_closed=len(closed), boilers_corrected=len(corrected) + 3,
                  boilers_new=len(new))
    return pd.concat([df.drop(index=df.index[closed]), new], ignore_index=True)


def _month_mines(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    ids = df["编号"].astype(str)
    # the open-pit quarries just outside the prefecture built-up areas come first (see _make_mines)
    near_city = np.flatnonzero(df["开采方式"].astype(str).str.startswith("露天").to_numpy()
                               & (ids <= "KS-0044").to_numpy() & (ids != KNOWN_BAD_ROWS["mines"]["duplicate_id"]).to_numpy())
    closed = rng.choice(near_city, SECOND_MONTH_CHANGES["mines_closed"], replace=False)
    set_value(df, KNOWN_BAD_ROWS["mines"]["missing_method"], "开采方式", "井工")
    new = _new_rows(rng, df, np.setdiff1d(near_city, closed), SECOND_MONTH_CHANGES["mines_new"], 801, "KS-{:04d}",
                    "矿山名称", lambda r: r.update({"开采方式": "露天开采"}))
    counts.update(mines_closed=len(closed), mines_new=len(new))
    return pd.concat([df.drop(index=df.index[closed]), new], ignore_index=True)


def _month_plants(rng: np.random.Generator, df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    df = df.copy()
    bad = list(KNOWN_BAD_ROWS["plants"].values())
    ok = ~df["编号"].astype(str).isin(bad).to_numpy()
    steel = np.flatnonzero((df["行业"] == "钢铁").to_numpy() & ok
                           & df["超低排放"].fillna("").astype(str).isin(["否", ""]).to_numpy())
    ule = rng.choice(steel, int(len(steel) * SECOND_MONTH_CHANGES["steel_ule_done"]), replace=False)
    df.loc[df.index[ule], "超低排放"] = "已完成"
    height = pd.to_numeric(df["炭化室高度(m)"], errors="coerce").to_numpy()
    coking = np.flatnonzero((df["行业"] == "焦化").to_numpy() & ok & (height <= 4.3))
    exited = rng.choice(coking, int(len(coking) * SECOND_MONTH_CHANGES["coking_exited"]), replace=False)
    new = _new_rows(rng, df, np.flatnonzero(ok & (df["行业"] == "铸造").to_numpy()), SECOND_MONTH_CHANGES["plants_new"],
                    1501, "QY-{:05d}", "企业名称", lambda r: r.update({"绩效分级": "C"}))
    counts.update(steel_ule_done=len(ule), coking_exited=len(exited), plants_new=len(new))
    return pd.concat([df.drop(index=df.index[exited]), new], ignore_index=True)


def _number(value: object) -> float:
    """A clean number of a list cell, NaN for blanks and text ('约800', '85%')."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def _month_villages(df: pd.DataFrame, counts: Dict[str, int]) -> pd.DataFrame:
    """Villages converting loose-coal households (散煤户数 down, 清洁取暖户数 up by as many), a few reaching
    100 %; the messy rows stay as they were (a county fixes them when it is asked to)."""
    rng = np.random.default_rng(SECOND_MONTH_SEED + 1)
    df = df.copy()
    total, coal, clean = (df[c].map(_number).to_numpy(float) for c in ("总户数", "散煤户数", "清洁取暖户数"))
    pool = np.flatnonzero((coal > 0) & (clean + coal == total))
    chosen = rng.choice(pool, int(len(pool) * SECOND_MONTH_CHANGES["villages_converted"]), replace=False)
    full = set(rng.choice(chosen, int(len(chosen) * SECOND_MONTH_CHANGES["villages_full"]), replace=False).tolist())
    converted = 0
    c_coal, c_clean, c_heat = (df.columns.get_loc(c) for c in ("散煤户数", "清洁取暖户数", "取暖方式"))
    for k in chosen:
        moved = int(coal[k]) if k in full else max(1, int(coal[k] * rng.uniform(0.2, 0.8)))
        df.iat[k, c_coal], df.iat[k, c_clean] = int(coal[k]) - moved, int(clean[k]) + moved
        if k in full:
            df.iat[k, c_heat] = str(rng.choice(["煤改电", "煤改气", "集中供热"], p=[0.45, 0.4, 0.15]))
        elif df.iat[k, c_heat] == "燃煤":
            df.iat[k, c_heat] = "混合"
        converted += moved
    counts.update(villages_converted=len(chosen), villages_full=len(full), coal_households_converted=converted)
    return df


def _month_transport(plants: pd.DataFrame, mines: pd.DataFrame, counts: Dict[str, int]) -> Tuple[pd.DataFrame,
                                                                                                  pd.DataFrame]:
    """A few large shippers gaining a rail siding, a few steel plants raising clean transport to 80 % or more, a
    few key coal mines connected; rows of the known bad rows left alone."""
    rng = np.random.default_rng(SECOND_MONTH_SEED + 2)
    plants, mines = plants.copy(), mines.copy()
    ok = ~plants["编号"].astype(str).isin(list(KNOWN_BAD_ROWS["plants"].values())).to_numpy()
    freight = pd.to_numeric(plants["大宗货物年运量(万吨)"], errors="coerce").to_numpy(float)
    no_siding = plants["铁路专用线"].fillna("").astype(str).isin(["无", "否"]).to_numpy()
    gaining = rng.choice(np.flatnonzero(ok & no_siding & (freight >= 150)), SECOND_MONTH_CHANGES["plants_siding_new"],
                         replace=False)
    plants.loc[plants.index[gaining], "铁路专用线"] = "有"
    plants.loc[plants.index[gaining], "铁路运输比例(%)"] = rng.integers(55, 86, len(gaining))
    share = plants["清洁运输比例(%)"].map(_number).to_numpy(float)
    steel = np.flatnonzero(ok & (plants["行业"] == "钢铁").to_numpy() & (share < 80))
    raised = rng.choice(steel, SECOND_MONTH_CHANGES["steel_clean_transport_up"], replace=False)
    plants.loc[plants.index[raised], "清洁运输比例(%)"] = rng.integers(80, 93, len(raised))
    unconnected = np.flatnonzero((mines["重点煤矿"] == "是").to_numpy() & (mines["铁路专用线"] == "无").to_numpy())
    connected = rng.choice(unconnected, SECOND_MONTH_CHANGES["key_mines_connected"], replace=False)
    mines.loc[mines.index[connected], "铁路专用线"] = "有"
    counts.update(plants_siding_new=len(gaining), steel_clean_transport_up=len(raised),
                  key_mines_connected=len(connected))
    return plants, mines


def ensure_second_month(data: DemoData, force: bool = False) -> DemoData:
    """The demo's 2020-08 lists, derived from the 2020-07 ones (``data``) with a fixed seed: coal boilers
    converted to gas, some closed, open-pit mines closed, a few new entries, corrected values, villages
    converting coal households, new rail sidings, rows reordered. Written beside them in ``<root>/2020-08``
    (synthetic, say so in their names and note); the county layer, raster and CHP list stay those of ``data``.
    Regenerated only when missing or its version changes."""
    out = _second_month_paths(data, SECOND_MONTH)
    stamp = out.root / STAMP_NAME
    version = SECOND_MONTH_VERSION + "/" + GENERATOR_VERSION
    cached = read_json(stamp)
    files = (out.boilers, out.mines, out.plants, out.villages, out.note)
    if not force and cached and cached.get("version") == version and all(p.exists() for p in files):
        out.counts = cached.get("counts", {})
        return out
    out.root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SECOND_MONTH_SEED)
    changes: Dict[str, int] = {}
    boilers = _month_boilers(rng, pd.read_excel(data.boilers, dtype=object), changes)
    mines = _month_mines(rng, pd.read_csv(data.mines, dtype=object, keep_default_na=False, encoding="utf-8-sig"),
                         changes)
    plants = _month_plants(rng, pd.read_excel(data.plants, dtype=object), changes)
    # the counties send their lists in another row order
    boilers, mines, plants = (df.iloc[rng.permutation(len(df))].reset_index(drop=True) for df in (boilers, mines, plants))
    plants, mines = _month_transport(plants, mines, changes)
    villages = _month_villages(pd.read_excel(data.villages, dtype=object), changes)
    villages = villages.iloc[np.random.default_rng(SECOND_MONTH_SEED + 3).permutation(len(villages))]
    write_xlsx(boilers, out.boilers, SHEETS["boilers"])
    write_csv(mines, out.mines)
    write_xlsx(plants, out.plants, SHEETS["plants"])
    write_xlsx(villages.reset_index(drop=True), out.villages, SHEETS["villages"])
    write_text(_SECOND_NOTE.format(month=SECOND_MONTH, first=FIRST_MONTH, seed=SECOND_MONTH_SEED, **changes), out.note)
    out.counts = {**data.counts, "boilers": len(boilers), "mines": len(mines), "plants": len(plants),
                  "villages": len(villages), **changes}
    write_json({"version": version, "seed": SECOND_MONTH_SEED, "counts": out.counts}, stamp)
    return out
