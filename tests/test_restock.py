"""Restock formulas (core/metrics/restock.py), parameters (core/restock_params.py) and the per-SKU
plan (core/restock.py), each against hand-worked numbers or an independent reference."""

import dataclasses
import datetime as dt
import inspect
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

import openpyxl

from core import ingest, purchase_orders, sample, skus
from core.metrics import restock as rm
from core.restock import (RESTOCK_COLUMNS, STATUSES, VELOCITY_METHOD, purchase_order_lines, restock_from_db,
                          restock_table)
from core.restock_params import RestockParams
from tests.reportfiles import header, order_row, write_report

AS_OF = dt.date(2026, 11, 15)


# --- z -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", [0.80, 0.90, 0.95, 0.975, 0.98, 0.99, 0.999])
def test_z_matches_scipy_normal_quantile(level):
    """Reference: scipy.stats.norm.ppf."""
    assert float(rm.z_score(level)) == pytest.approx(stats.norm.ppf(level), abs=1e-12)


@pytest.mark.parametrize("level, printed", [(0.90, 1.282), (0.95, 1.645), (0.975, 1.960), (0.99, 2.326)])
def test_z_matches_printed_tables(level, printed):
    """Printed normal tables (any statistics text): 95% -> 1.645."""
    assert round(float(rm.z_score(level)), 3) == printed


@pytest.mark.parametrize("level", [0, 1, 1.2, -0.1, float("nan")])
def test_z_rejects_levels_outside_the_open_unit_interval(level):
    with pytest.raises(ValueError, match="service_level must be in"):
        rm.z_score(level)


def test_z_is_vectorised():
    assert rm.z_score(pd.Series([0.5, 0.95])).round(3).tolist() == [0.0, 1.645]


# --- lead time, safety stock, reorder point, position -------------------------------------------

def test_lead_time_is_production_plus_transit_plus_receiving():
    assert rm.lead_time_days([30, 10], [35, 7], 7).tolist() == [72.0, 24.0]


def test_safety_stock_the_issues_check():
    """Issue 4: 95% -> z = 1.645, σ_d = 20/day, L = 7 days, σ_L = 0 -> 87 units (1.645·20·√7 = 87.04)."""
    ss = float(rm.safety_stock(rm.z_score(0.95), 50, 20, 7, 0))
    assert round(ss) == 87
    assert ss == pytest.approx(1.6448536 * 20 * math.sqrt(7), rel=1e-6)


def test_safety_stock_with_lead_time_uncertainty_hand_worked():
    """d = 100/day, σ_d = 20, L = 10, σ_L = 2 days, z = 1.645:
    √(10·20² + 100²·2²) = √(4,000 + 40,000) = √44,000 = 209.76; SS = 1.645 × 209.76 = 345.06."""
    assert float(rm.lead_time_demand_sd(100, 20, 10, 2)) == pytest.approx(209.7618, abs=1e-4)
    assert float(rm.safety_stock(1.645, 100, 20, 10, 2)) == pytest.approx(345.06, abs=0.01)


def test_safety_stock_chopra_meindl_uncertain_lead_time():
    """Chopra & Meindl, Supply Chain Management (safety inventory when lead time is uncertain), in weeks:
    D = 2,500/wk, σ_D = 500, L = 7 wk, σ_L = 7 wk, CSL 0.90: σ_L-demand = √308,000,000 = 17,550;
    safety inventory = Φ⁻¹(0.9) × 17,550 = 22,491 (the units cancel, any time unit works)."""
    assert float(rm.lead_time_demand_sd(2_500, 500, 7, 7)) == pytest.approx(17_550, abs=1)
    assert float(rm.safety_stock(rm.z_score(0.90), 2_500, 500, 7, 7)) == pytest.approx(22_491, abs=2)


@given(lead=st.floats(0, 365), extra=st.floats(0.1, 100), d=st.floats(0, 1e3), sd=st.floats(0.01, 1e3),
       sd_lead=st.floats(0, 30), level=st.floats(0.51, 0.999))
def test_safety_stock_grows_with_lead_time(lead, extra, d, sd, sd_lead, level):
    z = rm.z_score(level)
    assert rm.safety_stock(z, d, sd, lead + extra, sd_lead) > rm.safety_stock(z, d, sd, lead, sd_lead)


def test_reorder_point_and_position():
    assert float(rm.reorder_point(2, 27.5, 0)) == 55.0
    assert rm.inventory_position([30, np.nan], [6, 5], [4, np.nan], [0, 10]).tolist() == [40.0, 15.0]


# --- EOQ -----------------------------------------------------------------------------------------

def test_eoq_textbook_example():
    """Heizer & Render, Operations Management, "Sharp, Inc." example: D = 1,000 units/yr,
    S = $10 per order, H = $0.50 per unit-year: Q* = √(2·1,000·10 / 0.50) = √40,000 = 200 units."""
    assert float(rm.economic_order_quantity(1_000, 10, 0.50)) == pytest.approx(200.0)


