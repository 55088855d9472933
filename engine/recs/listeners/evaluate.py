"""Real-listener evaluation of the recommenders, and the TidyTuesday table of the hybrid, in one run.

  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners
Protocols: (1) each sample owner cut in time at 75% of its own timeline (engine.recs.listeners.build);
(2) each account-export playlist with 20% of its tracks held out. Same candidates for every method:
the served catalog minus what the library owns. Baselines: random, global popularity, your artists
(tracks by the library's artists, most-played or most-owned artist first, then by popularity),
item co-occurrence in the TidyTuesday training playlists. Served methods go through
Recommender.recommend exactly as the page and CLI call it (k = 50).
Pooled recall = all truth tracks found / all truth tracks; its 90% interval is a bootstrap over truth
tracks (each listener's truth resampled with replacement, 1,000 times): the truth sets are small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.recs.rank_metrics import top_k

DEPTH = 50
BOOTSTRAP = 1000
BASELINES = ("random", "popularity", "your_artists", "cooccurrence")


def baseline_scores(rec, owned: np.ndarray, library: pd.DataFrame, seed: int = 0) -> dict[str, np.ndarray]:
    """Scores over rec.items for each baseline (higher is better)."""
    from engine.recs.hybrid import track_weights
    from engine.schema import normalize_frame
    from engine.textnorm import artist_key, primary_artist

    hybrid = rec.hybrid
    artists = normalize_frame(library, where="library")["artists"].map(lambda a: artist_key(primary_artist(a)))
    affinity = hybrid.artist_affinity(artists.tolist(), track_weights(library))
    return {"random": np.random.default_rng(seed).random(len(rec.items)),
            "popularity": hybrid.popularity,
            "your_artists": your_artists(affinity[hybrid.artist_codes], hybrid.popularity),
            "cooccurrence": cooccurrence(hybrid, owned)}


def your_artists(artist: np.ndarray, popularity: np.ndarray) -> np.ndarray:
    """The library's artists first (most played or most owned first), then by popularity."""
    return artist * 10.0 + popularity


def cooccurrence(hybrid, owned: np.ndarray) -> np.ndarray:
    """Items sharing TidyTuesday playlists with owned ones; popularity breaks ties."""
    return hybrid.cooccurrence(owned) + 1e-3 * hybrid.popularity


def served_ranking(rec, library: pd.DataFrame, method: str, cap: int | None) -> np.ndarray:
    recs = rec.recommend(library, k=DEPTH, method=method, max_per_artist=cap)
    return rec.items_by_id.reindex(recs["track_id"]).dropna().astype(int).to_numpy()


def rank_listener(rec, listener, seed: int = 0) -> dict[str, np.ndarray]:
    """Top-50 item indices per method for one listener."""
    library = _with_features(listener.library)
    owned = listener.owned_items
    ranked = {name: top_k(s[None, :], [owned], DEPTH)[0] for name, s in baseline_scores(rec, owned, library, seed).items()}
    ranked["two_tower"] = served_ranking(rec, library, "two_tower", 3)
    ranked["hybrid"] = served_ranking(rec, library, "hybrid", 3)
    ranked["hybrid_no_artist_cap"] = served_ranking(rec, library, "hybrid", None)
    return ranked


def _with_features(library: pd.DataFrame) -> pd.DataFrame:
    """The imported library as the recommender receives it before enrichment: the features the files
    brought, the rest missing (the recommender reads them as unknown, confidence 0)."""
    from engine.config import FEATURES

    out = library.copy()
    for feat in FEATURES:
        if feat not in out:
            out[feat] = np.nan
    return out


def listener_metrics(ranked: np.ndarray, truth: np.ndarray) -> dict:
    discounts = 1.0 / np.log2(np.arange(2, 12))
    hits = np.isin(ranked, truth)
    ideal = discounts[:min(len(truth), 10)].sum()
    return {"truth": int(len(truth)), "found@10": int(hits[:10].sum()), "found@50": int(hits[:50].sum()),
            "recall@10": float(hits[:10].sum() / len(truth)), "recall@50": float(hits[:50].sum() / len(truth)),
            "ndcg@10": float((hits[:10] * discounts[:len(hits[:10])]).sum() / ideal)}


def pooled(per_listener: list[dict], hit_sets: list[tuple[np.ndarray, np.ndarray]], seed: int = 0) -> dict:
    """Pooled recall@10/@50 (found / truth over all listeners), mean NDCG@10, and bootstrap 90% intervals."""
    rng = np.random.default_rng(seed)
    truth = sum(m["truth"] for m in per_listener)
    out = {"listeners": len(per_listener), "truth": truth,
           "recall@10": sum(m["found@10"] for m in per_listener) / truth,
           "recall@50": sum(m["found@50"] for m in per_listener) / truth,
           "ndcg@10": float(np.mean([m["ndcg@10"] for m in per_listener]))}
    for cutoff in (10, 50):
        draws = np.zeros(BOOTSTRAP)
        for in10, in50 in hit_sets:
            hits = in10 if cutoff == 10 else in50
            draws += rng.binomial(len(hits), hits.mean(), size=BOOTSTRAP) if len(hits) else 0
        out[f"recall@{cutoff}_90"] = [float(np.quantile(draws / truth, 0.05)), float(np.quantile(draws / truth, 0.95))]
    return out


