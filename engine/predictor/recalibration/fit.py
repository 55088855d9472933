"""The shipped predictor's calibrator, refitted on every real-library-like set; the ensemble is untouched.

Run: TUNESCOPE_DATA_DIR=../shared/data python -m engine recalibrate   (about 2 minutes on 2 cores once the
text embeddings are cached; writes models/audio_predictor/calibration.json and metrics.json's
"real_library_sets", and prints the table in docs/models/predictor.md)
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.catalog import datasets as reference
from engine.config import BOUNDED_FEATURES
from engine.predictor.bundle import AudioPredictor
from engine.predictor.priors import CatalogArtistPriors
from engine.predictor.recalibration.build import collect
from engine.predictor.recalibration.evaluate import (adapted_markdown, crossfit_interval, fit_calibrator,
                                                     library_adapted, markdown, report)


def recalibrate(path: Path, encoder) -> str:
    """Measure cross-fitted coverage, then fit on everything and save; returns the markdown table."""
    predictor = AudioPredictor.load(path)
    predictor.featurizer.catalog_artists = CatalogArtistPriors(reference.catalog_tracks())  # as served
    rows = collect(predictor, encoder)
    train_mean = predictor.featurizer.feature_mean_
    low, high = crossfit_interval(rows, train_mean)
    result = report(rows, low, high, train_mean)
    adapted = library_adapted(rows, low, high)
    (path / "calibration.json").write_text(json.dumps(fit_calibrator(rows, train_mean).state(), indent=2))
    metrics = json.loads((path / "metrics.json").read_text())
    metrics["real_library_sets"] = {"method": "90% intervals, cross-fitted: each set scored by a calibrator "
                                              "fitted with its own fold left out", "bounded_features": BOUNDED_FEATURES,
                                    "sets": result,
                                    "library_adapted": {"method": "each set served as one library: its known "
                                                        "tracks widen the others' intervals "
                                                        "(engine/predictor/library_intervals.py)", "sets": adapted}}
    (path / "metrics.json").write_text(json.dumps(metrics, indent=2))
    return markdown(result) + "\n\nServed per library (known tracks widen the rest):\n\n" + adapted_markdown(adapted)
