"""Where a run's files go unless the user says otherwise: the dock's 输出文件夹 and the default folder of
``bluesky:run_all``'s dialog, one place for both (the dock remembers the user's choice in QGIS's settings)."""
from __future__ import annotations

import os

from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QStandardPaths

OUTPUT_FOLDER = "蓝天管控分析结果"
OUTPUT_DIR_SETTING = "bluesky_zoning/output_dir"  # the folder the user chose in the dock ("" = the default)


def default_output_dir() -> str:
    """Beside the saved project, else in the user's documents: where people look for their files."""
    home = QgsProject.instance().homePath()
    if not home:
        home = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or os.path.expanduser("~")
    return os.path.join(home, OUTPUT_FOLDER)


def chosen_output_dir() -> str:
    """The folder the user chose in the dock, "" when none: a folder inside the QGIS profile was the old
    default, not a choice (nobody looks there)."""
    saved = QgsSettings().value(OUTPUT_DIR_SETTING, "", type=str) or ""
    profile = os.path.normpath(QgsApplication.qgisSettingsDirPath())
    return saved if saved and not os.path.normpath(saved).startswith(profile) else ""


def output_dir() -> str:
    """The dock's output folder: the user's choice, else the default."""
    return chosen_output_dir() or default_output_dir()
