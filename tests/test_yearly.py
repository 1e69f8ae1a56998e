"""Yearly seasonality, longer memory and calibrated lead-time demand (issue 15), on hand-worked cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.forecast import ForecastParams, engine, forecast_all, yearly

NO_EVENTS = ForecastParams(prime_days=(), bfcm_uplift=1.0)
AS_OF = dt.date(2026, 5, 31)
# Demand in each calendar month (January first) relative to the year's mean: a summer peak.
PROFILE = np.array([0.5, 0.6, 0.8, 1.0, 1.0, 1.2, 1.5, 1.4, 1.1, 1.0, 0.9, 1.0])
PROFILE = PROFILE / PROFILE.mean()


def seasonal_frame(sku: str, base: float, days: int, seed: int, profile=PROFILE, as_of=AS_OF) -> pd.DataFrame:
    """``days`` of Poisson demand ending at ``as_of``: ``base`` a day times the month's profile."""
    day = pd.date_range(end=pd.Timestamp(as_of), periods=days, freq="D")
    rate = base * profile[day.month - 1]
    units = np.random.default_rng(seed).poisson(rate).astype(float)
    return pd.DataFrame({"sku": sku, "day": day, "units": units, "in_stock": True})


def monthly_means(result, sku: str) -> pd.Series:
    daily = result.daily[result.daily["sku"] == sku]
    return daily.groupby(daily["day"].dt.month)["mean"].mean()


def test_a_known_yearly_profile_is_found_and_forecast():
    """Three years at 20 a day times PROFILE: the profile used is within 0.1 of the truth every month,
    the summary says it is the SKU's own, and each of the next six months is forecast within 12% of
    20 × PROFILE (the July peak at 1.5 × the year's mean, not a flat line)."""
    result = forecast_all(seasonal_frame("SUMMER", 20, 3 * 365, seed=1), AS_OF, NO_EVENTS)
    used = result.profiles.set_index("month")["profile"]
    assert np.abs(used.to_numpy() - PROFILE).max() < 0.1
    s = result.summary.iloc[0]
    assert s["profile_source"].startswith("own")
    assert s["method"].startswith("seasonal")
    months = monthly_means(result, "SUMMER")
    for month in (6, 7, 8, 9, 10, 11):
        assert months[month] == pytest.approx(20 * PROFILE[month - 1], rel=0.12)
    assert months[7] > 1.3 * months[11]


def test_under_twelve_months_uses_no_yearly_profile_of_its_own():
    """Ten months of the same seasonal demand: no profile of its own (and no group to borrow from),
    so every future month is forecast at the same level (June to October: no event days)."""
    result = forecast_all(seasonal_frame("YOUNG", 20, 300, seed=2), AS_OF, NO_EVENTS)
    s = result.summary.iloc[0]
    assert s["profile_source"] == "none: under 12 months of history"
    assert not s["method"].startswith("seasonal")
    months = monthly_means(result, "YOUNG")[[6, 7, 8, 9, 10]]
    assert months.max() == pytest.approx(months.min(), rel=1e-9)


def test_shrinkage_hand_worked():
    """Own profile 0.5 (Jan-Jun) / 1.5 (Jul-Dec), distance² to flat 0.25; noise 0.125 over 2 years a
    month: w = 1 − 0.0625 / 0.25 = 0.75, so January = 1 − 0.75 × 0.5 = 0.625."""
    own = np.array([[0.5] * 6 + [1.5] * 6])
    shrunk, w = yearly.shrink(own, np.full((1, 12), 2.0), np.array([0.125]), np.ones((1, 12)))
    assert w[0] == pytest.approx(0.75)
    assert shrunk[0, 0] == pytest.approx(0.625) and shrunk[0, 11] == pytest.approx(1.375)


