"""The atlas a meeting can use: the same columns on a county's map page and its continuation pages, with each
enterprise's 编号 (two boilers of one company told apart); the dots of the county map carry the table's 序号;
the overview is a county choropleth with a legend saying what the colour means, not dots; a scenario
comparison (compare.gpkg) adds one page per city with changes. Read back with poppler (pdftotext, pdftoppm)."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from outputs_fixture import build_outputs_fixture
from shapely.geometry import Point

PINGYAO = "140728"  # 平遥县 (晋中市): no flags in the fixture; the test gives it well-spaced enterprises
TWINS = ("GL-02949", "GL-02384")  # the demo's two boilers of 太原市小店区三晋医院锅炉房, one name, two ids
TWIN_NAME = "平遥县三晋医院锅炉房"
MAP_RECT = (10.0, 27.0, 250.0, 180.0)  # the map on a page (layers/atlas/layout.py), mm
SCALE_BAR = (13.0, 193.0, 70.0, 12.0)  # its scale bar, inside the map, numbered in kilometres
PT_MM = 25.4 / 72.0
NUMBER = re.compile(r"^\d+(–\d+)?(、\d+(–\d+)?)*$")


@pytest.fixture(scope="module")
def fx(qgis_app, tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def _grid_points(polygon, n: int, spacing_m: float = 3000.0):
    """``n`` points inside ``polygon`` (EPSG:4326), at least ``spacing_m`` apart (a grid in the metric CRS)."""
    metric = gpd.GeoSeries([polygon], crs=4326).to_crs(4547).iloc[0]
    inner = metric.buffer(-spacing_m / 2)
    x0, y0, x1, y1 = inner.bounds
    pts = [Point(x, y) for y in np.arange(y0, y1, spacing_m) for x in np.arange(x0, x1, spacing_m)
           if inner.contains(Point(x, y))]
    assert len(pts) >= n
    step = len(pts) // n
    return list(gpd.GeoSeries(pts[::step][:n], crs=4547).to_crs(4326))


@pytest.fixture(scope="module")
def pingyao(fx, tmp_path_factory):
    """The fixture's flags with six enterprises in 平遥县, two of them one company's boilers (same name, their
    own 编号), five hit by two rules; flags.gpkg written like a run's (points; verdicts beside)."""
    folder = tmp_path_factory.mktemp("pingyao")
    county = fx.counties[fx.counties["adcode"] == PINGYAO].iloc[0]
    points = _grid_points(county.geometry, 6)
    ids = list(TWINS) + [f"PY-{i}" for i in range(4)]
    names = [TWIN_NAME, TWIN_NAME] + [f"平遥县第{i}号工业企业" for i in range(4)]
    rules = [("B-35", "三(二)10", "淘汰", "2020-10-01", "eliminate"), ("B-BAN", "三(二)8", "依法清理", "2020-10-31", "remove")]
    rows = []
    for k, (ent, name, pt) in enumerate(zip(ids, names, points)):
        for rule in rules[: 1 if k == 5 else 2]:
            rows.append({"ent_id": ent, "layer": "boiler", "name": name, "rule_id": rule[0], "action": rule[2],
                         "clause": rule[1], "deadline": rule[3], "action_class": rule[4], "lead_dept": "市县政府",
                         "reason": "示例", "county": county["county"], "city": county["city"], "adcode": PINGYAO,
                         "distance_km": 0.0, "level": "市县政府", "severity": 5, "geometry": pt})
    mine = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    base = gpd.GeoDataFrame(fx.flags, geometry="geometry", crs=4326)
    flags = pd.concat([base, mine], ignore_index=True)
    path = folder / "flags.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame(flags, geometry="geometry", crs=4326), path,
                            layer="enterprise_flags", driver="GPKG")
    verdicts = mine.drop_duplicates(["layer", "ent_id"]).assign(verdict="淘汰燃煤锅炉", verdict_class="eliminate",
                                                                rule_ids="B-35;B-BAN")
    pyogrio.write_dataframe(pd.concat([gpd.GeoDataFrame(fx.verdicts, geometry="geometry", crs=4326),
                                       verdicts[["ent_id", "layer", "name", "verdict", "verdict_class", "rule_ids",
                                                 "county", "city", "geometry"]]], ignore_index=True),
                            path, layer="enterprise_verdicts", append=True)
    return path


