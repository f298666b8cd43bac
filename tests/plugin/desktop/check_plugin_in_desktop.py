"""Run inside the real QGIS desktop (``qgis --code``): check the plugin, screenshot, unload, report JSON.

The report path comes from the BLUESKY_DESKTOP_REPORT environment variable; the screenshot is written
beside it. With BLUESKY_REPO_URL (a plugins.xml) it also adds that plugin repository, as Settings → Plugin
Repositories does, and reports what QGIS's plugin manager read from it. Kept free of pytest: QGIS's own
Python runs it.
"""
import json
import os
import sys

import qgis.utils
from qgis.core import Qgis, QgsApplication, QgsSettings
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction

REPORT = os.environ["BLUESKY_DESKTOP_REPORT"]
REPO_URL = os.environ.get("BLUESKY_REPO_URL")
REPO_NAME = "Bureau plugins"
messages = []
repo_fetch = {"waits": 0}


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
    # QGIS's own menus: in QGIS's language (zh-Hans: 工程, 编辑 …), which the plugin's Chinese sits beside
    report["main_menus"] = [top.text().replace("&", "") for top in iface.mainWindow().menuBar().actions()]
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
    report["qgis_version"] = Qgis.version()
    module = sys.modules.get("bluesky_zoning")
    report["plugin_dir"] = os.path.dirname(module.__file__) if module is not None else None
    report["metadata"] = {key: qgis.utils.pluginMetadata("bluesky_zoning", key) for key in ("version", "changelog")}
    report["plugin_manager"] = _plugin_manager_entry()
    if REPO_URL:
        _fetch_repository()
    QTimer.singleShot(1500, lambda: _guarded(finish, report))


def _plugin_manager_entry():
    """What QGIS's plugin manager says about the installed plugin (its description in the user's locale)."""
    from pyplugin_installer.installer_data import plugins

    plugins.getAllInstalled()
    entry = plugins.localCache.get("bluesky_zoning")
    if entry is None:
        return None
    return {key: entry.get(key) for key in ("name", "description", "version_installed", "error", "error_details")}


def _fetch_repository():
    """Add the repository the way Settings → Plugin Repositories does, then fetch it with QGIS's own reader."""
    from pyplugin_installer.installer_data import repositories

    QgsSettings().setValue(f"app/plugin_repositories/{REPO_NAME}/url", REPO_URL)
    QgsSettings().setValue(f"app/plugin_repositories/{REPO_NAME}/enabled", True)
    repositories.load()
    repositories.repositoryFetched.connect(_on_fetched)
    repositories.requestFetching(REPO_NAME)


def _on_fetched(name):
    if name == REPO_NAME:
        repo_fetch["done"] = True


def _repository_report():
    from pyplugin_installer.installer_data import plugins, repositories

    repo = repositories.all().get(REPO_NAME, {})
    listed = [{key: p.get(key) for key in ("id", "name", "version_available", "download_url", "filename", "experimental")}
              for p in plugins.repoCache.get(REPO_NAME, [])]
    return {"fetched": bool(repo_fetch.get("done")), "state": repo.get("state"), "error": repo.get("error"), "plugins": listed}


def finish(report):
    if REPO_URL and not repo_fetch.get("done") and repo_fetch["waits"] < 40:  # the fetch is asynchronous
        repo_fetch["waits"] += 1
        QTimer.singleShot(500, lambda: _guarded(finish, report))
        return
    if REPO_URL:
        report["repository"] = _repository_report()
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
