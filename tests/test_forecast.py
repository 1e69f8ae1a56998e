"""Demand forecasting: methods against hand-worked numbers, the backtest, events, intervals, history."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import db, ingest, sample, skus
from core.forecast import Event, ForecastParams, engine, forecast_all, forecast_table, history, history_arrays
from core.forecast import accuracy, events, methods, pattern
from core.forecast.sales_history import SalesHistory
from tests.reportfiles import header, ledger_row, order_row, write_report

AS_OF = dt.date(2026, 5, 30)  # a Saturday, well away from Prime Day and BFCM
NO_EVENTS = ForecastParams(prime_days=(), bfcm_uplift=1.0)


def frame(series: dict[str, list[float]], in_stock: dict[str, list[bool]] | None = None,
          as_of: dt.date = AS_OF) -> pd.DataFrame:
    """A dense history frame ending at ``as_of`` from per-SKU daily units."""
    rows = []
    for sku, units in series.items():
        days = pd.date_range(end=pd.Timestamp(as_of), periods=len(units), freq="D")
        stock = (in_stock or {}).get(sku, [True] * len(units))
        rows.append(pd.DataFrame({"sku": sku, "day": days, "units": np.asarray(units, float), "in_stock": stock}))
    return pd.concat(rows, ignore_index=True)


# --- methods: hand-worked examples ------------------------------------------------------------------

def test_ses_hand_worked():
    """α = 0.3 on [10, 12, NaN, 9]: l1 = 10; l2 = 0.3·12 + 0.7·10 = 10.6; day 3 out of stock: 10.6;
    l4 = 0.3·9 + 0.7·10.6 = 10.12."""
    assert methods.ses([[10, 12, np.nan, 9]], 0.3)[0].tolist() == pytest.approx([10, 10.6, 10.6, 10.12])


def test_croston_and_sba_hand_worked():
    """Croston on [0, 0, 3, 0, 0, 0, 6], α = 0.1 (Syntetos & Boylan 2005 notation):
    days 1-2 no demand yet: no forecast. Day 3: first demand, z = 3, p = 3 (its interval) -> 1.0.
    Days 4-6: no demand, z and p unchanged, q counts 1, 2, 3 -> forecast stays 1.0.
    Day 7: demand 6 after q = 4 days: z = 0.1·6 + 0.9·3 = 3.3, p = 0.1·4 + 0.9·3 = 3.1 -> 1.064516.
    SBA multiplies by 1 − α/2 = 0.95: 0.95, then 1.011290."""
    y = [[0, 0, 3, 0, 0, 0, 6]]
    c = methods.croston(y, 0.1)[0]
    assert np.isnan(c[:2]).all()
    assert c[2:].tolist() == pytest.approx([1, 1, 1, 1, 3.3 / 3.1])
    assert methods.sba(y, 0.1)[0, -1] == pytest.approx(0.95 * 3.3 / 3.1)


def test_croston_skips_out_of_stock_days():
    """A stock-out between demands does not lengthen the interval: [0, 3, NaN, NaN, 0, 3] with α = 0.5:
    first demand on observed day 2 (z = 3, p = 2), next after q = 2 observed days: p = 0.5·2 + 0.5·2 = 2."""
    assert methods.croston([[0, 3, np.nan, np.nan, 0, 3]], 0.5)[0, -1] == pytest.approx(1.5)


def test_tsb_hand_worked():
    """TSB (Teunter, Syntetos & Babai 2011) on [0, 0, 3, 0, 0, 0, 6], α = β = 0.1:
    day 3: z = 3, p = 1/3 -> 1.0. Day 4: p = 1/3 + 0.1·(0 − 1/3) = 0.3 -> 0.9; day 5: 0.27 -> 0.81;
    day 6: 0.243 -> 0.729. Day 7: p = 0.243 + 0.1·(1 − 0.243) = 0.3187, z = 3 + 0.1·(6 − 3) = 3.3
    -> 1.05171. Unlike Croston, the forecast decays while no demand comes."""
    t = methods.tsb([[0, 0, 3, 0, 0, 0, 6]], 0.1, 0.1)[0]
    assert t[2:].tolist() == pytest.approx([1.0, 0.9, 0.81, 0.729, 0.3187 * 3.3])


def test_moving_average_and_launch_mean_skip_missing_days():
    assert methods.moving_average([[1, 2, np.nan, 6]], 3)[0].tolist() == pytest.approx([1, 1.5, 1.5, 4])
    assert methods.expanding_mean([[2, np.nan, 4, 0]])[0].tolist() == pytest.approx([2, 2, 3, 2])


def test_every_method_forecasts_a_constant():
    """Demand 5 every day: every method forecasts 5, except SBA, which deflates Croston by design
    (5 × (1 − 0.1/2) = 4.75); in the backtest it therefore loses to the others on such a SKU."""
    y = np.full((1, 60), 5.0)
    assert methods.ses(y, 0.2)[0, -1] == pytest.approx(5)
    assert methods.croston(y, 0.1)[0, -1] == pytest.approx(5)
    assert methods.sba(y, 0.1)[0, -1] == pytest.approx(4.75)
    assert methods.tsb(y, 0.1, 0.1)[0, -1] == pytest.approx(5)
    assert methods.moving_average(y, 28)[0, -1] == pytest.approx(5)
    assert methods.expanding_mean(y)[0, -1] == pytest.approx(5)
    level, season = methods.holt_winters_weekly(y, 0.2, 0.1, 0, 5.0, np.zeros((1, 7)))
    assert level[0, -1] + season[0, -7] == pytest.approx(5)
    result = forecast_all(frame({"C": [5.0] * 200, "SHORT": [5.0] * 10, "MID": [5.0] * 30}), AS_OF, NO_EVENTS)
    s = result.summary.set_index("sku")
    assert s["demand_per_day"].tolist() == pytest.approx([5, 5, 5])
    assert s.loc["C", "method"] == "moving average"  # ties (MA, SES exact) go to the simpler
    assert s.loc["SHORT", "method"] == "launch" and s.loc["MID", "method"] == "moving average"
    assert s.loc["C", "wape"] == 0 and s.loc["C", "sigma_demand"] == 0
    assert (result.daily["mean"] == 5).all()


def test_holt_winters_matches_statsmodels():
    """Our vectorised recursion equals statsmodels' ExponentialSmoothing with the same constants and
    initial states, level and seasonal states day by day, and its forecasts except at horizons that
    are multiples of 7, where statsmodels reuses the weekday's state of a cycle earlier; we use the
    latest, as FPP3 §8.3 writes ŷ(t+h|t) = l_t + s_{t+h−7(k+1)}, k = ⌊(h−1)/7⌋."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(0)
    y = 10 + 5 * (np.arange(120) % 7 == 0) + rng.normal(0, 1, 120)
    s0 = np.array([5, 0, 0, 0, 0, 0, 0.0])
    fit = ExponentialSmoothing(y, seasonal="add", seasonal_periods=7, initialization_method="known",
                               initial_level=10, initial_seasonal=s0).fit(
        smoothing_level=0.3, smoothing_seasonal=0.2, optimized=False)
    level, season = methods.holt_winters_weekly(y[None], 0.3, 0.2, 0, 10.0, s0[None])
    assert level[0] == pytest.approx(fit.level)
    assert season[0] == pytest.approx(fit.season)
    ours = engine._weekly_at(level, season, 119, 13)[0]
    theirs = fit.forecast(13)
    not_weekly = np.arange(1, 14) % 7 != 0
    assert ours[not_weekly] == pytest.approx(theirs[not_weekly])


