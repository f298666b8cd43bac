"""The built-up raster read with rasterio and with GDAL's own bindings gives the same polygons; the GDAL
path works where rasterio cannot be imported (QGIS's Windows installers ship none)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import shapely
from bluesky_zoning.analysis.inputs import builtup
from osgeo import gdal, osr

CELL = 50.0  # metres: one pixel is 2500 m²
X0, Y0 = 520_000.0, 4_190_000.0  # EPSG:4546 (CGCS2000 GK CM 111E), near Taiyuan
NODATA = 255
PKG_PARENT = Path(__file__).resolve().parents[2] / ".build" / "pkg"

# Expected after cleaning with min area 20 000 m² (8 px) and max hole 50 000 m² (20 px), in pixels.
BLOB_A_PX = 20 * 20 - 6 * 7  # the big hole stays, the small one is filled
BLOB_B_PX = BLOB_C_PX = 10 * 10


def _grid() -> np.ndarray:
    g = np.zeros((80, 80), dtype=np.uint8)
    g[10:30, 10:30] = 80  # blob A ...
    g[12:15, 25:28] = 10  # ... with a 9-pixel hole (22 500 m²: filled)
    g[22:28, 13:20] = 5   # ... and a 42-pixel hole (105 000 m²: kept)
    g[40:50, 10:20] = 60  # blobs B and C touch at one corner only: two polygons with 4-connectivity
    g[50:60, 20:30] = 100
    g[45:48, 40:41] = 90  # a 3-pixel speck (7 500 m²: dropped)
    g[70:80, 0:40] = NODATA  # nodata ≥ threshold: built-up only if the mask were ignored
    g[0:5, 60:80] = 49  # just under the threshold
    return g


def _write_tif(path: Path, grid: np.ndarray, crs_epsg=4546, nodata=NODATA) -> Path:
    """A GeoTIFF written with GDAL, so the test's input does not depend on either reader."""
    ds = gdal.GetDriverByName("GTiff").Create(str(path), grid.shape[1], grid.shape[0], 1, gdal.GDT_Byte)
    ds.SetGeoTransform((X0, CELL, 0.0, Y0, 0.0, -CELL))
    if crs_epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(crs_epsg)
        ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(nodata)
    band.WriteArray(grid)
    band = ds = None
    return path


@pytest.fixture(scope="module")
def tif(tmp_path_factory) -> Path:
    return _write_tif(tmp_path_factory.mktemp("builtup") / "builtup.tif", _grid())


def _metric_parts(gdf):
    """Polygons in EPSG:4546, sorted by area then x, for pairing the two results."""
    geoms = list(gdf.to_crs("EPSG:4546").geometry.values)
    return sorted(geoms, key=lambda g: (round(g.area, 3), g.centroid.x))


def _expected_areas_m2():
    return sorted(px * CELL * CELL for px in (BLOB_A_PX, BLOB_B_PX, BLOB_C_PX))


@pytest.mark.parametrize("backend", ["rasterio", "gdal"])
def test_each_backend_gives_the_expected_polygons(tif, backend):
    out = builtup.builtup_from_raster(tif, threshold=50, backend=backend)
    assert out.crs.to_epsg() == 4326 and list(out.columns) == builtup.BUILTUP_COLUMNS
    parts = _metric_parts(out)
    assert [p.area for p in parts] == pytest.approx(_expected_areas_m2(), rel=1e-6)
    # Only blob A keeps a hole: the big one; the small hole is filled.
    assert sorted(len(p.interiors) for p in parts) == [0, 0, 1]
    big = parts[-1]
    assert shapely.Polygon(big.interiors[0]).area == pytest.approx(42 * CELL * CELL, rel=1e-6)
    # The nodata strip (value 255) is not built-up: nothing lies in rows 70-80.
    assert min(p.bounds[1] for p in parts) > Y0 - 70 * CELL


def test_backends_agree(tif):
    a = _metric_parts(builtup.builtup_from_raster(tif, threshold=50, backend="rasterio"))
    b = _metric_parts(builtup.builtup_from_raster(tif, threshold=50, backend="gdal"))
    assert len(a) == len(b) == 3
    for pa, pb in zip(a, b):
        assert pb.area == pytest.approx(pa.area, rel=1e-6)
        assert pa.symmetric_difference(pb).area < 1e-6 * pa.area


def test_backends_agree_on_class_values(tif):
    """Land-cover style: ``values`` picks classes instead of a threshold (here 60 and 100: blobs B and C)."""
    a = _metric_parts(builtup.builtup_from_raster(tif, values=[60, 100], backend="rasterio"))
    b = _metric_parts(builtup.builtup_from_raster(tif, values=[60, 100], backend="gdal"))
    assert [p.area for p in a] == pytest.approx([BLOB_B_PX * CELL * CELL] * 2, rel=1e-6)
    assert [p.area for p in b] == pytest.approx([p.area for p in a], rel=1e-6)


@pytest.mark.parametrize("backend", ["rasterio", "gdal"])
def test_raster_without_crs_is_refused(tmp_path, backend):
    path = _write_tif(tmp_path / "nocrs.tif", _grid(), crs_epsg=None)
    with pytest.raises(ValueError, match="没有坐标系"):
        builtup.builtup_from_raster(path, threshold=50, backend=backend)


def test_backend_choice(monkeypatch):
    assert builtup.raster_backend() == "rasterio"  # installed here: preferred
    assert builtup.raster_backend("gdal") == "gdal"
    monkeypatch.setattr(builtup, "RASTER_BACKEND", "gdal")
    assert builtup.raster_backend() == "gdal"
    assert builtup.raster_backend("rasterio") == "rasterio"  # an explicit choice wins over the setting
    with pytest.raises(ValueError):
        builtup.raster_backend("pil")


