"""Every page through AppTest from app.py: on the demo account, on an empty database, and the
widgets that change data (explorer filter, removing an import, saving costs, the upload helper).

AppTest cannot drive ``st.file_uploader``; the upload helper in pages/_upload.py is called directly
here, and tests/test_e2e.py uploads through a real browser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages/ is not installed; AppTest puts app.py's folder on the path too
    sys.path.insert(0, str(ROOT))

from core import restock  # noqa: E402
from core.forecast import ForecastParams, forecast_table  # noqa: E402
from core.restock_params import RestockParams  # noqa: E402
from core.fees.table import fee_table_in_force, save_seller_version, seller_versions, version_in_force  # noqa: E402
from pages import _common as common, _upload as upload_view  # noqa: E402

PAGES = ["pages/home.py", "pages/health.py", "pages/slow_movers.py", "pages/data.py", "pages/costs.py",
         "pages/explorer.py", "pages/settings.py", "pages/restock.py", "pages/whatif.py",
         "pages/accuracy.py", "pages/fees.py", "pages/clearance.py", "pages/returns.py", "pages/alerts.py",
         "pages/reconcile.py"]
MANIFEST = ROOT / "sample_data" / "manifest.json"

RETURNS_HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
                  "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments")


def returns_file(*lines: tuple[str, str, str, str]) -> bytes:
    """A customer-returns report: (date, order id, sku, quantity) per line."""
    body = [f"{d}T07:03:57+00:00\t{o}\t{s}\tB0TEST{s[-1]}\tX00TEST{s[-1]}\tTest product {s}\t{q}\tPHX7\t"
            f"SELLABLE\tNOT_AS_DESCRIBED\tUnit returned to inventory\tLPN{o[-3:]}\t" for d, o, s, q in lines]
    return ("\n".join([RETURNS_HEADER, *body]) + "\n").encode("utf-8")


def upload(name: str, data: bytes) -> io.BytesIO:
    """What st.file_uploader hands the page: a binary file object (UploadedFile is a BytesIO) with a name."""
    stream = io.BytesIO(data)
    stream.name = name
    return stream


@pytest.fixture(autouse=True)
def pages_run_inside_app_py(monkeypatch):
    """Run every page inside app.py, as the server does. AppTest forgets at every run that the app uses
    st.navigation and, seeing a pages/ folder, would run a switched-to page's file alone, without
    app.py's sidebar filters and without the database held open around the page."""
    from streamlit.runtime.pages_manager import PagesManager

    plain_init = PagesManager.__init__

    def navigation_init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # what st.navigation sets, once, in the server

    monkeypatch.setattr(PagesManager, "__init__", navigation_init)


def app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# --- fixtures: an empty database, and a copy of one the app filled with the demo account --------------

@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("FBA_HEALTH_DB", str(path))
    monkeypatch.setenv("FBA_HEALTH_NO_DEMO", "1")
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The app's first start on an empty database loads the demo account (once per session: ~25 s)."""
    assert MANIFEST.is_file(), "sample_data/manifest.json is missing: run `make sample`"
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FBA_HEALTH_DB", str(path))
        patch.delenv("FBA_HEALTH_NO_DEMO", raising=False)
        at = app()
        assert "You are looking at the demo account" in texts(at.info)
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("FBA_HEALTH_DB", str(path))
    monkeypatch.setenv("FBA_HEALTH_NO_DEMO", "1")
    return path


# --- the demo account -------------------------------------------------------------------------------

def test_first_start_loads_the_whole_demo_account_marked_as_sample(demo_template):
    with duckdb.connect(str(demo_template), read_only=True) as con:
        files, sample_only = con.execute("SELECT count(*), bool_and(is_sample) FROM imports").fetchone()
    assert files == len(common.sample.manifest()["files"]) and sample_only


# Every page on the demo account (and in 17 other states of the data): tests/test_states.py.


def test_home_shows_the_demo_banner_kpis_trend_problems_and_next_steps(demo_db):
    at = app()
    manifest = common.sample.manifest()
    banner = texts(at.info)
    assert f"({manifest['skus']:,} SKUs, as of" in banner and "removed automatically" in banner
    assert [s.value for s in at.main.subheader] == ["Over time", "Top problems", "Next steps"]
    assert len(at.metric) == 6 and all(m.help for m in at.metric)


def test_what_is_loaded_moved_to_the_data_page(demo_db):
    at = app("pages/data.py")
    assert "All Orders (by order date)" in set(at.dataframe[0].value["report"])


def test_a_demo_start_is_not_repeated_on_a_database_that_has_data(demo_db):
    app()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        imports = con.execute("SELECT count(*) FROM imports").fetchone()[0]
    assert imports == len(common.sample.manifest()["files"])


def matching(at: AppTest) -> int:
    """The explorer's "N current rows match" count."""
    return int(texts(at.caption).split(" current rows match")[0].replace(",", ""))


def test_explorer_filter_narrows_the_rows(demo_db):
    at = app("pages/explorer.py")
    at.selectbox(key="explorer_report").select("GET_FBA_INVENTORY_PLANNING_DATA").run()
    everything, total = at.dataframe[0].value, matching(at)
    sku = everything["sku"].dropna().iloc[0]
    at.text_input(key="explorer_sku").input(sku.lower()).run()  # ILIKE: case does not matter
    narrowed = at.dataframe[0].value
    assert 0 < len(narrowed) == matching(at) < total
    assert set(narrowed["sku"]) == {sku}
    at.text_input(key="explorer_sku").input("%").run()  # a wildcard character is matched literally
    assert at.dataframe[0].value.empty and "0 current rows match" in texts(at.caption)


