"""DataFrame -> plotly Figure: every chart the app draws, pure and unit-tested.

No Streamlit here: a page passes a DataFrame it got from core and shows the Figure it gets back.
Plotly charts cannot be inspected in Streamlit's AppTest, so each figure's contents are tested here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import display
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


def age_band_trend(trend: pd.DataFrame, value: bool = False) -> go.Figure:
    """Units (or, with ``value``, value at cost) by age band at each stock snapshot: stacked bars,
    youngest band at the bottom.

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
        the band's units taken from ``trend`` unchanged (with ``value``: the ``value_<band>``
        columns, money). The legacy 365+ band gets a trace only where it holds units. Coloured green
        (young) to dark red (old).

    Examples
    --------
    >>> frame = pd.DataFrame({"snapshot_date": [pd.Timestamp("2026-11-15")], "aged_0_90": [10],
    ...                       "aged_91_180": [5]})
    >>> [(t.name, list(t.y)) for t in age_band_trend(frame).data]
    [('0-90 days', [10]), ('91-180 days', [5])]
    """
    if "snapshot_date" not in trend.columns:
        raise ValueError("trend lacks column(s): snapshot_date")
    prefix = "value_" if value else ""
    columns = [b.column for b in AGE_BANDS if prefix + b.column in trend.columns]
    if prefix + LEGACY_BAND.column in trend.columns and trend[prefix + LEGACY_BAND.column].fillna(0).sum() > 0:
        columns.append(LEGACY_BAND.column)
    dates = pd.to_datetime(trend["snapshot_date"])
    hover = "%{x|%d %b %Y}: $%{y:,.0f}" if value else "%{x|%d %b %Y}: %{y:,.0f} units"
    figure = go.Figure([
        go.Bar(name=_band_label(c), x=dates.tolist(), y=trend[prefix + c].tolist(), marker_color=BAND_COLOURS[c],
               hovertemplate=hover + "<extra>" + _band_label(c) + "</extra>")
        for c in columns])
    figure.update_layout(
        barmode="stack", xaxis={"type": "date", "title": None, "tickformat": "%d %b %Y", "tickvals": dates.tolist()},
        yaxis={"title": "Value at cost", "tickprefix": "$", "tickformat": ",.0f"} if value
        else {"title": "Units", "tickformat": ",d"}, legend={"orientation": "h", "y": -0.2},
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
    >>> value_trend(frame.assign(value_at_cost=float("nan"))).layout.annotations[0].text
    'No unit costs yet: add them on the Product costs page'
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
    if trend.empty:
        return _note(figure, "No snapshots loaded")
    if trend["value_at_cost"].isna().all():
        return _note(figure, "No unit costs yet: add them on the Product costs page")
    return figure


_SCENARIO_COLOUR = "#e47911"  # Amazon orange: the scenario against the blue baseline


def projected_stock(baseline: pd.DataFrame, scenario: pd.DataFrame | None = None) -> go.Figure:
    """Projected units on hand per day with the 80% band, the reorder point and the arrivals.

    Parameters
    ----------
    baseline : pandas.DataFrame
        One SKU's projection, ``core.stock_projection.StockProjection.frame``: day, on_hand, lo80,
        hi80, arrivals, reorder_point.
    scenario : pandas.DataFrame or None
        The same SKU under the what-if scenario, drawn in orange over the baseline.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named "Baseline 80% band" (filled between lo80 and hi80), "Baseline on hand",
        "Baseline reorder point" (dashed), "Baseline arrivals" (bars on days with arrivals), and the
        same four prefixed "Scenario" when a scenario is given. Values unchanged.

    Examples
    --------
    >>> frame = pd.DataFrame({"day": pd.date_range("2026-11-16", periods=3), "on_hand": [9.0, 8.0, 17.0],
    ...     "lo80": [8.0, 6.0, 14.0], "hi80": [10.0, 10.0, 20.0], "arrivals": [0.0, 0.0, 10.0],
    ...     "reorder_point": [8.0] * 3})
    >>> fig = projected_stock(frame)
    >>> [t.name for t in fig.data]
    ['Baseline 80% band', 'Baseline on hand', 'Baseline reorder point', 'Baseline arrivals']
    >>> fig.data[3].y.tolist()
    [10.0]
    """
    figure = go.Figure()
    for name, frame, colour in (("Baseline", baseline, _BAR_COLOUR), ("Scenario", scenario, _SCENARIO_COLOUR)):
        if frame is None or frame.empty:
            continue
        missing = {"day", "on_hand", "lo80", "hi80", "arrivals", "reorder_point"} - set(frame.columns)
        if missing:
            raise ValueError(f"{name.lower()} lacks column(s): {', '.join(sorted(missing))}")
        # numpy arrays, not lists: plotly validates a list element by element (most of a what-if move).
        days = pd.to_datetime(frame["day"]).to_numpy()
        hi, lo = frame["hi80"].to_numpy(float), frame["lo80"].to_numpy(float)
        figure.add_trace(go.Scatter(
            x=np.concatenate([days, days[::-1]]), y=np.concatenate([hi, lo[::-1]]),
            fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0}, hoverinfo="skip",
            name=f"{name} 80% band", legendgroup=name))
        figure.add_trace(go.Scatter(
            x=days, y=frame["on_hand"].to_numpy(float), mode="lines", line={"color": colour, "width": 2.5},
            name=f"{name} on hand", legendgroup=name,
            hovertemplate="%{x|%d %b %Y}: %{y:,.0f} units<extra>" + name + "</extra>"))
        figure.add_trace(go.Scatter(
            x=days, y=frame["reorder_point"].to_numpy(float), mode="lines",
            line={"color": colour, "width": 1.5, "dash": "dash"}, name=f"{name} reorder point", legendgroup=name,
            hovertemplate="Reorder point %{y:,.0f} units<extra>" + name + "</extra>"))
        arriving = (frame["arrivals"] > 0).to_numpy()
        figure.add_trace(go.Bar(
            x=days[arriving], y=frame["arrivals"].to_numpy(float)[arriving],
            marker={"color": colour}, opacity=0.6, width=_MS_PER_DAY * 2, name=f"{name} arrivals",
            legendgroup=name, hovertemplate="%{x|%d %b %Y}: %{y:,.0f} units arrive<extra>" + name + "</extra>"))
    figure.update_layout(
        xaxis={"type": "date", "title": None, "tickformat": "%d %b"},
        yaxis={"title": "Units on hand", "tickformat": ",.0f", "rangemode": "tozero"},
        height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10}, barmode="overlay",
        legend={"orientation": "h", "y": -0.15})
    return _note(figure, "No projection for this SKU") if not figure.data else figure


def demand_forecast(history_df: pd.DataFrame, daily: pd.DataFrame, events_text: str = "") -> go.Figure:
    """One SKU's daily units sold and its forecast with the 80% and 95% intervals.

    Parameters
    ----------
    history_df : pandas.DataFrame
        day, units, in_stock (``core.forecast.history`` for one SKU). Out-of-stock days are drawn
        as grey markers: the forecast does not learn from them.
    daily : pandas.DataFrame
        day, mean, lo80, hi80, lo95, hi95 (``ForecastResult.daily`` for the SKU).
    events_text : str
        The events inside the forecast with their uplift and its source (the summary's
        ``event_uplift_text``: "Prime Day 8-11 Jul, ×1.9 (own past events)"), written above the
        plot, one per line; "" for none.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces "Sold (in stock)", "Sold (out of stock)", "95% interval", "80% interval", "Forecast";
        with ``events_text``, one annotation.

    Examples
    --------
    >>> hist = pd.DataFrame({"day": pd.date_range("2026-11-14", periods=2), "units": [3, 0],
    ...                      "in_stock": [True, False]})
    >>> fc = pd.DataFrame({"day": pd.date_range("2026-11-16", periods=1), "mean": [2.5], "lo80": [1.0],
    ...                    "hi80": [4.0], "lo95": [0.0], "hi95": [5.0]})
    >>> fig = demand_forecast(hist, fc)
    >>> [t.name for t in fig.data], list(fig.data[4].y)
    (['Sold (in stock)', 'Sold (out of stock)', '95% interval', '80% interval', 'Forecast'], [2.5])
    >>> demand_forecast(hist, fc, "Black Friday-Cyber Monday 27-30 Nov, ×1.6 (group Kitchen, 14 SKUs)").layout.annotations[0].text
    'Events: Black Friday-Cyber Monday 27-30 Nov, ×1.6 (group Kitchen, 14 SKUs)'
    """
    in_stock = history_df["in_stock"].astype(bool)
    figure = go.Figure()
    for name, rows, colour in (("Sold (in stock)", in_stock, "#555555"), ("Sold (out of stock)", ~in_stock, "#bbbbbb")):
        part = history_df[rows]
        figure.add_trace(go.Scatter(x=pd.to_datetime(part["day"]).tolist(), y=part["units"].astype(float).tolist(),
                                    mode="markers", marker={"color": colour, "size": 4}, name=name,
                                    hovertemplate="%{x|%d %b %Y}: %{y:,.0f} sold<extra></extra>"))
    days = pd.to_datetime(daily["day"]).tolist()
    for level, opacity in (("95", 0.12), ("80", 0.25)):
        figure.add_trace(go.Scatter(
            x=days + days[::-1], y=daily[f"hi{level}"].astype(float).tolist() + daily[f"lo{level}"].astype(float).tolist()[::-1],
            fill="toself", fillcolor=_BAR_COLOUR, opacity=opacity, line={"width": 0}, hoverinfo="skip",
            name=f"{level}% interval"))
    figure.add_trace(go.Scatter(x=days, y=daily["mean"].astype(float).tolist(), mode="lines",
                                line={"color": _BAR_COLOUR, "width": 2.5}, name="Forecast",
                                hovertemplate="%{x|%d %b %Y}: %{y:,.1f} a day<extra>Forecast</extra>"))
    figure.update_layout(xaxis={"type": "date", "title": None}, yaxis={"title": "Units a day", "rangemode": "tozero"},
                         height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         legend={"orientation": "h", "y": -0.15})
    if events_text:
        lines = re.split(r"; (?![^(]*\))", events_text)  # "; " between events, not inside "(default; …)"
        figure.add_annotation(text="Events: " + "<br>".join(lines), xref="paper", yref="paper", x=0, y=1,
                              xanchor="left", yanchor="bottom", showarrow=False, align="left",
                              font={"size": 12, "color": "#555555"})
        figure.update_layout(margin={"t": 10 + 18 * len(lines)})
    return figure


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def yearly_profile(profile: pd.DataFrame) -> go.Figure:
    """One SKU's yearly profile: the multiplier of each calendar month the forecast uses, with its own
    (unshrunk) estimate and the target it was shrunk towards (a group's pooled profile, or flat 1).

    ``profile``: month (1-12), profile, own, target (``ForecastResult.profiles`` for the SKU). Traces
    "Used by the forecast" (bars), "Its own estimate" and "Shrunk towards" (lines; left out where
    they are missing, e.g. the own estimate of a SKU with under 12 months).

    >>> p = pd.DataFrame({"month": range(1, 13), "profile": [1.2] * 6 + [0.8] * 6, "own": [1.4] * 6 + [0.6] * 6,
    ...                   "target": [1.0] * 12})
    >>> fig = yearly_profile(p); [t.name for t in fig.data], fig.data[0].x[0]
    (['Used by the forecast', 'Its own estimate', 'Shrunk towards'], 'Jan')
    """
    p = profile.sort_values("month")
    months = [MONTH_NAMES[int(m) - 1] for m in p["month"]]
    fig = go.Figure(go.Bar(x=months, y=p["profile"].astype(float).round(3).tolist(), name="Used by the forecast",
                           marker_color="#4c78a8", hovertemplate="%{x}: ×%{y:.2f}<extra>used</extra>"))
    for column, name, dash in (("own", "Its own estimate", "dot"), ("target", "Shrunk towards", "dash")):
        values = pd.to_numeric(p[column], errors="coerce")
        if values.notna().any():
            fig.add_trace(go.Scatter(x=months, y=values.round(3).tolist(), name=name, mode="lines+markers",
                                     line={"dash": dash}, hovertemplate="%{x}: ×%{y:.2f}<extra>" + name + "</extra>"))
    fig.add_hline(y=1, line_width=1, line_color="#999")
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10}, yaxis_title="× the year's mean",
                      legend={"orientation": "h", "y": 1.12}, bargap=0.25)
    return fig


def achieved_service(table: pd.DataFrame) -> go.Figure:
    """The service level the reorder point achieved in the backtest against its target, per class and
    lead time. ``table``: group, target, horizon_days, achieved (``core.forecast.accuracy.achieved_service``).
    One bar group per lead time; the targets as markers.

    >>> t = pd.DataFrame({"group": ["A", "B"], "target": [0.98, 0.95], "horizon_days": [30, 30],
    ...                   "achieved": [0.97, 0.96]})
    >>> [tr.name for tr in achieved_service(t).data]
    ['Class A, achieved', 'Class B, achieved', 'Targets', 'Targets']
    """
    fig = go.Figure()
    known = table.dropna(subset=["achieved"])
    for group, rows in known.groupby("group", sort=True):
        x = [f"{int(d)} days" for d in rows["horizon_days"]]
        fig.add_trace(go.Bar(x=x, y=(rows["achieved"] * 100).round(1).tolist(), name=f"Class {group}, achieved",
                             offsetgroup=str(group), legendgroup=str(group),
                             hovertemplate="%{x}: %{y:.1f}%<extra>class " + str(group) + "</extra>"))
    for i, (group, rows) in enumerate(known.groupby("group", sort=True)):
        # Each class's target over its own bar (scattermode "group" places it like the bars).
        fig.add_trace(go.Scatter(x=[f"{int(d)} days" for d in rows["horizon_days"]], y=(rows["target"] * 100).tolist(),
                                 mode="markers", name="Targets", showlegend=i == 0, offsetgroup=str(group),
                                 legendgroup="targets",
                                 marker={"symbol": "line-ew-open", "size": 30, "line": {"width": 3}, "color": "#333"},
                                 hovertemplate="class " + str(group) + " target %{y:.1f}%<extra></extra>"))
    low = float(min(known["achieved"].min(), known["target"].min()) * 100) if len(known) else 80.0
    fig.update_layout(barmode="group", scattermode="group", height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      yaxis={"title": "Lead-time demand covered, %", "range": [max(0.0, low - 5), 100.5]},
                      xaxis_title="Lead time", legend={"orientation": "h", "y": 1.12})
    return fig


def wape_by_method(summary: pd.DataFrame) -> go.Figure:
    """Backtest WAPE per forecasting method, weighted by the SKUs' sales: one bar per method.

    Parameters
    ----------
    summary : pandas.DataFrame
        method, wape and ``weight`` (the SKU's backtest actual units, ``backtest_units``: WAPE pools
        as Σ|e| / Σ actual, so a method's WAPE is the weight-averaged WAPE of its SKUs). Rows without
        a WAPE are left out. Best method on top.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal ``Bar``: y the method, x its pooled WAPE in percent, text the SKU count.

    Examples
    --------
    >>> s = pd.DataFrame({"method": ["ses", "ses", "tsb"], "wape": [0.2, 0.4, 0.5], "weight": [30, 10, 5]})
    >>> bar = wape_by_method(s).data[0]
    >>> list(bar.y), [round(x, 1) for x in bar.x], list(bar.text)
    (['Simple exponential smoothing', 'Teunter-Syntetos-Babai (TSB)'], [25.0, 50.0], ['2 SKUs', '1 SKU'])
    """
    known = summary.dropna(subset=["wape"])
    known = known[known["weight"] > 0]
    pooled = (known.assign(err=known["wape"] * known["weight"]).groupby("method")
              .agg(err=("err", "sum"), weight=("weight", "sum"), skus=("wape", "size")))
    pooled["wape"] = pooled["err"] / pooled["weight"] * 100
    pooled = pooled.sort_values("wape")
    figure = go.Figure(go.Bar(
        x=pooled["wape"].tolist(), y=[display.method_name(m) for m in pooled.index], orientation="h",
        marker={"color": _BAR_COLOUR}, text=[display.plural(n, "SKU") for n in pooled["skus"]], textposition="auto",
        hovertemplate="%{y}: WAPE %{x:.1f}%<extra></extra>"))
    figure.update_layout(xaxis={"title": "WAPE, weighted by units sold (%)", "rangemode": "tozero"},
                         yaxis={"title": None, "autorange": "reversed"}, height=60 + 45 * max(len(pooled), 1),
                         margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
    return _note(figure, "No backtest yet") if pooled.empty else figure


_FEE_COLOURS = {"storage_fee": _BAR_COLOUR, "aged_surcharge": "#c0392b", "utilisation_surcharge": "#e47911"}
_FEE_NAMES = {"storage_fee": "Monthly storage", "aged_surcharge": "Aged-inventory surcharge",
              "utilisation_surcharge": "Storage utilisation surcharge"}


def fee_projection(monthly: pd.DataFrame) -> go.Figure:
    """Projected fees per month, stacked: storage, aged-inventory surcharge, utilisation surcharge.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``core.fees.outlook.monthly_totals``: month and one column per fee (money).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace per fee (named as Amazon names it), x the months, y unchanged.

    Examples
    --------
    >>> m = pd.DataFrame({"month": [pd.Timestamp("2026-12-01")], "storage_fee": [10.0],
    ...                   "aged_surcharge": [2.0], "utilisation_surcharge": [0.0]})
    >>> [(t.name, list(t.y)) for t in fee_projection(m).data]
    [('Monthly storage', [10.0]), ('Aged-inventory surcharge', [2.0]), ('Storage utilisation surcharge', [0.0])]
    """
    months = pd.to_datetime(monthly["month"]).tolist()
    figure = go.Figure([
        go.Bar(name=_FEE_NAMES[c], x=months, y=monthly[c].astype(float).tolist(), marker_color=_FEE_COLOURS[c],
               hovertemplate="%{x|%b %Y}: $%{y:,.2f}<extra>" + _FEE_NAMES[c] + "</extra>")
        for c in _FEE_NAMES if c in monthly.columns])
    figure.update_layout(barmode="stack", xaxis={"type": "date", "title": None, "tickformat": "%b %Y", "dtick": "M1"},
                         yaxis={"title": "Projected fees", "tickprefix": "$", "tickformat": ",.0f"},
                         legend={"orientation": "h", "y": -0.2}, height=360,
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return _note(figure, "Nothing to project") if monthly.empty else figure


def capacity_usage(check: pd.DataFrame) -> go.Figure:
    """Cubic feet per month and storage type against the storage limit.

    Parameters
    ----------
    check : pandas.DataFrame
        ``core.fees.capacity.capacity_check`` with a ``kind`` column ("actual" or "projected"):
        month, storage_type, cubic_feet, limit, over_limit.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``Bar`` trace per storage type and kind (projected months lighter), bars over the limit
        outlined red, and a dashed "<type> limit" line where a limit is entered.

    Examples
    --------
    >>> c = pd.DataFrame({"month": [pd.Timestamp("2026-12-01")] * 2, "storage_type": ["standard"] * 2,
    ...     "kind": ["actual", "projected"], "cubic_feet": [90.0, 120.0], "limit": [100.0, 100.0],
    ...     "over_limit": [False, True]})
    >>> [(t.name, list(t.y)) for t in capacity_usage(c).data]
    [('standard, actual', [90.0]), ('standard, projected', [120.0]), ('standard limit', [100.0, 100.0])]
    """
    figure = go.Figure()
    for storage_type, rows in check.groupby("storage_type", sort=True):
        for kind, opacity in (("actual", 1.0), ("projected", 0.5)):
            part = rows[rows["kind"] == kind]
            if part.empty:
                continue
            figure.add_trace(go.Bar(
                name=f"{storage_type}, {kind}", x=pd.to_datetime(part["month"]).tolist(),
                y=part["cubic_feet"].astype(float).tolist(), marker_color=_BAR_COLOUR, opacity=opacity,
                marker_line={"color": ["#c0392b" if o else _BAR_COLOUR for o in part["over_limit"]], "width": 2},
                hovertemplate="%{x|%b %Y}: %{y:,.0f} cu ft<extra>" + f"{storage_type}, {kind}</extra>"))
        limit = rows["limit"].astype(float)
        if limit.notna().any():
            months = pd.to_datetime(rows["month"]).sort_values()
            figure.add_trace(go.Scatter(
                name=f"{storage_type} limit", x=[months.iloc[0], months.iloc[-1]], y=[limit.max(), limit.max()],
                mode="lines", line={"color": "#c0392b", "dash": "dash"},
                hovertemplate="Limit %{y:,.0f} cu ft<extra></extra>"))
    figure.update_layout(barmode="group", xaxis={"type": "date", "title": None, "tickformat": "%b %Y"},
                         yaxis={"title": "Cubic feet (average a day)", "tickformat": ",.0f"},
                         legend={"orientation": "h", "y": -0.2}, height=340,
                         margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return _note(figure, "No storage volume known") if check.empty else figure


def share_bars(frame: pd.DataFrame, group: str) -> go.Figure:
    """Units per ``group`` (summed over the frame's rows) as horizontal bars, largest on top, each
    labelled with its share of the total.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``units`` and the ``group`` column (e.g. ``core.returns.returns_by_reason``'s reason_group).

    Examples
    --------
    >>> f = pd.DataFrame({"reason_group": ["a", "b", "a"], "units": [2, 1, 1]})
    >>> bar = share_bars(f, "reason_group").data[0]
    >>> list(bar.y), list(bar.x), list(bar.text)
    (['a', 'b'], [3.0, 1.0], ['75%', '25%'])
    """
    totals = frame.groupby(group)["units"].sum().astype(float).sort_values(ascending=False)
    share = totals / totals.sum() if totals.sum() else totals
    figure = go.Figure(go.Bar(x=totals.tolist(), y=[str(i) for i in totals.index], orientation="h",
                              marker={"color": _BAR_COLOUR}, text=[f"{s:.0%}" for s in share], textposition="auto",
                              hovertemplate="%{y}: %{x:,.0f} units<extra></extra>"))
    figure.update_layout(xaxis={"title": "Units returned", "rangemode": "tozero"},
                         yaxis={"title": None, "autorange": "reversed"}, height=60 + 40 * max(len(totals), 1),
                         margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False)
    return _note(figure, "No returns in the window") if totals.empty else figure
