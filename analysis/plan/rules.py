"""The plan's rules, parameters and region lists as data: loading, validation, editing, writing.

The shipped file is ``analysis/data/plan_rules.yaml``; its schema (params with their spec, regions, rules with
conditions, ``any`` groups, zones, actions and reason templates) is documented once, at the top of that file.

Only the bounded safe loader (``analysis/common/safe_yaml.py``: no anchors or aliases, capped size, node count and
depth) touches a file: nothing in a rules file is ever evaluated. Validation errors name the file, the line, the
rule id and the field. A reason template may use only known placeholders, plainly, with at most a small width.
"""
from __future__ import annotations

import copy
import functools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from ..common.data_files import PLAN_RULES_PATH
from ..common.errors import UserError
from ..common.safe_yaml import MAX_YAML_BYTES, YamlRefused, dump_plain, load_bounded
from ..schema.fields import BOOL, CATEGORY, LAYER_KINDS, NUMBER, field_def
from ..schema.params import ParamSpec, parse_params, set_value, shipped_specs
from .zone_registry import ACCEPTED_ZONE_IDS, ALL, ZONE_IDS, canonical_zone_id

DEFAULT_RULES_PATH = PLAN_RULES_PATH

OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_true", "is_false")
ORDER_OPS = ("<", "<=", ">", ">=")
# Action classes and their severity: close/exit/eliminate/remove > merge > retrofit > rectify > build.
ACTION_SEVERITY: Dict[str, int] = {
    "close": 5, "exit": 5, "eliminate": 5, "remove": 5, "merge": 4, "retrofit": 3, "rectify": 2, "build": 1,
}
# Placeholders a reason template may use besides canonical fields and params (filled by the engine).
CONTEXT_KEYS = (
    "city", "county", "adcode", "group", "chp_name", "chp_id", "chp_mw", "distance_km", "ring_km",
    "rail_target_pct", "fuel_label", "use_label", "method_label", "industry_label", "note_1p30",
    "rule_id", "name", "ent_id", "fringe_text", "key_region",
)
MAX_SHORT_NAME = 20  # characters of a rule's short_name (a table column, an atlas row)
# A reason placeholder's format spec: text only aligned, padded and cut, at most this wide ({county:<8}, {name:.20}).
MAX_TEMPLATE_WIDTH = 40
_SPEC_RE = re.compile(r"(?:[^{}]?[<>^])?(?P<width>[0-9]+)?(?:\.(?P<precision>[0-9]+))?s?\Z", re.S)
PROVISIONAL_1P30_NOTE = "1+30 名单为预置参考名单，请以省大气办正式文件为准"
REQUIRED_RULE_KEYS = ("id", "short_name", "clause", "clause_text", "layer", "zone", "action", "action_class",
                      "deadline", "lead_dept", "level", "reason")


