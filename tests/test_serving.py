"""Who may open the app (issue 16): core/serving.py's rule, worked case by case; app.py applying it
(AppTest: refusal, the plain-words opt-in, incomplete sign-in); the settings that make local use
local; and every file of pages/ guarded so a deep link cannot run it without app.py's frame.
Real servers and Chromium: tests/test_e2e_serving.py."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import serving
from core.serving import OPEN_NETWORK_CONSENT, OPEN_NETWORK_ENV, is_loopback, serve_decision

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages/ is not installed; AppTest puts app.py's folder on the path too
    sys.path.insert(0, str(ROOT))

COMPLETE_AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-long-random-secret",
                 "client_id": "fba-health", "client_secret": "s3cret",
                 "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}


# --- the rule -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "127.255.255.254", "::1", "[::1]", "localhost",
                                     "LOCALHOST", " 127.0.0.1 ", "::ffff:127.0.0.1", "unix:///run/fba.sock"])
def test_loopback_addresses_are_local(address):
    assert is_loopback(address)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "[::]", "*", "192.168.1.20", "10.0.0.5",
                                     "fe80::1", "::ffff:192.168.1.20", "128.0.0.1", "my-laptop.local",
                                     "localhost.example.com", "127.0.0.1.nip.io"])
def test_every_other_address_is_not(address):
    """No address at all is Streamlit's default: every interface. Host names are not resolved."""
    assert not is_loopback(address)


def test_loopback_is_served_whatever_the_rest():
    for sign_in in (False, True):
        for opt_in in (None, "", OPEN_NETWORK_CONSENT):
            decision = serve_decision("127.0.0.1", sign_in, opt_in)
            assert decision.serve and not decision.open_network
            assert decision.reason == "The app listens on 127.0.0.1: only this computer can open it."


def test_a_network_address_with_sign_in_is_served():
    decision = serve_decision("0.0.0.0", True, None)
    assert decision.serve and not decision.open_network
    assert "everyone who opens it signs in first" in decision.reason


def test_a_network_address_without_sign_in_is_refused_with_the_three_ways_out():
    decision = serve_decision(None, False, None)
    assert not decision.serve and not decision.open_network
    reason = decision.reason
    assert reason.startswith("The app is set to listen on every network interface of this computer")
    assert "see, upload and remove this account's data" in reason
    assert "--server.address 127.0.0.1" in reason  # this computer only
    assert '"Serving a team"' in reason  # sign-in
    assert f"{OPEN_NETWORK_ENV}={OPEN_NETWORK_CONSENT}" in reason  # the opt-in, word for word
    assert "192.168.1.20 (Streamlit's server.address)" in serve_decision("192.168.1.20", False, None).reason


@pytest.mark.parametrize("value", ["1", "yes", "true", "YES", "yes-anyone", f"{OPEN_NETWORK_CONSENT}!",
                                   f"no-{OPEN_NETWORK_CONSENT}"])
def test_anything_but_the_consent_words_is_no_consent(value):
    decision = serve_decision("0.0.0.0", False, value)
    assert not decision.serve
    assert f'{OPEN_NETWORK_ENV} is set to "{value}", but only the words "{OPEN_NETWORK_CONSENT}"' in decision.reason


def test_the_consent_words_open_the_network_without_sign_in():
    for value in (OPEN_NETWORK_CONSENT, f"  {OPEN_NETWORK_CONSENT.upper()}\n"):
        decision = serve_decision("0.0.0.0", False, value)
        assert decision.serve and decision.open_network
        assert "anyone who can reach this computer can see, upload and remove" in decision.reason


def test_sign_in_needs_every_key_st_login_needs():
    assert serving.sign_in_missing(COMPLETE_AUTH) == []
    assert serving.sign_in_missing({}) == list(serving.SIGN_IN_KEYS)
    assert serving.sign_in_missing(None) == list(serving.SIGN_IN_KEYS)
    assert serving.sign_in_missing({**COMPLETE_AUTH, "cookie_secret": " ", "client_id": None}) == [
        "cookie_secret", "client_id"]


# --- the settings that make local use local -------------------------------------------------------------

def test_the_project_config_listens_on_127_0_0_1():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert is_loopback(config["server"]["address"])


