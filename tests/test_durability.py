"""Concurrency and durability of the database file (issue 7): uploads from two browser sessions at once,
a command beside a writer, an import killed mid-way, and a database made by an older version.

Everything here runs against real DuckDB files and real processes. No test sleeps to synchronise:
subprocesses print markers (or block at a known statement) and the test acts on them.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from core import db, ingest, settings
from tests.reportfiles import header, order_row, write_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
TIMEOUT = 60  # seconds: only a hang ever gets near this


# --- helpers ---------------------------------------------------------------------------------------

def state(path: Path) -> dict:
    """Everything a crash could damage: tables and their columns, a checksum and count of every table
    (imports ledger and schema_migrations included), and data_version. Opens the file afresh, so
    ensure_schema runs in full (as the first open after a crash does)."""
    db._ready.discard(path)
    db.ensure_schema(path)
    con = duckdb.connect(str(path))
    try:
        tables = con.execute("SELECT table_name, table_type FROM information_schema.tables "
                             "WHERE table_schema = 'main' ORDER BY 1").fetchall()
        columns = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                              "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
        content = {name: con.execute(f'SELECT count(*), sum(hash(r)) FROM "{name}" AS r').fetchone()
                   for name, kind in tables if kind == "BASE TABLE"}
    finally:
        con.close()
    return {"tables": tables, "columns": columns, "content": content, "data_version": db.data_version(path)}


def fetch(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sample_lines(name: str = "all_orders.txt.gz") -> list[str]:
    """The lines of one of the demo account's gzipped reports (header first)."""
    with gzip.open(SAMPLE / name, "rt", encoding="utf-8-sig") as handle:
        return handle.read().splitlines()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def subprocess_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FBA_HEALTH_DB"}
    env["TMPDIR"] = str(tmp_path)  # a killed load leaves its scratch directory here, not in /tmp
    return env


def run_driver(driver: str, args: list, tmp_path: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", driver, *map(str, args)], cwd=ROOT,
                            env=subprocess_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True, **kwargs)


# --- 1. two sessions uploading at once -------------------------------------------------------------

def _load_all(path: Path, files: list[Path]) -> None:
    for file in files:
        assert ingest.load_report(path, file).status == "loaded"


def _table_digest(path: Path) -> dict:
    """Row counts and content of the report tables, independent of which import got which id."""
    digest = {}
    for table in ("orders_rows", "ledger_detail_rows"):
        digest[table] = fetch(path, f"SELECT count(*), count(*) FILTER (WHERE r.current), sum(hash(r)) FROM "
                                    f"(SELECT * EXCLUDE (import_id, superseded_by), superseded_by IS NULL AS current "
                                    f"FROM {table}) AS r")[0]
    digest["imports"] = sorted(fetch(path, "SELECT file_name, sha256, report_type, row_count, rows_replaced "
                                           "FROM imports"))
    return digest


def test_two_sessions_loading_at_once_both_land_and_readers_never_see_half_a_file(tmp_path, monkeypatch):
    """Streamlit runs each browser session in a thread: two uploads at the same moment (All Orders and
    the ledger) both land, with the same result as loading them one after the other, and a third
    session reading meanwhile sees each table either before or after a file, never part of one."""
    lines = sample_lines()
    earlier = write_lines(tmp_path / "orders_earlier.txt", lines[:1001])  # 1,000 of its rows get replaced
    orders = write_lines(tmp_path / "orders.txt", lines[:15001])
    ledger = write_lines(tmp_path / "ledger.txt", sample_lines("ledger_detail.txt.gz")[:10001])

    reference = tmp_path / "one_after_the_other.duckdb"
    _load_all(reference, [earlier, orders, ledger])
    expected = _table_digest(reference)

    path = tmp_path / "at_once.duckdb"
    _load_all(path, [earlier])
    poll = ("SELECT (SELECT count(*) FROM orders_rows), (SELECT count(*) FROM orders), "
            "(SELECT count(*) FROM ledger_detail_rows), (SELECT count(*) FROM ledger_detail)")
    before = fetch(path, poll)[0]
    final = fetch(reference, poll)[0]
    assert before[:2] != final[:2] and before[2:] != final[2:]

    # Hold the orders import at its COMMIT (everything inserted and replaced, nothing committed) until
    # the reader has polled at least once there: the one moment a half-loaded file could show.
    at_commit, reader_polled = threading.Event(), threading.Event()
    real_writing = db.writing

    class Watched:
        def __init__(self, con):
            self._con, self._orders = con, False

        def __getattr__(self, name):
            return getattr(self._con, name)

        def execute(self, sql, *args):
            self._orders |= sql.startswith("INSERT INTO orders_rows")
            if sql == "COMMIT" and self._orders:
                at_commit.set()
                assert reader_polled.wait(TIMEOUT), "the reader never polled"
            return self._con.execute(sql, *args)

    @contextmanager
    def watched_writing(p):
        with real_writing(p) as con:
            yield Watched(con)

    monkeypatch.setattr(db, "writing", watched_writing)

    results: dict[str, ingest.LoadResult] = {}
    errors: list[BaseException] = []
    observed: list[tuple] = []
    at_commit_seen: list[tuple] = []
    start = threading.Barrier(3)
    loads_done = threading.Event()

    def upload(file: Path) -> None:
        try:
            start.wait(TIMEOUT)
            results[file.name] = ingest.load_report(path, file)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def read() -> None:
        try:
            con = duckdb.connect(str(path))  # a session of its own, as the app's pages have
            try:
                start.wait(TIMEOUT)
                while not loads_done.is_set():
                    pending = at_commit.is_set()
                    observed.append(con.execute(poll).fetchone())
                    if pending and not reader_polled.is_set():
                        at_commit_seen.append(observed[-1])
                        reader_polled.set()
                observed.append(con.execute(poll).fetchone())
            finally:
                con.close()
        except BaseException as error:
            reader_polled.set()
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(f,)) for f in (orders, ledger)]
    reader = threading.Thread(target=read)
    for thread in (*threads, reader):
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    loads_done.set()
    reader.join(TIMEOUT)

    assert not errors, errors
    assert {name: r.status for name, r in results.items()} == {orders.name: "loaded", ledger.name: "loaded"}
    assert _table_digest(path) == expected
    assert observed[-1] == final
    assert at_commit_seen[0][:2] == before[:2]  # orders all inserted and replaced, not committed: unseen
    for seen in observed:  # each table is all before or all after its file; they may commit in either order
        assert seen[:2] in (before[:2], final[:2]), seen
        assert seen[2:] in (before[2:], final[2:]), seen


