"""What a run tells people: the result files (zones.gpkg, flags.gpkg, admin.gpkg), Chinese labels of the
codes, the one count of a run, and the meeting's texts and ledger figures.

May import: common, schema, inputs, plan, zones, flagging, ledger.
"""
