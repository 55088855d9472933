"""Offline evaluation of the recommenders: one split, one run, five methods.

Candidates are the catalog items that appear in any TidyTuesday playlist; each playlist's training
tracks are the query and are never recommended back; its held-out newest tracks are the truth.
  python -m engine evaluate-recs
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from engine.catalog.items import unit
from engine.recs.metrics import DEEP, ranking_metrics, top_k

KNN_NEIGHBOURS = 100


def standardized_features(items: pd.DataFrame) -> np.ndarray:
    from engine.catalog.items import feature_matrix

    x = feature_matrix(items)
    return (x - x.mean(0)) / np.maximum(x.std(0), 1e-9)


def knn_scores(vectors: np.ndarray, members: list[np.ndarray], neighbours: int = KNN_NEIGHBOURS) -> np.ndarray:
    """Item-KNN: each held track votes for its `neighbours` nearest items (cosine, exact FAISS inner
    product), weighted by similarity; a user's score for an item is the mean vote over its tracks."""
    import faiss

    vectors = unit(vectors)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    queries = np.unique(np.concatenate(members))
    sims, idx = index.search(vectors[queries], neighbours + 1)
    where = {q: i for i, q in enumerate(queries)}
    scores = np.zeros((len(members), len(vectors)), dtype=np.float32)
    for u, rows in enumerate(members):
        q = [where[r] for r in rows]
        np.add.at(scores[u], idx[q].ravel(), np.maximum(sims[q].ravel(), 0.0))
        scores[u] /= max(len(rows), 1)
    return scores


def popularity_scores(items: pd.DataFrame, members: list[np.ndarray]) -> np.ndarray:
    """Spotify popularity, ties broken by how many training playlists hold the item (same for every user)."""
    counts = np.bincount(np.concatenate(members), minlength=len(items)) if members else np.zeros(len(items))
    score = np.nan_to_num(items["popularity"].to_numpy(dtype=float)) + 1e-3 * counts
    return np.broadcast_to(score.astype(np.float32), (len(members), len(items)))


def evaluate_all(cfg, log=None, save_to: Path | None = None, model_options: dict | None = None,
                 epoch_log=None) -> dict:
    """Every method on the same split in this one run; with save_to, the served two-tower is saved there.
    `epoch_log` receives each variant's training records (configs/two_tower.toml, engine.training_config)."""
    from engine.recs.interactions import inner_split, playlist_rows, time_split
    from engine.catalog.items import catalog_items
    from engine.catalog.matching import Catalog
    from engine.recs.towers import serving_items, serving_users, text_vectors
    from engine.recs.train import train_model
    from engine.recs.data import item_arrays

    log = log or (lambda m: None)
    started = time.time()
    catalog = Catalog.load()
    items_all = catalog_items(catalog)
    pairs = playlist_rows(catalog)
    split = time_split(pairs, seed=cfg.seed)
    universe = np.unique(np.concatenate(split.train + split.test))
    position = pd.Series(np.arange(len(universe)), index=universe)
    train = [position[r].to_numpy() for r in split.train]
    test = [position[r].to_numpy() for r in split.test]
    items = items_all.iloc[universe].reset_index(drop=True)
    audio = standardized_features(items)
    log(f"{len(train)} playlists, {len(items)} candidate items, "
        f"{sum(map(len, train))} training and {sum(map(len, test))} held-out interactions")

    results, ranked = {}, {}

    def record(name: str, scores: np.ndarray) -> None:
        ranked[name] = top_k(scores, train, DEEP)
        results[name] = ranking_metrics(ranked[name], test, len(items), audio)
        log(f"{name}: ndcg@10 {results[name]['ndcg@10']:.4f} ({time.time() - started:.0f}s)")

    record("random", np.random.default_rng(cfg.seed).random((len(train), len(items)), dtype=np.float32))
    record("popularity", popularity_scores(items, train))
    record("content_features", knn_scores(audio, train))
    text = text_vectors(items)
    record("content_text", knn_scores(text, train))

    inner = inner_split(type(split)(split.playlists, train, test))
    models = {}
    for name, use_pop in [("two_tower", True), ("two_tower_no_popularity", False)]:
        variant = type(cfg)(**{**cfg.__dict__, "use_popularity": use_pop})
        val_fit = _fit_and_score(items, text, inner, variant, log, f"{name} (validation)", model_options)
        variant_log = epoch_log and (lambda _name=name, **record: epoch_log(variant=_name, **record))
        model, vocab = train_model(items, text, train, variant, log=log, model_options=model_options,
                                   epoch_log=variant_log)
        arrays = item_arrays(items, vocab, text)
        record(name, serving_users(model, arrays, train, vocab) @ serving_items(model, items, text, vocab).T)
        results[name]["validation_ndcg@10"] = val_fit
        if epoch_log:
            epoch_log(variant=name, step=variant.steps, **{"validation_ndcg@10": val_fit})
        models[name] = (model, vocab, variant)

    best_baseline = max((results[m]["ndcg@10"], m) for m in results if not m.startswith("two_tower"))
    chosen = max(["two_tower", "two_tower_no_popularity"], key=lambda m: results[m]["validation_ndcg@10"])
    report = {"split": {"playlists": len(train), "candidates": len(items), "holdout": "newest 20% per playlist",
                        "train_interactions": int(sum(map(len, train))),
                        "test_interactions": int(sum(map(len, test)))},
              "methods": results, "best_baseline": best_baseline[1],
              "two_tower_vs_best_baseline": results["two_tower"]["ndcg@10"] / best_baseline[0],
              "served_variant": chosen, "seconds": round(time.time() - started, 1)}
    if save_to is not None:
        _save(save_to, models[chosen], items_all, split, report, log)
    return report


