"""The learned ranker as served: models/ranker (config.json, model.pkl, colisten.npz, metrics.json).

The model is a pickled scikit-learn estimator, so it is loaded only from inside the repository's models
folder (never from a path a user supplies), and config.json records the scikit-learn version it was
saved with, beside the settings it was fitted with (configs/ranker.toml as applied): serving reads those
from the artifact only, and no dataset.
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
from engine.recs.ranker.model import LearnedRanker, split_saved
from engine.recs.ranker.ranking import rank_candidates


def save_ranker(path: Path, ranker: LearnedRanker, artist_sets: dict[str, list[str]], metrics: dict,
                calibration: dict | None = None) -> None:
    """artist_sets: listener -> artist keys (the co-listening rows, by name so a rebuilt catalog still aligns);
    calibration: per shelf ("all", "new"), the held-out map from score to chance (train.calibration)."""
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
              "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
              "calibration": calibration or {},
              "discovery_popularity": list(getattr(ranker, "discovery_popularity_", []))}
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
    ranker = LearnedRanker(*split_saved(config["config"]))  # the settings it was fitted with: nothing else
    with open(path / "model.pkl", "rb") as handle:
        models = pickle.load(handle)  # noqa: S301 - our own artifact, from the models folder only
    ranker.model_, ranker.new_model_, ranker.undated_model_ = models["model"], models["new_model"], models["undated_model"]
    ranker.discovery_popularity_ = config.get("discovery_popularity") or None
    return ranker


class ServedRanker:
    """The fitted ranker with its co-listening rows aligned to a CatalogIndex's artists."""

    def __init__(self, index, path: Path):
        self.ranker = load_ranker(path)
        self.config = self.ranker.config
        self.index = index
        stored = sparse.load_npz(Path(path) / "colisten.npz").tocoo()
        names = pd.Index(index.artist_names).get_indexer(json.loads((Path(path) / "colisten_artists.json").read_text()))
        keep = names[stored.col] >= 0
        self.colisten = sparse.csr_matrix((stored.data[keep], (stored.row[keep], names[stored.col][keep])),
                                          shape=(stored.shape[0], index.n_artists))
        self.colisten_csc = self.colisten.tocsc()  # column look-ups for the "why"
        self.calibration = json.loads((Path(path) / "config.json").read_text()).get("calibration", {})

    def match(self, scores: np.ndarray, shelf: str, positions: np.ndarray, pool: int) -> np.ndarray:
        """Percent per listed item: among held-out real listeners' candidates scored like it on this shelf
        ("all" or "new"), the share the listener went on to add (the cross-validated calibration); an
        artifact without one gives the place among the shelf's candidates instead."""
        fit = self.calibration.get(shelf)
        if fit:
            return 100.0 * np.interp(np.asarray(scores, float), fit["x"], fit["y"])
        return 100.0 * (1.0 - np.asarray(positions) / max(pool, 1))

    def context(self, rows: pd.DataFrame, per_track: np.ndarray, owned: np.ndarray, tower: np.ndarray,
                recency: tuple | None = None):
        return library_context(self.index, self.colisten, rows, per_track, owned, tower, recency)

    def rank(self, ctx, allowed: np.ndarray) -> dict:
        return rank_candidates(self.ranker, ctx, self.index, allowed)
