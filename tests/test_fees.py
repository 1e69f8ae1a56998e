"""Storage fees, aged-inventory surcharge and their projection (core/fees: table, projection, inputs).

Rates from core/fees/tables/us.json (amazon_reports.md section 10): standard size 0.78 $/cu ft
Jan-Sep and 2.40 Oct-Dec; AIS 181-210 0.50, 211-240 1.00, 241-270 1.50, 271-300 3.80, 301-330 4.00,
331-365 4.20, 366-455 6.90 (floor 0.30/unit), 456+ 7.90 (floor 0.35/unit) per cu ft.
"""

import datetime as dt
import json
import re
import time

import numpy as np
import pandas as pd
import pytest

from core import db, sample
from core.fees import inputs as fee_db
from core.fees.projection import (account_utilisation_ratio, band_crossings, lots_on, project_fees,
                                  stock_by_day, stock_path, utilisation_ratio_weeks, utilisation_surcharge)
from core.fees.table import (AIS_COLUMNS, _parse_version, aged_surcharge, aged_surcharge_per_unit, ais_band,
                             fee_table, fee_table_in_force, low_inventory_fee_applies, low_inventory_fee_per_unit,
                             placement_fee_per_unit, removal_fee_per_unit, reset_seller_versions,
                             save_seller_version, seller_versions, size_tier_group, storage_rate_per_cuft,
                             version_in_force)
from core.fees.table_edit import FeeTableError, block_frames, version_from_frames

TABLE = fee_table("US", dt.date(2026, 1, 1))
ITEM = pd.DataFrame({"sku": ["A"], "cubic_feet_per_unit": [0.5], "size_tier": ["standard"]})


def _lots(*rows):
    return pd.DataFrame(rows, columns=["sku", "age_days", "units"]).astype({"units": float})


def _flat_demand(sku, start, days, per_day):
    return pd.DataFrame({"sku": sku, "day": pd.date_range(start, periods=days), "mean": float(per_day)})


# --- (a, b) the case ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def unsold():
    """100 units of 0.5 cu ft (50 cu ft), standard size, received 2026-01-10, never sold."""
    return project_fees(_lots(("A", 0, 100)), None, None, ITEM, TABLE, dt.date(2026, 1, 10), months=16)


def test_aged_surcharge_through_the_bands_month_by_month(unsold):
    """Age on the 15th = days since 2026-01-10: Jul 15 186 (181-210): 50 × 0.50 = 25; Aug 15 217
    (211-240): 50 × 1.00 = 50; Sep 15 248: 50 × 1.50 = 75; Oct 15 278: 50 × 3.80 = 190; Nov 15 309:
    50 × 4.00 = 200; Dec 15 339: 50 × 4.20 = 210; Jan 15 2027 370 (366-455): max(50 × 6.90 = 345,
    100 × 0.30 = 30) = 345; Feb 401 and Mar 429: 345; Apr 15 460 (456+): max(50 × 7.90 = 395, 35) = 395.
    January to June 2026 (ages ≤ 156 on the 15th): nothing."""
    ais = unsold.set_index("month")["aged_surcharge"]
    expected = [0, 0, 0, 0, 0, 0, 25, 50, 75, 190, 200, 210, 345, 345, 345, 395]
    assert ais.round(2).tolist() == expected
    july = unsold[unsold["month"] == dt.date(2026, 7, 1)].iloc[0]
    assert july["ais_181_210"] == 100 and july[[c for c in AIS_COLUMNS if c != "ais_181_210"]].sum() == 0
    assert unsold["units_end"].eq(100).all() and unsold["ais_assessed"].all()


def test_storage_fee_partial_first_month_and_peak_switch(unsold):
    """January counts 22 days (10th-31st): 50 × 0.78 × 22/31 = 27.6774; February 50 × 0.78 = 39.00;
    September 39.00; October, peak, 50 × 2.40 = 120.00; January 2027 back to 39.00."""
    fee = unsold.set_index("month")["storage_fee"]
    assert fee[dt.date(2026, 1, 1)] == pytest.approx(50 * 0.78 * 22 / 31)
    assert unsold.iloc[0]["days_in_month_counted"] == 22
    assert fee[dt.date(2026, 2, 1)] == pytest.approx(39.0)
    assert fee[dt.date(2026, 9, 1)] == pytest.approx(39.0)
    assert fee[dt.date(2026, 10, 1)] == pytest.approx(120.0)
    assert fee[dt.date(2027, 1, 1)] == pytest.approx(39.0)
    assert unsold["cubic_feet_avg"].eq(50).all()


