"""Big GeoPackage point layers written in bulk: the rows, and the R-tree spatial index.

GDAL before 3.8 writes feature by feature (about 4 µs a row for a flag table) and inserts every feature into
the R-tree one by one (SQLite's R-tree module, about 10 µs a feature: most of a minute for the 4.6M verdicts
of 10M boilers). GDAL 3.8 and later take a whole table through the Arrow interface and fill the R-tree in
bulk, but turning millions of rows of Python text into Arrow costs more than it saves (the 4.6M verdicts on
GDAL 3.10: 65 s through Arrow, 39 s here). So on every GDAL, GDAL makes the layer while it is still empty,
with its index, and the table, the R-tree, their triggers and the GeoPackage's own tables are GDAL's; the
triggers are set aside (:func:`triggers_aside`) while the rows go in a chunk at a time, each chunk an image of
its rows that SQLite copies (:mod:`.sqlite_image`) or else prepared inserts of many rows each
(:func:`insert_points`: the standard GeoPackage point blob, the layer's extent and feature count kept as GDAL
keeps them), and the R-tree's nodes are written whole (:func:`plan_rtree`: packed sort-tile-recursive, in the
layout SQLite's R-tree module reads, ``rtreecheck()`` passes; worked out by another thread while the rows go in,
and stored between their chunks, or by :func:`write_rtree` after GDAL's rows); then the triggers are put back,
so later edits in QGIS keep everything up to date.
"""
from __future__ import annotations

import math
import sqlite3
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Deque, Iterator, List, Optional, Tuple, Union

import numpy as np

from . import sqlite_image

# Layers with fewer features keep GDAL's own way (a second or less).
BULK_MIN_ROWS = 50_000
# Rows per chunk (an image or an executemany; R-tree entries per statement): a few MB to tens of MB at a time,
# below the size from which the C allocator maps fresh memory (and gives it back) for every chunk.
CHUNK_ROWS = 50_000
# Rows per INSERT (a multi-row VALUES): one step of SQLite per many rows, not one per row (4.6M verdicts: about a
# fifth less time). Bounded by SQLite's limit on bound values (999 before SQLite 3.32, 32766 since).
ROWS_PER_STATEMENT = 2_000
# Chunks go to SQLite as images of their rows where Python has ``deserialize`` (3.11+): about half the time of
# binding them (:mod:`.sqlite_image`). The attached schema that holds the image of the chunk being copied:
IMAGES = True
_IMAGE = "bulk_image"
# R-tree leaf-map rows (fid, leaf) per image (two integers a row, some 6 MB): a step of SQLite's about as long as a
# few chunks of rows, so that the steps fit between the chunks.
_MAP_ROWS = 250_000
# Chunks (images or bound rows, some 10 MB each) built ahead of the one SQLite stores.
_QUEUED = 3
# One cell of a node: the rowid (leaf) or child node number, then min x, max x, min y, max y; big-endian.
_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])


def _name(table: str, column: str) -> str:
    return f"rtree_{table}_{column}"


def geometry_column(con: sqlite3.Connection, table: str) -> str:
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                      (table,)).fetchone()
    if row is None:
        raise ValueError(f"{table}: no geometry column in gpkg_geometry_columns")
    return str(row[0])


@contextmanager
def triggers_aside(path: Union[str, Path], table: str) -> Iterator[None]:
    """The layer's triggers (R-tree, feature count) dropped for the duration: their SQL as GDAL wrote it is
    kept and put back."""
    con = sqlite3.connect(str(path))
    try:
        saved = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                            (table,)).fetchall()
        for name, _sql in saved:
            con.execute(f'DROP TRIGGER "{name}"')  # nosec B608 # names of our own layer's GDAL tables; values are bound
        con.commit()
    finally:
        con.close()
    try:
        yield
    finally:
        con = sqlite3.connect(str(path))
        try:
            for _trigger, sql in saved:
                con.execute(sql)
            con.commit()
        finally:
            con.close()


def _float32_down(v: np.ndarray) -> np.ndarray:
    f = v.astype(np.float32)
    above = f > v
    f[above] = np.nextafter(f[above], np.float32(-np.inf))
    return f


