"""The learned ranker: a pointwise gradient-boosted classifier over engine.recs.ranker.features, and the
dataclasses of its settings (no I/O: configs/ranker.toml is read by engine.training_config, the artifact's
config.json by engine.recs.ranker.serve).

Neither dataclass has defaults: the one set of values is configs/ranker.toml (training) and the artifact's
config.json (serving), so no second set can disagree with them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np


@dataclass(frozen=True)
class TreeSettings:
    """[model] of configs/ranker.toml: sklearn HistGradientBoostingClassifier's hyperparameters."""
    learning_rate: float
    max_iter: int
    max_leaf_nodes: int
    min_samples_leaf: int
    l2_regularization: float


@dataclass(frozen=True)
class RankerConfig:
    """[training] of configs/ranker.toml: how examples are made and folded, how many items each candidate
    stage adds, and how the served shelves are ranked (saved with the model, read back by serving)."""
    negatives_per_positive: int   # negatives kept per positive, at random (fixed seed)
    cuts: list[float]             # each training listener cut at these shares of its timeline
    folds: int                    # listener-level folds
    playlist_examples: int        # TidyTuesday validation playlists as undated libraries (never the test ones)
    candidates: dict              # stage -> how many items it adds (engine.recs.ranker.candidates)
    max_per_artist: int
    new_shelf_cooccurrence: float  # "New to you": the model's order fused (reciprocal rank) with co-occurrence
    blend_cooccurrence: float      # the same for the blend and "From artists you play"
    seed: int


TREE_KEYS = tuple(f.name for f in fields(TreeSettings))


def split_saved(flat: dict) -> tuple[TreeSettings, RankerConfig]:
    """The artifact's flat "config" dict (tree and training keys together) as the two dataclasses."""
    trees = TreeSettings(**{k: flat[k] for k in TREE_KEYS})
    return trees, RankerConfig(**{k: v for k, v in flat.items() if k not in TREE_KEYS})


class LearnedRanker:
    """fit(X, y) / score(X) over feature rows; learned attributes end in `_`."""

    def __init__(self, trees: TreeSettings, config: RankerConfig):
        self.trees, self.config = trees, config

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
        self.model_ = self._fit(x[dated], y[dated]) if y[dated].sum() >= 5 else self._fit(x, y)
        self.new_model_ = self._fit(x[new], y[new]) if y[new].sum() >= 5 else self.model_
        self.undated_model_ = self._fit(x, y) if (~dated).any() else self.model_
        self.positive_rate_ = float(np.mean(y))
        return self

    def _trees(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(**asdict(self.trees), random_state=self.config.seed)

    def _fit(self, x: np.ndarray, y: np.ndarray):
        # A column unknown on every row of a fit (no release year anywhere in a small fold) cannot be
        # binned: it is fitted as a constant 0, which carries nothing; serving passes nan as it is.
        return self._trees().fit(_known_columns(x), y)

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
        """Tree and training settings in one flat dict, as the artifact's config.json stores them."""
        return {**asdict(self.trees), **asdict(self.config)}


def _known_columns(x: np.ndarray) -> np.ndarray:
    """x with every all-nan column set to 0 (other nans kept: the trees route them)."""
    empty = np.isnan(x).all(axis=0)
    if not empty.any():
        return x
    x = x.copy()
    x[:, empty] = 0.0
    return x
