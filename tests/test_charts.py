"""core.charts: the figures' real contents (plotly figures cannot be inspected through AppTest)."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from core.charts import age_band_trend, coverage_timeline, dimension_bars, health_gauge, value_trend

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


# --- health figures ---------------------------------------------------------------------------------

def test_gauge_shows_the_score_bands_and_the_alert_threshold():
    gauge = health_gauge(62.4, 80).data[0]
    assert gauge.mode == "gauge+number" and gauge.value == 62.4
    assert gauge.gauge.threshold.value == 80
    assert tuple(gauge.gauge.axis.range) == (0, 100)
    assert [tuple(s.range) for s in gauge.gauge.steps] == [(0, 40), (40, 80), (80, 100)]


def test_gauge_without_a_score_says_so_and_rejects_a_bad_threshold():
    figure = health_gauge(float("nan"), 80)
    assert figure.data[0].value is None
    assert figure.layout.annotations[0].text == "No SKU could be scored"
    with pytest.raises(ValueError, match="alert_below"):
        health_gauge(50, 120)


def test_one_bar_per_dimension_with_its_weight_and_points():
    frame = pd.DataFrame({"dimension": ["Turnover efficiency", "Stock structure", "Service and cost"],
                          "score": [13.2, 49.9, float("nan")], "weight": [0.40, 0.35, 0.25]})
    bars = dimension_bars(frame).data
    assert len(bars) == 1 and len(bars[0].y) == 3
    assert list(bars[0].y) == ["Turnover efficiency (40%)", "Stock structure (35%)", "Service and cost (25%)"]
    assert bars[0].x[:2] == (13.2, 49.9)
    assert list(bars[0].text) == ["13", "50", "unknown"]
    assert bars[0].customdata[0] == pytest.approx(0.40 * 13.2)
    with pytest.raises(ValueError, match="weight"):
        dimension_bars(frame.drop(columns="weight"))


def trend_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "snapshot_date": pd.to_datetime(["2026-10-15", "2026-11-15"]),
        "units_on_hand": [100, 120], "value_at_cost": [1000.0, 1250.5],
        "aged_0_90": [50, 60], "aged_91_180": [20, 25], "aged_181_270": [10, 15], "aged_271_365": [10, 10],
        "aged_366_455": [5, 6], "aged_456_plus": [5, 4], "aged_365_plus": [0, 0]})


def test_age_band_trend_stacks_one_trace_per_band_with_the_frames_units():
    frame = trend_frame()
    figure = age_band_trend(frame)
    assert figure.layout.barmode == "stack"
    names = [t.name for t in figure.data]
    assert names == ["0-90 days", "91-180 days", "181-270 days", "271-365 days", "366-455 days", "456+ days"]
    for trace, column in zip(figure.data, ["aged_0_90", "aged_91_180", "aged_181_270", "aged_271_365",
                                           "aged_366_455", "aged_456_plus"]):
        assert list(trace.y) == frame[column].tolist()
        assert [pd.Timestamp(x) for x in trace.x] == list(frame["snapshot_date"])


def test_legacy_365_plus_band_appears_only_when_it_holds_units():
    frame = trend_frame().assign(aged_365_plus=[7, 0])
    assert age_band_trend(frame).data[-1].name == "366+ days"
    assert list(age_band_trend(frame).data[-1].y) == [7, 0]


def test_value_trend_is_a_line_of_value_at_cost_from_zero():
    frame = trend_frame()
    line = value_trend(frame)
    assert list(line.data[0].y) == [1000.0, 1250.5]
    assert line.layout.yaxis.range[0] == 0
    empty = value_trend(frame.iloc[0:0])
    assert empty.layout.annotations[0].text == "No snapshots loaded"


def test_demand_forecast_names_each_events_uplift_source():
    """The summary's event_uplift_text, one event a line above the plot; none without events."""
    from core.charts import demand_forecast

    hist = pd.DataFrame({"day": pd.date_range("2026-06-01", periods=2), "units": [3, 2], "in_stock": [True, True]})
    fc = pd.DataFrame({"day": pd.date_range("2026-06-03", periods=1), "mean": [2.5], "lo80": [1.0],
                       "hi80": [4.0], "lo95": [0.0], "hi95": [5.0]})
    text = "Prime Day 8-11 Jul, ×1.9 (own past events); Black Friday-Cyber Monday 27-30 Nov, ×2.0 (default; editable in Settings)"
    fig = demand_forecast(hist, fc, text)
    assert fig.layout.annotations[0].text == ("Events: Prime Day 8-11 Jul, ×1.9 (own past events)<br>"
                                              "Black Friday-Cyber Monday 27-30 Nov, ×2.0 (default; editable in Settings)")
    assert fig.layout.margin.t > 10
    assert not demand_forecast(hist, fc).layout.annotations
