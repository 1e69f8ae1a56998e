"""Restock formulas: service level to z, lead time, safety stock, reorder point, inventory position,
EOQ, order quantity with MOQ and case pack, order-by and stockout dates, and the cost trade-off of a
service level.

Every function takes numbers, numpy arrays or pandas Series alike and returns numpy values; demand
is in units per day and lead times in days throughout, annual figures use 365 days. Listed in
docs/metrics.md ("Restock").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy.stats import norm

DAYS_PER_YEAR = 365


def _float(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def z_score(service_level):
    """Safety factor for a cycle service level: ``z = Φ⁻¹(service level)``.

    Parameters
    ----------
    service_level : float or array-like
        Probability of no stockout during a replenishment cycle, each in (0, 1). [SL]

    Returns
    -------
    numpy.ndarray
        The standard normal quantile. [z]

    Raises
    ------
    ValueError
        If any service level is outside (0, 1) or missing.

    Notes
    -----
    Source: the standard normal quantile (scipy.stats.norm.ppf); any inventory text, e.g. Silver,
    Pyke & Thomas, *Inventory and Production Management in Supply Chains*, ch. 6. Printed tables give
    1.645 at 95%.

    Examples
    --------
    >>> round(float(z_score(0.95)), 3)
    1.645
    >>> float(z_score(0.5))
    0.0
    """
    level = _float(service_level)
    if not np.all((level > 0) & (level < 1)):
        raise ValueError("service_level must be in (0, 1)")
    return norm.ppf(level)


def lead_time_days(production_days, transit_days, receiving_days):
    """Replenishment lead time: ``L = production + transit + FBA receiving``, in days.

    Parameters
    ----------
    production_days : float or array-like
        Days from placing the order to goods ready at the factory.
    transit_days : float or array-like
        Days from factory to the Amazon fulfilment centre (sea or air).
    receiving_days : float or array-like
        Days Amazon takes to check the shipment in and make it sellable.

    Returns
    -------
    numpy.ndarray
        Lead time in days. [L]

    Examples
    --------
    30 days of production, 35 at sea and 7 at receiving:

    >>> float(lead_time_days(30, 35, 7))
    72.0
    """
    return _float(production_days) + _float(transit_days) + _float(receiving_days)


def lead_time_demand_sd(demand_per_day, demand_sd_per_day, lead_time_days, lead_time_sd_days):
    """Standard deviation of demand over the lead time: ``σ_LT = √(L·σ_d² + d²·σ_L²)``.

    Parameters
    ----------
    demand_per_day : float or array-like
        Mean demand in units per day. [d]
    demand_sd_per_day : float or array-like
        Standard deviation of daily demand, units per day. [σ_d]
    lead_time_days : float or array-like
        Mean lead time in days. [L]
    lead_time_sd_days : float or array-like
        Standard deviation of the lead time in days. [σ_L]

    Returns
    -------
    numpy.ndarray
        Units. [σ_LT]

    Notes
    -----
    Demand independent from day to day and of the lead time (Chopra & Meindl, *Supply Chain
    Management*, "safety inventory when lead time is uncertain"). With σ_L = 0 it is σ_d·√L.

    Examples
    --------
    σ_d = 20 a day over L = 7 days: 20·√7 = 52.9 units.

    >>> round(float(lead_time_demand_sd(0, 20, 7, 0)), 2)
    52.92
    """
    d, sd = _float(demand_per_day), _float(demand_sd_per_day)
    lead, lead_sd = _float(lead_time_days), _float(lead_time_sd_days)
    return np.sqrt(lead * sd ** 2 + d ** 2 * lead_sd ** 2)


def safety_stock(z, demand_per_day, demand_sd_per_day, lead_time_days, lead_time_sd_days=0.0):
    """Safety stock: ``SS = z · √(L·σ_d² + d²·σ_L²)`` (``z·σ_d·√L`` when σ_L = 0).

    Parameters
    ----------
    z : float or array-like
        Safety factor, ``z_score(service level)``. [z]
    demand_per_day : float or array-like
        Mean demand, units per day. [d]
    demand_sd_per_day : float or array-like
        Standard deviation of daily demand, units per day. [σ_d]
    lead_time_days : float or array-like
        Mean lead time, days. [L]
    lead_time_sd_days : float or array-like, default 0
        Standard deviation of the lead time, days. [σ_L]

    Returns
    -------
    numpy.ndarray
        Units (not rounded).

    Notes
    -----
    Source: Chopra & Meindl, *Supply Chain Management*, safety inventory with uncertain demand and
    lead time; issue 4's check: 95% (z = 1.645), σ_d = 20/day, L = 7 days gives 87 units.

    Examples
    --------
    >>> round(float(safety_stock(1.645, 0, 20, 7)), 1)
    87.0
    """
    return _float(z) * lead_time_demand_sd(demand_per_day, demand_sd_per_day, lead_time_days, lead_time_sd_days)


def reorder_point(demand_per_day, lead_time_days, safety_stock_units):
    """Reorder point: ``ROP = d·L + SS``, the position at which to order.

    Parameters
    ----------
    demand_per_day : float or array-like
        Mean demand, units per day. [d]
    lead_time_days : float or array-like
        Lead time, days. [L]
    safety_stock_units : float or array-like
        Safety stock, units. [SS]

    Returns
    -------
    numpy.ndarray
        Units.

    Examples
    --------
    10 a day over 30 days plus 50 units of safety stock:

    >>> float(reorder_point(10, 30, 50))
    350.0
    """
    return _float(demand_per_day) * _float(lead_time_days) + _float(safety_stock_units)


def inventory_position(available, inbound, reserved_transfer, open_purchase_orders):
    """Inventory position: ``available + inbound + reserved FC transfers + open purchase orders``.

    Parameters
    ----------
    available : float or array-like
        Sellable units at Amazon.
    inbound : float or array-like
        Units in shipments to Amazon (working, shipped, receiving).
    reserved_transfer : float or array-like
        Units reserved for transfer or processing between fulfilment centres (not those reserved
        for customer orders, which are already sold).
    open_purchase_orders : float or array-like
        Units ordered from suppliers and not yet shipped to Amazon.

    Returns
    -------
    numpy.ndarray
        Units. Missing values count as 0.

    Examples
    --------
    >>> float(inventory_position(100, 50, 10, 200))
    360.0
    """
    parts = [np.nan_to_num(_float(v), nan=0.0) for v in
             (available, inbound, reserved_transfer, open_purchase_orders)]
    return parts[0] + parts[1] + parts[2] + parts[3]


def holding_cost_per_unit_year(unit_cost, capital_rate_annual, storage_fee_per_unit_year):
    """Annual holding cost of one unit: ``H = capital rate × unit cost + storage fee per unit-year``.

    Parameters
    ----------
    unit_cost : float or array-like
        Landed cost per unit, $. NaN (unknown) gives NaN.
    capital_rate_annual : float
        Cost of capital per year, a share (0.15 = 15%).
    storage_fee_per_unit_year : float or array-like
        Amazon storage fees per unit per year, $. Missing counts as 0.

    Returns
    -------
    numpy.ndarray
        $ per unit per year. [H]

    Examples
    --------
    A $10 unit at 15% and $1.20 of storage a year:

    >>> float(holding_cost_per_unit_year(10, 0.15, 1.2))
    2.7
    """
    return _float(capital_rate_annual) * _float(unit_cost) + np.nan_to_num(_float(storage_fee_per_unit_year))


def economic_order_quantity(annual_demand, order_cost, holding_cost_per_unit_year_value):
    """Economic order quantity: ``EOQ = √(2·D·S / H)``.

    Parameters
    ----------
    annual_demand : float or array-like
        Units per year. [D]
    order_cost : float or array-like
        Fixed cost of placing one order (one PO line), $. [S]
    holding_cost_per_unit_year_value : float or array-like
        $ per unit per year. [H]

    Returns
    -------
    numpy.ndarray
        Units (not rounded); 0 with no demand; NaN when H is unknown or not positive.

    Notes
    -----
    Source: Harris (1913); textbook example (Heizer & Render, *Operations Management*, "Sharp, Inc."):
    D = 1,000 units, S = $10, H = $0.50 gives √(2·1000·10/0.5) = √40,000 = 200 units.

    Examples
    --------
    >>> float(economic_order_quantity(1_000, 10, 0.5))
    200.0
    """
    demand, cost, holding = _float(annual_demand), _float(order_cost), _float(holding_cost_per_unit_year_value)
    with np.errstate(divide="ignore", invalid="ignore"):
        eoq = np.sqrt(2 * demand * cost / np.where(holding > 0, holding, np.nan))
    return np.where(demand <= 0, 0.0, eoq)


def order_trigger(position, reorder_point_units, demand_per_day, review_period_days):
    """Whether to order now: ``position ≤ ROP + d·R`` with demand (periodic review every R days).

    Parameters
    ----------
    position : float or array-like
        Inventory position, units.
    reorder_point_units : float or array-like
        Reorder point, units. [ROP]
    demand_per_day : float or array-like
        Units per day. [d]
    review_period_days : float
        Days until the next review, when the next chance to order comes. [R]

    Returns
    -------
    numpy.ndarray of bool
        False wherever there is no demand.

    Examples
    --------
    >>> bool(order_trigger(40, 55, 2, 7))
    True
    """
    d = _float(demand_per_day)
    return (d > 0) & (_float(position) <= _float(reorder_point_units) + d * _float(review_period_days))


def order_quantity_needed(position, reorder_point_units, demand_per_day, review_period_days, eoq):
    """Units to order before pack rules: ``max(EOQ, ROP + d·R − position)`` when the order is due
    (``order_trigger``), else 0.

    Parameters
    ----------
    position, reorder_point_units : float or array-like
        Units.
    demand_per_day : float or array-like
        Units per day. [d]
    review_period_days : float
        Days. [R]
    eoq : float or array-like
        Economic order quantity, units; NaN (unknown cost) leaves the gap alone.

    Returns
    -------
    numpy.ndarray
        Units, not rounded.

    Examples
    --------
    Position 40, ROP 55, 2 a day for 7 days: the gap is 55 + 14 − 40 = 29, below an EOQ of 100.

    >>> float(order_quantity_needed(40, 55, 2, 7, 100))
    100.0
    >>> float(order_quantity_needed(40, 55, 2, 7, float("nan")))
    29.0
    """
    d = _float(demand_per_day)
    gap = _float(reorder_point_units) + d * _float(review_period_days) - _float(position)
    wanted = np.fmax(_float(eoq), gap)
    return np.where(order_trigger(position, reorder_point_units, demand_per_day, review_period_days),
                    np.maximum(wanted, 0.0), 0.0)


def round_to_pack(quantity, moq, case_pack):
    """Order quantity a supplier accepts: at least the MOQ, then rounded UP to whole cases:
    ``⌈max(q, MOQ) / case pack⌉ · case pack``; no order (q ≤ 0) stays 0.

    Parameters
    ----------
    quantity : float or array-like
        Units wanted. [q]
    moq : float or array-like
        Minimum order quantity, units; missing or 0 means none.
    case_pack : float or array-like
        Units per case; missing, 0 or 1 rounds to whole units.

    Returns
    -------
    numpy.ndarray
        Units, whole numbers. An MOQ that is not a multiple of the case pack is itself rounded up to
        whole cases (MOQ 100, case 24: 120).

    Examples
    --------
    >>> float(round_to_pack(29, 100, 24))
    120.0
    >>> float(round_to_pack(130, 100, 24))
    144.0
    """
    q = _float(quantity)
    minimum = np.nan_to_num(_float(moq), nan=0.0)
    pack = np.nan_to_num(_float(case_pack), nan=1.0)
    pack = np.where(pack >= 1, pack, 1.0)
    wanted = np.maximum(q, minimum)
    rounded = np.ceil(wanted / pack - 1e-9) * pack
    return np.where(q > 0, rounded, 0.0)


def days_until_reorder(position, reorder_point_units, demand_per_day):
    """Days until the position falls to the reorder point: ``max(0, (position − ROP) / d)``.

    Parameters
    ----------
    position, reorder_point_units : float or array-like
        Units.
    demand_per_day : float or array-like
        Units per day. [d]

    Returns
    -------
    numpy.ndarray
        Days; NaN (never) with no demand.

    Examples
    --------
    >>> float(days_until_reorder(300, 180, 6))
    20.0
    """
    d = _float(demand_per_day)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = (_float(position) - _float(reorder_point_units)) / np.where(d > 0, d, np.nan)
    return np.maximum(days, 0.0)


# A date further ahead than this is no date a seller plans for (a demand of 1e-9 a day would put a
# stockout in the year 80,000,000, past what a date type holds): NaT, shown as none.
MAX_DAYS_AHEAD = 3653  # ten years


def add_days(as_of: dt.date, days) -> np.ndarray:
    """The date ``as_of + ⌊days⌋`` (the day the event falls in); NaN days, and days beyond
    ``MAX_DAYS_AHEAD`` (ten years), give NaT.

    Examples
    --------
    >>> str(add_days(dt.date(2026, 11, 15), 20.7))
    '2026-12-05'
    >>> str(add_days(dt.date(2026, 11, 15), 1e12))
    'NaT'
    """
    values = _float(days)
    values = np.where(values > MAX_DAYS_AHEAD, np.nan, values)
    whole = np.floor(np.where(np.isfinite(values), values, 0)).astype("int64").astype("timedelta64[D]")
    dates = np.datetime64(as_of, "D") + whole
    return np.where(np.isfinite(values), dates, np.datetime64("NaT"))


def order_by_date(as_of: dt.date, position, reorder_point_units, demand_per_day):
    """Order-by date: ``as_of + max(0, (position − ROP) / d)`` days, the day the position reaches
    the reorder point at demand d; NaT with no demand; ``as_of`` when already below it.

    Parameters
    ----------
    as_of : datetime.date
        Today.
    position, reorder_point_units : float or array-like
        Units.
    demand_per_day : float or array-like
        Units per day. [d]

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Examples
    --------
    >>> str(order_by_date(dt.date(2026, 11, 15), 300, 180, 6))
    '2026-12-05'
    """
    return add_days(as_of, days_until_reorder(position, reorder_point_units, demand_per_day))


def stockout_date(as_of: dt.date, position, demand_per_day):
    """Projected stockout date if nothing more is ordered: ``as_of + position / d``; NaT with no
    demand; ``as_of`` with no position.

    Parameters
    ----------
    as_of : datetime.date
        Today.
    position : float or array-like
        Inventory position, units.
    demand_per_day : float or array-like
        Units per day. [d]

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Examples
    --------
    >>> str(stockout_date(dt.date(2026, 11, 15), 300, 6))
    '2027-01-04'
    """
    d = _float(demand_per_day)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.maximum(_float(position), 0.0) / np.where(d > 0, d, np.nan)
    return add_days(as_of, days)


def days_of_cover_after_order(position, order_qty, demand_per_day, lead_time_days):
    """Days of cover on the day the order arrives: ``(max(position − d·L, 0) + Q) / d``.

    What is left when the order lands (sales lost to a stockout before it are not back-ordered),
    plus the order, at demand d.

    Parameters
    ----------
    position : float or array-like
        Inventory position today, units.
    order_qty : float or array-like
        Units ordered today. [Q]
    demand_per_day : float or array-like
        Units per day. [d]
    lead_time_days : float or array-like
        Days until the order arrives. [L]

    Returns
    -------
    numpy.ndarray
        Days; ``inf`` with stock and no demand, 0 with neither.

    Examples
    --------
    Position 400, 5 a day, 60 days of lead time, 300 ordered: (100 + 300) / 5 = 80 days.

    >>> float(days_of_cover_after_order(400, 300, 5, 60))
    80.0
    """
    d = _float(demand_per_day)
    left = np.maximum(_float(position) - d * _float(lead_time_days), 0.0) + _float(order_qty)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = left / np.where(d > 0, d, np.nan)
    return np.where(d > 0, cover, np.where(left > 0, np.inf, 0.0))


def normal_loss(z):
    """Standard normal loss function: ``G(z) = φ(z) − z·(1 − Φ(z))``, the expected shortfall
    ``E[max(X − z, 0)]`` of a standard normal X.

    Notes
    -----
    Source: Silver, Pyke & Thomas, *Inventory and Production Management in Supply Chains*,
    appendix "the unit normal loss function"; G(0) = φ(0) = 1/√(2π) = 0.3989.

    Examples
    --------
    >>> round(float(normal_loss(0)), 4)
    0.3989
    """
    values = _float(z)
    return norm.pdf(values) - values * norm.sf(values)


def expected_units_short_per_cycle(lead_time_demand_sd_units, z):
    """Expected units short per replenishment cycle: ``σ_LT · G(z)``.

    Parameters
    ----------
    lead_time_demand_sd_units : float or array-like
        σ_LT, units (``lead_time_demand_sd``).
    z : float or array-like
        Safety factor.

    Returns
    -------
    numpy.ndarray
        Units per cycle.

    Examples
    --------
    >>> round(float(expected_units_short_per_cycle(100, 0)), 2)
    39.89
    """
    return _float(lead_time_demand_sd_units) * normal_loss(z)


def safety_stock_holding_cost(safety_stock_units, holding_cost_per_unit_year_value):
    """Annual cost of holding the safety stock: ``SS × H``.

    Examples
    --------
    >>> float(safety_stock_holding_cost(87, 2.7))
    234.9
    """
    return _float(safety_stock_units) * _float(holding_cost_per_unit_year_value)


def expected_lost_margin(lead_time_demand_sd_units, z, annual_demand, order_qty, unit_margin):
    """Expected margin lost to stockouts per year: ``σ_LT · G(z) × D / Q × unit margin``
    (units short per cycle × cycles per year × margin per unit).

    Parameters
    ----------
    lead_time_demand_sd_units : float or array-like
        σ_LT, units.
    z : float or array-like
        Safety factor.
    annual_demand : float or array-like
        Units per year. [D]
    order_qty : float or array-like
        Units per order (cycle quantity); 0 or NaN gives NaN. [Q]
    unit_margin : float or array-like
        $ earned per unit sold (price − cost − Amazon fees).

    Returns
    -------
    numpy.ndarray
        $ per year.

    Examples
    --------
    σ_LT = 100 and z = 0: 39.89 units short a cycle, 1,200 a year in orders of 200 (6 cycles) at $5:

    >>> round(float(expected_lost_margin(100, 0, 1_200, 200, 5)), 2)
    1196.83
    """
    q = _float(order_qty)
    with np.errstate(divide="ignore", invalid="ignore"):
        cycles = _float(annual_demand) / np.where(q > 0, q, np.nan)
    return expected_units_short_per_cycle(lead_time_demand_sd_units, z) * cycles * _float(unit_margin)
