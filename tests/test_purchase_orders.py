"""Purchase orders a seller can send (Excel opened back with openpyxl, cell by cell, its formulas
evaluated here by a small evaluator since no spreadsheet program is installed; CSV) and the supplier
forecast (core/purchase_orders.py)."""

import csv
import datetime as dt
import io
import re
import shutil

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest

from core import restock, skus
from core.purchase_orders import (COLUMN, FBA_DESTINATION, FBA_NOTE, HEADER_ROW, LINE_HEADER, PO_CSV_COLUMNS,
                                  SUPPLIER_FORECAST_COLUMNS, Party, PurchaseOrderDetails, currency_code,
                                  identifiers_from_db, load_details, money_format, po_lines, po_lines_from_db,
                                  po_reference, purchase_order_csv, purchase_order_xlsx, required_by_date,
                                  save_details, sheet_names, supplier_forecast)

AS_OF = dt.date(2026, 11, 15)
MADE_ON = dt.date(2026, 11, 18)  # the PO is made three days after the plan's snapshot
EVIL_SKU = '=HYPERLINK("http://x","y")'
LONG_SUPPLIER = "Ningbo Everbright Housewares Co., Ltd. [Export/Import]"
FIRST = HEADER_ROW + 1


def _plan() -> pd.DataFrame:
    """A restock plan (core.restock.restock_table's columns that the PO reads): three Acme SKUs (one
    without a cost), one of a long-named supplier, one without a supplier, one not to order."""
    return pd.DataFrame({
        "sku": ["A-1", EVIL_SKU, "A-3", "N-1", "Z-1", "A-9"],
        "product_name": ["Mug", "+Cup", "Bowl", "Hose", "Lamp", "Spoon"],
        "supplier": ["Acme", "Acme", "Acme", LONG_SUPPLIER, None, "Acme"],
        "status": ["order now"] * 5 + ["not yet"],
        "order_qty": [240.0, 48.0, 7.0, 120.0, 30.0, 50.0],
        "case_pack": [24.0, 12.0, np.nan, 12.0, np.nan, 1.0],
        "moq": [240.0, 0.0, np.nan, 100.0, np.nan, 0.0],
        "cases": [10.0, 4.0, np.nan, 10.0, np.nan, 50.0],
        "unit_cost": [2.5, 1.25, np.nan, 6.4, 3.0, 1.0],
        "order_by": pd.to_datetime(["2026-11-15", "2026-11-20", "2026-11-15", "2026-11-16", "2026-11-15",
                                    "2027-01-01"]),
        "lead_time_days": [72.0, 30.0, 45.0, 60.0, 10.0, 30.0],
    })


IDS = pd.DataFrame({"sku": ["A-1", EVIL_SKU, "A-3", "N-1", "Z-1"],
                    "asin": ["B0A1", "B0A2", None, "B0N1", "B0Z1"],
                    "fnsku": ["X0A1", "X0A2", "X0A3", "X0N1", None],
                    "currency": ["USD", "usd", None, "EUR", None]})


def _lines() -> pd.DataFrame:
    return po_lines(_plan(), IDS)


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF, made_on=MADE_ON)))


# --- a tiny evaluator of the formulas this module writes ---------------------------------------------

def _range(sheet, ref: str) -> list:
    return [evaluate(sheet, c.coordinate) for row in sheet[ref] for c in row]


def evaluate(sheet, ref: str):
    """The value a spreadsheet would show in ``ref``."""
    value = sheet[ref].value
    if isinstance(value, str) and value.startswith("="):
        return _formula(sheet, value[1:])
    return value


