"""Ranking metrics, written once for every evaluation of the recommenders: the top-k of a score vector,
hits / recall / NDCG of a ranked list, pooled real-listener figures, genre diversity, and the one bootstrap.

The bootstrap (`ratio_interval`): a paired bootstrap over listeners of the ratio of pooled recalls (found by
one method / found by the other, summed over the listeners drawn), 1,000 draws with a fixed seed, 90%
percentile interval. Listeners, not tracks, are resampled because a listener's truth tracks are not
independent of each other (one listener's taste decides them all); the draw is the same for both methods
so the interval is about the difference between them, not about which listeners happened to be sampled.
"""

from __future__ import annotations

import numpy as np

CUTOFF = 10
DEPTH = 50    # recall@50: the depth every real-listener figure is read at
DEEP = 100    # the two-tower's tables: MRR looks this deep
BOOTSTRAP = 1000
DISCOUNTS = 1.0 / np.log2(np.arange(2, CUTOFF + 2))


def best(scores: np.ndarray, count: int, allowed: np.ndarray | None = None, ordered: bool = True,
         ties_by_index: bool = False) -> np.ndarray:
    """Indices of the `count` highest finite scores among allowed items, best first when ordered (as
    np.argpartition leaves them otherwise). ties_by_index: a full stable sort, so that among equal scores
    the lower index always comes first (for scores with many ties, such as item-KNN's zero votes)."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
        count = min(count, int(allowed.sum()))
    count = min(count, len(scores))
    if count <= 0:
        return np.zeros(0, dtype=int)
    if ties_by_index:
        part = np.argsort(-scores, kind="stable")[:count]
    else:
        part = np.argpartition(-scores, count - 1)[:count]
        if ordered:
            part = part[np.argsort(-scores[part], kind="stable")]
    return part[np.isfinite(scores[part])]


def top_k(scores: np.ndarray, exclude: list[np.ndarray], k: int = DEEP) -> np.ndarray:
    """(B, k) best item indices per row of a (B, N) score matrix, leaving out each row's excluded items."""
    scores = scores.astype(np.float32, copy=True)
    for i, rows in enumerate(exclude):
        scores[i, rows] = -np.inf
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def hits(ranked: np.ndarray, truth: np.ndarray) -> dict:
    """found@10, found@50 and NDCG@10 of one ranked list against its truth set."""
    hit = np.isin(ranked, truth)
    ideal = DISCOUNTS[:min(len(truth), CUTOFF)].sum()
    top = hit[:CUTOFF]
    return {"found@10": int(top.sum()), "found@50": int(hit[:DEPTH].sum()),
            "ndcg@10": float((top * DISCOUNTS[:len(top)]).sum() / ideal) if len(truth) else 0.0}


def list_metrics(ranked: np.ndarray, truth: np.ndarray) -> dict:
    """hits() with recall@10 / recall@50 (found / truth) for one user."""
    out = hits(ranked, truth)
    return {"truth": int(len(truth)), **out, "recall@10": out["found@10"] / len(truth),
            "recall@50": out["found@50"] / len(truth)}


def mean_metrics(rows: list[dict], names=("recall@10", "recall@50", "ndcg@10")) -> dict:
    return {c: float(np.mean([r[c] for r in rows])) for c in names}


def ranking_metrics(ranked: np.ndarray, truth: list[np.ndarray], n_items: int, item_vectors: np.ndarray) -> dict:
    """Means over users with truth: HitRate@10, Recall@10/@50, NDCG@10, MRR (first hit within the ranked
    depth), MAP@10, catalog coverage (share of candidate items in any top-10) and intra-list diversity
    (mean pairwise cosine distance of the top-10's standardized audio features)."""
    out = {k: [] for k in ("hit_rate@10", "recall@10", "recall@50", "ndcg@10", "mrr", "map@10", "diversity")}
    for row, rel in zip(ranked, truth):
        if len(rel) == 0:
            continue
        m = list_metrics(row, rel)
        is_hit = np.isin(row, rel)
        top = is_hit[:CUTOFF]
        first = np.flatnonzero(is_hit)
        precision = np.cumsum(top) / np.arange(1, CUTOFF + 1)
        for name, value in (("hit_rate@10", float(top.any())), ("recall@10", m["recall@10"]),
                            ("recall@50", m["recall@50"]), ("ndcg@10", m["ndcg@10"]),
                            ("mrr", 1.0 / (first[0] + 1) if len(first) else 0.0),
                            ("map@10", (precision * top).sum() / min(len(rel), CUTOFF)),
                            ("diversity", _feature_diversity(item_vectors[row[:CUTOFF]]))):
            out[name].append(value)
    shown = np.unique(ranked[:, :CUTOFF])
    return {"users": len(out["mrr"]), **{k: float(np.mean(v)) for k, v in out.items() if k != "diversity"},
            "coverage": len(shown) / n_items, "diversity": float(np.mean(out["diversity"]))}


