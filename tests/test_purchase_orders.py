"""Purchase-order drafts (Excel opened back with openpyxl, cell by cell; CSV) and the supplier
forecast (core/purchase_orders.py)."""

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.purchase_orders import (LINE_HEADER, SUPPLIER_FORECAST_COLUMNS, po_reference, purchase_order_csv,
                                  purchase_order_xlsx, sheet_names, supplier_forecast)

AS_OF = dt.date(2026, 11, 15)
EVIL_SKU = '=HYPERLINK("http://x","y")'
LONG_SUPPLIER = "Ningbo Everbright Housewares Co., Ltd. [Export/Import]"


def _lines() -> pd.DataFrame:
    return pd.DataFrame({
        "supplier": ["Acme", "Acme", "Acme", LONG_SUPPLIER],
        "sku": ["A-1", EVIL_SKU, "A-3", "N-1"],
        "product_name": ["Mug", "+Cup", "Bowl", "Hose"],
        "order_qty": [240.0, 48.0, 7.0, 120.0],
        "case_pack": [24.0, 12.0, np.nan, 12.0],
        "cases": [10.0, 4.0, np.nan, 10.0],
        "unit_cost": [2.5, 1.25, np.nan, 6.4],
        "line_total": [600.0, 60.0, np.nan, 768.0],
        "order_by": pd.to_datetime(["2026-11-15"] * 4),
    })


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines(), AS_OF)))


def test_one_sheet_per_supplier_with_valid_names(book):
    assert book.sheetnames == ["Acme", "Ningbo Everbright Housewares Co"]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_header_block(book):
    acme, ningbo = book["Acme"], book["Ningbo Everbright Housewares Co"]
    assert acme["A1"].value == "Purchase order" and acme["A1"].font.b
    assert [acme["A2"].value, acme["B2"].value] == ["Supplier", "Acme"]
    assert acme["A3"].value == "Date" and acme["B3"].value == dt.datetime(2026, 11, 15)
    assert acme["B3"].number_format == "yyyy-mm-dd"
    assert [acme["A4"].value, acme["B4"].value] == ["PO reference", "PO-20261115-01"]
    assert ningbo["B2"].value == LONG_SUPPLIER  # the full name in the block, only the tab is cut
    assert ningbo["B4"].value == "PO-20261115-02"


def test_lines_cell_by_cell(book):
    acme = book["Acme"]
    assert [c.value for c in acme[6]] == list(LINE_HEADER)
    assert all(c.font.b for c in acme[6])
    assert [c.value for c in acme[7]] == ["A-1", "Mug", 240, 24, 10, 2.5, 600]
    assert [c.value for c in acme[8]] == ["'" + EVIL_SKU, "'+Cup", 48, 12, 4, 1.25, 60]
    assert [c.value for c in acme[9]] == ["A-3", "Bowl", 7, None, None, None, None]
    assert acme["C7"].number_format == "#,##0" and acme["E7"].number_format == "#,##0"
    assert acme["F7"].number_format == "#,##0.00" and acme["G7"].number_format == "#,##0.00"
    assert acme.column_dimensions["B"].width == 48 and acme.freeze_panes == "A7"
    ningbo = book["Ningbo Everbright Housewares Co"]
    assert [c.value for c in ningbo[7]] == ["N-1", "Hose", 120, 12, 10, 6.4, 768]


def test_totals_are_values(book):
    acme = book["Acme"]
    assert [acme.cell(10, c).value for c in range(1, 8)] == ["Total", None, 295, None, 14, None, 660]
    assert acme["A10"].font.b and acme["G10"].number_format == "#,##0.00"
    assert acme["A11"].value == "1 line(s) without a unit cost are not in the total."
    ningbo = book["Ningbo Everbright Housewares Co"]
    assert [ningbo.cell(8, c).value for c in (1, 3, 5, 7)] == ["Total", 120, 10, 768]


