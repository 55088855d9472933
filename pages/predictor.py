"""The per-track predictor form: fill in what you know, see the 8 features with confidence."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import lyrics_panel, ui
from dashboard.formats import (PREDICTED_COLOR, REAL_COLOR, feature_value, legend_below, parse_mmss, percent,
                               predicted_value, track_table)
from dashboard.safe import md
from dashboard.resources import predict_track, similar_tracks
from engine.config import BOUNDED_FEATURES, FEATURES
from engine.predictor.meaning import confidence_sentence

st.title("Predict a track's audio features")
st.caption("Spotify no longer serves audio features to new apps. Tunescope predicts them from what you know "
           "about a track; every field you add sharpens the prediction and its confidence.")

# The example track; its details describe only it, so a new title or artist clears those still untouched.
EXAMPLE = {"predictor_title": "Dreams", "predictor_artists": "Fleetwood Mac", "predictor_album": "Rumours",
           "predictor_genres": "soft rock;album rock", "predictor_moods": "chill", "predictor_duration": "4:17",
           "predictor_release": "1977"}
DETAILS = ["predictor_album", "predictor_genres", "predictor_moods", "predictor_duration", "predictor_release"]
if "predictor_on_example" not in st.session_state:
    st.session_state.update(EXAMPLE, predictor_on_example=True)
# Streamlit forgets a widget's value once a run does not draw it (another page opened): the form's values
# are kept beside the widgets and given back on return, so the track typed in is still there.
FORM = [*EXAMPLE, "predictor_explicit", "predictor_track_number", "predictor_album_size"]
KEPT = "predictor_kept"
for field, value in st.session_state.get(KEPT, {}).items():
    if field not in st.session_state:
        st.session_state[field] = value


def leave_the_example() -> None:
    """The first new title or artist: the example's details the listener did not change are cleared once."""
    if st.session_state.pop("predictor_on_example", False):
        for field in DETAILS:
            if st.session_state.get(field) == EXAMPLE[field]:
                st.session_state[field] = ""
    st.session_state["predictor_on_example"] = False


left, right = st.columns([1, 1])
with left:
    title = st.text_input("Title", key="predictor_title", on_change=leave_the_example)
    artists = st.text_input("Artist(s), ';'-separated", key="predictor_artists", on_change=leave_the_example)
    album = st.text_input("Album", key="predictor_album")
    genres = st.text_input("Genres, ';'-separated (any Spotify genre)", key="predictor_genres")
    moods = st.text_input("Moods or playlist names, ';'-separated", key="predictor_moods")
    c1, c2, c3 = st.columns(3)
    duration = c1.text_input("Duration (m:ss)", key="predictor_duration", placeholder="e.g. 3:45")
    release = c2.text_input("Release date or year", key="predictor_release", placeholder="e.g. 1977")
    explicit = c3.checkbox("Explicit", key="predictor_explicit")
    c4, c5 = st.columns(2)
    track_number = c4.number_input("Track number", 0, 200, key="predictor_track_number", help="0 = unknown")
    album_size = c5.number_input("Tracks on album", 0, 300, key="predictor_album_size", help="0 = unknown")
st.session_state[KEPT] = {field: st.session_state[field] for field in FORM if field in st.session_state}

if not title.strip() and not artists.strip():
    st.info("Type a title and an artist to see a prediction.")
    st.stop()

try:
    duration_ms = parse_mmss(duration)
except ValueError as exc:
    left.warning(md(exc), icon=":material/schedule:")
    duration_ms = None
with ui.engine_errors():
    result = predict_track(
        title, artists, album=album, genres=genres, moods=moods, release_date=release,
        duration_ms=duration_ms, explicit=str(explicit).lower(),
        track_number=track_number or None, album_total_tracks=album_size or None,
    )

with right:
    bounded = BOUNDED_FEATURES
    fig = go.Figure()
    fig.add_bar(y=bounded, x=[result[f] for f in bounded], orientation="h", name="predicted (90% interval)",
                marker_color=PREDICTED_COLOR, marker_opacity=[0.35 + 0.65 * result[f + "_confidence"] for f in bounded],
                error_x=dict(type="data", symmetric=False, color="#F5F5F5",
                             array=[result[f + "_high"] - result[f] for f in bounded],
                             arrayminus=[result[f] - result[f + "_low"] for f in bounded]),
                customdata=[[predicted_value(f, result[f], result[f + "_low"], result[f + "_high"]),
                             percent(result[f + "_confidence"])] for f in bounded],
                hovertemplate="%{y} %{customdata[0]}<br>confidence %{customdata[1]}<extra></extra>")
    if result["catalog"]:
        fig.add_scatter(y=bounded, x=[result["catalog"][f] for f in bounded], mode="markers", name="real (catalog)",
                        marker=dict(symbol="diamond", size=12, color=REAL_COLOR, line=dict(color="#F5F5F5", width=1)),
                        hovertemplate="%{y} %{x:.0%} (real)<extra></extra>")
    fig.update_layout(xaxis=dict(range=[0, 1], tickformat=".0%"), yaxis=dict(autorange="reversed"), height=380,
                      margin=dict(l=0, r=0, t=10, b=0))
    legend_below(fig, axis_px=22)
    st.plotly_chart(fig, width="stretch")
    st.metric("Tempo", f"{result['tempo']:.0f} BPM", help=f"90% interval {result['tempo_low']:.0f}–{result['tempo_high']:.0f} BPM")
    st.metric("Overall confidence", f"{result['confidence']:.0%}")
    st.caption(confidence_sentence(result["confidence"]))

rows = [{"feature": f, "prediction": feature_value(f, result[f]), "90% low": feature_value(f, result[f + "_low"]),
         "90% high": feature_value(f, result[f + "_high"]), "confidence": percent(result[f + "_confidence"]),
         **({"real (catalog)": feature_value(f, result["catalog"][f])} if result["catalog"] else {})} for f in FEATURES]
st.dataframe(rows, hide_index=True, width="stretch")

st.subheader("Nearest real tracks")
with ui.engine_errors(stop=False):  # a catalog query; the prediction above stands whatever it says
    nearest = similar_tracks(tuple(round(float(result[f]), 4) for f in FEATURES), k=5)
    track_table(nearest, ["title", "artists", "genres", "similarity", *FEATURES])
    st.caption("Catalog tracks whose real features sit closest to this prediction.")
if result["catalog"]:
    st.success(f"This track is in the reference catalog (matched by {result['match']}): real values shown beside the prediction.")
else:
    st.caption("Not in the reference catalog: every value above is predicted. Liveness and tempo carry little "
               "signal in metadata, and their confidence says so.")

lyrics_panel.render(result, title, artists)
