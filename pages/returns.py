"""Returns: how much comes back, why, in what state, which SKUs jumped; and the units Amazon lost or
damaged and has not reimbursed, ready for a case."""

import streamlit as st

from core import charts, reimbursements, returns
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Returns and reimbursements")
table, frame = common.guard_skus("Nothing is loaded yet, so there are no returns to read.")
common.scope_caption(table, frame)
common.missing_notes("returns")
by_sku = common.in_view(common.returns_table(), frame)
params = returns.ReturnParams()

sold, back = by_sku["units_sold"].sum(), by_sku["units_returned"].sum()
tiles = st.columns(4)
tiles[0].metric("Return rate", common.pct(float(returns.return_rate(back, sold)), 1),
                border=True, help=f"Units returned in the last {params.window_days} days ÷ units sold in the "
                                  f"{params.window_days} days before, {params.lag_days} days earlier (a return "
                                  "follows its sale).")
tiles[1].metric("Units returned", common.units(back), border=True)
tiles[2].metric("Back to stock (A)", common.units(by_sku["returned_A"].sum()), border=True,
                help="Sellable returns: the restock plan buys for demand net of them.")
tiles[3].metric("SKUs with a spike", common.plural(by_sku["spike"].sum(), "SKU"), border=True,
                help=f"Last {params.spike_recent_days} days' rate ≥ {params.spike_ratio:g} × the SKU's own rate "
                     f"over the {params.spike_baseline_days} days before (and ≥ {params.spike_min_units} units).")

left, right = st.columns(2)
left.markdown("**Why they come back**, by cause")
left.plotly_chart(charts.share_bars(common.returns_reasons(), "reason_group"), key="returns_reasons")
right.markdown("**In what state**, by grade")
right.plotly_chart(charts.share_bars(common.returns_dispositions(), "grade"), key="returns_grades")
st.caption(" · ".join(f"{g}: {m}" for g, m in returns.GRADE_MEANINGS.items()))

st.subheader("SKU by SKU")
spiking = st.toggle("Only SKUs with a spike", key="returns_spikes_only")
shown = by_sku[by_sku["spike"]] if spiking else by_sku
common.show_returns_table(shown, max_height=420)

st.subheader("Lost and damaged, not reimbursed")
claims = common.in_view(common.claims_table(), frame)
rp = reimbursements.ReimbursementParams()
st.caption(f"Ledger events Amazon recorded as lost or damaged in its warehouses, not reconciled or found again, "
           f"{rp.waiting_days}-{rp.lookback_days} days old (Amazon asks you to wait before opening a case and "
           "accepts claims for about 18 months). Valued at your unit cost.")
if claims.empty:
    st.success("Nothing to claim.", icon=":material/check_circle:")
else:
    st.metric("Claimable", f"{claims['units_claimable'].sum():,.0f} units · {common.money(claims['value'].sum())}")
    common.show_table(claims, max_height=300)
    st.download_button("Claims for Seller Central cases (CSV)",
                       lambda: common.csv_bytes(reimbursements.claims_csv_frame(claims)),
                       file_name=f"reimbursement_claims_{table.as_of:%Y%m%d}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore", key="claims_csv")
