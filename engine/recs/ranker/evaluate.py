"""The learned ranker against simple rules on real listeners, under listener-level cross-validation.

Every method ranks the same candidates (the catalog minus what the library owns) for the same listener
cut at 75% of its own timeline; the ranker's fold never saw that listener (engine.recs.ranker.fit).
Pooled recall = all truth tracks found / all truth tracks. Discovery = recall@50 on the truth tracks by
artists the library does not have, each method's best 50 tracks by new artists. Intervals: paired
bootstrap over listeners (listeners drawn with replacement, the same draw for both methods, 1,000 times).
  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners
"""

from __future__ import annotations

import numpy as np

from engine.recs.hybrid import combine
from engine.recs.ranker.ranking import cap_per_artist, rank_candidates

DEPTH = 50
BOOTSTRAP = 1000
BASELINES = ("random", "popularity", "your_artists", "recent_artists", "genre_chart", "cooccurrence")


def baseline_scores(rec, ctx, seed: int = 0) -> dict[str, np.ndarray]:
    """Scores over every catalog item for each simple rule (higher is better); your artists and
    co-occurrence are the rules of engine.recs.listeners.evaluate. Recent artists: your artists, but
    the artists played or saved in the last quarter before the library's newest record first."""
    from engine.library.recency import QUARTER_DAYS
    from engine.recs.listeners.evaluate import cooccurrence, your_artists

    s = ctx.signals
    new = s["artist"] <= 0
    yours = your_artists(s["artist"], s["popularity"])
    days = ctx.artist_days[rec.hybrid.artist_codes] if ctx.artist_days is not None else np.full(len(yours), np.nan)
    lately = np.where(np.isfinite(days), days <= QUARTER_DAYS, False)
    return {"random": np.random.default_rng(seed).random(len(s["popularity"])),
            "popularity": s["popularity"],
            "your_artists": yours,
            "recent_artists": yours + 100.0 * lately,
            "genre_chart": np.where(new, s["genre"] * s["popularity"], -1.0) + 1e-6 * s["popularity"],
            "cooccurrence": cooccurrence(rec.hybrid, ctx.owned)}


def top(scores: np.ndarray, allowed: np.ndarray, k: int = DEPTH) -> np.ndarray:
    scores = np.where(allowed, scores, -np.inf)
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def rankings(rec, ranker, ctx, table, config, weights=None, seed: int = 0) -> dict[str, tuple]:
    """method -> (top 50 of everything, top 50 among new artists, top 50 among the library's artists)."""
    allowed = np.ones(len(table.artist), bool)
    allowed[ctx.owned] = False
    new = allowed & (ctx.signals["artist"] <= 0)
    mine = allowed & ~new
    out = {name: (top(s, allowed), top(s, new), top(s, mine)) for name, s in baseline_scores(rec, ctx, seed).items()}
    if weights:
        hybrid = combine(ctx.signals, weights)
        out["hybrid"] = (top(hybrid, allowed), top(hybrid, new), top(hybrid, mine))
    ranked = rank_candidates(ranker, ctx, table, allowed, config.candidates)
    (items, _), (fresh, _) = ranked["all"], ranked["new"]
    own = items[ctx.signals["artist"][items] > 0]

    def capped(order):
        return order[cap_per_artist(order, table.artist, DEPTH, config.max_per_artist)]

    out["ranker"] = (capped(items), capped(fresh), capped(own))
    out["ranker_no_cap"] = (items[:DEPTH], fresh[:DEPTH], own[:DEPTH])
    return out


def found(ranked: np.ndarray, truth: np.ndarray) -> dict:
    discounts = 1.0 / np.log2(np.arange(2, 12))
    hits = np.isin(ranked, truth)
    ideal = discounts[:min(len(truth), 10)].sum()
    return {"found@10": int(hits[:10].sum()), "found@50": int(hits[:DEPTH].sum()),
            "ndcg@10": float((hits[:10] * discounts[:len(hits[:10])]).sum() / ideal) if len(truth) else 0.0}


def genre_diversity(items: np.ndarray, genres) -> float:
    """Intra-list genre diversity: 1 - the mean cosine between the genre vectors (engine.recs.hybrid,
    unit rows) of every pair of listed items that have genres; 0 = one genre mix throughout, 1 = no two
    items share a genre; nan when fewer than two items have genres."""
    g = genres[items]
    g = g[np.asarray(g.getnnz(axis=1)).ravel() > 0]
    n = g.shape[0]
    if n < 2:
        return float("nan")
    total = float((g @ g.T).sum())  # the diagonal holds n ones
    return 1.0 - (total - n) / (n * (n - 1))


def listener_row(name: str, ex, ctx, ranked: dict, table, genres=None) -> dict:
    """genres: items x genres, unit rows (engine.recs.hybrid.HybridSignals.genres) for genre diversity."""
    new_truth = ex.truth[ctx.signals["artist"][ex.truth] <= 0]
    row = {"listener": name, "library": ex.library_rows, "truth": int(len(ex.truth)),
           "new_artist_truth": int(len(new_truth))}
    for method, (blend, fresh, own) in ranked.items():
        row[method] = {**found(blend, ex.truth), "discovery_found@50": int(np.isin(fresh, new_truth).sum()),
                       "own_found@50": int(np.isin(own, ex.truth).sum()),
                       "distinct_artists@50": int(len(np.unique(table.artist[blend]))),
                       "new_distinct_artists@50": int(len(np.unique(table.artist[fresh]))),
                       "own_distinct_artists@50": int(len(np.unique(table.artist[own])))}
        if genres is not None:
            row[method].update({f"genre_diversity@50{suffix}": genre_diversity(items[:DEPTH], genres)
                                for suffix, items in (("", blend), ("_new", fresh), ("_own", own))})
    return row


def pooled(rows: list[dict], method: str) -> dict:
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
                                                           "genre_diversity@50_new", "genre_diversity@50_own")}}


def _mean(rows: list[dict], method: str, name: str) -> float | None:
    """The mean over listeners that have the value (a list with fewer than two genred items has none)."""
    values = np.array([r[method].get(name, np.nan) for r in rows], float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else None


def ratio_interval(rows: list[dict], ours: str, theirs: str, field: str = "found@50", seed: int = 0) -> dict:
    """ours / theirs pooled, with a paired bootstrap 90% interval over listeners."""
    a = np.array([r[ours][field] for r in rows], float)
    b = np.array([r[theirs][field] for r in rows], float)
    if b.sum() == 0:
        return {"ratio": None, "interval_90": None, "note": f"{theirs} found none"}
    draws = np.random.default_rng(seed).integers(0, len(rows), (BOOTSTRAP, len(rows)))
    ratios = a[draws].sum(1) / np.maximum(b[draws].sum(1), 1)
    return {"ratio": float(a.sum() / max(b.sum(), 1)), "interval_90": [float(np.quantile(ratios, 0.05)),
                                                                       float(np.quantile(ratios, 0.95))]}