# --- patterns and accuracy -------------------------------------------------------------------------

def test_syntetos_boylan_classification():
    """Constructed series: SMOOTH sells 4-6 daily (ADI 1, CV² small); ERRATIC sells 1 or 10 daily
    (sizes mean 5.5, sd 4.5, CV² 0.669); INTERMITTENT sells 3 every 4th day (ADI 4, CV² 0);
    LUMPY sells 1 or 20 every 4th day (ADI 4, CV² (9.5/10.5)² = 0.819); NONE never sells."""
    y = np.array([[4, 5, 6, 5] * 4, [1, 10] * 8, [0, 0, 0, 3] * 4, [0, 0, 0, 1, 0, 0, 0, 20] * 2, [0] * 16],
                 float)
    a, c = pattern.adi(y), pattern.cv2(y)
    assert a[:4].tolist() == pytest.approx([1, 1, 4, 4]) and np.isinf(a[4])
    assert c[1] == pytest.approx((4.5 / 5.5) ** 2) and c[2] == 0 and c[3] == pytest.approx((9.5 / 10.5) ** 2)
    assert pattern.classify_pattern(a, c).tolist() == ["smooth", "erratic", "intermittent", "lumpy", "no demand"]
    assert pattern.classify_pattern([1.32], [0.49]).tolist() == ["lumpy"]  # the cut-offs belong to the high side


def test_adi_counts_in_stock_days_only():
    """Sales every other in-stock day with a 10-day stock-out between: ADI 2, not (10 + 20) / 10."""
    y = [[0, 1] * 5 + [np.nan] * 10 + [0, 1] * 5]
    assert pattern.adi(y)[0] == pytest.approx(2)


