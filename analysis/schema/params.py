"""The parameter spec: every threshold and distance of the plan, with its default, unit, names and range.

The spec is data: the ``params`` section of the shipped ``analysis/data/plan_rules.yaml``, one mapping per
parameter (``value, unit, label, en, range``). The shipped value is the default. A rules file may give a
parameter in that form or as a bare number (the old form); unit, names and range then come from the shipped
spec. The rules-file validation, the dock's spin boxes and the Processing parameters all read this spec, so
no number is written twice in Python.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..common.data_files import PLAN_RULES_PATH
from ..common.safe_yaml import load_bounded

SHIPPED_RULES_PATH = PLAN_RULES_PATH
SPEC_KEYS = ("value", "unit", "label", "en", "range")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: ``default`` is the shipped value; ``minimum``/``maximum`` bound what a file may set."""

    name: str
    default: float
    unit: str = ""
    label: str = ""
    en: str = ""
    minimum: float = -math.inf
    maximum: float = math.inf

    @property
    def title(self) -> str:
        """'热电联产供热半径（公里）': the Chinese name with its unit, for labels."""
        label = self.label or self.name
        return f"{label}（{self.unit}）" if self.unit else label

    @property
    def decimals(self) -> int:
        """Decimals a spin box needs to show the default exactly (at least 1, at most 3)."""
        text = format_value(self.default)
        return min(max(len(text.partition(".")[2]), 1), 3)

    def check(self, value: float) -> Optional[str]:
        """Why ``value`` is out of range (Chinese, with the unit), or None."""
        if self.minimum <= value <= self.maximum:
            return None
        return (f"{format_value(value)} 超出允许范围 {format_value(self.minimum)}–{format_value(self.maximum)}"
                f"{self.unit} / out of range")


def format_value(value: Any) -> str:
    """A parameter value as people write it: 15.0 → '15', 0.50 → '0.5', 4.3 → '4.3'."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    return f"{number:.4f}".rstrip("0").rstrip(".")


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float))


def parse_param(name: str, raw: Any, shipped: Optional[ParamSpec]) -> Tuple[Optional[ParamSpec], List[str]]:
    """(spec, problems) of one ``params`` entry: a bare number or a mapping with ``value`` and spec keys."""
    problems: List[str] = []
    given: Dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {"value": raw}
    unknown = [k for k in given if k not in SPEC_KEYS]
    if unknown:
        problems.append(f"未知键 {unknown}，应为 {'/'.join(SPEC_KEYS)}")
    value = given.get("value", shipped.default if shipped else None)
    if not _is_number(value):
        problems.append(f"必须是数值 / must be a number, got {value!r}")
        return None, problems
    lo, hi = (shipped.minimum, shipped.maximum) if shipped else (-math.inf, math.inf)
    if "range" in given:
        rng = given["range"]
        if not (isinstance(rng, list) and len(rng) == 2 and all(_is_number(v) for v in rng) and rng[0] <= rng[1]):
            problems.append(f"range 应为 [最小, 最大] / range must be [min, max], got {rng!r}")
        else:
            lo, hi = float(rng[0]), float(rng[1])
    spec = ParamSpec(
        name=name, default=float(value),
        unit=str(given.get("unit", shipped.unit if shipped else "")),
        label=str(given.get("label", shipped.label if shipped else name)),
        en=str(given.get("en", shipped.en if shipped else name)),
        minimum=lo, maximum=hi,
    )
    out_of_range = spec.check(spec.default)
    if out_of_range:
        problems.append(out_of_range)
    return spec, problems


def parse_params(raw: Any, shipped: Mapping[str, ParamSpec]) -> Tuple[Dict[str, ParamSpec], List[str]]:
    """Every parameter of a ``params`` section, the shipped ones it leaves out included (at their default),
    and the problems as "params.<name>: …" lines."""
    specs: Dict[str, ParamSpec] = {}
    problems: List[str] = []
    if not isinstance(raw, Mapping):
        return dict(shipped), [f"params 必须是映射 / params must be a mapping, got {type(raw).__name__}"]
    for key, value in raw.items():
        spec, errs = parse_param(str(key), value, shipped.get(str(key)))
        problems += [f"参数 params.{key}: {e}" for e in errs]
        if spec is not None:
            specs[str(key)] = spec
    for key, spec in shipped.items():
        specs.setdefault(key, spec)
    return specs, problems


@lru_cache(maxsize=1)
def shipped_specs() -> Dict[str, ParamSpec]:
    """The spec of every parameter, read from the shipped rules file."""
    data = load_bounded(SHIPPED_RULES_PATH.read_text(encoding="utf-8-sig"))[0] or {}  # no aliases, bounded
    specs, problems = parse_params(data.get("params") or {}, {})
    if problems:  # the shipped file is tested; a broken one is a programming error
        raise ValueError("plan_rules.yaml: " + "; ".join(problems))
    return specs


def param_spec(name: str) -> ParamSpec:
    """The shipped spec of one parameter (KeyError for an unknown name)."""
    return shipped_specs()[name]


def param_default(name: str) -> float:
    """The shipped value of one parameter."""
    return param_spec(name).default


def set_value(raw_params: Dict[str, Any], name: str, value: float) -> None:
    """Set a parameter's value in a rules document's ``params`` section, keeping its spec keys."""
    entry = raw_params.get(name)
    if isinstance(entry, dict):
        entry["value"] = value
    else:
        raw_params[name] = value
