"""The learned ranker on TidyTuesday test playlists (the hybrid's table, same split, same baselines)."""

from __future__ import annotations

import numpy as np

from engine.recs.ranker.ranking import rank_candidates


def items_context(rec, served_table, colisten, owned: np.ndarray):
    """A library given as catalog item indices (every track weight 1, no plays)."""
    from engine.recs.data import item_arrays
    from engine.recs.ranker.context import library_context
    from engine.recs.towers import serving_users

    rows = rec.items.iloc[owned].assign(genres_list=[rec.item_genres[i] for i in owned])
    user = serving_users(rec.model, item_arrays(rows, rec.vocab), [np.arange(len(rows))], rec.vocab)
    return library_context(rec, served_table, colisten, rows, np.ones(len(owned)), owned,
                           rec.vectors @ user[0].astype(np.float32))


def tidytuesday_table(rec, ranker, table, seed: int = 0, colisten=None) -> dict:
    """Mean recall@10 / recall@50 / NDCG@10 over TidyTuesday test playlists: the ranker (no co-listening
    rows: a playlist has no listener) against the hybrid's baselines, and the ratio to the best one."""
    from engine.recs.hybrid_training.evaluate import tidytuesday_table as hybrid_table
    from engine.recs.hybrid_training.fit import tidytuesday_users
    from engine.recs.listeners.evaluate import listener_metrics

    _, _, _, test = tidytuesday_users(rec, seed)
    base = hybrid_table(rec, test, rec.hybrid_weights)
    rows = []
    for owned, truth in test:
        ctx = items_context(rec, table, colisten, owned)
        allowed = np.ones(len(table.artist), bool)
        allowed[owned] = False
        items, _ = rank_candidates(ranker, ctx, table, allowed, ranker.config.candidates)["all"]
        rows.append(listener_metrics(items[:50], truth))
    base["methods"]["ranker"] = {c: float(np.mean([r[c] for r in rows])) for c in ("recall@10", "recall@50", "ndcg@10")}
    best = base["best_baseline"]
    base["ranker_vs_best_baseline_ndcg@10"] = base["methods"]["ranker"]["ndcg@10"] / max(base["methods"][best]["ndcg@10"], 1e-12)
    return base