def test_explorer_filters_storage_fees_by_fnsku_or_asin(demo_db):
    at = app("pages/explorer.py")
    at.selectbox(key="explorer_report").select("GET_FBA_STORAGE_FEE_CHARGES_DATA").run()
    assert at.text_input(key="explorer_sku").label == "FNSKU or ASIN contains"
    fnsku = at.dataframe[0].value["fnsku"].iloc[0]
    at.text_input(key="explorer_sku").input(fnsku).run()
    assert not at.exception and set(at.dataframe[0].value["fnsku"]) == {fnsku}


# --- an empty database --------------------------------------------------------------------------------

@pytest.mark.parametrize(("page", "says"), [
    ("pages/home.py", "Nothing is loaded yet. Download these reports"),
    ("pages/data.py", "Nothing is loaded yet: choose report files above"),
    ("pages/costs.py", "No SKUs yet"),
    ("pages/explorer.py", "Nothing is loaded yet, so there are no rows to explore"),
    ("pages/health.py", "Nothing is loaded yet, so there is no health score"),
    ("pages/slow_movers.py", "Nothing is loaded yet, so there are no slow movers"),
    ("pages/settings.py", "Targets, weights and thresholds"),
    ("pages/restock.py", "Nothing is loaded yet, so there is nothing to restock"),
    ("pages/whatif.py", "Nothing is loaded yet, so there is no restock plan to try"),
    ("pages/accuracy.py", "Nothing is loaded yet, so there is no forecast to check"),
    ("pages/fees.py", "Nothing is loaded yet, so there are no fees to project"),
    ("pages/clearance.py", "Nothing is loaded yet, so there is nothing to clear"),
    ("pages/returns.py", "Nothing is loaded yet, so there are no returns to read"),
    ("pages/alerts.py", "Nothing is loaded yet, so there is nothing to watch"),
    ("pages/reconcile.py", "Nothing is loaded yet, so there is nothing to compare"),
])
def test_every_page_has_an_empty_state(empty_db, page, says):
    at = app(page)
    assert says in texts(at.info) + texts(at.markdown)
    # no table of data; the Settings page's fee table editors need none
    assert not [d for d in at.dataframe if d.editing_mode == "read_only"] and not at.error


def test_no_demo_switch_keeps_the_database_empty(empty_db):
    app()
    assert not common.ingest.has_data(empty_db)


def test_a_report_loaded_with_the_wrong_date_is_named_on_the_pages_and_redated_on_the_data_page(empty_db):
    sample_dir = common.sample.SAMPLE_DIR
    common.ingest.load_report(empty_db, sample_dir / "fba_inventory_planning_2026-11-15.txt")
    fees = common.ingest.load_report(empty_db, sample_dir / "fee_preview.txt", snapshot_date=dt.date(2026, 12, 6))
    at = app()
    assert "The FBA Fee Preview report is dated 6 Dec 2026, after the as-of date (15 Nov 2026)" in texts(at.warning)
    at.switch_page("pages/data.py").run()
    at.selectbox(key="redate_select").set_value(fees.import_id)
    at.date_input(key="redate_date").set_value(dt.date(2026, 11, 15))
    at.button(key="redate_button").click().run()
    assert not at.exception
    assert f"Import #{fees.import_id} is now dated 15 Nov 2026 (150 rows)" in texts(at.success).replace("\\", "")
    at.switch_page("pages/home.py").run()
    assert "Fee Preview" not in texts(at.warning)


# --- the upload helper, removal and the cost editor ----------------------------------------------------

def test_upload_helper_loads_rejects_and_keeps_earlier_data(empty_db):
    good = returns_file(("2026-09-14", "111-0000001-0000001", "SKU-A", "1"),
                        ("2026-09-15", "111-0000002-0000002", "SKU-B", "2"))
    bad = returns_file(("2026-09-16", "111-0000003-0000003", "SKU-C", "1"),
                       ("2026-09-17", "111-0000004-0000004", "SKU-D", "abc"))
    results = upload_view.load_uploaded_files([upload("../../etc/returns.txt", good), upload("bad.txt", bad)])
    assert [r.status for r in results] == ["loaded", "rejected"]
    assert results[0].file == "../../etc/returns.txt"  # a label only, never a path
    assert results[0].rows_loaded == 2
    assert results[0].report_type == "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
    assert "quantity" in results[1].errors[0] and "line 3" in results[1].errors[0]
    assert common.ingest.loaded_summary(empty_db)["rows"].tolist() == [2]
    again = upload_view.load_uploaded_files([upload("copy.txt", good)])
    assert again[0].status == "unchanged"


def test_the_upload_helper_passes_the_date_order_the_seller_chose(empty_db):
    """A ledger whose dates all read both ways (05/06/2026): refused, then loaded day first as chosen."""
    line = "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\n"
    data = (line + "05/06/2026\tX001\tSKU-A\tShipments\t-1\n01/02/2026\tX001\tSKU-A\tShipments\t-2\n").encode()
    refused = upload_view.load_uploaded_files([upload("ledger.txt", data)])
    assert refused[0].status == "rejected" and "no date in it tells the day" in refused[0].errors[0]
    loaded = upload_view.load_uploaded_files([upload("ledger.txt", data)], date_order="dmy")
    assert (loaded[0].status, loaded[0].date_min, loaded[0].date_max) == ("loaded", "2026-02-01", "2026-06-05")


def test_removing_an_import_restores_what_it_replaced(empty_db):
    first = returns_file(("2026-09-14", "111-0000001-0000001", "SKU-A", "1"),
                         ("2026-09-15", "111-0000002-0000002", "SKU-B", "2"))
    newer = returns_file(("2026-09-15", "111-0000002-0000002", "SKU-B", "3"),
                         ("2026-09-16", "111-0000003-0000003", "SKU-C", "1"))
    upload_view.load_uploaded_files([upload("first.txt", first), upload("newer.txt", newer)])
    at = app("pages/data.py")
    assert at.dataframe[1].value["import_id"].tolist() == [2, 1]
    at.selectbox(key="remove_select").select(2)
    at.button(key="remove_button").click().run()
    assert not at.exception
    assert "2 rows removed, 1 earlier rows restored" in texts(at.success)
    assert at.dataframe[1].value["import_id"].tolist() == [1]  # the table below is already fresh
    assert at.dataframe[0].value["rows"].tolist() == [2]


