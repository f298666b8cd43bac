"""The analysis core: the plan's zones and rules on an analyst's data, without QGIS or Qt.

Its wings, bottom to top (each ``__init__`` says what it holds and what it may import; the test
tests/analysis/test_arrows.py holds the same table and fails on an arrow outside it or on an import circle):
``common`` → ``schema`` → ``inputs`` / ``plan`` / ``ledger`` → ``zones`` → ``flagging`` → ``reports``, and
``pipeline.py`` on top (the job as stages), ``scenarios`` above it (base against variant, running the
pipeline's stages). ``data/`` holds the plan's YAML (read through common.data_files).
"""
