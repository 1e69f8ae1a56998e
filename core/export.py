"""DataFrame -> CSV bytes a seller can open in a spreadsheet safely.

A report cell is text the seller did not write (a product name, a customer comment). Opened in Excel
or Google Sheets, a cell starting with ``=``, ``+``, ``-`` or ``@`` is run as a formula, and a
leading tab or carriage return can hide one. Such text gets a leading apostrophe, the mitigation the
OWASP "CSV Injection" page recommends; numbers are written as numbers.

Numbers are rounded for the CSV by one rule, ``column_kind``: money to cents and units to whole
numbers; every other number (rates per day, shares, scores, days, volumes) as computed. Excel exports
keep full precision and show the same rule as number formats (``#,##0.00`` and ``#,##0``), so a sum
in the sheet is the sum of the unrounded values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.schemas import SCHEMAS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix an apostrophe to text a spreadsheet would run as a formula; leave anything else.

    Parameters
    ----------
    value : object
        One cell. Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is text starting with one of ``= + - @``, tab or carriage
        return; otherwise ``value`` itself.

    Examples
    --------
    >>> neutralise('=HYPERLINK("x")')
    '\\'=HYPERLINK("x")'
    >>> neutralise(-5)
    -5
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


MONEY, UNITS = "money", "units"
MONEY_DECIMALS, UNIT_DECIMALS = 2, 0
MONEY_XLSX_FORMAT, UNITS_XLSX_FORMAT = "#,##0.00", "#,##0"

# Words of a column name (split on "_") that make it money or units, and words that make it neither
# (a rate or share of money is not money: holding_cost_ratio, score_service_cost, demand_per_day).
MONEY_WORDS = frozenset({"cost", "costs", "price", "prices", "value", "values", "revenue", "cogs", "fee", "fees",
                         "profit", "margin", "surcharge", "surcharges", "amount", "saving", "savings", "cash",
                         "tax", "discount", "spend", "reimbursed", "refund"})
UNIT_WORDS = frozenset({"units", "unit", "qty", "quantity", "stock", "available", "inbound", "reserved",
                        "unfulfillable", "cases", "moq", "eoq", "position", "shipped", "receipts"})
NEITHER_WORDS = frozenset({"share", "ratio", "pct", "percent", "rate", "score", "cv", "wape", "mase", "bias",
                           "z", "level", "days", "day", "per", "turnover", "dsi", "volume", "feet", "weight",
                           "rank", "count", "counted", "orders", "sigma", "months", "month"})

# Names the words get wrong, and every money column of an Amazon report (core/schemas.py), which wins
# over the words ("storage_rate" is dollars per cubic foot; "unit_cost" is money, not units).
COLUMN_KINDS: dict[str, str | None] = {
    **{c.name: MONEY for schema in SCHEMAS for c in schema.columns if c.type == "money"},
    "line_total": MONEY, "order_value": MONEY, "unit_margin": MONEY, "holding_cost_per_unit_year": MONEY,
    "expected_lost_margin": MONEY, "expected_order_value": MONEY, "value_at_cost": MONEY,
    "reorder_point": UNITS, "safety_stock": UNITS, "annual_demand": UNITS, "on_hand": UNITS,
    "case_pack": UNITS, "order_qty_needed": UNITS, "dead_units": UNITS,
    "value_a": UNITS, "value_b": UNITS, "difference": UNITS,  # core.reconcile compares units
    "days_of_supply": None, "days_of_cover": None, "demand_per_day": None, "unit_storage_size": None,
}
_AGE_BAND = re.compile(r"^(aged|ais|inv_age|units)_\d+_(\d+|plus)(_days)?$")


def normalised_name(name: object) -> str:
    """A column name as the rule reads it: lower case, runs of other characters as one ``_``.

    >>> normalised_name("Value at cost ($)")
    'value_at_cost'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def column_kind(name: object) -> str | None:
    """Whether a numeric export column is money, units or neither, from its name.

    Parameters
    ----------
    name : object
        The column's name, canonical (``unit_cost``) or a readable header (``Unit cost``).

    Returns
    -------
    str or None
        ``MONEY`` ("money", rounded to cents in CSV), ``UNITS`` ("units", whole numbers) or None
        (written as computed). The rule, first match wins: the name in ``COLUMN_KINDS`` (the money
        columns of every Amazon report and the names the words get wrong); an age band of units
        (``aged_181_270``, ``units_366_455``, ``aged_456_plus``); a word of ``NEITHER_WORDS`` (share,
        rate, per, score, days ...): None; a word of ``MONEY_WORDS``: money; a word of
        ``UNIT_WORDS``: units; else None.

    Examples
    --------
    >>> [column_kind(n) for n in ("inventory_value", "Units 30 d", "demand_per_day", "holding_cost_ratio")]
    ['money', 'units', None, None]
    """
    key = normalised_name(name)
    if key in COLUMN_KINDS:
        return COLUMN_KINDS[key]
    if _AGE_BAND.match(key):
        return UNITS
    words = set(key.split("_"))
    if words & NEITHER_WORDS:
        return None
    if words & MONEY_WORDS:
        return MONEY
    if words & UNIT_WORDS:
        return UNITS
    return None


