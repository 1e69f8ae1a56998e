"""core/fees/outlook.py: the fee outlook, the keep cost of excess units and the clearance advice.

Hand-worked cases on constructed inputs (fee table: US from 2024-04-01, docs/metrics.md "Storage fees
and surcharges"), and invariants on the demo account.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import clearance, settings, skus
from core.fees.inputs import FeeInputs, project_from_inputs
from core.fees.outlook import (FeeOutlook, clearance_advice, fee_outlook, keep_cost_of_excess, monthly_totals,
                               remove_oldest, total_fees)
from core.fees.projection import CROSSING_COLUMNS
from core.fees.table import fee_table
from core.restock_params import RestockParams

# --- remove_oldest ----------------------------------------------------------------------------------


def test_remove_oldest_takes_the_oldest_lots_first_across_lots():
    """A: lots aged 300 (40), 150 (30), 20 (60); removing 50 empties the 300-day lot and takes 10 of
    the 150-day one: 0, 20, 60. B is not asked for and keeps its 9; the rows keep their order."""
    lots = pd.DataFrame({"sku": ["A", "B", "A", "A"], "age_days": [20, 5, 300, 150],
                         "units": [60.0, 9.0, 40.0, 30.0]})
    out = remove_oldest(lots, pd.Series({"A": 50.0}))
    assert out["units"].tolist() == [60.0, 9.0, 0.0, 20.0]
    assert out["age_days"].tolist() == [20, 5, 300, 150] and out["sku"].tolist() == ["A", "B", "A", "A"]
    assert lots["units"].tolist() == [60.0, 9.0, 40.0, 30.0]  # input untouched


def test_remove_oldest_never_goes_below_zero_and_ignores_other_skus():
    """Removing 1,000 of A's 130 units leaves 0 in every lot; C (not in the lots) changes nothing;
    B's removal of 0 leaves B as it was."""
    lots = pd.DataFrame({"sku": ["A", "A", "B"], "age_days": [200, 10, 400], "units": [100.0, 30.0, 7.0]})
    out = remove_oldest(lots, pd.Series({"A": 1000.0, "B": 0.0, "C": 5.0}))
    assert out["units"].tolist() == [0.0, 0.0, 7.0]
    assert (out["units"] >= 0).all()


# --- total_fees and monthly_totals ---------------------------------------------------------------


def test_total_fees_adds_the_three_fees_and_keeps_unknown_volume_unknown():
    """1.00 + 2.00 + 0.50 = 3.50; a NaN storage fee (volume unknown) stays NaN; a NaN utilisation
    surcharge counts as 0 (2.40 + 0 + 0)."""
    p = pd.DataFrame({"storage_fee": [1.0, np.nan, 2.4], "aged_surcharge": [2.0, 0.0, 0.0],
                      "utilisation_surcharge": [0.5, 0.0, np.nan]})
    assert total_fees(p).tolist()[0] == pytest.approx(3.5)
    assert np.isnan(total_fees(p).iloc[1])
    assert total_fees(p).iloc[2] == pytest.approx(2.4)


def test_monthly_totals_sums_over_skus_per_month():
    """December: units 10 + 5 = 15, cu ft 1 + 2 = 3, storage 2.40 + 4.80 = 7.20, aged 0 + 1 = 1,
    utilisation 0.10 + 0.20 = 0.30, total 8.50. January: one SKU, 0.78 + 0 + 0 = 0.78."""
    p = pd.DataFrame({"sku": ["A", "B", "A"],
                      "month": [dt.date(2026, 12, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)],
                      "units_avg": [10.0, 5.0, 10.0], "cubic_feet_avg": [1.0, 2.0, 1.0],
                      "storage_fee": [2.4, 4.8, 0.78], "aged_surcharge": [0.0, 1.0, 0.0],
                      "utilisation_surcharge": [0.1, 0.2, 0.0]})
    out = monthly_totals(p)
    assert out["month"].tolist() == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]
    assert out["units_avg"].tolist() == [15.0, 10.0]
    assert out["storage_fee"].tolist() == pytest.approx([7.2, 0.78])
    assert out["total_fees"].tolist() == pytest.approx([8.5, 0.78])
    assert monthly_totals(p.iloc[:0]).empty


