"""Month-by-month projection of stock by age and of its storage fees and aged-inventory surcharge.

Pure functions over DataFrames (no database). The model, per SKU:

- Stock is a set of cohorts by birth day (``birth = −age`` on the start day for units on hand, the
  arrival day for planned arrivals, which come in aged 0). Ages over ``CAP_AGE_DAYS`` (730) share one
  open cohort: every age past 456 days is in the last AIS band anyway.
- Every day the forecast demand consumes the OLDEST units first (FIFO, as Amazon ages inventory);
  demand beyond the stock is lost, not back-ordered. Units age one day per day.
- Because FIFO never skips a cohort, the units aged at least ``a`` on day ``t`` are
  ``max(0, S(t − a) − F)``, ``S(b)`` the units born on or before day ``b`` and ``F`` the units sold
  so far. So only the cumulative supply (one cumsum) and the cumulative sales (a loop over days,
  vectorised over SKUs) are kept: 10,000 SKUs × 365 days take well under a second.

Per calendar month (the first month is the partial month from ``start``; its fees cover the
projected days only, ``× days counted / days in month``): average end-of-day units and cubic feet,
``storage fee = average cu ft × that month's rate`` (peak Oct-Dec), the aged-inventory surcharge on
the snapshot of the 15th (units on hand at the start of the 15th, ages as of the 15th) band by band
with the per-unit floor, and a low-inventory-level risk flag. See docs/metrics.md, "Storage fees and
surcharges".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.fees.table import AIS_BANDS, FeeTable, aged_surcharge, storage_rate_per_cuft, \
    utilisation_surcharge_per_cuft

CAP_AGE_DAYS = 730  # older units share one open cohort
LOW_INVENTORY_DAYS = 28.0  # the low-inventory-level threshold (days of supply)
PROJECTION_COLUMNS = ["sku", "month", "days_in_month_counted", "days_in_month", "size_tier", "units_avg",
                      "cubic_feet_avg", "cubic_feet_over_30d_avg", "units_sold", "cubic_feet_shipped",
                      "storage_fee", "ais_assessed", "aged_surcharge", *[b.column for b in AIS_BANDS],
                      "units_end", "days_of_supply", "low_inventory_risk"]
CROSSING_COLUMNS = ["sku", "band", "units", "assessment_date", "deadline", "amount_avoided"]


@dataclass(frozen=True, eq=False)
class StockPath:
    """The projected stock of every SKU, day by day, as cumulative supply and cumulative sales.

    ``supply_cum[:, CAP_AGE_DAYS + b]`` is the units born on or before day ``b`` (day 0 = ``start``,
    negative = before it); ``sold_cum[:, t]`` the units sold before day ``t`` (``t`` = 0 … days).
    """

    skus: np.ndarray
    start: dt.date
    days: int
    supply_cum: np.ndarray  # SKUs × (CAP_AGE_DAYS + days)
    sold_cum: np.ndarray  # SKUs × (days + 1)
    demand: np.ndarray  # SKUs × days, forecast units per day
    on_hand_end: np.ndarray  # SKUs × days, units at the end of each day

    def aged_at_least(self, age_days: int, day, start_of_day: bool = True) -> np.ndarray:
        """Units aged ``age_days`` or more on day index ``day`` (scalar or array, SKUs × days out).

        ``max(0, supply born on or before day − age − units sold)``; at the start of the day, sales of
        that day are not yet out.
        """
        t = np.asarray(day)
        col = np.clip(t - age_days + CAP_AGE_DAYS, -1, None)
        supply = np.where(col >= 0, self.supply_cum[:, np.maximum(col, 0)], 0.0)
        sold = self.sold_cum[:, t if start_of_day else t + 1]
        return np.maximum(supply - sold, 0.0)

    def in_ages(self, low: int, high: int | None, day, start_of_day: bool = True) -> np.ndarray:
        """Units aged ``low``..``high`` days inclusive (``high`` None: no upper bound) on a day index."""
        units = self.aged_at_least(low, day, start_of_day)
        if high is not None:
            units = np.maximum(units - self.aged_at_least(high + 1, day, start_of_day), 0.0)
        return units


def _day_index(days, start: dt.date) -> np.ndarray:
    values = pd.to_datetime(pd.Series(days)).to_numpy().astype("datetime64[D]")
    return (values - np.datetime64(start, "D")).astype(np.int64)


def _matrix(frame: pd.DataFrame, value: str, index: pd.Index, start: dt.date, days: int) -> np.ndarray:
    """A long (sku, day, value) frame as a SKUs × days matrix; other SKUs and days are dropped."""
    out = np.zeros((len(index), days))
    if frame is None or frame.empty:
        return out
    rows, cols = index.get_indexer(frame["sku"]), _day_index(frame["day"], start)
    keep = (rows >= 0) & (cols >= 0) & (cols < days)
    np.add.at(out, (rows[keep], cols[keep]), frame[value].to_numpy(dtype=float)[keep])
    return out


def _check_frame(frame: pd.DataFrame | None, name: str, columns: list[str]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("sku", "day") else float) for c in columns})
    missing = [c for c in columns if c not in frame]
    if missing:
        raise ValueError(f"{name} must have columns {columns}; missing {missing}")
    value = columns[-1]
    if (frame[value].astype(float) < 0).any():
        raise ValueError(f"{name}.{value} must be >= 0")
    return frame


def projection_days(start: dt.date, months: int) -> int:
    """Days from ``start`` to the end of the ``months``-th calendar month (the first is partial).

    Examples
    --------
    >>> projection_days(dt.date(2026, 11, 16), 2)  # 15 days of November + 31 of December
    46
    """
    if months < 1:
        raise ValueError("months must be >= 1")
    year, month = divmod(start.month - 1 + months, 12)
    return (dt.date(start.year + year, month + 1, 1) - start).days


def stock_path(lots: pd.DataFrame, daily_demand: pd.DataFrame | None, arrivals: pd.DataFrame | None,
               start: dt.date, days: int) -> StockPath:
    """Roll the stock forward ``days`` days from ``start``, FIFO, vectorised over SKUs.

    Parameters
    ----------
    lots : DataFrame
        sku, age_days (age on the start day), units: on hand at the start of ``start``.
    daily_demand : DataFrame or None
        sku, day, mean: forecast units per day; missing SKUs and days have no demand.
    arrivals : DataFrame or None
        sku, day, units: planned arrivals, aged 0 on their day; days outside the window are ignored.
    start : datetime.date
        Day index 0.
    days : int
        Days to project.

    Returns
    -------
    StockPath
        Each day: ``sold = min(demand, on hand at the start of the day incl. that day's arrivals)``.

    Examples
    --------
    >>> lots = pd.DataFrame({"sku": ["A", "A"], "age_days": [200, 10], "units": [50.0, 50.0]})
    >>> days = pd.date_range("2026-01-01", periods=30)
    >>> demand = pd.DataFrame({"sku": ["A"] * 30, "day": days, "mean": 1.0})
    >>> path = stock_path(lots, demand, None, dt.date(2026, 1, 1), 30)
    >>> float(path.on_hand_end[0, -1]), float(path.in_ages(200, None, 30 - 1, start_of_day=False)[0])
    (70.0, 20.0)
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    lots = _check_frame(lots, "lots", ["sku", "age_days", "units"])
    if (lots["age_days"].astype(float) < 0).any():
        raise ValueError("lots.age_days must be >= 0")
    daily_demand = _check_frame(daily_demand, "daily_demand", ["sku", "day", "mean"])
    arrivals = _check_frame(arrivals, "arrivals", ["sku", "day", "units"])
    in_window = (arrivals["units"] > 0) & np.isin(_day_index(arrivals["day"], start), np.arange(days)) \
        if len(arrivals) else pd.Series(dtype=bool)
    skus = pd.Index(sorted(set(lots.loc[lots["units"] > 0, "sku"]) | set(arrivals.loc[in_window, "sku"])))
    cohorts = np.zeros((len(skus), CAP_AGE_DAYS + days))
    stocked = lots[lots["units"] > 0]
    ages = np.minimum(stocked["age_days"].to_numpy(dtype=np.int64), CAP_AGE_DAYS)
    rows = skus.get_indexer(stocked["sku"])
    np.add.at(cohorts, (rows, CAP_AGE_DAYS - ages), stocked["units"].to_numpy(float))
    cohorts[:, CAP_AGE_DAYS:] += _matrix(arrivals, "units", skus, start, days)
    supply_cum = np.cumsum(cohorts, axis=1)
    demand = _matrix(daily_demand, "mean", skus, start, days)
    sold_cum = np.zeros((len(skus), days + 1))
    on_hand_end = np.zeros((len(skus), days))
    for t in range(days):
        available = supply_cum[:, CAP_AGE_DAYS + t] - sold_cum[:, t]
        sold = np.minimum(demand[:, t], available)
        sold_cum[:, t + 1] = sold_cum[:, t] + sold
        on_hand_end[:, t] = available - sold
    return StockPath(skus.to_numpy(dtype=object), start, days, supply_cum, sold_cum, demand, on_hand_end)


def stock_by_day(lots: pd.DataFrame, daily_demand: pd.DataFrame | None, arrivals: pd.DataFrame | None,
                 start: dt.date, months: int = 12) -> pd.DataFrame:
    """The projected stock per SKU and day: sku, day, demand, units_sold, units_end (end of day).

    FIFO roll-forward of ``stock_path`` over ``months`` calendar months from ``start`` (the first
    partial). ``units_sold = min(demand, units on hand)``; lost demand is not carried over.

    Examples
    --------
    >>> lots = pd.DataFrame({"sku": ["A"], "age_days": [0], "units": [3.0]})
    >>> demand = pd.DataFrame({"sku": ["A"] * 5, "day": pd.date_range("2026-12-27", periods=5), "mean": 1.0})
    >>> stock_by_day(lots, demand, None, dt.date(2026, 12, 27), 1)["units_end"].tolist()
    [2.0, 1.0, 0.0, 0.0, 0.0]
    """
    path = stock_path(lots, daily_demand, arrivals, start, projection_days(start, months))
    sold = np.diff(path.sold_cum, axis=1)
    return pd.DataFrame({
        "sku": np.repeat(path.skus, path.days),
        "day": np.tile(pd.date_range(start, periods=path.days).date, len(path.skus)),
        "demand": path.demand.ravel(), "units_sold": sold.ravel(), "units_end": path.on_hand_end.ravel()})


def lots_on(path: StockPath, day: dt.date) -> pd.DataFrame:
    """The FIFO lots left at the end of ``day``: sku, age_days, units (ages past 730 shown as 730 + days).

    A cohort keeps ``clip(supply through it − units sold, 0, its units)``.
    """
    t = (day - path.start).days
    if not 0 <= t < path.days:
        raise ValueError(f"day must be within the projection ({path.start} + {path.days} days)")
    supply = path.supply_cum[:, :CAP_AGE_DAYS + t + 1]
    cohort = np.diff(supply, axis=1, prepend=0.0)
    left = np.clip(supply - path.sold_cum[:, [t + 1]], 0.0, cohort)
    rows, cols = np.nonzero(left > 0)
    return pd.DataFrame({"sku": path.skus[rows], "age_days": CAP_AGE_DAYS + t - cols,
                         "units": left[rows, cols]})


def _months(start: dt.date, days: int) -> list[tuple[dt.date, int, int, int]]:
    """(first day of month, first day index, days counted, days in month) for each month touched."""
    out, t = [], 0
    while t < days:
        day = start + dt.timedelta(days=t)
        length = calendar.monthrange(day.year, day.month)[1]
        counted = min(length - day.day + 1, days - t)
        out.append((day.replace(day=1), t, counted, length))
        t += counted
    return out


def _align(items: pd.DataFrame, skus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cubic feet per unit (NaN when unknown) and size tier (standard when unknown) per SKU of the path."""
    items = _check_frame(items, "items", ["sku", "size_tier", "cubic_feet_per_unit"])
    first = items.drop_duplicates("sku").set_index("sku")
    cuft = first["cubic_feet_per_unit"].astype(float).reindex(skus).to_numpy()
    tier = first["size_tier"].astype(object).reindex(skus).fillna("standard").to_numpy(dtype=object)
    return cuft, tier


def _month_frame(path: StockPath, cuft: np.ndarray, tier: np.ndarray, table: FeeTable, first: dt.date,
                 t0: int, counted: int, length: int) -> pd.DataFrame:
    """The projection's rows of one calendar month (all SKUs at once)."""
    span = np.arange(t0, t0 + counted)
    units_avg = path.on_hand_end[:, span].mean(axis=1)
    eligible_age = table.utilisation_exempt_max_age_days + 1
    over_30 = path.aged_at_least(eligible_age, span, start_of_day=False).mean(axis=1)
    share = counted / length
    sold = path.sold_cum[:, t0 + counted] - path.sold_cum[:, t0]
    frame = {"sku": path.skus, "month": first, "days_in_month_counted": counted, "days_in_month": length,
             "size_tier": tier, "units_avg": units_avg, "cubic_feet_avg": units_avg * cuft,
             "cubic_feet_over_30d_avg": over_30 * cuft, "units_sold": sold, "cubic_feet_shipped": sold * cuft,
             "storage_fee": units_avg * cuft * storage_rate_per_cuft(table, tier, first.month) * share}
    t15 = (first.replace(day=table.ais_assessment_day) - path.start).days
    assessed = t0 <= t15 < t0 + counted
    frame["ais_assessed"] = assessed
    surcharge = np.zeros(len(path.skus))
    for band in AIS_BANDS:
        units = path.in_ages(band.low, band.high, t15) if assessed else np.zeros(len(path.skus))
        frame[band.column] = units
        surcharge = surcharge + aged_surcharge(units, units * np.nan_to_num(cuft), band.label, table)
    frame["aged_surcharge"] = np.where(np.isnan(cuft) & (surcharge > 0), np.nan, surcharge)
    frame["units_end"] = path.on_hand_end[:, t0 + counted - 1]
    demand = path.demand[:, span].mean(axis=1)
    frame["days_of_supply"] = np.where(demand > 0, units_avg / np.where(demand > 0, demand, 1.0), np.inf)
    frame["low_inventory_risk"] = (units_avg > 0) & (frame["days_of_supply"] < LOW_INVENTORY_DAYS)
    return pd.DataFrame(frame)


def project_fees(lots: pd.DataFrame, daily_demand: pd.DataFrame | None, arrivals: pd.DataFrame | None,
                 items: pd.DataFrame, table: FeeTable, start: dt.date, months: int = 12) -> pd.DataFrame:
    """Storage fee, aged-inventory surcharge and low-inventory risk per SKU and calendar month.

    Parameters
    ----------
    lots, daily_demand, arrivals, start
        As in ``stock_path``.
    items : DataFrame
        sku, cubic_feet_per_unit (cu ft), size_tier ("standard" / "oversize"). Unknown volume gives
        NaN fees, never 0.
    table : FeeTable
    months : int
        Calendar months from ``start``'s (partial) month.

    Returns
    -------
    DataFrame
        One row per SKU and month, PROJECTION_COLUMNS:

        - ``units_avg``: mean end-of-day units over the days counted; ``cubic_feet_avg = units_avg ×
          cubic_feet_per_unit``.
        - ``storage_fee = cubic_feet_avg × storage_rate_per_cuft(size_tier, month) × days counted /
          days in month`` (a full month outside the first).
        - ``aged_surcharge = Σ_band aged_surcharge(units in band, their cu ft)`` on the 15th
          (units at the start of the 15th, ages as of the 15th); ``ais_*`` the units per band;
          0 with ``ais_assessed`` False when the 15th is before ``start``.
        - ``days_of_supply = units_avg / mean forecast demand per day`` (inf without demand);
          ``low_inventory_risk = units_avg > 0 and days_of_supply < 28``: a projection proxy for
          Amazon's rule (30- and 90-day historical days of supply both under 28).
        - ``cubic_feet_over_30d_avg``: the volume of units older than 30 days, which the utilisation
          surcharge counts (``utilisation_surcharge``).

    Examples
    --------
    >>> t = __import__("core.fees.table", fromlist=["fee_table"]).fee_table("US", dt.date(2026, 1, 1))
    >>> lots = pd.DataFrame({"sku": ["A"], "age_days": [0], "units": [100.0]})
    >>> items = pd.DataFrame({"sku": ["A"], "cubic_feet_per_unit": [0.5], "size_tier": ["standard"]})
    >>> p = project_fees(lots, None, None, items, t, dt.date(2026, 9, 1), months=2)
    >>> p["storage_fee"].round(2).tolist()  # 50 cu ft × 0.78, then × 2.40
    [39.0, 120.0]
    """
    path = stock_path(lots, daily_demand, arrivals, start, projection_days(start, months))
    if len(path.skus) == 0:
        return pd.DataFrame(columns=PROJECTION_COLUMNS)
    cuft, tier = _align(items, path.skus)
    frames = [_month_frame(path, cuft, tier, table, *m) for m in _months(start, path.days)]
    out = pd.concat(frames, ignore_index=True).sort_values(["sku", "month"], kind="stable", ignore_index=True)
    return out[PROJECTION_COLUMNS]


def utilisation_ratio_weeks(avg_daily_cuft_on_hand, avg_daily_cuft_shipped):
    """Storage utilisation ratio in weeks: average daily volume on hand ÷ average daily volume shipped ÷ 7.

    Amazon computes it per storage type over the trailing 13 weeks (amazon_reports.md 10.2, formula
    ``(T13W daily inventory volume / T13W daily shipped volume) / 7``). Nothing shipped: inf with
    stock, 0 without.

    Examples
    --------
    >>> float(utilisation_ratio_weeks(140.0, 1.0))  # 140 cu ft / 1 cu ft a day / 7
    20.0
    """
    on_hand = np.asarray(avg_daily_cuft_on_hand, dtype=float)
    shipped = np.asarray(avg_daily_cuft_shipped, dtype=float)
    if (on_hand < 0).any() or (shipped < 0).any():
        raise ValueError("avg_daily_cuft_on_hand and avg_daily_cuft_shipped must be >= 0")
    safe = np.where(shipped > 0, shipped, 1.0)
    return np.where(shipped > 0, on_hand / safe / 7.0, np.where(on_hand > 0, np.inf, 0.0))


def account_utilisation_ratio(projection: pd.DataFrame) -> pd.Series:
    """The account's utilisation ratio per projected month (index: month), from the projection.

    ``utilisation_ratio_weeks(Σ cubic_feet_avg, Σ cubic_feet_shipped / days counted)`` over all
    SKUs of the month: a one-month proxy for Amazon's trailing 13 weeks.
    """
    grouped = projection.groupby("month")
    on_hand = grouped["cubic_feet_avg"].sum()
    shipped = grouped["cubic_feet_shipped"].sum() / grouped["days_in_month_counted"].first()
    return pd.Series(utilisation_ratio_weeks(on_hand, shipped), index=on_hand.index, name="ratio_weeks")


def utilisation_surcharge(projection: pd.DataFrame, ratio_weeks, table: FeeTable) -> pd.Series:
    """The account-level utilisation surcharge shared out to SKUs pro rata by their eligible cubic feet.

    ``surcharge = cubic_feet_over_30d_avg × utilisation_surcharge_per_cuft(size_tier, ratio, month) ×
    days counted / days in month``. Units aged 0-30 days are exempt, so only the volume of older units
    counts; the account's total surcharge shared by cubic feet is each SKU's own eligible cubic feet
    times the rate. ``ratio_weeks`` is a number or a Series by month (``account_utilisation_ratio``).
    The tier rates are not confirmed.
    """
    if isinstance(ratio_weeks, pd.Series):
        ratio = projection["month"].map(ratio_weeks).astype(float).to_numpy()
    else:
        ratio = np.full(len(projection), float(ratio_weeks))
    month = pd.to_datetime(projection["month"]).dt.month.to_numpy()
    rate = utilisation_surcharge_per_cuft(table, projection["size_tier"].to_numpy(dtype=object),
                                          np.where(np.isinf(ratio), 1e9, ratio), month)
    share = projection["days_in_month_counted"] / projection["days_in_month"]
    return pd.Series(projection["cubic_feet_over_30d_avg"].to_numpy() * rate * share.to_numpy(),
                     index=projection.index, name="utilisation_surcharge")


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _next_assessments(start: dt.date, day: int, count: int) -> list[dt.date]:
    out = [start.replace(day=day) if start.day <= day else _next_month(start).replace(day=day)]
    while len(out) < count:
        out.append(_next_month(out[-1]).replace(day=day))
    return out


def band_crossings(lots: pd.DataFrame, daily_demand: pd.DataFrame | None, items: pd.DataFrame,
                   table: FeeTable, start: dt.date, arrivals: pd.DataFrame | None = None,
                   assessments: int = 2) -> pd.DataFrame:
    """Units about to cross into a more expensive AIS band at the next ``assessments`` 15ths.

    "Sell or remove ``units`` by ``deadline`` to avoid ``amount_avoided``": for each SKU, 15th and
    band, ``units`` are those in the band on that 15th (after forecast sales, FIFO) that were younger
    than the band at the previous assessment (or on ``start`` for the first); ``deadline`` is the day
    before the 15th; ``amount_avoided = aged_surcharge(band units) − aged_surcharge(band units −
    units)``, what they add to that month's surcharge in that band. Returns CROSSING_COLUMNS, the
    soonest deadline and largest amount first.

    Examples
    --------
    >>> t = __import__("core.fees.table", fromlist=["fee_table"]).fee_table("US", dt.date(2026, 1, 1))
    >>> lots = pd.DataFrame({"sku": ["A"], "age_days": [170], "units": [100.0]})
    >>> items = pd.DataFrame({"sku": ["A"], "cubic_feet_per_unit": [0.5], "size_tier": ["standard"]})
    >>> row = band_crossings(lots, None, items, t, dt.date(2026, 3, 1), assessments=1).iloc[0]
    >>> row["band"], float(row["units"]), row["deadline"].isoformat(), float(row["amount_avoided"])
    ('181-210', 100.0, '2026-03-14', 25.0)
    """
    if assessments < 1:
        raise ValueError("assessments must be >= 1")
    dates = _next_assessments(start, table.ais_assessment_day, assessments)
    path = stock_path(lots, daily_demand, arrivals, start, (dates[-1] - start).days + 1)
    cuft, _ = _align(items, path.skus)
    rows, previous = [], 0
    for date in dates:
        t = (date - start).days
        for band in AIS_BANDS:
            in_band = path.in_ages(band.low, band.high, t)
            newest = band.low + (t - previous) - 1  # older than this was already in the band before
            crossing = path.in_ages(band.low, newest if band.high is None else min(band.high, newest), t)
            rest = np.maximum(in_band - crossing, 0.0)
            avoided = (aged_surcharge(in_band, in_band * np.nan_to_num(cuft), band.label, table)
                       - aged_surcharge(rest, rest * np.nan_to_num(cuft), band.label, table))
            keep = crossing > 1e-9
            rows.append(pd.DataFrame({"sku": path.skus[keep], "band": band.label, "units": crossing[keep],
                                      "assessment_date": date, "deadline": date - dt.timedelta(days=1),
                                      "amount_avoided": np.where(np.isnan(cuft), np.nan, avoided)[keep]}))
        previous = t
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=CROSSING_COLUMNS)
    out = out.sort_values(["deadline", "amount_avoided"], ascending=[True, False], ignore_index=True)
    return out[CROSSING_COLUMNS]
