<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>BlueSkyZoning</name>
        <message>
            <source>Open panel</source>
            <translation>打开面板</translation>
        </message>
    </context>
    <context>
        <name>BlueSkyDock</name>
        <message>
            <source>The 1+30 list is a provisional reference list; the provincial air office's official document prevails.</source>
            <translation>1+30 名单为预置参考名单，请以省大气办正式文件为准</translation>
        </message>
        <message>
            <source>Blue Sky Zoning</source>
            <translation>蓝天管控分区</translation>
        </message>
        <message>
            <source>Rules (*.yaml *.yml)</source>
            <translation>规则文件 (*.yaml *.yml)</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>数据</translation>
        </message>
        <message>
            <source>Rules</source>
            <translation>规则</translation>
        </message>
        <message>
            <source>Analysis</source>
            <translation>分析</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>To verify</source>
            <translation>需核实</translation>
        </message>
        <message>
            <source>Output</source>
            <translation>输出</translation>
        </message>
        <message>
            <source>PostGIS database</source>
            <translation>PostGIS 数据库</translation>
        </message>
        <message>
            <source>Write the results to the database</source>
            <translation>将结果写入数据库</translation>
        </message>
        <message>
            <source>Connection</source>
            <translation>连接</translation>
        </message>
        <message>
            <source>Schema</source>
            <translation>模式</translation>
        </message>
        <message>
            <source>Loading the Shanxi demo data</source>
            <translation>正在加载山西示例数据</translation>
        </message>
        <message>
            <source>Shanxi counties (demo)</source>
            <translation>山西县区（示例）</translation>
        </message>
        <message>
            <source>Built-up raster (demo)</source>
            <translation>建成区栅格（示例）</translation>
        </message>
        <message>
            <source>Boilers (demo)</source>
            <translation>锅炉清单（示例）</translation>
        </message>
        <message>
            <source>Mines (demo)</source>
            <translation>矿山清单（示例）</translation>
        </message>
        <message>
            <source>Plants (demo)</source>
            <translation>工业企业清单（示例）</translation>
        </message>
        <message>
            <source>CHP plants (demo)</source>
            <translation>热电厂清单（示例）</translation>
        </message>
        <message>
            <source>Starting…</source>
            <translation>正在启动…</translation>
        </message>
        <message>
            <source>Blue Sky Zoning analysis</source>
            <translation>蓝天管控分析</translation>
        </message>
        <message>
            <source>Canceled: nothing was added.</source>
            <translation>已取消：未添加任何结果。</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Exporting county packages</source>
            <translation>正在导出分县数据包</translation>
        </message>
        <message>
            <source>Printing the atlas</source>
            <translation>正在打印图集</translation>
        </message>
        <message>
            <source>Writing the summary workbook</source>
            <translation>正在生成汇总表</translation>
        </message>
        <message>
            <source>Writing the results to the database</source>
            <translation>正在将结果写入数据库</translation>
        </message>
        <message>
            <source>Load the Shanxi demo data</source>
            <translation>加载山西示例数据</translation>
        </message>
        <message>
            <source>On</source>
            <translation>启用</translation>
        </message>
        <message>
            <source>Id</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Clause</source>
            <translation>条款</translation>
        </message>
        <message>
            <source>What</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Threshold</source>
            <translation>阈值</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>措施</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Layer</source>
            <translation>图层</translation>
        </message>
        <message>
            <source>Row</source>
            <translation>行号</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <source>Raw value</source>
            <translation>原始值</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>问题</translation>
        </message>
        <message>
            <source>Column</source>
            <translation>列</translation>
        </message>
        <message>
            <source>Choose the enterprise layers or import a list.</source>
            <translation>请选择企业图层或导入企业清单。</translation>
        </message>
        <message>
            <source>Generating the demo data</source>
            <translation>正在生成示例数据</translation>
        </message>
        <message>
            <source>Shanxi demo data loaded.</source>
            <translation>山西示例数据已加载。</translation>
        </message>
        <message>
            <source>Choose the county boundary layer.</source>
            <translation>请选择县级行政区划图层。</translation>
        </message>
        <message>
            <source>Choose the built-up layer.</source>
            <translation>请选择建成区图层。</translation>
        </message>
        <message>
            <source>Choose at least one enterprise layer (boilers, mines or plants).</source>
            <translation>请至少选择一个企业图层（锅炉、矿山或工业企业）。</translation>
        </message>
        <message>
            <source>Canceling…</source>
            <translation>正在取消…</translation>
        </message>
        <message>
            <source>Analysis complete.</source>
            <translation>分析完成。</translation>
        </message>
        <message>
            <source>No enterprise was flagged.</source>
            <translation>没有企业被标注。</translation>
        </message>
        <message>
            <source>Run the analysis first.</source>
            <translation>请先运行分析。</translation>
        </message>
        <message>
            <source>County packages</source>
            <translation>分县数据包</translation>
        </message>
        <message>
            <source>Atlas</source>
            <translation>图集</translation>
        </message>
        <message>
            <source>Summary workbook</source>
            <translation>汇总表</translation>
        </message>
        <message>
            <source>Choose a saved PostgreSQL connection and a schema.</source>
            <translation>请选择一个已保存的 PostgreSQL 连接和一个模式。</translation>
        </message>
        <message>
            <source>Database tables</source>
            <translation>数据库结果表</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>（无）</translation>
        </message>
        <message>
            <source>Run started: {dir}</source>
            <translation>开始分析：{dir}</translation>
        </message>
        <message>
            <source>The analysis failed: {error}</source>
            <translation>分析失败：{error}</translation>
        </message>
        <message>
            <source>Results written to {dir}</source>
            <translation>结果已写入 {dir}</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>合计</translation>
        </message>
        <message>
            <source>{hits} rule hits on {ents} enterprises in {counties} counties; {verify} rows to verify. Click a cell to zoom and select.</source>
            <translation>{counties} 个县区共 {ents} 家企业命中规则 {hits} 次；需核实 {verify} 条。点击单元格可缩放并选中企业。</translation>
        </message>
        <message>
            <source>{what} written: {path}</source>
            <translation>{what}已写出：{path}</translation>
        </message>
        <message>
            <source>Project</source>
            <translation>工程</translation>
        </message>
        <message>
            <source>(whole city)</source>
            <translation>（全市）</translation>
        </message>
        <message>
            <source>Analysis complete with {n} warnings; see the log on the Run tab.</source>
            <translation>分析完成，有 {n} 条提示，请查看“分析”页的日志。</translation>
        </message>
        <message>
            <source>County</source>
            <translation>县区</translation>
        </message>
        <message>
            <source>Importing {name}</source>
            <translation>正在导入 {name}</translation>
        </message>
        <message>
            <source>Rules file error: {error}</source>
            <translation>规则文件有误：{error}</translation>
        </message>
        <message>
            <source>Saving the project failed: {error}</source>
            <translation>保存工程失败：{error}</translation>
        </message>
        <message>
            <source>Cannot list the schemas of {name}: {error}</source>
            <translation>无法列出「{name}」中的模式：{error}</translation>
        </message>
    </context>
    <context>
        <name>ImportDialog</name>
        <message>
            <source>Boilers</source>
            <translation>锅炉</translation>
        </message>
        <message>
            <source>Mines</source>
            <translation>矿山</translation>
        </message>
        <message>
            <source>Plants</source>
            <translation>工业企业</translation>
        </message>
        <message>
            <source>CHP plants</source>
            <translation>热电厂</translation>
        </message>
        <message>
            <source>WGS84 (GPS)</source>
            <translation>WGS84（GPS）</translation>
        </message>
        <message>
            <source>CGCS2000 (China 2000)</source>
            <translation>CGCS2000（国家2000）</translation>
        </message>
        <message>
            <source>GCJ-02 (Amap / Tencent)</source>
            <translation>GCJ-02（高德/腾讯）</translation>
        </message>
        <message>
            <source>BD-09 (Baidu)</source>
            <translation>BD-09（百度）</translation>
        </message>
        <message>
            <source>Tables (*.xlsx *.xls *.csv)</source>
            <translation>表格 (*.xlsx *.xls *.csv)</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>字段</translation>
        </message>
        <message>
            <source>Column</source>
            <translation>列</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>检查</translation>
        </message>
        <message>
            <source>Import enterprise list</source>
            <translation>导入企业清单</translation>
        </message>
        <message>
            <source>{rows} rows; columns: {columns}</source>
            <translation>共 {rows} 行；列：{columns}</translation>
        </message>
        <message>
            <source>(not found)</source>
            <translation>（未找到）</translation>
        </message>
        <message>
            <source>Cannot read the file: {error}</source>
            <translation>无法读取文件：{error}</translation>
        </message>
        <message>
            <source>⚠ {label}: {n} rows cannot be parsed</source>
            <translation>⚠ {label}: {n} 行无法解析</translation>
        </message>
        <message>
            <source>Import failed: {error}</source>
            <translation>导入失败：{error}</translation>
        </message>
    </context>
    <context>
        <name>BlueSkyAlgorithm</name>
        <message>
            <source>Blue Sky Zoning</source>
            <translation>蓝天管控分区</translation>
        </message>
        <message>
            <source>CHP heating radius (km)</source>
            <translation>热电联产供热半径（公里）</translation>
        </message>
        <message>
            <source>Ring around prefecture built-up areas for open-pit mine closure (km)</source>
            <translation>设区市建成区周边露天矿山关闭区宽度（公里）</translation>
        </message>
        <message>
            <source>Urban-rural fringe ring around built-up areas (km, 0 = off)</source>
            <translation>建成区外城乡结合部宽度（公里，0 为不外扩）</translation>
        </message>
        <message>
            <source>Coal boiler threshold in the key cities (t/h, below it: eliminate)</source>
            <translation>重点城市燃煤锅炉淘汰阈值（蒸吨/小时，低于此值淘汰）</translation>
        </message>
        <message>
            <source>Coal boiler threshold elsewhere (t/h, at or below it: eliminate)</source>
            <translation>其他地区燃煤锅炉淘汰阈值（蒸吨/小时，不高于此值淘汰）</translation>
        </message>
        <message>
            <source>Import enterprise list (XLSX/CSV)</source>
            <translation>导入企业清单（XLSX/CSV）</translation>
        </message>
        <message>
            <source>Reads an Excel or CSV list of boilers, mines, plants or CHP plants with longitude/latitude columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system and the points are converted. Empty longitude/latitude fields are guessed from the column names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry and reported.</source>
            <translation>读取带经纬度列的锅炉、矿山、工业企业或热电厂 Excel/CSV 清单，输出 WGS84（EPSG:4326）点图层，保留表格全部列。用高德/腾讯地图取得的坐标为 GCJ-02，百度为 BD-09：选择清单的坐标系即自动转换。经度/纬度列留空时按列名（经度/纬度、lon/lat）自动识别。坐标无法读取的行保留（无几何）并报告。</translation>
        </message>
        <message>
            <source>Enterprise list (XLSX or CSV)</source>
            <translation>企业清单（XLSX 或 CSV）</translation>
        </message>
        <message>
            <source>Tables (*.xlsx *.xls *.csv *.txt)</source>
            <translation>表格 (*.xlsx *.xls *.csv *.txt)</translation>
        </message>
        <message>
            <source>Kind of list</source>
            <translation>清单类型</translation>
        </message>
        <message>
            <source>Longitude column (guessed when empty)</source>
            <translation>经度列（留空自动识别）</translation>
        </message>
        <message>
            <source>Latitude column (guessed when empty)</source>
            <translation>纬度列（留空自动识别）</translation>
        </message>
        <message>
            <source>Coordinate system of the list</source>
            <translation>清单坐标系</translation>
        </message>
        <message>
            <source>Enterprise points</source>
            <translation>企业点位</translation>
        </message>
        <message>
            <source>Boilers</source>
            <translation>锅炉</translation>
        </message>
        <message>
            <source>Mines</source>
            <translation>矿山</translation>
        </message>
        <message>
            <source>Plants</source>
            <translation>工业企业</translation>
        </message>
        <message>
            <source>CHP plants</source>
            <translation>热电厂</translation>
        </message>
        <message>
            <source>CGCS2000</source>
            <translation>CGCS2000（国家2000）</translation>
        </message>
        <message>
            <source>GCJ-02 (Amap/Tencent)</source>
            <translation>GCJ-02（高德/腾讯）</translation>
        </message>
        <message>
            <source>BD-09 (Baidu)</source>
            <translation>BD-09（百度）</translation>
        </message>
        <message>
            <source>Longitude column: {lon}; latitude column: {lat}; coordinate system: {cs}</source>
            <translation>经度列：{lon}；纬度列：{lat}；坐标系：{cs}</translation>
        </message>
        <message>
            <source>{n} rows have no readable coordinates; they are kept without geometry</source>
            <translation>{n} 行坐标无法读取，已保留为无几何要素</translation>
        </message>
        <message>
            <source>Build the zones</source>
            <translation>构建管控分区</translation>
        </message>
        <message>
            <source>Builds the plan's zones from the county boundaries, the built-up areas (polygons, or a raster thresholded and polygonised) and the CHP plants: coal-ban zones, the 1+30 region, key-city groups, northern coal-zero districts, industrial-cluster counties, CHP heating rings, the open-pit mine closure zone and the planning areas. Writes zones.gpkg to the output folder.</source>
            <translation>由县级行政区划、建成区（面图层，或按阈值矢量化的栅格）和热电厂构建计划规定的管控分区：禁煤区、“1+30”区域、重点城市组、晋北散煤清零区、产业集群整治县、热电联产供热半径、露天矿山关闭区和城市规划区。结果写入输出文件夹的 zones.gpkg。</translation>
        </message>
        <message>
            <source>County boundaries</source>
            <translation>县级行政区划</translation>
        </message>
        <message>
            <source>Built-up areas (polygons or raster)</source>
            <translation>建成区（面图层或栅格）</translation>
        </message>
        <message>
            <source>Built-up raster threshold (cell value at or above it is built-up)</source>
            <translation>建成区栅格阈值（像元值不低于此值视为建成区）</translation>
        </message>
        <message>
            <source>City planning areas</source>
            <translation>城市规划区</translation>
        </message>
        <message>
            <source>Rules file (YAML; the shipped plan when empty)</source>
            <translation>规则文件（YAML；留空使用内置计划规则）</translation>
        </message>
        <message>
            <source>Rules (*.yaml *.yml)</source>
            <translation>规则文件 (*.yaml *.yml)</translation>
        </message>
        <message>
            <source>Output folder</source>
            <translation>输出文件夹</translation>
        </message>
        <message>
            <source>Zones GeoPackage</source>
            <translation>管控分区 GeoPackage</translation>
        </message>
        <message>
            <source>Flag enterprises</source>
            <translation>企业逐一标注</translation>
        </message>
        <message>
            <source>Checks every boiler, mine and plant against the rules of the plan inside the zones of a zones.gpkg (from 'Build the zones') and writes flags.gpkg: enterprise_flags (one row per rule hit with clause, action, deadline, lead department and reason), enterprise_verdicts (one verdict per enterprise) and to_verify (rows that could not be judged, with why).</source>
            <translation>按计划规则，在 zones.gpkg（由“构建管控分区”生成）的各分区内逐一检查锅炉、矿山和工业企业，写出 flags.gpkg：enterprise_flags（每次命中一行，含条款、措施、时限、牵头部门和理由）、enterprise_verdicts（每家企业一个结论）和 to_verify（无法判定的记录及原因）。</translation>
        </message>
        <message>
            <source>Zones GeoPackage (zones.gpkg)</source>
            <translation>管控分区文件（zones.gpkg）</translation>
        </message>
        <message>
            <source>Industrial plants</source>
            <translation>工业企业</translation>
        </message>
        <message>
            <source>Flags GeoPackage</source>
            <translation>标注结果 GeoPackage</translation>
        </message>
        <message>
            <source>Rule hits</source>
            <translation>规则命中数</translation>
        </message>
        <message>
            <source>Run the whole analysis</source>
            <translation>一键完成全部分析</translation>
        </message>
        <message>
            <source>Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the 1+30 region, key-city groups, CHP heating rings, open-pit mine closure zone, planning areas), flags every boiler, mine and plant with the plan's rules and writes zones.gpkg and flags.gpkg to the output folder; optionally also the per-county packages, the PDF atlas, the summary workbook and a QGIS project. The fields of every input layer are guessed from their column names (Chinese or English); FIELD_MAP overrides a guess, one kind.field=column per entry (kinds admin, planning, boiler, mine, plant, chp; e.g. planning.city=所属市; plant.industry=所属行业). A planning area without a city gets the city it lies in. Distances and thresholds default to the rules file's values.</source>
            <translation>构建山西省2020年蓝天保卫战决战计划的管控分区（由建成区生成禁煤区、“1+30”区域、重点城市组、热电联产供热半径、露天矿山关闭区、城市规划区），按计划规则逐一标注锅炉、矿山和工业企业，在输出文件夹写出 zones.gpkg 和 flags.gpkg；可选同时导出分县数据包、PDF 图集、汇总表和 QGIS 工程。各输入图层的字段按列名（中文或英文）自动识别；FIELD_MAP 可改写识别结果，每项写 图层类型.字段=列名（图层类型 admin、planning、boiler、mine、plant、chp；如 planning.city=所属市; plant.industry=所属行业）。没有所属城市字段的规划区按位置确定所属城市。距离与阈值默认取规则文件中的值。</translation>
        </message>
        <message>
            <source>Field mapping overrides (kind.field=column, separated by ; or new lines; e.g. planning.city=所属市; boiler.fuel=燃料)</source>
            <translation>字段对应（图层类型.字段=列名，用分号或换行分隔；如 planning.city=所属市; boiler.fuel=燃料）</translation>
        </message>
        <message>
            <source>Reading the input layers</source>
            <translation>读取输入图层</translation>
        </message>
        <message>
            <source>Export per-county packages</source>
            <translation>导出分县数据包</translation>
        </message>
        <message>
            <source>Print the PDF atlas</source>
            <translation>打印 PDF 图集</translation>
        </message>
        <message>
            <source>Write the summary workbook</source>
            <translation>生成汇总表</translation>
        </message>
        <message>
            <source>Save a QGIS project</source>
            <translation>保存 QGIS 工程</translation>
        </message>
        <message>
            <source>Also write the results to this PostgreSQL connection</source>
            <translation>同时将结果写入此 PostgreSQL 连接（QGIS 中保存的连接）</translation>
        </message>
        <message>
            <source>Database schema for the results</source>
            <translation>存放结果的数据库模式</translation>
        </message>
        <message>
            <source>Enterprises flagged</source>
            <translation>被标注企业数</translation>
        </message>
        <message>
            <source>Rows to verify</source>
            <translation>需核实条数</translation>
        </message>
        <message>
            <source>Enterprises read</source>
            <translation>读入企业数</translation>
        </message>
        <message>
            <source>Per-county packages</source>
            <translation>分县数据包</translation>
        </message>
        <message>
            <source>Tables written to the database</source>
            <translation>写入数据库的表数</translation>
        </message>
        <message>
            <source>Writing the results to the database</source>
            <translation>正在将结果写入数据库</translation>
        </message>
        <message>
            <source>Exporting the per-county packages</source>
            <translation>正在导出分县数据包</translation>
        </message>
        <message>
            <source>Printing the atlas</source>
            <translation>正在打印图集</translation>
        </message>
        <message>
            <source>Writing the summary workbook</source>
            <translation>正在生成汇总表</translation>
        </message>
        <message>
            <source>Saving the QGIS project</source>
            <translation>正在保存 QGIS 工程</translation>
        </message>
        <message>
            <source>Canceled: nothing was written.</source>
            <translation>已取消：未写出任何文件。</translation>
        </message>
        <message>
            <source>Canceled: the database keeps its previous results.</source>
            <translation>已取消：数据库中保留原有结果。</translation>
        </message>
        <message>
            <source>Export county packages (分县数据包)</source>
            <translation>导出分县数据包</translation>
        </message>
        <message>
            <source>Outputs</source>
            <translation>输出</translation>
        </message>
        <message>
            <source>Writes one zip per county, named by adcode and county name: the county's zones (clipped to the county) and flagged enterprises as shapefiles with a .cpg, a field dictionary (CSV) and a lossless GeoPackage of the same.</source>
            <translation>每个县区写出一个 zip（以区划代码和县区名命名）：该县区的管控分区（按县界裁剪）和被标注企业的 shapefile（含 .cpg）、字段说明（CSV），以及同样内容的无损 GeoPackage。</translation>
        </message>
        <message>
            <source>Flags GeoPackage (flags.gpkg)</source>
            <translation>标注结果 GeoPackage（flags.gpkg）</translation>
        </message>
        <message>
            <source>Shapefile encoding</source>
            <translation>Shapefile 编码</translation>
        </message>
        <message>
            <source>Number of packages</source>
            <translation>数据包个数</translation>
        </message>
        <message>
            <source>zones</source>
            <translation>分区</translation>
        </message>
        <message>
            <source>flags</source>
            <translation>标注结果</translation>
        </message>
        <message>
            <source>Canceled; complete packages written: {}</source>
            <translation>已取消；已完整写出的数据包：{}</translation>
        </message>
        <message>
            <source>{} county packages written to {}</source>
            <translation>已写出 {} 个分县数据包到 {}</translation>
        </message>
        <message>
            <source>The {} GeoPackage does not exist: {}</source>
            <translation>{} GeoPackage 不存在：{}</translation>
        </message>
        <message>
            <source>Export of county packages failed: {}</source>
            <translation>导出分县数据包失败：{}</translation>
        </message>
        <message>
            <source>Print atlas (打印图集)</source>
            <translation>打印图集</translation>
        </message>
        <message>
            <source>Writes one PDF: a province overview page, then one page per county with its zones, flagged enterprises, the table of tasks (continued on further pages when long), the city's targets and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a 'counties' layer (county, city, adcode).</source>
            <translation>写出一个 PDF：首页为全省总览，随后每个县区一页，含管控分区、被标注企业、任务表（过长时续页）、所在市目标和数据说明；可选另出分县 PDF。ADMIN 为含 counties 图层（county、city、adcode）的 GeoPackage。</translation>
        </message>
        <message>
            <source>Admin GeoPackage (counties)</source>
            <translation>行政区划 GeoPackage（counties）</translation>
        </message>
        <message>
            <source>Atlas PDF</source>
            <translation>图集 PDF</translation>
        </message>
        <message>
            <source>Also one PDF per county</source>
            <translation>另出分县 PDF</translation>
        </message>
        <message>
            <source>Number of pages</source>
            <translation>页数</translation>
        </message>
        <message>
            <source>admin</source>
            <translation>行政区划</translation>
        </message>
        <message>
            <source>Printing the atlas failed: {}</source>
            <translation>打印图集失败：{}</translation>
        </message>
        <message>
            <source>Summary workbook (汇总表)</source>
            <translation>汇总表</translation>
        </message>
        <message>
            <source>Writes an XLSX workbook: county × rule counts, city totals, the task list in meeting order, the rows to verify and notes on the data.</source>
            <translation>写出 XLSX 汇总表：分县×规则统计、分市合计、按会议顺序排列的任务清单、需核实清单和数据说明。</translation>
        </message>
        <message>
            <source>Zones GeoPackage (optional)</source>
            <translation>分区 GeoPackage（可选）</translation>
        </message>
        <message>
            <source>Workbook</source>
            <translation>汇总表</translation>
        </message>
        <message>
            <source>The flags GeoPackage does not exist: {}</source>
            <translation>标注结果 GeoPackage 不存在：{}</translation>
        </message>
        <message>
            <source>Writing the workbook failed: {}</source>
            <translation>写出汇总表失败：{}</translation>
        </message>
    </context>
    <context>
        <name>BlueSkyDockBase</name>
        <message>
            <source>Data</source>
            <translation>数据</translation>
        </message>
        <message>
            <source>&lt;a href="demo"&gt;Load the Shanxi demo data&lt;/a&gt;</source>
            <translation>&lt;a href="demo"&gt;加载山西示例数据&lt;/a&gt;</translation>
        </message>
        <message>
            <source>County boundaries</source>
            <translation>县级行政区划</translation>
        </message>
        <message>
            <source>Layer</source>
            <translation>图层</translation>
        </message>
        <message>
            <source>County name</source>
            <translation>县区名称</translation>
        </message>
        <message>
            <source>City name</source>
            <translation>地市名称</translation>
        </message>
        <message>
            <source>Adcode</source>
            <translation>行政区划代码</translation>
        </message>
        <message>
            <source>Built-up areas (polygons or raster)</source>
            <translation>建成区（面图层或栅格）</translation>
        </message>
        <message>
            <source>Raster threshold</source>
            <translation>栅格阈值</translation>
        </message>
        <message>
            <source>Enterprise lists</source>
            <translation>企业清单</translation>
        </message>
        <message>
            <source>Boilers</source>
            <translation>锅炉</translation>
        </message>
        <message>
            <source>Mines</source>
            <translation>矿山</translation>
        </message>
        <message>
            <source>Plants</source>
            <translation>工业企业</translation>
        </message>
        <message>
            <source>CHP plants</source>
            <translation>热电厂</translation>
        </message>
        <message>
            <source>Planning areas</source>
            <translation>城市规划区</translation>
        </message>
        <message>
            <source>Import enterprise list…</source>
            <translation>导入企业清单…</translation>
        </message>
        <message>
            <source>Rules</source>
            <translation>规则</translation>
        </message>
        <message>
            <source>Rules file</source>
            <translation>规则文件</translation>
        </message>
        <message>
            <source>Thresholds and distances</source>
            <translation>阈值与距离</translation>
        </message>
        <message>
            <source>Key cities: coal boilers below (t/h)</source>
            <translation>重点城市：淘汰低于此值的燃煤锅炉（蒸吨/小时）</translation>
        </message>
        <message>
            <source>Elsewhere: coal boilers up to (t/h)</source>
            <translation>其他地区：淘汰不高于此值的燃煤锅炉（蒸吨/小时）</translation>
        </message>
        <message>
            <source>CHP heating radius (km)</source>
            <translation>热电联产供热半径（公里）</translation>
        </message>
        <message>
            <source>Mine closure ring (km)</source>
            <translation>露天矿山关闭区外扩（公里）</translation>
        </message>
        <message>
            <source>Urban-rural fringe (km, 0 = off)</source>
            <translation>城乡结合部外扩（公里，0 为不外扩）</translation>
        </message>
        <message>
            <source>Analysis</source>
            <translation>分析</translation>
        </message>
        <message>
            <source>Output folder</source>
            <translation>输出文件夹</translation>
        </message>
        <message>
            <source>Run</source>
            <translation>运行分析</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>Open the attribute table of the selection</source>
            <translation>打开所选企业的属性表（条款、时限、牵头部门、原因）</translation>
        </message>
        <message>
            <source>To verify</source>
            <translation>需核实</translation>
        </message>
        <message>
            <source>Output</source>
            <translation>输出</translation>
        </message>
        <message>
            <source>Export county packages</source>
            <translation>导出分县数据包</translation>
        </message>
        <message>
            <source>Print atlas</source>
            <translation>打印图集</translation>
        </message>
        <message>
            <source>Summary workbook</source>
            <translation>汇总表</translation>
        </message>
        <message>
            <source>Save project</source>
            <translation>保存工程</translation>
        </message>
    </context>
    <context>
        <name>ImportDialogBase</name>
        <message>
            <source>Import enterprise list</source>
            <translation>导入企业清单</translation>
        </message>
        <message>
            <source>File (XLSX/CSV)</source>
            <translation>文件（XLSX/CSV）</translation>
        </message>
        <message>
            <source>Kind of list</source>
            <translation>清单类型</translation>
        </message>
        <message>
            <source>Longitude column</source>
            <translation>经度列</translation>
        </message>
        <message>
            <source>Latitude column</source>
            <translation>纬度列</translation>
        </message>
        <message>
            <source>Coordinate system</source>
            <translation>坐标系</translation>
        </message>
        <message>
            <source>Layer name</source>
            <translation>图层名称</translation>
        </message>
    </context>
</TS>
