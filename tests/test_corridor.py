"""The restock corridor (core/corridor.py and its use in core/restock.py): each rule on a hand-worked
SKU. Dates are in 2025, so the fee table version is the one effective 2024-04-01 (standard storage
$0.78 off-peak, $2.40 Oct-Dec per cu ft; aged surcharge 181-210 $0.50, 211-240 $1.00, 241-270 $1.50,
271-300 $3.80 per cu ft; low-inventory threshold 28 days)."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import corridor as cr
from core.fees.capacity import CapacityLimits
from core.fees.table import fee_table
from core.restock import restock_table
from core.restock_params import RestockParams

AS_OF = dt.date(2025, 5, 31)  # the next 12 months are June-May, whole months
TABLE = fee_table("US", AS_OF)
# L = 30 days for every SKU, σ_L = 0, σ_d = 0 (below): safety stock 0, reorder point = 30·d.
PARAMS = RestockParams(lead_time_days_override=30, lead_time_sd_share=0.0)


def _sku(sku="S", d=1.0, position=0.0, unit_cost=1.0, units_7d=None, grade="", units_30_59=30.0, moq=np.nan,
         case_pack=np.nan, cuft=0.01):
    frame = pd.DataFrame({
        "sku": [sku], "product_name": [sku], "supplier": ["Acme"], "available": [position], "inbound": [0.0],
        "reserved": [0.0], "unit_cost": [unit_cost], "price": [unit_cost * 3], "abc_class": ["B"],
        "demand_per_day": [d], "storage_fees_period": [0.0], "avg_units_on_hand": [10.0],
        "units_period": [d * 90], "amazon_fees_period": [d * 90 * unit_cost * 0.5],
        "units_7d": [7 * d if units_7d is None else units_7d], "units_30d": [30 * d],
        "units_30_59": [units_30_59], "units_60_89": [units_30_59], "grade": [grade], "signals": [""]})
    summary = pd.DataFrame({"sku": [sku], "demand_per_day": [d], "sigma_demand": [0.0], "method": ["SES"],
                            "wape": [0.1]})
    costs = pd.DataFrame({"sku": [sku], "production_lead_time_days": [np.nan], "transit_lead_time_days": [np.nan],
                          "moq": [moq], "case_pack": [case_pack], "supplier": ["Acme"]})
    items = pd.DataFrame({"sku": [sku], "cubic_feet_per_unit": [cuft], "size_tier": ["standard"]})
    return frame, summary, costs, items


def _plan(sku_args=None, params=PARAMS, **kwargs):
    frame, summary, costs, items = _sku(**(sku_args or {}))
    return restock_table(frame, summary, costs, params, AS_OF, items=items, **kwargs).iloc[0]


def test_a_steady_sku_whose_eoq_would_age_past_180_days_is_capped_at_the_ceiling():
    """d = 1 a day, $1 a unit, 0.01 cu ft: the EOQ column's H = $0.15 a year (no storage fee billed yet),
    EOQ = √(2 · 365 · 50 / 0.15) = 493 units, 493 days of cover: units 181 days and older for most of
    a year. The corridor prices storage from the fee table too: 0.01 × (9 × 0.78 + 3 × 2.40) = $0.142
    a unit-year, so its own optimum is √(2 · 365 · 50 / 0.292) ≈ 354, still above the ceiling.
    7 units a week: exempt, no 28-day floor.
    Position 0: floor = ROP 30 + 7 − 0 = 37; nothing left when the order lands, so the ceiling is
    180 · 1 = 180. The yearly cost falls all the way to the ceiling (its own optimum is near the
    EOQ), so the plan orders 180: 180 days of cover, capped by the ceiling, no aged surcharge."""
    row = _plan()
    assert row["eoq"] == pytest.approx(np.sqrt(2 * 365 * 50 / 0.15))
    assert row["low_inventory_exempt"] and row["floor_units"] == 37 and row["ceiling_units"] == 180
    assert row["status"] == "order now" and row["order_qty"] == 180 and row["blocked_by"] == "ceiling"
    assert row["days_of_cover_after"] == 180 and row["fees_aged_12m"] == 0
    assert ("; capped at the ceiling 180 (what sells before it is 181 days old; the EOQ quantity 494 would age "
            "past 180 days)") in row["reason"]
    eoq = _plan(params=dataclasses.replace(PARAMS, plan_rule="eoq"))  # the former rule, for comparison
    assert eoq["order_qty"] == 494 and eoq["days_of_cover_after"] == 494 and eoq["blocked_by"] == ""
    assert eoq["fees_aged_12m"] > 0


def test_stock_on_hand_sells_first_so_it_lowers_the_ceiling():
    """Position 35 at d = 1 with 30 days' lead time (35 ≤ ROP 30 + 7: order now): 5 units are left when
    the order lands and sell first (FIFO), so the order's last unit is 180 days old after 5 + Q units:
    ceiling 175, cover after (5 + 175) / 1 = 180 days."""
    row = _plan({"position": 35.0})
    assert row["ceiling_units"] == 175 and row["order_qty"] == 175 and row["days_of_cover_after"] == 180


def test_an_moq_above_the_ceiling_is_ordered_with_its_surcharge_stated():
    """MOQ 300 against the ceiling of 180: no accepted quantity is inside the corridor, so the plan
    orders the MOQ and says what the 120 units over the ceiling cost. At 1 a day they are sold at ages
    181-300; unit-days per band (∫ clip(age − 181, 0, 30)): 181-210: 450 + 30·89 = 3,120; 211-240:
    450 + 30·59 = 2,220; 241-270: 450 + 30·29 = 1,320; 271-300: 29²/2 = 420.5. At 0.1 cu ft a unit a
    unit-month costs 0.05, 0.10, 0.15 and 0.38: (156 + 222 + 198 + 159.79) / (365/12) = $24.19."""
    row = _plan({"moq": 300.0, "cuft": 0.1})
    assert row["order_qty"] == 300 and row["blocked_by"] == "moq" and row["status"] == "order now"
    expected = (3120 * 0.05 + 2220 * 0.10 + 1320 * 0.15 + 420.5 * 0.38) / (365 / 12)
    assert row["moq_surcharge"] == pytest.approx(expected)
    assert round(expected, 2) == 24.19
    assert ("the smallest order the supplier accepts (MOQ, case pack), 300, is above the ceiling; the 120 units "
            "over it are expected to cost "
            "$24.19 in aged surcharges. Instead: ask the supplier for 180, or split the delivery (180 now, "
            "the rest to land 180 days after the first), or send part by air later") in row["reason"]


def test_a_sku_below_28_days_of_supply_is_ordered_up_to_the_floor():
    """d = 5, 35 units a week (≥ 20) and sales in each 30 days: not exempt. Position 50 is 10 days of
    supply. At $100 a unit holding ($15 a unit-year) outweighs ordering: later orders are the priced
    EOQ √(2·1825·50/15.014) = 110.3 → 110 units (22 days), so over the 30 days before one lands the
    stock averages B + 55, and the low-inventory floor is F₂₈ = 28·5 − 55 = 85 (both historical days
    of supply then stay ≥ 28). Floor = ROP 150 + 85 + 7·5 − 50 = 220; ceiling = 180·5 = 900; the
    yearly cost rises above the floor, so the plan orders the floor: 220, 44 days of cover."""
    row = _plan({"d": 5.0, "position": 50.0, "unit_cost": 100.0})
    assert row["cycle_qty"] == 110
    assert not row["low_inventory_exempt"] and row["low_inventory_floor_units"] == 85
    assert row["floor_units"] == 220 and row["ceiling_units"] == 900 and row["base_stock"] == 85
    assert row["order_qty"] == 220 and row["days_of_cover_after"] == 44 and row["blocked_by"] == ""
    assert row["reason"].startswith("position 50 ≤ reorder point 150 + low-inventory floor 85 + "
                                    "7 days' demand 35: order 220")
    # Before the order lands the stock runs from 50 to 0, all under 28 days: 50 units × $0.32 standard
    # fee. Afterwards the 90-day figure at its lowest is 85 + 55 = 140 = 28 days: not charged.
    assert row["fees_low_inventory_12m"] == pytest.approx(50 * 0.32)
    without = _plan({"d": 5.0, "position": 50.0, "unit_cost": 100.0},
                    params=dataclasses.replace(PARAMS, plan_rule="eoq"))
    assert without["order_qty"] == 135 and without["fees_low_inventory_12m"] > row["fees_low_inventory_12m"]


@pytest.mark.parametrize("case", ["marked", "few sales", "new"])
def test_an_exempt_sku_has_no_28_day_floor(case):
    """The same SKU exempt (marked by the seller; 19 units in the past 7 days; or new: no sale before
    the last 30 days): floor = 150 + 35 − 50 = 135 > EOQ 110, so it orders 135, and no fee."""
    args = {"d": 5.0, "position": 50.0, "unit_cost": 100.0}
    extra = {}
    if case == "marked":
        extra = {"exempt_skus": ("S",)}
    elif case == "few sales":
        args["units_7d"] = 19.0
    else:
        args["units_30_59"] = 0.0
    row = _plan(args, **extra)
    assert row["low_inventory_exempt"] and row["low_inventory_floor_units"] == 0
    assert row["floor_units"] == 135 and row["order_qty"] == 135 and row["fees_low_inventory_12m"] == 0
    marked = _plan(args, params=dataclasses.replace(PARAMS, low_inventory_exempt_skus=("S",)))
    assert marked["order_qty"] == 135


def test_a_red_sku_below_the_floor_is_held_not_ordered():
    """The floor SKU graded red: held by its grade, nothing ordered, the plan and the grade agree."""
    row = _plan({"d": 5.0, "position": 50.0, "unit_cost": 100.0, "grade": "red"})
    assert row["status"] == "held" and row["blocked_by"] == "grade" and row["order_qty"] == 0
    assert row["reason"].startswith("held: graded red, clear it first")
    orange = _plan({"grade": "orange"})
    assert orange["status"] == "held" and orange["order_qty"] == 0


def test_capacity_cuts_the_order_to_the_limit():
    """The ceiling SKU orders 180 units of 0.01 cu ft. Mid-July (day 46 after 31 May, the first
    mid-month after it lands on day 30) 180 − 16 = 164 are left: 1.64 cu ft against a 1 cu ft limit,
    0.64 over; 64 units come off: order 116, blocked by capacity."""
    mid, _, _ = cr.month_offsets(AS_OF)
    assert mid[1] == 46
    row = _plan(capacity=CapacityLimits(standard=1.0))
    assert row["order_qty"] == 116 and row["blocked_by"] == "capacity" and row["ceiling_units"] == 116
    assert row["capacity_cuft_after"] == pytest.approx(1.16)
    assert _plan(capacity=CapacityLimits(standard=10.0))["order_qty"] == 180
    assert _plan(capacity=CapacityLimits(oversize=0.1))["order_qty"] == 180  # another storage type


def test_twelve_months_of_storage_for_stock_that_does_not_move():
    """100 units of 0.1 cu ft that never sell: 10 cu ft × (9 months × $0.78 + 3 × $2.40) = $142.20."""
    fees = cr.fees_12m(as_of=AS_OF, position=[100.0], demand_per_day=[0.0], lead_time_days=[30.0],
                       order_qty=[0.0], base_stock=[0.0], stock_ahead=[100.0], size_tier=["standard"],
                       cubic_feet_per_unit=[0.1], ais_rates=cr.ais_per_unit_month(TABLE, [0.1]), table=TABLE,
                       low_inventory_fee=[0.32], exempt=[False], threshold_days=28.0)
    assert fees["storage"][0] == pytest.approx(142.2) and fees["aged"][0] == 0 and fees["low_inventory"][0] == 0


def test_the_cheapest_candidate_inside_the_corridor_respects_pack_and_moq():
    """Floor 29, ceiling 360, EOQ 220.6, MOQ 100, case 24: candidates are whole cases ≥ 100 inside;
    at $330.98 a year 216 beats 240 ($332.08), as test_restock's NOW SKU works out."""
    q = cr.candidate_quantities(np.array([29.0]), np.array([360.0]), np.array([220.6]), np.array([100.0]),
                                np.array([24.0]))
    inside = sorted({float(v) for v in q[0] if not np.isnan(v)})
    assert all(v % 24 == 0 and v >= 100 for v in inside) and {216.0, 240.0, 360.0} <= set(inside)


