"""The demo library: real playlists, real and predicted features, opened idempotently."""

from engine.library.demo import DISCOVERIES, PLAYLISTS, open_demo
from engine.library.imports import current_library


def test_demo_builds_once_with_its_playlists(memory_store):
    library_id = open_demo(memory_store)
    assert open_demo(memory_store) == library_id and len(memory_store.libraries()) == 1
    playlists = memory_store.library_playlists(library_id).set_index("name")["tracks"]
    assert set(playlists.index) == set(PLAYLISTS) | {DISCOVERIES} and (playlists >= 40).all()
    assert current_library(memory_store) == library_id


def test_demo_mixes_catalog_and_predicted_tracks(memory_store, app):
    frame = app.over(memory_store).library(open_demo(memory_store)).tracks
    sources = frame["source"].value_counts()
    assert sources["catalog"] >= 250 and sources["predicted"] >= 100
