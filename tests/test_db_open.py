"""Opening the database file when it cannot simply be written: a read-only copy or mount, a file that
is no database, one held by another program, one written by a newer fba-health or DuckDB, a full
disk; what a killed run leaves beside it; and ``fba-health compact``. Every file is built here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from core import cli, db, housekeeping, ingest
from core.schemas import SCHEMAS
from tests.reportfiles import header, order_row, write_report

ROOT = Path(__file__).resolve().parent.parent
ROOT_USER = os.geteuid() == 0


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli_run(capsys, *args):
    code = cli.main([*map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def planning_file(path: Path, skus=("A", "B"), date="2026-11-15") -> Path:
    return write_report(path, header("planning_2026_99"), [
        {"snapshot-date": date, "sku": sku, "available": 10 * (n + 1), "marketplace": "US",
         "inv-age-0-to-90-days": 10 * (n + 1), "your-price": "25.0", "units-shipped-t30": 3 * (n + 1)}
        for n, sku in enumerate(skus)])


def orders_file(path: Path, ids, sku="A", day="2026-11-10") -> Path:
    return write_report(path, header("orders_2026_34"),
                        [order_row(str(i), sku, date=f"{day}T10:00:00+00:00") for i in ids])


def loaded_db(folder: Path) -> Path:
    """A database with a stock snapshot and a few orders: every read command has something to show."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "inventory.duckdb"
    for report in (planning_file(folder / "planning.txt"), orders_file(folder / "orders.txt", range(1, 6))):
        assert ingest.load_report(path, report).status == "loaded"
    return path


@pytest.fixture
def read_only_copy(tmp_path):
    """A copy of a loaded database that this process cannot write: a read-only bind mount when run as
    root (whom file modes do not stop), else a folder and file without write permission."""
    source = loaded_db(tmp_path / "source")
    snapshot = tmp_path / "snapshot"
    shutil.copytree(source.parent, snapshot)
    if ROOT_USER:
        mounted = tmp_path / "mounted"
        mounted.mkdir()
        if subprocess.run(["mount", "--bind", "-o", "ro", str(snapshot), str(mounted)],
                          capture_output=True).returncode != 0:
            pytest.skip("no read-only bind mount here (root without mount rights)")
        yield source, mounted / source.name
        subprocess.run(["umount", str(mounted)], check=True)
    else:
        (snapshot / source.name).chmod(0o444)
        snapshot.chmod(0o555)
        yield source, snapshot / source.name
        snapshot.chmod(0o755)


# --- item 3: read-only use -------------------------------------------------------------------------

def test_read_commands_work_on_a_read_only_database_and_changes_say_read_only(capsys, read_only_copy):
    source, copy = read_only_copy
    before = sha(copy)
    for command in (["summary", "--json"], ["skus", "--json"], ["imports", "--json"], ["restock", "--json"]):
        expected = cli_run(capsys, *command, "--db", source)
        code, out, err = cli_run(capsys, *command, "--db", copy)
        assert code == 0, err
        assert "locked" not in err and "in use" not in err
        got, want = json.loads(out), json.loads(expected[1])
        if command[0] == "imports":  # the same imports, whichever file they are listed from
            assert [r["import_id"] for r in got] == [r["import_id"] for r in want] == [2, 1]
        else:
            assert got == want, command
    summary = json.loads(cli_run(capsys, "summary", "--json", "--db", copy)[1])
    assert (summary["skus"], summary["units_on_hand"]) == (2, 30.0)  # 10 + 20 available
    new_orders = orders_file(copy.parent.parent / "more.txt" if not ROOT_USER else source.parent / "more.txt",
                             [99])
    for command in (["load", new_orders, "--json"], ["remove", "1"], ["compact"]):
        code, out, err = cli_run(capsys, *command, "--db", copy)
        assert code == 7, (command, err)
        assert "read-only" in err and "in use by another program" not in err
    code, out, _ = cli_run(capsys, "load", new_orders, "--json", "--db", copy)
    result = json.loads(out)
    assert result["status"] == "failed" and "read-only" in result["errors"][0]
    where = json.loads(cli_run(capsys, "where", "--json", "--db", copy)[1])
    assert (where["read_only"], where["error"]) == (True, None)
    assert sha(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == ["inventory.duckdb", "orders.txt", "planning.txt"]


def test_a_read_only_database_too_old_to_read_as_it_is_says_it_needs_an_upgrade(capsys, tmp_path):
    folder = tmp_path / "old"
    path = loaded_db(folder)
    with duckdb.connect(str(path)) as con:  # an older fba-health: one report column did not exist yet
        con.execute("DROP VIEW inventory_planning")
        con.execute("ALTER TABLE inventory_planning_rows DROP COLUMN available")
        con.execute("CREATE VIEW inventory_planning AS SELECT * EXCLUDE (superseded_by, key_occurrence) "
                    "FROM inventory_planning_rows WHERE superseded_by IS NULL")
    if ROOT_USER:
        mounted = tmp_path / "m"
        mounted.mkdir()
        if subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(mounted)]).returncode != 0:
            pytest.skip("no read-only bind mount here")
        target = mounted / path.name
    else:
        path.chmod(0o444)
        folder.chmod(0o555)
        target = path
    try:
        code, _, err = cli_run(capsys, "summary", "--db", target)
        assert code == 7 and "older fba-health" in err and "inventory_planning_rows.available" in err
    finally:
        if ROOT_USER:
            subprocess.run(["umount", str(mounted)], check=True)
        else:
            folder.chmod(0o755)


