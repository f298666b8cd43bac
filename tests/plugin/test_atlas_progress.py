"""The atlas with the monthly ledger, the per-city summary, the freight targets and a basemap: a two-month
ledger of the outputs fixture, the PDF read back with pdftotext and rendered with pdftoppm."""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyogrio
import pytest
from outputs_fixture import build_outputs_fixture
from qgis.PyQt.QtGui import QImage

YANGQUAN = "140302"  # 阳泉市 城区: 3 tasks in July; one done and two new (due 2020-08-31) in August
DONE_IDS = ["E111", "E002", "E003", "E004", "E005", "E006"]  # gone in August: 1 in 阳泉 城区, 5 in 小店区
CLOSE_CLASSES = {"close", "exit", "eliminate", "remove", "merge"}


@pytest.fixture(scope="module")
def months(qgis_app, tmp_path_factory):
    """The fixture's flags as July; August without DONE_IDS and with two new mines in 阳泉 城区; both months
    in a ledger GeoPackage; August's flags.gpkg (to_verify with cities) is the atlas's."""
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    fx = build_outputs_fixture(tmp_path_factory.mktemp("fx"))
    folder = tmp_path_factory.mktemp("aug")
    july = pd.DataFrame(pyogrio.read_dataframe(fx.flags_gpkg, layer="enterprise_flags", read_geometry=False))
    july = july.drop(columns="severity")  # the classes of measure then come from the rules file
    base = july[july["adcode"] == YANGQUAN].iloc[0]
    new = pd.DataFrame([{**base.to_dict(), "ent_id": f"E95{i}", "name": f"城区新增露天矿{i}号", "layer": "mine",
                         "rule_id": "M-OPEN", "action": "关闭", "clause": "三(四)15", "deadline": "2020-08-31"}
                        for i in (0, 1)])
    august = pd.concat([july[~july["ent_id"].isin(DONE_IDS)], new], ignore_index=True)
    flags = folder / "flags.gpkg"
    pyogrio.write_dataframe(august, flags, layer="enterprise_flags", driver="GPKG")
    verdicts = pyogrio.read_dataframe(fx.flags_gpkg, layer="enterprise_verdicts")
    pyogrio.write_dataframe(verdicts[~verdicts["ent_id"].isin(DONE_IDS)], flags, layer="enterprise_verdicts",
                            append=True)
    to_verify = pd.DataFrame({"ent_id": ["E900", "E901", "E902"], "layer": ["boiler", "mine", "boiler"],
                              "problem": ["额定蒸发量无法解析", "点位不在任何县级行政区内", "额定蒸发量为空"],
                              "county": ["小店区", None, "城区"], "city": ["太原市", None, "阳泉市"]})
    pyogrio.write_dataframe(to_verify, flags, layer="to_verify", append=True)
    store = open_ledger(folder / "ledger.gpkg")
    store.update_month(july, "2020-07")
    store.update_month(august, "2020-08")
    return SimpleNamespace(fx=fx, flags=flags, august=august, to_verify=to_verify, ledger=folder / "ledger.gpkg",
                           store=store, book=store.read())


