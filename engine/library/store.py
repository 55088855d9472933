"""The per-user SQLite store under TUNESCOPE_HOME (sqlite-utils), versioned by migrations.

Tables (engine/library/migrations.py): the content-keyed prediction cache; libraries, library
membership with each library's own track metadata, playlists and their items, plays, features by
source and owner, and import/sync runs.

Transactions are real: `with store.transaction():` opens BEGIN IMMEDIATE (nested uses are
SAVEPOINTs), so everything inside commits whole or not at all. Each thread has its own connection
(Streamlit runs every session's script on its own thread), and one writer at a time holds the
store's lock; WAL lets readers go on meanwhile. ":memory:" is a shared-cache memory database that
every thread's connection opens, read-uncommitted (its readers may see a writer's pending rows;
the dashboard always uses a file).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlite_utils

from engine.config import FEATURES, home_dir
from engine.library.file_columns import COLUMN as FILE_COLUMNS
from engine.library.accounts import LibraryAccounts
from engine.library.tables import LibraryTables, now
from engine.library.migrations import MIGRATIONS
from engine.library.online_tables import OnlineTables
from engine.library.play_tables import PlayTables
from engine.schema import NUMERIC_COLUMNS, SCHEMA, TEXT_COLUMNS
from engine.library.sync_tables import SyncTables

__all__ = ["MIGRATIONS", "Store"]

LIBRARY_COLUMNS = ["key", *SCHEMA, "saved", "plays", "ms_played", *FEATURES, "source", FILE_COLUMNS]
BUSY_TIMEOUT_S = 30  # another process (the CLI beside the dashboard) holding the write lock


# Real values by trust, per feature: the user's own file, then Spotify's values for the id, then an
# online provider's measurement in Spotify's scales (its own, so below Spotify's); the catalog and the
# predictor come after, in the enricher.
TRUST = {"export": 0, "spotify": 1, "reccobeats": 2}


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (0: no id was recorded: an older version's run)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting out another process that holds the store: switching needs a moment
    alone with it, and SQLite answers 'database is locked' at once instead of calling the busy handler."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Store(LibraryAccounts, LibraryTables, PlayTables, SyncTables, OnlineTables):
    """Open (and migrate) the store; `Store(":memory:")` for tests."""

    connection_class = sqlite3.Connection  # tests substitute a subclass that injects faults

    def __init__(self, path: str | Path | None = None):
        path = str(path if path is not None else home_dir() / "tunescope.db")
        self.memory = path == ":memory:"
        self._target = f"file:tunescope-{uuid.uuid4().hex}?mode=memory&cache=shared" if self.memory else path
        self._writer = threading.Lock()
        self._pool_lock = threading.Lock()
        self._by_thread: dict[threading.Thread, sqlite_utils.Database] = {}
        self._local = threading.local()
        self._migrate()
        try:
            self.close_interrupted_imports()
        except sqlite3.OperationalError:  # a full disk or a locked store: the next open tries again
            pass

    # --- connections and transactions ------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._claim()
        return db

    def _claim(self) -> sqlite_utils.Database:
        # Streamlit starts a thread per rerun: a finished thread's connection is reused, so the number
        # of open connections stays the number of threads alive at once.
        me = threading.current_thread()
        with self._pool_lock:
            dead = next((t for t in self._by_thread if not t.is_alive()), None)
            db = self._by_thread.pop(dead) if dead is not None else self._open()
            self._by_thread[me] = db
        return db

    def _open(self) -> sqlite_utils.Database:
        # isolation_level=None: the driver never opens a transaction by itself, so only transaction()
        # does, and sqlite-utils' writes join it instead of committing on their own.
        conn = sqlite3.connect(self._target, uri=self.memory, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_S, factory=self.connection_class)
        if self.memory:
            conn.execute("PRAGMA read_uncommitted = 1")
        else:
            _use_wal(conn)
        return sqlite_utils.Database(conn)

    @contextmanager
    def transaction(self):
        """Everything inside commits together or not at all. A nested use is a savepoint of the
        outermost: an inner failure its caller catches undoes only the inner writes."""
        db = self.db
        if db.conn.in_transaction:
            with db.atomic():
                yield
            return
        with self._writer:
            db.conn.execute("BEGIN IMMEDIATE")
            self._local.dropped = Counter()
            try:
                yield
                db.conn.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise

    @property
    def last_dropped(self) -> dict[str, int]:
        """Imported values this thread's last (or current) outermost transaction left out as out of
        range, by column: e.g. {'tempo': 1, 'energy': 2}. An import of one file in one transaction
        reads its own count here; see engine.library.ranges.dropped_note for the message."""
        return dict(getattr(self._local, "dropped", {}))

    def _migrate(self) -> None:
        # Another process (the CLI beside the dashboard) may open the same store at the same moment:
        # the version is read again under the write lock before each migration, so each runs once.
        if self._stored_version() == len(MIGRATIONS):
            return
        while True:
            with self.transaction():
                self.db["schema_version"].create({"id": int, "version": int}, pk="id", if_not_exists=True)
                version = self._stored_version()
                if version >= len(MIGRATIONS):
                    return
                MIGRATIONS[version](self.db)
                self.db["schema_version"].upsert({"id": 1, "version": version + 1}, pk="id")

    def _stored_version(self) -> int:
        """The schema version on disk; 0 for a new store."""
        try:
            row = self.db.execute("select version from schema_version where id = 1").fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            return 0
        return row[0] if row else 0

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

    def close_interrupted_imports(self) -> int:
        """Import runs left "running" by a process that is gone (killed mid-import) become 'interrupted';
        how many. What such an import stored, file by file, stays (each file is one transaction)."""
        stale = []
        for run_id, detail in self.db.execute("select id, detail from runs where kind = 'import' and status = 'running'"):
            try:
                pid = int(json.loads(detail or "{}").get("pid", 0))
            except (ValueError, TypeError, AttributeError):
                pid = 0
            if not _alive(pid):
                stale.append(run_id)
        for run_id in stale:
            self.finish_run(run_id, "interrupted", {"note": "the import's process ended before it finished"})
        return len(stale)

    def finish_run(self, run_id: int, status: str = "done", detail: dict | None = None) -> None:
        with self.transaction():
            self.db.execute("update runs set status = ?, finished_at = ?, detail = ? where id = ?",
                            [status, now(), json.dumps(detail or {}), run_id])

    def runs(self, library_id: int) -> pd.DataFrame:
        return pd.DataFrame(list(self.db.query("select * from runs where library_id = ? order by id desc", [library_id])))

    # --- reading a library ---------------------------------------------------------------------
    def library_tracks(self, library_id: int, online: bool = True) -> pd.DataFrame:
        """One row per distinct track: SCHEMA columns, `key`, `saved`, play count and minutes,
        and the 8 features where real ones are known (`source` export/spotify/reccobeats by TRUST, else '').
        online=False leaves out values an online provider served: the cache is shared by the server,
        and only an account that agreed to lookups may see what they found (or that they found it)."""
        sql = """
          select lt.*, coalesce(pl.names, '') as playlists, coalesce(y.n, 0) as plays, coalesce(y.ms, 0) as ms_played
          from library_tracks lt
          left join (select key, group_concat(name, ';') as names from
                       (select distinct pt.key, p.name from playlist_tracks pt join playlists p on p.id = pt.playlist_id
                        where p.library_id = :lib) group by key) pl on pl.key = lt.key
          left join (select key, count(*) as n, sum(ms_played) as ms from plays where library_id = :lib
                     group by key) y on y.key = lt.key
          where lt.library_id = :lib order by lt.rowid"""
        frame = pd.DataFrame(list(self.db.query(sql, {"lib": library_id})))
        if frame.empty:
            return pd.DataFrame(columns=LIBRARY_COLUMNS)
        # This library's own export values, and what Spotify or an online provider served for the id
        # (shared, library_id 0).
        given = pd.DataFrame(list(self.db.query(
            "select f.* from features f join library_tracks lt on lt.key = f.key and lt.library_id = :lib "
            "where (f.source = 'export' and f.library_id = :lib) or "
            "(f.source in ('spotify', :online) and f.library_id = 0)",
            {"lib": library_id, "online": "reccobeats" if online else "spotify"})))
        frame = frame.drop(columns=["match_key"])
        for col in [*TEXT_COLUMNS, FILE_COLUMNS]:
            frame[col] = frame[col].fillna("")
        for col in [*NUMERIC_COLUMNS, "explicit"]:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        if not given.empty:  # per feature, the most trusted source that has a value; `source` names the top one
            given = given.assign(rank=given["source"].map(TRUST)).sort_values(["key", "rank"], kind="stable")
            given = given.groupby("key", sort=False)[FEATURES + ["source"]].first()
            frame = frame.join(given, on="key")
            frame[FEATURES] = frame[FEATURES].apply(pd.to_numeric, errors="coerce").astype(float)
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
        with self._pool_lock:
            for db in self._by_thread.values():
                db.close()
            self._by_thread.clear()
        self._local = threading.local()
