"""Settings the manager edits in the app (score targets, grade thresholds, the events' default
uplifts), kept in the database so every browser session and the ``fba-health`` command use the same
ones."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from core import db
from core.fees.capacity import CapacityLimits
from core.forecast.params import ForecastParams
from core.params import GradeParams, HealthParams, from_dict, to_dict

_NAMES = {HealthParams: "health", GradeParams: "grades"}


def load(db_path: Path) -> tuple[HealthParams, GradeParams]:
    """The saved settings, defaults where nothing was saved (or a saved value no longer validates)."""
    with db.connect(db_path) as con:
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    loaded = []
    for cls, name in _NAMES.items():
        try:
            loaded.append(from_dict(cls, json.loads(stored[name])) if name in stored else cls())
        except (ValueError, TypeError):
            loaded.append(cls())
    return loaded[0], loaded[1]


def save(db_path: Path, health: HealthParams, grades: GradeParams) -> None:
    with db.writing(db_path) as con:
        for params in (health, grades):
            con.execute("INSERT OR REPLACE INTO settings VALUES ($name, $value, now()::TIMESTAMP)",
                        {"name": _NAMES[type(params)], "value": json.dumps(to_dict(params))})


def reset(db_path: Path) -> None:
    with db.writing(db_path) as con:
        con.execute("DELETE FROM settings WHERE name IN ('health', 'grades', 'forecast')")


def load_raw(db_path: Path, name: str) -> dict | None:
    """A saved settings entry as stored (JSON), or None when nothing was saved under ``name``."""
    with db.connect(db_path) as con:
        row = con.execute("SELECT value FROM settings WHERE name = $name", {"name": name}).fetchone()
    return json.loads(row[0]) if row else None


def save_raw(db_path: Path, name: str, value: dict) -> None:
    with db.writing(db_path) as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ($name, $value, now()::TIMESTAMP)",
                    {"name": name, "value": json.dumps(value)})


def load_capacity(db_path: Path) -> CapacityLimits:
    """The storage limits the seller entered (cubic feet per storage type); none entered by default."""
    try:
        return CapacityLimits(**(load_raw(db_path, "capacity") or {}))
    except (ValueError, TypeError):
        return CapacityLimits()


def save_capacity(db_path: Path, limits: CapacityLimits) -> None:
    save_raw(db_path, "capacity", dataclasses.asdict(limits))


def load_low_inventory_exempt(db_path: Path) -> tuple[str, ...]:
    """The SKUs the seller marks as exempt from the low-inventory-level fee (no 28-day floor in the
    restock plan); none by default."""
    saved = load_raw(db_path, "low_inventory_exempt") or {}
    skus = saved.get("skus", []) if isinstance(saved, dict) else []
    return tuple(sorted({str(s).strip() for s in skus if str(s).strip()}))


def save_low_inventory_exempt(db_path: Path, skus) -> None:
    save_raw(db_path, "low_inventory_exempt", {"skus": sorted({str(s).strip() for s in skus if str(s).strip()})})


def load_placement_split(db_path: Path) -> str:
    """The inbound placement split option the seller ships with (``core.fees.table.PLACEMENT_OPTIONS``),
    which prices the placement fee of the restock plan; ``DEFAULT_PLACEMENT_SPLIT`` when none is saved
    (or the saved one is no longer an option)."""
    from core.fees.table import DEFAULT_PLACEMENT_SPLIT, PLACEMENT_OPTIONS

    saved = load_raw(db_path, "placement_split") or {}
    option = saved.get("option") if isinstance(saved, dict) else None
    return option if option in PLACEMENT_OPTIONS else DEFAULT_PLACEMENT_SPLIT


def save_placement_split(db_path: Path, option: str) -> None:
    from core.fees.table import PLACEMENT_OPTIONS

    if option not in PLACEMENT_OPTIONS:
        raise ValueError(f"option must be one of {PLACEMENT_OPTIONS}, got {option!r}")
    save_raw(db_path, "placement_split", {"option": option})


# The forecast parameters the Settings page edits: the built-in events' default uplifts, used where
# neither the SKU, its product group nor the account has sold through a past occurrence.
FORECAST_FIELDS = ("prime_day_uplift", "bfcm_uplift")


def load_forecast(db_path: Path) -> ForecastParams:
    """``ForecastParams`` with the saved ``FORECAST_FIELDS`` (defaults where none, or where a saved
    value no longer validates)."""
    saved = load_raw(db_path, "forecast") or {}
    try:
        return ForecastParams(**{k: float(saved[k]) for k in FORECAST_FIELDS if k in saved})
    except (ValueError, TypeError):
        return ForecastParams()


def save_forecast(db_path: Path, params: ForecastParams) -> None:
    save_raw(db_path, "forecast", {k: getattr(params, k) for k in FORECAST_FIELDS})