def test_cost_editor_lists_skus_without_cost_and_saves_through_load_report(empty_db):
    upload_view.load_uploaded_files([upload("returns.txt", returns_file(
        ("2026-09-14", "111-0000001-0000001", "SKU-A", "1")))])
    # Returns alone name no SKUs for the cost sheet; an orders-free database starts with the costs saved.
    edited = pd.DataFrame({"sku": ["SKU-A", "SKU-B", None], "unit_cost": [4.5, None, None],
                           "moq": [100.0, None, None], "cost_missing": [False, True, True]})
    result = upload_view.save_costs(edited)
    assert result.status == "loaded" and result.rows_loaded == 1  # SKU-B and the blank row had nothing
    costs = common.cost_table()
    assert costs.set_index("sku").loc["SKU-A", "unit_cost"] == 4.5
    assert int(costs.set_index("sku").loc["SKU-A", "moq"]) == 100
    rejected = upload_view.save_costs(pd.DataFrame({"sku": ["SKU-A"], "unit_cost": [4.5], "moq": [2.5]}))
    assert rejected.status == "rejected" and "moq" in rejected.errors[0]
    assert common.ingest.list_imports(empty_db)["file_name"].iloc[0] == "Product costs edited in the app"


def test_costs_page_shows_missing_costs_and_saves_unchanged_table(demo_db):
    at = app("pages/costs.py")
    assert "SKUs have no unit cost yet" in texts(at.caption)
    at.button(key="save_costs").click().run()
    assert not at.exception and not at.error
    assert "Loaded" in texts(at.success) + texts(at.info) or "unchanged" in texts(at.info)


# --- the health pages: KPIs, filters, as-of date, settings, grades, drill-down ---------------------------

def expected_summary(path: Path, as_of=None) -> dict:
    """The account figures straight from core, with the saved settings, for the same data."""
    health, grades = common.settings.load(path)
    table = common.skus.sku_table(path, health, grades, as_of)
    return common.skus.account_summary(table.frame, health)


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_kpi_tiles_agree_with_the_account_summary(demo_db):
    at = app()
    expected = expected_summary(demo_db)
    shown = tiles(at)
    assert shown["Inventory value at cost"] == f"${expected['inventory_value']:,.2f}"
    assert shown["Units on hand"] == f"{expected['units_on_hand']:,.0f} units"
    assert shown["Days of supply"] == f"{expected['days_of_supply']:,.0f} days"
    assert shown["Turnover"].startswith(f"{expected['turnover']:,.2f} turns/yr")
    assert shown["Health score"] == f"{expected['health_score']:.0f} / 100"
    assert shown["Value at risk of ageing"] == f"${expected['value_at_risk_of_ageing']:,.2f}"
    help_text = {m.label: m.help for m in at.metric}
    assert "Σ available ÷ Σ demand per day" in help_text["Days of supply"]
    if expected["alert"]:
        assert f"below the alert threshold of {common.HealthParams().alert_below:g}" in texts(at.warning)


def choose(at: AppTest, key: str, value) -> None:
    """Set a sidebar filter as a click would: under the widget's key and the copy that carries it
    across pages (AppTest cannot click a multiselect's options)."""
    at.session_state[key] = value
    at.session_state[f"_kept_{key}"] = value


def test_a_supplier_filter_narrows_every_health_table_and_persists_across_pages(demo_db):
    at = app("pages/health.py")
    everything = at.dataframe[0].value
    supplier = sorted(everything["supplier"].dropna().unique())[0]
    choose(at, "filter_supplier", [supplier])
    at.run()
    narrowed = at.dataframe[0].value
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed["supplier"]) == {supplier}
    assert f"Supplier: {supplier}" in texts(at.caption)
    at.switch_page("pages/slow_movers.py").run()
    assert f"Supplier: {supplier}" in texts(at.caption)
    at.switch_page("pages/home.py").run()
    assert tiles(at)["Units on hand"] == f"{narrowed_summary(demo_db, supplier)['units_on_hand']:,.0f} units"


def narrowed_summary(path: Path, supplier: str) -> dict:
    health, grades = common.settings.load(path)
    frame = common.skus.sku_table(path, health, grades).frame
    return common.skus.account_summary(frame[frame["supplier"] == supplier], health)


def test_an_older_as_of_date_changes_the_figures(demo_db):
    at = app()
    assert at.selectbox(key="filter_as_of").value == common.skus.snapshot_dates(demo_db)[0]  # newest first
    latest = tiles(at)
    dates = common.skus.snapshot_dates(demo_db)
    choose(at, "filter_as_of", dates[-1])
    at.run()
    assert not at.exception
    older = expected_summary(demo_db, dates[-1])
    assert tiles(at)["Units on hand"] == f"{older['units_on_hand']:,.0f} units" != latest["Units on hand"]
    assert f"As of {dates[-1]:%d %b %Y}" in texts(at.caption)


def drill_down(at: AppTest) -> str:
    return texts(at.markdown)


