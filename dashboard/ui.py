"""What every page shares: the open library, engine errors as messages (dashboard/engine_errors.py),
numbers for people, paged tables."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import account, online_panel, resources
from dashboard.engine_errors import engine_errors  # the pages call it as ui.engine_errors
from dashboard.formats import SOURCE_LABELS, count, track_table
from dashboard.safe import md
from engine.csvfiles import csv_text

PAGES = Path(__file__).resolve().parent.parent / "pages"
REAL_SOURCES = ["catalog", "export", "spotify", "reccobeats"]


def source_labels(sources: pd.Series) -> pd.Series:
    """'catalog' -> '✓ catalog', 'predicted' -> '≈ predicted': sources as people read them."""
    return sources.map(lambda s: SOURCE_LABELS.get(s, s))


PAGE_SIZE = 100
_LIBRARY = "library_id"


# --- the open library ----------------------------------------------------------------------------
def select_library(library_id: int) -> None:
    """Make this library the one every page shows (this session) and the most recent (the store)."""
    st.session_state[_LIBRARY] = int(library_id)
    resources.store().touch_library(int(library_id))


def visible_libraries() -> pd.DataFrame:
    """Libraries this browser may open: its account's imports (every import on a local run), the demo,
    and a Spotify library only for the Spotify user signed in to this session (engine/library/accounts.py)."""
    return resources.store().account_libraries(account.current(), account.spotify_user())


def can_write(library_id: int | None) -> bool:
    """Whether this browser may import into the library: one it may open, never the demo, never while
    viewing another browser's account read-only."""
    return library_id is not None and not account.read_only() and resources.store().can_write(account.current(), library_id,
                                                                  account.spotify_user())


def open_library_id(known: pd.DataFrame | None = None) -> int | None:
    """This session's library, else the most recently opened one this session may see.
    `known`: visible_libraries() when the caller already has it (one store query per rerun)."""
    known = visible_libraries() if known is None else known
    chosen = st.session_state.get(_LIBRARY)
    if chosen is not None and int(chosen) in set(known["library_id"].astype(int)):
        return int(chosen)
    return None if known.empty else int(known.iloc[0]["library_id"])


def library_name(library_id: int, known: pd.DataFrame | None = None) -> str:
    known = (visible_libraries() if known is None else known).set_index("library_id")
    return str(known.loc[library_id, "name"]) if library_id in known.index else f"library {library_id}"


def require_library() -> tuple[int, pd.DataFrame]:
    """(library id, enriched frame), or an empty state that says what to do, and the page stops."""
    known = visible_libraries()
    library_id = open_library_id(known)
    if library_id is None:
        st.info("No library is open yet. On **Home**, open the demo library, import an Exportify CSV or "
                "your Spotify data export, or connect Spotify.", icon=":material/library_music:")
        st.page_link(str(PAGES / "home.py"), label="Go to Home", icon=":material/home:")
        st.stop()
    name = library_name(library_id, known)
    frame = enriched_with_progress(library_id, f"Predicting audio features for {md(name)}…")
    if frame.empty:
        st.info(f"**{md(name)}** has no tracks yet. Import a file into it on **Home**, "
                "or open the demo library.", icon=":material/library_music:")
        st.page_link(str(PAGES / "home.py"), label="Go to Home", icon=":material/home:")
        st.stop()
    st.caption(f"Library: **{md(name)}** · {count(len(frame), 'track')}")
    online_panel.status(library_id)  # after the frame: the lookup never delays the first screen
    return library_id, frame


# The enrichment's steps as shares of one bar (measured on the first run of the demo, two cores: loading
# and matching ~6 s, predicting 150 tracks ~18 s, checking the intervals on 100 known tracks ~23 s).
STEPS = [("loading the reference catalog", 0.0, 0.03), ("matching", 0.03, 0.06),
         ("loading the predictor", 0.06, 0.12), ("predicting", 0.12, 0.55), ("checking the intervals", 0.55, 1.0)]


def step_fraction(done: int, total: int, message: str) -> float | None:
    """How far the whole enrichment is when the engine reports (done, total, message) of one step; None
    for a step this table does not know (the bar then keeps its place)."""
    for start, low, high in STEPS:
        if message.startswith(start):
            return low + (high - low) * (min(done / total, 1.0) if total else 0.0)
    return None


def enriched_with_progress(library_id: int, label: str) -> pd.DataFrame:
    """The enriched library; the first time, an open status box says which step runs and how far the whole
    is (the engine reports each step and about every tenth of the tracks it predicts): one bar that
    only moves forward, not one that empties at each new step."""
    if resources.enriched_ready(library_id):
        with engine_errors():
            return resources.enriched(library_id)
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Reading the library…")
        shown = {"fraction": 0.0, "text": "Reading the library…"}

        def report(done: int, total: int, message: str) -> None:
            counted = f" ({done:,} of {total:,})" if total and done else ""
            fraction = step_fraction(done, total, message)
            shown["fraction"] = max(shown["fraction"], fraction if fraction is not None else 0.0)
            shown["text"] = message[:1].upper() + message[1:] + counted
            bar.progress(shown["fraction"], text=shown["text"])

        with engine_errors():
            frame = resources.enriched(library_id, progress=report)
        bar.progress(1.0, text=shown["text"])  # done, whichever steps it needed
        real = int((frame["source"] != "predicted").sum()) if len(frame) else 0
        status.update(label=f"{len(frame):,} tracks ready: {real:,} with real features, {len(frame) - real:,} predicted",
                      state="complete", expanded=False)
    return frame


