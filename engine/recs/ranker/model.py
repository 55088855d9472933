"""The learned ranker: a pointwise gradient-boosted classifier over engine.recs.ranker.features (no I/O
beyond save/load). Hyperparameters come from engine/recs/ranker.toml."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

CONFIG_PATH = Path(__file__).resolve().parent.parent / "ranker.toml"


@dataclass
class RankerConfig:
    learning_rate: float = 0.05
    max_iter: int = 200
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    negatives_per_positive: int = 30
    cuts: tuple = (0.5, 0.6, 0.7, 0.75)
    folds: int = 5
    playlist_examples: int = 200   # TidyTuesday validation playlists among the training examples
    candidates: dict = field(default_factory=dict)   # stage -> how many items it adds
    max_per_artist: int = 3
    new_shelf_cooccurrence: float = 0.5   # weight of playlist co-occurrence fused into "New to you"
    blend_cooccurrence: float = 0.0       # the same for the blend and "From artists you play"
    seed: int = 0

    @classmethod
    def from_toml(cls, path: Path | str = CONFIG_PATH) -> "RankerConfig":
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
        model, training = raw.get("model", {}), raw.get("training", {})
        return cls(**model, **{**training, "cuts": tuple(training.get("cuts", cls.cuts))},
                   candidates=raw.get("candidates", {}), **raw.get("serving", {}))


class LearnedRanker:
    """fit(X, y) / score(X) over feature rows; learned attributes end in `_`."""

    def __init__(self, config: RankerConfig | None = None):
        self.config = config or RankerConfig()

    def fit(self, x: np.ndarray, y: np.ndarray) -> "LearnedRanker":
        """Three models. For a library with dates (a listener's plays or saves): one over every candidate
        (the blend, "From artists you play") and one over candidates by artists new to the library only
        ("New to you": there, a library's own artists' tracks would teach it little beyond "popular"),
        both fitted on dated rows only. For a library without dates (a playlist, an undated file): one
        fitted on every row, playlists included. Mixing the playlists into the dated models cost
        listeners a little; keeping them out left playlists ranked worse than "your artists"."""
        from engine.recs.ranker.features import FEATURES

        dated = x[:, FEATURES.index("library_dated")] == 1
        new = dated & (x[:, FEATURES.index("new_artist")] == 1)
        self.model_ = self._trees().fit(x[dated], y[dated]) if y[dated].sum() >= 5 else self._trees().fit(x, y)
        self.new_model_ = self._trees().fit(x[new], y[new]) if y[new].sum() >= 5 else self.model_
        self.undated_model_ = self._trees().fit(x, y) if (~dated).any() else self.model_
        self.positive_rate_ = float(np.mean(y))
        return self

    def _trees(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        c = self.config
        return HistGradientBoostingClassifier(
            learning_rate=c.learning_rate, max_iter=c.max_iter, max_leaf_nodes=c.max_leaf_nodes,
            min_samples_leaf=c.min_samples_leaf, l2_regularization=c.l2_regularization, random_state=c.seed)

    def score(self, x: np.ndarray, new_artists: bool = False) -> np.ndarray:
        """Probability that the listener adds the candidate next (as trained: negatives subsampled);
        new_artists: the model fitted on candidates by artists new to the library. Rows of one library
        share its `library_dated`, so the first row picks the model."""
        from engine.recs.ranker.features import FEATURES

        if not len(x):
            return np.zeros(0)
        if x[0, FEATURES.index("library_dated")] != 1:
            return self.undated_model_.predict_proba(x)[:, 1]
        return (self.new_model_ if new_artists else self.model_).predict_proba(x)[:, 1]

    def config_dict(self) -> dict:
        return asdict(self.config)
