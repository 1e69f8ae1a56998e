"""Projected stock over the coming days under the restock plan: what the What-if chart draws.

Every SKU of a restock plan is rolled forward one day at a time, all SKUs at once (numpy arrays,
one loop over the days):

1. Stock on hand starts at available + units reserved for FC transfer (they come back to sale).
   Units inbound arrive ``inbound_arrival_days`` after today; open purchase orders after the lead
   time. Both are assumptions: Amazon's reports carry no arrival date.
2. Each day the forecast's mean demand, less the resellable returns that come back to stock, is
   sold from stock (sales lost when it runs out, never negative stock).
3. Today the plan's order (``order_qty``) is placed when its status is "order now"; afterwards an
   order is placed at the end of any day the inventory position (on hand + on order) is at or below
   ROP + F₂₈ + d·R (F₂₈ the plan's low-inventory floor), for ``max(Q, ROP + F₂₈ + d·R − position)``
   rounded to the MOQ and case pack, Q the plan's ``cycle_qty`` (the corridor's, else the EOQ): the
   plan's own rule (``order_quantity_needed``, ``round_to_pack``), as in the supplier forecast. An
   order arrives one lead time later. A SKU the plan holds by its grade is never reordered.
4. Uncertainty: σ_t = √(k·σ_d² + d²·(σ_L·k/L)²) with k = min(t, L): demand uncertainty builds up
   from today and, once a lead time has passed, stays at the lead-time demand's σ that the safety
   stock is sized for. The 80% band is on hand ± 1.2816·σ_t, clipped at 0.
5. Expected stockout days = Σ over days of P(out), P(out) = Φ(−on hand / σ_t) on days with demand
   (1 on days the expected stock is 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import norm

from core.metrics import restock as rm

Z80 = float(norm.ppf(0.9))
PROJECTION_COLUMNS = ["sku", "day", "on_hand", "lo80", "hi80", "arrivals", "orders", "reorder_point", "p_out"]


@dataclass(frozen=True)
class StockProjection:
    """Day-by-day projection of every SKU: arrays of shape (SKUs, days)."""

    skus: np.ndarray
    days: pd.DatetimeIndex
    on_hand: np.ndarray
    sd: np.ndarray
    arrivals: np.ndarray
    orders: np.ndarray
    reorder_point: np.ndarray
    p_out: np.ndarray

    @property
    def expected_stockout_days(self) -> pd.Series:
        """Σ P(out) over the horizon per SKU (days)."""
        return pd.Series(self.p_out.sum(axis=1), index=pd.Index(self.skus, name="sku"), name="expected_stockout_days")

    def arrivals_frame(self) -> pd.DataFrame:
        """Every planned arrival, long: sku, day, units (inbound stock and the plan's orders)."""
        rows, cols = np.nonzero(self.arrivals > 0)
        return pd.DataFrame({"sku": self.skus[rows], "day": self.days[cols], "units": self.arrivals[rows, cols]})

    def frame(self, sku: str) -> pd.DataFrame:
        """One SKU's projection as a long frame (``PROJECTION_COLUMNS``); empty if the SKU is unknown."""
        rows = np.flatnonzero(self.skus == sku)
        if not len(rows):
            return pd.DataFrame(columns=PROJECTION_COLUMNS)
        i = rows[0]
        band = Z80 * self.sd[i]
        return pd.DataFrame({"sku": sku, "day": self.days, "on_hand": self.on_hand[i],
                             "lo80": np.maximum(self.on_hand[i] - band, 0.0), "hi80": self.on_hand[i] + band,
                             "arrivals": self.arrivals[i], "orders": self.orders[i],
                             "reorder_point": self.reorder_point[i], "p_out": self.p_out[i]})


@dataclass(frozen=True, eq=False)
class DailyMatrix:
    """The daily forecast as a dense matrix (SKUs × days) of mean units, NaN where it has no value:
    built once per forecast, so a what-if move does not look 1.8 million rows up again."""

    skus: pd.Index
    first_day: pd.Timestamp
    mean: np.ndarray

    @classmethod
    def from_daily(cls, daily: pd.DataFrame | None) -> DailyMatrix:
        """From the long daily forecast (sku, day, mean).

        Examples
        --------
        >>> d = pd.DataFrame({"sku": ["A", "A", "B"], "day": pd.to_datetime(["2026-11-16", "2026-11-17",
        ...                   "2026-11-17"]), "mean": [1.0, 2.0, 5.0]})
        >>> DailyMatrix.from_daily(d).mean.tolist()
        [[1.0, 2.0], [nan, 5.0]]
        """
        if daily is None or daily.empty:
            return cls(pd.Index([]), pd.Timestamp("1970-01-01"), np.zeros((0, 0)))
        codes, uniques = pd.factorize(daily["sku"])
        days = pd.to_datetime(daily["day"])
        first = days.min()
        offset = (days - first).dt.days.to_numpy()
        matrix = np.full((len(uniques), int(offset.max()) + 1), np.nan)
        matrix[codes, offset] = daily["mean"].to_numpy(float)
        return cls(pd.Index(uniques), first, matrix)


def demand_matrix(skus: np.ndarray, daily: pd.DataFrame | DailyMatrix | None, fallback_per_day: np.ndarray,
                  start: dt.date, days: int) -> np.ndarray:
    """Mean forecast demand per SKU and day (shape SKUs × days), from day ``start`` + 1, out of
    ``daily`` (the long forecast, or its ``DailyMatrix``).

    Days the forecast does not cover, and SKUs it lacks, take ``fallback_per_day`` (the plan's
    demand per day).
    """
    out = np.repeat(np.nan_to_num(np.asarray(fallback_per_day, float))[:, None], days, axis=1)
    forecast = daily if isinstance(daily, DailyMatrix) else DailyMatrix.from_daily(daily)
    if not forecast.mean.size:
        return out
    shift = (forecast.first_day - (pd.Timestamp(start) + pd.Timedelta(days=1))).days  # column of its first day
    rows = forecast.skus.get_indexer(pd.Index(skus))
    found = rows >= 0
    lo, hi = max(shift, 0), min(days, shift + forecast.mean.shape[1])
    if hi <= lo or not found.any():
        return out
    block = forecast.mean[rows[found]][:, lo - shift:hi - shift]
    current = out[found, lo:hi]
    out[found, lo:hi] = np.where(np.isnan(block), current, block)
    return out


def project_stock(plan: pd.DataFrame, daily: pd.DataFrame | DailyMatrix | None, *, days: int = 180,
                  inbound_arrival_days: int = 7, review_period_days: float = 7.0) -> StockProjection:
    """Roll every SKU of ``plan`` forward ``days`` days (rules in the module docstring).

    Parameters
    ----------
    plan : pandas.DataFrame
        A restock plan (``core.restock.RESTOCK_COLUMNS``): sku, status, demand_per_day, sigma_demand,
        lead_time_days, sigma_lead_time, reorder_point, available, inbound, reserved_transfer,
        open_po_units, eoq, moq, case_pack, order_qty, as_of.
    daily : pandas.DataFrame, DailyMatrix or None
        The daily forecast (sku, day, mean), or its ``DailyMatrix`` (faster when reused); None uses
        each SKU's demand_per_day on every day.
    days : int, default 180
        Days projected, from the day after ``as_of``.
    inbound_arrival_days : int, default 7
        Days until the units already inbound are received.
    review_period_days : float, default 7
        The plan's review period R (order up to ROP + d·R).

    Returns
    -------
    StockProjection

    Examples
    --------
    One SKU, 10 a day, 100 on hand, nothing inbound, L = 5 days, ROP 60, EOQ 50, continuous review
    (R = 0): the stock reaches 60 at the end of day 4 and an order of max(50, 60 − 60) = 50 goes out;
    it arrives on day 9 (4 + 5), when 20 are left before it: 20 + 50 − 10 = 60.

    >>> plan = pd.DataFrame({"sku": ["A"], "status": ["not yet"], "demand_per_day": [10.0],
    ...     "sigma_demand": [0.0], "lead_time_days": [5.0], "sigma_lead_time": [0.0],
    ...     "reorder_point": [60.0], "available": [100.0], "inbound": [0.0], "reserved_transfer": [0.0],
    ...     "open_po_units": [0.0], "eoq": [50.0], "moq": [None], "case_pack": [None], "order_qty": [0.0],
    ...     "as_of": [dt.date(2026, 11, 15)]})
    >>> p = project_stock(plan, None, days=12, review_period_days=0)
    >>> [float(x) for x in p.on_hand[0][:10]]
    [90.0, 80.0, 70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 60.0, 50.0]
    >>> float(p.orders[0][3]), float(p.arrivals[0][8]), float(p.expected_stockout_days.iloc[0])
    (50.0, 50.0, 0.0)
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    n = len(plan)
    skus = plan["sku"].astype(str).to_numpy()
    as_of = pd.Timestamp(plan["as_of"].iloc[0]).date() if n else dt.date.today()
    day_index = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=days, freq="D")

    def col(name: str, default: float = 0.0) -> np.ndarray:
        if name not in plan:
            return np.full(n, default)
        return pd.to_numeric(plan[name], errors="coerce").to_numpy(float)

    d_mean = np.nan_to_num(col("demand_per_day"))
    # The forecast is gross demand; resellable returns come back to stock (the plan's d is net of them).
    resold = np.nan_to_num(col("resellable_returns_per_day"))
    gross = np.nan_to_num(col("gross_demand_per_day")) if "gross_demand_per_day" in plan else d_mean
    # Every array below is day-major (days × SKUs): the loop reads and writes one day of every SKU,
    # contiguous. The projection hands out transposed views (SKUs × days), values unchanged.
    demand = np.ascontiguousarray(np.maximum(demand_matrix(skus, daily, gross, as_of, days) - resold[:, None], 0.0).T)
    sigma_d, lead = np.nan_to_num(col("sigma_demand")), np.nan_to_num(col("lead_time_days"))
    sigma_lead, rop = np.nan_to_num(col("sigma_lead_time")), np.nan_to_num(col("reorder_point"))
    # The corridor's later orders: the trigger includes the low-inventory floor, the quantity is the
    # plan's cycle quantity (core/restock.py); a plan without them reorders at ROP for max(EOQ, gap).
    rop = rop + np.nan_to_num(col("low_inventory_floor_units"))
    eoq = col("cycle_qty", np.nan) if "cycle_qty" in plan else col("eoq", np.nan)
    moq, pack = col("moq", np.nan), col("case_pack", np.nan)
    lead_days = np.maximum(np.rint(lead).astype(int), 1)

    pipeline = np.zeros((days + int(lead_days.max(initial=1)) + inbound_arrival_days + 1, n))
    pipeline[min(inbound_arrival_days, pipeline.shape[0] - 1)] += np.nan_to_num(col("inbound"))
    rows = np.arange(n)
    pipeline[lead_days, rows] += np.nan_to_num(col("open_po_units"))
    on_order = np.nan_to_num(col("inbound")) + np.nan_to_num(col("open_po_units"))
    orders = np.zeros((days, n))
    first_order = np.where(plan["status"].to_numpy() == "order now", np.nan_to_num(col("order_qty")), 0.0) \
        if "status" in plan else np.zeros(n)
    pipeline[lead_days, rows] += first_order
    on_order += first_order
    orders[0] = first_order  # placed today, drawn on the first day
    # A SKU the plan holds back (graded red or orange: clear it first) is not reordered later either.
    held = (plan["blocked_by"].fillna("") == "grade").to_numpy() if "blocked_by" in plan else np.zeros(n, dtype=bool)

    stock = np.nan_to_num(col("available")) + np.nan_to_num(col("reserved_transfer"))
    on_hand, arrivals = np.zeros((days, n)), np.zeros((days, n))
    for t in range(days):
        arriving = pipeline[t + 1]  # day t + 1 after today
        stock = np.maximum(stock + arriving - demand[t], 0.0)
        on_order = on_order - arriving
        arrivals[t], on_hand[t] = arriving, stock
        # An order placed at the end of day t + 1 arrives at the end of day t + 1 + L. The order rule
        # runs for the SKUs whose order is due (a few in 10,000 a day), not for every SKU.
        position = stock + on_order
        due = np.flatnonzero(rm.order_trigger(position, rop, d_mean, review_period_days) & ~held)
        if not len(due):
            continue
        qty = rm.round_to_pack(rm.order_quantity_needed(position[due], rop[due], d_mean[due], review_period_days,
                                                        eoq[due]), moq[due], pack[due])
        placed, qty = due[qty > 0], qty[qty > 0]
        pipeline[t + 1 + lead_days[placed], placed] += qty
        on_order[placed] += qty
        orders[t, placed] += qty

    k = np.minimum(np.arange(1, days + 1)[:, None], lead[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        lead_share = np.where(lead[None, :] > 0, k / lead[None, :], 1.0)
    sd = np.sqrt(k * sigma_d[None, :] ** 2 + (d_mean[None, :] * sigma_lead[None, :] * lead_share) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # special.ndtr is the standard normal CDF that norm.cdf calls, without its argument checks
        # (a third of a what-if move on 10,000 SKUs x 180 days).
        p_out = np.where(sd > 0, special.ndtr(-on_hand / np.where(sd > 0, sd, 1.0)), 0.0)
    p_out = np.where(on_hand <= 0, 1.0, p_out)
    p_out = np.where(demand > 0, p_out, 0.0)
    on_hand, sd, arrivals, orders, p_out = (a.T for a in (on_hand, sd, arrivals, orders, p_out))
    return StockProjection(skus, day_index, on_hand, sd, arrivals, orders, rop, p_out)
