"""The grid side of the formatting layer: a frame and the kinds of its columns (``core.display``)
become the frame the grid shows and its ``column_config``. Every table of every page goes through
``table`` (``pages._common.show_table`` adds the account's currency).

The grid draws a missing value as a grey "None" and infinity as "Infinity", whatever the format: a
numeric column with a gap is shown as text ("—", "unknown", "∞ (no sales)") and sorts as text; a
complete one stays a number, formatted by the grid, and sorts as a number. Dates held as Python
``date`` objects (which the grid would show as epoch milliseconds) become dates.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from core import display
from pages import _frame

_frame.require(__name__)  # a deep link runs this file alone in a fresh server: through app.py

ROW_PX, HEADER_PX = 35, 38
MAX_HEIGHT = 560
GRADE_LABELS = {"red": "Red", "orange": "Orange", "yellow": "Yellow", "": "—"}
# Values shown in words, by column: a map, or internal names through ``core.display.words``.
VALUE_WORDS = {"grade": GRADE_LABELS}
IN_WORDS = {"source_a", "source_b", "check", "block", "age_source", "turnover_basis", "aged_over_share_basis"}
HELP = {
    "score_turnover": "Turnover efficiency, 0-100", "score_structure": "Stock structure, 0-100",
    "score_service_cost": "Service and cost, 0-100", "points_lost": "Points of the account score this SKU costs",
}
LABELS = {"health_score": "Health", "score_turnover": "Turnover", "score_structure": "Structure",
          "turnover": "Turns/yr", "in_stock_rate": "In stock", "aged_over_180_share": "Aged >180 d",
          "aged_over_share": "Aged share", "aged_over_share_basis": "Share basis", "value": "Value at cost",
          "action": "Suggested action"}
WIDE = {"reason", "signals", "action", "message", "explanation", "why", "recommendation_reason"}
NAMES = {"product_name", "title", "report", "file_name"}
NAME_PX = 300  # a product name of about 45 characters, whole

_MONEY_FORMATS = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}


def height(rows: int, max_height: int = MAX_HEIGHT) -> int:
    """A table as tall as its rows (header, one row at least), capped at ``max_height`` pixels."""
    return min(HEADER_PX + ROW_PX * max(rows, 1), max_height)


def _money_format(currency: str | None) -> str:
    code = (currency or display.DEFAULT_CURRENCY).upper()
    return _MONEY_FORMATS.get(code) or display.currency_symbol(code).replace("%", "%%") + "%.2f"


def _gappy(series: pd.Series) -> bool:
    """Missing or infinite values, which the grid cannot draw as a seller reads them."""
    if series.isna().any():
        return True
    return pd.api.types.is_float_dtype(series) and bool(series.isin([math.inf, -math.inf]).any())


def prepare(frame: pd.DataFrame, *, labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
            currency: str | None = None) -> tuple[pd.DataFrame, dict]:
    """The frame the grid shows and its ``column_config``: labels, formats and widths by column kind."""
    labels, kinds = labels or {}, kinds or {}
    shown, config = {}, {}
    for name in frame.columns:
        series = frame[name]
        kind = kinds.get(name) or display.column_kind(name, series)
        text = labels.get(name) or LABELS.get(name) or display.label(name)
        helptext = HELP.get(name)
        if name in VALUE_WORDS:
            series = series.map(lambda v, m=VALUE_WORDS[name]: m.get(v, display.cell_text(v, display.TEXT)))
            kind = display.TEXT
        elif name in IN_WORDS:
            series = series.map(display.words)
            kind = display.TEXT
        numeric_kinds = (display.MONEY, display.UNITS, display.DAYS, display.SHARE, display.SERVICE_LEVEL,
                         display.COUNT, display.SCORE, display.RATIO)
        if kind in (display.DATE, display.DATETIME):
            stamps = pd.to_datetime(series)
            if stamps.isna().any():
                shown[name] = stamps.map(lambda v, k=kind: display.cell_text(v, k))
                config[name] = st.column_config.TextColumn(text, help=helptext)
            else:
                shown[name] = stamps
                config[name] = (st.column_config.DateColumn(text, format="D MMM YYYY", help=helptext)
                                if kind == display.DATE else
                                st.column_config.DatetimeColumn(text, format="D MMM YYYY, HH:mm", help=helptext))
        elif kind in numeric_kinds and _gappy(series):
            shown[name] = series.map(lambda v, k=kind: display.cell_text(v, k, currency))
            config[name] = st.column_config.TextColumn(text, help=helptext)
        elif kind == display.MONEY:
            shown[name] = series
            config[name] = st.column_config.NumberColumn(text, format=_money_format(currency), help=helptext)
        elif kind in (display.SHARE, display.SERVICE_LEVEL):
            shown[name] = series * 100
            fmt = "%+.0f%%" if name == "bias" else ("%.1f%%" if kind == display.SERVICE_LEVEL else "%.0f%%")
            config[name] = st.column_config.NumberColumn(text, format=fmt, help=helptext)
        elif kind in (display.UNITS, display.COUNT, display.DAYS):
            shown[name] = series.round(0) if pd.api.types.is_float_dtype(series) else series
            config[name] = st.column_config.NumberColumn(text, format="localized", help=helptext)
        elif kind == display.SCORE:
            shown[name] = series
            config[name] = st.column_config.NumberColumn(text, format="%.0f", help=helptext)
        elif kind == display.RATIO:
            shown[name] = series
            config[name] = st.column_config.NumberColumn(text, format="%.2f", help=helptext)
        elif kind == display.BOOL and not series.isna().any():
            shown[name] = series.astype(bool)
            config[name] = st.column_config.CheckboxColumn(text, help=helptext)
        else:
            shown[name] = series.map(lambda v, k=kind: display.cell_text(v, k))
            width = "large" if name in WIDE else (NAME_PX if name in NAMES else None)
            config[name] = st.column_config.TextColumn(text, help=helptext, width=width)
    return pd.DataFrame(shown, index=frame.index), config


def table(frame: pd.DataFrame, *, labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
          currency: str | None = None, max_height: int = MAX_HEIGHT, **kwargs) -> None:
    """``st.dataframe`` of ``frame`` through ``prepare``: no index, full width, as tall as its rows."""
    shown, config = prepare(frame, labels=labels, kinds=kinds, currency=currency)
    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("height", height(len(frame), max_height))
    st.dataframe(shown, column_config=config, hide_index=True, **kwargs)
