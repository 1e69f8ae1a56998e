"""Purchase orders a seller can send (Excel, one sheet per supplier; CSV) and the supplier forecast.

``po_lines`` takes the plan's lines (``core.restock.purchase_order_lines``) and adds what a supplier
needs: ASIN and FNSKU, the cost sheet's currency, the MOQ and the required-by date. ``po_lines_from_db``
reads those from the database. ``purchase_order_xlsx`` lays each supplier's order out as a document:
PO number, PO date (the day it is made), required-by date, currency, a supplier block and a buyer and
ship-to block (``PurchaseOrderDetails``, saved in the settings; blank labelled lines where nothing
is saved), the lines and the totals. Line totals and totals are Excel formulas, so they stay right
when the seller edits a quantity or fills in a missing cost.

Every text cell (supplier, SKU, product name, addresses) goes through ``core.export.neutralise`` and
is stored as text, so a SKU named ``=HYPERLINK(...)`` is a literal string with a leading apostrophe,
never a formula. The only formulas are the ones built here from cell references (``FORMULA_PATTERN``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from core import db, restock, settings
from core.export import neutralise, to_csv_bytes
from core.metrics import restock as rm

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NO_SUPPLIER = "No supplier"
DEFAULT_CURRENCY = "USD"
UNKNOWN_COST = "unknown cost"
FBA_DESTINATION = "Amazon fulfilment centre (FBA), assigned when the shipment is created"
FBA_NOTE = ("Ship to: Amazon assigns the fulfilment centre when the shipment is created in Seller Central; "
            "its address, the shipment ID and the carton labels are sent with the booking.")
REQUIRED_BY_NOTE = ("Required by: the day the goods must be received and sellable at Amazon "
                    "(the plan's order-by date + production, transit and receiving days).")

LINE_HEADER = ("SKU", "ASIN", "FNSKU", "Product", "Quantity", "Case pack", "MOQ", "Cases", "Currency",
               "Unit cost", "Line total", "Required by")
LINE_FIELDS = ("sku", "asin", "fnsku", "product_name", "order_qty", "case_pack", "moq", "cases", "currency",
               "unit_cost", "line_total", "required_by")
COLUMN = {field: chr(ord("A") + i) for i, field in enumerate(LINE_FIELDS)}  # sku -> "A" ...
COLUMN_WIDTHS = (22, 13, 13, 44, 10, 10, 8, 8, 9, 12, 14, 12)
HEADER_ROW = 17  # the lines' header row; title, PO fields and the two blocks fill rows 1-15
QTY_FORMAT, DATE_FORMAT = "#,##0", "yyyy-mm-dd"
# Every formula this module writes: arithmetic, SUM, SUMIF, IF, ISNUMBER and COUNT over cell references,
# with currency codes (letters only) and "unknown cost" as the only text.
FORMULA_PATTERN = re.compile(r'^=[A-Z0-9:*/(),"= ]*$')

PO_LINE_COLUMNS = ["supplier", "sku", "asin", "fnsku", "product_name", "order_qty", "moq", "case_pack", "cases",
                   "currency", "unit_cost", "line_total", "order_by", "lead_time_days", "required_by",
                   "placement_split", "placement_fee_per_unit", "placement_fee"]
PO_CSV_COLUMNS = ["po_reference", "po_date", "supplier", "sku", "asin", "fnsku", "product_name", "order_qty",
                  "moq", "case_pack", "cases", "currency", "unit_cost", "line_total", "cost_note", "required_by",
                  "placement_fee_per_unit", "placement_fee", "placement_note"]
# Amazon's inbound placement fee is paid to Amazon when the shipment is created, not to the supplier: a
# cost line of the draft under the supplier's total, never inside it.
PLACEMENT_LABEL = "Amazon inbound placement fee"
NO_WEIGHT = "placement fee unknown: no shipping weight (load the FBA Fee Preview)"

_CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "MXN": "MX$", "BRL": "R$", "AUD": "A$", "EUR": "€", "GBP": "£",
                     "SEK": "kr", "PLN": "zł", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "AED": "AED", "SAR": "SAR"}
_NO_DECIMALS = {"JPY"}


@dataclasses.dataclass(frozen=True)
class Party:
    """A name-and-address block of the purchase order; empty fields print as blank labelled lines."""

    name: str = ""
    contact: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""


@dataclasses.dataclass(frozen=True)
class PurchaseOrderDetails:
    """What the purchase orders say beyond the plan, saved in the settings (``load_details``).

    ``buyer``: the seller (name, address, contact). ``ship_to``: where the goods go when it is not an
    Amazon fulfilment centre (a prep centre, a forwarder); empty for FBA, which the sheet says.
    ``suppliers``: contact details by supplier name, as the cost sheet spells it.
    """

    buyer: Party = Party()
    ship_to: Party = Party()
    suppliers: tuple[tuple[str, Party], ...] = ()

    def supplier(self, name: str) -> Party:
        """The saved block of ``name`` (matched ignoring case and spaces at the ends), else just the name."""
        key = name.strip().lower()
        for saved, party in self.suppliers:
            if saved.strip().lower() == key and key:
                return dataclasses.replace(party, name=party.name or name)
        return Party(name=name)


SETTINGS_NAME = "purchase_orders"


def _party(raw: object) -> Party:
    fields = {f.name for f in dataclasses.fields(Party)}
    if not isinstance(raw, dict):
        return Party()
    return Party(**{k: str(v) for k, v in raw.items() if k in fields and v is not None})


def load_details(db_path: Path) -> PurchaseOrderDetails:
    """The saved buyer, ship-to and supplier contacts (``settings`` entry "purchase_orders"); empty
    blocks where nothing was saved."""
    raw = settings.load_raw(db_path, SETTINGS_NAME) or {}
    suppliers = raw.get("suppliers") if isinstance(raw.get("suppliers"), dict) else {}
    return PurchaseOrderDetails(_party(raw.get("buyer")), _party(raw.get("ship_to")),
                                tuple((str(k), _party(v)) for k, v in sorted(suppliers.items())))


def save_details(db_path: Path, details: PurchaseOrderDetails) -> None:
    """Save the blocks ``load_details`` reads."""
    settings.save_raw(db_path, SETTINGS_NAME, {
        "buyer": dataclasses.asdict(details.buyer), "ship_to": dataclasses.asdict(details.ship_to),
        "suppliers": {name: dataclasses.asdict(party) for name, party in details.suppliers}})


def po_reference(made_on: dt.date, number: int) -> str:
    """The PO number: ``PO-YYYYMMDD-NN`` with the day it is made, numbered per supplier in
    alphabetical order.

    >>> po_reference(dt.date(2026, 11, 15), 2)
    'PO-20261115-02'
    """
    return f"PO-{made_on:%Y%m%d}-{number:02d}"


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
        base = _SHEET_FORBIDDEN.sub("_", str(supplier or "")).strip().strip("'").strip() or NO_SUPPLIER
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


_SYMBOL_CODES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


def currency_code(value: object) -> str:
    """A cost sheet's currency cell as a code: an ISO code upper-cased, a symbol ($ € £ ¥) as its
    code, other text as its letters upper-cased (at most 10); USD when empty. Only letters, so a
    code is safe inside the sheet's formulas.

    >>> [currency_code(v) for v in (" eur", None, "", "€", 'x"),1+1')]
    ['EUR', 'USD', 'USD', 'EUR', 'X']
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return DEFAULT_CURRENCY
    text = str(value).strip()
    if text in _SYMBOL_CODES:
        return _SYMBOL_CODES[text]
    return re.sub(r"[^A-Z]", "", text.upper())[:10] or DEFAULT_CURRENCY