def test_health_drill_down_shows_a_skus_inputs(demo_db):
    at = app("pages/health.py")
    health, grades = common.settings.load(demo_db)
    frame = common.skus.sku_table(demo_db, health, grades).frame.set_index("sku")
    sku = at.selectbox(key="health_sku").options[-1].split(" · ")[0]
    at.selectbox(key="health_sku").select(sku).run()
    row, shown = frame.loc[sku], drill_down(at)
    assert f"| Units sold, last {health.period_days} days | {row['units_period']:,.0f} |" in shown
    assert f"| Average units on hand, last {health.period_days} days | {row['avg_units_on_hand']:,.1f} |" in shown
    assert f"| Ages from | {row['age_source']} |" in shown
    assert "Demand per day, stockout-corrected" in shown and "… capital at 15%/yr" in shown
    assert tiles(at)["Health"] == f"{row['health_score']:.0f} / 100"


def capital_line(at: AppTest) -> str:
    return next(line for line in drill_down(at).splitlines() if line.startswith("| … capital"))


def test_saving_a_capital_rate_persists_and_changes_the_holding_cost(demo_db):
    at = app("pages/health.py")
    before = capital_line(at)
    at.switch_page("pages/settings.py").run()
    at.number_input(key="set_capital_rate_annual").set_value(30.0)
    at.button(key="settings_save").click().run()
    assert not at.exception and not at.error and "Saved" in texts(at.success)
    assert common.settings.load(demo_db)[0].capital_rate_annual == pytest.approx(0.30)
    at.switch_page("pages/health.py").run()
    after = capital_line(at)
    assert "30%/yr" in after and after != before
    at.switch_page("pages/settings.py").run()
    at.button(key="settings_reset").click().run()
    assert common.settings.load(demo_db)[0] == common.HealthParams()
    assert at.number_input(key="set_capital_rate_annual").value == pytest.approx(15.0)


def test_saving_an_event_default_uplift_persists_and_reaches_the_forecast(demo_db):
    at = app("pages/settings.py")
    assert at.number_input(key="set_prime_day_uplift").value == pytest.approx(2.0)
    at.number_input(key="set_bfcm_uplift").set_value(2.5)
    at.button(key="settings_save").click().run()
    assert not at.exception and not at.error and "Saved" in texts(at.success)
    assert common.settings.load_forecast(demo_db).bfcm_uplift == pytest.approx(2.5)
    assert forecast_table(demo_db).params.bfcm_uplift == pytest.approx(2.5)  # the saved default
    at.button(key="settings_reset").click().run()
    assert common.settings.load_forecast(demo_db) == ForecastParams()
    assert at.number_input(key="set_bfcm_uplift").value == pytest.approx(1.8)


def test_weights_not_summing_to_one_show_an_error_and_save_nothing(demo_db):
    at = app("pages/settings.py")
    at.number_input(key="set_weight_turnover").set_value(50.0)
    at.button(key="settings_save").click().run()
    assert "must sum to 100% (1.0); they sum to 110%" in texts(at.error)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM settings").fetchone()[0] == 0


def test_a_validation_error_names_the_parameter(demo_db):
    at = app("pages/settings.py")
    at.number_input(key="set_turnover_zero").set_value(8.0)  # above the 6 turns that score 100
    at.button(key="settings_save").click().run()
    assert "turnover_full must exceed turnover_zero" in texts(at.error)
    assert common.settings.load(demo_db)[0] == common.HealthParams()


