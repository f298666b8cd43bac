"""Wait for QgsTasks in tests: spin an event loop (test only) until each has reported on the main thread."""
from __future__ import annotations

import time

from qgis.PyQt.QtCore import QEventLoop, QTimer


def wait_for(*tasks, timeout: float = 300.0) -> None:
    """Return once every task's ``done`` is set (BlueSkyTask sets it in ``finished``), or fail after timeout."""
    start = time.time()
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: (all(t.done for t in tasks) or time.time() - start > timeout) and loop.quit())
    timer.start()
    loop.exec()
    timer.stop()
    late = [t.description() for t in tasks if not t.done]
    assert not late, f"tasks did not finish in {timeout} s: {late}"