def _formula(sheet, f: str):
    """One formula of the shapes this module writes; fails on any other shape."""
    if m := re.fullmatch(r"([A-Z]+\d+)\*([A-Z]+\d+)", f):
        return evaluate(sheet, m[1]) * evaluate(sheet, m[2])
    if m := re.fullmatch(r"([A-Z]+\d+)/([A-Z]+\d+)", f):
        return evaluate(sheet, m[1]) / evaluate(sheet, m[2])
    if m := re.fullmatch(r"SUM\(([A-Z]+\d+:[A-Z]+\d+)\)", f):
        return sum(v for v in _range(sheet, m[1]) if _number(v))
    if m := re.fullmatch(r'SUMIF\(([A-Z]+\d+:[A-Z]+\d+),"([A-Z]+)",([A-Z]+\d+:[A-Z]+\d+)\)', f):
        keys, values = _range(sheet, m[1]), _range(sheet, m[3])
        return sum(v for k, v in zip(keys, values) if k == m[2] and _number(v))
    if m := re.fullmatch(r'IF\(ISNUMBER\(([A-Z]+\d+)\),([A-Z]+\d+)\*\1,"unknown cost"\)', f):
        cost = evaluate(sheet, m[1])
        return evaluate(sheet, m[2]) * cost if _number(cost) else "unknown cost"
    if m := re.fullmatch(r'IF\(COUNT\(([A-Z]+\d+:[A-Z]+\d+)\)=0,"unknown cost",(.*)\)', f):
        return _formula(sheet, m[2]) if any(_number(v) for v in _range(sheet, m[1])) else "unknown cost"
    raise AssertionError(f"unexpected formula ={f}")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def row_of(sheet, sku: str) -> int:
    return next(r for r in range(FIRST, sheet.max_row + 1) if sheet.cell(r, 1).value in (sku, "'" + sku))


def total_row(sheet) -> int:
    return next(r for r in range(FIRST, sheet.max_row + 1) if sheet.cell(r, 1).value == "Total")


# --- lines --------------------------------------------------------------------------------------------

def test_po_lines_add_identifiers_currency_moq_and_required_by():
    lines = _lines()
    assert lines["sku"].tolist() == ["Z-1", EVIL_SKU, "A-1", "A-3", "N-1"]  # "=" sorts before "A"
    assert lines["supplier"].tolist() == ["", "Acme", "Acme", "Acme", LONG_SUPPLIER]  # no supplier first
    by_sku = lines.set_index("sku")
    assert by_sku.loc["A-1", ["asin", "fnsku", "currency", "moq"]].tolist() == ["B0A1", "X0A1", "USD", 240.0]
    assert by_sku.loc[EVIL_SKU, "currency"] == "USD"  # "usd" in the sheet
    assert by_sku.loc["A-3", "asin"] is None and by_sku.loc["A-3", "currency"] == "USD"  # default
    assert by_sku.loc["N-1", "currency"] == "EUR"
    # required by = order-by + lead time: 15 Nov + 72 d = 26 Jan; 20 Nov + 30 d = 20 Dec
    assert by_sku.loc["A-1", "required_by"] == pd.Timestamp("2027-01-26")
    assert by_sku.loc[EVIL_SKU, "required_by"] == pd.Timestamp("2026-12-20")
    assert "A-9" not in by_sku.index  # "not yet"
    assert np.isnan(by_sku.loc["A-3", "line_total"])  # no cost: unknown, not 0


def test_required_by_date_rounds_lead_time_up_and_keeps_unknowns():
    out = required_by_date(pd.to_datetime(["2026-11-15", "2026-11-15", None]), [10.2, np.nan, 5.0])
    assert out.tolist()[0] == pd.Timestamp("2026-11-26") and out.isna().tolist() == [False, True, True]


@pytest.mark.parametrize("value, code", [("usd", "USD"), (None, "USD"), ("", "USD"), ("€", "EUR"),
                                         (" gbp ", "GBP"), ('E"UR', "EUR")])
def test_currency_code(value, code):
    assert currency_code(value) == code


def test_money_format_names_the_currency():
    assert money_format("USD") == '"$"#,##0.00' and money_format("EUR") == '"€"#,##0.00'
    assert money_format("JPY") == '"¥"#,##0' and money_format("CHF") == '#,##0.00" CHF"'


# --- the workbook ---------------------------------------------------------------------------------------

