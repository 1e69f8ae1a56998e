"""The fee projection's inputs from the database, and ``fees_from_db`` wiring them to the projection.

- Lots (units on hand by age): FIFO from Inventory Ledger inflows (``ageing.fifo_age_sql`` over the
  SKU table's ``on_hand`` = available + reserved, as core/skus.py does) where the ledger covers the
  as-of day; else the planning report's coarse age bands at the snapshot, each band's units put at
  its midpoint age (0-90 → 45, 91-180 → 135, 181-270 → 225, 271-365 → 318, 366-455 → 410, 456+ → 500;
  a legacy 365+ band → 410); else (Manage Inventory only) age 0, which projects no surcharge for
  months.
- Items: cubic feet per unit from the planning report's ``item_volume`` (in ``volume_unit_measurement``:
  cubic feet as is, cubic inches ÷ 1728, cubic centimetres ÷ 28,316.85; no unit = cubic feet), else
  the fee preview's longest × median × shortest side (inches ÷ 1728, centimetres ÷ 28,316.85), else
  Manage Inventory's ``per_unit_volume``; size tier from the fee preview's ``product_size_tier``, else
  the storage-fee report's, through ``size_tier_group``.
- Amazon's own estimates at the snapshot, for the side-by-side check: ``estimated_storage_cost_next_month``
  and the sum of the ``estimated_ais_*`` columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db, skus
from core.fees.projection import (PROJECTION_COLUMNS, account_utilisation_ratio, project_fees,
                                  projection_days, utilisation_surcharge)
from core.fees.table import FeeTable, fee_table, fee_table_in_force, size_tier_group
from core.forecast.engine import forecast_table
from core.metrics import ageing

CUBIC_INCHES_PER_CUFT = 1728.0
CUBIC_CM_PER_CUFT = 28_316.846592
OPEN_BAND_AGE_DAYS = 500  # where the planning report's open 456+ band is put
DEMAND_TAIL_DAYS = 28  # beyond the forecast horizon, demand repeats the mean of its last 28 days


@dataclass(frozen=True, eq=False)
class FeeInputs:
    """What the projection needs, read at one as-of date."""

    lots: pd.DataFrame  # sku, age_days (at the as-of day), units
    items: pd.DataFrame  # sku, cubic_feet_per_unit, size_tier, volume_source
    amazon: pd.DataFrame  # sku, amazon_storage_next, amazon_ais_next
    as_of: dt.date | None
    age_source: str  # 'ledger FIFO' | 'planning report bands' | 'unknown (age 0)' | 'none'
    table: FeeTable | None = None  # the fee table in force at as_of (the seller's edit when saved)


def band_midpoint_age(low: int, high: int | None) -> int:
    """Age in days given to a planning age band's units: ``(low + high) // 2``, 500 for the open band.

    Examples
    --------
    >>> band_midpoint_age(0, 90), band_midpoint_age(456, None)
    (45, 500)
    """
    return OPEN_BAND_AGE_DAYS if high is None else (low + high) // 2


def _lots_sql(sources: skus.Sources) -> tuple[str, str]:
    stock = f"stock AS ({skus.stock_sql(sources.stock)})"
    if sources.ledger_start is not None:
        return (f"""WITH {stock}, on_hand AS (SELECT sku, available + reserved AS units FROM stock),
                    fifo AS ({ageing.fifo_age_sql()})
                    SELECT sku, age_days::BIGINT AS age_days, units::DOUBLE AS units FROM fifo""",
                "ledger FIFO")
    if sources.stock == "inventory_planning":
        legacy = ageing.LEGACY_BAND
        parts = [f"SELECT sku, {band_midpoint_age(b.low, b.high)}::BIGINT AS age_days, "
                 f"{b.column}::DOUBLE AS units FROM stock WHERE {b.column} > 0" for b in ageing.AGE_BANDS]
        parts.append(f"SELECT sku, {band_midpoint_age(legacy.low, 455)}::BIGINT, {legacy.column}::DOUBLE "
                     f"FROM stock WHERE {legacy.column} > 0")
        return f"WITH {stock} " + " UNION ALL ".join(parts), "planning report bands"
    return (f"WITH {stock} SELECT sku, 0::BIGINT AS age_days, (available + reserved)::DOUBLE AS units "
            f"FROM stock WHERE available + reserved > 0", "unknown (age 0)")


def _volume_case(value: str, unit: str, default_divisor: str) -> str:
    return f"""{value} / CASE
        WHEN {unit} IS NULL THEN {default_divisor}
        WHEN lower({unit}) LIKE '%inch%' OR lower({unit}) LIKE '%in3%' THEN {CUBIC_INCHES_PER_CUFT}
        WHEN lower({unit}) LIKE '%cent%' OR lower({unit}) LIKE '%cm%' THEN {CUBIC_CM_PER_CUFT}
        WHEN lower({unit}) LIKE '%feet%' OR lower({unit}) LIKE '%foot%' OR lower({unit}) LIKE '%ft%' THEN 1.0
        END"""


POUNDS_PER_KG = 2.20462
GRAMS_PER_POUND = 453.592


def _weight_case(value: str, unit: str) -> str:
    """Shipping weight in pounds from a report's weight and unit (pounds when the unit is missing)."""
    return f"""{value} / CASE
        WHEN {unit} IS NULL OR lower({unit}) LIKE '%pound%' OR lower({unit}) LIKE 'lb%' THEN 1.0
        WHEN lower({unit}) LIKE '%ounce%' OR lower({unit}) LIKE 'oz%' THEN 16.0
        WHEN lower({unit}) LIKE '%kilo%' OR lower({unit}) LIKE 'kg%' THEN {1 / POUNDS_PER_KG}
        WHEN lower({unit}) LIKE '%gram%' OR lower({unit}) = 'g' THEN {GRAMS_PER_POUND}
        END"""


