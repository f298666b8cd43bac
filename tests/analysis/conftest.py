"""A tiny hand-made Shanxi: nine square 'counties' with real names and adcodes, built-up squares, CHP plants.

Counties are 0.5° squares on a grid with 0.05° gaps between them, so a point in a gap lies outside
every county. Real geography does not matter here; names, adcodes and distances do.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Dict, List, Tuple

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

GEOD = Geod(ellps="WGS84")
SIZE, STEP, LON0, LAT0 = 0.5, 0.55, 111.0, 36.0

# (county, city, adcode): grid positions in reading order.
COUNTIES: List[Tuple[str, str, str]] = [
    ("小店区", "太原市", "140105"), ("清徐县", "太原市", "140121"), ("榆次区", "晋中市", "140702"),
    ("和顺县", "晋中市", "140723"), ("介休市", "晋中市", "140781"), ("平城区", "大同市", "140213"),
    ("阳高县", "大同市", "140221"), ("尧都区", "临汾市", "141002"), ("潞州区", "长治市", "140403"),
]


def county_box(name: str):
    """(minx, miny, maxx, maxy) of a toy county."""
    i = [c[0] for c in COUNTIES].index(name)
    col, row = i % 5, i // 5
    x0, y0 = LON0 + STEP * col, LAT0 + STEP * row
    return x0, y0, x0 + SIZE, y0 + SIZE


def county_centre(name: str) -> Tuple[float, float]:
    x0, y0, x1, y1 = county_box(name)
    return (x0 + x1) / 2, (y0 + y1) / 2


def make_admin() -> gpd.GeoDataFrame:
    rows = []
    for county, city, adcode in COUNTIES:
        rows.append({"county": county, "city": city, "adcode": adcode, "city_adcode": adcode[:4] + "00",
                     "is_city_district": 1 <= int(adcode[4:]) <= 20, "geometry": box(*county_box(county))})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def builtup_square(county: str, dx: float = 0.0, dy: float = 0.0, half: float = 0.03):
    """A built-up square of side 2×half degrees at the county centre (shifted by dx, dy)."""
    x, y = county_centre(county)
    return box(x + dx - half, y + dy - half, x + dx + half, y + dy + half)


def make_builtup() -> gpd.GeoDataFrame:
    # 小店区 (urban district of 太原) and 清徐县 (a county: built-up, but not 设区市建成区).
    # Built-ups sit south-west of the centres, away from the CHP plants placed at the centres.
    return gpd.GeoDataFrame({"name": ["小店建成区", "清徐建成区"]},
                            geometry=[builtup_square("小店区", -0.15, -0.15), builtup_square("清徐县", -0.15, -0.15)],
                            crs="EPSG:4326")


def offset(lon: float, lat: float, azimuth: float, dist_m: float) -> Tuple[float, float]:
    """The point ``dist_m`` metres from (lon, lat) along ``azimuth`` (geodesic)."""
    x, y, _ = GEOD.fwd(lon, lat, azimuth, dist_m)
    return float(x), float(y)


def make_chp() -> gpd.GeoDataFrame:
    """A 300 MW plant at the 清徐县 centre and a 299 MW plant at the 榆次区 centre."""
    qx, qy = county_centre("清徐县")
    yx, yy = county_centre("榆次区")
    return gpd.GeoDataFrame({"ent_id": ["CHP-300", "CHP-299"], "name": ["清徐热电厂", "榆次热电厂"],
                             "capacity_mw": [300.0, 299.0], "small_backward_chp": [False, False]},
                            geometry=gpd.points_from_xy([qx, yx], [qy, yy]), crs="EPSG:4326")


@pytest.fixture(scope="session")
def admin() -> gpd.GeoDataFrame:
    return make_admin()


@pytest.fixture(scope="session")
def builtup() -> gpd.GeoDataFrame:
    return make_builtup()


@pytest.fixture(scope="session")
def chp_plants() -> gpd.GeoDataFrame:
    return make_chp()


@pytest.fixture(scope="session")
def ruleset():
    from bluesky_zoning.analysis.plan.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def zones(admin, builtup, chp_plants, ruleset):
    from bluesky_zoning.analysis.inputs.builtup import builtup_from_polygons
    from bluesky_zoning.analysis.zones.builders import build_all_zones

    return build_all_zones(admin, builtup_from_polygons(builtup), chp_plants, ruleset)


def points(kind: str, rows: List[Dict]) -> object:
    """An EnterpriseTable from canonical-named rows with lon/lat (WGS84)."""
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table
    from bluesky_zoning.analysis.schema.fields import field_names

    df = pd.DataFrame(rows)
    mapping = {f: (f if f in df.columns else None) for f in field_names(kind)}
    return enterprises_from_table(df, kind, mapping, "WGS84", layer_name=f"{kind}-test")


@pytest.fixture
def judge(zones, admin, ruleset):
    """Run the engine on a few hand-made rows of one kind; returns (FlagResult, {ent_id: set(rule_ids)}).

    P-STAGGER (every steel, coking, foundry … plant goes on the heating-season list) is off unless ``rs`` is
    given or ``stagger`` is set, so the other rules' tests list only their own hits; it has tests of its own."""
    from bluesky_zoning.analysis.flagging.engine import flag_enterprises

    quiet = ruleset.with_rule_enabled("P-STAGGER", False)

    def run(kind: str, rows: List[Dict], rs=None, extra=None, stagger: bool = False):
        layers = {kind: points(kind, rows)}
        if extra:
            layers.update(extra)
        res = flag_enterprises(zones, admin, layers, rs or (ruleset if stagger else quiet))
        hits: Dict[str, set] = {}
        for eid, rid in zip(res.flags["ent_id"], res.flags["rule_id"]):
            hits.setdefault(eid, set()).add(rid)
        return res, hits

    return run


def reason_of(res, ent_id: str, rule_id: str) -> str:
    f = res.flags
    sel = f[(f["ent_id"] == ent_id) & (f["rule_id"] == rule_id)]
    assert len(sel) == 1, f"{ent_id} {rule_id}: {len(sel)} rows"
    return str(sel["reason"].iloc[0])


@pytest.fixture(scope="session")
def toy() -> SimpleNamespace:
    """The helpers above, for test modules (importlib import mode cannot import conftest directly)."""
    return SimpleNamespace(county_centre=county_centre, county_box=county_box, offset=offset, points=points,
                           reason_of=reason_of, make_admin=make_admin, make_builtup=make_builtup,
                           make_chp=make_chp, builtup_square=builtup_square, GEOD=GEOD)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Lines a test left for the summary (the property test's example count and slowest example)."""
    lines = getattr(config, "bluesky_summary", None)
    if lines:
        terminalreporter.section("Blue Sky Zoning")
        for line in lines:
            terminalreporter.write_line(line)
