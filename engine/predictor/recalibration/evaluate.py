"""Cross-fitted 90% coverage on real-library-like sets, and the predictor split by source.

Each set is scored by a calibrator fitted with its own fold left out, so no row is both calibrated on and
reported. Per set: rows, mean skill over the 7 bounded features and 90% coverage per feature, for all rows
and for the predicted rows alone (those the catalog does not know). Run by: python -m engine recalibrate
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import FEATURES, TEMPO_SCALE
from engine.metrics import regression
from engine.predictor.calibration import Calibrator
from engine.predictor.fit import real_units
from engine.predictor.recalibration.build import CalibrationRows

UPPER = np.array([1.0] * (len(FEATURES) - 1) + [250.0 / TEMPO_SCALE])


def fit_calibrator(rows: CalibrationRows, train_mean: np.ndarray) -> Calibrator:
    inputs = rows.inputs
    return Calibrator().fit(rows.mean, rows.spread, inputs.completeness, inputs.has_artist_prior,
                            inputs.has_genre_prior, rows.target, train_mean, sets=rows.set_name)


def interval(calibrator: Calibrator, rows: CalibrationRows) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) on the training scale, clipped to the feature's range as the predictor serves them."""
    inputs = rows.inputs
    below, above = calibrator.bounds(rows.mean, rows.spread, inputs.completeness, inputs.has_artist_prior,
                                     inputs.has_genre_prior)
    mean = np.clip(rows.mean, 0.0, UPPER)
    return np.clip(mean - below, 0.0, UPPER), np.clip(mean + above, 0.0, UPPER)