def test_make_run_passes_an_address_only_when_asked():
    import subprocess

    plain = subprocess.run(["make", "-n", "-W", ".venv/.installed-stamp", "run"], cwd=ROOT, capture_output=True,
                           text=True, timeout=30).stdout
    team = subprocess.run(["make", "-n", "-W", ".venv/.installed-stamp", "run", "ADDRESS=0.0.0.0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30).stdout
    run_line = lambda out: next(line for line in out.splitlines() if "streamlit run app.py" in line)  # noqa: E731
    assert "--server.address" not in run_line(plain)  # .streamlit/config.toml's 127.0.0.1
    assert run_line(team).rstrip().endswith("--server.address 0.0.0.0")


# --- every file of pages/ goes through app.py --------------------------------------------------------------

def test_every_file_in_pages_starts_with_the_frame_guard():
    """Streamlit's pages-directory mode (before the first st.navigation of a server process) runs any
    file of pages/ alone, helpers included (/common runs pages/_common.py): each must call
    ``_frame.require(__name__)`` as its first statement after the docstring and imports."""
    unguarded = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        statements = [node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom))
                      and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        first = ast.unparse(statements[0]) if statements else ""
        if path.name == "_frame.py":
            guarded = ast.unparse(body[-1]) == "require(__name__)"  # after the function it calls
        else:
            guarded = first == "_frame.require(__name__)"
        if not guarded:
            unguarded.append(f"{path.name}: {first[:60]}")
    assert unguarded == []


# --- app.py applies the rule (AppTest) -----------------------------------------------------------------

@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """An empty database, no demo, no opt-in; restores server.address after the test."""
    from streamlit import config

    monkeypatch.setenv("FBA_HEALTH_DB", str(tmp_path / "serving.duckdb"))
    monkeypatch.setenv("FBA_HEALTH_NO_DEMO", "1")
    monkeypatch.delenv(OPEN_NETWORK_ENV, raising=False)
    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


def run_app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_app_refuses_a_network_address_without_sign_in(app_env, tmp_path):
    app_env("0.0.0.0")
    at = run_app()
    assert [e.value for e in at.title] == ["FBA Inventory Health"]
    assert len(at.error) == 1
    assert at.error[0].value.startswith("**Not served: this address is open to your network without sign-in.**")
    assert f"{OPEN_NETWORK_ENV}={OPEN_NETWORK_CONSENT}" in at.error[0].value
    assert not at.sidebar.children  # no filters, no database line
    assert not (tmp_path / "serving.duckdb").exists()


def test_app_serves_a_network_address_on_the_plain_words_with_a_standing_warning(app_env, monkeypatch):
    app_env("0.0.0.0")
    monkeypatch.setenv(OPEN_NETWORK_ENV, OPEN_NETWORK_CONSENT)
    at = run_app()
    assert not at.error
    assert [e.value for e in at.title] == ["Inventory health"]  # the Overview page, in the frame
    warning = at.sidebar.warning[0].value
    assert warning.startswith("The app listens on every network interface of this computer without sign-in")


def test_app_on_127_0_0_1_has_no_warning(app_env):
    app_env("127.0.0.1")
    at = run_app()
    assert [e.value for e in at.title] == ["Inventory health"]
    assert not at.sidebar.warning and not at.error


def test_app_with_sign_in_configured_shows_the_gate_on_a_network_address(app_env):
    app_env("0.0.0.0")
    at = run_app({"auth": COMPLETE_AUTH})
    assert [e.value for e in at.title] == ["FBA Inventory Health"]
    assert at.button(key="sign_in").label == "Sign in"
    assert not at.error and not at.sidebar.children


def test_app_with_incomplete_sign_in_says_which_keys_are_missing(app_env):
    app_env("127.0.0.1")
    at = run_app({"auth": {k: v for k, v in COMPLETE_AUTH.items() if k not in ("cookie_secret", "client_secret")}})
    assert len(at.error) == 1
    assert at.error[0].value.startswith("**Sign-in is not set up completely.**")
    assert "is missing cookie_secret, client_secret." in at.error[0].value
    assert not at.button  # no Sign in button that would fail on click
