"""DataFrame -> plotly Figure: every chart the app draws, pure and unit-tested.

No Streamlit here: a page passes a DataFrame it got from core and shows the Figure it gets back.
Plotly charts cannot be inspected in Streamlit's AppTest, so each figure's contents are tested here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.metrics.ageing import AGE_BANDS, LEGACY_BAND

_BAR_COLOUR = "#146eb4"  # the app theme's primary colour (.streamlit/config.toml)
_MS_PER_DAY = 86_400_000


def coverage_timeline(summary_df: pd.DataFrame) -> go.Figure:
    """Which days each loaded report covers: one horizontal bar per report.

    Parameters
    ----------
    summary_df : pandas.DataFrame
        One row per report, as returned by ``core.ingest.loaded_summary``: columns ``report``
        (the report's title), ``rows`` (current rows), ``first_date`` and ``last_date`` (dates, or
        missing for a report that carries no date, such as the product-cost sheet).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace, horizontal, one bar per dated report, earliest report first from the
        top. A bar starts at the beginning of ``first_date`` and ends at the end of ``last_date``
        (the last day counts), so a one-day snapshot is a one-day bar, not an invisible line.
        Reports without dates are left out. The x axis is a date axis.

    Notes
    -----
    Bar length in milliseconds = (last_date - first_date + 1 day), the encoding plotly's own
    ``px.timeline`` uses (``base`` = start, ``x`` = duration in ms).

    Examples
    --------
    >>> frame = pd.DataFrame({"report": ["All Orders"], "rows": [10],
    ...                       "first_date": [pd.Timestamp("2026-01-01")],
    ...                       "last_date": [pd.Timestamp("2026-01-31")]})
    >>> bar = coverage_timeline(frame).data[0]
    >>> bar.x[0] / 86_400_000   # 31 days, both ends included
    31.0
    """
    missing = {"report", "rows", "first_date", "last_date"} - set(summary_df.columns)
    if missing:
        raise ValueError(f"summary_df lacks column(s): {', '.join(sorted(missing))}")
    dated = summary_df.dropna(subset=["first_date", "last_date"])
    first = pd.to_datetime(dated["first_date"]).dt.normalize()
    last = pd.to_datetime(dated["last_date"]).dt.normalize()
    order = first.sort_values(kind="stable").index
    first, last, dated = first.loc[order], last.loc[order], dated.loc[order]
    duration_ms = ((last - first).dt.days + 1) * _MS_PER_DAY

    figure = go.Figure(go.Bar(
        orientation="h",
        y=dated["report"].tolist(),
        base=first.dt.strftime("%Y-%m-%d").tolist(),
        x=duration_ms.astype(float).tolist(),
        marker_color=_BAR_COLOUR,
        customdata=list(zip(first.dt.strftime("%d %b %Y"), last.dt.strftime("%d %b %Y"),
                            dated["rows"].astype("int64").tolist())),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]} to %{customdata[1]}"
                      "<br>%{customdata[2]:,} rows<extra></extra>",
    ))
    figure.update_layout(
        xaxis={"type": "date", "title": None},
        yaxis={"autorange": "reversed", "title": None},
        height=max(180, 60 + 36 * len(dated)),
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        showlegend=False,
    )
    if dated.empty:
        figure.add_annotation(text="No dated reports loaded", showarrow=False,
                              xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


# --- health ----------------------------------------------------------------------------------------

GOOD, FAIR, POOR = "#2e7d32", "#f9a825", "#c62828"
BAND_COLOURS = {"aged_0_90": "#2e7d32", "aged_91_180": "#9ccc65", "aged_181_270": "#fdd835",
                "aged_271_365": "#fb8c00", "aged_366_455": "#e53935", "aged_456_plus": "#8e0000",
                "aged_365_plus": "#6d4c41"}


def _note(figure: go.Figure, text: str) -> go.Figure:
    figure.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return figure


def health_gauge(score: float, alert_below: float) -> go.Figure:
    """The account health score on a 0-100 gauge with coloured bands and the alert threshold.

    Parameters
    ----------
    score : float
        The account health score, 0-100 (``core.skus.account_summary``'s ``health_score``); NaN
        when no SKU could be scored.
    alert_below : float
        The score under which the pages raise an alert (``HealthParams.alert_below``), 0-100.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Indicator`` trace in gauge mode. Bands: red from 0 to half the threshold, amber from
        there to the threshold, green from the threshold to 100; a red threshold line at
        ``alert_below``. The bar is the score. NaN shows an empty gauge with a note.

    Examples
    --------
    >>> gauge = health_gauge(72.5, 80).data[0]
    >>> gauge.value, gauge.gauge.threshold.value
    (72.5, 80)
    """
    if not 0 <= alert_below <= 100:
        raise ValueError("alert_below must be in [0, 100]")
    known = score is not None and not pd.isna(score)
    figure = go.Figure(go.Indicator(
        mode="gauge+number",
        value=float(score) if known else None,
        number={"suffix": " / 100", "valueformat": ".0f"},
        gauge={
            "axis": {"range": [0, 100], "tickvals": [0, 20, 40, 60, 80, 100]},
            "bar": {"color": "#263238", "thickness": 0.3},
            "steps": [{"range": [0, alert_below / 2], "color": "#ef9a9a"},
                      {"range": [alert_below / 2, alert_below], "color": "#ffe082"},
                      {"range": [alert_below, 100], "color": "#a5d6a7"}],
            "threshold": {"line": {"color": POOR, "width": 4}, "thickness": 0.9, "value": alert_below},
        },
    ))
    figure.update_layout(height=260, margin={"l": 30, "r": 30, "t": 20, "b": 10})
    return figure if known else _note(figure, "No SKU could be scored")


def dimension_bars(dimensions: pd.DataFrame) -> go.Figure:
    """The health score's dimensions: one horizontal bar per dimension, its score out of 100.

    Parameters
    ----------
    dimensions : pandas.DataFrame
        One row per dimension, in display order: ``dimension`` (its name), ``score`` (0-100, NaN
        when unknown) and ``weight`` (its share of the health score, 0-1).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace, horizontal, first dimension on top; x is the score on a fixed 0-100
        axis, the y labels carry the weight ("Turnover efficiency (40%)"), each bar is labelled with
        its score and coloured green from 70, amber from 40, red below. ``customdata`` holds the
        points the dimension adds to the health score (weight × score).

    Examples
    --------
    >>> frame = pd.DataFrame({"dimension": ["Turnover"], "score": [50.0], "weight": [0.4]})
    >>> bar = dimension_bars(frame).data[0]
    >>> bar.y[0], bar.x[0], bar.customdata[0]
    ('Turnover (40%)', 50.0, 20.0)
    """
    missing = {"dimension", "score", "weight"} - set(dimensions.columns)
    if missing:
        raise ValueError(f"dimensions lacks column(s): {', '.join(sorted(missing))}")
    scores = dimensions["score"].astype(float)
    labels = [f"{d} ({w:.0%})" for d, w in zip(dimensions["dimension"], dimensions["weight"])]
    colours = [GOOD if s >= 70 else FAIR if s >= 40 else POOR for s in scores.fillna(0)]
    figure = go.Figure(go.Bar(
        orientation="h", y=labels, x=scores.tolist(), marker_color=colours,
        text=[f"{s:.0f}" if pd.notna(s) else "unknown" for s in scores], textposition="outside",
        customdata=(scores * dimensions["weight"].astype(float)).tolist(),
        hovertemplate="<b>%{y}</b><br>score %{x:.1f} / 100<br>adds %{customdata:.1f} points<extra></extra>",
    ))
    figure.update_layout(
        xaxis={"range": [0, 110], "title": "Score (0-100)", "tickvals": [0, 20, 40, 60, 80, 100]},
        yaxis={"autorange": "reversed", "title": None},
        height=max(200, 70 + 50 * len(dimensions)), margin={"l": 10, "r": 10, "t": 10, "b": 40},
        showlegend=False,
    )
    return figure


def _band_label(column: str) -> str:
    band = next(b for b in (*AGE_BANDS, LEGACY_BAND) if b.column == column)
    return f"{band.low}+ days" if band.high is None else f"{band.low}-{band.high} days"


def age_band_trend(trend: pd.DataFrame) -> go.Figure:
    """Units by age band at each stock snapshot: stacked bars, youngest band at the bottom.

    Parameters
    ----------
    trend : pandas.DataFrame
        One row per snapshot, as ``core.skus.snapshot_trend`` returns it: ``snapshot_date`` and
        one column of units per age band (``aged_0_90`` … ``aged_456_plus``, and ``aged_365_plus``
        for files from before 2025).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace per age band (named "0-90 days" …), stacked, x the snapshot dates and y
        the band's units taken from ``trend`` unchanged. The legacy 365+ band gets a trace only
        where it holds units. Coloured green (young) to dark red (old).

    Examples
    --------
    >>> frame = pd.DataFrame({"snapshot_date": [pd.Timestamp("2026-11-15")], "aged_0_90": [10],
    ...                       "aged_91_180": [5]})
    >>> [(t.name, list(t.y)) for t in age_band_trend(frame).data]
    [('0-90 days', [10]), ('91-180 days', [5])]
    """
    if "snapshot_date" not in trend.columns:
        raise ValueError("trend lacks column(s): snapshot_date")
    columns = [b.column for b in AGE_BANDS if b.column in trend.columns]
    if LEGACY_BAND.column in trend.columns and trend[LEGACY_BAND.column].fillna(0).sum() > 0:
        columns.append(LEGACY_BAND.column)
    dates = pd.to_datetime(trend["snapshot_date"])
    figure = go.Figure([
        go.Bar(name=_band_label(c), x=dates.tolist(), y=trend[c].tolist(), marker_color=BAND_COLOURS[c],
               hovertemplate="%{x|%d %b %Y}: %{y:,.0f} units<extra>" + _band_label(c) + "</extra>")
        for c in columns])
    figure.update_layout(
        barmode="stack", xaxis={"type": "date", "title": None, "tickformat": "%d %b %Y", "tickvals": dates.tolist()},
        yaxis={"title": "Units", "tickformat": ",d"}, legend={"orientation": "h", "y": -0.2},
        height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return _note(figure, "No snapshots loaded") if trend.empty else figure


def value_trend(trend: pd.DataFrame) -> go.Figure:
    """Inventory value at cost at each stock snapshot: a line with markers.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``snapshot_date`` and ``value_at_cost`` (money, units on hand × unit cost over SKUs with a
        cost), as ``core.skus.snapshot_trend`` returns them.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Scatter`` trace (lines and markers), x the snapshot dates, y ``value_at_cost``
        unchanged; the y axis starts at 0 so a small change does not look like a collapse.

    Examples
    --------
    >>> frame = pd.DataFrame({"snapshot_date": [pd.Timestamp("2026-11-15")], "value_at_cost": [1234.5]})
    >>> list(value_trend(frame).data[0].y)
    [1234.5]
    """
    missing = {"snapshot_date", "value_at_cost"} - set(trend.columns)
    if missing:
        raise ValueError(f"trend lacks column(s): {', '.join(sorted(missing))}")
    dates = pd.to_datetime(trend["snapshot_date"])
    figure = go.Figure(go.Scatter(
        x=dates.tolist(), y=trend["value_at_cost"].astype(float).tolist(),
        mode="lines+markers", line={"color": _BAR_COLOUR, "width": 3}, name="Value at cost",
        hovertemplate="%{x|%d %b %Y}: $%{y:,.2f}<extra></extra>",
    ))
    top = float(trend["value_at_cost"].max()) if not trend.empty and trend["value_at_cost"].notna().any() else 1.0
    figure.update_layout(
        xaxis={"type": "date", "title": None, "tickformat": "%d %b %Y", "tickvals": dates.tolist()},
        yaxis={"title": "Value at cost", "tickprefix": "$", "tickformat": ",.0f", "range": [0, top * 1.1]},
        height=340, margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
    )
    return _note(figure, "No snapshots loaded") if trend.empty else figure
