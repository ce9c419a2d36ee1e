"""Hotspot forecasts: read generic events files, assign them to cells, forecast and backtest per cell.

Pure domain code: numpy and h3 only, no Telegram, no web, no database. The importer, the admin pages and the
production forecast build on `forecast.events`, `forecast.cells` and `forecast.model`.
"""
