"""Processing algorithm: one zip per county for the county bureaus (shapefiles + GeoPackage + dictionary)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
)

from ...analysis.schema.output_fields import SHAPEFILE_ENCODINGS
from ._common import BlueSkyAlgorithm

ENCODINGS = list(SHAPEFILE_ENCODINGS)


class ExportCountyPackagesAlgorithm(BlueSkyAlgorithm):
    FOLDER_OUTPUTS = {"OUTPUT_DIR": ()}  # the folder handed to county bureaus holds their zips only
    ZONES_GPKG = "ZONES_GPKG"
    FLAGS_GPKG = "FLAGS_GPKG"
    ENCODING = "ENCODING"
    OUTPUT_DIR = "OUTPUT_DIR"
    PACKAGE_COUNT = "PACKAGE_COUNT"

    def name(self) -> str:
        return "export_county_packages"

    def displayName(self) -> str:  # noqa: N802
        return self.tr("Export county packages (分县数据包)")

    def group(self) -> str:
        return self.tr("Outputs")

    def groupId(self) -> str:  # noqa: N802
        return "outputs"

    def shortHelpString(self) -> str:  # noqa: N802
        return self.tr(
            "Writes one zip per county, named by adcode and county name: the county's zones (clipped to "
            "the county) and flagged enterprises as shapefiles with a .cpg, a field dictionary (CSV) and "
            "a lossless GeoPackage of the same."
        )

    def initAlgorithm(self, config: Dict[str, Any] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(self.ZONES_GPKG, self.tr("Zones GeoPackage (zones.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterFile(self.FLAGS_GPKG, self.tr("Flags GeoPackage (flags.gpkg)"),
                                                     extension="gpkg"))
        self.addParameter(QgsProcessingParameterEnum(self.ENCODING, self.tr("Shapefile encoding"),
                                                     options=ENCODINGS, defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputNumber(self.PACKAGE_COUNT, self.tr("Number of packages")))

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...layers.county_packages import export_county_packages

        zones = self.parameterAsFile(parameters, self.ZONES_GPKG, context)
        flags = self.parameterAsFile(parameters, self.FLAGS_GPKG, context)
        encoding = ENCODINGS[self.parameterAsEnum(parameters, self.ENCODING, context)]
        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        for label, path in ((self.tr("zones"), zones), (self.tr("flags"), flags)):
            if not path or not os.path.isfile(path):
                raise QgsProcessingException(self.tr("The {} GeoPackage does not exist: {}").format(label, path))
        self.warn_if_mixed(feedback, zones, flags)
        try:
            paths = export_county_packages(
                zones, flags, out_dir, encoding=encoding,
                progress=feedback.setProgress,
                is_canceled=feedback.isCanceled,
                warn=feedback.pushWarning,
            )
        except Exception as exc:  # noqa: BLE001 - reported to the user as a Processing error
            from ...layers.user_errors import report

            raise QgsProcessingException(self.tr("Export of county packages failed: {}").format(report(exc))) from exc
        if feedback.isCanceled():
            feedback.pushInfo(self.tr("Canceled; complete packages written: {}").format(len(paths)))
        else:
            feedback.pushInfo(self.tr("{} county packages written to {}").format(len(paths), out_dir))
        return {self.OUTPUT_DIR: out_dir, self.PACKAGE_COUNT: len(paths)}