def test_a_capped_sku_is_reordered_later_with_the_corridors_quantity():
    """The stock projection replays the plan: the ceiling SKU (blocked by the ceiling, not by its grade)
    orders 180 today and again each time its position is back at ROP 30 + 7 days' demand; each later
    order is its cycle quantity, the cheapest inside [7, 180 − B = 180]: 180 again, never an EOQ of 494."""
    from core.stock_projection import project_stock

    frame, summary, costs, items = _sku()
    plan = restock_table(frame, summary, costs, PARAMS, AS_OF, items=items)
    assert plan.loc[0, "blocked_by"] == "ceiling" and plan.loc[0, "cycle_qty"] == pytest.approx(180)
    orders = project_stock(plan, None, days=400).orders[0]
    placed = orders[orders > 0]
    assert len(placed) >= 2 and (placed == 180).all()
    grade = restock_table(frame.assign(grade="red"), summary, costs, PARAMS, AS_OF, items=items)
    assert project_stock(grade, None, days=400).orders.sum() == 0


def test_capacity_by_month_flags_the_months_over_the_limit_and_what_to_delay():
    """The ceiling SKU (180 units of 0.01 cu ft landing on day 30) against a 1 cu ft limit, planned
    without the cut: mid-June (day 15.5) nothing is on hand; mid-July 164 units, 1.64 cu ft, 0.64 over
    ($6.40 at $10 a cu ft); the order landing before it is the one to delay."""
    from core.restock import capacity_by_month

    frame, summary, costs, items = _sku()
    plan = restock_table(frame, summary, costs, PARAMS, AS_OF, items=items)
    months = capacity_by_month(plan, CapacityLimits(standard=1.0))
    assert months["month"].tolist()[:2] == [dt.date(2025, 6, 1), dt.date(2025, 7, 1)] and len(months) == 12
    june, july = months.iloc[0], months.iloc[1]
    assert june["cubic_feet"] == 0 and not june["over_limit"] and june["delay"] == ""
    assert july["cubic_feet"] == pytest.approx(1.64) and july["overage_fee"] == pytest.approx(6.4)
    assert july["over_limit"] and july["delay"] == "S 180 units"
    assert not capacity_by_month(plan, CapacityLimits())["over_limit"].any()  # no limit entered


