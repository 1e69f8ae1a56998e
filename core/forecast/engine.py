"""Backtest, method choice, calibrated lead-time demand and the daily forecast of every SKU at once.

How a SKU is forecast (details in docs/metrics.md, "Demand forecast"):

1. Its history starts at its first sale; out-of-stock days and past event days are missing, not zero.
   Every loaded day is read (up to four years).
2. Fewer than ``launch_days`` in-stock days: the launch default, the mean so far. No sale at all: 0.
3. Candidates: flat levels (moving averages over 28/91/182/365 days, SES; Croston, SBA and TSB for
   intermittent and lumpy demand), yearly ones from 12 whole months of history (``yearly``: the
   SKU's profile of calendar months, shrunk towards its product group's pooled profile or towards
   flat; a 91/182/365-day deseasonalised level times the profile, seasonal naive, a damped trend),
   and weekly Holt-Winters for the few SKUs with a strong weekday pattern (statsmodels fits).
4. Backtest: origins on the first day of each of the last ``backtest_origins`` months, each forecasting
   up to ``backtest_horizon_days`` (never past the as-of) from what was known before it, scored on
   calendar-month totals (what a purchase order covers). The default, ``DEFAULT_METHOD`` (the 91-day
   level times the shrunk profile: a plain 91-day mean where the profile is flat), is kept unless
   another candidate's error is at most ``switch_margin`` of it: picking the best of a dozen noisy
   backtests per SKU overfits (it lost to the default on every real data set tried).
5. Events multiply the forecast on event days by the SKU's uplift (own, else its group's, else the
   account's, else the default: ``events.pooled_uplift``); the backtest applies the same factors.
6. Uncertainty: the errors of the chosen method's L-day sums at every origin, standardised by the
   SKU's month error scale (shrunk towards the account's error-to-volume ratio) and pooled over SKUs,
   give empirical quantiles per lead time (``calibrate``): safety stock at service level s is that
   quantile times the scale (``safety_stock``), so the reorder point covers the backtest's lead-time
   demand in a share s of SKU-origins, checked leave-one-origin-out. The daily chart band stays a
   normal mean ± z·σ (σ: the daily backtest RMSE).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from core import db, settings, skus, stored
from core.forecast import accuracy, events, methods, pattern, yearly
from core.forecast.sales_history import SalesHistory, history_arrays
from core.forecast.params import ForecastParams

PATH_METHODS = ("moving average", "ses", "croston", "sba", "tsb")  # flat, from one pass over the days
SEASONAL_METHOD = "holt-winters weekly"
# Every candidate, simplest first (ties go left). "moving average" is the 28-day one.
CANDIDATE_ORDER = ("moving average", "moving average 91", "moving average 182", "moving average 365", "ses",
                   "croston", "sba", "tsb", "seasonal 91", "seasonal 182", "seasonal 365", "seasonal naive",
                   "seasonal damped trend", SEASONAL_METHOD)
METHOD_IDS = (*CANDIDATE_ORDER, "launch", "no demand")  # every method the summary can name
INTERMITTENT_ONLY = ("croston", "sba", "tsb")  # Croston's family is for intermittent and lumpy demand
DEFAULT_METHOD = "seasonal 91"  # the 91-day level times the (shrunk) yearly profile: flat when it has none
# Where a yearly candidate cannot be built at an origin (under 12 whole months before it), it is
# scored as the plain level it would be without a season.
NON_SEASONAL_TWIN = {"seasonal 91": "moving average 91", "seasonal 182": "moving average 182",
                     "seasonal 365": "moving average 365", "seasonal naive": "moving average 365",
                     "seasonal damped trend": "moving average 91"}
DAYS_PER_MONTH = 30.4375
LEAD_GRID = (7, 14, 30, 60, 90, 120, 180)  # lead times (days) whose L-day sums are calibrated
SERVICE_GRID = np.round(np.arange(0.50, 0.9951, 0.005), 3)  # service levels of the calibration table
SCALE_PRIOR_MONTHS = 12  # months of evidence the pooled error-to-volume ratio is worth (shrink_scale)
CALIBRATION_MIN_ERRORS = 30  # fewer SKU-origins than this: the normal formula instead
SUMMARY_COLUMNS = ["sku", "pattern", "adi", "cv2", "method", "demand_per_day", "sigma_demand", "wape", "bias",
                   "mase", "wape_month", "backtest_units", "backtest_month_units", "history_days",
                   "month_error_scale", "profile_source", "method_reason", "demand_events", "event_uplift_text"]
DAILY_COLUMNS = ["sku", "day", "mean", "lo80", "hi80", "lo95", "hi95"]
PROFILE_COLUMNS = ["sku", "month", "profile", "own", "target"]
CALIBRATION_COLUMNS = ["horizon_days", "service_level", "factor", "achieved"]
ERROR_COLUMNS = ["sku", "horizon_days", "origin", "u"]
SERVICE_CHECK_DAYS = (30, 60, 90)  # lead times whose per-SKU backtest errors are kept (the accuracy page)
Z80, Z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)


@dataclass(frozen=True)
class ForecastResult:
    """Per-SKU summary (method, demand, accuracy), the daily forecast with its intervals, the yearly
    profiles and the calibration of lead-time demand (``calibration``: safety factors by horizon and
    service level, and the service each achieved in the backtest)."""

    summary: pd.DataFrame
    daily: pd.DataFrame
    as_of: dt.date | None
    params: ForecastParams
    profiles: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=PROFILE_COLUMNS))
    calibration: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=CALIBRATION_COLUMNS))
    # The standardised backtest errors u of the L-day sums behind the calibration, per SKU and origin
    # (L in SERVICE_CHECK_DAYS): the achieved service per ABC class is counted from them.
    lead_errors: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))

    _cache: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def _cumulative(self) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """The SKUs (summary order), the running sums of their daily means (n × H+1) and their last
        28 days' mean a day; computed once per result (a what-if move reads it again)."""
        if "cum" not in self._cache:
            order = pd.Index(self.summary["sku"].astype(str))
            n = len(order)
            horizon = len(self.daily) // n if n else 0
            mean = self.daily["mean"].to_numpy(dtype=float).reshape(n, horizon) if n else np.zeros((0, 0))
            tail = mean[:, -28:].mean(axis=1) if horizon else np.zeros(n)
            self._cache["cum"] = (order, np.c_[np.zeros(n), np.cumsum(mean, axis=1)], tail)
        return self._cache["cum"]

    def positions(self, skus) -> np.ndarray:
        """Each of ``skus``' row in the summary (−1 where it has none); kept per list of SKUs, since a
        what-if asks for the same SKUs on every move."""
        wanted = pd.Index(skus).astype(str)
        key = ("rows", len(wanted), hash(tuple(wanted)))
        if key not in self._cache:
            order, _, _ = self._cumulative()
            self._cache[key] = order.get_indexer(wanted)
        return self._cache[key]

    def lead_time_demand(self, lead_days, skus=None) -> pd.Series:
        """Forecast demand over the next ``lead_days`` days (one number, or one per SKU) of each of
        ``skus`` (default: the summary's), indexed by sku: ``lead_time_demand``."""
        order, cum, tail = self._cumulative()
        wanted = order if skus is None else pd.Index(skus).astype(str)
        rows = np.arange(len(order)) if skus is None else self.positions(wanted)
        return pd.Series(lead_time_demand(cum, tail, rows, lead_days), index=wanted)

    def summary_rows(self, skus, columns=("sigma_demand", "month_error_scale")) -> pd.DataFrame:
        """The summary's ``columns`` for ``skus`` in that order (NaN for SKUs it lacks)."""
        pos = self.positions(skus)
        out = {}
        for column in columns:
            values = (self.summary[column].to_numpy(dtype=float) if column in self.summary
                      else np.full(len(self.summary), np.nan))
            picked = values[np.clip(pos, 0, None)] if len(values) else np.full(len(pos), np.nan)
            out[column] = np.where(pos >= 0, picked, np.nan)
        return pd.DataFrame(out)

    def reorder_point(self, lead_days, service_level, skus=None) -> pd.DataFrame:
        """``lead_time_demand``, ``safety_stock`` and ``reorder_point`` per SKU (indexed by sku) at
        ``service_level`` over ``lead_days`` (each a number or one per SKU)."""
        demand = self.lead_time_demand(lead_days, skus)
        rows = self.summary_rows(demand.index)
        ss = safety_stock(rows, self.calibration, lead_days, service_level)
        return pd.DataFrame({"lead_time_demand": demand.to_numpy(), "safety_stock": ss,
                             "reorder_point": demand.to_numpy() + ss}, index=demand.index.rename("sku"))


