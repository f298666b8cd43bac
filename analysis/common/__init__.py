"""Plumbing every wing shares: error classes, table cells, the one atomic writer, the metric CRS, GDAL error
capture, Windows-safe file names, where the shipped data lie, and YAML read within bounds (``safe_yaml``).

May import: nothing of the plugin.
"""
