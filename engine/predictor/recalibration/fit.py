"""The shipped predictor's confidences and intervals, refitted on real-library-like sets; the ensemble is untouched.

Run: TUNESCOPE_DATA_DIR=../shared/data python -m engine recalibrate   (writes models/audio_predictor/
uncertainty.pkl, uncertainty.json and metrics.json's "real_library_sets", and prints the tables in docs/models/predictor.md).
Calibration never sees the real libraries it is judged on (build.evaluation_sets).
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.catalog import datasets as reference
from engine.config import BOUNDED_FEATURES
from engine.predictor.bundle import AudioPredictor
from engine.predictor.recalibration.build import collect, collect_evaluation
from engine.predictor.recalibration.evaluate import (adapted_markdown, crossfit, fit_uncertainty, judge, library_adapted,
                                                     markdown, meaning_markdown, real_markdown, reliability, report)


def recalibrate(path: Path, encoder, log=print) -> str:
    """Measure cross-fitted coverage, fit on every calibration set, judge on the real libraries, save;
    returns the markdown tables."""
    predictor = AudioPredictor.load(path, catalog_tracks=reference.catalog_tracks())  # as served
    train_mean = predictor.featurizer.feature_mean_
    log("collecting the calibration sets")
    rows = collect(predictor, encoder)
    log("cross-fitting")
    low, high, confidence = crossfit(rows, train_mean)
    result = report(rows, low, high, confidence, train_mean)
    adapted = library_adapted(rows, low, high)
    uncertainty = fit_uncertainty(rows, train_mean)
    log("judging on the real libraries")
    judged = judge(collect_evaluation(predictor, encoder), uncertainty)
    uncertainty.save(path)
    metrics = json.loads((path / "metrics.json").read_text())
    metrics["real_library_sets"] = {
        "method": "90% intervals and confidences (engine/predictor/uncertainty.py), cross-fitted: each set scored "
                  "by a model fitted with its own fold left out", "bounded_features": BOUNDED_FEATURES, "sets": result,
        "reliability": {"method": "predicted rows of every set, in 5 equal-count bins of cross-fitted confidence; "
                                  "mean_abs_error in the feature's units (tempo in BPM)",
                        "features": reliability(rows, low, high, confidence)},
        "library_adapted": {"method": "each set served as one library: its known tracks widen the others' intervals "
                                      "(engine/predictor/library_intervals.py)", "sets": adapted},
        "real_libraries": {"method": "real libraries never calibrated on (Exportify owners, liked songs), features "
                                     "stripped and predicted; served = catalog on, predicted rows, widened by the "
                                     "library's known rows; catalog off = every row",
                           **judged},
    }
    (path / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return ("Real libraries (coverage / mean width / Spearman(confidence, -|error|)):\n\n" + real_markdown(judged)
            + "\n\nWhat a confidence means on real libraries (served, predicted values):\n\n"
            + meaning_markdown(judged["confidence_meaning"])
            + "\n\nCalibration sets, cross-fitted:\n\n" + markdown(result)
            + "\n\nServed per library (known tracks widen the rest):\n\n" + adapted_markdown(adapted))
