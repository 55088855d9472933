"""What the Listening page hands the others: the tracks played in a period (and a sound cluster).

Like the genre filter (dashboard/genres_panel.py) it lives in its own session-state key, not a widget's,
so it survives the switch to the Map, the track table on Library coverage and Recommendations.
"""

import pandas as pd
import streamlit as st

from dashboard.formats import count
from dashboard.safe import md

FILTER_KEY = "listening_filter"  # {"library_id": int, "label": "played in March 2021", "keys": [...]}
SCOPE = "what I played"  # Recommendations' scope for it (pages/recommendations.py)


def set_listening_filter(library_id: int, label: str, keys: list[str]) -> None:
    st.session_state[FILTER_KEY] = {"library_id": int(library_id), "label": label, "keys": list(keys)}


def current(library_id: int) -> dict | None:
    """The filter set for this library, if any (one set on another library names nothing here)."""
    chosen = st.session_state.get(FILTER_KEY)
    return chosen if chosen and chosen["library_id"] == int(library_id) else None


def apply_listening_filter(frame: pd.DataFrame, library_id: int, where: str) -> pd.Series:
    """Which rows the listening filter keeps (all when none is set), with a caption and a button to clear it."""
    chosen = current(library_id)
    if chosen is None:
        return pd.Series(True, index=frame.index)
    keep = frame["key"].isin(set(chosen["keys"]))
    text, clear = st.columns([5, 1])
    text.caption(f"{where} shows the {count(keep.sum(), 'track')} you {md(chosen['label'])} (from **Listening**).")
    if clear.button("Show every track", key=f"clear_listening_{where}"):
        st.session_state.pop(FILTER_KEY, None)
        st.rerun()
    return keep


def played_seeds(frame: pd.DataFrame, library_id: int, most: int = 200) -> tuple[pd.DataFrame, str]:
    """The most played tracks of the filter (at most `most`), as Recommendations' seeds, and its label."""
    chosen = current(library_id) or {"keys": [], "label": "played"}
    order = {key: rank for rank, key in enumerate(chosen["keys"][:most])}
    seeds = frame[frame["key"].isin(order)]
    return seeds.iloc[seeds["key"].map(order).argsort()], f"what you {chosen['label']}"
