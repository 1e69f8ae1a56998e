"""core/alerts.py: every rule fires just past its threshold and not at it; each rule's money at stake
worked by hand on small constructed accounts; one line per SKU (grouping, overlap, ranking); settings;
the digest under one reference day; the command prints it (per rule, per SKU, Markdown) and e-mails it
to a local SMTP server started by the test."""

from __future__ import annotations

import datetime as dt
import email
import json

import numpy as np
import pandas as pd
import pytest

from core import alerts, cli
from core.restock_params import baseline_restock_params
from tests.smtp_server import smtp_server

AS_OF, TODAY = dt.date(2026, 11, 15), dt.date(2026, 11, 23)
EMPTY = pd.DataFrame()


def inputs(**parts) -> alerts.AlertInputs:
    values = {"as_of": AS_OF, "today": TODAY, "summary": {}, "skus": EMPTY, "plan": EMPTY, "crossings": EMPTY,
              "returns": EMPTY, "report_ages": EMPTY, "reconciliation": EMPTY}
    values.update(parts)
    return alerts.AlertInputs(**values)


def fired(rule: str, threshold, **parts) -> pd.DataFrame:
    return alerts.RULE_FUNCTIONS[rule](inputs(**parts), threshold)


def test_health_score_fires_below_the_threshold_only():
    assert len(fired("health_score", 80, summary={"health_score": 79.99})) == 1
    assert len(fired("health_score", 80, summary={"health_score": 80.0})) == 0


def test_stockout_within_the_lead_time_edge():
    """Lead time 30 days from 15 Nov: an order lands on 15 Dec. Out on 14 Dec fires; on 15 Dec it
    does not (the order arrives that day); no demand never fires."""
    plan = pd.DataFrame({"sku": ["A", "B", "C"], "product_name": ["a", "b", "c"], "demand_per_day": [1.0, 1.0, 0.0],
                         "lead_time_days": [30.0] * 3,
                         "stockout_date": pd.to_datetime(["2026-12-14", "2026-12-15", "2026-11-20"])})
    assert fired("stockout_in_lead_time", None, plan=plan)["sku"].tolist() == ["A"]


def test_low_cover_edge():
    f = pd.DataFrame({"sku": ["A", "B", "C"], "product_name": ["a", "b", "c"], "days_of_supply": [14.99, 15.0, 3.0],
                      "demand_per_day": [1.0, 1.0, 0.0]})
    assert fired("low_cover", 15, skus=f)["sku"].tolist() == ["A"]
    assert "pausing ads" in fired("low_cover", 15, skus=f)["message"].iloc[0]


def test_order_by_passed_edge():
    plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [1.0, 1.0],
                         "position": [49.0, 50.0], "reorder_point": [50.0, 50.0], "order_qty": [60.0, 0.0]})
    assert fired("order_by_passed", None, plan=plan)["sku"].tolist() == ["A"]


def test_surcharge_crossing_within_the_days():
    """Deadline 15 Dec is 30 days after 15 Nov: fires at 30, not at 29."""
    c = pd.DataFrame({"sku": ["A"], "band": ["181-210"], "units": [10.0], "deadline": [dt.date(2026, 12, 15)],
                      "amount_avoided": [5.0]})
    assert len(fired("surcharge_crossing", 30, crossings=c)) == 1
    assert len(fired("surcharge_crossing", 29, crossings=c)) == 0


def test_red_grade_only_red():
    f = pd.DataFrame({"sku": ["A", "B", "C"], "product_name": ["a", "b", "c"], "grade": ["red", "orange", ""],
                      "signals": ["no sale in 90 days", "aged", ""]})
    assert fired("red_grade", None, skus=f)["sku"].tolist() == ["A"]


def test_return_spike_reads_the_returns_flag():
    r = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "spike": [True, False],
                      "recent_rate": [0.2, 0.05], "baseline_rate": [np.nan, 0.05]})
    out = fired("return_spike", 1.5, returns=r)
    assert out["sku"].tolist() == ["A"] and "none before" in out["message"].iloc[0]


