"""When a folder, a disk or a killed run misbehaves, nothing is lost: no output replaces an input, a run's outputs
are one set with its manifest (run.json), a read-only folder or a full disk is refused before the analysis with a
Chinese message, and debris of killed runs is cleared."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from test_bad_input import (
    Recorder,
    admin_gdf,
    layer,
    params,
    run_all,
    run_all_error,
    toy_inputs,
    write_gpkg,
)


def _digests(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def inputs(qgis_processing, tmp_path):
    """test_bad_input's toy Shanxi: three counties, a built-up area, two boilers, in the folder ``dir``."""
    return toy_inputs(tmp_path)


@pytest.fixture()
def tmpfs(tmp_path):
    """A small tmpfs of its own (options given per test), unmounted afterwards."""
    mounted = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], check=True)
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_the_inputs_folder_as_output_folder_is_refused_and_nothing_changes(inputs):
    """admin.gpkg of the analyst, with a second layer and an added column, in the folder chosen for the outputs."""
    import pyogrio

    folder = inputs["dir"]
    extra = admin_gdf().assign(备注="分析员自己加的列")
    pyogrio.write_dataframe(extra, str(folder / "admin.gpkg"), layer="my_notes", driver="GPKG")
    before = _digests(folder)
    message = run_all_error(params(inputs, folder))
    assert "输出会覆盖输入" in message and str(folder / "admin.gpkg") in message
    assert _digests(folder) == before  # not a byte changed, nothing added


def test_inputs_named_like_outputs_elsewhere_are_refused(inputs, tmp_path):
    """An enterprise list called flags.gpkg in the output folder is an input too."""
    out = tmp_path / "out"
    out.mkdir()
    boilers = inputs["BOILERS"]
    import shutil

    shutil.copy(boilers.source().split("|")[0], out / "flags.gpkg")
    p = params(inputs, out)
    p["BOILERS"] = layer(f"{out / 'flags.gpkg'}|layername=data", "flags_named_list")
    before = _digests(out)
    message = run_all_error(p)
    assert "输出会覆盖输入" in message and "flags.gpkg" in message
    assert _digests(out) == before


@pytest.mark.parametrize("alg,output", [
    ("bluesky:build_zones", {"OUTPUT_DIR": "{dir}"}),
    ("bluesky:flag_enterprises", {"OUTPUT_DIR": "{dir}"}),
    ("bluesky:export_county_packages", {"OUTPUT_DIR": "{dir}"}),
    ("bluesky:print_atlas", {"OUTPUT_PDF": "{file}"}),
    ("bluesky:summary_workbook", {"OUTPUT_XLSX": "{file}"}),
    ("bluesky:update_ledger", {"LEDGER": "{file}"}),
    ("bluesky:import_list", {"OUTPUT": "{file}"}),
])
def test_every_output_parameter_refuses_an_input(alg, output, qgis_processing, tmp_path):
    """Each algorithm's output parameter pointed at one of its inputs (or a folder holding one): refused, in
    Chinese, naming both, before any work; the input is unchanged."""
    import processing
    from demo_fixture import ensure_provider
    from outputs_fixture import build_outputs_fixture
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    ensure_provider()
    fx = build_outputs_fixture(tmp_path / "fx")
    given = {
        "bluesky:build_zones": {"ADMIN": layer(f"{fx.admin_gpkg}|layername=counties", "a"),
                                "BUILTUP": layer(write_gpkg(admin_gdf(), fx.zones_gpkg.parent / "zones.gpkg",
                                                            "builtup"), "b")},
        "bluesky:flag_enterprises": {"ZONES": str(fx.zones_gpkg), "ADMIN": layer(
            f"{fx.admin_gpkg}|layername=counties", "a"), "BOILERS": layer(
            write_gpkg(admin_gdf(), fx.flags_gpkg.parent / "flags.gpkg", "boilers"), "bo")},
        "bluesky:export_county_packages": {"ZONES_GPKG": str(fx.zones_gpkg), "FLAGS_GPKG": str(fx.flags_gpkg)},
        "bluesky:print_atlas": {"ZONES_GPKG": str(fx.zones_gpkg), "FLAGS_GPKG": str(fx.flags_gpkg),
                                "ADMIN": str(fx.admin_gpkg)},
        "bluesky:summary_workbook": {"FLAGS_GPKG": str(fx.flags_gpkg)},
        "bluesky:update_ledger": {"FLAGS": str(fx.flags_gpkg), "MONTH": "2020-07"},
        "bluesky:import_list": {"INPUT": str(fx.flags_gpkg.parent / "锅炉清单.csv"), "KIND": 0},
    }[alg]
    (fx.flags_gpkg.parent / "锅炉清单.csv").write_text("编号,名称,经度,纬度\nGL-1,太原一热,112.55,37.87\n",
                                                    encoding="utf-8")
    victim = {"bluesky:build_zones": fx.zones_gpkg, "bluesky:flag_enterprises": fx.flags_gpkg,
              "bluesky:import_list": fx.flags_gpkg.parent / "锅炉清单.csv"}.get(alg, fx.flags_gpkg)
    key, pattern = next(iter(output.items()))
    given[key] = pattern.format(dir=victim.parent, file=victim)
    before = hashlib.sha256(victim.read_bytes()).hexdigest()
    feedback = QgsProcessingFeedback()
    with pytest.raises(QgsProcessingException) as info:
        processing.run(alg, given, feedback=feedback, context=QgsProcessingContext())
    text = str(info.value)
    assert "输出会覆盖输入" in text and (victim.name in text or str(victim.parent) in text), text
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == before