def test_storage_rate_lookup_by_tier_and_month():
    """Oversize: 0.56 off-peak, 1.40 peak; an unknown tier names the parameter."""
    assert storage_rate_per_cuft(TABLE, ["oversize", "oversize"], [9, 10]).tolist() == [0.56, 1.40]
    with pytest.raises(ValueError, match="size_tier"):
        storage_rate_per_cuft(TABLE, "huge", 1)
    with pytest.raises(ValueError, match="month"):
        storage_rate_per_cuft(TABLE, "standard", 13)


# --- (c) the per-unit floor ----------------------------------------------------------------------

def test_per_unit_floor_wins_for_tiny_items():
    """1,000 units of 0.01 cu ft (10 cu ft) aged 456+: max(10 × 7.90 = 79, 1,000 × 0.35 = 350) = 350.
    In the projection: aged 445 on 2026-03-01 → 459 on 2026-03-15."""
    assert float(aged_surcharge(1000, 10.0, "456+", TABLE)) == pytest.approx(350.0)
    assert float(aged_surcharge(100, 50.0, "366-455", TABLE)) == pytest.approx(345.0)  # 345 > 30
    tiny = pd.DataFrame({"sku": ["T"], "cubic_feet_per_unit": [0.01], "size_tier": ["standard"]})
    out = project_fees(_lots(("T", 445, 1000)), None, None, tiny, TABLE, dt.date(2026, 3, 1), months=1)
    assert out.iloc[0]["aged_surcharge"] == pytest.approx(350.0) and out.iloc[0]["ais_456_plus"] == 1000
    assert ais_band(180) is None and ais_band(181) == "181-210" and ais_band(455) == "366-455"


# --- (d, e) FIFO and arrivals --------------------------------------------------------------------

def test_fifo_consumes_the_oldest_lot_first():
    """Lots of 50 units aged 200 and 50 aged 10, demand 1/day from 2026-01-01: after 30 days the
    30 units sold all come from the old lot, 50 − 30 = 20 left (now aged 229); the young lot keeps 50."""
    path = stock_path(_lots(("A", 200, 50), ("A", 10, 50)), _flat_demand("A", "2026-01-01", 30, 1),
                      None, dt.date(2026, 1, 1), 30)
    left = lots_on(path, dt.date(2026, 1, 30)).set_index("age_days")["units"]
    assert left.to_dict() == {229: 20.0, 39: 50.0}


def test_demand_beyond_stock_is_lost_and_unknown_skus_have_no_demand():
    """3 units, demand 1/day: 2, 1, 0, 0 at the end of each day; SKU B has no forecast row: 5 stay."""
    out = stock_by_day(_lots(("A", 0, 3), ("B", 0, 5)), _flat_demand("A", "2026-12-28", 4, 1), None,
                       dt.date(2026, 12, 28), 1)
    assert out.loc[out["sku"] == "A", "units_end"].tolist() == [2, 1, 0, 0]
    assert out.loc[out["sku"] == "B", "units_end"].tolist() == [5, 5, 5, 5]


def test_arrivals_come_in_at_age_zero():
    """10 units arrive 2026-03-05: on hand from that day, aged 0 that day, 5 on the 10th; an arrival
    before the start is ignored."""
    arrivals = pd.DataFrame({"sku": ["N", "N"], "day": pd.to_datetime(["2026-03-05", "2026-02-01"]),
                             "units": [10.0, 99.0]})
    path = stock_path(_lots(), None, arrivals, dt.date(2026, 3, 1), 20)
    assert path.on_hand_end[0, :6].tolist() == [0, 0, 0, 0, 10, 10]
    assert lots_on(path, dt.date(2026, 3, 5))[["age_days", "units"]].values.tolist() == [[0, 10]]
    assert lots_on(path, dt.date(2026, 3, 10))[["age_days", "units"]].values.tolist() == [[5, 10]]


