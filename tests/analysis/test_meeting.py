"""analysis/reports/meeting.py and meeting_progress.py: the plan's freight targets add up, the per-city summary counts
as the flags say, the ledger's numbers of a county, a city and the province."""
from __future__ import annotations

import re

import pandas as pd
import pytest


def test_freight_targets_add_up_to_the_province_and_match_the_quote():
    from bluesky_zoning.analysis.reports.meeting import (
        CITY_ORDER,
        FREIGHT_CLAUSE,
        FREIGHT_PROVINCE,
        FREIGHT_QUOTE,
        FREIGHT_TARGETS,
        freight_province,
        freight_target,
    )

    assert FREIGHT_CLAUSE == "三(三)11"
    assert FREIGHT_PROVINCE == 20000  # 2亿吨 in 万吨
    assert sum(FREIGHT_TARGETS.values()) == FREIGHT_PROVINCE
    assert set(FREIGHT_TARGETS) == set(CITY_ORDER)
    # every number is the plan's own: the quoted sentence names each city with its number, and the province's
    quoted = dict((f"{c}市", int(n)) for c, n in re.findall(r"(\S{2})市增加(\d+)万吨", FREIGHT_QUOTE))
    assert quoted == FREIGHT_TARGETS
    assert "全省铁路货运量较2017年增加2亿吨" in FREIGHT_QUOTE
    assert freight_target("太原市") == "三(三)11：2020年铁路货运量较2017年增加1500万吨（全省增加2亿吨）"
    assert freight_target("运城市") == "三(三)11：2020年铁路货运量较2017年增加1200万吨（全省增加2亿吨）"
    assert freight_target("北京市") is None
    assert "增加2亿吨" in freight_province()


def _flags():
    rows = [  # (ent_id, layer, rule_id, city)
        ("E1", "boiler", "B-35", "太原市"), ("E1", "boiler", "B-BAN", "太原市"),  # one enterprise, two hits
        ("E2", "plant", "P-ULE", "太原市"), ("E3", "mine", "M-OPEN", "阳泉市"),
        ("E4", "boiler", "B-35", None),  # a flag without a city
    ]
    return pd.DataFrame(rows, columns=["ent_id", "layer", "rule_id", "city"]).assign(
        county="某县", adcode="", name=lambda f: f["ent_id"], action="")


def test_city_summary_counts_hits_per_class_enterprises_and_rows_to_verify():
    from bluesky_zoning.analysis.reports.meeting import CITY_ORDER, OTHER_CITY, PROVINCE_ROW, city_summary
    from bluesky_zoning.analysis.reports.run_report import run_counts

    to_verify = pd.DataFrame({"ent_id": ["E9", "E8", "E7"], "city": ["太原市", None, "阳泉市"]})
    table = city_summary(_flags(), to_verify).set_index("city")
    assert list(table.index) == CITY_ORDER + [OTHER_CITY, PROVINCE_ROW]
    assert table.loc["太原市"].to_dict() == {"enterprises": 2, "close": 2, "retrofit": 1, "rectify": 0, "verify": 1}
    assert table.loc["阳泉市"].to_dict() == {"enterprises": 1, "close": 1, "retrofit": 0, "rectify": 0, "verify": 1}
    assert table.loc["大同市"].to_dict() == {"enterprises": 0, "close": 0, "retrofit": 0, "rectify": 0, "verify": 0}
    assert table.loc[OTHER_CITY, "enterprises"] == 1
    total = table.loc[PROVINCE_ROW]
    counts = run_counts(_flags(), to_verify)
    assert (total["enterprises"], total["verify"]) == (counts.enterprises, counts.to_verify) == (4, 3)
    assert total["close"] + total["retrofit"] + total["rectify"] == counts.hits
    # a to_verify table without a city column: the cities cannot say, the total can
    blind = city_summary(_flags(), to_verify.drop(columns="city")).set_index("city")
    assert pd.isna(blind.loc["太原市", "verify"]) and blind.loc[PROVINCE_ROW, "verify"] == 3


def test_ledger_numbers_of_a_county_a_city_and_the_province():
    from bluesky_zoning.analysis.inputs.validation import InputError
    from bluesky_zoning.analysis.ledger.updates import update_ledger
    from bluesky_zoning.analysis.reports.meeting import PROVINCE_ROW, city_summary
    from bluesky_zoning.analysis.reports.meeting_progress import (
        county_rows,
        ledger_month,
        month_progress,
        open_by_month,
    )

    july = _flags().assign(adcode=["140105", "140105", "140105", "140302", ""], deadline="2020-08-31")
    august = pd.concat([july[july["ent_id"] != "E2"],  # E2 done
                        july.iloc[[3]].assign(ent_id="E5", name="E5")], ignore_index=True)  # E5 new in 阳泉
    ledger = update_ledger(None, july, "2020-07").ledger
    ledger = update_ledger(ledger, august, "2020-08").ledger
    assert ledger_month(ledger) == "2020-08"
    with pytest.raises(InputError, match="没有 2020-09"):
        ledger_month(ledger, "2020-09")
    taiyuan = county_rows(ledger.progress, "140105", "某县", "太原市")
    numbers = month_progress(taiyuan, "2020-08")
    assert (numbers.done, numbers.new, numbers.open, numbers.overdue) == (1, 0, 2, 2)
    assert numbers.text_zh() == "台账 2020-08：本月销号 1 项，新增 0 项，逾期 2 项（未完成 2 项）"
    assert open_by_month(taiyuan, ["2020-07", "2020-08"]) == [("2020-07", 3), ("2020-08", 2)]
    assert month_progress(county_rows(ledger.progress, "149999", "无任务县", "太原市"), "2020-08").text_zh() == \
        "台账 2020-08：本县无任务"
    province = month_progress(ledger.progress, "2020-08")
    months = ledger.months.set_index("month").loc["2020-08"]
    assert (province.done, province.new, province.open, province.overdue) == \
        (months["done"], months["new"], months["open"], months["overdue"])
    table = city_summary(august, None, ledger.progress, "2020-08").set_index("city")
    assert table.loc["阳泉市", ["done", "new", "overdue"]].tolist() == [0, 1, 2]
    assert table.loc[PROVINCE_ROW, ["done", "new", "overdue"]].tolist() == [1, 1, months["overdue"]]
