"""The result group of a run: "蓝天管控分析 <yyyy-mm-dd HH:MM>" in the layer tree.

Every layer is loaded and styled first, off the tree; only then is the whole group inserted at the
top of the tree in one step, so nothing half-made appears, and the previous result group stays until
the new one is complete (it is then hidden, or removed when asked).
"""
from __future__ import annotations

import datetime as _dt
import os
from typing import Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsLayerTreeGroup, QgsMapLayer, QgsProject, QgsVectorLayer

from ..analysis.inputs.villages import RURAL_LAYER
from ..analysis.plan.zone_registry import ZONES, zone_titles
from ..analysis.reports.result_files import zone_titles_of
from .convert import gpkg_layer, gpkg_layer_names
from .county_choropleth import CHOROPLETH_NAME, flagged_enterprises_layer
from .county_outline import OUTLINE_NAME, county_outline_layer
from .styling import STYLE_NAMES, ZONE_LAYERS, apply_style, set_scale_range

GROUP_PREFIX = "蓝天管控分析"
GROUP_PROPERTY = "bluesky_zoning/result_group"

#: Order of the layers inside the group, top first: the 需核实 marks beside the verdict points, the county boundaries
#: (the county in question highlighted above the zones: layers/county_outline.py), then the zones, outlines above the
#: filled coal-ban zone, whole-county zones, and at the bottom the county choropleth, which draws only zoomed out
#: (layers/county_choropleth.py), where the points do not.
FLAG_LAYERS: Tuple[str, ...] = ("to_verify", "enterprise_verdicts", "enterprise_flags", RURAL_LAYER)
ZONE_ORDER: Tuple[str, ...] = ("planning_area", "chp_heating_radius", "mine_closure_zone", "coal_ban_zone",
                               "cluster_counties", "north_coal_zero", "region_1p30", "key_city_groups")
LAYER_TITLES: Dict[str, str] = {
    "enterprise_verdicts": "企业处置结论",
    "enterprise_flags": "企业命中规则明细",
    "to_verify": "需核实",
    RURAL_LAYER: "农村清洁取暖覆盖率（三(二)7，目标60%）",  # a table, no geometry
    **zone_titles(),  # one name per zone everywhere (analysis/plan/zone_registry.py)
}
#: Layers shown unchecked in a new group (detail rows duplicate the verdict points; the 1+30 region and the key-city
#: groups cover whole cities).
HIDDEN_BY_DEFAULT = ("enterprise_flags",) + tuple(z.layer for z in ZONES if not z.shown)


def group_title(when: Optional[_dt.datetime] = None) -> str:
    """"蓝天管控分析 2026-11-28 14:05"."""
    return f"{GROUP_PREFIX} {(when or _dt.datetime.now()).strftime('%Y-%m-%d %H:%M')}"


def load_result_layers(zones_gpkg: Optional[str], flags_gpkg: Optional[str],
                       admin_gpkg: Optional[str] = None) -> List[Tuple[str, QgsVectorLayer]]:
    """(contract name, styled layer) of every layer of zones.gpkg and flags.gpkg, flags first; with the run's
    admin.gpkg (by default the one beside flags.gpkg) the county boundaries above the zones and the county
    choropleth of flagged enterprises at the bottom."""
    out: List[Tuple[str, QgsVectorLayer]] = []
    # the zones' titles carry the parameters they were built with ("热电联产20公里供热半径")
    titles = {**LAYER_TITLES, **(zone_titles_of(zones_gpkg) if zones_gpkg and os.path.exists(zones_gpkg) else {})}
    for path, order in ((flags_gpkg, FLAG_LAYERS), (zones_gpkg, tuple(dict.fromkeys(ZONE_ORDER + ZONE_LAYERS)))):
        if not path or not os.path.exists(path):
            continue
        present = list(gpkg_layer_names(path))
        for name in [n for n in order if n in present] + [n for n in present if n not in order]:
            layer = gpkg_layer(path, name, titles.get(name, name))
            if not layer.isValid():
                continue
            if name in STYLE_NAMES:
                apply_style(layer, name)
                set_scale_range(layer, name)
            layer.setCustomProperty("bluesky_zoning/name", name)
            out.append((name, layer))
    admin_gpkg = admin_gpkg or (os.path.join(os.path.dirname(flags_gpkg), ADMIN_FILE) if flags_gpkg else None)
    if admin_gpkg and os.path.exists(admin_gpkg):
        _add_county_layers(out, admin_gpkg, flags_gpkg)
    return out