def test_wape_bias_mase_hand_worked():
    """Forecast 4 every day; actuals 2, 6, NaN (out of stock), 4, 8. Errors (forecast − actual)
    2, −2, skipped, 0, −4: Σ|e| = 8, Σe = −4, Σ actual = 20: WAPE 0.4, bias −0.2.
    In-sample naive lag-1 MAE of [1, 3, 2, 4]: (2 + 1 + 2) / 3 = 5/3; mean |e| = 2, MASE = 1.2."""
    f, a = [[4, 4, 4, 4, 4]], [[2, 6, np.nan, 4, 8]]
    assert accuracy.wape(f, a)[0] == pytest.approx(0.4)
    assert accuracy.bias(f, a)[0] == pytest.approx(-0.2)
    scale = accuracy.naive_mae([[1, 3, 2, 4]])
    assert scale[0] == pytest.approx(5 / 3)
    assert accuracy.mase(f, a, scale)[0] == pytest.approx(1.2)
    assert np.isnan(accuracy.wape([[1]], [[0]])[0])  # no actual demand: undefined, not 0 or inf


# --- the engine -----------------------------------------------------------------------------------

def test_out_of_stock_fortnight_does_not_drag_the_forecast_down():
    """2 a day for 120 days with a 14-day stock-out (zero sales, not in stock) ending 5 days before
    the as-of date: ~2 a day. Read as zero demand, SES would give about 1.3 and MA 1.0."""
    units = [2.0] * 120
    stock = [True] * 120
    for i in range(101, 115):
        units[i], stock[i] = 0.0, False
    s = forecast_all(frame({"FORT": units}, {"FORT": stock}), AS_OF, NO_EVENTS).summary.iloc[0]
    assert s["demand_per_day"] == pytest.approx(2.0)
    assert s["history_days"] == 106


def test_weekly_pattern_is_forecast_with_its_season():
    """A Monday peak (30 on Mondays, 10 on other days, a little noise), one year: the weekly
    Holt-Winters model wins the backtest and the forecast peaks on every Monday."""
    rng = np.random.default_rng(7)
    days = pd.date_range(end=pd.Timestamp(AS_OF), periods=365, freq="D")
    units = np.where(days.day_of_week == 0, 30, 10) + rng.integers(-1, 2, 365)
    result = forecast_all(frame({"WEEK": units.tolist()}), AS_OF, NO_EVENTS)
    s = result.summary.iloc[0]
    assert s["pattern"] == "smooth" and s["method"] == engine.SEASONAL_METHOD
    assert s["wape"] < 0.1
    daily = result.daily.set_index("day")["mean"]
    mondays = daily[daily.index.day_of_week == 0]
    others = daily[daily.index.day_of_week != 0]
    assert mondays.min() > 25 and others.max() < 14
    assert s["demand_per_day"] == pytest.approx((30 + 6 * 10) / 7, rel=0.05)


def test_intermittent_sku_uses_an_intermittent_method():
    rng = np.random.default_rng(3)
    units = np.where(rng.random(400) < 0.2, rng.integers(1, 4, 400), 0).astype(float)
    s = forecast_all(frame({"SLOW": units.tolist()}), AS_OF, NO_EVENTS).summary.iloc[0]
    assert s["pattern"] == "intermittent"
    assert s["method"] in engine.METHOD_IDS and s["method"] != engine.SEASONAL_METHOD
    assert 0.2 < s["demand_per_day"] < 0.6 and math.isfinite(s["mase"])


def test_prime_day_uplift_from_own_history_and_default():
    """HIST sells 2 a day and 8 a day on Prime Day 2025: its own ratio 8 / 2 = 4, shrunk towards the
    account's (no other SKU with Prime Day history: the default 2.5) by 5 units of prior evidence
    (events.pooled_uplift): (4 × 8 + 5 × 2.5) ÷ (4 × 2 + 5) = 44.5 / 13, applied to Prime Day 2026.
    NEW (launched after Prime Day 2025) has none of its own: it takes the account's pooled ratio, HIST's
    evidence shrunk towards the default, the same 44.5 / 13. Past event days are left out of the fit:
    HIST's baseline stays 2."""
    as_of = dt.date(2026, 6, 30)
    days = pd.date_range(end=pd.Timestamp(as_of), periods=400, freq="D")
    prime = (days >= "2025-07-08") & (days <= "2025-07-11")
    hist = np.where(prime, 8.0, 2.0)
    new = np.where(days >= "2026-01-01", 2.0, 0.0)
    params = ForecastParams(prime_day_uplift=2.5, bfcm_uplift=1.0, horizon_days=30)
    result = forecast_all(frame({"HIST": hist.tolist(), "NEW": new.tolist()}, as_of=as_of), as_of, params)
    d = result.daily.set_index(["sku", "day"])["mean"]
    uplift = (4 * 8 + 5 * 2.5) / (4 * 2 + 5)
    assert d[("HIST", pd.Timestamp("2026-07-09"))] == pytest.approx(2 * uplift)
    assert d[("HIST", pd.Timestamp("2026-07-12"))] == pytest.approx(2.0)
    assert d[("NEW", pd.Timestamp("2026-07-08"))] == pytest.approx(2 * uplift)
    summary = result.summary.set_index("sku")
    assert summary.loc["HIST", "demand_per_day"] == pytest.approx((24 * 2 + 4 * 2 * uplift) / 28)
    # HIST's own 8 expected units outweigh the prior's 5; NEW's uplift is 8/13 the account's.
    assert summary.loc["HIST", "demand_events"] == "Prime Day 8-11 Jul, ×3.4 (own past events)"
    assert summary.loc["NEW", "demand_events"] == "Prime Day 8-11 Jul, ×3.4 (account, 1 SKU)"
    assert summary.loc["NEW", "event_uplift_text"] == "Prime Day 8-11 Jul, ×3.4 (account, 1 SKU)"


