"""Streamlit glue for loading files: uploads copied to a temp file and loaded, their outcome shown,
the forecast, IPI trend and fee outlook prepared right after a load, removing an import, and the
product-cost sheet. Pages import it as ``from pages import _upload as upload_view``; it sits on top
of _common, _plan and _ageing_fees.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import streamlit as st

from core import costs, display, housekeeping, ingest, report_dates, sample
from core.schemas import BY_TYPE, PRODUCT_COSTS_TEMPLATE_COLUMNS
from pages import _ageing_fees as fees_view, _common as common, _frame, _plan as plan_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py


# --- loading files ---------------------------------------------------------------------------------

_KNOWN_SUFFIXES = {".txt", ".tsv", ".csv", ".gz", ".xlsx"}

def load_stream(name: str, stream, *, snapshot_date: dt.date | None = None, replace_all: bool = False,
                progress: ingest.Progress | None = None, date_order: str | None = None) -> ingest.LoadResult:
    """Copy an upload (a binary file object) in chunks to a fresh temp file inside the data folder and
    load it; the uploaded file's name is only a label, never a path, and the temp file is gone
    afterwards."""
    # uploads/upload-* beside the database, locked while in use: a start after a kill clears it
    with housekeeping.upload_folder(common.db_path()) as folder:
        # The file type travels with the copy (an .xlsx cost sheet); the name itself never does.
        suffix = "".join(s for s in Path(name).suffixes[-2:] if s.lower() in _KNOWN_SUFFIXES)
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, length=8 * 1024 * 1024)
        return ingest.load_report(common.db_path(), path, file_name=name, snapshot_date=snapshot_date,
                                  replace_all=replace_all, progress=progress, date_order=date_order)


def load_bytes(name: str, data: bytes, **options) -> ingest.LoadResult:
    """``load_stream`` of bytes already in memory."""
    return load_stream(name, io.BytesIO(data), **options)


def show_result(result: ingest.LoadResult) -> None:
    """One file's outcome in plain words: success, unchanged, or every error."""
    name = common.md_escape(result.file)
    schema = BY_TYPE.get(result.report_type) if result.report_type else None
    what = schema.title if schema else "this file"
    if result.status == "loaded":
        span = (f", dates {dt.date.fromisoformat(result.date_min):%d %b %Y} to "
                f"{dt.date.fromisoformat(result.date_max):%d %b %Y}") if result.date_min else ""
        st.success(f"**{name}**: Loaded {result.rows_loaded:,} rows of {what}, "
                   f"{result.rows_replaced:,} replaced{span}.", icon=":material/check_circle:")
    elif result.status == "unchanged":
        st.info(f"**{name}**: unchanged, {what} is already loaded from this exact file.",
                icon=":material/info:")
    else:
        errors = "\n".join(f"- {common.md_escape(e)}" for e in result.errors)
        st.error(f"**{name}** was not loaded; nothing loaded before has changed.\n\n{errors}",
                 icon=":material/error:")
    for warning in result.warnings:
        st.caption(common.md_escape(warning))


def peek_upload(upload) -> ingest.ReportPeek:
    """What an uploaded file is, from its first MB, before it is loaded (to ask for a date)."""
    return ingest.peek_head(bytes(upload.getbuffer()[: ingest.PEEK_BYTES]), upload.name)


def batch_snapshot_dates(peeks: list[ingest.ReportPeek]) -> tuple[dt.date, ...]:
    """The stock snapshot dates of the FBA Inventory files chosen together."""
    return tuple(sorted({d for p in peeks for d in p.snapshot_dates}))


def load_uploaded_files(files, *, snapshot_dates: dict[str, dt.date] | None = None,
                        replace_all: bool = False, date_order: str | None = None) -> list[ingest.LoadResult]:
    """Load each uploaded file (a binary file object with ``.name``, as st.file_uploader gives) with a
    progress bar, show its outcome, and return the results. ``snapshot_dates``: file name -> the date
    the seller confirmed for a report without one of its own. ``date_order``: 'dmy' or 'mdy' where
    the seller says how slash dates read (``core.report_dates.slash_date_orders``).

    When the load removed the demo account, the page reruns at once so that the banner and the
    sidebar show the seller's own data; the outcomes wait in ``st.session_state["load_results"]``
    (``show_pending_results``)."""
    demo_before = common.demo_showing()
    results = []
    for upload in files:
        bar = st.progress(0.0, text=f"Reading {upload.name}")
        upload.seek(0)
        result = load_stream(upload.name, upload, snapshot_date=(snapshot_dates or {}).get(upload.name),
                             replace_all=replace_all, date_order=date_order,
                             progress=lambda f, m, bar=bar: bar.progress(min(max(f, 0.0), 1.0), text=m))
        bar.empty()
        show_result(result)
        results.append(result)
    if any(r.status == "loaded" for r in results) or (demo_before and any(
            r.status == "unchanged" for r in results)):
        common.data_changed()
        prepare_after_load()
    if demo_before and not common.demo_showing():
        st.session_state["load_results"] = results
        st.rerun()
    return results


def show_pending_results() -> None:
    """The outcomes of a load that reran the page (see ``load_uploaded_files``)."""
    for result in st.session_state.pop("load_results", []):
        show_result(result)


