"""Report detection from real header versions (tests/fixtures/headers), never by name or position."""

import random

import pytest

from core.schemas import BY_TYPE, SCHEMAS, detect, normalise_header
from tests.reportfiles import header

CASES = [
    ("planning_2026_97", "GET_FBA_INVENTORY_PLANNING_DATA"),
    ("planning_2026_99", "GET_FBA_INVENTORY_PLANNING_DATA"),
    ("planning_2023_airbyte", "GET_FBA_INVENTORY_PLANNING_DATA"),
    ("myi_2026_22", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"),
    ("myi_21", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"),
    ("myi_mws_18", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"),
    ("restock_2026_30", "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT"),
    ("orders_2026_33", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"),
    ("orders_2026_34", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"),
    ("shipments_48", "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"),
    ("ledger_detail_2026_16", "GET_LEDGER_DETAIL_VIEW_DATA"),
    ("ledger_detail_camel_14", "GET_LEDGER_DETAIL_VIEW_DATA"),
    ("ledger_summary_2026_22", "GET_LEDGER_SUMMARY_VIEW_DATA"),
    ("ledger_summary_camel_21", "GET_LEDGER_SUMMARY_VIEW_DATA"),
    ("storage_fees_27", "GET_FBA_STORAGE_FEE_CHARGES_DATA"),
    ("storage_fees_31", "GET_FBA_STORAGE_FEE_CHARGES_DATA"),
    ("customer_returns_13", "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"),
    ("fee_preview_us_31", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"),
    ("fee_preview_eu_29", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"),
]


@pytest.mark.parametrize("fixture, report_type", CASES)
def test_every_real_header_version_is_recognised(fixture, report_type):
    assert detect(header(fixture)).schema.report_type == report_type


@pytest.mark.parametrize("fixture, report_type", CASES)
def test_every_column_of_a_real_header_is_known(fixture, report_type):
    """No real column falls into `extra`: each maps to a canonical column (so none is left unparsed)."""
    schema = BY_TYPE[report_type]
    unknown = [h for h in header(fixture) if schema.canonical_for(h) is None]
    assert unknown == []


@pytest.mark.parametrize("fixture, report_type", CASES)
def test_detection_ignores_column_order(fixture, report_type):
    names = header(fixture)
    random.Random(7).shuffle(names)
    assert detect(names).schema.report_type == report_type


def test_ledger_spellings_all_fold_to_one_name():
    """Title Case with spaces (real 2026 files), CamelCase (SP-API docs) and snake_case."""
    spaced, camel, snake = "Starting Warehouse Balance", "StartingWarehouseBalance", "starting_warehouse_balance"
    assert normalise_header(spaced) == normalise_header(camel) == normalise_header(snake)
    snake_header = [h.lower().replace(" ", "_") for h in header("ledger_detail_2026_16")]
    assert detect(snake_header).schema.report_type == "GET_LEDGER_DETAIL_VIEW_DATA"


def test_bom_and_case_and_dashes_are_folded():
    assert normalise_header("\ufeffSnapshot-Date ") == normalise_header("snapshot_date") == "snapshotdate"
    assert normalise_header("Sessions \u2013 Total") == normalise_header("Sessions - Total")


def test_myi_all_inventory_shares_the_unsuppressed_header():
    assert BY_TYPE["GET_FBA_MYI_ALL_INVENTORY_DATA"] is BY_TYPE["GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"]


def test_unknown_header_names_the_closest_report_and_what_it_lacks():
    names = [h for h in header("orders_2026_34") if h not in ("order-status", "quantity")]
    result = detect(names)
    assert result.schema is None
    assert result.closest.report_type == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    assert set(result.missing) == {"order-status", "quantity"}


def test_a_header_sharing_nothing_has_no_closest_report():
    result = detect(["foo", "bar", "baz"])
    assert result.schema is None and result.closest is None


def test_product_cost_sheet_is_recognised():
    assert detect(["SKU", "Unit Cost", "Supplier", "MOQ"]).schema.report_type == "PRODUCT_COSTS"


def test_report_tables_are_distinct():
    assert len({s.table for s in SCHEMAS}) == len(SCHEMAS)


def test_other_channel_stock_sheet_is_recognised():
    """Our own CSV: sku, quantity, channel and an optional snapshot date, in any order and case."""
    assert detect(["sku", "quantity", "channel"]).schema.report_type == "OTHER_CHANNEL_STOCK"
    assert detect(["Channel", "SKU", "Quantity", "Snapshot Date"]).schema.report_type == "OTHER_CHANNEL_STOCK"
    assert detect(["sku", "quantity"]).schema is None
