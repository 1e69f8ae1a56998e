"""Streamlit glue shared by the pages: the database path, cached reads, guards, the demo account and
the one upload helper. Pages import it as ``from pages import _common as common``.

Reads are cached with ``st.cache_data`` keyed on the database path plus a data version (the imports
ledger's size and newest entry), so a load or removal, here or by ``fba-health`` beside the app,
shows at once. This module imports once per process (unlike the page scripts, which rerun), so
the flag that loads the demo account once per process lives here.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from core import (alerts, browse, clearance, costs, db, export, freshness, ingest, notify, purchase_orders, reconcile,
                  reimbursements, restock, returns, sample, settings, skus, stock_projection)
from core.fees import capacity, ipi, outlook
from core.fees.table import fee_table_rows
from core.forecast import forecast_table, history
from core.metrics import ageing
from core.params import GradeParams, HealthParams
from core.restock_params import RestockParams
from core.schemas import BY_TYPE, PRODUCT_COSTS_TEMPLATE_COLUMNS

MAX_ROWS_SHOWN = 1_000

_demo_lock = threading.Lock()
_demo_checked: set[str] = set()


def sign_in_required() -> bool:
    """Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit's OIDC);
    off for local use."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return False


def require_sign_in() -> None:
    """On a shared deployment, stop here until the user has signed in with the configured provider."""
    if not sign_in_required() or st.user.get("is_logged_in", False):
        return
    st.title("FBA Inventory Health")
    st.write("This deployment is shared: sign in to see the inventory.")
    st.button("Sign in", on_click=st.login, icon=":material/login:", key="sign_in")
    st.stop()


def db_path() -> Path:
    """The database file: ``FBA_HEALTH_DB``, else data/inventory.duckdb (read on every call)."""
    return db.resolve_db_path()


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
    if demo_disabled() or str(path) in _demo_checked:
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
        where = "here" if on_data_page else "on the Data page"
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


# --- labels and tables -----------------------------------------------------------------------------

LABELS = {
    "report": "Report", "report_type": "Report type", "rows": "Current rows", "first_date": "From",
    "last_date": "To", "last_import": "Last loaded (UTC)", "imports": "Files loaded",
    "import_id": "Import #", "file_name": "File", "row_count": "Rows loaded", "current_rows": "Current rows",
    "rows_replaced": "Replaced earlier rows", "date_min": "From", "date_max": "To",
    "snapshot_date": "Snapshot date", "loaded_at": "Loaded at (UTC)", "is_sample": "Demo",
    "product_name": "Product", "unit_cost": "Unit cost", "moq": "MOQ", "cost_missing": "Cost missing",
}
_ACRONYMS = {"sku": "SKU", "fnsku": "FNSKU", "asin": "ASIN", "afn": "AFN", "mfn": "MFN", "fc": "FC",
             "id": "ID", "moq": "MOQ", "efn": "EFN", "uk": "UK", "de": "DE", "fr": "FR", "it": "IT",
             "es": "ES", "se": "SE", "ais": "AIS", "url": "URL", "cpf": "CPF", "qty": "qty", "skus": "SKUs",
             "ipi": "IPI", "wape": "WAPE", "mase": "MASE"}


def label(name: str) -> str:
    """A column's friendly label: ``afn_fulfillable_quantity`` -> ``AFN fulfillable quantity``."""
    if name in LABELS:
        return LABELS[name]
    if name.endswith("_plus"):
        return f"{label(name[:-5])} is 365+"
    words = [_ACRONYMS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:] if text else text


def column_config(frame: pd.DataFrame) -> dict:
    """Friendly labels, thousands separators and readable dates for every column of ``frame``."""
    config = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series):
            config[name] = st.column_config.CheckboxColumn(label(name))
        elif pd.api.types.is_numeric_dtype(series):
            config[name] = st.column_config.NumberColumn(label(name), format="localized")
        elif pd.api.types.is_datetime64_any_dtype(series):
            present = series.dropna()
            if (present == present.dt.normalize()).all():
                config[name] = st.column_config.DateColumn(label(name), format="D MMM YYYY")
            else:
                config[name] = st.column_config.DatetimeColumn(label(name), format="D MMM YYYY, HH:mm")
        else:
            config[name] = st.column_config.TextColumn(label(name))
    return config


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as "5 Sep 2026" (with the time where there is one) and "—" where missing."""
    out = frame.copy()
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            present = series.dropna()
            timed = not (present == present.dt.normalize()).all()
            text = series.dt.day.astype("Int64").astype(str) + series.dt.strftime(
                " %b %Y, %H:%M" if timed else " %b %Y")
            out[name] = text.where(series.notna(), "—")
    return out


def show_table(frame: pd.DataFrame, *, dates_as_text: bool = False, **kwargs) -> None:
    """``st.dataframe`` with friendly labels and formats, no index. ``dates_as_text`` shows missing
    dates as a dash instead of "None" (for small tables, where sorting by date matters less)."""
    shown = _dates_as_text(frame) if dates_as_text else frame
    st.dataframe(shown, column_config=column_config(shown), hide_index=True, **kwargs)


def show_summary() -> None:
    """What is loaded: one line per report, the report type last."""
    columns = ["report", "rows", "first_date", "last_date", "imports", "last_import", "report_type"]
    show_table(summary()[columns], dates_as_text=True)


def show_imports(imports_df: pd.DataFrame) -> None:
    """The imports ledger, newest first, the report type last."""
    titled = imports_df.assign(report=imports_df["report_type"].map(
        lambda t: BY_TYPE[t].title if t in BY_TYPE else t))
    show_table(titled[["import_id", "file_name", "report", "row_count", "current_rows", "rows_replaced",
                       "date_min", "date_max", "loaded_at", "report_type"]], dates_as_text=True)


def guard_data(message: str) -> pd.DataFrame:
    """The loaded summary, or an empty state pointing to the Data page and a stop."""
    loaded = summary()
    if loaded.empty:
        st.info(message, icon=":material/upload_file:")
        st.page_link("pages/data.py", label="Load reports on the Data page", icon=":material/upload:")
        st.stop()
    return loaded


# --- loading files ---------------------------------------------------------------------------------

def md_escape(text: str) -> str:
    """Show text (file names, values quoted in errors) literally in Streamlit markdown."""
    return re.sub(r"([\\`*_\[\]<>$#|~])", r"\\\1", str(text))


def load_stream(name: str, stream, *, snapshot_date: dt.date | None = None, replace_all: bool = False,
                progress: ingest.Progress | None = None) -> ingest.LoadResult:
    """Copy an upload (a binary file object) in chunks to a fresh temp file inside the data folder and
    load it; the uploaded file's name is only a label, never a path, and the temp file is gone
    afterwards."""
    uploads = db_path().parent / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="upload-", dir=uploads) as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, length=8 * 1024 * 1024)
        return ingest.load_report(db_path(), path, file_name=name, snapshot_date=snapshot_date,
                                  replace_all=replace_all, progress=progress)


def load_bytes(name: str, data: bytes, **options) -> ingest.LoadResult:
    """``load_stream`` of bytes already in memory."""
    return load_stream(name, io.BytesIO(data), **options)


def show_result(result: ingest.LoadResult) -> None:
    """One file's outcome in plain words: success, unchanged, or every error."""
    name = md_escape(result.file)
    schema = BY_TYPE.get(result.report_type) if result.report_type else None
    what = f"{schema.title} (`{result.report_type}`)" if schema else "this file"
    if result.status == "loaded":
        span = (f", dates {dt.date.fromisoformat(result.date_min):%d %b %Y} to "
                f"{dt.date.fromisoformat(result.date_max):%d %b %Y}") if result.date_min else ""
        st.success(f"**{name}**: Loaded {result.rows_loaded:,} rows of {what}, "
                   f"{result.rows_replaced:,} replaced{span}.", icon=":material/check_circle:")
    elif result.status == "unchanged":
        st.info(f"**{name}**: unchanged, {what} is already loaded from this exact file.",
                icon=":material/info:")
    else:
        errors = "\n".join(f"- {md_escape(e)}" for e in result.errors)
        st.error(f"**{name}** was not loaded; nothing loaded before has changed.\n\n{errors}",
                 icon=":material/error:")
    for warning in result.warnings:
        st.caption(md_escape(warning))