def _fit_and_score(items, text, split, cfg, log, label, model_options=None) -> float:
    """Train on the inner split's training part and return its validation NDCG@10 (model selection only)."""
    from engine.recs.data import item_arrays
    from engine.recs.towers import serving_items, serving_users
    from engine.recs.train import train_model

    model, vocab = train_model(items, text, split.train, cfg, model_options=model_options)
    scores = serving_users(model, item_arrays(items, vocab, text), split.train, vocab) \
        @ serving_items(model, items, text, vocab).T
    score = ranking_metrics(top_k(scores, split.train, DEEP), split.test, len(items),
                            standardized_features(items))["ndcg@10"]
    log(f"{label}: ndcg@10 {score:.4f}")
    return score


def _save(path: Path, fitted, items_all: pd.DataFrame, split, report: dict, log) -> None:
    import json

    from engine.recs.towers import serving_items, text_vectors
    from engine.recs.train import save_artifact

    model, vocab, cfg = fitted
    vectors = serving_items(model, items_all, text_vectors(items_all), vocab)
    save_artifact(Path(path), model, vocab, cfg, items_all["key"], vectors,
                  {"trained_on": "TidyTuesday playlists, training part of the evaluation split"})
    report["fixed_subset"] = fixed_subset_metrics(vectors.astype(np.float16), model, vocab, seed=cfg.seed,
                                                  split=split, items_all=items_all)
    (Path(path) / "metrics.json").write_text(json.dumps({"evaluation": report}, indent=2))
    log(f"saved {path}")


def render(report: dict) -> str:
    """The ranking table as Markdown."""
    cols = ["hit_rate@10", "recall@10", "recall@50", "ndcg@10", "mrr", "map@10", "coverage", "diversity"]
    lines = ["| method | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in report["methods"].items():
        lines.append(f"| {name} | " + " | ".join(f"{m[c]:.4f}" for c in cols) + " |")
    ratio = report.get("two_tower_vs_best_baseline")
    if ratio:
        lines.append(f"\ntwo-tower NDCG@10 / best baseline ({report['best_baseline']}): {ratio:.2f}x")
    return "\n".join(lines)


SUBSET_PLAYLISTS = 40


def fixed_subset_metrics(item_vectors: np.ndarray, model, vocab, seed: int = 0, split=None, items_all=None) -> dict:
    """Popularity, feature-KNN and the served two-tower on a small fixed subset of the same split,
    from the stored catalog vectors: recorded by evaluate-recs and recomputed by the tests.
    `split` / `items_all`: the evaluation's own (seed `seed`), rebuilt from the data when not given."""
    from engine.recs.interactions import playlist_rows, time_split
    from engine.catalog.items import catalog_items
    from engine.catalog.matching import Catalog
    from engine.recs.data import item_arrays
    from engine.recs.towers import serving_users

    if split is None or items_all is None:
        catalog = Catalog.load()
        items_all = catalog_items(catalog)
        split = time_split(playlist_rows(catalog), seed=seed)
    universe = np.unique(np.concatenate(split.train + split.test))
    small = split.subset(SUBSET_PLAYLISTS, seed=seed)
    position = pd.Series(np.arange(len(universe)), index=universe)
    train = [position[r].to_numpy() for r in small.train]
    test = [position[r].to_numpy() for r in small.test]
    items = items_all.iloc[universe].reset_index(drop=True)
    audio = standardized_features(items)
    users = serving_users(model, item_arrays(items, vocab), train, vocab)
    scores = {"popularity": popularity_scores(items, train), "content_features": knn_scores(audio, train),
              "two_tower": users @ item_vectors[universe].astype(np.float32).T}
    return {name: ranking_metrics(top_k(s, train, DEEP), test, len(items), audio) for name, s in scores.items()}