def _float32_up(v: np.ndarray) -> np.ndarray:
    f = v.astype(np.float32)
    below = f < v
    f[below] = np.nextafter(f[below], np.float32(np.inf))
    return f


def _str_order(boxes: np.ndarray, per_node: int) -> np.ndarray:
    """Sort-tile-recursive order: vertical slices of about √(nodes) nodes each by x centre, then by y centre
    within a slice; consecutive runs of ``per_node`` then make compact nodes."""
    n = len(boxes)
    cx = boxes[:, 0].astype(float) + boxes[:, 1]
    cy = boxes[:, 2].astype(float) + boxes[:, 3]
    slices = max(1, math.ceil(math.sqrt(math.ceil(n / per_node))))
    per_slice = slices * per_node
    # A box's slice is its x centre's rank // per_slice: the centres at the ranks where slices start, found by
    # one partition (not a sort of all), tell it. Equal centres at a slice start all go to the later slice.
    starts = np.arange(per_slice, n, per_slice)
    slice_of = np.searchsorted(np.partition(cx, starts)[starts], cx, side="right")
    # (slice, y centre) as one float key, y scaled into [0, 0.5): one sort instead of a two-key lexsort (half
    # the time for millions of boxes); a slice number needs few of the 52 bits, y keeps the rest.
    low, span = float(cy.min()), float(np.ptp(cy))
    return np.argsort(slice_of + ((cy - low) / (2 * span) if span > 0 else 0.0))


def _node_blobs(ids: np.ndarray, boxes: np.ndarray, per_node: int, node_size: int, depth: int) -> List[bytes]:
    """Nodes of ``per_node`` consecutive cells (the last one may hold fewer), each ``node_size`` bytes: depth
    (read from the root only), cell count, cells, zeros."""
    n = len(ids)
    nodes = math.ceil(n / per_node)
    cells = np.zeros(nodes * per_node, dtype=_CELL)
    cells["id"][:n] = ids
    cells["box"][:n] = boxes
    raw = np.zeros((nodes, node_size), dtype=np.uint8)
    counts = np.full(nodes, per_node, dtype=">u2")
    counts[-1] = n - per_node * (nodes - 1)
    raw[:, 0:2] = np.full(nodes, depth, dtype=">u2").view(np.uint8).reshape(nodes, 2)
    raw[:, 2:4] = counts.view(np.uint8).reshape(nodes, 2)
    raw[:, 4:4 + per_node * _CELL.itemsize] = cells.view(np.uint8).reshape(nodes, per_node * _CELL.itemsize)
    return [row.tobytes() for row in raw]


class _ImageRefused(Exception):
    """SQLite could not read an image of rows: a fault of :mod:`.sqlite_image`, never written anywhere."""


@dataclass
class RtreePlan:
    """A layer's packed R-tree, worked out from its features' boxes alone (:func:`plan_rtree`), so that it can be
    made while the rows go in, and written after them (:func:`write_rtree`)."""

    entries: int  # features indexed (those with a box)
    root: Optional[bytes]  # node 1; None when no feature has a box
    nodes: List[Tuple[int, bytes]]  # the other nodes: (number, blob)
    leaf_of: np.ndarray  # by fid - 1: the leaf holding the feature, 0 for a feature left out
    parents: np.ndarray  # (node, its parent) for every node below the root


def rtree_node_size(path: Union[str, Path], table: str) -> int:
    """The bytes of one node of the layer's R-tree (SQLite's R-tree module fixes it when GDAL makes the index)."""
    con = sqlite3.connect(str(path))
    try:
        rtree = _name(table, geometry_column(con, table))
        return int(con.execute(f'SELECT length(data) FROM "{rtree}_node" WHERE nodeno = 1').fetchone()[0])  # nosec B608 # names of our own layer's GDAL tables; values are bound
    finally:
        con.close()


