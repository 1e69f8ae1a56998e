"""Alerts: a registry of rules with editable thresholds, each a small pure function over data gathered
once (``gather``), and the digest a nightly ``fba-health alerts`` prints or e-mails.

A rule returns one row per thing that fires (a SKU, a report, or the account with ``sku`` empty):
``ALERT_COLUMNS``, each with a short reason (value and threshold in their units), the money at stake
in dollars (each rule's ``money_at_stake`` says what it counts) and the action to take. ``by_sku``
folds them into one line per SKU, ranked by money at stake; the digest is that list under one
reference day. Adding a rule is one ``Rule`` in ``RULES`` and one function in ``RULE_FUNCTIONS``;
tests/test_docs.py fails if it is not in docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import display, freshness, reconcile, reimbursements, restock, returns, settings, skus
from core.fees import outlook
from core.forecast.engine import forecast_table
from core.metrics import restock as rm
from core.restock_params import baseline_restock_params
from core.schemas import SCHEMAS

ALERT_COLUMNS = ["rule", "name", "severity", "sku", "product_name", "message", "value", "threshold", "unit",
                 "threshold_unit", "threshold_text", "reason", "money_at_stake", "action", "as_of"]
SKU_COLUMNS = ["sku", "product_name", "severity", "money_at_stake", "reasons", "rules", "action"]
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
    shown: str = ""  # the threshold as the seller reads it: a format for the value, or the fixed text
    money_at_stake: str = ""  # what the rule's dollars count ("" : an account rule, no money)
    overlap: str = ""  # rules (and rows) with the same tag count the same dollars: the largest counts once
    value_unit: str = ""  # the unit of an alert's ``value``

    def threshold_text(self, value: float | None = None) -> str:
        """The threshold with its unit, as the seller reads it.

        Examples
        --------
        >>> BY_KEY["return_spike"].threshold_text(1.5), BY_KEY["low_cover"].threshold_text(15.0)
        ('1.5× the baseline return rate', '15 days')
        >>> BY_KEY["reconciliation_gap"].threshold_text(0.1), BY_KEY["stockout_in_lead_time"].threshold_text()
        ('10% (and 5 units)', "the SKU's lead time")
        """
        if self.default_threshold is None:
            return self.shown
        return self.shown.format(self.default_threshold if value is None else value)


LOST_SALES = "lost sales"  # the overlap tag of the rules that count the same missed sales

RULES: tuple[Rule, ...] = (
    Rule("health_score", "Health score low", "the account's health score is below the threshold", "high", 80.0,
         "points", value_unit="points", shown="{:g} points"),
    Rule("stockout_in_lead_time", "Stockout within the lead time",
         "the projected stockout date comes before an order placed today could arrive", "high",
         value_unit="days", shown="the SKU's lead time", overlap=LOST_SALES,
         money_at_stake="margin of the sales missed while out of stock before an order placed today arrives: "
                        "(lead time − days to the stockout) × demand per day × unit margin"),
    Rule("low_cover", "Few days of cover", "days of supply are below the threshold: consider pausing ads to "
         "stretch the stock until it is replenished", "medium", 15.0, "days", value_unit="days", shown="{:g} days",
         overlap=LOST_SALES,
         money_at_stake="margin of the sales in the days of cover missing to the threshold: "
                        "(threshold − days of supply) × demand per day × unit margin"),
    Rule("order_by_passed", "Order-by date passed",
         "stock plus inbound is already below the reorder point", "high", value_unit="units",
         shown="the reorder point",
         overlap=LOST_SALES,
         money_at_stake="expected margin lost before an order placed today arrives: "
                        "σ_LT · G((position − d·L) / σ_LT) × unit margin (normal loss function G)"),
    Rule("surcharge_crossing", "Surcharge band crossing",
         "units cross into a dearer aged-inventory band within the threshold", "medium", 30.0, "days",
         value_unit="$", shown="within {:g} days",
         money_at_stake="the aged-inventory surcharge avoided by selling or removing the units by the deadline "
                        "(summed over the SKU's bands)"),
    Rule("red_grade", "Red slow mover", "the SKU's slow-mover grade is red", "medium", value_unit="",
         shown="the red grade",
         money_at_stake="the stock's value at cost (units on hand × unit cost), tied up in a SKU to clear"),
    Rule("return_spike", "Return-rate spike",
         "the last 30 days' return rate is at least the threshold times the SKU's own baseline", "medium", 1.5,
         "× baseline", 1.0, value_unit="share", shown="{:g}× the baseline return rate",
         money_at_stake="refunds beyond the SKU's own baseline in the last 30 days: "
                        "(units returned − baseline rate × units sold) × price"),
    Rule("stale_data", "Stale data", "a report's newest data is older than the threshold", "low", 7.0, "days",
         value_unit="days", shown="{:g} days"),
    Rule("reconciliation_gap", "Reports disagree",
         "two reports' figures for the same SKU differ by more than the threshold share (and 5 units)", "low",
         0.10, "share", 0.0, 0.99, value_unit="units", shown="{:.0%} (and 5 units)", overlap="report gap",
         money_at_stake="the units the two reports disagree about at cost (the difference, either way, × "
                        "unit cost); the largest of the SKU's checks"),
    Rule("reimbursement_claim", "Units to claim",
         "lost or warehouse-damaged units Amazon has not reimbursed, old enough to claim, are worth at least "
         "the threshold at cost (or have no unit cost)", "medium", 25.0, "$", value_unit="units",
         shown="${:,.0f} at cost",
         money_at_stake="the claimable units' value at cost (units × unit cost, the Returns page's claims)"),
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
    the aged-surcharge crossings, returns by SKU, report ages, the reconciliation and the
    reimbursement claims."""

    as_of: dt.date | None
    today: dt.date
    summary: dict
    skus: pd.DataFrame
    plan: pd.DataFrame
    crossings: pd.DataFrame
    returns: pd.DataFrame
    report_ages: pd.DataFrame
    reconciliation: pd.DataFrame
    claims: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def _day(date) -> str:
    """A date as the seller reads it: "6 Dec 2026" (``core.display.date`` of any date-like value)."""
    return display.date(pd.Timestamp(date))


