"""Streamlit glue for Sync from Amazon: the Upload reports page's section (Sync now, progress per report,
the last sync's results, held reports, the schedule) and the Settings page's Amazon account section
(marketplace, credentials written to the library's 0600 file). The work is in core.spapi; a sync runs in
a background thread of the server (``core.spapi.background``), so it goes on when the seller leaves the
page. Secrets are typed into password boxes and go straight to the file: never to the screen, the
session's state after the save, the database or the log.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from core import display
from core.spapi import (AccountSettings, background, credentials_status, held_reports, last_sync, load_account,
                        save_account, write_credentials_file)
from core.spapi import engine as spapi_engine
from core.spapi import schedule
from core.spapi.catalogue import BY_NAME, BY_REPORT_TYPE, CATALOGUE
from core.spapi.credentials import MARKETPLACE_NAMES
from pages import _common as common, _frame, _upload as upload_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

RESULT_WORDS = {"loaded": "Loaded", "unchanged": "Nothing new", "empty": "No data from Amazon",
                "held": "Held back", "failed": "Failed"}
COUNT_WORDS = {"loaded": "loaded", "unchanged": "with nothing new", "empty": "with no data from Amazon",
               "held": "held back", "failed": "failed"}
STEP_WORDS = {"requested": "Requested from Amazon", "waiting": "Amazon is preparing it",
              "downloading": "Downloading", "loading": "Loading"}
STOPPED_TITLES = {"credentials": "Amazon did not accept the credentials",
                  "unreachable": "Amazon could not be reached",
                  "running": "A sync is already running",
                  "unexpected": "The sync stopped"}


def _local(value: dt.datetime | str | None) -> str:
    """A UTC time as this machine's local "7 Dec 2026, 03:15 CET" (the zone named: other tables say UTC)."""
    if value is None:
        return "—"
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    local = when.astimezone()
    return f"{display.date_time(local.replace(tzinfo=None))} {local.tzname() or ''}".strip()


def _span(start: str | None, end: str | None) -> str:
    if not start:
        return ""
    first, last = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end or start)[:10])
    return display.date(first) if first == last else f"{display.date(first)} to {display.date(last)}"


def results_frame(results) -> pd.DataFrame:
    """One row per report type of a sync, in words."""
    return pd.DataFrame({
        "Report": [r.title for r in results],
        "Result": [RESULT_WORDS[r.status] for r in results],
        "Rows loaded": [f"{r.rows_loaded:,}" if r.status == "loaded" else "" for r in results],
        "Dates loaded": [_span(r.date_min, r.date_max) for r in results],
        "Requests to Amazon": [f"{r.requests:,}" for r in results],
        "Details": ["; ".join(r.errors) for r in results],
    })


def steps_frame(job: background.SyncJob) -> pd.DataFrame:
    """Where each report of a running sync is."""
    rows = []
    for report_type, event in zip(job.report_types, job.steps()):
        if event is None:
            step = "Waiting its turn"
        elif event.stage == "done":
            step = RESULT_WORDS.get(event.status, event.status)
        else:
            step = STEP_WORDS.get(event.stage, event.stage)
        rows.append({"Report": BY_REPORT_TYPE[report_type].title, "Step": step})
    return pd.DataFrame(rows)


# --- the Upload reports page ----------------------------------------------------------------------

def sync_section() -> None:
    """The whole "Sync from Amazon" section of the Upload reports page."""
    st.subheader("Sync from Amazon")
    path = common.db_path()
    status = credentials_status()
    job = background.current_job(path)
    _after_a_sync(job)
    if not status.configured:
        st.info(f"{status.describe()} Sync requests, downloads and loads your reports from Amazon's Selling "
                "Partner API with your own private app (README, \"Sync from Amazon\"): the data goes only "
                "from Amazon to this machine. Uploading files by hand works without it.",
                icon=":material/key:")
        st.page_link("pages/settings.py", label="Set up your Amazon account in Settings", icon=":material/tune:")
    else:
        account = load_account(path) if path.exists() else AccountSettings()
        st.caption(f"Marketplace: {account.label}. {status.describe()}")
        running = job is not None and job.running
        # Always drawn (disabled while a sync runs): a widget left out of a run forgets its value.
        chosen = st.multiselect("Reports to sync", options=[r.name for r in CATALOGUE], key="sync_reports",
                                format_func=lambda name: BY_NAME[name].title, placeholder="All nine reports",
                                disabled=running, help="Leave empty to sync every report the app reads.") or None
        if running:
            _progress()
        else:
            _sync_button(path, chosen)
    _last_sync(path, job)
    _held(path)
    _schedule()


