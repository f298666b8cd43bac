"""Run Python geo work in a thread of its own, never directly in a Qt pool thread; a QThread, so QGIS can
render layouts and maps there too.

pyproj 3.7 and later (Debian 13's QGIS 3.40, QGIS's Windows installers) keep a PROJ context per thread
whose lifetime follows the Python thread state. A QgsTask or a Processing background task runs in a
Qt pool thread that Python did not create and that outlives the task: its thread state comes and goes,
the context is freed while PROJ still holds it, and the next CRS made there crashes QGIS (proj_create →
getDBcontext). A thread started for the one call, whose whole run is one Python call, keeps its thread
state as long as the thread lives, so the context stays valid.

That thread must be a QThread: layout export and map rendering start timers and wait on render jobs, which
Qt allows only in threads it started. In a thread made by Python's ``threading`` the atlas came out blank
(every page white, "QObject::startTimer: Timers can only be used with threads started with QThread").
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict

from qgis.PyQt.QtCore import QThread

_local = threading.local()
WORKER_NAME = "bluesky-worker"


class _Worker(QThread):
    def __init__(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> None:
        super().__init__()
        self.setObjectName(WORKER_NAME)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.box: Dict[str, Any] = {}

    def run(self) -> None:  # the new thread: one Python call from start to end
        _local.own = True
        try:
            self.box["result"] = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            self.box["error"] = exc


def in_worker_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` in a thread started for it and wait: its result, or its exception re-raised.

    Called from the main thread, from a thread Python started, or from such a worker, ``fn`` simply runs there.
    """
    # threading reports a thread it did not start (a Qt pool thread, or our worker) as a _DummyThread.
    if getattr(_local, "own", False) or not isinstance(threading.current_thread(), threading._DummyThread):
        return fn(*args, **kwargs)
    worker = _Worker(fn, args, kwargs)
    worker.start()
    worker.wait()
    box = worker.box
    if "error" in box:
        raise box["error"]
    return box.get("result")