def test_one_sheet_per_supplier_with_valid_names(book):
    assert book.sheetnames == ["No supplier", "Acme", "Ningbo Everbright Housewares Co"]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_po_fields_dates_are_the_day_made_and_the_earliest_required_by(book):
    acme = book["Acme"]
    assert acme["A1"].value == "Purchase order" and acme["A1"].font.b
    fields = {acme.cell(r, 1).value: acme.cell(r, 2) for r in range(3, 7)}
    assert list(fields) == ["PO number", "PO date", "Required by", "Currency"]
    assert fields["PO number"].value == "PO-20261118-02"  # numbered with the PO date, second supplier
    assert fields["PO date"].value == dt.datetime(2026, 11, 18) and fields["PO date"].number_format == "yyyy-mm-dd"
    # Acme's lines: A-1 15 Nov + 72 = 26 Jan, A-3 15 Nov + 45 = 30 Dec, EVIL 20 Nov + 30 = 20 Dec
    assert fields["Required by"].value == dt.datetime(2026, 12, 20)
    assert fields["Currency"].value == "USD"
    assert book["Ningbo Everbright Housewares Co"]["B6"].value == "EUR"
    assert book["Ningbo Everbright Housewares Co"]["B3"].value == "PO-20261118-03"


def test_po_date_defaults_to_today():
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF))).worksheets[0]
    assert sheet["B4"].value.date() == dt.date.today()
    assert sheet["B3"].value == po_reference(dt.date.today(), 1)


def test_blocks_are_blank_labelled_lines_without_details(book):
    acme = book["Acme"]
    assert [acme.cell(r, 1).value for r in range(8, 14)] == ["Supplier", "Name", "Contact", "Address", "Email",
                                                             "Phone"]
    assert acme["B9"].value == "Acme"
    for r in range(10, 14):  # nothing saved: a line to fill in
        assert acme.cell(r, 2).value is None and acme.cell(r, 2).border.bottom.style == "thin"
    assert [acme.cell(r, 4).value for r in range(8, 15)] == ["Buyer and ship-to", "Buyer", "Address", "Contact",
                                                             "Email", "Phone", "Ship to"]
    assert acme["E9"].value is None and acme["E9"].border.bottom.style == "thin"
    assert acme["D9"].alignment.horizontal == "right"  # the label sits next to its line
    assert acme["E14"].value == FBA_DESTINATION and acme["A15"].value == FBA_NOTE
    assert book["Ningbo Everbright Housewares Co"]["B9"].value == LONG_SUPPLIER  # full name; only the tab is cut
    assert book["No supplier"]["B9"].value is None  # no supplier: a blank name to fill in


def test_blocks_take_the_saved_details(tmp_path):
    details = PurchaseOrderDetails(
        buyer=Party(name="Brightline Goods LLC", address="12 Main St, Austin TX 78701", email="buy@bl.example"),
        suppliers=(("acme ", Party(contact="Li Wei", email="li@acme.example", phone="+86 574 1234")),))
    save_details(tmp_path / "d.duckdb", details)
    assert load_details(tmp_path / "d.duckdb") == details
    assert load_details(tmp_path / "empty.duckdb") == PurchaseOrderDetails()
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF, MADE_ON, details)))["Acme"]
    assert [sheet.cell(r, 2).value for r in range(9, 14)] == ["Acme", "Li Wei", None, "li@acme.example",
                                                              "+86 574 1234"]
    assert sheet["B13"].quotePrefix and sheet["B13"].data_type == "s"  # text as typed, never a formula
    assert sheet["E9"].value == "Brightline Goods LLC" and sheet["E10"].value == "12 Main St, Austin TX 78701"
    prep = PurchaseOrderDetails(ship_to=Party(name="PrepCo", address="1 Dock Rd, Newark NJ"))
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF, MADE_ON, prep)))["Acme"]
    assert sheet["E14"].value == "PrepCo, 1 Dock Rd, Newark NJ" and sheet["A15"].value is None


def test_lines_cell_by_cell(book):
    acme = book["Acme"]
    assert [c.value for c in acme[HEADER_ROW]] == list(LINE_HEADER)
    assert LINE_HEADER[:3] == ("SKU", "ASIN", "FNSKU")  # beside the SKU
    assert all(c.font.b for c in acme[HEADER_ROW])
    r, bowl = row_of(acme, "A-1"), row_of(acme, "A-3")
    assert [c.value for c in acme[r]] == ["A-1", "B0A1", "X0A1", "Mug", 240, 24, 240, f"=E{r}/F{r}", "USD", 2.5,
                                          f"=E{r}*J{r}", dt.datetime(2027, 1, 26)]
    assert [c.value for c in acme[bowl]][:8] == ["A-3", None, "X0A3", "Bowl", 7, None, None, None]
    assert acme.cell(bowl, 10).value is None  # no cost: empty, to fill in
    assert acme.cell(bowl, 11).value == f'=IF(ISNUMBER(J{bowl}),E{bowl}*J{bowl},"unknown cost")'
    assert [c.value for c in acme[FIRST]][:5] == ["'" + EVIL_SKU, "B0A2", "X0A2", "'+Cup", 48]
    assert acme[f"E{r}"].number_format == "#,##0" and acme[f"H{r}"].number_format == "#,##0"
    assert acme[f"J{r}"].number_format == '"$"#,##0.00' and acme[f"K{r}"].number_format == '"$"#,##0.00'
    assert acme[f"L{r}"].number_format == "yyyy-mm-dd"
    assert acme.column_dimensions["D"].width == 44 and acme.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    ningbo = book["Ningbo Everbright Housewares Co"]
    assert ningbo[f"J{FIRST}"].number_format == '"€"#,##0.00' and ningbo[f"I{FIRST}"].value == "EUR"


