"""The account's fee outlook and clearance advice, from the database: what the Ageing & fees and
Clearance pages and ``fba-health fees`` / ``clearance`` show.

- The projection (``inputs.project_from_inputs``) runs under the restock plan: its arrivals (units
  already inbound, and the orders the plan places, ``core.stock_projection``) come in young, so the
  months ahead are neither emptied by sales nor filled by stock nobody ordered.
- The band crossings ("sell or remove N units by DATE to avoid $X") and Amazon's own estimates
  beside ours come from the same inputs.
- The clearance advisor prices the options of the red and orange SKUs (and any the user picks) with
  the keep cost of their excess units taken from the projection: the fees over the horizon as
  projected, less the fees projected when the excess, the oldest units, leaves today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import clearance, db, restock, stock_projection, stored
from core.fees.capacity import CAPACITY_COLUMNS, CapacityLimits, capacity_check, storage_usage_from_db
from core.fees.inputs import FeeInputs, amazon_comparison, fee_inputs, project_from_inputs
from core.fees.projection import CROSSING_COLUMNS, band_crossings
from core.fees.table import (FeeTable, disposal_fee_per_unit, fee_table, fee_table_in_force, removal_fee_per_unit,
                             size_tier_group, storage_rate_per_cuft)
from core.forecast.engine import forecast_table
from core.params import HealthParams
from core.restock_params import RestockParams

FEE_COLUMNS = ["storage_fee", "aged_surcharge", "utilisation_surcharge"]
MONTHLY_COLUMNS = ["month", "units_avg", "cubic_feet_avg", *FEE_COLUMNS, "total_fees"]


@dataclass(frozen=True, eq=False)
class FeeOutlook:
    """The projection per SKU and month (``total_fees`` added), the next band crossings, our next
    month beside Amazon's estimates, the arrivals and the daily demand assumed, and the fee table."""

    as_of: dt.date | None
    months: int
    projection: pd.DataFrame
    crossings: pd.DataFrame
    amazon: pd.DataFrame
    arrivals: pd.DataFrame
    demand: pd.DataFrame
    inputs: FeeInputs
    table: FeeTable | None


def total_fees(projection: pd.DataFrame) -> pd.Series:
    """Storage fee + aged-inventory surcharge + utilisation surcharge per row; NaN (volume unknown)
    stays NaN.

    Examples
    --------
    >>> total_fees(pd.DataFrame({"storage_fee": [1.0, np.nan], "aged_surcharge": [2.0, 0.0],
    ...                          "utilisation_surcharge": [0.5, 0.0]})).tolist()
    [3.5, nan]
    """
    return projection["storage_fee"] + projection["aged_surcharge"] + projection["utilisation_surcharge"].fillna(0.0)


def monthly_totals(projection: pd.DataFrame) -> pd.DataFrame:
    """The account per month: Σ units, cubic feet and each fee over SKUs (``MONTHLY_COLUMNS``).

    Examples
    --------
    >>> p = pd.DataFrame({"month": [dt.date(2026, 12, 1)] * 2, "units_avg": [10.0, 5.0],
    ...     "cubic_feet_avg": [1.0, 2.0], "storage_fee": [2.4, 4.8], "aged_surcharge": [0.0, 1.0],
    ...     "utilisation_surcharge": [0.0, 0.0]})
    >>> monthly_totals(p)["total_fees"].round(2).tolist()
    [8.2]
    """
    if projection.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    out = projection.groupby("month", as_index=False)[["units_avg", "cubic_feet_avg", *FEE_COLUMNS]].sum(min_count=1)
    return out.assign(total_fees=total_fees(out))[MONTHLY_COLUMNS]


