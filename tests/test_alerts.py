"""core/alerts.py: every rule fires just past its threshold and not at it; settings; the digest; the
command prints it and e-mails it to a local SMTP server started by the test."""

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
    assert body.strip() == out.out.strip() and body.startswith("# FBA inventory alerts, 23 Nov 2026")


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
