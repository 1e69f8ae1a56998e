"""Reconciliation: the same quantity in two reports, compared per SKU; and stock on other channels.

Amazon reports the same units in several places (the FBA Inventory report, Manage Inventory,
Restock, the Inventory Ledger). Where two of them disagree by more than a small tolerance, one of
them is stale or something happened that the seller should look at (a lost shipment, a stuck
removal). ``CHECKS`` is the registry of comparisons: it drives the page and docs/metrics.md.

Dates: each report is read at its latest snapshot on or before the as-of date (default: the newest
stock snapshot loaded), so two reports may be compared across different days; the row says which
(``compared_dates``). Only SKUs that both sides carry, with a value, are compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db
from core.skus import LEDGER_NET_SQL, stock_sql


@dataclass(frozen=True)
class ReconcileParams:
    """When two figures for one SKU count as disagreeing.

    A gap is flagged when ``|a − b| > abs_units`` AND ``|a − b| > rel_share × max(|a|, |b|)``: both
    a few units of noise on a small SKU and a small share of a large one are tolerated.

    Parameters
    ----------
    abs_units : float
        Units of difference tolerated whatever the size. Default 5.
    rel_share : float
        Share of the larger figure tolerated, in [0, 1). Default 0.10 (10 %).
    """

    abs_units: float = 5
    rel_share: float = 0.10

    def __post_init__(self) -> None:
        if not np.isfinite(self.abs_units) or self.abs_units < 0:
            raise ValueError("abs_units must be a number of 0 or more")
        if not 0 <= self.rel_share < 1:
            raise ValueError("rel_share must be in [0, 1)")


def gap(a, b, params: ReconcileParams = ReconcileParams()):
    """Whether two figures for the same SKU disagree beyond the tolerance (vectorised).

    Parameters
    ----------
    a, b : array-like or float
        The two figures, in units.
    params : ReconcileParams
        ``abs_units`` and ``rel_share``.

    Returns
    -------
    numpy.ndarray of bool (or bool for scalars)
        ``|a − b| > abs_units and |a − b| > rel_share × max(|a|, |b|)``; False where either is missing.

    Notes
    -----
    Both conditions must hold, so 3 units off on 10 (30 %) and 40 units off on 1,000 (4 %) pass, while
    20 off on 100 is flagged. Source: our own rule (issue 6), documented in docs/metrics.md.

    Examples
    --------
    20 units off on 100: 20 > 5 and 20 > 0.10 × 100 = 10. Exactly 5 off, or exactly 10 %, is tolerated.

    >>> gap([100, 100, 30, 100], [80, 95, 25, 90]).tolist()
    [True, False, False, False]
    """
    a_arr = np.asarray(a, dtype=float)
    b_arr = np.asarray(b, dtype=float)
    diff = np.abs(a_arr - b_arr)
    larger = np.maximum(np.abs(a_arr), np.abs(b_arr))
    with np.errstate(invalid="ignore"):
        flagged = (diff > params.abs_units) & (diff > params.rel_share * larger)
    return flagged


# --- the checks -------------------------------------------------------------------------------------

def _pair_sql(table_a: str, expr_a: str, date_a: str, table_b: str, expr_b: str, date_b: str) -> str:
    """SQL: per SKU, ``sum(expr_a)`` of table_a at ``$date_a`` beside ``sum(expr_b)`` of table_b at ``$date_b``."""
    return f"""
        WITH a AS (SELECT sku, sum({expr_a}) AS value FROM {table_a}
                   WHERE snapshot_date = ${date_a} AND sku IS NOT NULL GROUP BY sku),
             b AS (SELECT sku, sum({expr_b}) AS value FROM {table_b}
                   WHERE snapshot_date = ${date_b} AND sku IS NOT NULL GROUP BY sku)
        SELECT sku, a.value::DOUBLE AS value_a, b.value::DOUBLE AS value_b,
               strftime(${date_a}, '%Y-%m-%d') || ' vs ' || strftime(${date_b}, '%Y-%m-%d') AS compared_dates
        FROM a JOIN b USING (sku)
        WHERE a.value IS NOT NULL AND b.value IS NOT NULL"""


_PLANNING_ON_HAND = "available + coalesce(total_reserved_quantity, 0)"

# Opening on hand (the previous planning snapshot) + every SELLABLE ledger event after it, up to the
# snapshot: the forward form of core.skus.sellable_balance_sql, with the same events (LEDGER_NET_SQL).
_LEDGER_SQL = f"""
    WITH ledger_net AS ({LEDGER_NET_SQL}),
         on_hand AS (SELECT snapshot_date, sku, sum({_PLANNING_ON_HAND}) AS units FROM inventory_planning
                     WHERE snapshot_date IN ($planning, $previous) AND sku IS NOT NULL GROUP BY ALL),
         moves AS (SELECT sku, sum(net) AS net FROM ledger_net GROUP BY sku),
         in_ledger AS (SELECT DISTINCT sku FROM ledger_detail WHERE date <= $planning)
    SELECT c.sku, c.units::DOUBLE AS value_a, (o.units + coalesce(m.net, 0))::DOUBLE AS value_b,
           strftime($planning, '%Y-%m-%d') || ' vs ' || strftime($previous, '%Y-%m-%d') || ' + ledger '
           || strftime($cal_start, '%Y-%m-%d') || ' to ' || strftime($planning, '%Y-%m-%d') AS compared_dates
    FROM on_hand c JOIN on_hand o ON o.sku = c.sku AND o.snapshot_date = $previous
    JOIN in_ledger l ON l.sku = c.sku LEFT JOIN moves m ON m.sku = c.sku
    WHERE c.snapshot_date = $planning AND c.units IS NOT NULL AND o.units IS NOT NULL"""


@dataclass(frozen=True)
class Check:
    """One comparison: what is compared, between which two sources (``table.column``), and its SQL.

    ``sql`` returns sku, value_a, value_b, compared_dates; it reads the dates named in ``needs``
    (bound as ``$name``: each report's latest snapshot on or before the as-of date).
    """

    name: str
    compares: str
    source_a: str
    source_b: str
    sql: str
    needs: tuple[str, ...]


CHECKS: tuple[Check, ...] = (
    Check("available", "Units available to sell at FBA",
          "inventory_planning.available", "manage_inventory.afn_fulfillable_quantity",
          _pair_sql("inventory_planning", "available", "planning",
                    "manage_inventory", "afn_fulfillable_quantity", "manage"), ("planning", "manage")),
    Check("on_hand_ledger", "Sellable units on hand (available + reserved): the snapshot against the previous "
          "snapshot rolled forward by the Inventory Ledger's SELLABLE events",
          "inventory_planning.available + total_reserved_quantity",
          "inventory_planning (previous snapshot) + ledger_detail SELLABLE events",
          _LEDGER_SQL, ("planning", "previous", "cal_start")),
    Check("inbound", "Units inbound to FBA (working, shipped, receiving)",
          "restock.inbound", "inventory_planning.inbound_quantity",
          _pair_sql("restock", "inbound", "restock", "inventory_planning", "inbound_quantity", "planning"),
          ("restock", "planning")),
    Check("reserved", "Units reserved (customer orders, FC transfer, FC processing)",
          "inventory_planning.total_reserved_quantity", "manage_inventory.afn_reserved_quantity",
          _pair_sql("inventory_planning", "total_reserved_quantity", "planning",
                    "manage_inventory", "afn_reserved_quantity", "manage"), ("planning", "manage")),
    Check("unfulfillable", "Units unfulfillable (damaged, defective)",
          "inventory_planning.unfulfillable_quantity", "manage_inventory.afn_unsellable_quantity",
          _pair_sql("inventory_planning", "unfulfillable_quantity", "planning",
                    "manage_inventory", "afn_unsellable_quantity", "manage"), ("planning", "manage")),
)

RECONCILIATION_COLUMNS = ["sku", "check", "source_a", "value_a", "source_b", "value_b", "difference", "flagged",
                          "compared_dates"]


def _latest(con, table: str, on_or_before: dt.date | None, column: str = "snapshot_date") -> dt.date | None:
    where = "true" if on_or_before is None else f"{column} <= $d"
    return con.execute(f"SELECT max({column}) FROM {table} WHERE {where}",
                       {} if on_or_before is None else {"d": on_or_before}).fetchone()[0]


def _check_dates(con, as_of: dt.date | None) -> dict[str, dt.date | None]:
    """Each report's latest snapshot on or before ``as_of`` (the newest stock snapshot when None)."""
    if as_of is None:
        as_of = max((d for d in (_latest(con, t, None) for t in ("inventory_planning", "manage_inventory",
                                                                    "restock")) if d is not None), default=None)
    if as_of is None:
        return {}
    dates = {"planning": _latest(con, "inventory_planning", as_of), "manage": _latest(con, "manage_inventory", as_of),
             "restock": _latest(con, "restock", as_of), "previous": None, "cal_start": None}
    if dates["planning"] is not None:
        previous = _latest(con, "inventory_planning", dates["planning"] - dt.timedelta(days=1))
        first, last = con.execute("SELECT min(date), max(date) FROM ledger_detail").fetchone()
        # The ledger must cover every day from the one after the previous snapshot to the snapshot.
        if previous is not None and first is not None and first <= previous + dt.timedelta(days=1) \
                and last >= dates["planning"]:
            dates["previous"], dates["cal_start"] = previous, previous + dt.timedelta(days=1)
    return dates


def reconciliation(db_path: Path, as_of: dt.date | None = None,
                   params: ReconcileParams = ReconcileParams()) -> pd.DataFrame:
    """Every check of ``CHECKS``, per SKU that both sources carry: the two figures and whether they disagree.

    Parameters
    ----------
    db_path : Path
        The database file.
    as_of : datetime.date, optional
        Each report is read at its latest snapshot on or before this day. Default: the newest stock
        snapshot (FBA Inventory, Manage Inventory or Restock).
    params : ReconcileParams
        The tolerance, see ``gap``.

    Returns
    -------
    pandas.DataFrame
        Long, one row per SKU and check: sku, check, source_a, value_a, source_b, value_b,
        difference (``value_a − value_b``, units), flagged (``gap``), compared_dates
        (``"<date of a> vs <date of b>"``). A check whose reports are not both loaded has no rows.
        The ``on_hand_ledger`` check needs two FBA Inventory snapshots and a ledger covering the days
        between them.

    Examples
    --------
    Planning says 100 available, Manage Inventory 80: difference 20, flagged (20 > 5 and > 10).
    """
    with db.connect(db_path) as con:
        dates = _check_dates(con, as_of)
        parts = []
        for check in CHECKS:
            if not all(dates.get(n) is not None for n in check.needs):
                continue
            binds = {n: dates[n] for n in check.needs}
            if "$as_of" in check.sql:  # LEDGER_NET_SQL ends its window at $as_of: the snapshot
                binds["as_of"] = dates["planning"]
            frame = con.execute(check.sql, binds).df()
            parts.append(frame.assign(check=check.name, source_a=check.source_a, source_b=check.source_b))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            RECONCILIATION_COLUMNS, ["str", "str", "str", "float", "str", "float", "float", "bool", "str"])})
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(difference=out["value_a"] - out["value_b"],
                     flagged=gap(out["value_a"], out["value_b"], params))
    order = {c.name: i for i, c in enumerate(CHECKS)}
    out = out.sort_values(["check", "sku"], key=lambda s: s.map(order) if s.name == "check" else s)
    return out[RECONCILIATION_COLUMNS].reset_index(drop=True)