def plan_rtree(bounds: np.ndarray, node_size: int) -> RtreePlan:
    """The packed R-tree (sort-tile-recursive) of features with fids 1 … n in the order of ``bounds`` (n × (minx,
    miny, maxx, maxy); NaN for a missing or empty geometry, which the index leaves out, as GDAL's triggers do).
    Numpy only (it lets go of Python's lock for the sorts): a thread can make it while SQLite stores the rows."""
    bounds = np.asarray(bounds, dtype=float).reshape(-1, 4)
    per_node = (node_size - 4) // _CELL.itemsize
    keep = np.flatnonzero(np.isfinite(bounds).all(axis=1))
    fids = keep.astype(np.int64) + 1
    boxes = np.column_stack([_float32_down(bounds[keep, 0]), _float32_up(bounds[keep, 2]),
                             _float32_down(bounds[keep, 1]), _float32_up(bounds[keep, 3])])
    # Levels from the leaves up; node 1 is the root, the others are numbered from 2 as they come.
    ids, level, next_node = fids, 0, 2
    node_rows: List[Tuple[int, bytes]] = []
    parent_of: List[np.ndarray] = []
    leaf_of = np.zeros(len(bounds), dtype=np.int64)
    while len(ids) > per_node:
        order = _str_order(boxes, per_node)
        ids, boxes = ids[order], boxes[order]
        nodes = math.ceil(len(ids) / per_node)
        numbers = np.arange(next_node, next_node + nodes, dtype=np.int64)
        next_node += nodes
        node_rows += zip(numbers.tolist(), _node_blobs(ids, boxes, per_node, node_size, 0))
        holder = np.repeat(numbers, per_node)[:len(ids)]
        if level == 0:
            leaf_of[ids - 1] = holder
        else:
            parent_of.append(np.column_stack([ids, holder]))
        starts = np.arange(0, len(ids), per_node)
        boxes = np.column_stack([np.minimum.reduceat(boxes[:, 0], starts), np.maximum.reduceat(boxes[:, 1], starts),
                                 np.minimum.reduceat(boxes[:, 2], starts), np.maximum.reduceat(boxes[:, 3], starts)])
        ids, level = numbers, level + 1
    # The root holds what is left; its first two bytes say how many levels lie below it.
    root = _node_blobs(ids, boxes, per_node, node_size, level)[0] if len(ids) else None
    if level == 0:
        leaf_of[ids - 1] = 1
    else:
        parent_of.append(np.column_stack([ids, np.ones(len(ids), dtype=np.int64)]))
    parents = np.concatenate(parent_of) if parent_of else np.zeros((0, 2), dtype=np.int64)
    return RtreePlan(len(keep), root, node_rows, leaf_of, parents)


def write_rtree(path: Union[str, Path], table: str, plan: RtreePlan) -> int:
    """Write a :func:`plan_rtree` into the layer's empty R-tree; the layer's fids must be 1 … n, n the plan's
    features. Returns the number of entries."""
    con = sqlite3.connect(str(path))
    try:
        rtree = _name(table, geometry_column(con, table))
        _check_rtree_empty(con, table, rtree)
        _check_fids(con, table, len(plan.leaf_of))
        images = _images(con)
        if images:
            con.execute(f"ATTACH DATABASE ':memory:' AS {_IMAGE}")  # before the transaction, which ATTACH may not enter
        con.execute("PRAGMA synchronous = OFF")  # a temporary file: atomic_path renames it only when whole
        try:
            for step in rtree_steps(con, rtree, plan, images):
                step()
        except _ImageRefused:  # the R-tree's writes undone, and done again without images
            con.rollback()
            con.execute(f"DETACH DATABASE {_IMAGE}")
            for step in rtree_steps(con, rtree, plan, False):
                step()
        con.commit()
        return plan.entries
    finally:
        con.close()


def _check_rtree_empty(con: sqlite3.Connection, table: str, rtree: str) -> None:
    if con.execute(f'SELECT count(*) FROM "{rtree}_rowid"').fetchone()[0]:  # nosec B608 # names of our own layer's GDAL tables; values are bound
        raise RuntimeError(f"{table}: the R-tree is not empty")


def _check_fids(con: sqlite3.Connection, table: str, n: int) -> None:
    """The layer's fids are 1 … n, as the R-tree's plan numbers its features."""
    # min and max each alone: SQLite reads them off the ends of the key's B-tree (together, it scans the table)
    first = con.execute(f'SELECT min(fid) FROM "{table}"').fetchone()[0]  # nosec B608 # names of our own layer's GDAL tables; values are bound
    last = con.execute(f'SELECT max(fid) FROM "{table}"').fetchone()[0]  # nosec B608 # names of our own layer's GDAL tables; values are bound
    count = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # nosec B608 # names of our own layer's GDAL tables; values are bound
    if count != n or (count and (first, last) != (1, count)):
        raise RuntimeError(f"{table}: fids are not 1 … {n} as written ({first}, {last}, {count})")


