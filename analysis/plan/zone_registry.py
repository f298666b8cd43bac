"""The zone registry: one definition per zone of the plan (RULES.md §1).

Each :class:`ZoneDef` says everything the code needs to know about a zone: its id (rules refer to it), the layer
it is written to, its Chinese and English titles (with the parameters it was built with filled in), the builder
in :mod:`.zones`, how the engine decides membership, the parameters it uses, its map style and the step label
shown while it is built. The builders, the engine, the styles, the result group, the county packages, the atlas
legend and the workbook all read it; a new zone is one entry here plus its builder.

Ids carry no parameter values (``Z-CHP``, not ``Z-CHP15``); the old ids are still accepted in rule files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple

from ..schema.params import format_value

# How the engine decides whether a point is in the zone.
COUNTY = "county"            # the point's county is a member (by adcode)
KEY_CITY = "key_city"        # the point's city belongs to a key-city group
PLANT_RADIUS = "plant_radius"  # within a plant's radius (geodesic), nearest plant and distance kept
AREA = "area"                # the point lies in one of the zone's polygons
MEMBERSHIPS = (COUNTY, KEY_CITY, PLANT_RADIUS, AREA)
ALL = "ALL"  # a rule's zone id meaning everywhere


@dataclass(frozen=True)
class ZoneDef:
    """One zone. ``title`` and ``title_en`` may hold ``{param}`` placeholders of the zone's ``params``."""

    id: str
    layer: str
    title: str
    title_en: str
    builder: str  # the name of the builder function in analysis/zones/builders.py, called as builder(ZoneInputs)
    membership: str
    params: Tuple[str, ...]
    # fill RGBA, outline RGB, outline style, brush style, outline width in mm (layers/styling.py): only the coal-ban
    # zone is filled (lightly); the others cover whole counties, rings or the built-up areas again and are outlines,
    # so a county map stays legible where several overlap. The three rings around towns and plants (CHP radius,
    # mine ring, planning area) cross each other everywhere: they differ in colour, pattern and width at once
    # (orange thin dashes, charcoal wide dash-dots, teal dots), so each is told apart even in grey print.
    # min_scale: a ring a few km around each town draws on the dock's map only from 1:min_scale in
    style: Mapping[str, str]
    step: str  # the progress label while it is built
    phrase: str  # how a rule sentence names it ("禁煤区" + 内/以外), may hold {param}
    shown: bool = True  # checked in a new result group
    old_ids: Tuple[str, ...] = field(default=())

    def title_for(self, params: Optional[Mapping[str, float]] = None) -> str:
        """The Chinese title with the parameter values the zone was built with."""
        return _fill(self.title, self.params, params)

    def title_en_for(self, params: Optional[Mapping[str, float]] = None) -> str:
        return _fill(self.title_en, self.params, params)

    def phrase_for(self, params: Optional[Mapping[str, float]] = None) -> str:
        return _fill(self.phrase, self.params, params)


def _fill(template: str, names: Tuple[str, ...], params: Optional[Mapping[str, float]]) -> str:
    if not names:
        return template
    if params is None or any(n not in params for n in names):
        from ..schema.params import param_default

        params = {**{n: param_default(n) for n in names}, **dict(params or {})}
    return template.format(**{n: format_value(params[n]) for n in names})


