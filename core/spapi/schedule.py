"""When the next scheduled sync runs: the seller's own crontab, read, never written.

The app schedules nothing itself (a local app is not running at 3 am; cron is). The README gives the
nightly line; the Upload page reads ``crontab -l`` and shows when a line that runs ``fba-health sync``
fires next, or says that none is scheduled.

Cron's rules (crontab(5)): five fields, minute hour day-of-month month day-of-week, each ``*``, a number,
a range ``a-b``, a step ``*/s`` or ``a-b/s``, or a comma list of those; month and weekday names (``jan``,
``mon``); weekday 0 and 7 are Sunday; when both day fields are restricted a day matching EITHER runs;
``@daily`` and the other macros. Times are the machine's local time.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SYNC_COMMAND = "fba-health sync"
MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
          "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                       "nov", "dec"), start=1)}
_DAYS = {d: n for n, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_LIMITS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 7, _DAYS))


@dataclass(frozen=True)
class CronLine:
    """One crontab line: the values each field allows, whether the day fields were ``*``, the line."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday (7 folded into 0)
    any_day: bool
    any_weekday: bool
    text: str


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        span, _, step = part.partition("/")
        if span == "*":
            start, end = low, high
        else:
            first, _, last = span.partition("-")
            start = names.get(first) if first in names else int(first)
            end = (names.get(last) if last in names else int(last)) if last else (high if step else start)
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(values)


def parse_line(line: str) -> CronLine | None:
    """A crontab line as a ``CronLine``; None for a comment, a blank line, an environment setting,
    ``@reboot`` or a line cron itself would reject."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    words = text.split()
    if words[0].startswith("@"):
        if words[0].lower() not in MACROS:
            return None
        words = MACROS[words[0].lower()].split() + words[1:]
    if len(words) < 6 or "=" in words[0]:
        return None
    try:
        fields = [_field(w, low, high, names) for w, (low, high, names) in zip(words[:5], _LIMITS)]
    except ValueError:
        return None
    weekdays = frozenset(0 if d == 7 else d for d in fields[4])
    # Vixie cron: a day field that starts with "*" (also "*/2") does not restrict the other one.
    return CronLine(fields[0], fields[1], fields[2], fields[3], weekdays, words[2].startswith("*"),
                    words[4].startswith("*"), text)


def _runs_on(line: CronLine, day: dt.date) -> bool:
    if day.month not in line.months:
        return False
    by_day, by_weekday = day.day in line.days, (day.isoweekday() % 7) in line.weekdays
    if line.any_day or line.any_weekday:  # only a restricted field restricts
        return by_day and by_weekday
    return by_day or by_weekday


def next_run(line: CronLine, after: dt.datetime) -> dt.datetime | None:
    """The first minute strictly after ``after`` (local, naive) at which cron runs the line; None when
    it never runs within a year and a day (such as 31 February).

    >>> line = parse_line("15 3 * * * fba-health sync")
    >>> next_run(line, dt.datetime(2026, 12, 7, 3, 15))
    datetime.datetime(2026, 12, 8, 3, 15)
    """
    start = after.replace(second=0, microsecond=0)
    for offset in range(367):
        day = start.date() + dt.timedelta(days=offset)
        if not _runs_on(line, day):
            continue
        for hour in sorted(line.hours):
            for minute in sorted(line.minutes):
                when = dt.datetime.combine(day, dt.time(hour, minute))
                if when > after:
                    return when
    return None


@dataclass(frozen=True)
class ScheduledSync:
    next_run: dt.datetime
    line: str


def scheduled_sync(crontab: str, now: dt.datetime) -> ScheduledSync | None:
    """The soonest run of the crontab's lines that run ``fba-health sync`` (None: none is scheduled)."""
    runs = []
    for raw in crontab.splitlines():
        line = parse_line(raw) if SYNC_COMMAND in raw else None
        when = next_run(line, now) if line else None
        if when is not None:
            runs.append(ScheduledSync(when, line.text))
    return min(runs, key=lambda r: r.next_run, default=None)


def suggested_line(bin_folder: Path) -> str:
    """The nightly crontab line the README gives (sync at 06:30, then the alert digest on fresh data),
    with this installation's ``fba-health`` (cron's PATH does not have the project's .venv)."""
    command = bin_folder / "fba-health"
    fba = str(command) if command.exists() else "fba-health"
    return f"30 6 * * * {fba} sync && {fba} alerts --markdown --email you@example.com"


def read_crontab() -> str | None:
    """This user's crontab (``crontab -l``); None when there is no cron on the machine, "" when the
    user has no crontab."""
    if shutil.which("crontab") is None:
        return None
    try:
        done = subprocess.run(["crontab", "-l"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else ""
