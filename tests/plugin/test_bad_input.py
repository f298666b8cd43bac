"""Issue 7: bad input and data safety, through the paths users take (processing.run, the import).

Every bad input gets a message naming the layer, the row (id) and the field; nothing is lost
(count in = flagged + clear + to verify); inputs are never modified; outputs are whole or absent.
"""
from __future__ import annotations

import errno
import hashlib
from pathlib import Path as _Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from demo_fixture import ensure_provider
from shapely.geometry import MultiPoint, Point, Polygon, box

# Three toy counties (0.5° squares) near Taiyuan, each with a built-up square at its centre.
COUNTIES = [("小店区", "太原市", "140105", 112.0), ("清徐县", "太原市", "140121", 112.6), ("榆次区", "晋中市", "140702", 113.2)]
Y0 = 37.0


def _box(x0):
    return box(x0, Y0, x0 + 0.5, Y0 + 0.5)


def _centre(x0):
    return x0 + 0.25, Y0 + 0.25


def admin_gdf(bowtie_second=False):
    geoms = []
    for i, (_, _, _, x0) in enumerate(COUNTIES):
        if bowtie_second and i == 1:
            # self-intersecting "bowtie": the left and right triangles of the square
            geoms.append(Polygon([(x0, Y0), (x0 + 0.5, Y0 + 0.5), (x0 + 0.5, Y0), (x0, Y0 + 0.5)]))
        else:
            geoms.append(_box(x0))
    return gpd.GeoDataFrame({"county": [c[0] for c in COUNTIES], "city": [c[1] for c in COUNTIES],
                             "adcode": [c[2] for c in COUNTIES]}, geometry=geoms, crs="EPSG:4326")


def builtup_gdf(bowtie=False):
    geoms = []
    for _, _, _, x0 in COUNTIES:
        cx, cy = _centre(x0)
        if bowtie:
            geoms.append(Polygon([(cx - 0.05, cy - 0.05), (cx + 0.05, cy + 0.05), (cx + 0.05, cy - 0.05),
                                  (cx - 0.05, cy + 0.05)]))
        else:
            geoms.append(box(cx - 0.05, cy - 0.05, cx + 0.05, cy + 0.05))
    return gpd.GeoDataFrame({"name": ["b1", "b2", "b3"]}, geometry=geoms, crs="EPSG:4326")


def boilers_gdf(rows):
    """rows: (id, name, fuel, capacity, geometry)."""
    return gpd.GeoDataFrame({"编号": [r[0] for r in rows], "单位名称": [r[1] for r in rows],
                             "燃料类型": [r[2] for r in rows], "额定蒸发量": [r[3] for r in rows]},
                            geometry=[r[4] for r in rows], crs="EPSG:4326")


def write_shapefile(gdf, path, encoding="UTF-8", cpg=True):
    from bluesky_zoning.layers.county_packages import _write_shapefile

    _write_shapefile(gdf, _Path(path), encoding)
    if not cpg:
        _Path(path).with_suffix(".cpg").unlink(missing_ok=True)
    return str(path)


def write_gpkg(gdf, path, layer="data"):
    pyogrio.write_dataframe(gdf, str(path), layer=layer, driver="GPKG")
    return f"{path}|layername={layer}"


def layer(uri, name):
    from qgis.core import QgsProject, QgsVectorLayer

    lyr = QgsVectorLayer(uri, name, "ogr")
    assert lyr.isValid(), uri
    # The project owns the layer, as in QGIS: a file-backed layer left to Python's garbage collector
    # after a Processing run crashes QGIS 3.22 when its GeoPackage is closed (same remedy as pytest-qgis).
    QgsProject.instance().addMapLayer(lyr, False)
    return lyr


class Recorder:
    """A QgsProcessingFeedback whose whole text log can be read back; optionally cancels after step 1."""

    def __init__(self, cancel_on=None):
        from qgis.core import QgsProcessingFeedback

        class _F(QgsProcessingFeedback):
            def setProgressText(inner, text):  # noqa: N802,N805
                super().setProgressText(text)
                if cancel_on and cancel_on in text:
                    inner.cancel()

        self.feedback = _F()

    @property
    def log(self) -> str:
        return self.feedback.textLog()


