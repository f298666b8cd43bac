"""Where points lie: a sorted-x point index, polygon membership and the CHP plants' geodesic radii.

Membership comes from a bounding-box prefilter on the sorted x (two binary searches) followed by
``shapely.intersects_xy`` on prepared polygons; plant radii from a local-plane distance band and the exact
WGS84 geodesic only where the band cannot decide.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


class PointIndex:
    """Points sorted by x, so the points inside a bounding box are found with two binary searches."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        self.x, self.y = x, y
        valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        self.order = valid[np.argsort(x[valid], kind="stable")]
        self.xs = x[self.order]
        self.ys = y[self.order]  # y in the same sorted order: a box's strip is a contiguous slice

    def in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Indices of points within the box (edges included)."""
        lo, hi = np.searchsorted(self.xs, minx, "left"), np.searchsorted(self.xs, maxx, "right")
        yc = self.ys[lo:hi]
        return self.order[lo:hi][(yc >= miny) & (yc <= maxy)]


def locate(index: PointIndex, geoms: Sequence[Any]) -> np.ndarray:
    """For each point, the position of the first geometry covering it (boundary included), else -1."""
    result = np.full(len(index.x), -1, dtype=np.int64)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        cand = index.in_box(*geom.bounds)
        cand = cand[result[cand] < 0]
        if len(cand) == 0:
            continue
        shapely.prepare(geom)
        hit = shapely.intersects_xy(geom, index.x[cand], index.y[cand])
        result[cand[hit]] = i
    return result


def geod_distances(lon0: float, lat0: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geodesic distances (m) from one point to many on the WGS84 ellipsoid."""
    if len(x) == 1:  # pyproj takes a scalar path for size-1 arrays
        return np.array([GEOD.inv(lon0, lat0, float(x[0]), float(y[0]))[2]])
    return np.asarray(GEOD.inv(np.full(len(x), lon0), np.full(len(x), lat0), x, y)[2])


class NearestPlants:
    """Which points lie within a ring plant's radius (geodesic, WGS84), and — for the rows asked for — the
    distance (m) to the nearest such plant and that plant's row. A plant never counts for itself (same
    ent_id). Points within no radius get inf / -1.

    Per plant, a generous box (1.3 × r in degrees at this latitude) and then a cheap local-plane distance
    (metres per degree of the WGS84 ellipsoid at the plant's latitude; its error here is well under 1 %)
    narrow the candidates: with a 1 % + 50 m margin, points farther than r*1.01 + 50 m are surely outside
    and points nearer than r*0.99 - 50 m surely inside. Only the band between needs the exact geodesic for
    membership; exact distances for every covering plant are computed only for the rows asked for (the
    rule's hits), in plant order, so the nearest plant and its distance are what a full pass would give.
    """

    def __init__(self, index: PointIndex, plants: gpd.GeoDataFrame, own_ids: Optional[np.ndarray]):
        self.index, self.own_ids = index, own_ids
        n = len(index.x)
        self.member = np.zeros(n, bool)
        self.cands: List[Tuple[float, float, float, str, np.ndarray]] = []
        for lon0, lat0, radius_km, pid in zip(plants["lon"], plants["lat"], plants["radius_km"], plants["ent_id"]):
            r = float(radius_km) * 1000.0
            dlat = 1.3 * r / 111_000.0
            dlon = dlat / max(np.cos(np.radians(lat0)), 0.1)
            cand = index.in_box(lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat)
            if len(cand):
                phi = np.radians(float(lat0))
                m_lat = 111_132.92 - 559.82 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
                m_lon = 111_412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi)
                dx = (index.x[cand] - lon0) * m_lon
                dy = (index.y[cand] - lat0) * m_lat
                d2 = dx * dx + dy * dy
                keep = d2 <= (r * 1.01 + 50.0) ** 2
                cand, d2 = cand[keep], d2[keep]
                if own_ids is not None:
                    not_own = own_ids[cand] != str(pid)
                    cand, d2 = cand[not_own], d2[not_own]
                inner = max(r * 0.99 - 50.0, 0.0)
                sure = d2 <= inner * inner
                self.member[cand[sure]] = True
                band = cand[~sure & ~self.member[cand]]
                if len(band):
                    dist = geod_distances(float(lon0), float(lat0), index.x[band], index.y[band])
                    self.member[band[dist <= r]] = True
            self.cands.append((float(lon0), float(lat0), r, str(pid), cand))

    def at(self, idx: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """(distance m, plant row) of the nearest covering plant for rows ``idx`` (inf / -1 if none)."""
        n = len(self.index.x)
        wanted = np.zeros(n, bool)
        wanted[idx] = True
        best = np.full(n, np.inf)
        which = np.full(n, -1, dtype=np.int64)
        for j, (lon0, lat0, r, _pid, cand) in enumerate(self.cands):
            c = cand[wanted[cand]]
            if len(c) == 0:
                continue
            dist = geod_distances(lon0, lat0, self.index.x[c], self.index.y[c])
            ok = (dist <= r) & (dist < best[c])
            best[c[ok]] = dist[ok]
            which[c[ok]] = j
        return best[idx], which[idx]
