"""The summary workbook's sheets beyond the run's counts: 需核实 by city and county with names; 农村清洁取暖
from the run's rural_heating layer; with the monthly ledger 进度 (equal to the ledger's monthly_progress) and
销号清单 (the month's data and manual check-offs); a wrong month or ledger writes nothing; Chinese in every
cell of every sheet; the Processing algorithm's LEDGER and MONTH.

The ledger is built here from the small outputs fixture: 2020-07 = the fixture's flags; 2020-08 drops every
task of 阳泉 城区 and five of 小店区 (done by the data) and adds one new enterprise; people tick tasks off by hand
after each month (one of them taken back)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from bluesky_zoning.analysis.ledger.updates import Ledger
from bluesky_zoning.analysis.reports.meeting import CITY_ORDER
from bluesky_zoning.layers.ledger_store.factory import open_ledger
from bluesky_zoning.layers.workbook.writer import LEDGER_SHEETS, SHEETS, write_summary_workbook
from outputs_fixture import build_outputs_fixture

JULY, AUGUST = "2020-07", "2020-08"
NUMBERS = ["open", "new", "done", "reopened", "overdue"]
HEADERS = ["未完成", "本月新增", "本月销号", "重新出现", "逾期"]


@dataclass
class Setup:
    fx: object  # the outputs fixture (flags.gpkg, zones.gpkg …)
    flags_gpkg: Path
    zones_gpkg: Path
    ledger_gpkg: Path
    ledger: Ledger
    dropped: set  # task ids gone in 2020-08 (done by the data)
    july_ticks: dict  # task id → who ticked it off after 2020-07
    august_tick: str  # ticked off after 2020-08 (still in the data)
    reverted: str  # ticked off after 2020-08 and taken back


def _flags_copy(fx, path, to_verify=None, heating=None):
    """A flags.gpkg with the fixture's flags and verdicts and the given to_verify / rural_heating tables."""
    for layer in ("enterprise_flags", "enterprise_verdicts"):
        pyogrio.write_dataframe(pyogrio.read_dataframe(fx.flags_gpkg, layer=layer), path, layer=layer,
                                driver="GPKG", append=path.exists())
    for layer, frame in (("to_verify", to_verify), ("rural_heating", heating)):
        if frame is None:
            frame = pyogrio.read_dataframe(fx.flags_gpkg, layer=layer, read_geometry=False) \
                if layer == "to_verify" else None
        if frame is not None:  # a table without geometry, as the run writes the non-spatial layers
            pyogrio.write_dataframe(pd.DataFrame(frame), path, layer=layer, driver="GPKG", append=True)
    return path


