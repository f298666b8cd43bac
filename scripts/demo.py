#!/usr/bin/env python3
"""`make demo`: the main job on the embedded Shanxi demo data, headless, through the plugin's own algorithms.

Generates (or reuses) the demo inputs in .cache/demo: the 2020-07 lists and the 2020-08 lists derived from them
(some coal boilers converted to gas, some closed, open-pit mines closed, a few new entries, corrected values).
For each month it imports the four enterprise lists and the village list with `bluesky:import_list` (the boiler
list is GCJ-02) and runs `bluesky:run_all`: 2020-07 into out/demo/2020-07 (zones.gpkg, flags.gpkg), the latest
month 2020-08 into out/demo with zones.gpkg, flags.gpkg, counties/*.zip, demo.qgz. Both months then go into the
monthly ledger out/demo/ledger.gpkg with `bluesky:update_ledger` (two tasks ticked off by hand in between with
`bluesky:check_off_task`), and 2020-08 once more to show the ledger stays the same; then the atlas
(`bluesky:print_atlas`) and the workbook (`bluesky:summary_workbook`) are printed with the ledger's progress.
Prints, in Chinese as the plugin's outputs speak, the counts per rule, the rural clean-heating coverage, the
ledger's months and the wall time: rules by their short names, kinds, classes and statuses by their labels
(analysis/reports/labels.py, analysis/ledger), never a code word.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from pkglink import link_package  # noqa: E402


def _start_qgis():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", str(ROOT / ".build" / "qgis-profile"))
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    # the steps the algorithms report in Chinese, as in a Chinese QGIS (`make demo` compiles the .qm first)
    translator = QTranslator(app)
    if translator.load(str(ROOT / "i18n" / "bluesky_zoning_zh_CN.qm")):
        QCoreApplication.installTranslator(translator)
    sys.path.append(os.path.join(app.pkgDataPath(), "python", "plugins"))
    from processing.core.Processing import Processing

    Processing.initialize()
    from bluesky_zoning.provider.provider import BlueSkyProvider

    provider = BlueSkyProvider()
    app.processingRegistry().addProvider(provider)
    return app, provider


# The imported lists. The village list has no id column, so its rows get "<layer>-<row>" ids: the layer is named
# as an analyst would name it.
INPUT_FILES = {"boilers": "boilers.gpkg", "mines": "mines.gpkg", "plants": "plants.gpkg", "chp": "chp.gpkg",
               "villages": "村庄清单.gpkg"}


def ledger_summary(processing, feedback, out_dir: Path, first_flags: Path, second_flags: Path) -> None:
    """Both months into out/demo/ledger.gpkg (a fresh ledger each demo run), two tasks ticked off by hand after
    the first; then the second month again, which must leave the ledger as it was."""
    import pyogrio
    from bluesky_zoning.demo.data import FIRST_MONTH, SECOND_MONTH
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    ledger_path = out_dir / "ledger.gpkg"
    if ledger_path.exists():
        ledger_path.unlink()
    processing.run("bluesky:update_ledger", {"FLAGS": str(first_flags), "MONTH": FIRST_MONTH,
                                             "LEDGER": str(ledger_path)}, feedback=feedback)
    # A county checks two boilers off after an inspection: one the August list no longer shows (the data will
    # agree), one it still shows (the ledger keeps both sides and marks the disagreement).
    first = pyogrio.read_dataframe(first_flags, layer="enterprise_flags", read_geometry=False)
    second = pyogrio.read_dataframe(second_flags, layer="enterprise_flags", read_geometry=False)
    key = ["ent_id", "rule_id"]
    both = first.merge(second[key], on=key, how="left", indicator=True)
    both = both.assign(other_rule=both["rule_id"] != "B-35").sort_values(["other_rule", "rule_id", "ent_id"])
    picks = [both[both["_merge"] == "left_only"].iloc[0], both[both["_merge"] == "both"].iloc[0]]
    for row in picks:
        processing.run("bluesky:check_off_task", {
            "LEDGER": str(ledger_path), "TASK_ID": f"{row['layer']}:{row['ent_id']}:{row['rule_id']}",
            "BY": f"{row['county']}生态环境分局 核查员（示例）",
            "EVIDENCE": f"现场核查记录_{row['ent_id']}_示例.pdf", "NOTE": "示例：现场核查已拆除"}, feedback=feedback)
    processing.run("bluesky:update_ledger", {"FLAGS": str(second_flags), "MONTH": SECOND_MONTH,
                                             "LEDGER": str(ledger_path)}, feedback=feedback)
    store = open_ledger(ledger_path)
    before = store.read()
    processing.run("bluesky:update_ledger", {"FLAGS": str(second_flags), "MONTH": SECOND_MONTH,
                                             "LEDGER": str(ledger_path)}, feedback=feedback)
    after = store.read()
    same = all(getattr(before, n).equals(getattr(after, n)) for n in ("tasks", "history", "progress", "months"))
    from bluesky_zoning.analysis.ledger.updates import STATUS_LABELS
    from bluesky_zoning.analysis.reports.labels import kind_label, rule_label

    print(f"== 月度台账 {ledger_path}")
    months = after.months.set_index("month")
    print("   月份      任务数  未完成  本月新增  本月销号  重新出现  逾期  人工销号但数据仍在")
    for month, r in months.iterrows():
        print(f"   {month}  {r['tasks']:>6}  {r['open']:>6}  {r['new']:>8}  {r['done']:>8}  {r['reopened']:>8}"
              f"  {r['overdue']:>4}  {r['disagree']:>8}")
    progress = after.progress[after.progress["month"] == SECOND_MONTH]
    top = progress.sort_values(["done", "county"], ascending=[False, True]).head(5)
    print(f"   {SECOND_MONTH} 销号最多的县区："
          + "；".join(f"{r.city}{r.county} 销号 {r.done} 新增 {r.new} 未完成 {r.open} 逾期 {r.overdue}"
                      for r in top.itertuples()))
    checked = after.tasks[after.tasks["check_off"].notna()]
    for r in checked.itertuples():
        print(f"   人工销号：{kind_label(r.layer)} {r.ent_id}「{rule_label(r.rule_id)}」，销号人 {r.checked_by}；"
              f"数据状态 {STATUS_LABELS.get(r.status, r.status)}{'（数据中仍存在，与人工销号不一致）' if r.disagree else ''}")
    print(f"   {SECOND_MONTH} 再更新一次，台账不变：{'是' if same else '否'}"
          f"（任务 {len(after.tasks)} 项，状态变更记录 {len(after.history)} 条）")
    if not same:
        raise SystemExit("同一月份再更新一次后台账变了 / the ledger changed when the same month was applied again")


def rural_summary(flags_gpkg: Path) -> None:
    """三(二)7: the rural clean-heating coverage against 60 % (households-weighted), per city."""
    from bluesky_zoning.analysis.reports.result_files import read_rural_heating

    table = read_rural_heating(flags_gpkg)
    counties = table[table["scope"] == "county"]
    print(f"== 农村清洁取暖（建成区以外），目标 {table['target_pct'].max():g}%："
          f"{len(counties)} 个县区中 {int(counties['meets'].sum())} 个达标")
    for r in table[table["scope"].isin(["city", "province"])].itertuples():
        print(f"   {r.city or '全省':<6} 村数 {r.villages:>5}  总户数 {r.households:>8}  "
              f"覆盖率 {r.coverage_pct:5.1f}%  {'达标' if r.meets else '未达标'}")


def main() -> int:
    started = time.perf_counter()
    link_package()
    from bluesky_zoning.analysis.common.errors import DemoPackageError
    from bluesky_zoning.demo.data import describe_demo, ensure_demo_data

    try:
        data = ensure_demo_data(ROOT / ".cache" / "demo")
    except DemoPackageError as exc:  # the demo's own package is missing: the message says how to install it
        print(exc, file=sys.stderr)
        return 2
    from bluesky_zoning.demo.data import FIRST_MONTH, SECOND_MONTH, ensure_second_month

    second = ensure_second_month(data)
    print("== 示例输入（" + str(data.root) + "）")
    print(describe_demo(data))
    print(f"== 由 {FIRST_MONTH} 清单派生的 {SECOND_MONTH} 清单：{second.root}")
    out_dir = ROOT / "out" / "demo"
    inputs_dir = out_dir / "inputs"
    inputs_dir.mkdir(parents=True, exist_ok=True)

    app, _provider = _start_qgis()
    import processing
    from qgis.core import QgsProcessingFeedback

    class PrintFeedback(QgsProcessingFeedback):
        """Shows the algorithm's step names on the terminal."""

        def setProgressText(self, text):  # noqa: N802 - QGIS API name
            print("   ", text, flush=True)

        def reportError(self, error, fatalError=False):  # noqa: N802, N803 - QGIS API names
            print("   ERROR:", error, flush=True)

    feedback = PrintFeedback()
    from bluesky_zoning.provider.algorithms.import_list import COORD_SYSTEMS, KINDS

    def run_month(month_data, month: str, folder: Path, latest: bool) -> dict:
        """Import the month's lists and run the analysis; every output only for the latest month."""
        layers = {}
        month_inputs = inputs_dir / month
        month_inputs.mkdir(parents=True, exist_ok=True)
        for kind, key in (("boiler", "boilers"), ("mine", "mines"), ("plant", "plants"), ("chp", "chp"),
                          ("village", "villages")):
            res = processing.run("bluesky:import_list", {
                "INPUT": str(getattr(month_data, key)),
                "KIND": KINDS.index(kind),  # enum parameters take the option's index
                "COORD_SYSTEM": COORD_SYSTEMS.index(month_data.coord_systems[key]),
                "OUTPUT": str(month_inputs / INPUT_FILES[key]),
            }, feedback=feedback)
            layers[key] = res["OUTPUT"]
        print(f"== {month}：清单已导入 {month_inputs}")
        return processing.run("bluesky:run_all", {
            "ADMIN": f"{data.admin_gpkg}|layername=counties",
            "BUILTUP": str(data.builtup_tif),
            "BOILERS": layers["boilers"],
            "MINES": layers["mines"],
            "PLANTS": layers["plants"],
            "VILLAGES": layers["villages"],
            "CHP": layers["chp"],
            "EXPORT_PACKAGES": latest,
            "SAVE_PROJECT": latest,
            "OUTPUT_DIR": str(folder),
        }, feedback=feedback)

    first_dir = out_dir / FIRST_MONTH
    run_month(data, FIRST_MONTH, first_dir, latest=False)
    res = run_month(second, SECOND_MONTH, out_dir, latest=True)
    # The ledger first (both months), then the meeting outputs, which show its progress.
    ledger_summary(processing, feedback, out_dir, first_dir / "flags.gpkg", out_dir / "flags.gpkg")
    ledger = str(out_dir / "ledger.gpkg")
    res.update(processing.run("bluesky:print_atlas", {
        "ZONES_GPKG": str(out_dir / "zones.gpkg"), "FLAGS_GPKG": str(out_dir / "flags.gpkg"),
        "ADMIN": str(out_dir / "admin.gpkg"), "LEDGER": ledger, "MONTH": SECOND_MONTH,
        "OUTPUT_PDF": str(out_dir / "atlas.pdf")}, feedback=feedback))
    res["ATLAS"] = res.get("OUTPUT_PDF")
    res["WORKBOOK"] = processing.run("bluesky:summary_workbook", {
        "FLAGS_GPKG": str(out_dir / "flags.gpkg"), "ZONES_GPKG": str(out_dir / "zones.gpkg"),
        "LEDGER": ledger, "MONTH": SECOND_MONTH, "OUTPUT_XLSX": str(out_dir / "summary.xlsx")},
        feedback=feedback).get("OUTPUT_XLSX")

    import pyogrio
    from bluesky_zoning.analysis.plan.rules import load_rules
    from bluesky_zoning.analysis.reports.labels import class_label, rule_names

    flags = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    to_verify = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="to_verify", read_geometry=False)
    verdicts = pyogrio.read_dataframe(out_dir / "flags.gpkg", layer="enterprise_verdicts", read_geometry=False)
    names = rule_names()
    order = {r.id: i for i, r in enumerate(load_rules().rules)}  # the rules file's order, as the workbook
    print(f"== 各规则命中数（{SECOND_MONTH}）")
    counts = flags["rule_id"].value_counts()
    for rule_id in sorted(counts.index, key=lambda r: (order.get(r, len(order)), r)):
        print(f"   {counts[rule_id]:>6}  {names.get(rule_id, rule_id)}")
    print(f"== 涉及企业 {len(verdicts)} 家；规则命中 {len(flags)} 次；需核实 {len(to_verify)} 条")
    if "verdict_class" in verdicts.columns:
        print("== 各综合结论的企业数")
        for cls, count in verdicts["verdict_class"].value_counts().items():
            print(f"   {count:>6}  {class_label(cls)}")
    titles = {"ZONES": "分区", "FLAGS_GPKG": "标注结果", "PACKAGES_DIR": "分县数据包", "ATLAS": "图集",
              "WORKBOOK": "汇总表", "PROJECT": "工程"}
    for key, title in titles.items():
        if key in res:
            print(f"   {title}：{res[key]}")
    zips = sorted((out_dir / "counties").glob("*.zip"))
    atlas = out_dir / "atlas.pdf"
    print(f"== 分县数据包 {len(zips)} 个，在 {out_dir / 'counties'}"
          + (f"；图集 {atlas.stat().st_size / 1e6:.1f} MB" if atlas.exists() else ""))
    rural_summary(out_dir / "flags.gpkg")
    print(f"== 用时 {time.perf_counter() - started:.1f} 秒")
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
