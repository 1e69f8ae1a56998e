"""Streamlit glue shared by the pages: sign-in, the database path, cached reads, guards, the demo
account, labels and number formats, the sidebar filters and the SKU table, and the health, returns
and reconciliation reads. Pages import it as ``from pages import _common as common``.

Reads are cached with ``st.cache_data`` keyed on the database path plus a data version (the imports
ledger's size and newest entry), so a load or removal, here or by ``fba-health`` beside the app,
shows at once. This module imports once per process (unlike the page scripts, which rerun), so
the flag that loads the demo account once per process lives here.

The rest of the glue sits in layers above this base, each importing only the ones below it:
_plan (restock plan, what-if, forecast accuracy), _ageing_fees (ageing, fees, IPI, clearance,
capacity), _alerting (alert rules and the e-mail digest), and on top _upload (loading files) and
_settings_form. No module may share a page's name (pages/_fees.py would clash with pages/fees.py:
Streamlit's first run lists every file in pages/, leading underscore dropped).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from core import (browse, costs, coverage, db, display, export, freshness, ingest, reconcile, reimbursements,
                  report_dates, returns, sample, serving, settings, skus)
from core.metrics import ageing
from core.metrics.health import grade_ceiling
from core.params import GradeParams, HealthParams
from pages import _format, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

MAX_ROWS_SHOWN = 1_000
# How long a page waits for a database another program holds (a long `fba-health load`) before it
# says so, with a Retry button: a command line's read takes a few seconds, a load can take minutes.
PAGE_LOCK_WAIT_SECONDS = 8.0

_demo_lock = threading.Lock()
_demo_checked: set[str] = set()


def auth_section() -> dict | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` (Streamlit's OIDC sign-in), None without one."""
    try:
        if "auth" not in st.secrets:
            return None
        return dict(st.secrets["auth"])
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def sign_in_required() -> bool:
    """Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit's OIDC);
    off for local use."""
    return auth_section() is not None


def _stop_here(pages: dict) -> None:
    """End the run on a page of its own: the navigation is sent hidden (it replaces any menu an earlier
    run drew, such as the list of every file in pages/ that pages-directory mode shows) and not run."""
    st.navigation(pages, position="hidden")
    st.stop()


def _refuse(title: str, message: str, pages: dict) -> None:
    """A full page that says why the app is not shown, and nothing else (no sidebar, no navigation)."""
    st.title("FBA Inventory Health")
    st.error(f"**{title}**\n\n{message}", icon=":material/block:")
    _stop_here(pages)


def require_serving(pages: dict) -> None:
    """app.py's first check: sign-in, where configured, is complete, and the address the server listens
    on may be served (``core.serving.serve_decision``); otherwise a full-page reason and a stop (``pages``:
    app.py's navigation, sent hidden). On a network address served without sign-in by the seller's
    opt-in, a standing warning in the sidebar."""
    auth = auth_section()
    missing = serving.sign_in_missing(auth) if auth is not None else []
    if missing:
        _refuse("Sign-in is not set up completely.",
                "The [auth] section of .streamlit/secrets.toml is missing " + ", ".join(missing)
                + ". Fill it in as the README shows (\"Serving a team\"), or remove the [auth] section "
                  "to use the app on this computer only, then restart the app.", pages)
    decision = serving.serve_decision(st.get_option("server.address"), auth is not None,
                                      os.environ.get(serving.OPEN_NETWORK_ENV))
    if not decision.serve:
        _refuse("Not served: this address is open to your network without sign-in.", decision.reason, pages)
    if decision.open_network:
        st.sidebar.warning(decision.reason, icon=":material/public:")


def require_sign_in(pages: dict) -> None:
    """On a shared deployment, stop here until the user has signed in with the configured provider
    (``pages``: app.py's navigation, sent hidden: no page is listed before sign-in)."""
    if not sign_in_required() or st.user.get("is_logged_in", False):
        return
    st.title("FBA Inventory Health")
    st.write("This deployment is shared: sign in to see the inventory.")
    st.button("Sign in", on_click=st.login, icon=":material/login:", key="sign_in")
    _stop_here(pages)


def db_path() -> Path:
    """The database file, by ``core.db.resolve_db_path``'s rule (the one the command line uses):
    ``FBA_HEALTH_DB``, else the checkout's data/inventory.duckdb, else the per-user data folder. Read on
    every call."""
    return db.resolve_db_path()


def read_only() -> bool:
    """Whether the database is read-only here (a backup, a shared copy, a mounted snapshot): the pages
    show it, uploads and changes are off."""
    return db.is_read_only(db_path())


def read_only_notice() -> None:
    """Say so where something would change the database."""
    if read_only():
        st.info(f"This database is read-only here ({db.read_only_reason(db_path()) or 'opened read-only'}): "
                "every page shows its data, but uploads, removals and saved changes are disabled. To change "
                "anything, copy the file to a folder you can write to and point FBA_HEALTH_DB at the copy.",
                icon=":material/lock:")


