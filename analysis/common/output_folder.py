"""An output folder before a run writes into it: writable, not holding an input the run would replace, enough
space, and no debris of a killed run; then the run's set staged beside it and swapped in.

The set is written into a hidden staging folder inside the output folder (same disk: the swap is renames) and
swapped in file by file at the very end; the manifest (reports/run_manifest.py) is removed first and written
last, so a reader can always tell a whole set from one a killed swap left mixed.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

from .atomic import PART, no_space_error
from .errors import OutputError

PathLike = Union[str, "os.PathLike[str]"]
STAGING_PREFIX = ".bluesky-staging-"
# scratch folders the county packages make beside their zips (layers/county_packages.py)
SCRATCH_PREFIXES = (STAGING_PREFIX, "bluesky_pkg_")
MB = 1024 * 1024


def check_writable(folder: PathLike) -> Path:
    """Make ``folder`` if needed and write a test file there: a read-only or forbidden folder is refused now,
    before any analysis, with a message naming it."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=str(path), prefix=".bluesky-write-test-"):
            pass
    except OSError as exc:
        raise OutputError(f"输出文件夹「{path}」不可写（只读、没有权限或无法创建），请选择另一个文件夹 / "
                          f"the output folder {path} is not writable: {exc.strerror or exc}") from exc
    return path


def check_space(folder: PathLike, needed: int) -> None:
    """Refuse before the run when the folder's disk has less than ``needed`` bytes free."""
    if shutil.disk_usage(str(folder)).free < needed:
        raise no_space_error(folder, needed)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def inputs_in_the_way(outputs: Iterable[PathLike], inputs: Iterable[PathLike]) -> List[Tuple[Path, Path]]:
    """(input, output) pairs where writing ``output`` would replace or delete ``input``: the same file, or an
    input inside an output folder. Inputs are file paths (a layer's source without its ``|layername=…``)."""
    pairs = []
    ins = [Path(str(i).split("|")[0]) for i in inputs if i]
    for out in (Path(o) for o in outputs):
        for inp in ins:
            resolved_in, resolved_out = inp.resolve(), out.resolve()
            if resolved_in == resolved_out or _same(inp, out) or resolved_out in resolved_in.parents:
                pairs.append((inp, out))
    return pairs


def refuse_overwrite(pairs: Sequence[Tuple[Path, Path]]) -> None:
    """An OutputError naming the first input an output would replace, and how many there are."""
    if not pairs:
        return
    inp, out = pairs[0]
    more = f"（共 {len(pairs)} 处）" if len(pairs) > 1 else ""
    raise OutputError(f"输出会覆盖输入：「{inp}」是本次的输入，也是要写出的「{out}」{more}。输入文件从不被改写，"
                      f"请选择另一个输出文件夹 / the output {out} would replace the input {inp}; choose another "
                      f"output folder")


def clean_debris(folder: PathLike) -> List[Path]:
    """Remove what killed runs left in ``folder`` and its subfolders one level down: temporary ``.*.part*``
    files of the atomic writer and the plugin's scratch folders. Only names the plugin makes are touched."""
    root = Path(folder)
    removed: List[Path] = []
    if not root.is_dir():
        return removed
    for parent in [root] + [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(STAGING_PREFIX)]:
        for item in parent.iterdir():
            name = item.name
            if (name.startswith(".") and PART in name) or name.startswith(SCRATCH_PREFIXES):
                if item.is_dir() and not item.is_symlink():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)
                removed.append(item)
    return removed


def staging_folder(folder: PathLike) -> Path:
    """A new hidden folder inside ``folder`` for the run's set (same disk: the swap is renames)."""
    path = Path(folder) / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def swap_in(staging: PathLike, folder: PathLike, names: Sequence[str], stale: Sequence[str] = (),
            before: Optional[Callable[[], None]] = None) -> None:
    """Move ``names`` (files or folders) from ``staging`` into ``folder``, replacing what is there; remove the
    ``stale`` names (the previous set's files this run did not make); ``before`` runs first (it removes the
    manifest: the set is "changing" until a new one is written)."""
    staging, folder = Path(staging), Path(folder)
    if before is not None:
        before()
    for name in names:
        src, dst = staging / name, folder / name
        if dst.is_dir() and not dst.is_symlink():
            shutil.rmtree(dst)
        os.replace(src, dst)
    for name in stale:
        if name not in names:
            old = folder / name
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            elif old.exists():
                old.unlink()
    shutil.rmtree(staging, ignore_errors=True)
