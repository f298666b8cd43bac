"""Python's cyclic garbage collector held off while millions of objects are made at once.

Every shapely geometry is tracked by the collector; making a few million output points triggers thousands of
collections that walk all of them again and free nothing (measured: a quarter of the flag step at 1M points).
The pause is process-wide, so it is counted: nested or concurrent pauses (worker threads) re-enable collection
only when the last one ends, and only if it was on when the first began.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
