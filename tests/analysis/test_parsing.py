"""Messy values: each parser returns (value, problem) and quotes the raw value in the problem."""
from __future__ import annotations

import pandas as pd
import pytest
from bluesky_zoning.analysis.inputs import parsing as p


@pytest.mark.parametrize("raw, value", [("35蒸吨", 35.0), ("35 t/h", 35.0), ("35吨", 35.0), (35, 35.0),
                                        ("24.5MW", 35.0), ("7 MW", 10.0), ("１０蒸吨/小时", 10.0), ("4吨/h", 4.0)])
def test_capacity(raw, value):
    assert p.parse_capacity_tph(raw) == (pytest.approx(value), None)


def test_capacity_problems_quote_raw():
    assert p.parse_capacity_tph("约20吨") == (None, "额定蒸发量 '约20吨' 无法解析")
    assert p.parse_capacity_tph(-3)[1] == "额定蒸发量 '-3' 为负数或小于 0，不合理"
    assert "不合理" in p.parse_capacity_tph("2500蒸吨")[1]
    assert p.parse_capacity_tph("") == (None, None) and p.parse_capacity_tph(None) == (None, None)
    assert p.parse_capacity_tph(7, default_unit="MW") == (pytest.approx(10.0), None)


@pytest.mark.parametrize("raw, value", [("露天开采", "open_pit"), ("露天", "open_pit"), ("井工", "underground"),
                                        ("地下开采", "underground"), ("露天/井工联合", "mixed")])
def test_method(raw, value):
    assert p.parse_method(raw) == (value, None)


@pytest.mark.parametrize("raw, value", [("燃煤", "coal"), ("煤", "coal"), ("原煤", "coal"), ("型煤", "coal"),
                                        ("天然气", "gas"), ("燃气", "gas"), ("焦炉煤气", "gas"), ("生物质", "biomass"),
                                        ("电", "electric"), ("柴油", "oil"), ("NG", "gas"), (" lpg ", "gas")])
def test_fuel(raw, value):
    assert p.parse_fuel(raw) == (value, None)


def test_unknown_fuel_is_a_problem():
    assert p.parse_fuel("木柴?") == (None, "燃料类型 '木柴?' 无法识别")


@pytest.mark.parametrize("raw, value", [("是", True), ("否", False), ("Y", True), ("N", False), ("已完成", True),
                                        ("未完成", False), ("true", True), ("1", True), (0, False), (True, True)])
def test_bool(raw, value):
    assert p.parse_bool(raw) == (value, None)


def test_bool_problem():
    assert p.parse_bool("大概", label="低氮改造") == (None, "低氮改造 '大概' 无法识别为是/否")


@pytest.mark.parametrize("raw, value", [("A", "A"), ("b级", "B"), ("C级企业", "C"), ("D", "D"), ("B-", "B-")])
def test_perf_class(raw, value):
    assert p.parse_perf_class(raw) == (value, None)


@pytest.mark.parametrize("raw, value", [("钢铁", "steel"), ("焦化", "coking"), ("铸造", "foundry"),
                                        ("热电", "chp"), ("洗煤", "coal_washing"), ("食品加工", "other")])
def test_industry(raw, value):
    assert p.parse_industry(raw) == (value, None)


def test_other_numbers():
    assert p.parse_capacity_mw("30万千瓦") == (300.0, None)
    assert p.parse_capacity_mw("2×300MW") == (600.0, None)
    assert p.parse_height_m("4.3米") == (4.3, None)
    assert p.parse_freight_10kt("150万吨") == (150.0, None)
    assert p.parse_freight_10kt("1500000吨") == (pytest.approx(150.0), None)
    assert p.parse_count("10辆") == (10.0, None)


def test_parse_series_once_per_value():
    calls = []

    def parser(raw, label=""):
        calls.append(raw)
        return p.parse_fuel(raw)

    values, problems = p.parse_series(pd.Series(["燃煤"] * 1000 + ["天然气", None, "??"]), parser)
    assert len(calls) == 3
    assert values.iloc[0] == "coal" and values.iloc[1001] is None and problems.iloc[1002] == "燃料类型 '??' 无法识别"
