"""Results kept in the database, so that a slow computation happens once per data version, not once
per process.

Fitting and backtesting every SKU of a 10,000-SKU account takes about 7 s, the IPI trend (one SKU table
per planning snapshot) about 5 s and the fee outlook (``core.fees.outlook``) about 3 s; reading any of
them back takes well under a second. A stored result
is found by a key made of everything it was computed from (``run_key``): for a forecast, the data
version of the reports it reads (``core.db.data_version``: any import or removal changes it), the as-of
date, the parameters and the days of history; always ``STORE_VERSION``, raised whenever what is
computed changes, so that an old result is never read by newer code.

Each kind of result is a set of named frames: table ``stored_<kind>_<name>`` holds the rows of frame
``name`` of every stored run of that kind, with the run's key; ``stored_runs`` lists the runs. Only the
``KEEP_RUNS`` newest runs of each kind are kept. A database that cannot be written to now (held by
another program, read-only, a full disk) just does not get the copy: the caller still has its result,
computed again next time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pandas as pd

from core import db

STORE_VERSION = 7  # 2: the forecast summary's demand_events; 4: yearly profiles, calibration; 5: uplift sources
KEEP_RUNS = 4


def run_key(*parts) -> str:
    """A short stable key for one result (same inputs, same key, in any process)."""
    text = repr((STORE_VERSION, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _table(kind: str, name: str) -> str:
    return f"stored_{kind}_{name}"


def load(db_path: Path, kind: str, key: str, names: tuple[str, ...]) -> dict[str, pd.DataFrame] | None:
    """The stored frames of run ``key`` of ``kind``, by name, or None when there is none.

    Rows come back in the order they were written (DuckDB keeps insertion order); column types as
    DuckDB returns them (a date column comes back as datetime64: the caller restores its own types).
    """
    with db.connect(db_path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
        if not {"stored_runs", *(_table(kind, n) for n in names)} <= tables:
            return None
        found = con.execute("SELECT count(*) FROM stored_runs WHERE kind = $kind AND run_key = $k",
                            {"kind": kind, "k": key}).fetchone()[0]
        if not found:
            return None
        return {name: con.execute(f"SELECT * EXCLUDE (run_key) FROM {_table(kind, name)} WHERE run_key = $k",
                                  {"k": key}).df()
                for name in names}


def save(db_path: Path, kind: str, key: str, as_of: dt.date | None, frames: dict[str, pd.DataFrame]) -> bool:
    """Store ``frames`` as run ``key`` of ``kind`` (replacing one with the same key); keep the newest
    ``KEEP_RUNS`` of that kind. Returns False, storing nothing, when the database cannot be written to."""
    if db.is_read_only(db_path):
        return False
    try:
        with db.writing(db_path) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                _create_tables(con, kind, frames)
                tables = [_table(kind, name) for name in frames]
                _delete(con, kind, tables, [key])
                for name, frame in frames.items():
                    con.register("new_rows", frame)
                    _type_untyped_columns(con, _table(kind, name))
                    con.execute(f"INSERT INTO {_table(kind, name)} SELECT $k, * FROM new_rows", {"k": key})
                    con.unregister("new_rows")
                con.execute("INSERT INTO stored_runs VALUES ($kind, $k, $as_of, now()::TIMESTAMP)",
                            {"kind": kind, "k": key, "as_of": as_of})
                old = [r[0] for r in con.execute(
                    "SELECT run_key FROM stored_runs WHERE kind = $kind ORDER BY created_at DESC "
                    f"OFFSET {KEEP_RUNS}", {"kind": kind}).fetchall()]
                _delete(con, kind, tables, old)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    except (db.DatabaseUnavailable, duckdb.Error):
        return False
    return True


def _delete(con, kind: str, tables: list[str], keys: list[str]) -> None:
    if not keys:
        return
    con.execute("DELETE FROM stored_runs WHERE kind = $kind AND list_contains($keys, run_key)",
                {"kind": kind, "keys": keys})
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE list_contains($keys, run_key)", {"keys": keys})


def _type_untyped_columns(con, table: str) -> None:
    """Give a column of type NULL the type of the rows now being stored (``new_rows``).

    A table first made from an empty frame (an account with no band crossings) cannot know its object
    columns' types: DuckDB makes them NULL, and no value could be inserted into them afterwards. Their
    only values are NULLs, so changing the type loses nothing.
    """
    stored = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $t",
                         {"t": table}).fetchall()
    incoming = {r[0]: r[1] for r in con.execute("DESCRIBE SELECT * FROM new_rows").fetchall()}
    for column, data_type in stored:
        if data_type.strip('"') == "NULL" and incoming.get(column, "NULL").strip('"') != "NULL":
            con.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DATA TYPE {incoming[column]}')


def _create_tables(con, kind: str, frames: dict[str, pd.DataFrame]) -> None:
    """The kind's tables; made anew (empty) when their stored columns are not the ones computed now."""
    con.execute("CREATE TABLE IF NOT EXISTS stored_runs "
                "(kind VARCHAR, run_key VARCHAR, as_of DATE, created_at TIMESTAMP)")
    wanted = {_table(kind, name): ["run_key", *frame.columns] for name, frame in frames.items()}
    stored = {table: [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                                "WHERE table_name = $t ORDER BY ordinal_position",
                                                {"t": table}).fetchall()] for table in wanted}
    if any(columns and columns != wanted[table] for table, columns in stored.items()):
        con.execute("DELETE FROM stored_runs WHERE kind = $kind", {"kind": kind})
        for table in wanted:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        stored = {table: [] for table in wanted}
    for (table, columns), frame in zip(stored.items(), frames.values()):
        if not columns:
            con.register("shape", frame)  # the rows too: an object column's type is read from its values
            con.execute(f"CREATE TABLE {table} AS SELECT ''::VARCHAR AS run_key, * FROM shape LIMIT 0")
            con.unregister("shape")
