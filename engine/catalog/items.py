"""Catalog items for clustering, the map and recommendations: the catalog's real features plus the
item-side metadata the recommenders use, one row per catalog row (same order as Catalog.load().tracks).

Leakage rule (shared/data README): item genres come from the artist (yamaerenay), never from a
TidyTuesday playlist's genre, subgenre or name; moods are the mood words found in those artist genres.
Popularity (0..1) is Spotify's track popularity where a table carries it, else NaN.
The shipped catalog (engine.catalog.artifact) holds these columns already.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from engine.catalog import artifact
from engine.catalog.artists import ArtistIndex
from engine.catalog.moods import MOOD_NAMES, WORD_TO_MOOD
from engine.config import FEATURES, TEMPO_SCALE
from engine.schema import release_year, split_list
from engine.textnorm import artist_key, fold, primary_artist

ITEM_COLUMNS = ["artist", "genres", "moods", "popularity", "year"]


@lru_cache(maxsize=1)
def _artist_index() -> ArtistIndex:
    return ArtistIndex(artifact.artists())


def artist_genre_lists(artists, index: ArtistIndex | None = None) -> list[list[str]]:
    """The yamaerenay genres of every credited artist found, in order, without repeats ([] when none)."""
    index = index or _artist_index()
    out = []
    for text in artists:
        genres: list[str] = []
        for row in index.find(text):
            genres += [g for g in index.genre_lists[row] if g not in genres]
        out.append(genres)
    return out


def artist_genres(artists, index: ArtistIndex | None = None) -> list[str]:
    """';'-joined artist_genre_lists (empty when none is known)."""
    return [";".join(genres) for genres in artist_genre_lists(artists, index)]


def with_artist_genres(genres, artists, index: ArtistIndex | None = None) -> list[str]:
    """Each track's own genres where it has some, else its artists' genres from the catalog's artist table:
    a file without a genre column (a playlist export, a streaming history) still gets the genres the
    catalog knows for its artists, matched or not."""
    own = ["" if g is None or (isinstance(g, float) and g != g) else str(g).strip() for g in genres]
    missing = [i for i, g in enumerate(own) if not g]
    for i, found in zip(missing, artist_genres([artists[i] for i in missing], index)):
        own[i] = found
    return own


def mood_lists(genre_lists) -> list[list[str]]:
    """Mood words (engine.catalog.moods) found in genre names: 'chillhop' no, 'chill pop' -> chill, pop."""
    out = []
    for genres in genre_lists:
        found = {WORD_TO_MOOD[w] for g in genres for w in fold(g).split() if w in WORD_TO_MOOD}
        out.append([MOOD_NAMES[j] for j in sorted(found)])
    return out


def genre_moods(genres) -> list[str]:
    """mood_lists of ';'-joined genre strings, ';'-joined."""
    return [";".join(moods) for moods in mood_lists(split_list(text) for text in genres)]


def item_columns(tracks: pd.DataFrame, artists: pd.DataFrame | None = None, popularity=None) -> pd.DataFrame:
    """ITEM_COLUMNS for catalog-shaped tracks (same index); popularity looked up by track id when not given."""
    genres = artist_genres(tracks["artists"], ArtistIndex(artists) if artists is not None else None)
    if popularity is None:
        shipped = artifact.tracks()
        known = dict(zip(shipped["track_id"], shipped["popularity"]))
        popularity = np.array([known.get(t, np.nan) for t in tracks["track_id"]], dtype=float)
    return pd.DataFrame({
        "artist": tracks["artists"].map(lambda a: artist_key(primary_artist(a))).to_numpy(),
        "genres": genres,
        "moods": genre_moods(genres),
        "popularity": popularity,
        "year": release_year(tracks["release_date"]).to_numpy(),
    }, index=tracks.index)


def catalog_items(catalog=None) -> pd.DataFrame:
    """Catalog tracks + ITEM_COLUMNS: the shipped catalog's own, or computed for an ad-hoc catalog."""
    from engine.catalog.matching import Catalog

    catalog = catalog or Catalog.load()
    if catalog.version == artifact.version():
        return artifact.tracks().copy()
    out = catalog.tracks.copy()
    extra = item_columns(catalog.tracks)
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


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (inner product = cosine)."""
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)).astype(np.float32)
