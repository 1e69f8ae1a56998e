"""Backtest, method choice, intervals and the daily forecast of every SKU at once.

How a SKU is forecast (details in docs/metrics.md, "Demand forecast"):

1. Its history starts at its first sale; out-of-stock days and past event days are missing, not zero.
2. Fewer than ``launch_days`` in-stock days: the launch default, the mean so far. No sale at all: 0.
3. Otherwise a rolling-origin backtest: origins at as-of − k·h (k = 1..``backtest_origins``), each
   forecasting the next h = ``backtest_horizon_days`` days from what was known before it (an origin
   needs ``launch_days`` in-stock days before it). Candidates by demand pattern: smooth and erratic,
   the moving average and SES (and weekly Holt-Winters where the week matters, below); intermittent
   and lumpy, the moving average, Croston, SBA and TSB. The lowest backtest absolute error (equivalent
   to the lowest WAPE, the denominator being the SKU's own) wins; ties go to the simpler method.
   Without a usable origin: the moving average.
4. Weekly seasonality: smooth or erratic SKUs with ``seasonal_min_days`` of history whose weekday
   effect passes an F test (the strongest ``seasonal_max_fits`` of them) get one statsmodels
   ``ExponentialSmoothing`` fit (additive season, period 7) on the whole history; its smoothing
   constants and initial states are then filtered for all of them at once (``holt_winters_weekly``)
   to forecast from every origin. The parameters see the whole history (a mild look-ahead in the
   backtest, documented). Yearly seasonality is not modelled: it needs two years of history and the
   events below carry the big yearly peaks.
5. Events multiply the forecast on event days by the SKU's own uplift (``events.estimate_uplift``)
   or the event's default; the backtest applies the same factors.
6. Intervals: normal, mean ± z·σ, σ = root-mean-square of the SKU's daily backtest errors (pooled
   over origins and the 28 horizons, so it holds the growth of error within a month; not widened
   further with the horizon), scaled by the event uplift on event days, clipped at 0. Without a
   backtest, σ = the standard deviation of its in-stock daily demand (√mean with under 2 days).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from core import db, skus, stored
from core.forecast import accuracy, events, methods, pattern
from core.forecast.sales_history import SalesHistory, history_arrays
from core.forecast.params import ForecastParams

SIMPLE_METHODS = ("moving average", "ses", "croston", "sba", "tsb")  # simplest first: ties go left
SEASONAL_METHOD = "holt-winters weekly"
CANDIDATES = {"smooth": ("moving average", "ses"), "erratic": ("moving average", "ses"),
              "intermittent": ("moving average", "croston", "sba", "tsb"),
              "lumpy": ("moving average", "croston", "sba", "tsb")}
SUMMARY_COLUMNS = ["sku", "pattern", "adi", "cv2", "method", "demand_per_day", "sigma_demand", "wape", "bias",
                   "mase", "backtest_units", "history_days", "demand_events"]
DAILY_COLUMNS = ["sku", "day", "mean", "lo80", "hi80", "lo95", "hi95"]
Z80, Z95 = stats.norm.ppf(0.9), stats.norm.ppf(0.975)


@dataclass(frozen=True)
class ForecastResult:
    """Per-SKU summary (method, demand, accuracy) and the daily forecast with its intervals."""

    summary: pd.DataFrame
    daily: pd.DataFrame
    as_of: dt.date | None
    params: ForecastParams


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


def forecast_all(history_df: pd.DataFrame, as_of: dt.date | None = None,
                 params: ForecastParams = ForecastParams()) -> ForecastResult:
    """Classify, backtest and forecast every SKU of ``history_df`` (columns sku, day, units, in_stock):
    ``forecast_arrays`` of its matrices (``to_matrix``).

    See the module docstring for the rules. ``as_of`` defaults to the last day of the history.
    """
    if history_df.empty:
        return _empty(as_of, params)
    if as_of is None:
        as_of = pd.Timestamp(history_df["day"].max()).date()
    sku_list, days, units, in_stock = to_matrix(history_df, as_of)
    return forecast_arrays(SalesHistory(sku_list, days, units, in_stock), as_of, params)


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
    n, T = units.shape
    H, h, K = params.horizon_days, params.backtest_horizon_days, params.backtest_origins
    future = np.arange(days[-1] + 1, days[-1] + 1 + H)

    y_act = demand_series(units, in_stock)
    calendar = events.event_calendar(params, days[0].item(), future[-1].item())
    factors, past_event = events.uplift_factors(y_act, days, np.concatenate([days, future]), calendar,
                                                params.event_baseline_days)
    y_fit = np.where(past_event[None, :], np.nan, y_act)
    observed_fit = ~np.isnan(y_fit)
    history_days = (~np.isnan(y_act)).sum(axis=1)
    adi, cv2 = pattern.adi(y_act), pattern.cv2(y_act)
    labels = pattern.classify_pattern(adi, cv2, params.adi_cutoff, params.cv2_cutoff)

    # One pass per method gives the flat forecast after every day.
    croston_path = methods.croston(y_fit, params.croston_alpha)
    fallback = methods.expanding_mean(y_fit)
    paths = {"moving average": methods.moving_average(y_fit, params.ma_days),
             "ses": methods.ses(y_fit, params.ses_alpha),
             "croston": croston_path,
             "sba": croston_path * (1 - params.croston_alpha / 2),
             "tsb": methods.tsb(y_fit, params.tsb_alpha, params.tsb_beta)}

    # Rolling origins: test days o..o+h-1, trained on days before o.
    origins = [T - k * h for k in range(K, 0, -1) if T - k * h >= 1]
    trained = np.cumsum(observed_fit, axis=1)
    actual_blocks, valid = [], np.zeros(n, bool)
    for o in origins:
        block = y_act[:, o:o + h].copy()
        ok = trained[:, o - 1] >= params.launch_days
        block[~ok] = np.nan
        valid |= ok & (~np.isnan(block)).any(axis=1)
        actual_blocks.append(block)
    actual = np.concatenate(actual_blocks, axis=1) if origins else np.empty((n, 0))
    factor_bt = np.concatenate([factors[:, o:o + h] for o in origins], axis=1) if origins else np.empty((n, 0))

    def backtest(flat_at) -> np.ndarray:
        return np.concatenate([flat_at(o) for o in origins], axis=1) * factor_bt if origins else np.empty((n, 0))

    names = list(SIMPLE_METHODS)
    bt = {m: backtest(lambda o, m=m: np.repeat(_flat_at(paths[m], fallback[:, o - 1], o - 1)[:, None], h, 1))
          for m in names}
    candidate = np.zeros((n, len(names) + 1), bool)
    for j, m in enumerate(names):
        candidate[:, j] = np.array([m in CANDIDATES.get(lab, ()) for lab in labels]) if n else False

    # Weekly seasonal model for the few SKUs that earn a fit.
    weekly_index = _weekly_candidates(y_fit, days, labels, history_days, params) if origins else np.array([], int)
    weekly_index = weekly_index[valid[weekly_index]]
    bt[SEASONAL_METHOD] = np.full_like(actual, np.nan)
    weekly_level = weekly_season = None
    if len(weekly_index):
        weekly_level, weekly_season, start = _weekly_paths(y_fit, weekly_index, T)
        blocks = [_weekly_at(weekly_level, weekly_season, o - 1, h) for o in origins]
        fitted = np.concatenate(blocks, axis=1) * factor_bt[weekly_index]
        bt[SEASONAL_METHOD][weekly_index] = fitted
        usable = np.all([~np.isnan(weekly_level[:, o - 1]) | np.isnan(actual_blocks[i][weekly_index]).all(axis=1)
                         for i, o in enumerate(origins)], axis=0)
        candidate[weekly_index, -1] = usable
    names.append(SEASONAL_METHOD)

    keep = ~np.isnan(actual)
    abs_error = np.stack([np.where(keep, np.abs(np.nan_to_num(bt[m]) - np.nan_to_num(actual)), 0).sum(axis=1)
                          for m in names], axis=1)
    scale = np.maximum(abs_error.max(axis=1, keepdims=True), 1e-12)
    score = np.where(candidate, np.round(abs_error / scale, 9), np.inf)  # ties (to 1e-9) go to the simpler
    best = np.argmin(score, axis=1)
    chosen = np.array(names, dtype=object)[best]
    no_sale = ~(np.nan_to_num(units) > 0).any(axis=1)
    launch = (history_days < params.launch_days) & ~no_sale
    short = ~valid & ~launch & ~no_sale
    chosen = np.where(no_sale, "no demand", np.where(launch, "launch", np.where(short, "moving average", chosen)))
    with_bt = valid & ~launch & ~no_sale

    # Accuracy of the chosen method.
    chosen_bt = np.take_along_axis(np.stack([bt[m] for m in names], axis=1), best[:, None, None], axis=1)[:, 0]
    chosen_bt = np.where(with_bt[:, None], chosen_bt, np.nan)
    mase_scale = accuracy.naive_mae(y_act[:, : origins[-1]] if origins else y_act)
    wape, bias = accuracy.wape(chosen_bt, actual), accuracy.bias(chosen_bt, actual)
    mase = accuracy.mase(chosen_bt, actual, mase_scale)
    error = np.where(keep & with_bt[:, None], np.nan_to_num(chosen_bt) - np.nan_to_num(actual), np.nan)
    n_err = (~np.isnan(error)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rmse = np.sqrt(np.nansum(error ** 2, axis=1) / np.maximum(n_err, 1))
        sd_demand = np.nanstd(y_act, axis=1)
    mean_so_far = np.nan_to_num(fallback[:, -1])
    sigma = np.where(with_bt & (n_err > 0), rmse,
                     np.where(history_days >= 2, np.nan_to_num(sd_demand), np.sqrt(mean_so_far)))
    sigma = np.where(no_sale, 0.0, sigma)

    # The daily forecast.
    mean = np.empty((n, H))
    for j, m in enumerate(SIMPLE_METHODS):
        rows = chosen == m
        if rows.any():
            mean[rows] = _flat_at(paths[m][rows], fallback[rows, -1], T - 1)[:, None]
    rows = chosen == "launch"
    mean[rows] = mean_so_far[rows, None]
    mean[no_sale] = 0.0
    if weekly_level is not None:
        rows = chosen[weekly_index] == SEASONAL_METHOD
        mean[weekly_index[rows]] = _weekly_at(weekly_level[rows], weekly_season[rows], T - 1, H)
    future_factor = factors[:, T:]
    mean = mean * future_factor
    spread = sigma[:, None] * future_factor
    summary = pd.DataFrame({
        "sku": pd.array(sku_list, dtype="str"), "pattern": labels, "adi": adi, "cv2": cv2, "method": chosen,
        "demand_per_day": mean[:, : params.summary_days].mean(axis=1), "sigma_demand": sigma,
        "wape": wape, "bias": bias, "mase": mase,
        "backtest_units": np.where(with_bt, np.nansum(np.where(keep, actual, 0.0), axis=1), np.nan),
        "history_days": history_days,
        # The events inside demand_per_day's days, in words (the restock reason names them).
        "demand_events": events.demand_events_text(
            np.where(no_sale[:, None], 1.0, future_factor[:, : params.summary_days]), future[: params.summary_days],
            calendar)})
    daily = pd.DataFrame({
        "sku": pd.array(np.repeat(sku_list, H), dtype="str"),
        "day": np.tile(future, n).astype("datetime64[s]"),
        "mean": mean.ravel(),
        "lo80": np.maximum(mean - Z80 * spread, 0).ravel(), "hi80": (mean + Z80 * spread).ravel(),
        "lo95": np.maximum(mean - Z95 * spread, 0).ravel(), "hi95": (mean + Z95 * spread).ravel()})
    return ForecastResult(summary, daily, as_of, params)


# The reports the history reads (core.forecast.sales_history): an import into any other (costs, returns,
# fees) leaves a stored forecast valid.
FORECAST_TABLES = ("orders", "shipments", "ledger_detail", "inventory_planning", "manage_inventory")
_CACHE: OrderedDict = OrderedDict()
CACHE_SIZE = 8


def forecast_table(db_path: Path, as_of: dt.date | None = None,
                   params: ForecastParams = ForecastParams(), days: int = 730) -> ForecastResult:
    """History from the database as matrices (``history_arrays``: no long frame), then the fit.

    Cached in this process by database path, data version of ``FORECAST_TABLES`` (an import into or a
    removal from one of those changes it), as-of date and parameters; and kept in the database itself
    (``core.stored``), so that the next process reads it instead of fitting again."""
    as_of = as_of or skus.as_of_date(db_path)  # the latest snapshot, else the last order day
    if as_of is None:
        return _empty(None, params)
    version = db.data_version(db_path, FORECAST_TABLES)
    key = (str(Path(db_path).resolve()), version, as_of, params, days)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    stored_key = stored.run_key("forecast", tuple(version), as_of.isoformat(), params, days)
    kept = stored.load(db_path, "forecast", stored_key, ("summary", "daily"))
    if kept is not None:
        daily = kept["daily"].assign(day=kept["daily"]["day"].astype("datetime64[s]"))
        result = ForecastResult(kept["summary"], daily, as_of, params)
    else:
        result = forecast_arrays(history_arrays(db_path, as_of, days), as_of, params)
        if not result.summary.empty:
            stored.save(db_path, "forecast", stored_key, as_of,
                        {"summary": result.summary, "daily": result.daily})
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result
