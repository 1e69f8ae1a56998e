"""Sales events (Prime Day, Black Friday-Cyber Monday, the seller's own) and their demand uplift."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

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
# event days would have sold well over this many units at the baseline rate. The same weight holds
# each pooled level (group, account) to the level above it.
PRIOR_UNITS = 5.0
BUILT_IN_EVENTS = ("Prime Day", "Black Friday-Cyber Monday")  # their defaults are in Settings
SOURCES = ("own", "group", "account", "default")  # the levels of an uplift, most specific first


def event_evidence(y, days: np.ndarray, occurrences: list[Event],
                   baseline_days: int = 28) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per SKU: units sold on the in-stock days of ``occurrences``, the units its baseline rate
    expects on those days, and whether the SKU has evidence at all.

    The baseline rate is the mean demand over the in-stock days of the ``baseline_days`` before each
    occurrence (event days excluded), pooled over occurrences. Evidence needs an in-stock event day,
    at least 7 in-stock baseline days and some baseline demand; where it is missing both sums are 0.
    Returns ``(units_on (SKUs,), expected (SKUs,), ok (SKUs,) bool)``.
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
    expected = sum_before / np.maximum(n_before, 1) * n_on  # event-day units at the baseline rate
    return np.where(ok, sum_on, 0.0), np.where(ok, expected, 0.0), ok


def shrunk_ratio(units_on, expected, prior_ratio, prior_units: float = PRIOR_UNITS) -> np.ndarray:
    """``(units_on + m·prior) ÷ (expected + m)``: the posterior mean of a Poisson rate ratio under a
    gamma prior with mean ``prior_ratio`` worth ``m = prior_units`` expected units.

    >>> shrunk_ratio(12.0, 4.0, 1.5).round(4).item(), round(19.5 / 9, 4)
    (2.1667, 2.1667)
    """
    units_on, expected = np.asarray(units_on, float), np.asarray(expected, float)
    return (units_on + prior_units * np.asarray(prior_ratio, float)) / (expected + prior_units)


def estimate_uplift(y, days: np.ndarray, occurrences: list[Event], default: float,
                    baseline_days: int = 28, prior_units: float = PRIOR_UNITS) -> np.ndarray:
    """Per-SKU uplift of one event from its own past only, shrunk towards ``default`` where the SKU's
    evidence is thin (``pooled_uplift`` without the pooled levels).

    ``uplift = (units sold on the event days + m·default) ÷ (baseline rate × in-stock event days + m)``
    (``shrunk_ratio`` of ``event_evidence``). A slow seller that sold nothing on four event days keeps
    close to the default (not ×0.0); a busy one keeps its own ratio. Without evidence: ``default``.

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
    units_on, expected, _ = event_evidence(y, days, occurrences, baseline_days)
    return shrunk_ratio(units_on, expected, default, prior_units)


@dataclass(frozen=True, eq=False)  # eq=False: numpy fields do not compare to one bool
class PooledUplift:
    """One event's uplift per SKU (``pooled_uplift``) and where it comes from.

    ``uplift``: the multiplier (SKUs,). ``weights``: (SKUs × 4), the share of the own ratio, the
    group's, the account's and the default in it (``SOURCES``; rows sum to 1). ``source``: the
    level of the largest weight (ties to the more specific). ``group``: the SKU's group ("" for
    none). ``group_skus`` / ``account_skus``: how many other SKUs with evidence the group / account
    pools.
    """

    uplift: np.ndarray
    weights: np.ndarray
    source: np.ndarray
    group: np.ndarray
    group_skus: np.ndarray
    account_skus: np.ndarray

    def words(self, built_in: bool = True) -> np.ndarray:
        """The source per SKU as the reason text and the chart say it: "own past events",
        "group Kitchen, 14 SKUs", "account, 120 SKUs", "default; editable in Settings" (a user
        event's: "default")."""
        default = "default; editable in Settings" if built_in else "default"
        out = np.empty(len(self.uplift), dtype=object)
        for i, level in enumerate(self.source):
            if level == "own":
                out[i] = "own past events"
            elif level == "group":
                out[i] = f"group {group_label(self.group[i])}, {_skus(self.group_skus[i])}"
            elif level == "account":
                out[i] = f"account, {_skus(self.account_skus[i])}"
            else:
                out[i] = default
        return out


def group_label(group: str) -> str:
    """A product group as a seller reads it: Amazon's "gl_lawn_and_garden" as "Lawn and garden";
    other names (a brand, "Kitchen") as they are.

    >>> group_label("gl_lawn_and_garden"), group_label("Acme")
    ('Lawn and garden', 'Acme')
    """
    if group.startswith("gl_") and len(group) > 3:
        words = group[3:].replace("_", " ")
        return words[0].upper() + words[1:]
    return group