def test_stale_data_and_reconciliation_gap_read_their_flags():
    ages = pd.DataFrame({"title": ["FBA Inventory", "All Orders"], "age_days": [8, 2], "stale": [True, False],
                         "data_last_date": [dt.date(2026, 11, 15), dt.date(2026, 11, 21)]})
    out = fired("stale_data", 7, report_ages=ages)
    assert out["message"].tolist() == ["FBA Inventory is 8 days old (newest data 15 Nov 2026)."]
    assert out["sku"].isna().all()
    gaps = pd.DataFrame({"sku": ["A", "B"], "check": ["available"] * 2, "source_a": ["FBA Inventory"] * 2,
                         "value_a": [100.0, 100.0], "source_b": ["Manage Inventory"] * 2, "value_b": [80.0, 98.0],
                         "difference": [20.0, 2.0], "flagged": [True, False]})
    assert fired("reconciliation_gap", 0.1, reconciliation=gaps)["sku"].tolist() == ["A"]


def test_every_rule_has_a_function_and_evaluate_orders_by_severity():
    assert set(alerts.RULE_FUNCTIONS) == {r.key for r in alerts.RULES}
    f = pd.DataFrame({"sku": ["A"], "product_name": ["a"], "days_of_supply": [3.0], "demand_per_day": [1.0],
                      "grade": ["red"], "signals": ["x"]})
    out = alerts.evaluate(inputs(skus=f, summary={"health_score": 50.0}))
    assert out["rule"].tolist() == ["health_score", "low_cover", "red_grade"]
    assert list(out.columns) == alerts.ALERT_COLUMNS
    off = alerts.evaluate(inputs(skus=f, summary={"health_score": 50.0}),
                          alerts.AlertSettings(off=("red_grade", "health_score")))
    assert off["rule"].tolist() == ["low_cover"]


def test_settings_validate_and_persist(tmp_path):
    from core import db

    with pytest.raises(ValueError, match="unknown alert rule"):
        alerts.AlertSettings(off=("nope",))
    with pytest.raises(ValueError, match="return_spike must be a finite number >= 1"):
        alerts.AlertSettings(thresholds=(("return_spike", 0.5),))
    with pytest.raises(ValueError, match="<= 0.99"):
        alerts.AlertSettings(thresholds=(("reconciliation_gap", 1.0),))
    with pytest.raises(ValueError, match="no threshold"):
        alerts.AlertSettings(thresholds=(("red_grade", 1.0),))
    path = tmp_path / "a.duckdb"
    db.ensure_schema(path)
    assert alerts.load_settings(path) == alerts.AlertSettings()
    chosen = alerts.AlertSettings(off=("stale_data",), thresholds=(("low_cover", 10.0),))
    alerts.save_settings(path, chosen)
    assert alerts.load_settings(path) == chosen


