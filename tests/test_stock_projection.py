"""core/stock_projection.py: the day-by-day roll-forward behind the What-if chart, on hand-worked SKUs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from core import restock, stock_projection
from core.restock_params import RestockParams

AS_OF = dt.date(2026, 11, 15)


def plan(**values) -> pd.DataFrame:
    row = {"sku": "A", "status": "not yet", "demand_per_day": 1.0, "sigma_demand": 0.0, "lead_time_days": 10.0,
           "sigma_lead_time": 0.0, "reorder_point": 0.0, "available": 10.0, "inbound": 0.0,
           "reserved_transfer": 0.0, "open_po_units": 0.0, "eoq": 50.0, "moq": np.nan, "case_pack": np.nan,
           "order_qty": 0.0, "as_of": AS_OF}
    row.update(values)
    return pd.DataFrame([row])


def test_a_sku_that_runs_out_counts_each_empty_day_as_a_stockout_day():
    """10 on hand, 1 a day, ROP 0, R 7, L 100: empty at the end of day 10; days 10-30 are out: 21
    days. The order placed when the position reaches ROP + d·R = 7 (end of day 3, max(EOQ 50, 0) = 50)
    arrives on day 103, after the 30 days."""
    p = stock_projection.project_stock(plan(lead_time_days=100.0), None, days=30)
    assert p.on_hand[0][:11].tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0]
    assert float(p.expected_stockout_days.iloc[0]) == 21.0
    assert p.orders[0][2] == 50.0 and p.orders[0].sum() == 50.0 and p.arrivals[0].sum() == 0


def test_inbound_arrives_after_the_receiving_days_and_the_plans_order_after_the_lead_time():
    """Inbound 20 lands on day 7; an "order now" of 30 placed today lands on day L = 10."""
    p = stock_projection.project_stock(plan(available=100.0, inbound=20.0, status="order now", order_qty=30.0),
                                       None, days=15, inbound_arrival_days=7)
    assert p.arrivals[0][6] == 20.0 and p.arrivals[0][9] == 30.0
    assert p.on_hand[0][9] == 100 - 10 + 20 + 30
    assert p.orders[0][0] == 30.0


def test_the_daily_forecast_drives_the_sales_and_pack_rules_the_orders():
    """Forecast 5 a day for 3 days then the plan's 1 a day. At the end of day 2 the position 10 is at
    or below ROP 6 + d·R = 6 + 1·7 = 13: wanted max(EOQ 10, 13 − 10 = 3) = 10, raised to the MOQ 60,
    then to whole cases of 25: 75."""
    daily = pd.DataFrame({"sku": "A", "day": pd.date_range("2026-11-16", periods=3), "mean": 5.0})
    p = stock_projection.project_stock(plan(available=20.0, reorder_point=6.0, moq=60.0, case_pack=25.0, eoq=10.0),
                                       daily, days=6)
    assert p.on_hand[0].tolist() == [15, 10, 5, 4, 3, 2]
    assert p.orders[0][1] == 75.0 and p.orders[0].sum() == 75.0


def test_uncertainty_grows_to_the_lead_time_demand_sd_and_sets_the_stockout_chance():
    """σ_d = 2 a day, L = 4: σ_t = 2·√min(t, 4): 2, 2.83, 3.46, 4, 4, … P(out) = Φ(−on hand/σ_t)."""
    p = stock_projection.project_stock(plan(available=100.0, sigma_demand=2.0, lead_time_days=4.0), None, days=6)
    assert np.allclose(p.sd[0], 2 * np.sqrt([1, 2, 3, 4, 4, 4]))
    assert np.allclose(p.p_out[0], norm.cdf(-p.on_hand[0] / p.sd[0]))


def test_no_demand_is_never_a_stockout():
    p = stock_projection.project_stock(plan(available=0.0, demand_per_day=0.0), None, days=10)
    assert float(p.expected_stockout_days.iloc[0]) == 0.0 and p.orders.sum() == 0


def test_frame_of_one_sku_and_an_unknown_one():
    p = stock_projection.project_stock(plan(sigma_demand=1.0), None, days=5)
    frame = p.frame("A")
    assert list(frame.columns) == stock_projection.PROJECTION_COLUMNS and len(frame) == 5
    assert (frame["lo80"] <= frame["on_hand"]).all() and (frame["hi80"] >= frame["on_hand"]).all()
    assert frame["day"].iloc[0] == pd.Timestamp("2026-11-16")
    assert stock_projection.project_stock(plan(), None, days=5).frame("nope").empty
    with pytest.raises(ValueError, match="days"):
        stock_projection.project_stock(plan(), None, days=0)


def test_on_the_demo_a_higher_service_level_means_fewer_expected_stockout_days(demo_database):
    """Property on 150 real-looking SKUs: more safety stock never adds expected stockout days in total."""
    from core.forecast import forecast_table

    result = forecast_table(demo_database)
    totals = []
    for level in (0.85, 0.95, 0.99):
        p = restock.restock_from_db(demo_database, RestockParams(service_level_override=level),
                                    forecast_summary=result.summary, forecast=result)
        days = stock_projection.project_stock(p, result.daily).expected_stockout_days
        totals.append(restock.plan_totals(p, days)["stockout_days"])
    assert totals[0] > totals[1] > totals[2] > 0


def test_the_daily_matrix_gives_the_same_projection_as_the_long_forecast():
    """Two SKUs, a forecast for A only on days 2-3 (A's other days and B take the plan's d)."""
    daily = pd.DataFrame({"sku": ["A", "A"], "day": pd.to_datetime(["2026-11-17", "2026-11-18"]), "mean": [4.0, 6.0]})
    two = pd.concat([plan(available=50.0), plan(sku="B", available=30.0, demand_per_day=2.0)], ignore_index=True)
    long = stock_projection.project_stock(two, daily, days=5)
    matrix = stock_projection.project_stock(two, stock_projection.DailyMatrix.from_daily(daily), days=5)
    assert long.on_hand.tolist() == matrix.on_hand.tolist()
    assert long.on_hand[0].tolist() == [49, 45, 39, 38, 37] and long.on_hand[1].tolist() == [28, 26, 24, 22, 20]


def test_a_held_sku_is_never_reordered_in_the_projection_or_the_supplier_forecast():
    """A SKU the plan holds (graded red: clear it first) would reorder on day 1 by the plan's own rule
    (position 0 ≤ ROP + d·R = 100 + 10·7); held, nothing is ordered over the horizon."""
    from core.purchase_orders import supplier_forecast

    row = {"sku": "A", "product_name": "A", "supplier": "S", "status": "held", "demand_per_day": 10.0,
           "sigma_demand": 0.0, "lead_time_days": 10.0, "sigma_lead_time_days": 0.0, "reorder_point": 100.0,
           "safety_stock": 0.0, "available": 0.0, "reserved_transfer": 0.0, "inbound": 0.0, "open_po_units": 0.0,
           "eoq": 50.0, "moq": None, "case_pack": None, "order_qty": 0.0, "position": 0.0, "unit_cost": 1.0,
           "as_of": dt.date(2026, 11, 15)}
    free = pd.DataFrame([{**row, "blocked_by": ""}])
    held = pd.DataFrame([{**row, "blocked_by": "grade"}])
    assert stock_projection.project_stock(free, None, days=30).orders.sum() > 0
    assert stock_projection.project_stock(held, None, days=30).orders.sum() == 0
    assert supplier_forecast(free, months=1)["expected_order_units"].sum() > 0
    assert supplier_forecast(held, months=1)["expected_order_units"].sum() == 0
