"""Tests for GCJ-02 / BD-09 / WGS84 conversion."""
from __future__ import annotations

import numpy as np
import pytest
from bluesky_zoning.analysis.inputs import coords
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
TAIYUAN = (112.55, 37.87)


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, dist = GEOD.inv(np.asarray(lon1), np.asarray(lat1), np.asarray(lon2), np.asarray(lat2))
    return np.asarray(dist)


@pytest.fixture(scope="module")
def shanxi_grid():
    lon, lat = np.meshgrid(np.linspace(110.2, 114.6, 23), np.linspace(34.5, 40.8, 29))
    return lon.ravel(), lat.ravel()


def test_published_forward_pairs():
    # Reference values published with the widely used coordTransform utilities for (128.543, 37.065).
    lon, lat = coords.wgs84_to_gcj02(128.543, 37.065)
    assert lon == pytest.approx(128.54820547949757, abs=1e-12)
    assert lat == pytest.approx(37.065651049489816, abs=1e-12)
    lon, lat = coords.gcj02_to_bd09(128.543, 37.065)
    assert lon == pytest.approx(128.54944656269413, abs=1e-12)
    assert lat == pytest.approx(37.07113427883019, abs=1e-12)
    lon, lat = coords.wgs84_to_bd09(128.543, 37.065)
    assert lon == pytest.approx(128.55468192918485, abs=1e-12)
    assert lat == pytest.approx(37.07168344938498, abs=1e-12)


def test_published_inverse_pairs_within_approximation_error():
    # The published inverses are one-step approximations; ours iterate, so they agree to a few metres.
    lon, lat = coords.gcj02_to_wgs84(128.543, 37.065)
    assert _metres(lon, lat, 128.53779452050244, 37.06434895051018) < 5
    lon, lat = coords.bd09_to_gcj02(128.543, 37.065)
    assert _metres(lon, lat, 128.5365893261212, 37.058754503281534) < 5


def test_gcj_round_trip_sub_decimetre(shanxi_grid):
    lon, lat = shanxi_grid
    back = coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.1
    assert np.abs(back[0] - lon).max() < 1e-7 and np.abs(back[1] - lat).max() < 1e-7


def test_bd_round_trips_sub_decimetre(shanxi_grid):
    lon, lat = shanxi_grid
    back = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.1
    back = coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.1


def test_taiyuan_offset_magnitudes():
    g = coords.wgs84_to_gcj02(*TAIYUAN)
    gcj_offset = float(_metres(*TAIYUAN, *g))
    assert 450 < gcj_offset < 650
    b = coords.wgs84_to_bd09(*TAIYUAN)
    assert float(_metres(*TAIYUAN, *b)) > gcj_offset + 300


def test_shanxi_offsets_in_documented_range(shanxi_grid):
    lon, lat = shanxi_grid
    d = _metres(lon, lat, *coords.wgs84_to_gcj02(lon, lat))
    assert d.min() > 250 and d.max() < 750


def test_out_of_china_unchanged():
    for func in (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84):
        lon, lat = func([2.35, -74.0], [48.85, 40.7])
        np.testing.assert_array_equal(lon, [2.35, -74.0])
        np.testing.assert_array_equal(lat, [48.85, 40.7])
    assert coords.out_of_china(2.35, 48.85) and not coords.out_of_china(*TAIYUAN)


def test_nan_passes_through():
    lon, lat = coords.gcj02_to_wgs84([112.55, np.nan, 112.6], [37.87, 37.0, np.nan])
    assert np.isfinite(lon[0]) and np.isfinite(lat[0])
    assert np.isnan(lon[1]) and np.isnan(lat[1]) and np.isnan(lat[2])
    lon, lat = coords.to_wgs84(np.array([np.nan]), np.array([np.nan]), "BD09")
    assert np.isnan(lon[0]) and np.isnan(lat[0])


def test_scalars_and_shapes():
    lon, lat = coords.wgs84_to_gcj02(*TAIYUAN)
    assert np.ndim(lon) == 0 and isinstance(float(lon), float)
    arr = np.full((2, 3), 112.55)
    lon, lat = coords.gcj02_to_wgs84(arr, np.full((2, 3), 37.87))
    assert lon.shape == (2, 3)


@pytest.mark.parametrize("system", ["WGS84", "CGCS2000", "cgcs2000"])
def test_to_wgs84_identity_systems(system):
    lon, lat = coords.to_wgs84([112.55], [37.87], system)
    np.testing.assert_array_equal(lon, [112.55])
    np.testing.assert_array_equal(lat, [37.87])


def test_to_wgs84_dispatch():
    g = coords.wgs84_to_gcj02(*TAIYUAN)
    assert _metres(*TAIYUAN, *coords.to_wgs84(*g, "GCJ02")) < 0.1
    assert _metres(*TAIYUAN, *coords.to_wgs84(*g, "gcj-02")) < 0.1
    b = coords.wgs84_to_bd09(*TAIYUAN)
    assert _metres(*TAIYUAN, *coords.to_wgs84(*b, "BD09")) < 0.1


def test_unknown_system_named_in_error():
    with pytest.raises(ValueError, match="MARS99"):
        coords.to_wgs84(112.0, 37.0, "MARS99")


def test_labels_cover_systems():
    assert set(coords.COORD_SYSTEM_LABELS) == set(coords.COORD_SYSTEMS)
    assert coords.COORD_SYSTEM_LABELS["GCJ02"] == "GCJ-02 (高德/腾讯)"
    assert coords.COORD_SYSTEM_LABELS["BD09"] == "BD-09 (百度)"
