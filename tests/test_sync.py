"""Sync from Amazon (core/spapi) against a local fake Selling Partner API (tests/fake_spapi.py), with the
real python-amazon-sp-api client (only its two endpoints pointed at the fake).

The reference is independent of the sync: the same report files the fake serves, loaded by hand
through ``core.ingest.load_report`` (what the Upload page and ``fba-health load`` do).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from core import db, ingest
from core.cli import main
from core.schemas import SCHEMAS
from core.spapi import (FakeClock, accept_held, credentials_status, held_reports, last_sync, sync,
                        write_credentials_file)
from core.spapi import engine as spapi_sync
from core.spapi.catalogue import CATALOGUE
from tests.fake_spapi import ORDERS, FakeSpapi, demo_files

NOW = dt.datetime(2026, 11, 16, 12, tzinfo=dt.timezone.utc)
REFRESH = "Atzr|IwEB-refresh-token-never-shown-7731"
SECRET = "amzn1.oa2-cs.v1.client-secret-never-shown-4410"
APP_ID = "amzn1.application-oa2-client.fba-health-test"
MYI = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
PLANNING = "GET_FBA_INVENTORY_PLANNING_DATA"


@pytest.fixture
def fake(monkeypatch, tmp_path):
    server = FakeSpapi(now=NOW).start()
    monkeypatch.setenv("FBA_HEALTH_SPAPI_ENDPOINT", server.url)
    monkeypatch.setenv("FBA_HEALTH_LWA_ENDPOINT", server.url)
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", REFRESH)
    monkeypatch.setenv("LWA_APP_ID", APP_ID)
    monkeypatch.setenv("LWA_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the library's file: never the machine's own
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("SP_API_DEFAULT_MARKETPLACE", raising=False)
    yield server
    server.stop()


def by_hand(db_path, report_types, snapshot_date=NOW.date()):
    """The reference: the files the fake serves, loaded by hand through the upload's loader."""
    files = demo_files()
    for report_type in report_types:
        if report_type in files:
            result = ingest.load_report(db_path, files[report_type], snapshot_date=snapshot_date)
            assert result.status == "loaded", result


def contents(db_path) -> dict:
    """Every report table's current rows (canonical columns and the kept extras), sorted."""
    out = {}
    with db.connect(db_path) as con:
        for schema in SCHEMAS:
            cols = ", ".join([c.name for c in schema.columns] + ["extra::VARCHAR"])
            out[schema.table] = sorted(con.execute(f"SELECT {cols} FROM {schema.table}_rows "
                                                   "WHERE superseded_by IS NULL").fetchall(), key=repr)
    return out


def everything(db_path) -> dict:
    """All of it, bookkeeping included: what "changes nothing" is measured on."""
    out = contents(db_path)
    with db.connect(db_path) as con:
        out["imports"] = con.execute("SELECT import_id, file_name, sha256, row_count FROM imports "
                                     "ORDER BY 1").fetchall()
        for schema in SCHEMAS:
            out[schema.table + "_all"] = con.execute(f"SELECT count(*), count(superseded_by) "
                                                     f"FROM {schema.table}_rows").fetchall()
    return out


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """One full first sync of the demo account, and the same files loaded by hand."""
    tmp = tmp_path_factory.mktemp("full")
    mp = pytest.MonkeyPatch()
    server = FakeSpapi(now=NOW).start()
    for k, v in {"FBA_HEALTH_SPAPI_ENDPOINT": server.url, "FBA_HEALTH_LWA_ENDPOINT": server.url,
                 "SP_API_REFRESH_TOKEN": REFRESH, "LWA_APP_ID": APP_ID, "LWA_CLIENT_SECRET": SECRET,
                 "HOME": str(tmp / "home")}.items():
        mp.setenv(k, v)
    clock = FakeClock()
    events = []
    synced = tmp / "synced.duckdb"
    results = sync(synced, now=NOW, pace=clock, progress=events.append)
    hand = tmp / "hand.duckdb"
    by_hand(hand, [r.report_type for r in CATALOGUE])
    yield {"server": server, "clock": clock, "events": events, "db": synced, "hand": hand, "results": results,
           "mp": mp}
    server.stop()
    mp.undo()


