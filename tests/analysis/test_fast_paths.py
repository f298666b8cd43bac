"""The fast paths of a big run give what the plain ones give: the cover grid's polygon membership, the grid-cell
plant candidates, a PointTable against a GeoDataFrame, a membership cache kept between runs, the threaded ring
buffers, and big point layers written in bulk (rows and R-tree) into a GeoPackage GDAL reads as its own."""
from __future__ import annotations

import gc
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from bluesky_zoning.analysis.common.gc_pause import gc_paused
from bluesky_zoning.analysis.flagging import evaluation, spatial_index
from bluesky_zoning.analysis.flagging.engine import PointTable, flag_enterprises
from bluesky_zoning.analysis.flagging.membership import MembershipCache
from bluesky_zoning.analysis.flagging.spatial_index import CoverGrid, GridFrame, PointIndex, locate
from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table, read_table
from bluesky_zoning.analysis.pipeline import build_zones, builtup_polygons, prepare_admin
from bluesky_zoning.analysis.plan.rules import load_rules
from bluesky_zoning.analysis.reports import gpkg_bulk, result_files, sqlite_image
from bluesky_zoning.analysis.zones import geometry as zone_geometry
from bluesky_zoning.demo.data import ensure_demo_data

LISTS = {"boilers": ("boiler", "boilers"), "mines": ("mine", "mines"), "plants": ("plant", "plants"),
         "chp": ("chp", "chp"), "villages": ("village", "村庄清单")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = ensure_demo_data(tmp_path_factory.mktemp("fast_paths_demo"))
    rules = load_rules()
    admin = prepare_admin(pyogrio.read_dataframe(data.admin_gpkg, layer=data.admin_layers[0]), "counties")
    tables = {kind: enterprises_from_table(read_table(getattr(data, key)), kind, coord_system=data.coord_systems[key],
                                           layer_name=name)
              for key, (kind, name) in LISTS.items()}
    built, _params = builtup_polygons(data.builtup_tif, rules)
    zones = build_zones(admin, built, tables["chp"], rules)
    return {"rules": rules, "admin": admin, "tables": tables, "builtup": built, "zones": zones}


def _tables_equal(a, b):
    for name in ("flags", "verdicts", "to_verify", "counts"):
        x, y = getattr(a, name), getattr(b, name)
        assert list(x.columns) == list(y.columns), name
        assert list(x.dtypes.astype(str)) == list(y.dtypes.astype(str)), name
        if isinstance(x, gpd.GeoDataFrame):
            assert bool(np.all(shapely.to_wkb(np.asarray(x.geometry.values)) ==
                               shapely.to_wkb(np.asarray(y.geometry.values)))), name
            x, y = pd.DataFrame(x.drop(columns=x.geometry.name)), pd.DataFrame(y.drop(columns=y.geometry.name))
        pd.testing.assert_frame_equal(x, y, obj=name)
    assert a.notes == b.notes


# ------------------------------------------------------------------------------------------ membership


def _awkward_polygons():
    """Overlapping polygons (the first covering one wins), one with a hole, a thin sliver, a multipolygon."""
    big = shapely.Polygon([(0, 0), (4, 0), (4, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    tri = shapely.Polygon([(3, 2), (6, 1), (5, 4)])
    sliver = shapely.box(1.2, -0.5, 1.2001, 3.5)
    multi = shapely.MultiPolygon([shapely.box(7, 0, 8, 1), shapely.box(7.5, 2, 9, 3.3)])
    return [big, tri, None, sliver, shapely.Polygon(), multi]


@pytest.mark.parametrize("block", [None, 7_777])  # the points' cells worked out in one block, or in many
def test_cover_grid_answers_like_the_exact_test(monkeypatch, block):
    if block:
        monkeypatch.setattr(spatial_index, "BLOCK_POINTS", block)
    geoms = _awkward_polygons()
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 10, 60_000)
    y = rng.uniform(-1, 4.5, 60_000)
    # points exactly on vertices and edges, in the hole's corner, and without coordinates
    edge = shapely.get_coordinates(shapely.segmentize(np.asarray([g for g in geoms if g is not None]), 0.01))
    x = np.concatenate([x, edge[:, 0], [1.0, np.nan, 2.0]])
    y = np.concatenate([y, edge[:, 1], [1.0, 0.5, np.nan]])
    want = locate(PointIndex(x, y), geoms)
    for cells in (1_000, 50_000, 1_000_000):
        # a grid smaller than the geometries' extent: some of them, and some points, lie outside it
        frame = _frame_with_cells(x, y, (0.0, 0.0, 8.0, 3.0), cells)
        got = CoverGrid(frame, geoms).locate()
        assert np.array_equal(got, want), cells
    assert (want == 0).any() and (want == 1).any() and (want == 3).any() and (want == 5).any() and (want == -1).any()


def _frame_with_cells(x, y, bounds, cells):
    old = spatial_index.GRID_CELLS
    spatial_index.GRID_CELLS = (cells, cells)
    try:
        return GridFrame(x, y, bounds)
    finally:
        spatial_index.GRID_CELLS = old


def test_box_points_hold_every_point_in_the_boxes():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 10, 20_000), rng.uniform(0, 10, 20_000)
    x[:50] = 12.0  # outside the grid: always candidates
    frame = _frame_with_cells(x, y, (0, 0, 10, 10), 400)
    boxes = [(1.03, 2.2, 2.51, 3.9), (7.5, 7.5, 11.0, 12.0)]
    got = set(frame.box_points(boxes).tolist())
    inside = set(PointIndex(x, y).in_box(*boxes[0]).tolist()) | set(PointIndex(x, y).in_box(*boxes[1]).tolist())
    assert inside <= got and set(range(50)) <= got and len(got) < len(x) / 4


def test_grid_path_of_the_engine_gives_the_same_tables(demo, monkeypatch):
    """The demo judged with the grid (as a layer of millions would be) and without it."""
    tables = {k: v for k, v in demo["tables"].items()}
    plain = flag_enterprises(demo["zones"], demo["admin"], tables, demo["rules"])
    monkeypatch.setattr(evaluation, "GRID_MIN_POINTS", 1)
    monkeypatch.setattr(spatial_index, "GRID_CELLS", (20_000, 20_000))
    gridded = flag_enterprises(demo["zones"], demo["admin"], tables, demo["rules"])
    _tables_equal(plain, gridded)
    assert len(plain.flags) > 1000


def test_point_table_gives_the_tables_of_its_geodataframe(demo):
    boilers = demo["tables"]["boiler"].gdf
    geoms = np.asarray(boilers.geometry.values, dtype=object)
    ok = shapely.get_type_id(geoms) == 0
    frame = pd.DataFrame(boilers.drop(columns=boilers.geometry.name))
    pts = PointTable(frame, np.where(ok, shapely.get_x(geoms), np.nan), np.where(ok, shapely.get_y(geoms), np.nan),
                     crs="EPSG:4326")
    by_table = flag_enterprises(demo["zones"], demo["admin"], {"boiler": pts}, demo["rules"])
    by_frame = flag_enterprises(demo["zones"], demo["admin"],
                                {"boiler": gpd.GeoDataFrame(boilers, geometry=boilers.geometry.name)}, demo["rules"])
    for name in ("flags", "verdicts"):
        a, b = getattr(by_table, name), getattr(by_frame, name)
        assert bool(np.all(shapely.to_wkb(np.asarray(a.geometry.values)) == shapely.to_wkb(np.asarray(b.geometry.values))))
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert len(by_table.flags) > 100


@pytest.mark.parametrize("ids", ["text", "integer", "none"])
def test_the_engine_leaves_the_input_table_as_it_was(demo, ids):
    """The engine's columns (row, name, ent_id as text or made up) go on a shallow copy of the input; none of them
    reaches the analyst's table, and no value of it changes."""
    boilers = demo["tables"]["boiler"].gdf.drop(columns=["name", "row"], errors="ignore")
    if ids == "integer":
        boilers = boilers.assign(ent_id=np.arange(7, 7 + len(boilers)))
    elif ids == "none":
        boilers = boilers.drop(columns="ent_id")
    boilers = gpd.GeoDataFrame(boilers, geometry=boilers.geometry.name)
    before = boilers.copy(deep=True)
    res = flag_enterprises(demo["zones"], demo["admin"], {"boiler": boilers}, demo["rules"])
    assert len(res.verdicts) > 100 and set(res.verdicts["name"].isna()) == {True}
    assert list(boilers.columns) == list(before.columns)
    pd.testing.assert_frame_equal(boilers, before)


# -------------------------------------------------------------------------------------- the cache


def test_membership_cache_reuses_what_did_not_change(demo, monkeypatch):
    admin, rules, tables = demo["admin"], demo["rules"], demo["tables"]
    cache = MembershipCache()
    first = flag_enterprises(demo["zones"], admin, tables, rules, cache=cache)
    _tables_equal(first, flag_enterprises(demo["zones"], admin, tables, rules))
    made = cache.made
    assert made == len(tables)
    # a variant: Z-CHP rebuilt with a wider radius, every other zone layer the same object
    wider = rules.with_params(chp_radius_km=rules.params["chp_radius_km"] + 5)
    zones = build_zones(admin, demo["builtup"], tables["chp"], wider, reuse={
        k: v for k, v in demo["zones"].items() if k != "chp_heating_radius"})
    located = []
    real = evaluation.LayerBase.locate
    monkeypatch.setattr(evaluation.LayerBase, "locate", lambda self, geoms: located.append(len(geoms)) or
                        real(self, geoms))
    again = flag_enterprises(zones, admin, tables, wider, cache=cache)
    assert cache.made == made and located == []  # no county nor area zone judged again
    monkeypatch.setattr(evaluation.LayerBase, "locate", real)
    _tables_equal(again, flag_enterprises(zones, admin, tables, wider))
    assert len(again.flags) != len(first.flags)
    # another county layer object: the tables are judged afresh
    flag_enterprises(demo["zones"], admin.copy(), tables, rules, cache=cache)
    assert cache.made == 2 * made


def test_gc_pause_nests_and_restores():
    was = gc.isenabled()
    gc.enable()
    try:
        with gc_paused():
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        (gc.enable if was else gc.disable)()


# -------------------------------------------------------------------------------------- zones


def test_threaded_ring_buffers_are_the_vectorised_ones(demo):
    geoms = np.asarray(demo["builtup"].geometry.to_crs(3857).values, dtype=object)[:40]
    assert all(shapely.equals_exact(a, b, 0) for a, b in
               zip(zone_geometry.buffer_each(geoms, 1000.0), shapely.buffer(geoms, 1000.0, quad_segs=16)))


def test_prefecture_rings_grown_in_steps_are_the_one_step_buffer(demo):
    """The 3 km ring grown 200 m → 1 km → 3 km is the one-step 3 km buffer, up to the arcs' chord errors."""
    rings = zone_geometry.PrefectureRings(demo["builtup"], demo["admin"], None, [1000.0])
    rings.ring(3000.0)
    assert sorted(rings._rings) == [zone_geometry.RING_FIRST_STEP_M, 1000.0, 3000.0]
    one = shapely.buffer(rings._metric, 3000.0, quad_segs=16)
    stepped = rings._rings[3000.0]
    assert len(one) == len(stepped) >= 5
    gap = max(shapely.hausdorff_distance(a, b) for a, b in zip(one, stepped))
    assert gap < 10.0  # metres; a ring a pixel (100 m) off would fail
    assert np.allclose(shapely.area(stepped), shapely.area(one), rtol=1e-3)


def test_rings_start_from_millimetre_coordinates(demo):
    """The rings' metric coordinates are the plain projection's rounded to the millimetre (GEOS buffers them
    two to three times as fast as the projection's 1e-9 m noise)."""
    rings = zone_geometry.PrefectureRings(demo["builtup"], demo["admin"], None, [])
    rings.ring(0.0)
    plain = shapely.get_coordinates(np.asarray(rings.base().geometry.to_crs(rings._crs).values))
    rounded = shapely.get_coordinates(rings._metric)
    assert rounded.shape == plain.shape and np.abs(rounded - plain).max() <= 0.0005
    assert np.array_equal(rounded, np.round(rounded, 3)) and not np.array_equal(plain, np.round(plain, 3))


def test_prefetched_rings_use_geometries_of_their_own(demo):
    """The ring thread never touches the caller's geometry objects (Z-BAN cuts the same counties meanwhile; two
    threads on one GEOS geometry crashed), and its rings are the ones built in the caller's thread."""
    builtup, admin = demo["builtup"], demo["admin"]
    rings = zone_geometry.PrefectureRings(builtup, admin, None, [])
    rings.prefetch([3000.0])
    ring = rings.ring(3000.0)
    theirs = {id(g) for g in list(builtup.geometry.values) + list(admin.geometry.values)}
    assert not theirs & {id(g) for g in list(rings.builtup.geometry.values) + list(rings.admin.geometry.values)}
    here = zone_geometry.PrefectureRings(builtup, admin, None, []).ring(3000.0)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(ring.values, here.values)) and len(ring) >= 5


def _overlay_dissolve(polys, admin, by, fringe_geom=None):
    """What the county pieces replace: geopandas' overlay (intersection, polygons kept) and dissolve."""
    cols = [c for c in ("county", "city", "adcode", "city_adcode", "is_city_district") if c in admin.columns]
    pieces = gpd.overlay(polys[["geometry"]], admin[cols + ["geometry"]], how="intersection", keep_geom_type=True)
    return pieces.dissolve(by=by, as_index=False, aggfunc="first")


@pytest.mark.parametrize("case", ["demo", "prefecture", "user polygons"])
def test_county_pieces_are_overlay_and_dissolve(demo, case):
    from bluesky_zoning.analysis.zones.county_pieces import cut_by_counties, dissolve_pieces

    admin, polys, by, cols = demo["admin"], demo["builtup"], "adcode", ["county", "city", "adcode", "city_adcode"]
    if case == "prefecture":
        admin, by, cols = admin[admin["is_city_district"].astype(bool)], "city", ["city", "city_adcode"]
    elif case == "user polygons":
        # overlapping squares, one sharing an edge, one across a county boundary, one touching it along an edge
        c = admin.geometry.iloc[0]
        x0, y0, x1, _y1 = c.bounds
        p = c.representative_point()
        boxes = [shapely.box(p.x, p.y, p.x + .01, p.y + .01), shapely.box(p.x + .005, p.y, p.x + .015, p.y + .01),
                 shapely.box(p.x + .015, p.y, p.x + .02, p.y + .01), shapely.box(x0 - .02, y0, x0 + .02, y0 + .05),
                 shapely.box(x1, p.y, x1 + .01, p.y + .01)]
        polys = gpd.GeoDataFrame(geometry=boxes, crs="EPSG:4326")
    ours = dissolve_pieces(cut_by_counties(polys, admin), by, cols)
    theirs = _overlay_dissolve(polys, admin, by)
    assert len(ours) == len(theirs) >= (2 if case == "user polygons" else 5)
    for col in cols:
        assert list(ours[col]) == list(theirs[col]), col
    a, b = np.asarray(ours.geometry.values), np.asarray(theirs.geometry.values)
    assert shapely.is_valid(a).all()
    assert shapely.area(shapely.symmetric_difference(a, b)).max() < 1e-12 * shapely.area(b).max()
    if case == "user polygons":  # the overlapping squares were unioned, not stacked
        assert np.allclose(shapely.area(a), shapely.area(b), rtol=1e-12)


# -------------------------------------------------------------------------------------- writing


@pytest.fixture(scope="module")
def verdicts(demo):
    res = flag_enterprises(demo["zones"], demo["admin"], demo["tables"], demo["rules"])
    v = res.verdicts.copy()
    v.loc[v.index[:3], "geometry"] = None  # rows without a point stay out of the index, as GDAL's triggers do
    v.loc[v.index[3], "geometry"] = shapely.Point()
    return v, res


def _read(path, layer):
    return pyogrio.read_dataframe(path, layer=layer)


# route: how the chunks go in. "image": images of their rows (bulk_image), "bind": bound values, 64 rows per
# statement (a chunk is ten statements and 60 rows one by one) or 1; "long text": one name over an image's
# limit, so its chunk is bound and the others are images; "numbers": a text column holding a number in the last
# chunk, so the chunks before it are rolled back and GDAL writes the rows (insert_points declines); "bad image":
# an image SQLite cannot read (a leaf page's type byte zeroed), so GDAL writes the rows too.
@pytest.mark.parametrize("route, rows_per_statement", [("image", 64), ("bind", 64), ("bind", 1), ("long text", 64),
                                                       ("numbers", 64), ("bad image", 64)])
def test_bulk_written_layer_is_gdals_layer(tmp_path, verdicts, monkeypatch, route, rows_per_statement):
    v, res = verdicts
    if route == "numbers":
        v = v.assign(county=[7 if i == len(v) - 2 else c for i, c in enumerate(v["county"])])
    if route == "long text":
        v = v.assign(name=["长" * 3000 if i == 1000 else n for i, n in enumerate(v["name"])])  # 9,000 bytes
    plain = result_files.write_flags(res.flags, v, res.to_verify, tmp_path / "plain.gpkg")
    monkeypatch.setattr(gpkg_bulk, "BULK_MIN_ROWS", 100)
    monkeypatch.setattr(gpkg_bulk, "CHUNK_ROWS", 700)  # several chunks of rows and of R-tree entries
    monkeypatch.setattr(gpkg_bulk, "ROWS_PER_STATEMENT", rows_per_statement)
    monkeypatch.setattr(gpkg_bulk, "IMAGES", route != "bind")
    calls, images, maps = [], [], []
    real = gpkg_bulk.insert_points
    monkeypatch.setattr(gpkg_bulk, "insert_points", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    rtrees_apart = []  # R-trees written on their own: only for rows GDAL wrote (else in insert_points' transaction)
    real_rtree = gpkg_bulk.write_rtree
    monkeypatch.setattr(gpkg_bulk, "write_rtree", lambda *a: rtrees_apart.append(a[1]) or real_rtree(*a))

    def image(fixed, texts):
        if not texts:  # an R-tree's leaf map (fid, leaf); "bad image": its first page after the schema's zeroed
            maps.append(real_image(fixed, texts))
            if route == "bad image":
                maps[-1][sqlite_image.PAGE] = 0
            return maps[-1]
        try:
            images.append(real_image(fixed, texts))
        except sqlite_image.NotImaged:
            images.append(None)
            raise
        if route == "bad image":
            assert len(images[-1]) > 3 * sqlite_image.PAGE  # page 1, the root, leaves from page 3
            images[-1][2 * sqlite_image.PAGE] = 0
        return images[-1]

    real_image = sqlite_image.table_image
    monkeypatch.setattr(sqlite_image, "table_image", image)
    bulk = result_files.write_flags(res.flags, v, res.to_verify, tmp_path / "bulk.gpkg")
    # insert_points of the flags, verdicts, to verify (False: it declined, GDAL wrote the layer)
    # ("bad image": every image is refused, the R-trees' leaf maps too, so GDAL writes every layer's rows)
    assert calls == {"numbers": [True, False, True], "bad image": [False, False, False]}.get(route, [True] * 3)
    chunks = sum(-(-n // 700) for n in (len(res.flags), len(v)))
    assert chunks >= 10
    # the first verdict chunk holds rows without a point: bound; "long text": the second is too
    expected = {"image": chunks - 1, "bind": 0, "long text": chunks - 2}
    # every layer's leaf map went as an image (refused ones, "bad image": then as JSON), but where images are off;
    # a layer whose rows went to GDAL after all ("numbers") has its map made twice (the first one rolled back)
    assert len(maps) == 0 if route == "bind" else len(maps) >= len(calls)
    if route == "image":
        assert len(maps) == len(calls)
    assert len(rtrees_apart) == calls.count(False)
    if route in expected:
        assert sum(i is not None for i in images) == expected[route]
        assert sum(i is None for i in images) == (route == "long text")
    for layer in result_files.FLAG_LAYER_NAMES:
        a, b = _read(plain, layer), _read(bulk, layer)
        assert list(a.columns) == list(b.columns) and a.dtypes.equals(b.dtypes)
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                      pd.DataFrame(b.drop(columns="geometry")))
        assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    con = sqlite3.connect(str(bulk))
    try:
        for layer in ("enterprise_flags", "enterprise_verdicts"):
            assert con.execute(f"SELECT rtreecheck('rtree_{layer}_geom')").fetchone()[0] == "ok"
            n_index = con.execute(f"SELECT count(*) FROM rtree_{layer}_geom").fetchone()[0]
            n_points = con.execute(f"SELECT count(*) FROM {layer} WHERE geom IS NOT NULL").fetchone()[0]
            expected_gap = 1 if layer == "enterprise_verdicts" else 0  # the empty point
            assert n_index == n_points - expected_gap and n_index > 1000
            triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                                  "tbl_name = ?", (layer,))}
            assert {f"rtree_{layer}_geom_insert", f"rtree_{layer}_geom_delete"} <= triggers
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
        assert counts["enterprise_verdicts"] == len(v)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    # a spatial filter (served by the index) finds what a scan of the frame finds
    geoms = np.asarray(v.geometry.values, dtype=object)
    pts = v[(shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)]
    bx = np.percentile(pts.geometry.x, [30, 70])
    by = np.percentile(pts.geometry.y, [30, 70])
    box = (bx[0], by[0], bx[1], by[1])
    got = pyogrio.read_dataframe(bulk, layer="enterprise_verdicts", bbox=box, columns=["ent_id"])
    want = pts[(pts.geometry.x >= box[0]) & (pts.geometry.x <= box[2]) & (pts.geometry.y >= box[1]) &
               (pts.geometry.y <= box[3])]
    assert sorted(got["ent_id"]) == sorted(want["ent_id"]) and len(want) > 10


def test_rtree_node_order_is_slices_by_x_then_y_within_a_slice():
    """The packed R-tree's order: vertical slices of √(nodes) nodes by x centre, y centre within a slice; the
    one-key sort gives exactly the two-key sort's order when no two centres are equal."""
    rng = np.random.default_rng(5)
    # distinct centres in float32 (the index's precision): shuffled steps of 2e-4°, far above its resolution
    x, y = 110.2 + rng.permutation(20_000) * 2.2e-4, 34.5 + rng.permutation(20_000) * 3.1e-4
    boxes = np.column_stack([x, x, y, y]).astype(np.float32)
    per_node = 51
    order = gpkg_bulk._str_order(boxes, per_node)
    cx = boxes[:, 0].astype(float) + boxes[:, 1]
    cy = boxes[:, 2].astype(float) + boxes[:, 3]
    assert len(np.unique(cx)) == len(cx) and len(np.unique(cy)) == len(cy)
    per_slice = int(np.ceil(np.sqrt(np.ceil(len(x) / per_node)))) * per_node
    slice_of = np.empty(len(x), dtype=np.int64)
    slice_of[np.argsort(cx)] = np.arange(len(x)) // per_slice
    np.testing.assert_array_equal(order, np.lexsort((cy, slice_of)))
    # and a node's points are close together: a leaf spans a small part of the province
    spans = [np.ptp(x[order[i:i + per_node]]) * np.ptp(y[order[i:i + per_node]])
             for i in range(0, len(x) - per_node, per_node)]
    assert np.median(spans) < 4.4 * 6.2 / 100


def test_nearest_plant_distances_for_rows_in_any_order():
    from bluesky_zoning.analysis.flagging.spatial_index import GEOD, NearestPlants

    plants = gpd.GeoDataFrame({"lon": [112.5, 112.6], "lat": [37.8, 37.85], "radius_km": [15.0, 10.0],
                               "ent_id": ["p1", "p2"]}, geometry=shapely.points([112.5, 112.6], [37.8, 37.85]))
    rng = np.random.default_rng(11)
    x, y = rng.uniform(112.2, 112.9, 3000), rng.uniform(37.6, 38.0, 3000)
    near = NearestPlants(PointIndex(x, y), plants, None)
    idx = np.concatenate([np.flatnonzero(near.member)[::-1], np.flatnonzero(near.member)[:5], [0, 1]])
    dist, which = near.at(idx)
    for i, d, w in zip(idx, dist, which):
        ds = [GEOD.inv(lon, lat, x[i], y[i])[2] for lon, lat in zip(plants["lon"], plants["lat"])]
        inside = [k for k in range(2) if ds[k] <= plants["radius_km"][k] * 1000]
        if inside:
            k = min(inside, key=lambda k: (ds[k], k))
            assert w == k and d == pytest.approx(ds[k], abs=1e-6)
        else:
            assert w == -1 and np.isinf(d)
    assert near.member.sum() > 100
