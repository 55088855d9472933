"""Store methods a Spotify sync needs beyond add_tracks: cursors, playlist upkeep, genres, features.

Mixed into Store (with LibraryTables, which has `_write_cursor`); `self.db` is a sqlite_utils.Database.
Every write is one transaction, and a cursor given is written in the same transaction as the data it
follows. Genres belong to the syncing library like all metadata; audio features Spotify served for a
Spotify id are the one shared value (they come from Spotify itself, not from anyone's file).
"""

from __future__ import annotations

import json

import pandas as pd

from engine.library.tables import SHARED, staging_id
from engine.schema import is_spotify_id


class SyncTables:
    def save_cursor(self, run_id: int, cursor: dict) -> None:
        with self.transaction():
            self._write_cursor(run_id, cursor)

    def last_sync_cursor(self, library_id: int) -> dict:
        """The cursor the library's latest finished sync ended with ({} if none): what the next one builds on."""
        rows = list(self.db.query("select cursor from runs where library_id = ? and kind = 'sync' and status = 'done' "
                                  "order by id desc limit 1", [library_id]))
        return json.loads(rows[0]["cursor"] or "{}") if rows else {}

    def clear_playlist(self, library_id: int, playlist_id: str, staged_only: bool = False) -> None:
        """Drop a playlist's items and any half-fetched new ones; `staged_only`: only those (a fetch
        starting again from position 0 keeps the stored items until its last page)."""
        stored = f"{library_id}/{playlist_id}"
        with self.transaction():
            self.db.execute("delete from playlist_tracks where playlist_id = ?", [staging_id(stored)])
            if not staged_only:
                self.db.execute("delete from playlist_tracks where playlist_id = ?", [stored])

    def playlist_snapshots(self, library_id: int) -> dict[str, str]:
        """Spotify playlist id -> snapshot id stored by the last sync."""
        rows = self.db.query("select spotify_id, snapshot_id from playlists where library_id = ? "
                             "and spotify_id is not null", [library_id])
        return {r["spotify_id"]: r["snapshot_id"] for r in rows}

    def remove_playlists_except(self, library_id: int, spotify_ids: set[str]) -> int:
        """Forget this library's Spotify playlists that the account no longer has; returns how many."""
        gone = [r["id"] for r in self.db.query(
            "select id, spotify_id from playlists where library_id = ? and spotify_id is not null", [library_id])
            if r["spotify_id"] not in spotify_ids]
        with self.transaction():
            for playlist_id in gone:
                self.db.execute("delete from playlist_tracks where playlist_id = ?", [playlist_id])
                self.db.execute("delete from playlists where id = ?", [playlist_id])
        return len(gone)

    def set_genres(self, library_id: int, genres_by_key: dict[str, str], run_id: int | None = None,
                   cursor: dict | None = None) -> None:
        """Replace the library's tracks' ';'-joined genres (empty values are skipped: no source erases genres)."""
        with self.transaction():
            self.db.conn.executemany("update library_tracks set genres = ? where library_id = ? and key = ?",
                                     [(g, library_id, k) for k, g in genres_by_key.items() if g])
            self._write_cursor(run_id, cursor)

    def add_given_features(self, keys: list[str], frame: pd.DataFrame, run_id: int | None = None,
                           cursor: dict | None = None) -> None:
        """Audio features Spotify served for these Spotify ids (frame: the 8 FEATURES per key), shared by
        every library holding the id; out-of-range values are left out like an import's."""
        with self.transaction():
            ids = [is_spotify_id(str(k)) for k in keys]
            frame = self._checked(frame.reset_index(drop=True)[ids])
            self._store_given_features(frame, [k for k, ok in zip(keys, ids) if ok], SHARED, source="spotify")
            self._write_cursor(run_id, cursor)

    def prune_library(self, library_id: int, saved_keys: list[str]) -> int:
        """Mirror the account after a full sync: only `saved_keys` stay saved, and tracks neither saved
        nor in any of the library's playlists leave the library. Returns how many left."""
        with self.transaction():
            self.db.execute("create temp table if not exists _saved_now (key text primary key)")
            self.db.execute("delete from _saved_now")
            self.db.conn.executemany("insert or ignore into _saved_now values (?)", [(k,) for k in saved_keys])
            self.db.execute("update library_tracks set saved = (key in (select key from _saved_now)) "
                            "where library_id = ?", [library_id])
            gone = self.db.execute(
                "delete from library_tracks where library_id = ? and saved = 0 and key not in "
                "(select pt.key from playlist_tracks pt join playlists p on p.id = pt.playlist_id "
                " where p.library_id = ?)", [library_id, library_id]).rowcount
            self.db.execute("delete from _saved_now")
        return gone
