"""The restock corridor: per SKU, the order quantities between Amazon's two stock fees.

- The **floor** keeps the 30-day and the 90-day historical days of supply at or above the
  low-inventory-level threshold (28 days) until the next order can land, plus the safety stock:
  below it Amazon charges the low-inventory-level fee on every unit shipped. SKUs Amazon exempts
  (fewer than 20 units sold in the past 7 days, new SKUs) and those the seller marks have no
  28-day part.
- The **ceiling** is the largest order whose last unit sells (FIFO, at the forecast) before it is
  181 days old, the first aged-inventory surcharge band; units already on hand or inbound sell first.
- Inside the corridor the plan takes the **cheapest** quantity a year: ordering cost, capital,
  storage (peak months priced), aged surcharges, the low-inventory fee and lost margin
  (``annual_cost``), over a few candidate quantities (``candidate_quantities``).

Pure, vectorised functions over numpy arrays (one row per SKU; candidates along a second axis).
The fee rates come from the fee table (core/fees/table.py) through the small lookups below, so a
new schedule drops in. Formulas: docs/metrics.md, "Restock corridor".
"""

from __future__ import annotations

import numpy as np

from core.fees.table import AIS_BANDS, FeeTable, storage_rate_per_cuft

LOW_INVENTORY_EXEMPT_UNITS_7D = 20  # fewer units sold in the past 7 days: exempt from the fee
AIS_FIRST_AGE_DAYS = 181  # the first aged-surcharge band starts at this age
DAYS_PER_MONTH = 365.0 / 12
DAYS_PER_YEAR = 365.0