def money_format(currency: str) -> str:
    """The Excel number format of an amount in ``currency``: its symbol and two decimals (none for
    JPY); a code without a known symbol is written after the amount.

    >>> money_format("USD"), money_format("JPY"), money_format("CHF")
    ('"$"#,##0.00', '"¥"#,##0', '#,##0.00" CHF"')
    """
    number = "#,##0" if currency in _NO_DECIMALS else "#,##0.00"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    if symbol:
        return f'"{symbol}"{number}'
    return f'{number}" {re.sub(r"[^A-Z]", "", currency)}"'


def required_by_date(order_by, lead_time_days) -> pd.Series:
    """Required-by date of a PO line: the day the goods must be received and sellable at Amazon,
    ``order_by + L``.

    The plan's order-by date (``core.metrics.restock.order_by_date``) is the day the position
    reaches the reorder point; an order placed then arrives L days later (L = production + transit +
    FBA receiving, ``lead_time_days``), when the stock has fallen to the safety stock: later and
    the safety stock is being used. NaT when either is unknown.

    Parameters
    ----------
    order_by : array-like of dates
        The plan's ``order_by``.
    lead_time_days : array-like of float
        The plan's ``lead_time_days``. [L]

    Returns
    -------
    pandas.Series of datetime64

    Examples
    --------
    >>> required_by_date(pd.to_datetime(["2026-11-15", None]), [72.0, 30.0]).tolist()
    [Timestamp('2027-01-26 00:00:00'), NaT]
    """
    days = pd.to_timedelta(np.ceil(np.asarray(lead_time_days, dtype=float)), unit="D")
    return pd.Series(pd.to_datetime(order_by).to_numpy() + days.to_numpy()).dt.normalize()


