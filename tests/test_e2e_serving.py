"""Who can open the app, in real headless Chromium against real ``streamlit run`` servers (issue 16).

Each test starts its own server because each is about a FRESH server: Streamlit treats the first
session of a process specially (pages-directory mode, see pages/_frame.py), and a deep link opened
first used to run the page's file alone, without app.py's frame and its sign-in.

- The default settings listen on 127.0.0.1 only, and a deep link into a fresh server, on an empty
  database, goes through the frame: the demo account is built, the sidebar has the navigation and
  the filters.
- A network address (0.0.0.0) without sign-in is refused with the plain reason, deep link or not.
- With sign-in configured ([auth] pointing at a local OpenID Connect stand-in, tests/oidc_server.py), a
  deep link into a fresh server shows the sign-in gate and nothing of the account; signing in with
  the stand-in then opens the page in the frame.
Needs Debian's chromium (never downloads a browser)."""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest

from core import sample, serving
from tests.served_app import CHROMIUM, CHROMIUM_ARGS, IDLE, ServerDidNotStart, serve

pytestmark = pytest.mark.e2e

NAV_LINKS = "[data-testid='stSidebarNav'] a"
PAGES_IN_NAVIGATION = 15  # app.py's st.navigation; pages-directory mode listed 23 (every file of pages/)


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (Linux /proc/net/tcp and tcp6), as
    Python spells them: '127.0.0.1', '0.0.0.0', '::'..."""
    import ipaddress

    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel writes each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, width, 4))
            found.add(str(ipaddress.ip_address(words)))
    return found


@contextmanager
def fresh_server(tmp_path: Path, *, env_extra: dict | None = None, extra_args: tuple[str, ...] = ()):
    """``streamlit run app.py`` as tests/served_app.py starts it, on an empty database that the app fills
    with the demo account on the first page view; yields the URL and the port."""
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing at /usr/bin/chromium: apt-get install chromium")
    env = {**os.environ, "FBA_HEALTH_DB": str(tmp_path / "serving.duckdb")}
    for name in ("FBA_HEALTH_NO_DEMO", serving.OPEN_NETWORK_ENV, "STREAMLIT_SERVER_ADDRESS"):
        env.pop(name, None)
    env.update(env_extra or {})
    try:
        with serve(env, tmp_path / "streamlit.log", extra_args=extra_args) as (url, _):
            yield url, int(url.rsplit(":", 1)[1])
    except ServerDidNotStart as error:
        pytest.fail(str(error))


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str):
    """A new browser session (its own cookies) on ``url``."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    return page


def test_local_by_default_and_a_deep_link_into_a_fresh_server_goes_through_the_frame(tmp_path):
    from playwright.sync_api import expect

    with fresh_server(tmp_path) as (url, port), chromium() as browser:
        assert listening_addresses(port) == {"127.0.0.1"}  # .streamlit/config.toml: this computer only

        page = open_page(browser, f"{url}/whatif")  # the server's very first session, straight to a page
        expect(page.get_by_role("heading", name="What-if")).to_be_visible(timeout=90_000)
        page.wait_for_selector(IDLE, timeout=90_000)
        assert page.url == f"{url}/whatif"
        demo = sample.demo_info(tmp_path / "serving.duckdb")  # the frame built the demo account
        assert demo is not None
        expect(page.get_by_text(f"of {demo['skus']} SKUs order a different quantity")).to_be_visible()
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("Supplier", exact=True)).to_be_visible()  # the shared filters
        expect(sidebar.get_by_text("As of", exact=True)).to_be_visible()
        links = page.locator(NAV_LINKS)
        expect(links).to_have_count(PAGES_IN_NAVIGATION)
        expect(links.filter(has_text="What-if")).to_have_attribute("aria-current", "page")
        assert not links.filter(has_text=re.compile(r"^\s*(common|format|app)\s*$")).count()


def test_a_network_address_without_sign_in_is_refused(tmp_path):
    from playwright.sync_api import expect

    with fresh_server(tmp_path, extra_args=("--server.address", "0.0.0.0")) as (url, port), \
            chromium() as browser:
        assert "0.0.0.0" in listening_addresses(port)
        # The first session opens a helper module's address (pages-directory mode lists pages/_common.py
        # as /common), the second a page's: both reach app.py, which refuses.
        for path in ("common", "whatif"):
            page = open_page(browser, f"{url}/{path}")
            refusal = page.locator("[data-testid='stAlert']", has_text="Not served")
            expect(refusal).to_be_visible(timeout=60_000)
            page.wait_for_selector(IDLE, timeout=30_000)
            expect(refusal).to_contain_text("every network interface of this computer")
            expect(refusal).to_contain_text(f"{serving.OPEN_NETWORK_ENV}={serving.OPEN_NETWORK_CONSENT}")
            expect(page.get_by_role("heading", name="What-if")).to_have_count(0)
            expect(page.locator(NAV_LINKS)).to_have_count(0)
            expect(page.get_by_text("You are looking at the demo account")).to_have_count(0)
        assert not (tmp_path / "serving.duckdb").exists()  # refused before the demo account is built


def test_with_sign_in_a_deep_link_shows_the_gate_then_the_page_once_signed_in(tmp_path, demo_database):
    import shutil

    from playwright.sync_api import expect

    from tests.oidc_server import oidc_provider

    shutil.copy(demo_database, tmp_path / "serving.duckdb")  # the demo account, loaded already
    with oidc_provider(email="seller@example.com") as provider:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{provider.client_id}"\n'
            f'client_secret = "{provider.client_secret}"\n'
            f'server_metadata_url = "{provider.server_metadata_url}"\n', encoding="utf-8")
        with fresh_server(tmp_path, extra_args=("--secrets.files", str(secrets_file))) as (url, _), \
                chromium() as browser:
            page = open_page(browser, f"{url}/whatif")  # the very first session, straight to a page
            sign_in = page.get_by_role("button", name="Sign in")
            expect(sign_in).to_be_visible(timeout=60_000)
            page.wait_for_selector(IDLE, timeout=30_000)
            expect(page.get_by_text("This deployment is shared: sign in to see the inventory.")).to_be_visible()
            expect(page.get_by_role("heading", name="What-if")).to_have_count(0)
            expect(page.locator(NAV_LINKS)).to_have_count(0)
            expect(page.locator("[data-testid='stSidebar']")).to_have_count(0)  # no filters, no database path

            sign_in.click()  # to the stand-in, which signs the user in at once and sends them back
            expect(page.get_by_role("button", name="Sign out seller@example.com")).to_be_visible(timeout=90_000)
            assert [r["grant_type"] for r in provider.token_requests] == ["authorization_code"]
            page.goto(f"{url}/explorer")  # signed in, any address opens its page in the frame
            expect(page.get_by_role("heading", name="Report explorer")).to_be_visible(timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            expect(page.locator(NAV_LINKS)).to_have_count(PAGES_IN_NAVIGATION)
            expect(page.locator("[data-testid='stSidebar']").get_by_text("Supplier", exact=True)).to_be_visible()

            other = open_page(browser, f"{url}/whatif")  # another browser session, not signed in
            expect(other.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
            expect(other.get_by_role("heading", name="What-if")).to_have_count(0)