def _short_day(date) -> str:
    """A date within the digest's year span: "15 Dec"."""
    stamp = pd.Timestamp(date)
    return f"{stamp.day} {stamp:%b}"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame``, or NaN where the caller did not gather it."""
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index, dtype=float)


def _by_sku(inputs_frame: pd.DataFrame, name: str, skus_of: pd.Series) -> pd.Series:
    """``inputs_frame[name]`` looked up for each SKU of ``skus_of`` (NaN where absent)."""
    if inputs_frame.empty or name not in inputs_frame:
        return pd.Series(np.nan, index=skus_of.index, dtype=float)
    return skus_of.map(inputs_frame.drop_duplicates("sku").set_index("sku")[name]).astype(float)


def _rows(rule: Rule, frame: pd.DataFrame, messages, values, threshold, *, reasons, actions, as_of,
          money=None) -> pd.DataFrame:
    return pd.DataFrame({"rule": rule.key, "name": rule.name, "severity": rule.severity,
                         "sku": frame["sku"].to_numpy() if "sku" in frame else None,
                         "product_name": frame["product_name"].to_numpy() if "product_name" in frame else None,
                         "message": list(messages), "value": np.asarray(values, dtype=float),
                         "threshold": np.nan if threshold is None else float(threshold),
                         "unit": rule.value_unit, "threshold_unit": rule.unit,
                         "threshold_text": rule.threshold_text(threshold), "reason": list(reasons),
                         "money_at_stake": np.nan if money is None else np.asarray(money, dtype=float),
                         "action": list(actions), "as_of": as_of}, index=range(len(frame)))


def health_score_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires once when the account health score < threshold (the health score page's own figure).
    An account alert: no money at stake.

    Examples
    --------
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {"health_score": 74.2}, *[pd.DataFrame()] * 6)
    >>> health_score_rule(i, 80)[["message", "reason"]].values.tolist()
    [['Account health score 74 / 100, below 80.', 'health score 74 / 100, under the 80-point threshold']]
    >>> len(health_score_rule(i, 74.2))
    0
    """
    score = inputs.summary.get("health_score")
    if score is None or not np.isfinite(score) or score >= threshold:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    return _rows(BY_KEY["health_score"], pd.DataFrame(index=[0]),
                 [f"Account health score {score:.0f} / 100, below {threshold:g}."], [score], threshold,
                 reasons=[f"health score {score:.0f} / 100, under the {threshold:g}-point threshold"],
                 actions=["Start with the SKUs costing the score the most points (Overview page)"],
                 as_of=inputs.as_of)


def stockout_in_lead_time_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU with demand whose projected stockout date is before as-of + lead time (an order
    placed now lands after the shelf is empty).

    Money at stake: the margin of the sales missed between the stockout and the arrival of an order
    placed today, ``(L − n) × d × max(unit margin, 0)`` with L the lead time, n the days from the
    as-of date to the stockout and d the demand per day (NaN without a unit margin).

    Examples
    --------
    Out in 20 days with a 30-day lead time: 10 days × 2 units × $5 = $100.

    >>> plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [2.0, 2.0],
    ...     "lead_time_days": [30.0, 30.0], "stockout_date": pd.to_datetime(["2026-12-05", "2027-02-01"]),
    ...     "unit_margin": [5.0, 5.0], "order_qty": [90.0, 0.0]})
    >>> i = AlertInputs(dt.date(2026, 11, 15), dt.date(2026, 11, 23), {}, pd.DataFrame(), plan, *[pd.DataFrame()] * 4)
    >>> stockout_in_lead_time_rule(i)[["sku", "reason", "money_at_stake"]].values.tolist()
    [['A', 'stockout in 20 days, inside the 30-day lead time', 100.0]]
    """
    plan = inputs.plan
    if plan.empty or inputs.as_of is None:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    arrive = pd.Timestamp(inputs.as_of) + pd.to_timedelta(plan["lead_time_days"], unit="D")
    out = plan[(plan["demand_per_day"] > 0) & plan["stockout_date"].notna() & (plan["stockout_date"] < arrive)]
    days = (out["stockout_date"] - pd.Timestamp(inputs.as_of)).dt.days
    short = out["lead_time_days"] - days
    money = short * out["demand_per_day"] * _column(out, "unit_margin").clip(lower=0)
    messages = [f"Runs out around {_day(d)} ({n} days); an order placed today arrives in {lt:.0f} days."
                for d, n, lt in zip(out["stockout_date"], days, out["lead_time_days"])]
    reasons = [f"stockout in {n} days, inside the {lt:.0f}-day lead time"
               for n, lt in zip(days, out["lead_time_days"])]
    actions = [(f"Order {q:,.0f} units now" if pd.notna(q) and q > 0 else "Order now")
               + f", ship fast: {s:.0f} days out of stock otherwise"
               for q, s in zip(_column(out, "order_qty"), short)]
    return _rows(BY_KEY["stockout_in_lead_time"], out, messages, days, None, reasons=reasons, actions=actions,
                 as_of=inputs.as_of, money=money)


def low_cover_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU with stock and demand whose days of supply < threshold.

    Money at stake: the margin of the sales in the days of cover missing to the threshold,
    ``(threshold − days of supply) × d × max(unit margin, 0)``, the unit margin from the restock plan
    (NaN without it).

    Examples
    --------
    9.5 days against 15: 5.5 days × 1 unit × $4 = $22.

    >>> f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "days_of_supply": [9.5, 15.0],
    ...                   "demand_per_day": [1.0, 1.0]})
    >>> plan = pd.DataFrame({"sku": ["A", "B"], "unit_margin": [4.0, 4.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, plan, *[pd.DataFrame()] * 4)
    >>> low_cover_rule(i, 15)[["message", "reason", "money_at_stake"]].values.tolist()
    [['10 days of cover left, under 15: consider pausing ads until it is replenished.', '10 days of cover, under the 15-day threshold', 22.0]]
    """
    f = inputs.skus
    if f.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = f[(f["demand_per_day"] > 0) & (f["days_of_supply"] < threshold)]
    margin = _by_sku(inputs.plan, "unit_margin", out["sku"]).clip(lower=0)
    money = (threshold - out["days_of_supply"]) * out["demand_per_day"] * margin
    messages = [f"{d:.0f} days of cover left, under {threshold:g}: consider pausing ads until it is replenished."
                for d in out["days_of_supply"]]
    reasons = [f"{d:.0f} days of cover, under the {threshold:g}-day threshold" for d in out["days_of_supply"]]
    actions = ["Pause or cut ads to stretch the stock until it is replenished"] * len(out)
    return _rows(BY_KEY["low_cover"], out, messages, out["days_of_supply"], threshold, reasons=reasons,
                 actions=actions, as_of=inputs.as_of, money=money)


