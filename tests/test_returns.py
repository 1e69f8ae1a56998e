"""Returns analysis (core/returns.py): a constructed account whose figures are worked by hand, the
registries, the ledger fallback and the demo account.

Windows for AS_OF = A with the defaults (window 90, lag 7, recent 30, baseline 180), each (start, end]:
returns (A−90, A], sales (A−97, A−7]; recent returns (A−30, A], recent sales (A−37, A−7];
baseline returns (A−210, A−30], baseline sales (A−217, A−37].
"""

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import ingest, returns
from core.returns import ReturnParams
from tests.reportfiles import header, ledger_row, order_row, write_report

AS_OF = dt.date(2026, 9, 30)
DOCS = Path(__file__).resolve().parent.parent / "docs"


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


def stamp(days: int) -> str:
    return f"{ago(days).isoformat()}T12:00:00+00:00"


def return_row(days: int, sku: str, disposition: str, reason: str, n: int,
               status: str = "Unit returned to inventory") -> dict:
    return {"return-date": stamp(days), "order-id": f"{sku}-R{days}-{n}", "sku": sku, "asin": "B0TEST0001",
            "fnsku": f"X0{sku}", "product-name": f"Product {sku}", "quantity": 1, "fulfillment-center-id": "PHL7",
            "detailed-disposition": disposition, "reason": reason, "status": status,
            "license-plate-number": f"LPN{sku}{days}{n}", "customer-comments": ""}


def returns_of(days: int, sku: str, disposition: str, reason: str, units: int, **kw) -> list[dict]:
    return [return_row(days, sku, disposition, reason, n, **kw) for n in range(units)]


def orders() -> list[dict]:
    """RET: 9 × 10 units on A−50 and 10 on A−7 (the last day of the sales window) = 100 in the sales
    window; 4 on A−97 (just before it) and 5 on A−3 (inside the lag) do not count.
    SPIKE, STEADY, EDGE: 200 sold on A−150 (baseline sales); recent sales on A−20: 40, 40, 100."""
    rows = [order_row(f"RET-{n}", "RET", qty=10, date=stamp(50)) for n in range(9)]
    rows += [order_row("RET-9", "RET", qty=10, date=stamp(7)), order_row("RET-old", "RET", qty=4, date=stamp(97)),
             order_row("RET-new", "RET", qty=5, date=stamp(3)),
             order_row("RET-x", "RET", qty=3, status="Cancelled", date=stamp(50))]
    for sku, recent in (("SPIKE", 40), ("STEADY", 40), ("EDGE", 100)):
        rows += [order_row(f"{sku}-b", sku, qty=200, date=stamp(150)), order_row(f"{sku}-r", sku, qty=recent, date=stamp(20))]
    return rows


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """RET: 8 returned on A−40: 5 SELLABLE (3 UNWANTED_ITEM, 2 NOT_COMPATIBLE), 2 CUSTOMER_DAMAGED
    (NOT_AS_DESCRIBED), 1 CARRIER_DAMAGED (DAMAGED_BY_CARRIER); one more on A−90, just outside the window.
    Rate 8 / 100 = 8 %; A 5, B 2, C 1; resellable 5; top cause "size or description" (2 + 2 = 4 units,
    against 3 changed mind and 1 transit).
    SPIKE / STEADY / EDGE: 4 returned on A−120 (baseline 4 / 200 = 2 %); recent returns on A−10:
    6 / 40 = 15 % (spike), 1 / 40 = 2.5 % (< 3 %, none), 3 / 100 = 3 % = 1.5 × 2 % with 3 units (edge: spike)."""
    tmp = tmp_path_factory.mktemp("returns")
    db_path = tmp / "r.duckdb"
    rows = (returns_of(40, "RET", "SELLABLE", "UNWANTED_ITEM", 3) + returns_of(40, "RET", "SELLABLE", "NOT_COMPATIBLE", 2)
            + returns_of(40, "RET", "CUSTOMER_DAMAGED", "NOT_AS_DESCRIBED", 2)
            + returns_of(40, "RET", "CARRIER_DAMAGED", "DAMAGED_BY_CARRIER", 1)
            + returns_of(90, "RET", "SELLABLE", "UNWANTED_ITEM", 1))
    for sku, recent in (("SPIKE", 6), ("STEADY", 1), ("EDGE", 3)):
        rows += returns_of(120, sku, "SELLABLE", "UNWANTED_ITEM", 4) + returns_of(10, sku, "DEFECTIVE", "DEFECTIVE", recent)
    files = [write_report(tmp / "o.txt", header("orders_2026_34"), orders()),
             write_report(tmp / "r.txt", header("customer_returns_13"), rows)]
    for path in files:
        assert ingest.load_report(db_path, path).status == "loaded"
    return db_path


