"""The per-user SQLite store under TUNESCOPE_HOME (sqlite-utils), versioned by migrations.

Tables (engine/library/migrations.py): the content-keyed prediction cache; libraries, tracks, library
membership, playlists and their items, plays, features by source, and import/sync runs.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlite_utils

from engine.config import FEATURES, home_dir
from engine.library.accounts import LibraryAccounts
from engine.library.tables import LibraryTables, now
from engine.library.migrations import MIGRATIONS
from engine.schema import NUMERIC_COLUMNS, SCHEMA, TEXT_COLUMNS
from engine.library.sync_tables import SyncTables

__all__ = ["MIGRATIONS", "Store"]

LIBRARY_COLUMNS = ["key", *SCHEMA, "saved", "plays", "ms_played", *FEATURES, "source"]


class Store(LibraryAccounts, LibraryTables, SyncTables):
    """Open (and migrate) the store; `Store(":memory:")` for tests."""

    def __init__(self, path: str | Path | None = None):
        path = str(path if path is not None else home_dir() / "tunescope.db")
        # Streamlit reruns a script on other threads; each call still uses the connection serially.
        self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        self._depth = 0
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    @contextmanager
    def transaction(self):
        """Commit on success, roll back on error; nested uses join the outermost transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self.db.conn:
                yield
        finally:
            self._depth = 0

    def _migrate(self) -> None:
        self.db["schema_version"].create({"id": int, "version": int}, pk="id", if_not_exists=True)
        row = list(self.db.query("select version from schema_version where id = 1"))
        version = row[0]["version"] if row else 0
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                migration(self.db)
                self.db["schema_version"].upsert({"id": 1, "version": number}, pk="id")

    @property
    def version(self) -> int:
        return next(self.db.query("select version from schema_version where id = 1"))["version"]

    def cached_predictions(self, keys: list[str]) -> dict[str, dict]:
        """payloads by key for those keys already cached."""
        found: dict[str, dict] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 900):  # SQLite's bound-parameter limit
            chunk = unique[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for key, payload in self.db.execute(f"select key, payload from prediction_cache where key in ({marks})", chunk):
                found[key] = json.loads(payload)
        return found

    def cache_predictions(self, payloads: dict[str, dict]) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "insert or replace into prediction_cache (key, payload) values (?, ?)",
                [(k, json.dumps(v)) for k, v in payloads.items()],
            )

    # --- runs: every import and sync, with a cursor a sync resumes from ------------------------
    def start_run(self, library_id: int, kind: str, detail: dict | None = None) -> int:
        with self.transaction():
            table = self.db["runs"].insert({"library_id": library_id, "kind": kind, "status": "running",
                                            "started_at": now(), "cursor": "{}", "detail": json.dumps(detail or {})})
        return table.last_pk

    def unfinished_run(self, library_id: int, kind: str) -> dict | None:
        """The latest run of this kind that never finished (interrupted), with its cursor decoded."""
        rows = list(self.db.query("select * from runs where library_id = ? and kind = ? and status = 'running' "
                                  "order by id desc limit 1", [library_id, kind]))
        if not rows:
            return None
        return {**rows[0], "cursor": json.loads(rows[0]["cursor"] or "{}")}

    def finish_run(self, run_id: int, status: str = "done", detail: dict | None = None) -> None:
        with self.transaction():
            self.db.execute("update runs set status = ?, finished_at = ?, detail = ? where id = ?",
                            [status, now(), json.dumps(detail or {}), run_id])

    def runs(self, library_id: int) -> pd.DataFrame:
        return pd.DataFrame(list(self.db.query("select * from runs where library_id = ? order by id desc", [library_id])))

    # --- reading a library ---------------------------------------------------------------------
    def library_tracks(self, library_id: int) -> pd.DataFrame:
        """One row per distinct track: SCHEMA columns, `key`, `saved`, play count and minutes,
        and the 8 features where the user's data brought real ones (`source` export/spotify, else '')."""
        sql = """
          select t.*, lt.saved, coalesce(pl.names, '') as playlists, coalesce(y.n, 0) as plays,
                 coalesce(y.ms, 0) as ms_played
          from library_tracks lt join tracks t on t.key = lt.key
          left join (select key, group_concat(name, ';') as names from
                       (select distinct pt.key, p.name from playlist_tracks pt join playlists p on p.id = pt.playlist_id
                        where p.library_id = :lib) group by key) pl on pl.key = t.key
          left join (select key, count(*) as n, sum(ms_played) as ms from plays where library_id = :lib
                     group by key) y on y.key = t.key
          where lt.library_id = :lib order by lt.rowid"""
        frame = pd.DataFrame(list(self.db.query(sql, {"lib": library_id})))
        if frame.empty:
            return pd.DataFrame(columns=LIBRARY_COLUMNS)
        given = pd.DataFrame(list(self.db.query(
            "select f.* from features f join library_tracks lt on lt.key = f.key "
            "where lt.library_id = ? and f.source in ('spotify', 'export') order by f.source desc", [library_id])))
        frame = frame.drop(columns=["match_key"])
        for col in TEXT_COLUMNS:
            frame[col] = frame[col].fillna("")
        for col in [*NUMERIC_COLUMNS, "explicit"]:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        if not given.empty:  # 'spotify' sorts after 'export', so it wins the drop_duplicates
            given = given.drop_duplicates("key", keep="first").set_index("key")[FEATURES + ["source"]]
            frame = frame.join(given, on="key")
        else:
            frame = frame.assign(**{f: float("nan") for f in FEATURES}, source="")
        frame["source"] = frame["source"].fillna("")
        return frame[LIBRARY_COLUMNS]

    def library_playlists(self, library_id: int) -> pd.DataFrame:
        sql = """select p.id as playlist_id, p.name, p.spotify_id, count(pt.key) as tracks
                 from playlists p left join playlist_tracks pt on pt.playlist_id = p.id
                 where p.library_id = ? group by p.id order by p.name"""
        return pd.DataFrame(list(self.db.query(sql, [library_id])), columns=["playlist_id", "name", "spotify_id", "tracks"])

    def close(self) -> None:
        self.db.close()
