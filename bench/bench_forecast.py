"""Forecast benchmark: history, backtest and forecast of every SKU of a large account (not a test).

Reads an existing account database (default: the 10,000-SKU x 730-day one bench_health.py --keep
builds) and times the path core.forecast.forecast_table takes when it fits: history_arrays (DuckDB
returns the sales and stock-out days, numpy spreads them into SKU x day matrices) and
forecast_arrays (classification, the rolling-origin backtest of every method, the few weekly
seasonal fits, the 180-day forecast with intervals) over several runs. Prints a Markdown table of
medians and the peak memory of the process.

    .venv/bin/python bench/bench_forecast.py [--db /tmp/bench10k/bench.duckdb] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import skus  # noqa: E402
from core.forecast import ForecastParams, engine, forecast_arrays, history_arrays  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench10k/bench.duckdb"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--days", type=int, default=None, help="days of history (default: every loaded day)")
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} not found: build it with bench/bench_health.py --keep {args.db.parent}")
    as_of = skus.snapshot_dates(args.db)[0]
    params = ForecastParams()
    loads, fits, totals = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        arrays = history_arrays(args.db, as_of, args.days)
        loaded = time.perf_counter()
        result = forecast_arrays(arrays, as_of, params)
        done = time.perf_counter()
        loads.append(loaded - started)
        fits.append(done - loaded)
        totals.append(done - started)
    s = result.summary
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    methods = ", ".join(f"{m} {c:,}" for m, c in s["method"].value_counts().items())
    print(f"\nmachine: {os.cpu_count()} cores; {len(s):,} SKUs x {args.days} days to {as_of}; "
          f"median of {args.runs} runs\nmethods chosen: {methods}\n")
    print("| Step | Time |")
    print("|---|---|")
    print(f"| Daily history, every SKU x day (DuckDB sales and stock-out days, numpy matrices) | "
          f"{statistics.median(loads):.2f} s |")
    print(f"| Classify, backtest ({params.backtest_origins} origins x {params.backtest_horizon_days} days), "
          f"forecast {params.horizon_days} days with intervals | {statistics.median(fits):.2f} s |")
    print(f"| Total | {statistics.median(totals):.2f} s |")
    print(f"| Weekly seasonal fits (statsmodels), at most {params.seasonal_max_fits} | "
          f"{int((s['method'] == engine.SEASONAL_METHOD).sum())} chosen |")
    print(f"| Peak memory of the process | {peak_mb:,.0f} MB |")


if __name__ == "__main__":
    main()
