"""Lost and damaged reimbursement claims (core/reimbursements.py) over a constructed ledger worked by
hand, and the demo account. AS_OF = A; an event is claimable when 45 ≤ A − date ≤ 540 days."""

import dataclasses
import datetime as dt
import math

import pytest

from core import ingest, reimbursements
from core.reimbursements import ReimbursementParams
from tests.reportfiles import header, ledger_row, write_report

AS_OF = dt.date(2026, 9, 30)


def day(days_ago: int) -> str:
    return (AS_OF - dt.timedelta(days=days_ago)).strftime("%m/%d/%Y")


def adjustment(days_ago: int, sku: str, qty: int, reason: str, ref: str, fc: str = "PHL7", **extra) -> dict:
    return ledger_row(day(days_ago), sku, "Adjustments", qty, ref=ref, fc=fc, Reason=reason, **extra)


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """LOST: 10 lost (M) on A−60, 3 found (F) on A−30, no unreconciled figure: 7 claimable at $4.50 = $31.50.
    RECON: the same, but the ledger says 4 unreconciled: 4 claimable at $10 = $40 (the find is already in it).
    EDGE: 1 lost on A−45 (claimable: exactly the waiting period) and 2 on A−44 (not yet): 1 at $2 = $2.
    YOUNG: 2 lost on A−20: not yet claimable.
    DMG: 2 moved out of SELLABLE as warehouse-damaged (E) on A−50 (+2 into WAREHOUSE_DAMAGED, same
    reference), 1 found (F) on A−10 and 2 disposed (D) on A−49: 2 claimable "damaged in warehouse" at $8 = $16.
    NOCOST: 1 lost on A−100 at PHL7 (N1) and 2 on A−90 at ONT8 (N2): 3 claimable, value unknown (NaN).
    OLD: 5 lost on A−541 (past the 540-day limit) and 1 on A−540: 1 at $1 = $1."""
    tmp = tmp_path_factory.mktemp("reimb")
    db_path = tmp / "r.duckdb"
    rows = [
        adjustment(60, "LOST", -10, "M", "L1"), adjustment(30, "LOST", 3, "F", "L2"),
        adjustment(60, "RECON", -10, "M", "C1", **{"Unreconciled Quantity": 4, "Reconciled Quantity": 6}),
        adjustment(30, "RECON", 3, "F", "C2"),
        adjustment(45, "EDGE", -1, "M", "E45"), adjustment(44, "EDGE", -2, "M", "E44"),
        adjustment(20, "YOUNG", -2, "M", "Y1"),
        adjustment(50, "DMG", -2, "E", "D1"), adjustment(50, "DMG", 2, "E", "D1", Disposition="WAREHOUSE_DAMAGED"),
        adjustment(10, "DMG", 1, "F", "D2"), adjustment(49, "DMG", -2, "D", "D3", Disposition="WAREHOUSE_DAMAGED"),
        adjustment(100, "NOCOST", -1, "M", "N1"), adjustment(90, "NOCOST", -2, "M", "N2", fc="ONT8"),
        adjustment(541, "OLD", -5, "M", "O1"), adjustment(540, "OLD", -1, "M", "O2"),
        ledger_row(day(5), "LOST", "Shipments", -1, ref="order-1"),
    ]
    files = [write_report(tmp / "l.txt", header("ledger_detail_2026_16"), rows),
             write_report(tmp / "c.csv", ["sku", "unit_cost"],
                          [{"sku": "LOST", "unit_cost": 4.5}, {"sku": "RECON", "unit_cost": 10},
                           {"sku": "EDGE", "unit_cost": 2}, {"sku": "DMG", "unit_cost": 8},
                           {"sku": "OLD", "unit_cost": 1}], delimiter=",")]
    for path in files:
        assert ingest.load_report(db_path, path).status == "loaded"
    return db_path


@pytest.fixture(scope="module")
def claims(account):
    return reimbursements.reimbursement_claims(account, AS_OF)


def claim(claims, sku):
    rows = claims[claims["sku"] == sku]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_lost_net_of_found_without_an_unreconciled_figure(claims):
    lost = claim(claims, "LOST")
    assert lost["units_claimable"] == 7 and lost["reason"] == "lost"
    assert lost["value"] == pytest.approx(31.5) and lost["unit_cost"] == 4.5
    assert lost["event_date"] == AS_OF - dt.timedelta(days=60) and lost["reference_ids"] == "L1"
    assert lost["fnsku"] == "X00LOST" and lost["fulfillment_centers"] == "PHL7"


