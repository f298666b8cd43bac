"""bluesky:run_all — the whole job: zones, flags, and optionally packages, atlas, workbook, project."""
from __future__ import annotations

import os
from typing import Any, Dict

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
    QgsProcessingParameterNumber,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterVectorLayer,
    QgsRasterLayer,
    QgsVectorLayer,
)

from ._common import BlueSkyAlgorithm, rule_defaults

PACKAGES_FOLDER = "counties"  # out_dir/counties/*.zip


def project_file_name(out_dir: str) -> str:
    """The project is named after the output folder: out/demo → demo.qgz."""
    stem = os.path.basename(os.path.normpath(out_dir)) or "bluesky"
    return f"{stem}.qgz"


DISTANCES = ("CHP_RADIUS_KM", "MINE_RING_KM", "FRINGE_KM", "B35_TPH", "B10_TPH")


def snapshot_param(alg: BlueSkyAlgorithm, parameters, name: str, context, feedback):
    """A thread-safe snapshot (layers.run_job.Snapshot) of a vector parameter, None when not given."""
    from ...layers.convert import _ogr_source, source_to_gdf
    from ...layers.run_job import Snapshot

    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None:
        return None
    if _ogr_source(layer) is not None:
        return Snapshot(layer)
    source = alg.parameterAsSource(parameters, name, context)
    return Snapshot.from_gdf(layer.name(), source_to_gdf(source, feedback))


def builtup_param(alg: BlueSkyAlgorithm, parameters, name: str, context, feedback):
    """(vector snapshot, raster path) of the built-up parameter, exactly one of them set."""
    from ...layers.convert import _ogr_source, layer_to_gdf
    from ...layers.run_job import Snapshot, snapshot_raster

    layer = alg.parameterAsLayer(parameters, name, context)
    if layer is None:
        raise alg.fail("需要建成区图层", "a built-up layer is required")
    if isinstance(layer, QgsRasterLayer):
        try:
            return None, snapshot_raster(layer)
        except ValueError as exc:
            raise alg.fail("建成区栅格须为文件", "the built-up raster must be a file (GDAL)", exc) from exc
    if isinstance(layer, QgsVectorLayer):
        return (Snapshot(layer) if _ogr_source(layer) else Snapshot.from_gdf(layer.name(), layer_to_gdf(layer))), None
    raise alg.fail("建成区图层类型不支持", "unsupported built-up layer type", layer.name())


FIELD_MAP = "FIELD_MAP"


def add_field_map_param(alg: BlueSkyAlgorithm) -> None:
    """The optional FIELD_MAP text: which column holds which canonical field, over the guess (usable from
    qgis_process and the Modeler: one string, entries kind.field=column)."""
    from qgis.core import QgsProcessingParameterString

    alg.addParameter(QgsProcessingParameterString(
        FIELD_MAP, alg.tr("Field mapping overrides (kind.field=column, separated by ; or new lines; "
                          "e.g. planning.city=所属市; boiler.fuel=燃料)"), "", True, True))


def field_map_param(alg: BlueSkyAlgorithm, parameters, context) -> dict:
    """{kind: {field: column}} of FIELD_MAP; a malformed entry is a clear Processing error."""
    from ...analysis.validation import InputError, parse_field_map

    try:
        return parse_field_map(alg.parameterAsString(parameters, FIELD_MAP, context) or "")
    except InputError as exc:
        raise alg.fail("字段对应（FIELD_MAP）有误", "bad FIELD_MAP", exc) from exc


