"""Scenario comparison ("what if the CHP radius were 20 km?"): a variant's settings as text (``overrides``), the
inputs held once and only the zones a change touches rebuilt (``session``), and base against variant per
enterprise, rule, county and zone, written to compare.gpkg (``compare``).

It sits above ``analysis/pipeline.py`` (named ``analysis`` below) and runs the job's stages from there, so a
variant is judged exactly as a fresh run would be; nothing below imports it.

May import: common, schema, inputs, plan, zones, flagging, reports, analysis.
"""
