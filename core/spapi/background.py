"""A sync run in a background thread of the app's server, for the Upload page's **Sync now** button.

A first sync waits through about an hour and a half of Amazon's pacing (``engine.expected_minutes``). Run
inside a page's script it would stop the moment the seller opened another page or closed the tab
(Streamlit stops a script whose session moves on). Here it runs in a thread of its own and keeps a
record the page polls: the latest step of each report, then the results or the reason it stopped.
Nothing in this module touches Streamlit; the thread only calls ``engine.sync``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from core.spapi import engine
from core.spapi.catalogue import CATALOGUE
from core.spapi.credentials import MissingCredentials

log = logging.getLogger(__name__)

STOPPED_BY = {  # why a sync stopped before its results, for the page to word
    MissingCredentials: "credentials",
    engine.AmazonUnreachable: "unreachable",
    engine.SyncAlreadyRunning: "running",
}


@dataclass
class SyncJob:
    """One sync started from the app: its steps so far, then its results or why it stopped."""

    db_path: Path
    report_types: tuple[str, ...]
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    finished_at: dt.datetime | None = None
    latest: dict = field(default_factory=dict)  # report type -> its latest SyncEvent
    results: list | None = None  # list[ReportResult] once it ended normally
    stopped: str | None = None  # the reason it stopped early, in the seller's words
    stopped_kind: str | None = None  # credentials | unreachable | running | unexpected
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def record(self, event: engine.SyncEvent) -> None:
        with self._lock:
            self.latest[event.report_type] = event

    def steps(self) -> list[engine.SyncEvent | None]:
        """The latest step of each report of this sync, in catalogue order (None: not reached yet)."""
        with self._lock:
            return [self.latest.get(t) for t in self.report_types]

    def reports_done(self) -> int:
        return sum(1 for e in self.steps() if e is not None and e.stage == "done")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sync ends (tests, the CLI); True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running


_jobs: dict[Path, SyncJob] = {}
_jobs_lock = threading.Lock()


def _key(db_path: Path) -> Path:
    return Path(db_path).resolve()


def current_job(db_path: Path) -> SyncJob | None:
    """The sync this process started last for the database (running or ended), or None."""
    with _jobs_lock:
        return _jobs.get(_key(db_path))


def start_sync(db_path: Path, *, reports: list[str] | None = None, **sync_options) -> SyncJob:
    """Start ``engine.sync(db_path, reports=..., **sync_options)`` in a background thread and return its
    job; while one is running for this database, return that one instead of starting another."""
    with _jobs_lock:
        running = _jobs.get(_key(db_path))
        if running is not None and running.running:
            return running
        from core.spapi import catalogue
        chosen = {catalogue.find(r) for r in reports} if reports else set(CATALOGUE)
        job = SyncJob(Path(db_path), tuple(r.report_type for r in CATALOGUE if r in chosen))
        job._thread = threading.Thread(target=_run, args=(job, reports, sync_options),
                                       name=f"fba-health sync {Path(db_path).name}", daemon=True)
        _jobs[_key(db_path)] = job
        job._thread.start()
        return job


def _run(job: SyncJob, reports: list[str] | None, sync_options: dict) -> None:
    try:
        job.results = engine.sync(job.db_path, reports=reports, progress=job.record, **sync_options)
    except tuple(STOPPED_BY) as error:
        job.stopped = str(error)
        job.stopped_kind = next(kind for kind_of, kind in STOPPED_BY.items() if isinstance(error, kind_of))
    except Exception as error:  # the thread must say why it ended: the page shows this, the log the rest
        log.exception("sync of %s stopped", job.db_path)
        job.stopped = f"The sync stopped unexpectedly: {error}. What it loaded before stays loaded; run it again."
        job.stopped_kind = "unexpected"
    finally:
        job.finished_at = dt.datetime.now(dt.timezone.utc)