def load_uploaded_files(files, *, snapshot_date: dt.date | None = None,
                        replace_all: bool = False) -> list[ingest.LoadResult]:
    """Load each uploaded file (a binary file object with ``.name``, as st.file_uploader gives) with a progress bar,
    show its outcome, and return the results."""
    results = []
    for upload in files:
        bar = st.progress(0.0, text=f"Reading {upload.name}")
        upload.seek(0)
        result = load_stream(upload.name, upload, snapshot_date=snapshot_date, replace_all=replace_all,
                             progress=lambda f, m, bar=bar: bar.progress(min(max(f, 0.0), 1.0), text=m))
        bar.empty()
        show_result(result)
        results.append(result)
    if any(r.status == "loaded" for r in results):
        data_changed()
        prepare_after_load()
    return results


def prepare_after_load() -> None:
    """Fit the forecast, build the IPI trend and project the fees now, right after a load, where the
    seller expects to wait: all three are stored in the database (``core.stored``), and the plan, fee
    and alert pages then open without computing them (about 8 s, 5 s and 4 s on 10,000 SKUs)."""
    path = db_path()
    if not snapshot_dates():
        return
    with st.spinner("Forecasting demand, the IPI trend and the storage fees, once for this data…",
                    show_time=True):
        _forecast_summary(str(path), data_version(path), as_of())
        _ipi(str(path), data_version(path))
        fee_outlook()


def import_choices(imports_df: pd.DataFrame) -> dict[int, str]:
    """Import id -> "#3: file.txt (FBA Customer Returns, 1,234 current rows)" for a selectbox."""
    titles = imports_df["report_type"].map(lambda t: BY_TYPE[t].title if t in BY_TYPE else t)
    text = ("#" + imports_df["import_id"].astype(str) + ": " + imports_df["file_name"] + " (" + titles + ", "
            + imports_df["current_rows"].map("{:,}".format) + " current rows)")
    return dict(zip(imports_df["import_id"].tolist(), text.tolist()))


def remove_selected_import() -> None:
    """Button callback: remove the import chosen in ``remove_select``; the message waits in state."""
    import_id = st.session_state.get("remove_select")
    if import_id is None:
        return
    try:
        removal = ingest.remove_import(db_path(), int(import_id))
    except ValueError as error:
        st.session_state["removal_message"] = ("error", str(error))
    else:
        st.session_state["removal_message"] = (
            "success", f"Removed import #{removal.import_id} ({md_escape(removal.file)}): "
                       f"{removal.rows_removed:,} rows removed, "
                       f"{removal.rows_restored:,} earlier rows restored.")
    data_changed()


def save_costs(edited: pd.DataFrame) -> ingest.LoadResult:
    """``core.costs.save_product_costs``, then forget cached reads."""
    result = costs.save_product_costs(db_path(), edited)
    if result.status == "loaded":
        data_changed()
    return result


def template_bytes() -> bytes:
    """The cost-sheet template: the bundled file, or its header line if the file is not there."""
    if sample.TEMPLATE.is_file():
        return sample.TEMPLATE.read_bytes()
    return (",".join(PRODUCT_COSTS_TEMPLATE_COLUMNS) + "\n").encode("utf-8")



# --- settings, the SKU table and the sidebar filters -----------------------------------------------

def health_settings() -> tuple[HealthParams, GradeParams]:
    """The saved settings (defaults where none). Read on every run, not cached: saving settings
    changes no data version, and the read is one small query."""
    return settings.load(db_path())


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


def guard_skus(message: str) -> tuple[skus.SkuTable, pd.DataFrame]:
    """The SKU table and its filtered rows, or a helpful empty state and a stop."""
    guard_data(message)
    table = sku_table()
    if table.frame.empty:
        st.info("No stock snapshot is loaded yet: health figures need an FBA Inventory (planning) or a "
                "Manage Inventory report. Orders and the ledger add sales and stock history.",
                icon=":material/inventory_2:")
        st.page_link("pages/data.py", label="Load reports on the Data page", icon=":material/upload:")
        st.stop()
    frame = filtered_skus()
    if frame.empty:
        st.info("No SKU matches the filters in the sidebar: clear one to see more.", icon=":material/filter_alt:")
        st.stop()
    return table, frame


def scope_caption(table: skus.SkuTable, frame: pd.DataFrame) -> None:
    """As of which day, how many SKUs, and the filters applied."""
    shown = (f"{len(frame):,} of {len(table.frame):,} SKUs" if len(frame) < len(table.frame)
             else f"all {len(frame):,} SKUs")
    chosen = "; ".join(f"{label(c) if c != 'abc_class' else 'ABC class'}: {', '.join(v)}"
                       for c, v in active_filters().items())
    st.caption(f"As of {table.as_of:%d %b %Y} · {shown}" + (f" ({md_escape(chosen)})" if chosen else ""))
    stale_warning([t for t in (table.sources.stock, table.sources.sales) if t])


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
    shown = shown[["title", "data_last_date", "age_days", "stale_after_days", "stale", "last_loaded_at",
                   "report_type"]]
    config = column_config(shown)
    config["data_last_date"] = st.column_config.DateColumn("Newest data", format="D MMM YYYY")
    config["last_loaded_at"] = st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY, HH:mm")
    config["age_days"] = st.column_config.NumberColumn("Age (days)", format="%.0f")
    config["stale_after_days"] = st.column_config.NumberColumn("Stale after (days)", format="%.0f")
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")


def stale_warning(tables_used: list[str]) -> None:
    """Warn when a report this page reads is older than its freshness limit (not for the demo, whose
    data is fixed)."""
    if demo_showing():
        return
    found = freshness.page_freshness(report_ages(), tables_used)
    if found is not None and found.warning:
        st.warning(found.warning + " Load a newer one on the Data page.", icon=":material/schedule:")