def test_the_sellers_edited_fee_table_prices_the_plan(tmp_path):
    """A seller version saved in the database with every storage rate doubled (Settings' fee editor)
    reaches the plan through ``RestockInputs.fee_table``: the same stock-still SKU's 12 months of storage
    cost exactly twice Amazon's (a SKU with no demand holds its 100 units all year)."""
    from core.fees.table import fee_table_in_force, save_seller_version, version_in_force
    from core.restock import _fee_table

    path = tmp_path / "edited.duckdb"
    version = version_in_force(None, "US", AS_OF)
    doubled = {tier: {season: 2 * rate for season, rate in rates.items()}
               for tier, rates in version["storage"]["per_cuft"].items()}
    save_seller_version(path, dict(version, effective_from="2025-01-01",
                                   storage={**version["storage"], "per_cuft": doubled}))
    edited = _fee_table(AS_OF, path)
    assert edited == fee_table_in_force(path, "US", AS_OF) and edited.saved_at is not None
    assert edited.storage_standard_off_peak == pytest.approx(2 * TABLE.storage_standard_off_peak)
    still = {"d": 0.0, "position": 100.0, "cuft": 0.1}
    amazon, mine = _plan(still), _plan(still, table=edited)
    assert amazon["fees_storage_12m"] == pytest.approx(142.2)  # 10 cu ft × (9 × $0.78 + 3 × $2.40)
    assert mine["fees_storage_12m"] == pytest.approx(2 * 142.2)


