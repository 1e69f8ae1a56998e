"""The DuckDB file that is the app's memory: where it lives, how to open it, and its schema.

One file holds everything a seller has loaded, so what was uploaded today is there for the manager
tomorrow. DuckDB lets only one process hold the file open, so we open, work and close (it is cheap),
and retry briefly when another process (a nightly ``fba-health`` run beside the app) has it. Within
one process, writes are serialised by a lock: Streamlit runs each browser session in its own thread.

Each report lands in ``<table>_rows``; a newer file's rows mark the rows they replace as
``superseded_by`` the newer import instead of deleting them, so removing an import brings back what
it replaced. The view ``<table>`` shows the current rows only: every reader uses the view.

A file this process may not write (its mode, its folder's, a read-only mount: ``is_read_only``) is
opened read-only: reads work, ``writing`` refuses. Every refusal to open is a ``DatabaseUnavailable``
saying what it is (locked, not a database, permission denied, newer version, read-only, disk full),
and only a lock is waited for. The file records its schema version (``schema_info``); one written by
a newer schema is refused before anything in it changes.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
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
# Per file: why this process opens it read-only (None: it writes). Decided at the first open.
_read_only: dict[Path, str | None] = {}

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


def _open(path: Path, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its lock; every other refusal is raised at
    once as the ``DatabaseUnavailable`` that says what it is."""
    if path not in _ready:
        # Reading the file's first bytes opens and closes it, and closing any descriptor of a file
        # drops every POSIX lock this process holds on it (DuckDB's too): only before the first open.
        check_file(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseDenied(path, f"its folder {path.parent} cannot be created ({error.strerror})") from error
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.ResourceInUseException as error:
            # Another thread of this process is opening or closing the same file at this instant
            # ("Unique file handle conflict": DuckDB 2.0, about 2 opens in 100 with two threads).
            if time.monotonic() > deadline:
                raise DatabaseBusy(path) from error
            delay = min(delay, 0.01)
        except duckdb.Error as error:
            refusal = _refusal(path, error)
            if not isinstance(refusal, DatabaseBusy) or time.monotonic() > deadline:
                if isinstance(refusal, DatabaseBusy):
                    refusal = DatabaseBusy(path, refusal.holder, waited=wait)
                raise refusal from error
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    # Timestamps are stored as UTC without zone; make every session agree on that.
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB 2.0's compressed materialisation miscasts a sum of BIGINTs beside an all-NULL sum (stock
    # value with no cost sheet loaded): "Type INT128 with value 1000 can't be cast ... INT8". Every
    # account without costs hit it in the snapshot trend; switched off for every query, not one.
    con.execute("SET disabled_optimizers = 'compressed_materialization'")
    return con


def check_file(path: Path) -> None:
    """``NotADatabase`` when ``path`` is a folder or a file that is not a DuckDB database (DuckDB writes
    "DUCK" at byte 8), ``DatabaseDenied`` when it cannot be read; a missing path is fine (a load
    creates it). Checked before DuckDB sees the file: DuckDB would try to load its SQLite extension
    for an SQLite file, and say "not a valid DuckDB database file" for an empty one."""
    if path.is_dir():
        raise NotADatabase(path, f"{path} is a folder: --db and FBA_HEALTH_DB name the database file itself, "
                                 "e.g. data/inventory.duckdb.")
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return
    except OSError as error:
        raise DatabaseDenied(path, f"it cannot be read ({error.strerror})") from error
    if head[8:12] == b"DUCK":
        return
    what = ("an SQLite database, " if head.startswith(b"SQLite format 3\0") else
            "an empty file, " if not head else "")
    raise NotADatabase(path, f"{path} is not a database file of this app ({what}not a DuckDB file): give "
                             "--db or FBA_HEALTH_DB a .duckdb file made by fba-health or the app, or a new path.")


def _refusal(path: Path, error: duckdb.Error) -> DatabaseUnavailable:
    """What DuckDB's refusal to open ``path`` means, in words."""
    text = str(error)
    lowered = text.lower()
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        pid = re.search(r"\(PID (\d+)\)", text)
        return DatabaseBusy(path, holder=holder_description(int(pid.group(1))) if pid else "")
    if "newer version of duckdb" in lowered or "storage version" in lowered:
        found = re.search(r"version number (\d+)", text)
        return DatabaseTooNew(path, "it was written by a newer version of DuckDB (storage version "
                              f"{found.group(1) if found else '?'}; this program has DuckDB {duckdb.__version__}). "
                              "Update fba-health (and its DuckDB) to open it.")
    if "permission denied" in lowered:
        return DatabaseDenied(path, "permission denied: this user may not open it")
    if "read-only file system" in lowered:
        return DatabaseDenied(path, "it is on a read-only file system")
    if "no space left" in lowered:
        return DiskFull(path)
    if ("not a valid duckdb database" in lowered or "could not read enough bytes" in lowered
            or "corrupt" in lowered):
        return NotADatabase(path, f"{path} cannot be read as a DuckDB database (damaged or cut short: "
                                  f"{text.splitlines()[0][:200]}). Restore it from a backup, or give a new path.")
    return DatabaseUnavailable(path, f"The database {path} cannot be opened: {text.splitlines()[0][:300]}")


def holder_description(pid: int) -> str:
    """Who holds the lock, as far as this machine tells: "fba-health load, process 1234, started
    2026-12-07 05:31"; just the process number where /proc does not say more (another OS)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        args = [a.decode(errors="replace") for a in args if a]
        # field 22 of /proc/PID/stat: the start in clock ticks after boot (/proc/stat's btime)
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        started = dt.datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, StopIteration):
        return f"process {pid}"
    words = [Path(a).name if n == 0 or "/" in a else a for n, a in enumerate(args)]
    if words and words[0].startswith("python"):  # the interpreter: what it runs is the program
        words = words[1:]
        if words[:1] == ["-m"]:
            words = words[1:]
    if words[:1] == ["core"]:  # python -m core is fba-health
        words[0] = "fba-health"
    if words[:1] == ["streamlit"]:
        command = "the app (streamlit)"
    elif words[:1] == ["-c"] or not words:
        command = "a Python program"
    else:
        command = " ".join(w for w in words[:2] if not w.startswith("-"))
    return f"{command}, process {pid}, started {started:%Y-%m-%d %H:%M}"


def write_memory_limit() -> str:
    """DuckDB's memory limit for a writing connection: ``FBA_HEALTH_WRITE_MEMORY_LIMIT`` (e.g. ``4GB``),
    else 1 GB."""
    return os.environ.get("FBA_HEALTH_WRITE_MEMORY_LIMIT") or "1GB"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used as asked; the message says why in words. ``kind`` names the reason
    for scripts (``fba-health where --json``), ``exit_code`` is the command line's."""

    kind = "unavailable"
    exit_code = 7

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path


class DatabaseBusy(DatabaseUnavailable):
    """Another program holds the file's lock, and kept it for ``LOCK_WAIT_SECONDS``."""

    kind = "locked"
    exit_code = 3

    def __init__(self, path: Path, holder: str = "", waited: float | None = None):
        waited = LOCK_WAIT_SECONDS if waited is None else waited
        by = f" ({holder})" if holder else ""
        super().__init__(path, f"The database {path} is in use by another program{by} and stayed locked for "
                               f"{waited:.0f} s. Close other fba-health commands or app windows "
                               "using it, then retry.")
        self.holder = holder


class NotADatabase(DatabaseUnavailable):
    kind = "not_a_database"
    exit_code = 2


class DatabaseDenied(DatabaseUnavailable):
    kind = "permission_denied"

    def __init__(self, path: Path, reason: str):
        super().__init__(path, f"The database {path} cannot be opened: {reason}.")


class DatabaseTooNew(DatabaseUnavailable):
    """Written by a newer fba-health (schema) or DuckDB (storage): left as it is."""

    kind = "newer_version"

    def __init__(self, path: Path, reason: str):
        super().__init__(path, f"The database {path} is left unchanged: {reason}")


class DatabaseReadOnly(DatabaseUnavailable):
    """A change asked of a database this program may only read."""

    kind = "read_only"

    def __init__(self, path: Path, reason: str | None = None):
        super().__init__(path, f"The database {path} is read-only here ({reason or read_only_reason(path)}): "
                               "it can be read, not changed. To load or change anything, copy it to a folder "
                               "you can write to and use the copy.")


class DatabaseOutdated(DatabaseUnavailable):
    """A read-only database from an older fba-health that lacks tables or columns this code reads."""

    kind = "needs_upgrade"

    def __init__(self, path: Path, missing: str):
        super().__init__(path, f"The database {path} was written by an older fba-health and needs an upgrade "
                               f"({missing}), which a read-only file cannot take: copy it to a folder you can "
                               "write to and open the copy once.")


class DiskFull(DatabaseUnavailable):
    kind = "disk_full"

    def __init__(self, path: Path):
        super().__init__(path, f"The disk holding the database {path} is full (no space left on device): "
                               "nothing was changed. Free some space there, then retry.")


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` (or one it came from) is the disk running out of space: DuckDB's "No space
    left on device", an ``OSError`` ENOSPC, or "transaction is aborted" after one of them."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


def read_only_reason(path: Path) -> str | None:
    """Why this process may not write ``path`` (None when it may): the file, or its folder (DuckDB
    writes its journal ``<file>.wal`` beside it), is not writable, or is on a read-only mount."""
    path = Path(path)
    try:
        if os.statvfs(path if path.exists() else path.parent).f_flag & os.ST_RDONLY:
            return "it is on a read-only mount"
    except OSError:
        pass
    if path.exists():
        if not os.access(path, os.W_OK):
            return "the file is not writable"
        if not os.access(path.parent, os.W_OK):
            return f"its folder {path.parent} is not writable"
        return None
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return None if os.access(folder, os.W_OK) else f"its folder {folder} is not writable"


def is_read_only(path: Path) -> bool:
    """Whether this process opens ``path`` read-only (decided once per process, at its first open)."""
    path = Path(path)
    if path not in _read_only:
        _read_only[path] = read_only_reason(path)
    return _read_only[path] is not None


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to an up-to-date database, closed on exit."""
    ensure_schema(path)
    con = _open(path, read_only=is_read_only(path))
    try:
        yield con
    finally:
        con.close()


@contextmanager
def held(path: Path, wait: float | None = None) -> Iterator[None]:
    """Keep the database open for the duration of the block (a page render).

    Opening the file loads its catalogue: 17 ms for a 10,000-SKU account, and a page opens it 30 to 60
    times. While one connection stays open, DuckDB hands every further ``connect`` of the same file in
    this process the same instance (0.5 ms). Holders nest and may be in several threads; the file is
    closed when the last one leaves, so another process (``fba-health``) gets it between renders.
    ``wait``: how long to wait for another process's lock (default ``LOCK_WAIT_SECONDS``).
    """
    path = Path(path)
    with _held_lock:
        con, holders = _held.get(path, (None, 0))
        if con is None:
            ensure_schema(path, wait)
            con = _open(path, read_only=is_read_only(path), wait=wait)
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
    """A connection for changes: one writer at a time in this process. ``DatabaseReadOnly`` on a
    database this process may only read; ``DiskFull`` when the disk runs out of space on the way."""
    path = Path(path)
    if is_read_only(path):
        raise DatabaseReadOnly(path, _read_only[path])
    with WRITE_LOCK, connect(path) as con, _disk_full_said(path):
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


@contextmanager
def _disk_full_said(path: Path) -> Iterator[None]:
    """A write that ran out of disk space says so (``DiskFull``), instead of DuckDB's "transaction is
    aborted" or "cannot rollback" that followed it."""
    try:
        yield
    except (duckdb.Error, OSError) as error:
        if is_disk_full(error):
            raise DiskFull(path) from error
        raise


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


def _migration_3(con: duckdb.DuckDBPyConnection) -> None:
    """The schema's version in the file itself (``schema_info``): what an older program checks before
    it touches a file written by a newer one; and the ledger of compactions."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_info (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    # ``fba-health compact``: the imports whose replaced rows it dropped (removing one restores nothing).
    con.execute("""
        CREATE TABLE IF NOT EXISTS compacted_imports (
            import_id INTEGER PRIMARY KEY,
            rows_dropped BIGINT NOT NULL,
            compacted_at TIMESTAMP NOT NULL
        )""")


# Versioned, ordered; never edit one that has shipped, add the next. Column additions to a report
# schema need no migration: ``_sync_report_tables`` adds new canonical columns on open. A change an
# older program would misread (a report column renamed, removed or retyped, a table's meaning
# changed) needs a migration, or at least ``REPORT_LAYOUT`` raised: either makes older programs refuse
# the file instead of adding the old columns back and reading them as empty.
MIGRATIONS: list[tuple[int, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, _migration_1),
    (2, _migration_2),
    (3, _migration_3),
]
SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)
REPORT_LAYOUT = 1  # the report tables' layout (``physical_columns``); raise on an incompatible change


def app_version() -> str:
    """This program's version (pyproject.toml's), written into each database it upgrades."""
    try:
        from importlib.metadata import version
        return version("fba-health")
    except Exception:  # noqa: BLE001 (a source tree without the package installed)
        return "unknown"


@dataclass(frozen=True)
class FileSchema:
    """What a database file says about the code that wrote it."""

    version: int  # the highest migration applied (0: a new file)
    report_layout: int
    written_by: str | None


def file_schema(con: duckdb.DuckDBPyConnection) -> FileSchema:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main'").fetchall()}
    version = 0
    if "schema_migrations" in tables:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
    info = {}
    if "schema_info" in tables:
        info = dict(con.execute("SELECT name, value FROM schema_info").fetchall())
    return FileSchema(int(version), int(info.get("report_layout", 1)), info.get("written_by"))


def _refuse_newer(path: Path, found: FileSchema) -> None:
    """``DatabaseTooNew`` when the file was written by a newer schema than this code's, before anything
    in it is touched."""
    if found.version <= SCHEMA_VERSION and found.report_layout <= REPORT_LAYOUT:
        return
    needed = f"fba-health {found.written_by} or newer" if found.written_by else "a newer fba-health"
    raise DatabaseTooNew(path, f"it was written by a newer version of fba-health (database schema version "
                               f"{found.version}, report layout {found.report_layout}; this program, fba-health "
                               f"{app_version()}, reads up to schema version {SCHEMA_VERSION}, report layout "
                               f"{REPORT_LAYOUT}). Open it with {needed}.")


def _sync_report_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the report tables and views, add new canonical columns; writes nothing when all are
    there (an up-to-date file is opened without a change: a full disk can still be read)."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns "
                                     "WHERE table_schema = 'main'").fetchall():
        columns.setdefault(table, set()).add(column)
    for schema in SCHEMAS:
        rows = f"{schema.table}_rows"
        cols = physical_columns(schema)
        changed = False
        if rows not in columns:
            con.execute(f"CREATE TABLE {rows} (" + ", ".join(f"{n} {t}" for n, t in cols) + ")")
            changed = True
        else:
            for name, sql_type in cols:
                if name not in columns[rows]:
                    con.execute(f"ALTER TABLE {rows} ADD COLUMN {name} {sql_type}")
                    changed = True
        if changed or schema.table not in columns:
            con.execute(f"CREATE OR REPLACE VIEW {schema.table} AS SELECT * EXCLUDE "
                        f"(superseded_by, key_occurrence) FROM {rows} WHERE superseded_by IS NULL")


def _missing_for_reading(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What a read-only file lacks that this code reads: tables, report columns, views."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns "
                                     "WHERE table_schema = 'main'").fetchall():
        columns.setdefault(table, set()).add(column)
    missing = [t for t in ("imports", "settings") if t not in columns]
    for schema in SCHEMAS:
        rows = f"{schema.table}_rows"
        if rows not in columns:
            missing.append(f"table {rows}")
            continue
        if schema.table not in columns:
            missing.append(f"view {schema.table}")
        missing += [f"column {rows}.{n}" for n, _ in physical_columns(schema) if n not in columns[rows]]
    return missing


def check_openable(path: Path, wait: float = 1.0) -> None:
    """Raise the ``DatabaseUnavailable`` that opening ``path`` would meet, changing nothing (an existing
    file opened read-only, its schema version checked); a missing path is fine. Not while this process
    has the file open."""
    path = Path(path)
    check_file(path)
    if not path.exists():
        return
    con = _open(path, read_only=True, wait=wait)
    try:
        _refuse_newer(path, file_schema(con))
        if is_read_only(path) and (missing := _missing_for_reading(con)):
            raise DatabaseOutdated(path, "missing " + ", ".join(missing[:3]) + (" …" if len(missing) > 3 else ""))
    finally:
        con.close()


def ensure_schema(path: Path, wait: float | None = None) -> None:
    """Create or upgrade the database file once per process; clear what a killed run left beside it.

    A file written by a newer schema is refused (``DatabaseTooNew``) before anything in it changes. A
    read-only file (``is_read_only``) is never written: its version is checked, and a file too old
    to be read as it is is refused (``DatabaseOutdated``); one that lacks only newer bookkeeping (an
    upgrade this code would add, e.g. ``schema_info``) is read as it is.
    """
    path = Path(path)
    if path in _ready and path.exists():
        return
    with WRITE_LOCK:
        if path in _ready and path.exists():
            return
        if is_read_only(path):
            if not path.exists():
                raise DatabaseReadOnly(path, f"there is no database there yet, and {_read_only[path]}")
            con = _open(path, read_only=True, wait=wait)
            try:
                _refuse_newer(path, file_schema(con))
                missing = _missing_for_reading(con)
                if missing:
                    raise DatabaseOutdated(path, "missing " + ", ".join(missing[:3])
                                           + (" …" if len(missing) > 3 else ""))
            finally:
                con.close()
            _ready.add(path)
            return
        con = _open(path, wait=wait)
        try:
            _refuse_newer(path, file_schema(con))
            from core import housekeeping  # it opens nothing: it cleans what this lock now guards
            housekeeping.clean_after_crash(path)
            with _disk_full_said(path):
                con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
                done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
                for version, migrate in MIGRATIONS:
                    if version not in done:
                        con.execute("BEGIN")
                        migrate(con)
                        con.execute("INSERT INTO schema_migrations VALUES ($v, now())", {"v": version})
                        con.execute("COMMIT")
                has_info = con.execute("SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_name = 'schema_info'").fetchone()[0]
                written = dict(con.execute("SELECT name, value FROM schema_info").fetchall()) if has_info else {}
                wanted = {"schema_version": str(SCHEMA_VERSION), "report_layout": str(REPORT_LAYOUT)}
                if has_info and any(written.get(k) != v for k, v in wanted.items()):
                    # the program that brought the file to this version: the oldest that can open it
                    wanted["written_by"] = app_version()
                    con.execute("INSERT OR REPLACE INTO schema_info SELECT * FROM (VALUES "
                                + ", ".join(f"('{k}', $v{i})" for i, k in enumerate(wanted)) + ")",
                                {f"v{i}": v for i, v in enumerate(wanted.values())})
                _sync_report_tables(con)
        finally:
            con.close()
        _ready.add(path)