# --- number formats --------------------------------------------------------------------------------

def _missing(x) -> bool:
    return x is None or pd.isna(x)


def money(x) -> str:
    """$1,234.56; "unknown" where a unit cost is missing (never $0)."""
    return "unknown" if _missing(x) else f"${x:,.2f}"


def number(x, digits: int = 0) -> str:
    return "—" if _missing(x) else f"{x:,.{digits}f}"


def pct(x, digits: int = 0) -> str:
    return "—" if _missing(x) else f"{x:.{digits}%}"


def days(x) -> str:
    """Days of supply: "∞ (no sales)" with stock and no demand."""
    if _missing(x):
        return "—"
    return "∞ (no sales)" if x == float("inf") else f"{x:,.0f} days"


def turns(x) -> str:
    return "—" if _missing(x) else f"{x:,.2f} turns/yr"


def score(x) -> str:
    return "—" if _missing(x) else f"{x:.0f} / 100"


def md_money(x) -> str:
    """``money`` for markdown (a bare $ starts LaTeX in Streamlit)."""
    return money(x).replace("$", "\\$")


GRADE_LABELS = {"red": "Red", "orange": "Orange", "yellow": "Yellow", "": "—"}
DIMENSIONS = {"score_turnover": ("Turnover efficiency", "weight_turnover"),
              "score_structure": ("Stock structure", "weight_structure"),
              "score_service_cost": ("Service and cost", "weight_service_cost")}


# --- account figures and the points each SKU costs -------------------------------------------------

score_weights = skus.score_weights
points_lost = skus.points_lost


