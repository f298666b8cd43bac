"""The summary workbook (XLSX): the writer and its main sheets (``writer``), the ledger's sheets
(``ledger_sheets``), the rural clean-heating sheet (``heating``) and the table look (``table_style``).

May import: analysis, layers.ledger_store.
"""
