"""Ingest benchmark: our loader against DuckDB's own CSV reader on the same All Orders file.

Not a test (timings do not belong in the suite). Generates an account with the sample generator,
then, for each of several runs into a fresh database, times
  1. DuckDB's read_csv of the file into a table of a database file, from open to close (the ceiling:
     no checks, no typing of our own), and
  2. core.ingest.load_report of the same file (detect, check every value, type, write, record).
Prints a Markdown table of medians for the README.

    .venv/bin/python bench/bench_ingest.py [--skus 2000] [--days 730] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import ingest  # noqa: E402


def ceiling(path: Path, db_file: Path) -> float:
    # Timed from open to close, as ours is: both end with the rows checkpointed into the database file.
    started = time.perf_counter()
    con = duckdb.connect(str(db_file))
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv($p, delim='\t', header=true, all_varchar=true, "
                "quote='', compression='gzip')", {"p": str(path)})
    con.close()
    return time.perf_counter() - started


def ours(path: Path, db_file: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = ingest.load_report(db_file, path)
    elapsed = time.perf_counter() - started
    assert result.status == "loaded", result.errors
    return elapsed, result.rows_loaded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "account"
        subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"), "--out", str(out),
                        "--skus", str(args.skus), "--days", str(args.days)], check=True, capture_output=True)
        orders = out / "all_orders.txt.gz"
        size_mb = orders.stat().st_size / 1e6
        theirs, mine, rows = [], [], 0
        for run in range(args.runs):
            theirs.append(ceiling(orders, Path(tmp) / f"ceiling{run}.duckdb"))
            elapsed, rows = ours(orders, Path(tmp) / f"ours{run}.duckdb")
            mine.append(elapsed)
        t_ceiling, t_ours = statistics.median(theirs), statistics.median(mine)
        print(f"machine: {os.cpu_count()} cores; {args.skus} SKUs x {args.days} days; "
              f"All Orders {rows:,} lines, {size_mb:.1f} MB gzip; median of {args.runs} runs\n")
        print("| Step | Time | Lines/s | Share of ceiling |")
        print("|---|---|---|---|")
        print(f"| DuckDB read_csv (ceiling) | {t_ceiling:.2f} s | {rows / t_ceiling:,.0f} | 100% |")
        print(f"| fba-health load (checked, typed, keyed) | {t_ours:.2f} s | {rows / t_ours:,.0f} | "
              f"{t_ceiling / t_ours:.0%} |")


if __name__ == "__main__":
    main()
