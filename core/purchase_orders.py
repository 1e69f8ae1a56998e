"""Purchase-order drafts (Excel, one sheet per supplier; CSV) and the supplier forecast.

Input lines come from ``core.restock.purchase_order_lines``. Every text cell (supplier, SKU, product
name) goes through ``core.export.neutralise`` and is stored as text, so a SKU named
``=HYPERLINK(...)`` is a literal string with a leading apostrophe, never a formula. The workbook
holds no formulas at all: line totals and the totals row are values computed here.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd

from core.export import neutralise, to_csv_bytes
from core.metrics import restock as rm

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
LINE_HEADER = ("SKU", "Product", "Quantity", "Case pack", "Cases", "Unit cost", "Line total")
HEADER_ROW = 6  # the lines' header row; the supplier block fills rows 1-4
QTY_FORMAT, MONEY_FORMAT, DATE_FORMAT = "#,##0", "#,##0.00", "yyyy-mm-dd"
COLUMN_WIDTHS = (22, 48, 11, 11, 9, 12, 14)


def po_reference(as_of: dt.date, number: int) -> str:
    """The draft's reference: ``PO-YYYYMMDD-NN``, numbered per supplier in alphabetical order.

    >>> po_reference(dt.date(2026, 11, 15), 2)
    'PO-20261115-02'
    """
    return f"PO-{as_of:%Y%m%d}-{number:02d}"


def sheet_names(suppliers: list[str]) -> list[str]:
    """Valid, unique Excel sheet names for suppliers: characters ``[]:*?/\\`` replaced by ``_``,
    apostrophes trimmed from the ends, at most 31 characters, blank as "No supplier", and a
    repeat (case-insensitive, as Excel compares) suffixed `` (2)``, `` (3)``...

    >>> sheet_names(["A/B: Co", "x" * 40, "a/b: co", ""])
    ['A_B_ Co', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'a_b_ co (2)', 'No supplier']
    """
    names: list[str] = []
    seen: set[str] = set()
    for supplier in suppliers:
        base = _SHEET_FORBIDDEN.sub("_", str(supplier or "")).strip().strip("'").strip() or "No supplier"
        if base.lower() == "history":  # reserved by Excel
            base = "History (supplier)"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.lower() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(name.lower())
        names.append(name)
    return names


def _value(value: object) -> object:
    """A cell value: None for missing, plain Python numbers, text neutralised."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return neutralise(value)