PRIME_2025 = Event("Prime Day", dt.date(2025, 7, 8), dt.date(2025, 7, 11), 2.0)
PRIME_DAYS = pd.date_range("2025-06-01", "2025-07-11").values.astype("datetime64[D]")  # 28 baseline days + 4 + more


def prime_series(per_day: float, on_event: float) -> list[float]:
    """``per_day`` every day, ``on_event`` on Prime Day 2025's four days (8-11 July)."""
    on = (PRIME_DAYS >= np.datetime64("2025-07-08"))
    return np.where(on, on_event, per_day).tolist()


def test_event_uplift_of_a_sku_without_history_is_its_groups():
    """Kitchen: K1-K4 sell 5 a day and doubled on Prime Day (10 a day): each S = 40, E = 20. NEW, in
    Kitchen, has no history. Other groups: G1 sells 5 a day and 5 on Prime Day (ratio 1). m = 5.
    Account for NEW (the other SKUs): r_A = (160 + 20 + 5 × 2) ÷ (80 + 20 + 5) = 190 / 105.
    Kitchen for NEW: r_G = (160 + 5 r_A) ÷ (80 + 5). NEW: r_G itself (no own evidence), ≈ 1.99, close
    to the group's ratio 2 and not to the account's 1.8; the group's weight 80 / 85 names it."""
    nan = [np.nan] * len(PRIME_DAYS)
    y = np.array([prime_series(5, 10)] * 4 + [prime_series(5, 5), nan])
    groups = np.array(["Kitchen"] * 4 + ["Garden", "Kitchen"], dtype=object)
    p = events.pooled_uplift(y, PRIME_DAYS, [PRIME_2025], 2.0, groups)
    r_a = (160 + 20 + 5 * 2.0) / (80 + 20 + 5)
    r_g = (160 + 5 * r_a) / (80 + 5)
    assert p.uplift[5] == pytest.approx(r_g) and r_g == pytest.approx(1.9888, abs=1e-4)
    assert p.weights[5].tolist() == pytest.approx([0, 80 / 85, 5 / 85 * 100 / 105, 5 / 85 * 5 / 105])
    assert p.words()[5] == "group Kitchen, 4 SKUs"
    # K1: its own 20 expected units against the prior's 5 (w = 0.8): own, shrunk to Kitchen's others.
    r_a1 = (120 + 20 + 5 * 2.0) / (60 + 20 + 5)  # the account without K1: K2-K4 and G1 (NEW adds nothing)
    r_g1 = (120 + 5 * r_a1) / (60 + 5)
    assert p.uplift[0] == pytest.approx((40 + 5 * r_g1) / (20 + 5)) and p.words()[0] == "own past events"
    # G1 is alone in Garden: its prior is the account's others' (r_A = (160 + 5 × 2) ÷ (80 + 5)).
    r_a_g1 = (160 + 5 * 2.0) / (80 + 5)
    assert p.uplift[4] == pytest.approx((20 + 5 * r_a_g1) / (20 + 5)) and p.source[4] == "own"


def test_event_uplift_with_large_own_evidence_keeps_its_own_ratio():
    """BIG sells 100 a day and 300 on Prime Day (S = 1,200, E = 400: ratio 3) in a group whose other
    SKU doubled: (1,200 + 5 r_G) ÷ (400 + 5) stays within 0.03 of 3."""
    y = np.array([prime_series(100, 300), prime_series(5, 10)])
    p = events.pooled_uplift(y, PRIME_DAYS, [PRIME_2025], 2.0, np.array(["Toys", "Toys"], dtype=object))
    r_g = (40 + 5 * (40 + 5 * 2.0) / (20 + 5)) / (20 + 5)  # BIG's group and account: the other SKU
    assert p.uplift[0] == pytest.approx((1200 + 5 * r_g) / 405) and abs(p.uplift[0] - 3) < 0.03
    assert p.source[0] == "own" and p.weights[0, 0] == pytest.approx(400 / 405)