def _edit(at, block: str, edited_rows: dict) -> None:
    """Seed a fee editor's cell edits (AppTest applies data-editor edits through session state); a fresh
    session's editors are in round 0."""
    at.session_state[f"fees_{block}_0"] = {
        "edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}


def test_fee_table_editor_round_trips_through_the_database(demo_db):
    """Settings shows the fee table in force (2026-02-15, Amazon's published one), unconfirmed blocks
    marked; raising the standard Jan-Sep storage rate to 0.95 and saving stores a seller version the
    fee lookups then use (fee_table_in_force, and a fresh session's editor shows 0.95); a reset
    returns to the published 0.78."""
    today = dt.date.today()
    at = app("pages/settings.py")
    assert "Amazon's published table" in texts(at.caption)
    tabs = [t.label for t in at.tabs]
    assert "Low-inventory-level fee (unconfirmed)" in tabs and "Monthly storage" in tabs
    storage = next(e for e in at.data_editor if e.key and e.key.startswith("fees_storage_"))
    assert storage.value["off_peak"].tolist() == [0.78, 0.56]
    _edit(at, "storage", {0: {"off_peak": 0.95}})
    at.run()
    at.button(key="fees_save").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert "Fee table saved" in texts(at.success)
    assert fee_table_in_force(demo_db, "US", today).storage_standard_off_peak == 0.95
    assert fee_table_in_force(demo_db, "US", today).saved_at is not None
    fresh = app("pages/settings.py")
    assert "your edit saved" in texts(fresh.caption)
    storage = next(e for e in fresh.data_editor if e.key and e.key.startswith("fees_storage_"))
    assert storage.value["off_peak"].tolist() == [0.95, 0.56]
    fresh.button(key="fees_reset").click().run()
    assert "reset to Amazon's published table" in texts(fresh.success)
    assert fee_table_in_force(demo_db, "US", today).storage_standard_off_peak == 0.78


def test_fee_table_editor_refuses_a_bad_value_naming_the_block_and_row(demo_db):
    """A low-inventory band that ends before it starts (row 2: 14 to under 10 days) is refused with
    the block, the row and the columns named as the editor shows them, and nothing is saved."""
    at = app("pages/settings.py")
    _edit(at, "low_inventory", {1: {"days_to": 10.0}})
    at.run()
    at.button(key="fees_save").click().run()
    assert not at.exception
    assert ("Not saved: Low-inventory-level fee, row 2: “To under (days)” must be more than “From (days)”"
            in texts(at.error))
    assert seller_versions(demo_db) == []


def test_slow_movers_grade_filter(demo_db):
    at = app("pages/slow_movers.py")
    red = int(at.metric[0].value.split()[0].replace(",", ""))
    assert len(at.dataframe[0].value) == sum(int(m.value.split()[0].replace(",", "")) for m in at.metric)
    at.multiselect(key="slow_grade").set_value(["red"]).run()
    shown = at.dataframe[0].value
    assert len(shown) == red and set(shown["grade"]) == {common.GRADE_LABELS["red"]}
    assert red == expected_summary(demo_db)["grades"]["red"]


def test_health_pages_explain_a_database_without_stock_snapshots(empty_db):
    upload_view.load_uploaded_files([upload("returns.txt", returns_file(
        ("2026-09-14", "111-0000001-0000001", "SKU-A", "1")))])
    for page in ("pages/home.py", "pages/health.py", "pages/slow_movers.py"):
        at = app(page)
        assert "No stock snapshot is loaded yet" in texts(at.info) and not at.dataframe


# --- plan: restock and what-if --------------------------------------------------------------------------

def count(metric) -> int:
    return int(metric.value.split()[0].replace(",", ""))


def test_restock_status_filter_narrows_the_table(demo_db):
    at = app("pages/restock.py")
    now, soon, held, later = (count(m) for m in at.metric[:4])
    assert now + soon + later > 0 and held > 0  # the demo's red and orange SKUs are held
    assert len(at.dataframe[0].value) == now + soon  # default: order now and soon
    at.multiselect(key="restock_status").set_value(["order now", "soon", "held", "not yet"]).run()
    assert len(at.dataframe[0].value) == now + soon + held + later == 150
    at.multiselect(key="restock_status").set_value(["held"]).run()
    shown = at.dataframe[0].value
    assert len(shown) == held and set(shown["status"]) <= {"held"}
    assert {b.key for b in at.get("download_button")} >= {"po_xlsx", "po_csv", "supplier_forecast_csv"}


def test_restock_shows_the_corridor_and_saves_exemptions(demo_db):
    """Floor, ceiling, what holds an order back and its 12-month fees per line (issue 17); no storage
    limit is entered, so the capacity section says so; marking a SKU exempt saves it and replans."""
    from core import settings

    at = app("pages/restock.py")
    shown = at.dataframe[0].value
    assert {"floor_units", "ceiling_units", "blocked_by", "projected_fees_12m"} <= set(shown.columns)
    assert "No storage limit entered" in texts(at.caption)
    plan = restock.restock_from_db(demo_db)
    sku = plan.loc[~plan["low_inventory_exempt"] & (plan["demand_per_day"] > 0), "sku"].iloc[0]
    at.multiselect(key="restock_exempt").set_value([sku])
    next(b for b in at.button if b.label == "Save exemptions").click().run()
    assert not at.exception and settings.load_low_inventory_exempt(demo_db) == (sku,)
    assert restock.restock_from_db(demo_db).set_index("sku").loc[sku, "low_inventory_exempt"]


def whatif_tiles(at: AppTest) -> dict[str, str]:
    """The what-if's side-by-side totals: "<figure>, baseline|scenario" -> value text."""
    table = at.dataframe[0].value
    return {f"{row.figure}, {side}": getattr(row, side) for row in table.itertuples() for side in ("baseline", "scenario")}


def units(text: str) -> float:
    return float(text.split()[0].replace(",", "").replace("$", ""))


def test_whatif_starts_equal_to_the_baseline_and_a_higher_service_level_raises_the_safety_stock(demo_db):
    at = app("pages/whatif.py")
    tiles = whatif_tiles(at)
    assert units(tiles["Safety stock (units), baseline"]) > 0
    assert all(m.delta is None or m.delta == "" for m in at.metric)  # nothing changed yet
    for name in ("Cash needed now", "Stockout days", "Safety stock (units)", "Holding cost of SS"):
        assert tiles[f"{name}, scenario"] == tiles[f"{name}, baseline"]
    # The slider works at once (issue 14): moving it turns on one level for every SKU by itself.
    assert not at.slider(key="whatif_service").disabled and not at.toggle(key="whatif_one_level").value
    at.slider(key="whatif_service").set_value(99.9).run()
    assert not at.exception
    assert at.toggle(key="whatif_one_level").value
    tiles = whatif_tiles(at)
    assert units(tiles["Safety stock (units), scenario"]) > units(tiles["Safety stock (units), baseline"])
    assert units(tiles["Stockout days, scenario"]) < units(tiles["Stockout days, baseline"])
    scenario_tile = next(m for m in at.metric if m.label == "Safety stock (units)")
    assert scenario_tile.value == tiles["Safety stock (units), scenario"] and scenario_tile.delta.startswith("+")
    compare = at.dataframe[-1].value
    assert np.allclose(compare["service_level_scenario"], 99.9)  # shown in percent
    assert (compare["safety_stock_scenario"] >= compare["safety_stock_baseline"] - 1e-9).all()
    at.toggle(key="whatif_one_level").set_value(False).run()  # back to the levels by ABC class
    tiles = whatif_tiles(at)
    assert tiles["Safety stock (units), scenario"] == tiles["Safety stock (units), baseline"]
    assert at.slider(key="whatif_service").value == 99.9  # the slider keeps its place


def test_whatif_table_matches_core_for_a_longer_lead_time(demo_db):
    """The page's scenario figures are core's plan under the same parameters (nothing computed in the page)."""
    at = app("pages/whatif.py")
    at.slider(key="whatif_shift").set_value(30).run()
    compare = at.dataframe[-1].value.set_index("sku")
    params = dataclasses.replace(RestockParams(), lead_time_shift_days=30.0)
    result = forecast_table(demo_db)
    plan = restock.restock_from_db(demo_db, params, forecast_summary=result.summary,
                                   forecast=result).set_index("sku")
    assert (compare["lead_time_days_scenario"] - compare["lead_time_days_baseline"]).eq(30).all()
    # Units are shown whole.
    assert np.allclose(compare["safety_stock_scenario"], plan.loc[compare.index, "safety_stock"].round())
    assert np.allclose(compare["order_qty_scenario"], plan.loc[compare.index, "order_qty"].round())
    # A slider reruns the scenario fragment only; AppTest then holds that fragment's elements alone.
    assert not at.slider and at.session_state["whatif_sku"] in compare.index


def test_accuracy_page_pools_the_backtest_of_every_sku(demo_db):
    """The account WAPE is Σ|e| / Σ actual over all SKUs: per-SKU WAPE weighted by backtest units."""
    at = app("pages/accuracy.py")
    assert not at.exception
    summary = forecast_table(demo_db).summary
    done = summary.dropna(subset=["wape"])
    expected = (done["wape"] * done["backtest_units"]).sum() / done["backtest_units"].sum()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["WAPE, all SKUs"] == f"{expected:.1%}"
    assert tiles["SKUs backtested"] == f"{len(done):,} of {len(summary):,}"
    table = at.dataframe[-1].value
    assert len(table) == len(summary) and table["backtest_units"].dropna().is_monotonic_decreasing
    sku = done.sort_values("backtest_units").iloc[0]["sku"]
    at.selectbox(key="accuracy_sku").set_value(sku).run()
    assert "Backtest: WAPE" in texts(at.caption)




def money_value(text: str) -> float:
    """A money figure as shown ("$1,234.56", "-$12.00"), NaN where it reads "unknown" or "—"."""
    if text in ("unknown", "—"):
        return float("nan")
    return float(text.replace("$", "").replace(",", ""))


def money_column(series: pd.Series) -> pd.Series:
    """A shown money column as numbers: a column with a gap is shown as text (core/display.py)."""
    return series if pd.api.types.is_numeric_dtype(series) else series.map(money_value)


def test_fees_page_totals_are_the_projection_of_core(demo_db):
    """The 12-month tile is Σ total fees of core's own projection (independent call); the crossings
    table lists deadlines the day before a 15th with the sentence a seller acts on."""
    from core.fees import outlook

    at = app("pages/fees.py")
    assert not at.exception
    fees = outlook.fee_outlook(demo_db, restock_params=RestockParams())
    tiles = {m.label: m.value for m in at.metric}
    assert money_value(tiles["Fees, next 12 months"]) == pytest.approx(fees.projection["total_fees"].sum(), abs=0.5)
    crossings = at.dataframe[0].value
    assert len(crossings) == len(fees.crossings) > 0
    assert set(pd.to_datetime(crossings["deadline"]).dt.day) == {14}
    assert crossings["action"].str.match(r"Sell or remove [\d,]+ units? by \d+ \w+ \d{4} to avoid \$").all()


def test_fees_page_uses_the_sellers_fee_table_and_marks_unconfirmed_rates(demo_db):
    """A seller version with every storage rate doubled, in force at the demo's as-of date, doubles
    core's projected storage fees on today's stock (storage is rate × cubic feet × days), and the page's 12-month tile is
    that projection; the page names the table as the seller's edit and the 2026 low-inventory fee
    (per FNSKU, bulky items included) as not confirmed."""
    from core.fees import outlook

    # Today's stock alone: the restock plan is itself priced on the fee table (dearer storage orders
    # less), so only without arrivals are the cubic-foot-days the same under both tables.
    before = outlook.fee_outlook(demo_db, with_arrivals=False, restock_params=RestockParams())
    version = version_in_force(demo_db, "US", before.as_of)
    rates = {tier: {season: 2 * rate for season, rate in seasons.items()}
             for tier, seasons in version["storage"]["per_cuft"].items()}
    save_seller_version(demo_db, dict(version, storage={**version["storage"], "per_cuft": rates}))
    stock_alone = outlook.fee_outlook(demo_db, with_arrivals=False, restock_params=RestockParams())
    assert stock_alone.table.saved_at is not None
    assert stock_alone.projection["storage_fee"].sum() == pytest.approx(2 * before.projection["storage_fee"].sum())
    after = outlook.fee_outlook(demo_db, restock_params=RestockParams())
    at = app("pages/fees.py")
    tiles = {m.label: m.value for m in at.metric}
    assert money_value(tiles["Fees, next 12 months"]) == pytest.approx(after.projection["total_fees"].sum(), abs=0.5)
    shown = texts(at.caption)
    assert "your edit saved" in shown
    assert "measured per FNSKU, bulky items included" in shown and "rates not confirmed by an Amazon page" in shown


def test_clearance_prices_red_and_orange_and_picked_skus_and_saves_capacity(demo_db):
    at = app("pages/clearance.py")
    assert not at.exception
    shown = at.dataframe[0].value
    money = [c for c in shown.columns if c.startswith("cost_") or c in ("recommended_cost", "keep_cost")]
    table = shown.assign(**{c: money_column(shown[c]) for c in money})
    grades = common.skus.sku_table(demo_db).frame.set_index("sku")["grade"]
    assert set(grades[table["sku"]]) <= {"red", "orange"}
    costs = table[[c for c in table.columns if c.startswith("cost_")]]
    assert np.allclose(table["recommended_cost"], costs.min(axis=1, skipna=False), equal_nan=True)
    tiles = {m.label: m.value for m in at.metric}
    assert money_value(tiles["Saving"]) == pytest.approx((table["keep_cost"] - table["recommended_cost"]).sum(), abs=0.5)
    green = grades[~grades.isin(["red", "orange"])].index[0]
    at.multiselect(key="clear_picked").set_value([green]).run()
    assert green in set(at.dataframe[0].value["sku"])
    at.number_input(key="capacity_standard").set_value(100.0)
    at.button[0].click().run()
    assert common.settings.load_capacity(demo_db).standard == 100.0
    assert "over the limit" in texts(at.warning)


def test_returns_page_agrees_with_core_and_filters_spikes(demo_db):
    from core import returns

    at = app("pages/returns.py")
    assert not at.exception
    by_sku = returns.returns_by_sku(demo_db)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Return rate"] == f"{by_sku['units_returned'].sum() / by_sku['units_sold'].sum():.1%}"
    spikes = int(by_sku["spike"].sum())
    assert tiles["SKUs with a spike"] == f"{spikes} SKU{'' if spikes == 1 else 's'}"
    at.toggle(key="returns_spikes_only").set_value(True).run()
    shown = at.dataframe[0].value
    assert len(shown) == int(by_sku["spike"].sum()) and shown["spike"].all()


def alerts_page_table(at) -> pd.DataFrame:
    """The Alerts page's SKU table (one row per SKU)."""
    return next(d.value for d in at.dataframe if "reasons" in d.value.columns)


def test_alerts_page_lists_the_rules_that_fire_and_saves_a_rule_switched_off(demo_db):
    from core import alerts

    at = app("pages/alerts.py")
    assert not at.exception
    lines = alerts.by_sku(alerts.alerts_from_db(demo_db))
    counts = {m.label: m.value for m in at.metric}
    assert sum(int(counts[f"{s.capitalize()} priority"]) for s in alerts.SEVERITIES) == len(lines)
    assert int(counts["High priority"]) == int((lines["severity"] == "high").sum())
    at.toggle(key="alert_on_red_grade").set_value(False)
    at.number_input(key="alert_threshold_low_cover").set_value(30.0)
    next(b for b in at.button if b.label == "Save rules").click().run()
    saved = alerts.load_settings(demo_db)
    assert saved.off == ("red_grade",) and saved.threshold("low_cover") == 30.0
    lines = alerts.by_sku(alerts.alerts_from_db(demo_db, alert_settings=saved))
    counts = {m.label: m.value for m in at.metric}
    assert sum(int(counts[f"{s.capitalize()} priority"]) for s in alerts.SEVERITIES) == len(lines)
    assert "Threshold: 30 days (default 15 days)." in texts(at.caption)


def test_alerts_page_shows_one_line_per_sku_ranked_by_money_at_stake(demo_db):
    """183 rule records on the demo fold into one row per SKU, most money first; account alerts sit
    above the table; one reference-day line; the total at stake is the SKUs' dollars added up."""
    from core import alerts

    at = app("pages/alerts.py")
    records = alerts.alerts_from_db(demo_db)
    table = alerts_page_table(at)
    skus = records["sku"].dropna()
    assert len(table) == skus.nunique() < len(records) and table["sku"].is_unique
    expected = alerts.by_sku(records).dropna(subset=["sku"])
    assert table["sku"].tolist() == expected["sku"].tolist()
    assert expected["money_at_stake"].fillna(0.0).is_monotonic_decreasing
    # one demo SKU has no unit cost: the column is text then, never the grid's "None"
    assert expected["money_at_stake"].isna().sum() == 1
    assert table["money_at_stake"].tolist() == expected["money_at_stake"].map(alerts.money_text).tolist()
    assert "unknown (no unit cost)" in table["money_at_stake"].tolist()
    total = {m.label: m.value for m in at.metric}["Money at stake"]
    assert total == f"${expected['money_at_stake'].sum():,.2f}"
    assert table["reasons"].tolist() == expected["reasons"].map("; ".join).tolist()
    assert set(table["severity"]) <= {"High", "Medium", "Low"}
    assert "Stale data" in texts(at.warning) and "Health score low" in texts(at.warning)
    assert f"{alerts.reference_days(dt.date(2026, 11, 15), dt.date.today())}." in texts(at.caption)


def test_alerts_page_detail_view_lists_one_skus_alerts_with_thresholds(demo_db):
    """The detail view opens on the first SKU; choosing one with two rules lists both, each with its
    reason, its threshold in units and what its dollars count."""
    from core import alerts

    at = app("pages/alerts.py")
    records = alerts.alerts_from_db(demo_db)
    table = alerts_page_table(at)

    def detail(sku: str) -> list[str]:  # the detail lines, Markdown escapes removed
        lines = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("- **")]
        return [t for t in lines if any(r in t for r in records.loc[records["sku"] == sku, "reason"])]

    assert len(detail(table["sku"].iloc[0])) == int((records["sku"] == table["sku"].iloc[0]).sum())
    two = records.groupby("sku")["rule"].nunique()
    sku = two[two >= 2].index[0]
    at.selectbox(key="alerts_detail_sku").set_value(sku).run()
    shown = detail(sku)
    mine = records[records["sku"] == sku]
    assert len(shown) == len(mine) >= 2
    for row, text in zip(mine.itertuples(), shown):
        assert f"**{row.name}**" in text and f"(threshold: {row.threshold_text})" in text
        assert alerts.BY_KEY[row.rule].money_at_stake.split(":")[0] in text