def test_alerts_on_the_demo_and_the_command_emails_the_digest(demo_database, capsys, monkeypatch):
    """The command's JSON is the library's list; --email delivers the Markdown digest to the server."""
    expected = alerts.alerts_from_db(demo_database, today=TODAY)
    assert len(expected) > 0 and set(expected["rule"]) <= {r.key for r in alerts.RULES}
    assert cli.main(["alerts", "--db", str(demo_database), "--today", TODAY.isoformat(), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [(a["rule"], a["sku"]) for a in printed] == list(zip(expected["rule"], expected["sku"].where(
        expected["sku"].notna(), None)))
    with smtp_server() as (port, received):
        for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none", "FROM": "bot@x.test"}.items():
            monkeypatch.setenv(f"FBA_HEALTH_SMTP_{name}", value)
        code = cli.main(["alerts", "--db", str(demo_database), "--today", TODAY.isoformat(), "--markdown",
                         "--email", "me@x.test"])
    out = capsys.readouterr()
    assert code == 0 and "Digest sent to me@x.test." in out.err
    assert len(received) == 1 and received[0].recipients == ["me@x.test"]
    body = email.message_from_string(received[0].data).get_payload(decode=True).decode()
    body = body.replace("\r\n", "\n")
    assert body.strip() == out.out.strip()
    assert body.startswith("# Alerts as of 15 Nov 2026 (stock snapshot), report ages measured on 23 Nov 2026\n")
    lines = alerts.by_sku(expected)
    subject = " ".join(email.message_from_string(received[0].data)["Subject"].split())  # unfolded
    assert subject == alerts.digest_subject(expected, TODAY) and f"{lines['sku'].notna().sum()} SKUs" in subject


def test_the_command_reports_a_failed_send(demo_database, capsys, monkeypatch):
    monkeypatch.setenv("FBA_HEALTH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FBA_HEALTH_SMTP_PORT", "1")
    monkeypatch.setenv("FBA_HEALTH_SMTP_TLS", "none")
    code = cli.main(["alerts", "--db", str(demo_database), "--markdown", "--email", "me@x.test"])
    assert code == 4 and "Digest not sent" in capsys.readouterr().err


@pytest.mark.parametrize("spike_ratio", [1.5, 1.2])
def test_the_apps_own_crossings_and_returns_give_the_same_alerts(demo_database, spike_ratio):
    """The Alerts page passes the crossings of the 12-month outlook (with the plan's arrivals) and the
    returns table read with default parameters; the alerts equal those the library reads for itself
    (2 months, no arrivals; returns read with the rule's spike ratio)."""
    from core import returns
    from core.fees import outlook
    chosen = alerts.AlertSettings(thresholds=(("return_spike", spike_ratio),))
    own = alerts.alerts_from_db(demo_database, today=TODAY, alert_settings=chosen)
    health, _ = alerts.settings.load(demo_database)
    rparams = baseline_restock_params(health)
    given = alerts.alerts_from_db(
        demo_database, today=TODAY, alert_settings=chosen,
        crossings=outlook.fee_outlook(demo_database, AS_OF, 12, restock_params=rparams, health_params=health).crossings,
        returns_by_sku=returns.returns_by_sku(demo_database, AS_OF))
    assert (own["rule"] == "surcharge_crossing").sum() > 0 and (own["rule"] == "return_spike").sum() > 0
    pd.testing.assert_frame_equal(given, own)


# --- money at stake, per rule, worked by hand -----------------------------------------------------

def test_stockout_money_is_the_margin_of_the_days_out_before_an_order_lands():
    """15 Nov, lead time 30 days: an order placed today lands on 15 Dec. A runs out on 25 Nov (10
    days): 20 days out × 3 units a day × $4 margin = $240. B's margin is negative: nothing to lose,
    $0. C has no cost, so no margin: unknown."""
    plan = pd.DataFrame({"sku": ["A", "B", "C"], "product_name": ["a", "b", "c"], "demand_per_day": [3.0] * 3,
                         "lead_time_days": [30.0] * 3, "stockout_date": pd.to_datetime(["2026-11-25"] * 3),
                         "unit_margin": [4.0, -1.0, np.nan], "order_qty": [120.0] * 3})
    out = fired("stockout_in_lead_time", None, plan=plan).set_index("sku")
    assert out.loc["A", "money_at_stake"] == pytest.approx(240.0)
    assert out.loc["B", "money_at_stake"] == 0.0 and np.isnan(out.loc["C", "money_at_stake"])
    assert out.loc["A", "reason"] == "stockout in 10 days, inside the 30-day lead time"
    assert out.loc["A", "action"] == "Order 120 units now, ship fast: 20 days out of stock otherwise"
    assert (out.loc["A", "unit"], out.loc["A", "threshold_text"]) == ("days", "the SKU's lead time")


def test_low_cover_money_is_the_margin_of_the_days_missing_to_the_threshold():
    """6 days of cover against 15: 9 days × 2 units × $2.50 margin (from the plan) = $45."""
    f = pd.DataFrame({"sku": ["A"], "product_name": ["a"], "days_of_supply": [6.0], "demand_per_day": [2.0]})
    plan = pd.DataFrame({"sku": ["A"], "unit_margin": [2.5]})
    out = fired("low_cover", 15, skus=f, plan=plan)
    assert out["money_at_stake"].tolist() == [pytest.approx(45.0)]
    assert out["reason"].tolist() == ["6 days of cover, under the 15-day threshold"]
    assert out["threshold_text"].tolist() == ["15 days"]


def test_order_by_money_is_the_expected_shortfall_before_an_order_lands():
    """A: σ = 0, position 30 against d·L = 40: 10 units short × $3 = $30.
    B: d = 2, L = 40, σ_d = 0.5, σ_L = 5: σ_LT = √(40 · 0.25 + 4 · 25) = √110; position 70 against
    d·L = 80. The expected shortfall E[max(X − 70, 0)], X ~ N(80, √110), integrated numerically
    here (independently of the loss-function formula), × $2."""
    plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [1.0, 2.0],
                         "position": [30.0, 70.0], "reorder_point": [45.0, 95.0], "order_qty": [50.0, 60.0],
                         "lead_time_days": [40.0, 40.0], "sigma_demand": [0.0, 0.5], "sigma_lead_time": [0.0, 5.0],
                         "unit_margin": [3.0, 2.0]})
    out = fired("order_by_passed", None, plan=plan).set_index("sku")
    assert out.loc["A", "money_at_stake"] == pytest.approx(30.0)
    sigma = 110 ** 0.5
    x = np.linspace(80 - 12 * sigma, 80 + 12 * sigma, 200_001)
    density = np.exp(-0.5 * ((x - 80) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    shortfall = np.trapezoid(np.maximum(x - 70, 0) * density, x)
    assert out.loc["B", "money_at_stake"] == pytest.approx(shortfall * 2.0, rel=1e-6)
    assert out.loc["B", "reason"] == "stock plus inbound 70 units, 25 under the 95-unit reorder point"
    assert out.loc["B", "action"] == "Order 60 units now"


def test_surcharge_money_is_the_amount_avoided_and_a_skus_bands_add_up():
    c = pd.DataFrame({"sku": ["K", "K"], "band": ["456+", "366-455"], "units": [17.0, 1.0],
                      "assessment_date": [dt.date(2026, 12, 15)] * 2, "deadline": [dt.date(2026, 12, 14)] * 2,
                      "amount_avoided": [20.57, 1.29]})
    out = fired("surcharge_crossing", 30, crossings=c)
    assert out["reason"].tolist() == ["$20.57 aged surcharge on 17 units on 15 Dec",
                                      "$1.29 aged surcharge on 1 unit on 15 Dec"]
    assert out["action"].tolist() == ["Sell or remove 17 units by 14 Dec", "Sell or remove 1 unit by 14 Dec"]
    line = alerts.by_sku(out)
    assert line["money_at_stake"].tolist() == [pytest.approx(21.86)] and len(line["reasons"].iloc[0]) == 2


def test_red_grade_money_is_the_stock_value_at_cost():
    """40 units at $5: $200 (the SKU table's inventory value); no cost: unknown, said in the reason."""
    f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "grade": ["red", "red"],
                      "signals": ["no sale in 90 days", ""], "on_hand": [40.0, 10.0],
                      "inventory_value": [40 * 5.0, np.nan]})
    out = fired("red_grade", None, skus=f).set_index("sku")
    assert out.loc["A", "money_at_stake"] == 200.0 and np.isnan(out.loc["B", "money_at_stake"])
    assert out.loc["A", "reason"] == "red slow mover (no sale in 90 days): 40 units, $200.00 at cost"
    assert out.loc["B", "reason"] == "red slow mover: 10 units, no unit cost"


