"""Enterprise lists (XLSX / CSV tables or point layers) → canonical enterprise GeoDataFrames.

Every value goes through the parsers of :mod:`.parsing`; whatever cannot be read is recorded in a
problems table (ent_id, layer, row, field, raw, problem) — never silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..common.errors import CanceledError, UserError
from ..schema.fields import (
    AREA_POINT_KINDS,
    LAYER_KINDS,
    field_def,
    field_names,
    guess_field_mapping,
    unit_in_column,
)
from .messages import table_too_many_bytes
from .parsing import FIELD_PARSERS, parse_number, parse_series
from .table_read import BYTES_PER_ROW, DEFAULT_MAX_ROWS, TableTooLargeError, byte_limit, read_csv, read_xlsx
from .validation import InputError, check_unique_columns
from .villages import derive_village_fields, points_of_polygons

PROBLEM_COLUMNS = ["ent_id", "layer", "row", "field", "raw", "problem"]
# A loose box around China: coordinates outside it are wrong, swapped or projected.
LON_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)


@dataclass
class EnterpriseTable:
    """Canonical enterprises of one layer and the problems met while reading them."""

    gdf: gpd.GeoDataFrame
    problems: pd.DataFrame
    kind: str
    layer_name: str
    mapping: Dict[str, Optional[str]] = field(default_factory=dict)
    # True when positions come from point geometries (a layer), not from lon/lat columns (a table).
    from_geometry: bool = False

    @property
    def count(self) -> int:
        """Number of input rows."""
        return len(self.gdf)


def read_table(path: Union[str, Path], sheet: Union[int, str] = 0, max_rows: int = DEFAULT_MAX_ROWS,
               progress: Optional[Callable[[float], None]] = None,
               is_canceled: Optional[Callable[[], bool]] = None) -> pd.DataFrame:
    """Read an XLSX/XLS or CSV list as raw values (CSV encoding: UTF-8 with or without BOM, else GBK), within the
    row limit ``max_rows`` and the byte limit that goes with it (:mod:`.table_read`: a ``TableTooLargeError``
    before reading), calling ``progress(fraction)`` and ``is_canceled()`` while reading (``CanceledError``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            if suffix == ".xls":  # not a ZIP: its size on disk is its size
                size, limit = path.stat().st_size, byte_limit(max_rows)
                if size > limit:
                    raise TableTooLargeError(table_too_many_bytes(path.name, None, size, limit, max_rows,
                                                                  BYTES_PER_ROW, unzipped=False))
                df = pd.read_excel(path, sheet_name=sheet, dtype=object)
            else:
                df = read_xlsx(path, sheet, max_rows, progress, is_canceled)
        except FileNotFoundError:
            raise InputError(f"找不到文件「{path}」/ file not found: {path}") from None
        except (UserError, CanceledError):
            raise
        except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors of a damaged file alike
            raise InputError(f"无法读取表格「{path.name}」：文件已损坏、已加密或不是 Excel 格式 / cannot read "
                             f"'{path.name}': damaged, encrypted or not an Excel file ({exc})") from exc
    elif suffix in (".csv", ".txt"):
        try:
            df = read_csv(path, max_rows, progress, is_canceled)
        except FileNotFoundError:
            raise InputError(f"找不到文件「{path}」/ file not found: {path}") from None
    else:
        raise InputError(f"不支持的表格格式 / unsupported table format: {path.name}")
    df.columns = [str(c).strip() for c in df.columns]
    return df.dropna(how="all").reset_index(drop=True) if len(df) else df


def _problem_frame(mask: np.ndarray, ent_ids: pd.Series, layer: str, rows: np.ndarray, fname: str,
                   raw: pd.Series, problems: pd.Series) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    return pd.DataFrame({
        "ent_id": ent_ids.to_numpy()[idx], "layer": layer, "row": rows[idx], "field": fname,
        "raw": np.array(["" if pd.isna(v) else str(v) for v in raw.to_numpy()[idx]], dtype=object),
        "problem": problems.to_numpy()[idx],
    })


def _parse_column(raw: pd.Series, fname: str, column: Optional[str], mw_per_tph: Optional[float]):
    """Parse one mapped column to canonical values; numeric columns take a vectorised fast path."""
    fdef_parser = FIELD_PARSERS[fname]
    label = next((f for f in (field_def(k, fname) for k in LAYER_KINDS) if f is not None), None)
    label_text = label.label if label else fname
    kwargs = {"label": label_text}
    if fname == "capacity_tph":
        unit = unit_in_column(column or "")
        kwargs.update(default_unit="MW" if unit in ("mw", "兆瓦") else "t/h", mw_per_tph=mw_per_tph)
    if label is not None and label.type == "number" and pd.api.types.is_numeric_dtype(raw.dtype) \
            and fname != "capacity_tph":
        values = raw.astype(float)
        bad = values < 0
        problems = pd.Series(np.where(bad, label_text + " '" + raw.astype(str) + "' 为负数，不合理", None),
                             index=raw.index, dtype=object)
        return values.where(~bad), problems
    values, problems = parse_series(raw, fdef_parser, **kwargs)
    if label is not None and label.type == "number":
        values = pd.to_numeric(values, errors="coerce")
    return values, problems


def _coordinates(df: pd.DataFrame, mapping: Mapping[str, Optional[str]]):
    """Numeric lon/lat arrays and their raw Series; unparseable cells become NaN with a problem."""
    out = {}
    for fname, label in (("lon", "经度"), ("lat", "纬度")):
        col = mapping.get(fname)
        raw = df[col] if col in df.columns else pd.Series(np.nan, index=df.index, dtype=object)
        num = pd.to_numeric(raw, errors="coerce")
        leftover = num.isna() & raw.notna()
        problems = pd.Series(None, index=df.index, dtype=object)
        if leftover.any():
            vals, probs = parse_series(raw[leftover], parse_number, label=label, min_value=-360.0, max_value=360.0)
            num = num.copy()
            num[leftover] = pd.to_numeric(vals, errors="coerce")
            problems[leftover] = probs
        out[fname] = (num.to_numpy(dtype=float), raw, problems)
    return out


def _coordinate_problems(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Chinese problem per row for missing / out-of-China / swapped coordinates (None when fine)."""
    msg = np.full(len(lon), None, dtype=object)
    missing = np.isnan(lon) | np.isnan(lat)
    in_box = (lon >= LON_RANGE[0]) & (lon <= LON_RANGE[1]) & (lat >= LAT_RANGE[0]) & (lat <= LAT_RANGE[1])
    swapped = (lat >= LON_RANGE[0]) & (lat <= LON_RANGE[1]) & (lon >= LAT_RANGE[0]) & (lon <= LAT_RANGE[1])
    msg[missing] = "缺少经纬度，无法定位"
    bad = ~missing & ~in_box
    msg[bad & swapped] = "经纬度可能填反，无法定位"
    msg[bad & ~swapped] = "坐标不在中国范围内（是否为投影坐标？），无法定位"
    return msg


def _canonical_frame(df: pd.DataFrame, kind: str, mapping: Mapping[str, Optional[str]], layer: str,
                     rows: np.ndarray, mw_per_tph: Optional[float]):
    """Canonical attribute columns (without coordinates) and the list of problem frames."""
    out = pd.DataFrame(index=df.index)
    problem_frames: List[pd.DataFrame] = []
    id_col = mapping.get("ent_id")
    ids_raw = df[id_col] if id_col in df.columns else pd.Series(np.nan, index=df.index, dtype=object)
    ids, _ = parse_series(ids_raw, FIELD_PARSERS["ent_id"])
    generated = ids.isna()
    ids = ids.where(~generated, pd.Series([f"{layer}-{r}" for r in rows], index=df.index))
    out["ent_id"] = ids.astype(str)
    if id_col in df.columns and generated.any():
        msg = pd.Series("编号为空，已按行号编为 " + out["ent_id"], index=df.index)
        problem_frames.append(_problem_frame(generated.to_numpy(), out["ent_id"], layer, rows, "ent_id",
                                             ids_raw, msg))
    for fname in field_names(kind):
        if fname in ("ent_id", "lon", "lat"):
            continue
        col = mapping.get(fname)
        if col is None or col not in df.columns:
            out[fname] = np.nan if field_def(kind, fname).type == "number" else None
            continue
        values, problems = _parse_column(df[col], fname, col, mw_per_tph)
        out[fname] = values
        bad = problems.notna().to_numpy()
        if bad.any():
            problem_frames.append(_problem_frame(bad, out["ent_id"], layer, rows, fname, df[col], problems))
    if kind == "chp":
        problem_frames.extend(_unknown_capacity(df, out, mapping, layer, rows, problem_frames))
    if kind == "village":
        for mask, fname, problem in derive_village_fields(out):
            col = mapping.get(fname)
            raw = df[col] if col in df.columns else pd.Series("", index=df.index, dtype=object)
            problem_frames.append(_problem_frame(mask, out["ent_id"], layer, rows, fname, raw,
                                                 pd.Series(problem, index=df.index)))
    return out, problem_frames


def _unknown_capacity(df: pd.DataFrame, out: pd.DataFrame, mapping: Mapping[str, Optional[str]], layer: str,
                      rows: np.ndarray, earlier: List[pd.DataFrame]) -> List[pd.DataFrame]:
    """A CHP plant without a capacity cannot be judged: whether it draws a 15 km ring depends on it."""
    blank = out["capacity_mw"].isna().to_numpy()
    for frame in earlier:  # an unparseable value is reported already, with its raw text
        if len(frame):
            # not &=: under copy-on-write the array pandas hands out is read-only
            blank = blank & ~np.isin(rows, frame.loc[frame["field"] == "capacity_mw", "row"].to_numpy())
    if not blank.any():
        return []
    col = mapping.get("capacity_mw")
    raw = df[col] if col in df.columns else pd.Series("", index=df.index, dtype=object)
    msg = pd.Series("装机容量为空：无法判断是否为30万千瓦及以上热电联产电厂，未构建其供热半径", index=df.index)
    return [_problem_frame(blank, out["ent_id"], layer, rows, "capacity_mw", raw, msg)]


def _finish(attrs: pd.DataFrame, lon: np.ndarray, lat: np.ndarray, rows: np.ndarray, kind: str,
            problem_frames: List[pd.DataFrame]) -> gpd.GeoDataFrame:
    ok = np.isfinite(lon) & np.isfinite(lat)
    geometry = gpd.points_from_xy(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0), crs="EPSG:4326")
    geometry = np.where(ok, np.asarray(geometry), None)
    attrs = attrs.copy()
    attrs["lon"] = lon
    attrs["lat"] = lat
    attrs["row"] = rows
    attrs["kind"] = kind
    cols = field_names(kind) + ["row", "kind"]
    return gpd.GeoDataFrame(attrs[cols].reset_index(drop=True), geometry=list(geometry) if len(attrs) else [],
                            crs="EPSG:4326")


def _problems(frames: List[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    return pd.concat(frames, ignore_index=True)[PROBLEM_COLUMNS].sort_values("row", kind="stable") \
        .reset_index(drop=True)


def enterprises_from_table(df: pd.DataFrame, kind: str, mapping: Optional[Mapping[str, Optional[str]]] = None,
                           coord_system: str = "WGS84", layer_name: Optional[str] = None,
                           mw_per_tph: Optional[float] = None) -> EnterpriseTable:
    """Canonical enterprises from a table with lon/lat columns in ``coord_system`` (converted to WGS84).

    ``row`` is the spreadsheet row number (header = row 1, first data row = 2), so a user can find it.
    """
    layer = layer_name or kind
    check_unique_columns(df, layer)
    mapping = dict(mapping) if mapping is not None else guess_field_mapping(df.columns, kind)
    df = df.reset_index(drop=True)
    rows = np.arange(len(df), dtype=np.int64) + 2
    attrs, frames = _canonical_frame(df, kind, mapping, layer, rows, mw_per_tph)
    coords = _coordinates(df, mapping)
    lon, lat = coords["lon"][0], coords["lat"][0]
    for fname in ("lon", "lat"):
        _num, raw, probs = coords[fname]
        bad = probs.notna().to_numpy()
        if bad.any():
            frames.append(_problem_frame(bad, attrs["ent_id"], layer, rows, fname, raw, probs))
    parse_failed = coords["lon"][2].notna().to_numpy() | coords["lat"][2].notna().to_numpy()
    msg = _coordinate_problems(lon, lat)
    report = (msg != None) & ~parse_failed  # noqa: E711 - elementwise test on an object array
    raw_pair = pd.Series([f"{a}, {b}" for a, b in zip(coords["lon"][1].to_numpy()[report],
                                                       coords["lat"][1].to_numpy()[report])], dtype=object)
    if report.any():
        frames.append(pd.DataFrame({"ent_id": attrs["ent_id"].to_numpy()[report], "layer": layer,
                                    "row": rows[report], "field": "lon,lat", "raw": raw_pair.to_numpy(),
                                    "problem": msg[report]}))
    usable = msg == None  # noqa: E711
    lon = np.where(usable, lon, np.nan)
    lat = np.where(usable, lat, np.nan)
    if usable.any() and str(coord_system).upper().replace("-", "") not in ("WGS84", "CGCS2000"):
        from .coords import to_wgs84  # lazy: only GCJ-02 / BD-09 lists need it

        lon_w, lat_w = to_wgs84(lon[usable], lat[usable], coord_system)
        lon[usable], lat[usable] = lon_w, lat_w
    gdf = _finish(attrs, lon, lat, rows, kind, frames)
    return EnterpriseTable(gdf, _problems(frames), kind, layer, dict(mapping))


def enterprises_from_gdf(gdf: gpd.GeoDataFrame, kind: str, mapping: Optional[Mapping[str, Optional[str]]] = None,
                         layer_name: Optional[str] = None, mw_per_tph: Optional[float] = None) -> EnterpriseTable:
    """Canonical enterprises from a point layer that already has geometry (any CRS → EPSG:4326)."""
    layer = layer_name or kind
    check_unique_columns(gdf, layer)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    mapping = dict(mapping) if mapping is not None else guess_field_mapping(cols, kind)
    mapping["lon"] = mapping["lat"] = None  # position comes from the geometry
    gdf = gdf.reset_index(drop=True)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    rows = np.arange(len(gdf), dtype=np.int64) + 1
    attrs, frames = _canonical_frame(pd.DataFrame(gdf[cols]), kind, mapping, layer, rows, mw_per_tph)
    geoms = gdf.geometry
    garr = np.asarray(geoms.values, dtype=object)
    if kind in AREA_POINT_KINDS:  # village polygons: judged at a point inside each
        garr = points_of_polygons(garr)
        geoms = gpd.GeoSeries(garr, index=gdf.index, crs=gdf.crs)
    missing = shapely.is_missing(garr)
    empty = ~missing & shapely.is_empty(np.where(missing, None, garr))
    types = shapely.get_type_id(garr)  # -1 None, 0 Point, 4 MultiPoint
    is_point = (types == 0) & ~empty
    multi = (types == 4) & ~empty
    # A MultiPoint with one part is common from shapefile exports: take its first point (and say so
    # when it has several).
    parr = np.where(is_point, garr, None)
    n_parts = np.zeros(len(garr), dtype=np.int64)
    if multi.any():
        n_parts[multi] = shapely.get_num_geometries(garr[multi])
        parr[multi] = shapely.get_geometry(garr[multi], 0)
        is_point = is_point | multi
    lon = np.full(len(garr), np.nan)
    lat = np.full(len(garr), np.nan)
    if is_point.any():
        lon[is_point] = shapely.get_x(parr[is_point])
        lat[is_point] = shapely.get_y(parr[is_point])
    is_point &= np.isfinite(lon) & np.isfinite(lat)
    type_names = pd.Series(np.asarray(geoms.geom_type.astype(object).fillna("None").astype(str)), index=gdf.index)
    nonpoint = ~is_point & ~missing & ~empty
    if nonpoint.any():
        probs = pd.Series("几何类型不是点：" + type_names, index=gdf.index)
        frames.append(_problem_frame(nonpoint, attrs["ent_id"], layer, rows, "geometry", type_names, probs))
    if empty.any():
        probs = pd.Series("空几何（" + type_names + " EMPTY），无法定位", index=gdf.index)
        frames.append(_problem_frame(empty, attrs["ent_id"], layer, rows, "geometry", type_names + " EMPTY", probs))
    if missing.any():
        probs = pd.Series("几何为空（NULL），无坐标，无法定位", index=gdf.index)
        frames.append(_problem_frame(missing, attrs["ent_id"], layer, rows, "geometry",
                                     pd.Series("NULL", index=gdf.index), probs))
    several = multi & (n_parts > 1)
    if several.any():
        probs = pd.Series("多点几何有 " + pd.Series(n_parts, index=gdf.index).astype(str) + " 个点，只用了第一个点",
                          index=gdf.index)
        frames.append(_problem_frame(several, attrs["ent_id"], layer, rows, "geometry", type_names, probs))
    lon = np.where(is_point, lon, np.nan)
    lat = np.where(is_point, lat, np.nan)
    gdf_out = _finish(attrs, lon, lat, rows, kind, frames)
    return EnterpriseTable(gdf_out, _problems(frames), kind, layer, dict(mapping), from_geometry=True)
