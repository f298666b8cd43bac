"""The one way an output is written: to a temporary name beside it, renamed over it only when complete.

A reader (QGIS, a county bureau opening a zip) never sees half a file, and a failure or a cancel leaves the
previous file, if any, as it was.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Union

PathLike = Union[str, "os.PathLike[str]"]


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextmanager
def atomic_path(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder (a hidden name with the same suffix, which drivers such as
    GDAL's read the format from; nothing exists there yet); when the block ends normally it replaces ``path``
    (a file or a folder), and on any exception it is removed and ``path`` is left untouched."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}.part{target.suffix}")
    try:
        yield tmp
        if target.is_dir() and tmp.is_dir():  # os.replace cannot put a folder over a folder on Windows
            _remove(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists() or tmp.is_symlink():
            _remove(tmp)
