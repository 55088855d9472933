"""Recommendations: tracks not in the library, for one track, one cluster or the whole library."""

import streamlit as st

from dashboard import resources, ui
from dashboard.formats import count, track_table
from dashboard.listening_filter import SCOPE, current, played_seeds
from dashboard.safe import md
from engine.config import FEATURES

TEMPO_RANGE = (40, 220)
METHODS = {"ranker": "Learned from real listeners (default)",
           "two_tower": "Two-tower model (learned from real playlists)", "content": "Nearest by sound (features)"}

st.title("Recommendations")
library_id, frame = ui.require_library()

scopes = ["the whole library", "a cluster", "a track"] + ([SCOPE] if current(library_id) else [])  # from Listening
if st.session_state.get("recs_scope") not in scopes:
    st.session_state.pop("recs_scope", None)
scope = st.radio("Recommend for", scopes, horizontal=True, key="recs_scope")
seeds, label = None, "your library"
if scope == SCOPE:
    played, label = played_seeds(frame, library_id)
    seeds = ui.seed_ids(played)
elif scope == "a cluster":
    with ui.engine_errors():
        clusters = resources.assignments(library_id)
    sizes = clusters["cluster_name"].value_counts()
    name = st.selectbox("Cluster", sizes.index.tolist(), format_func=lambda n: f"{n} ({count(sizes[n], 'track')})", key="recs_cluster")
    seeds, label = ui.seed_ids(frame[clusters["cluster_name"] == name]), name
elif scope == "a track":
    query = st.text_input("Find a track in the library", key="recs_track_q", placeholder="title or artist")
    pool = frame
    if query.strip():
        pool = frame[(frame["title"] + " " + frame["artists"]).str.contains(query.strip(), case=False, regex=False)]
    if pool.empty:
        st.info(f"No track in the library matches '{md(query)}'. Try part of the title or the artist's name.")
        st.stop()
    pool = pool.head(200)
    key = st.selectbox("Track", pool["key"].tolist(), key="recs_track",
                       format_func=dict(zip(pool["key"], pool["title"] + " — " + pool["artists"])).get)
    seeds, label = ui.seed_ids(pool[pool["key"] == key]), pool.set_index("key").loc[key, "title"]

with st.expander("Method and filters", expanded=True):
    left, right = st.columns(2)
    method = left.radio("Method", list(METHODS), format_func=METHODS.get, key="recs_method")
    figures = resources.recommender_figures()
    if method == "ranker":
        left.caption(resources.shelf_figures().get("blend", ""))
    elif (figure := figures.get(method)) is not None and figure["charts"] is not None:
        left.caption(f"On {figure['listeners']} real listeners this method found {figure['recall']:.1%} of what they "
                     f"added or played next (in its top 50), vs {figure['charts']:.1%} for the charts (most popular "
                     "tracks).")
    else:
        left.caption("Not measured on real listeners (the learned ranker, the default, is): see its card on Models.")
    k = left.slider("How many", 5, 50, 20, step=5, key="recs_k")
    per_artist = left.slider("At most per artist", 1, 10, 3, key="recs_per_artist",
                             help="Keeps one favourite artist from filling the whole list.")
    tempo = right.slider("Tempo (BPM)", *TEMPO_RANGE, TEMPO_RANGE, key="recs_tempo")
    energy = right.slider("Energy (%)", 0, 100, (0, 100), step=5, key="recs_energy")
    artists = frame["artists"].str.split(";").explode().str.strip().value_counts().index[:500].tolist()
    exclude = st.multiselect("Exclude artists", artists, key="recs_exclude", accept_new_options=True,
                             placeholder="type or pick artists to leave out")

filters = dict(seeds=seeds, method=method, k=k, exclude_artists=exclude, max_per_artist=per_artist,
               tempo=None if tuple(tempo) == TEMPO_RANGE else tuple(float(t) for t in tempo),
               energy=None if tuple(energy) == (0, 100) else tuple(e / 100 for e in energy))
SHELVES = {"yours": "From artists you play", "new": "New to you"} if method == "ranker" else {"blend": None}
COLUMNS = ["rank", "title", "why", "artists", "match", "genres", "features", *FEATURES]
MATCH_HELP = ("The learned ranker's calibrated chance: of the tracks it scored like this one for real listeners it "
              "never saw, the share they went on to add or play (the other methods: the share of the catalog "
              "this one outranks).")

st.subheader(f"For {md(label)}")
for shelf, title in SHELVES.items():
    with ui.engine_errors():
        recs = resources.recommendations(library_id, shelf=shelf, **filters)
    if title:
        st.markdown(f"#### {title}")
        st.caption(resources.shelf_figures().get(shelf, ""))
    if recs.attrs.get("note"):
        st.warning(f"Note: {md(recs.attrs['note'])}.", icon=":material/info:")
    if recs.empty:
        st.info(recs.attrs.get("empty", "No track passes these filters: widen or clear them."))
        continue
    track_table(recs, COLUMNS, {"why": st.column_config.TextColumn("why", width="large"),
                                "match": st.column_config.NumberColumn(
                                    "chance %" if method == "ranker" else "match", format="%.1f", help=MATCH_HELP,
                                    width="small"),
                                "features": st.column_config.TextColumn("features", help="real (a catalog's "
                                    "measured values) or predicted (a playlist track Tunescope predicted)")},
                lead=("why", "match", "features"))
    ui.csv_button(recs, f"Download {title or 'these recommendations'} (CSV)",
                  f"tunescope_recommendations_{shelf}.csv", key=f"recs_csv_{shelf}")
st.caption("None of these tracks is in your library, nor another version of a song you have. Features are real "
           "for reference-catalog tracks and predicted for the tracks known only from the Million Playlist Dataset "
           "(the features column says which).")