# --- the command beside a writer -------------------------------------------------------------------

# Runs `fba-health load ARGS...`, first printing "locked" the first time the database file is found
# locked by another process, so the test knows the command is waiting before it lets go.
# With --give-up-after S, the command waits S seconds instead of db.LOCK_WAIT_SECONDS.
LOCK_REPORTING_CLI = """
import sys
import duckdb
from core import cli, db

real_connect, told = duckdb.connect, []

def connect(*args, **kwargs):
    try:
        return real_connect(*args, **kwargs)
    except duckdb.IOException:
        if not told:
            told.append(True)
            print("locked", flush=True)
        raise

duckdb.connect = connect
argv = sys.argv[1:]
if argv[0] == "--give-up-after":
    db.LOCK_WAIT_SECONDS = float(argv[1])
    argv = argv[2:]
raise SystemExit(cli.main(["load", *argv]))
"""


@contextmanager
def write_transaction_held(path: Path, end: str = "COMMIT"):
    """This process holds the file, mid-way through a write transaction, for the duration."""
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO settings VALUES ('held-by-test', '{}', now()::TIMESTAMP)")
        yield
        con.execute(end)
    finally:
        con.close()


def test_load_command_waits_for_a_write_transaction_in_another_process(tmp_path):
    """Documented behaviour: while another process holds the file, `fba-health load` retries for up to
    LOCK_WAIT_SECONDS; when the file is released in that time it loads, and nothing is lost on either side."""
    path = tmp_path / "shared.duckdb"
    db.ensure_schema(path)
    file = write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A"), order_row("2", "B")])
    with write_transaction_held(path):
        proc = run_driver(LOCK_REPORTING_CLI, ["--db", path, file], tmp_path)
        assert proc.stdout.readline().strip() == "locked"  # it has met the lock and is retrying
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert "loaded 2 rows" in out
    assert fetch(path, "SELECT name FROM settings") == [("held-by-test",)]
    assert fetch(path, "SELECT count(*) FROM orders") == [(2,)]
    assert fetch(path, "SELECT count(*) FROM imports") == [(1,)]


def test_load_command_exits_3_when_the_file_stays_locked(tmp_path):
    path = tmp_path / "shared.duckdb"
    db.ensure_schema(path)
    before = state(path)
    file = write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A")])
    with write_transaction_held(path, end="ROLLBACK"):
        proc = run_driver(LOCK_REPORTING_CLI, ["--give-up-after", "0.3", "--db", path, file], tmp_path)
        out, err = proc.communicate(timeout=TIMEOUT)  # the file stays held until the command has given up
    assert proc.returncode == 3
    assert out == "locked\n"
    assert f"The database {path} is in use by another program" in err
    assert "Traceback" not in err
    assert state(path) == before


# --- 2. an import killed mid-way -------------------------------------------------------------------

