"""Alerts: a registry of rules with editable thresholds, each a small pure function over data gathered
once (``gather``), and the digest a nightly ``fba-health alerts`` prints or e-mails.

A rule returns one row per thing that fires (a SKU, a report, or the account with ``sku`` empty):
``ALERT_COLUMNS``. Adding a rule is one ``Rule`` in ``RULES`` and one function in ``RULE_FUNCTIONS``;
tests/test_docs.py fails if it is not in docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import display, freshness, reconcile, restock, returns, settings, skus
from core.fees import outlook
from core.forecast.engine import forecast_table
from core.restock_params import baseline_restock_params

ALERT_COLUMNS = ["rule", "name", "severity", "sku", "product_name", "message", "value", "threshold"]
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Rule:
    """One alert rule: its key, what the seller reads, and its default threshold (None: no threshold)."""

    key: str
    name: str
    fires_when: str
    severity: str
    default_threshold: float | None = None
    unit: str = ""
    minimum: float = 0.0  # the lowest threshold that makes sense
    maximum: float | None = None  # the highest (None: no limit)


RULES: tuple[Rule, ...] = (
    Rule("health_score", "Health score low", "the account's health score is below the threshold", "high", 80.0,
         "points"),
    Rule("stockout_in_lead_time", "Stockout within the lead time",
         "the projected stockout date comes before an order placed today could arrive", "high"),
    Rule("low_cover", "Few days of cover", "days of supply are below the threshold: consider pausing ads to "
         "stretch the stock until it is replenished", "medium", 15.0, "days"),
    Rule("order_by_passed", "Order-by date passed",
         "stock plus inbound is already below the reorder point", "high"),
    Rule("surcharge_crossing", "Surcharge band crossing",
         "units cross into a dearer aged-inventory band within the threshold", "medium", 30.0, "days"),
    Rule("red_grade", "Red slow mover", "the SKU's slow-mover grade is red", "medium"),
    Rule("return_spike", "Return-rate spike",
         "the last 30 days' return rate is at least the threshold times the SKU's own baseline", "medium", 1.5,
         "× baseline", 1.0),
    Rule("stale_data", "Stale data", "a report's newest data is older than the threshold", "low", 7.0, "days"),
    Rule("reconciliation_gap", "Reports disagree",
         "two reports' figures for the same SKU differ by more than the threshold share (and 5 units)", "low",
         0.10, "share", 0.0, 0.99),
)
BY_KEY = {rule.key: rule for rule in RULES}


@dataclass(frozen=True)
class AlertSettings:
    """Which rules are on and their thresholds; every rule is on at its default unless set here.

    Examples
    --------
    >>> s = AlertSettings(off=("red_grade",), thresholds=(("low_cover", 10.0),))
    >>> s.is_on("red_grade"), s.is_on("low_cover"), s.threshold("low_cover"), s.threshold("health_score")
    (False, True, 10.0, 80.0)
    """

    off: tuple[str, ...] = ()
    thresholds: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        unknown = [k for k in (*self.off, *dict(self.thresholds)) if k not in BY_KEY]
        if unknown:
            raise ValueError(f"unknown alert rule(s): {', '.join(unknown)}")
        for key, value in self.thresholds:
            if BY_KEY[key].default_threshold is None:
                raise ValueError(f"{key} has no threshold")
            rule = BY_KEY[key]
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= rule.minimum
                    and (rule.maximum is None or value <= rule.maximum)):
                limits = f">= {rule.minimum:g}" + (f" and <= {rule.maximum:g}" if rule.maximum is not None else "")
                raise ValueError(f"threshold of {key} must be a finite number {limits}")

    def is_on(self, key: str) -> bool:
        return key not in self.off

    def threshold(self, key: str) -> float | None:
        return dict(self.thresholds).get(key, BY_KEY[key].default_threshold)


@dataclass(frozen=True, eq=False)
class AlertInputs:
    """Everything the rules read, gathered once: the SKU table and account summary, the restock plan,
    the aged-surcharge crossings, returns by SKU, report ages and the reconciliation."""

    as_of: dt.date | None
    today: dt.date
    summary: dict
    skus: pd.DataFrame
    plan: pd.DataFrame
    crossings: pd.DataFrame
    returns: pd.DataFrame
    report_ages: pd.DataFrame
    reconciliation: pd.DataFrame


def _rows(rule: Rule, frame: pd.DataFrame, messages, values, threshold) -> pd.DataFrame:
    return pd.DataFrame({"rule": rule.key, "name": rule.name, "severity": rule.severity,
                         "sku": frame["sku"].to_numpy() if "sku" in frame else None,
                         "product_name": frame["product_name"].to_numpy() if "product_name" in frame else None,
                         "message": list(messages), "value": np.asarray(values, dtype=float),
                         "threshold": np.nan if threshold is None else float(threshold)})


def health_score_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires once when the account health score < threshold (the health score page's own figure).

    Examples
    --------
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {"health_score": 74.2}, *[pd.DataFrame()] * 6)
    >>> health_score_rule(i, 80)["message"].tolist()
    ['Account health score 74 / 100, below 80.']
    >>> len(health_score_rule(i, 74.2))
    0
    """
    score = inputs.summary.get("health_score")
    if score is None or not np.isfinite(score) or score >= threshold:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return _rows(BY_KEY["health_score"], pd.DataFrame(index=[0]),
                 [f"Account health score {score:.0f} / 100, below {threshold:g}."], [score], threshold)


