"""Bounded inputs (issue 20, item 4): rules files without YAML aliases and within size, reason templates with
known placeholders and small widths, spreadsheets refused past their row and byte limits before they are read,
read with progress and a working cancel. Every refusal is a Chinese-first message naming the file."""
from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
import openpyxl
import pandas as pd
import pytest
from bluesky_zoning.analysis.common.errors import CanceledError, InputError, UserError
from bluesky_zoning.analysis.common.safe_yaml import load_bounded
from bluesky_zoning.analysis.flagging.reasons import Coded, render_template
from bluesky_zoning.analysis.inputs.enterprises import read_table
from bluesky_zoning.analysis.inputs.import_table import import_table_to_gpkg
from bluesky_zoning.analysis.inputs.table_read import (
    CHUNK_ROWS,
    MIN_BYTE_LIMIT,
    TableTooLargeError,
    byte_limit,
    read_csv,
    read_xlsx,
    xlsx_sheet_size,
)
from bluesky_zoning.analysis.plan.rules import (
    DEFAULT_RULES_PATH,
    MAX_TEMPLATE_WIDTH,
    Rule,
    RuleFileError,
    load_rules,
    ruleset_from_dict,
)

# -- rules files ------------------------------------------------------------------------------------------


def billion_laughs(levels: int = 55, per_level: int = 100) -> str:
    """A rules-looking YAML of ~33 KB whose aliases name the first list per_level ** levels times."""
    out = ["version: 1", 'lol0: &l00 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        out.append(f"lol{i}: &l{i:02d} [" + ", ".join([f"*l{i - 1:02d}"] * per_level) + "]")
    out += ["rules:", "  - id: LOL", f"    zone: *l{levels - 1:02d}", ""]
    return "\n".join(out)


def test_a_billion_laughs_rules_file_is_refused_at_once(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert 30_000 < path.stat().st_size < 40_000
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert time.perf_counter() - start < 2.0
    message = str(err.value)
    assert message.startswith("规则文件有误")
    assert "laughs.yaml:2:" in message and "第 2 行" in message and "锚点 &l00" in message
    assert isinstance(err.value, UserError)


def test_anchors_alone_and_aliases_alone_are_refused(tmp_path):
    anchors = tmp_path / "anchors.yaml"
    anchors.write_text("version: 1\nparams:\n  b35_tph: &t 35\nrules: []\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"anchors\.yaml:3: 规则文件「anchors\.yaml」第 3 行：不允许使用 YAML 锚点 &t"):
        load_rules(anchors)
    merge = tmp_path / "merge.yaml"  # a merge key is an alias too
    merge.write_text("version: 1\nrules:\n  - <<: *base\n    id: X\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"merge\.yaml:3: .*第 3 行：不允许使用 YAML 别名 \*base"):
        load_rules(merge)


def test_rules_files_are_bounded_in_size_and_depth(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("rules: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="嵌套超过 64 层"):
        load_rules(deep)
    many = tmp_path / "many.yaml"  # small enough in bytes, too many nodes
    many.write_text("rules: [" + ",".join(["1"] * 60_000) + "]\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(RuleFileError, match="节点超过 50,000 个"):
        load_rules(many)
    assert time.perf_counter() - start < 5.0
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (5 * 1024 * 1024) + "\nrules: []\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"big\.yaml: 规则文件过大"):
        load_rules(big)


def test_the_shipped_file_and_what_the_plugin_writes_load():
    rs = load_rules()
    data, node = load_bounded(DEFAULT_RULES_PATH.read_text(encoding="utf-8-sig"))
    assert node is not None and data["rules"][0]["id"] == rs.rules[0].id


def test_a_dumped_rule_set_with_shared_values_reloads(tmp_path):
    rs = load_rules()
    raw = rs.raw
    raw["rules"].append({**raw["rules"][0], "id": "B-COPY"})  # shares its lists with rule 0
    path = ruleset_from_dict(raw).dump(tmp_path / "mine.yaml")
    assert "&id" not in path.read_text(encoding="utf-8")
    assert load_rules(path).get("B-COPY").zone == rs.rules[0].zone


# -- reason templates ----------------------------------------------------------------------------------------


def rules_with_reason(tmp_path: Path, reason: str) -> Path:
    """The shipped rules file with rule B-35's reason replaced (in the YAML text, so lines stay true)."""
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8-sig")
    start = text.index("  - id: B-35")
    at = text.index("    reason:", start)
    end = text.index("\n", at)
    path = tmp_path / "reason.yaml"
    path.write_text(text[:at] + "    reason: '" + reason + "'" + text[end:], encoding="utf-8")
    return path


def test_a_huge_width_in_a_reason_is_refused_at_load(tmp_path):
    path = rules_with_reason(tmp_path, "{county}的锅炉{capacity_tph:>20000000}蒸吨")
    start = time.perf_counter()
    with pytest.raises(RuleFileError) as err:
        load_rules(path)
    assert time.perf_counter() - start < 2.0
    message = str(err.value)
    assert "规则 B-35" in message and "字段 reason" in message
    assert "20000000" in message and f"超过上限 {MAX_TEMPLATE_WIDTH}" in message
    assert "模板：“{county}的锅炉{capacity_tph:>20000000}蒸吨”" in message
    assert len(message) < 2000


@pytest.mark.parametrize("reason,said", [
    ("{county}有{no_such_field}台", "模板占位符 {no_such_field} 未知"),
    ("{county.__class__}", "模板占位符 {county.__class__} 不允许"),
    ("{0}{}", "模板占位符 {0} 不允许"),
    ("{county:{city}}", "格式说明 “{city}” 不允许"),
    ("{capacity_tph:,.2f}", "格式说明 “,.2f” 不允许"),
    ("{county:.99}", "宽度或截断长度 99 超过上限 40"),
    ("{county!x}", "的转换 !x 未知"),
    ("{county", "模板格式错误"),
])
def test_unknown_placeholders_and_specs_are_refused_at_load(tmp_path, reason, said):
    with pytest.raises(RuleFileError) as err:
        load_rules(rules_with_reason(tmp_path, reason))
    assert said in str(err.value) and "规则 B-35" in str(err.value), str(err.value)


def test_a_normal_template_still_renders(tmp_path):
    rs = load_rules(rules_with_reason(tmp_path, "{county}{name!s}：{capacity_tph:>6}蒸吨，{b35_tph:<4}|{city:^5.1}|"))
    rule: Rule = rs.get("B-35")
    counties = Coded(np.array([0, 1, 0]), np.array(["小店区", "迎泽区"], dtype=object))
    columns = {"county": counties, "name": np.array(["甲厂", "乙厂", "丙厂"], dtype=object),
               "capacity_tph": np.array(["20", "4.5", "未填"], dtype=object), "b35_tph": "35", "city": "太原市"}
    out = render_template(rule.reason, columns, 3)
    assert list(out) == ["小店区甲厂：    20蒸吨，35  |  太  |", "迎泽区乙厂：   4.5蒸吨，35  |  太  |",
                         "小店区丙厂：    未填蒸吨，35  |  太  |"]
    many = render_template(rule.reason, {**columns, "county": Coded(np.zeros(3000, int), counties.texts),
                                         "name": np.array(["甲厂"] * 3000, dtype=object),
                                         "capacity_tph": np.array(["20"] * 3000, dtype=object)}, 3000)
    assert set(many) == {"小店区甲厂：    20蒸吨，35  |  太  |"}  # the per-combination path gives the same text


def test_rendering_refuses_a_huge_width_made_in_code():
    with pytest.raises(RuleFileError, match="超过上限 40"):
        render_template("{county:>20000000}", {"county": np.array(["小店区"], dtype=object)}, 1)


# -- spreadsheets ------------------------------------------------------------------------------------------


def list_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"编号": [f"GL-{i:05d}" for i in range(n)], "单位名称": [f"企业{i}" for i in range(n)],
                         "经度": 112.5 + np.arange(n) * 1e-4, "纬度": 37.8 + np.arange(n) * 1e-4,
                         "额定蒸发量": ["20蒸吨"] * n})


def write_sheet_zip(path: Path, rows: Iterable[str], dimension: Optional[str] = None, sheet: str = "清单") -> Path:
    """A minimal .xlsx whose one sheet's XML is written here row by row, streamed into a deflated ZIP."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            f'</Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'</Relationships>'))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>'.encode())
            if dimension:
                fh.write(f'<dimension ref="{dimension}"/>'.encode())
            fh.write(b"<sheetData>")
            block = []
            for row in rows:
                block.append(row)
                if len(block) >= 10_000:
                    fh.write("".join(block).encode())
                    block = []
            fh.write("".join(block).encode())
            fh.write(b"</sheetData></worksheet>")
    return path


def sheet_rows(n: int, first: int = 1) -> Iterable[str]:
    yield (f'<row r="{first}"><c r="A{first}" t="inlineStr"><is><t>编号</t></is></c>'
           f'<c r="B{first}" t="inlineStr"><is><t>经度</t></is></c><c r="C{first}" t="inlineStr"><is><t>纬度</t>'
           f'</is></c></row>')
    for i in range(first + 1, first + 1 + n):
        yield (f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>E{i}</t></is></c><c r="B{i}"><v>112.5</v></c>'
               f'<c r="C{i}"><v>37.8</v></c></row>')


def test_an_xlsx_over_the_row_limit_is_refused_with_the_figures(tmp_path):
    path = tmp_path / "锅炉清单.xlsx"
    list_frame(1000).to_excel(path, index=False, sheet_name="太原")
    start = time.perf_counter()
    with pytest.raises(TableTooLargeError) as err:
        read_table(path, max_rows=500)
    assert time.perf_counter() - start < 2.0
    message = str(err.value)
    assert message.startswith("表格「锅炉清单.xlsx」工作表「太原」有 1,000 行数据，超过上限 500 行")
    assert "MAX_ROWS" in message and "bluesky:import_list" in message
    assert isinstance(err.value, InputError) and isinstance(err.value, UserError)
    assert len(read_table(path, max_rows=1000)) == 1000  # at the limit it is read


def test_a_declared_dimension_past_the_limit_is_refused_before_reading(tmp_path):
    path = write_sheet_zip(tmp_path / "declared.xlsx", sheet_rows(3), dimension="A1:C10000001")
    start = time.perf_counter()
    with pytest.raises(TableTooLargeError, match="工作表「清单」有 10,000,000 行数据，超过上限 2,000,000 行"):
        read_table(path)
    assert time.perf_counter() - start < 1.0


def test_an_uncompressed_sheet_past_the_byte_limit_is_refused_before_reading(tmp_path):
    rows = 300_000  # ~13.6 MB of XML per 100,000 rows: past the 32 MB floor of a 500-row limit
    path = write_sheet_zip(tmp_path / "inflates.xlsx", sheet_rows(rows))
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > MIN_BYTE_LIMIT == byte_limit(500) and path.stat().st_size < info.file_size / 5
    start = time.perf_counter()
    with pytest.raises(TableTooLargeError) as err:
        read_table(path, max_rows=500)
    assert time.perf_counter() - start < 1.0
    message = str(err.value)
    assert message.startswith("表格「inflates.xlsx」工作表「清单」解压后有 ") and f"（{info.file_size:,} 字节）" in message
    assert f"超过上限 32.0 MB（{MIN_BYTE_LIMIT:,} 字节，即最多 500 行" in message and "MAX_ROWS" in message


def test_without_a_dimension_the_rows_are_counted_and_the_limit_holds_while_reading(tmp_path):
    counted = write_sheet_zip(tmp_path / "nodim.xlsx", sheet_rows(1000))
    with pytest.raises(TableTooLargeError, match="工作表「清单」有 1,000 行数据，超过上限 500 行"):
        read_table(counted, max_rows=500)  # counted to the end: the count is exact
    longer = write_sheet_zip(tmp_path / "nodim_long.xlsx", sheet_rows(100_000))  # 13 MB: counted in chunks
    with pytest.raises(TableTooLargeError, match="工作表「清单」至少有 [0-9,]+ 行数据，超过上限 500 行"):
        read_table(longer, max_rows=500)
    size = xlsx_sheet_size(counted, max_rows=2000)
    assert size.counted and size.rows == 1000
    lying = write_sheet_zip(tmp_path / "lying.xlsx", sheet_rows(1000), dimension="A1:C3")  # understated
    assert xlsx_sheet_size(lying, max_rows=500).rows == 2
    with pytest.raises(TableTooLargeError, match="工作表「清单」至少有 501 行数据，超过上限 500 行"):
        read_table(lying, max_rows=500)
    table = read_table(lying, max_rows=1000)
    assert len(table) == 1000 and list(table.columns) == ["编号", "经度", "纬度"] and table.loc[999, "编号"] == "E1001"


@pytest.mark.parametrize("chunk", [7, 97, 4096])
def test_the_streaming_row_count_is_exact_across_chunk_edges(tmp_path, monkeypatch, chunk):
    from bluesky_zoning.analysis.inputs import table_read

    monkeypatch.setattr(table_read, "COUNT_CHUNK", chunk)
    path = write_sheet_zip(tmp_path / "edges.xlsx", sheet_rows(1000))
    seen = []
    size = xlsx_sheet_size(path, max_rows=5000, progress=seen.append)
    assert size.counted and size.rows == 1000
    assert seen and seen == sorted(seen) and max(seen) <= table_read.COUNT_SHARE
    with pytest.raises(CanceledError):
        xlsx_sheet_size(path, max_rows=5000, progress=seen.append, is_canceled=lambda: True)


def test_a_bounded_read_gives_what_pandas_gives(tmp_path):
    path = tmp_path / "mixed.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["编号", "名称", "名称", None, "经度", "日期", "是否"])
    ws.append(["E1", "NA", 1.0, None, 112.5, pd.Timestamp("2020-01-01").to_pydatetime(), True])
    ws.append([None] * 7)
    ws.append(["E3", "", "x", None, "112.6°", None, False, None])
    ws.append(["E4", "=1+1", 2.5, 3, "N/A", "null", None, "多出一列"])
    ws["A7"] = "#DIV/0!"
    book.create_sheet("第二页").append(["a", "b"])
    book.save(path)
    for sheet in (0, "第二页", 1):
        pd.testing.assert_frame_equal(read_xlsx(path, sheet), pd.read_excel(path, sheet_name=sheet, dtype=object))
    with pytest.raises(InputError, match="没有工作表「第三页」"):
        read_table(path, sheet="第三页")


def test_progress_is_reported_and_cancel_stops_the_read(tmp_path):
    n = 4 * CHUNK_ROWS
    path = write_sheet_zip(tmp_path / "long.xlsx", sheet_rows(n), dimension=f"A1:C{n + 1}")
    seen = []
    table = read_table(path, progress=seen.append, is_canceled=lambda: False)
    assert len(table) == n and seen[0] == 0.0 and seen[-1] == 1.0
    assert len(seen) >= 5 and seen == sorted(seen)
    seen.clear()
    with pytest.raises(CanceledError):
        read_table(path, progress=seen.append, is_canceled=lambda: len(seen) >= 2)
    assert len(seen) == 2 and seen[-1] < 0.5  # stopped at the first chunk after the cancel
    csv = tmp_path / "long.csv"
    list_frame(4 * CHUNK_ROWS).to_csv(csv, index=False)
    seen.clear()
    with pytest.raises(CanceledError):
        read_table(csv, progress=seen.append, is_canceled=lambda: len(seen) >= 2)
    assert len(seen) == 2


def test_a_csv_is_bounded_by_bytes_and_rows_and_reads_as_before(tmp_path):
    csv = tmp_path / "清单.csv"
    frame = list_frame(3 * CHUNK_ROWS)
    frame.loc[2 * CHUNK_ROWS + 7, "单位名称"] = "晋中市榆次区锅炉房"  # GBK only after the first chunks
    frame.to_csv(csv, index=False, encoding="gbk")
    got = read_csv(csv)
    want = pd.read_csv(csv, dtype=str, encoding="gb18030", skipinitialspace=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    with pytest.raises(TableTooLargeError, match="表格「清单.csv」至少有 5,000 行数据，超过上限 1,000 行"):
        read_table(csv, max_rows=1000)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write("a,b\n")
        line = "x" * 1000 + ",1\n"
        fh.write(line * (MIN_BYTE_LIMIT // len(line) + 10))
    with pytest.raises(TableTooLargeError, match=r"表格「big.csv」有 3[0-9.]+ MB（[0-9,]+ 字节），超过上限 32.0 MB"):
        read_table(big, max_rows=10)


def test_import_table_to_gpkg_takes_the_limit(tmp_path):
    path = tmp_path / "list.xlsx"
    list_frame(1000).to_excel(path, index=False)
    with pytest.raises(TableTooLargeError, match="超过上限 500 行"):
        import_table_to_gpkg(str(path), "boiler", "WGS84", str(tmp_path / "out.gpkg"), max_rows=500)
    assert not (tmp_path / "out.gpkg").exists()
    out, rows, bad, _ = import_table_to_gpkg(str(path), "boiler", "WGS84", str(tmp_path / "out.gpkg"),
                                             max_rows=1000)
    assert rows == 1000 and bad == 0 and Path(out).exists()
