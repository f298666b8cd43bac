"""The meeting atlas (PDF): the export (``export``), the page and its template (``layout``, templates/),
the page records and table rows (``pages``), the map's layers and basemap (``map_layers``) and the ledger's line
and chart per page (``progress``).

May import: analysis, layers, layers.ledger_store.
"""
