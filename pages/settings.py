"""Settings: the health score's targets and weights, the slow-mover thresholds, the events'
default uplifts and the fee table, saved in the database for every page and the ``fba-health`` command;
and the Amazon account for Sync from Amazon (its marketplace in the database, its credentials in a 0600 file)."""

import streamlit as st

from pages import _common as common, _frame, _settings_form as settings_view, _sync as sync_view

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

st.title("Settings")
st.markdown("Targets, weights and thresholds behind the health score and the slow-mover grades. They are "
            "saved in the database, so every page, every browser and `fba-health skus` use the same ones. "
            "The formulas are listed in docs/metrics.md.")

kind, message = st.session_state.pop("settings_message", (None, None))
if kind == "error":
    st.error(message, icon=":material/error:")
elif kind == "success":
    st.success(message, icon=":material/check_circle:")

health, grades = common.health_settings()
saved = {common.HealthParams: health, common.GradeParams: grades,
         settings_view.ForecastParams: common.forecast_settings()}
with st.form("settings_form"):
    for group in settings_view.SETTING_GROUPS:
        st.subheader(group)
        if group == "Weights":
            st.caption("The share of each dimension in the health score; they must sum to 100%.")
        if group == "Events":
            st.caption("The forecast learns each event's uplift from the SKU's own past events, else its product "
                       "group's or brand's, else the account's; these defaults apply where there is none.")
        fields = [f for f in settings_view.SETTING_FIELDS if f.group == group]
        columns = st.columns(4)
        for n, field in enumerate(fields):
            with columns[n % 4]:
                settings_view.setting_input(field, saved[field.owner])
    st.form_submit_button("Save", key="settings_save", type="primary", on_click=settings_view.save_settings)
st.button("Reset to defaults", key="settings_reset", on_click=settings_view.reset_settings,
          help="Forget the saved settings and use the documented defaults.")

st.subheader("Inbound placement")
st.caption("The split option you choose when you create shipments. The restock plan, its 12-month fees and the "
           "purchase orders price Amazon's inbound placement fee with it.")
settings_view.placement_split_input()

st.subheader("Fee table")
settings_view.fee_table_editor()

sync_view.account_section()