def _items_sql(sources: skus.Sources) -> str:
    plan = ("SELECT sku, max(" + _volume_case("item_volume", "volume_unit_measurement", "1.0") + ") AS cuft "
            "FROM inventory_planning WHERE snapshot_date = $as_of GROUP BY sku")
    sides = "longest_side * median_side * shortest_side"
    return f"""WITH stock AS ({skus.stock_sql(sources.stock)}),
        plan AS ({plan}),
        preview AS (SELECT sku,
                           arg_max({_volume_case(sides, "unit_of_dimension", "NULL")}, snapshot_date) AS cuft,
                           arg_max(product_size_tier, snapshot_date) AS tier,
                           arg_max({_weight_case("item_package_weight", "unit_of_weight")}, snapshot_date) AS lb
                    FROM fee_preview WHERE snapshot_date <= $as_of GROUP BY sku),
        myi AS (SELECT sku, arg_max(per_unit_volume, snapshot_date) AS cuft FROM manage_inventory
                WHERE snapshot_date <= $as_of GROUP BY sku),
        charged AS (SELECT fnsku, arg_max(product_size_tier, month_of_charge) AS tier,
                           arg_max({_weight_case("weight", "weight_units")}, month_of_charge) AS lb FROM storage_fees
                    WHERE month_of_charge <= $as_of GROUP BY fnsku)
        SELECT s.sku, coalesce(p.cuft, f.cuft, m.cuft)::DOUBLE AS cubic_feet_per_unit,
               coalesce(f.tier, c.tier) AS amazon_size_tier,
               coalesce(f.lb, c.lb)::DOUBLE AS weight_lb,
               CASE WHEN p.cuft IS NOT NULL THEN 'inventory_planning'
                    WHEN f.cuft IS NOT NULL THEN 'fee_preview'
                    WHEN m.cuft IS NOT NULL THEN 'manage_inventory' END AS volume_source
        FROM stock s LEFT JOIN plan p USING (sku) LEFT JOIN preview f USING (sku) LEFT JOIN myi m USING (sku)
        LEFT JOIN charged c ON c.fnsku = s.fnsku ORDER BY s.sku"""


