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
    "Choose at least one list (boilers, mines, plants or villages).": "请至少选择一个清单（锅炉、矿山、工业企业或村）。",
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
    "Enterprise and village lists": "企业与村庄清单", "Planning areas": "城市规划区", "Import enterprise list…": "导入企业清单…",
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
    "Reads an Excel or CSV list of boilers, mines, plants, CHP plants or villages and communities with longitude/latitude columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system and the points are converted. Empty longitude/latitude fields are guessed from the column names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry and reported. A table of more than the maximum rows (or whose sheet is larger than 1 KB a row) is refused before it is read; raise the maximum to read it.":
        "读取带经纬度列的锅炉、矿山、工业企业、热电厂或村（社区）Excel/CSV 清单，输出 WGS84（EPSG:4326）点图层，保留表格全部列。用高德/腾讯地图取得的坐标为 GCJ-02，百度为 BD-09：选择清单的坐标系即自动转换。经度/纬度列留空时按列名（经度/纬度、lon/lat）自动识别。坐标无法读取的行保留（无几何）并报告。行数超过“最多读取行数”（或工作表大于每行 1 KB）的表格在读取前即被拒绝；如确需读取，请调高该上限。",
    "Maximum rows to read (a larger table is refused before reading)": "最多读取行数（超过则读取前拒绝）",
    "Reading the table (at most {n} rows)…": "正在读取表格（最多 {n} 行）…",
    "Reading {name}…": "正在读取 {name}…", "Reading canceled.": "已取消读取。",
    "Enterprise list (XLSX or CSV)": "企业清单（XLSX 或 CSV）", "Tables (*.xlsx *.xls *.csv *.txt)": "表格 (*.xlsx *.xls *.csv *.txt)",
    "Longitude column (guessed when empty)": "经度列（留空自动识别）", "Latitude column (guessed when empty)": "纬度列（留空自动识别）",
    "Coordinate system of the list": "清单坐标系", "Enterprise points": "企业点位", "CGCS2000": "CGCS2000（国家2000）",
    "GCJ-02 (Amap/Tencent)": "GCJ-02（高德/腾讯）",
    "Longitude column: {lon}; latitude column: {lat}; coordinate system: {cs}": "经度列：{lon}；纬度列：{lat}；坐标系：{cs}",
    "{n} rows have no readable coordinates; they are kept without geometry": "{n} 行坐标无法读取，已保留为无几何要素",
    "Build the zones": "构建管控分区",
    "Builds the plan's zones from the county boundaries, the built-up areas (polygons, or a raster thresholded and polygonised) and the CHP plants: coal-ban zones, the 1+30 region, key-city groups, northern coal-zero districts, industrial-cluster counties, CHP heating rings, the open-pit mine closure zone and the planning areas. Writes zones.gpkg to the output folder.":
        "由县级行政区划、建成区（面图层，或按阈值矢量化的栅格）和热电厂构建计划规定的管控分区：禁煤区、“1+30”区域、重点城市分组、北部平原散煤清零区、产业集群综合整治县、热电联产供热半径、露天矿山关闭区和城市规划区。结果写入输出文件夹的 zones.gpkg。",
    "Built-up raster threshold (cell value at or above it is built-up)": "建成区栅格阈值（像元值不低于此值视为建成区）",
    "City planning areas": "城市规划区", "Rules file (YAML; the shipped plan when empty)": "规则文件（YAML；留空使用内置计划规则）",
    "Zones GeoPackage": "管控分区 GeoPackage", "Flag enterprises": "企业逐一标注",
    "Checks every boiler, mine and plant against the rules of the plan inside the zones of a zones.gpkg (from 'Build the zones') and writes flags.gpkg: enterprise_flags (one row per rule hit with clause, action, deadline, lead department and reason), enterprise_verdicts (one verdict per enterprise) and to_verify (rows that could not be judged, with why).":
        "按计划规则，在 zones.gpkg（由“构建管控分区”生成）的各分区内逐一检查锅炉、矿山和工业企业，写出 flags.gpkg：enterprise_flags（每次命中一行，含条款、措施、时限、牵头部门和理由）、enterprise_verdicts（每家企业一个结论）和 to_verify（无法判定的记录及原因）。",
    "Zones GeoPackage (zones.gpkg)": "管控分区文件（zones.gpkg）", "Flags GeoPackage": "标注结果 GeoPackage", "Rule hits": "规则命中数",
    "Run the whole analysis": "一键完成全部分析",
    "Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the 1+30 region, "
    "key-city groups, CHP heating rings, the open-pit mine closure zone, planning areas), judges every boiler, mine, "
    "plant and village with the plan's rules and writes the zones (zones.gpkg) and the judgements (flags.gpkg) to the "
    "output folder; with the options below (ticked in this dialog) also the per-county packages, the PDF atlas, the "
    "summary workbook and a QGIS project. The columns of every list are recognised by their names (Chinese or "
    "English); where one is wrong, the field mapping names the right column (how: the user guide, section 7). A "
    "planning area without a city gets the city it lies in. Distances and thresholds left empty take the rules "
    "file's values.":
        "构建《山西省打赢蓝天保卫战2020年决战计划》的管控分区（由建成区生成禁煤区，以及“1+30”区域、重点城市分组、热电"
        "联产供热半径、露天矿山关闭区、城市规划区），按计划规则逐一判定锅炉、矿山、工业企业和村（社区），在输出文件夹写出"
        "管控分区（zones.gpkg）和判定结果（flags.gpkg）；勾选下面的选项（本对话框中默认勾选）时，同时导出分县数据包、"
        "PDF 图集、汇总表和 QGIS 工程。各清单的列按列名（中文或英文）自动识别；识别有误时在“字段对应”中写明正确的列"
        "（写法见用户手册第 7 节）。没有所属城市的规划区按位置确定所属城市。距离与阈值留空时取规则文件中的值。",
    "Reading the input layers": "读取输入图层", "Export per-county packages": "导出分县数据包", "Print the PDF atlas": "打印 PDF 图集",
    "Write the summary workbook": "生成汇总表", "Save a QGIS project": "保存 QGIS 工程", "Enterprises flagged": "被标注企业数",
    "Rows to verify": "需核实条数", "Enterprises read": "读入企业数", "Per-county packages": "分县数据包",
    "Exporting the per-county packages": "正在导出分县数据包", "Saving the QGIS project": "正在保存 QGIS 工程",
    "Canceled: nothing was written.": "已取消：未写出任何文件。",
    "Field mapping overrides (kind.field=column, separated by ; or new lines; e.g. planning.city=所属市; boiler.fuel=燃料)":
        "字段对应（图层类型.字段=列名，用分号或换行分隔；如 城市规划区.所属城市=所属市; 锅炉.燃料类型=燃料）",
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
    "Writes one PDF: a province overview page (with the per-city summary), then one page per county with its zones, flagged enterprises, the table of tasks (continued on further pages when long), the city's targets and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a 'counties' layer (county, city, adcode). LEDGER (optional): the monthly ledger GeoPackage; each page then shows that month's numbers and a chart of open tasks month by month (MONTH, YYYY-MM; empty: the ledger's latest). BASEMAP (optional): a raster layer drawn under every map; or TIANDITU_KEY: a Tianditu key for its vector map and labels (needs the internet; the key is written nowhere). COMPARE (optional): the compare.gpkg of 'Compare scenarios'; then one page per city with changed enterprises follows the county pages: where the zones moved and who is new, released or changed.":
        "写出一个 PDF：首页为全省总览（含分市汇总），随后每个县区一页，含管控分区、被标注企业、任务表（过长时续页）、所在市目标和数据说明；可选另出分县 PDF。ADMIN 为含 counties 图层（county、city、adcode）的 GeoPackage。LEDGER（可选）：月度台账 GeoPackage，各页另印该月台账数字和逐月未完成任务图（MONTH 为 YYYY-MM，留空为台账最近一个月）。BASEMAP（可选）：印在各页地图下的栅格底图；或填 TIANDITU_KEY（天地图密钥），用天地图矢量底图和注记（需联网；密钥不写入任何输出）。COMPARE（可选）：“方案比较”写出的 compare.gpkg，县区页之后每个有变化企业的设区市另印一页：管控区范围的变化，以及新增、解除、措施变化的企业。",
    "Monthly ledger GeoPackage (optional)": "月度台账 GeoPackage（可选）",
    "Ledger month YYYY-MM (empty: latest)": "台账月份 YYYY-MM（留空：最近一个月）",
    "Basemap raster (optional)": "底图栅格图层（可选）",
    "Tianditu key for a Tianditu basemap (optional)": "天地图密钥，用天地图作底图（可选）",
    "Scenario comparison compare.gpkg (optional)": "方案比较结果 compare.gpkg（可选）",
    "Admin GeoPackage (counties)": "行政区划 GeoPackage（counties）", "Atlas PDF": "图集 PDF",
    "Also one PDF per county": "另出分县 PDF", "Number of pages": "页数",
    "Printing the atlas failed: {}": "打印图集失败：{}", "Summary workbook (汇总表)": "汇总表",
    # bluesky:compare_scenarios and the workbook's comparison input
    "Compare two scenarios (方案比较)": "方案比较",
    "Base settings (empty: the rules file), e.g. chp_radius_km=15": "基准方案设置（留空即规则文件原值），如 chp_radius_km=15",
    "Variant settings, e.g. chp_radius_km=20; fringe_km=2; rule.B-NOX=off; 1p30.add=和顺县":
        "比较方案设置（在基准之上修改），如 chp_radius_km=20; fringe_km=2; rule.B-NOX=off; 1p30.add=和顺县",
    "Comparison (compare.gpkg)": "方案比较结果（compare.gpkg）",
    "Scenario comparison (compare.gpkg of bluesky:compare_scenarios, optional)": "方案比较结果（compare.gpkg，可选）",
    "Writes an XLSX workbook: county × rule counts, city totals, the task list in meeting order, the rows to verify (by city and county) and notes on the data; the rural clean-heating coverage when the run wrote it. With a monthly ledger also 进度 (the month per county, city and province, and the province month by month) and 销号清单 (the tasks checked off in the month, by the data or by hand). Month empty: the ledger's latest. A row to verify whose point lies in no county is listed under the county its name states only when 'Infer the county from the name' is ticked (marked as inferred).":
        "写出 XLSX 汇总表：分县×规则统计、分市合计、按会议顺序排列的任务清单、需核实清单（按市、县排列）和数据说明；分析写出农村清洁取暖覆盖率时另列一表。选择月度台账时另有“进度”（该月分县、分市、全省，及全省逐月合计）和“销号清单”（该月数据销号和人工销号的任务）。月份留空：台账最近一个月。坐标不在任何县区内的需核实记录，只有勾选“按名称推断县区”时才按名称中的县区列入该县（并注明“按名称推断”）。",
    "Month of the ledger (YYYY-MM; empty: the latest)": "台账月份（YYYY-MM，留空为最近一个月）",
    "Infer the county from the name (rows to verify outside every county)": "按名称推断县区（坐标不在任何县区内的需核实记录）",
    "Zones GeoPackage (optional)": "分区 GeoPackage（可选）", "Workbook": "汇总表",
    "The flags GeoPackage does not exist: {}": "标注结果 GeoPackage 不存在：{}",
    "Writing the workbook failed: {}": "写出汇总表失败：{}",
    # monthly ledger algorithms
    "Ledger GeoPackage": "台账 GeoPackage", "GeoPackage (*.gpkg)": "GeoPackage (*.gpkg)",
    "Ledger GeoPackage (created when missing, updated when present)": "台账 GeoPackage（不存在时新建，已存在时更新）",
    "Or: the ledger in this PostgreSQL connection": "或：台账放在此 PostgreSQL 连接中（QGIS 中保存的连接）",
    "Database schema of the ledger": "台账所在的数据库模式",
    "Update the monthly ledger": "更新月度台账", "Monthly ledger": "月度台账",
    "Folds one month's analysis (its flags.gpkg) into the monthly check-off ledger of the plan's item 四(二) (逐月检点，逐项销号). A task is one rule hit of one enterprise. A task of last month that the month's flags no longer show is done (销号) this month; a task never seen before is open and new; a done task that comes back is reopened; an open task past its deadline at the end of the month is overdue. Enterprises are recognised by the inventory's own id (编号 / 统一社会信用代码); rows without one by name and position within 50 m, and the ledger says so. A manual check-off is kept: the ledger shows the data's status, the check-off and where they disagree. The ledger is its own GeoPackage (created when missing, updated when present, never an analysis output) or a PostGIS schema a team shares. Updating the same month again replaces that month's update (the same flags give the same ledger); a month older than the ledger's last is refused.":
        "把某月分析结果（flags.gpkg）并入计划四(二)要求的月度销号台账（逐月检点，逐项销号）。一项任务即一家企业命中一条规则。上月有、本月标注结果中已没有的任务，本月销号；首次出现的任务为未完成、计为本月新增；已销号又出现的任务为重新出现；月末已过完成时限仍未完成的任务为逾期。企业按清单自带编号（编号 / 统一社会信用代码）逐月对应；没有编号的按名称和 50 米内的位置对应，台账中注明。人工销号予以保留：台账同时列出数据状态、人工销号及二者是否一致。台账是单独的 GeoPackage（不存在时新建，已存在时更新，不能用分析结果文件），也可放在多人共用的 PostGIS 模式中。同一月份再次更新时替换该月原有结果（同样的数据得到同样的台账）；早于台账最新月份的月份不予更新。",
    "Flags of the month's run (flags.gpkg)": "本月分析的标注结果（flags.gpkg）",
    "Month (YYYY-MM, e.g. 2020-08)": "月份（YYYY-MM，如 2020-08）",
    "Tasks in the month's flags": "本月任务数", "Open tasks": "未完成任务数", "New this month": "本月新增",
    "Done this month": "本月销号", "Reopened this month": "本月重新出现", "Overdue tasks": "逾期任务数",
    "Checked off by hand but still in the data": "人工销号但数据中仍存在", "Ledger": "台账",
    "Check off a ledger task by hand": "人工销号（台账任务）",
    "Ticks one task of the monthly ledger off by hand (人工销号), e.g. after an on-site inspection: who, when (now), the evidence file's name and a note are kept on the task and in its history. The data never overrule the check-off: while the month's flags still show the task, the ledger keeps both and marks the disagreement. Revert takes the check-off back. Only this task's check-off columns are written, so colleagues checking off other tasks of a shared PostGIS ledger at the same time lose nothing.":
        "对月度台账中的一项任务人工销号（如现场核查后）：销号人、时间（当前）、证明材料文件名和备注记在该任务及其变更记录中。数据不会覆盖人工销号：本月标注结果中仍有该任务时，台账两者并列并标明不一致。勾选“撤销”可撤回人工销号。只写该任务的销号字段，多人同时在共用的 PostGIS 台账中为不同任务销号互不影响。",
    "Task id (task_id)": "任务编号（task_id）", "Checked off by (name; QGIS user when empty)": "销号人（姓名；留空为 QGIS 用户名）",
    "Evidence (file name of the record)": "证明材料（记录文件名）", "Note": "备注",
    "Revert the manual check-off": "撤销人工销号", "Status in the data": "数据状态", "Manual check-off": "人工销号",
    "Data and check-off disagree": "数据与人工销号不一致",
    # villages (三(二)7) in the dock, the import dialog and bluesky:import_list
    "Villages and communities": "村（社区）清单", "Villages (demo)": "村（社区）清单（示例）",
    "Administrative villages and communities (points or polygons): households, clean heating, terrain":
        "行政村和社区（点或面）：总户数、散煤户数、清洁取暖户数、取暖方式、地形",
    # the 进度 tab: the monthly ledger in the dock
    "Progress": "进度", "GeoPackage file": "GeoPackage 文件", "Kept in": "存放位置", "Ledger file": "台账文件",
    "The ledger's GeoPackage (created by the first update)": "台账 GeoPackage（首次更新时新建）",
    "Month": "月份", "The months the ledger holds; the table shows the one chosen.": "台账中已有的月份；下表显示所选月份。",
    "The month the last run's lists describe (YYYY-MM). The same month again replaces its update; an older month than the ledger's last is refused.":
        "本次分析所用清单对应的月份（YYYY-MM）。再次更新同一月份会替换该月原有结果；早于台账最新月份的月份不予更新。",
    "Update ledger": "更新台账", "Last run as month": "本次分析记为",
    "City": "地市", "Open": "未完成", "Reopened": "重新出现", "Overdue": "逾期", "State": "状态",
    "Province total": "全省合计", "The province": "全省",
    "Check off the selected task by hand…": "对所选任务人工销号…",
    "Select one task in the list above (or one point of the task layer on the map), then record who checked it off, the evidence file and a note.":
        "先在上面的任务列表中（或在地图的任务图层上）选中一项任务，再填写销号人、证明材料文件和备注。",
    "Choose where the monthly ledger is kept: a GeoPackage file (created by the first update) or a PostGIS connection and schema.":
        "请选择月度台账的存放位置：一个 GeoPackage 文件（首次更新时新建），或一个 PostGIS 连接及模式。",
    "Reading the monthly ledger": "正在读取月度台账",
    "{ledger} does not exist yet or holds no month: run the analysis, type the month and click Update ledger.":
        "{ledger}还不存在或尚无任何月份：请运行分析，填写月份后点击“更新台账”。",
    "{ledger}, {month}: {open} open, {new} new this month, {done} done this month, {reopened} reopened, {overdue} overdue. Click a county to select its open tasks on the map.":
        "{ledger}，{month}：未完成 {open}，本月新增 {new}，本月销号 {done}，重新出现 {reopened}，逾期 {overdue}。点击县区可在地图上选中其未完成任务。",
    "The task layer of {ledger} cannot be opened.": "无法打开{ledger}的任务图层。",
    "{place}: {n} open tasks (click one to find it on the map).": "{place}：未完成任务 {n} 项（点击一项可在地图上定位）。",
    "Select one task first: click a county, then a task in the list (or one point of the task layer on the map).":
        "请先选中一项任务：点击县区，再点击任务列表中的一项（或在地图的任务图层上选中一个点）。",
    "Check-off of {task} taken back.": "已撤销「{task}」的人工销号。",
    "{task}: checked off by hand by {by}.": "「{task}」已由 {by} 人工销号。",
    "The month's data still show it: the ledger keeps both and marks the disagreement.":
        "本月数据中该任务仍然存在：台账同时保留两者并标明不一致，请核实。",
    "Saving the check-off": "正在保存人工销号",
    "Fold the last run's results (flags.gpkg) into the ledger for the month.": "把最近一次分析结果（flags.gpkg）按所填月份并入台账。",
    "Run the analysis first: the ledger is updated with a run's results.": "请先运行分析：台账用分析结果更新。",
    "The ledger cannot be the run's flags file; choose another file name.": "台账不能是分析结果文件本身，请另选一个文件名。",
    "Folding {month} into the ledger": "正在将 {month} 并入台账", "Reading the updated ledger": "正在读取更新后的台账",
    "{ledger} updated for {month}: {new} new, {done} done, {reopened} reopened, {overdue} overdue; {open} open.":
        "{ledger}已更新到 {month}：本月新增 {new}，本月销号 {done}，重新出现 {reopened}，逾期 {overdue}；未完成 {open}。",
    "(The month's earlier update was replaced.)": "（已替换该月原有的更新结果。）",
    "Updating the monthly ledger": "正在更新月度台账",
    "The monthly ledger was not updated: {error}": "月度台账未更新：{error}",
    "The check-off was not saved: {error}": "人工销号未保存：{error}",
    "Check off by hand": "人工销号", "Evidence file (inspection record, photo…)": "证明材料文件（核查记录、照片等）",
    "e.g. removed on site, inspected on 2020-08-20": "如：已拆除，2020-08-20 现场核查",
    "Take this task's check-off back": "撤销该任务的人工销号", "Checked off by": "销号人", "Evidence file": "证明材料",
    # dock panels: one count, the log, tables a dock can hold, outputs where people look
    "Help": "帮助", "Open the user guide": "打开用户手册", "The user guide is missing: {path}": "找不到用户手册：{path}",
    "Rule": "规则", "What it asks (threshold, action, deadline)": "内容（阈值、措施、时限）",
    "Rules switched off: {rules}": "已关闭的规则：{rules}",
    "1+30 region: the {n} counties ticked on the Rules tab": "“1+30”区域：按“规则”页勾选的 {n} 个县区",
    "Thresholds changed for this run: {items}": "本次运行改动的阈值：{items}",
    "{what} {value} (rules file: {default})": "{what} {value}（规则文件为 {default}）",
    "cannot be parsed": "无法解析", "is blank or unreadable": "为空或无法识别", "is negative": "为负数",
    "id blank, numbered by row": "编号为空，已按行号编号", "id used twice": "编号重复",
    "outside every county": "不在任何县区范围内", "longitude and latitude swapped?": "经纬度可能填反",
    "no position": "无坐标，无法定位", "other problems": "其他问题",
    "Assumptions and choices of this run:": "本次运行的假设与选择：",
    "{hits} rule hits on {ents} enterprises; {verify} rows to verify.": "规则命中 {hits} 次，涉及企业 {ents} 家；需核实 {verify} 条。",
    "Rows to verify by problem (the rows are on the To verify tab):": "需核实按问题归类（逐条明细见“需核实”页）：",
    "Input checks:": "输入检查：", "Results folder: {link}": "结果文件夹：{link}",
    "Open the results folder": "打开结果文件夹", "{layer}: {field} {problem}, {n} rows": "{layer}：{field}{problem}，{n} 行",
    "Click a cell to zoom and select.": "点击单元格可缩放并选中企业。", "Your column": "您的列",
    "(position)": "（位置）", "Run the analysis first; its files can then be written here.": "请先运行分析，之后可在此写出各项成果。",
    "Open the folder": "打开文件夹",
    "at least one of boilers, mines, plants, villages": "锅炉、矿山、工业企业、村至少选一项",
    "Villages and communities (points or polygons)": "村（社区）清单（点或面）",
    "Atlas basemap (optional)": "图集底图（可选）", "Raster layer": "栅格图层", "Tianditu key": "天地图密钥",
    "Tianditu key (used when no raster is chosen)": "天地图密钥（未选栅格图层时使用，不会保存）",
    # parameters: the rules file's, a dock change an override with a reset; Processing's empty = the rules file's
    "Reset to the rules file": "恢复规则文件的值", "Reset to the rules file ({n} changed)": "恢复规则文件的值（已改 {n} 项）",
    "{name}; rules file: {value}": "{name}；规则文件：{value}",
    "Changed for this run; the rules file is not modified.": "本次运行已修改；规则文件未改动。",
    "empty: the rules file's value (shipped: {value})": "留空则用规则文件的值（随附规则文件为 {value}）",
    # the ledger's month undone, identical months refused (the 进度 tab and bluesky:update_ledger)
    "Undo the last month": "撤销本月",
    "Restore the ledger as it was before its last monthly update; earlier months and manual check-offs stay.":
        "把台账恢复到最近一次月度更新之前的样子；更早的月份和人工销号保持不变。",
    "The lists did not change since the last month": "本月清单与上月相同",
    "Results identical to an earlier month are refused (last month's lists still loaded). Tick this only when the "
    "month's lists really did not change since the ledger's last month.":
        "与以前某月完全相同的结果不予更新（可能仍载入了上月的清单）。只有本月清单确实与台账最近一个月相同时才勾选此项。",
    "Undoing the ledger's last month": "正在撤销台账最近一个月", "The last month was not undone: {error}":
        "未能撤销最近一个月：{error}", "{ledger}: the update of {month} was undone.": "{ledger}：已撤销 {month} 的更新。",
    "The lists did not change since the ledger's last month": "本月清单与台账最近一个月相同",
    "Folds one month's analysis (its flags.gpkg) into the monthly check-off ledger of the plan's item 四(二) "
    "(逐月检点，逐项销号). A task is one rule hit of one enterprise. A task of last month that the month's flags no "
    "longer show is done (销号) this month; a task never seen before is open and new; a done task that comes back "
    "is reopened; an open task past its deadline at the end of the month is overdue. Enterprises are recognised by "
    "the inventory's own id (编号 / 统一社会信用代码); rows without one by name and position within 50 m, and the "
    "ledger says so. A manual check-off is kept: the ledger shows the data's status, the check-off and where they "
    "disagree. The ledger is its own GeoPackage (created when missing, updated when present, never an analysis "
    "output) or a PostGIS schema a team shares. Updating the same month again replaces that month's update (the "
    "same flags give the same ledger); a month older than the ledger's last is refused, and so are results "
    "identical to an earlier month's (an old month's lists run again): UNCHANGED says the lists really did not "
    "change since the last month.":
        "把某月分析结果（flags.gpkg）并入计划四(二)要求的月度销号台账（逐月检点，逐项销号）。一项任务即一家企业命中一条"
        "规则。上月有、本月标注结果中已没有的任务，本月销号；首次出现的任务为未完成、计为本月新增；已销号又出现的任务为"
        "重新出现；月末已过完成时限仍未完成的任务为逾期。企业按清单自带编号（编号 / 统一社会信用代码）逐月对应；没有编号"
        "的按名称和 50 米内的位置对应，台账中注明。人工销号予以保留：台账同时列出数据状态、人工销号及二者是否一致。台账是"
        "单独的 GeoPackage（不存在时新建，已存在时更新，不能用分析结果文件），也可放在多人共用的 PostGIS 模式中。同一月份"
        "再次更新时替换该月原有结果（同样的数据得到同样的台账）；早于台账最新月份的月份不予更新，与以前某月完全相同的结果"
        "（重新运行了旧月份的清单）也不予更新：勾选“清单与上月相同”表示本月清单确实没有变化。",
    # the dock tells the truth: the user's own columns, the packages' encoding, the guide rendered
    "{label} (your column {column})": "{label}（您的列「{column}」）",
    "The encoding of the packages' shapefiles: UTF-8, or GBK for ArcGIS 10.x (column names: up to 3 Chinese "
    "characters in UTF-8, 5 in GBK)":
        "分县数据包中 Shapefile 的编码：UTF-8，或 GBK（ArcGIS 10.x 用）；列名最多 3 个汉字（UTF-8）或 5 个汉字（GBK）",
    "User guide": "用户手册",
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
