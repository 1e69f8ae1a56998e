"""Every page through AppTest from app.py: on the demo account, on an empty database, and the
widgets that change data (explorer filter, removing an import, saving costs, the upload helper).

AppTest cannot drive ``st.file_uploader``; the upload helper in pages/_common.py is called directly
here, and tests/test_e2e.py uploads through a real browser.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages/ is not installed; AppTest puts app.py's folder on the path too
    sys.path.insert(0, str(ROOT))

from pages import _common as common  # noqa: E402

PAGES = ["pages/home.py", "pages/data.py", "pages/costs.py", "pages/explorer.py"]
MANIFEST = ROOT / "sample_data" / "manifest.json"

RETURNS_HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
                  "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments")


def returns_file(*lines: tuple[str, str, str, str]) -> bytes:
    """A customer-returns report: (date, order id, sku, quantity) per line."""
    body = [f"{d}T07:03:57+00:00\t{o}\t{s}\tB0TEST{s[-1]}\tX00TEST{s[-1]}\tTest product {s}\t{q}\tPHX7\t"
            f"SELLABLE\tNOT_AS_DESCRIBED\tUnit returned to inventory\tLPN{o[-3:]}\t" for d, o, s, q in lines]
    return ("\n".join([RETURNS_HEADER, *body]) + "\n").encode("utf-8")


def upload(name: str, data: bytes) -> SimpleNamespace:
    """What st.file_uploader hands the page: a name and the bytes."""
    return SimpleNamespace(name=name, getvalue=lambda: data)


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


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_account(demo_db, page):
    at = app(page)
    assert at.title, "every page has a heading"
    assert not at.error


def test_home_shows_the_demo_banner_summary_and_next_steps(demo_db):
    at = app()
    manifest = common.sample.manifest()
    banner = texts(at.info)
    assert f"({manifest['skus']:,} SKUs, as of" in banner and "removed automatically" in banner
    summary = at.dataframe[0].value
    assert "All Orders (by order date)" in set(summary["report"])
    assert [s.value for s in at.subheader] == ["What is loaded", "Data coverage", "Next steps"]


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
])
def test_every_page_has_an_empty_state(empty_db, page, says):
    at = app(page)
    assert says in texts(at.info) + texts(at.markdown)
    assert not at.dataframe and not at.error


def test_no_demo_switch_keeps_the_database_empty(empty_db):
    app()
    assert not common.ingest.has_data(empty_db)


def test_snapshot_date_says_what_it_dates(empty_db):
    at = app("pages/data.py")
    assert "Manage Inventory, Restock and Fee Preview" in at.date_input(key="snapshot_date").help


# --- the upload helper, removal and the cost editor ----------------------------------------------------

def test_upload_helper_loads_rejects_and_keeps_earlier_data(empty_db):
    good = returns_file(("2026-09-14", "111-0000001-0000001", "SKU-A", "1"),
                        ("2026-09-15", "111-0000002-0000002", "SKU-B", "2"))
    bad = returns_file(("2026-09-16", "111-0000003-0000003", "SKU-C", "1"),
                       ("2026-09-17", "111-0000004-0000004", "SKU-D", "abc"))
    results = common.load_uploaded_files([upload("../../etc/returns.txt", good), upload("bad.txt", bad)])
    assert [r.status for r in results] == ["loaded", "rejected"]
    assert results[0].file == "../../etc/returns.txt"  # a label only, never a path
    assert results[0].rows_loaded == 2
    assert results[0].report_type == "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
    assert "quantity" in results[1].errors[0] and "line 3" in results[1].errors[0]
    assert common.ingest.loaded_summary(empty_db)["rows"].tolist() == [2]
    again = common.load_uploaded_files([upload("copy.txt", good)])
    assert again[0].status == "unchanged"


def test_removing_an_import_restores_what_it_replaced(empty_db):
    first = returns_file(("2026-09-14", "111-0000001-0000001", "SKU-A", "1"),
                         ("2026-09-15", "111-0000002-0000002", "SKU-B", "2"))
    newer = returns_file(("2026-09-15", "111-0000002-0000002", "SKU-B", "3"),
                         ("2026-09-16", "111-0000003-0000003", "SKU-C", "1"))
    common.load_uploaded_files([upload("first.txt", first), upload("newer.txt", newer)])
    at = app("pages/data.py")
    assert at.dataframe[1].value["import_id"].tolist() == [2, 1]
    at.selectbox(key="remove_select").select(2)
    at.button(key="remove_button").click().run()
    assert not at.exception
    assert "2 rows removed, 1 earlier rows restored" in texts(at.success)
    assert at.dataframe[1].value["import_id"].tolist() == [1]  # the table below is already fresh
    assert at.dataframe[0].value["rows"].tolist() == [2]


def test_cost_editor_lists_skus_without_cost_and_saves_through_load_report(empty_db):
    common.load_uploaded_files([upload("returns.txt", returns_file(
        ("2026-09-14", "111-0000001-0000001", "SKU-A", "1")))])
    # Returns alone name no SKUs for the cost sheet; an orders-free database starts with the costs saved.
    edited = pd.DataFrame({"sku": ["SKU-A", "SKU-B", None], "unit_cost": [4.5, None, None],
                           "moq": [100.0, None, None], "cost_missing": [False, True, True]})
    result = common.save_costs(edited)
    assert result.status == "loaded" and result.rows_loaded == 1  # SKU-B and the blank row had nothing
    costs = common.cost_table()
    assert costs.set_index("sku").loc["SKU-A", "unit_cost"] == 4.5
    assert int(costs.set_index("sku").loc["SKU-A", "moq"]) == 100
    rejected = common.save_costs(pd.DataFrame({"sku": ["SKU-A"], "unit_cost": [4.5], "moq": [2.5]}))
    assert rejected.status == "rejected" and "moq" in rejected.errors[0]
    assert common.ingest.list_imports(empty_db)["file_name"].iloc[0] == "Product costs edited in the app"


def test_costs_page_shows_missing_costs_and_saves_unchanged_table(demo_db):
    at = app("pages/costs.py")
    assert "SKUs have no unit cost yet" in texts(at.caption)
    at.button(key="save_costs").click().run()
    assert not at.exception and not at.error
    assert "Loaded" in texts(at.success) + texts(at.info) or "unchanged" in texts(at.info)
