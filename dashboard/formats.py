"""How every page shows numbers, tables and charts: one place, so a value reads the same everywhere.

- Tables: `table_config(columns)` pins title and artist, puts the features right after them, and gives
  one format per kind of value (0..1 features as whole percents, BPM as an integer, m:ss durations,
  confidence as a bar); `table_order(columns)` is the column order it expects.
- Charts: REAL_COLOR / PREDICTED_COLOR for real versus predicted, `hover(...)` for readable hover
  text, `legend_below(fig)` so a legend never sits under Plotly's toolbar.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.safe import plot_text
from engine.config import FEATURES

# --- durations --------------------------------------------------------------------------------------
_MMSS = re.compile(r"^\s*(\d{1,3})\s*:\s*([0-5]?\d)\s*$")


def known(value) -> float | None:
    """The value as a finite float, or None (missing, text, NaN, infinite)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def mmss(ms) -> str:
    """120500 -> '2:01'; '' when unknown."""
    value = known(ms)
    if value is None:
        return ""
    seconds = int(round(value / 1000))
    return f"{seconds // 60}:{seconds % 60:02d}"


def parse_mmss(text: str) -> float | None:
    """'4:17' -> 257000.0 ms; '' -> None (unknown). Anything else raises ValueError with what to type."""
    text = str(text or "").strip()
    if not text:
        return None
    found = _MMSS.match(text)
    if not found:
        raise ValueError(f"'{text}' is not a duration: type minutes and seconds, like 4:17.")
    return (int(found.group(1)) * 60 + int(found.group(2))) * 1000.0


# --- real versus predicted: one colour pair for every chart and table -------------------------------
REAL_COLOR = "#1DB954"       # a value someone measured (catalog, your export, Spotify, ReccoBeats)
PREDICTED_COLOR = "#F0A500"  # a value the network predicted
REAL_PREDICTED = {"real": REAL_COLOR, "predicted": PREDICTED_COLOR}
# Real sources are shades of the real colour, so "real versus predicted" reads the same in every chart.
SOURCE_COLORS = {"✓ catalog": REAL_COLOR, "✓ your export": "#0F7A35", "✓ Spotify": "#7CD992",
                 "✓ ReccoBeats": "#B9F0C9", "≈ predicted": PREDICTED_COLOR}
PREDICTED_STYLE = f"color: {PREDICTED_COLOR}; font-style: italic"
CONTEXT_COLOR = "rgba(130, 130, 130, 0.22)"  # the catalog behind the library on the Map: grey on the dark theme, never
#                                              white however many of its points overlap


# --- one format per kind of value -----------------------------------------------------------------
def feature_value(feature: str, value) -> str:
    """0.734 -> '73%'; tempo 107.56 -> '108 BPM'; '' when unknown."""
    value = known(value)
    if value is None:
        return ""
    return f"{value:.0f} BPM" if feature == "tempo" else f"{value:.0%}"


def predicted_value(feature: str, value, low, high) -> str:
    """A predicted value with its 90% interval: '≈73% (55–88)', '≈108 BPM (90–131)'."""
    shown = feature_value(feature, value)
    if not shown:
        return ""
    scale = 1 if feature == "tempo" else 100
    return f"≈{shown} ({scale * float(low):.0f}–{scale * float(high):.0f})"


CLUSTER_PALETTE = ["#1DB954", "#4C9AFF", "#F5A623", "#E94B6A", "#9B6BFF", "#2EC4B6", "#FF7F50", "#C3D94E",
                   "#FF66C4", "#8D99AE", "#FFD166", "#06AED5"]  # on the dark theme; none is the catalog's grey


def cluster_colors(names) -> dict:
    """One colour per cluster, by its place in the library's cluster model (names_ order): the same cluster
    has the same colour on Clusters, the Map and Listening, whatever order a chart meets them in."""
    return {name: CLUSTER_PALETTE[i % len(CLUSTER_PALETTE)] for i, name in enumerate(names)}