def test_alerts_page_rule_list_shows_thresholds_with_their_units(demo_db):
    at = app("pages/alerts.py")
    captions = texts(at.caption)
    for shown in ("Threshold: 80 points.", "Threshold: 15 days.", "Threshold: within 30 days.",
                  "Threshold: 1.5× the baseline return rate.", "Threshold: 7 days.", "Threshold: 10% (and 5 units).",
                  "Threshold: the SKU's lead time.", "Threshold: the reorder point.", "Threshold: $25 at cost."):
        assert shown in captions, shown
    assert "Money at stake: the stock's value at cost" in captions


def test_alerts_page_without_a_snapshot_says_only_data_age_was_checked(empty_db):
    """Orders only: no stock snapshot, so the SKU rules cannot run; the page says so and where to load
    one, and the money tile is a dash, not $0.00."""
    from core import ingest

    assert ingest.load_report(empty_db, ROOT / "sample_data" / "all_orders.txt.gz").status == "loaded"
    at = app("pages/alerts.py")
    assert "Only the data-age rule was checked" in texts(at.info) and "FBA Inventory" in texts(at.info)
    assert {m.label: m.value for m in at.metric}["Money at stake"] == "—"
    assert not [d for d in at.dataframe if "reasons" in d.value.columns]


def test_alerts_page_without_a_cost_sheet_says_which_dollars_are_unknown(empty_db):
    """One FBA Inventory snapshot and nothing else: red stock has no value at cost, so those SKUs'
    money at stake reads "unknown (no unit cost)" and the page points to the cost sheet."""
    from core import alerts, ingest

    snapshot = ROOT / "sample_data" / "fba_inventory_planning_2026-11-15.txt"
    assert ingest.load_report(empty_db, snapshot).status == "loaded"
    at = app("pages/alerts.py")
    records = alerts.alerts_from_db(empty_db)
    missing = alerts.skus_missing_money(records)
    assert missing and f"{len(missing):,} SKUs have dollars that need a unit cost" in texts(at.caption)
    table = alerts_page_table(at)
    unknown = alerts.by_sku(records).dropna(subset=["sku"])
    assert (table["money_at_stake"] == "unknown (no unit cost)").sum() == int(unknown["money_at_stake"].isna().sum()) > 0
    assert not any(str(v) in ("None", "nan") for v in table.to_numpy().ravel())


