"""A rule of the rules file as one Chinese sentence for people: where, what, the threshold, the action and the
deadline ("禁煤区内，燃料类型为燃煤的锅炉：依法清理禁煤区燃煤设施，2020-10-31前")."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from ..schema.fields import field_def, kind_label
from .rules import Condition, Rule
from .zone_registry import ALL, zone_by_id

ORDER_WORDS = {"<": "低于{v}{u}", "<=": "{v}{u}及以下", ">": "高于{v}{u}", ">=": "{v}{u}及以上"}


def number_text(value: Any) -> str:
    """15.0 → "15", 4.30 → "4.3": a number as people write it."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.6f}".rstrip("0").rstrip(".") if number == number else str(value)


def zone_phrase(rule: Rule, params: Mapping[str, Any]) -> str:
    """"禁煤区内", "重点城市8市（…）以外", "全省" …, narrowed to the rule's cities or counties."""
    zone = rule.zone
    if zone.id == ALL:
        base = "全省"
    else:  # the registry's phrase, with the parameter values given
        base = zone_by_id(zone.id).phrase_for(params) + ("以外" if zone.where == "outside" else "内")
    narrowed = list(zone.cities) + list(zone.counties) + list(zone.groups)
    return base + (f"（限{'、'.join(narrowed)}）" if narrowed else "")


def condition_phrase(cond: Condition, kind: str, params: Mapping[str, Any]) -> str:
    """One condition in words: "燃料类型为燃煤", "额定蒸发量低于 35 蒸吨/小时", "未完成低氮改造"."""
    if cond.any_of:
        return "（" + "或".join(condition_phrase(c, kind, params) for c in cond.any_of) + "）"
    if cond.op == "in_zone":
        return "位于" + zone_by_id(cond.value).phrase_for(params) + "内"
    fdef = field_def(kind, cond.field)
    label = fdef.label if fdef is not None else cond.field
    unit = fdef.unit if fdef is not None else ""
    labels = fdef.category_labels if fdef is not None else {}
    value = params.get(cond.param, cond.value) if cond.param else cond.value

    def cat(v: Any) -> str:
        return labels.get(str(v), str(v))

    if cond.op in ORDER_WORDS:
        return label + ORDER_WORDS[cond.op].format(v=number_text(value), u=unit)
    if cond.op == "==":
        return f"{label}为{cat(value)}"
    if cond.op == "!=":
        return f"{label}不为{cat(value)}"
    if cond.op in ("in", "not_in"):
        names = [cat(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        values = "、".join(names[:-1]) + "或" + names[-1] if len(names) > 1 else "".join(names)
        return f"{label}{'为' if cond.op == 'in' else '不为'}{values}"
    done, has = cond.field.endswith("_done"), cond.field.startswith("has_")
    if cond.op == "is_true":
        return f"已完成{label}" if done else f"有{label}" if has else f"属于{label}"
    return f"未完成{label}" if done else f"无{label}" if has else f"不属于{label}"


def rule_subject(rule: Rule, params: Mapping[str, Any]) -> str:
    """Where and what: "禁煤区内，燃料类型为燃煤的锅炉"."""
    kinds = "、".join(kind_label(k) for k in rule.layers)
    conds = "，".join(condition_phrase(c, rule.layers[0], params) for c in rule.conditions)
    return f"{zone_phrase(rule, params)}，{conds + '的' if conds else ''}{kinds}"


def rule_sentence(rule: Rule, params: Optional[Mapping[str, Any]] = None) -> str:
    """The whole rule in one Chinese sentence, threshold, action and deadline included."""
    params = params if params is not None else {}
    return f"{rule_subject(rule, params)}：{rule.action}，{rule.deadline}"
