"""The 0-100 health score: turnover efficiency 40%, stock structure 35%, service and cost 25%,
capped so that it tells the same story as the slow-mover grade.

Each dimension is scored 0-100 with ``core.metrics.scale.linear_score`` between a zero point and a
full point taken from ``HealthParams`` (editable in Settings, defaults in docs/metrics.md). Two
ceilings keep the score and the grade from contradicting each other:

- the **grade ceiling** (``grade_ceiling``): a SKU graded red scores at most half the alert line,
  orange three quarters of it, yellow the alert line itself (40 / 60 / 80 at the default 80), the
  bands of the Health page's gauge;
- the **dead-value ceiling** (``dead_value_ceiling``): stock with no sale in 90 days that is over a
  year old earns no points, so the account scores at most 100 × (1 − its share of the value).
"""

from __future__ import annotations

import numpy as np

from core.metrics.scale import linear_score
from core.params import HealthParams


def turnover_score(turnover, params: HealthParams):
    """Turnover efficiency: annual turns from ``turnover_zero`` (0) to ``turnover_full`` (100).

    The same scale in days: 365 / 6 = 61 days scores 100, 365 / 1 = 365 days or slower scores 0.
    Defaults: 3.5 turns score 50.
    """
    return linear_score(turnover, params.turnover_zero, params.turnover_full)


def _mean_of_known(*parts):
    """Mean of the sub-scores that are known; NaN only when none is."""
    stacked = np.vstack([np.asarray(p, dtype=float).reshape(-1) for p in parts])
    known = ~np.isnan(stacked)
    with np.errstate(invalid="ignore"):
        return np.where(known.any(axis=0), np.nansum(stacked, axis=0) / np.maximum(known.sum(axis=0), 1), np.nan)


def _min_of_known(*parts):
    """Smallest of the sub-scores that are known; NaN only when none is."""
    stacked = np.vstack([np.asarray(p, dtype=float).reshape(-1) for p in parts])
    return np.fmin.reduce(stacked, axis=0)


def structure_score(aged_over_180_share, dead_stock_share, params: HealthParams, aged_over_365_share=0.0):
    """Stock structure: the worst of three sub-scores, so that one sound part of the stock never
    hides a bad one.

    Sub-scores: share of units aged over 180 days (none = 100, ``aged_share_zero`` = 0); share of
    units aged over 365 days, those Amazon's aged-inventory surcharge charges most (none = 100,
    ``aged_365_share_zero`` = 0); share of dead-stock units, no sale in 90 days (none = 100,
    ``dead_share_zero`` = 0). ``structure = min(the three)``; a sub-score whose share is unknown is
    left out.

    >>> float(structure_score(0.25, 0.0, HealthParams())[0])   # 25% aged over 180: 50
    50.0
    >>> float(structure_score(0.20, 0.0, HealthParams(), aged_over_365_share=0.15)[0])   # min(60, 40, 100)
    40.0
    >>> float(structure_score(0.0, 1.0, HealthParams())[0])    # all dead, however young: 0
    0.0
    """
    return _min_of_known(linear_score(aged_over_180_share, params.aged_share_zero, 0.0),
                         linear_score(aged_over_365_share, params.aged_365_share_zero, 0.0),
                         linear_score(dead_stock_share, params.dead_share_zero, 0.0))


def service_cost_score(in_stock_rate, holding_cost_ratio, params: HealthParams):
    """Service and cost: the mean of the in-stock rate sub-score (``in_stock_zero`` = 0,
    ``in_stock_full`` = 100) and the annual holding-cost-ratio sub-score (``holding_ratio_full`` =
    100, ``holding_ratio_zero`` = 0). A ratio unknown for want of a unit cost is left out, not zeroed."""
    return _mean_of_known(linear_score(in_stock_rate, params.in_stock_zero, params.in_stock_full),
                          linear_score(holding_cost_ratio, params.holding_ratio_zero, params.holding_ratio_full))


