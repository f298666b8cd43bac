"""The manifest of a run's set of outputs, ``run.json`` beside them: when, from which inputs and parameters,
and each file's size and SHA-256. Later steps (and the dock) read it to tell a whole set from a mixed one."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from ..common.atomic import atomic_path

PathLike = Union[str, "os.PathLike[str]"]
MANIFEST = "run.json"
VERSION = 1


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entries(folder: PathLike, names: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """{relative path: {size, sha256}} of the files ``names`` name (a folder stands for every file in it)."""
    root = Path(folder)
    out: Dict[str, Dict[str, Any]] = {}
    for name in names:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                out[f.relative_to(root).as_posix()] = {"size": f.stat().st_size, "sha256": _digest(f)}
    return out


def _jsonable(value: Any) -> Any:
    """numpy numbers (the run's parameters) as Python ones; anything else as text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _write(target: Path, data: Mapping[str, Any]) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_jsonable), encoding="utf-8")


def write_manifest(folder: PathLike, names: Iterable[str], inputs: Mapping[str, Any],
                   params: Mapping[str, Any], extra: Optional[Mapping[str, Any]] = None) -> Path:
    """Write ``folder/run.json`` for the files ``names`` (whole or not at all)."""
    data = {"version": VERSION, "written_at": _dt.datetime.now().isoformat(timespec="seconds"),
            "inputs": {k: str(v) for k, v in inputs.items() if v}, "params": dict(params),
            "files": file_entries(folder, names)}
    data.update(extra or {})
    target = Path(folder) / MANIFEST
    _write(target, data)
    return target


def read_manifest(folder: PathLike) -> Optional[Dict[str, Any]]:
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def add_to_manifest(folder: PathLike, names: Iterable[str]) -> None:
    """Record outputs written later into a run's folder (the dock's atlas, workbook, packages)."""
    data = read_manifest(folder)
    if data is None:
        return
    data.setdefault("files", {}).update(file_entries(folder, names))
    _write(Path(folder) / MANIFEST, data)


def manifest_names(data: Optional[Mapping[str, Any]]) -> List[str]:
    """The top-level names (files and folders) a manifest's files live under."""
    return sorted({k.split("/", 1)[0] for k in (data or {}).get("files", {})})


@dataclass
class SetState:
    """Whether a folder's outputs are the whole set its manifest lists."""

    has_manifest: bool
    problems: List[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return self.has_manifest and not self.problems

    def text_zh(self, folder: PathLike) -> str:
        if not self.has_manifest:
            return f"「{folder}」没有运行记录（{MANIFEST}）：无法确认其中成果出自同一次运行"
        if self.problems:
            return f"「{folder}」中的成果与运行记录不符，可能是中断的运行留下的混合结果：" + "；".join(self.problems[:5])
        return f"「{folder}」中的成果完整，出自同一次运行"


def set_state(folder: PathLike, names: Optional[Iterable[str]] = None) -> SetState:
    """Compare the files on disk with the manifest (``names``: only these files, e.g. the ones a step reads)."""
    data = read_manifest(folder)
    if data is None:
        return SetState(False)
    files = data.get("files", {})
    wanted = list(names) if names is not None else list(files)
    problems = []
    root = Path(folder)
    for name in wanted:
        entry = files.get(name)
        path = root / name
        if entry is None:
            problems.append(f"{name} 不在运行记录中")
        elif not path.is_file():
            problems.append(f"{name} 缺失")
        elif path.stat().st_size != entry["size"] or _digest(path) != entry["sha256"]:
            problems.append(f"{name} 已被另一次运行改写")
    return SetState(True, problems)