# --- the 2026 schedule: low-inventory fee by days-of-supply band and weight, inbound placement ----------

AS_OF_2026 = dt.date(2026, 3, 31)  # the 2026-02-15 version is in force


def _plan_2026(sku_args=None, weight_lb=0.5, **kwargs):
    frame, summary, costs, items = _sku(**(sku_args or {}))
    items = items.assign(weight_lb=[weight_lb])
    return restock_table(frame, summary, costs, PARAMS, AS_OF_2026, items=items,
                         table=fee_table("US", AS_OF_2026), **kwargs).iloc[0]


@pytest.mark.parametrize("weight_lb, band_fee", [(0.5, 0.89), (2.0, 0.97), (8.0, 1.11), (np.nan, 0.89)])
def test_a_sku_at_10_days_of_supply_pays_the_0_to_14_day_band_for_its_weight(weight_lb, band_fee):
    """The SKU of the floor test (d = 5, position 50: 10 days of supply, not exempt) on the 2026 table:
    the 50 units it ships before its order lands are all under 28 days, and 10 days is in the 0-14 band:
    standard up to 1 lb $0.89, up to 3 lb $0.97, 3-20 lb $1.11 a unit (webgility rates in us.json).
    50 × 0.89 = 44.50; 50 × 0.97 = 48.50; 50 × 1.11 = 55.50. Unknown weight takes the lightest bracket.
    After the order lands the cycle's 90-day figure is at 28 days: not charged."""
    row = _plan_2026({"d": 5.0, "position": 50.0, "unit_cost": 100.0}, weight_lb)
    assert row["fees_low_inventory_12m"] == pytest.approx(50 * band_fee)


