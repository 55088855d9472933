"""Clusters: the library grouped by sound, named, profiled against the library mean, exportable."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import resources, spotify_export, ui
from dashboard.formats import cluster_colors, count, signed
from dashboard.safe import md, plot_text
from engine.config import BOUNDED_FEATURES, FEATURES

st.title("Clusters")
library_id, frame = ui.require_library()
if len(frame) < 4:
    st.info("Clusters need at least 4 tracks. Import a bigger playlist on Home, or open the demo library.")
    st.stop()

with ui.engine_errors():
    ks = resources.k_table(library_id)
suggested = resources.suggested_k(library_id)
left, right = st.columns([1, 2])
with left:
    options = ks["k"].astype(int).tolist() or [2]
    # Keyed by the library: another library's k is no option here. The choice is kept beside the widget
    # (resources.cluster_k), so the Map, Coverage and Recommendations use the same clusters.
    k = st.select_slider("Number of clusters (k)", options, value=resources.cluster_k(library_id),
                         key=f"clusters_k_{library_id}", on_change=lambda: resources.choose_cluster_k(
                             library_id, st.session_state[f"clusters_k_{library_id}"]),
                         help="Suggested: the largest k whose silhouette is within 0.01 of the best (as well separated, more "
                              "detail), and at most √(tracks ÷ 5).")
    st.caption(f"Suggested k = {suggested}. Silhouette: how well separated the clusters are (higher is better). "
               "The Map, Library coverage and Recommendations use the k chosen here.")
with right:
    fig = go.Figure(go.Scatter(x=ks["k"], y=ks["silhouette"], mode="lines+markers", line_color="#1DB954",
                               hovertemplate="k = %{x}: silhouette %{y:.3f}<extra></extra>"))
    fig.add_vline(x=k, line_dash="dot", line_color="#F5F5F5")
    fig.update_layout(height=180, margin=dict(l=0, r=0, t=10, b=0), xaxis_title="k", yaxis_title="silhouette")
    st.plotly_chart(fig, width="stretch")

with ui.engine_errors():
    result = resources.library_clusters(library_id, k)
names = list(result.names_)
tracks = frame.assign(cluster=result.labels_, cluster_name=np.asarray(names, dtype=object)[result.labels_],
                      cluster_confidence=result.confidence_)

summary = pd.DataFrame({"cluster": names, "tracks": result.sizes_, "share": result.sizes_ / len(frame),
                        "predicted": [float((tracks.loc[tracks["cluster"] == c, "source"] == "predicted").mean())
                                      if result.sizes_[c] else 0.0 for c in range(len(names))],
                        "tempo": result.profiles_["tempo"].to_numpy()})
st.subheader(f"{len(names)} clusters")
st.dataframe(summary.assign(share=(100 * summary["share"]).round(), predicted=(100 * summary["predicted"]).round()),
             hide_index=True, width="stretch", column_config={  # whole percents, as every table (dashboard/formats.py)
    "share": st.column_config.ProgressColumn("share of library", format="%d%%", min_value=0, max_value=100),
    "predicted": st.column_config.NumberColumn("predicted tracks", format="%d%%"),
    "tempo": st.column_config.NumberColumn("mean tempo", format="%d BPM")})


def _followed(previous) -> int:
    """The cluster of this k that holds most tracks of the one chosen at the previous k (0 at first)."""
    if not previous or previous[0] != library_id or previous[1] == k:
        return 0
    with ui.engine_errors():
        before = resources.library_clusters(library_id, previous[1])
    return int(np.bincount(result.labels_[before.labels_ == previous[2]], minlength=len(names)).argmax())


# Keyed by the library and k: after k changes, the box names a cluster of the new k (the one most of
# the previously chosen cluster's tracks fell into), never a leftover index of the old k.
box_key = f"clusters_chosen_{library_id}_{k}"
chosen = st.selectbox("Cluster", range(len(names)), format_func=lambda c: f"{names[c]} ({count(result.sizes_[c], 'track')})",
                      index=0 if box_key in st.session_state else _followed(st.session_state.get("clusters_last_choice")),
                      key=box_key)
st.session_state["clusters_last_choice"] = (library_id, k, chosen)
profile = result.profiles_.iloc[chosen]
mean = frame[FEATURES].apply(pd.to_numeric, errors="coerce").mean()
fig = go.Figure()
fig.add_bar(x=BOUNDED_FEATURES, y=[mean[f] for f in BOUNDED_FEATURES], name="library mean", marker_color="#555555",
            hovertemplate="%{x}: %{y:.0%}<extra>library mean</extra>")
fig.add_bar(x=BOUNDED_FEATURES, y=[profile[f] for f in BOUNDED_FEATURES], name=plot_text(names[chosen]),
            marker_color=cluster_colors(names)[names[chosen]], hovertemplate="%{x}: %{y:.0%}<extra>" + plot_text(names[chosen]) + "</extra>")
fig.update_layout(barmode="group", yaxis=dict(range=[0, 1], tickformat=".0%"), height=320,
                  margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h"))
chart, numbers = st.columns([3, 1])
chart.plotly_chart(fig, width="stretch")
numbers.metric("Tempo", f"{profile['tempo']:.0f} BPM", f"{signed(profile['tempo'] - mean['tempo'], 'BPM')} vs library",
               delta_color="off")
members = tracks[tracks["cluster"] == chosen]
numbers.metric("Tracks", f"{len(members):,}", f"{len(members) / len(frame):.0%} of library", delta_color="off",
               delta_arrow="off")  # a share, not a change: no arrow
numbers.metric("Mean assignment confidence", f"{members['cluster_confidence'].mean():.0%}")

st.subheader(f"Tracks in {md(names[chosen])}")
columns = ["title", "artists", "album", "genres", "duration_ms", "source", "cluster_confidence", *FEATURES]
ui.paged_table(members, columns, key=f"clusters_tracks_{k}_{chosen}", sort_default="cluster_confidence")
export = members[["track_id", "title", "artists", "album", "genres", "duration_ms", "source", *FEATURES]]
ui.csv_button(export, f"Download {md(names[chosen])} (CSV)",
              f"tunescope_{ui.file_slug(ui.library_name(library_id))}_cluster_{ui.file_slug(names[chosen])}.csv", key="clusters_csv")
spotify_export.playlist_button(f"Tunescope: {names[chosen]}", members["track_id"].tolist(), key="clusters_spotify")
