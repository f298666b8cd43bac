"""bluesky:compare_scenarios on the Shanxi demo: through processing.run (its changes are the difference of two
bluesky:run_all runs), bad settings refused before any file is written, cancel, the workbook's 方案比较 sheets,
and through qgis_process as a user installs the plugin."""
from __future__ import annotations

import subprocess

import openpyxl
import pyogrio
import pytest
from demo_fixture import build_demo_layers

ROOT_LAYERS = {"scenario_changes", "scenario_counts", "zone_changes", "scenario_settings"}


@pytest.fixture(scope="module")
def demo_layers(qgis_processing, tmp_path_factory):
    return build_demo_layers(tmp_path_factory.mktemp("compare_demo"))


def inputs(demo_layers, **extra):
    lists = demo_layers.lists
    return {"ADMIN": demo_layers.admin, "BUILTUP": demo_layers.builtup, "BOILERS": lists["boilers"],
            "MINES": lists["mines"], "PLANTS": lists["plants"], "CHP": lists["chp"], **extra}


@pytest.fixture(scope="module")
def compared(demo_layers, tmp_path_factory):
    import processing

    out = tmp_path_factory.mktemp("compare_out")
    res = processing.run("bluesky:compare_scenarios", inputs(demo_layers, VARIANT="chp_radius_km=20",
                                                             OUTPUT_DIR=str(out)))
    return res, out


def test_the_changes_are_the_difference_of_two_run_all(compared, demo_layers, tmp_path):
    import processing

    res, out = compared
    path = out / "compare.gpkg"
    assert res["COMPARE_GPKG"] == str(path) and sorted(p.name for p in out.iterdir()) == ["compare.gpkg"]
    assert {str(n) for n, _g in pyogrio.list_layers(path)} == ROOT_LAYERS
    runs = {}
    for name, radius in (("base", None), ("variant", 20)):
        extra = {"CHP_RADIUS_KM": radius} if radius else {}
        processing.run("bluesky:run_all", inputs(demo_layers, OUTPUT_DIR=str(tmp_path / name), **extra))
        flags = pyogrio.read_dataframe(tmp_path / name / "flags.gpkg", layer="enterprise_flags")
        verdicts = pyogrio.read_dataframe(tmp_path / name / "flags.gpkg", layer="enterprise_verdicts")
        runs[name] = ({(a, b, c): (d, e) for a, b, c, d, e in zip(flags["layer"], flags["ent_id"], flags["rule_id"],
                                                                   flags["action"], flags["deadline"])},
                      dict(zip(zip(verdicts["layer"], verdicts["ent_id"]), verdicts["verdict"])))
    (hb, vb), (hv, vv) = runs["base"], runs["variant"]
    want = {k + ("新增",) for k in hv.keys() - hb.keys()} | {k + ("解除",) for k in hb.keys() - hv.keys()}
    want |= {k + ("措施变化",) for k in hb.keys() & hv.keys() if hb[k] != hv[k] or vb.get(k[:2]) != vv.get(k[:2])}
    changes = pyogrio.read_dataframe(path, layer="scenario_changes")
    assert set(zip(changes["layer"], changes["ent_id"], changes["rule_id"], changes["change"])) == want
    assert len(changes) == len(want) > 0
    assert (res["ADDED"], res["REMOVED"], res["CHANGED"]) == tuple(
        int((changes["change"] == c).sum()) for c in ("新增", "解除", "措施变化"))
    zones = pyogrio.read_dataframe(path, layer="zone_changes")
    assert list(zones["zone_title"]) == ["热电联产20公里供热半径"] and list(zones["change"]) == ["扩大"]