def lead_time_demand(cumulative: np.ndarray, tail: np.ndarray, rows: np.ndarray, lead_days) -> np.ndarray:
    """Σ of the daily forecast means over the first ``lead_days`` days: ``cumulative[i, L]`` (running
    sums, a 0 column first), a fractional day pro rata, and past the horizon the SKU's last 28 days'
    mean a day (``tail``). ``rows``: each wanted SKU's row (−1: not forecast, ``NaN``).

    >>> cum = np.array([[0.0, 1.0, 3.0, 6.0]]); lead_time_demand(cum, np.array([3.0]), np.array([0, -1]), 2.5).tolist()
    [4.5, nan]
    >>> lead_time_demand(cum, np.array([3.0]), np.array([0]), 5).tolist()   # 6 + 2 days × 3
    [12.0]
    """
    rows = np.asarray(rows)
    n = len(rows)
    horizon = cumulative.shape[1] - 1
    lead = np.broadcast_to(np.asarray(lead_days, dtype=float), (n,))
    r = np.clip(rows, 0, None)
    if horizon <= 0 or not len(cumulative):
        return np.where(rows >= 0, 0.0, np.nan)
    whole = np.clip(np.floor(lead), 0, horizon).astype(int)
    nxt = cumulative[r, np.minimum(whole + 1, horizon)] - cumulative[r, whole]
    part = np.where(lead < horizon, lead - whole, 0.0)
    total = cumulative[r, whole] + part * nxt + np.maximum(lead - horizon, 0.0) * tail[r]
    return np.where(rows >= 0, total, np.nan)


def safety_stock(summary: pd.DataFrame, calibration: pd.DataFrame, lead_days, service_level) -> np.ndarray:
    """Safety stock of each SKU over ``lead_days`` at ``service_level`` (each a number or one per SKU),
    from the backtest's calibrated errors of L-day sums.

    ``SS = factor(L, s) × scale × √(L ÷ 30.4)``: ``scale`` is the SKU's backtest error of a month's
    total (``month_error_scale``), ``factor`` the calibrated quantile of the standardised errors at the
    lead time (interpolated linearly between the calibrated lead times, held flat outside them) and
    service level (``calibrate``; above its top level, 99.5%, scaled by z(s) ÷ z(99.5%)). Never below 0. Where the account has no calibration, the normal
    formula ``z(s)·σ_d·√L``.
    """
    n = len(summary)
    lead = np.broadcast_to(np.asarray(lead_days, dtype=float), (n,))
    level = np.broadcast_to(np.asarray(service_level, dtype=float), (n,))
    sigma = summary["sigma_demand"].to_numpy(dtype=float) if "sigma_demand" in summary else np.zeros(n)
    normal = stats.norm.ppf(np.clip(level, 1e-6, 1 - 1e-6)) * np.nan_to_num(sigma) * np.sqrt(np.maximum(lead, 0))
    table = calibration.dropna(subset=["factor"]) if len(calibration) else calibration
    if "month_error_scale" not in summary or table.empty:
        return np.maximum(normal, 0.0)
    scale = summary["month_error_scale"].to_numpy(dtype=float)
    grid = np.sort(table["horizon_days"].unique()).astype(float)
    levels = np.sort(table["service_level"].unique())
    factor_table = (table.pivot(index="horizon_days", columns="service_level", values="factor")
                    .reindex(index=grid, columns=levels).to_numpy())
    # Interpolate in service level for every horizon, then in horizon (held flat outside the grid).
    # Above the table's top level (99.5%) the factor grows as the normal quantile does.
    top = levels[-1]
    tail = np.where(level > top, stats.norm.ppf(np.clip(level, top, 1 - 1e-9)) / stats.norm.ppf(top), 1.0)
    by_level = np.stack([np.interp(level, levels, row) * tail for row in factor_table])  # horizons × n
    at = np.clip(lead, grid[0], grid[-1])
    upper = np.clip(np.searchsorted(grid, at, side="left"), 1, len(grid) - 1) if len(grid) > 1 else np.zeros(n, int)
    lower = np.maximum(upper - 1, 0)
    span = grid[upper] - grid[lower]
    weight = np.where(span > 0, (at - grid[lower]) / np.where(span > 0, span, 1.0), 0.0)
    cols = np.arange(n)
    factor = by_level[lower, cols] * (1 - weight) + by_level[upper, cols] * weight
    ss = factor * np.nan_to_num(scale) * np.sqrt(np.maximum(lead, 0) / DAYS_PER_MONTH)
    return np.maximum(np.where(np.isfinite(ss), ss, normal), 0.0)


