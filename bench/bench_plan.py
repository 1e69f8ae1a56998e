"""What-if and page benchmark on a large account (not a test).

Against a database built by bench/bench_health.py (``--keep DIR``; 10,000 SKUs x 730 days by
default), times in one process:

1. reading the restock plan's inputs once (``core.restock.restock_inputs``) and the forecast
   (``core.forecast.forecast_table``), as the app does once per data version;
2. one what-if slider move: ``plan_from_inputs`` with a new service level plus the 180-day stock
   projection's expected stockout days, what the What-if page reruns (goal <= 200 ms);
3. the first render of every page through Streamlit's AppTest, in page order, in this process (the
   first page that needs the forecast pays for it; later ones reuse the caches, as a real session
   does) (goal <= 2 s each).

Prints Markdown tables (medians of ``--runs``) and the peak memory of the process.

    .venv/bin/python bench/bench_plan.py --db /tmp/bench10k/bench.duckdb [--runs 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import restock, stock_projection  # noqa: E402
from core.forecast import forecast_table  # noqa: E402
from core.restock_params import RestockParams  # noqa: E402

PAGES = ["pages/home.py", "pages/health.py", "pages/slow_movers.py", "pages/returns.py", "pages/alerts.py",
         "pages/restock.py", "pages/whatif.py", "pages/accuracy.py", "pages/fees.py", "pages/clearance.py",
         "pages/data.py", "pages/costs.py", "pages/explorer.py", "pages/reconcile.py", "pages/settings.py"]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true")
    args = parser.parse_args()
    db_path = args.db

    read_s, inputs = timed(lambda: restock.restock_inputs(db_path), 1)
    forecast_s, result = timed(lambda: forecast_table(db_path, inputs.as_of), 1)
    base = RestockParams()

    def slider_move(level=[0.90]) -> object:
        level[0] = 0.99 if level[0] == 0.90 else 0.90  # a different value every time: no cache hit
        params = dataclasses.replace(base, service_level_override=level[0])
        plan = restock.plan_from_inputs(inputs, result.summary, params)
        days = stock_projection.project_stock(plan, result.daily,
                                              review_period_days=params.review_period_days).expected_stockout_days
        return restock.plan_totals(plan, days)

    move_s, _ = timed(slider_move, args.runs)
    print(f"Account: {len(inputs.frame):,} SKUs, as of {inputs.as_of}; {os.cpu_count()} cores")
    print()
    print("| Step | Median | Goal |")
    print("|---|---|---|")
    print(f"| Plan inputs read once (SKU table, costs, returns) | {read_s:.2f} s | |")
    print(f"| Forecast with backtest, every SKU (once per data version) | {forecast_s:.1f} s | <= 30 s |")
    print(f"| What-if slider move: plan + 180-day projection + totals | {move_s * 1000:.0f} ms | <= 200 ms |")
    print(f"| Peak memory so far | {peak_gib():.2f} GiB | <= 2 GiB |")
    if args.no_pages:
        return

    from streamlit.testing.v1 import AppTest

    os.environ["FBA_HEALTH_DB"] = str(db_path)
    os.environ["FBA_HEALTH_NO_DEMO"] = "1"
    print()
    print("| Page | First render | Exception |")
    print("|---|---|---|")
    for page in PAGES:
        started = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page(page)
        at.run()
        elapsed = time.perf_counter() - started
        print(f"| {page.removeprefix('pages/').removesuffix('.py')} | {elapsed:.2f} s | "
              f"{'yes' if at.exception else ''} |", flush=True)
    print()
    print(f"Peak memory of the process: {peak_gib():.2f} GiB")


if __name__ == "__main__":
    main()
