"""Forecasts kept in the database, so that fitting happens once per data version, not once per process.

Fitting and backtesting every SKU of a 10,000-SKU account takes about 11 s; reading the stored result
back takes well under a second. A stored forecast is found by a key made of everything it was computed
from: the data version (``core.db.data_version``: any import or removal changes it), the as-of date, the
forecast parameters, the days of history, and ``STORE_VERSION`` (raised whenever the engine changes what
it computes, so an old result is never read by a newer engine).

Three tables, created on first use: ``forecast_runs`` (one row per stored forecast), ``forecast_summary``
and ``forecast_daily`` (the rows of ``ForecastResult.summary`` and ``.daily`` with the run's key). Only
the ``KEEP_RUNS`` most recent runs are kept. A database that cannot be written to (held by another
program) just does not get the copy: the forecast is still returned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from core import db
from core.forecast.params import ForecastParams

STORE_VERSION = 1
KEEP_RUNS = 4


def run_key(version: tuple, as_of: dt.date, params: ForecastParams, days: int) -> str:
    """A short stable key for one forecast (same inputs, same key, in any process)."""
    text = repr((STORE_VERSION, tuple(version), as_of.isoformat(), params, days))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load(db_path: Path, key: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The stored (summary, daily) for ``key``, or None when there is none."""
    with db.connect(db_path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
        if not {"forecast_runs", "forecast_summary", "forecast_daily"} <= tables:
            return None
        if con.execute("SELECT count(*) FROM forecast_runs WHERE run_key = $k", {"k": key}).fetchone()[0] == 0:
            return None
        # Rows come back in the order they were written (DuckDB keeps insertion order): sku, then day.
        summary = con.execute("SELECT * EXCLUDE (run_key) FROM forecast_summary WHERE run_key = $k",
                              {"k": key}).df()
        daily = con.execute("SELECT * EXCLUDE (run_key) FROM forecast_daily WHERE run_key = $k",
                            {"k": key}).df()
    daily["day"] = daily["day"].astype("datetime64[s]")
    return summary, daily


def save(db_path: Path, key: str, as_of: dt.date, summary: pd.DataFrame, daily: pd.DataFrame) -> bool:
    """Store one forecast under ``key`` (replacing one with the same key); keep the newest ``KEEP_RUNS``.

    Returns False, storing nothing, when the database cannot be written to now.
    """
    try:
        with db.writing(db_path) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                _create_tables(con, summary, daily)
                for table in ("forecast_runs", "forecast_summary", "forecast_daily"):
                    con.execute(f"DELETE FROM {table} WHERE run_key = $k", {"k": key})
                con.register("new_summary", summary)
                con.register("new_daily", daily)
                con.execute("INSERT INTO forecast_summary SELECT $k, * FROM new_summary", {"k": key})
                con.execute("INSERT INTO forecast_daily SELECT $k, * FROM new_daily", {"k": key})
                con.execute("INSERT INTO forecast_runs VALUES ($k, $as_of, now()::TIMESTAMP)",
                            {"k": key, "as_of": as_of})
                old = [r[0] for r in con.execute("SELECT run_key FROM forecast_runs ORDER BY created_at DESC "
                                                 f"OFFSET {KEEP_RUNS}").fetchall()]
                for table in ("forecast_runs", "forecast_summary", "forecast_daily"):
                    con.execute(f"DELETE FROM {table} WHERE list_contains($old, run_key)", {"old": old})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    except (db.DatabaseBusy, duckdb.Error):
        return False
    return True


def _create_tables(con, summary: pd.DataFrame, daily: pd.DataFrame) -> None:
    """The three tables; made anew (empty) when the stored columns are not the ones computed now."""
    wanted = {"forecast_summary": ["run_key", *summary.columns], "forecast_daily": ["run_key", *daily.columns]}
    stored = {table: [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                                "WHERE table_name = $t ORDER BY ordinal_position",
                                                {"t": table}).fetchall()] for table in wanted}
    if any(columns and columns != wanted[table] for table, columns in stored.items()):
        con.execute("DROP TABLE IF EXISTS forecast_runs")
        for table in wanted:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        stored = {table: [] for table in wanted}
    con.execute("CREATE TABLE IF NOT EXISTS forecast_runs (run_key VARCHAR, as_of DATE, created_at TIMESTAMP)")
    for (table, columns), frame in zip(stored.items(), (summary, daily)):
        if not columns:
            con.register("shape", frame.head(0))
            con.execute(f"CREATE TABLE {table} AS SELECT ''::VARCHAR AS run_key, * FROM shape")
            con.unregister("shape")
