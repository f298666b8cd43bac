""""导入企业清单…": an XLSX/CSV list (enterprises, or villages and communities) with lon/lat columns → a WGS84
point layer (GeoPackage)."""
from __future__ import annotations

import os
import tempfile
from typing import Dict, List, Optional

from qgis.core import QgsSettings, QgsVectorLayer
from qgis.gui import QgsFileWidget
from qgis.PyQt import uic
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QProgressDialog, QTableWidgetItem

from ..analysis.inputs.table_read import DEFAULT_MAX_ROWS
from ..analysis.schema.fields import LAYER_KINDS as KINDS
from ..layers.user_errors import report
from .panels.base import SETTINGS

FORM_CLASS, _ = uic.loadUiType(os.path.join(os.path.dirname(__file__), "import_dialog.ui"))


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportDialog", text)


def kind_labels() -> Dict[str, str]:
    """The kinds of list, in analysis.schema.fields.LAYER_KINDS order (the combo's index is the kind's index there)."""
    labels = {"boiler": tr("Boilers"), "mine": tr("Mines"), "plant": tr("Plants"), "chp": tr("CHP plants"),
              "village": tr("Villages and communities")}
    return {kind: labels[kind] for kind in KINDS}


def coord_labels() -> Dict[str, str]:
    return {
        "WGS84": tr("WGS84 (GPS)"),
        "CGCS2000": tr("CGCS2000 (China 2000)"),
        "GCJ02": tr("GCJ-02 (Amap / Tencent)"),
        "BD09": tr("BD-09 (Baidu)"),
    }


def import_output_dir() -> str:
    """Folder for imported lists: the saved output folder's 'imported' sub-folder, else a temp folder."""
    base = QgsSettings().value(SETTINGS + "output_dir", "", type=str)
    folder = os.path.join(base, "imported") if base else os.path.join(tempfile.gettempdir(), "bluesky_zoning_imported")
    os.makedirs(folder, exist_ok=True)
    return folder