def stockout_in_lead_time_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU with demand whose projected stockout date is before today + lead time (an order
    placed now lands after the shelf is empty).

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [2.0, 2.0],
    ...     "lead_time_days": [30.0, 30.0], "stockout_date": pd.to_datetime(["2026-12-01", "2027-02-01"])})
    >>> i = AlertInputs(dt.date(2026, 11, 15), dt.date(2026, 11, 23), {}, pd.DataFrame(), plan, *[pd.DataFrame()] * 4)
    >>> stockout_in_lead_time_rule(i)["sku"].tolist()
    ['A']
    """
    plan = inputs.plan
    if plan.empty or inputs.as_of is None:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    arrive = pd.Timestamp(inputs.as_of) + pd.to_timedelta(plan["lead_time_days"], unit="D")
    out = plan[(plan["demand_per_day"] > 0) & plan["stockout_date"].notna() & (plan["stockout_date"] < arrive)]
    days = (out["stockout_date"] - pd.Timestamp(inputs.as_of)).dt.days
    messages = [f"Runs out around {d:%d %b %Y} ({n} days); an order placed today arrives in {lt:.0f} days."
                for d, n, lt in zip(out["stockout_date"], days, out["lead_time_days"])]
    return _rows(BY_KEY["stockout_in_lead_time"], out, messages, days, None)


def low_cover_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU with stock and demand whose days of supply < threshold.

    Examples
    --------
    >>> f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "days_of_supply": [9.5, 15.0],
    ...                   "demand_per_day": [1.0, 1.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, *[pd.DataFrame()] * 5)
    >>> low_cover_rule(i, 15)["message"].tolist()
    ['10 days of cover left, under 15: consider pausing ads until it is replenished.']
    """
    f = inputs.skus
    if f.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = f[(f["demand_per_day"] > 0) & (f["days_of_supply"] < threshold)]
    messages = [f"{d:.0f} days of cover left, under {threshold:g}: consider pausing ads until it is replenished."
                for d in out["days_of_supply"]]
    return _rows(BY_KEY["low_cover"], out, messages, out["days_of_supply"], threshold)


