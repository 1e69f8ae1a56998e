"""Upload reports: load files, sync them from Amazon, see what is loaded, remove an import."""

import streamlit as st

from core.charts import coverage_timeline
from pages import _common as common, _frame, _sync as sync_view, _upload as upload_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Upload reports")
common.demo_banner(on_data_page=True)

st.markdown("Load Amazon report files as downloaded (tab-delimited .txt, .tsv, .csv, .gz, or an .xlsx "
            "cost sheet). The report is recognised by its column names, whatever the file is called; a "
            "newer file replaces the rows it overlaps, and a rejected file changes nothing.")
upload_view.show_pending_results()
common.read_only_notice()
files = st.file_uploader("Report files", accept_multiple_files=True, key="uploader", disabled=common.read_only(),
                         help=f"Up to {st.get_option('server.maxUploadSize'):,} MB per file (a larger one is "
                              "refused before it uploads); gzip a big orders file to send less.")
dates, undated = upload_view.ask_snapshot_dates(files or [])
DATE_ORDERS = {None: "Tell from the file", "dmy": "Day first: 05/06/2026 is 5 June (Europe)",
               "mdy": "Month first: 05/06/2026 is May 6 (US, Canada)"}
date_order = st.selectbox("Date order", options=list(DATE_ORDERS), format_func=DATE_ORDERS.get,
                          key="date_order", help="How dates such as 05/06/2026 read, for files that "
                          "cannot tell (every day 12 or less, no ISO date column, no marketplace).") if files else None
if st.button("Load files", key="load_button", type="primary",
             disabled=not files or bool(undated) or common.read_only(),
             help="Give every report without a date of its own its date first." if undated else None):
    upload_view.load_uploaded_files(files, snapshot_dates=dates, date_order=date_order)

sync_view.sync_section()

st.subheader("What is loaded")
loaded = common.summary()
if loaded.empty:
    st.info("Nothing is loaded yet: choose report files above and press **Load files**.")
    st.stop()
common.show_summary()
st.caption("Data coverage: each bar spans the first to the last day a report covers.")
st.plotly_chart(coverage_timeline(loaded), width="stretch")

st.subheader("Imports")
imports = common.imports()
common.show_imports(imports)

with st.expander("Remove an import"):
    st.caption("Its rows go, and the rows it had replaced come back.")
    choices = upload_view.import_choices(imports)
    st.selectbox("Import", options=list(choices), key="remove_select", format_func=choices.get)
    st.button("Remove import", key="remove_button", on_click=upload_view.remove_selected_import,
              disabled=common.read_only())
    kind, message = st.session_state.pop("removal_message", (None, None))
    if kind == "success":
        st.success(message, icon=":material/delete:")
    elif kind == "error":
        st.error(message)

upload_view.redate_section(imports)
