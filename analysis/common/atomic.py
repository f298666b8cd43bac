"""The one way an output is written: to a temporary name beside it, checked, and renamed over it only when
complete and whole.

A reader (QGIS, a county bureau opening a zip) never sees half a file, and a failure, a cancel or a file that
fails its check (a PDF cut short by a full disk, a blank atlas) leaves the previous file, if any, as it was.
"""
from __future__ import annotations

import errno
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from .errors import OutputError, UserError
from .file_checks import check_by_suffix

PathLike = Union[str, "os.PathLike[str]"]
PART = ".part"  # the temporary names: ".<stem>-<id>.part<suffix>" (debris of a killed run is found by it)
_NO_SPACE_WORDS = ("no space left", "disk is full", "database or disk is full", "disk full")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def is_no_space(exc: BaseException, folder: Optional[PathLike] = None) -> bool:
    """A full disk, however the writer said it: OSError ENOSPC, SQLite's "disk is full", or GDAL's bare "Failed
    to commit transaction" while ``folder``'s disk has (almost) nothing left."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc).lower()
    if any(w in text for w in _NO_SPACE_WORDS):
        return True
    try:
        return folder is not None and shutil.disk_usage(str(folder)).free < 1024 * 1024
    except OSError:
        return False


def no_space_error(folder: PathLike, needed: int = 0) -> OutputError:
    """"磁盘空间不足" naming the folder, the space left and (when known) the space needed."""
    free = shutil.disk_usage(folder).free if os.path.isdir(folder) else 0
    mb = 1024 * 1024
    need_zh = f"，约需 {max(needed // mb, 1)} MB" if needed else ""
    need_en = f", about {max(needed // mb, 1)} MB needed" if needed else ""
    return OutputError(f"磁盘空间不足：「{folder}」所在磁盘仅剩 {free // mb} MB{need_zh}；已有文件未被替换 / "
                       f"no space left on the disk of {folder}: {free // mb} MB left{need_en}; existing files were "
                       f"kept")


@contextmanager
def atomic_path(path: PathLike, check: Optional[Callable[[Path], None]] = check_by_suffix) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder (a hidden name with the same suffix, which drivers such as
    GDAL's read the format from; nothing exists there yet); when the block ends normally the file is checked
    (``check``, by default the check of its kind: file_checks.check_by_suffix) and then replaces ``path`` (a file
    or a folder). On any exception, or a failed check, it is removed and ``path`` is left untouched; a full disk
    becomes an OutputError that says so."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}{PART}{target.suffix}")
    try:
        try:
            yield tmp
        except UserError:
            raise
        except Exception as exc:
            if is_no_space(exc, target.parent):
                written = _size(tmp) if tmp.exists() else 0
                raise no_space_error(target.parent, max(written, _size(target)) * 2) from exc
            raise
        if check is not None and tmp.exists():
            try:
                check(tmp)
            except OutputError as exc:  # a file cut short by a full disk says so; any other names the target
                if is_no_space(exc, target.parent):
                    raise no_space_error(target.parent, max(_size(tmp), _size(target)) * 2) from exc
                raise OutputError(str(exc).replace(tmp.name, target.name)) from exc
        if target.is_dir() and tmp.is_dir():  # os.replace cannot put a folder over a folder on Windows
            _remove(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists() or tmp.is_symlink():
            _remove(tmp)