def test_reconcile_page_shows_ages_checks_and_no_gap_on_the_consistent_demo(demo_db):
    at = app("pages/reconcile.py")
    assert not at.exception
    assert "Every report is within" in texts(at.success) or "older than their limit" in texts(at.warning)
    assert "No SKU disagrees beyond the threshold." in texts(at.success)


def test_sign_in_is_off_locally_and_required_where_auth_is_configured(demo_db):
    """No [auth] secrets: straight in. With [auth] (a shared deployment) and nobody signed in: only
    the sign-in button, no data."""
    assert not app().exception and not any(b.key == "sign_in" for b in app().button)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "secret",
                          "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert [b.key for b in at.button] == ["sign_in"]
    assert not at.metric and not at.dataframe


def test_an_upload_is_written_inside_the_data_folder_whatever_its_name(empty_db):
    """A file named like a path is only a label: the bytes go to a temp file under the data folder,
    removed after the load; nothing appears where the name points."""
    result = upload_view.load_bytes("../../escape.txt",
                                    returns_file(("2026-09-14", "114-0000001-1234567", "SKU-1", "1")))
    assert result.status == "loaded" and result.file == "../../escape.txt"
    uploads = empty_db.parent / "uploads"
    assert uploads.is_dir() and list(uploads.iterdir()) == []
    assert not (empty_db.parent.parent.parent / "escape.txt").exists()


