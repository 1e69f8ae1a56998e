"""Forecast accuracy per SKU over a backtest: WAPE, bias and MASE, days with no actual skipped.

Errors are ``forecast − actual`` (a positive bias over-forecasts). Each takes 2-D arrays (SKUs ×
backtest days, every origin's days side by side); ``NaN`` actuals (out of stock) are left out.
"""

from __future__ import annotations

import numpy as np


def _pairs(forecast, actual) -> tuple[np.ndarray, np.ndarray]:
    f, a = np.asarray(forecast, dtype=float), np.asarray(actual, dtype=float)
    keep = ~np.isnan(a) & ~np.isnan(f)
    return np.where(keep, f - a, 0.0), np.where(keep, a, 0.0)


def wape(forecast, actual) -> np.ndarray:
    """Weighted absolute percentage error: ``Σ|forecast − actual| ÷ Σ actual`` (``NaN`` when Σ actual = 0).

    Examples
    --------
    Forecast 2 every day against 1, 3, 2: (1 + 1 + 0) / 6 = 0.333.

    >>> round(float(wape([[2, 2, 2]], [[1, 3, 2]])[0]), 3)
    0.333
    """
    error, a = _pairs(forecast, actual)
    total = a.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.abs(error).sum(axis=1) / total, np.nan)


def bias(forecast, actual) -> np.ndarray:
    """Relative bias: ``Σ(forecast − actual) ÷ Σ actual``; positive over-forecasts.

    Examples
    --------
    Forecast 3 every day against 1, 3, 2: (2 + 0 + 1) / 6 = 0.5.

    >>> float(bias([[3, 3, 3]], [[1, 3, 2]])[0])
    0.5
    """
    error, a = _pairs(forecast, actual)
    total = a.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, error.sum(axis=1) / total, np.nan)


def naive_mae(history) -> np.ndarray:
    """In-sample MAE of the naive lag-1 forecast, over pairs of consecutive observed days.

    Examples
    --------
    ``[1, 3, NaN, 2, 4]``: pairs (1, 3) and (2, 4), MAE = 2.

    >>> naive_mae([[1, 3, np.nan, 2, 4]]).tolist()
    [2.0]
    """
    h = np.asarray(history, dtype=float)
    diff = np.abs(h[:, 1:] - h[:, :-1])
    ok = ~np.isnan(diff)
    n = ok.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.where(ok, diff, 0).sum(axis=1) / np.maximum(n, 1), np.nan)


def mase(forecast, actual, scale) -> np.ndarray:
    """Mean absolute scaled error: mean ``|forecast − actual|`` ÷ the in-sample naive MAE ``scale``.

    Source: Hyndman & Koehler (2006), *IJF* 22:679. ``NaN`` where the scale is 0 or unknown.

    Examples
    --------
    Errors 1, 1, 0 (mean 2/3) over a naive MAE of 2: MASE = 0.333.

    >>> round(float(mase([[2, 2, 2]], [[1, 3, 2]], [2.0])[0]), 3)
    0.333
    """
    f, a = np.asarray(forecast, dtype=float), np.asarray(actual, dtype=float)
    keep = ~np.isnan(a) & ~np.isnan(f)
    n = keep.sum(axis=1)
    scale = np.asarray(scale, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mae = np.where(keep, np.abs(f - a), 0).sum(axis=1) / np.maximum(n, 1)
        return np.where((n > 0) & (scale > 0), mae / scale, np.nan)
