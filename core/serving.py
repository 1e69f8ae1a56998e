"""Who may open the app: the rule that decides whether it serves at the address it listens on.

Local use listens on 127.0.0.1 (``.streamlit/config.toml``'s ``server.address``): only this computer
can open it. Any other address (0.0.0.0, a LAN address, or none at all, which Streamlit takes as every
network interface) lets anyone who can reach the computer see, upload and remove the account's data,
so the app serves it only with sign-in configured (Streamlit's OIDC, ``[auth]`` in
``.streamlit/secrets.toml``), or when the seller sets ``FBA_HEALTH_ALLOW_OPEN_NETWORK`` to the words
``yes-anyone-on-my-network-can-see-my-account``. The rule is documented in the README ("Serving a
team"). No Streamlit here: app.py reads the option, the secrets and the environment and passes them in.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

OPEN_NETWORK_ENV = "FBA_HEALTH_ALLOW_OPEN_NETWORK"
OPEN_NETWORK_CONSENT = "yes-anyone-on-my-network-can-see-my-account"
LOCAL_ADDRESS = "127.0.0.1"
# What st.login needs in [auth] for its default provider (streamlit.auth_util.validate_auth_credentials).
SIGN_IN_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
_EVERY_INTERFACE = {"", "0.0.0.0", "::", "[::]", "*"}


@dataclass(frozen=True)
class ServeDecision:
    """Whether to serve, and why, in words for the seller. ``open_network``: reachable beyond this
    computer without sign-in (served only on the seller's explicit opt-in)."""

    serve: bool
    reason: str
    open_network: bool = False


def is_loopback(address: str | None) -> bool:
    """True when ``address`` (Streamlit's ``server.address``) can only be reached from this computer.

    Loopback addresses (127.0.0.0/8, ::1, also IPv4-mapped), ``localhost`` and Unix sockets
    (``unix://...``) are local; no address (Streamlit then listens on every interface), 0.0.0.0, ``::``,
    any other IP address and any other host name are not (a host name is not resolved: a name that
    happens to point at 127.0.0.1 today is not trusted).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback(None), is_loopback("0.0.0.0"), is_loopback("192.168.1.20")
    (False, False, False)
    """
    text = (address or "").strip()
    if text.startswith("unix://"):
        return True
    text = text.lower()
    if text in _EVERY_INTERFACE:
        return False
    if text == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(text[1:-1] if text.startswith("[") and text.endswith("]") else text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def describe_address(address: str | None) -> str:
    """Where the server listens, in words: 'every network interface of this computer' or the address."""
    text = (address or "").strip()
    if text.lower() in _EVERY_INTERFACE:
        return "every network interface of this computer"
    return text


def open_network_consented(value: str | None) -> bool:
    """True only when the environment variable holds the consent words themselves (case and
    surrounding spaces aside): ``1``, ``yes`` or ``true`` are not consent to show the account to a
    whole network."""
    return (value or "").strip().lower() == OPEN_NETWORK_CONSENT


def sign_in_missing(auth: Mapping | None) -> list[str]:
    """The keys st.login's default provider still needs in ``[auth]`` (empty when sign-in is complete).
    ``auth`` is the ``[auth]`` section of ``.streamlit/secrets.toml``, None when there is none; a value
    that is blank counts as missing.

    Examples
    --------
    >>> sign_in_missing({"redirect_uri": "http://x/oauth2callback", "cookie_secret": "s", "client_id": "c"})
    ['client_secret', 'server_metadata_url']
    """
    auth = auth or {}
    return [key for key in SIGN_IN_KEYS if not str(auth.get(key) or "").strip()]


def serve_decision(address: str | None, sign_in_configured: bool, opt_in: str | None) -> ServeDecision:
    """Serve or refuse, with the reason in words a seller acts on.

    Parameters
    ----------
    address : the ``server.address`` Streamlit listens on (None or "" when unset: every interface).
    sign_in_configured : True when ``[auth]`` holds every key of ``SIGN_IN_KEYS``.
    opt_in : the value of ``FBA_HEALTH_ALLOW_OPEN_NETWORK`` (None when unset).

    Returns
    -------
    ServeDecision: served on a loopback address always; on any other address with sign-in, or without
    it only when ``opt_in`` is ``OPEN_NETWORK_CONSENT`` (``open_network`` is then True); refused
    otherwise, the reason naming the three ways out.

    Examples
    --------
    >>> serve_decision("127.0.0.1", False, None).serve
    True
    >>> serve_decision("0.0.0.0", False, "yes").serve
    False
    >>> serve_decision("0.0.0.0", False, OPEN_NETWORK_CONSENT).open_network
    True
    """
    where = describe_address(address)
    if is_loopback(address):
        return ServeDecision(True, f"The app listens on {where}: only this computer can open it.")
    if sign_in_configured:
        return ServeDecision(True, f"The app listens on {where}; everyone who opens it signs in first.")
    if open_network_consented(opt_in):
        return ServeDecision(True, f"The app listens on {where} without sign-in, as {OPEN_NETWORK_ENV} says: "
                                   "anyone who can reach this computer can see, upload and remove this "
                                   "account's data.", open_network=True)
    wrong_words = (f" {OPEN_NETWORK_ENV} is set to \"{opt_in.strip()[:60]}\", but only the words "
                   f"\"{OPEN_NETWORK_CONSENT}\" open the app to the network without sign-in."
                   if (opt_in or "").strip() else "")
    return ServeDecision(False, (
        f"The app is set to listen on {where} (Streamlit's server.address), so anyone on your network "
        "could open it and see, upload and remove this account's data, and sign-in is not set up. "
        f"It is not served.{wrong_words} Either use it on this computer only: start it with `make run` "
        f"from the project folder (it listens on {LOCAL_ADDRESS}), or add --server.address {LOCAL_ADDRESS}; "
        "or set up sign-in in .streamlit/secrets.toml (README, \"Serving a team\"); or, to serve your "
        f"network without sign-in all the same, set {OPEN_NETWORK_ENV}={OPEN_NETWORK_CONSENT}."))