def _amazon_sql() -> str:
    ais = " + ".join(f"coalesce({c}, 0)" for c in skus.AIS_COLUMNS)
    return f"""SELECT sku, sum(estimated_storage_cost_next_month)::DOUBLE AS amazon_storage_next,
                      sum({ais})::DOUBLE AS amazon_ais_next
               FROM inventory_planning WHERE snapshot_date = $as_of GROUP BY sku ORDER BY sku"""


def fee_inputs(db_path: Path, as_of: dt.date | None = None) -> FeeInputs:
    """Lots, items and Amazon's estimates at the as-of date (the latest snapshot by default)."""
    db_path = Path(db_path)
    if as_of is None:
        dates = skus.snapshot_dates(db_path)
        as_of = dates[0] if dates else None
    empty_lots = pd.DataFrame({"sku": pd.Series(dtype=object), "age_days": pd.Series(dtype="int64"),
                               "units": pd.Series(dtype=float)})
    empty_items = pd.DataFrame(columns=["sku", "cubic_feet_per_unit", "size_tier", "volume_source"])
    empty_amazon = pd.DataFrame(columns=["sku", "amazon_storage_next", "amazon_ais_next"])
    if as_of is None:
        return FeeInputs(empty_lots, empty_items, empty_amazon, None, "none")
    with db.connect(db_path) as con:
        sources = skus.report_sources(con, as_of)
        if sources.stock is None:
            return FeeInputs(empty_lots, empty_items, empty_amazon, as_of, "none")
        lots_sql, age_source = _lots_sql(sources)
        lots = con.execute(lots_sql, {"as_of": as_of}).df()
        items = con.execute(_items_sql(sources), {"as_of": as_of}).df()
        amazon = (con.execute(_amazon_sql(), {"as_of": as_of}).df() if sources.stock == "inventory_planning"
                  else empty_amazon)
    items = items.assign(size_tier=size_tier_group(items["amazon_size_tier"]))
    return FeeInputs(lots, items[["sku", "cubic_feet_per_unit", "size_tier", "volume_source"]], amazon, as_of,
                     age_source, fee_table_in_force(db_path, "US", as_of))


def item_volumes(db_path: Path, as_of: dt.date) -> pd.DataFrame:
    """Cubic feet per unit, size tier and shipping weight per SKU in stock at ``as_of`` (the ``items`` of
    ``fee_inputs``, without the lots): sku, cubic_feet_per_unit, size_tier, volume_source, weight_lb
    (pounds: the Fee Preview's item-package-weight, else the storage-fee report's weight; NaN when
    neither is loaded)."""
    with db.connect(Path(db_path)) as con:
        sources = skus.report_sources(con, as_of)
        if sources.stock is None:
            return pd.DataFrame(columns=["sku", "cubic_feet_per_unit", "size_tier", "volume_source", "weight_lb"])
        items = con.execute(_items_sql(sources), {"as_of": as_of}).df()
    items = items.assign(size_tier=size_tier_group(items["amazon_size_tier"]))
    return items[["sku", "cubic_feet_per_unit", "size_tier", "volume_source", "weight_lb"]]


