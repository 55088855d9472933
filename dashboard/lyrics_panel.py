"""The predictor form's optional lyrics box: top topics, feature updates (where lyrics measured better),
and songs about the same things. Called at the end of pages/predictor.py."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import streamlit as st

from dashboard.formats import count
from dashboard.resources import analyze_lyrics
from dashboard.safe import md
from engine.errors import TunescopeError
from engine.lyrics.serving import MAX_LYRICS_CHARS

DATASET_CAPTION = ("Learned from a truncated copy of the Mendeley lyrics dataset: 3,733 songs, **pop only, released "
                   "1950–1990**. Topics and neighbours reflect that slice of music, not today's charts.")


def render(result: dict, title: str, artists: str) -> None:
    st.subheader("Lyrics: topics and mood")
    st.caption(DATASET_CAPTION)
    text = st.text_area("Lyrics (optional)", key="lyrics", height=180, max_chars=MAX_LYRICS_CHARS,
                        placeholder=f"Paste the lyrics of {title or 'the song'} here (plain text; English).")
    if not text.strip():
        st.info("Paste lyrics to see what the song is about, and songs about the same things.")
        return
    try:
        analysis = analyze_lyrics(text, result)
    except TunescopeError as exc:
        st.warning(md(exc))
        return

    topics = list(analysis["topics"].items())[:6]
    fig = go.Figure(go.Bar(y=[t for t, _ in topics], x=[v for _, v in topics], orientation="h",
                           marker_color="rgba(29,185,84,0.85)", hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    fig.update_layout(yaxis=dict(autorange="reversed"), xaxis_title="topic score (dataset scale)",
                      height=280, margin=dict(l=0, r=0, t=10, b=0))
    left, right = st.columns([1, 1])
    with left:
        words = len(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text))  # what a reader counts as words
        st.markdown(f"**Top topics** of {count(words, 'word')} ({analysis['words']:,} the model reads: "
                    "stop words and repeats of the chorus markers left out)")
        st.plotly_chart(fig, width="stretch")
    with right:
        if analysis["features"]:
            st.markdown("**Features updated by the lyrics**")
            st.dataframe([{"feature": f, "without lyrics": f"{result[f]:.0%}", "with lyrics": f"{v:.0%}"}
                          for f, v in analysis["features"].items()], hide_index=True, width="stretch")
        else:
            st.caption("On held-out artists, lyrics did not measurably improve valence or energy over the "
                       "predictor (see docs/models/lyrics.md), so the feature predictions above stay as they are.")
        st.markdown("**Songs about the same things** in the dataset (closest shared representation)")
        neighbours = analysis["neighbours"][["artist", "title", "year", "topic", "similarity"]]
        st.dataframe(neighbours.round({"similarity": 3}), hide_index=True, width="stretch")