def test_totals_are_formulas_that_evaluate_to_the_plan_figures(book):
    """Σ qty × cost computed here from the plan frame, against the workbook's formulas evaluated."""
    plan = _plan()
    for sheet_name, supplier in (("Acme", "Acme"), ("Ningbo Everbright Housewares Co", LONG_SUPPLIER)):
        sheet, mine = book[sheet_name], plan[(plan["supplier"] == supplier) & (plan["status"] == "order now")]
        row = total_row(sheet)
        assert row == FIRST + len(mine)
        last = row - 1
        assert sheet[f"E{row}"].value == f"=SUM(E{FIRST}:E{last})"
        assert sheet[f"K{row}"].value == f"=SUM(K{FIRST}:K{last})"
        assert sheet[f"K{row}"].font.b
        assert evaluate(sheet, f"E{row}") == mine["order_qty"].sum()
        assert evaluate(sheet, f"K{row}") == pytest.approx((mine["order_qty"] * mine["unit_cost"]).sum())
        assert evaluate(sheet, f"H{row}") == pytest.approx((mine["order_qty"] / mine["case_pack"]).sum())
    acme = book["Acme"]
    assert evaluate(acme, f"K{row_of(acme, 'A-3')}") == "unknown cost"  # said, not $0
    assert evaluate(acme, f"K{total_row(acme)}") == 240 * 2.5 + 48 * 1.25  # 660: the unknown line left out
    notes = [acme.cell(r, 1).value for r in range(total_row(acme) + 1, acme.max_row + 1)]
    assert "1 line with an unknown cost (no unit cost in the cost sheet) is not in the total: enter the unit " \
           "cost and the total updates." in notes


def test_editing_a_quantity_or_a_missing_cost_updates_the_totals():
    """What the seller does in Excel: change a quantity and fill in the missing cost."""
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF, MADE_ON)))["Acme"]
    row, mug, bowl = total_row(sheet), row_of(sheet, "A-1"), row_of(sheet, "A-3")
    assert evaluate(sheet, f"K{row}") == 600 + 60
    sheet[f"E{mug}"] = 480  # 240 -> 480 units at 2.50
    sheet[f"J{bowl}"] = 4.0  # 7 units, cost now known
    assert evaluate(sheet, f"K{mug}") == 1200
    assert evaluate(sheet, f"K{bowl}") == 28
    assert evaluate(sheet, f"K{row}") == 1200 + 28 + 60
    assert evaluate(sheet, f"E{row}") == 480 + 7 + 48
    assert evaluate(sheet, f"H{mug}") == 20  # 480 / 24 cases


def test_a_supplier_without_any_cost_has_an_unknown_total_not_zero(book):
    sheet = book["No supplier"]
    row = total_row(sheet)  # Z-1: 30 at 3.00
    assert sheet[f"K{row}"].value == f"=SUM(K{FIRST}:K{FIRST})" and evaluate(sheet, f"K{row}") == 90.0
    lines = _lines().assign(unit_cost=np.nan, line_total=np.nan)
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON)))["Acme"]
    row = total_row(sheet)
    assert sheet[f"K{row}"].value == f'=IF(COUNT(K{FIRST}:K{row - 1})=0,"unknown cost",SUM(K{FIRST}:K{row - 1}))'
    assert evaluate(sheet, f"K{row}") == "unknown cost"
    sheet[f"J{row_of(sheet, 'A-1')}"] = 2.0  # one cost filled in: the total becomes a number
    assert evaluate(sheet, f"K{row}") == 480.0


