"""What-if: move service level, lead time and costs, and compare the plan with the baseline.
The demand forecast is fitted once; only the restock arithmetic and the stock projection rerun.

Everything the sliders move is one fragment: a slider's callback reruns it alone (not app.py, not the
baseline, no database read, not the sliders), with the baseline plan, its totals and its projection
computed once per full run and handed in. Choosing another SKU reruns the page."""

import dataclasses
from pathlib import Path

import streamlit as st

from core import charts, db, restock
from pages import _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("What-if")
table, frame = common.guard_skus("Nothing is loaded yet, so there is no restock plan to try.",
                                 orders_only=True)
common.scope_caption(table, frame)
common.missing_notes("whatif")
scope = plan_view.plan_scope()
base = plan_view.restock_params()
baseline_plan = plan_view.restock_view(plan_view.scope_plan(scope, base), frame)
before = plan_view.restock_totals(scope, baseline_plan, base)


SCENARIO = "whatif_scenario"  # the fragment's key
# Rows of the SKU-by-SKU table: 10,000 rows re-sent on every move cost the browser 120-150 ms.
SKU_ROWS_SHOWN = 1_000


def slider_moved() -> None:
    """A slider moved: rerun the scenario fragment only (the sliders stay as they are drawn)."""
    st.rerun(SCENARIO)


def service_level_moved() -> None:
    """Moving the service-level slider means one level for every SKU: the toggle follows it."""
    st.session_state["whatif_one_level"] = True
    st.rerun(SCENARIO)


# The page top to bottom: the toggle and the sliders, the totals, the SKU picker, the chart and the
# table. The sliders and the picker are drawn once per full run (a fragment's own widgets are redrawn
# on each of its reruns; 10,000 SKU options cost the browser more than the chart); a slider's callback
# reruns the fragment, which draws the rest into the containers around them.
left, right = st.columns(2)
toggle_box = left.container()
left.slider("Service level, every SKU", 80.0, 99.9, 95.0, 0.1, key="whatif_service", format="%.1f%%",
            on_change=service_level_moved,
            help="The chance of not running out during a replenishment cycle. Moving it applies one level "
                 "to every SKU.")
left.slider("Lead-time shift", -30, 60, 0, 1, key="whatif_shift", format="%+d days", on_change=slider_moved,
            help="Added to every SKU's lead time (never below zero).")
right.slider("Order cost per PO line", 0.0, 500.0, float(base.order_cost), 5.0, key="whatif_order_cost",
             format="$%.0f", on_change=slider_moved,
             help="S in the EOQ: admin, inspection and booking per order.")
right.slider("Capital cost a year", 0.0, 50.0, base.capital_rate_annual * 100, 0.5, key="whatif_capital",
             format="%.1f%%", on_change=slider_moved,
             help="Part of the holding cost H in the EOQ and of the safety stock's cost.")
head, picker, tail = st.container(), st.container(), st.container()
choices = plan_view.projection_choices(baseline_plan)
with picker:
    st.subheader("Projected stock, next 180 days")
    sku = st.selectbox("SKU", choices, key="whatif_sku", format_func=plan_view.sku_label(baseline_plan))
baseline_projection = plan_view.projection_frame(scope, baseline_plan, base, sku) if sku is not None else None


@st.fragment(key=SCENARIO)
def scenario_view(scope: plan_view.PlanScope, base, frame, baseline_plan, before, sku, baseline_projection) -> None:
    # A fragment rerun runs outside app.py's hold on the database: hold it here, so that the money
    # formats' reads of the account's currency share one open of the file (each open is 12 ms on the
    # demo, and a move made 14 of them: 200 of its 430 ms).
    with db.held(Path(scope.path)):
        draw_scenario(scope, base, frame, baseline_plan, before, sku, baseline_projection)


