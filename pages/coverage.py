"""Library coverage: how much of the library has real features, how sure the predictions are, its top
genres (a click filters the tracks here and on the Map), and every track."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import resources, ui
from dashboard.formats import REAL_COLOR, SOURCE_COLORS, count, is_predicted, legend_below
from dashboard.genres_panel import apply_genre_filter, top_genres_section
from dashboard.listening_filter import apply_listening_filter
from dashboard.safe import hover_safe
from engine.config import FEATURES
from engine.predictor.meaning import confidence_sentence

BANDS = [(1.0, 1.01, "real (100%)"), (0.6, 1.0, "high (60–99%)"), (0.3, 0.6, "medium (30–59%)"), (0.0, 0.3, "low (< 30%)")]
SOURCE_METRICS = ["From the catalog", "From your export", "From Spotify", "From ReccoBeats"]  # ui.REAL_SOURCES' order

st.title("Library coverage")
library_id, frame = ui.require_library()

sources = frame["source"].value_counts()
# Real means all 8 features real, the rule the caption and the confidence bands use: a catalog table missing
# one feature leaves that feature predicted, and such a track is "partly real", not real.
some_predicted = np.any([is_predicted(frame, f) for f in FEATURES], axis=0)
real = int((~some_predicted).sum())
partly = int((some_predicted & (frame["source"] != "predicted").to_numpy()).sum())
cols = st.columns(2 + len(ui.REAL_SOURCES))
cols[0].metric("Tracks", f"{len(frame):,}")
cols[1].metric("Real features", f"{real:,}", f"{real / len(frame):.0%} of tracks", delta_color="off", delta_arrow="off")
for col, source, label in zip(cols[2:], ui.REAL_SOURCES, SOURCE_METRICS):
    col.metric(label, f"{int(sources.get(source, 0)):,}")
predicted = int(sources.get("predicted", 0))
st.caption(f"{count(predicted, 'track')} ({predicted / len(frame):.0%}) {'has' if predicted == 1 else 'have'} predicted "
           "features. A track counts as real when all 8 features are known"
           + (f"; {count(partly, 'more track')} {'has' if partly == 1 else 'have'} real values for some features (a "
              "catalog table that lacked one leaves just that one predicted)." if partly else "."))

left, right = st.columns(2)
with left:
    st.subheader("Confidence")
    people = frame.assign(source=ui.source_labels(frame["source"]))
    fig = px.histogram(people, x="confidence", color="source", nbins=20, range_x=[0, 1.02],
                       color_discrete_map=SOURCE_COLORS, labels={"confidence": "overall confidence"})
    fig.update_layout(xaxis_tickformat=".0%", yaxis_title="tracks", height=340, margin=dict(l=0, r=0, t=10, b=0), bargap=0.05)
    fig.update_traces(hovertemplate="%{y:,} tracks at %{x:.0%} confidence<extra>%{fullData.name}</extra>")
    legend_below(fig, rows=2, axis_px=42)
    st.plotly_chart(fig, width="stretch")
    st.caption(confidence_sentence(0.8, 0.4))
    conf = pd.to_numeric(frame["confidence"], errors="coerce").fillna(0)
    bands = pd.DataFrame([{"band": label, "tracks": int(((conf >= lo) & (conf < hi)).sum())} for lo, hi, label in BANDS])
    bands["share"] = (100 * bands["tracks"] / len(frame)).round()
    st.dataframe(bands, hide_index=True, width="stretch",
                 column_config={"share": st.column_config.ProgressColumn("share", format="%d%%", min_value=0, max_value=100)})

with right:
    st.subheader("Real versus predicted, per feature")
    predicted_by_feature = {f: is_predicted(frame, f) for f in FEATURES}
    per_feature = pd.DataFrame([{"feature": f, "real": float((~pred).mean()),
                                 "mean confidence when predicted": float(frame.loc[pred, f"{f}_confidence"].mean())
                                 if pred.any() else None} for f, pred in predicted_by_feature.items()])
    fig = px.bar(per_feature, y="feature", x="real", orientation="h", range_x=[0, 1],
                 labels={"real": "share of tracks with a real value"}, color_discrete_sequence=[REAL_COLOR])
    fig.update_traces(hovertemplate="%{y}: real for %{x:.0%} of tracks<extra></extra>")
    fig.update_layout(xaxis_tickformat=".0%", yaxis=dict(autorange="reversed"), height=320, margin=dict(l=0, r=0, t=10, b=0))
    st.plotly_chart(fig, width="stretch")
    st.caption("Liveness and tempo carry little signal in a track's metadata, so their predicted confidence stays low.")
    widened = {f: x for f, x in frame.attrs.get("interval_widening", {}).items() if x > 1.0}
    if widened:
        st.caption("90% intervals of the predicted tracks are widened for this library: "
                   + ", ".join(f"{f} ×{x:.2f}" for f, x in widened.items())
                   + ". Its tracks with real values, predicted as if unknown, erred more than the tracks the "
                     "intervals were calibrated on.")

st.subheader("Coverage per cluster")
with ui.engine_errors():
    clusters = resources.assignments(library_id)
per_cluster = (frame.assign(cluster=clusters["cluster_name"], source=people["source"])
               .groupby(["cluster", "source"]).size().rename("tracks").reset_index().pipe(hover_safe, ["cluster"]))
fig = px.bar(per_cluster, y="cluster", x="tracks", color="source", orientation="h", color_discrete_map=SOURCE_COLORS)
fig.update_layout(height=60 + 32 * clusters["cluster_name"].nunique(), margin=dict(l=0, r=0, t=10, b=0),
                  legend=dict(orientation="h", title=None), yaxis=dict(title=None, categoryorder="total ascending"))
fig.update_traces(hovertemplate="%{y}: %{x:,} tracks<extra>%{fullData.name}</extra>")
legend_below(fig, axis_px=42)
st.plotly_chart(fig, width="stretch", key="coverage_clusters")
st.caption(f"Every track, predicted or not, is placed in one of this library's {resources.cluster_k(library_id)} "
           "clusters (the k chosen on the Clusters page): 100% coverage.")

top_genres_section(frame)

st.subheader("Tracks")
st.caption("`source` says where each track's values came from: your export, Spotify, ReccoBeats (fetched online "
           "with your consent), the reference catalog, or the network's prediction (amber italics).")
columns = ["title", "artists", "album", "genres", "duration_ms", "source", "confidence", *FEATURES, "plays"]
shown = apply_genre_filter(frame, "This table") & apply_listening_filter(frame, library_id, "This table")
ui.paged_table(frame[shown], columns, key="coverage")
ui.library_csv_button(library_id, frame[shown], key="coverage_csv")  # what the filters show is what downloads