def po_lines(plan: pd.DataFrame, identifiers: pd.DataFrame | None = None,
             statuses: tuple[str, ...] = ("order now",)) -> pd.DataFrame:
    """The purchase-order lines: the plan's lines to order with ASIN, FNSKU, currency, MOQ and
    required-by date.

    Parameters
    ----------
    plan : pandas.DataFrame
        ``core.restock.restock_table``. Not modified.
    identifiers : pandas.DataFrame or None
        sku, asin, fnsku, currency (any of them; ``identifiers_from_db``). Missing: blank ASIN and
        FNSKU, currency USD.
    statuses : tuple of str
        The plan statuses to order (``core.restock.purchase_order_lines``).

    Returns
    -------
    pandas.DataFrame
        ``PO_LINE_COLUMNS``, by supplier then SKU. ``supplier`` is "" for SKUs without one;
        ``line_total`` = order_qty × unit_cost, NaN without a cost; ``required_by`` from
        ``required_by_date``.

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["a"], "product_name": ["A"], "supplier": [None], "status": ["order now"],
    ...     "order_qty": [24.0], "case_pack": [12.0], "cases": [2.0], "unit_cost": [2.5], "moq": [24.0],
    ...     "order_by": pd.to_datetime(["2026-11-15"]), "lead_time_days": [10.0]})
    >>> po_lines(plan)[["supplier", "sku", "currency", "line_total", "required_by"]].astype(str).values.tolist()
    [['', 'a', 'USD', '60.0', '2026-11-25']]
    """
    lines = restock.purchase_order_lines(plan, statuses)
    supplier = lines["supplier"].astype(object)
    lines["supplier"] = supplier.where(supplier.notna() & (supplier != "(no supplier)"), "")
    extra = plan[["sku", *[c for c in ("moq", "lead_time_days") if c in plan.columns]]].drop_duplicates("sku")
    ids = identifiers if identifiers is not None else pd.DataFrame(columns=["sku"])
    ids = ids[[c for c in ("sku", "asin", "fnsku", "currency") if c in ids.columns]].drop_duplicates("sku")
    lines = lines.merge(extra, on="sku", how="left").merge(ids, on="sku", how="left")
    for column, default in {"asin": None, "fnsku": None, "currency": None, "moq": np.nan,
                            "lead_time_days": np.nan, "placement_split": None,
                            "placement_fee_per_unit": np.nan, "placement_fee": np.nan}.items():
        if column not in lines.columns:
            lines[column] = default
    for column in ("asin", "fnsku"):
        lines[column] = lines[column].astype(object).where(lines[column].notna(), None)
    lines["currency"] = [currency_code(c) for c in lines["currency"]]
    lines["moq"] = lines["moq"].astype(float)
    lines["lead_time_days"] = lines["lead_time_days"].astype(float)
    lines["required_by"] = required_by_date(lines["order_by"], lines["lead_time_days"]).to_numpy()
    return lines.sort_values(["supplier", "sku"], kind="stable").reset_index(drop=True)[PO_LINE_COLUMNS]