class RunAllAlgorithm(BlueSkyAlgorithm):
    ADMIN = "ADMIN"
    BUILTUP = "BUILTUP"
    BUILTUP_THRESHOLD = "BUILTUP_THRESHOLD"
    BOILERS = "BOILERS"
    MINES = "MINES"
    PLANTS = "PLANTS"
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
        return self.tr(
            "Builds the zones of Shanxi's 2020 Blue Sky plan (coal-ban zones from the built-up areas, the "
            "1+30 region, key-city groups, CHP heating rings, open-pit mine closure zone, planning areas), "
            "flags every boiler, mine and plant with the plan's rules and writes zones.gpkg and flags.gpkg "
            "to the output folder; optionally also the per-county packages, the PDF atlas, the summary "
            "workbook and a QGIS project. The fields of every input layer are guessed from their column "
            "names (Chinese or English); FIELD_MAP overrides a guess, one kind.field=column per entry "
            "(kinds admin, planning, boiler, mine, plant, chp; e.g. planning.city=所属市; plant.industry=所属行业). "
            "A planning area without a city gets the city it lies in. Distances and thresholds default to the "
            "rules file's values."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 - QGIS API name
        defaults = rule_defaults()
        self.addParameter(QgsProcessingParameterVectorLayer(self.ADMIN, self.tr("County boundaries"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterMapLayer(self.BUILTUP, self.tr("Built-up areas (polygons or raster)")))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUILTUP_THRESHOLD, self.tr("Built-up raster threshold (cell value at or above it is built-up)"),
            QgsProcessingParameterNumber.Type.Double, _rules_param("builtup_threshold", 0.5), True))
        point = [QgsProcessing.TypeVectorPoint]
        self.addParameter(QgsProcessingParameterVectorLayer(self.BOILERS, self.tr("Boilers"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.MINES, self.tr("Mines"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANTS, self.tr("Industrial plants"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.CHP, self.tr("CHP plants"), point, None, True))
        self.addParameter(QgsProcessingParameterVectorLayer(self.PLANNING_AREA, self.tr("City planning areas"), [QgsProcessing.TypeVectorPolygon], None, True))
        self.addParameter(QgsProcessingParameterFile(self.RULES, self.tr("Rules file (YAML; the shipped plan when empty)"),
                                                     QgsProcessingParameterFile.Behavior.File, "yaml", None, True,
                                                     self.tr("Rules (*.yaml *.yml)")))
        self.add_distance_params(DISTANCES)
        add_field_map_param(self)
        for name, label, default in (
            (self.EXPORT_PACKAGES, self.tr("Export per-county packages"), False),
            (self.PRINT_ATLAS, self.tr("Print the PDF atlas"), False),
            (self.WRITE_WORKBOOK, self.tr("Write the summary workbook"), False),
            (self.SAVE_PROJECT, self.tr("Save a QGIS project"), False),
        ):
            self.addParameter(QgsProcessingParameterBoolean(name, label, default))
        # optional PostGIS destination: a saved QGIS connection (credentials in its authcfg) and a schema
        self.addParameter(QgsProcessingParameterProviderConnection(
            self.DB_CONNECTION, self.tr("Also write the results to this PostgreSQL connection"), "postgres", None, True))
        self.addParameter(QgsProcessingParameterDatabaseSchema(
            self.DB_SCHEMA, self.tr("Database schema for the results"), self.DB_CONNECTION, None, True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_DIR, self.tr("Output folder")))
        for name, label in (("FLAGGED", self.tr("Enterprises flagged")), ("FLAGS", self.tr("Rule hits")),
                            ("TO_VERIFY", self.tr("Rows to verify")), ("ENTERPRISES", self.tr("Enterprises read"))):
            self.addOutput(QgsProcessingOutputNumber(name, label))
        self.addOutput(QgsProcessingOutputFolder("PACKAGES_DIR", self.tr("Per-county packages")))
        self.addOutput(QgsProcessingOutputNumber("DB_TABLES", self.tr("Tables written to the database")))
        _ = defaults

    # -- run ---------------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        from ...analysis.pipeline import CanceledError
        from ...analysis.validation import InputError
        from ...layers.run_job import JobInputs, run_job

        export = self.parameterAsBool(parameters, self.EXPORT_PACKAGES, context)
        atlas = self.parameterAsBool(parameters, self.PRINT_ATLAS, context)
        workbook = self.parameterAsBool(parameters, self.WRITE_WORKBOOK, context)
        project = self.parameterAsBool(parameters, self.SAVE_PROJECT, context)
        database = self._database_destination(parameters, context)
        steps = 2 + int(export) + int(atlas) + int(workbook) + int(project) + int(database is not None)
        multi = QgsProcessingMultiStepFeedback(steps, feedback)
        out_dir = self.parameterAsString(parameters, self.OUTPUT_DIR, context)

        multi.setCurrentStep(0)
        field_maps = field_map_param(self, parameters, context)
        multi.pushInfo(self.tr("Reading the input layers"))
        admin = snapshot_param(self, parameters, self.ADMIN, context, multi)
        if admin is None:
            raise self.fail("需要行政区划图层", "a county boundary layer is required")
        builtup_vector, builtup_raster = builtup_param(self, parameters, self.BUILTUP, context, multi)
        enterprises = {}
        for kind, name in (("boiler", self.BOILERS), ("mine", self.MINES), ("plant", self.PLANTS)):
            snap = snapshot_param(self, parameters, name, context, multi)
            if snap is not None:
                enterprises[kind] = snap
        if not enterprises:
            raise self.fail("至少需要一个企业图层（锅炉、矿山或工业企业）", "at least one enterprise layer (boilers, mines or plants) is required")
        threshold = None
        if parameters.get(self.BUILTUP_THRESHOLD) not in (None, ""):
            threshold = self.parameterAsDouble(parameters, self.BUILTUP_THRESHOLD, context)
        inputs = JobInputs(
            admin=admin,
            builtup_vector=builtup_vector,
            builtup_raster=builtup_raster,
            enterprises=enterprises,
            chp=snapshot_param(self, parameters, self.CHP, context, multi),
            planning_area=snapshot_param(self, parameters, self.PLANNING_AREA, context, multi),
            rules_path=self.parameterAsFile(parameters, self.RULES, context) or None,
            params=self.rule_params(parameters, context, DISTANCES),
            builtup_threshold=threshold,
            field_mappings=field_maps,
        )
        if multi.isCanceled():
            return {}

        def progress(step: int, total: int, name: str) -> None:
            multi.setProgressText(f"{name} {step}/{total}")
            multi.setProgress(100.0 * step / max(total, 1))

        try:
            result, paths = run_job(inputs, out_dir, progress, multi.isCanceled, warn=multi.pushWarning)
        except CanceledError:
            multi.reportError(self.tr("Canceled: nothing was written."), False)
            return {}
        except InputError as exc:  # its message names layer and field: no Python exception name
            raise self.fail("输入图层有误", "bad input layer", exc) from exc
        except Exception as exc:  # noqa: BLE001 - reported as a Processing error
            raise self.fail("分析失败", "the analysis failed", f"{type(exc).__name__}: {exc}") from exc

        zones_gpkg = str(paths.get("zones", os.path.join(out_dir, "zones.gpkg")))
        flags_gpkg = str(paths.get("flags", os.path.join(out_dir, "flags.gpkg")))
        counts = counts_of(result)
        for key, value in counts.items():
            multi.pushInfo(f"{key}: {value}")
        outputs: Dict[str, Any] = {self.OUTPUT_DIR: out_dir, "ZONES": zones_gpkg, "FLAGS_GPKG": flags_gpkg}
        outputs.update(counts)
        step = 1
        notes = list(getattr(result, "notes", []) or [])
        if database is not None:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Writing the results to the database"))
            outputs.update(self._write_database(database, zones_gpkg, flags_gpkg, out_dir, multi))
            if multi.isCanceled():
                return outputs
        if export:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Exporting the per-county packages"))
            from ...layers.county_packages import export_county_packages

            packages_dir = os.path.join(out_dir, PACKAGES_FOLDER)
            zips = self._written("分县数据包", "county packages", export_county_packages, zones_gpkg, flags_gpkg,
                                 packages_dir, progress=multi.setProgress, is_canceled=multi.isCanceled,
                                 admin_gpkg=self._admin_gpkg(result, out_dir))
            outputs["PACKAGES"] = len(zips)
            outputs["PACKAGES_DIR"] = packages_dir
        if multi.isCanceled():
            return outputs
        if atlas:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Printing the atlas"))
            from ...layers.atlas import export_atlas

            admin_gpkg = self._admin_gpkg(result, out_dir)
            res = self._written("图集", "atlas", export_atlas, zones_gpkg, flags_gpkg, admin_gpkg,
                                os.path.join(out_dir, "atlas.pdf"), notes, feedback=multi)
            outputs["ATLAS"] = str(getattr(res, "path", res))
        if multi.isCanceled():
            return outputs
        if workbook:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Writing the summary workbook"))
            from ...layers.workbook import write_summary_workbook

            outputs["WORKBOOK"] = str(self._written("汇总表", "summary workbook", write_summary_workbook, flags_gpkg,
                                                    os.path.join(out_dir, "summary.xlsx"), zones_gpkg))
        if project:
            step += 1
            multi.setCurrentStep(step - 1)
            multi.pushInfo(self.tr("Saving the QGIS project"))
            from ...layers.project import save_project

            admin_layer = self.parameterAsVectorLayer(parameters, self.ADMIN, context)
            # file inputs only: a database layer's source would put connection details into the project
            sources = {"admin": admin_layer.source()} if admin_layer.providerType() in ("ogr", "gdal") else {}
            outputs["PROJECT"] = str(self._written("QGIS 工程", "QGIS project", save_project,
                                                   os.path.join(out_dir, project_file_name(out_dir)), sources,
                                                   zones_gpkg, flags_gpkg))
        multi.setCurrentStep(steps - 1)
        multi.setProgress(100)
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

    @staticmethod
    def _admin_gpkg(result, out_dir: str) -> str:
        """The normalised admin layer written next to the results (the atlas needs county polygons)."""
        path = os.path.join(out_dir, "admin.gpkg")
        admin = getattr(result, "admin", None)
        if admin is not None and (getattr(result, "_admin_written", None) != path or not os.path.exists(path)):
            # always this run's counties: a stale admin.gpkg of an earlier run in the folder is replaced
            tmp = path + ".part.gpkg"
            try:
                admin.to_file(tmp, layer="counties", driver="GPKG", engine="pyogrio")
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.remove(tmp)
                raise
            try:
                result._admin_written = path
            except AttributeError:
                pass
        return path


def _rules_param(name: str, fallback: float) -> float:
    try:
        from ...analysis.rules import load_rules

        return float(load_rules().params.get(name, fallback))
    except Exception:  # noqa: BLE001
        return fallback


def counts_of(result) -> Dict[str, int]:
    """FLAGGED, FLAGS, TO_VERIFY and ENTERPRISES of an AnalysisResult."""
    def n(frame) -> int:
        try:
            return int(len(frame))
        except TypeError:
            return 0

    verdicts = getattr(result, "verdicts", None)
    out = {
        "FLAGS": n(getattr(result, "flags", None)),
        "FLAGGED": n(verdicts),
        "TO_VERIFY": n(getattr(result, "to_verify", None)),
    }
    counts = getattr(result, "counts", None)
    try:
        out["ENTERPRISES"] = int(counts["count_in"].sum())
        out["FLAGGED"] = int(counts["flagged"].sum())
        out["TO_VERIFY"] = int(counts["to_verify"].sum())
    except Exception:  # noqa: BLE001 - counts of another shape: keep the frame lengths
        out["ENTERPRISES"] = 0
    return out