def test_event_uplift_of_a_group_of_one_falls_back_to_the_account():
    """LONE is the only SKU of "Garden" and has no Prime Day history: no group evidence, so its uplift
    is the account's: A and B (no group) sold 5 a day and 7.5 on Prime Day, r_A = (60 + 5 × 2) ÷ (40 + 5)
    = 1.5556, named by the account's weight 40 / 45."""
    nan = [np.nan] * len(PRIME_DAYS)
    y = np.array([prime_series(5, 7.5), prime_series(5, 7.5), nan])
    p = events.pooled_uplift(y, PRIME_DAYS, [PRIME_2025], 2.0, np.array(["", None, "Garden"], dtype=object))
    assert p.uplift[2] == pytest.approx(70 / 45)
    assert p.weights[2].tolist() == pytest.approx([0, 0, 40 / 45, 5 / 45])
    assert p.words()[2] == "account, 2 SKUs"
    # A's group is "" (none): its prior is the account's other SKU, B.
    assert p.uplift[0] == pytest.approx((30 + 5 * (30 + 10) / 25) / 25) and p.group_skus[0] == 0


def test_event_uplift_of_an_account_without_event_history_is_the_default():
    """Nobody sold before Prime Day 2025 (all launched after): the default 2.0 everywhere, said so; a
    user event's default is not a Settings field."""
    y = np.array([[np.nan] * 35 + [3.0] * 6, [np.nan] * len(PRIME_DAYS)])
    p = events.pooled_uplift(y, PRIME_DAYS, [PRIME_2025], 2.0, np.array(["Toys", "Toys"], dtype=object))
    assert p.uplift.tolist() == [2.0, 2.0] and p.source.tolist() == ["default", "default"]
    assert p.words().tolist() == ["default; editable in Settings"] * 2
    assert p.words(built_in=False).tolist() == ["default"] * 2
    as_of = dt.date(2026, 6, 30)
    result = forecast_all(frame({"A": [2.0] * 60}, as_of=as_of), as_of,
                          ForecastParams(prime_day_uplift=2.5, bfcm_uplift=1.0, horizon_days=30))
    assert result.summary["demand_events"].tolist() == ["Prime Day 8-11 Jul, ×2.5 (default; editable in Settings)"]


def test_event_uplift_uses_the_history_groups():
    """forecast_arrays passes SalesHistory.groups: NEW (Kitchen, no Prime Day 2025 sales) takes
    Kitchen's K (ratio 4), not OTHER's (ratio 1): K S = 32, E = 8; OTHER S = 8, E = 8.
    r_A = (32 + 8 + 10) ÷ (16 + 5) = 50 / 21; r_G = (32 + 5 r_A) ÷ (8 + 5)."""
    as_of = dt.date(2026, 6, 30)
    days = np.arange(np.datetime64(as_of) - 399, np.datetime64(as_of) + 1)
    prime = (days >= np.datetime64("2025-07-08")) & (days <= np.datetime64("2025-07-11"))
    units = np.array([np.where(prime, 8.0, 2.0), np.where(days >= np.datetime64("2026-01-01"), 2.0, 0.0),
                      np.full(len(days), 2.0)])
    history_ = SalesHistory(np.array(["K", "NEW", "OTHER"], object), days, units, np.ones(units.shape, bool),
                            np.array(["Kitchen", "Kitchen", "Garden"], object))
    params = ForecastParams(prime_day_uplift=2.0, bfcm_uplift=1.0, horizon_days=30)
    result = engine.forecast_arrays(history_, as_of, params)
    d = result.daily.set_index(["sku", "day"])["mean"]
    r_g = (32 + 5 * 50 / 21) / 13
    assert d[("NEW", pd.Timestamp("2026-07-09"))] == pytest.approx(2 * r_g)
    assert result.summary.set_index("sku").loc["NEW", "demand_events"] == \
        f"Prime Day 8-11 Jul, {events.uplift_text(r_g)} (group Kitchen, 1 SKU)"


