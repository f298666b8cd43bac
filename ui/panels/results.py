"""结果 tab: county × rule counts (合计 first, rules by their short Chinese names); a click zooms to the county
and selects exactly that cell's enterprises."""
from __future__ import annotations

from typing import Dict, List, Tuple

from qgis.core import QgsFeatureRequest
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QHeaderView, QTableWidgetItem

from ...analysis.reports.run_report import TOTAL_KEY, county_rule_table, run_counts
from ..map_view import highlight_county, zoom_rect, zoom_to_county
from .base import Panel, tr
from .run import counts_text

RULE_COLUMN_WIDTH = 64  # px: a short name wraps onto a few lines of its header
CHARS_PER_LINE = 4


def feature_key(feature, by_row: bool) -> Tuple[str, str]:
    """The enterprise key of a verdict or flag feature, as analysis.reports.run_report.enterprise_keys names it."""
    value = feature["row"] if by_row else feature["ent_id"]
    text = "" if value is None or (hasattr(value, "isNull") and value.isNull()) else str(value)
    return str(feature["layer"]), text[:-2] if text.endswith(".0") else text


def wrap_label(text: str, per_line: int = CHARS_PER_LINE, lines: int = 4) -> str:
    """A short Chinese name on a few lines of ``per_line`` characters (the header of a narrow column)."""
    text = str(text)
    parts = [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][:-1] + "…"
    return "\n".join(parts)


