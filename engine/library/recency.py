"""When a library's tracks were last played or saved: what "lately" means for the recommender.

Time is read against the library's own newest dated record (its latest play or save), never today's
date: a history exported a year ago still has a "lately", and a listener cut in time for evaluation
sees nothing after its cut. Rows without any date (YourLibrary, undated playlists) get none.

    frame = with_recency(store, library_id, frame)   # adds `recent` and `days_since_active`
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HALF_LIFE_DAYS = 30.0   # a play or save a month before the newest record counts half
QUARTER_DAYS = 91.0     # "the last quarter": the recent-artists rule and the ranker's recent flag
EARLIEST = pd.Timestamp("2006-01-01", tz="UTC")  # before Spotify: a placeholder date (1970-01-01), not a date
COLUMNS = ("recent", "days_since_active")


def recency_columns(keys: pd.Series, plays: pd.DataFrame, added_at: pd.Series | None = None) -> pd.DataFrame:
    """Per row of `keys` (index kept): `recent`, the row's plays and its save each weighted by
    0.5 ** (age / HALF_LIFE_DAYS); `days_since_active`, days from its newest play or save to the
    library's newest record (nan when the row has neither). plays: key, played_at (UTC)."""
    events = []
    if plays is not None and len(plays):
        events.append(pd.DataFrame({"key": plays["key"].to_numpy(),
                                    "at": pd.to_datetime(plays["played_at"], utc=True, errors="coerce")}))
    if added_at is not None:
        at = pd.to_datetime(added_at.reset_index(drop=True), utc=True, errors="coerce", format="mixed")
        events.append(pd.DataFrame({"key": keys.to_numpy(), "at": at}))
    events = [e[e["at"].notna() & (e["at"] >= EARLIEST)] for e in events]
    events = pd.concat(events, ignore_index=True) if events else pd.DataFrame(columns=["key", "at"])
    if events.empty:
        return pd.DataFrame({"recent": 0.0, "days_since_active": np.nan}, index=keys.index)
    age = (events["at"].max() - events["at"]).dt.total_seconds() / 86400.0
    per_key = (events.assign(weight=0.5 ** (age / HALF_LIFE_DAYS), age=age)
               .groupby("key").agg(recent=("weight", "sum"), days=("age", "min")))
    found = per_key.reindex(keys.to_numpy())
    return pd.DataFrame({"recent": found["recent"].fillna(0.0).to_numpy(),
                         "days_since_active": found["days"].to_numpy(dtype=float)}, index=keys.index)


def added_at_column(frame: pd.DataFrame, headers: dict | None = None) -> pd.Series | None:
    """The save dates a file brought (Exportify's "Added At", in any of its languages), or None;
    `headers`: the store's file_headers, for a frame read from the store."""
    from engine.library.file_columns import COLUMN, unpack
    from engine.library.importers.headers import map_headers

    columns = unpack(frame[[COLUMN]], headers) if COLUMN in frame else frame
    names = [c for c, target in map_headers(columns.columns).items() if target == "added_at"]
    return columns[names[0]] if names else None


def with_recency(store, library_id: int, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame (with its `key` column) plus COLUMNS from the library's plays and save dates."""
    tracks = frame if "key" in frame and "file_columns" in frame else store.library_tracks(library_id)
    columns = recency_columns(tracks["key"].reset_index(drop=True), store.plays(library_id),
                              added_at_column(tracks, store.file_headers()))
    by_key = columns.set_index(tracks["key"].to_numpy())
    by_key = by_key[~by_key.index.duplicated()]
    out = frame.drop(columns=[c for c in COLUMNS if c in frame])
    keys = out["key"] if "key" in out else tracks["key"].reset_index(drop=True)
    for name in COLUMNS:
        out[name] = by_key[name].reindex(keys.to_numpy()).to_numpy()
    return out


def file_recency(frame: pd.DataFrame) -> pd.DataFrame:
    """COLUMNS for a table read straight from a file (the CLI's `recommend`): its save dates alone."""
    keys = pd.Series(np.arange(len(frame)).astype(str), index=frame.index)
    return recency_columns(keys, None, added_at_column(frame))
