"""The four factors of Amazon's Inventory Performance Index (IPI), computed from report data.

Amazon does not publish the IPI formula or its score thresholds, only the four influencing
categories (US; Amazon help 202174810): excess inventory percentage, FBA sell-through rate, stranded
inventory percentage and in-stock rate. We compute the *factors*, not the score, and put each against
a performance bar (Excellent / Good / Fair / Poor) whose thresholds are **our heuristic**, kept as
data in ``PERFORMANCE_BARS``.

Per planning snapshot date (the trend), ``ipi_factors_from_db`` rebuilds the per-SKU table
(``core.skus.sku_table``) at that date and sums:

- excess: per SKU ``max(0, on_hand − 90 × demand_per_day)``; Amazon's ``estimated-excess-quantity``
  from the FBA Inventory report is shown beside ours (``amazon_excess_*``);
- sell-through: units sold in the 90 days ÷ average units on hand over those 90 days (ledger daily
  balances, else the snapshots);
- stranded: Manage Inventory rows of that date with units in the fulfilment centres and no active
  FBA listing (``afn-listing-exists`` = No); NaN (unknown) when no Manage Inventory snapshot has
  that date. The "unsuppressed" Manage Inventory report lists active listings only, so it can miss
  stranded units; Amazon's Stranded Inventory report is the full source (not loaded yet);
- in-stock rate: over replenishable SKUs (a SKU with forecast demand, ``demand_per_day > 0``),
  the share of in-stock days in the 30-day demand window, weighted by demand per day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db, skus, stored
from core.params import HealthParams

EXCESS_DAYS_OF_SUPPLY = 90  # Amazon: an item is excess "if it has over 90 days of supply"
IPI_PERIOD_DAYS = 90  # Amazon: sell-through over "the past 90 days"
BARS = ("Excellent", "Good", "Fair", "Poor")


def excess_units(on_hand_units, demand_per_day, days_of_supply_limit: float = EXCESS_DAYS_OF_SUPPLY):
    """Units beyond the limit of days of forecast supply: ``max(0, on_hand − limit × demand_per_day)``.

    Amazon counts an item as excess "if it has over 90 days of supply based on the forecasted
    demand" (help 202174810); the limit is 90 days. No demand makes every unit excess; an unknown
    demand (NaN) gives NaN.

    Parameters
    ----------
    on_hand_units : units in the fulfilment centres (available + reserved).
    demand_per_day : forecast units per day.
    days_of_supply_limit : days of supply beyond which units count as excess (90).

    Examples
    --------
    400 units selling 2 a day: 90 days need 180, so 400 − 180 = 220 are excess.

    >>> float(excess_units(400, 2))
    220.0
    >>> float(excess_units(100, 2))
    0.0
    """
    units = np.asarray(on_hand_units, dtype=float)
    rate = np.asarray(demand_per_day, dtype=float)
    return np.maximum(0.0, units - days_of_supply_limit * rate) + np.where(np.isnan(rate), np.nan, 0.0)


def _share(part, whole):
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.nan)


def excess_share(excess_units, total_units):
    """Excess inventory percentage, as a share: ``excess units ÷ total FBA units``.

    Source: Amazon help 202174810 ("the percentage of FBA units identified as excess"). Pass sums
    over SKUs for the account figure. No units gives NaN.

    Examples
    --------
    >>> float(excess_share(220, 400))
    0.55
    """
    return _share(excess_units, total_units)


def sell_through_90d(units_shipped_90d, avg_units_on_hand_90d):
    """FBA sell-through rate: ``units shipped in 90 days ÷ average units on hand over the 90 days``.

    Source: Amazon help 202174810 ("units shipped over the past 90 days divided by the average
    number of units on hand in our fulfillment centers during that time period"). A ratio per 90
    days, not annualised. Nothing on hand on average gives NaN.

    Examples
    --------
    90 units shipped with 60 on hand on average:

    >>> float(sell_through_90d(90, 60))
    1.5
    """
    return _share(units_shipped_90d, avg_units_on_hand_90d)


def stranded_share(stranded_units, total_units):
    """Stranded inventory percentage, as a share: ``units without an active listing ÷ total FBA units``.

    Source: Amazon help 202174810 (FBA units "currently not available for purchase on Amazon").
    Unknown stranded units (NaN, no report that tells) give NaN, never 0.

    Examples
    --------
    >>> float(stranded_share(30, 600))
    0.05
    >>> bool(np.isnan(stranded_share(np.nan, 600)))
    True
    """
    return _share(stranded_units, total_units)


def in_stock_rate(in_stock_days, days, weight=None):
    """In-stock rate of replenishable SKUs: ``Σ w × in-stock days ÷ days ÷ Σ w``.

    Amazon's fourth factor is keeping popular (replenishable) items in stock (help 202174810);
    its exact weighting is not published. Ours: each replenishable SKU's share of in-stock days in
    the window, weighted by ``weight`` (forecast demand per day; equal weights if None). Pass only
    replenishable SKUs. No SKU (or zero total weight) gives NaN.

    Parameters
    ----------
    in_stock_days : days with sellable stock in the window, per SKU.
    days : days in the window, per SKU.
    weight : per-SKU weight, e.g. demand per day.

    Examples
    --------
    Two SKUs over 30 days: one always in stock (3 a day), one in stock 15 days (1 a day):
    (3 × 1 + 1 × 0.5) ÷ 4 = 0.875.

    >>> float(in_stock_rate([30, 15], [30, 30], weight=[3, 1]))
    0.875
    """
    share = np.atleast_1d(_share(in_stock_days, days))
    w = np.ones_like(share) if weight is None else np.atleast_1d(np.asarray(weight, dtype=float))
    known = ~np.isnan(share) & ~np.isnan(w)
    total = float(w[known].sum())
    return float((share[known] * w[known]).sum() / total) if total > 0 else float("nan")


# --- performance bars (our heuristic) ----------------------------------------------------------------

@dataclass(frozen=True)
class FactorBars:
    """Thresholds of one factor's performance bar. OUR HEURISTIC: Amazon does not publish them.

    ``higher_is_better``: Excellent at or beyond ``excellent``, Good at or beyond ``good``, Fair at or
    beyond ``fair``, else Poor ("beyond" is ≥ when higher is better, ≤ otherwise).
    """

    factor: str
    label: str
    higher_is_better: bool
    excellent: float
    good: float
    fair: float

    def __post_init__(self) -> None:
        ordered = (self.excellent >= self.good >= self.fair) if self.higher_is_better else (
            self.excellent <= self.good <= self.fair)
        if not ordered:
            raise ValueError(f"{self.factor}: thresholds must run excellent, good, fair in order")


PERFORMANCE_BARS: dict[str, FactorBars] = {b.factor: b for b in (
    FactorBars("excess_share", "Excess inventory (share of units)", False, 0.05, 0.10, 0.20),
    FactorBars("sell_through", "FBA sell-through (per 90 days)", True, 3.0, 2.0, 1.0),
    FactorBars("stranded_share", "Stranded inventory (share of units)", False, 0.01, 0.03, 0.05),
    FactorBars("in_stock_rate", "In-stock rate (replenishable SKUs)", True, 0.95, 0.90, 0.80),
)}


def performance_bar(factor: str, value):
    """The bar of a factor's value (``PERFORMANCE_BARS``, our heuristic); NaN gives "unknown".

    Examples
    --------
    Excess is better low: 8% is above Excellent's 5% and within Good's 10%.

    >>> str(performance_bar("excess_share", 0.08))
    'Good'
    >>> str(performance_bar("sell_through", 0.7))
    'Poor'
    """
    if factor not in PERFORMANCE_BARS:
        raise ValueError(f"factor must be one of {sorted(PERFORMANCE_BARS)}")
    bars = PERFORMANCE_BARS[factor]
    v = np.asarray(value, dtype=float)
    beyond = (lambda t: v >= t) if bars.higher_is_better else (lambda t: v <= t)
    out = np.select([np.isnan(v), beyond(bars.excellent), beyond(bars.good), beyond(bars.fair)],
                    ["unknown", *BARS[:3]], BARS[3])
    return out[()] if out.ndim == 0 else out


# --- from the database ------------------------------------------------------------------------------

IPI_COLUMNS = [
    "snapshot_date", "skus", "total_units", "excess_units", "excess_share", "amazon_excess_units",
    "amazon_total_units", "amazon_excess_share", "units_shipped_90d", "avg_units_on_hand_90d", "sell_through",
    "stranded_units", "stranded_total_units", "stranded_share", "replenishable_skus", "in_stock_rate",
    "excess_bar", "sell_through_bar", "stranded_bar", "in_stock_bar",
]
SKU_EXCESS_COLUMNS = ["sku", "fnsku", "product_name", "on_hand", "demand_per_day", "days_of_supply",
                      "excess_units", "amazon_excess_units", "grade"]


def _planning_dates(db_path: Path) -> list[dt.date]:
    frame = db.query_df(db_path, "SELECT DISTINCT snapshot_date FROM inventory_planning ORDER BY 1")
    return [pd.Timestamp(d).date() for d in frame["snapshot_date"]]


def _amazon_excess(db_path: Path) -> pd.DataFrame:
    return db.query_df(db_path, """
        SELECT snapshot_date, sku, sum(estimated_excess_quantity) AS amazon_excess_units,
               sum(coalesce(available, 0)) AS amazon_available
        FROM inventory_planning GROUP BY ALL""")


def _stranded(db_path: Path) -> pd.DataFrame:
    """Per Manage Inventory date: units in FCs on rows without an active FBA listing, and all units."""
    return db.query_df(db_path, """
        SELECT snapshot_date,
               sum(coalesce(afn_warehouse_quantity, 0)) FILTER (WHERE afn_listing_exists = false) AS stranded_units,
               sum(coalesce(afn_warehouse_quantity, 0)) AS stranded_total_units
        FROM manage_inventory GROUP BY snapshot_date""")


def _ipi_params() -> HealthParams:
    return dataclasses.replace(HealthParams(), period_days=IPI_PERIOD_DAYS)


def sku_excess(frame: pd.DataFrame) -> pd.DataFrame:
    """Per SKU excess units from a SKU table (``on_hand``, ``demand_per_day``): see ``excess_units``.

    Keeps sku, fnsku, product_name, on_hand, demand_per_day, days_of_supply, grade where present and
    adds ``excess_units``; ``amazon_excess_units`` is kept if the frame has it.

    Examples
    --------
    >>> sku_excess(pd.DataFrame({"sku": ["A"], "on_hand": [400], "demand_per_day": [2.0]}))
      sku  on_hand  demand_per_day  excess_units
    0   A      400             2.0         220.0
    """
    out = frame[[c for c in SKU_EXCESS_COLUMNS if c in frame.columns and c != "excess_units"]].copy()
    out["excess_units"] = excess_units(frame["on_hand"], frame["demand_per_day"])
    return out[[c for c in SKU_EXCESS_COLUMNS if c in out.columns]]


def _sku_frame(db_path: Path, as_of: dt.date, amazon: pd.DataFrame) -> pd.DataFrame:
    frame = skus.sku_table(db_path, _ipi_params(), as_of=as_of).frame
    mine = amazon.loc[pd.to_datetime(amazon["snapshot_date"]).dt.date == as_of, ["sku", "amazon_excess_units",
                                                                                  "amazon_available"]]
    return frame.merge(mine, on="sku", how="left")


def excess_by_sku_from_db(db_path: Path, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per SKU excess at a planning snapshot date (the latest by default), ours beside Amazon's.

    Columns ``SKU_EXCESS_COLUMNS``, largest excess first.
    """
    dates = _planning_dates(db_path)
    if not dates:
        return pd.DataFrame(columns=SKU_EXCESS_COLUMNS)
    frame = _sku_frame(db_path, as_of or dates[-1], _amazon_excess(db_path))
    return sku_excess(frame).sort_values(["excess_units", "sku"], ascending=[False, True],
                                         ignore_index=True)


def ipi_factors_from_db(db_path: Path) -> pd.DataFrame:
    """``ipi_factors_computed``, kept in the database once per data version (``core.stored``): it
    builds one SKU table per planning snapshot, about 8 s on a 10,000-SKU account with six snapshots."""
    key = stored.run_key("ipi", tuple(db.data_version(db_path)))
    kept = stored.load(db_path, "ipi", key, ("factors",))
    if kept is not None:
        factors = kept["factors"]
        return factors.assign(snapshot_date=pd.to_datetime(factors["snapshot_date"]).dt.date)
    factors = ipi_factors_computed(db_path)
    if not factors.empty:
        stored.save(db_path, "ipi", key, factors["snapshot_date"].iloc[-1], {"factors": factors})
    return factors


def ipi_factors_computed(db_path: Path) -> pd.DataFrame:
    """The four IPI factors per planning snapshot date (oldest first), with the inputs behind each.

    Columns ``IPI_COLUMNS``: total and excess units (ours: Σ on_hand and Σ ``excess_units``;
    Amazon's: Σ available and Σ ``estimated-excess-quantity``), units shipped and average units on
    hand over 90 days behind the sell-through, stranded and total FC units from Manage Inventory of
    the same date (NaN when none), replenishable SKUs behind the in-stock rate, and each factor's
    performance bar (our heuristic). See the module docstring for the definitions.
    """
    dates = _planning_dates(db_path)
    if not dates:
        return pd.DataFrame(columns=IPI_COLUMNS)
    amazon = _amazon_excess(db_path)
    stranded = _stranded(db_path)
    stranded["snapshot_date"] = pd.to_datetime(stranded["snapshot_date"]).dt.date
    rows = []
    for as_of in dates:  # one SKU table per snapshot (a handful of dates), not per SKU
        f = _sku_frame(db_path, as_of, amazon)
        demand = f["demand_per_day"].astype(float)
        replenishable = f[demand > 0]
        days = replenishable["in_stock_days_window"] + replenishable["out_of_stock_days_window"]
        rows.append({
            "snapshot_date": as_of, "skus": len(f),
            "total_units": float(f["on_hand"].sum()),
            "excess_units": float(np.nansum(excess_units(f["on_hand"], demand))),
            "amazon_excess_units": float(f["amazon_excess_units"].sum()),
            "amazon_total_units": float(f["amazon_available"].sum()),
            "units_shipped_90d": float(f["units_90d"].sum()),
            "avg_units_on_hand_90d": float(f["avg_units_on_hand"].sum()),
            "replenishable_skus": len(replenishable),
            "in_stock_rate": in_stock_rate(replenishable["in_stock_days_window"], days,
                                           replenishable["demand_per_day"]),
        })
    out = pd.DataFrame(rows).merge(stranded, on="snapshot_date", how="left")
    # A Manage Inventory snapshot of that date with no unlisted row: 0 stranded; no snapshot: unknown.
    known = out["stranded_total_units"].notna()
    out["stranded_units"] = out["stranded_units"].astype(float).fillna(0.0).where(known)
    out["stranded_total_units"] = out["stranded_total_units"].astype(float)
    out["excess_share"] = excess_share(out["excess_units"], out["total_units"])
    out["amazon_excess_share"] = excess_share(out["amazon_excess_units"], out["amazon_total_units"])
    out["sell_through"] = sell_through_90d(out["units_shipped_90d"], out["avg_units_on_hand_90d"])
    out["stranded_share"] = stranded_share(out["stranded_units"], out["stranded_total_units"])
    for factor, column in (("excess_share", "excess_bar"), ("sell_through", "sell_through_bar"),
                           ("stranded_share", "stranded_bar"), ("in_stock_rate", "in_stock_bar")):
        out[column] = performance_bar(factor, out[factor])
    return out[IPI_COLUMNS]