def test_mixed_currencies_get_one_total_each():
    lines = _lines()
    lines.loc[lines["sku"] == "A-1", "currency"] = "EUR"  # 240 x 2.50 in EUR; 48 x 1.25 in USD
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON)))["Acme"]
    assert sheet["B6"].value == "EUR, USD"
    row, last = total_row(sheet), total_row(sheet) - 1
    assert sheet[f"K{row}"].value == f'=SUMIF(I{FIRST}:I{last},"EUR",K{FIRST}:K{last})'
    assert sheet[f"I{row}"].value == "EUR" and sheet[f"I{row + 1}"].value == "USD"
    assert sheet[f"A{row + 1}"].value == "Total"
    assert evaluate(sheet, f"K{row}") == 600 and evaluate(sheet, f"K{row + 1}") == 60
    assert sheet[f"K{row}"].number_format == '"€"#,##0.00' and sheet[f"K{row + 1}"].number_format == '"$"#,##0.00'


def test_late_lines_are_flagged_against_the_po_date(book):
    """Made on 18 Nov: A-1 arrives 18 Nov + 72 = 29 Jan, after its required-by 26 Jan; EVIL made
    18 Nov + 30 = 18 Dec is before 20 Dec; A-3 18 Nov + 45 = 2 Jan after 30 Dec. Two lines late."""
    acme = book["Acme"]
    notes = [acme.cell(r, 1).value for r in range(total_row(acme) + 1, acme.max_row + 1)]
    assert any(n and n.startswith("2 lines cannot arrive by the required-by date") and "from 2026-11-15, 3 days"
               in n for n in notes)


def test_only_this_modules_formulas_and_formula_looking_text_is_literal(book):
    """A SKU named =HYPERLINK(...) is stored as text with a leading apostrophe; the formulas are the
    line totals, cases and totals this module writes, over cell references only."""
    allowed = re.compile(r'^=(SUM|SUMIF|IF|ISNUMBER|COUNT|[A-Z]+\d+|[(),:*/="]|unknown cost|[A-Z]{3})*$')
    formulas = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas += 1
                    assert cell.column_letter in "EHK" and allowed.match(cell.value), cell.value
                elif isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.coordinate
    # No supplier: 1 line total + 2 totals; Acme: 3 line totals, 2 cases, 3 totals; Ningbo: 1 + 1 + 3
    assert formulas == 3 + 8 + 5
    evil = book["Acme"][f"A{FIRST}"]
    assert evil.value == "'" + EVIL_SKU and evil.data_type == "s"


def test_formula_looking_supplier_and_currency_are_neutralised():
    lines = _lines().assign(supplier="=cmd|' /C calc'!A0", currency='EUR",HYPERLINK("x')
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON))).worksheets[0]
    assert sheet["B9"].value == "'=cmd|' /C calc'!A0" and sheet["B9"].data_type == "s"
    assert sheet.title == "=cmd|' _C calc'!A0"  # a tab name is never evaluated; forbidden '/' replaced
    assert sheet["B6"].value == "EURHYPERLI"  # letters only (at most 10): nothing can break out of a formula


def test_no_lines_gives_a_no_orders_sheet():
    book = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines().iloc[0:0], AS_OF)))
    assert book.sheetnames == ["No orders"]
    assert book["No orders"]["A1"].value == "Nothing to order on 2026-11-15."


def test_an_empty_database_gives_no_lines_and_a_no_orders_sheet(tmp_path):
    path = tmp_path / "empty.duckdb"
    lines = po_lines_from_db(path, restock.restock_from_db(path))
    assert lines.empty and list(lines.columns) == list(_lines().columns)
    assert openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF))).sheetnames == ["No orders"]
    assert purchase_order_csv(lines, AS_OF).decode("utf-8-sig").splitlines() == [",".join(PO_CSV_COLUMNS)]


def test_lines_of_core_restock_still_make_a_workbook():
    """``core.restock.purchase_order_lines`` lacks ASIN, FNSKU, MOQ and required-by: blank, USD."""
    lines = restock.purchase_order_lines(_plan())
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON)))["Acme"]
    assert [c.value for c in sheet[row_of(sheet, "A-1")]][:4] == ["A-1", None, None, "Mug"]
    assert sheet["B6"].value == "USD"
    assert sheet["B5"].value is None
    assert openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON))).sheetnames[0] == \
        "No supplier"


