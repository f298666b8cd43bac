"""The declarations the other wings read: every input kind's fields (``fields``), every output field with its
Chinese alias (``output_fields``), and the plan's parameter spec (``params``).

May import: common.
"""
