"""Slow-mover signals and grades (red / orange / yellow), with the actions each grade suggests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.params import GradeParams

SIGNALS = {
    "dos_over_watch": "days of supply over {dos_watch_days:g}",
    "dos_over_urgent": "days of supply over {dos_urgent_days:g}",
    "velocity_falling": "sales down over {velocity_drop:.0%} two 30-day periods running",
    "aged_share": "over {aged_share:.0%} of units older than {aged_days} days",
    "no_sale": "no sale in {no_sale_days} days with stock on hand",
}

ACTIONS = {
    "red": "Urgent: clear it. Deep discount, removal order or liquidation before more fees accrue.",
    "orange": "Act: promote, bundle or advertise to lift sales.",
    "yellow": "Watch: check the listing, price and visibility.",
    "": "",
}


def slow_mover_signals(frame: pd.DataFrame, params: GradeParams) -> pd.DataFrame:
    """One boolean column per signal.

    Expects columns ``on_hand`` (units), ``days_of_supply`` (inf where stock and no demand),
    ``units_30d``, ``units_30_59``, ``units_60_89`` (units sold in the last three 30-day periods),
    ``aged_over_share`` (share of units older than ``params.aged_days``) and ``units_no_sale``
    (units sold in the last ``no_sale_days`` days, MCF included).
    """
    dos = frame["days_of_supply"].astype(float)
    stock = frame["on_hand"].fillna(0) > 0
    keep = 1 - params.velocity_drop
    v1, v2, v3 = (frame[c].fillna(0).astype(float) for c in ("units_30d", "units_30_59", "units_60_89"))
    return pd.DataFrame({
        "dos_over_watch": stock & (dos > params.dos_watch_days),
        "dos_over_urgent": stock & (dos > params.dos_urgent_days),
        "velocity_falling": (v1 < keep * v2) & (v2 < keep * v3),
        "aged_share": stock & (frame["aged_over_share"].fillna(0) > params.aged_share),
        "no_sale": stock & (frame["units_no_sale"].fillna(0) == 0),
    }, index=frame.index)


def grade(signals: pd.DataFrame) -> pd.Series:
    """Red when days of supply exceed the urgent threshold or nothing sold with stock on hand;
    orange on two or more signals; yellow on one; empty otherwise."""
    count = signals.sum(axis=1)
    red = signals["dos_over_urgent"] | signals["no_sale"]
    return pd.Series(np.select([red, count >= 2, count == 1], ["red", "orange", "yellow"], ""),
                     index=signals.index)


def describe_signals(signals: pd.DataFrame, params: GradeParams) -> pd.Series:
    """The signals that fired, in words, joined by '; '. Days of supply over the urgent threshold
    implies over the watch one, so only the urgent one is named ("days of supply over 180")."""
    words = {k: v.format(**vars(params)) for k, v in SIGNALS.items()}
    shown = signals.copy()
    shown["dos_over_watch"] = shown["dos_over_watch"] & ~shown["dos_over_urgent"]
    return shown.apply(lambda row: "; ".join(words[k] for k, fired in row.items() if fired), axis=1)
