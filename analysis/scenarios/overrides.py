"""A scenario's settings as one line of text: ``chp_radius_km=20; fringe_km=2; rule.B-NOX=off; 1p30.add=和顺县``.

Items are separated by ``;`` (or ``；``) or new lines. Three kinds:

* ``<parameter>=<number>``: a parameter of the rules file by its own name, checked against its spec (type,
  range); the parameters spent while the inputs are read (the built-up raster's cleaning, the boiler MW
  conversion) cannot differ between two runs on the same inputs and are refused;
* ``rule.<id>=off|on``: a rule switched off or on;
* ``1p30.add=<county>[,<county>…]`` and ``1p30.remove=…``: counties into or out of the “1+30” list, each an
  adcode, a county name, or ``市/县`` when a name occurs in two cities; resolved against the run's county layer.

Every problem is reported at once, in Chinese, naming the item (:class:`ScenarioError`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import geopandas as gpd
import numpy as np

from ..common.errors import UserError
from ..plan.rules import RuleSet
from ..schema.params import ParamSpec, format_value, shipped_specs
from ..zones.builders import match_members
from ..zones.frames import city_key, county_key

#: parameters spent while the inputs are read: a session holds the inputs read once, so a scenario cannot vary them
INPUT_PARAMS = ("builtup_threshold", "builtup_min_area_m2", "builtup_max_hole_m2", "mw_per_tph")
RULE_PREFIX = "rule."
ADD_1P30, REMOVE_1P30 = "1p30.add", "1p30.remove"
_ITEM_SPLIT = re.compile(r"[;；\n\r]+")
_LIST_SPLIT = re.compile(r"[,，、]+")
_SWITCH = {"off": False, "on": True, "关": False, "开": True, "关闭": False, "启用": True, "停用": False,
           "false": False, "true": True, "0": False, "1": True}
_ADCODE = re.compile(r"\d{6}")


class ScenarioError(UserError, ValueError):
    """Settings that cannot be used; ``problems`` lists each one (Chinese, naming the item)."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("方案设置有误：\n" + "\n".join(self.problems))


@dataclass
class ScenarioSpec:
    """What a variant changes. ``params``: name → value; ``rules``: rule id → enabled; ``add_1p30`` /
    ``remove_1p30``: the counties as written (resolved against a county layer by :meth:`apply`)."""

    params: Dict[str, float] = field(default_factory=dict)
    rules: Dict[str, bool] = field(default_factory=dict)
    add_1p30: Tuple[str, ...] = ()
    remove_1p30: Tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.params or self.rules or self.add_1p30 or self.remove_1p30)

    @property
    def text(self) -> str:
        """The settings written back in the syntax :func:`parse_overrides` reads (one canonical form)."""
        items = [f"{k}={format_value(v)}" for k, v in self.params.items()]
        items += [f"{RULE_PREFIX}{k}={'on' if v else 'off'}" for k, v in self.rules.items()]
        if self.add_1p30:
            items.append(f"{ADD_1P30}={','.join(self.add_1p30)}")
        if self.remove_1p30:
            items.append(f"{REMOVE_1P30}={','.join(self.remove_1p30)}")
        return "; ".join(items)

    def apply(self, ruleset: RuleSet, admin: Optional[gpd.GeoDataFrame] = None) -> RuleSet:
        """``ruleset`` with these settings; ``admin`` (the run's normalised counties) resolves the 1+30 counties.
        Raises :class:`ScenarioError` for a county that matches none or several, or one already in (out of) the
        list, and for a rule id the rule set lacks."""
        problems = [f"规则「{rid}」在规则文件中不存在" for rid in self.rules if rid not in {r.id for r in ruleset.rules}]
        members = None
        if self.add_1p30 or self.remove_1p30:
            if admin is None:
                problems.append("调整“1+30”名单需要行政区划图层")
            else:
                members, more = _members_1p30(ruleset, admin, self.add_1p30, self.remove_1p30)
                problems += more
        if problems:
            raise ScenarioError(problems)
        out = ruleset
        changed = {k: v for k, v in self.params.items() if out.params.get(k) != v}
        if changed:
            out = out.with_params(**changed)
        for rule_id, enabled in self.rules.items():
            if out.get(rule_id).enabled != enabled:
                out = out.with_rule_enabled(rule_id, enabled)
        if members is not None:
            # a list edited for the meeting is not the official one, whatever the rules file says of its own
            out = out.with_region_1p30(members, verified=False)
        return out

    def describe(self, base: Union[RuleSet, Mapping[str, float], None] = None,
                 admin: Optional[gpd.GeoDataFrame] = None) -> str:
        """Chinese, e.g. '热电联产供热半径 20 公里（基准 15）；关闭规则「燃气锅炉低氮改造」；“1+30”区域增加 晋中市和顺县';
        the base values from ``base`` (a rule set or a run's parameters; the shipped rules file's when None);
        with ``admin`` the 1+30 counties by their names (an adcode as written otherwise)."""
        ruleset = base if isinstance(base, RuleSet) else None
        values = ruleset.params if ruleset is not None else dict(base or {})
        specs = ruleset.param_specs if ruleset is not None else shipped_specs()
        parts = []
        for name, value in self.params.items():
            spec = specs.get(name) or shipped_specs().get(name) or ParamSpec(name, value)
            unit = f" {spec.unit}" if spec.unit else ""
            parts.append(f"{spec.label or name} {format_value(value)}{unit}（基准 "
                         f"{format_value(values.get(name, spec.default))}）")
        for rule_id, enabled in self.rules.items():
            parts.append(f"{'启用' if enabled else '关闭'}规则「{_rule_label(ruleset, rule_id)}」")
        for names, verb in ((self.add_1p30, "增加"), (self.remove_1p30, "去掉")):
            if names:
                parts.append(f"“1+30”区域{verb} " + "、".join(_county_name(admin, n) for n in names))
        return "；".join(parts) if parts else "与基准相同"


