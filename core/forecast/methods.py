"""Forecasting methods, vectorised across SKUs: each takes a 2-D array of daily demand (SKUs × days).

``NaN`` marks a day that says nothing about demand (out of stock, before launch, an event day):
it is skipped, never read as zero demand. Each method returns its *path*: column ``t`` holds the
flat forecast made after observing days ``0..t`` (``NaN`` until the method has something to say), so
one pass over the days gives the forecast at every backtest origin as well as today's.

The loops below run over days (730 steps), each step one numpy operation over every SKU at once.
"""

from __future__ import annotations

import numpy as np


def _days_first(y) -> np.ndarray:
    """The series as a float (days × SKUs) contiguous array: one day's values sit together."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 2:
        raise ValueError("y must be a 2-D array (SKUs × days)")
    return np.ascontiguousarray(y.T)


def ses(y, alpha: float) -> np.ndarray:
    """Simple exponential smoothing: ``l_t = α·y_t + (1 − α)·l_{t−1}``, forecast ``l_t`` for every day ahead.

    Initialised with the first observed value (``l_1 = y_1``, Hyndman & Athanasopoulos, *Forecasting:
    Principles and Practice*, 3rd ed., §8.1); a missing day leaves the level unchanged.

    Parameters
    ----------
    y : array (SKUs × days), units per day, ``NaN`` where unobserved.
    alpha : smoothing constant in (0, 1]. [α]

    Returns
    -------
    ndarray (SKUs × days): the level after each day.

    Examples
    --------
    ``l = 4; 0.5·2 + 0.5·4 = 3; (day 3 missing) 3; 0.5·5 + 0.5·3 = 4``

    >>> ses([[4, 2, np.nan, 5]], 0.5).tolist()
    [[4.0, 3.0, 3.0, 4.0]]
    """
    y = _days_first(y)
    out = np.empty_like(y)
    level = np.full(y.shape[1], np.nan)
    for t in range(y.shape[0]):
        yt = y[t]
        level = np.where(np.isnan(level), yt, np.where(np.isnan(yt), level, level + alpha * (yt - level)))
        out[t] = level
    return out.T


def _croston_states(y, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Croston's smoothed demand size ``z`` and inter-demand interval ``p`` after each day (SKUs × days)."""
    y = _days_first(y)
    n = y.shape[1]
    z_out, p_out = np.empty_like(y), np.empty_like(y)
    z, p = np.full(n, np.nan), np.full(n, np.nan)
    q = np.zeros(n)  # observed days since the last demand, the current one included
    for t in range(y.shape[0]):
        yt = y[t]
        observed = ~np.isnan(yt)
        demand = observed & (yt > 0)
        q = q + observed
        started = ~np.isnan(z)
        z = np.where(demand, np.where(started, z + alpha * (yt - z), yt), z)
        p = np.where(demand, np.where(started, p + alpha * (q - p), q), p)
        q = np.where(demand, 0.0, q)
        z_out[t], p_out[t] = z, p
    return z_out.T, p_out.T


def croston(y, alpha: float) -> np.ndarray:
    """Croston's method: smooth demand sizes ``z`` and intervals ``p`` separately, forecast ``z / p``.

    Updated only on days with demand: ``z ← z + α(y − z)``, ``p ← p + α(q − p)`` with ``q`` the
    in-stock days since the previous demand (Croston 1972, as written in Syntetos & Boylan 2005,
    *IJF* 21:303). Initialised with the first demand and its interval from the start (``p = k`` for
    a first demand on observed day ``k``); the forecast is ``NaN`` before any demand.

    Parameters
    ----------
    y : array (SKUs × days), units per day, ``NaN`` where unobserved.
    alpha : smoothing constant in (0, 1]. [α]

    Returns
    -------
    ndarray (SKUs × days): the forecast per day after each day.

    Examples
    --------
    ``[0, 0, 3, 0, 0, 0, 6]``, α = 0.1: day 3 gives z = 3, p = 3; day 7 (q = 4) gives
    z = 0.1·6 + 0.9·3 = 3.3, p = 0.1·4 + 0.9·3 = 3.1, forecast 3.3 / 3.1 = 1.0645.

    >>> round(float(croston([[0, 0, 3, 0, 0, 0, 6]], 0.1)[0, -1]), 4)
    1.0645
    """
    z, p = _croston_states(y, alpha)
    return z / p


def sba(y, alpha: float) -> np.ndarray:
    """Syntetos-Boylan approximation: Croston's ``z / p`` times ``1 − α/2``, removing its bias.

    Source: Syntetos & Boylan (2005), "The accuracy of intermittent demand estimates", *IJF* 21:303.

    Examples
    --------
    The Croston example above: 1.0645 × (1 − 0.05) = 1.0113.

    >>> round(float(sba([[0, 0, 3, 0, 0, 0, 6]], 0.1)[0, -1]), 4)
    1.0113
    """
    return croston(y, alpha) * (1 - alpha / 2)


