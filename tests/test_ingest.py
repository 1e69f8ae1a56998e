"""Loading real-format report files into a real DuckDB file: encodings, delimiters, quoting,
idempotency, replacement by natural key, rejection with nothing lost, and removing an import."""

import datetime as dt
import gzip

import duckdb
import openpyxl
import pytest

from core import ingest
from tests.reportfiles import header, ledger_row, order_row, write_report


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "inventory.duckdb"


def rows(db_path, sql):
    con = duckdb.connect(str(db_path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def load(db_path, path, **kwargs):
    return ingest.load_report(db_path, path, **kwargs)


# --- formats -------------------------------------------------------------------------------------

def test_orders_file_with_bom_loads_typed_values(db_path, tmp_path):
    path = write_report(tmp_path / "orders.txt", header("orders_2026_34"), [
        order_row("113-0000001-0000001", "HK-1", qty=2, price="50.00", **{"order-item-id": "11111111111111"}),
        order_row("113-0000002-0000002", "HK-2", status="Pending", price="", currency="",
                  date="2026-05-09T10:00:00+00:00", **{"order-item-id": "22222222222222"}),
    ], bom=True)
    result = load(db_path, path)
    assert (result.status, result.rows_loaded, result.rows_replaced) == ("loaded", 2, 0)
    assert result.report_type == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert (result.date_min, result.date_max) == ("2026-05-08", "2026-05-09")
    assert rows(db_path, "SELECT amazon_order_id, sku, quantity, item_price, purchase_date, order_item_id "
                         "FROM orders ORDER BY 1") == [
        ("113-0000001-0000001", "HK-1", 2, 50.0, dt.datetime(2026, 5, 8, 23, 36, 26), "11111111111111"),
        ("113-0000002-0000002", "HK-2", 1, None, dt.datetime(2026, 5, 9, 10, 0), "22222222222222"),
    ]


@pytest.mark.parametrize("encoding, name", [("cp1252", "Crème Brûlée Torch"), ("utf-8", "Crème Brûlée Torch"),
                                            ("cp932", "ステンレス鍋 20cm")])
def test_encodings(db_path, tmp_path, encoding, name):
    path = write_report(tmp_path / "myi.txt", header("myi_2026_22"), [
        {"sku": "S-1", "product-name": name, "afn-warehouse-quantity": 7, "afn-fulfillable-quantity": 5,
         "afn-unsellable-quantity": 1, "afn-reserved-quantity": 1, "your-price": "26.00",
         "afn-listing-exists": "Yes", "mfn-listing-exists": "No"}], encoding=encoding)
    result = load(db_path, path, snapshot_date=dt.date(2026, 5, 14))
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT product_name, afn_fulfillable_quantity, afn_listing_exists, snapshot_date "
                         "FROM manage_inventory") == [(name, 5, True, dt.date(2026, 5, 14))]
    assert rows(db_path, "SELECT encoding FROM imports")[0][0] == encoding


@pytest.mark.parametrize("compress", [False, True])
def test_a_non_utf8_byte_past_the_checked_head_falls_back_to_cp1252(db_path, tmp_path, compress):
    """Only the first 64 KB are checked in Python; DuckDB's reader meets the cp1252 "è" on the last of
    2,000 ASCII lines (about 400 KB in), and the load is redone from a decoded copy."""
    ascii_rows = [order_row(f"113-{i:07d}-0000001", f"HK-{i}", **{"product-name": "Plain pan"}) for i in range(2000)]
    last = order_row("113-9999999-0000001", "HK-X", **{"product-name": "Crème Brûlée Torch"})
    path = write_report(tmp_path / ("orders.txt.gz" if compress else "orders.txt"), header("orders_2026_34"),
                        [*ascii_rows, last], encoding="cp1252", compress=compress)
    raw = gzip.decompress(path.read_bytes()) if compress else path.read_bytes()
    assert raw.index("è".encode("cp1252")) > 1 << 16
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 2001), result.errors
    assert rows(db_path, "SELECT product_name FROM orders WHERE sku = 'HK-X'") == [("Crème Brûlée Torch",)]
    assert rows(db_path, "SELECT encoding FROM imports") == [("cp1252",)]


