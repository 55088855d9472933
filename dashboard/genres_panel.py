"""Top genres (a section of Library coverage) and the genre filter a click on it sets, which the
coverage track table and the Map both apply.

The filter lives in its own session-state key, not in a widget's: Streamlit forgets a widget's state
on a page that does not draw it, and the filter must survive the switch to the Map.
"""

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard.chart_selection import custom_values
from dashboard.formats import REAL_PREDICTED, legend_below
from dashboard.safe import hover_safe, md
from engine.explore.genres import LEVELS, genre_table, in_genre

FILTER_KEY = "genre_filter"  # "" or "<level>:<name>", e.g. "family:rock"
_BOX_KEY, _CLICK_KEY = "genre_filter_box", "genres_chart_applied"
TOP = 25
LEVEL_LABELS = {"genre": "artist genre", "family": "genre family"}
COLORS = REAL_PREDICTED


def top_genres_section(frame: pd.DataFrame) -> None:
    st.subheader("Top genres")
    level = st.radio("Count tracks per", LEVELS, format_func=LEVEL_LABELS.get, horizontal=True, key="genres_level")
    tables = {lvl: genre_table(frame, lvl) for lvl in LEVELS}  # the filter box lists both levels
    table = tables[level]
    if table.empty:
        st.info("No genres known for this library's artists. Spotify, Exportify CSVs with genres and the catalog's "
                "artist table bring them.")
        return
    top = table.head(TOP).reset_index(drop=True)
    bars = top.assign(rank=top.index).melt(id_vars=["name", "rank"], value_vars=["real", "predicted"],
                                           var_name="features", value_name="count")
    fig = px.bar(hover_safe(bars, ["name"]), y="name", x="count", color="features", orientation="h",
                 labels={"count": "tracks"},
                 custom_data=["rank"], color_discrete_map=COLORS)
    fig.update_layout(height=80 + 24 * len(top), margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", title=None),
                      yaxis=dict(title=None, categoryorder="total ascending"))
    fig.update_traces(hovertemplate="%{y}<br>%{x:,} tracks, %{fullData.name} features<extra></extra>")
    legend_below(fig, axis_px=42)
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", selection_mode="points", key="genres_chart")
    clicked = [top.loc[int(rank), "name"] for rank in custom_values(event) if int(rank) in top.index]
    if clicked and clicked[:1] != st.session_state.get(_CLICK_KEY):  # a new click, not the old one kept
        st.session_state[_CLICK_KEY] = clicked[:1]
        st.session_state[FILTER_KEY] = f"{level}:{clicked[0]}"
    unknown = int((frame["genres"].fillna("") == "").sum())
    st.caption(f"{len(table):,} {LEVEL_LABELS[level]}s; the top {len(top)} shown. A track counts once in each of its "
               f"artists' genres; {unknown:,} tracks have no known genre. Green: real features; amber: predicted. "
               "Click a bar to list its tracks below and show only them on the Map.")
    _filter_box(tables)


def _filter_box(tables: dict[str, pd.DataFrame]) -> None:
    options = [""] + [f"{level}:{name}" for level in reversed(LEVELS) for name in tables[level]["name"]]
    current = st.session_state.get(FILTER_KEY, "")
    st.session_state[_BOX_KEY] = current if current in options else ""
    st.selectbox("Show the tracks of", options, key=_BOX_KEY, on_change=_keep_box_choice,
                 format_func=lambda v: "every genre" if not v else f"{LEVEL_LABELS[v.split(':')[0]]}: {v.split(':', 1)[1]}")


def _keep_box_choice() -> None:
    st.session_state[FILTER_KEY] = st.session_state[_BOX_KEY]


def apply_genre_filter(frame: pd.DataFrame, where: str) -> pd.Series:
    """Which rows the genre filter keeps (all when none is set), with a caption and a button to clear it."""
    value = st.session_state.get(FILTER_KEY, "")
    if not value:
        return pd.Series(True, index=frame.index)
    level, name = value.split(":", 1)
    keep = in_genre(frame, level, name)
    if not keep.any():  # a filter set on another library: it names nothing here
        st.session_state[FILTER_KEY] = ""
        return pd.Series(True, index=frame.index)
    text, clear = st.columns([5, 1])
    text.caption(f"{where} shows the {int(keep.sum()):,} tracks of the {LEVEL_LABELS[level]} **{md(name)}**.")
    if clear.button("Show every genre", key=f"clear_genre_{where}"):
        st.session_state[FILTER_KEY] = ""
        st.rerun()
    return keep