def health_score(turnover, structure, service_cost, params: HealthParams):
    """The weighted score, before the grade ceiling:
    ``0.40·turnover + 0.35·structure + 0.25·service_cost`` (weights from params).

    >>> float(health_score(100, 50, 80, HealthParams()))
    77.5
    """
    return (params.weight_turnover * np.asarray(turnover, dtype=float)
            + params.weight_structure * np.asarray(structure, dtype=float)
            + params.weight_service_cost * np.asarray(service_cost, dtype=float))


# Grade ceilings as shares of the alert line: the Health page gauge's red band ends at half of it.
GRADE_CEILING_SHARES = {"red": 0.50, "orange": 0.75, "yellow": 1.00}


def grade_ceiling(grade, params: HealthParams) -> np.ndarray:
    """The grade ceiling: the most a SKU of each slow-mover grade can score.

    ``red = ½·A``, ``orange = ¾·A``, ``yellow = A``, ungraded 100, A = the alert line
    (``HealthParams.alert_below``, default 80): a SKU that must be cleared sits in the gauge's red
    band, one to act on in its amber band, one to watch never above the alert line.

    >>> grade_ceiling(["red", "orange", "yellow", ""], HealthParams()).tolist()
    [40.0, 60.0, 80.0, 100.0]
    """
    grades = np.asarray(grade, dtype=object).reshape(-1)
    shares = np.array([GRADE_CEILING_SHARES.get(g, np.nan) for g in grades.tolist()], dtype=float)
    return np.where(np.isnan(shares), 100.0, shares * params.alert_below)


def graded_health_score(weighted_score, grade, params: HealthParams) -> np.ndarray:
    """The SKU health score: ``min(weighted score, grade ceiling)`` (``health_score``, ``grade_ceiling``).

    A red SKU whose turnover over the period still looks fine (it sold, then stopped) scores at most
    40, whatever its dimensions say; a SKU without a grade keeps its weighted score. Unknown stays unknown.

    >>> graded_health_score([90.0, 90.0, 30.0], ["red", "", "red"], HealthParams()).tolist()
    [40.0, 90.0, 30.0]
    """
    weighted = np.asarray(weighted_score, dtype=float).reshape(-1)
    return np.where(np.isnan(weighted), np.nan, np.minimum(weighted, grade_ceiling(grade, params)))


def dead_value_ceiling(dead_aged_value_share) -> np.ndarray:
    """The dead-value ceiling of the account score: ``100 × (1 − share of the inventory value that is
    dead stock aged over 365 days)``.

    Stock with no sale in 90 days that is over a year old earns no points: with a quarter of the
    value there the account scores at most 75, under the default alert line of 80 (any share over
    20% puts it under the line). An unknown share (no stock) sets no ceiling.

    >>> float(dead_value_ceiling(0.25))
    75.0
    """
    share = np.clip(np.asarray(dead_aged_value_share, dtype=float), 0.0, 1.0)
    return np.where(np.isnan(share), 100.0, 100.0 * (1.0 - share))


def account_health_score(scores, weights, dead_aged_value_share: float) -> float:
    """The account health score: ``min(Σ score·weight ÷ Σ weight, dead_value_ceiling(share))``
    (``weighted_mean``, ``dead_value_ceiling``); NaN when no SKU is scored.

    >>> account_health_score([100, 20], [3_000, 1_000], 0.25)   # mean 80, ceiling 75
    75.0
    """
    mean = weighted_mean(scores, weights)
    return mean if np.isnan(mean) else float(min(mean, float(dead_value_ceiling(dead_aged_value_share))))


def weighted_mean(values, weights) -> float:
    """Value-weighted account figure: ``Σ value·weight / Σ weight`` over rows where both are known.

    >>> weighted_mean([90, 50], [3_000, 1_000])
    80.0
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    known = ~np.isnan(values) & ~np.isnan(weights) & (weights > 0)
    if not known.any():
        return float("nan")
    return float(np.sum(values[known] * weights[known]) / np.sum(weights[known]))
