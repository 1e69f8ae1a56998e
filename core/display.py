"""How a figure reads: the one formatting layer every page, export and message goes through.

Pure text, no Streamlit (pages/_format.py builds the grid's column settings from these). What it
knows:

- **Column kinds** (``column_kind``): money, units, days, share, service level, date, count, score,
  ratio, text, decided by the column's name (``KIND_BY_NAME`` for the exceptions, then the name's
  ending) and, failing those, its dtype.
- **Cell text** (``cell_text``): a value of a kind as a seller reads it: ``$1,234.56``, ``1,234
  units``, ``12 days``, ``∞ (no sales)``, ``27%``, ``5 Dec 2026``; missing as "—" (money as
  "unknown": a missing unit cost is not $0).
- **Names**: a column's label (``label``), a report type by its Seller Central title
  (``report_title``), a forecast method in words (``method_name``), a count with its noun
  (``plural``), internal value names in words (``words``).
- **Currency**: ``money`` takes an ISO code; ``account_currency`` picks the cost sheet's.

core/ never rounds for display (STYLE.md): this module is the one place that does, for the screen.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from core.schemas import BY_TYPE

# --- numbers ---------------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "MXN": "MX$", "BRL": "R$", "GBP": "£", "EUR": "€", "JPY": "¥",
                    "AUD": "A$", "INR": "₹", "SEK": "SEK ", "PLN": "PLN ", "AED": "AED ", "SAR": "SAR ",
                    "SGD": "S$", "TRY": "TRY ", "EGP": "EGP "}
DEFAULT_CURRENCY = "USD"


def missing(x) -> bool:
    """None, NaN, NaT or pandas NA."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def currency_symbol(currency: str | None = None) -> str:
    """The symbol written before an amount: ``$`` for USD (and when unknown), else the ISO code."""
    code = (currency or DEFAULT_CURRENCY).strip().upper()
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def money(x, currency: str | None = None, digits: int = 2) -> str:
    """``$1,234.56`` (``-$12.00`` when negative); "unknown" where the amount is missing (a missing unit
    cost is never $0).

    Examples
    --------
    >>> money(1234.5), money(-12, "EUR"), money(None)
    ('$1,234.50', '-€12.00', 'unknown')
    """
    if missing(x):
        return "unknown"
    sign = "-" if x < 0 and round(abs(x), digits) else ""
    return f"{sign}{currency_symbol(currency)}{abs(x):,.{digits}f}"


def whole_money(x, currency: str | None = None) -> str:
    """``money`` to the whole unit: ``$1,235``."""
    return money(x, currency, 0)


def number(x, digits: int = 0) -> str:
    """``1,234`` (``digits`` decimals); "—" when missing, "∞" when infinite."""
    if missing(x):
        return "—"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.{digits}f}"


def pct(x, digits: int = 0) -> str:
    """A share (0.27) as ``27%``; "—" when missing."""
    if missing(x) or (isinstance(x, float) and math.isinf(x)):
        return "—"
    return f"{x:.{digits}%}"


def days(x) -> str:
    """A number of days: ``12 days``, ``1 day``, ``∞ (no sales)`` with stock and no demand."""
    if missing(x):
        return "—"
    if x == float("inf"):
        return "∞ (no sales)"
    return plural(round(x), "day")


def units(x) -> str:
    """Whole units: ``1,234 units``, ``1 unit``."""
    return "—" if missing(x) else plural(round(x), "unit")


def turns(x) -> str:
    return "—" if missing(x) else f"{x:,.2f} turns/yr"


def score(x) -> str:
    return "—" if missing(x) else f"{x:.0f} / 100"


def plural(n, noun: str, many: str | None = None) -> str:
    """A count with its noun in the right number: ``1 SKU``, ``2 SKUs``, ``1,234 units``.

    Examples
    --------
    >>> plural(1, "SKU"), plural(0, "SKU"), plural(1234, "unit"), plural(2, "delivery", "deliveries")
    ('1 SKU', '0 SKUs', '1,234 units', '2 deliveries')
    """
    n = int(n) if float(n).is_integer() else n
    word = noun if n == 1 else (many or f"{noun}s")
    return f"{n:,} {word}"


def date(x) -> str:
    """``5 Dec 2026`` (no leading zero); "—" when missing."""
    if missing(x):
        return "—"
    return f"{x.day} {x:%b %Y}"


def date_time(x) -> str:
    """``5 Dec 2026, 14:03``; "—" when missing."""
    return "—" if missing(x) else f"{x.day} {x:%b %Y, %H:%M}"


# --- names -----------------------------------------------------------------------------------------

