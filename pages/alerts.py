"""Alerts: what fires now, why and for which SKUs; the rules with their thresholds; the e-mail digest
a nightly ``fba-health alerts --email`` sends."""

import streamlit as st

from core import alerts
from pages import _alerting as alerts_view, _common as common

st.title("Alerts")
if common.summary().empty:
    st.info("Nothing is loaded yet, so there is nothing to watch. Load reports on the Data page.",
            icon=":material/info:")
    st.stop()
common.demo_banner()
rule_settings = alerts_view.alert_settings()
fired = alerts_view.alerts_in_view(alerts_view.current_alerts(rule_settings))

tiles = st.columns(3)
for column, severity in zip(tiles, alerts.SEVERITIES):
    column.metric(f"{severity.capitalize()} priority", f"{int((fired['severity'] == severity).sum()):,}", border=True)
if fired.empty:
    st.success("Nothing fires with the rules below.", icon=":material/check_circle:")
for key in dict.fromkeys(fired["rule"]):
    part = fired[fired["rule"] == key]
    rule = alerts.BY_KEY[key]
    with st.expander(f"{rule.name}: {len(part):,} ({rule.severity})", expanded=rule.severity == "high"):
        st.caption(f"Fires when {rule.fires_when}.")
        per_sku = part["sku"].notna().any()
        common.show_table(part[["sku", "product_name", "message"] if per_sku else ["message"]], width="stretch",
                          key=f"alerts_{key}")
st.download_button("Digest (Markdown)", alerts_view.alert_digest(fired).encode("utf-8"),
                   file_name="alerts.md", mime="text/markdown", icon=":material/download:",
                   key="alerts_digest")

st.subheader("Rules")
with st.form("alert_rules"):
    for rule in alerts.RULES:
        left, right = st.columns([3, 2])
        left.toggle(rule.name, rule_settings.is_on(rule.key), key=f"alert_on_{rule.key}",
                    help=f"Fires when {rule.fires_when}.")
        if rule.default_threshold is not None:
            right.number_input(f"Threshold ({rule.unit})", rule.minimum, rule.maximum,
                               float(rule_settings.threshold(rule.key)),
                               key=f"alert_threshold_{rule.key}", label_visibility="collapsed",
                               help=f"{rule.unit}; default {rule.default_threshold:g}")
    st.form_submit_button("Save rules", on_click=alerts_view.save_alert_settings)
alerts_view.show_message("alerts_message")

st.subheader("E-mail digest")
alerts_view.smtp_form()
st.caption("Nightly, from cron or a scheduler: `fba-health alerts --markdown --email you@example.com`. "
           "The SMTP password is read from the environment variable FBA_HEALTH_SMTP_PASSWORD only; it is "
           "never saved in the database.")
