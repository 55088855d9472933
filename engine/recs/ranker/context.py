"""One library's side of the ranker's inputs, computed once per library (its LibraryProfile keeps it).

Every signal is a per-catalog-item array; the features (engine.recs.ranker.features) read them only at
the candidates. The library is all there is: nothing here looks at a date after the library's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.recs.profile import genre_profile


@dataclass
class LibraryContext:
    owned: np.ndarray          # catalog item indices the library holds
    affinity: np.ndarray       # per artist code: the library's plays-and-saves weight, largest = 1
    signals: dict              # per item: artist, neighbours, genre, popularity, two_tower (CatalogIndex.signals)
    colisten: np.ndarray       # per item: how much listeners who play the library's artists play its artist
    owned_by_artist: np.ndarray  # per artist code: library tracks found in the catalog
    artist_rank: np.ndarray    # per artist code: 0 = the library's most played artist; large = not in it
    album_owned: np.ndarray    # per album code: library tracks on it
    year: float                # the library's median release year (nan when unknown)
    size: int                  # library tracks
    mean_popularity: float     # mean catalog popularity of the owned items
    recent_affinity: np.ndarray | None = None  # per artist code: plays and saves halved every 30 days, largest = 1
    artist_days: np.ndarray | None = None      # per artist code: days since its last play or save (nan: none dated)
    cooccurrence: np.ndarray | None = None     # per item: TidyTuesday playlists shared with owned items, largest = 1
    mpd_shared: np.ndarray | None = None       # per item: MPD playlists holding it and an owned item
    mpd_norm: np.ndarray | None = None         # the same / sqrt(MPD playlists holding it)
    mpd_artist: np.ndarray | None = None       # per artist code: MPD playlist co-occurrence with the library's artists
    lastfm_artist: np.ndarray | None = None    # per artist code: Last.fm co-listening with the library's artists

    @property
    def dated(self) -> bool:
        """Whether the library has any dated play or save (a playlist or an undated file has none)."""
        return self.artist_days is not None and bool(np.isfinite(self.artist_days).any())


def library_context(index, colisten_matrix, rows: pd.DataFrame, per_track: np.ndarray, owned: np.ndarray,
                    tower: np.ndarray | None, recency: tuple | None = None) -> LibraryContext:
    """index: the CatalogIndex; rows: library_items of the library (artist keys, genres, year); per_track:
    track_weights; tower: the two-tower score per item (None: zeros); recency: (recent, days_since_active)
    per row (engine.recs.profile.recency_arrays), None: undated."""
    artists = rows["artist"].tolist()
    affinity = index.artist_affinity(artists, per_track)
    signals = index.signals(owned, affinity, genre_profile(rows["genres_list"], per_track), tower)
    owned_by_artist = np.bincount(index.artist[owned], minlength=index.n_artists).astype(float)
    order = np.argsort(-affinity, kind="stable")
    artist_rank = np.full(index.n_artists, 1e4)
    played = order[affinity[order] > 0]
    artist_rank[played] = np.arange(len(played))
    album_owned = np.bincount(index.album[owned], minlength=int(index.album.max()) + 1).astype(float)
    years = pd.to_numeric(rows["year"], errors="coerce").dropna()
    recent, days = recency if recency is not None else (np.zeros(len(rows)), np.full(len(rows), np.nan))
    cooc = index.cooccurrence(owned)
    crowd = crowd_signals(index, owned, affinity)
    return LibraryContext(owned, affinity, signals, colisten_scores(colisten_matrix, affinity, index), owned_by_artist,
                          artist_rank, album_owned, float(years.median()) if len(years) else np.nan, len(rows),
                          float(np.mean(index.popularity[owned])) if len(owned) else np.nan,
                          index.artist_affinity(artists, np.asarray(recent, float)),
                          index.artist_days(artists, np.asarray(days, float)), cooc / max(cooc.max(), 1e-9), *crowd)


def crowd_signals(index, owned: np.ndarray, affinity: np.ndarray) -> tuple:
    """(mpd_shared, mpd_norm, mpd_artist, lastfm_artist) from models/world's co-listening (zeros without it)."""
    if index.crowd is None:
        return np.zeros(len(index.items)), np.zeros(len(index.items)), np.zeros(index.n_artists), np.zeros(index.n_artists)
    shared, norm = index.crowd.track_scores(owned)
    return (shared, norm / max(norm.max(), 1e-9), *index.crowd.artist_scores(affinity))


def colisten_scores(matrix, affinity: np.ndarray, index) -> np.ndarray:
    """Per item: sum over other listeners of (their overlap with the library's artists) x (they play this
    item's artist); matrix is listeners x artists (engine.recs.ranker.colisten), None -> zeros."""
    if matrix is None or matrix.shape[0] == 0:
        return np.zeros(len(index.artist))
    per_artist = np.asarray(matrix.T @ (matrix @ affinity)).ravel()
    per_artist = per_artist / max(per_artist.max(), 1e-9)
    return per_artist[index.artist]