def order_by_passed_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU with demand whose inventory position is below its reorder point.

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [1.0, 1.0],
    ...                      "position": [40.0, 60.0], "reorder_point": [50.0, 50.0], "order_qty": [100.0, 0.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, pd.DataFrame(), plan, *[pd.DataFrame()] * 4)
    >>> order_by_passed_rule(i)["message"].tolist()
    ['Stock plus inbound 40 is below the reorder point 50: order 100 now.']
    """
    plan = inputs.plan
    if plan.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = plan[(plan["demand_per_day"] > 0) & (plan["position"] < plan["reorder_point"])]
    messages = [f"Stock plus inbound {p:,.0f} is below the reorder point {r:,.0f}: order {q:,.0f} now."
                for p, r, q in zip(out["position"], out["reorder_point"], out["order_qty"])]
    return _rows(BY_KEY["order_by_passed"], out, messages, out["reorder_point"] - out["position"], None)


def surcharge_crossing_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU and band whose aged-surcharge crossing deadline is within ``threshold`` days of
    the as-of date (``core.fees.projection.band_crossings``).

    Examples
    --------
    >>> c = pd.DataFrame({"sku": ["A"], "band": ["181-210"], "units": [100.0],
    ...     "deadline": [dt.date(2026, 12, 14)], "amount_avoided": [25.0]})
    >>> i = AlertInputs(dt.date(2026, 11, 15), dt.date(2026, 11, 23), {}, pd.DataFrame(), pd.DataFrame(), c,
    ...                 *[pd.DataFrame()] * 3)
    >>> surcharge_crossing_rule(i, 30)["message"].tolist()
    ['Sell or remove 100 units by 14 Dec 2026 to avoid $25.00 (band 181-210).']
    >>> len(surcharge_crossing_rule(i, 28))
    0
    """
    c = inputs.crossings
    if c.empty or inputs.as_of is None:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    deadline = pd.to_datetime(c["deadline"])
    out = c[deadline <= pd.Timestamp(inputs.as_of) + pd.Timedelta(days=threshold)]
    names = inputs.skus.set_index("sku")["product_name"] if "product_name" in inputs.skus else pd.Series(dtype=str)
    out = out.assign(product_name=out["sku"].map(names))
    messages = [f"Sell or remove {display.units(u)} by {pd.Timestamp(d):%d %b %Y} to avoid {display.money(a)} (band {b})."
                for u, d, a, b in zip(out["units"], out["deadline"], out["amount_avoided"], out["band"])]
    return _rows(BY_KEY["surcharge_crossing"], out, messages, out["amount_avoided"], threshold)


def red_grade_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU graded red, with the signals behind the grade.

    Examples
    --------
    >>> f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "grade": ["red", "yellow"],
    ...                   "signals": ["no sale in 90 days", "aged"]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, *[pd.DataFrame()] * 5)
    >>> red_grade_rule(i)["message"].tolist()
    ['Graded red: no sale in 90 days.']
    """
    f = inputs.skus
    if f.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = f[f["grade"] == "red"]
    signals = out["signals"] if "signals" in out else pd.Series("", index=out.index)
    messages = [f"Graded red: {s}." if isinstance(s, str) and s else "Graded red." for s in signals]
    return _rows(BY_KEY["red_grade"], out, messages, np.ones(len(out)), None)


def return_spike_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU whose returns were flagged as a spike (``core.returns``, at this ratio).

    Examples
    --------
    >>> r = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "spike": [True, False],
    ...                   "recent_rate": [0.15, 0.02], "baseline_rate": [0.02, 0.02]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, *[pd.DataFrame()] * 3, r, *[pd.DataFrame()] * 2)
    >>> return_spike_rule(i, 1.5)["message"].tolist()
    ['Return rate 15.0% in the last 30 days against 2.0% before.']
    """
    r = inputs.returns
    if r.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = r[r["spike"].fillna(False).astype(bool)]
    messages = [f"Return rate {a:.1%} in the last 30 days against {b:.1%} before." if pd.notna(b)
                else f"Return rate {a:.1%} in the last 30 days, none before."
                for a, b in zip(out["recent_rate"], out["baseline_rate"])]
    return _rows(BY_KEY["return_spike"], out, messages, out["recent_rate"], threshold)


