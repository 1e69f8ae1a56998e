"""The per-SKU table over a real database: a constructed account whose every figure is worked by hand,
the demo account's cross-checks, and the `fba-health skus` / `summary` contract."""

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from core import ingest, sample, settings, skus
from core.params import GradeParams, HealthParams
from tests.reportfiles import header, ledger_row, order_row, write_report

AS_OF = dt.date(2026, 5, 30)


def day(n: int) -> dt.date:
    """Day n of the 30-day window: day 1 is AS_OF - 29, day 30 is AS_OF."""
    return AS_OF - dt.timedelta(days=30 - n)


def planning_row(sku, available, snapshot=AS_OF, **extra):
    row = {"snapshot-date": snapshot.isoformat(), "sku": sku, "asin": f"B0{sku}", "fnsku": f"X0{sku}",
           "marketplace": "US", "available": available, "Total Reserved Quantity": 0, "inbound-quantity": 0,
           "inv-age-0-to-90-days": available, "your-price": "20.00", "product-name": f"Product {sku}"}
    row.update(extra)
    return row


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """Three SKUs over the 30 days to AS_OF.

    FORT: 16 units on hand at the start, sells 2 a day on days 1-8 (stock hits 0 at the end of day 8),
    is out of stock days 9-22 (a fortnight), receives 100 on day 23 and sells 2 a day on days 23-30.
    Sold 32 in 30 days, 16 days in stock; on hand at AS_OF: 100 - 16 = 84. Unit cost $5.
    DEAD: 50 units, no sales at all, no cost on the sheet (cost missing).
    STEADY: 60 units, sells 1 a day every day, cost $10.
    """
    tmp = tmp_path_factory.mktemp("account")
    db_path = tmp / "a.duckdb"
    orders, ledger = [], []
    for n in [*range(1, 9), *range(23, 31)]:
        stamp = f"{day(n).isoformat()}T12:00:00+00:00"
        orders.append(order_row(f"F-{n}", "FORT", qty=2, price="40.00", date=stamp))
        ledger.append(ledger_row(day(n).strftime("%m/%d/%Y"), "FORT", "Shipments", -2, ref=f"F-{n}"))
    ledger.append(ledger_row(day(23).strftime("%m/%d/%Y"), "FORT", "Receipts", 100, ref="FBA1"))
    for n in range(1, 31):
        stamp = f"{day(n).isoformat()}T12:00:00+00:00"
        orders.append(order_row(f"S-{n}", "STEADY", qty=1, price="25.00", date=stamp))
        ledger.append(ledger_row(day(n).strftime("%m/%d/%Y"), "STEADY", "Shipments", -1, ref=f"S-{n}"))
    ledger.append(ledger_row(day(1).strftime("%m/%d/%Y"), "DEAD", "Adjustments", 0, reason="F"))
    files = [
        write_report(tmp / "p.txt", header("planning_2026_97"), [
            planning_row("FORT", 84), planning_row("DEAD", 50, **{"inv-age-0-to-90-days": 0,
                                                                  "inv-age-456-plus-days": 50}),
            planning_row("STEADY", 60)]),
        write_report(tmp / "o.txt", header("orders_2026_34"), orders),
        write_report(tmp / "l.txt", header("ledger_detail_2026_16"), ledger),
        write_report(tmp / "c.csv", ["sku", "unit_cost", "supplier"],
                     [{"sku": "FORT", "unit_cost": 5, "supplier": "Acme"},
                      {"sku": "STEADY", "unit_cost": 10, "supplier": "Bolt"}], delimiter=","),
    ]
    for path in files:
        assert ingest.load_report(db_path, path).status == "loaded"
    table = skus.sku_table(db_path, HealthParams(period_days=30, demand_window_days=30))
    return db_path, table.frame.set_index("sku"), table


def test_stockout_fortnight_is_left_out_of_the_demand_rate(account):
    _, f, _ = account
    fort = f.loc["FORT"]
    assert fort["units_30d"] == 32
    assert fort["out_of_stock_days_window"] == 14
    assert fort["demand_uncorrected"] == pytest.approx(32 / 30)
    assert fort["demand_per_day"] == pytest.approx(2.0)  # 32 units / 16 days in stock
    assert fort["days_of_supply"] == pytest.approx(84 / 2.0)
    assert fort["in_stock_rate"] == pytest.approx(16 / 30)