ADMIN_FILE = "admin.gpkg"  # analysis/pipeline.write_results writes it beside flags.gpkg


def _add_county_layers(out: List[Tuple[str, QgsVectorLayer]], admin_gpkg: str, flags_gpkg: Optional[str]) -> None:
    """The county boundaries right below the flag layers, the choropleth last (the bottom of the group)."""
    outline = county_outline_layer(admin_gpkg)
    if outline.isValid():
        at = max((i + 1 for i, (name, _) in enumerate(out) if name in FLAG_LAYERS), default=0)
        out.insert(at, (OUTLINE_NAME, outline))
    if flags_gpkg and os.path.exists(flags_gpkg) and "enterprise_flags" in gpkg_layer_names(flags_gpkg):
        import pyogrio

        flags = pyogrio.read_dataframe(flags_gpkg, layer="enterprise_flags", read_geometry=False,
                                       columns=["ent_id", "layer", "rule_id", "county", "city", "adcode"])
        out.append((CHOROPLETH_NAME, flagged_enterprises_layer(admin_gpkg, flags)))


def add_result_group(
    layers: Sequence[Tuple[str, QgsMapLayer]],
    project: Optional[QgsProject] = None,
    title: Optional[str] = None,
    replace_previous: bool = False,
) -> QgsLayerTreeGroup:
    """Insert one group holding `layers` (already styled) at the top of the layer tree.

    The layers join the project without a tree node, the group is assembled detached and then
    inserted whole. Older result groups are hidden (or removed with `replace_previous`) afterwards.
    """
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    previous = result_groups(project)
    group = QgsLayerTreeGroup(title or group_title())
    group.setCustomProperty(GROUP_PROPERTY, True)
    project.addMapLayers([layer for _, layer in layers], False)
    for name, layer in layers:
        node = group.addLayer(layer)
        if name in HIDDEN_BY_DEFAULT:
            node.setItemVisibilityChecked(False)
    root.insertChildNode(0, group)
    for old in previous:
        if replace_previous:
            remove_group(old, project)
        else:
            old.setItemVisibilityChecked(False)
            old.setExpanded(False)
    return root.findGroup(group.name()) or group


def add_results_from_gpkg(
    zones_gpkg: Optional[str], flags_gpkg: Optional[str], project: Optional[QgsProject] = None,
    title: Optional[str] = None, replace_previous: bool = False, admin_gpkg: Optional[str] = None,
) -> QgsLayerTreeGroup:
    """Load, style and add the layers of a run's zones.gpkg and flags.gpkg (and its admin.gpkg: county boundaries
    and choropleth) as one result group."""
    layers = load_result_layers(zones_gpkg, flags_gpkg, admin_gpkg)
    return add_result_group(layers, project, title, replace_previous)


def result_groups(project: Optional[QgsProject] = None) -> List[QgsLayerTreeGroup]:
    """The result groups of earlier runs, newest (top) first."""
    project = project or QgsProject.instance()
    groups = []
    for child in project.layerTreeRoot().children():
        if isinstance(child, QgsLayerTreeGroup) and (
            child.customProperty(GROUP_PROPERTY) or child.name().startswith(GROUP_PREFIX)
        ):
            groups.append(child)
    return groups


def group_layers(group: QgsLayerTreeGroup) -> Dict[str, QgsMapLayer]:
    """Contract name -> layer of a result group."""
    out = {}
    for node in group.findLayers():
        layer = node.layer()
        if layer is not None:
            out[str(layer.customProperty("bluesky_zoning/name", layer.name()))] = layer
    return out


def newest_result_layer(name: str, project: Optional[QgsProject] = None) -> Optional[QgsMapLayer]:
    """The layer ``name`` (its contract name, e.g. county_outline) of the newest result group holding one."""
    for group in result_groups(project):
        layer = group_layers(group).get(name)
        if layer is not None:
            return layer
    return None


def remove_group(group: QgsLayerTreeGroup, project: Optional[QgsProject] = None) -> None:
    """Remove a group and the layers it holds (layers also used elsewhere in the tree are kept)."""
    project = project or QgsProject.instance()
    root = project.layerTreeRoot()
    ids = [node.layerId() for node in group.findLayers()]
    parent = group.parent() or root
    parent.removeChildNode(group)
    still_used = {node.layerId() for node in root.findLayers()}
    project.removeMapLayers([i for i in ids if i not in still_used])