@pytest.mark.parametrize("suppliers, expected", [
    (["Acme", "acme"], ["Acme", "acme (2)"]),  # Excel compares names case-insensitively
    (["a" * 40, "a" * 35], ["a" * 31, "a" * 27 + " (2)"]),  # unique after truncation
    (["A:B/C\\D?E*F[G]"], ["A_B_C_D_E_F_G_"]),
    (["", None], ["No supplier", "No supplier (2)"]),
    (["'Quoted'"], ["Quoted"]),
    (["History"], ["History (supplier)"]),
])
def test_sheet_names(suppliers, expected):
    assert sheet_names(suppliers) == expected


def test_po_reference():
    assert po_reference(AS_OF, 12) == "PO-20261115-12"


# --- the CSV --------------------------------------------------------------------------------------------

def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_columns_rounding_references_and_unknown_costs():
    text = purchase_order_csv(_lines(), AS_OF, made_on=MADE_ON).decode("utf-8-sig")
    rows = text.splitlines()
    assert rows[0] == ",".join(PO_CSV_COLUMNS)
    assert rows[0] == ("po_reference,po_date,supplier,sku,asin,fnsku,product_name,order_qty,moq,case_pack,cases,"
                       "currency,unit_cost,line_total,cost_note,required_by,"
                       "placement_fee_per_unit,placement_fee,placement_note")
    # lines without placement columns (older lines): the three placement columns stay empty
    assert rows[1] == "PO-20261118-01,2026-11-18,No supplier,Z-1,B0Z1,,Lamp,30,,,,USD,3.00,90.00,,2026-11-25,,,"
    assert rows[2].startswith("PO-20261118-02,2026-11-18,Acme,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",B0A2")
    assert rows[3] == "PO-20261118-02,2026-11-18,Acme,A-1,B0A1,X0A1,Mug,240,240,24,10,USD,2.50,600.00,,2027-01-26,,,"
    assert rows[4] == "PO-20261118-02,2026-11-18,Acme,A-3,,X0A3,Bowl,7,,,,USD,,,unknown cost,2026-12-30,,,"
    assert rows[5].startswith('PO-20261118-03,2026-11-18,"Ningbo')
    assert purchase_order_csv(_lines()).decode("utf-8-sig").splitlines()[0].startswith("supplier,sku,asin,")
    today = _csv(purchase_order_csv(_lines(), AS_OF))
    assert {r["po_date"] for r in today} == {dt.date.today().isoformat()}


# --- the demo account and accounts with gaps ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo_plan(demo_database):
    return restock.restock_from_db(demo_database)


def _workbook_totals(data: bytes) -> tuple[float, float]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    units = money = 0.0
    for sheet in book.worksheets:
        row = total_row(sheet)
        units += evaluate(sheet, f"E{row}")
        value = evaluate(sheet, f"K{row}")
        money += value if isinstance(value, (int, float)) else 0.0
    return units, money


def test_demo_workbook_has_identifiers_and_totals_that_match_the_plan(demo_database, demo_plan):
    lines = po_lines_from_db(demo_database, demo_plan)
    now = demo_plan[(demo_plan["status"] == "order now") & (demo_plan["order_qty"] > 0)]
    assert len(lines) == len(now) > 0
    assert lines["asin"].notna().all() and lines["fnsku"].notna().all()  # the demo's reports name them all
    assert set(lines["currency"]) == {"USD"} and lines["required_by"].notna().all()
    table = skus.sku_table(demo_database).frame.set_index("sku")  # the health table reads them on its own
    assert lines["fnsku"].tolist() == table.loc[lines["sku"], "fnsku"].tolist()
    assert lines["asin"].tolist() == table.loc[lines["sku"], "asin"].tolist()
    assert identifiers_from_db(demo_database)["sku"].is_unique
    data = purchase_order_xlsx(lines, AS_OF, made_on=MADE_ON)
    units, money = _workbook_totals(data)
    assert units == now["order_qty"].sum()
    assert money == pytest.approx((now["order_qty"] * now["unit_cost"]).sum())
    assert money == pytest.approx(now["order_value"].sum())
    rows = _csv(purchase_order_csv(lines, AS_OF, made_on=MADE_ON))
    for r in rows:  # cents, or empty and said where the demo's cost sheet lacks the SKU
        known = r["cost_note"] == ""
        assert all(re.fullmatch(r"\d+\.\d\d" if known else "", r[c]) for c in ("unit_cost", "line_total")), r
    assert sum(r["cost_note"] == "unknown cost" for r in rows) == now["unit_cost"].isna().sum()
    assert all(re.fullmatch(r"\d+", r["order_qty"]) for r in rows)


@pytest.fixture(scope="module")
def gappy_db(demo_database, tmp_path_factory):
    """The demo with five costs removed and no supplier anywhere (cost sheet nor Restock report)."""
    path = tmp_path_factory.mktemp("gappy") / "gappy.duckdb"
    shutil.copy(demo_database, path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE product_costs_rows SET supplier = NULL")
    con.execute("UPDATE restock_rows SET supplier = NULL")
    con.execute("""UPDATE product_costs_rows SET unit_cost = NULL WHERE sku IN (
        SELECT sku FROM product_costs_rows ORDER BY sku LIMIT 60)""")
    con.close()
    return path


def test_an_account_without_suppliers_or_some_costs(gappy_db):
    plan = restock.restock_from_db(gappy_db)
    lines = po_lines_from_db(gappy_db, plan)
    unknown = lines["unit_cost"].isna()
    assert unknown.any() and (~unknown).any(), "the fixture leaves some lines with and some without a cost"
    book = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, made_on=MADE_ON)))
    assert book.sheetnames == ["No supplier"]
    sheet = book["No supplier"]
    assert sheet["B9"].value is None and sheet["B9"].border.bottom.style == "thin"
    shown = [evaluate(sheet, f"K{r}") for r in range(FIRST, total_row(sheet))]
    assert shown.count("unknown cost") == unknown.sum() and 0 not in shown
    known = lines[~unknown]
    assert evaluate(sheet, f"K{total_row(sheet)}") == pytest.approx((known["order_qty"] * known["unit_cost"]).sum())
    n = int(unknown.sum())
    notes = [sheet.cell(r, 1).value for r in range(total_row(sheet) + 1, sheet.max_row + 1)]
    assert any(v and v.startswith(f"{n} lines with an unknown cost") for v in notes)
    rows = _csv(purchase_order_csv(lines, AS_OF, made_on=MADE_ON))
    assert {r["supplier"] for r in rows} == {"No supplier"}
    missing = [r for r in rows if r["cost_note"] == "unknown cost"]
    assert len(missing) == n and all(r["unit_cost"] == "" and r["line_total"] == "" for r in missing)