def test_steady_seller_turnover_by_cost(account):
    """STEADY: on hand 60 at AS_OF after selling 1 a day, so 89 at the end of day 1 ... 60 on day 30:
    average end-of-day balance (89 + 60) / 2 = 74.5 units = $745. COGS 30 x $10 = $300 in 30 days.
    Turnover = 300 / 745 x 365 / 30 = 4.899 turns a year."""
    _, f, _ = account
    steady = f.loc["STEADY"]
    assert steady["avg_units_on_hand"] == pytest.approx(74.5)
    assert steady["turnover"] == pytest.approx(300 / 745 * 365 / 30)
    assert steady["turnover_basis"] == "cost"
    assert steady["demand_per_day"] == pytest.approx(1.0)
    assert steady["grade"] == ""


def test_missing_cost_flags_and_falls_back_to_units(account):
    _, f, _ = account
    dead = f.loc["DEAD"]
    assert bool(dead["cost_missing"]) and dead["turnover_basis"] == "units"
    assert math.isnan(dead["inventory_value"]) and math.isnan(dead["roi_pct"])
    assert dead["turnover"] == 0  # no units sold
    assert not math.isnan(dead["health_score"])
    assert bool(dead["dead_stock"]) and dead["dead_units"] == 50
    assert dead["grade"] == "red" and "no sale in 90 days" in dead["signals"]


def test_fifo_ages_from_the_ledger(account):
    """FORT's 84 units on hand all came from the receipt of day 23, 7 days before AS_OF."""
    _, f, _ = account
    assert f.loc["FORT", "aged_0_90"] == 84
    assert f.loc["FORT", "age_source"] == "ledger FIFO"


def test_account_summary_sums_and_weights(account):
    db_path, f, table = account
    summary = skus.account_summary(f.reset_index(), table.params)
    assert summary["skus"] == 3 and summary["skus_cost_missing"] == 1
    assert summary["units_on_hand"] == 84 + 50 + 60
    assert summary["inventory_value"] == pytest.approx(84 * 5 + 60 * 10)  # DEAD's value is unknown, not 0
    assert summary["days_of_supply"] == pytest.approx((84 + 50 + 60) / (2.0 + 1.0))
    assert 0 <= summary["health_score"] <= 100


def test_summary_and_skus_commands(account, tmp_path):
    db_path, _, _ = account
    fba = Path(sys.executable).with_name("fba-health")
    out = subprocess.run([str(fba), "skus", "--db", str(db_path), "--json"], capture_output=True, text=True,
                         check=True).stdout
    rows = {r["sku"]: r for r in json.loads(out)}
    required = {"sku", "asin", "marketplace", "available", "inbound", "units_30d", "demand_per_day",
                "days_of_supply", "turnover", "aged_0_90", "aged_91_180", "aged_181_270", "aged_271_365",
                "aged_366_455", "aged_456_plus", "score_turnover", "score_structure", "score_service_cost",
                "health_score", "grade", "signals", "abc_class", "gross_profit", "roi_pct"}
    assert required <= rows["FORT"].keys()
    assert rows["DEAD"]["days_of_supply"] is None  # infinite: stock and no demand
    assert "no sale in 90 days with stock on hand" in rows["DEAD"]["signals"]
    summary = json.loads(subprocess.run([str(fba), "summary", "--db", str(db_path), "--json"],
                                        capture_output=True, text=True, check=True).stdout)
    assert summary["skus"] == 3 and summary["as_of"] == AS_OF.isoformat()
    csv_out = subprocess.run([str(fba), "skus", "--db", str(db_path), "--csv"], capture_output=True, check=True).stdout
    assert csv_out.decode("utf-8-sig").splitlines()[0].startswith("sku,asin,")


