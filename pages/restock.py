"""Restock: what to order now, soon or not yet, why, and the purchase-order drafts to send."""

import streamlit as st

from pages import _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Restock")
table, frame = common.guard_skus("Nothing is loaded yet, so there is nothing to restock.", orders_only=True)
params = plan_view.restock_params()
whole_plan = plan_view.restock_plan(params)
plan = plan_view.restock_view(whole_plan, frame)
common.scope_caption(table, frame)
common.missing_notes("restock")

counts = plan_view.restock_counts(plan)
now_values = plan.loc[plan["status"] == "order now", "order_value"]
tiles = st.columns(len(counts) + 1)
for column, (status, n) in zip(tiles, counts.items()):
    column.metric(status.capitalize(), common.plural(n, "SKU"), border=True,
                  help="Graded red or orange on the Slow movers page: clear the stock before ordering more."
                  if status == "held" else None)
tiles[-1].metric("Order value now", common.whole_money(now_values.sum()) if now_values.notna().any() else "unknown",
                 border=True, help="Σ order quantity × unit cost of the SKUs to order now "
                                   "(SKUs without a cost left out; unknown when none has a cost).")

chosen = st.multiselect("Status", list(plan_view.RESTOCK_STATUSES), default=["order now", "soon"],
                        key="restock_status")
shown = plan[plan["status"].isin(chosen)]
st.caption(f"{common.plural(len(shown), 'SKU')} shown. Order now when stock plus inbound is at or below the reorder "
           f"point plus a week's demand; soon when the order-by date falls within the lead time + "
           f"{params.soon_margin_days:g} days. Each order stays in its corridor: at least the floor (the low-inventory "
           f"fee's 28 days of supply, plus safety stock), at most the ceiling (what sells before it is 181 days "
           f"old, when the aged-inventory surcharge starts); inside, the cheapest in fees, holding and lost sales. "
           f"'Held back by' says why an order is held or capped (grade, ceiling, capacity, MOQ). Try other "
           f"service levels and lead times on the What-if page.")
if note := plan_view.restock.placement_note(whole_plan):
    st.caption(note)
if shown.empty:
    st.success("No SKU with the chosen status.", icon=":material/check_circle:")
else:
    plan_view.show_restock_table(shown, max_height=520)
    why = st.selectbox("Why this quantity", shown["sku"].tolist(), key="restock_why",
                       format_func=plan_view.sku_label(shown))
    st.caption(common.md_escape(shown.loc[shown["sku"] == why, "reason"].iloc[0]))

plan_view.exempt_editor(sorted(whole_plan["sku"].astype(str)))

st.subheader("Storage capacity under the plan")
months, entered = plan_view.capacity_plan(whole_plan)
over = months[months["over_limit"]]
if not entered:
    st.caption("No storage limit entered (Clearance page, Storage capacity): the plan is not capped by capacity.")
elif over.empty:
    st.success("The plan stays within your storage limits in every month of the next year.",
               icon=":material/check_circle:")
else:
    st.warning(f"{common.plural(len(over), 'month')} over your storage limit under this plan: delay the orders "
               "named below.", icon=":material/warning:")
    common.show_table(over[["month", "storage_type", "cubic_feet", "limit", "over_cuft", "overage_fee", "delay"]])

st.subheader("Downloads")
to_order = plan[plan["status"] == "order now"]
if to_order.empty:
    st.caption("Nothing to order now, so there is no purchase order to draft.")
forecast_daily = plan_view.forecast_summary()[1]
left, middle, right, _ = st.columns([1, 1, 1, 2])
left.download_button("Purchase orders (Excel)", lambda: plan_view.po_xlsx(plan, table.as_of), key="po_xlsx",
                     file_name=f"purchase_orders_{table.as_of:%Y%m%d}.xlsx", icon=":material/download:",
                     on_click="ignore",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     disabled=to_order.empty, help="One sheet per supplier: the SKUs to order now.")
middle.download_button("Purchase orders (CSV)", lambda: plan_view.po_csv(plan, table.as_of), key="po_csv",
                       file_name=f"purchase_orders_{table.as_of:%Y%m%d}.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore", disabled=to_order.empty)
right.download_button("Supplier forecast (CSV)",
                      lambda: plan_view.supplier_forecast_csv(plan, forecast_daily,
                                                              params.review_period_days),
                      key="supplier_forecast_csv", file_name=f"supplier_forecast_{table.as_of:%Y%m%d}.csv",
                      mime="text/csv", icon=":material/download:", on_click="ignore",
                      help="Expected orders per SKU and month over the next 3 months, "
                           "to share with suppliers.")
