"""Ageing & fees: what today's stock will cost in storage fees and surcharges over the next 12
months, which SKUs are about to cross into a dearer aged-inventory band, and the IPI factors."""

import streamlit as st

from core import charts
from core.fees import outlook
from pages import _ageing_fees as fees_view, _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Ageing & fees")
table, frame = common.guard_skus("Nothing is loaded yet, so there are no fees to project.")
common.scope_caption(table, frame)
common.missing_notes("fees")
fees = fees_view.fee_outlook()
projection = common.in_view(fees.projection, frame)
monthly = outlook.monthly_totals(projection)
crossings = fees_view.crossing_messages(fees.crossings, frame)
amazon = common.in_view(fees.amazon, frame)

tiles = st.columns(4)
tiles[0].metric("Fees, next 12 months", common.whole_money(monthly["total_fees"].sum()), border=True,
                help="Σ projected storage fees and surcharges of the SKUs shown, month by month below.")
next_month = amazon[["storage_fee", "amazon_storage_next"]].sum(min_count=1)
tiles[1].metric("Storage next month", common.whole_money(next_month["storage_fee"]), border=True,
                help=f"Ours; Amazon's own estimate (FBA Inventory report): "
                     f"{common.whole_money(next_month['amazon_storage_next'])}.")
soon = fees_view.crossings_within(crossings, fees.as_of, 30)
tiles[2].metric("At stake in 30 days", common.whole_money(soon["amount_avoided"].sum()), border=True,
                help="Σ aged-inventory surcharge the units about to cross a band add at the next 15th.")
tiles[3].metric("SKUs about to cross a band", f"{soon['sku'].nunique():,}", border=True)

st.subheader("Projected fees per month")
st.plotly_chart(charts.fee_projection(monthly), key="fees_projection")
st.caption(fees_view.fee_caption(fees))

st.subheader("About to cross into a dearer band")
if crossings.empty:
    st.success("No SKU crosses an aged-inventory band at the next two assessments.", icon=":material/check_circle:")
else:
    fees_view.show_crossings(crossings, max_height=320)
    st.download_button("Crossings (CSV)", lambda: common.export_csv(crossings), file_name="band_crossings.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore", key="crossings_csv")

st.subheader("Low-inventory-level fee risk")
low = common.in_view(outlook.low_inventory_risk(projection), frame)
st.caption(f"{common.plural(len(low), 'SKU')} {'is' if len(low) == 1 else 'are'} projected under four weeks of supply in the next three months, where Amazon's "
           "low-inventory-level fee applies (both the 30- and 90-day historical days of supply under 28). "
           "Restock them sooner (the Restock page) or ask whether the fee exemption applies."
           + fees_view.low_inventory_note(fees.table))
if len(low):
    common.show_table(low, max_height=240)

st.subheader("Stock by age")
trend = common.snapshot_trend(frame["sku"].tolist())
by_value = st.segmented_control("Show", ["Units", "Value at cost"], default="Units", key="age_measure")
st.plotly_chart(charts.age_band_trend(trend, value=by_value == "Value at cost"), key="fees_age_trend")

st.subheader("IPI factors")
fees_view.show_ipi(fees_view.ipi_factors())

with st.expander("Ours against Amazon's estimates, next month, SKU by SKU"):
    common.show_table(amazon, max_height=320)
with st.expander("The fee table in use"):
    fees_view.show_fee_table(fees.table)
