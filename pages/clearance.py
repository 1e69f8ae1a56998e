"""Clearance: for every red or orange SKU (and any picked), what each way out costs over the horizon
against keeping the stock, the cheapest, the removal list to export, and storage capacity."""

import streamlit as st

from core import charts, clearance
from pages import _ageing_fees as fees_view, _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Clearance")
table, frame = common.guard_skus("Nothing is loaded yet, so there is nothing to clear.")
common.scope_caption(table, frame)
common.missing_notes("clearance")

with st.expander("Assumptions", icon=":material/tune:"):
    a, b, c = st.columns(3)
    horizon = a.slider("Horizon (months)", 1, 12, 6, key="clear_horizon")
    discount = a.slider("Discount (%)", 5, 60, 20, 5, key="clear_discount")
    elasticity = b.number_input("Price elasticity (% more units per % off)", 0.0, 10.0, 2.0, 0.1,
                                key="clear_elasticity", help="Varies by product: 2 means 20% off sells 40% more.")
    ad_uplift = b.slider("Extra sales from ads (%)", 0, 200, 50, 5, key="clear_ad_uplift")
    recovery = c.slider("Liquidation recovery (% of price)", 0, 30, 10, 1, key="clear_recovery",
                        help="Amazon's liquidation pays roughly 5-10% of the list price.")
    tax_rate = c.slider("Tax rate for the donation note (%)", 0, 50, 21, 1, key="clear_tax")
params = clearance.ClearanceParams(horizon_months=horizon, discount_pct=discount / 100, price_elasticity=elasticity,
                                   ad_uplift=ad_uplift / 100, liquidation_recovery_share=recovery / 100,
                                   tax_rate=tax_rate / 100)
others = sorted(set(frame["sku"]) - set(frame.loc[frame["grade"].isin(["red", "orange"]), "sku"]))
picked = st.multiselect("Also price these SKUs", others, key="clear_picked",
                        help="Red and orange SKUs are always priced; add any other here.")

advice = fees_view.clearance_advice(params, picked)
shown = common.in_view(clearance.advice_table(advice.frame, advice.options, advice.recommendation), frame)
tiles = st.columns(4)
tiles[0].metric("SKUs priced", f"{len(shown):,}", border=True)
tiles[1].metric("Cost if kept", common.whole_money(shown["keep_cost"].sum(min_count=1)), border=True,
                help=f"Storage, surcharges and capital cost of the units acted on, over {horizon} months.")
tiles[2].metric("Cost of the cheapest ways", common.whole_money(shown["recommended_cost"].sum(min_count=1)), border=True)
tiles[3].metric("Saving", common.whole_money(shown["saving_vs_keep"].sum(min_count=1)), border=True,
                help="Σ (cost if kept − cost of the recommended option).")
if shown.empty:
    st.success("No red or orange SKU in view, so nothing to clear.", icon=":material/check_circle:")
else:
    fees_view.show_clearance_table(shown, max_height=440)
    st.caption(fees_view.clearance_caption(params))
    removal = clearance.clearance_list(advice.frame, common.in_view(advice.recommendation, frame))
    st.download_button(f"Removal and liquidation list (CSV, {common.plural(len(removal), 'SKU')})",
                       lambda: common.csv_bytes(removal),
                       file_name=f"clearance_{table.as_of:%Y%m%d}.csv", mime="text/csv", key="clearance_csv",
                       icon=":material/download:", on_click="ignore", disabled=removal.empty)

st.subheader("Storage capacity")
limits = fees_view.capacity_limits()
with st.form("capacity_form", border=False):
    left, right, _ = st.columns([1, 1, 2])
    left.number_input("Standard-size limit (cu ft)", 0.0, None, limits.standard, 50.0, key="capacity_standard")
    right.number_input("Oversize limit (cu ft)", 0.0, None, limits.oversize, 50.0, key="capacity_oversize")
    st.form_submit_button("Save limits", on_click=fees_view.save_capacity)
usage = fees_view.capacity_view(fees_view.fee_outlook(), limits)
st.plotly_chart(charts.capacity_usage(usage), key="capacity_chart")
over = usage[usage["over_limit"]]
if len(over):
    st.warning(f"{common.plural(len(over), 'month')} over the limit: overage fees {common.whole_money(over['overage_fee'].sum())} "
               "($10 per cu ft over).", icon=":material/warning:")
st.caption("Actual months from the Monthly Storage Fees report; projected months from the fee projection "
           "under the restock plan. Enter the limits from Seller Central's Capacity Monitor.")
