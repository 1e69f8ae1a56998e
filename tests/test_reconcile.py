"""Reconciliation between reports, and other-channel stock, on small constructed accounts.

Hand-worked rule (issue 6): a gap is flagged when |a − b| > 5 units AND |a − b| > 10 % of max(a, b).
"""

import dataclasses
import datetime as dt

import duckdb
import numpy as np
import pytest

from core import db, ingest, reconcile
from core.reconcile import CHECKS, ReconcileParams, channel_view, gap, reconciliation, reconciliation_summary
from tests.reportfiles import header, ledger_row, write_report

SNAP = dt.date(2026, 11, 15)


def planning(tmp_path, name, date, rows):
    """rows: sku -> (available, reserved, inbound)."""
    return write_report(tmp_path / name, header("planning_2026_97"), [
        {"snapshot-date": date, "sku": sku, "marketplace": "US", "available": a, "Total Reserved Quantity": r,
         "inbound-quantity": i, "inv-age-0-to-90-days": a, "unfulfillable-quantity": 0}
        for sku, (a, r, i) in rows.items()])


def myi(tmp_path, rows):
    """rows: sku -> afn fulfillable."""
    return write_report(tmp_path / "myi.txt", header("myi_2026_22"), [
        {"sku": sku, "afn-fulfillable-quantity": f, "afn-warehouse-quantity": f, "afn-reserved-quantity": 0,
         "afn-unsellable-quantity": 0} for sku, f in rows.items()])


def restock(tmp_path, rows):
    """rows: sku -> inbound."""
    return write_report(tmp_path / "restock.txt", header("restock_2026_30"), [
        {"Country": "US", "Merchant SKU": sku, "Inbound": i, "Available": 1, "Recommended replenishment qty": 0}
        for sku, i in rows.items()])


def load(db_path, path, snapshot_date=SNAP):
    result = ingest.load_report(db_path, path, snapshot_date=snapshot_date)
    assert result.status == "loaded", result.errors
    return result


# --- the rule ---------------------------------------------------------------------------------------

def test_gap_by_hand():
    """100 vs 80: 20 > 5 and 20 > 10 → flagged. 30 vs 25: exactly 5 units → not. 100 vs 90: exactly
    10 % → not. 3 off on 10 (30 %) → not (under 5 units). 40 off on 1,000 (4 %) → not."""
    a = [100, 100, 30, 30, 100, 100, 10, 1000]
    b = [100, 80, 25, 24, 90, 89, 7, 960]
    assert gap(a, b).tolist() == [False, True, False, True, False, True, False, False]
    assert not gap(np.nan, 100)
    assert gap(100, 80, ReconcileParams(abs_units=25)) == np.False_


def test_params_validate_naming_the_parameter():
    with pytest.raises(ValueError, match="abs_units"):
        ReconcileParams(abs_units=-1)
    with pytest.raises(ValueError, match="rel_share"):
        ReconcileParams(rel_share=1.0)
    assert dataclasses.replace(ReconcileParams(), abs_units=2).abs_units == 2


# --- checks on a constructed account ----------------------------------------------------------------

