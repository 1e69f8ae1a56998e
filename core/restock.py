"""The restock plan: per SKU what to order, how much and by when, with the reason in plain words.

``restock_table`` is pure: it takes the health SKU table (core/skus.py), an optional forecast
summary and the product-cost sheet, and applies the formulas of core/metrics/restock.py to whole
columns. ``restock_from_db`` builds those inputs from the database, so the CLI and the pages share
one call. ``purchase_order_lines`` keeps the lines to order now, ready for core/purchase_orders.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import corridor as cr
from core import db, returns, skus
from core.fees.capacity import STORAGE_TYPES, CapacityLimits
from core.fees.table import DEFAULT_PLACEMENT_SPLIT, FeeTable, fee_table, placement_fee_per_unit
from core.metrics import restock as rm
from core.params import HealthParams
from core.restock_params import RestockParams

VELOCITY_METHOD = "velocity (no forecast)"

STATUSES = ("order now", "soon", "held", "not yet")  # every status the plan gives, most urgent first
HOLD_WORDS = {"red": "clear it first", "orange": "lift its sales first", "yellow": "check its listing first"}

RESTOCK_COLUMNS = [
    "sku", "product_name", "supplier", "abc_class", "status", "reason", "blocked_by",
    "demand_per_day", "sigma_demand", "method", "wape", "demand_events", "gross_demand_per_day",
    "resellable_returns_per_day",
    "production_days", "transit_days", "lead_time_days", "sigma_lead_time",
    "service_level", "z", "lead_time_demand", "safety_stock", "reorder_point",
    "available", "inbound", "reserved_transfer", "open_po_units", "position",
    "annual_demand", "unit_cost", "holding_cost_per_unit_year", "eoq",
    "order_qty_needed", "moq", "case_pack", "order_qty", "cases", "order_value",
    "order_by", "stockout_date", "days_of_cover_after",
    "unit_margin", "holding_cost_safety_stock", "expected_lost_margin", "as_of",
    # the corridor (core/corridor.py, docs/metrics.md "Restock corridor")
    "low_inventory_exempt", "low_inventory_floor_units", "floor_units", "ceiling_units", "eoq_order_qty",
    "cubic_feet_per_unit", "size_tier", "base_stock", "stock_at_arrival", "capacity_cuft_after",
    "annual_cost", "moq_surcharge", "fees_storage_12m", "fees_aged_12m", "fees_low_inventory_12m",
    "fees_placement_12m", "projected_fees_12m", "plan_rule", "cycle_qty",
    # the inbound placement fee (the seller's split option; NaN without a shipping weight)
    "weight_lb", "placement_split", "placement_fee_per_unit", "placement_fee",
]
BLOCKS = ("grade", "ceiling", "capacity", "moq")  # blocked_by: why an order is held back or capped

COST_COLUMNS = ["sku", "production_lead_time_days", "transit_lead_time_days", "moq", "case_pack", "supplier"]


def _column(frame: pd.DataFrame, name: str, default=np.nan) -> pd.Series:
    """A column as floats, or ``default`` everywhere when the frame lacks it."""
    if name in frame.columns:
        return pd.to_numeric(frame[name], errors="coerce").astype(float)
    return pd.Series(default, index=frame.index, dtype=float)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), None)
    return pd.Series(None, index=frame.index, dtype=object)


def _fmt(values, digits: int | None = None) -> pd.Series:
    """Numbers for the reason text: whole from 100 up, else one decimal without a trailing ".0"
    (unless ``digits`` is given); "?" when unknown. A plain loop over floats: ten reason columns
    of 10,000 SKUs each run on every what-if move. Each distinct value is formatted once (MOQs,
    case packs and rounded quantities repeat)."""
    index = values.index if isinstance(values, pd.Series) else None
    distinct, where = np.unique(np.asarray(values, dtype=float), return_inverse=True)
    floats = distinct.tolist()
    if digits is not None:
        texts = ["?" if x != x else f"{x:,.{digits}f}" for x in floats]
    else:
        texts = ["?" if x != x else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}".removesuffix(".0"))
                 for x in floats]
    return pd.Series(np.array(texts, dtype=object)[where.ravel()], index=index, dtype=object)


def service_levels(frame: pd.DataFrame, params: RestockParams) -> pd.Series:
    """Each SKU's service level: the global override, else its own, else its ABC class's."""
    if params.service_level_override is not None:
        return pd.Series(params.service_level_override, index=frame.index, dtype=float)
    by_class = _text(frame, "abc_class").map({"A": params.service_level_a, "B": params.service_level_b})
    by_class = by_class.astype(float).fillna(params.service_level_c)
    own = frame["sku"].map(dict(params.service_level_overrides)).astype(float)
    return own.fillna(by_class)


def _demand(frame: pd.DataFrame, forecast_summary: pd.DataFrame | None) -> pd.DataFrame:
    """demand_per_day, sigma_demand, method, wape, demand_events per SKU: the forecast's where it has
    the SKU, else the health table's velocity with a Poisson σ_d = √d (and no events)."""
    velocity = _column(frame, "demand_per_day").fillna(0.0).clip(lower=0)
    out = pd.DataFrame({"demand_per_day": velocity, "sigma_demand": np.sqrt(velocity),
                        "method": VELOCITY_METHOD, "wape": np.nan, "demand_events": ""}, index=frame.index)
    if forecast_summary is None or forecast_summary.empty:
        return out
    summary = forecast_summary.drop_duplicates("sku").set_index("sku")
    keys = frame["sku"]
    # get_indexer, not isin: isin on Arrow-backed strings loops in Python (50 ms a what-if move).
    known = pd.Series(summary.index.get_indexer(keys) >= 0, index=frame.index)
    d = keys.map(_column(summary, "demand_per_day")).astype(float)
    use = known & d.notna()
    d = d.clip(lower=0)
    sd = keys.map(_column(summary, "sigma_demand")).astype(float).fillna(np.sqrt(d))
    method = keys.map(summary["method"]) if "method" in summary.columns else pd.Series("forecast", index=frame.index)
    return pd.DataFrame({
        "demand_per_day": d.where(use, out["demand_per_day"]),
        "sigma_demand": sd.where(use, out["sigma_demand"]),
        "method": method.astype(object).where(use, VELOCITY_METHOD),
        "wape": keys.map(_column(summary, "wape")).astype(float).where(use, np.nan),
        "demand_events": (keys.map(summary["demand_events"]).fillna("").astype(object).where(use, "")
                          if "demand_events" in summary.columns else ""),
    }, index=frame.index)


def _lead_times(frame: pd.DataFrame, costs: pd.DataFrame, params: RestockParams) -> pd.DataFrame:
    production = _column(costs, "production_lead_time_days").fillna(params.production_days)
    mode_override = frame["sku"].map(dict(params.transit_mode_overrides))
    override_days = mode_override.map({"sea": params.sea_transit_days, "air": params.air_transit_days})
    transit = override_days.astype(float).fillna(_column(costs, "transit_lead_time_days")).fillna(
        params.transit_days_for_mode(params.transit_mode))
    lead = pd.Series(rm.lead_time_days(production, transit, params.fba_receiving_days), index=frame.index)
    lead = (lead + params.lead_time_shift_days).clip(lower=0)
    if params.lead_time_days_override is not None:
        lead = pd.Series(float(params.lead_time_days_override), index=frame.index)
    sigma = params.lead_time_sd_days + params.lead_time_sd_share * lead
    return pd.DataFrame({"production_days": production, "transit_days": transit, "lead_time_days": lead,
                         "sigma_lead_time": sigma}, index=frame.index)


