"""What a user reads when something fails, and where the developer's detail goes.

The plugin's own errors (``analysis.common.errors.UserError``: InputError, OutputError, RuleFileError, …, and the
QgsProcessingExceptions the algorithms raise) carry a message written for the user — Chinese first, naming the
layer, row and field — and are shown as they are. Anything else is a bug or an unforeseen case: the user reads a
short Chinese sentence, never a Python exception name or a traceback, and the traceback goes to the QGIS message
log (tab "Blue Sky Zoning") for a developer.
"""
from __future__ import annotations

import traceback
from typing import Optional

from qgis.core import Qgis, QgsMessageLog, QgsProcessingException

LOG_TAG = "Blue Sky Zoning"
INTERNAL_ERROR = (f"程序内部错误，详细信息已写入 QGIS 日志消息面板的「{LOG_TAG}」页 / internal error; the details are "
                  f"in the QGIS message log, tab '{LOG_TAG}'")


def is_user_error(exc: BaseException) -> bool:
    """True when ``str(exc)`` was written for the user."""
    from ..analysis.common.errors import UserError

    return isinstance(exc, (UserError, QgsProcessingException))


def user_message(exc: BaseException) -> str:
    """The text a user reads for ``exc``: its own message when written for the user, else INTERNAL_ERROR."""
    text = str(exc).strip() if is_user_error(exc) else ""
    return text or INTERNAL_ERROR


def log_exception(exc: BaseException, context: str = "", trace: Optional[str] = None) -> None:
    """The exception's traceback (``trace`` when the caller kept it, e.g. from a worker thread) in the QGIS
    message log: critical for a bug, informational for a user error (already shown to the user)."""
    text = trace or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    level = Qgis.MessageLevel.Info if is_user_error(exc) else Qgis.MessageLevel.Critical
    QgsMessageLog.logMessage(f"{context}\n{text}" if context else text, LOG_TAG, level)


def report(exc: BaseException, context: str = "") -> str:
    """log_exception and user_message in one call: the traceback to the log, the user's text returned."""
    log_exception(exc, context)
    return user_message(exc)
