"""Catalog items for clustering, the map and recommendations: the catalog's real features plus the
item-side metadata the recommenders use, one row per catalog row (same order as Catalog.load().tracks).

Leakage rule (shared/data README): item genres come from the artist (yamaerenay), never from a
TidyTuesday playlist's genre, subgenre or name; moods are the mood words found in those artist genres.
Popularity (0..1) is Spotify's track popularity where a table carries it, else NaN.
Cached under TUNESCOPE_HOME/cache, keyed by the catalog version.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from engine.config import FEATURES, TEMPO_SCALE, home_dir
from engine.features import MOOD_NAMES, _WORD_TO_MOOD
from engine.schema import release_year, split_list
from engine.textnorm import artist_key, fold, primary_artist

ITEM_COLUMNS = ["artist", "genres", "moods", "popularity", "year"]
_POPULARITY_TABLES = {  # file -> (id column, popularity column)
    "tidytuesday_spotify_songs.parquet": ("track_id", "track_popularity"),
    "spotify_top_tracks_2010s_kattapriyatham.parquet": ("track_id", "popularity"),
    "spotify_music_dataset_high_popularity.parquet": ("track_id", "track_popularity"),
    "spotify_music_dataset_low_popularity.parquet": ("track_id", "track_popularity"),
}
_FORMAT = "1"


@lru_cache(maxsize=1)
def _artist_priors():
    from engine.priors import ArtistPriors
    from engine.reference import artist_table

    return ArtistPriors(artist_table())


def artist_genres(artists: pd.Series) -> list[str]:
    """';'-joined yamaerenay genres of every credited artist found (empty when none is known)."""
    priors = _artist_priors()
    out = []
    for text in artists:
        genres: list[str] = []
        for row in priors.find(text):
            genres += [g for g in split_list(priors.genres[row]) if g not in genres]
        out.append(";".join(genres))
    return out


def genre_moods(genres: pd.Series | list[str]) -> list[str]:
    """Mood words (engine.features.MOODS) found in genre names: 'chillhop' no, 'chill pop' -> chill;pop."""
    out = []
    for text in genres:
        found = {_WORD_TO_MOOD[w] for w in fold(str(text).replace(";", " ")).split() if w in _WORD_TO_MOOD}
        out.append(";".join(MOOD_NAMES[j] for j in sorted(found)))
    return out


def _popularity(track_ids: pd.Series) -> np.ndarray:
    from engine.reference import _read

    found: dict[str, float] = {}
    for file, (id_col, pop_col) in _POPULARITY_TABLES.items():
        raw = _read(file)[[id_col, pop_col]].dropna()
        for tid, pop in zip(raw[id_col], raw[pop_col]):
            found.setdefault(tid, float(pop) / 100.0)
    return np.array([found.get(t, np.nan) for t in track_ids], dtype=float)


def build_items(tracks: pd.DataFrame) -> pd.DataFrame:
    """ITEM_COLUMNS for catalog tracks (same index)."""
    genres = artist_genres(tracks["artists"])
    return pd.DataFrame({
        "artist": tracks["artists"].map(lambda a: artist_key(primary_artist(a))).to_numpy(),
        "genres": genres,
        "moods": genre_moods(genres),
        "popularity": _popularity(tracks["track_id"]),
        "year": release_year(tracks["release_date"]).to_numpy(),
    }, index=tracks.index)


def catalog_items(catalog=None) -> pd.DataFrame:
    """Catalog tracks + ITEM_COLUMNS, cached as Parquet under TUNESCOPE_HOME/cache."""
    from engine.matching import Catalog

    catalog = catalog or Catalog.load()
    path = home_dir() / "cache" / f"items-{catalog.version}-{_FORMAT}.parquet"
    if path.exists():
        extra = pd.read_parquet(path)
    else:
        extra = build_items(catalog.tracks)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        extra.to_parquet(tmp, index=False)
        tmp.replace(path)
    out = catalog.tracks.copy()
    for col in ITEM_COLUMNS:
        out[col] = extra[col].to_numpy()
    return out


def feature_matrix(frame: pd.DataFrame) -> np.ndarray:
    """(N, 8) features with tempo / TEMPO_SCALE; a missing feature takes a typical catalog value
    (only Organize Your Music rows lack one: instrumentalness, almost always near 0 in those charts)."""
    values = frame[FEATURES].to_numpy(dtype=float).copy()
    values[:, -1] /= TEMPO_SCALE
    fill = np.array([0.65, 0.5, 0.65, 0.2, 0.0, 0.18, 0.08, 0.6])
    return np.where(np.isfinite(values), values, fill).astype(np.float32)
