"""Lost and damaged units Amazon owes the seller for: a reimbursement-claim finder over the ledger.

Source: the Inventory Ledger detail view (``ledger_detail``, amazon_reports.md §5), its Adjustments
events and their reason codes. The codes, from Amazon's "Inventory Adjustments" help page (Seller
Central help 200453260; the ledger reuses them), as this module reads them:

* ``M`` inventory misplaced (−): **lost**, claimable.
* ``E`` damaged at an Amazon fulfilment centre, out of SELLABLE (−, then a + into warehouse-damaged):
  **damaged in warehouse**, claimable; only its negative leg counts.
* ``F`` inventory found (+): offsets lost units (below).
* Not claimed here: ``D`` disposed/destroyed; ``6``, ``7``, ``H``, ``K``, ``U`` (damaged at Amazon, but
  out of an already unsellable disposition: carrier-damaged, expired, customer-damaged, defective,
  distributor-damaged), ``P``/``Q`` (disposition changes), ``N``/``O`` (ownership transfers),
  ``5`` (unrecoverable), ``1``-``4``/``J`` (software and catalogue corrections). Editable in
  ``CLAIM_REASONS``.

Units still owed per event: the ledger's own ``unreconciled_quantity`` where the row has one (Amazon
has already netted finds and reimbursements into it); else, per FNSKU, lost units − found units
(F events within the lookback, at any date up to the as-of day, which is conservative: a find never
raises a claim) floored at 0, and damaged units in full.

Assumptions (``ReimbursementParams``, editable): Amazon asks sellers to let its own reconciliation run
before opening a case (``waiting_days`` = 45), and accepts claims for about 18 months
(``lookback_days`` = 540). An event is claimable when ``waiting_days ≤ as_of − date ≤ lookback_days``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db, skus


@dataclass(frozen=True)
class ReimbursementParams:
    """Which ledger events are claimable by age (docs/metrics.md, "Reimbursements")."""

    waiting_days: int = 45  # Amazon's own reconciliation window: claim only events at least this old
    lookback_days: int = 540  # ~18 months: older events can no longer be claimed

    def __post_init__(self) -> None:
        if self.waiting_days < 0:
            raise ValueError("waiting_days must be at least 0")
        if self.lookback_days <= self.waiting_days:
            raise ValueError("lookback_days must exceed waiting_days")


CLAIM_REASONS = {"M": "lost", "E": "damaged in warehouse"}  # ledger reason code -> claim reason
LOST_CODE, FOUND_CODE = "M", "F"

CLAIM_COLUMNS = ["sku", "fnsku", "asin", "product_name", "event_date", "reason", "units_claimable", "unit_cost",
                 "value", "reference_ids", "fulfillment_centers"]
CASE_COLUMNS = ["FNSKU", "ASIN", "SKU", "Quantity", "Date", "Reference IDs", "Fulfillment center", "Reason"]


def claimable_units(lost_units, found_units, unreconciled_units):
    """Units still owed: the ledger's unreconciled units, plus lost − found where it gives none.

    ``claimable = unreconciled_units + max(0, lost_units − found_units)``, where ``lost_units`` are the
    units of events without an ``unreconciled_quantity`` and ``found_units`` the found (F) units that
    offset them; NaN inputs count as 0.

    Parameters
    ----------
    lost_units : array-like of float
        Units lost (or damaged) in events without an unreconciled quantity.
    found_units : array-like of float
        Units found that offset them (0 for damage).
    unreconciled_units : array-like of float
        Sum of the ledger's ``unreconciled_quantity`` over events that have one.

    Returns
    -------
    numpy.ndarray of float
        Units, ≥ 0.

    Examples
    --------
    10 lost, 3 found later, no unreconciled figure: 7 owed. The ledger says 4: 4 owed.

    >>> claimable_units([10, 0], [3, 3], [0, 4]).tolist()
    [7.0, 4.0]
    """
    lost = np.nan_to_num(np.asarray(lost_units, dtype=float))
    found = np.nan_to_num(np.asarray(found_units, dtype=float))
    unreconciled = np.nan_to_num(np.asarray(unreconciled_units, dtype=float))
    return np.maximum(unreconciled, 0.0) + np.maximum(lost - found, 0.0)


def claim_value(units, unit_cost):
    """Value of a claim at cost: ``units × unit_cost``; NaN (unknown, never 0) without a cost.

    >>> claim_value([7, 2], [4.5, float("nan")]).tolist()
    [31.5, nan]
    """
    return np.asarray(units, dtype=float) * np.asarray(unit_cost, dtype=float)


def _latest_day(db_path: Path) -> dt.date | None:
    dates = skus.snapshot_dates(db_path)
    if dates:
        return dates[0]
    with db.connect(db_path) as con:
        return con.execute("SELECT max(date) FROM ledger_detail").fetchone()[0]


CLAIMS_SQL = """
    WITH events AS (
        SELECT fnsku, sku, asin, product_name, date, reference_id, fulfillment_center, reason,
               -quantity AS units, unreconciled_quantity
        FROM ledger_detail
        WHERE event_type = 'Adjustments' AND list_contains($claim_codes, reason) AND quantity < 0
          AND date <= $claim_until AND date >= $claim_from),
    found AS (
        SELECT fnsku, sum(quantity) AS found_units FROM ledger_detail
        WHERE event_type = 'Adjustments' AND reason = $found_code AND quantity > 0
          AND date <= $as_of AND date >= $claim_from
        GROUP BY fnsku),
    per_group AS (
        SELECT fnsku, sku, reason, any_value(asin) AS asin, any_value(product_name) AS product_name,
               coalesce(sum(units) FILTER (WHERE unreconciled_quantity IS NULL), 0) AS lost_units,
               coalesce(sum(greatest(unreconciled_quantity, 0)), 0) AS unreconciled_units,
               min(date) FILTER (WHERE unreconciled_quantity IS NULL OR unreconciled_quantity > 0) AS event_date,
               string_agg(DISTINCT reference_id, ', ' ORDER BY reference_id)
                   FILTER (WHERE unreconciled_quantity IS NULL OR unreconciled_quantity > 0) AS reference_ids,
               string_agg(DISTINCT fulfillment_center, ', ' ORDER BY fulfillment_center)
                   FILTER (WHERE unreconciled_quantity IS NULL OR unreconciled_quantity > 0) AS fulfillment_centers
        FROM events GROUP BY fnsku, sku, reason)
    SELECT g.*, CASE WHEN g.reason = $lost_code THEN coalesce(f.found_units, 0) ELSE 0 END AS found_units,
           c.unit_cost
    FROM per_group g LEFT JOIN found f USING (fnsku)
    LEFT JOIN (SELECT sku, any_value(unit_cost) AS unit_cost FROM product_costs GROUP BY sku) c USING (sku)"""


def reimbursement_claims(db_path: Path, as_of: dt.date | None = None,
                         params: ReimbursementParams = ReimbursementParams()) -> pd.DataFrame:
    """Lost and warehouse-damaged units not yet reconciled, old enough to claim, per SKU × FNSKU × reason.

    ``units_claimable = claimable_units(lost, found, unreconciled)`` over the events with
    ``waiting_days ≤ as_of − date ≤ lookback_days`` (module docstring); ``value = units_claimable ×
    unit_cost`` (product_costs; NaN without a cost). ``event_date``: the first such event still owed;
    ``reference_ids`` and ``fulfillment_centers``: of those events, comma-joined. Rows with nothing
    claimable are left out; largest value first (unknown values last), then most units.

    Columns: ``CLAIM_COLUMNS``.
    """
    as_of = as_of or _latest_day(db_path)
    if as_of is None:
        return pd.DataFrame(columns=CLAIM_COLUMNS)
    binds = {"claim_codes": list(CLAIM_REASONS), "found_code": FOUND_CODE, "lost_code": LOST_CODE, "as_of": as_of,
             "claim_until": as_of - dt.timedelta(days=params.waiting_days),
             "claim_from": as_of - dt.timedelta(days=params.lookback_days)}
    frame = db.query_df(db_path, CLAIMS_SQL, binds)
    frame["units_claimable"] = claimable_units(frame["lost_units"], frame["found_units"], frame["unreconciled_units"])
    frame["unit_cost"] = frame["unit_cost"].astype(float)
    frame["value"] = claim_value(frame["units_claimable"], frame["unit_cost"])
    frame["reason"] = frame["reason"].map(CLAIM_REASONS).astype(object)
    frame["event_date"] = pd.to_datetime(frame["event_date"]).dt.date
    frame = frame[frame["units_claimable"] > 0]
    frame = frame.sort_values(["value", "units_claimable", "sku", "reason"], ascending=[False, False, True, True],
                              na_position="last")
    return frame[CLAIM_COLUMNS].reset_index(drop=True)


def claims_csv_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims as a seller pastes them into a Seller Central case: FNSKU, ASIN, SKU, Quantity,
    Date (first event, YYYY-MM-DD), Reference IDs, Fulfillment center, Reason.

    >>> claims = pd.DataFrame({"sku": ["S1"], "fnsku": ["X001"], "asin": ["B001"], "event_date": [dt.date(2026, 9, 1)],
    ...                        "reason": ["lost"], "units_claimable": [7.0], "reference_ids": ["111, 112"],
    ...                        "fulfillment_centers": ["PHL7"]})
    >>> print(claims_csv_frame(claims).to_csv(index=False), end="")
    FNSKU,ASIN,SKU,Quantity,Date,Reference IDs,Fulfillment center,Reason
    X001,B001,S1,7,2026-09-01,"111, 112",PHL7,lost
    """
    return pd.DataFrame({
        "FNSKU": claims["fnsku"].astype(object).to_numpy(),
        "ASIN": claims["asin"].astype(object).to_numpy(),
        "SKU": claims["sku"].astype(object).to_numpy(),
        "Quantity": claims["units_claimable"].round().astype("int64").to_numpy(),
        "Date": pd.to_datetime(claims["event_date"]).dt.strftime("%Y-%m-%d").astype(object).to_numpy(),
        "Reference IDs": claims["reference_ids"].astype(object).to_numpy(),
        "Fulfillment center": claims["fulfillment_centers"].astype(object).to_numpy(),
        "Reason": claims["reason"].astype(object).to_numpy(),
    }, columns=CASE_COLUMNS)
