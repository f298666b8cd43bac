"""The algorithms chained in a Graphical Modeler model, and run as a batch, the way power users do."""
from __future__ import annotations

import pyogrio
import pytest
from demo_fixture import build_demo_layers, ensure_provider


@pytest.fixture(scope="module")
def demo_layers(qgis_processing, tmp_path_factory):
    return build_demo_layers(tmp_path_factory.mktemp("bluesky_model"))


def _chain_model():
    """build_zones → flag_enterprises, the zones file passed from one child to the next."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelParameter,
        QgsProcessingParameterFile,
        QgsProcessingParameterMapLayer,
        QgsProcessingParameterVectorLayer,
    )

    model = QgsProcessingModelAlgorithm("蓝天管控链", "bluesky")
    for name, param in (("admin", QgsProcessingParameterVectorLayer("admin", "县界")),
                        ("builtup", QgsProcessingParameterMapLayer("builtup", "建成区")),
                        ("chp", QgsProcessingParameterVectorLayer("chp", "热电厂")),
                        ("boilers", QgsProcessingParameterVectorLayer("boilers", "锅炉")),
                        ("zones_dir", QgsProcessingParameterFile("zones_dir", "zones folder", QgsProcessingParameterFile.Folder)),
                        ("flags_dir", QgsProcessingParameterFile("flags_dir", "flags folder", QgsProcessingParameterFile.Folder))):
        model.addModelParameter(param, QgsProcessingModelParameter(name))
    src = QgsProcessingModelChildParameterSource
    zones = QgsProcessingModelChildAlgorithm("bluesky:build_zones")
    zones.setChildId("zones")
    zones.addParameterSources("ADMIN", [src.fromModelParameter("admin")])
    zones.addParameterSources("BUILTUP", [src.fromModelParameter("builtup")])
    zones.addParameterSources("CHP", [src.fromModelParameter("chp")])
    zones.addParameterSources("OUTPUT_DIR", [src.fromModelParameter("zones_dir")])
    model.addChildAlgorithm(zones)
    flags = QgsProcessingModelChildAlgorithm("bluesky:flag_enterprises")
    flags.setChildId("flags")
    flags.addParameterSources("ZONES", [src.fromChildOutput("zones", "ZONES")])
    flags.addParameterSources("ADMIN", [src.fromModelParameter("admin")])
    flags.addParameterSources("BOILERS", [src.fromModelParameter("boilers")])
    flags.addParameterSources("OUTPUT_DIR", [src.fromModelParameter("flags_dir")])
    model.addChildAlgorithm(flags)
    for child in (zones, flags):  # as the Modeler's dialog does: every other parameter keeps its default
        _fill_defaults(model.childAlgorithm(child.childId()))
    return model


def _fill_defaults(child) -> None:
    from qgis.core import QgsProcessingModelChildParameterSource

    for definition in child.algorithm().parameterDefinitions():
        if definition.name() not in child.parameterSources() and definition.defaultValue() is not None:
            child.addParameterSources(definition.name(),
                                      [QgsProcessingModelChildParameterSource.fromStaticValue(definition.defaultValue())])


def test_model_chains_build_zones_into_flag_enterprises(demo_layers, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    ensure_provider()
    model = _chain_model()
    ok, problems = model.validate()
    assert ok, problems
    (tmp_path / "z").mkdir()
    (tmp_path / "f").mkdir()
    params = {"admin": demo_layers.admin, "builtup": demo_layers.builtup, "chp": demo_layers.lists["chp"],
              "boilers": demo_layers.lists["boilers"], "zones_dir": str(tmp_path / "z"), "flags_dir": str(tmp_path / "f")}
    results, ok = model.run(params, QgsProcessingContext(), QgsProcessingFeedback())
    assert ok
    flags = pyogrio.read_dataframe(tmp_path / "f" / "flags.gpkg", layer="enterprise_flags", read_geometry=False)
    assert {"B-35", "B-BAN", "B-CHP"} <= set(flags["rule_id"])
    assert set(flags["layer"]) == {"boiler"}
    assert (tmp_path / "z" / "zones.gpkg").exists()


def test_import_list_as_a_batch(demo_layers, tmp_path):
    """The batch dialog runs one algorithm over rows of parameters; here: the three WGS84 lists at once."""
    import processing

    ensure_provider()
    rows = [(key, kind) for key, kind in (("mines", 1), ("plants", 2), ("chp", 3))]
    counts = {}
    for key, kind in rows:
        out = tmp_path / f"{key}.gpkg"
        processing.run("bluesky:import_list", {"INPUT": str(demo_layers.demo.lists[key]), "KIND": kind,
                                               "COORD_SYSTEM": 0, "OUTPUT": str(out)})
        counts[key] = pyogrio.read_info(out)["features"]
    assert counts == {"mines": 800, "plants": 1500, "chp": 40}
