"""Run inside the real QGIS desktop (``qgis --code``): check the plugin, screenshot, unload, report JSON.

The report path comes from the BLUESKY_DESKTOP_REPORT environment variable; the screenshot is written
beside it. Kept free of pytest: QGIS's own Python runs it.
"""
import json
import os

import qgis.utils
from qgis.core import Qgis, QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction

REPORT = os.environ["BLUESKY_DESKTOP_REPORT"]
messages = []


def _collect(message, tag, level):
    messages.append({"tag": tag, "level": int(level), "message": message})


QgsApplication.messageLog().messageReceived.connect(_collect)


def _menu_texts(iface):
    found = []
    for top in iface.mainWindow().menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        for action in menu.actions():
            sub = action.menu()
            if sub is None:
                continue
            for leaf in sub.actions():
                found.append([top.text().replace("&", ""), action.text().replace("&", ""), leaf.objectName(), leaf.text()])
    return found


def check():
    iface = qgis.utils.iface
    report = {"loaded": "bluesky_zoning" in qgis.utils.plugins, "active": "bluesky_zoning" in qgis.utils.active_plugins}
    report["menu"] = [m for m in _menu_texts(iface) if m[2] == "bluesky_zoning_open_panel"]
    providers = [p.id() for p in QgsApplication.processingRegistry().providers()]
    report["provider_registered"] = "bluesky" in providers
    action = iface.mainWindow().findChild(QAction, "bluesky_zoning_open_panel")
    report["action_found"] = action is not None
    if action is not None:
        action.trigger()
    plugin = qgis.utils.plugins.get("bluesky_zoning")
    dock = getattr(plugin, "dock", None)
    report["dock_visible"] = bool(dock is not None and dock.isVisible())
    report["dock_title"] = dock.windowTitle() if dock is not None else None
    QTimer.singleShot(1500, lambda: _guarded(finish, report))


def finish(report):
    iface = qgis.utils.iface
    iface.mainWindow().grab().save(os.path.splitext(REPORT)[0] + ".png")
    before = len(messages)
    report["unloaded"] = bool(qgis.utils.unloadPlugin("bluesky_zoning"))
    report["provider_after_unload"] = "bluesky" in [p.id() for p in QgsApplication.processingRegistry().providers()]
    report["menu_after_unload"] = [m for m in _menu_texts(iface) if m[2] == "bluesky_zoning_open_panel"]
    report["unload_errors"] = [m for m in messages[before:] if m["level"] >= int(Qgis.MessageLevel.Warning)]
    report["plugin_errors"] = [m for m in messages if "bluesky" in (m["tag"] + m["message"]).lower() and m["level"] >= int(Qgis.MessageLevel.Warning)]
    with open(REPORT, "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)
    QgsApplication.instance().quit()


def _guarded(step, *args):
    """Any failure is written to the report and QGIS quits: the test must never hang on a dialog."""
    try:
        step(*args)
    except Exception as exc:  # noqa: BLE001
        import traceback

        with open(REPORT, "w", encoding="utf-8") as fh:
            json.dump({"error": repr(exc), "traceback": traceback.format_exc()}, fh, ensure_ascii=False)
        QgsApplication.instance().quit()


QTimer.singleShot(2000, lambda: _guarded(check))
QTimer.singleShot(90000, QgsApplication.instance().quit)
