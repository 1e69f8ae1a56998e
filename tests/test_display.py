"""core/display.py: how a figure reads. Expected texts written by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import display
from core.schemas import BY_TYPE


@pytest.mark.parametrize(("n", "noun", "expected"), [
    (1, "SKU", "1 SKU"), (0, "SKU", "0 SKUs"), (2, "SKU", "2 SKUs"), (1234, "unit", "1,234 units"),
    (1.0, "day", "1 day"), (np.int64(1), "report", "1 report"), (3, "delivery", "3 deliveries"),
])
def test_plural_agrees_with_the_count(n, noun, expected):
    assert display.plural(n, noun, "deliveries" if noun == "delivery" else None) == expected


def test_money_has_its_currency_and_missing_is_unknown_not_zero():
    assert display.money(1234.5) == "$1,234.50"
    assert display.money(1234.5, "EUR") == "€1,234.50"
    assert display.money(-12, "GBP") == "-£12.00"
    assert display.money(5, "CHF") == "CHF 5.00"  # no symbol known: the ISO code
    assert display.money(-0.001) == "$0.00"  # no "-$0.00"
    assert display.money(None) == display.money(float("nan")) == display.money(pd.NA) == "unknown"
    assert display.whole_money(1234.5) == "$1,234"


def test_days_units_shares_and_dates_read_as_words():
    assert display.days(float("inf")) == "∞ (no sales)"
    assert display.days(1) == "1 day" and display.days(12.4) == "12 days"
    assert display.units(1.2) == "1 unit" and display.units(1234) == "1,234 units"
    assert display.pct(0.274) == "27%" and display.pct(None) == "—"
    assert display.date(dt.date(2026, 12, 5)) == "5 Dec 2026" and display.date(pd.NaT) == "—"
    assert display.date_time(pd.Timestamp("2026-12-05 14:03")) == "5 Dec 2026, 14:03"
    assert display.number(math.inf) == "∞" and display.number(None) == "—"


def test_report_types_by_their_seller_central_names_and_methods_in_words():
    for report_type, schema in BY_TYPE.items():
        assert display.report_title(report_type) == schema.title
        assert "_" not in display.words(report_type)
    assert display.method_name("ses") == "Simple exponential smoothing"
    assert display.method_name("holt-winters weekly") == "Holt-Winters, weekly season"
    assert display.method_name(None) == "—"


def test_every_forecast_method_the_engine_can_choose_has_a_name():
    from core.forecast import engine

    chosen = set(engine.METHOD_IDS)
    assert chosen <= set(display.METHOD_NAMES)


def test_internal_names_in_words():
    assert display.words("inventory_planning.available") == "FBA Inventory: available"
    assert display.words("manage_inventory.afn_fulfillable_quantity") == "Manage FBA Inventory: AFN fulfillable quantity"
    assert display.words("aged_surcharge") == "Aged surcharge"
    assert display.words(None) == "—"


@pytest.mark.parametrize(("name", "values", "kind"), [
    ("order_value", [1.0], display.MONEY), ("unit_cost", [1.0], display.MONEY), ("cost_removal", [1.0], display.MONEY),
    ("order_qty", [1.0], display.UNITS), ("safety_stock_scenario", [1.0], display.UNITS),
    ("days_of_supply", [1.0], display.DAYS), ("days_of_cover_after", [1.0], display.DAYS),
    ("in_stock_rate", [0.5], display.SHARE), ("aged_over_180_share", [0.5], display.SHARE),
    ("service_level_baseline", [0.95], display.SERVICE_LEVEL),
    ("order_by", [dt.date(2026, 1, 1)], display.DATE), ("month", [dt.date(2026, 1, 1)], display.DATE),
    ("loaded_at", [pd.Timestamp("2026-01-01 10:30")], display.DATETIME),
    ("report_type", ["PRODUCT_COSTS"], display.REPORT), ("method", ["ses"], display.METHOD),
    ("skus_flagged", [3], display.COUNT), ("product_name", ["Hose"], display.TEXT),
    ("order_value", ["$1.00"], display.TEXT),  # already text: left as text
])
def test_column_kinds_by_name_then_dtype(name, values, kind):
    assert display.column_kind(name, pd.Series(values)) == kind


def test_cell_text_never_shows_none_nan_or_infinity():
    cases = [(None, display.MONEY, "unknown"), (np.nan, display.UNITS, "—"), (math.inf, display.DAYS, "∞ (no sales)"),
             (pd.NaT, display.DATE, "—"), (None, display.TEXT, "—"), ("nan", display.TEXT, "—"),
             (dt.date(2026, 11, 15), display.DATE, "15 Nov 2026"), (0.125, display.SHARE, "12%"),
             ("GET_FBA_INVENTORY_PLANNING_DATA", display.REPORT, "FBA Inventory (inventory health / planning)")]
    for value, kind, expected in cases:
        assert display.cell_text(value, kind) == expected


def test_export_frame_rounds_money_to_cents_and_units_to_whole_numbers():
    frame = pd.DataFrame({"sku": ["A", "B"], "order_value": [12.3456, None], "order_qty": [3.6, 2.2],
                          "method": ["sba", "ses"]})
    out = display.export_frame(frame)
    assert list(out.columns) == ["SKU", "Order value", "Order qty", "Method"]
    assert out["Order value"].iloc[0] == 12.35 and pd.isna(out["Order value"].iloc[1])
    assert out["Order qty"].tolist() == [4, 2]
    assert out["Method"].tolist() == ["Croston, bias-corrected (SBA)", "Simple exponential smoothing"]


def test_export_frame_writes_days_whole_and_no_demand_as_no_sales():
    out = display.export_frame(pd.DataFrame({"days_of_supply": [12.6, math.inf, np.nan]}))
    assert out["Days of supply"].iloc[0] == 13 and out["Days of supply"].iloc[1] == "no sales"
    assert pd.isna(out["Days of supply"].iloc[2])
