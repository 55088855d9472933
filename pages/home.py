"""Home: what Tunescope is, which library is open, and the ways to bring one in."""

import pandas as pd
import streamlit as st

from dashboard import account, resources, ui
from dashboard.engine_errors import engine_errors
from dashboard.formats import count
from dashboard.safe import md

LAST_IMPORT = "last_import_report"
IMPORTS_DONE = "imports_done"  # how many imports this session ran: the uploader's key

st.title("Tunescope")
st.markdown(
    "Spotify stopped serving audio features to new apps in November 2024. Tunescope gives them back: "
    "real values where a reference catalog or your export knows them, and a neural network's prediction, "
    "with an honest confidence, for everything else: **energy, valence, danceability, acousticness, "
    "instrumentalness, liveness, speechiness and tempo**. Then it clusters, maps and extends your library."
)


def enrich_with_status(library_id: int, label: str) -> None:
    """Predict the library's features now (cached afterwards), with a status box while it runs."""
    ui.enriched_with_progress(library_id, label)
    resources.map_job(library_id, 2)  # the map computes in the background while you look around


def open_demo() -> None:
    from engine.library.demo import open_demo as build_demo

    with st.status("Opening the demo library (first time: about a minute)…", expanded=True) as status:
        status.write("Gathering five real playlists and 150 songs the catalog does not know…")
        with engine_errors():
            library_id = build_demo(resources.store())
        ui.select_library(library_id)
        status.update(label="Demo library open", state="complete", expanded=False)
    enrich_with_status(library_id, "Predicting audio features for the demo library…")


# One container whether or not this run opens the demo: the tabs below keep their place in the page,
# so the browser keeps the tab the listener chose (a first visit's rerun would otherwise reset it).
with st.container():
    if resources.libraries().empty:  # first run: something to look at straight away
        open_demo()

# Import files first: what a new listener came to do; connecting Spotify needs a developer app of one's own.
TABS = [":material/upload_file: Import files", ":material/link: Connect Spotify", ":material/library_music: Demo library"]
if any(param in st.query_params for param in ("code", "state", "error")):
    st.session_state["home_tab"] = TABS[1]  # back from Spotify's sign-in: its panel says how it went
upload, connect, demo = st.tabs(TABS, key="home_tab", on_change="rerun")

with connect:
    from dashboard import spotify_panel

    st.caption("Connect your Spotify account to sync saved tracks and playlists.")
    synced = spotify_panel.render(resources.store())
    if synced is not None and st.session_state.get("spotify_enriched") != synced:
        ui.select_library(synced)
        st.session_state["spotify_enriched"] = synced
        enrich_with_status(synced, "Predicting audio features for your Spotify library…")


