"""Recalibrate the shipped predictor's 90% intervals on real-library-like sets, and report them cross-fitted.

Run: TUNESCOPE_DATA_DIR=../shared/data python -m engine.predictor.recalibrate   (about 4 minutes on 2 cores)

The ensemble is not retrained: only calibration.json changes. It is fitted on every set of
engine.predictor.calibration_sets. The figures it reports are cross-fitted: each set is scored by a
calibrator fitted with its own fold left out, so no row is both calibrated on and reported. They go to
metrics.json under "real_library_sets" (per set: rows, mean skill over the 7 bounded features and 90%
coverage per feature, for all rows and for the predicted rows alone), and the README table is printed.
"""

from __future__ import annotations

import json

import numpy as np

from engine.catalog import datasets as reference
from engine.config import BOUNDED_FEATURES, FEATURES, TEMPO_SCALE, models_dir
from engine.metrics import regression
from engine.predictor.bundle import AudioPredictor
from engine.predictor.calibration import Calibrator
from engine.predictor.calibration_sets import CalibrationRows, collect
from engine.predictor.fit import real_units
from engine.predictor.priors import CatalogArtistPriors

_UPPER = np.array([1.0] * (len(FEATURES) - 1) + [250.0 / TEMPO_SCALE])


def fit_calibrator(rows: CalibrationRows, train_mean: np.ndarray) -> Calibrator:
    inputs = rows.inputs
    return Calibrator().fit(rows.mean, rows.spread, inputs.completeness, inputs.has_artist_prior,
                            inputs.has_genre_prior, rows.target, train_mean, sets=rows.set_name)


def interval(calibrator: Calibrator, rows: CalibrationRows) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) on the training scale, clipped to the feature's range as the predictor serves them."""
    inputs = rows.inputs
    below, above = calibrator.bounds(rows.mean, rows.spread, inputs.completeness, inputs.has_artist_prior,
                                     inputs.has_genre_prior)
    mean = np.clip(rows.mean, 0.0, _UPPER)
    return np.clip(mean - below, 0.0, _UPPER), np.clip(mean + above, 0.0, _UPPER)


def crossfit_interval(rows: CalibrationRows, train_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each fold's intervals from a calibrator that never saw that fold."""
    low, high = np.zeros_like(rows.mean), np.zeros_like(rows.mean)
    for fold in np.unique(rows.fold):
        inside = rows.fold == fold
        calibrator = fit_calibrator(rows.take(np.flatnonzero(~inside)), train_mean)
        low[inside], high[inside] = interval(calibrator, rows.take(np.flatnonzero(inside)))
    return low, high


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
            y, pred = real_units(rows.target[chosen]), real_units(np.clip(rows.mean[chosen], 0.0, _UPPER))
            scores = regression(y, pred, mean) if chosen.sum() >= 3 else {}
            entry[part] = {"n": int(chosen.sum()), "mean_skill_bounded": scores.get("mean_skill_bounded"),
                           "coverage_90": coverage(rows.target[chosen], low[chosen], high[chosen])}
        out[name] = entry
    return out


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


def main() -> None:
    from engine.config import home_dir
    from engine.encoder import CachedEncoder

    path = models_dir() / "audio_predictor"
    predictor = AudioPredictor.load(path)
    predictor.featurizer.catalog_artists = CatalogArtistPriors(reference.catalog_tracks())  # as served
    rows = collect(predictor, CachedEncoder(home_dir() / "cache" / "train_embeddings.npz"))
    train_mean = predictor.featurizer.feature_mean_
    low, high = crossfit_interval(rows, train_mean)
    result = report(rows, low, high, train_mean)
    (path / "calibration.json").write_text(json.dumps(fit_calibrator(rows, train_mean).state(), indent=2))
    metrics = json.loads((path / "metrics.json").read_text())
    metrics["real_library_sets"] = {"method": "90% intervals, cross-fitted: each set scored by a calibrator "
                                              "fitted with its own fold left out", "bounded_features": BOUNDED_FEATURES,
                                    "sets": result}
    (path / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(markdown(result))


if __name__ == "__main__":
    main()
