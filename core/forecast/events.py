"""Sales events (Prime Day, Black Friday-Cyber Monday, the seller's own) and their demand uplift."""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.forecast.params import Event, ForecastParams


def thanksgiving(year: int) -> dt.date:
    """US Thanksgiving: the fourth Thursday of November.

    >>> thanksgiving(2025)
    datetime.date(2025, 11, 27)
    """
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


def black_friday_cyber_monday(year: int) -> Event:
    """Black Friday (the day after Thanksgiving) through Cyber Monday, 4 days.

    >>> e = black_friday_cyber_monday(2026); (e.start, e.end)
    (datetime.date(2026, 11, 27), datetime.date(2026, 11, 30))
    """
    friday = thanksgiving(year) + dt.timedelta(days=1)
    return Event("Black Friday-Cyber Monday", friday, friday + dt.timedelta(days=3))


def event_calendar(params: ForecastParams, first_day: dt.date, last_day: dt.date) -> tuple[Event, ...]:
    """Every event occurrence overlapping ``first_day``..``last_day``, built-in ones with their default uplift.

    >>> [e.start.isoformat() for e in event_calendar(ForecastParams(), dt.date(2026, 1, 1), dt.date(2026, 12, 31))]
    ['2026-07-08', '2026-11-27']
    """
    prime = (*params.prime_days, *((params.prime_day_2027,) if params.prime_day_2027 else ()))
    events = [Event("Prime Day", start, end, params.prime_day_uplift) for start, end in prime]
    events += [Event(e.name, e.start, e.end, params.bfcm_uplift)
               for e in map(black_friday_cyber_monday, range(first_day.year, last_day.year + 1))]
    events += list(params.events)
    return tuple(e for e in events if e.end >= first_day and e.start <= last_day)


def day_mask(days: np.ndarray, start: dt.date, end: dt.date) -> np.ndarray:
    """Which of ``days`` (numpy datetime64[D]) fall in ``start``..``end``."""
    return (days >= np.datetime64(start, "D")) & (days <= np.datetime64(end, "D"))


# How many units of evidence the default uplift is worth: a SKU's own ratio counts fully only once its
# event days would have sold well over this many units at the baseline rate.
PRIOR_UNITS = 5.0


