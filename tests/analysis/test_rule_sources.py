"""Every rule says what the plan says (issue 21, item 2).

Each shipped rule quotes the plan in ``source_text``: the seed's words (only whitespace normalised; "……"
marks an elision, and no item's bracket may lie in an elided part), ending with the bracket that names the
item's lead department and level. The rule's ``lead_dept`` opens that bracket, its ``level`` closes it, and
its deadline's date is written in the quoted text, or ``deadline_note`` says where the deadline comes from.
"""
from __future__ import annotations

import calendar
import dataclasses
import re
import unicodedata
from pathlib import Path
from typing import List

import pytest
from bluesky_zoning.analysis.ledger.dates import deadline_date
from bluesky_zoning.analysis.plan.rules import (
    DEFAULT_RULES_PATH,
    Rule,
    RuleFileError,
    load_rules,
    load_rules_text,
)

# The plan's full text: shared/seed beside the checkout (CI copies shared/ there too).
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_770f8d703d0fc6ce.txt"
ELISION = "……"
# An item's bracket (after NFKC: half-width parentheses and commas): "(省…牵头,…配合,市县政府负责落实)".
BRACKET = re.compile(r"\(([^()]*负责[^()]*)\)")
ISO_DEADLINE = re.compile(r"(\d{4})-(\d{2})-(\d{2})前?")


def _flat(text: str) -> str:
    """The text without whitespace (the seed breaks lines and pages inside sentences and spaces numbers)."""
    return re.sub(r"\s+", "", text)


def _norm(text: str) -> str:
    """For comparing names: no whitespace, full-width punctuation as half-width (the seed mixes both)."""
    return unicodedata.normalize("NFKC", _flat(text))


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.fail(f"the plan's text is missing: {SEED} (shared/seed must lie beside the checkout)")
    return _flat(SEED.read_text(encoding="utf-8"))


def _date_phrases(deadline: str) -> List[str]:
    """How the plan writes a literal deadline '2020-10-31前': 2020年10月31日, 2020年10月底."""
    found = ISO_DEADLINE.fullmatch(deadline.strip())
    if not found:
        return []
    year, month, day = (int(g) for g in found.groups())
    phrases = [f"{year}年{month}月{day}日"]
    if day == calendar.monthrange(year, month)[1]:
        phrases.append(f"{year}年{month}月底")
    return phrases


def source_problems(rule: Rule, seed: str) -> List[str]:
    """What is wrong with a rule's quote of the plan and the lead, level and deadline it should give."""
    text = _flat(rule.source_text)
    if not text:
        return [f"{rule.id}: no source_text"]
    problems: List[str] = []
    pos, gaps = 0, []
    for piece in text.split(ELISION):
        start = seed.find(piece, pos) if piece else -1
        if start < 0:
            problems.append(f"{rule.id}: not word for word in the plan: {piece[:40]!r}")
            break
        if pos:
            gaps.append(seed[pos:start])
        pos = start + len(piece)
    for gap in gaps:
        skipped = BRACKET.search(_norm(gap))
        if skipped:
            problems.append(f"{rule.id}: an elision skips an item's bracket: {skipped.group(0)}")
    brackets = list(BRACKET.finditer(_norm(text)))
    if not brackets or brackets[-1].end() != len(_norm(text)):
        return problems + [f"{rule.id}: source_text does not end with the item's bracket (lead, level)"]
    bracket = brackets[-1].group(1)
    lead, level = _norm(rule.lead_dept), _norm(rule.level)
    if not bracket.startswith(lead):  # the whole lead_dept, so its 配合 part is checked too
        problems.append(f"{rule.id}: lead_dept {rule.lead_dept!r} is not the plan's ({bracket})")
    head = lead.split(",")[0]
    if head not in bracket:
        problems.append(f"{rule.id}: lead {head!r} not named in the bracket ({bracket})")
    if not bracket.endswith(level):
        problems.append(f"{rule.id}: level {rule.level!r} is not the plan's ({bracket})")
    phrases = _date_phrases(rule.deadline)
    written = any(p in _norm(text) for p in phrases)
    if phrases and deadline_date(rule.deadline) is None:
        problems.append(f"{rule.id}: deadline {rule.deadline!r} is not a date")
    if not written and not rule.deadline_note:
        problems.append(f"{rule.id}: deadline {rule.deadline!r} is not written in source_text and no "
                        f"deadline_note says where it comes from")
    return problems


