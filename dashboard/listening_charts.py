"""The Listening page's charts (Plotly), each with a hover that reads as a sentence."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.safe import plot_text
from engine.config import BOUNDED_FEATURES

GREEN, AMBER, GREY = "#1DB954", "#F0A500", "#555555"
_LAYOUT = dict(margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", title=None))


LABELS = {"day": "%a %d %b %Y", "week": "week of %d %b %Y", "month": "%B %Y"}  # a week by its Monday


def listening_time(table: pd.DataFrame, every: str) -> go.Figure:
    """Hours per day, week or month. The bars sit on named categories, not a time axis: one month or one
    bar never stretches into ticks such as '23:59:59.9996 Oct 31', and a week is named by its Monday."""
    names = pd.to_datetime(table["start"]).dt.strftime(LABELS[every]).str.replace(" 0", " ", regex=False)
    fig = go.Figure(go.Bar(x=names, y=table["hours"], customdata=table[["plays"]], marker_color=GREEN,
                           hovertemplate="%{x}: %{y:.1f} h, %{customdata[0]:,} plays<extra></extra>"))
    fig.update_layout(height=260, yaxis_title="hours", xaxis=dict(type="category"), bargap=0.2 if len(table) > 3 else 0.6,
                      **_LAYOUT)
    return fig


def feature_over_time(features: pd.DataFrame, feature: str, every: str = "month") -> go.Figure:
    """The mean per month (a short period: per week or day, `every`), its band from the predicted values'
    intervals, and the share predicted (bars). Days and weeks are named as on the listening-time chart."""
    rows = features[features["feature"] == feature].dropna(subset=["mean"])
    rows = rows.assign(month=rows[every] if every == "month" else
                       pd.to_datetime(rows[every]).dt.strftime(LABELS[every]).str.replace(" 0", " ", regex=False))
    bounded = feature in BOUNDED_FEATURES
    value = ":.0%" if bounded else ":.0f"
    unit = "" if bounded else " BPM"
    fig = go.Figure()
    fig.add_bar(x=rows["month"], y=rows["predicted"], name="share of plays predicted", yaxis="y2",
                marker_color=AMBER, opacity=0.35, hovertemplate="%{x}: %{y:.0%} of the plays' values predicted<extra></extra>")
    fig.add_scatter(x=rows["month"], y=rows["high"], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=rows["month"], y=rows["low"], mode="lines", line=dict(width=0), fill="tonexty",
                    fillcolor="rgba(240,165,0,0.25)", name="band from predicted intervals", hoverinfo="skip")
    fig.add_scatter(x=rows["month"], y=rows["mean"], mode="lines+markers", line_color=GREEN, name=f"mean {feature}",
                    customdata=rows[["low", "high", "predicted", "plays"]],
                    hovertemplate=(f"%{{x}}: {feature} %{{y{value}}}{unit} (band %{{customdata[0]{value}}}–"
                                   f"%{{customdata[1]{value}}}{unit}); %{{customdata[2]:.0%}} of %{{customdata[3]:,}} "
                                   "plays predicted<extra></extra>"))
    fig.update_layout(height=320, xaxis=dict(type="category"),
                      yaxis=dict(title=feature + unit, tickformat=".0%" if bounded else None),
                      yaxis2=dict(overlaying="y", side="right", range=[0, 1], tickformat=".0%", showgrid=False,
                                  title="predicted"), **_LAYOUT)
    return fig


def cluster_share(clusters: pd.DataFrame, colors: dict | None = None) -> go.Figure:
    """Each cluster's share of the plays per month; `colors`: formats.cluster_colors of the library's clusters."""
    fig = go.Figure()
    for name, rows in clusters.groupby("cluster", sort=True):
        label = plot_text(name)
        fig.add_bar(x=rows["month"], y=rows["share"], name=label, customdata=rows[["plays"]],
                    marker_color=(colors or {}).get(name),
                    hovertemplate=f"%{{x}}: {label}, %{{y:.0%}} of the plays (%{{customdata[0]:,}})<extra></extra>")
    fig.update_layout(barmode="stack", height=320, yaxis=dict(tickformat=".0%", range=[0, 1], title="share of plays"),
                      **_LAYOUT)
    return fig


def heat_map(heat: pd.DataFrame, tz: str) -> go.Figure:
    ends = [f"{(h + 1) % 24:02d}:00" for h in heat.columns]
    text = [[f"{day} {h:02d}:00–{end}" for h, end in zip(heat.columns, ends)] for day in heat.index]
    fig = go.Figure(go.Heatmap(z=heat.to_numpy(), x=[f"{h:02d}" for h in heat.columns], y=list(heat.index),
                               text=text, colorscale="Greens", colorbar=dict(title="hours"),
                               hovertemplate="%{text}: %{z:.1f} h<extra></extra>"))
    fig.update_layout(height=300, xaxis_title=f"hour of day ({plot_text(tz)})", yaxis=dict(autorange="reversed"),
                      margin=dict(l=0, r=0, t=10, b=0))
    return fig


def new_artists(table: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Bar(x=table["month"], y=table["new_artists"], marker_color=GREEN,
                           hovertemplate="%{x}: %{y:,} artists played for the first time<extra></extra>"))
    fig.update_layout(height=220, yaxis_title="new artists", **_LAYOUT)
    return fig
