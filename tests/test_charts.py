"""core.charts: the figures' real contents (plotly figures cannot be inspected through AppTest)."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from core.charts import coverage_timeline

DAY_MS = 86_400_000


def summary(*rows):
    """A frame shaped like core.ingest.loaded_summary from (report, type, rows, first, last) tuples."""
    frame = pd.DataFrame(rows, columns=["report", "report_type", "rows", "first_date", "last_date"])
    return frame.assign(first_date=pd.to_datetime(frame["first_date"], format="ISO8601"),
                        last_date=pd.to_datetime(frame["last_date"], format="ISO8601"))


def test_one_bar_per_dated_report_spanning_its_dates():
    frame = summary(("All Orders", "ORDERS", 79_020, "2025-05-17", "2026-11-14"),
                    ("FBA Inventory", "PLANNING", 900, "2026-06-15", "2026-11-15"),
                    ("Product costs", "PRODUCT_COSTS", 150, None, None))
    figure = coverage_timeline(frame)
    assert isinstance(figure, go.Figure) and len(figure.data) == 1
    bars = figure.data[0]
    assert bars.orientation == "h"
    assert list(bars.y) == ["All Orders", "FBA Inventory"]  # the undated cost sheet has no bar
    assert list(bars.base) == ["2025-05-17", "2026-06-15"]
    # Both ends count: 17 May 2025 .. 14 Nov 2026 is 547 days, 15 Jun .. 15 Nov 2026 is 154.
    assert [x / DAY_MS for x in bars.x] == [547.0, 154.0]
    ends = [pd.Timestamp(b) + pd.Timedelta(milliseconds=x) for b, x in zip(bars.base, bars.x)]
    assert ends == [pd.Timestamp("2026-11-15"), pd.Timestamp("2026-11-16")]
    assert figure.layout.xaxis.type == "date"
    assert [c[2] for c in bars.customdata] == [79_020, 900]


def test_a_one_day_snapshot_is_a_one_day_bar_and_earliest_report_comes_first():
    frame = summary(("Restock", "RESTOCK", 150, "2026-11-15", "2026-11-15"),
                    ("Ledger", "LEDGER", 41_300, "2025-05-17 10:30", "2026-11-15 23:00"))
    bars = coverage_timeline(frame).data[0]
    assert list(bars.y) == ["Ledger", "Restock"]
    assert list(bars.base) == ["2025-05-17", "2026-11-15"]
    assert bars.x[1] == DAY_MS


def test_nothing_dated_gives_an_empty_chart_with_a_note():
    figure = coverage_timeline(summary(("Product costs", "PRODUCT_COSTS", 3, None, None)))
    assert len(figure.data[0].y) == 0
    assert figure.layout.annotations[0].text == "No dated reports loaded"


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="first_date"):
        coverage_timeline(pd.DataFrame({"report": ["x"], "rows": [1], "last_date": [None]}))


def test_input_is_not_modified():
    frame = summary(("B", "B", 1, "2026-02-01", "2026-02-02"), ("A", "A", 1, "2026-01-01", "2026-01-02"))
    before = frame.copy()
    coverage_timeline(frame)
    pd.testing.assert_frame_equal(frame, before)
