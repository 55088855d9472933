"""The reference catalog as a lookup: exact Spotify id first, else normalized primary artist + title.

Serving reads the shipped artifact (models/catalog, engine.catalog.artifact); `build-catalog` writes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.catalog import artifact
from engine.config import FEATURES
from engine.textnorm import track_keys

CATALOG_COLUMNS = ["track_id", "title", "artists", "album", "release_date", "key", "dataset", *FEATURES]


def catalog_version() -> str:
    """The shipped catalog's version: changes when `build-catalog` writes different data."""
    return artifact.version()


class Catalog:
    """Tracks with real features, and match() from a normalized library to catalog rows."""

    def __init__(self, tracks: pd.DataFrame, version: str = "adhoc"):
        self.tracks = tracks.reset_index(drop=True)
        self.version = version
        ids = self.tracks["track_id"]
        self._by_id = {tid: i for i, tid in enumerate(ids) if tid}
        # Name keys by today's rule (track_keys), not the stored `key` column: that column is each row's
        # identity from when the catalog was built, which the recommender's item vectors are keyed by, and
        # a catalog rebuilt under a new rule holds other rows (so the recommender must be retrained with it).
        self._by_key = {}
        for i, key in enumerate(track_keys(self.tracks)):
            self._by_key.setdefault(key, i)

    @classmethod
    def load(cls) -> "Catalog":
        """The shipped catalog (models/catalog); no dataset is read."""
        return cls(artifact.tracks()[CATALOG_COLUMNS], artifact.version())

    def match(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(catalog row or -1, how: 'id' | 'name' | '') for each row of a normalized frame."""
        rows = np.full(len(frame), -1)
        how = np.full(len(frame), "", dtype=object)
        keys = track_keys(frame)
        for i, (tid, key) in enumerate(zip(frame["track_id"], keys)):
            row = self._by_id.get(tid) if tid else None
            if row is not None:
                rows[i], how[i] = row, "id"
                continue
            if not key.startswith("|") and not key.endswith("|"):  # both artist and title present
                row = self._by_key.get(key)
                if row is not None:
                    rows[i], how[i] = row, "name"
        return rows, how

    def features(self, rows: np.ndarray) -> np.ndarray:
        """(N, 8) real features of matched rows (NaN where unmatched or the table lacked a feature)."""
        values = self.tracks[FEATURES].to_numpy(dtype=float)
        out = np.full((len(rows), len(FEATURES)), np.nan)
        ok = rows >= 0
        out[ok] = values[rows[ok]]
        return out