def test_settings_round_trip_and_apply(tmp_path):
    db_path = tmp_path / "s.duckdb"
    health_params, grade_params = settings.load(db_path)
    assert (health_params, grade_params) == (HealthParams(), GradeParams())
    settings.save(db_path, HealthParams(capital_rate_annual=0.2), GradeParams(dos_watch_days=60))
    assert settings.load(db_path) == (HealthParams(capital_rate_annual=0.2), GradeParams(dos_watch_days=60))
    settings.reset(db_path)
    assert settings.load(db_path) == (HealthParams(), GradeParams())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    sample.load_sample(db_path)
    return db_path


def test_ledger_fifo_ages_match_amazons_planning_bands_on_the_demo(demo):
    """Two independent sources of the same ages: Amazon's planning report bands, and our FIFO walk over
    the ledger's receipts. They agree SKU by SKU."""
    import duckdb

    table = skus.sku_table(demo).frame.set_index("sku")
    assert (table["age_source"] == "ledger FIFO").all()
    con = duckdb.connect(str(demo))
    planning = con.execute("""SELECT sku, inv_age_0_to_90_days, inv_age_91_to_180_days, inv_age_181_to_270_days,
        inv_age_271_to_365_days, inv_age_366_to_455_days, inv_age_456_plus_days FROM inventory_planning
        WHERE snapshot_date = (SELECT max(snapshot_date) FROM inventory_planning)""").df().set_index("sku")
    con.close()
    ours = table.loc[planning.index, ["aged_0_90", "aged_91_180", "aged_181_270", "aged_271_365",
                                      "aged_366_455", "aged_456_plus"]].to_numpy()
    assert (ours == planning.to_numpy()).all()


def test_demo_table_is_complete_and_scores_stay_in_range(demo):
    frame = skus.sku_table(demo).frame
    assert len(frame) == sample.manifest()["skus"]
    assert frame["health_score"].between(0, 100).all()
    assert set(frame["grade"]) <= {"red", "orange", "yellow", ""}
    assert frame.loc[frame["cost_missing"], "inventory_value"].isna().all()
    profiles = sample.manifest()["profiles"]
    dead = [s for s, p in profiles.items() if p == "dead_stock"]
    assert dead and (frame.set_index("sku").loc[dead, "grade"] == "red").all()


def test_demo_scores_and_grades_tell_one_story(demo):
    """No SKU of the demo scores above its grade's ceiling (red 40, orange 60, yellow 80); the account
    score is the value-weighted mean, at most 100 × (1 − its dead value over a year old)."""
    table = skus.sku_table(demo)
    frame = table.frame
    for grade, ceiling in (("red", 40), ("orange", 60), ("yellow", 80)):
        graded = frame[frame["grade"] == grade]
        assert len(graded) and (graded["health_score"] <= ceiling + 1e-9).all(), grade
    summary = skus.account_summary(frame, table.params)
    assert summary["health_score"] <= 100 * (1 - summary["dead_aged_value_share"]) + 1e-9
    assert summary["health_score"] <= summary["score_weighted_mean"] + 1e-9


def test_older_as_of_date_uses_that_snapshot(demo):
    dates = skus.snapshot_dates(demo)
    older = skus.sku_table(demo, as_of=dates[-1])
    assert older.as_of == dates[-1] and (older.frame["as_of"] == dates[-1]).all()


RESTOCK_FIELDS = {"sku", "demand_per_day", "sigma_demand", "lead_time_days", "sigma_lead_time", "service_level",
                  "z", "safety_stock", "reorder_point", "eoq", "position", "order_qty", "order_by",
                  "stockout_date", "method", "wape", "status", "reason", "blocked_by", "demand_events"}


def fba(*args):
    command = [str(Path(sys.executable).with_name("fba-health")), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=300).stdout


