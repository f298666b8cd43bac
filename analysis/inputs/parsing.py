"""Parsers for the messy values found in enterprise spreadsheets.

Each parser takes one raw cell and returns ``(value, problem)``: ``value`` is the canonical value or
None, ``problem`` is None or a Chinese sentence quoting the raw value ("额定蒸发量 '约20吨' 无法解析").
A blank cell gives ``(None, None)``: missing is not a parse error (the engine decides whether a rule
needed it). :func:`parse_series` applies a parser to a pandas Series, once per distinct value.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np
import pandas as pd

from ..schema.params import param_default

Parsed = Tuple[Any, Optional[str]]

MAX_TPH = 2000.0
MAX_MW = 10000.0
MAX_OVEN_M = 10.0

_NUM = r"[-+]?\d+(?:\.\d+)?"


def _text(raw: Any) -> Optional[str]:
    """Normalised text of a cell (full-width → half-width, trimmed), None when blank."""
    if raw is None:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if raw is pd.NaT:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text == "" or text.lower() in ("nan", "none", "null", "-", "—", "/", "无数据"):
        return None
    return text


def _bad(label: str, raw: Any, why: str = "无法解析") -> str:
    return f"{label} '{raw}' {why}".strip()


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool)


def parse_number(raw: Any, label: str = "数值", min_value: float = 0.0,
                 max_value: float = math.inf) -> Parsed:
    """A plain number, optionally followed by a unit word that is ignored ('12', '12.5万吨' → 12.5)."""
    if _is_number(raw):
        value = float(raw)
        if math.isnan(value):
            return None, None
    else:
        text = _text(raw)
        if text is None:
            return None, None
        m = re.fullmatch(rf"({_NUM})\s*[^\d.+\-]*", text.replace(",", ""))
        if not m:
            return None, _bad(label, raw)
        value = float(m.group(1))
    return _checked(value, raw, label, min_value, max_value)


def _checked(value: float, raw: Any, label: str, lo: float, hi: float) -> Parsed:
    if value < lo:
        return None, _bad(label, raw, f"为负数或小于 {lo:g}，不合理")
    if value > hi:
        return None, _bad(label, raw, f"超过 {hi:g}，不合理")
    return value, None


_TPH_UNITS = ("蒸吨/小时", "蒸吨/时", "蒸吨/h", "蒸吨", "吨/小时", "吨/时", "吨/h", "t/h", "th", "吨", "t")
_MW_UNITS = ("mw", "兆瓦")


def parse_capacity_tph(raw: Any, label: str = "额定蒸发量", default_unit: str = "t/h",
                       mw_per_tph: Optional[float] = None) -> Parsed:
    """Boiler capacity in t/h from '35', '35蒸吨', '35 t/h', '35吨', '24.5MW' (MW ÷ mw_per_tph; the rules
    file's ``mw_per_tph`` when not given: GB 13271-2014 pairs 10 t/h of steam with 7 MW of hot water)."""
    if mw_per_tph is None:
        mw_per_tph = param_default("mw_per_tph")
    mw_default = default_unit.lower() in _MW_UNITS
    if _is_number(raw):
        value = float(raw)
        if math.isnan(value):
            return None, None
        if mw_default:
            value /= mw_per_tph
        return _checked(round(value, 3), raw, label, 0.0, MAX_TPH)
    text = _text(raw)
    if text is None:
        return None, None
    m = re.fullmatch(rf"({_NUM})\s*(.*)", text.replace(",", ""))
    if not m:
        return None, _bad(label, raw)
    value, unit = float(m.group(1)), m.group(2).strip().lower().replace(" ", "")
    if unit in _MW_UNITS or (unit == "" and mw_default):
        value = round(value / mw_per_tph, 3)
    elif unit not in _TPH_UNITS and unit != "":
        return None, _bad(label, raw)
    return _checked(value, raw, label, 0.0, MAX_TPH)


def parse_capacity_mw(raw: Any, label: str = "装机容量") -> Parsed:
    """Installed capacity in MW from '300', '300MW', '30万千瓦', '2×300MW' (units multiplied)."""
    if _is_number(raw):
        return parse_number(raw, label, 0.0, MAX_MW)
    text = _text(raw)
    if text is None:
        return None, None
    t = text.replace(",", "").replace(" ", "").lower()
    m = re.fullmatch(rf"(?:(\d+)[×x*])?({_NUM})(mw|兆瓦|万千瓦|万kw|kw|千瓦)?", t)
    if not m:
        return None, _bad(label, raw)
    count = int(m.group(1)) if m.group(1) else 1
    value = float(m.group(2)) * count
    unit = m.group(3) or "mw"
    if unit in ("万千瓦", "万kw"):
        value *= 10.0
    elif unit in ("kw", "千瓦"):
        value /= 1000.0
    return _checked(value, raw, label, 0.0, MAX_MW)


def parse_height_m(raw: Any, label: str = "炭化室高度") -> Parsed:
    """Coke-oven chamber height in metres from '4.3', '4.3米', '4.3m'."""
    if _is_number(raw):
        return parse_number(raw, label, 0.0, MAX_OVEN_M)
    text = _text(raw)
    if text is None:
        return None, None
    m = re.fullmatch(rf"({_NUM})\s*(米|m|M)?", text)
    if not m:
        return None, _bad(label, raw)
    return _checked(float(m.group(1)), raw, label, 0.0, MAX_OVEN_M)


def parse_freight_10kt(raw: Any, label: str = "大宗货物年运量") -> Parsed:
    """Annual bulk freight in 万吨 from '150', '150万吨', '1500000吨', '1.5亿吨'."""
    if _is_number(raw):
        return parse_number(raw, label, 0.0, 1e6)
    text = _text(raw)
    if text is None:
        return None, None
    m = re.fullmatch(rf"({_NUM})\s*(万吨|万t|亿吨|吨|t)?(/年|每年)?", text.replace(",", "").replace(" ", ""))
    if not m:
        return None, _bad(label, raw)
    value, unit = float(m.group(1)), m.group(2) or "万吨"
    factor = {"亿吨": 1e4, "吨": 1e-4, "t": 1e-4}.get(unit, 1.0)
    return _checked(value * factor, raw, label, 0.0, 1e6)


def parse_count(raw: Any, label: str = "数量") -> Parsed:
    """A non-negative count from '10', '10辆', '10 辆/日', '1,234户'."""
    value, problem = parse_number(raw, label, 0.0, 1e6)
    return value, problem


def parse_percent(raw: Any, label: str = "比例") -> Parsed:
    """A share in per cent, 0–100, from '85', '85%', '85 %', '百分之85' is not guessed. A fraction written
    as '0.85' stays 0.85 %: a column declared in per cent is read as per cent, and a value the user meant
    otherwise shows in the reason with its number."""
    if not _is_number(raw):
        text = _text(raw)
        if text is None:
            return None, None
        raw_text = text.replace("％", "%")
        m = re.fullmatch(rf"({_NUM})\s*%?", raw_text.replace(" ", ""))
        if not m:
            return None, _bad(label, raw)
        return _checked(float(m.group(1)), raw, label, 0.0, 100.0)
    return parse_number(raw, label, 0.0, 100.0)


_TERRAIN_WORDS = (("mountain", ("山区", "山地", "高山", "深山", "mountain")), ("hill", ("丘陵", "hill")),
                  ("plain", ("平原", "平川", "盆地", "河谷", "平地", "plain")))


def parse_terrain(raw: Any, label: str = "地形") -> Parsed:
    """Terrain class plain / hill / mountain from '平原', '平川区', '山区', '丘陵山区' (mountain wins)."""
    text = _text(raw)
    if text is None:
        return None, None
    found = _match_keywords(text.lower(), _TERRAIN_WORDS)
    return (found, None) if found else (None, _bad(label, raw, "无法识别为平原、丘陵或山区"))


_TRUE = {"是", "y", "yes", "true", "t", "1", "1.0", "已完成", "完成", "已改造", "已实施", "√", "✓", "有", "已"}
_FALSE = {"否", "n", "no", "false", "f", "0", "0.0", "未完成", "未改造", "未实施", "×", "✗", "无", "未", "没有"}


def parse_bool(raw: Any, label: str = "是否") -> Parsed:
    """Yes/no from '是/否/Y/N/已完成/未完成/true/1/√/×'."""
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw), None
    text = _text(raw)
    if text is None:
        return None, None
    t = text.lower()
    if t in _TRUE:
        return True, None
    if t in _FALSE:
        return False, None
    return None, _bad(label, raw, "无法识别为是/否")


