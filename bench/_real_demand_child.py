"""Child of bench_real_demand.py: runs INSIDE the separate statsforecast venv, never the app's.

Reads period totals (JSON: {"freq": "M"|"W", "season_length": m, "h": h, "series": {id: [history...]}}),
fits AutoETS, SeasonalNaive, AutoTheta and CrostonSBA (season_length m) on every series with
``StatsForecast(freq='MS' or 'W', n_jobs)`` and forecasts h periods, timing fit + forecast per model.
Writes JSON: per model the forecasts per series (h values, in period order) and the seconds, plus versions.
Imports nothing from the app. A warm-up of every model on 4 tiny series (imports, first-call
compilation, the worker pool's start-up) comes first and is timed apart.

    <venv>/bin/python bench/_real_demand_child.py --series in.json --out out.json [--n-jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

started = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsforecast  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import AutoETS, AutoTheta, CrostonSBA, SeasonalNaive  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - started
FREQ = {"M": "MS", "W": "W"}


def models(season_length: int) -> dict:
    """The models compared, by output column name (a fresh instance per run)."""
    return {"AutoETS": lambda: AutoETS(season_length=season_length),
            "SeasonalNaive": lambda: SeasonalNaive(season_length=season_length),
            "AutoTheta": lambda: AutoTheta(season_length=season_length),
            "CrostonSBA": lambda: CrostonSBA()}


def long_frame(series: dict[str, list[float]], freq: str) -> pd.DataFrame:
    """statsforecast's long format; each series ends on the same period (only the order matters to the models)."""
    end = pd.Timestamp("2026-05-01") if freq == "M" else pd.Timestamp("2026-05-31")  # a month start / a Sunday
    parts = []
    for uid, values in series.items():
        ds = pd.date_range(end=end, periods=len(values), freq=FREQ[freq])
        parts.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(values, dtype=float)}))
    return pd.concat(parts, ignore_index=True)


def run(df: pd.DataFrame, model, freq: str, h: int, n_jobs: int) -> tuple[pd.DataFrame, float]:
    t = time.perf_counter()
    forecast = StatsForecast(models=[model], freq=FREQ[freq], n_jobs=n_jobs).forecast(df=df, h=h)
    return forecast, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    spec = json.loads(args.series.read_text())
    freq, m, h = spec["freq"], int(spec["season_length"]), int(spec["h"])
    catalog = models(m)

    rng = np.random.default_rng(0)
    tiny = long_frame({f"w{i}": rng.poisson(5.0, 2 * m + 4).tolist() for i in range(4)}, freq)
    t = time.perf_counter()
    for make in catalog.values():
        run(tiny, make(), freq, h, args.n_jobs)
    warmup = time.perf_counter() - t

    df = long_frame(spec["series"], freq)
    out = {"statsforecast": statsforecast.__version__, "pandas": pd.__version__, "numpy": np.__version__,
           "import_seconds": IMPORT_SECONDS, "warmup_seconds": warmup, "n_jobs": args.n_jobs,
           "cpu_count": os.cpu_count(), "series": len(spec["series"]), "models": {}}
    for name, make in catalog.items():
        forecast, seconds = run(df, make(), freq, h, args.n_jobs)
        forecast = forecast.reset_index() if "unique_id" not in forecast.columns else forecast
        forecast = forecast.sort_values(["unique_id", "ds"])
        per = {uid: g[name].astype(float).tolist() for uid, g in forecast.groupby("unique_id", sort=False)}
        out["models"][name] = {"seconds": seconds, "forecasts": {uid: per[uid] for uid in spec["series"]}}
    args.out.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
