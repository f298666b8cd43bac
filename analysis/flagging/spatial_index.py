"""Where points lie: a point index, polygon membership and the CHP plants' geodesic radii.

The index buckets points by thin rows of y (a radix sort of small integers, linear in the number of points),
so the points in a box are a contiguous run of rows filtered on x and y. Membership in polygons
(:func:`locate`) is a bounding-box prefilter followed by ``shapely.intersects_xy`` on prepared polygons. For
many points a :class:`GridFrame` puts each point in a cell once; a :class:`CoverGrid` of some polygons then
answers every point whose cell no polygon edge comes near, and only the rest are tested. Plant radii come
from a local-plane distance band and the exact WGS84 geodesic only where the band cannot decide.
"""
from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Tuple

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
# Below this many points the bounding-box test alone is quicker than setting a grid up.
GRID_MIN_POINTS = 100_000
# Cells of a grid: about one per point, at least this many and at most that many (measured on Shanxi's 119
# counties: with 4M cells about 5 % of the points share a cell with a county edge and are tested exactly).
GRID_CELLS = (250_000, 4_000_000)
# Points worked on at once where whole-layer temporaries would be hundreds of MB (GridFrame).
BLOCK_POINTS = 1 << 20
_MAX_ROWS = 32_000  # row numbers fit int16, which numpy sorts by radix


class PointIndex:
    """Points bucketed by rows of y, so the points inside a box are found with two binary searches and a
    filter of the rows between. ``rows``: index only these points (indices into ``x``/``y``, which
    :meth:`in_box` returns in any case)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, rows: Optional[np.ndarray] = None):
        self.x, self.y = x, y
        if rows is None:
            valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        else:
            valid = rows[np.isfinite(x[rows]) & np.isfinite(y[rows])]
        yv = y[valid]
        self.y0 = float(yv.min()) if len(yv) else 0.0
        span = float(yv.max()) - self.y0 if len(yv) else 0.0
        n_rows = int(min(_MAX_ROWS, max(1, len(valid) // 16)))
        self.row_h = span / n_rows if span > 0 else 1.0
        rows_of = self._row(yv)
        srt = np.argsort(rows_of, kind="stable")
        self.order = valid[srt]
        self.rows = rows_of[srt]
        self.xs = x[self.order]
        self.ys = y[self.order]

    def _row(self, y: Any) -> Any:
        return np.clip(np.floor((np.asarray(y, dtype=float) - self.y0) / self.row_h), -1, _MAX_ROWS).astype(np.int16)

    def _row_of(self, y: float) -> int:
        """:meth:`_row` of one value, without numpy's overhead for a scalar (a box is looked up per polygon)."""
        v = (float(y) - self.y0) / self.row_h
        if not math.isfinite(v):
            return -1 if v < 0 else _MAX_ROWS
        return min(max(math.floor(v), -1), _MAX_ROWS)

    def in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Indices of points within the box (edges included)."""
        # the key as int16 like the rows: a Python int would make numpy convert all the rows on every call
        lo = np.searchsorted(self.rows, np.int16(self._row_of(miny)), "left")
        hi = np.searchsorted(self.rows, np.int16(self._row_of(maxy)), "right")
        xc, yc = self.xs[lo:hi], self.ys[lo:hi]
        return self.order[lo:hi][(xc >= minx) & (xc <= maxx) & (yc >= miny) & (yc <= maxy)]


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


class GridFrame:
    """A grid of square cells over an extent (lon/lat), and each point's cell in it, worked out once for a
    layer: every :class:`CoverGrid` and plant box of the layer then reads cells, not coordinates."""

    def __init__(self, x: np.ndarray, y: np.ndarray, bounds: Tuple[float, float, float, float]):
        self.x, self.y = x, y
        self.x0, self.y0 = float(bounds[0]), float(bounds[1])
        w, h = float(bounds[2]) - self.x0, float(bounds[3]) - self.y0
        cells = int(np.clip(len(x), *GRID_CELLS))
        self.cell = float(np.sqrt(w * h / cells)) if w > 0 and h > 0 else max(w, h, 1e-9)
        self.nx, self.ny = int(w / self.cell) + 1, int(h / self.cell) + 1
        # Each point's cell, row-major; -1 outside the grid or without coordinates (NaN compares false). A block
        # of points at a time: the temporaries are a few MB the allocator hands back warm, where whole-layer ones
        # (10M points: some 600 MB) cost more in fresh memory than in arithmetic.
        self.cell_of = np.empty(len(x), dtype=np.int32 if self.nx * self.ny < 2 ** 31 else np.int64)
        with np.errstate(invalid="ignore"):
            for s in range(0, len(x), BLOCK_POINTS):
                fx, fy = (x[s:s + BLOCK_POINTS] - self.x0) / self.cell, (y[s:s + BLOCK_POINTS] - self.y0) / self.cell
                inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
                cell = fy.astype(np.int64) * self.nx + fx.astype(np.int64)  # any number outside: replaced next
                cell[~inside] = -1
                self.cell_of[s:s + BLOCK_POINTS] = cell
        self.outside = np.flatnonzero((self.cell_of < 0) & np.isfinite(x) & np.isfinite(y))

    def cells(self, x: np.ndarray, y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Column and row of coordinates, clipped to one cell beyond the grid on every side."""
        return (np.clip(np.floor((x - self.x0) / self.cell), -1, self.nx).astype(np.int64),
                np.clip(np.floor((y - self.y0) / self.cell), -1, self.ny).astype(np.int64))

    def box_points(self, boxes: Sequence[Tuple[float, float, float, float]]) -> np.ndarray:
        """The points whose cell overlaps one of ``boxes`` (a superset of the points inside), plus any point
        outside the grid; ascending."""
        near = np.zeros((self.ny, self.nx), dtype=bool)
        for minx, miny, maxx, maxy in boxes:
            (c0, c1), (r0, r1) = self.cells(np.array([minx, maxx]), np.array([miny, maxy]))
            near[max(r0, 0):min(r1, self.ny - 1) + 1, max(c0, 0):min(c1, self.nx - 1) + 1] = True
        inside = self.cell_of >= 0
        hit = np.zeros(len(self.x), dtype=bool)
        hit[inside] = near.ravel()[self.cell_of[inside]]
        hit[self.outside] = True
        return np.flatnonzero(hit)


