"""The reference catalog as a lookup: exact Spotify id first, else normalized primary artist + title.

Built from TUNESCOPE_DATA_DIR once, then kept as a small Parquet under TUNESCOPE_HOME/cache, keyed
by the sizes and times of the source files, so later processes open it in milliseconds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from engine import reference
from engine.config import FEATURES, data_dir, home_dir
from engine.textnorm import track_keys

_SOURCE_FILES = [
    "tidytuesday_spotify_songs.parquet", "spotify_top_tracks_2010s_kattapriyatham.parquet",
    "spotify_top_songs_audio_features.parquet", "top_hits_2000_2019_songs_normalize.parquet", "data_moods.parquet",
    "spotify_music_dataset_high_popularity.parquet", "spotify_music_dataset_low_popularity.parquet",
    "most_streamed_spotify_songs_2023.parquet", "spotify_top_2000s_mega_dataset.parquet",
    "top_spotify_songs_2010_2019_top10s.parquet",
]
CATALOG_COLUMNS = ["track_id", "title", "artists", "album", "release_date", "key", "dataset", *FEATURES]
_FORMAT = "1"  # bump when the catalog's construction changes


def catalog_version() -> str:
    """A short hash of the source files' sizes and times: changes when the data changes."""
    parts = [_FORMAT]
    for name in _SOURCE_FILES:
        path = data_dir() / name
        stat = path.stat() if path.exists() else None
        parts.append(f"{name}:{stat.st_size}:{int(stat.st_mtime)}" if stat else f"{name}:-")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


class Catalog:
    """Tracks with real features, and match() from a normalized library to catalog rows."""

    def __init__(self, tracks: pd.DataFrame, version: str = "adhoc"):
        self.tracks = tracks.reset_index(drop=True)
        self.version = version
        ids = self.tracks["track_id"]
        self._by_id = {tid: i for i, tid in enumerate(ids) if tid}
        self._by_key = {}
        for i, key in enumerate(self.tracks["key"]):
            self._by_key.setdefault(key, i)

    @classmethod
    def load(cls) -> "Catalog":
        version = catalog_version()
        path = home_dir() / "cache" / f"catalog-{version}.parquet"
        if path.exists():
            return cls(pd.read_parquet(path), version)
        tracks = reference.catalog_tracks()[CATALOG_COLUMNS]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tracks.to_parquet(tmp, index=False)
        tmp.replace(path)
        return cls(tracks, version)

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