def estimate_uplift(y, days: np.ndarray, occurrences: list[Event], default: float,
                    baseline_days: int = 28, prior_units: float = PRIOR_UNITS) -> np.ndarray:
    """Per-SKU uplift of one event, shrunk towards ``default`` where the SKU's own evidence is thin.

    ``uplift = (units sold on the event days + m·default) ÷ (baseline rate × in-stock event days + m)``:
    the posterior mean of a Poisson rate ratio under a gamma prior with mean ``default`` worth
    ``m = prior_units`` expected units. The baseline rate is the mean demand over the in-stock days of
    the ``baseline_days`` before each occurrence, pooled over occurrences. A slow seller that sold
    nothing on four event days keeps close to the default (not ×0.0); a busy one keeps its own ratio.

    Falls back to ``default`` where a SKU has no in-stock event day, fewer than 7 in-stock baseline
    days, or no baseline demand.

    Examples
    --------
    2 a day for 28 days, then 6 on the event's 2 days (its own ratio 3): (12 + 5 × 1.5) ÷ (2 × 2 + 5).

    >>> days = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-01-31"))
    >>> y = np.array([[2.0] * 28 + [6.0, 6.0]])
    >>> e = Event("Sale", dt.date(2026, 1, 29), dt.date(2026, 1, 30), 1.5)
    >>> round(float(estimate_uplift(y, days, [e], 1.5)[0]), 4), round(19.5 / 9, 4)
    (2.1667, 2.1667)
    >>> estimate_uplift(y * 100, days, [e], 1.5).round(2).tolist()  # 1,200 units of evidence: near its own 3
    [2.98]
    """
    y = np.asarray(y, dtype=float)
    on, before = np.zeros(len(days), bool), np.zeros(len(days), bool)
    for e in occurrences:
        on |= day_mask(days, e.start, e.end)
        before |= day_mask(days, e.start - dt.timedelta(days=baseline_days), e.start - dt.timedelta(days=1))
    before &= ~on
    observed = ~np.isnan(y)
    values = np.where(observed, y, 0.0)
    n_on, n_before = observed[:, on].sum(axis=1), observed[:, before].sum(axis=1)
    sum_on, sum_before = values[:, on].sum(axis=1), values[:, before].sum(axis=1)
    ok = (n_on > 0) & (n_before >= 7) & (sum_before > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = sum_before / np.maximum(n_before, 1) * n_on  # event-day units at the baseline rate
        shrunk = (sum_on + prior_units * default) / (expected + prior_units)
    return np.where(ok, shrunk, default)


def uplift_factors(y, days: np.ndarray, future_days: np.ndarray, events: tuple[Event, ...],
                   baseline_days: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """The demand multiplier of every SKU on every future day, and which history days were event days.

    An event's past occurrences are those ending within ``days``; overlapping events take the larger
    multiplier. Returns ``(factors (SKUs × future days), past_event_days (days,) bool)``.
    """
    y = np.asarray(y, dtype=float)
    factors = np.ones((y.shape[0], len(future_days)))
    past = np.zeros(len(days), bool)
    last = days[-1] if len(days) else None
    for name in dict.fromkeys(e.name for e in events):
        occurrences = [e for e in events if e.name == name]
        history = [e for e in occurrences if last is not None and np.datetime64(e.end, "D") <= last]
        future = [e for e in occurrences if len(future_days) and day_mask(future_days, e.start, e.end).any()]
        for e in history:
            past |= day_mask(days, e.start, e.end)
        if not future:
            continue
        uplift = estimate_uplift(y, days, history, future[0].uplift, baseline_days) if history else \
            np.full(y.shape[0], future[0].uplift)
        for e in future:
            mask = day_mask(future_days, e.start, e.end)
            factors[:, mask] = np.maximum(np.where(factors[:, mask] == 1, 0, factors[:, mask]), uplift[:, None])
    return factors, past


def event_dates_text(start: dt.date, end: dt.date) -> str:
    """An event's days as a seller reads them: "8-11 Jul", "28 Nov-1 Dec", "4 Jul" (no year: the
    event is within the forecast's next weeks).

    >>> event_dates_text(dt.date(2026, 7, 8), dt.date(2026, 7, 11)), event_dates_text(dt.date(2025, 11, 28), dt.date(2025, 12, 1))
    ('8-11 Jul', '28 Nov-1 Dec')
    """
    if start == end:
        return f"{start.day} {start:%b}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {end:%b}"
    return f"{start.day} {start:%b}-{end.day} {end:%b}"


def uplift_text(factor: float) -> str:
    """A demand multiplier as "×2.0" (two decimals when one would read ×1.0: "×1.04").

    >>> uplift_text(2.0), uplift_text(1.8), uplift_text(1.04)
    ('×2.0', '×1.8', '×1.04')
    """
    return f"×{factor:.1f}" if round(factor, 1) != 1.0 else f"×{factor:.2f}"


def demand_events_text(future_factors, future_days: np.ndarray, events: tuple[Event, ...]) -> np.ndarray:
    """Per SKU, the events whose uplift is inside the demand of ``future_days``, in words:
    "Prime Day 8-11 Jul, ×2.0", several joined by "; ", "" where none.

    ``future_factors`` (SKUs × days) are ``uplift_factors``' multipliers on those days (the forecast's
    next ``summary_days``, the days its demand per day averages). An event counts for a SKU when one
    of its days falls inside and its factor there (the largest, where events overlap) differs from 1.

    >>> days = np.arange(np.datetime64("2026-07-01"), np.datetime64("2026-07-29"))
    >>> factors = np.where((days >= np.datetime64("2026-07-08")) & (days <= np.datetime64("2026-07-11")), 2.0, 1.0)
    >>> e = (Event("Prime Day", dt.date(2026, 7, 8), dt.date(2026, 7, 11), 2.0),
    ...      Event("Black Friday-Cyber Monday", dt.date(2026, 11, 27), dt.date(2026, 11, 30), 1.8))
    >>> demand_events_text(factors[None, :], days, e).tolist()
    ['Prime Day 8-11 Jul, ×2.0']
    """
    factors = np.asarray(future_factors, dtype=float)
    texts = [[] for _ in range(factors.shape[0])]
    for e in events:
        mask = day_mask(future_days, e.start, e.end) if len(future_days) else np.zeros(0, bool)
        if not mask.any():
            continue
        factor = factors[:, mask].max(axis=1)
        words = f"{e.name} {event_dates_text(e.start, e.end)}, "
        for i in np.flatnonzero(np.abs(factor - 1.0) > 1e-9):
            texts[i].append(words + uplift_text(float(factor[i])))
    return np.array(["; ".join(t) for t in texts], dtype=object)
