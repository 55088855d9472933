"""Map: the library in UMAP space (2-D or 3-D), coloured by what you choose; select points for a table."""

import time

import numpy as np
import plotly.express as px
import streamlit as st

from dashboard import resources, ui
from dashboard.chart_selection import custom_values
from dashboard.genres_panel import apply_genre_filter
from dashboard.listening_filter import apply_listening_filter
from dashboard.safe import hover_safe
from engine.config import BOUNDED_FEATURES, FEATURES

MAX_3D_POINTS = 15_000  # WebGL 3-D scatter stays fluid below this; 2-D WebGL handles 10k+ without sampling
CONTEXT_POINTS = 4_000
COLOR_CHOICES = ["cluster", "source", "confidence", "genre", *FEATURES]

st.title("Map")
library_id, frame = ui.require_library()
c1, c2, c3 = st.columns([1, 1, 1])
dims = c1.radio("View", [2, 3], format_func=lambda d: f"{d}-D", horizontal=True, key="map_dims")
color_by = c2.selectbox("Colour by", COLOR_CHOICES, key="map_color")
context = c3.toggle("Reference catalog as grey context", key="map_context")

job = resources.map_job(library_id, dims)
if not job.done():
    with st.status(f"Placing {len(frame):,} tracks on the map… (the first time compiles UMAP, up to a minute)") as status:
        bar, started = st.progress(0.0), time.monotonic()
        while not job.done():  # each update lets a page switch interrupt the wait; the worker carries on
            time.sleep(0.3)
            elapsed = time.monotonic() - started
            bar.progress(min(elapsed / 60, 0.95), text=f"{elapsed:.0f} s")
        status.update(label="Map ready", state="complete")
with ui.engine_errors():
    coords = job.result()
    clusters = resources.assignments(library_id)

points = frame.assign(row=np.arange(len(frame)), cluster=clusters["cluster_name"].to_numpy(),
                      genre=ui.primary_genre(frame["genres"]),
                      source=ui.source_labels(frame["source"]))
for axis, name in enumerate("xyz"[:dims]):
    points[name] = coords[:, axis]
# Set by a click on Library coverage's genres, and by the Listening page.
shown = points[(apply_genre_filter(frame, "The map") & apply_listening_filter(frame, library_id, "The map")).to_numpy()]
if dims == 3 and len(shown) > MAX_3D_POINTS:
    st.caption(f"3-D shows a random {MAX_3D_POINTS:,} of {len(shown):,} tracks; 2-D shows them all.")
    shown = shown.sample(MAX_3D_POINTS, random_state=0)

hover = {"artists": True, "cluster": True, "source": True, "confidence": ":.0%", "tempo": ":.0f",
         **{f: ":.0%" for f in BOUNDED_FEATURES}, "x": False, "y": False, "z": False, "row": False,
         "genre": color_by == "genre"}
common = dict(color=color_by, hover_name="title", custom_data=["row"], labels={"tempo": "tempo (BPM)"},
              hover_data={k: v for k, v in hover.items() if k in shown and k != color_by})
if color_by in FEATURES or color_by == "confidence":
    common["color_continuous_scale"] = "Viridis"
    if color_by != "tempo":
        common["range_color"] = [0, 1]
shown = hover_safe(shown, ["title", "artists", "cluster", "genre"])  # Plotly renders <a href> in hover text
if dims == 2:
    fig = px.scatter(shown, x="x", y="y", render_mode="webgl", **common)
else:
    fig = px.scatter_3d(shown, x="x", y="y", z="z", **common)
fig.update_traces(marker=dict(size=5 if dims == 2 else 3, opacity=0.85))

if context:
    with ui.engine_errors():
        catalog = hover_safe(resources.catalog_points(dims, CONTEXT_POINTS), ["title", "artists"])
    trace = (px.scatter(catalog, x="x", y="y", render_mode="webgl", hover_name="title", hover_data={"artists": True, "x": False, "y": False})
             if dims == 2 else px.scatter_3d(catalog, x="x", y="y", z="z", hover_name="title",
                                             hover_data={"artists": True, "x": False, "y": False, "z": False})).data[0]
    trace.update(marker=dict(color="rgba(160,160,160,0.25)", size=4 if dims == 2 else 2), name="catalog", showlegend=True)
    fig.add_trace(trace)
    fig.data = (fig.data[-1], *fig.data[:-1])  # grey underneath the library

fig.update_layout(height=620, margin=dict(l=0, r=0, t=10, b=0), legend=dict(title=None))
if dims == 2:
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False), dragmode="lasso")
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", key="map_chart",
                            selection_mode=("points", "box", "lasso"))
    rows = sorted({int(row) for row in custom_values(event)})
else:
    fig.update_layout(scene=dict(xaxis_visible=False, yaxis_visible=False, zaxis_visible=False))
    st.plotly_chart(fig, width="stretch", key="map_chart_3d")
    rows = []

st.subheader("Selected tracks")
if not rows:
    st.info("In 2-D, drag a lasso or a box around points (or click one) to list those tracks here.")
    st.stop()
selected = points.iloc[rows]
ui.paged_table(selected, ["title", "artists", "cluster", "source", "confidence", *FEATURES], key="map_selected", search=False)
