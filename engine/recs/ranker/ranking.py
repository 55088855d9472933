"""Rank one library's candidates with a fitted ranker: the step serving and evaluation share."""

from __future__ import annotations

import numpy as np

from engine.recs.ranker.candidates import candidates
from engine.recs.ranker.features import feature_matrix


RRF_K = 60  # reciprocal-rank fusion's usual constant: a list's first places count, its tail barely


def rank_candidates(ranker, ctx, index, allowed: np.ndarray):
    """{"all": (items best first, scores), "new": the same over candidates by artists new to the library
    (ranked by the model fitted on those, fused with playlist co-occurrence, then ordered so that their
    popularity follows what real listeners discover: popularity_strata), "new_by_score": "new" before that} over
    the staged candidates that are allowed (sizes from the ranker's config)."""
    items, flags = candidates(ctx, index, allowed, ranker.config.candidates)
    x = feature_matrix(ctx, index, items, flags)
    new = ctx.signals["artist"][items] <= 0
    # Fusion helps the listener models (dated libraries); the model for undated libraries learned from
    # playlists already, and fusing cut its TidyTuesday NDCG@10 from 2.3x to 1.4x "your artists".
    out = {}
    for name, rows, model_new in (("all", slice(None), False), ("new", new, True)):
        scores = ranker.score(x[rows], new_artists=model_new)
        weight = ranker.config.new_shelf_cooccurrence if model_new else ranker.config.blend_cooccurrence
        if ctx.dated and weight and ctx.cooccurrence is not None:
            scores = fused(scores, ctx.cooccurrence[items[rows]], weight)
        if model_new and ctx.lastfm_artist is not None and ctx.lastfm_artist.any():
            scores = scores + taste_votes(ctx.lastfm_artist[index.artist[items[rows]]])
        order = np.argsort(-scores, kind="stable")
        out[name] = (items[rows][order], scores[order])
    out["new_by_score"] = out["new"]
    strata = popularity_strata(index.popularity[out["new"][0]], getattr(ranker, "discovery_popularity_", None))
    if strata is not None:
        out["new"] = tuple(part[strata] for part in out["new"])
    return out


STRATA = 10         # popularity deciles of what real listeners discovered (LearnedRanker.discovery_popularity_)
MAX_PLACES = 1000   # deeper than any shelf (k * 25 at most 1,250 with the cap's room; the rest keep score order)


def popularity_strata(popularity: np.ndarray, edges) -> np.ndarray | None:
    """An order of the ranked candidates (best first) whose popularity follows what real listeners really
    discovered: `edges` cut popularity into STRATA deciles of the training listeners' new-artist truth, and
    each place goes to the best remaining candidate of the decile furthest behind its equal share. Ranked
    by score alone, "New to you" was a radio chart (median popularity 76 where listeners' discoveries have
    43); None without edges (an artifact fitted before them)."""
    if edges is None or len(edges) != STRATA - 1 or not len(popularity):
        return None
    bins = np.searchsorted(np.asarray(edges, float), popularity, side="right")
    queues = [np.flatnonzero(bins == b) for b in range(STRATA)]
    taken, heads, order = np.zeros(STRATA), np.zeros(STRATA, int), []
    for place in range(min(len(popularity), MAX_PLACES)):
        open_bins = [b for b in range(STRATA) if heads[b] < len(queues[b])]
        b = min(open_bins, key=lambda b: (taken[b] - (place + 1) / STRATA, queues[b][heads[b]]))
        order.append(queues[b][heads[b]])
        heads[b] += 1
        taken[b] += 1
    rest = np.setdiff1d(np.arange(len(popularity)), order)  # beyond any shelf's depth: by score
    return np.r_[np.asarray(order, int), rest]


NEW_SHELF_LASTFM = 1.0  # fixed before it was measured: the Last.fm order counts as much as the model's


def taste_votes(similarity: np.ndarray) -> np.ndarray:
    """Reciprocal-rank votes (weight NEW_SHELF_LASTFM) from the candidates' artists' Last.fm co-listening
    with the library (a cosine: over the square root of each artist's listeners). Alone, the model put the
    radio staples that share many MPD playlists with any big library first (Eye of the Tiger for an IAMX,
    Muse and Lemon Demon listener); the listeners of the library's artists name the artists of its taste."""
    rank = np.empty(len(similarity))
    rank[np.argsort(-similarity, kind="stable")] = np.arange(len(similarity))
    return np.where(similarity > 0, NEW_SHELF_LASTFM / (RRF_K + rank), 0.0)


def fused(model: np.ndarray, cooccurrence: np.ndarray, weight: float) -> np.ndarray:
    """Reciprocal-rank fusion: 1 / (K + the model's rank) + weight / (K + the co-occurrence rank), the
    second only for items that share a playlist with the library. On new artists the learned model
    alone ranked below the simple co-occurrence rule; the fusion keeps what each finds."""
    rank_model = np.empty(len(model))
    rank_model[np.argsort(-model, kind="stable")] = np.arange(len(model))
    rank_cooc = np.empty(len(model))
    rank_cooc[np.argsort(-cooccurrence, kind="stable")] = np.arange(len(model))
    return 1.0 / (RRF_K + rank_model) + np.where(cooccurrence > 0, weight / (RRF_K + rank_cooc), 0.0)