def _put(sheet, row: int, column: int, value: object, number_format: str | None = None, bold: bool = False):
    from openpyxl.styles import Font

    cell = sheet.cell(row=row, column=column, value=_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text stays text: openpyxl would store "=..." as a formula
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def purchase_order_xlsx(order_lines: pd.DataFrame, as_of: dt.date) -> bytes:
    """Purchase-order drafts as an Excel workbook, one sheet per supplier.

    Parameters
    ----------
    order_lines : pandas.DataFrame
        ``core.restock.purchase_order_lines``: supplier, sku, product_name, order_qty, case_pack,
        cases, unit_cost, line_total. Not modified.
    as_of : datetime.date
        The PO date.

    Returns
    -------
    bytes
        An .xlsx file. Each sheet (suppliers in alphabetical order, names from ``sheet_names``):
        rows 1-4 "Purchase order", Supplier, Date, PO reference (``po_reference``); row 6 the bold
        header SKU, Product, Quantity, Case pack, Cases, Unit cost, Line total; one row per line;
        then a bold "Total" row with Σ quantity, Σ cases and Σ line totals, all values (no formulas
        anywhere). A line without a unit cost has empty cost and total cells, and a note under the
        totals says how many lines lack a cost. Without lines, one sheet "No orders" says so.

    Examples
    --------
    >>> import openpyxl
    >>> lines = pd.DataFrame({"supplier": ["Acme"], "sku": ["=1+1"], "product_name": ["Mug"],
    ...     "order_qty": [48.0], "case_pack": [24.0], "cases": [2.0], "unit_cost": [1.5], "line_total": [72.0]})
    >>> sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, dt.date(2026, 11, 15))))["Acme"]
    >>> [c.value for c in sheet[7]]
    ["'=1+1", 'Mug', 48, 24, 2, 1.5, 72]
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    if order_lines.empty:
        sheet = book.create_sheet("No orders")
        _put(sheet, 1, 1, f"Nothing to order on {as_of:%Y-%m-%d}.")
    suppliers = sorted(order_lines["supplier"].fillna("").astype(str).unique()) if len(order_lines) else []
    for number, (supplier, name) in enumerate(zip(suppliers, sheet_names(suppliers)), start=1):
        lines = order_lines[order_lines["supplier"].fillna("").astype(str) == supplier]
        sheet = book.create_sheet(name)
        _put(sheet, 1, 1, "Purchase order").font = Font(bold=True, size=14)
        for row, (label, value, fmt) in enumerate(
                (("Supplier", supplier or "No supplier", None), ("Date", as_of, DATE_FORMAT),
                 ("PO reference", po_reference(as_of, number), None)), start=2):
            _put(sheet, row, 1, label, bold=True)
            _put(sheet, row, 2, value, fmt)
        for column, title in enumerate(LINE_HEADER, start=1):
            _put(sheet, HEADER_ROW, column, title, bold=True)
        formats = (None, None, QTY_FORMAT, QTY_FORMAT, QTY_FORMAT, MONEY_FORMAT, MONEY_FORMAT)
        columns = ("sku", "product_name", "order_qty", "case_pack", "cases", "unit_cost", "line_total")
        rows = lines[list(columns)].astype(object).itertuples(index=False, name=None)
        last = HEADER_ROW
        for last, values in enumerate(rows, start=HEADER_ROW + 1):
            for column, (value, fmt) in enumerate(zip(values, formats), start=1):
                _put(sheet, last, column, _whole(value) if fmt == QTY_FORMAT else value, fmt)
        total_row = last + 1
        _put(sheet, total_row, 1, "Total", bold=True)
        _put(sheet, total_row, 3, _whole(lines["order_qty"].sum()), QTY_FORMAT, bold=True)
        _put(sheet, total_row, 5, _whole(lines["cases"].sum(min_count=1)), QTY_FORMAT, bold=True)
        _put(sheet, total_row, 7, float(lines["line_total"].sum()), MONEY_FORMAT, bold=True)
        missing = int(lines["unit_cost"].isna().sum())
        if missing:
            _put(sheet, total_row + 1, 1, f"{missing} line(s) without a unit cost are not in the total.")
        for column, width in enumerate(COLUMN_WIDTHS, start=1):
            sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _whole(value):
    """Whole unit counts as int (48.0 -> 48); fractions and missing values as they are."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def purchase_order_csv(order_lines: pd.DataFrame, as_of: dt.date | None = None) -> bytes:
    """Purchase-order lines as CSV (``core.export.to_csv_bytes``: formulas defused), one line per SKU
    with the supplier on each; with ``as_of``, also the date and each supplier's PO reference.

    Examples
    --------
    >>> lines = pd.DataFrame({"supplier": ["Acme"], "sku": ["@x"], "product_name": ["Mug"],
    ...     "order_qty": [48.0], "case_pack": [24.0], "cases": [2.0], "unit_cost": [1.5], "line_total": [72.0]})
    >>> purchase_order_csv(lines).decode("utf-8-sig").splitlines()[1]
    "Acme,'@x,Mug,48.0,24.0,2.0,1.5,72.0"
    """
    columns = ["supplier", "sku", "product_name", "order_qty", "case_pack", "cases", "unit_cost", "line_total"]
    out = order_lines[columns].copy()
    if as_of is not None:
        suppliers = sorted(out["supplier"].fillna("").astype(str).unique())
        numbers = {s: po_reference(as_of, n) for n, s in enumerate(suppliers, start=1)}
        out.insert(0, "po_reference", out["supplier"].fillna("").astype(str).map(numbers))
        out.insert(1, "po_date", as_of.isoformat())
    return to_csv_bytes(out)


SUPPLIER_FORECAST_COLUMNS = ["sku", "product_name", "supplier", "month", "month_start", "month_end",
                             "expected_demand_units", "expected_order_units", "expected_orders",
                             "expected_order_value"]


def supplier_forecast(restock: pd.DataFrame, forecast_daily: pd.DataFrame | None = None, months: int = 3,
                      as_of: dt.date | None = None, review_period_days: float = 7.0) -> pd.DataFrame:
    """Expected orders per SKU per month over the next ``months`` months, to share with suppliers.

    Parameters
    ----------
    restock : pandas.DataFrame
        ``core.restock.restock_table``: sku, product_name, supplier, demand_per_day, reorder_point,
        eoq, moq, case_pack, position, order_qty, unit_cost, as_of.
    forecast_daily : pandas.DataFrame or None
        Daily forecast: sku, day, mean (units that day), as core.forecast's daily frame; or sku,
        date, forecast. Days or SKUs it lacks use the plan's demand_per_day.
    months : int, default 3
        Month i is the days ``[as_of + i months, as_of + (i + 1) months)``, i = 0 .. months − 1.
    as_of : datetime.date or None
        Day 0; by default the plan's ``as_of``.
    review_period_days : float, default 7
        R in the order trigger.

    Returns
    -------
    pandas.DataFrame
        ``SUPPLIER_FORECAST_COLUMNS``, one row per SKU and month. The plan is replayed day by day:
        today's order (``order_qty``) is placed on day 0; each later day the position falls by that
        day's demand, and when it is at or below ROP + d·R a new order of
        ``round_to_pack(max(EOQ, ROP + d·R − position), MOQ, case pack)`` is placed. ROP and EOQ stay
        those of today's plan.

    Examples
    --------
    One SKU selling 10 a day, ordered in 300s, ROP 200, position 500 (nothing today):

    >>> plan = pd.DataFrame({"sku": ["a"], "product_name": ["A"], "supplier": ["S"], "demand_per_day": [10.0],
    ...     "reorder_point": [200.0], "eoq": [300.0], "moq": [0.0], "case_pack": [1.0], "position": [500.0],
    ...     "order_qty": [0.0], "unit_cost": [2.0]})
    >>> out = supplier_forecast(plan, months=2, as_of=dt.date(2026, 11, 15))
    >>> out[["month_start", "expected_order_units", "expected_orders"]].astype(str).values.tolist()
    [['2026-11-15', '300.0', '1'], ['2026-12-15', '300.0', '1']]
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if as_of is None:
        if "as_of" not in restock.columns or restock.empty:
            raise ValueError("as_of must be given when the plan has no as_of column")
        as_of = pd.Timestamp(restock["as_of"].iloc[0]).date()
    start = pd.Timestamp(as_of)
    bounds = [start + pd.DateOffset(months=i) for i in range(months + 1)]
    days = pd.date_range(start, bounds[-1] - pd.Timedelta(days=1), freq="D")
    plan = restock.reset_index(drop=True)
    d = plan["demand_per_day"].astype(float).fillna(0.0).to_numpy()
    demand = np.repeat(d[:, None], len(days), axis=1)
    if forecast_daily is not None and not forecast_daily.empty:
        day = "day" if "day" in forecast_daily.columns else "date"
        value = "mean" if "mean" in forecast_daily.columns else "forecast"
        grid = (forecast_daily.assign(**{day: pd.to_datetime(forecast_daily[day])})
                .pivot_table(index="sku", columns=day, values=value, aggfunc="sum")
                .reindex(index=plan["sku"], columns=days))
        gross = (plan["gross_demand_per_day"].astype(float).fillna(0.0).to_numpy()
                 if "gross_demand_per_day" in plan else d)
        resold = gross - d  # resellable returns per day: the plan's d is net of them
        demand = np.where(grid.notna().to_numpy(), np.maximum(grid.to_numpy(dtype=float) - resold[:, None], 0.0),
                          demand)
    rop = plan["reorder_point"].astype(float).fillna(np.inf).to_numpy()
    eoq = plan["eoq"].astype(float).to_numpy()
    moq, pack = plan["moq"].astype(float).to_numpy(), plan["case_pack"].astype(float).to_numpy()
    ordered = np.zeros_like(demand)
    ordered[:, 0] = plan["order_qty"].astype(float).fillna(0.0).to_numpy()
    position = plan["position"].astype(float).fillna(0.0).to_numpy() + ordered[:, 0] - demand[:, 0]
    for day in range(1, len(days)):  # over days, vectorised across SKUs
        qty = rm.round_to_pack(rm.order_quantity_needed(position, rop, d, review_period_days, eoq), moq, pack)
        ordered[:, day] = qty
        position = position + qty - demand[:, day]
    month_of_day = np.searchsorted(np.array(bounds[1:], dtype="datetime64[ns]"), days.to_numpy(), side="right")
    rows = []
    for month in range(months):  # a handful of months, each over all SKUs at once
        in_month = month_of_day == month
        units = ordered[:, in_month].sum(axis=1)
        rows.append(pd.DataFrame({
            "sku": plan["sku"], "product_name": plan["product_name"], "supplier": plan["supplier"],
            "month": month + 1, "month_start": bounds[month].date(),
            "month_end": (bounds[month + 1] - pd.Timedelta(days=1)).date(),
            "expected_demand_units": demand[:, in_month].sum(axis=1), "expected_order_units": units,
            "expected_orders": (ordered[:, in_month] > 0).sum(axis=1),
            "expected_order_value": units * plan["unit_cost"].astype(float).to_numpy(),
        }))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["supplier", "sku", "month"], kind="stable").reset_index(drop=True)[SUPPLIER_FORECAST_COLUMNS]