def test_restock_command_contract_and_what_ifs(demo):
    """`fba-health restock` fields, and the what-if flags: one service level (z = Φ⁻¹(0.99) = 2.326,
    scipy's own figure) and one lead time for every SKU."""
    from scipy.stats import norm

    base = {r["sku"]: r for r in json.loads(fba("restock", "--db", demo, "--json"))}
    assert len(base) == sample.manifest()["skus"]
    assert RESTOCK_FIELDS <= next(iter(base.values())).keys()
    # With the forecast's demand too, no red or orange SKU is "order now": they are held (before issue
    # 14, 4 of them were "order now" and 5 "soon"). The demo's as-of date, 15 Nov 2026, puts Black
    # Friday-Cyber Monday (27-30 Nov) inside the 28 days the demand averages: the reasons say so.
    grades = skus.sku_table(demo).frame.set_index("sku")["grade"]
    for sku, row in base.items():
        held = grades[sku] in ("red", "orange")
        assert (row["status"] == "held") == held and (row["blocked_by"] == "grade") == held, sku
        assert not held or (row["order_qty"] == 0 and row["reason"].startswith(f"held: graded {grades[sku]}"))
    named = [r for r in base.values() if r["demand_events"]]
    assert named and all(r["demand_events"].startswith("Black Friday-Cyber Monday 27-30 Nov, ×") for r in named)
    assert all(r["reason"].endswith("; demand includes " + r["demand_events"]) for r in named if r["demand_per_day"] > 0)
    strict = {r["sku"]: r for r in json.loads(fba("restock", "--db", demo, "--service-level", "0.99",
                                                  "--lead-time-days", "30", "--json"))}
    for sku, row in strict.items():
        assert row["z"] == pytest.approx(norm.ppf(0.99)) and row["lead_time_days"] == 30
        if row["order_qty"]:
            assert row["order_qty"] >= (row.get("moq") or 0)
    shifted = {r["sku"]: r for r in json.loads(fba("restock", "--db", demo, "--lead-time-shift", "10", "--json"))}
    assert all(shifted[s]["lead_time_days"] == pytest.approx(base[s]["lead_time_days"] + 10) for s in base)


def test_forecast_command_gives_daily_intervals(demo):
    sku = skus.sku_table(demo).frame["sku"].iloc[0]
    out = json.loads(fba("forecast", "--sku", sku, "--db", demo, "--json"))
    assert out["sku"] == sku and out["model"]["method"]
    days = out["daily"]
    assert len(days) == 184  # any six whole calendar months
    assert all(0 <= d["lo95"] <= d["lo80"] <= d["mean"] <= d["hi80"] <= d["hi95"] for d in days)
    # The reorder point's demand is the daily forecast summed over the lead time.
    points = {p["lead_time_days"]: p for p in out["reorder_points"]}
    assert points[30]["lead_time_demand"] == pytest.approx(sum(d["mean"] for d in days[:30]), rel=1e-9)
    assert points[90]["reorder_point"] == pytest.approx(points[90]["lead_time_demand"] + points[90]["safety_stock"])
    assert points[30]["safety_stock"] <= points[90]["safety_stock"]
    assert len(out["yearly_profile"]) in (0, 12)


def test_a_planning_report_alone_gives_a_table_with_money_unknown(tmp_path):
    """Only the FBA Inventory report loaded: no sales lines, no ledger, no costs. The table still
    builds (sales from the report's shipped columns) and money is unknown (NaN), never $0."""
    path = tmp_path / "planning.duckdb"
    result = ingest.load_report(path, sample.SAMPLE_DIR / "fba_inventory_planning_2026-11-15.txt")
    assert result.status == "loaded"
    table = skus.sku_table(path)
    assert len(table.frame) == 150 and table.frame["cost_missing"].all()
    summary = skus.account_summary(table.frame, table.params)
    assert summary["skus_cost_missing"] == 150
    assert math.isnan(summary["inventory_value"]) and math.isnan(summary["gross_profit"])
    assert summary["units_on_hand"] > 0


def _planning_account(tmp: Path, stock: list[dict], sales: dict[str, range], costs: dict[str, float]):
    """An account of one FBA Inventory snapshot at AS_OF, All Orders lines of 3 units a day on the
    days ``sales[sku]`` before AS_OF (0 = AS_OF itself) and a cost sheet; no ledger, so ages are the
    report's bands and the average on hand is the snapshot's. Default parameters (P = 90 days)."""
    db_path = tmp / "account.duckdb"
    orders = [order_row(f"{sku}-{n}", sku, qty=3, price="60.00",
                        date=f"{(AS_OF - dt.timedelta(days=n)).isoformat()}T12:00:00+00:00")
              for sku, days in sales.items() for n in days]
    files = [write_report(tmp / "p.txt", header("planning_2026_97"), stock),
             write_report(tmp / "c.csv", ["sku", "unit_cost"],
                          [{"sku": s, "unit_cost": c} for s, c in costs.items()], delimiter=",")]
    if orders:
        files.append(write_report(tmp / "o.txt", header("orders_2026_34"), orders))
    for path in files:
        assert ingest.load_report(db_path, path).status == "loaded"
    table = skus.sku_table(db_path)
    return table.frame.set_index("sku"), skus.account_summary(table.frame, table.params)


