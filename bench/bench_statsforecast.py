"""Our forecaster against Nixtla's statsforecast (AutoETS, CrostonSBA) on one common holdout (not a test).

statsforecast pins pandas<3, so it cannot live in the app's venv: this script builds a SEPARATE venv
(default /tmp/fba-statsforecast-venv, ``--venv``) with ``python -m venv`` and pins statsforecast and
its main dependencies to exact versions (``PINS`` below), reuses it while the pins are unchanged,
and runs bench/_statsforecast_child.py there. It never touches the app's .venv. If the install
fails it prints pip's output and exits non-zero.

Protocol (every choice is printed with the results):

* Data: the account database (default: the 10,000-SKU x 730-day one ``bench_health.py --keep``
  builds), as-of = its latest snapshot, ``core.forecast.history`` over 730 days.
* Holdout: the last h = 28 days (our backtest's horizon); the cut-off is as-of − 28. Both sides see
  only the history up to the cut-off and forecast the 28 days after it. Nothing of the holdout is
  used to fit, choose a method or pick the SKU sample (no look-ahead; no per-SKU "best of" models).
* SKUs: a seeded random sample (``--skus N``, ``--seed``; ``--skus 0`` = all) of the SKUs with at
  least one sale on or before the cut-off (a SKU with none has no series to fit on either side).
* Ours: ``forecast_all`` on the history truncated at the cut-off (as_of = cut-off, horizon 28 days,
  defaults otherwise: its own 3-origin rolling backtest picks each SKU's method), its daily mean.
  Timed as called by the app: classification, backtest, method choice, weekly fits, forecast.
* statsforecast: each SKU's daily units from its first sale to the cut-off, the long format
  (unique_id, ds, y); ``StatsForecast(models=[AutoETS(season_length=7)] or [CrostonSBA()],
  freq='D', n_jobs=2).forecast(h=28)``, each model timed apart (fit + forecast).
* Out of stock: statsforecast has no notion of a censored day, so out-of-stock training days are
  given as 0 units (what was sold); ours treats them as missing, as it always does. Scoring uses
  only the holdout's IN-STOCK days, on both sides (an out-of-stock day's 0 is not demand).
* Events: ours applies its Prime Day / BFCM handling; statsforecast sees the raw units. The
  default account's holdout (2026-10-19 .. 2026-11-15) contains no event day.
* Score: pooled over every SKU x scored holdout day, WAPE = Σ|f − a| ÷ Σa and bias = Σ(f − a) ÷ Σa,
  overall and per demand pattern (ours' classification at the cut-off, from training data only).
* Timing: medians over ``--runs`` (statsforecast, default 1: it is the slow side) and ``--our-runs``
  (default 3). statsforecast's import and a warm-up fit of both models on 4 tiny series (first-call
  costs, the worker pool's start-up) are timed apart and not in the model times.

    .venv/bin/python bench/bench_statsforecast.py [--db /tmp/bench10k/bench.duckdb] [--skus 2000]
        [--runs 1] [--our-runs 3] [--venv /tmp/fba-statsforecast-venv] [--rebuild]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from core import skus  # noqa: E402
from core.forecast import ForecastParams, engine, forecast_all, history  # noqa: E402

CHILD = Path(__file__).resolve().parent / "_statsforecast_child.py"
DEFAULT_VENV = Path("/tmp/fba-statsforecast-venv")
# Exact versions for a reproducible comparison (statsforecast 2.1.1 requires pandas<3).
PINS = ("statsforecast==2.1.1", "pandas==2.3.3", "numpy==2.4.6", "scipy==1.17.1", "statsmodels==0.15.0",
        "coreforecast==0.0.20", "utilsforecast==0.2.17", "pyarrow==26.0.1")
STAMP = ".fba-bench-pins"
MODELS = ("AutoETS", "CrostonSBA")
PATTERNS = ("smooth", "erratic", "intermittent", "lumpy")


def _fail(message: str) -> None:
    print(f"bench_statsforecast: {message}", file=sys.stderr)
    sys.exit(1)


def ensure_venv(venv: Path, rebuild: bool) -> tuple[Path, str]:
    """The separate venv's python, built (or reused while its pins match) here; and what was done."""
    venv = venv.expanduser().absolute()
    app_venv = (ROOT / ".venv").resolve()
    for protected in (app_venv, Path(sys.prefix).resolve()):
        target = venv.resolve()
        if target == protected or protected in target.parents or target in protected.parents:
            _fail(f"--venv {venv} is (or contains, or lies in) the app's environment {protected}; "
                  "statsforecast needs pandas<3 and must get its own venv")
    python = venv / "bin" / "python"
    wanted = "\n".join(PINS) + "\n"
    stamp = venv / STAMP
    if venv.exists() and not (venv / "pyvenv.cfg").exists():
        _fail(f"{venv} exists and is not a venv: pass another --venv or remove it")
    if rebuild and venv.exists():
        shutil.rmtree(venv)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, "reused (pins unchanged)"
    started = time.perf_counter()
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode != 0:
            _fail(f"could not create the venv {venv} ({sys.executable} -m venv, exit {made.returncode}):\n"
                  f"{made.stderr.strip()}")
    print(f"installing {' '.join(PINS)} into {venv} (separate from the app's .venv) ...", flush=True)
    try:
        pip = subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                              "--no-input", *PINS], capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired:
        _fail(f"pip install into {venv} timed out after 30 minutes")
    if pip.returncode != 0:
        tail = "\n".join((pip.stdout + pip.stderr).strip().splitlines()[-30:])
        _fail(f"pip could not install statsforecast into {venv} (exit {pip.returncode}); last lines:\n{tail}\n"
              "statsforecast needs PyPI; fix the cause above and rerun (or pass --venv elsewhere)")
    stamp.write_text(wanted)
    return python, f"built in {time.perf_counter() - started:.0f} s"