# --- numbers for people ----------------------------------------------------------------------------
def paged_table(frame: pd.DataFrame, columns: list[str], key: str, search: bool = True,
                sort_default: str | None = None) -> pd.DataFrame:
    """Search, sort and page server-side (a 10,000-track library renders 100 rows at a time).
    Returns the filtered and sorted frame (for downloads and selections)."""
    view = frame
    controls = st.columns([3, 2, 1, 1]) if search else st.columns([2, 1, 1])
    if search:
        query = controls[0].text_input("Search title, artist, album or genre", key=f"{key}_q",
                                       placeholder="e.g. daft punk")
        if query.strip():
            fields = [c for c in ("title", "artists", "album", "genres") if c in view]
            text = view[fields[0]].astype(str).str.cat([view[c].astype(str) for c in fields[1:]], sep=" ")
            view = view[text.str.contains(query.strip(), case=False, regex=False)]
    sortable = [c for c in columns if c in view.columns]
    sort_by = controls[-3].selectbox("Sort by", sortable, key=f"{key}_sort",
                                     index=sortable.index(sort_default) if sort_default in sortable else 0)
    descending = controls[-2].toggle("Descending", key=f"{key}_desc", value=sort_default is not None)
    view = view.sort_values(sort_by, ascending=not descending, kind="stable", na_position="last")
    pages = max(1, -(-len(view) // PAGE_SIZE))
    page = controls[-1].number_input(f"Page (of {pages})", 1, pages, 1, key=f"{key}_page")
    start = (int(page) - 1) * PAGE_SIZE
    chunk = view.iloc[start:start + PAGE_SIZE]
    track_table(chunk, columns)
    low, high = (start + 1, start + len(chunk)) if len(chunk) else (0, 0)
    st.caption(f"Tracks {low:,}–{high:,} of {len(view):,}" + (f" (filtered from {len(frame):,})" if len(view) != len(frame) else "")
               + ". Values in *amber italics* are predicted; plain values are real.")
    return view


def file_slug(text: str, limit: int = 60) -> str:
    """A name safe in any file system: ASCII letters, digits and '_' ('Café del Mar / 2024' -> 'cafe_del_mar_2024')."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:limit].strip("_") or "library"


def library_csv_button(library_id: int, frame: pd.DataFrame, key: str) -> None:
    """The enriched library (all of it, or the tracks a view's filters show) with the columns its own files
    had (popularity, key, label, added-at...), downloaded under the library's name."""
    name = library_name(library_id)
    whole = len(frame) == len(resources.library(library_id))
    label = f"Download {md(name)}, enriched (CSV)" if whole else f"Download the {count(len(frame), 'track')} shown, enriched (CSV)"
    csv_button(frame, label, f"tunescope_{file_slug(name)}.csv", key=key, prepare=resources.app().download_frame)


def csv_button(frame: pd.DataFrame, label: str, file_name: str, key: str, prepare=None) -> None:
    """A CSV download whose text cells cannot run as spreadsheet formulas; `prepare(frame)`, if given, makes
    the table written (a library's own file columns unpacked). The file is made when the rows change, not on
    every rerun (kept in the session by the rows' hash), and handed over as bytes with on_click="ignore":
    a click neither reruns the app nor depends on a deferred file a rerun drops (issue 29: a second click
    within 0.3 s of another got "Deferred file ... not found"). `label` is Markdown: escape what users named."""
    st.download_button(label, csv_bytes(frame, key, prepare), file_name=file_name, mime="text/csv",
                       key=key, icon=":material/download:", on_click="ignore")


def csv_bytes(frame: pd.DataFrame, key: str, prepare=None) -> bytes:
    """csv_text(prepare(frame)) as UTF-8, remembered per `key` in the session until the rows change."""
    try:
        rows = pd.util.hash_pandas_object(frame, index=True)
    except TypeError:  # cells pandas cannot hash (lists): their text
        rows = pd.util.hash_pandas_object(frame.astype(str), index=True)
    digest = (int(rows.sum()), tuple(map(str, frame.columns)), len(frame))
    memo = st.session_state.get(f"_csv_{key}")
    if memo is None or memo[0] != digest:
        memo = (digest, csv_text(prepare(frame) if prepare else frame).encode("utf-8"))
        st.session_state[f"_csv_{key}"] = memo
    return memo[1]


def seed_ids(tracks: pd.DataFrame) -> list[str]:
    """How the recommender names library tracks: the Spotify id, else the 'artist|title' key."""
    from engine.textnorm import track_keys

    ids = tracks["track_id"].fillna("").astype(str)
    return ids.where(ids != "", track_keys(tracks)).tolist() if len(tracks) else []


def primary_genre(genres: pd.Series, top: int = 10) -> pd.Series:
    """The first listed genre, with all but the `top` most common folded into 'other'."""
    first = genres.fillna("").astype(str).str.split(";").str[0].str.strip().replace("", "unknown")
    keep = first.value_counts().index[:top]
    return first.where(first.isin(keep), "other")
