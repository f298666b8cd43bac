"""The meeting atlas (PDF): the export (``export``), the page and its template (``layout``), the page records,
table rows and dot numbers (``pages``), the tables measured and drawn (``tables``) by the item that draws them
and the numbers on the map (``painted``), the map's layers and basemap (``map_layers``), the comparison pages
(``compare``), the pages printed one by one into the PDF (``render``) and the ledger's line and chart per page
(``progress``).

May import: analysis, layers, layers.ledger_store.
"""