def test_a_pooled_profile_is_shrunk_by_the_amount_of_history():
    """Three SKUs of one group share the 0.5/1.5 profile with irregular variance 0.3 each. The pooled
    profile's noise is 0.3 ÷ 3 SKUs ÷ the years behind each month: with one year, w = 1 − 0.1/0.25 =
    0.6 (January 0.7); with two, w = 1 − 0.05/0.25 = 0.8 (January 0.6). A fourth SKU of the group with
    under 12 months takes the pooled profile as its own."""
    own = np.array([[0.5] * 6 + [1.5] * 6] * 3 + [[np.nan] * 12])
    groups = np.array(["Garden"] * 4, dtype=object)
    noise = np.array([0.3, 0.3, 0.3, np.nan])
    for years, january in ((1.0, 0.7), (2.0, 0.6)):
        y = np.where(np.isnan(own), 0.0, years)
        target, pooled = yearly.pooled_targets(own, y, noise, groups)
        assert pooled.all()
        assert target[:, 0] == pytest.approx([january] * 4)
    # Through the whole estimate: a short SKU of a seasonal group borrows its shape, shrunk.
    months = yearly.months_of(np.arange(np.datetime64("2024-01-01"), np.datetime64("2026-01-01")))
    rate = np.tile(np.r_[np.full(6, 5.0), np.full(6, 15.0)], 2)
    rates = np.vstack([rate * (1 + 0.2 * k) for k in range(3)] + [np.r_[np.full(18, np.nan), rate[18:]]])
    out = yearly.profiles(rates, months.moy, groups)
    assert np.isnan(out["own"][3]).all() and out["pooled"][3]
    assert out["profile"][3, 0] == pytest.approx(out["target"][0, 0]) and out["profile"][3, 0] < 0.75


def test_profiles_of_a_group_stay_apart_from_other_groups():
    """Pooling is within a product group only: a flat SKU of another group keeps a flat target."""
    own = np.array([[0.5] * 6 + [1.5] * 6] * 3 + [[1.0] * 12])
    groups = np.array(["Garden"] * 3 + ["Kitchen"], dtype=object)
    target, pooled = yearly.pooled_targets(own, np.full((4, 12), 2.0), np.full(4, 0.01), groups)
    assert pooled.tolist() == [True, True, True, False]
    assert target[3].tolist() == [1.0] * 12


def test_monthly_rates_skip_out_of_stock_days():
    days = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-03-01"))
    y = np.r_[np.full(31, 2.0), np.full(28, 4.0)]
    y[:27] = np.nan  # January: only 4 observed days, under MIN_MONTH_DAYS
    rate, count = yearly.monthly_rates(y[None, :], yearly.months_of(days))
    assert np.isnan(rate[0, 0]) and count[0].tolist() == [4, 28] and rate[0, 1] == 4.0


def test_damped_trend_sum_hand_worked():
    """Slope 2 a day, φ = 0.9: after 3 days 2 × (0.9 + 0.81 + 0.729) = 4.878."""
    assert engine.damped_trend_sum(np.array([2.0]), 0.9, np.array([3]))[0, 0] == pytest.approx(4.878)


def test_a_longer_window_wins_on_a_noisy_steady_seller():
    """Poisson demand at 3 a day for two years, no season: the 28-day mean chases noise; a longer
    window (91 days or more) wins the monthly-total backtest, and the forecast is within 10% of 3."""
    result = forecast_all(seasonal_frame("STEADY", 3, 730, seed=4, profile=np.ones(12)), AS_OF, NO_EVENTS)
    s = result.summary.iloc[0]
    assert s["method"] != "moving average" and s["method"] != "ses"
    assert s["demand_per_day"] == pytest.approx(3, rel=0.1)
    assert "default" in s["method_reason"] or "switch" in s["method_reason"]


