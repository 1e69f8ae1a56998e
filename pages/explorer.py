"""Report explorer: the current rows of any loaded report, filtered by SKU, as a table or a CSV."""

import streamlit as st

from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Report explorer")
loaded = common.guard_data("Nothing is loaded yet, so there are no rows to explore.")

titles = dict(zip(loaded["report_type"], loaded["report"]))
report_type = st.selectbox("Report", options=list(titles), format_func=titles.get, key="explorer_report")
searched = common.filter_columns(report_type)
needle = st.text_input(f"{' or '.join(common.label(c) for c in searched)} contains", key="explorer_sku",
                       placeholder="part of an identifier, e.g. ABC-12")

found = common.report_rows(report_type, needle)
shown = len(found.rows)
st.caption(f"{found.total:,} current rows match" + (f"; the newest {shown:,} are shown."
                                                    if shown < found.total else "."))
common.show_table(found.rows, width="stretch", max_height=560)
st.download_button("Download CSV", lambda: common.csv_bytes(found.rows), key="explorer_download",
                   file_name=f"{report_type.lower()}.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore",
                   disabled=found.rows.empty, help="The rows shown above, with formulas defused for Excel.")