@pytest.fixture(scope="module")
def account(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recon")
    path = tmp / "recon.duckdb"
    load(path, planning(tmp, "p.txt", "2026-11-15", {
        "A": (100, 0, 10), "B": (100, 0, 0), "C": (30, 0, 0), "D": (30, 0, 0), "E": (100, 0, 0),
        "F": (100, 0, 0), "G": (50, 0, 0)}))
    load(path, myi(tmp, {"A": 100, "B": 80, "C": 25, "D": 24, "E": 90, "F": 89, "H": 70}))
    load(path, restock(tmp, {"A": 10, "B": 40}))
    return path


def test_available_planning_against_manage_inventory(account):
    frame = reconciliation(account)
    available = frame[frame["check"] == "available"].set_index("sku")
    assert available.loc["A", ["value_a", "value_b", "difference", "flagged"]].tolist() == [100, 100, 0, False]
    assert available.loc["B", ["value_a", "value_b", "difference", "flagged"]].tolist() == [100, 80, 20, True]
    assert not available.loc["C", "flagged"]  # exactly 5 units
    assert available.loc["D", "flagged"]  # 6 units, 20 %
    assert not available.loc["E", "flagged"]  # exactly 10 %
    assert available.loc["F", "flagged"]  # 11 units, 11 %
    assert "G" not in available.index and "H" not in available.index  # only in one report
    assert set(available["compared_dates"]) == {"2026-11-15 vs 2026-11-15"}
    assert available.loc["B", "source_a"] == "inventory_planning.available"


def test_inbound_restock_against_planning(account):
    frame = reconciliation(account)
    inbound = frame[frame["check"] == "inbound"].set_index("sku")
    assert inbound["value_a"].to_dict() == {"A": 10, "B": 40}  # restock
    assert inbound["value_b"].to_dict() == {"A": 10, "B": 0}  # planning
    assert inbound["flagged"].to_dict() == {"A": False, "B": True}


def test_summary_counts_every_check(account):
    summary = reconciliation_summary(reconciliation(account)).set_index("check")
    assert list(summary.index) == [c.name for c in CHECKS]
    assert summary.loc["available", ["skus_compared", "skus_flagged"]].tolist() == [6, 3]
    assert summary.loc["on_hand_ledger", ["skus_compared", "skus_flagged"]].tolist() == [0, 0]  # no ledger


def test_reports_on_different_days_say_which_dates(tmp_path):
    path = tmp_path / "d.duckdb"
    load(path, planning(tmp_path, "p.txt", "2026-11-15", {"A": (100, 0, 0)}))
    load(path, myi(tmp_path, {"A": 80}), snapshot_date=dt.date(2026, 11, 20))
    latest = reconciliation(path)
    assert latest.loc[latest["check"] == "available", "compared_dates"].tolist() == ["2026-11-15 vs 2026-11-20"]
    before = reconciliation(path, as_of=dt.date(2026, 11, 16))  # Manage Inventory is later: nothing to compare
    assert before[before["check"] == "available"].empty


def test_ledger_rolls_the_previous_snapshot_forward(tmp_path):
    """A: 50 on hand on 10-15, −15 shipped, 35 on 11-15 → agrees. B: 100 on both snapshots but the
    ledger shipped 30 → ledger says 70, difference 30 > 5 and > 10 → flagged."""
    path = tmp_path / "l.duckdb"
    load(path, planning(tmp_path, "p1.txt", "2026-10-15", {"SKU-0001": (40, 10, 0), "SKU-0002": (100, 0, 0)}))
    load(path, planning(tmp_path, "p2.txt", "2026-11-15", {"SKU-0001": (30, 5, 0), "SKU-0002": (100, 0, 0)}))
    load(path, write_report(tmp_path / "ledger.txt", header("ledger_detail_2026_16"), [
        ledger_row("10/16/2026", "SKU-0001", "Shipments", -5, ref="1"),
        ledger_row("11/15/2026", "SKU-0001", "Shipments", -10, ref="2"),
        ledger_row("11/01/2026", "SKU-0002", "Shipments", -30, ref="3"),
        ledger_row("11/02/2026", "SKU-0002", "Adjustments", -4, ref="4", Disposition="CUSTOMER_DAMAGED"),
    ]))
    frame = reconciliation(path)
    ledger = frame[frame["check"] == "on_hand_ledger"].set_index("sku")
    assert ledger.loc["SKU-0001", ["value_a", "value_b", "flagged"]].tolist() == [35, 35, False]
    assert ledger.loc["SKU-0002", ["value_a", "value_b", "difference", "flagged"]].tolist() == [100, 70, 30, True]
    assert ledger["compared_dates"].iloc[0] == "2026-11-15 vs 2026-10-15 + ledger 2026-10-16 to 2026-11-15"


def test_empty_database_has_no_rows_and_a_zero_summary(tmp_path):
    frame = reconciliation(tmp_path / "empty.duckdb")
    assert frame.empty and list(frame.columns) == reconcile.RECONCILIATION_COLUMNS
    assert reconciliation_summary(frame)["skus_compared"].sum() == 0


def test_demo_account_every_check_compares_skus(demo_database):
    summary = reconciliation_summary(reconciliation(demo_database)).set_index("check")
    assert (summary["skus_compared"] > 0).all(), summary
    assert (summary["skus_flagged"] <= summary["skus_compared"]).all()


# --- other channels ---------------------------------------------------------------------------------

CHANNEL_HEADER = "sku,quantity,channel,snapshot_date\n"


def test_channel_csv_loads_once_and_is_shown_beside_fba(tmp_path):
    """A: FBA 50 available + 10 reserved = 60, own warehouse 30, Shopify 10 → total 100, FBA share 0.6.
    Z is only in Walmart: FBA 0, total 5, share 0."""
    path = tmp_path / "c.duckdb"
    load(path, planning(tmp_path, "p.txt", "2026-11-15", {"A": (50, 10, 0), "B": (20, 0, 0)}))
    sheet = tmp_path / "channels.csv"
    sheet.write_text(CHANNEL_HEADER + "A,30,Own warehouse,2026-11-15\nA,10,Shopify,2026-11-15\n"
                     "Z,5,Walmart,2026-11-15\n", encoding="utf-8")
    first = load(path, sheet)
    assert (first.report_type, first.rows_loaded) == ("OTHER_CHANNEL_STOCK", 3)
    assert ingest.load_report(path, sheet).status == "unchanged"
    view = channel_view(path).set_index("sku")
    assert list(view.columns) == ["fba_units", "Own warehouse", "Shopify", "Walmart", "total_units", "fba_share"]
    assert view.loc["A"].tolist() == [60, 30, 10, 0, 100, 0.6]
    assert view.loc["B"].tolist() == [20, 0, 0, 0, 20, 1.0]
    assert view.loc["Z"].tolist() == [0, 0, 0, 5, 5, 0.0]
    assert view.attrs["snapshot_dates"]["FBA"] == SNAP


@pytest.mark.parametrize("bad", ["ten", "-3", "1.5"])
def test_a_bad_quantity_rejects_the_file_naming_the_column(tmp_path, bad):
    sheet = tmp_path / "channels.csv"
    sheet.write_text(CHANNEL_HEADER + f"A,{bad},Shopify,2026-11-15\n", encoding="utf-8")
    result = ingest.load_report(tmp_path / "c.duckdb", sheet)
    assert result.status == "rejected"
    assert 'Column "quantity"' in result.errors[0] and bad in result.errors[0]


def test_channel_file_without_a_date_is_dated_by_its_load_day_and_the_newest_snapshot_wins(tmp_path):
    path = tmp_path / "c.duckdb"
    old = tmp_path / "old.csv"
    old.write_text("SKU,Quantity,Channel\nA,7,Shopify\n", encoding="utf-8")
    new = tmp_path / "new.csv"
    new.write_text("sku,channel,quantity\nA,Shopify,3\n", encoding="utf-8")
    load(path, old, snapshot_date=dt.date(2026, 11, 1))
    load(path, new, snapshot_date=dt.date(2026, 11, 20))
    assert channel_view(path).set_index("sku").loc["A", "Shopify"] == 3
    assert channel_view(path, as_of=dt.date(2026, 11, 10)).set_index("sku").loc["A", "Shopify"] == 7


def test_an_existing_database_gets_the_channel_table(tmp_path):
    """Report tables are created when a database is opened (db._sync_report_tables): no migration."""
    path = tmp_path / "old.duckdb"
    db.ensure_schema(path)
    con = duckdb.connect(str(path))
    con.execute("DROP VIEW other_channel_stock")
    con.execute("DROP TABLE other_channel_stock_rows")  # as if made before the schema existed
    con.close()
    db._ready.discard(path)
    sheet = tmp_path / "channels.csv"
    sheet.write_text(CHANNEL_HEADER + "A,4,Shopify,2026-11-15\n", encoding="utf-8")
    load(path, sheet)
    assert channel_view(path)["Shopify"].tolist() == [4]