def test_eoq_with_holding_cost_from_capital_and_storage():
    """H = 15% × $10 + $1.20 storage = $2.70; D = 730, S = $50: √(2·730·50/2.7) = √27,037 = 164.43."""
    h = float(rm.holding_cost_per_unit_year(10, 0.15, 1.2))
    assert h == pytest.approx(2.7)
    assert float(rm.economic_order_quantity(730, 50, h)) == pytest.approx(164.43, abs=0.01)


def test_eoq_edge_cases():
    out = rm.economic_order_quantity([0, 100, 100], 50, [2.0, np.nan, 0.0])
    assert out[0] == 0.0 and np.isnan(out[1]) and np.isnan(out[2])
    assert np.isnan(rm.holding_cost_per_unit_year(np.nan, 0.15, 1.0))
    assert float(rm.holding_cost_per_unit_year(10, 0.15, np.nan)) == 1.5


# --- order quantity ------------------------------------------------------------------------------

@pytest.mark.parametrize("wanted, moq, case_pack, expected", [
    (29, 100, 24, 120),  # MOQ not a multiple of the case pack: MOQ itself rounds up to 5 cases
    (130, 100, 24, 144),  # above the MOQ: up to 6 cases
    (120, 100, 24, 120),  # already whole cases
    (10, 96, 24, 96),  # MOQ a multiple of the case pack
    (49, np.nan, 24, 72),  # MOQ missing
    (49, 0, 24, 72),  # MOQ 0
    (5.2, np.nan, np.nan, 6),  # case pack missing: whole units
    (5.2, 3, 1, 6),  # case pack 1
    (5.2, 3, 0, 6),  # case pack 0 treated as none
    (48.0000000001, 0, 24, 48),  # float noise does not add a case
    (0, 100, 24, 0),  # nothing wanted: no order, whatever the MOQ
])
def test_round_to_pack(wanted, moq, case_pack, expected):
    assert float(rm.round_to_pack(wanted, moq, case_pack)) == expected


def test_order_quantity_needed():
    """Position 40, ROP 55, d = 2, R = 7: gap = 55 + 14 − 40 = 29."""
    assert float(rm.order_quantity_needed(40, 55, 2, 7, 20)) == 29.0  # gap beats EOQ
    assert float(rm.order_quantity_needed(40, 55, 2, 7, 220)) == 220.0  # EOQ beats gap
    assert float(rm.order_quantity_needed(40, 55, 2, 7, np.nan)) == 29.0  # unknown cost: the gap
    assert float(rm.order_quantity_needed(70, 55, 2, 7, 220)) == 0.0  # 70 > 69: not yet
    assert float(rm.order_quantity_needed(69, 55, 2, 7, 220)) == 220.0  # at the trigger: order
    assert float(rm.order_quantity_needed(0, 0, 0, 7, 220)) == 0.0  # zero demand: no order


# --- dates and cover -----------------------------------------------------------------------------

@pytest.mark.parametrize("position, rop, d, expected", [
    (300, 180, 6, "2026-12-05"),  # (300 − 180) / 6 = 20 days
    (301, 180, 6, "2026-12-05"),  # 20.17 days: still the 20th day
    (100, 180, 6, "2026-11-15"),  # already below: today
    (300, 180, 0, "NaT"),  # no demand: never
])
def test_order_by_date(position, rop, d, expected):
    assert str(rm.order_by_date(AS_OF, position, rop, d)) == expected


@pytest.mark.parametrize("position, d, expected", [
    (300, 6, "2027-01-04"),  # 50 days
    (0, 6, "2026-11-15"),
    (-5, 6, "2026-11-15"),
    (300, 0, "NaT"),
])
def test_stockout_date(position, d, expected):
    assert str(rm.stockout_date(AS_OF, position, d)) == expected


def test_days_of_cover_after_order():
    """(max(position − d·L, 0) + Q) / d: (400 − 300 + 300) / 5 = 80; a stockout before arrival
    leaves only the order: (0 + 240) / 2 = 120; no demand with stock is infinite."""
    out = rm.days_of_cover_after_order([400, 40, 10, 0], [300, 240, 0, 0], [5, 2, 0, 0], [60, 27.5, 30, 30])
    assert out.tolist() == [80.0, 120.0, math.inf, 0.0]


# --- cost trade-off ------------------------------------------------------------------------------

@pytest.mark.parametrize("z", [-1.0, 0.0, 0.5, 1.2816, 1.645, 2.326, 3.09])
def test_normal_loss_matches_numerical_integral(z):
    """Reference: G(z) = ∫_z^∞ (x − z) φ(x) dx by scipy quadrature."""
    reference, _ = integrate.quad(lambda x: (x - z) * stats.norm.pdf(x), z, np.inf)
    assert float(rm.normal_loss(z)) == pytest.approx(reference, abs=1e-9)


