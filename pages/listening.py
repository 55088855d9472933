"""Listening: what you played, when, and how it sounded, for a period and a time zone; a period or a
sound cluster taken from here filters the Map and the track table and seeds Recommendations."""

import zoneinfo

import streamlit as st

from dashboard import listening_charts as charts
from dashboard import resources, ui
from dashboard.listening_filter import SCOPE, set_listening_filter
from dashboard.formats import cluster_colors, count
from dashboard.safe import md
from engine.config import FEATURES
from engine.listening import ALL, LAST_12

ZONES = sorted(zoneinfo.available_timezones())
WHAT = {"tracks": "Tracks", "artists": "Artists", "albums": "Albums", "genres": "Genres"}
EVERY_TRACK = ""

st.title("Listening")
library_id, frame = ui.require_library()
if resources.play_count(library_id) + resources.episode_count(library_id) == 0:
    st.info("This library has no plays. Import your streaming history on **Home**: the StreamingHistory*.json "
            "files of Spotify's account data, or Streaming_History_Audio_*.json of the extended streaming history "
            "(or the ZIP they came in). Then this page shows your listening over time.", icon=":material/headphones:")
    st.page_link(str(ui.PAGES / "home.py"), label="Go to Home", icon=":material/home:")
    st.stop()

if "listening_tz" not in st.session_state:  # the browser's time zone; the files are UTC
    st.session_state["listening_tz"] = st.context.timezone if st.context.timezone in ZONES else "UTC"
left, middle, right = st.columns([2, 2, 1])
tz = middle.selectbox("Time zone", ZONES, key="listening_tz", help="Spotify's files are in UTC; hours, days and "
                      "months here are this time zone's.")
period = st.session_state.get("listening_period", LAST_12)
with ui.engine_errors():
    view = resources.listening(library_id, period, tz)
    if period not in view.periods:  # a period of another library, or of another time zone's months
        period = st.session_state["listening_period"] = LAST_12
        view = resources.listening(library_id, period, tz)
labels = {LAST_12: "Last 12 months of your history", ALL: "All time"}
period = left.selectbox("Period", view.periods, key="listening_period", format_func=lambda p: labels.get(p, p))
one_month = len(str(period)) == 7  # '2024-03': a month is shown per day, everything longer per month
every = right.radio("Listening time per", ["day", "week", "month"], index=0 if one_month else 2, horizontal=True,
                    key=f"listening_every_{'month' if one_month else 'span'}")
st.caption(f"Showing {md(view.label)}, {md(tz)} time. Music only: podcasts have their own section below.")
pods = view.podcasts


def podcast_section() -> None:
    """Podcasts apart from the music: their own total and top shows (episodes get no features or clusters)."""
    st.subheader("Podcasts")
    cols = st.columns(4)
    cols[0].metric("Podcast time", f"{pods['hours']:,.1f} h")
    cols[1].metric("Podcast plays", f"{pods['plays']:,}")
    cols[2].metric("Shows", f"{pods['shows']:,}")
    cols[3].metric("Episodes", f"{pods['episodes']:,}")
    st.dataframe(view.shows.assign(share=view.shows["share"] * 100), hide_index=True, width="stretch", height=280,
                 column_config={"rank": st.column_config.NumberColumn("#", width="small"),
                                "hours": st.column_config.NumberColumn("hours", format="%.1f h"),
                                "share": st.column_config.ProgressColumn("share of podcast time", format="%.1f%%",
                                                                         min_value=0.0, max_value=100.0)})
    st.caption("Episodes your files mark as such, and in a pre-2023 account export the shows you follow or that read "
               "like shows (docs/podcasts.md). They are kept out of the music: no audio features, clusters, map or "
               "recommendations, and none of the numbers above or below.")


if view.totals["plays"] == 0:
    if pods.get("plays"):
        st.info("No music in this period: only podcasts.")
        podcast_section()
    else:
        st.info("No plays in this period. Pick another one.")
    st.stop()

totals, skips = view.totals, view.skips
cols = st.columns(5)
cols[0].metric("Listening time", f"{totals['hours']:,.0f} h", help=f"{totals['hours'] / 24:,.1f} days of music")
cols[1].metric("Plays", f"{totals['plays']:,}")
cols[2].metric("Tracks", f"{totals['tracks']:,}")
cols[3].metric("Artists", f"{totals['artists']:,}")
cols[4].metric("Skip rate", f"{skips['rate']:.0%}", help="Spotify's own `skipped` flag where the file records it "
               f"(extended history: {skips['recorded']:,} plays), else plays under 30 s ({skips['short']:,} plays).")