def run_all(params, rec=None):
    import processing
    from qgis.core import QgsProcessingContext

    ensure_provider()
    rec = rec or Recorder()
    context = QgsProcessingContext()
    res = processing.run("bluesky:run_all", params, feedback=rec.feedback, context=context)
    return res, rec.log


def run_all_error(params):
    from qgis.core import QgsProcessingException

    rec = Recorder()
    with pytest.raises(QgsProcessingException) as info:
        run_all(params, rec)
    return str(info.value) + "\n" + rec.log


def good_boilers():
    return [("GL-001", "太原第一热力", "燃煤", "20", Point(*_centre(112.0))),
            ("GL-002", "清徐供热站", "燃煤", "8", Point(112.62, 37.02))]


def toy_inputs(tmp_path):
    """The toy Shanxi of these tests as run_all's layers, in the folder ``dir`` (test_output_safety uses it too)."""
    ensure_provider()
    d = tmp_path / "in"
    d.mkdir()
    return {"ADMIN": layer(write_gpkg(admin_gdf(), d / "admin.gpkg"), "admin"),
            "BUILTUP": layer(write_gpkg(builtup_gdf(), d / "builtup.gpkg"), "builtup"),
            "BOILERS": layer(write_gpkg(boilers_gdf(good_boilers()), d / "boilers.gpkg"), "boilers"),
            "dir": d}


@pytest.fixture()
def inputs(qgis_processing, tmp_path):
    return toy_inputs(tmp_path)


def params(inputs, out, **extra):
    p = {k: v for k, v in inputs.items() if k != "dir"}
    p["OUTPUT_DIR"] = str(out)
    p.update(extra)
    return p


# -- case 1 -------------------------------------------------------------------------------------------
def test_invalid_polygons_are_repaired_reported_and_right(inputs, tmp_path):
    d = inputs["dir"]
    inputs["ADMIN"] = layer(write_gpkg(admin_gdf(bowtie_second=True), d / "admin_bad.gpkg"), "县界")
    inputs["BUILTUP"] = layer(write_gpkg(builtup_gdf(bowtie=True), d / "builtup_bad.gpkg"), "建成区")
    cx, cy = _centre(112.0)
    inputs["BOILERS"] = layer(write_gpkg(boilers_gdf([
        ("GL-001", "左三角内", "燃煤", "40", Point(cx - 0.04, cy)),   # in the left triangle of the built-up bowtie
        ("GL-002", "清徐左三角", "燃煤", "8", Point(112.62, Y0 + 0.25)),  # in the left triangle of 清徐县
    ]), d / "b.gpkg"), "boilers")
    res, log = run_all(params(inputs, tmp_path / "out"))
    assert "行政区划图层「县界」第 2 个要素（清徐县）字段「几何」：几何无效" in log
    assert "county boundary layer '县界' feature 2 (清徐县) field geometry: invalid" in log
    assert "建成区图层「建成区」第 1 个要素字段「几何」：几何无效" in log
    flags = gpd.read_file(res["FLAGS_GPKG"], layer="enterprise_flags")
    hit = flags[flags["ent_id"] == "GL-001"]
    assert "B-BAN" in set(hit["rule_id"])  # the repaired built-up bowtie still holds the boiler
    qx = flags[flags["ent_id"] == "GL-002"]
    assert set(qx["county"]) == {"清徐县"}  # the repaired county still holds its boiler


# -- case 2 -------------------------------------------------------------------------------------------
def test_empty_admin_is_refused_before_any_work(inputs, tmp_path):
    empty = admin_gdf().iloc[0:0]
    inputs["ADMIN"] = layer(write_gpkg(empty, inputs["dir"] / "empty.gpkg"), "空县界")
    out = tmp_path / "out"
    msg = run_all_error(params(inputs, out))
    assert "行政区划图层「空县界」是空的" in msg and "county boundary layer '空县界' is empty" in msg
    assert not (out / "zones.gpkg").exists()