# --- keep_cost_of_excess on a constructed one-SKU outlook -----------------------------------------

AS_OF = dt.date(2026, 9, 30)  # the projection starts on 2026-10-01, a whole month


def one_sku_outlook(units=100.0, age_days=200, cuft=0.5, months=12) -> FeeOutlook:
    """One standard-size SKU, no demand, no arrivals, built as ``fee_outlook`` builds it."""
    inputs = FeeInputs(pd.DataFrame({"sku": ["A"], "age_days": [age_days], "units": [units]}),
                       pd.DataFrame({"sku": ["A"], "cubic_feet_per_unit": [cuft], "size_tier": ["standard"],
                                     "volume_source": ["test"]}),
                       pd.DataFrame(columns=["sku", "amazon_storage_next", "amazon_ais_next"]), AS_OF, "test")
    demand = pd.DataFrame({"sku": pd.Series(dtype=object), "day": pd.Series(dtype="datetime64[ns]"),
                           "mean": pd.Series(dtype=float)})
    arrivals = pd.DataFrame(columns=["sku", "day", "units"])
    projection = project_from_inputs(inputs, demand, months, arrivals)
    projection = projection.assign(total_fees=total_fees(projection))
    return FeeOutlook(AS_OF, months, projection, pd.DataFrame(columns=CROSSING_COLUMNS), pd.DataFrame(),
                      arrivals, demand, inputs, fee_table(on=AS_OF))


KEEP_100_UNITS = 1796.0


def test_keep_cost_of_all_units_is_every_fee_of_the_horizon():
    """100 units × 0.5 cu ft = 50 cu ft, aged 200 days on 2026-09-30 (201 on 2026-10-01), no demand.
    Horizon 6 months: months starting before 2026-10-01 + round(182.5) = 182 days = 2027-04-01, i.e.
    October to March.

    storage: Oct-Dec 50 × 2.40 = 120.00 × 3 = 360.00; Jan-Mar 50 × 0.78 = 39.00 × 3 = 117.00 → 477.00
    aged surcharge on each 15th (age 201 + days since Oct 1), 50 cu ft × band rate:
        Oct 15 age 215 (211-240) × 1.00 = 50.00;  Nov 15 age 246 (241-270) × 1.50 = 75.00
        Dec 15 age 276 (271-300) × 3.80 = 190.00; Jan 15 age 307 (301-330) × 4.00 = 200.00
        Feb 15 age 338 (331-365) × 4.20 = 210.00; Mar 15 age 366 (366-455, per unit only in the 2026
        table) 100 × 0.30 = 30.00 → 755.00
    utilisation: nothing ships, ratio ∞ → top tier (> 52 weeks): standard 2.66 − 0.78 off peak,
        4.28 − 2.40 peak = 1.88/cu ft; all 50 cu ft are older than 30 days: 94.00 × 6 = 564.00
    total 477 + 755 + 564 = $1,796.00. Removing all 100 units leaves nothing to charge: the keep
    cost of an excess of 100 is the whole $1,796.00.
    """
    outlook = one_sku_outlook()
    six = outlook.projection[pd.to_datetime(outlook.projection["month"]) < pd.Timestamp(2027, 4, 1)]
    assert six["storage_fee"].sum() == pytest.approx(477.0)
    assert six["aged_surcharge"].tolist() == pytest.approx([50.0, 75.0, 190.0, 200.0, 210.0, 30.0])
    assert six["utilisation_surcharge"].sum() == pytest.approx(564.0)
    assert six["total_fees"].sum() == pytest.approx(KEEP_100_UNITS)
    keep = keep_cost_of_excess(outlook, pd.Series({"A": 100.0}), horizon_months=6)
    assert keep.to_dict() == pytest.approx({"A": KEEP_100_UNITS})


def test_keep_cost_of_part_of_one_lot_is_its_share():
    """An excess of 40 of the 100 (one lot, one age): the 60 left pay 60% of every fee (March's
    366-455 band is per unit: 60 × 0.30 = 18 of 30), so the 40 cost 40% of $1,796 = $718.40.
    A SKU without excess (B, 0) costs 0, and so does one without stock (C)."""
    excess = pd.Series({"A": 40.0, "B": 0.0, "C": 5.0})
    keep = keep_cost_of_excess(one_sku_outlook(), excess, horizon_months=6)
    assert keep.to_dict() == pytest.approx({"A": 0.4 * KEEP_100_UNITS, "B": 0.0, "C": 0.0})