class ImportDialog(QDialog, FORM_CLASS):
    """Pick a file, see its columns and the guessed mapping, choose the coordinate system; accept imports."""

    def __init__(self, parent=None, kind: str = "boiler") -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.layer: Optional[QgsVectorLayer] = None
        self.kind = kind
        self.max_rows = DEFAULT_MAX_ROWS  # a longer table is refused before it is read (bluesky:import_list's MAX_ROWS)
        self._columns: List[str] = []
        self._df = None
        self.fileWidget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.fileWidget.setFilter(tr("Tables (*.xlsx *.xls *.csv)"))
        for key, label in kind_labels().items():
            self.kindCombo.addItem(label, key)
        self.kindCombo.setCurrentIndex(KINDS.index(kind) if kind in KINDS else 0)
        for key, label in coord_labels().items():
            self.crsCombo.addItem(label, key)
        settings = QgsSettings()
        last = settings.value(SETTINGS + "import/coord_system", "WGS84", type=str)
        self.crsCombo.setCurrentIndex(max(0, self.crsCombo.findData(last)))
        self.mappingTable.setColumnCount(3)
        self.mappingTable.setHorizontalHeaderLabels([tr("Field"), tr("Column"), tr("Check")])
        self.mappingTable.horizontalHeader().setStretchLastSection(True)
        self.fileWidget.fileChanged.connect(self.load_file)
        self.kindCombo.currentIndexChanged.connect(self.refresh_mapping)
        self.lonCombo.currentIndexChanged.connect(self.refresh_mapping)
        self.latCombo.currentIndexChanged.connect(self.refresh_mapping)
        self.crsCombo.currentIndexChanged.connect(self.refresh_mapping)
        self.buttonBox.accepted.connect(self.accept)
        self.buttonBox.rejected.connect(self.reject)
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    # -- reading --------------------------------------------------------------------------------
    def read_progress(self, path: str) -> QProgressDialog:
        """A progress dialog with a working Cancel for one read of ``path`` (shown when it lasts over half a
        second): pass ``progress=lambda f: dlg.setValue(int(100 * f))`` and ``is_canceled=dlg.wasCanceled``;
        ``setValue`` of a modal dialog lets Qt handle the Cancel click between chunks of rows."""
        dlg = QProgressDialog(tr("Reading {name}…").format(name=os.path.basename(path)), tr("Cancel"), 0, 100, self)
        dlg.setWindowTitle(tr("Import enterprise list"))
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(500)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setValue(0)
        return dlg

    def load_file(self, path: str) -> None:
        from ..analysis.common.errors import CanceledError
        from ..analysis.inputs.enterprises import read_table
        from ..analysis.inputs.import_table import guess_lonlat

        self._df, self._columns = None, []
        self.lonCombo.clear()
        self.latCombo.clear()
        if not path or not os.path.exists(path):
            return
        dlg = self.read_progress(path)
        try:
            try:
                df = read_table(path, max_rows=self.max_rows, progress=lambda f: dlg.setValue(int(100 * f)),
                                is_canceled=dlg.wasCanceled)
            finally:
                dlg.close()
                dlg.deleteLater()
        except CanceledError:
            self.columnsLabel.setText(tr("Reading canceled."))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user
            QMessageBox.warning(self, tr("Import enterprise list"), tr("Cannot read the file: {error}").format(error=report(exc)))
            return
        df.columns = [str(c) for c in df.columns]
        self._df, self._columns = df, list(df.columns)
        self.columnsLabel.setText(tr("{rows} rows; columns: {columns}").format(rows=len(df), columns="，".join(self._columns)))
        self.nameEdit.setText(os.path.splitext(os.path.basename(path))[0])
        guess = guess_lonlat(self._columns, self.current_kind())
        for combo, key in ((self.lonCombo, "lon"), (self.latCombo, "lat")):
            combo.blockSignals(True)
            combo.addItems(self._columns)
            if guess.get(key) in self._columns:
                combo.setCurrentIndex(self._columns.index(guess[key]))
            combo.blockSignals(False)
        self.refresh_mapping()

    def current_kind(self) -> str:
        return self.kindCombo.currentData() or "boiler"

    def current_system(self) -> str:
        return self.crsCombo.currentData() or "WGS84"

    def refresh_mapping(self) -> None:
        """Each canonical field with its guessed column and a tick, or a warning with the bad-row count."""
        from ..analysis.inputs.enterprises import enterprises_from_table
        from ..analysis.schema.fields import fields_for, guess_field_mapping

        self.mappingTable.setRowCount(0)
        ok = self._df is not None and bool(self.lonCombo.currentText()) and bool(self.latCombo.currentText())
        self.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if self._df is None:
            return
        kind = self.current_kind()
        mapping = dict(guess_field_mapping(self._columns, kind))
        mapping["lon"], mapping["lat"] = self.lonCombo.currentText() or None, self.latCombo.currentText() or None
        bad: Dict[str, int] = {}
        try:
            table = enterprises_from_table(self._df, kind, mapping, self.current_system(), kind)
            if table.problems is not None and len(table.problems):
                for name, count in table.problems["field"].value_counts().items():
                    for part in str(name).split(","):
                        bad[part] = bad.get(part, 0) + int(count)
        except Exception as exc:  # noqa: BLE001 - shown in the table
            bad["*"] = len(self._df)
            self.columnsLabel.setText(self.columnsLabel.text() + "\n" + report(exc))
        for fdef in fields_for(kind):
            row = self.mappingTable.rowCount()
            self.mappingTable.insertRow(row)
            column = mapping.get(fdef.name)
            self.mappingTable.setItem(row, 0, QTableWidgetItem(fdef.label))
            self.mappingTable.setItem(row, 1, QTableWidgetItem(column or tr("(not found)")))
            if not column:
                status = "—"
            elif bad.get(fdef.name):
                status = tr("⚠ {label}: {n} rows cannot be parsed").format(label=fdef.label, n=bad[fdef.name])
            else:
                status = "✔"
            item = QTableWidgetItem(status)
            if status.startswith("⚠"):
                item.setForeground(Qt.GlobalColor.darkRed)
            self.mappingTable.setItem(row, 2, item)
        self.mappingTable.resizeColumnsToContents()

    # -- importing ------------------------------------------------------------------------------
    def import_layer(self) -> Optional[QgsVectorLayer]:
        """Write the points to a GeoPackage and return the (not yet added) layer."""
        from ..analysis.common.file_names import safe_file_stem
        from ..analysis.inputs.import_table import import_table_to_gpkg

        path = self.fileWidget.filePath()
        name = self.nameEdit.text().strip() or os.path.splitext(os.path.basename(path))[0]
        out = os.path.join(import_output_dir(), f"{safe_file_stem(name)}_{self.current_kind()}.gpkg")
        dlg = self.read_progress(path)
        try:
            out, rows, bad, _ = import_table_to_gpkg(path, self.current_kind(), self.current_system(), out,
                                                     self.lonCombo.currentText(), self.latCombo.currentText(),
                                                     max_rows=self.max_rows,
                                                     progress=lambda f: dlg.setValue(int(100 * f)),
                                                     is_canceled=dlg.wasCanceled)
        finally:
            dlg.close()
            dlg.deleteLater()
        layer = QgsVectorLayer(f"{out}|layername=points", name, "ogr")
        layer.setCustomProperty("bluesky_zoning/kind", self.current_kind())
        layer.setCustomProperty("bluesky_zoning/coord_system", self.current_system())
        return layer if layer.isValid() else None

    def accept(self) -> None:
        from ..analysis.common.errors import CanceledError

        try:
            self.layer = self.import_layer()
        except CanceledError:  # the user's Cancel on the progress dialog: the import dialog stays open
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user
            QMessageBox.warning(self, tr("Import enterprise list"), tr("Import failed: {error}").format(error=report(exc)))
            return
        QgsSettings().setValue(SETTINGS + "import/coord_system", self.current_system())
        super().accept()
