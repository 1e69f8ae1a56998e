"""Sales velocity, stockout-corrected demand, days of supply and cover."""

from __future__ import annotations

import numpy as np


def velocity(units, days):
    """Units sold per day over a window: ``units / days`` (uncorrected).

    >>> float(velocity(60, 30))
    2.0
    """
    return np.asarray(units, dtype=float) / np.asarray(days, dtype=float)


def corrected_demand_rate(units, in_stock_days, min_in_stock_days: int = 7):
    """Stockout-corrected demand per day: ``units / days with sellable stock`` in the window.

    Days with no sellable stock could not sell, so they are left out of the denominator: a SKU
    that sold 40 units in 30 days but was out of stock for 14 of them sold 40 / 16 = 2.5 a day when
    it could, not 1.33. Fewer than ``min_in_stock_days`` in-stock days give no reliable rate: NaN.

    >>> float(corrected_demand_rate(40, 16))
    2.5
    """
    units = np.asarray(units, dtype=float)
    days = np.asarray(in_stock_days, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(days >= min_in_stock_days, units / np.where(days > 0, days, 1), np.nan)


def days_of_supply(units, demand_per_day):
    """Days the stock lasts at the demand rate: ``units / demand_per_day``.

    No demand with stock on hand is infinite supply (``inf``); no stock is 0 days whatever the demand.

    >>> float(days_of_supply(120, 4))
    30.0
    """
    units = np.asarray(units, dtype=float)
    rate = np.asarray(demand_per_day, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        supply = np.where(rate > 0, units / np.where(rate > 0, rate, 1), np.inf)
    return np.where(units <= 0, 0.0, np.where(np.isnan(rate), np.nan, supply))


def days_of_cover(available, inbound, demand_per_day):
    """Days of cover including inbound: ``(available + inbound) / demand_per_day``.

    >>> float(days_of_cover(100, 50, 5))
    30.0
    """
    return days_of_supply(np.asarray(available, dtype=float) + np.asarray(inbound, dtype=float), demand_per_day)
