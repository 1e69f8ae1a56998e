"""Demand forecasting: daily history, demand patterns, the methods, backtest, events and intervals.

One module per concern: ``sales_history`` (DuckDB), ``pattern`` (ADI/CV²), ``methods`` (SES, Croston, SBA,
TSB, moving average, weekly Holt-Winters), ``accuracy`` (WAPE, bias, MASE), ``events`` (Prime Day,
BFCM, user events), ``engine`` (backtest, method choice, intervals, the result).
"""

from core.forecast.engine import ForecastResult, forecast_all, forecast_arrays, forecast_table
from core.forecast.sales_history import SalesHistory, history, history_arrays
from core.forecast.params import Event, ForecastParams

__all__ = ["Event", "ForecastParams", "ForecastResult", "SalesHistory", "forecast_all", "forecast_arrays",
           "forecast_table", "history", "history_arrays"]
