"""The learned ranker as served: models/ranker (config.json, model.pkl, colisten.npz, metrics.json).

The model is a pickled scikit-learn estimator, so it is loaded only from inside the repository's models
folder (never from a path a user supplies), and config.json records the scikit-learn version it was
saved with. Serving reads no dataset.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.errors import ModelNotFoundError
from engine.recs.ranker.colisten import colisten_matrix
from engine.recs.ranker.context import library_context
from engine.recs.ranker.features import FEATURES
from engine.recs.ranker.items import ItemTable
from engine.recs.ranker.model import LearnedRanker, RankerConfig
from engine.recs.ranker.ranking import rank_candidates


def save_ranker(path: Path, ranker: LearnedRanker, artist_sets: dict[str, list[str]], metrics: dict) -> None:
    """artist_sets: listener -> artist keys (the co-listening rows, by name so a rebuilt catalog still aligns)."""
    import sklearn

    path.mkdir(parents=True, exist_ok=True)
    artists = sorted({a for keys in artist_sets.values() for a in keys})
    where = {a: i for i, a in enumerate(artists)}
    matrix = colisten_matrix([np.array([where[a] for a in keys], int) for keys in artist_sets.values()], len(artists))
    sparse.save_npz(path / "colisten.npz", matrix)
    (path / "colisten_artists.json").write_text(json.dumps(artists))
    with open(path / "model.pkl", "wb") as handle:
        pickle.dump({"model": ranker.model_, "new_model": ranker.new_model_, "undated_model": ranker.undated_model_},
                    handle)
    config = {"config": ranker.config_dict(), "features": list(FEATURES), "listeners": len(artist_sets),
              "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__}}
    (path / "config.json").write_text(json.dumps(config, indent=2, default=list))
    (path / "metrics.json").write_text(json.dumps(metrics, indent=2))


def load_ranker(path: Path, root: Path | None = None) -> LearnedRanker:
    """root: the folder a pickle may come from (default: the repository's models folder)."""
    from engine.config import models_dir

    path = Path(path).resolve()
    if Path(root or models_dir()).resolve() not in path.parents:
        raise ModelNotFoundError(f"{path}: the ranker is loaded only from the repository's models folder.")
    if not (path / "model.pkl").exists():
        raise ModelNotFoundError(f"{path}: the learned ranker is not trained. "
                                 "Run `python -m engine evaluate-recs --listeners`.")
    config = json.loads((path / "config.json").read_text())
    if config["features"] != list(FEATURES):
        raise ModelNotFoundError(f"{path}: saved for other features; run `python -m engine evaluate-recs --listeners`.")
    raw = {k: v for k, v in config["config"].items()}
    ranker = LearnedRanker(RankerConfig(**{**raw, "cuts": tuple(raw["cuts"])}))
    with open(path / "model.pkl", "rb") as handle:
        models = pickle.load(handle)  # noqa: S301 - our own artifact, from the models folder only
    ranker.model_, ranker.new_model_, ranker.undated_model_ = models["model"], models["new_model"], models["undated_model"]
    return ranker


class ServedRanker:
    """The fitted ranker with its item table and co-listening rows aligned to a Recommender's catalog."""

    def __init__(self, rec, path: Path):
        self.ranker = load_ranker(path)
        self.config = self.ranker.config
        self.table = ItemTable(rec.items, rec.hybrid.artist_codes, rec.hybrid.popularity)
        stored = sparse.load_npz(Path(path) / "colisten.npz").tocoo()
        names = pd.Index(rec.hybrid.artist_names).get_indexer(json.loads((Path(path) / "colisten_artists.json").read_text()))
        keep = names[stored.col] >= 0
        self.colisten = sparse.csr_matrix((stored.data[keep], (stored.row[keep], names[stored.col][keep])),
                                          shape=(stored.shape[0], self.table.n_artists))
        self.colisten_csc = self.colisten.tocsc()  # column look-ups for the "why"
        self.metrics = json.loads((Path(path) / "metrics.json").read_text()) if (Path(path) / "metrics.json").exists() else {}

    def context(self, rec, rows: pd.DataFrame, per_track: np.ndarray, owned: np.ndarray, tower: np.ndarray,
                recency: tuple | None = None):
        return library_context(rec, self.table, self.colisten, rows, per_track, owned, tower, recency)

    def rank(self, ctx, allowed: np.ndarray) -> dict:
        return rank_candidates(self.ranker, ctx, self.table, allowed, self.config.candidates)


def shelf_figures(path: Path | None = None) -> dict:
    """Per shelf, the cross-validated real-listener figure in words from models/ranker/metrics.json:
    {"yours": text, "new": text, "blend": text}; {} when the metrics are missing."""
    from engine.config import models_dir

    metrics = Path(path or models_dir() / "ranker") / "metrics.json"
    if not metrics.exists():
        return {}
    real = json.loads(metrics.read_text())["real_listeners"]
    m = real["methods"]
    n = f"{m['ranker']['listeners']} real listeners"
    best = real["best_baseline"]
    best_new = real.get("best_discovery_baseline_any", real["best_discovery_baseline"])  # every rule, on the page
    best_own = max((b for b in ("your_artists", "recent_artists") if b in m), key=lambda b: m[b]["own_artist_recall@50"])
    label = {"your_artists": "your artists' popular tracks", "popularity": "the charts", "random": "random picks",
             "recent_artists": "popular tracks by the artists you played lately",
             "genre_chart": "a chart of your genres", "cooccurrence": "playlist neighbours"}

    def spread(artists: str) -> str:
        value = m["ranker"].get(artists)
        return f" Its top 50 held {value:.0f} different artists on average." if value else ""

    return {"yours": f"On {n}, this shelf found {m['ranker']['own_artist_recall@50']:.1%} of the tracks by their own "
                     f"artists they added next (in its top 50), vs {m[best_own]['own_artist_recall@50']:.1%} for "
                     f"the best simple rule ({label[best_own]})." + spread("own_distinct_artists@50"),
            "new": f"On {n}, this shelf found {m['ranker']['discovery_recall@50']:.1%} of the tracks by artists new to "
                   f"them that they added next, vs {m[best_new]['discovery_recall@50']:.1%} for the best simple rule "
                   f"({label.get(best_new, best_new)})." + spread("new_distinct_artists@50"),
            "blend": f"On {n}, these found {m['ranker']['recall@50']:.1%} of what listeners added next (in the top 50), "
                     f"vs {m[best]['recall@50']:.1%} for the best simple rule ({label.get(best, best)})."}
