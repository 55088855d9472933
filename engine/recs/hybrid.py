"""The hybrid ranker served by default: a weighted sum of signals a listener's library gives directly.

Signals, each scaled to about 0..1 over the catalog:
- artist: the library's affinity for the item's artist (1 + log(1 + plays) per library track, summed
  per primary artist, largest = 1), the strongest signal on real listeners;
- neighbours: how strongly the TidyTuesday playlists that share the library's artists (or its exact
  tracks) hold the item (user-KNN through artists; real libraries rarely share exact tracks);
- genre: cosine between the library's genre profile and the item's genres; an item with no genre
  scores 0 here, so "unknown genre" cannot act as a hub;
- popularity: Spotify popularity, 0..1 in the catalog (a prior; plays and popularity are fine as ranking signals);
- two_tower: the two-tower score, standardized over the catalog.
Weights are fitted on TidyTuesday validation playlists (`python -m engine evaluate-recs --listeners`)
and shipped in models/hybrid/config.json with the playlist-membership matrix; serving reads no dataset.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

SIGNALS = ("artist", "neighbours", "genre", "popularity", "two_tower")


class HybridSignals:
    """Per-catalog-item signals for a library; `items` is the Recommender's catalog frame."""

    def __init__(self, items: pd.DataFrame, item_genres: list[list[str]], membership: sparse.csr_matrix):
        self.artist_codes, self.artist_names = pd.factorize(items["artist"])
        self.popularity = np.nan_to_num(items["popularity"].to_numpy(dtype=float))  # 0..1 in the catalog; unknown = 0
        genres = pd.Index(sorted({g for gs in item_genres for g in gs}))
        rows = np.repeat(np.arange(len(items)), [len(gs) for gs in item_genres])
        cols = genres.get_indexer([g for gs in item_genres for g in gs])
        self.genre_index = genres
        self.genres = _row_unit(sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items), len(genres))))
        self.membership = membership.tocsr().astype(np.float32)                 # playlists x items
        by_artist = sparse.csr_matrix((np.ones(len(items)), (np.arange(len(items)), self.artist_codes)),
                                      shape=(len(items), len(self.artist_names)))
        self.playlist_artists = (self.membership @ by_artist).tocsr()            # playlists x artists
        self.playlist_artists.data = np.minimum(self.playlist_artists.data, 1.0)

    def artist_affinity(self, artists: list[str], weights: np.ndarray) -> np.ndarray:
        """Per artist code: the summed weight of the library's tracks by that artist, largest = 1."""
        codes = self.artist_names.get_indexer(artists)
        known = codes >= 0
        out = np.bincount(codes[known], weights=weights[known], minlength=len(self.artist_names))
        return out / max(out.max(), 1e-9)

    def owned_vector(self, owned: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.popularity), dtype=np.float32)
        out[owned] = 1.0
        return out

    def cooccurrence(self, owned: np.ndarray) -> np.ndarray:
        """Per item: how many (playlist, owned item) pairs it shares a TidyTuesday playlist with."""
        return np.asarray(self.membership.T @ (self.membership @ self.owned_vector(owned))).ravel()

    def signals(self, owned: np.ndarray, affinity: np.ndarray, genre_profile: dict[str, float],
                tower: np.ndarray | None) -> dict[str, np.ndarray]:
        playlist_weight = (self.playlist_artists @ affinity) + self.membership @ self.owned_vector(owned)
        neighbours = np.asarray(self.membership.T @ playlist_weight).ravel()
        profile = np.zeros(len(self.genre_index))
        where = self.genre_index.get_indexer(list(genre_profile))
        profile[where[where >= 0]] = np.asarray(list(genre_profile.values()))[where >= 0]
        genre = self.genres @ (profile / max(np.linalg.norm(profile), 1e-9))
        out = {"artist": affinity[self.artist_codes], "neighbours": neighbours / max(neighbours.max(), 1e-9),
               "genre": np.asarray(genre).ravel(), "popularity": self.popularity}
        if tower is not None:
            out["two_tower"] = (tower - tower.mean()) / max(tower.std(), 1e-9)
        return out


