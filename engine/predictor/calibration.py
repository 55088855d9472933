"""Per-feature confidence: ensemble disagreement + metadata completeness + prior availability -> an interval.

Tracks fall into three evidence groups: an artist prior, a genre prior only, or neither. Within each
group and for each feature, log|error| is regressed on [1, log ensemble std, completeness] over
calibration rows the members never trained on. Separate groups matter: members that know nothing all sit
at the prior and agree with each other, so a disagreement slope fitted across groups would call a bare,
unknown track confident. Within a group the fit is constrained so that disagreement can only widen the
interval and completeness only narrow it.

The interval is conformal on the signed, scaled residual, and built to hold on real libraries:
- Each side is calibrated on its own (5% of errors above, 5% below), so a skewed feature gets a skewed
  interval. Where a true 0 is likely (at least 5% of calibration tracks with a prediction that low sit at
  0), the interval starts at 0: instrumentalness is mostly a point mass at 0, and a prediction of 0.05
  means "0, or now and then much more", not "0.05 give or take 0.02".
- Calibration rows come in sets (held-out artists, unseen tables, each owner's real playlists). Every set
  weighs the same in the quantiles, so 3,000 held-out TidyTuesday artists do not drown 100 real tracks.
- A widening factor per evidence group and feature (one for tracks predicted near 0, one for the rest)
  then lifts every set of at least MIN_SET_ROWS rows to FLOOR coverage: real libraries are shifted
  against the training tables, and the worst real-like set decides.
Confidence = 1 - the evidence's half-width (before any snap to 0) / half-width of guessing the training
mean: 0 means "no better than the average track", 1 means "certain".
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

LEVEL = 0.90
FLOOR = 0.875
MIN_SET_ROWS = 30
GROUPS = ["artist prior", "genre prior only", "no prior"]
MIN_GROUP_ROWS = 100
_EPS = 1e-3
ZERO = 0.005  # a true value this low counts as the point mass at 0
SNAP_EDGES = (0.02, 0.04, 0.06, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_TAIL = (1.0 - LEVEL) / 2
_BOUNDS = ([-np.inf, 0.0, -np.inf], [np.inf, np.inf, 0.0])


def evidence_group(has_artist: np.ndarray, has_genre: np.ndarray) -> np.ndarray:
    return np.where(has_artist > 0, 0, np.where(has_genre > 0, 1, 2))


def _design(std, completeness) -> np.ndarray:
    return np.stack([np.ones(len(completeness)), np.log(std + _EPS), completeness], axis=-1)


def set_weights(sets: np.ndarray) -> np.ndarray:
    """Weights that give every calibration set the same total."""
    _, codes, counts = np.unique(sets, return_inverse=True, return_counts=True)
    return 1.0 / counts[codes]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, level: float) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, level * cumulative[-1])])


def zero_snap(predicted: np.ndarray, target: np.ndarray, weight: np.ndarray) -> float:
    """The prediction below which a true 0 is likely: the top of the last run of bins (from 0) where at least
    _TAIL of the calibration tracks, by set weight, are at the point mass."""
    snap, low = 0.0, 0.0
    for high in SNAP_EDGES:
        rows = (predicted >= low) & (predicted < high)
        if rows.sum() >= MIN_SET_ROWS:
            if weight[rows & (target <= ZERO)].sum() < _TAIL * weight[rows].sum():
                break
            snap = high
        low = high
    return snap


class Calibrator:
    """fit() on held-out predictions; bounds(), half_width() and confidence() for new ones (N x 8)."""

    def __init__(self):
        self.coef_: np.ndarray | None = None       # (groups, features, 3)
        self.below_: np.ndarray | None = None      # (groups, features) factor for the lower side
        self.above_: np.ndarray | None = None      # (groups, features) factor for the upper side
        self.widen_: np.ndarray | None = None      # (unsnapped/snapped, groups, features): worst set to FLOOR
        self.snap_: np.ndarray | None = None       # (features,) below this prediction the interval starts at 0
        self.reference_: np.ndarray | None = None  # (features,) half-width of predicting the training mean

    def fit(self, mean, std, completeness, has_artist, has_genre, target, train_mean, sets=None) -> "Calibrator":
        n_groups, n_features = len(GROUPS), mean.shape[1]
        group = evidence_group(has_artist, has_genre)
        sets = np.zeros(len(mean), dtype=int) if sets is None else np.asarray(sets)
        self.coef_ = np.zeros((n_groups, n_features, 3))
        self.below_, self.above_ = np.ones((n_groups, n_features)), np.ones((n_groups, n_features))
        self.widen_ = np.ones((2, n_groups, n_features))
        self.reference_, self.snap_ = np.ones(n_features), np.zeros(n_features)
        for j in range(n_features):
            ok = np.isfinite(target[:, j])
            weight = set_weights(sets[ok])
            predicted = np.clip(mean[ok, j], 0.0, None)
            residual = target[ok, j] - predicted
            self.reference_[j] = weighted_quantile(np.abs(target[ok, j] - train_mean[j]), weight, LEVEL)
            self.snap_[j] = zero_snap(predicted, target[ok, j], weight)
            snapped = predicted < self.snap_[j]
            x = _design(std[ok, j], completeness[ok])
            pooled = self._fit_sides(x, residual, weight, snapped)
            g_ok = group[ok]
            for g in range(n_groups):
                rows = g_ok == g
                fitted = (self._fit_sides(x[rows], residual[rows], weight[rows], snapped[rows])
                          if rows.sum() >= MIN_GROUP_ROWS else pooled)
                self.coef_[g, j], self.below_[g, j], self.above_[g, j] = fitted
            # Tracks predicted near 0 (snapped) and the rest get their own widening: a feature that is mostly
            # 0 would otherwise let its many easy rows decide the width of the few high predictions.
            need = self._need(x, g_ok, np.where(snapped, np.maximum(residual, 0), residual), j)
            for regime, in_regime in enumerate((~snapped, snapped)):
                fallback = in_regime if in_regime.sum() >= MIN_GROUP_ROWS else np.ones(len(need), bool)
                for g in range(n_groups):
                    rows = in_regime & (g_ok == g)
                    rows = rows if rows.sum() >= MIN_GROUP_ROWS else fallback
                    self.widen_[regime, g, j] = self._widening(need[rows], sets[ok][rows], weight[rows])
        return self

    @staticmethod
    def _fit_sides(x, residual, weight, snapped):
        root = np.sqrt(weight / weight.mean())
        coef = optimize.lsq_linear(x * root[:, None], np.log(np.abs(residual) + _EPS) * root, bounds=_BOUNDS).x
        scaled = residual / np.exp(x @ coef)
        above = max(weighted_quantile(scaled, weight, 1.0 - _TAIL), _EPS)
        free = ~snapped if (~snapped).sum() >= MIN_SET_ROWS else np.ones(len(x), bool)  # snapped rows never miss below
        below = max(weighted_quantile(-scaled[free], weight[free], 1.0 - _TAIL), _EPS)
        return coef, below, above

    def _need(self, x, group, residual, j) -> np.ndarray:
        """The widening each row needs to be covered."""
        scale = np.exp(np.sum(x * self.coef_[group, j], axis=1))
        side = np.where(residual >= 0, self.above_[group, j], self.below_[group, j])
        return np.abs(residual) / (scale * side)

    @staticmethod
    def _widening(need, sets, weight) -> float:
        """LEVEL over all sets, and FLOOR within every set of at least MIN_SET_ROWS rows."""
        factor = weighted_quantile(need, weight, LEVEL)
        for name in np.unique(sets):
            rows = sets == name
            if rows.sum() >= MIN_SET_ROWS:
                factor = max(factor, float(np.quantile(need[rows], FLOOR)))
        return factor

    def bounds(self, mean, std, completeness, has_artist, has_genre) -> tuple[np.ndarray, np.ndarray]:
        """(distance below, distance above) the prediction, each (N, 8) on the training scale."""
        group = evidence_group(has_artist, has_genre)
        below, above = np.zeros_like(std, dtype=np.float64), np.zeros_like(std, dtype=np.float64)
        for j in range(std.shape[1]):
            predicted = np.clip(mean[:, j], 0.0, None)
            snapped = predicted < self.snap_[j]
            widen = self.widen_[snapped.astype(int), group, j]
            scale = widen * np.exp(np.sum(_design(std[:, j], completeness) * self.coef_[group, j], axis=1))
            below[:, j], above[:, j] = scale * self.below_[group, j], scale * self.above_[group, j]
            below[:, j] = np.where(snapped, np.maximum(below[:, j], predicted), below[:, j])
        return below, above

    def half_width(self, std, completeness, has_artist, has_genre) -> np.ndarray:
        """The evidence's typical half-width (N, 8), before snapping to 0: more disagreement or less metadata
        can only widen it, which keeps confidence monotone in the evidence."""
        group = evidence_group(has_artist, has_genre)
        out = np.zeros_like(std, dtype=np.float64)
        for j in range(std.shape[1]):
            scale = np.exp(np.sum(_design(std[:, j], completeness) * self.coef_[group, j], axis=1))
            out[:, j] = self.widen_[0, group, j] * scale * (self.below_[group, j] + self.above_[group, j]) / 2
        return out

    def confidence(self, half_width: np.ndarray) -> np.ndarray:
        return np.clip(1.0 - half_width / self.reference_, 0.0, 1.0)

    def state(self) -> dict:
        return {"level": LEVEL, "floor": FLOOR, "groups": GROUPS,
                "design": ["intercept", "log_ensemble_std", "completeness"], "coef": self.coef_.tolist(),
                "below": self.below_.tolist(), "above": self.above_.tolist(), "widen": self.widen_.tolist(),
                "zero_snap": self.snap_.tolist(),
                "reference": self.reference_.tolist()}

    def load_state(self, state: dict) -> "Calibrator":
        self.coef_ = np.array(state["coef"])
        self.below_, self.above_ = np.array(state["below"]), np.array(state["above"])
        self.widen_, self.snap_ = np.array(state["widen"]), np.array(state["zero_snap"])
        self.reference_ = np.array(state["reference"])
        return self
