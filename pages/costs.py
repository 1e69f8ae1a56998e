"""Product costs: the seller's own sheet of unit costs and lead times, uploaded or edited here."""

import streamlit as st

from pages import _common as common, _frame, _upload as upload_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Product costs")
st.markdown("Amazon's reports do not know what a unit costs you or how long it takes to make and ship. "
            "Give one row per SKU: **unit cost** is required; currency, supplier, production and transit "
            "lead times (days), MOQ and case pack are optional. Upload a sheet, or edit the table below.")

upload_view.show_pending_results()
saved = st.session_state.pop("costs_saved", None)
if saved is not None:
    upload_view.show_result(saved)

left, right = st.columns(2)
with left:
    st.download_button("Download the template", upload_view.template_bytes(), key="template_download",
                       file_name="product_costs_template.csv", mime="text/csv", icon=":material/download:")
with right:
    sheet = st.file_uploader("Cost sheet (CSV or XLSX)", type=["csv", "tsv", "txt", "xlsx"],
                             key="costs_upload")
    if st.button("Load cost sheet", key="costs_load", disabled=sheet is None):
        st.session_state.pop("costs_editor", None)  # the table below starts again from the saved costs
        upload_view.load_uploaded_files([sheet])

costs = common.cost_table()
if costs.empty:
    st.info("No SKUs yet: load an inventory or orders report on the Upload reports page, or upload a cost "
            "sheet, and every SKU appears here to fill in.")
    st.page_link("pages/data.py", label="Load reports on the Upload reports page",
                 icon=":material/upload_file:")
    st.stop()

missing = int(costs["cost_missing"].sum())
st.subheader("Costs by SKU")
st.caption(f"{missing:,} of {len(costs):,} SKUs {'has' if missing == 1 else 'have'} no unit cost yet "
           "(listed first)." if missing else f"All {len(costs):,} SKUs have a unit cost.")
edited = st.data_editor(
    costs, key="costs_editor", num_rows="dynamic", hide_index=True, width="stretch",
    placeholder="",  # an empty cell waits to be filled in; the grid would write "None" there
    column_config={
        "sku": st.column_config.TextColumn("SKU", required=True),
        "product_name": st.column_config.TextColumn("Product", disabled=True),
        "unit_cost": st.column_config.NumberColumn("Unit cost", min_value=0.0, format="%.2f"),
        "currency": st.column_config.TextColumn("Currency"),
        "supplier": st.column_config.TextColumn("Supplier"),
        "production_lead_time_days": st.column_config.NumberColumn("Production days", min_value=0, step=1),
        "transit_lead_time_days": st.column_config.NumberColumn("Transit days", min_value=0, step=1),
        "moq": st.column_config.NumberColumn("MOQ", min_value=0, step=1),
        "case_pack": st.column_config.NumberColumn("Case pack", min_value=0, step=1),
        "cost_missing": st.column_config.CheckboxColumn("Cost missing", disabled=True),
    })
if common.demo_showing():
    st.caption("Saved costs count as your own data: saving removes the demo account's reports.")
if st.button("Save costs", key="save_costs", type="primary"):
    result = upload_view.save_costs(edited)
    if result.status == "rejected":
        upload_view.show_result(result)
    else:
        st.session_state["costs_saved"] = result
        del st.session_state["costs_editor"]
        st.rerun()
