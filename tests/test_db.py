"""The database file: where it lives, schema upgrades, and living beside another process."""

import subprocess
import sys
import textwrap
import time

import duckdb

from core import db, ingest
from tests.reportfiles import header, order_row, write_report


def test_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("FBA_HEALTH_DB", raising=False)
    assert db.resolve_db_path() == (db.DEFAULT_DB_PATH).resolve()
    monkeypatch.setenv("FBA_HEALTH_DB", str(tmp_path / "env.duckdb"))
    assert db.resolve_db_path() == tmp_path / "env.duckdb"
    assert db.resolve_db_path(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"


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
