"""Customer returns: return rates per SKU, what came back in what state, why, and sudden spikes.

Source, best first: the FBA Customer Returns report (``customer_returns``, one row per returned unit,
amazon_reports.md §7); where it has no row on or before the as-of date, the Inventory Ledger's
``CustomerReturns`` events (``ledger_detail``, §5), which carry a disposition but no reason.
Units sold come from the same order lines as the SKU table (``core.skus.sales_lines_sql``: All Orders
lines not Cancelled, else Amazon Fulfilled Shipments); MCF (``Non-Amazon``) lines are left out,
their returns not being in the customer returns report.

Windows (A = the as-of date, every window ends on a day and includes it, ``(start, end]``):

* returns window: return day in (A − window_days, A];
* sales window: the same length shifted back by the lag, sale day in
  (A − lag_days − window_days, A − lag_days]. A unit comes back some days after it is sold, so
  the returns of the last ``lag_days`` of sales have mostly not arrived yet; comparing returns with
  the sales that could have produced them keeps a growing SKU's rate from being understated.
* recent: the same pairing over ``spike_recent_days``; baseline: the ``spike_baseline_days`` just
  before the recent window (returns in (A − R − B, A − R], sales shifted back by the lag).

Return rate = units returned in the returns window ÷ units sold in the sales window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import costs, db, skus
from core.params import require


@dataclass(frozen=True)
class ReturnParams:
    """Windows and spike thresholds of the returns analysis (docs/metrics.md, "Returns")."""

    window_days: int = 90  # returns window [W]; the sales window has the same length, shifted by the lag
    lag_days: int = 7  # typical days from a sale to its return [L]
    spike_recent_days: int = 30  # recent window of the spike test [R]
    spike_baseline_days: int = 180  # baseline window just before the recent one [B]
    spike_ratio: float = 1.5  # recent rate ≥ ratio × baseline rate is a spike
    spike_min_units: int = 3  # ... and at least this many units returned in the recent window
    spike_floor_rate: float = 0.10  # with no baseline returns, a spike needs a recent rate above this

    def __post_init__(self) -> None:
        require(self.window_days >= 1, "window_days must be at least 1")
        require(self.lag_days >= 0, "lag_days must be at least 0")
        require(self.spike_recent_days >= 1, "spike_recent_days must be at least 1")
        require(self.spike_baseline_days >= 1, "spike_baseline_days must be at least 1")
        require(self.spike_ratio >= 1, "spike_ratio must be at least 1")
        require(self.spike_min_units >= 0, "spike_min_units must be at least 0")
        require(0 <= self.spike_floor_rate <= 1, "spike_floor_rate must be in [0, 1]")


# --- registries ----------------------------------------------------------------------------------

GRADE_MEANINGS = {
    "A": "sellable: back in stock",
    "B": "damaged or defective, may be repaired, refurbished or sold as used: inspect",
    "C": "unsellable: dispose or remove",
}

# detailed-disposition (customer returns report) -> grade. Unknown codes grade B: neither counted as
# stock back on the shelf nor written off, a look decides.
DISPOSITION_GRADES = {
    "SELLABLE": "A",
    "CUSTOMER_DAMAGED": "B",  # opened or marked by the customer; often resellable as used
    "DEFECTIVE": "B",  # the product fails: repair, refurbish or return to the supplier
    "DISTRIBUTOR_DAMAGED": "B",  # damaged before Amazon received it; supplier claim
    "CARRIER_DAMAGED": "C",
    "DAMAGED": "C",
    "WAREHOUSE_DAMAGED": "C",  # Amazon's responsibility: see core.reimbursements
    "EXPIRED": "C",
}
UNKNOWN_DISPOSITION_GRADE = "B"

# Amazon return reason codes -> a cause a seller can act on upstream. Missing reason (the ledger
# fallback has none): "unknown"; any code not listed: "other".
REASON_GROUPS = {
    "size or description": ("NOT_AS_DESCRIBED", "APPAREL_TOO_SMALL", "APPAREL_TOO_LARGE", "APPAREL_STYLE",
                            "NOT_COMPATIBLE", "ORDERED_WRONG_ITEM"),
    "defective or quality": ("DEFECTIVE", "QUALITY_UNACCEPTABLE", "MISSING_PARTS"),
    "damaged in transit or at Amazon": ("DAMAGED_BY_CARRIER", "DAMAGED_BY_FC"),
    "customer changed mind": ("UNWANTED_ITEM", "NO_LONGER_NEEDED", "FOUND_BETTER_PRICE",
                              "MISSED_ESTIMATED_DELIVERY", "UNAUTHORIZED_PURCHASE"),
    "suspected fraud": ("SWITCHEROO",),
}
OTHER_GROUP, UNKNOWN_GROUP = "other", "unknown"
REASON_TO_GROUP = {code: group for group, codes in REASON_GROUPS.items() for code in codes}

# Customer-returns ``status`` values under which a SELLABLE unit is back in sellable stock
# (amazon_reports.md §7: "SELLABLE + Unit returned to inventory"). A missing status counts too.
RESTOCKED_STATUSES = ("unit returned to inventory", "repackaged successfully")

BY_SKU_COLUMNS = ["sku", "product_name", "units_sold", "units_returned", "return_rate", "returned_A",
                  "returned_B", "returned_C", "resellable_units", "recent_sold", "recent_returned", "recent_rate",
                  "baseline_sold", "baseline_returned", "baseline_rate", "spike", "top_reason_group"]


# --- pure functions ------------------------------------------------------------------------------

def return_rate(units_returned, units_sold):
    """Share of units sold that came back: ``units_returned / units_sold``; NaN when nothing sold.

    Parameters
    ----------
    units_returned : array-like of float
        Units returned in the returns window.
    units_sold : array-like of float
        Units sold in the matching sales window (shifted back by the lag).

    Returns
    -------
    numpy.ndarray of float
        Rate in [0, ∞) (above 1 only if more came back than the window sold); NaN where units_sold ≤ 0.

    Examples
    --------
    8 of 100 units came back:

    >>> float(return_rate(8, 100))
    0.08
    >>> bool(np.isnan(return_rate(2, 0)))
    True
    """
    returned = np.asarray(units_returned, dtype=float)
    sold = np.asarray(units_sold, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sold > 0, returned / np.where(sold > 0, sold, 1.0), np.nan)


def disposition_grade(detailed_disposition) -> pd.Series:
    """Grade of each returned unit from its detailed disposition, by ``DISPOSITION_GRADES``.

    A: sellable, back to stock; B: damaged or defective but repairable or sellable as used;
    C: unsellable, dispose. Codes are compared upper-cased and stripped; an unknown or missing code
    grades ``UNKNOWN_DISPOSITION_GRADE`` (B). Source: amazon_reports.md §7 (the disposition values).

    Parameters
    ----------
    detailed_disposition : array-like of str
        The customer returns report's ``detailed-disposition``.

    Returns
    -------
    pandas.Series of str
        "A", "B" or "C" per unit.

    Examples
    --------
    >>> disposition_grade(["SELLABLE", "customer_damaged", "CARRIER_DAMAGED", None]).tolist()
    ['A', 'B', 'C', 'B']
    """
    codes = pd.Series(detailed_disposition, dtype="object").astype("string").str.strip().str.upper()
    return codes.map(DISPOSITION_GRADES).fillna(UNKNOWN_DISPOSITION_GRADE).astype(object)


def ledger_return_grade(disposition) -> pd.Series:
    """Grade of a ledger ``CustomerReturns`` event: SELLABLE is A, anything else B.

    The ledger's dispositions of returns (SELLABLE, CUSTOMER_DAMAGED, DEFECTIVE) say less than the
    returns report's, so nothing is written off as C from the ledger alone.

    Examples
    --------
    >>> ledger_return_grade(["SELLABLE", "DEFECTIVE"]).tolist()
    ['A', 'B']
    """
    codes = pd.Series(disposition, dtype="object").astype("string").str.strip().str.upper()
    return pd.Series(np.where(codes.fillna("") == "SELLABLE", "A", "B"), index=codes.index, dtype=object)


def reason_group(reason) -> pd.Series:
    """Cause of each return, grouping Amazon's reason codes by ``REASON_GROUPS``.

    Groups are causes a seller fixes upstream: the listing (size or description), the product
    (defective or quality), packaging and handling (damaged in transit or at Amazon), none
    (customer changed mind), or a claim to Amazon (suspected fraud). An unlisted code is "other";
    a missing one (the ledger has no reason) "unknown".

    Parameters
    ----------
    reason : array-like of str
        The customer returns report's ``reason``.

    Returns
    -------
    pandas.Series of str

    Examples
    --------
    >>> reason_group(["APPAREL_TOO_SMALL", "DEFECTIVE", "SWITCHEROO", "CUSTOMER_WHIM", None]).tolist()
    ['size or description', 'defective or quality', 'suspected fraud', 'other', 'unknown']
    """
    codes = pd.Series(reason, dtype="object").astype("string").str.strip().str.upper()
    codes = codes.where(codes != "", pd.NA)
    groups = codes.map(REASON_TO_GROUP).astype(object)
    groups = groups.where(codes.isna() | groups.notna(), OTHER_GROUP)
    return groups.where(codes.notna(), UNKNOWN_GROUP).astype(object)


def return_spike(recent_rate, baseline_rate, recent_units, params: ReturnParams = ReturnParams()):
    """Whether a SKU's returns jumped: recent rate ≥ ratio × baseline rate, with enough units.

    ``spike = recent_units ≥ spike_min_units and (recent_rate ≥ spike_ratio × baseline_rate`` when
    the baseline rate is above 0, else ``recent_rate > spike_floor_rate)``. A baseline of 0 (sold, none
    returned) or NaN (nothing sold) would make any return a spike, hence the floor. A NaN recent rate
    (nothing sold in the recent sales window) is no spike. The equality edge counts (to 1e-9 relative).

    Parameters
    ----------
    recent_rate, baseline_rate : array-like of float
        Return rates over the recent and baseline windows.
    recent_units : array-like of float
        Units returned in the recent window.
    params : ReturnParams
        ``spike_ratio``, ``spike_min_units``, ``spike_floor_rate``.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    6 of 40 (15 %) against a 2 % baseline is a spike; 3 % against 2 % is the edge (1.5 × 2 %):

    >>> return_spike([0.15, 0.03, 0.025], [0.02, 0.02, 0.02], [6, 3, 1]).tolist()
    [True, True, False]
    >>> return_spike([0.15, 0.075], [0.0, float("nan")], [6, 3]).tolist()
    [True, False]
    """
    recent = np.asarray(recent_rate, dtype=float)
    base = np.asarray(baseline_rate, dtype=float)
    units = np.asarray(recent_units, dtype=float)
    threshold = params.spike_ratio * np.where(base > 0, base, 0.0)
    above_ratio = (recent >= threshold) | np.isclose(recent, threshold, rtol=1e-9, atol=0.0)
    above_floor = recent > params.spike_floor_rate
    jumped = np.where(base > 0, above_ratio, above_floor)
    return np.asarray(jumped & ~np.isnan(recent) & (units >= params.spike_min_units), dtype=bool)


def net_demand_per_day(demand_per_day, resellable_units_per_day):
    """Demand the restock plan has to buy for: ``max(0, demand − resellable returns per day)``.

    Resellable returns go back on the shelf and serve part of the demand. A missing resellable figure
    (a SKU without returns) counts as 0; a missing demand stays NaN.

    Parameters
    ----------
    demand_per_day : array-like of float
        Forecast or stockout-corrected demand, units per day.
    resellable_units_per_day : array-like of float
        Grade-A units back in stock per day (``resellable_returns_per_day``).

    Returns
    -------
    numpy.ndarray of float
        Units per day, ≥ 0.

    Examples
    --------
    >>> net_demand_per_day([3.0, 0.1], [0.5, 0.2]).tolist()
    [2.5, 0.0]
    """
    demand = np.asarray(demand_per_day, dtype=float)
    returns = np.nan_to_num(np.asarray(resellable_units_per_day, dtype=float), nan=0.0)
    return np.where(np.isnan(demand), np.nan, np.maximum(demand - returns, 0.0))


def is_restocked(status) -> pd.Series:
    """Whether a returned unit's ``status`` says it went back into stock (``RESTOCKED_STATUSES``).

    A missing status counts as restocked (the ledger fallback has none; its SELLABLE return is the
    stock movement itself).

    Examples
    --------
    >>> is_restocked(["Unit returned to inventory", "Reimbursed", None]).tolist()
    [True, False, True]
    """
    text = pd.Series(status, dtype="object").astype("string").str.strip().str.lower()
    return (text.isna() | (text == "") | text.isin(RESTOCKED_STATUSES)).fillna(True).astype(bool)


# --- database ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReturnWindows:
    """Window boundaries for an as-of date: each window is (start, end] in days."""

    as_of: dt.date
    returns_start: dt.date
    sales_start: dt.date
    sales_end: dt.date
    recent_start: dt.date
    recent_sales_start: dt.date
    baseline_start: dt.date
    baseline_sales_start: dt.date
    baseline_sales_end: dt.date

    @classmethod
    def of(cls, as_of: dt.date, params: ReturnParams = ReturnParams()) -> ReturnWindows:
        """Boundaries from ``as_of`` and the params.

        >>> w = ReturnWindows.of(dt.date(2026, 11, 15))
        >>> (w.returns_start, w.sales_start, w.sales_end)
        (datetime.date(2026, 8, 17), datetime.date(2026, 8, 10), datetime.date(2026, 11, 8))
        """
        days = dt.timedelta
        w, lag, r, b = params.window_days, params.lag_days, params.spike_recent_days, params.spike_baseline_days
        return cls(as_of=as_of, returns_start=as_of - days(w), sales_start=as_of - days(lag + w),
                   sales_end=as_of - days(lag), recent_start=as_of - days(r),
                   recent_sales_start=as_of - days(lag + r), baseline_start=as_of - days(r + b),
                   baseline_sales_start=as_of - days(lag + r + b), baseline_sales_end=as_of - days(lag + r))

    def binds(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def _latest_day(db_path: Path) -> dt.date | None:
    """Default as-of date: the newest stock snapshot, else the newest return, sale or ledger day."""
    dates = skus.snapshot_dates(db_path)
    if dates:
        return dates[0]
    with db.connect(db_path) as con:
        return con.execute("""
            SELECT max(d) FROM (SELECT max(return_date)::DATE AS d FROM customer_returns
                UNION ALL SELECT max(purchase_date)::DATE FROM orders
                UNION ALL SELECT max(shipment_date)::DATE FROM shipments
                UNION ALL SELECT max(date) FROM ledger_detail)""").fetchone()[0]


def returns_source(db_path: Path, as_of: dt.date) -> str | None:
    """Which report the returns come from: ``"customer_returns"`` when it has a row on or before the
    as-of date, else ``"ledger"`` when the ledger has a CustomerReturns event by then, else None."""
    with db.connect(db_path) as con:
        if con.execute("SELECT count(*) FROM customer_returns WHERE return_date::DATE <= $d",
                       {"d": as_of}).fetchone()[0]:
            return "customer_returns"
        if con.execute("SELECT count(*) FROM ledger_detail WHERE event_type = 'CustomerReturns' AND date <= $d",
                       {"d": as_of}).fetchone()[0]:
            return "ledger"
    return None


RETURN_LINES_SQL = {
    "customer_returns": """
        SELECT sku, return_date::DATE AS day, coalesce(quantity, 1) AS units, detailed_disposition AS disposition,
               reason, status, product_name FROM customer_returns WHERE sku IS NOT NULL""",
    "ledger": """
        SELECT sku, date AS day, quantity AS units, disposition, NULL::VARCHAR AS reason, NULL::VARCHAR AS status,
               product_name FROM ledger_detail WHERE event_type = 'CustomerReturns' AND sku IS NOT NULL""",
}


def _returns_grouped(db_path: Path, windows: ReturnWindows, source: str) -> pd.DataFrame:
    """Returned units per SKU × disposition × reason × status in the returns, recent and baseline
    windows, with grade, reason group and whether restocked."""
    frame = db.query_df(db_path, f"""
        WITH r AS ({RETURN_LINES_SQL[source]})
        SELECT sku, disposition, reason, status, any_value(product_name) AS product_name,
               sum(units) FILTER (WHERE day > $returns_start AND day <= $as_of) AS units_window,
               sum(units) FILTER (WHERE day > $recent_start AND day <= $as_of) AS units_recent,
               sum(units) FILTER (WHERE day > $baseline_start AND day <= $recent_start) AS units_baseline
        FROM r WHERE day > least($returns_start, $baseline_start) AND day <= $as_of
        GROUP BY ALL""", {k: v for k, v in windows.binds().items()
                          if k in ("returns_start", "recent_start", "baseline_start", "as_of")})
    for column in ("units_window", "units_recent", "units_baseline"):
        frame[column] = frame[column].astype(float).fillna(0.0)
    grade = disposition_grade if source == "customer_returns" else ledger_return_grade
    return frame.assign(grade=grade(frame["disposition"]).to_numpy(),
                        reason_group=reason_group(frame["reason"]).to_numpy(),
                        restocked=is_restocked(frame["status"]).to_numpy())


def _sales(db_path: Path, windows: ReturnWindows) -> pd.DataFrame | None:
    """Units sold per SKU in the sales, recent-sales and baseline-sales windows; None without order lines."""
    with db.connect(db_path) as con:
        sales = skus.report_sources(con, windows.as_of).sales
    if sales not in ("orders", "shipments"):
        return None
    binds = windows.binds()
    return db.query_df(db_path, f"""
        WITH lines AS ({skus.sales_lines_sql(sales)})
        SELECT sku,
               sum(units) FILTER (WHERE day > $sales_start AND day <= $sales_end) AS units_sold,
               sum(units) FILTER (WHERE day > $recent_sales_start AND day <= $sales_end) AS recent_sold,
               sum(units) FILTER (WHERE day > $baseline_sales_start AND day <= $baseline_sales_end) AS baseline_sold
        FROM lines WHERE NOT mcf GROUP BY sku""",
        {"start": min(binds["sales_start"], binds["baseline_sales_start"]), "as_of": binds["sales_end"],
         **{k: binds[k] for k in ("sales_start", "sales_end", "recent_sales_start", "baseline_sales_start",
                                  "baseline_sales_end")}})


def returns_by_sku(db_path: Path, as_of: dt.date | None = None,
                   params: ReturnParams = ReturnParams()) -> pd.DataFrame:
    """Per SKU: units sold and returned, return rate, grade split, resellable units, recent and
    baseline rates, spike flag and the leading reason group.

    ``return_rate = units returned in (A − W, A] ÷ units sold in (A − L − W, A − L]`` (module docstring);
    ``returned_A/B/C``: units by ``disposition_grade`` (ledger fallback: ``ledger_return_grade``);
    ``resellable_units``: grade-A units whose status says they went back to stock (``is_restocked``);
    ``recent_rate`` / ``baseline_rate`` over the recent and baseline windows; ``spike`` by
    ``return_spike``; ``top_reason_group``: the reason group with most units in the returns window
    (ties: first in ``REASON_GROUPS`` order, then "other", "unknown"); "" without returns.
    Units sold are NaN when no order lines are loaded (the rates then too). SKUs listed: those with a
    sale or a return in any window; most units returned first.

    Columns: ``BY_SKU_COLUMNS``.
    """
    as_of = as_of or _latest_day(db_path)
    if as_of is None:
        return pd.DataFrame(columns=BY_SKU_COLUMNS)
    windows = ReturnWindows.of(as_of, params)
    source = returns_source(db_path, as_of)
    grouped = (_returns_grouped(db_path, windows, source) if source else
               pd.DataFrame(columns=["sku", "product_name", "units_window", "units_recent", "units_baseline",
                                     "grade", "reason_group", "restocked"]))
    per_sku = grouped.groupby("sku").agg(units_returned=("units_window", "sum"),
                                         recent_returned=("units_recent", "sum"),
                                         baseline_returned=("units_baseline", "sum"),
                                         returns_name=("product_name", "first"))
    by_grade = grouped.pivot_table(index="sku", columns="grade", values="units_window", aggfunc="sum")
    by_grade = by_grade.reindex(columns=["A", "B", "C"]).add_prefix("returned_")
    resellable = grouped[(grouped["grade"] == "A") & grouped["restocked"]].groupby("sku")["units_window"].sum()
    order = {g: n for n, g in enumerate([*REASON_GROUPS, OTHER_GROUP, UNKNOWN_GROUP])}
    by_group = grouped[grouped["units_window"] > 0].groupby(["sku", "reason_group"], as_index=False)["units_window"].sum()
    by_group = by_group.assign(rank=by_group["reason_group"].map(order)).sort_values(
        ["sku", "units_window", "rank"], ascending=[True, False, True])
    top = by_group.drop_duplicates("sku").set_index("sku")["reason_group"]

    sales = _sales(db_path, windows)
    frame = per_sku.join(by_grade, how="left").join(resellable.rename("resellable_units"), how="left")
    frame = frame.join(top.rename("top_reason_group"), how="left").reset_index()
    if sales is None:
        frame = frame.assign(units_sold=np.nan, recent_sold=np.nan, baseline_sold=np.nan)
    else:
        frame = frame.merge(sales, on="sku", how="outer")
        for column in ("units_sold", "recent_sold", "baseline_sold"):
            frame[column] = frame[column].astype(float).fillna(0.0)
    for column in ("units_returned", "recent_returned", "baseline_returned", "returned_A", "returned_B",
                   "returned_C", "resellable_units"):
        frame[column] = frame[column].astype(float).fillna(0.0)
    names = db.query_df(db_path, costs.known_skus_sql())
    frame = frame.merge(names, on="sku", how="left")
    frame["product_name"] = frame["product_name"].astype(object).where(
        frame["product_name"].notna(), frame["returns_name"].astype(object))
    frame["return_rate"] = return_rate(frame["units_returned"], frame["units_sold"])
    frame["recent_rate"] = return_rate(frame["recent_returned"], frame["recent_sold"])
    frame["baseline_rate"] = return_rate(frame["baseline_returned"], frame["baseline_sold"])
    frame["spike"] = return_spike(frame["recent_rate"], frame["baseline_rate"], frame["recent_returned"], params)
    frame["top_reason_group"] = frame["top_reason_group"].astype(object).fillna("")
    frame = frame.sort_values(["units_returned", "sku"], ascending=[False, True])
    return frame[BY_SKU_COLUMNS].reset_index(drop=True)


def _share(frame: pd.DataFrame) -> pd.DataFrame:
    total = float(frame["units"].sum())
    return frame.assign(share=frame["units"] / total if total > 0 else np.nan)


def _units_by(db_path: Path, as_of: dt.date | None, params: ReturnParams, key: str, label: str) -> pd.DataFrame:
    """Units returned in the returns window per ``key`` (with its ``label`` column), and their share."""
    columns = [key, label, "units", "share"]
    as_of = as_of or _latest_day(db_path)
    source = returns_source(db_path, as_of) if as_of else None
    if source is None:
        return pd.DataFrame(columns=columns)
    grouped = _returns_grouped(db_path, ReturnWindows.of(as_of, params), source)
    grouped = grouped[grouped["units_window"] > 0].assign(**{key: grouped[key].astype(object)})
    out = (grouped.groupby([key, label], as_index=False, dropna=False)["units_window"].sum()
           .rename(columns={"units_window": "units"}))
    out = _share(out).sort_values(["units", key], ascending=[False, True], na_position="last")
    return out[columns].reset_index(drop=True)


def returns_by_reason(db_path: Path, as_of: dt.date | None = None,
                      params: ReturnParams = ReturnParams()) -> pd.DataFrame:
    """Units returned in the returns window per reason code: reason, reason_group, units, share.

    ``share = units of the reason ÷ all units returned in the window``; most units first. The ledger
    fallback has no reasons: one row, reason None, group "unknown".
    """
    return _units_by(db_path, as_of, params, "reason", "reason_group")


def returns_by_disposition(db_path: Path, as_of: dt.date | None = None,
                           params: ReturnParams = ReturnParams()) -> pd.DataFrame:
    """Units returned in the returns window per disposition: disposition, grade, units, share.

    ``share = units of the disposition ÷ all units returned in the window``; most units first.
    """
    return _units_by(db_path, as_of, params, "disposition", "grade")


def resellable_returns_per_day(db_path: Path, as_of: dt.date | None = None,
                               params: ReturnParams = ReturnParams(),
                               by_sku: pd.DataFrame | None = None) -> pd.DataFrame:
    """Grade-A units back in stock per day, per SKU: ``resellable_units ÷ window_days``.

    What the restock plan subtracts from demand (``net_demand_per_day``). Columns: sku,
    resellable_per_day (units per day); SKUs without resellable returns are left out (0).
    ``by_sku``: ``returns_by_sku`` at that date with these ``params``, when the caller has it.
    """
    frame = by_sku if by_sku is not None else returns_by_sku(db_path, as_of, params)
    frame = frame[frame["resellable_units"] > 0]
    return pd.DataFrame({"sku": frame["sku"].to_numpy(),
                         "resellable_per_day": (frame["resellable_units"] / params.window_days).to_numpy(float)})