def test_return_spike_money_is_the_refunds_beyond_the_baseline():
    """A: 9 of 50 came back against a 4% baseline: 9 − 0.04 × 50 = 7 returns beyond it × $25 = $175.
    B: no baseline: all 3 recent returns × $10 = $30."""
    r = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "spike": [True, True],
                      "recent_sold": [50.0, 20.0], "recent_returned": [9.0, 3.0], "recent_rate": [0.18, 0.15],
                      "baseline_rate": [0.04, np.nan], "top_reason_group": ["size or description", ""]})
    f = pd.DataFrame({"sku": ["A", "B"], "price": [25.0, 10.0]})
    out = fired("return_spike", 1.5, returns=r, skus=f).set_index("sku")
    assert out["money_at_stake"].tolist() == [pytest.approx(175.0), pytest.approx(30.0)]
    assert out.loc["A", "reason"] == ("18.0% of units returned in the last 30 days, 4.5× the 4.0% baseline "
                                      "(threshold 1.5×)")
    assert "mostly size or description" in out.loc["A", "action"]
    assert out.loc["A", "threshold_text"] == "1.5× the baseline return rate"


def test_reconciliation_money_is_the_gap_at_cost_and_a_skus_checks_count_once():
    """Two checks on A: 20 and 8 units apart at $3: $60 and $24 per record; the SKU line counts the
    larger, $60 (the checks overlap: the same units seen by different reports)."""
    g = pd.DataFrame({"sku": ["A", "A"], "check": ["available", "on_hand_ledger"],
                      "source_a": ["inventory_planning.available", "inventory_planning.available + reserved"],
                      "value_a": [100.0, 10.0],
                      "source_b": ["manage_inventory.afn_fulfillable_quantity", "inventory_planning (previous) + ledger"],
                      "value_b": [80.0, 18.0],
                      "difference": [20.0, -8.0], "flagged": [True, True]})
    f = pd.DataFrame({"sku": ["A"], "product_name": ["a"], "unit_cost": [3.0]})
    out = fired("reconciliation_gap", 0.1, reconciliation=g, skus=f)
    assert out["money_at_stake"].tolist() == [60.0, 24.0]
    assert out["reason"].tolist() == [
        "units available to sell at FBA: FBA Inventory 100, Manage FBA Inventory 80 (20 apart, over 10%)",
        "sellable units on hand (available + reserved): FBA Inventory 10, its previous snapshot rolled forward 18 "
        "(8 apart, over 10%)"]
    assert out["message"].iloc[0].startswith("Units available to sell at FBA: FBA Inventory 100")
    assert alerts.by_sku(out)["money_at_stake"].tolist() == [60.0]


