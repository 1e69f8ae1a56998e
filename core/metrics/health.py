"""The 0-100 health score: turnover efficiency 40%, stock structure 35%, service and cost 25%.

Each dimension is scored 0-100 with ``core.metrics.scale.linear_score`` between a zero point and a
full point taken from ``HealthParams`` (editable in Settings, defaults in docs/metrics.md).
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


def structure_score(aged_over_180_share, dead_stock_share, params: HealthParams):
    """Stock structure: the mean of two sub-scores, share of units aged over 180 days (none = 100,
    ``aged_share_zero`` = 0) and share of dead-stock units (none = 100, ``dead_share_zero`` = 0)."""
    return _mean_of_known(linear_score(aged_over_180_share, params.aged_share_zero, 0.0),
                          linear_score(dead_stock_share, params.dead_share_zero, 0.0))


def service_cost_score(in_stock_rate, holding_cost_ratio, params: HealthParams):
    """Service and cost: the mean of the in-stock rate sub-score (``in_stock_zero`` = 0,
    ``in_stock_full`` = 100) and the annual holding-cost-ratio sub-score (``holding_ratio_full`` =
    100, ``holding_ratio_zero`` = 0). A ratio unknown for want of a unit cost is left out, not zeroed."""
    return _mean_of_known(linear_score(in_stock_rate, params.in_stock_zero, params.in_stock_full),
                          linear_score(holding_cost_ratio, params.holding_ratio_zero, params.holding_ratio_full))


def health_score(turnover, structure, service_cost, params: HealthParams):
    """``health = 0.40·turnover + 0.35·structure + 0.25·service_cost`` (weights from params).

    >>> float(health_score(100, 50, 80, HealthParams()))
    77.5
    """
    return (params.weight_turnover * np.asarray(turnover, dtype=float)
            + params.weight_structure * np.asarray(structure, dtype=float)
            + params.weight_service_cost * np.asarray(service_cost, dtype=float))


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
