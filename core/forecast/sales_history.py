"""Daily demand history per SKU: units sold and whether the SKU was in stock, read from DuckDB.

The history is dense (every SKU × every day), but the facts behind it are sparse: sales exist on
some days, stock-outs on a few. So DuckDB returns only those, as integer (SKU code, day index)
pairs, and numpy fills the SKU × day matrices. Building the dense relation in SQL instead (10,000
SKUs × 730 days = 7.3 M rows with string SKUs, joined, sorted and converted to pandas) took 3.3 GB.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db, skus

HISTORY_COLUMNS = ["sku", "day", "units", "in_stock"]
# Rows of the dense SKU × day balance one query builds. DuckDB's window holds all of its input: on
# 10,000 SKUs × 730 days, one query of every SKU peaked at 1.2 GB of process memory; batches of this
# size at 0.6 GB, in the same time.
BALANCE_ROWS_PER_QUERY = 1_000_000


@dataclass(frozen=True, eq=False)  # eq=False: numpy fields do not compare to one bool
class SalesHistory:
    """Every SKU × every day up to the as-of date as matrices: row i is ``skus[i]``, column j ``days[j]``.

    ``skus``: sorted SKU strings (object array, n). ``days``: datetime64[D], the T days of the range.
    ``units``: marketplace units sold (n × T, float64). ``in_stock``: n × T bool. ``groups``: each
    SKU's product group, else brand, else "" (object array, n; ``history_arrays``), or None: the
    peers whose events and seasons it may borrow.
    """

    skus: np.ndarray
    days: np.ndarray
    units: np.ndarray
    in_stock: np.ndarray
    groups: np.ndarray | None = None

    def frame(self) -> pd.DataFrame:
        """The long frame (``HISTORY_COLUMNS``): one row per SKU and day, ordered by sku then day."""
        n, n_days = self.units.shape
        return pd.DataFrame({
            "sku": pd.array(np.repeat(self.skus, n_days), dtype="str"),
            "day": np.tile(self.days, n).astype("datetime64[us]"),  # as DuckDB returns a DATE
            "units": self.units.ravel(), "in_stock": self.in_stock.ravel()})


def densify(n_skus: int, n_days: int, sales: dict[str, np.ndarray],
            out_of_stock: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Units and in-stock matrices (n_skus × n_days) from sparse rows: zero and in stock unless listed.

    ``sales``: arrays ``code``, ``t`` (day index) and ``units``; ``out_of_stock``: ``code`` and ``t``.

    >>> units, in_stock = densify(2, 3, {"code": [1], "t": [2], "units": [4.0]}, {"code": [0], "t": [1]})
    >>> units.tolist(), in_stock.tolist()
    ([[0.0, 0.0, 0.0], [0.0, 0.0, 4.0]], [[True, False, True], [True, True, True]])
    """
    units = np.zeros((n_skus, n_days))
    units[np.asarray(sales["code"], int), np.asarray(sales["t"], int)] = sales["units"]
    in_stock = np.ones((n_skus, n_days), bool)
    in_stock[np.asarray(out_of_stock["code"], int), np.asarray(out_of_stock["t"], int)] = False
    return units, in_stock


def _empty(n_days: int = 0, days: np.ndarray | None = None) -> SalesHistory:
    days = np.array([], "datetime64[D]") if days is None else days
    return SalesHistory(np.array([], object), days, np.zeros((0, n_days)), np.ones((0, n_days), bool))


def _ctes(sources: skus.Sources, sku: str | None) -> dict[str, str]:
    """The relations the history is defined by, by CTE name (each query takes the ones it needs)."""
    ctes = {}
    if sources.sales in ("orders", "shipments"):
        ctes["lines"] = skus.sales_lines_sql(sources.sales)
    else:
        ctes["lines"] = "SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS units, false AS mcf WHERE false"
    if sources.stock is not None:
        ctes["stock"] = f"SELECT sku, available + reserved AS anchor FROM ({skus.stock_sql(sources.stock)})"
    else:
        ctes["stock"] = "SELECT NULL::VARCHAR AS sku, 0 AS anchor WHERE false"
    # all_units (MCF included) only decides whether something sold that day, for in_stock.
    ctes["daily"] = """SELECT sku, day, sum(units) FILTER (NOT mcf) AS units, sum(units) AS all_units
                       FROM lines GROUP BY ALL"""
    only = " AND sku = $sku" if sku is not None else ""
    ctes["universe"] = f"""SELECT sku, max(anchor) AS anchor FROM (
                               SELECT sku, anchor FROM stock UNION ALL SELECT DISTINCT sku, 0 FROM daily)
                           WHERE sku IS NOT NULL{only} GROUP BY sku"""
    ctes["calendar"] = "SELECT unnest(range($start + 1, $as_of + 1, INTERVAL 1 DAY))::DATE AS day"
    ctes["ledger_net_by_sku"] = skus.LEDGER_NET_SQL  # keyed by code in history_ledger
    return ctes