def draw_scenario(scope: plan_view.PlanScope, base, frame, baseline_plan, before, sku, baseline_projection) -> None:
    one_level = toggle_box.toggle(
        "One service level for every SKU", key="whatif_one_level",
        help=f"Off: the baseline's levels by ABC class (A {base.service_level_a:.0%}, B {base.service_level_b:.0%}, "
             f"C {base.service_level_c:.0%}); on by itself when the slider below moves.")
    chosen = st.session_state  # the sliders' values
    scenario = dataclasses.replace(
        base, service_level_override=chosen["whatif_service"] / 100 if one_level else None,
        lead_time_shift_days=float(chosen["whatif_shift"]), order_cost=chosen["whatif_order_cost"],
        capital_rate_annual=chosen["whatif_capital"] / 100)
    scenario_plan = plan_view.restock_view(plan_view.scope_plan(scope, scenario), frame)
    after = plan_view.restock_totals(scope, scenario_plan, scenario)

    with head:
        st.subheader("Scenario against the baseline")
        # Rows of three tiles: six in one row cut "$40,737" to "$40,…" at 1,400 px.
        figures = plan_view.WHATIF_FIGURES
        columns = [column for _ in range(0, len(figures), 3) for column in st.columns(3)]
        for column, (key, name, fmt, why) in zip(columns, figures):
            column.metric(name, fmt(after[key]), plan_view.change(after[key], before[key]), border=True,
                          help=f"{why} Baseline: {fmt(before[key])}.",
                          delta_color="off" if key == "safety_stock" else "inverse")
        common.show_table(plan_view.whatif_comparison(before, after), width="content", key="whatif_totals")
        st.caption(plan_view.totals_caption(after)
                   + " The forecast is the same in both; only the plan is recomputed.")

    with tail:
        if sku is not None:
            st.plotly_chart(charts.projected_stock(baseline_projection,
                                                   plan_view.projection_frame(scope, scenario_plan, scenario, sku)),
                            key="whatif_projection")
            st.caption("Expected units on hand with the 80% band, the reorder point (dashed) and arrivals (bars): "
                       "inbound stock is assumed received in 7 days, every order one lead time after it is placed.")

        st.subheader("SKU by SKU")
        compare = restock.compare_plans(baseline_plan, scenario_plan)
        shown = (f" (the first {SKU_ROWS_SHOWN:,} shown: the plan of every SKU is on the Restock page)"
                 if len(compare) > SKU_ROWS_SHOWN else "")
        st.caption(f"{int((compare['order_qty_change'] != 0).sum()):,} of {len(compare):,} SKUs order a "
                   f"different quantity in the scenario; largest change first{shown}.")
        common.show_table(compare.head(SKU_ROWS_SHOWN), width="stretch")


scenario_view(scope, base, frame, baseline_plan, before, sku, baseline_projection)

st.subheader("Order now or later, by sea or by air")
whole = st.toggle("The whole plan", key="whatif_timing_whole", help="Off: the SKU chosen above.")
left, right, _ = st.columns([1, 1, 2])
weeks = left.number_input("Order later by (weeks)", 1, 26, 4, 1, key="whatif_delay_weeks")
freight = right.number_input("Air freight over sea, per unit", 0.0, 100.0, 0.0, 0.1, key="whatif_air_freight",
                             format="%.2f", help="The data holds no freight prices: enter what air costs you "
                                                 "more than the planned transit, per unit.")
rows = baseline_plan if whole or sku is None else baseline_plan[baseline_plan["sku"] == sku]
timing = plan_view.order_timing(scope, rows, base, int(weeks), float(freight))
if timing.empty:
    st.caption("Nothing to compare: the chosen SKUs are held or sell nothing.")
else:
    st.markdown(common.md_escape(restock.timing_verdict(timing)))
    common.show_table(timing[plan_view.TIMING_SHOWN], width="content", key="whatif_timing")
    st.caption("Each option orders the plan's quantity, then the plan's later orders; over the next 12 months: fees "
               "(storage, aged surcharge, low-inventory fee, placement), the capital tied in stock, the margin lost "
               "while nothing is left before the order lands, and air freight as entered. "
               + ("" if freight else "With no air freight entered, air costs only what it saves in stock-outs."))