def prepare_after_load() -> None:
    """Fit the forecast, build the IPI trend and project the fees now, right after a load, where the
    seller expects to wait: all three are stored in the database (``core.stored``), and the plan, fee
    and alert pages then open without computing them (about 8 s, 5 s and 4 s on 10,000 SKUs)."""
    path = common.db_path()
    if not common.snapshot_dates():
        return
    with st.spinner("Forecasting demand, the IPI trend and the storage fees, once for this data…",
                    show_time=True):
        plan_view._forecast_summary(str(path), common.data_version(path), common.as_of())
        fees_view._ipi(str(path), common.data_version(path))
        fees_view.fee_outlook()


def import_choices(imports_df: pd.DataFrame) -> dict[int, str]:
    """Import id -> "#3: file.txt (FBA Customer Returns, 1,234 current rows)" for a selectbox."""
    titles = imports_df["report_type"].map(lambda t: BY_TYPE[t].title if t in BY_TYPE else t)
    text = ("#" + imports_df["import_id"].astype(str) + ": " + imports_df["file_name"] + " (" + titles + ", "
            + imports_df["current_rows"].map("{:,}".format) + " current rows)")
    return dict(zip(imports_df["import_id"].tolist(), text.tolist()))


@common.changes_database
def remove_selected_import() -> None:
    """Button callback: remove the import chosen in ``remove_select``; the message waits in state."""
    import_id = st.session_state.get("remove_select")
    if import_id is None:
        return
    try:
        removal = ingest.remove_import(common.db_path(), int(import_id))
    except ValueError as error:
        st.session_state["removal_message"] = ("error", str(error))
    else:
        st.session_state["removal_message"] = (
            "success", f"Removed import #{removal.import_id} ({common.md_escape(removal.file)}): "
                       f"{removal.rows_removed:,} rows removed, "
                       f"{removal.rows_restored:,} earlier rows restored.")
    common.data_changed()


def save_costs(edited: pd.DataFrame) -> ingest.LoadResult:
    """``core.costs.save_product_costs``, then forget cached reads."""
    result = costs.save_product_costs(common.db_path(), edited)
    if result.status == "loaded":
        common.data_changed()
    return result


def template_bytes() -> bytes:
    """The cost-sheet template: the bundled file, or its header line if the file is not there."""
    if sample.TEMPLATE.is_file():
        return sample.TEMPLATE.read_bytes()
    return (",".join(PRODUCT_COSTS_TEMPLATE_COLUMNS) + "\n").encode("utf-8")


# --- dates of the reports that carry none ------------------------------------------------------------

def ask_snapshot_dates(files) -> tuple[dict[str, dt.date], list[str]]:
    """For each chosen report without a date of its own, a date box the seller checks before loading,
    filled where the date is unambiguous (``core.report_dates.suggest_snapshot_date``), else empty.
    Returns file name -> date, and the names still waiting for one."""
    peeks = [peek_upload(f) for f in files]
    batch = batch_snapshot_dates(peeks)
    undated = [(f, p) for f, p in zip(files, peeks) if p.needs_date]
    if not undated:
        return {}, []
    st.markdown("**When were these downloaded?** These reports carry no date of their own; each is set "
                "beside the stock snapshot of the day it describes.")
    newest = common.snapshot_dates()
    dates, waiting = {}, []
    for upload, peek in undated:
        suggestion = report_dates.suggest_snapshot_date(upload.name, batch)
        hint = (f"Filled from {suggestion.reason}." if suggestion.date else
                f"Choose the day: {suggestion.reason}"
                + (f"; the newest stock snapshot loaded is {display.date(newest[0])}." if newest else "."))
        chosen = st.date_input(f"{peek.title}: {upload.name}", value=suggestion.date, format="DD/MM/YYYY",
                               max_value=dt.date.today(), key=f"snapshot_date_{upload.file_id}"
                               if hasattr(upload, "file_id") else f"snapshot_date_{upload.name}", help=hint)
        st.caption(common.md_escape(hint))
        if chosen is None:
            waiting.append(upload.name)
        else:
            dates[upload.name] = chosen
    return dates, waiting


def redate_section(imports_df: pd.DataFrame) -> None:
    """Change the date of a loaded report that carries none of its own (Manage Inventory, Restock, Fee
    Preview), for one dated wrongly when it was loaded."""
    undated = imports_df[imports_df["report_type"].map(
        lambda t: t in BY_TYPE and BY_TYPE[t].snapshot_from_load) & (imports_df["current_rows"] > 0)]
    if undated.empty:
        return
    with st.expander("Change a report's date"):
        st.caption("Manage FBA Inventory, Restock and Fee Preview reports carry no date of their own: "
                   "the date given when they were loaded sets them beside a stock snapshot.")
        choices = import_choices(undated)
        chosen = st.selectbox("Import", options=list(choices), key="redate_select", format_func=choices.get)
        current = undated.loc[undated["import_id"] == chosen, "snapshot_date"].iloc[0]
        new_date = st.date_input("Its date", format="DD/MM/YYYY", key="redate_date",
                                 value=pd.Timestamp(current).date() if pd.notna(current) else None)
        if st.button("Change the date", key="redate_button", disabled=new_date is None):
            try:
                moved = report_dates.redate_import(common.db_path(), int(chosen), new_date)
            except ValueError as error:
                st.session_state["redate_message"] = ("error", f"The date was not changed: {error}.")
            else:
                st.session_state["redate_message"] = (
                    "success", f"Import #{chosen} is now dated {display.date(new_date)} ({moved:,} rows).")
            common.data_changed()
            st.rerun()  # every table above shows the new date
        kind, message = st.session_state.pop("redate_message", (None, None))
        if kind == "success":
            st.success(common.md_escape(message), icon=":material/event:")
        elif kind == "error":
            st.error(common.md_escape(message))
