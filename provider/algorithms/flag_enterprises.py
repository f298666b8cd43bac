"""bluesky:flag_enterprises — enterprises × zones × rules → flags.gpkg."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterVectorLayer,
)

from ._common import JUDGED_LISTS, BlueSkyAlgorithm, judged_list_types

#: the rules-file parameters the flags use (each an optional Processing parameter); the zone parameters
#: (radius, rings) are those the zones.gpkg was built with
FLAG_PARAMS = ("b35_tph", "b10_tph")


class FlagEnterprisesAlgorithm(BlueSkyAlgorithm):
    FOLDER_OUTPUTS = {"OUTPUT_DIR": ("flags.gpkg",)}
    ZONES = "ZONES"
    ADMIN = "ADMIN"
    BOILERS = "BOILERS"
    MINES = "MINES"
    PLANTS = "PLANTS"
    VILLAGES = "VILLAGES"
    RULES = "RULES"
    OUTPUT_DIR = "OUTPUT_DIR"

    def name(self) -> str:
        return "flag_enterprises"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Flag enterprises")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr(
            "Checks every boiler, mine and plant against the rules of the plan inside the zones of a "
            "zones.gpkg (from 'Build the zones') and writes flags.gpkg: enterprise_flags (one row per rule "
            "hit with clause, action, deadline, lead department and reason), enterprise_verdicts (one "
            "verdict per enterprise) and to_verify (rows that could not be judged, with why)."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.addParameter(QgsProcessingParameterFile(self.ZONES, self.tr("Zones GeoPackage (zones.gpkg)"),
                                                     QgsProcessingParameterFile.Behavior.File, "gpkg"))
        self.addParameter(QgsProcessingParameterVectorLayer(self.ADMIN, self.tr("County boundaries"), [QgsProcessing.TypeVectorPolygon]))
        for kind, name, label in JUDGED_LISTS:
            self.addParameter(QgsProcessingParameterVectorLayer(name, self.tr(label), judged_list_types(kind), None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_rule_params(FLAG_PARAMS)
        self.add_field_map_param()
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("FLAGS_GPKG", self.tr("Flags GeoPackage")))
        self.addOutput(QgsProcessingOutputNumber("FLAGS", self.tr("Rule hits")))

    def process(self, parameters, context, feedback):
        from ...layers.run_job import JobInputs, run_flag

        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        zones_path = self.parameterAsFile(parameters, self.ZONES, context)
        if not zones_path or not os.path.exists(zones_path):
            raise self.fail("找不到管控分区文件", "zones.gpkg not found", zones_path)
        enterprises = {}
        for kind, name, _label in JUDGED_LISTS:
            snap = self.snapshot(parameters, name, context, feedback)
            if snap is not None:
                enterprises[kind] = snap
        if not enterprises:
            raise self.fail("至少需要一个企业图层", "at least one enterprise layer is required")
        inputs = JobInputs(
            admin=self.snapshot(parameters, self.ADMIN, context, feedback), enterprises=enterprises,
            rules_path=self.parameterAsFile(parameters, self.RULES, context) or None,
            params=self.rule_params(parameters, context, FLAG_PARAMS),
            field_mappings=self.field_maps(parameters, context),
        )
        done = self.run_stage(run_flag, inputs, zones_path, out_dir, self.progress_to(feedback), feedback.isCanceled,
                              warn=feedback.pushWarning)
        if done is None:
            return {}
        result, path, _warnings = done
        return {self.OUTPUT_DIR: out_dir, "FLAGS_GPKG": path, "FLAGS": len(result.flags)}
