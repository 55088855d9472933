"""Podcasts in every export format (issue 29, item 1): episodes stored apart from the music, never as tracks,
on real files: the extended history, a 2023+ podcast file, a pre-2023 mixed history (a real music file and
the same listener's real podcast file merged as the old format writes them) and YourLibrary's followed shows."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PODCASTS = ROOT / "bench" / "data" / "podcasts"
LISTENER = "JUSTSUJAY__spotify_analysis"


def _podcast_rows(listener: str = LISTENER) -> list[dict]:
    return json.loads((PODCASTS / listener / "StreamingHistory_podcast_0.json").read_text("utf-8"))


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
    from engine.library.imports import import_files

    music = samples / "listeners" / LISTENER / "StreamingHistory_music_0.json"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", music.read_bytes())
        archive.writestr("Spotify Account Data/StreamingHistory_podcast_0.json",
                         (PODCASTS / LISTENER / "StreamingHistory_podcast_0.json").read_bytes())
    report = import_files(memory_store, [("my_spotify_data.zip", buffer.getvalue())])
    assert report.ok, report.problems
    episodes = memory_store.episodes(report.library_id)
    pods = _podcast_rows()
    # One row per show, episode and minute: the file's 206 rows hold 4 repeats within a minute.
    assert len(episodes) == len({(r["podcastName"], r["episodeName"], r["endTime"]) for r in pods})
    assert {"The Joe Rogan Experience", "Lex Fridman Podcast"} <= set(episodes["show"])
    assert not {"The Joe Rogan Experience", "Lex Fridman Podcast"} & _artists(memory_store, report.library_id)
    assert memory_store.play_count(report.library_id) > 9_000  # the music file's plays, all kept as music


def test_an_old_mixed_history_has_its_shows_found_by_the_rule(memory_store, samples):
    """The issue's own listener: Joe Rogan and Lex Fridman among the "artists" of StreamingHistory0.json."""
    from engine.library.imports import import_files

    music = json.loads((samples / "listeners" / LISTENER / "StreamingHistory_music_0.json").read_text("utf-8"))
    mixed = music + [{"endTime": r["endTime"], "artistName": r["podcastName"], "trackName": r["episodeName"],
                      "msPlayed": r["msPlayed"]} for r in _podcast_rows()]
    report = import_files(memory_store, [("StreamingHistory0.json", json.dumps(mixed).encode())])
    artists = _artists(memory_store, report.library_id)
    shows = set(memory_store.episodes(report.library_id)["show"])
    assert {"The Joe Rogan Experience", "Lex Fridman Podcast", "The Mel Robbins Podcast", "Julian Dorey Podcast"} <= shows
    assert not shows & artists  # a show is podcast or music, never both
    music_artists = {r["artistName"] for r in music}
    assert not shows & music_artists  # no music artist of this history was taken for a show
    assert {"Arijit Singh", "The Weeknd"} & artists


def test_followed_shows_of_your_library_are_podcasts_in_an_old_history(memory_store, samples):
    from engine.library.imports import import_files

    folder = samples / "account_export" / "malvikarajeev_2020"
    followed = {s["name"] for s in json.loads((folder / "YourLibrary.json").read_text("utf-8"))["shows"]}
    played = {r["artistName"] for r in json.loads((folder / "StreamingHistory0.json").read_text("utf-8"))}
    report = import_files(memory_store, [folder / "YourLibrary.json", folder / "StreamingHistory0.json"])
    shows = set(memory_store.episodes(report.library_id)["show"])
    assert followed & played and followed & played <= shows
    assert not shows & _artists(memory_store, report.library_id)


def test_the_rule_on_the_sample_listeners_keeps_the_documented_figures(samples):
    """docs/podcasts.md's figures (bench/podcast_rule.py) on the five listeners with both files."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import pandas as pd
    from podcast_rule import _episodes, _music, judged, scores

    frames = [judged(pd.concat([_music(samples / "listeners" / d.name), _episodes(d / "StreamingHistory_podcast_0.json")],
                               ignore_index=True)) for d in sorted(PODCASTS.iterdir()) if d.is_dir()]
    hours = scores(pd.concat(frames, ignore_index=True))["hours"]
    assert hours["precision"] == pytest.approx(1.0) and hours["recall"] == pytest.approx(0.874, abs=0.001)
