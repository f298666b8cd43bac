"""Zooming the map canvas: to a rectangle in any CRS, a layer, a county of the run's admin frame (which the
result group's county boundaries then highlight: layers/county_outline.py)."""
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


def _county_part(admin, county: str):
    """The rows of the normalised admin frame of a county given by its adcode, "name:<county>" or a plain name."""
    if admin is None or "county" not in getattr(admin, "columns", []):
        return None
    county = str(county)
    if county.startswith("name:"):
        return admin[admin["county"].astype(str) == county[5:]]
    if "adcode" in admin.columns and (admin["adcode"].astype(str) == county).any():
        return admin[admin["adcode"].astype(str) == county]
    return admin[admin["county"].astype(str) == county]


def county_rect(admin, county: str) -> Optional[QgsRectangle]:
    """Bounds (EPSG:4326) of a county of the normalised admin frame, given by its adcode, "name:<county>" or
    a plain name; None when there is no such county."""
    part = _county_part(admin, county)
    if part is None or part.empty:
        return None
    xmin, ymin, xmax, ymax = part.total_bounds
    return QgsRectangle(xmin, ymin, xmax, ymax)


def highlight_county(admin, county: Optional[str]) -> str:
    """Highlight a county on the newest result group's county boundaries (None: take the highlight off); returns
    the key highlighted (its adcode, or "name:<county>"), "" when none is."""
    from ..analysis.reports.county_counts import county_key
    from ..layers.county_outline import OUTLINE_NAME, set_current_county
    from ..layers.result_group import newest_result_layer

    key = ""
    part = _county_part(admin, county) if county else None
    if part is not None and not part.empty:
        row = part.iloc[0]
        key = county_key(row["adcode"] if "adcode" in part.columns else None, row["county"])
    layer = newest_result_layer(OUTLINE_NAME)
    if layer is not None:
        set_current_county(layer, key)
    return key


def zoom_to_county(canvas, admin, county: str) -> bool:
    """Zoom to a county and highlight it (the other counties veiled)."""
    rect = county_rect(admin, county)
    if rect is None:
        return False
    zoom_rect(canvas, rect, QgsCoordinateReferenceSystem("EPSG:4326"))
    highlight_county(admin, county)
    return True