def tsb(y, alpha: float, beta: float) -> np.ndarray:
    """Teunter-Syntetos-Babai: smooth the demand probability every day, the size on demand days.

    ``p ← p + β(1[y > 0] − p)`` on every observed day, ``z ← z + α(y − z)`` on demand days; forecast
    ``p·z`` (Teunter, Syntetos & Babai 2011, *EJOR* 214:606). Initialised at the first demand with its
    size and ``p = 1/k`` (first demand on observed day ``k``); ``NaN`` before any demand.

    Parameters
    ----------
    y : array (SKUs × days), units per day, ``NaN`` where unobserved.
    alpha : size smoothing constant in (0, 1]. [α]
    beta : probability smoothing constant in (0, 1]. [β]

    Returns
    -------
    ndarray (SKUs × days): the forecast per day after each day.

    Examples
    --------
    ``[0, 0, 3, 0, 0, 0, 6]``, α = β = 0.1: day 3 z = 3, p = 1/3; days 4-6 p = 0.3, 0.27, 0.243;
    day 7 p = 0.243 + 0.1·(1 − 0.243) = 0.3187, z = 3 + 0.1·(6 − 3) = 3.3, forecast 1.0517.

    >>> round(float(tsb([[0, 0, 3, 0, 0, 0, 6]], 0.1, 0.1)[0, -1]), 4)
    1.0517
    """
    y = _days_first(y)
    n = y.shape[1]
    out = np.empty_like(y)
    z, p = np.full(n, np.nan), np.full(n, np.nan)
    k = np.zeros(n)
    for t in range(y.shape[0]):
        yt = y[t]
        observed = ~np.isnan(yt)
        demand = observed & (yt > 0)
        k = k + observed
        started = ~np.isnan(z)
        first = demand & ~started
        p = np.where(first, 1.0 / np.maximum(k, 1), np.where(started & observed, p + beta * (demand - p), p))
        z = np.where(first, yt, np.where(started & demand, z + alpha * (yt - z), z))
        out[t] = p * z
    return out.T


def moving_average(y, window_days: int) -> np.ndarray:
    """Mean demand over the in-stock days among the last ``window_days`` calendar days.

    ``NaN`` while the window holds no observed day (a long stock-out).

    Examples
    --------
    Window 3 over ``[1, 2, NaN, 6]``: 1, 1.5, 1.5, then (2 + 6) / 2 = 4.

    >>> moving_average([[1, 2, np.nan, 6]], 3).tolist()
    [[1.0, 1.5, 1.5, 4.0]]
    """
    y = np.asarray(y, dtype=float)
    observed = ~np.isnan(y)
    sums = np.cumsum(np.where(observed, y, 0.0), axis=1)
    counts = np.cumsum(observed, axis=1).astype(float)
    sums[:, window_days:] -= sums[:, :-window_days].copy()
    counts[:, window_days:] -= counts[:, :-window_days].copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)


def expanding_mean(y) -> np.ndarray:
    """The mean of every observed day so far: the launch default for a SKU with a short history.

    Examples
    --------
    >>> expanding_mean([[2, np.nan, 4, 0]]).tolist()
    [[2.0, 2.0, 3.0, 2.0]]
    """
    y = np.asarray(y, dtype=float)
    observed = ~np.isnan(y)
    sums = np.cumsum(np.where(observed, y, 0.0), axis=1)
    counts = np.cumsum(observed, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)


def holt_winters_weekly(y, alpha, gamma, start, initial_level, initial_season) -> tuple[np.ndarray, np.ndarray]:
    """Additive Holt-Winters without trend, period 7, filtered for many SKUs at once.

    ``l_t = α(y_t − s_{t−7}) + (1 − α) l_{t−1}``, ``s_t = γ(y_t − l_{t−1}) + (1 − γ) s_{t−7}``;
    the forecast for day ``t + h`` is ``l_t`` plus the latest seasonal state of that weekday
    (Hyndman & Athanasopoulos, *FPP3* §8.3; the recursion of statsmodels' ``ExponentialSmoothing``,
    whose fitted ``initial_level`` and ``initial_seasons`` are the states before day ``start``).
    Each SKU starts at its own day ``start``; the series must have no missing day from there on.

    Parameters
    ----------
    y : array (SKUs × days), units per day.
    alpha, gamma : per-SKU smoothing constants (arrays or scalars). [α, γ]
    start : per-SKU index of the first day of history.
    initial_level : per-SKU level before ``start``. [l_0]
    initial_season : (SKUs × 7) seasonal states before ``start``; column ``j`` serves day ``start + j``.

    Returns
    -------
    level : ndarray (SKUs × days), the level after each day (``NaN`` before ``start``).
    season : ndarray (SKUs × days), ``season[:, t]`` is the state of weekday slot ``t mod 7`` after
        day ``t``; the forecast after day ``t`` for day ``t + h`` is ``level[:, t] + season[:, t − 7 + (h − 1) % 7 + 1]``.

    Examples
    --------
    Level 5, season 0 everywhere, then an 8 with α = 0.5: level 5 + 0.5·(8 − 0 − 5) = 6.5.

    >>> level, season = holt_winters_weekly([[8.0]], 0.5, 0.0, 0, 5.0, np.zeros((1, 7)))
    >>> float(level[0, 0])
    6.5
    """
    y = _days_first(y)
    days, n = y.shape
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (n,))
    gamma = np.broadcast_to(np.asarray(gamma, dtype=float), (n,))
    start = np.broadcast_to(np.asarray(start), (n,))
    initial_level = np.broadcast_to(np.asarray(initial_level, dtype=float), (n,))
    initial_season = np.asarray(initial_season, dtype=float).reshape(n, 7)
    level_out, season_out = np.full_like(y, np.nan), np.full_like(y, np.nan)
    slots = np.full((7, n), np.nan)  # seasonal state per weekday slot (t mod 7)
    level = np.full(n, np.nan)
    cols = np.arange(n)
    for t in range(days):
        init = start == t
        if init.any():
            level = np.where(init, initial_level, level)
            for j in range(7):
                slots[(t + j) % 7, init] = initial_season[cols[init], j]
        run = start <= t
        slot = t % 7
        s_old = slots[slot].copy()
        slots[slot] = np.where(run, gamma * (y[t] - level) + (1 - gamma) * s_old, s_old)
        level = np.where(run, alpha * (y[t] - s_old) + (1 - alpha) * level, level)
        level_out[t], season_out[t] = level, slots[slot]
    return level_out.T, season_out.T
