"""Slash dates that cannot tell day from month (issue 16): a ledger export from a European
marketplace writes DD/MM/YYYY, and where every day is 12 or less each date also reads as MM/DD.

One order per column, decided on the whole file (core.report_dates.slash_date_orders): a day above
12 in either place, the ledger's ISO "Date and Time" column, the file's other date columns, the order
the seller states (``date_order`` / ``--date-order``), the marketplace; with none of them the file
is refused saying so. Files are built in Amazon's ledger format (../shared/amazon_reports.md §5:
Date MM/DD/YYYY in the US, Date and Time ``2026-05-13T00:00:00-0700``).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core import ingest
from tests.reportfiles import header, ledger_row, write_report

LEDGER = header("ledger_detail_2026_16")
# 182 events on days 1 to 12 of the months of 2026, 7 of them on a day that reads the same either way
# (1 January ... 7 July).
_SAME = [dt.date(2026, m, m) for m in range(1, 8)]
_OTHER = [dt.date(2026, m, d) for m in range(1, 13) for d in range(1, 13) if d != m]
EVENTS = sorted(_SAME + _OTHER + _OTHER[::3][:43])


def dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def mdy(d: dt.date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def ledger(path: Path, days: list[dt.date], write=dmy, *, iso: bool = True, country: str = "") -> Path:
    """A ledger detail file with one Shipments event per day: Date as ``write`` writes it, Date and
    Time the same local day in ISO (or empty), Country as given."""
    return write_report(path, LEDGER, [
        ledger_row(write(d), f"SKU-{i:04d}", "Shipments", -1, ref=f"113-{i}", Country=country,
                   **{"Date and Time": f"{d.isoformat()}T00:00:00+0100" if iso else ""})
        for i, d in enumerate(days)], bom=True)


def loaded_dates(db_path: Path) -> list[dt.date]:
    con = duckdb.connect(str(db_path))
    try:
        return [r[0] for r in con.execute("SELECT date FROM ledger_detail ORDER BY source_row").fetchall()]
    finally:
        con.close()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "inventory.duckdb"


def test_the_issue_case_a_european_ledger_is_read_by_its_iso_column(db_path, tmp_path):
    """175 of these 182 events were misdated (all days are 12 or less): the Date and Time column gives
    the same days only when the day comes first."""
    assert sum(d.day != d.month for d in EVENTS) == 175 and all(d.day <= 12 for d in EVENTS)
    result = ingest.load_report(db_path, ledger(tmp_path / "ledger.csv", EVENTS))
    assert (result.status, result.rows_loaded) == ("loaded", 182), result.errors
    assert loaded_dates(db_path) == EVENTS
    assert (result.date_min, result.date_max) == ("2026-01-01", "2026-12-11")
    assert 'Column "Date and Time" gives the same days (line 3): dates read day first (DD/MM/YYYY).' in result.warnings


def test_the_us_ledger_reads_month_first_without_a_note(db_path, tmp_path):
    result = ingest.load_report(db_path, ledger(tmp_path / "ledger.csv", EVENTS, mdy, country="US"))
    assert result.status == "loaded", result.errors
    assert loaded_dates(db_path) == EVENTS
    assert not any("dates read" in w for w in result.warnings)


def test_one_day_above_12_settles_the_whole_file(db_path, tmp_path):
    days = EVENTS[:20] + [dt.date(2026, 5, 13)]
    result = ingest.load_report(db_path, ledger(tmp_path / "ledger.csv", days, iso=False))
    assert result.status == "loaded", result.errors
    assert loaded_dates(db_path) == days
    assert result.warnings[0] == ('Column "Date" has a day above 12 in the first place (line 22: "13/05/2026"): '
                                  'dates read day first (DD/MM/YYYY).')
    result = ingest.load_report(db_path, ledger(tmp_path / "us.csv", days, mdy, iso=False))
    assert (result.status, result.rows_replaced) == ("loaded", 21), result.errors  # the same events
    assert loaded_dates(db_path) == days


def test_the_marketplace_settles_ambiguous_dates(db_path, tmp_path):
    result = ingest.load_report(db_path, ledger(tmp_path / "de.csv", EVENTS[:30], iso=False, country="DE"))
    assert result.status == "loaded", result.errors
    assert loaded_dates(db_path) == EVENTS[:30]
    assert "The marketplace (DE) writes dates day first: dates read day first (DD/MM/YYYY)." in result.warnings


def test_ambiguous_dates_with_no_evidence_are_refused_and_nothing_changes(db_path, tmp_path):
    ingest.load_report(db_path, ledger(tmp_path / "first.csv", [dt.date(2026, 5, 13)], mdy))
    for country in ("", "US,DE", "MX"):
        rows = [ledger_row(dmy(d), f"S-{i}", "Shipments", -1, Country=c)
                for i, (d, c) in enumerate(zip(EVENTS[:10], country.split(",") * 10))]
        path = write_report(tmp_path / f"amb{len(country)}.csv", LEDGER, rows)
        result = ingest.load_report(db_path, path)
        assert result.status == "rejected"
        mixed = " (its marketplaces write dates in different orders)" if "," in country else ""
        assert result.errors == (
            'Column "Date": no date in it tells the day from the month (every one is NN/NN/YYYY with both '
            'numbers 12 or less, such as line 2: "01/01/2026"), and nothing else in the file says which comes '
            f'first{mixed}. Load it again saying how its dates are written (Date order on the Upload reports '
            'page, or --date-order dmy for day first as in Europe, mdy for month first as in the US), or write '
            'the dates as YYYY-MM-DD.',)
    assert loaded_dates(db_path) == [dt.date(2026, 5, 13)]
    # Stated by the seller, it loads.
    result = ingest.load_report(db_path, path, date_order="dmy")
    assert result.status == "loaded", result.errors
    assert loaded_dates(db_path)[1:] == EVENTS[:10]
    assert "As the date order given for the file says: dates read day first (DD/MM/YYYY)." in result.warnings


def test_contradictions_are_refused(db_path, tmp_path):
    both = write_report(tmp_path / "mixed.csv", LEDGER, [
        ledger_row("13/05/2026", "S-1", "Shipments", -1), ledger_row("05/14/2026", "S-2", "Shipments", -1)])
    assert ingest.load_report(db_path, both).errors == (
        'Column "Date" mixes two date orders: line 2 ("13/05/2026") has the day first, line 3 ("05/14/2026") '
        'the month first. Download the report again, or write its dates as YYYY-MM-DD.',)
    stated = ledger(tmp_path / "stated.csv", [dt.date(2026, 5, 13)], iso=False)
    assert ingest.load_report(db_path, stated, date_order="mdy").errors == (
        'Column "Date" is written day first (DD/MM/YYYY): column "Date" has a day above 12 in the first place '
        '(line 2: "13/05/2026"); not month first (MM/DD/YYYY) as the date order given for the file says.',)
    iso_against = write_report(tmp_path / "iso.csv", LEDGER, [
        ledger_row("13/05/2026", "S-1", "Shipments", -1, **{"Date and Time": "2026-05-13T00:00:00+0100"}),
        ledger_row("05/06/2026", "S-2", "Shipments", -1, **{"Date and Time": "2026-05-06T00:00:00+0100"})])
    assert ingest.load_report(db_path, iso_against).errors[0].startswith(
        'Columns "Date" and "Date and Time" disagree: they give the same day on line 2')
    assert not db_path.exists() or loaded_dates(db_path) == []


def test_other_date_columns_of_the_file_settle_an_ambiguous_one(db_path, tmp_path):
    """An FBA Inventory file whose snapshot date shows the day first: its ship-in date reads so too."""
    columns = header("planning_2026_99")
    row = {"snapshot-date": "13/05/2026", "sku": "S-1", "available": "5", "inv-age-0-to-90-days": "5",
           "Recommended ship-in date": "02/06/2026"}
    path = write_report(tmp_path / "planning.txt", columns, [row])
    result = ingest.load_report(db_path, path)
    assert result.status == "loaded", result.errors
    con = duckdb.connect(str(db_path))
    try:
        assert con.execute("SELECT snapshot_date, recommended_ship_in_date FROM inventory_planning").fetchone() == (
            dt.date(2026, 5, 13), dt.date(2026, 6, 2))
    finally:
        con.close()


def test_year_first_slash_dates_are_read(db_path, tmp_path):
    """Japan writes 2026/05/13."""
    path = write_report(tmp_path / "jp.csv", LEDGER, [ledger_row("2026/05/06", "S-1", "Shipments", -1, Country="JP")])
    assert ingest.load_report(db_path, path).status == "loaded"
    assert loaded_dates(db_path) == [dt.date(2026, 5, 6)]


def test_the_command_line_states_the_order(db_path, tmp_path):
    path = ledger(tmp_path / "eu.csv", EVENTS[:5], iso=False)
    run = [sys.executable, "-m", "core", "load", str(path), "--db", str(db_path), "--json"]
    cwd = Path(__file__).parent.parent
    refused = subprocess.run(run, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert refused.returncode == 2 and "no date in it tells the day" in json.loads(refused.stdout)["errors"][0]
    done = subprocess.run(run + ["--date-order", "dmy"], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["date_min"] == "2026-01-01" and loaded_dates(db_path) == EVENTS[:5]
