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
MIN_HALF = 0.01  # of the feature's range: the narrowest half-width a widening factor is read against
MAX_FACTOR = 4.0
RANGE = {f: high - low for f, (low, high) in FEATURE_RANGES.items()}


def checked_rows(known: np.ndarray, limit: int = MAX_CHECKED) -> np.ndarray:
    """Up to `limit` of the known rows, spread evenly over the library (deterministic)."""
    rows = np.flatnonzero(known)
    if len(rows) <= limit:
        return rows
    return rows[np.linspace(0, len(rows) - 1, limit).round().astype(int)]


def widening_factors(real: np.ndarray, predicted: pd.DataFrame) -> np.ndarray:
    """(8,) factors ≥ 1 from known rows: real (N, 8) values and their as-if-unknown predictions
    (FEATURES, *_low, *_high columns), both in served units.

    A row needs the factor that stretches its interval about the interval's centre until the real value
    is inside. The half-width is floored at MIN_HALF of the feature's range, so an interval squeezed to
    a point (a prediction at the range's edge) asks for a large but finite factor, and MAX_FACTOR caps
    what a few wild misses can do."""
    factors = np.ones(len(FEATURES))
    for j, feat in enumerate(FEATURES):
        low, high = predicted[f"{feat}_low"].to_numpy(dtype=float), predicted[f"{feat}_high"].to_numpy(dtype=float)
        ok = np.isfinite(real[:, j]) & np.isfinite(low) & np.isfinite(high)
        if ok.sum() < MIN_CHECKED:
            continue
        centre, half = (low[ok] + high[ok]) / 2, np.maximum((high[ok] - low[ok]) / 2, MIN_HALF * RANGE[feat])
        need = np.where((real[ok, j] >= low[ok]) & (real[ok, j] <= high[ok]), 0.0, np.abs(real[ok, j] - centre) / half)
        seen = min(max(float(np.quantile(need, LEVEL)), 1e-3), MAX_FACTOR)
        n = int(ok.sum())
        factors[j] = max(1.0, float(np.exp(n * np.log(seen) / (n + SHRINK))))
    return factors


def widen(frame: pd.DataFrame, factors: np.ndarray, predicted_rows: np.ndarray, upper: dict[str, float]) -> pd.DataFrame:
    """The predicted rows' (positions) intervals scaled by `factors` about their centre (half-width floored
    as in widening_factors), clipped to the range; an interval that started at 0 (a likely true 0) still
    does, and the shown prediction stays inside."""
    out = frame.copy()
    chosen = np.zeros(len(out), dtype=bool)
    chosen[predicted_rows] = True
    for j, feat in enumerate(FEATURES):
        if factors[j] <= 1.0:
            continue
        low, high = out[f"{feat}_low"].to_numpy(dtype=float), out[f"{feat}_high"].to_numpy(dtype=float)
        centre, half = (low + high) / 2, np.maximum((high - low) / 2, MIN_HALF * RANGE[feat])
        wider_low = np.where(low <= 0.0, low, np.clip(centre - factors[j] * half, 0.0, upper[feat]))
        wider_high = np.clip(centre + factors[j] * half, 0.0, upper[feat])
        out[f"{feat}_low"] = np.where(chosen, np.minimum(wider_low, low), low)
        out[f"{feat}_high"] = np.where(chosen, np.maximum(wider_high, high), high)
    return out