def test_placement_option_saved_on_settings_prices_the_restock_plan(demo_db):
    """Settings' inbound placement option starts at Amazon-optimised splits (free); choosing minimal
    splits saves it in the database, and the Restock page then names it beside the plan. The demo's
    Fee Preview gives every SKU a weight, so no SKU is said to lack one."""
    from core import settings

    at = app("pages/settings.py")
    assert at.selectbox(key="placement_split").value == "amazon_optimised"
    at.selectbox(key="placement_split").set_value("minimal").run()
    assert not at.exception and "price the placement fee with this option" in texts(at.success)
    assert settings.load_placement_split(demo_db) == "minimal"
    restock_page = app("pages/restock.py")
    assert not restock_page.exception
    captions = texts(restock_page.caption)
    assert "Inbound placement fee priced with minimal splits" in captions
    assert "no shipping weight" not in captions


def _timing(at: AppTest) -> pd.DataFrame:
    return next(df for df in at.dataframe if "cost_difference" in df.value.columns).value


def test_whatif_compares_ordering_now_or_later_by_sea_or_air_in_dollars(demo_db):
    """The What-if page prices four options for the chosen SKU (now / in 4 weeks, as planned / by air) and
    names the cheapest. Air freight entered at $2 a unit adds 2 × the order quantity to both air rows
    (the same quantity: equal amounts) and to their totals, and nothing to the sea rows; the whole-plan
    toggle sums every SKU not held, so its fees are at least the one SKU's."""
    at = app("pages/whatif.py")
    assert not at.exception
    before = _timing(at)
    assert before["option"].tolist() == ["order now", "order now", "order in 4 weeks", "order in 4 weeks"]
    assert before["transit"].tolist() == ["as planned", "air", "as planned", "air"]
    assert before["cost_difference"].iloc[0] == 0 and (before["air_freight_cost"] == 0).all()
    assert "Cheapest: " in texts(at.markdown) and "over 12 months" in texts(at.markdown)
    at.number_input(key="whatif_air_freight").set_value(2.0).run()
    assert not at.exception
    after = _timing(at)
    freight = after["air_freight_cost"].tolist()
    assert freight[0] == 0 and freight[2] == 0 and freight[1] > 0 and freight[1] == pytest.approx(freight[3])
    assert freight[1] % 2 == pytest.approx(0)  # 2 × whole units
    assert (after["total_cost"] - before["total_cost"]).tolist() == pytest.approx(freight)
    at.toggle(key="whatif_timing_whole").set_value(True).run()
    assert not at.exception
    whole = _timing(at)
    assert whole["fees_12m"].iloc[0] >= after["fees_12m"].iloc[0]
    assert whole[["fees_12m", "holding_12m", "lost_margin", "total_cost"]].notna().all().all()