# --- supplier forecast ---------------------------------------------------------------------------

def _fplan(**changes) -> pd.DataFrame:
    base = {"sku": ["a", "b"], "product_name": ["A", "B"], "supplier": ["S", "S"],
            "demand_per_day": [10.0, 0.0], "reorder_point": [200.0, 0.0], "eoq": [300.0, 0.0],
            "moq": [0.0, 0.0], "case_pack": [1.0, 1.0], "position": [500.0, 50.0], "order_qty": [0.0, 0.0],
            "unit_cost": [2.0, 1.0], "as_of": [AS_OF, AS_OF]}
    return pd.DataFrame(base | changes)


def test_supplier_forecast_replays_the_plan():
    """a: 10/day, trigger at ROP 200 + 7·10 = 270. Position 500 reaches 270 on day 23 (Dec 8): order
    300; back to 270 thirty days later, day 53 (Jan 7): order 300; day 83 (Feb 6): order 300.
    Months: Nov 15-Dec 14 (30 days), Dec 15-Jan 14 (31), Jan 15-Feb 14 (31). b: no demand, no orders."""
    out = supplier_forecast(_fplan())
    assert list(out.columns) == SUPPLIER_FORECAST_COLUMNS
    a = out[out["sku"] == "a"]
    assert a["month_start"].tolist() == [dt.date(2026, 11, 15), dt.date(2026, 12, 15), dt.date(2027, 1, 15)]
    assert a["month_end"].tolist() == [dt.date(2026, 12, 14), dt.date(2027, 1, 14), dt.date(2027, 2, 14)]
    assert a["expected_demand_units"].tolist() == [300.0, 310.0, 310.0]
    assert a["expected_order_units"].tolist() == [300.0, 300.0, 300.0]
    assert a["expected_orders"].tolist() == [1, 1, 1]
    assert a["expected_order_value"].tolist() == [600.0, 600.0, 600.0]
    assert (out.loc[out["sku"] == "b", "expected_order_units"] == 0).all()