def crossfit_interval(rows: CalibrationRows, train_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each fold's intervals from a calibrator that never saw that fold."""
    low, high, _ = crossfit(rows, train_mean)
    return low, high


def crossfit(rows: CalibrationRows, train_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, confidence as served), each row's from a calibrator that never saw its fold."""
    low, high, confidence = (np.zeros_like(rows.mean) for _ in range(3))
    for fold in np.unique(rows.fold):
        inside = rows.fold == fold
        calibrator = fit_calibrator(rows.take(np.flatnonzero(~inside)), train_mean)
        part = rows.take(np.flatnonzero(inside))
        low[inside], high[inside] = interval(calibrator, part)
        confidence[inside] = calibrator.confidence(calibrator.half_width(
            part.spread, part.inputs.completeness, part.inputs.has_artist_prior, part.inputs.has_genre_prior))
    return low, high, confidence


RELIABILITY_BINS = 5


def reliability(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, confidence: np.ndarray) -> dict:
    """Per feature, the predicted rows in RELIABILITY_BINS equal-count bins of cross-fitted confidence: does a
    higher confidence mean a smaller error, and does the 90% interval hold at every confidence?"""
    out = {}
    chosen = rows.predicted
    for j, feature in enumerate(FEATURES):
        ok = chosen & np.isfinite(rows.target[:, j])
        conf, target = confidence[ok, j], rows.target[ok, j]
        error = np.abs(np.clip(rows.mean[ok, j], 0.0, UPPER[j]) - target) * (TEMPO_SCALE if feature == "tempo" else 1)
        inside = (target >= low[ok, j] - 1e-9) & (target <= high[ok, j] + 1e-9)
        order = np.argsort(conf, kind="stable")
        out[feature] = [{"bin": b + 1, "n": int(len(idx)), "confidence": float(conf[idx].mean()),
                         "coverage_90": float(inside[idx].mean()), "mean_abs_error": float(error[idx].mean())}
                        for b, idx in enumerate(np.array_split(order, RELIABILITY_BINS)) if len(idx)]
    return out


def coverage(target: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    out = {}
    for j, feature in enumerate(FEATURES):
        ok = np.isfinite(target[:, j])
        if ok.sum() >= 3:
            out[feature] = float(((target[ok, j] >= low[ok, j] - 1e-9) & (target[ok, j] <= high[ok, j] + 1e-9)).mean())
    return out


def report(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, train_mean: np.ndarray) -> dict:
    """Per set: all rows and the predicted rows alone (those the catalog does not know)."""
    mean = real_units(train_mean[None, :])[0]
    out = {}
    members = {name: rows.set_name == name for name in dict.fromkeys(rows.set_name)}
    members["exportify: all owners"] = np.char.startswith(rows.set_name.astype(str), "exportify: ")
    for name, inside in members.items():
        entry = {}
        for part, chosen in (("all rows", inside), ("predicted rows", inside & rows.predicted)):
            y, pred = real_units(rows.target[chosen]), real_units(np.clip(rows.mean[chosen], 0.0, UPPER))
            scores = regression(y, pred, mean) if chosen.sum() >= 3 else {}
            entry[part] = {"n": int(chosen.sum()), "mean_skill_bounded": scores.get("mean_skill_bounded"),
                           "coverage_90": coverage(rows.target[chosen], low[chosen], high[chosen])}
        out[name] = entry
    return out


KNOWN_SHARE = 1 / 6  # about the share of a real liked-songs library whose values are known (issue 13)


def library_adapted(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, seed: int = 0) -> dict:
    """Each set as one library served with engine.predictor.library_intervals: its known tracks (the
    catalog-known rows for Exportify owners; a fixed random sixth elsewhere, where every row is predicted)
    set the widening, and coverage is read on the others only, before and after."""
    from engine.predictor.library_intervals import checked_rows, widen, widening_factors

    rng = np.random.default_rng(seed)
    upper = dict(zip(FEATURES, UPPER))
    mean = np.clip(rows.mean, 0.0, UPPER)
    out = {}
    for name in dict.fromkeys(rows.set_name):
        inside = np.flatnonzero(rows.set_name == name)
        if str(name).startswith("exportify: "):
            known = inside[~rows.predicted[inside]]
        else:
            known = np.sort(rng.choice(inside, size=max(1, int(round(KNOWN_SHARE * len(inside)))), replace=False))
        rest = np.setdiff1d(inside, known)
        checked = known[checked_rows(np.ones(len(known), bool))]
        factors = widening_factors(rows.target[checked], _intervals(mean, low, high, checked))
        widened = widen(_intervals(mean, low, high, rest), factors, np.arange(len(rest)), upper)
        new_low = widened[[f"{f}_low" for f in FEATURES]].to_numpy()
        new_high = widened[[f"{f}_high" for f in FEATURES]].to_numpy()
        out[str(name)] = {"known": int(len(known)), "checked": int(len(checked)), "others": int(len(rest)),
                          "factors": dict(zip(FEATURES, map(float, factors))),
                          "coverage_90_before": coverage(rows.target[rest], low[rest], high[rest]),
                          "coverage_90_after": coverage(rows.target[rest], new_low, new_high)}
    return out


def _intervals(mean: np.ndarray, low: np.ndarray, high: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """The chosen rows as the served frame's FEATURES, <f>_low and <f>_high columns."""
    return pd.DataFrame({**{f: mean[rows, j] for j, f in enumerate(FEATURES)},
                         **{f"{f}_low": low[rows, j] for j, f in enumerate(FEATURES)},
                         **{f"{f}_high": high[rows, j] for j, f in enumerate(FEATURES)}})


def adapted_markdown(result: dict) -> str:
    names = [f[:6] for f in FEATURES]
    lines = ["| set (as one library) | known / others | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(FEATURES)]
    for name, entry in result.items():
        before, after = entry["coverage_90_before"], entry["coverage_90_after"]
        cells = [(f"{before[f]:.2f} → {after[f]:.2f}" if abs(after[f] - before[f]) > 5e-3 else f"{after[f]:.2f}")
                 if f in after else "–" for f in FEATURES]
        lines.append(f"| {name} | {entry['known']} / {entry['others']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(result: dict) -> str:
    names = [f[:6] for f in FEATURES]
    lines = ["| set | rows (predicted) | mean skill: all / predicted | " + " | ".join(names) + " |",
             "|---|---|---|" + "---|" * len(FEATURES)]
    for name, entry in result.items():
        every, predicted = entry["all rows"], entry["predicted rows"]
        skills = " / ".join("–" if s is None else f"{s:.3f}" for s in (every["mean_skill_bounded"], predicted["mean_skill_bounded"]))
        cells = [f"{every['coverage_90'][f]:.2f}" if f in every["coverage_90"] else "–" for f in FEATURES]
        lines.append(f"| {name} | {every['n']} ({predicted['n']}) | {skills} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
