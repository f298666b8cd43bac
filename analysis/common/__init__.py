"""Plumbing every wing shares: error classes, table cells, the one atomic writer, the metric CRS, GDAL error
capture, Windows-safe file names, where the shipped data lie, YAML read within bounds (``safe_yaml``), and the garbage
collector paused while millions of objects are made (``gc_pause``).

May import: nothing of the plugin.
"""