def test_expected_lost_margin_hand_worked():
    """σ_LT = 100, z = 1.645: G = 0.02089, 2.089 units short a cycle; D = 1,200, Q = 200: 6 cycles;
    margin $5: 2.089 × 6 × 5 = $62.67 a year."""
    g = stats.norm.pdf(1.645) - 1.645 * stats.norm.sf(1.645)
    assert g == pytest.approx(0.02089, abs=1e-5)
    assert float(rm.expected_lost_margin(100, 1.645, 1_200, 200, 5)) == pytest.approx(100 * g * 6 * 5)
    assert np.isnan(rm.expected_lost_margin(100, 1.645, 1_200, 0, 5))
    assert float(rm.safety_stock_holding_cost(87, 2.7)) == pytest.approx(234.9)


def test_higher_service_level_trades_holding_cost_for_lost_margin():
    z = rm.z_score(np.array([0.90, 0.95, 0.99]))
    holding = rm.safety_stock_holding_cost(rm.safety_stock(z, 10, 5, 30, 3), 2.0)
    lost = rm.expected_lost_margin(rm.lead_time_demand_sd(10, 5, 30, 3), z, 3_650, 500, 8)
    assert np.all(np.diff(holding) > 0) and np.all(np.diff(lost) < 0)


# --- parameters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("service_level_a", 1.0), ("service_level_b", 0), ("service_level_c", -0.2),
    ("service_level_override", 1.5), ("service_level_overrides", (("X", 1.2),)),
    ("service_level_overrides", [("X", 0.9)]), ("transit_mode", "rail"),
    ("transit_mode_overrides", (("X", "rail"),)), ("fba_receiving_days", -1), ("order_cost", -5),
    ("review_period_days", float("nan")), ("capital_rate_annual", 1.5), ("lead_time_days_override", -3),
    ("lead_time_sd_share", -0.1), ("hold_grades", ("purple",)), ("hold_grades", ["red"]),
])
def test_params_validation_names_the_parameter(field, value):
    with pytest.raises(ValueError, match=field):
        RestockParams(**{field: value})


def test_params_are_hashable_and_replaceable():
    params = RestockParams(service_level_overrides=(("X", 0.99),))
    assert hash(params) == hash(RestockParams(service_level_overrides=(("X", 0.99),)))
    assert dataclasses.replace(params, lead_time_shift_days=14).lead_time_shift_days == 14
    assert params.service_level_for("X", "C") == 0.99
    assert params.service_level_for("Y", "A") == 0.98
    assert params.service_level_for("Y", None) == 0.90
    assert RestockParams(service_level_override=0.8).service_level_for("X", "A") == 0.8


# --- the per-SKU plan ----------------------------------------------------------------------------

def _skus() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["NOW", "SOON", "LATER", "ZERO", "NOCOST"],
        "product_name": ["Now", "Soon", "Later", "Zero", "No cost"],
        "supplier": ["Acme", "Acme", "Beta", "Beta", None],
        "available": [30.0, 60, 100, 40, 0], "inbound": [6.0, 0, 0, 0, 0],
        "reserved": [9.0, 0, 0, 0, 0], "reserved_transfer": [4.0, 0, 0, 0, 0],
        "unit_cost": [10.0, 10, 10, 10, np.nan], "price": [25.0, 25, 25, 25, 30],
        "abc_class": ["A", "B", "C", "C", "A"], "demand_per_day": [2.0, 1, 1, 0, 3],
        "storage_fees_period": [0.0] * 5, "avg_units_on_hand": [40.0] * 5,
        "units_period": [180.0, 90, 90, 0, 270], "amazon_fees_period": [900.0, 450, 450, 0, np.nan],
    })


def _costs() -> pd.DataFrame:
    """L = 10 + 10.5 + 7 receiving = 27.5 days for the four SKUs on the sheet; NOCOST is not on it."""
    return pd.DataFrame({"sku": ["NOW", "SOON", "LATER", "ZERO"], "production_lead_time_days": [10.0] * 4,
                         "transit_lead_time_days": [10.5] * 4, "moq": [100.0, 100, 100, 100],
                         "case_pack": [24.0, 24, 24, 24], "supplier": ["Acme", "Acme", "Beta", "Beta"]})


def _forecast() -> pd.DataFrame:
    """σ_d = 0 for the sheet's SKUs, so SS = 0 and ROP = d·L (hand-checkable)."""
    return pd.DataFrame({"sku": ["NOW", "SOON", "LATER", "ZERO"], "demand_per_day": [2.0, 1, 1, 0],
                         "sigma_demand": [0.0] * 4, "method": ["SES"] * 4, "wape": [0.2, 0.3, 0.4, np.nan]})


EXACT = RestockParams(lead_time_sd_share=0.0)