def remove_oldest(lots: pd.DataFrame, units: pd.Series) -> pd.DataFrame:
    """Lots (sku, age_days, units) after taking ``units[sku]`` units away, oldest first.

    Examples
    --------
    >>> lots = pd.DataFrame({"sku": ["A", "A", "B"], "age_days": [300, 20, 5], "units": [40.0, 60.0, 9.0]})
    >>> remove_oldest(lots, pd.Series({"A": 50.0}))["units"].tolist()
    [0.0, 50.0, 9.0]
    """
    ordered = lots.sort_values(["sku", "age_days"], ascending=[True, False], kind="stable")
    take = ordered["sku"].map(units).fillna(0.0).to_numpy(float)
    older = ordered.groupby("sku")["units"].cumsum().to_numpy(float) - ordered["units"].to_numpy(float)
    left = ordered["units"].to_numpy(float) - np.clip(take - older, 0.0, ordered["units"].to_numpy(float))
    return ordered.assign(units=left).sort_index()


def planned_arrivals(db_path: Path, as_of: dt.date, days: int, restock_params: RestockParams,
                     health_params: HealthParams, daily: pd.DataFrame,
                     plan_inputs: restock.RestockInputs | None = None) -> pd.DataFrame:
    """Arrivals (sku, day, units) over ``days`` days under the restock plan (``core.stock_projection``).
    ``plan_inputs``: the plan's inputs at ``as_of`` when the caller already has them."""
    if plan_inputs is None:
        plan_inputs = restock.restock_inputs(db_path, as_of, health_params)
    result = forecast_table(db_path, as_of)
    plan = restock.plan_from_inputs(plan_inputs, result.summary, restock_params, forecast=result)
    if plan.empty:
        return pd.DataFrame(columns=["sku", "day", "units"])
    projection = stock_projection.project_stock(plan, daily, days=days,
                                                review_period_days=restock_params.review_period_days)
    return projection.arrivals_frame()


def fee_outlook(db_path: Path, as_of: dt.date | None = None, months: int = 12, *, with_arrivals: bool = True,
                restock_params: RestockParams = RestockParams(),
                health_params: HealthParams = HealthParams(),
                plan_inputs: Callable[[], restock.RestockInputs] | None = None) -> FeeOutlook:
    """The fee outlook at ``as_of`` (the latest snapshot by default) for ``months`` calendar months.

    ``with_arrivals`` False projects today's stock alone (sales only, nothing arrives).
    ``plan_inputs``: how the caller gets the restock plan's inputs at that date, when it has them
    (called only when the outlook is not stored: reading them costs 1 to 2 s on 10,000 SKUs).

    The projection, the crossings and the arrivals (3 to 4 s on a 10,000-SKU account) are kept in the
    database (``core.stored``), keyed by the data version, the date, the months and every parameter
    and fee rate they depend on; a later process reads them back.
    """
    db_path = Path(db_path)
    inputs = fee_inputs(db_path, as_of)
    empty = pd.DataFrame(columns=["sku", "day", "units"])
    if inputs.as_of is None or inputs.lots.empty:
        projection = project_from_inputs(inputs, pd.DataFrame(columns=["sku", "day", "mean"]), months)
        return FeeOutlook(inputs.as_of, months, projection.assign(total_fees=pd.Series(dtype=float)),
                          pd.DataFrame(columns=CROSSING_COLUMNS), amazon_comparison(projection, inputs), empty,
                          pd.DataFrame(columns=["sku", "day", "mean"]), inputs, None)
    daily = forecast_table(db_path, inputs.as_of).daily
    demand = daily[["sku", "day", "mean"]]
    table = inputs.table if inputs.table is not None else fee_table(on=inputs.as_of)
    key = stored.run_key("fees", tuple(db.data_version(db_path)), inputs.as_of.isoformat(), months, with_arrivals,
                         restock_params, health_params, table)
    kept = stored.load(db_path, "fees", key, STORED_FRAMES)
    if kept is not None:
        projection, crossings, arrivals = _restored(kept)
    else:
        arrivals = (planned_arrivals(db_path, inputs.as_of, 366 + 31, restock_params, health_params, daily,
                                     plan_inputs() if plan_inputs is not None else None)
                    if with_arrivals else empty)
        projection = project_from_inputs(inputs, daily, months, arrivals)
        projection = projection.assign(total_fees=total_fees(projection))
        lots = inputs.lots.assign(age_days=inputs.lots["age_days"] + 1)
        crossings = band_crossings(lots, demand, inputs.items, table, inputs.as_of + dt.timedelta(days=1),
                                   arrivals)
        if not projection.empty:
            stored.save(db_path, "fees", key, inputs.as_of,
                        {"projection": projection, "crossings": crossings, "arrivals": arrivals})
    return FeeOutlook(inputs.as_of, months, projection, crossings, amazon_comparison(projection, inputs),
                      arrivals, demand, inputs, table)


