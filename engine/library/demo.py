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
    frame = artifact.demo()
    return [(name, frame[frame["playlist"] == name][SCHEMA].reset_index(drop=True))
            for name in [*PLAYLISTS, DISCOVERIES]]