def import_panel() -> None:
    """Files into a new library of this account, or into the open one when it may write there."""
    st.caption("Drop one or several files: Exportify CSVs, any CSV with artist and title columns, or Spotify's "
               "account-data export (the ZIP, or the JSON files inside it, including extended streaming history). "
               "Nothing leaves this machine.")
    # A new key after each import empties the box: the files just imported do not stay there, ready to go twice.
    files = st.file_uploader("Files", type=["csv", "json", "zip"], accept_multiple_files=True,
                             key=f"import_files_{st.session_state.get(IMPORTS_DONE, 0)}")
    open_id = ui.open_library_id()
    writable = ui.can_write(open_id)
    target = st.radio("Import into", ["a new library", "the open library"], horizontal=True,
                      disabled=not writable, key="import_target")
    if open_id is not None and not writable:
        target = "a new library"  # the demo is a shared reference: nobody imports into it
        st.caption("The open library is the read-only demo: files go into a new library of your own.")
    name = st.text_input("Name for the new library (optional)", key="import_name",
                         disabled=target != "a new library")
    if st.button(f"Import {len(files)} file{'s' * (len(files) != 1)}", type="primary", disabled=not files,
                 icon=":material/download:"):
        from engine.library.imports import import_files

        with st.status(f"Importing {count(len(files), 'file')}…", expanded=True) as status:
            bar = st.progress(0.0)
            with engine_errors():
                report = import_files(resources.store(), [(f.name, f.getvalue()) for f in files],
                                      library_id=open_id if target == "the open library" else None,
                                      name=name.strip() or None, account=account.current(),
                                      spotify_user=account.spotify_user(),
                                      progress=lambda done, total, msg: bar.progress(done / max(total, 1), text=md(msg)))
            status.update(label="Imported" if report.library_id is not None else "Nothing imported",
                          state="complete" if report.library_id is not None else "error")
        st.session_state[IMPORTS_DONE] = st.session_state.get(IMPORTS_DONE, 0) + 1
        if report.library_id is None:  # every file was refused: no library was made, the open one stays open
            st.session_state[LAST_IMPORT] = {"library_id": None, "ok": False, "problems": list(report.problems),
                                             "label": "Nothing was imported", "lines": []}
            st.rerun()
        ui.select_library(report.library_id)
        enrich_with_status(report.library_id, "Predicting audio features…")
        st.session_state[LAST_IMPORT] = {
            "library_id": report.library_id, "ok": report.ok, "problems": list(report.problems),
            "label": f"Imported {count(report.added, 'new track')}"
                     + (f", {count(len(report.problems), 'problem')}" if report.problems else ""),
            "lines": [f"**{md(r.name)}** ({r.kind}): {count(r.tracks, 'track')}, {count(r.playlists, 'playlist')}, "
                      f"{count(r.plays, 'play')}"
                      for r in report.files if not r.error] + ([report.plays_note] if report.plays_note else [])}
        st.rerun()  # everything drawn above this (the box, the demo caption, "Import into") shows the new library
    last = st.session_state.get(LAST_IMPORT)
    if last and last["library_id"] is None:  # a refused import: said once, then gone
        st.session_state.pop(LAST_IMPORT)
    if last and last["library_id"] in (None, open_id):  # the report of the import that opened this library
        with st.status(last["label"], expanded=True, state="complete" if last["ok"] else "error"):
            for problem in last["problems"]:
                st.warning(md(problem), icon=":material/warning:")
            for line in last["lines"]:
                st.write(line)


with upload:
    if account.read_only():
        st.info("This account is open read-only: go back to your own account (sidebar) to import files.",
                icon=":material/visibility:")
    else:
        import_panel()

with demo:
    st.caption("Five real playlists (electro swing, classic rock, neo-soul, tropical house, Logic) whose features "
               "the reference catalog knows, plus 150 newer songs it does not, so Tunescope predicts them.")
    if st.button("Open the demo library", icon=":material/play_arrow:", disabled=account.read_only()):
        open_demo()

known = ui.visible_libraries()
library_id = ui.open_library_id(known)
st.subheader("Open library")
if library_id is None:
    st.info("No library yet: open the demo, import a file, or connect Spotify above.")
    st.stop()
row = known.set_index("library_id").loc[library_id]
# The name on a line of its own, whole however long it is (a metric cuts a long name off mid-word).
st.markdown(f"**Library:** {md(row['name'])}")
left, right = st.columns(2)
left.metric("Tracks", f"{int(row['tracks']):,}")
right.metric("Kind", str(row["kind"]))
with st.container(border=True):
    from dashboard import online_panel

    online_panel.consent_toggle(library_id)
    online_panel.status(library_id)
for page, label, icon in [("coverage.py", "Coverage: real versus predicted", ":material/fact_check:"),
                          ("clusters.py", "Clusters", ":material/bubble_chart:"),
                          ("map.py", "Map", ":material/scatter_plot:"),
                          ("recommendations.py", "Recommendations", ":material/recommend:")]:
    st.page_link(str(ui.PAGES / page), label=label, icon=icon)

st.subheader("Recent libraries")
st.dataframe(known.assign(opened_at=pd.to_datetime(known["opened_at"]))[["name", "kind", "tracks", "opened_at"]], hide_index=True, width="stretch",
             column_config={"tracks": st.column_config.NumberColumn("tracks", format="localized"),
                            "opened_at": st.column_config.DatetimeColumn("last opened", format="distance")})
names = dict(zip(known["library_id"].astype(int), known["name"]))
# Keyed by the open library: after an import or a switch, the box starts on the library now open.
choice = st.selectbox("Switch to", list(names), index=list(names).index(library_id), format_func=names.get,
                      key=f"switch_library_{library_id}")
if choice != library_id and st.button("Open this library", icon=":material/folder_open:"):
    ui.select_library(choice)
    st.rerun()
