"""bluesky:flag_enterprises — enterprises × zones × rules → flags.gpkg."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterVectorLayer,
)

from ._common import BlueSkyAlgorithm
from .run_all import add_field_map_param, field_map_param, snapshot_param

THRESHOLDS = ("B35_TPH", "B10_TPH")


class FlagEnterprisesAlgorithm(BlueSkyAlgorithm):
    ZONES = "ZONES"
    ADMIN = "ADMIN"
    BOILERS = "BOILERS"
    MINES = "MINES"
    PLANTS = "PLANTS"
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
        point = [QgsProcessing.TypeVectorPoint]
        self.addParameter(QgsProcessingParameterVectorLayer(self.BOILERS, self.tr("Boilers"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.MINES, self.tr("Mines"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANTS, self.tr("Industrial plants"), point, None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_distance_params(THRESHOLDS)
        add_field_map_param(self)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("FLAGS_GPKG", self.tr("Flags GeoPackage")))
        self.addOutput(QgsProcessingOutputNumber("FLAGS", self.tr("Rule hits")))

    def process(self, parameters, context, feedback):
        from ...analysis.engine import flag_enterprises
        from ...analysis.pipeline import CanceledError
        from ...layers.run_job import (
            load_ruleset,
            prepare_admin,
            prepare_enterprises,
            read_gpkg_layers,
            write_gpkg_atomically,
        )

        multi = QgsProcessingMultiStepFeedback(3, feedback)
        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        multi.setCurrentStep(0)
        zones_path = self.parameterAsFile(parameters, self.ZONES, context)
        if not zones_path or not os.path.exists(zones_path):
            raise self.fail("找不到管控分区文件", "zones.gpkg not found", zones_path)
        try:
            ruleset = load_ruleset(self.parameterAsFile(parameters, self.RULES, context) or None,
                                   self.rule_params(parameters, context, THRESHOLDS))
        except Exception as exc:  # noqa: BLE001
            raise self.fail("规则文件有误", "invalid rules file", exc) from exc
        zones = read_gpkg_layers(zones_path)
        from ...analysis.validation import InputError

        maps = field_map_param(self, parameters, context)
        try:
            admin_snap = snapshot_param(self, parameters, self.ADMIN, context, multi)
            admin = prepare_admin(admin_snap.read(), None, admin_snap.name, maps.get("admin"))
            enterprises = {}
            for kind, name in (("boiler", self.BOILERS), ("mine", self.MINES), ("plant", self.PLANTS)):
                snap = snapshot_param(self, parameters, name, context, multi)
                if snap is not None:
                    enterprises[kind] = prepare_enterprises(snap.read(), kind, snap.name, maps.get(kind))
        except InputError as exc:  # names layer and field
            raise self.fail("输入图层有误", "bad input layer", exc) from exc
        if not enterprises:
            raise self.fail("至少需要一个企业图层", "at least one enterprise layer is required")
        if multi.isCanceled():
            return {}
        multi.setCurrentStep(1)

        def progress(step, total, name):
            multi.setProgressText(f"{name} {step}/{total}")
            multi.setProgress(100.0 * step / max(total, 1))

        try:
            result = flag_enterprises(zones, admin, enterprises, ruleset, progress=progress, is_canceled=multi.isCanceled)
        except CanceledError:
            return {}
        except Exception as exc:  # noqa: BLE001
            raise self.fail("企业标注失败", "flagging the enterprises failed", f"{type(exc).__name__}: {exc}") from exc
        if multi.isCanceled():
            return {}
        multi.setCurrentStep(2)
        frames = {
            "enterprise_flags": result.flags,
            "enterprise_verdicts": result.verdicts,
            "to_verify": result.to_verify,
        }
        path = write_gpkg_atomically(frames, os.path.join(out_dir, "flags.gpkg"))
        return {self.OUTPUT_DIR: out_dir, "FLAGS_GPKG": path, "FLAGS": len(result.flags)}