def count(n, noun: str, plural: str | None = None) -> str:
    """'1 track', '2,345 tracks': a number with its noun, singular when it is one."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def signed(value: float, unit: str = "") -> str:
    """'+12 BPM', '-3 BPM', '±0 BPM': rounded first, so a difference under one never reads '-0'."""
    rounded = int(round(float(value)))
    text = "±0" if rounded == 0 else f"{rounded:+d}"
    return f"{text} {unit}".rstrip()


def percent(value) -> str:
    value = known(value)
    return "" if value is None else f"{value:.0%}"


# --- charts -----------------------------------------------------------------------------------------
def legend_below(fig, rows: int = 1, axis_px: int = 0):
    """A horizontal legend under the plot and under its x axis (`axis_px`: its tick labels and title):
    never under Plotly's toolbar (top right), never on the points or the axis. Set the height first:
    the figure grows by the room the legend takes."""
    bottom = axis_px + 12 + 22 * rows
    height = (fig.layout.height or 450) + bottom - (fig.layout.margin.b or 0)  # the plot keeps its size
    fig.update_layout(margin=dict(b=bottom), height=height)
    plot_px = height - bottom - (fig.layout.margin.t or 0)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-(axis_px + 6) / max(plot_px, 100),
                                  xanchor="left", x=0, title=None))
    return fig


def track_hover(frame: pd.DataFrame, extra: list[str] = ()) -> pd.Series:
    """Per track, hover text as people read it: 'Title — Artist', then the `extra` columns (cluster,
    source...), then the features (≈ where predicted) and the confidence. User text is HTML-escaped."""
    lines = ("<b>" + frame["title"].map(plot_text) + "</b> — " + frame["artists"].map(plot_text))
    for column in extra:
        if column in frame:
            lines = lines + "<br>" + frame[column].map(plot_text)
    parts = {}  # per feature, the shown text by position
    for feature in FEATURES:
        marks = np.where(is_predicted(frame, feature), "≈", "")
        parts[feature] = [m + feature_value(feature, v) for m, v in zip(marks, frame[feature].tolist())]
    for start in (0, 4):
        names = FEATURES[start:start + 4]
        row = pd.Series([" · ".join(f"{FEATURE_LABELS[f]} {parts[f][i]}" for f in names) for i in range(len(frame))],
                        index=frame.index)
        lines = lines + "<br>" + row
    if "confidence" in frame:
        lines = lines + "<br>confidence " + frame["confidence"].map(percent)
    return lines


FEATURE_LABELS = {"energy": "Energy", "valence": "Valence", "danceability": "Danceability",
                  "acousticness": "Acousticness", "instrumentalness": "Instrumentalness", "liveness": "Liveness",
                  "speechiness": "Speechiness", "tempo": "Tempo"}


def is_predicted(frame: pd.DataFrame, feature: str) -> np.ndarray:
    """Where this feature's value came from the network (real values have confidence 1)."""
    column = f"{feature}_confidence"
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return (pd.to_numeric(frame[column], errors="coerce").fillna(0) < 1.0).to_numpy()


# --- track tables -------------------------------------------------------------------------------------
PINNED = ["title", "artists"]
TABLE_HEIGHT = 600  # about 16 rows; a short table is only as tall as its rows
_ROW_PX, _HEADER_PX = 35, 38
SOURCE_LABELS = {"catalog": "✓ catalog", "export": "✓ your export", "spotify": "✓ Spotify",
                 "reccobeats": "✓ ReccoBeats", "predicted": "≈ predicted"}
_SHARES = ["confidence", "cluster_confidence", "similarity"]  # 0..1, shown as whole percents


def table_order(columns, lead=()) -> list[str]:
    """Title and artist, then the `lead` columns (a recommendation's why and match), then the features,
    then the rest in the order given."""
    columns = list(dict.fromkeys(columns))
    first = [c for c in (*PINNED, *lead) if c in columns] + [f for f in FEATURES if f in columns]
    return first + [c for c in columns if c not in first]


