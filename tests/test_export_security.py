"""Formula injection, end to end: product names and suppliers that are spreadsheet formulas, loaded
like any report text, come out of every CSV and Excel export as literal text.

A cell a spreadsheet would run starts with = + - @, tab or CR. In CSV such a cell must either carry
the leading apostrophe or be a plain number (-5 is a number, not a formula); in Excel no cell may be
a formula and no text cell may start with one of those characters.
"""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import openpyxl
import pytest

from core import cli, export, purchase_orders, restock, skus
from core.forecast import forecast_table

EVIL = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,1)", "@cmd|' /C calc'!A0", "-2+3", "\t=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def assert_csv_safe(data: bytes) -> int:
    """Every cell of the CSV is safe; returns how many cells were defused (to show the test bites)."""
    defused = 0
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(STARTS) or is_number(cell), f"live formula cell: {cell!r}"
            defused += cell.startswith("'") and cell[1:].startswith(STARTS)
    return defused


def assert_xlsx_safe(data: bytes, formulas_allowed: bool = False) -> int:
    """No text cell can run. With ``formulas_allowed`` (the purchase orders), the only formulas are
    the workbook's own totals over cell references (``purchase_orders.FORMULA_PATTERN``), and the
    seller's own typed details may be text with Excel's quote prefix (shown as typed, never run)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    defused = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert formulas_allowed, f"formula in {sheet.title}!{cell.coordinate}"
                    own = purchase_orders.FORMULA_PATTERN.match(cell.value.replace('"unknown cost"', '""'))
                    assert own and cell.column_letter in "EHK", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                    continue
                if isinstance(cell.value, str) and formulas_allowed and cell.quotePrefix:
                    assert cell.data_type == "s"
                    continue
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(STARTS), f"live text in {sheet.title}!{cell.coordinate}"
                    defused += cell.value.startswith("'")
    return defused


@pytest.fixture(scope="module")
def evil_db(demo_database, tmp_path_factory):
    """The demo account with five SKUs' product names (every report) and a supplier made formulas."""
    path = tmp_path_factory.mktemp("evil") / "evil.duckdb"
    shutil.copy(demo_database, path)
    con = duckdb.connect(str(path))
    targets = [r[0] for r in con.execute("SELECT DISTINCT sku FROM inventory_planning ORDER BY sku LIMIT 5").fetchall()]
    tables = [r[0] for r in con.execute("""
        SELECT table_name FROM information_schema.columns WHERE table_name LIKE '%_rows'
        GROUP BY table_name HAVING bool_or(column_name = 'product_name') AND bool_or(column_name = 'sku')""").fetchall()]
    for sku, name in zip(targets, EVIL):
        for table in tables:
            con.execute(f"UPDATE {table} SET product_name = $name WHERE sku = $sku", {"name": name, "sku": sku})
    con.execute("UPDATE product_costs_rows SET supplier = '=EVIL()' WHERE sku = $sku", {"sku": targets[0]})
    con.close()
    return path


def test_the_cli_csv_exports_defuse_every_formula(evil_db, capsysbinary):
    total = 0
    for command in (["skus"], ["restock"], ["clearance"], ["fees", "--crossings"], ["fees", "--months", "1"]):
        assert cli.main([*command, "--db", str(evil_db), "--csv"]) == 0
        total += assert_csv_safe(capsysbinary.readouterr().out)
    assert total >= 2 * len(EVIL)  # skus and restock carry the product names


def test_purchase_orders_supplier_forecast_and_tables_defuse_every_formula(evil_db):
    summary = forecast_table(evil_db)
    plan = restock.restock_from_db(evil_db, forecast_summary=summary.summary)
    lines = purchase_orders.po_lines_from_db(evil_db, plan, ("order now", "soon", "not yet"))
    details = purchase_orders.PurchaseOrderDetails(
        buyer=purchase_orders.Party(name="=EVIL()", phone="+1 512 555 0100", address="@home"),
        suppliers=(("=EVIL()", purchase_orders.Party(contact="-me", email="=1+1")),))
    book = purchase_orders.purchase_order_xlsx(lines, plan["as_of"].iloc[0], details=details)
    assert assert_xlsx_safe(book, formulas_allowed=True) >= 1
    assert openpyxl.load_workbook(io.BytesIO(book))["=EVIL()"]["B9"].value == "'=EVIL()"
    assert assert_csv_safe(purchase_orders.purchase_order_csv(lines, plan["as_of"].iloc[0])) >= 1
    old_lines = restock.purchase_order_lines(plan, ("order now", "soon", "not yet"))
    assert assert_xlsx_safe(purchase_orders.purchase_order_xlsx(old_lines, plan["as_of"].iloc[0]),
                            formulas_allowed=True) >= 1
    forecast = purchase_orders.supplier_forecast(plan, summary.daily)
    assert assert_csv_safe(export.to_csv_bytes(forecast)) >= 1
    frame = skus.sku_table(evil_db).frame
    assert assert_csv_safe(export.to_csv_bytes(frame)) >= len(EVIL)
    assert assert_xlsx_safe(export.to_xlsx_bytes(frame[["sku", "product_name", "supplier"]])) >= len(EVIL)
