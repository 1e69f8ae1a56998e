"""The knobs of the health analytics, as frozen dataclasses: hashable for caching, and a what-if is
``dataclasses.replace(params, capital_rate_annual=0.2)``. Defaults are documented in docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


def require(condition: bool, message: str) -> None:
    """Raise ValueError(message) unless condition: every parameter check, its message naming the parameter."""
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class HealthParams:
    """Periods, costs, score targets and class cut-offs of the health score (all editable in Settings)."""

    period_days: int = 90  # turnover, in-stock rate, holding cost and profit look back this far [P]
    demand_window_days: int = 30  # the demand rate behind days of supply
    capital_rate_annual: float = 0.15  # cost of the money tied up in stock, per year
    default_fee_share: float = 0.30  # Amazon fees as a share of revenue where the fee preview lacks a SKU
    turnover_full: float = 6.0  # annual turns scoring 100
    turnover_zero: float = 1.0  # annual turns at or below which the score is 0
    aged_share_zero: float = 0.50  # share of units aged over 180 days scoring 0 (none aged = 100)
    aged_365_share_zero: float = 0.25  # share of units aged over 365 days scoring 0 (none = 100)
    dead_share_zero: float = 0.50  # share of dead-stock units scoring 0 (none dead = 100)
    in_stock_full: float = 1.0  # in-stock rate scoring 100
    in_stock_zero: float = 0.50  # in-stock rate at or below which the score is 0
    holding_ratio_full: float = 0.15  # annual holding cost / inventory value scoring 100
    holding_ratio_zero: float = 0.60  # annual holding cost ratio at or above which the score is 0
    weight_turnover: float = 0.40
    weight_structure: float = 0.35
    weight_service_cost: float = 0.25
    alert_below: float = 80.0  # the page raises an alert under this account score; also sets the grade ceilings
    abc_a_share: float = 0.80  # cumulative revenue share of class A
    abc_b_share: float = 0.95  # ... of classes A and B together
    xyz_x_cv: float = 0.5  # coefficient of variation of weekly demand up to which a SKU is X
    xyz_y_cv: float = 1.0  # ... up to which it is Y; above, Z

    def __post_init__(self) -> None:
        require(self.period_days >= 7, "period_days must be at least 7")
        require(self.demand_window_days >= 7, "demand_window_days must be at least 7")
        require(0 <= self.capital_rate_annual <= 1, "capital_rate_annual must be in [0, 1]")
        require(0 <= self.default_fee_share < 1, "default_fee_share must be in [0, 1)")
        require(self.turnover_full > self.turnover_zero >= 0, "turnover_full must exceed turnover_zero >= 0")
        require(0 < self.aged_share_zero <= 1, "aged_share_zero must be in (0, 1]")
        require(0 < self.aged_365_share_zero <= 1, "aged_365_share_zero must be in (0, 1]")
        require(0 < self.dead_share_zero <= 1, "dead_share_zero must be in (0, 1]")
        require(1 >= self.in_stock_full > self.in_stock_zero >= 0, "in_stock_full must exceed in_stock_zero")
        require(self.holding_ratio_zero > self.holding_ratio_full >= 0,
               "holding_ratio_zero must exceed holding_ratio_full >= 0")
        weights = (self.weight_turnover, self.weight_structure, self.weight_service_cost)
        require(all(w >= 0 for w in weights) and abs(sum(weights) - 1) < 1e-9, "weights must be >= 0 and sum to 1")
        require(0 <= self.alert_below <= 100, "alert_below must be in [0, 100]")
        require(0 < self.abc_a_share < self.abc_b_share < 1, "abc shares must satisfy 0 < A < A+B < 1")
        require(0 < self.xyz_x_cv < self.xyz_y_cv, "xyz cut-offs must satisfy 0 < X < Y")


@dataclass(frozen=True)
class GradeParams:
    """Slow-mover signal thresholds (all editable in Settings)."""

    dos_watch_days: float = 90  # signal: days of supply above this
    dos_urgent_days: float = 180  # signal, and red on its own
    velocity_drop: float = 0.30  # signal: last 30 days below (1 - this) x the 30 before, two periods running
    aged_days: int = 120  # signal: more than aged_share of units older than this many days
    aged_share: float = 0.20
    no_sale_days: int = 90  # signal, and red on its own, for a SKU with stock

    def __post_init__(self) -> None:
        require(0 < self.dos_watch_days < self.dos_urgent_days, "dos_watch_days must be below dos_urgent_days")
        require(0 < self.velocity_drop < 1, "velocity_drop must be in (0, 1)")
        require(0 < self.aged_days <= 455, "aged_days must be in (0, 455]")
        require(0 < self.aged_share < 1, "aged_share must be in (0, 1)")
        require(self.no_sale_days >= 7, "no_sale_days must be at least 7")


def to_dict(params) -> dict:
    return dataclasses.asdict(params)


def from_dict(cls, values: dict):
    """Build ``cls`` from stored values, ignoring names it no longer has (an older database)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})
