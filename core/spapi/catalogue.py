"""The reports a sync fetches: Amazon's report type ids, the app's names, and how far back each goes.

``CATALOGUE`` is the registry (one line per report): the UI, the CLI's ``--report`` and docs/reports.md
read it. ``windows`` turns "from this day to now" into the requests Amazon accepts.

Limits (Selling Partner API reports docs, reporttype-values): All Orders and Amazon Fulfilled Shipments
at most 30 days per request, up to 2 years back; the Fee Preview needs a start at least 72 hours before
now; the stock reports (FBA Inventory, Manage FBA Inventory, Restock) are today's snapshot and take no
dates; the ledger keeps 18 months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.schemas import BY_TYPE

OVERLAP_DAYS = 2  # later syncs start at the last loaded day minus this, for late-arriving rows


@dataclass(frozen=True)
class SyncReport:
    """One report a sync requests.

    ``name``: the short name for ``--report``; ``history_days``: how far back the first sync asks;
    ``window_days``: the longest window one request may cover (None: one request); ``snapshot``:
    today's state, no dates asked; ``start_lag_hours``: the start must be at least this long ago;
    ``sales``: an empty report is suspicious when sales were loaded around it.
    """

    report_type: str
    name: str
    history_days: int = 0
    window_days: int | None = None
    snapshot: bool = False
    start_lag_hours: int = 0
    sales: bool = False

    @property
    def title(self) -> str:
        return BY_TYPE[self.report_type].title


CATALOGUE: tuple[SyncReport, ...] = (
    SyncReport("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "all-orders", 730, 30, sales=True),
    SyncReport("GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL", "shipments", 730, 30, sales=True),
    SyncReport("GET_LEDGER_DETAIL_VIEW_DATA", "ledger", 540),
    SyncReport("GET_FBA_INVENTORY_PLANNING_DATA", "fba-inventory", snapshot=True),
    SyncReport("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "manage-inventory", snapshot=True),
    SyncReport("GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT", "restock", snapshot=True),
    SyncReport("GET_FBA_STORAGE_FEE_CHARGES_DATA", "storage-fees", 540),
    SyncReport("GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "returns", 540),
    SyncReport("GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA", "fee-preview", snapshot=True, start_lag_hours=72),
)
BY_NAME = {r.name: r for r in CATALOGUE}
BY_REPORT_TYPE = {r.report_type: r for r in CATALOGUE}


def find(name: str) -> SyncReport:
    """A report by its short name, its report type id or its title (case-insensitive)."""
    for report in CATALOGUE:
        if name.lower() in (report.name, report.report_type.lower(), report.title.lower()):
            return report
    names = ", ".join(r.name for r in CATALOGUE)
    raise ValueError(f"report must be one of {names} (not {name!r})")


@dataclass(frozen=True)
class Window:
    """One request: ``start``/``end`` in UTC (None for a snapshot report)."""

    start: dt.datetime | None
    end: dt.datetime | None


def windows(report: SyncReport, now: dt.datetime, since: dt.datetime | None) -> list[Window]:
    """The requests that cover ``since`` .. ``now`` (from as far back as allowed when ``since`` is None).

    Examples
    --------
    >>> now = dt.datetime(2026, 11, 15, tzinfo=dt.timezone.utc)
    >>> len(windows(BY_NAME["all-orders"], now, None))  # 730 days in 30-day windows
    25
    >>> windows(BY_NAME["fee-preview"], now, None)[0].start.isoformat()
    '2026-11-12T00:00:00+00:00'
    """
    if report.snapshot:
        start = now - dt.timedelta(hours=report.start_lag_hours) if report.start_lag_hours else None
        return [Window(start, None)]
    earliest = now - dt.timedelta(days=report.history_days)
    start = max(since, earliest) if since is not None else earliest
    if start >= now:
        return []
    if report.window_days is None:
        return [Window(start, now)]
    step = dt.timedelta(days=report.window_days)
    out = []
    while start < now:
        end = min(start + step, now)
        out.append(Window(start, end))
        start = end
    return out
