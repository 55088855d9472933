"""The learned ranker on TidyTuesday test playlists, against the simple rules and the two-tower.

A playlist has no listener (no co-listening rows) and no dates; its older tracks are the library, its
newest the truth (engine.recs.interactions.tidytuesday_users: the test half, never a training example).
"""

from __future__ import annotations

from engine.recs.metrics import DEPTH, best, list_metrics, mean_metrics
from engine.recs.ranker.ranking import rank_candidates
from engine.recs.rules import rule_scores

BASELINES = ("popularity", "your_artists", "cooccurrence")


def tidytuesday_table(rec, ranker, seed: int = 0) -> dict:
    """Mean recall@10 / recall@50 / NDCG@10 over the test playlists for the rules, the two-tower score and
    the ranker, and the ratio of the ranker's NDCG@10 to the best rule's."""
    from engine.recs.interactions import tidytuesday_users
    from engine.recs.ranker.fit import items_context

    _, _, test = tidytuesday_users(rec.index, rec.catalog, seed)
    rows: dict[str, list] = {m: [] for m in (*BASELINES, "two_tower", "ranker")}
    for owned, truth in test:
        ctx = items_context(rec, owned)
        allowed = rec.index.not_owned(owned)
        rules = rule_scores(rec.index, ctx, seed)
        for name in BASELINES:
            rows[name].append(list_metrics(best(rules[name], DEPTH, allowed), truth))
        rows["two_tower"].append(list_metrics(best(ctx.signals["two_tower"], DEPTH, allowed), truth))
        items, _ = rank_candidates(ranker, ctx, rec.index, allowed)["all"]
        rows["ranker"].append(list_metrics(items[:DEPTH], truth))
    table = {m: mean_metrics(r) for m, r in rows.items()}
    top = max(BASELINES, key=lambda m: table[m]["ndcg@10"])
    return {"playlists": len(test), "methods": table, "best_baseline": top,
            "ranker_vs_best_baseline_ndcg@10": table["ranker"]["ndcg@10"] / max(table[top]["ndcg@10"], 1e-12),
            "two_tower_vs_best_baseline_ndcg@10": table["two_tower"]["ndcg@10"] / max(table[top]["ndcg@10"], 1e-12)}
