"""save_project: a .qgz with inputs and results, styled, in groups, that reopens with valid layers."""
from __future__ import annotations

import pytest
from outputs_fixture import build_outputs_fixture


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    return build_outputs_fixture(tmp_path_factory.mktemp("fx"))


def test_project_reopens_with_valid_layers(qgis_app, fixture, tmp_path):
    from bluesky_zoning.layers.project import INPUT_GROUP, save_project
    from qgis.core import QgsProject

    out = save_project(tmp_path / "demo.qgz", {"县级行政区": f"{fixture.admin_gpkg}|layername=counties",
                                               "missing": str(tmp_path / "nope.shp")},
                       fixture.zones_gpkg, fixture.flags_gpkg)
    assert out.exists() and out.suffix == ".qgz"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.qgz"]
    before = QgsProject.instance().fileName()
    project = QgsProject()
    assert project.read(str(out))
    layers = list(project.mapLayers().values())
    assert layers and all(layer.isValid() for layer in layers)
    names = {layer.name() for layer in layers}
    assert "县级行政区" in names
    assert len(layers) >= 1 + 3 + 5  # input + flag layers + zone layers of the fixture
    root = project.layerTreeRoot()
    assert root.findGroup(INPUT_GROUP) is not None
    assert any(g.name() != INPUT_GROUP for g in root.children())
    verdicts = [lyr for lyr in layers if lyr.customProperty("bluesky_zoning/name") == "enterprise_verdicts"]
    assert verdicts and verdicts[0].renderer().type() in ("categorizedSymbol", "RuleRenderer")
    assert QgsProject.instance().fileName() == before  # the user's project is untouched
