"""When the next scheduled sync runs (core.spapi.schedule): crontab lines read by crontab(5)'s rules,
next runs worked out by hand on a calendar (7 Dec 2026 is a Monday)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.spapi.schedule import next_run, parse_line, scheduled_sync, suggested_line

MONDAY = dt.datetime(2026, 12, 7, 15, 30)  # Monday 7 December 2026, 15:30


@pytest.mark.parametrize("line, expected", [
    ("15 3 * * * fba-health sync", dt.datetime(2026, 12, 8, 3, 15)),  # tonight is past: tomorrow 03:15
    ("45 15 * * * fba-health sync", dt.datetime(2026, 12, 7, 15, 45)),  # later today
    ("30 15 * * * fba-health sync", dt.datetime(2026, 12, 8, 15, 30)),  # strictly after: not this minute
    ("*/20 * * * * fba-health sync", dt.datetime(2026, 12, 7, 15, 40)),  # 0, 20, 40 past the hour
    ("0 2 * * 0 fba-health sync", dt.datetime(2026, 12, 13, 2, 0)),  # Sunday 13 December
    ("0 2 * * 7 fba-health sync", dt.datetime(2026, 12, 13, 2, 0)),  # 7 is Sunday too
    ("0 2 * * sat fba-health sync", dt.datetime(2026, 12, 12, 2, 0)),
    ("0 6 * * mon-fri fba-health sync", dt.datetime(2026, 12, 8, 6, 0)),  # Tuesday
    ("0 0 1 * * fba-health sync", dt.datetime(2027, 1, 1, 0, 0)),
    ("0 0 1 jan * fba-health sync", dt.datetime(2027, 1, 1, 0, 0)),
    # both day fields restricted: either one runs (the 15th, or a Wednesday: 9 December comes first)
    ("0 4 15 * wed fba-health sync", dt.datetime(2026, 12, 9, 4, 0)),
    ("0 4 10,20 * * fba-health sync", dt.datetime(2026, 12, 10, 4, 0)),
    ("0 9-17/4 * * * fba-health sync", dt.datetime(2026, 12, 7, 17, 0)),  # 9, 13, 17
    ("@daily fba-health sync", dt.datetime(2026, 12, 8, 0, 0)),
    ("@hourly fba-health sync", dt.datetime(2026, 12, 7, 16, 0)),
    ("0 0 29 2 * fba-health sync", dt.datetime(2028, 2, 29, 0, 0)),  # over a year away: none within 367 days
])
def test_next_run_as_cron_would_run_it(line, expected):
    found = next_run(parse_line(line), MONDAY)
    assert found == (expected if expected < MONDAY + dt.timedelta(days=367) else None)


@pytest.mark.parametrize("line", ["# 15 3 * * * fba-health sync", "", "MAILTO=me@example.com",
                                  "@reboot fba-health sync", "61 3 * * * fba-health sync",
                                  "15 3 * * fba-health-sync", "0 0 31-1 * * fba-health sync"])
def test_lines_cron_would_not_run_are_ignored(line):
    assert parse_line(line) is None


def test_the_soonest_sync_line_of_a_crontab_and_none_without_one():
    crontab = ("MAILTO=me@example.com\n"
               "# nightly\n"
               "15 3 * * * cd ~/fba && fba-health sync --json >> sync.log 2>&1 && fba-health alerts\n"
               "0 * * * * fba-health alerts --email me@example.com\n"
               "0 16 * * 1 fba-health sync --report restock\n")
    found = scheduled_sync(crontab, MONDAY)
    assert found.next_run == dt.datetime(2026, 12, 7, 16, 0)  # Monday 16:00 comes before Tuesday 03:15
    assert found.line == "0 16 * * 1 fba-health sync --report restock"
    assert scheduled_sync("0 * * * * fba-health alerts\n", MONDAY) is None
    assert scheduled_sync("", MONDAY) is None


def test_the_suggested_line_is_one_the_schedule_reads_back(tmp_path):
    """The line the Upload page offers runs this installation's fba-health, and once in the crontab the
    page finds it: next run 06:30 tomorrow (it is 15:30)."""
    (tmp_path / "fba-health").write_text("#!/bin/sh\n")
    line = suggested_line(tmp_path)
    assert line.startswith(f"30 6 * * * {tmp_path / 'fba-health'} sync && {tmp_path / 'fba-health'} alerts")
    assert scheduled_sync(line + "\n", MONDAY).next_run == dt.datetime(2026, 12, 8, 6, 30)
    assert suggested_line(tmp_path / "elsewhere").startswith("30 6 * * * fba-health sync")