def test_points_as_builtup_are_refused(inputs, tmp_path):
    pts = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(112.1, 37.1)], crs="EPSG:4326")
    inputs["BUILTUP"] = layer(write_gpkg(pts, inputs["dir"] / "pts.gpkg"), "建成区点")
    msg = run_all_error(params(inputs, tmp_path / "out"))
    assert "建成区图层「建成区点」的几何类型是 Point，应为面" in msg


def test_empty_builtup_through_build_zones(inputs, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    inputs["BUILTUP"] = layer(write_gpkg(builtup_gdf().iloc[0:0], inputs["dir"] / "e.gpkg"), "空建成区")
    with pytest.raises(QgsProcessingException, match="建成区图层「空建成区」是空的"):
        processing.run("bluesky:build_zones", {"ADMIN": inputs["ADMIN"], "BUILTUP": inputs["BUILTUP"],
                                               "OUTPUT_DIR": str(tmp_path / "z")})


def test_empty_enterprise_list_warns_and_goes_on(inputs, tmp_path):
    inputs["MINES"] = layer(write_gpkg(boilers_gdf([]).rename(columns={"额定蒸发量": "开采方式"}),
                                       inputs["dir"] / "mines.gpkg"), "矿山清单")
    res, log = run_all(params(inputs, tmp_path / "out"))
    assert "图层「矿山清单」没有任何要素（空清单）" in log and "layer '矿山清单' has no features" in log
    assert res["ENTERPRISES"] == 2


# -- case 3 -------------------------------------------------------------------------------------------
def test_degrees_declared_as_metres_are_refused(inputs, tmp_path):
    inputs["ADMIN"] = layer(write_gpkg(admin_gdf().set_crs("EPSG:4546", allow_override=True),
                                       inputs["dir"] / "a4546.gpkg"), "县界4546")
    msg = run_all_error(params(inputs, tmp_path / "out"))
    assert "图层「县界4546」声明的坐标系 EPSG:4546 是投影坐标（米），但坐标" in msg
    assert "look like degrees" in msg


def test_metres_declared_as_degrees_are_refused(inputs, tmp_path):
    pts = boilers_gdf([("GL-9", "x", "燃煤", "5", Point(500000, 4200000))])
    inputs["BOILERS"] = layer(write_gpkg(pts, inputs["dir"] / "m.gpkg"), "锅炉米")
    msg = run_all_error(params(inputs, tmp_path / "out"))
    assert "图层「锅炉米」声明的坐标系 EPSG:4326 是经纬度，但坐标（500000, 4.2e+06" in msg


def test_no_crs_in_degrees_is_read_as_wgs84_loudly_and_distances_stay_true(inputs, tmp_path):
    shp = write_shapefile(admin_gdf(), inputs["dir"] / "admin_nocrs.shp")
    _Path(shp).with_suffix(".prj").unlink()
    inputs["ADMIN"] = layer(shp, "无坐标系县界")
    res, log = run_all(params(inputs, tmp_path / "out"))
    assert "警告：图层「无坐标系县界」没有坐标系" in log and "read as WGS84 (EPSG:4326)" in log
    verdicts = gpd.read_file(res["FLAGS_GPKG"], layer="enterprise_verdicts")
    assert set(verdicts["county"]) == {"小店区", "清徐县"}


def test_no_crs_in_metres_is_refused(inputs, tmp_path):
    metric = admin_gdf().to_crs("EPSG:4546")
    shp = write_shapefile(metric, inputs["dir"] / "admin_m.shp")
    _Path(shp).with_suffix(".prj").unlink()
    inputs["ADMIN"] = layer(shp, "米制县界")
    msg = run_all_error(params(inputs, tmp_path / "out"))
    assert "图层「米制县界」没有坐标系" in msg and "set the layer's CRS" in msg


# -- case 4 -------------------------------------------------------------------------------------------
def test_gbk_shapefile_without_cpg_reads_chinese(inputs, tmp_path):
    shp = write_shapefile(boilers_gdf(good_boilers()), inputs["dir"] / "gbk.shp", encoding="GBK", cpg=False)
    raw = _Path(shp).with_suffix(".dbf").read_bytes()
    assert "太原第一热力".encode("gbk") in raw and not _Path(shp).with_suffix(".cpg").exists()
    # a shapefile opened by QGIS first sets GDAL's SHAPE_ENCODING to "" process-wide (the known trap)
    layer(write_shapefile(admin_gdf(), inputs["dir"] / "utf8.shp"), "utf8")
    inputs["BOILERS"] = layer(shp, "GBK锅炉")
    res, _log = run_all(params(inputs, tmp_path / "out"))
    verdicts = gpd.read_file(res["FLAGS_GPKG"], layer="enterprise_verdicts")
    assert "太原第一热力" in set(verdicts["name"])


@pytest.mark.parametrize("cpg", ["936", "GBK", "CP936", "UTF-8"])
def test_shapefile_with_cpg_reads_chinese(qgis_app, tmp_path, cpg):
    from bluesky_zoning.layers.convert import layer_to_gdf

    enc = "UTF-8" if cpg == "UTF-8" else "GBK"
    frame = gpd.GeoDataFrame({"name": ["太原第一热力", "清徐供热站"]}, geometry=[Point(112, 37), Point(113, 37)],
                             crs="EPSG:4326")
    shp = write_shapefile(frame, tmp_path / "b.shp", encoding=enc)
    _Path(shp).with_suffix(".cpg").write_text(cpg)
    gdf = layer_to_gdf(layer(shp, "b"))
    assert list(gdf["name"]) == ["太原第一热力", "清徐供热站"]


# -- cases 5 and 6 -----------------------------------------------------------------------------------
def test_messy_values_and_bad_rows_are_to_verify_quoted_and_counted(inputs, tmp_path):
    cx, cy = _centre(112.0)
    rows = [("GL-001", "正常", "燃煤", "20", Point(cx + 0.2, cy)),
            ("GL-00137", "约数", "燃煤", "约20吨", Point(cx + 0.2, cy + 0.01)),
            ("GL-003", "负数", "燃煤", "-5", Point(cx + 0.2, cy + 0.02)),
            ("GL-004", "过大", "燃煤", "3,500", Point(cx + 0.2, cy + 0.03)),
            ("GL-005", "文本", "燃煤", "abc", Point(cx + 0.2, cy + 0.04)),
            ("GL-006", "县外", "燃煤", "5", Point(100.0, 30.0)),
            ("GL-007", "空几何", "燃煤", "5", None),
            ("GL-008", "空点", "燃煤", "5", Point()),
            ("GL-009", "重复甲", "燃气", "5", Point(cx + 0.2, cy + 0.05)),
            ("GL-009", "重复乙", "燃气", "5", Point(cx + 0.2, cy + 0.06))]
    inputs["BOILERS"] = layer(write_gpkg(boilers_gdf(rows), inputs["dir"] / "messy.gpkg"), "锅炉清单")
    res, log = run_all(params(inputs, tmp_path / "out", WRITE_WORKBOOK=True))
    print(log)
    assert ("图层「锅炉清单」第 2 行（编号 GL-00137）字段「额定蒸发量」：额定蒸发量 '约20吨' 无法解析 / "
            "layer '锅炉清单' row 2 (id GL-00137) field capacity_tph: cannot parse '约20吨'") in log
    assert "第 3 行（编号 GL-003）字段「额定蒸发量」：额定蒸发量 '-5' 为负数" in log
    assert "第 4 行（编号 GL-004）字段「额定蒸发量」：额定蒸发量 '3,500' 超过" in log
    assert "第 5 行（编号 GL-005）字段「额定蒸发量」：额定蒸发量 'abc' 无法解析" in log
    assert "（编号 GL-006）字段「经度、纬度」：点 (100.0, 30.0) 不在任何县区范围内" in log
    assert "第 7 行（编号 GL-007）字段「几何」：几何为空（NULL）" in log and "第 8 行（编号 GL-008）字段「几何」" in log
    assert "为空或无法识别，无法判断规则 B-35 / layer '锅炉清单' row 2 " not in log
    assert "（编号 GL-009）字段「编号」：编号 'GL-009' 重复（共 2 条）" in log
    tv = gpd.read_file(res["FLAGS_GPKG"], layer="to_verify")
    assert {"GL-00137", "GL-003", "GL-004", "GL-005", "GL-006", "GL-007", "GL-008", "GL-009"} <= set(tv["ent_id"])
    assert "约20吨" in set(tv["raw"])
    # nothing vanishes: count in = flagged + clear + to verify
    assert res["ENTERPRISES"] == len(rows)
    verdicts = gpd.read_file(res["FLAGS_GPKG"], layer="enterprise_verdicts")
    unflagged_tv = tv[~tv["flagged"].astype(bool)]
    flagged_ids = set(zip(verdicts["ent_id"], verdicts["row"]))
    assert res["FLAGGED"] == len(flagged_ids)
    assert res["TO_VERIFY"] == len(tv)  # the one count everywhere: rows of the 需核实 table
    assert res["FLAGGED"] + unflagged_tv["row"].nunique() <= len(rows)


def test_empty_points_in_enterprise_gdf_do_not_crash():
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_gdf

    g = boilers_gdf([("a", "n", "燃煤", "5", Point(112, 37)), ("b", "n", "燃煤", "5", Point()),
                     ("c", "n", "燃煤", "5", None), ("d", "n", "燃煤", "5", MultiPoint())])
    t = enterprises_from_gdf(g, "boiler")
    assert len(t.gdf) == 4 and t.gdf.geometry.isna().sum() == 3
    assert list(t.problems["ent_id"]) == ["b", "c", "d"]


# -- case 7 -------------------------------------------------------------------------------------------
RULE_HEAD = "version: 1\n"


def _rules_with(tmp_path, old, new, name="rules.yaml"):
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH

    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def _first_rule_bits():
    from bluesky_zoning.analysis.plan.rules import load_rules

    rule = load_rules().rules[0]
    return rule


def test_rules_file_errors_name_rule_and_line(inputs, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    rule = _first_rule_bits()
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH

    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    lines = text.splitlines()
    zone_line = next(i for i in range(rule.line, len(lines)) if "Z-" in lines[i] and "id" in lines[i]) + 1
    bad_zone = tmp_path / "zone.yaml"
    lines2 = list(lines)
    lines2[zone_line - 1] = lines2[zone_line - 1].replace("Z-", "Z-NOPE-", 1)
    bad_zone.write_text("\n".join(lines2) + "\n", encoding="utf-8")
    msg = run_all_error(params(inputs, tmp_path / "o1", RULES=str(bad_zone)))
    assert f"规则 {rule.id}（第 {zone_line} 行）字段 zone.id：未知区域" in msg
    assert f"rule {rule.id} (line {zone_line}) field zone.id" in msg

    cond_line = next(i for i in range(rule.line, len(lines)) if "field:" in lines[i]) + 1
    lines3 = list(lines)
    lines3[cond_line - 1] = lines3[cond_line - 1].split("field:")[0] + "field: no_such_field" + (
        "," + lines3[cond_line - 1].split(",", 1)[1] if "," in lines3[cond_line - 1].split("field:")[1] else "")
    bad_field = tmp_path / "field.yaml"
    bad_field.write_text("\n".join(lines3) + "\n", encoding="utf-8")
    with pytest.raises(QgsProcessingException) as info:
        processing.run("bluesky:build_zones", {"ADMIN": inputs["ADMIN"], "BUILTUP": inputs["BUILTUP"],
                                               "RULES": str(bad_field), "OUTPUT_DIR": str(tmp_path / "z")})
    assert f"规则 {rule.id}（第 {cond_line} 行）" in str(info.value) and "no_such_field" in str(info.value)

    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("rules:\n  - id: X\n    zone: [unclosed\n", encoding="utf-8")
    msg = run_all_error(params(inputs, tmp_path / "o2", RULES=str(syntax)))
    assert "YAML 语法错误" in msg and "syntax.yaml:" in msg and "line " in msg


def test_python_yaml_tags_are_refused(inputs, tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"rules: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    msg = run_all_error(params(inputs, tmp_path / "out", RULES=str(evil)))
    assert "不允许的 YAML 标签" in msg and "evil.yaml:1" in msg
    assert not marker.exists()


# -- case 8 -------------------------------------------------------------------------------------------
def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in _Path(folder).rglob("*")) if _Path(folder).exists() else []


def test_output_folder_not_writable(inputs, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    msg = run_all_error(params(inputs, blocker / "out"))
    assert "不可写" in msg and "not writable" in msg and str(blocker / "out") in msg  # before any work


def test_disk_full_midway_leaves_nothing_half_written(inputs, tmp_path, monkeypatch):
    real = pyogrio.write_dataframe
    calls = {"n": 0}

    def filling(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # zones.gpkg half-way through its layers
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", filling)
    out = tmp_path / "out"
    before = {p: hashlib.sha256(_Path(p).read_bytes()).hexdigest() for p in inputs["dir"].iterdir()}
    msg = run_all_error(params(inputs, out))
    assert "磁盘空间不足" in msg and "no space left on the disk" in msg
    assert not [n for n in _listing(out) if n.endswith((".gpkg", ".part"))]
    assert {p: hashlib.sha256(_Path(p).read_bytes()).hexdigest() for p in inputs["dir"].iterdir()} == before


def test_workbook_and_packages_disk_full(inputs, tmp_path, monkeypatch):
    import zipfile

    from bluesky_zoning.analysis.inputs.validation import OutputError
    from bluesky_zoning.layers.county_packages import export_county_packages
    from bluesky_zoning.layers.workbook.writer import write_summary_workbook

    res, _ = run_all(params(inputs, tmp_path / "out"))
    import openpyxl

    def full_save(self, filename):
        _Path(filename).write_bytes(b"PK\x03\x04half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full_save)
    with pytest.raises(OutputError, match="磁盘空间不足"):
        write_summary_workbook(res["FLAGS_GPKG"], tmp_path / "wb" / "summary.xlsx")
    assert _listing(tmp_path / "wb") == []
    monkeypatch.undo()

    real_write = zipfile.ZipFile.write
    count = {"n": 0}

    def full_write(self, *a, **k):
        count["n"] += 1
        if count["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "write", full_write)
    pk = tmp_path / "pk"
    with pytest.raises(OutputError, match="no space left on the disk"):
        export_county_packages(res["ZONES"], res["FLAGS_GPKG"], pk, workers=1,
                               admin_gpkg=_Path(res["OUTPUT_DIR"]) / "admin.gpkg")
    assert not [n for n in _listing(pk) if n.endswith(".part") or "bluesky_pkg_" in n]
    for z in pk.glob("*.zip"):  # what is there is whole
        assert zipfile.ZipFile(z).testzip() is None


# -- case 9 -------------------------------------------------------------------------------------------
def test_cancel_after_step_one_leaves_nothing(inputs, tmp_path):
    out = tmp_path / "out"
    rec = Recorder(cancel_on="构建禁煤区")  # the first zone step, after the inputs were read
    res, log = run_all(params(inputs, out, EXPORT_PACKAGES=True, WRITE_WORKBOOK=True), rec)
    assert rec.feedback.isCanceled()
    assert "FLAGS_GPKG" not in res
    assert _listing(out) == []


# -- case 10 ------------------------------------------------------------------------------------------
def test_unsafe_county_names_give_safe_unique_packages(inputs, tmp_path):
    from bluesky_zoning.layers.county_packages import export_county_packages

    res, _ = run_all(params(inputs, tmp_path / "out"))
    odd = admin_gdf()
    odd = pd.concat([odd, odd.iloc[[0]]], ignore_index=True)
    odd["county"] = ["A/B:区", "CON", "古县..", "古县.."]
    odd["adcode"] = ["", "", "", ""]
    odd["city_adcode"] = ""
    odd["is_city_district"] = False
    admin_pk = tmp_path / "odd_admin.gpkg"
    pyogrio.write_dataframe(odd, str(admin_pk), layer="counties", driver="GPKG")
    zips = export_county_packages(res["ZONES"], res["FLAGS_GPKG"], tmp_path / "pk", admin_gpkg=admin_pk)
    names = [z.name for z in zips]
    assert names == ["AB区.zip", "_CON.zip", "古县.zip", "古县_2.zip"]


# -- case 11 ------------------------------------------------------------------------------------------
def test_user_text_is_never_code(qgis_processing, inputs, tmp_path):
    import openpyxl
    import processing

    ensure_provider()
    cx, cy = _centre(112.0)
    csv = tmp_path / "list.csv"
    pd.DataFrame({"编号": ["E-1", "E-2"], "单位名称": ["=cmd|' /C calc'!A0", "__import__('os').system('x')"],
                  "燃料类型": ["燃煤", "燃煤"], "额定蒸发量": ["20", "20"],
                  "经度": [cx, cx + 0.01], "纬度": [cy, cy]}).to_csv(csv, index=False, encoding="utf-8")
    out = processing.run("bluesky:import_list", {"INPUT": str(csv), "KIND": 0, "COORD_SYSTEM": 0,
                                                 "OUTPUT": str(tmp_path / "imp.gpkg")})["OUTPUT"]
    got = gpd.read_file(out)
    assert list(got["单位名称"]) == ["=cmd|' /C calc'!A0", "__import__('os').system('x')"]
    # an XLSX whose cell holds a formula: never evaluated by us (cached value or nothing)
    xlsx = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "单位名称", "燃料类型", "额定蒸发量", "经度", "纬度"])
    ws.append(["E-3", "=1+1", "燃煤", "=2*10", cx, cy])
    wb.save(xlsx)
    from bluesky_zoning.analysis.inputs.enterprises import read_table

    table = read_table(xlsx)
    assert table.loc[0, "单位名称"] in (None, "=1+1") or pd.isna(table.loc[0, "单位名称"])
    # our workbook never writes user text as a formula
    inputs["BOILERS"] = layer(out, "imported")
    res, _ = run_all(params(inputs, tmp_path / "run", WRITE_WORKBOOK=True))
    book = openpyxl.load_workbook(res["WORKBOOK"])
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


# -- case 12 ------------------------------------------------------------------------------------------
def test_inputs_are_byte_for_byte_unchanged(qgis_processing, tmp_path):
    ensure_provider()
    d = tmp_path / "in"
    d.mkdir()
    admin = write_shapefile(admin_gdf(), d / "县界.shp", encoding="GBK")
    built = write_shapefile(builtup_gdf(), d / "builtup.shp")
    boil = write_shapefile(boilers_gdf(good_boilers()), d / "boilers.shp", encoding="GBK", cpg=False)
    mines_uri = write_gpkg(boilers_gdf([]).rename(columns={"额定蒸发量": "开采方式"}), d / "mines.gpkg")

    def sums():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.iterdir())}

    before, listing = sums(), sorted(p.name for p in d.iterdir())
    assert {"县界.dbf", "县界.shx", "县界.prj", "县界.cpg", "boilers.dbf"} <= set(listing)
    res, _ = run_all({"ADMIN": layer(admin, "县界"), "BUILTUP": layer(built, "builtup"),
                      "BOILERS": layer(boil, "boilers"), "MINES": layer(mines_uri, "mines"),
                      "EXPORT_PACKAGES": True, "WRITE_WORKBOOK": True, "SAVE_PROJECT": True,
                      "OUTPUT_DIR": str(tmp_path / "out")})
    assert res["PACKAGES"] == 3
    assert sums() == before
    assert sorted(p.name for p in d.iterdir()) == listing
