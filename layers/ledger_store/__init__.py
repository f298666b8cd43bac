"""Where the monthly ledger lives: ``factory.open_ledger`` opens its own GeoPackage (``gpkg``) or a PostGIS
schema (``postgis``), both on the shared steps of ``base``.

May import: analysis, layers.
"""