def test_a_run_writes_one_set_with_its_manifest_and_clears_debris(inputs, tmp_path):
    from bluesky_zoning.analysis.reports.run_manifest import read_manifest, set_state

    out = tmp_path / "out"
    (out / "counties" / "bluesky_pkg_x1y2").mkdir(parents=True)
    (out / ".atlas-1a2b3c4d.part.pdf").write_bytes(b"%PDF-1.4 half")
    (out / "counties" / ".140108_尖草坪区-5e6f7a8b.part.zip").write_bytes(b"PK half")
    res, log = run_all(params(inputs, out, EXPORT_PACKAGES=True, WRITE_WORKBOOK=True))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["admin.gpkg", "counties", "flags.gpkg", "run.json", "summary.xlsx", "zones.gpkg"], names
    assert not [p for p in (out / "counties").iterdir() if not p.name.endswith(".zip")]
    assert "已清除上次中断运行留下的临时文件" in log
    manifest = read_manifest(out)
    assert {"zones.gpkg", "flags.gpkg", "admin.gpkg", "summary.xlsx"} <= set(manifest["files"])
    assert any(k.startswith("counties/") for k in manifest["files"])
    assert manifest["inputs"]["ADMIN"].endswith("admin.gpkg") and "chp_radius_km" in manifest["params"]
    assert set_state(out).whole
    # a second run without the workbook: the old workbook is not left beside the new set
    run_all(params(inputs, out, EXPORT_PACKAGES=True))
    assert not (out / "summary.xlsx").exists() and set_state(out).whole
    # a file changed behind the manifest's back is told
    (out / "flags.gpkg").write_bytes((out / "flags.gpkg").read_bytes() + b"\0")
    state = set_state(out)
    assert not state.whole and "flags.gpkg" in state.text_zh(out)


def test_a_failed_run_leaves_the_previous_set_whole(inputs, tmp_path, monkeypatch):
    """The atlas step fails half way: the set written before stays as it was, manifest and all."""
    import bluesky_zoning.layers.atlas.export as atlas_module
    from bluesky_zoning.analysis.reports.run_manifest import set_state

    out = tmp_path / "out"
    run_all(params(inputs, out))
    before = _digests(out)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atlas_module, "export_atlas", broken)
    message = run_all_error(params(inputs, out, PRINT_ATLAS=True))
    assert "写入图集失败" in message
    assert _digests(out) == before and set_state(out).whole
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_read_only_folder_is_refused_before_the_analysis(inputs, tmpfs):
    out = tmpfs("ro", "ro,size=1m")
    message = run_all_error(params(inputs, out / "run"))
    assert "不可写" in message and str(out / "run") in message
    assert "构建禁煤区" not in message  # refused before any step ran


def test_a_full_disk_is_refused_before_the_analysis_naming_the_space(inputs, tmpfs):
    out = tmpfs("small", "size=2m")
    message = run_all_error(params(inputs, out))
    assert "磁盘空间不足" in message and str(out) in message and "MB" in message
    assert not list(out.iterdir())


def test_later_steps_say_when_the_set_is_mixed(inputs, tmp_path):
    """print_atlas reads a flags.gpkg that a later, interrupted run replaced behind its manifest: it says so."""
    import processing
    from qgis.core import QgsProcessingContext

    out = tmp_path / "out"
    run_all(params(inputs, out))
    (out / "flags.gpkg").write_bytes((out / "flags.gpkg").read_bytes() + b"\0")  # not the manifest's file
    feedback = Recorder().feedback
    processing.run("bluesky:summary_workbook", {"FLAGS_GPKG": str(out / "flags.gpkg"),
                                                "OUTPUT_XLSX": str(tmp_path / "汇总.xlsx")},
                   feedback=feedback, context=QgsProcessingContext())
    assert "与运行记录不符" in feedback.textLog() and "flags.gpkg" in feedback.textLog()