def test_full_sync_ends_identical_to_loading_the_same_files_by_hand(full):
    results = {r.report_type: r for r in full["results"]}
    assert [r.report_type for r in full["results"]] == [r.report_type for r in CATALOGUE]
    assert results["GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"].status == "empty"  # CANCELLED: no data
    assert all(r.status == "loaded" for t, r in results.items() if t != "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL")
    assert contents(full["db"]) == contents(full["hand"])
    orders = results[ORDERS]
    assert (orders.date_min, orders.date_max) == ("2025-05-17", "2026-11-15")
    assert orders.rows_loaded == ingest.list_imports(full["hand"]).set_index("report_type").loc[ORDERS, "row_count"]


def test_requests_respect_amazons_windows_and_rates(full):
    created = full["server"].created()
    orders = [c for c in created if c["reportType"] == ORDERS]
    assert len(orders) == 25  # two years in 30-day windows
    for body in orders:
        start, end = (dt.datetime.fromisoformat(body[k]) for k in ("dataStartTime", "dataEndTime"))
        assert dt.timedelta(0) < end - start <= dt.timedelta(days=30)
    assert min(dt.datetime.fromisoformat(b["dataStartTime"]) for b in orders) == NOW - dt.timedelta(days=730)
    fee = next(c for c in created if c["reportType"] == "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA")
    assert NOW - dt.datetime.fromisoformat(fee["dataStartTime"]) >= dt.timedelta(hours=72)
    assert all(c["marketplaceIds"] == ["ATVPDKIKX0DER"] for c in created)  # US, the default setting
    # createReport: a burst of 15, then one a minute (Amazon's usage plan), on the injected clock
    stamps = [t for t, op in full["clock"].calls if op == "createReport"]
    assert len(stamps) == len(created)
    assert len(stamps) > 15 and stamps[14] == stamps[0]  # the burst goes at once
    for i in range(len(stamps)):  # never more than 15 + elapsed/60 s calls in any stretch
        for j in range(i):
            assert i - j + 1 <= 15 + (stamps[i] - stamps[j]) / 60 + 1e-9
    # every request authenticated with the LWA access token, never with the refresh token
    api_calls = full["server"].calls("/reports/")
    assert api_calls and all(r.headers.get("x-amz-access-token") == "Atza|fake-access-token" for r in api_calls)


def test_progress_events_name_each_report_and_stage(full):
    stages = {(e.report_type, e.stage) for e in full["events"]}
    for report in CATALOGUE:
        assert (report.report_type, "requested") in stages
        assert (report.report_type, "done") in stages
    assert (ORDERS, "waiting") in stages and (ORDERS, "downloading") in stages and (ORDERS, "loading") in stages
    done = [e for e in full["events"] if e.stage == "done" and e.report_type == ORDERS]
    assert done[-1].status == "loaded" and "46,171 rows loaded" in done[-1].message


def test_second_sync_changes_nothing(full):
    before = everything(full["db"])
    created = len(full["server"].created())
    again = sync(full["db"], now=NOW, pace=FakeClock())
    assert {r.status for r in again} <= {"unchanged", "empty"}
    assert all(r.rows_loaded == 0 for r in again)
    assert everything(full["db"]) == before
    new = full["server"].created()[created:]
    orders = [b for b in new if b["reportType"] == ORDERS]
    # from the last loaded day (the window ended 2026-11-16) minus the 2-day overlap
    assert [b["dataStartTime"] for b in orders] == ["2026-11-14T00:00:00+00:00"]
    summary = last_sync(full["db"])
    assert summary and [r.status for r in summary.results] == [r.status for r in again]


