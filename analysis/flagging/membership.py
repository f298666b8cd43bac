"""What one flag run may hand the next in the same session (a scenario session reruns after one change):
per enterprise table and county layer, the :class:`.evaluation.LayerBase` — the table as the engine reads it,
each point's county, and the points' membership per zone layer object."""
from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

from .evaluation import LayerBase


class MembershipCache:
    """Bases kept by (kind, table object, county layer object).

    The objects themselves are held, so an id is never reused while its entry lives, and a hit requires the
    very same objects. A table, county layer or zone layer must not be changed in place once judged: a
    scenario session never does (a zone rebuilt with other values is a new layer object, judged afresh)."""

    def __init__(self) -> None:
        self._bases: Dict[Tuple[str, int, int], Tuple[Any, Any, LayerBase]] = {}
        self.made = 0  # bases made (tests and the bench read it)

    def base(self, kind: str, table: Any, admin: Any, make: Callable[[], LayerBase]) -> LayerBase:
        key = (kind, id(table), id(admin))
        hit = self._bases.get(key)
        if hit is None or hit[0] is not table or hit[1] is not admin:
            hit = (table, admin, make())
            self._bases[key] = hit
            self.made += 1
        return hit[2]

    def clear(self) -> None:
        self._bases.clear()
