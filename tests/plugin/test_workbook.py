"""Summary workbook: sheets, totals equal to the flags, meeting order, Chinese headers, written whole or not at all.

The ledger, rural-heating and county-sorted to-verify sheets: test_workbook_sheets.py."""
from __future__ import annotations

import openpyxl
import pyogrio
import pytest
from bluesky_zoning.analysis.reports.labels import rule_names
from bluesky_zoning.layers.workbook.writer import SHEETS, write_summary_workbook
from outputs_fixture import build_outputs_fixture


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def test_workbook_totals_equal_flags(fixture, tmp_path):
    out = write_summary_workbook(fixture.flags_gpkg, tmp_path / "汇总表.xlsx", zones_gpkg=fixture.zones_gpkg)
    assert out.exists() and not list(tmp_path.glob("*.part*"))
    flags = pyogrio.read_dataframe(fixture.flags_gpkg, layer="enterprise_flags")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == SHEETS

    county = wb["分县统计"]
    header = [c.value for c in county[1]]
    rows = list(county.iter_rows(min_row=2, values_only=True))
    total = rows[-1]
    assert total[0] == "合计"
    assert total[header.index("命中合计")] == len(flags)
    assert sum(r[header.index("命中合计")] for r in rows[:-1]) == len(flags)
    names = rule_names()
    for rule, n in flags["rule_id"].value_counts().items():
        assert total[header.index(names[rule])] == n  # rules by their short Chinese names
        assert county.cell(1, header.index(names[rule]) + 1).comment.text == f"规则编号 {rule}"  # the id
    assert county.freeze_panes == "A2"
    by_county = {(r[0], r[1]): r[header.index("命中合计")] for r in rows[:-1]}
    assert by_county[("太原市", "小店区")] == (flags["adcode"] == "140105").sum()
    assert ("晋中市", "平遥县") not in by_county  # nothing flagged there

    city = wb["分市统计"]
    crow = list(city.iter_rows(min_row=2, values_only=True))
    assert crow[-1][0] == "全省合计" and crow[-1][3] == len(flags)

    tasks = list(wb["任务清单"].iter_rows(values_only=True))
    assert len(tasks) - 1 == len(flags)
    theader = tasks[0]
    assert {"企业名称", "规则", "处置措施", "条款", "完成时限", "牵头部门", "落实层级"} <= set(theader)
    cities = [r[theader.index("设区市")] for r in tasks[1:]]
    assert cities == sorted(cities, key=["太原市", "阳泉市", "晋城市"].index)  # plan's city order
    names = {r[theader.index("企业名称")] for r in tasks[1:]}
    assert names == set(flags["name"])

    verify = list(wb["需核实"].iter_rows(values_only=True))
    assert len(verify) - 1 == 2 and "需核实原因" in verify[0]
    notes = "\n".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True))
    assert "合成" in notes and "1+30" in notes and "3 公里" in notes
    assert f"命中 {len(flags)} 条，涉及企业 {flags.drop_duplicates(['layer', 'ent_id']).shape[0]} 家；需核实 2 条" in notes


def workbook_cells(path):
    """Every cell value of every sheet."""
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def test_workbook_has_no_english_code_words(fixture, tmp_path):
    from bluesky_zoning.analysis.reports.labels import english_code_words

    out = write_summary_workbook(fixture.flags_gpkg, tmp_path / "汇总表.xlsx", zones_gpkg=fixture.zones_gpkg,
                                 notes=["锅炉图层「boilers」没有可用的「额定蒸发量」字段（capacity_tph）：规则 B-35 未对该图层评估"])
    cells = workbook_cells(out)
    assert "锅炉" in cells and "重点城市35蒸吨以下燃煤锅炉淘汰" in cells
    assert english_code_words(cells) == []
    # the check itself finds them
    assert english_code_words(["boiler", "规则 B-35", "verdict_class=eliminate"]) == ["boiler", "B-35", "verdict_class",
                                                                                     "eliminate"]


def test_to_verify_of_an_older_run_keeps_county_empty(fixture, tmp_path):
    """The fixture's to_verify has no county columns: unknown, not 'outside every county'."""
    from bluesky_zoning.layers.workbook.writer import NOT_IN_COUNTY

    out = write_summary_workbook(fixture.flags_gpkg, tmp_path / "汇总表.xlsx")
    wb = openpyxl.load_workbook(out)
    rows = list(wb["需核实"].iter_rows(values_only=True))
    assert rows[0][:3] == ("地市", "县区", "名称")
    assert [r[:3] for r in rows[1:]] == [(None, None, None)] * 2
    assert NOT_IN_COUNTY not in workbook_cells(out)
    assert "农村清洁取暖" not in wb.sheetnames  # the fixture's flags.gpkg has no rural_heating layer


# ------------------------------------------------------------------------------------------------ whole or nothing
def test_failed_save_leaves_the_previous_workbook(fixture, tmp_path, monkeypatch):
    import errno

    from bluesky_zoning.analysis.inputs.validation import OutputError

    out = write_summary_workbook(fixture.flags_gpkg, tmp_path / "汇总表.xlsx")
    before = out.read_bytes()

    def half_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_save)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_summary_workbook(fixture.flags_gpkg, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总表.xlsx"]
    monkeypatch.undo()
    assert openpyxl.load_workbook(out).sheetnames == SHEETS
