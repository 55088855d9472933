"""Map: the library in UMAP space (2-D or 3-D), coloured by what you choose; select points for a table."""

import time

import numpy as np
import plotly.express as px
import streamlit as st

from dashboard import formats, resources, ui
from dashboard.chart_selection import custom_values
from dashboard.genres_panel import apply_genre_filter
from dashboard.listening_filter import apply_listening_filter
from dashboard.safe import hover_safe, plot_text
from engine.config import FEATURES

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
    with st.status(f"Placing {len(frame):,} tracks on the map…", expanded=True) as status:
        bar, started = st.progress(0.0), time.monotonic()
        while not job.done():  # each update lets a page switch interrupt the wait; the worker carries on
            time.sleep(0.3)
            elapsed = time.monotonic() - started
            step = (f"Placing {len(frame):,} tracks" if resources.map_model_ready()
                    else "Loading the map model and compiling UMAP (first time only)")
            # UMAP reports no progress of its own: the bar is time against the usual first-run minute
            bar.progress(min(elapsed / 60, 0.95), text=f"{step} · {elapsed:.0f} s (the first time takes up to a minute)")
        status.update(label="Map ready", state="complete", expanded=False)
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

# Hover text as people read it ("Title — Artist", cluster · source, the features, ≈ where predicted),
# built once in dashboard/formats.py; user text there is HTML-escaped.
where = shown["cluster"].astype(str) + " · " + shown["source"].astype(str)
if color_by == "genre":
    where = where + " · " + shown["genre"].astype(str)
shown = shown.assign(hover=formats.track_hover(shown.assign(where=where), extra=["where"]))
common = dict(color=color_by, custom_data=["row", "hover"], labels={"tempo": "tempo (BPM)"})
if color_by == "source":
    common["color_discrete_map"] = formats.SOURCE_COLORS
if color_by == "cluster":  # the colours the Clusters and Listening pages give the same clusters
    names = resources.library_clusters(library_id, resources.cluster_k(library_id)).names_
    common["color_discrete_map"] = {plot_text(n): c for n, c in formats.cluster_colors(names).items()}
if color_by in FEATURES or color_by == "confidence":
    common["color_continuous_scale"] = "Viridis"
    if color_by != "tempo":
        common["range_color"] = [0, 1]
shown = hover_safe(shown, ["cluster", "genre"])  # legend names: Plotly renders <a href> in them
if dims == 2:
    fig = px.scatter(shown, x="x", y="y", render_mode="webgl", **common)
else:
    fig = px.scatter_3d(shown, x="x", y="y", z="z", **common)
fig.update_traces(marker=dict(size=6 if dims == 2 else 3, opacity=0.9), hovertemplate="%{customdata[1]}<extra></extra>")

if context:
    with ui.engine_errors():
        catalog = resources.catalog_points(dims, CONTEXT_POINTS)
    catalog = catalog.assign(hover="catalog: " + catalog["title"].map(plot_text) + " — " + catalog["artists"].map(plot_text))
    trace = (px.scatter(catalog, x="x", y="y", render_mode="webgl")
             if dims == 2 else px.scatter_3d(catalog, x="x", y="y", z="z")).data[0]
    # Hover text in `text`, not custom data: a lasso over the grey points selects no library row.
    # 3-D (WebGL) draws rgba colours opaque: there the grey is darker and the trace itself translucent.
    marker = dict(color=formats.CONTEXT_COLOR, size=3) if dims == 2 else dict(color="rgb(95, 95, 95)", size=1.5, opacity=0.5)
    trace.update(marker=marker, name="reference catalog",
                 showlegend=True, mode="markers", text=catalog["hover"], hovertemplate="%{text}<extra></extra>")
    fig.add_trace(trace)
    fig.data = (fig.data[-1], *fig.data[:-1])  # grey underneath the library

fig.update_layout(height=620, margin=dict(l=0, r=0, t=10, b=0))
formats.legend_below(fig, rows=2)
if color_by in FEATURES or color_by == "confidence":  # the colour bar sits right of the plot, below the toolbar
    percent = color_by != "tempo"  # every page shows the bounded features and confidence in %
    fig.update_layout(coloraxis_colorbar=dict(title=color_by if percent else "tempo (BPM)", len=0.8, y=0.45,
                                              tickformat=".0%" if percent else None))
if dims == 2:
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False), dragmode="lasso")
    event = st.plotly_chart(fig, width="stretch", on_select="rerun", key="map_chart",
                            selection_mode=("points", "box", "lasso"))
    rows = sorted({int(row) for row in custom_values(event)})
else:
    # The camera close in and the cube filling the frame (Plotly's default leaves the cloud small in the middle).
    fig.update_layout(scene=dict(xaxis_visible=False, yaxis_visible=False, zaxis_visible=False, aspectmode="cube",
                                 camera=dict(eye=dict(x=0.75, y=0.75, z=0.5))), scene_domain=dict(x=[0, 1], y=[0, 1]))
    st.plotly_chart(fig, width="stretch", key="map_chart_3d")
    rows = []

st.subheader("Selected tracks")
if not rows:
    st.info("In 2-D, drag a lasso or a box around points (or click one) to list those tracks here.")
    st.stop()
selected = points.iloc[rows]
ui.paged_table(selected, ["title", "artists", "cluster", "source", "confidence", *FEATURES], key="map_selected", search=False)