def reconciliation_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per check of ``CHECKS`` (all of them, in registry order): SKUs compared and SKUs flagged.

    Returns check, compares, source_a, source_b, skus_compared, skus_flagged; a check with nothing to
    compare shows 0 and 0.

    >>> frame = pd.DataFrame({"sku": ["A", "B"], "check": ["available", "available"], "flagged": [True, False]})
    >>> reconciliation_summary(frame).set_index("check").loc["available", ["skus_compared", "skus_flagged"]].tolist()
    [2, 1]
    """
    flagged = frame["flagged"].astype(bool)
    counts = pd.DataFrame({"skus_compared": frame.groupby("check")["sku"].nunique(),
                           "skus_flagged": frame[flagged].groupby("check")["sku"].nunique()})
    registry = pd.DataFrame([{"check": c.name, "compares": c.compares, "source_a": c.source_a,
                              "source_b": c.source_b} for c in CHECKS])
    out = registry.merge(counts, how="left", left_on="check", right_index=True)
    return out.assign(skus_compared=out["skus_compared"].fillna(0).astype(int),
                      skus_flagged=out["skus_flagged"].fillna(0).astype(int))


# --- stock on other channels ----------------------------------------------------------------------

CHANNEL_FIXED_COLUMNS = ("sku", "fba_units", "total_units", "fba_share")


def channel_view(db_path: Path, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per SKU, FBA's units beside each other channel's (``OTHER_CHANNEL_STOCK``), their total and FBA's share.

    Parameters
    ----------
    db_path : Path
        The database file.
    as_of : datetime.date, optional
        FBA and each channel are read at their latest snapshot on or before this day; default the
        latest of each.

    Returns
    -------
    pandas.DataFrame
        Wide, one row per SKU held anywhere: sku, fba_units (available + reserved at the FBA
        Inventory snapshot, else Manage Inventory's), one column per channel (units, 0 where that
        channel lists no row), total_units (``fba_units + Σ channels``) and fba_share
        (``fba_units ÷ total_units``, NaN when the total is 0). ``frame.attrs["snapshot_dates"]``
        maps "FBA" and each channel to the snapshot used. A channel named like a fixed column gets
        the suffix `` (channel)``.

    Examples
    --------
    FBA holds 60 (50 available + 10 reserved), the own warehouse 30, Shopify 10: total 100, FBA's share 0.6.
    """
    with db.connect(db_path) as con:
        fba_table = next((t for t in ("inventory_planning", "manage_inventory")
                          if _latest(con, t, as_of) is not None), None)
        fba_date = _latest(con, fba_table, as_of) if fba_table else None
        if fba_table is not None:
            fba = con.execute(f"SELECT sku, (available + reserved)::DOUBLE AS fba_units FROM ({stock_sql(fba_table)})",
                              {"as_of": fba_date}).df()
        else:
            fba = pd.DataFrame({"sku": pd.Series(dtype="str"), "fba_units": pd.Series(dtype="float")})
        channels = con.execute("""
            WITH rows AS (
                SELECT c.sku, c.channel, c.quantity, coalesce(c.snapshot_date, i.snapshot_date) AS snap
                FROM other_channel_stock c LEFT JOIN imports i USING (import_id)
                WHERE c.sku IS NOT NULL AND c.channel IS NOT NULL),
            latest AS (SELECT channel, max(snap) AS snap FROM rows
                       WHERE $as_of::DATE IS NULL OR snap <= $as_of::DATE GROUP BY channel)
            SELECT sku, channel, snap, sum(coalesce(quantity, 0))::DOUBLE AS quantity
            FROM rows JOIN latest USING (channel, snap) GROUP BY ALL ORDER BY channel, sku""",
                               {"as_of": as_of}).df()
    names = sorted(channels["channel"].unique())
    rename = {n: f"{n} (channel)" if n in CHANNEL_FIXED_COLUMNS else n for n in names}
    wide = channels.pivot_table(index="sku", columns="channel", values="quantity", aggfunc="sum")
    wide = wide.rename(columns=rename).reset_index() if len(channels) else pd.DataFrame({"sku": pd.Series(dtype="str")})
    wide.columns.name = None
    out = fba.merge(wide, on="sku", how="outer")
    channel_columns = [rename[n] for n in names]
    out[["fba_units", *channel_columns]] = out[["fba_units", *channel_columns]].fillna(0.0)
    out["total_units"] = out[["fba_units", *channel_columns]].sum(axis=1)
    out["fba_share"] = out["fba_units"] / out["total_units"].where(out["total_units"] > 0)
    out = out[["sku", "fba_units", *channel_columns, "total_units", "fba_share"]].sort_values("sku")
    out = out.reset_index(drop=True)
    out.attrs["snapshot_dates"] = {"FBA": fba_date} | {
        rename[n]: channels.loc[channels["channel"] == n, "snap"].iloc[0] for n in names}
    return out
