"""The DuckDB file that is the app's memory: where it lives, how to open it, and its schema.

One file holds everything a seller has loaded, so what was uploaded today is there for the manager
tomorrow. DuckDB lets only one process hold the file open, so we open, work and close (it is cheap),
and retry briefly when another process (a nightly ``fba-health`` run beside the app) has it. Within
one process, writes are serialised by a lock: Streamlit runs each browser session in its own thread.

Each report lands in ``<table>_rows``; a newer file's rows mark the rows they replace as
``superseded_by`` the newer import instead of deleting them, so removing an import brings back what
it replaced. The view ``<table>`` shows the current rows only: every reader uses the view.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.schemas import SCHEMAS, ReportSchema
from core.values import SQL_TYPES

# The folder of this package: in a source checkout (``make``'s editable install) its parent holds
# pyproject.toml, and the database goes in the checkout's data/; a test moves it to check the other rule.
PACKAGE_DIR = Path(__file__).resolve().parent
DB_FILE_NAME = "inventory.duckdb"
LOCK_WAIT_SECONDS = 20.0

# Re-entrant: a writer opening a connection may first bring the schema up to date.
WRITE_LOCK = threading.RLock()
_ready: set[Path] = set()

# Files held open by ``held``: path -> (the holding connection, how many holders).
_held: dict[Path, tuple[duckdb.DuckDBPyConnection, int]] = {}
_held_lock = threading.Lock()


@dataclass(frozen=True)
class DbLocation:
    """Where the database file is and which rule chose it.

    ``source`` is one of ``--db``, ``FBA_HEALTH_DB``, ``checkout`` (the source checkout's
    data/inventory.duckdb) and ``user data folder`` ($XDG_DATA_HOME/fba-health/inventory.duckdb).
    """

    path: Path
    source: str


def default_db_location() -> DbLocation:
    """The database when neither ``--db`` nor ``FBA_HEALTH_DB`` names one; never the current directory.

    In a source checkout (the folder above the ``core`` package holds pyproject.toml: ``make``'s
    editable install, or ``python -m core`` run from the checkout), the checkout's
    ``data/inventory.duckdb``; the app and a cron job started from any directory share it. Installed
    elsewhere (a wheel in site-packages), the per-user data folder of the XDG Base Directory spec:
    ``$XDG_DATA_HOME/fba-health/inventory.duckdb``, where an unset, empty or relative XDG_DATA_HOME
    means ``~/.local/share``.
    """
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return DbLocation(checkout / "data" / DB_FILE_NAME, "checkout")
    data_home = os.environ.get("XDG_DATA_HOME", "")
    usable = data_home and Path(data_home).is_absolute()
    base = Path(data_home) if usable else Path.home() / ".local" / "share"
    return DbLocation(base / "fba-health" / DB_FILE_NAME, "user data folder")


def locate_db(explicit: str | os.PathLike | None = None) -> DbLocation:
    """The database file the app and every command use: ``--db`` if given, else ``FBA_HEALTH_DB``, else
    ``default_db_location()``. Paths are made absolute (``~`` expanded) against the current directory."""
    if explicit:
        chosen = DbLocation(Path(explicit), "--db")
    elif os.environ.get("FBA_HEALTH_DB"):
        chosen = DbLocation(Path(os.environ["FBA_HEALTH_DB"]), "FBA_HEALTH_DB")
    else:
        chosen = default_db_location()
    return DbLocation(chosen.path.expanduser().resolve(), chosen.source)


def resolve_db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database path by ``locate_db``'s rule: ``--db``, else ``FBA_HEALTH_DB``, else the checkout's
    data/inventory.duckdb, else ``$XDG_DATA_HOME/fba-health/inventory.duckdb``."""
    return locate_db(explicit).path


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise DatabaseBusy(path) from error
        except duckdb.ResourceInUseException as error:
            # Another thread of this process is opening or closing the same file at this instant
            # ("Unique file handle conflict": DuckDB 2.0, about 2 opens in 100 with two threads).
            if time.monotonic() > deadline:
                raise DatabaseBusy(path) from error
            delay = min(delay, 0.01)
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    # Timestamps are stored as UTC without zone; make every session agree on that.
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB 2.0's compressed materialisation miscasts a sum of BIGINTs beside an all-NULL sum (stock
    # value with no cost sheet loaded): "Type INT128 with value 1000 can't be cast ... INT8". Every
    # account without costs hit it in the snapshot trend; switched off for every query, not one.
    con.execute("SET disabled_optimizers = 'compressed_materialization'")
    return con


def write_memory_limit() -> str:
    """DuckDB's memory limit for a writing connection: ``FBA_HEALTH_WRITE_MEMORY_LIMIT`` (e.g. ``4GB``),
    else 1 GB."""
    return os.environ.get("FBA_HEALTH_WRITE_MEMORY_LIMIT") or "1GB"


