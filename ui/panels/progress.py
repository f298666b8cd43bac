"""进度 tab: the monthly check-off ledger (RULES.md §5, plan 四(二) "逐月检点，逐项销号").

Where the ledger lives (its own GeoPackage, or a PostGIS schema a team shares), its months, 更新台账 (the last
run's flags.gpkg folded into the ledger for a month, in a task), and the month per county as the ledger counted it
(``monthly_progress``, the rows and order of the workbook's 进度 sheet). A county's tasks on the map and a person's
check-off are ``progress_tasks.py``. Reading and writing the ledger always happen in a task: a shared database may
be slow, and a GeoPackage may be locked by a colleague's update.
"""
from __future__ import annotations

import os
from typing import Any, List, Optional, Tuple

from qgis.core import QgsSettings
from qgis.gui import QgsFileWidget, QgsProviderConnectionComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...layers.user_errors import report
from .base import SETTINGS, Panel, tr, ui_is_chinese
from .progress_tasks import OVERDUE_COLOR, TOTAL, LedgerTaskList, ledger_error_text
from .run import step_text

COUNTS = ("open", "new", "done", "reopened", "overdue")  # monthly_progress's columns, in the table's order
GPKG, POSTGIS = "gpkg", "postgis"
LEDGER_NAME = "ledger.gpkg"  # the ledger's file name where the tab looks for one (scripts/demo.py writes it too)


def next_month(month: Optional[str]) -> str:
    """'2020-08' → '2020-09' (the month an analyst most likely records next); '' for no month."""
    if not month:
        return ""
    year, mon = (int(p) for p in str(month).split("-"))
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


