"""Ranking metrics over top-k lists of item indices, one list per user, against held-out sets."""

from __future__ import annotations

import numpy as np

CUTOFF = 10
DEEP = 100  # recall@50 and MRR look this deep


def top_k(scores: np.ndarray, exclude: list[np.ndarray], k: int = DEEP) -> np.ndarray:
    """(B, k) best item indices per row of a (B, N) score matrix, leaving out each row's excluded items."""
    scores = scores.astype(np.float32, copy=True)
    for i, rows in enumerate(exclude):
        scores[i, rows] = -np.inf
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def ranking_metrics(ranked: np.ndarray, truth: list[np.ndarray], n_items: int, item_vectors: np.ndarray) -> dict:
    """HitRate@10, Recall@10/@50, NDCG@10, MRR (first hit within the top 100), MAP@10, catalog coverage
    (share of candidate items in any top-10) and intra-list diversity (mean pairwise cosine distance of
    the top-10's standardized audio features)."""
    hit, r10, r50, ndcg, mrr, ap, div = [], [], [], [], [], [], []
    discounts = 1.0 / np.log2(np.arange(2, CUTOFF + 2))
    for row, rel in zip(ranked, truth):
        if len(rel) == 0:
            continue
        is_hit = np.isin(row, rel)
        top = is_hit[:CUTOFF]
        hit.append(float(top.any()))
        r10.append(top.sum() / len(rel))
        r50.append(is_hit[:50].sum() / len(rel))
        ndcg.append((top * discounts).sum() / discounts[:min(len(rel), CUTOFF)].sum())
        first = np.flatnonzero(is_hit)
        mrr.append(1.0 / (first[0] + 1) if len(first) else 0.0)
        precision = np.cumsum(top) / np.arange(1, CUTOFF + 1)
        ap.append((precision * top).sum() / min(len(rel), CUTOFF))
        div.append(_diversity(item_vectors[row[:CUTOFF]]))
    shown = np.unique(ranked[:, :CUTOFF])
    return {"users": len(hit), "hit_rate@10": float(np.mean(hit)), "recall@10": float(np.mean(r10)),
            "recall@50": float(np.mean(r50)), "ndcg@10": float(np.mean(ndcg)), "mrr": float(np.mean(mrr)),
            "map@10": float(np.mean(ap)), "coverage": len(shown) / n_items, "diversity": float(np.mean(div))}


def _diversity(vectors: np.ndarray) -> float:
    if len(vectors) < 2:
        return 0.0
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    sims = unit @ unit.T
    n = len(unit)
    return float(1.0 - (sims.sum() - n) / (n * (n - 1)))