def test_account_rules_have_no_money_and_every_threshold_shows_its_unit():
    out = fired("health_score", 80, summary={"health_score": 70.0})
    assert out["money_at_stake"].isna().all() and out["threshold_text"].tolist() == ["80 points"]
    for rule in alerts.RULES:
        text = rule.threshold_text()
        assert text and not text.replace(".", "").isdigit() and any(c.isalpha() for c in text), rule.key
        assert bool(rule.money_at_stake) == (rule.key not in ("health_score", "stale_data")), rule.key
    assert [alerts.BY_KEY[k].threshold_text(v) for k, v in
            [("low_cover", 10), ("surcharge_crossing", 30), ("stale_data", 7), ("reconciliation_gap", 0.25)]] == [
        "10 days", "within 30 days", "7 days", "25% (and 5 units)"]


# --- one line per SKU -------------------------------------------------------------------------------

def account(**parts) -> pd.DataFrame:
    """Every rule on the small account built from ``parts``."""
    return alerts.evaluate(inputs(**parts))


def test_two_rules_on_one_sku_make_one_line_with_both_reasons():
    """A is out in 10 days inside a 30-day lead time ($240 lost) and red ($200 of stock): one line,
    $440, high (the stockout), the stockout's reason and action first. B is only red."""
    plan = pd.DataFrame({"sku": ["A"], "product_name": ["a"], "demand_per_day": [3.0], "lead_time_days": [30.0],
                         "stockout_date": pd.to_datetime(["2026-11-25"]), "unit_margin": [4.0],
                         "order_qty": [120.0], "position": [30.0], "reorder_point": [20.0]})
    f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "grade": ["red", "red"], "signals": ["x", "y"],
                      "on_hand": [40.0, 8.0], "inventory_value": [200.0, 16.0], "days_of_supply": [10.0, 80.0],
                      "demand_per_day": [3.0, 0.1]})
    records = account(plan=plan, skus=f, crossings=pd.DataFrame())
    records = records[records["rule"].isin(["stockout_in_lead_time", "red_grade"])]
    lines = alerts.by_sku(records)
    assert lines["sku"].tolist() == ["A", "B"] and list(lines.columns) == alerts.SKU_COLUMNS
    a = lines.iloc[0]
    assert a["rules"] == ["stockout_in_lead_time", "red_grade"] and a["severity"] == "high"
    assert a["money_at_stake"] == pytest.approx(440.0)
    assert a["reasons"] == ["stockout in 10 days, inside the 30-day lead time", "red slow mover (x): 40 units, "
                            "$200.00 at cost"]
    assert a["action"].startswith("Order 120 units now")


