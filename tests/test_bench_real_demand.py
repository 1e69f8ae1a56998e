"""bench/bench_real_demand.py's arithmetic: the daily spreading, the period sums and the scores (no download)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "bench_real_demand.py"
_spec = importlib.util.spec_from_file_location("bench_real_demand", _PATH)
bench = sys.modules.setdefault("bench_real_demand", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


def test_spread_evenly_keeps_the_total_and_spaces_the_remainder():
    # 31 units over 30 days: one day gets 2, the rest 1; 10 over 4 days: 2, 3, 2, 3.
    assert bench.spread_evenly(31, 30).tolist() == [1] * 29 + [2]
    assert bench.spread_evenly(10, 4).tolist() == [2, 3, 2, 3]
    assert bench.spread_evenly(0, 7).tolist() == [0] * 7
    assert bench.spread_evenly(3, 7).tolist() == [0, 0, 1, 0, 1, 0, 1]
    for total in (0, 1, 29, 30, 31, 1_234_567):
        for days in (1, 7, 28, 30, 31):
            part = bench.spread_evenly(total, days)
            assert part.sum() == total and part.max() - part.min() <= 1


def test_to_units_clips_negatives_and_rounds_half_up():
    assert bench.to_units([-5, 0.49, 0.5, 1.5, 2.5, 1e7 + 0.2]).tolist() == [0, 0, 1, 2, 3, 10_000_000]


def test_monthly_bounds_and_daily_units_follow_the_calendar():
    bounds = bench.period_bounds("M", dt.date(2025, 12, 1), 3)
    assert bounds == [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    days, units = bench.daily_units("M", dt.date(2025, 12, 1), np.array([31, 62, 29]))
    assert len(days) == 31 + 31 + 28 and days[0] == np.datetime64("2025-12-01")
    assert units[:31].tolist() == [1] * 31 and units[31:62].tolist() == [2] * 31
    assert units[62:].sum() == 29  # February 2026 has 28 days: one of them gets 2
    # and back: the daily values summed per period give the totals again
    assert bench.to_periods(days, units, bounds).tolist() == [31, 62, 29]


def test_to_periods_ignores_days_outside_the_periods():
    bounds = bench.period_bounds("W", dt.date(2026, 1, 5), 2)  # weeks from Monday 5 Jan
    days = np.arange(np.datetime64("2026-01-04"), np.datetime64("2026-01-21"))  # 4th .. 20th
    assert bench.to_periods(days, np.ones(len(days)), bounds).tolist() == [7.0, 7.0]


def test_mase_of_a_hand_worked_series():
    # history 10, 12, 14, 16 with m = 2: |14 - 10| = 4, |16 - 12| = 4, scale 4;
    # forecast 16, 16 against 18, 14: errors 2, 2, MAE 2, MASE 0.5.
    scale = bench.seasonal_naive_scale([10, 12, 14, 16], 2)
    assert scale == 4.0
    assert bench.mase([16, 16], [18, 14], scale) == 0.5
    assert np.isnan(bench.mase([1], [1], 0.0)) and np.isnan(bench.seasonal_naive_scale([1, 2], 2))


def test_score_pools_wape_and_bias_and_averages_mase():
    a = bench.Series(dt.date(2026, 1, 1), np.array([10, 12, 14, 16]), np.array([18, 14]))
    b = bench.Series(dt.date(2026, 1, 1), np.array([5, 5, 5, 5]), np.array([10, 10]))  # scale 0: no MASE
    got = bench.score({"a": a, "b": b}, {"a": np.array([16.0, 16.0]), "b": np.array([12.0, 12.0])}, 2)
    # errors: a +-2, +2 ; b +2, +2 -> sum |e| = 8, sum e = 4, sum a = 52
    assert got["mase_mean"] == 0.5 and got["mase_series"] == 1
    assert got["wape"] == pytest.approx(8 / 52) and got["bias"] == pytest.approx(4 / 52)


def test_the_orders_file_has_the_real_header_and_the_history_units(tmp_path):
    series = {"M1-X1": bench.Series(dt.date(2026, 1, 5), np.array([7, 0, 3]), np.array([1])),
              "M1-X2": bench.Series(dt.date(2026, 1, 5), np.array([14, 1, 0]), np.array([1]))}
    path = tmp_path / "orders.txt"
    lines = bench.write_orders(bench.Dataset("m1", "W", series), path, chunk=4)  # 5 chunks, one header
    assert path.read_bytes().startswith(b"\xef\xbb\xbfamazon-order-id\t")
    frame = pd.read_csv(path, sep="\t", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == bench.orders_header() and len(frame.columns) == 34
    # X1: 7 days of 1, 3 units over 7 days (3 lines); X2: 7 days of 2, 1 unit on one day
    assert lines == len(frame) == 7 + 3 + 7 + 1
    units = frame.assign(quantity=frame["quantity"].astype(int)).groupby("sku")["quantity"].sum()
    assert units.to_dict() == {"M1-X1": 10, "M1-X2": 15}
    assert frame["amazon-order-id"].is_unique and (frame["order-status"] == "Shipped").all()
    assert frame["purchase-date"].iloc[0] == "2026-01-05T12:00:00+00:00"


def test_reorder_points_use_the_result_method_when_it_exists_else_the_fallback():
    summary = pd.DataFrame({"sku": ["A", "B"], "demand_per_day": [2.0, 0.5], "sigma_demand": [1.0, 0.0]})

    class Old:  # no reorder_point: demand_per_day * L + 1.645 * sigma_demand * sqrt(L)
        def __init__(self):
            self.summary = summary

    class New(Old):
        def reorder_point(self, lead_days, service_level):
            return pd.DataFrame({"reorder_point": [lead_days * service_level]}, index=pd.Index(["A"], name="sku"))

    rp, fallback = bench.reorder_points(Old(), 25)
    assert fallback and rp["A"] == pytest.approx(50 + 1.645 * 5) and rp["B"] == 12.5
    rp, fallback = bench.reorder_points(New(), 30)
    assert not fallback and rp["A"] == pytest.approx(28.5)