def test_inputs_are_validated_with_the_parameter_name():
    with pytest.raises(ValueError, match="lots.units"):
        stock_path(_lots(("A", 0, -1)), None, None, dt.date(2026, 1, 1), 5)
    with pytest.raises(ValueError, match="months"):
        project_fees(_lots(("A", 0, 1)), None, None, ITEM, TABLE, dt.date(2026, 1, 1), months=0)


# --- (f) the fee table ---------------------------------------------------------------------------

def test_fee_table_version_by_date_and_unconfirmed_flags():
    """Before 2024-04-01 standard off-peak was 0.87; from then 0.78. No version before 2023-04-15."""
    old, new = fee_table("US", dt.date(2024, 3, 31)), fee_table("US", dt.date(2024, 4, 1))
    assert (old.storage_standard_off_peak, new.storage_standard_off_peak) == (0.87, 0.78)
    assert new.effective_from == dt.date(2024, 4, 1) and new.storage_standard_peak == 2.40
    assert new.ais_per_unit_floor[-2:] == (0.30, 0.35) and new.overage_per_cuft == 10.0
    assert new.is_confirmed("storage") and not new.is_confirmed("utilisation_surcharge")
    assert {"utilisation_surcharge", "removal", "disposal", "low_inventory"} <= set(new.unconfirmed)
    hash(new)  # frozen and hashable: a cache key
    with pytest.raises(ValueError, match="US.*2020-01-01"):
        fee_table("US", dt.date(2020, 1, 1))
    with pytest.raises(ValueError, match="'XX'"):
        fee_table("XX", dt.date(2026, 1, 1))


def test_small_lookups():
    """Removal, standard, 3 lb: 2.89 + 1.06 × (3 − 2) = 3.95. Low-inventory fee only when BOTH the
    30- and 90-day historical days of supply are under 28."""
    assert float(removal_fee_per_unit(TABLE, "standard", 3.0)) == pytest.approx(3.95)
    assert low_inventory_fee_applies(np.array([20, 20, np.nan]), np.array([27, 30, 10]), TABLE).tolist() == \
        [True, False, False]
    tiers = pd.Series(["Small standard-size", "Large standard-size", "Large bulky", "Extra-large 0 to 50 lb",
                       "Standard", "Oversize", "Small oversize", "UsLargeStandardSize", None, "mystery"])
    assert size_tier_group(tiers).tolist() == ["standard", "standard", "oversize", "oversize", "standard",
                                               "oversize", "oversize", "standard", "standard", "standard"]


def test_utilisation_surcharge_excludes_units_up_to_30_days_old():
    """Ratio 140 cu ft ÷ 1 cu ft/day ÷ 7 = 20 weeks. At 30 weeks (tier 28-36: 1.54 total, surcharge
    1.54 − 0.78 = 0.76): March, 100 units of 0.5 cu ft aged 40+ → 50 × 0.76 = 38.00; a lot aged 0 on
    March 1st is at most 30 days old all March → exempt, 0."""
    assert float(utilisation_ratio_weeks(140.0, 1.0)) == 20.0
    items = pd.DataFrame({"sku": ["A", "F"], "cubic_feet_per_unit": 0.5, "size_tier": "standard"})
    lots = _lots(("A", 40, 100), ("F", 0, 100))
    proj = project_fees(lots, None, None, items, TABLE, dt.date(2026, 3, 1), 1)
    assert utilisation_surcharge(proj, 30.0, TABLE).round(2).tolist() == [38.0, 0.0]
    assert account_utilisation_ratio(proj).iloc[0] == np.inf  # nothing shipped