class DatabaseBusy(RuntimeError):
    def __init__(self, path: Path):
        super().__init__(
            f"The database {path} is in use by another program and stayed locked for "
            f"{LOCK_WAIT_SECONDS:.0f} s. Close other fba-health commands or app windows using it, then retry."
        )


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to an up-to-date database, closed on exit."""
    ensure_schema(path)
    con = _open(path)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Keep the database open for the duration of the block (a page render).

    Opening the file loads its catalogue: 17 ms for a 10,000-SKU account, and a page opens it 30 to 60
    times. While one connection stays open, DuckDB hands every further ``connect`` of the same file in
    this process the same instance (0.5 ms). Holders nest and may be in several threads; the file is
    closed when the last one leaves, so another process (``fba-health``) gets it between renders.
    """
    path = Path(path)
    with _held_lock:
        con, holders = _held.get(path, (None, 0))
        if con is None:
            ensure_schema(path)
            con = _open(path)
        _held[path] = (con, holders + 1)
    try:
        yield
    finally:
        with _held_lock:
            con, holders = _held[path]
            if holders == 1:
                del _held[path]
                con.close()
            else:
                _held[path] = (con, holders - 1)


@contextmanager
def writing(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for changes: one writer at a time in this process."""
    with WRITE_LOCK, connect(path) as con:
        # Staging a multi-million-line file would otherwise take up to 80% of RAM; past this limit DuckDB
        # spills to <database>.tmp beside the file (4.6 million order lines: 3.2 GB peak -> 1.25 GB, 12%
        # slower). Reads keep DuckDB's default; the largest, the forecast's history, peaks at 0.6 GB
        # (it runs in batches of SKUs).
        con.execute("SET memory_limit = $limit", {"limit": write_memory_limit()})
        try:
            yield con
        finally:
            # The limit is the instance's: while a page holds the file (``held``), it would outlive
            # this connection and cap the reads after it.
            try:
                con.execute("RESET memory_limit")
            except duckdb.Error:  # a failed write may have left the connection unusable
                pass


def query_df(path: Path, sql: str, params: dict | None = None):
    """Run a read query and return a pandas DataFrame."""
    with connect(path) as con:
        return con.execute(sql, params or {}).df()


def data_version(path: Path, tables: tuple[str, ...] | None = None) -> tuple:
    """Changes whenever an import is added or removed, here or by another process: a cache key.

    ``tables``: only imports into these report tables count (a product-cost save does not change
    the sales history a forecast was fitted on).
    """
    where, binds = ("", {})
    if tables:
        where, binds = "WHERE list_contains($tables, table_name)", {"tables": list(tables)}
    with connect(path) as con:
        return con.execute("SELECT coalesce(max(import_id), 0), count(*), max(loaded_at)::VARCHAR "
                           f"FROM imports {where}", binds).fetchone()


# --- schema ---------------------------------------------------------------------------------------

def physical_columns(schema: ReportSchema) -> list[tuple[str, str]]:
    """Columns of a report's table: bookkeeping, then canonical columns, then the raw extras."""
    cols = [("import_id", "INTEGER"), ("source_row", "BIGINT"), ("superseded_by", "INTEGER"),
            ("key_occurrence", "INTEGER")]
    for column in schema.columns:
        cols.append((column.name, SQL_TYPES[column.type]))
        if column.type == "days":
            cols.append((f"{column.name}_plus", "BOOLEAN"))
    cols.append(("extra", "JSON"))
    return cols


def _migration_1(con: duckdb.DuckDBPyConnection) -> None:
    """Imports ledger."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS imports (
            import_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            report_type VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            row_count BIGINT NOT NULL,
            rows_replaced BIGINT NOT NULL,
            date_min DATE,
            date_max DATE,
            snapshot_date DATE,
            encoding VARCHAR,
            delimiter VARCHAR,
            column_count INTEGER,
            unknown_columns VARCHAR[],
            warnings VARCHAR[],
            is_sample BOOLEAN NOT NULL DEFAULT false,
            loaded_at TIMESTAMP NOT NULL
        )""")


def _migration_2(con: duckdb.DuckDBPyConnection) -> None:
    """Settings edited in the app (health-score targets, grade thresholds), as JSON per name."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS settings (
            name VARCHAR PRIMARY KEY,
            value JSON NOT NULL,
            updated_at TIMESTAMP NOT NULL
        )""")


# Versioned, ordered; never edit one that has shipped, add the next. Column additions to a report
# schema need no migration: ``_sync_report_tables`` adds new canonical columns on open.
MIGRATIONS: list[tuple[int, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, _migration_1),
    (2, _migration_2),
]


def _sync_report_tables(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        rows = f"{schema.table}_rows"
        cols = physical_columns(schema)
        con.execute(f"CREATE TABLE IF NOT EXISTS {rows} ("
                    + ", ".join(f"{n} {t}" for n, t in cols) + ")")
        present = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $t", {"t": rows}
        ).fetchall()}
        for name, sql_type in cols:
            if name not in present:
                con.execute(f"ALTER TABLE {rows} ADD COLUMN {name} {sql_type}")
        con.execute(f"CREATE OR REPLACE VIEW {schema.table} AS SELECT * EXCLUDE "
                    f"(superseded_by, key_occurrence) FROM {rows} WHERE superseded_by IS NULL")


def ensure_schema(path: Path) -> None:
    """Create or upgrade the database file once per process."""
    if path in _ready and path.exists():
        return
    with WRITE_LOCK:
        if path in _ready and path.exists():
            return
        con = _open(path)
        try:
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
            done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
            for version, migrate in MIGRATIONS:
                if version not in done:
                    con.execute("BEGIN")
                    migrate(con)
                    con.execute("INSERT INTO schema_migrations VALUES ($v, now())", {"v": version})
                    con.execute("COMMIT")
            _sync_report_tables(con)
        finally:
            con.close()
        _ready.add(path)