def kpi_tiles(frame: pd.DataFrame, summary: dict, params: HealthParams) -> list[dict]:
    """The Overview's tiles: label, formatted value and a tooltip stating the formula with its inputs."""
    inputs = summary["inputs"]
    costed = f"over the {inputs['skus_with_cost']:,} SKUs with a unit cost" + (
        f"; {summary['skus_cost_missing']:,} without one are left out (value unknown)"
        if summary["skus_cost_missing"] else "")
    available, demand = inputs["available"], inputs["demand_per_day"]
    cogs, avg_value = inputs["cogs_period"], inputs["avg_inventory_value"]
    aged_units_costed = inputs["aged_over_180_units_with_cost"]
    p = inputs["period_days"]
    weights = " + ".join(f"{getattr(params, w):.2f} × {summary[c]:.1f} ({n.lower()})"
                         for c, (n, w) in DIMENSIONS.items())
    return [
        {"label": "Inventory value at cost", "value": money(summary["inventory_value"]),
         "help": f"Σ (available + reserved) × unit cost {costed}."},
        {"label": "Units on hand", "value": number(summary["units_on_hand"]),
         "help": f"Σ (available + reserved) = {available:,.0f} + {summary['units_on_hand'] - available:,.0f}. "
                 f"Inbound, not counted: {summary['units_inbound']:,.0f}."},
        {"label": "Days of supply", "value": days(summary["days_of_supply"]),
         "help": f"Σ available ÷ Σ demand per day = {available:,.0f} ÷ {demand:,.1f} "
                 f"(demand corrected for stockouts, last {params.demand_window_days} days)."},
        {"label": "Turnover", "value": turns(summary["turnover"]),
         "delta": f"{number(summary['turnover_days'])} days to turn the stock once",
         "help": f"Σ COGS ÷ Σ average inventory value × 365 ÷ {p} = {md_money(cogs)} ÷ {md_money(avg_value)} "
                 f"× 365 ÷ {p} = {summary['turnover']:.2f} turns a year; 365 ÷ {summary['turnover']:.2f} = "
                 f"{summary['turnover_days']:,.0f} days to turn the stock once; {costed}."},
        {"label": "Health score", "value": score(summary["health_score"]),
         "help": f"Value-weighted account score = {weights} = {summary['health_score']:.1f}. "
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

_SHARE = "%.0f%%"
_TABLE_CONFIG = {
    "grade": st.column_config.TextColumn("Grade"),
    "sku": st.column_config.TextColumn("SKU"),
    "product_name": st.column_config.TextColumn("Product", width="small"),
    "supplier": st.column_config.TextColumn("Supplier"),
    "health_score": st.column_config.NumberColumn("Health", format="%.0f"),
    "score_turnover": st.column_config.NumberColumn("Turnover", format="%.0f", help="Turnover efficiency, 0-100"),
    "score_structure": st.column_config.NumberColumn("Structure", format="%.0f", help="Stock structure, 0-100"),
    "score_service_cost": st.column_config.NumberColumn("Service", format="%.0f", help="Service and cost, 0-100"),
    "points_lost": st.column_config.NumberColumn("Points lost", format="%.2f",
                                                 help="Points of the account score this SKU costs"),
    "turnover": st.column_config.NumberColumn("Turns/yr", format="%.2f"),
    "days_of_supply": st.column_config.TextColumn("Days of supply"),
    "in_stock_rate": st.column_config.NumberColumn("In stock", format=_SHARE),
    "aged_over_180_share": st.column_config.NumberColumn("Aged >180 d", format=_SHARE),
    "aged_over_share": st.column_config.NumberColumn("Aged share", format=_SHARE),
    "aged_over_share_basis": st.column_config.TextColumn("Aged share basis"),
    "units_30d": st.column_config.NumberColumn("Units 30 d", format="localized"),
    "value": st.column_config.TextColumn("Value at cost"),
    "cost_missing": st.column_config.CheckboxColumn("Cost missing"),
    "signals": st.column_config.TextColumn("Signals", width="large"),
    "action": st.column_config.TextColumn("Suggested action", width="large"),
}

HEALTH_SORTS = {
    "Most points lost (all dimensions)": ("points_lost", False),
    "Most points lost: turnover efficiency": ("lost_turnover", False),
    "Most points lost: stock structure": ("lost_structure", False),
    "Most points lost: service and cost": ("lost_service_cost", False),
    "Lowest health score": ("health_score", True),
    "Most days of supply": ("days_of_supply", False),
}


def _for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Formats that need text (∞, unknown, grade names) and shares in percent."""
    out = frame.copy()
    for column in ("in_stock_rate", "aged_over_180_share", "aged_over_share"):
        if column in out:
            out[column] = out[column] * 100
    if "days_of_supply" in out:
        out["days_of_supply"] = out["days_of_supply"].map(days)
    if "grade" in out:
        out["grade"] = out["grade"].map(GRADE_LABELS)
    if "value" in out:
        out["value"] = out["value"].map(money)
    return out


def show_sku_table(frame: pd.DataFrame, columns: list[str], labels: dict[str, str] | None = None,
                   **kwargs) -> None:
    """Chosen SKU-table columns with their labels and formats; ``labels`` renames some."""
    config = {c: _TABLE_CONFIG[c] for c in columns}
    for column, text in (labels or {}).items():
        config[column] = {**config[column], "label": text}
    st.dataframe(_for_display(frame[columns]), column_config=config, hide_index=True, **kwargs)


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
    """The list as shown, raw numbers with readable headers, for CSV and Excel."""
    columns = {"grade": "Grade", "sku": "SKU", "asin": "ASIN", "product_name": "Product", "supplier": "Supplier",
               "available": "Available", "days_of_supply": "Days of supply", "units_30d": "Units 30 d",
               "aged_over_share": f"Share older than {grade_params.aged_days} days",
               "aged_over_share_basis": "Share basis", "unit_cost": "Unit cost",
               "inventory_value": "Value at cost", "signals": "Signals", "action": "Suggested action"}
    return graded[list(columns)].rename(columns=columns)


# --- restock plan and what-if ---------------------------------------------------------------------

RESTOCK_STATUSES = ("order now", "soon", "not yet")
RESTOCK_SHOWN = ["sku", "product_name", "supplier", "status", "reason", "order_qty", "cases", "order_value",
                 "order_by", "stockout_date", "days_of_supply", "days_of_cover_after", "method", "wape"]


# A resource: large frames shared read-only across reruns and sessions, never copied.
@st.cache_resource(show_spinner="Forecasting demand (once for this data)…", max_entries=8)
def _forecast_summary(path: str, version: tuple,
                      as_of_date: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = forecast_table(Path(path), as_of_date)
    return result.summary, result.daily


def forecast_summary() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``core.forecast.forecast_table`` at the sidebar's as-of date: (summary, daily). Fitted once per
    data version and date; restock parameters (the what-if sliders) never refit it."""
    path = db_path()
    return _forecast_summary(str(path), data_version(path), as_of())


@st.cache_resource(show_spinner="Reading the plan's inputs…", max_entries=4)
def _restock_inputs(path: str, version: tuple, as_of_date: dt.date | None,
                    health: HealthParams) -> restock.RestockInputs:
    # A resource, not data: shared read-only by the sessions, never copied per rerun. The plan reads no
    # grade, so the SKU table with default grades serves (the one the pages already built, usually).
    table = _sku_table(path, version, as_of_date, health, GradeParams())
    return restock.restock_inputs(Path(path), as_of_date, health, table=table,
                                  returns_by_sku=_returns(path, version, table.as_of, "sku"))


@st.cache_data(show_spinner="Planning restock…", max_entries=32)
def _restock_plan(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                  health: HealthParams) -> pd.DataFrame:
    summary_frame, _ = _forecast_summary(path, version, as_of_date)
    return restock.plan_from_inputs(_restock_inputs(path, version, as_of_date, health), summary_frame, params)


def restock_params() -> RestockParams:
    """The baseline plan's parameters: defaults, with the capital rate saved on the Settings page."""
    return RestockParams(capital_rate_annual=health_settings()[0].capital_rate_annual)


def restock_plan(params: RestockParams) -> pd.DataFrame:
    """``core.restock.restock_from_db`` at the sidebar's as-of date with the cached forecast summary
    and the saved health settings (all SKUs; ``restock_view`` applies the sidebar filters)."""
    path = db_path()
    return _restock_plan(str(path), data_version(path), as_of(), params, health_settings()[0])


def restock_view(plan: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The plan's rows for the SKUs of ``frame`` (the filtered SKU table), with their days of supply."""
    return plan.merge(frame[["sku", "days_of_supply"]], on="sku", how="inner")


def restock_counts(plan: pd.DataFrame) -> dict[str, int]:
    """SKUs per status, every status present (zero where none)."""
    return {s: int((plan["status"] == s).sum()) for s in RESTOCK_STATUSES}


@st.cache_data(show_spinner="Projecting stock…", max_entries=16)
def _stockout_days(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                   health: HealthParams) -> pd.Series:
    plan = _restock_plan(path, version, as_of_date, params, health)
    if plan.empty:
        return pd.Series(dtype=float)
    return stock_projection.project_stock(plan, _forecast_matrix(path, version, as_of_date),
                                          review_period_days=params.review_period_days).expected_stockout_days


@st.cache_resource(show_spinner=False, max_entries=4)
def _forecast_matrix(path: str, version: tuple, as_of_date: dt.date | None) -> stock_projection.DailyMatrix:
    return stock_projection.DailyMatrix.from_daily(_forecast_summary(path, version, as_of_date)[1])


def restock_totals(plan: pd.DataFrame, params: RestockParams) -> dict[str, float]:
    """``core.restock.plan_totals`` of the (filtered) plan, with the expected stockout days of the
    180-day projection under ``params``."""
    path = db_path()
    days = _stockout_days(str(path), data_version(path), as_of(), params, health_settings()[0])
    return restock.plan_totals(plan, days)


def whole_money(x) -> str:
    return "—" if _missing(x) else f"${x:,.0f}"


WHATIF_FIGURES = [
    ("cash", "Cash needed now", whole_money, "Σ order value of the SKUs to order now."),
    ("stockout_days", "Stockout days", number,
     "Σ over SKUs of the expected days out of stock in the next 180 days (the projection below)."),
    ("safety_stock", "Safety stock (units)", number, "Σ safety stock units."),
    ("holding", "Holding cost of SS", whole_money, "Σ annual holding cost of the safety stock."),
    ("lost_margin", "Lost margin a year", whole_money, "Σ expected margin lost to stockouts a year."),
]


def whatif_comparison(before: dict, after: dict) -> pd.DataFrame:
    """The what-if totals side by side: figure, baseline, scenario, change (as text)."""
    rows = [{"figure": name, "baseline": fmt(before[key]), "scenario": fmt(after[key]),
             "change": change(after[key], before[key]) or "—"} for key, name, fmt, _ in WHATIF_FIGURES]
    return pd.DataFrame(rows)


def change(after: float, before: float) -> str | None:
    """A metric delta as text (``+1,234``), or None when either side is unknown or nothing changed."""
    if _missing(after) or _missing(before) or round(after - before) == 0:
        return None
    return f"{after - before:+,.0f}"


def totals_caption(totals: dict) -> str:
    """What the what-if totals leave out: SKUs without a unit cost."""
    parts = []
    if totals["cash_unknown_skus"]:
        n = totals["cash_unknown_skus"]
        parts.append(f"{n:,} SKU{'s' if n > 1 else ''} to order now {'have' if n > 1 else 'has'} no unit cost, "
                     "so the cash needed leaves them out")
    if totals["cost_unknown_skus"]:
        n = totals["cost_unknown_skus"]
        parts.append(f"{n:,} SKU{'s' if n > 1 else ''} without a unit cost {'are' if n > 1 else 'is'} left out "
                     "of the holding cost and lost margin")
    return ("; ".join(parts) + " (add costs on the Product costs page).") if parts else "Every SKU has a unit cost."


def projection_choices(plan: pd.DataFrame) -> list[str]:
    """SKUs to pick for the projection chart: order now (largest order first), then soon, then the rest."""
    rank = plan["status"].map({s: i for i, s in enumerate(RESTOCK_STATUSES)})
    ordered = plan.assign(rank=rank).sort_values(["rank", "order_value", "sku"], ascending=[True, False, True],
                                                 na_position="last", kind="stable")
    return ordered["sku"].tolist()


def sku_label(plan: pd.DataFrame):
    """format_func for a SKU picker: "SKU · product name (status)"."""
    names = dict(zip(plan["sku"], plan["product_name"].fillna("")))
    status = dict(zip(plan["sku"], plan["status"]))
    return lambda sku: f"{sku} · {str(names.get(sku, ''))[:50]} ({status.get(sku, '')})"


def projection_frame(params: RestockParams, sku: str) -> pd.DataFrame:
    """One SKU's 180-day stock projection under ``params`` (``StockProjection.frame``)."""
    plan = restock_plan(params)
    daily = forecast_summary()[1]
    one = plan[plan["sku"] == sku]
    projection = stock_projection.project_stock(one, daily[daily["sku"] == sku],
                                                review_period_days=params.review_period_days)
    return projection.frame(sku)


ACCURACY_SHOWN = ["sku", "product_name", "pattern", "method", "demand_per_day", "wape", "bias", "mase",
                  "backtest_units", "history_days", "adi", "cv2"]


def accuracy_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The forecast summary of the SKUs in ``frame`` (the filtered SKU table), with product names,
    the SKUs that sold most in the backtest first."""
    summary = forecast_summary()[0]
    view = frame[["sku", "product_name"]].merge(summary, on="sku", how="inner")
    return view.sort_values(["backtest_units", "sku"], ascending=[False, True], na_position="last",
                            kind="stable")[ACCURACY_SHOWN].reset_index(drop=True)


def show_accuracy_table(summary: pd.DataFrame, **kwargs) -> None:
    """The accuracy table with percentages and labels."""
    shown = summary.assign(wape=summary["wape"] * 100, bias=summary["bias"] * 100)
    config = column_config(shown)
    config.update({"wape": st.column_config.NumberColumn("WAPE", format="%.0f%%"),
                   "bias": st.column_config.NumberColumn("Bias", format="%+.0f%%"),
                   "mase": st.column_config.NumberColumn("MASE", format="%.2f"),
                   "demand_per_day": st.column_config.NumberColumn("Forecast a day", format="%.2f"),
                   "backtest_units": st.column_config.NumberColumn("Units in backtest", format="%.0f"),
                   "adi": st.column_config.NumberColumn("ADI", format="%.2f"),
                   "cv2": st.column_config.NumberColumn("CV²", format="%.2f")})
    st.dataframe(shown, column_config=config, hide_index=True, **kwargs)


def accuracy_label(summary: pd.DataFrame):
    """format_func for the accuracy page's SKU picker: "SKU · product name"."""
    names = dict(zip(summary["sku"], summary["product_name"].fillna("")))
    return lambda sku: f"{sku} · {str(names.get(sku, ''))[:60]}"


def accuracy_sentence(row: pd.Series) -> str:
    """One SKU's forecast in words: pattern, method, accuracy."""
    text = (f"Demand pattern **{row['pattern']}** (ADI {number(row['adi'], 2)}, CV² {number(row['cv2'], 2)}); "
            f"method **{row['method']}**, forecasting {number(row['demand_per_day'], 2)} units a day.")
    if _missing(row["wape"]):
        return text + " Too little in-stock history for a backtest."
    return text + (f" Backtest: WAPE {pct(row['wape'], 0)}, bias {row['bias'] * 100:+.0f}%, "
                   f"MASE {number(row['mase'], 2)} over {number(row['backtest_units'])} units sold.")


@st.cache_data(show_spinner="Reading sales history…", max_entries=64)
def _history(path: str, version: tuple, as_of_date: dt.date | None, sku: str) -> pd.DataFrame:
    return history(Path(path), as_of_date, 365, sku=sku)


def sku_history(sku: str) -> pd.DataFrame:
    """The last 365 days of one SKU's daily units sold and in-stock flags (``core.forecast.history``)."""
    path = db_path()
    return _history(str(path), data_version(path), as_of(), sku)


def show_restock_table(plan: pd.DataFrame, **kwargs) -> None:
    """The plan's columns users act on, with labels and formats."""
    shown = plan[RESTOCK_SHOWN].assign(wape=plan["wape"] * 100)
    config = column_config(shown)
    config["wape"] = st.column_config.NumberColumn("WAPE", format="%.0f%%")
    config["days_of_cover_after"] = st.column_config.NumberColumn("Days of cover after", format="%.0f")
    config["days_of_supply"] = st.column_config.NumberColumn("Days of supply", format="%.0f")
    config["order_value"] = st.column_config.NumberColumn("Order value", format="dollar")
    st.dataframe(shown, column_config=config, hide_index=True, **kwargs)


@st.cache_data(show_spinner=False)
def po_xlsx(plan: pd.DataFrame, as_of_date: dt.date) -> bytes:
    return purchase_orders.purchase_order_xlsx(restock.purchase_order_lines(plan), as_of_date)


@st.cache_data(show_spinner=False)
def po_csv(plan: pd.DataFrame, as_of_date: dt.date) -> bytes:
    return purchase_orders.purchase_order_csv(restock.purchase_order_lines(plan), as_of_date)


@st.cache_data(show_spinner=False)
def supplier_forecast_csv(plan: pd.DataFrame, daily: pd.DataFrame, review_period_days: float) -> bytes:
    return export.to_csv_bytes(purchase_orders.supplier_forecast(plan, daily,
                                                                 review_period_days=review_period_days))


# --- ageing, fees and clearance --------------------------------------------------------------------

# A resource: large frames shared read-only across reruns and sessions, never copied.
@st.cache_resource(show_spinner="Projecting storage fees…", max_entries=8)
def _fee_outlook(path: str, version: tuple, as_of_date: dt.date | None, params: RestockParams,
                 health: HealthParams) -> outlook.FeeOutlook:
    return outlook.fee_outlook(Path(path), as_of_date, 12, restock_params=params, health_params=health,
                               plan_inputs=lambda: _restock_inputs(path, version, as_of_date, health))


def fee_outlook() -> outlook.FeeOutlook:
    """``core.fees.outlook.fee_outlook`` at the sidebar's as-of date under the baseline restock plan."""
    path = db_path()
    return _fee_outlook(str(path), data_version(path), as_of(), restock_params(), health_settings()[0])


def in_view(frame: pd.DataFrame, skus_frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` for the SKUs of the filtered SKU table."""
    return frame[frame["sku"].isin(skus_frame["sku"])]


def crossing_messages(crossings: pd.DataFrame, skus_frame: pd.DataFrame) -> pd.DataFrame:
    """The band crossings with product names and the sentence a seller acts on."""
    shown = in_view(crossings, skus_frame).merge(skus_frame[["sku", "product_name"]], on="sku", how="left")
    action = [f"Sell or remove {units:,.0f} units by {deadline:%d %b %Y} to avoid {money(amount)}"
              for units, deadline, amount in zip(shown["units"], shown["deadline"], shown["amount_avoided"])]
    shown = shown.assign(action=action, deadline=pd.to_datetime(shown["deadline"]))
    return shown[["sku", "product_name", "band", "units", "deadline", "amount_avoided", "action"]]


def crossings_within(crossings: pd.DataFrame, as_of_date: dt.date | None, days: int) -> pd.DataFrame:
    """The crossings whose deadline is within ``days`` days of the as-of date."""
    if as_of_date is None:
        return crossings
    return crossings[crossings["deadline"] <= pd.Timestamp(as_of_date) + pd.Timedelta(days=days)]


def show_crossings(crossings: pd.DataFrame, **kwargs) -> None:
    config = column_config(crossings)
    config["units"] = st.column_config.NumberColumn("Units", format="%.0f")
    config["amount_avoided"] = st.column_config.NumberColumn("Surcharge avoided", format="dollar")
    config["deadline"] = st.column_config.DateColumn("Deadline", format="D MMM YYYY")
    st.dataframe(crossings, column_config=config, hide_index=True, **kwargs)


@st.cache_data(show_spinner="Reading the IPI factors…", max_entries=4)
def _ipi(path: str, version: tuple) -> pd.DataFrame:
    return ipi.ipi_factors_from_db(Path(path))


def ipi_factors() -> pd.DataFrame:
    """``core.fees.ipi.ipi_factors_from_db``: the four factors per planning snapshot."""
    path = db_path()
    return _ipi(str(path), data_version(path))


@st.cache_data(show_spinner="Pricing the ways out…", max_entries=16)
def _clearance(path: str, version: tuple, as_of_date: dt.date | None, params: clearance.ClearanceParams,
               picked: tuple[str, ...], restock: RestockParams, health: HealthParams,
               grades: GradeParams) -> outlook.ClearanceAdvice:
    fees = _fee_outlook(path, version, as_of_date, restock, health)
    table = _sku_table(path, version, as_of_date, health, grades)
    return outlook.clearance_advice(Path(path), fees, table.frame, params, picked, period_days=health.period_days,
                                    default_fee_share=health.default_fee_share)


def clearance_advice(params: clearance.ClearanceParams, picked: list[str]) -> outlook.ClearanceAdvice:
    """``core.fees.outlook.clearance_advice`` for the red and orange SKUs and those picked."""
    path = db_path()
    health, grades = health_settings()
    return _clearance(str(path), data_version(path), as_of(), params, tuple(sorted(picked)), restock_params(),
                      health, grades)


def fee_caption(fees: outlook.FeeOutlook) -> str:
    """Where the projection's ages and arrivals come from, and which rates are not confirmed."""
    text = (f"Ages from the {fees.inputs.age_source}; demand from the forecast, oldest units sold first; "
            f"arrivals from the restock plan ({len(fees.arrivals):,} deliveries: stock inbound now, then "
            "each order one lead time after it is placed). The first month counts from the day after the as-of date.")
    unknown = int(fees.inputs.items["cubic_feet_per_unit"].isna().sum()) if len(fees.inputs.items) else 0
    if unknown:
        text += f" {unknown:,} SKUs have no known volume, so their fees are unknown and left out of the totals."
    if fees.table is not None and fees.table.unconfirmed:
        text += (" Rates not confirmed by an Amazon page we could read: "
                 + ", ".join(b.replace("_", " ") for b in fees.table.unconfirmed) + " (see the fee table below).")
    return text


@st.cache_data(show_spinner=False, max_entries=4)
def _rate_check(path: str, version: tuple) -> pd.DataFrame:
    return outlook.rate_check(Path(path))


def show_fee_table(table) -> None:
    """The fee table in force, one row per rate, unconfirmed rates marked."""
    if table is None:
        st.caption("No stock snapshot, so no fee table applies yet.")
        return
    st.caption(f"{table.marketplace} fee table effective {table.effective_from:%d %b %Y} "
               "(core/fees/tables/us.json: edit it, or add a version, when Amazon changes its fees).")
    show_table(fee_table_rows(table), width="stretch")
    path = db_path()
    check = _rate_check(str(path), data_version(path))
    if check.empty:
        st.caption("Load the Monthly Storage Fees report to check these rates against what Amazon charged.")
        return
    matched = int(check["matches"].sum())
    message = (f"Checked against the Monthly Storage Fees report: our storage rate matches Amazon's in {matched} of "
               f"{len(check)} month and size-tier pairs.")
    (st.success if matched == len(check) else st.warning)(message)
    if matched < len(check):
        show_table(check[~check["matches"]], width="stretch")


IPI_TILES = [("excess_share", "Excess inventory", "excess_bar", "{:.1%}"),
             ("sell_through", "Sell-through (90 days)", "sell_through_bar", "{:.2f}"),
             ("stranded_share", "Stranded inventory", "stranded_bar", "{:.1%}"),
             ("in_stock_rate", "In-stock rate", "in_stock_bar", "{:.1%}")]


def show_ipi(factors: pd.DataFrame) -> None:
    """The four IPI factors at the latest snapshot (tiles with Amazon's bar names, the change since
    the snapshot before) and their trend."""
    if factors.empty:
        st.caption("The IPI factors need the FBA Inventory report.")
        return
    latest, before = factors.iloc[-1], (factors.iloc[-2] if len(factors) > 1 else None)
    for column, (key, name, bar, fmt) in zip(st.columns(4), IPI_TILES):
        value = latest[key]
        delta = None
        if before is not None and not _missing(value) and not _missing(before[key]):
            change = value - before[key]
            delta = f"{change * 100:+.1f} pts" if "%" in fmt else f"{change:+.2f}"
        column.metric(name, "—" if _missing(value) else fmt.format(value), delta, border=True,
                      delta_color="inverse" if key in ("excess_share", "stranded_share") else "normal",
                      help=f"{latest[bar]} on our heuristic bars (Amazon does not publish the IPI formula).")
    shown = factors[["snapshot_date", "excess_share", "amazon_excess_share", "sell_through", "stranded_share",
                     "in_stock_rate"]]
    config = column_config(shown)
    for key in ("excess_share", "amazon_excess_share", "stranded_share", "in_stock_rate"):
        config[key] = st.column_config.NumberColumn(label(key), format="percent")
    config["sell_through"] = st.column_config.NumberColumn("Sell-through", format="%.2f")
    st.dataframe(shown, column_config=config, hide_index=True, width="stretch")


def show_clearance_table(advice: pd.DataFrame, **kwargs) -> None:
    """The advisor's table: the recommendation, then every option's cost."""
    config = column_config(advice)
    for column in advice.columns:
        if column.startswith("cost_") or column in ("recommended_cost", "keep_cost", "saving_vs_keep"):
            name = column.removeprefix("cost_").capitalize() if column.startswith("cost_") else label(column)
            config[column] = st.column_config.NumberColumn(name, format="dollar")
    config["units_affected"] = st.column_config.NumberColumn("Units acted on", format="%.0f")
    st.dataframe(advice, column_config=config, hide_index=True, **kwargs)


def clearance_caption(params: clearance.ClearanceParams) -> str:
    return (f"Costs over {params.horizon_months} months on the units the forecast will not sell by then (all units "
            "of a SKU picked without excess): fees paid, margin given up and stock written off, less what comes "
            "back; a negative cost is a net gain. Keep = projected storage and surcharges + capital cost. Donation may be tax-deductible up to "
            f"cost × {params.tax_rate:.0%}: ask your accountant. Removal and disposal fees by size and weight "
            "from the fee table (not confirmed).")


def capacity_limits() -> capacity.CapacityLimits:
    return settings.load_capacity(db_path())


def capacity_view(fees: outlook.FeeOutlook, limits: capacity.CapacityLimits) -> pd.DataFrame:
    """``core.fees.outlook.capacity_outlook``: actual then projected cubic feet against the limits."""
    return outlook.capacity_outlook(db_path(), fees, limits)


def save_capacity() -> None:
    """Form callback: save the limits entered (0 or empty = none)."""
    values = {name: (st.session_state.get(f"capacity_{name}") or None) for name in capacity.STORAGE_TYPES}
    settings.save_capacity(db_path(), capacity.CapacityLimits(**values))
    st.session_state["capacity_message"] = "Saved."


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
    config = column_config(shown)
    for key, name in (("return_rate", "Return rate"), ("recent_rate", "Last 30 days"), ("baseline_rate", "Before")):
        config[key] = st.column_config.NumberColumn(name, format="percent")
    config.update({"returned_A": st.column_config.NumberColumn("A (to stock)", format="%.0f"),
                   "returned_B": st.column_config.NumberColumn("B (repair/used)", format="%.0f"),
                   "returned_C": st.column_config.NumberColumn("C (dispose)", format="%.0f")})
    st.dataframe(shown, column_config=config, hide_index=True, **kwargs)


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


# --- alerts -----------------------------------------------------------------------------------------

def alert_settings() -> alerts.AlertSettings:
    return alerts.load_settings(db_path())


@st.cache_data(show_spinner="Checking the alert rules…", max_entries=8)
def _alerts(path: str, version: tuple, as_of_date: dt.date | None, today: dt.date,
            rule_settings: alerts.AlertSettings, health: HealthParams, grades: GradeParams) -> pd.DataFrame:
    # The pages' own cached results: the fee outlook is the Ageing & fees page's (stored after a load).
    table = _sku_table(path, version, as_of_date, health, grades)
    fees = _fee_outlook(path, version, as_of_date, RestockParams(capital_rate_annual=health.capital_rate_annual),
                        health)
    return alerts.alerts_from_db(Path(path), as_of_date, today, rule_settings, table=table,
                                 plan_inputs=_restock_inputs(path, version, as_of_date, health),
                                 crossings=fees.crossings, returns_by_sku=_returns(path, version, table.as_of, "sku"))


def current_alerts(rule_settings: alerts.AlertSettings) -> pd.DataFrame:
    """``core.alerts.alerts_from_db`` at the sidebar's as-of date, data ages measured today."""
    path = db_path()
    health, grades = health_settings()
    return _alerts(str(path), data_version(path), as_of(), dt.date.today(), rule_settings, health, grades)


def alerts_in_view(fired: pd.DataFrame) -> pd.DataFrame:
    """Account and report alerts, and SKU alerts for the SKUs the sidebar filters keep."""
    kept = set(filtered_skus()["sku"]) if not summary().empty else set()
    sku = fired["sku"]
    return fired[sku.isna() | (sku == "") | sku.isin(kept)]


def alert_digest(fired: pd.DataFrame) -> str:
    return alerts.digest_markdown(fired, as_of(), dt.date.today())


def save_alert_settings() -> None:
    """Form callback: rules switched off and thresholds changed from their defaults."""
    off = tuple(r.key for r in alerts.RULES if not st.session_state.get(f"alert_on_{r.key}", True))
    thresholds = tuple((r.key, float(st.session_state[f"alert_threshold_{r.key}"])) for r in alerts.RULES
                       if r.default_threshold is not None and f"alert_threshold_{r.key}" in st.session_state
                       and float(st.session_state[f"alert_threshold_{r.key}"]) != r.default_threshold)
    try:
        alerts.save_settings(db_path(), alerts.AlertSettings(off=off, thresholds=thresholds))
    except ValueError as error:
        st.session_state["alerts_message"] = ("error", f"Not saved: {error}")
        return
    st.session_state["alerts_message"] = ("success", "Saved. The page and `fba-health alerts` use these rules now.")


def show_message(key: str) -> None:
    """A (kind, text) message left by a callback, shown once."""
    if key in st.session_state:
        kind, text = st.session_state.pop(key)
        (st.success if kind == "success" else st.error)(text)


SMTP_TLS = ("starttls", "ssl", "none")


def smtp_form() -> None:
    """The SMTP settings form (saved without the password) and a test send."""
    path = db_path()
    saved = settings.load_raw(path, "smtp") or {}
    with st.form("smtp"):
        a, b, c = st.columns([3, 1, 2])
        a.text_input("SMTP host", saved.get("host", ""), key="smtp_host", placeholder="smtp.example.com")
        b.number_input("Port", 1, 65535, int(saved.get("port", 587)), key="smtp_port")
        c.selectbox("Security", SMTP_TLS, SMTP_TLS.index(saved.get("tls", "starttls")), key="smtp_tls")
        d, e = st.columns(2)
        d.text_input("User", saved.get("user") or "", key="smtp_user")
        e.text_input("From", saved.get("sender", ""), key="smtp_sender", placeholder="alerts@example.com")
        st.form_submit_button("Save e-mail settings", on_click=save_smtp)
    show_message("smtp_message")
    password = "set" if os.environ.get(notify.ENV_PREFIX + "PASSWORD") else "not set"
    st.caption(f"Password (FBA_HEALTH_SMTP_PASSWORD): {password} in this app's environment.")
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input("Send the digest now to", key="smtp_test_to", placeholder="you@example.com")
    right.button("Send", key="smtp_send", on_click=send_digest_now, icon=":material/send:")
    show_message("smtp_send_message")


def save_smtp() -> None:
    try:
        notify.save_smtp_settings(db_path(), st.session_state["smtp_host"].strip(), int(st.session_state["smtp_port"]),
                                  st.session_state["smtp_user"].strip() or None,
                                  st.session_state["smtp_sender"].strip() or "fba-health@localhost",
                                  st.session_state["smtp_tls"])
    except ValueError as error:
        st.session_state["smtp_message"] = ("error", f"Not saved: {error}")
        return
    st.session_state["smtp_message"] = ("success", "Saved (the password stays in the environment).")


def send_digest_now() -> None:
    """Button callback: e-mail the current digest to the address typed."""
    to = [a.strip() for a in st.session_state.get("smtp_test_to", "").split(",") if a.strip()]
    fired = alerts_in_view(current_alerts(alert_settings()))
    try:
        notify.send_digest(alert_digest(fired), to, notify.smtp_settings(db_path()),
                           f"FBA inventory alerts: {len(fired)} ({dt.date.today():%d %b %Y})")
    except (ValueError, notify.NotifyError) as error:
        st.session_state["smtp_send_message"] = ("error", f"Not sent: {error}")
        return
    st.session_state["smtp_send_message"] = ("success", f"Sent to {', '.join(to)}.")


# --- settings form ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingField:
    """One number input of the Settings form. ``percent`` fields hold a share (0.15) shown as 15."""

    owner: type  # HealthParams or GradeParams
    name: str
    group: str
    label: str
    low: float
    high: float
    step: float
    percent: bool = False
    integer: bool = False
    help: str | None = None


_H, _G = HealthParams, GradeParams
SETTING_GROUPS = ["Periods and costs", "Score targets", "Weights", "Class cut-offs", "Slow-mover thresholds"]
SETTING_FIELDS = [
    SettingField(_H, "period_days", SETTING_GROUPS[0], "Period (days)", 7, 730, 1, integer=True,
                 help="Turnover, in-stock rate, holding cost and profit look back this far."),
    SettingField(_H, "demand_window_days", SETTING_GROUPS[0], "Demand window (days)", 7, 365, 1, integer=True,
                 help="The stockout-corrected demand rate behind days of supply."),
    SettingField(_H, "capital_rate_annual", SETTING_GROUPS[0], "Capital cost (% a year)", 0, 100, 0.5, True,
                 help="The cost of the money tied up in stock, part of the holding cost."),
    SettingField(_H, "default_fee_share", SETTING_GROUPS[0], "Amazon fees where unknown (% of revenue)", 0, 99,
                 1, True, help="Used where the Fee Preview report lacks a SKU."),
    SettingField(_H, "turnover_full", SETTING_GROUPS[1], "Turnover scoring 100 (turns/yr)", 0.1, 100, 0.5),
    SettingField(_H, "turnover_zero", SETTING_GROUPS[1], "Turnover scoring 0 (turns/yr)", 0, 99, 0.5),
    SettingField(_H, "aged_share_zero", SETTING_GROUPS[1], "Aged over 180 days scoring 0 (%)", 1, 100, 5, True),
    SettingField(_H, "dead_share_zero", SETTING_GROUPS[1], "Dead stock scoring 0 (%)", 1, 100, 5, True),
    SettingField(_H, "in_stock_full", SETTING_GROUPS[1], "In-stock rate scoring 100 (%)", 1, 100, 1, True),
    SettingField(_H, "in_stock_zero", SETTING_GROUPS[1], "In-stock rate scoring 0 (%)", 0, 99, 1, True),
    SettingField(_H, "holding_ratio_full", SETTING_GROUPS[1], "Holding cost scoring 100 (% a year)", 0, 500, 1,
                 True),
    SettingField(_H, "holding_ratio_zero", SETTING_GROUPS[1], "Holding cost scoring 0 (% a year)", 1, 1000, 1,
                 True),
    SettingField(_H, "alert_below", SETTING_GROUPS[1], "Alert below health score", 0, 100, 1,
                 help="The Overview and Health score pages warn under this account score."),
    SettingField(_H, "weight_turnover", SETTING_GROUPS[2], "Turnover efficiency (%)", 0, 100, 5, True),
    SettingField(_H, "weight_structure", SETTING_GROUPS[2], "Stock structure (%)", 0, 100, 5, True),
    SettingField(_H, "weight_service_cost", SETTING_GROUPS[2], "Service and cost (%)", 0, 100, 5, True),
    SettingField(_H, "abc_a_share", SETTING_GROUPS[3], "Class A: revenue share (%)", 1, 99, 1, True),
    SettingField(_H, "abc_b_share", SETTING_GROUPS[3], "Classes A + B: revenue share (%)", 1, 99, 1, True),
    SettingField(_H, "xyz_x_cv", SETTING_GROUPS[3], "Class X: demand CV up to", 0.05, 10, 0.05),
    SettingField(_H, "xyz_y_cv", SETTING_GROUPS[3], "Class Y: demand CV up to", 0.05, 10, 0.05),
    SettingField(_G, "dos_watch_days", SETTING_GROUPS[4], "Days of supply: watch above", 1, 3650, 1, integer=True),
    SettingField(_G, "dos_urgent_days", SETTING_GROUPS[4], "Days of supply: urgent (red) above", 1, 3650, 1,
                 integer=True),
    SettingField(_G, "velocity_drop", SETTING_GROUPS[4], "Sales drop, two 30-day periods running (%)", 1, 99, 5,
                 True),
    SettingField(_G, "aged_days", SETTING_GROUPS[4], "Aged: older than (days)", 1, 455, 1, integer=True),
    SettingField(_G, "aged_share", SETTING_GROUPS[4], "Aged: share of units over (%)", 1, 99, 1, True),
    SettingField(_G, "no_sale_days", SETTING_GROUPS[4], "No sale in (days): red", 7, 730, 1, integer=True),
]
WEIGHT_FIELDS = ["weight_turnover", "weight_structure", "weight_service_cost"]


def setting_input(field: SettingField, params) -> None:
    """One number input keyed ``set_<name>``, starting from the saved value."""
    value = getattr(params, field.name)
    if field.integer:
        st.number_input(field.label, int(field.low), int(field.high), int(value), int(field.step),
                        key=f"set_{field.name}", help=field.help)
    else:
        shown = round(value * 100, 6) if field.percent else float(value)
        st.number_input(field.label, float(field.low), float(field.high), shown, float(field.step),
                        key=f"set_{field.name}", help=field.help, format="%.2f" if field.step < 0.5 else "%.1f")


def settings_from_form() -> tuple[HealthParams, GradeParams]:
    """The form's values as parameter objects; ValueError (naming the parameter) when they do not
    validate, including weights that do not sum to 100%."""
    values: dict[type, dict] = {HealthParams: {}, GradeParams: {}}
    for field in SETTING_FIELDS:
        value = st.session_state[f"set_{field.name}"]
        values[field.owner][field.name] = value / 100 if field.percent else value
    total = sum(st.session_state[f"set_{w}"] for w in WEIGHT_FIELDS)
    if abs(total - 100) > 1e-6:
        raise ValueError(f"The three weights must sum to 100% (1.0); they sum to {total:g}%.")
    return HealthParams(**values[HealthParams]), GradeParams(**values[GradeParams])


def save_settings() -> None:
    """Form callback: validate and save, or keep the message of what is wrong; nothing is saved then."""
    try:
        health, grades = settings_from_form()
    except ValueError as error:
        st.session_state["settings_message"] = ("error", f"Not saved: {error}")
        return
    settings.save(db_path(), health, grades)
    st.session_state["settings_message"] = ("success", "Saved. Every page and `fba-health skus` use these now.")


def reset_settings() -> None:
    """Button callback: forget saved settings, and the form's edits, so the defaults show."""
    settings.reset(db_path())
    for field in SETTING_FIELDS:
        st.session_state.pop(f"set_{field.name}", None)
    st.session_state["settings_message"] = ("success", "Settings reset to the defaults.")