def test_restock_table_constructed_skus():
    """NOW: position 30 + 6 + 4 = 40 ≤ ROP 2·27.5 = 55 + 7·2 = 69: order max(EOQ √(2·730·50/1.5) = 220.6,
    gap 29) = 220.6. It sells 14 units a week (< 20: exempt from the low-inventory fee, no 28-day floor),
    so its corridor is floor 29 (the gap) to ceiling 180·2 − max(40 − 55, 0) = 360; of the accepted
    quantities around EOQ, 9 cases (216) cost 50·730/216 + 1.5·216/2 = $330.98 a year and 10 cases
    (240) $332.08: order 216; $2,160; cover after (0 + 216)/2 = 108 days.
    SOON: ROP 27.5, position 60: (60 − 27.5)/1 = 32.5 days → order by day 32 ≤ 27.5 + 14.
    LATER: 72.5 days > 41.5: not yet. ZERO: no demand. NOCOST: defaults L = 30 + 35 + 7 = 72."""
    t = restock_table(_skus(), _forecast(), _costs(), EXACT, AS_OF).set_index("sku")
    assert list(t.reset_index().columns) == RESTOCK_COLUMNS
    now = t.loc["NOW"]
    assert now["lead_time_days"] == 27.5 and now["safety_stock"] == 0 and now["reorder_point"] == 55
    assert now["position"] == 40 and now["service_level"] == 0.98
    assert now["eoq"] == pytest.approx(math.sqrt(2 * 730 * 50 / 1.5))
    assert (now["order_qty"], now["cases"], now["order_value"]) == (216, 9, 2_160)
    assert (now["floor_units"], now["ceiling_units"], now["blocked_by"]) == (29, 360, "")
    assert now["annual_cost"] == pytest.approx(50 * 730 / 216 + 1.5 * 108)
    assert now["status"] == "order now"
    assert now["reason"].startswith("position 40 ≤ reorder point 55 + 7 days' demand 14: order 216")
    assert now["order_by"] == pd.Timestamp(AS_OF)
    assert now["stockout_date"] == pd.Timestamp("2026-12-05")  # 40 / 2 = 20 days
    assert now["days_of_cover_after"] == 108
    assert now["method"] == "SES" and now["wape"] == 0.2
    assert now["unit_margin"] == pytest.approx(25 - 10 - 5)  # fees 900 / 180 units

    soon = t.loc["SOON"]
    assert soon["status"] == "soon" and soon["order_qty"] == 0
    assert soon["order_by"] == pd.Timestamp("2026-12-17")  # 32 days
    assert "within lead time 27.5 + 14 days" in soon["reason"]

    assert t.loc["LATER", "status"] == "not yet"
    assert t.loc["LATER", "order_by"] == pd.Timestamp(AS_OF + dt.timedelta(days=72))

    zero = t.loc["ZERO"]
    assert zero["status"] == "not yet" and zero["order_qty"] == 0 and zero["reason"].startswith("no demand")
    assert pd.isna(zero["order_by"]) and pd.isna(zero["stockout_date"])

    nocost = t.loc["NOCOST"]
    assert nocost["lead_time_days"] == 72 and nocost["method"] == VELOCITY_METHOD
    assert nocost["sigma_demand"] == pytest.approx(math.sqrt(3))
    assert np.isnan(nocost["eoq"]) and np.isnan(nocost["order_value"]) and np.isnan(nocost["cases"])
    ss = rm.z_score(0.98) * math.sqrt(3) * math.sqrt(72)
    # 21 units a week (≥ 20): not exempt, so the gap adds the 28-day low-inventory floor 28 × 3 = 84.
    assert not nocost["low_inventory_exempt"] and nocost["low_inventory_floor_units"] == 84
    assert nocost["order_qty"] == math.ceil(3 * 72 + ss + 21 + 84)  # the gap, in whole units
    assert np.isnan(nocost["unit_margin"]) and np.isnan(nocost["expected_lost_margin"])  # no cost, no margin


