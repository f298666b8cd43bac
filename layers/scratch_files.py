"""Files made only to be zipped, kept in GDAL's memory (``/vsimem/``) when pyogrio writes through the same GDAL
as its Python bindings (as inside QGIS).

A county package is a dozen small shapefiles: on disk, each is files created, synced and read back for the zip,
about a third of the packages' time. In memory, GDAL does the same work without the file system. Where the
memory is not shared (a pyogrio wheel with a GDAL of its own), callers write to their work folder instead.
"""
from __future__ import annotations

import functools
import itertools
from typing import List

_COUNTER = itertools.count()  # next() on it is atomic: threads get distinct names


@functools.lru_cache(maxsize=1)
def memory_shared() -> bool:
    """Whether a file pyogrio writes into ``/vsimem/`` can be read through GDAL's Python bindings: one GDAL
    library for both. A pyogrio wheel carrying a GDAL of its own has a memory of its own, invisible here."""
    try:
        import pandas as pd
        import pyogrio
        from osgeo import gdal
    except ImportError:
        return False
    probe = f"/vsimem/bluesky_scratch_probe_{next(_COUNTER)}.csv"
    try:
        pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), probe, driver="CSV")
    except Exception:  # noqa: BLE001 - any failure means: use the disk
        return False
    shared = gdal.VSIStatL(probe) is not None
    if shared:  # (else the probe's few bytes stay in pyogrio's own memory, once per process)
        gdal.Unlink(probe)
    return shared


class MemoryFolder:
    """A folder in GDAL's memory: files written by pyogrio by path, read back as bytes, freed by :meth:`close`.
    Only for use when :func:`memory_shared` is true."""

    def __init__(self):
        self.root = f"/vsimem/bluesky_scratch_{next(_COUNTER)}"

    def path(self, name: str) -> str:
        """Where GDAL writes ``name``."""
        return f"{self.root}/{name}"

    def names(self) -> List[str]:
        from osgeo import gdal

        return sorted(gdal.ReadDir(self.root) or [])

    def exists(self, name: str) -> bool:
        from osgeo import gdal

        return gdal.VSIStatL(self.path(name)) is not None

    def read(self, name: str) -> bytes:
        from osgeo import gdal

        handle = gdal.VSIFOpenL(self.path(name), "rb")
        if handle is None:
            raise FileNotFoundError(self.path(name))
        try:
            gdal.VSIFSeekL(handle, 0, 2)
            size = gdal.VSIFTellL(handle)
            gdal.VSIFSeekL(handle, 0, 0)
            data = gdal.VSIFReadL(1, size, handle) if size else b""
        finally:
            gdal.VSIFCloseL(handle)
        if len(data) != size:
            raise OSError(f"{self.path(name)}: read {len(data)} of {size} bytes")
        return bytes(data)

    def remove(self, name: str) -> None:
        from osgeo import gdal

        gdal.Unlink(self.path(name))

    def close(self) -> None:
        """Free the memory the files held."""
        from osgeo import gdal

        for name in self.names():
            self.remove(name)
        try:
            gdal.Rmdir(self.root)  # the folder entry GDAL made for the files (absent if none was written)
        except RuntimeError:  # GDAL's exceptions turned on: no such folder
            pass