LABELS = {
    "report": "Report", "report_type": "Report type", "rows": "Current rows", "first_date": "From",
    "last_date": "To", "last_import": "Last loaded (UTC)", "imports": "Files loaded",
    "import_id": "Import #", "file_name": "File", "row_count": "Rows loaded", "current_rows": "Current rows",
    "rows_replaced": "Replaced earlier rows", "date_min": "From", "date_max": "To",
    "snapshot_date": "Snapshot date", "loaded_at": "Loaded at (UTC)", "is_sample": "Demo",
    "product_name": "Product", "unit_cost": "Unit cost", "moq": "MOQ", "cost_missing": "Cost missing",
    "order_qty": "Order qty", "order_value": "Order value", "order_by": "Order by",
    "stockout_date": "Stockout date", "days_of_cover_after": "Days of cover after", "wape": "WAPE",
    "skus_compared": "SKUs compared", "skus_flagged": "SKUs flagged", "source_a": "First source",
    "source_b": "Second source", "data_last_date": "Newest data", "age_days": "Age",
    "stale_after_days": "Stale after", "last_loaded_at": "Loaded (UTC)", "title": "Report",
    "amount_avoided": "Surcharge avoided", "units_affected": "Units acted on",
    "score_service_cost": "Service", "demand_per_day": "Forecast a day", "backtest_units": "Units in backtest",
    "cv2": "CV²", "top_reason_group": "Top reason", "units_claimable": "Units claimable",
    "wape_month": "WAPE, monthly totals", "backtest_month_units": "Units in backtest months", "profile_source": "Yearly profile", "method_reason": "Why this method",
    "month_error_scale": "Monthly error scale", "lead_time_demand": "Demand over lead time",
    "target": "Target", "achieved": "Achieved", "sku_origins": "SKU-origins checked",
    "floor_units": "Floor", "ceiling_units": "Ceiling", "blocked_by": "Held back by",
    "projected_fees_12m": "Fees, next 12 months", "capacity_cuft_after": "Cu ft after",
    "placement_fee": "Placement fee (this order)",
    "fees_12m": "Fees, 12 months", "holding_12m": "Capital on stock, 12 months",
    "lost_margin": "Margin lost before it lands", "air_freight_cost": "Air freight", "total_cost": "Total",
    "cost_difference": "Against ordering now as planned", "option": "When", "transit": "Transit",
}
_ACRONYMS = {"abc": "ABC", "sku": "SKU", "fnsku": "FNSKU", "asin": "ASIN", "afn": "AFN", "mfn": "MFN", "fc": "FC",
             "id": "ID", "moq": "MOQ", "efn": "EFN", "uk": "UK", "de": "DE", "fr": "FR", "it": "IT",
             "es": "ES", "se": "SE", "ais": "AIS", "url": "URL", "cpf": "CPF", "qty": "qty", "skus": "SKUs",
             "ipi": "IPI", "wape": "WAPE", "mase": "MASE", "adi": "ADI", "ss": "SS", "po": "PO", "fba": "FBA",
             "30d": "30 d", "90d": "90 d"}


def label(name: str) -> str:
    """A column's friendly label: ``afn_fulfillable_quantity`` -> ``AFN fulfillable quantity``.

    Examples
    --------
    >>> label("afn_fulfillable_quantity"), label("aged_456_plus"), label("aged_181_270"), label("order_qty")
    ('AFN fulfillable quantity', 'Aged 456+', 'Aged 181-270', 'Order qty')
    """
    if name in LABELS:
        return LABELS[name]
    if name.endswith("_plus"):
        return f"{label(name[:-5])}+"
    text = " ".join(_ACRONYMS.get(w, w) for w in str(name).split("_"))
    text = re.sub(r"(\d+) (\d+)", r"\1-\2", text)
    return text[0].upper() + text[1:] if text else text


def report_title(report_type: str) -> str:
    """A report type by the name Seller Central gives it (``core.schemas`` titles), never its id."""
    schema = BY_TYPE.get(report_type)
    return schema.title if schema else words(report_type)


METHOD_NAMES = {
    "moving average": "Moving average, 28 days",
    "moving average 91": "Moving average, 91 days",
    "moving average 182": "Moving average, 182 days",
    "moving average 365": "Moving average, 365 days",
    "seasonal 91": "Yearly season × 91-day level",
    "seasonal 182": "Yearly season × 182-day level",
    "seasonal 365": "Yearly season × 365-day level",
    "seasonal naive": "Seasonal naive (same month last year)",
    "seasonal damped trend": "Yearly season × damped trend",
    "ses": "Simple exponential smoothing",
    "croston": "Croston",
    "sba": "Croston, bias-corrected (SBA)",
    "tsb": "Teunter-Syntetos-Babai (TSB)",
    "holt-winters weekly": "Holt-Winters, weekly season",
    "launch": "Launch default (too new to forecast)",
    "no demand": "No demand",
}


