"""core.export: CSV for spreadsheets, with formula injection neutralised (OWASP "CSV Injection")."""

import csv
import io
import pandas as pd

from core.export import neutralise, to_csv_bytes


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8 text right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formula_text_gets_an_apostrophe():
    frame = pd.DataFrame({"product_name": ['=HYPERLINK("x")', "+1", "-abc", "@SUM(A1)", "\tx", "\rx",
                                           "plain", "a=b"]})
    cells = [row[0] for row in read_back(to_csv_bytes(frame))[1:]]
    assert cells == ['\'=HYPERLINK("x")', "'+1", "'-abc", "'@SUM(A1)", "'\tx", "'\rx", "plain", "a=b"]


def test_numbers_are_untouched():
    frame = pd.DataFrame({"quantity": [-5, 3], "fee": [-1.25, 2.5], "sku": ["-abc", "A-1"]})
    rows = read_back(to_csv_bytes(frame))
    assert rows == [["quantity", "fee", "sku"], ["-5", "-1.25", "'-abc"], ["3", "2.5", "A-1"]]


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
    import openpyxl

    from core.export import to_xlsx_bytes

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
    import openpyxl

    from core.export import to_xlsx_bytes

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"=cmd": [1]})))).active
    assert sheet["A1"].value == "'=cmd" and sheet["A1"].data_type == "s"
