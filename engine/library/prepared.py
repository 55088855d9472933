"""Rows made ready for the store before its write lock is taken.

One writer at a time holds the store (engine.library.store); everything here is pure Python on a file's
own rows (range checks, match keys, cleaned cell values, the features to keep), so it runs before the
write transaction and another session's write never waits on it. Only what depends on the stored rows
(which key a row joins, re-keys) and the inserts themselves run under the lock (LibraryTables.add_tracks).

    ready = prepare_tracks(frame)        # no store needed
    store.add_tracks(library_id, ready)  # a frame works too (prepared there, still before the lock)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.library.file_columns import COLUMN as FILE_COLUMNS
from engine.library.migrations import OWNED_TRACK_COLUMNS
from engine.library.ranges import within_ranges
from engine.textnorm import track_keys

TRACK_FIELDS = [c for c in OWNED_TRACK_COLUMNS if c not in ("library_id", "key", "added_at", "saved", "match_key")] \
    + [FILE_COLUMNS]


def clean(value):
    """A value SQLite stores as it is: None for missing or non-finite, plain Python for numpy scalars."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class PreparedTracks:
    """A normalized frame's rows as the store writes them, in row order."""

    frame: pd.DataFrame            # within ranges (what a sync's Spotify features are read from)
    dropped: dict[str, int]        # values left out as out of range, by column
    match_keys: list[str]
    ids: list[str]                 # the track_id cell of each row ('' when none)
    fields: list[list]             # TRACK_FIELDS values per row, cleaned, '' as None
    features: list[tuple[int, tuple]]  # (row, the 8 FEATURES cleaned) for rows with at least one real value

    def __len__(self) -> int:
        return len(self.match_keys)


def prepare_tracks(frame: pd.DataFrame) -> PreparedTracks:
    frame, dropped = within_ranges(frame)
    ids = frame["track_id"].fillna("").map(str).tolist() if "track_id" in frame else [""] * len(frame)
    fields = [[None if v == "" else clean(v) for v in record]
              for record in frame.reindex(columns=TRACK_FIELDS).itertuples(index=False, name=None)]
    features: list[tuple[int, tuple]] = []
    if set(FEATURES) <= set(frame.columns):
        values = frame[FEATURES].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        features = [(i, tuple(map(clean, row))) for i, row in enumerate(values.tolist()) if np.isfinite(row).any()]
    return PreparedTracks(frame, dropped, track_keys(frame).tolist(), ids, fields, features)
