"""GDAL's Python bindings with errors as return codes, said explicitly, for the length of one call."""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator


@contextmanager
def gdal_return_codes() -> Iterator[None]:
    """Errors as return codes in gdal, ogr and osr for this block (usable as a decorator).

    GDAL >= 3.9 warns (FutureWarning) when code relies on the unset default. The process-wide switch
    (gdal.UseExceptions) belongs to QGIS and other plugins; GDAL's ExceptionMgr (3.7+) sets it for this
    thread and block only and restores it after.
    """
    from osgeo import gdal, ogr, osr

    with ExitStack() as stack:
        for module in (gdal, ogr, osr):
            manager = getattr(module, "ExceptionMgr", None)
            if manager is not None:
                stack.enter_context(manager(useExceptions=False))
        yield
