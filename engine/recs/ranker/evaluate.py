"""The ranker's one evaluation protocol: every method ranks the same allowed items (the catalog minus what
the library owns) for the same listener cut at TEST_CUT of its own timeline (engine.recs.listeners.build),
and the ranker's fold never saw that listener (engine.recs.ranker.fit).

Pooled recall = all truth tracks found / all truth tracks. Discovery = recall@50 on the truth tracks by
artists the library does not have, each method's best 50 tracks by new artists; own-artist recall the same
for the library's artists. Intervals: engine.recs.metrics.ratio_interval (paired bootstrap over listeners).
  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners
"""

from __future__ import annotations

import numpy as np

from engine.recs.metrics import DEPTH, best, genre_diversity, hits
from engine.recs.ranker.ranking import rank_candidates
from engine.recs.rules import rule_scores
from engine.recs.shelves import first_k


def rankings(index, ranker, ctx, seed: int = 0, scored: list | None = None) -> dict[str, tuple]:
    """method -> (top 50 of everything, top 50 among new artists, top 50 among the library's artists),
    for every simple rule (engine.recs.rules), the ranker as served (artist cap), without the cap, and with
    "New to you" by score alone (before its popularity strata).
    scored: a list that receives rank_candidates' output (the calibration reads it)."""
    allowed = index.not_owned(ctx.owned)
    new = allowed & (ctx.signals["artist"] <= 0)
    mine = allowed & ~new
    out = {name: tuple(best(s, DEPTH, where) for where in (allowed, new, mine))
           for name, s in rule_scores(index, ctx, seed).items()}
    ranked = rank_candidates(ranker, ctx, index, allowed)
    (items, _), (fresh, _) = ranked["all"], ranked["new"]
    if scored is not None:  # the shelves' scores of every candidate, for the calibration of `match`
        scored.append(ranked)
    own = items[ctx.signals["artist"][items] > 0]

    def capped(order):
        return order[first_k(order, index.artist, DEPTH, ranker.config.max_per_artist)]

    out["ranker"] = (capped(items), capped(fresh), capped(own))
    out["ranker_no_cap"] = (items[:DEPTH], fresh[:DEPTH], own[:DEPTH])
    out["ranker_new_by_score"] = (capped(items), capped(ranked["new_by_score"][0]), capped(own))
    return out


def listener_row(name: str, ex, ctx, ranked: dict, index) -> dict:
    """One listener's counts per method: hits of the blend, discovery and own-artist hits, distinct
    artists and genre diversity (CatalogIndex.genres) of each top 50, and the popularity of the top 50
    by new artists beside that of the new-artist truth."""
    new_truth = ex.truth[ctx.signals["artist"][ex.truth] <= 0]
    row = {"listener": name, "library": ex.library_rows, "truth": int(len(ex.truth)),
           "new_artist_truth": int(len(new_truth)), "new_artist_truth_popularity": _popularity(index, new_truth)}
    for method, (blend, fresh, own) in ranked.items():
        row[method] = {**hits(blend, ex.truth), "discovery_found@50": int(np.isin(fresh, new_truth).sum()),
                       "own_found@50": int(np.isin(own, ex.truth).sum()),
                       "distinct_artists@50": int(len(np.unique(index.artist[blend]))),
                       "new_distinct_artists@50": int(len(np.unique(index.artist[fresh]))),
                       "own_distinct_artists@50": int(len(np.unique(index.artist[own]))),
                       "new_popularity@50": _popularity(index, fresh),
                       **{f"genre_diversity@50{suffix}": genre_diversity(items[:DEPTH], index.genres)
                          for suffix, items in (("", blend), ("_new", fresh), ("_own", own))}}
    return row


def _popularity(index, items: np.ndarray) -> list[int]:
    """Each item's catalog popularity on Spotify's 0-100 scale (whole numbers: the table keeps them)."""
    return np.rint(100 * index.popularity[items]).astype(int).tolist()