def evaluate_listeners(rec, listeners: list, log=None, seed: int = 0) -> dict:
    """Per-listener and pooled metrics for every method; skipped listeners listed with the reason."""
    log = log or (lambda m: None)
    rows, skipped, hits = {}, [], {}
    for listener in listeners:
        _attach_items(rec, listener)
        if len(listener.library) == 0 or len(listener.truth_items) == 0:
            skipped.append({"listener": listener.name, "note": "; ".join(listener.notes) or
                            "no catalog-known truth track or empty library (skipped)"})
            log(f"{listener.name}: skipped ({skipped[-1]['note']})")
            continue
        ranked = rank_listener(rec, listener, seed)
        for method, top in ranked.items():
            m = listener_metrics(top, listener.truth_items)
            rows.setdefault(method, []).append({"listener": listener.name, "kind": listener.kind,
                                                "library": int(len(listener.library)), **m})
            in_truth = np.isin(listener.truth_items, top[:10]), np.isin(listener.truth_items, top[:50])
            hits.setdefault(method, []).append(in_truth)
        log(f"{listener.name}: {len(listener.truth_items)} truth tracks; recall@50 " +
            ", ".join(f"{m} {rows[m][-1]['recall@50']:.3f}" for m in ranked))
    methods = {m: {"pooled": pooled(rows[m], hits[m], seed), "per_listener": rows[m]} for m in rows}
    best = max(BASELINES, key=lambda b: methods[b]["pooled"]["recall@50"]) if methods else None
    return {"methods": methods, "skipped": skipped, "best_baseline": best,
            "hybrid_vs_best_baseline": (methods["hybrid"]["pooled"]["recall@50"] /
                                        max(methods[best]["pooled"]["recall@50"], 1e-12)) if best else None,
            "hybrid_vs_best_baseline_90": ratio_interval(hits["hybrid"], hits[best], seed) if best else None}


def ratio_interval(ours: list, theirs: list, seed: int = 0) -> list[float]:
    """Paired bootstrap 90% interval of found@50 (ours) / found@50 (theirs): each listener's truth tracks
    resampled with replacement, the same draw for both methods (1,000 times)."""
    rng = np.random.default_rng(seed)
    ratios = np.zeros(BOOTSTRAP)
    for b in range(BOOTSTRAP):
        a = t = 0
        for (_, mine), (_, other) in zip(ours, theirs):
            pick = rng.integers(0, len(mine), len(mine))
            a, t = a + mine[pick].sum(), t + other[pick].sum()
        ratios[b] = a / max(t, 1)
    return [float(np.quantile(ratios, 0.05)), float(np.quantile(ratios, 0.95))]


def _attach_items(rec, listener) -> None:
    """Catalog rows -> the served item indices (the recommender's catalog frame)."""
    keys = rec.catalog.tracks["key"].to_numpy()
    listener.owned_items = rec.items_by_key.reindex(keys[listener.owned]).dropna().astype(int).to_numpy()
    listener.truth_items = rec.items_by_key.reindex(keys[listener.truth]).dropna().astype(int).to_numpy()


def render_listeners(report: dict) -> str:
    lines = ["| method | recall@10 [90%] | recall@50 [90%] | NDCG@10 | found@50 / truth |", "|---|---|---|---|---|"]
    for name, m in report["methods"].items():
        p = m["pooled"]
        found = sum(r["found@50"] for r in m["per_listener"])
        lines.append(f"| {name} | {p['recall@10']:.3f} [{p['recall@10_90'][0]:.3f}, {p['recall@10_90'][1]:.3f}] | "
                     f"{p['recall@50']:.3f} [{p['recall@50_90'][0]:.3f}, {p['recall@50_90'][1]:.3f}] | "
                     f"{p['ndcg@10']:.3f} | {found} / {p['truth']} |")
    if report.get("hybrid_vs_best_baseline") is not None:
        low, high = report.get("hybrid_vs_best_baseline_90") or (float("nan"), float("nan"))
        lines.append(f"\nhybrid pooled recall@50 / best baseline ({report['best_baseline']}): "
                     f"{report['hybrid_vs_best_baseline']:.2f}x [90%: {low:.2f}, {high:.2f}]")
    return "\n".join(lines)