st.subheader("Top")
by = st.radio("Rank by", ["time", "plays"], horizontal=True, key="listening_by",
              format_func={"time": "listening time", "plays": "plays"}.get)
config = {"rank": st.column_config.NumberColumn("#", width="small"),
          "plays": st.column_config.NumberColumn("plays", format="localized"),
          "hours": st.column_config.NumberColumn("hours", format="%.1f h"),
          "share": st.column_config.ProgressColumn(f"share of {'time' if by == 'time' else 'plays'}", format="%.1f%%",
                                                   min_value=0.0, max_value=100.0)}  # one decimal for every row
for tab, what in zip(st.tabs(list(WHAT.values())), WHAT):
    table = view.tops[(what, by)]
    if table.empty:
        why = {"genres": ": genres come from Spotify, Exportify CSVs with genres or the catalog's artist table.",
               "albums": ": Spotify's account-data history (StreamingHistory*.json) names no albums, and the reference "
                         "catalog knows none of these tracks' albums. The extended streaming history names them."}
        tab.info(f"No {what} known for these plays" + why.get(what, "."))
        continue
    tab.dataframe(table.assign(share=table["share"] * 100), hide_index=True, width="stretch", column_config=config,
                  height=320)
    if what == "genres":
        tab.caption(f"A track's time and plays are split equally among its genres (a play of a pop and dance pop track "
                    f"counts half for each), so the hours add up: {totals['genre_hours']:,.1f} h of the "
                    f"{totals['hours']:,.1f} h have a genre, and each share is of all the period's "
                    f"{'plays' if by == 'plays' else 'listening time'}, so together they stay under 100%. The plays "
                    "column counts every play of a track with the genre.")

if pods.get("plays"):
    podcast_section()

st.subheader("Over time")
series = {"day": view.daily, "week": view.weekly, "month": view.monthly}[every]
st.plotly_chart(charts.listening_time(series, every), width="stretch")
if len(view.new_artists):
    st.markdown("**New artists per month** (played for the first time)")
    st.plotly_chart(charts.new_artists(view.new_artists), width="stretch")

st.subheader("How it sounded")
feature = st.selectbox("Feature", FEATURES, key="listening_feature")
st.plotly_chart(charts.feature_over_time(view.features, feature, view.features_every), width="stretch")
shown = view.features[view.features["feature"] == feature]
predicted = (shown["predicted"] * shown["plays"]).sum() / max(shown["plays"].sum(), 1)
step = view.features_every + (" (this period is short, so per " + view.features_every + ")"
                              if view.features_every != "month" else "")
st.caption(f"The mean of what you played each {step}, each play weighing one. {predicted:.0%} of these plays' {feature} "
           "values are predicted (amber bars); the band is the mean with every predicted value at the low, then the high "
           "end of its 90% interval. A change inside the band may come from the predictions alone.")
if len(view.clusters):
    st.markdown("**Sound clusters per month** (this library's clusters, as on Clusters, the Map and Library coverage)")
    model = resources.library_clusters(library_id, resources.cluster_k(library_id))
    st.plotly_chart(charts.cluster_share(view.clusters, cluster_colors(model.names_)), width="stretch")

st.subheader("Habits")
st.plotly_chart(charts.heat_map(view.heatmap, tz), width="stretch")
st.caption(f"Hours listened by day of week and hour of day, {md(tz)} time.")

st.subheader("Take it to the other pages")
clusters = sorted(view.clusters["cluster"].unique()) if len(view.clusters) else []
pick = st.selectbox("Tracks", [EVERY_TRACK, *clusters], key="listening_pick",
                    format_func=lambda c: "every track played" if c == EVERY_TRACK else f"tracks played in {c}")
phrase = "played" if period == ALL else f"played in {view.label}"
phrase += f", sound cluster {pick}" if pick else ""
if st.button("Filter the Map and the track table, and seed Recommendations", icon=":material/filter_alt:"):
    keys = resources.listening_keys(library_id, period, tz, pick or None)
    set_listening_filter(library_id, phrase, keys)
    st.session_state["recs_scope"] = SCOPE
    st.success(f"{count(len(keys), 'track')} you {md(phrase)}: the Map and Library coverage show only them, "
               "and Recommendations suggests more like them.", icon=":material/check:")
links = st.columns(3)
for col, (page, label, icon) in zip(links, [("map.py", "Map", ":material/scatter_plot:"),
                                            ("coverage.py", "Track table (Library coverage)", ":material/fact_check:"),
                                            ("recommendations.py", "Recommendations", ":material/recommend:")]):
    col.page_link(str(ui.PAGES / page), label=label, icon=icon)
