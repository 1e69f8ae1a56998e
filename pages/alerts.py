"""Alerts: one line per SKU with every reason, ranked by the money at stake, a detail view per SKU;
the rules with their thresholds; the e-mail digest a nightly ``fba-health alerts --email`` sends."""

import streamlit as st

from core import alerts
from pages import _alerting as alerts_view, _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Alerts")
if common.summary().empty:
    st.info("Nothing is loaded yet, so there is nothing to watch. Load reports on the Upload reports page.",
            icon=":material/info:")
    st.stop()
common.demo_banner()
rule_settings = alerts_view.alert_settings()
fired = alerts_view.alerts_in_view(alerts_view.current_alerts(rule_settings))
lines = alerts.by_sku(fired)
per_sku = lines[lines["sku"].notna()]

snapshot = common.as_of() is not None
st.caption(f"{alerts_view.reference_days()}.")
alerts_view.severity_tiles(lines, snapshot)
alerts_view.missing_inputs(fired, snapshot)
if lines.empty:
    st.success("Nothing fires with the rules below.", icon=":material/check_circle:")
alerts_view.account_alerts(lines[lines["sku"].isna()])
if len(per_sku):
    st.subheader(f"{len(per_sku):,} SKU{'' if len(per_sku) == 1 else 's'} to act on, most money at stake first")
    alerts_view.sku_lines_table(per_sku)
    alerts_view.sku_detail(fired, per_sku)
st.download_button("Digest (Markdown)", alerts_view.alert_digest(fired, lines).encode("utf-8"),
                   file_name="alerts.md", mime="text/markdown", icon=":material/download:",
                   key="alerts_digest")

st.subheader("Rules")
with st.form("alert_rules"):
    for rule in alerts.RULES:
        alerts_view.rule_row(rule, rule_settings)
    st.form_submit_button("Save rules", on_click=alerts_view.save_alert_settings)
alerts_view.show_message("alerts_message")

st.subheader("E-mail digest")
alerts_view.smtp_form()
st.caption("Nightly, from cron or a scheduler: `fba-health alerts --markdown --email you@example.com`. "
           "The SMTP password is read from the environment variable FBA_HEALTH_SMTP_PASSWORD only; it is "
           "never saved in the database.")