def _skus(n: int) -> str:
    return f"{int(n):,} SKU" + ("" if n == 1 else "s")


def pooled_uplift(y, days: np.ndarray, occurrences: list[Event], default: float, groups=None,
                  baseline_days: int = 28, prior_units: float = PRIOR_UNITS) -> PooledUplift:
    """Per-SKU uplift of one event, shrunk level by level: account towards the default, group towards
    the account, SKU towards its group.

    With ``S`` the units sold on a SKU's past in-stock event days and ``E`` the units its baseline
    rate expects there (``event_evidence``), and m = ``prior_units``:

    - account: ``r_A = (ΣS + m·default) ÷ (ΣE + m)`` over the account's other SKUs;
    - group: ``r_G = (ΣS + m·r_A) ÷ (ΣE + m)`` over the other SKUs of its group (``groups``: the
      product group, else brand; "" or None: no group, ``r_G = r_A``);
    - SKU: ``uplift = (S + m·r_G) ÷ (E + m)``.

    Each is the gamma-Poisson posterior mean (``shrunk_ratio``) with the level above as the prior.
    The pools leave the SKU itself out, so its own evidence counts once. The uplift is a weighted
    mean of the levels' own ratios: weight w_own = E ÷ (E + m), then (1 − w_own)·w_G with
    w_G = ΣE_G ÷ (ΣE_G + m), then (1 − w_own)(1 − w_G)·w_A, and the rest on the default. The
    ``source`` named is the level with the largest weight: "own" whenever E > m (its own event days
    expected more units than the prior is worth), a pool when the pool's share outweighs the rest.

    Examples
    --------
    Two SKUs of group "K" sold 2 a day and 4 a day on the event's 2 days (ratio 2, E = 4 each); "N",
    in the same group, has no history. Account for "N": r_A = (16 + 5 × 1.5) ÷ (8 + 5); its group:
    r_G = (16 + 5 r_A) ÷ (8 + 5) = 1.926; its weights: group 8/13, account 5/13 × 8/13, default 25/169.

    >>> days = np.arange(np.datetime64("2026-01-01"), np.datetime64("2026-01-31"))
    >>> k = [2.0] * 28 + [4.0, 4.0]
    >>> y = np.array([k, k, [np.nan] * 30])
    >>> e = Event("Sale", dt.date(2026, 1, 29), dt.date(2026, 1, 30), 1.5)
    >>> p = pooled_uplift(y, days, [e], 1.5, np.array(["K", "K", "K"], object))
    >>> r_a = (16 + 5 * 1.5) / 13; round(float(p.uplift[2]), 4), round((16 + 5 * r_a) / 13, 4)
    (1.926, 1.926)
    >>> p.weights[2].round(3).tolist(), p.words()[2]
    ([0.0, 0.615, 0.237, 0.148], 'group K, 2 SKUs')
    """
    units_on, expected, ok = event_evidence(y, days, occurrences, baseline_days)
    m = prior_units
    groups = pd.Series(np.full(len(ok), "", object) if groups is None else groups, dtype=object)
    groups = groups.fillna("").astype(str).to_numpy(dtype=object)
    # The account's other SKUs (clipped: a total less one's own can come out as -1e-13).
    s_a = np.maximum(units_on.sum() - units_on, 0.0)
    e_a = np.maximum(expected.sum() - expected, 0.0)
    n_a = ok.sum() - ok
    r_a = shrunk_ratio(s_a, e_a, default, m)
    # The other SKUs of its group (none for "").
    codes = pd.factorize(groups)[0]
    has_group = groups != ""

    def others_in_group(values: np.ndarray) -> np.ndarray:
        total = np.bincount(codes, values, codes.max(initial=-1) + 1)[codes]
        return np.where(has_group, np.maximum(total - values, 0.0), 0.0)

    s_g, e_g, n_g = (others_in_group(v) for v in (units_on, expected, ok.astype(float)))
    r_g = shrunk_ratio(s_g, e_g, r_a, m)
    uplift = shrunk_ratio(units_on, expected, r_g, m)
    w_own, w_g, w_a = expected / (expected + m), e_g / (e_g + m), e_a / (e_a + m)
    weights = np.stack([w_own, (1 - w_own) * w_g, (1 - w_own) * (1 - w_g) * w_a,
                        (1 - w_own) * (1 - w_g) * (1 - w_a)], axis=1).reshape(-1, 4)
    source = np.array(SOURCES, dtype=object)[np.argmax(weights, axis=1)]
    return PooledUplift(uplift, weights, source, groups, np.rint(n_g).astype(int), n_a)


