"""core.export: CSV for spreadsheets, with formula injection neutralised (OWASP "CSV Injection"),
money to cents and units to whole numbers (one naming rule, ``column_kind``)."""

import csv
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from core.export import (MONEY, UNITS, column_kind, neutralise, round_half_away, rounded_for_csv, to_csv_bytes,
                         to_xlsx_bytes)


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8 text right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formula_text_gets_an_apostrophe():
    frame = pd.DataFrame({"product_name": ['=HYPERLINK("x")', "+1", "-abc", "@SUM(A1)", "\tx", "\rx",
                                           "plain", "a=b"]})
    cells = [row[0] for row in read_back(to_csv_bytes(frame))[1:]]
    assert cells == ['\'=HYPERLINK("x")', "'+1", "'-abc", "'@SUM(A1)", "'\tx", "'\rx", "plain", "a=b"]


def test_numbers_stay_numbers():
    """Negative numbers are numbers, not formulas: no apostrophe; money keeps two decimals."""
    frame = pd.DataFrame({"quantity": [-5, 3], "fee": [-1.25, 2.5], "sku": ["-abc", "A-1"]})
    rows = read_back(to_csv_bytes(frame))
    assert rows == [["quantity", "fee", "sku"], ["-5", "-1.25", "'-abc"], ["3", "2.50", "A-1"]]


def test_text_that_looks_like_a_negative_number_is_still_text_and_neutralised():
    rows = read_back(to_csv_bytes(pd.DataFrame({"note": ["-5"]})))
    assert rows[1] == ["'-5"]


def test_missing_values_dates_and_the_input_frame():
    frame = pd.DataFrame({"sku": ["A", None], "date": pd.to_datetime(["2026-09-14", None]),
                          "qty": pd.array([1, None], dtype="Int64")})
    before = frame.copy()
    rows = read_back(to_csv_bytes(frame))
    assert rows == [["sku", "date", "qty"], ["A", "2026-09-14", "1"], ["", "", ""]]
    pd.testing.assert_frame_equal(frame, before)


def test_column_names_are_neutralised_too():
    assert read_back(to_csv_bytes(pd.DataFrame({"=cmd": [1]})))[0] == ["'=cmd"]


def test_neutralise_leaves_non_text_alone():
    assert neutralise(-5) == -5 and neutralise(None) is None and neutralise("ok") == "ok"


def test_xlsx_round_trips_with_formulas_neutralised():
    """The workbook reads back through openpyxl: text as text (a formula-looking cell keeps its
    apostrophe and is not a formula), numbers, dates and booleans as such, missing as empty."""
    frame = pd.DataFrame({"sku": ['=HYPERLINK("http://x")', "A-1"], "qty": [-5, 3],
                          "days": [float("inf"), 12.5], "date": pd.to_datetime(["2026-09-14", None]),
                          "flag": [True, False], "cost": [None, 2.5]})
    before = frame.copy()
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["sku", "qty", "days", "date", "flag", "cost"]
    assert rows[1][:3] == ['\'=HYPERLINK("http://x")', -5, "inf"]
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert rows[1][3].date().isoformat() == "2026-09-14" and rows[1][4] is True and rows[1][5] is None
    assert rows[2] == ["A-1", 3, 12.5, None, False, 2.5]
    pd.testing.assert_frame_equal(frame, before)


def test_xlsx_neutralises_column_names():
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"=cmd": [1]})))).active
    assert sheet["A1"].value == "'=cmd" and sheet["A1"].data_type == "s"


# --- rounding: money to cents, units to whole numbers ---------------------------------------------

def test_money_to_cents_and_units_to_whole_numbers():
    """The issue's case: 12.3456 dollars and 3.7 units come out as 12.35 and 4; a rate per day and a
    share are written as computed."""
    frame = pd.DataFrame({"unit_cost": [12.3456, np.nan], "units_30d": [3.7, np.nan],
                          "demand_per_day": [0.123456, 1.0], "aged_over_share": [0.3333, 0.5]})
    before = frame.copy()
    rows = read_back(to_csv_bytes(frame))
    assert rows == [["unit_cost", "units_30d", "demand_per_day", "aged_over_share"],
                    ["12.35", "4", "0.123456", "0.3333"], ["", "", "1.0", "0.5"]]
    pd.testing.assert_frame_equal(frame, before)


def test_readable_headers_follow_the_same_rule():
    frame = pd.DataFrame({"Value at cost": [1234.5678], "Units 30 d": [2.5], "Quantity": [6.49],
                          "Days of supply": [45.25]})
    assert read_back(to_csv_bytes(frame))[1] == ["1234.57", "3", "6", "45.25"]


