"""Streamlit glue for the Plan pages: the restock plan, the what-if and the forecast accuracy,
cached per data version, as-of date and parameters. Pages import it as
``from pages import _plan as plan_view``; it builds on _common (the SKU table and returns reads).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core import display, export, purchase_orders, restock, stock_projection
from core.forecast import forecast_table, history
from core.params import GradeParams, HealthParams
from core.restock_params import RestockParams, baseline_restock_params
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py


# --- restock plan and what-if ---------------------------------------------------------------------

RESTOCK_STATUSES = restock.STATUSES  # order now, soon, held (graded red or orange), not yet
# What a seller acts on first (visible at 1440 px without scrolling), the long reason last.
RESTOCK_SHOWN = ["sku", "product_name", "status", "order_qty", "order_value", "order_by", "cases", "stockout_date",
                 "days_of_supply", "days_of_cover_after", "floor_units", "ceiling_units", "blocked_by",
                 "projected_fees_12m", "placement_fee", "supplier", "method", "wape", "reason"]


# A resource: large frames shared read-only across reruns and sessions, never copied.
@st.cache_resource(show_spinner="Forecasting demand (once for this data)…", max_entries=8)
def _forecast_result(path: str, version: tuple, as_of_date: dt.date | None):
    return forecast_table(Path(path), as_of_date)


def _forecast_summary(path: str, version: tuple,
                      as_of_date: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = _forecast_result(path, version, as_of_date)
    return result.summary, result.daily


def forecast_result():
    """``core.forecast.forecast_table`` at the sidebar's as-of date (profiles and calibration with it)."""
    path = common.db_path()
    return _forecast_result(str(path), common.data_version(path), common.as_of())


def forecast_summary() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``core.forecast.forecast_table`` at the sidebar's as-of date: (summary, daily). Fitted once per
    data version and date; restock parameters (the what-if sliders) never refit it."""
    path = common.db_path()
    return _forecast_summary(str(path), common.data_version(path), common.as_of())


@st.cache_resource(show_spinner="Reading the plan's inputs…", max_entries=4)
def _restock_inputs(path: str, version: tuple, as_of_date: dt.date | None,
                    health: HealthParams) -> restock.RestockInputs:
    # A resource, not data: shared read-only by the sessions, never copied per rerun. The plan reads no
    # grade, so the SKU table with default grades serves (the one the pages already built, usually);
    # without a stock snapshot, the orders-only table (position taken as 0).
    table = common._plan_table(path, version, as_of_date, health, GradeParams())
    return restock.restock_inputs(Path(path), as_of_date, health, table=table,
                                  returns_by_sku=common._returns(path, version, table.as_of, "sku"))


@st.cache_data(show_spinner="Planning restock…", max_entries=32)
def _restock_plan(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                  health: HealthParams) -> pd.DataFrame:
    result = _forecast_result(path, version, as_of_date)
    return restock.plan_from_inputs(_restock_inputs(path, version, as_of_date, health), result.summary, params,
                                    forecast=result)


def restock_params() -> RestockParams:
    """The baseline plan's parameters: defaults, with the capital rate saved on the Settings page."""
    return baseline_restock_params(common.health_settings()[0])


def restock_plan(params: RestockParams) -> pd.DataFrame:
    """``core.restock.restock_from_db`` at the sidebar's as-of date with the cached forecast summary
    and the saved health settings (all SKUs; ``restock_view`` applies the sidebar filters)."""
    path = common.db_path()
    return _restock_plan(str(path), common.data_version(path), common.as_of(), params,
                         common.health_settings()[0])


