"""Which column holds which field of an input layer: the user's mapping checked (``check_field_mapping``),
Processing's FIELD_MAP text read (``parse_field_map``), and what a run loses without a field
(``missing_field_notes``). The fields themselves are declared in ``analysis/schema/fields.py``."""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Sequence, Tuple

from ..common.errors import InputError

__all__ = ["check_field_mapping", "parse_field_map", "missing_field_note", "missing_field_notes",
           "missing_field_effects"]


def _columns_text(columns: Sequence[str]) -> str:
    return "、".join(str(c) for c in columns) or "（无）"


def check_field_mapping(columns: Iterable[Any], kind: str, layer: str, overrides: Optional[dict] = None,
                        position_from_geometry: bool = True) -> dict:
    """The layer's field mapping: guessed from its column names, then the user's overrides applied.

    An override is a column name, or "" for "this layer has no such field" (None keeps the guess). Raises
    :class:`InputError`, naming layer and field, for an override that names a column the layer lacks or a field
    the kind does not have, and for a required field no column holds.
    """
    from ..schema.fields import field_def, fields_for, guess_field_mapping, kind_label, required_fields

    cols = [str(c) for c in columns if str(c) != "geometry"]
    mapping = guess_field_mapping(cols, kind)
    what = f"{kind_label(kind)}图层「{layer}」"
    for name, column in (overrides or {}).items():
        if column is None:
            continue
        fdef = field_def(kind, name)
        if fdef is None:
            known = "、".join(f"{f.name}（{f.label}）" for f in fields_for(kind)) or "（无）"
            raise InputError(f"{what}没有名为「{name}」的规范字段；{kind_label(kind)}图层的字段有：{known} / "
                             f"layer '{layer}' ({kind}) has no canonical field '{name}'; its fields: "
                             f"{', '.join(f.name for f in fields_for(kind))}")
        column = str(column).strip()
        if column and column not in cols:
            raise InputError(f"{what}中没有字段「{column}」（指定给「{fdef.label}」，{kind}.{name}）；该图层的字段有："
                             f"{_columns_text(cols)} / layer '{layer}' has no field '{column}' (given for "
                             f"{kind}.{name}); its fields: {', '.join(cols)}")
        if column:  # one column, one field: a guess that took this column gives it up
            for other, col in list(mapping.items()):
                if col == column and other != name:
                    mapping[other] = None
        mapping[name] = column or None
    for name in required_fields(kind, position_from_geometry):
        if not mapping.get(name):
            fdef = field_def(kind, name)
            examples = "、".join(fdef.aliases[:5])
            raise InputError(
                f"{what}缺少必需字段「{fdef.label}」（{name}）：没有找到对应的列（可识别的列名如 {examples}）；请在“数据”页的"
                f"字段对应中选择该列，或在 Processing 的 FIELD_MAP 参数中写 {kind}.{name}=列名。该图层的字段有："
                f"{_columns_text(cols)} / layer '{layer}' lacks the required field {kind}.{name} "
                f"({fdef.label}); choose its column on the Data tab or give FIELD_MAP {kind}.{name}=<column>; "
                f"its fields: {', '.join(cols)}")
    return mapping


# Kind names FIELD_MAP accepts besides the kinds themselves and their Chinese names (the algorithms' inputs).
_KIND_SYNONYMS = {"boilers": "boiler", "mines": "mine", "plants": "plant", "planning_area": "planning",
                  "counties": "admin", "county": "admin"}