def for_people(frame: pd.DataFrame, columns: list[str], lead=()) -> pd.DataFrame:
    """The columns to show, in table order: duration as m:ss, source in words, shares as 0..100."""
    out = frame[[c for c in table_order(columns, lead) if c in frame.columns]].copy()
    if "duration_ms" in out:
        out.insert(out.columns.get_loc("duration_ms"), "duration", out.pop("duration_ms").map(mmss))
    if "source" in out:
        out["source"] = out["source"].map(lambda s: SOURCE_LABELS.get(s, s))
    for column in _SHARES:
        if column in out:
            out[column] = (pd.to_numeric(out[column], errors="coerce") * 100).round()
    return out


def table_config(columns) -> dict:
    """column_config for a for_people() frame: pinned title and artist, one format per kind of value."""
    config = {"title": st.column_config.TextColumn("Title", pinned=True, width="medium"),
              "artists": st.column_config.TextColumn("Artist", pinned=True, width="medium"),
              "duration": st.column_config.TextColumn("Length", width="small"),
              "score": st.column_config.NumberColumn("score", format="%.2f", help="Higher ranks first."),
              "match": st.column_config.ProgressColumn(
                  "match", format="%.1f", min_value=0.0, max_value=100.0,
                  help="The share (%) of the catalog tracks you don't have that this one outranks for you "
                       "(99.9 = in the best 0.1%); the learned ranker's recommendations show its calibrated chance."),
              "similarity": st.column_config.NumberColumn("similarity", format="%d%%",
                                                          help="Cosine similarity of the standardized features.")}
    for feature in FEATURES:
        config[feature] = st.column_config.Column(
            FEATURE_LABELS[feature], width=150 if feature == "tempo" else 125,  # room for '≈73% (55–88)'
            help=("Beats per minute" if feature == "tempo" else "0–100%") + ". Plain: a real value. "
                 "≈ in amber italics: predicted, with its 90% interval in brackets.")
    for column in ["confidence", "cluster_confidence"]:
        config[column] = st.column_config.ProgressColumn(column.replace("_", " "), format="%d%%", min_value=0, max_value=100)
    return {c: v for c, v in config.items() if c in columns}


# The Styler's text is what st.dataframe shows; without these a number would read '18.000000'.
_NUMBER_TEXT = {"confidence": "{:.0f}%", "cluster_confidence": "{:.0f}%", "similarity": "{:.0f}%", "score": "{:.2f}",
                "match": "{:.1f}",
                "plays": "{:,.0f}", "track_number": "{:.0f}"}


def styled(frame: pd.DataFrame, shown: pd.DataFrame):
    """Features formatted one way per kind ('73%', '108 BPM'); predicted ones '≈73% (55–88)' in amber
    italics. `frame` holds the same rows with the *_confidence and *_low/*_high columns."""
    frame, shown = frame.reset_index(drop=True), shown.reset_index(drop=True)
    styler = shown.style.format(_NUMBER_TEXT, na_rep="", subset=[c for c in _NUMBER_TEXT if c in shown])
    for feature in [f for f in FEATURES if f in shown]:
        styler = styler.format(lambda v, f=feature: feature_value(f, v), subset=[feature])
        guessed = np.flatnonzero(is_predicted(frame, feature))
        if len(guessed) and f"{feature}_low" in frame:
            lows, highs = frame[f"{feature}_low"].to_numpy(), frame[f"{feature}_high"].to_numpy()
            for i in guessed:
                styler = styler.format(lambda v, f=feature, lo=lows[i], hi=highs[i]: predicted_value(f, v, lo, hi),
                                       subset=pd.IndexSlice[[i], [feature]])
        marks = np.where(is_predicted(frame, feature), PREDICTED_STYLE, "")
        styler = styler.apply(lambda _col, m=marks: m, subset=[feature])
    return styler


def track_table(frame: pd.DataFrame, columns: list[str], config: dict | None = None, lead=()) -> None:
    """Every track table: for_people() columns, styled(), pinned title and artist, tall enough to read."""
    shown = for_people(frame, columns, lead)
    height = min(TABLE_HEIGHT, _HEADER_PX + _ROW_PX * max(len(shown), 1) + 2)
    st.dataframe(styled(frame, shown), hide_index=True, width="stretch", height=height,
                 column_config={**table_config(shown.columns), **(config or {})})