# Runs `fba-health load ARGS...` with its writing connection watched. As the load reaches each step it
# creates the marker file <db>.<step> and prints the step:
#   stage     - reading the file into the staging table begins (nothing written to the database yet)
#   insert    - inserting the rows into the report table begins, in the import's transaction
#   commit    - every statement of the transaction is done (rows inserted, older rows replaced, import
#               recorded); COMMIT has not run
#   committed - COMMIT has returned; the connection is not closed yet (no checkpoint)
# ARGV[1] is the step the test kills it at. Unless that is "committed", the load waits at COMMIT to be
# killed, so however late the kill lands, the transaction never commits.
KILLABLE_CLI = """
import sys
from contextlib import contextmanager
from pathlib import Path
from core import cli, db

kill_at, argv = sys.argv[1], sys.argv[2:]
db_file = Path(argv[argv.index("--db") + 1])
real_writing = db.writing

def reached(step, wait=False):
    Path(f"{db_file}.{step}").touch()
    print(step, flush=True)
    if wait:
        sys.stdin.readline()  # blocks: the test kills us here
        raise SystemExit("not killed")

class Watched:
    def __init__(self, con):
        self._con = con

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, sql, *args):
        if sql.startswith("CREATE TEMP TABLE stage_rows"):
            reached("stage")
        elif sql.startswith("INSERT INTO") and sql.split("(")[0].strip().endswith("_rows"):
            reached("insert")
        elif sql == "COMMIT":
            reached("commit", wait=kill_at != "committed")
        result = self._con.execute(sql, *args)
        if sql == "COMMIT":
            reached("committed", wait=True)
        return result

@contextmanager
def writing(path):
    with real_writing(path) as con:
        yield Watched(con)

db.writing = writing
raise SystemExit(cli.main(["load", *argv]))
"""

MARKERS = ("stage", "insert", "commit", "committed")