def test_secrets_never_in_the_database_files_or_output(full, capsys):
    raw = full["db"].read_bytes()
    for secret in (REFRESH, SECRET):
        assert secret.encode() not in raw
        for path in spapi_sync.data_folder(full["db"]).iterdir():
            assert secret.encode() not in path.read_bytes()
        assert secret not in repr(full["results"]) and secret not in repr(full["events"])
    status = credentials_status()
    assert status.configured and status.source == "environment"
    assert REFRESH not in status.describe() and SECRET not in repr(status)


def test_cancelled_is_empty_and_fatal_fails_with_amazons_error_document(fake, tmp_path):
    fake.fatal = {"GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"}
    results = sync(tmp_path / "x.duckdb", now=NOW, pace=FakeClock(), reports=["shipments", "returns"])
    shipments, returns = results
    assert (shipments.status, shipments.errors) == ("empty", ())
    assert returns.status == "failed"
    assert "the seller account is under review" in returns.errors[0]
    assert "Exception" not in returns.label and "Error" not in returns.label


def test_throttling_and_server_errors_are_retried_honouring_retry_after(fake, tmp_path):
    fake.throttle, fake.server_errors = 2, 2
    clock = FakeClock()
    [result] = sync(tmp_path / "x.duckdb", now=NOW, pace=clock, reports=["fee-preview"], poll_interval=5)
    assert result.status == "loaded" and result.rows_loaded == 150
    assert len(fake.created()) == 3  # two 429s, then accepted
    assert clock.slept.count(7.0) == 2  # the Retry-After, honoured
    assert result.requests == 3 + 2 + 3 + 1  # createReport x3, getReport 503 x2 + polls x3, getReportDocument


def test_shrunken_snapshot_is_held_then_accepted(fake, tmp_path):
    path = tmp_path / "x.duckdb"
    [first] = sync(path, now=NOW, pace=FakeClock(), reports=["manage-inventory"])
    assert first.status == "loaded" and first.rows_loaded == 150
    good = contents(path)
    fake.shrink = {MYI: 0.05}
    tomorrow = fake.now = NOW + dt.timedelta(days=1)
    [held] = sync(path, now=tomorrow, pace=FakeClock(), reports=["manage-inventory"])
    assert held.status == "held" and held.rows_loaded == 0
    assert "7 SKU(s)" in held.label and "150" in held.label
    assert contents(path) == good  # the good snapshot stays
    [waiting] = held_reports(path)
    assert waiting.path.is_file() and waiting.report_type == MYI
    [accepted] = accept_held(path, "manage-inventory")
    assert accepted.status == "loaded" and accepted.rows_loaded == 7
    assert held_reports(path) == []
    with db.connect(path) as con:
        assert con.execute(f"SELECT count(*) FROM manage_inventory_rows WHERE snapshot_date = "
                           f"'{tomorrow.date()}'").fetchone()[0] == 7


def test_vanished_column_and_empty_sales_are_held(fake, tmp_path):
    path = tmp_path / "x.duckdb"
    sync(path, now=NOW, pace=FakeClock(), reports=["all-orders", "restock"])
    restock = demo_files()["GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT"].read_bytes().splitlines()
    dropped = [line.split(b"\t")[:-1] for line in restock]  # the last column vanishes
    (tmp_path / "restock.txt").write_bytes(b"\n".join(b"\t".join(c) for c in dropped) + b"\n")
    orders_header = fake.content({"reportType": ORDERS, "dataStartTime": "2000-01-01T00:00:00Z",
                                  "dataEndTime": "2000-01-02T00:00:00Z"})
    (tmp_path / "orders.txt").write_bytes(orders_header)
    fake.files = {**fake.files, "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": tmp_path / "restock.txt",
                  ORDERS: tmp_path / "orders.txt"}
    before = contents(path)
    fake.now = NOW + dt.timedelta(days=1)
    orders, restock_result = sync(path, now=fake.now, pace=FakeClock(),
                                  reports=["all-orders", "restock"])
    assert orders.status == "held" and "order line(s) were loaded in the 30 days before it" in orders.label
    assert restock_result.status == "held" and "lacks 1 column(s)" in restock_result.label
    assert contents(path) == before