def extend_demand(daily_demand: pd.DataFrame, start: dt.date, days: int,
                  tail_days: int = DEMAND_TAIL_DAYS) -> pd.DataFrame:
    """The forecast (sku, day, mean) carried to ``start + days − 1``: each SKU's later days repeat
    the mean of its last ``tail_days`` forecast days.

    Examples
    --------
    >>> days = pd.to_datetime(["2026-01-01", "2026-01-02"])
    >>> f = pd.DataFrame({"sku": ["A", "A"], "day": days, "mean": [1.0, 3.0]})
    >>> extend_demand(f, dt.date(2026, 1, 1), 4)["mean"].tolist()
    [1.0, 3.0, 2.0, 2.0]
    """
    frame = daily_demand[["sku", "day", "mean"]].assign(day=pd.to_datetime(daily_demand["day"]))
    if frame.empty:
        return frame
    end = pd.Timestamp(start) + pd.Timedelta(days=days - 1)
    last = frame["day"].max()
    if last >= end:
        return frame
    recent = frame[frame["day"] > last - pd.Timedelta(days=tail_days)]
    tail = recent.groupby("sku", as_index=False)["mean"].mean()
    extra_days = pd.date_range(last + pd.Timedelta(days=1), end)
    extra = pd.DataFrame({"sku": np.repeat(tail["sku"].to_numpy(), len(extra_days)),
                          "day": np.tile(extra_days, len(tail)),
                          "mean": np.repeat(tail["mean"].to_numpy(), len(extra_days))})
    return pd.concat([frame, extra], ignore_index=True)


def project_from_inputs(inputs: FeeInputs, daily_demand: pd.DataFrame, months: int = 12,
                        arrivals: pd.DataFrame | None = None, others: pd.DataFrame | None = None) -> pd.DataFrame:
    """The fee projection of ``inputs`` from the day after its as-of date, for ``months`` months.

    Lots aged one more day (the snapshot is the end of the as-of day), the forecast's daily mean
    (sku, day, mean) as demand (``extend_demand`` beyond its horizon), optional ``arrivals`` (sku, day,
    units) and the fee table in force at the as-of date (``inputs.table``, else Amazon's published
    one); adds ``utilisation_surcharge`` at the
    account's projected monthly ratio (``account_utilisation_ratio``; unconfirmed rates).

    ``others``: when ``inputs`` hold only some of the account's SKUs, the projection of the rest; they
    count in the account's ratio but are not projected again.
    """
    if inputs.as_of is None or inputs.lots.empty:
        return pd.DataFrame(columns=[*PROJECTION_COLUMNS, "utilisation_surcharge"])
    start = inputs.as_of + dt.timedelta(days=1)
    lots = inputs.lots.assign(age_days=inputs.lots["age_days"] + 1)
    demand = extend_demand(daily_demand, start, projection_days(start, months))
    table = inputs.table if inputs.table is not None else fee_table(on=inputs.as_of)
    projection = project_fees(lots, demand, arrivals, inputs.items, table, start, months)
    account = projection if others is None else pd.concat([others[projection.columns], projection])
    return projection.assign(utilisation_surcharge=utilisation_surcharge(
        projection, account_utilisation_ratio(account), table))


def fees_from_db(db_path: Path, as_of: dt.date | None = None, months: int = 12,
                 arrivals: pd.DataFrame | None = None) -> pd.DataFrame:
    """The fee projection of every SKU in stock (``project_from_inputs``) with the database's inputs
    and demand forecast."""
    db_path = Path(db_path)
    inputs = fee_inputs(db_path, as_of)
    if inputs.as_of is None or inputs.lots.empty:
        return project_from_inputs(inputs, pd.DataFrame(columns=["sku", "day", "mean"]), months)
    return project_from_inputs(inputs, forecast_table(db_path, inputs.as_of).daily, months, arrivals)


def amazon_comparison(projection: pd.DataFrame, inputs: FeeInputs) -> pd.DataFrame:
    """Our next calendar month beside Amazon's estimates at the snapshot, per SKU.

    sku, storage_fee (ours, the month after the as-of month), amazon_storage_next, aged_surcharge
    (ours, that month's 15th), amazon_ais_next. Amazon's AIS estimate is for the current ages, ours
    for the ages a month later, so ours runs higher where stock is ageing.
    """
    if inputs.as_of is None:
        return pd.DataFrame(columns=["sku", "storage_fee", "amazon_storage_next", "aged_surcharge",
                                     "amazon_ais_next"])
    month = (inputs.as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    ours = projection.loc[projection["month"] == month, ["sku", "storage_fee", "aged_surcharge"]]
    return ours.merge(inputs.amazon, on="sku", how="outer").sort_values("sku", ignore_index=True)