def test_supplier_forecast_counts_todays_order_and_pack_rules():
    """Today's order (240) lands in month 1. Day 0 ends at 100 + 240 − 10 = 330; day 7 starts at 270,
    the trigger: max(EOQ 300, 0) ≥ MOQ 250, rounded up to cases of 24 = 312. Day 7 ends at 572; the
    next trigger is 30 days later, beyond the 30-day month."""
    out = supplier_forecast(_fplan(position=[100.0, 50.0], order_qty=[240.0, 0.0], moq=[250.0, 0.0],
                                   case_pack=[24.0, 1.0]), months=1)
    a = out[out["sku"] == "a"].iloc[0]
    assert a["expected_order_units"] == 240 + 312 and a["expected_orders"] == 2


def test_supplier_forecast_uses_the_daily_forecast():
    """A daily forecast of 20 a day on 15 days for SKU a (the rest at the plan's 10) raises demand."""
    days = pd.date_range(AS_OF, periods=15)
    daily = pd.DataFrame({"sku": "a", "date": days, "forecast": 20.0})
    out = supplier_forecast(_fplan(), forecast_daily=daily, months=1)
    assert out.loc[out["sku"] == "a", "expected_demand_units"].item() == 15 * 20 + 15 * 10
    engine_style = daily.rename(columns={"date": "day", "forecast": "mean"})  # core.forecast's daily frame
    again = supplier_forecast(_fplan(), forecast_daily=engine_style, months=1)
    assert again.loc[again["sku"] == "a", "expected_demand_units"].item() == 15 * 20 + 15 * 10


def test_supplier_forecast_validates():
    with pytest.raises(ValueError, match="months"):
        supplier_forecast(_fplan(), months=0)
    with pytest.raises(ValueError, match="as_of"):
        supplier_forecast(_fplan().drop(columns="as_of"))


# --- Amazon's inbound placement fee, a cost line under the supplier's total ------------------------------

def test_placement_fee_is_a_cost_line_under_the_total_and_unknown_without_a_weight():
    """Two lines priced with minimal splits: 100 units at $0.27 (standard, 0.8 lb) = $27.00, and 40 units
    without a shipping weight (fee unknown). The sheet shows the $27.00 under the supplier's total, outside
    it (the total stays 100 × 2 + 40 × 1 = $240), and says one line's fee is unknown; the CSV carries the
    per-line fee and the note."""
    plan = pd.DataFrame({"sku": ["a", "b"], "product_name": ["A", "B"], "supplier": ["S", "S"],
                         "status": ["order now"] * 2, "order_qty": [100.0, 40.0], "case_pack": [1.0, 1.0],
                         "cases": [100.0, 40.0], "unit_cost": [2.0, 1.0], "moq": [np.nan, np.nan],
                         "order_by": pd.to_datetime(["2026-11-20"] * 2), "lead_time_days": [30.0, 30.0],
                         "placement_split": ["minimal"] * 2, "placement_fee_per_unit": [0.27, np.nan]})
    lines = po_lines(plan)
    assert lines["placement_fee"].tolist()[0] == pytest.approx(27.0) and np.isnan(lines["placement_fee"][1])
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF, MADE_ON))).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    label = next(v for v in cells if v.startswith("Amazon inbound placement fee (minimal splits"))
    fee_cell = sheet[f"{COLUMN['line_total']}{cells[label].row}"]
    assert fee_cell.value == pytest.approx(27.0)
    assert evaluate(sheet, f"{COLUMN['line_total']}{cells[label].row - 1}") == pytest.approx(240.0)
    assert any(v.startswith("1 line: placement fee unknown: no shipping weight") for v in cells)
    rows = _csv(purchase_order_csv(lines, AS_OF, MADE_ON))
    assert [r["placement_fee"] for r in rows] == ["27.00", ""]
    assert rows[1]["placement_note"].startswith("placement fee unknown")
