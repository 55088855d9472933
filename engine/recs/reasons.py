"""The "why" beside each recommendation, specific to the track and checkable: how often you played its
artist, how many Last.fm listeners of one of your artists also play it, how many MPD playlists hold it with
your tracks, the genres it shares with you, and the closest features last (said real or predicted)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from engine.catalog.items import feature_matrix
from engine.config import FEATURES
from engine.recs.profile import remember
from engine.textnorm import artist_key, primary_artist


def reasons(index, ranker, top: np.ndarray, lib_q: pd.DataFrame, norm_q: pd.DataFrame,
            lib_genre_lists: list[list[str]], memo=None, whole: tuple | None = None) -> list[str]:
    """One reason per recommended item, each citing its evidence in numbers (index: the CatalogIndex;
    ranker: the ServedRanker or None). The query rows (lib_q, norm_q: the seeds, or the whole library)
    give the genres and the feature profile; `whole` = (library, norm, owned items) gives the play counts
    and the playlists, so that a figure about the library is one figure in every mode."""
    recs = index.items.iloc[top]
    profile, lib_genres, _ = remember(memo, "why", lambda: taste(index, lib_q, norm_q, lib_genre_lists))
    library, norm, owned = whole if whole is not None else (lib_q, norm_q, np.zeros(0, int))
    lib_artists = remember(memo, "why whole", lambda: artist_figures(library, norm))
    # the ranker's own count (Crowd.track_scores): MPD playlists holding the item and an owned track
    playlists = remember(memo, "why playlists", lambda: index.crowd.track_scores(owned)[0]) \
        if index.crowd is not None and len(owned) else None
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
                parts.append(partner.format(name=names[i]))
        shared_lists = int(playlists[item]) if playlists is not None else 0
        if shared_lists:
            parts.append(f"in {shared_lists:,} of {index.crowd.playlists:,} MPD playlists with your tracks")
        shared = sorted((g for g in index.item_genres[item] if g in lib_genres), key=lambda g: -lib_genres[g])[:2]
        if shared:
            parts.append(f"matches your genres: {', '.join(shared)}")
        closest = np.argsort(np.abs(z[i] - profile))[:2]
        sound = "predicted" if index.predicted[item] else "real"
        parts.append(f"close in {FEATURES[closest[0]]} and {FEATURES[closest[1]]} ({sound} features)")
        out.append("; ".join(parts))
    return out


def _own_artist(index, ranker, item: int, tracks: int, plays: int, name: str) -> str:
    text = f"you played {name} {plays:,} times" if plays else \
        (f"{tracks:,} of your tracks are by {name}" if tracks > 1 else f"you have a track by {name}")
    if ranker is not None and index.rank_in_artist[item] < 3:  # the ranker's signal: said only where it ranks
        text += " (one of their most popular tracks)"
    return text


def colistened(index, ranker, artist: str, lib_artists: dict) -> str | None:
    """A sentence with "{name}" for the candidate's artist: how many Last.fm listeners of the library
    artist whose listeners play it most (weighted by the library's plays) also play it; without Last.fm,
    the same from the real listeners the ranker learned from. None without a shared listener."""
    code = index.artist_names.get_indexer([artist])[0]
    if code < 0 or not lib_artists:
        return None
    keys = list(lib_artists)
    codes = index.artist_names.get_indexer(keys)
    weights = {int(c): lib_artists[k][0] + lib_artists[k][1] for k, c in zip(keys, codes) if c >= 0 and c != code}
    if index.crowd is not None:
        found = index.crowd.lastfm_partner(int(code), weights)
        if found:
            partner, both, listeners = found
            return (f"{both:,} of the {listeners:,} Last.fm listeners who play {_name(index, lib_artists, partner)} "
                    "also play {name}")
    if ranker is None:
        return None
    listeners = ranker.colisten_csc[:, code].nonzero()[0]
    if not len(listeners) or not weights:
        return None
    partners = np.fromiter(weights, int)
    both = np.asarray((ranker.colisten[listeners][:, partners] > 0).sum(0)).ravel()
    if both.max() <= 0:
        return None
    best = int(np.argmax(both * np.log1p(np.fromiter(weights.values(), float))))
    of = int((ranker.colisten_csc[:, partners[best]] > 0).sum())
    return (f"{int(both[best])} of the {of} real listeners Tunescope learned from who play "
            f"{_name(index, lib_artists, partners[best])} also play {{name}}")


def _name(index, lib_artists: dict, code: int) -> str:
    return lib_artists[index.artist_names[code]][2]


def artist_figures(library: pd.DataFrame, norm: pd.DataFrame) -> dict:
    """{artist key: (tracks, plays, display name)} of the rows' primary artists."""
    primary = norm["artists"].map(primary_artist)
    plays = pd.to_numeric(library["plays"], errors="coerce").fillna(0).to_numpy() if "plays" in library \
        else np.zeros(len(primary))
    frame = pd.DataFrame({"key": primary.map(artist_key).to_numpy(), "name": primary.to_numpy(), "plays": plays})
    grouped = frame.groupby("key", sort=False).agg(tracks=("name", "size"), plays=("plays", "sum"), name=("name", "first"))
    return {k: (int(t), int(p), n) for k, t, p, n in zip(grouped.index, grouped["tracks"], grouped["plays"], grouped["name"])}


def taste(index, lib_q: pd.DataFrame, norm_q: pd.DataFrame, lib_genre_lists: list[list[str]]):
    """(feature profile, genre counts, artist_figures) of the query rows."""
    profile = (feature_matrix(lib_q).mean(0) - index.mean_) / index.scale_
    artists = artist_figures(lib_q, norm_q)
    lib_genres: Counter = Counter()
    for key, (tracks, _, _) in artists.items():
        for g in index.artist_genres.get(key, []):
            lib_genres[g] += tracks
    lib_genres.update(g for genres in lib_genre_lists for g in genres)
    return profile, lib_genres, artists