def _sync_button(path, chosen: list[str] | None) -> None:
    planned = spapi_engine.planned_requests(path, reports=chosen) if path.exists() else 0
    minutes = spapi_engine.expected_minutes(planned)
    if planned:
        wait = (f" Amazon allows 15 at once and then about one a minute, so it takes about {minutes} minutes; "
                "it runs on in the background while you use other pages." if minutes else
                " It takes a minute or two.")
        st.caption(f"The next sync asks Amazon for {display.plural(planned, 'report')}.{wait}")
    else:
        st.caption("Everything is synced up to now; a sync checks for new data.")
    st.button("Sync now", key="sync_now", type="primary", on_click=_start,
              disabled=common.read_only(), icon=":material/sync:")


def _start() -> None:
    st.session_state.pop("sync_handled", None)
    background.start_sync(common.db_path(), reports=st.session_state.get("sync_reports") or None)


@st.fragment(run_every=2)
def _progress() -> None:
    """Redrawn every 2 s while the sync runs; when it ends, the whole page reruns with its results."""
    job = background.current_job(common.db_path())
    if job is None:
        return
    if not job.running:
        st.rerun(scope="app")
    done, total = job.reports_done(), len(job.report_types)
    elapsed = (dt.datetime.now(dt.timezone.utc) - job.started_at).total_seconds()
    st.progress(done / total if total else 1.0,
                text=f"Syncing: {done} of {total} reports done, running for {_duration(elapsed)}. "
                     "You can use other pages meanwhile; the sync goes on.")
    common.show_table(steps_frame(job))


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{int(seconds)} s" if minutes == 0 else f"{minutes} min"


def _after_a_sync(job: background.SyncJob | None) -> None:
    """Once per finished sync in this session: forget cached reads and prepare the forecast if it
    loaded anything (what an upload does), and say how it ended."""
    if job is None or job.running or job.finished_at is None:
        return
    if st.session_state.get("sync_handled") == id(job):
        return
    st.session_state["sync_handled"] = id(job)
    if job.results is not None and any(r.status == "loaded" for r in job.results):
        common.data_changed()
        upload_view.prepare_after_load()
    st.session_state["sync_outcome"] = id(job)


def _last_sync(path, job: background.SyncJob | None) -> None:
    if job is not None and not job.running and job.stopped and st.session_state.get("sync_outcome") == id(job):
        st.error(f"**{STOPPED_TITLES[job.stopped_kind]}.** {common.md_escape(job.stopped)}", icon=":material/error:")
    last = last_sync(path)
    if last is None:
        if credentials_status().configured:
            st.caption("No sync has run on this database yet.")
        return
    results = last.results
    counts = {s: sum(r.status == s for r in results) for s in RESULT_WORDS}
    rows = sum(r.rows_loaded for r in results)
    said = ", ".join(f"{n} {COUNT_WORDS[s]}" for s, n in counts.items() if n)
    message = f"Last sync: {_local(last.finished_at)}. {display.plural(len(results), 'report')}: {said}; {rows:,} rows loaded."
    if counts["failed"]:
        st.warning(message, icon=":material/warning:")
    elif counts["held"]:
        st.warning(message + " A report was held back: see below.", icon=":material/pan_tool:")
    else:
        st.success(message, icon=":material/check_circle:")
    with st.expander("What the last sync did, per report", expanded=bool(counts["failed"] or counts["held"])):
        common.show_table(results_frame(results))


def _held(path) -> None:
    kind, message = st.session_state.pop("accept_message", (None, None))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind:
        st.error(message, icon=":material/error:")
    held = held_reports(path)
    if not held:
        return
    st.markdown("**Held back, not loaded.** These reports looked wrong next to what is loaded, so they did not "
                "replace it. Check the file; accept it if it is right (a real drop in SKUs, a column Amazon "
                "retired).")
    for report in held:
        span = _span(report.data_start, report.data_end)
        with st.container(border=True):
            st.markdown(f"**{report.title}**{f' ({span})' if span else ''}: {common.md_escape(report.reason)}")
            st.caption(f"The file: {report.path}")
            st.button("Accept and load", key=f"accept_{report.request_key}", on_click=_accept,
                      args=(report.request_key,), disabled=common.read_only())


