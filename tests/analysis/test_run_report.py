"""One count of a run, its rows to verify grouped, the rules in words, and records that share an id."""
from __future__ import annotations

import pandas as pd
from bluesky_zoning.analysis.plan.rule_text import number_text, rule_sentence
from bluesky_zoning.analysis.plan.rules import load_rules
from bluesky_zoning.analysis.reports.run_report import (
    TOTAL_KEY,
    county_rule_table,
    one_language,
    problem_groups,
    run_counts,
    without_row_messages,
)


def _flags():
    return pd.DataFrame({
        "ent_id": ["a", "a", "b", "c"], "layer": ["boiler", "boiler", "boiler", "plant"],
        "rule_id": ["B-35", "B-BAN", "B-35", "T-GATE"], "county": ["小店区", "小店区", "阳高县", "小店区"],
        "city": ["太原市", "太原市", "大同市", "太原市"], "adcode": ["140105", "140105", "140221", "140105"]})


def _to_verify():
    return pd.DataFrame({
        "ent_id": ["a", "d", "e", "e", "f", "f#2"], "layer": ["boiler"] * 4 + ["plant"] * 2,
        "source_layer": ["锅炉清单"] * 4 + ["工业企业清单"] * 2,
        "field": ["capacity_tph", "capacity_tph", "capacity_tph", "lon,lat", "ent_id", "ent_id"],
        "problem": ["额定蒸发量 '约20吨' 无法解析", "额定蒸发量 'abc' 无法解析", "额定蒸发量 为空或无法识别，无法判断规则 B-35",
                    "点 (100.0, 30.0) 不在任何县区范围内", "编号 'f' 重复（共 2 条），名称或位置不同：按 2 家企业分别判定",
                    "编号 'f' 重复（共 2 条），名称或位置不同：按 2 家企业分别判定，本行编号记为 f#2"]})


def test_one_count_of_hits_enterprises_and_rows_to_verify():
    counts = run_counts(_flags(), _to_verify())
    assert (counts.hits, counts.enterprises, counts.to_verify) == (4, 3, 6)
    assert run_counts(None, None) == run_counts(_flags().iloc[:0], _to_verify().iloc[:0])
    # the county × rule table counts the same enterprises
    rows, rules, cells = county_rule_table(_flags(), ["B-BAN", "B-35"])
    assert rules == ["B-BAN", "B-35", "T-GATE"]
    assert [key for key, _ in rows] == ["140105", "140221"]
    assert len(cells[(TOTAL_KEY, TOTAL_KEY)]) == counts.enterprises
    assert len(cells[("140105", TOTAL_KEY)]) == 2 and len(cells[(TOTAL_KEY, "B-35")]) == 2


def test_rows_to_verify_grouped_by_layer_field_and_problem_add_up():
    groups = problem_groups(_to_verify())
    assert sum(g.rows for g in groups) == run_counts(_flags(), _to_verify()).to_verify
    assert groups[0].text_zh() == "锅炉清单：额定蒸发量无法解析，2 行"
    texts = {g.text_zh() for g in groups}
    assert {"锅炉清单：额定蒸发量为空或无法识别，1 行", "锅炉清单：位置不在任何县区范围内，1 行",
            "工业企业清单：编号重复，2 行"} <= texts


def test_a_message_in_one_language_and_row_messages_left_out():
    text = "图层「锅炉」没有坐标参照系，按 EPSG:4326 处理 / layer '锅炉' has no CRS, EPSG:4326 assumed"
    assert one_language(text, True) == "图层「锅炉」没有坐标参照系，按 EPSG:4326 处理"
    assert one_language(text, False) == "layer '锅炉' has no CRS, EPSG:4326 assumed"
    assert one_language("露天矿山关闭区 = 设区市建成区及周边 3 公里", False) == "露天矿山关闭区 = 设区市建成区及周边 3 公里"
    from bluesky_zoning.analysis.inputs.validation import problem_messages

    tv = _to_verify().assign(row=[2, 3, 4, 4, 5, 6], raw=["约20吨", "abc", "", "100.0, 30.0", "f", "f"])
    lines = [text] + problem_messages(tv, None, 3)
    assert without_row_messages(lines, tv) == [text]


def test_every_rule_reads_as_a_sentence_with_threshold_action_and_deadline():
    ruleset = load_rules()
    sentences = {r.id: rule_sentence(r, ruleset.params) for r in ruleset.rules}
    assert sentences["B-35"].endswith("额定蒸发量低于35蒸吨/小时的锅炉：淘汰燃煤锅炉，2020-10-01前")
    assert sentences["B-10"].startswith("重点城市8市（京津冀及周边、汾渭平原）以外")
    assert "热电联产供热半径15公里内" in sentences["B-CHP"]
    assert sentences["M-OPEN"].startswith("设区市建成区及周边3公里内，开采方式为露天开采或露天井工联合开采的矿山")
    assert "未完成低氮改造" in sentences["B-NOX"]
    params = dict(ruleset.params, b35_tph=30.0, mine_ring_km=2.5)
    assert "低于30蒸吨/小时" in rule_sentence(ruleset.get("B-35"), params)
    assert rule_sentence(ruleset.get("M-OPEN"), params).startswith("设区市建成区及周边2.5公里内")
    for rule in ruleset.rules:  # no rule syntax left for a reader
        assert not any(w in sentences[rule.id] for w in ("==", "<=", "capacity_tph", "Z-", "is_false"))
        assert rule.action in sentences[rule.id] and rule.deadline in sentences[rule.id]
    assert [number_text(v) for v in (15.0, 0.5, 4.3, 35)] == ["15", "0.5", "4.3", "35"]