def show_refusal(refused: db.DatabaseUnavailable) -> None:
    """The database could not be used for this page: the reason in words, never a traceback."""
    if isinstance(refused, db.DatabaseBusy):
        who = refused.holder or "another program"
        st.warning(f"A load or another command is running in another program ({who}), and the database stays "
                   f"locked until it finishes. This page will show the data when it does.",
                   icon=":material/hourglass_top:")
        st.button("Retry", key="retry_database", icon=":material/refresh:")
    else:
        st.error(str(refused), icon=":material/error:")


@contextmanager
def database_frame() -> Iterator[None]:
    """The page render with the database held open (``core.db.held``); a database that cannot be
    opened (locked by a long load elsewhere, not a database, newer, unreadable) or refuses a change
    (read-only, disk full) shows its reason instead of a traceback."""
    with ExitStack() as stack:
        try:
            stack.enter_context(db.held(db_path(), wait=PAGE_LOCK_WAIT_SECONDS))
        except db.DatabaseUnavailable as refused:
            show_refusal(refused)
            st.stop()
        if read_only():
            st.sidebar.caption(":material/lock: Read-only database: uploads and changes are off.")
        if refused_change := st.session_state.pop("database_refusal", None):  # from a button's callback
            st.error(refused_change, icon=":material/error:")
        try:
            yield
        except db.DatabaseUnavailable as refused:
            show_refusal(refused)


