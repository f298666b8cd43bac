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
            <source>Blue Sky Zoning</source>
            <translation>蓝天管控分区</translation>
        </message>
        <message>
            <source>Help</source>
            <translation>帮助</translation>
        </message>
        <message>
            <source>Open the user guide</source>
            <translation>打开用户手册</translation>
        </message>
        <message>
            <source>The user guide is missing: {path}</source>
            <translation>找不到用户手册：{path}</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>数据</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>（无）</translation>
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
            <source>Villages (demo)</source>
            <translation>村（社区）清单（示例）</translation>
        </message>
        <message>
            <source>Load the Shanxi demo data</source>
            <translation>加载山西示例数据</translation>
        </message>
        <message>
            <source>Layer</source>
            <translation>图层</translation>
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
            <source>Importing {name}</source>
            <translation>正在导入 {name}</translation>
        </message>
        <message>
            <source>The 1+30 list is a provisional reference list; the provincial air office's official document prevails.</source>
            <translation>1+30 名单为预置参考名单，请以省大气办正式文件为准</translation>
        </message>
        <message>
            <source>Rules</source>
            <translation>规则</translation>
        </message>
        <message>
            <source>Rules (*.yaml *.yml)</source>
            <translation>规则文件 (*.yaml *.yml)</translation>
        </message>
        <message>
            <source>Reset to the rules file</source>
            <translation>恢复规则文件的值</translation>
        </message>
        <message>
            <source>Rule</source>
            <translation>规则</translation>
        </message>
        <message>
            <source>What it asks (threshold, action, deadline)</source>
            <translation>内容（阈值、措施、时限）</translation>
        </message>
        <message>
            <source>{name}; rules file: {value}</source>
            <translation>{name}；规则文件：{value}</translation>
        </message>
        <message>
            <source>Changed for this run; the rules file is not modified.</source>
            <translation>本次运行已修改；规则文件未改动。</translation>
        </message>
        <message>
            <source>Reset to the rules file ({n} changed)</source>
            <translation>恢复规则文件的值（已改 {n} 项）</translation>
        </message>
        <message>
            <source>(whole city)</source>
            <translation>（全市）</translation>
        </message>
        <message>
            <source>Rules switched off: {rules}</source>
            <translation>已关闭的规则：{rules}</translation>
        </message>
        <message>
            <source>1+30 region: the {n} counties ticked on the Rules tab</source>
            <translation>“1+30”区域：按“规则”页勾选的 {n} 个县区</translation>
        </message>
        <message>
            <source>Rules file error: {error}</source>
            <translation>规则文件有误：{error}</translation>
        </message>
        <message>
            <source>Thresholds changed for this run: {items}</source>
            <translation>本次运行改动的阈值：{items}</translation>
        </message>
        <message>
            <source>{what} {value} (rules file: {default})</source>
            <translation>{what} {value}（规则文件为 {default}）</translation>
        </message>
        <message>
            <source>cannot be parsed</source>
            <translation>无法解析</translation>
        </message>
        <message>
            <source>is blank or unreadable</source>
            <translation>为空或无法识别</translation>
        </message>
        <message>
            <source>is negative</source>
            <translation>为负数</translation>
        </message>
        <message>
            <source>id blank, numbered by row</source>
            <translation>编号为空，已按行号编号</translation>
        </message>
        <message>
            <source>id used twice</source>
            <translation>编号重复</translation>
        </message>
        <message>
            <source>outside every county</source>
            <translation>不在任何县区范围内</translation>
        </message>
        <message>
            <source>longitude and latitude swapped?</source>
            <translation>经纬度可能填反</translation>
        </message>
        <message>
            <source>no position</source>
            <translation>无坐标，无法定位</translation>
        </message>
        <message>
            <source>other problems</source>
            <translation>其他问题</translation>
        </message>
        <message>
            <source>Analysis</source>
            <translation>分析</translation>
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
            <source>Assumptions and choices of this run:</source>
            <translation>本次运行的假设与选择：</translation>
        </message>
        <message>
            <source>{hits} rule hits on {ents} enterprises; {verify} rows to verify.</source>
            <translation>规则命中 {hits} 次，涉及企业 {ents} 家；需核实 {verify} 条。</translation>
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
            <source>Choose at least one list (boilers, mines, plants or villages).</source>
            <translation>请至少选择一个清单（锅炉、矿山、工业企业或村）。</translation>
        </message>
        <message>
            <source>Canceling…</source>
            <translation>正在取消…</translation>
        </message>
        <message>
            <source>Rows to verify by problem (the rows are on the To verify tab):</source>
            <translation>需核实按问题归类（逐条明细见“需核实”页）：</translation>
        </message>
        <message>
            <source>Input checks:</source>
            <translation>输入检查：</translation>
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
            <source>Results folder: {link}</source>
            <translation>结果文件夹：{link}</translation>
        </message>
        <message>
            <source>Open the results folder</source>
            <translation>打开结果文件夹</translation>
        </message>
        <message>
            <source>Results written to {dir}</source>
            <translation>结果已写入 {dir}</translation>
        </message>
        <message>
            <source>{label} (your column {column})</source>
            <translation>{label}（您的列「{column}」）</translation>
        </message>
        <message>
            <source>{layer}: {field} {problem}, {n} rows</source>
            <translation>{layer}：{field}{problem}，{n} 行</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>结果</translation>
        </message>
        <message>
            <source>No enterprise was flagged.</source>
            <translation>没有企业被标注。</translation>
        </message>
        <message>
            <source>County</source>
            <translation>县区</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>合计</translation>
        </message>
        <message>
            <source>Click a cell to zoom and select.</source>
            <translation>点击单元格可缩放并选中企业。</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>问题</translation>
        </message>
        <message>
            <source>Your column</source>
            <translation>您的列</translation>
        </message>
        <message>
            <source>Raw value</source>
            <translation>原始值</translation>
        </message>
        <message>
            <source>Id</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>Row</source>
            <translation>行号</translation>
        </message>
        <message>
            <source>To verify</source>
            <translation>需核实</translation>
        </message>
        <message>
            <source>(position)</source>
            <translation>（位置）</translation>
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
            <source>Run the analysis first; its files can then be written here.</source>
            <translation>请先运行分析，之后可在此写出各项成果。</translation>
        </message>
        <message>
            <source>The encoding of the packages' shapefiles: UTF-8, or GBK for ArcGIS 10.x (column names: up to 3 Chinese characters in UTF-8, 5 in GBK)</source>
            <translation>分县数据包中 Shapefile 的编码：UTF-8，或 GBK（ArcGIS 10.x 用）；列名最多 3 个汉字（UTF-8）或 5 个汉字（GBK）</translation>
        </message>
        <message>
            <source>Atlas basemap (optional)</source>
            <translation>图集底图（可选）</translation>
        </message>
        <message>
            <source>Tianditu key (used when no raster is chosen)</source>
            <translation>天地图密钥（未选栅格图层时使用，不会保存）</translation>
        </message>
        <message>
            <source>Raster layer</source>
            <translation>栅格图层</translation>
        </message>
        <message>
            <source>Tianditu key</source>
            <translation>天地图密钥</translation>
        </message>
        <message>
            <source>County packages</source>
            <translation>分县数据包</translation>
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
            <source>Shapefile encoding</source>
            <translation>Shapefile 编码</translation>
        </message>
        <message>
            <source>Run the analysis first.</source>
            <translation>请先运行分析。</translation>
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
            <source>{what} written: {path}</source>
            <translation>{what}已写出：{path}</translation>
        </message>
        <message>
            <source>Project</source>
            <translation>工程</translation>
        </message>
        <message>
            <source>Database tables</source>
            <translation>数据库结果表</translation>
        </message>
        <message>
            <source>Open the folder</source>
            <translation>打开文件夹</translation>
        </message>
        <message>
            <source>Cannot list the schemas of {name}: {error}</source>
            <translation>无法列出「{name}」中的模式：{error}</translation>
        </message>
        <message>
            <source>Saving the project failed: {error}</source>
            <translation>保存工程失败：{error}</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>进度</translation>
        </message>
        <message>
            <source>Monthly ledger</source>
            <translation>月度台账</translation>
        </message>
        <message>
            <source>GeoPackage file</source>
            <translation>GeoPackage 文件</translation>
        </message>
        <message>
            <source>Kept in</source>
            <translation>存放位置</translation>
        </message>
        <message>
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage (*.gpkg)</translation>
        </message>
        <message>
            <source>The ledger's GeoPackage (created by the first update)</source>
            <translation>台账 GeoPackage（首次更新时新建）</translation>
        </message>
        <message>
            <source>Ledger file</source>
            <translation>台账文件</translation>
        </message>
        <message>
            <source>The months the ledger holds; the table shows the one chosen.</source>
            <translation>台账中已有的月份；下表显示所选月份。</translation>
        </message>
        <message>
            <source>Undo the last month</source>
            <translation>撤销本月</translation>
        </message>
        <message>
            <source>Restore the ledger as it was before its last monthly update; earlier months and manual check-offs stay.</source>
            <translation>把台账恢复到最近一次月度更新之前的样子；更早的月份和人工销号保持不变。</translation>
        </message>
        <message>
            <source>Month</source>
            <translation>月份</translation>
        </message>
        <message>
            <source>The month the last run's lists describe (YYYY-MM). The same month again replaces its update; an older month than the ledger's last is refused.</source>
            <translation>本次分析所用清单对应的月份（YYYY-MM）。再次更新同一月份会替换该月原有结果；早于台账最新月份的月份不予更新。</translation>
        </message>
        <message>
            <source>Update ledger</source>
            <translation>更新台账</translation>
        </message>
        <message>
            <source>Last run as month</source>
            <translation>本次分析记为</translation>
        </message>
        <message>
            <source>The lists did not change since the last month</source>
            <translation>本月清单与上月相同</translation>
        </message>
        <message>
            <source>Results identical to an earlier month are refused (last month's lists still loaded). Tick this only when the month's lists really did not change since the ledger's last month.</source>
            <translation>与以前某月完全相同的结果不予更新（可能仍载入了上月的清单）。只有本月清单确实与台账最近一个月相同时才勾选此项。</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>未完成</translation>
        </message>
        <message>
            <source>New this month</source>
            <translation>本月新增</translation>
        </message>
        <message>
            <source>Done this month</source>
            <translation>本月销号</translation>
        </message>
        <message>
            <source>Reopened</source>
            <translation>重新出现</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>逾期</translation>
        </message>
        <message>
            <source>Province total</source>
            <translation>全省合计</translation>
        </message>
        <message>
            <source>Updating the monthly ledger</source>
            <translation>正在更新月度台账</translation>
        </message>
        <message>
            <source>The monthly ledger was not updated: {error}</source>
            <translation>月度台账未更新：{error}</translation>
        </message>
        <message>
            <source>Undoing the ledger's last month</source>
            <translation>正在撤销台账最近一个月</translation>
        </message>
        <message>
            <source>The last month was not undone: {error}</source>
            <translation>未能撤销最近一个月：{error}</translation>
        </message>
        <message>
            <source>Choose where the monthly ledger is kept: a GeoPackage file (created by the first update) or a PostGIS connection and schema.</source>
            <translation>请选择月度台账的存放位置：一个 GeoPackage 文件（首次更新时新建），或一个 PostGIS 连接及模式。</translation>
        </message>
        <message>
            <source>Reading the monthly ledger</source>
            <translation>正在读取月度台账</translation>
        </message>
        <message>
            <source>Fold the last run's results (flags.gpkg) into the ledger for the month.</source>
            <translation>把最近一次分析结果（flags.gpkg）按所填月份并入台账。</translation>
        </message>
        <message>
            <source>Run the analysis first: the ledger is updated with a run's results.</source>
            <translation>请先运行分析：台账用分析结果更新。</translation>
        </message>
        <message>
            <source>The ledger cannot be the run's flags file; choose another file name.</source>
            <translation>台账不能是分析结果文件本身，请另选一个文件名。</translation>
        </message>
        <message>
            <source>Reading the updated ledger</source>
            <translation>正在读取更新后的台账</translation>
        </message>
        <message>
            <source>City</source>
            <translation>地市</translation>
        </message>
        <message>
            <source>{ledger}, {month}: {open} open, {new} new this month, {done} done this month, {reopened} reopened, {overdue} overdue. Click a county to select its open tasks on the map.</source>
            <translation>{ledger}，{month}：未完成 {open}，本月新增 {new}，本月销号 {done}，重新出现 {reopened}，逾期 {overdue}。点击县区可在地图上选中其未完成任务。</translation>
        </message>
        <message>
            <source>{ledger} updated for {month}: {new} new, {done} done, {reopened} reopened, {overdue} overdue; {open} open.</source>
            <translation>{ledger}已更新到 {month}：本月新增 {new}，本月销号 {done}，重新出现 {reopened}，逾期 {overdue}；未完成 {open}。</translation>
        </message>
        <message>
            <source>(The month's earlier update was replaced.)</source>
            <translation>（已替换该月原有的更新结果。）</translation>
        </message>
        <message>
            <source>Folding {month} into the ledger</source>
            <translation>正在将 {month} 并入台账</translation>
        </message>
        <message>
            <source>{ledger}: the update of {month} was undone.</source>
            <translation>{ledger}：已撤销 {month} 的更新。</translation>
        </message>
        <message>
            <source>{ledger} does not exist yet or holds no month: run the analysis, type the month and click Update ledger.</source>
            <translation>{ledger}还不存在或尚无任何月份：请运行分析，填写月份后点击“更新台账”。</translation>
        </message>
        <message>
            <source>Check off the selected task by hand…</source>
            <translation>对所选任务人工销号…</translation>
        </message>
        <message>
            <source>Select one task in the list above (or one point of the task layer on the map), then record who checked it off, the evidence file and a note.</source>
            <translation>先在上面的任务列表中（或在地图的任务图层上）选中一项任务，再填写销号人、证明材料文件和备注。</translation>
        </message>
        <message>
            <source>The province</source>
            <translation>全省</translation>
        </message>
        <message>
            <source>Saving the check-off</source>
            <translation>正在保存人工销号</translation>
        </message>
        <message>
            <source>The check-off was not saved: {error}</source>
            <translation>人工销号未保存：{error}</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Deadline</source>
            <translation>时限</translation>
        </message>
        <message>
            <source>Select one task first: click a county, then a task in the list (or one point of the task layer on the map).</source>
            <translation>请先选中一项任务：点击县区，再点击任务列表中的一项（或在地图的任务图层上选中一个点）。</translation>
        </message>
        <message>
            <source>{place}: {n} open tasks (click one to find it on the map).</source>
            <translation>{place}：未完成任务 {n} 项（点击一项可在地图上定位）。</translation>
        </message>
        <message>
            <source>The month's data still show it: the ledger keeps both and marks the disagreement.</source>
            <translation>本月数据中该任务仍然存在：台账同时保留两者并标明不一致，请核实。</translation>
        </message>
        <message>
            <source>The task layer of {ledger} cannot be opened.</source>
            <translation>无法打开{ledger}的任务图层。</translation>
        </message>
        <message>
            <source>Check-off of {task} taken back.</source>
            <translation>已撤销「{task}」的人工销号。</translation>
        </message>
        <message>
            <source>{task}: checked off by hand by {by}.</source>
            <translation>「{task}」已由 {by} 人工销号。</translation>
        </message>
        <message>
            <source>Check off by hand</source>
            <translation>人工销号</translation>
        </message>
        <message>
            <source>Evidence file (inspection record, photo…)</source>
            <translation>证明材料文件（核查记录、照片等）</translation>
        </message>
        <message>
            <source>e.g. removed on site, inspected on 2020-08-20</source>
            <translation>如：已拆除，2020-08-20 现场核查</translation>
        </message>
        <message>
            <source>Take this task's check-off back</source>
            <translation>撤销该任务的人工销号</translation>
        </message>
        <message>
            <source>Checked off by</source>
            <translation>销号人</translation>
        </message>
        <message>
            <source>Evidence file</source>
            <translation>证明材料</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>User guide</source>
            <translation>用户手册</translation>
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
            <source>Villages and communities</source>
            <translation>村（社区）清单</translation>
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
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Import enterprise list</source>
            <translation>导入企业清单</translation>
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
            <source>Reading {name}…</source>
            <translation>正在读取 {name}…</translation>
        </message>
        <message>
            <source>Reading canceled.</source>
            <translation>已取消读取。</translation>
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
            <source>Boilers</source>
            <translation>锅炉</translation>
        </message>
        <message>
            <source>Mines</source>
            <translation>矿山</translation>
        </message>
        <message>
            <source>Industrial plants</source>
            <translation>工业企业</translation>
        </message>
        <message>
            <source>Villages and communities (points or polygons)</source>
            <translation>村（社区）清单（点或面）</translation>
        </message>
        <message>
            <source>Blue Sky Zoning</source>
            <translation>蓝天管控分区</translation>
        </message>
        <message>
            <source>empty: the rules file's value (shipped: {value})</source>
            <translation>留空则用规则文件的值（随附规则文件为 {value}）</translation>
        </message>
        <message>
            <source>Field mapping overrides (kind.field=column, separated by ; or new lines; e.g. planning.city=所属市; boiler.fuel=燃料)</source>
            <translation>字段对应（图层类型.字段=列名，用分号或换行分隔；如 城市规划区.所属城市=所属市; 锅炉.燃料类型=燃料）</translation>
        </message>
        <message>
            <source>Import enterprise list (XLSX/CSV)</source>
            <translation>导入企业清单（XLSX/CSV）</translation>
        </message>
        <message>
            <source>Reads an Excel or CSV list of boilers, mines, plants, CHP plants or villages and communities with longitude/latitude columns and writes a point layer in WGS84 (EPSG:4326) with all the table's columns. Lists geocoded with Amap/Tencent are GCJ-02, with Baidu BD-09: choose the list's coordinate system and the points are converted. Empty longitude/latitude fields are guessed from the column names (经度/纬度, lon/lat). Rows whose coordinates cannot be read are kept without geometry and reported. A table of more than the maximum rows (or whose sheet is larger than 1 KB a row) is refused before it is read; raise the maximum to read it.</source>
            <translation>读取带经纬度列的锅炉、矿山、工业企业、热电厂或村（社区）Excel/CSV 清单，输出 WGS84（EPSG:4326）点图层，保留表格全部列。用高德/腾讯地图取得的坐标为 GCJ-02，百度为 BD-09：选择清单的坐标系即自动转换。经度/纬度列留空时按列名（经度/纬度、lon/lat）自动识别。坐标无法读取的行保留（无几何）并报告。行数超过“最多读取行数”（或工作表大于每行 1 KB）的表格在读取前即被拒绝；如确需读取，请调高该上限。</translation>
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
            <source>Villages and communities</source>
            <translation>村（社区）清单</translation>
        </message>
        <message>
            <source>Maximum rows to read (a larger table is refused before reading)</source>
            <translation>最多读取行数（超过则读取前拒绝）</translation>
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
            <source>Reading the table (at most {n} rows)…</source>
            <translation>正在读取表格（最多 {n} 行）…</translation>
        </message>
        <message>
            <source>Canceled: nothing was written.</source>
            <translation>已取消：未写出任何文件。</translation>
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
            <translation>由县级行政区划、建成区（面图层，或按阈值矢量化的栅格）和热电厂构建计划规定的管控分区：禁煤区、“1+30”区域、重点城市分组、北部平原散煤清零区、产业集群综合整治县、热电联产供热半径、露天矿山关闭区和城市规划区。结果写入输出文件夹的 zones.gpkg。</translation>
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
            <source>at least one of boilers, mines, plants, villages</source>
            <translation>锅炉、矿山、工业企业、村至少选一项</translation>
        </message>
        <message>
            <source>Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the 1+30 region, key-city groups, CHP heating rings, the open-pit mine closure zone, planning areas), judges every boiler, mine, plant and village with the plan's rules and writes the zones (zones.gpkg) and the judgements (flags.gpkg) to the output folder; with the options below (ticked in this dialog) also the per-county packages, the PDF atlas, the summary workbook and a QGIS project. The columns of every list are recognised by their names (Chinese or English); where one is wrong, the field mapping names the right column (how: the user guide, section 7). A planning area without a city gets the city it lies in. Distances and thresholds left empty take the rules file's values.</source>
            <translation>构建《山西省打赢蓝天保卫战2020年决战计划》的管控分区（由建成区生成禁煤区，以及“1+30”区域、重点城市分组、热电联产供热半径、露天矿山关闭区、城市规划区），按计划规则逐一判定锅炉、矿山、工业企业和村（社区），在输出文件夹写出管控分区（zones.gpkg）和判定结果（flags.gpkg）；勾选下面的选项（本对话框中默认勾选）时，同时导出分县数据包、PDF 图集、汇总表和 QGIS 工程。各清单的列按列名（中文或英文）自动识别；识别有误时在“字段对应”中写明正确的列（写法见用户手册第 7 节）。没有所属城市的规划区按位置确定所属城市。距离与阈值留空时取规则文件中的值。</translation>
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
            <source>Writes one PDF: a province overview page (with the per-city summary), then one page per county with its zones, flagged enterprises, the table of tasks (continued on further pages when long), the city's targets and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a 'counties' layer (county, city, adcode). LEDGER (optional): the monthly ledger GeoPackage; each page then shows that month's numbers and a chart of open tasks month by month (MONTH, YYYY-MM; empty: the ledger's latest). BASEMAP (optional): a raster layer drawn under every map; or TIANDITU_KEY: a Tianditu key for its vector map and labels (needs the internet; the key is written nowhere). COMPARE (optional): the compare.gpkg of 'Compare scenarios'; then one page per city with changed enterprises follows the county pages: where the zones moved and who is new, released or changed.</source>
            <translation>写出一个 PDF：首页为全省总览（含分市汇总），随后每个县区一页，含管控分区、被标注企业、任务表（过长时续页）、所在市目标和数据说明；可选另出分县 PDF。ADMIN 为含 counties 图层（county、city、adcode）的 GeoPackage。LEDGER（可选）：月度台账 GeoPackage，各页另印该月台账数字和逐月未完成任务图（MONTH 为 YYYY-MM，留空为台账最近一个月）。BASEMAP（可选）：印在各页地图下的栅格底图；或填 TIANDITU_KEY（天地图密钥），用天地图矢量底图和注记（需联网；密钥不写入任何输出）。COMPARE（可选）：“方案比较”写出的 compare.gpkg，县区页之后每个有变化企业的设区市另印一页：管控区范围的变化，以及新增、解除、措施变化的企业。</translation>
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
            <source>Monthly ledger GeoPackage (optional)</source>
            <translation>月度台账 GeoPackage（可选）</translation>
        </message>
        <message>
            <source>Ledger month YYYY-MM (empty: latest)</source>
            <translation>台账月份 YYYY-MM（留空：最近一个月）</translation>
        </message>
        <message>
            <source>Basemap raster (optional)</source>
            <translation>底图栅格图层（可选）</translation>
        </message>
        <message>
            <source>Tianditu key for a Tianditu basemap (optional)</source>
            <translation>天地图密钥，用天地图作底图（可选）</translation>
        </message>
        <message>
            <source>Scenario comparison compare.gpkg (optional)</source>
            <translation>方案比较结果 compare.gpkg（可选）</translation>
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
            <source>Writes an XLSX workbook: county × rule counts, city totals, the task list in meeting order, the rows to verify (by city and county) and notes on the data; the rural clean-heating coverage when the run wrote it. With a monthly ledger also 进度 (the month per county, city and province, and the province month by month) and 销号清单 (the tasks checked off in the month, by the data or by hand). Month empty: the ledger's latest. A row to verify whose point lies in no county is listed under the county its name states only when 'Infer the county from the name' is ticked (marked as inferred).</source>
            <translation>写出 XLSX 汇总表：分县×规则统计、分市合计、按会议顺序排列的任务清单、需核实清单（按市、县排列）和数据说明；分析写出农村清洁取暖覆盖率时另列一表。选择月度台账时另有“进度”（该月分县、分市、全省，及全省逐月合计）和“销号清单”（该月数据销号和人工销号的任务）。月份留空：台账最近一个月。坐标不在任何县区内的需核实记录，只有勾选“按名称推断县区”时才按名称中的县区列入该县（并注明“按名称推断”）。</translation>
        </message>
        <message>
            <source>Zones GeoPackage (optional)</source>
            <translation>分区 GeoPackage（可选）</translation>
        </message>
        <message>
            <source>Month of the ledger (YYYY-MM; empty: the latest)</source>
            <translation>台账月份（YYYY-MM，留空为最近一个月）</translation>
        </message>
        <message>
            <source>Infer the county from the name (rows to verify outside every county)</source>
            <translation>按名称推断县区（坐标不在任何县区内的需核实记录）</translation>
        </message>
        <message>
            <source>Scenario comparison (compare.gpkg of bluesky:compare_scenarios, optional)</source>
            <translation>方案比较结果（compare.gpkg，可选）</translation>
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
        <message>
            <source>Update the monthly ledger</source>
            <translation>更新月度台账</translation>
        </message>
        <message>
            <source>Folds one month's analysis (its flags.gpkg) into the monthly check-off ledger of the plan's item 四(二) (逐月检点，逐项销号). A task is one rule hit of one enterprise. A task of last month that the month's flags no longer show is done (销号) this month; a task never seen before is open and new; a done task that comes back is reopened; an open task past its deadline at the end of the month is overdue. Enterprises are recognised by the inventory's own id (编号 / 统一社会信用代码); rows without one by name and position within 50 m, and the ledger says so. A manual check-off is kept: the ledger shows the data's status, the check-off and where they disagree. The ledger is its own GeoPackage (created when missing, updated when present, never an analysis output) or a PostGIS schema a team shares. Updating the same month again replaces that month's update (the same flags give the same ledger); a month older than the ledger's last is refused, and so are results identical to an earlier month's (an old month's lists run again): UNCHANGED says the lists really did not change since the last month.</source>
            <translation>把某月分析结果（flags.gpkg）并入计划四(二)要求的月度销号台账（逐月检点，逐项销号）。一项任务即一家企业命中一条规则。上月有、本月标注结果中已没有的任务，本月销号；首次出现的任务为未完成、计为本月新增；已销号又出现的任务为重新出现；月末已过完成时限仍未完成的任务为逾期。企业按清单自带编号（编号 / 统一社会信用代码）逐月对应；没有编号的按名称和 50 米内的位置对应，台账中注明。人工销号予以保留：台账同时列出数据状态、人工销号及二者是否一致。台账是单独的 GeoPackage（不存在时新建，已存在时更新，不能用分析结果文件），也可放在多人共用的 PostGIS 模式中。同一月份再次更新时替换该月原有结果（同样的数据得到同样的台账）；早于台账最新月份的月份不予更新，与以前某月完全相同的结果（重新运行了旧月份的清单）也不予更新：勾选“清单与上月相同”表示本月清单确实没有变化。</translation>
        </message>
        <message>
            <source>Flags of the month's run (flags.gpkg)</source>
            <translation>本月分析的标注结果（flags.gpkg）</translation>
        </message>
        <message>
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage (*.gpkg)</translation>
        </message>
        <message>
            <source>Month (YYYY-MM, e.g. 2020-08)</source>
            <translation>月份（YYYY-MM，如 2020-08）</translation>
        </message>
        <message>
            <source>The lists did not change since the ledger's last month</source>
            <translation>本月清单与台账最近一个月相同</translation>
        </message>
        <message>
            <source>Tasks in the month's flags</source>
            <translation>本月任务数</translation>
        </message>
        <message>
            <source>Open tasks</source>
            <translation>未完成任务数</translation>
        </message>
        <message>
            <source>New this month</source>
            <translation>本月新增</translation>
        </message>
        <message>
            <source>Done this month</source>
            <translation>本月销号</translation>
        </message>
        <message>
            <source>Reopened this month</source>
            <translation>本月重新出现</translation>
        </message>
        <message>
            <source>Overdue tasks</source>
            <translation>逾期任务数</translation>
        </message>
        <message>
            <source>Checked off by hand but still in the data</source>
            <translation>人工销号但数据中仍存在</translation>
        </message>
        <message>
            <source>Ledger</source>
            <translation>台账</translation>
        </message>
        <message>
            <source>Check off a ledger task by hand</source>
            <translation>人工销号（台账任务）</translation>
        </message>
        <message>
            <source>Ticks one task of the monthly ledger off by hand (人工销号), e.g. after an on-site inspection: who, when (now), the evidence file's name and a note are kept on the task and in its history. The data never overrule the check-off: while the month's flags still show the task, the ledger keeps both and marks the disagreement. Revert takes the check-off back. Only this task's check-off columns are written, so colleagues checking off other tasks of a shared PostGIS ledger at the same time lose nothing.</source>
            <translation>对月度台账中的一项任务人工销号（如现场核查后）：销号人、时间（当前）、证明材料文件名和备注记在该任务及其变更记录中。数据不会覆盖人工销号：本月标注结果中仍有该任务时，台账两者并列并标明不一致。勾选“撤销”可撤回人工销号。只写该任务的销号字段，多人同时在共用的 PostGIS 台账中为不同任务销号互不影响。</translation>
        </message>
        <message>
            <source>Task id (task_id)</source>
            <translation>任务编号（task_id）</translation>
        </message>
        <message>
            <source>Checked off by (name; QGIS user when empty)</source>
            <translation>销号人（姓名；留空为 QGIS 用户名）</translation>
        </message>
        <message>
            <source>Evidence (file name of the record)</source>
            <translation>证明材料（记录文件名）</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Revert the manual check-off</source>
            <translation>撤销人工销号</translation>
        </message>
        <message>
            <source>Status in the data</source>
            <translation>数据状态</translation>
        </message>
        <message>
            <source>Manual check-off</source>
            <translation>人工销号</translation>
        </message>
        <message>
            <source>Data and check-off disagree</source>
            <translation>数据与人工销号不一致</translation>
        </message>
        <message>
            <source>Monthly ledger</source>
            <translation>月度台账</translation>
        </message>
        <message>
            <source>Or: the ledger in this PostgreSQL connection</source>
            <translation>或：台账放在此 PostgreSQL 连接中（QGIS 中保存的连接）</translation>
        </message>
        <message>
            <source>Database schema of the ledger</source>
            <translation>台账所在的数据库模式</translation>
        </message>
        <message>
            <source>Ledger GeoPackage</source>
            <translation>台账 GeoPackage</translation>
        </message>
        <message>
            <source>Ledger GeoPackage (created when missing, updated when present)</source>
            <translation>台账 GeoPackage（不存在时新建，已存在时更新）</translation>
        </message>
        <message>
            <source>Compare two scenarios (方案比较)</source>
            <translation>方案比较</translation>
        </message>
        <message>
            <source>Base settings (empty: the rules file), e.g. chp_radius_km=15</source>
            <translation>基准方案设置（留空即规则文件原值），如 chp_radius_km=15</translation>
        </message>
        <message>
            <source>Variant settings, e.g. chp_radius_km=20; fringe_km=2; rule.B-NOX=off; 1p30.add=和顺县</source>
            <translation>比较方案设置（在基准之上修改），如 chp_radius_km=20; fringe_km=2; rule.B-NOX=off; 1p30.add=和顺县</translation>
        </message>
        <message>
            <source>Comparison (compare.gpkg)</source>
            <translation>方案比较结果（compare.gpkg）</translation>
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
            <source>Enterprise and village lists</source>
            <translation>企业与村庄清单</translation>
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
            <source>Villages and communities</source>
            <translation>村（社区）清单</translation>
        </message>
        <message>
            <source>Administrative villages and communities (points or polygons): households, clean heating, terrain</source>
            <translation>行政村和社区（点或面）：总户数、散煤户数、清洁取暖户数、取暖方式、地形</translation>
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