def _empty(as_of, params) -> ForecastResult:
    return ForecastResult(pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=DAILY_COLUMNS), as_of, params)


def to_matrix(history_df: pd.DataFrame, as_of: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The long history as arrays: SKUs, days (datetime64[D], up to ``as_of``), units and in-stock (SKUs × days)."""
    frame = history_df[history_df["day"] <= pd.Timestamp(as_of)]
    day = frame["day"].to_numpy().astype("datetime64[D]")
    first = day.min()
    days = np.arange(first, np.datetime64(as_of, "D") + 1)
    codes, sku_list = pd.factorize(frame["sku"], sort=True)
    units = np.zeros((len(sku_list), len(days)))
    in_stock = np.ones((len(sku_list), len(days)), bool)
    col = (day - first).astype(int)
    units[codes, col] = frame["units"].to_numpy(dtype=float)
    in_stock[codes, col] = frame["in_stock"].to_numpy(dtype=bool)
    return np.asarray(sku_list, dtype=object), days, units, in_stock


def demand_series(units, in_stock) -> np.ndarray:
    """Demand as the methods see it: units on in-stock days from the first sale on, ``NaN`` elsewhere.

    >>> demand_series([[0, 0, 2, 0, 1]], [[1, 1, 1, 0, 1]]).tolist()
    [[nan, nan, 2.0, nan, 1.0]]
    """
    units = np.asarray(units, dtype=float)
    sold = units > 0
    launched = np.cumsum(sold, axis=1) > 0
    return np.where(launched & np.asarray(in_stock, bool), units, np.nan)


def weekday_f_statistic(y, days: np.ndarray) -> np.ndarray:
    """One-way ANOVA F statistic of demand by weekday per SKU (in-stock days), and its degrees of freedom.

    Returns ``(F (SKUs,), within-group degrees of freedom (SKUs,))``; the weekday effect has 6.
    """
    y = np.asarray(y, dtype=float)
    observed = ~np.isnan(y)
    values = np.where(observed, y, 0.0)
    weekday = (days.astype("datetime64[D]").astype(int) + 3) % 7  # 0 = Monday
    onehot = (weekday[:, None] == np.arange(7)[None, :]).astype(float)
    n_w, s_w, q_w = observed @ onehot, values @ onehot, (values * values) @ onehot
    n = n_w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s_w.sum(axis=1) / n
        mean_w = np.where(n_w > 0, s_w / np.maximum(n_w, 1), 0.0)
        between = (n_w * (mean_w - mean[:, None]) ** 2).sum(axis=1)
        within = (q_w - n_w * mean_w ** 2).sum(axis=1)
        df_within = n - 7
        f = (between / 6) / (within / df_within)
    return np.where((df_within > 0) & (within > 0), f, np.where(between > 0, np.inf, 0.0)), df_within


def _fit_weekly_ets(series: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """statsmodels ExponentialSmoothing (additive season, period 7, no trend) on one series."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(series, seasonal="add", seasonal_periods=7,
                                   initialization_method="estimated").fit()
    p = fit.params
    return (float(p["smoothing_level"]), float(p["smoothing_seasonal"]), float(p["initial_level"]),
            np.asarray(p["initial_seasons"], dtype=float))


def _weekly_candidates(y_fit, days, labels, history_days, params) -> np.ndarray:
    """Indices of SKUs worth a seasonal fit: smooth/erratic, long enough, a significant weekday effect."""
    f, df_within = weekday_f_statistic(y_fit, days)
    critical = stats.f.ppf(params.seasonal_f_quantile, 6, np.maximum(df_within, 1))
    ok = np.isin(labels, ("smooth", "erratic")) & (history_days >= params.seasonal_min_days) & (f > critical)
    index = np.flatnonzero(ok)
    return index[np.argsort(-f[index], kind="stable")][: params.seasonal_max_fits]


def _weekly_paths(y_fit, index, days_total) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit and filter the weekly model for SKUs ``index``: level and season paths (len(index) × days)."""
    sub = y_fit[index]
    observed = ~np.isnan(sub)
    start = np.argmax(observed, axis=1)
    weekday = np.arange(sub.shape[1]) % 7
    onehot = (weekday[:, None] == np.arange(7)[None, :]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        slot_mean = (np.where(observed, sub, 0) @ onehot) / (observed @ onehot)
    slot_mean = np.where(np.isnan(slot_mean), np.nanmean(sub, axis=1)[:, None], slot_mean)
    filled = np.where(observed, sub, slot_mean[:, weekday])  # missing days: the weekday's mean
    fits = [_fit_weekly_ets(filled[i, start[i]:]) for i in range(len(index))]
    alpha, gamma, level0 = (np.array([f[k] for f in fits]) for k in range(3))
    season0 = np.array([f[3] for f in fits]).reshape(len(index), 7)
    level, season = methods.holt_winters_weekly(filled, alpha, gamma, start, level0, season0)
    return level, season, start


def _flat_at(path: np.ndarray, fallback: np.ndarray, t: int) -> np.ndarray:
    """A method's forecast after day ``t`` (its path), the fallback where it has none, never below 0."""
    value = path[:, t] if t >= 0 else np.full(path.shape[0], np.nan)
    return np.maximum(np.where(np.isnan(value), np.nan_to_num(fallback), value), 0.0)


def _weekly_at(level, season, t: int, horizon: int) -> np.ndarray:
    """The weekly model's forecast after day ``t`` for the next ``horizon`` days (clipped at 0)."""
    cols = t - 6 + (np.arange(horizon) % 7)
    return np.maximum(level[:, [t]] + season[:, cols], 0.0)


