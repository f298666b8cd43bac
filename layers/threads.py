"""Run Python geo work in a thread Python created, never directly in a Qt pool thread.

pyproj 3.7 and later (Debian 13's QGIS 3.40, QGIS's Windows installers) keep a PROJ context per thread
whose lifetime follows the Python thread state. A QgsTask or a Processing background task runs in a
Qt pool thread that Python did not create: its thread state comes and goes, the context is freed while
PROJ still holds it, and the next CRS made there crashes QGIS (proj_create → getDBcontext). In a thread
started by Python the state lives as long as the thread, so the context stays valid.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict


def in_python_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` in a Python-created thread and wait for it: its result, or its exception re-raised.

    Called from Python's main thread or from a thread Python started, ``fn`` simply runs there.
    """
    # threading reports a thread it did not start (a Qt pool thread) as a _DummyThread.
    if not isinstance(threading.current_thread(), threading._DummyThread):
        return fn(*args, **kwargs)
    box: Dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="bluesky-worker", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")