def test_low_inventory_risk_is_under_28_days_of_projected_supply():
    """20 units, demand 1/day in March: average end-of-day units (19 + 18 + … + 0 + 0 × 11) / 31 =
    190 / 31 = 6.1 → 6.1 days of supply < 28: at risk. 100 units, no demand: no risk."""
    items = pd.DataFrame({"sku": ["L", "S"], "cubic_feet_per_unit": 0.1, "size_tier": "standard"})
    proj = project_fees(_lots(("L", 0, 20), ("S", 0, 100)), _flat_demand("L", "2026-03-01", 31, 1), None,
                        items, TABLE, dt.date(2026, 3, 1), 1).set_index("sku")
    assert proj.loc["L", "units_avg"] == pytest.approx(190 / 31)
    assert proj["low_inventory_risk"].tolist() == [True, False]


# --- (g) band crossings --------------------------------------------------------------------------

def test_band_crossings_on_a_constructed_sku():
    """Start 2026-03-01. SKU A: 100 units aged 170 and 50 aged 100, 0.5 cu ft, 1 sold a day (FIFO).
    Mar 15 (14 sold before it): 86 old units aged 184 enter 181-210 → sell 86 by Mar 14 to avoid
    86 × 0.5 × 0.50 = 21.50. Apr 15 (45 sold): 55 old units aged 215 enter 211-240 → 55 × 0.5 × 1.00 =
    27.50 by Apr 14. The young lot is 145 days old then: nothing.
    SKU B: 100 units aged 185, no sales: already in 181-210 on Mar 15 (age 199), enters 211-240 on
    Apr 15 (age 230): 100 × 0.5 × 1.00 = 50.00."""
    items = pd.DataFrame({"sku": ["A", "B"], "cubic_feet_per_unit": 0.5, "size_tier": "standard"})
    lots = _lots(("A", 170, 100), ("A", 100, 50), ("B", 185, 100))
    out = band_crossings(lots, _flat_demand("A", "2026-03-01", 60, 1), items, TABLE, dt.date(2026, 3, 1))
    got = [(r.sku, r.band, round(r.units, 6), r.deadline, round(r.amount_avoided, 2))
           for r in out.itertuples()]
    assert got == [("A", "181-210", 86.0, dt.date(2026, 3, 14), 21.5),
                   ("B", "211-240", 100.0, dt.date(2026, 4, 14), 50.0),
                   ("A", "211-240", 55.0, dt.date(2026, 4, 14), 27.5)]


def test_ten_thousand_skus_for_a_year_is_fast():
    """The projection is vectorised over SKUs: 10,000 SKUs × 3 lots × 12 months in a few seconds."""
    rng = np.random.default_rng(5)
    names = np.array([f"S{i:05d}" for i in range(10_000)])
    lots = pd.DataFrame({"sku": np.repeat(names, 3), "age_days": rng.integers(0, 600, 30_000),
                         "units": rng.integers(1, 200, 30_000).astype(float)})
    start = dt.date(2026, 11, 16)
    days = pd.date_range(start, periods=365)
    demand = pd.DataFrame({"sku": np.repeat(names, 365), "day": np.tile(days, 10_000),
                           "mean": np.repeat(rng.gamma(1.0, 1.0, 10_000), 365)})
    items = pd.DataFrame({"sku": names, "cubic_feet_per_unit": rng.uniform(0.01, 1, 10_000),
                          "size_tier": "standard"})
    began = time.perf_counter()
    out = project_fees(lots, demand, None, items, TABLE, start, months=12)
    assert time.perf_counter() - began < 5.0
    assert len(out) == 120_000 and (out[["storage_fee", "aged_surcharge", "units_end"]] >= 0).all().all()


# --- (h) the demo account ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("fees") / "demo.duckdb"
    sample.load_sample(path)
    return path