def test_the_lost_sales_rules_count_the_same_dollars_once():
    """Stockout $240, order-by $250 and low cover $45 all count the same missed sales: the line counts
    the largest, $250, and takes its action; a $21 surcharge adds."""
    rows = pd.DataFrame({"rule": ["stockout_in_lead_time", "order_by_passed", "low_cover", "surcharge_crossing"],
                         "severity": ["high", "high", "medium", "medium"], "sku": ["A"] * 4, "product_name": ["a"] * 4,
                         "reason": ["out", "below", "cover", "surcharge"], "money_at_stake": [240.0, 250.0, 45.0, 21.0],
                         "action": ["expedite", "order", "pause", "sell"]})
    line = alerts.by_sku(rows).iloc[0]
    assert line["money_at_stake"] == pytest.approx(271.0) and line["action"] == "order"
    assert line["reasons"] == ["below", "out", "cover", "surcharge"]


def test_lines_rank_by_money_then_severity_with_account_alerts_first():
    """Money first (unknown counts as 0), then severity, then SKU; account alerts above, one per rule."""
    rows = pd.DataFrame({
        "rule": ["red_grade", "stockout_in_lead_time", "return_spike", "red_grade", "stockout_in_lead_time",
                 "stale_data", "stale_data", "health_score"],
        "severity": ["medium", "high", "medium", "medium", "high", "low", "low", "high"],
        "sku": ["CHEAP", "BIG", "TIE-MED", "NOCOST", "TIE-HIGH", None, None, None],
        "product_name": ["c", "b", "t", "n", "h", None, None, None],
        "reason": ["r1", "r2", "r3", "r4", "r5", "All Orders old", "Restock old", "score low"],
        "money_at_stake": [10.0, 300.0, 50.0, np.nan, 50.0, np.nan, np.nan, np.nan],
        "action": ["a1", "a2", "a3", "a4", "a5", "load", "load", "see"]})
    lines = alerts.by_sku(rows)
    assert lines["sku"].tolist() == [None, None, "BIG", "TIE-HIGH", "TIE-MED", "CHEAP", "NOCOST"]
    assert lines["rules"].iloc[:2].tolist() == [["health_score"], ["stale_data"]]
    assert lines["reasons"].iloc[1] == ["All Orders old", "Restock old"] and lines["action"].iloc[1] == "load"
    assert np.isnan(lines["money_at_stake"].iloc[-1])
    assert alerts.by_sku(pd.DataFrame(columns=alerts.ALERT_COLUMNS)).empty


def test_the_digest_has_one_reference_day_and_one_line_per_sku():
    rows = pd.DataFrame({
        "rule": ["surcharge_crossing", "red_grade", "low_cover", "stale_data"],
        "severity": ["medium", "medium", "medium", "low"], "sku": ["K-1", "K-1", "M-2", None],
        "product_name": ["Skillet", "Skillet", "Mug", None],
        "reason": ["$20.57 aged surcharge on 17 units on 15 Dec", "red slow mover: 57 units, $429.21 at cost",
                   "9 days of cover, under the 15-day threshold", "All Orders is 21 days old, over its 7-day limit"],
        "money_at_stake": [20.57, 429.21, 12.0, np.nan],
        "action": ["Sell or remove 17 units by 14 Dec", "Clear it", "Pause ads", "Load fresh reports"]})
    text = alerts.digest_markdown(rows, dt.date(2026, 11, 15), dt.date(2026, 12, 6))
    assert text.splitlines() == [
        "# Alerts as of 15 Nov 2026 (stock snapshot), report ages measured on 6 Dec 2026",
        "2 SKUs to act on, $461.78 at stake; 1 account alert.",
        "",
        "## Account",
        "- **Stale data** (low): All Orders is 21 days old, over its 7-day limit. Load fresh reports.",
        "",
        "## SKUs, most money at stake first",
        "1. **K-1** Skillet: $449.78 at stake (medium). Clear it. Why: red slow mover: 57 units, $429.21 at cost; "
        "$20.57 aged surcharge on 17 units on 15 Dec.",
        "2. **M-2** Mug: $12.00 at stake (medium). Pause ads. Why: 9 days of cover, under the 15-day threshold."]
    assert alerts.digest_markdown(rows.iloc[:0], None, dt.date(2026, 12, 6)).splitlines() == [
        "# Alerts with no stock snapshot loaded, report ages measured on 6 Dec 2026", "Nothing fires."]


