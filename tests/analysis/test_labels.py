"""Chinese for people, codes for machines: rule short names, label columns, readable shapefile headers, printable
notes, the code-word check and the one count of enterprises (two records sharing an id are two enterprises)."""
from __future__ import annotations

import pandas as pd
import pytest
from bluesky_zoning.analysis.plan.rules import (
    ACTION_SEVERITY,
    DEFAULT_RULES_PATH,
    RuleFileError,
    load_rules,
    load_rules_text,
)
from bluesky_zoning.analysis.reports.labels import (
    ACTION_CLASS_LABELS,
    add_label_columns,
    english_code_words,
    kind_label,
    printable,
    rule_names,
)
from bluesky_zoning.analysis.reports.run_report import county_rule_table, run_counts
from bluesky_zoning.analysis.schema.output_fields import OUTPUT_FIELDS, byte_length, shapefile_field_names


def test_every_rule_has_a_short_chinese_name():
    rules = load_rules().rules
    names = [r.short_name for r in rules]
    assert all(names) and len(set(names)) == len(names)
    assert load_rules().get("B-35").short_name == "重点城市35蒸吨以下燃煤锅炉淘汰"
    for name in names:
        assert english_code_words([name]) == [], name  # no code inside a name
        assert len(name) <= 20


def test_short_name_is_required():
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace("    short_name: 燃气锅炉低氮改造\n", "", 1)
    with pytest.raises(RuleFileError) as err:
        load_rules_text(text)
    assert "B-NOX" in str(err.value) and "short_name" in str(err.value)


def test_every_class_and_kind_has_a_label():
    assert set(ACTION_SEVERITY) <= set(ACTION_CLASS_LABELS)
    assert [kind_label(k) for k in ("boiler", "mine", "plant", "chp")] == ["锅炉", "矿山", "工业企业", "热电厂"]


def test_label_columns_beside_codes():
    flags = pd.DataFrame({"ent_id": ["G1"], "layer": ["boiler"], "rule_id": ["B-35"], "action_class": ["eliminate"]})
    out = add_label_columns(flags, "enterprise_flags")
    assert list(out.columns) == ["ent_id", "layer", "layer_label", "rule_id", "rule_name", "action_class",
                                 "action_label"]
    assert out.iloc[0].tolist()[2::2] == ["锅炉", "重点城市35蒸吨以下燃煤锅炉淘汰", "淘汰"]
    verdicts = add_label_columns(pd.DataFrame({"layer": ["plant"], "rule_ids": ["T-RAIL,T-GATE"],
                                               "verdict_class": ["build"]}), "enterprise_verdicts")
    assert verdicts["rule_names"].iloc[0] == "大宗货物150万吨以上修建铁路专用线、重点用车单位安装门禁和视频监控"
    assert verdicts["verdict_label"].iloc[0] == "建设"
    tv = add_label_columns(pd.DataFrame({"layer": ["boiler"], "field": ["capacity_tph"]}), "to_verify")
    assert tv["field_label"].iloc[0] == "额定蒸发量"


@pytest.mark.parametrize("encoding,ent_id", [("GBK", "企业编号"), ("UTF-8", "编号")])
def test_readable_shapefile_headers(encoding, ent_id):
    names = list(OUTPUT_FIELDS)
    mapping = shapefile_field_names(names, encoding, readable=True)
    assert mapping["ent_id"] == ent_id
    assert all(byte_length(s, encoding) <= 10 for s in mapping.values())
    assert len({s.lower() for s in mapping.values()}) == len(mapping)
    assert english_code_words(mapping.values()) == []
    assert shapefile_field_names(["ent_id"], encoding) == {"ent_id": "ent_id"}  # unchanged unless asked


def test_printable_notes_have_no_codes():
    note = "工业企业图层「plants」没有可用的「装机容量」字段（capacity_mw）：规则 B-SMALLCHP 未对该图层评估"
    out = printable(note)
    assert out == "工业企业图层「工业企业清单」没有可用的「装机容量」字段：规则「热电供热半径内落后燃煤小热电关停整合」未对该图层评估"
    assert english_code_words([out]) == [] and english_code_words([note]) == ["plants", "capacity_mw", "B-SMALLCHP"]


def test_two_records_sharing_an_id_are_two_enterprises():
    flags = pd.DataFrame({"ent_id": ["QY-1", "QY-1", "QY-1", "QY-2"], "layer": "plant", "row": [1, 1, 7, 3],
                          "rule_id": ["T-RAIL", "T-GATE", "T-GATE", "T-GATE"], "adcode": "140105",
                          "county": "小店区", "city": "太原市"})
    counts = run_counts(flags, pd.DataFrame({"ent_id": ["QY-1", "QY-1"], "row": [1, 7]}))
    assert (counts.hits, counts.enterprises, counts.to_verify) == (4, 3, 2)
    _rows, _rules, cells = county_rule_table(flags, rule_names())
    assert len(cells[("*", "*")]) == counts.enterprises  # the dock's 合计 is the same count
    assert len(cells[("140105", "T-GATE")]) == 3
    assert counts.text_zh() == "命中 4 条，涉及企业 3 家；需核实 2 条"


def test_printable_keeps_a_quoted_name_whole():
    """A layer's own name keeps its brackets; a canonical field name in brackets after its label is dropped."""
    note = "工业企业图层「Plants (demo)」没有可用的「行业」字段（industry）：规则 P-COKE43 未对该图层评估"
    out = printable(note, {"P-COKE43": "焦炉退出"})
    assert out == "工业企业图层「Plants (demo)」没有可用的「行业」字段：规则「焦炉退出」未对该图层评估"
