"""Intervals widened, per library, by that library's own tracks with real values.

The calibrator is fitted on many real-library-like sets, but a listener's library can still be shifted
against all of them (a library of 2000s hits errs on energy more than any calibration set did). Most
libraries hold tracks whose real values are known (the catalog, an export, an online source): predicting
a sample of those as if unknown shows how far this library's errors reach. Per feature, the factor that
would make 90% of them covered is shrunk toward 1 by how few there are, and only ever widens: known
tracks are catalog tracks, easier than the rest (their artist is in the catalog), so a narrowing read
from them would not hold for the predicted ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import FEATURE_RANGES, FEATURES

LEVEL = 0.90
SHRINK = 30      # pseudo-tracks at factor 1: 30 known tracks move the factor half-way to what they show
MAX_CHECKED = 100  # known tracks predicted as if unknown, at most (each costs one text-encoder pass)
MIN_CHECKED = 5
# An interval side can reach nowhere: a prediction at the range's edge, or a snapped-to-0 interval whose
# top is the prediction itself ([0, 0.33] for a 0.33). Measured against a reach of 0, one such miss made
# the factor 2.7 million and every interval the whole range; against this floor (a share of the range)
# it is an ordinary large miss, and the same floor is what a factor scales when widening.
REACH_FLOOR = 0.05
# The largest factor seen on the real-library sets is 1.21 (Top 2000s energy; metrics.json); a library
# that asks for more than twice its intervals has known tracks unlike the rest, and no interval should
# turn into the whole range on their word.
MAX_FACTOR = 2.0
SERVED_UPPER = {f: high for f, (_, high) in FEATURE_RANGES.items()}


def checked_rows(known: np.ndarray, limit: int = MAX_CHECKED) -> np.ndarray:
    """Up to `limit` of the known rows, spread evenly over the library (deterministic)."""
    rows = np.flatnonzero(known)
    if len(rows) <= limit:
        return rows
    return rows[np.linspace(0, len(rows) - 1, limit).round().astype(int)]


def reach(mean: np.ndarray, bound: np.ndarray, upper: float) -> np.ndarray:
    """How far an interval side reaches from the prediction, never under REACH_FLOOR of the range."""
    return np.maximum(np.abs(bound - mean), REACH_FLOOR * upper)


def widening_factors(real: np.ndarray, predicted: pd.DataFrame, upper: dict[str, float] | None = None) -> np.ndarray:
    """(8,) factors in [1, MAX_FACTOR] from known rows: real (N, 8) values and their as-if-unknown
    predictions (FEATURES, *_low, *_high columns), both in the units `upper` (each feature's top) is in:
    served units unless given."""
    upper = upper or SERVED_UPPER
    factors = np.ones(len(FEATURES))
    for j, feat in enumerate(FEATURES):
        mean = predicted[feat].to_numpy(dtype=float)
        low, high = predicted[f"{feat}_low"].to_numpy(dtype=float), predicted[f"{feat}_high"].to_numpy(dtype=float)
        ok = np.isfinite(real[:, j]) & np.isfinite(mean) & np.isfinite(low) & np.isfinite(high)
        if ok.sum() < MIN_CHECKED:
            continue
        gap = real[ok, j] - mean[ok]
        side = np.where(gap >= 0, high[ok], low[ok])
        need = np.abs(gap) / reach(mean[ok], side, upper[feat])
        seen = max(float(np.quantile(need, LEVEL)), 1e-3)
        n = int(ok.sum())
        factors[j] = min(MAX_FACTOR, max(1.0, float(np.exp(n * np.log(seen) / (n + SHRINK)))))
    return factors


def widen(frame: pd.DataFrame, factors: np.ndarray, predicted_rows: np.ndarray, upper: dict[str, float]) -> pd.DataFrame:
    """The predicted rows' (positions) intervals scaled by `factors` around their prediction (each side's
    reach floored as in widening_factors), clipped to the range; an interval that started at 0 (a likely
    true 0) still does."""
    out = frame.copy()
    chosen = np.zeros(len(out), dtype=bool)
    chosen[predicted_rows] = True
    for j, feat in enumerate(FEATURES):
        if factors[j] <= 1.0:
            continue
        mean = out[feat].to_numpy(dtype=float)
        low, high = out[f"{feat}_low"].to_numpy(dtype=float), out[f"{feat}_high"].to_numpy(dtype=float)
        wider_low = np.where(low <= 0.0, low, np.clip(mean - factors[j] * reach(mean, low, upper[feat]), 0.0, upper[feat]))
        wider_high = np.clip(mean + factors[j] * reach(mean, high, upper[feat]), 0.0, upper[feat])
        out[f"{feat}_low"] = np.where(chosen, wider_low, low)
        out[f"{feat}_high"] = np.where(chosen, wider_high, high)
    return out
