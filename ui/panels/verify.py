"""需核实 tab: every row that could not be judged — the problem, the user's own column and the raw value first,
then layer, id and row; a click selects the row's point (or zooms to its county)."""
from __future__ import annotations

from typing import Dict, Optional

from qgis.core import QgsFeatureRequest
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QHeaderView, QTableWidgetItem

from ..map_view import zoom_rect, zoom_to_county
from .base import Panel, tr

POSITION_FIELDS = ("lon,lat", "lon", "lat", "geometry")
PROBLEM_WIDTH = 200  # px


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "" if text in ("nan", "None", "NaT", "<NA>") else text


def _row_number(value) -> str:
    """The source table's row number as shown to the user ("" when unknown)."""
    try:
        if value is None or value != value:
            return ""
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


class VerifyPanel(Panel):
    TAB = "tabVerify"
    COLUMNS = ("problem", "column", "raw", "layer", "ent_id", "row")

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.columns_read: Dict[str, Dict[str, Optional[str]]] = {}  # kind -> {field: the user's column}
        table = self.ui.verifyTable
        table.setColumnCount(len(self.COLUMNS))
        table.setHorizontalHeaderLabels([tr("Problem"), tr("Your column"), tr("Raw value"), tr("Layer"), tr("Id"),
                                         tr("Row")])
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)

    def title(self) -> str:
        return tr("To verify")

    def connect(self) -> None:
        self.ui.verifyTable.cellClicked.connect(self.on_verify_cell)

    def on_results(self) -> None:
        self.fill_verify_table()

    def user_column(self, kind: str, field: str) -> str:
        """The user's column a canonical field was read from ("经度、纬度" or "（位置）" for a position)."""
        mapping = self.columns_read.get(kind, {})
        if field in POSITION_FIELDS:
            cols = [c for c in (mapping.get("lon"), mapping.get("lat")) if c]
            return "、".join(cols) if cols else tr("(position)")
        parts = [mapping.get(f) or "" for f in str(field).split(",")]
        return "、".join(p for p in parts if p) or ""

    def fill_verify_table(self) -> None:
        table = self.ui.verifyTable
        frame = self.dock.result.to_verify if self.dock.result is not None else None
        table.setRowCount(0)
        if frame is None or len(frame) == 0:
            self.set_title(tr("To verify"))
            return
        frame = frame.reset_index(drop=True)
        table.setRowCount(len(frame))
        for row, rec in frame.iterrows():
            kind, field = _text(rec.get("layer")), _text(rec.get("field"))
            column = _text(rec.get("column")) or self.user_column(kind, field)  # the run's own record first
            values = {"problem": _text(rec.get("problem")), "column": column,
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
        # the problem first but not the whole width: column, raw value and layer stay in a 560 px dock
        table.setColumnWidth(0, min(table.columnWidth(0), PROBLEM_WIDTH))
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
