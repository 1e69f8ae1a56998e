"""Where the Selling Partner API credentials come from, and the account settings beside them.

The refresh token, LWA client id and LWA client secret are read by the client library itself
(python-amazon-sp-api), from the environment (``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``,
``LWA_CLIENT_SECRET``) or from its own credentials file (``credentials.yml`` in confuse's config
folder for ``python-sp-api``: ``~/.config/python-sp-api/`` on Linux, or ``$XDG_CONFIG_HOME``). This
module never returns, logs or stores their values: ``credentials_status`` says only where they come
from and which are missing. The marketplace (and so the region NA / EU / FE) is an app setting in the
database (``core.settings``), because it is not a secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core import settings

ENV_NAMES = {"refresh_token": "SP_API_REFRESH_TOKEN", "lwa_app_id": "LWA_APP_ID",
             "lwa_client_secret": "LWA_CLIENT_SECRET"}
LABELS = {"refresh_token": "refresh token", "lwa_app_id": "LWA client id",
          "lwa_client_secret": "LWA client secret"}
REGIONS = ("NA", "EU", "FE")
REGION_NAMES = {"NA": "North America", "EU": "Europe", "FE": "Far East"}
MARKETPLACE_NAMES = {  # the library's marketplace codes (UK and GB are the same store)
    "US": "United States", "CA": "Canada", "MX": "Mexico", "BR": "Brazil", "GB": "United Kingdom",
    "UK": "United Kingdom", "DE": "Germany", "FR": "France", "IT": "Italy", "ES": "Spain", "NL": "Netherlands",
    "BE": "Belgium", "PL": "Poland", "SE": "Sweden", "IE": "Ireland", "TR": "Türkiye", "AE": "United Arab Emirates",
    "SA": "Saudi Arabia", "EG": "Egypt", "IN": "India", "ZA": "South Africa", "JP": "Japan", "AU": "Australia",
    "SG": "Singapore"}
SETTINGS_NAME = "spapi"


class MissingCredentials(Exception):
    """No usable credentials: the message says what is missing and where to put it."""


@dataclass(frozen=True)
class CredentialsStatus:
    """Where the credentials come from, never what they are.

    ``source``: ``environment``, ``file`` or ``None`` (not set up); ``path``: the library's
    credentials file (whether or not it exists); ``missing``: the labels of what is missing.
    """

    source: str | None
    path: Path
    missing: tuple[str, ...]

    @property
    def configured(self) -> bool:
        return self.source is not None and not self.missing

    def describe(self) -> str:
        """One sentence for the seller."""
        if self.configured:
            where = "the environment" if self.source == "environment" else f"the file {self.path}"
            return f"Amazon credentials are read from {where}."
        if self.source is None:
            return ("No Amazon credentials are set up: set SP_API_REFRESH_TOKEN, LWA_APP_ID and "
                    f"LWA_CLIENT_SECRET in the environment, or write them to {self.path} (Settings).")
        if self.source == "environment":
            names = ", ".join(f"{m} ({ENV_NAMES[k]})" for k, m in LABELS.items() if m in self.missing)
            return f"The Amazon credentials in the environment lack the {names}."
        return f"The Amazon credentials in the file {self.path} lack the {', '.join(self.missing)}."


def credentials_file() -> Path:
    """The library's credentials file, found as the library finds it (confuse's config folder)."""
    import confuse
    return Path(confuse.Configuration("python-sp-api", read=False).config_dir()) / "credentials.yml"


def _from_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    import yaml
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    account = data.get("default") if isinstance(data, dict) else None
    return {k: str(v) for k, v in (account or {}).items() if k in ENV_NAMES and v}


def _found() -> tuple[str | None, dict[str, str]]:
    env = {k: os.environ[name] for k, name in ENV_NAMES.items() if os.environ.get(name)}
    if len(env) == len(ENV_NAMES):  # the library tries the environment first, then its file
        return "environment", env
    from_file = _from_file(credentials_file())
    if len(from_file) == len(ENV_NAMES) or (from_file and not env):
        return "file", from_file
    return ("environment", env) if env else (None, {})


def credentials_status() -> CredentialsStatus:
    """Where the credentials come from and what is missing (no value is ever returned)."""
    source, found = _found()
    return CredentialsStatus(source, credentials_file(),
                             tuple(LABELS[k] for k in ENV_NAMES if k not in found))


def load_credentials() -> dict[str, str]:
    """The credentials for the client (``refresh_token``, ``lwa_app_id``, ``lwa_client_secret``).

    Raises ``MissingCredentials`` with a seller-facing message when any is missing.
    """
    status = credentials_status()
    if not status.configured:
        raise MissingCredentials(status.describe())
    return _found()[1]


def write_credentials_file(*, refresh_token: str, lwa_app_id: str, lwa_client_secret: str,
                           path: Path | None = None) -> Path:
    """Write the library's credentials file, readable by its owner only (mode 0600); returns its path.

    The file is created 0600 before anything is written to it, so the secrets are never readable by
    others, even for a moment.
    """
    values = {"refresh_token": refresh_token, "lwa_app_id": lwa_app_id, "lwa_client_secret": lwa_client_secret}
    for key, value in values.items():
        if not value or not value.strip():
            raise ValueError(f"{key} must not be empty")
    import yaml
    target = Path(path) if path else credentials_file()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = yaml.safe_dump({"version": "1.0", "default": {k: v.strip() for k, v in values.items()}})
    temp = target.with_name(target.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(temp, target)
    return target


@dataclass(frozen=True)
class AccountSettings:
    """The seller's marketplace (``US``, ``DE``, ``JP`` … as the library names them) and its region."""

    marketplace: str = "US"

    def __post_init__(self):
        from sp_api.base import Marketplaces
        if self.marketplace not in Marketplaces.__members__:
            raise ValueError(f"marketplace must be one of {', '.join(Marketplaces.__members__)}")

    @property
    def label(self) -> str:
        """"Germany (amazon.de, Europe region)" style: what the seller picks."""
        return f"{MARKETPLACE_NAMES.get(self.marketplace, self.marketplace)} ({REGION_NAMES[self.region]} region)"

    @property
    def region(self) -> str:
        """NA, EU or FE: the regional endpoint the marketplace belongs to."""
        from sp_api.base import Marketplaces
        endpoint = Marketplaces[self.marketplace].endpoint
        return "NA" if "-na." in endpoint else "EU" if "-eu." in endpoint else "FE"


def load_account(db_path: Path) -> AccountSettings:
    """The saved marketplace (US when none is saved)."""
    saved = settings.load_raw(db_path, SETTINGS_NAME) or {}
    return AccountSettings(**{k: v for k, v in saved.items() if k == "marketplace"})


def save_account(db_path: Path, account: AccountSettings) -> None:
    settings.save_raw(db_path, SETTINGS_NAME, {"marketplace": account.marketplace, "region": account.region})
