"""The knobs of the restock planner, as a frozen dataclass: hashable (a cache key), and a what-if is
``dataclasses.replace(params, lead_time_shift_days=14)``. Defaults are documented in docs/metrics.md
("Restock").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.params import HealthParams, require


TRANSIT_MODES = ("sea", "air")
PLAN_RULES = ("corridor", "eoq")  # corridor: cheapest quantity between floor and ceiling; eoq: the old rule
GRADES = ("red", "orange", "yellow")  # the slow-mover grades (core/metrics/grades.py)


def _is_level(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1


@dataclass(frozen=True)
class RestockParams:
    """Service levels, lead-time defaults and costs of the restock planner.

    Service level of a SKU, first that applies: ``service_level_override`` (the what-if slider),
    then its entry in ``service_level_overrides``, then its ABC class's level (A, B, C; no class: C).

    Lead time per SKU: production days from the cost sheet (else ``production_days``) + transit days
    (the mode's default days when the SKU is in ``transit_mode_overrides``, else the cost sheet's,
    else the default of ``transit_mode``) + ``fba_receiving_days`` + ``lead_time_shift_days``
    (clipped at 0); ``lead_time_days_override`` replaces the whole sum on every SKU.
    σ_L = ``lead_time_sd_days`` + ``lead_time_sd_share`` × L.

    A SKU whose slow-mover grade is in ``hold_grades`` (red and orange) is held: never ordered.

    ``plan_rule`` "corridor" (default) orders the cheapest quantity between the low-inventory floor and
    the aged-surcharge ceiling (core/corridor.py); "eoq" keeps the former rule (max(EOQ, gap), MOQ,
    case pack), for comparison. ``low_inventory_exempt_skus``: SKUs the seller marks as exempt from
    the low-inventory-level fee (no 28-day floor).

    Examples
    --------
    >>> RestockParams().service_level_for("X-1", "B")
    0.95
    >>> RestockParams(service_level_overrides=(("X-1", 0.99),)).service_level_for("X-1", "B")
    0.99
    """

    service_level_a: float = 0.98  # A items: high service, frequent small orders
    service_level_b: float = 0.95
    service_level_c: float = 0.90  # C items: lower service, larger batches
    service_level_overrides: tuple[tuple[str, float], ...] = ()  # (sku, level) pairs
    service_level_override: float | None = None  # what-if: one level for every SKU; None = per class
    fba_receiving_days: float = 7.0  # check-in at the fulfilment centre
    production_days: float = 30.0  # when the cost sheet has no production lead time
    transit_mode: str = "sea"  # default mode where the cost sheet has no transit days
    sea_transit_days: float = 35.0
    air_transit_days: float = 7.0
    transit_mode_overrides: tuple[tuple[str, str], ...] = ()  # (sku, 'sea' | 'air') pairs
    lead_time_shift_days: float = 0.0  # what-if: added to every SKU's lead time (may be negative)
    lead_time_days_override: float | None = None  # what-if / CLI: one lead time for every SKU
    lead_time_sd_days: float = 0.0  # σ_L, fixed part, days
    lead_time_sd_share: float = 0.10  # σ_L, part proportional to L (10% of L: sea freight varies)
    order_cost: float = 50.0  # S: $ per purchase-order line (admin, inspection, booking share)
    capital_rate_annual: float = 0.15  # the cost of the money tied up, as in HealthParams
    review_period_days: float = 7.0  # R: the plan is reviewed weekly
    soon_margin_days: float = 14.0  # "soon" when the order-by date is within L + this many days
    default_fee_share: float = 0.30  # Amazon fees as a share of price where no fee is known (margin)
    hold_grades: tuple[str, ...] = ("red", "orange")  # slow-mover grades the plan never orders: clear them first
    plan_rule: str = "corridor"  # "corridor" | "eoq"
    low_inventory_exempt_skus: tuple[str, ...] = ()  # the seller's exemptions from the low-inventory fee

    def __post_init__(self) -> None:
        for name in ("service_level_a", "service_level_b", "service_level_c"):
            require(_is_level(getattr(self, name)), f"{name} must be in (0, 1)")
        require(self.service_level_override is None or _is_level(self.service_level_override),
               "service_level_override must be in (0, 1) or None")
        require(isinstance(self.service_level_overrides, tuple)
               and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and _is_level(p[1])
                       for p in self.service_level_overrides),
               "service_level_overrides must be a tuple of (sku, level) pairs with level in (0, 1)")
        require(self.transit_mode in TRANSIT_MODES, "transit_mode must be 'sea' or 'air'")
        require(isinstance(self.transit_mode_overrides, tuple)
               and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and p[1] in TRANSIT_MODES
                       for p in self.transit_mode_overrides),
               "transit_mode_overrides must be a tuple of (sku, 'sea' | 'air') pairs")
        for name in ("fba_receiving_days", "production_days", "sea_transit_days", "air_transit_days",
                     "lead_time_sd_days", "lead_time_sd_share", "order_cost", "review_period_days",
                     "soon_margin_days"):
            value = getattr(self, name)
            require(isinstance(value, (int, float)) and math.isfinite(value) and value >= 0,
                   f"{name} must be a finite number >= 0")
        require(math.isfinite(self.lead_time_shift_days), "lead_time_shift_days must be finite")
        require(self.lead_time_days_override is None
               or (math.isfinite(self.lead_time_days_override) and self.lead_time_days_override >= 0),
               "lead_time_days_override must be >= 0 or None")
        require(0 <= self.capital_rate_annual <= 1, "capital_rate_annual must be in [0, 1]")
        require(0 <= self.default_fee_share < 1, "default_fee_share must be in [0, 1)")
        require(self.plan_rule in PLAN_RULES, "plan_rule must be 'corridor' or 'eoq'")
        require(isinstance(self.low_inventory_exempt_skus, tuple)
                and all(isinstance(s, str) for s in self.low_inventory_exempt_skus),
                "low_inventory_exempt_skus must be a tuple of SKUs")
        require(isinstance(self.hold_grades, tuple) and set(self.hold_grades) <= set(GRADES),
               "hold_grades must be a tuple of 'red', 'orange', 'yellow'")

    def class_level(self, abc_class: str | None) -> float:
        """The service level of an ABC class (anything but A or B counts as C)."""
        return {"A": self.service_level_a, "B": self.service_level_b}.get(abc_class, self.service_level_c)

    def service_level_for(self, sku: str, abc_class: str | None) -> float:
        """The service level that applies to one SKU (see the class docstring for the order)."""
        if self.service_level_override is not None:
            return self.service_level_override
        return dict(self.service_level_overrides).get(sku, self.class_level(abc_class))

    def transit_days_for_mode(self, mode: str) -> float:
        """Default transit days of a mode ('sea' or 'air')."""
        return self.sea_transit_days if mode == "sea" else self.air_transit_days


def baseline_restock_params(health: HealthParams) -> RestockParams:
    """The baseline plan's parameters: the defaults, with the capital rate saved in the health settings
    (Settings page). The pages, the alerts and the commands all plan with these, so the fee outlook
    one of them stores is the one the others read."""
    return RestockParams(capital_rate_annual=health.capital_rate_annual)
