"""Plays as events (issue 23): merged across files and re-imports without double counting, with the
import summary naming them, and old stores migrated. Counts checked against the raw files by hand."""

from __future__ import annotations

import json
from collections import Counter

import sqlite_utils

from engine.library.imports import import_files
from engine.library.migrations import MIGRATIONS
from engine.library.store import Store


def extended(samples):
    return sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))


def hand_plays(paths) -> Counter:
    """(UTC second, track uri) -> ms, for music rows: one play per track and time, read with json alone."""
    plays = Counter()
    for path in paths:
        for row in json.loads(path.read_text()):
            if row.get("master_metadata_track_name") and row.get("spotify_track_uri"):
                plays[(row["ts"], row["spotify_track_uri"].rsplit(":", 1)[-1])] += row["ms_played"]
    return plays


def test_reimport_and_overlapping_files_never_count_a_play_twice(memory_store, samples):
    files = extended(samples)
    truth = hand_plays(files)
    first = import_files(memory_store, files)
    assert first.ok, first.problems
    plays = memory_store.plays(first.library_id)
    assert len(plays) == len(truth)
    assert int(plays["ms_played"].sum()) == sum(truth.values())
    assert first.plays_note == (f"{len(truth):,} plays from 2022-05 to 2023-12 imported "
                                "(and 13 podcast plays, kept apart from the music)")

    again = import_files(memory_store, files, library_id=first.library_id)
    assert again.plays_note == f"0 plays from 2022-05 to 2023-12 imported, {len(truth):,} already there"
    assert memory_store.play_count(first.library_id) == len(truth)

    # The 2023 file cut into two overlapping halves, into a fresh library: the overlap is one set of plays.
    rows = json.loads(files[1].read_text())
    halves = [("part_a.json", json.dumps(rows[:900]).encode()), ("part_b.json", json.dumps(rows[600:]).encode())]
    split = import_files(memory_store, halves)
    assert memory_store.play_count(split.library_id) == len(hand_plays([files[1]]))
    assert split.files[1].plays_known >= 290  # the 300 overlapping rows, less podcasts and in-file repeats


def test_skips_are_kept_where_the_file_records_them(memory_store, samples):
    files = extended(samples)
    report = import_files(memory_store, files)
    plays = memory_store.plays(report.library_id).set_index(["played_at", "key"])
    raw = {}
    for path in files:
        for row in json.loads(path.read_text()):
            if row.get("spotify_track_uri"):
                raw.setdefault((row["ts"], row["spotify_track_uri"].rsplit(":", 1)[-1]), []).append(row["skipped"])
    stamp, key = plays.index[0]
    assert plays.iloc[0]["skipped"] == min(raw[(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), key)])
    assert plays["skipped"].notna().all()
    assert int(plays["skipped"].sum()) == sum(all(v) for v in raw.values())


def test_account_history_plays_are_utc_minutes_and_summarised(memory_store, samples):
    path = samples / "listeners" / "AOGbadamosi2018__Visualizing-Spotify-Streaming-Data" / "StreamingHistory0.json"
    rows = json.loads(path.read_text())
    truth = Counter((r["endTime"], r["artistName"], r["trackName"]) for r in rows)
    report = import_files(memory_store, [path])
    plays = memory_store.plays(report.library_id)
    assert len(plays) == len(truth)  # a skip and a replay of one track in one minute: one play, ms summed
    assert int(plays["ms_played"].sum()) == sum(r["msPlayed"] for r in rows)
    assert plays["skipped"].isna().all()  # this file does not record skips
    assert plays["played_at"].min().strftime("%Y-%m-%d %H:%M") == min(truth)[0]
    assert report.plays_note == f"{len(truth):,} plays from 2020-09 to 2021-09 imported"


def test_a_version_6_store_keeps_its_plays_as_events(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db["schema_version"].create({"id": int, "version": int}, pk="id")
    for migration in MIGRATIONS[:6]:
        migration(db)
    db["schema_version"].insert({"id": 1, "version": 6})
    db["libraries"].insert({"id": 1, "name": "old", "kind": "import", "owner": "", "created_at": "", "opened_at": ""})
    old = [(1, "k:a", "2020-12-07 23:03", 1000), (1, "k:a", "2020-12-07 23:03", 5000),  # the old key let both in
           (1, "k:a", "2021-01-01T10:00:00Z", 2000), (1, "k:b", "2020-12-07 23:03", 3000)]
    db.conn.executemany("insert into plays values (?, ?, ?, ?)", old)
    db.conn.commit()
    db.close()

    store = Store(path)
    assert store.version == len(MIGRATIONS) >= 7
    plays = store.plays(1)
    assert plays.assign(played_at=plays["played_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))[
        ["played_at", "key", "ms_played"]].values.tolist() == [
        ["2020-12-07T23:03:00Z", "k:a", 5000], ["2020-12-07T23:03:00Z", "k:b", 3000],
        ["2021-01-01T10:00:00Z", "k:a", 2000]]
    new, known = store.add_plays(1, plays.assign(played_at=plays["played_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")))
    assert (new, known) == (0, 3)
    store.close()
