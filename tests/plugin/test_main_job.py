"""The main job on the full Shanxi demo, exactly as `make demo` runs it: bluesky:import_list for the four
lists, then bluesky:run_all with every output into a folder named ``demo``. Run once per session; the
tests read what it wrote back (GeoPackages, county zips with pyogrio and QGIS, the atlas PDF with
poppler, the workbook with openpyxl, the project with QGIS)."""
from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

import pandas as pd
import pyogrio
import pytest
from demo_fixture import ensure_provider

ROOT = Path(__file__).resolve().parents[2]
N_COUNTIES = 117
ZONE_LAYERS = {"coal_ban_zone", "region_1p30", "key_city_groups", "north_coal_zero", "cluster_counties",
               "chp_heating_radius", "mine_closure_zone", "planning_area"}
FLAG_LAYERS = {"enterprise_flags": {"ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "lead_dept",
                                    "reason", "county", "city", "adcode", "distance_km"},
               "enterprise_verdicts": {"ent_id", "layer", "name", "verdict", "rule_ids", "county", "city"},
               "to_verify": {"ent_id", "layer", "problem"}}
WINDOWS_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
#: the known bad row the engine has no reason to send to verify: a mine without a mining method that lies
#: outside the mine-closure zone (M-OPEN cannot apply there whatever the method)
NOT_JUDGED = {("mines", "missing_method")}


# The village list has no id column: its rows get "<layer>-<row>" ids, so its layer is named as an analyst would.
OUTPUT_NAMES = {"boilers": "boilers.gpkg", "mines": "mines.gpkg", "plants": "plants.gpkg", "chp": "chp.gpkg",
                "villages": "村庄清单.gpkg"}


@dataclass
class MainJob:
    out: Path
    result: Dict
    flags: pd.DataFrame
    counties: pd.DataFrame


@pytest.fixture(scope="session")
def main_job(qgis_processing, tmp_path_factory) -> MainJob:
    import processing
    from bluesky_zoning.demo.data import ensure_demo_data
    from bluesky_zoning.provider.algorithms.import_list import COORD_SYSTEMS, KINDS

    ensure_provider()
    data = ensure_demo_data(ROOT / ".cache" / "demo")  # the same cache as `make demo`
    out = tmp_path_factory.mktemp("main_job") / "demo"
    inputs = out / "inputs"
    inputs.mkdir(parents=True)
    layers = {}
    for kind, key in (("boiler", "boilers"), ("mine", "mines"), ("plant", "plants"), ("chp", "chp"),
                      ("village", "villages")):
        res = processing.run("bluesky:import_list", {
            "INPUT": str(getattr(data, key)), "KIND": KINDS.index(kind),
            "COORD_SYSTEM": COORD_SYSTEMS.index(data.coord_systems[key]), "OUTPUT": str(inputs / OUTPUT_NAMES[key])})
        layers[key] = res["OUTPUT"]
    result = processing.run("bluesky:run_all", {
        "ADMIN": f"{data.admin_gpkg}|layername=counties", "BUILTUP": str(data.builtup_tif),
        "BOILERS": layers["boilers"], "MINES": layers["mines"], "PLANTS": layers["plants"], "CHP": layers["chp"],
        "VILLAGES": layers["villages"],
        "EXPORT_PACKAGES": True, "PRINT_ATLAS": True, "WRITE_WORKBOOK": True, "SAVE_PROJECT": True,
        "OUTPUT_DIR": str(out)})
    flags = pd.DataFrame(pyogrio.read_dataframe(out / "flags.gpkg", layer="enterprise_flags", read_geometry=False))
    counties = pd.DataFrame(pyogrio.read_dataframe(out / "admin.gpkg", layer="counties", read_geometry=False))
    return MainJob(out, result, flags, counties)


def test_the_main_job_writes_every_output(main_job):
    out = main_job.out
    for name in ("zones.gpkg", "flags.gpkg", "atlas.pdf", "summary.xlsx", "demo.qgz"):
        assert (out / name).is_file(), name
    assert not [p for p in out.rglob("*") if ".part" in p.name or p.name.startswith(".")]
    # Its duration is a benchmark figure (`make bench`: province_run_s, atlas_s), not a test on a shared machine.