def test_event_calendar_and_user_events():
    """Thanksgiving 2026 is Thursday 26 November: BFCM is Friday 27 to Monday 30 November."""
    e = events.black_friday_cyber_monday(2026)
    assert (e.start, e.end, e.days) == (dt.date(2026, 11, 27), dt.date(2026, 11, 30), 4)
    assert events.thanksgiving(2027) == dt.date(2027, 11, 25)
    spring = Event("Spring sale", dt.date(2026, 6, 3), dt.date(2026, 6, 4), 1.5)
    cal = events.event_calendar(ForecastParams(events=(spring,), prime_day_2027=(dt.date(2027, 7, 6),
                                                                                  dt.date(2027, 7, 9))),
                                dt.date(2026, 6, 1), dt.date(2027, 12, 31))
    assert [x.name for x in cal] == ["Prime Day", "Prime Day", "Black Friday-Cyber Monday",
                                     "Black Friday-Cyber Monday", "Spring sale"]
    result = forecast_all(frame({"C": [3.0] * 60}), AS_OF, dataclasses.replace(NO_EVENTS, events=(spring,)))
    d = result.daily.set_index("day")["mean"]
    assert d[pd.Timestamp("2026-06-03")] == pytest.approx(4.5) and d[pd.Timestamp("2026-06-05")] == 3


def test_params_validation_names_the_parameter():
    with pytest.raises(ValueError, match="ses_alpha"):
        ForecastParams(ses_alpha=0)
    with pytest.raises(ValueError, match="horizon_days"):
        ForecastParams(horizon_days=0)
    with pytest.raises(ValueError, match="uplift"):
        Event("x", dt.date(2026, 1, 1), dt.date(2026, 1, 2), uplift=-1)
    with pytest.raises(ValueError, match="end"):
        Event("x", dt.date(2026, 1, 2), dt.date(2026, 1, 1))
    hash(ForecastParams(events=(Event("x", dt.date(2026, 1, 1), dt.date(2026, 1, 2), 2.0),)))  # a cache key


# --- history from the database and the demo account end to end --------------------------------------

@pytest.fixture(scope="module")
def fort_db(tmp_path_factory):
    """FORT: 16 on hand on day 1, sells 2 a day on days 1-8 (0 at the end of day 8), out of stock on
    days 9-22, receives 100 on day 23 and sells 2 a day to AS_OF (day 30): 84 on hand. An MCF line
    and a cancelled order on day 25 are not demand."""
    tmp = tmp_path_factory.mktemp("fort")
    db_path = tmp / "f.duckdb"

    def day(n):
        return AS_OF - dt.timedelta(days=30 - n)

    orders, ledger = [], []
    for n in [*range(1, 9), *range(23, 31)]:
        orders.append(order_row(f"F-{n}", "FORT", qty=2, price="40.00", date=f"{day(n)}T12:00:00+00:00"))
        ledger.append(ledger_row(day(n).strftime("%m/%d/%Y"), "FORT", "Shipments", -2, ref=f"F-{n}"))
    orders.append(order_row("C-1", "FORT", qty=5, status="Cancelled", date=f"{day(25)}T13:00:00+00:00"))
    mcf = order_row("M-1", "FORT", qty=3, date=f"{day(25)}T14:00:00+00:00")
    mcf["sales-channel"] = "Non-Amazon"
    orders.append(mcf)
    ledger.append(ledger_row(day(25).strftime("%m/%d/%Y"), "FORT", "Shipments", -3, ref="M-1"))
    ledger.append(ledger_row(day(23).strftime("%m/%d/%Y"), "FORT", "Receipts", 100, ref="FBA1"))
    planning = {"snapshot-date": AS_OF.isoformat(), "sku": "FORT", "asin": "B0F", "fnsku": "X0F",
                "marketplace": "US", "available": 81, "Total Reserved Quantity": 0, "inbound-quantity": 0,
                "inv-age-0-to-90-days": 81, "your-price": "20.00", "product-name": "Fort"}
    for path in (write_report(tmp / "p.txt", header("planning_2026_97"), [planning]),
                 write_report(tmp / "o.txt", header("orders_2026_34"), orders),
                 write_report(tmp / "l.txt", header("ledger_detail_2026_16"), ledger)):
        assert ingest.load_report(db_path, path).status == "loaded"
    return db_path


def test_history_is_dense_with_ledger_stock(fort_db):
    h = history(fort_db, days=60)
    assert list(h.columns) == ["sku", "day", "units", "in_stock"]
    assert len(h) == 60 and h["day"].is_monotonic_increasing
    last30 = h.tail(30).reset_index(drop=True)
    assert last30["units"].tolist() == [2.0] * 8 + [0.0] * 14 + [2.0] * 8  # MCF and cancelled left out
    assert last30["in_stock"].tolist() == [True] * 8 + [False] * 14 + [True] * 8
    assert h.head(30)["in_stock"].all()  # before the ledger: assumed in stock
    s = forecast_table(fort_db).summary.iloc[0]
    assert s["method"] == "moving average" and s["demand_per_day"] == pytest.approx(2.0)  # 16 in-stock days


