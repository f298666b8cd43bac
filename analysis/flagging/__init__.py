"""Zones × enterprises × rules → flags: the engine, the per-layer evaluation (three-valued conditions),
the point index, reason sentences and the output tables (hits, verdicts, to verify, counts).

May import: common, schema, inputs, plan, zones.
"""