def rtree_steps(con: sqlite3.Connection, rtree: str, plan: RtreePlan, images: bool) -> List[Callable[[], None]]:
    """A plan's writes as steps of a second or less each, to run in order: the nodes, the leaf map a part at a
    time (images of (fid, leaf) rows, with ``images`` and ``_IMAGE`` attached; else JSON arrays SQLite reads
    itself), the parents. A step raises :class:`_ImageRefused` when SQLite cannot read its image."""
    rowid_table = f"{rtree}_rowid"

    def nodes() -> None:
        if plan.root is not None:
            con.execute(f'UPDATE "{rtree}_node" SET data = ? WHERE nodeno = 1', (plan.root,))  # nosec B608 # names of our own layer's GDAL tables; values are bound
        con.executemany(f'INSERT INTO "{rtree}_node" (nodeno, data) VALUES (?, ?)', plan.nodes)  # nosec B608 # names of our own layer's GDAL tables; values are bound

    def parents() -> None:
        con.executemany(f'INSERT INTO "{rtree}_parent" (nodeno, parentnode) VALUES (?, ?)', plan.parents.tolist())  # nosec B608 # names of our own layer's GDAL tables; values are bound

    fids = np.flatnonzero(plan.leaf_of) + 1
    if images:
        maps = [lambda part=fids[s:s + _MAP_ROWS]: _copy_leaf_map(con, rowid_table, part, plan.leaf_of[part - 1])
                for s in range(0, len(fids), _MAP_ROWS)]
    else:
        maps = [lambda: _insert_leaf_map(con, rowid_table, plan.leaf_of)]
    return [nodes, *maps, parents]


def _copy_image(con: sqlite3.Connection, image: np.ndarray, sql: str) -> None:
    """Attach ``image`` as ``_IMAGE`` and run ``sql``, which copies from it; :class:`_ImageRefused` when SQLite
    cannot read the image (the statement then took none of it)."""
    try:
        con.deserialize(image, name=_IMAGE)
        con.execute(sql)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            raise _ImageRefused(str(exc)) from exc
        raise


def _copy_leaf_map(con: sqlite3.Connection, rowid_table: str, fids: np.ndarray, leaves: np.ndarray) -> None:
    image = sqlite_image.table_image({"fid": sqlite_image.int_column(fids), "leaf": sqlite_image.int_column(leaves)}, {})
    _copy_image(con, image, f'INSERT INTO "{rowid_table}" (rowid, nodeno) SELECT fid, leaf FROM {_IMAGE}.{sqlite_image.TABLE}')  # nosec B608 # names of our own layer's GDAL tables; values are bound


def _insert_leaf_map(con: sqlite3.Connection, rowid_table: str, leaf_of: np.ndarray) -> None:
    """Every indexed feature's leaf, by fid, as JSON arrays SQLite reads itself (json_each), a chunk at a time:
    bound one by one from Python, millions take twice as long."""
    done = 0
    try:
        while done < len(leaf_of):
            part = leaf_of[done:done + CHUNK_ROWS]
            con.execute(f'INSERT INTO "{rowid_table}" (rowid, nodeno) SELECT key + ?, value FROM json_each(?) '  # nosec B608 # names of our own layer's GDAL tables; values are bound
                        f'WHERE value > 0', (done + 1, "[" + ",".join(map(str, part.tolist())) + "]"))
            done += len(part)
    except sqlite3.OperationalError:  # an SQLite without JSON (before 3.38, built without it)
        rest = np.flatnonzero(leaf_of[done:]) + done + 1
        con.executemany(f'INSERT INTO "{rowid_table}" (rowid, nodeno) VALUES (?, ?)',  # nosec B608 # names of our own layer's GDAL tables; values are bound
                        zip(rest.tolist(), leaf_of[rest - 1].tolist()))