def _reasons(t: pd.DataFrame, review_days: float, soon_margin_days: float) -> pd.Series:
    """The reason text of each SKU's status. Each kind of sentence is built only for the SKUs that
    get it (the what-if reruns this for every SKU on every move)."""
    out = pd.Series("no demand: nothing to order", index=t.index, dtype=object)
    demand = t["demand_per_day"] > 0
    now = demand & (t["status"] == "order now")
    if now.any():
        n = t[now]
        floor = n["low_inventory_floor_units"] > 0
        floor_text = pd.Series("", index=n.index, dtype=object)
        if floor.any():
            floor_text[floor] = " + low-inventory floor " + _fmt(n.loc[floor, "low_inventory_floor_units"])
        out[now] = ("position " + _fmt(n["position"]) + " ≤ reorder point " + _fmt(n["reorder_point"]) + floor_text
                    + f" + {review_days:g} days' demand " + _fmt(n["demand_per_day"] * review_days)
                    + ": order " + _fmt(n["order_qty"]) + " (needed " + _fmt(n["order_qty_needed"])
                    + ", MOQ " + _fmt(n["moq"].fillna(0)) + ", case pack " + _fmt(n["case_pack"].fillna(1)) + ")")
    rest = demand & ~now
    if rest.any():
        r = t[rest]
        days_left = (pd.to_datetime(r["order_by"]) - pd.to_datetime(r["as_of"])).dt.days
        by = pd.to_datetime(r["order_by"]).dt.strftime("%Y-%m-%d").fillna("?").astype(object)
        later = ("position " + _fmt(r["position"]) + " falls to reorder point "
                 + _fmt(r["reorder_point"] + r["low_inventory_floor_units"])
                 + " at " + _fmt(r["demand_per_day"]) + "/day on " + by + " (in " + _fmt(days_left) + " days")
        soon = r["status"] == "soon"
        tail = pd.Series(")", index=r.index, dtype=object)
        if soon.any():
            tail[soon] = (", within lead time " + _fmt(r.loc[soon, "lead_time_days"])
                          + f" + {soon_margin_days:g} days)")
        out[rest] = later + tail
    return out


def _held_reasons(grade: pd.Series, signals: pd.Series, would: pd.Series, wanted: pd.Series,
                  order_by: pd.Series) -> pd.Series:
    """The reason of each held SKU: its grade, what to do first, the signals behind the grade, and
    what the plan would do without the hold ("held: graded red, clear it first (no sale in 90 days
    with stock on hand); otherwise order 26 now")."""
    signals = signals.fillna("").astype(str)
    text = "held: graded " + grade + ", " + grade.map(HOLD_WORDS).fillna("clear it first")
    text = text + np.where(signals != "", " (" + signals + ")", "")
    by = pd.to_datetime(order_by).dt.strftime("%Y-%m-%d").fillna("?").astype(object)
    tail = np.select([would == "order now", would == "soon"],
                     ["; otherwise order " + _fmt(wanted) + " now", "; otherwise order by " + by], "")
    return (text + tail).astype(object)


def _calibrated_reorder_point(t: pd.DataFrame, forecast) -> None:
    """Replace the normal-formula safety stock and reorder point of the SKUs ``forecast`` has (in place):
    ROP = (forecast demand over the lead time − resellable returns over it) + SS,
    SS = √(SS_demand² + (z·d·σ_L)²), SS_demand from the calibrated L-day errors."""
    from core.forecast.engine import safety_stock

    use = t["method"] != VELOCITY_METHOD
    if not use.any():
        return
    rows = t[use]
    lead = rows["lead_time_days"].to_numpy(dtype=float)
    gross = forecast.lead_time_demand(lead, rows["sku"]).to_numpy()
    known = ~np.isnan(gross)
    summary = forecast.summary_rows(rows["sku"])
    ss_demand = safety_stock(summary, forecast.calibration, lead, rows["service_level"].to_numpy(dtype=float))
    ss_lead = rows["z"].to_numpy() * rows["demand_per_day"].to_numpy() * rows["sigma_lead_time"].to_numpy()
    ss = np.sqrt(ss_demand ** 2 + ss_lead ** 2)
    net = np.maximum(gross - rows["resellable_returns_per_day"].to_numpy() * lead, 0.0)
    index = rows.index[known]
    t.loc[index, "safety_stock"] = ss[known]
    t.loc[index, "lead_time_demand"] = net[known]
    t.loc[index, "reorder_point"] = net[known] + ss[known]


def _fee_table(as_of: dt.date, db_path: Path | None = None) -> FeeTable:
    """The US fee table in force at ``as_of``: the seller's edited version saved in ``db_path`` where one
    is in force (``core.fees.table.fee_table_in_force``), else Amazon's; the earliest version before
    any is in force."""
    from core.fees.table import fee_table_in_force

    try:
        return fee_table_in_force(db_path, "US", as_of)
    except ValueError:
        return fee_table_in_force(db_path, "US", dt.date.max)


def _items(sku: pd.Series, items: pd.DataFrame | None) -> pd.DataFrame:
    """Cubic feet per unit (NaN when unknown), size tier ("standard" when unknown) and shipping weight in
    pounds (NaN when unknown) per SKU."""
    if items is None or items.empty:
        return pd.DataFrame({"cubic_feet_per_unit": np.nan, "size_tier": "standard", "weight_lb": np.nan},
                            index=sku.index)
    first = items.drop_duplicates("sku").set_index("sku")
    weight = pd.to_numeric(first["weight_lb"], errors="coerce") if "weight_lb" in first else None
    return pd.DataFrame({
        "cubic_feet_per_unit": sku.map(pd.to_numeric(first["cubic_feet_per_unit"], errors="coerce")).astype(float),
        "weight_lb": np.nan if weight is None else sku.map(weight).astype(float),
        "size_tier": sku.map(first["size_tier"]).where(lambda v: v.isin(STORAGE_TYPES), "standard").astype(object),
    }, index=sku.index)


def _demand_windows(t: pd.DataFrame, forecast) -> tuple[pd.Series, pd.Series]:
    """Per SKU, the demand until an order placed today lands, D(0, L), and over the 180 days after,
    D(L, L + 180): the forecast's (less resellable returns) where it has the SKU, else d × days."""
    d, lead = t["demand_per_day"], t["lead_time_days"]
    to_arrival, window = d * lead, d * (cr.AIS_FIRST_AGE_DAYS - 1)
    use = t["method"] != VELOCITY_METHOD
    if forecast is not None and len(forecast.summary) and use.any():
        rows = t[use]
        lead_u = rows["lead_time_days"].to_numpy(dtype=float)
        from core.forecast.engine import lead_time_demand

        _, cum, tail = forecast._cumulative()
        positions = forecast.positions(rows["sku"])  # once: it hashes the list of SKUs
        near = lead_time_demand(cum, tail, positions, lead_u)
        far = lead_time_demand(cum, tail, positions, lead_u + cr.AIS_FIRST_AGE_DAYS - 1)
        resold = rows["resellable_returns_per_day"].to_numpy()
        near_net = np.maximum(near - resold * lead_u, 0.0)
        window_net = np.maximum(far - near - resold * (cr.AIS_FIRST_AGE_DAYS - 1), 0.0)
        known = ~np.isnan(near) & ~np.isnan(far)
        to_arrival = to_arrival.copy()
        window = window.copy()
        to_arrival[rows.index[known]] = near_net[known]
        window[rows.index[known]] = window_net[known]
    return to_arrival, window


def _floor_and_ceiling(t: pd.DataFrame, frame: pd.DataFrame, table: FeeTable, params: RestockParams, forecast,
                       exempt_skus: tuple[str, ...], corridor: bool, cycle_qty=None, windows=None) -> pd.DataFrame:
    """The corridor of each SKU (core/corridor.py): exemption, 28-day floor, floor and ceiling order
    quantities, stock left when an order lands, and the base stock B (safety stock + floor in use)."""
    d = t["demand_per_day"]
    units_7d = _column(frame, "units_7d").fillna(7 * t["gross_demand_per_day"])
    if {"units_30d", "units_30_59", "units_60_89"} <= set(frame.columns):
        new = cr.new_sku(frame["units_30d"], frame["units_30_59"], frame["units_60_89"])
    else:
        new = np.zeros(len(t), dtype=bool)
    chosen = sorted(set(exempt_skus) | set(params.low_inventory_exempt_skus))
    # get_indexer, not isin: isin on Arrow-backed strings loops in Python (30 ms on 10,000 SKUs).
    marked = (pd.Index(chosen).get_indexer(t["sku"]) >= 0) if chosen else np.zeros(len(t), dtype=bool)
    exempt = cr.low_inventory_exempt(units_7d, new, marked)
    threshold = cr.low_inventory_threshold_days(table)
    floor28 = cr.low_inventory_floor_units(d, exempt, threshold, cycle_qty)
    if windows is None:
        windows = _demand_windows(t, forecast)
    to_arrival, window = windows
    used = floor28 if corridor else np.zeros(len(t))
    return pd.DataFrame({
        "low_inventory_exempt": exempt, "low_inventory_floor_units": used,
        "floor_units": cr.floor_quantity(t["position"], t["reorder_point"], floor28, d, params.review_period_days),
        "ceiling_units": cr.ceiling_quantity(t["position"], to_arrival, window),
        "stock_at_arrival": np.maximum(t["position"] - to_arrival, 0.0),
        "base_stock": t["safety_stock"] + used,
    }, index=t.index)