def test_the_demo_digest_and_by_sku_json(demo_database, capsys):
    """On the demo: --by-sku prints one record per SKU that fires (plus the account lines) with the
    documented fields; the Markdown digest has one numbered line per SKU and no date but its heading
    carries a year (every line is measured from the heading's reference days). A stockout-only SKU's
    money at stake is recomputed from the restock plan the command prints."""
    args = ["alerts", "--db", str(demo_database), "--today", "2026-12-06"]
    assert cli.main([*args, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    contract = {"rule", "name", "severity", "sku", "product_name", "message", "value", "threshold"}
    assert all(contract | {"money_at_stake", "reason", "action", "unit", "as_of"} <= set(r) for r in records)
    assert cli.main([*args, "--by-sku"]) == 0
    lines = json.loads(capsys.readouterr().out)
    assert all(list(line) == ["sku", "product_name", "severity", "money_at_stake", "reasons", "rules", "action"]
               for line in lines)
    skus_firing = {r["sku"] for r in records if r["sku"]}
    per_sku = [line for line in lines if line["sku"]]
    assert len(per_sku) == len(skus_firing) < len(records)
    assert sum(len(line["reasons"]) for line in lines) == len(records)
    money = [line["money_at_stake"] or 0.0 for line in per_sku]
    assert money == sorted(money, reverse=True)
    assert cli.main([*args, "--markdown"]) == 0
    digest = capsys.readouterr().out.splitlines()
    assert digest[0] == "# Alerts as of 15 Nov 2026 (stock snapshot), report ages measured on 6 Dec 2026"
    numbered = [line for line in digest if line[:1].isdigit() and ". **" in line]
    assert len(numbered) == len(skus_firing) and numbered[0].startswith(f"1. **{per_sku[0]['sku']}** ")
    assert not any("2026" in line or "2027" in line for line in digest[1:])
    # an independent check of one SKU's dollars against the plan the restock command prints
    assert cli.main(["restock", "--db", str(demo_database), "--json"]) == 0
    plan = {p["sku"]: p for p in json.loads(capsys.readouterr().out)}
    only = next(line for line in per_sku if line["rules"] == ["stockout_in_lead_time", "order_by_passed"])
    stockout = next(r for r in records if r["sku"] == only["sku"] and r["rule"] == "stockout_in_lead_time")
    p = plan[only["sku"]]
    days = (dt.date.fromisoformat(p["stockout_date"][:10]) - AS_OF).days
    assert stockout["money_at_stake"] == pytest.approx((p["lead_time_days"] - days) * p["demand_per_day"]
                                                       * p["unit_margin"])
    assert only["money_at_stake"] >= stockout["money_at_stake"]


def test_every_rules_money_at_stake_is_in_metrics_md():
    """The registry drives the docs: each rule's definition of its dollars and its threshold text
    appear in docs/metrics.md's rule table."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text(encoding="utf-8")
    for rule in alerts.RULES:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{rule.key}` | {rule.name} |")), "")
        assert row, f"{rule.key} has no row in the rule table"
        assert rule.threshold_text() in row and (rule.money_at_stake or "account alert") in row, rule.key


# --- a small account in Amazon's own formats --------------------------------------------------------

CLAIM_AS_OF = dt.date(2026, 9, 30)


@pytest.fixture(scope="module")
def claims_account(tmp_path_factory):
    """Two SKUs on 30 Sep 2026, files in Amazon's formats.

    DEAD: 50 units, all older than 455 days, never sold: red; $3 a unit, so $150 of stock at cost.
    10 lost (ledger reason M) 100 days ago, never found: 10 × $3 = $30 to claim.
    LOST: 20 units, sells 1 a day (20 days of supply: not red). 10 lost 60 days ago, 3 found 30 days
    ago: 7 × $4.50 = $31.50 to claim. Both claims are over the $25 default and old enough (≥ 45 days).
    """
    from core import ingest
    from tests.reportfiles import header, ledger_row, order_row, write_report

    tmp = tmp_path_factory.mktemp("claims")
    db_path = tmp / "c.duckdb"

    def ago(days: int) -> dt.date:
        return CLAIM_AS_OF - dt.timedelta(days=days)

    def planning(sku: str, units: int, **extra) -> dict:
        row = {"snapshot-date": CLAIM_AS_OF.isoformat(), "sku": sku, "asin": f"B0{sku}", "fnsku": f"X00{sku[-4:]}",
               "marketplace": "US", "available": units, "Total Reserved Quantity": 0, "inbound-quantity": 0,
               "inv-age-0-to-90-days": units, "your-price": "20.00", "product-name": f"Product {sku}"}
        return {**row, **extra}

    orders = [order_row(f"L-{n}", "LOST", date=f"{ago(n).isoformat()}T12:00:00+00:00") for n in range(0, 30)]
    ledger = [ledger_row(ago(n).strftime("%m/%d/%Y"), "LOST", "Shipments", -1, ref=f"L-{n}") for n in range(0, 30)]
    ledger += [ledger_row(ago(100).strftime("%m/%d/%Y"), "DEAD", "Adjustments", -10, ref="D1", Reason="M"),
               ledger_row(ago(60).strftime("%m/%d/%Y"), "LOST", "Adjustments", -10, ref="L1", Reason="M"),
               ledger_row(ago(30).strftime("%m/%d/%Y"), "LOST", "Adjustments", 3, ref="L2", Reason="F")]
    files = [write_report(tmp / "p.txt", header("planning_2026_97"),
                          [planning("DEAD", 50, **{"inv-age-0-to-90-days": 0, "inv-age-456-plus-days": 50}),
                           planning("LOST", 20)]),
             write_report(tmp / "o.txt", header("orders_2026_34"), orders),
             write_report(tmp / "l.txt", header("ledger_detail_2026_16"), ledger),
             write_report(tmp / "c.csv", ["sku", "unit_cost"], [{"sku": "DEAD", "unit_cost": 3},
                                                                {"sku": "LOST", "unit_cost": 4.5}], delimiter=",")]
    for path in files:
        assert ingest.load_report(db_path, path).status == "loaded"
    return db_path


def test_claims_and_dead_stock_on_a_small_account_in_amazons_formats(claims_account):
    only = alerts.AlertSettings(off=tuple(r.key for r in alerts.RULES
                                          if r.key not in ("red_grade", "reimbursement_claim")))
    records = alerts.alerts_from_db(claims_account, today=CLAIM_AS_OF, alert_settings=only)
    money = records.set_index(["sku", "rule"])["money_at_stake"]
    assert money.to_dict() == {("DEAD", "red_grade"): pytest.approx(150.0),
                               ("DEAD", "reimbursement_claim"): pytest.approx(30.0),
                               ("LOST", "reimbursement_claim"): pytest.approx(31.5)}
    lines = alerts.by_sku(records)
    assert lines["sku"].tolist() == ["DEAD", "LOST"]
    assert lines["money_at_stake"].tolist() == [pytest.approx(180.0), pytest.approx(31.5)]
    assert lines["rules"].iloc[0] == ["red_grade", "reimbursement_claim"]
    assert lines["reasons"].iloc[1] == ["7 units lost or damaged in a warehouse and not reimbursed: $31.50 at cost"]
    # over $31.50 neither claim fires; DEAD's line keeps its red stock
    higher = alerts.with_threshold(only, "reimbursement_claim", 31.51)
    assert alerts.by_sku(alerts.alerts_from_db(claims_account, today=CLAIM_AS_OF, alert_settings=higher))[
        "money_at_stake"].tolist() == [pytest.approx(150.0)]