@pytest.mark.parametrize("name, kind", [
    ("unit_cost", MONEY), ("inventory_value", MONEY), ("storage_fees_period", MONEY), ("surcharges_period", MONEY),
    ("total_fees", MONEY), ("line_total", MONEY), ("holding_cost_per_unit_year", MONEY), ("price", MONEY),
    ("storage_rate", MONEY),  # dollars per cubic foot (an Amazon report's money column), not a share
    ("sales_last_30_days", MONEY), ("amount_avoided", MONEY), ("holding_cost_safety_stock", MONEY),
    ("available", UNITS), ("order_qty", UNITS), ("safety_stock", UNITS), ("reorder_point", UNITS), ("eoq", UNITS),
    ("aged_181_270", UNITS), ("aged_456_plus", UNITS), ("units_366_455", UNITS), ("expected_order_units", UNITS),
    ("value_a", UNITS),  # core.reconcile compares units
    ("demand_per_day", None), ("holding_cost_ratio", None), ("roi_pct", None), ("score_service_cost", None),
    ("in_stock_rate", None), ("days_of_supply", None), ("lead_time_days", None), ("cubic_feet", None),
    ("health_score", None), ("wape", None), ("service_level", None), ("velocity_30d", None),
])
def test_column_kind(name, kind):
    assert column_kind(name) == kind


def test_round_half_away_from_zero_as_a_spreadsheet_does():
    assert round_half_away([0.125, 1.005, -0.125, 2.675], 2).tolist() == [0.13, 1.01, -0.13, 2.68]
    assert round_half_away([0.5, 1.5, 2.5, -0.5], 0).tolist() == [1.0, 2.0, 3.0, -1.0]
    out = round_half_away([np.inf, np.nan], 2)
    assert np.isinf(out[0]) and np.isnan(out[1])


def test_units_become_whole_integers_and_infinity_is_kept():
    out = rounded_for_csv(pd.DataFrame({"units": [3.7, None], "on_hand": [np.inf, 1.2], "flag": [True, False]}))
    assert out["units"].dtype == "Int64" and out["units"].tolist()[0] == 4 and out["units"].isna().tolist()[1]
    assert np.isinf(out["on_hand"].iloc[0]) and out["on_hand"].iloc[1] == 1.0
    assert out["flag"].tolist() == [True, False]  # booleans are never amounts


def test_xlsx_keeps_full_precision_with_number_formats():
    frame = pd.DataFrame({"sku": ["A"], "unit_cost": [12.3456], "units_30d": [3.7], "demand_per_day": [0.123]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    assert [c.value for c in sheet[2]] == ["A", 12.3456, 3.7, 0.123]
    assert [c.number_format for c in sheet[2]] == ["General", "#,##0.00", "#,##0", "General"]


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_a_real_export_of_the_demo_has_cents_and_whole_units(demo_database):
    """The demo's SKU table and restock plan (the CLI's ``--csv`` frames) as CSV: every money cell
    has at most two decimals, every unit cell none; the rounding is the nearest cent of the value."""
    from core import purchase_orders, restock, skus

    frame = skus.sku_table(demo_database).frame
    plan = restock.restock_from_db(demo_database)
    forecast = purchase_orders.supplier_forecast(plan)
    checked = {MONEY: set(), UNITS: set()}
    for source in (frame, plan, forecast):
        rows = read_back(to_csv_bytes(source))
        header, body = rows[0], rows[1:]
        for i, name in enumerate(header):
            kind = column_kind(name)
            if kind is None or not pd.api.types.is_numeric_dtype(source[name]) \
                    or pd.api.types.is_bool_dtype(source[name]):
                continue
            cells = [r[i] for r in body if r[i] not in ("", "inf")]
            assert all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cells), name
            assert max((_decimals(c) for c in cells), default=0) <= (2 if kind == MONEY else 0), name
            exact = source[name].astype(float).to_numpy()
            shown = np.array([float(r[i]) if r[i] not in ("", "inf") else np.nan for r in body])
            step = 0.01 if kind == MONEY else 1
            finite = np.isfinite(exact)
            assert (np.abs(shown[finite] - exact[finite]) <= step / 2 + 1e-9).all(), name
            checked[kind].add(name)
    # the rule reaches the demo's real columns
    assert {"unit_cost", "inventory_value", "gross_profit", "storage_fees_period", "order_value",
            "expected_lost_margin"} <= checked[MONEY]
    assert {"available", "units_30d", "aged_181_270", "order_qty", "safety_stock", "reorder_point"} <= checked[UNITS]
    assert {"expected_order_value"} <= checked[MONEY] and {"expected_order_units"} <= checked[UNITS]
