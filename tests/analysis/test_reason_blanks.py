"""Every rule's reason reads naturally when one of its values is blank: never "未填 户", "未填%" or "未填 万吨"."""
from __future__ import annotations

import re
import string

import numpy as np
import pytest
from bluesky_zoning.analysis.flagging.reasons import BLANK, render_template
from bluesky_zoning.analysis.plan.rules import load_rules

RULES = load_rules().rules
BLANK_AND_UNIT = re.compile(BLANK + r"\s*(?:%|蒸吨/小时|万吨|公里|米|MW|兆瓦|辆|户|级)")


def _names(template: str):
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_a_blank_value_reads_without_its_unit(rule):
    names = _names(rule.reason)
    assert names, rule.id
    for blank in names:
        columns = {n: np.array([BLANK if n == blank else "12"], dtype=object) for n in names}
        text = render_template(rule.reason, columns, 1)[0]
        assert BLANK in text and not BLANK_AND_UNIT.search(text), (rule.id, blank, text)
        assert "{" not in text, text


def test_the_unit_stays_where_the_value_is_given():
    text = render_template("仍有散煤户 {n} 户，比例 {p}%", {"n": np.array(["3", BLANK], dtype=object),
                                                       "p": np.array([BLANK, "60"], dtype=object)}, 2)
    assert list(text) == ["仍有散煤户 3 户，比例 未填", "仍有散煤户 未填，比例 60%"]
