"""Fit the hybrid's weights on TidyTuesday validation playlists and ship models/hybrid.

The playlist-membership matrix is the TidyTuesday split's training part (the same split the two-tower
trained on), so no held-out track is in it. Playlists are halved at random (fixed seed): the weights
are chosen on the first half (validation), merged three at a time into mixed-genre users that look
like real libraries; the second half gives the TidyTuesday table. Real listeners are never used here.
  (run by `python -m engine evaluate-recs --listeners`)
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.recs.hybrid import SIGNALS, combine
from engine.recs.rank_metrics import top_k

GRID = {"artist": (0.0, 0.5, 1.0, 2.0), "neighbours": (0.0, 0.25, 0.5, 1.0), "genre": (0.0, 0.25, 0.5),
        "popularity": (0.0, 0.25, 0.5, 1.0), "two_tower": (0.0, 0.05, 0.1, 0.2)}
MERGE = 6  # six playlists (~330 tracks) look more like a real library than one genre playlist


def tidytuesday_users(rec, seed: int = 0):
    """(membership playlists x items over rec.items, validation users, test users); a user is
    (owned item indices, truth item indices)."""
    from engine.recs.interactions import playlist_rows, time_split

    split = time_split(playlist_rows(rec.catalog), seed=seed)
    keys = rec.catalog.tracks["key"].to_numpy()
    position = pd.Series(np.arange(len(rec.items)), index=rec.items["key"].to_numpy())
    position = position[~position.index.duplicated()]

    def to_items(rows):
        found = position.reindex(keys[rows]).to_numpy()
        return np.unique(found[~np.isnan(found)].astype(int))

    train = [to_items(r) for r in split.train]
    test = [np.setdiff1d(to_items(r), t) for r, t in zip(split.test, train)]
    member_rows = np.repeat(np.arange(len(train)), [len(t) for t in train])
    membership = sparse.csr_matrix((np.ones(len(member_rows), dtype=np.float32), (member_rows, np.concatenate(train))),
                                   shape=(len(train), len(rec.items)))
    order = np.random.default_rng(seed).permutation([i for i, t in enumerate(test) if len(t)])
    half = len(order) // 2
    return membership, split, [(train[i], test[i]) for i in order[:half]], [(train[i], test[i]) for i in order[half:]]


def merged(users: list, size: int = MERGE) -> list:
    """Consecutive groups of `size` users as one mixed-genre user (owned and truth united)."""
    groups = [users[i:i + size] for i in range(0, len(users) - size + 1, size)]
    return [(np.unique(np.concatenate([u[0] for u in g])), np.setdiff1d(np.unique(np.concatenate([u[1] for u in g])),
             np.concatenate([u[0] for u in g]))) for g in groups]


def user_signals(rec, owned: np.ndarray) -> dict[str, np.ndarray]:
    """The hybrid's signals for a user given as item indices (every track weight 1, no plays). The
    user's own playlist is in the membership, but only with its training tracks, which are owned."""
    from engine.recs.data import item_arrays
    from engine.recs.hybrid import genre_profile
    from engine.recs.towers import serving_users

    hybrid = rec.hybrid
    affinity = np.bincount(hybrid.artist_codes[owned], minlength=len(hybrid.artist_names)).astype(float)
    affinity /= max(affinity.max(), 1e-9)
    profile = genre_profile([rec.item_genres[i] for i in owned], np.ones(len(owned)))
    rows = rec.items.iloc[owned]
    user = serving_users(rec.model, item_arrays(rows, rec.vocab), [np.arange(len(rows))], rec.vocab)
    return hybrid.signals(owned, affinity, profile, rec.vectors @ user[0].astype(np.float32))


def recall_at(ranked: np.ndarray, users: list, k: int = 50) -> float:
    return float(np.mean([np.isin(r[:k], t).sum() / len(t) for r, (_, t) in zip(ranked, users) if len(t)]))


def capped_top(scores: np.ndarray, owned: list, artist_codes: np.ndarray, k: int = 50, cap: int = 3,
               depth: int = 300) -> np.ndarray:
    """(users, k) best items per row with at most `cap` per artist, as Recommender serves them
    (vectorized: each item's occurrence number among its artist's items in the sorted top `depth`)."""
    top = top_k(scores, owned, depth)
    codes = artist_codes[top]
    order = np.argsort(codes, axis=1, kind="stable")
    sorted_codes = np.take_along_axis(codes, order, axis=1)
    position = np.broadcast_to(np.arange(depth), codes.shape)
    starts = np.where(np.diff(sorted_codes, axis=1, prepend=-1) != 0, position, 0)
    occurrence_sorted = position - np.maximum.accumulate(starts, axis=1)
    occurrence = np.empty_like(occurrence_sorted)
    np.put_along_axis(occurrence, order, occurrence_sorted, axis=1)
    keep = occurrence < cap
    rank = np.where(keep, np.cumsum(keep, axis=1), depth + 1)
    out = np.full((len(top), k), -1)
    rows, cols = np.nonzero(rank <= k)
    out[rows, rank[rows, cols] - 1] = top[rows, cols]
    return out


def fit_weights(signal_sets: list[dict], users: list, artist_codes: np.ndarray, log=None) -> tuple[dict, float, list]:
    """Grid search of the weights by validation recall@50 over GRID, ranked as served (3 per artist)."""
    owned = [u[0] for u in users]
    stacked = {name: np.stack([s[name] for s in signal_sets]).astype(np.float32) for name in GRID}
    best, tried = (None, -1.0), []
    for values in itertools.product(*GRID.values()):
        weights = dict(zip(GRID, values))
        if not any(values):
            continue
        scores = combine(stacked, weights)
        score = recall_at(capped_top(scores, owned, artist_codes), users)
        tried.append({**weights, "recall@50": score})
        if score > best[1]:
            best = (weights, score)
            if log:
                log(f"hybrid weights {weights}: validation recall@50 {score:.4f}")
    return best[0], best[1], tried


def save_hybrid(path: Path, rec, membership: sparse.csr_matrix, weights: dict, info: dict) -> None:
    from engine.versions import library_versions

    path.mkdir(parents=True, exist_ok=True)
    sparse.save_npz(path / "membership.npz", membership.tocsr().astype(np.float32))
    pd.DataFrame({"key": rec.items["key"].to_numpy()}).to_parquet(path / "item_keys.parquet", index=False)
    config = {"weights": {s: float(weights.get(s, 0.0)) for s in SIGNALS}, "versions": library_versions(), **info}
    (path / "config.json").write_text(json.dumps(config, indent=2))
