"""Plumbing every wing shares: error classes, table cells, the one atomic writer, the metric CRS, GDAL error
capture, Windows-safe file names, and where the shipped data lie.

May import: nothing of the plugin.
"""
