"""The run's metric CRS: where distances and areas are measured.

Shanxi straddles the 112.5°E seam between the CGCS2000 3-degree Gauss-Kruger zones with central
meridians 111°E (EPSG:4546) and 114°E (EPSG:4547); a province-wide run picks one for all its work.
UTM 49N (EPSG:32649) is accepted too.
"""
from __future__ import annotations

from typing import Dict, Optional

from pyproj import CRS

DEFAULT_METRIC_EPSG = 4546
METRIC_EPSG_CHOICES: Dict[int, str] = {
    4546: "CGCS2000 / 3-degree Gauss-Kruger CM 111E",
    4547: "CGCS2000 / 3-degree Gauss-Kruger CM 114E",
    32649: "WGS 84 / UTM zone 49N",
}
WGS84_EPSG = 4326


def metric_crs(epsg: Optional[int] = None) -> CRS:
    """The metric CRS for ``epsg`` (default EPSG:4546); only the documented choices are allowed."""
    code = int(epsg) if epsg is not None else DEFAULT_METRIC_EPSG
    if code not in METRIC_EPSG_CHOICES:
        raise ValueError(f"metric CRS EPSG:{code} not supported; choose one of {sorted(METRIC_EPSG_CHOICES)}")
    return CRS.from_epsg(code)