def test_the_plan_is_there(seed):
    assert "山西省打赢蓝天保卫战2020年决战计划" in seed and ELISION not in seed


def test_every_rule_quotes_the_plan(seed):
    rules = load_rules().rules
    assert rules
    problems = [p for rule in rules for p in source_problems(rule, seed)]
    assert problems == []


def test_clean_heating_rules_name_the_bracket_of_item_7(seed):
    rs = load_rules()
    for rid in ("V-COAL0", "V-HEAT100"):
        rule = rs.get(rid)
        assert rule.lead_dept == "省能源局牵头，省清洁取暖工作领导小组成员单位配合"
        assert rule.source_text.endswith("(省能源局牵头,省清洁取暖工作领导小组成员单位配合,市县政府负责落实)")


def test_a_rule_that_misquotes_the_plan_fails(seed):
    b35 = load_rules().get("B-35")
    assert source_problems(b35, seed) == []
    wrong = {
        "lead": dataclasses.replace(b35, lead_dept="省能源局牵头，省市场监管局配合"),
        "support": dataclasses.replace(b35, lead_dept="省生态环境厅牵头，省住建厅配合"),
        "level": dataclasses.replace(b35, level="省政府负责落实"),
        "deadline": dataclasses.replace(b35, deadline="2020-12-31前"),
        "words": dataclasses.replace(b35, source_text=b35.source_text.replace("35蒸吨", "30蒸吨")),
        "bracket": dataclasses.replace(b35, source_text=b35.source_text.split("。(")[0] + "。"),
        # skipping B-35's bracket to borrow the CHP sentence's one
        "elision": dataclasses.replace(b35, source_text=b35.source_text.split("低碳燃烧")[0] + ELISION
                                       + load_rules().get("B-CHP").source_text),
        "none": dataclasses.replace(b35, source_text=""),
    }
    for what, rule in wrong.items():
        assert source_problems(rule, seed), what
    assert any("not named in the bracket" in p for p in source_problems(wrong["lead"], seed))
    # the error this issue fixed: 三(二)7's rules once named other supporting departments
    old = dataclasses.replace(load_rules().get("V-COAL0"),
                              lead_dept="省能源局牵头，省住建厅、省财政厅、省生态环境厅等部门配合")
    assert any("lead_dept" in p for p in source_problems(old, seed))
    # a deadline that is not a date in the quote needs its note
    chp = load_rules().get("B-CHP")
    assert source_problems(chp, seed) == []
    assert source_problems(dataclasses.replace(chp, deadline_note=""), seed)


def test_source_text_required_in_the_shipped_file_optional_in_a_users():
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    first = re.search(r"\n    source_text: [^\n]*", text).group(0)
    without = text.replace(first, "", 1)
    with pytest.raises(RuleFileError, match="source_text"):
        load_rules_text(without, source=DEFAULT_RULES_PATH)
    user = load_rules_text(without)  # a user's rules file may leave the quote out
    assert user.rules[0].source_text == "" and user.rules[1].source_text
    with pytest.raises(RuleFileError, match="source_text"):
        load_rules_text(text.replace(first, "\n    source_text: 12", 1))
    note = re.search(r"\n    deadline_note: [^\n]*", text).group(0)
    with pytest.raises(RuleFileError, match="deadline_note"):
        load_rules_text(text.replace(note, "\n    deadline_note: [a]", 1))


def test_a_dumped_file_keeps_the_quotes(tmp_path):
    rs = load_rules()
    again = load_rules(rs.dump(tmp_path / "rules.yaml"))
    for rule in rs.rules:
        kept = again.get(rule.id)
        assert (kept.source_text, kept.deadline_note, kept.lead_dept, kept.level, kept.deadline) == \
               (rule.source_text, rule.deadline_note, rule.lead_dept, rule.level, rule.deadline)
    assert all(r.source_text for r in again.rules)
