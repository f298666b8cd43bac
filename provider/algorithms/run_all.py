"""bluesky:run_all — the whole job: zones, flags, and optionally packages, atlas, workbook, project."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Dict, List

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDatabaseSchema,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterVectorLayer,
)

from ...analysis.reports.run_manifest import MANIFEST
from ...layers.output_place import output_dir
from ._common import JUDGED_LISTS, BlueSkyAlgorithm, chinese_of, judged_list_types, translatable

PACKAGES_FOLDER = "counties"  # out_dir/counties/*.zip
#: the rules-file parameters run_all offers (each an optional Processing parameter; empty: the rules file's)
RUN_PARAMS = ("chp_radius_km", "mine_ring_km", "fringe_km", "b35_tph", "b10_tph", "builtup_threshold")


def counts_of(result) -> Dict[str, int]:
    """FLAGGED, FLAGS, TO_VERIFY and ENTERPRISES of an AnalysisResult."""
    return result.counts_by_kind()


class RunAllAlgorithm(BlueSkyAlgorithm):
    ADMIN = "ADMIN"
    BUILTUP = "BUILTUP"
    BOILERS = "BOILERS"
    MINES = "MINES"
    PLANTS = "PLANTS"
    VILLAGES = "VILLAGES"
    CHP = "CHP"
    PLANNING_AREA = "PLANNING_AREA"
    RULES = "RULES"
    OUTPUT_DIR = "OUTPUT_DIR"
    DB_CONNECTION = "DB_CONNECTION"
    DB_SCHEMA = "DB_SCHEMA"
    EXPORT_PACKAGES = "EXPORT_PACKAGES"
    PRINT_ATLAS = "PRINT_ATLAS"
    WRITE_WORKBOOK = "WRITE_WORKBOOK"
    SAVE_PROJECT = "SAVE_PROJECT"

    def name(self) -> str:
        return "run_all"

    def displayName(self) -> str:  # noqa: N802 - QGIS API name
        return self.tr("Run the whole analysis")

    def shortHelpString(self) -> str:  # noqa: N802 - QGIS API name
        # no code words: a person reads it (the field mapping's syntax is in the user guide, section 7)
        return self.help_with_labels(self.tr(
            "Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the "
            "1+30 region, key-city groups, CHP heating rings, the open-pit mine closure zone, planning areas), "
            "judges every boiler, mine, plant and village with the plan's rules and writes the zones (zones.gpkg) "
            "and the judgements (flags.gpkg) to the output folder; with the options below (ticked in this dialog) "
            "also the per-county packages, the PDF atlas, the summary workbook and a QGIS project. The columns of "
            "every list are recognised by their names (Chinese or English); where one is wrong, the field mapping "
            "names the right column (how: the user guide, section 7). A planning area without a city gets the "
            "city it lies in. Distances and thresholds left empty take the rules file's values."))

    def add_input_params(self) -> None:
        """The job's inputs: layers, rules file, rule parameters, FIELD_MAP (bluesky:compare_scenarios takes the
        same, from here)."""
        self.addParameter(QgsProcessingParameterVectorLayer(self.ADMIN, self.tr("County boundaries"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterMapLayer(
            self.BUILTUP, self.tr("Built-up areas (polygons or raster)"), None, False,
            [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster]))
        point = [QgsProcessing.TypeVectorPoint]
        one_of = translatable("at least one of boilers, mines, plants, villages")
        for kind, name, label in JUDGED_LISTS:
            description = self.label(f"{chinese_of(label) or label}（{chinese_of(one_of) or one_of}）",
                                     f"{label} ({one_of})")
            self.addParameter(QgsProcessingParameterVectorLayer(name, description, judged_list_types(kind), None,
                                                                True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.CHP, self.tr("CHP plants"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANNING_AREA, self.tr("City planning areas"), [QgsProcessing.TypeVectorPolygon], None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_rule_params(RUN_PARAMS)
        self.add_field_map_param()

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        self.add_input_params()
        for name, label, default in (
            (self.EXPORT_PACKAGES, self.tr("Export per-county packages"), False),
            (self.PRINT_ATLAS, self.tr("Print the PDF atlas"), False),
            (self.WRITE_WORKBOOK, self.tr("Write the summary workbook"), False),
            (self.SAVE_PROJECT, self.tr("Save a QGIS project"), False),
        ):
            param = QgsProcessingParameterBoolean(name, label, default)
            # ticked in the dialog (people want the whole set); a script or model leaves them off unless it asks
            param.setGuiDefaultValueOverride(True)
            self.addParameter(param)
        # optional PostGIS destination: a saved QGIS connection (credentials in its authcfg) and a schema
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.DB_CONNECTION, self.tr("Also write the results to this PostgreSQL connection"), "postgres", None, True))
        self.addParameter(QgsProcessingParameterDatabaseSchema(
            self.DB_SCHEMA, self.tr("Database schema for the results"), self.DB_CONNECTION, None, True))
        folder = QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder"))
        folder.setGuiDefaultValueOverride(output_dir())  # the dock's folder, not a temporary one nobody finds
        self.addParameter(folder)
        for name, label in (("FLAGGED", self.tr("Enterprises flagged")), ("FLAGS", self.tr("Rule hits")),
                            ("TO_VERIFY", self.tr("Rows to verify")), ("ENTERPRISES", self.tr("Enterprises read"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))
        self.addOutput(QgsProcessingOutputFolder("PACKAGES_DIR", self.tr("Per-county packages")))
        self.addOutput(QgsProcessingOutputNumber("DB_TABLES", self.tr("Tables written to the database")))

    def checkParameterValues(self, parameters, context):  # noqa: N802 - QGIS API name
        """Before the run starts: one enterprise list at least (the dialog shows the message and waits)."""
        ok, message = super().checkParameterValues(parameters, context)
        if ok and not any(self.parameterAsVectorLayer(parameters, name, context) is not None
                          for _kind, name, _label in JUDGED_LISTS):
            # Chinese first whatever the locale, as every message of a failed run (see BlueSkyAlgorithm.fail).
            return False, "请至少选择一个清单（锅炉、矿山、工业企业或村） / choose at least one list"
        return ok, message

    # -- run ---------------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        from ...analysis.common.output_folder import check_writable, clean_debris, staging_folder

        export = self.parameterAsBool(parameters, self.EXPORT_PACKAGES, context)
        atlas = self.parameterAsBool(parameters, self.PRINT_ATLAS, context)
        workbook = self.parameterAsBool(parameters, self.WRITE_WORKBOOK, context)
        project = self.parameterAsBool(parameters, self.SAVE_PROJECT, context)
        database = self._database_destination(parameters, context)
        steps = 2 + int(export) + int(atlas) + int(workbook) + int(project) + int(database is not None)
        multi = QgsProcessingMultiStepFeedback(steps, feedback)
        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)

        # the folder before any work: writable, no input in the way of the set, no debris of a killed run
        names = self._set_names(out_dir, export, atlas, workbook, project)
        try:
            check_writable(out_dir)
        except Exception as exc:  # noqa: BLE001 - an OutputError: its text is the message
            raise QgsProcessingException(str(exc)) from None
        self.guard_outputs(parameters, context, [os.path.join(out_dir, n) for n in names + [MANIFEST]])
        for item in clean_debris(out_dir):
            multi.pushInfo(f"已清除上次中断运行留下的临时文件：{item.name}")
        self._check_space(parameters, context, out_dir)

        multi.setCurrentStep(0)
        inputs = self._job_inputs(parameters, context, multi)
        if multi.isCanceled():
            return {}
        staging = staging_folder(out_dir)
        try:
            outputs = self._write_set(parameters, context, inputs, multi, out_dir, str(staging), database, names,
                                      steps)
        except QgsProcessingException as exc:  # the user reads their folder, not the hidden staging one
            raise QgsProcessingException(str(exc).replace(str(staging), out_dir)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # a failed or canceled run leaves the previous set whole
        multi.setCurrentStep(steps - 1)
        multi.setProgress(100)
        return outputs

    @staticmethod
    def _set_names(out_dir: str, export: bool, atlas: bool, workbook: bool, project: bool) -> List[str]:
        """The files (and the packages' folder) of one run's set, in out_dir."""
        from ...layers.project import project_file_name

        names = ["zones.gpkg", "flags.gpkg", "admin.gpkg"]
        names += [PACKAGES_FOLDER] * export + ["atlas.pdf"] * atlas + ["summary.xlsx"] * workbook
        names += [project_file_name(out_dir)] * project
        return names

    def _check_space(self, parameters, context, out_dir: str) -> None:
        """Refuse before the run when the disk cannot hold the new set beside the old one: the previous set's
        size (its manifest), else three times the inputs (the outputs carry the inputs' rows and the zones)."""
        from ...analysis.common.output_folder import MB, check_space
        from ...analysis.reports.run_manifest import read_manifest

        old = read_manifest(out_dir)
        if old and old.get("files"):
            needed = sum(int(f.get("size", 0)) for f in old["files"].values())
        else:
            needed = 3 * sum(os.path.getsize(p) for p in self.input_files(parameters, context).values()
                             if os.path.isfile(p))
        try:
            check_space(out_dir, needed + 20 * MB)
        except Exception as exc:  # noqa: BLE001 - an OutputError: its text is the message
            raise QgsProcessingException(str(exc)) from None

    def _job_inputs(self, parameters, context, multi):
        from ...layers.run_job import JobInputs

        field_maps = self.field_maps(parameters, context)
        multi.pushInfo(self.tr("Reading the input layers"))
        admin = self.snapshot(parameters, self.ADMIN, context, multi)
        if admin is None:
            raise self.fail("需要行政区划图层", "a county boundary layer is required")
        builtup_vector, builtup_raster = self.builtup(parameters, self.BUILTUP, context)
        enterprises = {}
        for kind, name, _label in JUDGED_LISTS:
            snap = self.snapshot(parameters, name, context, multi)
            if snap is not None:
                enterprises[kind] = snap
        if not enterprises:
            raise self.fail("至少需要一个企业图层（锅炉、矿山或工业企业）", "at least one enterprise layer (boilers, mines or plants) is required")
        return JobInputs(
            admin=admin,
            builtup_vector=builtup_vector,
            builtup_raster=builtup_raster,
            enterprises=enterprises,
            chp=self.snapshot(parameters, self.CHP, context, multi),
            planning_area=self.snapshot(parameters, self.PLANNING_AREA, context, multi),
            rules_path=self.parameterAsFile(parameters, self.RULES, context) or None,
            params=self.rule_params(parameters, context, RUN_PARAMS),
            field_mappings=field_maps,
        )

    def _write_set(self, parameters, context, inputs, multi, out_dir: str, staging: str, database, names,
                   steps: int) -> Dict[str, Any]:
        """The analysis and every chosen output written into ``staging``, checked, then swapped into ``out_dir``
        with its manifest; the outputs returned name the files in ``out_dir``."""
        from ...analysis.common.output_folder import swap_in
        from ...analysis.reports.run_manifest import manifest_names, read_manifest, write_manifest
        from ...layers.run_job import run_job

        done = self.run_stage(run_job, inputs, staging, self.progress_to(multi), multi.isCanceled,
                              warn=multi.pushWarning)
        if done is None:
            multi.reportError(self.tr("Canceled: nothing was written."), False)
            return {}
        result, paths = done

        zones_gpkg, flags_gpkg, admin_gpkg = str(paths["zones"]), str(paths["flags"]), str(paths["admin"])
        counts = counts_of(result)
        for key, value in counts.items():
            multi.pushInfo(f"{key}: {value}")
        from ...analysis.reports.run_report import run_counts

        multi.pushInfo(run_counts(result.flags, result.to_verify).text_zh())  # the workbook's and atlas's words
        final = {name: os.path.join(out_dir, name) for name in names}
        outputs: Dict[str, Any] = {self.OUTPUT_DIR: out_dir, "ZONES": final["zones.gpkg"],
                                   "FLAGS_GPKG": final["flags.gpkg"]}
        outputs.update(counts)
        step = 1
        notes = list(result.notes)
        if database is not None:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Writing the results to the database"))
            outputs.update(self._write_database(database, zones_gpkg, flags_gpkg, out_dir, multi))
            if multi.isCanceled():
                return {}
        if PACKAGES_FOLDER in names:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Exporting the per-county packages"))
            from ...layers.county_packages import export_county_packages

            zips = self._written("分县数据包", "county packages", export_county_packages, zones_gpkg, flags_gpkg,
                                 os.path.join(staging, PACKAGES_FOLDER), progress=multi.setProgress,
                                 is_canceled=multi.isCanceled, admin_gpkg=admin_gpkg, warn=multi.pushWarning)
            outputs["PACKAGES"] = len(zips)
            outputs["PACKAGES_DIR"] = final[PACKAGES_FOLDER]
        if multi.isCanceled():
            return {}
        if "atlas.pdf" in names:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Printing the atlas"))
            from ...layers.atlas.export import export_atlas

            res = self._written("图集", "atlas", export_atlas, zones_gpkg, flags_gpkg, admin_gpkg,
                                os.path.join(staging, "atlas.pdf"), notes, feedback=multi)
            if res is None:  # canceled
                return {}
            outputs["ATLAS"] = final["atlas.pdf"]
        if multi.isCanceled():
            return {}
        if "summary.xlsx" in names:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Writing the summary workbook"))
            from ...layers.workbook.writer import write_summary_workbook

            self._written("汇总表", "summary workbook", write_summary_workbook, flags_gpkg,
                          os.path.join(staging, "summary.xlsx"), zones_gpkg, notes=notes)
            outputs["WORKBOOK"] = final["summary.xlsx"]
        if multi.isCanceled():
            return {}
        project_name = next((n for n in names if n.endswith(".qgz")), None)
        # the swap: the old manifest goes first, the new one comes last (a reader tells a mixed set by it)
        old = read_manifest(out_dir)
        self._written("成果", "outputs", swap_in, staging, out_dir, [n for n in names if n != project_name],
                      stale=[n for n in manifest_names(old) if n != project_name],
                      before=lambda: Path(out_dir, MANIFEST).unlink(missing_ok=True))
        if project_name:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Saving the QGIS project"))
            from ...layers.project import save_project

            admin_layer = self.parameterAsVectorLayer(parameters, self.ADMIN, context)
            # file inputs only: a database layer's source would put connection details into the project
            sources = {"admin": admin_layer.source()} if admin_layer.providerType() in ("ogr", "gdal") else {}
            # saved where it stays, after the swap: its relative paths (inputs outside the folder too) hold
            self._written("QGIS 工程", "QGIS project", save_project, final[project_name], sources,
                          final["zones.gpkg"], final["flags.gpkg"])
            outputs["PROJECT"] = final[project_name]
        run_inputs = {k: v for k, v in self.input_files(parameters, context).items()}
        self._written("运行记录", "run manifest", write_manifest, out_dir, names, run_inputs,
                      result.params, {"counts": counts})
        multi.pushInfo(f"成果已整套写入「{out_dir}」，运行记录 {MANIFEST}")
        return outputs

    def _written(self, what_zh: str, what_en: str, write, *args, **kwargs):
        """Run one output writer; a full disk or an unwritable folder becomes a clear Processing error."""
        try:
            return write(*args, **kwargs)
        except OSError as exc:
            raise self.fail(f"写入{what_zh}失败", f"writing the {what_en} failed", exc) from exc

    def _database_destination(self, parameters, context):
        """layers.postgis_output.DatabaseDestination of the DB_CONNECTION/DB_SCHEMA pair, None when not set."""
        from ...layers.postgis_output import DatabaseDestination

        connection = self.parameterAsConnectionName(parameters, self.DB_CONNECTION, context)
        if not connection:
            return None
        schema = self.parameterAsSchema(parameters, self.DB_SCHEMA, context)
        if not schema:
            raise self.fail("写入数据库需要选择模式", "a database schema is required with the database connection")
        return DatabaseDestination(connection, schema)

    def _write_database(self, database, zones_gpkg: str, flags_gpkg: str, out_dir: str, feedback) -> Dict[str, Any]:
        """The run's GeoPackages into the schema, replacing its previous tables in one transaction."""
        from ...analysis.pipeline import CanceledError
        from ...layers.postgis_output import DatabaseOutputError, write_gpkgs_to_postgis

        def progress(step: int, total: int, name: str) -> None:
            feedback.setProgressText(name)
            feedback.setProgress(100.0 * step / max(total, 1))

        try:
            tables = write_gpkgs_to_postgis([zones_gpkg, flags_gpkg], database, os.path.basename(os.path.normpath(out_dir)),
                                            progress, feedback.isCanceled)
        except CanceledError:
            feedback.reportError(self.tr("Canceled: the database keeps its previous results."), False)
            return {}
        except DatabaseOutputError as exc:
            raise QgsProcessingException(str(exc)) from None
        feedback.pushInfo(f"已写入数据库{database.label()}：{len(tables)} 个表")
        return {self.DB_SCHEMA: database.schema, "DB_TABLES": len(tables)}