def test_a_red_sku_that_sold_then_stopped_is_capped_at_40(tmp_path):
    """SLOW: 25 units at $10, sold 3 a day from 89 to 30 days ago (180 units), nothing in the last 30
    days: demand per day 0, days of supply ∞ > 180: red. Its dimensions all score 100 (turnover
    180 / 25 × 365 / 90 = 29 turns; no aged or dead units; in stock; holding = capital 15% a year), so
    the weighted score is 100, and the grade ceiling (½ × the alert line of 80) makes it 40.
    LIVE: 50 units at $10 selling 3 a day all period: 100, ungraded, uncapped. Weights $250 and $500
    (one snapshot: average = on hand): account (250 × 40 + 500 × 100) ÷ 750 = 80; no dead value."""
    f, summary = _planning_account(tmp_path, [planning_row("SLOW", 25), planning_row("LIVE", 50)],
                                   {"SLOW": range(30, 90), "LIVE": range(90)}, {"SLOW": 10, "LIVE": 10})
    slow, live = f.loc["SLOW"], f.loc["LIVE"]
    assert slow["grade"] == "red" and "days of supply over 180" in slow["signals"]
    assert slow["score_weighted"] == pytest.approx(100)
    assert slow["score_ceiling"] == 40 and slow["health_score"] == pytest.approx(40)
    assert live["grade"] == "" and live["health_score"] == pytest.approx(100)
    assert summary["dead_aged_value_share"] == 0 and summary["dead_value_ceiling"] == 100
    assert summary["health_score"] == pytest.approx((250 * 40 + 500 * 100) / 750)
    # Before the ceiling both score 100; the dimension figures' weighted sum says so too.
    assert summary["score_before_ceilings"] == pytest.approx(100)
    assert summary["score_before_ceilings"] == pytest.approx(
        0.40 * summary["score_turnover"] + 0.35 * summary["score_structure"] + 0.25 * summary["score_service_cost"])
    lost = skus.points_lost(f.reset_index()).set_axis(f.index)
    # SLOW's (100 − 40) × 250 / 750 = 20 points, all of them to the grade ceiling.
    assert lost.loc["SLOW", "points_lost"] == pytest.approx(20)
    assert lost.loc["SLOW", "lost_grade"] == pytest.approx(20)
    assert lost["points_lost"].sum() == pytest.approx(100 - summary["health_score"])


def test_a_quarter_of_the_value_dead_and_over_a_year_old_puts_the_account_under_the_alert_line(tmp_path):
    """LIVE: 75 units at $10 selling 3 a day (100 on every dimension). DEAD: 25 units at $10, all aged
    456+ days, no sale: turnover 0, structure 0, service 100 (in stock, holding = capital 15%): weighted
    0.25 × 100 = 25, red (ceiling 40). Value-weighted mean (750 × 100 + 250 × 25) ÷ 1,000 = 81.25:
    above the line of 80, the contradiction of issue 14. Dead value over a year old = 250 ÷ 1,000 =
    25%: dead-value ceiling 75, so the account scores 75 and alerts."""
    stock = [planning_row("LIVE", 75),
             planning_row("DEAD", 25, **{"inv-age-0-to-90-days": 0, "inv-age-456-plus-days": 25})]
    f, summary = _planning_account(tmp_path, stock, {"LIVE": range(90)}, {"LIVE": 10, "DEAD": 10})
    dead = f.loc["DEAD"]
    assert dead["grade"] == "red" and bool(dead["dead_stock"]) and dead["dead_aged_units"] == 25
    assert dead["score_structure"] == 0 and dead["health_score"] == pytest.approx(25)
    assert f.loc["LIVE", "health_score"] == pytest.approx(100)
    assert summary["score_weighted_mean"] == pytest.approx(81.25)
    assert summary["dead_aged_value_share"] == pytest.approx(0.25)
    assert summary["health_score"] == pytest.approx(75) and summary["alert"]
    lost = skus.points_lost(f.reset_index()).set_axis(f.index)
    # The 6.25 points the ceiling takes below the mean all fall on DEAD, the only dead value.
    assert lost.loc["DEAD", "lost_dead_value"] == pytest.approx(6.25)
    assert lost.loc["DEAD", "points_lost"] == pytest.approx(75 * 250 / 1000 + 6.25)
    assert lost["points_lost"].sum() == pytest.approx(25)


