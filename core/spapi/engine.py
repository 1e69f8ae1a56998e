"""Sync from Amazon: request, wait for, download and load the reports the app reads.

Each request is a row of ``sync_reports`` in the database (made by the first sync) before anything else
happens to it, and moves through ``requested`` -> ``downloaded`` -> ``loaded`` | ``unchanged`` |
``empty`` | ``held`` | ``failed`` (| ``accepted``). A sync that is killed resumes on the next run:
requested reports are polled again, downloaded files are loaded, and nothing is requested twice
for the same window. Loading goes through ``core.ingest.load_report``, the loader of an upload and of
``fba-health load``, whose file hash makes a second load of the same document ``unchanged``.

Guardrails: before a downloaded report replaces good data, a snapshot report with fewer than
``SHRINK_RATIO`` of the SKUs of the last one loaded, a report missing a column the previous one had,
or an empty sales report where the database holds sales in the 30 days before it, is ``held``: kept
on disk, not loaded, with a warning, until the seller accepts it (``accept_held``).

Public API (for the Upload page and the CLI)::

    sync(db_path, *, since=None, reports=None, progress=None, now=None, pace=None) -> list[ReportResult]
    last_sync(db_path) -> LastSync | None
    held_reports(db_path) -> list[HeldReport]
    accept_held(db_path, report_type=None, *, request_key=None, progress=None) -> list[ReportResult]
    credentials_status() -> CredentialsStatus        (core.spapi.credentials)
    write_credentials_file(refresh_token=..., lwa_app_id=..., lwa_client_secret=...) -> Path

``progress`` receives a ``SyncEvent`` per step of each report: ``report_type``, ``title``,
``stage`` (``requested`` | ``waiting`` | ``downloading`` | ``loading`` | ``done``), ``status`` (the
request's state, or the final status at ``done``) and a ``message`` in the seller's words.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from core import db, ingest, settings
from core.schemas import BY_TYPE, normalise_header
from core.spapi import catalogue
from core.spapi.catalogue import CATALOGUE, OVERLAP_DAYS, SyncReport
from core.spapi.client import (RATES, AmazonUnreachable, CredentialsRefused, Pace, RateLimiter, ReportsApi, SpapiError,
                               download)
from core.spapi.credentials import MissingCredentials, load_account, load_credentials

SHRINK_RATIO = 0.5  # a snapshot with fewer SKUs than this share of the last one is held
POLL_INTERVAL_S = 30.0
MAX_WAIT_S = 2 * 3600.0  # a report not ready after this is picked up by the next sync
LAST_SYNC = "spapi_last_sync"
STATUSES = ("loaded", "unchanged", "empty", "held", "failed")
_PRECEDENCE = {"failed": 4, "held": 3, "loaded": 2, "unchanged": 1, "empty": 0}

__all__ = ["sync", "last_sync", "held_reports", "accept_held", "ReportResult", "SyncEvent", "HeldReport",
           "LastSync", "MissingCredentials", "SpapiError", "AmazonUnreachable", "SyncAlreadyRunning", "data_folder",
           "planned_requests", "expected_minutes"]


class SyncAlreadyRunning(SpapiError):
    """Another sync of the same database is running (the app's button, or the nightly cron job)."""


@dataclass(frozen=True)
class SyncEvent:
    """One step of one report's sync, for a progress display."""

    report_type: str
    title: str
    stage: str  # requested | waiting | downloading | loading | done
    status: str
    message: str = ""


@dataclass(frozen=True)
class ReportResult:
    """What a sync did for one report type; ``to_json`` is the ``fba-health sync --json`` contract."""

    report_type: str
    status: str  # loaded | unchanged | empty | held | failed
    rows_loaded: int = 0
    date_min: str | None = None
    date_max: str | None = None
    requests: int = 0
    errors: tuple[str, ...] = ()  # why a report failed, or why it is held (in the seller's words)

    @property
    def title(self) -> str:
        return BY_TYPE[self.report_type].title

    @property
    def label(self) -> str:
        """One line for the seller: "All Orders (by order date): 1,234 rows loaded (2026-01-01 to …)"."""
        span = f" ({self.date_min} to {self.date_max})" if self.date_min else ""
        said = {
            "loaded": f"{self.rows_loaded:,} rows loaded{span}",
            "unchanged": "nothing new",
            "empty": "Amazon had no data for it",
            "held": "held back, not loaded: " + "; ".join(self.errors),
            "failed": "failed: " + "; ".join(self.errors),
        }[self.status]
        return f"{self.title}: {said}"

    def to_json(self) -> dict:
        return {"report_type": self.report_type, "status": self.status, "rows_loaded": self.rows_loaded,
                "date_min": self.date_min, "date_max": self.date_max, "requests": self.requests,
                "errors": list(self.errors), "label": self.label}


@dataclass(frozen=True)
class HeldReport:
    """A downloaded report held back by a guardrail."""

    request_key: str
    report_type: str
    title: str
    path: Path
    reason: str
    data_start: str | None
    data_end: str | None


@dataclass(frozen=True)
class LastSync:
    started_at: str
    finished_at: str
    results: tuple[ReportResult, ...]


def data_folder(db_path: Path) -> Path:
    """Where downloaded reports are kept: ``amazon_sync`` beside the database."""
    return Path(db_path).resolve().parent / "amazon_sync"


@contextmanager
def _sync_lock(db_path: Path) -> Iterator[None]:
    """One sync per database at a time, across processes (the app and a cron job): an ``flock`` on
    ``amazon_sync/sync.lock``, released by the kernel if the process dies, so a kill never leaves it stuck.
    Two syncs at once would each request the same windows and load the same documents."""
    folder = data_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "sync.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncAlreadyRunning("Another sync of this database is running (the app's Sync now button or "
                                     "the scheduled job): it goes on by itself; run this one after it ends.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def utc_now() -> dt.datetime:
    """The sync's "now" when none is given: the windows end here (one place, so a test can fix the day)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value).replace(tzinfo=None)


# --- state ------------------------------------------------------------------------------------------

# The sync's own table, made by the first sync (not a migration: a database that never syncs stays as it
# is, and an older fba-health reads a synced one unchanged, ignoring the table). No credential is ever
# stored here. A change to its layout adds columns with ALTER TABLE ... ADD COLUMN IF NOT EXISTS.
STATE_TABLE = """CREATE TABLE IF NOT EXISTS sync_reports (
            request_key VARCHAR PRIMARY KEY,
            report_type VARCHAR NOT NULL,
            data_start TIMESTAMP,
            data_end TIMESTAMP,
            snapshot_date DATE,
            report_id VARCHAR,
            status VARCHAR NOT NULL,
            document_path VARCHAR,
            header VARCHAR[],
            row_count BIGINT,
            import_id INTEGER,
            rows_loaded BIGINT,
            date_min DATE,
            date_max DATE,
            message VARCHAR,
            requested_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL
        )"""


def _ensure_state(db_path: Path) -> None:
    with db.writing(db_path) as con:
        con.execute(STATE_TABLE)


def _has_state(db_path: Path) -> bool:
    if not Path(db_path).exists():
        return False
    with db.connect(db_path) as con:
        return bool(con.execute("SELECT count(*) FROM information_schema.tables "
                                "WHERE table_schema = 'main' AND table_name = 'sync_reports'").fetchone()[0])

_COLUMNS = ("request_key", "report_type", "data_start", "data_end", "snapshot_date", "report_id", "status",
            "document_path", "header", "row_count", "import_id", "rows_loaded", "date_min", "date_max",
            "message")


def _rows(db_path: Path, where: str = "true", params: dict | None = None) -> list[dict]:
    with db.connect(db_path) as con:
        found = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM sync_reports WHERE {where} "
                            "ORDER BY report_type, data_start NULLS FIRST, requested_at", params or {}).fetchall()
    return [dict(zip(_COLUMNS, row)) for row in found]


def _insert(db_path: Path, row: dict) -> None:
    with db.writing(db_path) as con:
        con.execute("INSERT INTO sync_reports (request_key, report_type, data_start, data_end, report_id, status, "
                    "requested_at, updated_at) VALUES ($key, $type, $start, $end, $id, 'requested', now(), now())",
                    {"key": row["request_key"], "type": row["report_type"], "start": row["data_start"],
                     "end": row["data_end"], "id": row["report_id"]})


def _update(db_path: Path, key: str, **values) -> None:
    sets = ", ".join(f"{k} = ${k}" for k in values)
    with db.writing(db_path) as con:
        con.execute(f"UPDATE sync_reports SET {sets}, updated_at = now() WHERE request_key = $key",
                    {**values, "key": key})


def _request_key(report: SyncReport, window: catalogue.Window, now: dt.datetime) -> str:
    if report.snapshot:  # one snapshot a day
        return f"{report.report_type}|snapshot|{now.date().isoformat()}"
    return f"{report.report_type}|{window.start.isoformat()}|{window.end.isoformat()}"


def _since(db_path: Path, report: SyncReport) -> dt.datetime | None:
    """The last day this report was synced to, minus the overlap (None: never synced)."""
    with db.connect(db_path) as con:
        end = con.execute("SELECT max(data_end) FROM sync_reports WHERE report_type = $t AND status <> 'failed'",
                          {"t": report.report_type}).fetchone()[0]
    if end is None:
        return None
    day = dt.datetime.combine(end.date(), dt.time(), dt.timezone.utc)
    return day - dt.timedelta(days=OVERLAP_DAYS)


# --- the file ---------------------------------------------------------------------------------------

def _header_and_rows(path: Path) -> tuple[list[str], int]:
    """The header's normalised names and the number of non-empty lines after it (streamed)."""
    header: list[str] = []
    rows = 0
    with open(path, "rb") as handle:
        first = handle.readline()
        text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
        delimiter = "\t" if "\t" in text else ","
        header = [normalise_header(h.strip('"')) for h in text.split(delimiter)] if text else []
        for line in handle:
            if line.strip():
                rows += 1
    return header, rows


def _error_document_text(path: Path) -> str:
    with open(path, "rb") as handle:
        text = handle.read(2000).decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
        text = data.get("errorDetails") or data.get("message") or text
    except (ValueError, AttributeError):
        pass
    return " ".join(str(text).split())[:500]


# --- guardrails -------------------------------------------------------------------------------------

def _guard(db_path: Path, report: SyncReport, row: dict) -> str | None:
    """Why this downloaded report should not replace what is loaded (None: load it)."""
    header, n_rows = row["header"] or [], row["row_count"] or 0
    previous = _rows(db_path, "report_type = $t AND status IN ('loaded', 'unchanged', 'accepted') "
                     "AND header IS NOT NULL AND request_key <> $k", {"t": report.report_type, "k": row["request_key"]})
    if previous:
        gone = [h for h in previous[-1]["header"] if h and h not in header]
        if gone and n_rows:
            shown = ", ".join(gone[:5]) + (" …" if len(gone) > 5 else "")
            return (f"the {report.title} report Amazon sent lacks {len(gone)} column(s) the last one had "
                    f"({shown}); loading it could blank those values")
    if report.snapshot:
        with db.connect(db_path) as con:
            last = con.execute("SELECT row_count FROM imports WHERE report_type = $t ORDER BY import_id DESC LIMIT 1",
                               {"t": report.report_type}).fetchone()
        if last and last[0] and n_rows < SHRINK_RATIO * last[0]:
            return (f"the {report.title} report Amazon sent lists {n_rows:,} SKU(s), the last one loaded "
                    f"{last[0]:,}: Amazon sometimes sends a partial report, so it is not loaded")
    if report.sales and n_rows == 0 and row["data_start"] is not None:
        table = BY_TYPE[report.report_type].table
        date_column = BY_TYPE[report.report_type].date_column
        start = row["data_start"]
        with db.connect(db_path) as con:
            before = con.execute(f"SELECT count(*) FROM {table} WHERE {date_column} >= $a AND {date_column} < $b",
                                 {"a": start - dt.timedelta(days=30), "b": start}).fetchone()[0]
        if before:
            return (f"the {report.title} report for {start.date()} to {row['data_end'].date()} is empty, "
                    f"though {before:,} order line(s) were loaded in the 30 days before it")
    return None


def _fingerprint(db_path: Path, report_type: str) -> tuple:
    schema = BY_TYPE[report_type]
    cols = ", ".join(c.name for c in schema.columns)
    with db.connect(db_path) as con:
        return con.execute(f"SELECT count(*), sum(hash({cols})) FROM {schema.table}_rows "
                           "WHERE superseded_by IS NULL").fetchone()


def _load(db_path: Path, report: SyncReport, row: dict) -> tuple[str, ingest.LoadResult | None]:
    """Load a downloaded report through the upload's loader; ``unchanged`` when the data did not change."""
    path = Path(row["document_path"])
    window = (f"{row['data_start'].date()} to {row['data_end'].date()}" if row["data_end"] else
              f"{row['snapshot_date']}")
    name = f"{report.title}, from Amazon {window} (report {row['report_id']}).txt"
    before = _fingerprint(db_path, report.report_type)
    result = ingest.load_report(db_path, path, file_name=name, snapshot_date=row["snapshot_date"])
    if result.status == "loaded" and result.import_id and _fingerprint(db_path, report.report_type) == before:
        ingest.remove_import(db_path, result.import_id)  # the same rows again: the import adds nothing
        return "unchanged", result
    return result.status, result


# --- one request ------------------------------------------------------------------------------------

class _Run:
    def __init__(self, db_path, api, pace, progress, poll_interval, max_wait):
        self.db_path, self.api, self.pace = db_path, api, pace
        self.progress = progress or (lambda event: None)
        self.poll_interval, self.max_wait = poll_interval, max_wait
        self.requests: dict[str, int] = {}

    def say(self, report: SyncReport, stage: str, status: str, message: str = "") -> None:
        self.progress(SyncEvent(report.report_type, report.title, stage, status, message))

    def call(self, report: SyncReport, method, *args):
        before = self.api.requests
        try:
            return method(*args)
        finally:
            self.requests[report.report_type] = self.requests.get(report.report_type, 0) + self.api.requests - before

    def request(self, report: SyncReport, now: dt.datetime, since: dt.datetime | None) -> None:
        known = {r["request_key"] for r in _rows(self.db_path, "report_type = $t", {"t": report.report_type})}
        start = since if since is not None else _since(self.db_path, report)
        for window in catalogue.windows(report, now, start):
            key = _request_key(report, window, now)
            if key in known:
                continue
            report_id = self.call(report, self.api.create_report, report.report_type, window.start, window.end)
            _insert(self.db_path, {"request_key": key, "report_type": report.report_type,
                                   "data_start": _naive(window.start), "data_end": _naive(window.end),
                                   "report_id": report_id})
            self.say(report, "requested", "requested", f"Requested report {report_id}")

    def advance(self, report: SyncReport, row: dict, *, accept: bool = False) -> dict:
        """Take one request as far as it goes; returns the row as it ends."""
        key = row["request_key"]
        if row["status"] == "requested":
            waited = 0.0
            while True:
                state = self.call(report, self.api.get_report, row["report_id"])
                status = state.get("processingStatus")
                if status in ("DONE", "CANCELLED", "FATAL"):
                    break
                if waited >= self.max_wait:
                    self.say(report, "waiting", "requested", "Amazon is still preparing it: the next sync picks it up")
                    return {**row, "status": "pending"}
                self.say(report, "waiting", status.lower(), f"Amazon is preparing it ({status})")
                self.pace.sleep(self.poll_interval)
                waited += self.poll_interval
            if status == "CANCELLED":
                _update(self.db_path, key, status="empty", message="Amazon had no data for this period")
                return {**row, "status": "empty"}
            document_id = state.get("reportDocumentId")
            if status == "FATAL":
                message = "Amazon could not produce the report"
                if document_id:
                    meta = self.call(report, self.api.get_report_document, document_id)
                    target = data_folder(self.db_path) / f"{report.name}_{row['report_id']}_error.txt"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    download(meta["url"], meta.get("compressionAlgorithm"), target)
                    message += f": {_error_document_text(target)}"
                _update(self.db_path, key, status="failed", message=message)
                return {**row, "status": "failed", "message": message}
            self.say(report, "downloading", "done", "Downloading the report")
            meta = self.call(report, self.api.get_report_document, document_id)
            target = data_folder(self.db_path) / f"{report.name}_{row['report_id']}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            download(meta["url"], meta.get("compressionAlgorithm"), target)
            header, n_rows = _header_and_rows(target)
            end = state.get("dataEndTime") or state.get("processingEndTime") or state.get("createdTime")
            snapshot = dt.datetime.fromisoformat(end.replace("Z", "+00:00")).date() if end else None
            _update(self.db_path, key, status="downloaded", document_path=str(target), header=header,
                    row_count=n_rows, snapshot_date=snapshot)
            row = {**row, "status": "downloaded", "document_path": str(target), "header": header,
                   "row_count": n_rows, "snapshot_date": snapshot}
        if row["status"] in ("downloaded", "held") and (row["status"] == "downloaded" or accept):
            reason = None if accept else _guard(self.db_path, report, row)
            if reason:
                _update(self.db_path, key, status="held", message=reason)
                self.say(report, "done", "held", reason)
                return {**row, "status": "held", "message": reason}
            if not row["row_count"] and not accept:  # a header and no row: nothing in this period
                _update(self.db_path, key, status="empty", message="Amazon had no rows for this period")
                return {**row, "status": "empty"}
            self.say(report, "loading", "downloaded", "Loading it")
            status, result = _load(self.db_path, report, row)
            if status in ("loaded", "unchanged"):
                final = "accepted" if accept else status
                _update(self.db_path, key, status=final, import_id=result.import_id,
                        rows_loaded=result.rows_loaded if status == "loaded" else 0,
                        date_min=result.date_min, date_max=result.date_max,
                        message="; ".join(result.warnings) or None)
                return {**row, "status": status, "rows_loaded": result.rows_loaded if status == "loaded" else 0,
                        "date_min": result.date_min, "date_max": result.date_max}
            message = "; ".join(result.errors) or "the report could not be loaded"
            _update(self.db_path, key, status="failed", message=message)
            return {**row, "status": "failed", "message": message}
        return row


def _summarise(report: SyncReport, rows: list[dict], requests: int) -> ReportResult:
    if not rows:
        return ReportResult(report.report_type, "unchanged", requests=requests)
    statuses = [("failed" if r["status"] == "pending" else r["status"]) for r in rows]
    status = max(statuses, key=lambda s: _PRECEDENCE.get(s, 0))
    loaded = [r for r in rows if r["status"] == "loaded"]
    mins = [str(r["date_min"]) for r in loaded if r.get("date_min")]
    maxs = [str(r["date_max"]) for r in loaded if r.get("date_max")]
    errors = tuple(r.get("message") or "" for r in rows if r["status"] in ("failed", "pending"))
    errors = tuple(e or "Amazon is still preparing it: the next sync picks it up" for e in errors)
    errors += tuple(r["message"] for r in rows if r["status"] == "held" and r.get("message"))
    return ReportResult(report.report_type, status, sum(r.get("rows_loaded") or 0 for r in loaded),
                        min(mins) if mins else None, max(maxs) if maxs else None, requests, errors)


def _open_api(db_path: Path, credentials: dict[str, str], pace: Pace):
    _ensure_state(db_path)
    account = load_account(db_path)
    return ReportsApi(credentials, account.marketplace, limiter=RateLimiter(pace))


def sync(db_path: Path, *, since: dt.date | None = None, reports: list[str] | None = None,
         progress: Callable[[SyncEvent], None] | None = None, now: dt.datetime | None = None,
         pace: Pace | None = None, poll_interval: float | None = None,
         max_wait: float | None = None) -> list[ReportResult]:
    """Sync the reports from Amazon into ``db_path``; one ``ReportResult`` per report type, in catalogue order.

    Parameters
    ----------
    since : first day to request (windowed reports); default: the last synced day minus 2 days, or as
        far back as Amazon allows on the first sync.
    reports : short names, report type ids or titles (``core.spapi.catalogue.find``); default all.
    progress : called with a ``SyncEvent`` per step.
    now : the sync's "now" (UTC), for tests; pace : the clock and sleep of the waits (``FakeClock``).

    Raises ``MissingCredentials`` (no credentials) before any request, ``SyncAlreadyRunning`` when
    another sync of this database holds its lock, and ``AmazonUnreachable`` when the network is down
    (what was loaded stays); a request that fails for good makes its report ``failed`` with the reason,
    and the sync goes on with the next one.
    """
    pace = pace or Pace()
    now = _utc(now) or utc_now()
    chosen = [catalogue.find(r) for r in reports] if reports else list(CATALOGUE)
    chosen = [r for r in CATALOGUE if r in chosen]
    start = (dt.datetime.combine(since, dt.time(), dt.timezone.utc) if since else None)
    credentials = load_credentials()  # MissingCredentials: the seller's message, before any file is made
    with _sync_lock(db_path):
        return _sync(db_path, credentials, chosen, start, now, pace, progress, poll_interval, max_wait)


def _sync(db_path, credentials, chosen, start, now, pace, progress, poll_interval, max_wait) -> list[ReportResult]:
    api = _open_api(db_path, credentials, pace)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    run = _Run(db_path, api, pace, progress, POLL_INTERVAL_S if poll_interval is None else poll_interval,
               MAX_WAIT_S if max_wait is None else max_wait)
    failures: dict[str, str] = {}
    try:
        for report in chosen:  # all requests first, so Amazon prepares them side by side
            try:
                run.request(report, now, start)
            except CredentialsRefused as refused:
                raise MissingCredentials(str(refused)) from None
            except AmazonUnreachable:
                raise  # every other report would wait through the same retries: stop at once
            except SpapiError as error:
                failures[report.report_type] = str(error)
        results = []
        for report in chosen:
            done = []
            open_rows = _rows(db_path, "report_type = $t AND status IN ('requested', 'downloaded')",
                              {"t": report.report_type})
            for row in open_rows:
                try:
                    done.append(run.advance(report, row))
                except AmazonUnreachable:
                    raise  # the requests stay in sync_reports: the next sync polls them again
                except SpapiError as error:
                    done.append({**row, "status": "failed", "message": str(error)})
            result = _summarise(report, done, run.requests.get(report.report_type, 0))
            if report.report_type in failures:
                result = ReportResult(report.report_type, "failed", result.rows_loaded, result.date_min,
                                      result.date_max, result.requests, result.errors + (failures[report.report_type],))
            results.append(result)
            run.say(report, "done", result.status, result.label)
    finally:
        api.close()
    finished = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    settings.save_raw(db_path, LAST_SYNC, {"started_at": started, "finished_at": finished,
                                           "results": [asdict(r) for r in results]})
    return results


def last_sync(db_path: Path) -> LastSync | None:
    """When the last sync ran and what it did (None: never)."""
    if not Path(db_path).exists():
        return None
    saved = settings.load_raw(db_path, LAST_SYNC)
    if not saved:
        return None
    results = tuple(ReportResult(**{**r, "errors": tuple(r["errors"])}) for r in saved["results"])
    return LastSync(saved["started_at"], saved["finished_at"], results)


def held_reports(db_path: Path) -> list[HeldReport]:
    """The downloaded reports a guardrail held back, oldest first."""
    if not _has_state(db_path):
        return []
    return [HeldReport(r["request_key"], r["report_type"], BY_TYPE[r["report_type"]].title, Path(r["document_path"]),
                       r["message"] or "", r["data_start"] and r["data_start"].isoformat(),
                       r["data_end"] and r["data_end"].isoformat())
            for r in _rows(db_path, "status = 'held'")]


def accept_held(db_path: Path, report_type: str | None = None, *, request_key: str | None = None,
                progress: Callable[[SyncEvent], None] | None = None) -> list[ReportResult]:
    """Load held reports as they are (the seller checked them): all, one report type's, or one request's.

    Needs no credentials and makes no request: the files are already on disk.
    """
    results = []
    if not _has_state(db_path):
        return results
    with _sync_lock(db_path):
        return _accept_held(db_path, report_type, request_key, progress)


def _accept_held(db_path, report_type, request_key, progress) -> list[ReportResult]:
    results = []
    run = _Run(db_path, None, Pace(), progress, 0, 0)
    for report in CATALOGUE:
        if report_type and catalogue.find(report_type) != report:
            continue
        rows = [r for r in _rows(db_path, "status = 'held' AND report_type = $t", {"t": report.report_type})
                if request_key in (None, r["request_key"])]
        if rows:
            done = [run.advance(report, row, accept=True) for row in rows]
            results.append(_summarise(report, done, 0))
    return results


# --- how long a sync takes ---------------------------------------------------------------------------

def planned_requests(db_path: Path, *, reports: list[str] | None = None, now: dt.datetime | None = None) -> int:
    """How many reports the next sync asks Amazon for (``createReport`` calls): one per window of each
    report from where the last sync stopped (``catalogue.windows``), minus those already requested."""
    now = _utc(now) or utc_now()
    chosen = [catalogue.find(r) for r in reports] if reports else list(CATALOGUE)
    known = {r["request_key"] for r in _rows(db_path)} if _has_state(db_path) else set()
    total = 0
    for report in chosen:
        since = _since(db_path, report) if _has_state(db_path) else None
        total += sum(_request_key(report, w, now) not in known for w in catalogue.windows(report, now, since))
    return total


def expected_minutes(requests: int) -> int:
    """Minutes of Amazon's pacing a sync of ``requests`` reports waits through (rounded up).

    Amazon's usage plan for createReport and for getReportDocument is a token bucket: a burst of 15, then
    one a minute (``client.RATES``). Each report needs one of each, so past the burst a sync waits about a
    minute per report twice: ``2 × max(0, requests − 15)`` minutes, plus Amazon's own time to prepare the
    reports, which this does not count.

    >>> expected_minutes(9), expected_minutes(57)
    (0, 84)
    """
    rate, burst = RATES["createReport"]
    return math.ceil(2 * max(0, requests - burst) / rate / 60)