def _with(ctes: dict[str, str], *names: str) -> str:
    return "WITH " + ", ".join(f"{name} AS ({ctes[name]})" for name in names)


def _day_index(day: str) -> str:
    """SQL: the column index of ``day`` in the range ``$start`` + 1 .. ``$as_of`` (0 for the first day)."""
    return f"(datediff('day', $start, {day}) - 1)::INTEGER"


def _run(con, sql: str, binds: dict):
    """Execute ``sql`` with the values of the ``$name`` parameters it uses (DuckDB rejects any other)."""
    used = {name: value for name, value in binds.items() if re.search(rf"\${name}\b", sql)}
    return con.execute(sql, used)


def _out_of_stock_sql(ctes: dict[str, str]) -> str:
    """SQL: (code, t) of the days SKUs ``$first`` .. ``$end`` − 1 were out of stock (core/skus.py's rule).

    ``skus.sellable_balance_sql`` partitions by ``sku``: given the integer code under that name, its
    window sorts 4-byte keys, not strings. Only days from ``$cal_start`` (those the ledger covers)
    are listed, so the others stay in stock.
    """
    sku_days = """SELECT s.code AS sku, s.anchor, c.day FROM history_skus s CROSS JOIN calendar c
                  WHERE c.day >= $cal_start AND s.code >= $first AND s.code < $end"""
    return f"""{_with(ctes, "calendar")},
        ledger_net AS (SELECT code AS sku, day, net FROM history_ledger WHERE code >= $first AND code < $end),
        balance AS ({skus.sellable_balance_sql(sku_days)})
        SELECT b.sku AS code, {_day_index("b.day")} AS t
        FROM balance b LEFT JOIN history_daily d ON d.code = b.sku AND d.day = b.day
        WHERE NOT {skus.in_stock_sql("b", "d.all_units")}"""


# Every loaded day is read, up to this many (four years): older demand says little about next month,
# and the matrices grow with the days (10,000 SKUs × 1,461 days × 8 bytes = 117 MB each).
MAX_HISTORY_DAYS = 1461


def days_of_history(db_path: Path, as_of: dt.date) -> int:
    """Days from the first loaded sale up to ``as_of`` (inclusive), at most ``MAX_HISTORY_DAYS``;
    1 when nothing sold before it."""
    with db.connect(db_path) as con:
        sources = skus.report_sources(con, as_of)
        if sources.sales not in ("orders", "shipments"):
            return 1
        lines = skus.sales_lines_sql(sources.sales)
        start = as_of - dt.timedelta(days=MAX_HISTORY_DAYS)
        first = _run(con, f"SELECT min(day) FROM ({lines})", {"as_of": as_of, "start": start}).fetchone()[0]
    return 1 if first is None else max(1, min(MAX_HISTORY_DAYS, (as_of - first).days + 1))


# Each SKU's group: the latest product group of the FBA Inventory report, else of the Fee Preview,
# else the Fee Preview's brand (core/skus.py reads the brand there too), else "". A product's group
# does not change with time, so a report after the as-of date counts too (a Fee Preview is dated the
# day it is loaded).
GROUPS_SQL = """
    WITH planning AS (
        SELECT sku, arg_max(trim(product_group), snapshot_date) AS product_group FROM inventory_planning
        WHERE nullif(trim(product_group), '') IS NOT NULL GROUP BY sku),
    preview AS (
        SELECT sku, arg_max(trim(product_group), snapshot_date)
                        FILTER (WHERE nullif(trim(product_group), '') IS NOT NULL) AS product_group,
               arg_max(trim(brand), snapshot_date) FILTER (WHERE nullif(trim(brand), '') IS NOT NULL) AS brand
        FROM fee_preview GROUP BY sku)
    SELECT s.code, coalesce(p.product_group, f.product_group, f.brand, '') AS grp
    FROM history_skus s LEFT JOIN planning p USING (sku) LEFT JOIN preview f USING (sku)
    ORDER BY s.code"""


