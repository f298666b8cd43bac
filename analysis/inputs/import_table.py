"""An enterprise list (XLSX/CSV with lon/lat columns) as WGS84 points: coordinates parsed and converted,
the table written to a GeoPackage. No QGIS: the import dialog, the dock's demo loader and ``bluesky:import_list``
share it."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional

import numpy as np
import pandas as pd

from ..common.atomic import atomic_path


def parse_coordinate(values: pd.Series) -> np.ndarray:
    """Numbers of a lon/lat column ("112.55", "112.55°", 112.55); NaN where not a number."""
    text = values.astype(str).str.replace(r"[°度\s,，]", "", regex=True).str.strip()
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def guess_lonlat(columns: List[str], kind: str = "boiler") -> Dict[str, Optional[str]]:
    """The columns holding longitude and latitude, by the analysis field guesser."""
    from ..schema.fields import guess_field_mapping

    mapping = guess_field_mapping(columns, kind)
    return {"lon": mapping.get("lon"), "lat": mapping.get("lat")}


def points_wgs84(df: pd.DataFrame, lon_field: str, lat_field: str, system: str):
    """(lon, lat) arrays in WGS84 from the table's columns in `system`."""
    from .coords import to_wgs84

    lon = parse_coordinate(df[lon_field])
    lat = parse_coordinate(df[lat_field])
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    out_lon = np.full(len(df), np.nan)
    out_lat = np.full(len(df), np.nan)
    if ok.any():
        wlon, wlat = to_wgs84(lon[ok], lat[ok], system)
        out_lon[ok] = np.asarray(wlon, dtype=float)
        out_lat[ok] = np.asarray(wlat, dtype=float)
    return out_lon, out_lat


def table_to_points_gdf(df: pd.DataFrame, lon_field: str, lat_field: str, system: str):
    """The table as a WGS84 point GeoDataFrame with all its columns (text columns kept as text;
    rows without readable coordinates kept without geometry). Thread-safe: no QGIS object used."""
    import geopandas as gpd

    lon, lat = points_wgs84(df, lon_field, lat_field, system)
    frame = df.copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        if frame[column].dtype.kind == "O":
            frame[column] = frame[column].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms = gpd.points_from_xy(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0))
    geoms = np.where(ok, np.asarray(geoms, dtype=object), None)
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs="EPSG:4326"), int((~ok).sum())


def import_table_to_gpkg(path: str, kind: str, system: str, out_path: str, lon_field: Optional[str] = None,
                         lat_field: Optional[str] = None, layer_name: str = "points",
                         max_rows: Optional[int] = None, progress: Optional[Callable[[float], None]] = None,
                         is_canceled: Optional[Callable[[], bool]] = None):
    """Read an XLSX/CSV list and write it as a WGS84 point layer to a GeoPackage (whole or nothing).
    Returns (out_path, rows, rows_without_coordinates, problems DataFrame or None). The read is bounded
    (``max_rows``, default ``table_read.DEFAULT_MAX_ROWS``) and reports ``progress(fraction)`` / ``is_canceled()``
    as ``enterprises.read_table`` does."""
    from ..schema.fields import guess_field_mapping
    from .enterprises import enterprises_from_table, read_table
    from .table_read import DEFAULT_MAX_ROWS

    df = read_table(path, max_rows=max_rows or DEFAULT_MAX_ROWS, progress=progress, is_canceled=is_canceled)
    df.columns = [str(c) for c in df.columns]
    if not lon_field or not lat_field:
        guess = guess_lonlat(list(df.columns), kind)
        lon_field, lat_field = lon_field or guess["lon"], lat_field or guess["lat"]
    if not lon_field or not lat_field:
        raise ValueError(f"找不到经度/纬度列 / no longitude/latitude column: {list(df.columns)}")
    gdf, bad = table_to_points_gdf(df, lon_field, lat_field, system)
    with atomic_path(out_path) as tmp:
        gdf.to_file(tmp, layer=layer_name, driver="GPKG", engine="pyogrio")
    mapping = dict(guess_field_mapping(list(df.columns), kind))
    mapping["lon"], mapping["lat"] = lon_field, lat_field
    problems = enterprises_from_table(df, kind, mapping, system, layer_name).problems
    return out_path, len(df), bad, problems


def problem_summary(problems) -> List[str]:
    """"额定蒸发量: 12 行无法解析" lines from an EnterpriseTable's problems (DataFrame or list)."""
    if problems is None:
        return []
    try:
        frame = problems if isinstance(problems, pd.DataFrame) else pd.DataFrame(list(problems))
    except Exception:  # noqa: BLE001
        return []
    if frame.empty:
        return []
    key = next((c for c in ("label", "field_label", "field") if c in frame.columns), None)
    if key is None:
        return [f"{len(frame)} 行有问题"]
    from ..schema.fields import field_label

    out = []
    for name, count in frame[key].value_counts().items():
        label = "经纬度" if name == "lon,lat" else (field_label(name) if key == "field" else name)
        out.append(f"{label}: {count} 行无法解析")
    return out
