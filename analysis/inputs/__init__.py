"""An analyst's data in: value parsers, coordinate systems, county and built-up layers, enterprise and
village lists, table import and bounded table reading (``table_read``), and every input check with its Chinese message (layer, row, field).

May import: common, schema.
"""
