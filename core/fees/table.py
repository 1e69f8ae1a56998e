"""The FBA fee schedule as data: versioned tables in ``core/fees/tables/<marketplace>.json``, loaded
into a frozen ``FeeTable``, and small pure lookups over it.

Each version has an ``effective_from`` date; the one in force on a date is the latest that starts on
or before it. Each block (storage, utilisation_surcharge, aged_surcharge, overage, removal, disposal,
low_inventory) carries its ``source`` and a ``confirmed`` flag: ``False`` marks rates that no Amazon
page we could read confirms (amazon_reports.md section 10), so they serve estimates only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

TABLES_DIR = Path(__file__).resolve().parent / "tables"
SIZE_TIERS = ("standard", "oversize")
BLOCKS = ("storage", "utilisation_surcharge", "aged_surcharge", "overage", "removal", "disposal",
          "low_inventory")


@dataclass(frozen=True)
class AisBand:
    """One aged-inventory surcharge band: ages ``low``..``high`` days inclusive (``high`` None: open)."""

    label: str  # Amazon's band, e.g. "181-210" or "456+"
    column: str  # our column name, e.g. "ais_181_210"
    low: int
    high: int | None


# The registry of AIS bands (the planning report's estimated-ais-* columns); tables give their rates.
AIS_BANDS: tuple[AisBand, ...] = (
    AisBand("181-210", "ais_181_210", 181, 210),
    AisBand("211-240", "ais_211_240", 211, 240),
    AisBand("241-270", "ais_241_270", 241, 270),
    AisBand("271-300", "ais_271_300", 271, 300),
    AisBand("301-330", "ais_301_330", 301, 330),
    AisBand("331-365", "ais_331_365", 331, 365),
    AisBand("366-455", "ais_366_455", 366, 455),
    AisBand("456+", "ais_456_plus", 456, None),
)
AIS_LABELS = tuple(b.label for b in AIS_BANDS)
AIS_COLUMNS = tuple(b.column for b in AIS_BANDS)


@dataclass(frozen=True)
class UtilisationTier:
    """Total storage rate per cu ft (base + surcharge) when the utilisation ratio is above ``above_weeks``."""

    above_weeks: float
    standard_off_peak: float
    standard_peak: float
    oversize_off_peak: float
    oversize_peak: float


@dataclass(frozen=True)
class WeightBracket:
    """Per-unit fee for shipping weights up to ``max_lb`` (None: the open top bracket)."""

    max_lb: float | None
    fee: float
    per_lb_above: float = 0.0
    above_lb: float = 0.0


@dataclass(frozen=True)
class FeeTable:
    """One version of a marketplace's fee schedule. Money in the marketplace currency, volume in cu ft."""

    marketplace: str
    currency: str
    effective_from: dt.date
    peak_months: tuple[int, ...]
    storage_standard_off_peak: float
    storage_standard_peak: float
    storage_oversize_off_peak: float
    storage_oversize_peak: float
    utilisation_threshold_weeks: float
    utilisation_exempt_max_age_days: int
    utilisation_tiers: tuple[UtilisationTier, ...]
    ais_assessment_day: int
    ais_per_cuft: tuple[float, ...]  # in the order of AIS_BANDS
    ais_per_unit_floor: tuple[float, ...]
    overage_per_cuft: float
    removal_standard: tuple[WeightBracket, ...]
    removal_oversize: tuple[WeightBracket, ...]
    disposal_standard: tuple[WeightBracket, ...]
    disposal_oversize: tuple[WeightBracket, ...]
    low_inventory_threshold_days: float
    low_inventory_per_unit_standard: float
    low_inventory_per_unit_oversize: float
    confirmed: tuple[tuple[str, bool], ...]  # (block, confirmed)
    sources: tuple[tuple[str, str], ...]  # (block, source)

    def is_confirmed(self, block: str) -> bool:
        """Whether the rates of ``block`` (one of BLOCKS) are confirmed by an Amazon source."""
        if block not in BLOCKS:
            raise ValueError(f"block must be one of {BLOCKS}, got {block!r}")
        return dict(self.confirmed)[block]

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        """The blocks whose rates are not confirmed."""
        return tuple(b for b, ok in self.confirmed if not ok)