def test_bad_settings_are_refused_before_anything_is_written(demo_layers, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    out = tmp_path / "bad"
    with pytest.raises(QgsProcessingException) as info:
        processing.run("bluesky:compare_scenarios", inputs(demo_layers, VARIANT="chp_radius_km=999",
                                                           OUTPUT_DIR=str(out)))
    assert "「chp_radius_km=999」" in str(info.value) and "超出允许范围" in str(info.value)
    # a county name two cities share is refused once the county layer is read, naming both
    with pytest.raises(QgsProcessingException) as info:
        processing.run("bluesky:compare_scenarios", inputs(demo_layers, VARIANT="1p30.add=城区",
                                                           OUTPUT_DIR=str(out)))
    text = str(info.value)
    assert text.startswith("方案设置有误") and "阳泉市城区" in text and "请写作 市/县 或区划代码" in text
    assert "Traceback" not in text and "ScenarioError" not in text
    assert not (out / "compare.gpkg").exists()


def test_cancel_writes_nothing(demo_layers, tmp_path):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    seen = []

    def on_progress(value):
        seen.append(value)
        if value > 50:  # the variant's half of the bar
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    out = tmp_path / "canceled"
    res = processing.run("bluesky:compare_scenarios", inputs(demo_layers, VARIANT="fringe_km=1", OUTPUT_DIR=str(out)),
                         feedback=feedback, context=QgsProcessingContext())
    assert res.get("COMPARE_GPKG") is None and max(seen) > 50 and not (out / "compare.gpkg").exists()


def test_the_workbook_shows_the_comparison(compared, tmp_path):
    import processing

    _res, out = compared
    run = tmp_path / "run"
    # any flags.gpkg will do for the other sheets: the comparison's sheets come from compare.gpkg alone
    from outputs_fixture import build_outputs_fixture

    fx = build_outputs_fixture(run)
    xlsx = tmp_path / "汇总表.xlsx"
    processing.run("bluesky:summary_workbook", {"FLAGS_GPKG": str(fx.flags_gpkg), "COMPARE_GPKG": str(out / "compare.gpkg"),
                                                "OUTPUT_XLSX": str(xlsx)})
    wb = openpyxl.load_workbook(xlsx)
    assert {"方案比较", "方案变化清单"} <= set(wb.sheetnames)
    changes = pyogrio.read_dataframe(out / "compare.gpkg", layer="scenario_changes")
    rows = list(wb["方案变化清单"].iter_rows(values_only=True))
    assert rows[0][:6] == ("地市", "县区", "企业名称", "类别", "规则", "变化") and len(rows) - 1 == len(changes)
    summary = [r for r in wb["方案比较"].iter_rows(values_only=True)]
    assert summary[0][0] == "方案比较：热电联产供热半径 20 公里（基准 15）"
    province = next(r for r in summary if r[0] == "全省")
    assert province[3:6] == tuple(int((changes["change"] == c).sum()) for c in ("新增", "解除", "措施变化"))
    notes = "\n".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True))
    assert "方案比较：基准为规则文件原值，方案为热电联产供热半径 20 公里（基准 15）" in notes
    from bluesky_zoning.analysis.reports.labels import english_code_words

    texts = [v for name in ("方案比较", "方案变化清单") for r in wb[name].iter_rows(values_only=True) for v in r]
    assert english_code_words(texts) == []  # rules, kinds and settings in words, not codes


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory):
    from test_qgis_process import ROOT

    root = tmp_path_factory.mktemp("qgis_config")
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir",
                    str(root / "profiles" / "default")], check=True, capture_output=True)
    return root


def test_qgis_process_compares(config_dir, demo_layers, tmp_path):
    from test_qgis_process import _check_exit, _run

    out = tmp_path / "qp"
    args = [f"{k}={v}" for k, v in inputs(demo_layers).items()]
    proc = _run(["run", "bluesky:compare_scenarios", "--"] + args + ["VARIANT=rule.B-NOX=off; chp_radius_km=18",
                                                                     f"OUTPUT_DIR={out}"], config_dir)
    _check_exit(proc)
    path = out / "compare.gpkg"
    assert {str(n) for n, _g in pyogrio.list_layers(path)} == ROOT_LAYERS
    changes = pyogrio.read_dataframe(path, layer="scenario_changes")
    assert (changes.loc[changes["rule_id"] == "B-NOX", "change"] == "解除").all()
    assert (changes["rule_id"] == "B-NOX").sum() > 0
    assert "REMOVED" in proc.stdout and "ADDED" in proc.stdout


def test_compare_gpkg_never_replaces_an_input(demo_layers, tmp_path):
    """A list saved as compare.gpkg in the output folder is an input: refused before any work, unchanged."""
    import hashlib
    import shutil

    import processing
    from qgis.core import QgsProcessingException

    out = tmp_path / "out"
    out.mkdir()
    victim = out / "compare.gpkg"
    shutil.copy(demo_layers.lists["boilers"], victim)
    before = hashlib.sha256(victim.read_bytes()).hexdigest()
    with pytest.raises(QgsProcessingException) as info:
        processing.run("bluesky:compare_scenarios", inputs(demo_layers, BOILERS=str(victim), VARIANT="b35_tph=20",
                                                           OUTPUT_DIR=str(out)))
    assert "输出会覆盖输入" in str(info.value) and "compare.gpkg" in str(info.value)
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == before
