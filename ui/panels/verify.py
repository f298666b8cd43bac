"""需核实 tab: every row that could not be judged — who (the enterprise's name and county) and the whole problem
first (rules by their Chinese names, as the workbook prints them), then the user's own column, the raw value,
layer, id and row; a click selects the row's point (or zooms to its county)."""
from __future__ import annotations

from typing import Dict, Optional

from qgis.core import QgsFeatureRequest
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QHeaderView, QTableWidgetItem

from ...analysis.common.cells import cell_text
from ..map_view import zoom_rect, zoom_to_county
from .base import Panel, tr

POSITION_FIELDS = ("lon,lat", "lon", "lat", "geometry")
# px: name and county stay narrow (whole in the tooltip); the problem wraps in its own width, so the three
# lead columns fit a dock 560 px wide and the problem is read whole without hovering
NAME_WIDTH, COUNTY_WIDTH, PROBLEM_WIDTH = 130, 80, 240


def _text(value) -> str:
    text = cell_text(value) or ""
    return "" if text in ("nan", "None", "NaT", "<NA>") else text


def _row_number(value) -> str:
    """The source table's row number as shown to the user ("" when unknown)."""
    try:
        if value is None or value != value:
            return ""
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


def verify_headers():
    return {"name": tr("Name"), "county": tr("County"), "problem": tr("Problem"), "column": tr("Your column"),
            "raw": tr("Raw value"), "layer": tr("Layer"), "ent_id": tr("Id"), "row": tr("Row")}


class VerifyPanel(Panel):
    TAB = "tabVerify"
    COLUMNS = ("name", "county", "problem", "column", "raw", "layer", "ent_id", "row")

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.columns_read: Dict[str, Dict[str, Optional[str]]] = {}  # kind -> {field: the user's column}
        table = self.ui.verifyTable
        table.setColumnCount(len(self.COLUMNS))
        headers = verify_headers()
        table.setHorizontalHeaderLabels([headers[c] for c in self.COLUMNS])
        table.verticalHeader().setVisible(False)
        table.setWordWrap(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def title(self) -> str:
        return tr("To verify")

    def connect(self) -> None:
        self.ui.verifyTable.cellClicked.connect(self.on_verify_cell)

    def on_results(self) -> None:
        self.fill_verify_table()

    def user_column(self, kind: str, field: str) -> str:
        """The user's column a canonical field was read from ("经度、纬度" or "（位置）" for a position)."""
        from .run import user_column

        column = user_column(self.columns_read.get(kind, {}), field)
        return column or (tr("(position)") if field in POSITION_FIELDS else "")

    def problem_text(self, text: str, names) -> str:
        """The problem as people read it: rule ids by their Chinese names (analysis/reports/labels.printable,
        the workbook's own words)."""
        from ...analysis.reports.labels import printable

        return printable(text, names) if text else ""

    def fill_verify_table(self) -> None:
        from ...analysis.reports.labels import rule_names

        table = self.ui.verifyTable
        frame = self.dock.result.to_verify if self.dock.result is not None else None
        table.setRowCount(0)
        if frame is None or len(frame) == 0:
            self.set_title(tr("To verify"))
            return
        names = rule_names(self.dock.ruleset)
        frame = frame.reset_index(drop=True)
        table.setRowCount(len(frame))
        for row, rec in frame.iterrows():
            kind, field = _text(rec.get("layer")), _text(rec.get("field"))
            column = _text(rec.get("column")) or self.user_column(kind, field)  # the run's own record first
            values = {"name": _text(rec.get("name")), "county": _text(rec.get("county")),
                      "problem": self.problem_text(_text(rec.get("problem")), names), "column": column,
                      "raw": _text(rec.get("raw")), "layer": _text(rec.get("source_layer")) or kind,
                      "ent_id": _text(rec.get("ent_id")), "row": _row_number(rec.get("row"))}
            for col, key in enumerate(self.COLUMNS):
                item = QTableWidgetItem(values[key])
                item.setToolTip(values[key])
                table.setItem(row, col, item)
            table.item(row, 0).setData(Qt.ItemDataRole.UserRole, {
                "kind": kind, "row": values["row"], "ent_id": values["ent_id"],
                "adcode": _text(rec.get("adcode"))})
        table.resizeColumnsToContents()
        for col, width in ((0, NAME_WIDTH), (1, COUNTY_WIDTH), (2, PROBLEM_WIDTH)):
            table.setColumnWidth(col, min(table.columnWidth(col), width))
        table.resizeRowsToContents()  # the problem wraps onto as many lines as it needs
        self.set_title(tr("To verify") + f" ({len(frame)})")

    def on_verify_cell(self, row: int, _col: int) -> bool:
        """Select and zoom to the row's point (or its county); False when it has no place."""
        item = self.ui.verifyTable.item(row, 0)
        info = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not info:
            return False
        canvas = self.dock.iface.mapCanvas()
        layer = self.dock.result_layers.get("to_verify")
        if layer is not None:
            expression = "\"layer\" = '{}' AND {}".format(
                info["kind"].replace("'", "''"),
                f"\"row\" = {int(info['row'])}" if info["row"].isdigit()
                else "\"ent_id\" = '{}'".format(info["ent_id"].replace("'", "''")))
            features = list(layer.getFeatures(QgsFeatureRequest().setFilterExpression(expression)))
            layer.selectByIds([f.id() for f in features])
            self.dock.iface.setActiveLayer(layer)
            geoms = [f.geometry() for f in features if f.hasGeometry() and not f.geometry().isEmpty()]
            if geoms:
                zoom_rect(canvas, geoms[0].boundingBox(), layer.crs())
                return True
        return bool(info.get("adcode")) and zoom_to_county(canvas, self.dock.admin_norm, info["adcode"])
