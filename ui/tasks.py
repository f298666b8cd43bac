"""Background work for the dock: a QgsTask that keeps run()'s exception and reports on the main thread.

`run()` runs in a worker thread and must not touch widgets or project layers; `finished()` runs on the
main thread and calls exactly one of on_done(result), on_error(exception) or on_canceled().
Progress with the step's name goes through the `step` signal (queued to the main thread by Qt).
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable, Optional

from qgis.core import Qgis, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..layers.threads import in_worker_thread

LOG_TAG = "Blue Sky Zoning"
LOGGER = logging.getLogger("bluesky_zoning")


class BlueSkyTask(QgsTask):
    """Runs `work(task)` in the background; `task.report(step, total, name)` and `task.isCanceled()`
    are what `work` uses for progress and cancellation."""

    step = pyqtSignal(int, int, str)

    def __init__(
        self,
        description: str,
        work: Callable[[BlueSkyTask], Any],
        on_done: Optional[Callable[[Any], None]] = None,
        on_error: Optional[Callable[[BaseException, str], None]] = None,
        on_canceled: Optional[Callable[[], None]] = None,
    ) -> None:
        super().__init__(description, QgsTask.Flag.CanCancel)
        self._work = work
        self._on_done = on_done
        self._on_error = on_error
        self._on_canceled = on_canceled
        self.result: Any = None
        self.exception: Optional[BaseException] = None
        self.trace = ""
        self.done = False

    # worker thread ------------------------------------------------------------------------------
    def run(self) -> bool:
        try:
            self.result = in_worker_thread(self._work, self)
        except BaseException as exc:  # noqa: BLE001 - kept and reported on the main thread
            self.exception = exc
            self.trace = traceback.format_exc()
            return False
        return not self.isCanceled()

    def report(self, step: int, total: int, name: str) -> None:
        """Progress from the worker: percentage plus the step's name for the dock."""
        self.setProgress(100.0 * step / max(total, 1))
        self.step.emit(int(step), int(total), str(name))

    # main thread --------------------------------------------------------------------------------
    def finished(self, ok: bool) -> None:  # noqa: D401 - QgsTask API
        self.done = True
        try:
            if ok:
                if self._on_done:
                    self._on_done(self.result)
            elif self.exception is not None and not _is_cancel(self.exception):
                from ..layers.user_errors import log_exception

                # the developer's detail; the on_error callback shows the user a sentence
                log_exception(self.exception, self.description(), self.trace)
                if self._on_error:
                    self._on_error(self.exception, self.trace)
            elif self._on_canceled:
                self._on_canceled()
        except Exception:  # noqa: BLE001 - never let a callback kill QGIS
            QgsMessageLog.logMessage(traceback.format_exc(), LOG_TAG, Qgis.MessageLevel.Critical)


def _is_cancel(exc: BaseException) -> bool:
    return type(exc).__name__ in ("CanceledError", "CancelledError")
