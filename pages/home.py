"""Overview: what is loaded, which days it covers, and what to do next."""

import streamlit as st

from core.charts import coverage_timeline
from pages import _common as common

st.title("FBA Inventory Health")

loaded = common.summary()
if loaded.empty:
    st.markdown(
        "Nothing is loaded yet. Download these reports from Seller Central (or the SP-API) and load "
        "them on the Data page; any subset works, and more reports unlock more of the app.")
    st.markdown(
        "- **FBA Inventory** (Inventory > Inventory Planning > Download), the main health report\n"
        "- **All Orders** (Reports > Fulfillment > All Orders), for sales velocity\n"
        "- **Inventory Ledger**, detailed or summary view, for stock movements\n"
        "- **Manage Inventory** and **Restock Inventory**, today's stock and Amazon's suggestions\n"
        "- **Monthly Storage Fees**, **Customer Returns** and **Fee Preview**, for costs and returns\n"
        "- Your **product cost sheet** (unit cost, lead times; a template is on the Product costs page)")
    st.page_link("pages/data.py", label="Load reports on the Data page", icon=":material/upload_file:")
    st.stop()

common.demo_banner()

st.subheader("What is loaded")
common.show_summary()

st.subheader("Data coverage")
st.caption("Each bar spans the first to the last day a report covers.")
st.plotly_chart(coverage_timeline(loaded), width="stretch")

st.subheader("Next steps")
missing_costs = int(common.cost_table()["cost_missing"].sum())
st.page_link("pages/data.py", label="Load more reports, or newer ones: a newer file replaces the rows it "
             "overlaps", icon=":material/upload_file:")
st.page_link("pages/costs.py", label=f"Fill in product costs ({missing_costs:,} SKUs have none yet)"
             if missing_costs else "Review product costs (every SKU has one)", icon=":material/payments:")
st.page_link("pages/explorer.py", label="Look through the rows of any loaded report",
             icon=":material/table_view:")
