"""Per-feature confidence: ensemble disagreement + metadata completeness + prior availability -> an interval.

For each feature, log|error| is regressed on [1, log ensemble std, completeness, has artist prior,
has genre prior] over a calibration set the members never trained on (held-out artists and an
out-of-distribution table). A conformal factor then scales that spread so the 90% interval covers
90% of the calibration errors. Confidence = 1 - half-width / half-width of guessing the training mean,
so 0 means "no better than the average track" and 1 means "certain".
"""

from __future__ import annotations

import numpy as np

LEVEL = 0.90
_EPS = 1e-3


def _design(std, completeness, has_artist, has_genre) -> np.ndarray:
    n = len(completeness)
    return np.stack([np.ones(n), np.log(std + _EPS), completeness, has_artist, has_genre], axis=-1)


class Calibrator:
    """fit() on held-out predictions; transform() gives 90% half-widths and confidences (N x 8)."""

    def __init__(self):
        self.coef_: np.ndarray | None = None       # (8, 5)
        self.factor_: np.ndarray | None = None     # (8,)
        self.reference_: np.ndarray | None = None  # (8,) half-width of predicting the training mean

    def fit(self, mean, std, completeness, has_artist, has_genre, target, train_mean) -> "Calibrator":
        n_features = mean.shape[1]
        self.coef_ = np.zeros((n_features, 5))
        self.factor_ = np.ones(n_features)
        self.reference_ = np.ones(n_features)
        for j in range(n_features):
            ok = np.isfinite(target[:, j])
            x = _design(std[ok, j], completeness[ok], has_artist[ok], has_genre[ok])
            err = np.abs(target[ok, j] - mean[ok, j])
            coef, *_ = np.linalg.lstsq(x, np.log(err + _EPS), rcond=None)
            self.coef_[j] = coef
            spread = np.exp(x @ coef)
            self.factor_[j] = np.quantile(err / spread, LEVEL)
            self.reference_[j] = np.quantile(np.abs(target[ok, j] - train_mean[j]), LEVEL)
        return self

    def half_width(self, std, completeness, has_artist, has_genre) -> np.ndarray:
        out = np.zeros_like(std, dtype=np.float64)
        for j in range(std.shape[1]):
            x = _design(std[:, j], completeness, has_artist, has_genre)
            out[:, j] = self.factor_[j] * np.exp(x @ self.coef_[j])
        return out

    def confidence(self, half_width: np.ndarray) -> np.ndarray:
        return np.clip(1.0 - half_width / self.reference_, 0.0, 1.0)

    def state(self) -> dict:
        return {"level": LEVEL, "coef": self.coef_.tolist(), "factor": self.factor_.tolist(),
                "reference": self.reference_.tolist(),
                "design": ["intercept", "log_ensemble_std", "completeness", "has_artist_prior", "has_genre_prior"]}

    def load_state(self, state: dict) -> "Calibrator":
        self.coef_ = np.array(state["coef"])
        self.factor_ = np.array(state["factor"])
        self.reference_ = np.array(state["reference"])
        return self
