"""Sync from Amazon in real headless Chromium: the app served for real, pointed at the local fake Selling
Partner API (tests/fake_spapi.py) by its two endpoint variables, with Amazon's real pacing (three reports
fit in its burst of 15) and the real client library. The seller picks three reports, presses Sync now,
sees the progress while the documents download, reads the result, accepts the 5% snapshot
the guardrail held back, and the database has it."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pytest

from tests.fake_spapi import FakeSpapi
from tests.test_e2e import IDLE, browser_page, streamlit_server
from tests.test_e2e_first_week import FORBIDDEN, open_page
from tests.test_sync import APP_ID, MYI, REFRESH, SECRET

pytestmark = pytest.mark.e2e

CHOSEN = ["Manage FBA Inventory", "Restock Inventory recommendations", "FBA Fee Preview"]


@pytest.fixture
def fake():
    server = FakeSpapi(now=dt.datetime.now(dt.timezone.utc).replace(microsecond=0), polls_before_done=0,
                       download_seconds=3.0, shrink={MYI: 0.05}).start()
    yield server
    server.stop()


def test_sync_now_in_the_browser_then_accept_the_held_snapshot(demo_database, tmp_path, fake):
    from playwright.sync_api import expect

    path = tmp_path / "e2e.duckdb"
    shutil.copy(demo_database, path)
    with duckdb.connect(str(path)) as con:  # the demo's reports as the seller's own
        con.execute("UPDATE imports SET is_sample = false")
    env = {"FBA_HEALTH_SPAPI_ENDPOINT": fake.url, "FBA_HEALTH_LWA_ENDPOINT": fake.url,
           "SP_API_REFRESH_TOKEN": REFRESH, "LWA_APP_ID": APP_ID, "LWA_CLIENT_SECRET": SECRET,
           "HOME": str(tmp_path / "home")}
    with streamlit_server(tmp_path, demo=False, env_extra=env) as url, browser_page(url) as page:
        page.wait_for_selector(IDLE, timeout=90_000)
        open_page(page, "Upload reports", "Upload reports")
        expect(page.get_by_text("Marketplace: United States (North America region). Amazon credentials are "
                                "read from the environment.")).to_be_visible()
        expect(page.get_by_text("The next sync asks Amazon for 57 reports")).to_be_visible()
        picker = page.locator("[data-testid='stMultiSelect']", has_text="Reports to sync")
        for title in CHOSEN:
            picker.locator("input").click()
            page.get_by_role("option", name=title, exact=True).click()
            page.wait_for_selector(IDLE, timeout=30_000)
        page.keyboard.press("Escape")
        expect(page.get_by_text("The next sync asks Amazon for 3 reports. It takes a minute or two.")).to_be_visible()

        page.get_by_role("button", name="Sync now").click()
        # each download takes 3 s (no 429 here: after one, Amazon's pacing rightly waits a minute a request)
        expect(page.get_by_text(re.compile(r"Syncing: 0 of 3 reports done"))).to_be_visible(timeout=20_000)
        # Restock and Fee Preview are the very files the demo loaded: nothing new (a sync is idempotent)
        expect(page.get_by_text(re.compile(r"Last sync: .*3 reports: 2 with nothing new, 1 held back; 0 rows "
                                           r"loaded"))).to_be_visible(timeout=120_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        expect(page.get_by_text("Held back, not loaded.")).to_be_visible()
        expect(page.locator("[data-testid='stMarkdownContainer'] p", has_text=re.compile(
            r"Manage FBA Inventory.*lists 7 SKU\(s\), the last one loaded 150"))).to_be_visible()
        text = page.inner_text("[data-testid='stMain']")
        found = FORBIDDEN.search(text)
        assert not found, f"shows {found.group(0)!r} in …{text[max(found.start() - 80, 0):found.end() + 80]}…"
        assert REFRESH not in text and SECRET not in text

        page.get_by_role("button", name="Accept and load").click()
        expect(page.get_by_text("Manage FBA Inventory: 7 rows loaded")).to_be_visible(timeout=60_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        expect(page.get_by_role("button", name="Accept and load")).to_have_count(0)
        # the choice of reports outlived the sync (all nine would be 54 requests), and today's three are synced
        expect(page.get_by_text("Everything is synced up to now")).to_be_visible()

        open_page(page, "Settings", "Settings")
        expect(page.get_by_role("heading", name="Amazon account")).to_be_visible()
        expect(page.get_by_text("Amazon credentials are read from the environment.")).to_be_visible()

    with duckdb.connect(str(path), read_only=True) as con:
        today = con.execute("SELECT max(snapshot_date) FROM manage_inventory_rows").fetchone()[0]
        rows = con.execute("SELECT count(*) FROM manage_inventory_rows WHERE snapshot_date = $d",
                           {"d": today}).fetchone()[0]
        statuses = dict(con.execute("SELECT report_type, status FROM sync_reports").fetchall())
    assert rows == 7
    assert statuses == {MYI: "accepted", "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": "unchanged",
                        "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": "unchanged"}
    assert len(fake.created()) == 3
