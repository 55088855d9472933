"""Importing files into the store: merging, deduplication, bad files, re-imports, enrichment."""

import json

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.library.imports import current_library, import_files

ESPRESSO = "exportify/kyleduong__2024-12__top_tracks_of_2024_global.csv"
TOP_2024 = "exportify/martinkvu__2026-03__Your_Top_Songs_2024.csv"


def counts(store):
    return {t: store.db[t].count for t in ("library_tracks", "playlist_tracks", "plays", "features")}


def test_several_files_merge_into_one_library_with_each_track_once(memory_store, samples):
    report = import_files(memory_store, [samples / ESPRESSO, samples / TOP_2024])
    tracks = memory_store.library_tracks(report.library_id)
    assert report.ok and report.added == len(tracks)
    assert tracks["key"].is_unique
    both = pd.concat([pd.read_csv(samples / ESPRESSO, encoding="utf-8-sig")["Track ID"],
                      pd.read_csv(samples / TOP_2024, encoding="utf-8-sig")["Track URI"].str[-22:]])
    assert len(tracks) == both.nunique()
    assert set(memory_store.library_playlists(report.library_id)["name"]) == {"top tracks of 2024 global", "Your Top Songs 2024"}


def test_reimporting_the_same_files_adds_nothing(memory_store, samples):
    files = [samples / ESPRESSO, samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2023.json"]
    first = import_files(memory_store, files)
    before = counts(memory_store)
    again = import_files(memory_store, files, library_id=first.library_id)
    assert again.added == 0 and counts(memory_store) == before


def test_a_bad_file_is_named_and_everything_else_stays(memory_store, samples, tmp_path):
    good = import_files(memory_store, [samples / ESPRESSO])
    before = counts(memory_store)
    truncated = tmp_path / "Playlist1.json"
    truncated.write_text('{"playlists": [{"name": "half", "items": [{"track": {"trackName": "x"')
    report = import_files(memory_store, [truncated, tmp_path / "missing.csv"], library_id=good.library_id)
    assert len(report.problems) == 2
    assert report.problems[0].startswith("Playlist1.json") and "missing.csv" in report.problems[1]
    assert counts(memory_store) == before


def test_a_track_without_id_joins_the_same_song_with_an_id(memory_store, samples, tmp_path):
    plain = tmp_path / "mine.csv"
    plain.write_text("artist,title\nSabrina Carpenter,Espresso\nNobody Known,Unheard Song\n")
    report = import_files(memory_store, [plain])
    import_files(memory_store, [samples / ESPRESSO], library_id=report.library_id)
    tracks = memory_store.library_tracks(report.library_id)
    espresso = tracks[tracks["title"] == "Espresso"]
    assert len(espresso) == 1 and espresso.iloc[0]["key"] == "2HRqTpkrJO5ggZyyK6NPWz"
    assert espresso.iloc[0]["source"] == "export"


def test_plays_count_and_listening_time_are_kept(memory_store, samples):
    path = samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2022.json"
    report = import_files(memory_store, [path])
    tracks = memory_store.library_tracks(report.library_id)
    rows = [r for r in json.loads(path.read_text()) if r.get("master_metadata_track_name")]
    # Spotify's file repeats one zero-length play verbatim; an identical record counts once.
    distinct = {(r["spotify_track_uri"], r["ts"], r["ms_played"]) for r in rows}
    assert len(distinct) == len(rows) - 1
    assert tracks["plays"].sum() == len(distinct)
    assert tracks["ms_played"].sum() == sum(ms for _, _, ms in distinct)


def test_enriched_library_has_every_feature_and_stores_nothing_derived(memory_store, app, samples):
    """Catalog and predicted values are derived on every read (the prediction cache keeps them): the store's
    feature rows hold only what a file or a provider brought."""
    report = import_files(memory_store, [samples / "exportify" / "deadda7a__2021-12__casual.csv"])
    frame = app.over(memory_store).library(report.library_id).tracks
    assert len(frame) == 20 and np.isfinite(frame[FEATURES].to_numpy(dtype=float)).all()
    assert set(frame["source"]) & {"catalog", "predicted"}
    derived = memory_store.db.execute("select count(*) from features where source in ('catalog', 'predicted')")
    assert derived.fetchone()[0] == 0 and current_library(memory_store) == report.library_id


def test_an_empty_library_enriches_to_an_empty_frame(memory_store, app):
    library_id = memory_store.create_library("empty", "import")
    frame = app.over(memory_store).library(library_id).tracks
    assert frame.empty and set(FEATURES) <= set(frame.columns)


def _both_histories(samples, count: int = 30):
    """The first `count` plays of a real extended history, and the same plays as the account-data history has them."""
    import json

    rows = json.loads((samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2023.json")
                      .read_text(encoding="utf-8"))[:count]
    account = [{"endTime": r["ts"][:16].replace("T", " "), "artistName": r["master_metadata_album_artist_name"],
                "trackName": r["master_metadata_track_name"], "msPlayed": r["ms_played"]} for r in rows]
    songs = {(r["master_metadata_track_name"], r["master_metadata_album_artist_name"]) for r in rows}
    return json.dumps(account).encode(), json.dumps(rows).encode(), len(rows), sum(r["ms_played"] for r in rows), len(songs)


def test_a_zip_with_both_histories_counts_each_play_and_song_once_on_every_import(memory_store, samples):
    """Issue 30 (5): the account-data and the extended history of the same plays stored each song twice
    (no id vs id) and a second import of the same ZIP took 30 plays to 50."""
    import io
    import zipfile

    account, extended, plays, ms, songs = _both_histories(samples)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", account)
        archive.writestr("Spotify Extended Streaming History/Streaming_History_Audio_2023.json", extended)
    library_id = None
    for _ in range(2):
        report = import_files(memory_store, [("my_spotify_data.zip", out.getvalue())], library_id=library_id)
        library_id = report.library_id
        stored = memory_store.plays(library_id)
        assert (len(stored), int(stored["ms_played"].sum())) == (plays, ms)
        assert len(memory_store.library_tracks(library_id)) == songs


@pytest.mark.parametrize("first", ["account", "extended"])
def test_the_two_histories_imported_one_after_the_other_keep_the_play_to_the_second(memory_store, samples, first):
    account, extended, plays, ms, songs = _both_histories(samples)
    files = {"account": ("StreamingHistory_music_0.json", account),
             "extended": ("Streaming_History_Audio_2023.json", extended)}
    order = [files[first], files["extended" if first == "account" else "account"]]
    library_id = import_files(memory_store, [order[0]]).library_id
    second = import_files(memory_store, [order[1]], library_id=library_id)
    stored = memory_store.plays(library_id)
    assert (len(stored), int(stored["ms_played"].sum())) == (plays, ms)
    assert (stored["played_at"].dt.second != 0).sum() > plays // 2  # the extended history's seconds stay
    assert second.files[0].plays == 0 and len(memory_store.library_tracks(library_id)) == songs


def test_a_refused_file_makes_no_library(memory_store, tmp_path):
    """Issue 29 (6): a rejected file still created an empty library and opened it ("Import: empty.csv · Tracks 0")."""
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "junk.json").write_text("{not json")
    for files in ([tmp_path / "empty.csv"], [tmp_path / "junk.json"], [tmp_path / "empty.csv", tmp_path / "junk.json"]):
        report = import_files(memory_store, files)
        assert report.library_id is None and len(report.problems) == len(files) and not report.ok
    assert memory_store.libraries().empty and memory_store.db["runs"].count == 0


KILLED_IMPORT = """
import os, signal, sys
from engine.library import imports
from engine.library.store import Store
stored = []
original = imports._write_piece
def store_then_die(store, library_id, ready, result):
    if len(stored) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9 in the middle of the import, inside its transaction
    original(store, library_id, ready, result)
    stored.append(ready.piece.name)
imports._write_piece = store_then_die
imports.import_files(Store(sys.argv[1]), sys.argv[3:])
"""


@pytest.mark.parametrize("after", [0, 1])
def test_kill_9_mid_import_leaves_no_empty_library_and_no_run_running(samples, tmp_path, after):
    """Issue 30 (14): a kill -9 mid-import left an empty library and a run stuck at "running"."""
    import subprocess
    import sys

    from engine.config import ROOT
    from engine.library.store import Store

    files = [str(samples / ESPRESSO), str(samples / TOP_2024)]
    proc = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(tmp_path / "tunescope.db"), str(after), *files],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    store = Store(tmp_path / "tunescope.db")
    libraries, runs = store.libraries(), store.db.execute("select status from runs").fetchall()
    if after == 0:  # killed inside the first file's transaction: nothing at all
        assert libraries.empty and runs == []
    else:  # the first file stayed whole; the run says it was interrupted
        assert len(libraries) == 1 and store.library_size(int(libraries.iloc[0]["library_id"])) > 0
        assert runs == [("interrupted",)]


