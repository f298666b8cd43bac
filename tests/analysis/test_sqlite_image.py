"""Images of rows built in numpy (analysis/reports/sqlite_image.py) are databases SQLite reads whole: its own
integrity check passes, and every value comes back as it went in, with the type binding it would give."""
from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from bluesky_zoning.analysis.reports import sqlite_image

WORDS = np.array(["晋源区", "", None, float("nan"), "a" * 127, "b" * 128, "😀 astral", "长" * 2728,
                  "c" * sqlite_image.MAX_TEXT_BYTES], dtype=object)


def _open(image: np.ndarray) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.deserialize(image)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    return con


@pytest.mark.parametrize("rows", [1, 3, 20_000])
def test_an_image_reads_back_as_its_rows(rows):
    rng = np.random.default_rng(rows)
    ints = rng.integers(-2 ** 62, 2 ** 62, rows)
    ints[0] = 2 ** 63 - 1 if rows > 1 else -1
    floats = rng.normal(size=rows)
    floats[-1] = np.nan
    floats[0] = np.inf if rows > 1 else floats[0]
    blobs = rng.integers(0, 256, (rows, 29)).astype(np.uint8)
    words = WORDS[rng.integers(0, len(WORDS), rows)]
    ids = np.array([str(i) for i in range(rows)], dtype=object)
    image = sqlite_image.table_image(
        {"i": sqlite_image.int_column(ints), "f": sqlite_image.float_column(floats),
         "g": sqlite_image.blob_column(blobs)},
        {"word": words, "id": ids})
    con = _open(image)
    got = con.execute(f'SELECT "{sqlite_image.ROW_COLUMN}", i, f, g, word, id, typeof(word), typeof(f) FROM t '
                      f'ORDER BY 1').fetchall()
    blank = [w is None or w != w for w in words]
    want = [(k + 1, int(ints[k]), None if np.isnan(floats[k]) else float(floats[k]), blobs[k].tobytes(),
             None if blank[k] else words[k], ids[k], "null" if blank[k] else "text",
             "null" if np.isnan(floats[k]) else "real") for k in range(rows)]
    assert got == want
    pages = len(image) // sqlite_image.PAGE
    assert pages == (2 if rows < 10 else con.execute("PRAGMA page_count").fetchone()[0])
    if rows == 20_000:
        assert pages > 100  # a root above many leaves


def test_sqlite_copies_an_image_as_it_would_the_values_bound():
    """Through INSERT … SELECT, the destination's column types apply as they do to bound values."""
    floats, ints = np.array([2.0, np.nan, 2.5]), np.array([1, 2, 3])
    words = np.array(["7", None, "x"], dtype=object)
    image = sqlite_image.table_image({"f": sqlite_image.float_column(floats), "i": sqlite_image.int_column(ints)},
                                     {"w": words})
    con = sqlite3.connect(":memory:")
    con.execute("ATTACH DATABASE ':memory:' AS img")
    con.deserialize(image, name="img")
    for table in ("copied", "bound"):
        con.execute(f"CREATE TABLE {table} (f REAL, i INTEGER, w TEXT)")
    con.execute("INSERT INTO copied SELECT f, i, w FROM img.t")
    con.executemany("INSERT INTO bound VALUES (?, ?, ?)", zip(floats.tolist(), ints.tolist(), words.tolist()))
    read = "SELECT f, typeof(f), i, typeof(i), w, typeof(w) FROM {} ORDER BY rowid"
    assert con.execute(read.format("copied")).fetchall() == con.execute(read.format("bound")).fetchall()


@pytest.mark.parametrize("texts, why", [
    ({"w": np.array(["a\x00b"], dtype=object)}, "NUL"),
    ({"w": np.array(["d" * (sqlite_image.MAX_TEXT_BYTES + 1)], dtype=object)}, "over"),
    ({"w": np.array(["d" * 3 * 8000], dtype=object)}, "over"),
    ({"w": np.array(["a", 7], dtype=object)}, "str"),
    ({f"w{k}": np.array(["d" * 8000], dtype=object) for k in range(9)}, "page"),
])
def test_rows_an_image_does_not_hold_are_refused(texts, why):
    with pytest.raises(sqlite_image.NotImaged, match=why):
        sqlite_image.table_image({}, texts)


def test_unsigned_integers_beyond_sqlites_range_are_refused():
    with pytest.raises(sqlite_image.NotImaged):
        sqlite_image.int_column(np.array([2 ** 63], dtype=np.uint64))
    assert sqlite_image.int_column(np.array([2 ** 63 - 1], dtype=np.uint64))[1].tobytes() == b"\x7f" + b"\xff" * 7


def test_an_image_of_fixed_width_columns_only_reads_back():
    """An R-tree's leaf map (fid, leaf): integers only, so the prefixes are the cells."""
    fids = np.arange(1, 30_001) * 3
    leaves = np.arange(30_000) // 167 + 2
    image = sqlite_image.table_image({"fid": sqlite_image.int_column(fids), "leaf": sqlite_image.int_column(leaves)}, {})
    con = _open(image)
    assert con.execute("PRAGMA page_count").fetchone()[0] > 10
    assert con.execute("SELECT fid, leaf FROM t ORDER BY rowid").fetchall() == list(zip(fids.tolist(), leaves.tolist()))
