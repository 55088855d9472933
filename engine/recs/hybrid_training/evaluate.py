"""One run: fit the hybrid on TidyTuesday, save models/hybrid, and measure it on TidyTuesday test
playlists and on real listeners against the baselines (same candidates, same run).
  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

TT_METHODS = ("popularity", "your_artists", "cooccurrence", "two_tower", "hybrid")
FIXED_LISTENERS = ("Efrrowini", "kyleduong")  # small, both with catalog-known truth: recomputed by the tests


def tidytuesday_table(rec, users: list, weights: dict) -> dict:
    """Mean recall@10 / recall@50 / NDCG@10 over single TidyTuesday test playlists (full catalog as candidates)."""
    from engine.recs.hybrid import combine
    from engine.recs.hybrid_training.fit import user_signals
    from engine.recs.listeners.evaluate import cooccurrence, listener_metrics, your_artists
    from engine.recs.rank_metrics import top_k

    rows = {m: [] for m in TT_METHODS}
    for owned, truth in users:
        signals = user_signals(rec, owned)
        scores = {"popularity": signals["popularity"],
                  "your_artists": your_artists(signals["artist"], signals["popularity"]),
                  "cooccurrence": cooccurrence(rec.hybrid, owned),
                  "two_tower": signals["two_tower"], "hybrid": combine(signals, weights)}
        for name, s in scores.items():
            rows[name].append(listener_metrics(top_k(np.asarray(s)[None, :], [owned], 50)[0], truth))
    table = {m: {c: float(np.mean([r[c] for r in rows[m]])) for c in ("recall@10", "recall@50", "ndcg@10")}
             for m in TT_METHODS}
    best = max(("popularity", "your_artists", "cooccurrence"), key=lambda m: table[m]["ndcg@10"])
    return {"playlists": len(users), "methods": table, "best_baseline": best,
            "hybrid_vs_best_baseline_ndcg@10": table["hybrid"]["ndcg@10"] / max(table[best]["ndcg@10"], 1e-12),
            "two_tower_vs_best_baseline_ndcg@10": table["two_tower"]["ndcg@10"] / max(table[best]["ndcg@10"], 1e-12)}


def evaluate_hybrid(out: Path, samples: Path | None = None, seed: int = 0, log=None) -> str:
    from engine.config import data_dir
    from engine.recs.hybrid import HybridSignals
    from engine.recs.hybrid_training.fit import MERGE, fit_weights, merged, save_hybrid, tidytuesday_users, user_signals
    from engine.recs.listeners.build import build_listeners, playlist_holdouts
    from engine.recs.listeners.evaluate import evaluate_listeners, render_listeners
    from engine.recs.recommend import Recommender

    log = log or (lambda m: None)
    started = time.time()
    samples = Path(samples or data_dir() / "samples")
    rec = Recommender.load()
    membership, _, validation, test = tidytuesday_users(rec, seed)
    rec.hybrid = HybridSignals(rec.items, rec.item_genres, membership)
    mixed = merged(validation)
    log(f"{len(validation)} validation playlists -> {len(mixed)} mixed users; {len(test)} test playlists")
    weights, val_recall, tried = fit_weights([user_signals(rec, owned) for owned, _ in mixed], mixed,
                                             rec.hybrid.artist_codes, log)
    rec.hybrid_weights = weights
    log(f"weights {weights} (validation recall@50 {val_recall:.4f}, {time.time() - started:.0f}s)")
    tidy = tidytuesday_table(rec, test, weights)
    log(f"TidyTuesday: {json.dumps(tidy['methods'])}")
    listeners = evaluate_listeners(rec, build_listeners(samples, rec.catalog), log=log, seed=seed)
    playlists = evaluate_listeners(rec, playlist_holdouts(samples, rec.catalog, seed=seed), log=log, seed=seed)
    info = {"fitted_on": f"{len(mixed)} mixed users of {len(validation)} TidyTuesday validation playlists "
                         f"(merged {MERGE} at a time), validation recall@50 {val_recall:.4f}",
            "membership": "TidyTuesday playlists x catalog items, training part of the two-tower's split"}
    save_hybrid(out, rec, membership, weights, info)
    fixed = evaluate_listeners(rec, build_listeners(samples, rec.catalog, only=list(FIXED_LISTENERS)), seed=seed)
    metrics = {"real_listeners": listeners, "account_playlists_20pct_held_out": playlists,
               "tidytuesday_test_playlists": tidy, "weights": weights, "validation_recall@50": val_recall,
               "fixed_subset": {"listeners": list(FIXED_LISTENERS), "recall@50": {
                   m: r["pooled"]["recall@50"] for m, r in fixed["methods"].items()}},
               "grid_best_20": sorted(tried, key=lambda t: -t["recall@50"])[:20], "seconds": round(time.time() - started, 1),
               "command": "TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners"}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return "\n\n".join(["Real listeners (cut at 75% of each timeline)", render_listeners(listeners),
                        "Account-export playlists, 20% held out", render_listeners(playlists),
                        "TidyTuesday test playlists", json.dumps(tidy, indent=2)])
