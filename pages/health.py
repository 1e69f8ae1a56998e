"""Health score: the account gauge, its three dimensions, every SKU's scores, and why one SKU loses
points."""

import streamlit as st

from core import charts, skus
from core.metrics.health import grade_ceiling
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Health score")
table, frame = common.guard_skus("Nothing is loaded yet, so there is no health score to show.")
params = table.params
summary = skus.account_summary(frame, params)
common.scope_caption(table, frame)
common.missing_notes("health")
common.health_alert(summary, params)

left, right = st.columns([2, 3])
left.markdown(f"**Account health: {summary['health_score']:.0f} / 100**")
left.plotly_chart(charts.health_gauge(summary["health_score"], params.alert_below), width="stretch")
right.markdown("**Dimensions** (value-weighted account scores)")
right.plotly_chart(charts.dimension_bars(common.dimension_frame(summary, params)), width="stretch")

with st.expander("How the score is computed"):
    caps = grade_ceiling(["red", "orange", "yellow"], params).tolist()
    st.markdown(
        f"**Health = {params.weight_turnover:.2f} × turnover efficiency + {params.weight_structure:.2f} × "
        f"stock structure + {params.weight_service_cost:.2f} × service and cost**, each dimension 0-100, linear between a zero "
        f"point and a full point:\n"
        f"- **Turnover efficiency**: annual turns = COGS ÷ average inventory value × 365 ÷ "
        f"{params.period_days}; {params.turnover_zero:g} turn or less = 0, {params.turnover_full:g} turns = 100. "
        f"Without a unit cost, units sold ÷ average units on hand.\n"
        f"- **Stock structure**: the worst of three: the share of units aged over 180 days (0% = 100, "
        f"{params.aged_share_zero:.0%} = 0), of units aged over 365 days (0% = 100, "
        f"{params.aged_365_share_zero:.0%} = 0) and of dead stock, no sale in 90 days (0% = 100, "
        f"{params.dead_share_zero:.0%} = 0).\n"
        f"- **Service and cost**: mean of the in-stock rate ({params.in_stock_zero:.0%} = 0, "
        f"{params.in_stock_full:.0%} = 100) and the annual holding-cost ratio, (storage + surcharges + "
        f"capital at {params.capital_rate_annual:.0%}/yr) ÷ average inventory value "
        f"({params.holding_ratio_full:.0%} = 100, {params.holding_ratio_zero:.0%} = 0).\n\n"
        f"A SKU's score is capped by its slow-mover grade, so the two never contradict each other: red at "
        f"most {caps[0]:g}, orange {caps[1]:g}, yellow {caps[2]:g}. The account score is capped at 100 × (1 − "
        f"the share of the value that is dead stock over a year old).\n\n"
        f"The account figures weigh each SKU by its average inventory value at cost. The alert shows "
        f"below {params.alert_below:g}. Targets and weights are editable on the Settings page; every "
        f"formula is listed in docs/metrics.md.")
    st.page_link("pages/settings.py", label="Change targets and weights", icon=":material/tune:")

st.subheader("SKUs")
sort = st.selectbox("Order by", list(common.HEALTH_SORTS), key="health_sort",
                    help="Points lost: what the SKU costs the account score, weighted by its inventory value.")
ranked = common.ranked_skus(frame, params, sort)
common.show_sku_table(ranked, ["sku", "product_name", "health_score", "points_lost", "score_turnover",
                               "score_structure", "score_service_cost", "turnover", "days_of_supply",
                               "in_stock_rate", "aged_over_180_share", "grade", "cost_missing", "supplier"],
                      max_height=420)

st.subheader("Why a SKU loses points")
names = dict(zip(ranked["sku"], ranked["product_name"].fillna("")))
sku = st.selectbox("SKU", list(names), key="health_sku", format_func=lambda s: f"{s} · {names[s][:60]}")
row = ranked.set_index("sku").loc[sku].copy()
row["sku"] = sku
cols = st.columns(5)
cols[0].metric("Health", common.score(row["health_score"]))
cols[1].metric("Grade", common.GRADE_LABELS[row["grade"]])
cols[2].metric("Days of supply", common.days(row["days_of_supply"]))
cols[3].metric("Units on hand", common.units(row["on_hand"]))
cols[4].metric("Value at cost", "cost missing" if row["cost_missing"] else common.money(row["inventory_value"]),
               help=f"Units on hand × unit cost ({common.money(row['unit_cost'])})".replace("$", "\\$"))
if row["signals"]:
    st.caption(f"Slow-mover signals: {common.md_escape(row['signals'])}. {row['action']}")
for column, part in zip(st.columns(3), common.sku_explanation(row, params)):
    name, weight = common.DIMENSIONS[part["column"]]
    column.markdown(f"**{name}: {common.score(row[part['column']])}** (weight {getattr(params, weight):.0%})")
    column.markdown(common.inputs_markdown(part["inputs"]))
