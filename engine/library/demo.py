"""The demo library: real playlists from the shipped catalog, no credentials and no datasets needed.

Five TidyTuesday playlists of different styles (their tracks are in the reference catalog, so
their features are real) plus a playlist of Genius-tagged songs the catalog does not know (their
features are predicted). Artist genres come from the artist table, as a Spotify sync would give them.
"""

from __future__ import annotations

import pandas as pd

from engine.catalog import artifact
from engine.catalog.artifact import DEMO_DISCOVERIES as DISCOVERIES, DEMO_PLAYLISTS as PLAYLISTS
from engine.schema import SCHEMA

DEMO_NAME = "Demo: five playlists and some discoveries"
__all__ = ["DEMO_NAME", "DISCOVERIES", "PLAYLISTS", "demo_playlists", "open_demo"]


def open_demo(store) -> int:
    """The demo library's id, building it on first use. Idempotent across threads and processes:
    several people arriving at an empty server at once get one demo, the one built first."""
    existing = store.find_library("demo", "", name=DEMO_NAME)
    if existing is None:
        playlists = demo_playlists()  # read before the write lock, so waiting writers wait less
        # BEGIN IMMEDIATE takes SQLite's write lock (and the store's, for this process's threads), so
        # the look again below sees any demo another thread or process committed meanwhile.
        with store.transaction():
            existing = store.find_library("demo", "", name=DEMO_NAME)
            if existing is None:
                existing = store.create_library(DEMO_NAME, "demo")
                for name, items in playlists:
                    store.add_tracks(existing, items, saved=True, playlist={"id": f"demo:{name}", "name": name})
    _drop_extra_demos(store, existing)
    store.touch_library(existing)
    return existing


def _drop_extra_demos(store, keep: int) -> None:
    """Demos a store built before open_demo was race-free: copies of the shipped demo, read-only,
    holding nothing of anyone's, so they go and every "Switch to" list shows one demo."""
    extra = [row["id"] for row in store.db.query(
        "select id from libraries where kind = 'demo' and owner = '' and name = ? and id != ?", [DEMO_NAME, keep])]
    for library_id in extra:
        store.delete_library(library_id)


def demo_playlists() -> list[tuple[str, pd.DataFrame]]:
    frame = artifact.demo()
    return [(name, frame[frame["playlist"] == name][SCHEMA].reset_index(drop=True))
            for name in [*PLAYLISTS, DISCOVERIES]]