def test_gzip_file(db_path, tmp_path):
    path = write_report(tmp_path / "ledger.txt.gz", header("ledger_detail_2026_16"), [
        ledger_row("05/13/2026", "HK-0001", "Shipments", -3, ref="113-1", **{"Date and Time": "2026-05-13T00:00:00-0700"}),
        ledger_row("05/13/2026", "HK-0001", "Receipts", 100, ref="FBA197BYW7TJ"),
    ], bom=True, compress=True)
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert rows(db_path, "SELECT date, quantity, date_and_time FROM ledger_detail ORDER BY quantity") == [
        (dt.date(2026, 5, 13), -3, dt.datetime(2026, 5, 13, 7, 0)), (dt.date(2026, 5, 13), 100, None)]


def test_truncated_gzip_is_rejected(db_path, tmp_path):
    good = write_report(tmp_path / "x.gz", header("orders_2026_34"),
                        [order_row(f"1-{i}", "A") for i in range(2000)], compress=True)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(good.read_bytes()[:-200])
    result = load(db_path, cut)
    assert result.status == "rejected"
    assert "gzip" in result.errors[0] and "cut short" in result.errors[0]


def test_ledger_ui_export_quoted_csv_and_camelcase(db_path, tmp_path):
    """The Seller Central ledger export: comma CSV with every field quoted; a CamelCase header too."""
    camel = header("ledger_detail_camel_14")
    row = {"Date": "07/06/2026", "FNSKU": "X004ABC", "MSKU": "HK-1", "Title": "Pan, 12\", non-stick",
           "EventType": "Shipments", "ReferenceID": "113-2", "Quantity": "-1", "FulfillmentCenter": "ACY1",
           "Disposition": "SELLABLE", "Country": "US"}
    path = write_report(tmp_path / "ledger.csv", camel, [row], delimiter=",", quote_all=True, bom=True)
    result = load(db_path, path)
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT product_name, quantity, fulfillment_center FROM ledger_detail") == [
        ('Pan, 12", non-stick', -1, "ACY1")]
    assert rows(db_path, "SELECT delimiter FROM imports") == [("comma",)]


def test_semicolon_csv_with_eu_money(db_path, tmp_path):
    path = write_report(tmp_path / "costs.csv", ["sku", "unit_cost", "currency", "supplier"],
                        [{"sku": "A", "unit_cost": "1.234,50 €", "currency": "EUR", "supplier": "Müller; GmbH"}],
                        delimiter=";", quote_all=True)
    result = load(db_path, path)
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT sku, unit_cost, supplier FROM product_costs") == [("A", 1234.5, "Müller; GmbH")]


def test_tab_file_keeps_bare_quotes_and_unwraps_quoted_values(db_path, tmp_path):
    """Amazon's tab files are not RFC 4180: `12" Skillet` has a bare quote; SP-API ledgers quote values."""
    path = write_report(tmp_path / "returns.txt", header("customer_returns_13"), [
        {"return-date": "2026-09-14T07:03:57+00:00", "order-id": "113-1", "sku": "A", "quantity": 1,
         "product-name": '12" Skillet', "detailed-disposition": "SELLABLE", "customer-comments": "too big | heavy"},
        {"return-date": "2026-09-15T07:03:57+00:00", "order-id": "113-2", "sku": "B", "quantity": '"1"',
         "product-name": '"Best" Widget', "detailed-disposition": '"DEFECTIVE"'},
    ])
    result = load(db_path, path)
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT product_name, quantity, detailed_disposition, customer_comments "
                         "FROM customer_returns ORDER BY return_date") == [
        ('12" Skillet', 1, "SELLABLE", "too big | heavy"), ('"Best" Widget', 1, "DEFECTIVE", None)]