def test_each_open_error_says_what_it_is(capsys, tmp_path, monkeypatch):
    text = tmp_path / "notes.duckdb"
    text.write_text("sku\tunits\nA\t3\n")
    sqlite = tmp_path / "other.db"
    import sqlite3
    with sqlite3.connect(sqlite) as con:
        con.execute("CREATE TABLE t (a)")
    for path, says in ((text, "not a DuckDB file"), (sqlite, "an SQLite database")):
        for command in (["summary"], ["imports", "--json"], ["load", text]):
            code, out, err = cli_run(capsys, *command, "--db", path)
            assert (code, out) == (2, ""), (path, command)
            assert says in err and "locked" not in err
        where = json.loads(cli_run(capsys, "where", "--json", "--db", path)[1])
        assert where["error"]["kind"] == "not_a_database"

    # Written by a newer DuckDB: its header's storage version (checksummed as DuckDB does) is higher.
    newer = loaded_db(tmp_path / "newer") .parent / "inventory.duckdb"
    data = bytearray(newer.read_bytes())
    assert data[8:12] == b"DUCK"
    data[12:20] = struct.pack("<Q", 9999)
    words = struct.unpack_from(f"<{4088 // 8}Q", data, 8)
    checksum = 5381
    for word in words:
        checksum ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    struct.pack_into("<Q", data, 0, checksum)
    newer.write_bytes(bytes(data))
    before = sha(newer)
    code, _, err = cli_run(capsys, "summary", "--db", newer)
    assert code == 7 and "newer version of DuckDB" in err and "storage version 9999" in err
    assert sha(newer) == before

    # Locked by another program: only then the wait, and the message names the holder.
    held = loaded_db(tmp_path / "held")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(held)!r})
        print("holding", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.3)
        code, _, err = cli_run(capsys, "summary", "--db", held)
        assert code == 3 and "in use by another program" in err and f"process {holder.pid}" in err
    finally:
        holder.communicate("")


@pytest.mark.skipif(not ROOT_USER or not shutil.which("setpriv"),
                    reason="a file this user cannot read: made by root, read as user nobody (setpriv)")
def test_a_file_this_user_may_not_read_says_permission_denied(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="fba-denied-"))  # outside root's private pytest folder
    try:
        folder.chmod(0o755)
        path = folder / "inventory.duckdb"
        shutil.copy(loaded_db(tmp_path / "src"), path)
        path.chmod(0o600)  # root's own file
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                                 "-m", "core", "summary", "--db", str(path)],
                                capture_output=True, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
        assert result.returncode == 7, result.stderr
        assert "cannot be opened" in result.stderr and "Permission denied" in result.stderr
        assert "Traceback" not in result.stderr and "locked" not in result.stderr
    finally:
        shutil.rmtree(folder)


# --- item 4: a newer schema ------------------------------------------------------------------------

def newer_schema(path: Path, *, version: int | None = None, layout: int | None = None) -> None:
    """What a newer fba-health does to a file: its next migration, with a report column renamed."""
    with duckdb.connect(str(path)) as con:
        con.execute("DROP VIEW inventory_planning")
        con.execute("ALTER TABLE inventory_planning_rows RENAME COLUMN available TO available_units")
        con.execute("CREATE VIEW inventory_planning AS SELECT * EXCLUDE (superseded_by, key_occurrence) "
                    "FROM inventory_planning_rows WHERE superseded_by IS NULL")
        if version:
            con.execute("INSERT INTO schema_migrations VALUES ($v, now())", {"v": version})
        if layout:
            con.execute("UPDATE schema_info SET value = $v WHERE name = 'report_layout'", {"v": str(layout)})
        con.execute("UPDATE schema_info SET value = '0.9.0' WHERE name = 'written_by'")


