"""What the ranker knows about every catalog item, computed once per Recommender (no library involved)."""

from __future__ import annotations

import numpy as np
import pandas as pd


class ItemTable:
    """Per-item arrays over the Recommender's catalog frame: artist and album codes, popularity, its rank
    within the artist (listeners add an artist's popular tracks first), year, and per-artist totals."""

    def __init__(self, items: pd.DataFrame, artist_codes: np.ndarray, popularity: np.ndarray):
        self.artist = np.asarray(artist_codes)
        self.n_artists = int(self.artist.max()) + 1 if len(self.artist) else 0
        self.popularity = np.asarray(popularity, dtype=float)
        album = items["artist"].astype(str) + "\x1f" + items["album"].fillna("").astype(str).str.lower()
        self.album, _ = pd.factorize(album)
        self.year = pd.to_numeric(items["year"], errors="coerce").to_numpy(dtype=float)
        order = np.lexsort((-self.popularity, self.artist))        # by artist, most popular first
        first = np.r_[0, np.flatnonzero(np.diff(self.artist[order])) + 1]
        starts = np.repeat(first, np.diff(np.r_[first, len(order)]))
        self.rank_in_artist = np.empty(len(order), dtype=float)
        self.rank_in_artist[order] = np.arange(len(order)) - starts
        self.artist_tracks = np.bincount(self.artist, minlength=self.n_artists).astype(float)
        artist_pop = np.bincount(self.artist, weights=self.popularity, minlength=self.n_artists)
        self.artist_popularity = artist_pop / np.maximum(self.artist_tracks, 1)
