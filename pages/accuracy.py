"""Forecast accuracy: how well each SKU's chosen method did on its own recent history, and why it
was chosen. The analyst's check before trusting the restock plan."""

import streamlit as st

from core import charts, display
from core.forecast import accuracy
from pages import _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Forecast accuracy")
table, frame = common.guard_skus("Nothing is loaded yet, so there is no forecast to check.", orders_only=True)
common.scope_caption(table, frame)
common.missing_notes("accuracy")
summary = plan_view.accuracy_view(frame)
st.caption("Each SKU is backtested from the first day of each of the last 12 months, forecasting up to six "
           "months from only the history before it, and scored on monthly totals (what a purchase order "
           "covers). The default method is a 91-day level times the SKU's yearly profile (flat when it has "
           "none); another method replaces it only when its error is at most 80% of the default's. "
           "Out-of-stock days are left out of both the training and the scoring.")

tested = summary["wape"].notna()
tiles = st.columns(3)
tiles[0].metric("WAPE, monthly totals", common.pct(accuracy.pooled(summary["wape_month"], summary["backtest_month_units"]), 1),
                border=True, help="Σ|forecast − actual| of each SKU's calendar-month totals ÷ Σ actual: the error a "
                                  "purchase order feels. Daily errors (next tile) are far larger for slow sellers.")
tiles[1].metric("WAPE, all SKUs", common.pct(accuracy.pooled(summary["wape"], summary["backtest_units"]), 1),
                border=True, help="Σ|forecast − actual| ÷ Σ actual over every backtested SKU and day.")
tiles[2].metric("Bias, all SKUs", common.pct(accuracy.pooled(summary["bias"], summary["backtest_units"]), 1),
                border=True, help="Σ(forecast − actual) ÷ Σ actual: above 0 over-forecasts.")
tiles = st.columns(3)
beats = (summary["mase"] < 1).sum()
tiles[0].metric("SKUs beating naive", f"{beats:,} of {int(summary['mase'].notna().sum()):,}",
                border=True, help="MASE below 1: smaller errors than 'tomorrow sells what today sold'.")
tiles[1].metric("SKUs backtested", f"{int(tested.sum()):,} of {len(summary):,}", border=True,
                help="The others have too little in-stock history: a moving average, the launch default, or no demand.")
covered = plan_view.account_service(0.95, 30)
tiles[2].metric("Reorder point at 95%, 30 days", common.pct(covered, 1) if covered is not None else "not yet",
                border=True, help="Share of every backtested SKU-origin whose next 30 days of demand stayed at or "
                                  "below a 95% reorder point learned from the other origins (all SKUs, whatever "
                                  "their class; by class below).")

st.subheader("Service level the reorder point achieves")
service = plan_view.service_by_class(frame)
if service.empty or service["achieved"].isna().all():
    st.info("Not enough backtest yet to check the reorder point: it needs 30 or more SKU-origins with a "
            "month or more of history after them. Until then safety stock uses the normal formula z·σ·√L.")
else:
    st.caption("For each ABC class, the share of backtest SKU-origins whose actual demand over the lead time "
               "stayed at or below the reorder point set at the class's service level. Each origin is checked "
               "against the safety factor learned from the other origins, so this is not the fit checking "
               "itself. Targets from the restock settings.")
    chart_col, table_col = st.columns([3, 2])
    chart_col.plotly_chart(charts.achieved_service(service), key="accuracy_service")
    with table_col:
        common.show_table(service.rename(columns={"group": "abc_class", "horizon_days": "lead_time_days",
                                                  "sku_origins": "checked"}))

st.caption("Daily errors of slow sellers are large by nature: a SKU selling one unit every three days, "
           "forecast at 0.33 a day, is off by 0.33 on two days and 0.67 on the third, a WAPE of 133%, "
           "however good the method. MASE compares with the naive forecast on the same days.")
left, right = st.columns(2)
left.markdown("**WAPE by method**, weighted by units sold")
left.plotly_chart(charts.wape_by_method(summary.assign(weight=summary["backtest_units"])), key="accuracy_methods")
right.markdown("**Methods chosen**, SKUs by demand pattern")
mix = accuracy.method_mix(summary)
with right:
    common.show_table(mix.rename(columns=display.method_name).rename_axis("pattern").reset_index(),
                      kinds=dict.fromkeys(mix.columns.map(display.method_name), display.COUNT))

st.subheader("SKU by SKU")
plan_view.show_accuracy_table(summary, max_height=420)
st.download_button("Accuracy table (CSV)", lambda: common.export_csv(summary),
                   file_name="forecast_accuracy.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore", key="accuracy_csv")

st.subheader("One SKU: history and forecast")
sku = st.selectbox("SKU", summary["sku"].tolist(), key="accuracy_sku",
                   format_func=plan_view.accuracy_label(summary))
if sku:
    row = summary[summary["sku"] == sku].iloc[0]
    daily = plan_view.forecast_summary()[1]
    st.plotly_chart(charts.demand_forecast(plan_view.sku_history(sku), daily[daily["sku"] == sku],
                                           row.get("event_uplift_text") or ""), key="accuracy_chart")
    st.caption(plan_view.accuracy_sentence(row))
    profile = plan_view.sku_profile(sku)
    if len(profile):
        st.markdown(f"**Yearly profile** of {sku}: {row.get('profile_source', '')}")
        st.plotly_chart(charts.yearly_profile(profile), key="accuracy_profile")
