"""The FBA fee schedule as data: versioned tables in ``core/fees/tables/<marketplace>.json``, loaded
into a frozen ``FeeTable``, and small pure lookups over it.

Each version has an ``effective_from`` date; the one in force on a date is the latest that starts on
or before it. Each block (storage, utilisation_surcharge, aged_surcharge, overage, removal, disposal,
low_inventory, placement) carries its ``source`` and a ``confirmed`` flag: ``False`` marks rates that
no Amazon page we could read confirms (amazon_reports.md section 10), so they serve estimates only.

The seller may edit the version in force on the Settings page: the edit is saved in the database as a
seller version (``save_seller_version``), never in the JSON file, and ``fee_table_in_force`` (what the
app's callers use) prefers it over Amazon's published version of the same or an earlier date.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from core import db

TABLES_DIR = Path(__file__).resolve().parent / "tables"
SIZE_TIERS = ("standard", "oversize")
BLOCKS = ("storage", "utilisation_surcharge", "aged_surcharge", "overage", "removal", "disposal",
          "low_inventory", "placement")
# Amazon's inbound placement options, by how many inbound locations the shipment is split across:
# one (minimal), two or three (partial), four or more as Amazon chooses (amazon_optimised).
PLACEMENT_OPTIONS = ("minimal", "partial", "amazon_optimised")
# The split option the restock plan prices until the seller picks one (Settings): Amazon-optimised splits,
# the option with no placement fee that Amazon's Send to Amazon offers for shipments of at least five
# identical cartons per item (Amazon's "FBA inbound placement service fee" help page, as quoted by
# accelerlist and Seller Assistant, whose calculator defaults to it too). Sellers who ship to one
# location choose "minimal" on the Settings page.
DEFAULT_PLACEMENT_SPLIT = "amazon_optimised"
SETTINGS_PREFIX = "fee_table_"  # the settings-table name of a marketplace's seller versions: fee_table_us


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
class LowInventoryBracket:
    """Low-inventory-level fee per unit for shipping weights up to ``max_lb`` (None: open top), by band of
    historical days of supply: ``fees[i]`` applies from ``upper_days[i-1]`` (0 for the first) to under
    ``upper_days[i]``; nothing at or above the last edge."""

    max_lb: float | None
    upper_days: tuple[float, ...]
    fees: tuple[float, ...]


@dataclass(frozen=True)
class PlacementOption:
    """Inbound placement fee brackets of one split option per size group; None: not offered for it."""

    option: str  # one of PLACEMENT_OPTIONS
    standard: tuple[WeightBracket, ...] | None
    oversize: tuple[WeightBracket, ...] | None


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
    low_inventory_standard: tuple[LowInventoryBracket, ...] = ()
    low_inventory_oversize: tuple[LowInventoryBracket, ...] = ()
    low_inventory_measured_per: str = "parent_asin"  # "fnsku" from 2026-01-15
    low_inventory_covers_bulky: bool = False
    placement: tuple[PlacementOption, ...] = ()  # empty: not modelled in this version (costs 0)
    removal_billing: str = "order_completed"  # "per_unit_processed" from 2026-02-15
    saved_at: str | None = None  # None: Amazon's published table (the JSON file); else the seller's edit

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


def _low_inventory_brackets(low: dict, tier: str) -> tuple[LowInventoryBracket, ...]:
    """One size group's low-inventory brackets; a version without bands (before 2026) charges its flat
    ``per_unit`` amount under ``threshold_days``."""
    threshold = float(low["threshold_days"])
    if "per_unit_by_weight" not in low:
        return (LowInventoryBracket(None, (threshold,), (float(low["per_unit"][tier]),)),)
    edges = tuple(float(d) for d in low["band_upper_days"])
    rows = low["per_unit_by_weight"][tier]
    return tuple(LowInventoryBracket(r["max_lb"], tuple(float(d) for d in r.get("upper_days", edges)),
                                     tuple(float(f) for f in r["fees"])) for r in rows)


NO_PLACEMENT = {"source": "not modelled in this version (the fee started 2024-03-01): counted as 0",
                "confirmed": False, "options": {}}


def _parse_version(marketplace: str, currency: str, v: dict) -> FeeTable:
    v = {**v, "placement": v.get("placement", NO_PLACEMENT)}
    storage, util, ais = v["storage"], v["utilisation_surcharge"], v["aged_surcharge"]
    labels = tuple(b["label"] for b in ais["bands"])
    if labels != AIS_LABELS:
        raise ValueError(f"aged_surcharge bands of {marketplace} {v['effective_from']} must be {AIS_LABELS}")
    rate = storage["per_cuft"]
    low_standard = _low_inventory_brackets(v["low_inventory"], "standard")
    low_oversize = _low_inventory_brackets(v["low_inventory"], "oversize")
    unknown = set(v["placement"]["options"]) - set(PLACEMENT_OPTIONS)
    if unknown:
        raise ValueError(f"placement options of {marketplace} {v['effective_from']} must be among "
                         f"{PLACEMENT_OPTIONS}, got {sorted(unknown)}")
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
        low_inventory_per_unit_standard=low_standard[0].fees[-1],
        low_inventory_per_unit_oversize=low_oversize[0].fees[-1],
        confirmed=tuple((b, bool(v[b]["confirmed"])) for b in BLOCKS),
        sources=tuple((b, str(v[b]["source"])) for b in BLOCKS),
        low_inventory_standard=low_standard, low_inventory_oversize=low_oversize,
        low_inventory_measured_per=str(v["low_inventory"].get("measured_per", "parent_asin")),
        low_inventory_covers_bulky=bool(v["low_inventory"].get("covers_bulky", False)),
        placement=tuple(PlacementOption(name, *(None if o.get(t) is None else _brackets(o[t]) for t in SIZE_TIERS))
                        for name, o in v["placement"]["options"].items()),
        removal_billing=str(v["removal"].get("billing", "order_completed")),
        saved_at=v.get("saved_at"),
    )


@lru_cache(maxsize=16)
def _file(path: Path, modified_ns: int) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _published(path: Path) -> dict:
    """The table file as read (cached until the file changes): marketplace, currency, versions."""
    return _file(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _parsed(path: Path, modified_ns: int) -> tuple[FeeTable, ...]:
    data = _file(path, modified_ns)
    tables = (_parse_version(data["marketplace"], data["currency"], v) for v in data["versions"])
    return tuple(sorted(tables, key=lambda t: t.effective_from))


def _versions(path: Path) -> tuple[FeeTable, ...]:
    return _parsed(path, path.stat().st_mtime_ns)


def table_path(marketplace: str = "US") -> Path:
    """The built-in table file of a marketplace: ``core/fees/tables/<marketplace lower case>.json``."""
    file = TABLES_DIR / f"{marketplace.lower()}.json"
    if not file.exists():
        raise ValueError(f"marketplace {marketplace!r} has no fee table ({file})")
    return file


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


def seller_versions(db_path: Path, marketplace: str = "US") -> list[dict]:
    """The seller's saved versions of a marketplace's table (as the JSON file's versions, each with its
    ``saved_at``), oldest saved first; empty when the seller never saved one."""
    name = SETTINGS_PREFIX + marketplace.lower()
    with db.connect(Path(db_path)) as con:
        row = con.execute("SELECT value FROM settings WHERE name = $name", {"name": name}).fetchone()
    return list(json.loads(row[0])["versions"]) if row else []


def _parses(published: dict, version: dict) -> bool:
    try:
        dt.date.fromisoformat(version["effective_from"])
        _parse_version(published["marketplace"], published["currency"], version)
    except (KeyError, TypeError, ValueError, IndexError):
        return False
    return True


def version_in_force(db_path: Path | None, marketplace: str = "US", on: dt.date | None = None) -> dict:
    """The raw version (a dict as in the JSON file) in force on a date, the seller's edits included.

    Candidates are Amazon's published versions (``core/fees/tables/<mp>.json``) and the seller's saved
    ones; the one in force has the latest ``effective_from <= on``, and on the same date a seller
    version wins over the published one and a later save over an earlier. So a later published
    version (Amazon's next change, shipped in the JSON file) takes over from its own date.
    ``db_path`` None: the published versions only. A saved version that no longer parses (saved by an
    older app whose table had other fields) is passed over, as other saved settings that no longer
    validate are.
    """
    on = on or dt.date.today()
    published = _published(table_path(marketplace))
    candidates = [((v["effective_from"], 0, ""), v) for v in published["versions"]]
    if db_path is not None:
        candidates += [((v["effective_from"], 1, v.get("saved_at", "")), v)
                       for v in seller_versions(db_path, marketplace) if _parses(published, v)]
    in_force = [c for c in candidates if dt.date.fromisoformat(c[0][0]) <= on]
    if not in_force:
        raise ValueError(f"no {marketplace} fee table in force on {on.isoformat()} (earliest version starts "
                         f"{min(c[0][0] for c in candidates)})")
    return max(in_force, key=lambda c: c[0])[1]


def fee_table_in_force(db_path: Path | None, marketplace: str = "US", on: dt.date | None = None) -> FeeTable:
    """The fee table the app uses on a date: the seller's saved version when one is in force, else
    Amazon's published one (``version_in_force``). Every caller that prices fees reads it here.

    Examples
    --------
    >>> fee_table_in_force(None, "US", dt.date(2026, 3, 1)).effective_from
    datetime.date(2026, 2, 15)
    """
    published = _published(table_path(marketplace))
    return _parse_version(published["marketplace"], published["currency"],
                          version_in_force(db_path, marketplace, on))


def save_seller_version(db_path: Path, version: dict, marketplace: str = "US") -> dict:
    """Save an edited version as the seller's (a new entry stamped ``saved_at``, now in UTC); the JSON
    file is never written. ValueError when the version does not parse. Returns the version saved."""
    published = _published(table_path(marketplace))
    dt.date.fromisoformat(version["effective_from"])
    _parse_version(published["marketplace"], published["currency"], version)
    saved = {**version, "saved_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")}
    versions = seller_versions(db_path, marketplace) + [saved]
    with db.writing(Path(db_path)) as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ($name, $value, now()::TIMESTAMP)",
                    {"name": SETTINGS_PREFIX + marketplace.lower(), "value": json.dumps({"versions": versions})})
    return saved


def reset_seller_versions(db_path: Path, marketplace: str = "US") -> None:
    """Forget the seller's saved versions: Amazon's published table applies again."""
    with db.writing(Path(db_path)) as con:
        con.execute("DELETE FROM settings WHERE name = $name", {"name": SETTINGS_PREFIX + marketplace.lower()})


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


def low_inventory_fee_per_unit(table: FeeTable, size_tier, days_of_supply, weight_lb=None):
    """Low-inventory-level fee per unit shipped, by size group, historical days of supply and weight.

    ``days_of_supply`` is the greater of the 30-day and 90-day historical days of supply (the fee
    applies only when both are under 28, so the greater one decides). From 2026-01-15 the fee has three
    bands, 0 to under 14, 14 to under 21 and 21 to under 28 days (a band includes its lower edge), per
    weight bracket; 0 at 28 days and over. Older versions charge one flat amount under 28, and nothing
    for oversize (bulky items are covered from 2026-01-15, ``table.low_inventory_covers_bulky``). ``weight_lb``
    (shipping weight) picks the bracket; None takes the lightest. The 2026 standard rates are from a
    third-party page and the bulky ones are placeholders (``table.is_confirmed("low_inventory")`` is
    False). Missing days of supply cost 0. Vectorised over size tier, days and weight.

    Parameters
    ----------
    table : FeeTable
    size_tier : str or array of str
        "standard" or "oversize".
    days_of_supply : float or array
        Historical days of supply, the greater of the 30- and 90-day figures.
    weight_lb : float or array, optional
        Shipping weight in pounds.

    Returns
    -------
    float or ndarray
        Dollars per unit shipped.

    Examples
    --------
    >>> t = fee_table("US", dt.date(2026, 1, 15))
    >>> [float(low_inventory_fee_per_unit(t, "standard", d, 0.5)) for d in (13.9, 14, 21, 27.9, 28)]
    [0.89, 0.63, 0.32, 0.32, 0.0]
    >>> float(low_inventory_fee_per_unit(t, "standard", 10, 2.0))  # large standard up to 3 lb
    0.97
    """
    tiers = _check_tiers(size_tier)
    days = np.asarray(days_of_supply, dtype=float)
    if (days < 0).any():
        raise ValueError("days_of_supply must be >= 0")
    weight = np.asarray(0.0 if weight_lb is None else weight_lb, dtype=float)
    if (weight < 0).any():
        raise ValueError("weight_lb must be >= 0")
    tiers, days, weight = np.broadcast_arrays(tiers, days, weight)
    fee = np.zeros(days.shape)
    for tier, brackets in (("standard", table.low_inventory_standard), ("oversize", table.low_inventory_oversize)):
        chosen = np.zeros(days.shape, dtype=bool)
        for b in brackets:  # the lightest bracket that holds the weight wins
            top = np.inf if b.max_lb is None else b.max_lb
            here = (tiers == tier) & ~chosen & ((weight <= top) | np.isnan(weight))
            low = 0.0
            for upper, band_fee in zip(b.upper_days, b.fees):
                fee = np.where(here & (days >= low) & (days < upper), band_fee, fee)
                low = upper
            chosen |= here
    fee = np.where(np.isnan(days) | ((tiers == "oversize") & (not table.low_inventory_covers_bulky)), 0.0, fee)
    return fee.item() if fee.ndim == 0 else fee


def aged_surcharge_per_unit(table: FeeTable, age_days, volume_cuft, size_tier="standard"):
    """Aged-inventory surcharge on one unit of ``age_days`` on an assessment day (the 15th).

    ``surcharge = max(volume_cuft × per_cuft, per_unit)`` of the unit's band: the greater of the
    per-cubic-foot and the per-unit amount. In the 2026 table 366-455 days (12-15 months) is per unit
    only (0.30) and 456+ (15 months and over) the greater of 7.90 per cu ft or 0.35 per unit; under
    181 days costs 0. The rates are the same for both size groups (``size_tier`` is checked only).
    Vectorised.

    Parameters
    ----------
    table : FeeTable
    age_days : int or array
        The unit's age in days on the assessment day (FIFO).
    volume_cuft : float or array
        The unit's volume in cubic feet.
    size_tier : str or array of str
        "standard" or "oversize".

    Examples
    --------
    >>> t = fee_table("US", dt.date(2026, 1, 15))
    >>> float(aged_surcharge_per_unit(t, 500, 0.01)), round(float(aged_surcharge_per_unit(t, 500, 0.1)), 2)
    (0.35, 0.79)
    >>> float(aged_surcharge_per_unit(t, 400, 2.0)), float(aged_surcharge_per_unit(t, 180, 2.0))
    (0.3, 0.0)
    """
    _check_tiers(size_tier)
    ages, volume = np.asarray(age_days, dtype=float), np.asarray(volume_cuft, dtype=float)
    if (ages < 0).any() or (volume < 0).any():
        raise ValueError("age_days and volume_cuft must be >= 0")
    per_cuft, per_unit = np.zeros(ages.shape), np.zeros(ages.shape)
    for band, rate, floor in zip(AIS_BANDS, table.ais_per_cuft, table.ais_per_unit_floor):
        inside = (ages >= band.low) & ((ages <= band.high) if band.high is not None else True)
        per_cuft, per_unit = np.where(inside, rate, per_cuft), np.where(inside, floor, per_unit)
    out = np.maximum(volume * per_cuft, per_unit)
    return out.item() if out.ndim == 0 else out


def placement_fee_per_unit(table: FeeTable, split_option: str, size_tier, weight_lb):
    """FBA inbound placement fee per unit sent, a purchase order's cost line, by split option.

    ``fee = bracket fee + per_lb_above × (weight − above_lb)`` of the option's brackets for the size
    group and shipping weight. Options: "minimal" (one inbound location), "partial" (two or three)
    and "amazon_optimised" (four or more, free). NaN where the option is not offered (partial splits
    for standard size since 2025-02-20); 0 in versions that do not model the fee. Unconfirmed rates
    (``table.is_confirmed("placement")`` is False); Amazon's West-coast premium is not modelled.
    Vectorised over size tier and weight.

    Examples
    --------
    >>> t = fee_table("US", dt.date(2026, 1, 15))
    >>> float(placement_fee_per_unit(t, "minimal", "standard", 0.8))
    0.27
    >>> float(placement_fee_per_unit(t, "amazon_optimised", "oversize", 30))
    0.0
    >>> round(float(placement_fee_per_unit(t, "minimal", "standard", 13.0)), 2)  # 0.40 + 0.016 × (13 − 3)
    0.56
    """
    if split_option not in PLACEMENT_OPTIONS:
        raise ValueError(f"split_option must be one of {PLACEMENT_OPTIONS}, got {split_option!r}")
    tiers = _check_tiers(size_tier)
    weight = np.asarray(weight_lb, dtype=float)
    tiers, weight = np.broadcast_arrays(tiers, weight)
    options = {o.option: o for o in table.placement}
    if not options:
        fee = np.where(np.isnan(weight), np.nan, 0.0)
    elif split_option not in options:
        fee = np.full(weight.shape, np.nan)
    else:
        option = options[split_option]
        nothing = np.full(weight.shape, np.nan)
        standard = nothing if option.standard is None else _weight_fee(option.standard, weight)
        oversize = nothing if option.oversize is None else _weight_fee(option.oversize, weight)
        fee = np.where(tiers == "oversize", oversize, standard)
    return fee.item() if fee.ndim == 0 else fee


BLOCK_NAMES = {"storage": "monthly storage", "utilisation_surcharge": "storage utilisation surcharge",
               "aged_surcharge": "aged-inventory surcharge", "overage": "storage over the limit",
               "removal": "removal fees", "disposal": "disposal fees", "low_inventory": "low-inventory-level fee",
               "placement": "inbound placement fee"}


def unconfirmed_note(table: FeeTable, blocks=BLOCKS) -> str:
    """A sentence naming which of ``blocks`` the table holds unconfirmed rates for, "" when none: what
    a page shows beside a figure that uses them.

    Examples
    --------
    >>> t = fee_table("US", dt.date(2026, 3, 1))
    >>> unconfirmed_note(t, ("storage", "low_inventory", "placement"))
    'Not confirmed by an Amazon page we could read: low-inventory-level fee, inbound placement fee (estimates).'
    >>> unconfirmed_note(t, ("storage",))
    ''
    """
    names = [BLOCK_NAMES[b] for b in blocks if not table.is_confirmed(b)]
    return f"Not confirmed by an Amazon page we could read: {', '.join(names)} (estimates)." if names else ""


def _bracket_item(brackets, i: int) -> str:
    """A weight bracket in words: "up to 2 lb", "over 10 lb (+1.06/lb)", "any weight"."""
    b = brackets[i]
    if b.max_lb is not None:
        return f"up to {b.max_lb:g} lb"
    if i == 0 and not getattr(b, "per_lb_above", 0):
        return "any weight"
    below = brackets[i - 1].max_lb if i else 0.0
    extra = f" (+{b.per_lb_above:g}/lb over {b.above_lb:g} lb)" if getattr(b, "per_lb_above", 0) else ""
    return f"over {below:g} lb{extra}"


def display_option(option: str) -> str:
    """A placement option as a seller reads it: "minimal splits", "Amazon-optimised splits"."""
    return {"amazon_optimised": "Amazon-optimised splits"}.get(option, f"{option} splits")


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
        if per_cuft or not floor:
            rows.append(("aged_surcharge", f"{band.label} days", per_cuft, "$ per cu ft, on the 15th"))
        if floor:
            rows.append(("aged_surcharge", f"{band.label} days" + (", per-unit floor" if per_cuft else ""), floor,
                         "$ per unit, if higher" if per_cuft else "$ per unit, on the 15th"))
    rows.append(("overage", "over the storage limit", table.overage_per_cuft, "$ per cu ft a month"))
    billing = ", billed per unit as processed" if table.removal_billing == "per_unit_processed" else ""
    for block, tiers in (("removal", (table.removal_standard, table.removal_oversize)),
                         ("disposal", (table.disposal_standard, table.disposal_oversize))):
        for tier, brackets in zip(SIZE_TIERS, tiers):
            rows += [(block, f"{tier}, {_bracket_item(brackets, i)}", b.fee, "$ per unit" + billing)
                     for i, b in enumerate(brackets)]
    for tier, brackets in (("standard", table.low_inventory_standard), ("oversize", table.low_inventory_oversize)):
        for i, b in enumerate(brackets):
            weight = "" if len(brackets) == 1 else f", {_bracket_item(brackets, i)}"
            low = 0.0
            for upper, fee in zip(b.upper_days, b.fees):
                rows.append(("low_inventory", f"{tier}{weight}, {low:g} to under {upper:g} days of supply", fee,
                             "$ per unit shipped"))
                low = upper
    for option in table.placement:
        for tier in SIZE_TIERS:
            brackets = getattr(option, tier)
            if brackets is None:
                rows.append(("placement", f"{display_option(option.option)}, {tier}: not offered", float("nan"),
                             "$ per unit sent"))
                continue
            rows += [("placement", f"{display_option(option.option)}, {tier}, {_bracket_item(brackets, i)}", b.fee,
                      "$ per unit sent") for i, b in enumerate(brackets)]
    frame = pd.DataFrame(rows, columns=["block", "item", "rate", "unit"])
    return frame.assign(confirmed=frame["block"].map(confirmed), source=frame["block"].map(sources))