def test_a_sku_above_28_days_is_priced_in_the_21_to_28_day_band():
    """Position 200 at d = 5 is 40 days of supply: the corridor's rate is the band it would fall into
    first, 21-28 days ($0.32 a unit up to 1 lb), not the 0-14 one ($0.89)."""
    frame, summary, costs, items = _sku(d=5.0, position=200.0, unit_cost=100.0)
    from core.restock import _fee_rates

    t = frame.assign(size_tier="standard", weight_lb=0.5, position=200.0, cubic_feet_per_unit=0.01,
                     holding_cost_per_unit_year=15.0)
    assert _fee_rates(t, fee_table("US", AS_OF_2026), PARAMS)["low_inventory_fee"].tolist() == [0.32]


def test_placement_fee_of_the_order_and_over_12_months_by_split_option():
    """d = 1, position 0, $1 a unit, exempt: the corridor orders the ceiling, 180 units, today, and
    later orders of 180. Minimal splits, standard 0.8 lb: $0.27 a unit (us.json 2026).
    - today's order: 180 × 0.27 = $48.60 (``placement_fee``);
    - 12 months: the order lands on day 30 and sells out 180 days later, then (365 − 30 − 180) ÷ 180 =
      0.861 more orders land: 0.27 × (180 + 0.861 × 180) = 0.27 × 335 = $90.45;
    - the 12-month total counts it on top of storage, aged surcharge and low-inventory fee."""
    row = _plan_2026(weight_lb=0.8, placement_split="minimal")
    assert row["order_qty"] == 180 and row["cycle_qty"] == 180
    assert row["placement_fee_per_unit"] == pytest.approx(0.27)
    assert row["placement_fee"] == pytest.approx(48.60)
    assert row["fees_placement_12m"] == pytest.approx(0.27 * 335)
    parts = row["fees_storage_12m"] + row["fees_aged_12m"] + row["fees_low_inventory_12m"]
    assert row["projected_fees_12m"] == pytest.approx(parts + 90.45)
    # Amazon-optimised splits (the default): no fee; the order quantity does not change.
    free = _plan_2026(weight_lb=0.8)
    assert free["placement_split"] == "amazon_optimised" and free["placement_fee"] == 0
    assert free["fees_placement_12m"] == 0 and free["order_qty"] == 180
    assert free["projected_fees_12m"] == pytest.approx(parts)


