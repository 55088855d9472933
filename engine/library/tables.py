"""Library tables of the store: libraries, their tracks, playlists, plays, features and runs.

A track's key is its Spotify id when known, else 'k:' + a hash of its folded primary artist and
title. Within a library, rows without an id join the library's track of the same artist and title
(so one song brought by an Exportify CSV and by an old account export is one track); when an id
arrives later for an id-less track, the library's rows are re-keyed. What a file brings belongs to
its library: metadata is kept per library (library_tracks) and export features carry the library's
id, so no library's file changes what another sees. Every write is one transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.library.prepared import TRACK_FIELDS, PreparedTracks, clean, prepare_tracks
from engine.library.ranges import within_ranges
from engine.schema import is_spotify_id

SHARED = 0  # features.library_id of values every library reads: only what Spotify served for an id
_FEATURE_COLUMNS = FEATURES + [f"{f}_confidence" for f in FEATURES] + ["confidence"]
_CHUNK = 900  # SQLite's bound-parameter limit


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _hash_key(match_key: str) -> str:
    return "k:" + hashlib.sha1(match_key.encode()).hexdigest()[:16]


class LibraryTables:
    """Mixed into Store; `self.db` is a sqlite_utils.Database."""

    # --- libraries -----------------------------------------------------------------------------
    def create_library(self, name: str, kind: str, owner: str = "") -> int:
        with self.transaction():
            table = self.db["libraries"].insert({"name": name, "kind": kind, "owner": owner,
                                                 "created_at": now(), "opened_at": now()})
        return table.last_pk

    def find_library(self, kind: str, owner: str = "", name: str | None = None) -> int | None:
        where, args = "kind = ? and owner = ?", [kind, owner]
        if name is not None:
            where, args = where + " and name = ?", args + [name]
        rows = list(self.db.query(f"select id from libraries where {where} order by id limit 1", args))
        return rows[0]["id"] if rows else None

    def touch_library(self, library_id: int) -> None:
        with self.transaction():
            self.db.execute("update libraries set opened_at = ? where id = ?", [now(), library_id])

    def libraries(self) -> pd.DataFrame:
        """Most recently opened first, with track counts."""
        sql = """select l.id as library_id, l.name, l.kind, l.owner, l.created_at, l.opened_at,
                        (select count(*) from library_tracks t where t.library_id = l.id) as tracks
                 from libraries l order by l.opened_at desc, l.id desc"""
        return pd.DataFrame(list(self.db.query(sql)),
                            columns=["library_id", "name", "kind", "owner", "created_at", "opened_at", "tracks"])

    def delete_library(self, library_id: int) -> None:
        with self.transaction():
            for table in ("library_tracks", "plays", "episode_plays", "runs", "features"):
                self.db.execute(f"delete from {table} where library_id = ?", [library_id])
            # Every playlist id is 'library/…', staged ones (no playlists row yet) included.
            self.db.execute("delete from playlist_tracks where playlist_id like ?", [f"{library_id}/%"])
            self.db.execute("delete from playlists where library_id = ?", [library_id])
            self.db.execute("delete from libraries where id = ?", [library_id])

    # --- tracks --------------------------------------------------------------------------------
    def add_tracks(self, library_id: int, frame: pd.DataFrame | PreparedTracks, *, saved: bool = True,
                   playlist: dict | None = None, run_id: int | None = None, cursor: dict | None = None) -> list[str]:
        """Upsert normalized rows into the library; returns their keys in row order.

        frame: SCHEMA columns, optionally the 8 FEATURES (stored as this library's 'export' values), or
        the same already prepared (engine.library.prepared); either way the rows are prepared before the
        write lock is taken, which then covers only key lookups and inserts. Out-of-range values are left
        out and counted in `last_dropped`. playlist: {'id', 'name', 'spotify_id'?, 'snapshot_id'?,
        'offset'?}; rows become its items from position `offset` on. cursor is saved to run_id in the same
        transaction, so a sync resumes exactly after the last page written.
        """
        ready = frame if isinstance(frame, PreparedTracks) else prepare_tracks(frame)
        with self.transaction():
            self._local.dropped.update(ready.dropped)  # the outermost transaction's count (Store.last_dropped)
            keys = self._resolve_keys(library_id, ready.ids, ready.match_keys)
            self._upsert_tracks(library_id, ready, keys, saved)
            if playlist is not None:
                self._add_playlist_items(library_id, playlist, keys)
            stamp = now()
            self._write_features([(keys[i], "export", library_id, *values, *[1.0] * len(FEATURES), 1.0, stamp)
                                  for i, values in ready.features])
            self._write_cursor(run_id, cursor)
        return keys

    def _checked(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame, dropped = within_ranges(frame)
        self._local.dropped.update(dropped)  # the outermost transaction's count (Store.last_dropped)
        return frame

    def _write_cursor(self, run_id: int | None, cursor: dict | None) -> None:
        if run_id is not None and cursor is not None:
            self.db.execute("update runs set cursor = ? where id = ?", [json.dumps(cursor), run_id])

    def _resolve_keys(self, library_id: int, ids: list[str], mkeys: list[str]) -> list[str]:
        known = self._existing_by_match(library_id, set(mkeys))
        keys = []
        for track_id, mkey in zip(ids, mkeys):
            if is_spotify_id(track_id):
                stale = known.get(mkey)
                if stale and stale.startswith("k:"):  # the id-less twin becomes this id
                    self._rekey(library_id, stale, track_id)
                    known[mkey] = track_id
                keys.append(track_id)
                known.setdefault(mkey, track_id)
            else:
                key = known.get(mkey) or _hash_key(mkey)
                known[mkey] = key
                keys.append(key)
        # An id-less row before its id'd twin in the same batch takes the id too (not only stored rows).
        return [known[m] if key.startswith("k:") else key for key, m in zip(keys, mkeys)]

    def _existing_by_match(self, library_id: int, mkeys: set[str]) -> dict[str, str]:
        """This library's track key per match key, an id'd key preferred."""
        found: dict[str, str] = {}
        items = list(mkeys)
        for start in range(0, len(items), _CHUNK):
            chunk = items[start:start + _CHUNK]
            sql = (f"select match_key, key from library_tracks where library_id = ? and "
                   f"match_key in ({','.join('?' * len(chunk))}) order by key")
            for mkey, key in self.db.execute(sql, [library_id, *chunk]).fetchall():
                if mkey not in found or found[mkey].startswith("k:"):
                    found[mkey] = key
        return found

    def _rekey(self, library_id: int, old: str, new: str) -> None:
        """Move this library's rows from `old` to `new`; other libraries keep their id-less key."""
        scopes = {"library_tracks": "library_id = :lib", "plays": "library_id = :lib", "features": "library_id = :lib",
                  "playlist_tracks": "playlist_id like :playlists"}  # staged items too
        args = {"lib": library_id, "old": old, "new": new, "playlists": f"{library_id}/%"}
        for table, scope in scopes.items():
            self.db.execute(f"update or ignore {table} set key = :new where key = :old and {scope}", args)
            self.db.execute(f"delete from {table} where key = :old and {scope}", args)

    def _upsert_tracks(self, library_id: int, ready: PreparedTracks, keys: list[str], saved: bool) -> None:
        columns = ["library_id", "key", "added_at", "saved", "match_key", *TRACK_FIELDS]
        at_id, stamp = columns.index("track_id"), now()
        rows = []
        for key, mkey, fields in zip(keys, ready.match_keys, ready.fields):
            row = [library_id, key, stamp, int(saved), mkey, *fields]
            if is_spotify_id(key):
                row[at_id] = key
            rows.append(row)
        # A field the new row leaves empty keeps what was stored, so a poorer source never erases data.
        kept = ("library_id", "key", "added_at", "saved")
        updates = ", ".join(f"{c} = coalesce(excluded.{c}, library_tracks.{c})" for c in columns if c not in kept)
        sql = (f"insert into library_tracks ({', '.join(columns)}) values ({', '.join('?' * len(columns))}) "
               f"on conflict(library_id, key) do update set saved = max(saved, excluded.saved), {updates}")
        self.db.conn.executemany(sql, rows)

    def _add_playlist_items(self, library_id: int, playlist: dict, keys: list[str]) -> None:
        """A `staged` playlist (a sync's re-fetch) collects its pages aside; its `complete` page replaces
        the stored items and name in the same transaction, so a fetch failing half-way shows the old ones."""
        playlist_id = f"{library_id}/{playlist['id']}"
        target = staging_id(playlist_id) if playlist.get("staged") else playlist_id
        if not playlist.get("staged") or playlist.get("complete"):
            self.db.execute(
                "insert into playlists (id, library_id, name, spotify_id, snapshot_id) values (?, ?, ?, ?, ?) "
                "on conflict(id) do update set name = excluded.name, snapshot_id = excluded.snapshot_id",
                [playlist_id, library_id, playlist["name"], playlist.get("spotify_id"), playlist.get("snapshot_id")])
        offset = int(playlist.get("offset", 0))
        self.db.conn.executemany(
            "insert or replace into playlist_tracks (playlist_id, position, key) values (?, ?, ?)",
            [(target, offset + i, key) for i, key in enumerate(keys)])
        if playlist.get("staged") and playlist.get("complete"):
            self.db.execute("delete from playlist_tracks where playlist_id = ?", [playlist_id])
            self.db.execute("update playlist_tracks set playlist_id = ? where playlist_id = ?", [playlist_id, target])

    def _store_given_features(self, frame: pd.DataFrame, keys: list[str], library_id: int,
                              source: str = "export") -> None:
        """Rows with at least one real feature; a value left out by the range check is stored empty."""
        if not set(FEATURES) <= set(frame.columns):
            return
        values = frame[FEATURES].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        stamp = now()
        rows = [(key, source, library_id, *map(clean, vals), *[1.0] * len(FEATURES), 1.0, stamp)
                for key, vals in zip(keys, values.tolist()) if np.isfinite(vals).any()]
        self._write_features(rows)

    def _write_features(self, rows: list[tuple]) -> None:
        columns = ["key", "source", "library_id", *_FEATURE_COLUMNS, "updated_at"]
        # A value left out (empty) keeps the one stored: a poorer file never erases a real value.
        updates = ", ".join(f"{c} = coalesce(excluded.{c}, features.{c})" for c in columns[3:])
        self.db.conn.executemany(
            f"insert into features ({', '.join(columns)}) values ({', '.join('?' * len(columns))}) "
            f"on conflict(key, source, library_id) do update set {updates}", rows)

    def save_file_headers(self, headers: dict[str, list[str]]) -> None:
        """Each file's list of unread headers, once (engine.library.file_columns)."""
        if headers:
            self.db.conn.executemany("insert or ignore into file_headers (id, headers) values (?, ?)",
                                     [(k, json.dumps(v, ensure_ascii=False)) for k, v in headers.items()])

    def file_headers(self) -> dict[str, list[str]]:
        return {row[0]: json.loads(row[1]) for row in self.db.execute("select id, headers from file_headers")}

    def library_version(self, library_id: int, online_provider: str | None = None) -> str:
        """Changes whenever the library's tracks or its runs change (three indexed counts), and, with
        `online_provider`, whenever more of its real values have arrived from that provider: what a cached
        enriched library is keyed by. Without a provider (a reader who has not agreed to online lookups)
        the version ends ':offline' and another account's lookups never change it."""
        row = self.db.execute(
            "select (select count(*) from library_tracks where library_id = ?),"
            " (select coalesce(max(rowid), 0) from library_tracks where library_id = ?),"
            " (select coalesce(max(id), 0) from runs where library_id = ?)",
            [library_id, library_id, library_id]).fetchone()
        membership = ":".join(map(str, row))
        if online_provider is None:
            return membership + OFFLINE_VERSION
        return f"{membership}:{self.online_found(online_provider, library_id)}"

    def library_size(self, library_id: int) -> int:
        return self.db.execute("select count(*) from library_tracks where library_id = ?", [library_id]).fetchone()[0]


OFFLINE_VERSION = ":offline"  # the end of a library_version without online values


def staging_id(playlist_id: str) -> str:
    """Where a re-fetched playlist's pages wait until the last one (no `playlists` row points here)."""
    return f"{playlist_id}#fetching"
