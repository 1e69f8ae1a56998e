"""Sync from Amazon in the app (AppTest from app.py): the Upload reports page's section and the Settings
page's Amazon account, against the local fake Selling Partner API (tests/fake_spapi.py) with the real
client library. The sync runs in its background thread (core.spapi.background), for real; only Amazon's
pacing is sped up (its rate table and the poll interval), so a first sync's hour of waits takes seconds.
tests/test_e2e_sync.py presses Sync now in Chromium with Amazon's real pacing.
"""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from core.spapi import background, credentials_status, held_reports, last_sync, load_account
from core.spapi import client as spapi_client
from core.spapi import engine as spapi_engine
from tests.fake_spapi import FakeSpapi
from tests.test_pages import app, empty_db, pages_run_inside_app_py, texts  # noqa: F401 (fixtures)
from tests.test_sync import APP_ID, MYI, NOW, REFRESH, SECRET

pytestmark = pytest.mark.xdist_group("sync_pages")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """No credentials anywhere: a temporary HOME (the library's file), none in the environment."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET", "SP_API_DEFAULT_MARKETPLACE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


@pytest.fixture
def fast_fake(home, monkeypatch):
    """The fake on 127.0.0.1 with credentials in the environment, and Amazon's pacing at 1,000 a second."""
    server = FakeSpapi(now=NOW).start()
    # The day the sync runs, fixed: the demo's orders end on 15 Nov 2026, and a sync run weeks later would
    # (rightly) hold its empty last window back as "sales were expected".
    monkeypatch.setattr(spapi_engine, "utc_now", lambda: NOW)
    monkeypatch.setenv("FBA_HEALTH_SPAPI_ENDPOINT", server.url)
    monkeypatch.setenv("FBA_HEALTH_LWA_ENDPOINT", server.url)
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", REFRESH)
    monkeypatch.setenv("LWA_APP_ID", APP_ID)
    monkeypatch.setenv("LWA_CLIENT_SECRET", SECRET)
    for operation, (_, burst) in spapi_client.RATES.items():
        monkeypatch.setitem(spapi_client.RATES, operation, (1000.0, burst))
    monkeypatch.setattr(spapi_engine, "POLL_INTERVAL_S", 0.01)
    yield server
    server.stop()


def every_text(at) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error", "code", "text", "subheader")
    found = [texts(getattr(at, kind)) for kind in kinds]
    found += [str(frame.value.to_dict()) for frame in at.dataframe]
    return "\n".join(found)


def press_sync_and_wait(at):
    at.button(key="sync_now").click().run()
    job = background.current_job(os.environ["FBA_HEALTH_DB"])
    assert job is not None
    assert job.wait(timeout=240), "the sync did not end within 4 minutes"
    at.run()
    assert not at.exception, at.exception
    return job


def test_without_credentials_the_upload_page_says_what_is_missing_and_where(empty_db, home):
    at = app("pages/data.py")
    said = texts(at.info)
    assert "No Amazon credentials are set up: set SP_API_REFRESH_TOKEN, LWA_APP_ID and LWA_CLIENT_SECRET" in said
    assert str(home / ".config" / "python-sp-api" / "credentials.yml") in said
    assert not [b for b in at.button if b.key == "sync_now"]  # nothing to press until it can work
    assert "No sync is scheduled" in texts(at.caption)
    assert "fba-health sync" in texts(at.code) and "fba-health alerts" in texts(at.code)


def test_settings_writes_the_credentials_file_0600_and_never_shows_them(empty_db, home):
    at = app("pages/settings.py")
    at.text_input(key="spapi_refresh_token").input(REFRESH)
    at.text_input(key="spapi_lwa_app_id").input(APP_ID)
    at.text_input(key="spapi_lwa_client_secret").input("  ")  # blank: refused, nothing written
    at.button(key="spapi_save").click().run()
    assert "Nothing was saved: fill in the LWA client secret." in texts(at.error)
    path = home / ".config" / "python-sp-api" / "credentials.yml"
    assert not path.exists()

    at.text_input(key="spapi_refresh_token").input(REFRESH)
    at.text_input(key="spapi_lwa_app_id").input(APP_ID)
    at.text_input(key="spapi_lwa_client_secret").input(SECRET)
    at.button(key="spapi_save").click().run()
    assert not at.exception, at.exception
    assert f"Credentials saved to {path}, readable by you only." in texts(at.success)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert REFRESH in text and SECRET in text and APP_ID in text
    assert credentials_status().source == "file" and credentials_status().configured
    assert f"Amazon credentials are read from the file {path}." in texts(at.success)
    shown = every_text(at) + str([t.value for t in at.text_input])
    assert REFRESH not in shown and SECRET not in shown and APP_ID not in shown
    assert all(not t.value for t in at.text_input if t.key.startswith("spapi_"))  # the form was cleared
    assert REFRESH.encode() not in empty_db.read_bytes() and SECRET.encode() not in empty_db.read_bytes()