def _f(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


# --- the fee table's rates, as the corridor reads them ------------------------------------------
# The only places the corridor reads the fee table: a new schedule (field names, the 2026 low-inventory
# fee by days-of-supply band) changes these lookups, not the rules below.

def low_inventory_threshold_days(table: FeeTable) -> float:
    """Days of supply under which the low-inventory-level fee applies (28 in the 2024-2026 tables)."""
    return float(getattr(table, "low_inventory_threshold_days", 28.0))


def low_inventory_fee_per_unit(table: FeeTable, size_tier, days_of_supply=None, weight_lb=None) -> np.ndarray:
    """The low-inventory-level fee per unit shipped the corridor charges, from the fee table's lookup
    (``core.fees.table.low_inventory_fee_per_unit``: size tier, days-of-supply band, shipping weight).

    ``days_of_supply``: the SKU's days of supply today (position ÷ demand a day); a SKU at or above the
    threshold pays, when its cycle falls under 28, the band just under it (21-28 in 2026), so its days
    are capped just below the threshold. None prices every SKU in that top band. Unknown weight
    (NaN) takes the lightest bracket (the lowest rate, a lower bound).

    Examples
    --------
    The 2026-01-15 table, 0.5 lb standard: 10 days of supply is in the 0-14 band (0.89), 40 days pays
    the 21-28 band (0.32); 2 lb at 10 days: 0.97.

    >>> import datetime as dt
    >>> from core.fees.table import fee_table
    >>> t = fee_table("US", dt.date(2026, 1, 15))
    >>> low_inventory_fee_per_unit(t, ["standard"] * 3, [10.0, 40.0, 10.0], [0.5, 0.5, 2.0]).tolist()
    [0.89, 0.32, 0.97]
    """
    from core.fees.table import low_inventory_fee_per_unit as lookup

    tiers = np.asarray(size_tier, dtype=object)
    below = np.nextafter(low_inventory_threshold_days(table), 0.0)
    days = np.full(len(tiers), below) if days_of_supply is None else np.nan_to_num(_f(days_of_supply), nan=below)
    days = np.clip(days, 0.0, below)
    weight = np.zeros(len(tiers)) if weight_lb is None else np.nan_to_num(_f(weight_lb), nan=0.0)
    return np.asarray(lookup(table, tiers, days, np.clip(weight, 0.0, None)), dtype=float).reshape(len(tiers))


def storage_per_unit_year(table: FeeTable, size_tier, cubic_feet_per_unit) -> np.ndarray:
    """Storage fee of one unit held a whole year: ``cu ft × Σ over the 12 months of the month's rate``
    (off-peak Jan-Sep, peak Oct-Dec). NaN volume gives NaN.

    Examples
    --------
    0.1 cu ft, standard, the table in force in 2025: 0.1 × (9 × 0.78 + 3 × 2.40) = 1.422.

    >>> import datetime as dt
    >>> from core.fees.table import fee_table
    >>> round(float(storage_per_unit_year(fee_table("US", dt.date(2025, 6, 1)), ["standard"], [0.1])[0]), 3)
    1.422
    """
    tiers = np.asarray(size_tier, dtype=object)
    year = sum(storage_rate_per_cuft(table, tiers, np.full(len(tiers), m)) for m in range(1, 13))
    return _f(cubic_feet_per_unit) * year


def ais_bands(table: FeeTable) -> list[tuple[float, float, float, float]]:
    """The aged-surcharge bands as (first age, width in days (inf: open), $ per cu ft, $ per-unit floor)."""
    widths = [np.inf if b.high is None else b.high + 1 - b.low for b in AIS_BANDS]
    return [(float(b.low), float(w), float(c), float(u))
            for b, w, c, u in zip(AIS_BANDS, widths, table.ais_per_cuft, table.ais_per_unit_floor)]


def ais_per_unit_month(table: FeeTable, cubic_feet_per_unit) -> np.ndarray:
    """Aged surcharge of one unit for one month in each band: ``max(cu ft × rate per cu ft, per-unit floor)``.

    Shape (SKUs, bands). Unknown volume counts the per-unit floor only.
    """
    cuft = np.nan_to_num(_f(cubic_feet_per_unit))[:, None]
    bands = ais_bands(table)
    per_cuft = np.array([b[2] for b in bands])[None, :]
    floor = np.array([b[3] for b in bands])[None, :]
    return np.maximum(cuft * per_cuft, floor)


# --- the corridor ---------------------------------------------------------------------------------

def new_sku(units_30d, units_30_59, units_60_89) -> np.ndarray:
    """A new SKU for the low-inventory exemption: it sold in the last 30 days and nothing in the 60 before.

    Amazon exempts new products for their first months; the reports carry no first-receipt date,
    so a first sale within 30 days stands in for it.

    Examples
    --------
    >>> new_sku([5, 5, 0], [0, 2, 0], [0, 0, 0]).tolist()
    [True, False, False]
    """
    first = _f(units_30d)
    earlier = np.nan_to_num(_f(units_30_59)) + np.nan_to_num(_f(units_60_89))
    return (np.nan_to_num(first) > 0) & (earlier == 0)


def low_inventory_exempt(units_7d, is_new, marked) -> np.ndarray:
    """Whether the low-inventory-level fee cannot apply: fewer than 20 units sold in the past 7 days,
    a new SKU, or marked exempt by the seller.

    Examples
    --------
    >>> low_inventory_exempt([19, 20, 50, 50], [False, False, True, False], [False, False, False, True]).tolist()
    [True, False, True, True]
    """
    few = np.nan_to_num(_f(units_7d), nan=0.0) < LOW_INVENTORY_EXEMPT_UNITS_7D
    return few | np.asarray(is_new, dtype=bool) | np.asarray(marked, dtype=bool)


def low_inventory_floor_units(demand_per_day, exempt, threshold_days: float = 28.0, order_qty=None) -> np.ndarray:
    """Stock to hold under the cycle so both historical days of supply stay at the threshold (0 when exempt).

    Historical days of supply = average units on hand ÷ units shipped a day, over 30 and over 90 days.
    Orders of Q land when B units are left; over the 30 days before that, stock averaged
    B + min(15·d, Q/2) (the whole cycle's average when it is shorter than 30 days), the lowest the
    30-day figure gets; the 90-day one is never lower. Both stay ≥ 28 when
    ``B ≥ 28·d − min(15·d, Q/2)``: the floor F₂₈ = max(0, 28·d − min(15·d, Q/2)). Without Q (no cost
    known), 28·d: stock never under 28 days' demand.

    Examples
    --------
    d = 2: with orders of 200 (100 days) the 30-day average at its lowest is B + 30, so 56 − 30 = 26;
    with orders of 20, B + 10: 46; without Q, 56; exempt, 0.

    >>> low_inventory_floor_units([2.0, 2.0, 2.0, 2.0], [False, False, False, True], 28.0,
    ...                           [200.0, 20.0, np.nan, 200.0]).tolist()
    [26.0, 46.0, 56.0, 0.0]
    """
    d = np.clip(_f(demand_per_day), 0, None)
    cushion = np.zeros(len(d)) if order_qty is None else np.nan_to_num(np.minimum(15.0 * d, _f(order_qty) / 2))
    return np.where(np.asarray(exempt, dtype=bool), 0.0, np.clip(threshold_days * d - cushion, 0, None))


def low_inventory_charged(base_stock, order_qty, demand_per_day, threshold_days: float = 28.0) -> np.ndarray:
    """Whether a steady cycle pays the low-inventory fee: Amazon charges it when BOTH historical days
    of supply are under 28, so when even the 90-day figure at its lowest, B + min(45·d, Q/2), is
    under 28 days' demand.

    Examples
    --------
    >>> low_inventory_charged([0.0, 0.0], [40.0, 200.0], [2.0, 2.0]).tolist()  # 20 < 56; 90 ≥ 56
    [True, False]
    """
    d = np.clip(_f(demand_per_day), 0, None)
    q = _f(order_qty)
    return (_f(base_stock) + np.minimum(45.0 * d, q / 2) < threshold_days * d) & (d > 0)


def floor_quantity(position, reorder_point, low_inventory_units, demand_per_day, review_period_days) -> np.ndarray:
    """The smallest order that keeps the stock above the floor until the next order can land:
    ``Q_floor = max(0, ROP + 28·d + d·R − position)`` (ROP = d·L + safety stock).

    Examples
    --------
    Position 40, ROP 55, floor 56, d = 2, R = 7: 55 + 56 + 14 − 40 = 85.

    >>> floor_quantity([40.0, 500.0], [55.0, 55.0], [56.0, 56.0], [2.0, 2.0], 7).tolist()
    [85.0, 0.0]
    """
    need = _f(reorder_point) + _f(low_inventory_units) + _f(demand_per_day) * review_period_days - _f(position)
    return np.maximum(need, 0.0)


def ceiling_quantity(position, demand_to_arrival, demand_arrival_to_age_limit) -> np.ndarray:
    """The largest order whose last unit sells before it is 181 days old (FIFO):
    ``Q_ceiling = max(0, D(L, L + 180) − max(position − D(0, L), 0))``.

    The order lands after the lead time L, aged 0; what is left of today's position then
    (``position − D(0, L)``, never below 0) sells first; D(a, b) is the forecast demand between days
    a and b. At a steady d: ``180·d − max(position − d·L, 0)``.

    Examples
    --------
    d = 2, L = 27.5, position 40: nothing left at arrival, 360. Position 200: 145 left, 215.

    >>> ceiling_quantity([40.0, 200.0], [55.0, 55.0], [360.0, 360.0]).tolist()
    [360.0, 215.0]
    """
    left = np.maximum(_f(position) - _f(demand_to_arrival), 0.0)
    return np.maximum(_f(demand_arrival_to_age_limit) - left, 0.0)


def pack_down(quantity, moq, case_pack) -> np.ndarray:
    """The largest quantity a supplier accepts at or below ``quantity``: ``⌊q / pack⌋ · pack``, NaN
    when that is under the MOQ (or 0).

    Examples
    --------
    >>> pack_down([230.0, 110.0, 50.0], [100.0, 100.0, 0.0], [24.0, 24.0, 1.0]).tolist()
    [216.0, nan, 50.0]
    """
    pack = np.nan_to_num(_f(case_pack), nan=1.0)
    pack = np.where(pack >= 1, pack, 1.0)
    down = np.floor(_f(quantity) / pack + 1e-9) * pack
    minimum = np.nan_to_num(_f(moq), nan=0.0)
    return np.where((down >= minimum) & (down > 0), down, np.nan)


def pack_up(quantity, moq, case_pack) -> np.ndarray:
    """The smallest quantity a supplier accepts at or above ``quantity``: ``⌈max(q, MOQ) / pack⌉ · pack``
    (MOQ rounded up to whole cases too); 0 stays 0.

    Examples
    --------
    >>> pack_up([29.0, 130.0, 0.0], [100.0, 100.0, 100.0], [24.0, 24.0, 24.0]).tolist()
    [120.0, 144.0, 0.0]
    """
    pack = np.nan_to_num(_f(case_pack), nan=1.0)
    pack = np.where(pack >= 1, pack, 1.0)
    q = _f(quantity)
    wanted = np.maximum(q, np.nan_to_num(_f(moq), nan=0.0))
    return np.where(q > 0, np.ceil(wanted / pack - 1e-9) * pack, 0.0)


def priced_eoq(demand_per_day, order_cost, unit_cost, capital_rate_annual, storage_per_unit_year_value,
               lost_units_per_cycle, unit_margin) -> np.ndarray:
    """The quantity that minimises ordering + holding + lost margin a year (the EOQ with the fee
    table's storage and the stockout cost per cycle): ``√(2·D·(S + short·m) / (c·r + storage))``.

    Examples
    --------
    D = 730, S = 50, nothing short, H = 1.5: √(2·730·50/1.5) = 220.6.

    >>> round(float(priced_eoq([2.0], 50.0, [10.0], 0.15, [0.0], [0.0], [5.0])[0]), 1)
    220.6
    """
    annual = np.clip(_f(demand_per_day), 0, None) * DAYS_PER_YEAR
    per_cycle = order_cost + np.nan_to_num(_f(lost_units_per_cycle)) * np.clip(np.nan_to_num(_f(unit_margin)), 0, None)
    holding = _f(unit_cost) * capital_rate_annual + np.nan_to_num(_f(storage_per_unit_year_value))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(holding > 0, np.sqrt(2 * annual * per_cycle / holding), np.nan)


def candidate_quantities(floor, ceiling, eoq, moq, case_pack, grid: int = 4, optimum=None) -> np.ndarray:
    """Candidate order quantities per SKU, shape (SKUs, K): the floor, the ceiling, the EOQ, the MOQ,
    the priced optimum (``priced_eoq``, when given) and ``grid`` points spaced evenly between floor
    and ceiling, each rounded down and up to what the supplier accepts (``pack_down`` / ``pack_up``).
    Infeasible ones are NaN."""
    floor, ceiling = _f(floor), _f(ceiling)
    top = np.maximum(ceiling, floor)
    steps = np.linspace(0.0, 1.0, grid)[None, :]
    best = np.nan_to_num(_f(optimum if optimum is not None else eoq), nan=0.0)
    raw = np.column_stack([floor, ceiling, np.nan_to_num(_f(eoq), nan=0.0), np.nan_to_num(_f(moq), nan=0.0),
                           np.clip(best, floor, top)])
    raw = np.concatenate([raw, floor[:, None] + (top - floor)[:, None] * steps], axis=1)
    moq2, pack2 = _f(moq)[:, None], _f(case_pack)[:, None]
    return np.concatenate([pack_down(raw, moq2, pack2), pack_up(raw, moq2, pack2)], axis=1)


def _band_integral(age, low, width) -> np.ndarray:
    """∫₀^age clip(x − low, 0, width) dx: unit-days in a band of a unit sold at ``age``, integrated."""
    x = np.clip(age - low, 0.0, None)
    inside = np.minimum(x, width)
    if np.isinf(width):
        return inside ** 2 / 2
    return inside ** 2 / 2 + width * np.maximum(x - width, 0.0)


def aged_unit_days(stock_ahead, order_qty, demand_per_day, low: float, width: float) -> np.ndarray:
    """Unit-days the units of one order spend in one aged-surcharge band (FIFO, steady demand d).

    The order lands aged 0 behind ``stock_ahead`` units (B), which sell first; its units then sell
    one after another at ages B/d … (B + Q)/d. A unit sold at age a spends
    ``clip(a − low, 0, width)`` days in the band, so the order's unit-days are
    ``d × (G((B + Q)/d) − G(B/d))``, G the integral of that clip.

    Examples
    --------
    240 units at 1 a day, nothing ahead, band 181-210 (30 days): 29 units sold after 211 spend 30
    days each (870) and those sold at 181-211 spend 0-30 days (450): 1,320.

    >>> float(aged_unit_days(0.0, 240.0, 1.0, 181, 30))
    1320.0
    """
    d = np.clip(_f(demand_per_day), 1e-12, None)
    start, end = _f(stock_ahead) / d, (_f(stock_ahead) + _f(order_qty)) / d
    return d * (_band_integral(end, low, width) - _band_integral(start, low, width))


def order_aged_surcharge(stock_ahead, order_qty, demand_per_day, ais_rates: np.ndarray,
                         table: FeeTable) -> np.ndarray:
    """Expected aged surcharge of one order: ``Σ_band rate a unit-month × unit-days in band ÷ 30.4``
    (the surcharge is assessed monthly on the 15th on the units then in the band).

    ``ais_rates``: ``ais_per_unit_month`` (SKUs, bands). Broadcasts over a trailing candidate axis
    when the quantities are (SKUs, K).
    """
    q = _f(order_qty)
    q2 = q if q.ndim == 2 else q[:, None]
    ahead = _f(stock_ahead)[:, None]
    d = np.clip(_f(demand_per_day), 1e-12, None)[:, None]
    total = np.zeros(q2.shape)
    oldest = np.nanmax(np.where(np.isnan(q2), -np.inf, (ahead + q2) / d), axis=1, initial=-np.inf)
    for i, (low, width, _, _) in enumerate(ais_bands(table)):
        rows = np.flatnonzero(oldest > low)  # only orders whose last unit reaches the band (the what-if reruns it)
        if not len(rows):
            continue
        days = aged_unit_days(ahead[rows], q2[rows], d[rows], low, width)
        total[rows] += ais_rates[rows, i][:, None] * days / DAYS_PER_MONTH
    total = np.where(np.isnan(q2), np.nan, total)
    return total if q.ndim == 2 else total[:, 0]


def annual_cost(order_qty, *, demand_per_day, base_stock, order_cost, unit_cost, capital_rate_annual,
                storage_per_unit_year_value, ais_rates, table: FeeTable, low_inventory_fee, exempt,
                threshold_days, lost_units_per_cycle, unit_margin) -> dict[str, np.ndarray]:
    """The yearly cost of ordering ``order_qty`` each cycle, by component ($ a year).

    A cycle: Q units land when B (``base_stock``: safety stock + low-inventory floor) are left, and
    sell down to B in Q/d days; D = 365·d a year, D/Q cycles.

    - ordering = S × D/Q
    - capital = unit cost × capital rate × (B + Q/2)
    - storage = storage a unit-year (peak months priced) × (B + Q/2)
    - aged = aged surcharge of one order (``order_aged_surcharge``, B units ahead) × D/Q
    - low_inventory = fee a unit × D when charged (``low_inventory_charged``) and not exempt
    - lost_margin = units short a cycle × D/Q × unit margin

    Each argument is per SKU (arrays); ``order_qty`` may be (SKUs, K) candidates.

    Examples
    --------
    d = 2, B = 0, S = 50, $10 at 15 %, no storage, no surcharge, no shortfall: Q = 216 costs
    50 × 730/216 + 1.5 × 108 = 168.98 + 162 = 330.98.

    >>> import datetime as dt
    >>> from core.fees.table import fee_table
    >>> t = fee_table("US", dt.date(2025, 6, 1))
    >>> one = np.array([1.0])
    >>> c = annual_cost(np.array([216.0]), demand_per_day=2 * one, base_stock=0 * one, order_cost=50.0,
    ...     unit_cost=10 * one, capital_rate_annual=0.15, storage_per_unit_year_value=0 * one,
    ...     ais_rates=np.zeros((1, 8)), table=t, low_inventory_fee=0 * one, exempt=one > 0,
    ...     threshold_days=28.0, lost_units_per_cycle=0 * one, unit_margin=10 * one)
    >>> round(float(c["total"][0]), 2)
    330.98
    """
    q = _f(order_qty)
    col = (lambda v: _f(v)[:, None]) if q.ndim == 2 else _f
    d = col(demand_per_day)
    annual = d * DAYS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        cycles = np.where(q > 0, annual / q, np.nan)
    average = col(base_stock) + q / 2
    out = {
        "ordering": order_cost * cycles,
        "capital": col(unit_cost) * capital_rate_annual * average,
        "storage": np.nan_to_num(col(storage_per_unit_year_value)) * average,
        "aged": order_aged_surcharge(base_stock, q, demand_per_day, ais_rates, table) * cycles,
        "low_inventory": np.where(~col(exempt).astype(bool)
                                  & low_inventory_charged(col(base_stock), q, d, threshold_days),
                                  col(low_inventory_fee) * annual, 0.0),
        "lost_margin": (np.nan_to_num(col(lost_units_per_cycle)) * cycles
                        * np.clip(np.nan_to_num(col(unit_margin)), 0, None)),
    }
    out["total"] = sum(out.values())
    return out


def cheapest(candidates: np.ndarray, cost: np.ndarray, low, high) -> np.ndarray:
    """Per SKU, the candidate of least cost with ``low ≤ q ≤ high`` (NaN when none is inside, or no
    cost is known: then the smallest inside).

    Examples
    --------
    >>> q = np.array([[100.0, 200.0, 300.0], [100.0, 200.0, 300.0]])
    >>> c = np.array([[5.0, 3.0, 1.0], [np.nan, np.nan, np.nan]])
    >>> cheapest(q, c, [50.0, 150.0], [250.0, 250.0]).tolist()
    [200.0, 200.0]
    """
    low, high = _f(low)[:, None], _f(high)[:, None]
    inside = ~np.isnan(candidates) & (candidates >= low - 1e-9) & (candidates <= high + 1e-9)
    priced = np.where(inside & ~np.isnan(cost), cost, np.inf)
    smallest = np.where(inside, candidates, np.inf).min(axis=1)
    best = np.take_along_axis(candidates, priced.argmin(axis=1)[:, None], axis=1)[:, 0]
    out = np.where(np.isfinite(priced.min(axis=1)), best, smallest)
    return np.where(np.isfinite(out), out, np.nan)


def stock_by_month(position, demand_per_day, lead_time_days, order_qty, base_stock, day_offsets,
                   later_qty=None, first_order_day=None) -> np.ndarray:
    """Projected units on hand per SKU on each of ``day_offsets`` (days from today), under the plan:
    today's position sells at d; the order lands after L and later orders of ``later_qty`` (default
    the same Q) land each time the stock is back to B (a sawtooth between B + Q' and B). No order:
    the position runs down. ``first_order_day`` (default 0, today): the day the first order is
    placed, for SKUs that order later (it lands L days after).

    Examples
    --------
    Position 40, d = 2, L = 10, Q = 100, B = 10: day 5 → 30; day 10 → 20 + 100 = 120; day 60 → 20
    (120 − 100, above B); day 70 → 100 (0 < B, so the next order of 100 has landed).

    >>> stock_by_month([40.0], [2.0], [10.0], [100.0], [10.0], [5, 10, 60, 70]).tolist()
    [[30.0, 120.0, 20.0, 100.0]]
    """
    t = _f(day_offsets)[None, :]
    p, d, lead = _f(position)[:, None], _f(demand_per_day)[:, None], _f(lead_time_days)[:, None]
    q, b = _f(order_qty)[:, None], _f(base_stock)[:, None]
    q2 = q if later_qty is None else np.nan_to_num(_f(later_qty), nan=0.0)[:, None]
    q2 = np.where(q2 > 0, q2, np.where(q > 0, q, 1.0))
    t0 = 0.0 if first_order_day is None else np.nan_to_num(_f(first_order_day), nan=np.inf)[:, None]
    lands = t0 + lead
    before = np.maximum(p - d * t, 0.0)
    after = np.maximum(p - d * lands, 0.0) + q - d * (t - lands)
    with np.errstate(invalid="ignore", divide="ignore"):
        wrapped = np.where(after < b, b + np.mod(after - b, q2), after)
    ordered = (q > 0) & (t >= lands)
    return np.where(ordered, np.maximum(wrapped, 0.0), before)


def units_short_before_arrival(position, demand_per_day, days_to_arrival) -> np.ndarray:
    """Units demanded that today's position cannot serve before an order lands ``days_to_arrival`` days
    from today (placed on day D, lead time L: D + L): ``max(d·(D + L) − position, 0)``.

    Examples
    --------
    Position 40, d = 2: landing in 30 days, 60 − 40 = 20 short; in 10 days, none.

    >>> units_short_before_arrival([40.0, 40.0], [2.0, 2.0], [30.0, 10.0]).tolist()
    [20.0, 0.0]
    """
    d = np.clip(_f(demand_per_day), 0, None)
    return np.maximum(d * _f(days_to_arrival) - np.clip(_f(position), 0, None), 0.0)


def month_offsets(as_of, months: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next ``months`` calendar months after ``as_of``'s day: (mid-month day offset from
    ``as_of``, days counted, calendar month), the first month partial (from the day after ``as_of``).

    Examples
    --------
    >>> import datetime as dt
    >>> mid, counted, month = month_offsets(dt.date(2026, 11, 20), 2)
    >>> mid.tolist(), counted.tolist(), month.tolist()
    ([5.5, 26.0], [10, 31], [11, 12])
    """
    import calendar
    import datetime as dt

    mids, counted, numbers = [], [], []
    day = as_of + dt.timedelta(days=1)
    for _ in range(months):
        length = calendar.monthrange(day.year, day.month)[1]
        days = length - day.day + 1
        start = (day - as_of).days
        mids.append(start + (days - 1) / 2)
        counted.append(days)
        numbers.append(day.month)
        day = day.replace(day=1) + dt.timedelta(days=length)
    return np.array(mids, dtype=float), np.array(counted), np.array(numbers)


def fees_12m(*, as_of, position, demand_per_day, lead_time_days, order_qty, base_stock, stock_ahead,
             size_tier, cubic_feet_per_unit, ais_rates, table: FeeTable, low_inventory_fee, exempt,
             threshold_days, later_qty=None, first_order_day=None,
             placement_per_unit=None) -> dict[str, np.ndarray]:
    """Expected fees per SKU over the next 12 months under the plan, by component ($).

    - storage: Σ over the 12 calendar months of units on hand mid-month (``stock_by_month``) × cu ft ×
      that month's rate (peak Oct-Dec) × days counted ÷ days in the month.
    - aged: the aged surcharge of the orders the plan places in the 12 months: today's order behind
      the stock left when it lands (``stock_ahead``), then one order per cycle of Q/d days behind B
      (``order_aged_surcharge``), later orders of ``later_qty`` (default Q); a SKU whose first order
      comes later (``first_order_day``, days from today) places it then. Today's stock ages the same
      under any plan (FIFO sells it first),
      so its surcharge is the Fees page's and not counted here.
    - low_inventory: fee a unit × units shipped while stock is under 28 days of demand before the
      order lands, then × d × (365 − L) when the plan's cycles are charged (``low_inventory_charged``);
      0 when exempt.
    - placement: inbound placement fee a unit (``placement_per_unit``, the seller's split option:
      ``core.fees.table.placement_fee_per_unit``) × units the plan sends in the 12 months (today's
      order, or the later first one, plus the later orders counted for the aged surcharge, each of
      ``later_qty``). NaN where the fee a unit is unknown (no shipping weight); the total then counts
      the other three only. None: 0.

    Examples
    --------
    Placement alone: $0.27 a unit, an order of 100 today, d = 1, L = 10, nothing ahead, B = 0, later
    orders of 100: the first sells out 110 days from today, then (365 − 10 − 100) ÷ 100 = 2.55 more
    orders land: 0.27 × (100 + 2.55 × 100) = 95.85.

    >>> import datetime as dt
    >>> from core.fees.table import fee_table
    >>> one = np.ones(1)
    >>> f = fees_12m(as_of=dt.date(2026, 3, 1), position=0 * one, demand_per_day=one, lead_time_days=10 * one,
    ...     order_qty=100 * one, base_stock=0 * one, stock_ahead=0 * one, size_tier=["standard"],
    ...     cubic_feet_per_unit=0 * one, ais_rates=np.zeros((1, 8)), table=fee_table("US", dt.date(2026, 3, 1)),
    ...     low_inventory_fee=0 * one, exempt=one > 0, threshold_days=28.0, placement_per_unit=0.27 * one)
    >>> round(float(f["placement"][0]), 2), round(float(f["total"][0]), 2)
    (95.85, 95.85)
    """
    mid, counted, months = month_offsets(as_of)
    import calendar

    lengths = np.array([calendar.monthrange((as_of.year if m >= as_of.month else as_of.year + 1), m)[1]
                        for m in months])
    q, d, lead = _f(order_qty), np.clip(_f(demand_per_day), 0, None), _f(lead_time_days)
    t0 = np.zeros(len(q)) if first_order_day is None else np.nan_to_num(_f(first_order_day), nan=np.inf)
    stock = stock_by_month(position, d, lead, q, base_stock, mid, later_qty, t0)
    lands = t0 + lead
    q2 = q if later_qty is None else np.where(np.nan_to_num(_f(later_qty)) > 0, np.nan_to_num(_f(later_qty)), q)
    tiers = np.asarray(size_tier, dtype=object)
    rates = np.column_stack([storage_rate_per_cuft(table, tiers, np.full(len(tiers), m)) for m in months])
    storage = (stock * _f(cubic_feet_per_unit)[:, None] * rates * (counted / lengths)[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        first_days = np.where((q > 0) & (d > 0), (_f(stock_ahead) + q - _f(base_stock)) / np.where(d > 0, d, 1.0),
                              np.inf)
        cycle_days = np.where((q2 > 0) & (d > 0), q2 / np.where(d > 0, d, 1.0), np.inf)
        later_orders = np.where(q > 0, np.clip((DAYS_PER_YEAR - lands - np.clip(first_days, 0, None))
                                               / cycle_days, 0, None), 0.0)
    aged = (order_aged_surcharge(stock_ahead, q, d, ais_rates, table)
            + order_aged_surcharge(base_stock, q2, d, ais_rates, table) * later_orders)
    aged = np.where((q > 0) & (t0 < DAYS_PER_YEAR), aged, 0.0)
    p = np.clip(_f(position), 0, None)
    limit = threshold_days * d
    until = np.where(q > 0, np.minimum(lands, DAYS_PER_YEAR), DAYS_PER_YEAR)
    shipped_low = np.clip(np.minimum(p, limit) - np.maximum(p - d * until, 0.0), 0, None)
    steady_low = (q > 0) & low_inventory_charged(base_stock, q2, d, threshold_days)
    units_low = shipped_low + np.where(steady_low, d * np.clip(DAYS_PER_YEAR - lands, 0, None), 0.0)
    low = np.where(np.asarray(exempt, dtype=bool), 0.0, _f(low_inventory_fee) * units_low)
    if placement_per_unit is None:
        placement = np.zeros(len(q))
    else:
        sent = np.where((q > 0) & (t0 < DAYS_PER_YEAR), q + np.nan_to_num(q2) * later_orders, 0.0)
        placement = _f(placement_per_unit) * sent
    out = {"storage": storage, "aged": aged, "low_inventory": low, "placement": placement}
    out["total"] = storage + aged + low + np.nan_to_num(placement)
    return out
