"""Streamlit glue for the Fees pages: the storage-fee outlook and aged-inventory band crossings, the
IPI factors, the fee table, the clearance advisor and storage capacity. Pages import it as
``from pages import _ageing_fees as fees_view``; it builds on _common and _plan (the plan's inputs).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from core import clearance, display, settings
from core.fees import capacity, ipi, outlook
from core.fees.table import fee_table_rows
from core.params import GradeParams, HealthParams
from core.restock_params import RestockParams
from pages import _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py


# --- ageing, fees and clearance --------------------------------------------------------------------

# A resource: large frames shared read-only across reruns and sessions, never copied.
@st.cache_resource(show_spinner="Projecting storage fees…", max_entries=8)
def _fee_outlook(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                 health: HealthParams) -> outlook.FeeOutlook:
    return outlook.fee_outlook(Path(path), as_of_date, 12, restock_params=params, health_params=health,
                               plan_inputs=lambda: plan_view._restock_inputs(path, version, as_of_date,
                                                                             health))


def fee_outlook() -> outlook.FeeOutlook:
    """``core.fees.outlook.fee_outlook`` at the sidebar's as-of date under the baseline restock plan."""
    path = common.db_path()
    return _fee_outlook(str(path), common.data_version(path), common.as_of(), plan_view.restock_params(),
                        common.health_settings()[0])


def crossing_messages(crossings: pd.DataFrame, skus_frame: pd.DataFrame) -> pd.DataFrame:
    """The band crossings with product names and the sentence a seller acts on."""
    shown = common.in_view(crossings, skus_frame).merge(skus_frame[["sku", "product_name"]], on="sku",
                                                        how="left")
    action = [f"Sell or remove {display.units(units)} by {display.date(deadline)} to avoid {common.money(amount)}"
              for units, deadline, amount in zip(shown["units"], shown["deadline"], shown["amount_avoided"])]
    shown = shown.assign(action=action, deadline=pd.to_datetime(shown["deadline"]))
    return shown[["sku", "product_name", "band", "units", "deadline", "amount_avoided", "action"]]


def crossings_within(crossings: pd.DataFrame, as_of_date: dt.date | None, days: int) -> pd.DataFrame:
    """The crossings whose deadline is within ``days`` days of the as-of date."""
    if as_of_date is None:
        return crossings
    return crossings[crossings["deadline"] <= pd.Timestamp(as_of_date) + pd.Timedelta(days=days)]


def show_crossings(crossings: pd.DataFrame, **kwargs) -> None:
    common.show_table(crossings, labels={"deadline": "Deadline"}, **kwargs)


@st.cache_data(show_spinner="Reading the IPI factors…", max_entries=4)
def _ipi(path: str, version: tuple) -> pd.DataFrame:
    return ipi.ipi_factors_from_db(Path(path))


def ipi_factors() -> pd.DataFrame:
    """``core.fees.ipi.ipi_factors_from_db``: the four factors per planning snapshot."""
    path = common.db_path()
    return _ipi(str(path), common.data_version(path))


@st.cache_data(show_spinner="Pricing the ways out…", max_entries=16)
def _clearance(path: str, version: tuple, as_of_date: dt.date | None, params: clearance.ClearanceParams,
               picked: tuple[str, ...], restock: RestockParams, health: HealthParams,
               grades: GradeParams) -> outlook.ClearanceAdvice:
    fees = _fee_outlook(path, version, as_of_date, restock, health)
    table = common._sku_table(path, version, as_of_date, health, grades)
    return outlook.clearance_advice(Path(path), fees, table.frame, params, picked, period_days=health.period_days,
                                    default_fee_share=health.default_fee_share)


def clearance_advice(params: clearance.ClearanceParams, picked: list[str]) -> outlook.ClearanceAdvice:
    """``core.fees.outlook.clearance_advice`` for the red and orange SKUs and those picked."""
    path = common.db_path()
    health, grades = common.health_settings()
    return _clearance(str(path), common.data_version(path), common.as_of(), params, tuple(sorted(picked)),
                      plan_view.restock_params(), health, grades)


def fee_caption(fees: outlook.FeeOutlook) -> str:
    """Where the projection's ages and arrivals come from, and which rates are not confirmed."""
    text = (f"Ages from the {fees.inputs.age_source}; demand from the forecast, oldest units sold first; "
            f"arrivals from the restock plan ({len(fees.arrivals):,} deliveries: stock inbound now, then "
            "each order one lead time after it is placed). The first month counts from the day after the as-of date.")
    unknown = int(fees.inputs.items["cubic_feet_per_unit"].isna().sum()) if len(fees.inputs.items) else 0
    if unknown:
        text += f" {common.plural(unknown, 'SKU')} {'has' if unknown == 1 else 'have'} no known volume, so their fees are unknown and left out of the totals."
    if fees.table is not None and fees.table.unconfirmed:
        text += (" Rates not confirmed by an Amazon page we could read: "
                 + ", ".join(display.words(b).lower() for b in fees.table.unconfirmed) + " (see the fee table below).")
    return text


@st.cache_data(show_spinner=False, max_entries=4)
def _rate_check(path: str, version: tuple) -> pd.DataFrame:
    return outlook.rate_check(Path(path))


