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
from pages import _ageing_fees as fees_view, _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py


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
                                 returns_by_sku=common._returns(path, version, table.as_of, "sku"),
                                 claims=common._returns(path, version, table.as_of, "claims"))


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


def alert_digest(fired: pd.DataFrame, lines: pd.DataFrame | None = None) -> str:
    return alerts.digest_markdown(fired, common.as_of(), dt.date.today(), lines)


def reference_days() -> str:
    """The page's and the digest's one reference day per kind of alert."""
    return alerts.reference_days(common.as_of(), dt.date.today())


def severity_tiles(lines: pd.DataFrame, snapshot: bool) -> None:
    """Lines per priority (a SKU counts once, at its highest) and the SKUs' money at stake ("—"
    without a stock snapshot: the SKU rules were not checked)."""
    tiles = st.columns(4)
    for column, severity in zip(tiles, alerts.SEVERITIES):
        column.metric(f"{severity.capitalize()} priority", f"{int((lines['severity'] == severity).sum()):,}",
                      border=True)
    per_sku = lines[lines["sku"].notna()]
    tiles[3].metric("Money at stake", f"${per_sku['money_at_stake'].sum():,.2f}" if snapshot else "—", border=True,
                    help="The SKUs' money at stake added up; each rule's dollars are defined in the rule list "
                         "below. Dollars that need a unit cost count $0 where the cost is missing.")


def missing_inputs(fired: pd.DataFrame, snapshot: bool) -> None:
    """What the page could not check or price, which report or sheet brings it, and where to load it."""
    if not snapshot:
        st.info("Only the data-age rule was checked: the stock, restock, fee and return rules need a stock "
                "snapshot, and none is loaded. Load the FBA Inventory report (or Manage FBA Inventory).",
                icon=":material/info:")
        st.page_link("pages/data.py", label="Load reports on the Upload reports page", icon=":material/upload:")
        return
    missing = alerts.skus_missing_money(fired)
    if missing:
        st.caption(f"{len(missing):,} SKU{' has' if len(missing) == 1 else 's have'} dollars that need a unit cost "
                   "and have none, so their money at stake is a lower bound or unknown. The product-cost sheet "
                   "brings the costs.")
        st.page_link("pages/costs.py", label="Fill in product costs", icon=":material/payments:")


def account_alerts(lines: pd.DataFrame) -> None:
    """Account and report alerts, one box per rule, above the SKU table."""
    for rules, severity, reasons, action in zip(lines["rules"], lines["severity"], lines["reasons"],
                                                lines["action"]):
        said = f": {reasons[0]}." if len(reasons) == 1 else ":\n" + "".join(f"\n- {r}" for r in reasons) + "\n\n"
        st.warning(f"**{alerts.BY_KEY[rules[0]].name}** ({severity} priority){said} {action}.",
                   icon=":material/error:" if severity == "high" else ":material/warning:")


SKU_TABLE_CONFIG = {
    "sku": st.column_config.TextColumn("SKU", pinned=True),
    "product_name": st.column_config.TextColumn("Product", width=300),
    "severity": st.column_config.TextColumn("Priority", width="small"),
    "action": st.column_config.TextColumn("Do first", width="large"),
    "reasons": st.column_config.TextColumn("Why", width="large"),
}
MONEY_HELP = "What the SKU's alerts put at stake, in dollars (each rule's definition is in the rule list)"


def sku_lines_table(lines: pd.DataFrame) -> None:
    """One row per SKU, ranked by money at stake: what to do first and every reason. Money stays a
    number (sortable) unless a SKU's is unknown: the grid would draw that gap as "None", so the
    column is then text ("unknown (no unit cost)")."""
    money = lines["money_at_stake"].astype(float)
    gappy = bool(money.isna().any())
    shown = lines[["sku", "product_name", "severity", "money_at_stake", "action", "reasons"]].assign(
        product_name=lines["product_name"].fillna("—"), severity=lines["severity"].str.capitalize(),
        reasons=lines["reasons"].map("; ".join),
        money_at_stake=money.map(alerts.money_text) if gappy else money)
    config = {**SKU_TABLE_CONFIG, "money_at_stake": (
        st.column_config.TextColumn("Money at stake", help=MONEY_HELP) if gappy else
        st.column_config.NumberColumn("Money at stake", format="dollar", help=MONEY_HELP))}
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch", key="alerts_by_sku",
                 height=min(38 + 35 * max(len(shown), 1), 560))


def sku_detail(fired: pd.DataFrame, lines: pd.DataFrame) -> None:
    """One SKU's alerts, rule by rule: the reason, the threshold with its unit, the dollars and what
    they count, the action."""
    names = dict(zip(lines["sku"], lines["product_name"]))
    sku = st.selectbox("Detail for", lines["sku"].tolist(), key="alerts_detail_sku",
                       format_func=lambda s: f"{s}: {names[s]}" if isinstance(names.get(s), str) else s)
    line = lines[lines["sku"] == sku].iloc[0]
    product = line["product_name"] if isinstance(line["product_name"], str) else ""
    st.markdown(f"**{common.md_escape(sku)}** {common.md_escape(product)}: "
                f"{common.md_escape(alerts.money_text(line['money_at_stake']))} at stake "
                f"({line['severity']} priority). Do first: {common.md_escape(line['action'])}.")
    for row in fired[fired["sku"] == sku].itertuples():
        rule = alerts.BY_KEY[row.rule]
        st.markdown(f"- **{rule.name}**: {common.md_escape(row.reason)} (threshold: "
                    f"{common.md_escape(row.threshold_text)}). {common.md_escape(row.action)}. "
                    f"Money at stake {common.md_escape(alerts.money_text(row.money_at_stake))}: "
                    f"{common.md_escape(rule.money_at_stake)}.")


def rule_row(rule: alerts.Rule, rule_settings: alerts.AlertSettings) -> None:
    """One rule in the rules form: on or off, its threshold with the unit, and what its dollars count."""
    left, right = st.columns([3, 2])
    left.toggle(rule.name, rule_settings.is_on(rule.key), key=f"alert_on_{rule.key}",
                help=f"Fires when {rule.fires_when}.")
    if rule.default_threshold is not None:
        right.number_input(f"Threshold ({rule.unit})", rule.minimum, rule.maximum,
                           float(rule_settings.threshold(rule.key)), key=f"alert_threshold_{rule.key}", format="%g",
                           help=f"In {rule.unit}; default {rule.threshold_text()}")
    threshold = rule.threshold_text(rule_settings.threshold(rule.key))
    money = f" Money at stake: {rule.money_at_stake}." if rule.money_at_stake else ""
    left.caption(f"Threshold: {threshold}" + (f" (default {rule.threshold_text()})"
                                              if threshold != rule.threshold_text() else "") + "." + money)


@common.changes_database
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


@common.changes_database
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
                           alerts.digest_subject(fired, dt.date.today()))
    except (ValueError, notify.NotifyError) as error:
        st.session_state["smtp_send_message"] = ("error", f"Not sent: {error}")
        return
    st.session_state["smtp_send_message"] = ("success", f"Sent to {', '.join(to)}.")