def _units_short_per_cycle(sigma_lt: pd.Series, t: pd.DataFrame) -> pd.Series:
    """σ_LT · G(z + 28-day floor / σ_LT): the floor is buffer stock on top of the safety stock."""
    sigma = pd.Series(np.asarray(sigma_lt, dtype=float), index=t.index)
    z = t["z"] + (t["low_inventory_floor_units"] / sigma.where(sigma > 0)).fillna(0.0)
    return pd.Series(rm.expected_units_short_per_cycle(sigma, z), index=t.index).where(sigma > 0, 0.0)


def _fee_rates(t: pd.DataFrame, table: FeeTable, params: RestockParams) -> dict:
    """The per-SKU fee rates of the corridor: storage a unit-year (the fee table's where the volume is
    known, else the billed storage per unit-year), aged surcharge a unit-month per band, low-inventory
    fee a unit (the table's band for today's days of supply, position ÷ d, and the shipping weight)."""
    d = t["demand_per_day"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        days_of_supply = np.where(d > 0, np.clip(t["position"].to_numpy(float), 0, None) / d, np.inf)
    storage_year = pd.Series(cr.storage_per_unit_year(table, t["size_tier"], t["cubic_feet_per_unit"]), index=t.index)
    history = (t["holding_cost_per_unit_year"] - t["unit_cost"] * params.capital_rate_annual).clip(lower=0)
    return {"storage_per_unit_year_value": storage_year.fillna(history).to_numpy(float),
            "ais_rates": cr.ais_per_unit_month(table, t["cubic_feet_per_unit"]), "table": table,
            "low_inventory_fee": cr.low_inventory_fee_per_unit(table, t["size_tier"], days_of_supply,
                                                               t["weight_lb"]),
            "threshold_days": cr.low_inventory_threshold_days(table)}


def _price_inputs(t: pd.DataFrame, rates: dict, params: RestockParams, short: pd.Series) -> dict:
    """The per-SKU inputs ``core.corridor.annual_cost`` reads: ``rates`` (``_fee_rates``) and the plan's."""
    return {**rates, "demand_per_day": t["demand_per_day"].to_numpy(float),
            "base_stock": t["base_stock"].to_numpy(float), "order_cost": params.order_cost,
            "unit_cost": t["unit_cost"].to_numpy(float), "capital_rate_annual": params.capital_rate_annual,
            "exempt": t["low_inventory_exempt"].to_numpy(bool),
            "lost_units_per_cycle": short.to_numpy(float), "unit_margin": t["unit_margin"].to_numpy(float)}


def _corridor_quantity(t: pd.DataFrame, trigger: pd.Series, priced: dict, table: FeeTable,
                       params: RestockParams) -> tuple[pd.Series, pd.Series]:
    """The order quantity of each SKU due to order: the cheapest a year (``core.corridor.annual_cost``)
    of the candidates inside [floor, ceiling] the supplier accepts; when none is inside (an MOQ or a
    case above the ceiling), the smallest accepted quantity above the floor, blocked by "moq"."""
    floor, ceiling = t["floor_units"].to_numpy(float), t["ceiling_units"].to_numpy(float)
    moq, pack = t["moq"].to_numpy(float), t["case_pack"].to_numpy(float)
    optimum = cr.priced_eoq(priced["demand_per_day"], priced["order_cost"], priced["unit_cost"],
                            priced["capital_rate_annual"], priced["storage_per_unit_year_value"],
                            priced["lost_units_per_cycle"], priced["unit_margin"])
    candidates = cr.candidate_quantities(floor, ceiling, t["eoq"].to_numpy(float), moq, pack, optimum=optimum)
    low = np.minimum(floor, ceiling)
    inside = (candidates > 0) & (candidates >= low[:, None] - 1e-9) & (candidates <= ceiling[:, None] + 1e-9)
    candidates = np.where(inside, candidates, np.nan)  # only those inside are priced
    cost = cr.annual_cost(candidates, **priced)["total"]
    chosen = cr.cheapest(candidates, cost, low, ceiling)
    on = trigger.to_numpy(bool)
    forced = on & np.isnan(chosen)
    smallest = cr.pack_up(np.maximum(low, 1e-9), moq, pack)
    q = np.where(on, np.where(forced, smallest, chosen), 0.0)
    eoq_q = t["eoq_order_qty"].to_numpy(float)
    capped = on & ~forced & (eoq_q > ceiling + 1e-9) & (q <= ceiling + 1e-9)
    block = np.select([forced & (q > ceiling + 1e-9), capped], ["moq", "ceiling"], "")
    return pd.Series(q, index=t.index), pd.Series(block, index=t.index, dtype=object)


def _cycle_quantity(t: pd.DataFrame, priced: dict, params: RestockParams) -> pd.Series:
    """The quantity of each later order (the stock projection and the supplier forecast replay the
    plan with it): the cheapest a year inside the steady corridor [d·R, 180·d − B], each order
    landing behind the base stock B (before the MOQ and case pack, which the replay applies)."""
    d = t["demand_per_day"].to_numpy(float)
    low = d * params.review_period_days
    high = np.maximum(d * (cr.AIS_FIRST_AGE_DAYS - 1) - t["base_stock"].to_numpy(float), low)
    optimum = cr.priced_eoq(priced["demand_per_day"], priced["order_cost"], priced["unit_cost"],
                            priced["capital_rate_annual"], priced["storage_per_unit_year_value"],
                            priced["lost_units_per_cycle"], priced["unit_margin"])
    candidates = cr.candidate_quantities(low, high, t["eoq"].to_numpy(float), t["moq"].to_numpy(float),
                                         t["case_pack"].to_numpy(float), optimum=optimum)
    inside = (candidates > 0) & (candidates >= low[:, None] - 1e-9) & (candidates <= high[:, None] + 1e-9)
    candidates = np.where(inside, candidates, np.nan)  # only those inside are priced
    chosen = cr.cheapest(candidates, cr.annual_cost(candidates, **priced)["total"], low, high)
    unknown = np.isnan(chosen) | np.isnan(t["unit_cost"].to_numpy(float))  # no cost: no cheapest, as the EOQ
    return pd.Series(np.where(unknown, t["eoq"].to_numpy(float), chosen), index=t.index)


def _capacity_trim(t: pd.DataFrame, capacity: CapacityLimits, as_of: dt.date) -> pd.Series:
    """Orders cut so the account's projected cubic feet stay within the seller's limit per storage type.

    Per storage type, the largest excess E over the months after the first order lands (stock per
    month from ``core.corridor.stock_by_month``) is taken off the orders above their floor, the SKUs
    with the most days of cover after the order first, down to the floor (rounded to the pack)."""
    q = t["order_qty"].to_numpy(float).copy()
    cuft = t["cubic_feet_per_unit"].fillna(0.0).to_numpy(float)
    mid, _, _ = cr.month_offsets(as_of)
    stock = cr.stock_by_month(t["position"], t["demand_per_day"], t["lead_time_days"], q, t["base_stock"], mid,
                              t["cycle_qty"])
    minimum = np.minimum(cr.pack_up(t["floor_units"], t["moq"], t["case_pack"]), q)
    d = t["demand_per_day"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = (t["stock_at_arrival"].to_numpy(float) + q) / d
    for tier, limit in capacity.as_dict().items():
        mine = (t["size_tier"] == tier).to_numpy()
        ordering = mine & (q > 0)
        if not ordering.any():
            continue
        landed = mid >= t.loc[ordering, "lead_time_days"].min()
        usage = (stock[mine] * cuft[mine, None]).sum(axis=0)
        excess = float(np.max(np.where(landed, usage - limit, 0.0), initial=0.0))
        if excess <= 0:
            continue
        rows = np.flatnonzero(ordering & (cuft > 0))
        rows = rows[np.argsort(-np.nan_to_num(cover[rows], nan=np.inf), kind="stable")]
        room = (q[rows] - minimum[rows]) * cuft[rows]
        before = np.cumsum(room) - room
        take = np.clip(excess - before, 0.0, room) / cuft[rows]
        cut = cr.pack_down(q[rows] - take, t["moq"].to_numpy(float)[rows], t["case_pack"].to_numpy(float)[rows])
        q[rows] = np.where(take > 0, np.maximum(np.nan_to_num(cut, nan=0.0), minimum[rows]), q[rows])
    return pd.Series(q, index=t.index)


def _placement_per_unit(t: pd.DataFrame, table: FeeTable, split: str) -> np.ndarray:
    """The inbound placement fee a unit of each SKU under the seller's split option (NaN without a
    shipping weight, or where the option is not offered for the size tier: partial splits of
    standard-size items)."""
    fee = placement_fee_per_unit(table, split, t["size_tier"].to_numpy(object), t["weight_lb"].to_numpy(float))
    return np.asarray(fee, dtype=float).reshape(len(t))


def _costs_and_fees(t: pd.DataFrame, priced: dict, table: FeeTable, as_of: dt.date,
                    split: str = DEFAULT_PLACEMENT_SPLIT) -> pd.DataFrame:
    """Per SKU under the plan: the yearly cost of its order quantity, the aged surcharge an MOQ above
    the ceiling brings, the cubic feet when the order lands, the placement fee of today's order and
    the fees over the next 12 months."""
    q = t["order_qty"].to_numpy(float)
    placement = _placement_per_unit(t, table, split)
    yearly = cr.annual_cost(np.where(q > 0, q, np.nan), **priced)["total"]
    ahead = t["stock_at_arrival"].to_numpy(float)
    d = t["demand_per_day"].to_numpy(float)
    over = cr.order_aged_surcharge(ahead, q, d, priced["ais_rates"], table) - cr.order_aged_surcharge(
        ahead, np.minimum(q, t["ceiling_units"].to_numpy(float)), d, priced["ais_rates"], table)
    # A SKU that orders later under the plan ("soon", "not yet") places its first order of the cycle
    # quantity on its reorder day; a held SKU and one without demand order nothing.
    later = (q <= 0) & (t["status"] != "held").to_numpy() & (d > 0)
    days_to = rm.days_until_reorder(t["position"], t["reorder_point"] + t["low_inventory_floor_units"], d)
    first_q = np.where(later, np.nan_to_num(t["cycle_qty"].to_numpy(float)), q)
    first_day = np.where(later, np.floor(np.asarray(days_to, dtype=float)), 0.0)
    ahead_first = np.where(later, np.maximum(t["position"].to_numpy(float) - d * (first_day + t["lead_time_days"]
                                                                                   .to_numpy(float)), 0.0), ahead)
    fees = cr.fees_12m(as_of=as_of, position=t["position"], demand_per_day=d, lead_time_days=t["lead_time_days"],
                       order_qty=first_q, base_stock=t["base_stock"], stock_ahead=ahead_first,
                       first_order_day=first_day, size_tier=t["size_tier"],
                       cubic_feet_per_unit=t["cubic_feet_per_unit"], ais_rates=priced["ais_rates"], table=table,
                       low_inventory_fee=priced["low_inventory_fee"], exempt=priced["exempt"],
                       threshold_days=priced["threshold_days"],
                       later_qty=np.maximum(t["cycle_qty"].to_numpy(float), 1e-9), placement_per_unit=placement)
    return pd.DataFrame({
        "annual_cost": np.where(q > 0, yearly, np.nan),
        "moq_surcharge": np.where(t["blocked_by"] == "moq", over, 0.0),
        "capacity_cuft_after": (ahead + q) * t["cubic_feet_per_unit"].to_numpy(float),
        "fees_storage_12m": fees["storage"], "fees_aged_12m": fees["aged"],
        "fees_low_inventory_12m": fees["low_inventory"], "fees_placement_12m": fees["placement"],
        "projected_fees_12m": fees["total"],
        "placement_split": split, "placement_fee_per_unit": placement,
        "placement_fee": np.where(q > 0, placement * q, 0.0),
    }, index=t.index)


def _corridor_reasons(n: pd.DataFrame) -> pd.Series:
    """What the corridor did to each order-now line it held back or capped, in words ("" for the
    others: their floor and ceiling are columns of their own). Built only for those lines: the
    what-if reruns it on every move."""
    text = pd.Series("", index=n.index, dtype=object)
    block = n["blocked_by"]
    named = block.isin(["moq", "capacity"]).to_numpy()
    if named.any():
        b = n[named]
        text[named] = ("; corridor " + _fmt(b["floor_units"]) + "-" + _fmt(b["ceiling_units"])
                       + " (floor: reorder point"
                       + np.where(b["low_inventory_floor_units"] > 0, " + low-inventory floor", "")
                       + "; ceiling: sells before 181 days old)")
    capped = block == "ceiling"
    if capped.any():
        c = n[capped]
        text[capped] = ("; capped at the ceiling " + _fmt(c["ceiling_units"]) + " (what sells before it is 181 days "
                        "old; the EOQ quantity " + _fmt(c["eoq_order_qty"]) + " would age past 180 days)")
    moq = block == "moq"
    if moq.any():
        m = n[moq]
        first = pd.Series(np.floor(m["ceiling_units"] + 1e-9), index=m.index)
        rest_days = ((m["stock_at_arrival"] + first) / m["demand_per_day"]).round()
        cost = pd.Series(np.where(m["moq_surcharge"] < 0.005, "under $0.01", "$" + _fmt(m["moq_surcharge"], 2)),
                         index=m.index, dtype=object)
        text[moq] = (text[moq] + ": the smallest order the supplier accepts (MOQ, case pack), "
                     + _fmt(m["order_qty"]) + ", is above the ceiling; the "
                     + _fmt(m["order_qty"] - first) + " units over it are expected to cost " + cost
                     + " in aged surcharges. Instead: ask the supplier for " + _fmt(first)
                     + ", or split the delivery (" + _fmt(first) + " now, the rest to land "
                     + _fmt(rest_days) + " days after the first), or send part by air later")
    cut = block == "capacity"
    if cut.any():
        text[cut] = text[cut] + ": cut to stay within the storage capacity; delay the rest to the next order"
    return text


def restock_table(skus_frame: pd.DataFrame, forecast_summary: pd.DataFrame | None, costs_frame: pd.DataFrame,
                  params: RestockParams, as_of: dt.date, period_days: int = 90,
                  resellable_returns: pd.DataFrame | None = None, forecast=None,
                  position_known: bool = True, items: pd.DataFrame | None = None,
                  capacity: CapacityLimits | None = None, exempt_skus: tuple[str, ...] = (),
                  table: FeeTable | None = None, placement_split: str = DEFAULT_PLACEMENT_SPLIT) -> pd.DataFrame:
    """The restock plan, one row per SKU of ``skus_frame`` (see docs/metrics.md, "Restock").

    Parameters
    ----------
    skus_frame : pandas.DataFrame
        The health SKU table (core/skus.py ``SKU_COLUMNS``): sku, product_name, supplier, available,
        inbound, reserved, unit_cost, price, abc_class, demand_per_day, storage_fees_period,
        avg_units_on_hand, units_period, amazon_fees_period. Optional: ``reserved_transfer`` (units
        reserved for FC transfer and processing; without it the total ``reserved`` counts) and
        ``open_po_units`` (units on open purchase orders; 0 without it).
    forecast_summary : pandas.DataFrame or None
        Columns sku, demand_per_day, sigma_demand (units/day), method, wape; optional demand_events
        (``core.forecast.events.demand_events_text``: the events whose uplift the demand includes,
        "Prime Day 8-11 Jul, ×2.0"), which the reason then names ("; demand includes ..."). SKUs it
        lacks (or None) use the health table's stockout-corrected demand with σ_d = √d (Poisson),
        method "velocity (no forecast)".
    costs_frame : pandas.DataFrame
        The cost sheet: sku, production_lead_time_days, transit_lead_time_days, moq, case_pack,
        supplier. Missing SKUs or values take the defaults of ``params``.
    params : RestockParams
        Service levels, lead-time defaults, costs.
    as_of : datetime.date
        Today: dates count from it.
    period_days : int, default 90
        The period of ``storage_fees_period`` (HealthParams.period_days), to annualise storage fees.
    resellable_returns : pandas.DataFrame or None
        sku, resellable_per_day (``core.returns.resellable_returns_per_day``): customer returns that go
        back to sellable stock. The plan's demand is net of them (``returns.net_demand_per_day``);
        ``gross_demand_per_day`` keeps the forecast's.
    position_known : bool, default True
        False for an account without a stock snapshot (``core.skus.orders_only_table``): its stock
        columns are 0, so the position is taken as 0 and every reason starts with
        ``core.skus.NO_STOCK_SNAPSHOT`` ("no stock snapshot loaded: position taken as 0; ..."); every
        SKU with demand is then "order now" for the quantity it needs.
    items, capacity, exempt_skus
        Cubic feet and size tier per SKU, the seller's storage limits and the SKUs they mark exempt
        from the low-inventory-level fee (``RestockInputs``).
    table : FeeTable, optional
        The fee schedule that prices the corridor (``core.fees.table.fee_table_in_force``: the
        seller's edited version where one is in force); default Amazon's published one at ``as_of``.
    placement_split : str, default ``DEFAULT_PLACEMENT_SPLIT``
        The seller's inbound placement option (``core.fees.table.PLACEMENT_OPTIONS``): prices
        ``placement_fee_per_unit``, today's order's ``placement_fee`` and ``fees_placement_12m``.

    Returns
    -------
    pandas.DataFrame
        ``RESTOCK_COLUMNS``, one row per SKU, in the input's order. ``status`` (``STATUSES``) is
        "held" when the SKU's slow-mover grade (column ``grade`` of ``skus_frame``) is one of
        ``params.hold_grades`` (red, orange: clear or lift it first; ``blocked_by`` "grade", order
        quantity 0, no order-by date), else "order now" when position ≤ ROP + d·R, "soon" when the
        order-by date is within lead time + 14 days, else "not yet"; ``blocked_by`` is "" when
        nothing holds the SKU; ``reason`` says why in words. Money is NaN where the unit cost is missing.
    """
    frame = skus_frame.reset_index(drop=True)
    if "sku" not in frame.columns:
        raise ValueError("skus_frame must have a sku column")
    costs = (costs_frame.drop_duplicates("sku") if costs_frame is not None and len(costs_frame)
             else pd.DataFrame(columns=COST_COLUMNS))
    costs = frame[["sku"]].merge(costs, on="sku", how="left").set_axis(frame.index)

    t = pd.DataFrame({"sku": frame["sku"], "product_name": _text(frame, "product_name")})
    supplier = _text(costs, "supplier").where(_text(costs, "supplier").notna(), _text(frame, "supplier"))
    t["supplier"] = supplier
    t["abc_class"] = _text(frame, "abc_class")
    t = t.join(_demand(frame, forecast_summary)).join(_lead_times(frame, costs, params))
    t["gross_demand_per_day"] = t["demand_per_day"]
    resold = (t["sku"].map(resellable_returns.drop_duplicates("sku").set_index("sku")["resellable_per_day"])
              if resellable_returns is not None and len(resellable_returns) else pd.Series(np.nan, index=t.index))
    t["resellable_returns_per_day"] = resold.astype(float).fillna(0.0)
    t["demand_per_day"] = returns.net_demand_per_day(t["gross_demand_per_day"], t["resellable_returns_per_day"])
    d, lead = t["demand_per_day"], t["lead_time_days"]

    t["service_level"] = service_levels(frame, params)
    t["z"] = rm.z_score(t["service_level"])
    sigma_lt = rm.lead_time_demand_sd(d, t["sigma_demand"], lead, t["sigma_lead_time"])
    t["safety_stock"] = t["z"] * sigma_lt
    t["reorder_point"] = rm.reorder_point(d, lead, t["safety_stock"])
    t["lead_time_demand"] = d * lead
    if forecast is not None and len(forecast.summary):
        _calibrated_reorder_point(t, forecast)

    t["available"] = _column(frame, "available").fillna(0.0)
    t["inbound"] = _column(frame, "inbound").fillna(0.0)
    t["reserved_transfer"] = _column(frame, "reserved_transfer").fillna(_column(frame, "reserved")).fillna(0.0)
    t["open_po_units"] = _column(frame, "open_po_units").fillna(0.0)
    t["position"] = rm.inventory_position(t["available"], t["inbound"], t["reserved_transfer"], t["open_po_units"])

    t["annual_demand"] = d * rm.DAYS_PER_YEAR
    t["unit_cost"] = _column(frame, "unit_cost")
    avg_units = _column(frame, "avg_units_on_hand")
    storage_per_unit_year = (_column(frame, "storage_fees_period") / avg_units.where(avg_units > 0)
                             * rm.DAYS_PER_YEAR / period_days).fillna(0.0)
    t["holding_cost_per_unit_year"] = rm.holding_cost_per_unit_year(
        t["unit_cost"], params.capital_rate_annual, storage_per_unit_year)
    t["eoq"] = rm.economic_order_quantity(t["annual_demand"], params.order_cost, t["holding_cost_per_unit_year"])

    price = _column(frame, "price")
    units = _column(frame, "units_period")
    fee_per_unit = (_column(frame, "amazon_fees_period") / units.where(units > 0)).fillna(
        price * params.default_fee_share)
    t["unit_margin"] = price - t["unit_cost"] - fee_per_unit

    corridor = params.plan_rule == "corridor"
    table = table if table is not None else _fee_table(as_of)
    t = t.join(_items(t["sku"], items))
    t["moq"] = _column(costs, "moq")
    t["case_pack"] = _column(costs, "case_pack")
    cycle = None
    windows = _demand_windows(t, forecast)
    rates = _fee_rates(t, table, params)
    if corridor:  # the later orders' size sets how much floor the cycle needs (corridor.low_inventory_floor_units)
        first = _floor_and_ceiling(t, frame, table, params, forecast, exempt_skus, corridor, windows=windows)
        t0 = t.join(first.assign(low_inventory_floor_units=0.0, base_stock=t["safety_stock"]))
        cycle = _cycle_quantity(t0, _price_inputs(t0, rates, params, _units_short_per_cycle(sigma_lt, t0)),
                                params).to_numpy(float)
    t = t.join(_floor_and_ceiling(t, frame, table, params, forecast, exempt_skus, corridor, cycle, windows))
    trigger_point = t["reorder_point"] + t["low_inventory_floor_units"]
    t["order_qty_needed"] = rm.order_quantity_needed(t["position"], trigger_point, d,
                                                     params.review_period_days, t["eoq"])
    grade = _text(frame, "grade").fillna("").astype(str)
    held = grade.isin(params.hold_grades)
    trigger = pd.Series(rm.order_trigger(t["position"], trigger_point, d, params.review_period_days), index=t.index)
    t["eoq_order_qty"] = rm.round_to_pack(t["order_qty_needed"], t["moq"], t["case_pack"])
    sigma_short = _units_short_per_cycle(sigma_lt, t)
    priced = _price_inputs(t, rates, params, sigma_short)
    if corridor:
        wanted, block = _corridor_quantity(t, trigger, priced, table, params)
        # The cycle quantity found before the floor, kept under the steady ceiling 180·d − B it now has.
        steady_ceiling = np.maximum(d * (cr.AIS_FIRST_AGE_DAYS - 1) - t["base_stock"], d * params.review_period_days)
        t["cycle_qty"] = np.minimum(cycle, steady_ceiling)
    else:
        t["cycle_qty"] = t["eoq"]
        wanted = t["eoq_order_qty"].copy()
        block = pd.Series("", index=t.index, dtype=object)
    t["order_qty"] = wanted.where(~held, 0.0)
    if corridor and capacity is not None and capacity.as_dict():
        trimmed = _capacity_trim(t, capacity, as_of)
        cut = trimmed < t["order_qty"] - 1e-9
        block = block.where(~cut, "capacity")
        t["ceiling_units"] = t["ceiling_units"].where(~cut, np.minimum(t["ceiling_units"], trimmed))
        t["order_qty"] = trimmed
    pack = t["case_pack"].where(t["case_pack"] >= 1)
    t["cases"] = (t["order_qty"] / pack).where(t["order_qty"] > 0, 0.0)
    t["order_value"] = t["order_qty"] * t["unit_cost"]

    t["as_of"] = as_of
    order_by = pd.Series(pd.to_datetime(rm.order_by_date(as_of, t["position"], trigger_point, d)),
                         index=t.index)
    t["order_by"] = order_by.where(~held, pd.NaT)
    t["stockout_date"] = pd.to_datetime(rm.stockout_date(as_of, t["position"], d))
    t["days_of_cover_after"] = rm.days_of_cover_after_order(t["position"], t["order_qty"], d, lead)

    days_to_order = rm.days_until_reorder(t["position"], trigger_point, d)
    soon = ~trigger & (np.floor(days_to_order) <= lead + params.soon_margin_days)
    t["status"] = np.select([held, trigger, soon], ["held", "order now", "soon"], "not yet")
    t["reason"] = _reasons(t, params.review_period_days, params.soon_margin_days)
    t["blocked_by"] = np.where(held, "grade", np.where(t["status"] == "order now", block, ""))
    t = t.join(_costs_and_fees(t, priced, table, as_of, placement_split))
    t["plan_rule"] = params.plan_rule
    now = t["status"] == "order now"
    if corridor and now.any():
        t.loc[now, "reason"] = t.loc[now, "reason"] + _corridor_reasons(t[now])
    if held.any():
        would = pd.Series(np.select([trigger, soon], ["order now", "soon"], ""), index=t.index)
        t.loc[held, "reason"] = _held_reasons(grade[held], _text(frame, "signals")[held], would[held],
                                              wanted[held], order_by[held])
    if not position_known:
        t["reason"] = f"{skus.NO_STOCK_SNAPSHOT}; " + t["reason"]
    uplifted = (t["demand_per_day"] > 0) & (t["demand_events"] != "")
    if uplifted.any():
        t.loc[uplifted, "reason"] = (t.loc[uplifted, "reason"] + "; demand includes "
                                     + t.loc[uplifted, "demand_events"])

    t["holding_cost_safety_stock"] = rm.safety_stock_holding_cost(t["safety_stock"], t["holding_cost_per_unit_year"])
    cycle_qty = t["order_qty"].where(t["order_qty"] > 0, t["eoq"])
    with np.errstate(divide="ignore", invalid="ignore"):
        cycles = t["annual_demand"] / cycle_qty.where(cycle_qty > 0)
    t["expected_lost_margin"] = sigma_short * cycles * t["unit_margin"].clip(lower=0)
    return t[RESTOCK_COLUMNS].reset_index(drop=True)


def _reserved_transfer(db_path: Path, as_of: dt.date) -> pd.DataFrame:
    """Units reserved for FC transfer and processing per SKU, from the FBA Inventory report."""
    return db.query_df(db_path, """
        SELECT sku, sum(coalesce(reserved_fc_transfer, 0) + coalesce(reserved_fc_processing, 0)) AS reserved_transfer,
               count(reserved_fc_transfer) + count(reserved_fc_processing) AS known
        FROM inventory_planning WHERE snapshot_date = $as_of GROUP BY sku""", {"as_of": as_of})


@dataclass(frozen=True, eq=False)
class RestockInputs:
    """What the plan reads from the database, read once: the health SKU table (with FC-transfer
    reservations), the cost sheet and the resellable returns at the as-of date. A what-if reruns
    ``plan_from_inputs`` on the same inputs: no database work per slider move."""

    frame: pd.DataFrame
    costs: pd.DataFrame
    resellable: pd.DataFrame
    as_of: dt.date | None
    period_days: int
    position_known: bool = True  # False without a stock snapshot: position taken as 0
    items: pd.DataFrame | None = None  # sku, cubic_feet_per_unit, size_tier (core.fees.inputs.item_volumes)
    capacity: CapacityLimits = CapacityLimits()  # the seller's storage limits (Settings)
    exempt_skus: tuple[str, ...] = ()  # SKUs the seller marks exempt from the low-inventory fee
    fee_table: FeeTable | None = None  # the seller's edited version where one is in force, else Amazon's
    placement_split: str = DEFAULT_PLACEMENT_SPLIT  # the seller's inbound placement option (Settings)


def restock_inputs(db_path: Path, as_of: dt.date | None = None, health_params: HealthParams = HealthParams(),
                   table: skus.SkuTable | None = None,
                   returns_by_sku: pd.DataFrame | None = None) -> RestockInputs:
    """The plan's inputs from the database at ``as_of`` (``core.skus.as_of_date`` by default: the
    latest snapshot, else the last order day). ``table``: the SKU table at that date when the caller
    has already built it (it is not built twice; default ``core.skus.plan_table``: without a stock
    snapshot, the orders-only table, position taken as 0); ``returns_by_sku``: likewise
    ``core.returns.returns_by_sku`` at the table's date, default parameters."""
    table = table if table is not None else skus.plan_table(db_path, health_params, as_of=as_of)
    if table.as_of is None or table.frame.empty:
        return RestockInputs(pd.DataFrame(), pd.DataFrame(columns=COST_COLUMNS), pd.DataFrame(), table.as_of,
                             health_params.period_days, table.sources.stock is not None)
    frame = table.frame
    if table.sources.stock == "inventory_planning":
        transfers = _reserved_transfer(db_path, table.as_of)
        transfers = transfers[transfers["known"] > 0][["sku", "reserved_transfer"]]
        frame = frame.merge(transfers, on="sku", how="left")
    costs = db.query_df(db_path, """
        SELECT sku, any_value(production_lead_time_days) AS production_lead_time_days,
               any_value(transit_lead_time_days) AS transit_lead_time_days, any_value(moq) AS moq,
               any_value(case_pack) AS case_pack, any_value(supplier) AS supplier
        FROM product_costs GROUP BY sku""")
    resold = returns.resellable_returns_per_day(db_path, table.as_of, by_sku=returns_by_sku)
    from core import settings
    from core.fees.inputs import item_volumes
    from core.fees.table import fee_table_in_force

    items = item_volumes(db_path, table.as_of) if table.sources.stock is not None else None
    return RestockInputs(frame, costs, resold, table.as_of, health_params.period_days,
                         table.sources.stock is not None, items, settings.load_capacity(db_path),
                         settings.load_low_inventory_exempt(db_path), _fee_table(table.as_of, db_path),
                         settings.load_placement_split(db_path))


def plan_from_inputs(inputs: RestockInputs, forecast_summary: pd.DataFrame | None,
                     params: RestockParams = RestockParams(), forecast=None) -> pd.DataFrame:
    """``restock_table`` over read inputs; an empty plan (``RESTOCK_COLUMNS``) without a SKU (neither
    a stock snapshot nor order history)."""
    if inputs.as_of is None or inputs.frame.empty:
        return pd.DataFrame(columns=RESTOCK_COLUMNS)
    return restock_table(inputs.frame, forecast_summary, inputs.costs, params, inputs.as_of, inputs.period_days,
                         inputs.resellable, forecast, position_known=inputs.position_known, items=inputs.items,
                         capacity=inputs.capacity, exempt_skus=inputs.exempt_skus, table=inputs.fee_table,
                         placement_split=inputs.placement_split)


def restock_from_db(db_path: Path, params: RestockParams = RestockParams(), as_of: dt.date | None = None,
                    forecast_summary: pd.DataFrame | None = None,
                    health_params: HealthParams = HealthParams(), forecast=None) -> pd.DataFrame:
    """The restock plan from the database: ``plan_from_inputs(restock_inputs(...))``. Without a stock
    snapshot, the plan of the SKUs sold (``core.skus.orders_only_table``: position taken as 0, said
    in every reason); an empty frame with ``RESTOCK_COLUMNS`` when neither stock nor orders are loaded."""
    return plan_from_inputs(restock_inputs(db_path, as_of, health_params), forecast_summary, params, forecast)


CAPACITY_PLAN_COLUMNS = ["month", "storage_type", "cubic_feet", "limit", "over_cuft", "overage_fee", "over_limit",
                         "delay"]


def capacity_by_month(plan: pd.DataFrame, limits: CapacityLimits, months: int = 12) -> pd.DataFrame:
    """The account's cubic feet per storage type and month under the plan, against the seller's limits.

    Units on hand mid-month per SKU (``core.corridor.stock_by_month``: today's order, then the cycle
    quantity each time stock is back to the base stock; SKUs ordering later place their first order on
    their reorder day) × cubic feet per unit, summed by storage type (SKUs without a volume count 0);
    ``core.fees.capacity.capacity_check`` prices the overage. ``delay``: in a month over the limit,
    the orders landing before it to hold back, most days of cover first, until the excess is covered
    ("PT-DOG-0021 120 units, ..."); "" otherwise. Columns ``CAPACITY_PLAN_COLUMNS``.
    """
    from core.fees.capacity import capacity_check

    if plan.empty:
        return pd.DataFrame(columns=CAPACITY_PLAN_COLUMNS)
    as_of = pd.Timestamp(plan["as_of"].iloc[0]).date()
    mid, _, _ = cr.month_offsets(as_of, months)
    d = plan["demand_per_day"].to_numpy(float)
    q = plan["order_qty"].to_numpy(float)
    later = (q <= 0) & (plan["status"] != "held").to_numpy() & (d > 0)
    days_to = rm.days_until_reorder(plan["position"], plan["reorder_point"] + plan["low_inventory_floor_units"], d)
    first_q = np.where(later, np.nan_to_num(plan["cycle_qty"].to_numpy(float)), q)
    first_day = np.where(later, np.floor(np.asarray(days_to, dtype=float)), 0.0)
    stock = cr.stock_by_month(plan["position"], d, plan["lead_time_days"], first_q, plan["base_stock"], mid,
                              plan["cycle_qty"], first_day)
    cuft = stock * plan["cubic_feet_per_unit"].fillna(0.0).to_numpy(float)[:, None]
    month_days = [(as_of + dt.timedelta(days=int(m))).replace(day=1) for m in mid]
    rows = []
    for tier in STORAGE_TYPES:
        mine = (plan["size_tier"] == tier).to_numpy()
        if mine.any():
            rows.append(pd.DataFrame({"month": month_days, "storage_type": tier, "cubic_feet": cuft[mine].sum(axis=0)}))
    usage = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["month", "storage_type", "cubic_feet"])
    checked = capacity_check(usage, limits)
    lands = np.where(q > 0, plan["lead_time_days"].to_numpy(float), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = (plan["stock_at_arrival"].to_numpy(float) + q) / d
    delays = []
    for i, row in checked.iterrows():
        if not row["over_limit"]:
            delays.append("")
            continue
        m = i % months
        due = np.flatnonzero((plan["size_tier"] == row["storage_type"]).to_numpy() & (lands <= mid[m])
                             & (plan["cubic_feet_per_unit"].fillna(0.0).to_numpy() > 0))
        due = due[np.argsort(-np.nan_to_num(cover[due], nan=np.inf), kind="stable")]
        freed = np.cumsum(stock[due, m] * plan["cubic_feet_per_unit"].to_numpy(float)[due])
        chosen = due[: int(np.searchsorted(freed, row["over_cuft"])) + 1]
        delays.append(", ".join(f"{plan['sku'].iloc[j]} {q[j]:,.0f} units" for j in chosen) if len(chosen)
                      else "today's stock alone is over the limit: remove or sell down")
    return checked.assign(delay=delays)[CAPACITY_PLAN_COLUMNS]


def purchase_order_lines(restock: pd.DataFrame, statuses: tuple[str, ...] = ("order now",)) -> pd.DataFrame:
    """Lines of the purchase-order drafts: SKUs in ``statuses`` with something to order, by supplier
    then SKU. Columns: supplier, sku, product_name, order_qty, case_pack, cases, unit_cost,
    line_total (NaN without a cost), order_by, and Amazon's inbound placement fee of the line
    (placement_split, placement_fee_per_unit, placement_fee = order_qty × fee a unit; NaN without a
    shipping weight, or when the plan has no placement columns).

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["b", "a"], "product_name": ["B", "A"], "supplier": [None, "S"],
    ...     "status": ["order now"] * 2, "order_qty": [24.0, 0.0], "case_pack": [12.0, 1.0],
    ...     "cases": [2.0, 0.0], "unit_cost": [2.5, 1.0], "order_by": [pd.NaT] * 2})
    >>> purchase_order_lines(plan)[["supplier", "sku", "line_total"]].values.tolist()
    [['(no supplier)', 'b', 60.0]]
    """
    chosen = restock[restock["status"].isin(statuses) & (restock["order_qty"] > 0)]
    lines = pd.DataFrame({
        "supplier": chosen["supplier"].astype(object).where(chosen["supplier"].notna(), "(no supplier)"),
        "sku": chosen["sku"], "product_name": chosen["product_name"],
        "order_qty": chosen["order_qty"].astype(float), "case_pack": chosen["case_pack"].astype(float),
        "cases": chosen["cases"].astype(float), "unit_cost": chosen["unit_cost"].astype(float),
        "line_total": chosen["order_qty"].astype(float) * chosen["unit_cost"].astype(float),
        "order_by": chosen["order_by"],
        "placement_split": chosen["placement_split"] if "placement_split" in chosen else None,
        "placement_fee_per_unit": _column(chosen, "placement_fee_per_unit"),
    })
    lines["placement_fee"] = lines["order_qty"] * lines["placement_fee_per_unit"]
    return lines.sort_values(["supplier", "sku"], kind="stable").reset_index(drop=True)


def placement_note(plan: pd.DataFrame) -> str:
    """One sentence on the placement fee of the SKUs to order now: the split option that prices it, and
    how many of them have no shipping weight (their fee unknown, never silently 0); "" for an empty plan.

    Examples
    --------
    >>> plan = pd.DataFrame({"status": ["order now"] * 2, "order_qty": [10.0, 5.0],
    ...     "placement_split": ["minimal"] * 2, "placement_fee_per_unit": [0.27, float("nan")]})
    >>> placement_note(plan)
    'Inbound placement fee priced with minimal splits (the Settings page changes it; an estimate). 1 of 2 SKUs to order has no shipping weight, so its placement fee is unknown: load the FBA Fee Preview.'
    """
    from core.fees.table import display_option

    if plan.empty or "placement_split" not in plan:
        return ""
    split = str(plan["placement_split"].iloc[0])
    ordered = plan[(plan["status"] == "order now") & (plan["order_qty"] > 0)]
    text = f"Inbound placement fee priced with {display_option(split)} (the Settings page changes it; an estimate)."
    unknown = int(ordered["placement_fee_per_unit"].isna().sum())
    if unknown:
        one = unknown == 1
        text += (f" {unknown} of {len(ordered)} SKUs to order {'has' if one else 'have'} no shipping weight, so "
                 f"{'its' if one else 'their'} placement fee is unknown: load the FBA Fee Preview.")
    return text


def _known_sum(values: pd.Series) -> float:
    """Σ of the known values; NaN when there are values and none is known (no unit cost anywhere: the
    total is unknown, not $0); 0 when there are none."""
    return float(values.sum(min_count=1)) if len(values) else 0.0


def plan_totals(plan: pd.DataFrame, expected_stockout_days: pd.Series | None = None) -> dict[str, float]:
    """The what-if's account figures for a plan.

    Returns
    -------
    dict
        ``cash``: Σ order value of the SKUs to order now (SKUs without a unit cost left out: their
        count is ``cash_unknown_skus``, and ``cash`` is NaN when every SKU to order lacks a cost);
        ``safety_stock``: Σ safety-stock units; ``holding``: Σ annual holding cost of the safety stock
        (SKUs without a cost left out, counted in ``cost_unknown_skus``; NaN when no SKU has one);
        ``lost_margin``: Σ expected margin lost to stockouts a year (SKUs without cost or price left
        out; NaN when none has them); ``fees_12m``: Σ projected fees over the next 12 months
        (``projected_fees_12m``: storage, aged surcharge, low-inventory fee; SKUs without a volume left
        out; NaN without the column); ``stockout_days``:
        Σ expected stockout days over the projection (``core.stock_projection``), NaN without one.

    Examples
    --------
    >>> plan = pd.DataFrame({"status": ["order now", "order now", "not yet"],
    ...     "order_value": [100.0, None, None], "safety_stock": [10.0, 5.0, 1.0],
    ...     "holding_cost_safety_stock": [2.0, None, 1.0], "expected_lost_margin": [3.0, None, 0.0]})
    >>> t = plan_totals(plan)
    >>> t["cash"], t["cash_unknown_skus"], t["safety_stock"], t["holding"], t["cost_unknown_skus"]
    (100.0, 1, 16.0, 3.0, 1)
    >>> no_costs = plan.assign(order_value=None, holding_cost_safety_stock=None, expected_lost_margin=None)
    >>> [str(v) for k, v in plan_totals(no_costs).items() if k in ("cash", "holding", "lost_margin")]
    ['nan', 'nan', 'nan']
    """
    now = plan["status"] == "order now"
    cash_values = plan.loc[now, "order_value"]
    cost_unknown = plan["holding_cost_safety_stock"].isna()
    return {"cash": _known_sum(cash_values),
            "cash_unknown_skus": int(cash_values.isna().sum()),
            "safety_stock": float(plan["safety_stock"].sum()),
            "holding": _known_sum(plan["holding_cost_safety_stock"]),
            "lost_margin": _known_sum(plan["expected_lost_margin"]),
            "cost_unknown_skus": int(cost_unknown.sum()),
            "fees_12m": (_known_sum(plan["projected_fees_12m"]) if "projected_fees_12m" in plan else float("nan")),
            "stockout_days": (float(expected_stockout_days.reindex(plan["sku"]).sum())
                              if expected_stockout_days is not None and "sku" in plan else float("nan"))}


COMPARE_COLUMNS = ["service_level", "lead_time_days", "safety_stock", "reorder_point", "order_qty", "order_value",
                   "status", "order_by", "projected_fees_12m"]


def compare_plans(baseline: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Two plans of the same SKUs side by side: sku, product_name, then ``<column>_baseline`` and
    ``<column>_scenario`` for each of ``COMPARE_COLUMNS``, and ``order_qty_change`` (scenario −
    baseline), largest change first. SKUs in only one plan are left out.

    Examples
    --------
    >>> base = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "order_qty": [10.0, 0.0]})
    >>> scen = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "order_qty": [12.0, 30.0]})
    >>> compare_plans(base, scen)[["sku", "order_qty_change"]].values.tolist()
    [['B', 30.0], ['A', 2.0]]
    """
    columns = [c for c in COMPARE_COLUMNS if c in baseline.columns and c in scenario.columns]
    left = baseline[["sku", "product_name", *columns]]
    right = scenario[["sku", *columns]]
    both = left.merge(right, on="sku", suffixes=("_baseline", "_scenario"))
    ordered = ["sku", "product_name"] + [f"{c}_{side}" for c in columns for side in ("baseline", "scenario")]
    both = both[ordered]
    if "order_qty" in columns:
        both["order_qty_change"] = both["order_qty_scenario"] - both["order_qty_baseline"]
        both = both.sort_values("order_qty_change", key=lambda s: s.abs(), ascending=False, kind="stable")
    return both.reset_index(drop=True)


# --- order now or later, by sea or by air (the What-if page) ---------------------------------------------

TIMING_COLUMNS = ["option", "transit", "order_in_days", "lead_time_days", "fees_12m", "holding_12m",
                  "lost_margin", "air_freight_cost", "total_cost", "cost_difference"]


def order_timing(plan: pd.DataFrame, table: FeeTable, params: RestockParams, as_of: dt.date,
                 delay_weeks: int = 4, air_freight_per_unit: float = 0.0) -> pd.DataFrame:
    """Order now or ``delay_weeks`` later, by the planned transit or by air, priced in dollars over the
    next 12 months for the rows of ``plan`` (one SKU, or the whole plan: summed).

    Each option orders the plan's quantity (``order_qty``, else the cycle quantity for SKUs not due
    today; held SKUs and SKUs without demand are left out) on day D (0, or 7 × ``delay_weeks``) with lead
    time L (the plan's, or by air: L − transit days + ``params.air_transit_days``, never longer), later
    orders of the cycle quantity, and prices, per SKU, with the corridor's own pieces:

    - fees_12m: ``corridor.fees_12m`` (storage, aged surcharge, low-inventory fee, placement) with the
      first order on day D landing after L, behind S = max(position − d·(D + L), 0);
    - holding_12m: capital on the stock held: unit cost × capital rate × the mean of the 12 mid-month
      units on hand (``corridor.stock_by_month``) — a year's average stock;
    - lost_margin: units unmet before the order lands, max(d·(D + L) − position, 0), × unit margin
      (``corridor.units_short_before_arrival``);
    - air_freight_cost: ``air_freight_per_unit`` × units of the first order, by air only (the extra price of
      air over the planned transit; the data holds no freight prices, so the seller enters it);
    - total_cost = the four; cost_difference = total_cost − the first option's (order now, planned transit).

    Returns a frame of ``TIMING_COLUMNS``, one row per option: "order now" / "order in N weeks", transit
    "as planned" / "air".
    """
    if delay_weeks < 0:
        raise ValueError("delay_weeks must be >= 0")
    if air_freight_per_unit < 0:
        raise ValueError("air_freight_per_unit must be >= 0")
    d = plan["demand_per_day"].to_numpy(float)
    rows = plan[(plan["status"] != "held").to_numpy() & (d > 0)]
    if rows.empty:
        return pd.DataFrame(columns=TIMING_COLUMNS)
    t = rows.reset_index(drop=True)
    d = t["demand_per_day"].to_numpy(float)
    q = np.where(t["order_qty"].to_numpy(float) > 0, t["order_qty"].to_numpy(float),
                 np.nan_to_num(t["cycle_qty"].to_numpy(float)))
    lead = t["lead_time_days"].to_numpy(float)
    air = np.minimum(lead, np.clip(lead - t["transit_days"].to_numpy(float) + params.air_transit_days, 0, None))
    rates = _fee_rates(t, table, params)
    placement = _placement_per_unit(t, table, str(t["placement_split"].iloc[0])) if "placement_split" in t else None
    position = t["position"].to_numpy(float)
    margin = np.clip(np.nan_to_num(t["unit_margin"].to_numpy(float)), 0, None)
    mid, _, _ = cr.month_offsets(as_of)
    out = []
    for name, day in (("order now", 0.0), (f"order in {delay_weeks} weeks", 7.0 * delay_weeks)):
        for transit, lt in (("as planned", lead), ("air", air)):
            first_day = np.full(len(t), day)
            fees = cr.fees_12m(as_of=as_of, position=position, demand_per_day=d, lead_time_days=lt, order_qty=q,
                               base_stock=t["base_stock"], stock_ahead=np.maximum(position - d * (day + lt), 0.0),
                               first_order_day=first_day, size_tier=t["size_tier"],
                               cubic_feet_per_unit=t["cubic_feet_per_unit"], ais_rates=rates["ais_rates"],
                               table=table, low_inventory_fee=rates["low_inventory_fee"],
                               exempt=t["low_inventory_exempt"].to_numpy(bool),
                               threshold_days=rates["threshold_days"],
                               later_qty=np.maximum(t["cycle_qty"].to_numpy(float), 1e-9),
                               placement_per_unit=placement)
            stock = cr.stock_by_month(position, d, lt, q, t["base_stock"], mid,
                                      np.maximum(t["cycle_qty"].to_numpy(float), 1e-9), first_day)
            holding = np.nan_to_num(t["unit_cost"].to_numpy(float)) * params.capital_rate_annual * stock.mean(axis=1)
            lost = cr.units_short_before_arrival(position, d, day + lt) * margin
            freight = air_freight_per_unit * q if transit == "air" else np.zeros(len(t))
            parts = {"fees_12m": float(np.nansum(fees["total"])), "holding_12m": float(np.nansum(holding)),
                     "lost_margin": float(np.nansum(lost)), "air_freight_cost": float(np.nansum(freight))}
            out.append({"option": name, "transit": transit, "order_in_days": day,
                        "lead_time_days": float(np.mean(lt)), **parts, "total_cost": sum(parts.values())})
    frame = pd.DataFrame(out)
    frame["cost_difference"] = frame["total_cost"] - frame["total_cost"].iloc[0]
    return frame[TIMING_COLUMNS]


def timing_verdict(timing: pd.DataFrame) -> str:
    """One line naming the cheapest option of ``order_timing`` and what it saves against ordering now
    as planned; "" without options.

    Examples
    --------
    >>> t = pd.DataFrame({"option": ["order now", "order now", "order in 4 weeks", "order in 4 weeks"],
    ...     "transit": ["as planned", "air", "as planned", "air"], "total_cost": [100.0, 130.0, 160.0, 90.0],
    ...     "cost_difference": [0.0, 30.0, 60.0, -10.0]})
    >>> timing_verdict(t)
    'Cheapest: order in 4 weeks by air, $10 less over 12 months than ordering now as planned.'
    """
    if timing.empty:
        return ""
    best = timing.loc[timing["total_cost"].idxmin()]
    if best["cost_difference"] >= -0.5:
        worst = timing["cost_difference"].max()
        return f"Cheapest: order now as planned; the other options cost up to ${worst:,.0f} more over 12 months."
    how = "as planned" if best["transit"] == "as planned" else f"by {best['transit']}"
    return (f"Cheapest: {best['option']} {how}, ${-best['cost_difference']:,.0f} less over 12 months than ordering "
            "now as planned.")