# --- the as-of date without a stock snapshot (issue 15) ---------------------------------------------

def test_the_as_of_date_is_the_latest_snapshot_else_the_last_order_day(tmp_path):
    """All Orders lines on 1 Oct to 12 Nov 2026 (12 Nov the last written): as of 12 Nov. Shipments
    alone (last shipped 9 Nov): 9 Nov. A snapshot of 1 Nov, though the orders go on to 12 Nov: 1 Nov,
    as before. Nothing with a date (a cost sheet): None."""
    orders_db, ships_db, costs_db = tmp_path / "o.duckdb", tmp_path / "s.duckdb", tmp_path / "c.duckdb"
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(43)]
    assert days[-1] == dt.date(2026, 11, 12)
    orders = write_report(tmp_path / "o.txt", header("orders_2026_34"),
                          [order_row(f"O-{d}", "OO-A", qty=2, price="20.00", date=f"{d}T10:00:00+00:00")
                           for d in days])
    ships = write_report(tmp_path / "s.txt", header("shipments_48"), [
        {"amazon-order-id": f"S-{n}", "shipment-id": f"D{n}", "shipment-item-id": f"I{n}", "sku": "SH-1",
         "product-name": "Shipped thing", "quantity-shipped": 1, "item-price": "9.00", "currency": "USD",
         "sales-channel": "Amazon.com", "shipment-date": f"2026-11-0{n}T15:00:00+00:00"} for n in (3, 9)])
    costs = write_report(tmp_path / "c.csv", ["sku", "unit_cost"], [{"sku": "OO-A", "unit_cost": 4}],
                         delimiter=",")
    for db_path, path in ((orders_db, orders), (ships_db, ships), (costs_db, costs)):
        assert ingest.load_report(db_path, path).status == "loaded"
    assert skus.snapshot_dates(orders_db) == [] and skus.as_of_date(orders_db) == dt.date(2026, 11, 12)
    assert skus.as_of_date(ships_db) == dt.date(2026, 11, 9)
    assert skus.as_of_date(costs_db) is None

    # The orders-only table: one row per SKU sold, its stock 0, its demand and price from the lines:
    # 30 days × 2 units ÷ 30 = 2 a day; unit price $20.00 ÷ 2 = $10.00; no health figures.
    table = skus.plan_table(orders_db, HealthParams(demand_window_days=30))
    row = table.frame.set_index("sku").loc["OO-A"]
    assert table.as_of == dt.date(2026, 11, 12) and table.sources.stock is None
    assert (row["available"], row["inbound"], row["on_hand"]) == (0, 0, 0)
    assert row["demand_per_day"] == pytest.approx(2.0) and row["price"] == pytest.approx(10.0)
    assert row["product_name"] == "Product OO-A" and math.isnan(row["health_score"]) and row["grade"] == ""
    assert skus.sku_table(orders_db).frame.empty  # the health table still needs stock

    planning = write_report(tmp_path / "p.txt", header("planning_2026_97"),
                            [planning_row("OO-A", 40, snapshot=dt.date(2026, 11, 1))])
    assert ingest.load_report(orders_db, planning).status == "loaded"
    assert skus.as_of_date(orders_db) == dt.date(2026, 11, 1)
    table = skus.plan_table(orders_db)
    assert table.as_of == dt.date(2026, 11, 1) and table.sources.stock == "inventory_planning"
    assert table.frame.set_index("sku").loc["OO-A", "available"] == 40