def test_a_red_sku_that_would_be_ordered_now_is_held():
    """NOW's numbers order 216 today (test above). Graded red (days of supply over 180), it is held:
    status "held", order 0, no order-by date, blocked by its grade, and the reason says why and what
    the plan would otherwise do. SOON graded orange is held too ("soon" otherwise: its order-by date
    2026-12-17 stays in the reason). LATER graded yellow is not held by default; with
    ``hold_grades`` including yellow it is. The same SKUs ungraded are planned as before."""
    graded = _skus().assign(grade=["red", "orange", "yellow", "", ""],
                            signals=["days of supply over 180", "days of supply over 90; sales down over 30% "
                                     "two 30-day periods running", "days of supply over 90", "", ""])
    t = restock_table(graded, _forecast(), _costs(), EXACT, AS_OF).set_index("sku")
    now = t.loc["NOW"]
    assert now["status"] == "held" and now["blocked_by"] == "grade"
    assert (now["order_qty"], now["cases"], now["order_value"]) == (0, 0, 0)
    assert pd.isna(now["order_by"]) and now["order_qty_needed"] == pytest.approx(math.sqrt(2 * 730 * 50 / 1.5))
    assert now["reason"] == "held: graded red, clear it first (days of supply over 180); otherwise order 216 now"
    assert now["days_of_cover_after"] == pytest.approx(max(40 - 2 * 27.5, 0) / 2)  # nothing arrives
    soon = t.loc["SOON"]
    assert soon["status"] == "held" and soon["reason"].startswith("held: graded orange, lift its sales first (")
    assert soon["reason"].endswith("; otherwise order by 2026-12-17")
    assert t.loc["LATER", "status"] == "not yet" and t.loc["LATER", "blocked_by"] == ""
    assert t.loc["ZERO", "status"] == "not yet" and t.loc["NOCOST", "status"] == "order now"
    assert purchase_order_lines(t.reset_index())["sku"].tolist() == ["NOCOST"]
    strict = restock_table(graded, _forecast(), _costs(), dataclasses.replace(
        EXACT, hold_grades=("red", "orange", "yellow")), AS_OF).set_index("sku")
    assert strict.loc["LATER", "status"] == "held"
    assert strict.loc["LATER", "reason"] == "held: graded yellow, check its listing first (days of supply over 90)"
    plain = restock_table(_skus(), _forecast(), _costs(), EXACT, AS_OF)
    assert (plain["blocked_by"] == "").all() and plain.loc[0, "status"] == "order now"


def test_restock_table_without_forecast_uses_velocity_and_poisson_sigma():
    t = restock_table(_skus(), None, _costs(), RestockParams(), AS_OF)
    assert (t["method"] == VELOCITY_METHOD).all() and t["wape"].isna().all()
    assert t["sigma_demand"].tolist() == pytest.approx(np.sqrt([2, 1, 1, 0, 3]).tolist())
    assert t["sigma_lead_time"].tolist() == pytest.approx((t["lead_time_days"] * 0.10).tolist())


def test_restock_table_without_transfer_breakdown_counts_total_reserved():
    t = restock_table(_skus().drop(columns="reserved_transfer"), None, _costs(), EXACT, AS_OF)
    assert t.loc[0, "position"] == 30 + 6 + 9


def test_service_levels_by_class_sku_and_global_override():
    params = RestockParams(service_level_overrides=(("LATER", 0.999),))
    t = restock_table(_skus(), None, _costs(), params, AS_OF)
    assert t["service_level"].tolist() == [0.98, 0.95, 0.999, 0.90, 0.98]
    assert t["z"].tolist() == pytest.approx(stats.norm.ppf(t["service_level"]).tolist())
    t = restock_table(_skus(), None, _costs(), dataclasses.replace(params, service_level_override=0.85), AS_OF)
    assert (t["service_level"] == 0.85).all()


def test_lead_time_what_ifs():
    base = restock_table(_skus(), None, _costs(), EXACT, AS_OF)["lead_time_days"]
    shifted = restock_table(_skus(), None, _costs(), dataclasses.replace(EXACT, lead_time_shift_days=-30), AS_OF)
    assert shifted["lead_time_days"].tolist() == [0.0, 0.0, 0.0, 0.0, 42.0]  # clipped at 0
    fixed = restock_table(_skus(), None, _costs(), dataclasses.replace(EXACT, lead_time_days_override=20), AS_OF)
    assert (fixed["lead_time_days"] == 20).all()
    air = restock_table(_skus(), None, _costs(), dataclasses.replace(
        EXACT, transit_mode_overrides=(("NOW", "air"),), transit_mode="air"), AS_OF)
    assert air["transit_days"].tolist() == [7.0, 10.5, 10.5, 10.5, 7.0]
    assert base.tolist() == [27.5] * 4 + [72.0]
    longer = restock_table(_skus(), None, _costs(), dataclasses.replace(EXACT, lead_time_shift_days=10), AS_OF)
    assert (longer["reorder_point"] >= restock_table(_skus(), None, _costs(), EXACT, AS_OF)["reorder_point"]).all()


def test_cost_trade_off_columns():
    t = restock_table(_skus(), None, _costs(), RestockParams(), AS_OF).set_index("sku")
    row = t.loc["NOW"]
    sigma_lt = rm.lead_time_demand_sd(2, math.sqrt(2), 27.5, 2.75)
    assert row["holding_cost_safety_stock"] == pytest.approx(row["safety_stock"] * 1.5)
    assert row["expected_lost_margin"] == pytest.approx(
        float(sigma_lt * rm.normal_loss(row["z"]) * 730 / row["order_qty"] * 10))


def test_purchase_order_lines_keep_order_now_lines():
    lines = purchase_order_lines(restock_table(_skus(), _forecast(), _costs(), EXACT, AS_OF))
    assert lines["sku"].tolist() == ["NOCOST", "NOW"]  # '(no supplier)' sorts before 'Acme'
    assert lines["supplier"].tolist() == ["(no supplier)", "Acme"]
    assert lines.loc[1, "line_total"] == 2_160 and np.isnan(lines.loc[0, "line_total"])


