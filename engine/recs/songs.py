"""One version per song in a list of recommendations, and never a version of a song the library has."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.textnorm import song_key


def song_keys(rec) -> np.ndarray:
    """song_key of every catalog item, computed once per Recommender."""
    if getattr(rec, "_song_keys", None) is None:
        rec._song_keys = np.array([song_key(a, t) for a, t in zip(rec.items["artists"], rec.items["title"])], dtype=object)
    return rec._song_keys


def owned_song_mask(rec, library_songs: np.ndarray) -> np.ndarray:
    """Per catalog item: True where it is a version of one of the library's songs (integer codes, so a
    request compares 46,000 items in well under a millisecond)."""
    if getattr(rec, "_song_index", None) is None:
        codes, index = pd.factorize(song_keys(rec))
        rec._song_codes, rec._song_index = codes, pd.Index(index)
    found = rec._song_index.get_indexer(library_songs)
    held = np.zeros(len(rec._song_index), dtype=bool)
    held[found[found >= 0]] = True
    return held[rec._song_codes]


def distinct_songs(rec, top: np.ndarray, k: int, cap: int | None) -> np.ndarray:
    """Positions in `top` (best first) of the first k items that are neither a second version of a song
    already listed nor (cap not None) beyond `cap` tracks by one primary artist."""
    artists, songs = rec.items["artist"].to_numpy(), song_keys(rec)
    per_artist: dict[str, int] = {}
    listed: set = set()
    keep = []
    for position, item in enumerate(top):
        if songs[item] in listed or (cap is not None and per_artist.get(artists[item], 0) >= cap):
            continue
        listed.add(songs[item])
        per_artist[artists[item]] = per_artist.get(artists[item], 0) + 1
        keep.append(position)
        if len(keep) == k:
            break
    return np.asarray(keep, dtype=int)