def capacity_plan(plan: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``core.restock.capacity_by_month`` of the whole plan against the saved storage limits, and
    whether any limit is entered."""
    from core import settings

    limits = settings.load_capacity(common.db_path())
    return restock.capacity_by_month(plan, limits), bool(limits.as_dict())


def _save_exempt() -> None:
    """Form callback: save the SKUs marked exempt from the low-inventory fee, and plan again."""
    from core import settings

    settings.save_low_inventory_exempt(common.db_path(), st.session_state.get("restock_exempt", []))
    common.data_changed()


def exempt_editor(skus: list[str]) -> None:
    """The seller's list of SKUs exempt from the low-inventory-level fee (no 28-day floor), saved in
    the database (``core.settings.save_low_inventory_exempt``)."""
    from core import settings

    saved = [s for s in settings.load_low_inventory_exempt(common.db_path()) if s in set(skus)]
    with st.expander("SKUs exempt from the low-inventory fee"), st.form("restock_exempt_form", border=False):
        st.multiselect("Exempt SKUs", skus, default=saved, key="restock_exempt",
                       help="Amazon exempts SKUs selling fewer than 20 units a week and new SKUs by itself; "
                            "mark others Amazon exempts for you (e.g. new-seller status) so the plan keeps no "
                            "28-day floor for them.")
        st.form_submit_button("Save exemptions", on_click=_save_exempt)


def restock_view(plan: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The plan's rows for the SKUs of ``frame`` (the filtered SKU table), with their days of supply."""
    return plan.merge(frame[["sku", "days_of_supply"]], on="sku", how="inner")


def restock_counts(plan: pd.DataFrame) -> dict[str, int]:
    """SKUs per status, every status present (zero where none)."""
    return {s: int((plan["status"] == s).sum()) for s in RESTOCK_STATUSES}


@st.cache_data(show_spinner="Projecting stock…", max_entries=16)
def _stockout_days(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                   health: HealthParams) -> pd.Series:
    plan = _restock_plan(path, version, as_of_date, params, health)
    if plan.empty:
        return pd.Series(dtype=float)
    return stock_projection.project_stock(plan, _forecast_matrix(path, version, as_of_date),
                                          review_period_days=params.review_period_days).expected_stockout_days


@st.cache_resource(show_spinner=False, max_entries=4)
def _forecast_matrix(path: str, version: tuple, as_of_date: dt.date | None) -> stock_projection.DailyMatrix:
    return stock_projection.DailyMatrix.from_daily(_forecast_summary(path, version, as_of_date)[1])


@dataclass(frozen=True)
class PlanScope:
    """What a plan's cache key holds besides its parameters: the database, its data version, the
    sidebar's as-of date and the saved health settings. Read once per full run of the What-if page;
    its fragment reuses it, so a slider move reads nothing from the database (a fragment rerun runs
    outside app.py's ``db.held``, where each read would open the file again)."""

    path: str
    version: tuple
    as_of: dt.date | None
    health: HealthParams


def plan_scope() -> PlanScope:
    """The scope of this run: the database, its data version, the as-of date and the health settings."""
    path = common.db_path()
    return PlanScope(str(path), common.data_version(path), common.as_of(), common.health_settings()[0])


def scope_plan(scope: PlanScope, params: RestockParams) -> pd.DataFrame:
    """``restock_plan`` under ``params`` within ``scope`` (all SKUs; cached per parameters)."""
    return _restock_plan(scope.path, scope.version, scope.as_of, params, scope.health)


def restock_totals(scope: PlanScope, plan: pd.DataFrame, params: RestockParams) -> dict[str, float]:
    """``core.restock.plan_totals`` of the (filtered) plan, with the expected stockout days of the
    180-day projection under ``params``."""
    return restock.plan_totals(plan, _stockout_days(scope.path, scope.version, scope.as_of, params, scope.health))


WHATIF_FIGURES = [
    ("cash", "Cash needed now", common.whole_money, "Σ order value of the SKUs to order now."),
    ("stockout_days", "Stockout days", common.number,
     "Σ over SKUs of the expected days out of stock in the next 180 days (the projection below)."),
    ("safety_stock", "Safety stock (units)", common.number, "Σ safety stock units."),
    ("holding", "Holding cost of SS", common.whole_money, "Σ annual holding cost of the safety stock."),
    ("lost_margin", "Lost margin a year", common.whole_money, "Σ expected margin lost to stockouts a year."),
    ("fees_12m", "Fees, next 12 months", common.whole_money,
     "Σ storage, aged surcharge and low-inventory fee the plan is expected to cost over the next 12 months "
     "(a shorter lead time, as by air, shows here in dollars)."),
]


def whatif_comparison(before: dict, after: dict) -> pd.DataFrame:
    """The what-if totals side by side: figure, baseline, scenario, change (as text)."""
    rows = [{"figure": name, "baseline": fmt(before[key]), "scenario": fmt(after[key]),
             "change": change(after[key], before[key]) or "—"} for key, name, fmt, _ in WHATIF_FIGURES]
    return pd.DataFrame(rows)


def change(after: float, before: float) -> str | None:
    """A metric delta as text (``+1,234``), or None when either side is unknown or nothing changed."""
    if common._missing(after) or common._missing(before) or round(after - before) == 0:
        return None
    return f"{after - before:+,.0f}"


def totals_caption(totals: dict) -> str:
    """What the what-if totals leave out: SKUs without a unit cost."""
    parts = []
    if totals["cash_unknown_skus"]:
        n = totals["cash_unknown_skus"]
        parts.append(f"{n:,} SKU{'s' if n > 1 else ''} to order now {'have' if n > 1 else 'has'} no unit cost, "
                     "so the cash needed leaves them out")
    if totals["cost_unknown_skus"]:
        n = totals["cost_unknown_skus"]
        parts.append(f"{n:,} SKU{'s' if n > 1 else ''} without a unit cost {'are' if n > 1 else 'is'} left out "
                     "of the holding cost and lost margin")
    return ("; ".join(parts) + " (add costs on the Product costs page).") if parts else "Every SKU has a unit cost."


def projection_choices(plan: pd.DataFrame) -> list[str]:
    """SKUs to pick for the projection chart: order now (largest order first), then soon, then the rest."""
    rank = plan["status"].map({s: i for i, s in enumerate(RESTOCK_STATUSES)})
    ordered = plan.assign(rank=rank).sort_values(["rank", "order_value", "sku"], ascending=[True, False, True],
                                                 na_position="last", kind="stable")
    return ordered["sku"].tolist()


def sku_label(plan: pd.DataFrame):
    """format_func for a SKU picker: "SKU · product name (status)"."""
    names = dict(zip(plan["sku"], plan["product_name"].fillna("")))
    status = dict(zip(plan["sku"], plan["status"]))
    return lambda sku: f"{sku} · {str(names.get(sku, ''))[:50]} ({status.get(sku, '')})"


def projection_frame(scope: PlanScope, plan: pd.DataFrame, params: RestockParams, sku: str) -> pd.DataFrame:
    """One SKU's 180-day stock projection under ``params`` (``StockProjection.frame``); ``plan`` is the
    plan under ``params`` (its row for ``sku`` is projected, on the forecast matrix kept per data version)."""
    projection = stock_projection.project_stock(plan[plan["sku"] == sku],
                                                _forecast_matrix(scope.path, scope.version, scope.as_of),
                                                review_period_days=params.review_period_days)
    return projection.frame(sku)


ACCURACY_SHOWN = ["sku", "product_name", "pattern", "method", "demand_per_day", "wape_month", "wape", "bias",
                  "mase", "backtest_units", "history_days", "profile_source", "adi", "cv2", "method_reason",
                  "backtest_month_units"]


def accuracy_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The forecast summary of the SKUs in ``frame`` (the filtered SKU table), with product names,
    the SKUs that sold most in the backtest first."""
    summary = forecast_summary()[0]
    view = frame[["sku", "product_name"]].merge(summary, on="sku", how="inner")
    return view.sort_values(["backtest_units", "sku"], ascending=[False, True], na_position="last",
                            kind="stable")[ACCURACY_SHOWN].reset_index(drop=True)


def show_accuracy_table(summary: pd.DataFrame, **kwargs) -> None:
    """The accuracy table with percentages and labels."""
    common.show_table(summary, **kwargs)


def accuracy_label(summary: pd.DataFrame):
    """format_func for the accuracy page's SKU picker: "SKU · product name"."""
    names = dict(zip(summary["sku"], summary["product_name"].fillna("")))
    return lambda sku: f"{sku} · {str(names.get(sku, ''))[:60]}"


def accuracy_sentence(row: pd.Series) -> str:
    """One SKU's forecast in words: pattern, method and why it was kept, accuracy, yearly profile."""
    text = (f"Demand pattern **{row['pattern']}** (ADI {common.number(row['adi'], 2)}, "
            f"CV² {common.number(row['cv2'], 2)}); "
            f"method **{display.method_name(row['method'])}**, forecasting {common.number(row['demand_per_day'], 2)} "
            f"units a day over the next 28 days.")
    if not common._missing(row.get("method_reason")):
        text += f" Why: {row['method_reason']}."
    if not common._missing(row.get("profile_source")):
        text += f" Yearly profile: {row['profile_source']}."
    if common._missing(row["wape"]):
        return text + " Too little in-stock history for a backtest."
    month = (f"WAPE {common.pct(row['wape_month'], 0)} on monthly totals, "
             if not common._missing(row.get("wape_month")) else "")
    return text + (f" Backtest: {month}WAPE {common.pct(row['wape'], 0)} on days, bias {row['bias'] * 100:+.0f}%, "
                   f"MASE {common.number(row['mase'], 2)} over {common.number(row['backtest_units'])} "
                   f"units sold.")


def account_service(service_level: float, lead_days: int) -> float | None:
    """The service the calibrated reorder point achieved over the whole account's backtest at one
    level and lead time (``ForecastResult.calibration``'s ``achieved``), None where it has none."""
    c = forecast_result().calibration
    row = c[(c["horizon_days"] == lead_days) & np.isclose(c["service_level"].astype(float), service_level)]
    value = float(row["achieved"].iloc[0]) if len(row) else float("nan")
    return value if np.isfinite(value) else None


def sku_profile(sku: str) -> pd.DataFrame:
    """The yearly profile one SKU's forecast uses (month, profile, own, target); empty without one."""
    profiles = forecast_result().profiles
    return profiles[profiles["sku"] == sku]


def service_by_class(frame: pd.DataFrame) -> pd.DataFrame:
    """The service level the calibrated reorder point achieved in the backtest per ABC class, against
    each class's target (``core.forecast.accuracy.achieved_service``), for the SKUs in ``frame``."""
    from core.forecast import accuracy

    params = restock_params()
    targets = pd.DataFrame({"sku": frame["sku"].astype(str),
                            "group": frame["abc_class"].fillna("C").astype(str) if "abc_class" in frame else "C",
                            "target": restock.service_levels(frame.reset_index(drop=True), params).to_numpy()})
    return accuracy.achieved_service(forecast_result().lead_errors, targets)


@st.cache_data(show_spinner="Reading sales history…", max_entries=64)
def _history(path: str, version: tuple, as_of_date: dt.date | None, sku: str) -> pd.DataFrame:
    return history(Path(path), as_of_date, 365, sku=sku)


def sku_history(sku: str) -> pd.DataFrame:
    """The last 365 days of one SKU's daily units sold and in-stock flags (``core.forecast.history``)."""
    path = common.db_path()
    return _history(str(path), common.data_version(path), common.as_of(), sku)


def show_restock_table(plan: pd.DataFrame, **kwargs) -> None:
    """The plan's columns users act on, with labels and formats."""
    common.show_table(plan[RESTOCK_SHOWN], **kwargs)


@st.cache_data(show_spinner=False)
def _po_file(kind: str, plan: pd.DataFrame, as_of_date: dt.date, path: str, version: tuple, made_on: dt.date,
             details: purchase_orders.PurchaseOrderDetails) -> bytes:
    lines = purchase_orders.po_lines_from_db(Path(path), plan)
    if kind == "csv":
        return purchase_orders.purchase_order_csv(lines, as_of_date, made_on=made_on)
    return purchase_orders.purchase_order_xlsx(lines, as_of_date, made_on=made_on, details=details)


def po_xlsx(plan: pd.DataFrame, as_of_date: dt.date) -> bytes:
    """The purchase-order workbook, dated today (``core.purchase_orders.purchase_order_xlsx``)."""
    path = common.db_path()
    return _po_file("xlsx", plan, as_of_date, str(path), common.data_version(path), dt.date.today(),
                    purchase_orders.load_details(path))


def po_csv(plan: pd.DataFrame, as_of_date: dt.date) -> bytes:
    """The purchase-order lines as CSV, dated today (``core.purchase_orders.purchase_order_csv``)."""
    path = common.db_path()
    return _po_file("csv", plan, as_of_date, str(path), common.data_version(path), dt.date.today(),
                    purchase_orders.PurchaseOrderDetails())


@st.cache_data(show_spinner=False)
def supplier_forecast_csv(plan: pd.DataFrame, daily: pd.DataFrame, review_period_days: float) -> bytes:
    return export.to_csv_bytes(purchase_orders.supplier_forecast(plan, daily,
                                                                 review_period_days=review_period_days))


# --- order now or later, sea or air (What-if) ----------------------------------------------------------

TIMING_SHOWN = ["option", "transit", "lead_time_days", "fees_12m", "holding_12m", "lost_margin", "air_freight_cost",
                "total_cost", "cost_difference"]


@st.cache_data(show_spinner=False, max_entries=32)
def _order_timing(path: str, version: tuple, as_of_date: dt.date | None, health: HealthParams, plan: pd.DataFrame,
                  params: RestockParams, delay_weeks: int, air_freight_per_unit: float) -> pd.DataFrame:
    inputs = _restock_inputs(path, version, as_of_date, health)
    table = inputs.fee_table if inputs.fee_table is not None else restock._fee_table(inputs.as_of)
    return restock.order_timing(plan, table, params, inputs.as_of, delay_weeks, air_freight_per_unit)


def order_timing(scope: PlanScope, plan: pd.DataFrame, params: RestockParams, delay_weeks: int,
                 air_freight_per_unit: float) -> pd.DataFrame:
    """``core.restock.order_timing`` of ``plan``'s rows on the fee table the plan was priced with."""
    return _order_timing(scope.path, scope.version, scope.as_of, scope.health, plan, params, delay_weeks,
                         air_freight_per_unit)