def test_without_rasterio_gdal_reads_the_raster(tif):
    """A fresh interpreter where ``import rasterio`` fails: GDAL is chosen and gives the expected polygons."""
    script = textwrap.dedent(f"""
        import json, sys
        sys.modules["rasterio"] = None  # makes every `import rasterio...` raise ImportError
        sys.path.insert(0, {str(PKG_PARENT)!r})
        from bluesky_zoning.analysis.inputs import builtup
        out = builtup.builtup_from_raster({str(tif)!r}, threshold=50)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "rasterio" and sys.modules[m] is not None)
        print(json.dumps({{"backend": builtup.raster_backend(), "loaded": loaded,
                          "areas": sorted(out.to_crs("EPSG:4546").area.tolist()),
                          "holes": sorted(len(g.interiors) for g in out.geometry)}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == "gdal" and result["loaded"] == []
    assert result["areas"] == pytest.approx(_expected_areas_m2(), rel=1e-6)
    assert result["holes"] == [0, 0, 1]


# --------------------------------------------------------------------------- the demo's raster writer


def _outline():
    """An irregular polygon with a hole, in EPSG:4546 metres, inside the 80×80 grid."""
    shell = [(X0 + 300, Y0 - 200), (X0 + 3700, Y0 - 500), (X0 + 3100, Y0 - 3600), (X0 + 1400, Y0 - 2900),
             (X0 + 200, Y0 - 3900)]
    hole = [(X0 + 1500, Y0 - 1000), (X0 + 2300, Y0 - 1000), (X0 + 2300, Y0 - 1800), (X0 + 1500, Y0 - 1800)]
    return shapely.Polygon(shell, [hole])


def test_demo_outside_mask_same_with_both_backends():
    from bluesky_zoning.demo.data import _outside_mask

    gt = (X0, CELL, 0.0, Y0, 0.0, -CELL)
    a = _outside_mask(_outline(), 80, 80, gt, "EPSG:4546", backend="rasterio")
    b = _outside_mask(_outline(), 80, 80, gt, "EPSG:4546", backend="gdal")
    assert a.shape == (80, 80) and a.dtype == bool
    assert np.array_equal(a, b)
    # Cell centres inside the outline ≈ its area in cells; the hole's cells are outside.
    assert (~a).sum() == pytest.approx(_outline().area / CELL**2, rel=0.03)
    assert a[30, 38] and not a[10, 10]


@pytest.mark.parametrize("backend", ["rasterio", "gdal"])
def test_demo_geotiff_writer(tmp_path, backend):
    from bluesky_zoning.demo.data import _write_geotiff

    grid = _grid()
    path = tmp_path / f"{backend}.tif"
    _write_geotiff(path, grid, (X0, CELL, 0.0, Y0, 0.0, -CELL), "EPSG:4546", NODATA,
                   {"SYNTHETIC": "yes", "SEED": "7"}, "builtup_pct", backend=backend)
    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    assert np.array_equal(band.ReadAsArray(), grid)
    assert ds.GetGeoTransform() == pytest.approx((X0, CELL, 0.0, Y0, 0.0, -CELL))
    srs = osr.SpatialReference(wkt=ds.GetProjection())
    srs.AutoIdentifyEPSG()
    assert srs.GetAuthorityCode(None) == "4546"
    assert band.GetNoDataValue() == NODATA and band.DataType == gdal.GDT_Byte
    assert band.GetDescription() == "builtup_pct"
    assert ds.GetMetadata()["SYNTHETIC"] == "yes" and ds.GetMetadata()["SEED"] == "7"
    assert ds.GetMetadata("IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE"
    assert band.GetBlockSize() == [512, 512]
    band = ds = None
    # Read back by the other backend: the same polygons as from the test's own file.
    other = "gdal" if backend == "rasterio" else "rasterio"
    parts = _metric_parts(builtup.builtup_from_raster(path, threshold=50, backend=other))
    assert [p.area for p in parts] == pytest.approx(_expected_areas_m2(), rel=1e-6)


def test_demo_raster_helpers_without_rasterio(tmp_path):
    """The demo's mask and writer work in an interpreter where rasterio cannot be imported."""
    out = tmp_path / "demo.tif"
    script = textwrap.dedent(f"""
        import sys
        sys.modules["rasterio"] = None
        sys.path.insert(0, {str(PKG_PARENT)!r})
        import numpy as np, shapely
        from bluesky_zoning.demo.data import _outside_mask, _write_geotiff
        gt = ({X0}, {CELL}, 0.0, {Y0}, 0.0, -{CELL})
        geom = shapely.box({X0} + 500, {Y0} - 1500, {X0} + 1500, {Y0} - 500)  # 20×20 cells
        grid = np.where(_outside_mask(geom, 40, 40, gt, "EPSG:4546"), 255, 70).astype(np.uint8)
        _write_geotiff({str(out)!r}, grid, gt, "EPSG:4546", 255, {{"SYNTHETIC": "yes"}}, "builtup_pct")
        print(int((grid == 70).sum()))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr  # GDAL's complaints go to stderr
    assert done.stdout.split()[-1] == "400"
    parts = _metric_parts(builtup.builtup_from_raster(out, threshold=50, backend="gdal"))
    assert [p.area for p in parts] == pytest.approx([400 * CELL * CELL], rel=1e-6)