# The GeoPackage blob of a 2D point: "GP", version 0, flags (little-endian, no envelope; 0x10 more: empty),
# the SRS id, then the WKB point (byte order 1, type 1, x, y) — what GDAL writes.
_POINT_BLOB = 29


def _point_blob_matrix(x: np.ndarray, y: np.ndarray, srs_id: int, empty: np.ndarray) -> np.ndarray:
    n = len(x)
    raw = np.zeros((n, _POINT_BLOB), dtype=np.uint8)
    raw[:, 0:2] = np.frombuffer(b"GP", dtype=np.uint8)
    raw[:, 3] = np.where(empty, 0x11, 0x01)
    raw[:, 4:8] = np.frombuffer(np.int32(srs_id).astype("<i4").tobytes(), dtype=np.uint8)
    raw[:, 8] = 1
    raw[:, 9:13] = np.frombuffer(np.uint32(1).astype("<u4").tobytes(), dtype=np.uint8)
    xy = np.column_stack([np.where(empty, np.nan, x), np.where(empty, np.nan, y)]).astype("<f8")
    raw[:, 13:29] = xy.view(np.uint8).reshape(n, 16)
    return raw


def _blob_list(raw: np.ndarray) -> List[bytes]:
    """Rows of a blob matrix as bytes values for binding (void items come out as bytes, trailing zeros kept)."""
    return raw.view(f"V{raw.shape[1]}").ravel().tolist()


def _cell_values(column: Any) -> Optional[np.ndarray]:
    """A column as an object array of SQLite values (None for a blank), or None when its type is not a plain
    one."""
    import pandas as pd

    dtype = column.dtype
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        values = column.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None  # numbers, dates or mixed values in an object column: GDAL knows how to write them
        blank = pd.isna(values)
        if blank.any():
            values = values.copy()  # may be a view of the frame's own array, which stays as it was
            values[blank] = None
        return values
    if pd.api.types.is_bool_dtype(dtype) or not (pd.api.types.is_integer_dtype(dtype) or
                                                 pd.api.types.is_float_dtype(dtype)):
        return None
    if isinstance(dtype, np.dtype):
        return column.to_numpy().astype(object)  # Python ints and floats; NaN binds as NULL
    return column.to_numpy(dtype=object, na_value=None)  # nullable Int64 / Float64


