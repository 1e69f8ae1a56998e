"""What-if: move service level, lead time and costs, and compare the plan with the baseline.
The demand forecast is fitted once; only the restock arithmetic reruns."""

import dataclasses

import streamlit as st

from pages import _common as common

st.title("What-if")
table, frame = common.guard_skus("Nothing is loaded yet, so there is no restock plan to try.")
base = common.restock_params()
common.scope_caption(table, frame)

left, right = st.columns(2)
service = left.slider("Service level, every SKU (%)", 80.0, 99.9, 95.0, 0.1, key="whatif_service",
                      help="Replaces the per-class levels (A 98%, B 95%, C 90%) for the scenario.")
shift = left.slider("Lead-time shift (days)", -30, 60, 0, 1, key="whatif_shift",
                    help="Added to every SKU's lead time (never below zero).")
order_cost = right.slider("Order cost ($ per PO line)", 0.0, 500.0, float(base.order_cost), 5.0,
                          key="whatif_order_cost")
capital = right.slider("Capital cost (% a year)", 0.0, 50.0, base.capital_rate_annual * 100, 0.5,
                       key="whatif_capital")
scenario = dataclasses.replace(base, service_level_override=service / 100,
                               lead_time_shift_days=float(shift), order_cost=order_cost,
                               capital_rate_annual=capital / 100)

baseline_plan = common.restock_view(common.restock_plan(base), frame)
scenario_plan = common.restock_view(common.restock_plan(scenario), frame)
before, after = common.restock_totals(baseline_plan), common.restock_totals(scenario_plan)

figures = [("cash", "Cash needed now", common.money, "Σ order value of the SKUs to order now."),
           ("safety_stock", "Safety stock", lambda x: f"{common.number(x)} units", "Σ safety stock units."),
           ("holding", "Safety-stock holding cost", common.money, "Σ annual holding cost of safety stock."),
           ("lost_margin", "Expected lost margin", common.money, "Σ expected margin lost to stockouts.")]
st.subheader("Baseline vs scenario")
for column, (key, name, fmt, why) in zip(st.columns(4), figures):
    column.metric(f"{name} (baseline)", fmt(before[key]), border=True, help=why)
for column, (key, name, fmt, why) in zip(st.columns(4), figures):
    change = after[key] - before[key]
    column.metric(f"{name} (scenario)", fmt(after[key]), f"{change:+,.0f}", border=True, help=why,
                  delta_color="off" if key == "safety_stock" else "inverse")
st.caption("Baseline: service level by ABC class (A 98%, B 95%, C 90%), lead times as planned, the order "
           "cost and the capital rate from Settings. The forecast is the same in both.")

st.subheader("Scenario plan")
counts = common.restock_counts(scenario_plan)
st.caption(" · ".join(f"{status}: {n:,} SKUs" for status, n in counts.items()))
common.show_restock_table(scenario_plan, width="stretch", height=480)