def identifiers_from_db(db_path: Path) -> pd.DataFrame:
    """sku, asin, fnsku (the newest report naming them: FBA Inventory, Manage FBA Inventory, Restock
    Inventory) and currency (the cost sheet's), one row per SKU any of them knows."""
    return db.query_df(db_path, """
        WITH named AS (
            SELECT sku, asin, fnsku, snapshot_date AS d FROM inventory_planning
            UNION ALL SELECT sku, asin, fnsku, snapshot_date FROM manage_inventory
            UNION ALL SELECT sku, asin, fnsku, snapshot_date FROM restock),
        ids AS (
            SELECT sku, arg_max(asin, d) FILTER (WHERE asin IS NOT NULL) AS asin,
                   arg_max(fnsku, d) FILTER (WHERE fnsku IS NOT NULL) AS fnsku
            FROM named WHERE sku IS NOT NULL GROUP BY sku),
        money AS (SELECT sku, any_value(currency) FILTER (WHERE currency IS NOT NULL) AS currency
                  FROM product_costs WHERE sku IS NOT NULL GROUP BY sku)
        SELECT sku, i.asin, i.fnsku, m.currency FROM ids i FULL OUTER JOIN money m USING (sku) ORDER BY sku""")


def po_lines_from_db(db_path: Path, plan: pd.DataFrame, statuses: tuple[str, ...] = ("order now",)) -> pd.DataFrame:
    """``po_lines`` with the identifiers and currencies of the database (``identifiers_from_db``)."""
    return po_lines(plan, identifiers_from_db(db_path), statuses)