def _county_name(admin: Optional[gpd.GeoDataFrame], text: str) -> str:
    """'晋中市和顺县' for '140723' or '和顺县' when ``admin`` resolves it; the text as written otherwise."""
    if admin is None:
        return text
    admin = admin.reset_index(drop=True)
    row, _problem = resolve_county(admin, text)
    return text if row is None else f"{admin.at[row, 'city']}{admin.at[row, 'county']}"


def _rule_label(ruleset: Optional[RuleSet], rule_id: str) -> str:
    if ruleset is None:
        from ..reports.labels import rule_label

        return rule_label(rule_id)
    try:
        return ruleset.get(rule_id).label
    except KeyError:
        return rule_id


def parse_overrides(text: Optional[str], ruleset: Optional[RuleSet] = None) -> ScenarioSpec:
    """The settings of ``text`` (empty: none). ``ruleset``: whose parameters (a user's rules file may add some)
    and rule ids are valid; the shipped spec and rules when None. Raises :class:`ScenarioError`."""
    specs: Mapping[str, ParamSpec] = ruleset.param_specs if ruleset is not None else shipped_specs()
    rule_ids = {r.id for r in ruleset.rules} if ruleset is not None else _shipped_rule_ids()
    spec = ScenarioSpec()
    problems: List[str] = []
    seen: Dict[str, str] = {}
    items = [i.strip() for i in _ITEM_SPLIT.split(text or "") if i.strip()]
    for n, item in enumerate(items, 1):
        where = f"第 {n} 项「{item}」"
        name, eq, value = (part.strip() for part in item.replace("＝", "=").partition("="))
        if not eq or not name:
            problems.append(f"{where}：应写作 名称=值，如 chp_radius_km=20")
            continue
        key = name.lower() if name.lower() in (ADD_1P30, REMOVE_1P30) else name
        if key in seen:
            problems.append(f"{where}：「{name}」已在「{seen[key]}」中设置过")
            continue
        seen[key] = item
        if key in (ADD_1P30, REMOVE_1P30):
            names = tuple(v.strip() for v in _LIST_SPLIT.split(value) if v.strip())
            if not names:
                problems.append(f"{where}：缺少县区名称或区划代码")
            elif key == ADD_1P30:
                spec.add_1p30 = names
            else:
                spec.remove_1p30 = names
        elif name.startswith(RULE_PREFIX):
            rule_id = name[len(RULE_PREFIX):].strip()
            switch = _SWITCH.get(value.lower())
            if rule_id not in rule_ids:
                problems.append(f"{where}：规则「{rule_id}」不存在（规则编号如 B-NOX）")
            elif switch is None:
                problems.append(f"{where}：规则开关应为 on 或 off")
            else:
                spec.rules[rule_id] = switch
        elif name in specs:
            problem = _param_problem(specs[name], value)
            if problem:
                problems.append(f"{where}：{problem}")
            else:
                spec.params[name] = float(value)
        else:
            problems.append(f"{where}：未知的设置项「{name}」；参数用规则文件中的名称（如 chp_radius_km、fringe_km），"
                            f"规则开关写作 rule.规则编号=off，“1+30”名单写作 1p30.add=县区 或 1p30.remove=县区")
    for county in set(spec.add_1p30) & set(spec.remove_1p30):
        problems.append(f"「{county}」同时出现在 1p30.add 和 1p30.remove 中")
    if problems:
        raise ScenarioError(problems)
    return spec


