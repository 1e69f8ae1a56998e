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

Slash dates (NN/NN/YYYY) read day first in Europe and month first in the US: ``slash_date_orders``
decides one order per column on the whole file, from the file's own evidence, the order the seller
states, or the marketplace, and refuses a file that none of them settles (docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core import db, display
from core.schemas import BY_TYPE
from core.values import DATE_ORDERS, iso_date_parts, marketplace_date_order, slash_parts

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


# --- slash dates: day first or month first --------------------------------------------------------

_ORDER_WORDS = {"mdy": "month first (MM/DD/YYYY)", "dmy": "day first (DD/MM/YYYY)"}
_ASK = ("Load it again saying how its dates are written (Date order on the Upload reports page, or "
        "--date-order dmy for day first as in Europe, mdy for month first as in the US), or write the "
        "dates as YYYY-MM-DD.")


@dataclass(frozen=True)
class DateOrder:
    """How the slash dates (NN/NN/YYYY) of one column of a file read, and what says so.

    ``order`` is 'mdy' or 'dmy', or None where the file must be refused (``error`` says why).
    ``proven``: the file itself shows it (a day above 12, or the same day in an ISO column); else it
    comes from the file's other columns, the order the seller gave, or the marketplace.
    """

    column: str
    order: str | None
    reason: str = ""
    proven: bool = False
    error: str | None = None

    @property
    def note(self) -> str | None:
        """A line for the load's notes where the reading is not the US one or not shown by the column."""
        if self.order is None or (self.order == "mdy" and self.proven):
            return None
        return f'{self.reason[0].upper()}{self.reason[1:]}: dates read {_ORDER_WORDS[self.order]}.'


def _quoted(value) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def slash_date_orders(con, schema, mapping: dict[str, int], header: list[str],
                      date_order: str | None = None) -> list[DateOrder]:
    """Decide, for each date or timestamp column of a staged file that holds slash dates NN/NN/YYYY,
    whether the day or the month comes first: one order per column, decided on the whole file.

    Reads ingest's temp table ``stage_rows`` (``raw_<column>`` holds each typed cell as written) in
    SQL. The evidence, strongest first:
    1. the column itself: a first number above 12 proves day first, a second one month first; both
       in one column is refused as mixed;
    2. an ISO column that writes the same day (``schema.same_day``: the ledger's Date and Time): the
       order under which the two agree; refused where it contradicts 1;
    3. the other slash-date columns of the file, where they agree;
    4. ``date_order`` ('dmy' or 'mdy'), the order the seller states; refused where 1 or 2 contradict it;
    5. the marketplace (``schema.marketplace_column``, see ``core.values.MARKETPLACE_DATE_ORDER``),
       where every row names one that writes dates the same way.
    With none of them (every date reads both ways), the file is refused, asking for the order.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    dated = [n for n in mapping if schema.column(n).type in ("date", "timestamp")]
    if not dated:
        return []
    has_slash = con.execute("SELECT " + ", ".join(
        f"bool_or(contains(raw_{n}, '/'))" for n in dated) + " FROM stage_rows").fetchone()
    dated = [n for n, found in zip(dated, has_slash) if found]
    if not dated:
        return []

    # One pass over the staged rows: the numbers of each slash date (and of its ISO partner) are
    # taken apart once per row in the inner query, and counted by the outer one.
    inner, middle, aggregates = ["rowid AS line"], ["line"], []

    def measure(condition: str, value: str) -> int:
        """Adds the count, first line and first value where ``condition`` holds; returns its index."""
        aggregates.extend([f"count(*) FILTER (WHERE {condition})", f"min(line) FILTER (WHERE {condition}) + 2",
                           f"arg_min({value}, line) FILTER (WHERE {condition})"])
        return len(aggregates) - 3

    plans = {}
    for k, name in enumerate(dated):
        inner += [f"raw_{name} AS r{k}", f"{slash_parts(f'raw_{name}')} AS x{k}"]
        middle += [f"r{k}"] + [f"TRY_CAST(x{k}.{part} AS INTEGER) AS {part[0]}{k}" for part in ("first", "second", "year")]
        f, s, y = f"f{k}", f"s{k}", f"y{k}"
        plan = {"slash": measure(f"{f} IS NOT NULL", f"r{k}"), "differ": measure(f"{f} <> {s}", f"r{k}"),
                "day": measure(f"{f} > 12 AND {s} <= 12", f"r{k}"),
                "month": measure(f"{s} > 12 AND {f} <= 12", f"r{k}")}
        partner = next((p for c, p in schema.same_day if c == name and p in mapping), None)
        if partner is not None:
            inner += [f"raw_{partner} AS q{k}", f"{iso_date_parts(f'raw_{partner}')} AS z{k}"]
            middle += [f"q{k}"] + [f"TRY_CAST(z{k}.{part} AS INTEGER) AS {part}{k}" for part in ("year", "month", "day")]
            same_year = f"{f} <> {s} AND year{k} = {y}"
            pair = f"r{k} || ' / ' || q{k}"
            plan["partner"] = partner
            plan["iso_day"] = measure(f"{same_year} AND month{k} = {s} AND day{k} = {f}", pair)
            plan["iso_month"] = measure(f"{same_year} AND month{k} = {f} AND day{k} = {s}", pair)
        plans[name] = plan
    market = schema.marketplace_column if schema.marketplace_column in mapping else None
    if market:
        inner.append(f"{market} AS market")
        middle += ["market", f"{marketplace_date_order('market')} AS market_order"]
        aggregates += ["count(DISTINCT market_order)", "min(market_order)",
                       "count(*) FILTER (WHERE market IS NOT NULL AND market_order IS NULL)",
                       "string_agg(DISTINCT market, ', ' ORDER BY market)"]
    row = con.execute(f"SELECT {', '.join(aggregates)} FROM (SELECT {', '.join(middle)} FROM "
                      f"(SELECT {', '.join(inner)} FROM stage_rows))").fetchone()

    def found(plan: dict, key: str) -> tuple[int, int, str]:
        i = plan[key]
        return row[i], row[i + 1], row[i + 2]

    hint = None
    if market:
        kinds, order, unknown, names = row[-4:]
        shown = names if len(names or "") <= 40 else names[:40] + " …"
        if kinds == 1 and not unknown:
            hint = (order, f'the marketplace ({shown}) writes dates {_ORDER_WORDS[order].split(" (")[0]}')

    # Nothing to decide where no date is NN/NN/YYYY (YYYY/MM/DD), or each reads the same both ways (05/05).
    plans = {name: plan for name, plan in plans.items() if found(plan, "differ")[0]}
    decided: dict[str, DateOrder] = {}
    own: dict[str, DateOrder] = {}
    for name, plan in plans.items():
        title = header[mapping[name]]
        n_day, day_line, day_value = found(plan, "day")
        n_month, month_line, month_value = found(plan, "month")
        if n_day and n_month:
            decided[name] = DateOrder(name, None, error=(
                f'Column "{title}" mixes two date orders: line {day_line} ({_quoted(day_value)}) has the day '
                f'first, line {month_line} ({_quoted(month_value)}) the month first. Download the report '
                f'again, or write its dates as YYYY-MM-DD.'))
            continue
        evidence = None
        if n_day or n_month:
            line, value = (day_line, day_value) if n_day else (month_line, month_value)
            evidence = DateOrder(name, "dmy" if n_day else "mdy", proven=True, reason=(
                f'column "{title}" has a day above 12 in the {"first" if n_day else "second"} place '
                f'(line {line}: {_quoted(value)})'))
        if "partner" in plan:
            partner_title = header[mapping[plan["partner"]]]
            n_iso_day, iso_day_line, iso_day_value = found(plan, "iso_day")
            n_iso_month, iso_month_line, iso_month_value = found(plan, "iso_month")
            iso_order = None
            if n_iso_day and n_iso_month:
                decided[name] = DateOrder(name, None, error=(
                    f'Columns "{title}" and "{partner_title}" disagree: they give the same day on line '
                    f'{iso_day_line} ({_quoted(iso_day_value)}) only if the day comes first, on line '
                    f'{iso_month_line} ({_quoted(iso_month_value)}) only if the month does. Download the '
                    f'report again.'))
                continue
            if n_iso_day or n_iso_month:
                iso_order = "dmy" if n_iso_day else "mdy"
                line = iso_day_line if n_iso_day else iso_month_line
                if evidence is not None and evidence.order != iso_order:
                    decided[name] = DateOrder(name, None, error=(
                        f'Column "{title}" is written {_ORDER_WORDS[evidence.order]} ({evidence.reason}), but '
                        f'column "{partner_title}" gives the same days only {_ORDER_WORDS[iso_order]} (line '
                        f'{line}). Download the report again.'))
                    continue
                if evidence is None:
                    evidence = DateOrder(name, iso_order, proven=True, reason=(
                        f'column "{partner_title}" gives the same days (line {line})'))
        if evidence is not None:
            own[name] = evidence
    proven = {e.order for e in own.values()}
    for name in plans:
        if name in decided:
            continue
        title = header[mapping[name]]
        evidence = own.get(name)
        if evidence is not None and date_order is not None and evidence.order != date_order:
            decided[name] = DateOrder(name, None, error=(
                f'Column "{title}" is written {_ORDER_WORDS[evidence.order]}: {evidence.reason}; not '
                f'{_ORDER_WORDS[date_order]} as the date order given for the file says.'))
        elif evidence is not None:
            decided[name] = evidence
        elif len(proven) == 1:
            other = next(e for e in own.values())
            order = next(iter(proven))
            if date_order is not None and date_order != order:
                decided[name] = DateOrder(name, None, error=(
                    f'The file is written {_ORDER_WORDS[order]} ({other.reason}), not '
                    f'{_ORDER_WORDS[date_order]} as the date order given for the file says.'))
            else:
                decided[name] = DateOrder(name, order, proven=True, reason=other.reason)
        elif date_order is not None:
            decided[name] = DateOrder(name, date_order, reason="as the date order given for the file says")
        elif hint is not None:
            decided[name] = DateOrder(name, hint[0], reason=hint[1])
        else:
            _, line, value = found(plans[name], "slash")
            mixed_markets = " (its marketplaces write dates in different orders)" if market and row[-4] > 1 else ""
            decided[name] = DateOrder(name, None, error=(
                f'Column "{title}": no date in it tells the day from the month (every one is NN/NN/YYYY with '
                f'both numbers 12 or less, such as line {line}: {_quoted(value)}), and nothing else in the '
                f'file says which comes first{mixed_markets}. {_ASK}'))
    return [decided[name] for name in plans]