class EventFactors(NamedTuple):
    """``uplift_factors``' result: multipliers (SKUs × future days), which history days were event
    days (days,), and per event name with a future occurrence the source of its uplift in words
    (``PooledUplift.words``, SKUs,)."""

    factors: np.ndarray
    past: np.ndarray
    sources: dict[str, np.ndarray]


def uplift_factors(y, days: np.ndarray, future_days: np.ndarray, events: tuple[Event, ...],
                   baseline_days: int = 28, groups=None) -> EventFactors:
    """The demand multiplier of every SKU on every future day, which history days were event days,
    and where each SKU's uplift comes from.

    An event's past occurrences are those ending within ``days``; its uplift per SKU is
    ``pooled_uplift`` of them (``groups``: the SKUs' product group or brand), its default that of
    its first future occurrence. Overlapping events take the larger multiplier.
    """
    y = np.asarray(y, dtype=float)
    factors = np.ones((y.shape[0], len(future_days)))
    past = np.zeros(len(days), bool)
    sources = {}
    last = days[-1] if len(days) else None
    for name in dict.fromkeys(e.name for e in events):
        occurrences = [e for e in events if e.name == name]
        history = [e for e in occurrences if last is not None and np.datetime64(e.end, "D") <= last]
        future = [e for e in occurrences if len(future_days) and day_mask(future_days, e.start, e.end).any()]
        for e in history:
            past |= day_mask(days, e.start, e.end)
        if not future:
            continue
        pooled = pooled_uplift(y, days, history, future[0].uplift, groups, baseline_days)
        sources[name] = pooled.words(name in BUILT_IN_EVENTS)
        for e in future:
            mask = day_mask(future_days, e.start, e.end)
            factors[:, mask] = np.maximum(np.where(factors[:, mask] == 1, 0, factors[:, mask]),
                                          pooled.uplift[:, None])
    return EventFactors(factors, past, sources)


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


def demand_events_text(future_factors, future_days: np.ndarray, events: tuple[Event, ...],
                       sources: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Per SKU, the events whose uplift is inside the demand of ``future_days``, in words:
    "Prime Day 8-11 Jul, ×2.0", several joined by "; " in date order, "" where none. With ``sources``
    (event name -> per-SKU words, ``EventFactors.sources``) each ends with where its uplift comes from:
    "Prime Day 8-11 Jul, ×1.9 (own past events)".

    ``future_factors`` (SKUs × days) are ``uplift_factors``' multipliers on those days (the forecast's
    next ``summary_days``, the days its demand per day averages). An event counts for a SKU when one
    of its days falls inside and its factor there (the largest, where events overlap) differs from 1.

    >>> days = np.arange(np.datetime64("2026-07-01"), np.datetime64("2026-07-29"))
    >>> factors = np.where((days >= np.datetime64("2026-07-08")) & (days <= np.datetime64("2026-07-11")), 2.0, 1.0)
    >>> e = (Event("Prime Day", dt.date(2026, 7, 8), dt.date(2026, 7, 11), 2.0),
    ...      Event("Black Friday-Cyber Monday", dt.date(2026, 11, 27), dt.date(2026, 11, 30), 1.8))
    >>> demand_events_text(factors[None, :], days, e).tolist()
    ['Prime Day 8-11 Jul, ×2.0']
    >>> demand_events_text(factors[None, :], days, e, {"Prime Day": np.array(["account, 120 SKUs"])}).tolist()
    ['Prime Day 8-11 Jul, ×2.0 (account, 120 SKUs)']
    """
    factors = np.asarray(future_factors, dtype=float)
    texts = [[] for _ in range(factors.shape[0])]
    for e in sorted(events, key=lambda e: e.start):  # in date order
        mask = day_mask(future_days, e.start, e.end) if len(future_days) else np.zeros(0, bool)
        if not mask.any():
            continue
        factor = factors[:, mask].max(axis=1)
        words = f"{e.name} {event_dates_text(e.start, e.end)}, "
        source = (sources or {}).get(e.name)
        for i in np.flatnonzero(np.abs(factor - 1.0) > 1e-9):
            where = f" ({source[i]})" if source is not None else ""
            texts[i].append(words + uplift_text(float(factor[i])) + where)
    return np.array(["; ".join(t) for t in texts], dtype=object)