def test_the_first_sync_says_how_long_amazons_pacing_makes_it(empty_db, home, monkeypatch):
    """57 reports: a burst of 15, then one a minute for the other 42, twice (request, then download): 84 min."""
    for name, value in (("SP_API_REFRESH_TOKEN", REFRESH), ("LWA_APP_ID", APP_ID), ("LWA_CLIENT_SECRET", SECRET)):
        monkeypatch.setenv(name, value)
    at = app("pages/data.py")
    assert ("The next sync asks Amazon for 57 reports. Amazon allows 15 at once and then about one a minute, so "
            "it takes about 84 minutes; it runs on in the background while you use other pages.") in texts(at.caption)
    assert "No sync has run on this database yet." in texts(at.caption)


def test_settings_saves_the_marketplace_and_its_region(empty_db, home, monkeypatch):
    at = app("pages/settings.py")
    box = at.selectbox(key="spapi_marketplace")
    assert box.value == "US" and "United States (North America region)" in box.format_func("US")
    box.select("DE").run()
    assert "Marketplace saved: Germany (Europe region)." in texts(at.success)
    assert load_account(empty_db).marketplace == "DE" and load_account(empty_db).region == "EU"
    for name, value in (("SP_API_REFRESH_TOKEN", REFRESH), ("LWA_APP_ID", APP_ID), ("LWA_CLIENT_SECRET", SECRET)):
        monkeypatch.setenv(name, value)
    at = app("pages/data.py")
    assert "Marketplace: Germany (Europe region). Amazon credentials are read from the environment." in texts(at.caption)


def test_sync_now_loads_the_account_in_the_background_then_holds_a_5_percent_snapshot_until_accepted(
        empty_db, fast_fake, monkeypatch):
    at = app("pages/data.py")
    planned = spapi_engine.planned_requests(empty_db)
    assert planned == 25 + 25 + 7  # 2 years of orders and of shipments in 30-day windows, one each for the rest
    assert f"The next sync asks Amazon for {planned} reports." in texts(at.caption)
    job = press_sync_and_wait(at)
    assert job.stopped is None and len(job.results) == 9
    statuses = {r.report_type: r.status for r in job.results}
    assert statuses["GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"] == "empty"  # the fake cancels it: no data
    assert sum(s == "loaded" for s in statuses.values()) == 8
    rows = sum(r.rows_loaded for r in job.results)
    assert f"9 reports: 8 loaded, 1 with no data from Amazon; {rows:,} rows loaded." in texts(at.success)
    [table] = [d.value for d in at.dataframe if "Requests to Amazon" in d.value.columns]
    assert list(table["Report"]) == [r.title for r in job.results]
    assert set(table["Result"]) == {"Loaded", "No data from Amazon"}
    assert "Nothing is loaded yet" not in every_text(at)  # what is loaded is on the page now

    fast_fake.shrink = {MYI: 0.05}  # dated by the sync's day: tomorrow's snapshot would list 7 SKUs
    tomorrow = fast_fake.now = NOW + dt.timedelta(days=1)
    monkeypatch.setattr(spapi_engine, "utc_now", lambda: tomorrow)
    at.run()
    assert "The next sync asks Amazon for" in texts(at.caption)
    job = press_sync_and_wait(at)
    manage = next(r for r in job.results if r.report_type == MYI)
    assert manage.status == "held" and "lists 7 SKU(s), the last one loaded 150" in manage.errors[0]
    [held] = held_reports(empty_db)
    assert "Held back, not loaded." in texts(at.markdown)
    assert "A report was held back: see below." in texts(at.warning)
    at.button(key=f"accept_{held.request_key}").click().run()
    assert not at.exception, at.exception
    assert held_reports(empty_db) == []
    assert "Manage FBA Inventory: 7 rows loaded" in texts(at.success)
    assert not [b for b in at.button if b.key.startswith("accept_")]
    assert last_sync(empty_db).results == tuple(job.results)


def test_a_sync_that_cannot_reach_amazon_says_so_and_keeps_the_page(empty_db, fast_fake, monkeypatch):
    fast_fake.stop()
    monkeypatch.setattr(spapi_client, "BACKOFF_START_S", 0.01)
    at = app("pages/data.py")
    job = press_sync_and_wait(at)
    assert job.stopped_kind == "unreachable"
    said = texts(at.error)
    assert "Amazon could not be reached." in said and "check the internet connection" in said
    assert "Traceback" not in every_text(at)
    assert [b for b in at.button if b.key == "sync_now"]  # it can be pressed again