@pytest.fixture(scope="module")
def by_sku(account):
    return returns.returns_by_sku(account, AS_OF).set_index("sku")


def test_rate_grades_and_resellable_of_a_hand_worked_sku(by_sku):
    ret = by_sku.loc["RET"]
    assert ret["units_sold"] == 100  # A−97 and A−3 sales outside the lagged window; Cancelled left out
    assert ret["units_returned"] == 8  # the A−90 return is outside (A−90, A]
    assert ret["return_rate"] == pytest.approx(0.08)
    assert (ret["returned_A"], ret["returned_B"], ret["returned_C"]) == (5, 2, 1)
    assert ret["resellable_units"] == 5
    assert ret["top_reason_group"] == "size or description"
    assert ret["product_name"] == "Product RET"
    # Recent: the 10 sold on A−7 fall in (A−37, A−7], none came back in (A−30, A]: 0 %, no spike.
    assert ret["recent_sold"] == 10 and ret["recent_rate"] == 0 and not ret["spike"]


def test_spike_fires_on_a_jump_and_at_the_edge_but_not_for_a_steady_sku(by_sku):
    spike, steady, edge = by_sku.loc["SPIKE"], by_sku.loc["STEADY"], by_sku.loc["EDGE"]
    assert spike["baseline_rate"] == pytest.approx(4 / 200)
    assert spike["recent_rate"] == pytest.approx(6 / 40) and spike["recent_returned"] == 6
    assert bool(spike["spike"])
    assert steady["recent_rate"] == pytest.approx(1 / 40) and not steady["spike"]
    assert edge["recent_rate"] == pytest.approx(3 / 100) and bool(edge["spike"])
    # Main window for SPIKE: 40 sold in (A−97, A−7], 6 returned in (A−90, A].
    assert spike["units_sold"] == 40 and spike["return_rate"] == pytest.approx(0.15)


def test_spike_needs_min_units_and_a_floor_without_baseline():
    """3 % against 2 % with only 2 units: no spike (min 3). No baseline return: 15 % > 10 % floor spikes,
    7.5 % does not; 10 % exactly is not above the floor. NaN recent rate (nothing sold): no spike."""
    p = ReturnParams()
    assert returns.return_spike([0.03], [0.02], [2], p).tolist() == [False]
    assert returns.return_spike([0.15, 0.075, 0.10], [0.0, 0.0, np.nan], [6, 3, 4], p).tolist() == [True, False, False]
    assert returns.return_spike([np.nan], [0.02], [5], p).tolist() == [False]
    assert returns.return_spike([0.0299], [0.02], [3], p).tolist() == [False]


def test_by_reason_and_by_disposition_shares(account):
    """Returns in (A−90, A]: RET 8, SPIKE 6, STEADY 1, EDGE 3 = 18 units. DEFECTIVE 6 + 1 + 3 = 10,
    share 10 / 18; UNWANTED_ITEM 3 (RET's; the A−120 ones are baseline only)."""
    reasons = returns.returns_by_reason(account, AS_OF).set_index("reason")
    assert reasons["units"].sum() == 18 and reasons["share"].sum() == pytest.approx(1.0)
    assert reasons.loc["DEFECTIVE", "units"] == 10 and reasons.loc["DEFECTIVE", "share"] == pytest.approx(10 / 18)
    assert reasons.loc["UNWANTED_ITEM", "units"] == 3
    assert reasons.loc["DAMAGED_BY_CARRIER", "reason_group"] == "damaged in transit or at Amazon"
    disp = returns.returns_by_disposition(account, AS_OF).set_index("disposition")
    assert disp.loc["DEFECTIVE", "grade"] == "B" and disp.loc["DEFECTIVE", "units"] == 10
    assert disp.loc["SELLABLE", "units"] == 5 and disp.loc["CARRIER_DAMAGED", "grade"] == "C"


