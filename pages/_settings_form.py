"""Streamlit glue for the Settings page: the form's fields (one per health, grade or event
parameter), its inputs, and the save and reset callbacks; the fee table editor. Pages import it as
``from pages import _settings_form as settings_view``; it builds on _common.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from core import settings
from core.fees import table as fee_table, table_edit as fee_edit
from core.forecast.params import ForecastParams
from core.params import GradeParams, HealthParams
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py


# --- settings form ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingField:
    """One number input of the Settings form. ``percent`` fields hold a share (0.15) shown as 15."""

    owner: type  # HealthParams, GradeParams or ForecastParams
    name: str
    group: str
    label: str
    low: float
    high: float
    step: float
    percent: bool = False
    integer: bool = False
    help: str | None = None


_H, _G, _F = HealthParams, GradeParams, ForecastParams
SETTING_GROUPS = ["Periods and costs", "Score targets", "Weights", "Class cut-offs", "Slow-mover thresholds",
                  "Events"]
SETTING_FIELDS = [
    SettingField(_H, "period_days", SETTING_GROUPS[0], "Period (days)", 7, 730, 1, integer=True,
                 help="Turnover, in-stock rate, holding cost and profit look back this far."),
    SettingField(_H, "demand_window_days", SETTING_GROUPS[0], "Demand window (days)", 7, 365, 1, integer=True,
                 help="The stockout-corrected demand rate behind days of supply."),
    SettingField(_H, "capital_rate_annual", SETTING_GROUPS[0], "Capital cost (% a year)", 0, 100, 0.5, True,
                 help="The cost of the money tied up in stock, part of the holding cost."),
    SettingField(_H, "default_fee_share", SETTING_GROUPS[0], "Amazon fees where unknown (% of revenue)", 0, 99,
                 1, True, help="Used where the Fee Preview report lacks a SKU."),
    SettingField(_H, "turnover_full", SETTING_GROUPS[1], "Turnover scoring 100 (turns/yr)", 0.1, 100, 0.5),
    SettingField(_H, "turnover_zero", SETTING_GROUPS[1], "Turnover scoring 0 (turns/yr)", 0, 99, 0.5),
    SettingField(_H, "aged_share_zero", SETTING_GROUPS[1], "Aged over 180 days scoring 0 (%)", 1, 100, 5, True),
    SettingField(_H, "aged_365_share_zero", SETTING_GROUPS[1], "Aged over 365 days scoring 0 (%)", 1, 100, 5,
                 True),
    SettingField(_H, "dead_share_zero", SETTING_GROUPS[1], "Dead stock scoring 0 (%)", 1, 100, 5, True),
    SettingField(_H, "in_stock_full", SETTING_GROUPS[1], "In-stock rate scoring 100 (%)", 1, 100, 1, True),
    SettingField(_H, "in_stock_zero", SETTING_GROUPS[1], "In-stock rate scoring 0 (%)", 0, 99, 1, True),
    SettingField(_H, "holding_ratio_full", SETTING_GROUPS[1], "Holding cost scoring 100 (% a year)", 0, 500, 1,
                 True),
    SettingField(_H, "holding_ratio_zero", SETTING_GROUPS[1], "Holding cost scoring 0 (% a year)", 1, 1000, 1,
                 True),
    SettingField(_H, "alert_below", SETTING_GROUPS[1], "Alert below health score", 0, 100, 1,
                 help="The Overview and Health score pages warn under this account score."),
    SettingField(_H, "weight_turnover", SETTING_GROUPS[2], "Turnover efficiency (%)", 0, 100, 5, True),
    SettingField(_H, "weight_structure", SETTING_GROUPS[2], "Stock structure (%)", 0, 100, 5, True),
    SettingField(_H, "weight_service_cost", SETTING_GROUPS[2], "Service and cost (%)", 0, 100, 5, True),
    SettingField(_H, "abc_a_share", SETTING_GROUPS[3], "Class A: revenue share (%)", 1, 99, 1, True),
    SettingField(_H, "abc_b_share", SETTING_GROUPS[3], "Classes A + B: revenue share (%)", 1, 99, 1, True),
    SettingField(_H, "xyz_x_cv", SETTING_GROUPS[3], "Class X: demand CV up to", 0.05, 10, 0.05),
    SettingField(_H, "xyz_y_cv", SETTING_GROUPS[3], "Class Y: demand CV up to", 0.05, 10, 0.05),
    SettingField(_G, "dos_watch_days", SETTING_GROUPS[4], "Days of supply: watch above", 1, 3650, 1, integer=True),
    SettingField(_G, "dos_urgent_days", SETTING_GROUPS[4], "Days of supply: urgent (red) above", 1, 3650, 1,
                 integer=True),
    SettingField(_G, "velocity_drop", SETTING_GROUPS[4], "Sales drop, two 30-day periods running (%)", 1, 99, 5,
                 True),
    SettingField(_G, "aged_days", SETTING_GROUPS[4], "Aged: older than (days)", 1, 455, 1, integer=True),
    SettingField(_G, "aged_share", SETTING_GROUPS[4], "Aged: share of units over (%)", 1, 99, 1, True),
    SettingField(_G, "no_sale_days", SETTING_GROUPS[4], "No sale in (days): red", 7, 730, 1, integer=True),
    SettingField(_F, "prime_day_uplift", SETTING_GROUPS[5], "Prime Day: default demand (×)", 0.1, 20, 0.1,
                 help="Demand on Prime Day days as a multiple of an ordinary day, where neither the SKU, its "
                      "product group nor the account sold through a past Prime Day."),
    SettingField(_F, "bfcm_uplift", SETTING_GROUPS[5], "Black Friday-Cyber Monday: default demand (×)", 0.1, 20,
                 0.1, help="The same for Black Friday to Cyber Monday."),
]
WEIGHT_FIELDS = ["weight_turnover", "weight_structure", "weight_service_cost"]


def setting_input(field: SettingField, params) -> None:
    """One number input keyed ``set_<name>``, starting from the saved value."""
    value = getattr(params, field.name)
    if field.integer:
        st.number_input(field.label, int(field.low), int(field.high), int(value), int(field.step),
                        key=f"set_{field.name}", help=field.help)
    else:
        shown = round(value * 100, 6) if field.percent else float(value)
        st.number_input(field.label, float(field.low), float(field.high), shown, float(field.step),
                        key=f"set_{field.name}", help=field.help, format="%.2f" if field.step < 0.5 else "%.1f")


def settings_from_form() -> tuple[HealthParams, GradeParams, ForecastParams]:
    """The form's values as parameter objects; ValueError (naming the parameter) when they do not
    validate, including weights that do not sum to 100%."""
    values: dict[type, dict] = {HealthParams: {}, GradeParams: {}, ForecastParams: {}}
    for field in SETTING_FIELDS:
        value = st.session_state[f"set_{field.name}"]
        values[field.owner][field.name] = value / 100 if field.percent else value
    total = sum(st.session_state[f"set_{w}"] for w in WEIGHT_FIELDS)
    if abs(total - 100) > 1e-6:
        raise ValueError(f"The three weights must sum to 100% (1.0); they sum to {total:g}%.")
    return (HealthParams(**values[HealthParams]), GradeParams(**values[GradeParams]),
            ForecastParams(**values[ForecastParams]))


@common.changes_database
def save_settings() -> None:
    """Form callback: validate and save, or keep the message of what is wrong; nothing is saved then."""
    try:
        health, grades, forecast = settings_from_form()
    except ValueError as error:
        st.session_state["settings_message"] = ("error", f"Not saved: {error}")
        return
    settings.save(common.db_path(), health, grades)
    if forecast != settings.load_forecast(common.db_path()):
        settings.save_forecast(common.db_path(), forecast)
        common.data_changed()  # the cached forecasts (keyed by the data version) used the old defaults
    st.session_state["settings_message"] = ("success", "Saved. Every page and `fba-health skus` use these now.")


def reset_settings() -> None:
    """Button callback: forget saved settings, and the form's edits, so the defaults show."""
    if settings.load_forecast(common.db_path()) != ForecastParams():
        common.data_changed()
    settings.reset(common.db_path())
    for field in SETTING_FIELDS:
        st.session_state.pop(f"set_{field.name}", None)
    st.session_state["settings_message"] = ("success", "Settings reset to the defaults.")


