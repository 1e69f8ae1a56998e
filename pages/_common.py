"""Streamlit glue shared by the pages: the database path, cached reads, guards, the demo account and
the one upload helper. Pages import it as ``from pages import _common as common``.

Reads are cached with ``st.cache_data`` keyed on the database path plus a data version (the imports
ledger's size and newest entry), so a load or removal, here or by ``fba-health`` beside the app,
shows at once. This module imports once per process (unlike the page scripts, which rerun), so
the flag that loads the demo account once per process lives here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from core import browse, costs, db, export, ingest, sample
from core.schemas import BY_TYPE, PRODUCT_COSTS_TEMPLATE_COLUMNS

MAX_ROWS_SHOWN = 1_000

_demo_lock = threading.Lock()
_demo_checked: set[str] = set()


def db_path() -> Path:
    """The database file: ``FBA_HEALTH_DB``, else data/inventory.duckdb (read on every call)."""
    return db.resolve_db_path()


def data_version(path: Path | None = None) -> tuple:
    """The second half of every cache key: changes whenever an import is added or removed."""
    return db.data_version(path or db_path())


def data_changed() -> None:
    """Forget every cached read (after a load or a removal in this process)."""
    st.cache_data.clear()


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
             "es": "ES", "se": "SE", "ais": "AIS", "url": "URL", "cpf": "CPF", "qty": "qty"}


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


def load_bytes(name: str, data: bytes, *, snapshot_date: dt.date | None = None, replace_all: bool = False,
               progress: ingest.Progress | None = None) -> ingest.LoadResult:
    """Save uploaded bytes to a fresh temp file (the name is only a label) and load it."""
    with tempfile.TemporaryDirectory(prefix="fba-upload-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        return ingest.load_report(db_path(), path, file_name=name, snapshot_date=snapshot_date,
                                  replace_all=replace_all, progress=progress)


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
    """Load each uploaded file (anything with ``.name`` and ``.getvalue()``) with a progress bar,
    show its outcome, and return the results."""
    results = []
    for upload in files:
        bar = st.progress(0.0, text=f"Reading {upload.name}")
        result = load_bytes(upload.name, upload.getvalue(), snapshot_date=snapshot_date,
                            replace_all=replace_all,
                            progress=lambda f, m, bar=bar: bar.progress(min(max(f, 0.0), 1.0), text=m))
        bar.empty()
        show_result(result)
        results.append(result)
    if any(r.status == "loaded" for r in results):
        data_changed()
    return results


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

