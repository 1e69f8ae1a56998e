"""Report ages and stale-data warnings, worked by hand."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from core import freshness, ingest
from core.freshness import FreshnessParams, page_staleness, report_age_table, report_ages, stale_reports
from tests.reportfiles import header, write_report

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """FBA Inventory snapshot 2026-11-15; storage fees for October 2026 (covers to 2026-10-31)."""
    tmp = tmp_path_factory.mktemp("fresh")
    path = tmp / "fresh.duckdb"
    for name, columns, rows in [
        ("p.txt", header("planning_2026_97"),
         [{"snapshot-date": "2026-11-15", "sku": "A", "available": 5, "inv-age-0-to-90-days": 5}]),
        ("fees.txt", header("storage_fees_31"),
         [{"month_of_charge": "2026-10", "fnsku": "X001", "asin": "B01", "estimated_monthly_storage_fee": "1.00",
           "average_quantity_on_hand": "3", "fulfillment_center": "PHL7"}]),
    ]:
        result = ingest.load_report(path, write_report(tmp / name, columns, rows))
        assert result.status == "loaded", result.errors
    sheet = tmp / "costs.csv"
    sheet.write_text("sku,unit_cost\nA,2.50\n", encoding="utf-8")
    assert ingest.load_report(path, sheet).status == "loaded"
    return path


def test_ages_by_hand(account):
    """Snapshot 2026-11-15, today 2026-11-23: 8 days > 7 → stale. October's fees run to 10-31: 23 days,
    within their 45. Product costs carry no date and are never stale."""
    ages = report_ages(account, TODAY).set_index("report_type")
    planning = ages.loc["GET_FBA_INVENTORY_PLANNING_DATA"]
    assert (planning["data_last_date"], planning["age_days"], planning["stale"]) == (dt.date(2026, 11, 15), 8, True)
    assert planning["title"] == "FBA Inventory (inventory health / planning)"
    assert isinstance(planning["last_loaded_at"], pd.Timestamp)
    fees = ages.loc["GET_FBA_STORAGE_FEE_CHARGES_DATA"]
    assert (fees["data_last_date"], fees["age_days"], fees["stale_after_days"], fees["stale"]) == (
        dt.date(2026, 10, 31), 23, 45, False)
    costs = ages.loc["PRODUCT_COSTS"]
    assert pd.isna(costs["age_days"]) and pd.isna(costs["stale_after_days"]) and not costs["stale"]
    assert stale_reports(account, TODAY)["report_type"].tolist() == ["GET_FBA_INVENTORY_PLANNING_DATA"]
    assert not report_ages(account, dt.date(2026, 11, 22)).set_index("report_type").loc[
        "GET_FBA_INVENTORY_PLANNING_DATA", "stale"]  # exactly 7 days: not yet


def test_a_per_report_override(account):
    params = dataclasses.replace(FreshnessParams(), overrides=FreshnessParams().overrides + (
        ("GET_FBA_INVENTORY_PLANNING_DATA", 10), ("GET_FBA_STORAGE_FEE_CHARGES_DATA", 20)))
    ages = report_ages(account, TODAY, params).set_index("report_type")
    assert not ages.loc["GET_FBA_INVENTORY_PLANNING_DATA", "stale"]  # 8 ≤ 10
    assert ages.loc["GET_FBA_STORAGE_FEE_CHARGES_DATA", "stale"]  # 23 > 20


def test_page_warning_text(account):
    result = page_staleness(account, dt.date(2026, 11, 27), ["inventory_planning", "storage_fees", "product_costs"])
    assert result.report_type == "GET_FBA_INVENTORY_PLANNING_DATA" and result.age_days == 12
    assert result.warning == "The FBA Inventory report is 12 days old (last snapshot 15 Nov 2026)."
    fresh = page_staleness(account, dt.date(2026, 11, 20), ["inventory_planning", "storage_fees"])
    assert fresh.report_type == "GET_FBA_STORAGE_FEE_CHARGES_DATA" and fresh.warning is None  # oldest, within 45
    fees = page_staleness(account, dt.date(2026, 12, 31), ["storage_fees"])
    assert fees.warning == "The Monthly Storage Fees report is 61 days old (newest data 31 Oct 2026)."
    assert page_staleness(account, TODAY, ["orders", "product_costs"]) is None  # nothing dated loaded


def test_empty_database(tmp_path):
    ages = report_ages(tmp_path / "empty.duckdb", TODAY)
    assert ages.empty and list(ages.columns) == freshness.AGE_COLUMNS
    assert stale_reports(tmp_path / "empty.duckdb", TODAY).empty
    assert page_staleness(tmp_path / "empty.duckdb", TODAY, ["inventory_planning"]) is None


def test_pure_table_and_validation():
    summary = pd.DataFrame({"report_type": ["GET_LEDGER_DETAIL_VIEW_DATA"], "last_date": [dt.date(2026, 11, 1)],
                            "last_import": [pd.Timestamp("2026-11-02 08:00")]})
    row = report_age_table(summary, TODAY).iloc[0]
    assert (row["age_days"], row["stale"]) == (22, True)
    with pytest.raises(ValueError, match="stale_after_days"):
        FreshnessParams(stale_after_days=-1)
    with pytest.raises(ValueError, match="overrides"):
        FreshnessParams(overrides=(("NOT_A_REPORT", 3),))
    with pytest.raises(ValueError, match="tables_used"):
        freshness.page_freshness(report_age_table(summary, TODAY), ["no_such_table"])