def test_fees_from_db_on_the_demo_account(demo_db):
    """Every SKU with stock appears in every month, no fee is negative or missing, and units only fall
    (no arrivals given)."""
    inputs = fee_db.fee_inputs(demo_db)
    assert inputs.as_of == dt.date(2026, 11, 15) and inputs.age_source == "ledger FIFO"
    assert inputs.items["cubic_feet_per_unit"].gt(0).all()
    proj = fee_db.fees_from_db(demo_db)
    stocked = set(inputs.lots.loc[inputs.lots["units"] > 0, "sku"])
    assert set(proj["sku"]) == stocked and proj.groupby("sku").size().eq(12).all()
    fees = proj[["storage_fee", "aged_surcharge", "utilisation_surcharge"]]
    assert fees.notna().all().all() and (fees >= 0).all().all()
    assert proj["month"].min() == dt.date(2026, 11, 1) and proj.iloc[0]["days_in_month_counted"] == 15
    totals = proj.groupby("month")["units_avg"].sum()
    assert totals.is_monotonic_decreasing


def test_next_month_storage_against_amazons_estimate(demo_db):
    """Amazon's estimated_storage_cost_next_month (snapshot 2026-11-15) prices today's units at
    December's 2.40: on the demo account it totals $1,430.60. Held at today's stock (no demand) our
    December estimate is $1,425.06, ratio 0.996: the gap is the 16 unfulfillable units, which Amazon
    counts and our sellable FIFO lots do not; tolerance 2 %. With the forecast selling through
    December (BFCM) and no arrivals, ours is about half ($722, ratio 0.50): measured, not a target;
    we check it lies in (0.3, 1.0]."""
    inputs = fee_db.fee_inputs(demo_db)
    start = inputs.as_of + dt.timedelta(days=1)
    lots = inputs.lots.assign(age_days=inputs.lots["age_days"] + 1)
    static = project_fees(lots, None, None, inputs.items, fee_table(on=inputs.as_of), start, months=2)
    check = fee_db.amazon_comparison(static, inputs)
    assert check["amazon_storage_next"].sum() == pytest.approx(1430.60)
    assert check["storage_fee"].sum() / check["amazon_storage_next"].sum() == pytest.approx(1.0, abs=0.02)
    sold = fee_db.amazon_comparison(fee_db.fees_from_db(demo_db, months=2), inputs)
    ratio = sold["storage_fee"].sum() / sold["amazon_storage_next"].sum()
    assert 0.3 < ratio <= 1.0


# --- the 2026 schedule: versions by date, band edges, the greater-of rule, placement ------------------

def test_2026_versions_are_chosen_by_date():
    """2026-01-14 is still the 2024-04-01 version (removal, standard up to 0.5 lb, 1.04; one flat
    low-inventory amount; parent-ASIN level); 2026-01-15 the new one (0.84, three bands, per FNSKU,
    bulky covered, billed when the order completes); 2026-02-15 bills removals per unit processed."""
    before, jan, feb = (fee_table("US", dt.date(2026, 1, 14)), fee_table("US", dt.date(2026, 1, 15)),
                        fee_table("US", dt.date(2026, 2, 15)))
    assert [t.effective_from for t in (before, jan, feb)] == [dt.date(2024, 4, 1), dt.date(2026, 1, 15),
                                                              dt.date(2026, 2, 15)]
    assert [float(removal_fee_per_unit(t, "standard", 0.4)) for t in (before, jan, feb)] == [1.04, 0.84, 0.84]
    assert (before.low_inventory_measured_per, jan.low_inventory_measured_per) == ("parent_asin", "fnsku")
    assert (before.low_inventory_covers_bulky, jan.low_inventory_covers_bulky) == (False, True)
    assert [t.removal_billing for t in (before, jan, feb)] == ["order_completed", "order_completed",
                                                              "per_unit_processed"]
    assert fee_table_in_force(None, "US", dt.date(2026, 2, 14)) == jan  # no database: the published table
    assert {"low_inventory", "placement", "aged_surcharge", "removal"} <= set(jan.unconfirmed)
    assert jan.is_confirmed("storage") and jan.storage_standard_off_peak == 0.78  # storage as before