def test_safety_stock_hand_worked_and_the_interval_of_a_sum_widens_with_the_horizon():
    """Factor 1.5 at every horizon and level, a month's error scale of 10 units: SS = 1.5 × 10 ×
    √(L ÷ 30.4375): 15 at one month, 30 at four; without a calibration, the normal z·σ·√L
    (z(0.95) = 1.6449, σ = 2, L = 25: 16.45)."""
    summary = pd.DataFrame({"sku": ["A"], "sigma_demand": [2.0], "month_error_scale": [10.0]})
    calibration = pd.DataFrame({"horizon_days": np.repeat([7, 30, 90, 180], 2), "service_level": [0.9, 0.99] * 4,
                                "factor": 1.5, "achieved": 0.95})
    m = engine.DAYS_PER_MONTH
    assert engine.safety_stock(summary, calibration, m, 0.95)[0] == pytest.approx(15)
    assert engine.safety_stock(summary, calibration, 4 * m, 0.95)[0] == pytest.approx(30)
    normal = engine.safety_stock(summary, calibration.iloc[0:0], 25, 0.95)[0]
    assert normal == pytest.approx(1.644854 * 2 * 5, rel=1e-5)  # z(0.95) one-sided
    # On a real fit: the safety stock and the spread of the sum grow with the lead time.
    frames = pd.concat([seasonal_frame(f"S{k}", 2 + k, 730, seed=10 + k, profile=np.ones(12)) for k in range(12)])
    result = forecast_all(frames, AS_OF, NO_EVENTS)
    ss = [result.reorder_point(lead, 0.95)["safety_stock"].to_numpy() for lead in (7, 30, 90)]
    assert (ss[0] < ss[1]).all() and (ss[1] < ss[2]).all()


def test_the_calibrated_reorder_point_achieves_its_service_level_in_the_backtest():
    """Forty Poisson sellers (1 to 40 a day, two years, a mild season): in the leave-one-origin-out
    backtest the actual L-day demand stays at or below the 95% reorder point in 95% ± 3 points of
    SKU-origins for L = 30, 60 and 90."""
    frames = pd.concat([seasonal_frame(f"P{k:02d}", 1 + k, 730, seed=100 + k, profile=0.7 + 0.3 * PROFILE)
                        for k in range(40)])
    result = forecast_all(frames, AS_OF, NO_EVENTS)
    c = result.calibration
    for lead in (30, 60, 90):
        row = c[(c["horizon_days"] == lead) & np.isclose(c["service_level"], 0.95)]
        assert abs(float(row["achieved"].iloc[0]) - 0.95) <= 0.03


def test_lead_time_demand_sums_the_season_ahead():
    """The reorder point's demand is the forecast summed over the lead time, not 28 days' mean × L:
    for the summer seller as of 31 May, 90 days ahead hold June-August (≈ 1.2, 1.5, 1.4 × the mean)."""
    result = forecast_all(seasonal_frame("SUMMER", 20, 3 * 365, seed=1), AS_OF, NO_EVENTS)
    daily = result.daily["mean"].to_numpy()
    assert result.lead_time_demand(90)["SUMMER"] == pytest.approx(daily[:90].sum())
    assert result.lead_time_demand(90)["SUMMER"] > 1.1 * 90 * daily[:28].mean() * 0.9
    assert result.lead_time_demand(10.5)["SUMMER"] == pytest.approx(daily[:10].sum() + 0.5 * daily[10])


def test_service_levels_above_the_calibrated_table_keep_rising():
    """The table stops at 99.5%; 99.8% and 99.9% (the what-if slider's top) scale its factor by the normal
    quantile: z(0.999) ÷ z(0.995) = 3.0902 ÷ 2.5758 = 1.1997."""
    summary = pd.DataFrame({"sku": ["A"], "sigma_demand": [2.0], "month_error_scale": [10.0]})
    calibration = pd.DataFrame({"horizon_days": [30, 30, 90, 90], "service_level": [0.9, 0.995] * 2,
                                "factor": [1.3, 2.5, 1.3, 2.5], "achieved": 0.95})
    m = engine.DAYS_PER_MONTH
    at = {s: engine.safety_stock(summary, calibration, m, s)[0] for s in (0.995, 0.998, 0.999)}
    assert at[0.995] == pytest.approx(25)
    assert at[0.999] == pytest.approx(25 * 3.090232 / 2.575829, rel=1e-5)
    assert at[0.995] < at[0.998] < at[0.999]
