"""Processing algorithm: the Chinese PDF atlas (overview page, then one page per county)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
)

from ._common import BlueSkyAlgorithm


class PrintAtlasAlgorithm(BlueSkyAlgorithm):
    ZONES_GPKG = "ZONES_GPKG"
    FLAGS_GPKG = "FLAGS_GPKG"
    ADMIN = "ADMIN"
    OUTPUT_PDF = "OUTPUT_PDF"
    PER_COUNTY = "PER_COUNTY"
    PAGES = "PAGES"

    def name(self) -> str:
        return "print_atlas"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Print atlas (打印图集)")

    def group(self) -> str:
        return self.tr("Outputs")

    def groupId(self) -> str:  # noqa: N802
        return "outputs"

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Writes one PDF: a province overview page, then one page per county with its zones, flagged "
            "enterprises, the table of tasks (continued on further pages when long), the city's targets "
            "and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a "
            "'counties' layer (county, city, adcode)."
        )

    def initAlgorithm(self, config: Dict[str, Any] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.ZONES_GPKG, self.tr("Zones GeoPackage (zones.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.FLAGS_GPKG, self.tr("Flags GeoPackage (flags.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.ADMIN, self.tr("Admin GeoPackage (counties)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_PDF, self.tr("Atlas PDF"),
                                                                fileFilter="PDF (*.pdf)"))
        self.addParameter(QgsProcessingParameterBoolean(self.PER_COUNTY, self.tr("Also one PDF per county"),
                                                        defaultValue=False))
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, self.tr("Number of pages")))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...layers.atlas import default_notes, export_atlas

        zones = self.parameterAsFile(parameters, self.ZONES_GPKG, context)
        flags = self.parameterAsFile(parameters, self.FLAGS_GPKG, context)
        admin = self.parameterAsFile(parameters, self.ADMIN, context)
        out = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)
        per_county = self.parameterAsBoolean(parameters, self.PER_COUNTY, context)
        for label, path in ((self.tr("zones"), zones), (self.tr("flags"), flags), (self.tr("admin"), admin)):
            if not path or not os.path.isfile(path):
                raise QgsProcessingException(self.tr("The {} GeoPackage does not exist: {}").format(label, path))
        if not out.lower().endswith(".pdf"):
            out += ".pdf"
        per_dir = os.path.join(os.path.dirname(out), "atlas_counties") if per_county else None
        try:
            result = export_atlas(zones, flags, admin, out, default_notes(), per_county_dir=per_dir,
                                  feedback=feedback)
        except Exception as exc:  # noqa: BLE001
            from ...layers.user_errors import report

            raise QgsProcessingException(self.tr("Printing the atlas failed: {}").format(report(exc))) from exc
        if result is None or feedback.isCanceled():
            return {self.OUTPUT_PDF: None, self.PAGES: 0}
        return {self.OUTPUT_PDF: str(result.path), self.PAGES: result.pages}
