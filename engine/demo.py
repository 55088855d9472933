"""The demo library: real playlists from the reference data, no credentials needed.

Five TidyTuesday playlists of different styles (their tracks are in the reference catalog, so
their features are real) plus a playlist of Genius-tagged songs the catalog does not know (their
features are predicted). Artist genres come from the artist table, as a Spotify sync would give them.
"""

from __future__ import annotations

import pandas as pd

from engine import reference
from engine.schema import normalize_frame
from engine.textnorm import artist_key, primary_artist

DEMO_NAME = "Demo: five playlists and some discoveries"
PLAYLISTS = ["Electro Swing", "Classic Rock Legends", "I Love My Neo-Soul", "Tropical House 🌴", "This Is Logic"]
DISCOVERIES = "Genius discoveries"
DISCOVERY_COUNT = 150


def open_demo(store) -> int:
    """The demo library's id, building it on first use (idempotent)."""
    existing = store.find_library("demo", "", name=DEMO_NAME)
    if existing is not None:
        store.touch_library(existing)
        return existing
    playlists = demo_playlists()
    with store.transaction():
        library_id = store.create_library(DEMO_NAME, "demo")
        for name, items in playlists:
            store.add_tracks(library_id, items, saved=True, playlist={"id": f"demo:{name}", "name": name})
    store.touch_library(library_id)
    return library_id


def demo_playlists() -> list[tuple[str, pd.DataFrame]]:
    raw = reference._read("tidytuesday_spotify_songs.parquet")
    genres = _artist_genres()
    out = []
    for name in PLAYLISTS:
        rows = raw[raw["playlist_name"] == name].drop_duplicates("track_id")
        frame = pd.DataFrame({"track_id": rows["track_id"], "title": rows["track_name"],
                              "artists": rows["track_artist"], "album": rows["track_album_name"],
                              "release_date": rows["track_album_release_date"], "duration_ms": rows["duration_ms"]})
        frame["genres"] = frame["artists"].map(lambda a: genres.get(artist_key(primary_artist(str(a))), ""))
        out.append((name, normalize_frame(frame, where="demo")))
    out.append((DISCOVERIES, _discoveries()))
    return out


def _artist_genres() -> dict[str, str]:
    table = reference.artist_table()
    return dict(zip(table["artist"].map(lambda a: artist_key(str(a))), table["genres"]))


def _discoveries() -> pd.DataFrame:
    """Recent Genius-tagged songs with no catalog features: the tracks Tunescope must predict."""
    from engine.matching import Catalog

    raw = reference._read("musictags_genius_metadata_part1.parquet")
    raw = raw[pd.to_numeric(raw["Year"], errors="coerce") >= 2008].sample(frac=1.0, random_state=7)
    frame = pd.DataFrame({"title": raw["SongTitle"], "artists": raw["Artist"], "release_date": raw["Year"].map(str),
                          "genres": raw["Genius_Tags"].fillna("").str.lower().str.replace(r"\s*,\s*", ";", regex=True)})
    frame = normalize_frame(frame.head(DISCOVERY_COUNT * 3), where="demo")
    rows, _ = Catalog.load().match(frame)
    frame = frame[rows < 0].drop_duplicates(["title", "artists"]).head(DISCOVERY_COUNT)
    return frame.reset_index(drop=True)