def method_name(method) -> str:
    """A forecast method id (core/forecast/engine.py) in words."""
    if missing(method):
        return "—"
    return METHOD_NAMES.get(str(method), words(method))


_SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
# A report's stored table by the report's short name: "FBA Inventory", "Manage FBA Inventory".
TABLE_TITLES = {s.table: s.title.split(" (")[0] for s in BY_TYPE.values()}
_TABLE_COLUMN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TABLE_TITLES), key=len, reverse=True))
                           + r")\b(?:\.([a-z0-9_]+))?")


def _lower(text: str) -> str:
    """The first letter in lower case unless the first word is an acronym (AFN, SKU)."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def words(text) -> str:
    """An internal name in words: report ids by title, a stored ``table.column`` by the report's name
    and the column's label, other ``snake_case`` as spaced words.

    Examples
    --------
    >>> words("inventory_planning.available + total_reserved_quantity")
    'FBA Inventory: available + total reserved quantity'
    >>> words("on_hand_ledger"), words("GET_FBA_STORAGE_FEE_CHARGES_DATA")
    ('On hand ledger', 'Monthly Storage Fees')
    """
    if missing(text):
        return "—"
    text = str(text)
    if text in BY_TYPE:
        return BY_TYPE[text].title
    text = _TABLE_COLUMN.sub(lambda m: TABLE_TITLES[m.group(1)] + (f": {_lower(label(m.group(2)))}"
                                                                   if m.group(2) else ""), text)

    def spaced(match: re.Match) -> str:
        return " ".join(_ACRONYMS.get(w.lower(), w.lower()) for w in match.group(0).split("_"))

    if text.isupper():  # an enum value such as SELLABLE or PRODUCT_COSTS
        text = text.lower()

    out = _SNAKE.sub(spaced, text)
    return out[:1].upper() + out[1:]


# --- column kinds ----------------------------------------------------------------------------------

MONEY, UNITS, DAYS, SHARE, SERVICE_LEVEL, DATE, DATETIME, COUNT, SCORE, RATIO, TEXT, BOOL, REPORT, METHOD = (
    "money", "units", "days", "share", "service level", "date", "datetime", "count", "score", "ratio",
    "text", "bool", "report", "method")

# Exceptions to the rules by name ending (``kind_by_rules``).
KIND_BY_NAME = {
    "report_type": REPORT, "method": METHOD, "service_level": SERVICE_LEVEL, "in_stock_rate": SHARE,
    "return_rate": SHARE, "recent_rate": SHARE, "baseline_rate": SHARE, "bias": SHARE, "wape": SHARE,
    "wape_month": SHARE, "achieved": SHARE, "target": SHARE, "month_error_scale": UNITS, "lead_time_demand": UNITS,
    "turnover": RATIO, "mase": RATIO, "adi": RATIO, "cv2": RATIO, "sell_through": RATIO,
    "demand_per_day": RATIO, "demand_uncorrected": RATIO, "sigma_demand": RATIO, "points_lost": RATIO,
    "z": RATIO, "import_id": COUNT, "skus": COUNT, "rows": COUNT, "imports": COUNT, "row_count": COUNT,
    "current_rows": COUNT, "rows_replaced": COUNT, "skus_compared": COUNT, "skus_flagged": COUNT,
    "cases": COUNT, "case_pack": COUNT, "moq": UNITS, "history_days": DAYS, "age_days": DAYS,
    "stale_after_days": DAYS, "lead_time_days": DAYS, "days_of_supply": DAYS, "turnover_days": DAYS,
    "days_since_last_sale": DAYS, "health_score": SCORE, "cubic_feet": RATIO,
    "cubic_feet_per_unit": RATIO, "storage_rate": MONEY, "weight": RATIO,
}
_MONEY_WORDS = ("cost", "value", "fee", "fees", "price", "tax", "amount", "surcharge", "margin", "saving",
                "cash", "cogs", "charge", "discount", "revenue", "profit", "reimbursement", "holding")
_UNIT_WORDS = ("units", "qty", "quantity", "on_hand", "available", "inbound", "reserved", "stock",
               "safety_stock", "reorder_point", "shipped", "returned", "sold", "claimable")


def kind_by_rules(name: str) -> str | None:
    """A column's kind from its name alone (``KIND_BY_NAME``, then the name's words), or None."""
    for suffix in ("_baseline", "_scenario"):  # the what-if's two sides of one figure
        name = name.removesuffix(suffix)
    if name in KIND_BY_NAME:
        return KIND_BY_NAME[name]
    parts = name.lower().split("_")
    last = parts[-1]
    if name.startswith("score_"):
        return SCORE
    if last in ("share", "rate", "ratio", "pct") and "storage" not in parts:
        return SHARE
    if last in ("date", "deadline", "month", "day", "by") or name in ("first_date", "last_date", "date_min",
                                                                       "date_max", "assessment_date"):
        return DATE
    if last == "at" or name.endswith("_time"):
        return DATETIME
    if last == "days" or "days" in parts[:-1] and last in ("window", "after", "before"):
        return DAYS
    if any(w in parts for w in _MONEY_WORDS) or name.startswith("cost_"):
        return MONEY
    if any(w in name for w in _UNIT_WORDS) or name.startswith(("returned_", "aged_")):
        return UNITS
    return None


def column_kind(name: str, series: pd.Series | None = None) -> str:
    """The kind of column ``name`` (values in ``series``): by name where the name says it (and the
    values are numbers for a numeric kind), else by dtype: dates, booleans, text, numbers (RATIO)."""
    kind = kind_by_rules(str(name))
    if series is None:
        return kind or TEXT
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if kind in (DATE, DATETIME):
        if pd.api.types.is_datetime64_any_dtype(series) or _holds_dates(series):
            return DATETIME if _has_time(series) else DATE
        return TEXT if not numeric else RATIO
    if kind in (MONEY, UNITS, DAYS, SHARE, SERVICE_LEVEL, COUNT, SCORE, RATIO):
        return kind if numeric else TEXT
    if kind in (REPORT, METHOD):
        return kind
    if pd.api.types.is_bool_dtype(series):
        return BOOL
    if pd.api.types.is_datetime64_any_dtype(series) or _holds_dates(series):
        return DATETIME if _has_time(series) else DATE
    if numeric:
        return COUNT if pd.api.types.is_integer_dtype(series) else RATIO
    if series.dropna().map(lambda v: isinstance(v, bool)).all() and series.notna().any():
        return BOOL
    return TEXT


def _holds_dates(series: pd.Series) -> bool:
    present = series.dropna()
    return series.dtype == object and len(present) > 0 and present.map(
        lambda v: isinstance(v, (dt.date, pd.Timestamp))).all()


def _has_time(series: pd.Series) -> bool:
    present = pd.to_datetime(series.dropna())
    return bool(len(present)) and not (present == present.dt.normalize()).all()


def cell_text(value, kind: str, currency: str | None = None) -> str:
    """One value of a column of ``kind`` as it reads on screen (never None, nan, NaT or inf)."""
    if kind == MONEY:
        return money(value, currency)
    if kind == UNITS:
        return "—" if missing(value) else number(value)
    if kind == DAYS:
        if missing(value):
            return "—"
        return "∞ (no sales)" if value == float("inf") else f"{value:,.0f}"
    if kind in (SHARE, SERVICE_LEVEL):
        return pct(value, 1 if kind == SERVICE_LEVEL else 0)
    if kind == DATE:
        return date(pd.Timestamp(value) if not missing(value) else value)
    if kind == DATETIME:
        return date_time(pd.Timestamp(value) if not missing(value) else value)
    if kind in (COUNT, SCORE):
        return number(value)
    if kind == RATIO:
        return number(value, 2)
    if kind == BOOL:
        return "—" if missing(value) else ("yes" if value else "no")
    if kind == REPORT:
        return "—" if missing(value) else report_title(str(value))
    if kind == METHOD:
        return method_name(value)
    if missing(value):
        return "—"
    text = str(value)
    return "—" if text.strip() in ("", "nan", "NaN", "None", "NaT") else text


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame for CSV and Excel: money rounded to cents, units, counts and days to whole numbers
    (infinite days of supply as "no sales"), report types and forecast methods in words, the
    columns' labels as headers. Missing stays empty (a spreadsheet's blank), so numbers stay numbers."""
    out = {}
    for name in frame.columns:
        series = frame[name]
        kind = column_kind(name, series)
        if kind == MONEY:
            series = series.round(2)
        elif kind == DAYS and pd.api.types.is_float_dtype(series) and series.isin([math.inf]).any():
            # Whole days; stock with no demand lasts forever: "no sales", as on screen.
            series = series.map(lambda v: "no sales" if v == math.inf else (v if missing(v) else int(round(v))))
        elif kind in (UNITS, COUNT, DAYS) and pd.api.types.is_float_dtype(series):
            series = series.round(0).astype("Int64")
        elif kind == REPORT:
            series = series.map(lambda v: v if missing(v) else report_title(str(v)))
        elif kind == METHOD:
            series = series.map(lambda v: v if missing(v) else method_name(v))
        out[label(name)] = series
    return pd.DataFrame(out, index=frame.index)
