"""The real QGIS desktop under Xvfb, driven by a script: what scripts/desktop_screenshot.py and
scripts/guide_screenshots.py share.

Outside QGIS, :func:`run_in_desktop` installs the plugin into a fresh profile (QGIS and the plugin in Simplified
Chinese, zh-Hans; no tips or version check) and starts ``xvfb-run qgis --code <script>``. Inside QGIS, the same script builds a :class:`DesktopRun`:
the main window at 1600 × 1000, a 100 ms timer calling the script's ``step`` function (the event loop is never
pumped by hand), and the few things every step needs (wait some ticks for the map to draw, show Shanxi).
A step that raises writes its traceback to a file and ends QGIS, so a hidden desktop never waits on an
error dialog. Standard library only outside QGIS: the scripts run with Debian's python.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Optional

ROOT = Path(__file__).resolve().parents[1]
ROOT_VARIABLE = "BLUESKY_ROOT"  # QGIS's --code gives the script no __file__: the checkout comes this way
SCREEN = "-screen 0 1600x1000x24"
SHANXI = (110.1, 34.5, 114.6, 40.8)  # lon/lat box of the province
DOCK_WIDTH = 560  # px: the dock as analysts keep it
# QGIS itself in Simplified Chinese: Debian's qgis-common ships qgis_zh-Hans.qm (zh_CN has no QGIS translation, so
# QGIS stayed English: "Project", "[optional]", "Run"); the plugin takes its own zh_CN .qm for any zh locale
CHINESE_LOCALE = "zh-Hans"
QGIS_I18N = Path(os.environ.get("QGIS_I18N_DIR", "/usr/share/qgis/i18n"))


def chinese_locale_ini() -> str:
    """The QGIS3.ini section of a QGIS in Simplified Chinese; refuses when QGIS's own translation is missing (QGIS
    would silently stay English)."""
    qm = QGIS_I18N / f"qgis_{CHINESE_LOCALE}.qm"
    if not qm.is_file():
        raise FileNotFoundError(f"{qm} is missing: QGIS itself would stay English (Debian: apt-get install qgis-common)")
    return f"\n[locale]\nuserLocale={CHINESE_LOCALE}\noverrideFlag=true\n"


def checkout_root() -> Path:
    """The checkout, inside QGIS too (where ``__file__`` is not defined)."""
    return Path(os.environ.get(ROOT_VARIABLE, ROOT))


# --------------------------------------------------------------------------- outside QGIS


def prepare_profile(work: Path) -> Path:
    """The plugin installed into ``work``/profiles/profiles/default, QGIS set to Simplified Chinese (zh-Hans); returns
    the profiles path."""
    profiles = work / "profiles"
    profile = profiles / "profiles" / "default"
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "install_plugin.py"), "--profile-dir", str(profile)],
                   check=True)
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + chinese_locale_ini()
                   + "\n[qgis]\nshowTips=false\ncheckVersion=false\n", encoding="utf-8")
    return profiles


def run_in_desktop(script: Path, work: Path, env: Dict[str, str], timeout: int) -> int:
    """Run ``script`` inside the QGIS desktop on a fresh profile in ``work``; ``env`` tells it where to write.
    Returns QGIS's exit status (the script's own: 0 done, 2 out of time, 3 a step failed)."""
    profiles = prepare_profile(work)
    full_env = dict(os.environ, **env)
    full_env[ROOT_VARIABLE] = str(ROOT)
    full_env.pop("QT_QPA_PLATFORM", None)  # the real desktop draws on the Xvfb screen
    full_env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", SCREEN, "qgis", "--profiles-path", str(profiles), "--profile", "default",
           "--nologo", "--noversioncheck", "--code", str(Path(script).resolve())]
    return subprocess.run(cmd, env=full_env, timeout=timeout).returncode


def print_error(error_file: Path) -> None:
    """The traceback a failed step left, on stderr."""
    if error_file.exists():
        print(error_file.read_text(encoding="utf-8"), file=sys.stderr)


# --------------------------------------------------------------------------- inside QGIS


class DesktopRun:
    """A scripted session of the desktop: ``state`` holds the script's stage and what it keeps between ticks."""

    def __init__(self, error_file: str, max_ticks: int) -> None:
        from qgis.utils import iface, plugins

        self.iface = iface
        self.plugin = plugins.get("bluesky_zoning")
        self.main = iface.mainWindow()
        self.main.resize(1600, 1000)
        self.main.showMaximized()
        self.canvas = iface.mapCanvas()
        self.error_file = error_file
        self.max_ticks = max_ticks
        self.state: Dict[str, object] = {"stage": "start", "task": None, "ticks": 0, "wait": 0, "queue": []}
        self.timer = None

    # -- what steps use ------------------------------------------------------------------------------
    def rendered(self) -> bool:
        """The ticks asked for by :meth:`later` have passed and the map is not drawing."""
        return self.state["ticks"] > self.state["wait"] and not self.canvas.isDrawing()

    def later(self, ticks: int) -> None:
        self.state["wait"] = self.state["ticks"] + ticks

    def to_wgs84_map(self):
        """The transform from lon/lat to the map's CRS."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject

        return QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                      self.canvas.mapSettings().destinationCrs(), QgsProject.instance())

    def shanxi(self) -> None:
        """The map on the whole province."""
        from qgis.core import QgsRectangle

        self.canvas.setExtent(self.to_wgs84_map().transformBoundingBox(QgsRectangle(*SHANXI)))
        self.canvas.refresh()

    def open_dock(self):
        """The plugin's dock shown at the width analysts keep it."""
        from qgis.PyQt.QtCore import Qt

        self.plugin.show_dock()
        self.main.resizeDocks([self.plugin.dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        return self.plugin.dock

    def finish(self) -> None:
        """Quit QGIS shortly (the last grab is saved by then); os._exit: QGIS may hang while tearing down."""
        from qgis.PyQt.QtCore import QTimer

        self.state["stage"] = "done"
        QTimer.singleShot(500, lambda: os._exit(0))

    # -- the timer -----------------------------------------------------------------------------------
    def start(self, step: Callable[[], None], owner: Optional[dict] = None) -> None:
        """Call ``step`` every 100 ms until it calls :meth:`finish`; ``owner`` (the script's globals) keeps this
        session alive after the --code script returns."""
        from qgis.PyQt.QtCore import QTimer

        def tick() -> None:
            try:
                self.state["ticks"] += 1
                if self.state["ticks"] > self.max_ticks:
                    os._exit(2)
                step()
            except Exception:  # noqa: BLE001 - never leave a hidden desktop waiting on an error dialog
                import traceback

                with open(self.error_file, "w", encoding="utf-8") as f:
                    f.write(traceback.format_exc())
                os._exit(3)

        self.timer = QTimer(self.main)
        self.timer.timeout.connect(tick)
        self.timer.start(100)
        if owner is not None:
            owner["_bluesky_desktop_run"] = self