# Order matters: '煤气' is a gas although it contains '煤'; '电' is checked last among fuels.
_FUEL_PATTERNS = (
    ("gas", ("天然气", "燃气", "煤气", "lng", "cng", "液化气", "液化石油气", "沼气", "gas", "煤层气", "瓦斯")),
    ("coal", ("燃煤", "原煤", "型煤", "煤炭", "洁净煤", "兰炭", "焦炭", "煤", "coal")),
    ("oil", ("燃油", "柴油", "重油", "轻油", "醇基", "油", "oil")),
    ("biomass", ("生物质", "秸秆", "木屑", "成型燃料", "biomass")),
    ("electric", ("电锅炉", "电加热", "电能", "蓄热", "电", "electric")),
    ("other", ("余热", "太阳能", "地热", "热泵", "其他", "其它", "other")),
)


# Whole-value abbreviations seen in inventories (too short to match inside other words).
_FUEL_CODES = {"ng": "gas", "lpg": "gas", "cbm": "gas"}


def _match_keywords(text: str, table) -> Optional[str]:
    t = text.lower()
    for value, words in table:
        if any(w in t for w in words):
            return value
    return None


def parse_fuel(raw: Any, label: str = "燃料类型") -> Parsed:
    """Fuel class (coal/gas/oil/biomass/electric/other) from '燃煤/煤/原煤/型煤/天然气/燃气…'."""
    text = _text(raw)
    if text is None:
        return None, None
    value = _FUEL_CODES.get(text.strip().lower()) or _match_keywords(text, _FUEL_PATTERNS)
    return (value, None) if value else (None, _bad(label, raw, "无法识别"))