def test_geopackages_hold_the_contract(main_job):
    assert {n for n, _ in pyogrio.list_layers(main_job.out / "zones.gpkg")} >= ZONE_LAYERS
    flags_gpkg = main_job.out / "flags.gpkg"
    assert {n for n, _ in pyogrio.list_layers(flags_gpkg)} >= set(FLAG_LAYERS)
    for layer, columns in FLAG_LAYERS.items():
        frame = pyogrio.read_dataframe(flags_gpkg, layer=layer, read_geometry=False)
        assert columns <= set(frame.columns), (layer, columns - set(frame.columns))
        assert len(frame) > 0, layer
    assert main_job.result["FLAGS"] == len(main_job.flags)


def test_117_county_zips_with_unique_windows_safe_names(main_job):
    zips = sorted((main_job.out / "counties").glob("*.zip"))
    assert len(zips) == N_COUNTIES == len(main_job.counties)
    names = [z.name for z in zips]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        stem = name[:-4]
        assert not WINDOWS_BAD.search(name), name
        assert stem == stem.strip() and not stem.endswith("."), name
        assert stem.split(".")[0].upper() not in WINDOWS_RESERVED, name
        assert len(name.encode("utf-8")) <= 200, name
    assert {z.name[:6] for z in zips} == set(main_job.counties["adcode"].astype(str))


def test_a_county_zip_reads_back_the_same_enterprises(main_job):
    from qgis.core import QgsVectorLayer

    flags = main_job.flags
    adcode = flags["adcode"].astype(str).value_counts().index[0]  # the county with most hits
    mine = flags[flags["adcode"].astype(str) == adcode]
    expected = set(zip(mine["ent_id"].astype(str), mine["name"].astype(str), mine["rule_id"].astype(str)))
    zip_path = next((main_job.out / "counties").glob(f"{adcode}_*.zip"))
    with zipfile.ZipFile(zip_path) as zf:
        encoding = zf.read("enterprise_flags.cpg").decode("ascii").strip()
    vsi = f"/vsizip/{zip_path}/enterprise_flags.shp"
    shp = pyogrio.read_dataframe(vsi, encoding=encoding, read_geometry=False)
    # headers county staff read: short Chinese names; the field dictionary gives the full ones
    assert "ent_id" not in shp.columns and not any(c in shp.columns for c in ("verdict_cl", "act_class", "source_lay"))
    with zipfile.ZipFile(zip_path) as zf:
        dictionary = pd.read_csv(zf.open("字段说明.csv"), encoding="utf-8-sig", dtype=str)
    short = dict(zip(*[dictionary[dictionary["图层"] == "enterprise_flags"][c] for c in ("完整字段名", "短字段名")]))
    assert set(shp[short["layer_label"]]) <= {"锅炉", "矿山", "工业企业", "热电厂", "村"}
    shp = shp.rename(columns={v: k for k, v in short.items()})
    got = set(zip(shp["ent_id"].astype(str), shp["name"].astype(str), shp["rule_id"].astype(str)))
    assert got == expected
    assert any(re.search(r"[\u4e00-\u9fff]", n) for _, n, _ in got)  # Chinese names came back as Chinese
    layer = QgsVectorLayer(vsi, "flags", "ogr")
    assert layer.isValid()
    from_qgis = {(str(f[short["ent_id"]]), str(f[short["name"]]), str(f[short["rule_id"]])) for f in layer.getFeatures()}
    assert from_qgis == expected
    gpkg = QgsVectorLayer(f"/vsizip/{zip_path}/{zip_path.stem}.gpkg|layername=enterprise_verdicts", "v", "ogr")
    aliases = {f.name(): f.alias() for f in gpkg.fields()}
    assert aliases["verdict_class"] == "结论类别代码" and aliases["verdict_label"] == "结论类别"  # Chinese in QGIS


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _pages_if_every_page_had_the_map(main_job) -> int:
    """The atlas as it was before issue 14, on the same flags: every page of a county a map page with the
    rows that fit beside the map (279 pages on the demo of that time)."""
    import math

    from bluesky_zoning.analysis.reports.labels import rule_names
    from bluesky_zoning.analysis.reports.meeting import meeting_order
    from bluesky_zoning.layers.atlas.layout import Frames
    from bluesky_zoning.layers.atlas.pages import section_parts, task_rows, task_table

    ordered, names, total, table = meeting_order(main_job.flags), rule_names(), 1, task_table()
    for c in main_job.counties.itertuples():
        rows = task_rows(ordered[ordered["adcode"].astype(str) == str(c.adcode)].to_dict("records"), names)
        on_map = len(section_parts(rows, table, Frames(), progress=False)[0]["table"])
        total += math.ceil(len(rows) / on_map) if rows and on_map else 1
    return total