def low_inventory_note(table) -> str:
    """The low-inventory-level fee of the table in force, in a sentence: its level, bulky items, the
    range of its rates and whether they are confirmed."""
    if table is None:
        return ""
    fees = [f for b in (*table.low_inventory_standard, *table.low_inventory_oversize) for f in b.fees]
    level = "FNSKU" if table.low_inventory_measured_per == "fnsku" else "parent ASIN"
    text = (f" In the fee table in force the fee is measured per {level}"
            f"{', bulky items included' if table.low_inventory_covers_bulky else ''}, "
            f"{common.money(min(fees))} to {common.money(max(fees))} per unit shipped (deeper under 28 days costs more)")
    return text + ("." if table.is_confirmed("low_inventory") else ", rates not confirmed by an Amazon page.")


def show_fee_table(table) -> None:
    """The fee table in force, one row per rate, unconfirmed rates marked."""
    if table is None:
        st.caption("No stock snapshot, so no fee table applies yet.")
        return
    origin = (f"your edit saved {table.saved_at.replace('T', ' ')} UTC" if table.saved_at
              else "Amazon's published table, core/fees/tables/us.json")
    st.caption(f"{table.marketplace} fee table effective {table.effective_from:%d %b %Y} ({origin}; edit it on the "
               "Settings page). Rows not confirmed are estimates: no Amazon page we could read confirms them.")
    common.show_table(fee_table_rows(table), width="stretch")
    path = common.db_path()
    check = _rate_check(str(path), common.data_version(path))
    if check.empty:
        st.caption("Load the Monthly Storage Fees report to check these rates against what Amazon charged.")
        return
    matched = int(check["matches"].sum())
    message = (f"Checked against the Monthly Storage Fees report: our storage rate matches Amazon's in {matched} of "
               f"{len(check)} month and size-tier pairs.")
    (st.success if matched == len(check) else st.warning)(message)
    if matched < len(check):
        common.show_table(check[~check["matches"]], width="stretch")


IPI_TILES = [("excess_share", "Excess inventory", "excess_bar", "{:.1%}"),
             ("sell_through", "Sell-through (90 days)", "sell_through_bar", "{:.2f}"),
             ("stranded_share", "Stranded inventory", "stranded_bar", "{:.1%}"),
             ("in_stock_rate", "In-stock rate", "in_stock_bar", "{:.1%}")]


def show_ipi(factors: pd.DataFrame) -> None:
    """The four IPI factors at the latest snapshot (tiles with Amazon's bar names, the change since
    the snapshot before) and their trend."""
    if factors.empty:
        st.caption("The IPI factors need the FBA Inventory report.")
        return
    latest, before = factors.iloc[-1], (factors.iloc[-2] if len(factors) > 1 else None)
    for column, (key, name, bar, fmt) in zip(st.columns(4), IPI_TILES):
        value = latest[key]
        delta = None
        if before is not None and not common._missing(value) and not common._missing(before[key]):
            change = value - before[key]
            delta = f"{change * 100:+.1f} pts" if "%" in fmt else f"{change:+.2f}"
        column.metric(name, "—" if common._missing(value) else fmt.format(value), delta, border=True,
                      delta_color="inverse" if key in ("excess_share", "stranded_share") else "normal",
                      help=f"{latest[bar]} on our heuristic bars (Amazon does not publish the IPI formula).")
    common.show_table(factors[["snapshot_date", "excess_share", "amazon_excess_share", "sell_through",
                               "stranded_share", "in_stock_rate"]], labels={"sell_through": "Sell-through"})


def show_clearance_table(advice: pd.DataFrame, **kwargs) -> None:
    """The advisor's table: the recommendation, then every option's cost."""
    labels = {c: c.removeprefix("cost_").capitalize() for c in advice.columns if c.startswith("cost_")}
    common.show_table(advice, labels=labels, kinds={c: display.MONEY for c in labels}, **kwargs)


def clearance_caption(params: clearance.ClearanceParams) -> str:
    return (f"Costs over {params.horizon_months} months on the units the forecast will not sell by then (all units "
            "of a SKU picked without excess): fees paid, margin given up and stock written off, less what comes "
            "back; a negative cost is a net gain. Keep = projected storage and surcharges + capital cost. Donation may be tax-deductible up to "
            f"cost × {params.tax_rate:.0%}: ask your accountant. Removal and disposal fees by size and weight "
            "from the fee table (not confirmed).")


def capacity_limits() -> capacity.CapacityLimits:
    return settings.load_capacity(common.db_path())


def capacity_view(fees: outlook.FeeOutlook, limits: capacity.CapacityLimits) -> pd.DataFrame:
    """``core.fees.outlook.capacity_outlook``: actual then projected cubic feet against the limits."""
    return outlook.capacity_outlook(common.db_path(), fees, limits)


@common.changes_database
def save_capacity() -> None:
    """Form callback: save the limits entered (0 or empty = none)."""
    values = {name: (st.session_state.get(f"capacity_{name}") or None) for name in capacity.STORAGE_TYPES}
    settings.save_capacity(common.db_path(), capacity.CapacityLimits(**values))
    common.data_changed()  # the restock plan caps orders by these limits: plan again
    st.session_state["capacity_message"] = "Saved."
