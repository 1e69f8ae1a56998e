"""Turnover, days sales of inventory, holding cost, gross profit and ROI."""

from __future__ import annotations

import numpy as np

DAYS_PER_YEAR = 365


def _div(numerator, denominator):
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def annualised_turnover(cogs, average_inventory_value, period_days):
    """Inventory turnover per year: ``COGS over the period / average inventory value × 365 / period``.

    Worked example (the issue's): COGS $120,000 over a year and average inventory $30,000 give
    4.0 turns. With units instead of money (unit cost missing), pass units sold and average units
    on hand: with a constant unit cost the cost cancels. No inventory gives NaN.

    >>> float(annualised_turnover(120_000, 30_000, 365))
    4.0
    """
    return _div(cogs, average_inventory_value) * DAYS_PER_YEAR / np.asarray(period_days, dtype=float)


def turnover_days(turnover):
    """Days to turn the inventory once: ``365 / turnover`` (4.0 turns is 91.25 days).

    >>> float(turnover_days(4.0))
    91.25
    """
    return _div(DAYS_PER_YEAR, turnover)


def days_sales_of_inventory(average_inventory_value, cogs, period_days):
    """DSI: ``average inventory value / COGS × days in the period`` (equals turnover days).

    >>> float(days_sales_of_inventory(30_000, 120_000, 365))
    91.25
    """
    return _div(average_inventory_value, cogs) * np.asarray(period_days, dtype=float)


def capital_cost(average_inventory_value, capital_rate_annual, period_days):
    """Cost of the money tied up in stock over the period: ``value × annual rate × period / 365``.

    >>> float(capital_cost(10_000, 0.15, 73))
    300.0
    """
    return np.asarray(average_inventory_value, dtype=float) * capital_rate_annual * \
        np.asarray(period_days, dtype=float) / DAYS_PER_YEAR


def holding_cost(storage_fees, surcharges, average_inventory_value, capital_rate_annual, period_days):
    """Holding cost over the period: ``storage fees + surcharges + capital cost``.

    >>> float(holding_cost(120, 30, 10_000, 0.15, 73))
    450.0
    """
    return (np.asarray(storage_fees, dtype=float) + np.asarray(surcharges, dtype=float)
            + capital_cost(average_inventory_value, capital_rate_annual, period_days))


def holding_cost_ratio(holding, average_inventory_value, period_days):
    """Annual holding cost ratio: ``holding cost over the period / average inventory value × 365 / period``.

    >>> float(holding_cost_ratio(450, 10_000, 73))
    0.225
    """
    return _div(holding, average_inventory_value) * DAYS_PER_YEAR / np.asarray(period_days, dtype=float)


def gross_profit(revenue, cogs, amazon_fees):
    """Gross profit: ``revenue − COGS − Amazon fees`` (referral + fulfilment).

    >>> float(gross_profit(1000, 400, 300))
    300.0
    """
    return np.asarray(revenue, dtype=float) - np.asarray(cogs, dtype=float) - np.asarray(amazon_fees, dtype=float)


def roi_pct(gross_profit_value, average_inventory_value, holding):
    """ROI in percent, as the issue defines it: ``(gross profit − total inventory cost) / total
    inventory cost × 100`` with total inventory cost = average inventory value + holding cost over
    the period.

    >>> float(roi_pct(3_000, 2_000, 500))
    20.0
    """
    total = np.asarray(average_inventory_value, dtype=float) + np.asarray(holding, dtype=float)
    return (_div(np.asarray(gross_profit_value, dtype=float) - total, total)) * 100.0
