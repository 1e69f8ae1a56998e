"""The clearance advisor (core/clearance.py): every option's cost on one SKU worked on paper, the
recommendation, the export list, and validation.

The worked SKU: 500 units, unit cost $8, price $25, Amazon fee $9 a unit sold, demand 1 a day, horizon
6 months (T = 365 / 12 × 6 = 182.5 days), keeping the excess costs $381 of storage and surcharges over
the horizon. Default parameters.

- Excess q = 500 − 1 × 182.5 = 317.5 units; 182.5 sell anyway. Storage per unit k = 381 / 317.5 = $1.20;
  capital per unit = 8 × 0.15 × 6 / 12 = $0.60.
- keep: 317.5 × (1.20 + 0.60) = 571.50.
- discount 20%, elasticity 2: demand +40%, n = 0.4 × 182.5 = 73 extra units at $20.
  in 73 × 20 = 1,460; out 73 × 9 + 1.20 × 244.5 + 1.20 × 73 / 2 = 657 + 293.4 + 43.8 = 994.2;
  given up 73 × 8 + 0.60 × 244.5 + 0.60 × 36.5 + 182.5 × 5 = 584 + 146.7 + 21.9 + 912.5 = 1,665.1;
  cost 994.2 − 1,460 + 1,665.1 = 1,199.30.
- advertise: +50%, n = 91.25 at $25, ad spend 0.15 × 25 = $3.75 each.
  in 2,281.25; out 91.25 × 12.75 + 1.20 × 226.25 + 1.20 × 45.625 = 1,163.4375 + 271.5 + 54.75 = 1,489.6875;
  given up 730 + 135.75 + 27.375 = 893.125; cost 101.5625.
- bundle: +30%, n = 54.75 at $22.50. in 1,231.875; out 492.75 + 315.3 + 32.85 = 840.9;
  given up 438 + 157.65 + 16.425 = 612.075; cost 221.10.
- removal: 317.5 × (1.04 + 1.00 + 0.10 × 6) = 838.20 + capital 190.50 = 1,028.70.
- liquidation: in 317.5 × 2.50 = 793.75; out 317.5 × 1.04 = 330.20; written off 2,540: 2,076.45.
- disposal and donation: 330.20 + 2,540 = 2,870.20; donation's possible tax saving 2,540 × 0.21 = 533.40.
Cheapest: advertise.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import clearance, skus
from core.clearance import ClearanceParams

EXPECTED = {"keep": 571.5, "discount": 1199.3, "advertise": 101.5625, "bundle": 221.1, "removal": 1028.7,
            "liquidation": 2076.45, "disposal": 2870.2, "donation": 2870.2}


def worked(**extra):
    row = {"sku": "W", "units": 500.0, "unit_cost": 8.0, "price": 25.0, "fee_per_unit": 9.0,
           "demand_per_day": 1.0, "keep_cost_horizon": 381.0, "fnsku": "X0W", "product_name": "Worked mug"}
    row.update(extra)
    return pd.DataFrame([row])


def test_every_option_cost_worked_on_paper():
    o = clearance.clearance_options(worked()).set_index("option")
    assert list(o.index) == list(clearance.OPTIONS)
    assert (o["units_affected"] == 317.5).all()
    for option, cost in EXPECTED.items():
        assert o.loc[option, "cost"] == pytest.approx(cost), option
    assert o.loc["discount", "cash_in"] == pytest.approx(1460) and o.loc["discount", "cash_out"] == pytest.approx(994.2)
    assert o.loc["discount", "value_given_up"] == pytest.approx(1665.1)
    assert o.loc["discount", "units_cleared"] == pytest.approx(73)
    assert o.loc["advertise", "units_cleared"] == pytest.approx(91.25)
    assert o.loc["liquidation", "cash_in"] == pytest.approx(793.75)
    assert o.loc["donation", "possible_tax_saving"] == pytest.approx(533.4)
    assert o.loc["disposal", "possible_tax_saving"] == 0
    assert "accountant" in o.loc["donation", "note"]
    assert (o["cost"] - (o["cash_out"] - o["cash_in"] + o["value_given_up"])).abs().max() < 1e-9


def test_recommendation_picks_the_cheapest():
    rec = clearance.recommend(clearance.clearance_options(worked())).iloc[0]
    assert rec["option"] == "advertise" and rec["cost"] == pytest.approx(101.5625)
    assert rec["keep_cost"] == pytest.approx(571.5) and rec["saving_vs_keep"] == pytest.approx(469.9375)
    assert rec["complete"]


def test_dead_stock_cannot_be_sold_off_and_ties_go_to_keep():
    """No demand: discount, advertising and bundles sell nothing and cost exactly what keeping does;
    with storage cheap, keep wins the tie. With storage dear, removal wins."""
    cheap = clearance.clearance_options(worked(demand_per_day=0.0, keep_cost_horizon=50.0)).set_index("option")
    assert cheap.loc[["discount", "advertise", "bundle"], "cost"].tolist() == pytest.approx([cheap.loc["keep", "cost"]] * 3)
    assert clearance.recommend(cheap.reset_index()).iloc[0]["option"] == "keep"
    dear = clearance.clearance_options(worked(demand_per_day=0.0, keep_cost_horizon=5000.0))
    assert clearance.recommend(dear).iloc[0]["option"] == "removal"


def test_a_picked_sku_without_excess_is_priced_on_all_its_units():
    """100 units at 1 a day: 182.5 days sell them all, no excess; options priced on the 100 units."""
    o = clearance.clearance_options(worked(units=100.0, keep_cost_horizon=120.0))
    assert (o["units_affected"] == 100).all()
    disposal = o.set_index("option").loc["disposal"]
    assert disposal["cost"] == pytest.approx(100 * (1.04 + 8))


def test_per_sku_fees_override_the_defaults():
    o = clearance.clearance_options(worked(removal_fee_per_unit=2.0, disposal_fee_per_unit=np.nan)).set_index("option")
    assert o.loc["removal", "cost"] == pytest.approx(317.5 * (2.0 + 1.0 + 0.6) + 190.5)
    assert o.loc["liquidation", "cash_out"] == pytest.approx(317.5 * 2.0)
    assert o.loc["disposal", "cost"] == pytest.approx(EXPECTED["disposal"])  # NaN falls back to 1.04


def test_keep_cost_inputs_in_order_of_preference():
    base = worked().drop(columns="keep_cost_horizon")
    per_month = clearance.clearance_options(base.assign(keep_cost_per_unit_month=0.2)).set_index("option")
    assert per_month.loc["keep", "cash_out"] == pytest.approx(317.5 * 0.2 * 6)
    cuft = clearance.clearance_options(base.assign(cubic_feet_per_unit=0.5)).set_index("option")
    assert cuft.loc["keep", "cash_out"] == pytest.approx(317.5 * 0.5 * 0.78 * 6)
    with pytest.raises(ValueError, match="keep_cost_horizon"):
        clearance.clearance_options(base)


def test_missing_unit_cost_is_unknown_not_free():
    rec = clearance.recommend(clearance.clearance_options(pd.concat([worked(), worked(sku="N", unit_cost=np.nan)])))
    n = rec.set_index("sku").loc["N"]
    assert n["option"] == "" and math.isnan(n["cost"]) and not n["complete"]
    assert rec.set_index("sku").loc["W", "option"] == "advertise"


def test_what_if_parameters_move_the_answer():
    """A 50% discount with elasticity 4 clears 4 × 0.5 × 182.5 = 365 → capped at the 317.5 excess."""
    deep = ClearanceParams(discount_pct=0.5, price_elasticity=4.0)
    o = clearance.clearance_options(worked(), deep).set_index("option")
    assert o.loc["discount", "units_cleared"] == pytest.approx(317.5)
    longer = clearance.clearance_options(worked(), dataclasses.replace(ClearanceParams(), horizon_months=12))
    assert longer["units_affected"].iloc[0] == pytest.approx(500 - 365)


def test_clearance_list_for_export():
    frame = pd.concat([worked(), worked(sku="D", fnsku="X0D", product_name="Dead", demand_per_day=0.0,
                                        keep_cost_horizon=5000.0)], ignore_index=True)
    rec = clearance.recommend(clearance.clearance_options(frame))
    out = clearance.clearance_list(frame, rec)
    assert list(out.columns) == clearance.LIST_COLUMNS
    assert out.to_dict("records") == [{"sku": "D", "fnsku": "X0D", "product_name": "Dead", "option": "removal",
                                       "units": 500}]
    edited = rec.assign(option=["liquidation", "removal"])  # the seller overrides the advice
    assert clearance.clearance_list(frame, edited)["units"].tolist() == [317, 500]
    with pytest.raises(ValueError, match="options must be among"):
        clearance.clearance_list(frame, rec, options=("burn",))


@pytest.mark.parametrize("field, value, message", [
    ("horizon_months", 0, "horizon_months"), ("horizon_months", 2.5, "horizon_months"),
    ("discount_pct", 1.0, "discount_pct"), ("price_elasticity", -1.0, "price_elasticity"),
    ("liquidation_recovery_share", 1.5, "liquidation_recovery_share"), ("tax_rate", -0.1, "tax_rate"),
    ("removal_fee_per_unit", float("nan"), "removal_fee_per_unit"), ("ad_uplift", True, "ad_uplift"),
])
def test_params_validation_names_the_parameter(field, value, message):
    with pytest.raises(ValueError, match=message):
        ClearanceParams(**{field: value})


def test_input_validation():
    with pytest.raises(ValueError, match="lacks the columns"):
        clearance.clearance_options(worked().drop(columns="price"))
    with pytest.raises(ValueError, match="units must be >= 0"):
        clearance.clearance_options(worked(units=-1.0))
    with pytest.raises(ValueError, match="demand_per_day must be >= 0"):
        clearance.clearance_options(worked(demand_per_day=-1.0))


@settings(max_examples=50, deadline=None)
@given(units=st.floats(0, 5000), demand=st.floats(0, 50), cost=st.floats(0.01, 100), price=st.floats(0.01, 300),
       keep=st.floats(0, 5000))
def test_invariants(units, demand, cost, price, keep):
    o = clearance.clearance_options(worked(units=units, demand_per_day=demand, unit_cost=cost, price=price,
                                           keep_cost_horizon=keep))
    assert (o["units_cleared"] <= o["units_affected"] + 1e-9).all()
    assert (o["units_affected"] <= units + 1e-9).all()
    assert np.allclose(o["cost"], o["cash_out"] - o["cash_in"] + o["value_given_up"])
    by = o.set_index("option")["cost"]
    assert by["liquidation"] <= by["disposal"] + 1e-6  # same fee and write-off, plus a recovery


def test_demo_red_and_orange_skus(demo_database):
    frame = skus.sku_table(demo_database).frame
    inp = clearance.clearance_input_from_skus(frame)
    picked = inp[inp["grade"].isin(["red", "orange"])]
    rec = clearance.recommend(clearance.clearance_options(picked))
    assert len(rec) == len(picked) > 0
    assert set(rec["option"]) <= {*clearance.OPTIONS, ""}
    known = rec[rec["complete"]]
    assert (known["cost"] <= known["keep_cost"] + 1e-9).all()  # never worse than keeping