def test_low_inventory_fee_band_edges():
    """2026 standard, up to 1 lb (small standard): 0.89 under 14 days, 0.63 from 14 to under 21,
    0.32 from 21 to under 28, nothing from 28: 13.9 → 0.89, 14 → 0.63, 21 → 0.32, 27.9 → 0.32, 28 → 0.
    Heavier brackets: 2 lb at 20 days 0.70, 10 lb at 5 days 1.11. Bulky (oversize) is charged from
    2026 (10 days: 1.78, a placeholder) but not in the 2024 version, whose flat 0.32 applies under 28."""
    jan = fee_table("US", dt.date(2026, 1, 15))
    edges = low_inventory_fee_per_unit(jan, "standard", [13.9, 14, 21, 27.9, 28, 100], 0.5)
    assert edges.tolist() == [0.89, 0.63, 0.32, 0.32, 0.0, 0.0]
    assert low_inventory_fee_per_unit(jan, "standard", [20, 5], [2.0, 10.0]).tolist() == [0.70, 1.11]
    assert low_inventory_fee_per_unit(jan, "oversize", 10, 30.0) == 1.78
    assert low_inventory_fee_per_unit(jan, "standard", float("nan"), 0.5) == 0.0
    old = fee_table("US", dt.date(2026, 1, 14))
    assert low_inventory_fee_per_unit(old, ["standard", "standard", "oversize"], [27.9, 28, 5]).tolist() == [
        0.32, 0.0, 0.0]
    with pytest.raises(ValueError, match="days_of_supply"):
        low_inventory_fee_per_unit(jan, "standard", -1)


def test_aged_surcharge_per_unit_greater_of_both_ways():
    """2026, 456+ days: max(volume × 7.90, 0.35). 0.01 cu ft: 0.079 < 0.35 → 0.35 (per unit wins);
    0.1 cu ft: 0.79 > 0.35 → 0.79 (per cubic foot wins). 366-455 is per unit only: 0.30 even for
    2 cu ft; the 2024 version charged max(2 × 6.90, 0.30) = 13.80 there. 181-210 at 2 cu ft: 1.00;
    180 days: nothing."""
    jan = fee_table("US", dt.date(2026, 1, 15))
    assert aged_surcharge_per_unit(jan, 500, 0.01) == pytest.approx(0.35)
    assert aged_surcharge_per_unit(jan, 500, 0.1) == pytest.approx(0.79)
    assert aged_surcharge_per_unit(jan, [366, 455], 2.0, "oversize").tolist() == pytest.approx([0.30, 0.30])
    assert aged_surcharge_per_unit(fee_table("US", dt.date(2026, 1, 14)), 400, 2.0) == pytest.approx(13.80)
    assert aged_surcharge_per_unit(jan, [180, 181], 2.0).tolist() == pytest.approx([0.0, 1.0])
    # the band total agrees: 100 units of 0.01 cu ft at 456+ → max(1 × 7.90, 100 × 0.35) = 35
    assert float(aged_surcharge(100, 1.0, "456+", jan)) == pytest.approx(100 * aged_surcharge_per_unit(jan, 500, 0.01))


def test_placement_and_removal_2026():
    """Minimal splits, standard: 0.8 lb 0.27; 13 lb 0.40 + 0.016 × (13 − 3) = 0.56. Partial splits are
    not offered for standard size (NaN), oversize 30 lb 1.90; Amazon-optimised splits free. The 2024
    version does not model placement (0). Removal 2026, oversize 12 lb: 14.32 + 1.06 × (12 − 10) = 16.44."""
    jan = fee_table("US", dt.date(2026, 1, 15))
    assert placement_fee_per_unit(jan, "minimal", ["standard", "standard"], [0.8, 13.0]).tolist() == \
        pytest.approx([0.27, 0.56])
    assert np.isnan(placement_fee_per_unit(jan, "partial", "standard", 1.0))
    assert placement_fee_per_unit(jan, "partial", "oversize", 30.0) == pytest.approx(1.90)
    assert placement_fee_per_unit(jan, "amazon_optimised", ["standard", "oversize"], [1.0, 60.0]).tolist() == [0, 0]
    assert placement_fee_per_unit(fee_table("US", dt.date(2025, 6, 1)), "minimal", "standard", 1.0) == 0.0
    with pytest.raises(ValueError, match="split_option"):
        placement_fee_per_unit(jan, "single", "standard", 1.0)
    assert float(removal_fee_per_unit(jan, "oversize", 12.0)) == pytest.approx(16.44)