class ProgressPanel(Panel):
    """The 进度 tab; its page is built here (dock.ui holds the six tabs of a run)."""

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.ledger = None  # analysis.ledger.updates.Ledger as last read
        self.ledger_label = ""  # the store's own name for it ("台账文件「ledger.gpkg」")
        self.loaded_key = ""  # the location self.ledger was read from
        self.suggested_month = ""  # what the new-month field was filled with (replaced while untouched)
        self.task = None  # the running update or check-off
        self.reading = None  # the running read
        self.reading_key = ""  # of which ledger
        self.path_chosen = False  # the ledger file was chosen (or updated) by the user, not offered by the tab
        self.widget = self._build()
        self.set_update_enabled()

    # -- the page ------------------------------------------------------------------------------------------
    def _build(self) -> QWidget:
        page = QWidget()
        page.setObjectName("tabProgress")
        layout = QVBoxLayout(page)
        box = QGroupBox(tr("Monthly ledger"), page)
        form = QFormLayout(box)
        self.location = QComboBox(box)
        self.location.addItem(tr("GeoPackage file"), GPKG)
        self.location.addItem(tr("PostGIS database"), POSTGIS)
        form.addRow(tr("Kept in"), self.location)
        self.ledger_file = QgsFileWidget(box)
        self.ledger_file.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.ledger_file.setConfirmOverwrite(False)  # an existing ledger is updated, never replaced
        self.ledger_file.setFilter(tr("GeoPackage (*.gpkg)"))
        self.ledger_file.setDialogTitle(tr("The ledger's GeoPackage (created by the first update)"))
        self.file_label = QLabel(tr("Ledger file"), box)
        form.addRow(self.file_label, self.ledger_file)
        self.db_connection = QgsProviderConnectionComboBox("postgres", box)
        self.db_connection.setAllowEmptyConnection(True)
        self.db_connection.setConnection("")
        self.db_schema = QComboBox(box)
        self.db_schema.setEditable(True)  # a new schema is created by the first update
        self.connection_label, self.schema_label = QLabel(tr("Connection"), box), QLabel(tr("Schema"), box)
        form.addRow(self.connection_label, self.db_connection)
        form.addRow(self.schema_label, self.db_schema)
        self.month_combo = QComboBox(box)
        self.month_combo.setToolTip(tr("The months the ledger holds; the table shows the one chosen."))
        self.undo_button = QPushButton(tr("Undo the last month"), box)
        self.undo_button.setToolTip(tr("Restore the ledger as it was before its last monthly update; earlier "
                                       "months and manual check-offs stay."))
        months_row = QHBoxLayout()  # undo beside the months: the tab stays as narrow as the dock
        months_row.addWidget(self.month_combo, 1)
        months_row.addWidget(self.undo_button)
        form.addRow(tr("Month"), months_row)
        row = QHBoxLayout()
        self.new_month = QLineEdit(box)
        self.new_month.setPlaceholderText("YYYY-MM")
        self.new_month.setToolTip(tr("The month the last run's lists describe (YYYY-MM). The same month again "
                                     "replaces its update; an older month than the ledger's last is refused."))
        self.update_button = QPushButton(tr("Update ledger"), box)
        row.addWidget(self.new_month, 1)
        row.addWidget(self.update_button)
        form.addRow(tr("Last run as month"), row)
        self.unchanged_check = QCheckBox(tr("The lists did not change since the last month"), box)
        self.unchanged_check.setToolTip(tr("Results identical to an earlier month are refused (last month's lists "
                                           "still loaded). Tick this only when the month's lists really did not "
                                           "change since the ledger's last month."))
        form.addRow(self.unchanged_check)
        layout.addWidget(box)
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setVisible(False)
        layout.addWidget(self.progress_bar)
        self.summary = QLabel(page)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = self.make_table(page, [tr("City"), tr("County")] + self.count_headers())
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the counts stay compact
        from ...layers.workbook.ledger_sheets import COUNT_NOTES

        for col, note in enumerate(COUNT_NOTES, start=2):  # what each count means, as the workbook's 进度 sheet says
            self.table.horizontalHeaderItem(col).setToolTip(note)
        layout.addWidget(self.table, 3)
        self.tasks = LedgerTaskList(self, page)
        layout.addWidget(self.tasks.label)
        layout.addWidget(self.tasks.table, 2)
        layout.addWidget(self.tasks.check_button)
        self.show_location_rows()
        return page

    @staticmethod
    def make_table(parent, headers: List[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), parent)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    @staticmethod
    def count_headers() -> List[str]:
        return [tr("Open"), tr("New this month"), tr("Done this month"), tr("Reopened"), tr("Overdue")]

    def page(self) -> QWidget:
        return self.widget

    def title(self) -> str:
        return tr("Progress")

    def connect(self) -> None:
        self.location.currentIndexChanged.connect(self._location_changed)
        self.ledger_file.fileChanged.connect(self._file_chosen)
        self.db_connection.connectionChanged.connect(self._connection_changed)
        self.db_schema.lineEdit().editingFinished.connect(self._location_changed)
        self.db_schema.activated.connect(self._location_changed)
        self.month_combo.currentIndexChanged.connect(lambda _i: self.fill_table())
        self.update_button.clicked.connect(lambda: self.update_ledger())
        self.undo_button.clicked.connect(lambda: self.undo_month())
        self.ui.tabs.currentChanged.connect(self._tab_shown)
        self.ui.outDir.fileChanged.connect(lambda _path: self.offer_default_ledger())  # runs elsewhere now
        self.tasks.connect()

    # -- where the ledger is -------------------------------------------------------------------------------
    def restore(self, settings) -> None:
        for widget in (self.location, self.ledger_file, self.db_connection, self.db_schema):
            widget.blockSignals(True)
        self.location.setCurrentIndex(max(0, self.location.findData(settings.value(SETTINGS + "ledger/location", GPKG,
                                                                                   type=str))))
        remembered = settings.value(SETTINGS + "ledger/path", "", type=str)
        self.path_chosen = bool(remembered)
        # the last ledger used; else one offered where the runs are (created there by the first update)
        self.ledger_file.setFilePath(remembered or self.default_ledger_path())
        # only the saved connection's name and the schema are remembered, never connection details
        self.db_connection.setConnection(settings.value(SETTINGS + "ledger/db_connection", "", type=str))
        self.db_schema.setEditText(settings.value(SETTINGS + "ledger/db_schema", "", type=str))
        for widget in (self.location, self.ledger_file, self.db_connection, self.db_schema):
            widget.blockSignals(False)
        self.show_location_rows()
        # a GeoPackage is read at once (or the tab says there is none yet); a database waits for the tab (it may
        # ask for a password), and without one named the tab says where a ledger can be kept
        if self.location_kind() == GPKG or not self.location_key():
            self.refresh()

    def save(self, settings) -> None:
        settings.setValue(SETTINGS + "ledger/location", self.location_kind())
        settings.setValue(SETTINGS + "ledger/path", self.ledger_file.filePath() if self.path_chosen else "")
        settings.setValue(SETTINGS + "ledger/db_connection", self.db_connection.currentConnection() or "")
        settings.setValue(SETTINGS + "ledger/db_schema", self.db_schema.currentText().strip())

    def location_kind(self) -> str:
        return self.location.currentData() or GPKG

    def ledger_candidates(self) -> List[str]:
        """Where a ledger beside the runs would be, most likely first: in the last run's folder and the folder
        above it (the dock's runs are run_… folders inside the output folder), beside the project (the demo's
        out/demo/ledger.gpkg beside demo.qgz), in the 分析 tab's output folder."""
        from qgis.core import QgsProject

        from ...layers.output_place import default_output_dir

        folders = []
        flags = self.dock.result_paths.get("flags")
        if flags:
            run_folder = os.path.dirname(os.path.abspath(flags))
            folders += [run_folder, os.path.dirname(run_folder)]
        if QgsProject.instance().homePath():
            folders.append(QgsProject.instance().homePath())
        folders.append(self.ui.outDir.filePath() or default_output_dir())
        return list(dict.fromkeys(os.path.join(f, LEDGER_NAME) for f in folders if f))

    def default_ledger_path(self) -> str:
        """The first ledger that exists beside the runs, else the one in the output folder (made by the first
        update)."""
        candidates = self.ledger_candidates()
        return next((p for p in candidates if os.path.isfile(p)), candidates[-1] if candidates else "")

    def offer_default_ledger(self) -> None:
        """While the user has chosen no ledger file, offer the one beside the runs (and read it)."""
        if self.path_chosen or self.location_kind() != GPKG:
            return
        path = self.default_ledger_path()
        if path and os.path.normcase(os.path.abspath(path)) != os.path.normcase(os.path.abspath(self.ledger_path()
                                                                                                or ".")):
            self.ledger_file.blockSignals(True)
            self.ledger_file.setFilePath(path)
            self.ledger_file.blockSignals(False)
            self.refresh()

    def show_location_rows(self) -> None:
        database = self.location_kind() == POSTGIS
        for widget in (self.file_label, self.ledger_file):
            widget.setVisible(not database)
        for widget in (self.connection_label, self.db_connection, self.schema_label, self.db_schema):
            widget.setVisible(database)

    def ledger_path(self) -> str:
        path = self.ledger_file.filePath().strip()
        return path + ".gpkg" if path and not path.lower().endswith(".gpkg") else path

    def location_key(self) -> str:
        """Which ledger the widgets name (the task layer the tab added carries it)."""
        if self.location_kind() == POSTGIS:
            name, schema = self.db_connection.currentConnection() or "", self.db_schema.currentText().strip()
            return f"{POSTGIS}:{name}/{schema}" if name and schema else ""
        path = self.ledger_path()
        return f"{GPKG}:{os.path.normcase(os.path.abspath(path))}" if path else ""

    def store(self):
        """The ledger store the widgets name; LedgerStoreError (a sentence for the user) when they name none."""
        from ...layers.ledger_store.factory import open_ledger

        if self.location_kind() == POSTGIS:
            from ...layers.postgis_output import DatabaseDestination

            name, schema = self.db_connection.currentConnection() or "", self.db_schema.currentText().strip()
            return open_ledger(destination=DatabaseDestination(name, schema) if name and schema else None)
        return open_ledger(path=self.ledger_path() or None)

    def _file_chosen(self, *_args) -> None:
        """The user's own ledger file from now on (cleared: the one beside the runs is offered again)."""
        self.path_chosen = bool(self.ledger_file.filePath().strip())
        if not self.path_chosen:
            self.offer_default_ledger()
        self._location_changed()

    def _location_changed(self, *_args) -> None:
        self.show_location_rows()
        self.save(QgsSettings())
        if self.location_key() != self.loaded_key:
            self.refresh()

    def _connection_changed(self, *_args) -> None:
        from .output import list_schemas

        list_schemas(self.dock, self.db_connection, self.db_schema)
        self._location_changed()

    def _tab_shown(self, index: int) -> None:
        """A remembered database ledger is read when the tab is first shown (the database may ask for the
        master password, which the dock's opening should not)."""
        if self.ui.tabs.widget(index) is not self.widget:
            return
        if not self.location_key() or self.location_key() != self.loaded_key:
            self.refresh()  # without a place named, the hint says where a ledger can be kept

    # -- reading -------------------------------------------------------------------------------------------
    def _forget_ledger(self, text: str) -> None:
        self.ledger, self.ledger_label, self.loaded_key = None, "", ""
        self.tasks.selected_key = None
        self.fill_months()
        self.fill_table()
        self.summary.setText(text)

    def refresh(self):
        """Read the ledger the widgets name (a task); the months and the table follow. None when there is none."""
        if not self.location_key():
            self._forget_ledger(tr("Choose where the monthly ledger is kept: a GeoPackage file (created by the "
                                   "first update) or a PostGIS connection and schema."))
            return None
        try:
            store = self.store()
        except Exception as exc:  # noqa: BLE001 - a sentence for the user
            self._forget_ledger(ledger_error_text(exc))
            return None
        key = self.location_key()
        if self.location_kind() == GPKG and not os.path.exists(self.ledger_path()):
            self.show_ledger(None, store.label(), key)  # none there yet: the tab says so at once
            return None
        if self.reading is not None and not self.reading.done and self.reading_key == key:
            return self.reading  # already being read
        if self.location_kind() == POSTGIS:
            from .output import unlock_authentication

            unlock_authentication()

        def work(_task):
            return (store.read() if store.exists() else None), store.label()

        def done(value) -> None:
            if key != self.location_key():  # the user chose another ledger meanwhile
                return
            ledger, label = value
            self.show_ledger(ledger, label, key)

        def error(exc, _trace) -> None:
            if key == self.location_key():
                self._forget_ledger(ledger_error_text(exc))

        self.reading, self.reading_key = self.dock.start_task(tr("Reading the monthly ledger"), work, done, error), key
        return self.reading

    def show_ledger(self, ledger, label: str, key: str, month: Optional[str] = None) -> None:
        """Take a ledger just read: its months, the chosen month's table, the task list of the county shown."""
        self.ledger, self.ledger_label, self.loaded_key = ledger, label, key
        self.fill_months(month)
        self.fill_table()
        self.tasks.fill()
        self.tasks.reload_layer()

    def months(self) -> List[str]:
        if self.ledger is None:
            return []
        return sorted(str(m) for m in self.ledger.months["month"].dropna())

    def month(self) -> str:
        return self.month_combo.currentData() or ""

    def fill_months(self, select: Optional[str] = None) -> None:
        months = self.months()
        keep = select or self.month()
        combo = self.month_combo
        combo.blockSignals(True)
        combo.clear()
        for m in reversed(months):  # the latest first: what people look at
            combo.addItem(m, m)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if months else -1)
        combo.blockSignals(False)
        if not self.new_month.text().strip() or self.new_month.text().strip() == self.suggested_month:
            self.suggested_month = next_month(months[-1]) if months else ""
            self.new_month.setText(self.suggested_month)

    # -- the month per county ------------------------------------------------------------------------------
    def fill_table(self) -> None:
        """The chosen month's counties as the ledger counted them (the workbook's 进度 rows, city totals left
        to the workbook), 全省合计 first; overdue counts in red."""
        table = self.table
        table.setRowCount(0)
        self.tasks.clear()
        month = self.month()
        if self.ledger is None or not month:
            if self.loaded_key:
                self.summary.setText(tr("{ledger} does not exist yet or holds no month: run the analysis, type "
                                        "the month and click Update ledger.").format(ledger=self.ledger_label))
            return
        from ...layers.workbook.ledger_sheets import NO_COUNTY, progress_rows

        rows, totals = progress_rows(self.ledger, month)
        province = rows[totals[-1]]
        counties = [r for i, r in enumerate(rows) if i not in set(totals)]
        self._add_row(TOTAL, tr("Province total"), "", province[3:], bold=True)
        for city, county, adcode, *counts in counties:
            key = (str(adcode or ""), "" if county == NO_COUNTY else str(county or ""))
            self._add_row(key, city or "", county or "", counts)
        self.summary.setText(tr("{ledger}, {month}: {open} open, {new} new this month, {done} done this month, "
                                "{reopened} reopened, {overdue} overdue. Click a county to select its open tasks "
                                "on the map.").format(ledger=self.ledger_label, month=month,
                                                      **dict(zip(COUNTS, province[3:]))))

    def _add_row(self, key: Tuple[str, str], city: str, county: str, counts, bold: bool = False) -> None:
        table = self.table
        row = table.rowCount()
        table.insertRow(row)
        cells = [QTableWidgetItem(str(city)), QTableWidgetItem(str(county))]
        for name, value in zip(COUNTS, counts):
            item = QTableWidgetItem(str(int(value)))
            item.setTextAlignment(int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
            if name == "overdue" and int(value) > 0:
                item.setForeground(OVERDUE_COLOR)
            cells.append(item)
        cells[0].setData(Qt.ItemDataRole.UserRole, key)
        for col, item in enumerate(cells):
            if bold:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            table.setItem(row, col, item)

    def row_key(self, row: int) -> Optional[Tuple[str, str]]:
        """(adcode, county) of a county row, TOTAL for 全省合计."""
        item = self.table.item(row, 0)
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return tuple(value) if value else None

    def place(self, key: Tuple[str, str]) -> str:
        """"太原市 · 小店区": how the table names a county row."""
        for row in range(self.table.rowCount()):
            if self.row_key(row) == key:
                return " · ".join(t for t in (self.table.item(row, 0).text(), self.table.item(row, 1).text()) if t)
        return key[1] or key[0]

    # -- the monthly update --------------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.task is not None and not self.task.done

    def set_update_enabled(self) -> None:
        has_run = bool(self.dock.result_paths.get("flags"))
        self.update_button.setEnabled(has_run and not self.busy())
        self.update_button.setToolTip(tr("Fold the last run's results (flags.gpkg) into the ledger for the month.")
                                      if has_run else tr("Run the analysis first: the ledger is updated with a run's "
                                                         "results."))

    def on_results(self) -> None:
        self.set_update_enabled()
        self.offer_default_ledger()  # a run elsewhere: the ledger beside it

    def update_ledger(self, month: Optional[str] = None):
        """Fold the last run's flags.gpkg into the ledger for ``month`` (the new-month field when None), in a task
        with its progress; the months, the table and the task layer follow. Returns the task or None."""
        from ...analysis.ledger.updates import parse_month
        from ...layers.ledger_store.factory import current_user

        flags = self.dock.result_paths.get("flags")
        if not flags:
            self.dock.warn(tr("Run the analysis first: the ledger is updated with a run's results."))
            return None
        if self.busy():
            return None
        try:
            month = parse_month(month if month is not None else self.new_month.text())
            store = self.store()
        except Exception as exc:  # noqa: BLE001 - a sentence for the user
            self.dock.warn(ledger_error_text(exc))
            return None
        path = getattr(store, "path", None)
        if path is not None and os.path.abspath(str(path)) == os.path.abspath(flags):
            self.dock.warn(tr("The ledger cannot be the run's flags file; choose another file name."))
            return None
        self.save(QgsSettings())
        if self.location_kind() == POSTGIS:
            from .output import unlock_authentication

            unlock_authentication()
        key, by = self.location_key(), current_user()
        unchanged = self.unchanged_check.isChecked()

        def work(task):
            task.report(0, 3, tr("Folding {month} into the ledger").format(month=month))
            result = store.update_month(flags, month, by, unchanged=unchanged)
            task.report(2, 3, tr("Reading the updated ledger"))
            return result, store.read(), store.label()

        def done(value) -> None:
            result, ledger, label = value
            if key == self.location_key():
                if self.location_kind() == GPKG:  # the ledger used: remembered for the next QGIS session
                    self.path_chosen = True
                    self.save(QgsSettings())
                self.new_month.clear()  # the month is in; the next one is suggested
                self.show_ledger(ledger, label, key, result.month)
            c = result.counts
            text = tr("{ledger} updated for {month}: {new} new, {done} done, {reopened} reopened, {overdue} overdue; "
                      "{open} open.").format(ledger=label, month=result.month, **c)
            if result.replaced:
                text += " " + tr("(The month's earlier update was replaced.)")
            self.unchanged_check.setChecked(False)  # said for one month only
            self.dock.log(text)
            for note in result.notes:
                self.dock.log("  • " + note)
            self.dock.message(text, success=True)

        return self.start_write(tr("Updating the monthly ledger"), work, done,
                                tr("The monthly ledger was not updated: {error}"))

    def undo_month(self):
        """撤销本月: the ledger as before its last monthly update, in a task; returns the task or None."""
        if self.busy():
            return None
        try:
            store = self.store()
        except Exception as exc:  # noqa: BLE001 - a sentence for the user
            self.dock.warn(ledger_error_text(exc))
            return None
        key = self.location_key()

        def work(task):
            task.report(0, 2, tr("Undoing the ledger's last month"))
            result = store.undo_month()
            return result, store.read(), store.label()

        def done(value) -> None:
            result, ledger, label = value
            if key == self.location_key():
                self.show_ledger(ledger, label, key)
            text = "；".join(result.notes) if ui_is_chinese() else tr("{ledger}: the update of {month} was undone.").format(
                ledger=label, month=result.month)
            self.dock.log(text)
            self.dock.message(text, success=True)

        return self.start_write(tr("Undoing the ledger's last month"), work, done,
                                tr("The last month was not undone: {error}"))

    def start_write(self, description: str, work, done, failed: str):
        """Run a ledger write in a task; the bar shows its step, the buttons wait for it. ``failed`` says what
        went wrong ("…{error}")."""
        bar = self.progress_bar

        def finish() -> None:
            bar.setVisible(False)
            self.tasks.check_button.setEnabled(True)
            self.undo_button.setEnabled(True)
            self.set_update_enabled()

        def on_done(value) -> None:
            finish()
            done(value)

        def on_error(exc, _trace) -> None:
            finish()
            self.dock.warn(failed.format(error=ledger_error_text(exc)))

        def on_canceled() -> None:
            # a write cannot stop half-way: it completed or never began; read again to show which
            finish()
            self.refresh()

        bar.setValue(0)
        bar.setFormat(description.replace("%", "%%") + "  (%p%)")
        bar.setVisible(True)
        self.update_button.setEnabled(False)
        self.undo_button.setEnabled(False)
        self.tasks.check_button.setEnabled(False)
        task = self.dock.start_task(description, work, on_done, on_error, on_canceled)
        task.step.connect(lambda step, total, name: bar.setFormat(step_text(step, total, name).replace("%", "%%")
                                                                  + "  (%p%)"))
        task.progressChanged.connect(lambda p: bar.setValue(int(p)))
        self.task = task
        return task

    # -- what the output tab prints --------------------------------------------------------------------------
    def output_ledger(self) -> Tuple[Any, Optional[str]]:
        """(ledger store, month) for the atlas and the workbook: the ledger shown here when it holds a month, and
        the month chosen; (None, None) without one."""
        if not self.months() or self.loaded_key != self.location_key():
            return None, None
        try:
            store = self.store()
        except Exception as exc:  # noqa: BLE001 - the outputs go without the ledger
            report(exc)
            return None, None
        return store, (self.month() or None)