def test_the_ledgers_unreconciled_quantity_wins(claims):
    recon = claim(claims, "RECON")
    assert recon["units_claimable"] == 4 and recon["value"] == pytest.approx(40.0)


def test_waiting_period_edge_and_young_events(claims):
    edge = claim(claims, "EDGE")
    assert edge["units_claimable"] == 1 and edge["reference_ids"] == "E45"
    assert "YOUNG" not in set(claims["sku"])


def test_waiting_period_is_editable(account):
    """With no wait, YOUNG's 2 units and EDGE's A−44 units become claimable: EDGE 1 + 2 = 3."""
    now = reimbursements.reimbursement_claims(account, AS_OF, ReimbursementParams(waiting_days=0))
    assert claim(now, "YOUNG")["units_claimable"] == 2 and claim(now, "EDGE")["units_claimable"] == 3


def test_warehouse_damage_counts_its_negative_leg_and_ignores_finds_and_disposals(claims):
    dmg = claim(claims, "DMG")
    assert dmg["reason"] == "damaged in warehouse" and dmg["units_claimable"] == 2
    assert dmg["value"] == pytest.approx(16.0) and dmg["reference_ids"] == "D1"


def test_unknown_cost_is_nan_never_zero(claims):
    nocost = claim(claims, "NOCOST")
    assert nocost["units_claimable"] == 3 and math.isnan(nocost["unit_cost"]) and math.isnan(nocost["value"])
    assert nocost["event_date"] == AS_OF - dt.timedelta(days=100)
    assert nocost["reference_ids"] == "N1, N2" and nocost["fulfillment_centers"] == "ONT8, PHL7"
    assert claims["sku"].iloc[-1] == "NOCOST"  # unknown values sort last


def test_lookback_limit(claims):
    old = claim(claims, "OLD")
    assert old["units_claimable"] == 1 and old["reference_ids"] == "O2"


def test_totals(claims):
    """7 + 4 + 1 + 2 + 3 + 1 = 18 units; $31.50 + $40 + $2 + $16 + $1 = $90.50 valued (NOCOST unknown)."""
    assert claims["units_claimable"].sum() == 18
    assert claims["value"].sum() == pytest.approx(90.5)
    assert list(claims.columns) == reimbursements.CLAIM_COLUMNS


def test_case_frame(claims):
    case = reimbursements.claims_csv_frame(claims)
    assert list(case.columns) == reimbursements.CASE_COLUMNS
    lost = case[case["SKU"] == "LOST"].iloc[0]
    assert lost.tolist() == ["X00LOST", "B0TEST0001", "LOST", 7, (AS_OF - dt.timedelta(days=60)).isoformat(),
                             "L1", "PHL7", "lost"]
    assert case.to_csv(index=False).splitlines()[0] == "FNSKU,ASIN,SKU,Quantity,Date,Reference IDs,Fulfillment center,Reason"


def test_claimable_units_formula():
    assert reimbursements.claimable_units([10, 3, 0], [3, 5, 0], [0, 0, 4]).tolist() == [7.0, 0.0, 4.0]


@pytest.mark.parametrize("change, name", [({"waiting_days": -1}, "waiting_days"),
                                          ({"lookback_days": 30}, "lookback_days")])
def test_params_validate_naming_the_parameter(change, name):
    with pytest.raises(ValueError, match=name):
        dataclasses.replace(ReimbursementParams(), **change)


def test_empty_database(tmp_path):
    frame = reimbursements.reimbursement_claims(tmp_path / "e.duckdb")
    assert frame.empty and list(frame.columns) == reimbursements.CLAIM_COLUMNS
    assert list(reimbursements.claims_csv_frame(frame).columns) == reimbursements.CASE_COLUMNS


def test_demo_account(demo_database):
    """The demo settles lost and damaged events after 30 days, so nothing is claimable after a 45-day
    wait; without a wait, the recent unreconciled events appear."""
    default = reimbursements.reimbursement_claims(demo_database)
    assert (default["units_claimable"] >= 0).all()
    assert not (default["value"] < 0).any()
    now = reimbursements.reimbursement_claims(demo_database, params=ReimbursementParams(waiting_days=0))
    assert len(now) > 0 and (now["units_claimable"] > 0).all()
    assert (now["value"].dropna() > 0).all()
    assert set(now["reason"]) <= {"lost", "damaged in warehouse"}
    assert len(reimbursements.claims_csv_frame(now)) == len(now)