@dataclass(frozen=True, eq=False)
class RunningSums:
    """Running sums of the observed demand and of the observed days (SKUs × days + 1, a 0 column
    first): any window's sum is a difference of two columns."""

    units: np.ndarray
    days: np.ndarray

    @classmethod
    def of(cls, y: np.ndarray) -> "RunningSums":
        observed = ~np.isnan(y)
        zero = np.zeros((len(y), 1))
        return cls(np.c_[zero, np.cumsum(np.where(observed, y, 0.0), axis=1)],
                   np.c_[zero, np.cumsum(observed, axis=1, dtype=float)])

    def window(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Σ observed demand and observed days of days ``start`` .. ``end − 1``."""
        return self.units[:, end] - self.units[:, start], self.days[:, end] - self.days[:, start]


def _window_mean(sums: RunningSums, o: int, window: int) -> np.ndarray:
    """Mean of the observed days among the ``window`` days before day ``o`` (``NaN`` with none)."""
    total, count = sums.window(max(0, o - window), o)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _deseasonalised_mean(sums: RunningSums, months: yearly.Months, profile: np.ndarray, o: int,
                         window: int) -> np.ndarray:
    """Mean of demand ÷ the profile of its month over the observed days of the ``window`` days before
    ``o``: month by month, each month's part of the window divided by that month's profile (days of
    a month whose profile is 0 are left out). 0 with no observed day."""
    lo = max(0, o - window)
    total, count = np.zeros(len(profile)), np.zeros(len(profile))
    ends = months.first_day + months.days_in_month
    for k in np.flatnonzero((months.first_day < o) & (ends > lo)):
        a, b = max(lo, int(months.first_day[k])), min(o, int(ends[k]))
        part, days_ = sums.window(a, b)
        factor = profile[:, months.moy[k]]
        usable = factor > 0
        total += np.where(usable, part / np.where(usable, factor, 1.0), 0.0)
        count += np.where(usable, days_, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), 0.0)


def damped_trend_sum(slope_per_day, phi_per_day: float, steps: np.ndarray) -> np.ndarray:
    """The damped trend's contribution ``b·(φ + φ² + … + φ^h)`` after ``h`` days (Gardner & McKenzie
    1985; *FPP3* §8.2), for every SKU's slope ``b`` (units/day per day) and every ``h`` in ``steps``.

    >>> damped_trend_sum(np.array([1.0]), 0.5, np.array([1, 2])).tolist()   # 0.5; 0.5 + 0.25
    [[0.5, 0.75]]
    """
    h = np.asarray(steps, dtype=float)
    factor = phi_per_day * (1 - phi_per_day ** h) / (1 - phi_per_day) if phi_per_day < 1 else h
    return np.asarray(slope_per_day, dtype=float)[:, None] * factor[None, :]


def _deseasonalised_slope(rate: np.ndarray, profile: np.ndarray, moy: np.ndarray) -> np.ndarray:
    """Least-squares slope (units/day per day) of the deseasonalised rates of the last 12 months."""
    with np.errstate(invalid="ignore", divide="ignore"):
        r = rate[:, -12:] / profile[:, moy[-12:]]
    r = np.where(np.isfinite(r), r, np.nan)
    t = np.arange(r.shape[1], dtype=float)
    ok = ~np.isnan(r)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_mean = np.where(ok, t, 0).sum(axis=1) / ok.sum(axis=1)
        r_mean = np.where(ok, r, 0).sum(axis=1) / ok.sum(axis=1)
        dt_ = np.where(ok, t[None, :] - t_mean[:, None], 0.0)
        slope = (dt_ * np.where(ok, r - r_mean[:, None], 0.0)).sum(axis=1) / (dt_ ** 2).sum(axis=1)
    return np.nan_to_num(slope) / DAYS_PER_MONTH


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every candidate's forecast for days ``o`` .. ``o + horizon − 1`` from what was known before
    day ``o``, kept compact: a *flat* candidate is one level per SKU (units/day); a *seasonal* one a
    deseasonalised level per SKU times ``season`` (SKUs × days, the profile of each day's month); a
    *full* one a matrix (SKUs × days). ``profiles``: ``yearly.profiles``' result (``None`` under 12
    whole months before ``o``)."""

    flat: dict[str, np.ndarray]
    seasonal: dict[str, np.ndarray]
    full: dict[str, np.ndarray]
    season: np.ndarray | None
    profiles: dict | None
    horizon: int

    def daily(self, name: str, rows) -> np.ndarray:
        """One candidate's daily forecast of the SKUs ``rows`` (a boolean mask)."""
        if name in self.flat:
            return np.repeat(self.flat[name][rows, None], self.horizon, 1)
        if name in self.seasonal:
            return self.seasonal[name][rows, None] * self.season[rows]
        return self.full[name][rows]


def _yearly_candidates(sums: RunningSums, rate, months: yearly.Months, o: int, horizon: int, groups,
                       params: ForecastParams) -> tuple[dict, dict, dict, np.ndarray | None, dict | None]:
    """The longer levels, the seasonal levels, seasonal naive and the damped trend from before day ``o``:
    ``(flat, seasonal, full, season, profiles)`` as ``Candidates`` holds them."""
    flat = {f"moving average {w}": _window_mean(sums, o, w) for w in params.level_windows if w != params.ma_days}
    complete = int(np.sum(months.first_day + months.days_in_month <= o))  # whole months before o
    if complete < yearly.MIN_MONTHS:
        return flat, {}, {}, None, None
    prof = yearly.profiles(rate[:, :complete], months.moy[:complete], groups)
    profile = prof["profile"]
    month_of_day = months.month_of_day
    future_month = month_of_day[o:o + horizon]
    season = profile[:, months.moy[future_month]]
    seasonal = {}
    for w in params.level_windows[1:]:
        seasonal[f"seasonal {w}"] = _deseasonalised_mean(sums, months, profile, o, w)
    # Seasonal naive: each day the rate of the same calendar month a year before.
    source = future_month - 12
    snaive = rate[:, np.clip(source, 0, complete - 1)]
    longest = seasonal[f"seasonal {params.level_windows[-1]}"]
    full = {"seasonal naive": np.where(np.isnan(snaive), longest[:, None] * season, snaive)}
    level = seasonal[f"seasonal {params.level_windows[1]}"]
    slope = _deseasonalised_slope(rate[:, :complete], profile, months.moy[:complete])
    lag = params.level_windows[1] / 2  # the window's mean sits half a window back
    phi = params.trend_damping_per_month ** (1 / DAYS_PER_MONTH)
    trend = level[:, None] + damped_trend_sum(slope, phi, np.arange(1, horizon + 1) + lag)
    full["seasonal damped trend"] = np.maximum(trend, 0.0) * season
    return flat, seasonal, full, season, prof


