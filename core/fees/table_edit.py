"""The fee table as editable tables, one per block, and back: what the Settings page's editor shows
and saves (``core.fees.table.save_seller_version``), validated with errors that name the block and row.

``block_frames(version)`` turns a version (a dict as in ``core/fees/tables/us.json``) into one
DataFrame per block of EDIT_BLOCKS; ``version_from_frames(version, frames, effective_from)`` reads
the edited frames back into a new version, keeping what the editor does not show (sources, flags,
peak months, thresholds other than the bands). Money and weights must be numbers of at least 0,
weight brackets and day bands increasing, and the effective date a real date.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from core.fees.table import AIS_LABELS, NO_PLACEMENT, PLACEMENT_OPTIONS, SIZE_TIERS


@dataclass(frozen=True)
class EditBlock:
    """One block of the editor: its title, its columns, which of them are fixed labels, and whether
    the seller may add or delete rows."""

    block: str
    title: str
    columns: tuple[str, ...]
    fixed: tuple[str, ...] = ()
    rows_change: bool = False
    help: str = ""


WEIGHT_COLUMNS = ("max_lb", "fee", "per_lb_above", "above_lb")
EDIT_BLOCKS: tuple[EditBlock, ...] = (
    EditBlock("storage", "Monthly storage", ("size_tier", "off_peak", "peak"), ("size_tier",),
              help="$ per cubic foot a month; peak is October to December."),
    EditBlock("utilisation_surcharge", "Storage utilisation surcharge",
              ("above_weeks", "standard_off_peak", "standard_peak", "oversize_off_peak", "oversize_peak"),
              rows_change=True, help="Total storage rate per cubic foot (base + surcharge) when the storage "
                                     "utilisation ratio is above the weeks given."),
    EditBlock("aged_surcharge", "Aged-inventory surcharge", ("band", "per_cuft", "per_unit"), ("band",),
              help="On the 15th: the greater of volume × $ per cubic foot and units × $ per unit."),
    EditBlock("overage", "Storage over the limit", ("per_cuft",), help="$ per cubic foot a month above the limit."),
    EditBlock("removal", "Removal order", ("size_tier", *WEIGHT_COLUMNS), rows_change=True,
              help="$ per unit for weights up to “Up to (lb)”; the last bracket, left empty, holds any weight "
                   "above, plus “+ $ per lb” for each pound above “above (lb)”."),
    EditBlock("disposal", "Disposal order", ("size_tier", *WEIGHT_COLUMNS), rows_change=True,
              help="As removal."),
    EditBlock("low_inventory", "Low-inventory-level fee", ("size_tier", "max_lb", "days_from", "days_to", "fee"),
              rows_change=True, help="$ per unit shipped while historical days of supply is from “From (days)” "
                                     "to under “To under (days)”; the bands of a weight bracket run from 0 "
                                     "without gaps."),
    EditBlock("placement", "Inbound placement", ("split_option", "size_tier", *WEIGHT_COLUMNS), rows_change=True,
              help="$ per unit sent, by split option (minimal, partial, amazon_optimised); no rows for an option "
                   "and size tier: not offered."),
)
TITLES = {b.block: b.title for b in EDIT_BLOCKS}
# What the editor calls each column; errors name columns the same way.
COLUMN_LABELS = {"size_tier": "Size tier", "off_peak": "Jan-Sep ($/cu ft)", "peak": "Oct-Dec ($/cu ft)",
                 "above_weeks": "Above (weeks)", "standard_off_peak": "Standard Jan-Sep",
                 "standard_peak": "Standard Oct-Dec", "oversize_off_peak": "Oversize Jan-Sep",
                 "oversize_peak": "Oversize Oct-Dec", "band": "Age (days)", "per_cuft": "$ per cu ft",
                 "per_unit": "$ per unit", "max_lb": "Up to (lb)", "fee": "Fee ($)", "per_lb_above": "+ $ per lb",
                 "above_lb": "above (lb)", "days_from": "From (days)", "days_to": "To under (days)",
                 "split_option": "Split option"}


def _label(column: str) -> str:
    return f"“{COLUMN_LABELS.get(column, column)}”"


class FeeTableError(ValueError):
    """An edit that cannot be saved; the message names the block and the row (1 = the first)."""


def _bracket_rows(brackets: list[dict], **labels) -> list[dict]:
    return [{**labels, "max_lb": b["max_lb"], "fee": float(b["fee"]), "per_lb_above": float(b.get("per_lb_above", 0.0)),
             "above_lb": float(b.get("above_lb", 0.0))} for b in brackets]


def _low_inventory_rows(low: dict) -> list[dict]:
    rows = []
    for tier in SIZE_TIERS:
        if "per_unit_by_weight" in low:
            brackets = [(b["max_lb"], b.get("upper_days", low["band_upper_days"]), b["fees"])
                        for b in low["per_unit_by_weight"][tier]]
        else:
            brackets = [(None, [low["threshold_days"]], [low["per_unit"][tier]])]
        for max_lb, uppers, fees in brackets:
            start = 0.0
            for upper, fee in zip(uppers, fees):
                rows.append({"size_tier": tier, "max_lb": max_lb, "days_from": start, "days_to": float(upper),
                             "fee": float(fee)})
                start = float(upper)
    return rows


def block_frames(version: dict) -> dict[str, pd.DataFrame]:
    """One DataFrame per block of EDIT_BLOCKS, in the columns of its EditBlock.

    Examples
    --------
    >>> from core.fees.table import version_in_force
    >>> frames = block_frames(version_in_force(None, "US", dt.date(2026, 3, 1)))
    >>> frames["storage"].values.tolist()
    [['standard', 0.78, 2.4], ['oversize', 0.56, 1.4]]
    >>> frames["low_inventory"].to_dict("records")[0]
    {'size_tier': 'standard', 'max_lb': 1.0, 'days_from': 0.0, 'days_to': 14.0, 'fee': 0.89}
    """
    rate = version["storage"]["per_cuft"]
    rows: dict[str, list[dict]] = {
        "storage": [{"size_tier": t, "off_peak": rate[t]["off_peak"], "peak": rate[t]["peak"]} for t in SIZE_TIERS],
        "utilisation_surcharge": [{"above_weeks": t["above_weeks"],
                                   **{f"{tier}_{season}": t[tier][season] for tier in SIZE_TIERS
                                      for season in ("off_peak", "peak")}}
                                  for t in version["utilisation_surcharge"]["tiers"]],
        "aged_surcharge": [{"band": b["label"], "per_cuft": b["per_cuft"], "per_unit": b["per_unit_floor"]}
                           for b in version["aged_surcharge"]["bands"]],
        "overage": [{"per_cuft": version["overage"]["per_cuft"]}],
        "low_inventory": _low_inventory_rows(version["low_inventory"]),
        "placement": [],
    }
    for block in ("removal", "disposal"):
        rows[block] = [r for tier in SIZE_TIERS for r in _bracket_rows(version[block]["per_unit"][tier], size_tier=tier)]
    for option, tiers in version.get("placement", {}).get("options", {}).items():
        for tier in SIZE_TIERS:
            rows["placement"] += _bracket_rows(tiers.get(tier) or [], split_option=option, size_tier=tier)
    return {b.block: pd.DataFrame(rows[b.block], columns=list(b.columns)).astype(
        {c: float for c in b.columns if c not in b.fixed and c not in ("size_tier", "split_option")})
        for b in EDIT_BLOCKS}


# --- reading the edits back ------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str)
                                                                                 and not value.strip())


class _Rows:
    """Reads one block's edited rows, raising FeeTableError that names the block and the row."""

    def __init__(self, block: str, frame: pd.DataFrame):
        self.title = TITLES[block]
        self.records = frame.reset_index(drop=True).to_dict("records")

    def fail(self, row: int | None, message: str):
        where = self.title if row is None else f"{self.title}, row {row + 1}"
        raise FeeTableError(f"{where}: {message}")

    def number(self, row: int, column: str, optional: bool = False) -> float | None:
        value = self.records[row].get(column)
        if _missing(value):
            if optional:
                return None
            self.fail(row, f"{_label(column)} is empty; enter a number of at least 0")
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(row, f"{_label(column)} must be a number, got {value!r}")
        if not math.isfinite(number) or number < 0:
            self.fail(row, f"{_label(column)} must be a number of at least 0, got {number:g}")
        return number

    def choice(self, row: int, column: str, allowed: tuple[str, ...]) -> str:
        value = self.records[row].get(column)
        text = "" if _missing(value) else str(value).strip().lower()
        if text not in allowed:
            self.fail(row, f"{_label(column)} must be one of {', '.join(allowed)}, got {value!r}")
        return text