ZONES: Tuple[ZoneDef, ...] = (
    ZoneDef("Z-BAN", "coal_ban_zone", "禁煤区（建成区）", "Coal-ban zone (built-up areas)", "coal_ban_zone_layer",
            AREA, ("fringe_km",),
            {"color": "227,26,28,38", "outline_color": "177,0,38", "outline_style": "solid", "style": "solid",
             "outline_width": "0.4"},
            "构建禁煤区…", "禁煤区"),
    ZoneDef("Z-1P30", "region_1p30", "“1+30”区域", "The 1+30 region", "region_1p30_layer", COUNTY, (),
            {"color": "0,0,0,0", "outline_color": "106,61,154", "outline_style": "dash", "style": "no",
             "outline_width": "0.6"},
            "构建“1+30”区域…", "“1+30”区域", shown=False),
    ZoneDef("Z-KEY", "key_city_groups", "重点城市分组", "Key-city groups", "key_city_groups_layer", KEY_CITY, (),
            {"color": "0,0,0,0", "outline_color": "204,153,0", "outline_style": "dash", "style": "no",
             "outline_width": "0.6"},
            "构建重点城市分组…", "重点城市8市（京津冀及周边、汾渭平原）", shown=False, old_ids=("Z-KEY8",)),
    ZoneDef("Z-NORTH", "north_coal_zero", "北部平原散煤清零区", "Northern plain coal-zero districts",
            "north_coal_zero_layer", COUNTY, (),
            {"color": "0,0,0,0", "outline_color": "31,120,180", "outline_style": "solid", "style": "no",
             "outline_width": "0.6"},
            "构建北部平原散煤清零区…", "北部平原散煤清零区"),
    ZoneDef("Z-CLUSTER", "cluster_counties", "产业集群综合整治县", "Industrial-cluster counties to rectify",
            "cluster_counties_layer", COUNTY, (),
            {"color": "0,0,0,0", "outline_color": "231,41,138", "outline_style": "solid", "style": "no",
             "outline_width": "0.6"},
            "构建产业集群综合整治县…", "产业集群综合整治县"),
    ZoneDef("Z-CHP", "chp_heating_radius", "热电联产{chp_radius_km}公里供热半径",
            "CHP heating radius ({chp_radius_km} km)", "chp_heating_radius_layer", PLANT_RADIUS,
            ("chp_radius_km", "chp_min_mw"),
            {"color": "0,0,0,0", "outline_color": "255,127,0", "outline_style": "dash", "style": "no",
             "outline_width": "0.5"},
            "构建热电联产供热半径…", "热电联产供热半径{chp_radius_km}公里", old_ids=("Z-CHP15",)),
    ZoneDef("Z-MINE", "mine_closure_zone", "露天矿山关闭区（设区市建成区及周边{mine_ring_km}公里）",
            "Open-pit mine closure zone (prefecture built-up areas and {mine_ring_km} km around)",
            "mine_closure_zone_layer", AREA, ("mine_ring_km",),
            {"color": "0,0,0,0", "outline_color": "51,51,51", "outline_style": "dash dot", "style": "no",
             "outline_width": "0.9", "min_scale": "1500000"},
            "构建露天矿山关闭区…", "设区市建成区及周边{mine_ring_km}公里"),
    ZoneDef("Z-PLAN", "planning_area", "城市规划区", "City planning areas", "planning_area_layer", AREA,
            ("planning_ring_km",),
            {"color": "0,0,0,0", "outline_color": "1,133,113", "outline_style": "dot", "style": "no",
             "outline_width": "0.7", "min_scale": "1500000"},
            "构建城市规划区…", "设区市规划区"),
)

ZONE_IDS: Tuple[str, ...] = tuple(z.id for z in ZONES)
ZONE_LAYERS: Tuple[str, ...] = tuple(z.layer for z in ZONES)
_BY_ID: Dict[str, ZoneDef] = {**{old: z for z in ZONES for old in z.old_ids}, **{z.id: z for z in ZONES}}
_BY_LAYER: Dict[str, ZoneDef] = {z.layer: z for z in ZONES}
#: every id a rule file may name (the old ones included)
ACCEPTED_ZONE_IDS: Tuple[str, ...] = tuple(_BY_ID) + (ALL,)


def zone_by_id(zone_id: str) -> ZoneDef:
    """The zone of an id, old ids (Z-CHP15, Z-KEY8) included; KeyError for an unknown one."""
    return _BY_ID[zone_id]


def zone_by_layer(layer: str) -> ZoneDef:
    """The zone written to this layer of zones.gpkg; KeyError for an unknown one."""
    return _BY_LAYER[layer]


def canonical_zone_id(zone_id: str) -> str:
    """'Z-CHP15' → 'Z-CHP'; 'ALL' and current ids unchanged; an unknown id is returned as it is."""
    zone = _BY_ID.get(zone_id)
    return zone.id if zone is not None else zone_id


def zone_params(zone_ids=None) -> Tuple[str, ...]:
    """The parameters the zones use (all zones when ``zone_ids`` is None), in registry order."""
    names: Dict[str, None] = {}
    for zone in ZONES:
        if zone_ids is None or zone.id in zone_ids:
            names.update(dict.fromkeys(zone.params))
    return tuple(names)


def zone_titles(params: Optional[Mapping[str, float]] = None) -> Dict[str, str]:
    """{layer: Chinese title} with the parameter values of the zones (the shipped defaults when not given)."""
    return {z.layer: z.title_for(params) for z in ZONES}
