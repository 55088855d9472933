"""Regression, skill and calibration metrics, per feature, with bootstrap intervals for small sets."""

from __future__ import annotations

import numpy as np
from scipy import stats

from engine.config import BOUNDED_FEATURES, FEATURES

# The design's MSE thresholds (tempo in BPM^2).
THRESHOLDS = {"energy": 0.025, "valence": 0.025, "danceability": 0.030, "acousticness": 0.040,
              "instrumentalness": 0.040, "liveness": 0.050, "speechiness": 0.050, "tempo": 400.0}


def regression(y: np.ndarray, pred: np.ndarray, train_mean: np.ndarray) -> dict:
    """Per feature: n, mse, mae, r2, pearson, skill (1 - MSE / MSE of the training mean), threshold met."""
    out = {}
    for j, feat in enumerate(FEATURES):
        ok = np.isfinite(y[:, j]) & np.isfinite(pred[:, j])
        t, p = y[ok, j], pred[ok, j]
        if len(t) < 3:
            continue
        mse = float(np.mean((t - p) ** 2))
        base = float(np.mean((t - train_mean[j]) ** 2))
        out[feat] = {
            "n": int(ok.sum()), "mse": mse, "mae": float(np.mean(np.abs(t - p))),
            "r2": float(1 - mse / max(np.var(t), 1e-12)),
            "pearson": float(np.corrcoef(t, p)[0, 1]) if np.std(p) > 0 and np.std(t) > 0 else 0.0,
            "skill": float(1 - mse / max(base, 1e-12)), "meets_threshold": bool(mse <= THRESHOLDS[feat]),
        }
    bounded = [out[f]["skill"] for f in BOUNDED_FEATURES if f in out]
    out["mean_skill_bounded"] = float(np.mean(bounded)) if bounded else float("nan")
    out["thresholds_met"] = int(sum(out[f]["meets_threshold"] for f in FEATURES if f in out))
    return out


def bootstrap_skill(y: np.ndarray, pred: np.ndarray, train_mean: np.ndarray, n_boot: int = 1000, seed: int = 0) -> dict:
    """95% bootstrap interval of the mean bounded skill (rows resampled)."""
    rng = np.random.default_rng(seed)
    bounded = [FEATURES.index(f) for f in BOUNDED_FEATURES]
    values = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        skills = []
        for j in bounded:
            t, p = y[idx, j], pred[idx, j]
            ok = np.isfinite(t)
            if ok.sum() < 3:
                continue
            skills.append(1 - np.mean((t[ok] - p[ok]) ** 2) / max(np.mean((t[ok] - train_mean[j]) ** 2), 1e-12))
        values.append(np.mean(skills))
    low, high = np.percentile(values, [2.5, 97.5])
    return {"low": float(low), "high": float(high)}


def calibration(y: np.ndarray, pred: np.ndarray, low: np.ndarray, high: np.ndarray, confidence: np.ndarray) -> dict:
    """Per feature: Spearman(confidence, |error|) (negative is good) and 90% interval coverage."""
    out = {}
    for j, feat in enumerate(FEATURES):
        ok = np.isfinite(y[:, j])
        if ok.sum() < 3:
            continue
        err = np.abs(y[ok, j] - pred[ok, j])
        rho = stats.spearmanr(confidence[ok, j], err).statistic if np.std(confidence[ok, j]) > 0 else float("nan")
        covered = (y[ok, j] >= low[ok, j] - 1e-9) & (y[ok, j] <= high[ok, j] + 1e-9)
        out[feat] = {"spearman_conf_abs_err": float(rho), "coverage_90": float(covered.mean()),
                     "mean_confidence": float(confidence[ok, j].mean())}
    cov = [v["coverage_90"] for v in out.values()]
    out["mean_coverage_90"] = float(np.mean(cov)) if cov else float("nan")
    return out
