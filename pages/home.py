"""Overview: the manager's page. KPI tiles, the trend over the snapshots, and the SKUs that cost the
health score the most points."""

import streamlit as st

from core import charts, skus
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Inventory health")

if common.summary().empty:
    st.markdown(
        "Nothing is loaded yet. Download these reports from Seller Central (or the SP-API) and load "
        "them on the Upload reports page; any subset works, and more reports unlock more of the app.")
    st.markdown(
        "- **FBA Inventory** (Inventory > Inventory Planning > Download), the main health report\n"
        "- **All Orders** (Reports > Fulfillment > All Orders), for sales velocity\n"
        "- **Inventory Ledger**, detailed or summary view, for stock movements\n"
        "- **Manage Inventory** and **Restock Inventory**, today's stock and Amazon's suggestions\n"
        "- **Monthly Storage Fees**, **Customer Returns** and **Fee Preview**, for costs and returns\n"
        "- Your **product cost sheet** (unit cost, lead times; a template is on the Product costs page)")
    st.page_link("pages/data.py", label="Load reports on the Upload reports page", icon=":material/upload_file:")
    st.stop()

common.demo_banner()
table, frame = common.guard_skus("Nothing is loaded yet.")
params = table.params
summary = skus.account_summary(frame, params)
common.scope_caption(table, frame)
common.missing_notes("home")
common.health_alert(summary, params)

tiles = common.kpi_tiles(frame, summary, params)
for row in (tiles[:3], tiles[3:]):
    for column, tile in zip(st.columns(3), row):
        column.metric(tile["label"], tile["value"], tile.get("delta"), delta_color="off", delta_arrow="off",
                      help=tile["help"], border=True)
if summary["skus_cost_missing"]:
    st.page_link("pages/costs.py", icon=":material/payments:",
                 label=f"{common.plural(summary['skus_cost_missing'], 'SKU')} "
                       f"{'has' if summary['skus_cost_missing'] == 1 else 'have'} no unit cost: their value is unknown, "
                       f"not zero. Fill in product costs")

st.subheader("Over time")
filtered = bool(common.active_filters())
st.caption(("The filtered SKUs" if filtered else "Every SKU") + " at each FBA Inventory snapshot, ages from "
           "the report's own bands, valued at today's unit costs.")
trend = common.snapshot_trend(frame["sku"].tolist() if filtered else None)
left, right = st.columns(2)
left.markdown("**Units by age band**")
left.plotly_chart(charts.age_band_trend(trend), width="stretch")
right.markdown("**Inventory value at cost**")
right.plotly_chart(charts.value_trend(trend), width="stretch")

st.subheader("Top problems")
problems = common.top_problems(frame, params)
if problems.empty:
    st.success("No SKU costs the health score any points.", icon=":material/check_circle:")
else:
    st.caption(f"The SKUs costing the account score the most points (value-weighted): together "
               f"{problems['points_lost'].sum():.1f} of the {100 - summary['health_score']:.1f} points "
               f"missing from 100.")
    common.show_sku_table(problems, ["grade", "sku", "product_name", "health_score", "points_lost", "value",
                                     "days_of_supply", "signals"], width="stretch")
st.page_link("pages/health.py", label="See why each SKU loses points on the Health score page",
             icon=":material/monitor_heart:")

st.subheader("Next steps")
st.page_link("pages/slow_movers.py", label=f"Act on {sum(summary['grades'].values()):,} slow movers "
             f"({summary['grades']['red']:,} red)", icon=":material/hourglass_bottom:")
st.page_link("pages/data.py", label="Load newer reports", icon=":material/upload_file:")
