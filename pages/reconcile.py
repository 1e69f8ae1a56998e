"""Reconciliation: where two reports disagree about the same SKU, how old each report is, and FBA
stock beside the seller's other channels."""

import streamlit as st

from core import reconcile
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Reconciliation")
common.guard_data("Nothing is loaded yet, so there is nothing to compare.")

st.subheader("How old each report is")
ages = common.report_ages()
stale = int(ages["stale"].sum())
(st.warning if stale else st.success)(
    f"{common.plural(stale, 'report')} older than their limit." if stale else "Every report is within its freshness limit.",
    icon=":material/schedule:")
common.show_report_ages(ages)

st.subheader("Reports that disagree")
params = reconcile.ReconcileParams()
compared = common.reconciliation()
st.caption(f"A SKU is flagged when two reports differ by more than {params.abs_units:g} units and more than "
           f"{params.rel_share:.0%} of the larger figure, at the latest snapshot of each on or before the as-of date.")
summary = reconcile.reconciliation_summary(compared)
common.show_table(summary[["check", "compares", "skus_compared", "skus_flagged", "source_a", "source_b"]])
flagged = compared[compared["flagged"]]
if flagged.empty:
    st.success("No SKU disagrees beyond the threshold.", icon=":material/check_circle:")
else:
    common.show_table(flagged, max_height=320)
    st.download_button("Disagreements (CSV)", lambda: common.export_csv(flagged),
                       file_name="reconciliation.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore", key="reconcile_csv")

st.subheader("Other channels")
channels = common.channel_view()
if channels.empty or len(channels.columns) <= len(reconcile.CHANNEL_FIXED_COLUMNS):
    st.caption("Load a plain CSV of your other channels' stock (columns sku, quantity, channel; e.g. Shopify or "
               "your own warehouse) on the Upload reports page to see it beside FBA.")
else:
    common.show_table(channels, max_height=360)
