"""Shared set-up of the plugin workflow tests: the Shanxi demo data, its lists imported as point layers
through bluesky:import_list, and the `bluesky` provider registered."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from qgis.core import QgsApplication

KIND_OF = {"boilers": 0, "mines": 1, "plants": 2, "chp": 3, "villages": 4}  # bluesky:import_list's KIND options
SYSTEM_INDEX = {"WGS84": 0, "CGCS2000": 1, "GCJ02": 2, "BD09": 3}


@dataclass
class DemoLayers:
    demo: object
    admin: str  # OGR uri of the counties layer
    builtup: str  # raster path
    lists: Dict[str, str]  # key (boilers, mines, plants, chp) -> imported gpkg path


_PROVIDERS: list = []  # Python providers must stay referenced from Python


def ensure_provider():
    from bluesky_zoning.provider.provider import BlueSkyProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("bluesky") is None:
        provider = BlueSkyProvider()
        _PROVIDERS.append(provider)
        registry.addProvider(provider)
    return registry.providerById("bluesky")


def build_demo_layers(folder: Path) -> DemoLayers:
    import processing
    from bluesky_zoning.demo.data import ensure_demo_data

    ensure_provider()
    demo = ensure_demo_data(folder / "demo")
    lists = {}
    for key, path in {**demo.lists, "villages": demo.villages}.items():
        out = folder / f"{key}.gpkg"
        processing.run("bluesky:import_list", {
            "INPUT": str(path), "KIND": KIND_OF[key], "LON_FIELD": "", "LAT_FIELD": "",
            "COORD_SYSTEM": SYSTEM_INDEX[demo.coord_systems.get(key, "WGS84")], "OUTPUT": str(out),
        })
        lists[key] = str(out)
    return DemoLayers(demo, f"{demo.admin_gpkg}|layername=counties", str(demo.builtup_tif), lists)
