"""Top-10 over the whole catalog: exact FAISS inner product vs a brute-force numpy scan, same run.

  TUNESCOPE_HOME=... python bench/recommend_speed.py [--queries 300]

Measures (p50 / p95 ms): the two-tower index query alone (FAISS IndexFlatIP vs numpy argpartition
over the same vectors, same user vectors), and the full Recommender.recommend call on a real library.
Also checks the two agree (recall@10 of FAISS against numpy), and times the served default (the learned
ranker) and the two-tower on a real 3,000-track library: the first 3,000 tracks of the hobbies-w-erin account
export (YourLibrary, playlists, streaming history) imported through the real importers; its features are
the ones the files brought (the rest missing, as before enrichment). Three cases: the same request again,
the page's controls changing (k, an energy range, the artist cap) on the same library, and a library the
process has never profiled (cold: the recommender's profiles, engine.recs.profile, and the name caches
emptied before each call). Also the recommender's first load (catalog, models/world, indexes, ranker) and
the peak memory it added. Everything comes through the façade (engine.pipeline.facade.Tunescope).
Writes bench/results/recommend_speed.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, repeats: int) -> np.ndarray:
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return np.array(out)


def large_library(app, folder: Path, tracks: int) -> pd.DataFrame:
    from engine.config import FEATURES
    from engine.library.imports import import_files, library_csv_frame
    from engine.library.recency import with_recency

    store = app.scratch().store
    report = import_files(store, sorted(folder.glob("*.json")))
    frame = with_recency(store, report.library_id, library_csv_frame(store, report.library_id))  # as served: dated
    frame = frame.head(tracks).reset_index(drop=True)
    store.close()
    return frame.assign(**{f: frame[f] if f in frame else np.nan for f in FEATURES})


def cold(rec, library: pd.DataFrame) -> None:
    """A library this process has never prepared: no prepared entry and no folded names cached."""
    from engine import textnorm
    from engine.recs.profile import ProfileCache

    rec._profiles = ProfileCache()
    for cached in (textnorm.fold, textnorm.title_key, textnorm.artist_key, textnorm.song_key):
        cached.cache_clear()
    rec.recommend(library, k=50)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    from engine.config import data_dir
    from engine.pipeline.facade import Tunescope

    import resource

    app = Tunescope(memory=True)
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    rec = app.recommender()  # the first load: catalog, models/world, the indexes, the ranker
    load_s = time.perf_counter() - started
    serving_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_mb
    rng = np.random.default_rng(0)
    # Real user vectors: the user tower over random 30-track slices of the catalog.
    users = np.vstack([rec.user_vector(rec.items.iloc[rng.choice(len(rec.items), 30, replace=False)])
                       for _ in range(args.queries)]).astype(np.float32)
    vectors = rec.index.vectors
    faiss_top = [rec.index.tower_index.search(u[None], 10)[1][0] for u in users]

    def numpy_top(u):
        scores = vectors @ u
        part = np.argpartition(-scores, 10)[:10]
        return part[np.argsort(-scores[part])]

    numpy_tops = [numpy_top(u) for u in users]
    agreement = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(faiss_top, numpy_tops)]))
    i = iter(range(10 ** 9))
    faiss_ms = timed(lambda: rec.index.tower_index.search(users[next(i) % len(users)][None], 10), args.queries)
    j = iter(range(10 ** 9))
    numpy_ms = timed(lambda: numpy_top(users[next(j) % len(users)]), args.queries)

    raw = pd.read_csv(data_dir() / "samples" / "exportify" / "martinkvu__2026-03__Your_Top_Songs_2024.csv",
                      dtype=str, encoding="utf-8-sig")
    library = app.enrich(raw)
    rec.recommend(library, k=10)  # warm-up
    full_ms = timed(lambda: rec.recommend(library, k=10), 30)
    seed = library["Track URI"].iloc[0]
    seed_ms = timed(lambda: rec.recommend(library, k=10, seeds=[seed]), 30)

    big = large_library(app, data_dir() / "samples" / "account_export" / "hobbies-w-erin_2024", 3000)
    rec.recommend(big, k=50)  # warm-up
    ranker_ms = timed(lambda: rec.recommend(big, k=50), 30)  # the default: the learned ranker
    shelves_ms = timed(lambda: [rec.recommend(big, k=20, shelf=s) for s in ("yours", "new")], 30)
    tower_ms = timed(lambda: rec.recommend(big, k=50, method="two_tower"), 30)
    controls = iter([dict(k=20), dict(k=50, energy=(0.3, 0.9)), dict(k=50, max_per_artist=1), dict(k=100)] * 10)
    controls_ms = timed(lambda: rec.recommend(big, **next(controls)), 30)
    cold_ms = timed(lambda: cold(rec, big), 10)

    def stats(ms):
        return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}

    result = {"catalog_items": len(vectors), "world_items": int(rec.index.predicted.sum()),
              "dim": int(vectors.shape[1]), "queries": args.queries,
              "first_load_s": round(load_s, 2), "serving_memory_mb": round(serving_mb),
              "faiss_flat_ip_top10": stats(faiss_ms), "numpy_bruteforce_top10": stats(numpy_ms),
              "speedup_p50": round(float(np.percentile(numpy_ms, 50) / np.percentile(faiss_ms, 50)), 2),
              "faiss_recall@10_vs_numpy": agreement,
              "recommend_library_100_tracks_k10": stats(full_ms), "recommend_one_seed_k10": stats(seed_ms),
              "library_3000_tracks": len(big), "recommend_ranker_library_3000_k50": stats(ranker_ms),
              "recommend_ranker_both_shelves_library_3000_k20": stats(shelves_ms),
              "recommend_two_tower_library_3000_k50": stats(tower_ms),
              "recommend_ranker_library_3000_control_changes": stats(controls_ms),
              "recommend_ranker_library_3000_k50_cold": stats(cold_ms),
              "numpy_top10_baseline_over_the_same_run": stats(numpy_ms)}
    out = Path(__file__).resolve().parent / "results" / "recommend_speed.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
