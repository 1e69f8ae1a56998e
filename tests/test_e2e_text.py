"""Nothing on screen looks unfinished: every page of the demo account, visited through the sidebar in
headless Chromium at 1440 × 900, shows no ``None``, ``nan``, ``NaT``, ``Infinity``, report ids
(``GET_...``), snake_case names, Python exception names, epoch-millisecond dates or "1 SKUs" plurals.

What is read: the page's visible text (``inner_text`` of the main area and the sidebar, with the
Material icon names, which are font ligatures and never drawn as words, taken out), every expander
opened; each dataframe's column headers as the grid labels them (its accessible table); and each
dataframe's cells, all rows and columns, through the grid's own "Download as CSV" button. The grid
is a canvas (glide-data-grid): its accessible table holds only the rows and columns in view, and both
it and the download hold the cell *values* the grid formats, not the drawn text. So a value that is
text on screen is checked as drawn, a number or a date is checked for what cannot be formatted away
(an epoch number stored as an integer, ``Infinity``), and an empty cell counts as "None", since that
is what the grid draws for a missing value.

``FBA_HEALTH_TEXT_URL`` points the test at an app already running (for a quick look while fixing).
"""

from __future__ import annotations

import csv
import io
import os
import re

import pytest

from tests.test_e2e import IDLE, browser_page, streamlit_server

pytestmark = pytest.mark.e2e

PLURAL_NOUNS = ("SKUs", "units", "days", "months", "weeks", "reports", "files", "rows", "imports",
                "deliveries", "orders", "returns", "alerts", "rules", "snapshots", "suppliers", "cases",
                "points", "turns", "signals", "pieces")
TOKENS = {
    "None": re.compile(r"\bNone\b"),
    "nan": re.compile(r"\b(?:nan|NaN)\b"),
    "NaT": re.compile(r"\bNaT\b"),
    "Infinity": re.compile(r"\b-?(?:Infinity|inf)\b"),
    "report id": re.compile(r"\bGET_[A-Z_]*"),
    "snake_case": re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b"),
    "exception name": re.compile(r"\b[A-Z][A-Za-z]*(?:Exception|Error)\b|\bTraceback\b"),
    "epoch number": re.compile(r"(?<![\d.,])\d{13}(?![\d.,])"),
    "plural": re.compile(r"(?<![\d.,])1 (?:" + "|".join(PLURAL_NOUNS) + r")\b"),
}
# File names, paths (product_costs.csv, /tmp/x_y/db.duckdb) and the app's environment variables
# (FBA_HEALTH_SMTP_PASSWORD, which a seller sets) may hold underscores.
ALLOWED = re.compile(r"[\w./-]*\.(?:csv|xlsx|txt|tsv|gz|json|duckdb|toml|md|py)\b|(?:[\w.-]*/)+[\w.-]+"
                     r"|\bFBA_HEALTH_[A-Z_]+\b")


def findings(text: str, where: str) -> list[str]:
    """Every forbidden token in ``text``, as "where: kind 'match' in '…context…'"."""
    cleaned = ALLOWED.sub(" ", text)
    found = []
    for kind, pattern in TOKENS.items():
        for match in pattern.finditer(cleaned):
            context = cleaned[max(0, match.start() - 40):match.end() + 40].replace("\n", " ")
            found.append(f"{where}: {kind} {match.group(0)!r} in '…{context}…'")
    return found


def cell_findings(csv_text: str, where: str, *, editable: bool = False) -> list[str]:
    """Forbidden tokens in the cells of a grid's CSV download, and empty cells (drawn as "None"),
    except in an editable grid, where an empty cell is the one to fill in."""
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    if not rows:
        return []
    header, found = rows[0], []
    for n, row in enumerate(rows[1:], start=1):
        for name, value in zip(header, row):
            if value.strip() == "":
                if not editable:
                    found.append(f"{where}: empty cell (drawn as None) in column {name!r}, row {n}")
            else:
                found += findings(value, f"{where}, column {name!r}, row {n}")
    return found