def _layout_pages(pdf: Path):
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def _page_of(pages, title: str) -> int:
    return next(i for i, p in enumerate(pages, start=1) if re.sub(r"\s+", "", title) in re.sub(r"\s+", "", p))


def _words(pdf: Path, page: int):
    """(text, x, y, x2, y2) of every word on the page, in mm."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(t, float(a) * PT_MM, float(b) * PT_MM, float(c) * PT_MM, float(d) * PT_MM) for a, b, c, d, t in found]


def _inside(word, rect) -> bool:
    _t, x, y, x2, y2 = word
    rx, ry, rw, rh = rect
    return rx <= x and x2 <= rx + rw and ry <= y and y2 <= ry + rh


def _in_map(word) -> bool:
    """On the map and not a number of its scale bar."""
    return _inside(word, MAP_RECT) and not _inside(word, SCALE_BAR)


def _ranges(seqs) -> str:
    """The label of an enterprise whose rows are ``seqs``: 3 / 3–5 / 3–4、9 (the atlas's own form)."""
    parts, run = [], []
    for n in sorted(seqs) + [None]:
        if run and n is not None and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [n]
    return "、".join(parts)


def test_same_columns_ids_and_numbered_dots(fx, pingyao, tmp_path):
    from bluesky_zoning.layers.atlas.export import export_atlas

    out = tmp_path / "图集.pdf"
    export_atlas(fx.zones_gpkg, pingyao, fx.admin_gpkg, out, ["示例说明"])
    pages = _layout_pages(out)
    page = _page_of(pages, "晋中市 · 平遥县")
    text = pages[page - 1]
    # the county's rows: 序号, 编号, name — the two boilers of one company are two enterprises, each its own rows
    rows = re.findall(r"(?m)^.*?\s(\d+)\s+(GL-\d{5}|PY-\d)\s+(\S+)", text)
    assert len(rows) == 11, rows
    by_id = {}
    for seq, ent, _name in rows:
        by_id.setdefault(ent, []).append(int(seq))
    assert sorted(n for seqs in by_id.values() for n in seqs) == list(range(1, 12))
    assert [name for _s, ent, name in rows if ent in TWINS] == [TWIN_NAME] * 4
    assert set(by_id[TWINS[0]]).isdisjoint(by_id[TWINS[1]]) and len(by_id[TWINS[0]]) == len(by_id[TWINS[1]]) == 2
    # an enterprise's rows follow each other, so its dot carries one range
    assert all(max(s) - min(s) == len(s) - 1 for s in by_id.values())
    # every dot of the county's map carries its rows' numbers, and nothing else on the map is numbered so
    labels = sorted(w[0] for w in _words(out, page) if _in_map(w) and NUMBER.match(w[0]))
    assert labels == sorted(_ranges(s) for s in by_id.values()), labels
    # the same columns on a map page and on a continuation page (小店区 runs onto one)
    header = r"序号\s+编号\s+企业名称\s+规则\s+条款\s+完成时限"
    long_map, long_more = _page_of(pages, "太原市 · 小店区"), _page_of(pages, "太原市 · 小店区（续1）")
    assert re.search(header, text) and re.search(header, pages[long_map - 1]) and re.search(header, pages[long_more - 1])
    assert "方案比较" not in "".join(pages)  # no comparison without a compare.gpkg


def _render(pdf: Path, page: int, out: Path, dpi: int = 40) -> np.ndarray:
    from qgis.PyQt.QtGui import QImage

    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)
    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3)
    x, y, w, h = (v / 25.4 * dpi for v in MAP_RECT)
    return pixels[int(y) + 2: int(y + h) - 2, int(x) + 2: int(x + w) - 2].astype(int)


