"""What a file brings belongs to its library: another library's file never renames, re-keys or
gives features to its tracks, and values that cannot be real are left out, counted, never stored."""

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.explore.clusters import ClusterModel, cluster_library, coverage_report
from engine.library.imports import import_files
from engine.library.ranges import dropped_note
from engine.schema import normalize_frame

ESPRESSO = "exportify/kyleduong__2024-12__top_tracks_of_2024_global.csv"
ESPRESSO_ID = "2HRqTpkrJO5ggZyyK6NPWz"
FEATURE_HEADER = "energy,valence,danceability,acousticness,instrumentalness,liveness,speechiness,tempo"


@pytest.fixture(params=["memory", "wal-file"])
def store(request, tmp_path):
    from engine.library.store import Store

    store = Store(":memory:" if request.param == "memory" else tmp_path / "tunescope.db")
    yield store
    store.close()


def crafted(tmp_path):
    """The hostile file of issue 14: another library's track renamed to a link, impossible
    features, and an id for a song the victim holds without one."""
    path = tmp_path / "crafted.csv"
    path.write_text(
        f"track_id,artist,title,album,duration_ms,{FEATURE_HEADER}\n"
        f"{ESPRESSO_ID},Sabrina Carpenter,[Espresso](https://evil.example),Pwned,175459,7,0.5,0.5,0.5,0.5,0.5,0.5,1e300\n"
        "AAAAAAAAAAAAAAAAAAAAAA,Nobody Known,Unheard Song,,99999999999,0.1,0.2,0.3,0.4,0.5,0.6,0.7,inf\n")
    return path