class ResultsPanel(Panel):
    TAB = "tabResults"

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.flag_index: Dict[Tuple[str, str], List[Tuple[str, str]]] = {}
        self.selection: Tuple[str, str] = (TOTAL_KEY, TOTAL_KEY)  # (county key, rule) of the last cell clicked
        self.by_row = True  # enterprises named by (layer, input row), as run_counts counts them
        table = self.ui.resultTable
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)

    def title(self) -> str:
        return tr("Results")

    def connect(self) -> None:
        self.ui.resultTable.cellClicked.connect(self.on_result_cell)
        self.ui.attributesButton.clicked.connect(self.open_selection_table)

    def on_results(self) -> None:
        self.fill_result_table()

    def _flags_frame(self):
        flags = self.dock.result.flags if self.dock.result is not None else None
        if flags is None and self.dock.result_paths.get("flags"):
            import geopandas as gpd

            flags = gpd.read_file(self.dock.result_paths["flags"], layer="enterprise_flags")
        return flags

    def fill_result_table(self) -> None:
        """County × rule counts, counties in adcode order (the province's own order), 合计 (enterprises of the
        county) right after the county, then the rules in the rules file's order, and a 合计 row."""
        u = self.ui
        table = u.resultTable
        table.clear()
        flags = self._flags_frame()
        self.flag_index = {}
        u.attributesButton.setEnabled(False)
        if flags is None or len(flags) == 0:
            table.setRowCount(0)
            table.setColumnCount(0)
            u.summaryLabel.setText(tr("No enterprise was flagged."))
            return
        rules_panel = self.dock.rules
        rows, rules, cells = county_rule_table(flags, rules_panel.rule_order())
        self.by_row = "row" in flags.columns
        columns = [TOTAL_KEY] + rules
        table.setColumnCount(len(columns) + 1)
        table.setRowCount(len(rows) + 1)
        table.setHorizontalHeaderItem(0, QTableWidgetItem(tr("County")))
        for col, rule in enumerate(columns, start=1):
            label = tr("Total") if rule == TOTAL_KEY else rules_panel.rule_label(rule)
            header = QTableWidgetItem(label if rule == TOTAL_KEY else wrap_label(label))
            header.setData(Qt.ItemDataRole.UserRole, rule)
            header.setToolTip(label if rule == TOTAL_KEY else f"{label}（{rule}）")
            table.setHorizontalHeaderItem(col, header)
        bold = table.font()
        bold.setBold(True)
        for row, (key, label) in enumerate([(TOTAL_KEY, tr("Total"))] + rows):
            item = QTableWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            if key == TOTAL_KEY:
                item.setFont(bold)
            table.setItem(row, 0, item)
            for col, rule in enumerate(columns, start=1):
                keys = cells.get((key, rule), [])
                self.flag_index[(key, rule)] = keys
                cell = QTableWidgetItem(str(len(keys)) if keys else "")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                what = tr("Total") if rule == TOTAL_KEY else rules_panel.rule_label(rule)
                cell.setToolTip(f"{label} · {what} · {len(keys)}")
                if key == TOTAL_KEY or rule == TOTAL_KEY:
                    cell.setFont(bold)
                table.setItem(row, col, cell)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(2, table.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(col, RULE_COLUMN_WIDTH)
        counts = run_counts(flags, self.dock.result.to_verify if self.dock.result is not None else None)
        u.summaryLabel.setText(counts_text(counts) + " " + tr("Click a cell to zoom and select."))

    def column_rule(self, col: int) -> str:
        header = self.ui.resultTable.horizontalHeaderItem(col)
        return TOTAL_KEY if col == 0 or header is None else str(header.data(Qt.ItemDataRole.UserRole))

    def on_result_cell(self, row: int, col: int) -> int:
        """Zoom to the county (to the enterprises for the 合计 row) and select exactly the cell's enterprises:
        the flag rows of that county AND rule in 企业命中规则明细 (whose attribute table shows clause,
        deadline, lead department and reason) and their verdict points on the map. Returns the count."""
        county_item = self.ui.resultTable.item(row, 0)
        if county_item is None:
            return 0
        key = county_item.data(Qt.ItemDataRole.UserRole)
        rule = self.column_rule(col)
        keys = self.flag_index.get((key, rule), [])
        self.selection = (key, rule)
        n = self.select_enterprises(keys, key, rule)
        if key == TOTAL_KEY:
            self.zoom_to_enterprises(keys)
            highlight_county(self.dock.admin_norm, None)  # the province: no county stands out
        else:
            zoom_to_county(self.dock.iface.mapCanvas(), self.dock.admin_norm, key)
        return n

    def selection_filter(self, key: str, rule: str) -> str:
        """The expression of a cell's flag rows on the enterprise_flags layer."""
        parts = []
        if key != TOTAL_KEY:
            parts.append(f"\"adcode\" = '{key}'" if not key.startswith("name:") else
                         "\"county\" = '{}'".format(key[5:].replace("'", "''")))
        if rule != TOTAL_KEY:
            parts.append("\"rule_id\" = '{}'".format(rule.replace("'", "''")))
        return " AND ".join(parts) or "TRUE"

    def key_fields(self):
        return ["layer", "row" if self.by_row else "ent_id"]

    def select_enterprises(self, keys: List[Tuple[str, str]], county_key: str = TOTAL_KEY,
                           rule: str = TOTAL_KEY) -> int:
        """Select these enterprises (keys of the county × rule table) on the verdict points, and their flag
        rows (county AND rule) on the detail layer; returns how many enterprises were selected."""
        layers = self.dock.result_layers
        verdicts, flags = layers.get("enterprise_verdicts"), layers.get("enterprise_flags")
        wanted = set(keys)
        n = 0
        if verdicts is not None:
            request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
            request.setSubsetOfAttributes(self.key_fields(), verdicts.fields())
            ids = [f.id() for f in verdicts.getFeatures(request) if feature_key(f, self.by_row) in wanted]
            verdicts.selectByIds(ids)
            n = len(ids)
        if flags is not None:
            request = QgsFeatureRequest().setFilterExpression(self.selection_filter(county_key, rule))
            request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
            flag_ids = [f.id() for f in flags.getFeatures(request) if feature_key(f, self.by_row) in wanted]
            flags.selectByIds(flag_ids)
            self.dock.iface.setActiveLayer(flags)
            self.ui.attributesButton.setEnabled(bool(flag_ids))
        elif verdicts is not None and n:
            self.dock.iface.setActiveLayer(verdicts)
        return n

    def zoom_to_enterprises(self, keys: List[Tuple[str, str]]) -> bool:
        """Zoom to the verdict points of these enterprises (keys of the table); False when none is on the map."""
        layer = self.dock.result_layers.get("enterprise_verdicts")
        if layer is None or not keys:
            return False
        wanted = set(keys)
        request = QgsFeatureRequest().setSubsetOfAttributes(self.key_fields(), layer.fields())
        rect = None
        for feature in layer.getFeatures(request):
            if feature_key(feature, self.by_row) in wanted and feature.hasGeometry():
                box = feature.geometry().boundingBox()
                if rect is None:
                    rect = box
                else:
                    rect.combineExtentWith(box)
        if rect is None:
            return False
        zoom_rect(self.dock.iface.mapCanvas(), rect, layer.crs())
        return True

    def open_selection_table(self) -> None:
        """The attribute table of the selected cell's flag rows (clause, deadline, lead department, reason)."""
        flags = self.dock.result_layers.get("enterprise_flags")
        if flags is not None:
            self.dock.iface.showAttributeTable(flags, self.selection_filter(*self.selection))
