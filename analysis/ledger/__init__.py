"""The monthly check-off ledger (RULES.md §5) as pandas: monthly updates, manual check-offs, its tables,
months and deadlines, and how an enterprise is recognised from month to month.

May import: common, schema.
"""