def test_history_groups_are_product_group_else_brand(tmp_path):
    """A: product group "Kitchen" in the FBA Inventory report (the Fee Preview's "Home" loses to it);
    B: none there, the Fee Preview's product group empty, its brand "Acme"; C: in neither: ""."""
    db_path = tmp_path / "g.duckdb"
    orders = [order_row(f"O-{s}", s, qty=1, date=f"{AS_OF}T12:00:00+00:00") for s in ("A", "B", "C")]
    planning = [{"snapshot-date": AS_OF.isoformat(), "sku": s, "asin": f"B0{s}", "fnsku": f"X0{s}",
                 "marketplace": "US", "available": 5, "product-name": s, "product-group": group}
                for s, group in (("A", "Kitchen"), ("B", ""))]
    fees = {"estimated-fee-total": "5.00", "estimated-referral-fee-per-unit": "3.00"}
    preview = [{"sku": "A", "product-group": "Home", "brand": "Zed", **fees},
               {"sku": "B", "product-group": "", "brand": "Acme", **fees}]
    for path in (write_report(tmp_path / "p.txt", header("planning_2026_97"), planning),
                 write_report(tmp_path / "o.txt", header("orders_2026_34"), orders)):
        assert ingest.load_report(db_path, path).status == "loaded"
    fee_file = write_report(tmp_path / "f.txt", header("fee_preview_us_31"), preview)
    assert ingest.load_report(db_path, fee_file, snapshot_date=AS_OF).status == "loaded"
    h = history_arrays(db_path, AS_OF, days=30)
    assert h.skus.tolist() == ["A", "B", "C"] and h.groups.tolist() == ["Kitchen", "Acme", ""]
    assert history_arrays(db_path, AS_OF, days=30, sku="B").groups.tolist() == ["Acme"]