def _brackets(rows: list[dict]) -> tuple[WeightBracket, ...]:
    return tuple(WeightBracket(r["max_lb"], float(r["fee"]), float(r.get("per_lb_above", 0.0)),
                               float(r.get("above_lb", 0.0))) for r in rows)


def _parse_version(marketplace: str, currency: str, v: dict) -> FeeTable:
    storage, util, ais = v["storage"], v["utilisation_surcharge"], v["aged_surcharge"]
    labels = tuple(b["label"] for b in ais["bands"])
    if labels != AIS_LABELS:
        raise ValueError(f"aged_surcharge bands of {marketplace} {v['effective_from']} must be {AIS_LABELS}")
    rate = storage["per_cuft"]
    return FeeTable(
        marketplace=marketplace, currency=currency,
        effective_from=dt.date.fromisoformat(v["effective_from"]),
        peak_months=tuple(int(m) for m in storage["peak_months"]),
        storage_standard_off_peak=rate["standard"]["off_peak"],
        storage_standard_peak=rate["standard"]["peak"],
        storage_oversize_off_peak=rate["oversize"]["off_peak"],
        storage_oversize_peak=rate["oversize"]["peak"],
        utilisation_threshold_weeks=float(util["threshold_weeks"]),
        utilisation_exempt_max_age_days=int(util["exempt_max_age_days"]),
        utilisation_tiers=tuple(sorted(
            (UtilisationTier(float(t["above_weeks"]), t["standard"]["off_peak"], t["standard"]["peak"],
                             t["oversize"]["off_peak"], t["oversize"]["peak"]) for t in util["tiers"]),
            key=lambda t: t.above_weeks)),
        ais_assessment_day=int(ais["assessment_day"]),
        ais_per_cuft=tuple(float(b["per_cuft"]) for b in ais["bands"]),
        ais_per_unit_floor=tuple(float(b["per_unit_floor"]) for b in ais["bands"]),
        overage_per_cuft=float(v["overage"]["per_cuft"]),
        removal_standard=_brackets(v["removal"]["per_unit"]["standard"]),
        removal_oversize=_brackets(v["removal"]["per_unit"]["oversize"]),
        disposal_standard=_brackets(v["disposal"]["per_unit"]["standard"]),
        disposal_oversize=_brackets(v["disposal"]["per_unit"]["oversize"]),
        low_inventory_threshold_days=float(v["low_inventory"]["threshold_days"]),
        low_inventory_per_unit_standard=float(v["low_inventory"]["per_unit"]["standard"]),
        low_inventory_per_unit_oversize=float(v["low_inventory"]["per_unit"]["oversize"]),
        confirmed=tuple((b, bool(v[b]["confirmed"])) for b in BLOCKS),
        sources=tuple((b, str(v[b]["source"])) for b in BLOCKS),
    )