def shrink_scale(scale, monthly_units, months, prior_months: float) -> np.ndarray:
    """Each SKU's month error scale pooled with the account's: a dozen backtest months can be lucky.

    ``scale² ← (k·own² + m·pred²) ÷ (k + m)``: ``k`` the SKU's scored backtest months, ``m =
    prior_months``, ``pred = r̃ × its mean monthly units`` with ``r̃`` the median of every backtested
    SKU's own scale ÷ mean monthly units (a variance shrunk towards a pooled ratio, as in empirical
    Bayes). SKUs without months keep their own.

    >>> shrink_scale(np.array([2.0, 10.0, 30.0]), np.array([10.0, 50.0, 100.0]), np.array([12, 12, 12]), 12).round(3).tolist()
    [2.0, 10.0, 25.495]
    """
    scale, units, k = (np.asarray(a, dtype=float) for a in (scale, monthly_units, months))
    ok = (k > 0) & (units > 0) & np.isfinite(scale)
    if not ok.any():
        return scale
    ratio = np.median(scale[ok] / units[ok])
    pred = ratio * np.nan_to_num(units)
    shrunk = np.sqrt((k * scale ** 2 + prior_months * pred ** 2) / np.maximum(k + prior_months, 1e-12))
    return np.where(ok, shrunk, scale)


def _month_blocks(month_of_day: np.ndarray, o: int, horizon: int) -> np.ndarray:
    """One-hot (days × months) of the calendar months of days ``o`` .. ``o + horizon − 1``."""
    m = month_of_day[o:o + horizon] - month_of_day[o]
    return (m[:, None] == np.arange(m.max() + 1)[None, :]).astype(float)


def calibrate(u: np.ndarray, origin: np.ndarray, levels: np.ndarray = SERVICE_GRID) -> tuple[np.ndarray, np.ndarray]:
    """Safety factors from standardised backtest errors of L-day sums, and the service they achieve.

    ``u = (actual − forecast) ÷ scale`` of every SKU-origin for one lead time; the factor at service
    level ``s`` is the empirical ``s``-quantile of ``u`` (Hyndman & Athanasopoulos, *FPP3* §5.5,
    empirical prediction intervals), so the reorder point ``forecast + factor·scale`` covers the
    actual demand in a share ``s`` of the backtest. The achieved service is measured honestly,
    leave-one-origin-out: each origin's SKUs are checked against the factor estimated from the
    other origins. Returns ``(factors (levels,), achieved (levels,))``; ``NaN`` with too few errors.

    >>> u = np.arange(100.0); f, a = calibrate(u, np.arange(100) % 4, np.array([0.5]))
    >>> float(f[0]), round(float(a[0]), 2)
    (49.5, 0.5)
    """
    u, origin = np.asarray(u, dtype=float), np.asarray(origin)
    keep = np.isfinite(u)
    u, origin = u[keep], origin[keep]
    if len(u) < CALIBRATION_MIN_ERRORS:
        return np.full(len(levels), np.nan), np.full(len(levels), np.nan)
    factors = np.quantile(u, levels)
    hits, total = np.zeros(len(levels)), 0
    for k in np.unique(origin):
        test, train = origin == k, origin != k
        if train.sum() < CALIBRATION_MIN_ERRORS // 2:
            continue
        q = np.quantile(u[train], levels)
        hits += (u[test][:, None] <= q[None, :]).sum(axis=0)
        total += int(test.sum())
    achieved = hits / total if total else np.full(len(levels), np.nan)
    return factors, achieved


def forecast_all(history_df: pd.DataFrame, as_of: dt.date | None = None,
                 params: ForecastParams = ForecastParams(), groups=None) -> ForecastResult:
    """Classify, backtest and forecast every SKU of ``history_df`` (columns sku, day, units, in_stock):
    ``forecast_arrays`` of its matrices (``to_matrix``).

    See the module docstring for the rules. ``as_of`` defaults to the last day of the history.
    """
    if history_df.empty:
        return _empty(as_of, params)
    if as_of is None:
        as_of = pd.Timestamp(history_df["day"].max()).date()
    sku_list, days, units, in_stock = to_matrix(history_df, as_of)
    history = SalesHistory(sku_list, days, units, in_stock)
    if groups is not None:
        by_sku = dict(groups) if isinstance(groups, dict) else dict(zip(sku_list, groups))
        history = dataclasses.replace(history, groups=np.array([by_sku.get(s, "") for s in sku_list], object))
    return forecast_arrays(history, as_of, params)


