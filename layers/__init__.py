"""The QGIS side below the dock and the Processing algorithms: layers ↔ GeoDataFrames, the job on QGIS
layers (``run_job``), styles and the result group, county packages, PostGIS output, threads and messages;
the meeting outputs in their wings ``atlas``, ``workbook`` and ``ledger_store``.

May import: analysis.
"""
