"""IPI factors (core/fees/ipi.py): each formula on numbers worked by hand, a constructed account
through the database, and the demo account's trend.

Source of the definitions: Amazon help 202174810 (shared/amazon_reports.md, 10.5)."""

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ingest
from core.fees import ipi
from tests.reportfiles import header, order_row, write_report

AS_OF = dt.date(2026, 5, 30)
EARLIER = AS_OF - dt.timedelta(days=30)


# --- formulas ------------------------------------------------------------------------------------

def test_excess_is_on_hand_beyond_90_days_of_demand():
    """400 on hand, 2 a day: 90 days need 180, so 220 are excess."""
    assert float(ipi.excess_units(400, 2)) == 220.0
    assert float(ipi.excess_units(150, 2)) == 0.0  # under 90 days of supply: none
    assert float(ipi.excess_units(50, 0)) == 50.0  # no demand: every unit is excess
    assert math.isnan(float(ipi.excess_units(50, np.nan)))  # unknown demand: unknown


def test_excess_share_and_sell_through_by_hand():
    assert float(ipi.excess_share(220, 400)) == 0.55
    assert float(ipi.sell_through_90d(90, 60)) == 1.5  # 90 shipped / 60 on hand on average
    assert math.isnan(float(ipi.sell_through_90d(10, 0)))
    assert math.isnan(float(ipi.excess_share(0, 0)))


def test_stranded_share_unknown_stays_unknown():
    assert float(ipi.stranded_share(30, 600)) == 0.05
    assert math.isnan(float(ipi.stranded_share(np.nan, 600)))


def test_in_stock_rate_weights_by_demand():
    """(3 × 30/30 + 1 × 15/30) / (3 + 1) = 3.5 / 4 = 0.875; equal weights: (1 + 0.5) / 2 = 0.75."""
    assert ipi.in_stock_rate([30, 15], [30, 30], weight=[3, 1]) == 0.875
    assert ipi.in_stock_rate([30, 15], [30, 30]) == 0.75
    assert math.isnan(ipi.in_stock_rate([], []))


@given(st.floats(0, 1e5), st.floats(0, 1e3))
def test_excess_never_negative_nor_above_on_hand(on_hand, demand):
    excess = float(ipi.excess_units(on_hand, demand))
    assert 0.0 <= excess <= on_hand


def test_performance_bars_registry():
    assert set(ipi.PERFORMANCE_BARS) == {"excess_share", "sell_through", "stranded_share", "in_stock_rate"}
    assert ipi.performance_bar("excess_share", 0.05) == "Excellent"  # at the threshold: that bar
    assert ipi.performance_bar("excess_share", 0.25) == "Poor"
    assert ipi.performance_bar("in_stock_rate", 0.92) == "Good"
    assert ipi.performance_bar("sell_through", np.nan) == "unknown"
    assert list(ipi.performance_bar("stranded_share", np.array([0.0, 0.02, 0.04, 0.5]))) == [
        "Excellent", "Good", "Fair", "Poor"]
    with pytest.raises(ValueError, match="factor must be one of"):
        ipi.performance_bar("score", 1.0)
    with pytest.raises(ValueError, match="thresholds must run"):
        ipi.FactorBars("x", "x", True, 1.0, 2.0, 3.0)


# --- a constructed account through the database ----------------------------------------------------

def planning(sku, snapshot, available, t30, t90, excess):
    return {"snapshot-date": snapshot.isoformat(), "sku": sku, "fnsku": f"X0{sku}", "asin": f"B0{sku}",
            "marketplace": "US", "available": available, "Total Reserved Quantity": 0, "inbound-quantity": 0,
            "units-shipped-t7": t30 // 4, "units-shipped-t30": t30, "units-shipped-t60": t30 * 2,
            "units-shipped-t90": t90, "estimated-excess-quantity": excess, "your-price": "20.00",
            "product-name": f"Product {sku}", "storage-type": "Standard"}


