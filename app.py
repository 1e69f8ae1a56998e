"""The frame: page config, the demo account on first start, the sidebar filters every health page
shares, and the navigation. Pages live in pages/.

Run with ``make run`` (or ``streamlit run app.py``). The database is ``FBA_HEALTH_DB``, else the
checkout's data/inventory.duckdb, else the per-user data folder (``core.db.resolve_db_path``, whatever
the current directory); ``FBA_HEALTH_NO_DEMO=1`` keeps an empty database empty. It listens on
127.0.0.1 (.streamlit/config.toml); any other address is served only with sign-in configured or
``FBA_HEALTH_ALLOW_OPEN_NETWORK`` set to its plain words (core/serving.py, README "Serving a team").
"""

import streamlit as st

from pages import _common as common, _frame

st.set_page_config(page_title="FBA Inventory Health", layout="wide", page_icon=":material/inventory_2:")

pages = {
    "Health": [
        st.Page("pages/home.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/health.py", title="Health score", icon=":material/monitor_heart:"),
        st.Page("pages/slow_movers.py", title="Slow movers", icon=":material/hourglass_bottom:"),
        st.Page("pages/returns.py", title="Returns", icon=":material/assignment_return:"),
        st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications:"),
    ],
    "Plan": [
        st.Page("pages/restock.py", title="Restock", icon=":material/local_shipping:"),
        st.Page("pages/whatif.py", title="What-if", icon=":material/science:"),
        st.Page("pages/accuracy.py", title="Forecast accuracy", icon=":material/query_stats:"),
    ],
    "Fees": [
        st.Page("pages/fees.py", title="Ageing & fees", icon=":material/savings:"),
        st.Page("pages/clearance.py", title="Clearance", icon=":material/sell:"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Upload reports", icon=":material/upload_file:"),
        st.Page("pages/costs.py", title="Product costs", icon=":material/payments:"),
        st.Page("pages/explorer.py", title="Report explorer", icon=":material/table_view:"),
        st.Page("pages/reconcile.py", title="Reconciliation", icon=":material/rule:"),
    ],
    "Settings": [st.Page("pages/settings.py", title="Settings", icon=":material/tune:")],
}
common.require_serving(pages)  # a network address only with sign-in, or the seller's plain-words opt-in
common.require_sign_in(pages)  # only where [auth] is configured in .streamlit/secrets.toml
# The page's 30 to 60 reads share one open of the file instead of reopening it each time; a database
# that cannot be opened (a long load elsewhere holds it) says why instead of a traceback. The page runs
# inside app_frame(): a page file run without it (a deep link in a fresh server) reruns through here.
with common.database_frame(), _frame.app_frame():
    common.ensure_demo()
    common.sidebar_filters()
    st.sidebar.caption(f"Database: {common.db_path()}")
    if common.sign_in_required():
        st.sidebar.button(f"Sign out {st.user.get('email', '')}", on_click=st.logout, key="sign_out")
    st.navigation(pages, expanded=True).run()  # every page listed: 16 pages would fold into "View more"