def test_atlas_pages_are_overview_counties_and_continuations(main_job):
    from bluesky_zoning.layers.atlas.export import county_page_counts

    pages = county_page_counts(main_job.flags, main_job.counties)
    continuation = sum(n - 1 for n in pages.values())
    assert continuation > 0  # the demo has counties whose table runs on, on table-only pages
    atlas_pages = _pdf_pages(main_job.out / "atlas.pdf")
    assert atlas_pages == 1 + N_COUNTIES + continuation
    # table-only continuation pages hold two frames of rows: fewer pages than repeating the map would take
    old_continuation = _pages_if_every_page_had_the_map(main_job) - 1 - N_COUNTIES
    assert continuation <= 0.8 * old_continuation, (continuation, old_continuation)
    # a table-only page: no map furniture, the rows run on
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(main_job.out / "atlas.pdf"), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8").split("\f")
    table_pages = [p for p in text if "（续1）" in p]
    assert table_pages and all("图例" not in p and "数据说明" not in p for p in table_pages)


def test_atlas_text_names_every_county(main_job):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(main_job.out / "atlas.pdf"), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    compact = re.sub(r"\s+", "", text)
    missing = [c for c in main_job.counties["county"].astype(str).unique() if c not in compact]
    assert not missing


def test_no_english_code_words_in_the_atlas_or_the_workbook(main_job):
    from bluesky_zoning.analysis.reports.labels import english_code_words
    from openpyxl import load_workbook

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(main_job.out / "atlas.pdf"), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    assert english_code_words([text]) == []
    wb = load_workbook(main_job.out / "summary.xlsx", read_only=True)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert english_code_words(cells) == []


def test_one_count_everywhere(main_job):
    """Hits, enterprises and rows to verify: the same numbers in the log/outputs of run_all, the dock's own
    count (run_report, which the message bar and the tabs show), the workbook and the atlas."""
    from bluesky_zoning.analysis.reports.run_report import count_enterprises, county_rule_table, run_counts
    from openpyxl import load_workbook

    flags_gpkg = main_job.out / "flags.gpkg"
    verdicts = pyogrio.read_dataframe(flags_gpkg, layer="enterprise_verdicts", read_geometry=False)
    to_verify = pyogrio.read_dataframe(flags_gpkg, layer="to_verify", read_geometry=False)
    counts = run_counts(main_job.flags, to_verify)
    # one verdict per input row: two records that share an id are two enterprises (and 需核实 rows), never merged
    assert counts.enterprises == len(verdicts) == verdicts.drop_duplicates(["layer", "row"]).shape[0]
    duplicated = to_verify[to_verify["problem"].str.contains("重复")]
    assert len(duplicated) and (duplicated.groupby(["layer", "ent_id"])["row"].nunique() >= 2).all()
    assert count_enterprises(duplicated) == len(duplicated.drop_duplicates(["layer", "row"]))
    assert (main_job.result["FLAGS"], main_job.result["FLAGGED"], main_job.result["TO_VERIFY"]) == \
        (counts.hits, counts.enterprises, counts.to_verify)
    _rows, _rules, cells = county_rule_table(main_job.flags)
    assert len(cells[("*", "*")]) == counts.enterprises  # the dock's 合计
    sentence = counts.text_zh()
    wb = load_workbook(main_job.out / "summary.xlsx", read_only=True)
    notes = "\n".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True))
    assert sentence in notes
    county_sheet = list(wb["分县统计"].iter_rows(values_only=True))
    total = next(r for r in county_sheet if r[0] == "合计")
    assert total[list(county_sheet[0]).index("涉及企业数")] == counts.enterprises
    atlas = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(main_job.out / "atlas.pdf"), "-"],
                           capture_output=True, check=True).stdout.decode("utf-8")
    assert sentence in re.sub(r"\s*\n\s*", "", atlas)


