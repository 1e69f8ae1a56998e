"""What-if and page benchmark on a large account (not a test).

Against a database built by bench/bench_health.py (``--keep DIR``; 10,000 SKUs x 730 days by
default), times:

1. reading the restock plan's inputs once (``core.restock.restock_inputs``), as the app does once per
   data version;
2. the forecast: fitting every SKU with its backtest (``forecast_arrays`` on ``history_arrays``, as
   ``forecast_table`` does; the app does this once after a load, on the upload page) and reading the
   stored forecast back
   (``forecast_table`` in a process that has not fitted it: every later process); the same for the
   IPI trend (one SKU table per planning snapshot) and the 12-month fee outlook under the plan;
3. one what-if slider move: ``plan_from_inputs`` with a new service level plus the 180-day stock
   projection's expected stockout days, what the What-if page reruns (goal <= 200 ms);
4. in a fresh process (as the app after a restart, the forecast, IPI trend and fee outlook stored),
   the first render of every page through Streamlit's AppTest, app.py around it as in the server, in
   page order (later pages reuse the caches of earlier ones, as a real session does) (goal <= 2 s
   each), and that process's peak memory.

Prints Markdown tables (medians of ``--runs``) and the peak memory of each process.

    .venv/bin/python bench/bench_plan.py --db /tmp/bench10k/bench.duckdb [--runs 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db, restock, stock_projection  # noqa: E402
from core.fees import ipi, outlook  # noqa: E402
from core.forecast import engine, forecast_arrays, forecast_table, history_arrays  # noqa: E402
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
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it starts afresh after exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 ** 2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--pages-only", action="store_true", help="(the fresh process of step 4)")
    args = parser.parse_args()
    if args.pages_only:
        pages(args.db)
        return
    db_path = args.db

    read_s, inputs = timed(lambda: restock.restock_inputs(db_path), 1)
    fit_s, _ = timed(lambda: forecast_arrays(history_arrays(db_path, inputs.as_of), inputs.as_of), 1)
    forecast_table(db_path, inputs.as_of)  # stored, if it was not already

    def stored_read():
        engine._CACHE.clear()  # as a new process: nothing in memory
        return forecast_table(db_path, inputs.as_of)

    stored_s, result = timed(stored_read, 3)
    ipi_s, _ = timed(lambda: ipi.ipi_factors_computed(db_path), 1)
    ipi.ipi_factors_from_db(db_path)  # stored, if it was not already
    ipi_read_s, _ = timed(lambda: ipi.ipi_factors_from_db(db_path), 3)
    base = RestockParams()

    def fees_computed():
        with db.writing(db_path) as con:  # forget the stored outlook: it is computed again
            con.execute("DELETE FROM stored_runs WHERE kind = 'fees'")
        return outlook.fee_outlook(db_path, inputs.as_of, restock_params=base, plan_inputs=lambda: inputs)

    fees_s, _ = timed(fees_computed, 1)  # and stored again, for the pages
    fees_read_s, _ = timed(lambda: outlook.fee_outlook(db_path, inputs.as_of, restock_params=base), 3)

    def slider_move(level=[0.90]) -> object:
        level[0] = 0.99 if level[0] == 0.90 else 0.90  # a different value every time: no cache hit
        params = dataclasses.replace(base, service_level_override=level[0])
        plan = restock.plan_from_inputs(inputs, result.summary, params, forecast=result)  # as the pages do
        days = stock_projection.project_stock(plan, matrix,
                                              review_period_days=params.review_period_days).expected_stockout_days
        return restock.plan_totals(plan, days)

    matrix = stock_projection.DailyMatrix.from_daily(result.daily)  # the app keeps it per data version
    move_s, _ = timed(slider_move, args.runs)
    print(f"Account: {len(inputs.frame):,} SKUs, as of {inputs.as_of}; {os.cpu_count()} cores")
    print()
    print("| Step | Median | Goal |")
    print("|---|---|---|")
    print(f"| Plan inputs read once (SKU table, costs, returns) | {read_s:.2f} s | |")
    print(f"| Forecast fit with backtest, every SKU (once after a load) | {fit_s:.1f} s | <= 30 s |")
    print(f"| Forecast read back from the database (every later process) | {stored_s:.2f} s | |")
    print(f"| IPI trend, one SKU table per planning snapshot (once after a load) | {ipi_s:.1f} s | |")
    print(f"| IPI trend read back from the database | {ipi_read_s:.2f} s | |")
    print(f"| Fee outlook, 12 months under the plan's arrivals (once after a load) | {fees_s:.1f} s | |")
    print(f"| Fee outlook read back from the database (with the fee inputs) | {fees_read_s:.2f} s | |")
    print(f"| What-if slider move: plan + 180-day projection + totals | {move_s * 1000:.0f} ms | <= 200 ms |")
    print(f"| Peak memory of this process | {peak_gib():.2f} GiB | <= 2 GiB |")
    if args.no_pages:
        return
    print(flush=True)
    subprocess.run([sys.executable, __file__, "--db", str(db_path), "--pages-only"], check=True)


def pages(db_path: Path) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    # AppTest forgets at every run that the app uses st.navigation and, seeing a pages/ folder, runs a
    # switched-to page's file alone. The server runs app.py (sidebar filters, the database held open)
    # around every page: make AppTest do the same.
    plain_init = PagesManager.__init__

    def navigation_init(self, *args, **kwargs):
        plain_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # what st.navigation sets, once, in the server

    PagesManager.__init__ = navigation_init

    os.environ["FBA_HEALTH_DB"] = str(db_path)
    os.environ["FBA_HEALTH_NO_DEMO"] = "1"
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
    print(f"Peak memory of the app process (every page rendered): {peak_gib():.2f} GiB")


if __name__ == "__main__":
    main()
