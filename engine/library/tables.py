"""Library tables of the store: libraries, deduplicated tracks, playlists, plays, features and runs.

A track's key is its Spotify id when known, else 'k:' + a hash of its folded primary artist and
title. Rows without an id join an existing track of the same artist and title (so one song brought
by an Exportify CSV and by an old account export is one track); when an id arrives later for an
id-less track, that track is re-keyed everywhere. Every write is one transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.library.migrations import TRACK_COLUMNS
from engine.schema import SCHEMA
from engine.textnorm import track_keys

_TRACK_FIELDS = [c for c in TRACK_COLUMNS if c not in ("key", "match_key")]
_FEATURE_COLUMNS = FEATURES + [f"{f}_confidence" for f in FEATURES] + ["confidence"]
_CHUNK = 900  # SQLite's bound-parameter limit


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _hash_key(match_key: str) -> str:
    return "k:" + hashlib.sha1(match_key.encode()).hexdigest()[:16]


def _clean(value):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


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
            for table in ("library_tracks", "plays", "runs"):
                self.db.execute(f"delete from {table} where library_id = ?", [library_id])
            self.db.execute("delete from playlist_tracks where playlist_id in "
                            "(select id from playlists where library_id = ?)", [library_id])
            self.db.execute("delete from playlists where library_id = ?", [library_id])
            self.db.execute("delete from libraries where id = ?", [library_id])

    # --- tracks --------------------------------------------------------------------------------
    def add_tracks(self, library_id: int, frame: pd.DataFrame, *, saved: bool = True,
                   playlist: dict | None = None, run_id: int | None = None, cursor: dict | None = None) -> list[str]:
        """Upsert normalized rows into the library; returns their keys in row order.

        frame: SCHEMA columns, optionally the 8 FEATURES and `source` ('export' / 'spotify').
        playlist: {'id', 'name', 'spotify_id'?, 'snapshot_id'?, 'offset'?}; rows become its items
        from position `offset` on. cursor is saved to run_id in the same transaction, so a sync
        resumes exactly after the last page written.
        """
        with self.transaction():
            mkeys = track_keys(frame).tolist()
            keys = self._resolve_keys(frame, mkeys)
            self._upsert_tracks(frame, keys, mkeys)
            stamp = now()
            self.db.conn.executemany(
                "insert into library_tracks (library_id, key, added_at, saved) values (?, ?, ?, ?) "
                "on conflict(library_id, key) do update set saved = max(saved, excluded.saved)",
                [(library_id, k, stamp, int(saved)) for k in dict.fromkeys(keys)])
            if playlist is not None:
                self._add_playlist_items(library_id, playlist, keys)
            self._store_given_features(frame, keys)
            self._write_cursor(run_id, cursor)
        return keys

    def _write_cursor(self, run_id: int | None, cursor: dict | None) -> None:
        if run_id is not None and cursor is not None:
            self.db.execute("update runs set cursor = ? where id = ?", [json.dumps(cursor), run_id])

    def _resolve_keys(self, frame: pd.DataFrame, mkeys: list[str]) -> list[str]:
        ids = frame["track_id"].fillna("").map(str).tolist() if "track_id" in frame else [""] * len(frame)
        known = self._existing_by_match(set(mkeys))
        keys = []
        for track_id, mkey in zip(ids, mkeys):
            if len(track_id) == 22:
                stale = known.get(mkey)
                if stale and stale.startswith("k:"):  # the id-less twin becomes this id
                    self._rekey(stale, track_id)
                    known[mkey] = track_id
                keys.append(track_id)
                known.setdefault(mkey, track_id)
            else:
                key = known.get(mkey) or _hash_key(mkey)
                known[mkey] = key
                keys.append(key)
        return keys

    def _existing_by_match(self, mkeys: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        items = list(mkeys)
        for start in range(0, len(items), _CHUNK):
            chunk = items[start:start + _CHUNK]
            sql = f"select match_key, key from tracks where match_key in ({','.join('?' * len(chunk))}) order by key"
            for mkey, key in self.db.execute(sql, chunk).fetchall():
                if mkey not in found or found[mkey].startswith("k:"):
                    found[mkey] = key
        return found

    def _rekey(self, old: str, new: str) -> None:
        exists = self.db.execute("select 1 from tracks where key = ?", [new]).fetchone()
        for table in ("library_tracks", "playlist_tracks", "plays", "features"):
            self.db.execute(f"update or ignore {table} set key = ? where key = ?", [new, old])
            self.db.execute(f"delete from {table} where key = ?", [old])
        if exists:
            self.db.execute("delete from tracks where key = ?", [old])
        else:
            self.db.execute("update tracks set key = ?, track_id = ? where key = ?", [new, new, old])

    def _upsert_tracks(self, frame: pd.DataFrame, keys: list[str], mkeys: list[str]) -> None:
        rows = []
        for i, record in enumerate(frame.reindex(columns=_TRACK_FIELDS).to_dict("records")):
            row = {c: _clean(v) for c, v in record.items()}
            row = {c: (None if v == "" else v) for c, v in row.items()}
            row.update(key=keys[i], match_key=mkeys[i])
            if len(keys[i]) == 22:
                row["track_id"] = keys[i]
            rows.append(row)
        columns = list(TRACK_COLUMNS)
        # A field the new row leaves empty keeps what was stored, so a poorer source never erases data.
        updates = ", ".join(f"{c} = coalesce(excluded.{c}, tracks.{c})" for c in columns if c != "key")
        sql = (f"insert into tracks ({', '.join(columns)}) values ({', '.join('?' * len(columns))}) "
               f"on conflict(key) do update set {updates}")
        self.db.conn.executemany(sql, [[r.get(c) for c in columns] for r in rows])

    def _add_playlist_items(self, library_id: int, playlist: dict, keys: list[str]) -> None:
        playlist_id = f"{library_id}/{playlist['id']}"
        self.db.execute(
            "insert into playlists (id, library_id, name, spotify_id, snapshot_id) values (?, ?, ?, ?, ?) "
            "on conflict(id) do update set name = excluded.name, snapshot_id = excluded.snapshot_id",
            [playlist_id, library_id, playlist["name"], playlist.get("spotify_id"), playlist.get("snapshot_id")])
        offset = int(playlist.get("offset", 0))
        self.db.conn.executemany(
            "insert or replace into playlist_tracks (playlist_id, position, key) values (?, ?, ?)",
            [(playlist_id, offset + i, key) for i, key in enumerate(keys)])

    def _store_given_features(self, frame: pd.DataFrame, keys: list[str]) -> None:
        if not set(FEATURES) <= set(frame.columns):
            return
        values = frame[FEATURES].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        sources = frame["source"].fillna("").map(str).tolist() if "source" in frame else ["export"] * len(frame)
        rows = [(key, src or "export", *map(float, vals), *[1.0] * len(FEATURES), 1.0, now())
                for key, src, vals in zip(keys, sources, values) if np.isfinite(vals).all()]
        self._write_features(rows)

    def _write_features(self, rows: list[tuple]) -> None:
        columns = ["key", "source", *_FEATURE_COLUMNS, "updated_at"]
        self.db.conn.executemany(
            f"insert or replace into features ({', '.join(columns)}) values ({', '.join('?' * len(columns))})", rows)

    def save_enrichment(self, keys: list[str], enriched: pd.DataFrame) -> None:
        """Store catalog and predicted values with their confidences (export/spotify rows are already in)."""
        mask = enriched["source"].isin(["catalog", "predicted"]).to_numpy()
        values = enriched.loc[mask, _FEATURE_COLUMNS].to_numpy(dtype=float)
        stamp = now()
        rows = [(k, s, *map(float, v), stamp) for k, s, v in
                zip(np.asarray(keys)[mask], enriched.loc[mask, "source"], values)]
        with self.transaction():
            self._write_features(rows)

    def add_plays(self, library_id: int, keys: list[str], played_at: list[str], ms_played: list[int]) -> int:
        """Plays are user signals (counts, listening time), never model inputs. Re-imports are idempotent;
        returns how many plays were new (an ignored duplicate counts 0 in rowcount)."""
        with self.transaction():
            return self.db.conn.executemany(
                "insert or ignore into plays (library_id, key, played_at, ms_played) values (?, ?, ?, ?)",
                [(library_id, k, t, int(ms)) for k, t, ms in zip(keys, played_at, ms_played)]).rowcount

    def library_size(self, library_id: int) -> int:
        return self.db.execute("select count(*) from library_tracks where library_id = ?", [library_id]).fetchone()[0]
