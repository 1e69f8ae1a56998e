"""Streamlit glue for the Alerts page: the rules' settings, the alerts firing now (cached), the
digest, and the SMTP form with its test send. Pages import it as
``from pages import _alerting as alerts_view``; it builds on _common, _plan and _ageing_fees.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from core import alerts, notify, settings
from core.params import GradeParams, HealthParams
from core.restock_params import baseline_restock_params
from pages import _ageing_fees as fees_view, _common as common, _plan as plan_view


# --- alerts -----------------------------------------------------------------------------------------

def alert_settings() -> alerts.AlertSettings:
    return alerts.load_settings(common.db_path())


@st.cache_data(show_spinner="Checking the alert rules…", max_entries=8)
def _alerts(path: str, version: tuple, as_of_date: dt.date | None, today: dt.date,
            rule_settings: alerts.AlertSettings, health: HealthParams, grades: GradeParams) -> pd.DataFrame:
    # The pages' own cached results: the fee outlook is the Ageing & fees page's (stored after a load).
    table = common._sku_table(path, version, as_of_date, health, grades)
    fees = fees_view._fee_outlook(path, version, as_of_date, baseline_restock_params(health), health)
    return alerts.alerts_from_db(Path(path), as_of_date, today, rule_settings, table=table,
                                 plan_inputs=plan_view._restock_inputs(path, version, as_of_date, health),
                                 crossings=fees.crossings,
                                 returns_by_sku=common._returns(path, version, table.as_of, "sku"))


def current_alerts(rule_settings: alerts.AlertSettings) -> pd.DataFrame:
    """``core.alerts.alerts_from_db`` at the sidebar's as-of date, data ages measured today."""
    path = common.db_path()
    health, grades = common.health_settings()
    return _alerts(str(path), common.data_version(path), common.as_of(), dt.date.today(), rule_settings,
                   health, grades)


def alerts_in_view(fired: pd.DataFrame) -> pd.DataFrame:
    """Account and report alerts, and SKU alerts for the SKUs the sidebar filters keep."""
    kept = set(common.filtered_skus()["sku"]) if not common.summary().empty else set()
    sku = fired["sku"]
    return fired[sku.isna() | (sku == "") | sku.isin(kept)]


def alert_digest(fired: pd.DataFrame) -> str:
    return alerts.digest_markdown(fired, common.as_of(), dt.date.today())


def save_alert_settings() -> None:
    """Form callback: rules switched off and thresholds changed from their defaults."""
    off = tuple(r.key for r in alerts.RULES if not st.session_state.get(f"alert_on_{r.key}", True))
    thresholds = tuple((r.key, float(st.session_state[f"alert_threshold_{r.key}"])) for r in alerts.RULES
                       if r.default_threshold is not None and f"alert_threshold_{r.key}" in st.session_state
                       and float(st.session_state[f"alert_threshold_{r.key}"]) != r.default_threshold)
    try:
        alerts.save_settings(common.db_path(), alerts.AlertSettings(off=off, thresholds=thresholds))
    except ValueError as error:
        st.session_state["alerts_message"] = ("error", f"Not saved: {error}")
        return
    st.session_state["alerts_message"] = ("success", "Saved. The page and `fba-health alerts` use these rules now.")


def show_message(key: str) -> None:
    """A (kind, text) message left by a callback, shown once."""
    if key in st.session_state:
        kind, text = st.session_state.pop(key)
        (st.success if kind == "success" else st.error)(text)


SMTP_TLS = ("starttls", "ssl", "none")


def smtp_form() -> None:
    """The SMTP settings form (saved without the password) and a test send."""
    path = common.db_path()
    saved = settings.load_raw(path, "smtp") or {}
    with st.form("smtp"):
        a, b, c = st.columns([3, 1, 2])
        a.text_input("SMTP host", saved.get("host", ""), key="smtp_host", placeholder="smtp.example.com")
        b.number_input("Port", 1, 65535, int(saved.get("port", 587)), key="smtp_port")
        c.selectbox("Security", SMTP_TLS, SMTP_TLS.index(saved.get("tls", "starttls")), key="smtp_tls")
        d, e = st.columns(2)
        d.text_input("User", saved.get("user") or "", key="smtp_user")
        e.text_input("From", saved.get("sender", ""), key="smtp_sender", placeholder="alerts@example.com")
        st.form_submit_button("Save e-mail settings", on_click=save_smtp)
    show_message("smtp_message")
    password = "set" if os.environ.get(notify.ENV_PREFIX + "PASSWORD") else "not set"
    st.caption(f"Password (FBA_HEALTH_SMTP_PASSWORD): {password} in this app's environment.")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input("Send the digest now to", key="smtp_test_to", placeholder="you@example.com")
    right.button("Send", key="smtp_send", on_click=send_digest_now, icon=":material/send:")
    show_message("smtp_send_message")


def save_smtp() -> None:
    try:
        notify.save_smtp_settings(common.db_path(), st.session_state["smtp_host"].strip(),
                                  int(st.session_state["smtp_port"]),
                                  st.session_state["smtp_user"].strip() or None,
                                  st.session_state["smtp_sender"].strip() or "fba-health@localhost",
                                  st.session_state["smtp_tls"])
    except ValueError as error:
        st.session_state["smtp_message"] = ("error", f"Not saved: {error}")
        return
    st.session_state["smtp_message"] = ("success", "Saved (the password stays in the environment).")


def send_digest_now() -> None:
    """Button callback: e-mail the current digest to the address typed."""
    to = [a.strip() for a in st.session_state.get("smtp_test_to", "").split(",") if a.strip()]
    fired = alerts_in_view(current_alerts(alert_settings()))
    try:
        notify.send_digest(alert_digest(fired), to, notify.smtp_settings(common.db_path()),
                           f"FBA inventory alerts: {len(fired)} ({dt.date.today():%d %b %Y})")
    except (ValueError, notify.NotifyError) as error:
        st.session_state["smtp_send_message"] = ("error", f"Not sent: {error}")
        return
    st.session_state["smtp_send_message"] = ("success", f"Sent to {', '.join(to)}.")
