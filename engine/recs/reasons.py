"""The "why" beside each recommendation: the closest features, a shared genre, an artist already owned."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from engine.catalog.items import feature_matrix
from engine.config import FEATURES
from engine.recs.prepared import remember
from engine.textnorm import artist_key, primary_artist


def reasons(rec, top: np.ndarray, lib_q: pd.DataFrame, norm_q: pd.DataFrame, lib_genre_lists: list[list[str]],
            memo=None) -> list[str]:
    """One reason per recommended item. Features come from the enriched rows, names from the normalized
    ones, genres from the parsed lists; the library's side is kept in `memo` for the next request."""
    recs = rec.items.iloc[top]
    profile, lib_genres, lib_artists = remember(memo, "why", lambda: taste(rec, lib_q, norm_q, lib_genre_lists))
    z = (feature_matrix(recs) - rec.mean_) / rec.scale_
    out = []
    for i, (item, artist) in enumerate(zip(top, recs["artist"])):
        closest = np.argsort(np.abs(z[i] - profile))[:2]
        parts = [f"close in {FEATURES[closest[0]]} and {FEATURES[closest[1]]}"]
        shared = [g for g in rec.item_genres[item] if g in lib_genres]
        if shared:
            parts.append(f"shares genre {max(shared, key=lambda g: lib_genres[g])}")
        if artist in lib_artists:
            parts.append("an artist you already have")
        out.append("; ".join(parts))
    return out


def taste(rec, lib_q: pd.DataFrame, norm_q: pd.DataFrame, lib_genre_lists: list[list[str]]):
    """(feature profile, genre counts, artist keys) of the query rows: what the reasons compare against."""
    profile = (feature_matrix(lib_q).mean(0) - rec.mean_) / rec.scale_
    by_artist = artist_genres(rec)
    counts = norm_q["artists"].value_counts()  # each distinct artist normalized once
    keys = [artist_key(primary_artist(a)) for a in counts.index]
    lib_genres: Counter = Counter()
    for key, n in zip(keys, counts.to_numpy()):
        for g in by_artist.get(key, []):
            lib_genres[g] += int(n)
    lib_genres.update(g for genres in lib_genre_lists for g in genres)
    return profile, lib_genres, set(keys)


def artist_genres(rec) -> dict:
    """artist key -> the genres of its first catalog item, built once per Recommender."""
    if not hasattr(rec, "_by_artist"):
        first = rec.items.reset_index(drop=True).drop_duplicates("artist")
        rec._by_artist = {a: rec.item_genres[i] for a, i in zip(first["artist"], first.index)}
    return rec._by_artist