def sample_skus(sku_list: np.ndarray, eligible: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Row indices of the sample: ``n`` eligible SKUs drawn with ``seed`` (all when n is 0 or >= their count)."""
    rows = np.flatnonzero(eligible)
    if 0 < n < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(rows, n, replace=False))
    return rows


def to_grid(frame: pd.DataFrame, column: str, sku_index: pd.Index, first_day: dt.date, h: int) -> np.ndarray:
    """A long forecast (sku or unique_id, day or ds, column) as SKUs x holdout days."""
    key = "sku" if "sku" in frame.columns else "unique_id"
    day = "day" if "day" in frame.columns else "ds"
    row = sku_index.get_indexer(frame[key].astype(str))
    col = (pd.to_datetime(frame[day]).dt.normalize() - pd.Timestamp(first_day)).dt.days.to_numpy()
    grid = np.full((len(sku_index), h), np.nan)
    ok = (row >= 0) & (col >= 0) & (col < h)
    grid[row[ok], col[ok]] = frame[column].to_numpy(dtype=float)[ok]
    return grid


def score(forecast: np.ndarray, actual: np.ndarray, rows: np.ndarray | None = None) -> tuple[float, float]:
    """Pooled WAPE and bias over the scored cells (actual not NaN) of ``rows``."""
    f, a = (forecast, actual) if rows is None else (forecast[rows], actual[rows])
    keep = ~np.isnan(a)
    if np.isnan(f[keep]).any():
        raise ValueError("a forecast is missing on a scored day")
    total = a[keep].sum()
    if total <= 0:
        return float("nan"), float("nan")
    err = f[keep] - a[keep]
    return float(np.abs(err).sum() / total), float(err.sum() / total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench10k/bench.duckdb"))
    parser.add_argument("--skus", type=int, default=2000, help="SKUs in the sample; 0 = all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--h", type=int, default=28, help="holdout days (default: our backtest horizon)")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=1, help="statsforecast runs per model (median)")
    parser.add_argument("--our-runs", type=int, default=3, help="runs of ours (median)")
    parser.add_argument("--n-jobs", type=int, default=2, help="statsforecast worker processes")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--rebuild", action="store_true", help="delete and rebuild the statsforecast venv")
    args = parser.parse_args()
    if not args.db.exists():
        _fail(f"{args.db} not found: build it with: .venv/bin/python bench/bench_health.py --keep {args.db.parent}")
    if args.skus < 0 or args.h < 1 or args.runs < 1 or args.our_runs < 1:
        _fail("--skus must be >= 0; --h, --runs and --our-runs >= 1")

    python, venv_note = ensure_venv(args.venv, args.rebuild)
    print(f"statsforecast venv {args.venv}: {venv_note}", flush=True)

    # History, the cut-off and the sample.
    as_of = skus.snapshot_dates(args.db)[0]
    cut = as_of - dt.timedelta(days=args.h)
    started = time.perf_counter()
    frame = history(args.db, as_of, args.days)
    load_seconds = time.perf_counter() - started
    sku_list, days, units, in_stock = engine.to_matrix(frame, as_of)
    T = len(days) - args.h  # training days: columns 0..T-1, holdout T..T+h-1
    eligible = (units[:, :T] > 0).any(axis=1)
    rows = sample_skus(sku_list, eligible, args.skus, args.seed)
    sample = sku_list[rows]
    sku_index = pd.Index(sample.astype(str))
    actual = engine.demand_series(units[rows], in_stock[rows])[:, T:]  # NaN: out of stock, not scored
    launched = np.cumsum(units[rows, :T] > 0, axis=1) > 0
    oos_train = float((launched & ~in_stock[rows, :T]).sum() / launched.sum())
    train = frame[frame["sku"].isin(set(sample)) & (frame["day"] <= pd.Timestamp(cut))]

    # Ours, on the same SKUs and history.
    params = ForecastParams(horizon_days=args.h, summary_days=min(28, args.h))
    our_times = []
    for _ in range(args.our_runs):
        started = time.perf_counter()
        result = forecast_all(train, cut, params)
        our_times.append(time.perf_counter() - started)
    summary = result.summary.set_index("sku").reindex(sku_index)
    forecasts = {"ours": to_grid(result.daily, "mean", sku_index, cut + dt.timedelta(days=1), args.h)}

    # statsforecast, in its own venv: each SKU from its first sale to the cut-off, out-of-stock days as 0.
    r, c = np.nonzero(launched)
    long = pd.DataFrame({"unique_id": sample.astype(str)[r], "ds": days[c].astype("datetime64[ns]"),
                         "y": units[rows, :T][r, c]})
    with tempfile.TemporaryDirectory(prefix="fba-statsforecast-") as tmp:
        tmp = Path(tmp)
        long.to_parquet(tmp / "train.parquet", index=False)
        started = time.perf_counter()
        child = subprocess.run([str(python), "-I", str(CHILD), "--train", str(tmp / "train.parquet"),
                                "--out", str(tmp), "--h", str(args.h), "--runs", str(args.runs),
                                "--n-jobs", str(args.n_jobs)])
        child_seconds = time.perf_counter() - started
        if child.returncode != 0:
            _fail(f"the statsforecast child failed (exit {child.returncode}); see its output above")
        theirs = pd.read_parquet(tmp / "forecast.parquet")
        report = json.loads((tmp / "timings.json").read_text())
    for model in MODELS:
        forecasts[model] = to_grid(theirs, model, sku_index, cut + dt.timedelta(days=1), args.h)

    # Results.
    times = {"ours": statistics.median(our_times), **report["median_seconds"]}
    runs = {"ours": args.our_runs, **{m: args.runs for m in MODELS}}
    try:
        ours_version = metadata.version("fba-health")
    except metadata.PackageNotFoundError:
        ours_version = "source tree"
    scored = int((~np.isnan(actual)).sum())
    mix = ", ".join(f"{m} {k:,}" for m, k in summary["method"].value_counts().items())
    print(f"\nmachine: {os.cpu_count()} cores; {len(rows):,} SKUs sampled (seed {args.seed}) of {int(eligible.sum()):,} "
          f"with a sale by the cut-off ({len(sku_list):,} in the account); history {days[0]} .. {cut} "
          f"({T} days), holdout {cut + dt.timedelta(days=1)} .. {as_of} ({args.h} days)")
    print(f"versions: ours fba-health {ours_version} (pandas {pd.__version__}, numpy {np.__version__}); "
          f"statsforecast {report['statsforecast']} (pandas {report['pandas']}, numpy {report['numpy']}), "
          f"n_jobs={report['n_jobs']}")
    print(f"out of stock: statsforecast trains on units with out-of-stock days as 0 ({oos_train:.1%} of training "
          f"days after first sale); ours skips them; scored on in-stock holdout days only "
          f"({scored:,} of {actual.size:,} SKU-days, {np.nansum(actual):,.0f} units)")
    print(f"statsforecast venv: {venv_note}; import {report['import_seconds']:.1f} s, warm-up (first calls, "
          f"4 tiny series, both models) {report['warmup_seconds']:.1f} s, not in the times below; child process "
          f"wall clock {child_seconds:.0f} s. History load (DuckDB, all SKUs) {load_seconds:.1f} s, not counted.")
    print(f"ours chose: {mix}\n")
    print("| Model | Time, fit + forecast (s) | WAPE | Bias |")
    print("|---|---|---|---|")
    labels = {"ours": "Ours (forecast_all: backtest picks the method per SKU)",
              "AutoETS": "statsforecast AutoETS(season_length=7)", "CrostonSBA": "statsforecast CrostonSBA"}
    for model in ("ours", *MODELS):
        wape, bias = score(forecasts[model], actual)
        print(f"| {labels[model]} | {times[model]:.2f} (median of {runs[model]}) | {wape:.3f} | {bias:+.3f} |")

    print("\nWAPE by demand pattern (ours' classification at the cut-off):\n")
    print("| Pattern | SKUs | Holdout units | Ours | AutoETS | CrostonSBA |")
    print("|---|---|---|---|---|---|")
    pattern = summary["pattern"].to_numpy()
    for name in PATTERNS:
        sel = np.flatnonzero(pattern == name)
        if not len(sel):
            continue
        cells = " | ".join(f"{score(forecasts[m], actual, sel)[0]:.3f}" for m in ("ours", *MODELS))
        print(f"| {name} | {len(sel):,} | {np.nansum(actual[sel]):,.0f} | {cells} |")


if __name__ == "__main__":
    main()