class RuleFileError(UserError, ValueError):
    """A rules file that does not follow the schema; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("规则文件有误 / invalid rules file:\n" + "\n".join(self.errors))


@dataclass(frozen=True)
class Condition:
    """One test on a canonical field; ``value`` already resolved when ``param`` names a parameter."""

    field: str
    op: str
    value: Any = None
    param: Optional[str] = None
    if_missing: str = "verify"
    # A group ``{any: [condition, ...]}`` holds when one of its conditions does (op "any", field "");
    # the plan's "未完成超低排放改造（含运输环节）" is "ULE not done, or clean transport below 80 %".
    any_of: Tuple[Condition, ...] = ()

    def leaves(self) -> Tuple[Condition, ...]:
        """The single tests of this condition: itself, or the members of its group."""
        return self.any_of or (self,)


@dataclass(frozen=True)
class ZoneSpec:
    """Where a rule applies: a zone id (the registry's, never an old one), inside/outside, optionally
    narrowed to cities/counties/groups."""

    id: str = ALL
    where: str = "inside"
    cities: Tuple[str, ...] = ()
    counties: Tuple[str, ...] = ()
    groups: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One rule of the plan."""

    id: str
    clause: str
    clause_text: str
    layers: Tuple[str, ...]
    conditions: Tuple[Condition, ...]
    zone: ZoneSpec
    action: str
    action_class: str
    severity: int
    deadline: str
    lead_dept: str
    level: str
    enabled: bool
    reason: str
    line: int = 0
    short_name: str = ""  # Chinese, for people (dock, atlas, workbook); ``id`` is for machines
    # The plan's sentence(s) word for word ("……" elides), ending with the item's bracket (lead department, level).
    source_text: str = ""
    deadline_note: str = ""  # why the deadline is not a date written in source_text, where it comes from

    @property
    def label(self) -> str:
        """The short Chinese name (the id when a rule has none)."""
        return self.short_name or self.id

    @property
    def uses_1p30(self) -> bool:
        """True when the rule's zone is the (possibly unverified) 1+30 region."""
        return self.zone.id == "Z-1P30" or any(leaf.op == "in_zone" and leaf.value == "Z-1P30"
                                               for c in self.conditions for leaf in c.leaves())


@dataclass
class RuleSet:
    """All rules, parameters and region lists of one rules file."""

    rules: List[Rule]
    params: Dict[str, float]
    regions: Dict[str, Any]
    raw: Dict[str, Any] = field(repr=False, default_factory=dict)
    source: Optional[Path] = None
    # unit, names and range of every parameter (the shipped spec, or the file's own where it gives one)
    param_specs: Dict[str, ParamSpec] = field(repr=False, default_factory=dict)

    def get(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def enabled_rules(self) -> List[Rule]:
        """Rules with enabled: true."""
        return [r for r in self.rules if r.enabled]

    @property
    def region_1p30_verified(self) -> bool:
        """Whether the 1+30 membership is marked as verified."""
        return bool(self.regions.get("region_1p30", {}).get("verified", False))

    @property
    def region_1p30_note(self) -> str:
        """The provisional note to print wherever the unverified 1+30 list is used ('' if verified)."""
        if self.region_1p30_verified:
            return ""
        return str(self.regions.get("region_1p30", {}).get("note") or PROVISIONAL_1P30_NOTE)

    def with_params(self, **overrides: float) -> RuleSet:
        """A copy with some parameters changed; condition values that refer to them follow."""
        raw = copy.deepcopy(self.raw)
        section = raw.setdefault("params", {})
        for key, value in overrides.items():
            set_value(section, key, value)
        return ruleset_from_dict(raw, source=self.source)

    def with_region_1p30(self, members: Union[Mapping[str, Any], Sequence[str]],
                         verified: bool = False) -> RuleSet:
        """A copy with a new 1+30 membership: ``{city: "all" | [county, …]}`` or ``["市/县", …]``."""
        raw = copy.deepcopy(self.raw)
        region = raw.setdefault("regions", {}).setdefault("region_1p30", {})
        region["members"] = _members_dict(members)
        region["verified"] = bool(verified)
        region.setdefault("note", PROVISIONAL_1P30_NOTE)
        return ruleset_from_dict(raw, source=self.source)

    def with_rule_enabled(self, rule_id: str, enabled: bool) -> RuleSet:
        """A copy with one rule switched on or off."""
        raw = copy.deepcopy(self.raw)
        for r in raw.get("rules", []):
            if r.get("id") == rule_id:
                r["enabled"] = bool(enabled)
                break
        else:
            raise KeyError(rule_id)
        return ruleset_from_dict(raw, source=self.source)

    def dump(self, path: Union[str, Path]) -> Path:
        """Write the rule set as YAML (UTF-8, Chinese kept readable): every key of every rule, the plan's words
        (``source_text``) and ``deadline_note`` too, so a dumped file loads as the same rules."""
        path = Path(path)
        header = ("# 山西省打赢蓝天保卫战2020年决战计划 —— 规则数据文件（由 Blue Sky Zoning 写出）\n"
                  "# Schema: see the comments at the top of analysis/data/plan_rules.yaml\n")
        text = dump_plain(self.raw, allow_unicode=True, sort_keys=False, width=120)  # no anchors: loadable
        path.write_text(header + text, encoding="utf-8")
        return path


def _members_dict(members: Union[Mapping[str, Any], Sequence[str]]) -> Dict[str, Any]:
    if isinstance(members, Mapping):
        return {str(k): (v if isinstance(v, str) else list(v)) for k, v in members.items()}
    out: Dict[str, Any] = {}
    for item in members:
        city, _, county = str(item).partition("/")
        if not county or county in ("all", "*"):
            out[city] = "all"
        elif out.get(city) != "all":
            out.setdefault(city, []).append(county)
    return out


# --------------------------------------------------------------------------------------------------
# Loading


def load_rules(path: Union[str, Path, None] = None) -> RuleSet:
    """Load and validate a rules file (default: the shipped plan_rules.yaml)."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        size = path.stat().st_size
        if size > 4 * MAX_YAML_BYTES:  # UTF-8: at most 4 bytes a character; the characters are counted below
            raise RuleFileError([f"{path.name}: 规则文件过大（{size:,} 字节，上限约 {MAX_YAML_BYTES:,} 个字符），"
                                 f"请检查是否选错了文件 / the rules file is too large ({size:,} bytes, limit about "
                                 f"{MAX_YAML_BYTES:,} characters); is it the right file?"])
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleFileError([f"{path.name}: 规则文件须为 UTF-8 编码 / the rules file must be UTF-8 ({exc})"]) from exc
    except OSError as exc:
        raise RuleFileError([f"{path}: 无法读取规则文件 / cannot read the rules file ({exc})"]) from exc
    return load_rules_text(text, source=path)


def load_rules_text(text: str, source: Optional[Path] = None) -> RuleSet:
    """Load and validate rules from YAML text."""
    name = source.name if source else "<rules>"
    try:
        data, lines = _parsed(text)
    except YamlRefused as exc:  # an anchor, an alias, too large: refused before anything is built
        at_zh, at_en = (f"第 {exc.line} 行", f" line {exc.line}") if exc.line else ("", "")
        raise RuleFileError([f"{name}:{exc.line}: 规则文件「{name}」{at_zh}：{exc.zh} / rules file '{name}'{at_en}: "
                             f"{exc.en}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        if "python/" in str(exc) or "could not determine a constructor" in str(exc):
            # yaml.safe_load refuses !!python/… tags: nothing in a rules file is ever run as code
            raise RuleFileError([f"{name}:{line}: 第 {line} 行使用了不允许的 YAML 标签（如 !!python），规则文件中的内容"
                                 f"不会被当作代码执行 / line {line}: YAML tag not allowed (e.g. !!python); nothing "
                                 f"in a rules file is run as code: {exc}"]) from exc
        raise RuleFileError([f"{name}:{line}: 第 {line} 行 YAML 语法错误 / line {line}: YAML syntax error: {exc}"]) from exc
    # A copy of the parsed document: the cached one stays as the file says, whatever a caller does with its rules.
    return ruleset_from_dict(copy.deepcopy(data), source=source, lines=copy.deepcopy(lines))


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Tuple[Any, List[Dict[str, int]]]:
    """(data, each rule's lines) of a rules text, parsed once: a run reads the same file a dozen times (the run,
    the workbook, the atlas, the labels), and the bounded YAML parser takes about a fifth of a second a time."""
    data, node = load_bounded(text)
    return data, _rule_lines(node)


def _rule_lines(node: Any) -> List[Dict[str, int]]:
    """For every rule: {'': line of the rule, key: line of that key, 'conditions[i]': …}."""
    result: List[Dict[str, int]] = []
    if not isinstance(node, yaml.MappingNode):
        return result
    for key, value in node.value:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                lines = {"": item.start_mark.line + 1}
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        lines[k.value] = k.start_mark.line + 1
                        if isinstance(v, yaml.SequenceNode):
                            for i, sub in enumerate(v.value):
                                lines[f"{k.value}[{i}]"] = sub.start_mark.line + 1
                result.append(lines)
    return result


def ruleset_from_dict(data: Any, source: Optional[Path] = None,
                      lines: Optional[List[Dict[str, int]]] = None) -> RuleSet:
    """Validate a parsed rules document and build the RuleSet (raises RuleFileError)."""
    name = source.name if source else "<rules>"
    errors: List[str] = []
    if not isinstance(data, dict):
        raise RuleFileError([f"{name}:1: 顶层必须是映射 / top level must be a mapping"])
    specs = _validate_params(data.get("params") or {}, name, errors)
    params = {key: spec.default for key, spec in specs.items()}
    regions = data.get("regions") or {}
    _validate_regions(regions, name, errors)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        errors.append(f"{name}:1: 缺少规则列表 rules / missing list 'rules'")
        raw_rules = []
    rules: List[Rule] = []
    seen: Dict[str, int] = {}
    shipped = _is_shipped(source)
    for i, raw in enumerate(raw_rules):
        where = (lines[i] if lines and i < len(lines) else {"": 0})
        rule = _build_rule(raw, params, where, name, errors, shipped=shipped)
        if rule is None:
            continue
        if rule.id in seen:
            errors.append(f"{name}:{where.get('id', where[''])}: 规则 {rule.id}: 字段 id: 与第 {seen[rule.id]} 行的"
                          f"规则重复 / duplicate id")
        seen[rule.id] = rule.line
        rules.append(rule)
    if errors:
        raise RuleFileError(errors)
    return RuleSet(rules=rules, params=params, regions=regions, raw=copy.deepcopy(data), source=source,
                   param_specs=specs)


def _validate_params(params: Any, name: str, errors: List[str]) -> Dict[str, ParamSpec]:
    """The spec of every parameter: the file's values checked against the shipped spec (units, ranges), the
    shipped parameters the file leaves out at their shipped value."""
    specs, problems = parse_params(params, shipped_specs())
    errors.extend(f"{name}: {p}" for p in problems)
    return specs


def _validate_regions(regions: Any, name: str, errors: List[str]) -> None:
    if not isinstance(regions, dict):
        errors.append(f"{name}: regions 必须是映射 / regions must be a mapping")
        return
    groups = regions.get("key_city_groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) and "cities" in g for g in groups):
        errors.append(f"{name}: regions.key_city_groups: 应为 [{{group, key, cities}}] 列表")
    for key in ("north_coal_zero", "cluster_counties"):
        if not isinstance(regions.get(key, {}), dict):
            errors.append(f"{name}: regions.{key}: 应为 {{市: [县区, …]}} 映射")
    r130 = regions.get("region_1p30", {})
    if not isinstance(r130, dict) or not isinstance(r130.get("members", {}), dict):
        errors.append(f"{name}: regions.region_1p30: 应为 {{verified, note, members: {{市: all | [县区]}}}}")


def _err(errors: List[str], name: str, lines: Dict[str, int], rid: str, key: str, msg: str) -> None:
    # Most specific first: 'conditions[1].op' → 'conditions[1]' → 'conditions' → the rule itself.
    candidates = (key, key.split(".")[0], key.split("[")[0].split(".")[0], "")
    line = next((lines[k] for k in candidates if k in lines), 0)
    errors.append(f"{name}:{line}: 规则 {rid}（第 {line} 行）字段 {key}：{msg} / rule {rid} (line {line}) field {key}")


def _is_shipped(source: Optional[Path]) -> bool:
    """Whether ``source`` is the shipped rules file (whose rules must quote the plan: ``source_text``)."""
    try:
        return source is not None and Path(source).resolve() == DEFAULT_RULES_PATH.resolve()
    except OSError:
        return False


def _build_rule(raw: Any, params: Dict[str, float], lines: Dict[str, int], name: str,
                errors: List[str], shipped: bool = False) -> Optional[Rule]:
    if not isinstance(raw, dict):
        errors.append(f"{name}:{lines.get('', 0)}: 规则必须是映射 / a rule must be a mapping")
        return None
    rid = str(raw.get("id", f"<第{lines.get('', 0)}行>"))
    n_before = len(errors)
    for key in REQUIRED_RULE_KEYS:
        if key not in raw or raw[key] is None and key != "zone":
            _err(errors, name, lines, rid, key, "缺少必填项 / missing")
    layers = raw.get("layer")
    layers_t = tuple(layers) if isinstance(layers, list) else (layers,)
    for kind in layers_t:
        if kind not in LAYER_KINDS:
            _err(errors, name, lines, rid, "layer", f"未知图层 {kind!r}，应为 {'/'.join(LAYER_KINDS)}")
    conditions = _build_conditions(raw.get("conditions", []), layers_t, params, lines, rid, name, errors)
    zone = _build_zone(raw.get("zone"), lines, rid, name, errors)
    action_class = str(raw.get("action_class", ""))
    if action_class not in ACTION_SEVERITY:
        _err(errors, name, lines, rid, "action_class",
             f"未知措施类别 {action_class!r}，应为 {'/'.join(ACTION_SEVERITY)}")
    severity = raw.get("severity", ACTION_SEVERITY.get(action_class, 0))
    if isinstance(severity, bool) or not isinstance(severity, int):
        _err(errors, name, lines, rid, "severity", f"必须是整数 / must be an integer, got {severity!r}")
        severity = 0
    for key in ("source_text", "deadline_note"):  # optional in a user's file, text when given
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            _err(errors, name, lines, rid, key, f"应为非空文本 / must be non-empty text, got {raw[key]!r}")
    if shipped and "source_text" not in raw:
        _err(errors, name, lines, rid, "source_text",
             "缺少计划原文：随插件发布的规则必须引用 / missing: a shipped rule must quote the plan")
    short = raw.get("short_name")
    if short is not None and not (isinstance(short, str) and short.strip() and len(short.strip()) <= MAX_SHORT_NAME):
        _err(errors, name, lines, rid, "short_name", f"应为不超过 {MAX_SHORT_NAME} 字的中文简称 / a short name of at most "
             f"{MAX_SHORT_NAME} characters, got {short!r}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        _err(errors, name, lines, rid, "enabled", f"必须是 true/false, got {enabled!r}")
    _check_template(str(raw.get("reason", "")), layers_t, params, lines, rid, name, errors)
    if len(errors) > n_before:
        return None
    return Rule(
        id=rid, clause=str(raw["clause"]), clause_text=str(raw["clause_text"]), layers=layers_t,
        conditions=conditions, zone=zone, action=str(raw["action"]), action_class=action_class,
        severity=int(severity), deadline=str(raw["deadline"]), lead_dept=str(raw["lead_dept"]),
        level=str(raw["level"]), enabled=bool(enabled), reason=str(raw["reason"]), line=lines.get("", 0),
        short_name=str(raw["short_name"]).strip(), source_text=str(raw.get("source_text") or "").strip(),
        deadline_note=str(raw.get("deadline_note") or "").strip(),
    )


def _build_conditions(raw: Any, layers: Tuple[str, ...], params: Dict[str, float], lines: Dict[str, int],
                      rid: str, name: str, errors: List[str]) -> Tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        _err(errors, name, lines, rid, "conditions", "必须是列表 / must be a list")
        return ()
    out = []
    for i, c in enumerate(raw):
        key = f"conditions[{i}]"
        if not isinstance(c, dict):
            _err(errors, name, lines, rid, key, "条件必须是映射 {field, op, value}")
            continue
        if "zone" in c and "field" not in c:  # inside a zone, as a member of an any-group
            zid = str(c["zone"])
            if zid not in ACCEPTED_ZONE_IDS or zid == ALL:
                _err(errors, name, lines, rid, f"{key}.zone", f"未知区域 {zid!r}，应为 {' '.join(ZONE_IDS)}")
                continue
            out.append(Condition("", "in_zone", canonical_zone_id(zid), if_missing="false"))
            continue
        if "any" in c:  # a group: one of its conditions must hold
            members = _build_conditions(c["any"], layers, params, lines, rid, name, errors) \
                if isinstance(c["any"], list) and c["any"] else ()
            if not members or any(m.any_of for m in members):
                _err(errors, name, lines, rid, key, "any 必须是非空的条件列表（不可嵌套）/ any must be a non-empty list "
                                                    "of plain conditions")
                continue
            out.append(Condition("", "any", any_of=members))
            continue
        fname, op = c.get("field"), c.get("op")
        fdefs = [field_def(k, str(fname)) for k in layers if k in LAYER_KINDS]
        if not fdefs or any(f is None for f in fdefs):
            _err(errors, name, lines, rid, f"{key}.field", f"图层 {'/'.join(map(str, layers))} 没有规范字段 {fname!r}")
            continue
        if op not in OPS:
            _err(errors, name, lines, rid, f"{key}.op", f"未知运算符 {op!r}，应为 {' '.join(OPS)}")
            continue
        value, param = c.get("value"), c.get("param")
        if param is not None:
            if param not in params:
                _err(errors, name, lines, rid, f"{key}.param", f"params 中没有参数 {param!r}")
                continue
            value = params[param]
        msg = _check_value(fdefs[0], op, value)
        if msg:
            _err(errors, name, lines, rid, f"{key}.value", msg)
            continue
        if_missing = str(c.get("if_missing", "verify")).lower()
        if if_missing not in ("verify", "false", "true"):
            _err(errors, name, lines, rid, f"{key}.if_missing", f"应为 verify、false 或 true，而非 {if_missing!r}")
            continue
        if isinstance(value, list):
            value = tuple(value)
        out.append(Condition(str(fname), str(op), value, param, if_missing))
    return tuple(out)


def _check_value(fdef: Any, op: str, value: Any) -> Optional[str]:
    """Why ``value`` does not suit ``op`` on this field, or None."""
    if op in ("is_true", "is_false"):
        return None if fdef.type == BOOL else f"{op} 只能用于是/否字段，{fdef.name} 不是"
    if fdef.type == BOOL:
        return f"是/否字段 {fdef.name} 只能用 is_true / is_false"
    if op in ORDER_OPS:
        if fdef.type != NUMBER:
            return f"{op} 只能用于数值字段，{fdef.name} 不是"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{op} 需要数值，而非 {value!r}"
        return None
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return f"{op} 需要非空列表，而非 {value!r}"
        values = value
    else:
        if value is None:
            return f"{op} 需要 value 或 param"
        values = [value]
    if fdef.type == CATEGORY and fdef.categories:
        bad = [v for v in values if v not in fdef.categories]
        if bad:
            return f"{fdef.name} 的取值应为 {'/'.join(fdef.categories)}，而非 {bad}"
    return None


def _build_zone(raw: Any, lines: Dict[str, int], rid: str, name: str, errors: List[str]) -> ZoneSpec:
    if raw is None or raw == ALL:
        return ZoneSpec()
    if isinstance(raw, str):
        raw = {"id": raw}
    if not isinstance(raw, dict):
        _err(errors, name, lines, rid, "zone", "必须是映射 {id, where, cities}")
        return ZoneSpec()
    zid = str(raw.get("id", ALL))
    if zid not in ACCEPTED_ZONE_IDS:
        _err(errors, name, lines, rid, "zone.id", f"未知区域 {zid!r}，应为 {' '.join(ZONE_IDS + (ALL,))}")
    zid = canonical_zone_id(zid)  # Z-CHP15 → Z-CHP: the rest of the code knows only the registry's ids
    where = str(raw.get("where", "inside"))
    if where not in ("inside", "outside"):
        _err(errors, name, lines, rid, "zone.where", f"应为 inside 或 outside，而非 {where!r}")
    sel = {}
    for key in ("cities", "counties", "groups"):
        v = raw.get(key, [])
        if not isinstance(v, list):
            _err(errors, name, lines, rid, f"zone.{key}", "必须是列表")
            v = []
        sel[key] = tuple(str(x) for x in v)
    return ZoneSpec(id=zid, where=where, **sel)


def format_spec_problem(spec: str) -> Optional[str]:
    """Why a placeholder's format spec is refused (Chinese / English), or None. Every reason value is text, so
    a spec may only align, pad and cut: ``[[fill]align][width][.precision][s]``, width and precision at most
    ``MAX_TEMPLATE_WIDTH`` (``{capacity_tph:>20000000}`` would write 20 MB into every reason)."""
    if not spec:
        return None
    m = _SPEC_RE.match(spec)
    spec = spec if len(spec) <= 40 else spec[:40] + "…"
    if m is None:
        return (f"格式说明 “{spec}” 不允许，只能写对齐、宽度与截断，如 {{county:<8}}、{{name:.20}}",
                f"format spec '{spec}' not allowed: only alignment, width and precision, e.g. {{county:<8}}")
    numbers = [g.lstrip("0") or "0" for g in m.group("width", "precision") if g]
    widest = max(numbers, key=lambda g: (len(g), g), default="0")
    if len(widest) > 6 or int(widest) > MAX_TEMPLATE_WIDTH:
        widest = widest if len(widest) <= 12 else widest[:12] + "…"
        return (f"格式说明 “{spec}” 的宽度或截断长度 {widest} 超过上限 {MAX_TEMPLATE_WIDTH}",
                f"format spec '{spec}': width or precision {widest} over the limit of {MAX_TEMPLATE_WIDTH}")
    return None


def _check_template(template: str, layers: Tuple[str, ...], params: Dict[str, float], lines: Dict[str, int],
                    rid: str, name: str, errors: List[str]) -> None:
    shown = template if len(template) <= 200 else template[:200] + "…"

    def refuse(zh: str, en: str) -> None:
        _err(errors, name, lines, rid, "reason", f"{zh}；模板：“{shown}” / {en}; template: '{shown}'")

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        refuse(f"模板格式错误（{exc}）", f"bad template ({exc})")
        return
    for _literal, key, spec, conv in parts:
        if key is None:
            continue
        if not key.isidentifier():  # {}, {0}, {name.attr}, {name[0]}: only a placeholder's plain name
            refuse(f"模板占位符 {{{key}}} 不允许：只能写占位符名称本身（不能为空、数字、带 . 或 []）",
                   f"placeholder {{{key}}} not allowed: a plain name only (no number, no . or [])")
            continue
        known = (key in params or key in CONTEXT_KEYS
                 or any(field_def(k, key) for k in layers if k in LAYER_KINDS))
        if not known:
            refuse(f"模板占位符 {{{key}}} 未知，可用：本图层的规范字段、params 中的参数名及 {' '.join(CONTEXT_KEYS)}",
                   f"unknown placeholder {{{key}}}")
            continue
        if conv not in (None, "s", "r", "a"):
            refuse(f"模板占位符 {{{key}!{conv}}} 的转换 !{conv} 未知，只能用 !s !r !a",
                   f"placeholder {{{key}!{conv}}}: unknown conversion")
            continue
        problem = format_spec_problem(spec or "")
        if problem:
            refuse(f"模板占位符 {{{key}:…}} 的{problem[0]}", f"placeholder {{{key}:…}}: {problem[1]}")
