"""The database file: where it lives, schema upgrades, and living beside another process."""

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb

from core import db, ingest
from tests.reportfiles import header, order_row, write_report


ROOT = Path(__file__).resolve().parent.parent  # this checkout: the folder holding pyproject.toml


def test_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("FBA_HEALTH_DB", raising=False)
    assert db.resolve_db_path() == ROOT / "data" / "inventory.duckdb"
    monkeypatch.setenv("FBA_HEALTH_DB", str(tmp_path / "env.duckdb"))
    assert db.resolve_db_path() == tmp_path / "env.duckdb"
    assert db.locate_db().source == "FBA_HEALTH_DB"
    assert db.resolve_db_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"
    assert db.locate_db(tmp_path / "flag.duckdb").source == "--db"


def test_the_default_does_not_depend_on_the_current_directory(monkeypatch, tmp_path):
    """A cron job starts in the home folder, the app in the checkout: both get the checkout's file."""
    monkeypatch.delenv("FBA_HEALTH_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert db.locate_db() == db.DbLocation(ROOT / "data" / "inventory.duckdb", "checkout")
    # an explicit relative path still means the current directory, as on any command line
    assert db.resolve_db_path("here.duckdb") == tmp_path / "here.duckdb"


def test_installed_outside_a_checkout_the_database_is_in_the_user_data_folder(monkeypatch, tmp_path):
    """XDG Base Directory spec: $XDG_DATA_HOME, else ~/.local/share when it is unset, empty or relative."""
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "core").mkdir(parents=True)
    monkeypatch.setattr(db, "PACKAGE_DIR", site / "core")  # as a wheel installs it: no pyproject.toml beside
    monkeypatch.delenv("FBA_HEALTH_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert db.locate_db() == db.DbLocation(tmp_path / "xdg" / "fba-health" / "inventory.duckdb",
                                           "user data folder")
    in_home = tmp_path / "home" / ".local" / "share" / "fba-health" / "inventory.duckdb"
    for unusable in ("", "relative/data"):
        monkeypatch.setenv("XDG_DATA_HOME", unusable)
        assert db.resolve_db_path() == in_home
    monkeypatch.delenv("XDG_DATA_HOME")
    assert db.resolve_db_path() == in_home
    (site / "pyproject.toml").write_text("[project]\n")  # a checkout after all: its data/ folder
    assert db.locate_db() == db.DbLocation(site / "data" / "inventory.duckdb", "checkout")


def test_schema_is_versioned_and_new_columns_are_added(tmp_path):
    path = tmp_path / "old.duckdb"
    db.ensure_schema(path)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE orders_rows DROP COLUMN is_sold_by_ab")  # as if made by an older version
    con.close()
    db._ready.discard(path)
    db.ensure_schema(path)
    con = duckdb.connect(str(path))
    columns = {r[0] for r in con.execute("DESCRIBE orders").fetchall()}
    versions = con.execute("SELECT version FROM schema_migrations").fetchall()
    con.close()
    assert "is_sold_by_ab" in columns
    assert versions == [(v,) for v, _ in db.MIGRATIONS]


def test_load_waits_for_another_process_holding_the_file(tmp_path):
    """A nightly `fba-health` run and the app share the file: the second one waits, then proceeds."""
    path = tmp_path / "shared.duckdb"
    db.ensure_schema(path)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time, sys
        con = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        time.sleep(2)
        con.close()
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    result = ingest.load_report(path, write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A")]))
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    assert result.status == "loaded"
    assert waited > 0.5  # it really had to wait for the other process's lock


def test_threads_opening_and_closing_the_same_file_at_once_never_fail(tmp_path):
    """Sessions of the app reading at the same moment: three threads each open and close the file 700 times.
    DuckDB 2.0 refuses about 2 opens in 100 ("Unique file handle conflict") when another thread is
    opening or closing it just then; db.connect retries them."""
    path = tmp_path / "shared.duckdb"
    with db.connect(path) as con:
        con.execute("SELECT 1")
    errors, counts = [], []

    def reader():
        done = 0
        try:
            for _ in range(700):
                with db.connect(path) as con:
                    done += con.execute("SELECT count(*) FROM imports").fetchone()[0] + 1
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(error))
        counts.append(done)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and counts == [700, 700, 700]


def _other_process_can_open(path) -> bool:
    probe = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb
        try:
            duckdb.connect({str(path)!r}).close()
            print("opened")
        except duckdb.IOException as error:
            print("locked" if "lock" in str(error).lower() else repr(error))
    """)], capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() in ("opened", "locked"), probe.stdout + probe.stderr
    return probe.stdout.strip() == "opened"


def test_held_shares_one_open_of_the_file_and_lets_go_after_the_last_holder(tmp_path):
    """A page render holds the file: its connects share one DuckDB instance (a global setting made on
    one is seen by the next), a nested holder does not close it, and after the outer one leaves another
    process can open the file and a new connect starts a fresh instance."""
    path = tmp_path / "held.duckdb"
    db.ensure_schema(path)
    with db.connect(path) as con:
        default_threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    with db.held(path):
        with db.connect(path) as con:
            con.execute("SET GLOBAL threads = 1")
        with db.held(path):
            pass
        with db.connect(path) as con:
            assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert not _other_process_can_open(path)
    assert _other_process_can_open(path)
    with db.connect(path) as con:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == default_threads


def test_a_write_while_held_leaves_the_memory_limit_of_the_reads_alone(tmp_path):
    """writing() caps its connection at 1 GB; the cap is the instance's, so while a page holds the
    file it must be lifted when the write ends, or the forecast's read after an upload would run
    under it."""
    path = tmp_path / "held.duckdb"
    with db.held(path):
        with db.connect(path) as con:
            before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        with db.writing(path) as con:
            capped = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        with db.connect(path) as con:
            after = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert capped != before and after == before
