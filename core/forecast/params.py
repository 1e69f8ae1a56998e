"""The knobs of the demand forecast, as frozen dataclasses: hashable (a cache key), and a what-if is
``dataclasses.replace(params, horizon_days=90)``. Defaults are documented in docs/metrics.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.params import require


@dataclass(frozen=True)
class Event:
    """A sales event: days ``start``..``end`` (inclusive) multiply demand by ``uplift``.

    Events sharing a ``name`` are occurrences of one event (Prime Day 2025 and 2026): the uplift is
    estimated from the SKU's past occurrences where it has one with stock, else ``uplift`` applies.

    >>> Event("Spring sale", dt.date(2026, 3, 1), dt.date(2026, 3, 3), 1.5).days
    3
    """

    name: str
    start: dt.date
    end: dt.date
    uplift: float = 1.0  # the default (editable) demand multiplier on event days

    def __post_init__(self) -> None:
        require(bool(self.name), "name must not be empty")
        require(self.end >= self.start, "end must not be before start")
        require(0 < self.uplift <= 20, "uplift must be in (0, 20]")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


PRIME_DAYS = ((dt.date(2025, 7, 8), dt.date(2025, 7, 11)), (dt.date(2026, 7, 8), dt.date(2026, 7, 11)))


@dataclass(frozen=True)
class ForecastParams:
    """Horizons, smoothing constants, pattern cut-offs and events of the demand forecast."""

    horizon_days: int = 184  # days forecast after the as-of day (any 6 whole calendar months)
    summary_days: int = 28  # demand_per_day is the mean forecast over this many days
    backtest_origins: int = 12  # origins of the backtest: the first days of the last 12 months [k]
    backtest_horizon_days: int = 184  # days forecast from each origin, at most (never past the as-of) [h]
    level_windows: tuple[int, ...] = (28, 91, 182, 365)  # moving-average and seasonal level windows, days
    switch_margin: float = 0.8  # another method replaces the default only at ≤ 80% of its backtest error
    trend_damping_per_month: float = 0.9  # damped trend: the slope's weight falls by this factor a month [φ]
    launch_days: int = 14  # fewer in-stock days of history than this: the launch default (mean so far)
    ma_days: int = 28  # moving-average window, calendar days (out-of-stock days skipped)
    ses_alpha: float = 0.1  # simple exponential smoothing constant [α]
    croston_alpha: float = 0.1  # Croston/SBA smoothing of sizes and intervals [α]
    tsb_alpha: float = 0.1  # TSB smoothing of the demand size [α]
    tsb_beta: float = 0.1  # TSB smoothing of the demand probability [β]
    adi_cutoff: float = 1.32  # Syntetos-Boylan cut-off of the average inter-demand interval
    cv2_cutoff: float = 0.49  # ... and of the squared coefficient of variation of demand sizes
    seasonal_min_days: int = 56  # in-stock days of history before a weekly seasonal model is tried
    seasonal_max_fits: int = 50  # at most this many statsmodels fits per run (the strongest weekly patterns)
    seasonal_f_quantile: float = 0.999  # weekday-effect F test level a SKU must pass to be tried
    prime_days: tuple[tuple[dt.date, dt.date], ...] = PRIME_DAYS
    prime_day_2027: tuple[dt.date, dt.date] | None = None  # set when Amazon announces it
    prime_day_uplift: float = 2.0  # default Prime Day multiplier where a SKU has no history of it
    bfcm_uplift: float = 1.8  # default Black Friday-Cyber Monday multiplier
    events: tuple[Event, ...] = ()  # user-added events
    event_baseline_days: int = 28  # the uplift compares event days with this many days before

    def __post_init__(self) -> None:
        for name in ("horizon_days", "summary_days", "backtest_horizon_days", "launch_days", "ma_days",
                     "seasonal_min_days", "event_baseline_days"):
            require(isinstance(getattr(self, name), int) and getattr(self, name) >= 1, f"{name} must be an integer >= 1")
        require(self.summary_days <= self.horizon_days, "summary_days must not exceed horizon_days")
        require(self.backtest_origins >= 1, "backtest_origins must be >= 1")
        require(len(self.level_windows) >= 2 and all(isinstance(w, int) and w >= 1 for w in self.level_windows)
                and list(self.level_windows) == sorted(self.level_windows),
                "level_windows must be two or more increasing whole numbers of days")
        require(0 < self.switch_margin <= 1, "switch_margin must be in (0, 1]")
        require(0 < self.trend_damping_per_month <= 1, "trend_damping_per_month must be in (0, 1]")
        require(self.seasonal_max_fits >= 0, "seasonal_max_fits must be >= 0")
        require(self.seasonal_min_days >= 14, "seasonal_min_days must be at least two weeks (14)")
        for name in ("ses_alpha", "croston_alpha", "tsb_alpha", "tsb_beta"):
            require(0 < getattr(self, name) <= 1, f"{name} must be in (0, 1]")
        require(self.adi_cutoff >= 1, "adi_cutoff must be >= 1")
        require(self.cv2_cutoff > 0, "cv2_cutoff must be > 0")
        require(0 < self.seasonal_f_quantile < 1, "seasonal_f_quantile must be in (0, 1)")
        require(0 < self.prime_day_uplift <= 20, "prime_day_uplift must be in (0, 20]")
        require(0 < self.bfcm_uplift <= 20, "bfcm_uplift must be in (0, 20]")
        for start, end in (*self.prime_days, *((self.prime_day_2027,) if self.prime_day_2027 else ())):
            require(end >= start, "prime_days must be (start, end) pairs with end >= start")
        require(all(isinstance(e, Event) for e in self.events), "events must be Event objects")