def test_resellable_per_day_and_net_demand(account):
    """RET: 5 resellable units over 90 days = 0.0556 a day; a demand of 1.0 a day nets to 0.9444."""
    per_day = returns.resellable_returns_per_day(account, AS_OF).set_index("sku")["resellable_per_day"]
    assert per_day.loc["RET"] == pytest.approx(5 / 90)
    assert "SPIKE" not in per_day.index  # its recent returns are DEFECTIVE (B): nothing back on the shelf
    assert returns.net_demand_per_day([1.0], [per_day.loc["RET"]])[0] == pytest.approx(1 - 5 / 90)
    assert returns.net_demand_per_day([0.5, np.nan, 2.0], [1.0, 0.1, np.nan]).tolist()[0::2] == [0.0, 2.0]
    assert np.isnan(returns.net_demand_per_day([np.nan], [0.1])[0])


def test_a_sellable_unit_not_returned_to_inventory_is_not_resellable():
    assert returns.is_restocked(["Reimbursed", "Unit returned to inventory", ""]).tolist() == [False, True, True]


def test_return_rate_is_nan_without_sales():
    assert returns.return_rate([8, 0], [100, 50]).tolist() == [0.08, 0.0]
    assert np.isnan(returns.return_rate(1, 0))


GRADES = {"SELLABLE": "A", "CUSTOMER_DAMAGED": "B", "DEFECTIVE": "B", "DISTRIBUTOR_DAMAGED": "B",
          "CARRIER_DAMAGED": "C", "DAMAGED": "C", "WAREHOUSE_DAMAGED": "C", "EXPIRED": "C"}


@pytest.mark.parametrize("code", sorted(returns.DISPOSITION_GRADES))
def test_every_registered_disposition_has_its_grade(code):
    assert returns.disposition_grade([code]).tolist() == [GRADES[code]]


def test_grade_registry_is_the_documented_one_and_unknown_is_b():
    assert returns.DISPOSITION_GRADES == GRADES
    assert returns.disposition_grade(["SOMETHING_NEW", None, " sellable "]).tolist() == ["B", "B", "A"]


def test_reason_groups():
    codes = ["APPAREL_TOO_LARGE", "ORDERED_WRONG_ITEM", "MISSING_PARTS", "DAMAGED_BY_FC", "NO_LONGER_NEEDED",
             "SWITCHEROO", "NEVER_HEARD_OF_IT", "", None]
    assert returns.reason_group(codes).tolist() == [
        "size or description", "size or description", "defective or quality", "damaged in transit or at Amazon",
        "customer changed mind", "suspected fraud", "other", "unknown", "unknown"]
    every = [c for codes in returns.REASON_GROUPS.values() for c in codes]
    assert len(every) == len(set(every))  # a code belongs to one group


def test_registries_are_documented():
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    missing = [c for c in [*returns.DISPOSITION_GRADES, *returns.REASON_TO_GROUP, *returns.REASON_GROUPS]
               if c not in text]
    assert missing == []


@pytest.mark.parametrize("change, name", [({"window_days": 0}, "window_days"), ({"lag_days": -1}, "lag_days"),
                                          ({"spike_ratio": 0.5}, "spike_ratio"),
                                          ({"spike_floor_rate": 2.0}, "spike_floor_rate")])
def test_params_validate_naming_the_parameter(change, name):
    with pytest.raises(ValueError, match=name):
        dataclasses.replace(ReturnParams(), **change)