# --- inbound placement split option ------------------------------------------------------------------

PLACEMENT_KEY = "placement_split"


def save_placement_split() -> None:
    """Select callback: save the split option the restock plan prices the placement fee with."""
    settings.save_placement_split(common.db_path(), st.session_state[PLACEMENT_KEY])
    common.data_changed()  # cached plans priced the old option
    st.session_state["settings_message"] = ("success", "Saved. The restock plan and purchase orders price "
                                                       "the placement fee with this option now.")


def placement_split_input() -> None:
    """The seller's inbound placement option (``core.fees.table.PLACEMENT_OPTIONS``), saved on change."""
    from core.fees.table import DEFAULT_PLACEMENT_SPLIT, PLACEMENT_OPTIONS, display_option

    saved = settings.load_placement_split(common.db_path())
    st.selectbox("Inbound placement option", PLACEMENT_OPTIONS, index=PLACEMENT_OPTIONS.index(saved),
                 format_func=lambda o: display_option(o).capitalize(), key=PLACEMENT_KEY,
                 on_change=save_placement_split,
                 help=f"Default: {display_option(DEFAULT_PLACEMENT_SPLIT)}, free for shipments of at least five "
                      "identical cartons per item. Minimal splits (one inbound location) pay a fee by size tier "
                      "and weight; partial splits are offered for large bulky items only.")


