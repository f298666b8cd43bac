"""What the Shanxi demo is made of on disk: its version, seed, file names and the paths handed to callers.

Every demo module reads these; the public entry re-exports them (``demo/data.py``). Every file is
written whole or not at all through :func:`atomic.atomic_path`, so a half-written list never meets the stamp.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from ..analysis.common.atomic import atomic_path

# 4: villages (三(二)7), plant rail/clean-transport fields, key coal mines, ~40 coal washing plants
# 3: CHP columns in the plant list, small CHP units inside a radius
GENERATOR_VERSION = "4"
SEED = 20200312
STAMP_NAME = ".demo_stamp.json"

FILE_NAMES: Dict[str, str] = {
    "admin_gpkg": "shanxi_counties.gpkg",
    "builtup_tif": "builtup_synthetic.tif",
    "boilers": "boilers_synthetic_gcj02.xlsx",
    "mines": "mines_synthetic.csv",
    "plants": "plants_synthetic.xlsx",
    "chp": "chp_synthetic.xlsx",
    "villages": "villages_synthetic.xlsx",
    "note": "README_synthetic_合成数据说明.txt",
}
COORD_SYSTEMS_BY_LIST: Dict[str, str] = {"boilers": "GCJ02", "mines": "WGS84", "plants": "WGS84", "chp": "WGS84",
                                         "villages": "WGS84"}
ROW_COUNTS: Dict[str, int] = {"boilers": 5000, "mines": 800, "plants": 1500, "chp": 40}
# The enterprise lists (what ``DemoData.lists`` returns); the village list is no enterprise list and the
# loaders that import ``lists`` by enterprise kind would not know it.
ENTERPRISE_LISTS: Tuple[str, ...] = ("boilers", "mines", "plants", "chp")

# Sheet names as the bureaus' workbooks have them.
SHEETS: Dict[str, str] = {"boilers": "锅炉清单", "plants": "企业清单", "chp": "热电厂清单", "villages": "村庄清洁取暖台账"}


@dataclass
class DemoData:
    """Paths of the generated demo files and their row counts."""

    root: Path
    admin_gpkg: Path
    builtup_tif: Path
    boilers: Path
    mines: Path
    plants: Path
    chp: Path
    villages: Path
    note: Path
    coord_systems: Dict[str, str] = field(default_factory=lambda: dict(COORD_SYSTEMS_BY_LIST))
    counts: Dict[str, int] = field(default_factory=dict)
    admin_layers: Tuple[str, str] = ("counties", "cities")

    @property
    def lists(self) -> Dict[str, Path]:
        """Enterprise list paths by layer kind key (boilers, mines, plants, chp); the villages are ``villages``."""
        return {key: getattr(self, key) for key in ENTERPRISE_LISTS}


def draw(rng: np.random.Generator, words: Sequence[str], p: Optional[Sequence[float]] = None) -> str:
    """One of ``words`` (weights ``p``, else uniform). For the thousands of one-value draws of the lists added in
    version 4: plain indexing, where ``Generator.choice`` costs ~0.1 ms a call."""
    if p is None:
        return words[int(rng.integers(len(words)))]
    k = int(np.searchsorted(np.cumsum(p), rng.random() * float(np.sum(p)), side="right"))
    return words[min(k, len(words) - 1)]


def demo_paths(root: Path, counts: Dict[str, int]) -> DemoData:
    """The demo's paths in ``root`` by :data:`FILE_NAMES`."""
    return DemoData(root=root, counts=dict(counts), **{k: root / v for k, v in FILE_NAMES.items()})


def write_xlsx(df: pd.DataFrame, target: Path, sheet: str) -> None:
    with atomic_path(target) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name=sheet, index=False)


def write_csv(df: pd.DataFrame, target: Path) -> None:
    """UTF-8 with a BOM, as Excel on a Chinese Windows saves 'CSV UTF-8' (and reads it back without mojibake)."""
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")


def write_text(text: str, target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(obj: dict, target: Path) -> None:
    write_text(json.dumps(obj, ensure_ascii=False, indent=1), target)


def read_json(path: Path):
    """The JSON in ``path``, None when it is missing or unreadable (a stamp to regenerate)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
