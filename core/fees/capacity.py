"""Storage capacity: monthly storage limits per storage type, and the storage overage fee.

Amazon sets a monthly storage limit (cubic feet) per storage type; volume above it is charged the
storage overage fee of **$10 per cubic foot** of average daily volume above the limit, per month
(Amazon help V8JEETWV9Q33CMX). The seller enters the limits shown in Seller Central's capacity
monitor (``CapacityLimits``); usage per month comes from the Monthly Storage Fees report
(``storage_usage_from_db``: Σ ``estimated_total_item_volume``, which is already the average daily
volume of each FNSKU in each fulfilment centre).

Storage types are normalised by ``storage_type_key``: the FBA Inventory report's ``storage-type``
holds ``Standard`` (seen) or an oversize / large-bulky label (inferred); the storage-fee report's
``product_size_tier`` holds ``Standard-Size`` etc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import db

OVERAGE_FEE_PER_CUFT = 10.0  # $ per cu ft over the limit per month, Amazon help V8JEETWV9Q33CMX
STORAGE_TYPES = ("standard", "oversize")  # the storage types the reports distinguish
CAPACITY_COLUMNS = ["month", "storage_type", "cubic_feet", "limit", "over_cuft", "overage_fee", "over_limit"]


def storage_type_key(raw) -> pd.Series:
    """The storage type of report labels: "oversize" for oversize / large bulky / extra-large labels,
    "standard" for any other label containing "standard", else the label lower-cased.

    Examples
    --------
    >>> storage_type_key(["Standard", "Standard-Size", "Large Bulky", "Oversize"]).tolist()
    ['standard', 'standard', 'oversize', 'oversize']
    """
    s = pd.Series(raw, dtype="str").str.strip().str.lower()
    oversize = s.str.contains("oversize|bulky|extra-large|extralarge|extra large", regex=True, na=False)
    standard = s.str.contains("standard", na=False)
    return pd.Series(np.where(oversize, "oversize", np.where(standard, "standard", s)), index=s.index, dtype="str")


def overage_cuft(avg_daily_cuft, limit_cuft):
    """Cubic feet over the limit: ``max(0, average daily cu ft − limit)``; no limit (NaN) gives NaN.

    Examples
    --------
    >>> float(overage_cuft(1200, 1000))
    200.0
    >>> float(overage_cuft(800, 1000))
    0.0
    """
    usage = np.asarray(avg_daily_cuft, dtype=float)
    limit = np.asarray(limit_cuft, dtype=float)
    return np.maximum(0.0, usage - limit) + np.where(np.isnan(limit), np.nan, 0.0)


def overage_fee(avg_daily_cuft, limit_cuft, fee_per_cuft: float = OVERAGE_FEE_PER_CUFT):
    """Monthly storage overage fee: ``max(0, average daily cu ft − limit) × fee per cu ft`` ($).

    Source: Amazon help V8JEETWV9Q33CMX, $10 per cubic foot over the limit per month.

    Examples
    --------
    1,200 cu ft on average against a 1,000 cu ft limit: 200 × $10 = $2,000.

    >>> float(overage_fee(1200, 1000))
    2000.0
    """
    return overage_cuft(avg_daily_cuft, limit_cuft) * fee_per_cuft


@dataclass(frozen=True)
class CapacityLimits:
    """The seller's monthly storage limits in cubic feet, per storage type; None = not entered.

    Examples
    --------
    >>> CapacityLimits(standard=1000.0).as_dict()
    {'standard': 1000.0}
    """

    standard: float | None = None  # cu ft, standard-size storage limit
    oversize: float | None = None  # cu ft, oversize / large bulky storage limit

    def __post_init__(self) -> None:
        for name in STORAGE_TYPES:
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                          and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number of cubic feet >= 0, or None")

    def as_dict(self) -> dict[str, float]:
        """The entered limits, by storage type."""
        return {name: float(getattr(self, name)) for name in STORAGE_TYPES if getattr(self, name) is not None}


def capacity_check(usage: pd.DataFrame, limits: dict[str, float] | CapacityLimits,
                   overage_fee_per_cuft: float = OVERAGE_FEE_PER_CUFT) -> pd.DataFrame:
    """Usage against the storage limits, per month and storage type.

    ``overage_fee = max(0, cubic_feet − limit) × overage_fee_per_cuft`` (Amazon help V8JEETWV9Q33CMX).

    Parameters
    ----------
    usage : columns month, storage_type, cubic_feet (average daily cu ft in the month).
    limits : cu ft per storage type, or ``CapacityLimits``; keys and usage labels are matched after
        ``storage_type_key`` ("Standard" and "standard" are one type).
    overage_fee_per_cuft : $ per cu ft over the limit per month (10).

    Returns
    -------
    DataFrame with ``CAPACITY_COLUMNS``: month, storage_type, cubic_feet, limit (NaN where none was
    entered), over_cuft and overage_fee (NaN without a limit), over_limit (usage above the limit).

    Examples
    --------
    >>> usage = pd.DataFrame({"month": ["2026-10", "2026-11"], "storage_type": ["standard"] * 2,
    ...                       "cubic_feet": [900.0, 1150.0]})
    >>> capacity_check(usage, {"standard": 1000.0})[["cubic_feet", "over_cuft", "overage_fee", "over_limit"]]
       cubic_feet  over_cuft  overage_fee  over_limit
    0       900.0        0.0          0.0       False
    1      1150.0      150.0       1500.0        True
    """
    if not (isinstance(overage_fee_per_cuft, (int, float)) and math.isfinite(overage_fee_per_cuft)
            and overage_fee_per_cuft >= 0):
        raise ValueError("overage_fee_per_cuft must be a finite number >= 0")
    missing = {"month", "storage_type", "cubic_feet"} - set(usage.columns)
    if missing:
        raise ValueError(f"usage lacks the columns {sorted(missing)}")
    entered = limits.as_dict() if isinstance(limits, CapacityLimits) else dict(limits)
    bad = [k for k, v in entered.items() if not (math.isfinite(float(v)) and float(v) >= 0)]
    if bad:
        raise ValueError(f"limits must be finite numbers >= 0 (bad: {bad})")
    out = usage[["month", "storage_type", "cubic_feet"]].copy()
    out["cubic_feet"] = out["cubic_feet"].astype(float)
    entered = {storage_type_key([k]).iloc[0]: float(v) for k, v in entered.items()}
    out["limit"] = storage_type_key(out["storage_type"]).map(entered).astype(float).to_numpy()
    out["over_cuft"] = overage_cuft(out["cubic_feet"], out["limit"])
    out["overage_fee"] = out["over_cuft"] * float(overage_fee_per_cuft)
    out["over_limit"] = (out["cubic_feet"] > out["limit"]).fillna(False).astype(bool)
    return out[CAPACITY_COLUMNS].reset_index(drop=True)


def storage_usage_from_db(db_path: Path) -> pd.DataFrame:
    """Average daily cubic feet per charge month and storage type, from the Monthly Storage Fees report.

    ``cubic_feet = Σ estimated_total_item_volume`` over the month's rows (each row is one FNSKU in one
    fulfilment centre, its average daily volume); storage type from ``product_size_tier``. Columns
    month (first day), storage_type, cubic_feet; oldest month first.
    """
    frame = db.query_df(db_path, """
        SELECT month_of_charge AS month, product_size_tier, sum(estimated_total_item_volume) AS cubic_feet
        FROM storage_fees WHERE month_of_charge IS NOT NULL GROUP BY ALL""")
    if frame.empty:
        return pd.DataFrame(columns=["month", "storage_type", "cubic_feet"])
    frame = frame.assign(storage_type=storage_type_key(frame["product_size_tier"].fillna("standard")))
    return (frame.groupby(["month", "storage_type"], as_index=False)["cubic_feet"].sum()
            .sort_values(["month", "storage_type"], ignore_index=True))