def stale_data_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per report whose newest data is more than ``threshold`` days old (or that report's own
    limit, ``core.freshness``).

    Examples
    --------
    >>> a = pd.DataFrame({"title": ["FBA Inventory"], "age_days": [8], "stale": [True],
    ...                   "data_last_date": [dt.date(2026, 11, 15)]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, *[pd.DataFrame()] * 4, a, pd.DataFrame())
    >>> stale_data_rule(i, 7)["message"].tolist()
    ['FBA Inventory is 8 days old (newest data 15 Nov 2026).']
    """
    a = inputs.report_ages
    if a.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = a[a["stale"].fillna(False).astype(bool)]
    messages = [f"{t} is {n:.0f} days old (newest data {pd.Timestamp(d):%d %b %Y})."
                for t, n, d in zip(out["title"], out["age_days"], out["data_last_date"])]
    return _rows(BY_KEY["stale_data"], out.drop(columns=[c for c in ("sku",) if c in out]), messages,
                 out["age_days"], threshold)


def reconciliation_gap_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU and check where two reports disagree (``core.reconcile``, flagged rows).

    Examples
    --------
    >>> g = pd.DataFrame({"sku": ["A"], "check": ["available"], "source_a": ["FBA Inventory"], "value_a": [100.0],
    ...     "source_b": ["Manage Inventory"], "value_b": [80.0], "difference": [20.0], "flagged": [True]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, *[pd.DataFrame()] * 5, g)
    >>> reconciliation_gap_rule(i, 0.1)["message"].tolist()
    ['available: FBA Inventory 100 against Manage Inventory 80.']
    """
    g = inputs.reconciliation
    if g.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = g[g["flagged"].fillna(False).astype(bool)]
    names = inputs.skus.set_index("sku")["product_name"] if "product_name" in inputs.skus else pd.Series(dtype=str)
    out = out.assign(product_name=out["sku"].map(names))
    messages = [f"{c}: {sa} {va:,.0f} against {sb} {vb:,.0f}."
                for c, sa, va, sb, vb in zip(out["check"], out["source_a"], out["value_a"], out["source_b"],
                                              out["value_b"])]
    return _rows(BY_KEY["reconciliation_gap"], out, messages, out["difference"], threshold)


RULE_FUNCTIONS = {
    "health_score": health_score_rule, "stockout_in_lead_time": stockout_in_lead_time_rule,
    "low_cover": low_cover_rule, "order_by_passed": order_by_passed_rule,
    "surcharge_crossing": surcharge_crossing_rule, "red_grade": red_grade_rule,
    "return_spike": return_spike_rule, "stale_data": stale_data_rule,
    "reconciliation_gap": reconciliation_gap_rule,
}


def evaluate(inputs: AlertInputs, alert_settings: AlertSettings = AlertSettings()) -> pd.DataFrame:
    """Every rule that is on, at its threshold: ``ALERT_COLUMNS``, high severity first, then by rule
    order and SKU."""
    parts = [RULE_FUNCTIONS[rule.key](inputs, alert_settings.threshold(rule.key))
             for rule in RULES if alert_settings.is_on(rule.key)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = {r.key: i for i, r in enumerate(RULES)}
    out = out.assign(_s=out["severity"].map({s: i for i, s in enumerate(SEVERITIES)}), _r=out["rule"].map(order))
    return out.sort_values(["_s", "_r", "sku"], kind="stable", na_position="first").drop(columns=["_s", "_r"]) \
        .reset_index(drop=True)[ALERT_COLUMNS]


def gather(db_path: Path, as_of: dt.date | None = None, today: dt.date | None = None,
           alert_settings: AlertSettings = AlertSettings(), *, table: skus.SkuTable | None = None,
           plan_inputs: restock.RestockInputs | None = None, crossings: pd.DataFrame | None = None,
           returns_by_sku: pd.DataFrame | None = None) -> AlertInputs:
    """Read what the rules need from the database, once, with the saved health settings: the SKU
    table, the restock plan, the fee outlook's crossings, returns, report ages and the reconciliation.
    Only the parts whose rules are on are computed.

    ``table``, ``plan_inputs``, ``crossings`` (the fee outlook's band crossings) and ``returns_by_sku``
    (``core.returns.returns_by_sku`` with default parameters): what the caller (the app) already has
    at that date with the saved settings. The returns' spikes are flagged again with the rule's ratio.
    """
    db_path = Path(db_path)
    today = today or dt.date.today()
    health, grades = settings.load(db_path)
    if table is None:
        table = skus.sku_table(db_path, health, grades, as_of=as_of)
    on = alert_settings.is_on
    empty = pd.DataFrame()
    if table.as_of is None:
        ages = freshness.report_ages(db_path, today) if on("stale_data") else empty
        return AlertInputs(None, today, {}, empty, empty, empty, empty, ages, empty)
    summary = skus.account_summary(table.frame, health)
    rparams = baseline_restock_params(health)
    if plan_inputs is None and (on("stockout_in_lead_time") or on("order_by_passed")):
        plan_inputs = restock.restock_inputs(db_path, table.as_of, health, table=table)
    plan = (restock.plan_from_inputs(plan_inputs, forecast_table(db_path, table.as_of).summary, rparams)
            if on("stockout_in_lead_time") or on("order_by_passed") else empty)
    # Arrivals come in at age 0 and FIFO sells the oldest units first, so the units crossing a band
    # at the next two 15ths do not depend on them: skip planning the arrivals (same result, faster).
    if crossings is None:
        crossings = (outlook.fee_outlook(db_path, table.as_of, 2, with_arrivals=False, restock_params=rparams,
                                         health_params=health).crossings
                     if on("surcharge_crossing") else empty)
    spike = returns.ReturnParams(spike_ratio=alert_settings.threshold("return_spike"))
    if not on("return_spike"):
        rets = empty
    elif returns_by_sku is not None:
        rets = returns_by_sku.assign(spike=returns.return_spike(returns_by_sku["recent_rate"],
                                                                returns_by_sku["baseline_rate"],
                                                                returns_by_sku["recent_returned"], spike))
    else:
        rets = returns.returns_by_sku(db_path, table.as_of, spike)
    stale = alert_settings.threshold("stale_data")
    ages = (freshness.report_ages(db_path, today, freshness.FreshnessParams(stale_after_days=int(stale)))
            if on("stale_data") else empty)
    gap = alert_settings.threshold("reconciliation_gap")
    recon = (reconcile.reconciliation(db_path, table.as_of, reconcile.ReconcileParams(rel_share=gap))
             if on("reconciliation_gap") else empty)
    return AlertInputs(table.as_of, today, summary, table.frame, plan, crossings, rets, ages, recon)


def load_settings(db_path: Path) -> AlertSettings:
    """The saved alert settings (the Alerts page saves them); defaults when none or invalid."""
    raw = settings.load_raw(db_path, "alerts") or {}
    try:
        return AlertSettings(off=tuple(raw.get("off", ())),
                             thresholds=tuple(sorted((k, float(v)) for k, v in raw.get("thresholds", {}).items())))
    except (ValueError, TypeError):
        return AlertSettings()


def save_settings(db_path: Path, alert_settings: AlertSettings) -> None:
    """Save the alert settings (settings entry "alerts"), as the Alerts page does."""
    settings.save_raw(db_path, "alerts", {"off": list(alert_settings.off),
                                          "thresholds": dict(alert_settings.thresholds)})


def alerts_from_db(db_path: Path, as_of: dt.date | None = None, today: dt.date | None = None,
                   alert_settings: AlertSettings | None = None, *, table: skus.SkuTable | None = None,
                   plan_inputs: restock.RestockInputs | None = None, crossings: pd.DataFrame | None = None,
                   returns_by_sku: pd.DataFrame | None = None) -> pd.DataFrame:
    """``evaluate(gather(...))`` with the saved alert settings unless others are given."""
    chosen = alert_settings if alert_settings is not None else load_settings(db_path)
    return evaluate(gather(db_path, as_of, today, chosen, table=table, plan_inputs=plan_inputs,
                           crossings=crossings, returns_by_sku=returns_by_sku), chosen)


def digest_markdown(alerts: pd.DataFrame, as_of: dt.date | None, today: dt.date) -> str:
    """The alerts as a Markdown digest: a count line, then one section per rule with a line per alert.

    Examples
    --------
    >>> a = pd.DataFrame({"rule": ["low_cover"], "name": ["Few days of cover"], "severity": ["medium"],
    ...     "sku": ["A-1"], "product_name": ["Mug"], "message": ["9 days of cover left."], "value": [9.0],
    ...     "threshold": [15.0]})
    >>> print(digest_markdown(a, dt.date(2026, 11, 15), dt.date(2026, 11, 23)))
    # FBA inventory alerts, 23 Nov 2026
    Data as of 15 Nov 2026. 1 alert.
    <BLANKLINE>
    ## Few days of cover (1, medium)
    - **A-1** Mug: 9 days of cover left.
    """
    head = [f"# FBA inventory alerts, {today:%d %b %Y}",
            (f"Data as of {as_of:%d %b %Y}. " if as_of else "No stock snapshot loaded. ")
            + (f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''}." if len(alerts) else "Nothing fires.")]
    lines = head
    for key in dict.fromkeys(alerts["rule"]):
        part = alerts[alerts["rule"] == key]
        lines += ["", f"## {part['name'].iloc[0]} ({len(part)}, {part['severity'].iloc[0]})"]
        for sku, name, message in zip(part["sku"], part["product_name"], part["message"]):
            who = f"**{sku}** {name}: " if isinstance(sku, str) and sku else ""
            lines.append(f"- {who}{message}")
    return "\n".join(lines)


def with_threshold(alert_settings: AlertSettings, key: str, value: float) -> AlertSettings:
    """A copy of the settings with one rule's threshold changed."""
    thresholds = dict(alert_settings.thresholds)
    thresholds[key] = float(value)
    return dataclasses.replace(alert_settings, thresholds=tuple(sorted(thresholds.items())))