# --- the demo account ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("restock") / "demo.duckdb"
    sample.load_sample(path)
    return path


def test_restock_from_db_on_the_demo_account(demo_db):
    plan = restock_from_db(demo_db)
    health = skus.sku_table(demo_db).frame
    assert sorted(plan["sku"]) == sorted(health["sku"]) and plan["sku"].is_unique
    ordered = plan[plan["order_qty"] > 0]
    assert len(ordered) > 0 and set(ordered["status"]) == {"order now"}
    assert (plan.loc[plan["status"] == "order now", "order_qty"] > 0).all()
    assert (ordered["order_qty"] >= ordered["moq"].fillna(0)).all()
    pack = ordered["case_pack"].fillna(1)
    assert (ordered["order_qty"] % pack == 0).all()
    assert (ordered["cases"] == ordered["order_qty"] / pack).all()
    assert plan["status"].isin(STATUSES).all()
    assert plan["reason"].str.len().gt(0).all()
    # Red and orange SKUs are held, never "order now": nothing to order, the grade as the reason.
    grade = plan["sku"].map(health.set_index("sku")["grade"])
    slow = grade.isin(["red", "orange"])
    assert slow.any() and (plan.loc[slow, "status"] == "held").all()
    assert (plan.loc[slow, "order_qty"] == 0).all() and (plan.loc[slow, "blocked_by"] == "grade").all()
    assert plan.loc[slow, "reason"].str.startswith("held: graded ").all()
    assert plan.loc[~slow, "blocked_by"].isin(["", "ceiling", "capacity", "moq"]).all()
    assert not (plan.loc[~slow, "status"] == "held").any()
    assert (plan["z"] > 0).all() and (plan["reorder_point"] >= plan["safety_stock"]).all()
    assert not plan["reason"].str.contains(skus.NO_STOCK_SNAPSHOT).any()  # a snapshot: the position is known


def test_restock_from_db_what_if_and_empty_database(demo_db, tmp_path):
    base = restock_from_db(demo_db)
    longer = restock_from_db(demo_db, RestockParams(lead_time_shift_days=30))
    assert (longer["lead_time_days"] == base["lead_time_days"] + 30).all()
    # A longer lead time raises every floor and never orders less in all; a SKU may order a case less,
    # as its larger safety stock makes each later order wait longer (aged surcharge) in the corridor.
    assert (longer["floor_units"] >= base["floor_units"] - 1e-9).all()
    assert longer["order_qty"].sum() > base["order_qty"].sum()
    assert ((longer["order_qty"] >= base["order_qty"]) | (longer["blocked_by"] == "")).all()
    eoq = dataclasses.replace(RestockParams(), plan_rule="eoq")  # the former rule: per SKU too
    assert (restock_from_db(demo_db, dataclasses.replace(eoq, lead_time_shift_days=30))["order_qty"]
            >= restock_from_db(demo_db, eoq)["order_qty"]).all()
    empty = restock_from_db(tmp_path / "empty.duckdb")
    assert empty.empty and list(empty.columns) == RESTOCK_COLUMNS


def test_demo_plan_to_purchase_order_workbook(demo_db):
    plan = restock_from_db(demo_db)
    lines = purchase_order_lines(plan)
    book = openpyxl.load_workbook(io.BytesIO(purchase_orders.purchase_order_xlsx(lines, AS_OF)))
    assert len(book.sheetnames) == lines["supplier"].nunique()
    total_units = 0
    for sheet in book.worksheets:  # the total is a formula (=SUM): add up the line cells it sums
        first = purchase_orders.HEADER_ROW + 1
        total_row = next(r for r in range(first, sheet.max_row + 1) if sheet.cell(r, 1).value == "Total")
        assert sheet.cell(total_row, 5).value == f"=SUM(E{first}:E{total_row - 1})"
        total_units += sum(sheet.cell(r, 5).value for r in range(first, total_row))
    assert total_units == lines["order_qty"].sum()
    forecast = purchase_orders.supplier_forecast(plan)
    assert len(forecast) == 3 * len(plan)


DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"
FORMULAS = [name for name, fn in inspect.getmembers(rm, inspect.isfunction)
            if fn.__module__ == rm.__name__ and not name.startswith("_")]


@pytest.mark.parametrize("name", FORMULAS)
def test_every_restock_formula_is_documented(name):
    assert f"metrics.restock.{name}`" in DOCS.read_text(encoding="utf-8")
    assert inspect.getdoc(getattr(rm, name))