@lru_cache(maxsize=16)
def _versions(path: Path) -> tuple[FeeTable, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    tables = (_parse_version(data["marketplace"], data["currency"], v) for v in data["versions"])
    return tuple(sorted(tables, key=lambda t: t.effective_from))


def fee_table(marketplace: str = "US", on: dt.date | None = None, path: Path | None = None) -> FeeTable:
    """The fee table in force on a date: the latest version with ``effective_from <= on``.

    Parameters
    ----------
    marketplace : str
        Marketplace code; reads ``core/fees/tables/<marketplace lower case>.json`` unless ``path``.
    on : datetime.date, optional
        The date; today by default.
    path : Path, optional
        Another table file in the same format.

    Returns
    -------
    FeeTable

    Examples
    --------
    >>> import datetime as dt
    >>> fee_table("US", dt.date(2026, 11, 15)).storage_standard_off_peak
    0.78
    >>> fee_table("US", dt.date(2024, 3, 31)).storage_standard_off_peak
    0.87
    """
    on = on or dt.date.today()
    file = Path(path) if path is not None else TABLES_DIR / f"{marketplace.lower()}.json"
    if not file.exists():
        raise ValueError(f"marketplace {marketplace!r} has no fee table ({file})")
    in_force = [t for t in _versions(file.resolve()) if t.effective_from <= on]
    if not in_force:
        raise ValueError(f"no {marketplace} fee table in force on {on.isoformat()} (earliest version starts "
                         f"{_versions(file.resolve())[0].effective_from.isoformat()})")
    return in_force[-1]


def size_tier_group(amazon_tier_text) -> str | pd.Series:
    """Amazon's product size tier text mapped to the storage-fee group "standard" or "oversize".

    Oversize (Amazon's "large bulky" and "extra-large", formerly "oversize") when the text names
    bulky, oversize or extra-large; everything else, unknown and missing included, is standard.
    Accepts a string or a Series (mapped element-wise).

    Examples
    --------
    >>> size_tier_group("Large standard-size"), size_tier_group("Extra-large 0 to 50 lb")
    ('standard', 'oversize')
    >>> size_tier_group("Small oversize"), size_tier_group(None)
    ('oversize', 'standard')
    """
    if isinstance(amazon_tier_text, pd.Series):
        return amazon_tier_text.map(size_tier_group).astype(object)
    if not isinstance(amazon_tier_text, str):
        return "standard"
    text = amazon_tier_text.lower().replace("_", "-").replace(" ", "")
    oversize = any(word in text for word in ("bulky", "oversize", "extra-large", "extralarge"))
    return "oversize" if oversize else "standard"


def _check_tiers(size_tier) -> np.ndarray:
    tiers = np.asarray(size_tier, dtype=object)
    bad = ~np.isin(tiers, SIZE_TIERS)
    if bad.any():
        raise ValueError(f"size_tier must be 'standard' or 'oversize', got {tiers[bad].ravel()[0]!r}")
    return tiers


def _check_months(month) -> np.ndarray:
    months = np.asarray(month)
    if ((months < 1) | (months > 12)).any():
        raise ValueError("month must be in 1..12")
    return months


def storage_rate_per_cuft(table: FeeTable, size_tier, month):
    """Monthly storage fee per cubic foot of average daily volume, by size tier and calendar month.

    ``rate = peak rate if month in table.peak_months (Oct-Dec) else off-peak rate``, per size tier.
    Source: Amazon help GJ9NNG7RK4TU6E3Z (amazon_reports.md 10.1). Vectorised over both arguments.

    Parameters
    ----------
    table : FeeTable
    size_tier : str or array of str
        "standard" or "oversize".
    month : int or array of int
        Calendar month 1-12.

    Returns
    -------
    float or ndarray
        Dollars per cu ft per month.

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> float(storage_rate_per_cuft(t, "standard", 9)), float(storage_rate_per_cuft(t, "standard", 10))
    (0.78, 2.4)
    >>> storage_rate_per_cuft(t, ["standard", "oversize"], [1, 12]).tolist()
    [0.78, 1.4]
    """
    tiers, months = _check_tiers(size_tier), _check_months(month)
    peak = np.isin(months, table.peak_months)
    standard = np.where(peak, table.storage_standard_peak, table.storage_standard_off_peak)
    oversize = np.where(peak, table.storage_oversize_peak, table.storage_oversize_off_peak)
    return np.where(tiers == "oversize", oversize, standard)


def utilisation_surcharge_per_cuft(table: FeeTable, size_tier, ratio_weeks, month):
    """Storage utilisation surcharge per cubic foot (on top of the base storage rate).

    ``surcharge = total rate of the tier holding ratio_weeks − base rate``, 0 at or below the
    threshold (22 weeks). Tiers are ``(above_weeks, next above_weeks]``; the ratio is Amazon's
    ``average daily volume on hand ÷ average daily volume shipped ÷ 7`` over 13 weeks
    (``projection.utilisation_ratio_weeks``). Inventory aged 0-30 days is exempt: apply the rate to
    the older units' cubic feet only. Source: GJ9NNG7RK4TU6E3Z for the threshold and exemption; the
    tier rates are INFERRED (``table.is_confirmed("utilisation_surcharge")`` is False).

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> round(float(utilisation_surcharge_per_cuft(t, "standard", 30.0, 3)), 2)  # 1.54 - 0.78
    0.76
    >>> float(utilisation_surcharge_per_cuft(t, "standard", 22.0, 3))
    0.0
    """
    tiers, months = _check_tiers(size_tier), _check_months(month)
    ratio = np.asarray(ratio_weeks, dtype=float)
    if (ratio < 0).any():
        raise ValueError("ratio_weeks must be >= 0")
    base = storage_rate_per_cuft(table, tiers, months)
    if not table.utilisation_tiers:
        return np.zeros(np.broadcast(base, ratio).shape)
    peak = np.isin(months, table.peak_months)
    bounds = np.array([t.above_weeks for t in table.utilisation_tiers])
    index = np.searchsorted(bounds, ratio, side="left") - 1  # ratio > bound -> that tier
    rows = np.array([[t.standard_off_peak, t.standard_peak, t.oversize_off_peak, t.oversize_peak]
                     for t in table.utilisation_tiers])
    col = np.where(tiers == "oversize", 2, 0) + peak.astype(int)
    total = rows[np.clip(index, 0, None), col]
    above = (index >= 0) & (ratio > table.utilisation_threshold_weeks)
    return np.where(above, total - base, 0.0)


def ais_band(age_days):
    """The aged-inventory surcharge band of an age in days: "181-210" … "456+", None under 181.

    Scalar in, scalar out; an array gives an object array. Source: the planning report's
    ``estimated-ais-*`` columns (amazon_reports.md 10.3).

    Examples
    --------
    >>> ais_band(186), ais_band(180), ais_band(366), ais_band(500)
    ('181-210', None, '366-455', '456+')
    """
    ages = np.asarray(age_days, dtype=float)
    out = np.full(ages.shape, None, dtype=object)
    for band in AIS_BANDS:
        out = np.where(ages >= band.low, band.label, out)
    return out.item() if out.ndim == 0 else out


def _band_index(band: str) -> int:
    if band not in AIS_LABELS:
        raise ValueError(f"band must be one of {AIS_LABELS}, got {band!r}")
    return AIS_LABELS.index(band)


def aged_surcharge(units, cubic_feet, band: str | None, table: FeeTable):
    """Aged-inventory surcharge for the units of one band on an assessment day (the 15th).

    ``surcharge = max(cubic_feet × rate_per_cuft, units × per_unit_floor)`` for the band. Source:
    amazon_reports.md 10.3 (366-455: 6.90/cu ft, floor 0.30/unit; 456+: 7.90/cu ft, floor
    0.35/unit). ``band`` None (under 181 days) costs 0. Vectorised over units and cubic feet.

    Parameters
    ----------
    units : float or array
        Units in the band on the assessment day.
    cubic_feet : float or array
        Their total volume in cubic feet.
    band : str or None
        A label of AIS_BANDS.
    table : FeeTable

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> float(aged_surcharge(100, 50.0, "181-210", t))  # 50 cu ft × 0.50
    25.0
    >>> float(aged_surcharge(1000, 10.0, "456+", t))  # max(10 × 7.90, 1000 × 0.35)
    350.0
    """
    units, cubic_feet = np.asarray(units, dtype=float), np.asarray(cubic_feet, dtype=float)
    if (units < 0).any() or (cubic_feet < 0).any():
        raise ValueError("units and cubic_feet must be >= 0")
    if band is None:
        return np.zeros(np.broadcast(units, cubic_feet).shape)
    i = _band_index(band)
    return np.maximum(cubic_feet * table.ais_per_cuft[i], units * table.ais_per_unit_floor[i])


def _weight_fee(brackets: tuple[WeightBracket, ...], weight_lb) -> np.ndarray:
    weight = np.asarray(weight_lb, dtype=float)
    if (weight < 0).any():
        raise ValueError("weight_lb must be >= 0")
    fee = np.full(weight.shape, np.nan)
    for b in reversed(brackets):  # the lightest bracket that holds the weight wins
        top = np.inf if b.max_lb is None else b.max_lb
        fee = np.where(weight <= top, b.fee + b.per_lb_above * np.maximum(weight - b.above_lb, 0.0), fee)
    return np.where(np.isnan(weight), np.nan, fee)


def removal_fee_per_unit(table: FeeTable, size_tier, weight_lb):
    """Removal order fee per unit by size tier and shipping weight in pounds.

    ``fee = bracket fee + per_lb_above × (weight − above_lb)`` for the top bracket. The rates are
    not confirmed (``table.is_confirmed("removal")`` is False). Vectorised.

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> float(removal_fee_per_unit(t, "standard", 0.4))
    1.04
    >>> round(float(removal_fee_per_unit(t, "standard", 3.0)), 2)  # 2.89 + 1.06 × (3 − 2)
    3.95
    """
    tiers = _check_tiers(size_tier)
    return np.where(tiers == "oversize", _weight_fee(table.removal_oversize, weight_lb),
                    _weight_fee(table.removal_standard, weight_lb))


def disposal_fee_per_unit(table: FeeTable, size_tier, weight_lb):
    """Disposal order fee per unit by size tier and shipping weight in pounds (unconfirmed rates).

    Same bracket rule as ``removal_fee_per_unit``.

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> float(disposal_fee_per_unit(t, "oversize", 1.5))
    4.07
    """
    tiers = _check_tiers(size_tier)
    return np.where(tiers == "oversize", _weight_fee(table.disposal_oversize, weight_lb),
                    _weight_fee(table.disposal_standard, weight_lb))


def low_inventory_fee_applies(hdos_30, hdos_90, table: FeeTable):
    """Whether the low-inventory-level fee applies: BOTH historical days of supply under the threshold.

    ``applies = hdos_30 < 28 and hdos_90 < 28`` (short-term = 30-day, long-term = 90-day historical
    days of supply, as in the planning report). Missing values never apply. The rule is INFERRED
    (amazon_reports.md 10.4). Vectorised.

    Examples
    --------
    >>> t = fee_table("US", __import__("datetime").date(2026, 1, 1))
    >>> bool(low_inventory_fee_applies(20, 25, t)), bool(low_inventory_fee_applies(20, 40, t))
    (True, False)
    """
    short, long = np.asarray(hdos_30, dtype=float), np.asarray(hdos_90, dtype=float)
    limit = table.low_inventory_threshold_days
    return (np.nan_to_num(short, nan=np.inf) < limit) & (np.nan_to_num(long, nan=np.inf) < limit)


def fee_table_rows(table: FeeTable) -> pd.DataFrame:
    """The fee table as rows a seller can read: block, item, rate, unit, confirmed, source.

    Examples
    --------
    >>> first = fee_table_rows(fee_table("US", dt.date(2026, 1, 1))).iloc[0]
    >>> first["block"], first["item"], float(first["rate"]), first["unit"]
    ('storage', 'standard, Jan-Sep', 0.78, '$ per cu ft a month')
    """
    confirmed, sources = dict(table.confirmed), dict(table.sources)
    rows = [("storage", f"{tier}, {season}", rate, "$ per cu ft a month")
            for tier, season, rate in (("standard", "Jan-Sep", table.storage_standard_off_peak),
                                       ("standard", "Oct-Dec", table.storage_standard_peak),
                                       ("oversize", "Jan-Sep", table.storage_oversize_off_peak),
                                       ("oversize", "Oct-Dec", table.storage_oversize_peak))]
    rows += [("utilisation_surcharge", f"above {t.above_weeks:g} weeks, standard Jan-Sep (total)", t.standard_off_peak,
              "$ per cu ft a month") for t in table.utilisation_tiers]
    for band, per_cuft, floor in zip(AIS_BANDS, table.ais_per_cuft, table.ais_per_unit_floor):
        rows.append(("aged_surcharge", f"{band.label} days", per_cuft, "$ per cu ft, on the 15th"))
        if floor:
            rows.append(("aged_surcharge", f"{band.label} days, per-unit floor", floor, "$ per unit, if higher"))
    rows.append(("overage", "over the storage limit", table.overage_per_cuft, "$ per cu ft a month"))
    for block, brackets in (("removal", table.removal_standard), ("disposal", table.disposal_standard)):
        rows += [(block, f"standard, up to {b.max_lb:g} lb" if b.max_lb is not None else f"standard, over {b.above_lb:g} lb",
                  b.fee, "$ per unit") for b in brackets]
    rows.append(("low_inventory", f"both 30- and 90-day historical days of supply under "
                                  f"{table.low_inventory_threshold_days:g}", table.low_inventory_per_unit_standard,
                 "$ per unit, standard"))
    frame = pd.DataFrame(rows, columns=["block", "item", "rate", "unit"])
    return frame.assign(confirmed=frame["block"].map(confirmed), source=frame["block"].map(sources))
