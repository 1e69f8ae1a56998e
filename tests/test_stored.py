"""Results kept in the database (core/stored.py): a new process reads the stored forecast, IPI trend and
fee outlook instead of computing them; an import into a report the forecast reads makes it fit again, an import
into any other does not; only the newest runs are kept; a locked database just goes without the copy."""

import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from core import db, ingest, stored
from core.fees import ipi, outlook
from core.forecast import ForecastParams, engine, forecast_table
from tests.reportfiles import header, write_report


@pytest.fixture
def demo_copy(demo_database, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_database, path)
    with db.writing(path) as con:  # the seller's own data: a report loaded next does not remove it
        con.execute("UPDATE imports SET is_sample = false")
        # Other tests' forecasts on the shared demo database were stored there too: start with none.
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_name LIKE 'stored%'").fetchall():
            con.execute(f"DROP TABLE {table}")
    engine._CACHE.clear()
    yield path
    engine._CACHE.clear()


@pytest.fixture
def fits(monkeypatch):
    """Counts the fits (calls of forecast_arrays) that forecast_table makes."""
    calls = []
    real = engine.forecast_arrays

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "forecast_arrays", counted)
    return calls


def new_process():
    """What a new process starts with: nothing cached in memory."""
    engine._CACHE.clear()


def test_a_new_process_reads_the_stored_forecast_equal_to_the_fitted_one(demo_copy, fits):
    fitted = forecast_table(demo_copy)
    assert len(fits) == 1
    new_process()
    read = forecast_table(demo_copy)
    assert len(fits) == 1  # read back, not fitted again
    pd.testing.assert_frame_equal(read.summary, fitted.summary)
    pd.testing.assert_frame_equal(read.daily, fitted.daily)
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM stored_runs WHERE kind = 'forecast'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM stored_forecast_daily").fetchone()[0] == len(fitted.daily)


def test_only_imports_into_the_forecasts_reports_make_it_fit_again(demo_copy, fits, tmp_path):
    forecast_table(demo_copy)
    returns = write_report(tmp_path / "returns.txt", header("customer_returns_13"), [
        {"return-date": "2026-11-01T07:03:57+00:00", "order-id": "114-0000001-1234567", "sku": "SKU-X",
         "asin": "B0SKU00001", "fnsku": "X00SKU00001", "product-name": "Board", "quantity": "1",
         "fulfillment-center-id": "PHX7", "detailed-disposition": "SELLABLE", "reason": "UNWANTED_ITEM",
         "status": "Unit returned to inventory"}])
    assert ingest.load_report(demo_copy, returns).status == "loaded"
    new_process()
    forecast_table(demo_copy)
    assert len(fits) == 1  # a returns report is not part of the sales history
    orders = write_report(tmp_path / "orders.txt", header("orders_2026_34"), [
        {"amazon-order-id": "113-9999999-0000001", "purchase-date": "2026-11-10T10:00:00+00:00",
         "last-updated-date": "2026-11-10T10:00:00+00:00", "order-status": "Shipped",
         "fulfillment-channel": "Amazon", "sales-channel": "Amazon.com", "product-name": "Board",
         "sku": "SKU-NEW", "asin": "B0NEW00001", "item-status": "Shipped", "quantity": "3", "currency": "USD",
         "item-price": "30.00", "is-business-order": "false"}])
    assert ingest.load_report(demo_copy, orders).status == "loaded"
    new_process()
    again = forecast_table(demo_copy)
    assert len(fits) == 2 and "SKU-NEW" in set(again.summary["sku"])


def test_only_the_newest_runs_are_kept(demo_copy):
    as_of = forecast_table(demo_copy).as_of
    for back in range(1, stored.KEEP_RUNS + 2):
        new_process()
        forecast_table(demo_copy, as_of - dt.timedelta(days=back))
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        kept = con.execute("SELECT as_of FROM stored_runs ORDER BY created_at").fetchall()
        per_run = con.execute("SELECT count(DISTINCT run_key) FROM stored_forecast_daily").fetchone()[0]
    assert [d for (d,) in kept] == [as_of - dt.timedelta(days=b) for b in range(2, stored.KEEP_RUNS + 2)]
    assert per_run == stored.KEEP_RUNS


def test_other_parameters_are_another_forecast(demo_copy, fits):
    forecast_table(demo_copy)
    new_process()
    forecast_table(demo_copy, params=ForecastParams(backtest_origins=2))
    assert len(fits) == 2