def _dot_red(pixels: np.ndarray) -> float:
    """Share of the verdict points' red (关闭/淘汰/退出/清理: 215, 25, 28)."""
    return float((np.abs(pixels - [215, 25, 28]).max(axis=2) < 40).mean())


def test_overview_is_a_county_choropleth(fx, pingyao, tmp_path):
    """The overview map colours each county by its flagged enterprises, labels it with its name and count, says
    what the colour means in its legend, and draws no enterprise dots (the county pages do)."""
    from bluesky_zoning.layers.atlas.export import export_atlas

    out = tmp_path / "图集.pdf"
    export_atlas(fx.zones_gpkg, pingyao, fx.admin_gpkg, out, ["示例说明"])
    pages = _layout_pages(out)
    overview = re.sub(r"\s+", "", pages[0])
    assert "各县区需整改企业数（家）" in overview  # the legend says what the colour means
    assert "企业（按综合结论）" not in overview and "企业（按综合结论）" in re.sub(r"\s+", "", pages[1])
    flags = pyogrio.read_dataframe(pingyao, layer="enterprise_flags", read_geometry=False)
    raw = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out), "-"],
                                            capture_output=True, text=True, check=True).stdout)
    for adcode, county in (("140105", "小店区"), (PINGYAO, "平遥县")):
        n = len(flags[flags["adcode"] == adcode][["layer", "ent_id"]].drop_duplicates())
        assert f"{county}{n}" in raw, (county, n)  # the county's label: its name over its count
    county_page = _page_of(pages, "晋中市 · 平遥县")
    assert _dot_red(_render(out, 1, tmp_path / "overview.png")) < 0.0005  # no dots
    assert _dot_red(_render(out, county_page, tmp_path / "county.png")) > 0.0005  # the county page's dots


def _compare_gpkg(fx, path: Path) -> Path:
    """A compare.gpkg as bluesky:compare_scenarios writes it (analysis/scenarios/compare.py's schema): changes
    in 小店区 (太原市) and 城区 (阳泉市), the CHP radius grown near 小店区."""
    flags = fx.flags.set_index("ent_id")
    rows = [("E001", "新增", "B-CHP", "热电供热半径内燃煤供热锅炉关停整合", "淘汰燃煤锅炉", "关停整合燃煤供热锅炉"),
            ("E002", "解除", "B-BAN", "禁煤区燃煤设施清理", "依法清理禁煤区燃煤设施", None),
            ("E003", "新增", "B-CHP", "热电供热半径内燃煤供热锅炉关停整合", None, "关停整合燃煤供热锅炉"),
            ("E112", "措施变化", "B-35", "重点城市35蒸吨以下燃煤锅炉淘汰", "淘汰燃煤锅炉", "关停整合燃煤供热锅炉")]
    records = []
    for ent, change, rule, name, base, variant in rows:
        f = flags.loc[ent].iloc[0] if isinstance(flags.loc[ent], pd.DataFrame) else flags.loc[ent]
        records.append({"ent_id": ent, "layer": f["layer"], "layer_label": "锅炉", "name": f["name"],
                        "county": f["county"], "city": f["city"], "adcode": f["adcode"], "rule_id": rule,
                        "rule_name": name, "change": change, "verdict_base": base, "verdict_variant": variant,
                        "reason_base": None, "reason_variant": None, "geometry": f["geometry"]})
    changes = gpd.GeoDataFrame(records, geometry="geometry", crs=4326)
    meta = {"bluesky_zoning_scenario": json.dumps({"base": "", "variant": "chp_radius_km=20",
                                                   "description": "热电联产供热半径 20 公里（基准 15）"},
                                                  ensure_ascii=False)}
    pyogrio.write_dataframe(changes, path, layer="scenario_changes", driver="GPKG", dataset_metadata=meta)
    counts = pd.DataFrame([{"scope": "province", "city": "全省", "county": "", "adcode": "", "rule_id": "",
                            "rule_name": "合计", "added": 2, "removed": 1, "changed": 1}])
    pyogrio.write_dataframe(counts, path, layer="scenario_counts", append=True)
    centre = fx.counties[fx.counties["adcode"] == "140105"].geometry.iloc[0].representative_point()
    grown = gpd.GeoDataFrame({"zone": ["chp_heating_radius"], "zone_title": ["热电联产20公里供热半径"],
                              "change": ["扩大"], "area_km2": [628.3]},
                             geometry=[centre.buffer(0.2).difference(centre.buffer(0.15))], crs=4326)
    pyogrio.write_dataframe(grown, path, layer="zone_changes", append=True)
    settings = pd.DataFrame([{"setting": "chp_radius_km", "setting_label": "热电联产供热半径（公里）",
                              "base_value": "15", "variant_value": "20"}])
    pyogrio.write_dataframe(settings, path, layer="scenario_settings", append=True)
    return path