def _pairwise_diversity(unit_rows) -> float:
    """1 - the mean cosine over every pair of (at least two) unit rows, dense or sparse: the diagonal of
    their Gram matrix holds n ones, the rest the pairs' cosines."""
    n = unit_rows.shape[0]
    return 1.0 - (float((unit_rows @ unit_rows.T).sum()) - n) / (n * (n - 1))


def _feature_diversity(vectors: np.ndarray) -> float:
    if len(vectors) < 2:
        return 0.0
    return _pairwise_diversity(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9))


def genre_diversity(items: np.ndarray, genres) -> float:
    """Intra-list genre diversity: 1 - the mean cosine between the genre vectors (CatalogIndex.genres,
    unit rows) of every pair of listed items that have genres; 0 = one genre mix throughout, 1 = no two
    items share a genre; nan when fewer than two items have genres."""
    g = genres[items]
    g = g[np.asarray(g.getnnz(axis=1)).ravel() > 0]
    return float("nan") if g.shape[0] < 2 else _pairwise_diversity(g)


def pooled(rows: list[dict], method: str) -> dict:
    """One method's real-listener figures from per-listener rows: pooled recalls (all found / all truth),
    mean NDCG@10, discovery (new-artist truth) and own-artist recall, mean distinct artists and diversity."""
    truth = sum(r["truth"] for r in rows)
    new = sum(r["new_artist_truth"] for r in rows)
    return {"listeners": len(rows), "truth": truth, "new_artist_truth": new,
            "recall@10": sum(r[method]["found@10"] for r in rows) / max(truth, 1),
            "recall@50": sum(r[method]["found@50"] for r in rows) / max(truth, 1),
            "ndcg@10": float(np.mean([r[method]["ndcg@10"] for r in rows])),
            "discovery_recall@50": sum(r[method]["discovery_found@50"] for r in rows) / max(new, 1),
            "own_artist_recall@50": sum(r[method]["own_found@50"] for r in rows) / max(truth - new, 1),
            "distinct_artists@50": float(np.mean([r[method]["distinct_artists@50"] for r in rows])),
            "new_distinct_artists@50": float(np.mean([r[method]["new_distinct_artists@50"] for r in rows])),
            **{name: _mean(rows, method, name) for name in ("own_distinct_artists@50", "genre_diversity@50",
                                                           "genre_diversity@50_new", "genre_diversity@50_own")},
            "new_median_popularity@50": _median(r[method].get("new_popularity@50", []) for r in rows),
            "new_artist_truth_median_popularity": _median(r.get("new_artist_truth_popularity", []) for r in rows)}


def _median(lists) -> float | None:
    """The median of every listener's values pooled (None when there are none)."""
    values = [v for part in lists for v in part]
    return float(np.median(values)) if values else None


def _mean(rows: list[dict], method: str, name: str) -> float | None:
    """The mean over listeners that have the value (a list with fewer than two genred items has none)."""
    values = np.array([r[method].get(name, np.nan) for r in rows], float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else None


def ratio_interval(rows: list[dict], ours: str, theirs: str, field: str = "found@50", seed: int = 0) -> dict:
    """ours / theirs pooled over listeners, with the module's paired bootstrap 90% interval."""
    a = np.array([r[ours][field] for r in rows], float)
    b = np.array([r[theirs][field] for r in rows], float)
    if b.sum() == 0:
        return {"ratio": None, "interval_90": None, "note": f"{theirs} found none"}
    draws = np.random.default_rng(seed).integers(0, len(rows), (BOOTSTRAP, len(rows)))
    ratios = a[draws].sum(1) / np.maximum(b[draws].sum(1), 1)
    return {"ratio": float(a.sum() / max(b.sum(), 1)), "interval_90": [float(np.quantile(ratios, 0.05)),
                                                                       float(np.quantile(ratios, 0.95))]}
