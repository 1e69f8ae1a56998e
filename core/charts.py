"""DataFrame -> plotly Figure: every chart the app draws, pure and unit-tested.

No Streamlit here: a page passes a DataFrame it got from core and shows the Figure it gets back.
Plotly charts cannot be inspected in Streamlit's AppTest, so each figure's contents are tested here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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