def test_keep_cost_grows_with_the_horizon():
    """Three months (end 2026-10-01 + 91 days = 2026-12-31): October-December, storage 360 +
    aged 50 + 75 + 190 + utilisation 3 × 94 = $957.00."""
    keep = keep_cost_of_excess(one_sku_outlook(), pd.Series({"A": 100.0}), horizon_months=3)
    assert keep["A"] == pytest.approx(957.0)


def keep_cost_projecting_everything(outlook: FeeOutlook, excess: pd.Series, horizon_months: int) -> pd.Series:
    """The reference: the definition worked on every SKU, the whole account projected again with the
    excess units gone."""
    inputs = outlook.inputs
    whole = project_from_inputs(FeeInputs(remove_oldest(inputs.lots, excess), inputs.items, inputs.amazon,
                                          inputs.as_of, inputs.age_source),
                                outlook.demand, outlook.months, outlook.arrivals)
    end = pd.Timestamp(outlook.as_of + dt.timedelta(days=1 + round(clearance.horizon_days(horizon_months))))

    def within(projection):
        rows = projection[pd.to_datetime(projection["month"]) < end]
        return total_fees(rows).groupby(rows["sku"]).sum(min_count=1)

    saved = within(outlook.projection).sub(within(whole), fill_value=0.0).reindex(excess.index).fillna(0.0)
    return saved.clip(lower=0.0).where(excess > 0, 0.0)


def test_keep_cost_counts_the_other_skus_in_the_utilisation_ratio():
    """A (100 units, no sales) and B (100 units, 4 a day): the account ratio sits in a lower tier than
    A's alone (nothing ships: top tier). Only A is projected again; its utilisation surcharge must use
    the account's ratio, B included, as projecting the whole account does."""
    inputs = FeeInputs(pd.DataFrame({"sku": ["A", "B"], "age_days": [200, 200], "units": [100.0, 100.0]}),
                       pd.DataFrame({"sku": ["A", "B"], "cubic_feet_per_unit": [0.5, 0.5],
                                     "size_tier": ["standard"] * 2, "volume_source": ["test"] * 2}),
                       pd.DataFrame(columns=["sku", "amazon_storage_next", "amazon_ais_next"]), AS_OF, "test")
    days = pd.date_range(AS_OF + dt.timedelta(days=1), periods=400)
    demand = pd.DataFrame({"sku": ["B"] * len(days), "day": days, "mean": [4.0] * len(days)})
    arrivals = pd.DataFrame(columns=["sku", "day", "units"])
    projection = project_from_inputs(inputs, demand, 12, arrivals)
    projection = projection.assign(total_fees=total_fees(projection))
    outlook = FeeOutlook(AS_OF, 12, projection, pd.DataFrame(columns=CROSSING_COLUMNS), pd.DataFrame(),
                         arrivals, demand, inputs, fee_table(on=AS_OF))
    excess = pd.Series({"A": 60.0})
    alone = one_sku_outlook()  # A without B: the top tier
    assert (projection.loc[projection["sku"] == "A", "utilisation_surcharge"].to_numpy()
            < alone.projection["utilisation_surcharge"].to_numpy()).any()
    keep = keep_cost_of_excess(outlook, excess, horizon_months=6)
    reference = keep_cost_projecting_everything(outlook, excess, 6)
    assert keep["A"] == pytest.approx(reference["A"], abs=0.005)
    assert keep["A"] != pytest.approx(keep_cost_of_excess(alone, excess, horizon_months=6)["A"], abs=1.0)


def test_keep_cost_projects_only_the_skus_with_excess_and_equals_projecting_the_whole_account(demo_database):
    """On the demo: projecting only the SKUs with excess (every third SKU sheds half its stock) gives the
    keep costs of projecting the whole account again, to the cent."""
    outlook = fee_outlook(demo_database)
    on_hand = outlook.inputs.lots.groupby("sku")["units"].sum()
    excess = (on_hand * 0.5).round().iloc[::3]
    reference = keep_cost_projecting_everything(outlook, excess, 6)
    keep = keep_cost_of_excess(outlook, excess, horizon_months=6)
    assert (reference > 0).sum() > 10
    pd.testing.assert_series_equal(keep, reference, check_names=False, atol=0.005, rtol=0)


