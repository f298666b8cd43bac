"""A scratch folder for files that are made only to be zipped: in GDAL's memory (``/vsimem/``) when pyogrio
writes through the same GDAL as its Python bindings (as inside QGIS), else on disk.

A county package is a dozen small shapefiles and a GeoPackage of as many layers. On disk, every one of them is
files created, synced and read back for the zip: about a third of the packages' time. In memory, GDAL does the
same work without the file system.
"""
from __future__ import annotations

import functools
import itertools
from pathlib import Path
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


class ScratchFolder:
    """Files written by GDAL (pyogrio) by path and read back as bytes; removed by :meth:`close`.

    ``disk``: the folder to use when GDAL's memory is not shared, or ``memory`` is False (created by the caller,
    removed by it)."""

    def __init__(self, disk: Path, memory: bool = True):
        self.in_memory = memory and memory_shared()
        if self.in_memory:
            self.root = f"/vsimem/bluesky_scratch_{next(_COUNTER)}"
        else:
            self.root = str(disk)

    def path(self, name: str) -> str:
        """Where GDAL writes ``name``."""
        return f"{self.root}/{name}"

    def names(self) -> List[str]:
        """The files in the folder."""
        if not self.in_memory:
            return sorted(p.name for p in Path(self.root).iterdir() if p.is_file())
        from osgeo import gdal

        return sorted(gdal.ReadDir(self.root) or [])

    def exists(self, name: str) -> bool:
        if not self.in_memory:
            return Path(self.path(name)).is_file()
        from osgeo import gdal

        return gdal.VSIStatL(self.path(name)) is not None

    def read(self, name: str) -> bytes:
        if not self.in_memory:
            return Path(self.path(name)).read_bytes()
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
        if not self.in_memory:
            Path(self.path(name)).unlink(missing_ok=True)
            return
        from osgeo import gdal

        gdal.Unlink(self.path(name))

    def close(self) -> None:
        """Free the memory the files held (a disk folder is the caller's to remove)."""
        if not self.in_memory:
            return
        from osgeo import gdal

        for name in self.names():
            self.remove(name)
        try:
            gdal.Rmdir(self.root)  # the folder entry GDAL made for the files (absent if none was written)
        except RuntimeError:  # GDAL's exceptions turned on: no such folder
            pass