def parse_method(raw: Any, label: str = "开采方式") -> Parsed:
    """Mining method: open_pit ('露天开采/露天'), underground ('井工/地下/井下'), mixed (both)."""
    text = _text(raw)
    if text is None:
        return None, None
    t = text.lower()
    open_pit = any(w in t for w in ("露天", "open"))
    under = any(w in t for w in ("井工", "地下", "井下", "underground"))
    if open_pit and under:
        return "mixed", None
    if open_pit:
        return "open_pit", None
    if under:
        return "underground", None
    return None, _bad(label, raw, "无法识别")


_USE_PATTERNS = (
    ("heating", ("采暖", "供暖", "供热", "取暖", "heating", "生活")),
    ("industrial", ("生产", "工业", "工艺", "蒸汽", "industrial", "process")),
)


def parse_use(raw: Any, label: str = "用途") -> Parsed:
    """Boiler use: heating ('采暖/供暖/供热') or industrial ('生产/工业/工艺'); heating wins if both."""
    text = _text(raw)
    if text is None:
        return None, None
    value = _match_keywords(text, _USE_PATTERNS)
    return (value, None) if value else (None, _bad(label, raw, "无法识别"))


# Industry classes as data: (class, keywords, exclusions), tried in order; the first class with a keyword in the
# label and none of its exclusions wins. Labels are GB/T 4754-2017 names (炼铁, 钢压延加工, 黑色金属铸造 …) or
# what inventories write (铸造(铸钢), 独立焦化, 洗煤厂 …). The order carries meaning:
# - foundry before steel and non-ferrous: 铸钢/铸铁/有色金属铸造 are foundries (P-PLANAREA), not steel works
#   (P-ULE); 连铸 is a step of steelmaking, not a foundry;
# - coal mining before coal washing: GB/T 4754's 煤炭开采和洗选 (B06) is a mine with its washery, while
#   P-WASH is about 煤炭洗选企业(厂);
# - steel's bare 钢 excludes fabricators and products (钢结构制造 is 金属制品业 C33, 钢化玻璃 is glass);
# - cement products and ready-mixed concrete (水泥制品, 商砼) are not the kilns of the plan's 建材 and stay other.
INDUSTRY_TABLE: Tuple[Tuple[str, Tuple[str, ...], Tuple[str, ...]], ...] = (
    ("foundry", ("铸造", "铸件", "铸钢", "铸铁", "铸管", "压铸", "精铸", "熔模", "foundry", "casting", "cast iron",
                 "cast steel"), ("连铸",)),
    ("coking", ("焦化", "炼焦", "焦炭", "兰炭", "半焦", "coking", "coke"), ("石油焦", "petroleum")),
    ("chp", ("热电联产", "热电", "chp", "combined heat"), ("热电偶",)),
    ("steel", ("钢铁", "炼钢", "炼铁", "轧钢", "黑色金属冶炼", "烧结", "球团", "生铁", "钢", "steel", "iron"),
     ("钢结构", "钢构", "钢化", "钢制", "彩钢", "钢网架", "钢木", "钢筋加工", "钢丝网", "钢琴", "砖", "陶瓷", "生物质",
      "iron ore")),
    ("coal_mining", ("煤矿", "采煤", "煤炭开采", "煤开采", "开采洗选", "coal mine", "coal mining"),
     ("煤层气", "机械", "设备")),
    ("coal_washing", ("洗煤", "洗选", "选煤", "洗精煤", "coal washing", "coal_washing", "coal preparation"), ()),
    ("cement", ("水泥", "熟料", "cement", "clinker"), ("水泥制品", "水泥构件", "水泥管", "水泥杆", "水泥预制")),
    ("building_materials", ("建材", "玻璃", "陶瓷", "瓷砖", "耐火", "石灰", "石膏", "砖", "瓦", "岩棉", "矿棉",
                            "glass", "ceramic", "refractor", "lime", "brick", "building material", "building_materials"),
     ("石灰石", "石灰岩", "limestone", "玻璃钢", "瓦斯", "瓦楞")),
    ("chemical", ("化工", "化学", "化肥", "肥料", "氮肥", "磷肥", "钾肥", "复合肥", "合成氨", "尿素", "甲醇", "乙二醇", "电石", "焦油", "氯碱", "烧碱",
                  "纯碱", "硫酸", "硝酸", "农药", "涂料", "炭黑", "chemical", "fertili", "methanol"), ()),
    ("nonferrous", ("有色", "电解铝", "氧化铝", "铝", "镁冶炼", "金属镁", "原镁", "镁合金", "铜冶炼", "铅", "锌",
                    "nonferrous", "non-ferrous", "alumin", "magnesium"), ("门窗", "铝塑", "镀锌", "电池")),
    ("power", ("火力发电", "火电", "燃煤发电", "煤电", "发电", "电力", "power"),
     ("光伏", "风力", "风电", "太阳能", "水力", "水电", "发电机", "设备", "器材", "工程", "供电", "solar", "wind")),
)


