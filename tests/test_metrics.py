"""Each formula of core/metrics against values worked by hand (the working is in each test)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.metrics import ageing, classify, grades, health, turnover, velocity
from core.metrics.scale import linear_score
from core.params import GradeParams, HealthParams


def test_turnover_worked_example_from_the_issue():
    """COGS $120,000 over a year, average inventory $30,000: 120,000 / 30,000 = 4.0 turns;
    365 / 4 = 91.25 days ("about 91")."""
    turns = turnover.annualised_turnover(120_000, 30_000, 365)
    assert float(turns) == pytest.approx(4.0)
    assert float(turnover.turnover_days(turns)) == pytest.approx(91.25)
    assert float(turnover.days_sales_of_inventory(30_000, 120_000, 365)) == pytest.approx(91.25)


def test_turnover_is_annualised_from_a_quarter():
    """COGS $30,000 in 90 days on $30,000 average: 1 turn a quarter = 365/90 = 4.056 a year."""
    assert float(turnover.annualised_turnover(30_000, 30_000, 90)) == pytest.approx(365 / 90)


def test_turnover_by_units_equals_turnover_by_cost_when_cost_is_constant():
    """Units sold 600, average 150 on hand, any unit cost c: (600c / 150c) = 4.0 turns a year."""
    by_units = turnover.annualised_turnover(600, 150, 365)
    by_cost = turnover.annualised_turnover(600 * 7.25, 150 * 7.25, 365)
    assert float(by_units) == pytest.approx(float(by_cost)) == pytest.approx(4.0)


def test_no_inventory_gives_no_turnover_not_a_crash():
    assert math.isnan(float(turnover.annualised_turnover(100, 0, 90)))


def test_holding_cost_and_ratio():
    """73 days = 1/5 of a year. Capital: 10,000 x 15% / 5 = 300. Holding = 120 + 30 + 300 = 450.
    Ratio: 450 / 10,000 x 5 = 0.225 a year."""
    cost = turnover.holding_cost(120, 30, 10_000, 0.15, 73)
    assert float(cost) == pytest.approx(450)
    assert float(turnover.holding_cost_ratio(cost, 10_000, 73)) == pytest.approx(0.225)


def test_gross_profit_and_roi():
    """Revenue 10,000 − COGS 4,000 − fees 3,000 = 3,000. Inventory cost = 2,000 + 500 = 2,500;
    ROI = (3,000 − 2,500) / 2,500 = 20%."""
    profit = turnover.gross_profit(10_000, 4_000, 3_000)
    assert float(profit) == 3_000
    assert float(turnover.roi_pct(profit, 2_000, 500)) == pytest.approx(20.0)


def test_stockout_corrected_demand():
    """32 units in 30 days, 14 of them out of stock: 32 / 16 = 2.0 a day, not 32 / 30 = 1.07."""
    assert float(velocity.corrected_demand_rate(32, 16)) == pytest.approx(2.0)
    assert float(velocity.velocity(32, 30)) == pytest.approx(32 / 30)
    assert math.isnan(float(velocity.corrected_demand_rate(5, 3)))  # 3 days in stock: no reliable rate


def test_days_of_supply_and_cover():
    assert float(velocity.days_of_supply(120, 4)) == 30
    assert float(velocity.days_of_supply(120, 0)) == math.inf  # stock and no demand
    assert float(velocity.days_of_supply(0, 0)) == 0
    assert float(velocity.days_of_cover(100, 50, 5)) == 30


def test_linear_score_endpoints_and_clipping():
    assert linear_score([0.5, 1, 3.5, 6, 9], zero_at=1, full_at=6).tolist() == [0, 0, 50, 100, 100]
    assert linear_score([0.0, 0.25, 0.6], zero_at=0.5, full_at=0.0).tolist() == [100, 50, 0]


def test_health_weights_are_40_35_25():
    params = HealthParams()
    assert float(health.health_score(100, 0, 0, params)) == pytest.approx(40)
    assert float(health.health_score(0, 100, 0, params)) == pytest.approx(35)
    assert float(health.health_score(0, 0, 100, params)) == pytest.approx(25)
    assert float(health.health_score(100, 100, 100, params)) == pytest.approx(100)


def test_dimension_scores_by_hand():
    params = HealthParams()
    # 3.5 turns: halfway from 1 to 6 -> 50.
    assert float(health.turnover_score(3.5, params)) == pytest.approx(50)
    # 25% aged over 180 (zero at 50%) -> 50; no dead stock -> 100; the worst of them: 50.
    assert float(health.structure_score(0.25, 0.0, params)[0]) == pytest.approx(50)
    # In stock 75% (0 at 50%, 100 at 100%) -> 50; holding ratio 0.375 (100 at 0.15, 0 at 0.60) -> 50.
    assert float(health.service_cost_score(0.75, 0.375, params)[0]) == pytest.approx(50)
    # Unknown holding ratio (no unit cost) is left out, not zeroed: in-stock alone.
    assert float(health.service_cost_score(0.75, np.nan, params)[0]) == pytest.approx(50)
    assert float(health.service_cost_score(1.0, np.nan, params)[0]) == pytest.approx(100)


def test_structure_is_the_worst_of_aged_180_aged_365_and_dead():
    """Sub-scores: aged over 180 (0% = 100, 50% = 0), aged over 365 (0% = 100, 25% = 0), dead (0% = 100,
    50% = 0); the structure is the smallest. Under the old mean of two, a dead SKU with young stock
    scored (100 + 0) / 2 = 50 and stock 20% over a year old counted no more than stock 200 days old."""
    params = HealthParams()
    # 30% over 180 -> 40; 10% over 365 -> 60; none dead -> 100: 40.
    assert float(health.structure_score(0.30, 0.0, params, 0.10)[0]) == pytest.approx(40)
    # 20% over 180, all of it over 365: 60 and 20: 20.
    assert float(health.structure_score(0.20, 0.0, params, 0.20)[0]) == pytest.approx(20)
    # Dead stock, young: 100, 100 and 0: 0.
    assert float(health.structure_score(0.0, 1.0, params, 0.0)[0]) == 0
    # A 365-day share unknown (no ages) is left out.
    assert float(health.structure_score(0.10, 0.0, params, np.nan)[0]) == pytest.approx(80)


def test_grade_ceilings_follow_the_alert_line():
    """Red ½, orange ¾, yellow 1 × the alert line: 40 / 60 / 80 at 80; 35 / 52.5 / 70 at 70."""
    grades_ = ["red", "orange", "yellow", ""]
    assert health.grade_ceiling(grades_, HealthParams()).tolist() == [40, 60, 80, 100]
    assert health.grade_ceiling(grades_, HealthParams(alert_below=70)).tolist() == [35, 52.5, 70, 100]


def test_a_red_sku_is_capped_and_a_healthy_one_is_not():
    """A red SKU (days of supply over 180: it sold, then stopped) with turnover 100, structure 100 and
    service 60: weighted 0.40·100 + 0.35·100 + 0.25·60 = 90, capped at 40. The same dimensions on an
    ungraded SKU: 90. A red SKU already under its ceiling keeps its score: 0.40·0 + 0.35·0 + 0.25·80 = 20."""
    params = HealthParams()
    weighted = health.health_score([100, 100, 0], [100, 100, 0], [60, 60, 80], params)
    assert weighted.tolist() == pytest.approx([90, 90, 20])
    assert health.graded_health_score(weighted, ["red", "", "red"], params).tolist() == pytest.approx([40, 90, 20])
    assert np.isnan(health.graded_health_score([np.nan], ["red"], params)[0])


def test_account_with_a_quarter_of_its_value_dead_and_old_is_under_the_alert_line():
    """$7,500 of healthy stock scoring 100 and $2,500 of dead stock over a year old scoring 25 (red,
    under its ceiling): weighted mean (750,000 + 62,500) / 10,000 = 81.25, above the line of 80. The
    dead value is 25% of the value: ceiling 100 × (1 − 0.25) = 75, so the account scores 75."""
    assert health.weighted_mean([100, 25], [7_500, 2_500]) == pytest.approx(81.25)
    assert health.account_health_score([100, 25], [7_500, 2_500], 0.25) == pytest.approx(75)
    assert health.account_health_score([100, 25], [7_500, 2_500], 0.25) < HealthParams().alert_below
    # 20% dead and old: ceiling 80, not under it; the mean decides below the ceiling.
    assert health.account_health_score([90, 40], [8_000, 2_000], 0.20) == pytest.approx(80)
    assert health.account_health_score([70, 40], [8_000, 2_000], 0.10) == pytest.approx(64)
    assert math.isnan(health.account_health_score([np.nan], [1.0], 0.0))


scores = st.floats(0, 100, allow_nan=False)
grade_values = st.sampled_from(["red", "orange", "yellow", ""])


@given(st.lists(st.tuples(scores, scores, scores, grade_values), min_size=1, max_size=20), st.floats(0, 100))
def test_property_a_graded_sku_never_scores_above_its_ceiling(rows, alert_below):
    """Any dimensions, any grade, any alert line: the score is in [0, 100], at most the weighted
    score, and a red SKU at most half the alert line (orange ¾, yellow the line)."""
    params = HealthParams(alert_below=alert_below)
    t, s, c, g = (list(x) for x in zip(*rows))
    score = health.graded_health_score(health.health_score(t, s, c, params), g, params)
    assert ((score >= 0) & (score <= 100 + 1e-9)).all()
    assert (score <= np.asarray(health.health_score(t, s, c, params)) + 1e-9).all()
    ceiling = np.array([{"red": alert_below / 2, "orange": alert_below * 0.75, "yellow": alert_below}.get(x, 100)
                        for x in g])
    assert (score <= ceiling + 1e-9).all()


@given(st.lists(st.tuples(scores, st.floats(0.01, 1e6)), min_size=1, max_size=20), st.floats(0, 1))
def test_property_the_account_never_scores_above_its_dead_value_ceiling(rows, dead_share):
    score_values, weights = (list(x) for x in zip(*rows))
    account = health.account_health_score(score_values, weights, dead_share)
    assert 0 <= account <= 100 * (1 - dead_share) + 1e-9
    assert account <= health.weighted_mean(score_values, weights) + 1e-9


def test_account_score_is_value_weighted():
    """SKUs scoring 90 and 50 holding $3,000 and $1,000: (270,000 + 50,000) / 4,000 = 80."""
    assert health.weighted_mean([90, 50], [3_000, 1_000]) == pytest.approx(80)


def test_abc_by_revenue_80_15_5():
    revenue = pd.Series({"a": 500, "b": 300, "c": 120, "d": 50, "e": 30, "f": 0})
    # Shares before each SKU: a 0, b .5, c .8, d .92, e .97 -> A A B B C; no revenue -> C.
    assert classify.abc_class(revenue).tolist() == ["A", "A", "B", "B", "C", "C"]


def test_xyz_by_coefficient_of_variation():
    weekly = pd.DataFrame([[10, 10, 10, 10], [5, 15, 5, 15], [0, 0, 40, 0], [0, 0, 0, 0]])
    cv = classify.coefficient_of_variation(weekly)
    # Row 2: mean 10, population sd 5 -> 0.5. Row 3: mean 10, sd sqrt((100*3 + 900)/4) = 17.32 -> 1.73.
    assert cv.iloc[:3].tolist() == pytest.approx([0.0, 0.5, math.sqrt(3)])
    assert classify.xyz_class(cv).tolist() == ["X", "X", "Z", "Z"]


def test_share_older_than_interpolates_inside_a_band():
    """90 units aged 91-180: ages 121-180 are 60 of the band's 90 days -> 60 units older than 120.
    Plus 30 units aged 181-270 (all older) over a total of 120 + 30 (0-90) = 150: (60 + 30) / 150."""
    bands = pd.DataFrame({"aged_0_90": [30], "aged_91_180": [90], "aged_181_270": [30]})
    assert ageing.share_older_than(bands, 120).iloc[0] == pytest.approx(0.6)


def test_band_for_age():
    assert ageing.band_for_age([0, 90, 91, 365, 366, 456, 900]).tolist() == [
        "aged_0_90", "aged_0_90", "aged_91_180", "aged_271_365", "aged_366_455", "aged_456_plus", "aged_456_plus"]


def frame_of(**columns):
    base = {"on_hand": 100, "days_of_supply": 30.0, "units_30d": 30, "units_30_59": 30, "units_60_89": 30,
            "aged_over_share": 0.0, "units_no_sale": 30}
    rows = [dict(base, **row) for row in columns["rows"]]
    return pd.DataFrame(rows)


def test_grades_on_constructed_skus_hitting_each_rule():
    frame = frame_of(rows=[
        {"days_of_supply": 200.0},                                   # over 180 days: red
        {"days_of_supply": math.inf, "units_no_sale": 0},            # stock, no sale in 90 days: red
        {"days_of_supply": 100.0, "aged_over_share": 0.3},           # two signals: orange
        {"days_of_supply": 100.0},                                   # one signal: yellow
        {"units_30d": 40, "units_30_59": 60, "units_60_89": 100},    # falling 2 periods: yellow
        {"units_30d": 40, "units_30_59": 60, "units_60_89": 70},     # 60 is not < 0.7 x 70: none
        {},                                                          # healthy: none
        {"on_hand": 0, "days_of_supply": 0.0, "units_no_sale": 0},   # no stock: nothing to grade
    ])
    signals = grades.slow_mover_signals(frame, GradeParams())
    assert grades.grade(signals).tolist() == ["red", "red", "orange", "yellow", "yellow", "", "", ""]
    words = grades.describe_signals(signals, GradeParams())
    assert words.iloc[2] == "days of supply over 90; over 20% of units older than 120 days"
    assert words.iloc[0] == "days of supply over 180"  # over 180 implies over 90: named once


def test_grade_thresholds_are_editable():
    frame = frame_of(rows=[{"days_of_supply": 100.0}])
    signals = grades.slow_mover_signals(frame, GradeParams(dos_watch_days=60, dos_urgent_days=95))
    assert grades.grade(signals).tolist() == ["red"]


def test_parameters_are_validated_with_their_names():
    with pytest.raises(ValueError, match="weights"):
        HealthParams(weight_turnover=0.5)
    with pytest.raises(ValueError, match="dos_watch_days"):
        GradeParams(dos_watch_days=200)
