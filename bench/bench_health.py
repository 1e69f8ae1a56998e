"""Health-table benchmark: the whole per-SKU table for a large account (not a test).

Generates an account with the sample generator (default 10,000 SKUs x 730 days), loads it, then
times core.skus.sku_table (every metric, score and grade for every SKU) and account_summary over
several runs. Prints a Markdown table of medians and the peak memory of the process.

    .venv/bin/python bench/bench_health.py [--skus 10000] [--days 730] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import ingest, sample, skus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated account and database here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fba-bench-"))
    account, db_path = work / "account", work / "bench.duckdb"
    if not (account / "manifest.json").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"), "--out", str(account),
                        "--skus", str(args.skus), "--days", str(args.days)], check=True)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    if not db_path.exists():
        started = time.perf_counter()
        results = sample.load_sample(db_path, account)
        assert all(r.status == "loaded" for r in results), [r.errors for r in results if r.errors]
        rows = sum(r.rows_loaded for r in results)
        print(f"loaded {rows:,} rows in {time.perf_counter() - started:.0f} s")
    with ingest.db.connect(db_path) as con:
        lines = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        ledger = con.execute("SELECT count(*) FROM ledger_detail").fetchone()[0]
    times, summaries = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        table = skus.sku_table(db_path)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        skus.account_summary(table.frame, table.params)
        summaries.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmachine: {os.cpu_count()} cores; {len(table.frame):,} SKUs, {lines:,} order lines, "
          f"{ledger:,} ledger events; median of {args.runs} runs\n")
    print("| Step | Time |")
    print("|---|---|")
    print(f"| Per-SKU health table (every metric, score and grade) | {statistics.median(times):.2f} s |")
    print(f"| Account summary from it | {statistics.median(summaries) * 1000:.0f} ms |")
    print(f"| Peak memory of the process | {peak_mb:,.0f} MB |")


if __name__ == "__main__":
    main()