def test_a_liked_songs_export_is_saved_tracks_and_spotifys_no_analysis_zeros_are_unknown(memory_store, samples):
    """Issue 29 (7): `saved` was 0 for every liked song, and an exported row of zeros (tempo 0, valence 0,
    danceability 0) was kept as real with confidence 1.0."""
    path = samples / "listeners" / "LiamWhitenack__exportify-analysis" / "Liked_Songs.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    broken = rows.iloc[0]["Track Name"]
    for column in ("Energy", "Valence", "Danceability", "Tempo"):
        rows.loc[0, column] = "0"

    report = import_files(memory_store, [("Liked_Songs.csv", rows.to_csv(index=False).encode())])
    tracks = memory_store.library_tracks(report.library_id)
    assert (tracks["saved"] == 1).all() and len(tracks) > 500
    row = tracks[tracks["title"] == broken].iloc[0]
    assert np.isnan(row[FEATURES].to_numpy(dtype=float)).all() and row["source"] == ""  # unknown, so predicted
    other = import_files(memory_store, [samples / ESPRESSO]).library_id
    assert (memory_store.library_tracks(other)["saved"] == 0).all()  # a playlist of others' is not saved


def test_an_exported_row_of_tempo_valence_and_danceability_zero_is_unknown_though_its_energy_is_not(
        memory_store, samples):
    """Issue 29 (7): the broken row the listener met had tempo 0, valence 0 and danceability 0 beside a
    real-looking energy; its valence and danceability stayed real (1.0 confidence). Now the whole row is
    Spotify's no-analysis placeholder: unknown at import, so predicted, and the row beside it stays real."""
    path = samples / "listeners" / "LiamWhitenack__exportify-analysis" / "Liked_Songs.csv"
    rows = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("Valence", "Danceability", "Tempo"):
        rows.loc[0, column] = "0"
    assert float(rows.loc[0, "Energy"]) > 0 and float(rows.loc[1, "Valence"]) > 0
    broken, kept = rows.iloc[0]["Track Name"], rows.iloc[1]["Track Name"]

    report = import_files(memory_store, [("Liked_Songs.csv", rows.to_csv(index=False).encode())])
    tracks = memory_store.library_tracks(report.library_id)
    row = tracks[tracks["title"] == broken].iloc[0]
    assert np.isnan(row[FEATURES].to_numpy(dtype=float)).all() and row["source"] == ""
    beside = tracks[tracks["title"] == kept].iloc[0]
    assert np.isfinite(beside[FEATURES].to_numpy(dtype=float)).all() and beside["source"] != ""


def test_the_placeholder_rule_reads_both_zero_trios_and_nothing_else():
    from engine.schema import placeholder_values

    values = pd.DataFrame({"energy": [0.7, 0.0, 0.0, 0.5], "valence": [0.0, 0.0, 0.0, 0.0],
                           "danceability": [0.0, 0.0, 0.4, 0.0], "tempo": [0.0, 120.0, 0.0, 98.0]})
    marks = placeholder_values(values)
    assert marks.iloc[0].all() and marks.iloc[1].all()  # tempo+valence+danceability; energy+valence+danceability
    assert marks.iloc[2].tolist() == [False, False, False, True]  # only the tempo of 0
    assert not marks.iloc[3].any()  # a quiet, sad, beatless-looking song is still real
