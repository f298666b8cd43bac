"""A ready QGIS project (.qgz) with the inputs and every result layer, styled, in groups.

It is built in its own ``QgsProject`` — never the user's current one — and written to a temporary name
that is renamed when complete. Layer sources are stored relative to the project file where possible.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional, Union

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)

from ..analysis.common.atomic import atomic_path
from .result_group import add_result_group, load_result_layers

__all__ = ["INPUT_GROUP", "save_project", "input_layer", "project_file_name"]

PathLike = Union[str, os.PathLike]
INPUT_GROUP = "输入数据"
RESULT_GROUP = "蓝天管控分析结果"
_RASTER_SUFFIXES = (".tif", ".tiff", ".img", ".vrt", ".asc")
_ADMIN_WORDS = ("admin", "count", "行政", "县", "boundar")


def project_file_name(out_dir: str) -> str:
    """The project is named after the output folder: out/demo → demo.qgz."""
    stem = os.path.basename(os.path.normpath(out_dir)) or "bluesky"
    return f"{stem}.qgz"


def input_layer(name: str, source: str) -> Optional[QgsVectorLayer]:
    """A layer for one input source (raster by suffix, else OGR vector); None when it does not open."""
    path = source.split("|")[0]
    if path.lower().endswith(_RASTER_SUFFIXES):
        layer = QgsRasterLayer(source, name, "gdal")
    else:
        layer = QgsVectorLayer(source, name, "ogr")
    return layer if layer.isValid() else None


def _style_input(layer, name: str) -> None:
    if not isinstance(layer, QgsVectorLayer):
        return
    try:
        from .styling import apply_style

        if any(w in name.lower() for w in _ADMIN_WORDS):
            apply_style(layer, "admin")
    except Exception as exc:  # noqa: BLE001 - an unstyled input is still useful; the log says why
        from .user_errors import log_exception

        log_exception(exc, f"styling the input layer {name}")


def save_project(out_path: PathLike, layer_sources: Mapping[str, str], zones_gpkg: Optional[PathLike],
                 flags_gpkg: Optional[PathLike], title: str = "蓝天管控分区") -> Path:
    """Write a .qgz with the input layers (group 输入数据) and the styled results; return its path.

    ``layer_sources`` maps a display name to a data source (a file path or an OGR/GDAL URI such as
    ``/data/admin.gpkg|layername=counties``). Inputs that do not open are skipped.
    """
    out = Path(out_path)
    if out.suffix.lower() != ".qgz":
        out = out.with_suffix(".qgz")
    out.parent.mkdir(parents=True, exist_ok=True)
    project = QgsProject()
    project.setTitle(title)
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:4547"))
    project.writeEntryBool("Paths", "/Absolute", False)

    results = load_result_layers(str(zones_gpkg) if zones_gpkg else None, str(flags_gpkg) if flags_gpkg else None)
    add_result_group(results, project, title=RESULT_GROUP)

    root = project.layerTreeRoot()
    inputs = QgsLayerTreeGroup(INPUT_GROUP)
    for name, source in layer_sources.items():
        layer = input_layer(name, str(source))
        if layer is None:
            continue
        _style_input(layer, name)
        project.addMapLayer(layer, False)
        inputs.addLayer(layer)
    if inputs.children():
        root.addChildNode(inputs)

    with atomic_path(out) as tmp:  # the same folder: relative layer paths stay right after the rename
        project.setFileName(str(tmp))
        if not project.write(str(tmp)):
            raise RuntimeError(f"cannot write the project {out}: {project.error()}")
    return out
