"""Registries drive the docs: every report schema and every metric function is documented."""

import inspect
from pathlib import Path

import pytest

from core import alerts, clearance, corridor, freshness, notify, reconcile, reimbursements, returns, stock_projection
from core.fees import capacity, inputs, ipi, outlook, projection, table, table_edit
from core.forecast import accuracy, events, methods, pattern
from core.metrics import ageing, classify, grades, health, restock, scale, turnover, velocity
from core.schemas import SCHEMAS
from core.spapi import engine as spapi_engine, schedule as sync_schedule

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.report_type)
def test_every_report_is_in_reports_md(schema):
    assert f"`{schema.report_type}`" in (DOCS / "reports.md").read_text(encoding="utf-8")


MODULES = (velocity, turnover, health, classify, ageing, scale, restock, accuracy, methods, pattern, events,
           stock_projection, corridor, table, table_edit, projection, inputs, outlook, ipi, capacity, clearance,
           returns, reimbursements, reconcile, freshness, alerts, notify, sync_schedule)
FORMULAS = [(m, name) for m in MODULES
            for name, fn in inspect.getmembers(m, inspect.isfunction)
            if fn.__module__ == m.__name__ and not name.startswith("_")]
FORMULAS += [(spapi_engine, "planned_requests"), (spapi_engine, "expected_minutes")]


@pytest.mark.parametrize("module, name", FORMULAS, ids=[f"{m.__name__}.{n}" for m, n in FORMULAS])
def test_every_formula_is_in_metrics_md_and_has_a_docstring(module, name):
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    assert name in text, f"{module.__name__}.{name} is not listed in docs/metrics.md"
    assert inspect.getdoc(getattr(module, name)), f"{name} has no docstring"


def test_grade_rules_are_documented():
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    for word in ("Red", "orange", "yellow"):
        assert word in text
    assert set(grades.SIGNALS) and set(grades.ACTIONS) >= {"red", "orange", "yellow"}


@pytest.mark.parametrize("key", [rule.key for rule in alerts.RULES])
def test_every_alert_rule_is_in_metrics_md(key):
    assert f"`{key}`" in (DOCS / "metrics.md").read_text(encoding="utf-8"), f"alert rule {key} is not in docs/metrics.md"


@pytest.mark.parametrize("name", [check.name for check in reconcile.CHECKS])
def test_every_reconciliation_check_is_in_metrics_md(name):
    assert f"`{name}`" in (DOCS / "metrics.md").read_text(encoding="utf-8"), f"check {name} is not in docs/metrics.md"
