"""The store's schema, one function per version. Never edit a released migration; append a new one."""

from __future__ import annotations

import pandas as pd
import sqlite_utils

from engine.config import DURATION_RANGE_MS, FEATURE_RANGES, FEATURES
from engine.textnorm import track_keys

TRACK_COLUMNS = {
    "key": str, "track_id": str, "title": str, "artists": str, "album": str, "release_date": str,
    "duration_ms": float, "explicit": float, "track_number": float, "album_total_tracks": float,
    "genres": str, "moods": str, "match_key": str,
}


def m1_prediction_cache(db: sqlite_utils.Database) -> None:
    db["prediction_cache"].create({"key": str, "payload": str}, pk="key")


def m2_libraries(db: sqlite_utils.Database) -> None:
    """Libraries, deduplicated tracks, playlists, plays, features by source, and import/sync runs."""
    db["libraries"].create({"id": int, "name": str, "kind": str, "owner": str, "created_at": str,
                            "opened_at": str}, pk="id")
    db["tracks"].create(TRACK_COLUMNS, pk="key")
    db["tracks"].create_index(["match_key"])
    db["tracks"].create_index(["track_id"])
    db["library_tracks"].create({"library_id": int, "key": str, "added_at": str, "saved": int},
                                pk=("library_id", "key"), foreign_keys=[("library_id", "libraries", "id")])
    db["playlists"].create({"id": str, "library_id": int, "name": str, "spotify_id": str, "snapshot_id": str},
                           pk="id", foreign_keys=[("library_id", "libraries", "id")])
    db["playlist_tracks"].create({"playlist_id": str, "position": int, "key": str},
                                 pk=("playlist_id", "position"))
    db["playlist_tracks"].create_index(["key"])
    db["plays"].create({"library_id": int, "key": str, "played_at": str, "ms_played": int},
                       pk=("library_id", "key", "played_at", "ms_played"))
    feature_columns = {"key": str, "source": str, **{f: float for f in FEATURES},
                       **{f"{f}_confidence": float for f in FEATURES}, "confidence": float, "updated_at": str}
    db["features"].create(feature_columns, pk=("key", "source"))
    db["runs"].create({"id": int, "library_id": int, "kind": str, "status": str, "started_at": str,
                       "finished_at": str, "cursor": str, "detail": str}, pk="id")
    db["runs"].create_index(["library_id", "kind", "status"])



# m3 on: what a library brings belongs to it. Track metadata lives in library_tracks (no shared
# `tracks` rows any more), and features carry the library that brought them (0: shared, which
# only Spotify's own values are).
OWNED_TRACK_COLUMNS = {
    "library_id": int, "key": str, "added_at": str, "saved": int, "match_key": str, "track_id": str,
    "title": str, "artists": str, "album": str, "release_date": str, "duration_ms": float, "explicit": float,
    "track_number": float, "album_total_tracks": float, "genres": str, "moods": str,
}
OWNED_FEATURE_COLUMNS = {"key": str, "source": str, "library_id": int, **{f: float for f in FEATURES},
                         **{f"{f}_confidence": float for f in FEATURES}, "confidence": float, "updated_at": str}


def m3_library_ownership(db: sqlite_utils.Database) -> None:
    """Per-library track metadata and features; out-of-range stored values cleared (issue 14)."""
    db["library_tracks_owned"].create(OWNED_TRACK_COLUMNS, pk=("library_id", "key"),
                                      foreign_keys=[("library_id", "libraries", "id")])
    meta = [c for c in OWNED_TRACK_COLUMNS if c not in ("library_id", "key", "added_at", "saved")]
    db.execute(f"insert into library_tracks_owned select lt.library_id, lt.key, lt.added_at, lt.saved, "
               f"{', '.join('t.' + c for c in meta)} from library_tracks lt left join tracks t on t.key = lt.key")
    db.execute("drop table library_tracks")
    db.execute("drop table tracks")
    db.execute("alter table library_tracks_owned rename to library_tracks")
    db["library_tracks"].create_index(["library_id", "match_key"])

    db["features_owned"].create(OWNED_FEATURE_COLUMNS, pk=("key", "source", "library_id"))
    values = [c for c in OWNED_FEATURE_COLUMNS if c not in ("key", "source", "library_id")]
    listed = ", ".join(values)
    db.execute(f"insert into features_owned select key, source, 0, {listed} from features where source = 'spotify'")
    # Until now one library's values were every library's: each library holding the track keeps them.
    db.execute(f"insert into features_owned select f.key, f.source, lt.library_id, {', '.join('f.' + c for c in values)} "
               "from features f join library_tracks lt on lt.key = f.key where f.source != 'spotify'")
    db.execute("drop table features")
    db.execute("alter table features_owned rename to features")
    db["features"].create_index(["library_id"])
    for feature, (low, high) in FEATURE_RANGES.items():
        db.execute(f"update features set {feature} = null where not ({feature} between ? and ?)", [low, high])
    db.execute("update library_tracks set duration_ms = null where not (duration_ms between ? and ?)",
               list(DURATION_RANGE_MS))