def classify_industry(text: str) -> str:
    """The industry class of a label by :data:`INDUSTRY_TABLE` ('other' when no class fits)."""
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    if t in _INDUSTRY_CODES:
        return t
    for value, words, unless in INDUSTRY_TABLE:
        if any(w in t for w in words) and not any(x in t for x in unless):
            return value
    return "other"


# Canonical codes written as they are ('steel', 'coal_washing' …) are taken as they are.
_INDUSTRY_CODES = frozenset([row[0] for row in INDUSTRY_TABLE] + ["other"])


def parse_industry(raw: Any, label: str = "行业") -> Parsed:
    """Industry class (steel/coking/foundry/chp/coal_washing/…); unrecognised text is 'other'."""
    text = _text(raw)
    if text is None:
        return None, None
    return classify_industry(text), None


def parse_perf_class(raw: Any, label: str = "绩效分级") -> Parsed:
    """Performance class A / B / B- / C / D from 'A', 'A级', 'b级企业', 'B-'."""
    text = _text(raw)
    if text is None:
        return None, None
    m = re.fullmatch(r"([ABCDabcd])\s*(-|－)?\s*(级|类)?\s*(企业)?", text)
    if not m:
        return None, _bad(label, raw, "无法识别为 A/B/C/D 级")
    value = m.group(1).upper() + ("-" if m.group(2) and m.group(1).upper() == "B" else "")
    return value, None