def _brackets(rows: _Rows, indices: list[int], label: str) -> list[dict]:
    """Weight brackets of the rows at ``indices`` (one size tier): max_lb increasing, the open one last."""
    out, previous = [], -1.0
    for n, i in enumerate(indices):
        max_lb = rows.number(i, "max_lb", optional=True)
        if max_lb is None and n != len(indices) - 1:
            rows.fail(i, f"only the last bracket of {label} may leave {_label('max_lb')} empty (the open top bracket)")
        if max_lb is not None and max_lb <= previous:
            rows.fail(i, f"{_label('max_lb')} must increase down the brackets of {label} ({max_lb:g} after "
                         f"{previous:g})")
        bracket = {"max_lb": max_lb, "fee": rows.number(i, "fee")}
        per_lb, above = rows.number(i, "per_lb_above", True) or 0.0, rows.number(i, "above_lb", True) or 0.0
        if per_lb:
            bracket |= {"per_lb_above": per_lb, "above_lb": above}
        out.append(bracket)
        previous = max_lb if max_lb is not None else previous
    if out and out[-1]["max_lb"] is not None:
        out[-1]["max_lb"] = None  # the heaviest bracket holds every weight above the one before
    return out


def _weight_block(frame: pd.DataFrame, block: str) -> dict:
    rows = _Rows(block, frame)
    tiers = [rows.choice(i, "size_tier", SIZE_TIERS) for i in range(len(rows.records))]
    per_unit = {}
    for tier in SIZE_TIERS:
        indices = [i for i, t in enumerate(tiers) if t == tier]
        if not indices:
            rows.fail(None, f"no row for {tier}; each size tier needs at least one bracket")
        per_unit[tier] = _brackets(rows, indices, tier)
    return per_unit