def victim(store, samples, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("artist,title,album\nNobody Known,Unheard Song,Demos\n")
    return import_files(store, [samples / ESPRESSO, plain], name="victim").library_id


def test_a_crafted_file_in_one_library_changes_nothing_another_sees(store, samples, tmp_path):
    mine = victim(store, samples, tmp_path)
    before = store.library_tracks(mine)
    theirs = import_files(store, [crafted(tmp_path)], name="attacker").library_id
    pd.testing.assert_frame_equal(store.library_tracks(mine), before)
    espresso = before.set_index("key").loc[ESPRESSO_ID]
    assert espresso["title"] == "Espresso" and espresso["source"] == "export" and espresso["tempo"] < 300
    assert before["key"].str.startswith("k:").sum() == 1  # the id-less song keeps its key
    attacker = store.library_tracks(theirs).set_index("key")
    assert attacker.loc[ESPRESSO_ID, "title"] == "[Espresso](https://evil.example)"  # its own view only
    assert set(attacker.index) == {ESPRESSO_ID, "AAAAAAAAAAAAAAAAAAAAAA"}


def test_an_id_arriving_in_one_library_rekeys_only_that_library(store, samples, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("artist,title\nSabrina Carpenter,Espresso\n")
    first = import_files(store, [plain]).library_id
    second = import_files(store, [plain]).library_id
    old_key = store.library_tracks(first)["key"].iloc[0]
    import_files(store, [samples / ESPRESSO], library_id=first)
    keys = store.library_tracks(first)["key"]
    assert ESPRESSO_ID in set(keys) and old_key not in set(keys) and keys.is_unique  # joined within the library
    assert list(store.library_tracks(second)["key"]) == [old_key]


def test_values_that_cannot_be_real_are_left_out_and_counted(store, tmp_path):
    from engine.library.importers import read_file
    from engine.library.imports import FileResult, _store_piece

    library_id = store.create_library("crafted", "import")
    (piece,), _ = read_file("crafted.csv", crafted(tmp_path).read_bytes())
    result = FileResult(piece.name)
    _store_piece(store, library_id, piece, result, set())  # one file's transaction, as import_files runs it
    dropped = store.last_dropped
    assert dropped == {"energy": 1, "tempo": 2, "duration_ms": 1}
    tracks = store.library_tracks(library_id).set_index("key")
    assert np.isnan(tracks.loc[ESPRESSO_ID, "energy"]) and np.isnan(tracks.loc[ESPRESSO_ID, "tempo"])
    assert tracks.loc[ESPRESSO_ID, "valence"] == 0.5  # the real ones beside them stay
    assert np.isnan(tracks.loc["AAAAAAAAAAAAAAAAAAAAAA", "duration_ms"])
    worst = store.db.execute("select max(tempo), max(energy) from features").fetchone()
    assert worst[0] is None and worst[1] <= 1
    note = dropped_note("crafted.csv", dropped)
    assert note.startswith("crafted.csv: left out 4 values") and "tempo 0–300 BPM" in note
    assert result.tracks == 2


def test_a_poorer_file_never_erases_a_real_value_it_cannot_replace(store, samples, tmp_path):
    library_id = import_files(store, [samples / ESPRESSO]).library_id
    before = store.library_tracks(library_id).set_index("key").loc[ESPRESSO_ID]
    worse = tmp_path / "worse.csv"
    worse.write_text(f"track_id,artist,title,{FEATURE_HEADER}\n"
                     f"{ESPRESSO_ID},Sabrina Carpenter,Espresso,,,,,,,,5000\n")
    store.add_tracks(library_id, normalize_frame(pd.read_csv(worse, dtype=str)))
    after = store.library_tracks(library_id).set_index("key").loc[ESPRESSO_ID]
    assert store.last_dropped == {"tempo": 1}
    assert after[FEATURES].tolist() == before[FEATURES].tolist()


def test_a_track_once_given_tempo_1e300_still_enriches_clusters_and_covers_for_every_library(store, samples, tmp_path,
                                                                                         app):
    mine = victim(store, samples, tmp_path)
    theirs = import_files(store, [crafted(tmp_path)]).library_id
    model = ClusterModel.load()
    for library_id in (mine, theirs):
        frame = app.over(store).library(library_id).tracks
        assert np.isfinite(frame[FEATURES].to_numpy(dtype=float)).all()  # what the map projects
        assert frame["tempo"].between(0, 300).all()
        clusters = model.assign(frame)
        assert coverage_report(frame, clusters).set_index("source").loc["all", "clustered"] == len(frame)
        own = cluster_library(frame, k=2)
        assert len(own.labels_) == len(frame) and np.isfinite(own.profiles_[FEATURES].to_numpy(dtype=float)).all()


@pytest.mark.data
def test_spotifys_own_audio_features_are_shared_by_every_library_holding_the_id(store):
    from fake_spotify import FakeSpotify
    from test_spotify_sync import client_for, sign_in

    from engine.library.spotify.sync import sync_library

    with FakeSpotify(users={"alice": 30}, playlists=1, audio_features=True) as fake:
        synced = sync_library(store, client_for(fake, sign_in(fake)))
    tracks = store.library_tracks(synced.library_id)
    track = tracks[tracks["source"] == "spotify"].iloc[0]
    other = store.create_library("a file with that id", "import")
    store.add_tracks(other, pd.DataFrame([{"track_id": track["key"], "title": "Renamed", "artists": "Someone"}]))
    seen = store.library_tracks(other).iloc[0]
    assert seen["source"] == "spotify" and seen[FEATURES].tolist() == track[FEATURES].tolist()
    assert store.library_tracks(synced.library_id).set_index("key").loc[track["key"], "title"] == track["title"]


def test_a_file_enriched_without_the_store_treats_impossible_values_as_unknown(enricher):
    """`python -m engine predict --input` reads features straight from a file: the same ranges hold."""
    frame = pd.DataFrame([{"title": "Unheard Song", "artists": "Nobody Known", **dict.fromkeys(FEATURES, 0.5),
                           "energy": 7.0, "tempo": 1e300}])
    out = enricher.enrich(frame).iloc[0]
    assert out["valence"] == 0.5 and out["valence_confidence"] == 1.0  # real values beside them stay real
    assert 0 <= out["energy"] <= 1 and 0 < out["tempo"] <= 300 and out["tempo_confidence"] < 1


def test_the_import_report_says_which_values_were_left_out(store, tmp_path):
    report = import_files(store, [crafted(tmp_path)], name="crafted")
    notes = [p for p in report.problems if "left out" in p]
    assert len(notes) == 1 and notes[0].startswith("crafted.csv: left out 4 values") and "tempo in 2 rows" in notes[0]
    assert store.library_size(report.library_id) == 2  # the tracks themselves are in