def test_restock_365_plus_none_date_and_volume_unit(db_path, tmp_path):
    path = write_report(tmp_path / "restock.txt", header("restock_2026_30"), [
        {"Country": "US", "Merchant SKU": "A", "Available": 219, "Total Days of Supply (including units from open shipments)": "365+",
         "Days of Supply at Amazon Fulfillment Network": "274", "Recommended replenishment qty": 0,
         "Recommended ship date": "none", "Unit storage size": "0.0356 ft3", "Alert": ""},
        {"Country": "US", "Merchant SKU": "B", "Available": 0, "Total Days of Supply (including units from open shipments)": "0",
         "Recommended replenishment qty": 120, "Recommended ship date": "06/01/2026", "Alert": "out_of_stock"},
    ], encoding="cp1252")
    result = load(db_path, path, snapshot_date=dt.date(2026, 5, 14))
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT sku, total_days_of_supply, total_days_of_supply_plus, recommended_ship_date, "
                         "unit_storage_size, alert FROM restock ORDER BY sku") == [
        ("A", 365.0, True, None, 0.0356, None), ("B", 0.0, False, dt.date(2026, 6, 1), None, "out_of_stock")]


def test_unknown_columns_are_kept_raw(db_path, tmp_path):
    columns = header("customer_returns_13") + ["brand-new-column"]
    path = write_report(tmp_path / "r.txt", columns, [
        {"return-date": "2026-09-14T07:03:57+00:00", "order-id": "1", "sku": "A", "quantity": 1,
         "detailed-disposition": "SELLABLE", "brand-new-column": "kept"}])
    result = load(db_path, path)
    assert result.status == "loaded"
    assert "brand-new-column" in result.warnings[0]
    assert rows(db_path, "SELECT extra->>'brand-new-column' FROM customer_returns") == [("kept",)]


def test_every_planning_header_version_loads(db_path, tmp_path):
    for n, version in enumerate(("planning_2023_airbyte", "planning_2026_97", "planning_2026_99")):
        path = write_report(tmp_path / f"p{n}.txt", header(version), [
            {"snapshot-date": f"2026-0{n + 1}-14", "sku": "A", "available": 10 + n, "marketplace": "US",
             "inv-age-0-to-90-days": 10 + n, "your-price": "25.0", "days-of-supply": "274"}], bom=True)
        assert load(db_path, path).status == "loaded"
    assert rows(db_path, "SELECT snapshot_date, available FROM inventory_planning ORDER BY 1") == [
        (dt.date(2026, 1, 14), 10), (dt.date(2026, 2, 14), 11), (dt.date(2026, 3, 14), 12)]


