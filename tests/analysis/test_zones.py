"""Zone builders: built-up raster cleaning, CHP rings, coal-ban, mine ring, planning fallback, regions."""
from __future__ import annotations

import numpy as np
import pytest
from bluesky_zoning.analysis.inputs.builtup import builtup_from_polygons, builtup_from_raster
from bluesky_zoning.analysis.zones import builders as z
from pyproj import Geod


def _write_tif(path, arr, x0=112.0, y0=37.5, res=0.0005):
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1], count=1,
                       dtype="float32", crs="EPSG:4326", transform=from_origin(x0, y0, res, res)) as dst:
        dst.write(arr.astype("float32"), 1)


def test_raster_drops_specks_and_fills_small_holes(tmp_path):
    # 0.0005° pixels ≈ 44 m × 56 m ≈ 2 450 m².
    arr = np.zeros((200, 200))
    arr[20:120, 20:120] = 0.9          # a big built-up block (~24.5 km²/100 … ≈ 24 ha)
    arr[60:62, 60:62] = 0.1            # a 4-pixel hole (~1 ha) → filled
    arr[90:110, 90:110] = 0.0          # a 400-pixel hole (~98 ha) → kept
    arr[150:152, 150:152] = 1.0        # a 4-pixel speck (~1 ha) → dropped
    arr[150:170, 20:40] = 0.7          # a 400-pixel patch → kept
    path = tmp_path / "built.tif"
    _write_tif(path, arr)
    out = builtup_from_raster(path, threshold=0.5, min_area_m2=20_000, max_hole_m2=50_000)
    assert out.crs.to_epsg() == 4326 and len(out) == 2
    big = out.loc[out["area_km2"].idxmax()].geometry
    assert len(big.interiors) == 1  # the small hole filled, the large one kept
    assert big.contains(shapely_point(112.0 + 0.0005 * 61, 37.5 - 0.0005 * 61))
    assert not big.contains(shapely_point(112.0 + 0.0005 * 100, 37.5 - 0.0005 * 100))


def test_a_patch_in_a_filled_hole_becomes_part_of_the_filled_area(tmp_path):
    # A block with a 5 × 5 hole (≈ 61 000 m², under the 70 000 m² filled here) and, inside it, a 3 × 3 patch
    # (≈ 22 000 m², above the 20 000 m² kept): once the hole is filled, the patch is part of the block.
    arr = np.zeros((60, 60))
    arr[10:40, 10:40] = 1.0
    arr[20:25, 20:25] = 0.0
    arr[21:24, 21:24] = 1.0
    path = tmp_path / "island.tif"
    _write_tif(path, arr)
    out = builtup_from_raster(path, threshold=0.5, min_area_m2=20_000, max_hole_m2=70_000)
    assert len(out) == 1 and len(out.geometry.iloc[0].interiors) == 0
    kept = builtup_from_raster(path, threshold=0.5, min_area_m2=20_000, max_hole_m2=50_000)
    assert len(kept) == 2 and not kept.geometry.iloc[0].overlaps(kept.geometry.iloc[1])  # hole kept: two areas
    # 900 pixels filled against 875 + 9 kept: the patch is counted once, inside the filled block
    assert out["area_km2"].iloc[0] / kept["area_km2"].sum() == pytest.approx(900 / 884, rel=2e-3)


def shapely_point(x, y):
    from shapely.geometry import Point

    return Point(x, y)


def test_chp_rings_per_plant_true_distance(chp_plants):
    rings = z.chp_heating_radius(chp_plants, 15.0, 300.0)
    plants = rings[rings["part"] == "plant"]
    assert list(plants["ent_id"]) == ["CHP-300"] and list(plants["name"]) == ["清徐热电厂"]  # 299 MW: no ring
    assert (rings["part"] == "union").sum() == 1
    ring = plants.geometry.iloc[0]
    g = Geod(ellps="WGS84")
    x0, y0 = chp_plants.geometry.iloc[0].x, chp_plants.geometry.iloc[0].y
    for az in (0, 37, 90, 200):
        xi, yi, _ = g.fwd(x0, y0, az, 14_990)
        xo, yo, _ = g.fwd(x0, y0, az, 15_010)
        assert ring.contains(shapely_point(xi, yi)) and not ring.contains(shapely_point(xo, yo))


def test_coal_ban_dissolved_per_county_with_fringe(admin, builtup):
    ban = z.coal_ban_zone(builtup_from_polygons(builtup), admin)
    assert sorted(ban["county"]) == ["小店区", "清徐县"]
    assert set(ban.columns) >= {"zone_id", "county", "city", "adcode", "area_km2"}
    assert (ban["zone_id"] == "Z-BAN").all()
    wide = z.coal_ban_zone(builtup_from_polygons(builtup), admin, fringe_km=1.0)
    assert (wide["area_km2"].sum() > ban["area_km2"].sum() * 1.5) and (wide["fringe_km"] == 1.0).all()


def test_mine_zone_only_city_districts(admin, builtup):
    mine = z.mine_closure_zone(builtup_from_polygons(builtup), admin, ring_km=3.0)
    assert list(mine["city"]) == ["太原市"] and (mine["ring_km"] == 3.0).all()
    assert any("3 公里" in n for n in mine.attrs["notes"])


def test_planning_area_fallback_and_user_layer(admin, builtup):
    fallback = z.planning_area(None, builtup_from_polygons(builtup), admin, ring_km=1.0)
    assert fallback["source"].iloc[0].startswith("替代：设区市建成区外扩 1 公里")
    user = z.planning_area(admin.iloc[[0]], builtup, admin)
    assert user["source"].iloc[0] == "用户提供的城市规划区图层"


def test_region_tables(admin, ruleset):
    r = z.region_1p30(admin, ruleset)
    assert set(r["county"]) == {"小店区", "清徐县", "榆次区", "介休市", "尧都区"} and not r["verified"].any()
    assert any("未找到" in n for n in r.attrs["notes"])  # most of the 30 are not in the toy admin
    groups = z.key_city_groups(admin, ruleset).set_index("city")
    assert groups.loc["太原市", "group"] == "京津冀及周边地区" and groups.loc["大同市", "is_key"] == False  # noqa: E712
    assert list(z.north_coal_zero(admin, ruleset)["county"]) == ["平城区"]
    assert list(z.cluster_counties(admin, ruleset)["county"]) == ["介休市"]


def test_member_matching_tolerates_old_suffix(admin):
    mask, missing = z.match_members(admin, {"晋中": ["榆次县"], "太原市": ["不存在区"]})
    assert list(admin.loc[mask, "county"]) == ["榆次区"] and missing == ["太原市不存在区"]


def test_build_all_zones_keys_progress_and_cancel(admin, builtup, chp_plants, ruleset):
    from bluesky_zoning.analysis.common.errors import CanceledError

    seen = []
    zs = z.build_all_zones(admin, builtup_from_polygons(builtup), chp_plants, ruleset,
                           progress=lambda i, n, s: seen.append((i, n, s)))
    assert list(zs) == ["coal_ban_zone", "region_1p30", "key_city_groups", "north_coal_zero", "cluster_counties",
                        "chp_heating_radius", "mine_closure_zone", "planning_area"]
    assert all(g.crs.to_epsg() == 4326 and "zone_id" in g.columns for g in zs.values())
    assert seen[0][2] == "构建禁煤区…" and seen[-1][0] == seen[-1][1]
    with pytest.raises(CanceledError):
        z.build_all_zones(admin, builtup, chp_plants, ruleset, is_canceled=lambda: True)
