"""Child of bench_statsforecast.py: runs INSIDE the separate statsforecast venv, never the app's.

Reads the training series (statsforecast's long format: unique_id, ds, y) from a parquet file, fits
each model on every series and forecasts ``--h`` days, timing fit + forecast per model, and writes the
forecasts (unique_id, ds, one column per model) and a JSON of timings and versions. Imports nothing
from the app. A warm-up on a few tiny synthetic series comes first (imports, first-call compilation
and the worker pool's start-up), timed apart from the measured runs.

    <venv>/bin/python bench/_statsforecast_child.py --train train.parquet --out DIR [--h 28] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

started = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsforecast  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import AutoETS, CrostonSBA  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - started


def models(season_length: int) -> dict:
    """The models compared, by output column name (a fresh instance per run)."""
    return {"AutoETS": lambda: AutoETS(season_length=season_length), "CrostonSBA": lambda: CrostonSBA()}


def run(df: pd.DataFrame, model, h: int, n_jobs: int) -> tuple[pd.DataFrame, float]:
    t = time.perf_counter()
    forecast = StatsForecast(models=[model], freq="D", n_jobs=n_jobs).forecast(df=df, h=h)
    return forecast, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--h", type=int, default=28)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--season-length", type=int, default=7)
    args = parser.parse_args()

    catalog = models(args.season_length)
    # Warm-up: 4 tiny series, every model, the same n_jobs: first-call costs, not counted below.
    rng = np.random.default_rng(0)
    tiny = pd.DataFrame({"unique_id": np.repeat([f"w{i}" for i in range(4)], 60),
                         "ds": np.tile(pd.date_range("2024-01-01", periods=60, freq="D"), 4),
                         "y": rng.poisson(1.0, 240).astype(float)})
    t = time.perf_counter()
    for make in catalog.values():
        run(tiny, make(), args.h, args.n_jobs)
    warmup = time.perf_counter() - t

    df = pd.read_parquet(args.train)
    times, merged = {}, None
    for name, make in catalog.items():
        times[name] = []
        for _ in range(args.runs):
            forecast, seconds = run(df, make(), args.h, args.n_jobs)
            times[name].append(seconds)
        forecast = forecast.reset_index() if "unique_id" not in forecast.columns else forecast
        part = forecast[["unique_id", "ds", name]]
        merged = part if merged is None else merged.merge(part, on=["unique_id", "ds"], how="outer")
    merged.to_parquet(args.out / "forecast.parquet", index=False)
    report = {"statsforecast": statsforecast.__version__, "pandas": pd.__version__, "numpy": np.__version__,
              "import_seconds": IMPORT_SECONDS, "warmup_seconds": warmup, "n_jobs": args.n_jobs,
              "series": int(df["unique_id"].nunique()), "rows": len(df), "cpu_count": os.cpu_count(),
              "seconds": times, "median_seconds": {k: statistics.median(v) for k, v in times.items()}}
    (args.out / "timings.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
