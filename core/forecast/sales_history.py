"""Daily demand history per SKU: units sold and whether the SKU was in stock, one DuckDB query."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from core import db, skus

HISTORY_COLUMNS = ["sku", "day", "units", "in_stock"]


def history(db_path: Path, as_of: dt.date | None = None, days: int = 730,
            sku: str | None = None) -> pd.DataFrame:
    """Every SKU × every day of the ``days`` up to ``as_of``: units sold and whether it was in stock.

    Dense (zero-sale days included), ordered by sku then day. ``units`` are marketplace units (All
    Orders lines not Cancelled, else Amazon Fulfilled Shipments; MCF ``Non-Amazon`` lines apart), as
    in core/skus.py. ``in_stock`` is the ledger's rebuilt end-of-day sellable balance (rebuilt
    backwards from the snapshot at ``as_of``): a day is in stock when it began or ended with sellable
    units or something sold; days the ledger does not cover count as in stock. SKUs: those in the
    snapshot at ``as_of`` and those sold in the range, or only ``sku`` (a chart of one SKU need not
    read the whole account). ``as_of`` defaults to the latest snapshot.
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    if as_of is None:
        dates = skus.snapshot_dates(db_path)
        if not dates:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                                 zip(HISTORY_COLUMNS, ("str", "datetime64[s]", "float64", "bool"))})
        as_of = dates[0]
    start = as_of - dt.timedelta(days=days)  # exclusive: the range is start + 1 .. as_of
    with db.connect(db_path) as con:
        sources = skus.report_sources(con, as_of)
        binds = {"as_of": as_of, "start": start}
        ctes = []
        if sources.sales in ("orders", "shipments"):
            ctes.append(f"lines AS ({skus.sales_lines_sql(sources.sales)})")
        else:
            ctes.append("lines AS (SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS units, false AS mcf WHERE false)")
        if sources.stock is not None:
            ctes.append(f"stock AS (SELECT sku, available + reserved AS anchor FROM ({skus.stock_sql(sources.stock)}))")
        else:
            ctes.append("stock AS (SELECT NULL::VARCHAR AS sku, 0 AS anchor WHERE false)")
        ctes.append("""daily AS (SELECT sku, day, sum(units) FILTER (NOT mcf) AS units, sum(units) AS all_units
                       FROM lines GROUP BY ALL)""")
        only = ""
        if sku is not None:
            only, binds["sku"] = " AND sku = $sku", sku
        ctes.append(f"""universe AS (SELECT sku, max(anchor) AS anchor FROM (
                           SELECT sku, anchor FROM stock UNION ALL SELECT DISTINCT sku, 0 FROM daily)
                       WHERE sku IS NOT NULL{only} GROUP BY sku)""")
        ctes.append("calendar AS (SELECT unnest(range($start + 1, $as_of + 1, INTERVAL 1 DAY))::DATE AS day)")
        if sources.ledger_start is not None:
            binds["cal_start"] = max(sources.ledger_start, start + dt.timedelta(days=1))
            ctes.append(f"ledger_net AS ({skus.LEDGER_NET_SQL})")
            ctes.append("balance AS (" + skus.sellable_balance_sql(
                "SELECT u.sku, u.anchor, c.day FROM universe u CROSS JOIN calendar c WHERE c.day >= $cal_start") + ")")
        else:
            ctes.append("balance AS (SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS net, 0 AS end_balance "
                        "WHERE false)")
        sql = f"""WITH {', '.join(ctes)}
            SELECT u.sku, c.day, coalesce(d.units, 0)::DOUBLE AS units,
                   CASE WHEN b.day IS NULL THEN true
                        ELSE {skus.in_stock_sql("b", "d.all_units")}
                   END AS in_stock
            FROM universe u CROSS JOIN calendar c
            LEFT JOIN daily d ON d.sku = u.sku AND d.day = c.day
            LEFT JOIN balance b ON b.sku = u.sku AND b.day = c.day
            ORDER BY u.sku, c.day"""
        return con.execute(sql, binds).df()