def test_ledger_fallback_without_the_returns_report(tmp_path):
    """Same RET sales; 8 CustomerReturns ledger events on A−40: 5 SELLABLE, 2 CUSTOMER_DAMAGED, 1 DEFECTIVE.
    Ledger grades: SELLABLE A, others B, so A 5, B 3, C 0; rate 8 %; the ledger has no reason: "unknown"."""
    db_path = tmp_path / "l.duckdb"
    day = ago(40).strftime("%m/%d/%Y")
    ledger = [ledger_row(day, "RET", "CustomerReturns", 5, ref="o1"),
              ledger_row(day, "RET", "CustomerReturns", 2, ref="o2", Disposition="CUSTOMER_DAMAGED"),
              ledger_row(day, "RET", "CustomerReturns", 1, ref="o3", Disposition="DEFECTIVE"),
              ledger_row(day, "RET", "Shipments", -3, ref="o4")]
    for path in (write_report(tmp_path / "o.txt", header("orders_2026_34"), orders()),
                 write_report(tmp_path / "l.txt", header("ledger_detail_2026_16"), ledger)):
        assert ingest.load_report(db_path, path).status == "loaded"
    assert returns.returns_source(db_path, AS_OF) == "ledger"
    ret = returns.returns_by_sku(db_path, AS_OF).set_index("sku").loc["RET"]
    assert ret["units_returned"] == 8 and ret["return_rate"] == pytest.approx(0.08)
    assert (ret["returned_A"], ret["returned_B"], ret["returned_C"], ret["resellable_units"]) == (5, 3, 0, 5)
    assert ret["top_reason_group"] == "unknown"
    reasons = returns.returns_by_reason(db_path, AS_OF)
    assert reasons["reason_group"].tolist() == ["unknown"] and reasons["units"].tolist() == [8]


def test_empty_database_gives_empty_tables(tmp_path):
    db_path = tmp_path / "empty.duckdb"
    assert list(returns.returns_by_sku(db_path).columns) == returns.BY_SKU_COLUMNS
    assert returns.returns_by_sku(db_path).empty and returns.returns_by_reason(db_path).empty
    assert returns.resellable_returns_per_day(db_path).empty


def test_demo_account(demo_database):
    frame = returns.returns_by_sku(demo_database)
    assert len(frame) > 0 and list(frame.columns) == returns.BY_SKU_COLUMNS
    assert returns.returns_source(demo_database, dt.date(2026, 11, 15)) == "customer_returns"
    sold = frame["units_sold"] > 0
    assert frame.loc[sold, "return_rate"].between(0, 1).all()
    assert frame.loc[~sold, "return_rate"].isna().all()
    grades = frame[["returned_A", "returned_B", "returned_C"]].sum(axis=1)
    assert (grades == frame["units_returned"]).all()
    assert (frame["resellable_units"] <= frame["returned_A"]).all()
    assert frame["spike"].dtype == bool
    assert set(frame["top_reason_group"]) <= {*returns.REASON_GROUPS, "other", "unknown", ""}
    reasons = returns.returns_by_reason(demo_database)
    assert reasons["units"].sum() == frame["units_returned"].sum()
    assert reasons["share"].sum() == pytest.approx(1.0)
    per_day = returns.resellable_returns_per_day(demo_database)
    assert (per_day["resellable_per_day"] > 0).all()
    assert per_day["resellable_per_day"].sum() == pytest.approx(frame["resellable_units"].sum() / 90)
    disp = returns.returns_by_disposition(demo_database)
    assert disp["units"].sum() == frame["units_returned"].sum()
    assert isinstance(frame, pd.DataFrame)


def test_demo_net_demand_against_the_forecast(demo_database):
    """The restock plan's use: forecast demand per SKU less its resellable returns per day, never below 0
    and never above the demand; SKUs without returns keep their demand."""
    from core.forecast.engine import forecast_table

    demand = forecast_table(demo_database).summary[["sku", "demand_per_day"]]
    merged = demand.merge(returns.resellable_returns_per_day(demo_database), on="sku", how="left")
    net = returns.net_demand_per_day(merged["demand_per_day"], merged["resellable_per_day"])
    known = merged["demand_per_day"].notna().to_numpy()
    assert (net[known] >= 0).all() and (net[known] <= merged["demand_per_day"].to_numpy()[known] + 1e-12).all()
    no_returns = (merged["resellable_per_day"].isna() & merged["demand_per_day"].notna()).to_numpy()
    assert np.allclose(net[no_returns], merged["demand_per_day"].to_numpy()[no_returns])
    assert merged["resellable_per_day"].notna().any()
