#!/usr/bin/env python3
"""Merge the dock/dialog/algorithm strings and their zh_CN translations into i18n/bluesky_zoning_zh_CN.ts.

Contexts not listed here (other modules' strings) are kept as they are. Run it after changing a tr()
string, then `make translations` compiles the .qm.
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from i18n_strings import collect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "bluesky_zoning_zh_CN.ts"

ZH = {
    # contexts shared by several files
    "Blue Sky Zoning": "蓝天管控分区",
    "Data": "数据", "Rules": "规则", "Analysis": "分析", "Results": "结果", "To verify": "需核实", "Output": "输出",
    "Boilers": "锅炉", "Mines": "矿山", "Plants": "工业企业", "Industrial plants": "工业企业", "CHP plants": "热电厂",
    "Rules (*.yaml *.yml)": "规则文件 (*.yaml *.yml)",
    "Load the Shanxi demo data": "加载山西示例数据",
    '<a href="demo">Load the Shanxi demo data</a>': '<a href="demo">加载山西示例数据</a>',
    "The 1+30 list is a provisional reference list; the provincial air office's official document prevails.":
        "1+30 名单为预置参考名单，请以省大气办正式文件为准",
    "Loading the Shanxi demo data": "正在加载山西示例数据", "Shanxi counties (demo)": "山西县区（示例）",
    "Built-up raster (demo)": "建成区栅格（示例）", "Boilers (demo)": "锅炉清单（示例）", "Mines (demo)": "矿山清单（示例）",
    "Plants (demo)": "工业企业清单（示例）", "CHP plants (demo)": "热电厂清单（示例）",
    "Starting…": "正在启动…", "Blue Sky Zoning analysis": "蓝天管控分析", "Canceled: nothing was added.": "已取消：未添加任何结果。",
    "Failed": "失败", "Done": "完成", "Analysis complete.": "分析完成。",
    "Analysis complete with {n} warnings; see the log on the Run tab.": "分析完成，有 {n} 条提示，请查看“分析”页的日志。",
    "Exporting county packages": "正在导出分县数据包", "Printing the atlas": "正在打印图集",
    "Writing the summary workbook": "正在生成汇总表",
    "On": "启用", "Id": "编号", "Clause": "条款", "What": "内容", "Threshold": "阈值", "Action": "措施", "Deadline": "时限",
    "Layer": "图层", "Name": "名称", "County": "县区", "Problem": "问题",
    "Row": "行号", "Field": "字段", "Raw value": "原始值", "Total": "合计",
    "Open the attribute table of the selection": "打开所选企业的属性表（条款、时限、牵头部门、原因）",
    "Choose the enterprise layers or import a list.": "请选择企业图层或导入企业清单。",
    "Generating the demo data": "正在生成示例数据", "Shanxi demo data loaded.": "山西示例数据已加载。",
    "Choose the county boundary layer.": "请选择县级行政区划图层。", "Choose the built-up layer.": "请选择建成区图层。",
    "Choose at least one enterprise layer (boilers, mines or plants).": "请至少选择一个企业图层（锅炉、矿山或工业企业）。",
    "Canceling…": "正在取消…", "No enterprise was flagged.": "没有企业被标注。", "Run the analysis first.": "请先运行分析。",
    "County packages": "分县数据包", "Atlas": "图集", "Summary workbook": "汇总表", "Project": "工程",
    "Run started: {dir}": "开始分析：{dir}", "The analysis failed: {error}": "分析失败：{error}",
    "Results written to {dir}": "结果已写入 {dir}", "Enterprises": "企业数",
    "{hits} rule hits on {ents} enterprises in {counties} counties; {verify} rows to verify. Click a cell to zoom and select.":
        "{counties} 个县区共 {ents} 家企业命中规则 {hits} 次；需核实 {verify} 条。点击单元格可缩放并选中企业。",
    "{what} written: {path}": "{what}已写出：{path}", "(whole city)": "（全市）", "Importing {name}": "正在导入 {name}",
    "Rules file error: {error}": "规则文件有误：{error}", "Saving the project failed: {error}": "保存工程失败：{error}",
    # import dialog
    "WGS84 (GPS)": "WGS84（GPS）", "CGCS2000 (China 2000)": "CGCS2000（国家2000）",
    "GCJ-02 (Amap / Tencent)": "GCJ-02（高德/腾讯）", "BD-09 (Baidu)": "BD-09（百度）",
    "Tables (*.xlsx *.xls *.csv)": "表格 (*.xlsx *.xls *.csv)", "Column": "列", "Check": "检查",
    "Import enterprise list": "导入企业清单", "{rows} rows; columns: {columns}": "共 {rows} 行；列：{columns}",
    "(not found)": "（未找到）", "Cannot read the file: {error}": "无法读取文件：{error}",
    "⚠ {label}: {n} rows cannot be parsed": "⚠ {label}: {n} 行无法解析", "Import failed: {error}": "导入失败：{error}",
    "File (XLSX/CSV)": "文件（XLSX/CSV）", "Kind of list": "清单类型", "Longitude column": "经度列", "Latitude column": "纬度列",
    "Coordinate system": "坐标系", "Layer name": "图层名称",
    # dock form
    "County boundaries": "县级行政区划", "County name": "县区名称", "City name": "地市名称", "Adcode": "行政区划代码",
    "Built-up areas (polygons or raster)": "建成区（面图层或栅格）", "Raster threshold": "栅格阈值",
    "Enterprise lists": "企业清单", "Planning areas": "城市规划区", "Import enterprise list…": "导入企业清单…",
    "Rules file": "规则文件", "Thresholds and distances": "阈值与距离",
    "Key cities: coal boilers below (t/h)": "重点城市：淘汰低于此值的燃煤锅炉（蒸吨/小时）",
    "Elsewhere: coal boilers up to (t/h)": "其他地区：淘汰不高于此值的燃煤锅炉（蒸吨/小时）",
    "CHP heating radius (km)": "热电联产供热半径（公里）", "Mine closure ring (km)": "露天矿山关闭区外扩（公里）",
    "Urban-rural fringe (km, 0 = off)": "城乡结合部外扩（公里，0 为不外扩）", "Output folder": "输出文件夹",
    "Run": "运行分析", "Cancel": "取消", "Export county packages": "导出分县数据包", "Print atlas": "打印图集",
    "Save project": "保存工程",
    # algorithms
    "Ring around prefecture built-up areas for open-pit mine closure (km)": "设区市建成区周边露天矿山关闭区宽度（公里）",
    "Urban-rural fringe ring around built-up areas (km, 0 = off)": "建成区外城乡结合部宽度（公里，0 为不外扩）",
    "Coal boiler threshold in the key cities (t/h, below it: eliminate)": "重点城市燃煤锅炉淘汰阈值（蒸吨/小时，低于此值淘汰）",
    "Coal boiler threshold elsewhere (t/h, at or below it: eliminate)": "其他地区燃煤锅炉淘汰阈值（蒸吨/小时，不高于此值淘汰）",
    "Import enterprise list (XLSX/CSV)": "导入企业清单（XLSX/CSV）",
    "Reads an Excel or CSV list of boilers, mines, plants or CHP plants with longitude/latitude columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system and the points are converted. Empty longitude/latitude fields are guessed from the column names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry and reported.":
        "读取带经纬度列的锅炉、矿山、工业企业或热电厂 Excel/CSV 清单，输出 WGS84（EPSG:4326）点图层，保留表格全部列。用高德/腾讯地图取得的坐标为 GCJ-02，百度为 BD-09：选择清单的坐标系即自动转换。经度/纬度列留空时按列名（经度/纬度、lon/lat）自动识别。坐标无法读取的行保留（无几何）并报告。",
    "Enterprise list (XLSX or CSV)": "企业清单（XLSX 或 CSV）", "Tables (*.xlsx *.xls *.csv *.txt)": "表格 (*.xlsx *.xls *.csv *.txt)",
    "Longitude column (guessed when empty)": "经度列（留空自动识别）", "Latitude column (guessed when empty)": "纬度列（留空自动识别）",
    "Coordinate system of the list": "清单坐标系", "Enterprise points": "企业点位", "CGCS2000": "CGCS2000（国家2000）",
    "GCJ-02 (Amap/Tencent)": "GCJ-02（高德/腾讯）",
    "Longitude column: {lon}; latitude column: {lat}; coordinate system: {cs}": "经度列：{lon}；纬度列：{lat}；坐标系：{cs}",
    "{n} rows have no readable coordinates; they are kept without geometry": "{n} 行坐标无法读取，已保留为无几何要素",
    "Build the zones": "构建管控分区",
    "Builds the plan's zones from the county boundaries, the built-up areas (polygons, or a raster thresholded and polygonised) and the CHP plants: coal-ban zones, the 1+30 region, key-city groups, northern coal-zero districts, industrial-cluster counties, CHP heating rings, the open-pit mine closure zone and the planning areas. Writes zones.gpkg to the output folder.":
        "由县级行政区划、建成区（面图层，或按阈值矢量化的栅格）和热电厂构建计划规定的管控分区：禁煤区、“1+30”区域、重点城市组、晋北散煤清零区、产业集群整治县、热电联产供热半径、露天矿山关闭区和城市规划区。结果写入输出文件夹的 zones.gpkg。",
    "Built-up raster threshold (cell value at or above it is built-up)": "建成区栅格阈值（像元值不低于此值视为建成区）",
    "City planning areas": "城市规划区", "Rules file (YAML; the shipped plan when empty)": "规则文件（YAML；留空使用内置计划规则）",
    "Zones GeoPackage": "管控分区 GeoPackage", "Flag enterprises": "企业逐一标注",
    "Checks every boiler, mine and plant against the rules of the plan inside the zones of a zones.gpkg (from 'Build the zones') and writes flags.gpkg: enterprise_flags (one row per rule hit with clause, action, deadline, lead department and reason), enterprise_verdicts (one verdict per enterprise) and to_verify (rows that could not be judged, with why).":
        "按计划规则，在 zones.gpkg（由“构建管控分区”生成）的各分区内逐一检查锅炉、矿山和工业企业，写出 flags.gpkg：enterprise_flags（每次命中一行，含条款、措施、时限、牵头部门和理由）、enterprise_verdicts（每家企业一个结论）和 to_verify（无法判定的记录及原因）。",
    "Zones GeoPackage (zones.gpkg)": "管控分区文件（zones.gpkg）", "Flags GeoPackage": "标注结果 GeoPackage", "Rule hits": "规则命中数",
    "Run the whole analysis": "一键完成全部分析",
    "Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the 1+30 region, key-city groups, CHP heating rings, open-pit mine closure zone, planning areas), flags every boiler, mine and plant with the plan's rules and writes zones.gpkg and flags.gpkg to the output folder; optionally also the per-county packages, the PDF atlas, the summary workbook and a QGIS project. The fields of every input layer are guessed from their column names (Chinese or English); FIELD_MAP overrides a guess, one kind.field=column per entry (kinds admin, planning, boiler, mine, plant, chp; e.g. planning.city=所属市; plant.industry=所属行业). A planning area without a city gets the city it lies in. Distances and thresholds default to the rules file's values.":
        "构建山西省2020年蓝天保卫战决战计划的管控分区（由建成区生成禁煤区、“1+30”区域、重点城市组、热电联产供热半径、露天矿山关闭区、城市规划区），按计划规则逐一标注锅炉、矿山和工业企业，在输出文件夹写出 zones.gpkg 和 flags.gpkg；可选同时导出分县数据包、PDF 图集、汇总表和 QGIS 工程。各输入图层的字段按列名（中文或英文）自动识别；FIELD_MAP 可改写识别结果，每项写 图层类型.字段=列名（图层类型 admin、planning、boiler、mine、plant、chp；如 planning.city=所属市; plant.industry=所属行业）。没有所属城市字段的规划区按位置确定所属城市。距离与阈值默认取规则文件中的值。",
    "Reading the input layers": "读取输入图层", "Export per-county packages": "导出分县数据包", "Print the PDF atlas": "打印 PDF 图集",
    "Write the summary workbook": "生成汇总表", "Save a QGIS project": "保存 QGIS 工程", "Enterprises flagged": "被标注企业数",
    "Rows to verify": "需核实条数", "Enterprises read": "读入企业数", "Per-county packages": "分县数据包",
    "Exporting the per-county packages": "正在导出分县数据包", "Saving the QGIS project": "正在保存 QGIS 工程",
    "Canceled: nothing was written.": "已取消：未写出任何文件。",
    "Field mapping overrides (kind.field=column, separated by ; or new lines; e.g. planning.city=所属市; boiler.fuel=燃料)":
        "字段对应（图层类型.字段=列名，用分号或换行分隔；如 planning.city=所属市; boiler.fuel=燃料）",
    "(none)": "（无）",
    "Also write the results to this PostgreSQL connection": "同时将结果写入此 PostgreSQL 连接（QGIS 中保存的连接）",
    "Database schema for the results": "存放结果的数据库模式", "Tables written to the database": "写入数据库的表数",
    "Writing the results to the database": "正在将结果写入数据库",
    "Canceled: the database keeps its previous results.": "已取消：数据库中保留原有结果。",
    "PostGIS database": "PostGIS 数据库", "Write the results to the database": "将结果写入数据库",
    "Connection": "连接", "Schema": "模式", "Database tables": "数据库结果表",
    "Cannot list the schemas of {name}: {error}": "无法列出「{name}」中的模式：{error}",
    "Choose a saved PostgreSQL connection and a schema.": "请选择一个已保存的 PostgreSQL 连接和一个模式。",
    # output algorithms
    "Export county packages (分县数据包)": "导出分县数据包", "Outputs": "输出",
    "Writes one zip per county, named by adcode and county name: the county's zones (clipped to the county) and flagged enterprises as shapefiles with a .cpg, a field dictionary (CSV) and a lossless GeoPackage of the same.":
        "每个县区写出一个 zip（以区划代码和县区名命名）：该县区的管控分区（按县界裁剪）和被标注企业的 shapefile（含 .cpg）、字段说明（CSV），以及同样内容的无损 GeoPackage。",
    "Flags GeoPackage (flags.gpkg)": "标注结果 GeoPackage（flags.gpkg）", "Shapefile encoding": "Shapefile 编码",
    "Number of packages": "数据包个数", "zones": "分区", "flags": "标注结果", "admin": "行政区划",
    "Canceled; complete packages written: {}": "已取消；已完整写出的数据包：{}",
    "{} county packages written to {}": "已写出 {} 个分县数据包到 {}",
    "The {} GeoPackage does not exist: {}": "{} GeoPackage 不存在：{}",
    "Export of county packages failed: {}": "导出分县数据包失败：{}",
    "Print atlas (打印图集)": "打印图集",
    "Writes one PDF: a province overview page, then one page per county with its zones, flagged enterprises, the table of tasks (continued on further pages when long), the city's targets and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a 'counties' layer (county, city, adcode).":
        "写出一个 PDF：首页为全省总览，随后每个县区一页，含管控分区、被标注企业、任务表（过长时续页）、所在市目标和数据说明；可选另出分县 PDF。ADMIN 为含 counties 图层（county、city、adcode）的 GeoPackage。",
    "Admin GeoPackage (counties)": "行政区划 GeoPackage（counties）", "Atlas PDF": "图集 PDF",
    "Also one PDF per county": "另出分县 PDF", "Number of pages": "页数",
    "Printing the atlas failed: {}": "打印图集失败：{}", "Summary workbook (汇总表)": "汇总表",
    "Writes an XLSX workbook: county × rule counts, city totals, the task list in meeting order, the rows to verify and notes on the data.":
        "写出 XLSX 汇总表：分县×规则统计、分市合计、按会议顺序排列的任务清单、需核实清单和数据说明。",
    "Zones GeoPackage (optional)": "分区 GeoPackage（可选）", "Workbook": "汇总表",
    "The flags GeoPackage does not exist: {}": "标注结果 GeoPackage 不存在：{}",
    "Writing the workbook failed: {}": "写出汇总表失败：{}",
}


def main() -> int:
    tree = ET.parse(TS)
    root = tree.getroot()
    contexts = {ctx.findtext("name"): ctx for ctx in root.findall("context")}
    missing = []
    for name, strings in collect().items():
        ctx = contexts.get(name)
        if ctx is None:
            ctx = ET.SubElement(root, "context")
            ET.SubElement(ctx, "name").text = name
        else:
            for msg in ctx.findall("message"):
                ctx.remove(msg)
        for source in strings:
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = source
            tr = ET.SubElement(msg, "translation")
            if source in ZH:
                tr.text = ZH[source]
            else:
                tr.set("type", "unfinished")
                missing.append(f"{name}: {source}")
    ET.indent(tree, space="    ")
    body = ET.tostring(root, encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")
    for line in missing:
        print("untranslated:", line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
