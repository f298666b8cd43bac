"""The lower half of the 进度 tab: a county's outstanding tasks on the map and in a list, and a person's check-off.

A click on a county row adds the ledger's task layer to the project when it is not there (styled by
layers/styling.py: done greyed, overdue red), selects exactly that county's outstanding tasks on it, zooms to
them and lists them; a click on a listed task selects that one point. 人工销号 acts on the one task selected on
the layer (from the list or on the map) and is saved through the ledger store in a task.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from qgis.core import QgsExpression, QgsProject
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QHeaderView, QLabel, QPushButton, QTableWidgetItem

from ...layers.user_errors import user_message
from ..map_view import highlight_county, zoom_rect
from .base import tr, ui_is_chinese

TOTAL_KEY = "*"
TOTAL = (TOTAL_KEY, TOTAL_KEY)  # the 全省合计 row's key; a county's is (adcode, county name)
LOCATION_PROPERTY = "bluesky_zoning/ledger_location"  # on the task layer the tab added: which ledger it shows
OVERDUE_COLOR = QColor(215, 25, 28)  # the overdue class's red (layers/styling.LEDGER_CLASSES)
RULE_COLUMN_WIDTH, STATE_COLUMN_WIDTH = 110, 96  # px of the task list's columns in a 560 px dock


def county_expression(key: Tuple[str, str]) -> str:
    """The outstanding tasks of a table row's county, as a QGIS expression on the ledger's task layer."""
    outstanding = "\"status\" IN ('open', 'reopened')"
    if key == TOTAL:
        return outstanding
    adcode, county = key
    if adcode:
        where = f"\"adcode\" = {QgsExpression.quotedValue(adcode)}"
    elif county:
        where = f"\"county\" = {QgsExpression.quotedValue(county)}"
    else:  # tasks of no county (an enterprise outside every county boundary)
        where = "coalesce(\"county\", '') = '' AND coalesce(\"adcode\", '') = ''"
    return f"{outstanding} AND {where}"


def county_tasks(tasks, key: Tuple[str, str]):
    """The rows of the Ledger's ``tasks`` that county_expression selects on the layer."""
    from ...analysis.ledger.updates import OUTSTANDING

    mask = tasks["status"].isin(OUTSTANDING)
    if key != TOTAL:
        adcode, county = key

        def text(col):
            return tasks[col].astype(object).where(tasks[col].notna(), "").astype(str)

        if adcode:
            mask &= text("adcode") == adcode
        elif county:
            mask &= text("county") == county
        else:
            mask &= (text("county") == "") & (text("adcode") == "")
    return tasks[mask.to_numpy()]



def ledger_error_text(exc: BaseException) -> str:
    """A ledger's refusal (a month older than the ledger's, not a ledger file…) as its own sentence, in the dock's
    language; anything else as every dock message says it (layers/user_errors.py)."""
    from ...analysis.ledger.updates import LedgerError
    from ...analysis.reports.run_report import one_language

    text = str(exc).strip() if isinstance(exc, LedgerError) else user_message(exc)
    return one_language(text, ui_is_chinese())


