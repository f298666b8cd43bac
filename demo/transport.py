"""Fields added to the demo's plant and mine lists after their rows were drawn (generator version 4).

RULES.md §4: clean transport and rail sidings of plants (P-TRANS, P-ULE1P30 amended, T-RAIL amended), key coal
mines and their sidings (M-RAIL), and the plan's industries of 三(五)20 and P-WASH in the plant list. Each comes
from its own random stream, so every value the earlier versions wrote stays as it was: the only change to an
existing cell is that most of the former 洗煤 plants now belong to the industries the list lacked (耐火材料,
石灰, 有色金属); no rule of version 3 reads 洗煤, and their freight and trucks stay.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .files import SEED, draw
from .inventories import KNOWN_BAD_ROWS

TRANSPORT_SEED = SEED + 3
MINE_FIELDS_SEED = SEED + 4
WASHING_SEED = SEED + 6

PLANT_TRANSPORT_COLUMNS = ["清洁运输比例(%)", "铁路专用线", "铁路运输比例(%)"]
MINE_COLUMNS = ["重点煤矿", "铁路专用线"]
N_COAL_WASHING = 40
# The former washing plants become these (label, name suffixes, share); 煤炭洗选 is the GB/T 4754 name.
_FROM_WASHING = [("耐火材料", ["耐火材料有限公司", "耐材有限公司"], 0.35), ("石灰", ["石灰厂", "白灰厂"], 0.3),
                 ("有色金属", ["镁业有限公司", "有色金属有限公司"], 0.35)]
_WASHING_LABELS = (["洗煤", "煤炭洗选"], [0.7, 0.3])
_LARGE_FREIGHT = 150.0  # 万吨 a year: the plan's 大型工矿企业 of 三(三)11 (the rules file's rail_freight_10kt)
_SIDING_LARGE = {"钢铁": (["有", "无", "是", "否", ""], [0.6, 0.2, 0.05, 0.05, 0.1]),
                 "other": (["有", "无", "是", "否", ""], [0.35, 0.4, 0.05, 0.08, 0.12])}
_SIDING_MEDIUM = (["有", "无", ""], [0.1, 0.6, 0.3])
_SIDING_SMALL = (["无", ""], [0.1, 0.9])


def _choice(rng: np.random.Generator, options) -> str:
    return draw(rng, *options)


def thin_coal_washing(plants: pd.DataFrame) -> pd.DataFrame:
    """Keep :data:`N_COAL_WASHING` washing plants (some labelled 煤炭洗选); the others join the kinds the list
    lacked, their names following."""
    rng = np.random.default_rng(WASHING_SEED)
    df = plants.copy()
    bad = set(KNOWN_BAD_ROWS["plants"].values())
    washing = np.flatnonzero((df["行业"] == "洗煤").to_numpy() & ~df["编号"].isin(bad).to_numpy())
    keep = set(rng.choice(washing, min(N_COAL_WASHING, len(washing)), replace=False).tolist())
    shares = np.array([x[2] for x in _FROM_WASHING])
    c_industry, c_name = df.columns.get_loc("行业"), df.columns.get_loc("企业名称")
    for k in washing:
        name = str(df.iat[k, c_name])
        if k in keep:
            label = _choice(rng, _WASHING_LABELS)
            df.iat[k, c_industry] = label
            if label == "煤炭洗选" and name.endswith("洗煤厂"):
                df.iat[k, c_name] = name[: -len("洗煤厂")] + "选煤厂"
            continue
        label = draw(rng, [x[0] for x in _FROM_WASHING], shares)
        suffixes = next(x[1] for x in _FROM_WASHING if x[0] == label)
        df.iat[k, c_industry] = label
        if name.endswith("洗煤厂"):
            df.iat[k, c_name] = name[: -len("洗煤厂")] + draw(rng, suffixes)
    return df


def _pct(rng: np.random.Generator, value: int) -> object:
    """A share as the lists hold it: mostly a number, sometimes '85%'."""
    return f"{value}%" if rng.random() < 0.1 else value


def add_plant_transport(plants: pd.DataFrame) -> pd.DataFrame:
    """清洁运输比例(%) (steel plants mostly 40–95, some blank, some '85%'; a share of the other large shippers),
    铁路专用线 (有/无/是/否/blank, mostly for large shippers) and 铁路运输比例(%) (only with a siding, never above
    the clean-transport share it is part of)."""
    rng = np.random.default_rng(TRANSPORT_SEED)
    df = plants.copy()
    freight = pd.to_numeric(df["大宗货物年运量(万吨)"], errors="coerce").fillna(0).to_numpy(float)
    clean, siding, rail = [], [], []
    for industry, f in zip(df["行业"].astype(str), freight):
        share = None
        if industry == "钢铁":
            if rng.random() >= 0.08:
                share = int(rng.integers(80, 96) if rng.random() < 0.45 else rng.integers(40, 80))
        elif f >= _LARGE_FREIGHT and rng.random() < 0.4:
            share = int(rng.integers(15, 91))
        if f >= _LARGE_FREIGHT:
            has = _choice(rng, _SIDING_LARGE["钢铁" if industry == "钢铁" else "other"])
        else:
            has = _choice(rng, _SIDING_MEDIUM if f >= 100 else _SIDING_SMALL)
        by_rail: object = ""
        if has in ("有", "是") and rng.random() >= 0.07:
            r = int(rng.integers(30, 99))
            by_rail = _pct(rng, min(r, share) if share is not None else r)
        clean.append("" if share is None else _pct(rng, share))
        siding.append(has)
        rail.append(by_rail)
    for column, values in zip(PLANT_TRANSPORT_COLUMNS, (clean, siding, rail)):
        df[column] = pd.Series(values, index=df.index, dtype=object)
    return df


def add_mine_fields(mines: pd.DataFrame) -> pd.DataFrame:
    """重点煤矿 (coal mines only: ~15 % 是, most 否, a few blank) and 铁路专用线 (有/无; key mines often have one)."""
    rng = np.random.default_rng(MINE_FIELDS_SEED)
    df = mines.copy()
    key, siding = [], []
    for mineral in df["矿种"].astype(str):
        k = ""
        if mineral == "煤":
            u = rng.random()
            k = "是" if u < 0.15 else "否" if u < 0.92 else ""
        if k == "是":
            has = "有" if rng.random() < 0.55 else "无"
        elif mineral == "煤":
            has = _choice(rng, (["有", "无", ""], [0.12, 0.85, 0.03]))
        else:
            has = _choice(rng, (["有", "无", ""], [0.03, 0.9, 0.07]))
        key.append(k)
        siding.append(has)
    for column, values in zip(MINE_COLUMNS, (key, siding)):
        df[column] = pd.Series(values, index=df.index, dtype=object)
    return df

