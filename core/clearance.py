"""The clearance advisor: what to do with the units the forecast will not sell, and what each choice costs.

What is compared
----------------
For each SKU, the **units affected** are its excess over the horizon, the units on hand that the
forecast will not sell within ``horizon_months``::

    T = 365 / 12 × horizon_months                      (days; 182.5 for 6 months)
    excess = max(0, units − demand_per_day × T)

A SKU with no excess (picked by the user) gets every option computed on all its units, as if the
forecast sold none of them. Every option is priced on these units over the horizon, as a **cost**
(lower is better; a negative cost is a net gain)::

    cost = cash_out − cash_in + value_given_up

- ``cash_in``: money received (sale revenue, liquidation recovery).
- ``cash_out``: money paid (Amazon fees per unit sold, storage and surcharges while the units stay at
  Amazon, advertising, removal / disposal / donation fees, inbound handling and storage at the
  seller's own warehouse).
- ``value_given_up``: what is lost without a payment: the stock consumed at its unit cost (units sold,
  liquidated, disposed of or donated leave the books at cost), the discount given on units that would
  have sold anyway, and the capital cost of the stock while it is held
  (``unit_cost × capital_rate_annual × horizon_months / 12`` per unit).

Units still held at the end of the horizon (at Amazon or in the seller's warehouse) keep their value
at cost: we neither write them off nor credit the margin of a later sale. So **keep** assumes the
excess still sells at full price after the horizon; the risk that it does not (it is excess because
demand is too low) is not priced, which favours keeping. The slow-mover grade says how real that risk is.

Units cleared by selling more (discount, advertising, bundle) sell evenly over the horizon, so on
average they stay half of it: they pay half the storage and capital cost of a kept unit.
Amazon's fee per unit sold is taken as given at every price (the referral part, a share of the price,
would fall a little with a discount: ignored, which is conservative).

Options (``OPTIONS``, simplest first; ties go to the simpler one):

=============  =======================================================================================
keep           pay storage and surcharges over the horizon (``keep_cost_horizon``) and the capital cost
discount       price × (1 − d) for the whole horizon; extra units = demand × elasticity × d × T (capped
               at the excess); the discount is also given on the units that sell anyway (units − excess)
advertise      extra units = demand × ad_uplift × T; ad spend = ad_spend_share × price per extra unit
bundle         extra units = demand × bundle_uplift × T, sold at price × (1 − bundle_discount)
removal        removal fee + return handling + own-warehouse storage over the horizon; stock kept at cost
liquidation    removal-type fee; recovery = liquidation_recovery_share × price; stock written off
disposal       disposal fee; stock written off
donation       donation fee; stock written off; a possible tax deduction (up to cost basis × tax_rate)
               is reported in ``possible_tax_saving`` and not counted: ask your accountant
=============  =======================================================================================

Per-SKU fee columns ``removal_fee_per_unit``, ``disposal_fee_per_unit`` and ``donation_fee_per_unit``
in the input (from the fee table by size tier and weight) override the parameters' defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.params import require


DAYS_PER_MONTH = 365 / 12  # 30.4 days
OPTIONS = ("keep", "discount", "advertise", "bundle", "removal", "liquidation", "disposal", "donation")
OFF_AMAZON_OPTIONS = ("removal", "liquidation", "disposal", "donation")  # the ones that need an order
OPTION_NOTES = {
    "keep": "storage and surcharges over the horizon plus capital cost; stock kept at cost, it sells "
            "after the horizon only if demand holds",
    "discount": "extra units from price elasticity; discount given on every unit sold in the horizon; "
                "storage saved on units cleared",
    "advertise": "extra units from advertising; ad spend per extra unit as a share of price",
    "bundle": "extra units sold in bundles at the bundle discount",
    "removal": "removal fee, handling and storage at your warehouse; stock kept at cost (reshipping "
               "to FBA later not included)",
    "liquidation": "removal-type fee; recovery as a share of price; stock written off",
    "disposal": "disposal fee; stock written off",
    "donation": "donation fee; stock written off; possible tax deduction up to cost basis × tax rate, "
                "not counted: ask your accountant",
}
INPUT_COLUMNS = ("sku", "units", "unit_cost", "price", "fee_per_unit", "demand_per_day")
OPTION_COLUMNS = ["sku", "option", "units_affected", "units_cleared", "cash_in", "cash_out", "value_given_up",
                  "cost", "possible_tax_saving", "note"]
RECOMMEND_COLUMNS = ["sku", "option", "units_affected", "cost", "keep_cost", "saving_vs_keep", "complete"]
LIST_COLUMNS = ["sku", "fnsku", "product_name", "option", "units"]


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class ClearanceParams:
    """The knobs of the clearance advisor (module docstring for how each is used).

    Examples
    --------
    >>> ClearanceParams().horizon_months
    6
    >>> ClearanceParams(discount_pct=1.5)
    Traceback (most recent call last):
    ...
    ValueError: discount_pct must be in [0, 1)
    """

    horizon_months: int = 6  # H: months over which each option is priced
    discount_pct: float = 0.20  # d: price cut of the discount option
    price_elasticity: float = 2.0  # ε: % more units per % price cut (editable: it varies by product)
    ad_spend_share: float = 0.15  # ad spend per extra unit, as a share of price
    ad_uplift: float = 0.5  # extra demand from advertising (+50%)
    bundle_uplift: float = 0.3  # extra demand from bundling (+30%)
    bundle_discount: float = 0.10  # price cut on bundled units
    removal_fee_per_unit: float = 1.04  # $; Amazon removal order, standard size up to 0.5 lb (US)
    disposal_fee_per_unit: float = 1.04  # $; same schedule as removal
    donation_fee_per_unit: float = 1.04  # $; FBA donations are charged the disposal fee
    liquidation_recovery_share: float = 0.10  # FBA Liquidations pay roughly 5-10% of list price
    tax_rate: float = 0.21  # for the donation deduction note only (US federal corporate rate)
    return_handling_per_unit: float = 1.00  # $; inbound freight and handling at your own warehouse
    own_storage_per_unit_month: float = 0.10  # $ per unit and month at your own warehouse
    capital_rate_annual: float = 0.15  # cost of the money tied up in stock held, as in HealthParams
    storage_fee_per_cuft_month: float = 0.78  # $; only when the input has no keep cost (Jan-Sep standard)

    def __post_init__(self) -> None:
        require(isinstance(self.horizon_months, int) and not isinstance(self.horizon_months, bool)
               and 1 <= self.horizon_months <= 24, "horizon_months must be a whole number of months in [1, 24]")
        for name in ("discount_pct", "bundle_discount"):
            value = getattr(self, name)
            require(_number(value) and 0 <= value < 1, f"{name} must be in [0, 1)")
        for name in ("ad_spend_share", "liquidation_recovery_share", "tax_rate", "capital_rate_annual"):
            value = getattr(self, name)
            require(_number(value) and 0 <= value <= 1, f"{name} must be in [0, 1]")
        for name in ("price_elasticity", "ad_uplift", "bundle_uplift", "removal_fee_per_unit",
                     "disposal_fee_per_unit", "donation_fee_per_unit", "return_handling_per_unit",
                     "own_storage_per_unit_month", "storage_fee_per_cuft_month"):
            value = getattr(self, name)
            require(_number(value) and value >= 0, f"{name} must be a finite number >= 0")


# --- formulas ---------------------------------------------------------------------------------------

def horizon_days(horizon_months) -> float:
    """Days in the horizon: ``horizon_months × 365 / 12``.

    >>> horizon_days(6)
    182.5
    """
    return float(horizon_months) * DAYS_PER_MONTH


def excess_over_horizon(units, demand_per_day, days):
    """Units the forecast will not sell within the horizon: ``max(0, units − demand_per_day × days)``.

    Examples
    --------
    500 units selling 1 a day over 6 months (182.5 days): 500 − 182.5 = 317.5.

    >>> float(excess_over_horizon(500, 1.0, 182.5))
    317.5
    """
    return np.maximum(0.0, np.asarray(units, dtype=float) - np.asarray(demand_per_day, dtype=float) * days)


def units_affected(units, excess):
    """The units each option is priced on: the excess, or all units when there is none (a picked SKU).

    >>> units_affected([500, 80], [317.5, 0]).tolist()
    [317.5, 80.0]
    """
    excess = np.asarray(excess, dtype=float)
    return np.where(excess > 0, excess, np.asarray(units, dtype=float))


def extra_units_sold(demand_per_day, uplift, days, cap_units):
    """Extra units sold over the horizon by a demand uplift: ``min(cap, demand × uplift × days)``.

    Examples
    --------
    A 20% discount with elasticity 2 lifts demand by 40%: 1 a day × 0.4 × 182.5 days = 73 units.

    >>> float(extra_units_sold(1.0, 2.0 * 0.20, 182.5, 317.5))
    73.0
    """
    extra = np.asarray(demand_per_day, dtype=float) * uplift * days
    return np.minimum(np.asarray(cap_units, dtype=float), np.maximum(extra, 0.0))


def capital_cost_per_unit(unit_cost, capital_rate_annual: float, horizon_months: float):
    """Cost of the money tied up in one unit held over the horizon: ``unit_cost × rate × months / 12``.

    >>> round(float(capital_cost_per_unit(8.0, 0.15, 6)), 4)
    0.6
    """
    return np.asarray(unit_cost, dtype=float) * capital_rate_annual * horizon_months / 12


@dataclass(frozen=True)
class OptionOutcome:
    """Cash and value of one option over the horizon, per SKU ($, units); ``cost`` = out − in + given up."""

    units_cleared: np.ndarray
    cash_in: np.ndarray
    cash_out: np.ndarray
    value_given_up: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        return self.cash_out - self.cash_in + self.value_given_up


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def keep_outcome(units, storage_per_unit, capital_per_unit) -> OptionOutcome:
    """Keep at Amazon: ``cost = units × (storage and surcharges per unit + capital cost per unit)``.

    Examples
    --------
    317.5 excess units, $1.20 storage each over the horizon, $0.60 capital each:
    317.5 × 1.80 = $571.50.

    >>> round(float(keep_outcome(317.5, 1.2, 0.6).cost), 2)
    571.5
    """
    q = _arr(units)
    return OptionOutcome(q * 0.0, q * 0.0, q * _arr(storage_per_unit), q * _arr(capital_per_unit))


def sell_more_outcome(units, extra_units, sale_price, fee_per_unit, extra_cost_per_unit, storage_per_unit,
                      capital_per_unit, unit_cost, baseline_units=0.0, baseline_price_cut=0.0) -> OptionOutcome:
    """Sell n extra units of the q affected (discount, advertising, bundle).

    ``cash_in = n × sale price``;
    ``cash_out = n × (fee + extra cost per unit) + storage × (q − n) + storage × n / 2``;
    ``value_given_up = n × unit cost + capital × (q − n) + capital × n / 2
    + baseline units × baseline price cut`` (the discount given on units that sell anyway).

    Examples
    --------
    Discount 20% on the worked SKU (q 317.5, n 73, price $25 → $20, fee $9, storage $1.20,
    capital $0.60, cost $8, 182.5 units selling anyway at $5 off): cash in 73 × 20 = 1,460;
    cash out 657 + 293.4 + 43.8 = 994.2; given up 584 + 146.7 + 21.9 + 912.5 = 1,665.1;
    cost 994.2 − 1,460 + 1,665.1 = $1,199.30.

    >>> round(float(sell_more_outcome(317.5, 73, 20.0, 9.0, 0.0, 1.2, 0.6, 8.0, 182.5, 5.0).cost), 2)
    1199.3
    """
    q, n = _arr(units), _arr(extra_units)
    storage, capital = _arr(storage_per_unit), _arr(capital_per_unit)
    held = (q - n) + n / 2  # unit-horizons at Amazon: the rest all along, the cleared half of it
    cash_in = n * _arr(sale_price)
    cash_out = n * (_arr(fee_per_unit) + _arr(extra_cost_per_unit)) + storage * held
    given_up = n * _arr(unit_cost) + capital * held + _arr(baseline_units) * _arr(baseline_price_cut)
    return OptionOutcome(n, cash_in, cash_out, given_up)


def removal_outcome(units, removal_fee_per_unit, handling_per_unit, own_storage_per_unit_month,
                    horizon_months, capital_per_unit) -> OptionOutcome:
    """Removal order to your own warehouse: ``cash_out = q × (removal fee + handling + own storage ×
    months)``, ``value_given_up = q × capital cost``; the stock keeps its value at cost.

    Examples
    --------
    317.5 × (1.04 + 1.00 + 0.10 × 6) = 838.20; + 317.5 × 0.60 = 190.50; cost $1,028.70.

    >>> round(float(removal_outcome(317.5, 1.04, 1.00, 0.10, 6, 0.6).cost), 2)
    1028.7
    """
    q = _arr(units)
    per_unit = _arr(removal_fee_per_unit) + _arr(handling_per_unit) + _arr(own_storage_per_unit_month) * horizon_months
    return OptionOutcome(q, q * 0.0, q * per_unit, q * _arr(capital_per_unit))


def liquidation_outcome(units, fee_per_unit, price, recovery_share, unit_cost) -> OptionOutcome:
    """FBA Liquidations: ``cash_in = q × recovery share × price``, ``cash_out = q × fee``,
    ``value_given_up = q × unit cost``.

    Examples
    --------
    317.5 × 0.10 × 25 = 793.75 in; 317.5 × 1.04 = 330.20 out; 317.5 × 8 = 2,540 written off:
    cost 330.20 − 793.75 + 2,540 = $2,076.45.

    >>> round(float(liquidation_outcome(317.5, 1.04, 25.0, 0.10, 8.0).cost), 2)
    2076.45
    """
    q = _arr(units)
    return OptionOutcome(q, q * recovery_share * _arr(price), q * _arr(fee_per_unit), q * _arr(unit_cost))


def write_off_outcome(units, fee_per_unit, unit_cost) -> OptionOutcome:
    """Disposal or donation: ``cost = q × (fee + unit cost)``.

    Examples
    --------
    317.5 × (1.04 + 8) = $2,870.20.

    >>> round(float(write_off_outcome(317.5, 1.04, 8.0).cost), 2)
    2870.2
    """
    q = _arr(units)
    return OptionOutcome(q, q * 0.0, q * _arr(fee_per_unit), q * _arr(unit_cost))


def donation_tax_saving(units, unit_cost, tax_rate: float):
    """Upper bound of the tax saving of a donation: ``q × unit cost (cost basis) × tax rate``.

    A note, not counted in the cost: whether and how much is deductible depends on your books and
    jurisdiction. Ask your accountant.

    >>> round(float(donation_tax_saving(317.5, 8.0, 0.21)), 2)
    533.4
    """
    return _arr(units) * _arr(unit_cost) * tax_rate


# --- the advisor ------------------------------------------------------------------------------------

def _per_sku(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column in frame.columns:
        return frame[column].astype(float).fillna(default).to_numpy()
    return np.full(len(frame), float(default))


def _storage_per_unit(frame: pd.DataFrame, q: np.ndarray, params: ClearanceParams) -> np.ndarray:
    """Storage and surcharges per affected unit over the horizon, from the best input there is."""
    months = params.horizon_months
    if "keep_cost_horizon" in frame.columns:
        total = frame["keep_cost_horizon"].astype(float).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(q > 1e-9, total / np.where(q > 1e-9, q, 1.0), 0.0)  # below 1e-9 units: none
    if "keep_cost_per_unit_month" in frame.columns:
        return frame["keep_cost_per_unit_month"].astype(float).to_numpy() * months
    if "cubic_feet_per_unit" in frame.columns:
        return frame["cubic_feet_per_unit"].astype(float).to_numpy() * params.storage_fee_per_cuft_month * months
    raise ValueError("frame needs keep_cost_horizon, keep_cost_per_unit_month or cubic_feet_per_unit")


def clearance_options(frame: pd.DataFrame, params: ClearanceParams = ClearanceParams()) -> pd.DataFrame:
    """Every clearance option priced per SKU, long: one row per SKU and option (``OPTIONS`` order).

    Parameters
    ----------
    frame : one row per SKU with sku, units (on hand), unit_cost ($), price ($), fee_per_unit (Amazon
        referral + fulfilment per unit sold, $), demand_per_day (forecast units/day), and the cost of
        keeping: ``keep_cost_horizon`` ($, storage + surcharges of the affected units over the
        horizon, from the fee projection), else ``keep_cost_per_unit_month`` ($), else
        ``cubic_feet_per_unit`` × ``params.storage_fee_per_cuft_month``. Optional per-SKU
        ``removal_fee_per_unit``, ``disposal_fee_per_unit``, ``donation_fee_per_unit``.
    params : ``ClearanceParams``.

    Returns
    -------
    DataFrame with ``OPTION_COLUMNS``: sku, option, units_affected, units_cleared (leaving Amazon
    within the horizon), cash_in, cash_out, value_given_up, cost (= cash_out − cash_in +
    value_given_up; lower is better), possible_tax_saving (donation only, not in the cost), note.
    A missing unit cost makes the costs that need it NaN (unknown), never 0.

    Examples
    --------
    >>> sku = pd.DataFrame({"sku": ["A"], "units": [500], "unit_cost": [8.0], "price": [25.0],
    ...                     "fee_per_unit": [9.0], "demand_per_day": [1.0], "keep_cost_horizon": [381.0]})
    >>> clearance_options(sku).set_index("option")["cost"].round(2).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'keep': 571.5, 'discount': 1199.3, 'advertise': 101.56, 'bundle': 221.1, 'removal': 1028.7,
     'liquidation': 2076.45, 'disposal': 2870.2, 'donation': 2870.2}
    """
    missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
    require(not missing, f"frame lacks the columns {missing}")
    p = params
    units = frame["units"].astype(float).to_numpy()
    require(not (units < 0).any(), "units must be >= 0")
    demand = frame["demand_per_day"].astype(float).to_numpy()
    require(not (demand < 0).any(), "demand_per_day must be >= 0")
    cost_c = frame["unit_cost"].astype(float).to_numpy()
    price = frame["price"].astype(float).to_numpy()
    fee = frame["fee_per_unit"].astype(float).to_numpy()
    days = horizon_days(p.horizon_months)

    q = units_affected(units, excess_over_horizon(units, demand, days))
    baseline = units - q  # units the forecast sells anyway within the horizon
    storage = _storage_per_unit(frame, q, p)
    capital = capital_cost_per_unit(cost_c, p.capital_rate_annual, p.horizon_months)
    removal_fee = _per_sku(frame, "removal_fee_per_unit", p.removal_fee_per_unit)

    def sell_more(uplift, sale_price, extra_cost, baseline_cut):
        n = extra_units_sold(demand, uplift, days, q)
        return sell_more_outcome(q, n, sale_price, fee, extra_cost, storage, capital, cost_c, baseline, baseline_cut)

    outcomes = {
        "keep": keep_outcome(q, storage, capital),
        "discount": sell_more(p.price_elasticity * p.discount_pct, price * (1 - p.discount_pct), 0.0,
                              price * p.discount_pct),
        "advertise": sell_more(p.ad_uplift, price, p.ad_spend_share * price, 0.0),
        "bundle": sell_more(p.bundle_uplift, price * (1 - p.bundle_discount), 0.0, 0.0),
        "removal": removal_outcome(q, removal_fee, p.return_handling_per_unit, p.own_storage_per_unit_month,
                                   p.horizon_months, capital),
        "liquidation": liquidation_outcome(q, removal_fee, price, p.liquidation_recovery_share, cost_c),
        "disposal": write_off_outcome(q, _per_sku(frame, "disposal_fee_per_unit", p.disposal_fee_per_unit), cost_c),
        "donation": write_off_outcome(q, _per_sku(frame, "donation_fee_per_unit", p.donation_fee_per_unit), cost_c),
    }
    tax = donation_tax_saving(q, cost_c, p.tax_rate)
    parts = [pd.DataFrame({
        "sku": frame["sku"].to_numpy(), "option": name, "units_affected": q, "units_cleared": o.units_cleared,
        "cash_in": o.cash_in, "cash_out": o.cash_out, "value_given_up": o.value_given_up, "cost": o.cost,
        "possible_tax_saving": tax if name == "donation" else np.zeros(len(frame)), "note": OPTION_NOTES[name],
        "_sku_order": np.arange(len(frame)), "_option_order": OPTIONS.index(name),
    }) for name, o in outcomes.items()]
    long = pd.concat(parts, ignore_index=True).sort_values(["_sku_order", "_option_order"], ignore_index=True)
    return long[OPTION_COLUMNS]


def recommend(options: pd.DataFrame) -> pd.DataFrame:
    """The cheapest option per SKU (costs compared to the cent; ties go to the simpler option, the
    earlier in ``OPTIONS``, so keep wins a tie).

    Returns ``RECOMMEND_COLUMNS``: sku, option (empty when no option has a known cost),
    units_affected, cost, keep_cost, saving_vs_keep (= keep cost − cost), complete (every option
    was priced; False when a unit cost is missing).

    Examples
    --------
    >>> opts = pd.DataFrame({"sku": ["A", "A", "B", "B"], "option": ["keep", "disposal", "keep", "removal"],
    ...                      "units_affected": [10.0, 10.0, 5.0, 5.0], "cost": [50.0, 40.0, 20.0, 20.0]})
    >>> recommend(opts)[["sku", "option", "saving_vs_keep"]]
      sku    option  saving_vs_keep
    0   A  disposal            10.0
    1   B      keep             0.0
    """
    if options.empty:
        return pd.DataFrame(columns=RECOMMEND_COLUMNS)
    o = options.assign(
        _rank=options["option"].map({name: i for i, name in enumerate(OPTIONS)}).fillna(len(OPTIONS)),
        _cents=options["cost"].astype(float).round(2),
        _sku_order=pd.factorize(options["sku"])[0],
    )
    best = (o.sort_values(["_sku_order", "_cents", "_rank"], na_position="last")
            .drop_duplicates("sku").sort_values("_sku_order"))
    keep = o.loc[o["option"] == "keep"].drop_duplicates("sku").set_index("sku")["cost"]
    complete = o.groupby("sku", sort=False)["cost"].apply(lambda c: bool(c.notna().all()))
    out = pd.DataFrame({"sku": best["sku"].to_numpy(),
                        "option": best["option"].where(best["cost"].notna(), "").to_numpy(),
                        "units_affected": best["units_affected"].astype(float).to_numpy(),
                        "cost": best["cost"].astype(float).to_numpy()})
    out["keep_cost"] = out["sku"].map(keep).astype(float)
    out["saving_vs_keep"] = out["keep_cost"] - out["cost"]
    out["complete"] = out["sku"].map(complete).astype(bool)
    return out[RECOMMEND_COLUMNS]


def clearance_list(frame: pd.DataFrame, recommendation: pd.DataFrame,
                   options: tuple[str, ...] = OFF_AMAZON_OPTIONS) -> pd.DataFrame:
    """The removal / liquidation / disposal / donation list for CSV export (what to enter in a
    removal order): SKUs whose (possibly edited) recommended option is in ``options``.

    ``units`` is the affected units rounded down to whole units (the forecast sells the rest).
    fnsku and product_name come from ``frame`` where it has them. Columns ``LIST_COLUMNS``,
    by option then SKU.

    Examples
    --------
    >>> rec = pd.DataFrame({"sku": ["A", "B"], "option": ["removal", "keep"], "units_affected": [317.5, 3.0]})
    >>> frame = pd.DataFrame({"sku": ["A", "B"], "fnsku": ["X0A", "X0B"], "product_name": ["Mug", "Cap"]})
    >>> clearance_list(frame, rec)
      sku fnsku product_name   option  units
    0   A   X0A          Mug  removal    317
    """
    unknown = set(options) - set(OPTIONS)
    require(not unknown, f"options must be among {OPTIONS}")
    chosen = recommendation.loc[recommendation["option"].isin(options), ["sku", "option", "units_affected"]]
    info = frame[[c for c in ("sku", "fnsku", "product_name") if c in frame.columns]].drop_duplicates("sku")
    out = chosen.merge(info, on="sku", how="left")
    for column in ("fnsku", "product_name"):
        if column not in out.columns:
            out[column] = np.nan
    out["units"] = np.floor(out["units_affected"].astype(float)).astype("int64")
    out = out.loc[out["units"] > 0]
    return out.sort_values(["option", "sku"], ignore_index=True)[LIST_COLUMNS]


def clearance_input_from_skus(sku_frame: pd.DataFrame, period_days: int = 90,
                              default_fee_share: float = 0.30) -> pd.DataFrame:
    """The advisor's input from the per-SKU health table (``core.skus.sku_table(...).frame``).

    units = on_hand; fee_per_unit = Amazon fees in the period ÷ units sold in it (else
    ``default_fee_share`` × price); keep_cost_per_unit_month = (storage fees + surcharges in the
    period) ÷ average units on hand (else units on hand) ÷ period days × 30.4: the recent rate,
    a stand-in where the fee projection's ``keep_cost_horizon`` is not joined in. Keeps fnsku,
    product_name and grade.

    Examples
    --------
    >>> f = pd.DataFrame({"sku": ["A"], "on_hand": [100.0], "unit_cost": [8.0], "price": [25.0],
    ...                   "demand_per_day": [1.0], "amazon_fees_period": [900.0], "units_period": [100.0],
    ...                   "storage_fees_period": [30.0], "surcharges_period": [0.0], "avg_units_on_hand": [100.0]})
    >>> row = clearance_input_from_skus(f).iloc[0]
    >>> float(row["fee_per_unit"]), round(float(row["keep_cost_per_unit_month"]), 4)
    (9.0, 0.1014)
    """
    require(isinstance(period_days, int) and period_days > 0, "period_days must be a whole number of days > 0")
    f = sku_frame
    units_sold = f["units_period"].astype(float)
    fee = (f["amazon_fees_period"].astype(float) / units_sold.where(units_sold > 0)).fillna(
        f["price"].astype(float) * default_fee_share)
    held = f["avg_units_on_hand"].astype(float)
    held = held.where(held > 0, f["on_hand"].astype(float))
    keep_rate = ((f["storage_fees_period"].astype(float).fillna(0) + f["surcharges_period"].astype(float).fillna(0))
                 / held.where(held > 0) / period_days * DAYS_PER_MONTH).fillna(0.0)
    out = pd.DataFrame({"sku": f["sku"], "units": f["on_hand"].astype(float), "unit_cost": f["unit_cost"].astype(float),
                        "price": f["price"].astype(float), "fee_per_unit": fee,
                        "demand_per_day": f["demand_per_day"].astype(float).fillna(0.0),
                        "keep_cost_per_unit_month": keep_rate})
    for column in ("fnsku", "product_name", "grade"):
        if column in f.columns:
            out[column] = f[column]
    return out.reset_index(drop=True)


def advice_table(frame: pd.DataFrame, options: pd.DataFrame, recommendation: pd.DataFrame) -> pd.DataFrame:
    """One row per SKU: sku, product_name, grade, units, demand_per_day, then the recommendation
    (option, units_affected, recommended_cost, keep_cost, saving_vs_keep, complete) and
    ``cost_<option>`` for every option in ``OPTIONS`` order; largest saving first. The table the
    Clearance page shows and ``fba-health clearance`` prints.

    Examples
    --------
    >>> f = pd.DataFrame({"sku": ["A"], "units": [10.0]})
    >>> o = pd.DataFrame({"sku": ["A", "A"], "option": ["keep", "removal"], "units_affected": [10.0, 10.0],
    ...                   "cost": [50.0, 40.0]})
    >>> t = advice_table(f, o, recommend(o))
    >>> t[["sku", "recommendation", "saving_vs_keep", "cost_keep", "cost_removal"]].values.tolist()
    [['A', 'removal', 10.0, 50.0, 40.0]]
    """
    wide = options.pivot_table(index="sku", columns="option", values="cost", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=[o for o in OPTIONS if o in wide.columns]).add_prefix("cost_")
    rec = recommendation.rename(columns={"option": "recommendation", "cost": "recommended_cost"})
    rec = rec[["sku", "recommendation", "units_affected", "recommended_cost", "keep_cost", "saving_vs_keep",
               *(["complete"] if "complete" in rec.columns else [])]]
    base = frame[[c for c in ("sku", "product_name", "grade", "units", "demand_per_day") if c in frame.columns]]
    out = base.merge(rec, on="sku", how="left").merge(wide.reset_index(), on="sku", how="left")
    return out.sort_values("saving_vs_keep", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
