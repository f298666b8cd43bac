"""规则 tab: the rules file, each rule as a Chinese sentence (threshold, action and deadline in it) with a box
to switch it off, the thresholds and distances, and the 1+30 county checklist."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QHeaderView, QListWidgetItem, QPushButton, QTableWidgetItem

from ...layers.user_errors import report
from .base import SETTINGS, Panel, tr

RULE_COLUMN_WIDTH = 150  # px of the name column; the sentence column takes the rest of the dock


def provisional_1p30_text() -> str:
    return tr("The 1+30 list is a provisional reference list; the provincial air office's official document prevails.")


class RulesPanel(Panel):
    TAB = "tabRules"

    def __init__(self, dock) -> None:
        super().__init__(dock)
        self.region_default: Optional[List[str]] = None  # the rules file's 1+30 members as ticked at load
        u = self.ui
        u.rulesFile.setFilter(tr("Rules (*.yaml *.yml)"))
        u.note1p30.setText(provisional_1p30_text())
        table = u.rulesTable
        table.setColumnCount(2)
        table.setHorizontalHeaderLabels([tr("Rule"), tr("What it asks (threshold, action, deadline)")])
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(0, RULE_COLUMN_WIDTH)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Parameters come from the rules file; a changed spin box is an override for this session's runs,
        # shown in bold, and this button puts the rules file's values back.
        self.reset_button = QPushButton(tr("Reset to the rules file"))
        self.reset_button.setObjectName("resetParamsButton")
        u.paramsForm.addRow(self.reset_button)

    def title(self) -> str:
        return tr("Rules")

    def connect(self) -> None:
        self.ui.rulesFile.fileChanged.connect(lambda _p: self.load_rules_table())
        for spin in self.param_spins().values():
            spin.valueChanged.connect(lambda _v: self.params_changed())
        self.reset_button.clicked.connect(self.reset_params)

    def restore(self, settings) -> None:
        self.ui.rulesFile.setFilePath(settings.value(SETTINGS + "rules_file", "", type=str))
        self.load_rules_table()

    def save(self, settings) -> None:
        # Parameters are not saved: the rules file gives them, and an override holds for this session only.
        settings.setValue(SETTINGS + "rules_file", self.ui.rulesFile.filePath())

    def param_spins(self) -> Dict[str, Any]:
        u = self.ui
        return {"b35_tph": u.b35Spin, "b10_tph": u.b10Spin, "chp_radius_km": u.chpRadiusSpin,
                "mine_ring_km": u.mineRingSpin, "fringe_km": u.fringeSpin, "builtup_threshold": u.thresholdSpin}

    def file_params(self) -> Dict[str, float]:
        """The rules file's values of the dock's parameters."""
        ruleset = self.dock.ruleset
        return {k: float(ruleset.params[k]) for k in self.param_spins()} if ruleset is not None else {}

    def params(self) -> Dict[str, float]:
        """The parameters overridden for the next run: only those whose spin box differs from the rules file."""
        spins, file_values = self.param_spins(), self.file_params()
        return {k: spins[k].value() for k, v in file_values.items() if abs(spins[k].value() - v) > 1e-9}

    def set_file_params(self) -> None:
        """Every spin box at the rules file's value, with the spec's range, decimals and names."""
        from ...analysis.schema.params import param_spec

        ruleset = self.dock.ruleset
        for key, spin in self.param_spins().items():
            spec = ruleset.param_specs.get(key) or param_spec(key)
            spin.blockSignals(True)
            spin.setDecimals(max(spec.decimals, 2 if key == "builtup_threshold" else 1))
            spin.setRange(spec.minimum, spec.maximum)
            spin.setValue(float(ruleset.params[key]))
            spin.blockSignals(False)
        self.mark_overrides()

    def mark_overrides(self) -> None:
        """Bold for a value that differs from the rules file (its value in the tooltip); the reset button
        says how many there are."""
        from ...analysis.schema.params import format_value, param_spec

        ruleset = self.dock.ruleset
        overridden = self.params()
        for key, spin in self.param_spins().items():
            font = spin.font()
            font.setBold(key in overridden)
            spin.setFont(font)
            if ruleset is not None:
                spec = ruleset.param_specs.get(key) or param_spec(key)
                file_value = format_value(ruleset.params[key]) + spec.unit
                tip = tr("{name}; rules file: {value}").format(name=spec.title, value=file_value)
                if key in overridden:
                    tip += "\n" + tr("Changed for this run; the rules file is not modified.")
                spin.setToolTip(tip)
        self.reset_button.setEnabled(bool(overridden))
        self.reset_button.setText(tr("Reset to the rules file ({n} changed)").format(n=len(overridden))
                                  if overridden else tr("Reset to the rules file"))

    def reset_params(self) -> None:
        """Drop every override: the spin boxes show the rules file's values again."""
        if self.dock.ruleset is not None:
            self.set_file_params()
            self.refresh_sentences()

    def params_changed(self) -> None:
        self.mark_overrides()
        self.refresh_sentences()

    # -- rules ---------------------------------------------------------------------------------------------
    def load_rules_table(self) -> None:
        from ...analysis.plan.rules import load_rules

        u = self.ui
        try:
            self.dock.ruleset = load_rules(u.rulesFile.filePath() or None)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.dock.ruleset = None
            u.rulesTable.setRowCount(0)
            self.dock.log(tr("Rules file error: {error}").format(error=report(exc)))
            return
        ruleset = self.dock.ruleset
        self.set_file_params()  # a (re)loaded rules file gives every value; earlier overrides are dropped
        u.rulesTable.setRowCount(len(ruleset.rules))
        for row, rule in enumerate(ruleset.rules):
            name = QTableWidgetItem(rule.label)
            name.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            name.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            name.setData(Qt.ItemDataRole.UserRole, rule.id)
            name.setToolTip(f"{rule.id} · {rule.clause}\n{rule.clause_text}\n{rule.lead_dept}")
            u.rulesTable.setItem(row, 0, name)
            u.rulesTable.setItem(row, 1, QTableWidgetItem())
        self.refresh_sentences()
        self.load_region_list()

    def refresh_sentences(self) -> None:
        """Each rule in words with the thresholds now set in the spin boxes."""
        from ...analysis.plan.rule_text import rule_sentence

        ruleset = self.dock.ruleset
        if ruleset is None:
            return
        params = dict(ruleset.params)
        params.update(self.params())
        table = self.ui.rulesTable
        for row, rule in enumerate(ruleset.rules):
            item = table.item(row, 1)
            if item is not None:
                text = rule_sentence(rule, params)
                item.setText(text)
                item.setToolTip(f"{rule.clause}：{rule.clause_text}")
        table.resizeRowsToContents()

    def disabled_rules(self) -> List[str]:
        table = self.ui.rulesTable
        return [str(table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(table.rowCount())
                if table.item(r, 0).checkState() != Qt.CheckState.Checked]

    def rule_row(self, rule_id: str) -> int:
        table = self.ui.rulesTable
        for row in range(table.rowCount()):
            if table.item(row, 0).data(Qt.ItemDataRole.UserRole) == rule_id:
                return row
        raise KeyError(rule_id)

    def rule_label(self, rule_id: str) -> str:
        """The short Chinese name of a rule (its id when the rules file has none)."""
        try:
            return self.dock.ruleset.get(rule_id).label if self.dock.ruleset is not None else rule_id
        except KeyError:
            return rule_id

    def rule_order(self) -> List[str]:
        return [r.id for r in self.dock.ruleset.rules] if self.dock.ruleset is not None else []

    # -- the 1+30 region -----------------------------------------------------------------------------------
    def load_region_list(self) -> None:
        """The 1+30 checklist: the admin layer's counties of the members' cities, members ticked."""
        u = self.ui
        u.region1p30List.clear()
        ruleset = self.dock.ruleset
        if ruleset is None:
            return
        region = ruleset.regions.get("region_1p30", {}) or {}
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
        self.region_default = self.region_members()

    def region_members(self) -> List[str]:
        u = self.ui
        return [u.region1p30List.item(i).text() for i in range(u.region1p30List.count())
                if u.region1p30List.item(i).checkState() == Qt.CheckState.Checked]

    def region_override(self) -> Optional[List[str]]:
        """The ticked 1+30 counties when the user changed the list, else None (the rules file's list)."""
        region = self.region_members()
        return region if region and region != self.region_default else None

    def region_1p30_provisional(self) -> bool:
        """True when the rules file's 1+30 list is the unverified reference list."""
        ruleset = self.dock.ruleset
        region = (ruleset.regions.get("region_1p30", {}) or {}) if ruleset is not None else {}
        return not region.get("verified", False)

    def choices_text(self) -> List[str]:
        """The user's choices that differ from the rules file, one line each (for the run's log)."""
        lines = []
        ruleset = self.dock.ruleset
        off = self.disabled_rules()
        if off:
            lines.append(tr("Rules switched off: {rules}").format(
                rules="、".join(f"「{self.rule_label(r)}」" for r in off)))
        if ruleset is not None:
            changed = [(k, v) for k, v in self.params().items()
                       if k in ruleset.params and abs(float(ruleset.params[k]) - v) > 1e-9]
            if changed:
                from ...analysis.plan.rule_text import number_text

                u = self.ui
                labels = {"b35_tph": u.b35Label, "b10_tph": u.b10Label, "chp_radius_km": u.chpRadiusLabel,
                          "mine_ring_km": u.mineRingLabel, "fringe_km": u.fringeLabel,
                          "builtup_threshold": u.thresholdLabel}
                lines.append(tr("Thresholds changed for this run: {items}").format(items="；".join(
                    tr("{what} {value} (rules file: {default})").format(
                        what=labels[k].text(), value=number_text(v), default=number_text(ruleset.params[k]))
                    for k, v in changed)))
        if self.region_override() is not None:
            lines.append(tr("1+30 region: the {n} counties ticked on the Rules tab").format(n=len(self.region_members())))
        return lines
