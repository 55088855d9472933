"""The version rule in the store: without track ids, a different version stays its own track, a
remaster of the same recording joins it, and the same song from two albums is one track."""

from engine.catalog.matching import Catalog
from engine.library.imports import import_files
from engine.schema import normalize_frame

import pandas as pd


def _titles(store, library_id):
    """Each stored track's title, the remaster folded in (the store keeps the title last written)."""
    titles = store.library_tracks(library_id)["title"].str.replace(r" - Remastered 2009| \(Remastered\)", "",
                                                                    regex=True)
    return sorted(titles)


def test_versions_stay_distinct_and_remasters_join(memory_store, tmp_path):
    first = tmp_path / "versions.csv"
    first.write_text("artist,title,album\n"
                     "Focus,Hocus Pocus,Moving Waves\n"
                     "Focus,Hocus Pocus - Extended Version,Hocus Pocus (The Best Of)\n"
                     "Greg Lake,I Believe in Father Christmas,Works Volume 2\n"
                     "Greg Lake,I Believe in Father Christmas - Without Orchestra,From the Beginning\n"
                     "Nirvana,About a Girl,Bleach\n"
                     "Nirvana,About a Girl - Live,MTV Unplugged in New York\n"
                     "Nirvana,About a Girl - Remastered 2009,Bleach (Deluxe)\n")
    report = import_files(memory_store, [first])
    assert report.ok
    assert _titles(memory_store, report.library_id) == [
        "About a Girl", "About a Girl - Live", "Hocus Pocus", "Hocus Pocus - Extended Version",
        "I Believe in Father Christmas", "I Believe in Father Christmas - Without Orchestra"]


def test_the_same_id_less_song_from_two_albums_is_one_track(memory_store, tmp_path):
    studio = tmp_path / "studio.csv"
    studio.write_text("artist,title,album\nFocus,Hocus Pocus,Moving Waves\n")
    best_of = tmp_path / "best_of.csv"
    best_of.write_text("artist,title,album\nFocus,Hocus Pocus (Remastered),Hocus Pocus: The Best Of Focus\n"
                       "Focus,Hocus Pocus - Extended Version,Hocus Pocus: The Best Of Focus\n")
    report = import_files(memory_store, [studio, best_of])
    assert _titles(memory_store, report.library_id) == ["Hocus Pocus", "Hocus Pocus - Extended Version"]


def test_the_catalog_matcher_uses_the_same_rule():
    catalog = Catalog.load()
    live = catalog.tracks[catalog.tracks["title"].str.endswith(" - Live")].iloc[0]
    studio_title = live["title"][: -len(" - Live")]
    library = normalize_frame(pd.DataFrame({"title": [live["title"], f"{studio_title} (Live at Home)",
                                                      f"{studio_title} - Extended Version"],
                                            "artists": [live["artists"]] * 3}))
    rows, how = catalog.match(library)
    assert rows[0] == rows[1] >= 0 and list(how[:2]) == ["name", "name"]  # a live take matches a live take
    assert rows[2] == -1 or "extended" in catalog.tracks.loc[rows[2], "key"]  # never the studio take


def test_a_store_from_before_the_rule_is_rekeyed_so_a_reimport_adds_nothing(tmp_path):
    """A library stored under the old rule, where '- Radio Edit' was dropped from the key: after the
    migration, importing the same id-less file again finds every track."""
    from engine.library.migrations import MIGRATIONS, m6_version_match_keys
    from engine.library.store import Store
    from engine.library.tables import _hash_key

    songs = tmp_path / "songs.csv"
    songs.write_text("artist,title\nCascada,Everytime We Touch - Radio Edit\nFocus,Hocus Pocus - Extended Version\n"
                     "Nirvana,About a Girl\n")
    store = Store(tmp_path / "old.db")
    report = import_files(store, [songs])
    old_keys = {"Everytime We Touch - Radio Edit": "cascada|everytime we touch",
                "Hocus Pocus - Extended Version": "focus|hocus pocus"}
    with store.transaction():  # as the previous rule had stored them: key and track key from the old match key
        for title, key in old_keys.items():
            store.db.execute("update library_tracks set match_key = ?, key = ? where title = ?",
                             [key, _hash_key(key), title])
        store.db.execute("update schema_version set version = ?", [MIGRATIONS.index(m6_version_match_keys)])
    store.close()

    store = Store(tmp_path / "old.db")  # reopening runs the migration
    assert store.version == len(MIGRATIONS)
    before = len(store.library_tracks(report.library_id))
    again = import_files(store, [songs], library_id=report.library_id)
    assert again.added == 0 and len(store.library_tracks(report.library_id)) == before == 3
    store.close()