def _param_problem(spec: ParamSpec, value: str) -> Optional[str]:
    label = spec.label or spec.name
    if spec.name in INPUT_PARAMS:
        return (f"{label}在读取输入时已经用过，同一组输入的两个方案不能不同；请修改规则文件后重新运行")
    try:
        number = float(value)
    except ValueError:
        return f"{label}应为数值，而不是「{value}」"
    if not math.isfinite(number):
        return f"{label}应为有限的数值"
    out_of_range = spec.check(number)
    return f"{label} {out_of_range}" if out_of_range else None


def _shipped_rule_ids() -> set:
    from ..plan.rules import load_rules

    return {r.id for r in load_rules().rules}


# ---------------------------------------------------------------------------------------- the 1+30 list


def resolve_county(admin: gpd.GeoDataFrame, text: str) -> Tuple[Optional[int], Optional[str]]:
    """(row of ``admin``, None) for a county written as an adcode, a name, '市/县' or '市县'; (None, the problem
    in Chinese) when it matches no county or several."""
    text = text.strip()
    counties = admin["county"].astype(object).map(str).to_numpy()
    cities = admin["city"].astype(object).map(str).to_numpy()
    if _ADCODE.fullmatch(text):
        rows = np.flatnonzero(admin["adcode"].astype(object).map(str).to_numpy() == text)
    else:
        city, slash, county = text.partition("/")
        if not slash:  # '阳泉市城区': a city's name in front
            city = next((c for c in sorted(set(cities), key=len, reverse=True)
                         if text.startswith(c) and len(text) > len(c)), "")
            county = text[len(city):] if city else text
        in_city = np.array([city_key(c) == city_key(city) for c in cities]) if city else np.ones(len(cities), bool)
        rows = np.flatnonzero(in_city & (counties == county))
        if not len(rows):  # 太谷县 ~ 太谷区, as the region lists match
            rows = np.flatnonzero(in_city & np.array([county_key(c) == county_key(county) for c in counties]))
    if len(rows) == 1:
        return int(rows[0]), None
    if not len(rows):
        return None, f"「{text}」在行政区划图层中找不到对应的县区"
    both = "、".join(f"{cities[r]}{counties[r]}" for r in rows)
    return None, f"「{text}」对应 {len(rows)} 个县区（{both}），请写作 市/县 或区划代码"


def _members_1p30(ruleset: RuleSet, admin: gpd.GeoDataFrame, add: Sequence[str],
                  remove: Sequence[str]) -> Tuple[Dict[str, Any], List[str]]:
    """The 1+30 list of ``ruleset`` with ``add`` in and ``remove`` out ({city: "all" | [county, …]}, the file's
    own entries kept as written), and the problems. A city listed whole ("all") is written out county by county
    when one of its counties leaves."""
    admin = admin.reset_index(drop=True)
    members = {k: (v if isinstance(v, str) else list(v or []))
               for k, v in (ruleset.regions.get("region_1p30", {}).get("members", {}) or {}).items()}
    problems: List[str] = []
    for texts, wanted in ((add, True), (remove, False)):
        item = ADD_1P30 if wanted else REMOVE_1P30
        for text in texts:
            row, problem = resolve_county(admin, text)
            if problem:
                problems.append(f"{item}：{problem}")
                continue
            city, county = str(admin.at[row, "city"]), str(admin.at[row, "county"])
            if bool(match_members(admin, members)[0][row]) == wanted:
                problems.append(f"{item}：{city}{county}{'已在' if wanted else '不在'}“1+30”名单中")
                continue
            key = next((k for k in members if city_key(k) == city_key(city)), city)
            listed = members.get(key, [])
            if wanted:
                members[key] = list(listed) + [county]
                continue
            if isinstance(listed, str):  # the whole city was in: all its other counties stay
                listed = [str(c) for c, t in zip(admin["county"], admin["city"]) if city_key(t) == city_key(city)]
            kept = [c for c in listed if str(c) != county and county_key(c) != county_key(county)]
            if kept:
                members[key] = kept
            else:
                del members[key]
    return members, problems
