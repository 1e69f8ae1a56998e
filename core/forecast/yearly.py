"""Yearly seasonality: calendar-month demand rates, each SKU's seasonal profile, shrinkage and pooling.

A *profile* is 12 multipliers, one per calendar month, averaging 1: demand in March is ``profile[2]``
times the SKU's deseasonalised level. It is estimated by ratio to a 12-month mean (classical
multiplicative decomposition, Hyndman & Athanasopoulos, *FPP3* §3.4, with a trailing window where a
centred one does not fit), from complete calendar months only, and only from 12 months of history or
more. Then it is shrunk (James-Stein, positive part) towards a *target*: the pooled profile of the SKUs
sharing its product group or brand where there is one, else 1 (no season). The shrinkage weight is
``max(0, 1 − noise ÷ distance²)``: ``noise`` is the variance of the profile's estimate (the SKU's
irregular month-to-month variance ÷ the years behind each month), ``distance²`` the mean squared gap
between its own profile and the target. A noisy or short profile is pulled to the target; a strong,
repeated one keeps its shape. A SKU with under 12 months uses the target (the pooled profile, else none).

Everything is vectorised over SKUs: rates are (SKUs × months) arrays.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MIN_MONTH_DAYS = 7  # a month with fewer observed (in-stock) days has no rate
MIN_MONTHS = 12  # months of rates before a SKU has a profile of its own
MIN_POOL_SKUS = 3  # SKUs with an own profile before a group's pooled profile is used


@dataclass(frozen=True, eq=False)
class Months:
    """The calendar months a range of days covers: ``month_of_day`` (days,) indexes ``first_day``
    (months,) and ``moy`` (months,) is the month of year, 0 = January."""

    month_of_day: np.ndarray
    first_day: np.ndarray
    moy: np.ndarray
    days_in_month: np.ndarray


def months_of(days: np.ndarray) -> Months:
    """The months of ``days`` (datetime64[D], consecutive).

    >>> m = months_of(np.arange(np.datetime64("2026-01-30"), np.datetime64("2026-02-03")))
    >>> m.month_of_day.tolist(), m.moy.tolist(), m.first_day.tolist()
    ([0, 0, 1, 1], [0, 1], [0, 2])
    """
    month = days.astype("datetime64[M]").astype(int)
    first = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
    month_of_day = np.cumsum(np.r_[False, month[1:] != month[:-1]])
    starts = month[first]
    full_days = ((starts + 1).astype("datetime64[M]").astype("datetime64[D]")
                 - starts.astype("datetime64[M]").astype("datetime64[D]")).astype(int)
    return Months(month_of_day, first, (starts % 12).astype(int), full_days)


def monthly_rates(y, months: Months) -> tuple[np.ndarray, np.ndarray]:
    """Mean demand per observed day of every calendar month, and its observed days (SKUs × months).

    A month with fewer than ``MIN_MONTH_DAYS`` observed days has rate ``NaN``.

    >>> days = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-03-01"))
    >>> y = np.r_[np.full(31, 2.0), np.full(28, 4.0)][None, :]; y[0, 0] = np.nan
    >>> rate, n = monthly_rates(y, months_of(days)); rate.tolist(), n.tolist()
    ([[2.0, 4.0]], [[30, 28]])
    """
    y = np.asarray(y, dtype=float)
    observed = ~np.isnan(y)
    sums = np.add.reduceat(np.where(observed, y, 0.0), months.first_day, axis=1)
    counts = np.add.reduceat(observed.astype(int), months.first_day, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(counts >= MIN_MONTH_DAYS, sums / np.maximum(counts, 1), np.nan)
    return rate, counts


def _rolling_year_mean(rate: np.ndarray) -> np.ndarray:
    """Mean of the rates of months k..k+11 for every k (``NaN`` unless all 12 have a rate)."""
    ok = ~np.isnan(rate)
    s = np.cumsum(np.c_[np.zeros(len(rate)), np.where(ok, rate, 0.0)], axis=1)
    c = np.cumsum(np.c_[np.zeros(len(rate)), ok], axis=1)
    n = rate.shape[1] - 11
    if n <= 0:
        return np.full((len(rate), 0), np.nan)
    total, count = s[:, 12:] - s[:, :n], c[:, 12:] - c[:, :n]
    return np.where(count == 12, total / 12, np.nan)


def own_profiles(rate: np.ndarray, moy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each SKU's unshrunk yearly profile from its monthly rates (SKUs × months, the last month complete).

    The ratio of every month's rate to the mean of the 12-month window around it (months j−6..j+5,
    shifted inwards at either end of the SKU's run of rated months), averaged per calendar month and
    scaled to average 1. Returns ``(profile (SKUs × 12), years (SKUs × 12) ratios behind each month,
    noise variance of one ratio (SKUs,))``; ``NaN`` rows for SKUs with fewer than 12 consecutive rated
    months ending at the last one or a zero 12-month mean.

    >>> moy = np.arange(24) % 12
    >>> shape = np.r_[np.full(6, 0.5), np.full(6, 1.5)]
    >>> p, years, noise = own_profiles(np.tile(shape * 10, 2)[None, :], moy)
    >>> p.round(3).tolist()[0] == shape.tolist(), years[0].tolist() == [2.0] * 12
    (True, True)
    """
    n, m = rate.shape
    profile = np.full((n, 12), np.nan)
    years = np.zeros((n, 12))
    noise = np.full(n, np.nan)
    if m < MIN_MONTHS:
        return profile, years, noise
    # The SKU's run of consecutive rated months that ends at the last month.
    rated = ~np.isnan(rate)
    gap = np.where(~rated, np.arange(m)[None, :], -1).max(axis=1)  # last unrated month (−1: none)
    first = gap + 1
    year_mean = _rolling_year_mean(rate)  # column k: months k..k+11
    last_k = m - 12
    j = np.arange(m)[None, :]
    k = np.clip(j - 6, first[:, None], last_k)
    usable = (j >= first[:, None]) & (last_k >= first[:, None])
    base = np.take_along_axis(year_mean, np.clip(k, 0, max(last_k, 0)), axis=1) if last_k >= 0 else np.full((n, m), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(usable & (base > 0), rate / base, np.nan)
    onehot = (moy[:, None] == np.arange(12)[None, :]).astype(float)
    have = ~np.isnan(ratio)
    years = have.astype(float) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = (np.where(have, ratio, 0.0) @ onehot) / years
        complete = (years > 0).all(axis=1)
        raw = raw / raw.mean(axis=1, keepdims=True)
        resid = np.where(have, ratio - raw[:, moy], 0.0)
        dof = have.sum(axis=1) - 12
        noise = np.where(dof > 0, (resid ** 2).sum(axis=1) / np.maximum(dof, 1), np.nan)
    profile = np.where(complete[:, None], raw, np.nan)
    return profile, np.where(complete[:, None], years, 0.0), np.where(complete, noise, np.nan)


def shrink(profile: np.ndarray, years: np.ndarray, noise: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """James-Stein (positive part) shrinkage of each profile towards its target (both SKUs × 12).

    ``w = max(0, 1 − mean(noise ÷ years) ÷ mean((profile − target)²))``; the result is
    ``target + w·(profile − target)``, scaled to average 1. A SKU without a profile gets its target
    (``w = 0``). Returns ``(profile, w)``.

    >>> p = np.array([[0.5] * 6 + [1.5] * 6]); t = np.ones((1, 12))
    >>> out, w = shrink(p, np.full((1, 12), 2.0), np.array([0.125]), t)
    >>> round(float(w[0]), 3), out.round(3)[0, 0]   # noise 0.125/2 over distance² 0.25: w = 0.75
    (0.75, np.float64(0.625))
    """
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a SKU without a profile: all-NaN rows
        distance2 = np.nanmean((profile - target) ** 2, axis=1)
        est_noise = np.nanmean(noise[:, None] / np.maximum(years, 1), axis=1)
        w = np.where(distance2 > 0, np.clip(1 - est_noise / distance2, 0, 1), 0.0)
    w = np.where(np.isnan(profile).any(axis=1) | np.isnan(w), 0.0, w)
    out = target + w[:, None] * (np.nan_to_num(profile) - target)
    out = np.maximum(out, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(out.mean(axis=1, keepdims=True) > 0, out / out.mean(axis=1, keepdims=True), 1.0)
    return out, w


def pooled_targets(profile: np.ndarray, years: np.ndarray, noise: np.ndarray,
                   groups: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The target each SKU's profile shrinks towards: its group's pooled profile, else 1 everywhere.

    A group's pooled profile is the mean of its members' own profiles (SKUs with 12 months or more;
    ``MIN_POOL_SKUS`` of them at least), itself shrunk towards 1 by its noise (the members' mean noise
    ÷ their number): a group of a few short histories stays close to flat. ``groups``: one label per
    SKU ("" or ``None`` = no group). Returns ``(targets (SKUs × 12), pooled (SKUs,) bool)``.
    """
    n = len(profile)
    targets = np.ones((n, 12))
    pooled = np.zeros(n, bool)
    if groups is None:
        return targets, pooled
    labels = np.asarray([("" if g is None else str(g)) for g in groups], dtype=object)
    has = ~np.isnan(profile).any(axis=1)
    for g in np.unique(labels[has & (labels != "")]):
        members = labels == g
        own = members & has
        k = int(own.sum())
        if k < MIN_POOL_SKUS:
            continue
        mean = profile[own].mean(axis=0, keepdims=True)
        member_noise = np.nanmean(np.where(np.isnan(noise[own]), np.nanmedian(noise[has]), noise[own]))
        group_years = years[own].mean(axis=0, keepdims=True)
        shrunk, _ = shrink(mean, group_years, np.array([member_noise / k]), np.ones((1, 12)))
        targets[members] = shrunk[0]
        pooled[members] = True
    return targets, pooled


def profiles(rate: np.ndarray, moy: np.ndarray, groups: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every SKU's profile as the forecast uses it, from monthly rates up to a complete month.

    Returns ``profile`` (SKUs × 12, average 1; the last rated month's calendar month is ``moy[-1]``),
    ``own`` (the unshrunk own profile, ``NaN`` under 12 months), ``weight`` (the share of its own
    profile kept, 0..1), ``pooled`` (whether the target was a group's pooled profile) and
    ``target``. SKUs whose noise cannot be estimated (12 months exactly: one ratio a month) take the
    account's median noise.
    """
    own, years, noise = own_profiles(rate, moy)
    has = ~np.isnan(own).any(axis=1)
    fallback = np.nanmedian(noise[has]) if np.isfinite(noise[has]).any() else 1.0
    noise = np.where(np.isnan(noise) & has, fallback, noise)
    target, pooled = pooled_targets(own, years, noise, groups)
    profile, weight = shrink(own, years, noise, target)
    return {"profile": profile, "own": own, "weight": weight, "pooled": pooled, "target": target}