def kill_at(step: str, path: Path, file: Path, tmp_path: Path) -> None:
    """Run `fba-health load` on ``file`` and SIGKILL it at ``step`` (see KILLABLE_CLI)."""
    size_before = path.stat().st_size
    proc = run_driver(KILLABLE_CLI, [step, "--db", path, file], tmp_path)
    try:
        reached = None
        for line in proc.stdout:  # ends: the driver waits at COMMIT (or after it) to be killed
            reached = line.strip()
            if reached == step or reached == "committed" or (reached == "commit" and step != "committed"):
                break
        assert reached == step, f"the load never reached {step} (last step: {reached})"
        if step == "insert":
            # Kill while the INSERT runs, once it has written rows of the uncommitted import into the
            # file: DuckDB writes a large insert's full row groups (122,880 rows) before commit.
            deadline = time.monotonic() + TIMEOUT
            while (path.stat().st_size <= size_before and not Path(f"{path}.commit").exists()
                   and time.monotonic() < deadline):
                time.sleep(0.005)
            assert not Path(f"{path}.commit").exists(), "the INSERT ended before it wrote to the file"
        proc.send_signal(signal.SIGKILL)
        proc.wait(TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            stream.close()
    assert proc.returncode == -signal.SIGKILL
    for marker in MARKERS:
        Path(f"{path}.{marker}").unlink(missing_ok=True)


@pytest.fixture(scope="module")
def big_orders(tmp_path_factory) -> Path:
    """An All Orders file of 323,197 lines: the demo account's 46,171 orders, plus six copies under new
    order ids. Loading it over the demo orders also replaces every one of those."""
    lines = sample_lines()
    head, body = lines[0], lines[1:]
    out = [head, *body]
    for copy in range(1, 7):
        out += [f"C{copy}-{line}" for line in body]
    return write_lines(tmp_path_factory.mktemp("big") / "all_orders_big.txt", out)


def test_import_killed_mid_way_leaves_the_database_as_it_was(tmp_path, big_orders):
    """SIGKILL while the file is being read into staging, and while its rows are being inserted (with
    part of them already written into the database file): each time the next open is clean and every
    table, the imports ledger and data_version are exactly as before. Then the same file loads."""
    path = tmp_path / "inventory.duckdb"
    for file in (SAMPLE / "all_orders.txt.gz", SAMPLE / "ledger_detail.txt.gz"):
        assert ingest.load_report(path, file).status == "loaded"
    settings.save_raw(path, "capacity", {"standard": 100.0})
    before = state(path)
    assert before["content"]["orders_rows"][0] == 46_171

    for step in ("stage", "insert"):
        kill_at(step, path, big_orders, tmp_path)
        assert state(path) == before, f"killed at {step}"

    result = ingest.load_report(path, big_orders)
    assert (result.status, result.rows_loaded, result.rows_replaced) == ("loaded", 323_197, 46_171)
    assert fetch(path, "SELECT count(*) FROM orders") == [(323_197,)]
    assert fetch(path, "SELECT count(*) FROM orders_rows") == [(46_171 + 323_197,)]
    assert state(path)["data_version"] != before["data_version"]


def test_import_killed_just_before_commit_is_gone_and_just_after_is_kept(tmp_path):
    """Killed with its whole transaction done (rows inserted, older rows replaced, import recorded)
    but COMMIT not run: nothing of it remains. Killed once COMMIT has returned, before the file is
    closed: the import is all there (the next open replays DuckDB's write-ahead log)."""
    path, reference = tmp_path / "inventory.duckdb", tmp_path / "reference.duckdb"
    first = write_report(tmp_path / "first.txt", header("orders_2026_34"),
                         [order_row(str(i), f"SKU-{i % 7}", status="Pending") for i in range(500)])
    second = write_report(tmp_path / "second.txt", header("orders_2026_34"),
                          [order_row(str(i), f"SKU-{i % 7}") for i in range(250, 3000)])
    for target in (path, reference):
        assert ingest.load_report(target, first).status == "loaded"
    assert ingest.load_report(reference, second).rows_replaced == 250
    before, loaded = state(path), state(reference)

    kill_at("commit", path, second, tmp_path)
    assert state(path) == before

    kill_at("committed", path, second, tmp_path)
    assert Path(f"{path}.wal").exists()  # the kill really left a log to replay
    after = state(path)
    made_here = ("imports", "schema_migrations")  # hold timestamps of their own
    assert ({t: c for t, c in after["content"].items() if t not in made_here}
            == {t: c for t, c in loaded["content"].items() if t not in made_here})
    assert fetch(path, "SELECT import_id, file_name, row_count, rows_replaced FROM imports ORDER BY 1") == [
        (1, first.name, 500, 0), (2, str(second), 2750, 250)]
    assert after["data_version"] != before["data_version"]
    assert ingest.load_report(path, second).status == "unchanged"


# --- 3. a database made by an older version ------------------------------------------------------

def test_database_from_an_older_version_upgrades_on_open(tmp_path, monkeypatch):
    """Made the way version 1 of the app made it (only migration 1: no settings table; an orders table
    without a column added since) with rows loaded; the current code upgrades it on open, keeps the
    rows, and loads into it."""
    path = tmp_path / "v1.duckdb"
    old_file = write_report(tmp_path / "old.txt", header("orders_2026_33"),
                            [order_row("1", "A", status="Pending"), order_row("2", "B", qty=3)])
    current_columns = db.physical_columns
    with monkeypatch.context() as old:
        old.setattr(db, "MIGRATIONS", db.MIGRATIONS[:1])
        old.setattr(db, "physical_columns", lambda schema: [
            c for c in current_columns(schema) if not (schema.table == "orders" and c[0] == "is_sold_by_ab")])
        assert ingest.load_report(path, old_file).status == "loaded"
    old_columns = [c for c, _ in current_columns(next(s for s in ingest.SCHEMAS if s.table == "orders"))
                   if c != "is_sold_by_ab"]
    old_rows = f"SELECT {', '.join(old_columns)} FROM orders_rows ORDER BY amazon_order_id"
    kept = fetch(path, old_rows)
    old_imports = fetch(path, "SELECT * FROM imports")
    assert fetch(path, "SELECT version FROM schema_migrations") == [(1,)]
    assert "is_sold_by_ab" not in {r[0] for r in fetch(path, "DESCRIBE orders_rows")}
    assert "settings" not in {r[0] for r in fetch(path, "SELECT table_name FROM information_schema.tables")}
    version_before = db.data_version(path)

    db._ready.discard(path)  # a new process with the current code opens it
    health, grades = settings.load(path)
    settings.save(path, health, grades)
    assert settings.load(path) == (health, grades)
    assert fetch(path, "SELECT version FROM schema_migrations ORDER BY 1") == [(v,) for v, _ in db.MIGRATIONS]
    assert fetch(path, old_rows) == kept
    assert fetch(path, "SELECT * FROM imports") == old_imports
    assert fetch(path, "SELECT count(*) FROM orders WHERE is_sold_by_ab IS NULL") == [(2,)]

    new_file = write_report(tmp_path / "new.txt", header("orders_2026_34"),
                            [order_row("1", "A", **{"order-item-id": "111"}), order_row("3", "C")])
    result = ingest.load_report(path, new_file)
    assert (result.status, result.rows_loaded, result.rows_replaced) == ("loaded", 2, 1)
    assert fetch(path, "SELECT amazon_order_id, order_status, order_item_id, quantity FROM orders ORDER BY 1") == [
        ("1", "Shipped", "111", 1), ("2", "Shipped", None, 3), ("3", "Shipped", None, 1)]
    assert db.data_version(path) != version_before
    assert len(ingest.list_imports(path)) == 2