class Killed(BaseException):
    """A kill at a chosen step (BaseException: nothing in the sync may swallow it)."""


@pytest.mark.parametrize("stage,nth", [("downloading", 7), ("loading", 4), ("requested", 20)])
def test_interrupted_sync_resumes_and_loads_nothing_twice(fake, tmp_path, stage, nth):
    reports = ["all-orders", "manage-inventory", "fee-preview"]
    types = [ORDERS, MYI, "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"]
    path = tmp_path / "x.duckdb"
    seen = []

    def kill(event):
        seen.append(event)
        if sum(e.stage == stage for e in seen) == nth:
            raise Killed

    with pytest.raises(Killed):
        sync(path, now=NOW, pace=FakeClock(), reports=reports, progress=kill)
    created = len(fake.created())
    results = sync(path, now=NOW, pace=FakeClock(), reports=reports)
    assert all(r.status in ("loaded", "unchanged") for r in results), results
    hand = tmp_path / "hand.duckdb"
    by_hand(hand, types)
    assert contents(path) == contents(hand)
    imports = ingest.list_imports(path)
    assert imports["file_name"].is_unique and len(imports) == 19 + 1 + 1  # 19 order windows hold rows
    with db.connect(path) as con:
        requested, distinct = con.execute("SELECT count(*), count(DISTINCT report_id) FROM sync_reports").fetchone()
    assert requested == distinct == len(fake.created())  # every request Amazon saw is in the state, once
    # the first run's 27 requests, plus at most the resumed run's 2-day overlap window of All Orders
    assert created <= 27 and len(fake.created()) <= 28