class CoverGrid:
    """The cells of a :class:`GridFrame` that know the answer of :func:`locate` for every point in them.

    Every vertex of the geometries, with edges cut to at most half a cell, marks its cell and the eight around
    it. A point of an edge lies within a quarter cell of such a vertex, so no edge touches an unmarked (clean)
    cell, even allowing for rounding at cell borders. Along a row, a run of clean cells is then connected and
    crosses no edge: each geometry covers all of it or none of it, so one exact test of the run's first cell
    centre answers for every point in the run. Points in marked cells, and outside the grid, are tested
    exactly.
    """

    def __init__(self, frame: GridFrame, geoms: Sequence[Any]):
        self.frame, self.geoms = frame, list(geoms)
        f = frame
        live = [g for g in self.geoms if g is not None and not g.is_empty]
        # Two cells of padding on every side: vertex cells run from -1 to n, and mark one more around.
        marked = np.zeros((f.ny + 4, f.nx + 4), dtype=bool)
        if live:
            xy = shapely.get_coordinates(shapely.segmentize(np.asarray(live, dtype=object), f.cell / 2))
            vx, vy = f.cells(xy[:, 0], xy[:, 1])
            for dx in (1, 2, 3):
                for dy in (1, 2, 3):
                    marked[vy + dy, vx + dx] = True
        clean = ~marked[2:-2, 2:-2].ravel()
        first = clean.copy()  # a run starts at a clean cell whose left neighbour is marked or off the row
        first[1:] &= ~clean[:-1]
        first[::f.nx] = clean[::f.nx]
        starts = np.flatnonzero(first)
        cx = f.x0 + (starts % f.nx + 0.5) * f.cell
        cy = f.y0 + (starts // f.nx + 0.5) * f.cell
        run_label = locate(PointIndex(cx, cy), self.geoms) if live else np.full(len(starts), -1, dtype=np.int64)
        run = np.cumsum(first) - 1
        self.label = np.where(clean, run_label[np.maximum(run, 0)] if len(starts) else -2, -2).astype(np.int32)

    def locate(self) -> np.ndarray:
        """The first geometry covering each point of the frame, else -1 (no coordinates: -1)."""
        f = self.frame
        result = np.empty(len(f.x), dtype=np.int64)
        unsure_parts = []
        for s in range(0, len(f.x), BLOCK_POINTS):  # a block at a time, as GridFrame works the cells out
            cell = f.cell_of[s:s + BLOCK_POINTS]
            lab = np.where(cell >= 0, self.label[np.maximum(cell, 0)], -1)
            result[s:s + BLOCK_POINTS] = lab
            unsure_parts.append(np.flatnonzero(lab == -2) + s)
        unsure = np.concatenate([*unsure_parts, f.outside])
        if len(unsure):
            result[unsure] = locate(PointIndex(f.x, f.y, unsure), self.geoms)[unsure]
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

    @staticmethod
    def boxes(plants: gpd.GeoDataFrame) -> List[Tuple[float, float, float, float]]:
        """Per plant, the box its candidates are taken from."""
        out = []
        for lon0, lat0, radius_km in zip(plants["lon"], plants["lat"], plants["radius_km"]):
            r = float(radius_km) * 1000.0
            dlat = 1.3 * r / 111_000.0
            dlon = dlat / max(np.cos(np.radians(lat0)), 0.1)
            out.append((lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat))
        return out

    def __init__(self, index: PointIndex, plants: gpd.GeoDataFrame, own_ids: Optional[np.ndarray]):
        """``index``: of every point, or of those whose cell meets a plant box (:meth:`GridFrame.box_points`)."""
        self.index, self.own_ids = index, own_ids
        n = len(index.x)
        self.member = np.zeros(n, bool)
        self.cands: List[Tuple[float, float, float, str, np.ndarray]] = []
        for lon0, lat0, radius_km, pid, box in zip(plants["lon"], plants["lat"], plants["radius_km"],
                                                   plants["ent_id"], self.boxes(plants)):
            r = float(radius_km) * 1000.0
            cand = index.in_box(*box)
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
        ids, back = np.unique(np.asarray(idx, dtype=np.int64), return_inverse=True)
        best = np.full(len(ids), np.inf)
        which = np.full(len(ids), -1, dtype=np.int64)
        for j, (lon0, lat0, r, _pid, cand) in enumerate(self.cands):
            # the plant's candidates among the rows asked for, as positions in ``ids``
            at = np.minimum(np.searchsorted(ids, cand), max(len(ids) - 1, 0))
            hit = ids[at] == cand if len(ids) else np.zeros(len(cand), bool)
            c, at = cand[hit], at[hit]
            if len(c) == 0:
                continue
            dist = geod_distances(lon0, lat0, self.index.x[c], self.index.y[c])
            ok = (dist <= r) & (dist < best[at])
            best[at[ok]] = dist[ok]
            which[at[ok]] = j
        return best[back], which[back]