def summarise(found: list[str]) -> list[str]:
    """One line per page, table, column and kind, with how many cells (rows) it covers."""
    counts: dict[str, int] = {}
    for line in found:
        key = re.sub(r", row \d+", "", line)
        key = re.sub(r" in '….*…'$", "", key) if ", column " in key else key
        counts[key] = counts.get(key, 0) + 1
    return [f"{n}× {key}" if n > 1 else key for key, n in counts.items()]


def test_findings_catch_the_tokens_and_spare_skus_and_file_names():
    """The scan itself, on text written by hand: each kind is caught once, the allowed are not."""
    text = ("1 SKUs to order; 2 SKUs fine; Month 1796083200000; ratio nan; method None; "
            "from GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL; basis on_hand_ledger; "
            "ConversionException: boom; HK-GRD-0006 and HK-GRD-0135; slow_movers.csv; "
            "/tmp/look_at/demo.duckdb; $1,796,083.20; 11 SKUs; 21 units; Infinity")
    kinds = sorted(f.split(": ")[1].split(" '")[0] for f in findings(text, "hand"))
    assert kinds == sorted(["plural", "epoch number", "nan", "None", "report id", "snake_case",
                            "snake_case", "exception name", "Infinity"])
    assert cell_findings("\ufeffsku,value\nA-1,\nB-2,3.5\n", "grid") == [
        "grid: empty cell (drawn as None) in column 'value', row 1"]


def _grid_csv(page, grid) -> str:
    """All the cells of one dataframe through its toolbar's "Download as CSV"."""
    grid.scroll_into_view_if_needed()
    grid.hover()
    with page.expect_download(timeout=15_000) as download:
        # A dispatched click: the app's header can cover the toolbar of a grid scrolled to the top.
        grid.get_by_role("button", name="Download as CSV").dispatch_event("click")
    with open(download.value.path(), encoding="utf-8") as handle:
        return handle.read()


def _page_findings(page, name: str) -> list[str]:
    for expander in page.locator("[data-testid='stMain'] [data-testid='stExpander'] summary").all():
        if expander.is_visible():
            expander.click()
    page.wait_for_timeout(300)
    icons = set(page.locator("[data-testid*='Icon']").all_inner_texts())
    text = page.inner_text("[data-testid='stMain']") + "\n" + page.inner_text("[data-testid='stSidebar']")
    for icon in sorted(filter(None, icons), key=len, reverse=True):
        text = text.replace(icon, " ")
    found = findings(text, name)
    grids = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']")
    for k in range(grids.count()):
        grid = grids.nth(k)
        if not grid.is_visible():  # in a tab not shown
            continue
        headers = grid.locator("table th").all_inner_texts()
        found += findings(" | ".join(headers), f"{name}, table {k + 1} headers")
        editable = grid.get_by_role("button", name="Add row").count() > 0
        found += cell_findings(_grid_csv(page, grid), f"{name}, table {k + 1}", editable=editable)
    return found


def _walk(url: str) -> list[str]:
    found = []
    # Without the File System Access API the grid's download falls back to a plain file download.
    with browser_page(url, accept_downloads=True) as page:
        page.set_viewport_size({"width": 1440, "height": 900})
        page.add_init_script("window.showSaveFilePicker = undefined;")
        page.reload()
        page.wait_for_selector(IDLE, timeout=120_000)
        links = page.locator("[data-testid='stSidebarNav'] a")
        names = [t.split("\n")[-1].strip() for t in links.all_inner_texts()]
        assert len(names) >= 15, names
        for name in names:
            page.locator("[data-testid='stSidebarNav'] a", has_text=name).first.click()
            page.wait_for_timeout(400)
            page.wait_for_selector(IDLE, timeout=120_000)
            found += _page_findings(page, name)
    return found


def test_no_page_of_the_demo_shows_unfinished_text(tmp_path):
    url = os.environ.get("FBA_HEALTH_TEXT_URL")
    if url:
        found = _walk(url)
    else:
        with streamlit_server(tmp_path, demo=True) as started:
            found = _walk(started)
    lines = summarise(found)
    assert not found, f"{len(found)} unfinished texts:\n" + "\n".join(lines[:150])