def test_print_atlas_adds_a_comparison_page_per_city(qgis_processing, fx, tmp_path):
    from bluesky_zoning.provider.algorithms.print_atlas import PrintAtlasAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    compare = _compare_gpkg(fx, tmp_path / "compare.gpkg")
    params = {"ZONES_GPKG": str(fx.zones_gpkg), "FLAGS_GPKG": str(fx.flags_gpkg), "ADMIN": str(fx.admin_gpkg),
              "PER_COUNTY": False}
    alg = PrintAtlasAlgorithm().create()
    plain = alg.processAlgorithm({**params, "OUTPUT_PDF": str(tmp_path / "plain.pdf")}, QgsProcessingContext(),
                                 QgsProcessingFeedback())
    res = alg.processAlgorithm({**params, "OUTPUT_PDF": str(tmp_path / "compared.pdf"), "COMPARE": str(compare)},
                               QgsProcessingContext(), QgsProcessingFeedback())
    assert res["PAGES"] == plain["PAGES"] + 2  # 太原市 and 阳泉市 have changes
    pages = _layout_pages(Path(res["OUTPUT_PDF"]))
    assert len([p for p in pages if p.strip()]) == res["PAGES"]
    ty, yq = _page_of(pages, "太原市 · 方案比较"), _page_of(pages, "阳泉市 · 方案比较")
    assert ty == plain["PAGES"] + 1 and yq == ty + 1  # after the county pages, in the plan's city order
    taiyuan = pages[ty - 1]
    flat = re.sub(r"\s+", "", taiyuan)
    assert "热电联产供热半径20公里（基准15）" in flat and "本市新增2条、解除1条、措施变化0条" in flat
    assert "热电联产供热半径（公里）：15→20" in flat and "热电联产20公里供热半径：扩大628.3平方公里" in flat
    assert re.search(r"序号\s+编号\s+企业名称\s+县区\s+规则\s+变化\s+基准结论\s+比较结论", taiyuan)
    found = {ent: change for _seq, ent, change in
             re.findall(r"(?m)^.*?\s(\d+)\s+(E\d{3})\s+\S+\s+小店区\s+\S+\s+(新增|解除|措施变化)", taiyuan)}
    assert found == {"E001": "新增", "E002": "解除", "E003": "新增"}, found
    assert "措施变化" in re.sub(r"\s+", "", pages[yq - 1]) and "E112" in pages[yq - 1]
    # the changed enterprises' dots carry the table's numbers; the legend names the kinds of change
    labels = sorted(w[0] for w in _words(Path(res["OUTPUT_PDF"]), ty) if _in_map(w) and NUMBER.match(w[0]))
    assert labels == ["1", "2", "3"], labels
    assert "范围扩大（比较方案新覆盖）" in flat and "新增" in flat and "解除" in flat
    from bluesky_zoning.analysis.reports.labels import english_code_words

    assert english_code_words(pages[ty - 1:]) == []  # no setting or rule codes where people read
