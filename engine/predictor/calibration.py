"""Per-feature confidence: ensemble disagreement + metadata completeness + prior availability -> an interval.

Tracks fall into three evidence groups: an artist prior, a genre prior only, or neither. Within each
group and for each feature, log|error| is regressed on [1, log ensemble std, completeness] over a
calibration set the members never trained on (held-out artists and an out-of-distribution table),
and a conformal factor scales that spread so the 90% interval covers 90% of that group's errors.
Separate groups matter: members that know nothing all sit at the prior and agree with each other, so a
disagreement slope fitted across groups would call a bare, unknown track confident. Within a group the
fit is constrained so that disagreement can only widen the interval and completeness only narrow it.
Confidence = 1 - half-width / half-width of guessing the training mean: 0 means "no better than the
average track", 1 means "certain".
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

LEVEL = 0.90
GROUPS = ["artist prior", "genre prior only", "no prior"]
MIN_GROUP_ROWS = 100
_EPS = 1e-3
_BOUNDS = ([-np.inf, 0.0, -np.inf], [np.inf, np.inf, 0.0])


def evidence_group(has_artist: np.ndarray, has_genre: np.ndarray) -> np.ndarray:
    return np.where(has_artist > 0, 0, np.where(has_genre > 0, 1, 2))


def _design(std, completeness) -> np.ndarray:
    return np.stack([np.ones(len(completeness)), np.log(std + _EPS), completeness], axis=-1)


class Calibrator:
    """fit() on held-out predictions; half_width() and confidence() for new ones (N x 8)."""

    def __init__(self):
        self.coef_: np.ndarray | None = None       # (groups, features, 3)
        self.factor_: np.ndarray | None = None     # (groups, features)
        self.reference_: np.ndarray | None = None  # (features,) half-width of predicting the training mean

    def fit(self, mean, std, completeness, has_artist, has_genre, target, train_mean) -> "Calibrator":
        n_features = mean.shape[1]
        group = evidence_group(has_artist, has_genre)
        self.coef_ = np.zeros((len(GROUPS), n_features, 3))
        self.factor_ = np.ones((len(GROUPS), n_features))
        self.reference_ = np.ones(n_features)
        for j in range(n_features):
            ok = np.isfinite(target[:, j])
            err = np.abs(target[:, j] - mean[:, j])
            self.reference_[j] = np.quantile(np.abs(target[ok, j] - train_mean[j]), LEVEL)
            pooled = self._fit_one(std[ok, j], completeness[ok], err[ok])
            for g in range(len(GROUPS)):
                rows = ok & (group == g)
                fitted = self._fit_one(std[rows, j], completeness[rows], err[rows]) if rows.sum() >= MIN_GROUP_ROWS else pooled
                self.coef_[g, j], self.factor_[g, j] = fitted
        return self

    @staticmethod
    def _fit_one(std, completeness, err):
        x = _design(std, completeness)
        coef = optimize.lsq_linear(x, np.log(err + _EPS), bounds=_BOUNDS).x
        factor = np.quantile(err / np.exp(x @ coef), LEVEL)
        return coef, factor

    def half_width(self, std, completeness, has_artist, has_genre) -> np.ndarray:
        group = evidence_group(has_artist, has_genre)
        out = np.zeros_like(std, dtype=np.float64)
        for j in range(std.shape[1]):
            x = _design(std[:, j], completeness)
            coef, factor = self.coef_[group, j], self.factor_[group, j]
            out[:, j] = factor * np.exp(np.sum(x * coef, axis=1))
        return out

    def confidence(self, half_width: np.ndarray) -> np.ndarray:
        return np.clip(1.0 - half_width / self.reference_, 0.0, 1.0)

    def state(self) -> dict:
        return {"level": LEVEL, "groups": GROUPS, "design": ["intercept", "log_ensemble_std", "completeness"],
                "coef": self.coef_.tolist(), "factor": self.factor_.tolist(), "reference": self.reference_.tolist()}

    def load_state(self, state: dict) -> "Calibrator":
        self.coef_ = np.array(state["coef"])
        self.factor_ = np.array(state["factor"])
        self.reference_ = np.array(state["reference"])
        return self