def test_resellable_returns_are_deducted_from_the_plans_demand():
    """NOW sells 2 a day and 0.5 a day come back sellable: the plan buys for 1.5 a day. σ_d (√2,
    from the gross velocity) and so the safety stock are unchanged; ROP = d·L + SS drops by
    0.5 × L = 0.5 × 27.5 = 13.75 units."""
    resold = pd.DataFrame({"sku": ["NOW", "ZERO"], "resellable_per_day": [0.5, 0.3]})
    t = restock_table(_skus(), None, _costs(), EXACT, AS_OF, resellable_returns=resold).set_index("sku")
    plain = restock_table(_skus(), None, _costs(), EXACT, AS_OF).set_index("sku")
    assert t.loc["NOW", "gross_demand_per_day"] == 2.0 and t.loc["NOW", "demand_per_day"] == 1.5
    assert t.loc["ZERO", "demand_per_day"] == 0.0  # never below zero
    assert t.loc["SOON", "demand_per_day"] == plain.loc["SOON", "demand_per_day"] == 1.0
    assert t.loc["NOW", "reorder_point"] == pytest.approx(plain.loc["NOW", "reorder_point"] - 0.5 * 27.5)


# --- event uplift in the reason ------------------------------------------------------------------

def test_an_event_inside_the_demand_window_is_named_in_the_reason_and_one_outside_is_not():
    """SKU E sold 2 a day, in stock, for the 60 days to 1 Mar 2026 (no built-in event near: Prime Day
    is in July, BFCM in November). Two events of the seller's own, no past occurrence, so their
    default uplift applies (said so: "(default)"): Spring sale 6-8 Mar ×2.0, inside the next 28 days the demand per day
    averages; Summer sale 10-12 Apr ×3.0, outside them. Demand per day = 2 × (25 + 3 × 2.0) ÷ 28 =
    2.214; the reason names the Spring sale with its dates and factor, and not the Summer sale.
    SKU F sold nothing: no demand, no event in its reason."""
    from core.forecast.engine import forecast_arrays
    from core.forecast.params import Event, ForecastParams
    from core.forecast.sales_history import SalesHistory

    as_of = dt.date(2026, 3, 1)
    days = np.arange(np.datetime64(as_of) - 59, np.datetime64(as_of) + 1)
    history = SalesHistory(np.array(["E", "F"], dtype=object), days,
                           np.vstack([np.full(60, 2.0), np.zeros(60)]), np.ones((2, 60), bool))
    params = ForecastParams(events=(Event("Spring sale", dt.date(2026, 3, 6), dt.date(2026, 3, 8), 2.0),
                                    Event("Summer sale", dt.date(2026, 4, 10), dt.date(2026, 4, 12), 3.0)))
    summary = forecast_arrays(history, as_of, params).summary.set_index("sku")
    assert summary.loc["E", "demand_per_day"] == pytest.approx(2 * (25 + 3 * 2.0) / 28)
    assert summary.loc["E", "demand_events"] == "Spring sale 6-8 Mar, ×2.0 (default)"
    assert summary.loc["E", "event_uplift_text"] == (  # the whole 180-day horizon, Prime Day included
        "Spring sale 6-8 Mar, ×2.0 (default); Summer sale 10-12 Apr, ×3.0 (default); "
        "Prime Day 8-11 Jul, ×2.0 (default; editable in Settings)")
    assert summary.loc["F", "demand_events"] == ""

    frame = pd.DataFrame({"sku": ["E", "F"], "product_name": ["E", "F"], "available": [10.0, 50.0],
                          "inbound": [0.0, 0.0], "reserved": [0.0, 0.0], "unit_cost": [5.0, 5.0],
                          "price": [20.0, 20.0], "abc_class": ["A", "C"], "demand_per_day": [2.0, 0.0]})
    plan = restock_table(frame, summary.reset_index(), pd.DataFrame(), EXACT, as_of).set_index("sku")
    e = plan.loc["E"]
    assert e["status"] == "order now"
    assert e["reason"].endswith("; demand includes Spring sale 6-8 Mar, ×2.0 (default)")
    assert "Summer" not in e["reason"] and e["demand_events"] == "Spring sale 6-8 Mar, ×2.0 (default)"
    assert plan.loc["F", "reason"] == "no demand: nothing to order"


def test_event_text_in_words():
    """The calendar's own events: Prime Day 2026 is 8-11 July (its default ×2.0); BFCM 2025 runs from
    Friday 28 November to Monday 1 December."""
    from core.forecast import events
    from core.forecast.params import ForecastParams

    calendar = events.event_calendar(ForecastParams(), dt.date(2025, 11, 1), dt.date(2026, 7, 31))
    days = np.arange(np.datetime64("2025-11-20"), np.datetime64("2025-12-18"))
    factors = np.where(events.day_mask(days, dt.date(2025, 11, 28), dt.date(2025, 12, 1)), 1.8, 1.0)[None, :]
    assert events.demand_events_text(factors, days, calendar).tolist() == [
        "Black Friday-Cyber Monday 28 Nov-1 Dec, ×1.8"]
    july = np.arange(np.datetime64("2026-07-01"), np.datetime64("2026-07-29"))
    in_july = np.where(events.day_mask(july, dt.date(2026, 7, 8), dt.date(2026, 7, 11)), 2.0, 1.0)
    assert events.demand_events_text(np.vstack([in_july, np.ones(28)]), july, calendar).tolist() == [
        "Prime Day 8-11 Jul, ×2.0", ""]


