"""The store's schema, one function per version. Never edit a released migration; append a new one."""

from __future__ import annotations

import sqlite_utils

from engine.config import FEATURES

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


def m3_library_accounts(db: sqlite_utils.Database) -> None:
    """Every library gets an owning account ('' = the local user; see engine/library/accounts.py)."""
    db.execute("alter table libraries add column account text not null default ''")
    db["libraries"].create_index(["account"])


MIGRATIONS = [m1_prediction_cache, m2_libraries, m3_library_accounts]
