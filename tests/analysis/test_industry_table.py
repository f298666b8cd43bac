"""Industry labels → the classes the rules use (RULES.md §2 and §4: P-PLANAREA steel/coking/foundry, P-ULE steel,
P-COKE43 coking, P-WASH coal_washing, P-STAGGER steel/建材/coking/foundry/non-ferrous/chemical).

Real labels: the GB/T 4754-2017 names of the industries the plan names, and what inventories actually write.
"""
from __future__ import annotations

import pytest
from bluesky_zoning.analysis.inputs.parsing import parse_industry
from bluesky_zoning.analysis.schema.fields import INDUSTRY_LABELS

LABELS = [
    # GB/T 4754-2017 names
    ("炼铁", "steel"), ("炼钢", "steel"), ("钢压延加工", "steel"), ("黑色金属冶炼和压延加工业", "steel"),
    ("黑色金属铸造", "foundry"), ("有色金属铸造", "foundry"), ("炼焦", "coking"), ("火力发电", "power"),
    ("热电联产", "chp"), ("煤炭开采和洗选", "coal_mining"), ("烟煤和无烟煤开采洗选", "coal_mining"),
    ("水泥制造", "cement"), ("平板玻璃制造", "building_materials"), ("陶瓷制品制造", "building_materials"),
    ("耐火材料制品制造", "building_materials"), ("石灰和石膏制造", "building_materials"),
    ("粘土砖瓦及建筑砌块制造", "building_materials"), ("有色金属冶炼和压延加工业", "nonferrous"),
    ("铝冶炼", "nonferrous"), ("化学原料和化学制品制造业", "chemical"), ("氮肥制造", "chemical"),
    ("水泥制品制造", "other"), ("金属结构制造", "other"), ("光伏设备及元器件制造", "other"),
    # what inventories write
    ("铸造(铸钢)", "foundry"), ("铸造（铸铁）", "foundry"), ("铸铁件", "foundry"), ("铸钢件", "foundry"),
    ("精密铸造", "foundry"), ("球墨铸铁管", "foundry"), ("钢结构制造", "other"), ("钢结构", "other"),
    ("不锈钢制品", "other"), ("钢化玻璃", "building_materials"), ("钢铁", "steel"), ("轧钢", "steel"),
    ("炼钢连铸", "steel"), ("烧结", "steel"), ("球团", "steel"), ("焦化", "coking"), ("独立焦化", "coking"),
    ("焦化（捣固焦）", "coking"), ("兰炭", "coking"), ("洗煤厂", "coal_washing"), ("选煤", "coal_washing"),
    ("煤炭洗选", "coal_washing"), ("洗精煤", "coal_washing"), ("煤矿", "coal_mining"), ("煤矿机械制造", "other"),
    ("电解铝", "nonferrous"), ("氧化铝", "nonferrous"), ("金属镁", "nonferrous"), ("铝型材", "nonferrous"),
    ("铝合金门窗", "other"), ("玻璃制品", "building_materials"), ("日用陶瓷", "building_materials"),
    ("建筑陶瓷", "building_materials"), ("耐火砖", "building_materials"), ("石灰窑", "building_materials"),
    ("粘土砖", "building_materials"), ("页岩砖", "building_materials"), ("烧结多孔砖", "building_materials"),
    ("砖瓦", "building_materials"), ("岩棉", "building_materials"), ("石灰石开采", "other"),
    ("化肥", "chemical"), ("合成氨", "chemical"), ("甲醇", "chemical"), ("焦炉煤气制甲醇", "chemical"),
    ("电石", "chemical"), ("煤焦油加工", "chemical"), ("水泥", "cement"), ("水泥粉磨站", "cement"),
    ("商砼", "other"), ("混凝土搅拌站", "other"), ("商品混凝土", "other"), ("热电", "chp"),
    ("燃煤发电", "power"), ("瓦斯发电", "power"), ("光伏发电", "other"), ("风力发电", "other"),
    ("食品加工", "other"), ("瓦楞纸箱", "other"),
    # English and the canonical codes themselves
    ("Iron and steel", "steel"), ("Foundry", "foundry"), ("cast iron", "foundry"), ("Coking", "coking"),
    ("cement", "cement"), ("coal_washing", "coal_washing"), ("building_materials", "building_materials"),
]


def test_the_table_is_large_and_every_class_is_a_known_one():
    assert len(LABELS) >= 40
    assert len({label for label, _ in LABELS}) == len(LABELS)  # no label twice
    assert {cls for _, cls in LABELS} <= set(INDUSTRY_LABELS)


@pytest.mark.parametrize("label, expected", LABELS)
def test_industry_label(label, expected):
    assert parse_industry(label) == (expected, None)
