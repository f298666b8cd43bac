"""Coordinate conversion between WGS84, GCJ-02 (Amap/Tencent) and BD-09 (Baidu).

Enterprise lists geocoded with Chinese web maps carry obfuscated coordinates, offset a few hundred
metres from WGS84/CGCS2000. These functions implement the standard published formulas, vectorised with
numpy: every function accepts scalars or array-likes and returns numpy arrays (0-d arrays for scalars,
which behave like floats). NaN passes through as NaN; points outside China's bounding box are returned
unchanged, as the obfuscation is only applied inside it.
"""
from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

__all__ = [
    "COORD_SYSTEMS",
    "COORD_SYSTEM_LABELS",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_wgs84",
    "out_of_china",
]

COORD_SYSTEMS: Tuple[str, ...] = ("WGS84", "CGCS2000", "GCJ02", "BD09")
COORD_SYSTEM_LABELS: Dict[str, str] = {
    "WGS84": "WGS84",
    "CGCS2000": "CGCS2000 (国家2000)",
    "GCJ02": "GCJ-02 (高德/腾讯)",
    "BD09": "BD-09 (百度)",
}

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formulas.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

# Inverse iterations stop once every point moved less than this (degrees, ~1 cm).
_INVERSE_TOL = 1e-9
_INVERSE_MAX_ITER = 30

ArrayPair = Tuple[np.ndarray, np.ndarray]


def _as_arrays(lon, lat) -> ArrayPair:
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    lon_a, lat_a = np.broadcast_arrays(lon_a, lat_a)
    # broadcast_arrays returns read-only views; copy so callers get independent arrays.
    return lon_a.copy(), lat_a.copy()


def out_of_china(lon, lat) -> np.ndarray:
    """True where a point lies outside the rough China bounding box used by GCJ-02 (NaN is False)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        return (lon_a < 72.004) | (lon_a > 137.8347) | (lat_a < 0.8293) | (lat_a > 55.8271)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> ArrayPair:
    """GCJ-02 minus WGS84 offset (degrees) evaluated at the given WGS84 position."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = out_of_china(lon, lat)
    dlon = np.where(outside, 0.0, dlon)
    dlat = np.where(outside, 0.0, dlat)
    return dlon, dlat


def _invert(forward, lon_t: np.ndarray, lat_t: np.ndarray, lon0: np.ndarray, lat0: np.ndarray) -> ArrayPair:
    """Solve forward(x) = target by fixed-point iteration from a first guess.

    Both forward maps are identity plus a slowly varying offset, so x += target - forward(x)
    converges quickly (each step shrinks the error by ~1e-4 or better).
    """
    lon, lat = lon0.copy(), lat0.copy()
    for _ in range(_INVERSE_MAX_ITER):
        f_lon, f_lat = forward(lon, lat)
        d_lon = lon_t - f_lon
        d_lat = lat_t - f_lat
        lon = lon + d_lon
        lat = lat + d_lat
        with np.errstate(invalid="ignore"):
            err = np.nanmax(np.abs(np.concatenate([d_lon.ravel(), d_lat.ravel()])), initial=0.0)
        if not err > _INVERSE_TOL:  # also stops when everything is NaN
            break
    return lon, lat


def wgs84_to_gcj02(lon, lat) -> ArrayPair:
    """WGS84 → GCJ-02 (Amap/Tencent). Points outside China are returned unchanged."""
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(lon, lat) -> ArrayPair:
    """GCJ-02 → WGS84 by iterative inversion of the forward formula (error < 1e-7 degree)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return _invert(wgs84_to_gcj02, lon_a, lat_a, lon_a - dlon, lat_a - dlat)


def _gcj02_to_bd09_raw(lon: np.ndarray, lat: np.ndarray) -> ArrayPair:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon, lat) -> ArrayPair:
    """GCJ-02 → BD-09 (Baidu)."""
    lon_a, lat_a = _as_arrays(lon, lat)
    return _gcj02_to_bd09_raw(lon_a, lat_a)


def bd09_to_gcj02(lon, lat) -> ArrayPair:
    """BD-09 → GCJ-02: the published closed-form approximation, refined iteratively.

    The closed form alone is off by up to ~1 m; the refinement makes the round trip exact to ~1 mm.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    x = lon_a - 0.0065
    y = lat_a - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _invert(_gcj02_to_bd09_raw, lon_a, lat_a, z * np.cos(theta), z * np.sin(theta))


def wgs84_to_bd09(lon, lat) -> ArrayPair:
    """WGS84 → BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> ArrayPair:
    """BD-09 → WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def normalize_system(system: str) -> str:
    """Canonical system id for a user spelling ('gcj-02', 'bd09', 'cgcs2000' …); ValueError if unknown."""
    key = str(system).strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"WGS84": "WGS84", "CGCS2000": "CGCS2000", "GCJ02": "GCJ02", "BD09": "BD09"}
    if key not in aliases:
        raise ValueError(f"Unknown coordinate system {system!r}; expected one of {', '.join(COORD_SYSTEMS)}")
    return aliases[key]


def to_wgs84(lon, lat, system: str) -> ArrayPair:
    """Convert lon/lat given in ``system`` (one of COORD_SYSTEMS) to WGS84.

    WGS84 and CGCS2000 are treated as identical: they differ by centimetres, far below the accuracy of
    the enterprise lists this is used for.
    """
    sys_id = normalize_system(system)
    if sys_id in ("WGS84", "CGCS2000"):
        return _as_arrays(lon, lat)
    if sys_id == "GCJ02":
        return gcj02_to_wgs84(lon, lat)
    return bd09_to_wgs84(lon, lat)
