"""The explorer's rows: filter by identifier, newest first, count of all matches."""

from core import browse, ingest
from tests.reportfiles import header, order_row, write_report


def test_filter_limit_and_order(tmp_path):
    db = tmp_path / "b.duckdb"
    ingest.load_report(db, write_report(tmp_path / "o.txt", header("orders_2026_34"), [
        order_row("1", "HK-1", date="2026-05-01T00:00:00+00:00"),
        order_row("2", "HK-2", date="2026-05-03T00:00:00+00:00"),
        order_row("3", "PT_9", date="2026-05-02T00:00:00+00:00")]))
    found = browse.report_rows(db, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "hk", limit=1)
    assert found.total == 2 and found.rows["amazon_order_id"].tolist() == ["2"]
    assert found.rows.columns[0] == "sku" and found.rows.columns[-1] == "import_id"
    # "_" matches itself, not any character
    assert browse.report_rows(db, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "T_9").total == 1
    assert browse.report_rows(db, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "K_1").total == 0


def test_reports_without_sku_filter_on_fnsku_and_asin():
    assert browse.filter_columns("GET_FBA_STORAGE_FEE_CHARGES_DATA") == ("fnsku", "asin")
    assert browse.filter_columns("GET_LEDGER_DETAIL_VIEW_DATA") == ("sku",)
