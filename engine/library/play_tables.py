"""Plays in the store: one event per track and UTC second (engine.library.migrations.m7_play_events).

    new, known = store.add_plays(library_id, plays)   # plays: key, played_at, ms_played, skipped
    store.plays(library_id)                           # played_at (UTC datetimes), key, ms_played, skipped

Plays are user signals (counts, listening time), never model inputs. The table's key (library, track,
time) makes every re-import and every overlapping file idempotent: a play already there is counted,
never added twice. The account-data history stamps plays to the minute (and records no skip) where the
extended history stamps the same play to the second: a minute-only play of a track is the same play as
that track's play stamped within that minute, and the one to the second is kept.
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
        minute = _minute_only(merged)
        with self.transaction():
            # Only what a twin could be: stored plays to the second when the batch has minute-only ones, and
            # stored minute-only plays when it has plays to the second (SQL picks them; most imports have none).
            stored_precise = self._stored_plays(library_id, minute_only=False) if minute.any() else _NO_PLAYS
            stored_minute = self._stored_plays(library_id, minute_only=True) if (~minute).any() else _NO_PLAYS
            precise = merged[~minute]
            if minute.any():
                twins = minute & _in(merged, pd.concat([precise, stored_precise], ignore_index=True))
                merged, known_twins = merged[~twins].reset_index(drop=True), int(twins.sum())
            else:
                known_twins = 0
            minute_twins = stored_minute[_in(stored_minute, precise)] if len(stored_minute) else _NO_PLAYS
            self.db.conn.executemany("delete from plays where library_id = ? and key = ? and played_at = ?",
                                     [(library_id, k, t) for k, t in minute_twins[["key", "played_at"]].itertuples(index=False)])
            rows = [(library_id, k, t, int(ms), None if s != s else int(s))  # s != s: NaN, not recorded
                    for k, t, ms, s in merged[["key", "played_at", "ms_played", "skipped"]].itertuples(index=False)]
            new = self.db.conn.executemany(
                "insert or ignore into plays (library_id, key, played_at, ms_played, skipped) values (?, ?, ?, ?, ?)",
                rows).rowcount
        new -= len(minute_twins)  # a play stamped again to the second is no new play
        return new, len(rows) - new + known_twins

    def _stored_plays(self, library_id: int, minute_only: bool) -> pd.DataFrame:
        """This library's plays stamped to the minute with no skip recorded (account data), or all others."""
        which = "" if minute_only else "not "
        rows = self.db.conn.execute(f"select key, played_at from plays where library_id = ? and "
                                    f"{which}(skipped is null and played_at like '%:00Z')", [library_id]).fetchall()
        return pd.DataFrame(rows, columns=["key", "played_at"])

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

    def add_episodes(self, library_id: int, episodes: pd.DataFrame) -> tuple[int, int]:
        """(episode plays new to the library, ones it already had): podcast plays, kept apart from music.
        One row per show, episode and second, as plays are (a re-import adds nothing)."""
        if episodes.empty:
            return 0, 0
        rows = [(library_id, str(s), str(e), str(t), int(ms)) for s, e, t, ms in
                episodes[["show", "episode", "played_at", "ms_played"]].itertuples(index=False)]
        with self.transaction():
            new = self.db.conn.executemany("insert or ignore into episode_plays (library_id, show, episode, played_at, "
                                           "ms_played) values (?, ?, ?, ?, ?)", rows).rowcount
        return new, len(rows) - new

    def episodes(self, library_id: int) -> pd.DataFrame:
        """Every podcast play of the library, oldest first: played_at (UTC), show, episode, ms_played."""
        rows = self.db.conn.execute("select unixepoch(played_at), show, episode, ms_played from episode_plays "
                                    "where library_id = ? order by played_at", [library_id]).fetchall()
        frame = pd.DataFrame(rows, columns=["played_at", "show", "episode", "ms_played"])
        frame["played_at"] = pd.to_datetime(frame["played_at"].astype("int64"), unit="s", utc=True)
        frame["ms_played"] = frame["ms_played"].astype("int64")
        return frame

    def episode_count(self, library_id: int) -> int:
        return self.db.execute("select count(*) from episode_plays where library_id = ?", [library_id]).fetchone()[0]


_NO_PLAYS = pd.DataFrame(columns=["key", "played_at"])


def _minute_only(plays: pd.DataFrame) -> pd.Series:
    """Plays as the account-data history gives them: stamped to the minute (':00Z') with no skip recorded."""
    return plays["played_at"].astype(str).str.endswith(":00Z") & pd.to_numeric(plays["skipped"], errors="coerce").isna()


def _minutes(plays: pd.DataFrame) -> pd.Series:
    return plays["key"].astype(str) + "|" + plays["played_at"].astype(str).str.slice(0, 16)


def _in(plays: pd.DataFrame, others: pd.DataFrame) -> pd.Series:
    """Whether each play's (track, minute) is one of `others`'."""
    return _minutes(plays).isin(set(_minutes(others)))