# --- fee table editor ------------------------------------------------------------------------------

FEE_ROUND = "fees_edit_round"  # part of every editor's key: a save or reset starts fresh editors


def fee_editor_key(block: str) -> str:
    """The data editor's key of a block in the current round (``fees_<block>_<round>``)."""
    return f"fees_{block}_{st.session_state.get(FEE_ROUND, 0)}"


def _next_round(message: str) -> None:
    st.session_state[FEE_ROUND] = st.session_state.get(FEE_ROUND, 0) + 1
    st.session_state["fees_message"] = ("success", message)
    common.data_changed()  # fee projections cached under the old rates


def fee_table_editor() -> None:
    """The fee table in force today as one editable table per block (tabs), unconfirmed blocks marked;
    Save stores a seller version in the database, Reset returns to Amazon's published table."""
    path, today = common.db_path(), dt.date.today()
    version = fee_table.version_in_force(path, "US", today)
    in_force = fee_table.fee_table_in_force(path, "US", today)
    origin = (f"your edit saved {version['saved_at'].replace('T', ' ')} UTC" if version.get("saved_at")
              else "Amazon's published table (core/fees/tables/us.json)")
    st.caption(f"The US fee table in force today: {origin}, effective {in_force.effective_from:%d %b %Y}. "
               "Saving keeps your edit in the database as a new version from the date below; the JSON file is "
               "not changed (edit it, or add a version to it, to change Amazon's published table).")
    kind, message = st.session_state.pop("fees_message", (None, None))
    if kind:
        (st.error if kind == "error" else st.success)(message)
    frames = fee_edit.block_frames(version)
    edited = {}
    for tab, block in zip(st.tabs([b.title + ("" if in_force.is_confirmed(b.block) else " (unconfirmed)")
                                   for b in fee_edit.EDIT_BLOCKS]), fee_edit.EDIT_BLOCKS):
        with tab:
            source = dict(in_force.sources)[block.block]
            flag = ("Confirmed" if in_force.is_confirmed(block.block) else
                    "**Not confirmed** by an Amazon page we could read: estimates only")
            st.caption(f"{block.help} {flag}. Source: {source}")
            labels = fee_edit.COLUMN_LABELS
            columns = {c: st.column_config.NumberColumn(labels[c], min_value=0.0)
                       for c in block.columns if c not in ("size_tier", "split_option", "band")}
            columns |= {c: st.column_config.TextColumn(labels[c]) for c in ("size_tier", "split_option", "band")
                        if c in block.columns}
            edited[block.block] = st.data_editor(frames[block.block], key=fee_editor_key(block.block),
                                                 num_rows="dynamic" if block.rows_change else "fixed",
                                                 disabled=list(block.fixed), hide_index=True, column_config=columns)
    effective = st.date_input("Effective from", in_force.effective_from,
                              key=f"fees_effective_{st.session_state.get(FEE_ROUND, 0)}",
                              help="The date your version applies from; a later version Amazon publishes in the "
                                   "JSON file takes over from its own date.")
    left, right = st.columns(2)
    if left.button("Save the fee table", key="fees_save", type="primary"):
        try:
            fee_table.save_seller_version(path, fee_edit.version_from_frames(version, edited, effective))
        except ValueError as error:
            st.error(f"Not saved: {error}")
        else:
            _next_round("Fee table saved. Every fee on every page and in `fba-health` uses it now.")
            st.rerun()
    # Save and reset run in the page (not as callbacks), where a database that refuses the change
    # (read-only, locked) is reported by the page frame.
    if right.button("Reset to Amazon's published table", key="fees_reset",
                    help="Forget your saved fee tables; the published one (core/fees/tables/us.json) applies again."):
        fee_table.reset_seller_versions(path, "US")
        _next_round("Fee table reset to Amazon's published table.")
        st.rerun()
