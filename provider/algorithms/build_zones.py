"""bluesky:build_zones — the plan's zones (Z-BAN … Z-PLAN) as zones.gpkg."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFile,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ._common import BlueSkyAlgorithm
from .run_all import _rules_param, add_field_map_param, builtup_param, field_map_param, snapshot_param


def _admin_name_column(gdf, admin_fields):
    from ...layers.run_job import _admin_name_column as pick

    return pick(gdf, admin_fields)

DISTANCES = ("CHP_RADIUS_KM", "MINE_RING_KM", "FRINGE_KM")


class BuildZonesAlgorithm(BlueSkyAlgorithm):
    ADMIN = "ADMIN"
    BUILTUP = "BUILTUP"
    BUILTUP_THRESHOLD = "BUILTUP_THRESHOLD"
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
        self.addParameter(QgsProcessingParameterNumber(
            self.BUILTUP_THRESHOLD, self.tr("Built-up raster threshold (cell value at or above it is built-up)"),
            QgsProcessingParameterNumber.Type.Double, _rules_param("builtup_threshold", 0.5), True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.CHP, self.tr("CHP plants"), [QgsProcessing.TypeVectorPoint], None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANNING_AREA, self.tr("City planning areas"), [QgsProcessing.TypeVectorPolygon], None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_distance_params(DISTANCES)
        add_field_map_param(self)
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("ZONES", self.tr("Zones GeoPackage")))

    def process(self, parameters, context, feedback):
        from ...analysis.builtup import builtup_from_polygons, builtup_from_raster
        from ...analysis.pipeline import CanceledError
        from ...analysis.zones import build_all_zones
        from ...layers.run_job import load_ruleset, prepare_admin, prepare_enterprises, write_gpkg_atomically  # noqa: F401

        multi = QgsProcessingMultiStepFeedback(3, feedback)
        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)
        multi.setCurrentStep(0)
        try:
            ruleset = load_ruleset(self.parameterAsFile(parameters, self.RULES, context) or None,
                                   self.rule_params(parameters, context, DISTANCES))
        except Exception as exc:  # noqa: BLE001
            raise self.fail("规则文件有误", "invalid rules file", exc) from exc
        from ...analysis.validation import InputError, check_point_layer, check_polygon_layer

        maps = field_map_param(self, parameters, context)
        try:
            admin_snap = snapshot_param(self, parameters, self.ADMIN, context, multi)
            admin_raw = admin_snap.read()
            self._warn(multi, admin_snap.warnings)
            self._warn(multi, check_polygon_layer(admin_raw, admin_snap.name, "admin",
                                                  _admin_name_column(admin_raw, maps.get("admin"))))
            vector, raster = builtup_param(self, parameters, self.BUILTUP, context, multi)
            builtup_raw = None
            if not raster:
                builtup_raw = vector.read()
                self._warn(multi, vector.warnings)
                self._warn(multi, check_polygon_layer(builtup_raw, vector.name, "builtup"))
            chp_snap = snapshot_param(self, parameters, self.CHP, context, multi)
            chp_raw = chp_snap.read() if chp_snap else None
            if chp_snap:
                self._warn(multi, chp_snap.warnings)
                self._warn(multi, check_point_layer(chp_raw, chp_snap.name))
            plan_snap = snapshot_param(self, parameters, self.PLANNING_AREA, context, multi)
            planning = plan_snap.read() if plan_snap else None
            if planning is not None and len(planning):
                self._warn(multi, plan_snap.warnings)
                self._warn(multi, check_polygon_layer(planning, plan_snap.name, "planning"))
            else:
                planning = None
            admin = prepare_admin(admin_raw, None, admin_snap.name, maps.get("admin"))
            chp = prepare_enterprises(chp_raw, "chp", chp_snap.name, maps.get("chp")) if chp_snap else None
            if planning is not None:  # overrides checked now; the areas are read by the Z-PLAN builder
                from ...analysis.validation import check_field_mapping

                check_field_mapping([c for c in planning.columns if c != "geometry"], "planning", plan_snap.name,
                                    maps.get("planning"))
        except (InputError, ValueError) as exc:
            raise self.fail("输入图层有误", "bad input layer", exc) from exc
        if raster:
            p = ruleset.params
            threshold = p.get("builtup_threshold", 0.5)
            if parameters.get(self.BUILTUP_THRESHOLD) not in (None, ""):
                threshold = self.parameterAsDouble(parameters, self.BUILTUP_THRESHOLD, context)
            builtup = builtup_from_raster(raster, threshold, p.get("builtup_min_area_m2", 20000), p.get("builtup_max_hole_m2", 50000))
        else:
            builtup = builtup_from_polygons(builtup_raw)
        if multi.isCanceled():
            return {}
        multi.setCurrentStep(1)

        def progress(step, total, name):
            multi.setProgressText(f"{name} {step}/{total}")
            multi.setProgress(100.0 * step / max(total, 1))

        try:
            zones = build_all_zones(admin, builtup, chp, ruleset, planning_area=planning,
                                    progress=progress, is_canceled=multi.isCanceled,
                                    planning_fields=maps.get("planning"),
                                    planning_name=plan_snap.name if plan_snap else None)
        except CanceledError:
            return {}
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, InputError):  # names layer and field already
                raise self.fail("输入图层有误", "bad input layer", exc) from exc
            raise self.fail("构建管控分区失败", "building the zones failed", f"{type(exc).__name__}: {exc}") from exc
        if multi.isCanceled():
            return {}
        multi.setCurrentStep(2)
        from ...analysis.pipeline import _multi
        from ...analysis.validation import OutputError

        zones = {name: _multi(frame) for name, frame in zones.items() if frame is not None}
        try:
            path = write_gpkg_atomically(zones, os.path.join(out_dir, "zones.gpkg"))
        except OutputError as exc:
            raise self.fail("写入失败", "write failed", exc) from exc
        return {self.OUTPUT_DIR: out_dir, "ZONES": path}

    @staticmethod
    def _warn(feedback, lines) -> None:
        for line in lines or ():
            feedback.pushWarning(line)
