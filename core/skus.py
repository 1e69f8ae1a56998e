"""The per-SKU health table and the account summary.

Facts that aggregate rows (units sold per window, daily sellable stock rebuilt from the ledger,
storage fees over the period, FIFO ages) are DuckDB SQL over the report views; the formulas on top
are the functions in core/metrics, applied to whole columns at once.

As-of date: a stock snapshot date (the FBA Inventory report's, else Manage Inventory's); the latest
by default. Without any snapshot (an account that has loaded only order history) the as-of date is
the last order day (``as_of_date``): the forecast and the restock plan start there (``plan_table``:
position taken as 0), the health figures, which need stock, are not computed. Every window ends on
it: "last 30 days" is the 30 days up to and including the as-of day.
Sources, best first: sales from All Orders (not Cancelled; MCF ``Non-Amazon`` lines apart), else
Amazon Fulfilled Shipments, else the planning report's units-shipped columns; daily stock from the
Inventory Ledger; unit costs from the product-cost sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db
from core.metrics import ageing, classify, grades, health, turnover, velocity
from core.params import GradeParams, HealthParams

LOOKBACK_DAYS = 91  # the longest fixed window: 90-day velocity and 13 weeks of weekly demand
AIS_COLUMNS = [f"estimated_ais_{b}_days" for b in
               ("181_210", "211_240", "241_270", "271_300", "301_330", "331_365", "366_455", "456_plus",
                "365_plus")]

OLDER_THAN_180 = ["aged_181_270", "aged_271_365", "aged_366_455", "aged_456_plus", "aged_365_plus"]
OLDER_THAN_365 = ["aged_366_455", "aged_456_plus", "aged_365_plus"]


@dataclass(frozen=True)
class Sources:
    """Which reports the figures come from at this as-of date (shown on screen)."""

    stock: str | None  # 'inventory_planning' | 'manage_inventory'; None: no snapshot (stock taken as 0)
    sales: str | None  # 'orders' | 'shipments' | 'inventory_planning'
    # First day of the Inventory Ledger, when it covers the as-of day and a snapshot there anchors its
    # rebuilt balance (without one, every day counts as in stock).
    ledger_start: dt.date | None
    storage_fees: bool
    fee_preview: bool
    costs: bool


@dataclass(frozen=True)
class SkuTable:
    frame: pd.DataFrame
    as_of: dt.date | None
    sources: Sources
    params: HealthParams
    grade_params: GradeParams


def snapshot_dates(db_path: Path) -> list[dt.date]:
    """Stock snapshot dates, newest first: the FBA Inventory report's, else Manage Inventory's."""
    with db.connect(db_path) as con:
        for table in ("inventory_planning", "manage_inventory"):
            dates = [r[0] for r in con.execute(
                f"SELECT DISTINCT snapshot_date FROM {table} ORDER BY 1 DESC").fetchall()]
            if dates:
                return dates
    return []


def last_order_day(db_path: Path) -> dt.date | None:
    """The last day an All Orders line falls on (its purchase day, any status), else the last
    Amazon Fulfilled Shipments line's shipment day: the last day of the report the sales come from
    (``report_sources`` takes All Orders when it has a line by the as-of date). None with neither."""
    with db.connect(db_path) as con:
        for table, column in (("orders", "purchase_date"), ("shipments", "shipment_date")):
            day = con.execute(f"SELECT max({column}::DATE) FROM {table}").fetchone()[0]
            if day is not None:
                return day
    return None


def as_of_date(db_path: Path) -> dt.date | None:
    """The default as-of date: the latest stock snapshot (``snapshot_dates``), else, for an account
    that has loaded only order history, the last order day (``last_order_day``); None when neither
    is loaded. The forecast, its history and the restock plan default to it."""
    dates = snapshot_dates(db_path)
    return dates[0] if dates else last_order_day(db_path)


def _count(con, table: str, where: str = "true", params: dict | None = None) -> int:
    return con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params or {}).fetchone()[0]


def report_sources(con, as_of: dt.date) -> Sources:
    stock = next((t for t in ("inventory_planning", "manage_inventory")
                  if _count(con, t, "snapshot_date = $d", {"d": as_of})), None)
    sales = next((t for t, c in (("orders", "purchase_date"), ("shipments", "shipment_date"))
                  if _count(con, t, f"{c}::DATE <= $d", {"d": as_of})), None)
    if sales is None and stock == "inventory_planning":
        sales = "inventory_planning"
    first, last = con.execute("SELECT min(date), max(date) FROM ledger_detail").fetchone()
    # The daily balance is rebuilt backwards from the snapshot's units: without one there is no anchor.
    ledger_start = first if stock is not None and first is not None and first <= as_of <= last else None
    return Sources(stock, sales, ledger_start, _count(con, "storage_fees") > 0,
                   _count(con, "fee_preview") > 0, _count(con, "product_costs") > 0)


LEDGER_NET_SQL = """
    SELECT sku, date AS day, sum(quantity) AS net FROM ledger_detail
    WHERE disposition = 'SELLABLE' AND date >= $cal_start AND date <= $as_of GROUP BY ALL"""


def sellable_balance_sql(sku_days: str) -> str:
    """SQL: end-of-day sellable balance per SKU and day, rebuilt backwards from the snapshot.

    ``balance(d) = on hand at the as-of date − the net of every SELLABLE ledger event after day d``.
    ``sku_days`` is a relation of (sku, anchor, day), anchor being the units on hand at ``$as_of``;
    expects the CTE ``ledger_net`` (``LEDGER_NET_SQL``). Returns sku, day, net, end_balance.
    """
    return f"""
        SELECT c.sku, c.day, coalesce(n.net, 0) AS net,
               c.anchor - coalesce(sum(coalesce(n.net, 0)) OVER (PARTITION BY c.sku ORDER BY c.day DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS end_balance
        FROM ({sku_days}) c LEFT JOIN ledger_net n USING (sku, day)"""


def in_stock_sql(balance: str, units_sold: str) -> str:
    """SQL: a day is in stock when it began or ended with sellable units, or something sold that day."""
    return f"(greatest({balance}.end_balance, {balance}.end_balance - {balance}.net) > 0 OR coalesce({units_sold}, 0) > 0)"


def stock_sql(stock: str) -> str:
    if stock == "inventory_planning":
        bands = ", ".join(f"sum({b.planning_column}) AS {b.column}"
                          for b in (*ageing.AGE_BANDS, ageing.LEGACY_BAND))
        ais = " + ".join(f"coalesce({c}, 0)" for c in AIS_COLUMNS)
        return f"""
            SELECT sku, any_value(asin) AS asin, any_value(fnsku) AS fnsku,
                   string_agg(DISTINCT marketplace, ', ') AS marketplace, any_value(product_name) AS product_name,
                   any_value(product_group) AS product_group, sum(coalesce(available, 0)) AS available,
                   sum(coalesce(inbound_quantity, 0)) AS inbound, sum(coalesce(total_reserved_quantity, 0)) AS reserved,
                   sum(coalesce(unfulfillable_quantity, 0)) AS unfulfillable, max(your_price) AS price,
                   max(item_volume) AS item_volume, sum(estimated_storage_cost_next_month) AS storage_next_month,
                   sum({ais}) AS ais_next_month, {bands}
            FROM inventory_planning WHERE snapshot_date = $as_of GROUP BY sku"""
    bands = ", ".join(f"NULL::BIGINT AS {b.column}" for b in (*ageing.AGE_BANDS, ageing.LEGACY_BAND))
    return f"""
        SELECT sku, any_value(asin) AS asin, any_value(fnsku) AS fnsku, NULL::VARCHAR AS marketplace,
               any_value(product_name) AS product_name, NULL::VARCHAR AS product_group,
               sum(coalesce(afn_fulfillable_quantity, 0)) AS available,
               sum(coalesce(afn_inbound_working_quantity, 0) + coalesce(afn_inbound_shipped_quantity, 0)
                   + coalesce(afn_inbound_receiving_quantity, 0)) AS inbound,
               sum(coalesce(afn_reserved_quantity, 0)) AS reserved,
               sum(coalesce(afn_unsellable_quantity, 0)) AS unfulfillable, max(your_price) AS price,
               max(per_unit_volume) AS item_volume, NULL::DOUBLE AS storage_next_month,
               NULL::DOUBLE AS ais_next_month, {bands}
        FROM manage_inventory WHERE snapshot_date = $as_of GROUP BY sku"""


def orders_only_stock_sql(sales: str) -> str:
    """SQL: the ``stock_sql`` relation of an account without a stock snapshot: every SKU with a sales
    line in the lookback (the CTE ``lines``, ``sales_lines_sql``), its units all 0 (the inventory
    position is taken as 0), its name (and ASIN) from its newest line, and its price the average unit
    price of its marketplace lines (Σ item price ÷ Σ units of the lines with a price)."""
    table, day = ("orders", "purchase_date") if sales == "orders" else ("shipments", "shipment_date")
    asin = "arg_max(asin, purchase_date)" if sales == "orders" else "NULL::VARCHAR"
    bands = ", ".join(f"NULL::BIGINT AS {b.column}" for b in (*ageing.AGE_BANDS, ageing.LEGACY_BAND))
    return f"""
        SELECT l.sku, any_value(n.asin) AS asin, NULL::VARCHAR AS fnsku, NULL::VARCHAR AS marketplace,
               any_value(n.product_name) AS product_name, NULL::VARCHAR AS product_group,
               0.0 AS available, 0.0 AS inbound, 0.0 AS reserved, 0.0 AS unfulfillable,
               sum(l.revenue) FILTER (NOT l.mcf)
                   / nullif(sum(l.units) FILTER (NOT l.mcf AND l.revenue IS NOT NULL), 0) AS price,
               NULL::DOUBLE AS item_volume, NULL::DOUBLE AS storage_next_month,
               NULL::DOUBLE AS ais_next_month, {bands}
        FROM lines l LEFT JOIN (SELECT sku, {asin} AS asin, arg_max(product_name, {day}) AS product_name
                                FROM {table} GROUP BY sku) n USING (sku)
        GROUP BY l.sku"""


def sales_lines_sql(sales: str) -> str:
    """Sales lines in the lookback: day, units, revenue, and whether it is an MCF (Non-Amazon) line."""
    if sales == "orders":
        return """
            SELECT sku, purchase_date::DATE AS day, coalesce(quantity, 0) AS units, item_price AS revenue,
                   coalesce(sales_channel = 'Non-Amazon', false) AS mcf
            FROM orders
            WHERE coalesce(order_status, '') <> 'Cancelled' AND coalesce(item_status, '') <> 'Cancelled'
              AND purchase_date::DATE > $start AND purchase_date::DATE <= $as_of"""
    return """
        SELECT sku, shipment_date::DATE AS day, coalesce(quantity_shipped, 0) AS units, item_price AS revenue,
               coalesce(sales_channel = 'Non-Amazon', false) AS mcf
        FROM shipments WHERE shipment_date::DATE > $start AND shipment_date::DATE <= $as_of"""


def _facts(con, as_of: dt.date, params: HealthParams, grade_params: GradeParams, sources: Sources) -> pd.DataFrame:
    """One row per SKU in stock at the as-of date (or sold in the lookback), with raw facts."""
    p, w = params.period_days, params.demand_window_days
    lookback = max(LOOKBACK_DAYS, p, w, grade_params.no_sale_days)
    binds = {"as_of": as_of, "start": as_of - dt.timedelta(days=lookback)}
    ctes = [f"stock AS ({stock_sql(sources.stock)})"] if sources.stock is not None else []
    if sources.sales in ("orders", "shipments"):
        ctes.append(f"lines AS ({sales_lines_sql(sources.sales)})")
    else:
        ctes.append("lines AS (SELECT NULL::VARCHAR AS sku, NULL::DATE AS day, 0 AS units, NULL::DOUBLE AS revenue, "
                    "false AS mcf WHERE false)")
    if sources.stock is None:  # orders only: the SKUs sold, with no stock (plan_table)
        ctes.append(f"stock AS ({orders_only_stock_sql(sources.sales)})")
    age = "datediff('day', day, $as_of)"  # 0 on the as-of day itself
    ctes.append(f"""sales AS (
        SELECT sku,
               sum(units) FILTER (NOT mcf AND {age} < 7) AS units_7d,
               sum(units) FILTER (NOT mcf AND {age} < 30) AS units_30d,
               sum(units) FILTER (NOT mcf AND {age} < 60) AS units_60d,
               sum(units) FILTER (NOT mcf AND {age} < 90) AS units_90d,
               sum(units) FILTER (NOT mcf AND {age} >= 30 AND {age} < 60) AS units_30_59,
               sum(units) FILTER (NOT mcf AND {age} >= 60 AND {age} < 90) AS units_60_89,
               sum(units) FILTER (NOT mcf AND {age} < {w}) AS units_window,
               sum(units) FILTER (NOT mcf AND {age} < {p}) AS units_period,
               sum(revenue) FILTER (NOT mcf AND {age} < {p}) AS revenue_period,
               sum(units) FILTER (mcf AND {age} < 30) AS mcf_units_30d,
               sum(units) FILTER (mcf AND {age} < {p}) AS mcf_units_period,
               sum(units) FILTER ({age} < {int(grade_params.no_sale_days)}) AS units_no_sale,
               sum(units) FILTER ({age} < 90) AS units_90d_all,
               max(day) AS last_sale
        FROM lines GROUP BY sku)""")
    # Weekly demand over the last 13 weeks, zero weeks included: CV = sqrt(E[x²] − E[x]²) / E[x].
    ctes.append(f"""weekly AS (
        SELECT sku, sum(u * u) / 13.0 AS mean_sq, sum(u) / 13.0 AS mean_units FROM (
            SELECT sku, {age} // 7 AS week, sum(units) AS u FROM lines WHERE NOT mcf AND {age} < 91 GROUP BY ALL)
        GROUP BY sku)""")
    ctes.append("""daily AS (SELECT sku, day, sum(units) AS units FROM lines GROUP BY ALL)""")
    if sources.ledger_start is not None:
        span = max(p, w, 90)
        binds["cal_start"] = max(sources.ledger_start, as_of - dt.timedelta(days=span - 1))
        ctes.append(f"ledger_net AS ({LEDGER_NET_SQL})")
        ctes.append("balance AS (" + sellable_balance_sql(
            "SELECT s.sku, s.available + s.reserved AS anchor, d.day FROM stock s, "
            "(SELECT unnest(range($cal_start, $as_of + 1, INTERVAL 1 DAY))::DATE AS day) d") + ")")
        # A day is in stock when it began or ended with sellable units, or something sold that day.
        ctes.append(f"""stock_days AS (
            SELECT b.sku,
                   count(*) FILTER (WHERE {age} < {w}) AS known_window,
                   count(*) FILTER (WHERE {age} < {w} AND in_stock) AS in_stock_window,
                   count(*) FILTER (WHERE {age} < {p}) AS known_period,
                   count(*) FILTER (WHERE {age} < {p} AND in_stock) AS in_stock_period,
                   avg(greatest(end_balance, 0)) FILTER (WHERE {age} < {p}) AS avg_on_hand_ledger
            FROM (SELECT b.*, {in_stock_sql("b", "d.units")} AS in_stock
                  FROM balance b LEFT JOIN daily d USING (sku, day)) b
            GROUP BY b.sku)""")
        ctes.append(f"""on_hand AS (SELECT sku, available + reserved AS units FROM stock)""")
        ctes.append(f"""fifo AS ({ageing.fifo_age_sql()})""")
    else:
        ctes.append("stock_days AS (SELECT NULL::VARCHAR AS sku, 0 AS known_window, 0 AS in_stock_window, "
                    "0 AS known_period, 0 AS in_stock_period, NULL::DOUBLE AS avg_on_hand_ledger WHERE false)")
        ctes.append("fifo AS (SELECT NULL::VARCHAR AS sku, 0 AS age_days, 0 AS units, false AS age_floor WHERE false)")
    snapshot_table = sources.stock
    on_hand_col = ("available + coalesce(total_reserved_quantity, 0)" if snapshot_table == "inventory_planning"
                   else "afn_fulfillable_quantity + coalesce(afn_reserved_quantity, 0)")
    if snapshot_table is None:
        ctes.append("snap_avg AS (SELECT NULL::VARCHAR AS sku, NULL::DOUBLE AS avg_on_hand_snapshots, "
                    "0 AS snapshots, NULL::DOUBLE AS in_stock_share_snapshots WHERE false)")
    else:
        ctes.append(f"""snap_avg AS (
        SELECT sku, avg(units) AS avg_on_hand_snapshots, count(*) AS snapshots,
               avg(CASE WHEN units > 0 THEN 1.0 ELSE 0.0 END) AS in_stock_share_snapshots
        FROM (SELECT sku, snapshot_date, sum({on_hand_col}) AS units FROM {snapshot_table}
              WHERE snapshot_date <= $as_of AND datediff('day', snapshot_date, $as_of) < {p} GROUP BY ALL)
        GROUP BY sku)""")
    if sources.stock == "inventory_planning":
        ais = " + ".join(f"coalesce({c}, 0)" for c in AIS_COLUMNS)
        ctes.append(f"""ais AS (
            SELECT sku, avg(total) AS ais_monthly FROM (
                SELECT sku, snapshot_date, sum({ais}) AS total FROM inventory_planning
                WHERE snapshot_date <= $as_of AND datediff('day', snapshot_date, $as_of) < {p} GROUP BY ALL)
            GROUP BY sku)""")
    else:
        ctes.append("ais AS (SELECT NULL::VARCHAR AS sku, NULL::DOUBLE AS ais_monthly WHERE false)")
    # Storage fees: the daily average over the charge months overlapping the period, times its days.
    ctes.append(f"""fee_months AS (
        SELECT DISTINCT month_of_charge AS m, datediff('day', month_of_charge, month_of_charge + INTERVAL 1 MONTH) AS days
        FROM storage_fees WHERE month_of_charge <= $as_of
          AND month_of_charge + INTERVAL 1 MONTH > $as_of - INTERVAL {p} DAY)""")
    ctes.append(f"""storage AS (
        SELECT fnsku, sum(estimated_monthly_storage_fee) / (SELECT sum(days) FROM fee_months) * {p} AS storage_fees_period
        FROM storage_fees WHERE month_of_charge IN (SELECT m FROM fee_months) GROUP BY fnsku)""")
    ctes.append("""fees AS (
        SELECT sku, arg_max(estimated_fee_total, snapshot_date) AS fee_per_unit, arg_max(brand, snapshot_date) AS brand
        FROM fee_preview WHERE snapshot_date <= $as_of GROUP BY sku)""")
    ctes.append("""costs AS (SELECT sku, any_value(unit_cost) AS unit_cost, any_value(supplier) AS supplier
                   FROM product_costs GROUP BY sku)""")
    fifo_cols = ", ".join(
        f"sum(units) FILTER (WHERE {'age_days >= ' + str(b.low) if b.high is None else f'age_days BETWEEN {b.low} AND {b.high}'}) AS fifo_{b.column}"
        for b in ageing.AGE_BANDS)
    sql = f"""WITH {', '.join(ctes)},
        fifo_bands AS (SELECT sku, {fifo_cols}, bool_or(age_floor) AS fifo_age_floor,
                              sum(units) FILTER (WHERE age_days > {int(grade_params.aged_days)}) AS fifo_over_aged_days,
                              sum(units) AS fifo_units
                       FROM fifo GROUP BY sku)
        SELECT s.*, sa.* EXCLUDE (sku), wk.mean_sq, wk.mean_units, sd.* EXCLUDE (sku), sn.* EXCLUDE (sku),
               ai.ais_monthly, st.storage_fees_period, f.fee_per_unit, f.brand, c.unit_cost, c.supplier,
               fb.* EXCLUDE (sku)
        FROM stock s
        LEFT JOIN sales sa USING (sku) LEFT JOIN weekly wk USING (sku) LEFT JOIN stock_days sd USING (sku)
        LEFT JOIN snap_avg sn USING (sku) LEFT JOIN ais ai USING (sku) LEFT JOIN storage st USING (fnsku)
        LEFT JOIN fees f USING (sku) LEFT JOIN costs c USING (sku) LEFT JOIN fifo_bands fb USING (sku)
        ORDER BY s.sku"""
    # DuckDB refuses parameters the statement does not use ($start goes when there are no sales).
    return con.execute(sql, {k: v for k, v in binds.items() if f"${k}" in sql}).df()


def _planning_sales_fallback(frame: pd.DataFrame, con, as_of: dt.date) -> pd.DataFrame:
    """Without order lines, the planning report's units-shipped-t7/t30/t60/t90 stand in."""
    shipped = con.execute("""
        SELECT sku, sum(units_shipped_t7) AS units_7d, sum(units_shipped_t30) AS units_30d,
               sum(units_shipped_t60) AS units_60d, sum(units_shipped_t90) AS units_90d
        FROM inventory_planning WHERE snapshot_date = $as_of GROUP BY sku""", {"as_of": as_of}).df()
    merged = frame.drop(columns=["units_7d", "units_30d", "units_60d", "units_90d"]).merge(shipped, on="sku", how="left")
    merged["units_30_59"] = merged["units_60d"] - merged["units_30d"]
    merged["units_60_89"] = merged["units_90d"] - merged["units_60d"]
    merged["units_no_sale"] = merged["units_90d_all"] = merged["units_90d"]
    return merged


def _fill(frame: pd.DataFrame, columns, value=0.0) -> None:
    for column in columns:
        frame[column] = frame[column].astype(float).fillna(value)


def sku_table(db_path: Path, params: HealthParams = HealthParams(), grade_params: GradeParams = GradeParams(),
              as_of: dt.date | None = None) -> SkuTable:
    """Every metric per SKU at the as-of date (latest snapshot by default). See docs/metrics.md."""
    dates = snapshot_dates(db_path)
    if as_of is None:
        as_of = dates[0] if dates else None
    with db.connect(db_path) as con:
        sources = report_sources(con, as_of) if as_of else Sources(None, None, None, False, False, False)
        if sources.stock is None:
            return SkuTable(pd.DataFrame(columns=SKU_COLUMNS), as_of, sources, params, grade_params)
        frame = _facts(con, as_of, params, grade_params, sources)
        if sources.sales == "inventory_planning":
            frame = _planning_sales_fallback(frame, con, as_of)
    return SkuTable(_derive(frame, as_of, params, grade_params, sources), as_of, sources, params, grade_params)


# What an orders-only table leaves unknown: the figures that start from stock (the health scores, the
# grades and their actions, the in-stock rate, turnover and ages). Demand, revenue and prices stay.
STOCK_ONLY_COLUMNS = ["in_stock_rate", "turnover", "turnover_days", "dsi", "holding_cost_ratio", "roi_pct",
                      "aged_over_180_share", "aged_over_365_share", "aged_over_share",
                      "score_turnover", "score_structure", "score_service_cost", "score_weighted",
                      "score_ceiling", "health_score"]
NO_STOCK_SNAPSHOT = "no stock snapshot loaded: position taken as 0"


def orders_only_table(db_path: Path, params: HealthParams = HealthParams(),
                      grade_params: GradeParams = GradeParams(), as_of: dt.date | None = None) -> SkuTable:
    """The SKU table of an account without a stock snapshot at ``as_of`` (default ``as_of_date``: the
    last order day): one row per SKU with a sales line in the lookback, its demand, revenue and price
    from the order lines as in ``sku_table``, its stock 0 (available, inbound, reserved: the
    inventory position is taken as 0, ``NO_STOCK_SNAPSHOT``), and the figures that need stock
    (``STOCK_ONLY_COLUMNS``, the grade and its action) unknown. ``sources.stock`` is None. Empty
    without order history, or with a snapshot at ``as_of`` (``sku_table`` covers that)."""
    as_of = as_of or as_of_date(db_path)
    empty = SkuTable(pd.DataFrame(columns=SKU_COLUMNS), as_of, Sources(None, None, None, False, False, False),
                     params, grade_params)
    if as_of is None:
        return empty
    with db.connect(db_path) as con:
        sources = report_sources(con, as_of)
        if sources.stock is not None or sources.sales not in ("orders", "shipments"):
            return SkuTable(empty.frame, as_of, sources, params, grade_params)
        frame = _facts(con, as_of, params, grade_params, sources)
    frame = _derive(frame, as_of, params, grade_params, sources)
    frame = frame.assign(**dict.fromkeys(STOCK_ONLY_COLUMNS, np.nan), grade="", signals="", signal_count=0,
                         action="", age_source="unknown (no stock snapshot)")
    return SkuTable(frame, as_of, sources, params, grade_params)


def plan_table(db_path: Path, params: HealthParams = HealthParams(),
               grade_params: GradeParams = GradeParams(), as_of: dt.date | None = None) -> SkuTable:
    """The SKU table the restock plan and the forecast pages start from: ``sku_table`` when a stock
    snapshot is loaded, else ``orders_only_table`` at the last order day (position taken as 0)."""
    table = sku_table(db_path, params, grade_params, as_of)
    if table.sources.stock is not None or snapshot_dates(db_path):
        return table
    return orders_only_table(db_path, params, grade_params, as_of)


def _derive(f: pd.DataFrame, as_of: dt.date, params: HealthParams, grade_params: GradeParams,
            sources: Sources) -> pd.DataFrame:
    p, w = params.period_days, params.demand_window_days
    _fill(f, ["available", "inbound", "reserved", "unfulfillable", "units_7d", "units_30d", "units_60d",
              "units_90d", "units_30_59", "units_60_89", "units_window", "units_period", "mcf_units_30d",
              "mcf_units_period", "units_no_sale", "units_90d_all", "known_window", "in_stock_window", "known_period",
              "in_stock_period"])
    f["revenue_period"] = f["revenue_period"].astype(float)
    if sources.sales == "inventory_planning":  # t30 is all the window there is
        f["units_window"], f["units_period"] = f["units_30d"], f["units_90d"] * p / 90
        w_eff = 30
    else:
        w_eff = w
    f["on_hand"] = f["available"] + f["reserved"]

    # Velocity and stockout-corrected demand (days before the ledger begins count as in stock).
    f["velocity_30d"] = velocity.velocity(f["units_30d"], 30)
    f["in_stock_days_window"] = f["in_stock_window"] + (w_eff - f["known_window"])
    f["out_of_stock_days_window"] = w_eff - f["in_stock_days_window"]
    f["demand_per_day"] = velocity.corrected_demand_rate(f["units_window"], f["in_stock_days_window"])
    # Out of stock nearly all window: fall back to the raw rate over the whole period.
    f["demand_per_day"] = f["demand_per_day"].fillna(pd.Series(velocity.velocity(f["units_period"], p), index=f.index))
    f["demand_uncorrected"] = velocity.velocity(f["units_window"], w_eff)
    f["days_of_supply"] = velocity.days_of_supply(f["available"], f["demand_per_day"])
    f["days_of_cover"] = velocity.days_of_cover(f["available"], f["inbound"], f["demand_per_day"])

    # In-stock rate over the period: ledger days, else the share of snapshots with stock.
    if sources.ledger_start is not None:
        in_stock_days = f["in_stock_period"] + (p - f["known_period"])
        f["in_stock_rate"] = in_stock_days / p
    else:
        f["in_stock_rate"] = f["in_stock_share_snapshots"].astype(float)

    # Average units on hand over the period: the ledger's daily balances, else the snapshots.
    avg_units = f["avg_on_hand_ledger"].astype(float) if "avg_on_hand_ledger" in f else pd.Series(np.nan, index=f.index)
    f["avg_units_on_hand"] = avg_units.fillna(f["avg_on_hand_snapshots"].astype(float)).fillna(f["on_hand"])

    # Money: unknown (NaN), never zero, where the unit cost is missing.
    f["unit_cost"] = f["unit_cost"].astype(float)
    f["cost_missing"] = f["unit_cost"].isna()
    f["inventory_value"] = f["on_hand"] * f["unit_cost"]
    f["avg_inventory_value"] = f["avg_units_on_hand"] * f["unit_cost"]
    f["cogs_period"] = f["units_period"] * f["unit_cost"]
    money_turns = turnover.annualised_turnover(f["cogs_period"], f["avg_inventory_value"], p)
    unit_turns = turnover.annualised_turnover(f["units_period"], f["avg_units_on_hand"], p)
    f["turnover_basis"] = np.where(f["cost_missing"], "units", "cost")
    f["turnover"] = np.where(f["cost_missing"], unit_turns, money_turns)
    f["turnover_days"] = turnover.turnover_days(f["turnover"])
    f["dsi"] = turnover.days_sales_of_inventory(f["avg_inventory_value"], f["cogs_period"], p)

    storage_fallback = f["storage_next_month"].astype(float) * p / 30
    f["storage_fees_period"] = f["storage_fees_period"].astype(float).fillna(storage_fallback).fillna(0.0)
    f["surcharges_period"] = (f["ais_monthly"].astype(float) * p / 30).fillna(0.0)
    f["capital_cost_period"] = turnover.capital_cost(f["avg_inventory_value"], params.capital_rate_annual, p)
    f["holding_cost_period"] = turnover.holding_cost(f["storage_fees_period"], f["surcharges_period"],
                                                     f["avg_inventory_value"], params.capital_rate_annual, p)
    f["holding_cost_ratio"] = turnover.holding_cost_ratio(f["holding_cost_period"], f["avg_inventory_value"], p)

    # Revenue of lines without a price (Pending orders) is estimated at the listing price.
    f["revenue_period"] = f["revenue_period"].fillna(f["units_period"] * f["price"].astype(float)).fillna(0.0)
    fee_units = f["units_period"] * f["fee_per_unit"].astype(float)
    f["amazon_fees_period"] = fee_units.fillna(f["revenue_period"] * params.default_fee_share)
    f["fees_estimated"] = f["fee_per_unit"].isna()
    f["gross_profit"] = turnover.gross_profit(f["revenue_period"], f["cogs_period"], f["amazon_fees_period"])
    f["roi_pct"] = turnover.roi_pct(f["gross_profit"], f["avg_inventory_value"], f["holding_cost_period"])

    # Ages: FIFO from ledger inflows where the ledger covers the as-of date, else the planning bands.
    fifo = sources.ledger_start is not None and f["fifo_units"].notna().any()
    f["age_source"] = "ledger FIFO" if fifo else ("planning report" if sources.stock == "inventory_planning" else "unknown")
    for band in ageing.AGE_BANDS:
        f[band.column] = (f[f"fifo_{band.column}"] if fifo else f[band.column]).astype(float)
        if fifo:
            f[band.column] = f[band.column].fillna(0.0).where(f["on_hand"] > 0, 0.0)
    f["aged_365_plus"] = f["aged_365_plus"].astype(float)
    bands = f[[*ageing.BAND_COLUMNS, "aged_365_plus"]]
    f["aged_units"] = bands.sum(axis=1, min_count=1)
    older_180 = f[["aged_181_270", "aged_271_365", "aged_366_455", "aged_456_plus", "aged_365_plus"]].sum(axis=1)
    f["aged_over_180_share"] = older_180 / f["aged_units"].where(f["aged_units"] > 0)
    f["aged_over_180_value"] = older_180 * f["unit_cost"]
    if fifo:
        f["aged_over_share"] = f["fifo_over_aged_days"].astype(float).fillna(0) / f["on_hand"].where(f["on_hand"] > 0)
        f["aged_over_share_basis"] = "exact (ledger FIFO)"
    else:
        f["aged_over_share"] = ageing.share_older_than(bands, grade_params.aged_days)
        f["aged_over_share_basis"] = "interpolated within age bands"

    # Dead stock: stock on hand and no sale at all (MCF included) in the last 90 days.
    f["dead_stock"] = (f["on_hand"] > 0) & (f["units_90d_all"] == 0)
    f["dead_units"] = np.where(f["dead_stock"], f["on_hand"], 0.0)
    f["days_since_last_sale"] = (pd.Timestamp(as_of) - pd.to_datetime(f["last_sale"])).dt.days

    # Classes.
    f["abc_class"] = classify.abc_class(f["revenue_period"], params.abc_a_share, params.abc_b_share)
    mean_units = f["mean_units"].astype(float)
    f["demand_cv"] = np.sqrt(np.maximum(f["mean_sq"].astype(float) - mean_units ** 2, 0)) / mean_units.where(mean_units > 0)
    f["xyz_class"] = classify.xyz_class(f["demand_cv"], params.xyz_x_cv, params.xyz_y_cv)

    # Slow-mover grades (before the scores: the grade caps the score).
    signals = grades.slow_mover_signals(f, grade_params)
    f["grade"] = grades.grade(signals)
    f["signals"] = grades.describe_signals(signals, grade_params)
    f["signal_count"] = signals.sum(axis=1)
    f["action"] = f["grade"].map(grades.ACTIONS)

    # Scores.
    dead_share = np.where(f["on_hand"] > 0, f["dead_units"] / f["on_hand"].where(f["on_hand"] > 0), 0.0)
    older_365 = f[OLDER_THAN_365].sum(axis=1)
    f["aged_over_365_share"] = older_365 / f["aged_units"].where(f["aged_units"] > 0)
    f["dead_aged_units"] = np.where(f["dead_stock"], older_365, 0.0)
    # No stock all period: nothing sat idle, so turnover efficiency is full (docs/metrics.md).
    f["score_turnover"] = pd.Series(health.turnover_score(f["turnover"], params), index=f.index).where(
        f["avg_units_on_hand"] > 0, 100.0).fillna(0.0)
    f["score_structure"] = health.structure_score(f["aged_over_180_share"].fillna(0.0), dead_share, params,
                                                  f["aged_over_365_share"].fillna(0.0))
    f["score_service_cost"] = health.service_cost_score(f["in_stock_rate"], f["holding_cost_ratio"], params)
    f["score_weighted"] = health.health_score(f["score_turnover"], f["score_structure"], f["score_service_cost"],
                                              params)
    f["score_ceiling"] = health.grade_ceiling(f["grade"], params)
    f["health_score"] = health.graded_health_score(f["score_weighted"], f["grade"], params)
    f["as_of"] = as_of
    return f[[c for c in SKU_COLUMNS if c in f.columns]].reset_index(drop=True)


SKU_COLUMNS = [
    "sku", "asin", "fnsku", "marketplace", "product_name", "product_group", "brand", "supplier", "as_of",
    "available", "inbound", "reserved", "unfulfillable", "on_hand",
    "units_7d", "units_30d", "units_60d", "units_90d", "units_30_59", "units_60_89", "mcf_units_30d",
    "velocity_30d", "demand_uncorrected", "demand_per_day", "in_stock_days_window", "out_of_stock_days_window",
    "days_of_supply", "days_of_cover", "in_stock_rate", "days_since_last_sale",
    "unit_cost", "cost_missing", "price", "inventory_value", "avg_units_on_hand", "avg_inventory_value",
    "units_period", "revenue_period", "cogs_period", "amazon_fees_period", "fees_estimated", "gross_profit",
    "turnover", "turnover_basis", "turnover_days", "dsi",
    "storage_fees_period", "surcharges_period", "capital_cost_period", "holding_cost_period", "holding_cost_ratio", "roi_pct",
    *ageing.BAND_COLUMNS, "aged_365_plus", "age_source", "aged_over_180_share", "aged_over_180_value",
    "aged_over_365_share", "aged_over_share", "aged_over_share_basis", "dead_stock", "dead_units", "dead_aged_units",
    "abc_class", "demand_cv", "xyz_class",
    "score_turnover", "score_structure", "score_service_cost", "score_weighted", "score_ceiling", "health_score",
    "grade", "signals", "signal_count", "action",
]


def _median_known_cost(frame: pd.DataFrame) -> float:
    known = ~frame["cost_missing"].astype(bool)
    return float(frame.loc[known, "unit_cost"].median()) if known.any() else 1.0


def score_weights(frame: pd.DataFrame) -> pd.Series:
    """Each SKU's weight in the account scores: its average inventory value at cost; without a cost,
    its average units × the median known unit cost; with no average (new stock), its value on hand."""
    known = ~frame["cost_missing"].astype(bool)
    median_cost = _median_known_cost(frame)
    weights = frame["avg_inventory_value"].where(known, frame["avg_units_on_hand"] * median_cost)
    return weights.where(weights > 0, frame["on_hand"] * frame["unit_cost"].fillna(median_cost)).fillna(0.0)


def dead_aged_values(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per SKU: (value on hand, value of dead stock aged over 365 days), at cost; without a cost at the
    median known unit cost (in units when no SKU has one), as ``score_weights`` does. Dead stock over
    a year old: units older than 365 days of a SKU with stock and no sale in 90 days (MCF included)."""
    cost = frame["unit_cost"].astype(float).fillna(_median_known_cost(frame))
    value = (frame["on_hand"].astype(float) * cost).fillna(0.0)
    return value, (frame["dead_aged_units"].astype(float) * cost).fillna(0.0)


def dead_aged_value_share(frame: pd.DataFrame) -> float:
    """Share of the inventory value that is dead stock over a year old (``dead_aged_values``):
    ``Σ dead aged value ÷ Σ value on hand``; NaN with nothing on hand. It sets the account score's
    dead-value ceiling (``core.metrics.health.dead_value_ceiling``)."""
    value, dead = dead_aged_values(frame)
    return float(dead.sum() / value.sum()) if value.sum() > 0 else float("nan")


DIMENSION_WEIGHTS = {"score_turnover": "weight_turnover", "score_structure": "weight_structure",
                     "score_service_cost": "weight_service_cost"}


def points_lost(frame: pd.DataFrame, params: HealthParams = HealthParams()) -> pd.DataFrame:
    """Points of the account health score each SKU costs; over all SKUs ``points_lost`` sums to
    100 − the account score.

    With ``share = weight ÷ Σ weight`` (``score_weights``): per dimension ``lost_<dimension> =
    dimension weight × (100 − dimension score) × share`` (they sum to (100 − weighted score) × share);
    ``lost_grade = (weighted score − health score) × share``, what the grade ceiling takes;
    ``lost_dead_value``, what the account's dead-value ceiling takes below the weighted mean, shared
    among the SKUs holding dead stock over a year old by that value. ``points_lost`` is their sum.
    """
    weights = score_weights(frame).where(frame["health_score"].notna(), 0.0)
    share = weights / weights.sum() if weights.sum() > 0 else weights * 0.0
    lost = {"points_lost": (100 - frame["health_score"]) * share}
    for column, weight_name in DIMENSION_WEIGHTS.items():
        lost[f"lost_{column.removeprefix('score_')}"] = getattr(params, weight_name) * (100 - frame[column]) * share
    lost["lost_grade"] = (frame["score_weighted"] - frame["health_score"]) * share
    mean = health.weighted_mean(frame["health_score"], weights)
    gap = 0.0 if np.isnan(mean) else mean - health.account_health_score(frame["health_score"], weights,
                                                                      dead_aged_value_share(frame))
    _, dead = dead_aged_values(frame)
    lost["lost_dead_value"] = dead / dead.sum() * gap if gap > 0 and dead.sum() > 0 else dead * 0.0
    out = pd.DataFrame(lost, index=frame.index).fillna(0.0)
    out["points_lost"] = out["points_lost"] + out["lost_dead_value"]
    return out


def account_summary(frame: pd.DataFrame, params: HealthParams = HealthParams()) -> dict:
    """Account figures from a (possibly filtered) SKU table, with the sums behind them (``inputs``).

    Sums for units and money (money over SKUs with a unit cost; how many lack one is reported; NaN,
    unknown, when no SKU has a cost, never $0);
    days of supply = Σ available / Σ demand per day; turnover = Σ COGS / Σ average inventory value,
    annualised; dimension scores weighted by ``score_weights``; the health score is
    ``health.account_health_score``: the weighted mean of the SKU scores, at most the dead-value
    ceiling ``100 × (1 − dead_aged_value_share)``.
    """
    if frame.empty:
        return {"skus": 0}
    p = params.period_days
    known = ~frame["cost_missing"].astype(bool)
    weights = score_weights(frame)
    available, demand = float(frame["available"].sum()), float(frame["demand_per_day"].fillna(0).sum())

    def with_cost(column: str) -> float:
        return float(frame.loc[known, column].sum()) if known.any() else float("nan")

    cogs, avg_value = with_cost("cogs_period"), with_cost("avg_inventory_value")
    holding, gp = with_cost("holding_cost_period"), with_cost("gross_profit")
    turns = float(turnover.annualised_turnover(cogs, avg_value, p))
    dead_share = dead_aged_value_share(frame)
    account_health = health.account_health_score(frame["health_score"], weights, dead_share)
    return {
        "as_of": str(frame["as_of"].iloc[0]),
        "skus": int(len(frame)),
        "skus_cost_missing": int((~known).sum()),
        "units_on_hand": float(frame["on_hand"].sum()),
        "units_inbound": float(frame["inbound"].sum()),
        "inventory_value": with_cost("inventory_value"),
        "days_of_supply": available / demand if demand > 0 else float("inf"),
        "turnover": turns,
        "turnover_days": float(turnover.turnover_days(turns)),
        "in_stock_rate": health.weighted_mean(frame["in_stock_rate"], frame["demand_per_day"].fillna(0) + 1e-9),
        "holding_cost_ratio": float(turnover.holding_cost_ratio(holding, avg_value, p)),
        "dead_stock_units": float(frame["dead_units"].sum()),
        "dead_aged_value_share": dead_share,
        "aged_over_180_units": float(frame[OLDER_THAN_180].sum().sum()),
        "value_at_risk_of_ageing": with_cost("aged_over_180_value"),
        "revenue": float(frame["revenue_period"].sum()),
        "gross_profit": gp,
        "roi_pct": float(turnover.roi_pct(gp, avg_value, holding)),
        "score_turnover": health.weighted_mean(frame["score_turnover"], weights),
        "score_structure": health.weighted_mean(frame["score_structure"], weights),
        "score_service_cost": health.weighted_mean(frame["score_service_cost"], weights),
        # The health score's steps: the dimensions' weighted sum (= Σ weight × dimension figure above),
        # the mean after the grade ceilings, then the dead-value ceiling (docs/metrics.md).
        "score_before_ceilings": health.weighted_mean(frame["score_weighted"].where(frame["health_score"].notna()),
                                                      weights),
        "score_weighted_mean": health.weighted_mean(frame["health_score"], weights),
        "dead_value_ceiling": float(health.dead_value_ceiling(dead_share)),
        "health_score": account_health,
        "grades": {g: int((frame["grade"] == g).sum()) for g in ("red", "orange", "yellow")},
        "alert": bool(account_health < params.alert_below),
        "inputs": {"available": available, "demand_per_day": demand, "cogs_period": cogs,
                   "avg_inventory_value": avg_value, "holding_cost_period": holding,
                   "aged_over_180_units_with_cost": float(frame.loc[known, OLDER_THAN_180].sum().sum()),
                   "skus_with_cost": int(known.sum()), "period_days": p},
    }


def snapshot_trend(db_path: Path, sku_list: list[str] | None = None) -> pd.DataFrame:
    """Per stock snapshot date: units on hand, units by age band, and value at today's unit costs
    (over SKUs with a cost; ``value_<band>`` per band), from the FBA Inventory report's snapshots;
    only ``sku_list`` if given."""
    bands = ", ".join(f"sum(coalesce(p.{b.planning_column}, 0)) AS {b.column}, "
                      f"sum(coalesce(p.{b.planning_column}, 0) * c.unit_cost) AS value_{b.column}"
                      for b in (*ageing.AGE_BANDS, ageing.LEGACY_BAND))
    where = "true" if sku_list is None else "list_contains($skus, p.sku)"
    return db.query_df(db_path, f"""
        SELECT p.snapshot_date, sum(p.available + coalesce(p.total_reserved_quantity, 0)) AS units_on_hand,
               sum(p.available) AS available, sum(coalesce(p.inbound_quantity, 0)) AS inbound,
               sum((p.available + coalesce(p.total_reserved_quantity, 0)) * c.unit_cost) AS value_at_cost, {bands}
        FROM inventory_planning p LEFT JOIN product_costs c USING (sku)
        WHERE {where}
        GROUP BY p.snapshot_date ORDER BY p.snapshot_date""", {} if sku_list is None else {"skus": sku_list})
