"""Storage capacity (core/fees/capacity.py): the overage fee is cu ft over the limit × $10 per month
(Amazon help V8JEETWV9Q33CMX; shared/amazon_reports.md 10.4)."""

import math

import pandas as pd
import pytest

from core.fees import capacity


def usage(*rows):
    return pd.DataFrame(rows, columns=["month", "storage_type", "cubic_feet"])


def test_over_and_under_the_limit():
    """Standard: 1,150 cu ft against 1,000 → 150 over × $10 = $1,500; 900 → nothing.
    Oversize: 80 against 100 → nothing."""
    out = capacity.capacity_check(usage(("2026-10", "standard", 900.0), ("2026-11", "standard", 1150.0),
                                        ("2026-11", "oversize", 80.0)), {"standard": 1000.0, "oversize": 100.0})
    assert list(out.columns) == capacity.CAPACITY_COLUMNS
    assert out["over_cuft"].tolist() == [0.0, 150.0, 0.0]
    assert out["overage_fee"].tolist() == [0.0, 1500.0, 0.0]
    assert out["over_limit"].tolist() == [False, True, False]
    assert out["limit"].tolist() == [1000.0, 1000.0, 100.0]


def test_fee_is_over_cuft_times_the_rate():
    assert float(capacity.overage_fee(1200, 1000)) == 2000.0
    assert float(capacity.overage_fee(1200, 1000, fee_per_cuft=12.5)) == 2500.0
    out = capacity.capacity_check(usage(("2026-11", "standard", 1010.5)), {"standard": 1000.0}, 10.0)
    assert out.loc[0, "overage_fee"] == pytest.approx(out.loc[0, "over_cuft"] * 10) == pytest.approx(105.0)


def test_no_limit_entered_is_unknown_not_zero():
    out = capacity.capacity_check(usage(("2026-11", "oversize", 500.0)), capacity.CapacityLimits(standard=10.0))
    assert math.isnan(out.loc[0, "limit"]) and math.isnan(out.loc[0, "overage_fee"])
    assert not out.loc[0, "over_limit"]


def test_report_labels_match_the_entered_types():
    out = capacity.capacity_check(usage(("2026-11", "Standard-Size", 110.0)), {"Standard": 100.0})
    assert out.loc[0, "overage_fee"] == 100.0
    assert capacity.storage_type_key(["Standard", "Large Bulky", "Extra-large"]).tolist() == [
        "standard", "oversize", "oversize"]


def test_limits_validation_names_the_parameter():
    with pytest.raises(ValueError, match="standard must be"):
        capacity.CapacityLimits(standard=-1.0)
    with pytest.raises(ValueError, match="oversize must be"):
        capacity.CapacityLimits(oversize=float("inf"))
    with pytest.raises(ValueError, match="overage_fee_per_cuft"):
        capacity.capacity_check(usage(("2026-11", "standard", 1.0)), {}, overage_fee_per_cuft=-10)
    with pytest.raises(ValueError, match="usage lacks"):
        capacity.capacity_check(pd.DataFrame({"month": []}), {})
    with pytest.raises(ValueError, match="limits must be"):
        capacity.capacity_check(usage(("2026-11", "standard", 1.0)), {"standard": -5})
    assert capacity.CapacityLimits(standard=1000, oversize=50.0).as_dict() == {"standard": 1000.0, "oversize": 50.0}


def test_demo_usage_by_month(demo_database):
    """The demo's Monthly Storage Fees report: 12 charge months, all standard-size."""
    u = capacity.storage_usage_from_db(demo_database)
    assert len(u) == 12 and set(u["storage_type"]) == {"standard"}
    assert (u["cubic_feet"] > 0).all()
    checked = capacity.capacity_check(u, {"standard": float(u["cubic_feet"].median())})
    assert checked["over_limit"].sum() == (u["cubic_feet"] > u["cubic_feet"].median()).sum()
