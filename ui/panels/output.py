"""输出 tab: county packages, the atlas, the workbook, the project and the PostGIS tables of the last run —
enabled once there is a run to write; each ends with a link that opens what was written."""
from __future__ import annotations

import os

from qgis.core import QgsApplication
from qgis.gui import QgsMapLayerComboBox, QgsProviderConnectionComboBox
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
)

from ...analysis.reports.run_report import one_language
from ...layers.qt_compat import layer_filters
from ...layers.user_errors import report
from .base import SETTINGS, Panel, tr, ui_is_chinese
from .run import folder_link


def unlock_authentication() -> None:
    """Ask for the master password of QGIS's authentication database now, on the main thread, rather than
    from the background task that opens the connection (no prompt when it is already unlocked)."""
    auth = QgsApplication.authManager()
    if auth is not None and not auth.isDisabled() and auth.masterPasswordHashInDatabase() and not auth.masterPasswordIsSet():
        auth.setMasterPassword(True)


def list_schemas(dock, connection_combo, schema_combo) -> None:
    """The chosen connection's schemas in the schema list (the typed name is kept): the output tab's database
    destination and the 进度 tab's ledger."""
    typed = schema_combo.currentText()
    schema_combo.clear()
    name = connection_combo.currentConnection()
    if name:
        try:
            from ...layers.postgis_output import find_connection

            schemas = [x for x in find_connection(name).schemas() if not x.startswith(("pg_", "information_schema"))]
            schema_combo.addItems(sorted(schemas))
        except Exception as exc:  # noqa: BLE001 - an unreachable database: the user may still type a schema
            dock.log(tr("Cannot list the schemas of {name}: {error}").format(name=name, error=report(exc)))
    schema_combo.setEditText(typed)