def myi(sku, units, listed):
    return {"sku": sku, "fnsku": f"X0{sku}", "asin": f"B0{sku}", "afn-listing-exists": "Yes" if listed else "No",
            "afn-warehouse-quantity": units, "afn-fulfillable-quantity": units, "afn-total-quantity": units}


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """Two SKUs, planning snapshots 30 days apart, orders of 2 a day each over the 120 days to AS_OF,
    no ledger (every day counts as in stock).

    At AS_OF: A has 400 units and sells 2 a day, B 100 units at 2 a day.
    Excess: A 400 − 90 × 2 = 220, B 0; share 220 / 500 = 0.44. Amazon's: 200 / 500 = 0.40.
    Sell-through: shipped in 90 days 180 + 180 = 360; average on hand over the two snapshots
    A (440 + 400) / 2 = 420, B (140 + 100) / 2 = 120, total 540: 360 / 540 = 2/3.
    Stranded: Manage Inventory of AS_OF lists B's 100 units without an active listing: 100 / 500 = 0.2;
    no Manage Inventory at EARLIER: unknown.
    At EARLIER: A 440 − 180 = 260 excess, B 140 − 180 < 0: none; 260 / 580.
    """
    tmp = tmp_path_factory.mktemp("ipi")
    db_path = tmp / "ipi.duckdb"
    orders = [order_row(f"{sku}-{n}", sku, qty=2, price="20.00",
                        date=f"{(AS_OF - dt.timedelta(days=n)).isoformat()}T12:00:00+00:00")
              for sku in ("A", "B") for n in range(120)]
    files = [
        (write_report(tmp / "o.txt", header("orders_2026_34"), orders), None),
        (write_report(tmp / "p1.txt", header("planning_2026_97"), [
            planning("A", EARLIER, 440, 60, 150, 250), planning("B", EARLIER, 140, 60, 150, 0)]), None),
        (write_report(tmp / "p2.txt", header("planning_2026_97"), [
            planning("A", AS_OF, 400, 60, 180, 200), planning("B", AS_OF, 100, 60, 180, 0)]), None),
        (write_report(tmp / "m.txt", header("myi_2026_22"), [myi("A", 400, True), myi("B", 100, False)]), AS_OF),
    ]
    for path, snapshot in files:
        assert ingest.load_report(db_path, path, snapshot_date=snapshot).status == "loaded"
    return db_path


def test_factors_per_snapshot_worked_by_hand(account):
    trend = ipi.ipi_factors_from_db(account)
    assert list(trend.columns) == ipi.IPI_COLUMNS
    assert list(trend["snapshot_date"]) == [EARLIER, AS_OF]
    early, late = trend.iloc[0], trend.iloc[1]
    assert late["total_units"] == 500 and late["excess_units"] == pytest.approx(220)
    assert late["excess_share"] == pytest.approx(0.44)
    assert late["amazon_excess_share"] == pytest.approx(0.40)
    assert late["units_shipped_90d"] == 360 and late["avg_units_on_hand_90d"] == pytest.approx(540)
    assert late["sell_through"] == pytest.approx(2 / 3)
    assert late["stranded_units"] == 100 and late["stranded_share"] == pytest.approx(0.2)
    assert late["in_stock_rate"] == pytest.approx(1.0)  # no ledger: every day counts as in stock
    assert late["excess_bar"] == "Poor" and late["stranded_bar"] == "Poor"
    assert early["excess_share"] == pytest.approx(260 / 580)
    assert math.isnan(early["stranded_share"]) and early["stranded_bar"] == "unknown"


def test_excess_by_sku_beside_amazons(account):
    f = ipi.excess_by_sku_from_db(account).set_index("sku")
    assert f.loc["A", "excess_units"] == pytest.approx(220) and f.loc["A", "amazon_excess_units"] == 200
    assert f.loc["B", "excess_units"] == 0
    assert list(f.index) == ["A", "B"]  # largest excess first


def test_empty_database_gives_empty_frames(tmp_path):
    assert ipi.ipi_factors_from_db(tmp_path / "empty.duckdb").empty
    assert ipi.excess_by_sku_from_db(tmp_path / "empty.duckdb").empty


# --- the demo account ------------------------------------------------------------------------------

def test_demo_trend_one_row_per_snapshot_and_shares_in_range(demo_database):
    trend = ipi.ipi_factors_from_db(demo_database)
    assert len(trend) == 6 and trend["snapshot_date"].is_monotonic_increasing
    for column in ("excess_share", "amazon_excess_share", "in_stock_rate"):
        assert trend[column].between(0, 1).all(), column
    known = trend["stranded_share"].dropna()
    assert len(known) >= 1 and known.between(0, 1).all()
    assert (trend["sell_through"] > 0).all()
    # Ours and Amazon's excess agree within a few points on the demo (both use 90 days of supply).
    assert (trend["excess_share"] - trend["amazon_excess_share"]).abs().max() < 0.05
