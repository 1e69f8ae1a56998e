"""What each page lacks (core.coverage): on real report files of the demo account, one at a time."""

from __future__ import annotations

import re
from pathlib import Path

from core import coverage, ingest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def keys(db_path: Path, page: str) -> list[str]:
    return [n.key for n in coverage.missing_needs(db_path, page)]


def test_a_snapshot_alone_lacks_sales_and_costs_and_each_load_takes_its_need_away(tmp_path):
    path = tmp_path / "db.duckdb"
    ingest.load_report(path, SAMPLE / "fba_inventory_planning_2026-11-15.txt")
    assert keys(path, "restock") == ["daily_sales", "costs"]
    assert keys(path, "fees") == ["fee_preview", "storage_fees"]  # ages come with the FBA Inventory report
    ingest.load_report(path, SAMPLE / "all_orders.txt.gz")
    assert keys(path, "restock") == ["costs"]
    other = tmp_path / "costs.csv"
    other.write_text("sku,unit_cost\nNOT-A-SKU-HERE,3.10\n", encoding="utf-8")
    ingest.load_report(path, other)
    assert keys(path, "restock") == ["costs"]  # a sheet that costs none of the reported SKUs
    ingest.load_report(path, SAMPLE / "product_costs.csv")
    assert keys(path, "restock") == []
    assert keys(path, "returns") == ["returns", "ledger"]


def test_the_demo_lacks_nothing(demo_database):
    assert all(keys(demo_database, page) == [] for page in coverage.PAGE_NEEDS)


def test_every_page_in_the_registry_says_what_it_lacks_and_every_need_says_where_to_load_it():
    for page in coverage.PAGE_NEEDS:
        source = (ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8")
        assert f'common.missing_notes("{page}")' in source, page
    for need in coverage.NEEDS.values():
        assert need.load_page in ("data", "costs") and (ROOT / "pages" / f"{need.load_page}.py").is_file()
        assert not re.search(r"\bGET_|_[a-z]", need.source + need.brings), need  # seller's words only