def m4_library_accounts(db: sqlite_utils.Database) -> None:
    """Every library gets an owning account ('' = the local user; see engine/library/accounts.py)."""
    db.execute("alter table libraries add column account text not null default ''")
    db["libraries"].create_index(["account"])


def m5_online_lookups(db: sqlite_utils.Database) -> None:
    """Spotify ids an online source was asked about and did not know, and when (issue 13): a re-run
    skips them until the answer is old enough to ask again. Found values live in `features`."""
    db["online_misses"].create({"provider": str, "track_id": str, "checked_at": str}, pk=("provider", "track_id"))
    db["features"].create_index(["source", "library_id"])


def m6_version_match_keys(db: sqlite_utils.Database) -> None:
    """Stored match keys under the version rule of issue 12 (engine/textnorm.py): without it, an id-less
    'Song - Radio Edit' imported again would miss the row stored under the old key and be added twice."""
    rows = pd.DataFrame(list(db.query("select rowid, title, artists, match_key from library_tracks")),
                        columns=["rowid", "title", "artists", "match_key"])
    if rows.empty:
        return
    rows["new"] = track_keys(rows.fillna({"title": "", "artists": ""}))
    changed = rows[rows["new"] != rows["match_key"]]
    db.conn.executemany("update library_tracks set match_key = ? where rowid = ?",
                        list(zip(changed["new"], changed["rowid"].astype(int).tolist())))


def utc_stamp_sql(column: str) -> str:
    """SQL turning an old stored stamp ('2020-12-07 23:03' or '2022-11-12T13:59:51Z', both UTC) into the
    one form plays keep from m7 on: 'YYYY-MM-DDTHH:MM:SSZ'."""
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', replace(replace({column}, 'T', ' '), 'Z', ''))"


def m7_play_events(db: sqlite_utils.Database) -> None:
    """Plays as events (issue 23): one per track and UTC second, whatever file or re-import brought it
    (the old key also held ms_played, so the same play with another length counted twice), plus
    `skipped` where the file records it (extended history; NULL otherwise)."""
    db["play_events"].create({"library_id": int, "key": str, "played_at": str, "ms_played": int, "skipped": int},
                             pk=("library_id", "key", "played_at"), not_null={"library_id", "key", "played_at"})
    # Of two stored plays of one track at one stamp, the longer stays.
    db.execute(f"insert or ignore into play_events (library_id, key, played_at, ms_played) "
               f"select library_id, key, {utc_stamp_sql('played_at')}, ms_played from plays "
               f"where {utc_stamp_sql('played_at')} is not null order by ms_played desc")
    db.execute("drop table plays")
    db.execute("alter table play_events rename to plays")
    db["plays"].create_index(["library_id", "played_at"])


def m8_file_columns(db: sqlite_utils.Database) -> None:
    """The columns a listener's file had that Tunescope does not read, as JSON per track (issue 18:
    the enriched CSV dropped popularity, key, mode, loudness, label, added-at; engine/library/file_columns.py)."""
    if "file_columns" not in db["library_tracks"].columns_dict:  # a store rewound to an earlier version (tests) may have it
        db.execute("alter table library_tracks add column file_columns text")


def m9_no_derived_features(db: sqlite_utils.Database) -> None:
    """Catalog and predicted values are derived on every read (the prediction cache keeps them); the rows
    earlier versions wrote for them were never read, so they go (issue 27)."""
    db.execute("delete from features where source in ('catalog', 'predicted')")


def m10_file_headers(db: sqlite_utils.Database) -> None:
    """Each file's unread headers stored once, rows keeping only their cells (issue 30: headers repeated in
    every row let a 5 KB upload grow the store by 1.5 GB; engine/library/file_columns.py)."""
    db["file_headers"].create({"id": str, "headers": str}, pk="id", not_null={"headers"}, if_not_exists=True)


def m11_episode_plays(db: sqlite_utils.Database) -> None:
    """Podcast episodes as plays of their own (issue 29): never tracks, so nothing predicts, clusters or
    recommends them, and Listening shows them apart from music (engine/library/podcasts.py)."""
    db["episode_plays"].create({"library_id": int, "show": str, "episode": str, "played_at": str, "ms_played": int},
                               pk=("library_id", "show", "episode", "played_at"),
                               not_null={"library_id", "show", "played_at"}, if_not_exists=True)


MIGRATIONS = [m1_prediction_cache, m2_libraries, m3_library_ownership, m4_library_accounts, m5_online_lookups,
              m6_version_match_keys, m7_play_events, m8_file_columns,
              m9_no_derived_features, m10_file_headers, m11_episode_plays]