# --- an account that has loaded only order history (issue 15) ----------------------------------------

LAST_ORDER_DAY = dt.date(2026, 11, 12)


@pytest.fixture(scope="module")
def orders_only_db(tmp_path_factory):
    """A real All Orders file alone in a real database, no stock snapshot: OO-A sells 3 a day (one
    line of 3 at $30.00) every day from 14 Sep to 12 Nov 2026, the last line written; OO-B sold 1 on
    20 Sep and nothing since."""
    folder = tmp_path_factory.mktemp("orders_only")
    rows = [order_row(f"A-{n}", "OO-A", qty=3, price="30.00",
                      date=f"{LAST_ORDER_DAY - dt.timedelta(days=n)}T10:00:00+00:00") for n in range(60)]
    rows.append(order_row("B-1", "OO-B", qty=1, price="12.00", date="2026-09-20T10:00:00+00:00"))
    path = folder / "orders_only.duckdb"
    orders = write_report(folder / "orders.txt", header("orders_2026_34"), rows)
    assert ingest.load_report(path, orders).status == "loaded"
    return path


def test_an_orders_only_plan_takes_the_position_as_0_and_says_so(orders_only_db):
    """As of the last order day, 12 Nov. OO-A: d = 90 units in the 30 days to 12 Nov ÷ 30 = 3 a day
    (no forecast: the velocity, σ_d = √3); L = 20, σ_L = 0: σ_LT = √(20 × 3) = √60, SS = 1.6449 × √60
    = 12.74, ROP = 3 × 20 + 12.74 = 72.74. It sold 21 units in the last 7 days (≥ 20) and for 60 days
    (not new): the low-inventory floor applies; without a cost there is no cycle quantity, so it is the
    full 28 × 3 = 84 (stock never under 28 days' demand). Position 0 ≤ ROP + 84 + 7 × 3: order
    now, needed 72.74 + 84 + 21 − 0 = 177.74 (no cost, no EOQ: the floor) → 178; ceiling 180 × 3 = 540.
    OO-B: no sale in the 30 days, no demand, nothing to order."""
    params = dataclasses.replace(EXACT, lead_time_days_override=20, service_level_override=0.95)
    plan = restock_from_db(orders_only_db, params).set_index("sku")
    assert sorted(plan.index) == ["OO-A", "OO-B"]
    assert (plan["as_of"] == LAST_ORDER_DAY).all()
    assert (plan[["available", "inbound", "reserved_transfer", "open_po_units", "position"]] == 0).all().all()
    a = plan.loc["OO-A"]
    assert a["demand_per_day"] == pytest.approx(3.0) and a["sigma_demand"] == pytest.approx(math.sqrt(3))
    ss = stats.norm.ppf(0.95) * math.sqrt(60)
    assert a["safety_stock"] == pytest.approx(ss) and a["reorder_point"] == pytest.approx(60 + ss)
    assert a["status"] == "order now" and a["order_qty_needed"] == pytest.approx(60 + ss + 84 + 21)
    assert a["order_qty"] == 178 and a["ceiling_units"] == pytest.approx(540)
    assert a["reason"].startswith("no stock snapshot loaded: position taken as 0; position 0 ≤ reorder point "
                                  "72.7 + low-inventory floor 84 + 7 days' demand 21: order 178 "
                                  "(needed 178, MOQ 0, case pack 1)")
    b = plan.loc["OO-B"]
    assert b["demand_per_day"] == 0 and b["order_qty"] == 0 and b["status"] != "order now"
    assert b["reason"] == "no stock snapshot loaded: position taken as 0; no demand: nothing to order"


def test_an_orders_only_plan_with_the_forecast_orders_every_sku_with_demand_now(orders_only_db):
    """The forecast starts at the last order day too; with the position 0, every SKU it gives demand
    is "order now" for ROP + d·R (no cost, so no EOQ)."""
    from core.forecast import forecast_table

    result = forecast_table(orders_only_db)
    assert result.as_of == LAST_ORDER_DAY
    assert result.daily["day"].min() == pd.Timestamp(LAST_ORDER_DAY + dt.timedelta(days=1))
    plan = restock_from_db(orders_only_db, EXACT, forecast_summary=result.summary).set_index("sku")
    demand = plan[plan["demand_per_day"] > 0]
    assert "OO-A" in demand.index and (demand["method"] != VELOCITY_METHOD).all()
    assert (demand["status"] == "order now").all()
    assert np.allclose(demand["order_qty_needed"], demand["reorder_point"] + demand["low_inventory_floor_units"]
                       + EXACT.review_period_days * demand["demand_per_day"])
    assert plan["reason"].str.startswith(skus.NO_STOCK_SNAPSHOT + "; ").all()