def _pages(pdf: Path, layout: bool = False) -> list:
    """The text of each page: in the PDF's own order (each label's text together), or laid out as on the page
    (``layout``: a table row on one line)."""
    out = subprocess.run(["pdftotext"] + (["-layout"] if layout else []) + ["-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    return out.split("\f")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_of(pages: list, title: str) -> int:
    """1-based number of the page whose flattened text holds ``title``."""
    return next(i for i, p in enumerate(pages, start=1) if _flat(title) in _flat(p))


def _render(pdf: Path, page: int, dpi: int, out: Path) -> np.ndarray:
    """The page as an RGB array (pdftoppm)."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)
    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB888)
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def _crop(pixels: np.ndarray, rect_mm, dpi: int, inset_mm: float = 1.0) -> np.ndarray:
    x, y, w, h = (v / 25.4 * dpi for v in (rect_mm[0] + inset_mm, rect_mm[1] + inset_mm,
                                           rect_mm[2] - 2 * inset_mm, rect_mm[3] - 2 * inset_mm))
    return pixels[int(y): int(y + h), int(x): int(x + w)]


def _expected_city_rows(months) -> dict:
    """city → the overview row, counted here from the August flags, to_verify and the ledger's progress."""
    from bluesky_zoning.analysis.plan.rules import load_rules
    from bluesky_zoning.analysis.reports.meeting import CITY_ORDER

    classes = {r.id: r.action_class for r in load_rules().rules}
    aug = months.august.assign(cls=months.august["rule_id"].map(classes))
    progress = months.book.progress[months.book.progress["month"] == "2020-08"]
    out = {}
    for city in CITY_ORDER:
        part = aug[aug["city"] == city]
        prog = progress[progress["city"] == city]
        out[city] = [part[["layer", "ent_id"]].drop_duplicates().shape[0], int(part["cls"].isin(CLOSE_CLASSES).sum()),
                     int((part["cls"] == "retrofit").sum()), int(part["cls"].isin(["rectify", "build"]).sum()),
                     int((months.to_verify["city"] == city).sum()),
                     int(prog["done"].sum()), int(prog["new"].sum()), int(prog["overdue"].sum())]
    return out


def test_atlas_shows_the_ledger_the_city_summary_and_the_freight_targets(months, tmp_path):
    from bluesky_zoning.analysis.reports.labels import english_code_words
    from bluesky_zoning.layers.atlas.export import county_page_counts, export_atlas
    from bluesky_zoning.layers.atlas.layout import CHART_RECT

    before = set(Path(tempfile.gettempdir()).glob("bluesky-atlas-*"))
    out = tmp_path / "图集.pdf"
    result = export_atlas(months.fx.zones_gpkg, months.flags, months.fx.admin_gpkg, out, ["示例说明"],
                          ledger=months.store)
    assert result.month == "2020-08"
    # the charts' folder is gone (others' exports may come and go meanwhile)
    assert not set(Path(tempfile.gettempdir()).glob("bluesky-atlas-*")) - before
    counts = county_page_counts(months.august, months.fx.counties, progress=True)
    assert result.pages == 1 + sum(counts.values())
    pages = _pages(out)
    assert len([p for p in pages if p.strip()]) == result.pages

    # the county line, by the ledger: 阳泉 城区 had 3 tasks, one done, two new ones already due
    yq = _page_of(pages, "阳泉市 · 城区")
    assert "台账2020-08：本月销号1项，新增2项，逾期2项（未完成4项）" in _flat(pages[yq - 1])
    assert "台账2020-08：本县无任务" in _flat(pages[_page_of(pages, "晋中市 · 平遥县") - 1])
    assert "台账2020-08：本月销号0项，新增0项，逾期0项（未完成2项）" in _flat(pages[_page_of(pages, "晋城市 · 城区") - 1])
    # the province line on the overview: the ledger's own month totals
    total = months.book.months.set_index("month").loc["2020-08"]
    assert (total["done"], total["new"]) == (6, 2)
    overview = pages[0]
    assert (f"台账2020-08：全省本月销号{total['done']}项，新增{total['new']}项，逾期{total['overdue']}项"
            f"（未完成{total['open']}项）") in _flat(overview)

    # the per-city summary: one row per city, the numbers the flags and the ledger give
    overview = _pages(out, layout=True)[0]
    expected = _expected_city_rows(months)
    for city, numbers in expected.items():
        found = re.search(re.escape(city) + r"\s+" + r"\s+".join([r"(\d+)"] * 8), overview)
        assert found, f"no summary row for {city}"
        assert [int(g) for g in found.groups()] == numbers, city
    assert expected["阳泉市"][5:] == [1, 2, 2] and expected["太原市"][4] == 1
    found = re.search(r"全省合计" + r"\s+(\d+)" * 8, overview)
    assert [int(g) for g in found.groups()][:5] == [sum(v[i] for v in expected.values()) for i in range(4)] + [3]
    assert "本页无命中企业" not in overview

    # 三(三)11 on the city pages
    assert "三(三)11：2020年铁路货运量较2017年增加1500万吨（全省增加2亿吨）" in _flat(pages[_page_of(pages, "太原市 · 小店区") - 1])
    assert "增加100万吨（全省增加2亿吨）" in _flat(pages[yq - 1])
    assert "2020年全省铁路货运量较2017年增加2亿吨" in _flat(pages[0])
    assert english_code_words(pages) == []  # Chinese for people: no status or class codes

    # the chart: a picture in its rectangle on the county page (the current month's bar dark blue), none where the
    # county has no task
    dpi = 80
    chart = _crop(_render(out, yq, dpi, tmp_path / "yq.png"), CHART_RECT, dpi)
    assert (chart.min(axis=2) < 235).mean() > 0.02  # not blank
    dark_blue = (np.abs(chart.astype(int) - [31, 78, 121]).max(axis=2) < 40).sum()
    assert dark_blue > 30, dark_blue
    empty = _crop(_render(out, _page_of(pages, "晋中市 · 平遥县"), dpi, tmp_path / "py.png"), CHART_RECT, dpi)
    assert (empty.min(axis=2) < 235).mean() < 0.001
    # drawn on the page, not pasted as a picture: its words are the PDF's text, and the PDF holds no image
    assert "未完成任务数（项）" in _flat(pages[yq - 1]) and "2020-08" in _flat(pages[yq - 1])
    assert "未完成任务数（项）" not in _flat(pages[_page_of(pages, "晋中市 · 平遥县") - 1])
    listed = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True).stdout
    assert len(listed.strip().splitlines()) == 2, listed  # the listing's two header lines only


def test_overview_numbers_equal_the_workbook(months, tmp_path):
    """The atlas's per-city numbers and the workbook's 分市统计 are one count."""
    from bluesky_zoning.analysis.reports.meeting import city_summary
    from bluesky_zoning.layers.workbook.writer import write_summary_workbook
    from openpyxl import load_workbook

    path = write_summary_workbook(months.flags, tmp_path / "summary.xlsx")
    sheet = load_workbook(path)["分市统计"]
    header = [c.value for c in sheet[1]]
    book = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    flags = pd.DataFrame(pyogrio.read_dataframe(months.flags, layer="enterprise_flags", read_geometry=False))
    summary = city_summary(flags, months.to_verify).set_index("city")
    compared = 0
    for city, row in book.items():
        if city not in summary.index:
            continue
        mine = summary.loc[city]
        assert mine["enterprises"] == row["涉及企业数"], city
        assert mine["close"] == row["关停/淘汰/退出/清理"] + row["关停整合"], city
        assert mine["retrofit"] == row["改造"] and mine["rectify"] == row["整治/建设"], city
        compared += 1
    assert compared >= 3


def test_print_atlas_takes_a_ledger_and_a_month(qgis_processing, months, tmp_path):
    from bluesky_zoning.provider.algorithms.print_atlas import PrintAtlasAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    params = {"ZONES_GPKG": str(months.fx.zones_gpkg), "FLAGS_GPKG": str(months.flags),
              "ADMIN": str(months.fx.admin_gpkg), "OUTPUT_PDF": str(tmp_path / "atlas.pdf"), "PER_COUNTY": False,
              "LEDGER": str(months.ledger), "MONTH": "2020-07"}
    alg = PrintAtlasAlgorithm().create()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    ok, msg = alg.checkParameterValues(params, context)
    assert ok, msg
    res = alg.processAlgorithm(params, context, feedback)
    pages = _pages(Path(res["OUTPUT_PDF"]))
    # July: every task new, none done yet
    assert "台账2020-07：本月销号0项，新增3项，逾期0项（未完成3项）" in _flat(pages[_page_of(pages, "阳泉市 · 城区") - 1])
    with pytest.raises(QgsProcessingException, match="没有 2020-09 的更新"):
        alg.processAlgorithm({**params, "MONTH": "2020-09", "OUTPUT_PDF": str(tmp_path / "x.pdf")},
                             QgsProcessingContext(), QgsProcessingFeedback())
    assert not (tmp_path / "x.pdf").exists()


def _geotiff(path: Path) -> Path:
    """A local basemap over Shanxi and around it (WGS84): a blue that no atlas symbol uses, with a grid."""
    from osgeo import gdal, osr

    w, h = 500, 750
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(str(path), w, h, 3, gdal.GDT_Byte)
    ds.SetGeoTransform((108.0, 9.0 / w, 0, 42.5, 0, -9.5 / h))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds.SetProjection(srs.ExportToWkt())
    grid = np.zeros((h, w), dtype=bool)
    grid[::50, :] = grid[:, ::50] = True
    for band, value in zip((1, 2, 3), (30, 120, 200)):
        data = np.full((h, w), value, dtype=np.uint8)
        data[grid] = 255
        ds.GetRasterBand(band).WriteArray(data)
    ds.FlushCache()
    ds = None
    return path


def _bluish(pixels: np.ndarray) -> float:
    rgb = pixels.astype(int)
    return float(((rgb[..., 2] - rgb[..., 0] > 50) & (rgb[..., 2] > 150)).mean())


def test_basemap_under_every_map_offline(months, tmp_path):
    from bluesky_zoning.layers.atlas.export import export_atlas
    from qgis.core import QgsNetworkAccessManager, QgsRasterLayer

    requests = []
    QgsNetworkAccessManager.instance().requestAboutToBeCreated.connect(lambda *a: requests.append(a))
    layer = QgsRasterLayer(str(_geotiff(tmp_path / "底图.tif")), "本地影像底图")
    assert layer.isValid()
    plain, based = tmp_path / "plain.pdf", tmp_path / "based.pdf"
    export_atlas(months.fx.zones_gpkg, months.flags, months.fx.admin_gpkg, plain, ["示例说明"])
    result = export_atlas(months.fx.zones_gpkg, months.flags, months.fx.admin_gpkg, based, ["示例说明"],
                          basemap=layer)
    assert result is not None and based.exists()
    assert requests == []  # nothing was fetched
    assert layer.isValid() and layer.name() == "本地影像底图"  # the analyst's layer is untouched
    map_rect, dpi = (10.0, 27.0, 250.0, 180.0), 40
    pages = _pages(based)
    for page in (1, _page_of(pages, "阳泉市 · 城区")):
        without = _crop(_render(plain, page, dpi, tmp_path / f"p{page}.png"), map_rect, dpi)
        with_map = _crop(_render(based, page, dpi, tmp_path / f"b{page}.png"), map_rect, dpi)
        assert _bluish(without) < 0.05 and _bluish(with_map) > 0.3, (page, _bluish(without), _bluish(with_map))
        assert "底图：本地影像底图" in _flat(pages[page - 1])
    assert "底图" not in _flat("".join(_pages(plain)))  # no credit without a basemap


def test_tianditu_layers_and_the_key_written_nowhere(qgis_processing):
    from bluesky_zoning.layers.atlas.export import tianditu_layers
    from bluesky_zoning.layers.atlas.map_layers import basemap_credit
    from bluesky_zoning.provider.algorithms.print_atlas import PrintAtlasAlgorithm
    from qgis.core import QgsProcessingContext

    key = "0123abcdSECRETKEY"
    vec, cva = tianditu_layers(key)
    assert vec.providerType() == "wms" and vec.name() == cva.name() == "天地图"
    for layer, tiles in ((vec, "vec_w"), (cva, "cva_w")):
        assert "type=xyz" in layer.source() and f"T%3D{tiles}" in layer.source() and key in layer.source()
    assert basemap_credit([cva, vec]) == "底图：天地图"
    alg = PrintAtlasAlgorithm().create()
    context = QgsProcessingContext()
    command = alg.asPythonCommand({"ZONES_GPKG": "z.gpkg", "FLAGS_GPKG": "f.gpkg", "ADMIN": "a.gpkg",
                                   "OUTPUT_PDF": "o.pdf", "TIANDITU_KEY": key}, context)
    assert key not in command and "'TIANDITU_KEY':'***'" in command.replace(" ", "")
    assert alg.parameterDefinition("TIANDITU_KEY").clone().valueAsPythonString(key, context) == "'***'"


def test_county_and_overview_subtitles_say_the_rural_clean_heating_coverage(months, tmp_path):
    """三(二)7: a run with villages writes rural_heating into flags.gpkg; the county page and the overview say the
    coverage against 60 % (a county without villages says nothing of it)."""
    import shutil

    from bluesky_zoning.analysis.inputs.villages import RURAL_COLUMNS, RURAL_LAYER
    from bluesky_zoning.layers.atlas.export import export_atlas

    flags = tmp_path / "flags.gpkg"
    shutil.copy(months.flags, flags)
    rural = pd.DataFrame([["county", "阳泉市", "城区", YANGQUAN, 2, 1500, 800, 53.3, 60.0, 0, 0],
                          ["city", "阳泉市", "", "", 2, 1500, 800, 53.3, 60.0, 0, 0],
                          ["province", "", "", "", 2, 1500, 800, 53.3, 60.0, 0, 0]], columns=RURAL_COLUMNS)
    pyogrio.write_dataframe(rural, flags, layer=RURAL_LAYER, append=True)
    out = tmp_path / "图集.pdf"
    export_atlas(months.fx.zones_gpkg, flags, months.fx.admin_gpkg, out, ["示例说明"])
    pages = _pages(out)
    line = "农村清洁取暖覆盖率53.3%（目标60%，未达标）"
    assert line in _flat(pages[_page_of(pages, "阳泉市 · 城区") - 1])
    assert line in _flat(pages[0])  # the province, on the overview
    assert "农村清洁取暖" not in _flat(pages[_page_of(pages, "晋中市 · 平遥县") - 1])
