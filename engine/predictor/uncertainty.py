"""Per-track expected error, confidence and 90% intervals, learned from held-out predictions.

Why a learned model: how far a prediction errs depends on much more than the ensemble's disagreement.
A track predicted at 0.02 instrumentalness is almost surely right; one whose network and artist prior
disagree is not; an artist the catalog knows by 40 tracks errs less than one known by genre alone. Per
feature, small gradient-boosted trees read what is known about a track (track_features) and give:
- the expected absolute error (mean |error| given the evidence): confidence = 1 - expected error /
  the error of guessing the training mean, so 0 is "no better than the average track" on every page;
- the 5% and 95% conditional quantiles of the true value (not of a symmetric error): instrumentalness is
  a point mass at 0 plus a bump near 0.9, and its 90% interval is [0, 0.02] for a clear vocal track, [0, 0.9]
  where an instrumental is possible, and [0.6, 1] for a clear instrumental.
The quantiles are then conformalized (Romano et al. 2019): the margin that makes 90% of the calibration
rows covered, each calibration set weighing the same, lifted until every set of at least MIN_SET_ROWS
rows reaches FLOOR (real libraries are shifted against every calibration set; the worst one decides).
Fitted by `python -m engine recalibrate` on held-out artists and unseen tables only; the ensemble is untouched.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np

from engine.config import FEATURES, TEMPO_SCALE
from engine.predictor.calibration import set_weights, weighted_quantile
from engine.predictor.features import META_FIELDS, Inputs

LEVEL = 0.90
FLOOR = 0.89
MIN_SET_ROWS = 200
UPPER = np.array([1.0] * (len(FEATURES) - 1) + [250.0 / TEMPO_SCALE])
FILES = ("uncertainty.pkl", "uncertainty.json")
TREES = dict(max_iter=100, learning_rate=0.07, max_leaf_nodes=15, min_samples_leaf=100, l2_regularization=1.0,
             random_state=0)
# Inputs.prior columns (engine.predictor.features.Featurizer.transform): artist, genre and catalog blocks.
_ART, _GENRE, _CAT = 0, 10, 20
# The expected error may only grow with the ensemble's spread and the missing fields, and only fall with
# completeness: garbage or missing metadata never raises a confidence (columns of track_features).
MORE_ERROR, LESS_ERROR = (2, 14), (3,)
# The calibration tables carry complete metadata, so the error trees never see what a missing or garbage
# field costs, and garbage can move a prediction where the trees expect a small error. A fixed discount per
# missing field keeps the promise that garbage or missing metadata never raises a confidence.
MISSING_DISCOUNT = 0.25
EVIDENCE = ["prediction", "distance to the range's edge", "log ensemble spread", "metadata completeness",
            "artist prior", "artist prior tracks", "genre prior", "genre weight", "catalog artist prior",
            "catalog artist tracks", "artist prior - mean", "genre prior - mean", "catalog prior - mean",
            "|prediction - artist prior|", "missing metadata fields"]


def track_features(mean: np.ndarray, spread: np.ndarray, inputs: Inputs, j: int, train_mean: np.ndarray) -> np.ndarray:
    """(N, k) evidence about feature j of each track (training scale): its prediction and its distance to
    the range's edges, the ensemble's spread, which priors exist and how far they sit from the prediction."""
    m = np.clip(mean, 0.0, UPPER)
    p = inputs.prior
    has_art = p[:, _ART + 8]
    art = p[:, _ART + j]  # centred on the training mean; 0 where there is no artist prior
    cols = [m[:, j], np.minimum(m[:, j], UPPER[j] - m[:, j]), np.log(spread[:, j] + 1e-3), inputs.completeness,
            p[:, _ART + 8], p[:, _ART + 9], p[:, _GENRE + 8], p[:, _GENRE + 9], p[:, _CAT + 8], p[:, _CAT + 9],
            art, p[:, _GENRE + j], p[:, _CAT + j], np.abs(m[:, j] - train_mean[j] - art) * has_art,
            inputs.meta[:, 6:12].sum(axis=1)]
    others = [m[:, k] for k in range(len(FEATURES) - 1) if k != j]  # the track's other predicted features
    return np.column_stack(cols + others).astype(np.float64)


class Uncertainty:
    """fit() on held-out predictions (training scale); expected_error(), confidence() and interval() for new ones."""

    def __init__(self):
        self.error_: list | None = None     # per feature: trees for E|error|
        self.low_: list | None = None       # per feature: trees for the 5% quantile of the true value
        self.high_: list | None = None      # per feature: trees for the 95% quantile
        self.margin_: np.ndarray | None = None     # (features,) conformal margin added to both sides
        self.reference_: np.ndarray | None = None  # (features,) mean |error| of predicting the training mean
        self.train_mean_: np.ndarray | None = None  # (features,) the ensemble's training mean (training scale)

    def fit(self, mean, spread, inputs: Inputs, target, train_mean, sets) -> "Uncertainty":
        from sklearn.ensemble import HistGradientBoostingRegressor

        sets = np.asarray(sets)
        self.train_mean_ = np.asarray(train_mean, dtype=np.float64)
        self.error_, self.low_, self.high_ = [], [], []
        self.margin_, self.reference_ = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
        for j in range(len(FEATURES)):
            ok = np.isfinite(target[:, j])
            weight = set_weights(sets[ok])
            x, y = track_features(mean[ok], spread[ok], inputs.take(np.flatnonzero(ok)), j, self.train_mean_), target[ok, j]
            error = np.abs(y - np.clip(mean[ok, j], 0.0, UPPER[j]))
            self.reference_[j] = float(np.average(np.abs(y - train_mean[j]), weights=weight))
            monotone = np.zeros(x.shape[1], dtype=int)
            monotone[list(MORE_ERROR)], monotone[list(LESS_ERROR)] = 1, -1
            self.error_.append(HistGradientBoostingRegressor(monotonic_cst=monotone, **TREES)
                               .fit(x, error, sample_weight=weight))
            tail = (1.0 - LEVEL) / 2
            self.low_.append(HistGradientBoostingRegressor(loss="quantile", quantile=tail, **TREES)
                             .fit(x, y, sample_weight=weight))
            self.high_.append(HistGradientBoostingRegressor(loss="quantile", quantile=1 - tail, **TREES)
                              .fit(x, y, sample_weight=weight))
            low, high = self._held_out_quantiles(x, y, mean[ok, j], weight, j)
            self.margin_[j] = conformal_margin(np.maximum(low - y, y - high), sets[ok], weight)
        return self

    def _held_out_quantiles(self, x, y, mean, weight, j) -> tuple[np.ndarray, np.ndarray]:
        """Each half's quantiles from trees fitted on the other half: the conformal margin is read on rows
        the quantile trees never saw (in-sample quantiles cover too much and would set it too low)."""
        from sklearn.base import clone

        half = np.random.default_rng(j).random(len(y)) < 0.5
        low, high = np.zeros(len(y)), np.zeros(len(y))
        for held in (half, ~half):
            fitted = [clone(m).fit(x[~held], y[~held], sample_weight=weight[~held]) for m in (self.low_[j], self.high_[j])]
            q_low, q_high = fitted[0].predict(x[held]), fitted[1].predict(x[held])
            shown = np.clip(mean[held], 0.0, UPPER[j])
            low[held] = np.minimum(np.minimum(q_low, q_high), shown)
            high[held] = np.maximum(np.maximum(q_low, q_high), shown)
        return low, high

    def _quantiles(self, x: np.ndarray, mean: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
        """The raw quantiles, ordered and stretched to hold the shown prediction."""
        low, high = self.low_[j].predict(x), self.high_[j].predict(x)
        low, high = np.minimum(low, high), np.maximum(low, high)
        shown = np.clip(mean, 0.0, UPPER[j])
        return np.minimum(low, shown), np.maximum(high, shown)

    def expected_error(self, mean, spread, inputs: Inputs) -> np.ndarray:
        """(N, 8) expected absolute error on the training scale."""
        out = np.zeros((len(mean), len(FEATURES)))
        for j in range(len(FEATURES)):
            out[:, j] = np.maximum(self.error_[j].predict(track_features(mean, spread, inputs, j, self.train_mean_)), 1e-4)
        return out

    def confidence(self, expected_error: np.ndarray, inputs: Inputs | None = None) -> np.ndarray:
        """1 - expected error / the mean's error, clipped to 0..1; with `inputs`, discounted by the share of
        metadata fields missing or unreadable (MISSING_DISCOUNT for all of them)."""
        confidence = np.clip(1.0 - expected_error / self.reference_, 0.0, 1.0)
        if inputs is None:
            return confidence
        missing = inputs.meta[:, len(META_FIELDS):2 * len(META_FIELDS)].mean(axis=1)
        return confidence * (1.0 - MISSING_DISCOUNT * missing)[:, None]

    def interval(self, mean, spread, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """(low, high), each (N, 8), on the training scale and inside the feature's range."""
        low, high = np.zeros((len(mean), len(FEATURES))), np.zeros((len(mean), len(FEATURES)))
        for j in range(len(FEATURES)):
            q_low, q_high = self._quantiles(track_features(mean, spread, inputs, j, self.train_mean_), mean[:, j], j)
            low[:, j] = np.clip(q_low - self.margin_[j], 0.0, UPPER[j])
            high[:, j] = np.clip(q_high + self.margin_[j], 0.0, UPPER[j])
        return low, high

    def save(self, path: Path) -> None:
        from engine.versions import library_versions

        path = Path(path)
        with open(path / FILES[0], "wb") as handle:
            pickle.dump({"error": self.error_, "low": self.low_, "high": self.high_}, handle)
        (path / FILES[1]).write_text(json.dumps({
            "level": LEVEL, "floor": FLOOR, "evidence": EVIDENCE, "margin": self.margin_.tolist(),
            "reference": self.reference_.tolist(), "train_mean": self.train_mean_.tolist(), "versions": library_versions(["scikit-learn", "numpy"])}, indent=2))

    @classmethod
    def load(cls, path: Path) -> "Uncertainty":
        path = Path(path)
        state = json.loads((path / FILES[1]).read_text())
        with open(path / FILES[0], "rb") as handle:
            trees = pickle.load(handle)  # our own artifact, written by save() above
        out = cls()
        out.error_, out.low_, out.high_ = trees["error"], trees["low"], trees["high"]
        out.margin_, out.reference_ = np.array(state["margin"]), np.array(state["reference"])
        out.train_mean_ = np.array(state["train_mean"])
        return out


def conformal_margin(score: np.ndarray, sets: np.ndarray, weight: np.ndarray) -> float:
    """The margin covering LEVEL of all rows (sets weighing the same) and FLOOR of every large set."""
    margin = weighted_quantile(score, weight, LEVEL)
    for name in np.unique(sets):
        rows = sets == name
        if rows.sum() >= MIN_SET_ROWS:
            margin = max(margin, float(np.quantile(score[rows], FLOOR)))
    return float(margin)