class LedgerTaskList:
    """The task list, its label and the check-off button of the 进度 tab (``panel.tasks``)."""

    def __init__(self, panel, parent) -> None:
        self.panel = panel
        self.dock = panel.dock
        self.selected_key: Optional[Tuple[str, str]] = None  # the county row clicked last
        self.label = QLabel(parent)
        self.label.setWordWrap(True)
        self.table = panel.make_table(parent, [tr("Name"), tr("Rule"), tr("State"), tr("Deadline")])
        # a dock is narrow: the name takes what is left, a long rule or state is cut short (its tooltip is whole)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, RULE_COLUMN_WIDTH), (2, STATE_COLUMN_WIDTH)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.check_button = QPushButton(tr("Check off the selected task by hand…"), parent)
        self.check_button.setToolTip(tr("Select one task in the list above (or one point of the task layer on "
                                        "the map), then record who checked it off, the evidence file and a note."))

    def connect(self) -> None:
        self.panel.table.cellClicked.connect(self.on_county_row)
        self.table.cellClicked.connect(self.on_task_row)
        self.check_button.clicked.connect(lambda: self.check_off_selected())

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.label.setText("")

    # -- the task layer ------------------------------------------------------------------------------------
    def layer(self):
        """The ledger's task layer in the project, when the tab added it for the ledger shown."""
        key = self.panel.loaded_key
        if not key:
            return None
        for layer in QgsProject.instance().mapLayers().values():
            if layer.customProperty(LOCATION_PROPERTY) == key and layer.customProperty("bluesky_zoning/ledger") == "tasks":
                return layer
        return None

    def ensure_layer(self):
        """The task layer, added to the project (styled: done greyed, overdue red) when it is not there."""
        layer = self.layer()
        if layer is not None:
            return layer
        try:
            layers = dict(self.panel.store().layers())
        except Exception as exc:  # noqa: BLE001 - a sentence for the user
            self.dock.warn(ledger_error_text(exc))
            return None
        layer = layers.get("tasks")
        if layer is None or not layer.isValid():
            self.dock.warn(tr("The task layer of {ledger} cannot be opened.").format(ledger=self.panel.ledger_label))
            return None
        layer.setCustomProperty(LOCATION_PROPERTY, self.panel.loaded_key)
        QgsProject.instance().addMapLayer(layer)
        return layer

    def reload_layer(self) -> None:
        """The ledger was written outside the layer's provider: read it again, so the map shows the new states. The
        selection stays (a task just checked off is still the one chosen): the stores update rows in place, so
        a task keeps its feature id."""
        layer = self.layer()
        if layer is not None:
            chosen = layer.selectedFeatureIds()
            layer.dataProvider().reloadData()
            if chosen:
                layer.selectByIds(chosen)
            layer.triggerRepaint()

    # -- a county, its tasks ---------------------------------------------------------------------------------
    def on_county_row(self, row: int, _col: int = 0) -> int:
        """Select the county's outstanding tasks on the task layer (added when missing), zoom to them and list
        them. Returns how many were selected."""
        key = self.panel.row_key(row)
        if key is None or self.panel.ledger is None:
            return 0
        layer = self.ensure_layer()
        if layer is None:
            return 0
        self.selected_key = key
        layer.selectByExpression(county_expression(key))
        count = layer.selectedFeatureCount()
        self.dock.iface.setActiveLayer(layer)
        if count:
            zoom_rect(self.dock.iface.mapCanvas(), layer.boundingBoxOfSelected(), layer.crs())
        # the county highlighted on the last run's county boundaries (the province row: none)
        highlight_county(self.dock.admin_norm, None if key == TOTAL else (key[0] or f"name:{key[1]}"))
        self.fill(key)
        return count

    def fill(self, key: Optional[Tuple[str, str]] = None) -> None:
        """The county's outstanding tasks: overdue first, then by deadline and name; each row keeps its task_id."""
        from ...analysis.reports.labels import rule_label, rule_names
        from ...layers.styling import LEDGER_CLASS_LABELS, ledger_class

        key = key or self.selected_key
        self.clear()
        if key is None or self.panel.ledger is None:
            return
        tasks = county_tasks(self.panel.ledger.tasks, key).copy()
        tasks["_late"] = tasks["overdue"].fillna(0).astype(int)
        tasks = tasks.sort_values(["_late", "deadline", "name"], ascending=[False, True, True], kind="stable",
                                  na_position="last")
        names = rule_names(self.dock.ruleset)
        table = self.table
        for r in tasks.itertuples(index=False):
            row = table.rowCount()
            table.insertRow(row)
            state = ledger_class(r.status, r.check_off, r.overdue)
            cells = [str(r.name or r.ent_id or ""), rule_label(r.rule_id, names), LEDGER_CLASS_LABELS[state],
                     str(r.deadline or "")]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip("\n".join(t for t in (text, str(r.reason or "")) if t) if col == 0 else text)
                if col == 2 and state == "overdue":
                    item.setForeground(OVERDUE_COLOR)
                table.setItem(row, col, item)
            table.item(row, 0).setData(Qt.ItemDataRole.UserRole, str(r.task_id))
        place = tr("The province") if key == TOTAL else self.panel.place(key)
        self.label.setText(tr("{place}: {n} open tasks (click one to find it on the map).").format(
            place=place, n=len(tasks)))

    def on_task_row(self, row: int, _col: int = 0) -> Optional[str]:
        """Select that one task on the task layer and zoom to it; returns its task_id."""
        item = self.table.item(row, 0)
        layer = self.ensure_layer() if item is not None else None
        if layer is None:
            return None
        task_id = item.data(Qt.ItemDataRole.UserRole)
        layer.selectByExpression(f"\"task_id\" = {QgsExpression.quotedValue(task_id)}")
        if layer.selectedFeatureCount():
            zoom_rect(self.dock.iface.mapCanvas(), layer.boundingBoxOfSelected(), layer.crs())
        return task_id

    # -- a person's check-off ------------------------------------------------------------------------------
    def selected_task(self) -> Optional[Dict[str, Any]]:
        """The one task selected on the task layer (by the list or on the map), as the ledger holds it."""
        layer, ledger = self.layer(), self.panel.ledger
        if layer is None or ledger is None or layer.selectedFeatureCount() != 1:
            return None
        task_id = str(layer.selectedFeatures()[0]["task_id"])
        hit = ledger.tasks[ledger.tasks["task_id"] == task_id]
        return hit.iloc[0].to_dict() if len(hit) else None

    def check_off_selected(self, by: Optional[str] = None, evidence: str = "", note: str = "", revert: bool = False,
                           ask: bool = True):
        """Tick the selected task off by hand (or take the tick back), asking who, the evidence file and a note
        unless ``ask`` is False; saved in a task. Returns the task, or None when nothing was started."""
        from ...analysis.reports.labels import rule_label, rule_names
        from ...layers.ledger_store.factory import current_user
        task_row = self.selected_task()
        if task_row is None:
            self.dock.warn(tr("Select one task first: click a county, then a task in the list (or one point of the "
                              "task layer on the map)."))
            return None
        if self.panel.busy():
            return None
        rule = rule_label(task_row.get("rule_id"), rule_names(self.dock.ruleset))
        title = " · ".join(str(v) for v in (task_row.get("name"), rule, task_row.get("county")) if v)
        if ask:
            from .check_off_dialog import CheckOffDialog

            dialog = CheckOffDialog(self.dock, task_row, title, current_user())
            if not dialog.exec():
                return None
            by, evidence, note, revert = dialog.values()
        try:
            store = self.panel.store()
        except Exception as exc:  # noqa: BLE001 - a sentence for the user
            self.dock.warn(ledger_error_text(exc))
            return None
        by = (by or "").strip() or current_user()
        task_id, key, month = str(task_row["task_id"]), self.panel.loaded_key, self.panel.month()

        def work(_task):
            return store.check_off(task_id, by, evidence or "", note or "", revert), store.read(), store.label()

        def done(value) -> None:
            row, ledger, label = value
            if key == self.panel.location_key():
                self.panel.show_ledger(ledger, label, key, month)
            text = (tr("Check-off of {task} taken back.") if revert else
                    tr("{task}: checked off by hand by {by}.")).format(task=title, by=by)
            if not revert and int(row.get("disagree") or 0):
                text += " " + tr("The month's data still show it: the ledger keeps both and marks the disagreement.")
            self.dock.log(text)
            self.dock.message(text, success=True)

        return self.panel.start_write(tr("Saving the check-off"), work, done,
                                      tr("The check-off was not saved: {error}"))