def parse_field_map(text: Any) -> dict:
    """``{kind: {field: column}}`` from FIELD_MAP text: entries ``kind.field=column`` separated by new lines or
    semicolons, e.g. ``planning.city=所属市; boiler.fuel=燃料``. Kinds and fields may be written in Chinese
    (``城市规划区.所属城市=所属市``); an empty column (``plant.perf_class=``) says the layer has no such field."""
    import re
    import unicodedata

    from ..schema.fields import INPUT_KIND_LABELS, INPUT_KINDS, fields_for

    if text is None:
        return {}
    if isinstance(text, dict):
        return {str(k): dict(v) for k, v in text.items()}
    out: dict = {}
    kinds = {k: k for k in INPUT_KINDS}
    kinds.update({label: k for k, label in INPUT_KIND_LABELS.items()})
    kinds.update(_KIND_SYNONYMS)
    entries = [e.strip() for e in re.split(r"[\n;；]+", str(text)) if e.strip()]
    for i, entry in enumerate(entries, start=1):
        norm = unicodedata.normalize("NFKC", entry)
        m = re.fullmatch(r"\s*([^.=\s]+)\s*\.\s*([^=]+?)\s*=\s*(.*?)\s*", norm)
        kind = kinds.get(m.group(1).lower(), kinds.get(m.group(1))) if m else None
        if m is None or kind is None:
            raise InputError(
                f"字段对应（FIELD_MAP）第 {i} 项「{entry}」无法识别：应写成 图层类型.字段=列名（如 planning.city=所属市），"
                f"图层类型为 {'、'.join(INPUT_KINDS)} / FIELD_MAP entry {i} '{entry}' is not 'kind.field=column' "
                f"with kind one of {', '.join(INPUT_KINDS)}")
        key = m.group(2)
        names = {f.name: f.name for f in fields_for(kind)}
        names.update({f.label: f.name for f in fields_for(kind)})
        name = names.get(key, names.get(key.lower()))
        if name is None:
            known = "、".join(f"{f.name}（{f.label}）" for f in fields_for(kind)) or "（无）"
            raise InputError(
                f"字段对应（FIELD_MAP）第 {i} 项「{entry}」：{INPUT_KIND_LABELS[kind]}图层没有字段「{key}」；可写的字段有："
                f"{known} / FIELD_MAP entry {i} '{entry}': {kind} has no field '{key}'")
        # The column as written (not NFKC-folded): a header may hold full-width brackets.
        column = entry.split("=", 1)[1].strip() if "=" in entry else m.group(3)
        out.setdefault(kind, {})[name] = column
    return out


def missing_field_note(layer: str, kind: str, name: str, rule_ids: Sequence[str]) -> str:
    """A field rules need is absent or blank in a whole layer: those rules were not evaluated on it (the engine
    and the field notes of a run say it with this one sentence)."""
    from ..schema.fields import field_label, kind_label

    return (f"{kind_label(kind)}图层「{layer}」没有可用的「{field_label(name, kind)}」字段（{name}）："
            + _not_evaluated(rule_ids))


def _not_evaluated(rule_ids: Sequence[str]) -> str:
    return f"规则 {'、'.join(rule_ids)} 未对该图层评估"


def missing_field_effects(kind: str, mapping: dict, layer: str, rules_verify: Optional[dict] = None,
                          rules_false: Optional[dict] = None,
                          position_from_geometry: bool = True) -> List[Tuple[str, str, str]]:
    """What the run does about each field of ``kind`` no column holds: (field, how, effect) with how one of
    ``derived`` (worked out from other columns: its rules are evaluated), ``rules`` (the rules testing it are not
    evaluated on the layer) or ``missing``, and effect the Chinese words saying it ("编号按行号生成（…）…").
    The one source of those words: the run's notes (:func:`missing_field_notes`) and the dock's 数据 tab."""
    from ..schema.fields import fields_for
    from .villages import derived_fields

    rules_verify, rules_false = rules_verify or {}, rules_false or {}
    derived = derived_fields(kind, mapping)
    out = []
    for fdef in fields_for(kind):
        if mapping.get(fdef.name) or (position_from_geometry and fdef.name in ("lon", "lat")):
            continue
        if fdef.name in derived:
            out.append((fdef.name, "derived", derived[fdef.name]))
        elif rules_verify.get(fdef.name):
            out.append((fdef.name, "rules", _not_evaluated(rules_verify[fdef.name])))
        else:
            parts = [fdef.missing_note.format(layer=layer)] if fdef.missing_note else []
            if rules_false.get(fdef.name):
                parts.append(f"规则 {'、'.join(rules_false[fdef.name])} 按不满足处理（该图层不会因这些规则被标注）")
            out.append((fdef.name, "missing", "；".join(parts) or "不影响判定（启用的规则未用到该字段）"))
    return out


def missing_field_notes(kind: str, mapping: dict, layer: str, rules_verify: Optional[dict] = None,
                        rules_false: Optional[dict] = None, position_from_geometry: bool = True) -> List[str]:
    """One Chinese sentence per optional field of ``kind`` that no column holds, naming the layer and the field
    and saying what the run could not do without it. ``rules_verify`` / ``rules_false``: field → ids of the
    enabled rules that test it, unknown values going to 需核实 / counting as not met."""
    from ..schema.fields import field_label, kind_label

    notes = []
    for name, how, effect in missing_field_effects(kind, mapping, layer, rules_verify, rules_false,
                                                   position_from_geometry):
        if how == "derived":  # worked out from other columns: said, not reported missing
            notes.append(f"{kind_label(kind)}图层「{layer}」：{effect}")
        elif how == "rules":
            notes.append(missing_field_note(layer, kind, name, (rules_verify or {})[name]))
        else:
            notes.append(f"{kind_label(kind)}图层「{layer}」没有「{field_label(name, kind)}」字段（{name}）：" + effect)
    return notes
