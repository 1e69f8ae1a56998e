"""Dates for the reports that carry none of their own (core.report_dates), the demo's own files loaded
by the seller, and the cost sheet's file type on upload: issue 14's blocking items 2 to 4, on the demo's
real report files."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import cli, ingest, report_dates, sample  # noqa: E402
from core.report_dates import date_in_file_name, suggest_snapshot_date  # noqa: E402

SAMPLE = ROOT / "sample_data"
MYI, FEES, PLANNING = "fba_myi_unsuppressed_inventory.txt", "fee_preview.txt", "fba_inventory_planning_2026-11-15.txt"
NOV15 = dt.date(2026, 11, 15)


def snapshot_dates_of(path: Path, table: str) -> list[dt.date]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute(f"SELECT DISTINCT snapshot_date FROM {table} ORDER BY 1").fetchall()]


def copy_as(name: str, folder: Path, new_name: str) -> Path:
    target = folder / new_name
    shutil.copy(SAMPLE / name, target)
    return target


# --- the date of a report without one ---------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Manage_Inventory_2026-11-15.txt", NOV15), ("restock_2026_11_15.csv", NOV15),
    ("fees.20261115.txt", NOV15), ("2026-11-15 to 2026-11-15 myi.txt", NOV15),
    ("myi 2026-11-15 and 2026-11-16.txt", None),  # two different dates: ambiguous
    ("12345020261115678.txt", None),  # inside a longer number (Amazon's report id)
    ("myi_2026-02-30.txt", None), ("myi.txt", None)])
def test_a_date_is_read_from_the_file_name_only_when_it_is_unambiguous(name, expected):
    assert date_in_file_name(name) == expected


def test_the_suggestion_takes_the_file_name_then_the_one_snapshot_loaded_with_it_else_asks():
    assert suggest_snapshot_date("myi_2026-11-01.txt", [NOV15]).date == dt.date(2026, 11, 1)
    batch = suggest_snapshot_date("myi.txt", [NOV15, NOV15])
    assert batch.date == NOV15 and "FBA Inventory snapshot loaded with it (15 Nov 2026)" in batch.reason
    assert suggest_snapshot_date("myi.txt", [NOV15, dt.date(2026, 10, 15)]).date is None
    assert suggest_snapshot_date("myi.txt").date is None


def test_an_undated_report_with_no_date_anywhere_is_rejected_asking_for_one(tmp_path):
    result = ingest.load_report(tmp_path / "db.duckdb", SAMPLE / MYI)
    assert result.status == "rejected"
    assert "Manage FBA Inventory report carries no date of its own" in result.errors[0]
    assert "--snapshot-date" in result.errors[0] and "Upload reports page" in result.errors[0]
    assert not ingest.has_data(tmp_path / "db.duckdb")


def test_an_undated_report_takes_the_date_in_its_name_and_says_so(tmp_path):
    path = tmp_path / "db.duckdb"
    result = ingest.load_report(path, copy_as(FEES, tmp_path, "Fee_Preview_2026-11-14.txt"))
    assert result.status == "loaded" and result.date_min == "2026-11-14"
    assert "Dated 14 Nov 2026: the date in the file name (14 Nov 2026)." in result.warnings
    assert snapshot_dates_of(path, "fee_preview") == [dt.date(2026, 11, 14)]


def test_the_command_dates_an_undated_report_with_the_planning_snapshot_loaded_with_it(tmp_path, capsys):
    path = tmp_path / "db.duckdb"
    code = cli.main(["load", str(SAMPLE / MYI), str(SAMPLE / FEES), str(SAMPLE / PLANNING), "--db", str(path)])
    assert code == 0, capsys.readouterr()
    assert snapshot_dates_of(path, "manage_inventory") == [NOV15]
    assert snapshot_dates_of(path, "fee_preview") == [NOV15]
    assert "the FBA Inventory snapshot loaded with it (15 Nov 2026)" in capsys.readouterr().out


def test_peek_reads_the_type_and_snapshot_dates_from_the_first_bytes_gzip_too(tmp_path):
    gz = tmp_path / "planning.txt.gz"
    gz.write_bytes(gzip.compress((SAMPLE / PLANNING).read_bytes()))
    for file in (SAMPLE / PLANNING, gz):
        peek = ingest.peek_report(file)
        assert peek.report_type == "GET_FBA_INVENTORY_PLANNING_DATA" and not peek.needs_date
        assert peek.snapshot_dates == (NOV15,)
    fees = ingest.peek_report(SAMPLE / FEES)  # cp1252
    assert fees.needs_date and fees.title == "FBA Fee Preview" and fees.snapshot_dates == ()
    assert ingest.peek_head(b"just,some,columns\n1,2,3\n", "x.csv").error == "not a report we recognise"


# --- snapshots away from the as-of date ---------------------------------------------------------------

def test_a_fee_preview_dated_after_the_as_of_date_is_named_with_what_it_affects_and_can_be_redated(tmp_path):
    path = tmp_path / "db.duckdb"
    ingest.load_report(path, SAMPLE / PLANNING)
    loaded = ingest.load_report(path, SAMPLE / FEES, snapshot_date=dt.date(2026, 12, 6))
    gaps = report_dates.snapshot_gaps(path, NOV15)
    assert [g.title for g in gaps] == ["FBA Fee Preview"]
    assert gaps[0].used_date is None and gaps[0].nearest_date == dt.date(2026, 12, 6)
    assert "dated 6 Dec 2026, after the as-of date (15 Nov 2026)" in gaps[0].message
    assert "Brand filter" in gaps[0].message and "gross profit" in gaps[0].message

    assert report_dates.redate_import(path, loaded.import_id, NOV15) == 150
    assert report_dates.snapshot_gaps(path, NOV15) == []
    assert snapshot_dates_of(path, "fee_preview") == [NOV15]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT snapshot_date FROM imports WHERE import_id = $i",
                           {"i": loaded.import_id}).fetchone()[0] == NOV15


def test_an_older_snapshot_within_three_days_is_quiet_and_beyond_it_is_named(tmp_path):
    path = tmp_path / "db.duckdb"
    ingest.load_report(path, SAMPLE / PLANNING)
    ingest.load_report(path, SAMPLE / MYI, snapshot_date=dt.date(2026, 11, 12))
    assert report_dates.snapshot_gaps(path, NOV15) == []
    gaps = report_dates.snapshot_gaps(path, dt.date(2026, 11, 16))
    assert len(gaps) == 1 and "dated 12 Nov 2026, 4 days before the as-of date (16 Nov 2026)" in gaps[0].message


def test_redating_is_refused_for_a_dated_report_and_where_another_import_holds_the_day(tmp_path):
    path = tmp_path / "db.duckdb"
    planning = ingest.load_report(path, SAMPLE / PLANNING)
    first = ingest.load_report(path, SAMPLE / FEES, snapshot_date=NOV15)
    second = ingest.load_report(path, copy_as(FEES, tmp_path, "fees_2026-12-01.txt"))
    assert second.status == "unchanged"  # the same bytes: nothing new
    with pytest.raises(ValueError, match="carries its own dates"):
        report_dates.redate_import(path, planning.import_id, dt.date(2026, 11, 1))
    other = tmp_path / "fees_other.txt"
    other.write_bytes((SAMPLE / FEES).read_bytes().replace(b"\t26.99\t", b"\t27.99\t", 1))
    later = ingest.load_report(path, other, snapshot_date=dt.date(2026, 12, 1))
    with pytest.raises(ValueError, match=f"import #{first.import_id} already holds"):
        report_dates.redate_import(path, later.import_id, NOV15)


# --- the demo's own files, loaded by the seller --------------------------------------------------------

def test_loading_every_sample_file_on_the_demo_keeps_all_of_them(tmp_path, demo_database):
    """Issue 14, blocking 3: select all of sample_data/ on the demo account. The reports the demo already
    held stay (as the seller's own), the template cost sheet is refused, and nothing is lost."""
    path = tmp_path / "db.duckdb"
    shutil.copy(demo_database, path)
    before = ingest.loaded_summary(path).set_index("report")["rows"]
    files = sorted(p for p in SAMPLE.iterdir() if p.suffix in (".txt", ".gz", ".csv", ".xlsx"))
    results = {f.name: ingest.load_report(path, f, snapshot_date=NOV15) for f in files}
    rejected = {name: r.errors for name, r in results.items() if r.status == "rejected"}
    assert list(rejected) == ["product_costs_template.csv"]
    assert "cost-sheet template as downloaded" in rejected["product_costs_template.csv"][0]
    after = ingest.loaded_summary(path).set_index("report")["rows"]
    assert after.equals(before) and len(after) == 9  # every report type of the demo
    imports = ingest.list_imports(path)
    assert not imports["is_sample"].any()
    assert sample.demo_info(path) is None


def test_the_demos_own_file_loaded_alone_stays_and_the_rest_of_the_demo_goes(tmp_path, demo_database):
    path = tmp_path / "db.duckdb"
    shutil.copy(demo_database, path)
    result = ingest.load_report(path, SAMPLE / "customer_returns.txt")
    assert result.status == "unchanged"
    assert any("kept as your own data" in w for w in result.warnings)
    assert any("rest of the demo account was removed" in w for w in result.warnings)
    assert ingest.loaded_summary(path)["report"].tolist() == ["FBA Customer Returns"]


# --- the cost sheet's file type ---------------------------------------------------------------------

def test_an_xlsx_cost_sheet_loads_from_an_upload_and_from_a_file_without_an_extension(tmp_path, monkeypatch):
    from pages import _upload as upload_view

    monkeypatch.setenv("FBA_HEALTH_DB", str(tmp_path / "db.duckdb"))
    result = upload_view.load_stream("product_costs.xlsx", io.BytesIO((SAMPLE / "product_costs.xlsx").read_bytes()))
    assert result.status == "loaded", result.errors
    assert result.report_type == "PRODUCT_COSTS" and result.rows_loaded == 150
    bare = tmp_path / "costs-without-extension"
    shutil.copy(SAMPLE / "product_costs.xlsx", bare)
    again = ingest.load_report(tmp_path / "other.duckdb", bare)
    assert again.status == "loaded" and again.rows_loaded == 150
    assert list((tmp_path / "uploads").iterdir()) == []  # the temp copy is gone