def order_by_passed_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU with demand whose inventory position is below its reorder point.

    Money at stake: the expected margin lost before an order placed today arrives,
    ``σ_LT · G((position − d·L) / σ_LT) × max(unit margin, 0)`` with σ_LT the lead-time demand's
    standard deviation (``core.metrics.restock.lead_time_demand_sd``) and G the standard normal loss
    function (``normal_loss``); with σ_LT = 0, ``max(d·L − position, 0) × margin``. NaN without the
    plan's sigma columns or a unit margin.

    Examples
    --------
    Position 40 = d·L (1 unit × 40 days), σ_LT = 10: 10 × G(0) = 3.99 units short × $5 = $19.95.

    >>> plan = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "demand_per_day": [1.0, 1.0],
    ...     "position": [40.0, 60.0], "reorder_point": [50.0, 50.0], "order_qty": [100.0, 0.0],
    ...     "lead_time_days": [40.0, 40.0], "sigma_demand": [10 / 40 ** 0.5] * 2, "sigma_lead_time": [0.0] * 2,
    ...     "unit_margin": [5.0, 5.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, pd.DataFrame(), plan, *[pd.DataFrame()] * 4)
    >>> out = order_by_passed_rule(i)
    >>> out["message"].tolist(), round(float(out["money_at_stake"].iloc[0]), 2)
    (['Stock plus inbound 40 is below the reorder point 50: order 100 now.'], 19.95)
    """
    plan = inputs.plan
    if plan.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = plan[(plan["demand_per_day"] > 0) & (plan["position"] < plan["reorder_point"])]
    d, lead = out["demand_per_day"], _column(out, "lead_time_days")
    sigma = pd.Series(rm.lead_time_demand_sd(d, _column(out, "sigma_demand"), lead,
                                             _column(out, "sigma_lead_time")), index=out.index)
    gap = out["position"] - d * lead
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = sigma * rm.normal_loss(gap / sigma.where(sigma > 0))
    units_short = spread.where(sigma > 0, (-gap).clip(lower=0))
    money = units_short * _column(out, "unit_margin").clip(lower=0)
    messages = [f"Stock plus inbound {p:,.0f} is below the reorder point {r:,.0f}: order {q:,.0f} now."
                for p, r, q in zip(out["position"], out["reorder_point"], out["order_qty"])]
    reasons = [f"stock plus inbound {p:,.0f} units, {r - p:,.0f} under the {r:,.0f}-unit reorder point"
               for p, r in zip(out["position"], out["reorder_point"])]
    actions = [f"Order {q:,.0f} units now" if pd.notna(q) and q > 0 else "Order now" for q in out["order_qty"]]
    return _rows(BY_KEY["order_by_passed"], out, messages, out["reorder_point"] - out["position"], None,
                 reasons=reasons, actions=actions, as_of=inputs.as_of, money=money)


def surcharge_crossing_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU and band whose aged-surcharge crossing deadline is within ``threshold`` days of
    the as-of date (``core.fees.projection.band_crossings``).

    Money at stake: the surcharge avoided by selling or removing the units by the deadline
    (``amount_avoided``).

    Examples
    --------
    >>> c = pd.DataFrame({"sku": ["A"], "band": ["181-210"], "units": [100.0],
    ...     "assessment_date": [dt.date(2026, 12, 15)], "deadline": [dt.date(2026, 12, 14)], "amount_avoided": [25.0]})
    >>> i = AlertInputs(dt.date(2026, 11, 15), dt.date(2026, 11, 23), {}, pd.DataFrame(), pd.DataFrame(), c,
    ...                 *[pd.DataFrame()] * 3)
    >>> surcharge_crossing_rule(i, 30)[["message", "reason", "action"]].values.tolist()
    [['Sell or remove 100 units by 14 Dec 2026 to avoid $25.00 (band 181-210).', '$25.00 aged surcharge on 100 units on 15 Dec', 'Sell or remove 100 units by 14 Dec']]
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
    assessed = out["assessment_date"] if "assessment_date" in out else out["deadline"]
    messages = [f"Sell or remove {display.units(u)} by {_day(d)} to avoid {display.money(a)} (band {b})."
                for u, d, a, b in zip(out["units"], out["deadline"], out["amount_avoided"], out["band"])]
    reasons = [f"${a:,.2f} aged surcharge on {_plural(round(u), 'unit')} on {_short_day(d)}"
               for a, u, d in zip(out["amount_avoided"], out["units"], assessed)]
    actions = [f"Sell or remove {_plural(round(u), 'unit')} by {_short_day(d)}"
               for u, d in zip(out["units"], out["deadline"])]
    return _rows(BY_KEY["surcharge_crossing"], out, messages, out["amount_avoided"], threshold, reasons=reasons,
                 actions=actions, as_of=inputs.as_of, money=out["amount_avoided"])


def red_grade_rule(inputs: AlertInputs, threshold: None = None) -> pd.DataFrame:
    """Fires per SKU graded red, with the signals behind the grade.

    Money at stake: the stock's value at cost, ``on hand × unit cost`` (the SKU table's
    ``inventory_value``; NaN without a cost).

    Examples
    --------
    >>> f = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "grade": ["red", "yellow"],
    ...                   "signals": ["no sale in 90 days", "aged"], "on_hand": [40.0, 5.0],
    ...                   "inventory_value": [200.0, 25.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, *[pd.DataFrame()] * 5)
    >>> red_grade_rule(i)[["message", "reason", "money_at_stake"]].values.tolist()
    [['Graded red: no sale in 90 days.', 'red slow mover (no sale in 90 days): 40 units, $200.00 at cost', 200.0]]
    """
    f = inputs.skus
    if f.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = f[f["grade"] == "red"]
    signals = out["signals"] if "signals" in out else pd.Series("", index=out.index)
    money = _column(out, "inventory_value")
    messages = [f"Graded red: {s}." if isinstance(s, str) and s else "Graded red." for s in signals]
    reasons = [("red slow mover" + (f" ({s})" if isinstance(s, str) and s else ""))
               + (f": {u:,.0f} units, ${v:,.2f} at cost" if pd.notna(v) else f": {u:,.0f} units, no unit cost")
               for s, u, v in zip(signals, _column(out, "on_hand"), money)]
    actions = ["Clear it: discount, remove or liquidate (Clearance page)"] * len(out)
    return _rows(BY_KEY["red_grade"], out, messages, np.ones(len(out)), None, reasons=reasons, actions=actions,
                 as_of=inputs.as_of, money=money)


def return_spike_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU whose returns were flagged as a spike (``core.returns``, at this ratio).

    Money at stake: the refunds beyond the SKU's own baseline in the last 30 days,
    ``max(recent returned − baseline rate × recent sold, 0) × price`` (no baseline: every recent
    return; the price from the SKU table, NaN without it).

    Examples
    --------
    15 of 100 units came back against a 2% baseline: 13 returns beyond it × $20 = $260.

    >>> r = pd.DataFrame({"sku": ["A", "B"], "product_name": ["a", "b"], "spike": [True, False],
    ...     "recent_sold": [100.0, 100.0], "recent_returned": [15.0, 2.0],
    ...     "recent_rate": [0.15, 0.02], "baseline_rate": [0.02, 0.02]})
    >>> f = pd.DataFrame({"sku": ["A", "B"], "price": [20.0, 20.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, *[pd.DataFrame()] * 2, r, *[pd.DataFrame()] * 2)
    >>> return_spike_rule(i, 1.5)[["message", "reason", "money_at_stake"]].values.tolist()
    [['Return rate 15.0% in the last 30 days against 2.0% before.', '15.0% of units returned in the last 30 days, 7.5× the 2.0% baseline (threshold 1.5×)', 260.0]]
    """
    r = inputs.returns
    if r.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = r[r["spike"].fillna(False).astype(bool)]
    baseline = out["baseline_rate"].astype(float)
    excess = (_column(out, "recent_returned") - baseline.fillna(0.0) * _column(out, "recent_sold")).clip(lower=0)
    money = excess * _by_sku(inputs.skus, "price", out["sku"])
    messages = [f"Return rate {a:.1%} in the last 30 days against {b:.1%} before." if pd.notna(b)
                else f"Return rate {a:.1%} in the last 30 days, none before."
                for a, b in zip(out["recent_rate"], baseline)]
    reasons = [f"{a:.1%} of units returned in the last 30 days, "
               + (f"{a / b:.1f}× the {b:.1%} baseline (threshold {threshold:g}×)" if pd.notna(b) and b > 0
                  else "none before")
               for a, b in zip(out["recent_rate"], baseline)]
    tops = out["top_reason_group"] if "top_reason_group" in out else pd.Series("", index=out.index)
    actions = ["Fix the listing or the product" + (f": mostly {t}" if isinstance(t, str) and t else "")
               + " (Returns page)" for t in tops]
    return _rows(BY_KEY["return_spike"], out, messages, out["recent_rate"], threshold, reasons=reasons,
                 actions=actions, as_of=inputs.as_of, money=money)


