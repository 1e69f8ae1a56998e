"""Value-format rules of core/values.py, evaluated by DuckDB itself on literal cells.

Expected values are written out by hand from the formats in ../shared/amazon_reports.md §0 and the
report sections (money with symbols and thousands separators, `--` / empty / `none` missing, `365+`,
ISO dates with `+00:00` and `-0700` offsets, MM/DD/YYYY, YYYY-MM-DD, `0.0356 ft3`).
"""

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import values


RAW_CELL = (values.is_missing, values.parse_text, values.unwrap_quotes)


def evaluate(expression_of, cell):
    """Evaluate one rule on one cell the way ingest does: typed parsers read the present text."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    column = "v" if expression_of in RAW_CELL else "p"
    sql = f"SELECT {expression_of(column)} FROM (SELECT v, {values.present('v')} AS p FROM (SELECT $cell::VARCHAR AS v))"
    return con.execute(sql, {"cell": cell}).fetchone()[0]


@pytest.mark.parametrize("cell, expected", [
    ("25.0", 25.0), ("4.73", 4.73), ("$1,937.41", 1937.41), ("1,234.5", 1234.5), ("USD 12.00", 12.0),
    ("5.255,61 €", 5255.61), ("1.234,5", 1234.5), ("12,50", 12.5), ("-3.75", -3.75), ("£0.99", 0.99),
    ("1,128", 1128.0), (" 7 ", 7.0),
])
def test_money_parses_symbols_and_separators(cell, expected):
    assert evaluate(values.parse_money, cell) == pytest.approx(expected)


@pytest.mark.parametrize("cell", ["", "--", "none", "None", "N/A", None])
def test_missing_markers_are_missing_not_errors(cell):
    assert evaluate(values.is_missing, cell) is True
    assert evaluate(values.parse_money, cell) is None


@pytest.mark.parametrize("cell", ["abc", "12.3.4", "1,23,4", "$", "nan", "inf", "1e"])
def test_garbage_numbers_do_not_parse(cell):
    assert evaluate(values.is_missing, cell) is False
    assert evaluate(values.parse_number, cell) is None


@pytest.mark.parametrize("cell, expected", [("12", 12), ("1,234", 1234), ("-1", -1), ("0", 0), ("3.0", 3)])
def test_whole_numbers(cell, expected):
    assert evaluate(values.parse_int, cell) == expected


def test_a_fraction_is_not_a_whole_number():
    assert evaluate(values.parse_int, "1.5") is None


def test_365_plus_stays_meaningful():
    assert evaluate(values.parse_days, "365+") == 365
    assert evaluate(values.is_days_plus, "365+") is True
    assert evaluate(values.parse_days, "274") == 274
    assert evaluate(values.is_days_plus, "274") is False


@pytest.mark.parametrize("cell, expected", [
    ("2026-05-08T23:36:26+00:00", dt.datetime(2026, 5, 8, 23, 36, 26)),
    # The ledger's offset has no colon; midnight Pacific daylight time is 07:00 UTC.
    ("2026-05-13T00:00:00-0700", dt.datetime(2026, 5, 13, 7, 0)),
    ("2026-05-13T23:30:00-07:00", dt.datetime(2026, 5, 14, 6, 30)),
    ("2026-09-14T07:03:57Z", dt.datetime(2026, 9, 14, 7, 3, 57)),
    ("2026-05-13", dt.datetime(2026, 5, 13)),
])
def test_timestamps_are_converted_to_utc(cell, expected):
    assert evaluate(values.parse_timestamp, cell) == expected


@pytest.mark.parametrize("cell, expected", [
    ("05/13/2026", dt.date(2026, 5, 13)), ("2026-05-14", dt.date(2026, 5, 14)),
    # A timestamp's date is kept as the report wrote it (the seller's local day), not shifted to UTC.
    ("2026-05-13T23:30:00-0700", dt.date(2026, 5, 13)),
])
def test_dates(cell, expected):
    assert evaluate(values.parse_date, cell) == expected


@pytest.mark.parametrize("cell", ["13/05/2026", "2026-13-01", "yesterday", "2026-05-13Tgarbage", "05/2026x"])
def test_bad_dates_do_not_parse(cell):
    assert evaluate(values.parse_date, cell) is None


def test_none_is_a_missing_ship_date():
    assert evaluate(values.parse_date, "none") is None
    assert evaluate(values.is_missing, "none") is True


@pytest.mark.parametrize("cell, expected", [("2026-05", dt.date(2026, 5, 1)), ("2026-05-01T00:00:00", dt.date(2026, 5, 1))])
def test_charge_month(cell, expected):
    assert evaluate(values.parse_month, cell) == expected


@pytest.mark.parametrize("cell, expected", [("Yes", True), ("No", False), ("Y", True), ("N", False),
                                            ("true", True), ("false", False)])
def test_booleans(cell, expected):
    assert evaluate(values.parse_bool, cell) is expected


def test_volume_with_unit_in_cell():
    assert evaluate(values.parse_volume, "0.0356 ft3") == pytest.approx(0.0356)
    assert evaluate(values.parse_volume, "0.0356") == pytest.approx(0.0356)


def test_text_keeps_the_word_none():
    assert evaluate(values.parse_text, "none") == "none"
    assert evaluate(values.parse_text, "--") is None


def test_unwrap_quotes_only_touches_wholly_quoted_values():
    assert evaluate(values.unwrap_quotes, '"Best Widget"') == "Best Widget"
    assert evaluate(values.unwrap_quotes, '12" Skillet') == '12" Skillet'
    assert evaluate(values.unwrap_quotes, '"Say ""hi"""') == 'Say "hi"'


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_us_formatting(amount):
    """Any amount written the US way, with thousands separators and a dollar sign, reads back."""
    text = f"${amount:,.2f}".replace("$-", "-$")
    assert evaluate(values.parse_money, text) == pytest.approx(float(amount))