def parse_text(raw: Any, label: str = "文本") -> Parsed:
    """Trimmed text; numbers such as 1001.0 read from Excel come back as '1001'."""
    if _is_number(raw):
        value = float(raw)
        if math.isnan(value):
            return None, None
        return (str(int(value)) if value.is_integer() else str(raw)), None
    return _text(raw), None


Parser = Callable[..., Parsed]

# Which parser reads which canonical field (the kind-independent part of the field mapping).
FIELD_PARSERS: Dict[str, Parser] = {
    "ent_id": parse_text, "name": parse_text, "county_hint": parse_text,
    "fuel": parse_fuel, "capacity_tph": parse_capacity_tph, "use": parse_use, "low_nox_done": parse_bool,
    "method": parse_method, "mineral": parse_text,
    "industry": parse_industry, "coke_oven_height_m": parse_height_m, "ule_done": parse_bool,
    "perf_class": parse_perf_class, "capacity_mw": parse_capacity_mw, "small_backward_chp": parse_bool,
    "bulk_freight_mt": parse_freight_10kt, "heavy_trucks_per_day": parse_count,
    "clean_transport_pct": parse_percent, "has_rail_siding": parse_bool, "rail_share_pct": parse_percent,
    "key_mine": parse_bool, "restricted_equipment": parse_bool,
    "households": parse_count, "coal_households": parse_count, "clean_households": parse_count,
    "clean_heating_pct": parse_percent, "heating": parse_text, "terrain": parse_terrain,
}


def _split_bools(raw: np.ndarray, codes: np.ndarray, uniques: list) -> Tuple[np.ndarray, list]:
    """Codes in which True/False no longer share a distinct value with 1/0: factorize hashes True == 1, so a
    mixed column (a 是否 cell typed TRUE beside numbers) would read 1.0 as True, or True as the number 1."""
    for k, u in enumerate(list(uniques)):
        if not isinstance(u, (bool, np.bool_, int, float, np.integer, np.floating)) or u not in (0, 1):
            continue
        rows = np.flatnonzero(codes == k)
        is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in raw[rows]), dtype=bool, count=len(rows))
        if is_bool.all() or not is_bool.any():
            continue
        moved = rows[is_bool != isinstance(u, (bool, np.bool_))]  # the rows of the other type
        codes = codes.copy()
        codes[moved] = len(uniques)
        uniques.append(raw[moved[0]])
    return codes, uniques


def parse_series(series: pd.Series, parser: Parser, **kwargs: Any) -> Tuple[pd.Series, pd.Series]:
    """Apply ``parser`` to a Series, once per distinct value; returns (values, problems) Series.

    Millions of rows usually hold few distinct values, so this is far faster than a row loop.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if series.dtype == object:
        codes, uniques = _split_bools(series.to_numpy(dtype=object), codes, list(uniques))
    parsed = [parser(u, **kwargs) for u in uniques]
    values = np.array([p[0] for p in parsed] + [None], dtype=object)
    problems = np.array([p[1] for p in parsed] + [None], dtype=object)
    # code -1 (NA) picks the trailing None; object dtype keeps None (pandas 3 would infer str with NaN).
    return (pd.Series(values[codes], index=series.index, dtype=object),
            pd.Series(problems[codes], index=series.index, dtype=object))