def _low_inventory(frame: pd.DataFrame, base: dict) -> dict:
    rows = _Rows("low_inventory", frame)
    groups: dict[str, dict] = {tier: {} for tier in SIZE_TIERS}
    for i in range(len(rows.records)):
        tier = rows.choice(i, "size_tier", SIZE_TIERS)
        max_lb = rows.number(i, "max_lb", optional=True)
        groups[tier].setdefault(max_lb, []).append(i)
    by_weight, edges = {}, []
    for tier in SIZE_TIERS:
        if not groups[tier]:
            rows.fail(None, f"no row for {tier}; each size tier needs at least one band")
        weights = sorted(groups[tier], key=lambda w: math.inf if w is None else w)
        by_weight[tier] = []
        for max_lb in weights:
            uppers, fees, start = [], [], 0.0
            for i in groups[tier][max_lb]:
                low, high = rows.number(i, "days_from"), rows.number(i, "days_to")
                if low != start:
                    rows.fail(i, f"{_label('days_from')} must be {start:g}: bands start at 0 and each starts "
                                 f"where the one before ends (got {low:g})")
                if high <= low:
                    rows.fail(i, f"{_label('days_to')} must be more than {_label('days_from')} (band edges "
                                 f"increasing; got {low:g} to {high:g})")
                uppers.append(high)
                fees.append(rows.number(i, "fee"))
                start = high
            by_weight[tier].append({"max_lb": max_lb, "upper_days": uppers, "fees": fees})
            edges.append(uppers)
        if by_weight[tier][-1]["max_lb"] is not None:
            by_weight[tier][-1]["max_lb"] = None
    low = {k: v for k, v in base.items() if k not in ("per_unit", "per_unit_by_weight", "band_upper_days")}
    return low | {"threshold_days": max(e[-1] for e in edges), "band_upper_days": edges[0],
                  "per_unit_by_weight": by_weight}