def stale_data_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per report whose newest data is more than ``threshold`` days old (or that report's own
    limit, ``core.freshness``), the age measured on ``today``. An account alert: no money at stake.

    Examples
    --------
    >>> a = pd.DataFrame({"title": ["FBA Inventory (planning)"], "age_days": [8], "stale": [True],
    ...                   "stale_after_days": [7], "data_last_date": [dt.date(2026, 11, 15)]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, *[pd.DataFrame()] * 4, a, pd.DataFrame())
    >>> stale_data_rule(i, 7)[["message", "reason"]].values.tolist()
    [['FBA Inventory (planning) is 8 days old (newest data 15 Nov 2026).', 'FBA Inventory is 8 days old, over its 7-day limit']]
    """
    a = inputs.report_ages
    if a.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = a[a["stale"].fillna(False).astype(bool)]
    limits = out["stale_after_days"] if "stale_after_days" in out else pd.Series(threshold, index=out.index)
    messages = [f"{t} is {n:.0f} days old (newest data {_day(d)})."
                for t, n, d in zip(out["title"], out["age_days"], out["data_last_date"])]
    reasons = [f"{freshness.short_title(t)} is {n:.0f} days old, over its {lim:.0f}-day limit"
               for t, n, lim in zip(out["title"], out["age_days"], limits.fillna(threshold))]
    actions = ["Download the reports named from Seller Central and load them (Upload reports page)"] * len(out)
    return _rows(BY_KEY["stale_data"], out.drop(columns=[c for c in ("sku",) if c in out]), messages,
                 out["age_days"], threshold, reasons=reasons, actions=actions, as_of=inputs.today)


def _source_title(source: str) -> str:
    """A reconciliation source (``table.column ...``) by its report's short title: "FBA Inventory".

    >>> _source_title("manage_inventory.afn_fulfillable_quantity"), _source_title("elsewhere")
    ('Manage FBA Inventory', 'another report')
    """
    table = str(source).replace(".", " ").split(" ")[0]
    titles = {schema.table: schema.title for schema in SCHEMAS}
    return freshness.short_title(titles[table]) if table in titles else "another report"


def reconciliation_gap_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU and check where two reports disagree (``core.reconcile``, flagged rows).

    Money at stake: the units the two reports disagree about at cost, ``|difference| × unit cost``
    (NaN without a cost); a SKU's checks overlap, so the SKU line counts the largest.

    Examples
    --------
    >>> g = pd.DataFrame({"sku": ["A"], "check": ["available"], "source_a": ["inventory_planning.available"],
    ...     "value_a": [100.0], "source_b": ["manage_inventory.afn_fulfillable_quantity"], "value_b": [80.0],
    ...     "difference": [20.0], "flagged": [True]})
    >>> f = pd.DataFrame({"sku": ["A"], "unit_cost": [3.0]})
    >>> i = AlertInputs(None, dt.date(2026, 11, 23), {}, f, *[pd.DataFrame()] * 4, g)
    >>> reconciliation_gap_rule(i, 0.1)[["reason", "money_at_stake"]].values.tolist()
    [['units available to sell at FBA: FBA Inventory 100, Manage FBA Inventory 80 (20 apart, over 10%)', 60.0]]
    """
    g = inputs.reconciliation
    if g.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = g[g["flagged"].fillna(False).astype(bool)]
    names = inputs.skus.set_index("sku")["product_name"] if "product_name" in inputs.skus else pd.Series(dtype=str)
    out = out.assign(product_name=out["sku"].map(names))
    compares = {c.name: c.compares.split(":")[0] for c in reconcile.CHECKS}
    money = out["difference"].abs() * _by_sku(inputs.skus, "unit_cost", out["sku"])
    # the ledger check compares FBA Inventory with its own previous snapshot rolled forward
    other = [_source_title(b) if _source_title(b) != _source_title(a) else "its previous snapshot rolled forward"
             for a, b in zip(out["source_a"], out["source_b"])]
    reasons = [f"{(w := compares.get(c, c))[:1].lower()}{w[1:]}: {_source_title(sa)} {va:,.0f}, {sb} {vb:,.0f} "
               f"({abs(x):,.0f} apart, over {threshold:.0%})"
               for c, sa, va, sb, vb, x in zip(out["check"], out["source_a"], out["value_a"], other,
                                               out["value_b"], out["difference"])]
    messages = [f"{r[:1].upper()}{r[1:]}." for r in reasons]
    actions = ["Compare the two reports (Reconciliation page) and open a case if units are missing"] * len(out)
    return _rows(BY_KEY["reconciliation_gap"], out, messages, out["difference"], threshold, reasons=reasons,
                 actions=actions, as_of=inputs.as_of, money=money)


def reimbursement_claim_rule(inputs: AlertInputs, threshold: float) -> pd.DataFrame:
    """Fires per SKU whose claimable lost and warehouse-damaged units (``core.reimbursements``, at
    its default waiting and lookback days) are worth at least ``threshold`` dollars at cost, or
    have no unit cost (unknown is never taken for small).

    Money at stake: the claimable units' value at cost, ``Σ units × unit cost`` over the SKU's claims.

    Examples
    --------
    A: 5 lost and 2 damaged units at $6: $42, over $25. B: 1 unit at $6, under. C: no cost.

    >>> c = pd.DataFrame({"sku": ["A", "A", "B", "C"], "product_name": ["a", "a", "b", "c"],
    ...     "reason": ["lost", "damaged in warehouse", "lost", "lost"], "units_claimable": [5.0, 2.0, 1.0, 3.0],
    ...     "value": [30.0, 12.0, 6.0, np.nan]})
    >>> i = AlertInputs(dt.date(2026, 11, 15), dt.date(2026, 11, 23), {}, *[pd.DataFrame()] * 6, claims=c)
    >>> reimbursement_claim_rule(i, 25)[["sku", "reason", "money_at_stake"]].values.tolist()
    [['A', '7 units lost or damaged in a warehouse and not reimbursed: $42.00 at cost', 42.0], ['C', '3 units lost or damaged in a warehouse and not reimbursed: no unit cost', nan]]
    """
    c = inputs.claims
    if c.empty:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    g = c.groupby("sku", sort=True)
    per = pd.DataFrame({"product_name": g["product_name"].first(), "units": g["units_claimable"].sum(),
                        "value": g["value"].sum(min_count=1)}).reset_index()
    out = per[(per["value"] >= threshold) | per["value"].isna()]
    known = [f"${v:,.2f} at cost" if pd.notna(v) else "no unit cost" for v in out["value"]]
    messages = [f"{_plural(round(u), 'unit')} lost or damaged at Amazon, not reimbursed: {k}."
                for u, k in zip(out["units"], known)]
    reasons = [f"{_plural(round(u), 'unit')} lost or damaged in a warehouse and not reimbursed: {k}"
               for u, k in zip(out["units"], known)]
    actions = ["Open a reimbursement case in Seller Central with the claim rows (Returns page)"] * len(out)
    return _rows(BY_KEY["reimbursement_claim"], out, messages, out["units"], threshold, reasons=reasons,
                 actions=actions, as_of=inputs.as_of, money=out["value"])


RULE_FUNCTIONS = {
    "health_score": health_score_rule, "stockout_in_lead_time": stockout_in_lead_time_rule,
    "low_cover": low_cover_rule, "order_by_passed": order_by_passed_rule,
    "surcharge_crossing": surcharge_crossing_rule, "red_grade": red_grade_rule,
    "return_spike": return_spike_rule, "stale_data": stale_data_rule,
    "reconciliation_gap": reconciliation_gap_rule, "reimbursement_claim": reimbursement_claim_rule,
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
           returns_by_sku: pd.DataFrame | None = None, claims: pd.DataFrame | None = None) -> AlertInputs:
    """Read what the rules need from the database, once, with the saved health settings: the SKU
    table, the restock plan, the fee outlook's crossings, returns, report ages and the reconciliation.
    Only the parts whose rules are on are computed.

    ``table``, ``plan_inputs``, ``crossings`` (the fee outlook's band crossings) and ``returns_by_sku``
    (``core.returns.returns_by_sku`` with default parameters) and ``claims``
    (``core.reimbursements.reimbursement_claims`` with default parameters): what the caller (the app)
    already has at that date with the saved settings. The returns' spikes are flagged again with the
    rule's ratio.
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
    # Few days of cover reads the plan's unit margin for its money at stake.
    planned = on("stockout_in_lead_time") or on("order_by_passed") or on("low_cover")
    if plan_inputs is None and planned:
        plan_inputs = restock.restock_inputs(db_path, table.as_of, health, table=table)
    result = forecast_table(db_path, table.as_of) if planned else None
    plan = (restock.plan_from_inputs(plan_inputs, result.summary, rparams, forecast=result)
            if planned else empty)
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
    if claims is None:
        claims = reimbursements.reimbursement_claims(db_path, table.as_of) if on("reimbursement_claim") else empty
    return AlertInputs(table.as_of, today, summary, table.frame, plan, crossings, rets, ages, recon,
                       claims if on("reimbursement_claim") else empty)


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
                   returns_by_sku: pd.DataFrame | None = None, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """``evaluate(gather(...))`` with the saved alert settings unless others are given."""
    chosen = alert_settings if alert_settings is not None else load_settings(db_path)
    return evaluate(gather(db_path, as_of, today, chosen, table=table, plan_inputs=plan_inputs,
                           crossings=crossings, returns_by_sku=returns_by_sku, claims=claims), chosen)


def by_sku(alerts: pd.DataFrame) -> pd.DataFrame:
    """One line per SKU with every reason, ranked by money at stake; account alerts first.

    Parameters
    ----------
    alerts : pandas.DataFrame
        ``ALERT_COLUMNS`` rows (``evaluate``).

    Returns
    -------
    pandas.DataFrame
        ``SKU_COLUMNS``: sku, product_name, severity (the highest of the SKU's alerts),
        money_at_stake ($), reasons (list, one per alert), rules (list of rule keys), action (the one
        to take first). Account and report alerts (``sku`` empty) come first, one line per rule with
        ``sku``, ``product_name`` and ``money_at_stake`` missing, by severity then registry order.

    Notes
    -----
    Money at stake of a SKU: the sum of its alerts' dollars (each rule's ``money_at_stake``), except
    that alerts sharing an ``overlap`` tag count the same dollars and only the largest of them counts
    (the lost-sales rules: stockout within the lead time, few days of cover, order-by date passed;
    and a SKU's reconciliation checks). Unknown dollars (no unit cost) count as 0 unless all of the
    SKU's are unknown, then it is unknown. SKUs are ranked by money at stake, largest first (unknown
    as 0), then severity, then SKU. A SKU's reasons are ordered the same way (its largest dollars
    first, unknown last, then severity, then registry order); the action is the first reason's.

    Examples
    --------
    Stockout $100 and order-by $120 overlap (lost sales: $120), plus a $30 surcharge: $150.

    >>> a = pd.DataFrame({"rule": ["stockout_in_lead_time", "order_by_passed", "surcharge_crossing", "low_cover"],
    ...     "severity": ["high", "high", "medium", "medium"], "sku": ["A", "A", "A", "B"],
    ...     "product_name": ["a", "a", "a", "b"], "reason": ["out", "below", "surcharge", "cover"],
    ...     "money_at_stake": [100.0, 120.0, 30.0, 200.0], "action": ["expedite", "order", "sell", "pause"]})
    >>> by_sku(a)[["sku", "severity", "money_at_stake", "reasons", "action"]].values.tolist()
    [['B', 'medium', 200.0, ['cover'], 'pause'], ['A', 'high', 150.0, ['below', 'out', 'surcharge'], 'order']]
    """
    if alerts.empty:
        return pd.DataFrame(columns=SKU_COLUMNS)
    order = {r.key: i for i, r in enumerate(RULES)}
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    a = alerts.assign(_s=alerts["severity"].map(rank), _r=alerts["rule"].map(order),
                      _m=pd.to_numeric(alerts["money_at_stake"], errors="coerce").astype(float))
    account = a["sku"].isna() | (a["sku"].astype(str) == "")
    s = a[~account].sort_values(["sku", "_m", "_s", "_r"], ascending=[True, False, True, True], na_position="last",
                                kind="stable")
    tags = s["rule"].map({r.key: r.overlap for r in RULES}).fillna("")
    shared = s[tags != ""].groupby(["sku", tags[tags != ""]])["_m"].max()
    own = s[tags == ""].groupby(["sku", "rule"])["_m"].sum(min_count=1)
    money = pd.concat([shared, own]).groupby(level=0).sum(min_count=1)
    g = s.groupby("sku", sort=False)
    lines = pd.DataFrame({"product_name": g["product_name"].first(), "_s": g["_s"].min(),
                          "action": g["action"].first()})
    # s is sorted by SKU: each SKU's rows are one slice (lists built per slice, not by a groupby lambda)
    sku = s["sku"].to_numpy()
    starts = np.flatnonzero(np.r_[True, sku[1:] != sku[:-1]]) if len(sku) else np.array([], dtype=int)
    ends = np.r_[starts[1:], len(sku)]
    reasons, rules = s["reason"].tolist(), s["rule"].tolist()
    lines["reasons"] = [reasons[a:b] for a, b in zip(starts, ends)]
    lines["rules"] = [list(dict.fromkeys(rules[a:b])) for a, b in zip(starts, ends)]
    lines["money_at_stake"] = money.reindex(lines.index).astype(float)
    lines = lines.rename_axis("sku").reset_index()
    lines = lines.assign(_m=lines["money_at_stake"].fillna(0.0)).sort_values(
        ["_m", "_s", "sku"], ascending=[False, True, True], kind="stable")
    acc = a[account].sort_values(["_s", "_r"], kind="stable")
    ga = acc.groupby("rule", sort=False)
    heads = pd.DataFrame({"sku": None, "product_name": None, "_s": ga["_s"].min(), "money_at_stake": np.nan,
                          "reasons": ga["reason"].agg(list), "rules": [[k] for k in ga.groups],
                          "action": ga["action"].agg(lambda x: "; ".join(dict.fromkeys(x)))}
                         ).reset_index(drop=True)
    heads = heads.loc[heads["_s"].sort_values(kind="stable").index] if len(heads) else heads
    out = pd.concat([heads, lines], ignore_index=True) if len(heads) else lines.reset_index(drop=True)
    out["severity"] = out["_s"].map(dict(enumerate(SEVERITIES)))
    return out[SKU_COLUMNS].reset_index(drop=True)


def skus_missing_money(alerts: pd.DataFrame) -> list[str]:
    """The SKUs with at least one alert whose dollars are unknown (no unit cost, price or margin):
    their money at stake is a lower bound, or unknown.

    >>> a = pd.DataFrame({"rule": ["red_grade", "surcharge_crossing", "red_grade"], "sku": ["A", "A", "B"],
    ...                   "money_at_stake": [np.nan, 2.0, 10.0]})
    >>> skus_missing_money(a)
    ['A']
    """
    if alerts.empty:
        return []
    counted = alerts["rule"].map({r.key: bool(r.money_at_stake) for r in RULES}).fillna(False).astype(bool)
    unknown = pd.to_numeric(alerts["money_at_stake"], errors="coerce").isna()
    has_sku = alerts["sku"].notna() & (alerts["sku"].astype(str) != "")
    return sorted(set(alerts.loc[counted & unknown & has_sku, "sku"]))


def money_text(amount: float) -> str:
    """Dollars as the digest and the page write them: "$1,234.50", or "unknown (no unit cost)".

    >>> money_text(1234.5), money_text(float("nan"))
    ('$1,234.50', 'unknown (no unit cost)')
    """
    return f"${amount:,.2f}" if pd.notna(amount) else "unknown (no unit cost)"


def reference_days(as_of: dt.date | None, today: dt.date) -> str:
    """The digest's one reference day for each kind of alert: the stock snapshot the SKU alerts are
    measured from, and the day the report ages are measured on.

    >>> reference_days(dt.date(2026, 11, 15), dt.date(2026, 12, 6))
    'Alerts as of 15 Nov 2026 (stock snapshot), report ages measured on 6 Dec 2026'
    >>> reference_days(None, dt.date(2026, 12, 6))
    'Alerts with no stock snapshot loaded, report ages measured on 6 Dec 2026'
    """
    stock = f"as of {_day(as_of)} (stock snapshot)" if as_of else "with no stock snapshot loaded"
    return f"Alerts {stock}, report ages measured on {_day(today)}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def digest_counts(lines: pd.DataFrame) -> str:
    """The digest's count line from ``by_sku`` lines.

    >>> lines = pd.DataFrame({"sku": [None, "A", "B"], "money_at_stake": [np.nan, 100.0, np.nan]})
    >>> digest_counts(lines)
    '2 SKUs to act on, $100.00 at stake (1 without a unit cost); 1 account alert.'
    """
    if lines.empty:
        return "Nothing fires."
    per_sku = lines[lines["sku"].notna()]
    accounts = int(lines["sku"].isna().sum())
    unknown = int(per_sku["money_at_stake"].isna().sum())
    parts = []
    if len(per_sku):
        parts.append(f"{_plural(len(per_sku), 'SKU')} to act on, ${per_sku['money_at_stake'].sum():,.2f} at stake"
                     + (f" ({unknown:,} without a unit cost)" if unknown else ""))
    if accounts:
        parts.append(_plural(accounts, "account alert"))
    return "; ".join(parts) + "."


def digest_markdown(alerts: pd.DataFrame, as_of: dt.date | None, today: dt.date,
                    lines: pd.DataFrame | None = None) -> str:
    """The alerts as a Markdown digest: one reference-day heading, a count line, the account alerts
    (a rule with several reports lists them under its line), then one numbered line per SKU
    (``by_sku``), most money at stake first. ``lines``: ``by_sku(alerts)`` where the caller has it.

    Examples
    --------
    >>> a = pd.DataFrame({"rule": ["low_cover", "stale_data"], "severity": ["medium", "low"],
    ...     "sku": ["A-1", None], "product_name": ["Mug", None],
    ...     "reason": ["9 days of cover, under the 15-day threshold", "All Orders is 9 days old, over its 7-day limit"],
    ...     "money_at_stake": [24.0, np.nan], "action": ["Pause ads", "Load fresh reports"]})
    >>> print(digest_markdown(a, dt.date(2026, 11, 15), dt.date(2026, 11, 23)))
    # Alerts as of 15 Nov 2026 (stock snapshot), report ages measured on 23 Nov 2026
    1 SKU to act on, $24.00 at stake; 1 account alert.
    <BLANKLINE>
    ## Account
    - **Stale data** (low): All Orders is 9 days old, over its 7-day limit. Load fresh reports.
    <BLANKLINE>
    ## SKUs, most money at stake first
    1. **A-1** Mug: $24.00 at stake (medium). Pause ads. Why: 9 days of cover, under the 15-day threshold.
    """
    lines = by_sku(alerts) if lines is None else lines
    out = [f"# {reference_days(as_of, today)}", digest_counts(lines)]
    account = lines[lines["sku"].isna()]
    if len(account):
        out += ["", "## Account"]
        for rules, sev, reasons, action in zip(account["rules"], account["severity"], account["reasons"],
                                               account["action"]):
            if len(reasons) == 1:
                out.append(f"- **{BY_KEY[rules[0]].name}** ({sev}): {reasons[0]}. {action}.")
            else:  # several reports: one under the other
                out += [f"- **{BY_KEY[rules[0]].name}** ({sev}): {action}.", *(f"  - {r}" for r in reasons)]
    per_sku = lines[lines["sku"].notna()]
    if len(per_sku):
        out += ["", "## SKUs, most money at stake first"]
        out += [f"{n}. **{sku}** {name if isinstance(name, str) else ''}: {money_text(m)} at stake ({sev}). "
                f"{action}. Why: {'; '.join(reasons)}."
                for n, (sku, name, m, sev, reasons, action) in enumerate(zip(
                    per_sku["sku"], per_sku["product_name"], per_sku["money_at_stake"], per_sku["severity"],
                    per_sku["reasons"], per_sku["action"]), start=1)]
    return "\n".join(out)


def digest_subject(alerts: pd.DataFrame, today: dt.date) -> str:
    """The e-mail subject: "FBA inventory alerts, 6 Dec 2026: 97 SKUs, $1,234.00 at stake".

    >>> digest_subject(pd.DataFrame(columns=ALERT_COLUMNS), dt.date(2026, 12, 6))
    'FBA inventory alerts, 6 Dec 2026: nothing fires'
    """
    lines = by_sku(alerts)
    per_sku = lines[lines["sku"].notna()]
    if lines.empty:
        return f"FBA inventory alerts, {_day(today)}: nothing fires"
    what = ([f"{_plural(len(per_sku), 'SKU')}, ${per_sku['money_at_stake'].sum():,.2f} at stake"]
            if len(per_sku) else [])
    if len(per_sku) < len(lines):
        what.append(_plural(len(lines) - len(per_sku), "account alert"))
    return f"FBA inventory alerts, {_day(today)}: {'; '.join(what)}"


def with_threshold(alert_settings: AlertSettings, key: str, value: float) -> AlertSettings:
    """A copy of the settings with one rule's threshold changed."""
    thresholds = dict(alert_settings.thresholds)
    thresholds[key] = float(value)
    return dataclasses.replace(alert_settings, thresholds=tuple(sorted(thresholds.items())))