def history_arrays(db_path: Path, as_of: dt.date | None = None, days: int | None = None,
                   sku: str | None = None) -> SalesHistory:
    """Every SKU × every day of the ``days`` up to ``as_of``: units sold and whether it was in stock.

    ``units`` are marketplace units (All Orders lines not Cancelled, else Amazon Fulfilled Shipments;
    MCF ``Non-Amazon`` lines apart), as in core/skus.py. ``in_stock`` is the ledger's rebuilt
    end-of-day sellable balance (rebuilt backwards from the snapshot at ``as_of``,
    ``skus.sellable_balance_sql``): a day is in stock when it began or ended with sellable units or
    something sold (``skus.in_stock_sql``); days the ledger does not cover count as in stock. SKUs:
    those in the snapshot at ``as_of`` and those sold in the range, or only ``sku`` (a chart of one
    SKU need not read the whole account). ``groups``: ``GROUPS_SQL``. ``as_of`` defaults to
    ``skus.as_of_date``: the latest snapshot, else the last order day (no snapshot: every day counts
    as in stock); ``days=None`` reads every loaded day (``days_of_history``).
    """
    as_of = as_of or skus.as_of_date(db_path)
    if as_of is None:
        return _empty()
    if days is None:
        days = days_of_history(db_path, as_of)
    if days < 1:
        raise ValueError("days must be >= 1")
    start = as_of - dt.timedelta(days=days)  # exclusive: the range is start + 1 .. as_of
    calendar = np.arange(np.datetime64(start, "D") + 1, np.datetime64(as_of, "D") + 1)
    with db.connect(db_path) as con:
        con.begin()  # the queries below read one snapshot, as a single query would (closing ends it)
        sources = skus.report_sources(con, as_of)
        ctes = _ctes(sources, sku)
        binds = {"as_of": as_of, "start": start, "sku": sku}
        if sources.ledger_start is not None:
            binds["cal_start"] = max(sources.ledger_start, start + dt.timedelta(days=1))
        # The order lines are summed per SKU and day once; the universe and the sales both read that.
        _run(con, f"""CREATE TEMP TABLE history_sales AS {_with(ctes, "lines", "daily")}
                      SELECT * FROM daily""", binds)
        ctes["daily"] = "SELECT * FROM history_sales"
        # Number the SKUs in sort order, so that every later query returns integers, not strings.
        # Sums come back as HUGEINT (16 bytes); unit counts fit in BIGINT, half the memory to sort.
        _run(con, f"""CREATE TEMP TABLE history_skus AS {_with(ctes, "stock", "daily", "universe")}
                      SELECT (row_number() OVER (ORDER BY sku) - 1)::INTEGER AS code, sku,
                             anchor::BIGINT AS anchor
                      FROM universe""", binds)
        sku_list = _run(con, "SELECT sku FROM history_skus ORDER BY code", binds).fetchnumpy()["sku"]
        if not len(sku_list):
            return _empty(days, calendar)
        _run(con, """CREATE TEMP TABLE history_daily AS
                     SELECT s.code, d.day, d.units, d.all_units
                     FROM history_sales d JOIN history_skus s USING (sku)""", binds)
        sales = _run(con, f"""SELECT code, {_day_index("day")} AS t, coalesce(units, 0)::DOUBLE AS units
                              FROM history_daily""", binds).fetchnumpy()
        groups = _run(con, GROUPS_SQL, binds).fetchnumpy()["grp"]
        batches = []
        if sources.ledger_start is not None:
            _run(con, f"""CREATE TEMP TABLE history_ledger AS {_with(ctes, "ledger_net_by_sku")}
                          SELECT s.code, n.day, n.net::BIGINT AS net
                          FROM ledger_net_by_sku n JOIN history_skus s USING (sku)""", binds)
            # The balance is a window over every SKU × ledger day: memory grows with its rows, so a
            # batch of SKUs at a time (each SKU's window is its own).
            per_batch = max(1, BALANCE_ROWS_PER_QUERY // days)
            for first in range(0, len(sku_list), per_batch):
                batch = binds | {"first": first, "end": first + per_batch}
                batches.append(_run(con, _out_of_stock_sql(ctes), batch).fetchnumpy())
    out_of_stock = {k: np.concatenate([b[k] for b in batches]) if batches else np.array([], int)
                    for k in ("code", "t")}
    units, in_stock = densify(len(sku_list), days, sales, out_of_stock)
    return SalesHistory(np.asarray(sku_list, dtype=object), calendar, units, in_stock,
                        np.asarray(groups, dtype=object))


def history(db_path: Path, as_of: dt.date | None = None, days: int | None = None,
            sku: str | None = None) -> pd.DataFrame:
    """``history_arrays`` as a long frame: columns sku, day, units, in_stock, ordered by sku then day.

    Dense (zero-sale days included); see ``history_arrays`` for the definitions.
    """
    return history_arrays(db_path, as_of, days, sku).frame()
