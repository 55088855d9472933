"""The "why" beside each recommendation, specific to the track: how much you play its artist, which of
your artists its listeners play, the genres it shares with you, and the closest features last."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from engine.catalog.items import feature_matrix
from engine.config import FEATURES
from engine.recs.profile import remember
from engine.textnorm import artist_key, primary_artist


def reasons(index, ranker, top: np.ndarray, lib_q: pd.DataFrame, norm_q: pd.DataFrame,
            lib_genre_lists: list[list[str]], memo=None) -> list[str]:
    """One reason per recommended item (index: the CatalogIndex; ranker: the ServedRanker or None, whose
    co-listening rows name a partner artist). Features come from the enriched rows, names from the
    normalized ones, genres from the parsed lists; the library's side is kept in `memo` for the next request."""
    recs = index.items.iloc[top]
    profile, lib_genres, lib_artists = remember(memo, "why", lambda: taste(index, lib_q, norm_q, lib_genre_lists))
    z = index.standardized(recs)
    names = [primary_artist(a) for a in recs["artists"]]
    out = []
    for i, (item, artist) in enumerate(zip(top, recs["artist"])):
        parts = []
        if artist in lib_artists:
            parts.append(_own_artist(index, ranker, item, *lib_artists[artist]))
        else:
            partner = colistened(index, ranker, artist, lib_artists)
            if partner:
                parts.append(f"listeners of {partner} also play {names[i]}")
        shared = sorted((g for g in index.item_genres[item] if g in lib_genres), key=lambda g: -lib_genres[g])[:2]
        if shared:
            parts.append(f"matches your genres: {', '.join(shared)}")
        closest = np.argsort(np.abs(z[i] - profile))[:2]
        parts.append(f"close in {FEATURES[closest[0]]} and {FEATURES[closest[1]]}")
        out.append("; ".join(parts))
    return out


def _own_artist(index, ranker, item: int, tracks: int, plays: int, name: str) -> str:
    text = f"you played {name} {plays:,} times" if plays else \
        (f"{tracks:,} of your tracks are by {name}" if tracks > 1 else f"you have a track by {name}")
    if ranker is not None and index.rank_in_artist[item] < 3:  # the ranker's signal: said only where it ranks
        text += " (one of their most popular tracks)"
    return text


def colistened(index, ranker, artist: str, lib_artists: dict) -> str | None:
    """The library artist most often played by the real listeners who play `artist` (the ranker's
    co-listening rows), by display name; None without a ranker or a shared listener."""
    if ranker is None or not lib_artists:
        return None
    code = index.artist_names.get_indexer([artist])[0]
    if code < 0:
        return None
    listeners = ranker.colisten_csc[:, code].nonzero()[0]
    if not len(listeners):
        return None
    keys = list(lib_artists)
    codes = index.artist_names.get_indexer(keys)
    shared = np.asarray((ranker.colisten[listeners][:, np.clip(codes, 0, None)] > 0).sum(0)).ravel() * (codes >= 0)
    if shared.max() <= 0:
        return None
    weight = shared * np.log1p([lib_artists[k][0] + lib_artists[k][1] for k in keys])
    return lib_artists[keys[int(np.argmax(weight))]][2]


def taste(index, lib_q: pd.DataFrame, norm_q: pd.DataFrame, lib_genre_lists: list[list[str]]):
    """(feature profile, genre counts, {artist key: (tracks, plays, display name)}) of the query rows."""
    profile = (feature_matrix(lib_q).mean(0) - index.mean_) / index.scale_
    by_artist = index.artist_genres
    primary = norm_q["artists"].map(primary_artist)
    keys = primary.map(artist_key)
    plays = pd.to_numeric(lib_q["plays"], errors="coerce").fillna(0).to_numpy() if "plays" in lib_q else np.zeros(len(keys))
    frame = pd.DataFrame({"key": keys.to_numpy(), "name": primary.to_numpy(), "plays": plays})
    grouped = frame.groupby("key", sort=False).agg(tracks=("name", "size"), plays=("plays", "sum"), name=("name", "first"))
    lib_genres: Counter = Counter()
    for key, n in zip(grouped.index, grouped["tracks"].to_numpy()):
        for g in by_artist.get(key, []):
            lib_genres[g] += int(n)
    lib_genres.update(g for genres in lib_genre_lists for g in genres)
    artists = {k: (int(t), int(p), n) for k, t, p, n in zip(grouped.index, grouped["tracks"], grouped["plays"], grouped["name"])}
    return profile, lib_genres, artists
