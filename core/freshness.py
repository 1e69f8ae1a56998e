"""How old each loaded report is, and which pages rest on stale data.

A report's age is counted from the newest date its rows carry (a snapshot date, the last order,
the last ledger day, the end of the last storage-fee month), not from when it was loaded: a file
loaded today can hold last month's data. Reports that carry no date of their own (Manage
Inventory, Restock, Fee Preview) are dated with their load day (or the date given at load).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import display, ingest
from core.schemas import BY_TYPE, SCHEMAS

# Storage fees are a monthly report, charged after the month ends; the cost sheet has no date.
DEFAULT_OVERRIDES: tuple[tuple[str, int | None], ...] = (
    ("GET_FBA_STORAGE_FEE_CHARGES_DATA", 45),
    ("PRODUCT_COSTS", None),
)


@dataclass(frozen=True)
class FreshnessParams:
    """When a report counts as stale.

    Parameters
    ----------
    stale_after_days : int
        A report is stale when its newest data is more than this many days old. Default 7.
    overrides : tuple of (report_type, days or None)
        Per-report limits; None means never stale. Default: monthly storage fees 45 days, product
        costs never. A tuple of pairs (not a dict) so the parameters stay hashable; change one with
        ``dataclasses.replace(params, overrides=params.overrides + (("GET_…", 14),))`` (the last
        pair for a report wins).
    """

    stale_after_days: int = 7
    overrides: tuple[tuple[str, int | None], ...] = DEFAULT_OVERRIDES

    def __post_init__(self) -> None:
        if self.stale_after_days < 0:
            raise ValueError("stale_after_days must be 0 or more")
        for report_type, days in self.overrides:
            if report_type not in BY_TYPE:
                raise ValueError(f"overrides: {report_type!r} is not a known report type")
            if days is not None and days < 0:
                raise ValueError(f"overrides: the limit for {report_type} must be 0 or more, or None")

    def limit_for(self, report_type: str) -> int | None:
        """Days after which this report is stale (None: never).

        >>> FreshnessParams().limit_for("GET_FBA_STORAGE_FEE_CHARGES_DATA"), FreshnessParams().limit_for("X")
        (45, 7)
        """
        return dict(self.overrides).get(report_type, self.stale_after_days)


AGE_COLUMNS = ["report_type", "title", "last_loaded_at", "data_last_date", "age_days", "stale_after_days",
               "stale"]


def report_age_table(summary: pd.DataFrame, today: dt.date, params: FreshnessParams = FreshnessParams()) -> pd.DataFrame:
    """Ages from a loaded-report summary (pure).

    Parameters
    ----------
    summary : pandas.DataFrame
        ``core.ingest.loaded_summary``'s columns report_type, last_date (newest date in the rows) and
        last_import (when it was last loaded).
    today : datetime.date
        The day ages are counted to.
    params : FreshnessParams
        Limits.

    Returns
    -------
    pandas.DataFrame
        report_type, title, last_loaded_at, data_last_date, age_days (``today − data_last_date``, in
        days; NA without a date), stale_after_days (NA: never stale), stale (``age_days >
        stale_after_days``; False when either is NA). Oldest first.

    Examples
    --------
    Last snapshot 2026-11-15, today 2026-11-23: 8 days old, stale after 7.

    >>> s = pd.DataFrame({"report_type": ["GET_FBA_INVENTORY_PLANNING_DATA"],
    ...                   "last_date": [dt.date(2026, 11, 15)], "last_import": [pd.NaT]})
    >>> report_age_table(s, dt.date(2026, 11, 23))[["age_days", "stale"]].values.tolist()
    [[8, True]]
    """
    last = pd.to_datetime(summary["last_date"])
    age = (pd.Timestamp(today) - last).dt.days.astype("Int64")
    limit = summary["report_type"].map(params.limit_for).astype("Int64")
    out = pd.DataFrame({
        "report_type": summary["report_type"].astype("str"),
        "title": summary["report_type"].map(lambda t: BY_TYPE[t].title if t in BY_TYPE else t).astype("str"),
        "last_loaded_at": pd.to_datetime(summary["last_import"]),
        "data_last_date": last.dt.date,
        "age_days": age,
        "stale_after_days": limit,
        "stale": (age > limit).fillna(False).astype(bool),
    })
    out = out.sort_values(["age_days", "report_type"], ascending=[False, True], na_position="last")
    return out.reset_index(drop=True)[AGE_COLUMNS]


def report_ages(db_path: Path, today: dt.date, params: FreshnessParams = FreshnessParams()) -> pd.DataFrame:
    """How old each loaded report is: ``report_age_table`` over ``core.ingest.loaded_summary``.

    Columns: report_type, title, last_loaded_at (the latest import, from the imports ledger),
    data_last_date (the newest date its current rows carry; the last day of the month for storage
    fees), age_days, stale_after_days, stale. One row per report type with data; none for an empty
    database.
    """
    return report_age_table(ingest.loaded_summary(db_path), today, params)


def stale_reports(db_path: Path, today: dt.date, params: FreshnessParams = FreshnessParams()) -> pd.DataFrame:
    """The rows of ``report_ages`` that are stale, oldest first."""
    ages = report_ages(db_path, today, params)
    return ages[ages["stale"]].reset_index(drop=True)


@dataclass(frozen=True)
class PageFreshness:
    """The oldest data a page uses, and the warning to show (None when it is fresh enough)."""

    report_type: str
    title: str
    data_last_date: dt.date
    age_days: int
    stale: bool
    warning: str | None


def short_title(title: str) -> str:
    """A report's title without its bracketed detail, for sentences.

    >>> short_title("FBA Inventory (inventory health / planning)")
    'FBA Inventory'
    """
    return title.split(" (")[0]


def staleness_warning(title: str, age_days: int, data_last_date: dt.date, snapshot: bool) -> str:
    """The sentence shown on a page resting on stale data.

    >>> staleness_warning("FBA Inventory (inventory health / planning)", 12, dt.date(2026, 11, 15), True)
    'The FBA Inventory report is 12 days old (last snapshot 15 Nov 2026).'
    """
    what = "last snapshot" if snapshot else "newest data"
    return (f"The {short_title(title)} report is {display.plural(age_days, 'day')} old "
            f"({what} {display.date(data_last_date)}).")


def page_freshness(ages: pd.DataFrame, tables_used: list[str]) -> PageFreshness | None:
    """The oldest dated report among ``tables_used`` in a ``report_ages`` frame (pure); None if none has data.

    The oldest stale report if any is stale, else the oldest. Reports that are never stale (product
    costs) or carry no date are left out.
    """
    by_table = {s.table: s.report_type for s in SCHEMAS}
    unknown = [t for t in tables_used if t not in by_table]
    if unknown:
        raise ValueError(f"tables_used: unknown table(s) {', '.join(unknown)}")
    types = {by_table[t] for t in tables_used}
    used = ages[ages["report_type"].isin(types) & ages["age_days"].notna() & ages["stale_after_days"].notna()]
    if used.empty:
        return None
    # A stale report comes first: a 20-day-old monthly fee report within its 45 days must not hide
    # an 8-day-old stale snapshot.
    oldest = used.sort_values(["stale", "age_days"], ascending=False).iloc[0]
    schema = BY_TYPE[oldest["report_type"]]
    age, last = int(oldest["age_days"]), oldest["data_last_date"]
    stale = bool(oldest["stale"])
    warning = staleness_warning(schema.title, age, last, schema.date_column == "snapshot_date") if stale else None
    return PageFreshness(schema.report_type, schema.title, last, age, stale, warning)


def page_staleness(db_path: Path, today: dt.date, tables_used: list[str],
                   params: FreshnessParams = FreshnessParams()) -> PageFreshness | None:
    """The oldest data a page uses (``tables_used``: report tables such as ``inventory_planning``).

    Returns None when none of those reports is loaded; otherwise a ``PageFreshness`` whose
    ``warning`` reads like "The FBA Inventory report is 12 days old (last snapshot 2026-11-15)." when
    that report is stale (``age_days > stale_after_days``), else None.
    """
    return page_freshness(report_ages(db_path, today, params), tables_used)