def round_half_away(values, decimals: int) -> np.ndarray:
    """Round to ``decimals`` places, halves away from zero (as Excel's ROUND and a till do, not
    numpy's halves-to-even); the product is first cleaned to 6 places so 1.005 (stored as
    1.00499999...) rounds to 1.01. NaN and infinity pass through.

    >>> round_half_away([12.3456, 3.7, 2.5, -2.5, 1.005, 0.125], 2).tolist()
    [12.35, 3.7, 2.5, -2.5, 1.01, 0.13]
    >>> round_half_away([3.7, 2.5, -2.5, 0.4], 0).tolist()
    [4.0, 3.0, -3.0, 0.0]
    """
    x = np.asarray(values, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore"):
        scaled = np.round(np.abs(x) * scale, 6)
        return np.where(np.isfinite(x), np.sign(x) * np.floor(scaled + 0.5) / scale, x)


def _amount_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Numeric (not boolean) columns of ``frame`` that are money or units, by position label."""
    kinds = {}
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            kind = column_kind(column)
            if kind is not None:
                kinds[column] = kind
    return kinds


def rounded_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with money rounded to cents and units to whole numbers (``column_kind``),
    halves away from zero; units become nullable integers (4, not 4.0), infinite units stay floats.

    >>> rounded_for_csv(pd.DataFrame({"unit_cost": [12.3456], "units_30d": [3.7], "demand_per_day": [0.3333]}))
       unit_cost  units_30d  demand_per_day
    0      12.35          4          0.3333
    """
    out = frame.copy()
    for column, kind in _amount_columns(frame).items():
        values = round_half_away(frame[column].to_numpy(dtype=float, na_value=np.nan),
                                 MONEY_DECIMALS if kind == MONEY else UNIT_DECIMALS)
        if kind == UNITS and not np.isinf(values).any():
            out[column] = pd.array(values, dtype="Float64").astype("Int64")
        else:
            out[column] = values
    return out


def _money_text(values: np.ndarray) -> list[str]:
    """Rounded money as CSV text with exactly two decimals ("600.00"); empty when missing."""
    return ["" if x != x else (f"{x:.2f}" if np.isfinite(x) else ("inf" if x > 0 else "-inf")) for x in values]


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as comma-separated UTF-8 bytes (with BOM, so Excel reads accents), formulas defused,
    money to cents and units to whole numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; it is not modified. Column names are treated like text cells.

    Returns
    -------
    bytes
        CSV with a header line, no index, CRLF line ends (RFC 4180; a CR inside a cell is then
        quoted), missing values as empty cells, dates in ISO form. Text cells (and column names)
        that start with ``= + - @``, tab or CR carry a leading apostrophe. Numeric columns are
        numbers: money columns (``column_kind``) rounded to cents and written with two decimals,
        unit columns rounded to whole numbers, halves away from zero (``round_half_away``); others
        as computed. A total rounded on its own can differ by a cent from the sum of rounded parts.

    Examples
    --------
    >>> to_csv_bytes(pd.DataFrame({"sku": ["=1+1"], "qty": [-5], "unit_cost": [12.3456], "units": [3.7]}))
    b"\\xef\\xbb\\xbfsku,qty,unit_cost,units\\r\\n'=1+1,-5,12.35,4\\r\\n"
    """
    text_columns = [c for c in frame.columns
                    if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
                            or pd.api.types.is_datetime64_any_dtype(frame[c]))]
    safe = rounded_for_csv(frame)
    for column, kind in _amount_columns(frame).items():
        if kind == MONEY:
            safe[column] = pd.Series(_money_text(safe[column].to_numpy(dtype=float)), index=safe.index, dtype=object)
    for column in text_columns:  # over columns, not rows
        safe[column] = frame[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in frame.columns]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Export") -> bytes:
    """The frame as an Excel workbook (one sheet, header row frozen), formulas defused as in
    ``to_csv_bytes``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; it is not modified. Column names are treated like text cells.
    sheet_name : str
        The worksheet's title.

    Returns
    -------
    bytes
        An .xlsx file. Text cells (and column names) that start with ``= + - @``, tab or CR carry a
        leading apostrophe and are stored as text, never as formulas; numbers, booleans and dates
        are written as such, at full precision; money columns (``column_kind``) are shown with two
        decimals (``#,##0.00``) and unit columns as whole numbers (``#,##0``); missing values are
        empty cells. Infinite numbers (days of supply with no sales) are written as the text
        ``inf``, as in the CSV, since Excel has no infinity. Time zones are dropped from dates
        (Excel has none).

    Examples
    --------
    >>> import io, openpyxl
    >>> data = to_xlsx_bytes(pd.DataFrame({"sku": ["=1+1"], "qty": [-5], "unit_cost": [1.234]}))
    >>> [(c.value, c.number_format) for c in openpyxl.load_workbook(io.BytesIO(data)).active[2]]
    [("'=1+1", 'General'), (-5, '#,##0'), (1.234, '#,##0.00')]
    """
    import io
    import math

    from openpyxl import Workbook

    def cell(value: object) -> object:
        if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
            return None  # None, NaN, NaT, pd.NA
        if isinstance(value, float):
            if math.isinf(value):
                return "inf" if value > 0 else "-inf"
        if isinstance(value, pd.Timestamp):
            return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
        if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
            return cell(value.item())
        return neutralise(value)

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    header = [neutralise(str(c)) for c in frame.columns]
    sheet.append(header)
    for row in frame.astype(object).itertuples(index=False, name=None):
        sheet.append([cell(v) for v in row])
    kinds = _amount_columns(frame)
    formats = [{MONEY: MONEY_XLSX_FORMAT, UNITS: UNITS_XLSX_FORMAT}.get(kinds.get(c)) for c in frame.columns]
    for column_cells in sheet.iter_cols(min_row=1, max_row=1):
        letter = column_cells[0].column_letter
        sheet.column_dimensions[letter].width = min(max(len(str(column_cells[0].value)) + 2, 10), 60)
    for row in sheet.iter_rows(min_row=1):
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"  # text stays text: openpyxl would store "=..." as a formula
            elif c.row > 1 and formats[c.column - 1] and isinstance(c.value, (int, float)) \
                    and not isinstance(c.value, bool):
                c.number_format = formats[c.column - 1]
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