@pytest.mark.parametrize("change", [{"version": db.SCHEMA_VERSION + 1}, {"layout": db.REPORT_LAYOUT + 1}])
def test_a_database_of_a_newer_schema_is_refused_byte_for_byte_unchanged(capsys, tmp_path, change):
    path = loaded_db(tmp_path / "newer")
    newer_schema(path, **change)
    before = sha(path)
    for command in (["summary", "--json"], ["imports"], ["load", tmp_path / "newer" / "orders.txt"]):
        db._ready.discard(path)  # as a fresh process would
        code, out, err = cli_run(capsys, *command, "--db", path)
        assert code == 7, (command, err)
        assert "newer version of fba-health" in err and "fba-health 0.9.0 or newer" in err
        assert "left unchanged" in err
    assert sha(path) == before
    with duckdb.connect(str(path), read_only=True) as con:  # the old column was not added back
        columns = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = 'inventory_planning_rows'").fetchall()}
    assert "available_units" in columns and "available" not in columns


def test_the_schema_version_is_written_and_an_older_file_is_brought_up_to_it(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:  # what fba-health wrote before the version was kept
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        con.execute("INSERT INTO schema_migrations VALUES (1, now()), (2, now())")
    db.ensure_schema(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert db.file_schema(con) == db.FileSchema(db.SCHEMA_VERSION, db.REPORT_LAYOUT, db.app_version())
    assert db.SCHEMA_VERSION == 3
    before = sha(path)
    db._ready.discard(path)
    db.ensure_schema(path)  # up to date: opened without a change
    assert sha(path) == before


# --- disk full -------------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system (tmpfs): a real "No space left on device"."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if not ROOT_USER or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                                       capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_named_and_the_next_files_are_tried(tmp_path, small_disk):
    path = small_disk / "inventory.duckdb"
    big = write_report(tmp_path / "big.txt", header("orders_2026_34"),
                       [order_row(str(i), f"SKU{i % 300}", **{"product-name": "x" * 50}) for i in range(40_000)])
    small = orders_file(tmp_path / "small.txt", [1, 2])
    missing = tmp_path / "missing.txt"
    result = subprocess.run([sys.executable, "-m", "core", "load", "--json", "--db", str(path), str(big),
                             str(small), str(missing)], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert "Traceback" not in result.stderr and "transaction is aborted" not in result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in lines] == ["failed", "loaded", "rejected"]
    assert "disk holding the database" in lines[0]["errors"][0] and "full" in lines[0]["errors"][0]
    assert lines[0]["report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert lines[1]["rows_loaded"] == 2
    assert result.returncode == 7
    with duckdb.connect(str(path), read_only=True) as con:  # nothing of the big file was kept
        assert con.execute("SELECT count(*), count(DISTINCT import_id) FROM orders").fetchone() == (2, 1)


# --- leftovers of a killed run ----------------------------------------------------------------------

def test_spill_and_stale_uploads_are_cleared_at_start_only_when_nobody_holds_them(tmp_path, monkeypatch):
    path = loaded_db(tmp_path / "data")
    spill = housekeeping.spill_folder(path)
    spill.mkdir()
    (spill / "duckdb_temp_storage_S32K-0.tmp").write_bytes(b"\0" * 300_000)
    uploads = housekeeping.uploads_folder(path)
    stale = uploads / "upload-killed"
    stale.mkdir(parents=True)
    (stale / "upload.txt").write_bytes(b"x" * 100_000)
    (stale / housekeeping.LOCK_NAME).touch()
    old = time.time() - 3600
    os.utime(stale, (old, old))
    # Held by another process: a load on the way (its lock file locked), and the database itself.
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import duckdb
        from pathlib import Path
        from core import housekeeping
        with housekeeping.upload_folder(Path({str(path)!r})) as folder:
            con = duckdb.connect({str(path)!r})
            print(folder, flush=True)
            sys.stdin.readline()
            con.close()
            print("released", flush=True)
            sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        live = Path(holder.stdout.readline().strip())
        assert live.is_dir()
        db._ready.discard(path)  # this process starts now
        monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.3)
        with pytest.raises(db.DatabaseBusy):
            db.ensure_schema(path)
        assert spill.is_dir() and stale.is_dir()  # the database is another's: nothing is touched
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        db.ensure_schema(path)
        assert not spill.exists() and not stale.exists()
        assert live.is_dir()  # its process is alive and holds its lock
    finally:
        holder.communicate("\n")
    assert not live.exists()  # gone with its process's clean exit


# --- the app while a load runs elsewhere, and on a read-only copy -----------------------------------

@pytest.fixture
def app_runs_inside_app_py(monkeypatch):
    """As in tests/test_pages.py: every page inside app.py, as the server runs it."""
    from streamlit.runtime.pages_manager import PagesManager

    plain_init = PagesManager.__init__

    def navigation_init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", navigation_init)
    monkeypatch.setenv("FBA_HEALTH_NO_DEMO", "1")


def test_pages_say_a_load_is_running_elsewhere_instead_of_a_traceback(tmp_path, monkeypatch,
                                                                       app_runs_inside_app_py):
    from streamlit.testing.v1 import AppTest

    path = loaded_db(tmp_path / "busy")
    monkeypatch.setenv("FBA_HEALTH_DB", str(path))
    from pages import _common as common
    monkeypatch.setattr(common, "PAGE_LOCK_WAIT_SECONDS", 0.3)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        warning = "\n".join(str(w.value) for w in at.warning)
        assert "running in another program" in warning and f"process {holder.pid}" in warning
        assert "DatabaseBusy" not in warning and [b.label for b in at.button] == ["Retry"]
    finally:
        holder.communicate("")
    at.button[0].click().run()  # the load is over: the data shows
    assert not at.exception
    assert "running in another program" not in "\n".join(str(w.value) for w in at.warning)
    assert "Retry" not in [b.label for b in at.button] and at.metric  # the overview's figures


def test_pages_show_a_read_only_database_with_uploads_disabled(read_only_copy, monkeypatch,
                                                                app_runs_inside_app_py):
    from streamlit.testing.v1 import AppTest

    _, copy = read_only_copy
    before = sha(copy)
    monkeypatch.setenv("FBA_HEALTH_DB", str(copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
    assert "read-only here" in "\n".join(str(i.value) for i in at.info)
    assert at.button(key="load_button").disabled and at.button(key="remove_button").disabled
    at.switch_page("pages/settings.py").run()
    at.button(key="settings_save").click().run()  # a save: refused in words, the page still there
    assert not at.exception, at.exception
    assert "is read-only here" in "\n".join(str(e.value) for e in at.error)
    assert "Read-only database" in "\n".join(str(c.value) for c in at.sidebar.caption)
    assert sha(copy) == before


# --- compact ---------------------------------------------------------------------------------------

def current_views(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {s.table: con.execute(f"SELECT * EXCLUDE (extra) FROM {s.table} ORDER BY ALL").fetchall()
                for s in SCHEMAS}


def test_compact_keeps_the_restore_points_of_the_last_imports_and_shrinks_the_file(capsys, tmp_path):
    """Four overlapping order reports, worked by hand: import k holds orders 1000k .. 1000k+2999, so
    each replaces 2,000 rows of the one before. 12,000 rows stored, 6,000 current (1000 .. 6999).
    Keeping 2 restore points (imports #4 and #3) drops the 2,000 rows #2 replaced (#1's 2000-3999)."""
    path = tmp_path / "inventory.duckdb"
    for k in (1, 2, 3, 4):
        report = orders_file(tmp_path / f"orders_{k}.txt", range(1000 * k, 1000 * k + 3000))
        assert ingest.load_report(path, report).rows_replaced == (0 if k == 1 else 2000)
    views = current_views(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders_rows").fetchone()[0] == 12_000
    before = path.stat().st_size

    code, out, err = cli_run(capsys, "compact", "--keep-imports", "2", "--json", "--db", path)
    assert code == 0, err
    done = json.loads(out)
    assert (done["rows_dropped"], done["kept_restore_points"], done["compacted_imports"]) == (2000, [4, 3], [2])
    assert done["bytes_before"] == before and done["bytes_after"] == path.stat().st_size < before
    assert current_views(path) == views
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM orders_rows").fetchone()[0] == 10_000

    # An older import's restore point is gone: removing it is refused, in words.
    code, _, err = cli_run(capsys, "remove", "2", "--db", path)
    assert code == 2 and "restore point was compacted away" in err and "2,000 earlier rows" in err
    # One of the last 2 still restores what it replaced: #4 out, #3's 4000-5999 back.
    code, out, err = cli_run(capsys, "remove", "4", "--db", path)
    assert code == 0 and "3,000 rows removed, 2,000 earlier rows restored" in out
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT min(amazon_order_id::INT), max(amazon_order_id::INT), count(*) "
                           "FROM orders").fetchone() == (1000, 5999, 5000)
    code, out, _ = cli_run(capsys, "remove", "2", "--without-restore", "--db", path)
    assert code == 0 and "1,000 rows removed, 0 earlier rows restored" in out

    code, out, _ = cli_run(capsys, "compact", "--db", path)  # the text form; nothing more to drop
    assert code == 0 and "0 replaced rows dropped" in out and "MB ->" in out
