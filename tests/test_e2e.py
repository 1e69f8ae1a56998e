"""Journeys in real headless Chromium. A seller: open the app on an empty database, go to the Data
page by the sidebar, upload a customer-returns report, then a broken one, and see that the first
import is still there. A manager: open the app on the demo account, go to the Health score page by
the sidebar, see the gauge and the account score, and drill down into one SKU. A seller on the demo
account: download the purchase orders (CSV, Excel) and the supplier forecast from the Restock page and
the slow movers' Excel, and read each file. Needs Debian's chromium (never downloads a browser)."""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.served_app import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, ServerDidNotStart, serve

RETURNS_HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
                  "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments")

pytestmark = pytest.mark.e2e


def returns_lines(quantities: list[str]) -> str:
    rows = [f"2026-09-{14 + n}T07:03:57+00:00\t114-{n:07d}-1234567\tSKU-{n}\tB0SKU{n:05d}\tX00SKU{n:05d}\t"
            f"Bamboo cutting board {n}\t{q}\tPHX7\tSELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\t"
            f"LPNRR{n:08d}\t" for n, q in enumerate(quantities)]
    return "\n".join([RETURNS_HEADER, *rows]) + "\n"


@contextmanager
def streamlit_server(tmp_path: Path, *, demo: bool, env_extra: dict | None = None):
    """``streamlit run app.py`` on a free port and a fresh database (the demo account loads on the
    first page view when ``demo``); stopped on exit."""
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing at /usr/bin/chromium: apt-get install chromium")
    env = {**os.environ, "FBA_HEALTH_DB": str(tmp_path / "e2e.duckdb")}
    env.pop("FBA_HEALTH_NO_DEMO", None)
    if not demo:
        env["FBA_HEALTH_NO_DEMO"] = "1"
    env.update(env_extra or {})
    try:
        with serve(env, tmp_path / "streamlit.log") as (url, _):
            yield url
    except ServerDidNotStart as error:
        pytest.fail(str(error))


@pytest.fixture
def server(tmp_path):
    """An empty database."""
    with streamlit_server(tmp_path, demo=False) as url:
        yield url


@pytest.fixture
def demo_server(tmp_path):
    """A fresh database the app fills with the demo account on the first page view."""
    with streamlit_server(tmp_path, demo=True) as url:
        yield url


@contextmanager
def browser_page(url: str, **page_options):
    """A page of headless Debian Chromium (never a downloaded browser) opened on ``url``; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, **page_options)
            page.goto(url)
            yield page
        finally:
            browser.close()


def click_until_visible(button, outcome, attempts=3):
    """Click, and click again if the outcome does not appear: a click that lands while Streamlit is
    still rerunning for the upload that preceded it can be dropped (seen under a loaded machine)."""
    from playwright.sync_api import expect

    for attempt in range(attempts):
        button.click()
        try:
            expect(outcome).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def test_upload_a_report_then_a_broken_one(server, tmp_path):
    from playwright.sync_api import expect

    good = tmp_path / "returns.txt"
    good.write_text(returns_lines(["1", "2", "1"]), encoding="utf-8")
    bad = tmp_path / "returns-broken.txt"
    bad.write_text(returns_lines(["1", "abc", "1"]), encoding="utf-8")

    with browser_page(server) as page:
        page.wait_for_selector(IDLE, timeout=60_000)
        expect(page.get_by_text("Nothing is loaded yet. Download these reports")).to_be_visible()

        page.locator("[data-testid='stSidebarNav'] a", has_text="Upload reports").click()
        expect(page.get_by_role("heading", name="Upload reports")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE)

        uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
        load = page.get_by_role("button", name="Load files")
        uploader.set_input_files(str(good))
        expect(load).to_be_enabled(timeout=30_000)
        page.wait_for_selector(IDLE)
        success = page.locator("[data-testid='stAlert']", has_text="Loaded 3 rows")
        click_until_visible(load, success)
        expect(success).to_contain_text("FBA Customer Returns")
        page.wait_for_selector(IDLE)

        uploader.set_input_files(str(bad))
        expect(page.get_by_text("returns-broken.txt").first).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE)
        error = page.locator("[data-testid='stAlert']", has_text="was not loaded")
        click_until_visible(load, error)
        expect(error).to_contain_text('Column "quantity"')
        expect(error).to_contain_text('line 3: "abc"')
        expect(error).to_contain_text("nothing loaded before has changed")
        page.wait_for_selector(IDLE)

        imports = page.locator("[data-testid='stDataFrame']").nth(1)
        expect(imports).to_be_visible()
        page.get_by_text("Remove an import").click()
        # The grid is drawn on a canvas; the removal list is built from the same imports table.
        removal = page.get_by_role("combobox", name="Import")
        expect(removal).to_have_value(re.compile(r"^#1: returns\.txt \(FBA Customer Returns, 3 current"))


def test_manager_drills_into_the_health_score_of_one_sku(demo_server):
    from playwright.sync_api import expect

    with browser_page(demo_server) as page:
        # The first view loads the demo account into the empty database.
        expect(page.get_by_text("You are looking at the demo account")).to_be_visible(timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("Supplier", exact=True)).to_be_visible()  # the shared filters

        page.locator("[data-testid='stSidebarNav'] a", has_text="Health score").click()
        expect(page.get_by_role("heading", name="Health score")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_selector(".main-svg", timeout=30_000)
        expect(page.get_by_text(re.compile(r"^Account health: \d+ / 100$"))).to_be_visible()
        expect(sidebar.get_by_text("Supplier", exact=True)).to_be_visible()  # still there

        chooser = page.get_by_role("combobox", name="SKU")
        first = chooser.input_value()
        chooser.click()  # the list opens on focus; the next SKU down, as a keyboard user picks it
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(chooser).not_to_have_value(first, timeout=20_000)
        page.wait_for_selector(IDLE, timeout=30_000)
        main = page.locator("[data-testid='stMain']")
        expect(main.get_by_text("Units sold, last 90 days")).to_be_visible()
        expect(main.get_by_text("Demand per day, stockout-corrected")).to_be_visible()
        expect(main.locator("[data-testid='stMetric']", has_text="Days of supply")).to_be_visible()


def metric_value(page, label: str) -> str:
    tile = page.locator("[data-testid='stMetric']", has_text=label)
    return tile.locator("[data-testid='stMetricValue']").inner_text()


def core_safety_stock(db_path: Path, service_level: float) -> float:
    """Σ safety stock of the demo's plan with one service level for every SKU, from core alone."""
    import dataclasses

    from core import restock
    from core.forecast import forecast_table
    from core.restock_params import RestockParams

    params = dataclasses.replace(RestockParams(), service_level_override=service_level)
    result = forecast_table(db_path)
    plan = restock.restock_from_db(db_path, params, forecast_summary=result.summary, forecast=result)
    return float(plan["safety_stock"].sum())


