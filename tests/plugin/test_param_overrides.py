"""The dock's thresholds and distances: the rules file gives them, a change is a visible override for this
session with a reset, and nothing saved from an earlier session outranks the rules file."""
from __future__ import annotations

import re

from qgis.core import QgsSettings


def _dock(qgis_iface):
    import bluesky_zoning.ui.dock as dock_module

    return dock_module.BlueSkyDock(qgis_iface)


def test_the_rules_file_gives_the_values_and_a_change_is_an_override_with_a_reset(qgis_iface, tmp_path):
    from bluesky_zoning.analysis.plan.rules import DEFAULT_RULES_PATH

    QgsSettings().setValue("bluesky_zoning/params/chp_radius_km", 9.0)  # what an older version saved
    dock = _dock(qgis_iface)
    try:
        u, rules = dock.ui, dock.rules
        assert u.chpRadiusSpin.value() == 15 and u.mineRingSpin.value() == 3 and rules.params() == {}
        assert not rules.reset_button.isEnabled() and not u.chpRadiusSpin.font().bold()

        u.chpRadiusSpin.setValue(20)
        assert rules.params() == {"chp_radius_km": 20.0}  # the run gets the override only
        assert u.chpRadiusSpin.font().bold() and "15" in u.chpRadiusSpin.toolTip()
        assert rules.reset_button.isEnabled() and re.search(r"\b1\b", rules.reset_button.text())
        dock.save_settings()
        again = _dock(qgis_iface)  # a new session: the rules file again, not the override
        try:
            assert again.ui.chpRadiusSpin.value() == 15 and again.rules.params() == {}
        finally:
            again.close_and_cleanup()

        rules.reset_button.click()
        assert u.chpRadiusSpin.value() == 15 and rules.params() == {} and not rules.reset_button.isEnabled()

        # the analyst edits the rules file: the dock follows it
        edited = tmp_path / "rules.yaml"
        text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
        edited.write_text(text.replace("  chp_radius_km:            # 热电联产供热半径 15 公里\n    value: 15",
                                       "  chp_radius_km:            # 热电联产供热半径 12 公里\n    value: 12"),
                          encoding="utf-8")
        u.rulesFile.setFilePath(str(edited))
        assert u.chpRadiusSpin.value() == 12 and rules.params() == {}
        assert any("12" in u.rulesTable.item(r, 1).text() for r in range(u.rulesTable.rowCount()))
    finally:
        dock.close_and_cleanup()
