"""The zones built on the ground and by county list: one builder per registry zone (``builders``), the
geometry of built-up areas, rings and radii (``geometry``), and the zone frame helpers (``frames``).

May import: common, schema, inputs, plan.
"""