def test_no_formula_anywhere_and_formula_looking_text_is_literal(book):
    """A SKU named =HYPERLINK(...) is stored as text with a leading apostrophe, never as a formula;
    the workbook has no formulas at all."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.coordinate
    evil = book["Acme"]["A8"]
    assert evil.value == "'" + EVIL_SKU and evil.data_type == "s"


def test_formula_looking_supplier_is_neutralised():
    lines = _lines().assign(supplier="=cmd|' /C calc'!A0")
    sheet = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(lines, AS_OF))).worksheets[0]
    assert sheet["B2"].value == "'=cmd|' /C calc'!A0" and sheet["B2"].data_type == "s"
    assert sheet.title == "=cmd|' _C calc'!A0"  # a tab name is never evaluated; forbidden '/' replaced


def test_no_lines_gives_a_no_orders_sheet():
    book = openpyxl.load_workbook(io.BytesIO(purchase_order_xlsx(_lines().iloc[0:0], AS_OF)))
    assert book.sheetnames == ["No orders"]
    assert book["No orders"]["A1"].value == "Nothing to order on 2026-11-15."


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


def test_csv_is_neutralised_and_carries_references():
    text = purchase_order_csv(_lines(), AS_OF).decode("utf-8-sig")
    rows = text.splitlines()
    assert rows[0] == "po_reference,po_date,supplier,sku,product_name,order_qty,case_pack,cases,unit_cost,line_total"
    assert rows[1] == "PO-20261115-01,2026-11-15,Acme,A-1,Mug,240.0,24.0,10.0,2.5,600.0"
    assert rows[2].startswith("PO-20261115-01,2026-11-15,Acme,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+Cup,48.0")
    assert rows[4].startswith('PO-20261115-02,2026-11-15,"Ningbo')
    assert purchase_order_csv(_lines()).decode("utf-8-sig").splitlines()[0].startswith("supplier,sku,")


# --- supplier forecast ---------------------------------------------------------------------------

def _plan(**changes) -> pd.DataFrame:
    base = {"sku": ["a", "b"], "product_name": ["A", "B"], "supplier": ["S", "S"],
            "demand_per_day": [10.0, 0.0], "reorder_point": [200.0, 0.0], "eoq": [300.0, 0.0],
            "moq": [0.0, 0.0], "case_pack": [1.0, 1.0], "position": [500.0, 50.0], "order_qty": [0.0, 0.0],
            "unit_cost": [2.0, 1.0], "as_of": [AS_OF, AS_OF]}
    return pd.DataFrame(base | changes)


def test_supplier_forecast_replays_the_plan():
    """a: 10/day, trigger at ROP 200 + 7·10 = 270. Position 500 reaches 270 on day 23 (Dec 8): order
    300; back to 270 thirty days later, day 53 (Jan 7): order 300; day 83 (Feb 6): order 300.
    Months: Nov 15-Dec 14 (30 days), Dec 15-Jan 14 (31), Jan 15-Feb 14 (31). b: no demand, no orders."""
    out = supplier_forecast(_plan())
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
    out = supplier_forecast(_plan(position=[100.0, 50.0], order_qty=[240.0, 0.0], moq=[250.0, 0.0],
                                  case_pack=[24.0, 1.0]), months=1)
    a = out[out["sku"] == "a"].iloc[0]
    assert a["expected_order_units"] == 240 + 312 and a["expected_orders"] == 2


def test_supplier_forecast_uses_the_daily_forecast():
    """A daily forecast of 20 a day on 15 days for SKU a (the rest at the plan's 10) raises demand."""
    days = pd.date_range(AS_OF, periods=15)
    daily = pd.DataFrame({"sku": "a", "date": days, "forecast": 20.0})
    out = supplier_forecast(_plan(), forecast_daily=daily, months=1)
    assert out.loc[out["sku"] == "a", "expected_demand_units"].item() == 15 * 20 + 15 * 10
    engine_style = daily.rename(columns={"date": "day", "forecast": "mean"})  # core.forecast's daily frame
    again = supplier_forecast(_plan(), forecast_daily=engine_style, months=1)
    assert again.loc[again["sku"] == "a", "expected_demand_units"].item() == 15 * 20 + 15 * 10


def test_supplier_forecast_validates():
    with pytest.raises(ValueError, match="months"):
        supplier_forecast(_plan(), months=0)
    with pytest.raises(ValueError, match="as_of"):
        supplier_forecast(_plan().drop(columns="as_of"))
