"""Issue 11, item 2: no message a user sees names a Python exception or shows a traceback.

One test collects every message a user can read across a set of bad runs — the Processing feedback and
error of ``bluesky:run_all`` / ``bluesky:build_zones`` (bad layers, a bad rules file, a full disk, and bugs
forced inside and outside the job), and the dock's message bar and run log (a bad layer, no layer chosen, a
bug in the job) — and checks that none holds a Python exception class name or traceback text, while the
QGIS message log (tab "Blue Sky Zoning") holds the traceback for a developer.
"""
from __future__ import annotations

import errno
import re
from pathlib import Path

import pyogrio
from demo_fixture import ensure_provider
from shapely.geometry import MultiPoint, Point
from task_wait import wait_for
from test_bad_input import (
    Recorder,
    _centre,
    admin_gdf,
    boilers_gdf,
    builtup_gdf,
    good_boilers,
    layer,
    write_gpkg,
)

# "line 12" alone is fine: a rules-file message names the YAML line on purpose; a traceback's frame is not.
PYTHON_TEXT = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b|Traceback \(most recent call last\)"
                         r"|File \"[^\"]*\", line \d+")
LOG_TAG = "Blue Sky Zoning"


class Seen:
    """Everything a user read, per case, and what the QGIS message log received."""

    def __init__(self):
        self.user: list = []  # (case, where, text)
        self.log: list = []  # (tag, text)

    def add(self, case: str, where: str, text: str) -> None:
        if text:
            self.user.append((case, where, str(text)))

    def on_log(self, message, tag, _level) -> None:
        self.log.append((tag, message))