def forecast_arrays(history: SalesHistory, as_of: dt.date | None = None,
                    params: ForecastParams = ForecastParams()) -> ForecastResult:
    """``forecast_all`` on the matrices (``history_arrays``, or ``to_matrix`` of a long frame).

    ``history.days`` must end at ``as_of`` (its default).
    """
    if not len(history.skus) or not len(history.days):
        return _empty(as_of, params)
    if as_of is None:
        as_of = history.days[-1].item()
    if history.days[-1] != np.datetime64(as_of, "D"):
        raise ValueError(f"history must end at as_of ({as_of}), not {history.days[-1]}")
    sku_list, days, units, in_stock = history.skus, history.days, history.units, history.in_stock
    groups = getattr(history, "groups", None)
    n, T = units.shape
    H = params.horizon_days
    future = np.arange(days[-1] + 1, days[-1] + 1 + H)
    all_days = np.concatenate([days, future])
    months = yearly.months_of(all_days)

    y_act = demand_series(units, in_stock)
    calendar = events.event_calendar(params, days[0].item(), future[-1].item())
    factors, past_event, uplift_sources = events.uplift_factors(y_act, days, all_days, calendar,
                                                                params.event_baseline_days, groups)
    y_fit = np.where(past_event[None, :], np.nan, y_act)
    observed_fit = ~np.isnan(y_fit)
    history_days = (~np.isnan(y_act)).sum(axis=1)
    adi, cv2 = pattern.adi(y_act), pattern.cv2(y_act)
    labels = pattern.classify_pattern(adi, cv2, params.adi_cutoff, params.cv2_cutoff)
    rate, _ = yearly.monthly_rates(np.c_[y_fit, np.full((n, H), np.nan)], months)
    running = RunningSums.of(y_fit)

    # One pass per path method gives its flat forecast after every day.
    croston_path = methods.croston(y_fit, params.croston_alpha)
    fallback = methods.expanding_mean(y_fit)
    paths = {"moving average": methods.moving_average(y_fit, params.ma_days),
             "ses": methods.ses(y_fit, params.ses_alpha),
             "croston": croston_path,
             "sba": croston_path * (1 - params.croston_alpha / 2),
             "tsb": methods.tsb(y_fit, params.tsb_alpha, params.tsb_beta)}

    # Origins: the first days of the last ``backtest_origins`` months, each forecasting up to
    # ``backtest_horizon_days`` (never past the as-of) from the days before it.
    starts = months.first_day[(months.first_day >= 1) & (months.first_day < T)]
    origins = [int(o) for o in starts[-params.backtest_origins:]]
    trained = np.cumsum(observed_fit, axis=1)

    weekly_index = _weekly_candidates(y_fit, days, labels, history_days, params) if origins else np.array([], int)
    weekly_level = weekly_season = None
    if len(weekly_index):
        weekly_level, weekly_season, _ = _weekly_paths(y_fit, weekly_index, T)

    def candidates_at(o: int, horizon: int) -> Candidates:
        flat = {m: _flat_at(paths[m], fallback[:, o - 1], o - 1) for m in PATH_METHODS}
        more_flat, seasonal, full, season, prof = _yearly_candidates(running, rate, months, o, horizon, groups, params)
        flat.update(more_flat)
        if weekly_level is not None:
            weekly = np.full((n, horizon), np.nan)
            weekly[weekly_index] = _weekly_at(weekly_level, weekly_season, o - 1, horizon)
            full[SEASONAL_METHOD] = weekly
        if season is None:  # under 12 whole months: the yearly candidates are scored as their plain twins
            for twin, plain in NON_SEASONAL_TWIN.items():
                flat[twin] = flat[plain]
        return Candidates(flat, seasonal, full, season, prof, horizon)

    names = list(CANDIDATE_ORDER)
    C = len(names)
    month_error = np.zeros((n, C))  # Σ |forecast − actual| of calendar-month totals, over origins
    month_sq = np.zeros((n, C))
    missing = np.zeros((n, C), bool)  # a candidate with no forecast at some scored origin
    day_count, actual_units = np.zeros(n), np.zeros(n)
    month_act, month_count = np.zeros(n), np.zeros(n)
    sums = {L: [] for L in LEAD_GRID}  # per origin: forecast sums (n × C), actual sums (n,), origin, enough days
    valid = np.zeros(n, bool)
    scored_origins = []
    for o in origins:
        horizon = min(params.backtest_horizon_days, T - o)
        ok = trained[:, o - 1] >= params.launch_days
        actual = np.where(ok[:, None], y_act[:, o:o + horizon], np.nan)
        observed = ~np.isnan(actual)
        valid |= observed.any(axis=1)
        blocks = _month_blocks(months.month_of_day, o, horizon)
        a0 = np.where(observed, actual, 0.0)
        a_month = a0 @ blocks
        scored = (observed.astype(float) @ blocks) >= yearly.MIN_MONTH_DAYS
        leads = [L for L in LEAD_GRID if L <= horizon]
        # Every candidate's forecast is (something) × the event factor on observed days: the month
        # totals and L-day sums of a flat level are the level times those of obs·factor.
        weight = np.where(observed, factors[:, o:o + horizon], 0.0)
        lead_cols = np.array(leads, dtype=int) - 1

        first_days = (np.arange(horizon)[:, None] <= lead_cols[None, :]).astype(float)  # days × leads

        def totals(matrix: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
            w = weight if matrix is None else weight * matrix
            return w @ blocks, w @ first_days

        cand = candidates_at(o, horizon)
        flat_month, flat_lead = totals(None)
        season_month, season_lead = totals(cand.season) if cand.season is not None else (None, None)
        a_lead = a0 @ first_days
        enough = observed.astype(float) @ first_days >= (np.array(leads) // 2)[None, :]
        f_lead = np.zeros((n, C, len(leads)))
        for j, m in enumerate(names):
            if m in cand.flat:
                level = cand.flat[m]
                f_month, f_l = level[:, None] * flat_month, level[:, None] * flat_lead
            elif m in cand.seasonal:
                level = cand.seasonal[m]
                f_month, f_l = level[:, None] * season_month, level[:, None] * season_lead
            elif m in cand.full:
                matrix = cand.full[m]
                missing[:, j] |= ok & np.isnan(matrix).all(axis=1)
                f_month, f_l = totals(matrix)
            else:
                missing[:, j] |= ok
                continue
            em = np.where(scored, f_month - a_month, 0.0)
            month_error[:, j] += np.abs(em).sum(axis=1)
            month_sq[:, j] += (em ** 2).sum(axis=1)
            f_lead[:, j, :] = f_l
        for k, L in enumerate(leads):
            sums[L].append([f_lead[:, :, k], a_lead[:, k], np.full(n, o), enough[:, k]])
        day_count += observed.sum(axis=1)
        actual_units += a0.sum(axis=1)
        month_count += scored.sum(axis=1)
        month_act += np.where(scored, a_month, 0.0).sum(axis=1)
        scored_origins.append(o)

    # The method each SKU keeps: the default unless another candidate's month-total error is at most
    # ``switch_margin`` of the default's (choosing among a dozen noisy backtests overfits otherwise).
    month_error = np.where(np.isnan(month_error), np.inf, month_error)  # a level with no observed day
    candidate = ~missing & valid[:, None]
    for j, m in enumerate(names):
        if m in INTERMITTENT_ONLY:
            candidate[:, j] &= np.isin(labels, ("intermittent", "lumpy"))
        if m == SEASONAL_METHOD and weekly_level is not None:
            has = np.zeros(n, bool)
            has[weekly_index] = True
            candidate[:, j] &= has
        elif m == SEASONAL_METHOD:
            candidate[:, j] = False
    score = np.where(candidate, month_error, np.inf)
    default_j = np.full(n, names.index(DEFAULT_METHOD))
    best = np.argmin(score, axis=1)
    default_error = score[np.arange(n), default_j]
    switch = score[np.arange(n), best] <= params.switch_margin * default_error
    best = np.where(switch & np.isfinite(score[np.arange(n), best]), best, default_j)
    chosen = np.array(names, dtype=object)[best]
    no_sale = ~(np.nan_to_num(units) > 0).any(axis=1)
    launch = (history_days < params.launch_days) & ~no_sale
    short = ~valid & ~launch & ~no_sale
    chosen = np.where(no_sale, "no demand", np.where(launch, "launch", np.where(short, "moving average", chosen)))
    with_bt = valid & ~launch & ~no_sale
    idx = np.arange(n)
    # The moving average where a SKU's backtest said nothing (the short ones): its column from now on.
    best = np.where(short, names.index("moving average"), best)

    # Second pass, the chosen method only: its daily errors (WAPE, bias, MASE and σ are daily figures).
    day_abs, day_sum, day_sq = np.zeros(n), np.zeros(n), np.zeros(n)
    for o in scored_origins:
        horizon = min(params.backtest_horizon_days, T - o)
        ok = trained[:, o - 1] >= params.launch_days
        actual = np.where(ok[:, None], y_act[:, o:o + horizon], np.nan)
        observed = ~np.isnan(actual)
        f = _chosen_daily(candidates_at(o, horizon), names, best, with_bt) * factors[:, o:o + horizon]
        e = np.where(observed, np.nan_to_num(f) - np.nan_to_num(actual), 0.0)
        day_abs += np.abs(e).sum(axis=1)
        day_sum += e.sum(axis=1)
        day_sq += (e ** 2).sum(axis=1)

    # Accuracy of the chosen method over the backtest's in-stock days and months.
    with np.errstate(invalid="ignore", divide="ignore"):
        pick = lambda a: np.where(with_bt, a[idx, best], np.nan)  # noqa: E731
        wape = np.where(with_bt & (actual_units > 0), day_abs / actual_units, np.nan)
        bias = np.where(with_bt & (actual_units > 0), day_sum / actual_units, np.nan)
        wape_month = np.where(month_act > 0, pick(month_error) / month_act, np.nan)
        naive = accuracy.naive_mae(y_act[:, : origins[0]] if origins else y_act)
        mase = np.where(with_bt & (day_count > 0) & (naive > 0), day_abs / np.maximum(day_count, 1) / naive, np.nan)
        rmse = np.sqrt(day_sq / np.maximum(day_count, 1))
        month_rmse = np.sqrt(pick(month_sq) / np.maximum(month_count, 1))
        sd_demand = np.nanstd(y_act, axis=1)
    mean_so_far = np.nan_to_num(fallback[:, -1])
    sigma = np.where(with_bt & (day_count > 0), rmse,
                     np.where(history_days >= 2, np.nan_to_num(sd_demand), np.sqrt(mean_so_far)))
    sigma = np.where(no_sale, 0.0, sigma)
    # The scale of a month's total error: the SKU's own backtest month errors, else σ·√30.
    month_scale = np.where(with_bt & (month_count > 0) & (month_rmse > 0), month_rmse, sigma * np.sqrt(DAYS_PER_MONTH))
    month_scale = shrink_scale(month_scale, np.where(month_count > 0, month_act / np.maximum(month_count, 1), np.nan),
                               np.where(with_bt, month_count, 0), SCALE_PRIOR_MONTHS)

    # Calibration of L-day sums: standardised errors pooled over SKUs and origins, per lead time.
    calib_rows, achieved_rows = [], []
    u_all = {}
    for L in LEAD_GRID:
        if not sums[L]:
            continue
        f_sum = np.stack([s[0][idx, best] for s in sums[L]])  # origins × n
        a_sum = np.stack([s[1] for s in sums[L]])
        org = np.stack([s[2] for s in sums[L]])
        enough = np.stack([s[3] for s in sums[L]])
        scale = month_scale * np.sqrt(L / DAYS_PER_MONTH)
        with np.errstate(invalid="ignore", divide="ignore"):
            u = np.where(with_bt[None, :] & enough & (scale[None, :] > 0), (a_sum - f_sum) / scale[None, :], np.nan)
        if L in SERVICE_CHECK_DAYS:
            keep_u = np.isfinite(u)
            origin_day = days[0] + org.astype(int)
            u_all[L] = pd.DataFrame({"sku": pd.array(np.broadcast_to(sku_list, u.shape)[keep_u], dtype="str"),
                                     "horizon_days": L, "origin": origin_day[keep_u].astype("datetime64[s]"),
                                     "u": u[keep_u]})
        f_, a_ = calibrate(u.ravel(), org.ravel())
        calib_rows.append(f_)
        achieved_rows.append(a_)
    grid = [L for L in LEAD_GRID if sums[L]]
    calibration = pd.DataFrame({
        "horizon_days": np.repeat(grid, len(SERVICE_GRID)).astype(int),
        "service_level": np.tile(SERVICE_GRID, len(grid)),
        "factor": np.concatenate(calib_rows) if calib_rows else np.array([]),
        "achieved": np.concatenate(achieved_rows) if achieved_rows else np.array([])})

    # The daily forecast from the as-of day.
    final = candidates_at(T, H)
    prof = final.profiles
    mean = _chosen_daily(final, names, best, ~no_sale & ~launch)
    rows = chosen == "launch"
    mean[rows] = mean_so_far[rows, None]
    mean[no_sale] = 0.0
    mean = np.maximum(mean, 0.0)
    future_factor = factors[:, T:]
    mean = mean * future_factor
    spread = sigma[:, None] * future_factor

    # In words: a flat profile makes a "seasonal" level a plain moving average; why it was kept.
    profile_used = prof["profile"] if prof is not None else np.ones((n, 12))
    flat = np.abs(profile_used - 1).max(axis=1) < 1e-9
    shown = chosen.copy()
    for w in params.level_windows[1:]:
        shown = np.where((shown == f"seasonal {w}") & flat, f"moving average {w}", shown)
    reason = _reasons(names, chosen, best, score, default_j, switch, with_bt, no_sale, launch, short,
                      params.switch_margin)
    source = _profile_source(prof, groups, n)
    seasonal_method = np.char.startswith(shown.astype(str), "seasonal")
    source = np.where(seasonal_method | np.char.startswith(source.astype(str), "none"), source,
                      "not used by this method; its profile: " + source.astype(str))
    summary = pd.DataFrame({
        "sku": pd.array(sku_list, dtype="str"), "pattern": labels, "adi": adi, "cv2": cv2, "method": shown,
        "demand_per_day": mean[:, : params.summary_days].mean(axis=1), "sigma_demand": sigma,
        "wape": wape, "bias": bias, "mase": mase, "wape_month": wape_month,
        "backtest_units": np.where(with_bt, actual_units, np.nan),
        "backtest_month_units": np.where(with_bt, month_act, np.nan),
        "history_days": history_days,
        "month_error_scale": np.where(no_sale, 0.0, month_scale),
        "profile_source": source, "method_reason": reason,
        "demand_events": events.demand_events_text(
            np.where(no_sale[:, None], 1.0, future_factor[:, : params.summary_days]), future[: params.summary_days],
            calendar, uplift_sources),
        # Every event of the horizon with its uplift's source (the forecast chart shows it).
        "event_uplift_text": events.demand_events_text(np.where(no_sale[:, None], 1.0, future_factor), future,
                                                       calendar, uplift_sources)})
    daily = pd.DataFrame({
        "sku": pd.array(np.repeat(sku_list, H), dtype="str"),
        "day": np.tile(future, n).astype("datetime64[s]"),
        "mean": mean.ravel(),
        "lo80": np.maximum(mean - Z80 * spread, 0).ravel(), "hi80": (mean + Z80 * spread).ravel(),
        "lo95": np.maximum(mean - Z95 * spread, 0).ravel(), "hi95": (mean + Z95 * spread).ravel()})
    profiles = _profiles_frame(sku_list, prof)
    lead_errors = (pd.concat(u_all.values(), ignore_index=True) if u_all
                   else pd.DataFrame(columns=ERROR_COLUMNS))
    return ForecastResult(summary, daily, as_of, params, profiles, calibration, lead_errors)


def _chosen_daily(cand: Candidates, names: list[str], best: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each SKU's daily forecast by its chosen candidate (``names[best]``), 0 outside ``rows``; a
    yearly candidate without a season (under 12 whole months) is its plain twin."""
    out = np.zeros((len(best), cand.horizon))
    for j in np.unique(best[rows]):
        name = names[j]
        mask = rows & (best == j)
        if name not in cand.flat and name not in cand.seasonal and name not in cand.full:
            name = NON_SEASONAL_TWIN.get(name, "moving average")
        out[mask] = np.nan_to_num(cand.daily(name, mask))
    return out


def _reasons(names, chosen, best, score, default_j, switch, with_bt, no_sale, launch, short,
             margin: float) -> np.ndarray:
    """Why each SKU's method was kept, in words (the backtest's month-total errors; ``margin``: the
    share of the default's error another method must reach to switch)."""
    needed = f"{margin:.0%}"
    out = np.empty(len(chosen), dtype=object)
    for i in range(len(chosen)):
        if no_sale[i]:
            out[i] = "no sale in the history"
        elif launch[i]:
            out[i] = "too new to backtest: the mean of its days so far"
        elif short[i]:
            out[i] = "not enough history before the backtest's first origin: the 28-day moving average"
        elif not with_bt[i]:
            out[i] = "no backtest"
        elif switch[i] and best[i] != default_j[i]:
            ratio = score[i, best[i]] / score[i, default_j[i]] if score[i, default_j[i]] > 0 else 0.0
            out[i] = (f"its backtest error on monthly totals was {ratio:.0%} of the default's "
                      f"({names[default_j[i]]}), under the {needed} needed to switch")
        else:
            rival = np.argsort(np.where(np.arange(len(names)) == default_j[i], np.inf, score[i]))[0]
            if np.isfinite(score[i, rival]) and score[i, default_j[i]] > 0:
                out[i] = (f"the default; the best other method ({names[rival]}) had "
                          f"{score[i, rival] / score[i, default_j[i]]:.0%} of its backtest error on monthly "
                          f"totals, not under the {needed} needed to switch")
            else:
                out[i] = "the default"
    return out


def _profile_source(prof: dict | None, groups, n: int) -> np.ndarray:
    """Which yearly profile each SKU's forecast uses, in words."""
    if prof is None:
        return np.full(n, "none: under 12 months of history", dtype=object)
    own_ok = ~np.isnan(prof["own"]).any(axis=1)
    weight, pooled = prof["weight"], prof["pooled"]
    labels = np.asarray(groups, dtype=object) if groups is not None else np.full(n, "", dtype=object)
    out = np.empty(n, dtype=object)
    for i in range(n):
        group = f"group {events.group_label(str(labels[i]))}" if pooled[i] else ""
        if not own_ok[i]:
            out[i] = f"pooled: {group} (under 12 months of its own)" if pooled[i] else "none: under 12 months of history"
        elif weight[i] <= 0:
            out[i] = f"pooled: {group} (its own too noisy)" if pooled[i] else "none: its own too noisy (shrunk to flat)"
        else:
            towards = group if pooled[i] else "flat"
            out[i] = f"own, {weight[i]:.0%} kept (shrunk towards {towards})"
    return out


def _profiles_frame(sku_list, prof: dict | None) -> pd.DataFrame:
    """The yearly profile of every SKU, long: sku, month (1-12), profile used, own, target."""
    n = len(sku_list)
    if prof is None:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    return pd.DataFrame({
        "sku": pd.array(np.repeat(sku_list, 12), dtype="str"), "month": np.tile(np.arange(1, 13), n),
        "profile": prof["profile"].ravel(), "own": prof["own"].ravel(), "target": prof["target"].ravel()})


# The reports the history reads (core.forecast.sales_history): an import into any other (costs, returns,
# fees) leaves a stored forecast valid.
FORECAST_TABLES = ("orders", "shipments", "ledger_detail", "inventory_planning", "manage_inventory", "fee_preview")
_CACHE: OrderedDict = OrderedDict()
CACHE_SIZE = 8


def forecast_table(db_path: Path, as_of: dt.date | None = None,
                   params: ForecastParams | None = None, days: int | None = None) -> ForecastResult:
    """History from the database as matrices (``history_arrays``: no long frame), then the fit.

    ``params`` default: those saved on the Settings page (``settings.load_forecast``).

    Cached in this process by database path, data version of ``FORECAST_TABLES`` (an import into or a
    removal from one of those changes it), as-of date and parameters; and kept in the database itself
    (``core.stored``), so that the next process reads it instead of fitting again."""
    if params is None:
        params = settings.load_forecast(db_path)
    as_of = as_of or skus.as_of_date(db_path)  # the latest snapshot, else the last order day
    if as_of is None:
        return _empty(None, params)
    version = db.data_version(db_path, FORECAST_TABLES)
    key = (str(Path(db_path).resolve()), version, as_of, params, days)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    stored_key = stored.run_key("forecast", tuple(version), as_of.isoformat(), params, days)
    kept = stored.load(db_path, "forecast", stored_key,
                       ("summary", "daily", "profiles", "calibration", "lead_errors"))
    if kept is not None:
        daily = kept["daily"].assign(day=kept["daily"]["day"].astype("datetime64[s]"))
        result = ForecastResult(kept["summary"], daily, as_of, params, kept["profiles"], kept["calibration"],
                                kept["lead_errors"])
    else:
        result = forecast_arrays(history_arrays(db_path, as_of, days), as_of, params)
        if not result.summary.empty:
            stored.save(db_path, "forecast", stored_key, as_of,
                        {"summary": result.summary, "daily": result.daily, "profiles": result.profiles,
                         "calibration": result.calibration, "lead_errors": result.lead_errors})
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result