def test_stored_columns_unlike_todays_are_dropped_and_rebuilt(demo_copy, fits):
    with db.writing(demo_copy) as con:  # a store written by an engine with one column fewer
        con.execute("CREATE TABLE stored_runs (kind VARCHAR, run_key VARCHAR, as_of DATE, created_at TIMESTAMP)")
        con.execute("CREATE TABLE stored_forecast_summary (run_key VARCHAR, sku VARCHAR)")
        con.execute("CREATE TABLE stored_forecast_daily (run_key VARCHAR, sku VARCHAR, day DATE, mean DOUBLE)")
    fitted = forecast_table(demo_copy)
    new_process()
    pd.testing.assert_frame_equal(forecast_table(demo_copy).summary, fitted.summary)
    assert len(fits) == 1


def test_a_database_that_cannot_be_written_gets_no_copy_and_the_forecast_is_still_returned(demo_copy, fits,
                                                                                           monkeypatch):
    def busy(path):
        raise db.DatabaseBusy(path)  # what db.writing raises when another program keeps the file locked

    with monkeypatch.context() as patched:
        patched.setattr(db, "writing", busy)
        fitted = forecast_table(demo_copy)
    assert len(fitted.summary) > 100
    new_process()
    forecast_table(demo_copy)
    assert len(fits) == 2  # nothing was stored the first time


def test_the_ipi_trend_is_read_back_equal_and_a_new_import_computes_it_again(demo_copy, monkeypatch, tmp_path):
    computed = []
    real = ipi.ipi_factors_computed
    monkeypatch.setattr(ipi, "ipi_factors_computed", lambda path: computed.append(1) or real(path))
    first = ipi.ipi_factors_from_db(demo_copy)
    again = ipi.ipi_factors_from_db(demo_copy)
    assert len(computed) == 1 and len(first) >= 2
    pd.testing.assert_frame_equal(again, first)
    assert isinstance(again["snapshot_date"].iloc[0], dt.date)
    costs = tmp_path / "costs.csv"
    costs.write_text("sku,unit_cost,supplier\nSKU-X,4.00,Acme\n", encoding="utf-8")
    assert ingest.load_report(demo_copy, costs).status == "loaded"  # any import: the trend reads costs too
    ipi.ipi_factors_from_db(demo_copy)
    assert len(computed) == 2


def test_the_fee_outlook_is_read_back_equal_and_recomputed_for_other_settings_or_data(demo_copy, monkeypatch,
                                                                                     tmp_path):
    projected = []
    real = outlook.project_from_inputs
    monkeypatch.setattr(outlook, "project_from_inputs",
                        lambda *args, **kwargs: projected.append(1) or real(*args, **kwargs))
    first = outlook.fee_outlook(demo_copy)
    again = outlook.fee_outlook(demo_copy)
    assert len(projected) == 1 and len(first.projection) > 1000 and len(first.crossings) > 10
    for name in ("projection", "crossings", "arrivals", "amazon", "demand"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    assert isinstance(again.projection["month"].iloc[0], dt.date)
    assert isinstance(again.crossings["deadline"].iloc[0], dt.date)
    outlook.fee_outlook(demo_copy, months=6)
    outlook.fee_outlook(demo_copy, restock_params=outlook.RestockParams(service_level_override=0.99))
    outlook.fee_outlook(demo_copy, with_arrivals=False)
    assert len(projected) == 4  # each is another outlook
    costs = tmp_path / "costs.csv"
    costs.write_text("sku,unit_cost,supplier\nSKU-X,4.00,Acme\n", encoding="utf-8")
    assert ingest.load_report(demo_copy, costs).status == "loaded"  # the plan's order values read costs
    outlook.fee_outlook(demo_copy)
    assert len(projected) == 5


def test_a_kind_first_stored_with_an_empty_frame_still_stores_later_runs(demo_copy):
    """An account with no band crossings stores an empty crossings frame first: DuckDB cannot tell the
    type of an empty text column. A later run with rows must still be stored and read back."""
    empty = pd.DataFrame({"sku": pd.Series([], dtype=object), "units": pd.Series([], dtype=float)})
    rows = pd.DataFrame({"sku": ["A-1", "B-2"], "units": [3.0, 4.5]})
    assert stored.save(demo_copy, "probe", "first", dt.date(2026, 11, 15), {"frame": empty})
    assert stored.save(demo_copy, "probe", "second", dt.date(2026, 11, 15), {"frame": rows})
    pd.testing.assert_frame_equal(stored.load(demo_copy, "probe", "second", ("frame",))["frame"], rows,
                                  check_dtype=False)
    assert stored.load(demo_copy, "probe", "first", ("frame",))["frame"].empty
