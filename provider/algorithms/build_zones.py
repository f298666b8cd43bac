"""bluesky:build_zones — the plan's zones (Z-BAN … Z-PLAN) as zones.gpkg."""
from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputFile,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterVectorLayer,
)

from ._common import BlueSkyAlgorithm

#: the rules-file parameters the zones are built with (each an optional Processing parameter)
ZONE_PARAMS = ("chp_radius_km", "mine_ring_km", "fringe_km", "builtup_threshold")


class BuildZonesAlgorithm(BlueSkyAlgorithm):
    FOLDER_OUTPUTS = {"OUTPUT_DIR": ("zones.gpkg",)}
    ADMIN = "ADMIN"
    BUILTUP = "BUILTUP"
    CHP = "CHP"
    PLANNING_AREA = "PLANNING_AREA"
    RULES = "RULES"
    OUTPUT_DIR = "OUTPUT_DIR"

    def name(self) -> str:
        return "build_zones"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Build the zones")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Builds the plan's zones from the county boundaries, the built-up areas (polygons, or a raster "
            "thresholded and polygonised) and the CHP plants: coal-ban zones, the 1+30 region, key-city "
            "groups, northern coal-zero districts, industrial-cluster counties, CHP heating rings, the "
            "open-pit mine closure zone and the planning areas. Writes zones.gpkg to the output folder."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterVectorLayer(self.ADMIN, self.tr("County boundaries"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterMapLayer(self.BUILTUP, self.tr("Built-up areas (polygons or raster)")))
        self.addParameter(QgsProcessingParameterVectorLayer(self.CHP, self.tr("CHP plants"), [QgsProcessing.TypeVectorPoint], None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANNING_AREA, self.tr("City planning areas"), [QgsProcessing.TypeVectorPolygon], None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_rule_params(ZONE_PARAMS)
        self.add_field_map_param()
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("ZONES", self.tr("Zones GeoPackage")))

    def process(self, parameters, context, feedback):
        from ...layers.run_job import JobInputs, run_build_zones

        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        admin = self.snapshot(parameters, self.ADMIN, context, feedback)
        vector, raster = self.builtup(parameters, self.BUILTUP, context)
        inputs = JobInputs(
            admin=admin, builtup_vector=vector, builtup_raster=raster,
            chp=self.snapshot(parameters, self.CHP, context, feedback),
            planning_area=self.snapshot(parameters, self.PLANNING_AREA, context, feedback),
            rules_path=self.parameterAsFile(parameters, self.RULES, context) or None,
            params=self.rule_params(parameters, context, ZONE_PARAMS),
            field_mappings=self.field_maps(parameters, context),
        )
        done = self.run_stage(run_build_zones, inputs, out_dir, self.progress_to(feedback), feedback.isCanceled,
                              warn=feedback.pushWarning)
        if done is None:
            return {}
        _zones, path, _warnings = done
        return {self.OUTPUT_DIR: out_dir, "ZONES": path}