@common.changes_database
def _accept(request_key: str) -> None:
    try:
        results = spapi_engine.accept_held(common.db_path(), request_key=request_key)
    except spapi_engine.SyncAlreadyRunning as running:
        st.session_state["accept_message"] = ("error", str(running))
        return
    common.data_changed()
    labels = "; ".join(r.label for r in results) or "nothing was waiting"
    kind = "error" if any(r.status == "failed" for r in results) else "success"
    st.session_state["accept_message"] = (kind, common.md_escape(labels))


def _schedule() -> None:
    crontab = schedule.read_crontab()
    found = schedule.scheduled_sync(crontab or "", dt.datetime.now())
    if found is not None:
        st.caption(f"Next scheduled sync: {display.date_time(found.next_run)}, this machine's time (its crontab: "
                   f"`{found.line}`).")
        return
    where = "this machine has no cron" if crontab is None else "no line of your crontab runs `fba-health sync`"
    st.caption(f"No sync is scheduled ({where}). To sync every night at 06:30 and e-mail the alert digest after "
               "it, add this line with `crontab -e` (with the three credentials as variables in the crontab, "
               "or the credentials file from Settings):")
    st.code(schedule.suggested_line(Path(sys.executable).parent), language="bash")


# --- the Settings page ----------------------------------------------------------------------------

def account_section() -> None:
    """Marketplace and credentials for Sync from Amazon."""
    path = common.db_path()
    st.subheader("Amazon account")
    st.caption("For Sync from Amazon on the Upload reports page: your private Selling Partner API app's "
               "refresh token and Login with Amazon client id and secret (README, \"Sync from Amazon\").")
    account = load_account(path) if path.exists() else AccountSettings()
    codes = [c for c in MARKETPLACE_NAMES if c != "UK"]  # UK and GB are the same store
    current = "GB" if account.marketplace == "UK" else account.marketplace
    st.selectbox("Marketplace", options=codes, index=codes.index(current), key="spapi_marketplace",
                 format_func=lambda c: AccountSettings(c).label, on_change=_save_marketplace,
                 disabled=common.read_only(), help="The store whose reports are synced; it sets Amazon's "
                 "regional address (North America, Europe or Far East).")
    status = credentials_status()
    (st.success if status.configured else st.info)(status.describe(), icon=":material/key:")
    if status.source == "environment" and status.configured:
        st.caption("The environment's values are used first; a file written here is used where they are not set.")
    with st.form("spapi_credentials", clear_on_submit=True):
        st.markdown("**Save credentials to a file** readable by your user only (permissions 0600), the file the "
                    "client library reads. They are never stored in the database or shown again.")
        st.text_input("Refresh token", type="password", key="spapi_refresh_token", placeholder="Atzr|…")
        st.text_input("LWA client id", type="password", key="spapi_lwa_app_id",
                      placeholder="amzn1.application-oa2-client.…")
        st.text_input("LWA client secret", type="password", key="spapi_lwa_client_secret")
        st.form_submit_button("Save credentials", key="spapi_save", on_click=_save_credentials)
    kind, message = st.session_state.pop("spapi_message", (None, None))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind:
        st.error(message, icon=":material/error:")


@common.changes_database
def _save_marketplace() -> None:
    save_account(common.db_path(), AccountSettings(st.session_state["spapi_marketplace"]))
    st.session_state["spapi_message"] = ("success", f"Marketplace saved: {AccountSettings(st.session_state['spapi_marketplace']).label}.")


def _save_credentials() -> None:
    values = {name: (st.session_state.pop(f"spapi_{name}", "") or "").strip()
              for name in ("refresh_token", "lwa_app_id", "lwa_client_secret")}
    empty = [label for name, label in (("refresh_token", "refresh token"), ("lwa_app_id", "LWA client id"),
                                       ("lwa_client_secret", "LWA client secret")) if not values[name]]
    if empty:
        st.session_state["spapi_message"] = ("error", f"Nothing was saved: fill in the {', '.join(empty)}.")
        return
    try:
        target = write_credentials_file(**values)
    except OSError as error:
        st.session_state["spapi_message"] = ("error", f"The credentials file could not be written: {error.strerror}.")
        return
    st.session_state["spapi_message"] = ("success", f"Credentials saved to {target}, readable by you only.")
