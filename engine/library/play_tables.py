"""Plays in the store: one event per track and UTC second (engine.library.migrations.m7_play_events).

    new, known = store.add_plays(library_id, plays)   # plays: key, played_at, ms_played, skipped
    store.plays(library_id)                           # played_at (UTC datetimes), key, ms_played, skipped

Plays are user signals (counts, listening time), never model inputs. The table's key (library, track,
time) makes every re-import and every overlapping file idempotent: a play already there is counted,
never added twice.
"""

from __future__ import annotations

import pandas as pd

PLAY_FIELDS = ["played_at", "key", "ms_played", "skipped"]


class PlayTables:
    """Mixed into Store; `self.db` is a sqlite_utils.Database."""

    def add_plays(self, library_id: int, plays: pd.DataFrame) -> tuple[int, int]:
        """(plays new to the library, plays it already had). Rows of one track at one time within the
        batch are one play (a minutes-only file can list a skip and a replay in the same minute): their
        milliseconds add up, and it counts as skipped only if every part was."""
        if plays.empty:
            return 0, 0
        merged = (plays.assign(skipped=pd.to_numeric(plays["skipped"], errors="coerce"))
                  .groupby(["key", "played_at"], sort=False)
                  .agg(ms_played=("ms_played", "sum"), skipped=("skipped", "min")).reset_index())
        rows = [(library_id, k, t, int(ms), None if s != s else int(s))  # s != s: NaN, not recorded
                for k, t, ms, s in merged[["key", "played_at", "ms_played", "skipped"]].itertuples(index=False)]
        with self.transaction():
            new = self.db.conn.executemany(
                "insert or ignore into plays (library_id, key, played_at, ms_played, skipped) values (?, ?, ?, ?, ?)",
                rows).rowcount
        return new, len(rows) - new

    def plays(self, library_id: int) -> pd.DataFrame:
        """Every play of the library, oldest first; `skipped` is NaN where the file did not record it."""
        # unixepoch: SQLite reads the stamps (a tenth of the time pandas takes to parse 100,000 strings)
        rows = self.db.conn.execute("select unixepoch(played_at), key, ms_played, skipped from plays "
                                    "where library_id = ? order by played_at", [library_id]).fetchall()
        frame = pd.DataFrame(rows, columns=PLAY_FIELDS)
        frame["played_at"] = pd.to_datetime(frame["played_at"].astype("int64"), unit="s", utc=True)
        frame["ms_played"] = frame["ms_played"].astype("int64")
        frame["skipped"] = pd.to_numeric(frame["skipped"], errors="coerce").astype(float)
        return frame

    def play_count(self, library_id: int) -> int:
        return self.db.execute("select count(*) from plays where library_id = ?", [library_id]).fetchone()[0]
