"""Geo work from a QgsTask runs in a QThread started for it (pyproj ≥ 3.7 crashes in Qt pool threads; layouts
render only in threads Qt started)."""
from __future__ import annotations

import threading

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QThread
from task_wait import wait_for


def test_tasks_use_pyproj_in_worker_threads_again_and_again(qgis_app):
    from bluesky_zoning.ui.tasks import BlueSkyTask
    from pyproj import CRS, Transformer

    seen = []

    def work(task):
        # Several CRS and a transform, as zones and the engine make them; on QGIS 3.40's pyproj 3.7 this
        # crashed the process when run directly in the pool thread, from the second task on.
        CRS.from_epsg(4546)
        x, y = Transformer.from_crs(4326, 4546, always_xy=True).transform(112.55, 37.87)
        seen.append(QThread.currentThread().objectName())
        return round(x), round(y)

    results = []
    for _ in range(4):
        task = BlueSkyTask("pyproj", work, on_done=results.append)
        QgsApplication.taskManager().addTask(task)
        wait_for(task)
        assert task.exception is None, task.trace
    assert len(results) == 4 and len(set(results)) == 1
    x, y = results[0]
    assert 600_000 < x < 670_000 and 4_150_000 < y < 4_250_000  # Taiyuan in CGCS2000 3° GK CM 111°E
    assert seen == ["bluesky-worker"] * 4


def test_in_worker_thread_runs_inline_where_python_owns_the_thread():
    from bluesky_zoning.layers.threads import in_worker_thread

    assert in_worker_thread(lambda: threading.current_thread()) is threading.current_thread()
    try:
        in_worker_thread(lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("the exception was not re-raised")
