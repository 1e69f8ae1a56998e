"""The README's screenshots: serve the app on the demo account at the checkout's default database
(``data/inventory.duckdb``, so no temp path shows in the sidebar), visit every page by the sidebar in
headless Debian Chromium at 1440 px, and save one PNG per page here. ``make screenshots``.

Refuses to run when the default database already holds data that is not the demo (it would show the
seller's own account); move it aside first.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from core import db, ingest, sample

    path = db.resolve_db_path()
    if path.exists() and ingest.has_data(path) and sample.demo_info(path) is None:
        print(f"{path} holds your own data: move it aside to take the demo's screenshots", file=sys.stderr)
        return 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("FBA_HEALTH_DB", "FBA_HEALTH_NO_DEMO")}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.port", str(port), "--server.address", "127.0.0.1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            page.wait_for_selector(IDLE, timeout=180_000)
            links = page.locator("[data-testid='stSidebarNav'] a")
            titles = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]
            for i, title in enumerate(titles):
                links.nth(i).click()
                page.wait_for_timeout(500)
                page.wait_for_selector(IDLE, timeout=120_000)
                if page.locator(".js-plotly-plot").count():
                    page.wait_for_selector(".main-svg", timeout=30_000)
                page.wait_for_timeout(1500)  # charts finish drawing
                page.screenshot(path=str(OUT / f"{i + 1:02d}_{slug(title)}.png"), full_page=False)
                print(f"{i + 1:02d} {title}")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