def test_history_of_one_sku_is_its_rows_of_the_whole_account(demo_database):
    whole = history(demo_database, days=120)
    sku = whole["sku"].iloc[len(whole) // 2]
    one = history(demo_database, days=120, sku=sku)
    assert set(one["sku"]) == {sku} and len(one) == 120
    pd.testing.assert_frame_equal(one.reset_index(drop=True), whole[whole["sku"] == sku].reset_index(drop=True))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert all(r.status == "loaded" for r in sample.load_sample(db_path))
    return db_path, forecast_table(db_path)


def test_demo_account_end_to_end(demo):
    db_path, result = demo
    s = result.summary
    assert list(s.columns) == engine.SUMMARY_COLUMNS and list(result.daily.columns) == engine.DAILY_COLUMNS
    assert len(s) > 100 and s["sku"].is_unique
    assert s["method"].notna().all() and (s["method"] != "").all()
    assert np.isfinite(s["demand_per_day"]).all() and (s["demand_per_day"] >= 0).all()
    assert np.isfinite(s["sigma_demand"]).all()
    backtested = s["method"].isin(engine.CANDIDATE_ORDER) & s["wape"].notna()
    assert backtested.mean() > 0.8
    assert len(result.daily) == len(s) * result.params.horizon_days
    assert forecast_table(db_path) is result  # cached by path, data version, as-of and params


def test_intervals_are_ordered_and_never_negative(demo):
    d = demo[1].daily
    assert (d["lo95"] <= d["lo80"]).all() and (d["lo80"] <= d["mean"]).all()
    assert (d["mean"] <= d["hi80"]).all() and (d["hi80"] <= d["hi95"]).all()
    assert (d["lo95"] >= 0).all()
    bfcm = d[d["day"] == pd.Timestamp("2026-11-27")]["mean"].sum()
    ordinary = d[d["day"] == pd.Timestamp("2026-11-20")]["mean"].sum()
    assert bfcm > ordinary  # Black Friday lifts the account


# --- the sparse history against the dense query it replaced -----------------------------------------

def dense_history_reference(db_path, as_of: dt.date | None = None, days: int = 730,
                            sku: str | None = None) -> pd.DataFrame:
    """The history as one dense DuckDB query (every SKU × every day, a window over all of it, ORDER BY):
    how ``history`` was written before it read sparse facts, kept here as an independent reference."""
    if as_of is None:
        as_of = skus.snapshot_dates(db_path)[0]
    start = as_of - dt.timedelta(days=days)
    with db.connect(db_path) as con:
        sources = skus.report_sources(con, as_of)
        binds = {"as_of": as_of, "start": start}
        ctes = []
        if sources.sales in ("orders", "shipments"):
            ctes.append(f"lines AS ({skus.sales_lines_sql(sources.sales)})")
        else:
            ctes.append("lines AS (SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS units, false AS mcf "
                        "WHERE false)")
        if sources.stock is not None:
            ctes.append("stock AS (SELECT sku, available + reserved AS anchor "
                        f"FROM ({skus.stock_sql(sources.stock)}))")
        else:
            ctes.append("stock AS (SELECT NULL::VARCHAR AS sku, 0 AS anchor WHERE false)")
        ctes.append("""daily AS (SELECT sku, day, sum(units) FILTER (NOT mcf) AS units,
                                        sum(units) AS all_units
                       FROM lines GROUP BY ALL)""")
        only = ""
        if sku is not None:
            only, binds["sku"] = " AND sku = $sku", sku
        ctes.append(f"""universe AS (SELECT sku, max(anchor) AS anchor FROM (
                           SELECT sku, anchor FROM stock UNION ALL SELECT DISTINCT sku, 0 FROM daily)
                       WHERE sku IS NOT NULL{only} GROUP BY sku)""")
        ctes.append("calendar AS (SELECT unnest(range($start + 1, $as_of + 1, INTERVAL 1 DAY))::DATE AS day)")
        if sources.ledger_start is not None:
            binds["cal_start"] = max(sources.ledger_start, start + dt.timedelta(days=1))
            ctes.append(f"ledger_net AS ({skus.LEDGER_NET_SQL})")
            ctes.append("balance AS (" + skus.sellable_balance_sql(
                "SELECT u.sku, u.anchor, c.day FROM universe u CROSS JOIN calendar c "
                "WHERE c.day >= $cal_start") + ")")
        else:
            ctes.append("balance AS (SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS net, "
                        "0 AS end_balance WHERE false)")
        sql = f"""WITH {', '.join(ctes)}
            SELECT u.sku, c.day, coalesce(d.units, 0)::DOUBLE AS units,
                   CASE WHEN b.day IS NULL THEN true
                        ELSE {skus.in_stock_sql("b", "d.all_units")}
                   END AS in_stock
            FROM universe u CROSS JOIN calendar c
            LEFT JOIN daily d ON d.sku = u.sku AND d.day = c.day
            LEFT JOIN balance b ON b.sku = u.sku AND b.day = c.day
            ORDER BY u.sku, c.day"""
        return con.execute(sql, binds).df()


@pytest.mark.parametrize("database, days, one_sku, batch_rows", [
    ("fort_db", 60, False, 1_000_000),  # the ledger covers the last 30 days only
    ("demo_database", 120, False, 1_000_000),
    ("demo_database", 730, False, 1_000_000),
    ("demo_database", 730, False, 5_000),  # the balance in batches of 6 SKUs
    ("demo_database", 365, True, 1_000_000),  # the page chart: one SKU
])
def test_history_equals_the_dense_reference(request, monkeypatch, database, days, one_sku, batch_rows):
    """Sales and stock-outs read sparsely and spread into matrices give the very frame of the dense
    query: same SKUs in the same order, days, units, in-stock flags and dtypes."""
    db_path = request.getfixturevalue(database)
    monkeypatch.setattr("core.forecast.sales_history.BALANCE_ROWS_PER_QUERY", batch_rows)
    expected = dense_history_reference(db_path, days=days)
    sku = None
    if one_sku:  # one that ran out of stock
        sku = expected.loc[~expected["in_stock"], "sku"].iloc[-1]
        expected = dense_history_reference(db_path, days=days, sku=sku)
    assert (~expected["in_stock"]).any() and (expected["units"] > 0).any()  # something to compare
    pd.testing.assert_frame_equal(history(db_path, days=days, sku=sku), expected)
    arrays = history_arrays(db_path, days=days, sku=sku)
    assert arrays.units.shape == arrays.in_stock.shape == (expected["sku"].nunique(), days)
    assert arrays.days[-1] == np.datetime64(expected["day"].max(), "D")


def test_history_of_an_unknown_sku_is_empty(demo_database):
    h = history(demo_database, days=30, sku="NO-SUCH-SKU")
    assert h.empty and list(h.columns) == ["sku", "day", "units", "in_stock"]
    assert history_arrays(demo_database, days=30, sku="NO-SUCH-SKU").units.shape == (0, 30)


def test_forecast_table_fits_the_arrays_as_forecast_all_fits_the_frame(demo, fort_db):
    """forecast_table reads the matrices without the long frame: the same forecast as forecast_all
    on ``history``'s frame given the same groups (the long frame has none of its own)."""
    for db_path, result in (demo, (fort_db, forecast_table(fort_db))):
        groups = history_arrays(db_path, result.as_of).groups
        again = forecast_all(history(db_path, result.as_of), result.as_of, result.params, groups=groups)
        pd.testing.assert_frame_equal(result.summary, again.summary)
        pd.testing.assert_frame_equal(result.daily, again.daily)


def test_forecast_arrays_needs_a_history_ending_at_as_of(demo_database):
    arrays = history_arrays(demo_database, days=60)
    with pytest.raises(ValueError, match="as_of"):
        engine.forecast_arrays(arrays, arrays.days[-2].item())