def changes_database(callback):
    """For a button callback that writes (a save, a removal): a database that refuses it (read-only,
    locked, disk full) leaves its reason for ``database_frame`` to show, instead of a traceback
    (callbacks run before the page, outside the frame)."""
    @functools.wraps(callback)
    def guarded(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except db.DatabaseUnavailable as refused:
            st.session_state["database_refusal"] = str(refused)
            return None
    return guarded


def data_version(path: Path | None = None) -> tuple:
    """The second half of every cache key: changes whenever an import is added or removed."""
    return db.data_version(path or db_path())


def data_changed() -> None:
    """Forget every cached read (after a load or a removal in this process). Cached resources are
    keyed by the data version, so they are not reused either; clearing them frees their memory."""
    st.cache_data.clear()
    st.cache_resource.clear()


# --- the demo account ------------------------------------------------------------------------------

def demo_disabled() -> bool:
    return os.environ.get("FBA_HEALTH_NO_DEMO", "").strip().lower() not in ("", "0", "false", "no")


def ensure_demo() -> None:
    """On the first run in this process, load the bundled demo account into an empty database."""
    path = db_path()
    if demo_disabled() or str(path) in _demo_checked or db.is_read_only(path):
        return
    with _demo_lock:
        if str(path) in _demo_checked:
            return
        _demo_checked.add(str(path))
        if ingest.has_data(path) or not (sample.SAMPLE_DIR / "manifest.json").is_file():
            return
        with st.spinner("Loading the demo account…"):
            bar = st.progress(0.0, text="Loading the demo account")
            results = sample.load_sample(path, sample.SAMPLE_DIR,
                                         progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
            bar.empty()
        data_changed()
        st.session_state["demo_loaded"] = True
        failed = [r.file for r in results if r.status == "rejected"]
        if failed:
            st.warning(f"Some demo files could not be loaded: {', '.join(failed)}")


@st.cache_data(show_spinner=False)
def _demo_info(path: str, version: tuple) -> dict | None:
    return sample.demo_info(Path(path))


def demo_showing() -> bool:
    path = db_path()
    return _demo_info(str(path), data_version(path)) is not None


def demo_banner(*, on_data_page: bool = False) -> None:
    """Say so when the demo account is what the seller is looking at."""
    path = db_path()
    info = _demo_info(str(path), data_version(path))
    if info:
        where = "here" if on_data_page else "on the Upload reports page"
        st.info(f"You are looking at the demo account ({info['skus']:,} SKUs, as of "
                f"{info['as_of']:%d %b %Y}). Load your own reports {where}; the demo is "
                f"removed automatically when you do.", icon=":material/science:")


# --- cached reads ----------------------------------------------------------------------------------

@st.cache_data(show_spinner=False)
def _summary(path: str, version: tuple) -> pd.DataFrame:
    return ingest.loaded_summary(Path(path))


def summary() -> pd.DataFrame:
    """``core.ingest.loaded_summary``: one row per report that has current rows."""
    path = db_path()
    return _summary(str(path), data_version(path))


@st.cache_data(show_spinner=False)
def _imports(path: str, version: tuple) -> pd.DataFrame:
    return ingest.list_imports(Path(path))


def imports() -> pd.DataFrame:
    """``core.ingest.list_imports``: every import, newest first."""
    path = db_path()
    return _imports(str(path), data_version(path))


@st.cache_data(show_spinner=False)
def _cost_table(path: str, version: tuple) -> pd.DataFrame:
    return costs.cost_table(Path(path))


def cost_table() -> pd.DataFrame:
    """Every SKU known from a report or the cost sheet, with its cost row (empty where there is none)."""
    path = db_path()
    return _cost_table(str(path), data_version(path))


filter_columns = browse.filter_columns


@st.cache_data(show_spinner=False)
def _report_rows(path: str, version: tuple, report_type: str, needle: str) -> browse.ReportRows:
    return browse.report_rows(Path(path), report_type, needle, MAX_ROWS_SHOWN)


def report_rows(report_type: str, needle: str = "") -> browse.ReportRows:
    """Current rows of one report, newest first, where the SKU (or FNSKU/ASIN) contains ``needle``."""
    path = db_path()
    return _report_rows(str(path), data_version(path), report_type, needle)


@st.cache_data(show_spinner=False)
def csv_bytes(frame: pd.DataFrame) -> bytes:
    return export.to_csv_bytes(frame)


@st.cache_data(show_spinner=False)
def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    return export.to_xlsx_bytes(frame)


def export_csv(frame: pd.DataFrame) -> bytes:
    """A table the app computed, as a CSV a seller opens: ``core.display.export_frame`` (money to
    cents, units to whole numbers, methods and report types in words, labelled headers)."""
    return csv_bytes(display.export_frame(frame))


# --- labels and tables (the formatting layer: core/display.py and pages/_format.py) ---------------

label = display.label
LABELS = display.LABELS


@st.cache_data(show_spinner=False)
def _currency(path: str, version: tuple) -> str:
    return costs.account_currency(Path(path))


def account_currency() -> str:
    """The cost sheet's currency (the one most SKUs use), else USD."""
    path = db_path()
    return _currency(str(path), data_version(path))


def show_table(frame: pd.DataFrame, *, labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
               **kwargs) -> None:
    """Every table of the app: ``pages._format.table`` (labels, formats by column kind, no index, as
    tall as its rows) in the account's currency."""
    _format.table(frame, labels=labels, kinds=kinds, currency=account_currency(), **kwargs)


def show_summary() -> None:
    """What is loaded: one line per report, the report type last."""
    columns = ["report", "rows", "first_date", "last_date", "imports", "last_import"]
    show_table(summary()[columns])


def show_imports(imports_df: pd.DataFrame) -> None:
    """The imports ledger, newest first, each report by its Seller Central name."""
    titled = imports_df.assign(report=imports_df["report_type"].map(display.report_title))
    show_table(titled[["import_id", "file_name", "report", "row_count", "current_rows", "rows_replaced",
                       "date_min", "date_max", "loaded_at"]])


def guard_data(message: str) -> pd.DataFrame:
    """The loaded summary, or an empty state pointing to the Upload reports page and a stop."""
    loaded = summary()
    if loaded.empty:
        st.info(message, icon=":material/upload_file:")
        st.page_link("pages/data.py", label="Load reports on the Upload reports page", icon=":material/upload:")
        st.stop()
    return loaded


def md_escape(text: str) -> str:
    """Show text (file names, values quoted in errors) literally in Streamlit markdown."""
    return re.sub(r"([\\`*_\[\]<>$#|~])", r"\\\1", str(text))


# --- settings, the SKU table and the sidebar filters -----------------------------------------------

def health_settings() -> tuple[HealthParams, GradeParams]:
    """The saved settings (defaults where none). Read on every run, not cached: saving settings
    changes no data version, and the read is one small query."""
    return settings.load(db_path())


def forecast_settings():
    """The saved forecast settings (``settings.load_forecast``: the events' default uplifts), read on
    every run like ``health_settings``."""
    return settings.load_forecast(db_path())


@st.cache_data(show_spinner=False)
def _snapshot_dates(path: str, version: tuple) -> list[dt.date]:
    return skus.snapshot_dates(Path(path))


def snapshot_dates() -> list[dt.date]:
    """Stock snapshot dates, newest first (``core.skus.snapshot_dates``)."""
    path = db_path()
    return _snapshot_dates(str(path), data_version(path))


def as_of() -> dt.date | None:
    """The as-of date chosen in the sidebar, else the newest snapshot (None when there is none)."""
    dates = snapshot_dates()
    chosen = _choice("filter_as_of")
    return chosen if chosen in dates else (dates[0] if dates else None)


@st.cache_data(show_spinner="Computing inventory health…", max_entries=16)
def _sku_table(path: str, version: tuple, as_of_date: dt.date | None, health: HealthParams,
               grades: GradeParams) -> skus.SkuTable:
    return skus.sku_table(Path(path), health, grades, as_of_date)


def sku_table() -> skus.SkuTable:
    """``core.skus.sku_table`` at the sidebar's as-of date with the saved settings (all SKUs)."""
    path = db_path()
    health, grades = health_settings()
    return _sku_table(str(path), data_version(path), as_of(), health, grades)


@st.cache_data(show_spinner="Reading the orders…", max_entries=4)
def _orders_only_table(path: str, version: tuple, as_of_date: dt.date | None, health: HealthParams,
                       grades: GradeParams) -> skus.SkuTable:
    return skus.orders_only_table(Path(path), health, grades, as_of_date)


def _plan_table(path: str, version: tuple, as_of_date: dt.date | None, health: HealthParams,
                grades: GradeParams) -> skus.SkuTable:
    """``core.skus.plan_table`` from the cached tables: the SKU table, else (no stock snapshot loaded)
    the orders-only table at the last order day, position taken as 0."""
    table = _sku_table(path, version, as_of_date, health, grades)
    if table.sources.stock is not None or _snapshot_dates(path, version):
        return table
    return _orders_only_table(path, version, as_of_date, health, grades)


# Sidebar filters: widget key -> (SKU table column, label). Empty selection = all.
FILTERS = {"filter_marketplace": ("marketplace", "Marketplace"), "filter_brand": ("brand", "Brand"),
           "filter_supplier": ("supplier", "Supplier"), "filter_abc": ("abc_class", "ABC class")}


def _filter_values(series: pd.Series) -> pd.Series:
    """One value per row and choice; a SKU sold in several marketplaces reads "US, CA"."""
    return series.astype("str").str.split(", ").explode() if series.name == "marketplace" else series


def filter_options(frame: pd.DataFrame, column: str) -> list[str]:
    return sorted(_filter_values(frame[column]).dropna().astype(str).unique().tolist())


def _restore(key: str, allowed) -> None:
    """Put a filter's last choice back before its widget is drawn. Streamlit forgets a widget's
    state when the page changes, so each choice is also kept under ``_kept_<key>``; a choice that no
    longer exists (new data) is dropped."""
    value = _choice(key)
    if isinstance(value, list):
        value = [v for v in value if v in allowed]
    elif value not in allowed:
        value = None
    if value is None or value == []:
        st.session_state.pop(key, None)
    elif st.session_state.get(key) != value:
        st.session_state[key] = value


def _choice(key: str):
    """A filter's current choice: the widget's value, else the copy kept across pages."""
    return st.session_state.get(key, st.session_state.get(f"_kept_{key}"))


def _keep(key: str) -> None:
    st.session_state[f"_kept_{key}"] = st.session_state.get(key)


def sidebar_filters() -> None:
    """As-of date and the SKU filters, drawn by app.py on every page so they persist across pages."""
    dates = snapshot_dates()
    if not dates:
        return
    st.sidebar.subheader("Filters")
    _restore("filter_as_of", dates)
    st.sidebar.selectbox("As of", dates, key="filter_as_of", format_func=lambda d: f"{d:%d %b %Y}",
                         help="The stock snapshot every figure is computed at (the newest by default); "
                              "windows such as \"last 30 days\" end on it.")
    _keep("filter_as_of")
    frame = sku_table().frame
    for key, (column, title) in FILTERS.items():
        options = filter_options(frame, column)
        _restore(key, options)
        if options:
            st.sidebar.multiselect(title, options, key=key, placeholder="All")
        _keep(key)


def active_filters() -> dict[str, list[str]]:
    """Column -> chosen values, for the filters with a choice."""
    return {column: list(_choice(key)) for key, (column, _) in FILTERS.items() if _choice(key)}


def filtered_skus() -> pd.DataFrame:
    """The SKU table narrowed by the sidebar filters (every health page starts here)."""
    frame = sku_table().frame
    for column, chosen in active_filters().items():
        matches = _filter_values(frame[column]).isin(chosen).groupby(level=0).any()
        frame = frame[matches.reindex(frame.index, fill_value=False)]
    return frame.reset_index(drop=True)


def in_view(frame: pd.DataFrame, skus_frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` for the SKUs of the filtered SKU table."""
    return frame[frame["sku"].isin(skus_frame["sku"])]


def guard_skus(message: str, *, orders_only: bool = False) -> tuple[skus.SkuTable, pd.DataFrame]:
    """The SKU table and its filtered rows, or a helpful empty state and a stop. ``orders_only``: the
    pages that also work without a stock snapshot (the forecast and the plan) get the orders-only
    table there (``core.skus.plan_table``: as of the last order day, position taken as 0)."""
    guard_data(message)
    table = sku_table()
    if orders_only and table.frame.empty:
        path = db_path()
        health, grades = health_settings()
        table = _plan_table(str(path), data_version(path), as_of(), health, grades)
        if not table.frame.empty and table.sources.stock is None:
            return table, table.frame  # no sidebar filters without a snapshot
    if table.frame.empty:
        st.info("No stock snapshot is loaded yet: these figures start from what is in stock, so they need "
                "the **FBA Inventory** report (Seller Central: Reports › Fulfillment › Inventory › FBA "
                "Inventory) or **Manage FBA Inventory**. Orders and the Inventory Ledger add the sales and "
                "stock history.", icon=":material/inventory_2:")
        st.page_link("pages/data.py", label="Load reports on the Upload reports page", icon=":material/upload:")
        if not orders_only and not snapshot_dates() and not _orders_only_table(
                str(db_path()), data_version(), as_of(), *health_settings()).frame.empty:
            st.caption("The order history alone already gives the demand forecast and a restock plan, as "
                       "of the last order day (the stock taken as 0).")
            st.page_link("pages/restock.py", label="See the restock plan", icon=":material/local_shipping:")
        st.stop()
    frame = filtered_skus()
    if frame.empty:
        st.info("No SKU matches the filters in the sidebar: clear one to see more.", icon=":material/filter_alt:")
        st.stop()
    return table, frame


def scope_caption(table: skus.SkuTable, frame: pd.DataFrame) -> None:
    """As of which day, how many SKUs, and the filters applied."""
    shown = (f"{len(frame):,} of {plural(len(table.frame), 'SKU')}" if len(frame) < len(table.frame)
             else ("the only SKU" if len(frame) == 1 else f"all {len(frame):,} SKUs"))
    chosen = "; ".join(f"{label(c) if c != 'abc_class' else 'ABC class'}: {', '.join(v)}"
                       for c, v in active_filters().items())
    day = f"{table.as_of:%d %b %Y}" + (" (the last order day: no stock snapshot is loaded)"
                                        if table.sources.stock is None else "")
    st.caption(f"As of {day} · {shown}" + (f" ({md_escape(chosen)})" if chosen else ""))
    stale_warning([t for t in (table.sources.stock, table.sources.sales) if t])
    snapshot_gap_warnings(table.as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _missing_needs(path: str, version: tuple, page: str) -> list[coverage.Need]:
    return coverage.missing_needs(Path(path), page)


_LOAD_LINKS = {"data": ("pages/data.py", "Load reports on the Upload reports page", ":material/upload_file:"),
               "costs": ("pages/costs.py", "Add unit costs on the Product costs page", ":material/payments:")}


def missing_notes(page: str) -> None:
    """Say which figures of this page lack a report or the cost sheet, what each brings, and link to
    where it is loaded (``core.coverage``)."""
    path = db_path()
    needs = _missing_needs(str(path), data_version(path), page)
    if not needs:
        return
    lines = "\n".join(f"- **{n.source}** is not loaded: it brings {n.brings}." for n in needs)
    st.info(f"Some figures here are missing or estimated:\n{lines}", icon=":material/info:")
    for target in dict.fromkeys(n.load_page for n in needs):
        link, text, icon = _LOAD_LINKS[target]
        st.page_link(link, label=text, icon=icon)


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshot_gaps(path: str, version: tuple, as_of_date: dt.date) -> list[str]:
    return [g.message for g in report_dates.snapshot_gaps(Path(path), as_of_date)]


def snapshot_gap_warnings(as_of_date: dt.date | None) -> None:
    """Name every undated report whose snapshot is not used at this as-of date, or is days away from
    it, and what that affects (``core.report_dates.snapshot_gaps``)."""
    if as_of_date is None:
        return
    path = db_path()
    for message in _snapshot_gaps(str(path), data_version(path), as_of_date):
        st.warning(md_escape(message), icon=":material/event_busy:")


@st.cache_data(show_spinner=False, max_entries=8)
def _report_ages(path: str, version: tuple, today: dt.date) -> pd.DataFrame:
    return freshness.report_ages(Path(path), today)


def report_ages() -> pd.DataFrame:
    """``core.freshness.report_ages`` measured today."""
    path = db_path()
    return _report_ages(str(path), data_version(path), dt.date.today())


def show_report_ages(ages: pd.DataFrame) -> None:
    """Report ages, the report's title first, dates as dates, the stale ones marked."""
    shown = ages.assign(data_last_date=pd.to_datetime(ages["data_last_date"]),
                        last_loaded_at=pd.to_datetime(ages["last_loaded_at"]))
    show_table(shown[["title", "data_last_date", "age_days", "stale_after_days", "stale", "last_loaded_at"]],
               labels={"age_days": "Age (days)", "stale_after_days": "Stale after (days)", "last_loaded_at": "Loaded"})


def stale_warning(tables_used: list[str]) -> None:
    """Warn when a report this page reads is older than its freshness limit (not for the demo, whose
    data is fixed)."""
    if demo_showing():
        return
    found = freshness.page_freshness(report_ages(), tables_used)
    if found is not None and found.warning:
        st.warning(found.warning + " Load a newer one on the Upload reports page.", icon=":material/schedule:")


# --- number formats (core/display.py) -------------------------------------------------------------

_missing = display.missing
number, pct, days, units, turns, score, plural = (display.number, display.pct, display.days, display.units,
                                                  display.turns, display.score, display.plural)


def money(x) -> str:
    """``core.display.money`` in the account's currency: $1,234.56; "unknown" where a cost is missing."""
    return display.money(x, account_currency())


def whole_money(x) -> str:
    return display.whole_money(x, account_currency())


def md_money(x) -> str:
    """``money`` for markdown (a bare $ starts LaTeX in Streamlit)."""
    return money(x).replace("$", "\\$")


GRADE_LABELS = _format.GRADE_LABELS
DIMENSIONS = {"score_turnover": ("Turnover efficiency", "weight_turnover"),
              "score_structure": ("Stock structure", "weight_structure"),
              "score_service_cost": ("Service and cost", "weight_service_cost")}


# --- account figures and the points each SKU costs -------------------------------------------------

score_weights = skus.score_weights
points_lost = skus.points_lost


def kpi_tiles(frame: pd.DataFrame, summary: dict, params: HealthParams) -> list[dict]:
    """The Overview's tiles: label, formatted value and a tooltip stating the formula with its inputs."""
    inputs = summary["inputs"]
    costed = f"over the {plural(inputs['skus_with_cost'], 'SKU')} with a unit cost" + (
        f"; {summary['skus_cost_missing']:,} without one {'is' if summary['skus_cost_missing'] == 1 else 'are'} "
        f"left out (value unknown)"
        if summary["skus_cost_missing"] else "")
    available, demand = inputs["available"], inputs["demand_per_day"]
    cogs, avg_value = inputs["cogs_period"], inputs["avg_inventory_value"]
    aged_units_costed = inputs["aged_over_180_units_with_cost"]
    p = inputs["period_days"]
    caps = grade_ceiling(["red", "orange", "yellow"], params).tolist()
    weights = " + ".join(f"{getattr(params, w):.2f} × {number(summary[c], 1)} ({n.lower()})"
                         for c, (n, w) in DIMENSIONS.items())
    if _missing(summary["turnover"]):
        turnover = {"label": "Turnover", "value": "unknown", "delta": "needs unit costs",
                    "help": f"Σ COGS ÷ Σ average inventory value × 365 ÷ {p}: no SKU with sales in the period has a "
                            "unit cost, so neither side is known. Add costs on the Product costs page."}
    else:
        turnover = {
            "label": "Turnover", "value": turns(summary["turnover"]),
            "delta": f"{number(summary['turnover_days'])} days to turn the stock once",
            "help": f"Σ COGS ÷ Σ average inventory value × 365 ÷ {p} = {md_money(cogs)} ÷ {md_money(avg_value)} "
                    f"× 365 ÷ {p} = {summary['turnover']:.2f} turns a year; 365 ÷ {summary['turnover']:.2f} = "
                    f"{number(summary['turnover_days'])} days to turn the stock once; {costed}."}
    return [
        {"label": "Inventory value at cost", "value": money(summary["inventory_value"]),
         "help": f"Σ (available + reserved) × unit cost {costed}."},
        {"label": "Units on hand", "value": display.units(summary["units_on_hand"]),
         "help": f"Σ (available + reserved) = {available:,.0f} + {summary['units_on_hand'] - available:,.0f}. "
                 f"Inbound, not counted: {summary['units_inbound']:,.0f}."},
        {"label": "Days of supply", "value": days(summary["days_of_supply"]),
         "help": f"Σ available ÷ Σ demand per day = {available:,.0f} ÷ {demand:,.1f} "
                 f"(demand corrected for stockouts, last {params.demand_window_days} days)."},
        turnover,
        {"label": "Health score", "value": score(summary["health_score"]),
         "help": f"Value-weighted dimension scores: {weights} = {number(summary.get('score_before_ceilings'), 1)}. "
                 f"Each SKU's score is capped by its slow-mover grade (red ≤ {caps[0]:g}, "
                 f"orange ≤ {caps[1]:g}, yellow ≤ {caps[2]:g}): value-weighted "
                 f"mean {number(summary.get('score_weighted_mean'), 1)}; and the account by its dead stock over "
                 f"a year old ({pct(summary.get('dead_aged_value_share'))} of the value, so at most "
                 f"{number(summary.get('dead_value_ceiling'), 1)}): {number(summary['health_score'], 1)}. "
                 f"Alert below {params.alert_below:g} (Settings)."},
        {"label": "Value at risk of ageing", "value": money(summary["value_at_risk_of_ageing"]),
         "help": f"Σ units aged over 180 days × unit cost {costed}: {aged_units_costed:,.0f} units, "
                 f"{md_money(summary['value_at_risk_of_ageing'])}. Amazon's aged-inventory surcharge "
                 f"reaches these units ({summary['aged_over_180_units']:,.0f} aged units in all)."},
    ]


def health_alert(summary: dict, params: HealthParams) -> None:
    if summary.get("alert"):
        st.warning(f"Account health is {summary['health_score']:.0f}, below the alert threshold of "
                   f"{params.alert_below:g}. The SKUs below cost the most points.", icon=":material/warning:")


def dimension_frame(summary: dict, params: HealthParams) -> pd.DataFrame:
    """The three dimensions' account scores and weights, for ``core.charts.dimension_bars``."""
    return pd.DataFrame({"dimension": [n for n, _ in DIMENSIONS.values()],
                         "score": [summary[c] for c in DIMENSIONS],
                         "weight": [getattr(params, w) for _, w in DIMENSIONS.values()]})


# --- SKU tables ------------------------------------------------------------------------------------

HEALTH_SORTS = {
    "Most points lost (all dimensions)": ("points_lost", False),
    "Most points lost: turnover efficiency": ("lost_turnover", False),
    "Most points lost: stock structure": ("lost_structure", False),
    "Most points lost: service and cost": ("lost_service_cost", False),
    "Lowest health score": ("health_score", True),
    "Most days of supply": ("days_of_supply", False),
}


def show_sku_table(frame: pd.DataFrame, columns: list[str], labels: dict[str, str] | None = None,
                   **kwargs) -> None:
    """Chosen SKU-table columns with their labels and formats; ``labels`` renames some."""
    show_table(frame[columns], labels=labels, **kwargs)


def ranked_skus(frame: pd.DataFrame, params: HealthParams, sort: str) -> pd.DataFrame:
    """The SKUs with the points they cost, ordered by a ``HEALTH_SORTS`` choice; ``points_lost``
    is the chosen dimension's when the sort names one."""
    lost = points_lost(frame, params)
    column, ascending = HEALTH_SORTS[sort]
    ranked = frame.join(lost.drop(columns="points_lost")).assign(
        points_lost=lost[column] if column.startswith("lost_") else lost["points_lost"])
    return ranked.sort_values([column, "sku"], ascending=[ascending, True], kind="stable").reset_index(drop=True)


def top_problems(frame: pd.DataFrame, params: HealthParams, n: int = 10) -> pd.DataFrame:
    """The ``n`` SKUs costing the account score the most points, with their value at cost."""
    ranked = ranked_skus(frame, params, next(iter(HEALTH_SORTS)))
    return ranked[ranked["points_lost"] > 0].head(n).assign(value=lambda f: f["inventory_value"])


# --- one SKU's inputs ------------------------------------------------------------------------------

def _band_name(band: ageing.AgeBand) -> str:
    return f"{band.low}+ days" if band.high is None else f"{band.low}-{band.high} days"


def sku_explanation(row: pd.Series, params: HealthParams) -> list[dict]:
    """Per dimension: its score, weight and the inputs behind it, as (label, value) text pairs."""
    p, w = params.period_days, params.demand_window_days
    if row["turnover_basis"] == "cost":
        basis = (f"COGS {md_money(row['cogs_period'])} ÷ average inventory value "
                 f"{md_money(row['avg_inventory_value'])} × 365 ÷ {p}")
    else:
        basis = (f"units sold {number(row['units_period'])} ÷ average units on hand "
                 f"{number(row['avg_units_on_hand'], 1)} × 365 ÷ {p} (unit cost missing: counted in units)")
    capital = row["capital_cost_period"]
    older = row[["aged_181_270", "aged_271_365", "aged_366_455", "aged_456_plus", "aged_365_plus"]].sum()
    bands = [*ageing.AGE_BANDS] + ([ageing.LEGACY_BAND] if row["aged_365_plus"] > 0 else [])
    return [
        {"column": "score_turnover", "inputs": [
            ("Turnover", f"{turns(row['turnover'])} (" + (f"{number(row['turnover_days'])} days to turn once)"
                          if row["turnover"] > 0 else "nothing sold in the period)")),
            ("Basis", f"{row['turnover_basis']}: {basis}"),
            (f"Units sold, last {p} days", number(row["units_period"])),
            (f"Average units on hand, last {p} days", number(row["avg_units_on_hand"], 1)),
            ("Target", f"{params.turnover_zero:g} turn/yr or less = 0, {params.turnover_full:g} turns = 100"),
        ]},
        {"column": "score_structure", "inputs": [
            ("Units aged over 180 days", f"{number(older)} of {number(row['on_hand'])} "
                                         f"({pct(row['aged_over_180_share'])})"),
            *[(f"Aged {_band_name(b)}", number(row[b.column])) for b in bands],
            ("Ages from", str(row["age_source"])),
            ("Dead stock (no sale in 90 days)", f"{number(row['dead_units'])} units" if row["dead_stock"] else "no"),
            ("Days since last sale", number(row["days_since_last_sale"])),
            ("Targets", f"aged share 0% = 100, {params.aged_share_zero:.0%} = 0; "
                        f"dead share 0% = 100, {params.dead_share_zero:.0%} = 0"),
        ]},
        {"column": "score_service_cost", "inputs": [
            (f"In-stock rate, last {p} days", pct(row["in_stock_rate"])),
            (f"Out-of-stock days, last {w}", number(row["out_of_stock_days_window"])),
            ("Demand per day, uncorrected", f"{number(row['demand_uncorrected'], 2)} (units sold ÷ {w} days)"),
            ("Demand per day, stockout-corrected", f"{number(row['demand_per_day'], 2)} (units sold ÷ "
                                                   f"{number(row['in_stock_days_window'])} in-stock days)"),
            (f"Holding cost, last {p} days", md_money(row["holding_cost_period"])),
            ("… storage fees", md_money(row["storage_fees_period"])),
            ("… aged-inventory surcharges", md_money(row["surcharges_period"])),
            (f"… capital at {params.capital_rate_annual:.0%}/yr", md_money(capital)),
            ("Holding cost ratio", "unknown (cost missing)" if _missing(row["holding_cost_ratio"])
             else f"{pct(row['holding_cost_ratio'])} a year"),
            ("Targets", f"in stock {params.in_stock_zero:.0%} = 0, {params.in_stock_full:.0%} = 100; holding "
                        f"{params.holding_ratio_full:.0%} = 100, {params.holding_ratio_zero:.0%} = 0"),
        ]},
    ]


def inputs_markdown(inputs: list[tuple[str, str]]) -> str:
    """(label, value) pairs as a two-column markdown table; values are escaped already where needed."""
    lines = ["| Input | Value |", "|---|---|"]
    lines += [f"| {name} | {value.replace('|', '/')} |" for name, value in inputs]
    return "\n".join(lines)


@st.cache_data(show_spinner=False)
def _snapshot_trend(path: str, version: tuple, sku_list: tuple[str, ...] | None):
    return skus.snapshot_trend(Path(path), None if sku_list is None else list(sku_list))


def snapshot_trend(sku_list: list[str] | None = None) -> pd.DataFrame:
    """``core.skus.snapshot_trend``: units by age band and value at cost per snapshot date, for the
    given SKUs (the sidebar's filters) or the whole account."""
    path = db_path()
    return _snapshot_trend(str(path), data_version(path), None if sku_list is None else tuple(sku_list))


# --- slow movers -----------------------------------------------------------------------------------

GRADE_MEANINGS = {"red": "Urgent: clear it (days of supply over the urgent threshold, or no sale with stock).",
                  "orange": "Act: promote, bundle or advertise (two or more signals).",
                  "yellow": "Watch: listing, price, visibility (one signal)."}
_GRADE_ORDER = {"red": 0, "orange": 1, "yellow": 2}


def slow_movers(frame: pd.DataFrame, grades: list[str]) -> pd.DataFrame:
    """Graded SKUs of the chosen grades, red first, then by days of supply (longest first)."""
    graded = frame[frame["grade"].isin(grades)].assign(
        order=lambda f: f["grade"].map(_GRADE_ORDER), value=lambda f: f["inventory_value"])
    return graded.sort_values(["order", "days_of_supply", "sku"], ascending=[True, False, True],
                              kind="stable").drop(columns="order").reset_index(drop=True)


def slow_mover_export(graded: pd.DataFrame, grade_params: GradeParams) -> pd.DataFrame:
    """The list as shown, numbers rounded as ``core.display.export_frame`` does, readable headers, for
    CSV and Excel."""
    columns = {"grade": "Grade", "sku": "SKU", "asin": "ASIN", "product_name": "Product", "supplier": "Supplier",
               "available": "Available", "days_of_supply": "Days of supply", "units_30d": "Units 30 d",
               "aged_over_share": f"Share older than {grade_params.aged_days} days",
               "aged_over_share_basis": "Share basis", "unit_cost": "Unit cost",
               "inventory_value": "Value at cost", "signals": "Signals", "action": "Suggested action"}
    return display.export_frame(graded[list(columns)]).set_axis(list(columns.values()), axis=1)




# --- returns and reimbursements --------------------------------------------------------------------

@st.cache_data(show_spinner="Reading returns…", max_entries=8)
def _returns(path: str, version: tuple, as_of_date: dt.date | None, part: str) -> pd.DataFrame:
    reader = {"sku": returns.returns_by_sku, "reason": returns.returns_by_reason,
              "disposition": returns.returns_by_disposition, "claims": reimbursements.reimbursement_claims}[part]
    return reader(Path(path), as_of_date)


def _returns_part(part: str) -> pd.DataFrame:
    path = db_path()
    return _returns(str(path), data_version(path), as_of(), part)


def returns_table() -> pd.DataFrame:
    """``core.returns.returns_by_sku`` at the sidebar's as-of date."""
    return _returns_part("sku")


def returns_reasons() -> pd.DataFrame:
    return _returns_part("reason")


def returns_dispositions() -> pd.DataFrame:
    return _returns_part("disposition")


def claims_table() -> pd.DataFrame:
    """``core.reimbursements.reimbursement_claims`` at the sidebar's as-of date."""
    return _returns_part("claims")


RETURNS_SHOWN = ["sku", "product_name", "units_sold", "units_returned", "return_rate", "returned_A", "returned_B",
                 "returned_C", "recent_rate", "baseline_rate", "spike", "top_reason_group"]


def show_returns_table(frame: pd.DataFrame, **kwargs) -> None:
    shown = frame[RETURNS_SHOWN].sort_values("units_returned", ascending=False, kind="stable")
    show_table(shown, labels={"recent_rate": "Last 30 days", "baseline_rate": "Before", "returned_A": "A (to stock)",
                              "returned_B": "B (repair/used)", "returned_C": "C (dispose)"}, **kwargs)


# --- reconciliation -------------------------------------------------------------------------------

@st.cache_data(show_spinner="Comparing reports…", max_entries=8)
def _reconciliation(path: str, version: tuple, as_of_date: dt.date | None) -> pd.DataFrame:
    return reconcile.reconciliation(Path(path), as_of_date)


def reconciliation() -> pd.DataFrame:
    """``core.reconcile.reconciliation`` at the sidebar's as-of date."""
    path = db_path()
    return _reconciliation(str(path), data_version(path), as_of())


@st.cache_data(show_spinner=False, max_entries=8)
def _channels(path: str, version: tuple, as_of_date: dt.date | None) -> pd.DataFrame:
    return reconcile.channel_view(Path(path), as_of_date)


def channel_view() -> pd.DataFrame:
    """``core.reconcile.channel_view``: FBA beside the other channels' stock, per SKU."""
    path = db_path()
    return _channels(str(path), data_version(path), as_of())