def genre_profile(genre_lists, weights) -> Counter:
    """A library's genre profile: each track's weight shared equally among its genres."""
    profile: Counter = Counter()
    for genres, w in zip(genre_lists, weights):
        for g in genres:
            profile[g] += w / len(genres)
    return profile


def shelves(signals: dict[str, np.ndarray], top: np.ndarray) -> list[str]:
    """Which shelf each recommended item belongs on, by the signal that put it there."""
    out = []
    for item in top:
        if signals["artist"][item] > 0:
            out.append("more from your artists")
        elif signals["neighbours"][item] >= 0.2:
            out.append("in playlists beside your artists")
        else:
            out.append("new to you")
    return out


def combine(signals: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    total = np.zeros_like(signals["popularity"], dtype=np.float32)
    for name, w in weights.items():
        if w and name in signals:
            total += np.float32(w) * signals[name].astype(np.float32)
    return total


def track_weights(library: pd.DataFrame) -> np.ndarray:
    """A library track counts 1, plus log(1 + plays) where a history says how often it was played."""
    plays = pd.to_numeric(library["plays"], errors="coerce") if "plays" in library else pd.Series(0.0, index=library.index)
    return 1.0 + np.log1p(np.clip(plays.fillna(0).to_numpy(dtype=float), 0, None))


def recency_arrays(library: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """(recent, days_since_active) per library row (engine.library.recency), None when the frame has
    no dated record at all (a playlist, an undated file)."""
    if "days_since_active" not in library or not library["days_since_active"].notna().any():
        return None
    recent = pd.to_numeric(library["recent"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return recent, pd.to_numeric(library["days_since_active"], errors="coerce").to_numpy(dtype=float)


def _row_unit(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-9)) @ matrix


def load_hybrid(path: Path, catalog_keys: pd.Series) -> tuple[dict, sparse.csr_matrix] | None:
    """(weights, playlists x items membership aligned to catalog_keys), or None when not shipped."""
    if not (path / "config.json").exists() or not (path / "membership.npz").exists():
        return None
    config = json.loads((path / "config.json").read_text())
    stored = sparse.load_npz(path / "membership.npz").tocoo()
    keys = pd.read_parquet(path / "item_keys.parquet")["key"].to_numpy()
    column = pd.Index(catalog_keys).get_indexer(keys[stored.col])
    keep = column >= 0
    membership = sparse.csr_matrix((stored.data[keep], (stored.row[keep], column[keep])),
                                   shape=(stored.shape[0], len(catalog_keys)))
    return config["weights"], membership


def listener_figures(path: Path | None = None) -> dict:
    """{method: {"recall": pooled recall@50 on real listeners, "charts": global popularity's in the same
    run, "listeners": how many}} from the shipped evaluations, or {} when they are missing (the page then
    shows no figure). The hybrid's comes from the learned ranker's 22-listener run (models/ranker), the
    two-tower's and content's from the hybrid's own, smaller run."""
    from engine.config import models_dir

    root = Path(path or models_dir())
    out = {}
    metrics = root / "hybrid" / "metrics.json"
    if metrics.exists():
        methods = json.loads(metrics.read_text())["real_listeners"]["methods"]
        charts = methods.get("popularity", {}).get("pooled", {})
        for name, m in methods.items():
            out[name] = {"recall": m["pooled"]["recall@50"], "charts": charts.get("recall@50"),
                         "listeners": m["pooled"]["listeners"]}
    metrics = root / "ranker" / "metrics.json"
    if metrics.exists():
        methods = json.loads(metrics.read_text())["real_listeners"]["methods"]
        if "hybrid" in methods and "popularity" in methods:
            out["hybrid"] = {"recall": methods["hybrid"]["recall@50"], "charts": methods["popularity"]["recall@50"],
                             "listeners": methods["hybrid"]["listeners"]}
    return out