def test_seller_version_in_the_database_wins_until_a_later_published_one(tmp_path):
    """A seller edit saved with effective date 2026-02-15 (storage 0.95) is what fee_table_in_force
    gives from that date; before it the published 2026-01-15 applies. A seller version dated
    2025-06-01 is overtaken by Amazon's 2026-01-15 published version from that day. A saved version
    that does not parse is passed over. Reset: published."""
    path = tmp_path / "fees.duckdb"
    version = version_in_force(path, "US", dt.date(2026, 3, 1))
    assert version_in_force(path, "US", dt.date(2026, 3, 1)).get("saved_at") is None
    edited = dict(version, storage={**version["storage"], "per_cuft": {
        **version["storage"]["per_cuft"], "standard": {"off_peak": 0.95, "peak": 2.4}}})
    save_seller_version(path, edited)
    mine = fee_table_in_force(path, "US", dt.date(2026, 3, 1))
    assert mine.storage_standard_off_peak == 0.95 and mine.saved_at is not None
    assert fee_table_in_force(path, "US", dt.date(2026, 2, 14)).storage_standard_off_peak == 0.78
    save_seller_version(path, dict(edited, effective_from="2025-06-01"))
    assert fee_table_in_force(path, "US", dt.date(2025, 7, 1)).storage_standard_off_peak == 0.95
    assert fee_table_in_force(path, "US", dt.date(2026, 1, 20)).saved_at is None
    assert len(seller_versions(path)) == 2
    with pytest.raises(ValueError):
        save_seller_version(path, dict(edited, effective_from="2026-02-30"))
    broken = {k: v for k, v in edited.items() if k != "placement"} | {"effective_from": "2026-03-01",
                                                                       "storage": {"per_cuft": {}}}
    with db.writing(path) as con:  # a saved version that no longer parses is passed over
        con.execute("UPDATE settings SET value = $v WHERE name = 'fee_table_us'",
                    {"v": json.dumps({"versions": [*seller_versions(path), broken]})})
    assert fee_table_in_force(path, "US", dt.date(2026, 3, 2)).storage_standard_off_peak == 0.95
    reset_seller_versions(path)
    assert fee_table_in_force(path, "US", dt.date(2026, 3, 1)) == fee_table("US", dt.date(2026, 3, 1))


def test_editor_frames_round_trip_and_name_the_block_and_row():
    """Every version survives block_frames → version_from_frames unchanged; a negative fee, bands that
    do not increase, an open bracket before the last and a bad date are refused naming where."""
    for day in (dt.date(2023, 5, 1), dt.date(2024, 5, 1), dt.date(2026, 1, 20), dt.date(2026, 3, 1)):
        version = version_in_force(None, "US", day)
        back = version_from_frames(version, block_frames(version), version["effective_from"])
        assert _parse_version("US", "USD", back) == _parse_version("US", "USD", version)
    version = version_in_force(None, "US", dt.date(2026, 3, 1))
    cases = [("low_inventory", 1, "days_to", 10.0, "Low-inventory-level fee, row 2: “To under (days)” must be more"),
             ("low_inventory", 1, "days_from", 15.0, "Low-inventory-level fee, row 2: “From (days)” must be 14"),
             ("removal", 0, "max_lb", None, "Removal order, row 1: only the last bracket"),
             ("removal", 2, "max_lb", 0.8, "Removal order, row 3: “Up to (lb)” must increase"),
             ("aged_surcharge", 7, "per_unit", -0.35,
              "Aged-inventory surcharge, row 8: “$ per unit” must be a number of at least 0, got -0.35"),
             ("placement", 0, "split_option", "single", "Inbound placement, row 1: “Split option” must be one of")]
    for block, row, column, value, message in cases:
        frames = block_frames(version)
        frames[block][column] = frames[block][column].astype(object)
        frames[block].loc[row, column] = value
        with pytest.raises(FeeTableError, match=re.escape(message)):
            version_from_frames(version, frames, "2026-12-01")
    with pytest.raises(FeeTableError, match="Effective date"):
        version_from_frames(version, block_frames(version), "2026-13-01")
