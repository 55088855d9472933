"""Artist and genre priors: what the yamaerenay aggregates say about a track before the network speaks.

- Artist prior: the artist's mean features and the track count behind them (exact normalized-name match).
- Genre prior: the mean features of the track's genres. A micro-genre the table never names is mapped to
  its nearest known genre by MiniLM similarity, and the similarity says how much that mapping is worth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.catalog.artists import ArtistIndex
from engine.config import FEATURES, TEMPO_SCALE
from engine.schema import split_list
from engine.textnorm import artist_key, fold, primary_artist, track_keys

MIN_GENRE_SIMILARITY = 0.55


def scaled(frame: pd.DataFrame) -> np.ndarray:
    """The 8 features with tempo divided by TEMPO_SCALE, so all live near 0..1."""
    values = frame[FEATURES].to_numpy(dtype=np.float32).copy()
    values[:, -1] /= TEMPO_SCALE
    return values


class ArtistPriors(ArtistIndex):
    """Lookup of artist -> (features, count, genres) by normalized name."""

    def __init__(self, table: pd.DataFrame):
        super().__init__(table)
        self.values = scaled(self.table)
        self.counts = self.table["count"].to_numpy(dtype=np.float32)

    def lookup(self, artists: pd.Series):
        """(prior values N x 8, found flag, track count, extra genres ';') for each artists string."""
        n = len(artists)
        values = np.zeros((n, len(FEATURES)), dtype=np.float32)
        found = np.zeros(n, dtype=np.float32)
        counts = np.zeros(n, dtype=np.float32)
        genres = [""] * n
        for i, text in enumerate(artists):
            rows = self.find(text)
            if not rows:
                continue
            values[i] = self.values[rows[0]]  # the primary artist speaks for the track
            found[i] = 1.0
            counts[i] = self.counts[rows[0]]
            genres[i] = ";".join(g for r in rows for g in split_list(self.genres[r]))
        return values, found, counts, genres


class GenreVocab:
    """Known genres with their MiniLM vectors and mean features; resolves any genre string."""

    def __init__(self, names: list[str], vectors: np.ndarray, values: np.ndarray, has_values: np.ndarray):
        self.names = list(names)
        self.vectors = vectors.astype(np.float32)
        self.values = values.astype(np.float32)
        self.has_values = has_values.astype(bool)
        self.index = {fold(name): i for i, name in enumerate(self.names)}

    def resolve(self, genres: list[str], encoder):
        """For each genre string: (vector, prior values, prior weight). Unknown ones are encoded once."""
        keys = [fold(g) for g in genres]
        rows = np.array([self.index.get(k, -1) for k in keys])
        vectors = np.zeros((len(genres), self.vectors.shape[1]), dtype=np.float32)
        known = rows >= 0
        vectors[known] = self.vectors[rows[known]]
        if (~known).any():
            vectors[~known] = encoder.encode([g for g, k in zip(genres, known) if not k])
        # Nearest genre that has mean features: exact when it has them, else by cosine similarity.
        with_values = np.flatnonzero(self.has_values)
        sims = vectors @ self.vectors[with_values].T
        best = sims.argmax(axis=1)
        weight = sims[np.arange(len(genres)), best]
        exact = known & self.has_values[np.clip(rows, 0, None)]
        nearest = with_values[best]
        nearest[exact] = rows[exact]
        weight[exact] = 1.0
        weight[weight < MIN_GENRE_SIMILARITY] = 0.0
        return vectors, self.values[nearest], weight


class CatalogArtistPriors:
    """Mean real features of an artist's other tracks in a catalog (the track itself always left out).

    Complements the yamaerenay artist means (which stop in January 2021): a 2024 library's artists are
    often in the newer catalog tables. Leaving the track out keeps training and evaluation honest.
    """

    def __init__(self, tracks: pd.DataFrame):
        artists = tracks["artists"].map(lambda a: artist_key(primary_artist(a))).to_numpy()
        values = scaled(tracks).astype(np.float64)
        present = np.isfinite(values)
        codes, uniques = pd.factorize(artists)
        self.sums = np.zeros((len(uniques), len(FEATURES)))
        self.counts = np.zeros((len(uniques), len(FEATURES)))
        np.add.at(self.sums, codes, np.nan_to_num(values))
        np.add.at(self.counts, codes, present)
        self.index = {a: i for i, a in enumerate(uniques)}
        keys = tracks["key"] if "key" in tracks else track_keys(tracks)
        self.own = {k: (codes[i], np.nan_to_num(values[i]), present[i]) for i, k in enumerate(keys)}

    def lookup(self, frame: pd.DataFrame):
        """(values N x 8, found flag, track count) from the primary artist's other catalog tracks."""
        n = len(frame)
        values = np.zeros((n, len(FEATURES)), dtype=np.float32)
        found = np.zeros(n, dtype=np.float32)
        counts = np.zeros(n, dtype=np.float32)
        keys = track_keys(frame)
        for i, (artists, key) in enumerate(zip(frame["artists"], keys)):
            row = self.index.get(artist_key(primary_artist(artists)))
            if row is None:
                continue
            sums, cnt = self.sums[row].copy(), self.counts[row].copy()
            own = self.own.get(key)
            if own is not None and own[0] == row:
                sums -= own[1]
                cnt -= own[2]
            if cnt[0] < 1:
                continue
            values[i] = np.where(cnt > 0, sums / np.maximum(cnt, 1), np.nan)  # NaN: no table had that feature
            found[i] = 1.0
            counts[i] = cnt[0]
        return values, found, counts