def test_storage_fee_rows_without_month_are_skipped_with_a_note(db_path, tmp_path):
    base = {"asin": "B0", "fnsku": "X0", "fulfillment_center": "PHL7", "country_code": "US",
            "average_quantity_on_hand": "0.71", "estimated_monthly_storage_fee": "0.55", "storage_rate": "0.78"}
    path = write_report(tmp_path / "fees.txt", header("storage_fees_31"), [
        {**base, "month_of_charge": "2026-04"}, {**base, "month_of_charge": "--"}])
    result = load(db_path, path)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert any("skipped" in w for w in result.warnings)
    assert rows(db_path, "SELECT month_of_charge, average_quantity_on_hand FROM storage_fees") == [
        (dt.date(2026, 4, 1), 0.71)]
    summary = ingest.loaded_summary(db_path).iloc[0]  # the April charge covers all of April
    assert (summary["first_date"].date(), summary["last_date"].date()) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def test_xlsx_cost_sheet(db_path, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "product_costs"
    sheet.append(["sku", "unit_cost", "currency", "supplier", "production_lead_time_days",
                  "transit_lead_time_days", "moq", "case_pack"])
    sheet.append(["HK-1", 4.25, "USD", "Ningbo Homeware", 30, 35, 500, 24])
    sheet.append(["HK-2", None, "USD", "Ningbo Homeware", 30, 35, 500, 24])
    book.save(tmp_path / "costs.xlsx")
    result = load(db_path, tmp_path / "costs.xlsx")
    assert result.status == "loaded", result.errors
    assert rows(db_path, "SELECT sku, unit_cost, moq, case_pack FROM product_costs ORDER BY sku") == [
        ("HK-1", 4.25, 500, 24), ("HK-2", None, 500, 24)]


# --- nothing counted twice -----------------------------------------------------------------------

def test_loading_the_same_file_twice_changes_nothing(db_path, tmp_path):
    path = write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A"), order_row("2", "B")])
    first, second = load(db_path, path), load(db_path, path)
    assert (first.status, second.status) == ("loaded", "unchanged")
    assert (second.rows_loaded, second.rows_replaced) == (0, 0)
    assert rows(db_path, "SELECT count(*) FROM orders") == [(2,)]
    assert rows(db_path, "SELECT count(*) FROM imports") == [(1,)]


def test_newer_overlapping_file_replaces_by_natural_key(db_path, tmp_path):
    older = write_report(tmp_path / "a.txt", header("orders_2026_34"), [
        order_row("1", "A", status="Pending"), order_row("2", "A", status="Pending"), order_row("3", "A")])
    newer = write_report(tmp_path / "b.txt", header("orders_2026_34"), [
        order_row("2", "A", status="Shipped"), order_row("3", "A", status="Shipped"), order_row("4", "A")])
    load(db_path, older)
    result = load(db_path, newer)
    assert (result.rows_loaded, result.rows_replaced) == (3, 2)
    assert rows(db_path, "SELECT amazon_order_id, order_status FROM orders ORDER BY 1") == [
        ("1", "Pending"), ("2", "Shipped"), ("3", "Shipped"), ("4", "Shipped")]


def test_order_item_id_header_change_still_overlaps(db_path, tmp_path):
    """All Orders gained order-item-id on 2026-05-28: an older 33-column file overlaps a newer one."""
    load(db_path, write_report(tmp_path / "old.txt", header("orders_2026_33"), [order_row("1", "A", status="Pending")]))
    result = load(db_path, write_report(tmp_path / "new.txt", header("orders_2026_34"),
                                        [order_row("1", "A", **{"order-item-id": "123"})]))
    assert result.rows_replaced == 1
    assert rows(db_path, "SELECT order_status, order_item_id FROM orders") == [("Shipped", "123")]


def test_repeated_order_line_in_one_file_counts_once(db_path, tmp_path):
    path = write_report(tmp_path / "o.txt", header("orders_2026_33"),
                        [order_row("1", "A", qty=1), order_row("1", "A", qty=2)])
    result = load(db_path, path)
    assert result.rows_loaded == 1 and "last one was kept" in result.warnings[0]
    assert rows(db_path, "SELECT quantity FROM orders") == [(2,)]


def test_identical_ledger_events_are_distinct_and_replace_one_for_one(db_path, tmp_path):
    event = ledger_row("05/13/2026", "HK-0001", "Shipments", -1, ref="113-9")
    lost = ledger_row("05/13/2026", "HK-0001", "Adjustments", -2, reason="M", **{"Unreconciled Quantity": 2})
    load(db_path, write_report(tmp_path / "a.txt", header("ledger_detail_2026_16"), [event, event, lost]))
    settled = {**lost, "Reconciled Quantity": 2, "Unreconciled Quantity": 0}
    result = load(db_path, write_report(tmp_path / "b.txt", header("ledger_detail_2026_16"), [event, event, settled]))
    assert (result.rows_loaded, result.rows_replaced) == (3, 3)
    assert rows(db_path, "SELECT sum(quantity), sum(reconciled_quantity), sum(unreconciled_quantity) "
                         "FROM ledger_detail") == [(-4, 2, 0)]


# --- nothing lost --------------------------------------------------------------------------------

def test_rejected_file_names_column_line_value_and_leaves_data_untouched(db_path, tmp_path):
    load(db_path, write_report(tmp_path / "good.txt", header("orders_2026_34"), [order_row("1", "A", qty=3)]))
    before = rows(db_path, "SELECT * FROM orders_rows ORDER BY ALL"), rows(db_path, "SELECT count(*) FROM imports")
    bad = write_report(tmp_path / "bad.txt", header("orders_2026_34"), [
        order_row("1", "A", qty=5), order_row("2", "A", qty="abc"), order_row("3", "A", qty="1.5"),
        order_row("4", "A", date="yesterday")])
    result = load(db_path, bad)
    assert result.status == "rejected"
    quantity_error = next(e for e in result.errors if '"quantity"' in e)
    assert "2 value(s)" in quantity_error and 'line 3: "abc"' in quantity_error and 'line 4: "1.5"' in quantity_error
    assert "whole number" in quantity_error
    date_error = next(e for e in result.errors if '"purchase-date"' in e)
    assert 'line 5: "yesterday"' in date_error
    after = rows(db_path, "SELECT * FROM orders_rows ORDER BY ALL"), rows(db_path, "SELECT count(*) FROM imports")
    assert after == before


def test_missing_key_value_is_rejected(db_path, tmp_path):
    path = write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A"), order_row("2", "")])
    result = load(db_path, path)
    assert result.status == "rejected"
    assert '"sku" is empty in 1 row(s) (line 3' in result.errors[0]


def test_wrong_field_count_names_the_line(db_path, tmp_path):
    path = write_report(tmp_path / "o.txt", header("customer_returns_13"), [
        {"return-date": "2026-09-14T07:03:57+00:00", "order-id": "1", "sku": "A", "quantity": 1,
         "detailed-disposition": "SELLABLE"}])
    path.write_text(path.read_text() + "2026-09-14T07:03:57+00:00\t2\tB\n")
    result = load(db_path, path)
    assert result.status == "rejected"
    assert "line 3" in result.errors[0]


def test_unrecognised_header_names_closest_report(db_path, tmp_path):
    columns = [h for h in header("restock_2026_30") if h != "Recommended replenishment qty"]
    result = load(db_path, write_report(tmp_path / "x.txt", columns, [{"Merchant SKU": "A"}]))
    assert result.status == "rejected"
    assert "Restock Inventory recommendations" in result.errors[0]
    assert "Recommended replenishment qty" in result.errors[0]


def test_empty_file_is_rejected_and_header_only_loads_nothing(db_path, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert "empty" in load(db_path, tmp_path / "empty.txt").errors[0]
    result = load(db_path, write_report(tmp_path / "h.txt", header("customer_returns_13"), []))
    assert (result.status, result.rows_loaded) == ("loaded", 0)


def test_removing_an_import_restores_what_it_replaced(db_path, tmp_path):
    a = load(db_path, write_report(tmp_path / "a.txt", header("orders_2026_34"),
                                   [order_row("1", "A", status="Pending"), order_row("2", "A")]))
    b = load(db_path, write_report(tmp_path / "b.txt", header("orders_2026_34"),
                                   [order_row("1", "A", status="Shipped"), order_row("3", "A")]))
    c = load(db_path, write_report(tmp_path / "c.txt", header("orders_2026_34"),
                                   [order_row("3", "A", status="Cancelled")]))
    removal = ingest.remove_import(db_path, b.import_id)
    # b's "1" goes and a's Pending "1" comes back; b's "3" was replaced by c, which stays.
    assert (removal.rows_removed, removal.rows_restored) == (1, 1)
    assert rows(db_path, "SELECT amazon_order_id, order_status FROM orders ORDER BY 1") == [
        ("1", "Pending"), ("2", "Shipped"), ("3", "Cancelled")]
    ingest.remove_import(db_path, c.import_id)
    assert rows(db_path, "SELECT amazon_order_id FROM orders ORDER BY 1") == [("1",), ("2",)]
    assert a.import_id in {r[0] for r in rows(db_path, "SELECT import_id FROM imports")}


def test_database_persists_across_connections(db_path, tmp_path):
    load(db_path, write_report(tmp_path / "o.txt", header("orders_2026_34"), [order_row("1", "A")]))
    summary = ingest.loaded_summary(db_path)
    assert summary.loc[0, "report_type"] == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert int(summary.loc[0, "rows"]) == 1
    listing = ingest.list_imports(db_path)
    assert listing.loc[0, "file_name"] == "o.txt" and int(listing.loc[0, "current_rows"]) == 1