def test_cli_sync_json_fields_and_exit_codes(fake, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(spapi_sync, "POLL_INTERVAL_S", 0.01)
    path = tmp_path / "cli.duckdb"
    code = main(["sync", "--db", str(path), "--report", "manage-inventory", "fee-preview", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["report_type"] for d in lines] == [MYI, "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"]
    for d in lines:
        assert set(d) == {"report_type", "status", "rows_loaded", "date_min", "date_max", "requests", "errors",
                          "label"}
        assert d["status"] == "loaded" and d["rows_loaded"] == 150 and d["requests"] == 1 + 3 + 1
    for secret in (REFRESH, SECRET):
        assert secret not in out + err
    assert main(["sync", "--db", str(path), "--report", "nonsense"]) == 2
    monkeypatch.delenv("SP_API_REFRESH_TOKEN")
    assert main(["sync", "--db", str(tmp_path / "none.duckdb")]) == 8
    out, err = capsys.readouterr()
    assert "SP_API_REFRESH_TOKEN" in err and "Traceback" not in err and "Exception" not in err
    assert not (tmp_path / "none.duckdb").exists()


def test_credentials_file_is_written_0600_and_used_by_the_library(fake, tmp_path, monkeypatch):
    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    assert not credentials_status().configured and credentials_status().source is None
    refresh = REFRESH + "-from-file"  # a token the library has not cached an access token for
    written = write_credentials_file(refresh_token=refresh, lwa_app_id=APP_ID, lwa_client_secret=SECRET)
    assert written == tmp_path / "home" / ".config" / "python-sp-api" / "credentials.yml"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    status = credentials_status()
    assert status.configured and status.source == "file" and refresh not in status.describe()
    [result] = sync(tmp_path / "x.duckdb", now=NOW, pace=FakeClock(), reports=["fee-preview"])
    assert result.status == "loaded"
    token = fake.calls("/auth/o2/token")[-1].body
    assert token["refresh_token"] == refresh and token["client_id"] == APP_ID  # read from the file


@pytest.mark.parametrize("report", CATALOGUE, ids=lambda r: r.name)
def test_every_synced_report_is_documented(report):
    from pathlib import Path
    docs = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"| `{report.name}` | `{report.report_type}` |" in docs
    assert "fba-health sync" in readme and "fba-health alerts --markdown" in readme


@pytest.mark.parametrize("after", [6, 9, 12])
def test_killed_sync_command_resumes_identical(fake, tmp_path, after):
    """``fba-health sync`` in its own process, SIGKILLed once the fake has seen ``after`` requests
    (anywhere: waiting, downloading or inside a load), then a second run finishes the job."""
    import signal
    import subprocess
    import sys
    import time
    fake.polls_before_done = 0  # DONE at the first poll: no real waits in the child process
    reports = ["fba-inventory", "manage-inventory", "restock", "fee-preview"]
    types = [PLANNING, MYI, "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"]
    path = tmp_path / "killed.duckdb"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    child = subprocess.Popen([sys.executable, "-m", "core", "sync", "--db", str(path), "--json",
                              "--report", *reports], env=env, cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(fake.requests) < after and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate()
    for secret in (REFRESH.encode(), SECRET.encode()):
        assert secret not in out + err
    snapshot_day = dt.datetime.fromisoformat(fake.reports["50001"]["dataEndTime"].replace("Z", "+00:00")).date()
    results = sync(path, reports=reports, pace=FakeClock())  # today, as the killed command's run
    assert all(r.status in ("loaded", "unchanged") for r in results), results
    hand = tmp_path / "hand.duckdb"
    by_hand(hand, types, snapshot_date=snapshot_day)
    assert contents(path) == contents(hand)
    imports = ingest.list_imports(path)
    assert sorted(imports["report_type"]) == sorted(types)  # each loaded once
    assert len(fake.created()) == 4  # nothing requested twice


def closed_port_url() -> str:
    """An address on this machine where nothing listens (bound, then released)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_amazon_unreachable_stops_the_sync_at_once_with_one_message(fake, tmp_path, monkeypatch, capsys):
    """Network down: each request is tried MAX_ATTEMPTS = 6 times, sleeping 2, 4, 8, 16, 32 s between
    (doubling from BACKOFF_START_S = 2 s), then the whole sync stops: the first report's failure is
    not repeated for the eight others (9 × 62 s of waits), and the CLI says so in words, exit 10."""
    from core.spapi import AmazonUnreachable
    url = closed_port_url()
    monkeypatch.setenv("FBA_HEALTH_SPAPI_ENDPOINT", url)
    monkeypatch.setenv("FBA_HEALTH_LWA_ENDPOINT", url)
    clock = FakeClock()
    with pytest.raises(AmazonUnreachable, match=r"could not be reached at 127\.0\.0\.1:\d+ after 6 tries"):
        sync(tmp_path / "x.duckdb", now=NOW, pace=clock)
    assert clock.slept == [2.0, 4.0, 8.0, 16.0, 32.0]
    # The CLI runs on the real clock: shrink the backoff so the same six tries take 0.3 s, not 62 s.
    monkeypatch.setattr("core.spapi.client.BACKOFF_START_S", 0.01)
    assert main(["sync", "--db", str(tmp_path / "x.duckdb"), "--json"]) == 10
    out = capsys.readouterr()
    assert out.out == "" and "check the internet connection" in out.err and "Traceback" not in out.err


def test_a_connection_lost_mid_sync_keeps_what_was_loaded(fake, tmp_path):
    """The fake goes away while the second report is being fetched: the first one's rows stay loaded,
    its state row says so, and the sync ends with the network message (no traceback, no half load)."""
    from core.spapi import AmazonUnreachable
    path = tmp_path / "x.duckdb"

    def drop(event):
        if event.report_type == "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA" and event.stage == "downloading":
            fake.stop()

    with pytest.raises(AmazonUnreachable):
        sync(path, now=NOW, pace=FakeClock(), reports=["manage-inventory", "fee-preview"], progress=drop)
    hand = tmp_path / "hand.duckdb"
    by_hand(hand, [MYI])
    assert contents(path)["manage_inventory"] == contents(hand)["manage_inventory"]
    with db.connect(path) as con:
        states = dict(con.execute("SELECT report_type, status FROM sync_reports").fetchall())
    assert states[MYI] == "loaded" and states["GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"] != "loaded"


def test_one_sync_per_database_at_a_time_across_the_app_and_the_cli(fake, tmp_path, capsys):
    """The lock is an flock on amazon_sync/sync.lock: while it is held (here, by this test, as a running
    sync would), a second sync and an accept are refused in words (CLI exit 11) and request nothing."""
    path = tmp_path / "x.duckdb"
    sync(path, now=NOW, pace=FakeClock(), reports=["fee-preview"])
    before = len(fake.created())
    with spapi_sync._sync_lock(path):
        with pytest.raises(spapi_sync.SyncAlreadyRunning, match="Another sync of this database is running"):
            sync(path, now=NOW, pace=FakeClock(), reports=["restock"])
        with pytest.raises(spapi_sync.SyncAlreadyRunning):
            spapi_sync.accept_held(path)
        assert main(["sync", "--db", str(path), "--report", "restock"]) == 11
        assert "Another sync of this database is running" in capsys.readouterr().err
    assert len(fake.created()) == before
    [result] = sync(path, now=NOW, pace=FakeClock(), reports=["restock"])  # released: it runs
    assert result.status == "loaded"


def test_planned_requests_count_the_windows_still_to_ask_for(fake, tmp_path):
    """A first sync: 730 days of orders and of shipments in 30-day windows (25 each: 24 × 30 + 10 days),
    one request for each of the other seven. After it, the same day asks for none of the windows again
    (their keys are known) but for today's four snapshots... which are known too: nothing."""
    path = tmp_path / "x.duckdb"
    assert spapi_sync.planned_requests(path, now=NOW) == 57
    assert spapi_sync.planned_requests(path, now=NOW, reports=["all-orders", "restock"]) == 26
    sync(path, now=NOW, pace=FakeClock(), reports=["all-orders", "restock"])
    assert spapi_sync.planned_requests(path, now=NOW, reports=["all-orders", "restock"]) == 1  # the overlap window
    later = NOW + dt.timedelta(days=1)
    assert spapi_sync.planned_requests(path, now=later, reports=["all-orders", "restock"]) == 2
    assert len(fake.created()) == 26


@pytest.mark.parametrize("requests, minutes", [(0, 0), (15, 0), (16, 2), (57, 84)])
def test_expected_minutes_of_amazons_pacing(requests, minutes):
    """A burst of 15, then one a minute, for the request and again for the download: 2 × (n − 15)."""
    assert spapi_sync.expected_minutes(requests) == minutes


def test_a_background_sync_records_each_step_and_its_results(fake, tmp_path):
    from core.spapi import background
    path = tmp_path / "x.duckdb"
    job = background.start_sync(path, reports=["restock", "fee-preview"], now=NOW, pace=FakeClock())
    again = background.start_sync(path, reports=["restock"], now=NOW, pace=FakeClock())
    assert again is job or not job.running  # while it runs, a second press returns the same sync
    assert job.wait(timeout=60)
    assert background.current_job(path) is job
    assert job.stopped is None and [r.status for r in job.results] == ["loaded", "loaded"]
    assert job.reports_done() == 2
    assert [e.stage for e in job.steps()] == ["done", "done"]
    assert job.finished_at >= job.started_at


def test_a_background_sync_without_credentials_says_why_it_stopped(fake, tmp_path, monkeypatch):
    from core.spapi import background
    monkeypatch.delenv("LWA_CLIENT_SECRET")
    job = background.start_sync(tmp_path / "x.duckdb", now=NOW, pace=FakeClock())
    assert job.wait(timeout=30)
    assert job.results is None and job.stopped_kind == "credentials"
    assert "lack the LWA client secret (LWA_CLIENT_SECRET)" in job.stopped
