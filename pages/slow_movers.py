"""Slow movers: SKUs graded red / orange / yellow with the signals that fired and what to do."""

import streamlit as st

from core import skus
from pages import _common as common, _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Slow movers")
table, frame = common.guard_skus("Nothing is loaded yet, so there are no slow movers to grade.")
summary = skus.account_summary(frame, table.params)
common.scope_caption(table, frame)
common.missing_notes("slow_movers")

for column, (grade, meaning) in zip(st.columns(3), common.GRADE_MEANINGS.items()):
    column.metric(f":{grade}[●] {common.GRADE_LABELS[grade]}", common.plural(summary['grades'][grade], "SKU"), help=meaning, border=True)

chosen = st.multiselect("Grades", list(common.GRADE_MEANINGS), default=list(common.GRADE_MEANINGS),
                        key="slow_grade", format_func=common.GRADE_LABELS.get)
graded = common.slow_movers(frame, chosen)
gp = table.grade_params
st.caption(f"{common.plural(len(graded), 'SKU')} shown, most urgent first. Signals: days of supply over "
           f"{gp.dos_watch_days:g} (or {gp.dos_urgent_days:g}: red), sales falling, over {gp.aged_share:.0%} "
           f"of units older than {gp.aged_days} days, no sale in {gp.no_sale_days} days (red). "
           f"Thresholds are on the Settings page.")
if graded.empty:
    st.success("No SKU of the chosen grades.", icon=":material/check_circle:")
    st.stop()
# What to do first (visible at 1440 px), the figures behind it after.
shown = ["grade", "sku", "product_name", "action", "days_of_supply", "units_30d", "aged_over_share", "value",
         "signals", "aged_over_share_basis"]
common.show_sku_table(graded, shown, labels={"aged_over_share": f"Older than {gp.aged_days} d"},
                      max_height=560)

export = common.slow_mover_export(graded, gp)
left, right, _ = st.columns([1, 1, 4])
left.download_button("Download CSV", lambda: common.csv_bytes(export), key="slow_csv",
                     file_name="slow_movers.csv",
                     mime="text/csv", icon=":material/download:", on_click="ignore",
                     help="The list above, formulas defused.")
right.download_button("Download Excel", lambda: common.xlsx_bytes(export), key="slow_xlsx",
                      file_name="slow_movers.xlsx", icon=":material/download:", on_click="ignore",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