def test_to_verify_rows_by_city_and_county_with_names(setup, tmp_path):
    from bluesky_zoning.layers.workbook.writer import NOT_IN_COUNTY

    tv = pd.DataFrame({
        "ent_id": ["E1", "E2", "E3", "E4", "V1", "E6"],
        "layer": ["boiler", "boiler", "mine", "plant", "village", "boiler"],
        "problem": ["额定蒸发量无法解析：“约二十吨”", "点 (114.5, 38.0) 不在任何县区范围内", "开采方式为空",
                    "行业为空", "总户数为空", "燃料类型为空"],
        "row": [7, 12, 3, 9, 4, 30], "field": ["capacity_tph", "lon,lat", "method", "industry", "households", "fuel"],
        "raw": ["约二十吨", "114.5, 38.0", "", "", "", ""],
        "name": ["晋城城区甲锅炉", "界外乙锅炉", "阳泉城区丙矿", "小店区丁厂", "小店区戊村", "平遥己锅炉"],
        "column": ["蒸吨", "经度、纬度", "开采方式", "行业", "总户数", "燃料"],
        "county": ["城区", "", "城区", "小店区", "小店区", "平遥县"],
        "city": ["晋城市", "", "阳泉市", "太原市", "太原市", "晋中市"],
        "adcode": ["140502", "", "140302", "140105", "140105", "140728"],
    })
    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", to_verify=tv)
    out = write_summary_workbook(flags, tmp_path / "汇总表.xlsx")
    rows = list(openpyxl.load_workbook(out)["需核实"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("地市", "县区", "名称") and {"清单行号", "字段", "需核实原因", "类别"} <= set(header)
    col = {h: i for i, h in enumerate(header)}
    assert len(body) == len(tv)
    # each county's own block: the plan's city order, adcode within it; the row outside every county last
    placed = [r for r in body if r[col["县区"]] != NOT_IN_COUNTY]
    keys = [(CITY_ORDER.index(r[col["地市"]]), tv.loc[tv["name"] == r[col["名称"]], "adcode"].item()) for r in placed]
    assert keys == sorted(keys)
    assert [r[col["地市"]] for r in placed] == ["太原市", "太原市", "阳泉市", "晋城市", "晋中市"]
    assert body[-1][col["名称"]] == "界外乙锅炉" and body[-1][col["县区"]] == NOT_IN_COUNTY
    assert body[-1][col["地市"]] is None
    by_name = {r[col["名称"]]: r for r in body}
    assert by_name["晋城城区甲锅炉"][col["清单行号"]] == 7 and by_name["晋城城区甲锅炉"][col["字段"]] == "额定蒸发量"
    assert by_name["小店区戊村"][col["类别"]] == "村"  # the kind's label, never the code


def _outside_rows():
    """Rows to verify as a run writes them (county empty: the point lies in no county; pandas 3 reads the
    blanks back as NaN), two of them naming their county, one a village that names none."""
    return pd.DataFrame({
        "ent_id": ["GL-03333", "GL-04500", "村庄清单-585", "E1"],
        "layer": ["boiler", "boiler", "village", "boiler"],
        "problem": ["点 (114.5149, 38.0423) 不在任何县区范围内", "几何为空（NULL），无坐标，无法定位", "几何为空（NULL），无坐标，无法定位",
                    "额定蒸发量无法解析：“约二十吨”"],
        "row": [233, 3079, 585, 7], "field": ["lon,lat", "geometry", "geometry", "capacity_tph"],
        "raw": ["114.5149, 38.0423", "NULL", None, "约二十吨"],
        "name": ["临汾市永和县新兴宾馆", "阳泉市郊区富民医院锅炉房", "黄家屯村", "晋城城区甲锅炉"],
        "column": [None, None, None, "蒸吨"],
        "county": [None, None, None, "城区"], "city": [None, None, None, "晋城市"],
        "adcode": [None, None, None, "140502"],
    })


def _verify_sheet(path):
    rows = list(openpyxl.load_workbook(path)["需核实"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _notes(path):
    return "\n".join(str(r[0]) for r in openpyxl.load_workbook(path)["说明"].iter_rows(values_only=True))


def test_county_from_the_name_only_when_asked(setup, tmp_path):
    """A point in no county: by default the row says so and names the county its name holds, never placing it
    there; with county_from_name it goes to that county's block, marked as inferred; a name without a county
    stays outside either way."""
    from bluesky_zoning.layers.workbook.writer import BY_NAME, NOT_IN_COUNTY

    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", to_verify=_outside_rows())
    plain = _verify_sheet(write_summary_workbook(flags, tmp_path / "默认.xlsx"))
    by_name = {r["名称"]: r for r in plain}
    assert by_name["临汾市永和县新兴宾馆"]["县区"] == f"{NOT_IN_COUNTY}（名称含永和县）"
    assert by_name["阳泉市郊区富民医院锅炉房"]["县区"] == f"{NOT_IN_COUNTY}（名称含郊区）"
    assert by_name["黄家屯村"]["县区"] == NOT_IN_COUNTY
    assert all(by_name[n]["地市"] is None for n in ("临汾市永和县新兴宾馆", "阳泉市郊区富民医院锅炉房", "黄家屯村"))
    assert plain[0]["名称"] == "晋城城区甲锅炉"  # the rows outside every county after the counties' blocks
    assert not any(BY_NAME in str(r["县区"]) for r in plain)
    assert "未据此归县" in _notes(tmp_path / "默认.xlsx")

    out = write_summary_workbook(flags, tmp_path / "按名称.xlsx", county_from_name=True)
    asked = _verify_sheet(out)
    by_name = {r["名称"]: r for r in asked}
    assert (by_name["临汾市永和县新兴宾馆"]["地市"], by_name["临汾市永和县新兴宾馆"]["县区"]) == ("临汾市", f"永和县（{BY_NAME}）")
    assert (by_name["阳泉市郊区富民医院锅炉房"]["地市"], by_name["阳泉市郊区富民医院锅炉房"]["县区"]) == ("阳泉市", f"郊区（{BY_NAME}）")
    assert (by_name["黄家屯村"]["地市"], by_name["黄家屯村"]["县区"]) == (None, NOT_IN_COUNTY)
    # each in its city's block, in the plan's order; the row still outside every county last
    assert [r["名称"] for r in asked] == ["阳泉市郊区富民医院锅炉房", "晋城城区甲锅炉", "临汾市永和县新兴宾馆", "黄家屯村"]
    assert by_name["临汾市永和县新兴宾馆"]["需核实原因"].startswith("点 (114.5149, 38.0423) 不在任何县区范围内")
    assert "按名称推断" in _notes(out) and "请核实坐标" in _notes(out)


MISSING_WORDS = re.compile(r"(?<![A-Za-z])(NULL|None|nan|NaN|<NA>|NaT)(?![A-Za-z])")


def test_no_cell_says_null_none_or_nan(setup, tmp_path):
    """Whatever a value's way into the workbook (QGIS's NULL text, None, pandas 3's NaN for a blank string, a
    NaN distance), its cell is empty: no cell of any sheet holds the word."""
    tv = _outside_rows()
    tv.loc[3, "raw"] = "None"
    tv["column"] = pd.array([None, float("nan"), "nan", "蒸吨"], dtype=object)
    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", to_verify=tv, heating=_heating_frame())
    out = write_summary_workbook(flags, tmp_path / "汇总表.xlsx", setup.zones_gpkg, ledger=setup.ledger_gpkg)
    wb = openpyxl.load_workbook(out)
    cells = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert [c for c in cells if MISSING_WORDS.search(c[2])] == []
    rows = _verify_sheet(out)
    assert {r["名称"]: r["原始值"] for r in rows}["阳泉市郊区富民医院锅炉房"] is None  # was "NULL"
    assert {r["名称"]: r["原始值"] for r in rows}["晋城城区甲锅炉"] is None  # was "None"
    assert all(r["清单列名"] in (None, "蒸吨") for r in rows)
    # the check itself finds the words
    assert MISSING_WORDS.search("原始值 NULL") and MISSING_WORDS.search("nan") and not MISSING_WORDS.search("Nanjing")


HEATING = [  # level, city, county, adcode, villages, households, clean, coverage, target, meets, unknown
    ("province", None, None, None, 9, 5000, 3100, 62.0, 60.0, 1, 1),
    ("county", "晋中市", "平遥县", "140728", 3, 2000, 1500, 75.0, 60.0, 1, 0),
    ("city", "晋中市", None, "140700", 3, 2000, 1500, 75.0, 60.0, 1, 0),
    ("county", "太原市", "小店区", "140105", 4, 2000, 1000, 50.0, 60.0, 0, 1),
    ("city", "太原市", None, "140100", 6, 3000, 1600, 53.333, 60.0, 0, 1),
    ("county", "太原市", "迎泽区", "140106", 2, 1000, 600, 60.0, 60.0, 1, 0),
]


def _heating_frame():
    return pd.DataFrame(HEATING, columns=["scope", "city", "county", "adcode", "villages", "households",
                                          "clean_households", "coverage_pct", "target_pct", "meets",
                                          "unknown_villages"])


def test_rural_heating_sheet(setup, tmp_path):
    from bluesky_zoning.layers.workbook.writer import HEATING_SHEET

    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", heating=_heating_frame())
    assert "rural_heating" in [r[0] for r in pyogrio.list_layers(flags)]
    out = write_summary_workbook(flags, tmp_path / "汇总表.xlsx")
    wb = openpyxl.load_workbook(out)
    assert HEATING_SHEET in wb.sheetnames and wb.sheetnames.index(HEATING_SHEET) < wb.sheetnames.index("规则一览")
    ws = wb[HEATING_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("层级", "地市", "县区", "村数", "总户数", "清洁取暖户数", "覆盖率(%)", "目标(%)", "是否达标",
                       "缺数据村数")
    # 太原 before 晋中 (plan order), counties by adcode, each city's row after its counties, province last
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("县区", "太原市", "小店区"), ("县区", "太原市", "迎泽区"), ("地市", "太原市", None),
        ("县区", "晋中市", "平遥县"), ("地市", "晋中市", None), ("全省", "全省", None)]
    taiyuan = rows[3]
    assert taiyuan[3:] == (6, 3000, 1600, 53.3, 60, "未达标", 1)
    assert rows[4][8] == "达标" and rows[1][8] == "未达标"
    bold = [ws.cell(r, 1).font.b for r in range(2, ws.max_row + 1)]
    assert bold == [False, False, True, False, True, True]  # cities and the province in bold
    assert ws.cell(4, 7).number_format == "0.0"


def test_rural_heating_as_the_run_writes_it(setup, tmp_path):
    """analysis/inputs/villages.py leaves county/city '' on the total rows; a county without household figures has no
    coverage: 缺数据, neither met nor missed."""
    frame = _heating_frame().fillna({"city": "", "county": "", "adcode": ""})
    frame.loc[len(frame)] = ["county", "太原市", "尖草坪区", "140108", 0, 0, 0, float("nan"), 60.0, 0, 3]
    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", heating=frame)
    rows = list(openpyxl.load_workbook(write_summary_workbook(flags, tmp_path / "汇总表.xlsx"))["农村清洁取暖"]
                .iter_rows(values_only=True))
    assert [r[:3] for r in rows[1:]] == [
        ("县区", "太原市", "小店区"), ("县区", "太原市", "迎泽区"), ("县区", "太原市", "尖草坪区"), ("地市", "太原市", None),
        ("县区", "晋中市", "平遥县"), ("地市", "晋中市", None), ("全省", "全省", None)]
    assert rows[3][6:] == (None, 60, "缺数据", 3)


# ------------------------------------------------------------------------------------------------ the ledger
def _task(row) -> str:
    return f"{row['layer']}:{row['ent_id']}:{row['rule_id']}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> Setup:
    folder = tmp_path_factory.mktemp("wb_ledger")
    fx = build_outputs_fixture(folder / "fx")
    july = pyogrio.read_dataframe(fx.flags_gpkg, layer="enterprise_flags", read_geometry=False)
    yangquan = july["adcode"] == "140302"
    xiaodian = july.index[july["adcode"] == "140105"][1:6]  # not the first: E001 has two rules
    gone = yangquan | july.index.isin(xiaodian)
    new = july[july["adcode"] == "140502"].iloc[[0]].assign(ent_id="E500", name="晋城城区新增锅炉")
    august = pd.concat([july[~gone], new], ignore_index=True)
    store = open_ledger(folder / "ledger.gpkg")
    store.update_month(july, JULY, by="测试")
    ids = july.apply(_task, axis=1)
    gone_tick, kept_tick = ids[yangquan].iloc[0], ids[july["adcode"] == "140105"].iloc[10]
    ticks = {gone_tick: "阳泉城区核查员", kept_tick: "小店区核查员"}
    for task_id, by in ticks.items():
        store.check_off(task_id, by, evidence=f"{by}现场核查.pdf", note="现场已拆除")
    store.update_month(august, AUGUST, by="测试")
    august_tick, reverted = ids[july["adcode"] == "140105"].iloc[20], ids[july["adcode"] == "140105"].iloc[30]
    store.check_off(august_tick, "小店区复核员", evidence="复核.pdf")
    store.check_off(reverted, "小店区复核员")
    store.check_off(reverted, "小店区复核员", revert=True)
    return Setup(fx, fx.flags_gpkg, fx.zones_gpkg, folder / "ledger.gpkg", store.read(), set(ids[gone]), ticks,
                 august_tick, reverted)


def _progress_sheet(ws):
    """(title, county rows, city rows, province row, month rows) of 进度."""
    rows = list(ws.iter_rows(values_only=True))
    title = rows[0][0]
    assert list(rows[1][:8]) == ["地市", "县区", "区划代码"] + HEADERS
    end = next(i for i, r in enumerate(rows) if i > 1 and all(v is None for v in r))
    body = rows[2:end]
    counties = {r[2]: list(r[3:8]) for r in body if r[1] not in ("全市合计", None)}
    cities = {r[0]: list(r[3:8]) for r in body if r[1] == "全市合计"}
    province = [r for r in body if r[0] == "全省合计"]
    assert rows[end + 1][0] == "逐月全省合计" and list(rows[end + 2][:6]) == ["月份"] + HEADERS
    months = {r[0]: list(r[1:6]) for r in rows[end + 3:] if r[0]}
    return title, counties, cities, province[0][3:8], months, body


def _records(ws):
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _by_task(rows):
    """销号清单's rows by the ledger's task code, worked out from what a person reads: 类别, 编号, 规则."""
    from bluesky_zoning.analysis.reports.labels import LAYER_KIND_LABELS, rule_names

    kinds = {v: k for k, v in LAYER_KIND_LABELS.items()}
    rules = {v: k for k, v in rule_names().items()}
    keyed = {f"{kinds[r['类别']]}:{r['编号']}:{rules[r['规则']]}": r for r in rows}
    assert len(keyed) == len(rows)  # 编号, 类别 and 规则 tell every task apart
    return keyed


def test_progress_equals_the_ledger(setup, tmp_path):
    out = write_summary_workbook(setup.flags_gpkg, tmp_path / "汇总表.xlsx", setup.zones_gpkg, ledger=setup.ledger_gpkg)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == SHEETS[:4] + LEDGER_SHEETS + SHEETS[4:]
    title, counties, cities, province, months, body = _progress_sheet(wb["进度"])
    assert AUGUST in title  # the latest month by default
    progress = setup.ledger.progress[setup.ledger.progress["month"] == AUGUST]
    assert counties == {r.adcode: [int(getattr(r, n)) for n in NUMBERS] for r in progress.itertuples()}
    assert counties["140302"][:3] == [0, 0, 3]  # 阳泉 城区: all three tasks done by the data
    assert counties["140502"][1] == 1  # the new enterprise
    for city, part in progress.groupby("city"):
        assert cities[city] == [int(part[n].sum()) for n in NUMBERS]
    assert list(province) == [int(progress[n].sum()) for n in NUMBERS]
    assert province[2] == len(setup.dropped)
    # month by month: the sums of monthly_progress, which are the months table's own counts
    ledger_months = setup.ledger.months.set_index("month")
    for month in (JULY, AUGUST):
        part = setup.ledger.progress[setup.ledger.progress["month"] == month]
        assert months[month] == [int(part[n].sum()) for n in NUMBERS]
        assert months[month] == [int(ledger_months.loc[month, n]) for n in NUMBERS]
    # counties in the plan's city order, each city's total after its counties, the province's last and bold
    order = [CITY_ORDER.index(r[0]) for r in body if r[0] in CITY_ORDER]
    assert order == sorted(order) and body[-1][0] == "全省合计"
    ws = wb["进度"]
    assert ws.cell(2 + len(body), 1).font.b and not ws.cell(3, 1).font.b


def test_checked_off_list_of_the_month(setup, tmp_path):
    out = write_summary_workbook(setup.flags_gpkg, tmp_path / "汇总表.xlsx", ledger=open_ledger(setup.ledger_gpkg),
                                 month="2020-8")
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["销号清单"][1]]
    assert {"编号", "名称", "类别", "县区", "地市", "规则", "措施", "完成时限", "销号方式", "销号人", "证明材料", "备注"} <= set(header)
    assert header[0] == "编号" and "台账任务代码" not in header  # the enterprise's own number, no machine code
    rows = _records(wb["销号清单"])
    by_id = _by_task(rows)
    assert set(by_id) == setup.dropped | {setup.august_tick}  # never the tick taken back
    assert all(by_id[t]["销号方式"] == "数据销号" for t in setup.dropped)
    assert by_id[setup.august_tick]["销号方式"] == "人工销号"
    assert by_id[setup.august_tick]["销号人"] == "小店区复核员" and by_id[setup.august_tick]["证明材料"] == "复核.pdf"
    assert by_id[setup.august_tick]["当前状态"] == "未完成" and "数据与人工不一致" in by_id[setup.august_tick]["备注"]
    gone_tick = next(t for t in setup.july_ticks if t in setup.dropped)
    assert by_id[gone_tick]["销号人"] == "阳泉城区核查员" and by_id[gone_tick]["当前状态"] == "已销号"
    flags = pyogrio.read_dataframe(setup.flags_gpkg, layer="enterprise_flags", read_geometry=False)
    flag = flags[flags.apply(_task, axis=1) == gone_tick].iloc[0]
    row = by_id[gone_tick]
    assert (row["名称"], row["县区"], row["地市"], row["措施"], row["完成时限"]) == (
        flag["name"], flag["county"], flag["city"], flag["action"], flag["deadline"])
    assert row["规则"] == {"B-35": "重点城市35蒸吨以下燃煤锅炉淘汰"}.get(flag["rule_id"], row["规则"])
    assert not any(r["规则"] in ("B-35", "B-BAN", "P-ULE", "M-OPEN") for r in rows)  # Chinese names
    assert {r["类别"] for r in rows} <= {"锅炉", "工业企业"}
    ranks = [CITY_ORDER.index(r["地市"]) for r in rows]
    assert ranks == sorted(ranks) and len(set(ranks)) > 1  # by city (plan order) …
    blocks = [k for i, k in enumerate((r["地市"], r["县区"]) for r in rows) if i == 0 or k != (rows[i - 1]["地市"],
                                                                                          rows[i - 1]["县区"])]
    assert len(blocks) == len(set(blocks))  # … and each county's tasks together


def test_an_earlier_month(setup, tmp_path):
    out = write_summary_workbook(setup.flags_gpkg, tmp_path / "汇总表.xlsx", ledger=setup.ledger_gpkg, month=JULY)
    wb = openpyxl.load_workbook(out)
    title, counties, _, province, months, _ = _progress_sheet(wb["进度"])
    assert JULY in title and AUGUST not in title
    july = setup.ledger.progress[setup.ledger.progress["month"] == JULY]
    assert counties == {r.adcode: [int(getattr(r, n)) for n in NUMBERS] for r in july.itertuples()}
    assert set(months) == {JULY, AUGUST}  # the second block always shows every month
    rows = _by_task(_records(wb["销号清单"]))
    assert set(rows) == set(setup.july_ticks)  # July: only the two ticked off by hand after it
    for task_id, by in setup.july_ticks.items():
        assert rows[task_id]["销号方式"] == "人工销号" and rows[task_id]["销号人"] == by
        assert rows[task_id]["证明材料"] == f"{by}现场核查.pdf" and "现场已拆除" in rows[task_id]["备注"]


def test_wrong_month_or_ledger_writes_nothing(setup, tmp_path):
    from bluesky_zoning.analysis.inputs.validation import InputError, OutputError

    out = tmp_path / "汇总表.xlsx"
    with pytest.raises(InputError, match="台账中没有 2020-09 的更新"):
        write_summary_workbook(setup.flags_gpkg, out, ledger=setup.ledger_gpkg, month="2020-09")
    with pytest.raises(InputError, match="YYYY-MM"):
        write_summary_workbook(setup.flags_gpkg, out, ledger=setup.ledger_gpkg, month="八月")
    with pytest.raises(OutputError, match="找不到台账文件"):
        write_summary_workbook(setup.flags_gpkg, out, ledger=tmp_path / "无此台账.gpkg")
    with pytest.raises(OutputError, match="不是台账文件"):
        write_summary_workbook(setup.flags_gpkg, out, ledger=setup.flags_gpkg)
    assert list(tmp_path.iterdir()) == []


MACHINE_CODES = {"boiler", "mine", "plant", "village", "chp", "open", "done", "reopened", "close", "exit",
                 "eliminate", "remove", "merge", "retrofit", "rectify", "build", "verify", "none", "data", "manual",
                 "county", "city", "province", "true", "false", "nan", "None"}


def test_every_cell_is_chinese(setup, tmp_path):
    """Walks every cell of every sheet (ledger and rural heating included): no cell is a machine code or a
    ledger task code ("boiler:E001:B-35"), and no code word or rule id shows inside a text."""
    from bluesky_zoning.analysis.ledger.updates import STATUS_LABELS
    from bluesky_zoning.analysis.reports.labels import (
        LAYER_KIND_LABELS,
        VERDICT_CLASS_LABELS,
        code_words,
        english_code_words,
    )

    codes = MACHINE_CODES | set(LAYER_KIND_LABELS) | set(VERDICT_CLASS_LABELS) | set(STATUS_LABELS) | set(code_words())
    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", heating=_heating_frame())
    out = write_summary_workbook(flags, tmp_path / "汇总表.xlsx", setup.zones_gpkg, ledger=setup.ledger_gpkg,
                                 notes=["锅炉图层「boilers」没有「额定蒸发量」字段（capacity_tph）：规则 B-35 未评估"])
    wb = openpyxl.load_workbook(out)
    assert {"进度", "销号清单", "农村清洁取暖"} <= set(wb.sheetnames)
    found, texts = _machine_code_cells(wb, codes)
    assert found == []
    assert english_code_words(texts) == []
    task_codes = set(setup.ledger.tasks["task_id"])
    assert not [t for t in texts if str(t) in task_codes or re.search(r"\b(boiler|mine|plant|chp|village):", str(t))]
    assert {"锅炉", "未完成", "已销号", "数据销号", "人工销号", "达标", "未达标", "县区", "全省"} <= set(texts)
    # the walk itself reports a code wherever it is: a cell holding 'done' or ' Boiler '
    wb["进度"]["C40"], wb["农村清洁取暖"]["B3"] = "done", " Boiler "
    assert sorted(_machine_code_cells(wb, codes)[0]) == [("农村清洁取暖", "B3", " Boiler "), ("进度", "C40", "done")]


def _machine_code_cells(wb, codes):
    """(cells that are a machine code, every other text) of every sheet."""
    texts, found = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if str(cell.value).strip() in codes or str(cell.value).strip().lower() in codes:
                    found.append((ws.title, cell.coordinate, cell.value))
                texts.append(cell.value)
    return found, texts


def test_processing_ledger_and_month(qgis_processing, setup, tmp_path):
    from bluesky_zoning.provider.algorithms.summary_workbook import SummaryWorkbookAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    def run(params):
        alg = SummaryWorkbookAlgorithm().create()
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        ok, msg = alg.checkParameterValues(params, context)
        assert ok, msg
        return alg.processAlgorithm(params, context, feedback)

    alg = SummaryWorkbookAlgorithm().create()  # kept alive: its parameters belong to it
    assert alg.parameterDefinition("LEDGER") is not None and alg.parameterDefinition("MONTH") is not None
    res = run({"FLAGS_GPKG": str(setup.flags_gpkg), "LEDGER": str(setup.ledger_gpkg), "MONTH": JULY,
               "OUTPUT_XLSX": str(tmp_path / "汇总表")})
    assert res["OUTPUT_XLSX"].endswith("汇总表.xlsx")
    wb = openpyxl.load_workbook(res["OUTPUT_XLSX"])
    assert JULY in wb["进度"]["A1"].value and len(_records(wb["销号清单"])) == len(setup.july_ticks)
    res = run({"FLAGS_GPKG": str(setup.flags_gpkg), "OUTPUT_XLSX": str(tmp_path / "无台账.xlsx")})
    assert openpyxl.load_workbook(res["OUTPUT_XLSX"]).sheetnames == SHEETS
    with pytest.raises(QgsProcessingException, match="台账中没有 2020-10 的更新"):
        run({"FLAGS_GPKG": str(setup.flags_gpkg), "LEDGER": str(setup.ledger_gpkg), "MONTH": "2020-10",
             "OUTPUT_XLSX": str(tmp_path / "十月.xlsx")})
    with pytest.raises(QgsProcessingException, match="没有选择台账"):
        run({"FLAGS_GPKG": str(setup.flags_gpkg), "MONTH": AUGUST, "OUTPUT_XLSX": str(tmp_path / "八月.xlsx")})
    assert not (tmp_path / "十月.xlsx").exists() and not (tmp_path / "八月.xlsx").exists()


def test_processing_infers_the_county_only_when_ticked(qgis_processing, setup, tmp_path):
    from bluesky_zoning.layers.workbook.writer import BY_NAME
    from bluesky_zoning.provider.algorithms.summary_workbook import SummaryWorkbookAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    alg = SummaryWorkbookAlgorithm().create()
    param = alg.parameterDefinition("COUNTY_FROM_NAME")
    assert param is not None and param.defaultValue() is False
    flags = _flags_copy(setup.fx, tmp_path / "flags.gpkg", to_verify=_outside_rows())
    counties = {}
    for ticked in (None, True):
        params = {"FLAGS_GPKG": str(flags), "OUTPUT_XLSX": str(tmp_path / f"汇总表_{ticked}.xlsx")}
        if ticked is not None:
            params["COUNTY_FROM_NAME"] = ticked
        ok, msg = alg.checkParameterValues(params, QgsProcessingContext())
        assert ok, msg
        out = alg.processAlgorithm(params, QgsProcessingContext(), QgsProcessingFeedback())["OUTPUT_XLSX"]
        counties[ticked] = {r["名称"]: r["县区"] for r in _verify_sheet(out)}
    assert counties[None]["临汾市永和县新兴宾馆"] == "不在任何县区内（名称含永和县）"  # left alone: no guessing
    assert counties[True]["临汾市永和县新兴宾馆"] == f"永和县（{BY_NAME}）"