def _variable_limit(con: sqlite3.Connection) -> int:
    """How many values one statement may bind (Python 3.11 and later ask SQLite; before, SQLite's old default)."""
    try:
        return int(con.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:
        return 999


def point_coords(geoms: np.ndarray) -> Optional[Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """(x, y, present, empty) of an array of 2D points or missing geometries (x, y NaN where there is no
    point), else None: a layer of other geometries, or with Z, is GDAL's to write."""
    import shapely

    kind = shapely.get_type_id(geoms)  # -1: missing
    if not ((kind == 0) | (kind == -1)).all() or shapely.has_z(geoms).any():
        return None
    present = kind == 0
    empty = present & shapely.is_empty(geoms)
    real = present & ~empty
    if real.all():  # the usual case: no copy of the geometries
        return shapely.get_x(geoms), shapely.get_y(geoms), present, empty
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)  # NaN where no point: blob and index
    x[real], y[real] = shapely.get_x(geoms[real]), shapely.get_y(geoms[real])
    return x, y, present, empty


class _InOrder:
    """The chunks' statements, one at a time and in order, on a thread of their own: SQLite copies chunk k while
    chunks k + 1 … are built (SQLite lets go of Python's lock while it works). Up to ``_QUEUED`` jobs wait their
    turn, so a long one (an R-tree step) does not hold the building up. Once a job has failed, the ones after it
    do nothing. The connection is used by one thread at a time: the caller touches it only before the first job
    and after :meth:`wait` or :meth:`close`."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="gpkg_bulk")
        self._pending: Deque[Future] = deque()
        self._failed = False

    def submit(self, job: Callable[[], None]) -> None:
        while len(self._pending) >= _QUEUED:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._run, job))

    def _run(self, job: Callable[[], None]) -> None:
        if self._failed:
            return  # an earlier job failed: the caller rolls back
        try:
            job()
        except BaseException:
            self._failed = True
            raise

    def wait(self) -> None:
        """Until every job has ended; the first error, if any, is raised here."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Let a running job end (outcomes dropped: the caller is already failing), and the thread with it."""
        for job in self._pending:
            job.cancel()
        futures_wait(list(self._pending))
        self._pending.clear()
        self._pool.shutdown()


def _images(con: sqlite3.Connection) -> bool:
    """Whether rows go to SQLite as images (:mod:`.sqlite_image`): Python 3.11+ can hand SQLite one."""
    return IMAGES and hasattr(con, "deserialize")


def _image_kinds(frame: Any, cols: List[str]) -> Optional[List[str]]:
    """Each column's kind in an image ("int", "float", "text"), or None when a column has another type
    (nullable numbers, dates, booleans; or the image's own rowid name): then every row is bound, as the types
    are GDAL's to judge."""
    import pandas as pd

    if sqlite_image.ROW_COLUMN in cols:
        return None
    kinds = []
    for c in cols:
        dtype = frame[c].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            kinds.append("text")
        elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
            kinds.append("int")
        elif isinstance(dtype, np.dtype) and dtype.kind == "f":
            kinds.append("float")
        else:
            return None
    return kinds


def _chunk_image(gcol: str, blobs: np.ndarray, columns: List[Any], kinds: List[str], part: slice) -> np.ndarray:
    fixed = {gcol: sqlite_image.blob_column(blobs)}
    texts = {}
    for col, kind in zip(columns, kinds):
        values = col.iloc[part]
        if kind == "int":
            fixed[col.name] = sqlite_image.int_column(values.to_numpy())
        elif kind == "float":
            fixed[col.name] = sqlite_image.float_column(values.to_numpy())
        else:
            texts[col.name] = values.to_numpy(dtype=object)
    return sqlite_image.table_image(fixed, texts)


def insert_points(path: Union[str, Path], table: str, frame: Any,
                  coords: Optional[Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = None,
                  rtree: Optional[Future[RtreePlan]] = None) -> bool:
    """Insert a GeoDataFrame of points (or missing geometries) into the empty GDAL-made layer ``table`` whose
    triggers are aside, as GDAL would: the rows with fids 1 … n, the layer's extent and feature count. False
    (nothing written) when a geometry is not a point or a column not of a plain type: GDAL writes those.

    ``coords``: the frame's :func:`point_coords`, when the caller has them. Rows go in ``CHUNK_ROWS`` at a time
    in one transaction, each chunk as an image of its rows that SQLite copies (:mod:`.sqlite_image`, Python
    3.11+), else bound as values; so what is handed to SQLite exists for a chunk or two at a time (for millions
    of rows, gigabytes otherwise). A chunk that cannot be bound rolls the whole insert back.

    ``rtree``: the layer's :func:`plan_rtree`, being made by another thread. Its writes (:func:`rtree_steps`) go
    in the same transaction, one after each chunk from the moment the plan is ready, so SQLite stores them while
    the next chunk is built; the R-tree (empty before) is then whole when True is returned, and untouched when
    False is."""
    coords = coords if coords is not None else point_coords(np.asarray(frame.geometry.values, dtype=object))
    if coords is None:
        return False
    x, y, present, empty = coords
    con = sqlite3.connect(str(path), check_same_thread=False)  # used by _InOrder's thread, one at a time
    try:
        gcol = geometry_column(con, table)
        srs_id = int(con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                                 (table,)).fetchone()[0])
        declared = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]  # nosec B608 # names of our own layer's GDAL tables; values are bound
        cols = [c for c in frame.columns if c != frame.geometry.name]
        if set(cols) - set(declared):
            return False
        if con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]:  # nosec B608 # names of our own layer's GDAL tables; values are bound
            raise RuntimeError(f"{table}: the layer is not empty")
        rtree_name = _name(table, gcol)
        if rtree is not None:
            _check_rtree_empty(con, table, rtree_name)
        names = ", ".join(f'"{c}"' for c in [gcol] + cols)
        one = f"({', '.join('?' * (len(cols) + 1))})"
        per = max(1, min(ROWS_PER_STATEMENT, _variable_limit(con) // (len(cols) + 1)))
        sql_one = f'INSERT INTO "{table}" ({names}) VALUES {one}'  # nosec B608 # names of our own layer's GDAL tables; values are bound
        sql_many = f'INSERT INTO "{table}" ({names}) VALUES {", ".join([one] * per)}'  # nosec B608 # names of our own layer's GDAL tables; values are bound
        sql_image = (f'INSERT INTO "{table}" ({names}) SELECT {names} FROM {_IMAGE}.{sqlite_image.TABLE} '  # nosec B608 # names of our own layer's GDAL tables; values are bound
                     f'ORDER BY "{sqlite_image.ROW_COLUMN}"')
        kinds = _image_kinds(frame, cols) if _images(con) else None
        if kinds is not None:
            con.execute(f"ATTACH DATABASE ':memory:' AS {_IMAGE}")  # before the transaction, which ATTACH may not enter
        con.execute("PRAGMA synchronous = OFF")  # a temporary file: atomic_path renames it only when whole
        columns = [frame[c] for c in cols]

        def bind(cells: np.ndarray) -> None:
            whole = len(cells) // per * per  # whole statements take ``per`` rows each, as one flat row, in order
            if whole:
                con.executemany(sql_many, cells[:whole].reshape(-1, per * cells.shape[1]).tolist())
            con.executemany(sql_one, cells[whole:].tolist())

        # The R-tree's steps once its plan is ready: the writer thread runs one after each chunk it stores.
        steps: Deque[Callable[[], None]] = deque()
        planned = rtree is None

        def then_a_step(job: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                job()
                if steps:
                    steps.popleft()()
            return run

        writer = _InOrder()
        try:
            for start in range(0, len(frame), CHUNK_ROWS):
                if not planned and rtree.done():
                    steps.extend(rtree_steps(con, rtree_name, rtree.result(), kinds is not None))
                    planned = True
                part = slice(start, min(len(frame), start + CHUNK_ROWS))
                blobs = _point_blob_matrix(x[part], y[part], srs_id, empty[part])
                if kinds is not None and present[part].all():
                    try:
                        image = _chunk_image(gcol, blobs, columns, kinds, part)
                    except sqlite_image.NotImaged:
                        pass  # this chunk's rows are bound
                    else:
                        writer.submit(then_a_step(lambda image=image: _copy_image(con, image, sql_image)))
                        continue
                # The chunk's values as one (rows × columns) object array (fids follow the frame).
                cells = np.empty((part.stop - part.start, len(cols) + 1), dtype=object)
                for j, col in enumerate(columns, start=1):
                    values = _cell_values(col.iloc[part])
                    if values is None:
                        writer.close()
                        con.rollback()  # numbers, dates or mixed values in a text column: GDAL writes the layer
                        return False
                    cells[:, j] = values
                cells[:, 0] = _blob_list(blobs)
                cells[~present[part], 0] = None
                writer.submit(then_a_step(lambda cells=cells: bind(cells)))
                del cells
            writer.wait()
            if not planned:
                steps.extend(rtree_steps(con, rtree_name, rtree.result(), kinds is not None))
            while steps:  # what the chunks left of the R-tree
                steps.popleft()()
            if rtree is not None:
                _check_fids(con, table, len(frame))
        except (sqlite3.InterfaceError, sqlite3.ProgrammingError, OverflowError, _ImageRefused):
            writer.close()
            con.rollback()  # a value sqlite3 cannot bind, an image SQLite cannot read: GDAL writes the layer
            return False
        finally:
            writer.close()
        real = present & ~empty
        if real.any():
            con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                        "WHERE lower(table_name) = lower(?)",
                        (float(np.nanmin(x)), float(np.nanmin(y)), float(np.nanmax(x)), float(np.nanmax(y)),
                         table))
        con.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                    "WHERE lower(table_name) = lower(?)", (table,))
        con.commit()
    finally:
        con.close()
    set_feature_count(path, table, len(frame))
    return True


def set_feature_count(path: Union[str, Path], table: str, n: int) -> None:
    """The layer's feature count in ``gpkg_ogr_contents``, which its triggers (set aside) did not keep."""
    con = sqlite3.connect(str(path))
    try:
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)", (n, table))
        con.commit()
    finally:
        con.close()