STORED_FRAMES = ("projection", "crossings", "arrivals")


def _restored(kept: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The stored frames with the types the projection computes (DuckDB returns dates as datetime64)."""
    projection, crossings, arrivals = (kept[name] for name in STORED_FRAMES)
    projection = projection.assign(month=pd.to_datetime(projection["month"]).dt.date.astype(object))
    crossings = crossings.assign(sku=crossings["sku"].astype(object),
                                 **{c: pd.to_datetime(crossings[c]).dt.date.astype(object)
                                    for c in ("assessment_date", "deadline")})
    arrivals = arrivals.assign(day=pd.to_datetime(arrivals["day"]).astype("datetime64[us]"))
    return projection, crossings, arrivals


@dataclass(frozen=True, eq=False)
class ClearanceAdvice:
    """The advisor's input rows, every option priced (long), and the recommendation per SKU."""

    frame: pd.DataFrame
    options: pd.DataFrame
    recommendation: pd.DataFrame


def keep_cost_of_excess(outlook: FeeOutlook, excess: pd.Series, horizon_months: int) -> pd.Series:
    """Per SKU, the projected storage fees and surcharges the excess units cost over the horizon:
    Σ total fees of the months starting within the horizon as projected, less the same when the
    ``excess`` (oldest) units leave today. SKUs without excess: 0.

    Only the SKUs with excess are projected again (a SKU's fees depend on its own stock, except the
    utilisation surcharge, whose account ratio counts the others as projected): on a 10,000-SKU
    account, the few hundred red and orange SKUs instead of all of them."""
    if outlook.as_of is None or outlook.projection.empty:
        return pd.Series(0.0, index=excess.index)
    end = outlook.as_of + dt.timedelta(days=1 + round(clearance.horizon_days(horizon_months)))
    inputs = outlook.inputs
    moved = set(excess.index[excess > 0])

    def of_moved(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["sku"].isin(moved)]

    lighter = FeeInputs(remove_oldest(of_moved(inputs.lots), excess), of_moved(inputs.items), inputs.amazon,
                        inputs.as_of, inputs.age_source, inputs.table)
    without = project_from_inputs(lighter, of_moved(outlook.demand), outlook.months, of_moved(outlook.arrivals),
                                  others=outlook.projection[~outlook.projection["sku"].isin(moved)])

    def within(projection: pd.DataFrame) -> pd.Series:
        rows = projection[pd.to_datetime(projection["month"]) < pd.Timestamp(end)]
        return total_fees(rows).groupby(rows["sku"]).sum(min_count=1)

    saved = within(outlook.projection).sub(within(without), fill_value=0.0)
    return saved.reindex(excess.index).fillna(0.0).clip(lower=0.0).where(excess > 0, 0.0)


WEIGHT_SQL = """
    SELECT sku, any_value(CASE lower(coalesce(unit_of_weight, 'lb'))
                     WHEN 'oz' THEN item_package_weight / 16 WHEN 'ounces' THEN item_package_weight / 16
                     WHEN 'kg' THEN item_package_weight * 2.20462 WHEN 'kilograms' THEN item_package_weight * 2.20462
                     WHEN 'g' THEN item_package_weight / 453.592 WHEN 'grams' THEN item_package_weight / 453.592
                     ELSE item_package_weight END) AS weight_lb
    FROM fee_preview GROUP BY sku"""


def clearance_advice(db_path: Path, outlook: FeeOutlook, sku_frame: pd.DataFrame,
                     params: clearance.ClearanceParams = clearance.ClearanceParams(),
                     picked: tuple[str, ...] = (), grades: tuple[str, ...] = ("red", "orange"),
                     period_days: int = 90, default_fee_share: float = 0.30) -> ClearanceAdvice:
    """The clearance options of the SKUs graded ``grades`` and those ``picked``.

    Input per SKU (``clearance.clearance_input_from_skus``) with the forecast's demand per day where it
    has the SKU, removal and disposal fees per unit from the fee table by size tier and shipping
    weight (the fee preview's; 0.5 lb where unknown) and ``keep_cost_horizon`` from the projection
    (``keep_cost_of_excess`` of the units each option acts on).
    """
    chosen = sku_frame[sku_frame["grade"].isin(grades) | sku_frame["sku"].isin(picked)]
    if chosen.empty:
        return ClearanceAdvice(pd.DataFrame(), pd.DataFrame(columns=clearance.OPTION_COLUMNS),
                               pd.DataFrame(columns=clearance.RECOMMEND_COLUMNS))
    frame = clearance.clearance_input_from_skus(chosen, period_days, default_fee_share)
    if not outlook.demand.empty:
        forecast = outlook.demand.assign(day=pd.to_datetime(outlook.demand["day"]))
        first_28 = forecast[forecast["day"] < forecast["day"].min() + pd.Timedelta(days=28)]
        per_day = first_28.groupby("sku")["mean"].mean()
        frame["demand_per_day"] = frame["sku"].map(per_day).fillna(frame["demand_per_day"])
    items = outlook.inputs.items.drop_duplicates("sku").set_index("sku")
    tier = frame["sku"].map(items["size_tier"]).fillna("standard")
    weights = db.query_df(db_path, WEIGHT_SQL).set_index("sku")["weight_lb"]  # every report's view exists
    weight = frame["sku"].map(weights).astype(float).fillna(0.5)
    if outlook.table is not None:
        frame["removal_fee_per_unit"] = removal_fee_per_unit(outlook.table, tier.to_numpy(), weight.to_numpy())
        frame["disposal_fee_per_unit"] = disposal_fee_per_unit(outlook.table, tier.to_numpy(), weight.to_numpy())
        frame["donation_fee_per_unit"] = frame["disposal_fee_per_unit"]
    frame["cubic_feet_per_unit"] = frame["sku"].map(items["cubic_feet_per_unit"])
    days = clearance.horizon_days(params.horizon_months)
    acted_on = clearance.units_affected(frame["units"].to_numpy(float),
                                        clearance.excess_over_horizon(frame["units"].to_numpy(float),
                                                                      frame["demand_per_day"].to_numpy(float), days))
    acted = pd.Series(acted_on, index=frame["sku"].to_numpy())
    frame["keep_cost_horizon"] = keep_cost_of_excess(outlook, acted, params.horizon_months).to_numpy()
    options = clearance.clearance_options(frame, params)
    return ClearanceAdvice(frame, options, clearance.recommend(options))


def capacity_outlook(db_path: Path, outlook: FeeOutlook, limits: CapacityLimits) -> pd.DataFrame:
    """Cubic feet per month and storage type against the seller's limits: the months the Monthly
    Storage Fees report covers (``kind`` "actual", Σ average daily volume) and then the projected
    months (``kind`` "projected", Σ of the projection's average cubic feet by size tier), each through
    ``capacity_check`` (overage fee = cubic feet over the limit × $10).
    """
    actual = storage_usage_from_db(db_path).assign(kind="actual")
    projection = outlook.projection
    projected = (projection.assign(storage_type=projection["size_tier"], month=pd.to_datetime(projection["month"]))
                 .groupby(["month", "storage_type"], as_index=False)["cubic_feet_avg"].sum()
                 .rename(columns={"cubic_feet_avg": "cubic_feet"}).assign(kind="projected"))
    usage = pd.concat([frame for frame in (actual, projected) if not frame.empty], ignore_index=True) \
        if not (actual.empty and projected.empty) else pd.DataFrame(columns=["month", "storage_type", "cubic_feet"])
    if usage.empty:
        return pd.DataFrame(columns=[*CAPACITY_COLUMNS, "kind"])
    checked = capacity_check(usage[["month", "storage_type", "cubic_feet"]], limits)
    return checked.assign(kind=usage["kind"].to_numpy())


RATE_CHECK_SQL = """
    SELECT month_of_charge AS month, product_size_tier AS amazon_size_tier,
           coalesce(base_rate, storage_rate) AS amazon_rate, count(*) AS rows
    FROM storage_fees
    WHERE month_of_charge IS NOT NULL AND coalesce(base_rate, storage_rate) IS NOT NULL
      AND dangerous_goods_storage_type IS NULL
    GROUP BY ALL ORDER BY month, amazon_size_tier, amazon_rate"""


def rate_check(db_path: Path, tolerance: float = 0.005) -> pd.DataFrame:
    """Our fee table against the storage rates Amazon charged (Monthly Storage Fees report).

    For each charge month, size tier and rate Amazon printed (``base_rate``, else ``storage_rate``;
    dangerous goods left out, their rates differ), our table's rate for that month and tier
    (``storage_rate_per_cuft`` of the version in force then): month, amazon_size_tier, size_tier,
    amazon_rate, our_rate, rows, matches (within ``tolerance`` $/cu ft). Months before our oldest
    version have no rate of ours (NaN, ``matches`` False).
    """
    charged = db.query_df(db_path, RATE_CHECK_SQL)
    if charged.empty:
        return charged.assign(size_tier=[], our_rate=[], matches=[])
    charged["size_tier"] = size_tier_group(charged["amazon_size_tier"])
    ours, tables = [], {}
    for month, tier in zip(pd.to_datetime(charged["month"]), charged["size_tier"]):
        try:
            if month not in tables:
                tables[month] = fee_table_in_force(db_path, "US", month.date())
            ours.append(float(storage_rate_per_cuft(tables[month], tier, month.month)))
        except ValueError:  # no version of ours in force that month
            ours.append(float("nan"))
    charged["our_rate"] = ours
    charged["matches"] = (charged["our_rate"] - charged["amazon_rate"]).abs() <= tolerance
    return charged[["month", "amazon_size_tier", "size_tier", "amazon_rate", "our_rate", "rows", "matches"]]


def low_inventory_risk(projection: pd.DataFrame, months: int = 3) -> pd.DataFrame:
    """SKUs whose projected days of supply fall under the low-inventory-level threshold (28 days) in
    one of the first ``months`` months: sku, month (the first such), days_of_supply that month.
    A proxy (``projection.low_inventory_risk``): Amazon's rule looks back at 30- and 90-day historical
    days of supply; the fee is avoided by keeping more than four weeks of stock.

    Examples
    --------
    >>> p = pd.DataFrame({"sku": ["A", "A", "B"], "month": [dt.date(2026, 12, 1), dt.date(2027, 1, 1),
    ...     dt.date(2026, 12, 1)], "days_of_supply": [40.0, 20.0, 90.0], "low_inventory_risk": [False, True, False]})
    >>> low_inventory_risk(p).values.tolist()
    [['A', datetime.date(2027, 1, 1), 20.0]]
    """
    if projection.empty:
        return pd.DataFrame(columns=["sku", "month", "days_of_supply"])
    first = sorted(projection["month"].unique())[:months]
    risky = projection[projection["month"].isin(first) & projection["low_inventory_risk"].astype(bool)]
    return (risky.sort_values(["sku", "month"]).drop_duplicates("sku")[["sku", "month", "days_of_supply"]]
            .reset_index(drop=True))