def _value(value: object) -> object:
    """A cell value: None for missing, plain Python numbers and dates, text neutralised."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return neutralise(value)


def _put(sheet, row: int, column: int | str, value: object, number_format: str | None = None,
         bold: bool = False, formula: bool = False):
    """Write one cell. Text is stored as text (openpyxl would store "=..." as a formula) unless
    ``formula``, which only this module's own formulas use."""
    from openpyxl.styles import Font

    if isinstance(column, str):
        column = ord(column) - ord("A") + 1
    if formula:
        if not FORMULA_PATTERN.match(value.replace(f'"{UNKNOWN_COST}"', '""')):
            raise ValueError(f"not a purchase-order formula: {value!r}")
        cell = sheet.cell(row=row, column=column, value=value)
    else:
        cell = sheet.cell(row=row, column=column, value=_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def _whole(value):
    """Whole unit counts as int (48.0 -> 48); fractions and missing values as they are."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _block(sheet, top: int, label_column: str, title: str, fields: list[tuple[str, str]]) -> None:
    """A titled block of labelled fields; an empty field is a blank line to fill in (underlined)."""
    from openpyxl.styles import Alignment, Border, Side

    value_column = chr(ord(label_column) + 1)
    beside = Alignment(horizontal="right") if label_column != "A" else None  # next to its value
    _put(sheet, top, label_column, title, bold=True)
    for row, (label, value) in enumerate(fields, start=top + 1):
        label_cell = _put(sheet, row, label_column, label)
        if beside:
            label_cell.alignment = beside
        if value and label != "Name":
            # The seller's own details ("+86 574 ..." phones): text with Excel's quote prefix, shown as
            # typed and never run, instead of the apostrophe report text gets.
            cell = sheet[f"{value_column}{row}"]
            cell.value, cell.data_type, cell.quotePrefix = str(value), "s", True
        else:
            cell = _put(sheet, row, value_column, value or None)
        if not value:
            cell.border = Border(bottom=Side(style="thin"))


def _po_sheet(sheet, supplier: str, lines: pd.DataFrame, reference: str, made_on: dt.date,
              details: PurchaseOrderDetails, as_of: dt.date) -> None:
    from openpyxl.styles import Font

    currencies = sorted(lines["currency"].unique())
    required = pd.to_datetime(lines["required_by"]).min()
    _put(sheet, 1, "A", "Purchase order").font = Font(bold=True, size=14)
    fields = (("PO number", reference, None), ("PO date", made_on, DATE_FORMAT),
              ("Required by", None if pd.isna(required) else required, DATE_FORMAT),
              ("Currency", ", ".join(currencies), None))
    for row, (label, value, fmt) in enumerate(fields, start=3):
        _put(sheet, row, "A", label, bold=True)
        _put(sheet, row, "B", value, fmt)
    vendor = details.supplier(supplier)
    _block(sheet, 8, "A", "Supplier", [("Name", vendor.name), ("Contact", vendor.contact),
                                       ("Address", vendor.address), ("Email", vendor.email),
                                       ("Phone", vendor.phone)])
    buyer, ship_to = details.buyer, details.ship_to
    destination = ", ".join(x for x in (ship_to.name, ship_to.address) if x) or FBA_DESTINATION
    _block(sheet, 8, "D", "Buyer and ship-to", [("Buyer", buyer.name), ("Address", buyer.address),
                                                ("Contact", buyer.contact or ship_to.contact),
                                                ("Email", buyer.email), ("Phone", buyer.phone or ship_to.phone),
                                                ("Ship to", destination)])
    if destination == FBA_DESTINATION:
        _put(sheet, 15, "A", FBA_NOTE)
    for column, title in enumerate(LINE_HEADER, start=1):
        _put(sheet, HEADER_ROW, column, title, bold=True)

    first = HEADER_ROW + 1
    last = first + len(lines) - 1
    c = COLUMN
    for row, line in enumerate(lines.to_dict("records"), start=first):
        money = money_format(line["currency"])
        for field in ("sku", "asin", "fnsku", "product_name", "currency"):
            _put(sheet, row, c[field], line[field])
        _put(sheet, row, c["order_qty"], _whole(line["order_qty"]), QTY_FORMAT)
        _put(sheet, row, c["case_pack"], _whole(line["case_pack"]), QTY_FORMAT)
        _put(sheet, row, c["moq"], _whole(line["moq"]) or None, QTY_FORMAT)
        if pd.notna(line["case_pack"]) and line["case_pack"] >= 1:
            _put(sheet, row, c["cases"], f"={c['order_qty']}{row}/{c['case_pack']}{row}", QTY_FORMAT, formula=True)
        _put(sheet, row, c["unit_cost"], line["unit_cost"], money)
        qty, cost = f"{c['order_qty']}{row}", f"{c['unit_cost']}{row}"
        total = (f"={qty}*{cost}" if pd.notna(line["unit_cost"])
                 else f'=IF(ISNUMBER({cost}),{qty}*{cost},"{UNKNOWN_COST}")')
        _put(sheet, row, c["line_total"], total, money, formula=True)
        _put(sheet, row, c["required_by"], line["required_by"], DATE_FORMAT)

    row = last + 1
    _put(sheet, row, "A", "Total", bold=True)
    _put(sheet, row, c["order_qty"], f"=SUM({c['order_qty']}{first}:{c['order_qty']}{last})", QTY_FORMAT,
         bold=True, formula=True)
    if (lines["case_pack"] >= 1).any():
        _put(sheet, row, c["cases"], f"=SUM({c['cases']}{first}:{c['cases']}{last})", QTY_FORMAT, bold=True,
             formula=True)
    totals = f"{c['line_total']}{first}:{c['line_total']}{last}"
    for number, currency in enumerate(currencies):
        if number:
            row += 1
            _put(sheet, row, "A", "Total", bold=True)
        costs = lines.loc[lines["currency"] == currency, "unit_cost"]
        if len(currencies) == 1:
            amount = f"=SUM({totals})"
        else:
            amount = f'=SUMIF({c["currency"]}{first}:{c["currency"]}{last},"{currency}",{totals})'
            _put(sheet, row, c["currency"], currency, bold=True)
        if costs.isna().all():  # no cost known: the total is unknown, not 0
            amount = f'=IF(COUNT({totals})=0,"{UNKNOWN_COST}",{amount[1:]})'
        _put(sheet, row, c["line_total"], amount, money_format(currency), bold=True, formula=True)
    row = _placement_rows(sheet, row, lines)
    notes = []
    missing = int(lines["unit_cost"].isna().sum())
    if missing:
        notes.append(f"{missing} line{'s' if missing > 1 else ''} with an unknown cost (no unit cost in the cost "
                     f"sheet) {'are' if missing > 1 else 'is'} not in the total: enter the unit cost and the "
                     "total updates.")
    late = (pd.to_datetime(lines["required_by"]) < pd.Timestamp(made_on)
            + pd.to_timedelta(lines["lead_time_days"].fillna(0), unit="D"))
    if late.any():
        stale = (f" (the plan's stock figures are from {as_of:%Y-%m-%d}, {(made_on - as_of).days} days before "
                 "the PO date)") if made_on > as_of else ""
        notes.append(f"{int(late.sum())} line{'s' if late.sum() > 1 else ''} cannot arrive by the required-by "
                     f"date even if ordered today, at the planned lead time{stale}: ship faster or expect a "
                     "stockout.")
    notes.append(REQUIRED_BY_NOTE)
    for offset, note in enumerate(notes, start=2):
        _put(sheet, row + offset, "A", note)

    for column, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _placement_rows(sheet, row: int, lines: pd.DataFrame) -> int:
    """Under the supplier's total, Amazon's inbound placement fee of these lines (Σ placement_fee, the
    plan's split option, an estimate) and how many lines it leaves out for want of a weight; the last
    row written. Nothing when the lines carry no placement option (older lines)."""
    from core.fees.table import display_option

    split = lines["placement_split"].dropna()
    if split.empty:
        return row
    fees = lines["placement_fee"].astype(float)
    row += 1
    _put(sheet, row, "A", f"{PLACEMENT_LABEL} ({display_option(split.iloc[0])}; estimate, paid to Amazon, "
                          "not in the total above)", bold=True)
    money = money_format(lines["currency"].iloc[0])
    if fees.notna().any():
        _put(sheet, row, COLUMN["line_total"], float(fees.sum()), money, bold=True)
    unknown = int(fees.isna().sum())
    if unknown:
        row += 1
        _put(sheet, row, "A", f"{unknown} line{'s' if unknown > 1 else ''}: {NO_WEIGHT}"
                              + ("; not in the sum" if fees.notna().any() else ""))
    return row


def _with_line_columns(order_lines: pd.DataFrame) -> pd.DataFrame:
    """Lines from ``po_lines`` as they are; older lines (``core.restock.purchase_order_lines``) get
    the columns they lack: no ASIN or FNSKU, USD, no MOQ or required-by date."""
    lines = order_lines.copy()
    defaults = {"asin": None, "fnsku": None, "moq": np.nan, "lead_time_days": np.nan, "currency": None,
                "required_by": pd.NaT, "order_by": pd.NaT, "placement_split": None,
                "placement_fee_per_unit": np.nan, "placement_fee": np.nan}
    for column, default in defaults.items():
        if column not in lines.columns:
            lines[column] = default
    lines["currency"] = [currency_code(v) for v in lines["currency"]]
    supplier = lines["supplier"].astype(object)
    lines["supplier"] = supplier.where(supplier.notna() & (supplier != "(no supplier)"), "").astype(str)
    return lines


def purchase_order_xlsx(order_lines: pd.DataFrame, as_of: dt.date, made_on: dt.date | None = None,
                        details: PurchaseOrderDetails = PurchaseOrderDetails()) -> bytes:
    """Purchase orders as an Excel workbook, one sheet per supplier, ready to send.

    Parameters
    ----------
    order_lines : pandas.DataFrame
        ``po_lines`` (or ``core.restock.purchase_order_lines``: no ASIN, FNSKU, MOQ or required-by).
        Not modified.
    as_of : datetime.date
        The plan's date (named on the "No orders" sheet).
    made_on : datetime.date or None
        The PO date, the day the order is made: today by default. The PO numbers carry it.
    details : PurchaseOrderDetails
        Buyer, ship-to and supplier contacts (``load_details``).

    Returns
    -------
    bytes
        An .xlsx file. Each sheet (suppliers in alphabetical order, names from ``sheet_names``; SKUs
        without a supplier on "No supplier"): "Purchase order"; rows 3-6 PO number
        (``po_reference``), PO date, Required by (the earliest line's), Currency; from row 8 the
        Supplier block (A-B) and the Buyer and ship-to block (D-E), blank underlined lines where
        nothing is saved, and for FBA a note that Amazon assigns the fulfilment centre; at
        ``HEADER_ROW`` the bold ``LINE_HEADER``; one row per line: Cases ``=qty/case pack``, Line
        total ``=qty*unit cost`` (``=IF(ISNUMBER(cost),qty*cost,"unknown cost")`` when the cost is
        unknown, never 0); a bold Total row: ``=SUM`` of quantities, cases and line totals (per
        currency with ``SUMIF`` when lines differ in currency; "unknown cost" when no line has one);
        notes below. Money cells carry their currency's format (``money_format``). Without lines,
        one sheet "No orders" says so.

    Examples
    --------
    >>> import openpyxl
    >>> lines = pd.DataFrame({"supplier": ["Acme"], "sku": ["=1+1"], "product_name": ["Mug"],
    ...     "order_qty": [48.0], "case_pack": [24.0], "cases": [2.0], "unit_cost": [1.5], "line_total": [72.0]})
    >>> data = purchase_order_xlsx(lines, dt.date(2026, 11, 15), made_on=dt.date(2026, 11, 16))
    >>> sheet = openpyxl.load_workbook(io.BytesIO(data))["Acme"]
    >>> [c.value for c in sheet[HEADER_ROW + 1]][:11]
    ["'=1+1", None, None, 'Mug', 48, 24, None, '=E18/F18', 'USD', 1.5, '=E18*J18']
    """
    from openpyxl import Workbook

    made_on = made_on or dt.date.today()
    book = Workbook()
    book.remove(book.active)
    if order_lines.empty:
        sheet = book.create_sheet("No orders")
        _put(sheet, 1, 1, f"Nothing to order on {as_of:%Y-%m-%d}.")
    lines = _with_line_columns(order_lines)
    suppliers = sorted(lines["supplier"].unique()) if len(lines) else []
    for number, (supplier, name) in enumerate(zip(suppliers, sheet_names(suppliers)), start=1):
        _po_sheet(book.create_sheet(name), supplier, lines[lines["supplier"] == supplier],
                  po_reference(made_on, number), made_on, details, pd.Timestamp(as_of).date())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def purchase_order_csv(order_lines: pd.DataFrame, as_of: dt.date | None = None,
                       made_on: dt.date | None = None) -> bytes:
    """Purchase-order lines as CSV (``core.export.to_csv_bytes``: formulas defused, money to cents,
    units whole), one line per SKU with the supplier on each ("No supplier" when none).

    With ``as_of`` or ``made_on``, the columns ``PO_CSV_COLUMNS``: each supplier's PO number and the
    PO date (``made_on``, today by default), then supplier, sku, asin, fnsku, product_name,
    order_qty, moq, case_pack, cases, currency, unit_cost, line_total (empty without a cost),
    cost_note ("unknown cost" there), required_by, and Amazon's inbound placement fee of the line
    (placement_fee_per_unit, placement_fee = order_qty × fee a unit, placement_note ``NO_WEIGHT`` where
    the plan priced it but the weight is unknown); without either date, the same minus the first two.

    Examples
    --------
    >>> lines = pd.DataFrame({"supplier": ["Acme"], "sku": ["@x"], "product_name": ["Mug"],
    ...     "order_qty": [48.0], "case_pack": [24.0], "cases": [2.0], "unit_cost": [1.5], "line_total": [72.0]})
    >>> purchase_order_csv(lines).decode("utf-8-sig").splitlines()[1]
    "Acme,'@x,,,Mug,48,,24,2,USD,1.50,72.00,,,,,"
    """
    lines = _with_line_columns(order_lines)
    out = lines.assign(
        supplier=lines["supplier"].where(lines["supplier"] != "", NO_SUPPLIER),
        line_total=lines["order_qty"].astype(float) * lines["unit_cost"].astype(float),
        cost_note=np.where(lines["unit_cost"].isna(), UNKNOWN_COST, None),
        required_by=pd.to_datetime(lines["required_by"]).dt.date,
        placement_fee=lines["order_qty"].astype(float) * lines["placement_fee_per_unit"].astype(float),
        placement_note=np.where(lines["placement_fee_per_unit"].isna() & lines["placement_split"].notna(),
                                NO_WEIGHT, None))
    if as_of is not None or made_on is not None:
        made_on = made_on or dt.date.today()
        suppliers = sorted(lines["supplier"].unique())
        numbers = {s: po_reference(made_on, n) for n, s in enumerate(suppliers, start=1)}
        out = out.assign(po_reference=lines["supplier"].map(numbers), po_date=made_on.isoformat())
        return to_csv_bytes(out[PO_CSV_COLUMNS])
    return to_csv_bytes(out[PO_CSV_COLUMNS[2:]])


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
        day's demand, and when it is at or below ROP + F₂₈ + d·R a new order of
        ``round_to_pack(max(Q, ROP + F₂₈ + d·R − position), MOQ, case pack)`` is placed, F₂₈ the plan's
        ``low_inventory_floor_units`` and Q its ``cycle_qty`` (the corridor's; without those columns
        0 and the EOQ). They stay those of today's plan. A SKU the plan holds by its grade
        (``blocked_by`` "grade") orders nothing.

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
    if "low_inventory_floor_units" in plan:  # the corridor's trigger and later quantity (core/restock.py)
        rop = rop + plan["low_inventory_floor_units"].astype(float).fillna(0.0).to_numpy()
    eoq = plan["cycle_qty" if "cycle_qty" in plan else "eoq"].astype(float).to_numpy()
    moq, pack = plan["moq"].astype(float).to_numpy(), plan["case_pack"].astype(float).to_numpy()
    ordered = np.zeros_like(demand)
    ordered[:, 0] = plan["order_qty"].astype(float).fillna(0.0).to_numpy()
    position = plan["position"].astype(float).fillna(0.0).to_numpy() + ordered[:, 0] - demand[:, 0]
    # A SKU the plan holds back (graded red or orange) is not reordered: the supplier hears of no order.
    held = ((plan["blocked_by"].fillna("") == "grade").to_numpy() if "blocked_by" in plan
            else np.zeros(len(plan), dtype=bool))
    for day in range(1, len(days)):  # over days, vectorised across SKUs
        qty = rm.round_to_pack(rm.order_quantity_needed(position, rop, d, review_period_days, eoq), moq, pack)
        qty = np.where(held, 0.0, qty)
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
