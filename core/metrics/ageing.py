"""Inventory age bands: the registry, FIFO ages from ledger receipts, and shares older than N days.

Amazon's planning report carries coarse bands (0-90 … 456+, or 365+ in older files) and fine ones
(0-30, 31-60, 61-90, 181-330, 331-365) describing the same units: only the coarse bands are used,
never both sets added together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AgeBand:
    column: str  # our column in the SKU table
    planning_column: str  # Amazon's coarse band in inventory_planning
    low: int  # youngest age in days, inclusive
    high: int | None  # oldest age in days, inclusive; None for the open band


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("aged_0_90", "inv_age_0_to_90_days", 0, 90),
    AgeBand("aged_91_180", "inv_age_91_to_180_days", 91, 180),
    AgeBand("aged_181_270", "inv_age_181_to_270_days", 181, 270),
    AgeBand("aged_271_365", "inv_age_271_to_365_days", 271, 365),
    AgeBand("aged_366_455", "inv_age_366_to_455_days", 366, 455),
    AgeBand("aged_456_plus", "inv_age_456_plus_days", 456, None),
)
# Files from before 2025 have one open band from 366 days; it is kept apart, never split.
LEGACY_BAND = AgeBand("aged_365_plus", "inv_age_365_plus_days", 366, None)
BAND_COLUMNS = [b.column for b in AGE_BANDS]


def share_older_than(bands: pd.DataFrame, days: int) -> pd.Series:
    """Share of units older than ``days``, from band counts, interpolating inside the band that
    holds ``days`` as if ages were spread evenly across it.

    Example: 90 units aged 91-180 and nothing else; older than 120 days are ages 121-180, 60 of the
    band's 90 ages, so 60 units: share 0.667. Rows without units give NaN.
    """
    total = pd.Series(0.0, index=bands.index)
    older = pd.Series(0.0, index=bands.index)
    for band in (*AGE_BANDS, LEGACY_BAND):
        if band.column not in bands:
            continue
        units = bands[band.column].fillna(0).astype(float)
        total = total + units
        if band.low > days:
            older = older + units
        elif band.high is not None and band.high > days:
            older = older + units * (band.high - days) / (band.high - band.low + 1)
    return (older / total.where(total > 0)).astype(float)


def band_for_age(age_days) -> np.ndarray:
    """The band column of each age in days."""
    ages = np.asarray(age_days, dtype=float)
    out = np.full(ages.shape, AGE_BANDS[-1].column, dtype=object)
    for band in reversed(AGE_BANDS[:-1]):
        out = np.where(ages <= band.high, band.column, out)
    return out


def fifo_age_sql() -> str:
    """SQL: units on hand at ``$as_of`` split by age, first in first out, from ledger inflows.

    Sales take the oldest units first, so what is on hand is the newest inflows. Walking the inflows
    (receipts, sellable customer returns, found units) from the newest back, each contributes
    ``min(quantity, on hand − newer inflows)`` units aged ``as_of − its date``. Units left when the
    ledger runs out arrived before it begins: their age is at least the ledger's span (``age_floor``).
    Expects a relation ``on_hand(sku, units)`` and the parameter ``$as_of``.
    """
    return """
        WITH inflow AS (
            SELECT sku, date, sum(quantity) AS qty FROM ledger_detail
            WHERE disposition = 'SELLABLE' AND quantity > 0 AND date <= $as_of
              AND event_type IN ('Receipts', 'CustomerReturns', 'Adjustments')
            GROUP BY sku, date),
        ordered AS (
            SELECT i.sku, i.date, i.qty, h.units,
                   coalesce(sum(i.qty) OVER (PARTITION BY i.sku ORDER BY i.date DESC
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS newer
            FROM inflow i JOIN on_hand h USING (sku)),
        assigned AS (
            SELECT sku, datediff('day', date, $as_of) AS age_days,
                   greatest(least(qty, units - newer), 0) AS units, false AS age_floor
            FROM ordered),
        leftover AS (
            SELECT h.sku, datediff('day', (SELECT min(date) FROM ledger_detail), $as_of) + 1 AS age_days,
                   h.units - coalesce(sum(o.qty), 0) AS units, true AS age_floor
            FROM on_hand h LEFT JOIN inflow o USING (sku) GROUP BY h.sku, h.units)
        SELECT * FROM assigned WHERE units > 0
        UNION ALL SELECT * FROM leftover WHERE units > 0"""