class OutputPanel(Panel):
    TAB = "tabOutput"

    def __init__(self, dock) -> None:
        super().__init__(dock)
        u = self.ui
        box = QGroupBox(tr("PostGIS database"), u)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        form = QFormLayout(box)
        self.db_connection = QgsProviderConnectionComboBox("postgres", box)
        self.db_connection.setAllowEmptyConnection(True)
        self.db_connection.setConnection("")
        self.db_schema = QComboBox(box)
        self.db_schema.setEditable(True)  # a new schema is created on the first write
        self.db_button = QPushButton(tr("Write the results to the database"), box)
        form.addRow(tr("Connection"), self.db_connection)
        form.addRow(tr("Schema"), self.db_schema)
        form.addRow(self.db_button)
        u.outputLayout.insertWidget(u.outputLayout.indexOf(u.outputStatus), box)
        u.outputLayout.insertWidget(u.outputLayout.indexOf(u.atlasButton), self._basemap_box())
        self._encoding_row()
        for label in (u.outputHint, u.outputStatus):  # next to the buttons; the stretch below takes the rest
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        u.outputLayout.addStretch(1)
        # the form's names for the widgets built here (tests and other panels reach them as dock.ui.*)
        u.dbConnection, u.dbSchema, u.dbButton = self.db_connection, self.db_schema, self.db_button
        u.outputHint.setText(tr("Run the analysis first; its files can then be written here."))
        self.set_enabled(False)

    def _encoding_row(self) -> None:
        """The county packages' shapefile encoding beside their button: UTF-8, or GBK for ArcGIS 10.x users."""
        from ...analysis.schema.output_fields import SHAPEFILE_ENCODINGS

        u = self.ui
        self.encoding_combo = QComboBox(u)
        self.encoding_combo.setObjectName("encodingCombo")
        for encoding in SHAPEFILE_ENCODINGS:
            self.encoding_combo.addItem(encoding, encoding)
        self.encoding_combo.setToolTip(tr("The encoding of the packages' shapefiles: UTF-8, or GBK for ArcGIS 10.x "
                                          "(column names: up to 3 Chinese characters in UTF-8, 5 in GBK)"))
        row = QHBoxLayout()
        index = u.outputLayout.indexOf(u.packagesButton)
        u.outputLayout.removeWidget(u.packagesButton)
        row.addWidget(u.packagesButton, 1)
        row.addWidget(QLabel(tr("Shapefile encoding"), u))
        row.addWidget(self.encoding_combo)
        u.outputLayout.insertLayout(index, row)

    def encoding(self) -> str:
        return self.encoding_combo.currentData() or "UTF-8"

    def _basemap_box(self) -> QGroupBox:
        """The atlas's optional basemap: a raster layer of the project, or 天地图 from the analyst's own key (kept
        for this session only, never saved or printed); neither: the atlas is made offline."""
        box = QGroupBox(tr("Atlas basemap (optional)"), self.ui)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        form = QFormLayout(box)
        self.basemap_combo = QgsMapLayerComboBox(box)
        self.basemap_combo.setFilters(layer_filters("RasterLayer"))
        self.basemap_combo.setAllowEmptyLayer(True)
        self.basemap_combo.setLayer(None)
        self.tianditu_key = QLineEdit(box)
        self.tianditu_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.tianditu_key.setPlaceholderText(tr("Tianditu key (used when no raster is chosen)"))
        form.addRow(tr("Raster layer"), self.basemap_combo)
        form.addRow(tr("Tianditu key"), self.tianditu_key)
        return box

    def basemap(self):
        """The layer(s) under the atlas maps, made on the main thread: the chosen raster, else 天地图, else None."""
        layer = self.basemap_combo.currentLayer()
        if layer is not None:
            return layer.clone()
        key = self.tianditu_key.text().strip()
        if key:
            from ...layers.atlas.export import tianditu_layers

            return tianditu_layers(key)
        return None

    def title(self) -> str:
        return tr("Output")

    def buttons(self):
        u = self.ui
        return (u.packagesButton, u.atlasButton, u.workbookButton, u.projectButton, self.db_button)

    def set_enabled(self, enabled: bool) -> None:
        for button in self.buttons():
            button.setEnabled(enabled)
        self.ui.outputHint.setVisible(not enabled)

    def connect(self) -> None:
        u = self.ui
        u.packagesButton.clicked.connect(self.export_packages)
        u.atlasButton.clicked.connect(self.print_atlas)
        u.workbookButton.clicked.connect(self.write_workbook)
        u.projectButton.clicked.connect(self.save_project)
        u.outputStatus.linkActivated.connect(self.dock.open_link)
        self.db_connection.connectionChanged.connect(lambda _name: self.refresh_db_schemas())
        self.db_button.clicked.connect(self.write_database)

    def restore(self, settings) -> None:
        # only the saved connection's name and the schema are remembered, never connection details
        self.db_connection.blockSignals(True)
        self.db_connection.setConnection(settings.value(SETTINGS + "db_connection", "", type=str))
        self.db_connection.blockSignals(False)
        self.db_schema.setEditText(settings.value(SETTINGS + "db_schema", "bluesky", type=str))
        self.encoding_combo.setCurrentIndex(max(0, self.encoding_combo.findData(
            settings.value(SETTINGS + "package_encoding", "UTF-8", type=str))))

    def save(self, settings) -> None:
        settings.setValue(SETTINGS + "db_connection", self.db_connection.currentConnection() or "")
        settings.setValue(SETTINGS + "db_schema", self.db_schema.currentText())
        settings.setValue(SETTINGS + "package_encoding", self.encoding())

    def on_results(self) -> None:
        self.set_enabled(bool(self.dock.result_paths.get("flags")))
        self.ui.outputStatus.setText("")

    # -- writers -------------------------------------------------------------------------------------------
    def _need_results(self) -> bool:
        if not self.dock.result_paths.get("flags"):
            self.dock.warn(tr("Run the analysis first."))
            return False
        return True

    def out_dir(self) -> str:
        return os.path.dirname(self.dock.result_paths["flags"])

    def _done(self, what: str):
        """What to do when a writer's task returns the path it wrote (or (path, how many))."""
        def done(value) -> None:
            path, count = value if isinstance(value, tuple) else (value, None)
            path = str(path)
            folder = path if os.path.isdir(path) else os.path.dirname(path) or self.out_dir()
            if os.path.dirname(os.path.normpath(path)) == os.path.normpath(self.out_dir()):
                from ...analysis.reports.run_manifest import add_to_manifest

                add_to_manifest(self.out_dir(), [os.path.basename(os.path.normpath(path))])  # one set, one record
            text = tr("{what} written: {path}").format(what=what, path=path if count is None else f"{path}（{count}）")
            self.ui.outputStatus.setText(text + " " + folder_link(folder, tr("Open the folder")))
            self.dock.log(text)
            self.dock.message(text + " " + folder_link(folder, tr("Open the folder")), success=True)
        return done

    def export_packages(self):
        if not self._need_results():
            return None
        paths, out_dir = self.dock.result_paths, self.out_dir()
        out = os.path.join(out_dir, "counties")
        encoding = self.encoding()

        def work(task):
            from ...layers.county_packages import export_county_packages

            zips = export_county_packages(paths["zones"], paths["flags"], out, encoding=encoding,
                                          progress=task.setProgress,
                                          is_canceled=task.isCanceled, admin_gpkg=paths["admin"],
                                          warn=warnings.append)
            return out, len(zips)

        warnings: list = []  # said after the task, on the main thread
        said = self._done(tr("County packages"))

        def done(value) -> None:
            said(value)
            for text in warnings:
                self.dock.warn(one_language(text, ui_is_chinese()))

        return self.dock.start_task(tr("Exporting county packages"), work, done)

    def print_atlas(self):
        if not self._need_results():
            return None
        paths, out_dir = self.dock.result_paths, self.out_dir()
        notes = [str(n) for n in self.dock.result.notes]
        ledger, month = self.dock.progress.output_ledger()
        basemap = self.basemap()
        compare = self.dock.scenarios.saved_comparison()  # 保存为方案 of this run: its pages per city

        def work(task):
            from ...layers.atlas.export import export_atlas

            res = export_atlas(paths["zones"], paths["flags"], paths["admin"], os.path.join(out_dir, "atlas.pdf"), notes,
                               ledger=ledger, month=month if ledger is not None else None, basemap=basemap,
                               compare=compare)
            return str(res.path) if res is not None else ""

        return self.dock.start_task(tr("Printing the atlas"), work, self._done(tr("Atlas")))

    def write_workbook(self):
        if not self._need_results():
            return None
        paths, out = self.dock.result_paths, os.path.join(self.out_dir(), "summary.xlsx")
        ledger, month = self.dock.progress.output_ledger()
        compare = self.dock.scenarios.saved_comparison()  # 保存为方案 of this run: the 方案比较 sheets

        def work(task):
            from ...layers.workbook.writer import write_summary_workbook

            return str(write_summary_workbook(paths["flags"], out, paths["zones"], ledger=ledger,
                                              month=month if ledger is not None else None, compare=compare))

        return self.dock.start_task(tr("Writing the summary workbook"), work, self._done(tr("Summary workbook")))

    def save_project(self) -> None:
        """Save a QGIS project of the inputs and results (main thread: it touches the project)."""
        if not self._need_results():
            return
        try:
            from ...layers.project import project_file_name, save_project

            sources = {}
            for key, combo in self.dock.data.layer_combos().items():
                layer = combo.currentLayer()
                # file inputs only: a database layer's source would put connection details into the project
                if layer is not None and layer.providerType() in ("ogr", "gdal"):
                    sources[key] = layer.source()
            out_dir = self.out_dir()
            path = save_project(os.path.join(out_dir, project_file_name(out_dir)), sources,
                                self.dock.result_paths["zones"], self.dock.result_paths["flags"])
            self._done(tr("Project"))(path)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.dock.warn(tr("Saving the project failed: {error}").format(error=report(exc)))

    # -- PostGIS -------------------------------------------------------------------------------------------
    def refresh_db_schemas(self) -> None:
        list_schemas(self.dock, self.db_connection, self.db_schema)

    def write_database(self):
        """Write the last run's zones and flags to the chosen schema, replacing its previous tables at once."""
        if not self._need_results():
            return None
        from ...layers.postgis_output import DatabaseDestination

        name, schema = self.db_connection.currentConnection(), self.db_schema.currentText().strip()
        if not name or not schema:
            self.dock.warn(tr("Choose a saved PostgreSQL connection and a schema."))
            return None
        self.dock.save_settings()
        unlock_authentication()
        destination = DatabaseDestination(name, schema)
        gpkgs = [self.dock.result_paths["zones"], self.dock.result_paths["flags"]]
        label = os.path.basename(self.out_dir())

        def work(task):
            from ...layers.postgis_output import write_gpkgs_to_postgis

            tables = write_gpkgs_to_postgis(gpkgs, destination, label, task.report, task.isCanceled)
            return f"{destination.label()}（{len(tables)}）"

        def done(text) -> None:
            message = tr("{what} written: {path}").format(what=tr("Database tables"), path=text)
            self.ui.outputStatus.setText(message)
            self.dock.log(message)
            self.dock.message(message, success=True)

        return self.dock.start_task(tr("Writing the results to the database"), work, done)
