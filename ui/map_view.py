"""Zooming the map canvas: to a rectangle in any CRS, a layer, a county of the run's admin frame."""
from __future__ import annotations

from typing import Optional

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject, QgsRectangle


def zoom_rect(canvas, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
    """Show ``rect`` (a little larger; a point gets a small box around it)."""
    dest = canvas.mapSettings().destinationCrs()
    if dest.isValid() and dest != crs:
        rect = QgsCoordinateTransform(crs, dest, QgsProject.instance()).transformBoundingBox(rect)
    if rect.width() == 0 and rect.height() == 0:
        rect = rect.buffered(0.01 if not dest.isValid() or dest.isGeographic() else 1000.0)
    else:
        rect.scale(1.1)
    canvas.setExtent(rect)
    canvas.refresh()


def zoom_to_layer(canvas, layer) -> None:
    zoom_rect(canvas, layer.extent(), layer.crs())


def county_rect(admin, county: str) -> Optional[QgsRectangle]:
    """Bounds (EPSG:4326) of a county of the normalised admin frame, given by its adcode, "name:<county>" or
    a plain name; None when there is no such county."""
    if admin is None or "county" not in getattr(admin, "columns", []):
        return None
    county = str(county)
    if county.startswith("name:"):
        part = admin[admin["county"].astype(str) == county[5:]]
    elif "adcode" in admin.columns and (admin["adcode"].astype(str) == county).any():
        part = admin[admin["adcode"].astype(str) == county]
    else:
        part = admin[admin["county"].astype(str) == county]
    if part.empty:
        return None
    xmin, ymin, xmax, ymax = part.total_bounds
    return QgsRectangle(xmin, ymin, xmax, ymax)


def zoom_to_county(canvas, admin, county: str) -> bool:
    rect = county_rect(admin, county)
    if rect is None:
        return False
    zoom_rect(canvas, rect, QgsCoordinateReferenceSystem("EPSG:4326"))
    return True