def _processing(seen: Seen, case: str, alg: str, params: dict) -> dict:
    """Run an algorithm; the feedback log and any error text are what the user reads."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingException

    rec = Recorder()
    try:
        return processing.run(alg, params, feedback=rec.feedback, context=QgsProcessingContext())
    except QgsProcessingException as exc:
        seen.add(case, "Processing error", str(exc))
        return {}
    finally:
        seen.add(case, "Processing feedback", rec.log)


def _bad_boilers():
    cx, cy = _centre(112.0)
    return [("GL-001", "约二十吨", "燃煤", "约20吨", Point(cx, cy)),
            ("GL-002", "无燃料", None, "8", Point(112.62, 37.02)),
            ("GL-003", "多点", "燃煤", "5", MultiPoint([(cx, cy), (cx + 0.3, cy)])),
            ("GL-004", "空点", "燃煤", "5", Point()),
            ("GL-005", "县外", "燃煤", "5", Point(111.8, 37.2)),
            ("GL-005", "重号", "天然气", "４", Point(cx + 0.01, cy))]


def _processing_cases(seen: Seen, tmp_path: Path, monkeypatch) -> None:
    import bluesky_zoning.analysis.pipeline as pipeline
    import bluesky_zoning.analysis.zones.builders as zones
    import bluesky_zoning.provider.algorithms.run_all as run_all_module

    d = tmp_path / "in"
    d.mkdir()
    good = {"ADMIN": layer(write_gpkg(admin_gdf(), d / "admin.gpkg"), "县界"),
            "BUILTUP": layer(write_gpkg(builtup_gdf(), d / "builtup.gpkg"), "建成区"),
            "BOILERS": layer(write_gpkg(boilers_gdf(good_boilers()), d / "boilers.gpkg"), "锅炉")}

    def run(case, alg="bluesky:run_all", **changes):
        params = dict(good, OUTPUT_DIR=str(tmp_path / case))
        params.update(changes)
        return _processing(seen, case, alg, params)

    run("empty admin", ADMIN=layer(write_gpkg(admin_gdf().iloc[0:0], d / "empty.gpkg"), "空县界"))
    run("degrees declared as EPSG:4546",
        ADMIN=layer(write_gpkg(admin_gdf().set_crs("EPSG:4546", allow_override=True), d / "a4546.gpkg"), "县界4546"))
    res = run("bad rows and a bowtie county",
              ADMIN=layer(write_gpkg(admin_gdf(bowtie_second=True), d / "bowtie.gpkg"), "领结县界"),
              BOILERS=layer(write_gpkg(boilers_gdf(_bad_boilers()), d / "bad.gpkg"), "坏锅炉"))
    assert res.get("TO_VERIFY", 0) >= 5, res  # the run went on and reported the rows
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("rules:\n  - id: X\n    zone: [unclosed\n", encoding="utf-8")
    run("rules file syntax error", RULES=str(syntax))

    real_write = pyogrio.write_dataframe

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyogrio, "write_dataframe", full_disk)
    run("disk full")
    monkeypatch.setattr(pyogrio, "write_dataframe", real_write)

    broken = tmp_path / "清单.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    _processing(seen, "damaged workbook", "bluesky:import_list",
                {"INPUT": str(broken), "KIND": 0, "COORD_SYSTEM": 0, "OUTPUT": str(tmp_path / "imp1.gpkg")})
    odd = tmp_path / "清单.csv"
    odd.write_bytes(b"a,b\n\xff\xfe\xff,2\n")  # neither UTF-8 nor GBK
    _processing(seen, "undecodable table", "bluesky:import_list",
                {"INPUT": str(odd), "KIND": 0, "COORD_SYSTEM": 0, "OUTPUT": str(tmp_path / "imp2.gpkg")})

    def bug(*_args, **_kwargs):
        raise ValueError("cannot convert float NaN to integer")

    monkeypatch.setattr(pipeline, "run_analysis", bug)
    run("bug inside the job")
    monkeypatch.undo()
    monkeypatch.setattr(zones, "build_all_zones", lambda *a, **k: {}["coal_ban_zone"])  # KeyError
    run("bug in build_zones", alg="bluesky:build_zones", BOILERS=None)
    monkeypatch.undo()
    monkeypatch.setattr(run_all_module, "counts_of", lambda result: None.count)  # AttributeError, outside any try
    run("bug outside the job's try")
    monkeypatch.undo()


def _dock_cases(seen: Seen, qgis_iface, tmp_path: Path, monkeypatch) -> None:
    import bluesky_zoning.analysis.pipeline as pipeline
    import bluesky_zoning.ui.dock as dock_module

    d = tmp_path / "dock_in"
    d.mkdir()
    admin = layer(write_gpkg(admin_gdf(), d / "admin.gpkg"), "县界")
    bad_admin = layer(write_gpkg(admin_gdf().set_crs("EPSG:4546", allow_override=True), d / "a4546.gpkg"), "错坐标县界")
    builtup = layer(write_gpkg(builtup_gdf(), d / "builtup.gpkg"), "建成区")
    boilers = layer(write_gpkg(boilers_gdf(good_boilers()), d / "boilers.gpkg"), "锅炉")
    dock = dock_module.BlueSkyDock(qgis_iface)
    u = dock.ui
    u.outDir.setFilePath(str(tmp_path / "dock_runs"))
    bar = qgis_iface.messageBar()

    def run(case):
        for messages in bar.messages.values():
            messages.clear()
        task = dock.run.run_analysis()
        if task is not None:
            wait_for(task)
        for level, messages in bar.messages.items():
            for text in messages:
                seen.add(case, f"message bar ({level})", text)
        seen.add(case, "run log", u.runLog.toPlainText())
        seen.add(case, "step label", u.stepLabel.text())
        return task

    try:
        u.adminCombo.setLayer(None)
        run("no county layer chosen")
        u.adminCombo.setLayer(bad_admin)
        u.builtupCombo.setLayer(builtup)
        u.boilersCombo.setLayer(boilers)
        for combo in (u.minesCombo, u.plantsCombo, u.chpCombo, u.planningCombo):
            combo.setLayer(None)
        task = run("dock: degrees declared as EPSG:4546")
        assert task is not None and task.exception is not None
        u.adminCombo.setLayer(admin)

        def bug(*_args, **_kwargs):
            raise ValueError("cannot convert float NaN to integer")

        monkeypatch.setattr(pipeline, "run_analysis", bug)
        task = run("dock: bug inside the job")
        assert isinstance(task.exception, ValueError)
        monkeypatch.undo()
    finally:
        dock.close_and_cleanup()


def test_no_user_message_names_a_python_exception(qgis_iface, qgis_processing, tmp_path, monkeypatch):
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QCoreApplication

    ensure_provider()
    seen = Seen()
    log = QgsApplication.messageLog()
    log.messageReceived.connect(seen.on_log)
    try:
        _processing_cases(seen, tmp_path, monkeypatch)
        _dock_cases(seen, qgis_iface, tmp_path, monkeypatch)
        QCoreApplication.processEvents()  # messages logged from worker threads arrive queued
    finally:
        log.messageReceived.disconnect(seen.on_log)

    cases = {case for case, _where, _text in seen.user}
    assert len(cases) == 13, sorted(cases)
    leaks = [(case, where, m.group(0), text[:300]) for case, where, text in seen.user
             for m in [PYTHON_TEXT.search(text)] if m]
    assert leaks == []
    # each case said something useful: the layer, the file or the field, or where the detail is
    joined = {case: "\n".join(t for c, _w, t in seen.user if c == case) for case in cases}
    assert "行政区划图层「空县界」是空的" in joined["empty admin"]
    assert "图层「县界4546」声明的坐标系 EPSG:4546" in joined["degrees declared as EPSG:4546"]
    assert "图层「错坐标县界」声明的坐标系 EPSG:4546" in joined["dock: degrees declared as EPSG:4546"]
    rows = joined["bad rows and a bowtie county"]
    assert "图层「坏锅炉」第 1 行（编号 GL-001）字段「额定蒸发量」" in rows and "领结县界" in rows
    assert "YAML 语法错误" in joined["rules file syntax error"]
    assert "磁盘空间不足" in joined["disk full"]
    assert "无法读取表格「清单.xlsx」" in joined["damaged workbook"]
    assert "无法识别 清单.csv 的编码" in joined["undecodable table"]
    for case in ("bug inside the job", "bug in build_zones", "bug outside the job's try", "dock: bug inside the job"):
        assert "程序内部错误" in joined[case] and "QGIS" in joined[case], (case, joined[case])
    # the developer's detail is in the QGIS message log
    ours = "\n".join(text for tag, text in seen.log if tag == LOG_TAG)
    assert ours.count("Traceback (most recent call last)") >= 4, ours[:2000]
    for name in ("ValueError: cannot convert float NaN to integer", "KeyError: 'coal_ban_zone'",
                 "AttributeError: 'NoneType' object has no attribute 'count'"):
        assert name in ours