def test_analyst_moves_the_service_level_on_the_whatif_page(demo_server, tmp_path):
    """The analyst: What-if by the sidebar, the service-level slider moved with the keyboard at once
    (no toggle to find first: moving it turns on one level for every SKU), to its top (99.9%), then one
    step down (99.8%). The safety stock shown rises above the baseline's, falls with the step down, and
    each time is core's total for that level. Timings are the benchmark's (bench/bench_whatif_browser.py)."""
    from playwright.sync_api import expect

    units = lambda text: float(text.split()[0].replace(",", ""))  # noqa: E731
    with browser_page(demo_server) as page:
        expect(page.get_by_text("You are looking at the demo account")).to_be_visible(timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="What-if").click()
        expect(page.get_by_role("heading", name="What-if")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        page.wait_for_selector(".main-svg", timeout=30_000)  # the projected-stock chart
        baseline = units(metric_value(page, "Safety stock (units)"))
        toggle = page.get_by_role("switch", name="One service level for every SKU")
        expect(toggle).not_to_be_checked()
        slider = page.locator("[data-testid='stSlider']", has_text="Service level, every SKU").get_by_role("slider")
        expect(slider).to_be_enabled()
        slider.focus()
        page.keyboard.press("End")
        expect(slider).to_have_value("99.9", timeout=20_000)
        scenario = page.locator("[data-testid='stMetric']", has_text="Safety stock (units)")
        expect(scenario.locator("[data-testid='stMetricDelta']")).to_contain_text("+", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        expect(toggle).to_be_checked()
        top_text = metric_value(page, "Safety stock (units)")
        top = units(top_text)
        slider.focus()
        page.keyboard.press("ArrowLeft")
        expect(slider).to_have_value("99.8", timeout=20_000)
        expect(scenario.locator("[data-testid='stMetricValue']")).not_to_have_text(top_text, timeout=60_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        lower = units(metric_value(page, "Safety stock (units)"))
    assert top > baseline and lower < top
    db_path = tmp_path / "e2e.duckdb"
    assert top == pytest.approx(core_safety_stock(db_path, 0.999), abs=0.5)
    assert lower == pytest.approx(core_safety_stock(db_path, 0.998), abs=0.5)


def test_a_file_over_the_upload_limit_is_refused_with_a_clear_message(tmp_path):
    """The limit (server.maxUploadSize, 1 MB here through Streamlit's environment variable) is shown
    in the uploader's help; a 2 MB file is refused before it uploads, and nothing loads."""
    from playwright.sync_api import expect

    big = tmp_path / "orders-too-big.txt"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    with streamlit_server(tmp_path, demo=False, env_extra={"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"}) as url, \
            browser_page(url) as page:
        page.wait_for_selector(IDLE, timeout=60_000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Upload reports").click()
        expect(page.get_by_role("heading", name="Upload reports")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE)
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(big))
        expect(page.get_by_text(re.compile(r"File must be 1(\.0)?\s?MB or smaller"))).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="Load files")).to_be_disabled()


def save_download(page, button, folder: Path) -> tuple[str, Path]:
    """Click a download button and save what the browser receives; (suggested name, saved path). The
    buttons are on_click="ignore": the file is built on the click and the page does not rerun."""
    from playwright.sync_api import expect

    expect(button).to_be_enabled(timeout=30_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.failure() is None, download.failure()
    target = folder / download.suggested_filename
    download.save_as(target)
    page.wait_for_selector(IDLE, timeout=60_000)
    return download.suggested_filename, target


def csv_rows(path: Path) -> list[dict]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_seller_downloads_purchase_orders_forecast_and_slow_movers(demo_server, tmp_path):
    """The deferred downloads (a callable as ``data``) deliver real files when clicked."""
    import openpyxl
    from playwright.sync_api import expect

    from core.purchase_orders import HEADER_ROW, LINE_HEADER, PO_CSV_COLUMNS, SUPPLIER_FORECAST_COLUMNS, sheet_names

    folder = tmp_path / "downloads"
    folder.mkdir()
    with browser_page(demo_server, accept_downloads=True) as page:
        expect(page.get_by_text("You are looking at the demo account")).to_be_visible(timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)

        page.locator("[data-testid='stSidebarNav'] a", has_text="Restock").click()
        expect(page.get_by_role("heading", name="Restock")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        main = page.locator("[data-testid='stMain']")
        tile = main.locator("[data-testid='stMetric']", has_text="Order now").filter(has_text="SKUs")
        order_now = int(re.search(r"([\d,]+) SKUs", tile.inner_text()).group(1).replace(",", ""))
        value_tile = main.locator("[data-testid='stMetric']", has_text="Order value now").inner_text()
        order_value = float(re.search(r"\$([\d,]+)", value_tile).group(1).replace(",", ""))  # whole dollars
        assert order_now > 0, "the demo has SKUs to order now"

        name, path = save_download(page, main.get_by_role("button", name="Purchase orders (CSV)"), folder)
        assert re.fullmatch(r"purchase_orders_\d{8}\.csv", name), name
        as_of = name[len("purchase_orders_"):-len(".csv")]
        lines = csv_rows(path)
        assert list(lines[0]) == PO_CSV_COLUMNS
        # Every order-now SKU has something to order, one line each, and the totals agree.
        assert len(lines) == order_now == len({line["sku"] for line in lines})
        assert all(float(line["order_qty"]) > 0 for line in lines)
        made_on = dt.date.today()  # the PO date is the day it is made, not the plan's as-of date
        assert {line["po_date"] for line in lines} == {made_on.isoformat()}
        assert all(line["po_reference"].startswith(f"PO-{made_on:%Y%m%d}-") for line in lines)
        assert sum(float(line["line_total"] or 0) for line in lines) == pytest.approx(order_value, abs=0.5)

        name, path = save_download(page, main.get_by_role("button", name="Purchase orders (Excel)"), folder)
        assert name == f"purchase_orders_{as_of}.xlsx"
        book = openpyxl.load_workbook(path, read_only=True)
        suppliers = sorted({line["supplier"] for line in lines})
        assert book.sheetnames == sheet_names(suppliers)  # one sheet per supplier
        skus = []
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            assert rows[HEADER_ROW - 1][:len(LINE_HEADER)] == LINE_HEADER
            body = rows[HEADER_ROW:]
            total = next(i for i, row in enumerate(body) if row[0] == "Total")
            assert total > 0, f"sheet {sheet.title} has no lines"
            skus += [row[0] for row in body[:total]]
        assert sorted(skus) == sorted(line["sku"] for line in lines)

        name, path = save_download(page, main.get_by_role("button", name="Supplier forecast (CSV)"), folder)
        assert name == f"supplier_forecast_{as_of}.csv"
        forecast = csv_rows(path)
        assert forecast and list(forecast[0]) == SUPPLIER_FORECAST_COLUMNS
        assert {line["sku"] for line in lines} <= {row["sku"] for row in forecast}

        page.locator("[data-testid='stSidebarNav'] a", has_text="Slow movers").click()
        expect(page.get_by_role("heading", name="Slow movers")).to_be_visible(timeout=30_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        caption = main.get_by_text(re.compile(r"^[\d,]+ SKUs shown, most urgent first")).inner_text()
        shown = int(caption.split(" ", 1)[0].replace(",", ""))
        name, path = save_download(page, main.get_by_role("button", name="Download Excel"), folder)
        assert name == "slow_movers.xlsx"
        rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        assert rows[0][:2] == ("Grade", "SKU")
        assert shown > 0 and len(rows) - 1 == shown
