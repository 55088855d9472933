"""Rank one library's candidates with a fitted ranker: the step serving and evaluation share."""

from __future__ import annotations

import numpy as np

from engine.recs.ranker.candidates import candidates
from engine.recs.ranker.features import feature_matrix


def rank_candidates(ranker, ctx, table, allowed: np.ndarray, sizes: dict):
    """{"all": (items best first, scores), "new": the same over candidates by artists new to the library
    (ranked by the model fitted on those)} over the staged candidates that are allowed."""
    items, flags = candidates(ctx, table, allowed, sizes)
    x = feature_matrix(ctx, table, items, flags)
    new = ctx.signals["artist"][items] <= 0
    out = {}
    for name, rows, model_new in (("all", slice(None), False), ("new", new, True)):
        scores = ranker.score(x[rows], new_artists=model_new)
        order = np.argsort(-scores, kind="stable")
        out[name] = (items[rows][order], scores[order])
    return out


def cap_per_artist(items: np.ndarray, artist: np.ndarray, k: int, cap: int | None) -> np.ndarray:
    """Positions of the first k items keeping at most `cap` per artist (None: no cap), in order."""
    if cap is None:
        return np.arange(min(k, len(items)))
    seen: dict[int, int] = {}
    keep = []
    for position, a in enumerate(artist[items]):
        if seen.get(a, 0) < cap:
            seen[a] = seen.get(a, 0) + 1
            keep.append(position)
            if len(keep) == k:
                break
    return np.asarray(keep, dtype=int)
