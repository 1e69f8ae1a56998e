"""A seller's first week in real headless Chromium (issue 14): an account with reports but no cost
sheet yet, every page walked by the sidebar with nothing unfinished on screen, then the cost sheet
uploaded as .xlsx on the Product costs page; and on the demo account, an undated report and an .xlsx
sheet uploaded together on the Upload reports page, the date asked for before anything loads, and the
demo banner gone the moment the demo is removed."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from core import costs, ingest
from tests.test_e2e import IDLE, ROOT, browser_page, click_until_visible, streamlit_server

pytestmark = pytest.mark.e2e

SAMPLE = ROOT / "sample_data"
NAV = [("Overview", "Inventory health"), ("Health score", "Health score"), ("Slow movers", "Slow movers"),
       ("Returns", "Returns and reimbursements"), ("Alerts", "Alerts"), ("Restock", "Restock"),
       ("What-if", "What-if"), ("Forecast accuracy", "Forecast accuracy"), ("Ageing & fees", "Ageing & fees"),
       ("Clearance", "Clearance"), ("Upload reports", "Upload reports"), ("Product costs", "Product costs"),
       ("Report explorer", "Report explorer"), ("Reconciliation", "Reconciliation"), ("Settings", "Settings")]
# What a seller must never read: Python exception names, Amazon's report ids, empty-value markers.
FORBIDDEN = re.compile(r"Traceback|\b[A-Z]\w+(Exception|Error)\b|\bGET_[A-Z_]{4,}|\bNaT\b|\bnan\b|\bNone\b|"
                       r"\bInfinity\b|\b1\d{12}\b")


def no_cost_account(demo_database, folder):
    """The demo's reports as the seller's own, without the cost sheet: the state right after a first upload."""
    path = folder / "e2e.duckdb"
    shutil.copy(demo_database, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE imports SET is_sample = false")
        ids = [r[0] for r in con.execute("SELECT import_id FROM imports WHERE table_name = 'product_costs'").fetchall()]
    for import_id in ids:
        ingest.remove_import(path, import_id)
    return path


def open_page(page, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.locator("[data-testid='stSidebarNav'] a", has_text=re.compile(rf"{re.escape(link)}\s*$")).click()
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=90_000)


def test_every_page_without_a_cost_sheet_then_the_xlsx_sheet_on_the_product_costs_page(demo_database, tmp_path):
    from playwright.sync_api import expect

    no_cost_account(demo_database, tmp_path)
    with streamlit_server(tmp_path, demo=False) as url, browser_page(url) as page:
        page.set_viewport_size({"width": 1440, "height": 900})
        page.wait_for_selector(IDLE, timeout=90_000)
        problems = []
        for link, heading in NAV:
            open_page(page, link, heading)
            if page.locator("[data-testid='stException']").count():
                problems.append(f"{link}: {page.locator('[data-testid=stException]').first.inner_text()[:300]}")
            text = page.inner_text("[data-testid='stMain']")
            found = FORBIDDEN.search(text)
            if found:
                problems.append(f"{link}: shows {found.group(0)!r} in …{text[max(found.start() - 60, 0):found.end() + 60]}…")
        assert not problems, "\n".join(problems)

        open_page(page, "Overview", "Inventory health")
        expect(page.get_by_text("Your product-cost sheet is not loaded").first).to_be_visible()

        open_page(page, "Product costs", "Product costs")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            str(SAMPLE / "product_costs.xlsx"))
        load = page.get_by_role("button", name="Load cost sheet")
        expect(load).to_be_enabled(timeout=30_000)
        page.wait_for_selector(IDLE)
        success = page.locator("[data-testid='stAlert']", has_text="Loaded 150 rows of Product costs")
        click_until_visible(load, success)
        page.wait_for_selector(IDLE, timeout=90_000)
        costed = costs.cost_table(tmp_path / "e2e.duckdb")
        missing = int(costed["cost_missing"].sum())  # the demo's sheet leaves one SKU without a cost
        expect(page.get_by_text(f"{missing} of {len(costed)} SKUs {'has' if missing == 1 else 'have'} no unit "
                                "cost yet")).to_be_visible(timeout=30_000)

        open_page(page, "Overview", "Inventory health")
        expect(page.get_by_text("Your product-cost sheet is not loaded")).to_have_count(0)


def test_an_undated_report_is_dated_before_it_loads_and_the_demo_banner_goes_at_once(tmp_path):
    from playwright.sync_api import expect

    with streamlit_server(tmp_path, demo=True) as url, browser_page(url) as page:
        page.wait_for_selector(IDLE, timeout=120_000)
        expect(page.get_by_text("You are looking at the demo account")).to_be_visible(timeout=60_000)
        open_page(page, "Upload reports", "Upload reports")
        # This week's Fee Preview (one price changed from the demo's), and the demo's own cost sheet.
        fees = tmp_path / "fee_preview.txt"
        fees.write_bytes((SAMPLE / "fee_preview.txt").read_bytes().replace(b"\t26.99\t", b"\t27.99\t", 1))
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            [str(fees), str(SAMPLE / "product_costs.xlsx")])
        page.wait_for_selector(IDLE, timeout=60_000)
        expect(page.get_by_text("When were these downloaded?")).to_be_visible(timeout=30_000)
        load = page.get_by_role("button", name="Load files")
        expect(load).to_be_disabled()  # the Fee Preview has no date yet
        # A date field of day, month and year segments: typing the digits moves through them.
        page.get_by_role("spinbutton", name="day, FBA Fee Preview: fee_preview.txt").click()
        page.keyboard.type("15112026")
        page.get_by_role("heading", name="Upload reports").click()  # leaving the field commits the date
        page.wait_for_selector(IDLE)
        expect(load).to_be_enabled(timeout=30_000)
        success = page.locator("[data-testid='stAlert']", has_text="Loaded 150 rows of FBA Fee Preview")
        click_until_visible(load, success)
        # The Fee Preview removed the demo, its cost sheet with it: the same sheet then loads as the seller's.
        # .first: while the page reruns, the old and the new alert can both be on screen for a moment.
        expect(page.locator("[data-testid='stAlert']", has_text="Loaded 150 rows of Product costs").first).to_be_visible(
            timeout=60_000)  # the second file loads after the first; slow when both CI workers are busy
        page.wait_for_selector(IDLE, timeout=120_000)
        # The load removed the demo: the banner is gone in the same view, without a reload.
        expect(page.get_by_text("You are looking at the demo account")).to_have_count(0, timeout=30_000)
    with duckdb.connect(str(tmp_path / "e2e.duckdb"), read_only=True) as con:
        assert con.execute("SELECT DISTINCT snapshot_date::VARCHAR FROM fee_preview").fetchall() == [("2026-11-15",)]
        assert con.execute("SELECT count(*) FROM imports WHERE is_sample").fetchone()[0] == 0
