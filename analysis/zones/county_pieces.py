"""Built-up areas cut by the county boundaries and dissolved per county or city (Z-BAN, the prefecture
built-up areas of Z-MINE and the Z-PLAN fallback).

What ``gpd.overlay(how="intersection", keep_geom_type=True)`` followed by ``dissolve`` gives, without their
frames and without a union where none is needed: most built-up polygons lie wholly inside one county (kept as
they are), and the pieces of one county seldom overlap or share an edge, so they usually form a valid
MultiPolygon as they stand, which is then their union.
"""
from __future__ import annotations

from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

COUNTY_COLUMNS = ("county", "city", "adcode", "city_adcode", "is_city_district")
_POLYGONAL = ("Polygon", "MultiPolygon")


def _polygonal(geom):
    """The polygonal part of an intersection (lines and points where two boundaries only touch are dropped)."""
    if geom is None or geom.is_empty or geom.geom_type in _POLYGONAL:
        return geom
    polys = [p for p in shapely.get_parts(geom) if p.geom_type in _POLYGONAL]
    parts = [q for p in polys for q in shapely.get_parts(p)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def cut_by_counties(builtup: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The built-up polygons cut by the county boundaries, each piece tagged with its county's attributes; pairs
    ordered by built-up polygon, then county (as an overlay orders them)."""
    cols = [c for c in COUNTY_COLUMNS if c in admin.columns]
    if builtup.empty or admin.empty:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs="EPSG:4326")
    polys = np.asarray(builtup.geometry.values, dtype=object)
    counties = np.asarray(admin.geometry.values, dtype=object)
    # Pairs whose boxes meet, then a plain test per pair. No predicate query with the counties: the prefecture
    # rings cut the same counties in a thread of their own, and two such queries at once crashed (seen).
    ci, bi = shapely.STRtree(polys).query(counties)
    whole = shapely.contains(counties[ci], polys[bi])
    pieces = polys[bi].copy()
    cut = np.flatnonzero(~whole)
    if len(cut):
        pieces[cut] = [_polygonal(g) for g in shapely.intersection(polys[bi[cut]], counties[ci[cut]])]
    keep = np.array([g is not None and not g.is_empty for g in pieces], dtype=bool)
    bi, ci, pieces = bi[keep], ci[keep], pieces[keep]
    order = np.lexsort((ci, bi))
    attrs = admin[cols].iloc[ci[order]].reset_index(drop=True)
    return gpd.GeoDataFrame(attrs, geometry=list(pieces[order]), crs="EPSG:4326")


def dissolve_pieces(pieces: gpd.GeoDataFrame, by: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """``pieces.dissolve(by=by, as_index=False, aggfunc="first")[columns + geometry]``: one row per value of
    ``by`` (sorted; missing values dropped), the other columns from the group's first piece.

    A group's pieces are put together as one MultiPolygon; where that is valid (interiors disjoint, boundaries
    meeting at points at most) it covers exactly their union. Otherwise, as for overlapping user polygons, they
    are unioned."""
    codes, _keys = pd.factorize(pieces[by], sort=True)
    ok = codes >= 0
    idx = np.flatnonzero(ok)
    codes = codes[ok]
    order = idx[np.argsort(codes, kind="stable")]
    sorted_codes = np.sort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(order) else np.zeros(0, int)
    geoms = np.asarray(pieces.geometry.values, dtype=object)
    out = []
    for s, e in zip(starts, list(starts[1:]) + [len(order)]):
        group = geoms[order[s:e]]
        if len(group) == 1:
            out.append(group[0])
            continue
        parts = shapely.get_parts(group)
        merged = shapely.multipolygons(parts)
        out.append(merged if shapely.is_valid(merged) else shapely.union_all(group))
    first = pieces.iloc[order[starts]]
    frame = pd.DataFrame({c: first[c].to_numpy() for c in columns})
    return gpd.GeoDataFrame(frame, geometry=out, crs=pieces.crs)