def test_placement_fee_without_a_weight_is_unknown_not_zero():
    """Minimal splits priced by weight: no shipping weight loaded, so the fee is NaN (the pages and the
    PO say so), and the 12-month total holds the other fees only."""
    row = _plan_2026(weight_lb=np.nan, placement_split="minimal")
    assert np.isnan(row["placement_fee_per_unit"]) and np.isnan(row["placement_fee"])
    assert np.isnan(row["fees_placement_12m"])
    parts = row["fees_storage_12m"] + row["fees_aged_12m"] + row["fees_low_inventory_12m"]
    assert row["projected_fees_12m"] == pytest.approx(parts)


def test_order_now_or_later_by_sea_or_air_in_dollars():
    """The steady SKU (d = 1, position 0, $1 a unit, price $3, Amazon fees $0.50 a unit: margin $1.50;
    0 cu ft and exempt, so no storage, surcharge or low-inventory fee; Amazon-optimised placement: $0).
    The plan orders 180 with L = 30 (the what-if override); by air L = 30 − 35 (sea default transit) + 7,
    capped at 0 … here 2 days. Lost margin = units unmet before the order lands × $1.50:
    now 30 × 1.5 = $45; in 4 weeks (28 days) 58 × 1.5 = $87; air now 2 × 1.5 = $3; air in 4 weeks
    30 × 1.5 = $45. Air freight entered at $0.50 a unit: 180 × 0.5 = $90 on each air option.
    Holding = $1 × 15 % × the mean of the 12 mid-month stocks of the sawtooth (0 until the order lands on
    day D + L, then 180 − (days since mod 180)), worked out below month by month."""
    import calendar

    from core.restock import order_timing, timing_verdict

    row = _plan_2026({"cuft": 0.0}, weight_lb=0.5)
    assert row["order_qty"] == 180 and row["cycle_qty"] == 180 and row["low_inventory_exempt"]
    plan = pd.DataFrame([row])
    timing = order_timing(plan, fee_table("US", AS_OF_2026), PARAMS, AS_OF_2026, delay_weeks=4,
                          air_freight_per_unit=0.5)
    assert timing["option"].tolist() == ["order now", "order now", "order in 4 weeks", "order in 4 weeks"]
    assert timing["transit"].tolist() == ["as planned", "air", "as planned", "air"]
    assert timing["lead_time_days"].tolist() == [30.0, 2.0, 30.0, 2.0]
    assert timing["lost_margin"].tolist() == pytest.approx([45.0, 3.0, 87.0, 45.0])
    assert timing["air_freight_cost"].tolist() == pytest.approx([0.0, 90.0, 0.0, 90.0])
    assert timing["fees_12m"].tolist() == pytest.approx([0.0] * 4)
    # mid-month day offsets from 31 Mar 2026: April 1-30 → 15.5, May → 30 + 16 = 46, ...
    mids, start = [], 1
    for year, month in [(2026, m) for m in range(4, 13)] + [(2027, m) for m in range(1, 4)]:
        days = calendar.monthrange(year, month)[1]
        mids.append(start + (days - 1) / 2)
        start += days

    def mean_stock(lands):
        return np.mean([0.0 if t < lands else 180 - ((t - lands) % 180) for t in mids])

    expected = [0.15 * mean_stock(lands) for lands in (30, 2, 58, 30)]
    assert timing["holding_12m"].tolist() == pytest.approx(expected)
    totals = [h + m + f for h, m, f in zip(expected, [45, 3, 87, 45], [0, 90, 0, 90])]
    assert timing["total_cost"].tolist() == pytest.approx(totals)
    assert timing["cost_difference"].tolist() == pytest.approx([x - totals[0] for x in totals])
    best = int(np.argmin(totals))
    assert timing_verdict(timing).startswith("Cheapest: " + ["order now as planned", "order now by air",
                                                              "order in 4 weeks as planned",
                                                              "order in 4 weeks by air"][best])
    with pytest.raises(ValueError, match="delay_weeks"):
        order_timing(plan, fee_table("US", AS_OF_2026), PARAMS, AS_OF_2026, delay_weeks=-1)