def _placement(frame: pd.DataFrame) -> dict:
    rows = _Rows("placement", frame)
    keys = [(rows.choice(i, "split_option", PLACEMENT_OPTIONS), rows.choice(i, "size_tier", SIZE_TIERS))
            for i in range(len(rows.records))]
    options = {}
    for option in PLACEMENT_OPTIONS:
        tiers = {}
        for tier in SIZE_TIERS:
            indices = [i for i, k in enumerate(keys) if k == (option, tier)]
            tiers[tier] = _brackets(rows, indices, f"{option} {tier}") if indices else None
        if any(v is not None for v in tiers.values()):
            options[option] = tiers
    return options


def version_from_frames(version: dict, frames: dict[str, pd.DataFrame], effective_from) -> dict:
    """A new version: ``version`` with the edited blocks' values from ``frames`` (as ``block_frames``
    gives them) and the effective date given. FeeTableError naming the block and row when a value is
    not a number of at least 0, weight brackets or day bands do not increase, or the date is not one.

    Examples
    --------
    >>> from core.fees.table import version_in_force
    >>> v = version_in_force(None, "US", dt.date(2026, 3, 1))
    >>> frames = block_frames(v)
    >>> frames["storage"].loc[0, "off_peak"] = 0.95
    >>> version_from_frames(v, frames, dt.date(2026, 12, 1))["storage"]["per_cuft"]["standard"]
    {'off_peak': 0.95, 'peak': 2.4}
    >>> frames["removal"].loc[1, "fee"] = -1
    >>> version_from_frames(v, frames, dt.date(2026, 12, 1))
    Traceback (most recent call last):
    ...
    core.fees.table_edit.FeeTableError: Removal order, row 2: “Fee ($)” must be a number of at least 0, got -1
    """
    try:
        day = effective_from if isinstance(effective_from, dt.date) else dt.date.fromisoformat(str(effective_from))
    except ValueError:
        raise FeeTableError(f"Effective date: {effective_from!r} is not a date (YYYY-MM-DD)") from None
    new = copy.deepcopy({k: v for k, v in version.items() if k != "saved_at"})
    new["effective_from"] = day.isoformat()

    rows = _Rows("storage", frames["storage"])
    for i in range(len(rows.records)):
        tier = rows.choice(i, "size_tier", SIZE_TIERS)
        new["storage"]["per_cuft"][tier] = {"off_peak": rows.number(i, "off_peak"), "peak": rows.number(i, "peak")}

    rows = _Rows("utilisation_surcharge", frames["utilisation_surcharge"])
    tiers, previous = [], -1.0
    for i in range(len(rows.records)):
        above = rows.number(i, "above_weeks")
        if above <= previous:
            rows.fail(i, f"{_label('above_weeks')} must increase down the rows ({above:g} after {previous:g})")
        previous = above
        tiers.append({"above_weeks": above, **{t: {s: rows.number(i, f"{t}_{s}") for s in ("off_peak", "peak")}
                                               for t in SIZE_TIERS}})
    new["utilisation_surcharge"]["tiers"] = tiers

    rows = _Rows("aged_surcharge", frames["aged_surcharge"])
    if [r.get("band") for r in rows.records] != list(AIS_LABELS):
        rows.fail(None, f"the bands must stay {', '.join(AIS_LABELS)}")
    new["aged_surcharge"]["bands"] = [{"label": label, "per_cuft": rows.number(i, "per_cuft"),
                                       "per_unit_floor": rows.number(i, "per_unit")}
                                      for i, label in enumerate(AIS_LABELS)]

    rows = _Rows("overage", frames["overage"])
    if len(rows.records) != 1:
        rows.fail(None, "needs exactly one row")
    new["overage"]["per_cuft"] = rows.number(0, "per_cuft")

    for block in ("removal", "disposal"):
        new[block]["per_unit"] = _weight_block(frames[block], block)
    new["low_inventory"] = _low_inventory(frames["low_inventory"], version["low_inventory"])
    placement = version.get("placement", NO_PLACEMENT)
    new["placement"] = {**placement, "options": _placement(frames["placement"])}
    return new
