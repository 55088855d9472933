"""Podcasts in every export format (issue 29, item 1): episodes stored apart from the music, never as tracks,
on real files of the shared data only: the extended history, a 2023+ export whose podcast file is that
history's episodes written in the podcast file's shape, pre-2023 mixed histories, YourLibrary's followed shows,
and the rule's documented figures (bench/podcast_rule.py, docs/podcasts.md)."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENDED = "Efrrowini"  # the one file of the shared data that marks episodes (the samples README)


def _extended_rows(samples) -> list[dict]:
    folder = samples / "extended_streaming_history" / EXTENDED
    return [r for f in sorted(folder.glob("*.json")) for r in json.loads(f.read_text("utf-8"))]


def _bench():
    sys.path.insert(0, str(ROOT / "bench"))
    import podcast_rule

    return podcast_rule


def _artists(store, library_id: int) -> set[str]:
    return set(store.library_tracks(library_id)["artists"])


def test_extended_history_episodes_are_podcast_plays_not_tracks(memory_store, samples):
    from engine.library.imports import import_files

    files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    rows = [r for f in files for r in json.loads(f.read_text("utf-8"))]
    report = import_files(memory_store, files)
    episodes = memory_store.episodes(report.library_id)
    assert len(episodes) == sum(1 for r in rows if r["spotify_episode_uri"]) == 13
    shows = {r["episode_show_name"].strip() for r in rows if r["spotify_episode_uri"]}
    assert set(episodes["show"]) == shows and "Mythical Monsters" in shows
    assert not shows & _artists(memory_store, report.library_id)
    assert "13 podcast plays, kept apart from the music" in report.plays_note


def test_a_2023_export_zip_keeps_its_podcast_file_as_podcasts(memory_store, samples):
    """A podcast file and a music file side by side, as a 2023+ zip holds them: no shared listener has a real
    podcast file, so the extended history's own plays are written in the two files' shapes."""
    from engine.library.imports import import_files

    rows = _extended_rows(samples)
    pods = [{"endTime": r["ts"][:16].replace("T", " "), "podcastName": r["episode_show_name"],
             "episodeName": r["episode_name"], "msPlayed": r["ms_played"]} for r in rows if r["spotify_episode_uri"]]
    music = [{"endTime": r["ts"][:16].replace("T", " "), "artistName": r["master_metadata_album_artist_name"],
              "trackName": r["master_metadata_track_name"], "msPlayed": r["ms_played"]}
             for r in rows if r["master_metadata_track_name"]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", json.dumps(music))
        archive.writestr("Spotify Account Data/StreamingHistory_podcast_0.json", json.dumps(pods))
    report = import_files(memory_store, [("my_spotify_data.zip", buffer.getvalue())])
    assert report.ok, report.problems
    episodes = memory_store.episodes(report.library_id)
    assert len(episodes) == len({(r["podcastName"], r["episodeName"], r["endTime"]) for r in pods}) > 0
    shows = {r["podcastName"].strip() for r in pods}
    assert {s.strip() for s in episodes["show"]} == shows and "Mythical Monsters" in shows
    assert not shows & _artists(memory_store, report.library_id)
    assert memory_store.play_count(report.library_id) > 1_000  # the music file's plays, all kept as music


def test_old_mixed_histories_have_their_shows_found_by_the_rule(memory_store, samples):
    """A real pre-2023 history in two files that mixes true-crime podcasts into the music (no truth is
    marked; these shows are podcasts by name and by what they play). The files are judged together: judged
    one at a time, "Crime Junkie" and three more were shows in one file and music in the other."""
    from engine.library.imports import import_files

    files = sorted((samples / "listeners" / "MariaTrimborn__JuliaProj").glob("StreamingHistory*.json"))
    report = import_files(memory_store, files)
    artists = _artists(memory_store, report.library_id)
    shows = set(memory_store.episodes(report.library_id)["show"])
    assert {"Morbid: A True Crime Podcast", "Last Podcast On The Left", "Something Was Wrong"} <= shows
    assert not shows & artists  # a show is podcast or music, never both
    assert len(artists) > 100


def test_followed_shows_of_your_library_are_podcasts_in_an_old_history(memory_store, samples):
    from engine.library.imports import import_files

    folder = samples / "account_export" / "malvikarajeev_2020"
    followed = {s["name"] for s in json.loads((folder / "YourLibrary.json").read_text("utf-8"))["shows"]}
    played = {r["artistName"] for r in json.loads((folder / "StreamingHistory0.json").read_text("utf-8"))}
    report = import_files(memory_store, [folder / "YourLibrary.json", folder / "StreamingHistory0.json"])
    shows = set(memory_store.episodes(report.library_id)["show"])
    assert followed & played and followed & played <= shows
    assert not shows & _artists(memory_store, report.library_id)



@pytest.mark.data
def test_the_rule_on_the_shared_data_keeps_the_documented_figures(samples):
    """docs/podcasts.md's figures (bench/podcast_rule.py), on the two cheapest parts: the one extended history
    (its 13 episodes, short and of shows with no show-like name, all missed; none of its music taken) and the
    only music-only 2023+ listener the rule takes anything from."""
    bench = _bench()
    truth = bench.truth_frames(samples)
    assert list(truth) == [EXTENDED]
    frame = truth[EXTENDED]
    assert int(frame["podcast"].sum()) == 13 and len(frame) == 1_505
    for unit in ("plays", "hours"):
        s = bench.scores(frame)[unit]
        assert s["tp"] == 0 and s["fp"] == 0 and s["recall"] == 0
    folder = samples / "listeners" / "jmntg__spotify-analyzer"
    plays = bench._frame([r for f in sorted(folder.glob("StreamingHistory_music_*.json")) for r in bench._rows(f)])
    called = bench.judged(plays)
    assert set(called.loc[called["called"], "artists"]) == {"Yuji Ohno & Lupintic Five with Friends"}
    assert int(called["called"].sum()) == 2
