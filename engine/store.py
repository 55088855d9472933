"""The per-user SQLite store under TUNESCOPE_HOME (sqlite-utils), versioned by migrations.

This issue's tables: the content-keyed prediction cache. Later features add their own migrations.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from engine.config import home_dir


def _m1_prediction_cache(db: sqlite_utils.Database) -> None:
    db["prediction_cache"].create({"key": str, "payload": str}, pk="key")


MIGRATIONS = [_m1_prediction_cache]


class Store:
    """Open (and migrate) the store; `Store(":memory:")` for tests."""

    def __init__(self, path: str | Path | None = None):
        path = str(path if path is not None else home_dir() / "tunescope.db")
        # Streamlit reruns a script on other threads; each call still uses the connection serially.
        self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    def _migrate(self) -> None:
        self.db["schema_version"].create({"id": int, "version": int}, pk="id", if_not_exists=True)
        row = list(self.db.query("select version from schema_version where id = 1"))
        version = row[0]["version"] if row else 0
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db.conn:
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
        with self.db.conn:
            self.db.conn.executemany(
                "insert or replace into prediction_cache (key, payload) values (?, ?)",
                [(k, json.dumps(v)) for k, v in payloads.items()],
            )

    def close(self) -> None:
        self.db.close()
