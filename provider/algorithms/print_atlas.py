"""Processing algorithm: the Chinese PDF atlas (overview page, then one page per county), optionally with the
monthly ledger's progress, a basemap (any raster layer, or 天地图 from a key) and a scenario comparison's pages
(compare.gpkg of ``bluesky:compare_scenarios``)."""
from __future__ import annotations

import os
from typing import Any, Dict

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ._common import BlueSkyAlgorithm

HIDDEN = "'***'"


class SecretStringParameter(QgsProcessingParameterString):
    """A string (an API key) that Processing writes nowhere: the dialog's log of the input parameters, the
    history and a copied command show ``'***'`` for it."""

    def valueAsPythonString(self, value, context) -> str:  # noqa: N802 - QGIS API name
        return HIDDEN if value not in (None, "") else "None"

    def valueAsJsonObject(self, value, context):  # noqa: N802 - QGIS API name (3.24+)
        return "***" if value not in (None, "") else None

    def valueAsString(self, value, context):  # noqa: N802 - QGIS API name (3.24+)
        return ("***" if value not in (None, "") else "", True)

    def clone(self):
        copy = SecretStringParameter(self.name(), self.description(), self.defaultValue(), self.multiLine(),
                                     bool(self.flags() & QgsProcessingParameterDefinition.FlagOptional))
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        return copy


class PrintAtlasAlgorithm(BlueSkyAlgorithm):
    ZONES_GPKG = "ZONES_GPKG"
    FLAGS_GPKG = "FLAGS_GPKG"
    ADMIN = "ADMIN"
    OUTPUT_PDF = "OUTPUT_PDF"
    PER_COUNTY = "PER_COUNTY"
    LEDGER = "LEDGER"
    MONTH = "MONTH"
    BASEMAP = "BASEMAP"
    TIANDITU_KEY = "TIANDITU_KEY"
    COMPARE = "COMPARE"
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
            "Writes one PDF: a province overview page (with the per-city summary), then one page per county with "
            "its zones, flagged enterprises, the table of tasks (continued on further pages when long), the city's "
            "targets and data notes. Optionally one PDF per county as well. ADMIN is a GeoPackage with a "
            "'counties' layer (county, city, adcode). LEDGER (optional): the monthly ledger GeoPackage; each page "
            "then shows that month's numbers and a chart of open tasks month by month (MONTH, YYYY-MM; empty: the "
            "ledger's latest). BASEMAP (optional): a raster layer drawn under every map; or TIANDITU_KEY: a "
            "Tianditu key for its vector map and labels (needs the internet; the key is written nowhere). "
            "COMPARE (optional): the compare.gpkg of 'Compare scenarios'; then one page per city with changed "
            "enterprises follows the county pages: where the zones moved and who is new, released or changed."
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
        self.addParameter(QgsProcessingParameterFile(self.LEDGER, self.tr("Monthly ledger GeoPackage (optional)"),
                                                     extension="gpkg", optional=True))
        self.addParameter(QgsProcessingParameterString(self.MONTH, self.tr("Ledger month YYYY-MM (empty: latest)"),
                                                       optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(self.BASEMAP, self.tr("Basemap raster (optional)"),
                                                            optional=True))
        self.addParameter(SecretStringParameter(self.TIANDITU_KEY,
                                                self.tr("Tianditu key for a Tianditu basemap (optional)"),
                                                optional=True))
        self.addParameter(QgsProcessingParameterFile(self.COMPARE,
                                                     self.tr("Scenario comparison compare.gpkg (optional)"),
                                                     extension="gpkg", optional=True))
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, self.tr("Number of pages")))

    def _basemap(self, parameters, context):
        """The basemap layer(s): the raster parameter, else 天地图 from the key, else None."""
        layer = self.parameterAsRasterLayer(parameters, self.BASEMAP, context)
        if layer is not None:
            return layer
        key = (self.parameterAsString(parameters, self.TIANDITU_KEY, context) or "").strip()
        if key:
            from ...layers.atlas.export import tianditu_layers

            return tianditu_layers(key)
        return None

    def process(self, parameters, context, feedback) -> Dict[str, Any]:
        from ...layers.atlas.export import default_notes, export_atlas

        zones = self.parameterAsFile(parameters, self.ZONES_GPKG, context)
        flags = self.parameterAsFile(parameters, self.FLAGS_GPKG, context)
        admin = self.parameterAsFile(parameters, self.ADMIN, context)
        out = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)
        per_county = self.parameterAsBoolean(parameters, self.PER_COUNTY, context)
        ledger = self.parameterAsFile(parameters, self.LEDGER, context) or None
        month = (self.parameterAsString(parameters, self.MONTH, context) or "").strip() or None
        compare = self.parameterAsFile(parameters, self.COMPARE, context) or None
        for label, path in ((self.tr("zones"), zones), (self.tr("flags"), flags), (self.tr("admin"), admin)):
            if not path or not os.path.isfile(path):
                raise QgsProcessingException(self.tr("The {} GeoPackage does not exist: {}").format(label, path))
        if ledger and not os.path.isfile(ledger):
            raise QgsProcessingException(f"找不到台账文件「{ledger}」 / the ledger GeoPackage does not exist: {ledger}")
        if compare and not os.path.isfile(compare):
            raise QgsProcessingException(f"找不到方案比较文件「{compare}」 / the compare GeoPackage does not exist: "
                                         f"{compare}")
        self.warn_if_mixed(feedback, zones, flags, admin)
        if not out.lower().endswith(".pdf"):
            out += ".pdf"
        per_dir = os.path.join(os.path.dirname(out), "atlas_counties") if per_county else None
        try:
            result = export_atlas(zones, flags, admin, out, default_notes(), per_county_dir=per_dir,
                                  feedback=feedback, ledger=ledger, month=month,
                                  basemap=self._basemap(parameters, context), compare=compare)
        except Exception as exc:  # noqa: BLE001
            from ...layers.user_errors import report

            raise QgsProcessingException(self.tr("Printing the atlas failed: {}").format(report(exc))) from exc
        if result is None or feedback.isCanceled():
            return {self.OUTPUT_PDF: None, self.PAGES: 0}
        return {self.OUTPUT_PDF: str(result.path), self.PAGES: result.pages}