# --- the demo account ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_database):
    health, grades = settings.load(demo_database)
    params = RestockParams(capital_rate_annual=health.capital_rate_annual)
    with_arrivals = fee_outlook(demo_database, restock_params=params, health_params=health)
    without = fee_outlook(demo_database, with_arrivals=False, restock_params=params, health_params=health)
    frame = skus.sku_table(demo_database, health, grades).frame
    return with_arrivals, without, frame


def test_arrivals_only_add_stock(demo):
    """Arrivals never take units away: per SKU and month, units without arrivals ≤ units with them,
    and the plan's arrivals make some later month fuller."""
    with_arrivals, without, _ = demo
    assert not with_arrivals.arrivals.empty and (with_arrivals.arrivals["units"] >= 0).all()
    assert without.arrivals.empty
    keys = ["sku", "month"]
    both = with_arrivals.projection[[*keys, "units_avg"]].merge(
        without.projection[[*keys, "units_avg"]], on=keys, how="outer", suffixes=("_with", "_without"))
    both = both.fillna({"units_avg_with": 0.0, "units_avg_without": 0.0})
    assert (both["units_avg_without"] <= both["units_avg_with"] + 1e-9).all()
    later = both[pd.to_datetime(both["month"]) > pd.Timestamp(with_arrivals.as_of)]
    assert later["units_avg_with"].sum() > later["units_avg_without"].sum()


def test_projection_months_and_crossing_deadlines(demo):
    """12 calendar months from the as-of month; every crossing's deadline is the 14th, the day
    before its assessment on the 15th, and avoids a positive amount."""
    outlook, _, _ = demo
    assert outlook.projection["month"].nunique() == 12
    crossings = outlook.crossings
    assert not crossings.empty
    assert {d.day for d in crossings["deadline"]} == {14}
    pairs = zip(crossings["assessment_date"], crossings["deadline"])
    assert all(a - d == dt.timedelta(days=1) for a, d in pairs)
    assert (crossings["amount_avoided"].dropna() > 0).all()


def test_clearance_advice_covers_red_orange_and_picked_and_picks_the_cheapest(demo, demo_database):
    outlook, _, frame = demo
    green = frame.loc[frame["grade"].fillna("") == "", "sku"].iloc[0]
    advice = clearance_advice(demo_database, outlook, frame, picked=(green,))
    expected = set(frame.loc[frame["grade"].isin(["red", "orange"]), "sku"]) | {green}
    assert set(advice.recommendation["sku"]) == expected
    assert set(advice.frame["grade"].fillna("")) <= {"red", "orange", ""}
    assert (advice.frame["keep_cost_horizon"] >= 0).all()
    cheapest = advice.options.dropna(subset=["cost"]).assign(cents=lambda o: o["cost"].round(2))
    cheapest = cheapest.groupby("sku")["cents"].min()
    priced = advice.recommendation[advice.recommendation["option"] != ""]
    assert not priced.empty
    for row in priced.itertuples():
        assert round(row.cost, 2) == cheapest[row.sku]
        assert row.option in clearance.OPTIONS


def test_clearance_advice_without_chosen_skus_is_empty(demo, demo_database):
    outlook, _, frame = demo
    advice = clearance_advice(demo_database, outlook, frame, grades=())
    assert advice.recommendation.empty and advice.options.empty


def test_band_crossings_do_not_depend_on_planned_arrivals(demo_database):
    """Arrivals come in at age 0 and FIFO sells the oldest units first, so which units cross an
    aged-surcharge band at the next two 15ths is the same with or without them (the alerts rely on
    this to skip planning arrivals)."""
    with_plan = fee_outlook(demo_database, months=2).crossings
    without = fee_outlook(demo_database, months=2, with_arrivals=False).crossings
    assert len(with_plan) > 0
    pd.testing.assert_frame_equal(with_plan.reset_index(drop=True), without.reset_index(drop=True))