def test_each_enabled_rule_has_hits_on_the_demo(main_job):
    from bluesky_zoning.analysis.plan.rules import load_rules

    hits = main_job.flags["rule_id"].value_counts()
    missing = [r.id for r in load_rules().enabled_rules if hits.get(r.id, 0) == 0]
    assert not missing, f"rules without a hit on the demo: {missing}"
    assert hits["B-SMALLCHP"] > 0


def test_workbook_totals_equal_the_flags(main_job):
    from bluesky_zoning.analysis.reports.labels import rule_names
    from openpyxl import load_workbook

    wb = load_workbook(main_job.out / "summary.xlsx", read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    total = next(r for r in rows if r[0] == "合计")
    assert total[header.index("命中合计")] == len(main_job.flags)
    names = rule_names()
    rule_cols = [i for i, h in enumerate(header) if h in {names[r] for r in set(main_job.flags["rule_id"])}]
    assert sum(total[i] for i in rule_cols) == len(main_job.flags)
    for rule, count in main_job.flags["rule_id"].value_counts().items():
        assert total[header.index(names[rule])] == count, rule  # rules by their short Chinese names
    assert total[header.index("涉及企业数")] == main_job.flags.drop_duplicates(["layer", "row"]).shape[0]


def test_project_reopens_with_every_layer_valid(main_job):
    from qgis.core import QgsProject

    project = QgsProject()
    assert project.read(str(main_job.out / "demo.qgz"))
    layers = list(project.mapLayers().values())
    assert len(layers) >= 8
    invalid = [layer.name() for layer in layers if not layer.isValid()]
    assert not invalid
    names = {layer.customProperty("bluesky_zoning/name", layer.name()) for layer in layers}
    assert {"enterprise_verdicts", "coal_ban_zone"} <= names or len(layers) >= 11
    # Chinese field aliases kept in the project; labels beside their codes in the attribute table
    verdicts = next(layer for layer in layers if layer.customProperty("bluesky_zoning/name") == "enterprise_verdicts")
    aliases = {f.name(): f.alias() for f in verdicts.fields()}
    assert aliases["ent_id"] == "企业编号" and aliases["verdict_class"] == "结论类别代码"
    columns = [c.name for c in verdicts.attributeTableConfig().columns()]
    assert columns.index("verdict_label") == columns.index("verdict_class") + 1
    named = [c for c in columns if c]  # (the actions column has no name)
    assert len(named) == len(set(named)) == len(verdicts.fields())  # each field once (类别 was shown twice)


def test_to_verify_holds_the_known_bad_rows(main_job):
    from bluesky_zoning.demo.data import KNOWN_BAD_ROWS

    to_verify = pyogrio.read_dataframe(main_job.out / "flags.gpkg", layer="to_verify", read_geometry=False)
    ids = set(to_verify["ent_id"].astype(str))
    missing = [(lst, why, ent) for lst, rows in KNOWN_BAD_ROWS.items() for why, ent in rows.items()
               if (lst, why) not in NOT_JUDGED and ent not in ids]
    assert not missing
    assert main_job.result["TO_VERIFY"] > 0
    # every row of the five lists is judged, the CHP list included: count in = 5000 + 800 + 1500 + 40 + 2680
    assert main_job.result["ENTERPRISES"] == 10020
    chp_row = to_verify[to_verify["ent_id"] == KNOWN_BAD_ROWS["chp"]["missing_capacity"]]
    assert chp_row["problem"].str.contains("装机容量为空").all() and (chp_row["raw"] == "").all()
    assert not to_verify["raw"].isin(["None", "nan"]).any()
