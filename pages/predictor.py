"""The per-track predictor form: fill in what you know, see the 8 features with confidence."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import lyrics_panel, ui
from dashboard.resources import predict_track, similar_tracks
from engine.config import BOUNDED_FEATURES, FEATURES
from engine.predictor.meaning import confidence_sentence

st.title("Predict a track's audio features")
st.caption("Spotify no longer serves audio features to new apps. Tunescope predicts them from what you know "
           "about a track; every field you add sharpens the prediction and its confidence.")

left, right = st.columns([1, 1])
with left:
    title = st.text_input("Title", "Dreams")
    artists = st.text_input("Artist(s), ';'-separated", "Fleetwood Mac")
    album = st.text_input("Album", "Rumours")
    genres = st.text_input("Genres, ';'-separated (any Spotify genre)", "soft rock;album rock")
    moods = st.text_input("Moods or playlist names, ';'-separated", "chill")
    c1, c2, c3 = st.columns(3)
    minutes = c1.number_input("Duration (min)", 0.0, 120.0, 4.3, step=0.1)
    release = c2.text_input("Release date or year", "1977")
    explicit = c3.checkbox("Explicit")
    c4, c5 = st.columns(2)
    track_number = c4.number_input("Track number", 0, 200, 0, help="0 = unknown")
    album_size = c5.number_input("Tracks on album", 0, 300, 0, help="0 = unknown")

if not title.strip() and not artists.strip():
    st.info("Type a title and an artist to see a prediction.")
    st.stop()

with ui.engine_errors():
    result = predict_track(
        title, artists, album=album, genres=genres, moods=moods, release_date=release,
        duration_ms=minutes * 60000 if minutes else None, explicit=str(explicit).lower(),
        track_number=track_number or None, album_total_tracks=album_size or None,
    )

with right:
    bounded = BOUNDED_FEATURES
    fig = go.Figure()
    fig.add_bar(y=bounded, x=[result[f] for f in bounded], orientation="h", name="prediction",
                marker_color=[f"rgba(29,185,84,{0.25 + 0.75 * result[f + '_confidence']:.2f})" for f in bounded],
                error_x=dict(type="data", symmetric=False,
                             array=[result[f + "_high"] - result[f] for f in bounded],
                             arrayminus=[result[f] - result[f + "_low"] for f in bounded]),
                hovertemplate="%{y}: %{x:.0%}<extra></extra>")
    if result["catalog"]:
        fig.add_scatter(y=bounded, x=[result["catalog"][f] for f in bounded], mode="markers", name="real (catalog)",
                        marker=dict(symbol="diamond", size=12, color="#F5F5F5"))
    fig.update_layout(xaxis=dict(range=[0, 1], tickformat=".0%"), yaxis=dict(autorange="reversed"), height=360, margin=dict(l=0, r=0, t=10, b=0),
                      legend=dict(orientation="h"))
    st.plotly_chart(fig, width="stretch")
    st.metric("Tempo", f"{result['tempo']:.0f} BPM", help=f"90% interval {result['tempo_low']:.0f}–{result['tempo_high']:.0f} BPM")
    st.metric("Overall confidence", f"{result['confidence']:.0%}")
    st.caption(confidence_sentence(result["confidence"]))

def shown(feature: str, value: float) -> str:
    return f"{value:.0f} BPM" if feature == "tempo" else f"{value:.0%}"


rows = [{"feature": f, "prediction": shown(f, result[f]), "90% low": shown(f, result[f + "_low"]),
         "90% high": shown(f, result[f + "_high"]), "confidence": f"{result[f + '_confidence']:.0%}",
         **({"real (catalog)": shown(f, result["catalog"][f])} if result["catalog"] else {})} for f in FEATURES]
st.dataframe(rows, hide_index=True, width="stretch")

st.subheader("Nearest real tracks")
with ui.engine_errors(stop=False):  # without the recommender the prediction above still stands
    nearest = similar_tracks(tuple(round(float(result[f]), 4) for f in FEATURES), k=5)
    st.dataframe(ui.for_people(nearest, ["title", "artists", "genres", "similarity", *FEATURES]), hide_index=True,
                 width="stretch", column_config=ui.column_config())
    st.caption("Catalog tracks whose real features sit closest to this prediction.")
if result["catalog"]:
    st.success(f"This track is in the reference catalog (matched by {result['match']}): real values shown beside the prediction.")
else:
    st.caption("Not in the reference catalog: every value above is predicted. Liveness and tempo carry little "
               "signal in metadata, and their confidence says so.")

lyrics_panel.render(result, title, artists)
