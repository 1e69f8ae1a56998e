"""Sync from Amazon through the Selling Partner API (python-amazon-sp-api, unpatched but for its endpoints).

One module per concern: ``credentials`` (where the secrets come from, the 0600 credentials file, the
marketplace setting), ``catalogue`` (report types, windows, history), ``client`` (endpoints, the rate
limiter, retries, the streamed download) and ``engine`` (the state in the database, guardrails, loading
through ``core.ingest.load_report``). See ``core.spapi.engine`` for the public API and its events.
"""

from core.spapi.catalogue import CATALOGUE, SyncReport
from core.spapi.client import AmazonUnreachable, FakeClock, Pace, SpapiError
from core.spapi.credentials import (AccountSettings, CredentialsStatus, MissingCredentials, credentials_status,
                                    load_account, save_account, write_credentials_file)
from core.spapi.engine import (HeldReport, LastSync, ReportResult, SyncEvent, accept_held, held_reports, last_sync,
                             sync)

__all__ = ["CATALOGUE", "SyncReport", "AmazonUnreachable", "FakeClock", "Pace", "SpapiError", "AccountSettings", "CredentialsStatus",
           "MissingCredentials", "credentials_status", "load_account", "save_account", "write_credentials_file",
           "HeldReport", "LastSync", "ReportResult", "SyncEvent", "accept_held", "held_reports", "last_sync", "sync"]
