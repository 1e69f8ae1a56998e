"""Forecast accuracy per SKU over a backtest: WAPE, bias and MASE, days with no actual skipped.

Errors are ``forecast − actual`` (a positive bias over-forecasts). Each takes 2-D arrays (SKUs ×
backtest days, every origin's days side by side); ``NaN`` actuals (out of stock) are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


def pooled(per_sku, backtest_units) -> float:
    """An account figure from per-SKU WAPE or bias: ``Σ (value × actual units) ÷ Σ actual units``.

    WAPE and bias share the denominator Σ actual, so weighting each SKU's value by its backtest
    units gives exactly the WAPE (or bias) of all SKUs' errors pooled: Σ|e| ÷ Σ actual. SKUs without
    a value or units are left out; NaN when none is left.

    Examples
    --------
    WAPE 0.2 on 30 units and 0.4 on 10: (6 + 4) / 40 = 0.25.

    >>> pooled([0.2, 0.4, np.nan], [30, 10, 5])
    0.25
    """
    value, weight = np.asarray(per_sku, dtype=float), np.asarray(backtest_units, dtype=float)
    keep = ~np.isnan(value) & ~np.isnan(weight) & (weight > 0)
    total = weight[keep].sum()
    return float((value[keep] * weight[keep]).sum() / total) if total > 0 else float("nan")


def method_mix(summary: pd.DataFrame) -> pd.DataFrame:
    """SKUs per demand pattern (rows) and chosen method (columns), with a Total column, from the
    forecast summary (columns pattern, method).

    Examples
    --------
    >>> s = pd.DataFrame({"pattern": ["smooth", "smooth", "lumpy"], "method": ["ses", "ses", "tsb"]})
    >>> method_mix(s).loc["smooth", "ses"], method_mix(s).loc["lumpy", "Total"]
    (np.int64(2), np.int64(1))
    """
    table = pd.crosstab(summary["pattern"], summary["method"])
    return table.assign(Total=table.sum(axis=1))


def achieved_service(lead_errors: pd.DataFrame, targets: pd.Series) -> pd.DataFrame:
    """The service level the calibrated reorder point achieved in the backtest, per target group.

    ``lead_errors``: the forecast's standardised errors u of L-day sums (sku, horizon_days, origin, u;
    ``ForecastResult.lead_errors``). ``targets``: one row per SKU with columns sku, group (the ABC
    class, say) and target (its service level). For every group
    and lead time, each origin's SKUs of the group are checked against the factor (the target's
    quantile of u) estimated from every SKU's errors at the *other* origins (leave-one-origin-out, as
    ``engine.calibrate``): achieved = share of SKU-origins with u ≤ that factor. Returns columns
    group, target, horizon_days, achieved, sku_origins.

    Examples
    --------
    u = 0..99 at four origins; group A holds every SKU at target 0.5: about half are covered.

    >>> e = pd.DataFrame({"sku": [f"S{i % 25}" for i in range(100)], "horizon_days": 30,
    ...                   "origin": np.arange(100) // 25, "u": np.arange(100.0)})
    >>> t = pd.DataFrame({"sku": [f"S{i}" for i in range(25)], "group": "A", "target": 0.5})
    >>> achieved_service(e, t)[["group", "horizon_days", "sku_origins"]].values.tolist()
    [['A', 30, 100]]
    """
    out = []
    if lead_errors is None or lead_errors.empty or targets.empty:
        return pd.DataFrame(columns=["group", "target", "horizon_days", "achieved", "sku_origins"])
    errors = lead_errors.merge(targets[["sku", "group", "target"]], on="sku", how="inner")
    for lead, at_lead in lead_errors.groupby("horizon_days"):
        u_all, origin_all = at_lead["u"].to_numpy(float), at_lead["origin"].to_numpy()
        for (group, target), rows in errors[errors["horizon_days"] == lead].groupby(["group", "target"]):
            hits = total = 0
            for origin, part in rows.groupby("origin"):
                others = u_all[origin_all != origin]
                if len(others) < 15:
                    continue
                factor = np.quantile(others, target)
                hits += int((part["u"].to_numpy(float) <= factor).sum())
                total += len(part)
            out.append({"group": group, "target": float(target), "horizon_days": int(lead),
                        "achieved": hits / total if total else np.nan, "sku_origins": total})
    return pd.DataFrame(out, columns=["group", "target", "horizon_days", "achieved", "sku_origins"])
