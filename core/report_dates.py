"""The day a report describes, for the reports that carry no date of their own.

Manage FBA Inventory, Restock Inventory recommendations and the FBA Fee Preview are snapshots of
the day they were downloaded, but nothing in the file says which day. Dating them "today" when they
are loaded weeks later puts them beside the wrong stock snapshot: a Fee Preview dated after the
as-of date is then left out of every figure (fees estimated instead, brand unknown). So a date is
suggested only where it is unambiguous (a date in the file name, or the one stock snapshot date of
the files loaded with it); otherwise the seller is asked. The seller always sees the date before
the file is used, and may change it.

A dated snapshot far from the as-of date is never dropped from a figure in silence either:
``snapshot_gaps`` names the report, its date and what it affects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core import db, display
from core.schemas import BY_TYPE

# 2026-11-15, 2026_11_15, 2026.11.15 or 20261115, not inside a longer run of digits (a report id).
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")

# Days between a snapshot and the as-of date beyond which the page says so.
GAP_DAYS = 3


@dataclass(frozen=True)
class SuggestedDate:
    """A suggested snapshot date (None: the seller must give one) and where it comes from, in words."""

    date: dt.date | None
    reason: str


def date_in_file_name(name: str) -> dt.date | None:
    """The one calendar date written in a file name, else None (none, several different, or invalid).

    Examples
    --------
    >>> date_in_file_name("myi_2026-11-15.txt")
    datetime.date(2026, 11, 15)
    >>> date_in_file_name("Restock_20261115.csv")
    datetime.date(2026, 11, 15)
    >>> date_in_file_name("12345678901234.txt") is None  # Amazon's numeric report id
    True
    """
    found = set()
    for year, month, day in _DATE_IN_NAME.findall(Path(name).name):
        try:
            found.add(dt.date(int(year), int(month), int(day)))
        except ValueError:  # 2026-02-30
            continue
    return found.pop() if len(found) == 1 else None


def suggest_snapshot_date(file_name: str, batch_snapshot_dates: Iterable[dt.date] = ()) -> SuggestedDate:
    """The date to suggest for a report without one of its own.

    In order: the date in the file name; the stock snapshot date of the FBA Inventory files loaded
    with it, when they all share one; else none (the seller is asked).
    """
    named = date_in_file_name(file_name)
    if named is not None:
        return SuggestedDate(named, f"the date in the file name ({display.date(named)})")
    batch = sorted(set(batch_snapshot_dates))
    if len(batch) == 1:
        return SuggestedDate(batch[0],
                             f"the FBA Inventory snapshot loaded with it ({display.date(batch[0])})")
    if len(batch) > 1:
        return SuggestedDate(None, "the FBA Inventory files loaded with it have several dates")
    return SuggestedDate(None, "neither the file name nor the files loaded with it give a date")


# --- snapshots far from the as-of date ------------------------------------------------------------

# Report table -> what a snapshot of it feeds, in the seller's words.
AFFECTS = {
    "manage_inventory": "unit volumes for storage fees, reserved and unsellable units, and the "
                        "Reconciliation checks",
    "restock": "Amazon's inbound quantities and recommendations on the Reconciliation page",
    "fee_preview": "FBA fees per unit (gross profit, ROI, clearance prices), size tiers and the Brand filter",
}


@dataclass(frozen=True)
class SnapshotGap:
    """A report whose snapshot does not match the as-of date, and what that changes."""

    table: str
    title: str
    used_date: dt.date | None  # the snapshot the figures use (on or before the as-of date), if any
    nearest_date: dt.date  # the snapshot nearest the as-of date
    as_of: dt.date
    message: str


def snapshot_gaps(db_path: Path, as_of: dt.date, gap_days: int = GAP_DAYS) -> list[SnapshotGap]:
    """The undated-report snapshots that are not used at ``as_of``, or are used though more than
    ``gap_days`` away from it.

    The readers take the newest snapshot on or before the as-of date (``arg_max(.., snapshot_date)
    WHERE snapshot_date <= as_of``), so a snapshot dated after it is left out, and an older one is
    used as it is. Both are said, with the report's name, its date and what it feeds.
    """
    gaps = []
    with db.connect(db_path) as con:
        for table, affects in AFFECTS.items():
            before, after = con.execute(
                f"SELECT max(snapshot_date) FILTER (WHERE snapshot_date <= $d), "
                f"min(snapshot_date) FILTER (WHERE snapshot_date > $d) FROM {table}", {"d": as_of}).fetchone()
            if before is None and after is None:
                continue
            title = next(s.title for s in BY_TYPE.values() if s.table == table)
            if before is not None and (as_of - before).days <= gap_days:
                continue
            if before is None:
                message = (f"The {title} report is dated {display.date(after)}, after the as-of date "
                           f"({display.date(as_of)}), so it is not used for {affects}. If it describes "
                           f"{display.date(as_of)}, change its date on the Upload reports page.")
                nearest = after
            else:
                late = after is not None and (after - as_of).days < (as_of - before).days
                nearest = after if late else before
                message = (f"The {title} report used is dated {display.date(before)}, "
                           f"{(as_of - before).days} days before the as-of date ({display.date(as_of)}); "
                           f"{affects} come from it."
                           + (f" A newer one dated {display.date(after)} is after the as-of date and is not "
                              f"used." if after is not None else ""))
            gaps.append(SnapshotGap(table, title, before, nearest, as_of, message))
    return gaps


def redate_import(db_path: Path, import_id: int, snapshot_date: dt.date) -> int:
    """Give an undated report's import another snapshot date; returns how many rows moved.

    Refused (``ValueError``) for a report with a date of its own, or where another current import of
    the same report already holds that date (remove it first): two snapshots of one day would
    otherwise both count.
    """
    with db.writing(db_path) as con:
        found = con.execute("SELECT report_type, table_name FROM imports WHERE import_id = $id",
                            {"id": import_id}).fetchone()
        if found is None:
            raise ValueError(f"import #{import_id} does not exist")
        report_type, table = found
        schema = BY_TYPE[report_type]
        if not schema.snapshot_from_load:
            raise ValueError(f"the {schema.title} report carries its own dates; they cannot be changed")
        clash = con.execute(
            f"SELECT DISTINCT import_id FROM {table}_rows WHERE superseded_by IS NULL "
            f"AND snapshot_date = $d AND import_id <> $id", {"d": snapshot_date, "id": import_id}).fetchone()
        if clash:
            raise ValueError(f"import #{clash[0]} already holds a {schema.title} snapshot of "
                             f"{display.date(snapshot_date)}; remove it first")
        con.execute("BEGIN TRANSACTION")
        try:
            moved = con.execute(f"UPDATE {table}_rows SET snapshot_date = $d WHERE import_id = $id",
                                {"d": snapshot_date, "id": import_id}).fetchone()[0]
            # Rows it had replaced shared its old date; at the new date they replace nothing.
            con.execute(f"UPDATE {table}_rows SET superseded_by = NULL WHERE superseded_by = $id",
                        {"id": import_id})
            con.execute("UPDATE imports SET snapshot_date = $d, date_min = $d, date_max = $d "
                        "WHERE import_id = $id", {"d": snapshot_date, "id": import_id})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return moved
