"""The three output algorithms run through Processing (context, feedback) and fail with clear messages."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from outputs_fixture import build_outputs_fixture


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def _run(alg, params):
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    alg = alg.create()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    ok, msg = alg.checkParameterValues(params, context)
    assert ok, msg
    return alg.processAlgorithm(params, context, feedback)


def test_algorithms(qgis_processing, fixture, tmp_path):
    from bluesky_zoning.provider.algorithms.export_packages import ExportCountyPackagesAlgorithm
    from bluesky_zoning.provider.algorithms.print_atlas import PrintAtlasAlgorithm
    from bluesky_zoning.provider.algorithms.summary_workbook import SummaryWorkbookAlgorithm

    assert ExportCountyPackagesAlgorithm().name() == "export_county_packages"
    assert PrintAtlasAlgorithm().name() == "print_atlas"
    assert SummaryWorkbookAlgorithm().name() == "summary_workbook"

    res = _run(SummaryWorkbookAlgorithm(), {"FLAGS_GPKG": str(fixture.flags_gpkg),
                                            "OUTPUT_XLSX": str(tmp_path / "summary.xlsx")})
    assert Path(res["OUTPUT_XLSX"]).exists()

    res = _run(PrintAtlasAlgorithm(), {"ZONES_GPKG": str(fixture.zones_gpkg), "FLAGS_GPKG": str(fixture.flags_gpkg),
                                       "ADMIN": str(fixture.admin_gpkg), "OUTPUT_PDF": str(tmp_path / "atlas.pdf"),
                                       "PER_COUNTY": False})
    assert Path(res["OUTPUT_PDF"]).exists() and res["PAGES"] >= 5


def test_export_algorithm_gbk_and_errors(qgis_processing, fixture, tmp_path):
    # the zones file of the fixture has no counties layer: put one in, as the admin source
    import pyogrio
    from bluesky_zoning.provider.algorithms.export_packages import ExportCountyPackagesAlgorithm
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback
    zones = tmp_path / "zones.gpkg"
    for name in [r[0] for r in pyogrio.list_layers(fixture.zones_gpkg)]:
        pyogrio.write_dataframe(pyogrio.read_dataframe(fixture.zones_gpkg, layer=name), zones, layer=name,
                                append=zones.exists())
    pyogrio.write_dataframe(fixture.counties, zones, layer="counties", append=True)
    res = _run(ExportCountyPackagesAlgorithm(), {"ZONES_GPKG": str(zones), "FLAGS_GPKG": str(fixture.flags_gpkg),
                                                 "ENCODING": 1, "OUTPUT_DIR": str(tmp_path / "pkg")})
    assert res["PACKAGE_COUNT"] == 4
    z = zipfile.ZipFile(tmp_path / "pkg" / "140105_小店区.zip")
    assert z.read("enterprise_flags.cpg") == b"GBK"

    alg = ExportCountyPackagesAlgorithm().create()
    with pytest.raises(QgsProcessingException, match="does not exist"):
        alg.processAlgorithm({"ZONES_GPKG": str(tmp_path / "none.gpkg"), "FLAGS_GPKG": str(fixture.flags_gpkg),
                              "ENCODING": 0, "OUTPUT_DIR": str(tmp_path / "x")},
                             QgsProcessingContext(), QgsProcessingFeedback())
